//! Storage of focus sessions: timed co-working sessions in the quiet zone, each with a
//! stated goal and, at the end, the participant's check-in.
//!
//! Every query takes the space id and filters on it. A unique index allows one
//! unfinished session per person and space.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// Outcomes of a finished session: the three check-in answers and `abandoned`.
pub const OUTCOMES: [&str; 4] = ["met", "partly", "not_met", "abandoned"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FocusSession {
    pub id: i64,
    pub space_id: i64,
    pub user_id: i64,
    pub user_name: Option<String>,
    pub goal: String,
    /// Planned length: 25, 50 or 75 minutes.
    pub minutes: i64,
    pub started_at: i64,
    pub ends_at: i64,
    /// Time of the check-in or abandonment; `None` while the session is open.
    pub finished_at: Option<i64>,
    /// One of [`OUTCOMES`] once finished.
    pub outcome: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewFocus {
    pub space_id: i64,
    pub user_id: i64,
    pub goal: String,
    pub minutes: i64,
}

#[async_trait]
pub trait FocusStore: Send + Sync {
    /// Starts a session at `now` that ends `minutes` later. `None` when the person
    /// already has an unfinished session in the space.
    async fn start_focus(&self, focus: &NewFocus, now: i64) -> StoreResult<Option<FocusSession>>;
    /// Returns the person's unfinished session, running or waiting for its check-in.
    async fn open_focus(&self, space_id: i64, user_id: i64) -> StoreResult<Option<FocusSession>>;
    async fn focus_session(
        &self,
        space_id: i64,
        session_id: i64,
    ) -> StoreResult<Option<FocusSession>>;
    /// Returns the unfinished sessions that end after `now`, the soonest end first.
    async fn running_focus(&self, space_id: i64, now: i64) -> StoreResult<Vec<FocusSession>>;
    /// Finishes the person's unfinished session `session_id` with `outcome`. `None` when
    /// no such session is open.
    async fn finish_focus(
        &self,
        space_id: i64,
        session_id: i64,
        user_id: i64,
        outcome: &str,
        note: Option<&str>,
        now: i64,
    ) -> StoreResult<Option<FocusSession>>;
    /// Returns the person's finished sessions, newest first.
    async fn finished_focus(
        &self,
        space_id: i64,
        user_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<FocusSession>>;
}
