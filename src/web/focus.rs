//! Focus sessions in the quiet zone. A participant starts a timed session of 25, 50 or
//! 75 minutes with a stated goal, and others see who is focusing and how long is left.
//! At or after the end the participant checks in whether the goal was met. A session can
//! be abandoned before its end. Each person has at most one unfinished session.
//!
//! Time left is computed here from `ends_at`; the page polls the session list every 30
//! seconds. Writes carry the session token in the `X-Cowork-Token` header.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Msg, Tr};
use crate::session::TOKEN_PARAM;
use crate::store::chat::Interaction;
use crate::store::focus::{FocusSession, NewFocus};
use crate::unix_now;
use crate::web::help::{text_length, too_long};
use crate::web::rooms::{participant, TOKEN_HEADER};
use crate::web::showcase::{page_session, LocalTime};
use crate::web::space::authenticate;

/// The session lengths a participant can choose, in minutes.
pub const DURATIONS: [i64; 3] = [25, 50, 75];
/// The outcomes of a check-in.
pub const CHECK_IN_OUTCOMES: [&str; 3] = ["met", "partly", "not_met"];
const MAX_GOAL_CHARS: usize = 200;
const MAX_NOTE_CHARS: usize = 1000;
/// How many of a person's finished sessions the page lists.
const HISTORY_LIMIT: i64 = 5;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/focus", get(focus_page))
        .route(
            "/spaces/{space_id}/focus/sessions",
            get(list_sessions).post(start_session),
        )
        .route(
            "/spaces/{space_id}/focus/sessions/{session_id}/check-in",
            post(check_in),
        )
        .route(
            "/spaces/{space_id}/focus/sessions/{session_id}/abandon",
            post(abandon),
        )
}

/// Authenticates a request and picks the translator for the session's locale. Writes
/// (`query` is `None`) take the token from the `X-Cowork-Token` header only, because a
/// page of another site could make the browser send the cookie. Reads also accept the
/// `lt` parameter and the cookie.
async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&HashMap<String, String>>,
    space_id: i64,
) -> Result<(Participant, Tr), AppError> {
    let header_token = headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok());
    let view = match query {
        None => {
            let token = header_token.ok_or(AppError::NoSession)?;
            crate::web::rooms::write_session(state, token, space_id).await?
        }
        Some(query) => {
            let token = header_token.or(query.get(TOKEN_PARAM).map(String::as_str));
            authenticate(state, headers, token, space_id).await?
        }
    };
    let tr = Tr::for_locale(view.locale.as_deref());
    Ok((participant(space_id, view), tr))
}

fn user_of(person: &Participant) -> Result<i64, AppError> {
    person
        .user_id
        .ok_or(AppError::forbidden("error-focus-anonymous"))
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| AppError::bad_json(&rejection))
}

/// Whole minutes left, rounded up, so a session shows "1 minute left" until it ends.
fn minutes_left(session: &FocusSession, now: i64) -> i64 {
    let seconds = (session.ends_at - now).max(0);
    (seconds + 59) / 60
}

/// A session as the JSON API returns it, with the time left computed at `now`.
#[derive(Debug, Serialize)]
pub struct FocusView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub goal: String,
    pub minutes: i64,
    pub started_at: i64,
    pub ends_at: i64,
    pub seconds_left: i64,
    /// The time left in words, in the reader's language.
    pub time_left: String,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

impl FocusView {
    fn of(session: FocusSession, tr: &Tr, now: i64) -> Self {
        Self {
            seconds_left: (session.ends_at - now).max(0),
            time_left: tr.count("focus-minutes-left", minutes_left(&session, now)),
            id: session.id,
            user_id: session.user_id,
            name: session.user_name.unwrap_or_else(|| tr.t("focus-unnamed")),
            goal: session.goal,
            minutes: session.minutes,
            started_at: session.started_at,
            ends_at: session.ends_at,
            finished_at: session.finished_at,
            outcome: session.outcome,
            note: session.note,
        }
    }
}

#[derive(Debug, Serialize)]
struct SessionList {
    now: i64,
    /// The reader's unfinished session, running or waiting for its check-in.
    mine: Option<FocusView>,
    /// Everyone's running sessions, the soonest end first.
    running: Vec<FocusView>,
}

