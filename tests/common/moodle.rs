//! A Moodle 4.2 platform double for the grade services: the demo gradebook (which answers
//! as the recordings in `tests/fixtures/` show) behind a fault switch that can take the
//! platform down, slow it, or answer the next requests with a chosen status.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use cowork::app::TokenClock;
use cowork::demo::gradebook::{Column, Gradebook, ToolKeys};
use cowork::lti::jwks::{parse_jwks, StaticKeys};
use cowork::store::grades::NewGrade;
use cowork::store::{DynStore, LaunchRecord, LaunchUser, LoginState, NewPlatform};
use cowork::{keys, random_token, unix_now};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::{spawn_custom, Backend, TestApp};

/// The capture tool's client_id at the recorded Moodle.
pub const RECORDED_CLIENT_ID: &str = "gvotjDE3u2vYZGV";
/// The time of the recorded token exchanges (2026-12-04T15:39:43Z).
pub const RECORDED_NOW: i64 = 1_796_398_783;

/// Faults injected in front of a platform router.
#[derive(Default)]
pub struct Faults {
    /// Makes every request fail with 503, as a proxy in front of a stopped Moodle does.
    pub down: AtomicBool,
    /// Delay before each reply, in milliseconds.
    pub delay_ms: AtomicU64,
    /// Statuses for the next score posts, answered instead of the gradebook.
    pub next_score_statuses: Mutex<VecDeque<u16>>,
    /// Number of requests that reached the gradebook's score endpoint.
    pub score_posts: AtomicU64,
}

impl Faults {
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn fail_next_scores(&self, statuses: &[u16]) {
        self.next_score_statuses
            .lock()
            .unwrap()
            .extend(statuses.iter().copied());
    }
}

async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let delay = faults.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if faults.down.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "text/html")],
            "<html><body>503 Service Unavailable</body></html>",
        )
            .into_response();
    }
    if request.uri().path().ends_with("/scores") {
        faults.score_posts.fetch_add(1, Ordering::SeqCst);
        let injected = faults.next_score_statuses.lock().unwrap().pop_front();
        if let Some(status) = injected {
            return StatusCode::from_u16(status).unwrap().into_response();
        }
    }
    next.run(request).await
}

/// Wraps a platform router with `faults`.
pub fn with_faults(router: Router, faults: Arc<Faults>) -> Router {
    router.layer(middleware::from_fn_with_state(faults, inject))
}

/// A gradebook double served on 127.0.0.1, stopped when dropped.
pub struct MoodleDouble {
    pub url: String,
    pub book: Arc<Gradebook>,
    pub faults: Arc<Faults>,
    stop: watch::Sender<bool>,
}

impl Drop for MoodleDouble {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl MoodleDouble {
    /// Starts a double on a fresh port, with `setup` applied to its gradebook first.
    pub async fn start(
        client_id: &str,
        type_id: u64,
        keys: ToolKeys,
        setup: impl FnOnce(&Gradebook),
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let book = Arc::new(Gradebook::new(&url, client_id, type_id, keys));
        setup(&book);
        let faults = Arc::new(Faults::default());
        let router = with_faults(cowork::demo::services::router(book.clone()), faults.clone());
        let (stop, mut stopped) = watch::channel(false);
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.changed().await;
                })
                .await
        });
        Self {
            url,
            book,
            faults,
            stop,
        }
    }

    /// Rewrites a recorded Moodle URL to this double.
    pub fn local(&self, recorded_url: &str) -> String {
        recorded_url.replace("http://127.0.0.1:8080", &self.url)
    }
}

/// Reads a recorded exchange from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"));
    serde_json::from_str(&text).unwrap()
}

/// The recorded capture tool's public key, which signed the recorded client assertions.
pub fn recorded_tool_key() -> ToolKeys {
    let key = fixture("tool-test-key.json");
    let jwk: cowork::keys::Jwk = match &key["public_jwk"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => serde_json::from_value(other.clone()).unwrap(),
    };
    ToolKeys::Fixed(vec![jwk])
}

/// Sends a recorded request to the double, with its method, headers and body.
pub async fn replay(double: &MoodleDouble, exchange: &Value) -> reqwest::Response {
    let request = &exchange["request"];
    let method: reqwest::Method = request["method"].as_str().unwrap().parse().unwrap();
    let url = double.local(request["url"].as_str().unwrap());
    let mut builder = reqwest::Client::new().request(method, url);
    for name in ["Accept", "Content-Type", "Authorization"] {
        if let Some(value) = request["headers"][name].as_str() {
            builder = builder.header(name, value);
        }
    }
    if let Some(body) = request["body"].as_str() {
        builder = builder.body(body.to_string());
    }
    builder.send().await.unwrap()
}

