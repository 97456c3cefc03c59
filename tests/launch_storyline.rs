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

/// Launches `person` with the given AGS line item (none removes it from the claim) and
/// NRPS memberships URL, and returns the space id.
async fn launch_with_endpoints(
    app: &common::TestApp,
    person: &cowork::demo::LaunchChoice,
    lineitem: Option<&str>,
    memberships_url: &str,
) -> i64 {
    let login = app.login(person.clone()).await;
    let id_token = app.signed_claims(person, &login.nonce, |claims| {
        let ags = claims
            .get_mut(cowork::lti::claims::AGS_ENDPOINT)
            .and_then(|value| value.as_object_mut())
            .expect("the demo launch has an AGS claim");
        match lineitem {
            Some(url) => ags.insert("lineitem".into(), url.into()),
            None => ags.remove("lineitem"),
        };
        claims[cowork::lti::claims::NRPS]["context_memberships_url"] = memberships_url.into();
    });
    let response = app.post_launch(&id_token, &login.state).await;
    app.launched(response).space_id
}

#[tokio::test]
async fn relaunch_updates_changed_endpoints() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = choice("demo-teacher-1", "instructor");
        let stored = |space_id: i64| {
            let store = app.state.store.clone();
            async move {
                let target = store.grade_target(space_id).await.unwrap().unwrap();
                let source = store.roster_source(space_id).await.unwrap().unwrap();
                (target.lineitem_url, source.memberships_url)
            }
        };
        let first = "http://127.0.0.1:9/lineitems/1/lineitem";
        let second = "http://127.0.0.1:9/lineitems/2/lineitem";

        let space =
            launch_with_endpoints(&app, &teacher, Some(first), "http://127.0.0.1:9/a").await;
        let (lineitem, memberships) = stored(space).await;
        assert_eq!(lineitem.as_deref(), Some(first), "{backend:?}");
        assert_eq!(memberships, "http://127.0.0.1:9/a", "{backend:?}");

        launch_with_endpoints(&app, &teacher, Some(second), "http://127.0.0.1:9/b").await;
        let (lineitem, memberships) = stored(space).await;
        assert_eq!(
            lineitem.as_deref(),
            Some(second),
            "{backend:?}: new line item"
        );
        assert_eq!(
            memberships, "http://127.0.0.1:9/b",
            "{backend:?}: new roster"
        );

        launch_with_endpoints(&app, &teacher, Some(second), "http://127.0.0.1:9/b").await;
        let (lineitem, memberships) = stored(space).await;
        assert_eq!(
            lineitem.as_deref(),
            Some(second),
            "{backend:?}: same line item"
        );
        assert_eq!(
            memberships, "http://127.0.0.1:9/b",
            "{backend:?}: same roster"
        );

        // A launch without a line item keeps the one stored, as the upsert does.
        launch_with_endpoints(&app, &teacher, None, "http://127.0.0.1:9/b").await;
        let (lineitem, _) = stored(space).await;
        assert_eq!(
            lineitem.as_deref(),
            Some(second),
            "{backend:?}: kept line item"
        );
    }
}

/// A course renamed in the platform renames its space at the next launch, and launches
/// that bring the stored names leave the space as it is.
#[tokio::test]
async fn renamed_course_renames_space() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard) = common::fresh_store_with_guard(backend, dir.path()).await;
        let now = cowork::unix_now();
        let launch = |title: &str, link_title: Option<&str>| cowork::store::LaunchRecord {
            issuer: "https://moodle.example.edu".into(),
            deployment_id: "1".into(),
            context_id: "course-7".into(),
            context_title: Some(title.into()),
            context_label: Some("SOC7".into()),
            resource_link_id: "link-1".into(),
            resource_link_title: link_title.map(Into::into),
            space_id: None,
            user: Some(cowork::store::LaunchUser {
                subject: "s-1".into(),
                name: Some("Ana Student".into()),
                given_name: None,
                family_name: None,
            }),
            role: "student".into(),
            session_id: cowork::random_token(18),
            locale: None,
            return_url: None,
            document_target: None,
            platform_origin: "https://moodle.example.edu".into(),
            session_expires_at: now + 3600,
        };
        let title_of = |session_id: String| {
            let store = store.clone();
            async move {
                let view = store.session(&session_id, now).await.unwrap().unwrap();
                (view.space_id, view.context_title, view.resource_link_title)
            }
        };

        let first = launch("Sociology 7", None);
        let space = store.record_launch(&first, now).await.unwrap();
        let same = launch("Sociology 7", None);
        assert_eq!(store.record_launch(&same, now).await.unwrap(), space);
        assert_eq!(
            title_of(same.session_id.clone()).await,
            (space, Some("Sociology 7".into()), None),
            "{backend:?}"
        );

        let renamed = launch("Sociology 7 (spring)", Some("Coworking"));
        assert_eq!(store.record_launch(&renamed, now).await.unwrap(), space);
        assert_eq!(
            title_of(renamed.session_id.clone()).await,
            (
                space,
                Some("Sociology 7 (spring)".into()),
                Some("Coworking".into())
            ),
            "{backend:?}"
        );
        // The earlier session shows the new names too, because they belong to the space.
        assert_eq!(
            title_of(first.session_id.clone()).await.1,
            Some("Sociology 7 (spring)".into()),
            "{backend:?}"
        );
        store.close().await;
    }
}
