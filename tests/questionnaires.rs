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
    open_questionnaire(app, teacher, survey(anonymous)).await
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

/// Returns whether two results agree up to the rounding of summing in another order.
fn close(actual: Option<f64>, expected: Option<f64>) -> bool {
    match (actual, expected) {
        (Some(actual), Some(expected)) => (actual - expected).abs() < 1e-12,
        _ => false,
    }
}

fn wave_survey(wave: &str, pre_id: Option<i64>, anonymous: bool) -> Value {
    json!({
        "title": format!("Climate {wave}"),
        "anonymous": anonymous,
        "wave": wave,
        "pre_id": pre_id,
        "items": [
            {"kind": "likert5", "prompt": "I get help here.", "scale": "community"},
            {"kind": "likert5", "prompt": "I find partners here.", "scale": "community"},
            {"kind": "nps", "prompt": "How likely are you to recommend the space?"},
            {"kind": "text", "prompt": "<script>alert('prompt')</script>"}
        ]
    })
}

/// Creates and opens a questionnaire from `body`; returns its id and item ids.
async fn open_questionnaire(app: &TestApp, teacher: &Launched, body: Value) -> (i64, Vec<i64>) {
    let (status, created) = post(app, teacher, "/list", body).await;
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

fn rated_answers(items: &[i64], help: i64, partners: i64, recommend: i64) -> Value {
    json!({"answers": [
        {"item_id": items[0], "value": help},
        {"item_id": items[1], "value": partners},
        {"item_id": items[2], "value": recommend},
        {"item_id": items[3], "text": "fine"}
    ]})
}

// Answers of seven people who answer both waves: (help, partners, recommend).
const PRE_ANSWERS: [(i64, i64, i64); 7] = [
    (2, 2, 10),
    (3, 4, 9),
    (3, 3, 7),
    (2, 2, 3),
    (1, 1, 6),
    (3, 4, 8),
    (2, 2, 10),
];
const POST_ANSWERS: [(i64, i64, i64); 7] = [
    (4, 4, 10),
    (4, 5, 10),
    (3, 3, 9),
    (5, 4, 9),
    (3, 3, 9),
    (4, 4, 10),
    (5, 5, 6),
];

/// Builds a linked pre and post questionnaire answered by seven people in both waves,
/// one person only before and one only after. Returns the two ids.
async fn answered_waves(app: &TestApp, teacher: &Launched) -> (i64, i64) {
    let (pre_id, pre_items) =
        open_questionnaire(app, teacher, wave_survey("pre", None, true)).await;
    let (post_id, post_items) =
        open_questionnaire(app, teacher, wave_survey("post", Some(pre_id), true)).await;
    for (index, (before, after)) in PRE_ANSWERS.iter().zip(POST_ANSWERS).enumerate() {
        let person = app
            .launch(choice(&format!("paired-student-{index}"), "learner"))
            .await;
        let (status, body) = post(
            app,
            &person,
            &format!("/{pre_id}/response"),
            rated_answers(&pre_items, before.0, before.1, before.2),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = post(
            app,
            &person,
            &format!("/{post_id}/response"),
            rated_answers(&post_items, after.0, after.1, after.2),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let only_before = app.launch(choice("only-before", "learner")).await;
    let body = rated_answers(&pre_items, 4, 5, 5);
    let (status, _) = post(app, &only_before, &format!("/{pre_id}/response"), body).await;
    assert_eq!(status, 200);
    let only_after = app.launch(choice("only-after", "learner")).await;
    let body = rated_answers(&post_items, 1, 1, 2);
    let (status, _) = post(app, &only_after, &format!("/{post_id}/response"), body).await;
    assert_eq!(status, 200);
    (pre_id, post_id)
}

#[tokio::test]
async fn waves_compared_by_pairs() {
    use cowork::analytics::statistics::{cronbach_alpha, mann_whitney, wilcoxon};
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (pre_id, _) = answered_waves(&app, &teacher).await;
        let results = get_json(&app, &teacher, &format!("/{pre_id}/results")).await;
        let comparison = &results["comparison"];
        let items = comparison["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{backend:?}: {comparison}");

        // Help item: differences 2, 1, 0, 3, 2, 1, 3, so 6 pairs and 1 zero.
        let help = &items[0];
        let pairs: Vec<(f64, f64)> = PRE_ANSWERS
            .iter()
            .zip(POST_ANSWERS)
            .map(|(before, after)| (before.0 as f64, after.0 as f64))
            .collect();
        let expected = wilcoxon(&pairs);
        assert_eq!(help["wilcoxon"]["pairs"], 6, "{help}");
        assert_eq!(help["wilcoxon"]["zeros"], 1, "{help}");
        assert!(
            close(help["wilcoxon"]["p_value"].as_f64(), expected.p_value),
            "{help}"
        );
        assert_eq!(help["wilcoxon"]["note"], Value::Null);
        assert!(help["wilcoxon"]["rank_biserial"].as_f64().unwrap() > 0.0);

        // Mann–Whitney takes every answer: seven paired plus one unpaired per wave.
        let mut before: Vec<f64> = PRE_ANSWERS.iter().map(|row| row.0 as f64).collect();
        before.push(4.0);
        let mut after: Vec<f64> = POST_ANSWERS.iter().map(|row| row.0 as f64).collect();
        after.push(1.0);
        let unpaired = mann_whitney(&before, &after);
        assert_eq!(help["mann_whitney"]["n1"], 8);
        assert_eq!(help["mann_whitney"]["n2"], 8);
        assert!(close(help["mann_whitney"]["u"].as_f64(), unpaired.u));
        assert!(close(
            help["mann_whitney"]["p_value"].as_f64(),
            unpaired.p_value
        ));
        assert_eq!(help["chi_square"]["n"], 16);
        assert_eq!(help["chi_square"]["dof"], 4);
        assert_eq!(
            help["chi_square"]["note"], "statistics-note-small-expected",
            "{help}"
        );

        // The community scale compares each person's mean of the two items. The third
        // person's mean stays 3, so 6 of the 7 pairs changed.
        let scales = comparison["scales"].as_array().unwrap();
        assert_eq!(scales.len(), 1);
        assert_eq!(scales[0]["name"], "community");
        assert_eq!(scales[0]["wilcoxon"]["pairs"], 6, "{}", scales[0]);
        assert_eq!(scales[0]["wilcoxon"]["zeros"], 1, "{}", scales[0]);
        assert_eq!(scales[0]["chi_square"]["n"], 32);

        let pre_wave = &results["waves"][0];
        let alpha = &pre_wave["scales"][0]["alpha"];
        let mut rows: Vec<Vec<Option<f64>>> = PRE_ANSWERS
            .iter()
            .map(|row| vec![Some(row.0 as f64), Some(row.1 as f64)])
            .collect();
        rows.push(vec![Some(4.0), Some(5.0)]);
        assert_eq!(alpha["cases"], 8, "{alpha}");
        assert!(
            close(alpha["alpha"].as_f64(), cronbach_alpha(&rows, 2).alpha),
            "{alpha}"
        );

        let help_statistics = &pre_wave["items"][0]["statistics"];
        assert_eq!(help_statistics["n"], 8);
        assert_eq!(help_statistics["median"], 2.5);
        assert_eq!(help_statistics["min"], 1.0);
        assert_eq!(help_statistics["max"], 4.0);

        // Recommendation before: promoters 10, 9, 10, detractors 3, 6, 5 and passives
        // 7, 8, so (3 − 3) / 8 = 0. After: promoters 10, 10, 9, 9, 9, 10 and detractors
        // 6, 2, so (6 − 2) / 8 = +50.
        let before_nps = &pre_wave["items"][2]["nps"];
        assert_eq!(before_nps["n"], 8, "{before_nps}");
        assert_eq!(before_nps["promoters"], 3);
        assert_eq!(before_nps["detractors"], 3);
        assert_eq!(before_nps["score"], 0.0);
        let after_nps = &results["waves"][1]["items"][2]["nps"];
        assert_eq!(after_nps["score"], 50.0, "{after_nps}");

        let (status, report) = get(&app, &teacher, &format!("/{pre_id}/report")).await;
        assert_eq!(status, 200);
        assert!(report.contains("Before and after compared"), "{report}");
        assert!(report.contains("Wilcoxon signed-rank"), "{report}");
        assert!(report.contains("Cronbach"), "{report}");
        assert!(report.contains("+50 (n = 8)"), "{report}");
    }
}

#[tokio::test]
async fn dashboard_shows_wave_tests() {
    use cowork::analytics::statistics::wilcoxon;
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (pre_id, post_id) = answered_waves(&app, &teacher).await;
        let response = app
            .http
            .get(format!(
                "{}/spaces/{}/dashboard?lt={}",
                app.tool_url,
                teacher.space_id,
                token_of(&teacher)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        let start = page
            .find(&format!("id=\"comparison-{post_id}\""))
            .unwrap_or_else(|| panic!("{backend:?}: no comparison of the post wave"));
        let section = &page[start..page[start..].find("</article>").unwrap() + start];
        assert!(section.contains("Climate post"), "{section}");
        assert!(
            section.contains(&format!("/questionnaires/{post_id}/report")),
            "{section}"
        );
        assert!(!page.contains(&format!("id=\"comparison-{pre_id}\"")));

        // Three rated items and the community scale, each with three tests.
        assert_eq!(section.matches("<caption>").count(), 4, "{section}");
        assert!(section.contains("<caption>1. I get help here.</caption>"));
        assert!(
            section.contains("<caption>Scale: community</caption>"),
            "{section}"
        );
        assert_eq!(section.matches("Wilcoxon signed-rank").count(), 4);

        // The help item's Wilcoxon p as the report page rounds it.
        let pairs: Vec<(f64, f64)> = PRE_ANSWERS
            .iter()
            .zip(POST_ANSWERS)
            .map(|(before, after)| (before.0 as f64, after.0 as f64))
            .collect();
        let p = wilcoxon(&pairs).p_value.unwrap();
        let help = &section[section.find("1. I get help here.").unwrap()..];
        let help = &help[..help.find("</table>").unwrap()];
        assert!(help.contains(&format!("<td>{p:.3}</td>")), "p {p}: {help}");
        assert!(help.contains("6 pairs"), "{help}");
        assert!(!page.contains("<script>alert"), "a prompt is escaped");
    }
}

#[tokio::test]
async fn pair_keys_stay_on_server() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (pre_id, post_id) = answered_waves(&app, &teacher).await;
        let store = &app.state.store;
        let pre_rows = store
            .questionnaire_answers(teacher.space_id, pre_id)
            .await
            .unwrap();
        let post_rows = store
            .questionnaire_answers(teacher.space_id, post_id)
            .await
            .unwrap();

        // Seven people answered both waves, so seven pair keys occur in both.
        let pre_pairs: std::collections::BTreeSet<String> = pre_rows
            .iter()
            .filter_map(|row| row.pair_key.clone())
            .collect();
        let post_pairs: std::collections::BTreeSet<String> = post_rows
            .iter()
            .filter_map(|row| row.pair_key.clone())
            .collect();
        assert_eq!(pre_pairs.len(), 8, "{backend:?}");
        assert_eq!(post_pairs.len(), 8);
        assert_eq!(pre_pairs.intersection(&post_pairs).count(), 7);

        let mut secrets: Vec<String> = pre_rows
            .iter()
            .chain(&post_rows)
            .map(|row| row.response_key.clone())
            .collect();
        secrets.extend(pre_pairs.iter().cloned());
        secrets.extend(post_pairs.iter().cloned());
        let student = app.launch(choice("paired-student-0", "learner")).await;
        let outputs = [
            (&teacher, format!("/{pre_id}/results")),
            (&teacher, format!("/{post_id}/results")),
            (&teacher, format!("/{pre_id}/report")),
            (&teacher, format!("/{pre_id}")),
            (&teacher, "/list".to_string()),
            (&teacher, String::new()),
            (&student, format!("/{pre_id}")),
            (&student, "/list".to_string()),
            (&student, String::new()),
        ];
        for (who, path) in outputs {
            let (status, body) = get(&app, who, &path).await;
            assert_eq!(status, 200, "{path}");
            for secret in &secrets {
                assert!(!body.contains(secret.as_str()), "{path} shows a key");
            }
            assert!(!body.contains("pair_key"), "{path} names pair keys");
            assert!(!body.contains("response_key"), "{path} names response keys");
            assert!(!body.contains("paired-student"), "{path} names a person");
            assert!(!body.contains("user_id"), "{path} carries a user id");
        }
    }
}

#[tokio::test]
async fn pair_needs_same_anonymity() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (status, pre) = post(&app, &teacher, "/list", wave_survey("pre", None, true)).await;
        assert_eq!(status, 201, "{backend:?}: {pre}");
        let pre_id = pre["id"].as_i64().unwrap();
        let named_post = wave_survey("post", Some(pre_id), false);
        let (status, error) = post(&app, &teacher, "/list", named_post).await;
        assert_eq!(status, 400, "{error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("both be anonymous"),
            "{error}"
        );

        let (status, _) = post(
            &app,
            &teacher,
            "/list",
            wave_survey("post", Some(pre_id), true),
        )
        .await;
        assert_eq!(status, 201);
        let named_pre = wave_survey("pre", None, false);
        let (status, error) = post(&app, &teacher, &format!("/{pre_id}"), named_pre).await;
        assert_eq!(
            status, 400,
            "pre turned named under an anonymous post: {error}"
        );
    }
}

