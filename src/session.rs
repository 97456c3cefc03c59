//! Launch sessions that work inside Moodle's iframe.
//!
//! A launch creates a server-side session and a signed, launch-scoped token naming it.
//! The token goes two ways: in a cookie (`SameSite=None; Secure; Partitioned`) where the
//! browser accepts one, and in the `lt` query parameter of every link, form and WebSocket
//! URL, for browsers that block cookies in third-party frames. Either one is enough to
//! read; a write needs the token itself (see `web::rooms::writer`). The WebSocket takes
//! neither: it needs a connection token that lives one minute and opens one connection
//! (`issue_socket`).

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::{KeyAtRestError, KeyVault};
use crate::store::Store;

/// The query parameter that carries the session token.
pub const TOKEN_PARAM: &str = "lt";
const SECRET_SETTING: &str = "session_signing_secret";

/// Lifetime of a WebSocket connection token, in seconds.
pub const SOCKET_TOKEN_TTL_SECS: i64 = 60;

/// HMAC secrets for session tokens and WebSocket connection tokens, shared by every
/// instance through the database.
pub struct SessionKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// A second key derived from the same secret, so that neither kind of token is
    /// accepted as the other.
    socket_encoding: EncodingKey,
    socket_decoding: DecodingKey,
}

#[derive(Debug, Serialize, Deserialize)]
struct TokenClaims {
    /// Session id.
    sid: String,
    /// Space the session is for.
    spc: i64,
    exp: i64,
}

/// Claims of a WebSocket connection token.
#[derive(Debug, Serialize, Deserialize)]
struct SocketClaims {
    /// Session id.
    sid: String,
    /// Space the session is for.
    spc: i64,
    exp: i64,
    /// Random token id, recorded when the token opens a connection so it opens only one.
    jti: String,
}

/// A verified WebSocket connection token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketToken {
    pub session_id: String,
    pub space_id: i64,
    /// Random id that makes each token unique.
    pub token_id: String,
    pub expires_at: i64,
}

impl SessionKey {
    /// Reads the shared secret, or stores a new one when the database has none. It is
    /// sealed at rest as [`KeyVault::load_or_create_secret`] describes.
    pub async fn load_or_create(
        store: &dyn Store,
        vault: &KeyVault,
    ) -> Result<Self, KeyAtRestError> {
        let stored = vault
            .load_or_create_secret(store, SECRET_SETTING, || crate::random_token(32))
            .await?;
        let secret = URL_SAFE_NO_PAD
            .decode(&stored)
            .unwrap_or_else(|_| stored.into_bytes());
        Ok(Self::from_secret(&secret))
    }

    fn from_secret(secret: &[u8]) -> Self {
        let mut socket_secret = Sha256::new();
        socket_secret.update(b"cowork WebSocket connection token\0");
        socket_secret.update(secret);
        let socket_secret = socket_secret.finalize();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            socket_encoding: EncodingKey::from_secret(&socket_secret),
            socket_decoding: DecodingKey::from_secret(&socket_secret),
        }
    }

    /// Issues a WebSocket connection token for `session_id` in `space_id`, valid for
    /// [`SOCKET_TOKEN_TTL_SECS`] from `now`. It keeps the long-lived session token out of
    /// WebSocket URLs, which proxies and servers log.
    pub fn issue_socket(&self, session_id: &str, space_id: i64, now: i64) -> String {
        let claims = SocketClaims {
            sid: session_id.to_string(),
            spc: space_id,
            exp: now + SOCKET_TOKEN_TTL_SECS,
            jti: crate::random_token(16),
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.socket_encoding,
        )
        .expect("HS256 signing cannot fail")
    }

    /// Returns the claims of a WebSocket connection token whose signature and expiry are
    /// valid. Whether it was used before is for the caller to check.
    pub fn verify_socket(&self, token: &str) -> Option<SocketToken> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<SocketClaims>(token, &self.socket_decoding, &validation)
            .ok()
            .map(|data| SocketToken {
                session_id: data.claims.sid,
                space_id: data.claims.spc,
                token_id: data.claims.jti,
                expires_at: data.claims.exp,
            })
    }

    /// Issues a token for `session_id` in `space_id`, valid until `expires_at`.
    pub fn issue(&self, session_id: &str, space_id: i64, expires_at: i64) -> String {
        let claims = TokenClaims {
            sid: session_id.to_string(),
            spc: space_id,
            exp: expires_at,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// Returns the session id and space id of a token whose signature and expiry are valid.
    pub fn verify(&self, token: &str) -> Option<(String, i64)> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| (data.claims.sid, data.claims.spc))
    }
}

