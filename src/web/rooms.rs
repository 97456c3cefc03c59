//! Room management over HTTP: team tables and discussion rooms, their order and archive,
//! team membership, space settings, mutes and the audit log.
//!
//! Every state-changing request must carry the session token in the `X-Cowork-Token`
//! header. The session cookie alone is not enough, because it is `SameSite=None` and a
//! page of another site could make a browser send it.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::AppState;
use crate::chat::hub::Event;
use crate::chat::protocol::ServerMessage;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Lang, Msg};
use crate::lti::claims::SpaceRole;
use crate::rate_limit::writer_key;
use crate::session::TOKEN_PARAM;
use crate::store::chat::{NewRoom, Room, RoomChange, SpaceSettings};
use crate::unix_now;
use crate::web::help::length_outside;
use crate::web::space::authenticate;

/// The header that carries the session token on state-changing requests.
pub const TOKEN_HEADER: &str = "x-cowork-token";
const MAX_NAME_CHARS: usize = 80;
const MAX_TOPIC_CHARS: usize = 500;
const MAX_POSITIONS: usize = 6;
/// Maximum mute a teacher can set, in minutes (one week).
const MAX_MUTE_MINUTES: i64 = 7 * 24 * 60;

/// Authenticates a write and takes it from the person's write budget. The token must
/// come in [`TOKEN_HEADER`]: a page of another site can make the browser send cowork's
/// cookie with a form, but cannot add a header, so the cookie alone never authorizes a
/// write.
pub async fn writer(
    state: &AppState,
    headers: &HeaderMap,
    space_id: i64,
) -> Result<Participant, AppError> {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or(AppError::NoSession)?;
    let view = write_session(state, token, space_id).await?;
    Ok(participant(space_id, view))
}

/// Resolves the session of a write from its explicit token (never the cookie) and
/// checks the person's write rate.
pub async fn write_session(
    state: &AppState,
    token: &str,
    space_id: i64,
) -> Result<crate::store::SessionView, AppError> {
    let view = authenticate(state, &HeaderMap::new(), Some(token), space_id).await?;
    let key = writer_key(space_id, view.user_id, &view.session_id);
    state.rate_limits.check_write(&key)?;
    Ok(view)
}

/// Authenticates a read: the token may come in the header, the `lt` parameter or the cookie.
pub async fn reader(
    state: &AppState,
    headers: &HeaderMap,
    query: &std::collections::HashMap<String, String>,
    space_id: i64,
) -> Result<Participant, AppError> {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .or(query.get(TOKEN_PARAM).map(String::as_str));
    let view = authenticate(state, headers, token, space_id).await?;
    Ok(participant(space_id, view))
}

pub fn participant(space_id: i64, view: crate::store::SessionView) -> Participant {
    Participant {
        space_id,
        user_id: view.user_id,
        role: SpaceRole::parse(&view.role),
        name: view
            .user_name
            .unwrap_or_else(|| "Unnamed participant".into()),
        lang: Lang::from_locale(view.locale.as_deref()),
    }
}

fn require_moderator(who: &Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-teachers-only")),
    }
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| AppError::bad_json(&rejection))
}

/// A room with its team members, as the room list shows it.
#[derive(Debug, Serialize)]
pub struct RoomView {
    #[serde(flatten)]
    pub room: Room,
    pub member_ids: Vec<i64>,
}

