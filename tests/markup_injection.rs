//! Markup injection through every user text field, on every configured backend. Each
//! field carries its own `<script>` payload, and no page of the space may contain a
//! payload as markup. Each field that the server renders must show escaped on some page.
//! Page scripts insert the other fields as text, and a chat message as sanitized HTML.

mod common;

use common::{backends, choice, open_room, spawn, token_of, Launched, TestApp};
use serde_json::{json, Value};

/// Returns the payload of `field`: a script element that names the field.
fn payload(field: &str) -> String {
    format!("<script>mark_{field}()</script>")
}

fn escaped(field: &str) -> String {
    format!("&lt;script&gt;mark_{field}()&lt;/script&gt;")
}

/// Where a field's text is rendered: in the server's HTML, or only by a page script.
/// Page scripts insert text with DOM text APIs; `scripts_insert_only_sanitized_html`
/// checks that the one HTML they insert is a chat message's sanitized `body_html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Html,
    Script,
}

/// Every user text field, with where it is rendered.
const FIELDS: &[(&str, Shown)] = &[
    ("launch_name", Shown::Html),
    ("context_title", Shown::Html),
    ("resource_link_title", Shown::Html),
    ("room_name", Shown::Html),
    ("room_topic", Shown::Script),
    ("room_position", Shown::Script),
    ("chat_message", Shown::Script),
    ("showcase_title", Shown::Html),
    ("showcase_description", Shown::Html),
    ("showcase_comment", Shown::Html),
    ("questionnaire_title", Shown::Html),
    ("questionnaire_prompt", Shown::Script),
    ("questionnaire_option", Shown::Script),
    ("event_title", Shown::Html),
    ("event_agenda", Shown::Html),
    ("event_location", Shown::Html),
    ("help_title", Shown::Html),
    ("help_description", Shown::Html),
    ("help_post", Shown::Html),
    ("partner_name", Shown::Html),
    ("partner_description", Shown::Html),
    ("partner_contact", Shown::Html),
    ("focus_goal", Shown::Html),
];

async fn post_json(app: &TestApp, who: &Launched, path: &str, body: Value) -> Value {
    let response = app
        .http
        .post(format!("{}/spaces/{}{path}", app.tool_url, who.space_id))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let reply: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "POST {path}: {status} {reply}");
    reply
}

const BOUNDARY: &str = "injection-boundary";

async fn publish(app: &TestApp, who: &Launched) -> i64 {
    let mut body = Vec::new();
    for (name, value) in [
        ("title", payload("showcase_title")),
        ("description", payload("showcase_description")),
        ("link", "https://example.org/report".to_string()),
    ] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}/showcase/items",
            app.tool_url, who.space_id
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let reply: Value = response.json().await.unwrap();
    assert!(status.is_success(), "publish: {status} {reply}");
    reply["id"].as_i64().unwrap()
}

/// Launches a student whose name, course title and activity title are payloads.
async fn hostile_launch(app: &TestApp) -> Launched {
    let student = choice("demo-student-1", "learner");
    let login = app.login(student.clone()).await;
    let (_, state) = app.authorize(&login).await;
    let token = app.signed_claims(&student, &login.nonce, |claims| {
        claims.insert("name".into(), json!(payload("launch_name")));
        let context = claims
            .get_mut(cowork::lti::claims::CONTEXT)
            .and_then(Value::as_object_mut)
            .expect("context claim");
        context.insert("title".into(), json!(payload("context_title")));
        let link = claims
            .get_mut(cowork::lti::claims::RESOURCE_LINK)
            .and_then(Value::as_object_mut)
            .expect("resource link claim");
        link.insert("title".into(), json!(payload("resource_link_title")));
    });
    app.launched(app.post_launch(&token, &state).await)
}