/// Cookie name for a space, so launches into two spaces in one browser do not collide.
pub fn cookie_name(space_id: i64) -> String {
    format!("cowork_space_{space_id}")
}

/// The `Set-Cookie` value for a session token. `Secure` cookies are accepted over
/// plain HTTP only on localhost, so elsewhere cowork must be served over HTTPS for the
/// cookie to work; the `lt` parameter works either way.
pub fn session_cookie(space_id: i64, token: &str, max_age_secs: i64) -> String {
    format!(
        "{}={token}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=None; Partitioned",
        cookie_name(space_id)
    )
}

/// Name of the cookie that binds a login's `state` to the browser that started it. Each
/// login gets its own cookie, so logins in two tabs do not overwrite each other.
pub fn login_cookie_name(state: &str) -> String {
    let prefix: String = state.chars().take(LOGIN_COOKIE_PREFIX_CHARS).collect();
    format!("cowork_login_{prefix}")
}

/// Characters of the state in its cookie's name.
const LOGIN_COOKIE_PREFIX_CHARS: usize = 12;

/// Builds the `Set-Cookie` value that binds `state` to the browser, sent only to the launch.
pub fn login_cookie(state: &str, max_age_secs: i64) -> String {
    format!(
        "{}={state}; Path=/lti/launch; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=None; Partitioned",
        login_cookie_name(state)
    )
}

/// Returns whether the request carries the login cookie of `state`.
pub fn has_login_cookie(headers: &HeaderMap, state: &str) -> bool {
    cookie_value(headers, &login_cookie_name(state)).is_some_and(|value| value == state)
}

/// Returns the session token for `space_id` from the request's cookies, if any.
pub fn token_from_cookies(headers: &HeaderMap, space_id: i64) -> Option<String> {
    cookie_value(headers, &cookie_name(space_id))
}

/// Returns the value of the cookie `wanted`, if the request carries it.
fn cookie_value(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &[u8]) -> SessionKey {
        SessionKey::from_secret(secret)
    }

    #[test]
    fn socket_and_session_tokens_not_interchangeable() {
        let key = key(b"0123456789abcdef0123456789abcdef");
        let now = crate::unix_now();
        let socket = key.issue_socket("abc", 7, now);
        let verified = key.verify_socket(&socket).expect("a fresh token verifies");
        assert_eq!(verified.session_id, "abc");
        assert_eq!(verified.space_id, 7);
        assert_eq!(verified.expires_at, now + SOCKET_TOKEN_TTL_SECS);
        let again = key.verify_socket(&key.issue_socket("abc", 7, now)).unwrap();
        assert_ne!(
            again.token_id, verified.token_id,
            "two tokens of one second differ"
        );
        assert_eq!(key.verify(&socket), None);
        let session = key.issue("abc", 7, now + 3600);
        assert_eq!(key.verify_socket(&session), None);
    }

    #[test]
    fn expired_socket_token_rejected() {
        let key = key(b"0123456789abcdef0123456789abcdef");
        let token = key.issue_socket("abc", 7, crate::unix_now() - SOCKET_TOKEN_TTL_SECS - 1);
        assert_eq!(key.verify_socket(&token), None);
    }

    #[test]
    fn token_round_trip() {
        let key = key(b"0123456789abcdef0123456789abcdef");
        let token = key.issue("abc", 7, crate::unix_now() + 60);
        assert_eq!(key.verify(&token), Some(("abc".to_string(), 7)));
    }

    #[test]
    fn token_from_other_secret_rejected() {
        let token =
            key(b"one secret of thirty-two bytes!!").issue("abc", 7, crate::unix_now() + 60);
        assert_eq!(
            key(b"another secret of 32 bytes......").verify(&token),
            None
        );
    }

    #[test]
    fn expired_token_rejected() {
        let key = key(b"0123456789abcdef0123456789abcdef");
        let token = key.issue("abc", 7, crate::unix_now() - 1);
        assert_eq!(key.verify(&token), None);
    }

    #[test]
    fn cookie_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "MoodleSession=x; cowork_space_3=tok3; cowork_space_4=tok4"
                .parse()
                .unwrap(),
        );
        assert_eq!(token_from_cookies(&headers, 4).as_deref(), Some("tok4"));
        assert_eq!(token_from_cookies(&headers, 5), None);
    }
}
