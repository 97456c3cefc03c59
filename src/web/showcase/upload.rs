//! Publishing an item: a `multipart/form-data` post with the fields `lt` (the session
//! token, unless the `X-Cowork-Token` header carries it), `title`, `description`, and
//! either `link` or `file`.
//!
//! The body is counted while it streams in and is cut off at `upload_max_bytes` plus
//! [`FORM_OVERHEAD_BYTES`]. The token is checked before the file part is read, so a
//! request without a valid session cannot make the server buffer a file. A form that
//! sends the token in `lt` must therefore put that field before `file`, as the
//! showcase page does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{BoxError, Json};
use futures_util::StreamExt;

use super::{file_type, record, upload_dir, user_of};
use crate::app::AppState;
use crate::chat::markdown;
use crate::chat::service::Participant;
use crate::error::{wants_json, AppError, ErrorResponse};
use crate::i18n::Msg;
use crate::store::showcase::{FileStorage, NewFile, NewItem};
use crate::unix_now;
use crate::web::help::{text_length, too_long};
use crate::web::rooms::{participant, TOKEN_HEADER};

/// Room in the body for the form fields other than the file and for the multipart
/// boundaries and part headers.
pub const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;
const MAX_TITLE_CHARS: usize = 120;
const MAX_LINK_CHARS: usize = 2000;
const MAX_FILE_NAME_CHARS: usize = 200;
/// Largest text field read, in bytes: the longest description in 4-byte characters.
const MAX_TEXT_FIELD_BYTES: usize = 4 * markdown::MAX_BODY_CHARS;
/// More parts than the five known fields and a few repeats are rejected.
const MAX_PARTS: usize = 8;

#[derive(Default)]
struct PublishForm {
    title: String,
    description: String,
    link: String,
    file: Option<UploadedFile>,
}

struct UploadedFile {
    name: String,
    bytes: Vec<u8>,
}

