//! The launch (`POST /lti/launch`): the platform's form post of `id_token` and `state`.
//!
//! Order matters: the `state` is spent first (one conditional update, so a launch works
//! once), its registration picks the verification key, and only a token that passes every
//! check writes a user, a space or a session.

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::claims::{self, Launch, SpaceRole};
use super::deep_linking;
use super::error::{Check, LaunchError};
use super::validate::{self, Expected};
use crate::app::AppState;
use crate::error::{AppError, ErrorResponse, RateLimit};
use crate::grading::rule::GradingRule;
use crate::i18n::{Msg, Tr};
use crate::observability::{self, LaunchStage};
use crate::session::{self, TOKEN_PARAM};
use crate::store::chat::DefaultRoomNames;
use crate::store::deep_linking::Placement;
use crate::store::grades::GradeTarget;
use crate::store::{LaunchRecord, LaunchUser, Platform, StateUse};
use crate::web::language;
use crate::{random_token, unix_now, web};

/// Largest id_token accepted, in bytes. Moodle's are about 5 KiB.
const MAX_ID_TOKEN_BYTES: usize = 48 * 1024;

#[derive(Debug, Deserialize)]
pub struct LaunchForm {
    pub id_token: Option<String>,
    pub state: Option<String>,
}

pub async fn launch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LaunchForm>,
) -> Result<Response, ErrorResponse> {
    let locale = form
        .id_token
        .as_deref()
        .and_then(validate::unverified_locale);
    if locale.is_some() {
        language::note_locale(locale.as_deref());
    }
    handle(&state, form, &headers, unix_now())
        .await
        .map_err(|error| error.respond(&headers))
}

async fn handle(
    state: &AppState,
    form: LaunchForm,
    headers: &HeaderMap,
    now: i64,
) -> Result<Response, AppError> {
    let (platform, launch) = match validate_launch(state, &form, headers, now).await? {
        Ok(validated) => validated,
        Err(Rejection { error, platform }) => {
            tracing::warn!(
                check = error.check.code(),
                detail = %error.detail,
                issuer = platform.as_ref().map(|p| p.issuer.as_str()),
                client_id = platform.as_ref().map(|p| p.client_id.as_str()),
                "launch rejected"
            );
            observability::launch_rejected(LaunchStage::Launch, error.check);
            return Err(AppError::Launch(error));
        }
    };
    tracing::info!(
        issuer = %platform.issuer,
        client_id = %platform.client_id,
        deployment_id = %launch.deployment_id,
        message_type = %launch.message_type,
        "launch accepted"
    );

    let deep_linking = launch.message_type == claims::DEEP_LINKING_REQUEST;
    let response = if deep_linking {
        web::deep_link::begin(state, &platform, &launch, now).await?
    } else {
        start_session(state, &platform, &launch, now).await?
    };
    observability::launch_completed(deep_linking);
    Ok(response)
}

/// A rejected launch, with the registration when its state led to one (for the log).
struct Rejection {
    error: LaunchError,
    platform: Option<Box<Platform>>,
}

impl Rejection {
    fn new(check: Check, detail: &'static str) -> Self {
        Self {
            error: LaunchError::new(check, detail),
            platform: None,
        }
    }

    fn from_platform(error: LaunchError, platform: Platform) -> Self {
        Self {
            error,
            platform: Some(Box::new(platform)),
        }
    }
}

