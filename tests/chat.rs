//! Real-time chat over real WebSockets, on every configured backend.

mod common;

use common::{backends, choice, open_room, spawn, Socket, TestApp};
use serde_json::{json, Value};

async fn join(socket: &mut Socket, room_id: i64, since_rev: Option<i64>) -> Value {
    let mut request = json!({"type": "join", "room_id": room_id});
    if let Some(rev) = since_rev {
        request["since_rev"] = json!(rev);
    }
    socket.send(request).await;
    socket.next_of("history").await
}

/// Posts a message and returns its broadcast event, once the server has acknowledged it.
async fn post(socket: &mut Socket, room_id: i64, body: &str) -> Value {
    socket
        .send(json!({"type": "send", "room_id": room_id, "body": body}))
        .await;
    let ack = socket.next_of("ack").await;
    loop {
        let event = socket.next_of("message").await;
        if event["message"]["id"] == ack["message_id"] {
            return event;
        }
    }
}

/// Returns the next message event whose message has `body`, skipping others.
async fn message_with_body(socket: &mut Socket, body: &str) -> Value {
    loop {
        let event = socket.next_of("message").await;
        if event["message"]["body"] == body {
            return event;
        }
    }
}

/// Returns the next presence change about the person called `name`.
async fn presence_of(socket: &mut Socket, name: &str) -> Value {
    loop {
        let event = socket.next_of("presence").await;
        let changes = event["changes"].as_array().expect("presence changes");
        if let Some(change) = changes.iter().find(|change| change["name"] == name) {
            return change.clone();
        }
    }
}

fn message_ids(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["message"]["id"].as_i64().unwrap())
        .collect()
}

/// Launches a teacher and two students into one space, each with a socket in the open
/// space. Returns the sockets in that order, the open space's room id and the space id.
async fn classroom(app: &TestApp) -> (Vec<Socket>, i64, i64) {
    let mut sockets = Vec::new();
    let mut room = 0;
    let mut space_id = 0;
    for (user, role) in [
        ("demo-teacher-1", "instructor"),
        ("demo-student-1", "learner"),
        ("demo-student-2", "learner"),
    ] {
        let launched = app.launch(choice(user, role)).await;
        let (mut socket, hello) = app.socket(&launched).await;
        room = open_room(&hello);
        space_id = launched.space_id;
        join(&mut socket, room, None).await;
        sockets.push(socket);
    }
    (sockets, room, space_id)
}

#[tokio::test]
async fn two_clients_see_same_order() {
    for backend in backends() {
        let app = spawn(backend).await;
        let (mut sockets, room, _) = classroom(&app).await;
        let mut second = sockets.remove(2);
        let mut first = sockets.remove(1);

        // Both send at once, interleaved, without waiting for each other.
        for round in 0..10 {
            first
                .send(json!({"type": "send", "room_id": room, "body": format!("first {round}")}))
                .await;
            second
                .send(json!({"type": "send", "room_id": room, "body": format!("second {round}")}))
                .await;
        }
        let mut seen_by_first = Vec::new();
        let mut seen_by_second = Vec::new();
        for _ in 0..20 {
            seen_by_first.push(first.next_of("message").await);
            seen_by_second.push(second.next_of("message").await);
        }
        let order = message_ids(&seen_by_first);
        assert_eq!(
            order,
            message_ids(&seen_by_second),
            "{backend:?}: same order"
        );
        let seqs: Vec<i64> = seen_by_first
            .iter()
            .map(|e| e["message"]["seq"].as_i64().unwrap())
            .collect();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{backend:?}: seq increases: {seqs:?}"
        );
        let bodies: Vec<&str> = seen_by_first
            .iter()
            .map(|e| e["message"]["body"].as_str().unwrap())
            .collect();
        assert!(bodies.contains(&"first 9"), "{backend:?}");
        assert!(bodies.contains(&"second 9"), "{backend:?}");
    }
}

