//! The space WebSocket (`GET /spaces/{space_id}/ws`): live chat and presence.
//!
//! A connection is a writer task, which forwards the space's events for the current room
//! and the replies of the reader, and the reader loop, which applies client messages.
//! [`run_connection`] is generic over the socket halves, so tests can drive it with
//! channels as well as with a real socket.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Json;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{broadcast, mpsc, watch};

use super::hub::{Event, PresenceChange, PresenceEntry, PRESENCE_FRAME_ENTRIES};
use super::protocol::{ClientMessage, MessageView, ServerMessage, MAX_FRAME_BYTES, STATUSES};
use super::service::{Chat, ChatError, Draft, Participant};
use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Msg, Tr};
use crate::observability::OpenConnection;
use crate::rate_limit::writer_key;
use crate::session::SOCKET_TOKEN_TTL_SECS;
use crate::store::chat::Moderation;
use crate::store::SessionView;
use crate::unix_now;
use crate::web::language;
use crate::web::rooms::{participant, TOKEN_HEADER};
use crate::web::space::authenticate;

/// Messages sent when a client joins a room without a revision to resume from.
const HISTORY_PAGE: i64 = 50;
/// Maximum changes sent to a client resuming from a revision; it pages for the rest.
const RESUME_LIMIT: i64 = 500;
/// Replies queued for a client before the connection is closed as too slow.
const OUTGOING_QUEUE: usize = 256;
/// Room switches a connection may have in flight to its write loop.
const ROOM_SWITCH_QUEUE: usize = 4;
/// Read and write buffer of each connection, in bytes.
const SOCKET_BUFFER_BYTES: usize = 8 * 1024;
/// Time a stopping instance waits for a client's reply to its closing frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
/// No room joined yet.
const NO_ROOM: i64 = 0;

/// The query parameter that carries the WebSocket connection token.
pub const SOCKET_TOKEN_PARAM: &str = "socket_token";

/// Opens the space WebSocket. A browser always sends `Origin` with a WebSocket, and the
/// origin must be cowork's own. A client without one (not a browser) still needs a
/// connection token, which only a page of the session can get. Neither the session
/// cookie nor the long-lived `lt` token is accepted here.
pub async fn space_socket(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ErrorResponse> {
    let expected_origin = state.config.public_url.origin().ascii_serialization();
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    if origin.is_some_and(|origin| origin != expected_origin) {
        tracing::warn!(
            space_id,
            ?origin,
            "WebSocket from a foreign origin rejected"
        );
        return Err(AppError::ForeignOrigin.respond(&headers));
    }
    let token = query.get(SOCKET_TOKEN_PARAM).map(String::as_str);
    let view = authenticate_socket(&state, token, space_id)
        .await
        .map_err(|error| error.respond(&headers))?;
    let participant = participant(space_id, view);
    let chat = state.chat.clone();
    Ok(upgrade
        .max_message_size(MAX_FRAME_BYTES)
        // The library's 128 KiB buffers per direction would make a class of 2,000
        // connections cost half a gigabyte; chat frames are small.
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            let _open = OpenConnection::open();
            let (sink, stream) = socket.split();
            run_connection(sink, stream, chat, participant).await;
        }))
}

/// Resolves the session named by a WebSocket connection token for `space_id`.
async fn authenticate_socket(
    state: &AppState,
    token: Option<&str>,
    space_id: i64,
) -> Result<SessionView, AppError> {
    let token = token
        .and_then(|token| state.session_key.verify_socket(token))
        .ok_or(AppError::NoSocketToken)?;
    if token.space_id != space_id {
        return Err(AppError::NoSocketToken);
    }
    if !state
        .store
        .spend_socket_token(&token.token_id, token.expires_at)
        .await?
    {
        tracing::warn!(
            space_id,
            "WebSocket connection token used a second time; rejected"
        );
        return Err(AppError::NoSocketToken);
    }
    let view = state
        .store
        .session(&token.session_id, unix_now())
        .await?
        .filter(|view| view.space_id == space_id)
        .ok_or(AppError::NoSession)?;
    language::note_locale(view.locale.as_deref());
    Ok(view)
}

