//! LTI Dynamic Registration (1EdTech LTI Dynamic Registration 1.0), the tool's side.
//!
//! The platform opens the tool's registration URL with `openid_configuration` and
//! `registration_token`. The tool fetches the configuration and checks that its issuer is
//! on the host it came from. It then posts a client registration to the platform's
//! `registration_endpoint` with the token as a Bearer credential. The platform returns
//! the client ID and deployment ID, which the caller stores.

use std::time::Duration;

use serde_json::{json, Value};
use url::Url;

use super::claims::{DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST};
use super::discovery::{self, PlatformEndpoints};
use crate::config::Config;
use crate::net::{describe, read_capped, PlatformHttp};
use crate::store::NewPlatform;

pub const PLATFORM_CONFIGURATION: &str =
    "https://purl.imsglobal.org/spec/lti-platform-configuration";
pub const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";

/// Service scopes cowork requests: Assignment and Grade Services and the Names and Role
/// Provisioning Service. Moodle 4.2 grants the subset it supports.
pub const SCOPES: [&str; 5] = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
];

/// Identity claims cowork requests in launches. Email is not requested because cowork
/// never uses it.
const CLAIMS: [&str; 5] = ["iss", "sub", "name", "given_name", "family_name"];

/// Largest registration response accepted, in bytes; Moodle's is about 2 KiB.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// A platform's OpenID configuration, checked for dynamic registration.
#[derive(Debug, Clone)]
pub struct PlatformOffer {
    pub endpoints: PlatformEndpoints,
    pub registration_endpoint: String,
}

/// Identifiers the platform assigned to cowork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub client_id: String,
    pub deployment_id: Option<String>,
}

/// Checks a fetched OpenID configuration: the issuer is on the host of `source`, and the
/// document has a registration endpoint and the LTI platform configuration object.
pub fn parse_offer(source: &Url, body: &[u8]) -> Result<PlatformOffer, String> {
    let endpoints = discovery::parse_configuration(source, body)?;
    let document: Value =
        serde_json::from_slice(body).map_err(|error| format!("{source} is not JSON: {error}"))?;
    if !document
        .get(PLATFORM_CONFIGURATION)
        .is_some_and(Value::is_object)
    {
        return Err(format!(
            "the configuration at {source} has no {PLATFORM_CONFIGURATION} object, so it is \
             not an LTI 1.3 platform's"
        ));
    }
    let registration_endpoint = document
        .get("registration_endpoint")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the configuration at {source} has no registration_endpoint"))?;
    Ok(PlatformOffer {
        endpoints,
        registration_endpoint: registration_endpoint.to_string(),
    })
}

/// Builds the client registration cowork sends, with every URL under its public origin.
pub fn registration_request(config: &Config) -> Value {
    let launch_url = config.url_for("/lti/launch");
    let domain = match config.public_url.port() {
        Some(port) => format!(
            "{}:{port}",
            config.public_url.host_str().unwrap_or_default()
        ),
        None => config.public_url.host_str().unwrap_or_default().to_string(),
    };
    json!({
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": config.url_for("/lti/login"),
        "redirect_uris": [launch_url],
        "client_name": "cowork",
        "jwks_uri": config.url_for("/.well-known/jwks.json"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": SCOPES.join(" "),
        TOOL_CONFIGURATION: {
            "domain": domain,
            "target_link_uri": launch_url,
            "description": "A coworking space for the course: rooms, chat, help desk, \
                            showcase, focus sessions and events",
            "custom_parameters": {
                "context_title": "$Context.title",
                "resource_link_title": "$ResourceLink.title",
            },
            "claims": CLAIMS,
            "messages": [
                { "type": RESOURCE_LINK_REQUEST, "target_link_uri": launch_url },
                {
                    "type": DEEP_LINKING_REQUEST,
                    "target_link_uri": launch_url,
                    "label": "cowork",
                },
            ],
        },
    })
}

/// Reads the client ID and the deployment ID out of the platform's registration response.
pub fn parse_registration_response(body: &[u8]) -> Result<Registered, String> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|error| format!("the registration response is not JSON: {error}"))?;
    let client_id = document
        .get("client_id")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or("the registration response has no client_id")?;
    // Moodle sends the deployment ID as a string; other platforms may send a number.
    let deployment_id = match document
        .get(TOOL_CONFIGURATION)
        .map(|c| &c["deployment_id"])
    {
        Some(Value::String(id)) if !id.trim().is_empty() => Some(id.clone()),
        Some(Value::Number(id)) => Some(id.to_string()),
        _ => None,
    };
    Ok(Registered {
        client_id: client_id.to_string(),
        deployment_id,
    })
}

/// Runs the registration against the platform and returns the registration to store.
pub async fn register(
    http: &PlatformHttp,
    config: &Config,
    openid_configuration: &str,
    registration_token: &str,
) -> Result<NewPlatform, String> {
    let (source, body) = discovery::fetch_document(http, openid_configuration).await?;
    let offer = parse_offer(&source, &body)?;
    let registered = post_registration(http, config, &offer, registration_token).await?;
    Ok(NewPlatform {
        issuer: offer.endpoints.issuer,
        client_id: registered.client_id,
        auth_url: offer.endpoints.auth_url,
        token_url: offer.endpoints.token_url,
        jwks_url: offer.endpoints.jwks_url,
        deployments: registered.deployment_id.into_iter().collect(),
    })
}

async fn post_registration(
    http: &PlatformHttp,
    config: &Config,
    offer: &PlatformOffer,
    registration_token: &str,
) -> Result<Registered, String> {
    let endpoint = &offer.registration_endpoint;
    let response = http
        .post(endpoint)
        .map_err(|error| error.to_string())?
        .bearer_auth(registration_token)
        .header(reqwest::header::ACCEPT, "application/json")
        .json(&registration_request(config))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|error| {
            format!(
                "posting the registration to {endpoint} failed: {}",
                describe(&error)
            )
        })?;
    let status = response.status();
    let body = read_capped(response, MAX_RESPONSE_BYTES)
        .await
        .map_err(|error| format!("reading the registration response failed: {error}"))?;
    if !status.is_success() {
        let excerpt: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        return Err(format!(
            "the platform rejected the registration with HTTP status {status}: {excerpt}"
        ));
    }
    parse_registration_response(&body)
}
