//! The JSON messages of the space WebSocket, both directions.

use serde::{Deserialize, Serialize};

use super::hub::{PresenceChange, PresenceEntry};
use crate::store::chat::{ReactionCount, Room, StoredMessage};

/// Largest WebSocket text frame accepted from a client, in bytes.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// Reactions a person can add; a fixed set keeps reaction rows small and meaningful.
pub const REACTIONS: [&str; 7] = ["👍", "❤️", "🎉", "😄", "🤔", "👀", "✅"];

/// Presence statuses a person can choose.
pub const STATUSES: [&str; 3] = ["available", "busy", "dnd"];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Enter a room; with `since_rev`, receive every change after that revision.
    Join {
        room_id: i64,
        #[serde(default)]
        since_rev: Option<i64>,
    },
    Send {
        room_id: i64,
        body: String,
        #[serde(default)]
        parent_id: Option<i64>,
        #[serde(default)]
        stance: Option<String>,
        #[serde(default)]
        mentions: Vec<i64>,
        /// Echoed in the reply so a client can match it to its request.
        #[serde(default)]
        client_ref: Option<String>,
    },
    Edit {
        message_id: i64,
        body: String,
    },
    Delete {
        message_id: i64,
    },
    React {
        message_id: i64,
        emoji: String,
        on: bool,
    },
    Pin {
        message_id: i64,
        on: bool,
    },
    Hide {
        message_id: i64,
        on: bool,
    },
    Status {
        status: String,
    },
    /// Older messages of a room, before `before_seq`.
    History {
        room_id: i64,
        before_seq: i64,
    },
    Ping,
}

/// A message as clients receive it. `body` is the author's Markdown source, for editing;
/// clients insert it as text only, and show `body_html`, which the server sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub room_id: i64,
    pub seq: i64,
    pub rev: i64,
    pub author_id: i64,
    pub author_name: String,
    pub parent_id: Option<i64>,
    pub stance: Option<String>,
    pub body: String,
    pub body_html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub hidden: bool,
    pub pinned: bool,
    pub reactions: Vec<ReactionCount>,
    pub mentions: Vec<i64>,
}

impl MessageView {
    /// Builds the view for participants, in which a hidden message has no text.
    pub fn public(message: &StoredMessage) -> Self {
        let mut view = Self::moderator(message);
        if view.hidden {
            view.body = String::new();
            view.body_html = String::new();
        }
        view
    }

    /// Builds the view for teachers, who review the text of hidden messages.
    pub fn moderator(message: &StoredMessage) -> Self {
        Self {
            id: message.id,
            room_id: message.room_id,
            seq: message.seq,
            rev: message.rev,
            author_id: message.author_id,
            author_name: message
                .author_name
                .clone()
                .unwrap_or_else(|| "Unnamed participant".into()),
            parent_id: message.parent_id,
            stance: message.stance.clone(),
            body: message.body.clone(),
            body_html: message.body_html.clone(),
            created_at: message.created_at,
            edited_at: message.edited_at,
            deleted: message.deleted_at.is_some(),
            hidden: message.hidden_at.is_some(),
            pinned: message.pinned_at.is_some(),
            reactions: message.reactions.clone(),
            mentions: message.mentions.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    Hello {
        user_id: Option<i64>,
        role: &'a str,
        /// Seconds after posting during which the author may edit or delete a message.
        edit_window_secs: i64,
        rooms: &'a [Room],
        online: &'a [PresenceEntry],
    },
    History {
        room_id: i64,
        /// True when the messages are every change since the requested revision.
        since: bool,
        messages: Vec<MessageView>,
        /// True when older messages exist before the first one sent.
        more_before: bool,
        /// True when more changes remain after the last one sent (only with `since`);
        /// the client joins again from the last revision it received.
        more_after: bool,
    },
    Message {
        room_id: i64,
        message: MessageView,
    },
    /// Confirms a `send`, `edit`, `delete`, `react`, `pin` or `hide` to the client that made it.
    Ack {
        #[serde(skip_serializing_if = "Option::is_none")]
        client_ref: Option<&'a str>,
        message_id: i64,
    },
    /// Presence changes since the last presence event, the latest per person.
    Presence {
        changes: &'a [PresenceChange],
    },
    Error {
        code: &'a str,
        message: &'a str,
        /// The `client_ref` of the `send` that failed, when it had one.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_ref: Option<&'a str>,
    },
    /// The rooms of the space changed; `rooms` is the new list of open rooms.
    Rooms {
        rooms: &'a [Room],
    },
    /// The connection missed events; the client joins its room again with its last revision.
    Resync,
    Pong,
}

impl ServerMessage<'_> {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server messages serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse() {
        let send: ClientMessage =
            serde_json::from_str(r#"{"type":"send","room_id":3,"body":"hi","mentions":[4]}"#)
                .unwrap();
        assert_eq!(
            send,
            ClientMessage::Send {
                room_id: 3,
                body: "hi".into(),
                parent_id: None,
                stance: None,
                mentions: vec![4],
                client_ref: None,
            }
        );
        let join: ClientMessage =
            serde_json::from_str(r#"{"type":"join","room_id":1,"since_rev":7}"#).unwrap();
        assert_eq!(
            join,
            ClientMessage::Join {
                room_id: 1,
                since_rev: Some(7)
            }
        );
    }

    #[test]
    fn unknown_fields_rejected() {
        let parsed = serde_json::from_str::<ClientMessage>(
            r#"{"type":"send","room_id":1,"body":"x","space_id":9}"#,
        );
        assert!(parsed.is_err(), "a client cannot name another space");
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"drop_tables"}"#).is_err());
    }
}
