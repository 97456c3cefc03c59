//! Focus sessions over real HTTP on every configured backend: starting, the list of
//! people focusing, check-ins, abandoning, and who may do what.

mod common;

use common::{backends, choice, spawn, token_of, Backend, Launched, TestApp};
use cowork::store::focus::NewFocus;
use serde_json::{json, Value};

async fn send(
    app: &TestApp,
    launched: &Launched,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .http
        .request(
            method,
            format!("{}/spaces/{}{path}", app.tool_url, launched.space_id),
        )
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_json(app: &TestApp, launched: &Launched, path: &str, body: Value) -> (u16, Value) {
    send(app, launched, reqwest::Method::POST, path, Some(body)).await
}

async fn sessions(app: &TestApp, launched: &Launched) -> Value {
    let (status, list) = send(app, launched, reqwest::Method::GET, "/focus/sessions", None).await;
    assert_eq!(status, 200, "{list}");
    list
}

async fn start(app: &TestApp, launched: &Launched, minutes: i64, goal: &str) -> (u16, Value) {
    post_json(
        app,
        launched,
        "/focus/sessions",
        json!({"minutes": minutes, "goal": goal}),
    )
    .await
}

async fn user_id(app: &TestApp, launched: &Launched) -> i64 {
    let (session_id, _) = app.state.session_key.verify(&token_of(launched)).unwrap();
    let view = app
        .state
        .store
        .session(&session_id, cowork::unix_now())
        .await
        .unwrap()
        .unwrap();
    view.user_id.unwrap()
}

/// Stores a session that started `minutes_ago`, so that its end has passed or is near.
async fn started_earlier(
    app: &TestApp,
    launched: &Launched,
    minutes: i64,
    minutes_ago: i64,
) -> i64 {
    let focus = NewFocus {
        space_id: launched.space_id,
        user_id: user_id(app, launched).await,
        goal: "Outline the essay".into(),
        minutes,
    };
    let session = app
        .state
        .store
        .start_focus(&focus, cowork::unix_now() - minutes_ago * 60)
        .await
        .unwrap()
        .expect("no other open session");
    session.id
}

async fn page(app: &TestApp, launched: &Launched) -> (u16, String) {
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/focus?lt={}",
            app.tool_url,
            launched.space_id,
            token_of(launched)
        ))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn focus_start_and_list() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let other = app.launch(choice("demo-student-2", "learner")).await;
        let student_id = user_id(&app, &student).await;

        let (status, started) = start(&app, &student, 50, "  Finish the data cleaning  ").await;
        assert_eq!(status, 201, "{backend:?}: {started}");
        assert_eq!(started["goal"], "Finish the data cleaning", "{backend:?}");
        assert_eq!(started["minutes"], 50, "{backend:?}");
        assert_eq!(
            started["ends_at"].as_i64().unwrap() - started["started_at"].as_i64().unwrap(),
            50 * 60,
            "{backend:?}"
        );

        let list = sessions(&app, &other).await;
        assert_eq!(list["mine"], Value::Null, "{backend:?}");
        let running = list["running"].as_array().unwrap();
        assert_eq!(running.len(), 1, "{backend:?}: {list}");
        assert_eq!(running[0]["user_id"], student_id, "{backend:?}");
        assert_eq!(running[0]["name"], "Anna Smirnova", "{backend:?}");
        assert_eq!(
            running[0]["goal"], "Finish the data cleaning",
            "{backend:?}"
        );
        let seconds_left = running[0]["seconds_left"].as_i64().unwrap();
        assert!(
            (50 * 60 - 5..=50 * 60).contains(&seconds_left),
            "{backend:?}: {seconds_left}"
        );
        assert_eq!(running[0]["time_left"], "50 minutes left", "{backend:?}");

        let mine = sessions(&app, &student).await;
        assert_eq!(mine["mine"]["id"], started["id"], "{backend:?}");

        let (status, html) = page(&app, &other).await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(html.contains("Finish the data cleaning"), "{backend:?}");
        assert!(html.contains("50 minutes left"), "{backend:?}");
        assert!(
            html.contains(&format!("href=\"/spaces/{}?lt=", other.space_id)),
            "{backend:?}: a link back to the space"
        );
    }
}

