//! The one error type of the HTTP layer. A person gets a page, a program (`Accept:
//! application/json`) gets JSON; internal detail is logged here, once, and never sent.
//! Messages and hints are Fluent messages, sent in the person's language (see
//! [`crate::web::language`]); the machine-readable code stays the same in every language.

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::{Lang, Msg, Tr};
use crate::lti::error::LaunchError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 401: a launch failed a named check.
    #[error("{0}")]
    Launch(LaunchError),
    /// 401: a login initiation failed a named check.
    #[error("{0}")]
    Login(LaunchError),
    /// 403: a WebSocket or form request came from a page of another origin.
    #[error("request from a foreign origin")]
    ForeignOrigin,
    /// 403: the person's role does not allow the action.
    #[error("forbidden: {0}")]
    Forbidden(Msg),
    /// 400: the request is malformed; the text says what to change.
    #[error("invalid request: {0}")]
    Invalid(Msg),
    /// 401: the request carries no valid session for this space.
    #[error("no valid session")]
    NoSession,
    /// 403: the session is valid but for another space.
    #[error("session belongs to another space")]
    WrongSpace,
    /// 403: a dynamic registration came without a valid invitation or allowed host.
    #[error("registration rejected: {0}")]
    RegistrationRejected(Msg),
    /// 502: the platform's side of a dynamic registration failed. The text describes the
    /// platform's reply and stays in English in every language.
    #[error("registration failed: {0}")]
    RegistrationFailed(String),
    /// 502: the platform's membership service or its token service failed. The text
    /// describes the platform's reply and stays in English in every language.
    #[error("roster refresh failed: {0}")]
    RosterFailed(String),
    /// 404
    #[error("not found")]
    NotFound,
    /// 429: a rate limit of the registration or the person was reached.
    #[error("rate limit reached: {limit:?}, retry after {retry_after_secs} s")]
    RateLimited {
        limit: RateLimit,
        retry_after_secs: u64,
    },
    /// 503: a registration has as many logins in progress as cowork stores for it.
    #[error("login states full, retry after {retry_after_secs} s")]
    LoginStatesFull { retry_after_secs: u64 },
    /// 413: the request body is larger than the limit of its route.
    #[error("request body larger than {limit_bytes} bytes")]
    BodyTooLarge { limit_bytes: usize },
    /// 401: the WebSocket came without a valid connection token.
    #[error("no valid WebSocket token")]
    NoSocketToken,
    /// 503: the database did not answer.
    #[error("storage unavailable: {0}")]
    Storage(#[from] StoreError),
    /// 500: anything else; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The rate limit that a request reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    /// Login initiations of one platform registration.
    Logins,
    /// Launches of one platform registration.
    Launches,
    /// Writes (chat messages, uploads, changes) of one person.
    Writes,
}

/// The error as sent, with the content type chosen from the request's `Accept` header.
pub struct ErrorResponse {
    pub error: AppError,
    pub wants_json: bool,
}

/// The content of an error response before its language is chosen. [`ErrorResponse`]
/// renders it in English and leaves a copy in the response's extensions, so that
/// `web::language::localize_errors` can render it again in the person's language.
#[derive(Debug, Clone)]
pub struct ErrorDetails {
    pub status: StatusCode,
    /// The machine-readable code, the same in every language.
    pub code: &'static str,
    pub message: Msg,
    pub hint: Msg,
    pub wants_json: bool,
    /// Seconds for the `Retry-After` header.
    pub retry_after_secs: Option<u64>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    title: &'a str,
    message: &'a str,
    hint: &'a str,
    code: &'a str,
}

impl AppError {
    /// Builds a 400 error; `reason` names what to change.
    pub fn invalid(reason: impl Into<Msg>) -> Self {
        AppError::Invalid(reason.into())
    }

    /// Builds a 403 error; `reason` names what the person may not do.
    pub fn forbidden(reason: impl Into<Msg>) -> Self {
        AppError::Forbidden(reason.into())
    }

