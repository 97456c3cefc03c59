//! Markup injection through every user text field, on every configured backend. Each
//! field carries its own `<script>` payload, and no page of the space may contain a
//! payload as markup. Each field that the server renders must show escaped on some page.
//! Page scripts insert the other fields as text, and a chat message as sanitized HTML.
//! Error pages that repeat a rejected value, and the deep linking picker, are checked too.

mod common;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use common::{backends, choice, open_room, spawn, token_of, Launched, TestApp};
use cowork::demo::LaunchChoice;
use cowork::lti::{claims, nrps};
use cowork::store::focus::NewFocus;
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// Returns the payload of `field`: a script element that names the field.
fn payload(field: &str) -> String {
    format!("<script>mark_{field}()</script>")
}

fn escaped(field: &str) -> String {
    format!("&lt;script&gt;mark_{field}()&lt;/script&gt;")
}

/// Asserts that `html` contains the payload of `field` escaped and nowhere as markup.
fn assert_escaped(html: &str, field: &str, context: &str) {
    assert!(
        !html.contains(&format!("<script>mark_{field}")),
        "{context}: {field} rendered as markup"
    );
    assert!(
        html.contains(&escaped(field)),
        "{context}: {field} not shown escaped: {html}"
    );
}

/// Where a field's text is rendered: in the server's HTML, only by a page script, only
/// in JSON documents, or nowhere. Page scripts insert text with DOM text APIs;
/// `scripts_insert_only_sanitized_html` checks that the one HTML they insert is a chat
/// message's sanitized `body_html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Html,
    Script,
    /// Returned only in JSON documents, which must be served as `application/json`.
    Json,
    /// Stored, but no page or JSON document of the space returns it.
    Stored,
}

/// Every user text field that a space stores, with where it is rendered.
const FIELDS: &[(&str, Shown)] = &[
    ("launch_name", Shown::Html),
    ("launch_given_name", Shown::Json),
    ("launch_family_name", Shown::Json),
    ("roster_name", Shown::Html),
    ("roster_given_name", Shown::Stored),
    ("roster_family_name", Shown::Stored),
    ("context_title", Shown::Html),
    ("resource_link_title", Shown::Html),
    ("room_name", Shown::Html),
    ("room_topic", Shown::Script),
    ("room_position", Shown::Script),
    ("chat_message", Shown::Script),
    ("showcase_title", Shown::Html),
    ("showcase_description", Shown::Html),
    ("showcase_comment", Shown::Html),
    ("showcase_works", Shown::Html),
    ("showcase_improve", Shown::Html),
    ("questionnaire_title", Shown::Html),
    ("questionnaire_description", Shown::Html),
    ("questionnaire_prompt", Shown::Html),
    ("questionnaire_option", Shown::Html),
    ("questionnaire_answer", Shown::Html),
    ("event_title", Shown::Html),
    ("event_agenda", Shown::Html),
    ("event_location", Shown::Html),
    ("help_title", Shown::Html),
    ("help_description", Shown::Html),
    ("help_post", Shown::Html),
    ("help_thanks", Shown::Html),
    ("partner_name", Shown::Html),
    ("partner_description", Shown::Html),
    ("partner_contact", Shown::Html),
    ("partner_interest_note", Shown::Html),
    ("focus_goal", Shown::Html),
    ("focus_note", Shown::Html),
    ("grade_award_reason", Shown::Html),
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

/// Posts `body` with `Accept: text/html`, asserts that the server rejects it with a 400
/// HTML error page, and returns the page.
async fn rejected_html(app: &TestApp, who: &Launched, path: &str, body: Value) -> String {
    let response = app
        .http
        .post(format!("{}/spaces/{}{path}", app.tool_url, who.space_id))
        .header("x-cowork-token", token_of(who))
        .header("accept", "text/html")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "POST {path}");
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("text/html"),
        "POST {path}: {content_type}"
    );
    response.text().await.unwrap()
}