/// Runs every check. The outer error is a storage failure; the inner one is a rejected
/// launch.
async fn validate_launch(
    state: &AppState,
    form: &LaunchForm,
    headers: &HeaderMap,
    now: i64,
) -> Result<Result<(Platform, Launch), Rejection>, AppError> {
    let oversized = form
        .id_token
        .as_ref()
        .is_some_and(|t| t.len() > MAX_ID_TOKEN_BYTES)
        || form.state.as_ref().is_some_and(|s| s.len() > 256);
    let nul = [&form.id_token, &form.state]
        .iter()
        .any(|value| value.as_ref().is_some_and(|v| v.contains('\0')));
    if oversized || nul {
        return Ok(Err(Rejection::new(
            Check::Malformed,
            "error-launch-form-oversized",
        )));
    }
    let Some(raw) = form.id_token.as_deref().filter(|t| !t.is_empty()) else {
        return Ok(Err(Rejection::new(
            Check::MissingParameter,
            "error-launch-form-no-id-token",
        )));
    };
    let Some(state_param) = form.state.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(Err(Rejection::new(
            Check::MissingParameter,
            "error-launch-form-no-state",
        )));
    };

    let login = match state.store.use_login_state(state_param, now).await? {
        StateUse::Accepted(login) => login,
        StateUse::AlreadyUsed(_) => {
            return Ok(Err(Rejection::new(
                Check::StateReplayed,
                "error-launch-state-replayed",
            )))
        }
        StateUse::Expired => {
            return Ok(Err(Rejection::new(
                Check::StateExpired,
                "error-launch-state-expired",
            )))
        }
        StateUse::Unknown => {
            return Ok(Err(Rejection::new(
                Check::StateUnknown,
                "error-launch-state-unknown",
            )))
        }
    };
    let Some(platform) = state.store.platform_by_id(login.platform_id).await? else {
        return Ok(Err(Rejection::new(
            Check::UnknownRegistration,
            "error-launch-registration-removed",
        )));
    };

    if let Err(error) = check_browser(&platform, headers, state_param) {
        tracing::warn!(
            platform_id = platform.id,
            check = error.check.code(),
            "launch posted by another site's page rejected"
        );
        return Ok(Err(Rejection::from_platform(error, platform)));
    }

    // The state is spent at this point, so a person turned away here opens the activity
    // again. A flood needs a fresh login for each try, and logins are limited per
    // registration.
    state
        .rate_limits
        .launches
        .check(&platform.id)
        .map_err(|retry_after_secs| {
            tracing::warn!(platform_id = platform.id, "launch rate limit reached");
            AppError::RateLimited {
                limit: RateLimit::Launches,
                retry_after_secs,
            }
        })?;

    let keys = state.platform_keys.as_ref();
    let claims = match validate::verify_signature(raw, &platform, keys).await {
        Ok(claims) => claims,
        Err(error) => return Ok(Err(Rejection::from_platform(error, platform))),
    };
    let expected = Expected {
        platform: &platform,
        nonce: &login.nonce,
        target_link_uri: &login.target_link_uri,
        now: state.token_clock.now(),
        leeway_secs: state.config.clock_leeway_secs,
    };
    let checked = validate::check_claims(&claims, &expected);
    match checked {
        Ok(launch) => Ok(Ok((platform, launch))),
        Err(error) if error.check == Check::Nonce => {
            let refined = explain_nonce_mismatch(state, &claims).await?;
            Ok(Err(Rejection::from_platform(
                refined.unwrap_or(error),
                platform,
            )))
        }
        Err(error) => Ok(Err(Rejection::from_platform(error, platform))),
    }
}

/// Rejects a launch that a page of another site made a person's browser post, which
/// would sign the person in as the one who started the login (login cross-site request
/// forgery). A browser names the page that posts a form in `Origin`, and the platform's
/// own page posts the launch. So the launch is accepted when `Origin` is the origin of
/// the platform's issuer or authorization endpoint, or when it is absent, because
/// browsers send it with every cross-site POST and a request without it comes from a
/// program, not from a person's browser. `Origin: null` comes from a page that withholds
/// its address (`Referrer-Policy: no-referrer`, which an attacker's page can set as well
/// as a platform). Then the browser must return the cookie that the login set for this
/// state.
fn check_browser(platform: &Platform, headers: &HeaderMap, state: &str) -> Result<(), LaunchError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("");
    if origin == "null" {
        if session::has_login_cookie(headers, state) {
            return Ok(());
        }
        return Err(LaunchError::new(
            Check::LoginNotBound,
            "error-launch-not-bound",
        ));
    }
    let expected: Vec<String> = [&platform.issuer, &platform.auth_url]
        .into_iter()
        .filter_map(|url| web::security::web_origin(url))
        .collect();
    if expected.iter().any(|allowed| allowed == origin) {
        return Ok(());
    }
    Err(LaunchError::new(
        Check::LaunchOrigin,
        Msg::new("error-launch-foreign-origin")
            .arg("origin", super::login::shown(origin))
            .arg("expected", expected.join(", ")),
    ))
}

