//! The tool's own RSA signing keys: made on first start, rotated on request, and published
//! as a JWKS. Private keys never leave the database and this module.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, StoreResult, ToolKey};

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

/// Creates the first signing key when the database has none that is current.
pub async fn ensure_signing_key(store: &dyn Store, now: i64) -> StoreResult<()> {
    let keys = store.tool_keys().await?;
    if keys.iter().any(|key| key.retired_at.is_none()) {
        return Ok(());
    }
    let generated = tokio::task::spawn_blocking(generate_key)
        .await
        .expect("key generation task");
    tracing::info!(kid = %generated.kid, "created tool signing key");
    store
        .insert_tool_key(&ToolKey {
            kid: generated.kid,
            private_key_pem: generated.pem,
            created_at: now,
            retired_at: None,
        })
        .await
}

/// Adds a new signing key and retires the others; they stay published for the grace period.
pub async fn rotate(store: &dyn Store, now: i64) -> StoreResult<String> {
    let generated = tokio::task::spawn_blocking(generate_key)
        .await
        .expect("key generation task");
    store
        .insert_tool_key(&ToolKey {
            kid: generated.kid.clone(),
            private_key_pem: generated.pem,
            created_at: now,
            retired_at: None,
        })
        .await?;
    store.retire_tool_keys_except(&generated.kid, now).await?;
    Ok(generated.kid)
}

/// The published key set: current keys and keys retired less than `grace_secs` ago.
pub async fn published_jwks(store: &dyn Store, now: i64, grace_secs: i64) -> StoreResult<Jwks> {
    let keys = store
        .tool_keys()
        .await?
        .into_iter()
        .filter(|key| {
            key.retired_at
                .is_none_or(|retired| retired + grace_secs > now)
        })
        .filter_map(
            |key| match RsaPrivateKey::from_pkcs8_pem(&key.private_key_pem) {
                Ok(private_key) => Some(public_jwk(&RsaPublicKey::from(&private_key), &key.kid)),
                Err(error) => {
                    tracing::error!(kid = %key.kid, %error, "stored tool key is not valid PKCS#8");
                    None
                }
            },
        )
        .collect();
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
    Store(#[from] StoreError),
}

/// Signs `claims` as an RS256 JWT with the tool's newest current key, naming it in `kid`.
pub async fn sign_jwt(store: &dyn Store, claims: &impl Serialize) -> Result<String, SigningError> {
    let key = store
        .tool_keys()
        .await?
        .into_iter()
        .find(|key| key.retired_at.is_none())
        .ok_or(SigningError::NoKey)?;
    let encoding_key = jsonwebtoken::EncodingKey::from_rsa_pem(key.private_key_pem.as_bytes())
        .map_err(|error| SigningError::Jwt(error.to_string()))?;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid);
    jsonwebtoken::encode(&header, claims, &encoding_key)
        .map_err(|error| SigningError::Jwt(error.to_string()))
}
