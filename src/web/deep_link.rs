//! Deep Linking for teachers. A teacher chooses on a page what to add to a course: a new
//! coworking space, or a room or the help desk of a space the course already has. The
//! browser then carries the signed response back to the platform.
//!
//! The picker's address contains a random token that only the teacher's browser received.
//! It is valid for an hour and accepts one submission.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::grading::rule::GradingRule;
use crate::i18n::{Msg, Tr};
use crate::lti::claims::{Launch, SpaceRole};
use crate::lti::deep_linking::{
    self, LineItemAdvice, Presentation, ResourceLinkItem, ResponseNote, Settings,
};
use crate::store::deep_linking::{CourseSpace, DeepLinkCompletion, DeepLinkRequest, Placement};
use crate::store::Platform;
use crate::web::language;
use crate::web::pages::AutoPost;
use crate::web::security;
use crate::{random_token, unix_now};

/// How long a teacher has to make a choice, in seconds.
pub const REQUEST_TTL_SECS: i64 = 3600;
const MAX_TITLE_CHARS: usize = 255;
const MAX_TEXT_CHARS: usize = 2000;
/// Room kinds a link can open; the open space is the space itself.
const LINKABLE_ROOM_KINDS: [&str; 3] = ["team", "discussion", "quiet"];

pub fn router() -> Router<AppState> {
    Router::new().route("/lti/deep-link/{request_id}", get(picker).post(submit))
}

/// Keeps a verified deep linking request and sends the teacher's browser to the picker.
pub async fn begin(
    state: &AppState,
    platform: &Platform,
    launch: &Launch,
    now: i64,
) -> Result<Response, AppError> {
    language::note_locale(launch.launch_presentation.locale.as_deref());
    let role = SpaceRole::from_lti_roles(&launch.roles);
    if !matches!(role, SpaceRole::Teacher | SpaceRole::Admin) {
        tracing::warn!(
            platform_id = platform.id,
            role = role.as_str(),
            "deep linking request from a person who is not a teacher"
        );
        return Err(AppError::forbidden("error-dl-teachers-only"));
    }
    let Some(context) = &launch.context else {
        return Err(AppError::invalid("error-dl-no-course"));
    };
    let settings = launch
        .deep_linking_settings
        .as_ref()
        .ok_or_else(|| AppError::Internal("a verified request lost its settings".into()))?;
    let request = DeepLinkRequest {
        id: random_token(32),
        platform_id: platform.id,
        deployment_id: launch.deployment_id.clone(),
        context_id: context.id.clone(),
        context_title: context.title.clone().or_else(|| context.label.clone()),
        user_subject: launch.subject.clone(),
        locale: launch.launch_presentation.locale.clone(),
        settings: settings.to_string(),
        created_at: now,
        expires_at: now + REQUEST_TTL_SECS,
        used_at: None,
    };
    state.store.insert_deep_link_request(&request).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/lti/deep-link/{}", request.id))],
    )
        .into_response())
}

/// One thing the teacher can add.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    NewSpace,
    Room { space_id: i64, room_id: i64 },
    Help { space_id: i64 },
}

impl Choice {
    fn value(&self) -> String {
        match self {
            Choice::NewSpace => "space".into(),
            Choice::Room { space_id, room_id } => format!("room-{space_id}-{room_id}"),
            Choice::Help { space_id } => format!("help-{space_id}"),
        }
    }

    fn parse(value: &str) -> Option<Choice> {
        if value == "space" {
            return Some(Choice::NewSpace);
        }
        if let Some(rest) = value.strip_prefix("room-") {
            let (space, room) = rest.split_once('-')?;
            return Some(Choice::Room {
                space_id: space.parse().ok()?,
                room_id: room.parse().ok()?,
            });
        }
        let space_id = value.strip_prefix("help-")?.parse().ok()?;
        Some(Choice::Help { space_id })
    }
}

/// A choice as the picker shows it.
struct ChoiceView {
    value: String,
    label: String,
    title: String,
}

/// The choices inside one existing space.
struct SpaceGroup {
    title: String,
    options: Vec<ChoiceView>,
}

