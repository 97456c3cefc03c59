//! The coworking space page, reachable only with a session for that space.

use std::collections::HashMap;
use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::app::AppState;
use crate::chat::markdown::MAX_BODY_CHARS;
use crate::chat::protocol::{REACTIONS, STATUSES};
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Lang, Tr};
use crate::lti::claims::SpaceRole;
use crate::session::{self, TOKEN_PARAM};
use crate::store::{Member, SessionView};
use crate::unix_now;
use crate::web::language;

/// How many recent members the page lists.
const MEMBER_LIST_LIMIT: i64 = 50;

struct MemberRow {
    user_id: i64,
    name: String,
    role: &'static str,
    role_label: String,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "space.html")]
struct SpacePage {
    tr: Tr,
    space_id: i64,
    token: String,
    document_target: String,
    course_title: String,
    course_label: String,
    activity_title: String,
    user_name: String,
    role: &'static str,
    role_label: String,
    return_url: String,
    members: Vec<MemberRow>,
    /// The reactions a person can add, separated by spaces.
    reactions: String,
    /// The presence statuses a person can choose, separated by spaces.
    statuses: String,
    max_body_chars: usize,
    /// The chat's user-visible strings as JSON, safe inside a `<script>` element.
    strings_json: String,
}

/// Finds the session for `space_id` from the `lt` parameter or, failing that, the cookie,
/// and notes its locale as the language of the request's errors.
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
                language::note_locale(view.locale.as_deref());
                super::security::note_frame_ancestor(&view.platform_origin);
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
    let tr = Tr::for_locale(view.locale.as_deref());
    let page = SpacePage {
        tr,
        space_id,
        token,
        document_target: view.document_target.clone().unwrap_or_default(),
        course_title: view
            .context_title
            .clone()
            .unwrap_or_else(|| tr.t("space-default-course")),
        course_label: view.context_label.clone().unwrap_or_default(),
        activity_title: view
            .resource_link_title
            .clone()
            .unwrap_or_else(|| tr.t("space-default-activity")),
        user_name: view
            .user_name
            .clone()
            .unwrap_or_else(|| tr.t("space-anonymous")),
        role: role.as_str(),
        role_label: role_label(&tr, role),
        return_url: view
            .return_url
            .as_deref()
            .filter(|u| is_web_url(u))
            .unwrap_or("")
            .to_string(),
        members: members
            .into_iter()
            .filter(|member| Some(member.user_id) != view.user_id)
            .map(|member| member_row(&tr, member, now))
            .collect(),
        reactions: REACTIONS.join(" "),
        statuses: STATUSES.join(" "),
        max_body_chars: MAX_BODY_CHARS,
        strings_json: chat_strings_json(tr.lang).to_string(),
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

/// Serializes `value` for a `<script type="application/json">` element. Escaping `<`
/// keeps `</script>` and `<!--` in a string from ending or changing the element.
fn script_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .expect("JSON values serialize")
        .replace('<', "\\u003c")
}

/// Keys of the chat scripts' strings (`assets/chat*.js`) and the `{placeholders}` each
/// contains. The text is the Fluent message `chat-KEY` (underscores as hyphens), whose
/// variables are filled with the literal placeholders for the scripts to replace.
const CHAT_STRINGS: &[(&str, &[&str])] = &[
    ("connecting", &[]),
    ("connected", &[]),
    ("reconnecting", &[]),
    ("not_connected", &[]),
    ("request_failed", &["message"]),
    ("room_closed", &[]),
    ("room_kind_open", &[]),
    ("room_kind_team", &[]),
    ("room_kind_quiet", &[]),
    ("room_kind_discussion", &[]),
    ("open_space_intro", &[]),
    ("message_in_room", &["room"]),
    ("role_admin", &[]),
    ("role_teacher", &[]),
    ("role_student", &[]),
    ("role_guest", &[]),
    ("status_available", &[]),
    ("status_busy", &[]),
    ("status_dnd", &[]),
    ("you", &[]),
    ("in_room", &["room"]),
    ("nobody_online", &[]),
    ("load_older", &[]),
    ("loading_older", &[]),
    ("edited", &[]),
    ("edited_at", &["time"]),
    ("pinned", &[]),
    ("hidden_from_students", &[]),
    ("hidden_by_teacher", &[]),
    ("message_deleted", &[]),
    ("mentions_you", &[]),
    ("stance_shown", &["stance"]),
    ("in_reply_to", &["name"]),
    ("reply_to_earlier", &[]),
    ("reactions", &[]),
    ("reaction_count", &["emoji", "count"]),
    ("react_with", &["emoji"]),
    ("add_reaction", &[]),
    ("reply", &[]),
    ("edit", &[]),
    ("delete", &[]),
    ("pin", &[]),
    ("unpin", &[]),
    ("hide", &[]),
    ("unhide", &[]),
    ("confirm_delete", &[]),
    ("send", &[]),
    ("save", &[]),
    ("replying_to", &["name"]),
    ("editing", &[]),
    ("no_position", &[]),
];

