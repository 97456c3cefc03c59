//! OAuth 2.0 access tokens for the LTI services (1EdTech Security Framework 1.0, section
//! 4.1): a `client_credentials` grant authenticated by a JWT client assertion signed with
//! the tool's current key.
//!
//! Tokens are cached per registration and scope set until shortly before they expire.
//! One async mutex per cache key makes refreshes single-flight: concurrent callers wait
//! for the one request in progress and then share its token.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::keys::{self, KeyVault};
use crate::net::{check_url, PlatformHttp};
use crate::observability::{self, FetchOutcome};
use crate::store::{DynStore, Platform, StoreError};
use crate::{random_token, unix_now};

pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const SCOPE_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCOPE_LINEITEM_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
pub const SCOPE_RESULT_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";

pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Lifetime of a client assertion, in seconds.
const ASSERTION_LIFETIME_SECS: i64 = 300;
/// A cached token is replaced this many seconds before it expires.
const EXPIRY_MARGIN_SECS: i64 = 60;
/// Lifetime assumed when the platform omits `expires_in` (Moodle 4.2 sends 3600).
const DEFAULT_EXPIRES_IN_SECS: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token endpoint {url} could not be reached: {detail}")]
    Transport { url: String, detail: String },
    #[error("the token endpoint {url} answered HTTP {status}: {message}")]
    Rejected {
        url: String,
        status: u16,
        /// The OAuth `error` value, or the raw body when it was not JSON.
        code: String,
        message: String,
    },
    #[error("the token endpoint {url} sent an unusable reply: {detail}")]
    InvalidReply { url: String, detail: String },
    #[error("the tool has no current signing key; run `cowork keys rotate`")]
    NoSigningKey,
    #[error("signing the client assertion failed: {0}")]
    Signing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The token URL is refused by the address policy.
    #[error(transparent)]
    Outbound(#[from] crate::net::OutboundError),
}