#[derive(Template)]
#[template(path = "deep_link.html")]
struct PickerPage {
    tr: Tr,
    request_id: String,
    course_title: String,
    accepts_links: bool,
    multiple: bool,
    space_title: String,
    space_text: String,
    groups: Vec<SpaceGroup>,
    presentations: Vec<(&'static str, String)>,
    rule: GradingRule,
}

async fn picker(
    State(state): State<AppState>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let page = render_picker(&state, &request_id, unix_now()).await;
    answer_of(page, &request_id, &headers)
}

/// Sends a page that no cache may keep, because the picker's address and the signed
/// response are single-use credentials. A rejection is logged with the request's id.
fn answer_of(
    page: Result<Html<String>, AppError>,
    request_id: &str,
    headers: &HeaderMap,
) -> Result<Response, ErrorResponse> {
    match page {
        Ok(page) => Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response()),
        Err(error) => {
            let request = request_id.get(..8).unwrap_or(request_id);
            tracing::warn!(request, %error, "deep linking request rejected");
            Err(error.respond(headers))
        }
    }
}

async fn render_picker(
    state: &AppState,
    request_id: &str,
    now: i64,
) -> Result<Html<String>, AppError> {
    let (request, platform, settings) = open_request(state, request_id, now).await?;
    let tr = Tr::for_locale(request.locale.as_deref());
    let spaces = course_spaces(state, &platform, &request).await?;
    let mut groups = Vec::new();
    for space in &spaces {
        let space_title = space_title(&tr, space);
        let mut options = Vec::new();
        for room in state.store.rooms(space.id, false).await? {
            if !LINKABLE_ROOM_KINDS.contains(&room.kind.as_str()) {
                continue;
            }
            let choice = Choice::Room {
                space_id: space.id,
                room_id: room.id,
            };
            let kind = tr.t(&format!("chat-room-kind-{}", room.kind));
            let label = if room.name == kind {
                room.name.clone()
            } else {
                format!("{} ({kind})", room.name)
            };
            options.push(ChoiceView {
                value: choice.value(),
                label,
                title: format!("{} · {space_title}", room.name),
            });
        }
        let help = tr.t("deep-link-help-desk");
        options.push(ChoiceView {
            value: Choice::Help { space_id: space.id }.value(),
            label: help.clone(),
            title: format!("{help} · {space_title}"),
        });
        groups.push(SpaceGroup {
            title: space_title,
            options,
        });
    }
    let presentations = settings
        .presentations()
        .into_iter()
        .map(|p| (p.as_str(), tr.t(&format!("deep-link-open-{}", p.as_str()))))
        .collect();
    let page = PickerPage {
        tr,
        request_id: request.id.clone(),
        course_title: request
            .context_title
            .clone()
            .unwrap_or_else(|| tr.t("space-default-course")),
        accepts_links: settings.accepts_resource_links(),
        multiple: settings.accept_multiple,
        space_title: settings
            .title
            .clone()
            .unwrap_or_else(|| tr.t("deep-link-default-title")),
        space_text: settings.text.clone().unwrap_or_default(),
        groups,
        presentations,
        rule: GradingRule::default(),
    };
    page.render()
        .map(Html)
        .map_err(|error| AppError::Internal(format!("template failed to render: {error}")))
}

