//! The grade outbox end to end: cowork computes grades from the interaction log and its
//! worker delivers them to the demo platform's gradebook through failures.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{choice, token_of, Launched, TestApp};
use cowork::store::chat::Interaction;
use cowork::store::grades::{GradedMember, NewGrade, OutboxRow};

/// A course with a teacher and three students, and the students as cowork stores them.
async fn course(app: &TestApp) -> (Launched, Vec<GradedMember>) {
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    for student in ["demo-student-1", "demo-student-2", "demo-student-3"] {
        app.launch(choice(student, "learner")).await;
    }
    let members = app
        .state
        .store
        .graded_members(teacher.space_id)
        .await
        .unwrap();
    assert_eq!(members.len(), 3);
    (teacher, members)
}

fn member<'a>(members: &'a [GradedMember], subject: &str) -> &'a GradedMember {
    members.iter().find(|m| m.subject == subject).unwrap()
}

/// Records `count` resolved help requests by `helper` (3 points each by default).
async fn helped(app: &TestApp, space_id: i64, helper: i64, count: usize) {
    for _ in 0..count {
        app.state
            .store
            .record_interaction(&Interaction {
                space_id,
                actor_id: helper,
                target_id: None,
                room_id: None,
                kind: "help_given".into(),
                subject_id: None,
                created_at: cowork::unix_now(),
            })
            .await
            .unwrap();
    }
}

async fn sync(app: &TestApp, teacher: &Launched) -> serde_json::Value {
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}/grades/sync",
            app.tool_url, teacher.space_id
        ))
        .header("x-cowork-token", token_of(teacher))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sync");
    response.json().await.unwrap()
}

async fn outbox(app: &TestApp, space_id: i64) -> Vec<OutboxRow> {
    app.state.store.outbox(space_id, 1000).await.unwrap()
}

/// Polls `check` every 100 ms for up to `secs` seconds.
async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn fast_retry_app(backend: common::Backend) -> TestApp {
    common::spawn_with(backend, |config| {
        config.grade_retry_base_secs = 1;
        config.grade_retry_max_delay_secs = 1;
    })
    .await
}

#[tokio::test]
async fn platform_down_then_back_delivers_newest_once() {
    for backend in common::backends() {
        let app = fast_retry_app(backend).await;
        let (teacher, members) = course(&app).await;
        let space = teacher.space_id;
        let first = member(&members, "demo-student-1").user_id;
        let second = member(&members, "demo-student-2").user_id;
        app.faults.set_down(true);
        helped(&app, space, first, 1).await;
        helped(&app, space, second, 2).await;
        assert_eq!(sync(&app, &teacher).await["enqueued"], 3, "{backend:?}");

        eventually(15, "retries while the platform is down", || async {
            outbox(&app, space).await.iter().any(|row| {
                row.attempts >= 2 && row.last_error.as_deref().is_some_and(|e| e.contains("503"))
            })
        })
        .await;
        assert!(app.platform.gradebook.accepted().is_empty());

        // A newer grade for the first student replaces the unsent one.
        helped(&app, space, first, 2).await;
        assert_eq!(sync(&app, &teacher).await["enqueued"], 1);
        app.faults.set_down(false);

        eventually(20, "every grade accepted", || async {
            outbox(&app, space)
                .await
                .iter()
                .all(|row| row.status == "sent" || row.status == "superseded")
        })
        .await;
        // The gradebook keeps the newest grade of each student.
        let book = &app.platform.gradebook;
        let grades = book.grades();
        assert_eq!(grades.len(), 3, "{backend:?}: {grades:?}");
        let score_of = |subject: &str| {
            grades
                .iter()
                .find(|g| g.user_id == subject)
                .unwrap()
                .score_given
        };
        assert_eq!(score_of("demo-student-1"), 90.0, "the newest grade wins");
        assert_eq!(score_of("demo-student-2"), 60.0);
        assert_eq!(score_of("demo-student-3"), 0.0);

        // Each grade arrives once. The first student's older grade may arrive too: it
        // can already be on its way when the newer one is computed, and then the newer
        // one follows it, a second later.
        let accepted = book.accepted();
        let arrivals = |subject: &str| accepted.iter().filter(|g| g.user_id == subject).count();
        assert_eq!(arrivals("demo-student-2"), 1, "{accepted:?}");
        assert_eq!(arrivals("demo-student-3"), 1, "{accepted:?}");
        assert!(
            (1..=2).contains(&arrivals("demo-student-1")),
            "{accepted:?}"
        );
        let last_of_first = accepted
            .iter()
            .rfind(|g| g.user_id == "demo-student-1")
            .unwrap();
        assert_eq!(last_of_first.score_given, 90.0, "the newest arrives last");
        let rows = outbox(&app, space).await;
        let of_first: Vec<&str> = rows
            .iter()
            .filter(|r| r.user_id == first)
            .map(|r| r.status.as_str())
            .collect();
        assert_eq!(of_first.len(), 2, "{of_first:?}");
        let superseded = of_first.iter().filter(|s| **s == "superseded").count();
        assert_eq!(superseded + arrivals("demo-student-1"), 2, "{of_first:?}");
    }
}

