//! Events of a space: scheduled sessions (a panoramic lecture, a virtual discussion, a
//! meet-the-partner hour) with time zone, agenda and RSVP, and their iCalendar export.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::calendar;
use crate::chat::markdown;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Msg, Tr};
use crate::session::TOKEN_PARAM;
use crate::store::chat::Interaction;
use crate::store::events::{EventDraft, EventRow};
use crate::unix_now;
use crate::web::help::text_length;
use crate::web::rooms::{participant, writer};
use crate::web::space::authenticate;

const KINDS: [&str; 4] = ["lecture", "discussion", "partner_hour", "other"];
const RESPONSES: [&str; 3] = ["yes", "maybe", "no"];
const MAX_TITLE_CHARS: usize = 120;
const MAX_AGENDA_CHARS: usize = 4000;
const MAX_LOCATION_CHARS: usize = 300;
/// Maximum event duration, in minutes (twelve hours).
const MAX_DURATION_MINUTES: i64 = 12 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/spaces/{space_id}/events",
            get(events_page).post(create_event),
        )
        .route("/spaces/{space_id}/events.ics", get(export_calendar))
        .route("/spaces/{space_id}/events/{event_id}", post(update_event))
        .route(
            "/spaces/{space_id}/events/{event_id}/cancel",
            post(cancel_event),
        )
        .route("/spaces/{space_id}/events/{event_id}/rsvp", post(rsvp))
        .route(
            "/spaces/{space_id}/events/{event_id}/rsvps",
            get(list_rsvps),
        )
}

