//! Questionnaires end to end: building, answering, closing, results, anonymity and the
//! grading interaction, on every configured backend.

mod common;

use common::{choice, token_of, Launched, TestApp};
use serde_json::{json, Value};

async fn post(app: &TestApp, who: &Launched, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}/questionnaires{path}",
            app.tool_url, who.space_id
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Reads `path` with the token in the `lt` parameter, as page links carry it.
async fn get(app: &TestApp, who: &Launched, path: &str) -> (u16, String) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/questionnaires{path}{separator}lt={}",
            app.tool_url,
            who.space_id,
            token_of(who)
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn get_json(app: &TestApp, who: &Launched, path: &str) -> Value {
    let (status, text) = get(app, who, path).await;
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

fn survey(anonymous: bool) -> Value {
    json!({
        "title": "Week 3 check",
        "description": "How is the course going?",
        "anonymous": anonymous,
        "items": [
            {"kind": "satisfaction", "prompt": "How satisfied are you?"},
            {"kind": "likert5", "prompt": "I get help here.", "scale": "community"},
            {"kind": "single", "prompt": "How often?", "options": ["Daily", "Weekly"]},
            {"kind": "multiple", "prompt": "What for?", "options": ["Teams", "Help", "Focus"]},
            {"kind": "text", "prompt": "What should change?"}
        ]
    })
}

/// Creates and opens a questionnaire as `teacher`; returns its id and item ids.
async fn open_survey(app: &TestApp, teacher: &Launched, anonymous: bool) -> (i64, Vec<i64>) {
    let (status, created) = post(app, teacher, "/list", survey(anonymous)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, opened) = post(
        app,
        teacher,
        &format!("/{id}/status"),
        json!({"status": "open"}),
    )
    .await;
    assert_eq!(status, 200, "{opened}");
    let items = created["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect();
    (id, items)
}

fn answers(items: &[i64], satisfaction: i64, text: &str) -> Value {
    json!({"answers": [
        {"item_id": items[0], "value": satisfaction},
        {"item_id": items[1], "value": 4},
        {"item_id": items[2], "value": 1},
        {"item_id": items[3], "values": [0, 2]},
        {"item_id": items[4], "text": text}
    ]})
}

async fn answered_interactions(app: &TestApp, space_id: i64) -> usize {
    app.state
        .store
        .contributions(space_id, 0)
        .await
        .unwrap()
        .iter()
        .filter(|row| row.kind == "questionnaire_answered")
        .count()
}

#[tokio::test]
async fn student_answers_and_changes() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (id, items) = open_survey(&app, &teacher, false).await;

        let listed = get_json(&app, &student, "/list").await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{backend:?}: {listed}");
        assert_eq!(listed[0]["accepts_answers"], true);

        let (status, saved) = post(
            &app,
            &student,
            &format!("/{id}/response"),
            answers(&items, 5, "More tables"),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["answered"], true);
        let (status, changed) = post(
            &app,
            &student,
            &format!("/{id}/response"),
            answers(&items, 2, "Fewer rooms"),
        )
        .await;
        assert_eq!(status, 200, "{changed}");
        let mine = changed["my_answers"].as_array().unwrap();
        assert!(
            mine.contains(&json!({"item_id": items[0], "value": 2, "text": null})),
            "{changed}"
        );
        assert!(
            !mine.contains(&json!({"item_id": items[0], "value": 5, "text": null})),
            "{changed}"
        );
        assert_eq!(
            mine.len(),
            6,
            "one row per answer and per chosen option: {changed}"
        );

        let results = get_json(&app, &teacher, &format!("/{id}/results")).await;
        let wave = &results["waves"][0];
        assert_eq!(wave["respondents"], 1);
        assert_eq!(wave["items"][0]["counts"], json!([0, 1, 0, 0, 0]));
        assert_eq!(wave["items"][3]["counts"], json!([1, 0, 1]));
        assert_eq!(wave["items"][4]["texts"], json!(["Fewer rooms"]));

        assert_eq!(
            answered_interactions(&app, student.space_id).await,
            1,
            "logged once"
        );
    }
}

