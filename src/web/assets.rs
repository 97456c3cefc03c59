//! Stylesheet and scripts, compiled into the binary so a deployment is one file.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "cowork.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/cowork.css"),
    ),
    (
        "space.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/space.js"),
    ),
    (
        "chat-socket.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/chat-socket.js"),
    ),
    (
        "chat-view.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/chat-view.js"),
    ),
    (
        "chat.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/chat.js"),
    ),
    (
        "grades.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/grades.js"),
    ),
    (
        "roster.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/roster.js"),
    ),
    (
        "manage.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/manage.js"),
    ),
    (
        "privacy.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/privacy.js"),
    ),
    (
        "events.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/events.js"),
    ),
    (
        "autosubmit.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/autosubmit.js"),
    ),
    (
        "registered.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/registered.js"),
    ),
    (
        "demo.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/demo.js"),
    ),
    (
        "help.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/help.js"),
    ),
    (
        "partners.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/partners.js"),
    ),
    (
        "showcase.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/showcase.js"),
    ),
    (
        "focus.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/focus.js"),
    ),
    (
        "questionnaires.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/questionnaires.js"),
    ),
];

pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(asset, _, _)| *asset == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => AppError::NotFound.into_response(),
    }
}