async fn html_of(app: &TestApp, who: &Launched, path: &str) -> String {
    let url = format!(
        "{}/spaces/{}{path}{}lt={}",
        app.tool_url,
        who.space_id,
        if path.contains('?') { "&" } else { "?" },
        token_of(who)
    );
    let response = app
        .http
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn no_user_text_renders_as_markup() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = hostile_launch(&app).await;

        let room = post_json(
            &app,
            &teacher,
            "/rooms",
            json!({
                "kind": "discussion",
                "name": payload("room_name"),
                "topic": payload("room_topic"),
                "positions": [payload("room_position"), "Keep"],
            }),
        )
        .await;
        assert!(room["id"].is_i64(), "{room}");

        let (mut socket, hello) = app.socket(&student).await;
        let open = open_room(&hello);
        socket.join(open).await;
        socket
            .send(json!({"type": "send", "room_id": open, "body": payload("chat_message")}))
            .await;
        let message = socket.next_of("message").await;
        let body_html = message["message"]["body_html"]
            .as_str()
            .unwrap_or_else(|| panic!("{backend:?}: no body_html in {message}"));
        assert!(!body_html.contains("<script"), "{backend:?}: {body_html}");
        assert!(
            body_html.contains(&escaped("chat_message")),
            "{backend:?}: {body_html}"
        );
        socket.close().await;

        let item = publish(&app, &student).await;
        post_json(
            &app,
            &teacher,
            &format!("/showcase/items/{item}/comments"),
            json!({"body": payload("showcase_comment")}),
        )
        .await;

        let questionnaire = post_json(
            &app,
            &teacher,
            "/questionnaires/list",
            json!({
                "title": payload("questionnaire_title"),
                "anonymous": false,
                "items": [
                    {"kind": "text", "prompt": payload("questionnaire_prompt")},
                    {"kind": "single", "prompt": "Pick one",
                     "options": [payload("questionnaire_option"), "Other"]},
                ],
            }),
        )
        .await;
        assert!(questionnaire["id"].is_i64(), "{questionnaire}");

        post_json(
            &app,
            &teacher,
            "/events",
            json!({
                "kind": "lecture", "title": payload("event_title"),
                "agenda": payload("event_agenda"), "location": payload("event_location"),
                "date": "2099-12-11", "time": "14:00", "duration_minutes": 60,
                "time_zone": "Europe/Moscow",
            }),
        )
        .await;

        let request = post_json(
            &app,
            &student,
            "/help/requests",
            json!({"title": payload("help_title"), "description": payload("help_description")}),
        )
        .await;
        let request_id = request["id"].as_i64().unwrap();
        post_json(
            &app,
            &teacher,
            &format!("/help/requests/{request_id}/posts"),
            json!({"body": payload("help_post")}),
        )
        .await;

        post_json(
            &app,
            &teacher,
            "/partners/entries",
            json!({
                "kind": "internship", "name": payload("partner_name"),
                "description": payload("partner_description"),
                "contact_name": payload("partner_contact"),
                "contact_email": "hr@example.org", "contact_url": "https://example.org",
                "deadline": "2099-12-31",
            }),
        )
        .await;

        post_json(
            &app,
            &student,
            "/focus/sessions",
            json!({"minutes": 25, "goal": payload("focus_goal")}),
        )
        .await;

        let pages = [
            (&teacher, String::new()),
            (&student, String::new()),
            (&teacher, "/manage".to_string()),
            (&teacher, "/events".to_string()),
            (&teacher, "/help".to_string()),
            (&teacher, "/partners".to_string()),
            (&teacher, "/showcase".to_string()),
            (&teacher, format!("/showcase/{item}")),
            (&student, "/focus".to_string()),
            (&teacher, "/focus".to_string()),
            (&teacher, "/questionnaires".to_string()),
            (&teacher, "/dashboard".to_string()),
            (&teacher, "/grades".to_string()),
            (&teacher, "/roster".to_string()),
        ];
        let mut all = String::new();
        for (who, path) in &pages {
            let html = html_of(&app, who, path).await;
            for (field, _) in FIELDS {
                assert!(
                    !html.contains(&format!("<script>mark_{field}")),
                    "{backend:?} {path}: {field} rendered as markup"
                );
            }
            all.push_str(&html);
        }
        let unseen: Vec<&str> = FIELDS
            .iter()
            .filter(|(field, shown)| *shown == Shown::Html && !all.contains(&escaped(field)))
            .map(|(field, _)| *field)
            .collect();
        assert!(
            unseen.is_empty(),
            "{backend:?}: fields shown escaped on no page: {unseen:?}"
        );
    }
}

#[test]
fn scripts_insert_only_sanitized_html() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "js") {
            continue;
        }
        let script = std::fs::read_to_string(&path).unwrap();
        for (number, line) in script.lines().enumerate() {
            let inserts_html = [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
            ]
            .iter()
            .any(|api| line.contains(api));
            if inserts_html && line.trim() != "body.innerHTML = message.body_html;" {
                found.push(format!(
                    "{}:{}: {}",
                    path.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "page scripts insert HTML other than sanitized body_html: {found:#?}"
    );
}
