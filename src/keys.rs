//! The tool's own RSA signing keys: made on first start, rotated on a schedule or on
//! request, published as a JWKS, and optionally encrypted in the database. Private keys
//! never leave the database and this module.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, ToolKey};

mod at_rest;
pub use at_rest::{KeyAtRestError, KeyCipher, KeyVault};

const KEY_BITS: usize = 2048;

/// One public key in JWK form (RFC 7517), as platforms read it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub key_use: String,
    pub kid: String,
    pub n: String,
    pub e: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// A freshly generated key pair with its `kid` and PKCS#8 PEM encoding.
pub struct GeneratedKey {
    pub private_key: RsaPrivateKey,
    pub kid: String,
    pub pem: String,
}

/// Generates an RSA-2048 key pair; its `kid` is the RFC 7638 thumbprint of the public key.
pub fn generate_key() -> GeneratedKey {
    let private_key =
        RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS).expect("RSA key generation");
    let pem = private_key
        .to_pkcs8_pem(LineEnding::LF)
        .expect("PKCS#8 encoding of a valid RSA key")
        .to_string();
    let kid = thumbprint(&RsaPublicKey::from(&private_key));
    GeneratedKey {
        private_key,
        kid,
        pem,
    }
}

/// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexical order.
pub fn thumbprint(public_key: &RsaPublicKey) -> String {
    let (n, e) = public_components(public_key);
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn public_components(public_key: &RsaPublicKey) -> (String, String) {
    (
        URL_SAFE_NO_PAD.encode(public_key.n().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(public_key.e().to_bytes_be()),
    )
}

/// The JWK of an RSA public key, for RS256 signatures.
pub fn public_jwk(public_key: &RsaPublicKey, kid: &str) -> Jwk {
    let (n, e) = public_components(public_key);
    Jwk {
        kty: "RSA".into(),
        alg: "RS256".into(),
        key_use: "sig".into(),
        kid: kid.into(),
        n,
        e,
    }
}

/// Returns whether `key` signs at `now`: it has become active and is not yet retired.
pub fn is_signing(key: &ToolKey, now: i64) -> bool {
    key.active_from <= now && key.retired_at.is_none_or(|retired| retired > now)
}

/// Returns whether `key` is in the published JWKS at `now`. A key is published from its
/// creation, which for a key made by scheduled rotation is before it starts signing,
/// until `grace_secs` after it is retired.
pub fn is_published(key: &ToolKey, now: i64, grace_secs: i64) -> bool {
    key.retired_at
        .is_none_or(|retired| retired + grace_secs > now)
}

/// Returns the key that signs at `now`: the most recently activated signing key.
fn signing_key(keys: &[ToolKey], now: i64) -> Option<&ToolKey> {
    keys.iter()
        .filter(|key| is_signing(key, now))
        .max_by_key(|key| (key.active_from, key.created_at))
}

async fn generate_stored(
    vault: &KeyVault,
    now: i64,
    active_from: i64,
) -> Result<ToolKey, KeyAtRestError> {
    let generated = tokio::task::spawn_blocking(generate_key)
        .await
        .expect("key generation task");
    Ok(ToolKey {
        private_key_pem: vault.seal(&generated.kid, &generated.pem),
        kid: generated.kid,
        created_at: now,
        active_from,
        retired_at: None,
    })
}

/// Creates the first signing key when the database has none that signs now or later.
pub async fn ensure_signing_key(
    store: &dyn Store,
    vault: &KeyVault,
    now: i64,
) -> Result<(), KeyAtRestError> {
    let keys = store.tool_keys().await?;
    if keys
        .iter()
        .any(|key| key.retired_at.is_none_or(|retired| retired > now))
    {
        return Ok(());
    }
    let key = generate_stored(vault, now, now).await?;
    tracing::info!(kid = %key.kid, "created tool signing key");
    store.insert_tool_key(&key).await?;
    Ok(())
}

/// Adds a new signing key that signs from `now` and retires the others at once; they
/// stay published for the grace period. For a key that may be compromised. Fails without
/// adding a key when the stored keys are encrypted and `vault` has no key to encrypt with.
pub async fn rotate(
    store: &dyn Store,
    vault: &KeyVault,
    now: i64,
) -> Result<String, KeyAtRestError> {
    if !vault.seals() {
        if let Some(sealed) = store
            .tool_keys()
            .await?
            .iter()
            .find(|key| KeyVault::is_sealed(key))
        {
            return Err(KeyAtRestError::Locked {
                subject: format!("tool key {}", sealed.kid),
            });
        }
    }
    let key = generate_stored(vault, now, now).await?;
    store.add_tool_key(&key, now).await?;
    tracing::info!(kid = %key.kid, "rotated tool signing key on request");
    Ok(key.kid)
}

/// The outcome of [`rotate_on_schedule`].
#[derive(Debug, PartialEq, Eq)]
pub enum ScheduledRotation {
    /// The signing key is younger than the rotation period less the overlap.
    NotDue,
    /// A key made earlier is published and waits for its time to sign.
    Pending { kid: String, active_from: i64 },
    /// A new key was published; it signs from `active_from`, when the others retire.
    Published { kid: String, active_from: i64 },
}

/// Replaces the signing key once it is `rotation_secs` old. The new key is published
/// `overlap_secs` before it starts signing, so platforms that cache cowork's JWKS fetch it
/// before its first signature, and the old key stays published `overlap_secs` after it
/// stops. Keys retired longer than `overlap_secs` ago are deleted, because nothing they
/// signed still verifies. Each call is one store transaction per change, so a second
/// instance running the same schedule finds the pending key and adds none.
pub async fn rotate_on_schedule(
    store: &dyn Store,
    vault: &KeyVault,
    now: i64,
    rotation_secs: i64,
    overlap_secs: i64,
) -> Result<ScheduledRotation, KeyAtRestError> {
    let removed = store
        .delete_tool_keys_retired_before(now - overlap_secs)
        .await?;
    if removed > 0 {
        tracing::info!(removed, "deleted tool keys no longer published");
    }
    let keys = store.tool_keys().await?;
    if let Some(pending) = keys
        .iter()
        .filter(|key| key.active_from > now && key.retired_at.is_none())
        .max_by_key(|key| key.active_from)
    {
        return Ok(ScheduledRotation::Pending {
            kid: pending.kid.clone(),
            active_from: pending.active_from,
        });
    }
    let due = match signing_key(&keys, now) {
        Some(current) => current.active_from + rotation_secs - overlap_secs <= now,
        None => true,
    };
    if !due {
        return Ok(ScheduledRotation::NotDue);
    }
    let active_from = now + overlap_secs;
    let key = generate_stored(vault, now, active_from).await?;
    store.add_tool_key(&key, active_from).await?;
    tracing::info!(kid = %key.kid, active_from, "published the next tool signing key");
    Ok(ScheduledRotation::Published {
        kid: key.kid,
        active_from,
    })
}

/// Builds the published key set: keys that sign now or later, and keys retired less
/// than `grace_secs` ago.
pub async fn published_jwks(
    store: &dyn Store,
    vault: &KeyVault,
    now: i64,
    grace_secs: i64,
) -> Result<Jwks, KeyAtRestError> {
    let mut keys = Vec::new();
    for key in store.tool_keys().await? {
        if !is_published(&key, now, grace_secs) {
            continue;
        }
        let pem = vault.open(&key)?;
        match RsaPrivateKey::from_pkcs8_pem(&pem) {
            Ok(private_key) => keys.push(public_jwk(&RsaPublicKey::from(&private_key), &key.kid)),
            Err(error) => {
                tracing::error!(kid = %key.kid, %error, "stored tool key is not valid PKCS#8");
            }
        }
    }
    Ok(Jwks { keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // The RSA key and expected thumbprint of RFC 7638, section 3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let e = "AQAB";
        let decode = |s: &str| rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(s).unwrap());
        let public_key = RsaPublicKey::new(decode(n), decode(e)).unwrap();
        assert_eq!(
            thumbprint(&public_key),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn generated_key_round_trips_through_pem() {
        let generated = generate_key();
        let parsed = RsaPrivateKey::from_pkcs8_pem(&generated.pem).unwrap();
        assert_eq!(parsed, generated.private_key);
        let jwk = public_jwk(&RsaPublicKey::from(&parsed), &generated.kid);
        assert_eq!(jwk.alg, "RS256");
        assert_eq!(jwk.key_use, "sig");
        assert_eq!(jwk.e, "AQAB");
    }
}

/// The reason a message could not be signed with the tool's key.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("the tool has no current signing key; run `cowork keys rotate`")]
    NoKey,
    #[error("signing failed: {0}")]
    Jwt(String),
    #[error(transparent)]
    AtRest(#[from] KeyAtRestError),
}

impl From<StoreError> for SigningError {
    fn from(error: StoreError) -> Self {
        Self::AtRest(KeyAtRestError::Store(error))
    }
}

/// Signs `claims` as an RS256 JWT with the tool's current signing key, naming it in `kid`.
pub async fn sign_jwt(
    store: &dyn Store,
    vault: &KeyVault,
    claims: &impl Serialize,
) -> Result<String, SigningError> {
    sign_jwt_at(store, vault, claims, crate::unix_now()).await
}

/// Signs `claims` with the key that signs at `now`.
pub async fn sign_jwt_at(
    store: &dyn Store,
    vault: &KeyVault,
    claims: &impl Serialize,
    now: i64,
) -> Result<String, SigningError> {
    let keys = store.tool_keys().await?;
    let key = signing_key(&keys, now).ok_or(SigningError::NoKey)?;
    let pem = vault.open(key)?;
    let encoding_key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|error| SigningError::Jwt(error.to_string()))?;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &encoding_key)
        .map_err(|error| SigningError::Jwt(error.to_string()))
}
