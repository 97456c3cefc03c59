//! OIDC third-party login initiation (`/lti/login`, GET or POST).
//!
//! The platform names itself (`iss`, `client_id`) and the link to open; cowork checks
//! the registration, stores a single-use `state` and `nonce`, and redirects the browser
//! to the platform's authorization endpoint. Nothing is stored for a request that fails
//! a check, and a registration stores at most `login_states_max` states (see
//! `Store::insert_login_state`).
//!
//! Login initiation is cross-site by design: the platform's page posts it. It changes
//! nothing but the stored state, so it needs no CSRF defence; it is rate limited per
//! registration instead.

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use url::Url;

use super::error::{Check, LaunchError};
use crate::app::AppState;
use crate::error::{AppError, ErrorResponse, RateLimit};
use crate::i18n::Msg;
use crate::observability::{self, LaunchStage};
use crate::store::{LoginState, LoginStateInsert, Platform};
use crate::{random_token, unix_now};

/// Login initiation parameters, as named by LTI 1.3 (section 5.1.1 of the core spec).
#[derive(Debug, Default, Deserialize)]
pub struct LoginRequest {
    pub iss: Option<String>,
    pub login_hint: Option<String>,
    pub target_link_uri: Option<String>,
    pub client_id: Option<String>,
    pub lti_message_hint: Option<String>,
    pub lti_deployment_id: Option<String>,
}

pub async fn login_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(request): Query<LoginRequest>,
) -> Result<Response, ErrorResponse> {
    initiate(&state, request)
        .await
        .map_err(|error| error.respond(&headers))
}

