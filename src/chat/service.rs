//! The rules of chat: who may post, edit, delete, react and moderate, applied the same
//! way for WebSocket and HTTP requests. Each accepted change is stored, then published
//! to the space's connections in revision order.

use std::sync::Arc;

use super::cluster::{entry_of, STALE_AFTER};
use super::hub::{Event, Hub, PresenceEntry};
use super::markdown;
use super::protocol::{MessageView, ServerMessage, REACTIONS};
use crate::i18n::{Lang, Msg};
use crate::lti::claims::SpaceRole;
use crate::observability;
use crate::store::chat::{Moderation, NewMessage, StoredMessage};
use crate::store::cluster::LivePresence;
use crate::store::{DynStore, StoreError};
use crate::unix_now;

/// The person acting in a space, from their session.
#[derive(Debug, Clone)]
pub struct Participant {
    pub space_id: i64,
    /// `None` for an anonymous launch, which may read but not write.
    pub user_id: Option<i64>,
    pub role: SpaceRole,
    pub name: String,
    /// The language of the session, for the texts sent to this person only.
    pub lang: Lang,
}

impl Participant {
    pub fn is_moderator(&self) -> bool {
        matches!(self.role, SpaceRole::Teacher | SpaceRole::Admin)
    }

    fn writer(&self) -> Result<i64, ChatError> {
        self.user_id
            .ok_or(ChatError::Forbidden(Msg::new("error-chat-anonymous")))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("{0}")]
    Invalid(Msg),
    #[error("{0}")]
    Forbidden(Msg),
    #[error("{0}")]
    NotFound(Msg),
    /// The person is muted until this Unix time.
    #[error("muted until {0} (Unix time)")]
    Muted(i64),
    /// The person's write budget is spent; one write is possible in this many seconds.
    #[error("write rate limit reached, retry after {0} s")]
    RateLimited(u64),
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl ChatError {
    pub fn code(&self) -> &'static str {
        match self {
            ChatError::Invalid(_) => "invalid",
            ChatError::Forbidden(_) => "forbidden",
            ChatError::NotFound(_) => "not_found",
            ChatError::Muted(_) => "muted",
            ChatError::RateLimited(_) => "rate_limited",
            ChatError::Storage(_) => "storage_unavailable",
        }
    }

    /// Returns the text for the person, before translation.
    pub fn message(&self) -> Msg {
        match self {
            ChatError::Invalid(message)
            | ChatError::Forbidden(message)
            | ChatError::NotFound(message) => message.clone(),
            ChatError::Muted(until) => Msg::new("error-chat-muted").arg("until", *until),
            ChatError::RateLimited(seconds) => {
                Msg::new("error-rate-writes").arg("seconds", *seconds)
            }
            ChatError::Storage(_) => Msg::new("error-chat-storage"),
        }
    }
}

/// The text and destination of a new message.
#[derive(Debug, Clone)]
pub struct Draft {
    pub room_id: i64,
    pub body: String,
    pub parent_id: Option<i64>,
    pub stance: Option<String>,
    pub mentions: Vec<i64>,
}

/// Chat operations bound to the store and the hub.
#[derive(Clone)]
pub struct Chat {
    pub store: DynStore,
    pub hub: Arc<Hub>,
    /// The instance's rate limits; chat writes count toward the person's write budget.
    pub rate_limits: Arc<crate::rate_limit::RateLimits>,
}

impl Chat {
    /// Records one more connection of a person; true when they just came online on this
    /// instance.
    pub async fn connect_presence(&self, space_id: i64, entry: PresenceEntry) -> bool {
        let first = self.hub.connect(space_id, entry.clone());
        self.share_presence(space_id, &entry).await;
        first
    }

    /// Changes a connected person's room or status; returns their new entry.
    pub async fn update_presence(
        &self,
        space_id: i64,
        user_id: i64,
        change: impl FnOnce(&mut PresenceEntry),
    ) -> Option<PresenceEntry> {
        let entry = self.hub.update_presence(space_id, user_id, change)?;
        self.share_presence(space_id, &entry).await;
        Some(entry)
    }

    /// Records a closed connection; true when the person is now connected through no
    /// instance at all.
    pub async fn disconnect_presence(&self, space_id: i64, user_id: i64) -> bool {
        if !self.hub.disconnect(space_id, user_id) {
            return false;
        }
        let Some(link) = self.hub.cluster_link() else {
            return true;
        };
        let instance_id = &link.instance_id;
        if let Err(error) = self
            .store
            .remove_live_presence(instance_id, space_id, user_id)
            .await
        {
            tracing::warn!(%error, space_id, user_id, "removing shared presence failed");
        }
        let alive_since = unix_now() - STALE_AFTER;
        match self
            .store
            .connected_elsewhere(instance_id, space_id, user_id, alive_since)
            .await
        {
            Ok(elsewhere) => !elsewhere,
            Err(error) => {
                tracing::warn!(%error, space_id, user_id, "reading shared presence failed");
                true
            }
        }
    }

