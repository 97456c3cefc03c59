//! Storage of scheduled events and RSVPs.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub space_id: i64,
    /// `lecture`, `discussion`, `partner_hour` or `other`.
    pub kind: String,
    pub title: String,
    pub agenda: String,
    pub agenda_html: String,
    pub location: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: String,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub cancelled_at: Option<i64>,
    pub sequence: i64,
    pub yes_count: i64,
    pub maybe_count: i64,
    pub no_count: i64,
}

/// The fields a teacher sets when planning or changing an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub kind: String,
    pub title: String,
    pub agenda: String,
    pub agenda_html: String,
    pub location: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Rsvp {
    pub user_id: i64,
    pub name: Option<String>,
    pub response: String,
    pub updated_at: i64,
}

#[async_trait]
pub trait EventStore: Send + Sync {
    async fn create_event(
        &self,
        space_id: i64,
        draft: &EventDraft,
        by: i64,
        now: i64,
    ) -> StoreResult<EventRow>;
    /// Replaces an event's fields and bumps its sequence; `None` if it is not in the space.
    async fn update_event(
        &self,
        space_id: i64,
        event_id: i64,
        draft: &EventDraft,
        now: i64,
    ) -> StoreResult<Option<EventRow>>;
    async fn cancel_event(
        &self,
        space_id: i64,
        event_id: i64,
        now: i64,
    ) -> StoreResult<Option<EventRow>>;
    async fn event(&self, space_id: i64, event_id: i64) -> StoreResult<Option<EventRow>>;
    /// Events of a space ending at or after `since`, soonest first.
    async fn events(&self, space_id: i64, since: i64) -> StoreResult<Vec<EventRow>>;
    async fn set_rsvp(
        &self,
        event_id: i64,
        user_id: i64,
        response: &str,
        now: i64,
    ) -> StoreResult<()>;
    async fn rsvps(&self, event_id: i64) -> StoreResult<Vec<Rsvp>>;
    /// The replies of one person to the events of a space, by event id.
    async fn own_rsvps(&self, space_id: i64, user_id: i64) -> StoreResult<Vec<(i64, String)>>;
}
