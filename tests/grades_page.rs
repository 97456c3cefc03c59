//! The teacher's grades page and its actions: who may use them and what they check.

mod common;

use common::{choice, token_of, Launched, TestApp};
use cowork::demo::LaunchChoice;
use cowork::store::grades::NewGrade;

fn other_course(user: &str, role: &str) -> LaunchChoice {
    LaunchChoice {
        course_id: "course-da201".into(),
        ..choice(user, role)
    }
}

async fn post(
    app: &TestApp,
    launched: &Launched,
    space_id: i64,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.http
        .post(format!("{}/spaces/{space_id}/grades{path}", app.tool_url))
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn valid_rule() -> serde_json::Value {
    serde_json::json!({
        "rule": { "weekly_target": 8, "weekly_cap": 12, "help_points": 4 },
        "sync_mode": "manual"
    })
}

#[tokio::test]
async fn students_are_forbidden() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let space = student.space_id;
        let page = app
            .http
            .get(format!(
                "{}/spaces/{space}/grades?lt={}",
                app.tool_url,
                token_of(&student)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403, "{backend:?}: page");
        let preview = app
            .http
            .get(format!("{}/spaces/{space}/grades/preview", app.tool_url))
            .header("x-cowork-token", token_of(&student))
            .send()
            .await
            .unwrap();
        assert_eq!(preview.status(), 403, "preview");
        let actions = [
            ("/sync", serde_json::json!({})),
            ("/rule", valid_rule()),
            (
                "/awards",
                serde_json::json!({ "user_id": 1, "points": 5, "reason": "self" }),
            ),
            ("/outbox/1/retry", serde_json::json!({})),
        ];
        for (path, body) in actions {
            let response = post(&app, &student, space, path, body).await;
            assert_eq!(response.status(), 403, "{path}");
        }
    }
}

#[tokio::test]
async fn writes_without_token_header_are_rejected() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}/grades/sync",
            app.tool_url, teacher.space_id
        ))
        .header("cookie", teacher.cookie.split(';').next().unwrap())
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn teacher_sees_students_and_preview() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        app.launch(choice("demo-student-1", "learner")).await;
        let page = app
            .http
            .get(format!(
                "{}/spaces/{}/grades?lt={}",
                app.tool_url,
                teacher.space_id,
                token_of(&teacher)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{backend:?}");
        let html = page.text().await.unwrap();
        let student = cowork::demo::catalog::user("demo-student-1").unwrap();
        assert!(html.contains(student.name), "student listed");
        assert!(html.contains("Sync grades"), "sync button");
        assert!(
            html.contains("will be sent"),
            "unsent grade marked in the preview"
        );
        assert!(
            html.contains("BC101 coworking space") || html.contains("lineitem"),
            "gradebook column shown"
        );
    }
}

#[tokio::test]
async fn other_space_ids_are_rejected() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let other_teacher = app
            .launch(other_course("demo-teacher-1", "instructor"))
            .await;
        app.launch(other_course("demo-student-2", "learner")).await;
        let (space, other_space) = (teacher.space_id, other_teacher.space_id);
        assert_ne!(space, other_space);

        // A token of one space does not open another space's actions.
        let crossed = post(&app, &teacher, other_space, "/sync", serde_json::json!({})).await;
        assert_eq!(crossed.status(), 403, "{backend:?}: token of another space");

        // A student of another space cannot get an award here.
        let members = app.state.store.graded_members(other_space).await.unwrap();
        let outsider = members
            .iter()
            .find(|m| m.subject == "demo-student-2")
            .unwrap();
        let award =
            serde_json::json!({ "user_id": outsider.user_id, "points": 2, "reason": "help" });
        let response = post(&app, &teacher, space, "/awards", award).await;
        assert_eq!(response.status(), 400, "award for a non-member");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("not a participant"),
            "{body}"
        );

        // A dead letter of another space cannot be retried here.
        let store = &app.state.store;
        let platform_id = store.platforms().await.unwrap()[0].id;
        let later = cowork::unix_now() + 7200;
        let grade = NewGrade {
            user_id: outsider.user_id,
            user_subject: outsider.subject.clone(),
            points: 1.0,
            score_given: 10.0,
            score_maximum: 100.0,
        };
        let url = "http://127.0.0.1:9/lineitem";
        let row = store
            .enqueue_grades(other_space, platform_id, url, &[grade], later)
            .await
            .unwrap()
            .remove(0);
        let claimed = store.claim_grades("test", later, 60, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(store
            .dead_letter_grade(row.id, "test", "rejected", later)
            .await
            .unwrap());
        let retry = post(
            &app,
            &teacher,
            space,
            &format!("/outbox/{}/retry", row.id),
            serde_json::json!({}),
        )
        .await;
        assert_eq!(retry.status(), 404, "retry of another space's row");
        let rows = store.outbox(other_space, 10).await.unwrap();
        assert_eq!(rows[0].status, "dead", "the row stays a dead letter");
    }
}

#[tokio::test]
async fn rule_is_validated_and_saved() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let space = teacher.space_id;
        let capped_below_target = serde_json::json!({
            "rule": { "weekly_target": 10, "weekly_cap": 5 },
            "sync_mode": "auto"
        });
        let response = post(&app, &teacher, space, "/rule", capped_below_target).await;
        assert_eq!(response.status(), 400, "{backend:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("weekly_cap"),
            "{body}"
        );

        let unknown_mode = serde_json::json!({ "rule": {}, "sync_mode": "hourly" });
        let response = post(&app, &teacher, space, "/rule", unknown_mode).await;
        assert_eq!(response.status(), 400);

        let response = post(&app, &teacher, space, "/rule", valid_rule()).await;
        assert_eq!(response.status(), 200);
        let stored = app.state.store.grading_rule(space).await.unwrap().unwrap();
        assert_eq!(stored.sync_mode, "manual");
        let rule: cowork::grading::rule::GradingRule =
            serde_json::from_str(&stored.rule_json).unwrap();
        assert_eq!(rule.weekly_target, 8.0);
        assert_eq!(rule.help_points, 4.0);
    }
}

#[tokio::test]
async fn award_raises_preview_points() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    app.launch(choice("demo-student-1", "learner")).await;
    let space = teacher.space_id;
    let student = app
        .state
        .store
        .graded_members(space)
        .await
        .unwrap()
        .remove(0);
    let award = serde_json::json!({ "user_id": student.user_id, "points": 5, "reason": "Led the study group" });
    assert_eq!(
        post(&app, &teacher, space, "/awards", award).await.status(),
        200
    );
    let empty_reason =
        serde_json::json!({ "user_id": student.user_id, "points": 5, "reason": "  " });
    assert_eq!(
        post(&app, &teacher, space, "/awards", empty_reason)
            .await
            .status(),
        400
    );
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
    let grade = &preview["students"][0]["grade"];
    assert_eq!(grade["outcome"]["awarded"], 5.0);
    assert_eq!(
        grade["outcome"]["score_given"], 50.0,
        "5 of a weekly target of 10"
    );
}