pub async fn publish_item(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, ErrorResponse> {
    publish(&state, space_id, &headers, request)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn publish(
    state: &AppState,
    space_id: i64,
    headers: &HeaderMap,
    request: Request,
) -> Result<Response, AppError> {
    let limit = state.config.upload_max_bytes;
    let body_limit = limit + FORM_OVERHEAD_BYTES;
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > body_limit) {
        return Err(too_large(limit));
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let request = limit_body(request, body_limit, exceeded.clone());
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| {
            AppError::invalid(
                Msg::new("error-upload-not-multipart").arg("reason", rejection.body_text()),
            )
        })?;
    let header_token = headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let (person, token, form) = read_form(state, space_id, header_token, &mut multipart, limit)
        .await
        .map_err(|error| {
            if exceeded.load(Ordering::Relaxed) {
                too_large(limit)
            } else {
                error
            }
        })?;

    let user_id = user_of(&person)?;
    let title = check_title(&form.title)?;
    let description = check_description(&form.description)?;
    let link = check_link(&form.link)?;
    match (&link, &form.file) {
        (Some(_), Some(_)) => return Err(AppError::invalid("error-upload-link-and-file")),
        (None, None) => return Err(AppError::invalid("error-upload-no-link-or-file")),
        _ => {}
    }

    let mut file = None;
    let mut database_bytes = None;
    if let Some(upload) = form.file {
        let name = clean_file_name(&upload.name)?;
        let file_type = file_type::check_file(&name, &upload.bytes).map_err(AppError::Invalid)?;
        let size = upload.bytes.len() as i64;
        let (storage, key) = match upload_dir(state) {
            Some(directory) => {
                let key = directory.write(upload.bytes).await.map_err(|error| {
                    AppError::Internal(format!("writing an upload to upload_dir failed: {error}"))
                })?;
                (FileStorage::Directory, Some(key))
            }
            None => {
                database_bytes = Some(upload.bytes);
                (FileStorage::Database, None)
            }
        };
        file = Some(NewFile {
            name,
            content_type: file_type.content_type.to_string(),
            size,
            storage,
            key,
        });
    }

    let item = NewItem {
        space_id,
        author_id: user_id,
        title,
        description_html: if description.is_empty() {
            String::new()
        } else {
            markdown::render(&description)
        },
        description,
        link_url: link,
        file,
    };
    let now = unix_now();
    let stored = match state
        .store
        .publish_item(&item, database_bytes.as_deref(), now)
        .await
    {
        Ok(stored) => stored,
        Err(error) => {
            remove_orphan(state, &item).await;
            return Err(error.into());
        }
    };
    record(state, space_id, user_id, &stored, "showcase_item", now).await?;

    if wants_json(headers) {
        return Ok((StatusCode::CREATED, Json(stored)).into_response());
    }
    let page = format!("/spaces/{space_id}/showcase/{}?lt={token}", stored.id);
    Ok(Redirect::to(&page).into_response())
}

/// Deletes the file written for an item that the database did not store.
async fn remove_orphan(state: &AppState, item: &NewItem) {
    let key = item.file.as_ref().and_then(|file| file.key.as_deref());
    if let (Some(directory), Some(key)) = (upload_dir(state), key) {
        if let Err(error) = directory.remove(key).await {
            tracing::warn!(%error, key, "deleting an upload that was not stored failed");
        }
    }
}

/// Wraps the body so that reading more than `limit` bytes fails and sets `exceeded`.
fn limit_body(request: Request, limit: u64, exceeded: Arc<AtomicBool>) -> Request {
    request.map(|body| {
        let mut received: u64 = 0;
        let stream = body.into_data_stream().map(move |chunk| {
            let chunk = chunk.map_err(BoxError::from)?;
            received += chunk.len() as u64;
            if received > limit {
                exceeded.store(true, Ordering::Relaxed);
                return Err(BoxError::from("the request body exceeds the upload limit"));
            }
            Ok(chunk)
        });
        Body::from_stream(stream)
    })
}

/// Reads every field, authenticating as soon as the file part starts.
async fn read_form(
    state: &AppState,
    space_id: i64,
    header_token: Option<String>,
    multipart: &mut Multipart,
    limit: u64,
) -> Result<(Participant, String, PublishForm), AppError> {
    let mut token = header_token;
    let mut person = None;
    let mut form = PublishForm::default();
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::invalid(
                Msg::new("error-upload-too-many-parts").arg("max", MAX_PARTS),
            ));
        }
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "lt" => {
                let value = read_text(field, "lt").await?;
                token.get_or_insert(value);
            }
            "title" => form.title = read_text(field, "title").await?,
            "description" => form.description = read_text(field, "description").await?,
            "link" => form.link = read_text(field, "link").await?,
            "file" => {
                if person.is_none() {
                    person = Some(sign_in(state, space_id, token.as_deref()).await?);
                }
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = read_file(field, limit).await?;
                // A browser sends an empty part when no file was chosen.
                if !file_name.is_empty() || !bytes.is_empty() {
                    form.file = Some(UploadedFile {
                        name: file_name,
                        bytes,
                    });
                }
            }
            other => {
                return Err(AppError::invalid(
                    Msg::new("error-upload-unknown-field").arg("field", format!("{other:?}")),
                ))
            }
        }
    }
    let person = match person {
        Some(person) => person,
        None => sign_in(state, space_id, token.as_deref()).await?,
    };
    let token = token.ok_or(AppError::NoSession)?;
    Ok((person, token, form))
}

async fn sign_in(
    state: &AppState,
    space_id: i64,
    token: Option<&str>,
) -> Result<Participant, AppError> {
    let token = token.ok_or(AppError::NoSession)?;
    let view = crate::web::rooms::write_session(state, token, space_id).await?;
    Ok(participant(space_id, view))
}

fn unreadable(error: MultipartError) -> AppError {
    AppError::invalid(Msg::new("error-upload-unreadable").arg("reason", error.body_text()))
}

