//! The one error type of the HTTP layer. A person gets a page, a program (`Accept:
//! application/json`) gets JSON; internal detail is logged here, once, and never sent.

use askama::Template;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

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
    Forbidden(&'static str),
    /// 400: the request is malformed; the text says what to change.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// 401: the request carries no valid session for this space.
    #[error("no valid session")]
    NoSession,
    /// 403: the session is valid but for another space.
    #[error("session belongs to another space")]
    WrongSpace,
    /// 403: a dynamic registration came without a valid invitation or allowed host.
    #[error("registration rejected: {0}")]
    RegistrationRejected(String),
    /// 502: the platform's side of a dynamic registration failed, and the text explains how.
    #[error("registration failed: {0}")]
    RegistrationFailed(String),
    /// 502: the platform's membership service or its token service failed.
    #[error("roster refresh failed: {0}")]
    RosterFailed(String),
    /// 404
    #[error("not found")]
    NotFound,
    /// 503: the database did not answer.
    #[error("storage unavailable: {0}")]
    Storage(#[from] StoreError),
    /// 500: anything else; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The error as sent, with the content type chosen from the request's `Accept` header.
pub struct ErrorResponse {
    pub error: AppError,
    pub wants_json: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    hint: &'a str,
    code: &'a str,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String, &'static str) {
        match self {
            AppError::Launch(error) => (
                StatusCode::UNAUTHORIZED,
                error.check.code(),
                format!("The launch was rejected: {}.", error.detail),
                error.check.hint(),
            ),
            AppError::Login(error) => (
                StatusCode::UNAUTHORIZED,
                error.check.code(),
                format!("The login was rejected: {}.", error.detail),
                error.check.hint(),
            ),
            AppError::ForeignOrigin => (
                StatusCode::FORBIDDEN,
                "foreign_origin",
                "The request came from a page that is not part of cowork.".into(),
                "Open cowork from your course page.",
            ),
            AppError::Forbidden(reason) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("You cannot do this: {reason}."),
                "Ask a teacher of the course if you think you should.",
            ),
            AppError::Invalid(reason) => (
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("The request is invalid: {reason}."),
                "Correct the value and try again.",
            ),
            AppError::NoSession => (
                StatusCode::UNAUTHORIZED,
                "session_missing",
                "This page needs a launch from your course, and none was found or it has expired.".into(),
                "Open the activity again from the course page. If this keeps happening inside the course page, ask the teacher to set the activity to open in a new window.",
            ),
            AppError::WrongSpace => (
                StatusCode::FORBIDDEN,
                "wrong_space",
                "Your launch is for a different coworking space.".into(),
                "Open this activity from its own course page.",
            ),
            AppError::RegistrationRejected(reason) => (
                StatusCode::FORBIDDEN,
                "registration_rejected",
                format!("cowork did not accept this registration: {reason}."),
                "A cowork administrator creates a one-time registration link with `cowork platform invite`; paste that link as the tool URL in Moodle's LTI Advantage registration.",
            ),
            AppError::RegistrationFailed(reason) => (
                StatusCode::BAD_GATEWAY,
                "registration_failed",
                format!("The registration with the platform failed: {reason}."),
                "Check the platform's address and that it offers LTI Advantage registration, then start the registration again from the platform.",
            ),
            AppError::RosterFailed(reason) => (
                StatusCode::BAD_GATEWAY,
                "roster_failed",
                format!("The course roster could not be read from the platform: {reason}."),
                "Check that the tool may use the platform's Names and Role Provisioning service, then try again.",
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "There is no page at this address.".into(),
                "Check the link, or open cowork from your course.",
            ),
            AppError::Storage(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "cowork cannot reach its database right now.".into(),
                "Try again in a minute. If it persists, an administrator should check the database.",
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Something went wrong inside cowork.".into(),
                "Try again; if it persists, tell an administrator the time it happened.",
            ),
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

impl IntoResponse for ErrorResponse {
    fn into_response(self) -> Response {
        let (status, code, message, hint) = self.error.parts();
        match &self.error {
            AppError::Storage(error) => tracing::error!(%error, "storage error"),
            AppError::Internal(error) => tracing::error!(%error, "internal error"),
            _ => {}
        }
        if self.wants_json {
            let body = json!({ "error": code, "message": message, "hint": hint });
            return (status, axum::Json(body)).into_response();
        }
        let page = ErrorPage {
            title: status.canonical_reason().unwrap_or("Error"),
            message: &message,
            hint,
            code,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, "error page failed to render");
                (status, message).into_response()
            }
        }
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
