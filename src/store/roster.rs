//! Storage of course rosters read from the platform's Names and Role Provisioning
//! Service: where each space's roster comes from, and its members with their roles and
//! enrolment status.
//!
//! Roster members are ordinary users, keyed by issuer and subject like launches, so a
//! student who never opened the space is listed next to those who did.

use async_trait::async_trait;

use super::StoreResult;

/// The membership service of a space and the outcome of its last refresh.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterSource {
    pub space_id: i64,
    pub platform_id: i64,
    pub memberships_url: String,
    pub synced_at: Option<i64>,
    /// Reason the last refresh failed; `None` after a successful one.
    pub sync_error: Option<String>,
}

/// A member as the platform listed them. Names are `None` when the platform did not
/// share them.
#[derive(Debug, Clone)]
pub struct RosterPerson {
    pub subject: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Role URIs or short names as the platform sent them, separated by spaces.
    pub roles: String,
    /// `Active`, `Inactive` or `Deleted`.
    pub status: String,
}

/// A roster line with the member's engagement in the space.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterEntry {
    pub user_id: i64,
    pub name: Option<String>,
    pub roles: String,
    pub status: String,
    /// Last launch into the space; `None` when the member never opened it.
    pub last_seen_at: Option<i64>,
    /// Entries of the member in the interaction log of the space.
    pub contributions: i64,
}

#[async_trait]
pub trait RosterStore: Send + Sync {
    /// Records the membership service URL that a launch into the space carried.
    async fn set_roster_source(
        &self,
        space_id: i64,
        platform_id: i64,
        memberships_url: &str,
        now: i64,
    ) -> StoreResult<()>;
    async fn roster_source(&self, space_id: i64) -> StoreResult<Option<RosterSource>>;
    /// Sources never refreshed or last refreshed before `synced_before`, oldest first.
    async fn roster_sources_due(
        &self,
        synced_before: i64,
        limit: i64,
    ) -> StoreResult<Vec<RosterSource>>;
    /// Writes the members of one refresh in a transaction. When `complete`, members that
    /// the platform no longer lists are marked `Deleted`.
    async fn store_roster(
        &self,
        space_id: i64,
        members: &[RosterPerson],
        complete: bool,
        now: i64,
    ) -> StoreResult<()>;
    /// Records the time and outcome of a refresh; `error` is `None` on success.
    async fn record_roster_sync(
        &self,
        space_id: i64,
        now: i64,
        error: Option<&str>,
    ) -> StoreResult<()>;
    /// Returns the roster of a space: active members first, then by name.
    async fn roster(&self, space_id: i64) -> StoreResult<Vec<RosterEntry>>;
}
