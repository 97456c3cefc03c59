//! The demo platform's OAuth token endpoint and AGS gradebook, behaving as Moodle 4.2
//! does: JSON token replies labelled `text/html`, 401 for a token without the needed
//! scope, 400 for a wrong media type, 400 with body `[]` for an unknown person or a
//! malformed score, and 409 with body `[]` for a score whose timestamp is not later, in
//! whole seconds, than the stored one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::Jwk;
use crate::lti::service_token::{
    AssertionClaims, CLIENT_ASSERTION_TYPE, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY, SCOPE_SCORE,
};
use crate::unix_now;

/// Scopes the token endpoint grants; others are dropped from a request.
pub const GRANTABLE_SCOPES: [&str; 5] = [
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
];
const TOKEN_LIFETIME_SECS: i64 = 3600;

/// The source of the tool's public keys for the token endpoint.
pub enum ToolKeys {
    /// The tool's JWKS URL, fetched for each assertion.
    Url(String),
    Fixed(Vec<Jwk>),
}

/// A line item of the gradebook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub id: u64,
    pub label: String,
    pub score_maximum: f64,
    pub resource_id: Option<String>,
    pub tag: Option<String>,
    pub resource_link_id: Option<String>,
}

/// A grade stored for one person in one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredGrade {
    pub column: u64,
    pub user_id: String,
    pub score_given: f64,
    pub score_maximum: f64,
    pub timestamp: i64,
}

/// A token request and the endpoint's reply, kept for tests of the tool's requests.
#[derive(Debug, Clone)]
pub struct TokenRequestLog {
    pub claims: Option<AssertionClaims>,
    pub kid: Option<String>,
    pub status: u16,
}

pub struct Gradebook {
    /// Origin of the platform, e.g. `http://127.0.0.1:3001`.
    base_url: String,
    pub client_id: String,
    /// Moodle's tool type id, carried in service URLs as `?type_id=N`.
    pub type_id: u64,
    tool_keys: ToolKeys,
    http: reqwest::Client,
    /// A fixed clock for replaying recordings; `None` uses the system clock.
    fixed_now: Mutex<Option<i64>>,
    enrolled: Mutex<HashSet<String>>,
    tokens: Mutex<HashMap<String, (HashSet<String>, i64)>>,
    columns: Mutex<BTreeMap<u64, Column>>,
    grades: Mutex<HashMap<(u64, String), StoredGrade>>,
    /// Every score the gradebook accepted, in order.
    accepted: Mutex<Vec<StoredGrade>>,
    token_requests: Mutex<Vec<TokenRequestLog>>,
}

/// A token endpoint failure: the HTTP status and the OAuth `error` value.
pub type TokenFailure = (u16, String);

impl Gradebook {
    pub fn new(base_url: &str, client_id: &str, type_id: u64, tool_keys: ToolKeys) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            client_id: client_id.into(),
            type_id,
            tool_keys,
            http: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("HTTP client with default TLS settings"),
            fixed_now: Mutex::new(None),
            enrolled: Mutex::new(HashSet::new()),
            tokens: Mutex::new(HashMap::new()),
            columns: Mutex::new(BTreeMap::new()),
            grades: Mutex::new(HashMap::new()),
            accepted: Mutex::new(Vec::new()),
            token_requests: Mutex::new(Vec::new()),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token endpoint's URL.
    pub fn token_url(&self) -> String {
        format!("{}/mod/lti/token.php", self.base_url)
    }

    pub fn now(&self) -> i64 {
        self.fixed_now
            .lock()
            .expect("clock lock")
            .unwrap_or_else(unix_now)
    }

    pub fn set_clock(&self, fixed: Option<i64>) {
        *self.fixed_now.lock().expect("clock lock") = fixed;
    }

    pub fn enroll(&self, user_id: &str) {
        self.enrolled
            .lock()
            .expect("enrolment lock")
            .insert(user_id.into());
    }

    /// Adds a column with a chosen id, or replaces it.
    pub fn put_column(&self, column: Column) {
        self.columns
            .lock()
            .expect("columns lock")
            .insert(column.id, column);
    }

    pub fn column(&self, id: u64) -> Option<Column> {
        self.columns.lock().expect("columns lock").get(&id).cloned()
    }

    pub fn columns(&self) -> Vec<Column> {
        self.columns
            .lock()
            .expect("columns lock")
            .values()
            .cloned()
            .collect()
    }

