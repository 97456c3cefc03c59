//! Deep Linking 2.0: reading the platform's `deep_linking_settings`, and building and
//! signing the `LtiDeepLinkingResponse` that carries the teacher's choice back.
//!
//! Everything here is pure except [`sign_response`], which reads the tool's key.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};
use url::Url;

use super::claims;
use crate::i18n::Msg;
use crate::keys::{self, KeyVault, SigningError};
use crate::random_token;
use crate::store::{Platform, Store};

pub const DEEP_LINKING_RESPONSE: &str = "LtiDeepLinkingResponse";
pub const CONTENT_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
pub const DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
pub const MSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/msg";
pub const ERROR_MSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg";
pub const ERROR_LOG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errorlog";

/// The content item type cowork makes.
pub const RESOURCE_LINK_TYPE: &str = "ltiResourceLink";
/// The custom parameter that names a placement in a content item.
pub const PLACEMENT_PARAM: &str = "cowork_placement";
/// The `tag` of the gradebook columns cowork requests.
pub const LINE_ITEM_TAG: &str = "cowork-engagement";
/// Lifetime of a signed response, in seconds.
const RESPONSE_LIFETIME_SECS: i64 = 600;

/// A place where a platform may open a link, as cowork offers the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presentation {
    /// Inside the course page (Moodle: "Embed").
    Iframe,
    /// In a new window or tab.
    Window,
}

impl Presentation {
    pub fn as_str(self) -> &'static str {
        match self {
            Presentation::Iframe => "iframe",
            Presentation::Window => "window",
        }
    }

    pub fn parse(text: &str) -> Option<Presentation> {
        match text {
            "iframe" => Some(Presentation::Iframe),
            "window" => Some(Presentation::Window),
            _ => None,
        }
    }
}

/// The parts of the `deep_linking_settings` claim that decide what cowork may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub return_url: String,
    pub accept_types: Vec<String>,
    pub presentation_targets: Vec<String>,
    pub accept_multiple: bool,
    pub title: Option<String>,
    pub text: Option<String>,
    /// Opaque value that must come back unchanged in the response.
    pub data: Option<String>,
}

impl Settings {
    /// Reads the claim. The return URL must be an absolute `http` or `https` URL, because
    /// the browser posts the response there.
    pub fn parse(claim: &Value) -> Result<Settings, Msg> {
        let object = claim
            .as_object()
            .ok_or_else(|| Msg::new("error-dl-settings-not-object"))?;
        let return_url = object
            .get("deep_link_return_url")
            .and_then(Value::as_str)
            .filter(|url| !url.is_empty())
            .ok_or_else(|| Msg::new("error-launch-deep-linking-settings"))?;
        match Url::parse(return_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => {
                return Err(Msg::new("error-dl-return-url-scheme").arg("url", return_url));
            }
        }
        let strings = |name: &str| -> Vec<String> {
            match object.get(name) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(Value::String(one)) => vec![one.clone()],
                _ => Vec::new(),
            }
        };
        let text = |name: &str| -> Option<String> {
            object
                .get(name)
                .and_then(Value::as_str)
                .filter(|value| !value.trim().is_empty())
                .map(str::to_string)
        };
        // Absent means one item only, the safe reading for a platform that sets nothing.
        let accept_multiple = match object.get("accept_multiple") {
            Some(Value::Bool(flag)) => *flag,
            Some(Value::String(flag)) => flag == "true",
            _ => false,
        };
        Ok(Settings {
            return_url: return_url.to_string(),
            accept_types: strings("accept_types"),
            presentation_targets: strings("accept_presentation_document_targets"),
            accept_multiple,
            title: text("title"),
            text: text("text"),
            data: object.get("data").and_then(|data| match data {
                Value::String(text) => Some(text.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            }),
        })
    }

    /// True when the platform takes LTI resource links, the only items cowork makes.
    pub fn accepts_resource_links(&self) -> bool {
        self.accept_types.iter().any(|t| t == RESOURCE_LINK_TYPE)
    }

    /// Returns the presentations the platform accepts, in cowork's order of preference. A
    /// platform that names none gets its own default, so none is offered.
    pub fn presentations(&self) -> Vec<Presentation> {
        [Presentation::Iframe, Presentation::Window]
            .into_iter()
            .filter(|p| self.presentation_targets.iter().any(|t| t == p.as_str()))
            .collect()
    }
}

/// The gradebook column that a resource link requests the platform to create.
#[derive(Debug, Clone, PartialEq)]
pub struct LineItemAdvice {
    pub label: String,
    pub score_maximum: f64,
    pub resource_id: String,
    pub tag: String,
}

/// One `ltiResourceLink` content item.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceLinkItem {
    pub title: String,
    pub text: Option<String>,
    /// The launch URL.
    pub url: String,
    pub custom: BTreeMap<String, String>,
    pub line_item: Option<LineItemAdvice>,
    pub presentation: Option<Presentation>,
}

impl ResourceLinkItem {
    pub fn to_json(&self) -> Value {
        let mut item = Map::new();
        item.insert("type".into(), json!(RESOURCE_LINK_TYPE));
        item.insert("title".into(), json!(self.title));
        if let Some(text) = &self.text {
            item.insert("text".into(), json!(text));
        }
        item.insert("url".into(), json!(self.url));
        if !self.custom.is_empty() {
            item.insert("custom".into(), json!(self.custom));
        }
        if let Some(line_item) = &self.line_item {
            item.insert(
                "lineItem".into(),
                json!({
                    "label": line_item.label,
                    "scoreMaximum": line_item.score_maximum,
                    "resourceId": line_item.resource_id,
                    "tag": line_item.tag,
                }),
            );
        }
        match self.presentation {
            Some(Presentation::Iframe) => {
                item.insert("iframe".into(), json!({}));
            }
            Some(Presentation::Window) => {
                item.insert("window".into(), json!({ "targetName": "_blank" }));
            }
            None => {}
        }
        Value::Object(item)
    }
}

