//! The partners board of a space. Teachers list partner organisations, projects,
//! internships and mentors. Students express interest in an entry, with an optional
//! note, and can withdraw it. Teachers see who is interested, but students see only
//! their own interest and a count. An entry past its deadline is closed and takes no
//! interest.
//!
//! The page is `GET /spaces/{space_id}/partners`. The JSON endpoints under
//! `/spaces/{space_id}/partners/entries` take writes only with the session token in the
//! `X-Cowork-Token` header (see [`writer`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::AppState;
use crate::chat::markdown::{self, MAX_BODY_CHARS};
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Msg, Tr};
use crate::session::TOKEN_PARAM;
use crate::store::chat::Interaction;
use crate::store::partners::{PartnerEntry, PartnerFields, PartnerInterest, PARTNER_KINDS};
use crate::unix_now;
use crate::web::help::{
    check_line, check_optional, json_body, require_moderator, require_user, Moment,
};
use crate::web::rooms::{participant, reader, writer};
use crate::web::space::authenticate;

const MAX_NAME_CHARS: usize = 120;
const MAX_CONTACT_NAME_CHARS: usize = 120;
/// Maximum length of a contact e-mail address, in characters.
const MAX_EMAIL_CHARS: usize = 254;
const MAX_URL_CHARS: usize = 500;
const MAX_NOTE_CHARS: usize = 300;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/partners", get(partners_page))
        .route(
            "/spaces/{space_id}/partners/entries",
            get(list_entries).post(create_entry),
        )
        .route(
            "/spaces/{space_id}/partners/entries/{entry_id}",
            get(show_entry).post(change_entry),
        )
        .route(
            "/spaces/{space_id}/partners/entries/{entry_id}/archive",
            post(archive_entry),
        )
        .route(
            "/spaces/{space_id}/partners/entries/{entry_id}/interest",
            post(express_interest).delete(withdraw_interest),
        )
}

/// A student's own interest in an entry.
#[derive(Debug, Clone, Serialize)]
pub struct OwnInterest {
    pub note: Option<String>,
    pub created_at: i64,
}

/// An entry as one participant may see it: teachers get every interest, students only
/// their own and the count.
#[derive(Debug, Serialize)]
pub struct EntryView {
    #[serde(flatten)]
    pub entry: PartnerEntry,
    /// True when the deadline has passed, so the entry takes no more interest.
    pub closed: bool,
    pub interest_count: usize,
    pub my_interest: Option<OwnInterest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interests: Option<Vec<PartnerInterest>>,
}

fn entry_view(
    who: &Participant,
    entry: PartnerEntry,
    interests: &[PartnerInterest],
    today: &str,
) -> EntryView {
    let mine: Vec<&PartnerInterest> = interests
        .iter()
        .filter(|interest| interest.entry_id == entry.id)
        .collect();
    let my_interest = mine
        .iter()
        .find(|interest| Some(interest.user_id) == who.user_id)
        .map(|interest| OwnInterest {
            note: interest.note.clone(),
            created_at: interest.created_at,
        });
    EntryView {
        closed: is_past(&entry, today),
        interest_count: mine.len(),
        my_interest,
        interests: who
            .is_moderator()
            .then(|| mine.into_iter().cloned().collect()),
        entry,
    }
}

/// True when the entry's deadline is before `today` (both `YYYY-MM-DD`, UTC).
fn is_past(entry: &PartnerEntry, today: &str) -> bool {
    entry
        .deadline
        .as_deref()
        .is_some_and(|deadline| deadline < today)
}

/// Formats today's date in UTC as `YYYY-MM-DD`.
///
/// NOTE: deadlines end at midnight UTC, not at midnight where the students are, so an
/// entry closes up to a day earlier or later than its date suggests locally.
fn today_utc(now: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|moment| moment.date())
        .unwrap_or(time::Date::MIN);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Loads the entries `who` may see. Teachers also see archived ones.