/// Tells apart the ways a signed token's nonce can miss its state: a nonce spent by an
/// earlier launch, one issued for another login still pending, or one never issued.
async fn explain_nonce_mismatch(
    state: &AppState,
    claims: &serde_json::Map<String, Value>,
) -> Result<Option<LaunchError>, AppError> {
    let Some(nonce) = claims.get("nonce").and_then(Value::as_str) else {
        return Ok(None);
    };
    Ok(Some(
        match state.store.login_state_by_nonce(nonce).await? {
            Some(other) if other.used_at.is_some() => {
                LaunchError::new(Check::NonceReplayed, "error-launch-nonce-replayed")
            }
            Some(_) => LaunchError::new(Check::StateMismatch, "error-launch-state-mismatch"),
            None => LaunchError::new(Check::NonceNotIssued, "error-launch-nonce-not-issued"),
        },
    ))
}

/// Records the launch, sets the session cookie and sends the browser to its space.
async fn start_session(
    state: &AppState,
    platform: &Platform,
    launch: &Launch,
    now: i64,
) -> Result<Response, AppError> {
    let role = SpaceRole::from_lti_roles(&launch.roles);
    let context = launch.context.clone().unwrap_or_default();
    let resource_link = launch
        .resource_link
        .clone()
        .expect("resource link launches are checked to carry resource_link");
    let placement = placement_of(state, platform, launch, &context.id).await?;
    // A link to a room or the help desk enters the space that contains it.
    let joined = placement
        .as_ref()
        .filter(|placement| placement.kind != "space")
        .and_then(|placement| placement.space_id);
    let session_id = random_token(32);
    let expires_at = now + state.config.session_ttl_secs;
    let record = LaunchRecord {
        issuer: platform.issuer.clone(),
        deployment_id: launch.deployment_id.clone(),
        context_id: context.id,
        context_title: context.title,
        context_label: context.label,
        resource_link_id: resource_link.id,
        resource_link_title: resource_link.title,
        space_id: joined,
        user: launch.subject.clone().map(|subject| LaunchUser {
            subject,
            name: launch.name.clone(),
            given_name: launch.given_name.clone(),
            family_name: launch.family_name.clone(),
        }),
        role: role.as_str().to_string(),
        session_id: session_id.clone(),
        locale: launch.launch_presentation.locale.clone(),
        return_url: launch.launch_presentation.return_url.clone(),
        document_target: launch.launch_presentation.document_target.clone(),
        platform_origin: origin_of(&platform.issuer),
        session_expires_at: expires_at,
    };
    let space_id = state.store.record_launch(&record, now).await?;
    // Launches into a space usually find it set up. One read checks that, so a repeat
    // launch writes nothing more.
    let setup = state.store.space_setup(space_id).await?;
    if !setup.default_rooms {
        let tr = Tr::for_locale(record.locale.as_deref());
        let names = DefaultRoomNames {
            open_space: tr.t("space-open-space"),
            quiet_zone: tr.t("chat-room-kind-quiet"),
        };
        state
            .store
            .ensure_default_rooms(space_id, &names, now)
            .await?;
    }
    // The gradebook column of a space belongs to the space's own link, never to a link
    // into one of its rooms. When the teacher asked for no column, the chosen rule is
    // kept for the preview and no grades are sent.
    let rule = placement.as_ref().and_then(|p| p.rule_json.as_deref());
    let send_grades = placement.as_ref().is_none_or(|p| p.send_grades);
    if joined.is_none() && send_grades {
        let stored = setup.grade_target.as_ref();
        record_grade_target(state, platform, launch, space_id, stored, rule, now).await?;
    } else if let (None, Some(rule)) = (joined, rule) {
        state.store.init_grading_rule(space_id, rule, now).await?;
    }
    if let Some(service) = &launch.nrps {
        let unchanged = setup.roster_source.as_ref().is_some_and(|source| {
            source.platform_id == platform.id
                && source.memberships_url == service.context_memberships_url
        });
        // As with grade targets, writing an unchanged source would only refresh
        // `updated_at`, which nothing reads.
        if !unchanged {
            state
                .store
                .set_roster_source(space_id, platform.id, &service.context_memberships_url, now)
                .await?;
        }
    }
    let token = state.session_key.issue(&session_id, space_id, expires_at);
    let location = match placement.as_ref().map(|p| (p.kind.as_str(), p.room_id)) {
        Some(("help", _)) if joined.is_some() => {
            format!("/spaces/{space_id}/help?{TOKEN_PARAM}={token}")
        }
        Some(("room", Some(room_id))) if joined.is_some() => {
            format!("/spaces/{space_id}?{TOKEN_PARAM}={token}#room-{room_id}")
        }
        _ => format!("/spaces/{space_id}?{TOKEN_PARAM}={token}"),
    };
    let cookie = session::session_cookie(space_id, &token, state.config.session_ttl_secs);
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
    )
        .into_response())
}