#[tokio::test]
async fn one_open_session_per_person() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (status, first) = start(&app, &student, 25, "Read chapter 3").await;
        assert_eq!(status, 201, "{backend:?}");
        let (status, error) = start(&app, &student, 75, "Read chapter 4").await;
        assert_eq!(status, 400, "{backend:?}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("already have a focus session"),
            "{backend:?}: {error}"
        );

        let abandon = format!("/focus/sessions/{}/abandon", first["id"]);
        let (status, abandoned) = send(&app, &student, reqwest::Method::POST, &abandon, None).await;
        assert_eq!(status, 200, "{backend:?}: {abandoned}");
        assert_eq!(abandoned["outcome"], "abandoned", "{backend:?}");
        let (status, _) = send(&app, &student, reqwest::Method::POST, &abandon, None).await;
        assert_eq!(status, 400, "{backend:?}: abandoned twice");
        let list = sessions(&app, &student).await;
        assert_eq!(list["running"], json!([]), "{backend:?}");
        assert_eq!(list["mine"], Value::Null, "{backend:?}");

        let (status, _) = start(&app, &student, 75, "Read chapter 4").await;
        assert_eq!(status, 201, "{backend:?}: a new session after abandoning");

        let interactions = app
            .state
            .store
            .interactions(student.space_id, 0)
            .await
            .unwrap();
        assert!(
            !interactions.iter().any(|i| i.kind == "focus_completed"),
            "{backend:?}: abandoning is no completion"
        );
    }
}