impl TokenError {
    /// True when a later attempt may succeed without anyone changing a setting.
    pub fn is_transient(&self) -> bool {
        match self {
            TokenError::Transport { .. } | TokenError::Store(_) => true,
            TokenError::Rejected { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// The claims of a client assertion (RFC 7523 section 3).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AssertionClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// An access token and the scopes the platform granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub value: String,
    pub scopes: BTreeSet<String>,
    pub expires_at: i64,
}

/// The success body of a token endpoint (RFC 6749 section 5.1).
#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
}

/// The error body of a token endpoint (RFC 6749 section 5.2).
#[derive(Deserialize)]
struct ErrorReply {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

type Slot = Arc<tokio::sync::Mutex<Option<AccessToken>>>;

/// Fetches and caches service access tokens.
pub struct ServiceTokens {
    http: reqwest::Client,
    /// Whether token URLs may name private and local addresses.
    allow_private: bool,
    store: DynStore,
    /// Opens the tool's private key when the database stores it encrypted.
    vault: Arc<KeyVault>,
    slots: Mutex<HashMap<(i64, String), Slot>>,
}

impl ServiceTokens {
    pub fn new(http: &PlatformHttp, store: DynStore) -> Self {
        Self {
            http: http.client(),
            allow_private: http.allows_private(),
            store,
            vault: Arc::new(KeyVault::unsealed()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Opens the tool's private keys with `vault`; without it, only plain keys sign.
    pub fn with_vault(mut self, vault: Arc<KeyVault>) -> Self {
        self.vault = vault;
        self
    }

    /// Returns a cached token for `platform` and `scopes`, or requests a new one.
    pub async fn token(
        &self,
        platform: &Platform,
        scopes: &[&str],
    ) -> Result<AccessToken, TokenError> {
        let scope = scope_text(scopes);
        let slot = self.slot(platform.id, &scope);
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref() {
            if token.expires_at - EXPIRY_MARGIN_SECS > unix_now() {
                return Ok(token.clone());
            }
        }
        let fresh = self.request(platform, &scope).await;
        observability::token_fetched(match &fresh {
            Ok(_) => FetchOutcome::Success,
            Err(TokenError::Rejected { .. } | TokenError::InvalidReply { .. }) => {
                FetchOutcome::Rejected
            }
            Err(_) => FetchOutcome::Failed,
        });
        let fresh = fresh?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    /// Drops `rejected` from the cache, so the next call requests a new token. A token
    /// that another caller already replaced stays.
    pub async fn invalidate(&self, platform: &Platform, scopes: &[&str], rejected: &str) {
        let slot = self.slot(platform.id, &scope_text(scopes));
        let mut cached = slot.lock().await;
        if cached.as_ref().is_some_and(|token| token.value == rejected) {
            *cached = None;
        }
    }

    fn slot(&self, platform_id: i64, scope: &str) -> Slot {
        let mut slots = self.slots.lock().expect("token cache lock");
        slots
            .entry((platform_id, scope.to_string()))
            .or_default()
            .clone()
    }

    async fn request(&self, platform: &Platform, scope: &str) -> Result<AccessToken, TokenError> {
        let assertion = self.sign_assertion(platform, unix_now()).await?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
            ("scope", scope),
        ];
        let url = &platform.token_url;
        check_url(url, self.allow_private)?;
        let transport = |error: reqwest::Error| TokenError::Transport {
            url: url.clone(),
            // The whole error chain, so the message names a host that resolves to a private address.
            detail: crate::net::describe(&error),
        };
        let response = self
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(transport)?;
        tracing::debug!(platform_id = platform.id, status, "token endpoint replied");
        parse_reply(url, status, &body, unix_now())
    }

    /// Signs a client assertion for `platform` with the tool's newest current key.
    pub async fn sign_assertion(
        &self,
        platform: &Platform,
        now: i64,
    ) -> Result<String, TokenError> {
        let claims = assertion_claims(platform, now);
        keys::sign_jwt_at(self.store.as_ref(), &self.vault, &claims, now)
            .await
            .map_err(|error| match error {
                keys::SigningError::NoKey => TokenError::NoSigningKey,
                keys::SigningError::AtRest(keys::KeyAtRestError::Store(error)) => {
                    TokenError::Store(error)
                }
                keys::SigningError::AtRest(other) => TokenError::Signing(other.to_string()),
                keys::SigningError::Jwt(detail) => TokenError::Signing(detail),
            })
    }
}

/// The claims of a fresh client assertion: the client_id as issuer and subject, the token
/// URL exactly as registered as audience, and a random `jti`.
pub fn assertion_claims(platform: &Platform, now: i64) -> AssertionClaims {
    AssertionClaims {
        iss: platform.client_id.clone(),
        sub: platform.client_id.clone(),
        aud: platform.token_url.clone(),
        iat: now,
        exp: now + ASSERTION_LIFETIME_SECS,
        jti: random_token(24),
    }
}

/// Sorted, deduplicated scopes joined by spaces: the `scope` parameter and the cache key.
pub fn scope_text(scopes: &[&str]) -> String {
    let set: BTreeSet<&str> = scopes.iter().copied().collect();
    set.into_iter().collect::<Vec<_>>().join(" ")
}

/// Reads a token endpoint reply. Moodle 4.2 labels its JSON replies `text/html`, so the
/// body is parsed as JSON whatever its content type.
pub fn parse_reply(
    url: &str,
    status: u16,
    body: &str,
    now: i64,
) -> Result<AccessToken, TokenError> {
    if !(200..300).contains(&status) {
        return Err(rejection(url, status, body));
    }
    let invalid = |detail: String| TokenError::InvalidReply {
        url: url.to_string(),
        detail,
    };
    let reply: TokenReply = serde_json::from_str(body)
        .map_err(|error| invalid(format!("the body is not a token reply ({error})")))?;
    if !reply.token_type.eq_ignore_ascii_case("bearer") {
        return Err(invalid(format!(
            "token_type is {:?}, expected Bearer",
            reply.token_type
        )));
    }
    if reply.access_token.is_empty() {
        return Err(invalid("access_token is empty".into()));
    }
    let expires_in = reply.expires_in.unwrap_or(DEFAULT_EXPIRES_IN_SECS).max(0);
    Ok(AccessToken {
        value: reply.access_token,
        scopes: reply
            .scope
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        expires_at: now + expires_in,
    })
}

fn rejection(url: &str, status: u16, body: &str) -> TokenError {
    let (code, description) = match serde_json::from_str::<ErrorReply>(body) {
        Ok(reply) => (reply.error, reply.error_description),
        Err(_) => (body.chars().take(200).collect(), None),
    };
    let message = explain(&code, description.as_deref());
    TokenError::Rejected {
        url: url.to_string(),
        status,
        code,
        message,
    }
}

/// Turns the `error` values Moodle 4.2 sends into advice for an administrator.
fn explain(code: &str, description: Option<&str>) -> String {
    let advice = match code {
        "invalid_client" => "the platform does not know this client_id or could not verify the assertion's signature; check the registration's client ID and that the platform has the tool's keyset URL".to_string(),
        "invalid_scope" => "the platform granted none of the requested scopes; enable the tool's grade service (\"IMS LTI Assignment and Grade Services\") in the platform's tool settings".to_string(),
        "unsupported_grant_type" => "the platform does not accept the client_credentials grant".to_string(),
        "invalid_request" => "the platform rejected the token request as malformed".to_string(),
        "Expired token" => "the platform considers the client assertion expired; check that this server's clock is correct".to_string(),
        other if other.starts_with("Cannot handle token prior to") => format!(
            "the platform's clock is behind this server's ({other}); synchronise both clocks"
        ),
        other => format!("error {other:?}"),
    };
    match description {
        Some(text) => format!("{advice} ({text})"),
        None => advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:8080/mod/lti/token.php";

    #[test]
    fn reply_labelled_html_parses_as_json() {
        let body = "{\n  \"access_token\" : \"267c\",\n  \"token_type\" : \"Bearer\",\n  \"expires_in\" : 3600,\n  \"scope\" : \"https://purl.imsglobal.org/spec/lti-ags/scope/score\"\n}";
        let token = parse_reply(URL, 200, body, 1000).unwrap();
        assert_eq!(token.value, "267c");
        assert_eq!(token.expires_at, 4600);
        assert!(token.scopes.contains(SCOPE_SCORE));
    }

    #[test]
    fn recorded_errors_get_advice() {
        let cases = [
            ("{\"error\" : \"invalid_client\"}", "client_id"),
            ("{\"error\" : \"invalid_scope\"}", "grade service"),
            ("{\"error\" : \"Expired token\"}", "clock"),
            (
                "{\"error\" : \"Cannot handle token prior to 2026-12-04T15:49:43+0000\"}",
                "clocks",
            ),
            (
                "{\"error\" : \"unsupported_grant_type\"}",
                "client_credentials",
            ),
            ("{\"error\" : \"invalid_request\"}", "malformed"),
        ];
        for (body, expected) in cases {
            let error = parse_reply(URL, 400, body, 0).unwrap_err();
            assert!(!error.is_transient(), "{body}");
            assert!(error.to_string().contains(expected), "{body}: {error}");
        }
    }

    #[test]
    fn server_errors_are_transient() {
        let error = parse_reply(URL, 503, "<html>down</html>", 0).unwrap_err();
        assert!(error.is_transient());
        assert!(error.to_string().contains("503"));
    }

    #[test]
    fn reply_without_bearer_type_is_rejected() {
        let body = r#"{"access_token":"a","token_type":"mac"}"#;
        let error = parse_reply(URL, 200, body, 0).unwrap_err();
        assert!(error.to_string().contains("Bearer"));
    }

    #[test]
    fn scope_text_sorts_and_deduplicates() {
        assert_eq!(
            scope_text(&[SCOPE_SCORE, SCOPE_LINEITEM, SCOPE_SCORE]),
            format!("{SCOPE_LINEITEM} {SCOPE_SCORE}")
        );
    }
}
