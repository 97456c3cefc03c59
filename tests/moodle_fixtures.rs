//! cowork against traffic recorded from a Moodle 4.2.3 site: its id_tokens, its JWKS, the
//! login initiations it posted and its plain GETs of the tool URL (files in
//! `tests/fixtures/`).
//!
//! The site's issuer was http://127.0.0.1:8080, with a manually configured tool (client_id
//! gvotjDE3u2vYZGV, deployment "2") and a dynamically registered one (client_id
//! ABwKXtU9WDxlUeh, deployment "1"). The recording tool listened on http://127.0.0.1:9001.
//! The tokens expired a minute after they were issued, so claim checks run with the clock
//! set to each token's own `iat`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{backends, spawn, spawn_with, TestApp};
use cowork::config::Config;
use cowork::lti::claims::{self, Launch, SpaceRole};
use cowork::lti::error::Check;
use cowork::lti::jwks::{parse_jwks, JwksCache, KeySource, StaticKeys};
use cowork::lti::validate::{check_claims, verify_signature, Expected};
use cowork::net::PlatformHttp;
use cowork::store::{NewPlatform, Platform};
use reqwest::redirect::Policy;
use reqwest::Url;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;

const ISSUER: &str = "http://127.0.0.1:8080";
const AUTH_URL: &str = "http://127.0.0.1:8080/mod/lti/auth.php";
const TOKEN_URL: &str = "http://127.0.0.1:8080/mod/lti/token.php";
const JWKS_URL: &str = "http://127.0.0.1:8080/mod/lti/certs.php";
/// The `kid` of the one key in the recorded JWKS, which signed every recorded id_token.
const MOODLE_KID: &str = "c7082599f62e1fcaa164";

const MANUAL_CLIENT_ID: &str = "gvotjDE3u2vYZGV";
const MANUAL_DEPLOYMENT_ID: &str = "2";
const DYNAMIC_CLIENT_ID: &str = "ABwKXtU9WDxlUeh";
const DYNAMIC_DEPLOYMENT_ID: &str = "1";

/// Origin of the tool that recorded the traffic. Every recorded target_link_uri is on it.
const RECORDED_TOOL_ORIGIN: &str = "http://127.0.0.1:9001";

/// Clock skew tolerated in these tests, in seconds, which is cowork's default
/// `clock_leeway_secs`.
const LEEWAY_SECS: i64 = 30;

const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";
const AGS_SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const MEMBERSHIPS_URL: &str =
    "http://127.0.0.1:8080/mod/lti/services.php/CourseSection/2/bindings/2/memberships";
/// Moodle puts the tool type id in its AGS URLs. Type 2 is the manual tool and type 1 the
/// dynamically registered one.
const MANUAL_LINEITEMS: &str = "http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=2";
const DYNAMIC_LINEITEMS: &str = "http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=1";
const MANUAL_LINEITEM: &str =
    "http://127.0.0.1:8080/mod/lti/services.php/2/lineitems/2/lineitem?type_id=2";

/// One recorded id_token and what cowork must read out of it.
struct TokenCase {
    fixture: &'static str,
    client_id: &'static str,
    deployment_id: &'static str,
    subject: &'static str,
    name: &'static str,
    role: SpaceRole,
    lineitems: &'static str,
    /// A custom parameter (name, value) set on the tool registration in Moodle.
    tool_custom: (&'static str, &'static str),
}

const RESOURCE_LINK_TOKENS: [TokenCase; 4] = [
    TokenCase {
        fixture: "id_token-resource-link-teacher.json",
        client_id: MANUAL_CLIENT_ID,
        deployment_id: MANUAL_DEPLOYMENT_ID,
        subject: "3",
        name: "Tara Teachwell",
        role: SpaceRole::Teacher,
        lineitems: MANUAL_LINEITEMS,
        tool_custom: ("manual_custom", "yes"),
    },
    TokenCase {
        fixture: "id_token-resource-link-student.json",
        client_id: MANUAL_CLIENT_ID,
        deployment_id: MANUAL_DEPLOYMENT_ID,
        subject: "4",
        name: "Sam Studentson",
        role: SpaceRole::Student,
        lineitems: MANUAL_LINEITEMS,
        tool_custom: ("manual_custom", "yes"),
    },
    TokenCase {
        fixture: "id_token-resource-link-student2.json",
        client_id: MANUAL_CLIENT_ID,
        deployment_id: MANUAL_DEPLOYMENT_ID,
        subject: "5",
        name: "Alex Learnwright",
        role: SpaceRole::Student,
        lineitems: MANUAL_LINEITEMS,
        tool_custom: ("manual_custom", "yes"),
    },
    TokenCase {
        fixture: "id_token-resource-link-student3.json",
        client_id: MANUAL_CLIENT_ID,
        deployment_id: MANUAL_DEPLOYMENT_ID,
        subject: "6",
        name: "Riley Pupilford",
        role: SpaceRole::Student,
        lineitems: MANUAL_LINEITEMS,
        tool_custom: ("manual_custom", "yes"),
    },
];

