//! Dynamic registration against a double of Moodle 4.2 that serves the recorded OpenID
//! configuration and replies to the client registration as the recorded Moodle did.

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use common::{backends, spawn, spawn_with, Backend, TestApp};
use cowork::web::register::invite_digest;
use serde_json::Value;
use tokio::net::TcpListener;

const RECORDED_BASE: &str = "http://127.0.0.1:8080";
const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";
const PLATFORM_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-platform-configuration";

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn recorded_token() -> String {
    fixture("registration-initiation.json")["request_from_browser"]["query"]["registration_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What the double serves and what it received.
#[derive(Default)]
struct Recorded {
    configuration_fetches: usize,
    registrations: Vec<(String, Value)>,
}

#[derive(Clone)]
struct Double {
    configuration: Value,
    recorded: Arc<Mutex<Recorded>>,
}

struct MoodleDouble {
    base: String,
    recorded: Arc<Mutex<Recorded>>,
}

impl MoodleDouble {
    fn configuration_url(&self) -> String {
        format!("{}/mod/lti/openid-configuration.php", self.base)
    }

    fn fetches(&self) -> usize {
        self.recorded.lock().unwrap().configuration_fetches
    }

    fn registrations(&self) -> Vec<(String, Value)> {
        self.recorded.lock().unwrap().registrations.clone()
    }
}

/// Starts the double; `edit` may change the configuration after its URLs point at the
/// double.
async fn moodle_double(edit: impl FnOnce(&mut Value)) -> MoodleDouble {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let recorded_body = fixture("registration-openid-configuration-fetch.json")["response"]["body"]
        .as_str()
        .unwrap()
        .replace(RECORDED_BASE, &base);
    let mut configuration: Value = serde_json::from_str(&recorded_body).unwrap();
    edit(&mut configuration);
    let recorded = Arc::new(Mutex::new(Recorded::default()));
    let double = Double {
        configuration,
        recorded: recorded.clone(),
    };
    let router = Router::new()
        .route(
            "/mod/lti/openid-configuration.php",
            get(serve_configuration),
        )
        .route(
            "/mod/lti/openid-registration.php",
            post(accept_registration),
        )
        .with_state(double);
    tokio::spawn(async move { axum::serve(listener, router).await });
    MoodleDouble { base, recorded }
}

async fn serve_configuration(State(double): State<Double>) -> Json<Value> {
    double.recorded.lock().unwrap().configuration_fetches += 1;
    Json(double.configuration.clone())
}

/// Checks the registration request as Moodle 4.2 needs it and replies with the recorded
/// response, whose echoed tool values are those of the request.
async fn accept_registration(
    State(double): State<Double>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    double
        .recorded
        .lock()
        .unwrap()
        .registrations
        .push((authorization.clone(), body.clone()));
    if authorization != format!("Bearer {}", recorded_token()) {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let tool = &body[TOOL_CONFIGURATION];
    let shaped = body["redirect_uris"].is_array()
        && body["initiate_login_uri"].is_string()
        && body["jwks_uri"].is_string()
        && body["scope"].is_string()
        && tool["domain"].is_string()
        && tool["target_link_uri"].is_string()
        && tool["messages"].is_array()
        && tool["claims"].is_array();
    if !shaped {
        return (StatusCode::BAD_REQUEST, "Bad request").into_response();
    }
    let mut answer = fixture("registration-response.json")["response"]["json"].clone();
    for key in [
        "jwks_uri",
        "initiate_login_uri",
        "redirect_uris",
        "client_name",
    ] {
        answer[key] = body[key].clone();
    }
    answer[TOOL_CONFIGURATION]["domain"] = tool["domain"].clone();
    answer[TOOL_CONFIGURATION]["target_link_uri"] = tool["target_link_uri"].clone();
    Json(answer).into_response()
}

async fn create_invite(app: &TestApp, token: &str, expires_in: i64) {
    let now = cowork::unix_now();
    app.state
        .store
        .insert_invite(&invite_digest(token), now, now + expires_in)
        .await
        .unwrap();
}

async fn open_registration(app: &TestApp, path: &str, double: &MoodleDouble) -> (u16, String) {
    let response = app
        .http
        .get(format!("{}{path}", app.tool_url))
        .query(&[
            ("openid_configuration", double.configuration_url()),
            ("registration_token", recorded_token()),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Moodle shows registration in a frame of its administration page, so the result page
/// may be framed by the origin of the platform's configuration URL and no other.
#[tokio::test]
async fn registration_page_framed_by_platform() {
    let app = spawn(Backend::Sqlite).await;
    let double = moodle_double(|_| {}).await;
    create_invite(&app, "invite-frame", 3600).await;
    let response = app
        .http
        .get(format!("{}/lti/register/invite-frame", app.tool_url))
        .query(&[
            ("openid_configuration", double.configuration_url()),
            ("registration_token", recorded_token()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.ends_with(&format!("frame-ancestors {}", double.base)),
        "{policy}"
    );
    assert!(policy.contains("script-src 'self';"), "{policy}");
}

#[tokio::test]
async fn invited_registration_stores_platform() {
    for backend in backends() {
        let app = spawn(backend).await;
        let double = moodle_double(|_| {}).await;
        create_invite(&app, "invite-one", 3600).await;

        let (status, page) = open_registration(&app, "/lti/register/invite-one", &double).await;
        assert_eq!(status, 200, "{backend:?}: {page}");
        assert!(
            page.contains("<script src=\"/assets/registered.js\"></script>"),
            "{page}"
        );
        let script = app
            .http
            .get(format!("{}/assets/registered.js", app.tool_url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            script.contains(r#"postMessage({ subject: "org.imsglobal.lti.close" }, "*")"#),
            "{script}"
        );
        assert!(page.contains("ABwKXtU9WDxlUeh"), "{page}");

        let stored = app
            .state
            .store
            .platform(&double.base, "ABwKXtU9WDxlUeh")
            .await
            .unwrap()
            .expect("registration stored");
        assert_eq!(stored.deployments, vec!["1".to_string()]);
        assert_eq!(stored.auth_url, format!("{}/mod/lti/auth.php", double.base));
        assert_eq!(
            stored.token_url,
            format!("{}/mod/lti/token.php", double.base)
        );
        assert_eq!(
            stored.jwks_url,
            format!("{}/mod/lti/certs.php", double.base)
        );

        // The invitation that produced it does not block removing the registration.
        let removed = app
            .state
            .store
            .remove_platform(&double.base, "ABwKXtU9WDxlUeh")
            .await
            .unwrap();
        assert!(removed, "{backend:?}");
    }
}

#[tokio::test]
async fn registration_request_has_tool_configuration() {
    let app = spawn(Backend::Sqlite).await;
    let double = moodle_double(|_| {}).await;
    create_invite(&app, "invite-shape", 3600).await;
    let (status, _) = open_registration(&app, "/lti/register/invite-shape", &double).await;
    assert_eq!(status, 200);

    let registrations = double.registrations();
    assert_eq!(registrations.len(), 1);
    let (authorization, body) = &registrations[0];
    assert_eq!(authorization, &format!("Bearer {}", recorded_token()));
    let tool = &app.tool_url;
    assert_eq!(body["initiate_login_uri"], format!("{tool}/lti/login"));
    assert_eq!(body["redirect_uris"][0], format!("{tool}/lti/launch"));
    assert_eq!(body["jwks_uri"], format!("{tool}/.well-known/jwks.json"));
    assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt");
    let scope = body["scope"].as_str().unwrap();
    for expected in [
        "lti-ags/scope/lineitem",
        "lti-ags/scope/lineitem.readonly",
        "lti-ags/scope/result.readonly",
        "lti-ags/scope/score",
        "lti-nrps/scope/contextmembership.readonly",
    ] {
        let full = format!("https://purl.imsglobal.org/spec/{expected}");
        assert!(scope.split(' ').any(|s| s == full), "scope lacks {full}");
    }
    let configuration = &body[TOOL_CONFIGURATION];
    assert_eq!(configuration["domain"], tool.trim_start_matches("http://"));
    assert_eq!(
        configuration["target_link_uri"],
        format!("{tool}/lti/launch")
    );
    let types: Vec<&str> = configuration["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);
    let claims = configuration["claims"].as_array().unwrap();
    assert!(claims.contains(&Value::from("sub")));
    assert!(!claims.contains(&Value::from("email")));
    assert!(configuration["custom_parameters"].is_object());
}

#[tokio::test]
async fn registration_without_invite_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let double = moodle_double(|_| {}).await;
        let (status, page) = open_registration(&app, "/lti/register", &double).await;
        assert_eq!(status, 403, "{backend:?}");
        assert!(page.contains("invitation"), "{page}");
        assert!(page.contains("cowork platform invite"), "{page}");
        assert_eq!(
            double.fetches(),
            0,
            "nothing is fetched without an invitation"
        );
        assert!(app
            .state
            .store
            .platforms_for_issuer(&double.base)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn allowed_host_registers_without_invite() {
    let app = spawn_with(Backend::Sqlite, |config| {
        config.registration_allowed_hosts = vec!["127.0.0.1".into()];
    })
    .await;
    let double = moodle_double(|_| {}).await;
    let (status, page) = open_registration(&app, "/lti/register", &double).await;
    assert_eq!(status, 200, "{page}");
    let stored = app
        .state
        .store
        .platforms_for_issuer(&double.base)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn invite_used_twice_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let double = moodle_double(|_| {}).await;
        create_invite(&app, "invite-twice", 3600).await;
        let (first, _) = open_registration(&app, "/lti/register/invite-twice", &double).await;
        assert_eq!(first, 200);
        let (second, page) = open_registration(&app, "/lti/register/invite-twice", &double).await;
        assert_eq!(second, 403, "{backend:?}");
        assert!(page.contains("already used"), "{page}");
        assert_eq!(double.registrations().len(), 1);
    }
}

#[tokio::test]
async fn expired_or_unknown_invite_rejected() {
    let app = spawn(Backend::Sqlite).await;
    let double = moodle_double(|_| {}).await;
    create_invite(&app, "invite-old", -1).await;
    let (status, page) = open_registration(&app, "/lti/register/invite-old", &double).await;
    assert_eq!(status, 403);
    assert!(page.contains("expired"), "{page}");
    let (status, page) = open_registration(&app, "/lti/register/never-issued", &double).await;
    assert_eq!(status, 403);
    assert!(page.contains("not one that cowork issued"), "{page}");
    assert_eq!(double.fetches(), 0);
}

#[tokio::test]
async fn issuer_host_mismatch_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let double = moodle_double(|configuration| {
            configuration["issuer"] = "http://moodle.example.invalid".into();
        })
        .await;
        create_invite(&app, "invite-mismatch", 3600).await;
        let (status, page) =
            open_registration(&app, "/lti/register/invite-mismatch", &double).await;
        assert_eq!(status, 502, "{backend:?}");
        assert!(page.contains("on another host"), "{page}");
        assert!(
            double.registrations().is_empty(),
            "no registration is posted"
        );

        // A failed registration leaves the invitation usable.
        let good = moodle_double(|_| {}).await;
        let (status, page) = open_registration(&app, "/lti/register/invite-mismatch", &good).await;
        assert_eq!(status, 200, "{page}");
    }
}

#[tokio::test]
async fn configuration_without_lti_object_rejected() {
    let app = spawn(Backend::Sqlite).await;
    let double = moodle_double(|configuration| {
        configuration
            .as_object_mut()
            .unwrap()
            .remove(PLATFORM_CONFIGURATION);
    })
    .await;
    create_invite(&app, "invite-plain", 3600).await;
    let (status, page) = open_registration(&app, "/lti/register/invite-plain", &double).await;
    assert_eq!(status, 502);
    assert!(page.contains("lti-platform-configuration"), "{page}");
    assert!(double.registrations().is_empty());
}

#[tokio::test]
async fn platform_rejection_reported() {
    let app = spawn(Backend::Sqlite).await;
    let double = moodle_double(|_| {}).await;
    create_invite(&app, "invite-token", 3600).await;
    let response = app
        .http
        .get(format!("{}/lti/register/invite-token", app.tool_url))
        .query(&[
            ("openid_configuration", double.configuration_url()),
            ("registration_token", "not-the-platform-token".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let page = response.text().await.unwrap();
    assert!(page.contains("401"), "{page}");
    assert!(app
        .state
        .store
        .platforms_for_issuer(&double.base)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn missing_parameters_explained() {
    let app = spawn(Backend::Sqlite).await;
    let response = app
        .http
        .get(format!("{}/lti/register/some-invite", app.tool_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("openid_configuration"), "{page}");
}

#[tokio::test]
async fn private_platform_rejected_by_policy() {
    let app = spawn_with(Backend::Sqlite, |config| {
        config.allow_private_addresses = false;
    })
    .await;
    let double = moodle_double(|_| {}).await;
    create_invite(&app, "invite-private", 3600).await;
    let (status, page) = open_registration(&app, "/lti/register/invite-private", &double).await;
    assert_eq!(status, 502);
    assert!(page.contains("private or local address"), "{page}");
    assert_eq!(double.fetches(), 0);
}