/// Issues a WebSocket connection token (`POST /spaces/{space_id}/socket-token`). The
/// session token must come in the `X-Cowork-Token` header, so only a page of cowork that
/// has it can ask. The reply is JSON `{"token": ..., "expires_in": 60}`.
pub async fn socket_token(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok());
    let view = match token {
        Some(token) => authenticate(&state, &HeaderMap::new(), Some(token), space_id).await,
        None => Err(AppError::NoSession),
    }
    .map_err(|error| error.respond(&headers))?;
    let socket_token = state
        .session_key
        .issue_socket(&view.session_id, space_id, unix_now());
    Ok(Json(serde_json::json!({
        "token": socket_token,
        "expires_in": SOCKET_TOKEN_TTL_SECS,
    })))
}

/// Serves one connection until the client leaves or the socket fails.
pub async fn run_connection<S, R, E>(sink: S, stream: R, chat: Chat, who: Participant)
where
    S: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send,
{
    let _tracked = chat.hub.track_connection();
    let stopping = chat.hub.stopping();
    let events = chat.hub.subscribe(who.space_id);
    let current_room = Arc::new(AtomicI64::new(NO_ROOM));
    let (outgoing, queue) = mpsc::channel::<Utf8Bytes>(OUTGOING_QUEUE);
    let (room_switch, switches) = mpsc::channel(ROOM_SWITCH_QUEUE);
    let mut writer = tokio::spawn(write_loop(
        sink,
        queue,
        events,
        switches,
        who.is_moderator(),
        stopping.clone(),
    ));

    let mut connection = Connection {
        chat,
        who,
        current_room,
        outgoing,
        room_switch,
        visit_id: None,
        status: "available".into(),
    };
    connection.open().await;
    connection.read_loop(stream, stopping).await;
    connection.close().await;
    // The write loop ends by itself after sending a closing frame; otherwise it is stopped.
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
}