/// The registration of the manually configured tool on the recorded Moodle 4.2 site.
pub const MOODLE_ISSUER: &str = "http://127.0.0.1:8080";
pub const MOODLE_DEPLOYMENT_ID: &str = "2";
/// The dynamically registered tool on the same site, and its deployment.
pub const RECORDED_DYNAMIC_CLIENT_ID: &str = "ABwKXtU9WDxlUeh";
pub const MOODLE_DYNAMIC_DEPLOYMENT_ID: &str = "1";

/// A launch as the recorded Moodle posted it: the id_token, the state it came with, and
/// the name it carries.
pub struct RecordedLaunch {
    pub id_token: String,
    pub state: String,
    pub name: String,
}

/// Builds the registration of the recorded Moodle site for one of its tools.
fn recorded_registration(client_id: &str, deployment: &str, auth_url: String) -> NewPlatform {
    NewPlatform {
        issuer: MOODLE_ISSUER.into(),
        client_id: client_id.into(),
        auth_url,
        token_url: format!("{MOODLE_ISSUER}/mod/lti/token.php"),
        jwks_url: format!("{MOODLE_ISSUER}/mod/lti/certs.php"),
        deployments: vec![deployment.into()],
    }
}

/// Starts cowork with Moodle's recorded keys, the token clock at `clock`, the manual and
/// the dynamic registration, and the login states the recorded launches belong to.
pub async fn spawn_recorded_moodle(
    backend: Backend,
    fixtures: &[&str],
    clock: i64,
) -> (TestApp, Vec<RecordedLaunch>) {
    let jwks = fixture("jwks.json");
    let body = jwks["response"]["body"]
        .as_str()
        .expect("recorded JWKS body");
    let keys = StaticKeys(parse_jwks(body.as_bytes()).expect("recorded JWKS parses"));
    let app = spawn_custom(
        backend,
        |_| {},
        |state| {
            state.platform_keys = std::sync::Arc::new(keys);
            state.token_clock = TokenClock::Fixed(clock);
        },
    )
    .await;
    let now = cowork::unix_now();
    let mut platforms = Vec::new();
    for (client_id, deployment) in [
        (RECORDED_CLIENT_ID, MOODLE_DEPLOYMENT_ID),
        (RECORDED_DYNAMIC_CLIENT_ID, MOODLE_DYNAMIC_DEPLOYMENT_ID),
    ] {
        let auth_url = format!("{MOODLE_ISSUER}/mod/lti/auth.php");
        let registration = recorded_registration(client_id, deployment, auth_url);
        let platform = app
            .state
            .store
            .upsert_platform(&registration, now)
            .await
            .unwrap();
        platforms.push(platform);
    }

    let mut launches = Vec::new();
    for name in fixtures {
        let recorded = fixture(name);
        let payload = &recorded["payload"];
        let text = |value: &Value| value.as_str().expect("recorded text").to_string();
        let login = LoginState {
            state: text(&recorded["launch_request"]["state"]),
            nonce: text(&payload["nonce"]),
            platform_id: platforms
                .iter()
                .find(|platform| payload["aud"] == platform.client_id.as_str())
                .expect("a registration for the token's audience")
                .id,
            target_link_uri: text(
                &payload["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"],
            ),
            created_at: now,
            expires_at: now + 600,
            used_at: None,
        };
        app.state
            .store
            .insert_login_state(&login, i64::MAX)
            .await
            .unwrap();
        launches.push(RecordedLaunch {
            id_token: text(&recorded["raw"]),
            state: login.state,
            name: text(&payload["name"]),
        });
    }
    (app, launches)
}

