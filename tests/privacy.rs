//! A person's data on request: the export covers every column that names a person, the
//! erasure keeps the measures of everyone else, only the right people can ask, and the
//! retention period clears old content, on every configured backend.

mod common;

use std::collections::BTreeSet;
use std::str::FromStr;

use common::{backends, choice, spawn_with, token_of, Backend, Launched, TestApp};
use cowork::analytics::activity::ActivityCache;
use cowork::analytics::report::{SpaceReport, SpaceRows, Window};
use cowork::store::chat::{Interaction, NewMessage};
use cowork::store::privacy::{PersonKey, PERSON_COLUMNS, REMOVED_TEXT};
use cowork::unix_now;
use serde_json::{json, Value};

const DAY: i64 = 24 * 60 * 60;

/// Column names that name a person in tables without a foreign key to `users`.
const PERSON_COLUMN_NAMES: &[&str] = &["user_id", "user_subject", "created_by"];

/// Returns the columns of the migrated schema that name a person: those with a foreign
/// key to `users`, and those named like one.
async fn schema_person_columns(app: &TestApp) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    match app.backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", app.database_path().display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            for (table,) in tables {
                let keys: Vec<(String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                        .bind(&table)
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                for (column, parent) in keys {
                    if parent == "users" {
                        found.insert((table.clone(), column));
                    }
                }
                let columns: Vec<(String,)> =
                    sqlx::query_as("SELECT name FROM pragma_table_info($1)")
                        .bind(&table)
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                for (column,) in columns {
                    if PERSON_COLUMN_NAMES.contains(&column.as_str()) && table != "users" {
                        found.insert((table.clone(), column));
                    }
                }
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let schema = app.schema().expect("PostgreSQL tests have a schema");
            let url = std::env::var(common::POSTGRES_ENV).unwrap();
            let options = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap();
            let pool = sqlx::PgPool::connect_with(options).await.unwrap();
            let keys: Vec<(String, String)> = sqlx::query_as(
                "SELECT k.table_name::text, k.column_name::text \
                 FROM information_schema.referential_constraints r \
                 JOIN information_schema.key_column_usage k \
                   ON k.constraint_name = r.constraint_name \
                  AND k.constraint_schema = r.constraint_schema \
                 JOIN information_schema.constraint_column_usage u \
                   ON u.constraint_name = r.unique_constraint_name \
                  AND u.constraint_schema = r.unique_constraint_schema \
                 WHERE k.constraint_schema = $1 AND u.table_name = 'users'",
            )
            .bind(schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            found.extend(keys);
            let named: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name <> 'users' \
                 AND column_name = ANY($2)",
            )
            .bind(schema)
            .bind(PERSON_COLUMN_NAMES)
            .fetch_all(&pool)
            .await
            .unwrap();
            found.extend(named);
            pool.close().await;
        }
    }
    found
}

#[tokio::test]
async fn person_columns_cover_schema() {
    for backend in backends() {
        let app = spawn_with(backend, |_| {}).await;
        let schema = schema_person_columns(&app).await;
        let listed: BTreeSet<(String, String)> = PERSON_COLUMNS
            .iter()
            .map(|column| (column.table.to_string(), column.column.to_string()))
            .collect();
        let missing: Vec<_> = schema.difference(&listed).collect();
        assert!(
            missing.is_empty(),
            "{backend:?}: columns naming a person that PERSON_COLUMNS does not cover: {missing:?}"
        );
        let stale: Vec<_> = listed.difference(&schema).collect();
        assert!(
            stale.is_empty(),
            "{backend:?}: PERSON_COLUMNS lists columns the schema lacks: {stale:?}"
        );
    }
}

/// A space with a teacher, three students, chat activity and two questionnaires.
struct Space {
    teacher: Launched,
    students: Vec<Launched>,
    ids: Vec<i64>,
    room_id: i64,
    named_id: i64,
    anonymous_id: i64,
}