/// Returns the placement named by the launch's `cowork_placement` parameter. A placement
/// made through another registration is ignored. So is a room or help desk link copied
/// into another course (a course copy keeps custom parameters), which then gets a space
/// of its own.
async fn placement_of(
    state: &AppState,
    platform: &Platform,
    launch: &Launch,
    context_id: &str,
) -> Result<Option<Placement>, AppError> {
    let Some(id) = launch.custom.get(deep_linking::PLACEMENT_PARAM) else {
        return Ok(None);
    };
    let Some(placement) = state.store.placement(id).await? else {
        tracing::warn!(placement = %id, "launch names an unknown placement");
        return Ok(None);
    };
    if placement.platform_id != platform.id {
        tracing::warn!(placement = %id, "launch names a placement of another registration");
        return Ok(None);
    }
    let same_course =
        placement.deployment_id == launch.deployment_id && placement.context_id == context_id;
    if placement.kind != "space" && !same_course {
        tracing::info!(placement = %id, "room link launched outside its course");
        return Ok(None);
    }
    Ok(Some(placement))
}

/// Remembers the launch's AGS endpoint, so the space's grades can reach the gradebook.
/// A new space starts with `rule_json` when the activity was set up with one.
async fn record_grade_target(
    state: &AppState,
    platform: &Platform,
    launch: &Launch,
    space_id: i64,
    stored: Option<&GradeTarget>,
    rule_json: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let Some(ags) = &launch.ags else {
        return Ok(());
    };
    if ags.lineitem.is_none() && ags.lineitems.is_none() {
        return Ok(());
    }
    let target = GradeTarget {
        space_id,
        platform_id: platform.id,
        lineitem_url: ags.lineitem.clone(),
        lineitems_url: ags.lineitems.clone(),
        scopes: ags.scope.join(" "),
        label: None,
        score_maximum: None,
    };
    // Launches into one space usually carry the endpoint already stored. Writing it again
    // would only refresh `updated_at`, which nothing reads, and would cost PostgreSQL a
    // commit and a row lock that every launch into the space waits for. A stored target
    // implies a stored rule, because both are inserted in one transaction and neither is
    // deleted while the space exists.
    if let Some(stored) = stored {
        let same_url =
            |sent: &Option<String>, kept: &Option<String>| sent.is_none() || sent == kept;
        if stored.platform_id == target.platform_id
            && same_url(&target.lineitem_url, &stored.lineitem_url)
            && same_url(&target.lineitems_url, &stored.lineitems_url)
            && stored.scopes == target.scopes
        {
            return Ok(());
        }
    }
    let default_rule = match rule_json {
        Some(rule) => rule.to_string(),
        None => serde_json::to_string(&GradingRule::default()).expect("a rule serializes"),
    };
    state
        .store
        .set_grade_target(&target, &default_rule, now)
        .await?;
    Ok(())
}

fn origin_of(url: &str) -> String {
    Url::parse(url)
        .map(|parsed| parsed.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}