async fn read_text(mut field: Field<'_>, name: &str) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_TEXT_FIELD_BYTES {
            return Err(AppError::invalid(
                Msg::new("error-upload-field-too-long")
                    .arg("field", name)
                    .arg("max", MAX_TEXT_FIELD_BYTES),
            ));
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| AppError::invalid(Msg::new("error-upload-field-utf8").arg("field", name)))
}

async fn read_file(mut field: Field<'_>, limit: u64) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> AppError {
    AppError::invalid(Msg::new("error-upload-too-large").arg("limit", describe_bytes(limit)))
}

/// "10 MiB (10485760 bytes)" for whole mebibytes, otherwise "1000 bytes".
pub fn describe_bytes(bytes: u64) -> Msg {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        Msg::new("error-size-mib")
            .arg("mib", bytes / MIB)
            .arg("bytes", bytes)
    } else {
        Msg::new("error-size-bytes").arg("bytes", bytes)
    }
}

fn check_title(title: &str) -> Result<String, AppError> {
    let trimmed = title.trim();
    let length = trimmed.chars().count();
    if length == 0 || length > MAX_TITLE_CHARS {
        return Err(text_length("title", MAX_TITLE_CHARS, length));
    }
    Ok(trimmed.to_string())
}

fn check_description(description: &str) -> Result<String, AppError> {
    let trimmed = description.trim();
    let length = trimmed.chars().count();
    if length > markdown::MAX_BODY_CHARS {
        return Err(too_long("description", markdown::MAX_BODY_CHARS, length));
    }
    Ok(trimmed.to_string())
}

/// Checks that a link is an http or https URL with a host. Returns `None` for an empty field.
fn check_link(link: &str) -> Result<Option<String>, AppError> {
    let trimmed = link.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > MAX_LINK_CHARS {
        return Err(AppError::invalid(
            Msg::new("error-field-longer-than")
                .arg("field", "link")
                .arg("max", MAX_LINK_CHARS),
        ));
    }
    let url = url::Url::parse(trimmed).map_err(|error| {
        AppError::invalid(
            Msg::new("error-upload-link")
                .arg("link", format!("{trimmed:?}"))
                .arg("reason", error.to_string()),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(AppError::invalid(
            Msg::new("error-upload-link-scheme").arg("link", format!("{trimmed:?}")),
        ));
    }
    Ok(Some(url.to_string()))
}

/// Strips any folder a browser may send and any control characters from a file name.
/// The name is only shown and sent back in `Content-Disposition`, because files are
/// stored under server-generated names.
fn clean_file_name(raw: &str) -> Result<String, AppError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(AppError::invalid("error-upload-file-unnamed"));
    }
    let length = cleaned.chars().count();
    if length > MAX_FILE_NAME_CHARS {
        return Err(AppError::invalid(
            Msg::new("error-upload-file-name-length")
                .arg("length", length)
                .arg("max", MAX_FILE_NAME_CHARS),
        ));
    }
    Ok(cleaned.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_be_web_urls() {
        assert_eq!(
            check_link(" https://example.edu/work ").unwrap().as_deref(),
            Some("https://example.edu/work")
        );
        assert_eq!(check_link("").unwrap(), None);
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "ftp://example.edu/file",
            "example.edu",
            "file:///etc/passwd",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names_lose_folders() {
        assert_eq!(
            clean_file_name("C:\\Users\\anna\\report.pdf").unwrap(),
            "report.pdf"
        );
        assert_eq!(
            clean_file_name("../../etc/passwd.txt").unwrap(),
            "passwd.txt"
        );
        assert_eq!(clean_file_name("a\r\nb.txt").unwrap(), "ab.txt");
        assert!(clean_file_name("  ").is_err());
        assert!(clean_file_name(&format!("{}.pdf", "x".repeat(200))).is_err());
    }

    #[test]
    fn limits_described_for_people() {
        assert_eq!(
            describe_bytes(10 * 1024 * 1024).to_string(),
            "10 MiB (10485760 bytes)"
        );
        assert_eq!(describe_bytes(1000).to_string(), "1000 bytes");
    }
}