impl Space {
    fn space_id(&self) -> i64 {
        self.teacher.space_id
    }
}

async fn post_json(app: &TestApp, who: &Launched, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/spaces/{}{path}", app.tool_url, who.space_id))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, who: &Launched, path: &str) -> (u16, Value) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}{path}{separator}lt={}",
            app.tool_url,
            who.space_id,
            token_of(who)
        ))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn open_questionnaire(app: &TestApp, teacher: &Launched, anonymous: bool) -> (i64, Vec<i64>) {
    let body = json!({
        "title": if anonymous { "Climate (anonymous)" } else { "Climate (named)" },
        "description": "",
        "anonymous": anonymous,
        "items": [
            {"kind": "satisfaction", "prompt": "How satisfied are you?"},
            {"kind": "likert5", "prompt": "I get help here.", "scale": "community"},
            {"kind": "text", "prompt": "What should change?"}
        ]
    });
    let (status, created) = post_json(app, teacher, "/questionnaires/list", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, opened) = post_json(
        app,
        teacher,
        &format!("/questionnaires/{id}/status"),
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

fn student_id(index: usize) -> String {
    format!("demo-student-{}", index + 1)
}

async fn build_space(app: &TestApp) -> Space {
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let mut students = Vec::new();
    for index in 0..3 {
        students.push(app.launch(choice(&student_id(index), "learner")).await);
    }
    let store = app.state.store.as_ref();
    let space_id = teacher.space_id;
    let members = store.analytics_members(space_id).await.unwrap();
    let mut ids = Vec::new();
    for index in 0..3 {
        let person = store
            .person_by_subject(&app.platform_url, &student_id(index))
            .await
            .unwrap()
            .unwrap();
        assert!(members.iter().any(|member| member.user_id == person.id));
        ids.push(person.id);
    }
    let rooms = store.analytics_rooms(space_id).await.unwrap();
    let room_id = rooms.iter().find(|room| room.kind == "open").unwrap().id;

    // Questions, replies and reactions between every pair, over two weeks.
    let start = unix_now() - 10 * DAY;
    let mut at = start;
    for (asker, answerer) in [(0, 1), (1, 2), (2, 0), (1, 0)] {
        at += DAY;
        let question = NewMessage {
            space_id,
            room_id,
            author_id: ids[asker],
            parent_id: None,
            parent_author_id: None,
            stance: None,
            body: format!("Question from student {asker}?"),
            body_html: format!("<p>Question from student {asker}?</p>"),
            mentions: Vec::new(),
        };
        let question = store.post_message(&question, at).await.unwrap().unwrap();
        let reply = NewMessage {
            parent_id: Some(question.id),
            parent_author_id: Some(ids[asker]),
            author_id: ids[answerer],
            body: format!("Answer from student {answerer}."),
            body_html: format!("<p>Answer from student {answerer}.</p>"),
            ..question_like(space_id, room_id)
        };
        store.post_message(&reply, at + 600).await.unwrap().unwrap();
        let reaction = Interaction {
            space_id,
            actor_id: ids[asker],
            target_id: Some(ids[answerer]),
            room_id: Some(room_id),
            kind: "reaction".into(),
            subject_id: None,
            created_at: at + 700,
        };
        store.record_interaction(&reaction).await.unwrap();
        let visit = store
            .start_visit(space_id, room_id, ids[answerer], at + 800)
            .await
            .unwrap();
        store.end_visit(visit, at + 1800).await.unwrap();
    }

    let (named_id, named_items) = open_questionnaire(app, &teacher, false).await;
    let (anonymous_id, anonymous_items) = open_questionnaire(app, &teacher, true).await;
    for (index, student) in students.iter().enumerate() {
        let satisfaction = [5, 2, 4][index];
        for (id, items) in [(named_id, &named_items), (anonymous_id, &anonymous_items)] {
            let answers = json!({"answers": [
                {"item_id": items[0], "value": satisfaction},
                {"item_id": items[1], "value": 4 - index as i64},
                {"item_id": items[2], "text": format!("Wish of student {index}")}
            ]});
            let (status, saved) = post_json(
                app,
                student,
                &format!("/questionnaires/{id}/response"),
                answers,
            )
            .await;
            assert_eq!(status, 200, "{saved}");
        }
    }
    Space {
        teacher,
        students,
        ids,
        room_id,
        named_id,
        anonymous_id,
    }
}

fn question_like(space_id: i64, room_id: i64) -> NewMessage {
    NewMessage {
        space_id,
        room_id,
        author_id: 0,
        parent_id: None,
        parent_author_id: None,
        stance: None,
        body: String::new(),
        body_html: String::new(),
        mentions: Vec::new(),
    }
}

fn window() -> Window {
    let now = unix_now();
    Window {
        from: now - 30 * DAY,
        until: now + DAY,
    }
}

/// Asserts that two JSON values agree, numbers up to the rounding of summing and
/// iterating in another order (the placeholder's id sorts after every other student).
fn assert_close(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0),
                "{path}: {a} differs from {b}"
            );
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: lengths differ");
            for (index, (a, b)) in a.iter().zip(b).enumerate() {
                assert_close(a, b, &format!("{path}[{index}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: BTreeSet<_> = a.keys().collect();
            let keys_b: BTreeSet<_> = b.keys().collect();
            assert_eq!(keys_a, keys_b, "{path}: keys differ");
            for (key, value) in a {
                assert_close(value, &b[key], &format!("{path}.{key}"));
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

/// Returns the entry of `user_id` in a list of per-student measures, without its id.
fn entry_of(list: &Value, user_id: i64) -> Value {
    let mut entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["user_id"] == json!(user_id))
        .unwrap_or_else(|| panic!("no entry for user {user_id} in {list}"))
        .clone();
    entry.as_object_mut().unwrap().remove("user_id");
    entry
}

async fn report(app: &TestApp, space_id: i64, window: Window) -> Value {
    let report = SpaceReport::load(
        &app.state.activity,
        app.state.store.as_ref(),
        space_id,
        window,
    )
    .await
    .unwrap();
    serde_json::to_value(report).unwrap()
}

async fn results(app: &TestApp, space: &Space, id: i64) -> Value {
    let (status, results) = get_json(
        app,
        &space.teacher,
        &format!("/questionnaires/{id}/results"),
    )
    .await;
    assert_eq!(status, 200, "{results}");
    results
}

/// Returns a questionnaire's results without its text item, whose texts erasure
/// replaces.
fn without_texts(results: &Value) -> Value {
    let mut results = results.clone();
    for wave in results["waves"].as_array_mut().unwrap() {
        for item in wave["items"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("texts");
        }
    }
    results
}

fn upload_body(name: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "privacy-test-boundary-k2Lw9";
    let mut body = Vec::new();
    for (field, value) in [("title", "My report"), ("description", "")] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload_file(app: &TestApp, who: &Launched) -> Value {
    let (content_type, body) = upload_body("report.pdf", PDF);
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}/showcase/items",
            app.tool_url, who.space_id
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let item: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{item}");
    item
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

#[tokio::test]
async fn erasure_keeps_measures_of_others() {
    for backend in backends() {
        let uploads = tempfile::tempdir().unwrap();
        let upload_dir = uploads.path().to_path_buf();
        let app = spawn_with(backend, |config| config.upload_dir = Some(upload_dir)).await;
        let space = build_space(&app).await;
        let space_id = space.space_id();
        upload_file(&app, &space.students[1]).await;
        assert_eq!(
            files_in(uploads.path()),
            1,
            "{backend:?}: the upload is on disk"
        );

        let window = window();
        let before = report(&app, space_id, window).await;
        // The copy of another instance, which learns of the erasure only through the
        // database.
        let other_instance = ActivityCache::new(100_000);
        other_instance
            .rows(app.state.store.as_ref(), space_id, window)
            .await
            .unwrap();
        let named_before = results(&app, &space, space.named_id).await;
        let anonymous_before = results(&app, &space, space.anonymous_id).await;
        let export = get_json(
            &app,
            &space.teacher,
            &format!("/privacy/people/{}/export", space.ids[1]),
        )
        .await;
        assert_eq!(export.0, 200, "{}", export.1);

        let erased = space.ids[1];
        let (status, outcome) = post_json(
            &app,
            &space.teacher,
            &format!("/privacy/people/{erased}/erase"),
            json!({"confirm": true}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {outcome}");
        let placeholder = outcome["placeholder_id"].as_i64().unwrap();
        assert_ne!(placeholder, erased);

        // The report goes through the same activity cache as before, so it is right only
        // when the cache reads the space again.
        let after = report(&app, space_id, window).await;
        let direct = SpaceRows::load(app.state.store.as_ref(), space_id, window)
            .await
            .unwrap();
        let cached = app
            .state
            .activity
            .rows(app.state.store.as_ref(), space_id, window)
            .await
            .unwrap();
        assert_eq!(
            cached.interactions, direct.interactions,
            "{backend:?}: cache"
        );
        assert_eq!(cached.messages, direct.messages, "{backend:?}: cache");
        assert_eq!(cached.visits, direct.visits, "{backend:?}: cache");
        let elsewhere = other_instance
            .rows(app.state.store.as_ref(), space_id, window)
            .await
            .unwrap();
        assert_eq!(
            elsewhere.interactions, direct.interactions,
            "{backend:?}: another instance's cache"
        );
        assert_eq!(
            elsewhere.visits, direct.visits,
            "{backend:?}: another instance's cache"
        );
        assert!(
            !after
                .to_string()
                .contains(&format!("\"user_id\":{erased},")),
            "{backend:?}: the erased id is gone from the report"
        );

        for other in [space.ids[0], space.ids[2]] {
            for list in ["/mobility/students", "/communication/students"] {
                assert_close(
                    &entry_of(before.pointer(list).unwrap(), other),
                    &entry_of(after.pointer(list).unwrap(), other),
                    &format!("{backend:?} {list} of user {other}"),
                );
            }
        }
        for list in ["/mobility/students", "/communication/students"] {
            assert_close(
                &entry_of(before.pointer(list).unwrap(), erased),
                &entry_of(after.pointer(list).unwrap(), placeholder),
                &format!("{backend:?} {list} of the placeholder"),
            );
        }
        for total in [
            "/mobility/mean_index",
            "/mobility/distribution",
            "/communication/space",
            "/communication/rooms",
            "/weekly",
        ] {
            assert_close(
                after.pointer(total).unwrap(),
                before.pointer(total).unwrap(),
                &format!("{backend:?} {total}"),
            );
        }
        assert_eq!(
            after["students"].as_array().unwrap().len(),
            3,
            "{backend:?}: still three students"
        );
        assert_eq!(
            after["edges"].as_array().unwrap().len(),
            before["edges"].as_array().unwrap().len(),
            "{backend:?}: edges"
        );

        let named_after = results(&app, &space, space.named_id).await;
        let anonymous_after = results(&app, &space, space.anonymous_id).await;
        assert_close(
            &without_texts(&named_after),
            &without_texts(&named_before),
            &format!("{backend:?} named results"),
        );
        assert_eq!(
            anonymous_after, anonymous_before,
            "{backend:?}: anonymous answers cannot be linked and stay"
        );
        let texts = named_after.to_string();
        assert!(!texts.contains("Wish of student 1"), "{backend:?}: {texts}");
        assert!(texts.contains("Wish of student 0"), "{backend:?}: {texts}");
        assert!(texts.contains(REMOVED_TEXT), "{backend:?}: {texts}");

        let store = app.state.store.as_ref();
        let messages = store
            .analytics_messages(space_id, window.from, window.until)
            .await
            .unwrap();
        assert_eq!(messages.len(), 8, "{backend:?}: every message stays");
        let erased_messages: Vec<_> = messages
            .iter()
            .filter(|message| message.author_id == placeholder)
            .collect();
        assert_eq!(erased_messages.len(), 3, "{backend:?}");
        for message in erased_messages {
            let stored = store.message(space_id, message.id).await.unwrap().unwrap();
            assert!(
                stored.body.starts_with(REMOVED_TEXT),
                "{backend:?}: {}",
                stored.body
            );
        }
        assert_eq!(
            files_in(uploads.path()),
            0,
            "{backend:?}: the file is deleted"
        );

        let page = app
            .http
            .get(&space.students[1].space_url)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 401, "{backend:?}: the session ended");

        let audit = store.audit_entries(space_id, 10).await.unwrap();
        let entry = audit
            .iter()
            .find(|entry| entry.action == "privacy.erase")
            .expect("the erasure is audited");
        assert_eq!(entry.target, format!("placeholder user {placeholder}"));
        let person_name = export.1["person"]["name"].as_str().unwrap_or("");
        assert!(
            !person_name.is_empty(),
            "{backend:?}: the export names the person"
        );
        for entry in &audit {
            assert!(
                !entry.target.contains(person_name),
                "{backend:?}: {entry:?}"
            );
            assert!(
                !entry.target.contains(&student_id(1)),
                "{backend:?}: {entry:?}"
            );
        }
    }
}

#[tokio::test]
async fn export_lists_every_table() {
    for backend in backends() {
        let app = spawn_with(backend, |_| {}).await;
        let space = build_space(&app).await;
        let (status, export) = get_json(
            &app,
            &space.teacher,
            &format!("/privacy/people/{}/export", space.ids[0]),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {export}");
        assert_eq!(export["person"]["subject"], json!(student_id(0)));
        assert_eq!(export["scope"]["space_id"], json!(space.space_id()));
        for column in PERSON_COLUMNS {
            assert!(
                export["tables"].get(column.table).is_some(),
                "{backend:?}: the export has no {} table",
                column.table
            );
        }
        let messages = export["tables"]["messages"]["rows"].as_array().unwrap();
        assert_eq!(messages.len(), 3, "{backend:?}: {messages:?}");
        let sessions = export["tables"]["sessions"]["rows"].as_array().unwrap();
        assert_eq!(sessions.len(), 1, "{backend:?}");
        assert!(
            sessions[0].get("id").is_none(),
            "{backend:?}: session ids are secrets and stay out"
        );
        let answers = export["tables"]["questionnaire_answers"]["rows"].to_string();
        assert_eq!(
            answers.matches("Wish of student 0").count(),
            1,
            "{backend:?}: only the named answer: {answers}"
        );
        assert!(
            export["anonymous_answers"]
                .as_str()
                .unwrap()
                .contains("not included"),
            "{backend:?}"
        );
        assert!(
            !export.to_string().contains("Wish of student 1"),
            "{backend:?}: nobody else's answers"
        );
        let respondents = export["tables"]["questionnaire_respondents"]["rows"]
            .as_array()
            .unwrap();
        assert_eq!(respondents.len(), 2, "{backend:?}: both questionnaires");
        let subject_columns = PERSON_COLUMNS
            .iter()
            .filter(|column| column.key == PersonKey::Subject)
            .count();
        assert!(subject_columns > 0);
    }
}

#[tokio::test]
async fn only_own_teachers_export_and_erase() {
    for backend in backends() {
        let app = spawn_with(backend, |_| {}).await;
        let space = build_space(&app).await;
        let mut other_teacher = choice("demo-teacher-2", "instructor");
        other_teacher.course_id = "course-da201".into();
        let other_teacher = app.launch(other_teacher).await;
        assert_ne!(other_teacher.space_id, space.space_id());
        let second_teacher = app.launch(choice("demo-teacher-2", "instructor")).await;
        let teacher_id = app
            .state
            .store
            .person_by_subject(&app.platform_url, "demo-teacher-2")
            .await
            .unwrap()
            .unwrap()
            .id;
        let student = space.ids[0];
        let erase_path = format!("/privacy/people/{student}/erase");
        let export_path = format!("/privacy/people/{student}/export");

        // A teacher of another space, with their own token, on this space's routes.
        let foreign = |path: &str| {
            format!(
                "{}/spaces/{}{path}?lt={}",
                app.tool_url,
                space.space_id(),
                token_of(&other_teacher)
            )
        };
        let response = app
            .http
            .get(foreign(&export_path))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: export in another space"
        );
        let response = app
            .http
            .post(foreign(&erase_path))
            .header("x-cowork-token", token_of(&other_teacher))
            .header("accept", "application/json")
            .json(&json!({"confirm": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: erase in another space"
        );
        // A person of another space is not found from this space.
        let (status, _) = get_json(
            &app,
            &other_teacher,
            &format!("/privacy/people/{student}/export"),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: person of another space");

        let (status, body) = get_json(&app, &space.students[1], &export_path).await;
        assert_eq!(status, 403, "{backend:?}: a student exports: {body}");
        let (status, body) = post_json(
            &app,
            &space.students[1],
            &erase_path,
            json!({"confirm": true}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: a student erases: {body}");

        let (status, body) = post_json(
            &app,
            &space.teacher,
            &format!("/privacy/people/{teacher_id}/erase"),
            json!({"confirm": true}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: another teacher: {body}");
        let (status, _) = post_json(
            &app,
            &second_teacher,
            &format!("/privacy/people/{teacher_id}/erase"),
            json!({"confirm": true}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: oneself");

        let (status, body) =
            post_json(&app, &space.teacher, &erase_path, json!({"confirm": false})).await;
        assert_eq!(status, 400, "{backend:?}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("confirm"),
            "{backend:?}: {body}"
        );

        // The token in the query, without the header, does not authorise a write.
        let response = app
            .http
            .post(format!(
                "{}/spaces/{}{erase_path}?lt={}",
                app.tool_url,
                space.space_id(),
                token_of(&space.teacher)
            ))
            .header("cookie", &space.teacher.cookie)
            .header("accept", "application/json")
            .json(&json!({"confirm": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{backend:?}: no header");

        let (status, _) = post_json(
            &app,
            &space.teacher,
            "/privacy/people/999999/erase",
            json!({"confirm": true}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: unknown person");

        assert!(
            app.state.store.person(student).await.unwrap().is_some(),
            "{backend:?}: nothing was erased"
        );
        let page = app
            .http
            .get(format!(
                "{}/spaces/{}/privacy?lt={}",
                app.tool_url,
                space.space_id(),
                token_of(&space.teacher)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("/privacy/people/{student}/export")));
        let manage = app
            .http
            .get(format!(
                "{}/spaces/{}/manage?lt={}",
                app.tool_url,
                space.space_id(),
                token_of(&space.teacher)
            ))
            .send()
            .await
            .unwrap();
        let manage = manage.text().await.unwrap();
        assert!(
            manage.contains("/privacy?lt="),
            "the manage page links the page"
        );
    }
}

#[tokio::test]
async fn retention_clears_old_content() {
    for backend in backends() {
        let app = spawn_with(backend, |_| {}).await;
        let space = build_space(&app).await;
        let space_id = space.space_id();
        let store = app.state.store.as_ref();
        let now = unix_now();
        let recent = NewMessage {
            author_id: space.ids[0],
            body: "A recent message".into(),
            body_html: "<p>A recent message</p>".into(),
            ..question_like(space_id, space.room_id)
        };
        let recent = store.post_message(&recent, now).await.unwrap().unwrap();

        assert_eq!(
            cowork::app::apply_retention(&app.state, now).await,
            0,
            "{backend:?}: no period, nothing cleared"
        );
        let window = window();
        let before = report(&app, space_id, window).await;

        let (status, body) = post_json(
            &app,
            &space.teacher,
            "/settings",
            json!({"retention_days": 40_000}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: {body}");
        let (status, body) = post_json(
            &app,
            &space.teacher,
            "/settings",
            json!({"retention_days": 5}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert_eq!(body["retention_days"], 5);

        let cleared = cowork::app::apply_retention(&app.state, now).await;
        assert!(cleared >= 8, "{backend:?}: {cleared} rows cleared");
        let messages = store
            .analytics_messages(space_id, window.from, window.until)
            .await
            .unwrap();
        assert_eq!(messages.len(), 9, "{backend:?}: every message stays");
        for message in &messages {
            let stored = store.message(space_id, message.id).await.unwrap().unwrap();
            if message.id == recent.id {
                assert_eq!(stored.body, "A recent message", "{backend:?}");
            } else {
                assert!(
                    stored.body.starts_with(REMOVED_TEXT),
                    "{backend:?}: {}",
                    stored.body
                );
            }
        }
        let after = report(&app, space_id, window).await;
        assert_close(&after, &before, &format!("{backend:?} report"));
        assert_eq!(
            cowork::app::apply_retention(&app.state, now).await,
            0,
            "{backend:?}: a second run finds nothing"
        );

        let (status, body) = post_json(
            &app,
            &space.teacher,
            "/settings",
            json!({"retention_days": 0}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert_eq!(body["retention_days"], Value::Null);
    }
}

#[tokio::test]
async fn server_default_retention_applies() {
    for backend in backends() {
        let app = spawn_with(backend, |config| config.retention_days = Some(3)).await;
        let space = build_space(&app).await;
        // The server's own retention job may run while the space is built and clear part
        // of it first, so the check is on what remains, not on this run's count.
        let now = unix_now();
        cowork::app::apply_retention(&app.state, now).await;
        let store = app.state.store.as_ref();
        let old = store
            .analytics_messages(space.space_id(), 0, now - 3 * DAY)
            .await
            .unwrap();
        assert!(!old.is_empty(), "{backend:?}: the space has old messages");
        for message in &old {
            let stored = store
                .message(space.space_id(), message.id)
                .await
                .unwrap()
                .unwrap();
            assert!(
                stored.body.starts_with(REMOVED_TEXT),
                "{backend:?}: message {} older than the period: {}",
                message.id,
                stored.body
            );
        }
        let (status, body) = post_json(
            &app,
            &space.teacher,
            "/settings",
            json!({"retention_days": 1000}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let later = unix_now() + 30 * DAY;
        let recent = NewMessage {
            author_id: space.ids[0],
            body: "Kept by the space's own period".into(),
            body_html: "<p>Kept</p>".into(),
            ..question_like(space.space_id(), space.room_id)
        };
        let recent = store
            .post_message(&recent, unix_now())
            .await
            .unwrap()
            .unwrap();
        cowork::app::apply_retention(&app.state, later).await;
        let stored = store
            .message(space.space_id(), recent.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.body, "Kept by the space's own period", "{backend:?}");
    }
}

#[tokio::test]
async fn erasure_reloads_open_pages() {
    for backend in backends() {
        let app = spawn_with(backend, |_| {}).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let erased = app.launch(choice(&student_id(0), "learner")).await;
        let watcher = app.launch(choice(&student_id(1), "learner")).await;
        let erased_id = app
            .state
            .store
            .person_by_subject(&app.platform_url, &student_id(0))
            .await
            .unwrap()
            .unwrap()
            .id;

        let (mut author, hello) = app.socket(&erased).await;
        let room_id = common::open_room(&hello);
        author.join(room_id).await;
        let (mut page, _) = app.socket(&watcher).await;
        page.join(room_id).await;
        author
            .send(json!({"type": "send", "room_id": room_id, "body": "My phone is 555-0100"}))
            .await;
        author.next_of("ack").await;
        let seen = page.next_of("message").await;
        assert_eq!(
            seen["message"]["body"], "My phone is 555-0100",
            "{backend:?}"
        );
        let revision = seen["message"]["rev"].as_i64().unwrap();

        let (status, body) = post_json(
            &app,
            &teacher,
            &format!("/privacy/people/{erased_id}/erase"),
            json!({"confirm": true}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {body}");

        page.next_of("resync").await;
        let remaining = app
            .state
            .store
            .person_by_subject(&app.platform_url, &student_id(0))
            .await
            .unwrap();
        assert!(
            remaining.is_none(),
            "{backend:?}: a person erased from their only space keeps no name"
        );
        page.send(json!({"type": "join", "room_id": room_id, "since_rev": revision}))
            .await;
        let history = page.next_of("history").await;
        let bodies: Vec<&str> = history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|message| message["body"].as_str())
            .collect();
        assert!(
            bodies.contains(&REMOVED_TEXT),
            "{backend:?}: the rejoin brings the replaced text: {history}"
        );
        assert!(
            !history.to_string().contains("555-0100"),
            "{backend:?}: the erased text is gone from the open page: {history}"
        );
    }
}

/// Returns the database URL of `app` for another process: its SQLite file, or its
/// PostgreSQL schema.
fn database_url(app: &TestApp) -> String {
    match app.schema() {
        None => format!("sqlite://{}", app.database_path().display()),
        Some(schema) => {
            let base = std::env::var(common::POSTGRES_ENV).unwrap();
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}options[search_path]={schema}")
        }
    }
}

#[tokio::test]
async fn admin_command_keeps_measures() {
    for backend in backends() {
        let app = spawn_with(backend, |_| {}).await;
        let space = build_space(&app).await;
        let space_id = space.space_id();
        let window = window();
        let before = report(&app, space_id, window).await;

        let run = |action: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_cowork"))
                .args(["privacy"])
                .args(action)
                .args(["--platform", &app.platform_url, "--user", &student_id(1)])
                .env("COWORK_DATABASE_URL", database_url(&app))
                .env_remove("COWORK_CONFIG")
                .env_remove("COWORK_KEY_ENCRYPTION_KEY")
                .output()
                .expect("run cowork")
        };
        let exported = run(&["export"]);
        assert!(
            exported.status.success(),
            "{backend:?}: {}",
            String::from_utf8_lossy(&exported.stderr)
        );
        let document: Value = serde_json::from_slice(&exported.stdout).unwrap();
        assert_eq!(document["person"]["subject"], json!(student_id(1)));
        let erased = run(&["erase", "--confirm"]);
        assert!(
            erased.status.success(),
            "{backend:?}: {}",
            String::from_utf8_lossy(&erased.stderr)
        );

        // The running service reads the space again and finds the same measures.
        let after = report(&app, space_id, window).await;
        for other in [space.ids[0], space.ids[2]] {
            for list in ["/mobility/students", "/communication/students"] {
                assert_close(
                    &entry_of(before.pointer(list).unwrap(), other),
                    &entry_of(after.pointer(list).unwrap(), other),
                    &format!("{backend:?} {list} of user {other}"),
                );
            }
        }
        for total in ["/mobility/mean_index", "/communication/space", "/weekly"] {
            assert_close(
                after.pointer(total).unwrap(),
                before.pointer(total).unwrap(),
                &format!("{backend:?} {total}"),
            );
        }
        assert!(
            !after
                .to_string()
                .contains(&format!("\"user_id\":{},", space.ids[1])),
            "{backend:?}: the erased id is gone from the report"
        );
        let remaining = app
            .state
            .store
            .person_by_subject(&app.platform_url, &student_id(1))
            .await
            .unwrap();
        assert!(
            remaining.is_none(),
            "{backend:?}: the person's row is deleted"
        );
    }
}
