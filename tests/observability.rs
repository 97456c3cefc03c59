//! Readiness and Prometheus metrics over real HTTP, on every configured backend.
//!
//! Metrics are process-wide and the tests of this file run in parallel, so each check of
//! a counter compares it with the value read before the action, and expects at least
//! the increase the action causes.

mod common;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{backends, choice, open_room, spawn, spawn_custom, spawn_with, token_of, TestApp};
use cowork::store::grades::NewGrade;
use cowork::store::{DynStore, PostgresStore};
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

async fn spawn_with_metrics(backend: common::Backend) -> TestApp {
    spawn_with(backend, |config| {
        config.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
        // A grade that fails once waits an hour, so it stays in the outbox.
        config.grade_retry_base_secs = 3600;
    })
    .await
}

/// Fetches the metrics text from the app's metrics listener.
async fn scrape(app: &TestApp) -> String {
    let url = format!("{}/metrics", app.metrics_url.as_ref().unwrap());
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200, "GET {url}");
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain"),
        "content type {content_type}"
    );
    response.text().await.unwrap()
}

/// Returns the value of the first sample of `name` whose labels include every pair of
/// `labels`, or 0 when there is none.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let (label_text, value) = match rest.strip_prefix('{') {
            Some(labelled) => match labelled.split_once("} ") {
                Some(split) => split,
                None => continue,
            },
            None => match rest.strip_prefix(' ') {
                Some(value) => ("", value),
                None => continue,
            },
        };
        let matches = labels
            .iter()
            .all(|(key, wanted)| label_text.contains(&format!("{key}=\"{wanted}\"")));
        if matches {
            return value.trim().parse().unwrap();
        }
    }
    0.0
}

/// Polls the metrics every 100 ms for up to `secs` seconds until `check` holds.
async fn scrape_until(app: &TestApp, secs: u64, what: &str, check: impl Fn(&str) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let text = scrape(app).await;
        if check(&text) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what} in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn readyz_reports_database_state() {
    for backend in backends() {
        let app = spawn(backend).await;
        let url = format!("{}/readyz", app.tool_url);
        let (status, body) = get_json(&url).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert_eq!(body["status"], "ready", "{backend:?}: {body}");

        // The pool refuses new queries as soon as closing starts. Closing then waits for
        // connections in use, and the chat listener on PostgreSQL may keep one.
        let _ = tokio::time::timeout(Duration::from_secs(2), app.state.store.close()).await;
        let (status, body) = get_json(&url).await;
        assert_eq!(status, 503, "{backend:?}: {body}");
        assert_eq!(body["status"], "unavailable", "{backend:?}: {body}");
        assert_eq!(body["error"], "database_unavailable", "{backend:?}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("SELECT 1"),
            "{backend:?}: {body}"
        );
        assert!(
            body["hint"].as_str().unwrap().contains("database_url"),
            "{backend:?}: {body}"
        );

        let health = reqwest::get(format!("{}/healthz", app.tool_url))
            .await
            .unwrap();
        assert_eq!(health.status(), 200, "{backend:?}: liveness stays up");
    }
}

/// Copies bytes from `from` to `to`, holding them while `frozen` is set.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, frozen: Arc<AtomicBool>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let count = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        while frozen.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if to.write_all(&buffer[..count]).await.is_err() {
            return;
        }
    }
}

/// Starts a TCP proxy on 127.0.0.1 in front of `target`. While the returned flag is
/// set, the proxy keeps its connections open but forwards nothing, as a stalled
/// database server does.
async fn freezable_proxy(target: SocketAddr) -> (SocketAddr, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let frozen = Arc::new(AtomicBool::new(false));
    let flag = frozen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(target).await else {
                continue;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pump(client_read, server_write, flag.clone()));
            tokio::spawn(pump(server_read, client_write, flag.clone()));
        }
    });
    (address, frozen)
}

