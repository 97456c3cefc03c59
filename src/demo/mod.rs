//! A small LTI 1.3 platform for trying cowork without Moodle, and for tests and benchmarks.
//!
//! It has an issuer, an OIDC authorization endpoint, a JWKS and a page to pick a course, a
//! person and a role. It signs id_tokens the way Moodle 4.2 does (RS256, `kid`, 60-second
//! lifetime). It runs only under `cowork demo` or in tests, never inside `cowork serve`.

pub mod catalog;
pub mod gradebook;
mod routes;
pub mod services;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::RsaPublicKey;
use serde_json::{json, Map, Value};

pub use routes::router;

use crate::keys::{self, Jwks};
use crate::lti::claims;
use crate::lti::service_token::{
    SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE,
};
use crate::store::NewPlatform;
use crate::{random_token, unix_now};
use gradebook::{Column, Gradebook, ToolKeys};

/// The demo platform's client_id for cowork.
pub const CLIENT_ID: &str = "cowork-demo-client";
/// The demo platform's one deployment of cowork.
pub const DEPLOYMENT_ID: &str = "demo-deployment-1";
/// The demo platform's tool type id, carried in its service URLs as Moodle does.
pub const TYPE_ID: u64 = 1;
/// Pending launches older than this are dropped, in seconds.
const PENDING_TTL_SECS: i64 = 600;

/// A launch chosen on the platform page, waiting for the tool's authorization request.
#[derive(Debug, Clone)]
pub struct LaunchChoice {
    pub course_id: String,
    pub user_id: String,
    pub role: String,
    pub locale: String,
    pub document_target: String,
}

pub struct DemoPlatform {
    /// Issuer and base URL of the platform, e.g. `http://127.0.0.1:3001`.
    pub issuer: String,
    /// Base URL of the cowork tool it launches.
    pub tool_base: String,
    kid: String,
    encoding_key: EncodingKey,
    public_key: RsaPublicKey,
    pending: Mutex<HashMap<String, (i64, LaunchChoice)>>,
    /// The token endpoint and AGS gradebook, with one column per course.
    pub gradebook: Arc<Gradebook>,
}

impl DemoPlatform {
    /// Creates a platform with a fresh RSA-2048 signing key.
    pub fn new(issuer: impl Into<String>, tool_base: impl Into<String>) -> Self {
        let issuer = issuer.into();
        let tool_base = tool_base.into();
        let gradebook = Arc::new(Gradebook::new(
            &issuer,
            CLIENT_ID,
            TYPE_ID,
            ToolKeys::Url(format!("{tool_base}/.well-known/jwks.json")),
        ));
        for (index, course) in catalog::COURSES.iter().enumerate() {
            gradebook.put_column(Column {
                id: index as u64 + 1,
                label: course.resource_link_title.to_string(),
                score_maximum: 100.0,
                resource_id: None,
                tag: None,
                resource_link_id: Some(course.resource_link_id.to_string()),
            });
        }
        for user in catalog::USERS {
            gradebook.enroll(user.id);
        }
        let generated = keys::generate_key();
        let encoding_key = EncodingKey::from_rsa_pem(generated.pem.as_bytes())
            .expect("a generated key is valid PEM");
        Self {
            gradebook,
            issuer,
            tool_base,
            kid: generated.kid,
            encoding_key,
            public_key: RsaPublicKey::from(&generated.private_key),
            pending: Mutex::new(HashMap::new()),
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Returns the registration cowork needs for this platform.
    pub fn registration(&self) -> NewPlatform {
        NewPlatform {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            auth_url: format!("{}/auth", self.issuer),
            token_url: self.gradebook.token_url(),
            jwks_url: format!("{}/jwks", self.issuer),
            deployments: vec![DEPLOYMENT_ID.into()],
        }
    }

    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: vec![keys::public_jwk(&self.public_key, &self.kid)],
        }
    }