/// Completes when the instance starts to stop.
async fn stopped(mut stopping: watch::Receiver<bool>) {
    // An error means the hub is gone, which also ends the connection.
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Waits for the next event of the room the connection is in; never completes outside
/// a room.
async fn next_room_event(
    room: &mut Option<broadcast::Receiver<Arc<Event>>>,
) -> Result<Arc<Event>, broadcast::error::RecvError> {
    match room {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// Sends replies to requests, space-wide events and the events of the current room to the
/// client. A room switch replaces the room subscription. The read side subscribes before
/// it loads the room's history, so no event falls between the two.
async fn write_loop<S>(
    mut sink: S,
    mut queue: mpsc::Receiver<Utf8Bytes>,
    mut events: broadcast::Receiver<Arc<Event>>,
    mut switches: mpsc::Receiver<broadcast::Receiver<Arc<Event>>>,
    moderator: bool,
    stopping: watch::Receiver<bool>,
) where
    S: Sink<Message> + Unpin,
{
    let mut room = None;
    let stop = stopped(stopping);
    tokio::pin!(stop);
    loop {
        let event = tokio::select! {
            () = &mut stop => {
                let frame = CloseFrame {
                    code: close_code::RESTART,
                    reason: Utf8Bytes::from_static("the server is restarting; reconnect"),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            },
            answer = queue.recv() => match answer {
                Some(text) => Ok(text),
                None => break,
            },
            switch = switches.recv() => match switch {
                Some(receiver) => {
                    room = Some(receiver);
                    continue;
                }
                None => break,
            },
            event = events.recv() => Err(event),
            event = next_room_event(&mut room) => Err(event),
        };
        let text = match event {
            Ok(text) => text,
            Err(Ok(event)) => match (&event.moderator_payload, moderator) {
                (Some(payload), true) => payload.clone(),
                _ => event.payload.clone(),
            },
            Err(Err(broadcast::error::RecvError::Lagged(skipped))) => {
                tracing::debug!(skipped, "WebSocket client lagged; asking it to resync");
                ServerMessage::Resync.to_json().into()
            }
            Err(Err(broadcast::error::RecvError::Closed)) => break,
        };
        if sink.send(Message::Text(text)).await.is_err() {
            break;
        }
    }
}

struct Connection {
    chat: Chat,
    who: Participant,
    current_room: Arc<AtomicI64>,
    outgoing: mpsc::Sender<Utf8Bytes>,
    /// Hands the write loop the subscription of a newly joined room.
    room_switch: mpsc::Sender<broadcast::Receiver<Arc<Event>>>,
    visit_id: Option<i64>,
    status: String,
}

impl Connection {
    async fn send(&self, message: ServerMessage<'_>) {
        let _ = self.outgoing.send(message.to_json().into()).await;
    }

    async fn error(&self, error: &ChatError) {
        self.error_for(error, None).await;
    }

    async fn error_for(&self, error: &ChatError, client_ref: Option<&str>) {
        if let ChatError::Storage(cause) = error {
            tracing::error!(space_id = self.who.space_id, error = %cause, "chat storage error");
        }
        let text = Tr::new(self.who.lang).message(&error.message());
        self.send(ServerMessage::Error {
            code: error.code(),
            message: &text,
            client_ref,
        })
        .await;
    }

    async fn open(&mut self) {
        let store = &self.chat.store;
        let rooms = match store.rooms(self.who.space_id, false).await {
            Ok(rooms) => rooms,
            Err(error) => return self.error(&ChatError::Storage(error)).await,
        };
        if let Some(user_id) = self.who.user_id {
            let entry = self.presence_entry(user_id, None);
            if self
                .chat
                .connect_presence(self.who.space_id, entry.clone())
                .await
            {
                self.publish_presence(entry, true);
            }
        }
        let mut online = self.chat.online(self.who.space_id).await;
        // The hello carries the first people online and presence events the rest, so no
        // frame is large (see PRESENCE_FRAME_ENTRIES).
        let rest = online.split_off(online.len().min(PRESENCE_FRAME_ENTRIES));
        let edit_window_secs = match store.space_settings(self.who.space_id).await {
            Ok(settings) => settings.edit_window_secs,
            Err(error) => return self.error(&ChatError::Storage(error)).await,
        };
        self.send(ServerMessage::Hello {
            user_id: self.who.user_id,
            role: self.who.role.as_str(),
            edit_window_secs,
            rooms: &rooms,
            online: &online,
        })
        .await;
        let rest: Vec<PresenceChange> = rest
            .into_iter()
            .map(|entry| PresenceChange {
                entry,
                online: true,
            })
            .collect();
        for part in rest.chunks(PRESENCE_FRAME_ENTRIES) {
            self.send(ServerMessage::Presence { changes: part }).await;
        }
    }

    async fn close(&mut self) {
        let now = unix_now();
        if let Some(visit_id) = self.visit_id.take() {
            if let Err(error) = self.chat.store.end_visit(visit_id, now).await {
                tracing::warn!(%error, visit_id, "recording the end of a room visit failed");
            }
        }
        let Some(user_id) = self.who.user_id else {
            return;
        };
        let room = self.current_room.load(Ordering::Acquire);
        let room = (room != NO_ROOM).then_some(room);
        if let Err(error) = self
            .chat
            .store
            .set_presence(self.who.space_id, user_id, room, &self.status, now)
            .await
        {
            tracing::warn!(%error, user_id, "recording last seen time failed");
        }
        if self
            .chat
            .disconnect_presence(self.who.space_id, user_id)
            .await
        {
            let entry = self.presence_entry(user_id, room);
            self.publish_presence(entry, false);
        }
    }

    fn presence_entry(&self, user_id: i64, room_id: Option<i64>) -> PresenceEntry {
        PresenceEntry {
            user_id,
            name: self.who.name.clone(),
            role: self.who.role.as_str().to_string(),
            room_id,
            status: self.status.clone(),
        }
    }

    fn publish_presence(&self, entry: PresenceEntry, online: bool) {
        let change = PresenceChange { entry, online };
        self.chat.hub.queue_presence(self.who.space_id, change);
    }

    /// Handles the client's frames until it closes, or until the instance stops. Then
    /// it waits up to [`CLOSE_GRACE`] for the client's reply to the closing frame.
    async fn read_loop<R, E>(&mut self, mut stream: R, stopping: watch::Receiver<bool>)
    where
        R: Stream<Item = Result<Message, E>> + Unpin,
    {
        let stop = stopped(stopping);
        tokio::pin!(stop);
        loop {
            let next = tokio::select! {
                next = stream.next() => next,
                () = &mut stop => {
                    let answered = async {
                        while let Some(Ok(frame)) = stream.next().await {
                            if matches!(frame, Message::Close(_)) {
                                break;
                            }
                        }
                    };
                    let _ = tokio::time::timeout(CLOSE_GRACE, answered).await;
                    break;
                },
            };
            let Some(Ok(frame)) = next else {
                break;
            };
            let text = match frame {
                Message::Text(text) => text,
                Message::Close(_) => break,
                _ => continue,
            };
            match serde_json::from_str::<ClientMessage>(text.as_str()) {
                Ok(message) => self.handle(message).await,
                Err(error) => {
                    let detail = Msg::new("error-chat-frame-json").arg("reason", error.to_string());
                    self.error(&ChatError::Invalid(detail)).await;
                }
            }
        }
    }

    async fn handle(&mut self, message: ClientMessage) {
        let now = unix_now();
        let failed_ref = match &message {
            ClientMessage::Send { client_ref, .. } => client_ref.clone(),
            _ => None,
        };
        let writes = !matches!(
            message,
            ClientMessage::Join { .. }
                | ClientMessage::History { .. }
                | ClientMessage::Status { .. }
                | ClientMessage::Ping
        );
        if writes {
            let key = writer_key(self.who.space_id, self.who.user_id, "");
            if let Err(retry_after_secs) = self.chat.rate_limits.writes.check(&key) {
                let error = ChatError::RateLimited(retry_after_secs);
                self.error_for(&error, failed_ref.as_deref()).await;
                return;
            }
        }
        let result = match message {
            ClientMessage::Join { room_id, since_rev } => self.join(room_id, since_rev, now).await,
            ClientMessage::History {
                room_id,
                before_seq,
            } => self.history(room_id, before_seq).await,
            ClientMessage::Status { status } => self.set_status(status, now).await,
            ClientMessage::Ping => {
                self.send(ServerMessage::Pong).await;
                Ok(())
            }
            ClientMessage::Send {
                room_id,
                body,
                parent_id,
                stance,
                mentions,
                client_ref,
            } => {
                let draft = Draft {
                    room_id,
                    body,
                    parent_id,
                    stance,
                    mentions,
                };
                match self.chat.post(&self.who, draft, now).await {
                    Ok(stored) => {
                        self.ack(client_ref.as_deref(), stored.id).await;
                        Ok(())
                    }
                    Err(error) => Err(error),
                }
            }
            ClientMessage::Edit { message_id, body } => {
                let result = self.chat.edit(&self.who, message_id, body, now).await;
                self.ack_result(result).await
            }
            ClientMessage::Delete { message_id } => {
                let result = self.chat.delete(&self.who, message_id, now).await;
                self.ack_result(result).await
            }
            ClientMessage::React {
                message_id,
                emoji,
                on,
            } => {
                let result = self
                    .chat
                    .react(&self.who, message_id, &emoji, on, now)
                    .await;
                self.ack_result(result).await
            }
            ClientMessage::Pin { message_id, on } => {
                let action = if on {
                    Moderation::Pin
                } else {
                    Moderation::Unpin
                };
                let result = self.chat.set_flag(&self.who, message_id, action, now).await;
                self.ack_result(result).await
            }
            ClientMessage::Hide { message_id, on } => {
                let action = if on {
                    Moderation::Hide
                } else {
                    Moderation::Unhide
                };
                let result = self.chat.set_flag(&self.who, message_id, action, now).await;
                self.ack_result(result).await
            }
        };
        if let Err(error) = result {
            self.error_for(&error, failed_ref.as_deref()).await;
        }
    }

    async fn ack(&self, client_ref: Option<&str>, message_id: i64) {
        self.send(ServerMessage::Ack {
            client_ref,
            message_id,
        })
        .await;
    }

    async fn ack_result(
        &self,
        result: Result<crate::store::chat::StoredMessage, ChatError>,
    ) -> Result<(), ChatError> {
        let stored = result?;
        self.ack(None, stored.id).await;
        Ok(())
    }

    fn view(&self, message: &crate::store::chat::StoredMessage) -> MessageView {
        if self.who.is_moderator() {
            MessageView::moderator(message)
        } else {
            MessageView::public(message)
        }
    }

    async fn join(
        &mut self,
        room_id: i64,
        since_rev: Option<i64>,
        now: i64,
    ) -> Result<(), ChatError> {
        let store = self.chat.store.clone();
        store
            .room(self.who.space_id, room_id)
            .await?
            .filter(|room| room.archived_at.is_none())
            .ok_or(ChatError::NotFound(Msg::new("error-chat-no-open-room")))?;

        // Subscribe before reading history: an event published meanwhile then arrives
        // twice rather than never, and clients keep the copy with the higher revision.
        let previous = self.current_room.swap(room_id, Ordering::AcqRel);
        if previous != room_id {
            let receiver = self.chat.hub.subscribe_room(self.who.space_id, room_id);
            let _ = self.room_switch.send(receiver).await;
        }
        if let Some(user_id) = self.who.user_id {
            if previous != room_id {
                if let Some(visit_id) = self.visit_id.take() {
                    store.end_visit(visit_id, now).await?;
                }
                self.visit_id = Some(
                    store
                        .start_visit(self.who.space_id, room_id, user_id, now)
                        .await?,
                );
                store
                    .set_presence(self.who.space_id, user_id, Some(room_id), &self.status, now)
                    .await?;
                if let Some(entry) = self
                    .chat
                    .update_presence(self.who.space_id, user_id, |entry| {
                        entry.room_id = Some(room_id)
                    })
                    .await
                {
                    self.publish_presence(entry, true);
                }
            }
        }

        let (messages, since, more_before, more_after) = match since_rev {
            Some(rev) => {
                let changes = store.messages_since(room_id, rev, RESUME_LIMIT).await?;
                let full = changes.len() as i64 == RESUME_LIMIT;
                (changes, true, false, full)
            }
            None => {
                let page = store
                    .messages_before(room_id, i64::MAX, HISTORY_PAGE)
                    .await?;
                let full = page.len() as i64 == HISTORY_PAGE;
                (page, false, full, false)
            }
        };
        let messages = messages.iter().map(|m| self.view(m)).collect();
        self.send(ServerMessage::History {
            room_id,
            since,
            messages,
            more_before,
            more_after,
        })
        .await;
        Ok(())
    }

    async fn history(&self, room_id: i64, before_seq: i64) -> Result<(), ChatError> {
        let store = &self.chat.store;
        store
            .room(self.who.space_id, room_id)
            .await?
            .ok_or(ChatError::NotFound(Msg::new("error-chat-no-room")))?;
        let page = store
            .messages_before(room_id, before_seq, HISTORY_PAGE)
            .await?;
        let more_before = page.len() as i64 == HISTORY_PAGE;
        self.send(ServerMessage::History {
            room_id,
            since: false,
            messages: page.iter().map(|m| self.view(m)).collect(),
            more_before,
            more_after: false,
        })
        .await;
        Ok(())
    }

    async fn set_status(&mut self, status: String, now: i64) -> Result<(), ChatError> {
        if !STATUSES.contains(&status.as_str()) {
            return Err(ChatError::Invalid(
                Msg::new("error-chat-status")
                    .arg("status", format!("{status:?}"))
                    .arg("statuses", format!("{STATUSES:?}")),
            ));
        }
        let Some(user_id) = self.who.user_id else {
            return Err(ChatError::Forbidden(Msg::new(
                "error-chat-anonymous-presence",
            )));
        };
        self.status = status.clone();
        let room = self.current_room.load(Ordering::Acquire);
        let room = (room != NO_ROOM).then_some(room);
        self.chat
            .store
            .set_presence(self.who.space_id, user_id, room, &status, now)
            .await?;
        if let Some(entry) = self
            .chat
            .update_presence(self.who.space_id, user_id, |entry| entry.status = status)
            .await
        {
            self.publish_presence(entry, true);
        }
        Ok(())
    }
}