#[tokio::test]
async fn reconnect_receives_missed_changes() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (mut teacher_socket, hello) = app.socket(&teacher).await;
        let room = open_room(&hello);
        join(&mut teacher_socket, room, None).await;

        let (mut student_socket, _) = app.socket(&student).await;
        join(&mut student_socket, room, None).await;
        let seen = post(&mut student_socket, room, "before the break").await;
        let last_rev = seen["message"]["rev"].as_i64().unwrap();
        let first_id = seen["message"]["id"].as_i64().unwrap();
        teacher_socket.next_of("message").await;
        student_socket.close().await;

        let missed_a = post(&mut teacher_socket, room, "missed one").await;
        post(&mut teacher_socket, room, "missed two").await;
        teacher_socket
            .send(json!({"type": "react", "message_id": first_id, "emoji": "👍", "on": true}))
            .await;
        teacher_socket.next_of("ack").await;

        let (mut again, _) = app.socket(&student).await;
        let history = join(&mut again, room, Some(last_rev)).await;
        assert_eq!(history["since"], true, "{backend:?}");
        let messages = history["messages"].as_array().unwrap();
        let bodies: Vec<&str> = messages
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert_eq!(
            bodies,
            vec!["missed one", "missed two", "before the break"],
            "{backend:?}: changes in revision order, the reacted message last"
        );
        assert_eq!(messages[0]["id"], missed_a["message"]["id"], "{backend:?}");
        assert_eq!(messages[2]["reactions"][0]["emoji"], "👍", "{backend:?}");
        assert!(
            messages
                .iter()
                .all(|m| m["rev"].as_i64().unwrap() > last_rev),
            "{backend:?}: nothing already seen is sent again"
        );
    }
}

#[tokio::test]
async fn history_pages_older_messages() {
    let app = spawn(common::Backend::Sqlite).await;
    let launched = app.launch(choice("demo-student-1", "learner")).await;
    let (mut socket, hello) = app.socket(&launched).await;
    let room = open_room(&hello);
    join(&mut socket, room, None).await;
    for index in 0..60 {
        post(&mut socket, room, &format!("note {index}")).await;
    }
    let (mut reader, _) = app.socket(&launched).await;
    let latest = join(&mut reader, room, None).await;
    let page = latest["messages"].as_array().unwrap();
    assert_eq!(page.len(), 50);
    assert_eq!(latest["more_before"], true);
    assert_eq!(page[49]["body"], "note 59");

    let oldest_seq = page[0]["seq"].as_i64().unwrap();
    reader
        .send(json!({"type": "history", "room_id": room, "before_seq": oldest_seq}))
        .await;
    let older = reader.next_of("history").await;
    let older = older["messages"].as_array().unwrap();
    assert_eq!(older.len(), 10);
    assert_eq!(older[0]["body"], "note 0");
    assert_eq!(older[9]["body"], "note 9");
}

#[tokio::test]
async fn hostile_markdown_sanitized_on_wire() {
    let app = spawn(common::Backend::Sqlite).await;
    let launched = app.launch(choice("demo-student-1", "learner")).await;
    let (mut socket, hello) = app.socket(&launched).await;
    let room = open_room(&hello);
    join(&mut socket, room, None).await;
    let payload = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>";
    let event = post(&mut socket, room, payload).await;
    let html = event["message"]["body_html"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "shown as text: {html}");
    assert_eq!(event["message"]["body"], payload, "source kept for editing");
}