    /// Signs `claims` with the platform key, RS256 with its `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding_key).expect("RS256 signing")
    }

    /// Signs with any header, for tests that need a token a real platform would not send.
    pub fn sign_with_header(&self, header: &Header, claims: &Value) -> String {
        jsonwebtoken::encode(header, claims, &self.encoding_key).expect("RS256 signing")
    }

    /// Stores a launch choice and returns the login initiation parameters that send a
    /// browser to the tool, as Moodle's launch form does.
    pub fn login_initiation(&self, choice: LaunchChoice) -> Vec<(String, String)> {
        let hint = random_token(16);
        let login_hint = choice.user_id.clone();
        let now = unix_now();
        let mut pending = self.pending.lock().expect("pending launches lock");
        pending.retain(|_, (created, _)| now - *created < PENDING_TTL_SECS);
        pending.insert(hint.clone(), (now, choice));
        vec![
            ("iss".into(), self.issuer.clone()),
            ("login_hint".into(), login_hint),
            (
                "target_link_uri".into(),
                format!("{}/lti/launch", self.tool_base),
            ),
            ("lti_message_hint".into(), hint),
            ("client_id".into(), CLIENT_ID.into()),
            ("lti_deployment_id".into(), DEPLOYMENT_ID.into()),
        ]
    }

    /// Takes the pending launch named by `lti_message_hint`, if it belongs to `login_hint`.
    fn take_pending(&self, message_hint: &str, login_hint: &str) -> Option<LaunchChoice> {
        let mut pending = self.pending.lock().expect("pending launches lock");
        match pending.get(message_hint) {
            Some((_, choice)) if choice.user_id == login_hint => {
                pending.remove(message_hint).map(|(_, choice)| choice)
            }
            _ => None,
        }
    }

    /// Builds the id_token claims for a resource link launch, as Moodle 4.2 shapes them.
    pub fn launch_claims(
        &self,
        choice: &LaunchChoice,
        nonce: &str,
        now: i64,
    ) -> Map<String, Value> {
        let course = catalog::course(&choice.course_id).unwrap_or(&catalog::COURSES[0]);
        // People outside the catalogue (load tests launch thousands) are named after their id.
        let (name, given_name, family_name, email) = match catalog::user(&choice.user_id) {
            Some(user) => (
                user.name.to_string(),
                user.given_name.to_string(),
                user.family_name.to_string(),
                user.email.to_string(),
            ),
            None => (
                format!("Participant {}", choice.user_id),
                "Participant".to_string(),
                choice.user_id.clone(),
                format!("{}@example.invalid", choice.user_id),
            ),
        };
        let roles = catalog::lti_roles(&choice.role).unwrap_or_default();
        let column = catalog::COURSES
            .iter()
            .position(|known| known.id == course.id)
            .unwrap_or(0) as u64
            + 1;
        let services = format!("{}/mod/lti/services.php/{}", self.issuer, course.id);
        let claims = json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": choice.user_id,
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            "name": name,
            "given_name": given_name,
            "family_name": family_name,
            "email": email,
            claims::DEPLOYMENT_ID: DEPLOYMENT_ID,
            claims::MESSAGE_TYPE: claims::RESOURCE_LINK_REQUEST,
            claims::VERSION: "1.3.0",
            claims::TARGET_LINK_URI: format!("{}/lti/launch", self.tool_base),
            claims::RESOURCE_LINK: {
                "id": course.resource_link_id,
                "title": course.resource_link_title,
            },
            claims::CONTEXT: {
                "id": course.id,
                "label": course.label,
                "title": course.title,
                "type": ["CourseSection"],
            },
            claims::ROLES: roles,
            claims::LAUNCH_PRESENTATION: {
                "locale": choice.locale,
                "document_target": choice.document_target,
                "return_url": format!("{}/", self.issuer),
            },
            claims::TOOL_PLATFORM: {
                "product_family_code": "cowork-demo",
                "name": "cowork demo platform",
            },
            claims::CUSTOM: {},
            claims::AGS_ENDPOINT: {
                "scope": [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE],
                "lineitems": format!("{services}/lineitems?type_id={TYPE_ID}"),
                "lineitem": format!("{services}/lineitems/{column}/lineitem?type_id={TYPE_ID}"),
            },
        });
        match claims {
            Value::Object(map) => map,
            _ => unreachable!("json! object literal"),
        }
    }
}