const DEEP_LINKING_TOKENS: [TokenCase; 2] = [
    TokenCase {
        fixture: "id_token-deep-linking-teacher.json",
        client_id: MANUAL_CLIENT_ID,
        deployment_id: MANUAL_DEPLOYMENT_ID,
        subject: "3",
        name: "Tara Teachwell",
        role: SpaceRole::Teacher,
        lineitems: MANUAL_LINEITEMS,
        tool_custom: ("manual_custom", "yes"),
    },
    TokenCase {
        fixture: "id_token-deep-linking-teacher-dynamic-tool.json",
        client_id: DYNAMIC_CLIENT_ID,
        deployment_id: DYNAMIC_DEPLOYMENT_ID,
        subject: "3",
        name: "Tara Teachwell",
        role: SpaceRole::Teacher,
        lineitems: DYNAMIC_LINEITEMS,
        tool_custom: ("dyn_custom", "yes"),
    },
];

const LOGIN_FIXTURES: [&str; 6] = [
    "login-initiation-resource-link-teacher.json",
    "login-initiation-resource-link-student.json",
    "login-initiation-resource-link-student2.json",
    "login-initiation-resource-link-student3.json",
    "login-initiation-deep-linking-teacher.json",
    "login-initiation-deep-linking-teacher-dynamic-tool.json",
];

fn all_tokens() -> impl Iterator<Item = &'static TokenCase> {
    RESOURCE_LINK_TOKENS
        .iter()
        .chain(DEEP_LINKING_TOKENS.iter())
}

fn load_fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("fixture {name} is not JSON: {error}"))
}

fn json_str<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("recorded value {name} is not a string"))
}

/// A recorded id_token: the compact JWS as Moodle sent it, and its payload as recorded.
struct RecordedToken {
    raw: String,
    payload: Map<String, Value>,
}

impl RecordedToken {
    fn load(fixture: &str) -> Self {
        let recorded = load_fixture(fixture);
        let payload = recorded["payload"]
            .as_object()
            .unwrap_or_else(|| panic!("{fixture} has no payload object"))
            .clone();
        Self {
            raw: json_str(&recorded, "raw").to_string(),
            payload,
        }
    }

    fn iat(&self) -> i64 {
        self.payload["iat"].as_i64().expect("recorded iat")
    }

    fn exp(&self) -> i64 {
        self.payload["exp"].as_i64().expect("recorded exp")
    }

    /// Builds what the login that led to this token expects, with the clock at `now`.
    fn expected<'a>(&'a self, platform: &'a Platform, now: i64) -> Expected<'a> {
        Expected {
            platform,
            nonce: self.payload_text("nonce"),
            target_link_uri: self.payload_text(claims::TARGET_LINK_URI),
            now,
            leeway_secs: LEEWAY_SECS,
        }
    }

    fn payload_text(&self, name: &str) -> &str {
        self.payload[name]
            .as_str()
            .unwrap_or_else(|| panic!("recorded claim {name} is not a string"))
    }
}

/// Builds the registration cowork would hold for one of the recorded tools.
fn registration(client_id: &str, deployment_id: &str, jwks_url: &str) -> Platform {
    Platform {
        id: 1,
        issuer: ISSUER.to_string(),
        client_id: client_id.to_string(),
        auth_url: AUTH_URL.to_string(),
        token_url: TOKEN_URL.to_string(),
        jwks_url: jwks_url.to_string(),
        deployments: vec![deployment_id.to_string()],
    }
}

fn recorded_jwks_body() -> String {
    let recorded = load_fixture("jwks.json");
    json_str(&recorded["response"], "body").to_string()
}

/// Parses the recorded JWKS into verification keys and checks that it has Moodle's key.
fn recorded_keys() -> StaticKeys {
    let keys = parse_jwks(recorded_jwks_body().as_bytes())
        .unwrap_or_else(|error| panic!("recorded JWKS rejected: {error}"));
    assert_eq!(keys.len(), 1, "the recorded JWKS publishes one RS256 key");
    assert!(
        keys.contains_key(MOODLE_KID),
        "the recorded JWKS has no key with kid {MOODLE_KID}"
    );
    StaticKeys(keys)
}

/// Verifies a recorded token's signature and claims with the clock at its `iat`.
async fn verified_launch(case: &TokenCase, keys: &dyn KeySource, jwks_url: &str) -> Launch {
    let token = RecordedToken::load(case.fixture);
    let platform = registration(case.client_id, case.deployment_id, jwks_url);
    let claims = verify_signature(&token.raw, &platform, keys)
        .await
        .unwrap_or_else(|error| panic!("{}: signature rejected: {error}", case.fixture));
    assert_eq!(
        claims, token.payload,
        "{}: the verified claims differ from the recorded payload",
        case.fixture
    );
    check_claims(&claims, &token.expected(&platform, token.iat()))
        .unwrap_or_else(|error| panic!("{}: claims rejected: {error}", case.fixture))
}

