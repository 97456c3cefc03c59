//! The room management page: what teachers and students each see on it.

mod common;

use common::{choice, spawn, token_of, Backend, Launched, TestApp};
use serde_json::json;

async fn page(app: &TestApp, launched: &Launched, space_id: i64) -> (u16, String) {
    let url = format!(
        "{}/spaces/{space_id}/manage?lt={}",
        app.tool_url,
        token_of(launched)
    );
    let response = app.http.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn create_room(app: &TestApp, launched: &Launched, name: &str) -> u16 {
    app.http
        .post(format!(
            "{}/spaces/{}/rooms",
            app.tool_url, launched.space_id
        ))
        .header("x-cowork-token", token_of(launched))
        .json(&json!({"kind": "team", "name": name}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn teacher_sees_all_controls() {
    let app = spawn(Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    app.launch(choice("demo-student-1", "learner")).await;
    assert_eq!(
        create_room(&app, &teacher, "Team <script>x</script>").await,
        201
    );

    let (status, html) = page(&app, &teacher, teacher.space_id).await;
    assert_eq!(status, 200);
    for section in [
        "id=\"settings\"",
        "id=\"mute\"",
        "id=\"create-room\"",
        "room.create",
    ] {
        assert!(html.contains(section), "teacher page lacks {section}");
    }
    assert!(html.contains("Anna Smirnova"), "students listed for muting");
    assert!(!html.contains("<script>x</script>"), "room name escaped");
    assert!(html.contains("Team &lt;script&gt;x&lt;/script&gt;"));
}

#[tokio::test]
async fn student_sees_only_own_controls() {
    let app = spawn(Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut russian = choice("demo-student-1", "learner");
    russian.locale = "ru".into();
    let student = app.launch(russian).await;

    let (status, html) = page(&app, &student, student.space_id).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"create-room\""),
        "students may create rooms by default"
    );
    for section in [
        "id=\"settings\"",
        "id=\"mute\"",
        "id=\"audit-heading\"",
        "data-action=\"archive\"",
    ] {
        assert!(!html.contains(section), "student page shows {section}");
    }
    assert!(html.contains("Комнаты и настройки"), "Russian interface");

    let settings = app
        .http
        .post(format!(
            "{}/spaces/{}/settings",
            app.tool_url, teacher.space_id
        ))
        .header("x-cowork-token", token_of(&teacher))
        .json(&json!({"students_create_rooms": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);
    let (_, html) = page(&app, &student, student.space_id).await;
    assert!(
        !html.contains("id=\"create-room\""),
        "creation hidden when not allowed"
    );
}

#[tokio::test]
async fn other_space_page_forbidden() {
    let app = spawn(Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut elsewhere = choice("demo-teacher-1", "instructor");
    elsewhere.course_id = "course-da201".into();
    let other = app.launch(elsewhere).await;
    let (status, _) = page(&app, &teacher, other.space_id).await;
    assert_eq!(status, 403);
}
