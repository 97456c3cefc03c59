//! id_token verification for LTI 1.3 launches, following the 1EdTech Security Framework.
//!
//! LTI id_tokens differ from ordinary OpenID Connect ones (an anonymous launch has no
//! `sub`, `aud` may list several clients, `kid` is always required), so the checks are
//! written here; jsonwebtoken only verifies the RS256 signature.

use std::collections::{BTreeMap, HashSet};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, Validation};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::claims::{self, Launch};
use super::deep_linking;
use super::error::{Check, LaunchError};
use super::jwks::{KeyError, KeySource};
use crate::i18n::Msg;
use crate::store::Platform;

/// Header parameters that carry or point to a key. A platform's keys come only from its
/// registered JWKS URL, so a token that brings its own is rejected outright.
const KEY_HEADER_PARAMS: [&str; 4] = ["jwk", "jku", "x5c", "x5u"];

/// The header fields cowork needs before it can pick a verification key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHeader {
    pub kid: String,
}

/// Checks the header without trusting it: RS256 only, `kid` present, no embedded key.
pub fn check_header(raw: &str) -> Result<TokenHeader, LaunchError> {
    let malformed = |detail: &'static str| LaunchError::new(Check::Malformed, detail);
    let encoded = raw
        .split('.')
        .next()
        .filter(|_| raw.split('.').count() == 3)
        .ok_or_else(|| malformed("error-launch-token-not-jws"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| malformed("error-launch-header-not-base64url"))?;
    let header: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| malformed("error-launch-header-not-json"))?;

    match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => {}
        Some(other) => {
            return Err(LaunchError::new(
                Check::Algorithm,
                Msg::new("error-launch-alg-unsupported").arg("alg", format!("{other:?}")),
            ))
        }
        None => {
            return Err(LaunchError::new(
                Check::Algorithm,
                "error-launch-alg-missing",
            ))
        }
    }
    if let Some(param) = KEY_HEADER_PARAMS.iter().find(|p| header.contains_key(**p)) {
        return Err(LaunchError::new(
            Check::KeyInHeader,
            Msg::new("error-launch-key-in-header").arg("parameter", *param),
        ));
    }
    match header.get("kid").and_then(Value::as_str) {
        Some(kid) if !kid.is_empty() => Ok(TokenHeader {
            kid: kid.to_string(),
        }),
        _ => Err(LaunchError::new(
            Check::KidMissing,
            "error-launch-kid-missing",
        )),
    }
}

/// Reads `launch_presentation.locale` from an id_token's payload without verifying the
/// token. Nothing but the language of a rejection's text may depend on the result.
pub fn unverified_locale(raw: &str) -> Option<String> {
    let payload = raw.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(claims::LAUNCH_PRESENTATION)?
        .get("locale")?
        .as_str()
        .map(str::to_string)
}

/// Verifies the signature with the platform's key for the header's `kid` and returns the
/// claims, still unchecked.
pub async fn verify_signature(
    raw: &str,
    platform: &Platform,
    keys: &dyn KeySource,
) -> Result<Map<String, Value>, LaunchError> {
    let header = check_header(raw)?;
    let key = keys
        .decoding_key(&platform.jwks_url, &header.kid)
        .await
        .map_err(|error| match error {
            KeyError::UnknownKid { url, kid } => LaunchError::new(
                Check::KidUnknown,
                Msg::new("error-launch-kid-unknown")
                    .arg("url", url)
                    .arg("kid", format!("{kid:?}")),
            ),
            KeyError::Fetch { url, reason } => LaunchError::new(
                Check::JwksUnavailable,
                Msg::new("error-launch-jwks-unavailable")
                    .arg("url", url)
                    .arg("reason", reason),
            ),
        })?;

    // Only the signature is checked here; every claim is checked by `check_claims`,
    // with types enforced and the leeway applied there.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(raw, &key, &validation).map_err(|error| {
            LaunchError::new(
                Check::Signature,
                Msg::new("error-launch-signature").arg("reason", error.to_string()),
            )
        })?;
    Ok(data.claims)
}

/// What a launch must match: the registration its login used, the `nonce` and
/// `target_link_uri` of that login, and the time.
pub struct Expected<'a> {
    pub platform: &'a Platform,
    pub nonce: &'a str,
    pub target_link_uri: &'a str,
    pub now: i64,
    pub leeway_secs: i64,
}