    /// Creates a column with the next free id.
    pub fn create_column(&self, mut column: Column) -> Column {
        let mut columns = self.columns.lock().expect("columns lock");
        column.id = columns.keys().next_back().map_or(1, |last| last + 1);
        columns.insert(column.id, column.clone());
        column
    }

    pub fn grades(&self) -> Vec<StoredGrade> {
        let mut list: Vec<_> = self
            .grades
            .lock()
            .expect("grades lock")
            .values()
            .cloned()
            .collect();
        list.sort_by(|a, b| (a.column, &a.user_id).cmp(&(b.column, &b.user_id)));
        list
    }

    pub fn accepted(&self) -> Vec<StoredGrade> {
        self.accepted.lock().expect("accepted lock").clone()
    }

    pub fn token_requests(&self) -> Vec<TokenRequestLog> {
        self.token_requests.lock().expect("token log lock").clone()
    }

    pub fn is_enrolled(&self, user_id: &str) -> bool {
        self.enrolled
            .lock()
            .expect("enrolment lock")
            .contains(user_id)
    }

    pub fn unenroll(&self, user_id: &str) {
        self.enrolled
            .lock()
            .expect("enrolment lock")
            .remove(user_id);
    }

    /// Accepts `token` for `scopes` for an hour, as if the endpoint had issued it.
    pub fn grant_token(&self, token: &str, scopes: &[&str]) {
        let scope_set = scopes.iter().map(|s| s.to_string()).collect();
        let expires_at = self.now() + TOKEN_LIFETIME_SECS;
        self.tokens
            .lock()
            .expect("tokens lock")
            .insert(token.into(), (scope_set, expires_at));
    }

    /// Forgets every issued token, as if they had been revoked.
    pub fn revoke_tokens(&self) {
        self.tokens.lock().expect("tokens lock").clear();
    }

