//! Read-only queries that load what the analytics measures need for one space and one
//! time window `[from, until)`, in Unix seconds.
//!
//! Every query starts from an index that begins with `space_id`: `interactions_by_space`,
//! `room_visits_by_space` and `messages_by_space` for the window's rows, `rooms_by_space`
//! and the primary key of `space_members` for the rest. Team members are then looked up
//! by primary key. SQLite's `EXPLAIN QUERY PLAN` on the migrated schema shows these plans.

use async_trait::async_trait;
use serde::Serialize;

use super::chat::{Interaction, RoomVisit};
use super::StoreResult;
use crate::analytics::communication::is_question;

/// A person who has launched into a space, with their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AnalyticsMember {
    pub user_id: i64,
    pub name: Option<String>,
    /// `student`, `teacher` or another role the launch mapped.
    pub role: String,
}

/// A room of a space, archived or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AnalyticsRoom {
    pub id: i64,
    /// `open`, `team`, `quiet` or `discussion`.
    pub kind: String,
    pub name: String,
    pub archived_at: Option<i64>,
}

/// One member of one team room, as the membership stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TeamMembership {
    pub room_id: i64,
    pub user_id: i64,
}

/// A chat message that is not deleted, with the message it replies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnalyticsMessage {
    pub id: i64,
    pub room_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    /// Whether the text is a question, as [`is_question`] decides.
    pub question: bool,
    pub created_at: i64,
}

/// A chat message row as the analytics queries read it, before its text is reduced to
/// the question flag.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct MessageRow {
    pub id: i64,
    pub room_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    pub body: String,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    pub rev: i64,
}

impl MessageRow {
    pub(super) fn analytics_message(&self) -> AnalyticsMessage {
        AnalyticsMessage {
            id: self.id,
            room_id: self.room_id,
            author_id: self.author_id,
            parent_id: self.parent_id,
            question: is_question(&self.body),
            created_at: self.created_at,
        }
    }
}

/// The latest state of a chat message that was posted or changed after a room revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageChange {
    pub message: AnalyticsMessage,
    pub deleted: bool,
    /// The room revision of the latest post, edit, deletion, moderation or reaction.
    pub rev: i64,
}

/// An interaction log row with its id.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoggedInteraction {
    pub id: i64,
    #[sqlx(flatten)]
    pub interaction: Interaction,
}

/// A room visit with its id.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoggedVisit {
    pub id: i64,
    #[sqlx(flatten)]
    pub visit: RoomVisit,
}

/// The interaction log rows of one kind from one person to another in one room (or
/// outside rooms), counted, with the first and last time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InteractionEdge {
    pub actor_id: i64,
    pub target_id: i64,
    pub kind: String,
    pub room_id: Option<i64>,
    pub count: i64,
    pub first_at: i64,
    pub last_at: i64,
}

#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Returns when the space was created, or `None` when there is no such space.
    async fn space_created_at(&self, space_id: i64) -> StoreResult<Option<i64>>;
    /// Returns every member of a space, ordered by user id.
    async fn analytics_members(&self, space_id: i64) -> StoreResult<Vec<AnalyticsMember>>;
    /// Returns every room of a space, archived ones included, ordered by id.
    async fn analytics_rooms(&self, space_id: i64) -> StoreResult<Vec<AnalyticsRoom>>;
    /// Returns the current members of the space's team rooms, ordered by room and user.
    async fn team_memberships(&self, space_id: i64) -> StoreResult<Vec<TeamMembership>>;
    /// Returns the room visits entered in `[from, until)`, oldest first.
    async fn analytics_visits(
        &self,
        space_id: i64,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<RoomVisit>>;
    /// Returns the interaction log rows created in `[from, until)`, oldest first.
    async fn analytics_interactions(
        &self,
        space_id: i64,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<Interaction>>;
    /// Returns the interaction log rows with a target created in `[from, until)`, counted
    /// per actor, target, kind and room and ordered by those columns (no room first).
    async fn interaction_edges(
        &self,
        space_id: i64,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<InteractionEdge>>;
    /// Returns the chat messages posted in `[from, until)` and not deleted, oldest first,
    /// through the `messages_by_space` index.
    async fn analytics_messages(
        &self,
        space_id: i64,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<AnalyticsMessage>>;
    /// Returns the interaction log rows of a space created at or after `from`, oldest
    /// first, with their ids.
    async fn logged_interactions_from(
        &self,
        space_id: i64,
        from: i64,
    ) -> StoreResult<Vec<LoggedInteraction>>;
    /// Returns the number of interaction log rows of a space created before `before`.
    async fn interaction_count_before(&self, space_id: i64, before: i64) -> StoreResult<i64>;
    /// Returns the room visits of a space entered at or after `from`, oldest first, with
    /// their ids.
    async fn logged_visits_from(&self, space_id: i64, from: i64) -> StoreResult<Vec<LoggedVisit>>;
    /// Returns the number of room visits of a space entered before `before`.
    async fn visit_count_before(&self, space_id: i64, before: i64) -> StoreResult<i64>;
    /// Returns the latest revision of each room of a space, as `(room id, revision)`.
    async fn room_revisions(&self, space_id: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// Returns the messages of a room whose latest revision is in `(after, until]`,
    /// deleted ones included, in revision order.
    async fn message_changes(
        &self,
        room_id: i64,
        after: i64,
        until: i64,
    ) -> StoreResult<Vec<MessageChange>>;
}