/// Checks every claim of a signature-verified id_token and extracts the launch.
pub fn check_claims(
    claims: &Map<String, Value>,
    expected: &Expected,
) -> Result<Launch, LaunchError> {
    let platform = expected.platform;
    if claims.values().any(contains_nul) {
        return Err(LaunchError::new(Check::Malformed, "error-launch-claim-nul"));
    }

    let issuer = required_str(claims, "iss", Check::Issuer)?;
    if issuer != platform.issuer {
        return Err(LaunchError::new(
            Check::Issuer,
            Msg::new("error-launch-issuer")
                .arg("issuer", format!("{issuer:?}"))
                .arg("expected", format!("{:?}", platform.issuer)),
        ));
    }
    check_audience(claims, &platform.client_id)?;
    check_times(claims, expected.now, expected.leeway_secs)?;

    let nonce = required_str(claims, "nonce", Check::Nonce)?;
    if nonce != expected.nonce {
        return Err(LaunchError::new(Check::Nonce, "error-launch-nonce"));
    }

    let version = required_str(claims, claims::VERSION, Check::Version)?;
    if version != "1.3.0" {
        return Err(LaunchError::new(
            Check::Version,
            Msg::new("error-launch-version").arg("version", format!("{version:?}")),
        ));
    }
    let message_type = required_str(claims, claims::MESSAGE_TYPE, Check::MessageType)?;
    if !claims::SUPPORTED_MESSAGE_TYPES.contains(&message_type) {
        return Err(LaunchError::new(
            Check::MessageType,
            Msg::new("error-launch-message-type")
                .arg("message_type", format!("{message_type:?}"))
                .arg(
                    "supported",
                    format!("{:?}", claims::SUPPORTED_MESSAGE_TYPES),
                ),
        ));
    }
    let deployment_id = required_str(claims, claims::DEPLOYMENT_ID, Check::Deployment)?;
    if !platform.deployments.iter().any(|d| d == deployment_id) {
        return Err(LaunchError::new(
            Check::Deployment,
            Msg::new("error-launch-deployment").arg("deployment_id", format!("{deployment_id:?}")),
        ));
    }

    let target_link_uri = required_str(claims, claims::TARGET_LINK_URI, Check::TargetLinkUri)?;
    if target_link_uri != expected.target_link_uri {
        return Err(LaunchError::new(
            Check::TargetLinkUri,
            Msg::new("error-launch-target-link-uri")
                .arg("target_link_uri", format!("{target_link_uri:?}"))
                .arg("expected", format!("{:?}", expected.target_link_uri)),
        ));
    }

    let roles: Vec<String> = match claims.get(claims::ROLES) {
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|_| LaunchError::new(Check::Roles, "error-launch-roles-not-strings"))?,
        None => return Err(LaunchError::new(Check::Roles, "error-launch-roles-missing")),
    };

    let resource_link: Option<claims::ResourceLink> =
        optional_object(claims, claims::RESOURCE_LINK, Check::ResourceLink)?;
    if message_type == claims::RESOURCE_LINK_REQUEST
        && resource_link.as_ref().is_none_or(|link| link.id.is_empty())
    {
        return Err(LaunchError::new(
            Check::ResourceLink,
            "error-launch-resource-link",
        ));
    }
    let deep_linking_settings = claims.get(claims::DEEP_LINKING_SETTINGS).cloned();
    if message_type == claims::DEEP_LINKING_REQUEST {
        let Some(settings) = &deep_linking_settings else {
            return Err(LaunchError::new(
                Check::DeepLinkingSettings,
                "error-launch-deep-linking-settings",
            ));
        };
        deep_linking::Settings::parse(settings)
            .map_err(|detail| LaunchError::new(Check::DeepLinkingSettings, detail))?;
    }

    let subject = optional_str(claims, "sub", Check::Subject)?;
    if subject
        .as_deref()
        .is_some_and(|s| s.is_empty() || s.len() > 255)
    {
        return Err(LaunchError::new(
            Check::Subject,
            "error-launch-subject-length",
        ));
    }

    Ok(Launch {
        message_type: message_type.to_string(),
        issuer: issuer.to_string(),
        client_id: platform.client_id.clone(),
        deployment_id: deployment_id.to_string(),
        subject,
        name: optional_str(claims, "name", Check::Malformed)?,
        given_name: optional_str(claims, "given_name", Check::Malformed)?,
        family_name: optional_str(claims, "family_name", Check::Malformed)?,
        email: optional_str(claims, "email", Check::Malformed)?,
        roles,
        context: optional_object(claims, claims::CONTEXT, Check::Malformed)?,
        resource_link,
        custom: custom_parameters(claims),
        launch_presentation: optional_object(
            claims,
            claims::LAUNCH_PRESENTATION,
            Check::Malformed,
        )?
        .unwrap_or_default(),
        ags: optional_object(claims, claims::AGS_ENDPOINT, Check::Malformed)?,
        nrps: optional_object(claims, claims::NRPS, Check::Malformed)?,
        deep_linking_settings,
        target_link_uri: target_link_uri.to_string(),
        nonce: nonce.to_string(),
    })
}

