//! Storage of rooms, messages, presence, the interaction log and the audit log.
//!
//! Every query takes the space id and filters on it, so an id from another space finds
//! nothing. Every change to a room's messages takes the room's next revision number,
//! which is how a reconnecting client asks for what it missed.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Room {
    pub id: i64,
    pub space_id: i64,
    /// `open`, `team`, `quiet` or `discussion`.
    pub kind: String,
    pub default_key: Option<String>,
    pub name: String,
    pub topic: Option<String>,
    /// Discussion positions, one per line.
    pub positions: Option<String>,
    pub position: i64,
    pub archived_at: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub last_rev: i64,
}

#[derive(Debug, Clone)]
pub struct NewRoom {
    pub space_id: i64,
    pub kind: String,
    pub name: String,
    pub topic: Option<String>,
    pub positions: Option<String>,
    pub created_by: i64,
}

/// Changes a teacher makes to a room; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct RoomChange {
    pub name: Option<String>,
    pub topic: Option<String>,
    pub position: Option<i64>,
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceSettings {
    pub students_create_rooms: bool,
    pub edit_window_secs: i64,
    /// Days after which content of the space is cleared; `None` uses the server default.
    pub retention_days: Option<i64>,
}

/// People who reacted to a message with one emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReactionCount {
    pub emoji: String,
    pub user_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredMessage {
    pub id: i64,
    pub space_id: i64,
    pub room_id: i64,
    pub seq: i64,
    pub rev: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub parent_id: Option<i64>,
    pub stance: Option<String>,
    pub body: String,
    pub body_html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub hidden_at: Option<i64>,
    pub pinned_at: Option<i64>,
    #[sqlx(skip)]
    pub reactions: Vec<ReactionCount>,
    #[sqlx(skip)]
    pub mentions: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub space_id: i64,
    pub room_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    /// Author of the parent message, when replying.
    pub parent_author_id: Option<i64>,
    pub stance: Option<String>,
    pub body: String,
    pub body_html: String,
    /// Mentioned people, already checked to be members of the space.
    pub mentions: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Pin,
    Unpin,
    Hide,
    Unhide,
    Delete,
}

/// One contribution or interaction between two people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Interaction {
    pub space_id: i64,
    pub actor_id: i64,
    pub target_id: Option<i64>,
    pub room_id: Option<i64>,
    /// For example `message`, `reply`, `mention`, `reaction`.
    pub kind: String,
    /// The message, help request or item the interaction is about.
    pub subject_id: Option<i64>,
    pub created_at: i64,
}

/// A stay of one person in one room; `left_at` is `None` while they are there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RoomVisit {
    pub room_id: i64,
    pub user_id: i64,
    pub entered_at: i64,
    pub left_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub actor_id: i64,
    pub action: String,
    pub target: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PresenceRow {
    pub user_id: i64,
    pub name: Option<String>,
    pub room_id: Option<i64>,
    pub status: String,
    pub last_seen_at: i64,
}

/// Names given to the rooms every space starts with, in the language of the launch that
/// creates the space. Teachers may rename them later.
#[derive(Debug, Clone)]
pub struct DefaultRoomNames {
    pub open_space: String,
    pub quiet_zone: String,
}

