//! The launch storyline over real HTTP, on every configured backend: a teacher and two
//! students launch into one space and see each other.

mod common;

use common::{backends, choice, spawn};

#[tokio::test]
async fn teacher_and_students_share_space() {
    for backend in backends() {
        let app = spawn(backend).await;

        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let page = app.http.get(&teacher.space_url).send().await.unwrap();
        assert_eq!(page.status(), 200, "{backend:?}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Business Communication"),
            "{backend:?}: course title"
        );
        assert!(
            html.contains("BC101 coworking space"),
            "{backend:?}: activity title"
        );
        assert!(html.contains("Irina Petrova"), "{backend:?}: teacher name");
        assert!(html.contains("role-teacher"), "{backend:?}: teacher role");

        let student = app.launch(choice("demo-student-1", "learner")).await;
        assert_eq!(
            student.space_id, teacher.space_id,
            "{backend:?}: one space per link"
        );
        let html = app
            .http
            .get(&student.space_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Anna Smirnova"), "{backend:?}: student name");
        assert!(html.contains("role-student"), "{backend:?}: student role");
        assert!(
            html.contains("Irina Petrova"),
            "{backend:?}: teacher listed as recently here"
        );

        let second = app.launch(choice("demo-student-2", "learner")).await;
        let html = app
            .http
            .get(&second.space_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Anna Smirnova"),
            "{backend:?}: first student listed"
        );
        assert!(html.contains("Boris Ivanov"), "{backend:?}: own name shown");
    }
}

#[tokio::test]
async fn session_cookie_alone_opens_space() {
    for backend in backends() {
        let app = spawn(backend).await;
        let launched = app.launch(choice("demo-student-1", "learner")).await;
        let cookie_pair = launched.cookie.split(';').next().unwrap().to_string();
        assert!(launched.cookie.contains("SameSite=None"), "{backend:?}");
        assert!(launched.cookie.contains("Secure"), "{backend:?}");
        assert!(launched.cookie.contains("Partitioned"), "{backend:?}");
        assert!(launched.cookie.contains("HttpOnly"), "{backend:?}");

        let url = format!("{}/spaces/{}", app.tool_url, launched.space_id);
        let with_cookie = app
            .http
            .get(&url)
            .header("cookie", &cookie_pair)
            .send()
            .await
            .unwrap();
        assert_eq!(with_cookie.status(), 200, "{backend:?}: cookie alone");
        let without = app.http.get(&url).send().await.unwrap();
        assert_eq!(
            without.status(),
            401,
            "{backend:?}: neither token nor cookie"
        );
    }
}

#[tokio::test]
async fn session_for_other_space_forbidden() {
    for backend in backends() {
        let app = spawn(backend).await;
        let mut other_course = choice("demo-student-1", "learner");
        other_course.course_id = "course-da201".into();
        let first = app.launch(choice("demo-student-1", "learner")).await;
        let second = app.launch(other_course).await;
        assert_ne!(first.space_id, second.space_id, "{backend:?}");

        let token = first.space_url.split("lt=").nth(1).unwrap();
        let url = format!("{}/spaces/{}?lt={token}", app.tool_url, second.space_id);
        let response = app.http.get(&url).send().await.unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: token of another space"
        );
    }
}

#[tokio::test]
async fn russian_launch_gets_russian_page() {
    let app = spawn(common::Backend::Sqlite).await;
    app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut russian = choice("demo-student-1", "learner");
    russian.locale = "ru-RU".into();
    let launched = app.launch(russian).await;
    let html = app
        .http
        .get(&launched.space_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"ru\">"), "page language");
    assert!(html.contains("Комнаты"), "rooms heading");
    assert!(html.contains("Недавно здесь"), "recently here heading");
    assert!(html.contains("Преподаватель"), "teacher role label");
    assert!(html.contains("только что"), "relative time");
    assert!(html.contains("\"send\":\"Отправить\""), "script strings");
    assert!(
        html.contains("\"in_room\":\"комната «{room}»\""),
        "placeholders kept for the scripts"
    );
}