#[tokio::test]
async fn readyz_times_out_on_stalled_postgres() {
    let Ok(url) = std::env::var(common::POSTGRES_ENV) else {
        return;
    };
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(
        parsed.host_str(),
        Some("127.0.0.1"),
        "the test database must be on 127.0.0.1"
    );
    let target = SocketAddr::from(([127, 0, 0, 1], parsed.port().unwrap_or(5432)));
    let (proxy, frozen) = freezable_proxy(target).await;

    let schema = format!(
        "test_ready_{}",
        cowork::random_token(6).to_lowercase().replace('-', "_")
    );
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .host("127.0.0.1")
        .port(proxy.port())
        .options([("search_path", schema.as_str())]);
    let proxied: DynStore = Arc::new(PostgresStore::connect_with(options).await.unwrap());
    let app = spawn_custom(common::Backend::Postgres, |_| {}, {
        let proxied = proxied.clone();
        move |state| state.store = proxied
    })
    .await;
    let readyz = format!("{}/readyz", app.tool_url);

    let (status, body) = get_json(&readyz).await;
    assert_eq!(status, 200, "{body}");

    frozen.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let (status, body) = get_json(&readyz).await;
    let waited = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("within 2 seconds"),
        "{body}"
    );
    assert!(
        waited >= Duration::from_secs(2),
        "answered after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");

    frozen.store(false, Ordering::SeqCst);
    drop(app);
    let _ = tokio::time::timeout(Duration::from_secs(5), proxied.close()).await;
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
}