pub async fn list_rooms(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        let rooms = state.store.rooms(space_id, who.is_moderator()).await?;
        let mut views = Vec::with_capacity(rooms.len());
        for room in rooms {
            let member_ids = state.store.room_member_ids(room.id).await?;
            views.push(RoomView { room, member_ids });
        }
        Ok::<_, AppError>(Json(json!({ "rooms": views })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub positions: Vec<String>,
}

pub async fn create_room(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<CreateRoom>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let request = body(payload)?;
        let user_id = who
            .user_id
            .ok_or(AppError::forbidden("error-rooms-anonymous-create"))?;
        if !who.is_moderator()
            && !state
                .store
                .space_settings(space_id)
                .await?
                .students_create_rooms
        {
            return Err(AppError::forbidden("error-rooms-teachers-create"));
        }
        let room = NewRoom {
            space_id,
            kind: check_kind(&request.kind)?,
            name: check_text("name", &request.name, 1, MAX_NAME_CHARS)?,
            topic: request
                .topic
                .as_deref()
                .map(|topic| check_text("topic", topic, 0, MAX_TOPIC_CHARS))
                .transpose()?,
            positions: check_positions(&request.kind, &request.positions)?,
            created_by: user_id,
        };
        let now = unix_now();
        let created = state.store.create_room(&room, now).await?;
        if created.kind == "team" {
            state.store.join_room(created.id, user_id, now).await?;
        }
        if who.is_moderator() {
            state
                .store
                .audit(
                    space_id,
                    user_id,
                    "room.create",
                    &format!("room {}", created.id),
                    now,
                )
                .await?;
        }
        publish_rooms(&state, space_id).await?;
        Ok((StatusCode::CREATED, Json(created)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoom {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub position: Option<i64>,
    #[serde(default)]
    pub archived: Option<bool>,
}

pub async fn change_room(
    State(state): State<AppState>,
    Path((space_id, room_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<ChangeRoom>, JsonRejection>,
) -> Result<Json<Room>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let request = body(payload)?;
        let existing = state
            .store
            .room(space_id, room_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if existing.default_key.is_some() && request.archived == Some(true) {
            return Err(AppError::invalid("error-rooms-default-archive"));
        }
        let change = RoomChange {
            name: request
                .name
                .as_deref()
                .map(|name| check_text("name", name, 1, MAX_NAME_CHARS))
                .transpose()?,
            topic: request
                .topic
                .as_deref()
                .map(|topic| check_text("topic", topic, 0, MAX_TOPIC_CHARS))
                .transpose()?,
            position: request.position,
            archived: request.archived,
        };
        let now = unix_now();
        let room = state
            .store
            .change_room(space_id, room_id, &change, now)
            .await?
            .ok_or(AppError::NotFound)?;
        let action = match request.archived {
            Some(true) => "room.archive",
            Some(false) => "room.restore",
            None => "room.change",
        };
        state
            .store
            .audit(space_id, actor, action, &format!("room {room_id}"), now)
            .await?;
        publish_rooms(&state, space_id).await?;
        Ok::<_, AppError>(Json(room))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub member: bool,
}

/// Joins or leaves a team table.
pub async fn set_membership(
    State(state): State<AppState>,
    Path((space_id, room_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<Membership>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let request = body(payload)?;
        let user_id = who
            .user_id
            .ok_or(AppError::forbidden("error-rooms-anonymous-join"))?;
        let room = state
            .store
            .room(space_id, room_id)
            .await?
            .filter(|room| room.archived_at.is_none())
            .ok_or(AppError::NotFound)?;
        if room.kind != "team" {
            return Err(AppError::invalid("error-rooms-members-team-only"));
        }
        if request.member {
            state.store.join_room(room_id, user_id, unix_now()).await?;
        } else {
            state.store.leave_room(room_id, user_id).await?;
        }
        publish_rooms(&state, space_id).await?;
        let member_ids = state.store.room_member_ids(room_id).await?;
        Ok::<_, AppError>(Json(
            json!({ "room_id": room_id, "member_ids": member_ids }),
        ))
    };
    run.await.map_err(|error| error.respond(&headers))
}

pub async fn change_settings(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<SpaceSettingsForm>, JsonRejection>,
) -> Result<Json<SpaceSettings>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let request = body(payload)?;
        let mut settings = state.store.space_settings(space_id).await?;
        if let Some(allowed) = request.students_create_rooms {
            settings.students_create_rooms = allowed;
        }
        if let Some(window) = request.edit_window_secs {
            if !(0..=86_400).contains(&window) {
                return Err(AppError::invalid(
                    Msg::new("error-rooms-edit-window").arg("seconds", window),
                ));
            }
            settings.edit_window_secs = window;
        }
        if let Some(days) = request.retention_days {
            if !(0..=crate::config::MAX_RETENTION_DAYS).contains(&days) {
                return Err(AppError::invalid(
                    Msg::new("error-rooms-retention-days")
                        .arg("days", days)
                        .arg("max", crate::config::MAX_RETENTION_DAYS),
                ));
            }
            settings.retention_days = (days > 0).then_some(days);
        }
        state.store.set_space_settings(space_id, &settings).await?;
        state
            .store
            .audit(
                space_id,
                actor,
                "settings.change",
                &serde_json::to_string(&settings).unwrap_or_default(),
                unix_now(),
            )
            .await?;
        Ok::<_, AppError>(Json(settings))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceSettingsForm {
    #[serde(default)]
    pub students_create_rooms: Option<bool>,
    #[serde(default)]
    pub edit_window_secs: Option<i64>,
    /// Days after which content is cleared; 0 removes the space's own period.
    #[serde(default)]
    pub retention_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuteForm {
    pub user_id: i64,
    /// Minutes from now; 0 lifts the mute.
    pub minutes: i64,
}

pub async fn mute(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<MuteForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let request = body(payload)?;
        if !(0..=MAX_MUTE_MINUTES).contains(&request.minutes) {
            return Err(AppError::invalid(
                Msg::new("error-rooms-mute-minutes")
                    .arg("minutes", request.minutes)
                    .arg("max", MAX_MUTE_MINUTES),
            ));
        }
        if !state.store.is_member(space_id, request.user_id).await? {
            return Err(AppError::NotFound);
        }
        let now = unix_now();
        let target = format!("user {}", request.user_id);
        let muted_until = if request.minutes == 0 {
            state.store.unmute(space_id, request.user_id).await?;
            state
                .store
                .audit(space_id, actor, "participant.unmute", &target, now)
                .await?;
            None
        } else {
            let until = now + request.minutes * 60;
            state
                .store
                .mute(space_id, request.user_id, until, actor, now)
                .await?;
            state
                .store
                .audit(space_id, actor, "participant.mute", &target, now)
                .await?;
            Some(until)
        };
        Ok::<_, AppError>(Json(
            json!({ "user_id": request.user_id, "muted_until": muted_until }),
        ))
    };
    run.await.map_err(|error| error.respond(&headers))
}

pub async fn audit_log(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        require_moderator(&who)?;
        let entries = state.store.audit_entries(space_id, 200).await?;
        Ok::<_, AppError>(Json(json!({ "entries": entries })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Tells every connection of the space the current list of open rooms.
async fn publish_rooms(state: &AppState, space_id: i64) -> Result<(), AppError> {
    let rooms = state.store.rooms(space_id, false).await?;
    let payload = ServerMessage::Rooms { rooms: &rooms }.to_json().into();
    state.chat.hub.publish(
        space_id,
        Event {
            room_id: None,
            payload,
            moderator_payload: None,
        },
    );
    Ok(())
}

fn check_kind(kind: &str) -> Result<String, AppError> {
    match kind {
        "team" | "discussion" => Ok(kind.to_string()),
        other => Err(AppError::invalid(
            Msg::new("error-rooms-kind").arg("kind", format!("{other:?}")),
        )),
    }
}

fn check_text(name: &str, value: &str, min: usize, max: usize) -> Result<String, AppError> {
    if value.contains('\0') {
        return Err(AppError::invalid(
            Msg::new("error-field-nul").arg("field", name),
        ));
    }
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length < min || length > max {
        return Err(length_outside(name, min, max, length));
    }
    Ok(trimmed.to_string())
}

/// Discussion rooms need two to six positions; other rooms have none.
fn check_positions(kind: &str, positions: &[String]) -> Result<Option<String>, AppError> {
    if kind != "discussion" {
        if positions.is_empty() {
            return Ok(None);
        }
        return Err(AppError::invalid("error-rooms-positions-discussion-only"));
    }
    if !(2..=MAX_POSITIONS).contains(&positions.len()) {
        return Err(AppError::invalid(
            Msg::new("error-rooms-positions-count")
                .arg("max", MAX_POSITIONS)
                .arg("count", positions.len()),
        ));
    }
    let mut cleaned = Vec::new();
    for position in positions {
        let position = check_text("position", position, 1, 60)?;
        if position.contains('\n') || cleaned.contains(&position) {
            return Err(AppError::invalid(
                Msg::new("error-rooms-position-repeated").arg("position", format!("{position:?}")),
            ));
        }
        cleaned.push(position);
    }
    Ok(Some(cleaned.join("\n")))
}