#[tokio::test]
async fn closing_stops_changes() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (id, items) = open_survey(&app, &teacher, true).await;
        let path = format!("/{id}/response");
        let (status, _) = post(&app, &student, &path, answers(&items, 4, "Fine")).await;
        assert_eq!(status, 200, "{backend:?}");
        let (status, _) = post(
            &app,
            &teacher,
            &format!("/{id}/status"),
            json!({"status": "closed"}),
        )
        .await;
        assert_eq!(status, 200);
        let (status, rejected) = post(&app, &student, &path, answers(&items, 1, "Changed")).await;
        assert_eq!(status, 400, "{rejected}");
        assert!(
            rejected["message"]
                .as_str()
                .unwrap()
                .contains("does not take answers"),
            "{rejected}"
        );
        let results = get_json(&app, &teacher, &format!("/{id}/results")).await;
        assert_eq!(
            results["waves"][0]["items"][0]["counts"],
            json!([0, 0, 0, 1, 0])
        );
    }
}

#[tokio::test]
async fn invalid_answers_rejected() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let (id, items) = open_survey(&app, &teacher, true).await;
    let path = format!("/{id}/response");
    let cases = [
        (
            json!({"answers": [{"item_id": items[0], "value": 6}]}),
            "values from 1 to 5",
        ),
        (
            json!({"answers": [{"item_id": items[2], "value": 2}]}),
            "values from 0 to 1",
        ),
        (
            json!({"answers": [{"item_id": 999_999, "value": 1}]}),
            "not an item",
        ),
        (json!({"answers": []}), "no answers"),
        (
            json!({"answers": [{"item_id": items[0], "value": 1}, {"item_id": items[0], "value": 2}]}),
            "answered twice",
        ),
    ];
    for (body, expected) in cases {
        let (status, error) = post(&app, &student, &path, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            error["message"].as_str().unwrap().contains(expected),
            "{body}: {error}"
        );
    }
    assert_eq!(answered_interactions(&app, student.space_id).await, 0);
}

#[tokio::test]
async fn structure_fixed_after_first_answer() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (id, _) = open_survey(&app, &teacher, true).await;
        let mut edited = survey(true);
        edited["items"][1]["prompt"] = json!("I get help quickly.");
        let (status, before) = post(&app, &teacher, &format!("/{id}"), edited.clone()).await;
        assert_eq!(status, 200, "{backend:?}: edit before answers: {before}");
        let items: Vec<i64> = before["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_i64().unwrap())
            .collect();
        let (status, _) = post(
            &app,
            &student,
            &format!("/{id}/response"),
            answers(&items, 4, "Fine"),
        )
        .await;
        assert_eq!(status, 200);
        edited["items"][1]["prompt"] = json!("Another wording.");
        let (status, rejected) = post(&app, &teacher, &format!("/{id}"), edited.clone()).await;
        assert_eq!(status, 400, "{rejected}");
        let mut named = survey(false);
        named["items"][1]["prompt"] = json!("I get help quickly.");
        let (status, _) = post(&app, &teacher, &format!("/{id}"), named).await;
        assert_eq!(status, 400, "anonymity cannot change after answers");
        let mut retitled = survey(true);
        retitled["items"][1]["prompt"] = json!("I get help quickly.");
        retitled["title"] = json!("Week 3 check, updated");
        let (status, renamed) = post(&app, &teacher, &format!("/{id}"), retitled).await;
        assert_eq!(status, 200, "{renamed}");
        assert_eq!(renamed["title"], "Week 3 check, updated");
    }
}

#[tokio::test]
async fn students_see_no_results_or_drafts() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let classmate = app.launch(choice("demo-student-2", "learner")).await;
        let (id, items) = open_survey(&app, &teacher, false).await;
        let (status, _) = post(
            &app,
            &student,
            &format!("/{id}/response"),
            answers(&items, 5, "Secret wish"),
        )
        .await;
        assert_eq!(status, 200);

        let (status, _) = get(&app, &classmate, &format!("/{id}/results")).await;
        assert_eq!(status, 403, "{backend:?}: results");
        let (status, _) = get(&app, &classmate, &format!("/{id}/report")).await;
        assert_eq!(status, 403, "report");
        let (status, shown) = get(&app, &classmate, &format!("/{id}")).await;
        assert_eq!(status, 200);
        assert!(
            !shown.contains("Secret wish"),
            "another student's answer: {shown}"
        );
        let shown: Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(shown["my_answers"], json!([]));
        assert_eq!(shown["answered"], false);

        let (status, draft) = post(&app, &teacher, "/list", survey(true)).await;
        assert_eq!(status, 201);
        let draft_id = draft["id"].as_i64().unwrap();
        let (status, _) = get(&app, &classmate, &format!("/{draft_id}")).await;
        assert_eq!(status, 404, "draft");
        let listed = get_json(&app, &classmate, "/list").await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    }
}

