//! The teacher-only roster page of a space: every course member the platform lists,
//! with role, enrolment status and engagement, including members who never opened the
//! space. Teachers refresh it from the platform's membership service.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Tr;
use crate::lti::claims::SpaceRole;
use crate::roster::{self, RefreshError};
use crate::session::TOKEN_PARAM;
use crate::store::roster::RosterEntry;
use crate::web::rooms::{participant, writer};
use crate::web::space::authenticate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/roster", get(roster_page))
        .route("/spaces/{space_id}/roster/refresh", post(refresh))
}

struct RosterLine {
    name: String,
    role: String,
    status: String,
    inactive: bool,
    last_seen: String,
    contributions: i64,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    tr: Tr,
    space_id: i64,
    token: String,
    lines: Vec<RosterLine>,
    /// When the roster was last read, or why that failed; empty before the first refresh.
    sync_note: String,
    has_source: bool,
    strings: String,
}

fn require_teacher(participant: &Participant) -> Result<(), AppError> {
    if participant.is_moderator() {
        Ok(())
    } else {
        Err(AppError::forbidden("error-roster-teachers-only"))
    }
}

async fn roster_page(
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
        require_teacher(&participant(space_id, view))?;

        let source = state.store.roster_source(space_id).await?;
        let sync_note = match &source {
            Some(source) => match (&source.sync_error, source.synced_at) {
                (Some(error), _) => tr.t1("roster-sync-failed", "reason", error.as_str()),
                (None, Some(at)) => tr.t1("roster-synced-at", "time", format_time(at)),
                (None, None) => tr.t("roster-never-synced"),
            },
            None => tr.t("roster-no-service"),
        };
        let lines = state
            .store
            .roster(space_id)
            .await?
            .into_iter()
            .map(|entry| line(&tr, entry))
            .collect();
        let page = RosterPage {
            space_id,
            token,
            lines,
            sync_note,
            has_source: source.is_some(),
            strings: tr.script_strings(),
            tr,
        };
        page.render()
            .map(Html)
            .map_err(|error| AppError::Internal(format!("roster page failed to render: {error}")))
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn line(tr: &Tr, entry: RosterEntry) -> RosterLine {
    // The same mapping as launches, so a member's role reads the same here and in the space.
    let roles: Vec<String> = entry.roles.split_whitespace().map(str::to_string).collect();
    let role_key = match SpaceRole::from_lti_roles(&roles) {
        SpaceRole::Admin | SpaceRole::Teacher => "roster-role-teacher",
        SpaceRole::Student => "roster-role-student",
        SpaceRole::Guest => "roster-role-other",
    };
    RosterLine {
        name: entry.name.unwrap_or_else(|| tr.t("space-unnamed")),
        role: tr.t(role_key),
        status: tr.t(&format!(
            "roster-status-{}",
            entry.status.to_ascii_lowercase()
        )),
        inactive: entry.status != "Active",
        last_seen: entry
            .last_seen_at
            .map(format_time)
            .unwrap_or_else(|| tr.t("roster-never")),
        contributions: entry.contributions,
    }
}

fn format_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

async fn refresh(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        let participant = writer(&state, &headers, space_id).await?;
        require_teacher(&participant)?;
        match roster::refresh(&state, space_id).await {
            Ok(count) => Ok(Json(json!({ "members": count }))),
            Err(RefreshError::NoSource) => Err(AppError::invalid("error-roster-no-source")),
            Err(RefreshError::Platform(reason)) => Err(AppError::RosterFailed(reason)),
            Err(RefreshError::Storage(error)) => Err(AppError::Storage(error)),
        }
    };
    run.await.map_err(|error| error.respond(&headers))
}
