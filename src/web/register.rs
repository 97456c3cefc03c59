//! The dynamic registration endpoint (`GET /lti/register`), opened by the platform in a
//! frame of its admin page.
//!
//! A registration is accepted only with a one-time invitation in the path
//! (`/lti/register/{invite}`, created by `cowork platform invite`) or when the platform's
//! host is in `registration_allowed_hosts`. Otherwise anyone who can reach cowork could
//! make it trust a platform of their own.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Msg;
use crate::lti::registration;
use crate::store::registration::InviteClaim;
use crate::store::Platform;
use crate::unix_now;
use crate::web::security;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lti/register", get(register_allowed_host))
        .route("/lti/register/{invite}", get(register_invited))
}

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    openid_configuration: Option<String>,
    registration_token: Option<String>,
}

#[derive(Template)]
#[template(path = "registered.html")]
struct RegisteredPage<'a> {
    issuer: &'a str,
    client_id: &'a str,
    deployment_id: Option<&'a str>,
}

/// Hex SHA-256 of an invitation token, the form in which invitations are stored.
pub fn invite_digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

async fn register_allowed_host(
    State(state): State<AppState>,
    Query(query): Query<RegisterQuery>,
    headers: HeaderMap,
) -> Result<Html<String>, ErrorResponse> {
    run(&state, None, query)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn register_invited(
    State(state): State<AppState>,
    Path(invite): Path<String>,
    Query(query): Query<RegisterQuery>,
    headers: HeaderMap,
) -> Result<Html<String>, ErrorResponse> {
    run(&state, Some(invite), query)
        .await
        .map_err(|error| error.respond(&headers))
}

async fn run(
    state: &AppState,
    invite: Option<String>,
    query: RegisterQuery,
) -> Result<Html<String>, AppError> {
    let missing = |name: &str| {
        AppError::invalid(Msg::new("error-register-parameter-missing").arg("name", name))
    };
    let configuration_url = query
        .openid_configuration
        .filter(|value| !value.is_empty())
        .ok_or_else(|| missing("openid_configuration"))?;
    let registration_token = query
        .registration_token
        .filter(|value| !value.is_empty())
        .ok_or_else(|| missing("registration_token"))?;
    let host = Url::parse(&configuration_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .ok_or_else(|| {
            AppError::invalid(
                Msg::new("error-register-configuration-url")
                    .arg("url", format!("{configuration_url:?}")),
            )
        })?;

    // Moodle shows registration in a frame of its administration page, whose origin is
    // the configuration URL's. The result page has no controls to trick a person into.
    security::note_frame_ancestor(&configuration_url);

    let digest = match &invite {
        Some(token) => Some(claim(state, token).await?),
        None if state.config.registration_allowed_hosts.contains(&host) => None,
        None => {
            tracing::warn!(%host, "dynamic registration without an invitation rejected");
            return Err(AppError::RegistrationRejected(
                Msg::new("error-register-host-not-allowed").arg("host", host),
            ));
        }
    };

    let result = registration::register(
        &state.http,
        &state.config,
        &configuration_url,
        &registration_token,
    )
    .await
    .and_then(|platform| platform.validate().map(|()| platform));
    let new_platform = match result {
        Ok(platform) => platform,
        Err(reason) => {
            tracing::warn!(%host, %reason, "dynamic registration failed");
            if let Some(digest) = &digest {
                state.store.release_invite(digest).await?;
            }
            return Err(AppError::RegistrationFailed(reason));
        }
    };
    let platform = match state.store.upsert_platform(&new_platform, unix_now()).await {
        Ok(platform) => platform,
        Err(error) => {
            // The platform has registered cowork, so the admin must be able to retry.
            if let Some(digest) = &digest {
                if let Err(release_error) = state.store.release_invite(digest).await {
                    tracing::warn!(%release_error, "releasing a registration invitation failed");
                }
            }
            return Err(error.into());
        }
    };
    if let Some(digest) = &digest {
        state.store.complete_invite(digest, platform.id).await?;
    }
    tracing::info!(
        issuer = %platform.issuer,
        client_id = %platform.client_id,
        deployments = %platform.deployments.join(","),
        invited = digest.is_some(),
        "platform registered dynamically"
    );
    render_registered(&platform, new_platform.deployments.first())
}

/// Claims the invitation `token` and returns its digest, or the reason it is not usable.
async fn claim(state: &AppState, token: &str) -> Result<String, AppError> {
    let digest = invite_digest(token);
    let reason = match state.store.claim_invite(&digest, unix_now()).await? {
        InviteClaim::Claimed => return Ok(digest),
        InviteClaim::AlreadyUsed => "error-register-invite-used",
        InviteClaim::Expired => "error-register-invite-expired",
        InviteClaim::Unknown => "error-register-invite-unknown",
    };
    let reason = Msg::new(reason);
    tracing::warn!(%reason, "dynamic registration invitation rejected");
    Err(AppError::RegistrationRejected(reason))
}

fn render_registered(
    platform: &Platform,
    deployment_id: Option<&String>,
) -> Result<Html<String>, AppError> {
    RegisteredPage {
        issuer: &platform.issuer,
        client_id: &platform.client_id,
        deployment_id: deployment_id.map(String::as_str),
    }
    .render()
    .map(Html)
    .map_err(|error| AppError::Internal(format!("registration page failed to render: {error}")))
}
