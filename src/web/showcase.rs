//! The showcase of work products: students publish what they made (a link or a file),
//! others comment, react and give structured peer feedback, and teachers feature and
//! remove items.
//!
//! Writes carry the session token in the `X-Cowork-Token` header, except the upload,
//! which is a `multipart/form-data` post that may carry it in an `lt` form field instead
//! (see `upload.rs`). Files are served only as attachments, with the content type that
//! was detected when they were uploaded.
//!
//! Peer feedback is shown in full to the item's author and to teachers. Everyone else
//! gets the number of feedback entries, the average scores and their own entry.

mod file_type;
mod pages;
mod upload;

pub(crate) use pages::{page_session, LocalTime};

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;

use crate::app::AppState;
use crate::chat::markdown;
use crate::chat::protocol::REACTIONS;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Msg;
use crate::store::chat::{Interaction, ReactionCount};
use crate::store::showcase::{
    Feedback, FeedbackInput, FileStorage, NewComment, ShowcaseComment, ShowcaseItem,
};
use crate::store::upload_dir::UploadDir;
use crate::unix_now;
use crate::web::help::too_long;
use crate::web::rooms::{reader, writer};

/// Largest body of the showcase's JSON requests, the same as the app-wide limit.
const JSON_BODY_BYTES: usize = 64 * 1024;
const MAX_FEEDBACK_CHARS: usize = 2000;

/// Builds the routes of the showcase. The upload route reads bodies up to the
/// configured `upload_max_bytes` plus room for the other form fields, and every other
/// route keeps the app-wide 64 KiB limit. The app merges this router after its own body
/// limit layer, because that layer would reject uploads above 64 KiB.
pub fn router() -> Router<AppState> {
    let actions = Router::new()
        .route("/spaces/{space_id}/showcase", get(pages::list_page))
        .route(
            "/spaces/{space_id}/showcase/{item_id}",
            get(pages::item_page),
        )
        .route(
            "/spaces/{space_id}/showcase/items/{item_id}",
            get(item_details).delete(remove_item),
        )
        .route(
            "/spaces/{space_id}/showcase/items/{item_id}/file",
            get(download_file),
        )
        .route(
            "/spaces/{space_id}/showcase/items/{item_id}/comments",
            post(add_comment),
        )
        .route(
            "/spaces/{space_id}/showcase/items/{item_id}/reactions",
            post(react),
        )
        .route(
            "/spaces/{space_id}/showcase/items/{item_id}/feedback",
            post(save_feedback),
        )
        .route(
            "/spaces/{space_id}/showcase/items/{item_id}/featured",
            post(feature_item),
        )
        .layer(RequestBodyLimitLayer::new(JSON_BODY_BYTES));
    // The upload handler enforces its own limit from the configuration while it reads.
    let uploads = Router::new().route(
        "/spaces/{space_id}/showcase/items",
        get(list_items)
            .post(upload::publish_item)
            .layer(DefaultBodyLimit::disable()),
    );
    actions.merge(uploads)
}

/// Returns the signed-in person's user id, or a 403 for an anonymous launch.
fn user_of(person: &Participant) -> Result<i64, AppError> {
    person
        .user_id
        .ok_or(AppError::forbidden("error-showcase-anonymous"))
}

fn require_teacher(person: &Participant) -> Result<i64, AppError> {
    match person.user_id {
        Some(user_id) if person.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-teachers-only")),
    }
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| AppError::bad_json(&rejection))
}

