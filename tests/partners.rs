//! The partners board over HTTP on every configured backend: teachers list and manage
//! entries, students express and withdraw interest, deadlines close entries, and who may
//! see and do what.

mod common;

use common::{backends, choice, spawn, token_of, Backend, Launched, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Sends a JSON request to `/spaces/{space}/partners{path}` with the launch's token header.
async fn call(
    app: &TestApp,
    launched: &Launched,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!(
        "{}/spaces/{}/partners{path}",
        app.tool_url, launched.space_id
    );
    let mut request = app
        .http
        .request(method, url)
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, launched: &Launched, path: &str, body: Value) -> (u16, Value) {
    call(app, launched, Method::POST, path, Some(body)).await
}

async fn get(app: &TestApp, launched: &Launched, path: &str) -> (u16, Value) {
    call(app, launched, Method::GET, path, None).await
}

fn internship(name: &str) -> Value {
    json!({
        "kind": "internship",
        "name": name,
        "description": "Six weeks in the **analytics** team.",
        "contact_name": "Olga Sidorova",
        "contact_email": "hr@example.org",
        "contact_url": "https://example.org/internships",
        "deadline": "2099-12-31"
    })
}

/// Creates an entry as a teacher and returns its id.
async fn create(app: &TestApp, teacher: &Launched, body: Value) -> i64 {
    let (status, created) = post(app, teacher, "/entries", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

/// The HTML of the partners page as `launched` sees it.
async fn page(app: &TestApp, launched: &Launched) -> String {
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/partners?lt={}",
            app.tool_url,
            launched.space_id,
            token_of(launched)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "partners page");
    response.text().await.unwrap()
}

fn names(listed: &Value) -> Vec<String> {
    listed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["name"].as_str().unwrap().to_string())
        .collect()
}

async fn audit_actions(app: &TestApp, teacher: &Launched) -> Vec<String> {
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/audit",
            app.tool_url, teacher.space_id
        ))
        .header("x-cowork-token", token_of(teacher))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let audit: Value = response.json().await.unwrap();
    audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn students_express_interest_teachers_see() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        let entry_id = create(&app, &teacher, internship("Data internship at Acme")).await;
        let interest = format!("/entries/{entry_id}/interest");

        let (status, mine) = post(&app, &anna, &interest, json!({"note": "I know SQL."})).await;
        assert_eq!(status, 200, "{backend:?}: {mine}");
        assert_eq!(mine["interest_count"], 1, "{backend:?}");
        assert_eq!(mine["my_interest"]["note"], "I know SQL.", "{backend:?}");
        assert!(mine.get("interests").is_none(), "{backend:?}: {mine}");
        let (status, _) = post(
            &app,
            &boris,
            &interest,
            json!({"note": "Boris private note"}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        let (_, updated) = post(&app, &anna, &interest, json!({"note": "I know SQL and R."})).await;
        assert_eq!(
            updated["my_interest"]["note"], "I know SQL and R.",
            "{backend:?}"
        );
        assert_eq!(
            updated["interest_count"], 2,
            "{backend:?}: a changed note is no new interest"
        );

        let (_, seen_by_anna) = get(&app, &anna, "/entries").await;
        let entry = &seen_by_anna["entries"][0];
        assert_eq!(entry["interest_count"], 2, "{backend:?}");
        assert!(entry.get("interests").is_none(), "{backend:?}: {entry}");
        assert!(
            !seen_by_anna.to_string().contains("Boris private note"),
            "{backend:?}: students never see others' notes"
        );
        let html = page(&app, &anna).await;
        assert!(
            !html.contains("Boris private note"),
            "{backend:?}: nor on the page"
        );
        assert!(
            !html.contains("Boris Ivanov"),
            "{backend:?}: nor who is interested"
        );
        assert!(
            html.contains("I know SQL and R."),
            "{backend:?}: own note shown"
        );
        assert!(
            html.contains("2 students are interested"),
            "{backend:?}: count shown"
        );

        let (_, seen_by_teacher) = get(&app, &teacher, &format!("/entries/{entry_id}")).await;
        let interests: Vec<(String, String)> = seen_by_teacher["interests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["user_name"].as_str().unwrap().to_string(),
                    i["note"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            interests,
            vec![
                ("Anna Smirnova".to_string(), "I know SQL and R.".to_string()),
                ("Boris Ivanov".to_string(), "Boris private note".to_string()),
            ],
            "{backend:?}"
        );
        let interested_ids: Vec<i64> = seen_by_teacher["interests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["user_id"].as_i64().unwrap())
            .collect();
        let html = page(&app, &teacher).await;
        assert!(
            html.contains("Boris private note"),
            "{backend:?}: teachers see notes"
        );
        assert!(html.contains("mailto:hr@example.org"), "{backend:?}");
        assert!(
            html.contains("href=\"https://example.org/internships\""),
            "{backend:?}"
        );

        let (status, withdrawn) = call(&app, &boris, Method::DELETE, &interest, None).await;
        assert_eq!(status, 200, "{backend:?}: {withdrawn}");
        assert_eq!(withdrawn["interest_count"], 1, "{backend:?}");
        assert!(withdrawn["my_interest"].is_null(), "{backend:?}");
        let (status, _) = call(&app, &boris, Method::DELETE, &interest, None).await;
        assert_eq!(status, 400, "{backend:?}: nothing left to withdraw");

        let recorded: Vec<(i64, Option<i64>, Option<i64>)> = app
            .state
            .store
            .interactions(anna.space_id, 0)
            .await
            .unwrap()
            .into_iter()
            .filter(|i| i.kind == "partner_interest")
            .map(|i| (i.actor_id, i.target_id, i.subject_id))
            .collect();
        assert_eq!(
            recorded,
            vec![
                (interested_ids[0], None, Some(entry_id)),
                (interested_ids[1], None, Some(entry_id)),
            ],
            "{backend:?}: one per new interest, by the student, about the entry"
        );

        let mut changed = internship("Data internship at Acme Ltd");
        changed["kind"] = json!("project");
        changed["contact_url"] = json!("");
        let (status, edited) = post(&app, &teacher, &format!("/entries/{entry_id}"), changed).await;
        assert_eq!(status, 200, "{backend:?}: {edited}");
        assert_eq!(edited["name"], "Data internship at Acme Ltd", "{backend:?}");
        assert_eq!(edited["kind"], "project", "{backend:?}");
        assert!(
            edited["contact_url"].is_null(),
            "{backend:?}: emptied field cleared"
        );

        let (status, archived) = post(
            &app,
            &teacher,
            &format!("/entries/{entry_id}/archive"),
            json!({"archived": true}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(archived["archived_at"].is_i64(), "{backend:?}");
        let (_, listed) = get(&app, &anna, "/entries").await;
        assert!(
            names(&listed).is_empty(),
            "{backend:?}: archived hidden from students"
        );
        let (status, _) = post(&app, &anna, &interest, json!({})).await;
        assert_eq!(status, 404, "{backend:?}: no interest in an archived entry");
        let (_, listed) = get(&app, &teacher, "/entries").await;
        assert_eq!(
            names(&listed),
            vec!["Data internship at Acme Ltd"],
            "{backend:?}"
        );
        assert_eq!(
            audit_actions(&app, &teacher).await,
            vec!["partner.archive", "partner.change", "partner.create"],
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn students_cannot_manage_entries() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let (status, error) = post(&app, &anna, "/entries", internship("Student entry")).await;
        assert_eq!(status, 403, "{backend:?}: {error}");
        let entry_id = create(&app, &teacher, internship("Teacher entry")).await;
        let (status, _) = post(
            &app,
            &anna,
            &format!("/entries/{entry_id}"),
            internship("Taken"),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: students cannot edit");
        let (status, _) = post(
            &app,
            &anna,
            &format!("/entries/{entry_id}/archive"),
            json!({"archived": true}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: students cannot archive");
        let (status, _) = post(
            &app,
            &teacher,
            &format!("/entries/{entry_id}/interest"),
            json!({}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: teachers do not express interest");
        let (_, listed) = get(&app, &anna, "/entries").await;
        assert_eq!(names(&listed), vec!["Teacher entry"], "{backend:?}");
        assert_eq!(
            listed["entries"][0]["archived_at"],
            Value::Null,
            "{backend:?}"
        );
        let html = page(&app, &anna).await;
        assert!(
            !html.contains("data-partners-form=\"create\""),
            "{backend:?}: no teacher form"
        );
    }
}

#[tokio::test]
async fn deadline_passed_entry_rejects_interest() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let mut past = internship("Summer school 2001");
        past["deadline"] = json!("2001-06-30");
        let past_id = create(&app, &teacher, past).await;
        let mut undated = internship("Open mentoring");
        undated["kind"] = json!("mentor");
        undated["deadline"] = json!(null);
        let undated_id = create(&app, &teacher, undated).await;

        let (_, listed) = get(&app, &anna, "/entries").await;
        let closed: Vec<(String, bool)> = listed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["closed"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            closed,
            vec![
                ("Summer school 2001".to_string(), true),
                ("Open mentoring".to_string(), false),
            ],
            "{backend:?}: dated entries first, the past one closed"
        );
        let (status, error) = post(
            &app,
            &anna,
            &format!("/entries/{past_id}/interest"),
            json!({}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("the deadline of this entry was 2001-06-30"),
            "{backend:?}: {error}"
        );
        let (status, _) = post(
            &app,
            &anna,
            &format!("/entries/{undated_id}/interest"),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: no deadline, always open");

        let html = page(&app, &anna).await;
        let closed_section = html
            .find("id=\"partners-closed-list\"")
            .expect("closed section");
        let past_card = html.find("Summer school 2001").unwrap();
        assert!(
            past_card > closed_section,
            "{backend:?}: listed under closed"
        );
        assert!(
            html.contains("Closed: the deadline was 2001-06-30"),
            "{backend:?}"
        );
        assert!(
            !html.contains(&format!("id=\"partners-note-{past_id}\"")),
            "{backend:?}: no interest form on a closed entry"
        );
        assert!(
            app.state
                .store
                .partner_interests(anna.space_id)
                .await
                .unwrap()
                .iter()
                .all(|interest| interest.entry_id != past_id),
            "{backend:?}: nothing stored for the closed entry"
        );
    }
}

#[tokio::test]
async fn invalid_entries_rejected_with_reason() {
    let app = spawn(Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let with = |field: &str, value: Value| {
        let mut body = internship("Valid name");
        body[field] = value;
        body
    };
    let cases = [
        (
            with("kind", json!("company")),
            "kind \"company\" is not one of organisation",
        ),
        (
            with("name", json!("  ")),
            "name must be 1 to 120 characters, got 0",
        ),
        (
            with("name", json!("n".repeat(121))),
            "name must be 1 to 120 characters, got 121",
        ),
        (
            with("description", json!("d".repeat(4001))),
            "description must be at most 4000",
        ),
        (
            with("contact_email", json!("hr.example.org")),
            "is not a valid e-mail address",
        ),
        (
            with("contact_email", json!("hr@localhost")),
            "is not a valid e-mail address",
        ),
        (
            with("contact_url", json!("javascript:alert(1)")),
            "must be an http:// or https://",
        ),
        (
            with("contact_url", json!("example.org")),
            "is not a valid URL",
        ),
        (with("deadline", json!("31.12.2030")), "use YYYY-MM-DD"),
        (with("deadline", json!("2030-02-30")), "is not a valid date"),
        (
            with("deadline", json!("1990-01-01")),
            "use a year from 2000 to 2100",
        ),
        (with("space_id", json!(2)), "unknown field"),
        (json!({"name": "No kind"}), "missing field `kind`"),
    ];

    for (body, reason) in cases {
        let (status, error) = post(&app, &teacher, "/entries", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{body}: {message}");
    }

    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let entry_id = create(&app, &teacher, internship("Valid name")).await;
    let (status, error) = post(
        &app,
        &anna,
        &format!("/entries/{entry_id}/interest"),
        json!({"note": "n".repeat(301)}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("note must be 1 to 300"),
        "{error}"
    );

    let (_, listed) = get(&app, &teacher, "/entries").await;
    assert_eq!(
        names(&listed),
        vec!["Valid name"],
        "nothing invalid was stored"
    );
}

#[tokio::test]
async fn other_space_entries_unreachable() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let mut elsewhere = choice("demo-teacher-1", "instructor");
        elsewhere.course_id = "course-da201".into();
        let other_teacher = app.launch(elsewhere).await;
        let foreign = create(&app, &other_teacher, internship("DA201 internship")).await;

        let (status, _) = get(&app, &anna, &format!("/entries/{foreign}")).await;
        assert_eq!(status, 404, "{backend:?}: read by guessed id");
        let (status, _) = post(
            &app,
            &anna,
            &format!("/entries/{foreign}/interest"),
            json!({}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: interest by guessed id");
        let (status, _) = call(
            &app,
            &anna,
            Method::DELETE,
            &format!("/entries/{foreign}/interest"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: withdraw by guessed id");
        let (status, _) = post(
            &app,
            &teacher,
            &format!("/entries/{foreign}"),
            internship("Taken"),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: edit by guessed id");
        let (status, _) = post(
            &app,
            &teacher,
            &format!("/entries/{foreign}/archive"),
            json!({"archived": true}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: archive by guessed id");

        let response = app
            .http
            .post(format!(
                "{}/spaces/{}/partners/entries",
                app.tool_url, other_teacher.space_id
            ))
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&internship("Intruder"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: token of another space"
        );
        let (_, listed) = get(&app, &other_teacher, "/entries").await;
        assert_eq!(names(&listed), vec!["DA201 internship"], "{backend:?}");
        assert!(listed["entries"][0]["archived_at"].is_null(), "{backend:?}");
        assert_eq!(listed["entries"][0]["interest_count"], 0, "{backend:?}");
    }
}

#[tokio::test]
async fn partner_writes_need_token_header() {
    let app = spawn(Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let entry_id = create(&app, &teacher, internship("Token check")).await;
    let base = format!(
        "{}/spaces/{}/partners/entries",
        app.tool_url, teacher.space_id
    );
    let writes = [
        (&teacher, Method::POST, base.clone(), internship("Forged")),
        (
            &teacher,
            Method::POST,
            format!("{base}/{entry_id}"),
            internship("Forged"),
        ),
        (
            &teacher,
            Method::POST,
            format!("{base}/{entry_id}/archive"),
            json!({"archived": true}),
        ),
        (
            &anna,
            Method::POST,
            format!("{base}/{entry_id}/interest"),
            json!({}),
        ),
        (
            &anna,
            Method::DELETE,
            format!("{base}/{entry_id}/interest"),
            json!({}),
        ),
    ];
    for (launched, method, url, body) in writes {
        let cookie = launched.cookie.split(';').next().unwrap().to_string();
        let with_cookie = app
            .http
            .request(method.clone(), &url)
            .header("cookie", cookie)
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            with_cookie.status(),
            401,
            "{method} {url}: a cookie alone cannot write"
        );

        let with_query = app
            .http
            .request(method.clone(), format!("{url}?lt={}", token_of(launched)))
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            with_query.status(),
            401,
            "{method} {url}: a token in the URL cannot write"
        );
    }

    let (_, listed) = get(&app, &teacher, "/entries").await;
    assert_eq!(names(&listed), vec!["Token check"]);
    assert!(listed["entries"][0]["archived_at"].is_null());
    assert_eq!(listed["entries"][0]["interest_count"], 0);
}

#[tokio::test]
async fn page_shows_names_as_text() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let mut hostile = internship("<script>alert('name')</script>");
        hostile["description"] = json!("**real**\n\n<iframe src=x></iframe>");
        hostile["contact_name"] = json!("<b>Olga</b>");
        let entry_id = create(&app, &teacher, hostile).await;
        post(
            &app,
            &anna,
            &format!("/entries/{entry_id}/interest"),
            json!({"note": "<img src=x onerror=alert(1)>"}),
        )
        .await;
        for (who, launched) in [("student", &anna), ("teacher", &teacher)] {
            let html = page(&app, launched).await;
            assert!(
                !html.contains("<script>alert"),
                "{backend:?} {who}: no live script"
            );
            assert!(
                html.contains("&lt;script&gt;"),
                "{backend:?} {who}: name as text"
            );
            assert!(
                !html.contains("<iframe src"),
                "{backend:?} {who}: description sanitized"
            );
            assert!(
                !html.contains("<b>Olga"),
                "{backend:?} {who}: contact as text"
            );
            assert!(
                !html.contains("<img src"),
                "{backend:?} {who}: note as text"
            );
            assert!(
                html.contains("<strong>real</strong>"),
                "{backend:?} {who}: Markdown"
            );
            assert!(
                html.contains(&format!("href=\"/spaces/{}?lt=", anna.space_id)),
                "{backend:?} {who}: link back to the space"
            );
        }
    }
}

#[tokio::test]
async fn page_speaks_launch_language() {
    let app = spawn(Backend::Sqlite).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut russian = choice("demo-student-1", "learner");
    russian.locale = "ru".into();
    let anna = app.launch(russian).await;
    create(&app, &teacher, internship("Acme analytics")).await;
    let html = page(&app, &anna).await;
    assert!(html.contains("<html lang=\"ru\">"));
    assert!(html.contains("Стажировка"), "kind in Russian");
    assert!(html.contains("Мне интересно"), "interest button in Russian");
    assert!(
        html.contains("Пока никто не проявил интерес"),
        "count in Russian"
    );
}