/// A post wave answered anonymously, then unlinked, leaves its pre wave free to turn
/// named. The named answers must not carry the pair keys of the anonymous ones, or
/// the stored tables would link those anonymous answers to people.
#[tokio::test]
async fn unlinked_pair_keeps_anonymity() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (status, pre) = post(&app, &teacher, "/list", wave_survey("pre", None, true)).await;
        assert_eq!(status, 201, "{backend:?}: {pre}");
        let pre_id = pre["id"].as_i64().unwrap();
        let (post_id, post_items) =
            open_questionnaire(&app, &teacher, wave_survey("post", Some(pre_id), true)).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let body = rated_answers(&post_items, 4, 4, 9);
        let (status, answered) = post(&app, &anna, &format!("/{post_id}/response"), body).await;
        assert_eq!(status, 200, "{answered}");

        let unlinked = wave_survey("post", None, true);
        let (status, body) = post(&app, &teacher, &format!("/{post_id}"), unlinked).await;
        assert_eq!(status, 200, "post wave unlinked: {body}");
        let named_pre = wave_survey("pre", None, false);
        let (status, body) = post(&app, &teacher, &format!("/{pre_id}"), named_pre).await;
        assert_eq!(status, 200, "pre wave turned named: {body}");
        let (status, body) = post(
            &app,
            &teacher,
            &format!("/{pre_id}/status"),
            json!({"status": "open"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let pre_items: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_i64().unwrap())
            .collect();
        let body = rated_answers(&pre_items, 2, 2, 5);
        let (status, answered) = post(&app, &anna, &format!("/{pre_id}/response"), body).await;
        assert_eq!(status, 200, "{answered}");

        let store = &app.state.store;
        let anonymous_keys: Vec<String> = store
            .questionnaire_answers(teacher.space_id, post_id)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|answer| answer.pair_key)
            .collect();
        assert!(!anonymous_keys.is_empty(), "the post wave stores pair keys");
        let named = store
            .questionnaire_answers(teacher.space_id, pre_id)
            .await
            .unwrap();
        assert!(!named.is_empty(), "the named answers are stored");
        for answer in named {
            let key = answer.pair_key.unwrap_or_default();
            assert!(
                !anonymous_keys.contains(&key),
                "{backend:?}: a named answer shares the pair key of an anonymous one"
            );
        }
    }
}