/// Serves the recorded JWKS body at Moodle's JWKS path on 127.0.0.1 and counts the
/// requests. Returns the JWKS URL, the counter and the server task.
async fn serve_recorded_jwks() -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let body = recorded_jwks_body();
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    let router = Router::new().route(
        "/mod/lti/certs.php",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                    body,
                )
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/mod/lti/certs.php",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("JWKS server");
    });
    (url, fetches, server)
}

/// Builds a client that ignores proxy settings from the environment, so every request goes
/// straight to 127.0.0.1, and that does not follow redirects.
fn direct_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn split_token(raw: &str) -> (&str, String, &str) {
    let parts: Vec<&str> = raw.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS has three parts");
    let payload = URL_SAFE_NO_PAD
        .decode(parts[1])
        .expect("the payload is base64url");
    let payload = String::from_utf8(payload).expect("the payload is UTF-8");
    (parts[0], payload, parts[2])
}

fn decoded_payload(raw: &str) -> Map<String, Value> {
    serde_json::from_str(&split_token(raw).1).expect("the payload is a JSON object")
}

/// Replaces the value of the top-level claim `name` in the token's payload text and
/// keeps every other byte, the header and the signature as they were.
fn with_claim(raw: &str, name: &str, value: &Value) -> String {
    let (header, payload, signature) = split_token(raw);

    let key = format!("{}:", Value::from(name));
    assert_eq!(
        payload.matches(&key).count(),
        1,
        "claim {name} must appear exactly once in the payload text"
    );
    let start = payload.find(&key).unwrap() + key.len();
    let mut values = serde_json::Deserializer::from_str(&payload[start..]).into_iter::<Value>();
    values
        .next()
        .expect("a value follows the claim name")
        .expect("the claim value is JSON");
    let end = start + values.byte_offset();

    let edited = format!("{}{}{}", &payload[..start], value, &payload[end..]);
    format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(edited))
}

/// Registers the two recorded tools with the running cowork and returns them.
async fn register_recorded_tools(app: &TestApp) -> (Platform, Platform) {
    let register = |client_id: &str, deployment_id: &str| NewPlatform {
        issuer: ISSUER.to_string(),
        client_id: client_id.to_string(),
        auth_url: AUTH_URL.to_string(),
        token_url: TOKEN_URL.to_string(),
        jwks_url: JWKS_URL.to_string(),
        deployments: vec![deployment_id.to_string()],
    };
    let now = cowork::unix_now();
    let manual = app
        .state
        .store
        .upsert_platform(&register(MANUAL_CLIENT_ID, MANUAL_DEPLOYMENT_ID), now)
        .await
        .unwrap();
    let dynamic = app
        .state
        .store
        .upsert_platform(&register(DYNAMIC_CLIENT_ID, DYNAMIC_DEPLOYMENT_ID), now)
        .await
        .unwrap();
    (manual, dynamic)
}

/// Copies the recorded request headers that can be replayed. The client sets Host and
/// Content-Length for the real connection, and Connection is hop-by-hop. The recorded
/// Cookie is a redaction note, and Accept-Encoding is left out because the test client
/// cannot decode compressed bodies.
fn replayable_headers(recorded: &Value) -> reqwest::header::HeaderMap {
    const SKIPPED: [&str; 5] = [
        "host",
        "content-length",
        "connection",
        "cookie",
        "accept-encoding",
    ];
    let mut headers = reqwest::header::HeaderMap::new();
    let recorded = recorded["headers"]
        .as_object()
        .expect("recorded request headers");
    for (name, value) in recorded {
        if SKIPPED.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let value = value.as_str().expect("header value is a string");
        headers.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            reqwest::header::HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

/// Posts a recorded login initiation body, with its recorded headers, to cowork.
async fn post_recorded_login(http: &reqwest::Client, tool_url: &str, request: &Value) -> Url {
    let response = http
        .post(format!("{tool_url}/lti/login"))
        .headers(replayable_headers(request))
        .body(json_str(request, "body").to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_string());
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 302, "login must redirect to Moodle; body: {body}");
    let location = location.expect("the login redirect has a Location header");
    Url::parse(&location)
        .unwrap_or_else(|error| panic!("Location {location:?} is not a URL: {error}"))
}

fn query_value(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("{url} has no query parameter {name}"))
}

#[tokio::test]
async fn recorded_tokens_pass_static_keys() {
    assert_eq!(
        Config::default().clock_leeway_secs,
        LEEWAY_SECS,
        "LEEWAY_SECS must follow cowork's default clock leeway"
    );
    let keys = recorded_keys();
    for case in all_tokens() {
        let launch = verified_launch(case, &keys, JWKS_URL).await;
        assert_eq!(launch.client_id, case.client_id, "{}", case.fixture);
    }
}

