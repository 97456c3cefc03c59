//! The help desk of a space: a participant asks for help with a topic, a Markdown
//! description and skill tags; others offer help and talk it through in the request's
//! conversation; the asker marks the request resolved, naming the helper, and can thank
//! them. Teachers can close or delete any request.
//!
//! The page is `GET /spaces/{space_id}/help`. The JSON endpoints under
//! `/spaces/{space_id}/help/requests` take writes only with the session token in the
//! `X-Cowork-Token` header (see [`writer`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::AppState;
use crate::chat::markdown::{self, MAX_BODY_CHARS};
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Msg, Tr};
use crate::session::TOKEN_PARAM;
use crate::store::chat::Interaction;
use crate::store::help::{HelpOffer, HelpPost, HelpRequest, NewHelpRequest, Tags, STATUS_CLOSED};
use crate::unix_now;
use crate::web::rooms::{participant, reader, writer};
use crate::web::space::authenticate;

const MAX_TITLE_CHARS: usize = 120;
const MAX_TAGS: usize = 8;
const MAX_TAG_CHARS: usize = 24;
const MAX_THANKS_CHARS: usize = 500;
/// How many resolved and closed requests the page and the list show.
const FINISHED_LIMIT: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/help", get(help_page))
        .route(
            "/spaces/{space_id}/help/requests",
            get(list_requests).post(create_request),
        )
        .route(
            "/spaces/{space_id}/help/requests/{request_id}",
            get(show_request).delete(delete_request),
        )
        .route(
            "/spaces/{space_id}/help/requests/{request_id}/offers",
            post(offer_help),
        )
        .route(
            "/spaces/{space_id}/help/requests/{request_id}/posts",
            post(add_post),
        )
        .route(
            "/spaces/{space_id}/help/requests/{request_id}/resolve",
            post(resolve_request),
        )
        .route(
            "/spaces/{space_id}/help/requests/{request_id}/thanks",
            post(thank_helper),
        )
        .route(
            "/spaces/{space_id}/help/requests/{request_id}/close",
            post(close_request),
        )
}

/// A request with its offers and its conversation, as the JSON endpoints return it.
#[derive(Debug, Serialize)]
pub struct RequestView {
    #[serde(flatten)]
    pub request: HelpRequest,
    pub offers: Vec<HelpOffer>,
    pub posts: Vec<HelpPost>,
}

impl RequestView {
    /// People the asker can name as the helper: those who offered help or posted, except
    /// the asker, each once, in the order they first appeared.
    fn helper_candidates(&self) -> Vec<(i64, Option<String>)> {
        let mut people: Vec<(i64, Option<String>)> = Vec::new();
        let offered = self
            .offers
            .iter()
            .map(|offer| (offer.helper_id, &offer.helper_name));
        let posted = self
            .posts
            .iter()
            .map(|post| (post.author_id, &post.author_name));
        for (user_id, name) in offered.chain(posted) {
            if user_id != self.request.asker_id && !people.iter().any(|(id, _)| *id == user_id) {
                people.push((user_id, name.clone()));
            }
        }
        people
    }
}

/// Loads the offers and posts of `requests` (two queries) and pairs them up.
async fn load_views(
    state: &AppState,
    space_id: i64,
    requests: Vec<HelpRequest>,
) -> Result<Vec<RequestView>, AppError> {
    let ids: Vec<i64> = requests.iter().map(|request| request.id).collect();
    let offers = state.store.help_offers(space_id, &ids).await?;
    let posts = state.store.help_posts(space_id, &ids).await?;
    Ok(requests
        .into_iter()
        .map(|request| RequestView {
            offers: offers
                .iter()
                .filter(|offer| offer.request_id == request.id)
                .cloned()
                .collect(),
            posts: posts
                .iter()
                .filter(|post| post.request_id == request.id)
                .cloned()
                .collect(),
            request,
        })
        .collect())
}

