//! Rate limits per platform registration (logins, launches) and per person (writes),
//! and the bound on stored login states, on every configured backend.

mod common;

use std::sync::Arc;

use common::{backends, choice, open_room, spawn_custom, spawn_with, token_of, Launched, TestApp};
use cowork::rate_limit::{RateLimiter, RateLimits};
use cowork::store::NewPlatform;
use serde_json::{json, Value};

/// Builds a second registration, whose logins count separately.
fn other_platform() -> NewPlatform {
    NewPlatform {
        issuer: "https://moodle.other.example".into(),
        client_id: "other-client".into(),
        auth_url: "https://moodle.other.example/mod/lti/auth.php".into(),
        token_url: "https://moodle.other.example/mod/lti/token.php".into(),
        jwks_url: "https://moodle.other.example/mod/lti/certs.php".into(),
        deployments: vec!["1".into()],
    }
}

/// Posts a login initiation for `params` and returns the response.
async fn post_login(app: &TestApp, params: &[(String, String)], accept: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/lti/login", app.tool_url))
        .header("accept", accept)
        .form(params)
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds")
}

#[tokio::test]
async fn logins_limited_per_registration() {
    for backend in backends() {
        let app = spawn_with(backend, |config| config.login_rate_per_minute = 5).await;
        app.state
            .store
            .upsert_platform(&other_platform(), cowork::unix_now())
            .await
            .unwrap();
        for attempt in 0..5 {
            let params = app
                .platform
                .login_initiation(choice("demo-student-1", "learner"));
            let response = post_login(&app, &params, "application/json").await;
            assert_eq!(response.status(), 302, "{backend:?}: login {attempt}");
        }

        let params = app
            .platform
            .login_initiation(choice("demo-student-1", "learner"));
        let limited = post_login(&app, &params, "application/json").await;
        assert_eq!(limited.status(), 429, "{backend:?}");
        let wait = retry_after(&limited);
        assert!((1..=60).contains(&wait), "{backend:?}: Retry-After {wait}");
        let body: Value = limited.json().await.unwrap();
        assert_eq!(body["error"], "rate_limited", "{backend:?}");
        assert_eq!(body["retry_after_secs"], wait, "{backend:?}");

        let page = post_login(&app, &params, "text/html").await;
        assert_eq!(page.status(), 429, "{backend:?}");
        assert!(page.headers().contains_key("retry-after"), "{backend:?}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Too many logins from this platform"),
            "{html}"
        );

        // Another registration of the same campus keeps its own budget.
        let other = other_platform();
        let params = vec![
            ("iss".to_string(), other.issuer.clone()),
            ("login_hint".to_string(), "someone".to_string()),
            (
                "target_link_uri".to_string(),
                format!("{}/lti/launch", app.tool_url),
            ),
            ("client_id".to_string(), other.client_id.clone()),
        ];
        let response = post_login(&app, &params, "application/json").await;
        assert_eq!(response.status(), 302, "{backend:?}: other registration");
    }
}

#[tokio::test]
async fn launches_limited_per_registration() {
    for backend in backends() {
        let app = spawn_custom(
            backend,
            |_| {},
            |state| {
                let limits = Arc::new(RateLimits {
                    logins: RateLimiter::new(100),
                    launches: RateLimiter::new(2),
                    writes: RateLimiter::new(100),
                });
                state.rate_limits = limits.clone();
                state.chat.rate_limits = limits;
            },
        )
        .await;
        app.launch(choice("demo-student-1", "learner")).await;
        app.launch(choice("demo-student-2", "learner")).await;

        let login = app.login(choice("demo-student-3", "learner")).await;
        let (id_token, state) = app.authorize(&login).await;
        let limited = app.post_launch(&id_token, &state).await;
        assert_eq!(limited.status(), 429, "{backend:?}");
        assert!(retry_after(&limited) >= 1, "{backend:?}");
        let body: Value = limited.json().await.unwrap();
        assert_eq!(body["error"], "rate_limited", "{backend:?}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Too many launches"),
            "{body}"
        );
    }
}