#[tokio::test]
async fn recorded_tokens_pass_fetched_jwks() {
    let (jwks_url, fetches, server) = serve_recorded_jwks().await;
    let cache = JwksCache::new(
        PlatformHttp::new(true),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );

    for case in all_tokens() {
        let launch = verified_launch(case, &cache, &jwks_url).await;
        assert_eq!(launch.client_id, case.client_id, "{}", case.fixture);
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "six tokens with one kid need one JWKS fetch"
    );
    server.abort();
}

#[tokio::test]
async fn resource_link_launch_values() {
    let keys = recorded_keys();
    for case in &RESOURCE_LINK_TOKENS {
        let token = RecordedToken::load(case.fixture);
        let launch = verified_launch(case, &keys, JWKS_URL).await;
        let fixture = case.fixture;

        assert_eq!(
            launch.message_type,
            claims::RESOURCE_LINK_REQUEST,
            "{fixture}"
        );
        assert_eq!(launch.issuer, ISSUER, "{fixture}");
        assert_eq!(launch.client_id, case.client_id, "{fixture}");
        assert_eq!(launch.deployment_id, case.deployment_id, "{fixture}");
        assert_eq!(launch.subject.as_deref(), Some(case.subject), "{fixture}");
        assert_eq!(launch.name.as_deref(), Some(case.name), "{fixture}");
        assert_eq!(launch.nonce, token.payload_text("nonce"), "{fixture}");
        assert_eq!(
            launch.target_link_uri, "http://127.0.0.1:9001/launch?resource=quiz-1",
            "{fixture}"
        );

        let expected_roles = match case.role {
            SpaceRole::Teacher => vec![INSTRUCTOR.to_string()],
            _ => vec![LEARNER.to_string()],
        };
        assert_eq!(launch.roles, expected_roles, "{fixture}");
        assert_eq!(
            SpaceRole::from_lti_roles(&launch.roles),
            case.role,
            "{fixture}: space role"
        );

        let context = launch.context.as_ref().expect("context claim");
        assert_eq!(context.id, "2", "{fixture}: context id");
        assert_eq!(context.label.as_deref(), Some("LTI101"), "{fixture}");
        assert_eq!(
            context.title.as_deref(),
            Some("LTI Capture Course"),
            "{fixture}"
        );
        assert_eq!(context.types, ["CourseSection"], "{fixture}: context type");

        let link = launch.resource_link.as_ref().expect("resource_link claim");
        assert_eq!(link.id, "1", "{fixture}: resource_link id");
        assert_eq!(
            link.title.as_deref(),
            Some("Capture Quiz (deep linked)"),
            "{fixture}: resource_link title"
        );

        let custom = |name: &str| launch.custom.get(name).map(String::as_str);
        assert_eq!(custom("resource_id"), Some("quiz-1"), "{fixture}");
        assert_eq!(custom("difficulty"), Some("easy"), "{fixture}");
        assert_eq!(
            custom(case.tool_custom.0),
            Some(case.tool_custom.1),
            "{fixture}"
        );
        assert_eq!(
            custom("context_memberships_url"),
            Some(MEMBERSHIPS_URL),
            "{fixture}: substituted custom variable"
        );

        let ags = launch.ags.as_ref().expect("AGS endpoint claim");
        assert_eq!(ags.lineitems.as_deref(), Some(case.lineitems), "{fixture}");
        assert_eq!(ags.lineitem.as_deref(), Some(MANUAL_LINEITEM), "{fixture}");
        assert!(
            ags.scope.iter().any(|scope| scope == AGS_SCORE_SCOPE),
            "{fixture}: AGS scopes {:?} lack score",
            ags.scope
        );

        let nrps = launch.nrps.as_ref().expect("NRPS claim");
        assert_eq!(nrps.context_memberships_url, MEMBERSHIPS_URL, "{fixture}");
        assert_eq!(nrps.service_versions, ["1.0", "2.0"], "{fixture}");

        let presentation = &launch.launch_presentation;
        assert_eq!(presentation.locale.as_deref(), Some("en"), "{fixture}");
        assert_eq!(
            presentation.document_target.as_deref(),
            Some("window"),
            "{fixture}"
        );
        let return_url = presentation.return_url.as_deref().expect("return_url");
        assert_eq!(
            return_url,
            token.payload[claims::LAUNCH_PRESENTATION]["return_url"],
            "{fixture}: return_url"
        );
        assert!(
            return_url.starts_with("http://127.0.0.1:8080/mod/lti/return.php?course=2&"),
            "{fixture}: return_url {return_url}"
        );

        assert!(
            launch.deep_linking_settings.is_none(),
            "{fixture}: deep linking settings in a resource link launch"
        );
    }
}