#[tokio::test]
async fn other_space_ids_rejected() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let mut elsewhere = choice("demo-teacher-1", "instructor");
        elsewhere.course_id = "course-da201".into();
        let outsider = app.launch(elsewhere).await;
        let (id, items) = open_survey(&app, &teacher, true).await;
        let (status, _) = post(
            &app,
            &outsider,
            &format!("/{id}/response"),
            answers(&items, 5, "x"),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: response");
        let (status, _) = post(
            &app,
            &outsider,
            &format!("/{id}/status"),
            json!({"status": "closed"}),
        )
        .await;
        assert_eq!(status, 404, "status");
        let (status, _) = get(&app, &outsider, &format!("/{id}/results")).await;
        assert_eq!(status, 404, "results");
        let (status, _) = post(&app, &outsider, &format!("/{id}/delete"), json!({})).await;
        assert_eq!(status, 404, "delete");
        let mut linked = survey(true);
        linked["wave"] = json!("post");
        linked["pre_id"] = json!(id);
        let (status, _) = post(&app, &outsider, "/list", linked).await;
        assert_eq!(status, 400, "pre link across spaces");
    }
}

#[tokio::test]
async fn anonymous_answers_name_nobody() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (id, items) = open_survey(&app, &teacher, true).await;
        let (status, _) = post(
            &app,
            &student,
            &format!("/{id}/response"),
            answers(&items, 5, "Quiet corner please"),
        )
        .await;
        assert_eq!(status, 200);

        let name = cowork::demo::catalog::user("demo-student-1").unwrap().name;
        for path in [format!("/{id}/results"), format!("/{id}"), "/list".into()] {
            let (status, body) = get(&app, &teacher, &path).await;
            assert_eq!(status, 200, "{backend:?} {path}");
            assert!(!body.contains(name), "{path} names the student: {body}");
            assert!(
                !body.contains("user_id"),
                "{path} carries a user id: {body}"
            );
        }
        let (status, report) = get(&app, &teacher, &format!("/{id}/report")).await;
        assert_eq!(status, 200);
        assert!(report.contains("Quiet corner please"), "text answer listed");
        assert!(!report.contains(name), "report names the student");

        let rows = app
            .state
            .store
            .questionnaire_answers(teacher.space_id, id)
            .await
            .unwrap();
        assert_eq!(rows.len(), 6);
        assert!(rows.iter().all(|row| row.response_key.len() == 64));
    }
}

