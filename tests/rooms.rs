//! Room management over HTTP, and who may do what, on every configured backend.

mod common;

use common::{backends, choice, open_room, spawn, token_of, Launched, TestApp};
use serde_json::{json, Value};

async fn post_json(app: &TestApp, launched: &Launched, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}{path}",
            app.tool_url, launched.space_id
        ))
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, launched: &Launched, path: &str) -> (u16, Value) {
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}{path}",
            app.tool_url, launched.space_id
        ))
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn names(rooms: &Value) -> Vec<String> {
    rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|room| room["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn student_creates_and_joins_team() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let other = app.launch(choice("demo-student-2", "learner")).await;
        let (mut watcher, _) = app.socket(&teacher).await;

        let (status, room) = post_json(
            &app,
            &student,
            "/rooms",
            json!({"kind": "team", "name": "  Team Alpha  "}),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: {room}");
        assert_eq!(room["name"], "Team Alpha", "{backend:?}: name trimmed");
        let room_id = room["id"].as_i64().unwrap();
        let event = watcher.next_of("rooms").await;
        assert!(
            event["rooms"].to_string().contains("Team Alpha"),
            "{backend:?}: live room list"
        );

        let (status, joined) = post_json(
            &app,
            &other,
            &format!("/rooms/{room_id}/membership"),
            json!({"member": true}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(
            joined["member_ids"].as_array().unwrap().len(),
            2,
            "{backend:?}: creator and joiner"
        );
        let (_, left) = post_json(
            &app,
            &other,
            &format!("/rooms/{room_id}/membership"),
            json!({"member": false}),
        )
        .await;
        assert_eq!(
            left["member_ids"].as_array().unwrap().len(),
            1,
            "{backend:?}"
        );

        let (status, _) = post_json(
            &app,
            &other,
            "/rooms",
            json!({"kind": "discussion", "name": "Pricing", "positions": ["Raise", "Keep"]}),
        )
        .await;
        assert_eq!(
            status, 201,
            "{backend:?}: students may open discussions by default"
        );
        let (_, listed) = get_json(&app, &student, "/rooms").await;
        assert_eq!(
            names(&listed),
            vec!["Open space", "Quiet zone", "Team Alpha", "Pricing"],
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn teacher_limits_room_creation() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (status, settings) = post_json(
            &app,
            &teacher,
            "/settings",
            json!({"students_create_rooms": false}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(settings["students_create_rooms"], false, "{backend:?}");

        let (status, error) = post_json(
            &app,
            &student,
            "/rooms",
            json!({"kind": "team", "name": "Rogue"}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}");
        assert_eq!(error["error"], "forbidden", "{backend:?}");
        let (status, _) = post_json(
            &app,
            &teacher,
            "/rooms",
            json!({"kind": "team", "name": "Team B"}),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: teachers always may");

        let (status, _) = post_json(
            &app,
            &student,
            "/settings",
            json!({"students_create_rooms": true}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: students cannot change settings");
    }
}

#[tokio::test]
async fn invalid_rooms_rejected_with_reason() {
    let app = spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let cases = [
        (
            json!({"kind": "quiet", "name": "Second quiet zone"}),
            "cannot be created",
        ),
        (
            json!({"kind": "team", "name": "   "}),
            "name must be 1 to 80",
        ),
        (
            json!({"kind": "team", "name": "x".repeat(81)}),
            "name must be 1 to 80",
        ),
        (
            json!({"kind": "discussion", "name": "Debate", "positions": ["Only one"]}),
            "2 to 6 positions",
        ),
        (
            json!({"kind": "discussion", "name": "Debate", "positions": ["Yes", "Yes"]}),
            "repeated",
        ),
        (
            json!({"kind": "team", "name": "T", "positions": ["A", "B"]}),
            "only discussion rooms",
        ),
        (
            json!({"kind": "team", "name": "T", "space_id": 2}),
            "unknown field",
        ),
        (json!({"name": "T"}), "missing field"),
    ];
    for (body, reason) in cases {
        let (status, error) = post_json(&app, &teacher, "/rooms", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{body}: {message}");
    }
    let (status, _) = post_json(&app, &teacher, "/settings", json!({"edit_window_secs": -1})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn teacher_renames_orders_archives() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (_, room) = post_json(
            &app,
            &student,
            "/rooms",
            json!({"kind": "team", "name": "Team C"}),
        )
        .await;
        let room_id = room["id"].as_i64().unwrap();
        let path = format!("/rooms/{room_id}");

        let (status, _) = post_json(&app, &student, &path, json!({"name": "Mine now"})).await;
        assert_eq!(status, 403, "{backend:?}: students cannot rename");
        let (status, renamed) = post_json(
            &app,
            &teacher,
            &path,
            json!({"name": "Team Gamma", "position": -1}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(renamed["name"], "Team Gamma", "{backend:?}");
        let (_, listed) = get_json(&app, &student, "/rooms").await;
        assert_eq!(names(&listed)[0], "Team Gamma", "{backend:?}: moved first");

        let (status, _) = post_json(&app, &teacher, &path, json!({"archived": true})).await;
        assert_eq!(status, 200, "{backend:?}");
        let (_, student_list) = get_json(&app, &student, "/rooms").await;
        assert!(
            !names(&student_list).contains(&"Team Gamma".to_string()),
            "{backend:?}: archived hidden"
        );
        let (_, teacher_list) = get_json(&app, &teacher, "/rooms").await;
        assert!(
            names(&teacher_list).contains(&"Team Gamma".to_string()),
            "{backend:?}: teachers see archive"
        );

        let (mut socket, hello) = app.socket(&student).await;
        socket
            .send(json!({"type": "join", "room_id": room_id}))
            .await;
        assert_eq!(
            socket.next_of("error").await["code"],
            "not_found",
            "{backend:?}: archived room closed"
        );
        let open_space = open_room(&hello);
        let (status, error) = post_json(
            &app,
            &teacher,
            &format!("/rooms/{open_space}"),
            json!({"archived": true}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: {error}");

        let (status, audit) = get_json(&app, &teacher, "/audit").await;
        assert_eq!(status, 200, "{backend:?}");
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, vec!["room.archive", "room.change"], "{backend:?}");
        let (status, _) = get_json(&app, &student, "/audit").await;
        assert_eq!(
            status, 403,
            "{backend:?}: students cannot read the audit log"
        );
    }
}

#[tokio::test]
async fn writes_need_token_header() {
    let app = spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let cookie = teacher.cookie.split(';').next().unwrap().to_string();
    let url = format!("{}/spaces/{}/rooms", app.tool_url, teacher.space_id);

    let with_cookie = app
        .http
        .post(&url)
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .json(&json!({"kind": "team", "name": "Forged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 401, "a cookie alone cannot write");

    let with_query = app
        .http
        .post(format!("{url}?lt={}", token_of(&teacher)))
        .header("accept", "application/json")
        .json(&json!({"kind": "team", "name": "Forged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_query.status(), 401, "a token in the URL cannot write");

    let (_, listed) = get_json(&app, &teacher, "/rooms").await;
    assert!(!names(&listed).contains(&"Forged".to_string()));
}

#[tokio::test]
async fn other_space_rooms_unreachable() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let mut elsewhere = choice("demo-teacher-1", "instructor");
        elsewhere.course_id = "course-da201".into();
        let other_teacher = app.launch(elsewhere).await;
        let (_, room) = post_json(
            &app,
            &other_teacher,
            "/rooms",
            json!({"kind": "team", "name": "DA team"}),
        )
        .await;
        let foreign_room = room["id"].as_i64().unwrap();

        let (status, _) = post_json(
            &app,
            &teacher,
            &format!("/rooms/{foreign_room}"),
            json!({"name": "Taken"}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: another space's room by id");
        let (status, _) = post_json(
            &app,
            &teacher,
            &format!("/rooms/{foreign_room}/membership"),
            json!({"member": true}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}");

        let url = format!("{}/spaces/{}/rooms", app.tool_url, other_teacher.space_id);
        let response = app
            .http
            .post(url)
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&json!({"kind": "team", "name": "Intruder"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: token of another space"
        );
        let (_, listed) = get_json(&app, &other_teacher, "/rooms").await;
        assert_eq!(
            names(&listed),
            vec!["Open space", "Quiet zone", "DA team"],
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn teacher_mutes_participant() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (mut socket, hello) = app.socket(&student).await;
        let room = open_room(&hello);
        let student_id = hello["user_id"].as_i64().unwrap();
        socket.send(json!({"type": "join", "room_id": room})).await;
        socket.next_of("history").await;

        let (status, _) = post_json(
            &app,
            &student,
            "/mutes",
            json!({"user_id": student_id, "minutes": 10}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: students cannot mute");
        let (status, _) = post_json(
            &app,
            &teacher,
            "/mutes",
            json!({"user_id": 999_999, "minutes": 10}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: not a member");
        let (status, _) = post_json(
            &app,
            &teacher,
            "/mutes",
            json!({"user_id": student_id, "minutes": 99_999}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: too long");

        let (status, muted) = post_json(
            &app,
            &teacher,
            "/mutes",
            json!({"user_id": student_id, "minutes": 10}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(muted["muted_until"].is_i64(), "{backend:?}");
        socket
            .send(json!({"type": "send", "room_id": room, "body": "can I talk?"}))
            .await;
        assert_eq!(
            socket.next_of("error").await["code"],
            "muted",
            "{backend:?}"
        );

        let (_, unmuted) = post_json(
            &app,
            &teacher,
            "/mutes",
            json!({"user_id": student_id, "minutes": 0}),
        )
        .await;
        assert!(unmuted["muted_until"].is_null(), "{backend:?}");
        socket
            .send(json!({"type": "send", "room_id": room, "body": "thanks"}))
            .await;
        socket.next_of("ack").await;

        let (_, audit) = get_json(&app, &teacher, "/audit").await;
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            vec!["participant.unmute", "participant.mute"],
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn default_rooms_named_in_creator_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let mut russian = choice("demo-teacher-1", "instructor");
        russian.locale = "ru".into();
        let teacher = app.launch(russian).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        assert_eq!(teacher.space_id, student.space_id, "{backend:?}");

        let expected = vec!["Открытое пространство", "Тихая зона"];
        for launched in [&teacher, &student] {
            let (status, rooms) = get_json(&app, launched, "/rooms").await;
            assert_eq!(status, 200, "{backend:?}: {rooms}");
            assert_eq!(
                names(&rooms),
                expected,
                "{backend:?}: a later English launch renames nothing"
            );
        }
    }
}