#[tokio::test]
async fn invalid_durations_rejected() {
    let app = spawn(Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    for minutes in [0, 24, 30, 45, 90, -25, 1500] {
        let (status, error) = start(&app, &student, minutes, "Goal").await;
        assert_eq!(status, 400, "{minutes}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("25, 50 or 75"), "{minutes}: {message}");
    }
    let cases = [
        (
            json!({"minutes": 25, "goal": "   "}),
            "goal must be 1 to 200",
        ),
        (
            json!({"minutes": 25, "goal": "x".repeat(201)}),
            "goal must be 1 to 200",
        ),
        (json!({"minutes": "25", "goal": "Goal"}), "invalid type"),
        (json!({"goal": "Goal"}), "missing field"),
        (
            json!({"minutes": 25, "goal": "Goal", "ends_at": 0}),
            "unknown field",
        ),
    ];
    for (body, expected) in cases {
        let (status, error) = post_json(&app, &student, "/focus/sessions", body).await;
        assert_eq!(status, 400, "{expected}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected}: {message}");
    }
    assert_eq!(sessions(&app, &student).await["running"], json!([]));
}

#[tokio::test]
async fn check_in_records_outcome() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let student_id = user_id(&app, &student).await;
        let session_id = started_earlier(&app, &student, 25, 26).await;
        let check_in = format!("/focus/sessions/{session_id}/check-in");

        let list = sessions(&app, &student).await;
        assert_eq!(list["running"], json!([]), "{backend:?}: its time is up");
        assert_eq!(list["mine"]["seconds_left"], 0, "{backend:?}");
        let (_, html) = page(&app, &student).await;
        assert!(html.contains("id=\"check-in-form\""), "{backend:?}");

        let (status, error) =
            post_json(&app, &student, &check_in, json!({"outcome": "done"})).await;
        assert_eq!(status, 400, "{backend:?}: {error}");
        let (status, error) = send(
            &app,
            &student,
            reqwest::Method::POST,
            &format!("/focus/sessions/{session_id}/abandon"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: too late to abandon: {error}");

        let (status, finished) = post_json(
            &app,
            &student,
            &check_in,
            json!({"outcome": "partly", "note": "Two of three sections"}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {finished}");
        assert_eq!(finished["outcome"], "partly", "{backend:?}");
        assert_eq!(finished["note"], "Two of three sections", "{backend:?}");
        let stored = app
            .state
            .store
            .focus_session(student.space_id, session_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.outcome.as_deref(), Some("partly"), "{backend:?}");
        assert!(stored.finished_at.is_some(), "{backend:?}");

        let (status, _) = post_json(&app, &student, &check_in, json!({"outcome": "met"})).await;
        assert_eq!(status, 400, "{backend:?}: checked in twice");

        let quiet_zone = app
            .state
            .store
            .rooms(student.space_id, true)
            .await
            .unwrap()
            .into_iter()
            .find(|room| room.default_key.as_deref() == Some("quiet"))
            .unwrap()
            .id;
        let interactions = app
            .state
            .store
            .interactions(student.space_id, 0)
            .await
            .unwrap();
        let completed: Vec<_> = interactions
            .iter()
            .filter(|i| i.kind == "focus_completed")
            .collect();
        assert_eq!(completed.len(), 1, "{backend:?}: {interactions:?}");
        assert_eq!(completed[0].actor_id, student_id, "{backend:?}");
        assert_eq!(completed[0].target_id, None, "{backend:?}");
        assert_eq!(completed[0].subject_id, Some(session_id), "{backend:?}");
        assert_eq!(completed[0].room_id, Some(quiet_zone), "{backend:?}");

        let (_, html) = page(&app, &student).await;
        assert!(
            html.contains("Two of three sections"),
            "{backend:?}: history"
        );
        assert!(html.contains("Partly met"), "{backend:?}");
    }
}

#[tokio::test]
async fn check_in_waits_for_end() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (_, started) = start(&app, &student, 25, "Sketch the poster").await;
        let (status, error) = post_json(
            &app,
            &student,
            &format!("/focus/sessions/{}/check-in", started["id"]),
            json!({"outcome": "met"}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("at or after its end"),
            "{backend:?}: {error}"
        );
    }
}

#[tokio::test]
async fn others_cannot_check_in() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let other = app.launch(choice("demo-student-2", "learner")).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let session_id = started_earlier(&app, &student, 25, 30).await;
        let check_in = format!("/focus/sessions/{session_id}/check-in");
        let abandon = format!("/focus/sessions/{session_id}/abandon");

        for intruder in [&other, &teacher] {
            let (status, error) =
                post_json(&app, intruder, &check_in, json!({"outcome": "met"})).await;
            assert_eq!(status, 403, "{backend:?}: {error}");
            let (status, _) = send(&app, intruder, reqwest::Method::POST, &abandon, None).await;
            assert_eq!(status, 403, "{backend:?}");
        }

        let mut elsewhere = choice("demo-student-1", "learner");
        elsewhere.course_id = "course-da201".into();
        let same_person_elsewhere = app.launch(elsewhere).await;
        let (status, _) = post_json(
            &app,
            &same_person_elsewhere,
            &check_in,
            json!({"outcome": "met"}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: a session id from another space");

        let response = app
            .http
            .post(format!(
                "{}/spaces/{}{check_in}",
                app.tool_url, student.space_id
            ))
            .header("x-cowork-token", token_of(&same_person_elsewhere))
            .header("accept", "application/json")
            .json(&json!({"outcome": "met"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: token of another space"
        );

        let cookie = student.cookie.split(';').next().unwrap().to_string();
        let response = app
            .http
            .post(format!(
                "{}/spaces/{}{check_in}",
                app.tool_url, student.space_id
            ))
            .header("cookie", cookie)
            .header("accept", "application/json")
            .json(&json!({"outcome": "met"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            401,
            "{backend:?}: a cookie alone cannot write"
        );

        let stored = app
            .state
            .store
            .focus_session(student.space_id, session_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.outcome, None, "{backend:?}: still open");
    }
}

#[tokio::test]
async fn focus_page_needs_session() {
    let app = spawn(Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/focus",
            app.tool_url, student.space_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/focus/sessions",
            app.tool_url, student.space_id
        ))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let (status, html) = page(&app, &student).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"start-form\""), "{html}");
    assert!(html.contains("Nobody is focusing right now."), "{html}");
}

#[tokio::test]
async fn russian_focus_page() {
    let app = spawn(Backend::Sqlite).await;
    let mut russian = choice("demo-student-1", "learner");
    russian.locale = "ru".into();
    let student = app.launch(russian).await;
    started_earlier(&app, &student, 25, 3).await;
    let (status, html) = page(&app, &student).await;
    assert_eq!(status, 200);
    assert!(html.contains("Сессии фокуса"), "{html}");
    assert!(html.contains("осталось 22 минуты"), "{html}");
    let list = sessions(&app, &student).await;
    assert_eq!(list["mine"]["time_left"], "осталось 22 минуты");
}