#[tokio::test]
async fn deep_linking_launch_values() {
    let keys = recorded_keys();
    for case in &DEEP_LINKING_TOKENS {
        let token = RecordedToken::load(case.fixture);
        let launch = verified_launch(case, &keys, JWKS_URL).await;
        let fixture = case.fixture;

        assert_eq!(
            launch.message_type,
            claims::DEEP_LINKING_REQUEST,
            "{fixture}"
        );
        assert_eq!(launch.client_id, case.client_id, "{fixture}");
        assert_eq!(launch.deployment_id, case.deployment_id, "{fixture}");
        assert_eq!(launch.subject.as_deref(), Some(case.subject), "{fixture}");
        assert_eq!(launch.name.as_deref(), Some(case.name), "{fixture}");
        assert_eq!(
            SpaceRole::from_lti_roles(&launch.roles),
            case.role,
            "{fixture}: space role"
        );
        assert_eq!(
            launch.target_link_uri, "http://127.0.0.1:9001/deeplink",
            "{fixture}"
        );
        assert!(
            launch.resource_link.is_none(),
            "{fixture}: Moodle sends no resource_link with deep linking"
        );

        let context = launch.context.as_ref().expect("context claim");
        assert_eq!(context.id, "2", "{fixture}: context id");

        let settings = launch
            .deep_linking_settings
            .as_ref()
            .expect("deep_linking_settings claim");
        let return_url = settings["deep_link_return_url"]
            .as_str()
            .expect("deep_link_return_url is a string");
        assert_eq!(
            return_url,
            token.payload[claims::DEEP_LINKING_SETTINGS]["deep_link_return_url"],
            "{fixture}"
        );
        assert!(
            return_url.starts_with("http://127.0.0.1:8080/mod/lti/contentitem_return.php?"),
            "{fixture}: deep_link_return_url {return_url}"
        );
        assert_eq!(
            settings["accept_types"],
            json!(["ltiResourceLink"]),
            "{fixture}"
        );

        let custom = |name: &str| launch.custom.get(name).map(String::as_str);
        assert_eq!(
            custom(case.tool_custom.0),
            Some(case.tool_custom.1),
            "{fixture}"
        );

        let ags = launch.ags.as_ref().expect("AGS endpoint claim");
        assert_eq!(ags.lineitems.as_deref(), Some(case.lineitems), "{fixture}");
        assert_eq!(
            ags.lineitem, None,
            "{fixture}: no line item before a link exists"
        );

        assert_eq!(
            launch.launch_presentation.locale.as_deref(),
            Some("en"),
            "{fixture}"
        );
    }
}

#[tokio::test]
async fn edited_claim_breaks_signature() {
    let keys = recorded_keys();
    let token = RecordedToken::load("id_token-resource-link-student.json");
    let platform = registration(MANUAL_CLIENT_ID, MANUAL_DEPLOYMENT_ID, JWKS_URL);

    let edits = [
        ("iss", json!("http://127.0.0.1:8081")),
        ("aud", json!(DYNAMIC_CLIENT_ID)),
        ("sub", json!("3")),
        ("nonce", json!("00000000000000000000000000000000")),
        ("exp", json!(token.exp() + 3600)),
        (claims::ROLES, json!([INSTRUCTOR])),
        (claims::DEPLOYMENT_ID, json!(DYNAMIC_DEPLOYMENT_ID)),
        (claims::MESSAGE_TYPE, json!(claims::DEEP_LINKING_REQUEST)),
        (
            claims::RESOURCE_LINK,
            json!({"id": "2", "title": "Capture Quiz (deep linked)"}),
        ),
        (
            claims::TARGET_LINK_URI,
            json!("http://127.0.0.1:9001/launch?resource=quiz-2"),
        ),
    ];

    // Writing back a recorded string value reproduces the token byte for byte, so a
    // rejection below comes from the edit and not from the re-encoding.
    let rewritten = with_claim(&token.raw, "nonce", &token.payload["nonce"]);
    assert_eq!(
        rewritten, token.raw,
        "re-encoding changed an unedited token"
    );
    if let Err(error) = verify_signature(&rewritten, &platform, &keys).await {
        panic!("the re-encoded recorded token was rejected: {error}");
    }

    for (name, value) in edits {
        let edited = with_claim(&token.raw, name, &value);
        let mut expected_payload = token.payload.clone();
        expected_payload.insert(name.to_string(), value.clone());
        assert_eq!(
            decoded_payload(&edited),
            expected_payload,
            "{name}: the edited token must differ from the recording in this claim only"
        );
        assert_ne!(
            value, token.payload[name],
            "{name}: the edit keeps the recorded value"
        );

        match verify_signature(&edited, &platform, &keys).await {
            Ok(_) => panic!("{name}: a token with an edited claim passed the signature check"),
            Err(error) => assert_eq!(error.check, Check::Signature, "{name}: {error}"),
        }
    }
}

/// One edit of a verified payload, or of the clock, and the check it must fail.
struct ClaimCase {
    name: &'static str,
    edit: fn(&mut Map<String, Value>),
    /// Seconds from the token's `iat` to the clock used for the check.
    clock_offset: i64,
    /// `None` when the launch must pass.
    expected: Option<Check>,
}

fn set(claims: &mut Map<String, Value>, name: &str, value: Value) {
    claims.insert(name.to_string(), value);
}

fn iat_of(claims: &Map<String, Value>) -> i64 {
    claims["iat"].as_i64().expect("iat")
}