#[tokio::test]
async fn rejected_score_is_dead_letter_until_retried() {
    for backend in common::backends() {
        let app = fast_retry_app(backend).await;
        let (teacher, members) = course(&app).await;
        let space = teacher.space_id;
        let first = member(&members, "demo-student-1").user_id;
        app.platform.gradebook.unenroll("demo-student-1");
        helped(&app, space, first, 1).await;
        sync(&app, &teacher).await;

        eventually(10, "a dead letter", || async {
            outbox(&app, space)
                .await
                .iter()
                .any(|row| row.status == "dead")
        })
        .await;
        let rows = outbox(&app, space).await;
        let dead = rows.iter().find(|row| row.status == "dead").unwrap();
        assert_eq!(dead.user_id, first, "{backend:?}");
        assert!(
            dead.last_error.as_deref().unwrap().contains("400"),
            "{:?}",
            dead.last_error
        );
        assert_eq!(dead.attempts, 1, "a 400 is not retried");

        let preview: serde_json::Value = app
            .http
            .get(format!("{}/spaces/{space}/grades/preview", app.tool_url))
            .header("x-cowork-token", token_of(&teacher))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(preview["dead_letters"][0]["id"], dead.id);

        app.platform.gradebook.enroll("demo-student-1");
        let retried = app
            .http
            .post(format!(
                "{}/spaces/{space}/grades/outbox/{}/retry",
                app.tool_url, dead.id
            ))
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(retried.status(), 200);
        eventually(10, "the retried grade accepted", || async {
            app.platform
                .gradebook
                .grades()
                .iter()
                .any(|g| g.user_id == "demo-student-1")
        })
        .await;
    }
}

#[tokio::test]
async fn revoked_token_is_refreshed_during_sync() {
    let app = fast_retry_app(common::Backend::Sqlite).await;
    let (teacher, members) = course(&app).await;
    let space = teacher.space_id;
    let first = member(&members, "demo-student-1").user_id;
    helped(&app, space, first, 1).await;
    sync(&app, &teacher).await;
    eventually(10, "first grades accepted", || async {
        app.platform.gradebook.accepted().len() == 3
    })
    .await;
    let tokens_before = app.platform.gradebook.token_requests().len();

    app.platform.gradebook.revoke_tokens();
    helped(&app, space, first, 1).await;
    assert_eq!(sync(&app, &teacher).await["enqueued"], 1);
    eventually(10, "second grade accepted", || async {
        app.platform.gradebook.accepted().len() == 4
    })
    .await;
    assert_eq!(
        app.platform.gradebook.token_requests().len(),
        tokens_before + 1
    );
    assert!(outbox(&app, space)
        .await
        .iter()
        .all(|row| row.status == "sent"));

    let page = app
        .http
        .get(format!("{}/gradebook", app.platform_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("BC101 coworking space"), "column shown");
    let student = cowork::demo::catalog::user("demo-student-1").unwrap();
    assert!(html.contains(student.name), "student shown");
    assert!(html.contains("60.00"), "newest score shown");
}

#[tokio::test]
async fn activity_syncs_automatically() {
    let app = common::spawn_with(common::Backend::Sqlite, |config| {
        config.grade_auto_delay_secs = 1;
    })
    .await;
    let (teacher, members) = course(&app).await;
    let first = member(&members, "demo-student-1").user_id;
    helped(&app, teacher.space_id, first, 1).await;
    eventually(20, "grades sent without a teacher's request", || async {
        app.platform
            .gradebook
            .grades()
            .iter()
            .any(|grade| grade.user_id == "demo-student-1" && grade.score_given == 30.0)
    })
    .await;
}

#[tokio::test]
async fn grades_of_one_second_get_distinct_timestamps() {
    for backend in common::backends() {
        let app = common::spawn_with(backend, |config| config.grade_retry_base_secs = 3600).await;
        let (teacher, members) = course(&app).await;
        let store = &app.state.store;
        let person = &members[0];
        let grade = |score: f64| NewGrade {
            user_id: person.user_id,
            user_subject: person.subject.clone(),
            points: score,
            score_given: score,
            score_maximum: 100.0,
        };
        let now = cowork::unix_now() + 3600;
        let url = "http://127.0.0.1:9/lineitem?type_id=1";
        let platform_id = store.platforms().await.unwrap()[0].id;
        let first = store
            .enqueue_grades(teacher.space_id, platform_id, url, &[grade(10.0)], now)
            .await
            .unwrap();
        let second = store
            .enqueue_grades(teacher.space_id, platform_id, url, &[grade(20.0)], now)
            .await
            .unwrap();
        assert_eq!(
            second[0].score_timestamp,
            first[0].score_timestamp + 1,
            "{backend:?}"
        );
        let rows = outbox(&app, teacher.space_id).await;
        let old = rows.iter().find(|row| row.id == first[0].id).unwrap();
        assert_eq!(old.status, "superseded");
    }
}

#[tokio::test]
async fn concurrent_claims_take_each_row_once() {
    for backend in common::backends() {
        let app = common::spawn_with(backend, |config| config.grade_retry_base_secs = 3600).await;
        let (teacher, members) = course(&app).await;
        let store = app.state.store.clone();
        let person = &members[0];
        let platform_id = store.platforms().await.unwrap()[0].id;
        // Rows due in the future, so the running worker leaves them alone.
        let later = cowork::unix_now() + 7200;
        for index in 0..40 {
            let grade = NewGrade {
                user_id: person.user_id,
                user_subject: person.subject.clone(),
                points: 1.0,
                score_given: 1.0,
                score_maximum: 100.0,
            };
            let url = format!("http://127.0.0.1:9/items/{index}/lineitem");
            store
                .enqueue_grades(teacher.space_id, platform_id, &url, &[grade], later)
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for worker in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let claim = format!("worker-{worker}");
                    let rows = store.claim_grades(&claim, later, 60, 3).await.unwrap();
                    if rows.is_empty() {
                        return ids;
                    }
                    ids.extend(rows.iter().map(|row| row.id));
                }
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 40, "{backend:?}: every row claimed");
        assert_eq!(unique.len(), 40, "{backend:?}: no row claimed twice");
    }
}