async fn list_sessions(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<SessionList>, ErrorResponse> {
    let run = async {
        let (person, tr) = sign_in(&state, &headers, Some(&query), space_id).await?;
        let now = unix_now();
        let mine = match person.user_id {
            Some(user_id) => state.store.open_focus(space_id, user_id).await?,
            None => None,
        };
        let running = state.store.running_focus(space_id, now).await?;
        Ok::<_, AppError>(Json(SessionList {
            now,
            mine: mine.map(|session| FocusView::of(session, &tr, now)),
            running: running
                .into_iter()
                .map(|session| FocusView::of(session, &tr, now))
                .collect(),
        }))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartForm {
    minutes: i64,
    goal: String,
}

async fn start_session(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<StartForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (person, tr) = sign_in(&state, &headers, None, space_id).await?;
        let user_id = user_of(&person)?;
        let request = body(payload)?;
        if !DURATIONS.contains(&request.minutes) {
            return Err(AppError::invalid(
                Msg::new("error-focus-minutes").arg("minutes", request.minutes),
            ));
        }
        let goal = request.goal.trim();
        let length = goal.chars().count();
        if length == 0 || length > MAX_GOAL_CHARS {
            return Err(text_length("goal", MAX_GOAL_CHARS, length));
        }
        let focus = NewFocus {
            space_id,
            user_id,
            goal: goal.to_string(),
            minutes: request.minutes,
        };
        let now = unix_now();
        let Some(session) = state.store.start_focus(&focus, now).await? else {
            return Err(AppError::invalid("error-focus-already-running"));
        };
        Ok((StatusCode::CREATED, Json(FocusView::of(session, &tr, now))).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Loads the caller's unfinished session `session_id`, or explains why they cannot finish it.
async fn own_open_session(
    state: &AppState,
    space_id: i64,
    session_id: i64,
    user_id: i64,
) -> Result<FocusSession, AppError> {
    let session = state
        .store
        .focus_session(space_id, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if session.user_id != user_id {
        return Err(AppError::forbidden("error-focus-not-owner"));
    }
    if let Some(outcome) = &session.outcome {
        return Err(AppError::invalid(
            Msg::new("error-focus-finished-with").arg("outcome", format!("{outcome:?}")),
        ));
    }
    Ok(session)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInForm {
    /// `met`, `partly` or `not_met`.
    outcome: String,
    #[serde(default)]
    note: Option<String>,
}

async fn check_in(
    State(state): State<AppState>,
    Path((space_id, session_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<CheckInForm>, JsonRejection>,
) -> Result<Json<FocusView>, ErrorResponse> {
    let run = async {
        let (person, tr) = sign_in(&state, &headers, None, space_id).await?;
        let user_id = user_of(&person)?;
        let request = body(payload)?;
        if !CHECK_IN_OUTCOMES.contains(&request.outcome.as_str()) {
            return Err(AppError::invalid(
                Msg::new("error-focus-outcome").arg("outcome", format!("{:?}", request.outcome)),
            ));
        }
        let note = request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|note| !note.is_empty());
        if let Some(length) = note.map(|note| note.chars().count()) {
            if length > MAX_NOTE_CHARS {
                return Err(too_long("note", MAX_NOTE_CHARS, length));
            }
        }
        let session = own_open_session(&state, space_id, session_id, user_id).await?;
        let now = unix_now();
        if now < session.ends_at {
            return Err(AppError::invalid(
                Msg::new("error-focus-still-running").arg("seconds", session.ends_at - now),
            ));
        }
        let finished = state
            .store
            .finish_focus(space_id, session_id, user_id, &request.outcome, note, now)
            .await?
            .ok_or_else(|| AppError::invalid("error-focus-finished"))?;
        let quiet_zone = state
            .store
            .rooms(space_id, true)
            .await?
            .into_iter()
            .find(|room| room.default_key.as_deref() == Some("quiet"))
            .map(|room| room.id);
        state
            .store
            .record_interaction(&Interaction {
                space_id,
                actor_id: user_id,
                target_id: None,
                room_id: quiet_zone,
                kind: "focus_completed".into(),
                subject_id: Some(session_id),
                created_at: now,
            })
            .await?;
        Ok::<_, AppError>(Json(FocusView::of(finished, &tr, now)))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn abandon(
    State(state): State<AppState>,
    Path((space_id, session_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<FocusView>, ErrorResponse> {
    let run = async {
        let (person, tr) = sign_in(&state, &headers, None, space_id).await?;
        let user_id = user_of(&person)?;
        let session = own_open_session(&state, space_id, session_id, user_id).await?;
        let now = unix_now();
        if now >= session.ends_at {
            return Err(AppError::invalid("error-focus-ended"));
        }
        let finished = state
            .store
            .finish_focus(space_id, session_id, user_id, "abandoned", None, now)
            .await?
            .ok_or_else(|| AppError::invalid("error-focus-finished"))?;
        Ok::<_, AppError>(Json(FocusView::of(finished, &tr, now)))
    };
    run.await.map_err(|error| error.respond(&headers))
}

struct RunningRow {
    name: String,
    goal: String,
    time_left: String,
    ends: LocalTime,
    is_me: bool,
}

struct HistoryRow {
    goal: String,
    duration: String,
    outcome: String,
    note: String,
    finished: LocalTime,
}

/// The reader's unfinished session as the page shows it.
struct MySession {
    id: i64,
    goal: String,
    duration: String,
    started: LocalTime,
    ends: LocalTime,
    time_left: String,
    /// True once `ends_at` has passed and the check-in is due.
    ended: bool,
}

#[derive(Template)]
#[template(path = "focus.html")]
struct FocusPage {
    tr: Tr,
    space_id: i64,
    token: String,
    course_title: String,
    can_focus: bool,
    mine: Option<MySession>,
    running: Vec<RunningRow>,
    history: Vec<HistoryRow>,
    /// Each choosable length in minutes, with its label.
    durations: Vec<(i64, String)>,
    max_goal_chars: usize,
    max_note_chars: usize,
    strings_json: String,
}

async fn focus_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let course_title = view
            .context_title
            .clone()
            .unwrap_or_else(|| tr.t("space-default-course"));
        let person = participant(space_id, view);
        let now = unix_now();
        let (mine, history) = match person.user_id {
            Some(user_id) => (
                state.store.open_focus(space_id, user_id).await?,
                state
                    .store
                    .finished_focus(space_id, user_id, HISTORY_LIMIT)
                    .await?,
            ),
            None => (None, Vec::new()),
        };
        let running = state.store.running_focus(space_id, now).await?;
        let page = FocusPage {
            space_id,
            token,
            course_title,
            can_focus: person.user_id.is_some(),
            mine: mine.map(|session| MySession {
                id: session.id,
                time_left: tr.count("focus-minutes-left", minutes_left(&session, now)),
                ended: now >= session.ends_at,
                started: LocalTime::of(session.started_at),
                ends: LocalTime::of(session.ends_at),
                duration: tr.count("focus-duration", session.minutes),
                goal: session.goal,
            }),
            running: running
                .into_iter()
                .map(|session| RunningRow {
                    time_left: tr.count("focus-minutes-left", minutes_left(&session, now)),
                    ends: LocalTime::of(session.ends_at),
                    is_me: Some(session.user_id) == person.user_id,
                    name: session.user_name.unwrap_or_else(|| tr.t("focus-unnamed")),
                    goal: session.goal,
                })
                .collect(),
            history: history
                .into_iter()
                .map(|session| HistoryRow {
                    outcome: tr.t(&format!(
                        "focus-outcome-{}",
                        session.outcome.as_deref().unwrap_or("abandoned")
                    )),
                    note: session.note.unwrap_or_default(),
                    finished: LocalTime::of(session.finished_at.unwrap_or(session.ends_at)),
                    duration: tr.count("focus-duration", session.minutes),
                    goal: session.goal,
                })
                .collect(),
            durations: DURATIONS
                .iter()
                .map(|minutes| (*minutes, tr.count("focus-duration", *minutes)))
                .collect(),
            max_goal_chars: MAX_GOAL_CHARS,
            max_note_chars: MAX_NOTE_CHARS,
            strings_json: tr.script_strings(),
            tr,
        };
        let html = page
            .render()
            .map_err(|error| AppError::Internal(format!("focus page failed to render: {error}")))?;
        Ok::<_, AppError>(Html(html).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(ends_at: i64) -> FocusSession {
        FocusSession {
            id: 1,
            space_id: 1,
            user_id: 1,
            user_name: None,
            goal: "Draft the introduction".into(),
            minutes: 25,
            started_at: ends_at - 25 * 60,
            ends_at,
            finished_at: None,
            outcome: None,
            note: None,
        }
    }

    #[test]
    fn minutes_left_rounded_up() {
        assert_eq!(minutes_left(&session(1000), 1000 - 25 * 60), 25);
        assert_eq!(minutes_left(&session(1000), 999), 1);
        assert_eq!(minutes_left(&session(1000), 941), 1);
        assert_eq!(minutes_left(&session(1000), 940), 1);
        assert_eq!(minutes_left(&session(1000), 939), 2);
        assert_eq!(minutes_left(&session(1000), 1000), 0);
        assert_eq!(minutes_left(&session(1000), 5000), 0);
    }

    #[test]
    fn every_outcome_has_a_label() {
        use crate::store::focus::OUTCOMES;
        for outcome in OUTCOMES {
            let id = format!("focus-outcome-{outcome}");
            assert_ne!(Tr::for_locale(Some("en")).t(&id), id);
            assert_ne!(Tr::for_locale(Some("ru")).t(&id), id);
        }
    }
}