#[tokio::test]
async fn nps_answers_checked() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (id, items) = open_questionnaire(&app, &teacher, wave_survey("pre", None, true)).await;
        for value in [-1, 11] {
            let (status, error) = post(
                &app,
                &student,
                &format!("/{id}/response"),
                rated_answers(&items, 3, 3, value),
            )
            .await;
            assert_eq!(status, 400, "{backend:?} {value}: {error}");
            assert!(
                error["message"].as_str().unwrap().contains("from 0 to 10"),
                "{error}"
            );
        }
        let body = rated_answers(&items, 3, 3, 0);
        let (status, _) = post(&app, &student, &format!("/{id}/response"), body).await;
        assert_eq!(status, 200, "0 is a valid recommendation");

        let (status, page) = get(&app, &student, "").await;
        assert_eq!(status, 200);
        let zero = format!("name=\"item-{}\" value=\"0\" checked", items[2]);
        assert!(page.contains(&zero), "own NPS answer checked: {page}");
        let ten = format!("name=\"item-{}\" value=\"10\"", items[2]);
        assert!(page.contains(&ten), "NPS offers 10");
    }
}

#[tokio::test]
async fn report_escapes_prompts() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (pre_id, _) = answered_waves(&app, &teacher).await;
        let mut scale = wave_survey("pre", None, true);
        scale["title"] = json!("<b>bold</b> title");
        scale["items"][0]["scale"] = json!("<img src=x onerror=alert(1)>");
        scale["items"][1]["scale"] = json!("<img src=x onerror=alert(1)>");
        let (other_id, _) = open_questionnaire(&app, &teacher, scale).await;
        for id in [pre_id, other_id] {
            let (status, report) = get(&app, &teacher, &format!("/{id}/report")).await;
            assert_eq!(status, 200, "{backend:?}");
            assert!(!report.contains("<script>alert"), "raw script: {report}");
            assert!(report.contains("&lt;script&gt;alert"), "escaped prompt");
            assert!(!report.contains("<img src=x"), "raw scale name");
            assert!(!report.contains("<b>bold"), "raw title");
        }
        let (status, list) = get(&app, &teacher, "").await;
        assert_eq!(status, 200);
        assert!(!list.contains("<b>bold"), "raw title in the edit form");
        assert!(
            list.contains("&lt;b&gt;bold"),
            "escaped title in the edit form"
        );
    }
}