async fn load_view(
    state: &AppState,
    space_id: i64,
    request_id: i64,
) -> Result<RequestView, AppError> {
    let request = state
        .store
        .help_request(space_id, request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut views = load_views(state, space_id, vec![request]).await?;
    Ok(views.remove(0))
}

pub async fn list_requests(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        reader(&state, &headers, &query, space_id).await?;
        let open = state.store.open_help_requests(space_id).await?;
        let finished = state
            .store
            .finished_help_requests(space_id, FINISHED_LIMIT)
            .await?;
        let open = load_views(&state, space_id, open).await?;
        let resolved = load_views(&state, space_id, finished).await?;
        Ok::<_, AppError>(Json(json!({ "open": open, "resolved": resolved })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

pub async fn show_request(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<RequestView>, ErrorResponse> {
    let run = async {
        reader(&state, &headers, &query, space_id).await?;
        Ok::<_, AppError>(Json(load_view(&state, space_id, request_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskForm {
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

pub async fn create_request(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<AskForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let asker_id = require_user(&who, "error-help-anonymous-ask")?;
        let form = json_body(payload)?;
        let now = unix_now();
        require_unmuted(&state, space_id, asker_id, now).await?;
        let title = check_line("title", &form.title, MAX_TITLE_CHARS)?;
        let description = check_markdown("description", &form.description)?;
        let tags = check_tags(&form.tags)?;
        let request = NewHelpRequest {
            space_id,
            asker_id,
            title,
            body_html: markdown::render(&description),
            body: description,
            tags,
        };
        let created = state.store.create_help_request(&request, now).await?;
        record(
            &state,
            space_id,
            asker_id,
            None,
            "help_request",
            created.id,
            now,
        )
        .await?;
        let view = load_view(&state, space_id, created.id).await?;
        Ok::<_, AppError>((StatusCode::CREATED, Json(view)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Offers help on someone else's open request. Offering twice changes nothing.
pub async fn offer_help(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<RequestView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let helper_id = require_user(&who, "error-help-anonymous-offer")?;
        let request = find_request(&state, space_id, request_id).await?;
        require_open(&request)?;
        if request.asker_id == helper_id {
            return Err(AppError::invalid("error-help-own-request"));
        }
        let now = unix_now();
        if state
            .store
            .offer_help(space_id, request_id, helper_id, now)
            .await?
        {
            let asker = Some(request.asker_id);
            record(
                &state,
                space_id,
                helper_id,
                asker,
                "help_offer",
                request_id,
                now,
            )
            .await?;
        }
        Ok::<_, AppError>(Json(load_view(&state, space_id, request_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostForm {
    pub body: String,
}

/// Adds a post to the conversation of an open request.
pub async fn add_post(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<PostForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let author_id = require_user(&who, "error-help-anonymous-post")?;
        let form = json_body(payload)?;
        let request = find_request(&state, space_id, request_id).await?;
        require_open(&request)?;
        let now = unix_now();
        require_unmuted(&state, space_id, author_id, now).await?;
        let body = check_markdown("body", &form.body)?;
        let post = state
            .store
            .add_help_post(
                space_id,
                request_id,
                author_id,
                &body,
                &markdown::render(&body),
                now,
            )
            .await?
            .ok_or_else(not_open)?;
        if author_id != request.asker_id {
            let asker = Some(request.asker_id);
            record(
                &state,
                space_id,
                author_id,
                asker,
                "help_reply",
                request_id,
                now,
            )
            .await?;
        }
        Ok::<_, AppError>((StatusCode::CREATED, Json(post)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveForm {
    /// Who helped: someone who offered help or posted. `None` when nobody did.
    #[serde(default)]
    pub helper_id: Option<i64>,
    /// A thank-you note to the helper, stored as if sent to `/thanks`.
    #[serde(default)]
    pub thanks: Option<String>,
}

/// Marks the asker's own open request resolved, naming the helper.
pub async fn resolve_request(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<ResolveForm>, JsonRejection>,
) -> Result<Json<RequestView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = require_user(&who, "error-help-anonymous-resolve")?;
        let form = json_body(payload)?;
        let view = load_view(&state, space_id, request_id).await?;
        if view.request.asker_id != user_id {
            return Err(AppError::forbidden("error-help-resolve-not-asker"));
        }
        require_open(&view.request)?;
        if let Some(helper_id) = form.helper_id {
            if !view
                .helper_candidates()
                .iter()
                .any(|(id, _)| *id == helper_id)
            {
                return Err(AppError::invalid(
                    Msg::new("error-help-helper-not-candidate").arg("helper_id", helper_id),
                ));
            }
        }
        let thanks = form
            .thanks
            .as_deref()
            .map(|note| check_optional("thanks", note, MAX_THANKS_CHARS))
            .transpose()?
            .flatten();
        if thanks.is_some() && form.helper_id.is_none() {
            return Err(AppError::invalid("error-help-thanks-need-helper"));
        }
        let now = unix_now();
        if !state
            .store
            .resolve_help_request(space_id, request_id, form.helper_id, now)
            .await?
        {
            return Err(not_open());
        }
        if let Some(helper_id) = form.helper_id {
            let asker = Some(user_id);
            record(
                &state,
                space_id,
                helper_id,
                asker,
                "help_given",
                request_id,
                now,
            )
            .await?;
            if let Some(note) = thanks {
                store_thanks(&state, space_id, request_id, user_id, helper_id, &note, now).await?;
            }
        }
        Ok::<_, AppError>(Json(load_view(&state, space_id, request_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThanksForm {
    pub note: String,
}

/// Stores the asker's thank-you note to the helper named when the request was resolved.
pub async fn thank_helper(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<ThanksForm>, JsonRejection>,
) -> Result<Json<RequestView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = require_user(&who, "error-help-anonymous-thank")?;
        let form = json_body(payload)?;
        let request = find_request(&state, space_id, request_id).await?;
        if request.asker_id != user_id {
            return Err(AppError::forbidden("error-help-thank-not-asker"));
        }
        let Some(helper_id) = request.helper_id else {
            return Err(AppError::invalid("error-help-no-helper"));
        };
        if request.thanked_at.is_some() {
            return Err(AppError::invalid("error-help-already-thanked"));
        }
        let note = check_text("note", &form.note, MAX_THANKS_CHARS)?;
        let now = unix_now();
        store_thanks(&state, space_id, request_id, user_id, helper_id, &note, now).await?;
        Ok::<_, AppError>(Json(load_view(&state, space_id, request_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn store_thanks(
    state: &AppState,
    space_id: i64,
    request_id: i64,
    asker_id: i64,
    helper_id: i64,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    if !state
        .store
        .thank_helper(space_id, request_id, note, now)
        .await?
    {
        return Err(AppError::invalid("error-help-already-thanked"));
    }
    let helper = Some(helper_id);
    record(
        state,
        space_id,
        asker_id,
        helper,
        "help_thanks",
        request_id,
        now,
    )
    .await
}

/// Closes an open request without a helper. Teachers only.
pub async fn close_request(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<RequestView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let request = find_request(&state, space_id, request_id).await?;
        require_open(&request)?;
        let now = unix_now();
        if !state
            .store
            .close_help_request(space_id, request_id, actor, now)
            .await?
        {
            return Err(not_open());
        }
        state
            .store
            .audit(space_id, actor, "help.close", &audit_target(&request), now)
            .await?;
        Ok::<_, AppError>(Json(load_view(&state, space_id, request_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Deletes a request with its offers and conversation. The asker may delete their own;
/// teachers may delete any.
pub async fn delete_request(
    State(state): State<AppState>,
    Path((space_id, request_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = require_user(&who, "error-help-anonymous-delete")?;
        let request = find_request(&state, space_id, request_id).await?;
        if request.asker_id != user_id && !who.is_moderator() {
            return Err(AppError::forbidden("error-help-delete-not-allowed"));
        }
        if !state
            .store
            .delete_help_request(space_id, request_id)
            .await?
        {
            return Err(AppError::NotFound);
        }
        if who.is_moderator() {
            state
                .store
                .audit(
                    space_id,
                    user_id,
                    "help.delete",
                    &audit_target(&request),
                    unix_now(),
                )
                .await?;
        }
        Ok::<_, AppError>(Json(json!({ "deleted": request_id })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Formats the audit target of a request. It includes the title because a deleted request
/// leaves nothing else to identify it by.
fn audit_target(request: &HelpRequest) -> String {
    format!("help request {} ({:?})", request.id, request.title)
}

async fn find_request(
    state: &AppState,
    space_id: i64,
    request_id: i64,
) -> Result<HelpRequest, AppError> {
    state
        .store
        .help_request(space_id, request_id)
        .await?
        .ok_or(AppError::NotFound)
}

fn require_open(request: &HelpRequest) -> Result<(), AppError> {
    if request.is_open() {
        Ok(())
    } else {
        Err(not_open())
    }
}

fn not_open() -> AppError {
    AppError::invalid("error-help-not-open")
}

async fn record(
    state: &AppState,
    space_id: i64,
    actor_id: i64,
    target_id: Option<i64>,
    kind: &str,
    subject_id: i64,
    now: i64,
) -> Result<(), AppError> {
    state
        .store
        .record_interaction(&Interaction {
            space_id,
            actor_id,
            target_id,
            room_id: None,
            kind: kind.into(),
            subject_id: Some(subject_id),
            created_at: now,
        })
        .await?;
    Ok(())
}

async fn require_unmuted(
    state: &AppState,
    space_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    match state.store.muted_until(space_id, user_id).await? {
        Some(until) if until > now => Err(AppError::forbidden("error-muted")),
        _ => Ok(()),
    }
}

// Request checks shared with the partners board.

/// Returns the user id of a participant who may write, or `Forbidden(reason)` for an
/// anonymous launch, where `reason` is a message id.
pub(crate) fn require_user(who: &Participant, reason: &'static str) -> Result<i64, AppError> {
    who.user_id.ok_or(AppError::forbidden(reason))
}

pub(crate) fn require_moderator(who: &Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-teachers-only")),
    }
}

pub(crate) fn json_body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| AppError::bad_json(&rejection))
}

/// Checks a required one-line text of at most `max` characters and returns it trimmed.
pub(crate) fn check_line(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.contains(['\n', '\r']) {
        return Err(AppError::invalid(
            Msg::new("error-field-one-line").arg("field", field),
        ));
    }
    check_text(field, trimmed, max)
}

/// Checks a required text of 1 to `max` characters and returns it trimmed, with its line
/// breaks.
pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length == 0 || length > max {
        return Err(text_length(field, max, length));
    }
    Ok(trimmed.to_string())
}

/// Checks an optional text of at most `max` characters and returns it trimmed, or `None`
/// when it is blank.
pub(crate) fn check_optional(
    field: &str,
    value: &str,
    max: usize,
) -> Result<Option<String>, AppError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    check_text(field, value, max).map(Some)
}

/// Builds the error for a required text of `length` characters outside 1 to `max`.
pub(crate) fn text_length(field: &str, max: usize, length: usize) -> AppError {
    length_outside(field, 1, max, length)
}

/// Builds the error for a text of `length` characters outside `min` to `max`.
pub(crate) fn length_outside(field: &str, min: usize, max: usize, length: usize) -> AppError {
    AppError::invalid(
        Msg::new("error-field-length")
            .arg("field", field)
            .arg("min", min)
            .arg("max", max)
            .arg("length", length),
    )
}

/// Builds the error for an optional text of `length` characters, more than `max`.
pub(crate) fn too_long(field: &str, max: usize, length: usize) -> AppError {
    AppError::invalid(
        Msg::new("error-field-too-long")
            .arg("field", field)
            .arg("length", length)
            .arg("max", max),
    )
}

/// Checks a required Markdown text of at most [`MAX_BODY_CHARS`] characters and returns
/// it as written.
pub(crate) fn check_markdown(field: &str, value: &str) -> Result<String, AppError> {
    let length = value.chars().count();
    if value.trim().is_empty() || length > MAX_BODY_CHARS {
        return Err(text_length(field, MAX_BODY_CHARS, length));
    }
    Ok(value.to_string())
}

/// Lower-cases, trims and deduplicates skill tags. A leading `#` is dropped.
fn check_tags(tags: &[String]) -> Result<Tags, AppError> {
    let mut cleaned: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().trim_start_matches('#').to_lowercase();
        if tag.is_empty() {
            continue;
        }
        let length = tag.chars().count();
        if length > MAX_TAG_CHARS {
            return Err(AppError::invalid(
                Msg::new("error-help-tag-too-long")
                    .arg("tag", format!("{tag:?}"))
                    .arg("length", length)
                    .arg("max", MAX_TAG_CHARS),
            ));
        }
        if let Some(bad) = tag
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '+' | '.' | '_' | '#')))
        {
            return Err(AppError::invalid(
                Msg::new("error-help-tag-character")
                    .arg("tag", format!("{tag:?}"))
                    .arg("character", format!("{bad:?}")),
            ));
        }
        if !cleaned.contains(&tag) {
            cleaned.push(tag);
        }
    }
    if cleaned.len() > MAX_TAGS {
        return Err(AppError::invalid(
            Msg::new("error-help-too-many-tags")
                .arg("max", MAX_TAGS)
                .arg("count", cleaned.len()),
        ));
    }
    Ok(Tags(cleaned))
}

/// "just now", "5 minutes ago", and so on, in the page's language.
pub(crate) fn relative_time(tr: &Tr, seconds_ago: i64) -> String {
    match seconds_ago {
        s if s < 60 => tr.t("just-now"),
        s if s < 3600 => tr.count("minutes-ago", s / 60),
        s if s < 86_400 => tr.count("hours-ago", s / 3600),
        s => tr.count("days-ago", s / 86_400),
    }
}

/// Formats a Unix time as RFC 3339 in UTC, for `<time datetime>`.
pub(crate) fn iso_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|moment| {
            moment
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A moment shown on a page: machine-readable and relative to now.
pub(crate) struct Moment {
    pub iso: String,
    pub ago: String,
}

impl Moment {
    pub(crate) fn new(tr: &Tr, unix: i64, now: i64) -> Self {
        Self {
            iso: iso_time(unix),
            ago: relative_time(tr, now - unix),
        }
    }
}

// The page.

struct Person {
    id: i64,
    name: String,
}

struct PostCard {
    author: String,
    by_asker: bool,
    when: Moment,
    body_html: String,
}

struct RequestCard {
    id: i64,
    title: String,
    asker: String,
    mine: bool,
    asked: Moment,
    tags: Vec<String>,
    body_html: String,
    offers: Vec<String>,
    offered_by_me: bool,
    posts: Vec<PostCard>,
    /// The summary of the conversation, with the number of posts.
    conversation_label: String,
    /// People the asker can name as the helper.
    helpers: Vec<Person>,
    /// The name of the helper the asker named, or empty.
    helper: String,
    /// "Resolved with help from …", "Resolved" or "Closed by a teacher".
    outcome: String,
    finished: Option<Moment>,
    thanks: Option<String>,
    is_open: bool,
    can_offer: bool,
    can_thank: bool,
    can_delete: bool,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    tr: Tr,
    space_id: i64,
    token: String,
    activity_title: String,
    can_write: bool,
    is_moderator: bool,
    open: Vec<RequestCard>,
    finished: Vec<RequestCard>,
    max_title_chars: usize,
    max_body_chars: usize,
    max_thanks_chars: usize,
    /// The `js-` strings of the page script as JSON, safe inside a `<script>` element.
    strings_json: String,
}

pub async fn help_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let token = query.get(TOKEN_PARAM).map(String::as_str);
    render_page(&state, &headers, token, space_id)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn render_page(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
    space_id: i64,
) -> Result<Response, AppError> {
    let view = authenticate(state, headers, query_token, space_id).await?;
    let tr = Tr::for_locale(view.locale.as_deref());
    let token = state
        .session_key
        .issue(&view.session_id, space_id, view.expires_at);
    let activity_title = view
        .resource_link_title
        .clone()
        .unwrap_or_else(|| tr.t("space-default-activity"));
    let who = participant(space_id, view);
    let now = unix_now();

    let open = state.store.open_help_requests(space_id).await?;
    let finished = state
        .store
        .finished_help_requests(space_id, FINISHED_LIMIT)
        .await?;
    let open = load_views(state, space_id, open).await?;
    let finished = load_views(state, space_id, finished).await?;

    let card = |view: RequestView| request_card(&tr, &who, view, now);
    let page = HelpPage {
        space_id,
        token,
        activity_title,
        can_write: who.user_id.is_some(),
        is_moderator: who.is_moderator(),
        open: open.into_iter().map(card).collect(),
        finished: finished.into_iter().map(card).collect(),
        max_title_chars: MAX_TITLE_CHARS,
        max_body_chars: MAX_BODY_CHARS,
        max_thanks_chars: MAX_THANKS_CHARS,
        strings_json: tr.script_strings(),
        tr,
    };

    let html = page
        .render()
        .map_err(|error| AppError::Internal(format!("help page failed to render: {error}")))?;
    Ok(Html(html).into_response())
}

fn request_card(tr: &Tr, who: &Participant, view: RequestView, now: i64) -> RequestCard {
    let name = |name: &Option<String>| name.clone().unwrap_or_else(|| tr.t("help-unnamed"));
    let helpers = view
        .helper_candidates()
        .into_iter()
        .map(|(id, helper_name)| Person {
            id,
            name: name(&helper_name),
        })
        .collect();
    let request = view.request;
    let mine = who.user_id == Some(request.asker_id);
    let is_open = request.is_open();
    let offered_by_me = view
        .offers
        .iter()
        .any(|offer| Some(offer.helper_id) == who.user_id);
    let outcome = match (request.status.as_str(), request.helper_id) {
        (STATUS_CLOSED, _) => tr.t("help-status-closed"),
        (_, Some(_)) => tr.t1(
            "help-status-resolved-by",
            "name",
            name(&request.helper_name),
        ),
        _ => tr.t("help-status-resolved"),
    };
    let helper = match (request.helper_id, &request.helper_name) {
        (Some(_), helper_name) => name(helper_name),
        (None, _) => String::new(),
    };
    RequestCard {
        id: request.id,
        conversation_label: tr.count("help-conversation", view.posts.len() as i64),
        helper,
        asker: name(&request.asker_name),
        asked: Moment::new(tr, request.created_at, now),
        tags: request.tags.0,
        offers: view
            .offers
            .iter()
            .map(|offer| name(&offer.helper_name))
            .collect(),
        posts: view
            .posts
            .into_iter()
            .map(|post| PostCard {
                author: name(&post.author_name),
                by_asker: post.author_id == request.asker_id,
                when: Moment::new(tr, post.created_at, now),
                body_html: post.body_html,
            })
            .collect(),
        helpers,
        outcome,
        finished: request.finished_at.map(|at| Moment::new(tr, at, now)),
        can_offer: is_open && !mine && !offered_by_me && who.user_id.is_some(),
        can_thank: mine && request.helper_id.is_some() && request.thanked_at.is_none(),
        can_delete: mine || who.is_moderator(),
        thanks: request.thanks,
        offered_by_me,
        mine,
        is_open,
        title: request.title,
        body_html: request.body_html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_cleaned_and_deduplicated() {
        let tags = check_tags(&[
            " Excel ".into(),
            "#statistics".into(),
            "excel".into(),
            "".into(),
            "c++".into(),
        ])
        .unwrap();
        assert_eq!(tags.0, vec!["excel", "statistics", "c++"]);
        assert_eq!(Tags::from(tags.to_lines()), tags, "lines round-trip");
    }

    #[test]
    fn bad_tags_rejected_with_reason() {
        let many: Vec<String> = (0..9).map(|n| format!("tag{n}")).collect();
        let error = check_tags(&many).unwrap_err().to_string();
        assert!(error.contains("at most 8 tags, got 9"), "{error}");
        let error = check_tags(&["x".repeat(25)]).unwrap_err().to_string();
        assert!(error.contains("at most 24"), "{error}");
        let error = check_tags(&["data analysis".into()])
            .unwrap_err()
            .to_string();
        assert!(error.contains("separate tags with commas"), "{error}");
    }

    #[test]
    fn relative_time_in_russian() {
        let tr = Tr::for_locale(Some("ru"));
        assert_eq!(relative_time(&tr, 3 * 60), "3 минуты назад");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
    }
}
