//! The page where people manage the rooms of a space: everyone joins and leaves team
//! tables and, when allowed, creates rooms; teachers also rename, order and archive
//! rooms, change the space settings, mute participants and read the audit log.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Tr;
use crate::session::TOKEN_PARAM;
use crate::web::rooms::participant;
use crate::web::space::authenticate;

pub fn router() -> Router<AppState> {
    Router::new().route("/spaces/{space_id}/manage", get(manage_page))
}

struct RoomLine {
    id: i64,
    name: String,
    kind_label: String,
    member_count: usize,
    team: bool,
    joined: bool,
    archived: bool,
    /// The open space and the quiet zone, which cannot be renamed or archived.
    fixed: bool,
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    tr: Tr,
    space_id: i64,
    token: String,
    moderator: bool,
    can_create: bool,
    rooms: Vec<RoomLine>,
    students_create_rooms: bool,
    edit_window_minutes: i64,
    /// The space's own retention period in days; 0 when it has none.
    retention_days: i64,
    members: Vec<(i64, String)>,
    /// Time, actor name, action and target of recent teacher actions.
    audit: Vec<(i64, String, String, String)>,
    strings: String,
}

async fn manage_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Html<String>, ErrorResponse> {
    let run = async {
        let token = query.get(TOKEN_PARAM).map(String::as_str);
        let view = authenticate(&state, &headers, token, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let token = state
            .session_key
            .issue(&view.session_id, space_id, view.expires_at);
        let who = participant(space_id, view);
        let moderator = who.is_moderator();
        let settings = state.store.space_settings(space_id).await?;

        let mut rooms = Vec::new();
        for room in state.store.rooms(space_id, moderator).await? {
            let members = state.store.room_member_ids(room.id).await?;
            rooms.push(RoomLine {
                id: room.id,
                kind_label: tr.t(&format!("manage-kind-{}", room.kind)),
                member_count: members.len(),
                team: room.kind == "team",
                joined: who.user_id.is_some_and(|id| members.contains(&id)),
                archived: room.archived_at.is_some(),
                fixed: room.default_key.is_some(),
                name: room.name,
            });
        }
        let people = state.store.recent_members(space_id, 0, 5000).await?;
        let names: HashMap<i64, String> = people
            .iter()
            .map(|m| {
                (
                    m.user_id,
                    m.name.clone().unwrap_or_else(|| tr.t("space-unnamed")),
                )
            })
            .collect();
        let audit = if moderator {
            state
                .store
                .audit_entries(space_id, 100)
                .await?
                .into_iter()
                .map(|entry| {
                    let actor = names.get(&entry.actor_id).cloned().unwrap_or_default();
                    (entry.created_at, actor, entry.action, entry.target)
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut members: Vec<(i64, String)> = people
            .iter()
            .filter(|m| m.role == "student" || m.role == "guest")
            .map(|m| (m.user_id, names[&m.user_id].clone()))
            .collect();
        members.sort_by(|a, b| a.1.cmp(&b.1));

        let page = ManagePage {
            tr,
            space_id,
            token,
            moderator,
            can_create: who.user_id.is_some() && (moderator || settings.students_create_rooms),
            rooms,
            students_create_rooms: settings.students_create_rooms,
            edit_window_minutes: settings.edit_window_secs / 60,
            retention_days: settings.retention_days.unwrap_or(0),
            members,
            audit,
            strings: tr.script_strings(),
        };
        page.render()
            .map(Html)
            .map_err(|error| AppError::Internal(format!("manage page failed to render: {error}")))
    };
    run.await.map_err(|error| error.respond(&headers))
}