    /// Builds a 400 error for a body that is not the expected JSON. The reason is axum's
    /// text, in English in every language.
    /// A body cut off at the body limit, which happens when it came without a length,
    /// becomes the same 413 as a body whose declared length is over the limit.
    pub fn bad_json(rejection: &JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::BodyTooLarge {
                limit_bytes: crate::app::MAX_BODY_BYTES,
            };
        }
        AppError::invalid(Msg::new("error-json-body").arg("reason", rejection.body_text()))
    }

    fn details(&self, wants_json: bool) -> ErrorDetails {
        let retry_after_secs = match self {
            AppError::RateLimited {
                retry_after_secs, ..
            }
            | AppError::LoginStatesFull { retry_after_secs } => Some(*retry_after_secs),
            // The database usually returns within seconds: a restart or a released lock.
            AppError::Storage(_) => Some(STORAGE_RETRY_AFTER_SECS),
            _ => None,
        };
        let (status, code, message, hint) = match self {
            AppError::Launch(error) => (
                StatusCode::UNAUTHORIZED,
                error.check.code(),
                Msg::new("error-launch-rejected").arg("detail", error.detail.clone()),
                Msg::new(error.check.hint_id()),
            ),
            AppError::Login(error) => (
                StatusCode::UNAUTHORIZED,
                error.check.code(),
                Msg::new("error-login-rejected").arg("detail", error.detail.clone()),
                Msg::new(error.check.hint_id()),
            ),
            AppError::ForeignOrigin => (
                StatusCode::FORBIDDEN,
                "foreign_origin",
                Msg::new("error-foreign-origin"),
                Msg::new("error-foreign-origin-hint"),
            ),
            AppError::Forbidden(reason) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                Msg::new("error-forbidden").arg("reason", reason.clone()),
                Msg::new("error-forbidden-hint"),
            ),
            AppError::Invalid(reason) => (
                StatusCode::BAD_REQUEST,
                "invalid",
                Msg::new("error-invalid").arg("reason", reason.clone()),
                Msg::new("error-invalid-hint"),
            ),
            AppError::NoSession => (
                StatusCode::UNAUTHORIZED,
                "session_missing",
                Msg::new("error-session-missing"),
                Msg::new("error-session-missing-hint"),
            ),
            AppError::WrongSpace => (
                StatusCode::FORBIDDEN,
                "wrong_space",
                Msg::new("error-wrong-space"),
                Msg::new("error-wrong-space-hint"),
            ),
            AppError::RegistrationRejected(reason) => (
                StatusCode::FORBIDDEN,
                "registration_rejected",
                Msg::new("error-registration-rejected").arg("reason", reason.clone()),
                Msg::new("error-registration-rejected-hint"),
            ),
            AppError::RegistrationFailed(reason) => (
                StatusCode::BAD_GATEWAY,
                "registration_failed",
                Msg::new("error-registration-failed").arg("reason", reason.as_str()),
                Msg::new("error-registration-failed-hint"),
            ),
            AppError::RosterFailed(reason) => (
                StatusCode::BAD_GATEWAY,
                "roster_failed",
                Msg::new("error-roster-failed").arg("reason", reason.as_str()),
                Msg::new("error-roster-failed-hint"),
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                Msg::new("error-not-found"),
                Msg::new("error-not-found-hint"),
            ),
            AppError::RateLimited {
                limit,
                retry_after_secs,
            } => {
                let seconds = *retry_after_secs;
                let (message, hint) = match limit {
                    RateLimit::Logins => (
                        Msg::new("error-rate-logins").arg("seconds", seconds),
                        Msg::new("error-rate-logins-hint"),
                    ),
                    RateLimit::Launches => (
                        Msg::new("error-rate-launches").arg("seconds", seconds),
                        Msg::new("error-rate-launches-hint"),
                    ),
                    RateLimit::Writes => (
                        Msg::new("error-rate-writes").arg("seconds", seconds),
                        Msg::new("error-rate-writes-hint"),
                    ),
                };
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited", message, hint)
            }
            AppError::LoginStatesFull { retry_after_secs } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "login_states_full",
                Msg::new("error-login-states-full").arg("seconds", *retry_after_secs),
                Msg::new("error-login-states-full-hint"),
            ),
            AppError::BodyTooLarge { limit_bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                Msg::new("error-body-too-large").arg("kib", limit_bytes / 1024),
                Msg::new("error-body-too-large-hint"),
            ),
            AppError::NoSocketToken => (
                StatusCode::UNAUTHORIZED,
                "socket_token_invalid",
                Msg::new("error-socket-token"),
                Msg::new("error-socket-token-hint"),
            ),
            AppError::Storage(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                Msg::new("error-storage-unavailable"),
                Msg::new("error-storage-unavailable-hint"),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                Msg::new("error-internal"),
                Msg::new("error-internal-hint"),
            ),
        };
        ErrorDetails {
            status,
            code,
            message,
            hint,
            wants_json,
            retry_after_secs,
        }
    }

    /// Pairs the error with the request's preference for JSON.
    pub fn respond(self, headers: &HeaderMap) -> ErrorResponse {
        ErrorResponse {
            error: self,
            wants_json: wants_json(headers),
        }
    }
}

