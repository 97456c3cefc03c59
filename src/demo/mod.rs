//! A small LTI 1.3 platform for trying cowork without Moodle, and for tests and benchmarks.
//!
//! It has an issuer, an OIDC authorization endpoint, a JWKS and a page to pick a course, a
//! person and a role. It signs id_tokens the way Moodle 4.2 does (RS256, `kid`, 60-second
//! lifetime). It runs only under `cowork demo` or in tests, never inside `cowork serve`.

pub mod catalog;
pub mod gradebook;
mod routes;
pub mod services;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPublicKey;
use serde_json::{json, Map, Value};

pub use routes::router;

use crate::keys::{self, Jwks};
use crate::lti::service_token::{
    SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE,
};
use crate::lti::{claims, deep_linking};
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
#[derive(Debug, Clone, Default)]
pub struct LaunchChoice {
    pub course_id: String,
    pub user_id: String,
    pub role: String,
    pub locale: String,
    pub document_target: String,
    /// The resource link to launch; `None` launches the course's first activity.
    pub activity: Option<String>,
    /// Sends a Deep Linking request instead of a resource link launch.
    pub deep_linking: bool,
}

/// An activity of a course: one resource link, as Moodle keeps an LTI activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub course_id: String,
    pub resource_link_id: String,
    pub title: String,
    pub text: Option<String>,
    pub custom: BTreeMap<String, String>,
    /// The gradebook column of the activity.
    pub column: Option<u64>,
    /// `iframe` or `window`, from the content item; `None` when the item sets neither.
    pub document_target: Option<String>,
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
    activities: Mutex<Vec<Activity>>,
    /// Open Deep Linking requests: their `data` value, with the time and the course.
    deep_links: Mutex<HashMap<String, (i64, String)>>,
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
        let mut activities = Vec::new();
        for (index, course) in catalog::COURSES.iter().enumerate() {
            activities.push(Activity {
                course_id: course.id.to_string(),
                resource_link_id: course.resource_link_id.to_string(),
                title: course.resource_link_title.to_string(),
                text: None,
                custom: BTreeMap::new(),
                column: Some(index as u64 + 1),
                document_target: None,
            });
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
            activities: Mutex::new(activities),
            deep_links: Mutex::new(HashMap::new()),
        }
    }

    /// Returns every activity, in the order they were added.
    pub fn activities(&self) -> Vec<Activity> {
        self.activities.lock().expect("activities lock").clone()
    }

    /// Returns the activity `resource_link_id`, or the course's first one.
    fn activity(&self, course_id: &str, resource_link_id: Option<&str>) -> Option<Activity> {
        let activities = self.activities.lock().expect("activities lock");
        match resource_link_id {
            Some(id) => activities
                .iter()
                .find(|a| a.resource_link_id == id)
                .cloned(),
            None => activities
                .iter()
                .find(|a| a.course_id == course_id)
                .cloned(),
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

    /// Reads a tool's `LtiDeepLinkingResponse`: the signature against the tool's JWKS,
    /// the tool as issuer and the platform as audience, the request's `data` returned
    /// unchanged. Each resource link becomes an
    /// activity of the request's course, with a gradebook column when it requests one.
    pub async fn accept_deep_link_response(&self, jwt: &str) -> Result<Vec<Activity>, String> {
        let header = jsonwebtoken::decode_header(jwt)
            .map_err(|error| format!("the response is not a signed JWT: {error}"))?;
        let kid = header.kid.ok_or("the response's header names no kid")?;
        let key: DecodingKey = self
            .gradebook
            .tool_key(&kid)
            .await
            .ok_or_else(|| format!("the tool's JWKS has no key {kid:?}"))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.issuer]);
        validation.set_issuer(&[CLIENT_ID]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
            .map_err(|error| format!("the response failed verification: {error}"))?
            .claims;
        let expect = |name: &str, wanted: &str| match claims[name].as_str() {
            Some(value) if value == wanted => Ok(()),
            other => Err(format!("{name} must be {wanted:?}, got {other:?}")),
        };
        expect(claims::MESSAGE_TYPE, deep_linking::DEEP_LINKING_RESPONSE)?;
        expect(claims::VERSION, "1.3.0")?;
        expect(claims::DEPLOYMENT_ID, DEPLOYMENT_ID)?;
        if claims["nonce"].as_str().is_none_or(str::is_empty) {
            return Err("the response has no nonce".into());
        }
        let data = claims[deep_linking::DATA]
            .as_str()
            .ok_or("the response does not return the request's data")?;
        let (_, course_id) = self
            .deep_links
            .lock()
            .expect("deep links lock")
            .remove(data)
            .ok_or("the response's data belongs to no open request")?;
        let items = claims[deep_linking::CONTENT_ITEMS]
            .as_array()
            .ok_or("the response has no content_items list")?;
        let mut added = Vec::new();
        for item in items {
            added.push(self.activity_from_item(&course_id, item)?);
        }
        self.activities
            .lock()
            .expect("activities lock")
            .extend(added.iter().cloned());
        Ok(added)
    }

    fn activity_from_item(&self, course_id: &str, item: &Value) -> Result<Activity, String> {
        if item["type"] != deep_linking::RESOURCE_LINK_TYPE {
            return Err(format!(
                "content item type {} is not accepted",
                item["type"]
            ));
        }
        let title = item["title"]
            .as_str()
            .filter(|title| !title.trim().is_empty())
            .ok_or("a content item has no title")?;
        let url = item["url"].as_str().unwrap_or_default();
        if !url.starts_with(&format!("{}/", self.tool_base)) {
            return Err(format!("content item url {url:?} is not the tool's"));
        }
        let mut custom = BTreeMap::new();
        if let Some(object) = item.get("custom") {
            let object = object.as_object().ok_or("custom must be an object")?;
            for (name, value) in object {
                let value = value
                    .as_str()
                    .ok_or_else(|| format!("custom parameter {name} is not a string"))?;
                custom.insert(name.clone(), value.to_string());
            }
        }
        let resource_link_id = format!("demo-link-{}", random_token(8));
        let column = match item.get("lineItem") {
            Some(line_item) => {
                let score_maximum = line_item["scoreMaximum"]
                    .as_f64()
                    .filter(|maximum| *maximum > 0.0)
                    .ok_or("lineItem.scoreMaximum must be a positive number")?;
                let column = self.gradebook.create_column(Column {
                    id: 0,
                    label: line_item["label"].as_str().unwrap_or(title).to_string(),
                    score_maximum,
                    resource_id: line_item["resourceId"].as_str().map(str::to_string),
                    tag: line_item["tag"].as_str().map(str::to_string),
                    resource_link_id: Some(resource_link_id.clone()),
                });
                Some(column.id)
            }
            None => None,
        };
        let document_target = if item.get("iframe").is_some() {
            Some("iframe".to_string())
        } else if item.get("window").is_some() {
            Some("window".to_string())
        } else {
            None
        };
        Ok(Activity {
            course_id: course_id.to_string(),
            resource_link_id,
            title: title.to_string(),
            text: item["text"].as_str().map(str::to_string),
            custom,
            column,
            document_target,
        })
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
        let services = format!("{}/mod/lti/services.php/{}", self.issuer, course.id);
        let lineitems = format!("{services}/lineitems?type_id={TYPE_ID}");
        let mut claims = json!({
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
                "lineitems": lineitems,
            },
            claims::NRPS: {
                "context_memberships_url": format!(
                    "{}/mod/lti/services.php/CourseSection/{}/bindings/{TYPE_ID}/memberships",
                    self.issuer, course.id
                ),
                "service_versions": ["1.0", "2.0"],
            },
        });
        if choice.deep_linking {
            // As Moodle 4.2 sends it from "Select content" in the activity form.
            let data = random_token(16);
            self.deep_links
                .lock()
                .expect("deep links lock")
                .insert(data.clone(), (now, course.id.to_string()));
            claims[claims::MESSAGE_TYPE] = json!(claims::DEEP_LINKING_REQUEST);
            claims[claims::DEEP_LINKING_SETTINGS] = json!({
                "accept_types": [deep_linking::RESOURCE_LINK_TYPE],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_copy_advice": false,
                "accept_multiple": true,
                "accept_unsigned": false,
                "auto_create": false,
                "can_confirm": false,
                "deep_link_return_url": format!("{}/deep-link-return", self.issuer),
                "title": "cowork",
                "text": "",
                "data": data,
            });
        } else if let Some(activity) = self.activity(course.id, choice.activity.as_deref()) {
            claims[claims::RESOURCE_LINK] = json!({
                "id": activity.resource_link_id,
                "title": activity.title,
            });
            claims[claims::CUSTOM] = json!(activity.custom);
            if let Some(column) = activity.column {
                claims[claims::AGS_ENDPOINT]["lineitem"] = json!(format!(
                    "{services}/lineitems/{column}/lineitem?type_id={TYPE_ID}"
                ));
            }
        }
        match claims {
            Value::Object(map) => map,
            _ => unreachable!("json! object literal"),
        }
    }
}