const CLAIM_CASES: [ClaimCase; 26] = [
    ClaimCase {
        name: "recorded payload",
        edit: |_| {},
        clock_offset: 0,
        expected: None,
    },
    ClaimCase {
        name: "wrong iss",
        edit: |c| set(c, "iss", json!("http://127.0.0.1:8081")),
        clock_offset: 0,
        expected: Some(Check::Issuer),
    },
    ClaimCase {
        name: "aud names another client",
        edit: |c| set(c, "aud", json!(DYNAMIC_CLIENT_ID)),
        clock_offset: 0,
        expected: Some(Check::Audience),
    },
    ClaimCase {
        name: "aud list without client_id",
        edit: |c| set(c, "aud", json!([DYNAMIC_CLIENT_ID, "other-client"])),
        clock_offset: 0,
        expected: Some(Check::Audience),
    },
    ClaimCase {
        name: "aud list without azp",
        edit: |c| set(c, "aud", json!([MANUAL_CLIENT_ID, DYNAMIC_CLIENT_ID])),
        clock_offset: 0,
        expected: Some(Check::AuthorizedParty),
    },
    ClaimCase {
        name: "aud list with matching azp",
        edit: |c| {
            set(c, "aud", json!([MANUAL_CLIENT_ID, DYNAMIC_CLIENT_ID]));
            set(c, "azp", json!(MANUAL_CLIENT_ID));
        },
        clock_offset: 0,
        expected: None,
    },
    ClaimCase {
        name: "azp names another client",
        edit: |c| set(c, "azp", json!(DYNAMIC_CLIENT_ID)),
        clock_offset: 0,
        expected: Some(Check::AuthorizedParty),
    },
    ClaimCase {
        name: "exp as a string",
        edit: |c| {
            let exp = c["exp"].as_i64().expect("exp");
            set(c, "exp", json!(exp.to_string()));
        },
        clock_offset: 0,
        expected: Some(Check::Expired),
    },
    ClaimCase {
        name: "exp past beyond leeway",
        edit: |c| {
            let iat = iat_of(c);
            set(c, "exp", json!(iat - LEEWAY_SECS - 1));
        },
        clock_offset: 0,
        expected: Some(Check::Expired),
    },
    ClaimCase {
        name: "exp missing",
        edit: |c| {
            c.remove("exp");
        },
        clock_offset: 0,
        expected: Some(Check::Expired),
    },
    ClaimCase {
        name: "iat future beyond leeway",
        edit: |c| {
            let iat = iat_of(c);
            set(c, "iat", json!(iat + LEEWAY_SECS + 1));
        },
        clock_offset: 0,
        expected: Some(Check::IssuedInFuture),
    },
    ClaimCase {
        name: "nonce differs",
        edit: |c| set(c, "nonce", json!("00000000000000000000000000000000")),
        clock_offset: 0,
        expected: Some(Check::Nonce),
    },
    ClaimCase {
        name: "version 1.1",
        edit: |c| set(c, claims::VERSION, json!("1.1")),
        clock_offset: 0,
        expected: Some(Check::Version),
    },
    ClaimCase {
        name: "unsupported message_type",
        edit: |c| set(c, claims::MESSAGE_TYPE, json!("LtiSubmissionReviewRequest")),
        clock_offset: 0,
        expected: Some(Check::MessageType),
    },
    ClaimCase {
        name: "deployment of another registration",
        edit: |c| set(c, claims::DEPLOYMENT_ID, json!(DYNAMIC_DEPLOYMENT_ID)),
        clock_offset: 0,
        expected: Some(Check::Deployment),
    },
    ClaimCase {
        name: "resource_link without id",
        edit: |c| {
            c[claims::RESOURCE_LINK]
                .as_object_mut()
                .expect("resource_link object")
                .remove("id");
        },
        clock_offset: 0,
        expected: Some(Check::ResourceLink),
    },
    ClaimCase {
        name: "resource_link with empty id",
        edit: |c| c[claims::RESOURCE_LINK]["id"] = json!(""),
        clock_offset: 0,
        expected: Some(Check::ResourceLink),
    },
    ClaimCase {
        name: "roles missing",
        edit: |c| {
            c.remove(claims::ROLES);
        },
        clock_offset: 0,
        expected: Some(Check::Roles),
    },
    ClaimCase {
        name: "roles not a list",
        edit: |c| set(c, claims::ROLES, json!(INSTRUCTOR)),
        clock_offset: 0,
        expected: Some(Check::Roles),
    },
    ClaimCase {
        name: "roles empty list",
        edit: |c| set(c, claims::ROLES, json!([])),
        clock_offset: 0,
        expected: None,
    },
    ClaimCase {
        name: "target_link_uri differs",
        edit: |c| {
            let other = json!("http://127.0.0.1:9001/launch?resource=quiz-2");
            set(c, claims::TARGET_LINK_URI, other);
        },
        clock_offset: 0,
        expected: Some(Check::TargetLinkUri),
    },
    ClaimCase {
        name: "clock at last second of leeway",
        edit: |_| {},
        // Moodle's tokens live 60 seconds, so exp + leeway - 1 is iat + 60 + LEEWAY - 1.
        clock_offset: 60 + LEEWAY_SECS - 1,
        expected: None,
    },
    ClaimCase {
        name: "clock at exp + leeway",
        edit: |_| {},
        clock_offset: 60 + LEEWAY_SECS,
        expected: Some(Check::Expired),
    },
    ClaimCase {
        name: "clock at iat + leeway + 61",
        edit: |_| {},
        clock_offset: LEEWAY_SECS + 61,
        expected: Some(Check::Expired),
    },
    ClaimCase {
        name: "clock behind iat within leeway",
        edit: |_| {},
        clock_offset: -LEEWAY_SECS,
        expected: None,
    },
    ClaimCase {
        name: "clock behind iat beyond leeway",
        edit: |_| {},
        clock_offset: -LEEWAY_SECS - 1,
        expected: Some(Check::IssuedInFuture),
    },
];