async fn visible_entries(state: &AppState, who: &Participant) -> Result<Vec<EntryView>, AppError> {
    let entries = state
        .store
        .partner_entries(who.space_id, who.is_moderator())
        .await?;
    let interests = state.store.partner_interests(who.space_id).await?;
    let today = today_utc(unix_now());
    Ok(entries
        .into_iter()
        .map(|entry| entry_view(who, entry, &interests, &today))
        .collect())
}

/// Loads one entry as `who` may see it. For students an archived entry is not found.
async fn visible_entry(
    state: &AppState,
    who: &Participant,
    entry_id: i64,
) -> Result<EntryView, AppError> {
    let entry = state
        .store
        .partner_entry(who.space_id, entry_id)
        .await?
        .filter(|entry| entry.archived_at.is_none() || who.is_moderator())
        .ok_or(AppError::NotFound)?;
    let interests = state.store.partner_interests(who.space_id).await?;
    Ok(entry_view(who, entry, &interests, &today_utc(unix_now())))
}

pub async fn list_entries(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        let entries = visible_entries(&state, &who).await?;
        Ok::<_, AppError>(Json(json!({ "entries": entries })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

pub async fn show_entry(
    State(state): State<AppState>,
    Path((space_id, entry_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<EntryView>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        Ok::<_, AppError>(Json(visible_entry(&state, &who, entry_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// The fields of an entry as a teacher sends them. Empty optional fields clear the value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryForm {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub contact_url: Option<String>,
    /// `YYYY-MM-DD`; the last day on which students can express interest.
    #[serde(default)]
    pub deadline: Option<String>,
}

impl EntryForm {
    fn check(&self) -> Result<PartnerFields, AppError> {
        let optional = |field: &str, value: &Option<String>, max: usize| {
            value
                .as_deref()
                .map(|text| check_optional(field, text, max))
                .transpose()
                .map(Option::flatten)
        };
        let description = self.description.trim().to_string();
        let length = description.chars().count();
        if length > MAX_BODY_CHARS {
            return Err(AppError::invalid(
                Msg::new("error-partners-description-length")
                    .arg("max", MAX_BODY_CHARS)
                    .arg("length", length),
            ));
        }
        let contact_email = optional("contact_email", &self.contact_email, MAX_EMAIL_CHARS)?;
        if let Some(email) = &contact_email {
            check_email(email)?;
        }
        let contact_url = optional("contact_url", &self.contact_url, MAX_URL_CHARS)?;
        if let Some(url) = &contact_url {
            check_web_url(url)?;
        }
        let deadline = optional("deadline", &self.deadline, 10)?;
        if let Some(date) = &deadline {
            check_date(date)?;
        }
        Ok(PartnerFields {
            kind: check_kind(&self.kind)?,
            name: check_line("name", &self.name, MAX_NAME_CHARS)?,
            description_html: markdown::render(&description),
            description,
            contact_name: optional("contact_name", &self.contact_name, MAX_CONTACT_NAME_CHARS)?,
            contact_email,
            contact_url,
            deadline,
        })
    }
}

pub async fn create_entry(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<EntryForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let fields = json_body(payload)?.check()?;
        let now = unix_now();
        let entry = state
            .store
            .create_partner_entry(space_id, actor, &fields, now)
            .await?;
        state
            .store
            .audit(
                space_id,
                actor,
                "partner.create",
                &audit_target(&entry),
                now,
            )
            .await?;
        let view = visible_entry(&state, &who, entry.id).await?;
        Ok::<_, AppError>((StatusCode::CREATED, Json(view)).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Replaces every field of an entry. Teachers only.
pub async fn change_entry(
    State(state): State<AppState>,
    Path((space_id, entry_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<EntryForm>, JsonRejection>,
) -> Result<Json<EntryView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let fields = json_body(payload)?.check()?;
        let now = unix_now();
        let entry = state
            .store
            .update_partner_entry(space_id, entry_id, &fields, now)
            .await?
            .ok_or(AppError::NotFound)?;
        state
            .store
            .audit(
                space_id,
                actor,
                "partner.change",
                &audit_target(&entry),
                now,
            )
            .await?;
        Ok::<_, AppError>(Json(visible_entry(&state, &who, entry_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveForm {
    pub archived: bool,
}

/// Archives or restores an entry. Teachers only.
pub async fn archive_entry(
    State(state): State<AppState>,
    Path((space_id, entry_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<ArchiveForm>, JsonRejection>,
) -> Result<Json<EntryView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let actor = require_moderator(&who)?;
        let form = json_body(payload)?;
        let now = unix_now();
        let entry = state
            .store
            .archive_partner_entry(space_id, entry_id, form.archived, now)
            .await?
            .ok_or(AppError::NotFound)?;
        let action = if form.archived {
            "partner.archive"
        } else {
            "partner.restore"
        };
        state
            .store
            .audit(space_id, actor, action, &audit_target(&entry), now)
            .await?;
        Ok::<_, AppError>(Json(visible_entry(&state, &who, entry_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterestForm {
    #[serde(default)]
    pub note: Option<String>,
}

/// Records a student's interest in an open entry, or changes its note.
pub async fn express_interest(
    State(state): State<AppState>,
    Path((space_id, entry_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<InterestForm>, JsonRejection>,
) -> Result<Json<EntryView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = require_user(&who, "error-partners-anonymous-interest")?;
        if who.is_moderator() {
            return Err(AppError::forbidden("error-partners-teacher-interest"));
        }
        let form = json_body(payload)?;
        let note = form
            .note
            .as_deref()
            .map(|note| check_optional("note", note, MAX_NOTE_CHARS))
            .transpose()?
            .flatten();
        let entry = visible_entry(&state, &who, entry_id).await?;
        if entry.closed {
            return Err(AppError::invalid(Msg::new("error-partners-closed").arg(
                "deadline",
                entry.entry.deadline.as_deref().unwrap_or_default(),
            )));
        }
        let now = unix_now();
        let stored = state
            .store
            .express_interest(space_id, entry_id, user_id, note.as_deref(), now)
            .await?
            .ok_or(AppError::NotFound)?;
        if stored {
            state
                .store
                .record_interaction(&Interaction {
                    space_id,
                    actor_id: user_id,
                    target_id: None,
                    room_id: None,
                    kind: "partner_interest".into(),
                    subject_id: Some(entry_id),
                    created_at: now,
                })
                .await?;
        }
        Ok::<_, AppError>(Json(visible_entry(&state, &who, entry_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Withdraws the student's own interest, also after the deadline.
pub async fn withdraw_interest(
    State(state): State<AppState>,
    Path((space_id, entry_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<EntryView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = require_user(&who, "error-partners-anonymous-withdraw")?;
        visible_entry(&state, &who, entry_id).await?;
        if !state
            .store
            .withdraw_interest(space_id, entry_id, user_id)
            .await?
        {
            return Err(AppError::invalid("error-partners-no-interest"));
        }
        Ok::<_, AppError>(Json(visible_entry(&state, &who, entry_id).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn audit_target(entry: &PartnerEntry) -> String {
    format!("partner entry {} ({:?})", entry.id, entry.name)
}

fn check_kind(kind: &str) -> Result<String, AppError> {
    if PARTNER_KINDS.contains(&kind) {
        Ok(kind.to_string())
    } else {
        Err(AppError::invalid(
            Msg::new("error-partners-kind").arg("kind", format!("{kind:?}")),
        ))
    }
}

/// Accepts an address of the form `local@domain.tld`: one `@`, no spaces, no characters
/// that are special in mail headers or in a `mailto:` URL (`?`, `&`, `#`, `%`), and a
/// domain with a dot between non-empty labels. It does not check that the mailbox exists.
fn check_email(email: &str) -> Result<(), AppError> {
    let invalid =
        || AppError::invalid(Msg::new("error-partners-email").arg("email", format!("{email:?}")));
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let forbidden =
        |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\@?&#%".contains(c);
    let labels: Vec<&str> = domain.split('.').collect();
    let plausible = !local.is_empty()
        && local.chars().count() <= 64
        && !local.chars().any(forbidden)
        && !domain.chars().any(forbidden)
        && labels.len() >= 2
        && labels
            .iter()
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if plausible {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Accepts only absolute http and https URLs with a host, so a link on the page can never
/// run a script (`javascript:`) or open a local file.
fn check_web_url(value: &str) -> Result<(), AppError> {
    match url::Url::parse(value) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|host| !host.is_empty()) =>
        {
            Ok(())
        }
        Ok(_) => Err(AppError::invalid(
            Msg::new("error-partners-url-scheme").arg("url", format!("{value:?}")),
        )),
        Err(error) => Err(AppError::invalid(
            Msg::new("error-partners-url")
                .arg("url", format!("{value:?}"))
                .arg("reason", error.to_string()),
        )),
    }
}

/// Accepts a calendar date written `YYYY-MM-DD` with a year from 2000 to 2100.
fn check_date(value: &str) -> Result<(), AppError> {
    let invalid =
        || AppError::invalid(Msg::new("error-partners-date").arg("date", format!("{value:?}")));
    let parts: Vec<&str> = value.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return Err(invalid());
    };
    let digits = |text: &str, length: usize| {
        text.len() == length && text.chars().all(|c| c.is_ascii_digit())
    };
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return Err(invalid());
    }
    let year: i32 = year.parse().map_err(|_| invalid())?;
    let month: u8 = month.parse().map_err(|_| invalid())?;
    let day: u8 = day.parse().map_err(|_| invalid())?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid(
            Msg::new("error-partners-year")
                .arg("date", format!("{value:?}"))
                .arg("year", year),
        ));
    }
    let month = time::Month::try_from(month).map_err(|_| invalid())?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| invalid())?;
    Ok(())
}

// The page.

struct InterestRow {
    name: String,
    note: String,
    when: Moment,
}

struct EntryCard {
    id: i64,
    kind: String,
    kind_label: String,
    name: String,
    description: String,
    description_html: String,
    contact_name: String,
    contact_email: String,
    contact_url: String,
    deadline: String,
    /// "Express interest by …" or "Closed: the deadline was …"; empty without a deadline.
    deadline_text: String,
    closed: bool,
    archived: bool,
    count_text: String,
    interested: bool,
    my_note: String,
    interests: Vec<InterestRow>,
}

struct KindOption {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "partners.html")]
struct PartnersPage {
    tr: Tr,
    space_id: i64,
    token: String,
    activity_title: String,
    is_moderator: bool,
    /// Students who may express interest (not teachers, not anonymous launches).
    can_express: bool,
    open: Vec<EntryCard>,
    closed: Vec<EntryCard>,
    archived: Vec<EntryCard>,
    kinds: Vec<KindOption>,
    max_name_chars: usize,
    max_body_chars: usize,
    max_note_chars: usize,
    strings_json: String,
}

pub async fn partners_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let token = query.get(TOKEN_PARAM).map(String::as_str);
    render_page(&state, &headers, token, space_id)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn render_page(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
    space_id: i64,
) -> Result<Response, AppError> {
    let view = authenticate(state, headers, query_token, space_id).await?;
    let tr = Tr::for_locale(view.locale.as_deref());
    let token = state
        .session_key
        .issue(&view.session_id, space_id, view.expires_at);
    let activity_title = view
        .resource_link_title
        .clone()
        .unwrap_or_else(|| tr.t("space-default-activity"));
    let who = participant(space_id, view);
    let now = unix_now();

    let mut open = Vec::new();
    let mut closed = Vec::new();
    let mut archived = Vec::new();
    for entry in visible_entries(state, &who).await? {
        let card = entry_card(&tr, entry, now);
        if card.archived {
            archived.push(card);
        } else if card.closed {
            closed.push(card);
        } else {
            open.push(card);
        }
    }

    let page = PartnersPage {
        space_id,
        token,
        activity_title,
        is_moderator: who.is_moderator(),
        can_express: who.user_id.is_some() && !who.is_moderator(),
        open,
        closed,
        archived,
        kinds: PARTNER_KINDS
            .iter()
            .map(|kind| KindOption {
                value: kind,
                label: tr.t(&format!("partners-kind-{kind}")),
            })
            .collect(),
        max_name_chars: MAX_NAME_CHARS,
        max_body_chars: MAX_BODY_CHARS,
        max_note_chars: MAX_NOTE_CHARS,
        strings_json: tr.script_strings(),
        tr,
    };

    let html = page
        .render()
        .map_err(|error| AppError::Internal(format!("partners page failed to render: {error}")))?;
    Ok(Html(html).into_response())
}

fn entry_card(tr: &Tr, view: EntryView, now: i64) -> EntryCard {
    let entry = view.entry;
    let deadline_text = match (&entry.deadline, view.closed) {
        (Some(date), true) => tr.t1("partners-deadline-passed", "date", date.as_str()),
        (Some(date), false) => tr.t1("partners-deadline", "date", date.as_str()),
        (None, _) => String::new(),
    };
    let unnamed = tr.t("partners-unnamed");
    EntryCard {
        id: entry.id,
        kind_label: tr.t(&format!("partners-kind-{}", entry.kind)),
        kind: entry.kind,
        name: entry.name,
        description: entry.description,
        description_html: entry.description_html,
        contact_name: entry.contact_name.unwrap_or_default(),
        contact_email: entry.contact_email.unwrap_or_default(),
        contact_url: entry.contact_url.unwrap_or_default(),
        deadline: entry.deadline.unwrap_or_default(),
        deadline_text,
        closed: view.closed,
        archived: entry.archived_at.is_some(),
        count_text: tr.count("partners-interest-count", view.interest_count as i64),
        interested: view.my_interest.is_some(),
        my_note: view
            .my_interest
            .and_then(|interest| interest.note)
            .unwrap_or_default(),
        interests: view
            .interests
            .unwrap_or_default()
            .into_iter()
            .map(|interest| InterestRow {
                name: interest.user_name.unwrap_or_else(|| unnamed.clone()),
                note: interest.note.unwrap_or_default(),
                when: Moment::new(tr, interest.created_at, now),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_forms_checked() {
        for good in ["hr@example.org", "first.last+tag@mail.example.co.uk"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in [
            "hr",
            "@example.org",
            "hr@example",
            "hr@@example.org",
            "h r@example.org",
            "hr@example..org",
            "hr@-example.org",
            "<hr@example.org>",
            "hr@example.org?cc=all@example.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_web_urls_accepted() {
        assert!(check_web_url("https://example.org/jobs?id=3").is_ok());
        assert!(check_web_url("http://example.org").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org",
            "example.org",
            "file:///etc/passwd",
        ] {
            assert!(check_web_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_checked() {
        assert!(check_date("2030-06-30").is_ok());
        assert!(check_date("2028-02-29").is_ok(), "leap day");
        for bad in [
            "2030-02-30",
            "2030-6-30",
            "30.06.2030",
            "1999-12-31",
            "2030-13-01",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn today_formatted_in_utc() {
        assert_eq!(today_utc(0), "1970-01-01");
        assert_eq!(today_utc(1_719_791_999), "2024-06-30");
        assert_eq!(today_utc(1_719_792_000), "2024-07-01");
    }
}