/// Returns the chat scripts' strings by key, translated.
/// Returns the chat scripts' strings in `lang` as script JSON. They are formatted once per
/// language, because every space page carries them.
fn chat_strings_json(lang: Lang) -> &'static str {
    static EN: OnceLock<String> = OnceLock::new();
    static RU: OnceLock<String> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    };
    cell.get_or_init(|| script_json(&chat_strings(&Tr::new(lang))))
}

fn chat_strings(tr: &Tr) -> serde_json::Value {
    let map = CHAT_STRINGS
        .iter()
        .map(|(key, placeholders)| {
            let id = format!("chat-{}", key.replace('_', "-"));
            let args: Vec<(&str, String)> = placeholders
                .iter()
                .map(|name| (*name, format!("{{{name}}}")))
                .collect();
            (
                key.to_string(),
                serde_json::Value::from(tr.with_args(&id, &args)),
            )
        })
        .collect();
    serde_json::Value::Object(map)
}

fn role_label(tr: &Tr, role: SpaceRole) -> String {
    tr.t(&format!("role-{}", role.as_str()))
}

fn member_row(tr: &Tr, member: Member, now: i64) -> MemberRow {
    let role = SpaceRole::parse(&member.role);
    MemberRow {
        user_id: member.user_id,
        name: member.name.unwrap_or_else(|| tr.t("space-unnamed")),
        role: role.as_str(),
        role_label: role_label(tr, role),
        last_seen: relative_time(tr, now - member.last_seen_at),
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago", in the page's language.
fn relative_time(tr: &Tr, seconds_ago: i64) -> String {
    match seconds_ago {
        s if s < 60 => tr.t("just-now"),
        s if s < 3600 => tr.count("minutes-ago", s / 60),
        s if s < 86_400 => tr.count("hours-ago", s / 3600),
        s => tr.count("days-ago", s / 86_400),
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
    use crate::i18n::Lang;

    #[test]
    fn relative_time_units() {
        let tr = Tr::new(Lang::En);
        assert_eq!(relative_time(&tr, 5), "just now");
        assert_eq!(relative_time(&tr, 60), "1 minute ago");
        assert_eq!(relative_time(&tr, 7200), "2 hours ago");
        assert_eq!(relative_time(&tr, 86_400 * 3), "3 days ago");
        let ru = Tr::new(Lang::Ru);
        assert_eq!(relative_time(&ru, 86_400 * 3), "3 дня назад");
    }

    #[test]
    fn script_json_escapes_markup() {
        let value = json!({"text": "</script><!-- <b>"});
        let text = script_json(&value);
        assert!(!text.contains('<'), "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, value, "the escaped JSON parses to the same value");
    }

    /// Collects every key the chat scripts look up, written as `t("key"` or
    /// `showConnection("key"`. A key followed by `+` is a prefix, such as
    /// `t("status_" + status)`, and gets a `*` at its end.
    fn keys_in_scripts() -> Vec<String> {
        let scripts = [
            include_str!("../../assets/chat.js"),
            include_str!("../../assets/chat-view.js"),
            include_str!("../../assets/chat-socket.js"),
        ];
        let mut keys = Vec::new();
        for script in scripts {
            for function in ["t", "showConnection"] {
                let call = format!("{function}(\"");
                for (start, _) in script.match_indices(&call) {
                    // Skip longer names that end the same way, such as `split("`.
                    let before = script[..start].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                        continue;
                    }
                    let rest = &script[start + call.len()..];
                    let end = rest.find('"').unwrap();
                    let key = &rest[..end];
                    if rest[end + 1..].trim_start().starts_with('+') {
                        keys.push(format!("{key}*"));
                    } else {
                        keys.push(key.to_string());
                    }
                }
            }
        }
        keys
    }

    #[test]
    fn chat_strings_cover_scripts() {
        let strings = chat_strings(&Tr::new(Lang::En));
        let defined = strings.as_object().unwrap();
        let (prefixes, used): (Vec<String>, Vec<String>) = keys_in_scripts()
            .into_iter()
            .partition(|key| key.ends_with('*'));
        assert!(used.len() > 30, "too few keys found: {used:?}");

        for key in &used {
            assert!(defined.contains_key(key), "chat_strings() lacks {key:?}");
        }
        for prefix in &prefixes {
            assert!(
                ["role_*", "status_*", "room_kind_*"].contains(&prefix.as_str()),
                "a script builds keys from {prefix:?}, which this test does not check"
            );
        }

        // Keys the scripts build from a prefix and a value from the server.
        let roles = ["admin", "teacher", "student", "guest"].map(|r| format!("role_{r}"));
        let statuses = STATUSES.map(|s| format!("status_{s}"));
        let kinds = ["open", "team", "quiet", "discussion"].map(|k| format!("room_kind_{k}"));
        let built: Vec<&String> = roles.iter().chain(&statuses).chain(&kinds).collect();
        for key in &built {
            assert!(
                defined.contains_key(key.as_str()),
                "chat_strings() lacks {key:?}"
            );
        }

        for key in defined.keys() {
            assert!(
                used.contains(key) || built.contains(&key),
                "chat_strings() has {key:?}, which no script uses"
            );
        }
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
