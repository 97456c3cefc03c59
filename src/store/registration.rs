//! Storage of dynamic registration invitations: one-time links that let a platform
//! register cowork through `GET /lti/register/{invite}`.
//!
//! Only the SHA-256 digest of an invitation token is stored, so a copy of the database
//! does not reveal a usable link.

use async_trait::async_trait;

use super::StoreResult;

/// The outcome of an attempt to claim an invitation for one registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteClaim {
    /// The invitation was valid and is now marked used by this registration.
    Claimed,
    /// A registration already used the invitation, or is using it now.
    AlreadyUsed,
    Expired,
    Unknown,
}

#[async_trait]
pub trait RegistrationStore: Send + Sync {
    /// Stores an invitation whose token has the digest `token_hash`.
    async fn insert_invite(&self, token_hash: &str, now: i64, expires_at: i64) -> StoreResult<()>;
    /// Marks the invitation used at `now` when it is known, unused and unexpired.
    async fn claim_invite(&self, token_hash: &str, now: i64) -> StoreResult<InviteClaim>;
    /// Makes a claimed invitation usable again, after its registration failed.
    async fn release_invite(&self, token_hash: &str) -> StoreResult<()>;
    /// Records the registration that a claimed invitation produced.
    async fn complete_invite(&self, token_hash: &str, platform_id: i64) -> StoreResult<()>;
}