    /// Handles a token request form. Returns the success JSON or the failure.
    pub async fn issue_token(&self, form: &HashMap<String, String>) -> Result<Value, TokenFailure> {
        let (kid, claims) = match self.check_assertion(form).await {
            Ok(parsed) => parsed,
            Err(failure) => {
                self.log_token(None, None, failure.0);
                return Err(failure);
            }
        };
        let requested = form.get("scope").map(String::as_str).unwrap_or_default();
        let granted: Vec<&str> = requested
            .split_whitespace()
            .filter(|scope| GRANTABLE_SCOPES.contains(scope))
            .collect();
        if granted.is_empty() {
            self.log_token(Some(claims), Some(kid), 400);
            return Err((400, "invalid_scope".into()));
        }
        let token = crate::random_token(16);
        let expires_at = self.now() + TOKEN_LIFETIME_SECS;
        let scope_set = granted.iter().map(|s| s.to_string()).collect();
        self.tokens
            .lock()
            .expect("tokens lock")
            .insert(token.clone(), (scope_set, expires_at));
        self.log_token(Some(claims), Some(kid), 200);
        Ok(serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "scope": granted.join(" "),
        }))
    }

    fn log_token(&self, claims: Option<AssertionClaims>, kid: Option<String>, status: u16) {
        self.token_requests
            .lock()
            .expect("token log lock")
            .push(TokenRequestLog {
                claims,
                kid,
                status,
            });
    }

    /// Applies the checks Moodle 4.2's token endpoint makes, in its order. Moodle does
    /// not check `aud` or `jti` replay; the log lets tests check those.
    async fn check_assertion(
        &self,
        form: &HashMap<String, String>,
    ) -> Result<(String, AssertionClaims), TokenFailure> {
        let invalid_request = || (400, "invalid_request".to_string());
        let grant = form.get("grant_type").ok_or_else(invalid_request)?;
        if grant != "client_credentials" {
            return Err((400, "unsupported_grant_type".into()));
        }
        if form.get("client_assertion_type").map(String::as_str) != Some(CLIENT_ASSERTION_TYPE) {
            return Err(invalid_request());
        }
        let assertion = form.get("client_assertion").ok_or_else(invalid_request)?;
        let header = jsonwebtoken::decode_header(assertion).map_err(|_| invalid_request())?;
        let claims: AssertionClaims = unverified_claims(assertion).ok_or_else(invalid_request)?;
        if claims.iss != self.client_id || claims.sub != self.client_id {
            return Err((400, "invalid_client".into()));
        }
        if header.alg != Algorithm::RS256 {
            return Err((400, "invalid_client".into()));
        }
        let kid = header.kid.unwrap_or_default();
        let key = self
            .tool_key(&kid)
            .await
            .ok_or((400, "invalid_client".to_string()))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(assertion, &key, &validation)
            .map_err(|_| (400, "invalid_client".to_string()))?;
        let now = self.now();
        if claims.exp < now {
            return Err((400, "Expired token".into()));
        }
        if claims.iat > now {
            return Err((
                400,
                format!("Cannot handle token prior to {}", moodle_time(claims.iat)),
            ));
        }
        Ok((kid, claims))
    }

    pub(crate) async fn tool_key(&self, kid: &str) -> Option<DecodingKey> {
        let keys = match &self.tool_keys {
            ToolKeys::Fixed(keys) => keys.clone(),
            ToolKeys::Url(url) => {
                let response = self.http.get(url).send().await.ok()?;
                response.json::<crate::keys::Jwks>().await.ok()?.keys
            }
        };
        let jwk = keys.into_iter().find(|key| key.kid == kid)?;
        DecodingKey::from_rsa_components(&jwk.n, &jwk.e).ok()
    }

    /// True when `token` is live and carries one of `scopes`.
    pub fn authorized(&self, token: Option<&str>, scopes: &[&str]) -> bool {
        let Some(token) = token else { return false };
        let tokens = self.tokens.lock().expect("tokens lock");
        tokens.get(token).is_some_and(|(granted, expires_at)| {
            *expires_at > self.now() && scopes.iter().any(|scope| granted.contains(*scope))
        })
    }

    /// Applies a score as Moodle 4.2 does and returns the HTTP status of the reply.
    pub fn post_score(&self, column_id: u64, body: &[u8]) -> u16 {
        let Ok(score) = serde_json::from_slice::<ScoreBody>(body) else {
            return 400;
        };
        let Some(column) = self.column(column_id) else {
            return 404;
        };
        if !self
            .enrolled
            .lock()
            .expect("enrolment lock")
            .contains(&score.user_id)
        {
            return 400;
        }
        let Some(timestamp) = score.timestamp.as_deref().and_then(parse_timestamp) else {
            return 400;
        };
        if score.score_given.is_some() && score.score_maximum.is_none() {
            return 400;
        }
        let key = (column_id, score.user_id.clone());
        let mut grades = self.grades.lock().expect("grades lock");
        if grades
            .get(&key)
            .is_some_and(|stored| timestamp <= stored.timestamp)
        {
            return 409;
        }
        let (Some(given), Some(maximum), "FullyGraded") = (
            score.score_given,
            score.score_maximum,
            score.grading_progress.as_str(),
        ) else {
            return 200;
        };
        // Moodle scales the score to the column's maximum and keeps it within 0..=maximum.
        let scaled = (given / maximum * column.score_maximum).clamp(0.0, column.score_maximum);
        let stored = StoredGrade {
            column: column_id,
            user_id: score.user_id,
            score_given: scaled,
            score_maximum: column.score_maximum,
            timestamp,
        };
        grades.insert(key, stored.clone());
        self.accepted.lock().expect("accepted lock").push(stored);
        200
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScoreBody {
    user_id: String,
    #[serde(default)]
    score_given: Option<f64>,
    #[serde(default)]
    score_maximum: Option<f64>,
    #[serde(default)]
    grading_progress: String,
    #[serde(default)]
    timestamp: Option<String>,
}

fn unverified_claims(token: &str) -> Option<AssertionClaims> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Parses an RFC 3339 timestamp to whole Unix seconds.
fn parse_timestamp(text: &str) -> Option<i64> {
    let parsed =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(parsed.unix_timestamp())
}

/// Formats a time as Moodle's token errors print it, e.g. `2026-12-04T15:49:43+0000`.
fn moodle_time(unix_seconds: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+0000");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|moment| moment.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moodle_time_matches_recorded_error() {
        assert_eq!(moodle_time(1796399383), "2026-12-04T15:49:43+0000");
    }

    #[test]
    fn timestamps_parse_to_whole_seconds() {
        assert_eq!(
            parse_timestamp("2026-12-04T15:39:40+00:00"),
            Some(1796398780)
        );
        assert_eq!(
            parse_timestamp("2026-12-04T15:39:40.900Z"),
            Some(1796398780)
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
