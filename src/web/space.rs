//! The coworking space page, reachable only with a session for that space.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::lti::claims::SpaceRole;
use crate::session::{self, TOKEN_PARAM};
use crate::store::{Member, SessionView};
use crate::unix_now;

/// How many recent members the page lists.
const MEMBER_LIST_LIMIT: i64 = 50;

struct MemberRow {
    name: String,
    role: &'static str,
    role_label: &'static str,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "space.html")]
struct SpacePage {
    space_id: i64,
    token: String,
    document_target: String,
    course_title: String,
    course_label: String,
    activity_title: String,
    user_name: String,
    role: &'static str,
    role_label: &'static str,
    return_url: String,
    members: Vec<MemberRow>,
}

/// Finds the session for `space_id` from the `lt` parameter or, failing that, the cookie.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
    space_id: i64,
) -> Result<SessionView, AppError> {
    let cookie_token = session::token_from_cookies(headers, space_id);
    let mut wrong_space = false;
    for token in query_token.into_iter().chain(cookie_token.as_deref()) {
        let Some((session_id, token_space)) = state.session_key.verify(token) else {
            continue;
        };
        if token_space != space_id {
            wrong_space = true;
            continue;
        }
        if let Some(view) = state.store.session(&session_id, unix_now()).await? {
            if view.space_id == space_id {
                return Ok(view);
            }
            wrong_space = true;
        }
    }
    Err(if wrong_space {
        AppError::WrongSpace
    } else {
        AppError::NoSession
    })
}

pub async fn space_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let token = query.get(TOKEN_PARAM).map(String::as_str);
    render_space(&state, &headers, token, space_id)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn render_space(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
    space_id: i64,
) -> Result<Response, AppError> {
    let view = authenticate(state, headers, query_token, space_id).await?;
    let now = unix_now();
    let members = state
        .store
        .recent_members(
            space_id,
            now - state.config.recent_presence_secs,
            MEMBER_LIST_LIMIT,
        )
        .await?;
    let token = state
        .session_key
        .issue(&view.session_id, space_id, view.expires_at);
    let role = SpaceRole::parse(&view.role);
    let page = SpacePage {
        space_id,
        token,
        document_target: view.document_target.clone().unwrap_or_default(),
        course_title: view
            .context_title
            .clone()
            .unwrap_or_else(|| "Course".into()),
        course_label: view.context_label.clone().unwrap_or_default(),
        activity_title: view
            .resource_link_title
            .clone()
            .unwrap_or_else(|| "Coworking space".into()),
        user_name: view.user_name.clone().unwrap_or_else(|| "Anonymous".into()),
        role: role.as_str(),
        role_label: role_label(role),
        return_url: view
            .return_url
            .as_deref()
            .filter(|u| is_web_url(u))
            .unwrap_or("")
            .to_string(),
        members: members
            .into_iter()
            .filter(|member| Some(member.user_id) != view.user_id)
            .map(|member| member_row(member, now))
            .collect(),
    };
    let html = page
        .render()
        .map_err(|error| AppError::Internal(format!("space page failed to render: {error}")))?;
    Ok(Html(html).into_response())
}

/// Reports whether the session cookie for a space reached the server. The space page
/// asks this without its `lt` token to learn whether the browser keeps cookies in the
/// frame, and offers a new window when it does not.
pub async fn session_probe(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let space_id = query
        .get("space")
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| AppError::NotFound.respond(&headers))?;
    let cookie_works = authenticate(&state, &headers, None, space_id).await.is_ok();
    Ok(Json(json!({ "cookie": cookie_works })))
}

fn role_label(role: SpaceRole) -> &'static str {
    match role {
        SpaceRole::Admin => "Administrator",
        SpaceRole::Teacher => "Teacher",
        SpaceRole::Student => "Student",
        SpaceRole::Guest => "Guest",
    }
}

fn member_row(member: Member, now: i64) -> MemberRow {
    let role = SpaceRole::parse(&member.role);
    MemberRow {
        name: member.name.unwrap_or_else(|| "Unnamed participant".into()),
        role: role.as_str(),
        role_label: role_label(role),
        last_seen: relative_time(now - member.last_seen_at),
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
fn relative_time(seconds_ago: i64) -> String {
    let plural = |count: i64, unit: &str| {
        if count == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{count} {unit}s ago")
        }
    };
    match seconds_ago {
        s if s < 60 => "just now".into(),
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s => plural(s / 86_400, "day"),
    }
}

/// Only http(s) links from a platform are rendered, so a `javascript:` return URL
/// cannot become a clickable script.
fn is_web_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|parsed| matches!(parsed.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_time_units() {
        assert_eq!(relative_time(5), "just now");
        assert_eq!(relative_time(60), "1 minute ago");
        assert_eq!(relative_time(7200), "2 hours ago");
        assert_eq!(relative_time(86_400 * 3), "3 days ago");
    }

    #[test]
    fn only_web_urls_rendered() {
        assert!(is_web_url(
            "https://moodle.example.edu/mod/lti/return.php?course=2"
        ));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,<script>alert(1)</script>"));
    }
}