/// Serves a blank page as the recorded registrations' authorization endpoint and points
/// both registrations at it, so a browser test can post a recorded launch from the page
/// that Moodle's auto-submitting form comes from. Returns the page's URL.
pub async fn serve_recorded_auth_page(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_url = format!("http://{}/mod/lti/auth.php", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/mod/lti/auth.php",
        axum::routing::get(|| async {
            axum::response::Html("<!doctype html><title>auth</title><body></body>")
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    for (client_id, deployment) in [
        (RECORDED_CLIENT_ID, MOODLE_DEPLOYMENT_ID),
        (RECORDED_DYNAMIC_CLIENT_ID, MOODLE_DYNAMIC_DEPLOYMENT_ID),
    ] {
        let registration = recorded_registration(client_id, deployment, page_url.clone());
        app.state
            .store
            .upsert_platform(&registration, cowork::unix_now())
            .await
            .unwrap();
    }
    page_url
}

/// A course of the Moodle double with a "Coworking" grade column and students `s1` to
/// `sN`, registered in a store, each student launched once.
pub struct GradedCourse {
    pub double: MoodleDouble,
    pub space_id: i64,
    pub platform_id: i64,
    /// The grade column's line item URL.
    pub line_item: String,
}

impl GradedCourse {
    /// Starts the double, trusting the store's tool keys, and records the launches.
    pub async fn start(store: &DynStore, students: usize) -> Self {
        keys::ensure_signing_key(store.as_ref(), &keys::KeyVault::unsealed(), unix_now())
            .await
            .unwrap();
        let jwks =
            keys::published_jwks(store.as_ref(), &keys::KeyVault::unsealed(), unix_now(), 60)
                .await
                .unwrap();
        let double =
            MoodleDouble::start(RECORDED_CLIENT_ID, 2, ToolKeys::Fixed(jwks.keys), |book| {
                book.put_column(Column {
                    id: 2,
                    label: "Coworking".into(),
                    score_maximum: 100.0,
                    resource_id: None,
                    tag: None,
                    resource_link_id: Some("1".into()),
                });
                for index in 1..=students {
                    book.enroll(&format!("s{index}"));
                }
            })
            .await;
        let platform = store
            .upsert_platform(
                &NewPlatform {
                    issuer: double.url.clone(),
                    client_id: RECORDED_CLIENT_ID.into(),
                    auth_url: format!("{}/auth", double.url),
                    token_url: double.book.token_url(),
                    jwks_url: format!("{}/jwks", double.url),
                    deployments: vec!["2".into()],
                },
                unix_now(),
            )
            .await
            .unwrap();
        let mut space_id = 0;
        for index in 1..=students {
            let launch = student_launch(&double.url, &format!("s{index}"));
            space_id = store.record_launch(&launch, unix_now()).await.unwrap();
        }
        let line_item = format!(
            "{}/mod/lti/services.php/2/lineitems/2/lineitem?type_id=2",
            double.url
        );
        Self {
            double,
            space_id,
            platform_id: platform.id,
            line_item,
        }
    }

    /// Queues one grade per student (0 to 90 in steps of ten) and returns them.
    pub async fn enqueue_grades(&self, store: &DynStore) -> Vec<NewGrade> {
        let grades: Vec<NewGrade> = store
            .graded_members(self.space_id)
            .await
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(index, member)| NewGrade {
                user_id: member.user_id,
                user_subject: member.subject,
                points: index as f64,
                score_given: 10.0 * (index % 10) as f64,
                score_maximum: 100.0,
            })
            .collect();
        store
            .enqueue_grades(
                self.space_id,
                self.platform_id,
                &self.line_item,
                &grades,
                unix_now(),
            )
            .await
            .unwrap();
        grades
    }

    /// Asserts that the gradebook accepted each grade exactly once, with its score.
    pub fn assert_each_accepted_once(&self, grades: &[NewGrade]) {
        let accepted = self.double.book.accepted();
        assert_eq!(
            accepted.len(),
            grades.len(),
            "each score accepted once: {accepted:?}"
        );
        for grade in grades {
            let stored: Vec<_> = accepted
                .iter()
                .filter(|a| a.user_id == grade.user_subject)
                .collect();
            assert_eq!(stored.len(), 1, "{}", grade.user_subject);
            assert_eq!(stored[0].score_given, grade.score_given);
        }
    }
}

/// Builds a student's launch of the recorded course's "Coworking" link.
pub fn student_launch(issuer: &str, subject: &str) -> LaunchRecord {
    LaunchRecord {
        issuer: issuer.into(),
        deployment_id: "2".into(),
        context_id: "2".into(),
        context_title: Some("LTI101".into()),
        context_label: None,
        resource_link_id: "1".into(),
        resource_link_title: Some("Coworking".into()),
        space_id: None,
        user: Some(LaunchUser {
            subject: subject.into(),
            name: Some(format!("Student {subject}")),
            given_name: None,
            family_name: None,
        }),
        role: "student".into(),
        session_id: random_token(16),
        locale: None,
        return_url: None,
        document_target: None,
        platform_origin: issuer.into(),
        session_expires_at: unix_now() + 3600,
    }
}