#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Creates the open space and the quiet zone of a space if they do not exist yet,
    /// named `names`; existing rooms keep their names.
    async fn ensure_default_rooms(
        &self,
        space_id: i64,
        names: &DefaultRoomNames,
        now: i64,
    ) -> StoreResult<()>;
    /// Rooms of a space in display order; archived rooms only when asked.
    async fn rooms(&self, space_id: i64, include_archived: bool) -> StoreResult<Vec<Room>>;
    async fn room(&self, space_id: i64, room_id: i64) -> StoreResult<Option<Room>>;
    async fn create_room(&self, room: &NewRoom, now: i64) -> StoreResult<Room>;
    async fn change_room(
        &self,
        space_id: i64,
        room_id: i64,
        change: &RoomChange,
        now: i64,
    ) -> StoreResult<Option<Room>>;
    async fn join_room(&self, room_id: i64, user_id: i64, now: i64) -> StoreResult<()>;
    async fn leave_room(&self, room_id: i64, user_id: i64) -> StoreResult<()>;
    async fn room_member_ids(&self, room_id: i64) -> StoreResult<Vec<i64>>;

    async fn space_settings(&self, space_id: i64) -> StoreResult<SpaceSettings>;
    async fn set_space_settings(&self, space_id: i64, settings: &SpaceSettings) -> StoreResult<()>;
    /// True when `user_id` has launched into `space_id`.
    async fn is_member(&self, space_id: i64, user_id: i64) -> StoreResult<bool>;

    /// Stores a message and its interactions in one transaction. `None` when the room is
    /// not in the space or is archived.
    async fn post_message(
        &self,
        message: &NewMessage,
        now: i64,
    ) -> StoreResult<Option<StoredMessage>>;
    async fn message(&self, space_id: i64, message_id: i64) -> StoreResult<Option<StoredMessage>>;
    async fn edit_message(
        &self,
        space_id: i64,
        message_id: i64,
        body: &str,
        body_html: &str,
        now: i64,
    ) -> StoreResult<Option<StoredMessage>>;
    async fn moderate_message(
        &self,
        space_id: i64,
        message_id: i64,
        action: Moderation,
        now: i64,
    ) -> StoreResult<Option<StoredMessage>>;
    /// Adds (`on`) or removes a reaction and returns the message with its new revision.
    async fn react(
        &self,
        space_id: i64,
        message_id: i64,
        user_id: i64,
        emoji: &str,
        on: bool,
        now: i64,
    ) -> StoreResult<Option<StoredMessage>>;
    /// Messages of a room changed after revision `after_rev`, oldest change first.
    async fn messages_since(
        &self,
        room_id: i64,
        after_rev: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredMessage>>;
    /// Returns the `limit` messages posted before `before_seq`, oldest first.
    async fn messages_before(
        &self,
        room_id: i64,
        before_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredMessage>>;

    async fn mute(
        &self,
        space_id: i64,
        user_id: i64,
        until: i64,
        by: i64,
        now: i64,
    ) -> StoreResult<()>;
    async fn unmute(&self, space_id: i64, user_id: i64) -> StoreResult<()>;
    async fn muted_until(&self, space_id: i64, user_id: i64) -> StoreResult<Option<i64>>;

    async fn start_visit(
        &self,
        space_id: i64,
        room_id: i64,
        user_id: i64,
        now: i64,
    ) -> StoreResult<i64>;
    async fn end_visit(&self, visit_id: i64, now: i64) -> StoreResult<()>;
    /// Room visits of a space that started at or after `since`, oldest first.
    async fn visits(&self, space_id: i64, since: i64) -> StoreResult<Vec<RoomVisit>>;
    async fn set_presence(
        &self,
        space_id: i64,
        user_id: i64,
        room_id: Option<i64>,
        status: &str,
        now: i64,
    ) -> StoreResult<()>;
    async fn presence(&self, space_id: i64, since: i64) -> StoreResult<Vec<PresenceRow>>;

    async fn record_interaction(&self, interaction: &Interaction) -> StoreResult<()>;
    async fn interactions(&self, space_id: i64, since: i64) -> StoreResult<Vec<Interaction>>;
    async fn audit(
        &self,
        space_id: i64,
        actor_id: i64,
        action: &str,
        target: &str,
        now: i64,
    ) -> StoreResult<()>;
    async fn audit_entries(&self, space_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}

/// Groups `(message_id, emoji, user_id)` rows onto their messages, emoji in first-use order.
pub(crate) fn attach_reactions(messages: &mut [StoredMessage], rows: Vec<(i64, String, i64)>) {
    for message in messages.iter_mut() {
        for (_, emoji, user_id) in rows.iter().filter(|(id, _, _)| *id == message.id) {
            match message.reactions.iter_mut().find(|r| &r.emoji == emoji) {
                Some(reaction) => reaction.user_ids.push(*user_id),
                None => message.reactions.push(ReactionCount {
                    emoji: emoji.clone(),
                    user_ids: vec![*user_id],
                }),
            }
        }
    }
}

pub(crate) fn attach_mentions(messages: &mut [StoredMessage], rows: Vec<(i64, i64)>) {
    for message in messages.iter_mut() {
        message.mentions = rows
            .iter()
            .filter(|(id, _)| *id == message.id)
            .map(|(_, user_id)| *user_id)
            .collect();
    }
}
