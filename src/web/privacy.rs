//! The teacher's privacy page of a space: the export and the erasure of one person's
//! data in this space, as a page and as JSON.
//!
//! Only teachers and admins of the space may use it, only for people of the same space,
//! and never to erase another teacher or admin (an administrator does that with
//! `cowork privacy erase`). Erasure is a write, so it takes the session token in the
//! `X-Cowork-Token` header only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Tr;
use crate::lti::claims::SpaceRole;
use crate::session::TOKEN_PARAM;
use crate::store::privacy::Person;
use crate::store::Member;
use crate::unix_now;
use crate::web::rooms::{participant, reader, writer};
use crate::web::space::authenticate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/privacy", get(privacy_page))
        .route(
            "/spaces/{space_id}/privacy/people/{user_id}/export",
            get(export_person),
        )
        .route(
            "/spaces/{space_id}/privacy/people/{user_id}/erase",
            post(erase_person),
        )
}

/// Upper bound on the people listed, far above any course.
const MAX_LISTED: i64 = 5000;

struct PersonLine {
    user_id: i64,
    name: String,
    role: String,
    /// False for teachers and admins, whom only an administrator can erase.
    erasable: bool,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    tr: Tr,
    space_id: i64,
    token: String,
    people: Vec<PersonLine>,
    retention: String,
    strings: String,
}

fn require_moderator(who: &Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-teachers-only")),
    }
}

/// Returns the member `user_id` of the space and the person behind it. An id of
/// another space or of an erased placeholder is not found.
async fn member_of_space(
    state: &AppState,
    space_id: i64,
    user_id: i64,
) -> Result<(Member, Person), AppError> {
    let member = state
        .store
        .recent_members(space_id, 0, MAX_LISTED)
        .await?
        .into_iter()
        .find(|member| member.user_id == user_id)
        .ok_or(AppError::NotFound)?;
    let person = state
        .store
        .person(user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((member, person))
}

async fn privacy_page(
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
        let own_id = require_moderator(&who)?;
        let mut people = Vec::new();
        for member in state.store.recent_members(space_id, 0, MAX_LISTED).await? {
            let Some(person) = state.store.person(member.user_id).await? else {
                continue;
            };
            let role = SpaceRole::parse(&member.role);
            people.push(PersonLine {
                user_id: member.user_id,
                name: person.name.unwrap_or_else(|| tr.t("space-unnamed")),
                erasable: member.user_id != own_id
                    && !matches!(role, SpaceRole::Teacher | SpaceRole::Admin),
                role: member.role,
            });
        }
        people.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        let settings = state.store.space_settings(space_id).await?;
        let retention = match (settings.retention_days, state.config.retention_days) {
            (Some(days), _) => tr.t1("privacy-retention-space", "days", days),
            (None, Some(days)) => tr.t1("privacy-retention-default", "days", days),
            (None, None) => tr.t("privacy-retention-none"),
        };
        let page = PrivacyPage {
            tr,
            space_id,
            token,
            people,
            retention,
            strings: tr.script_strings(),
        };
        page.render()
            .map(Html)
            .map_err(|error| AppError::Internal(format!("privacy page failed to render: {error}")))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn export_person(
    State(state): State<AppState>,
    Path((space_id, user_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        require_moderator(&who)?;
        let (_, person) = member_of_space(&state, space_id, user_id).await?;
        // The upload directory's path stays on the server; the export names each file's
        // key in it instead.
        let document = crate::privacy::export(
            state.store.as_ref(),
            None,
            &person,
            Some(space_id),
            unix_now(),
        )
        .await?;
        let disposition =
            format!("attachment; filename=\"cowork-space-{space_id}-person-{user_id}.json\"");
        let mut response = Json(document).into_response();
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
        Ok::<_, AppError>(response)
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseForm {
    /// Must be true: the erasure cannot be undone.
    pub confirm: bool,
}

async fn erase_person(
    State(state): State<AppState>,
    Path((space_id, user_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<EraseForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        // The person is looked up first, so an id from another space gets a 404 whatever
        // the body holds.
        let (member, person) = member_of_space(&state, space_id, user_id).await?;
        if user_id == actor
            || matches!(
                SpaceRole::parse(&member.role),
                SpaceRole::Teacher | SpaceRole::Admin
            )
        {
            return Err(AppError::forbidden("error-privacy-erase-teacher"));
        }
        let Json(form) = payload.map_err(|rejection| AppError::bad_json(&rejection))?;
        if !form.confirm {
            return Err(AppError::invalid("error-privacy-confirm"));
        }
        let erased = crate::privacy::erase(
            state.store.as_ref(),
            state.config.upload_dir.as_deref(),
            &person,
            Some(space_id),
            Some(actor),
            unix_now(),
        )
        .await?;
        // Open pages reload the room, so they stop showing the erased texts.
        state.chat.hub.resync_space(space_id);
        let placeholder_id = erased.first().map(|erasure| erasure.placeholder_id);
        Ok::<_, AppError>(Json(json!({
            "erased": true,
            "space_id": space_id,
            "placeholder_id": placeholder_id,
        })))
    };
    run.await.map_err(|error| error.respond(&headers))
}