async fn find_item(
    state: &AppState,
    space_id: i64,
    item_id: i64,
) -> Result<ShowcaseItem, AppError> {
    state
        .store
        .showcase_item(space_id, item_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Returns the directory store when `upload_dir` is configured.
fn upload_dir(state: &AppState) -> Option<UploadDir> {
    state.config.upload_dir.as_ref().map(UploadDir::new)
}

async fn list_items(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        reader(&state, &headers, &query, space_id).await?;
        let items = state.store.showcase_items(space_id).await?;
        Ok::<_, AppError>(Json(json!({ "items": items })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Average scores and the number of entries, which everyone may see.
#[derive(Debug, Serialize)]
pub struct FeedbackSummary {
    pub count: usize,
    pub clarity: Option<f64>,
    pub originality: Option<f64>,
    pub usefulness: Option<f64>,
}

impl FeedbackSummary {
    fn of(entries: &[Feedback]) -> Self {
        let average = |score: fn(&Feedback) -> i64| {
            if entries.is_empty() {
                return None;
            }
            let total: i64 = entries.iter().map(score).sum();
            Some(total as f64 / entries.len() as f64)
        };
        Self {
            count: entries.len(),
            clarity: average(|f| f.clarity),
            originality: average(|f| f.originality),
            usefulness: average(|f| f.usefulness),
        }
    }
}

/// Everything the item page shows, filtered for the person asking.
#[derive(Debug, Serialize)]
pub struct ItemDetails {
    pub item: ShowcaseItem,
    pub reactions: Vec<ReactionCount>,
    pub comments: Vec<ShowcaseComment>,
    pub feedback_summary: FeedbackSummary,
    /// Every entry for the author and teachers, and none for everyone else.
    pub feedback: Vec<Feedback>,
    pub my_feedback: Option<Feedback>,
    pub can_give_feedback: bool,
    pub can_moderate: bool,
}

async fn load_details(
    state: &AppState,
    person: &Participant,
    item: ShowcaseItem,
) -> Result<ItemDetails, AppError> {
    let space_id = item.space_id;
    let reactions = state.store.item_reactions(space_id, item.id).await?;
    let comments = state.store.item_comments(space_id, item.id).await?;
    let entries = state.store.item_feedback(space_id, item.id).await?;
    let is_author = person.user_id == Some(item.author_id);
    let my_feedback = entries
        .iter()
        .find(|entry| Some(entry.giver_id) == person.user_id)
        .cloned();
    let sees_all = is_author || person.is_moderator();
    Ok(ItemDetails {
        feedback_summary: FeedbackSummary::of(&entries),
        feedback: if sees_all { entries } else { Vec::new() },
        my_feedback,
        can_give_feedback: person.user_id.is_some() && !is_author,
        can_moderate: person.is_moderator(),
        item,
        reactions,
        comments,
    })
}

async fn item_details(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<ItemDetails>, ErrorResponse> {
    let run = async {
        let person = reader(&state, &headers, &query, space_id).await?;
        let item = find_item(&state, space_id, item_id).await?;
        Ok::<_, AppError>(Json(load_details(&state, &person, item).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Serves an item's file as an attachment that a browser saves rather than displays.
async fn download_file(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        reader(&state, &headers, &query, space_id).await?;
        let item = find_item(&state, space_id, item_id).await?;
        let name = item.file_name.clone().ok_or(AppError::NotFound)?;
        let bytes = read_file_bytes(&state, &item).await?;
        // Only a type from the allow-list is sent. Anything else in the database is
        // served as opaque bytes.
        let content_type = item
            .file_type
            .as_deref()
            .filter(|stored| {
                file_type::FILE_TYPES
                    .iter()
                    .any(|allowed| allowed.content_type == *stored)
            })
            .unwrap_or("application/octet-stream");
        let response_headers = [
            (header::CONTENT_TYPE, header_value(content_type)),
            (
                header::CONTENT_DISPOSITION,
                header_value(&attachment(&name)),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ),
        ];
        Ok::<_, AppError>((response_headers, bytes).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

async fn read_file_bytes(state: &AppState, item: &ShowcaseItem) -> Result<Vec<u8>, AppError> {
    if item.file_storage.as_deref() == Some(FileStorage::Directory.as_str()) {
        let key = item.file_key.as_deref().unwrap_or_default();
        let Some(directory) = upload_dir(state) else {
            return Err(AppError::Internal(format!(
                "showcase item {} keeps its file in upload_dir, but upload_dir is not set",
                item.id
            )));
        };
        return directory.read(key).await.map_err(|error| {
            AppError::Internal(format!(
                "reading the file of showcase item {} from upload_dir failed: {error}",
                item.id
            ))
        });
    }
    state
        .store
        .showcase_file_bytes(item.space_id, item.id)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "showcase item {} has no file bytes in the database",
                item.id
            ))
        })
}

/// A `Content-Disposition` value that names the file in RFC 5987 encoding, which keeps
/// any character of the name without letting it break out of the header.
fn attachment(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        // attr-char of RFC 5987, section 3.2.1.
        let plain = byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte);
        if plain {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename*=UTF-8''{encoded}")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentForm {
    body: String,
}

async fn add_comment(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<CommentForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let person = writer(&state, &headers, space_id).await?;
        let user_id = user_of(&person)?;
        let request = body(payload)?;
        let text = request.body.trim();
        check_comment(text)?;
        let item = find_item(&state, space_id, item_id).await?;
        let now = unix_now();
        let comment = NewComment {
            space_id,
            item_id,
            author_id: user_id,
            body: text.to_string(),
            body_html: markdown::render(text),
        };
        let stored = state
            .store
            .add_comment(&comment, now)
            .await?
            .ok_or(AppError::NotFound)?;
        record(&state, space_id, user_id, &item, "showcase_comment", now).await?;
        Ok::<_, AppError>((StatusCode::CREATED, Json(stored)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn check_comment(text: &str) -> Result<(), AppError> {
    if text.is_empty() {
        return Err(AppError::invalid("error-showcase-comment-empty"));
    }
    let length = text.chars().count();
    if length > markdown::MAX_BODY_CHARS {
        return Err(AppError::invalid(
            Msg::new("error-showcase-comment-too-long")
                .arg("length", length)
                .arg("max", markdown::MAX_BODY_CHARS),
        ));
    }
    Ok(())
}

/// Records an interaction of `actor` with the author of `item`. Acting on one's own
/// item is a contribution without a target.
async fn record(
    state: &AppState,
    space_id: i64,
    actor: i64,
    item: &ShowcaseItem,
    kind: &str,
    now: i64,
) -> Result<(), AppError> {
    let target = (item.author_id != actor).then_some(item.author_id);
    state
        .store
        .record_interaction(&Interaction {
            space_id,
            actor_id: actor,
            target_id: target,
            room_id: None,
            kind: kind.to_string(),
            subject_id: Some(item.id),
            created_at: now,
        })
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReactionForm {
    emoji: String,
    /// True adds the reaction, false removes it.
    on: bool,
}

async fn react(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<ReactionForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let person = writer(&state, &headers, space_id).await?;
        let user_id = user_of(&person)?;
        let request = body(payload)?;
        if !REACTIONS.contains(&request.emoji.as_str()) {
            return Err(AppError::invalid(
                Msg::new("error-showcase-reaction")
                    .arg("emoji", format!("{:?}", request.emoji))
                    .arg("reactions", REACTIONS.join(" ")),
            ));
        }
        let item = find_item(&state, space_id, item_id).await?;
        let now = unix_now();
        let changed = state
            .store
            .react_to_item(space_id, item_id, user_id, &request.emoji, request.on, now)
            .await?
            .ok_or(AppError::NotFound)?;
        // Reacting to one's own work is no interaction between two people.
        if changed && request.on && item.author_id != user_id {
            record(&state, space_id, user_id, &item, "showcase_reaction", now).await?;
        }
        let reactions = state.store.item_reactions(space_id, item_id).await?;
        Ok(Json(json!({ "item_id": item_id, "reactions": reactions })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackForm {
    clarity: i64,
    originality: i64,
    usefulness: i64,
    #[serde(default)]
    works: String,
    #[serde(default)]
    improve: String,
}

fn check_score(name: &str, score: i64) -> Result<i64, AppError> {
    if (1..=5).contains(&score) {
        Ok(score)
    } else {
        Err(AppError::invalid(
            Msg::new("error-showcase-score")
                .arg("field", name)
                .arg("score", score),
        ))
    }
}

fn check_feedback_text(name: &str, text: &str) -> Result<String, AppError> {
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    if length > MAX_FEEDBACK_CHARS {
        return Err(too_long(name, MAX_FEEDBACK_CHARS, length));
    }
    Ok(trimmed.to_string())
}

async fn save_feedback(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<FeedbackForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let person = writer(&state, &headers, space_id).await?;
        let user_id = user_of(&person)?;
        let request = body(payload)?;
        let item = find_item(&state, space_id, item_id).await?;
        if item.author_id == user_id {
            return Err(AppError::forbidden("error-showcase-own-feedback"));
        }
        let input = FeedbackInput {
            space_id,
            item_id,
            giver_id: user_id,
            clarity: check_score("clarity", request.clarity)?,
            originality: check_score("originality", request.originality)?,
            usefulness: check_score("usefulness", request.usefulness)?,
            works: check_feedback_text("works", &request.works)?,
            improve: check_feedback_text("improve", &request.improve)?,
        };
        if input.works.is_empty() && input.improve.is_empty() {
            return Err(AppError::invalid("error-showcase-feedback-empty"));
        }
        let now = unix_now();
        let saved = state
            .store
            .save_feedback(&input, now)
            .await?
            .ok_or(AppError::NotFound)?;
        // An edit changes the same feedback, so only the first save is an interaction.
        if saved.created {
            record(&state, space_id, user_id, &item, "feedback", now).await?;
        }
        let status = if saved.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok::<_, AppError>((status, Json(saved.feedback)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureForm {
    featured: bool,
}

async fn feature_item(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<FeatureForm>, JsonRejection>,
) -> Result<Json<ShowcaseItem>, ErrorResponse> {
    let run = async {
        let person = writer(&state, &headers, space_id).await?;
        let actor = require_teacher(&person)?;
        let request = body(payload)?;
        let now = unix_now();
        let item = state
            .store
            .feature_item(space_id, item_id, request.featured, now)
            .await?
            .ok_or(AppError::NotFound)?;
        let action = if request.featured {
            "showcase.feature"
        } else {
            "showcase.unfeature"
        };
        state
            .store
            .audit(space_id, actor, action, &format!("item {item_id}"), now)
            .await?;
        Ok::<_, AppError>(Json(item))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn remove_item(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let person = writer(&state, &headers, space_id).await?;
        let item = find_item(&state, space_id, item_id).await?;
        let actor = match person.user_id {
            Some(user_id) if user_id == item.author_id => user_id,
            _ => require_teacher(&person)
                .map_err(|_| AppError::forbidden("error-showcase-remove-not-allowed"))?,
        };
        let now = unix_now();
        let removed = state
            .store
            .remove_item(space_id, item_id, now)
            .await?
            .ok_or(AppError::NotFound)?;
        if removed.file_storage.as_deref() == Some(FileStorage::Directory.as_str()) {
            if let (Some(directory), Some(key)) = (upload_dir(&state), removed.file_key.as_deref())
            {
                // The item is already gone from every page, so a file left behind is
                // only wasted space; it is logged rather than failing the removal.
                if let Err(error) = directory.remove(key).await {
                    tracing::warn!(%error, space_id, item_id, "deleting a removed showcase file failed");
                }
            }
        }
        state
            .store
            .audit(
                space_id,
                actor,
                "showcase.remove",
                &format!("item {item_id}: {}", removed.title),
                now,
            )
            .await?;
        Ok::<_, AppError>(Json(json!({ "removed": item_id })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_name_encoded() {
        assert_eq!(
            attachment("report.pdf"),
            "attachment; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            attachment("отчёт 1.pdf"),
            "attachment; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%201.pdf"
        );
        let hostile = attachment("a\";\r\nSet-Cookie: x=1.txt");
        let (_, name) = hostile.split_once("''").unwrap();
        assert!(!name.contains('"'), "{hostile}");
        assert!(!name.contains('\n'), "{hostile}");
        assert!(!name.contains(' '), "{hostile}");
        assert!(!name.contains(';'), "{hostile}");
    }

    #[test]
    fn averages_of_feedback() {
        let entry = |clarity, originality, usefulness| Feedback {
            id: 1,
            item_id: 1,
            giver_id: 1,
            giver_name: None,
            clarity,
            originality,
            usefulness,
            works: String::new(),
            improve: String::new(),
            created_at: 0,
            updated_at: 0,
        };
        let summary = FeedbackSummary::of(&[entry(5, 2, 4), entry(4, 3, 4)]);
        assert_eq!(summary.count, 2);
        assert_eq!(summary.clarity, Some(4.5));
        assert_eq!(summary.originality, Some(2.5));
        assert_eq!(summary.usefulness, Some(4.0));
        assert_eq!(FeedbackSummary::of(&[]).clarity, None);
    }
}