/// Launches `choice` with an AGS claim that names the line items container but no line
/// item, as a platform does for an ungraded link.
async fn launch_without_line_item(app: &TestApp, choice: cowork::demo::LaunchChoice) -> Launched {
    let login = app.login(choice.clone()).await;
    let id_token = app.signed_claims(&choice, &login.nonce, |claims| {
        let endpoint = claims
            .get_mut(cowork::lti::claims::AGS_ENDPOINT)
            .and_then(|value| value.as_object_mut())
            .unwrap();
        endpoint.remove("lineitem");
    });
    let response = app.post_launch(&id_token, &login.state).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let space_id = location
        .trim_start_matches("/spaces/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Launched {
        space_url: format!("{}{}", app.tool_url, location),
        space_id,
        cookie,
    }
}

#[tokio::test]
async fn column_is_created_when_launch_has_none() {
    for backend in common::backends() {
        let app = fast_retry_app(backend).await;
        let teacher = launch_without_line_item(&app, choice("demo-teacher-1", "instructor")).await;
        launch_without_line_item(&app, choice("demo-student-1", "learner")).await;
        let target = app
            .state
            .store
            .grade_target(teacher.space_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(target.lineitem_url, None, "{backend:?}");
        let columns_before = app.platform.gradebook.columns().len();

        assert_eq!(sync(&app, &teacher).await["enqueued"], 1);
        let columns = app.platform.gradebook.columns();
        assert_eq!(columns.len(), columns_before + 1, "a column was created");
        let created = columns.last().unwrap();
        assert_eq!(created.label, "cowork participation");
        let target = app
            .state
            .store
            .grade_target(teacher.space_id)
            .await
            .unwrap()
            .unwrap();
        assert!(target
            .lineitem_url
            .unwrap()
            .contains(&format!("/lineitems/{}/lineitem?type_id=1", created.id)));
        eventually(10, "the grade in the created column", || async {
            app.platform
                .gradebook
                .grades()
                .iter()
                .any(|grade| grade.column == created.id)
        })
        .await;

        // A second sync with no change creates no second column and sends nothing.
        assert_eq!(sync(&app, &teacher).await["enqueued"], 0);
        assert_eq!(app.platform.gradebook.columns().len(), columns_before + 1);
    }
}

#[tokio::test]
async fn throttled_and_failing_platform_is_retried() {
    let app = fast_retry_app(common::Backend::Sqlite).await;
    let (teacher, members) = course(&app).await;
    let first = member(&members, "demo-student-1").user_id;
    helped(&app, teacher.space_id, first, 1).await;
    app.faults.fail_next_scores(&[429, 502]);
    assert_eq!(sync(&app, &teacher).await["enqueued"], 3);

    eventually(15, "every grade after a 429 and a 502", || async {
        outbox(&app, teacher.space_id)
            .await
            .iter()
            .all(|row| row.status == "sent")
    })
    .await;
    let rows = outbox(&app, teacher.space_id).await;
    let attempts: i64 = rows.iter().map(|row| row.attempts).sum();
    assert_eq!(attempts, 5, "three rows, two of them sent twice");
    let posts = app
        .faults
        .score_posts
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(posts, 5);
    assert_eq!(app.platform.gradebook.accepted().len(), 3);
}