#[tokio::test]
async fn claim_checks_on_recorded_payload() {
    let keys = recorded_keys();
    let token = RecordedToken::load("id_token-resource-link-teacher.json");
    let platform = registration(MANUAL_CLIENT_ID, MANUAL_DEPLOYMENT_ID, JWKS_URL);
    assert_eq!(
        token.exp() - token.iat(),
        60,
        "Moodle 4.2 id_tokens live 60 seconds; the clock cases rely on it"
    );
    let verified = verify_signature(&token.raw, &platform, &keys)
        .await
        .unwrap_or_else(|error| panic!("recorded token rejected: {error}"));

    for case in &CLAIM_CASES {
        let mut claims = verified.clone();
        (case.edit)(&mut claims);
        let expected = token.expected(&platform, token.iat() + case.clock_offset);
        let result = check_claims(&claims, &expected);
        match (case.expected, result) {
            (None, Ok(_)) => {}
            (None, Err(error)) => panic!("{}: must pass, got {error}", case.name),
            (Some(check), Ok(_)) => {
                panic!(
                    "{}: must fail the {} check but passed",
                    case.name,
                    check.code()
                )
            }
            (Some(check), Err(error)) => {
                assert_eq!(error.check, check, "{}: {error}", case.name)
            }
        }
    }
}

#[tokio::test]
async fn empty_roles_launch_as_guest() {
    let keys = recorded_keys();
    let token = RecordedToken::load("id_token-resource-link-student.json");
    let platform = registration(MANUAL_CLIENT_ID, MANUAL_DEPLOYMENT_ID, JWKS_URL);
    let mut claims = verify_signature(&token.raw, &platform, &keys)
        .await
        .unwrap_or_else(|error| panic!("recorded token rejected: {error}"));
    set(&mut claims, claims::ROLES, json!([]));

    let launch = check_claims(&claims, &token.expected(&platform, token.iat()))
        .unwrap_or_else(|error| panic!("empty roles rejected: {error}"));
    assert!(launch.roles.is_empty(), "roles {:?}", launch.roles);
    assert_eq!(
        SpaceRole::from_lti_roles(&launch.roles),
        SpaceRole::Guest,
        "no role means guest"
    );
}

#[tokio::test]
async fn deep_link_without_return_url() {
    let keys = recorded_keys();
    let token = RecordedToken::load("id_token-deep-linking-teacher.json");
    let platform = registration(MANUAL_CLIENT_ID, MANUAL_DEPLOYMENT_ID, JWKS_URL);
    let verified = verify_signature(&token.raw, &platform, &keys)
        .await
        .unwrap_or_else(|error| panic!("recorded token rejected: {error}"));

    let mut without_url = verified.clone();
    without_url[claims::DEEP_LINKING_SETTINGS]
        .as_object_mut()
        .expect("deep_linking_settings object")
        .remove("deep_link_return_url");
    let error = check_claims(&without_url, &token.expected(&platform, token.iat()))
        .expect_err("a deep linking request without deep_link_return_url must fail");
    assert_eq!(error.check, Check::DeepLinkingSettings, "{error}");

    let mut without_settings = verified;
    without_settings.remove(claims::DEEP_LINKING_SETTINGS);
    let error = check_claims(&without_settings, &token.expected(&platform, token.iat()))
        .expect_err("a deep linking request without deep_linking_settings must fail");
    assert_eq!(error.check, Check::DeepLinkingSettings, "{error}");
}