#[tokio::test]
async fn replies_mentions_reactions_logged() {
    for backend in backends() {
        let app = spawn(backend).await;
        let (mut sockets, room, space_id) = classroom(&app).await;
        let student_b = &mut sockets[2];
        let question = post(student_b, room, "Who can help with the SWOT table?").await;
        let question_id = question["message"]["id"].as_i64().unwrap();
        let author_b = question["message"]["author_id"].as_i64().unwrap();

        let student_a = &mut sockets[1];
        student_a
            .send(json!({
                "type": "send", "room_id": room, "body": "I can, @Boris Ivanov",
                "parent_id": question_id, "mentions": [author_b, 999_999],
            }))
            .await;
        let reply = message_with_body(student_a, "I can, @Boris Ivanov").await;
        student_a.next_of("ack").await;
        assert_eq!(reply["message"]["parent_id"], question_id, "{backend:?}");
        assert_eq!(
            reply["message"]["mentions"],
            json!([author_b]),
            "{backend:?}: non-members dropped"
        );
        let author_a = reply["message"]["author_id"].as_i64().unwrap();
        student_a
            .send(json!({"type": "react", "message_id": question_id, "emoji": "🎉", "on": true}))
            .await;
        student_a.next_of("ack").await;

        let logged = app.state.store.interactions(space_id, 0).await.unwrap();
        let between: Vec<(&str, i64, Option<i64>)> = logged
            .iter()
            .map(|i| (i.kind.as_str(), i.actor_id, i.target_id))
            .collect();
        assert!(
            between.contains(&("message", author_b, None)),
            "{backend:?}: {between:?}"
        );
        assert!(
            between.contains(&("reply", author_a, Some(author_b))),
            "{backend:?}: {between:?}"
        );
        assert!(
            between.contains(&("mention", author_a, Some(author_b))),
            "{backend:?}: {between:?}"
        );
        assert!(
            between.contains(&("reaction", author_a, Some(author_b))),
            "{backend:?}: {between:?}"
        );
        assert!(
            logged.iter().all(|i| i.room_id == Some(room)),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn edit_and_delete_own_only() {
    for backend in backends() {
        let app = spawn(backend).await;
        let (mut sockets, room, _) = classroom(&app).await;
        let mine = post(&mut sockets[1], room, "draft").await;
        let id = mine["message"]["id"].as_i64().unwrap();

        sockets[2]
            .send(json!({"type": "edit", "message_id": id, "body": "vandal"}))
            .await;
        let error = sockets[2].next_of("error").await;
        assert_eq!(
            error["code"], "forbidden",
            "{backend:?}: edit of another's message"
        );
        sockets[2]
            .send(json!({"type": "delete", "message_id": id}))
            .await;
        let error = sockets[2].next_of("error").await;
        assert_eq!(
            error["code"], "forbidden",
            "{backend:?}: delete of another's message"
        );

        sockets[1]
            .send(json!({"type": "edit", "message_id": id, "body": "final text"}))
            .await;
        let edited = message_with_body(&mut sockets[1], "final text").await;
        assert_eq!(edited["message"]["body"], "final text", "{backend:?}");
        assert!(edited["message"]["edited_at"].is_i64(), "{backend:?}");
        let seen = message_with_body(&mut sockets[2], "final text").await;
        assert_eq!(seen["message"]["id"], id, "{backend:?}: edit broadcast");

        sockets[1]
            .send(json!({"type": "delete", "message_id": id}))
            .await;
        let deleted = sockets[1].next_of("message").await;
        assert_eq!(deleted["message"]["deleted"], true, "{backend:?}");
        assert_eq!(deleted["message"]["body"], "", "{backend:?}: text removed");
    }
}

#[tokio::test]
async fn edit_window_enforced() {
    let app = spawn(common::Backend::Sqlite).await;
    let (mut sockets, room, space_id) = classroom(&app).await;
    let mine = post(&mut sockets[1], room, "old words").await;
    let id = mine["message"]["id"].as_i64().unwrap();
    let mut settings = app.state.store.space_settings(space_id).await.unwrap();
    settings.edit_window_secs = 0;
    app.state
        .store
        .set_space_settings(space_id, &settings)
        .await
        .unwrap();
    let created = mine["message"]["created_at"].as_i64().unwrap();
    while cowork::unix_now() <= created {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    sockets[1]
        .send(json!({"type": "edit", "message_id": id, "body": "new words"}))
        .await;
    let error = sockets[1].next_of("error").await;
    assert_eq!(error["code"], "forbidden");
    assert!(
        error["message"].as_str().unwrap().contains("time to edit"),
        "{error}"
    );
}

#[tokio::test]
async fn moderation_is_for_teachers() {
    for backend in backends() {
        let app = spawn(backend).await;
        let (mut sockets, room, space_id) = classroom(&app).await;
        let message = post(&mut sockets[1], room, "off-topic remark").await;
        let id = message["message"]["id"].as_i64().unwrap();
        for index in [0, 2] {
            sockets[index].next_of("message").await;
        }

        for request in [
            json!({"type": "pin", "message_id": id, "on": true}),
            json!({"type": "hide", "message_id": id, "on": true}),
        ] {
            sockets[2].send(request.clone()).await;
            let error = sockets[2].next_of("error").await;
            assert_eq!(error["code"], "forbidden", "{backend:?}: student {request}");
        }

        sockets[0]
            .send(json!({"type": "hide", "message_id": id, "on": true}))
            .await;
        let teacher_view = sockets[0].next_of("message").await;
        assert_eq!(teacher_view["message"]["hidden"], true, "{backend:?}");
        assert_eq!(
            teacher_view["message"]["body"], "off-topic remark",
            "{backend:?}: teacher reviews text"
        );
        let student_view = sockets[2].next_of("message").await;
        assert_eq!(student_view["message"]["hidden"], true, "{backend:?}");
        assert_eq!(
            student_view["message"]["body"], "",
            "{backend:?}: text withheld"
        );
        assert_eq!(
            student_view["message"]["body_html"], "",
            "{backend:?}: html withheld"
        );

        sockets[0]
            .send(json!({"type": "pin", "message_id": id, "on": true}))
            .await;
        let pinned = sockets[0].next_of("message").await;
        assert_eq!(pinned["message"]["pinned"], true, "{backend:?}");

        let audit = app.state.store.audit_entries(space_id, 10).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            vec!["message.pin", "message.hide"],
            "{backend:?}: teacher actions recorded"
        );
    }
}

#[tokio::test]
async fn muted_student_cannot_post() {
    let app = spawn(common::Backend::Sqlite).await;
    let (mut sockets, room, space_id) = classroom(&app).await;
    let message = post(&mut sockets[1], room, "hello").await;
    let student = message["message"]["author_id"].as_i64().unwrap();
    let now = cowork::unix_now();
    app.state
        .store
        .mute(space_id, student, now + 600, student, now)
        .await
        .unwrap();

    sockets[1]
        .send(json!({"type": "send", "room_id": room, "body": "still here"}))
        .await;
    let error = sockets[1].next_of("error").await;
    assert_eq!(error["code"], "muted");

    app.state.store.unmute(space_id, student).await.unwrap();
    let allowed = post(&mut sockets[1], room, "back again").await;
    assert_eq!(allowed["message"]["body"], "back again");
}

#[tokio::test]
async fn other_space_ids_not_found() {
    for backend in backends() {
        let app = spawn(backend).await;
        let mut elsewhere = choice("demo-student-2", "learner");
        elsewhere.course_id = "course-da201".into();
        let other = app.launch(elsewhere).await;
        let (mut other_socket, other_hello) = app.socket(&other).await;
        let other_room = open_room(&other_hello);
        join(&mut other_socket, other_room, None).await;
        let foreign = post(&mut other_socket, other_room, "private to DA201").await;
        let foreign_id = foreign["message"]["id"].as_i64().unwrap();

        let launched = app.launch(choice("demo-student-1", "learner")).await;
        let (mut socket, _) = app.socket(&launched).await;
        let attempts = [
            json!({"type": "join", "room_id": other_room}),
            json!({"type": "send", "room_id": other_room, "body": "intrusion"}),
            json!({"type": "history", "room_id": other_room, "before_seq": 1_000_000}),
            json!({"type": "edit", "message_id": foreign_id, "body": "x"}),
            json!({"type": "delete", "message_id": foreign_id}),
            json!({"type": "react", "message_id": foreign_id, "emoji": "👍", "on": true}),
            json!({"type": "send", "room_id": other_room, "body": "x", "space_id": other.space_id}),
        ];
        for attempt in attempts {
            socket.send(attempt.clone()).await;
            let error = socket.next_of("error").await;
            let code = error["code"].as_str().unwrap();
            assert!(
                code == "not_found" || code == "invalid",
                "{backend:?}: {attempt} gave {error}"
            );
        }
        assert!(
            !other_socket.receives_within("message", 300).await,
            "{backend:?}: nothing leaked"
        );
        let stored = app
            .state
            .store
            .message(other.space_id, foreign_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.body, "private to DA201", "{backend:?}");
        assert!(stored.reactions.is_empty(), "{backend:?}");
    }
}

#[tokio::test]
async fn socket_rejects_bad_origin_and_token() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    for backend in backends() {
        let app = spawn(backend).await;
        let launched = app.launch(choice("demo-student-1", "learner")).await;
        let mut elsewhere = choice("demo-student-1", "learner");
        elsewhere.course_id = "course-da201".into();
        let other = app.launch(elsewhere).await;

        let mut foreign = app
            .socket_url(&launched)
            .await
            .into_client_request()
            .unwrap();
        foreign
            .headers_mut()
            .insert("origin", "https://evil.example".parse().unwrap());
        let error = tokio_tungstenite::connect_async(foreign).await.unwrap_err();
        assert!(
            error.to_string().contains("403"),
            "{backend:?}: foreign origin: {error}"
        );

        let no_token = format!(
            "{}/spaces/{}/ws",
            app.tool_url.replace("http://", "ws://"),
            launched.space_id
        );
        let error = tokio_tungstenite::connect_async(no_token)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("401"),
            "{backend:?}: no token: {error}"
        );

        // The long-lived session token no longer opens a socket, in either parameter.
        for parameter in ["lt", "socket_token"] {
            let session_token = format!(
                "{}/spaces/{}/ws?{parameter}={}",
                app.tool_url.replace("http://", "ws://"),
                launched.space_id,
                common::token_of(&launched)
            );
            let error = tokio_tungstenite::connect_async(session_token)
                .await
                .unwrap_err();
            assert!(
                error.to_string().contains("401"),
                "{backend:?}: session token as {parameter}: {error}"
            );
        }

        let token = app.socket_token(&launched).await;
        let wrong_space = app.socket_url_with(other.space_id, &token);
        let error = tokio_tungstenite::connect_async(wrong_space)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("401"),
            "{backend:?}: token of another space: {error}"
        );
    }
}