impl ErrorDetails {
    /// Renders the error as JSON or as an HTML page in `lang`.
    pub fn render(&self, lang: Lang) -> Response {
        let tr = Tr::new(lang);
        let message = tr.message(&self.message);
        let hint = tr.message(&self.hint);
        let mut response = self.render_body(tr, &message, &hint);
        if let Some(seconds) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }

    fn render_body(&self, tr: Tr, message: &str, hint: &str) -> Response {
        if self.wants_json {
            let mut body = json!({ "error": self.code, "message": message, "hint": hint });
            if let Some(seconds) = self.retry_after_secs {
                body["retry_after_secs"] = json!(seconds);
            }
            return (self.status, axum::Json(body)).into_response();
        }
        let title = tr.t(title_id(self.status));
        let page = ErrorPage {
            tr,
            title: &title,
            message,
            hint,
            code: self.code,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, "error page failed to render");
                (self.status, message.to_string()).into_response()
            }
        }
    }
}

/// Seconds a client is asked to wait before retrying when the database is unavailable.
const STORAGE_RETRY_AFTER_SECS: u64 = 5;

/// Returns the message id of the error page's title for `status`.
fn title_id(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "error-title-bad-request",
        StatusCode::UNAUTHORIZED => "error-title-unauthorized",
        StatusCode::FORBIDDEN => "error-title-forbidden",
        StatusCode::NOT_FOUND => "error-title-not-found",
        StatusCode::INTERNAL_SERVER_ERROR => "error-title-internal",
        StatusCode::BAD_GATEWAY => "error-title-bad-gateway",
        StatusCode::PAYLOAD_TOO_LARGE => "error-title-too-large",
        StatusCode::TOO_MANY_REQUESTS => "error-title-too-many-requests",
        StatusCode::SERVICE_UNAVAILABLE => "error-title-unavailable",
        _ => "error-title",
    }
}

/// True when the client asks for JSON and does not ask for HTML first.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let json_at = accept.find("application/json");
    let html_at = accept.find("text/html");
    match (json_at, html_at) {
        (Some(json), Some(html)) => json < html,
        (Some(_), None) => true,
        _ => false,
    }
}

impl From<crate::keys::KeyAtRestError> for AppError {
    fn from(error: crate::keys::KeyAtRestError) -> Self {
        match error {
            crate::keys::KeyAtRestError::Store(error) => AppError::Storage(error),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ErrorResponse {
    fn into_response(self) -> Response {
        match &self.error {
            AppError::Storage(error) => tracing::error!(%error, "storage error"),
            AppError::Internal(error) => tracing::error!(%error, "internal error"),
            _ => {}
        }
        let details = self.error.details(self.wants_json);
        let mut response = details.render(Lang::En);
        response.extensions_mut().insert(details);
        response
    }
}

impl IntoResponse for AppError {
    /// Renders as HTML; handlers that know the request's `Accept` use [`AppError::respond`].
    fn into_response(self) -> Response {
        ErrorResponse {
            error: self,
            wants_json: false,
        }
        .into_response()
    }
}
