//! Pages that need no session: the front page, health, the tool JWKS, and the response to
//! a plain GET of the launch URL.

use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::{keys, unix_now};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    launch_url: String,
    login_url: String,
    jwks_url: String,
}

#[derive(Template)]
#[template(path = "info.html")]
struct InfoPage<'a> {
    heading: &'a str,
    paragraphs: &'a [&'a str],
}

/// A form that the browser submits at once, moving it on with a POST as LTI requires;
/// its button is there for browsers without JavaScript.
#[derive(Template)]
#[template(path = "autopost.html")]
pub struct AutoPost {
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub lang: &'static str,
    pub message: String,
    pub button: String,
    pub skip_link: String,
}

impl AutoPost {
    /// Builds an English form, as the demo platform shows it.
    pub fn english(action: String, fields: Vec<(String, String)>) -> Self {
        Self {
            action,
            fields,
            lang: "en",
            message: "Continuing to cowork…".into(),
            button: "Continue".into(),
            skip_link: "Skip to content".into(),
        }
    }
}

fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    template
        .render()
        .map(Html)
        .map_err(|error| AppError::Internal(format!("template failed to render: {error}")))
}

pub async fn home(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    render(&HomePage {
        launch_url: state.config.url_for("/lti/launch"),
        login_url: state.config.url_for("/lti/login"),
        jwks_url: state.config.url_for("/.well-known/jwks.json"),
    })
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// How long `/readyz` waits for the database to return the result of `SELECT 1`.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Reports readiness: 200 when the database returns `SELECT 1` within [`READY_TIMEOUT`], else
/// 503. The body names the failed check but not the database error, which goes to the log.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let message = match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => {
            return Json(json!({ "status": "ready", "database": "ok" })).into_response();
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database query failed");
            "The database query SELECT 1 failed.".to_string()
        }
        Err(_) => {
            tracing::warn!(
                timeout_secs = READY_TIMEOUT.as_secs(),
                "readiness check: database did not answer in time"
            );
            format!(
                "The database did not answer SELECT 1 within {} seconds.",
                READY_TIMEOUT.as_secs()
            )
        }
    };
    let body = json!({
        "status": "unavailable",
        "error": "database_unavailable",
        "message": message,
        "hint": "Check that the database server is running and reachable at the configured \
                 database_url; the cowork log has the error.",
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

pub async fn jwks(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let set = keys::published_jwks(
        state.store.as_ref(),
        &state.key_vault,
        unix_now(),
        state.config.key_grace_secs,
    )
    .await
    .map_err(|error| AppError::from(error).respond(&headers))?;
    Ok(Json(set).into_response())
}

/// Moodle fetches the tool URL with a plain GET when a teacher saves an activity, and
/// people sometimes open it directly; both get an explanation instead of an error.
pub async fn launch_get() -> Result<Html<String>, AppError> {
    render(&InfoPage {
        heading: "This is cowork's launch address",
        paragraphs: &[
            "Courses open cowork here with an LTI 1.3 launch. Opened directly, this address has nothing to show.",
            "Students and teachers: open the cowork activity from your course page.",
        ],
    })
}

pub async fn not_found(headers: HeaderMap) -> Response {
    let mut response = AppError::NotFound.respond(&headers).into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