/// `aud` must name this client; with several audiences, `azp` must name it too.
fn check_audience(claims: &Map<String, Value>, client_id: &str) -> Result<(), LaunchError> {
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => {
            let strings: Vec<&str> = many.iter().filter_map(Value::as_str).collect();
            if strings.len() != many.len() {
                return Err(LaunchError::new(
                    Check::Audience,
                    "error-launch-aud-not-string",
                ));
            }
            strings
        }
        _ => {
            return Err(LaunchError::new(
                Check::Audience,
                "error-launch-aud-missing",
            ))
        }
    };
    if !audiences.contains(&client_id) {
        return Err(LaunchError::new(
            Check::Audience,
            Msg::new("error-launch-aud")
                .arg("audiences", format!("{audiences:?}"))
                .arg("client_id", format!("{client_id:?}")),
        ));
    }
    let azp = optional_str(claims, "azp", Check::AuthorizedParty)?;
    match azp {
        Some(azp) if azp != client_id => Err(LaunchError::new(
            Check::AuthorizedParty,
            Msg::new("error-launch-azp")
                .arg("azp", format!("{azp:?}"))
                .arg("client_id", format!("{client_id:?}")),
        )),
        None if audiences.len() > 1 => Err(LaunchError::new(
            Check::AuthorizedParty,
            "error-launch-azp-missing",
        )),
        _ => Ok(()),
    }
}

fn check_times(claims: &Map<String, Value>, now: i64, leeway: i64) -> Result<(), LaunchError> {
    let exp = numeric_date(claims, "exp", Check::Expired)?;
    if exp.saturating_add(leeway) <= now {
        return Err(LaunchError::new(
            Check::Expired,
            Msg::new("error-launch-expired").arg("seconds", now.saturating_sub(exp)),
        ));
    }
    let iat = numeric_date(claims, "iat", Check::IssuedInFuture)?;
    if iat.saturating_sub(leeway) > now {
        return Err(LaunchError::new(
            Check::IssuedInFuture,
            Msg::new("error-launch-issued-in-future").arg("seconds", iat.saturating_sub(now)),
        ));
    }
    Ok(())
}

/// A JSON number of seconds (RFC 7519 NumericDate). Strings are rejected, not parsed, and
/// so are numbers outside the range of a 64-bit time.
fn numeric_date(claims: &Map<String, Value>, name: &str, check: Check) -> Result<i64, LaunchError> {
    const LIMIT: f64 = i64::MAX as f64;
    match claims.get(name) {
        Some(Value::Number(number)) => number
            .as_i64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|seconds| seconds.is_finite() && seconds.abs() < LIMIT)
                    .map(|seconds| seconds as i64)
            })
            .ok_or_else(|| {
                LaunchError::new(
                    check,
                    Msg::new("error-launch-claim-out-of-range").arg("name", name),
                )
            }),
        Some(other) => Err(LaunchError::new(
            check,
            Msg::new("error-launch-claim-not-seconds")
                .arg("name", name)
                .arg("found", json_type(other)),
        )),
        None => Err(missing_claim(name, check)),
    }
}

fn required_str<'c>(
    claims: &'c Map<String, Value>,
    name: &str,
    check: Check,
) -> Result<&'c str, LaunchError> {
    match claims.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(not_a_string(name, other, check)),
        None => Err(missing_claim(name, check)),
    }
}

fn optional_str(
    claims: &Map<String, Value>,
    name: &str,
    check: Check,
) -> Result<Option<String>, LaunchError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(not_a_string(name, other, check)),
    }
}

fn optional_object<T: DeserializeOwned>(
    claims: &Map<String, Value>,
    name: &str,
    check: Check,
) -> Result<Option<T>, LaunchError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|error| {
                LaunchError::new(
                    check,
                    Msg::new("error-launch-claim-malformed")
                        .arg("name", name)
                        .arg("reason", error.to_string()),
                )
            }),
    }
}

/// Custom parameters as strings; platforms send strings, but numbers and booleans are
/// kept in their JSON text rather than dropped.
fn custom_parameters(claims: &Map<String, Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(custom)) = claims.get(claims::CUSTOM) else {
        return BTreeMap::new();
    };
    custom
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (name.clone(), text)
        })
        .collect()
}

fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map
            .iter()
            .any(|(key, item)| key.contains('\0') || contains_nul(item)),
        _ => false,
    }
}

fn missing_claim(name: &str, check: Check) -> LaunchError {
    LaunchError::new(
        check,
        Msg::new("error-launch-claim-missing").arg("name", name),
    )
}

fn not_a_string(name: &str, value: &Value, check: Check) -> LaunchError {
    LaunchError::new(
        check,
        Msg::new("error-launch-claim-not-string")
            .arg("name", name)
            .arg("found", json_type(value)),
    )
}

/// Returns the message naming the kind of a JSON value.
fn json_type(value: &Value) -> Msg {
    Msg::new(match value {
        Value::Null => "error-json-null",
        Value::Bool(_) => "error-json-boolean",
        Value::Number(_) => "error-json-number",
        Value::String(_) => "error-json-string",
        Value::Array(_) => "error-json-list",
        Value::Object(_) => "error-json-object",
    })
}