pub async fn login_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(request): Form<LoginRequest>,
) -> Result<Response, ErrorResponse> {
    initiate(&state, request)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn initiate(state: &AppState, request: LoginRequest) -> Result<Response, AppError> {
    let rejected = |error: LaunchError| {
        tracing::warn!(check = error.check.code(), detail = %error.detail, "login rejected");
        observability::launch_rejected(LaunchStage::Login, error.check);
        AppError::Login(error)
    };
    check_parameters(&request).map_err(rejected)?;
    let issuer = required(&request.iss, "iss").map_err(rejected)?;
    let login_hint = required(&request.login_hint, "login_hint").map_err(rejected)?;
    let target_link_uri =
        required(&request.target_link_uri, "target_link_uri").map_err(rejected)?;
    check_target_origin(target_link_uri, &state.config.public_url).map_err(rejected)?;

    let platform = find_registration(state, issuer, request.client_id.as_deref())
        .await?
        .map_err(rejected)?;
    if let Some(deployment_id) = &request.lti_deployment_id {
        if !platform.deployments.contains(deployment_id) {
            return Err(rejected(LaunchError::new(
                Check::Deployment,
                Msg::new("error-login-deployment")
                    .arg("deployment_id", format!("{deployment_id:?}"))
                    .arg("client_id", format!("{:?}", platform.client_id)),
            )));
        }
    }

    state
        .rate_limits
        .logins
        .check(&platform.id)
        .map_err(|retry_after_secs| {
            tracing::warn!(platform_id = platform.id, "login rate limit reached");
            AppError::RateLimited {
                limit: RateLimit::Logins,
                retry_after_secs,
            }
        })?;

    let now = unix_now();
    let login = LoginState {
        state: random_token(24),
        nonce: random_token(24),
        platform_id: platform.id,
        target_link_uri: target_link_uri.to_string(),
        created_at: now,
        expires_at: now + state.config.login_state_ttl_secs,
        used_at: None,
    };
    let stored = state
        .store
        .insert_login_state(&login, state.config.login_states_max)
        .await?;
    if let LoginStateInsert::Full { retry_at } = stored {
        tracing::warn!(
            platform_id = platform.id,
            max = state.config.login_states_max,
            "login states of a registration are full; login rejected"
        );
        return Err(AppError::LoginStatesFull {
            retry_after_secs: u64::try_from(retry_at - now).unwrap_or(0).max(1),
        });
    }

    let location = authorization_url(
        &platform,
        &state.config.url_for("/lti/launch"),
        login_hint,
        request.lti_message_hint.as_deref(),
        &login,
    )
    .map_err(rejected)?;
    tracing::info!(issuer = %platform.issuer, client_id = %platform.client_id, "login initiated");
    // The cookie lets the launch check that the browser which posts it started this login.
    let cookie = crate::session::login_cookie(&login.state, state.config.login_state_ttl_secs);
    Ok((
        StatusCode::FOUND,
        [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
    )
        .into_response())
}

/// Maximum login parameter length, in bytes. Real ones are URLs and short hints.
const MAX_PARAMETER_BYTES: usize = 4096;

/// Rejects parameters no platform sends: oversized ones, and ones with a NUL character,
/// which PostgreSQL cannot store in text.
fn check_parameters(request: &LoginRequest) -> Result<(), LaunchError> {
    let parameters = [
        ("iss", &request.iss),
        ("login_hint", &request.login_hint),
        ("target_link_uri", &request.target_link_uri),
        ("client_id", &request.client_id),
        ("lti_message_hint", &request.lti_message_hint),
        ("lti_deployment_id", &request.lti_deployment_id),
    ];
    for (name, value) in parameters {
        let Some(value) = value else { continue };
        if value.len() > MAX_PARAMETER_BYTES {
            return Err(LaunchError::new(
                Check::Malformed,
                Msg::new("error-login-parameter-too-long")
                    .arg("name", name)
                    .arg("max", MAX_PARAMETER_BYTES),
            ));
        }
        if value.contains('\0') {
            return Err(LaunchError::new(
                Check::Malformed,
                Msg::new("error-login-parameter-nul").arg("name", name),
            ));
        }
    }
    Ok(())
}

/// Quotes a value from a request, cut to a length that keeps logs and error pages readable.
pub fn shown(value: &str) -> String {
    const MAX_CHARS: usize = 120;
    if value.chars().count() <= MAX_CHARS {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(MAX_CHARS).collect();
    format!("{head:?}…")
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, LaunchError> {
    value.as_deref().filter(|v| !v.is_empty()).ok_or_else(|| {
        LaunchError::new(
            Check::MissingParameter,
            Msg::new("error-login-parameter-missing").arg("name", name),
        )
    })
}

/// The link to open must be on this tool's own origin, so a login cannot be used to
/// send a browser elsewhere.
fn check_target_origin(target_link_uri: &str, public_url: &Url) -> Result<(), LaunchError> {
    let off_origin = || {
        LaunchError::new(
            Check::TargetLinkUriOrigin,
            Msg::new("error-login-target-origin")
                .arg("target_link_uri", shown(target_link_uri))
                .arg("origin", public_url.origin().ascii_serialization()),
        )
    };
    let target = Url::parse(target_link_uri).map_err(|_| off_origin())?;
    if target.origin() != public_url.origin() {
        return Err(off_origin());
    }
    Ok(())
}

/// Finds the registration by issuer and client_id. Without a client_id (it is optional
/// in a login request) the issuer must have exactly one registration.
async fn find_registration(
    state: &AppState,
    issuer: &str,
    client_id: Option<&str>,
) -> Result<Result<Platform, LaunchError>, AppError> {
    if let Some(client_id) = client_id.filter(|c| !c.is_empty()) {
        return Ok(state
            .store
            .platform(issuer, client_id)
            .await?
            .ok_or_else(|| {
                LaunchError::new(
                    Check::UnknownRegistration,
                    Msg::new("error-login-unknown-client")
                        .arg("issuer", shown(issuer))
                        .arg("client_id", shown(client_id)),
                )
            }));
    }
    let mut candidates = state.store.platforms_for_issuer(issuer).await?;
    Ok(match candidates.len() {
        1 => Ok(candidates.remove(0)),
        0 => Err(LaunchError::new(
            Check::UnknownRegistration,
            Msg::new("error-login-unknown-issuer").arg("issuer", shown(issuer)),
        )),
        _ => Err(LaunchError::new(
            Check::UnknownRegistration,
            Msg::new("error-login-ambiguous-issuer").arg("issuer", shown(issuer)),
        )),
    })
}

/// The platform authorization request, with the parameters of LTI 1.3 section 5.1.1.2.
/// `lti_message_hint` is echoed only when the platform sent one.
fn authorization_url(
    platform: &Platform,
    redirect_uri: &str,
    login_hint: &str,
    lti_message_hint: Option<&str>,
    login: &LoginState,
) -> Result<String, LaunchError> {
    let mut url = Url::parse(&platform.auth_url).map_err(|error| {
        LaunchError::new(
            Check::UnknownRegistration,
            Msg::new("error-login-auth-url")
                .arg("auth_url", format!("{:?}", platform.auth_url))
                .arg("reason", error.to_string()),
        )
    })?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("scope", "openid")
            .append_pair("response_type", "id_token")
            .append_pair("response_mode", "form_post")
            .append_pair("prompt", "none")
            .append_pair("client_id", &platform.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("login_hint", login_hint)
            .append_pair("state", &login.state)
            .append_pair("nonce", &login.nonce);
        if let Some(hint) = lti_message_hint {
            query.append_pair("lti_message_hint", hint);
        }
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_origin_checks() {
        let public = Url::parse("https://cowork.example.edu").unwrap();
        assert!(check_target_origin("https://cowork.example.edu/lti/launch?x=1", &public).is_ok());
        for bad in [
            "https://evil.example.com/lti/launch",
            "http://cowork.example.edu/lti/launch",
            "https://cowork.example.edu:8443/lti/launch",
            "https://cowork.example.edu.evil.com/",
            "/lti/launch",
            "javascript:alert(1)",
        ] {
            let error = check_target_origin(bad, &public).unwrap_err();
            assert_eq!(error.check, Check::TargetLinkUriOrigin, "{bad}");
        }
    }
}