#[tokio::test]
async fn presence_and_visits_recorded() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (mut watcher, hello) = app.socket(&teacher).await;
        let room = open_room(&hello);

        let (mut socket, _) = app.socket(&student).await;
        let online = presence_of(&mut watcher, "Anna Smirnova").await;
        assert_eq!(online["online"], true, "{backend:?}");
        assert_eq!(online["name"], "Anna Smirnova", "{backend:?}");

        join(&mut socket, room, None).await;
        let moved = presence_of(&mut watcher, "Anna Smirnova").await;
        assert_eq!(moved["room_id"], room, "{backend:?}");
        socket
            .send(json!({"type": "status", "status": "busy"}))
            .await;
        let busy = presence_of(&mut watcher, "Anna Smirnova").await;
        assert_eq!(busy["status"], "busy", "{backend:?}");
        socket
            .send(json!({"type": "status", "status": "asleep"}))
            .await;
        assert_eq!(
            socket.next_of("error").await["code"],
            "invalid",
            "{backend:?}"
        );

        socket.close().await;
        let gone = presence_of(&mut watcher, "Anna Smirnova").await;
        assert_eq!(gone["online"], false, "{backend:?}");

        let visits = app.state.store.visits(student.space_id, 0).await.unwrap();
        assert_eq!(visits.len(), 1, "{backend:?}: {visits:?}");
        assert_eq!(visits[0].room_id, room, "{backend:?}");
        assert!(
            visits[0].left_at.is_some(),
            "{backend:?}: leaving is recorded"
        );
        let seen = app.state.store.presence(student.space_id, 0).await.unwrap();
        let anna = seen
            .iter()
            .find(|p| p.name.as_deref() == Some("Anna Smirnova"))
            .unwrap();
        assert_eq!(anna.status, "busy", "{backend:?}");
    }
}