#[tokio::test]
async fn login_redirects_to_moodle_auth() {
    // The login handler compares only the origin of target_link_uri with public_url, so
    // cowork can claim the recorded tool origin while it listens on a random port.
    let redirect_uri = format!("{RECORDED_TOOL_ORIGIN}/lti/launch");
    for backend in backends() {
        let app = spawn_with(backend, |config| {
            config.public_url = RECORDED_TOOL_ORIGIN.parse().unwrap();
        })
        .await;
        let (manual, dynamic) = register_recorded_tools(&app).await;
        let http = direct_client();

        for fixture in LOGIN_FIXTURES {
            let recorded = load_fixture(fixture);
            let request = &recorded["request_from_moodle"];
            let form = &request["form"];
            let recorded_params = recorded["auth_request_params"]
                .as_object()
                .expect("recorded auth_request_params");
            let recorded_auth = Url::parse(json_str(&recorded, "tool_redirect_to_moodle_auth"))
                .expect("recorded auth redirect is a URL");
            let context = format!("{backend:?} {fixture}");

            let location = post_recorded_login(&http, &app.tool_url, request).await;
            assert_eq!(
                location.origin(),
                recorded_auth.origin(),
                "{context}: auth endpoint origin"
            );
            assert_eq!(
                location.path(),
                recorded_auth.path(),
                "{context}: auth endpoint path"
            );

            let names: Vec<String> = location
                .query_pairs()
                .map(|(name, _)| name.into_owned())
                .collect();
            let mut sorted_names = names.clone();
            sorted_names.sort();
            let recorded_names: Vec<String> = recorded_params
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            assert_eq!(
                sorted_names, recorded_names,
                "{context}: authorization request parameters {names:?}"
            );

            for constant in ["scope", "response_type", "response_mode", "prompt"] {
                assert_eq!(
                    query_value(&location, constant),
                    json_str(&recorded["auth_request_params"], constant),
                    "{context}: {constant}"
                );
            }
            for echoed in ["client_id", "login_hint", "lti_message_hint"] {
                assert_eq!(
                    query_value(&location, echoed),
                    json_str(form, echoed),
                    "{context}: {echoed} must be echoed unchanged"
                );
            }
            assert_eq!(
                query_value(&location, "redirect_uri"),
                redirect_uri,
                "{context}: redirect_uri is cowork's launch URL"
            );

            let state = query_value(&location, "state");
            let nonce = query_value(&location, "nonce");
            assert!(state.len() >= 22, "{context}: state {state:?} is short");
            assert!(nonce.len() >= 22, "{context}: nonce {nonce:?} is short");
            assert_ne!(state, nonce, "{context}: state and nonce are equal");
            assert_ne!(
                state,
                json_str(&recorded["auth_request_params"], "state"),
                "{context}: state repeats the recorded one"
            );
            assert_ne!(
                nonce,
                json_str(&recorded["auth_request_params"], "nonce"),
                "{context}: nonce repeats the recorded one"
            );

            let again = post_recorded_login(&http, &app.tool_url, request).await;
            assert_ne!(
                query_value(&again, "state"),
                state,
                "{context}: a second login reused the state"
            );
            assert_ne!(
                query_value(&again, "nonce"),
                nonce,
                "{context}: a second login reused the nonce"
            );

            let stored = app
                .state
                .store
                .login_state_by_nonce(&nonce)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{context}: nonce {nonce} not stored"));
            let platform_id = if json_str(form, "client_id") == DYNAMIC_CLIENT_ID {
                dynamic.id
            } else {
                manual.id
            };
            assert_eq!(stored.state, state, "{context}: stored state");
            assert_eq!(
                stored.platform_id, platform_id,
                "{context}: stored registration"
            );
            assert_eq!(
                stored.target_link_uri,
                json_str(form, "target_link_uri"),
                "{context}: stored target_link_uri"
            );
            assert_eq!(stored.used_at, None, "{context}: state already used");
        }
    }
}

#[tokio::test]
async fn moodlebot_get_shows_launch_page() {
    let recorded = load_fixture("moodle-get-tool-url.json");
    let requests = recorded["requests"].as_array().expect("recorded requests");
    assert_eq!(requests.len(), 3, "moodle-get-tool-url.json has three GETs");
    let http = direct_client();

    for backend in backends() {
        let app = spawn(backend).await;
        for (index, request) in requests.iter().enumerate() {
            // The recording tool's launch path was /launch, but cowork's is /lti/launch.
            // The query and headers are replayed as Moodle sent them.
            let query = json_str(request, "raw_query");
            let url = match query {
                "" => format!("{}/lti/launch", app.tool_url),
                query => format!("{}/lti/launch?{query}", app.tool_url),
            };
            let context = format!("{backend:?} request {index} ({url})");
            let response = http
                .get(&url)
                .headers(replayable_headers(request))
                .send()
                .await
                .unwrap();

            assert_eq!(response.status(), 200, "{context}");
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|value| value.to_str().unwrap().to_string())
                .unwrap_or_default();
            assert!(
                content_type.starts_with("text/html"),
                "{context}: content type {content_type:?}"
            );
            let html = response.text().await.unwrap();
            assert!(html.contains("<h1>"), "{context}: page has no heading");
            assert!(
                html.contains("launch address"),
                "{context}: page does not explain the launch address"
            );
            assert!(
                html.contains("open the cowork activity from your course page"),
                "{context}: page does not say what to do"
            );
            assert!(
                !html.contains("Error code"),
                "{context}: an error page was served"
            );
        }
    }
}