async fn submit(
    State(state): State<AppState>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ErrorResponse> {
    let page = submit_choice(&state, &request_id, &fields, unix_now()).await;
    answer_of(page, &request_id, &headers)
}

/// Signs the response, then marks the request used and stores its placements in one
/// step, so a second submission of the same form adds nothing.
async fn submit_choice(
    state: &AppState,
    request_id: &str,
    fields: &[(String, String)],
    now: i64,
) -> Result<Html<String>, AppError> {
    let (request, platform, settings) = open_request(state, request_id, now).await?;
    let tr = Tr::for_locale(request.locale.as_deref());
    let cancelled = field(fields, "action") == Some("cancel");
    let (items, placements, note) = if !settings.accepts_resource_links() {
        let note = ResponseNote {
            error_msg: Some(tr.t("deep-link-unsupported-types")),
            error_log: Some(format!(
                "cowork makes only ltiResourceLink items; the platform accepts {:?}",
                settings.accept_types
            )),
            ..ResponseNote::default()
        };
        (Vec::new(), Vec::new(), note)
    } else if cancelled {
        (Vec::new(), Vec::new(), ResponseNote::default())
    } else {
        let (items, placements) =
            chosen_items(state, &platform, &request, &settings, fields, now).await?;
        let note = ResponseNote {
            msg: Some(tr.count("deep-link-added", items.len() as i64)),
            ..ResponseNote::default()
        };
        (items, placements, note)
    };
    let claims = deep_linking::response_claims(
        &platform,
        &request.deployment_id,
        &settings,
        &items,
        &note,
        now,
    );
    let jwt = deep_linking::sign_response(state.store.as_ref(), &state.key_vault, &claims)
        .await
        .map_err(|error| {
            AppError::Internal(format!("signing the deep linking response: {error}"))
        })?;
    match state
        .store
        .complete_deep_link_request(&request.id, &placements, now)
        .await?
    {
        DeepLinkCompletion::Completed => {}
        DeepLinkCompletion::AlreadyCompleted => return Err(already_used()),
        DeepLinkCompletion::Expired => return Err(expired()),
        DeepLinkCompletion::Unknown => return Err(unknown()),
    }
    tracing::info!(
        platform_id = platform.id,
        context_id = %request.context_id,
        items = items.len(),
        cancelled,
        "deep linking response signed"
    );
    security::note_form_target(&settings.return_url);
    AutoPost {
        action: settings.return_url.clone(),
        fields: vec![("JWT".into(), jwt)],
        lang: tr.code(),
        message: tr.t("deep-link-returning"),
        button: tr.t("deep-link-continue"),
        skip_link: tr.t("space-skip"),
    }
    .render()
    .map(Html)
    .map_err(|error| AppError::Internal(format!("template failed to render: {error}")))
}

/// Builds the content items and placements of the teacher's choices.
async fn chosen_items(
    state: &AppState,
    platform: &Platform,
    request: &DeepLinkRequest,
    settings: &Settings,
    fields: &[(String, String)],
    now: i64,
) -> Result<(Vec<ResourceLinkItem>, Vec<Placement>), AppError> {
    let mut chosen: Vec<&str> = Vec::new();
    for (name, value) in fields {
        if name == "item" && !chosen.contains(&value.as_str()) {
            chosen.push(value);
        }
    }
    if chosen.is_empty() {
        return Err(AppError::invalid("error-dl-nothing-chosen"));
    }
    if chosen.len() > 1 && !settings.accept_multiple {
        return Err(AppError::invalid("error-dl-one-item"));
    }
    let offered = settings.presentations();
    let presentation = match field(fields, "presentation") {
        Some(value) => Some(
            Presentation::parse(value)
                .filter(|p| offered.contains(p))
                .ok_or_else(|| {
                    AppError::invalid(Msg::new("error-dl-presentation").arg("value", value))
                })?,
        ),
        None => offered.first().copied(),
    };
    let spaces = course_spaces(state, platform, request).await?;
    let launch_url = state.config.url_for("/lti/launch");
    let mut items = Vec::new();
    let mut placements = Vec::new();
    for value in chosen {
        let choice = Choice::parse(value).ok_or_else(|| {
            AppError::invalid(Msg::new("error-dl-unknown-choice").arg("value", value))
        })?;
        let title = title_field(fields, value)?;
        let id = random_token(24);
        let mut placement = Placement {
            id: id.clone(),
            platform_id: platform.id,
            deployment_id: request.deployment_id.clone(),
            context_id: request.context_id.clone(),
            kind: String::new(),
            space_id: None,
            room_id: None,
            title: title.clone(),
            rule_json: None,
            send_grades: false,
            created_by: request.user_subject.clone(),
            created_at: now,
        };
        let mut item = ResourceLinkItem {
            title,
            text: None,
            url: launch_url.clone(),
            custom: BTreeMap::from([(deep_linking::PLACEMENT_PARAM.to_string(), id.clone())]),
            line_item: None,
            presentation,
        };
        match choice {
            Choice::NewSpace => {
                let rule = GradingRule::from_form(fields).map_err(AppError::invalid)?;
                placement.send_grades = field(fields, "grade") == Some("on");
                if placement.send_grades {
                    item.line_item = Some(LineItemAdvice {
                        label: item.title.clone(),
                        score_maximum: rule.score_maximum,
                        resource_id: id.clone(),
                        tag: deep_linking::LINE_ITEM_TAG.into(),
                    });
                }
                item.text = text_field(fields)?;
                placement.kind = "space".into();
                placement.rule_json =
                    Some(serde_json::to_string(&rule).expect("a rule serializes"));
            }
            Choice::Room { space_id, room_id } => {
                in_course(&spaces, space_id)?;
                let room = state
                    .store
                    .room(space_id, room_id)
                    .await?
                    .filter(|room| {
                        room.archived_at.is_none()
                            && LINKABLE_ROOM_KINDS.contains(&room.kind.as_str())
                    })
                    .ok_or_else(|| AppError::invalid("error-dl-room-not-in-course"))?;
                placement.kind = "room".into();
                placement.space_id = Some(space_id);
                placement.room_id = Some(room.id);
            }
            Choice::Help { space_id } => {
                in_course(&spaces, space_id)?;
                placement.kind = "help".into();
                placement.space_id = Some(space_id);
            }
        }
        items.push(item);
        placements.push(placement);
    }
    Ok((items, placements))
}

/// Loads an open request with its registration and settings.
async fn open_request(
    state: &AppState,
    request_id: &str,
    now: i64,
) -> Result<(DeepLinkRequest, Platform, Settings), AppError> {
    let request = state
        .store
        .deep_link_request(request_id)
        .await?
        .ok_or_else(unknown)?;
    language::note_locale(request.locale.as_deref());
    if request.used_at.is_some() {
        return Err(already_used());
    }
    if request.expires_at <= now {
        return Err(expired());
    }
    let platform = state
        .store
        .platform_by_id(request.platform_id)
        .await?
        .ok_or_else(unknown)?;
    if let Some(origin) = security::platform_origin(&platform) {
        security::note_frame_ancestor(&origin);
    }
    let claim: serde_json::Value = serde_json::from_str(&request.settings)
        .map_err(|error| AppError::Internal(format!("stored deep linking settings: {error}")))?;
    let settings =
        Settings::parse(&claim).map_err(|error| AppError::Internal(error.to_string()))?;
    Ok((request, platform, settings))
}

async fn course_spaces(
    state: &AppState,
    platform: &Platform,
    request: &DeepLinkRequest,
) -> Result<Vec<CourseSpace>, AppError> {
    Ok(state
        .store
        .course_spaces(
            &platform.issuer,
            &request.deployment_id,
            &request.context_id,
        )
        .await?)
}

fn in_course(spaces: &[CourseSpace], space_id: i64) -> Result<(), AppError> {
    if spaces.iter().any(|space| space.id == space_id) {
        Ok(())
    } else {
        Err(AppError::invalid("error-dl-space-not-in-course"))
    }
}

fn space_title(tr: &Tr, space: &CourseSpace) -> String {
    space
        .resource_link_title
        .clone()
        .filter(|title| !title.trim().is_empty())
        .unwrap_or_else(|| tr.t1("deep-link-space-number", "number", space.id))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}

fn title_field(fields: &[(String, String)], choice: &str) -> Result<String, AppError> {
    let title = field(fields, &format!("title-{choice}"))
        .unwrap_or("")
        .trim();
    if title.is_empty() {
        return Err(AppError::invalid("error-dl-title-missing"));
    }
    if title.chars().any(char::is_control) {
        return Err(AppError::invalid(
            Msg::new("error-dl-control-characters").arg("field", Msg::new("error-dl-field-title")),
        ));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::invalid(
            Msg::new("error-dl-title-length").arg("max", MAX_TITLE_CHARS),
        ));
    }
    Ok(title.to_string())
}

fn text_field(fields: &[(String, String)]) -> Result<Option<String>, AppError> {
    let text = field(fields, "text").unwrap_or("").trim();
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            Msg::new("error-dl-control-characters")
                .arg("field", Msg::new("error-dl-field-description")),
        ));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::invalid(
            Msg::new("error-dl-text-length").arg("max", MAX_TEXT_CHARS),
        ));
    }
    Ok(Some(text.to_string()).filter(|text| !text.is_empty()))
}

fn unknown() -> AppError {
    AppError::invalid("error-dl-unknown")
}

fn already_used() -> AppError {
    AppError::invalid("error-dl-used")
}

fn expired() -> AppError {
    AppError::invalid("error-dl-expired")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_values_round_trip() {
        for choice in [
            Choice::NewSpace,
            Choice::Room {
                space_id: 3,
                room_id: 41,
            },
            Choice::Help { space_id: 7 },
        ] {
            assert_eq!(Choice::parse(&choice.value()), Some(choice));
        }
        for bad in ["", "room-3", "room-x-1", "help-", "help-1-2", "spaces"] {
            assert_eq!(Choice::parse(bad), None, "{bad}");
        }
    }
}
