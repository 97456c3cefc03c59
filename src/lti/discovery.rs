//! Reads a platform's OpenID configuration (`/.well-known/openid-configuration`, or
//! Moodle's `/mod/lti/openid-configuration.php`) into the endpoints of a registration.

use std::time::Duration;

use openidconnect::core::CoreProviderMetadata;
use url::Url;

use crate::net::{describe, read_capped, PlatformHttp};

/// Largest OpenID configuration accepted, in bytes; Moodle's is about 3 KiB.
pub const MAX_CONFIGURATION_BYTES: usize = 256 * 1024;

/// The endpoints a registration needs, as the platform publishes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformEndpoints {
    pub issuer: String,
    pub auth_url: String,
    pub token_url: String,
    pub jwks_url: String,
}

/// Parses an OpenID configuration document fetched from `source`. The issuer's host must
/// be the host the document came from, so one site cannot speak for another.
pub fn parse_configuration(source: &Url, body: &[u8]) -> Result<PlatformEndpoints, String> {
    let metadata: CoreProviderMetadata = serde_json::from_slice(body)
        .map_err(|error| format!("{source} is not an OpenID configuration: {error}"))?;
    let issuer = metadata.issuer().as_str().to_string();
    let issuer_host = Url::parse(&issuer)
        .ok()
        .and_then(|url| url.host_str().map(str::to_string));
    if issuer_host.as_deref() != source.host_str() {
        return Err(format!(
            "the configuration at {source} names issuer {issuer:?} on another host"
        ));
    }
    let token_url = metadata
        .token_endpoint()
        .ok_or_else(|| format!("the configuration at {source} has no token_endpoint"))?;
    Ok(PlatformEndpoints {
        issuer,
        auth_url: metadata.authorization_endpoint().as_str().to_string(),
        token_url: token_url.as_str().to_string(),
        jwks_url: metadata.jwks_uri().as_str().to_string(),
    })
}

/// Fetches and parses the OpenID configuration at `url`.
pub async fn fetch_configuration(
    http: &PlatformHttp,
    url: &str,
) -> Result<PlatformEndpoints, String> {
    let (source, body) = fetch_document(http, url).await?;
    parse_configuration(&source, &body)
}

/// Fetches the OpenID configuration document at `url`, at most [`MAX_CONFIGURATION_BYTES`].
pub async fn fetch_document(http: &PlatformHttp, url: &str) -> Result<(Url, Vec<u8>), String> {
    let source = Url::parse(url).map_err(|error| format!("{url:?} is not a URL: {error}"))?;
    let response = http
        .get(url)
        .map_err(|error| error.to_string())?
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|error| format!("fetching {source} failed: {}", describe(&error)))?;
    if !response.status().is_success() {
        return Err(format!(
            "fetching {source} failed with HTTP status {}",
            response.status()
        ));
    }
    let body = read_capped(response, MAX_CONFIGURATION_BYTES)
        .await
        .map_err(|error| format!("reading {source} failed: {error}"))?;
    Ok((source, body))
}