    /// Everyone connected to a space through this instance or, when instances share the
    /// database, through any live one; sorted by name.
    pub async fn online(&self, space_id: i64) -> Vec<PresenceEntry> {
        let mut entries = self.hub.online(space_id);
        let Some(link) = self.hub.cluster_link() else {
            return entries;
        };
        let rows = match self
            .store
            .live_presence(space_id, unix_now() - STALE_AFTER)
            .await
        {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, space_id, "reading shared presence failed");
                return entries;
            }
        };
        let mut seen: std::collections::HashSet<i64> =
            entries.iter().map(|entry| entry.user_id).collect();
        for row in rows {
            if row.instance_id != link.instance_id && seen.insert(row.user_id) {
                entries.push(entry_of(&row));
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        entries
    }

    /// Writes a person's presence for the other instances, when there are any.
    async fn share_presence(&self, space_id: i64, entry: &PresenceEntry) {
        let Some(link) = self.hub.cluster_link() else {
            return;
        };
        let row = LivePresence {
            instance_id: link.instance_id.clone(),
            space_id,
            user_id: entry.user_id,
            name: entry.name.clone(),
            role: entry.role.clone(),
            room_id: entry.room_id,
            status: entry.status.clone(),
        };
        if let Err(error) = self.store.put_live_presence(&row, unix_now()).await {
            tracing::warn!(%error, space_id, user_id = entry.user_id, "sharing presence failed");
        }
    }

    pub async fn post(
        &self,
        who: &Participant,
        draft: Draft,
        now: i64,
    ) -> Result<StoredMessage, ChatError> {
        let author_id = who.writer()?;
        if let Some(until) = self.store.muted_until(who.space_id, author_id).await? {
            if until > now {
                return Err(ChatError::Muted(until));
            }
        }
        markdown::check_body(&draft.body).map_err(ChatError::Invalid)?;
        let room = self
            .store
            .room(who.space_id, draft.room_id)
            .await?
            .filter(|room| room.archived_at.is_none())
            .ok_or(ChatError::NotFound(Msg::new("error-chat-no-open-room")))?;

        let parent_author_id = match draft.parent_id {
            Some(parent_id) => {
                let parent = self
                    .store
                    .message(who.space_id, parent_id)
                    .await?
                    .filter(|parent| parent.room_id == room.id)
                    .ok_or(ChatError::NotFound(Msg::new("error-chat-parent-elsewhere")))?;
                Some(parent.author_id)
            }
            None => None,
        };
        let stance = match (&draft.stance, &room.positions) {
            (None, _) => None,
            (Some(stance), Some(positions)) if positions.lines().any(|p| p.trim() == stance) => {
                Some(stance.clone())
            }
            (Some(stance), _) => {
                return Err(ChatError::Invalid(
                    Msg::new("error-chat-stance").arg("stance", format!("{stance:?}")),
                ))
            }
        };
        let mut mentions = Vec::new();
        for user_id in draft.mentions.iter().take(20) {
            if self.store.is_member(who.space_id, *user_id).await? && !mentions.contains(user_id) {
                mentions.push(*user_id);
            }
        }

        let message = NewMessage {
            space_id: who.space_id,
            room_id: room.id,
            author_id,
            parent_id: draft.parent_id,
            parent_author_id,
            stance,
            body_html: markdown::render(&draft.body),
            body: draft.body,
            mentions,
        };
        let lock = self.hub.room_lock(room.id);
        let _guard = lock.lock().await;
        let stored = self
            .store
            .post_message(&message, now)
            .await?
            .ok_or(ChatError::NotFound(Msg::new("error-chat-room-archived")))?;
        self.publish(&stored);
        observability::chat_message_posted();
        Ok(stored)
    }

    pub async fn edit(
        &self,
        who: &Participant,
        message_id: i64,
        body: String,
        now: i64,
    ) -> Result<StoredMessage, ChatError> {
        let user_id = who.writer()?;
        let message = self.own_message(who, message_id).await?;
        if message.author_id != user_id {
            return Err(ChatError::Forbidden(Msg::new("error-chat-edit-not-author")));
        }
        let window = self
            .store
            .space_settings(who.space_id)
            .await?
            .edit_window_secs;
        if now - message.created_at > window {
            return Err(ChatError::Forbidden(Msg::new("error-chat-edit-too-late")));
        }
        markdown::check_body(&body).map_err(ChatError::Invalid)?;
        let html = markdown::render(&body);
        let lock = self.hub.room_lock(message.room_id);
        let _guard = lock.lock().await;
        let stored = self
            .store
            .edit_message(who.space_id, message_id, &body, &html, now)
            .await?
            .ok_or(ChatError::NotFound(Msg::new("error-chat-message-deleted")))?;
        self.publish(&stored);
        Ok(stored)
    }

    /// Deletes a message: the author within the edit window, or a teacher at any time.
    pub async fn delete(
        &self,
        who: &Participant,
        message_id: i64,
        now: i64,
    ) -> Result<StoredMessage, ChatError> {
        let user_id = who.writer()?;
        let message = self.own_message(who, message_id).await?;
        if !who.is_moderator() {
            if message.author_id != user_id {
                return Err(ChatError::Forbidden(Msg::new(
                    "error-chat-delete-not-allowed",
                )));
            }
            let window = self
                .store
                .space_settings(who.space_id)
                .await?
                .edit_window_secs;
            if now - message.created_at > window {
                return Err(ChatError::Forbidden(Msg::new("error-chat-delete-too-late")));
            }
        }
        if who.is_moderator() && message.author_id != user_id {
            self.store
                .audit(
                    who.space_id,
                    user_id,
                    "message.delete",
                    &format!("message {message_id}"),
                    now,
                )
                .await?;
        }
        self.moderate(who, &message, Moderation::Delete, now).await
    }

    /// Pins or hides a message; teachers only, and recorded in the audit log.
    pub async fn set_flag(
        &self,
        who: &Participant,
        message_id: i64,
        action: Moderation,
        now: i64,
    ) -> Result<StoredMessage, ChatError> {
        let user_id = who.writer()?;
        if !who.is_moderator() {
            return Err(ChatError::Forbidden(Msg::new(
                "error-chat-moderate-teachers-only",
            )));
        }
        let message = self.own_message(who, message_id).await?;
        let name = match action {
            Moderation::Pin => "message.pin",
            Moderation::Unpin => "message.unpin",
            Moderation::Hide => "message.hide",
            Moderation::Unhide => "message.unhide",
            Moderation::Delete => "message.delete",
        };
        // The audit row is written before the change is published, so a client that
        // receives the change finds it in the log.
        self.store
            .audit(
                who.space_id,
                user_id,
                name,
                &format!("message {message_id}"),
                now,
            )
            .await?;
        self.moderate(who, &message, action, now).await
    }

    pub async fn react(
        &self,
        who: &Participant,
        message_id: i64,
        emoji: &str,
        on: bool,
        now: i64,
    ) -> Result<StoredMessage, ChatError> {
        let user_id = who.writer()?;
        if !REACTIONS.contains(&emoji) {
            return Err(ChatError::Invalid(
                Msg::new("error-chat-reaction")
                    .arg("emoji", format!("{emoji:?}"))
                    .arg("reactions", format!("{REACTIONS:?}")),
            ));
        }
        let message = self.own_message(who, message_id).await?;
        let lock = self.hub.room_lock(message.room_id);
        let _guard = lock.lock().await;
        let stored = self
            .store
            .react(who.space_id, message_id, user_id, emoji, on, now)
            .await?
            .ok_or(ChatError::NotFound(Msg::new("error-chat-message-deleted")))?;
        self.publish(&stored);
        Ok(stored)
    }

    async fn own_message(
        &self,
        who: &Participant,
        message_id: i64,
    ) -> Result<StoredMessage, ChatError> {
        self.store
            .message(who.space_id, message_id)
            .await?
            .filter(|message| message.deleted_at.is_none())
            .ok_or(ChatError::NotFound(Msg::new("error-chat-no-message")))
    }

    async fn moderate(
        &self,
        who: &Participant,
        message: &StoredMessage,
        action: Moderation,
        now: i64,
    ) -> Result<StoredMessage, ChatError> {
        let lock = self.hub.room_lock(message.room_id);
        let _guard = lock.lock().await;
        let stored = self
            .store
            .moderate_message(who.space_id, message.id, action, now)
            .await?
            .ok_or(ChatError::NotFound(Msg::new("error-chat-no-message")))?;
        self.publish(&stored);
        Ok(stored)
    }

    fn publish(&self, message: &StoredMessage) {
        let public = MessageView::public(message);
        let moderator = MessageView::moderator(message);
        let moderator_payload = (moderator != public).then(|| {
            ServerMessage::Message {
                room_id: message.room_id,
                message: moderator,
            }
            .to_json()
            .into()
        });
        let payload = ServerMessage::Message {
            room_id: message.room_id,
            message: public,
        }
        .to_json()
        .into();
        self.hub.publish(
            message.space_id,
            Event {
                room_id: Some(message.room_id),
                payload,
                moderator_payload,
            },
        );
    }
}