#[tokio::test]
async fn report_settings_form() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (id, _) = open_survey(&app, &teacher, true).await;
        let path = format!("/{id}/report?weights=-1,-0.25,0,0.25,1&count_undecided=false");
        let (status, report) = get(&app, &teacher, &path).await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(report.contains("id=\"index-settings-form\""), "{report}");
        assert!(
            report.contains("name=\"weights\" value=\"-1,-0.25,0,0.25,1\""),
            "current weights in the form: {report}"
        );
        assert!(
            report.contains("<option value=\"false\" selected>"),
            "current undecided setting in the form: {report}"
        );
    }
}

/// Anna, Boris and Chen sit at team table "Alpha" and answer fully satisfied (5), rather
/// satisfied (4) and fully dissatisfied (1): (1 + 0.5 − 1) / 3 ≈ 0.1667. A fourth student
/// in no team answers "can't say", and one answer is too few for an index of its own.
#[tokio::test]
async fn index_per_team_table() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (named, named_items) = open_survey(&app, &teacher, false).await;
        let (anonymous, anonymous_items) = open_survey(&app, &teacher, true).await;
        let people = [
            ("demo-student-1", 5),
            ("demo-student-2", 4),
            ("demo-student-3", 1),
            ("demo-student-4", 3),
        ];
        let mut team = None;
        for (position, (user, value)) in people.into_iter().enumerate() {
            let who = app.launch(choice(user, "learner")).await;
            if position == 0 {
                let room = app
                    .post_space_json(&who, "/rooms", json!({"kind": "team", "name": "Alpha"}))
                    .await;
                team = room["id"].as_i64();
            } else if position < 3 {
                let path = format!("/rooms/{}/membership", team.unwrap());
                app.post_space_json(&who, &path, json!({"member": true}))
                    .await;
            }
            for (id, items) in [(named, &named_items), (anonymous, &anonymous_items)] {
                let body = json!({"answers": [{"item_id": items[0], "value": value}]});
                let (status, saved) = post(&app, &who, &format!("/{id}/response"), body).await;
                assert_eq!(status, 200, "{backend:?} {user}: {saved}");
            }
        }

        let results = get_json(&app, &teacher, &format!("/{named}/results")).await;
        let groups = results["waves"][0]["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 2, "{backend:?}: {groups:?}");
        assert_eq!(groups[0]["team"], "Alpha");
        assert_eq!(groups[0]["respondents"], 3);
        let index = groups[0]["index"]["value"].as_f64().unwrap();
        assert!((index - 0.5 / 3.0).abs() < 1e-9, "{groups:?}");
        assert_eq!(groups[1]["team"], Value::Null);
        assert_eq!(groups[1]["respondents"], 1);
        assert_eq!(groups[1]["index"], Value::Null, "one answer shows no index");

        let (status, report) = get(&app, &teacher, &format!("/{named}/report")).await;
        assert_eq!(status, 200);
        assert!(report.contains("id=\"team-indices\""), "{backend:?}");
        assert!(
            report.contains("<td>Alpha</td><td>3</td><td>0.167</td>"),
            "{report}"
        );
        assert!(report.contains("fewer than 3 answers"), "{report}");

        let results = get_json(&app, &teacher, &format!("/{anonymous}/results")).await;
        assert_eq!(
            results["waves"][0]["groups"],
            json!([]),
            "anonymous answers"
        );
        let (_, report) = get(&app, &teacher, &format!("/{anonymous}/report")).await;
        assert!(!report.contains("id=\"team-indices\""));
    }
}