#[tokio::test]
async fn malformed_frames_answered_with_errors() {
    let app = spawn(common::Backend::Sqlite).await;
    let launched = app.launch(choice("demo-student-1", "learner")).await;
    let (mut socket, hello) = app.socket(&launched).await;
    let room = open_room(&hello);
    for frame in [
        json!("just a string"),
        json!({"type": "send"}),
        json!({"type": "explode"}),
    ] {
        socket.send(frame.clone()).await;
        assert_eq!(socket.next_of("error").await["code"], "invalid", "{frame}");
    }
    let too_long = "x".repeat(cowork::chat::markdown::MAX_BODY_CHARS + 1);
    socket
        .send(json!({"type": "send", "room_id": room, "body": too_long}))
        .await;
    assert_eq!(socket.next_of("error").await["code"], "invalid");
    socket.send(json!({"type": "ping"})).await;
    socket.next_of("pong").await;
}

#[tokio::test]
async fn hello_and_errors_carry_context() {
    let app = spawn(common::Backend::Sqlite).await;
    let launched = app.launch(choice("demo-student-1", "learner")).await;
    let (mut socket, hello) = app.socket(&launched).await;
    assert_eq!(hello["edit_window_secs"], 900, "default edit window");
    let room = open_room(&hello);
    let history = join(&mut socket, room, Some(0)).await;
    assert_eq!(history["more_after"], false);

    socket
        .send(json!({"type": "send", "room_id": room, "body": " ", "client_ref": "draft-7"}))
        .await;
    let error = socket.next_of("error").await;
    assert_eq!(error["code"], "invalid");
    assert_eq!(error["client_ref"], "draft-7", "the failed send is named");
}