/// An event as the page shows it.
struct EventCard {
    id: i64,
    title: String,
    kind_label: String,
    agenda_html: String,
    location: String,
    starts_at: i64,
    ends_at: i64,
    starts_utc: String,
    time_zone: String,
    cancelled: bool,
    counts: String,
    own_response: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    tr: Tr,
    space_id: i64,
    token: String,
    moderator: bool,
    events: Vec<EventCard>,
    kinds: Vec<(&'static str, String)>,
    strings: String,
}

async fn events_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Html<String>, ErrorResponse> {
    let run = async {
        let token = query.get(TOKEN_PARAM).map(String::as_str);
        let view = authenticate(&state, &headers, token, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let token = state
            .session_key
            .issue(&view.session_id, space_id, view.expires_at);
        let who = participant(space_id, view);
        let now = unix_now();
        let events = state.store.events(space_id, now).await?;
        let own: HashMap<i64, String> = match who.user_id {
            Some(user_id) => state
                .store
                .own_rsvps(space_id, user_id)
                .await?
                .into_iter()
                .collect(),
            None => HashMap::new(),
        };
        let cards = events
            .into_iter()
            .map(|event| card(&tr, &own, event))
            .collect();
        let page = EventsPage {
            tr,
            space_id,
            token,
            moderator: who.is_moderator(),
            events: cards,
            kinds: KINDS
                .iter()
                .map(|kind| (*kind, tr.t(&format!("events-kind-{kind}"))))
                .collect(),
            strings: tr.script_strings(),
        };
        page.render()
            .map(Html)
            .map_err(|error| AppError::Internal(format!("events page failed to render: {error}")))
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn card(tr: &Tr, own: &HashMap<i64, String>, event: EventRow) -> EventCard {
    let starts_utc = chrono::DateTime::<chrono::Utc>::from_timestamp(event.starts_at, 0)
        .map(|time| time.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    let mut counts = tr.count("events-going", event.yes_count);
    if event.maybe_count > 0 {
        counts.push_str(&format!(
            ", {}",
            tr.count("events-maybe-count", event.maybe_count)
        ));
    }
    EventCard {
        id: event.id,
        kind_label: tr.t(&format!("events-kind-{}", event.kind)),
        title: event.title,
        agenda_html: event.agenda_html,
        location: event.location.unwrap_or_default(),
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        starts_utc,
        time_zone: event.time_zone,
        cancelled: event.cancelled_at.is_some(),
        counts,
        own_response: own.get(&event.id).cloned().unwrap_or_default(),
    }
}

/// What a teacher sends to plan or change an event: local date and time in `time_zone`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventForm {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub location: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, 24-hour.
    pub time: String,
    pub duration_minutes: i64,
    /// IANA time zone name, e.g. `Europe/Moscow`.
    pub time_zone: String,
}

/// Checks a form and converts its local time to UTC.
pub fn draft_from_form(form: EventForm) -> Result<EventDraft, AppError> {
    let texts = [
        &form.title,
        &form.agenda,
        &form.date,
        &form.time,
        &form.time_zone,
    ];
    if texts.iter().any(|text| text.contains('\0'))
        || form.location.as_ref().is_some_and(|l| l.contains('\0'))
    {
        return Err(AppError::invalid("error-events-nul"));
    }
    if !KINDS.contains(&form.kind.as_str()) {
        return Err(AppError::invalid(
            Msg::new("error-events-kind")
                .arg("kind", format!("{:?}", form.kind))
                .arg("kinds", format!("{KINDS:?}")),
        ));
    }
    let title = form.title.trim();
    let title_chars = title.chars().count();
    if title_chars == 0 || title_chars > MAX_TITLE_CHARS {
        return Err(text_length("title", MAX_TITLE_CHARS, title_chars));
    }
    if form.agenda.chars().count() > MAX_AGENDA_CHARS {
        return Err(longer_than("agenda", MAX_AGENDA_CHARS));
    }
    let location = form
        .location
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    if location
        .as_ref()
        .is_some_and(|l| l.chars().count() > MAX_LOCATION_CHARS)
    {
        return Err(longer_than("location", MAX_LOCATION_CHARS));
    }
    if !(5..=MAX_DURATION_MINUTES).contains(&form.duration_minutes) {
        return Err(AppError::invalid(
            Msg::new("error-events-duration")
                .arg("minutes", form.duration_minutes)
                .arg("max", MAX_DURATION_MINUTES),
        ));
    }
    let zone: chrono_tz::Tz = form.time_zone.parse().map_err(|_| {
        AppError::invalid(
            Msg::new("error-events-time-zone").arg("time_zone", format!("{:?}", form.time_zone)),
        )
    })?;
    let date = NaiveDate::parse_from_str(&form.date, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(Msg::new("error-events-date").arg("date", format!("{:?}", form.date)))
    })?;
    let time = NaiveTime::parse_from_str(&form.time, "%H:%M").map_err(|_| {
        AppError::invalid(Msg::new("error-events-time").arg("time", format!("{:?}", form.time)))
    })?;
    let local = zone
        .from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(|| {
            AppError::invalid(
                Msg::new("error-events-clock-change")
                    .arg("date", form.date.as_str())
                    .arg("time", form.time.as_str())
                    .arg("time_zone", form.time_zone.as_str()),
            )
        })?;
    let starts_at = local.timestamp();
    Ok(EventDraft {
        kind: form.kind,
        title: title.to_string(),
        agenda_html: markdown::render(&form.agenda),
        agenda: form.agenda,
        location,
        starts_at,
        ends_at: starts_at + form.duration_minutes * 60,
        time_zone: form.time_zone,
    })
}

fn longer_than(field: &str, max: usize) -> AppError {
    AppError::invalid(
        Msg::new("error-field-longer-than")
            .arg("field", field)
            .arg("max", max),
    )
}

fn require_moderator(who: &Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-events-teachers-only")),
    }
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| AppError::bad_json(&rejection))
}

async fn create_event(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<EventForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let draft = draft_from_form(body(payload)?)?;
        let now = unix_now();
        let event = state
            .store
            .create_event(space_id, &draft, actor, now)
            .await?;
        state
            .store
            .audit(
                space_id,
                actor,
                "event.create",
                &format!("event {}", event.id),
                now,
            )
            .await?;
        Ok::<_, AppError>((StatusCode::CREATED, Json(event)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn update_event(
    State(state): State<AppState>,
    Path((space_id, event_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<EventForm>, JsonRejection>,
) -> Result<Json<EventRow>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let draft = draft_from_form(body(payload)?)?;
        let now = unix_now();
        let event = state
            .store
            .update_event(space_id, event_id, &draft, now)
            .await?
            .ok_or(AppError::NotFound)?;
        state
            .store
            .audit(
                space_id,
                actor,
                "event.change",
                &format!("event {event_id}"),
                now,
            )
            .await?;
        Ok::<_, AppError>(Json(event))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn cancel_event(
    State(state): State<AppState>,
    Path((space_id, event_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<EventRow>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let now = unix_now();
        let event = state
            .store
            .cancel_event(space_id, event_id, now)
            .await?
            .ok_or(AppError::NotFound)?;
        state
            .store
            .audit(
                space_id,
                actor,
                "event.cancel",
                &format!("event {event_id}"),
                now,
            )
            .await?;
        Ok::<_, AppError>(Json(event))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RsvpForm {
    pub response: String,
}

async fn rsvp(
    State(state): State<AppState>,
    Path((space_id, event_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<RsvpForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = who
            .user_id
            .ok_or(AppError::forbidden("error-events-anonymous-rsvp"))?;
        let form = body(payload)?;
        if !RESPONSES.contains(&form.response.as_str()) {
            return Err(AppError::invalid(
                Msg::new("error-events-response")
                    .arg("response", format!("{:?}", form.response))
                    .arg("responses", format!("{RESPONSES:?}")),
            ));
        }
        let event = state
            .store
            .event(space_id, event_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = unix_now();
        if event.cancelled_at.is_some() || event.ends_at < now {
            return Err(AppError::invalid("error-events-over"));
        }
        state
            .store
            .set_rsvp(event_id, user_id, &form.response, now)
            .await?;
        state
            .store
            .record_interaction(&Interaction {
                space_id,
                actor_id: user_id,
                target_id: None,
                room_id: None,
                kind: "event_rsvp".into(),
                subject_id: Some(event_id),
                created_at: now,
            })
            .await?;
        let event = state
            .store
            .event(space_id, event_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(Json(json!({
            "event_id": event_id,
            "response": form.response,
            "yes_count": event.yes_count,
            "maybe_count": event.maybe_count,
            "no_count": event.no_count,
        })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn list_rsvps(
    State(state): State<AppState>,
    Path((space_id, event_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = crate::web::rooms::reader(&state, &headers, &query, space_id).await?;
        require_moderator(&who)?;
        state
            .store
            .event(space_id, event_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rsvps = state.store.rsvps(event_id).await?;
        Ok::<_, AppError>(Json(json!({ "event_id": event_id, "rsvps": rsvps })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Exports the space's upcoming events as an iCalendar file to import into a calendar program.
async fn export_calendar(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let token = query.get(TOKEN_PARAM).map(String::as_str);
        let view = authenticate(&state, &headers, token, space_id).await?;
        let now = unix_now();
        let events = state.store.events(space_id, now).await?;
        let host = state
            .config
            .public_url
            .host_str()
            .unwrap_or("cowork")
            .to_string();
        let name = view
            .resource_link_title
            .clone()
            .or(view.context_title.clone())
            .unwrap_or_else(|| "cowork".into());
        let page_url = state.config.url_for(&format!("/spaces/{space_id}/events"));
        let text = calendar::calendar(&events, &host, &page_url, &name, now);
        Ok::<_, AppError>(
            (
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"events.ics\"",
                    ),
                ],
                text,
            )
                .into_response(),
        )
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(date: &str, time: &str, zone: &str) -> EventForm {
        EventForm {
            kind: "lecture".into(),
            title: "Panoramic lecture".into(),
            agenda: String::new(),
            location: None,
            date: date.into(),
            time: time.into(),
            duration_minutes: 90,
            time_zone: zone.into(),
        }
    }

    #[test]
    fn local_time_converted_to_utc() {
        // Moscow is UTC+3 all year: 14:00 there is 11:00 UTC.
        let draft = draft_from_form(form("2026-12-11", "14:00", "Europe/Moscow")).unwrap();
        assert_eq!(draft.starts_at, 1_796_986_800);
        assert_eq!(draft.ends_at, 1_796_986_800 + 90 * 60);
    }

    #[test]
    fn missing_local_time_rejected() {
        // Clocks in Berlin jump from 02:00 to 03:00 on 2026-03-29.
        let error = draft_from_form(form("2026-03-29", "02:30", "Europe/Berlin")).unwrap_err();
        assert!(
            error.to_string().contains("does not exist or is ambiguous"),
            "{error}"
        );
    }

    #[test]
    fn bad_fields_rejected_with_reason() {
        let cases = [
            (
                form("2026-12-11", "14:00", "Mars/Olympus"),
                "IANA time zone",
            ),
            (form("11.12.2026", "14:00", "UTC"), "YYYY-MM-DD"),
            (form("2026-12-11", "2pm", "UTC"), "HH:MM"),
        ];
        for (input, reason) in cases {
            let error = draft_from_form(input).unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
    }
}