/// The messages of a response besides its items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseNote {
    /// Shown to the teacher by the platform.
    pub msg: Option<String>,
    /// Shown to the teacher when nothing could be added.
    pub error_msg: Option<String>,
    /// Logged by the platform.
    pub error_log: Option<String>,
}

/// Builds the claims of an `LtiDeepLinkingResponse`: the tool's client_id as issuer, the
/// platform's issuer as audience, a fresh nonce, the request's deployment, the items and
/// the request's `data` unchanged.
pub fn response_claims(
    platform: &Platform,
    deployment_id: &str,
    settings: &Settings,
    items: &[ResourceLinkItem],
    note: &ResponseNote,
    now: i64,
) -> Value {
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(platform.client_id));
    claims.insert("aud".into(), json!(platform.issuer));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + RESPONSE_LIFETIME_SECS));
    claims.insert("nonce".into(), json!(random_token(24)));
    claims.insert(claims::DEPLOYMENT_ID.into(), json!(deployment_id));
    claims.insert(claims::MESSAGE_TYPE.into(), json!(DEEP_LINKING_RESPONSE));
    claims.insert(claims::VERSION.into(), json!("1.3.0"));
    claims.insert(
        CONTENT_ITEMS.into(),
        Value::Array(items.iter().map(ResourceLinkItem::to_json).collect()),
    );
    if let Some(data) = &settings.data {
        claims.insert(DATA.into(), json!(data));
    }
    let notes = [
        (MSG, &note.msg),
        (ERROR_MSG, &note.error_msg),
        (ERROR_LOG, &note.error_log),
    ];
    for (name, value) in notes {
        if let Some(value) = value {
            claims.insert(name.into(), json!(value));
        }
    }
    Value::Object(claims)
}

/// Signs response claims with the tool's current key (RS256, with `kid`).
pub async fn sign_response(
    store: &dyn Store,
    vault: &KeyVault,
    claims: &Value,
) -> Result<String, SigningError> {
    keys::sign_jwt(store, vault, claims).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moodle_settings() -> Value {
        json!({
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["frame", "iframe", "window"],
            "accept_copy_advice": false,
            "accept_multiple": true,
            "accept_unsigned": false,
            "auto_create": false,
            "can_confirm": false,
            "deep_link_return_url": "http://127.0.0.1:8080/mod/lti/contentitem_return.php?course=2&id=2&sesskey=8ggT3M8rvy",
            "title": "Capture Tool (manual)",
            "text": ""
        })
    }

    #[test]
    fn reads_moodle_settings() {
        let settings = Settings::parse(&moodle_settings()).unwrap();
        assert!(settings.accepts_resource_links());
        assert!(settings.accept_multiple);
        assert_eq!(
            settings.presentations(),
            vec![Presentation::Iframe, Presentation::Window]
        );
        assert_eq!(settings.title.as_deref(), Some("Capture Tool (manual)"));
        assert_eq!(settings.text, None, "an empty text is no text");
        assert_eq!(settings.data, None);
    }

    #[test]
    fn absent_accept_multiple_means_one_item() {
        let mut claim = moodle_settings();
        claim.as_object_mut().unwrap().remove("accept_multiple");
        assert!(!Settings::parse(&claim).unwrap().accept_multiple);
    }

    #[test]
    fn refuses_a_return_url_that_is_not_http() {
        for url in ["javascript:alert(1)", "data:text/html,x", "/relative", ""] {
            let mut claim = moodle_settings();
            claim["deep_link_return_url"] = json!(url);
            let error = Settings::parse(&claim).unwrap_err().to_string();
            assert!(error.contains("deep_link_return_url"), "{url}: {error}");
        }
    }

    #[test]
    fn keeps_data_exactly() {
        let mut claim = moodle_settings();
        claim["data"] = json!("csrf=abc&x=\"1\"");
        assert_eq!(
            Settings::parse(&claim).unwrap().data.as_deref(),
            Some("csrf=abc&x=\"1\"")
        );
    }

    #[test]
    fn item_has_the_shape_moodle_reads() {
        let item = ResourceLinkItem {
            title: "Coworking".into(),
            text: None,
            url: "https://cowork.example/lti/launch".into(),
            custom: BTreeMap::from([(PLACEMENT_PARAM.to_string(), "abc".to_string())]),
            line_item: Some(LineItemAdvice {
                label: "Coworking".into(),
                score_maximum: 50.0,
                resource_id: "abc".into(),
                tag: LINE_ITEM_TAG.into(),
            }),
            presentation: Some(Presentation::Window),
        };
        let value = item.to_json();
        assert_eq!(value["type"], "ltiResourceLink");
        assert_eq!(value["custom"]["cowork_placement"], "abc");
        assert_eq!(value["lineItem"]["scoreMaximum"], 50.0);
        assert_eq!(value["lineItem"]["resourceId"], "abc");
        assert_eq!(value["lineItem"]["tag"], "cowork-engagement");
        assert!(value.get("window").is_some());
        assert!(value.get("iframe").is_none());
        assert!(value.get("text").is_none());
    }
}