/// Reads a JSON document with `Accept: text/html`, as a browser navigating to it sends,
/// and asserts that it is served as `application/json` with `nosniff`, so no browser
/// renders it as a page.
async fn json_document(app: &TestApp, who: &Launched, path: &str) -> String {
    let url = format!(
        "{}/spaces/{}{path}?lt={}",
        app.tool_url,
        who.space_id,
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
    let headers = response.headers();
    let content_type = headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "GET {path}: {content_type}"
    );
    assert_eq!(
        headers[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff",
        "GET {path}"
    );
    response.text().await.unwrap()
}

/// Starts a membership service that lists the two launched people without names, and
/// one member who never launched, whose names are payloads. Returns its URL.
async fn membership_service() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/memberships", listener.local_addr().unwrap());
    let body = json!({
        "id": url,
        "context": {"id": "course-bc101", "title": "Course"},
        "members": [
            {"user_id": "demo-teacher-1", "roles": ["Instructor"], "status": "Active"},
            {"user_id": "demo-student-1", "roles": ["Learner"], "status": "Active"},
            {
                "user_id": "roster-only-1", "roles": ["Learner"], "status": "Active",
                "name": payload("roster_name"),
                "given_name": payload("roster_given_name"),
                "family_name": payload("roster_family_name"),
            },
        ],
    })
    .to_string();
    let router = Router::new().route(
        "/memberships",
        get(move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    format!("{}; charset=utf-8", nrps::MEMBERSHIP_CONTAINER),
                )],
                body,
            )
                .into_response()
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// Launches a student whose names, course title and activity title are payloads. With
/// `memberships_url`, the launch names that URL as the course's membership service.
async fn hostile_launch(app: &TestApp, memberships_url: Option<&str>) -> Launched {
    let student = choice("demo-student-1", "learner");
    let login = app.login(student.clone()).await;
    let (_, state) = app.authorize(&login).await;
    let token = app.signed_claims(&student, &login.nonce, |claim_set| {
        claim_set.insert("name".into(), json!(payload("launch_name")));
        claim_set.insert("given_name".into(), json!(payload("launch_given_name")));
        claim_set.insert("family_name".into(), json!(payload("launch_family_name")));
        if let Some(url) = memberships_url {
            claim_set.insert(
                claims::NRPS.into(),
                json!({"context_memberships_url": url, "service_versions": ["2.0"]}),
            );
        }
        let context = claim_set
            .get_mut(claims::CONTEXT)
            .and_then(Value::as_object_mut)
            .expect("context claim");
        context.insert("title".into(), json!(payload("context_title")));
        let link = claim_set
            .get_mut(claims::RESOURCE_LINK)
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
        let memberships = membership_service().await;
        let student = hostile_launch(&app, Some(&memberships)).await;

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
        post_json(
            &app,
            &teacher,
            &format!("/showcase/items/{item}/feedback"),
            json!({
                "clarity": 4, "originality": 3, "usefulness": 5,
                "works": payload("showcase_works"), "improve": payload("showcase_improve"),
            }),
        )
        .await;

        let questionnaire = post_json(
            &app,
            &teacher,
            "/questionnaires/list",
            json!({
                "title": payload("questionnaire_title"),
                "description": payload("questionnaire_description"),
                "anonymous": false,
                "items": [
                    {"kind": "text", "prompt": payload("questionnaire_prompt")},
                    {"kind": "single", "prompt": "Pick one",
                     "options": [payload("questionnaire_option"), "Other"]},
                ],
            }),
        )
        .await;
        let questionnaire_id = questionnaire["id"].as_i64().expect("questionnaire id");
        let item_ids: Vec<i64> = questionnaire["items"]
            .as_array()
            .expect("questionnaire items")
            .iter()
            .map(|item| item["id"].as_i64().unwrap())
            .collect();
        post_json(
            &app,
            &teacher,
            &format!("/questionnaires/{questionnaire_id}/status"),
            json!({"status": "open"}),
        )
        .await;
        post_json(
            &app,
            &student,
            &format!("/questionnaires/{questionnaire_id}/response"),
            json!({"answers": [
                {"item_id": item_ids[0], "text": payload("questionnaire_answer")},
                {"item_id": item_ids[1], "value": 0},
            ]}),
        )
        .await;

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

        // Tags allow no markup characters, so the rejection's error page repeats the tag.
        let tag_error = rejected_html(
            &app,
            &student,
            "/help/requests",
            json!({
                "title": "Tagged", "description": "Tagged",
                "tags": [payload("help_tag")],
            }),
        )
        .await;
        assert_escaped(&tag_error, "help_tag", &format!("{backend:?} tag error"));

        let request = post_json(
            &app,
            &student,
            "/help/requests",
            json!({
                "title": payload("help_title"), "description": payload("help_description"),
                "tags": ["essay"],
            }),
        )
        .await;
        let request_id = request["id"].as_i64().unwrap();
        let student_id = request["asker_id"].as_i64().expect("asker id");
        let post = post_json(
            &app,
            &teacher,
            &format!("/help/requests/{request_id}/posts"),
            json!({"body": payload("help_post")}),
        )
        .await;
        let teacher_id = post["author_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{backend:?}: no author in {post}"));
        post_json(
            &app,
            &student,
            &format!("/help/requests/{request_id}/resolve"),
            json!({"helper_id": teacher_id, "thanks": payload("help_thanks")}),
        )
        .await;

        let partner = post_json(
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
        let partner_id = partner["id"].as_i64().expect("partner entry id");
        post_json(
            &app,
            &student,
            &format!("/partners/entries/{partner_id}/interest"),
            json!({"note": payload("partner_interest_note")}),
        )
        .await;

        // A session whose time is up, so the student can check in on it at once.
        let finished = NewFocus {
            space_id: student.space_id,
            user_id: student_id,
            goal: "Outline the essay".into(),
            minutes: 25,
        };
        let finished_id = app
            .state
            .store
            .start_focus(&finished, cowork::unix_now() - 26 * 60)
            .await
            .unwrap()
            .expect("no other open focus session")
            .id;
        post_json(
            &app,
            &student,
            &format!("/focus/sessions/{finished_id}/check-in"),
            json!({"outcome": "partly", "note": payload("focus_note")}),
        )
        .await;
        post_json(
            &app,
            &student,
            "/focus/sessions",
            json!({"minutes": 25, "goal": payload("focus_goal")}),
        )
        .await;

        post_json(
            &app,
            &teacher,
            "/grades/awards",
            json!({"user_id": student_id, "points": 2, "reason": payload("grade_award_reason")}),
        )
        .await;

        let refreshed = post_json(&app, &teacher, "/roster/refresh", json!({})).await;
        assert_eq!(refreshed["members"], 3, "{backend:?}: {refreshed}");

        let pages = [
            (&teacher, String::new()),
            (&student, String::new()),
            (&teacher, "/manage".to_string()),
            (&teacher, "/events".to_string()),
            (&teacher, "/help".to_string()),
            (&student, "/help".to_string()),
            (&teacher, "/partners".to_string()),
            (&student, "/partners".to_string()),
            (&teacher, "/showcase".to_string()),
            (&teacher, format!("/showcase/{item}")),
            (&student, format!("/showcase/{item}")),
            (&student, "/focus".to_string()),
            (&teacher, "/focus".to_string()),
            (&teacher, "/questionnaires".to_string()),
            (&student, "/questionnaires".to_string()),
            (
                &teacher,
                format!("/questionnaires/{questionnaire_id}/report"),
            ),
            (&teacher, "/dashboard".to_string()),
            (&teacher, "/grades".to_string()),
            (&teacher, "/roster".to_string()),
            (&teacher, "/privacy".to_string()),
            (&teacher, "/export".to_string()),
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

        // The erase button repeats the name in an attribute.
        let privacy = html_of(&app, &teacher, "/privacy").await;
        assert!(
            privacy.contains(&format!("data-name=\"{}\"", escaped("launch_name"))),
            "{backend:?}: the erase button's data-name is not the escaped name"
        );

        // These routes return only JSON: the detail views of a help request and of a
        // partner entry, the audit log and a person's privacy export.
        let documents = [
            format!("/help/requests/{request_id}"),
            format!("/partners/entries/{partner_id}"),
            "/audit".to_string(),
            format!("/privacy/people/{student_id}/export"),
        ];
        let mut json_text = String::new();
        for path in &documents {
            json_text.push_str(&json_document(&app, &teacher, path).await);
        }
        let missing: Vec<&str> = FIELDS
            .iter()
            .filter(|(field, shown)| *shown == Shown::Json && !json_text.contains(&payload(field)))
            .map(|(field, _)| *field)
            .collect();
        assert!(
            missing.is_empty(),
            "{backend:?}: JSON-only fields in no JSON document: {missing:?}"
        );
    }
}

/// Posts the deep linking picker's form and returns the rejection, as HTML or as JSON.
async fn picker_rejection(
    app: &TestApp,
    picker: &str,
    accept: &str,
    fields: &[(&str, &str)],
) -> String {
    let response = app
        .http
        .post(format!("{}{picker}", app.tool_url))
        .header("accept", accept)
        .form(fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "{fields:?}");
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with(accept),
        "{fields:?}: {content_type}"
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn deep_link_picker_escapes_text() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        // The student's launch names the course's space with a payload as its title.
        hostile_launch(&app, None).await;
        post_json(
            &app,
            &teacher,
            "/rooms",
            json!({"kind": "team", "name": payload("room_name")}),
        )
        .await;

        let request = LaunchChoice {
            deep_linking: true,
            ..choice("demo-teacher-1", "instructor")
        };
        let login = app.login(request.clone()).await;
        let token = app.signed_claims(&request, &login.nonce, |claim_set| {
            claim_set[claims::CONTEXT]["title"] = json!(payload("picker_course_title"));
            let settings = &mut claim_set[claims::DEEP_LINKING_SETTINGS];
            settings["title"] = json!(payload("picker_item_title"));
            settings["text"] = json!(payload("picker_item_text"));
        });
        let response = app.post_launch(&token, &login.state).await;
        assert_eq!(response.status(), 303, "{backend:?}: deep linking launch");
        let picker = response.headers()["location"].to_str().unwrap().to_string();

        let page = app
            .http
            .get(format!("{}{picker}", app.tool_url))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{backend:?}: picker");
        let html = page.text().await.unwrap();
        for field in [
            "picker_course_title",
            "picker_item_title",
            "picker_item_text",
            "resource_link_title",
            "room_name",
        ] {
            assert_escaped(&html, field, &format!("{backend:?} picker"));
        }

        let choice_value = payload("picker_choice");
        let presentation = payload("picker_presentation");
        let cases: [(&str, Vec<(&str, &str)>); 2] = [
            (
                "picker_choice",
                vec![("item", choice_value.as_str()), ("action", "add")],
            ),
            (
                "picker_presentation",
                vec![
                    ("item", "space"),
                    ("title-space", "Studio"),
                    ("presentation", presentation.as_str()),
                    ("action", "add"),
                ],
            ),
        ];
        for (field, fields) in &cases {
            let context = format!("{backend:?} {field} error");
            let reply = picker_rejection(&app, &picker, "application/json", fields).await;
            let reply: Value = serde_json::from_str(&reply).unwrap();
            let message = reply["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(&payload(field)),
                "{context}: the message repeats the value: {reply}"
            );
            let html = picker_rejection(&app, &picker, "text/html", fields).await;
            assert_escaped(&html, field, &context);
        }
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