#[tokio::test]
async fn large_class_online_list_arrives_in_small_frames() {
    use cowork::chat::hub::PRESENCE_FRAME_ENTRIES;

    for backend in backends() {
        let app = spawn(backend).await;
        let classmates = PRESENCE_FRAME_ENTRIES + 6;
        let mut sockets = Vec::new();
        for index in 0..classmates {
            let launched = app
                .launch(choice(&format!("classmate-{index}"), "learner"))
                .await;
            sockets.push(app.socket(&launched).await.0);
        }
        let newcomer = app.launch(choice("newcomer", "learner")).await;
        let (mut socket, hello) = app.socket(&newcomer).await;
        let mut seen: std::collections::HashSet<i64> = hello["online"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["user_id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            seen.len(),
            PRESENCE_FRAME_ENTRIES,
            "{backend:?}: the hello carries one frame's worth"
        );
        // The newcomer and every classmate, online at once.
        while seen.len() < classmates + 1 {
            let event = socket.next_of("presence").await;
            let changes = event["changes"].as_array().unwrap();
            assert!(
                changes.len() <= PRESENCE_FRAME_ENTRIES,
                "{backend:?}: {} entries in one frame",
                changes.len()
            );
            for change in changes {
                assert_eq!(change["online"], true, "{backend:?}");
                seen.insert(change["user_id"].as_i64().unwrap());
            }
        }
        assert_eq!(seen.len(), classmates + 1, "{backend:?}");
        for other in sockets {
            other.close().await;
        }
    }
}