#[tokio::test]
async fn satisfaction_index_by_hand() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (id, items) = open_survey(&app, &teacher, true).await;
        // Four respondents answer the satisfaction item: fully satisfied (5), rather
        // satisfied (4), can't say (3) and fully dissatisfied (1).
        // Index with the default weights: (1 + 0.5 + 0 − 1) / 4 = 0.125.
        // Without "can't say" in the denominator: 0.5 / 3 ≈ 0.1667.
        // CSAT: 2 of 4 answered 4 or 5, so 0.5.
        let people = [
            ("demo-student-1", "learner", 5),
            ("demo-student-2", "learner", 4),
            ("demo-student-3", "learner", 3),
            ("demo-teacher-1", "instructor", 1),
        ];
        for (user, role, value) in people {
            let who = app.launch(choice(user, role)).await;
            let body = json!({"answers": [{"item_id": items[0], "value": value}]});
            let (status, saved) = post(&app, &who, &format!("/{id}/response"), body).await;
            assert_eq!(status, 200, "{backend:?} {user}: {saved}");
        }
        let results = get_json(&app, &teacher, &format!("/{id}/results")).await;
        let item = &results["waves"][0]["items"][0];
        assert_eq!(item["counts"], json!([1, 0, 1, 1, 1]));
        let index = item["index"]["value"].as_f64().unwrap();
        assert!((index - 0.125).abs() < 1e-9, "{item}");
        assert_eq!(item["index"]["denominator"], 4);
        assert_eq!(item["index"]["settings"]["count_undecided"], true);
        assert_eq!(
            results["settings"]["weights"],
            json!([-1.0, -0.5, 0.0, 0.5, 1.0])
        );
        assert!((item["csat"].as_f64().unwrap() - 0.5).abs() < 1e-9);

        let excluded = get_json(
            &app,
            &teacher,
            &format!("/{id}/results?count_undecided=false"),
        )
        .await;
        let index = excluded["waves"][0]["items"][0]["index"]["value"]
            .as_f64()
            .unwrap();
        assert!((index - 0.5 / 3.0).abs() < 1e-9, "{excluded}");

        let (status, report) = get(&app, &teacher, &format!("/{id}/report")).await;
        assert_eq!(status, 200);
        assert!(report.contains("0.125"), "index on the report");
        assert!(
            report.contains("+1, +0.5, +0, -0.5, -1"),
            "weights on the report: {report}"
        );

        let (status, _) = get(&app, &teacher, &format!("/{id}/results?weights=2,0,0,0,1")).await;
        assert_eq!(status, 400, "weight outside -1..1");
    }
}

#[tokio::test]
async fn template_and_waves() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let mut russian = choice("demo-teacher-1", "instructor");
        russian.locale = "ru".into();
        let teacher = app.launch(russian).await;
        let body = json!({"template": "coworking-satisfaction", "wave": "pre"});
        let (status, pre) = post(&app, &teacher, "/from-template", body).await;
        assert_eq!(status, 201, "{backend:?}: {pre}");
        assert_eq!(pre["title"], "Удовлетворённость коворкингом");
        assert_eq!(pre["anonymous"], true);
        let pre_id = pre["id"].as_i64().unwrap();
        let body = json!({"template": "coworking-satisfaction", "wave": "post", "pre_id": pre_id});
        let (status, post_wave) = post(&app, &teacher, "/from-template", body).await;
        assert_eq!(status, 201, "{post_wave}");
        let results = get_json(&app, &teacher, &format!("/{pre_id}/results")).await;
        let waves = results["waves"].as_array().unwrap();
        assert_eq!(waves.len(), 2, "{results}");
        assert_eq!(waves[0]["wave"], "pre");
        assert_eq!(waves[1]["wave"], "post");
        let (status, unknown) =
            post(&app, &teacher, "/from-template", json!({"template": "nps"})).await;
        assert_eq!(status, 400, "{unknown}");

        let page = app
            .http
            .get(format!(
                "{}/spaces/{}/questionnaires?lt={}",
                app.tool_url,
                teacher.space_id,
                token_of(&teacher)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Анкеты"), "Russian page");
    }
}

#[tokio::test]
async fn pages_show_forms_and_controls() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (id, items) = open_survey(&app, &teacher, true).await;
        let body = answers(&items, 4, "Longer hours");
        let (status, _) = post(&app, &student, &format!("/{id}/response"), body).await;
        assert_eq!(status, 200, "{backend:?}");

        let (status, page) = get(&app, &student, "").await;
        assert_eq!(status, 200);
        assert!(page.contains("Week 3 check"), "open questionnaire listed");
        let checked = format!("name=\"item-{}\" value=\"4\" checked", items[0]);
        assert!(page.contains(&checked), "own answer checked: {page}");
        assert!(page.contains("Longer hours"), "own text answer");
        assert!(
            !page.contains("id=\"template-form\""),
            "no teacher controls"
        );

        let (status, page) = get(&app, &teacher, "").await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"template-form\""), "teacher controls");
        assert!(
            !page.contains("Longer hours"),
            "another person's answer on the teacher page"
        );

        let space = app
            .http
            .get(&student.space_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            space.contains("/questionnaires?lt="),
            "space page links the page"
        );
    }
}
