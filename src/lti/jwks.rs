//! Platform signing keys, fetched from each platform's JWKS URL and cached by `kid`.
//!
//! Keys come only from the registered JWKS URL, never from a token header. An unknown
//! `kid` triggers at most one refetch per cooldown, so a stream of forged `kid`s cannot
//! turn cowork into a request amplifier against the platform.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the platform JWKS at {url} has no key with kid {kid:?}")]
    UnknownKid { url: String, kid: String },
    #[error("fetching the platform JWKS at {url} failed: {reason}")]
    Fetch { url: String, reason: String },
}

/// Where id_token verification gets a platform's public keys.
#[async_trait]
pub trait KeySource: Send + Sync {
    async fn decoding_key(&self, jwks_url: &str, kid: &str) -> Result<DecodingKey, KeyError>;
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

/// Parses a JWKS document into RS256 verification keys by `kid`. Keys that are not RSA,
/// are marked for encryption, or name another algorithm are skipped.
pub fn parse_jwks(body: &[u8]) -> Result<HashMap<String, DecodingKey>, String> {
    let set: JwkSet =
        serde_json::from_slice(body).map_err(|error| format!("not a JWKS document: {error}"))?;
    let mut keys = HashMap::new();
    for jwk in set.keys {
        let text = |name: &str| jwk.get(name).and_then(|v| v.as_str());
        let usable = text("kty") == Some("RSA")
            && text("use").is_none_or(|u| u == "sig")
            && text("alg").is_none_or(|a| a == "RS256");
        let (Some(kid), Some(n), Some(e)) = (text("kid"), text("n"), text("e")) else {
            continue;
        };
        if !usable {
            continue;
        }
        match DecodingKey::from_rsa_components(n, e) {
            Ok(key) => {
                keys.insert(kid.to_string(), key);
            }
            Err(error) => tracing::warn!(%kid, %error, "skipping malformed platform JWK"),
        }
    }
    Ok(keys)
}

struct CachedSet {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Instant,
}

/// Fetches JWKS documents over HTTP and caches them per URL.
pub struct JwksCache {
    http: reqwest::Client,
    cooldown: Duration,
    entries: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CachedSet>>>>>,
}

impl JwksCache {
    pub fn new(http: reqwest::Client, cooldown: Duration) -> Self {
        Self {
            http,
            cooldown,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entry(&self, url: &str) -> Arc<tokio::sync::Mutex<Option<CachedSet>>> {
        let mut entries = self.entries.lock().expect("JWKS cache lock");
        entries.entry(url.to_string()).or_default().clone()
    }

    async fn fetch(&self, url: &str) -> Result<HashMap<String, DecodingKey>, KeyError> {
        let failed = |reason: String| KeyError::Fetch {
            url: url.to_string(),
            reason,
        };
        tracing::info!(%url, "fetching platform JWKS");
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(|error| failed(error.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP status {}", response.status())));
        }
        let body = response
            .bytes()
            .await
            .map_err(|error| failed(error.to_string()))?;
        parse_jwks(&body).map_err(failed)
    }
}

#[async_trait]
impl KeySource for JwksCache {
    async fn decoding_key(&self, jwks_url: &str, kid: &str) -> Result<DecodingKey, KeyError> {
        let entry = self.entry(jwks_url);
        // Holding this URL's lock through the fetch means concurrent launches that miss
        // the cache wait for one fetch instead of each starting their own.
        let mut cached = entry.lock().await;
        if let Some(set) = cached.as_ref() {
            if let Some(key) = set.keys.get(kid) {
                return Ok(key.clone());
            }
            if set.fetched_at.elapsed() < self.cooldown {
                return Err(KeyError::UnknownKid {
                    url: jwks_url.to_string(),
                    kid: kid.to_string(),
                });
            }
        }
        let keys = match self.fetch(jwks_url).await {
            Ok(keys) => keys,
            Err(error) => {
                // A failed fetch keeps the keys already cached, so a platform outage does not
                // break launches signed with a known key, and restarts the cooldown.
                tracing::warn!(url = %jwks_url, %error, "platform JWKS fetch failed");
                if let Some(set) = cached.as_mut() {
                    set.fetched_at = Instant::now();
                }
                return Err(error);
            }
        };
        let found = keys.get(kid).cloned();
        *cached = Some(CachedSet {
            keys,
            fetched_at: Instant::now(),
        });
        found.ok_or_else(|| KeyError::UnknownKid {
            url: jwks_url.to_string(),
            kid: kid.to_string(),
        })
    }
}

/// A fixed key set, for verifying recorded tokens against a recorded JWKS.
pub struct StaticKeys(pub HashMap<String, DecodingKey>);

#[async_trait]
impl KeySource for StaticKeys {
    async fn decoding_key(&self, jwks_url: &str, kid: &str) -> Result<DecodingKey, KeyError> {
        self.0
            .get(kid)
            .cloned()
            .ok_or_else(|| KeyError::UnknownKid {
                url: jwks_url.to_string(),
                kid: kid.to_string(),
            })
    }
}
