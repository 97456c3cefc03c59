//! Platform signing keys, fetched from each platform's JWKS URL and cached by `kid`.
//!
//! Keys come only from the registered JWKS URL, never from a token header. An unknown
//! `kid` triggers at most one refetch per cooldown, so a stream of forged `kid`s cannot
//! turn cowork into a request amplifier against the platform. A set older than its
//! maximum age is fetched again at the next launch, so platform key changes take effect
//! without a restart. While the platform is unreachable, the cached keys keep working.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use crate::net::{describe, read_capped, PlatformHttp};
use crate::observability::{self, FetchOutcome};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the platform JWKS at {url} has no key with kid {kid:?}")]
    UnknownKid { url: String, kid: String },
    #[error("fetching the platform JWKS at {url} failed: {reason}")]
    Fetch { url: String, reason: String },
}

/// A source of platform public keys for id_token verification.
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
    /// When these keys were fetched.
    fetched_at: Instant,
    /// When a fetch was last tried, whether or not it succeeded.
    attempted_at: Instant,
}

/// The cached state of one JWKS URL.
#[derive(Default)]
struct Entry {
    keys: Option<CachedSet>,
    /// When a fetch last failed while no keys were cached, and why.
    failure: Option<(Instant, String)>,
}

/// Largest JWKS document accepted, in bytes; real ones hold a few keys in a few KiB.
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// How long a failed first fetch is remembered, so launches waiting on an unreachable
/// platform fail at once instead of each waiting for its own fetch to time out.
const FAILURE_MEMORY: Duration = Duration::from_secs(10);

/// Fetches JWKS documents over HTTP and caches them per URL.
pub struct JwksCache {
    http: PlatformHttp,
    cooldown: Duration,
    max_age: Duration,
    entries: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Entry>>>>,
}

impl JwksCache {
    /// Creates a cache that fetches a set again for an unknown `kid` at most once per
    /// `cooldown`, and for a known one once the set is older than `max_age`.
    pub fn new(http: PlatformHttp, cooldown: Duration, max_age: Duration) -> Self {
        Self {
            http,
            cooldown,
            max_age,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entry(&self, url: &str) -> Arc<tokio::sync::Mutex<Entry>> {
        let mut entries = self.entries.lock().expect("JWKS cache lock");
        entries.entry(url.to_string()).or_default().clone()
    }

    async fn fetch(&self, url: &str) -> Result<HashMap<String, DecodingKey>, KeyError> {
        let failed = |reason: String| KeyError::Fetch {
            url: url.to_string(),
            reason,
        };
        let unsent = |error: String| {
            observability::jwks_fetched(FetchOutcome::Failed);
            failed(error)
        };
        let rejected = |error: String| {
            observability::jwks_fetched(FetchOutcome::Rejected);
            failed(error)
        };
        tracing::info!(%url, "fetching platform JWKS");
        let response = self
            .http
            .get(url)
            .map_err(|error| unsent(error.to_string()))?
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(|error| unsent(describe(&error)))?;
        if !response.status().is_success() {
            return Err(rejected(format!("HTTP status {}", response.status())));
        }
        let body = read_capped(response, MAX_JWKS_BYTES)
            .await
            .map_err(unsent)?;
        let keys = parse_jwks(&body).map_err(rejected)?;
        observability::jwks_fetched(FetchOutcome::Success);
        Ok(keys)
    }
}

#[async_trait]
impl KeySource for JwksCache {
    async fn decoding_key(&self, jwks_url: &str, kid: &str) -> Result<DecodingKey, KeyError> {
        let entry = self.entry(jwks_url);
        // Holding this URL's lock through the fetch means concurrent launches that miss
        // the cache wait for one fetch instead of each starting their own.
        let mut cached = entry.lock().await;
        if cached.keys.is_none() {
            if let Some((at, reason)) = &cached.failure {
                if at.elapsed() < FAILURE_MEMORY.min(self.cooldown) {
                    return Err(KeyError::Fetch {
                        url: jwks_url.to_string(),
                        reason: format!(
                            "{reason} (within the last {} seconds)",
                            FAILURE_MEMORY.as_secs()
                        ),
                    });
                }
            }
        }
        if let Some(set) = cached.keys.as_ref() {
            let recently_tried = set.attempted_at.elapsed() < self.cooldown;
            match set.keys.get(kid) {
                Some(key) if recently_tried || set.fetched_at.elapsed() < self.max_age => {
                    return Ok(key.clone());
                }
                // The set is older than max_age: it is fetched again below, so a key the
                // platform has replaced or withdrawn stops working.
                Some(_) => {}
                None if recently_tried => {
                    return Err(KeyError::UnknownKid {
                        url: jwks_url.to_string(),
                        kid: kid.to_string(),
                    });
                }
                None => {}
            }
        }
        let keys = match self.fetch(jwks_url).await {
            Ok(keys) => keys,
            Err(error) => {
                // A failed fetch keeps the keys already cached, so a platform outage does not
                // break launches signed with a known key, and restarts the cooldown.
                tracing::warn!(url = %jwks_url, %error, "platform JWKS fetch failed");
                match cached.keys.as_mut() {
                    Some(set) => {
                        set.attempted_at = Instant::now();
                        if let Some(key) = set.keys.get(kid) {
                            tracing::warn!(
                                url = %jwks_url,
                                %kid,
                                "verifying with the cached platform key until the JWKS can be fetched"
                            );
                            return Ok(key.clone());
                        }
                    }
                    None => cached.failure = Some((Instant::now(), error_reason(&error))),
                }
                return Err(error);
            }
        };
        let found = keys.get(kid).cloned();
        let now = Instant::now();
        cached.keys = Some(CachedSet {
            keys,
            fetched_at: now,
            attempted_at: now,
        });
        cached.failure = None;
        found.ok_or_else(|| KeyError::UnknownKid {
            url: jwks_url.to_string(),
            kid: kid.to_string(),
        })
    }
}

fn error_reason(error: &KeyError) -> String {
    match error {
        KeyError::Fetch { reason, .. } => reason.clone(),
        other => other.to_string(),
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