#[tokio::test]
async fn metrics_only_on_metrics_listener() {
    let backend = backends()[0];
    let plain = spawn(backend).await;
    assert!(plain.metrics_url.is_none());

    let app = spawn_with_metrics(backend).await;
    let main = app
        .http
        .get(format!("{}/metrics", app.tool_url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        main.status(),
        404,
        "the main listener must not serve metrics"
    );
    let metrics_url = app.metrics_url.as_ref().unwrap();
    assert_ne!(metrics_url, &app.tool_url);
    let text = scrape(&app).await;
    assert!(
        text.contains("# TYPE cowork_grade_outbox_pending gauge"),
        "{text}"
    );
}

#[tokio::test]
async fn launch_metrics_count_outcomes() {
    for backend in backends() {
        let app = spawn_with_metrics(backend).await;
        let before = scrape(&app).await;
        let completed = [("message_type", "LtiResourceLinkRequest")];
        let replayed = [("stage", "launch"), ("reason", "state_replayed")];
        let forged = [("stage", "launch"), ("reason", "signature")];
        let login_missing = [("stage", "login"), ("reason", "missing_parameter")];
        let jwks_success = [("outcome", "success")];
        let launches_before = sample(&before, "cowork_launches_completed_total", &completed);
        let replayed_before = sample(&before, "cowork_launches_rejected_total", &replayed);
        let forged_before = sample(&before, "cowork_launches_rejected_total", &forged);
        let login_before = sample(&before, "cowork_launches_rejected_total", &login_missing);

        // An accepted launch, then the same id_token and state again.
        let login = app.login(choice("demo-teacher-1", "instructor")).await;
        let (id_token, state) = app.authorize(&login).await;
        let accepted = app.post_launch(&id_token, &state).await;
        let teacher = app.launched(accepted);
        let replay = app.post_launch(&id_token, &state).await;
        assert_eq!(replay.status(), 401, "{backend:?}: replay");

        // An id_token whose signature no longer matches its payload.
        let login = app.login(choice("demo-student-1", "learner")).await;
        let (id_token, state) = app.authorize(&login).await;
        let mut parts: Vec<String> = id_token.split('.').map(str::to_string).collect();
        let flipped = if parts[2].starts_with('A') { "B" } else { "A" };
        parts[2].replace_range(0..1, flipped);
        let forged_response = app.post_launch(&parts.join("."), &state).await;
        assert_eq!(forged_response.status(), 401, "{backend:?}: forged token");

        // A login initiation without its parameters.
        let login_response = app
            .http
            .post(format!("{}/lti/login", app.tool_url))
            .header("accept", "application/json")
            .form(&[("iss", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(login_response.status(), 401, "{backend:?}: empty login");

        let dashboard = app
            .http
            .get(format!(
                "{}/spaces/{}/dashboard?lt={}",
                app.tool_url,
                teacher.space_id,
                token_of(&teacher)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(dashboard.status(), 200, "{backend:?}: dashboard");

        let after = scrape(&app).await;
        let context = format!("{backend:?}:\n{after}");
        assert!(
            sample(&after, "cowork_launches_completed_total", &completed) >= launches_before + 1.0,
            "{context}"
        );
        assert!(
            sample(&after, "cowork_launches_rejected_total", &replayed) >= replayed_before + 1.0,
            "{context}"
        );
        assert!(
            sample(&after, "cowork_launches_rejected_total", &forged) >= forged_before + 1.0,
            "{context}"
        );
        assert!(
            sample(&after, "cowork_launches_rejected_total", &login_missing) >= login_before + 1.0,
            "{context}"
        );
        assert!(
            sample(&after, "cowork_platform_jwks_fetches_total", &jwks_success) >= 1.0,
            "{context}"
        );

        let dashboard_route = [
            ("route", "/spaces/{space_id}/dashboard"),
            ("method", "GET"),
            ("status", "2xx"),
        ];
        assert!(
            sample(
                &after,
                "cowork_http_request_duration_seconds_count",
                &dashboard_route
            ) >= 1.0,
            "{context}"
        );
        let launch_route = [("route", "/lti/launch"), ("status", "4xx")];
        assert!(
            sample(
                &after,
                "cowork_http_request_duration_seconds_count",
                &launch_route
            ) >= 2.0,
            "{context}"
        );
        let raw_path = format!("/spaces/{}/", teacher.space_id);
        assert!(
            !after.contains(&format!("route=\"{raw_path}")),
            "{backend:?}: a raw path became a route label"
        );
        assert!(
            !after.contains("lt="),
            "{backend:?}: a query became a label"
        );
    }
}

#[tokio::test]
async fn chat_metrics_count_sockets_and_messages() {
    for backend in backends() {
        let app = spawn_with_metrics(backend).await;
        let before = scrape(&app).await;
        let posted_before = sample(&before, "cowork_chat_messages_posted_total", &[]);

        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (mut socket, hello) = app.socket(&student).await;
        let room_id = open_room(&hello);
        socket.join(room_id).await;
        socket
            .send(json!({"type": "send", "room_id": room_id, "body": "hello metrics"}))
            .await;
        socket.next_of("ack").await;

        let open = scrape(&app).await;
        assert!(
            sample(&open, "cowork_websocket_connections", &[]) >= 1.0,
            "{backend:?}:\n{open}"
        );
        assert!(
            sample(&open, "cowork_chat_messages_posted_total", &[]) >= posted_before + 1.0,
            "{backend:?}:\n{open}"
        );
        socket.close().await;
    }
}

#[tokio::test]
async fn outbox_gauges_follow_queued_grade() {
    for backend in backends() {
        let app = spawn_with_metrics(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        app.launch(choice("demo-student-1", "learner")).await;
        let store = &app.state.store;
        let member = store
            .graded_members(teacher.space_id)
            .await
            .unwrap()
            .remove(0);
        let platform_id = store.platforms().await.unwrap()[0].id;

        // The platform replies 503, so the grade stays queued for the retry an hour later.
        app.faults.set_down(true);
        let grade = NewGrade {
            user_id: member.user_id,
            user_subject: member.subject.clone(),
            points: 5.0,
            score_given: 5.0,
            score_maximum: 10.0,
        };
        let queued_at = cowork::unix_now() - 120;
        let lineitem = format!("{}/lineitems/1/lineitem", app.platform_url);
        store
            .enqueue_grades(
                teacher.space_id,
                platform_id,
                &lineitem,
                &[grade],
                queued_at,
            )
            .await
            .unwrap();

        let text = scrape(&app).await;
        assert_eq!(
            sample(&text, "cowork_grade_outbox_pending", &[]),
            1.0,
            "{backend:?}:\n{text}"
        );
        let age = sample(&text, "cowork_grade_outbox_oldest_pending_age_seconds", &[]);
        assert!((120.0..600.0).contains(&age), "{backend:?}: age {age}");

        // The worker's token request meets the 503 and is counted as rejected.
        scrape_until(&app, 15, "a rejected token fetch", |text| {
            sample(
                text,
                "cowork_platform_token_fetches_total",
                &[("outcome", "rejected")],
            ) >= 1.0
        })
        .await;
        let rows = store.outbox(teacher.space_id, 10).await.unwrap();
        assert_eq!(rows[0].status, "pending", "{backend:?}: {rows:?}");
        let text = scrape(&app).await;
        assert_eq!(
            sample(&text, "cowork_grade_outbox_pending", &[]),
            1.0,
            "{backend:?}: a rescheduled grade is still undelivered"
        );
    }
}