async fn ask_for_help(app: &TestApp, who: &Launched, accept: &str) -> reqwest::Response {
    app.http
        .post(format!(
            "{}/spaces/{}/help/requests",
            app.tool_url, who.space_id
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", accept)
        .json(&json!({"title": "Pivot tables", "description": "How do I group by month?"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn writes_limited_per_person() {
    for backend in backends() {
        let app = spawn_with(backend, |config| config.write_rate_per_minute = 3).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        // Anna's socket opens before her budget is spent; opening it is no write.
        let (mut socket, hello) = app.socket(&anna).await;
        let room = open_room(&hello);
        socket.join(room).await;

        for attempt in 0..3 {
            let response = ask_for_help(&app, &anna, "application/json").await;
            assert!(
                response.status().is_success(),
                "{backend:?}: write {attempt}: {}",
                response.status()
            );
        }
        let limited = ask_for_help(&app, &anna, "application/json").await;
        assert_eq!(limited.status(), 429, "{backend:?}");
        assert!(retry_after(&limited) >= 1, "{backend:?}");
        let body: Value = limited.json().await.unwrap();
        assert_eq!(body["error"], "rate_limited", "{backend:?}");

        let page = ask_for_help(&app, &anna, "text/html").await;
        assert_eq!(page.status(), 429, "{backend:?}");
        let html = page.text().await.unwrap();
        assert!(html.contains("faster than cowork accepts"), "{html}");

        // Chat messages draw on the same budget.
        socket
            .send(json!({"type": "send", "room_id": room, "body": "hello", "client_ref": "r1"}))
            .await;
        let error = socket.next_of("error").await;
        assert_eq!(error["code"], "rate_limited", "{backend:?}: {error}");
        assert_eq!(error["client_ref"], "r1", "{backend:?}");
        socket.close().await;

        // Another person of the same space and address is not affected.
        let response = ask_for_help(&app, &boris, "application/json").await;
        assert!(
            response.status().is_success(),
            "{backend:?}: another person: {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn login_flood_stays_at_bound() {
    const BOUND: i64 = 20;
    for backend in backends() {
        let app = spawn_with(backend, |config| {
            config.login_states_max = BOUND;
            // Long enough for the flood below to finish before any state expires.
            config.login_state_ttl_secs = 8;
        })
        .await;
        let platform_id = app
            .state
            .store
            .platform(&app.platform.issuer, cowork::demo::CLIENT_ID)
            .await
            .unwrap()
            .expect("demo registration")
            .id;
        let count = || async {
            app.state
                .store
                .count_login_states(platform_id)
                .await
                .unwrap()
        };

        // A student starts a login before the flood.
        let pending = app.login(choice("demo-student-1", "learner")).await;
        let (id_token, state) = app.authorize(&pending).await;

        let mut rejected = 0;
        for _ in 0..(BOUND * 2) {
            let params = app.platform.login_initiation(choice("flood", "learner"));
            let response = post_login(&app, &params, "application/json").await;
            match response.status().as_u16() {
                302 => {}
                503 => {
                    assert!(retry_after(&response) >= 1, "{backend:?}");
                    let body: Value = response.json().await.unwrap();
                    assert_eq!(body["error"], "login_states_full", "{backend:?}");
                    rejected += 1;
                }
                other => panic!("{backend:?}: login got {other}"),
            }
        }
        assert_eq!(rejected, BOUND + 1, "{backend:?}: logins beyond the bound");
        assert_eq!(count().await, BOUND, "{backend:?}: stored states");

        // The login in progress was not evicted by the flood.
        let launched = app.post_launch(&id_token, &state).await;
        app.launched(launched);

        // Its used state makes room for one more login, and the count stays at the bound.
        app.login(choice("demo-student-2", "learner")).await;
        assert_eq!(count().await, BOUND, "{backend:?}: after a used state");
        let params = app.platform.login_initiation(choice("flood", "learner"));
        let response = post_login(&app, &params, "application/json").await;
        assert_eq!(response.status(), 503, "{backend:?}: full again");

        // Once the flood's states expire, a class launches again.
        tokio::time::sleep(std::time::Duration::from_secs(9)).await;
        for user in ["demo-student-3", "demo-teacher-1"] {
            app.launch(choice(user, "learner")).await;
        }
        assert!(count().await <= BOUND, "{backend:?}: after expiry");
    }
}
