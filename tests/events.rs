//! Events with RSVP and iCalendar export, over real HTTP on every configured backend.

mod common;

use common::{backends, choice, spawn, token_of, Launched, TestApp};
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

async fn get_text(app: &TestApp, launched: &Launched, path: &str) -> (u16, String) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let url = format!(
        "{}/spaces/{}{path}{separator}lt={}",
        app.tool_url,
        launched.space_id,
        token_of(launched)
    );
    let response = app.http.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn lecture(title: &str) -> Value {
    json!({
        "kind": "lecture",
        "title": title,
        "agenda": "1. Markets\n2. **Questions**",
        "location": "https://meet.example.edu/room",
        "date": "2099-12-11",
        "time": "14:00",
        "duration_minutes": 90,
        "time_zone": "Europe/Moscow",
    })
}

#[tokio::test]
async fn teacher_plans_students_reply() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;

        let (status, created) =
            post_json(&app, &teacher, "/events", lecture("Panoramic lecture")).await;
        assert_eq!(status, 201, "{backend:?}: {created}");
        let event_id = created["id"].as_i64().unwrap();
        // 2099-12-11 14:00 in Moscow (UTC+3) is 11:00 UTC.
        assert_eq!(created["starts_at"], 4_100_670_000i64, "{backend:?}");
        assert_eq!(
            created["agenda_html"],
            "<ol>\n<li>Markets</li>\n<li><strong>Questions</strong></li>\n</ol>\n",
            "{backend:?}"
        );

        let (status, reply) = post_json(
            &app,
            &student,
            &format!("/events/{event_id}/rsvp"),
            json!({"response": "yes"}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {reply}");
        assert_eq!(reply["yes_count"], 1, "{backend:?}");
        let (_, reply) = post_json(
            &app,
            &student,
            &format!("/events/{event_id}/rsvp"),
            json!({"response": "maybe"}),
        )
        .await;
        assert_eq!(
            reply["yes_count"], 0,
            "{backend:?}: a reply replaces the earlier one"
        );
        assert_eq!(reply["maybe_count"], 1, "{backend:?}");

        let (status, page) = get_text(&app, &student, "/events").await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(page.contains("Panoramic lecture"), "{backend:?}");
        assert!(page.contains("Europe/Moscow"), "{backend:?}");
        assert!(
            page.contains("value=\"maybe\" checked"),
            "{backend:?}: own reply shown"
        );

        let url = format!(
            "{}/spaces/{}/events/{event_id}/rsvps",
            app.tool_url, teacher.space_id
        );
        let listed: Value = app
            .http
            .get(&url)
            .header("x-cowork-token", token_of(&teacher))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["rsvps"][0]["name"], "Anna Smirnova", "{backend:?}");
        let denied = app
            .http
            .get(&url)
            .header("x-cowork-token", token_of(&student))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(
            denied.status(),
            403,
            "{backend:?}: students do not see who replied"
        );

        let interactions = app
            .state
            .store
            .interactions(teacher.space_id, 0)
            .await
            .unwrap();
        assert!(
            interactions
                .iter()
                .any(|i| i.kind == "event_rsvp" && i.subject_id == Some(event_id)),
            "{backend:?}"
        );
        let audit = app
            .state
            .store
            .audit_entries(teacher.space_id, 10)
            .await
            .unwrap();
        assert_eq!(audit[0].action, "event.create", "{backend:?}");
    }
}

