//! Entry points that pass arbitrary bytes through the parsers that read what platforms
//! and browsers send, called the way the service calls them. The fuzz targets under
//! `fuzz/` run them, and `tests/fuzz_inputs.rs` replays stored inputs through them. Each
//! returns normally for any input, so a panic is a bug: either in a parser or in one of
//! the output checks made here.

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::{Map, Value};

use crate::chat::markdown;
use crate::chat::protocol::ClientMessage;
use crate::lti::ags::{LineItem, ResultEntry};
use crate::lti::deep_linking::Settings;
use crate::lti::jwks::{parse_jwks, StaticKeys};
use crate::lti::validate::{self, Expected};
use crate::lti::{claims, link_header, nrps};
use crate::store::Platform;

/// Splits `data` at its first NUL byte, so one fuzz input can carry two documents.
fn split_two(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|byte| *byte == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// Polls a future once and returns its output; panics if it is not ready, which a key
/// lookup in [`StaticKeys`] always is.
fn run_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future waited, but every key here is already in memory"),
    }
}

fn platform(issuer: &str, client_id: &str, deployment_id: &str) -> Platform {
    Platform {
        id: 1,
        issuer: issuer.to_string(),
        client_id: client_id.to_string(),
        auth_url: "https://platform.invalid/auth".into(),
        token_url: "https://platform.invalid/token".into(),
        jwks_url: "https://platform.invalid/jwks".into(),
        deployments: vec![deployment_id.to_string()],
    }
}

/// Checks an id_token's header and signature against a JWKS, as a launch does. The
/// input is the token and the JWKS document, separated by a NUL byte.
pub fn id_token(data: &[u8]) {
    let (token, jwks) = split_two(data);
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    let _ = validate::unverified_locale(token);
    if validate::check_header(token).is_err() {
        return;
    }
    let Ok(keys) = parse_jwks(jwks) else {
        return;
    };
    let keys = StaticKeys(keys.into_iter().collect::<HashMap<_, _>>());
    let registered = platform("https://platform.invalid", "client", "deployment");
    let _ = run_ready(validate::verify_signature(token, &registered, &keys));
}

/// Checks the claims of a signature-verified id_token, given as a JSON object. The
/// expected issuer, audience, nonce, deployment and time are taken from the claims
/// themselves, so inputs get past those checks and reach the rest.
pub fn id_token_claims(data: &[u8]) {
    let Ok(claims) = serde_json::from_slice::<Map<String, Value>>(data) else {
        return;
    };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
    let audience = match claims.get("aud") {
        Some(Value::Array(values)) => values.first().and_then(Value::as_str).unwrap_or(""),
        Some(Value::String(value)) => value,
        _ => "",
    };
    let registered = platform(text("iss"), audience, text(claims::DEPLOYMENT_ID));
    let now = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    let expected = Expected {
        platform: &registered,
        nonce: text("nonce"),
        target_link_uri: text(claims::TARGET_LINK_URI),
        now,
        leeway_secs: 30,
    };
    let _ = validate::check_claims(&claims, &expected);
}

/// Parses a `deep_linking_settings` claim.
pub fn deep_linking_settings(data: &[u8]) {
    let Ok(claim) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(settings) = Settings::parse(&claim) {
        let _ = settings.accepts_resource_links();
        let _ = settings.presentations();
    }
}

/// Parses a reply of the platform's services: the body as a membership page and as AGS
/// line items and results, and the lines before the first NUL byte as `Link` values.
pub fn platform_replies(data: &[u8]) {
    let (headers, body) = split_two(data);
    if let Ok(headers) = std::str::from_utf8(headers) {
        let _ = link_header::find_relation(headers.lines(), "next");
    }
    let _ = nrps::parse_page(body);
    let _ = serde_json::from_slice::<LineItem>(body);
    let _ = serde_json::from_slice::<Vec<LineItem>>(body);
    let _ = serde_json::from_slice::<Vec<ResultEntry>>(body);
}

/// Renders a chat message body from Markdown to the HTML that every reader's browser
/// shows, and checks the output with [`check_message_html`].
pub fn chat_markdown(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    if markdown::check_body(body).is_err() {
        return;
    }
    check_message_html(&markdown::render(body));
}

/// Panics when `html` has a tag that runs script, loads content, or links to a scheme
/// other than http, https or mailto. Text in the HTML is escaped, so every `<` in it
/// opens a tag.
pub fn check_message_html(html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let end = rest[at..]
            .find('>')
            .map_or(rest.len(), |offset| at + offset + 1);
        check_tag(&rest[at..end].to_ascii_lowercase(), html);
        rest = &rest[end..];
    }
}

const SCRIPTABLE_TAGS: [&str; 13] = [
    "script", "iframe", "img", "style", "object", "embed", "svg", "math", "form", "input", "link",
    "meta", "base",
];

fn check_tag(tag: &str, html: &str) {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let mut parts = inner.split_whitespace();
    let name = parts.next().unwrap_or("").trim_start_matches('/');
    assert!(
        !SCRIPTABLE_TAGS.contains(&name),
        "rendered message has a <{name}> tag: {html}"
    );
    for attribute in parts {
        assert!(
            !attribute.starts_with("on"),
            "rendered message has an event handler attribute {attribute:?}: {html}"
        );
        if let Some(target) = attribute.strip_prefix("href=") {
            let target = target.trim_matches('"');
            assert!(
                ["http:", "https:", "mailto:"]
                    .iter()
                    .any(|scheme| target.starts_with(scheme)),
                "rendered message links to {target:?}: {html}"
            );
        }
    }
}

/// Decodes one WebSocket text frame from a browser.
pub fn socket_frame(data: &[u8]) {
    let _ = serde_json::from_slice::<ClientMessage>(data);
}