#[tokio::test]
async fn calendar_export_in_utc() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (_, created) =
            post_json(&app, &teacher, "/events", lecture("Markets, firms; prices")).await;
        let event_id = created["id"].as_i64().unwrap();

        let (status, ics) = get_text(&app, &teacher, "/events.ics").await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{backend:?}: {ics}");
        assert!(
            ics.contains("DTSTART:20991211T110000Z\r\n"),
            "{backend:?}: {ics}"
        );
        assert!(
            ics.contains("DTEND:20991211T123000Z\r\n"),
            "{backend:?}: {ics}"
        );
        assert!(
            ics.contains("SUMMARY:Markets\\, firms\\; prices\r\n"),
            "{backend:?}: {ics}"
        );
        assert!(
            ics.contains(&format!("UID:event-{event_id}@127.0.0.1\r\n")),
            "{backend:?}: {ics}"
        );
        assert!(ics.contains("STATUS:CONFIRMED"), "{backend:?}");

        let (status, _) = post_json(
            &app,
            &teacher,
            &format!("/events/{event_id}/cancel"),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        let (_, ics) = get_text(&app, &teacher, "/events.ics").await;
        assert!(ics.contains("STATUS:CANCELLED"), "{backend:?}");
        assert!(
            ics.contains("SEQUENCE:1"),
            "{backend:?}: cancellation bumps the sequence"
        );

        let anonymous = app
            .http
            .get(format!(
                "{}/spaces/{}/events.ics",
                app.tool_url, teacher.space_id
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            anonymous.status(),
            401,
            "{backend:?}: export needs a session"
        );
    }
}

#[tokio::test]
async fn students_cannot_plan_events() {
    let app = spawn(common::Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let (status, error) = post_json(&app, &student, "/events", lecture("Student party")).await;
    assert_eq!(status, 403, "{error}");
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let (_, created) = post_json(&app, &teacher, "/events", lecture("Lecture")).await;
    let event_id = created["id"].as_i64().unwrap();
    let (status, _) = post_json(
        &app,
        &student,
        &format!("/events/{event_id}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = post_json(
        &app,
        &student,
        &format!("/events/{event_id}"),
        lecture("Renamed"),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn invalid_events_rejected_with_reason() {
    let app = spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut cases = Vec::new();
    for (field, value, reason) in [
        ("time_zone", json!("Mars/Olympus"), "IANA time zone"),
        ("date", json!("11.12.2099"), "YYYY-MM-DD"),
        ("duration_minutes", json!(0), "duration_minutes"),
        ("kind", json!("party"), "is not one of"),
        ("title", json!(" "), "title must be"),
    ] {
        let mut body = lecture("Lecture");
        body[field] = value;
        cases.push((body, reason));
    }
    for (body, reason) in cases {
        let (status, error) = post_json(&app, &teacher, "/events", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            error["message"].as_str().unwrap().contains(reason),
            "{body}: {error}"
        );
    }
    let (_, created) = post_json(&app, &teacher, "/events", lecture("Lecture")).await;
    let event_id = created["id"].as_i64().unwrap();
    let (status, _) = post_json(
        &app,
        &teacher,
        &format!("/events/{event_id}/rsvp"),
        json!({"response": "perhaps"}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn other_space_events_unreachable() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let mut elsewhere = choice("demo-student-1", "learner");
        elsewhere.course_id = "course-da201".into();
        let outsider = app.launch(elsewhere).await;
        let (_, created) = post_json(&app, &teacher, "/events", lecture("BC101 only")).await;
        let event_id = created["id"].as_i64().unwrap();

        let (status, _) = post_json(
            &app,
            &outsider,
            &format!("/events/{event_id}/rsvp"),
            json!({"response": "yes"}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: event of another space");
        let (_, page) = get_text(&app, &outsider, "/events").await;
        assert!(!page.contains("BC101 only"), "{backend:?}");
        let (_, ics) = get_text(&app, &outsider, "/events.ics").await;
        assert!(!ics.contains("BC101 only"), "{backend:?}");
        let event = app
            .state
            .store
            .event(teacher.space_id, event_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(event.yes_count, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn event_page_escapes_and_translates() {
    let app = spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut body = lecture("<script>alert(1)</script>");
    body["agenda"] = json!("<img src=x onerror=alert(1)>");
    let (status, _) = post_json(&app, &teacher, "/events", body).await;
    assert_eq!(status, 201);
    let mut russian = choice("demo-student-1", "learner");
    russian.locale = "ru".into();
    let student = app.launch(russian).await;
    let (_, page) = get_text(&app, &student, "/events").await;
    assert!(!page.contains("<script>alert(1)"), "title escaped");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "title shown as text"
    );
    assert!(!page.contains("<img src=x"), "agenda sanitized");
    assert!(page.contains("lang=\"ru\""), "page language");
    assert!(page.contains("Вы придёте?"), "Russian interface");
    assert!(page.contains("0 человек придут"), "Russian plural for zero");
}
