//! The data export on every configured backend. The tests build a small space through
//! launches, chat, the help desk and questionnaires. They check every table's content,
//! CSV quoting and formula neutralization, window errors and the language of refusals.
//! They also check the anonymity of answers and the column dictionary in docs/EXPORT.md.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{backends, choice, open_room, spawn, token_of, Launched, Socket, TestApp};
use cowork::export::dictionary::{self, TABLES};
use serde_json::{json, Value};

/// The formats every table is exported in.
const FORMATS: [&str; 2] = ["csv", "json"];

async fn join(socket: &mut Socket, room_id: i64) {
    socket
        .send(json!({"type": "join", "room_id": room_id}))
        .await;
    socket.next_of("history").await;
}

/// Posts a chat message, optionally as a reply, and returns its id once acknowledged.
async fn post_message(socket: &mut Socket, room_id: i64, body: &str, parent: Option<i64>) -> i64 {
    let mut request = json!({"type": "send", "room_id": room_id, "body": body});
    if let Some(parent) = parent {
        request["parent_id"] = json!(parent);
    }
    socket.send(request).await;
    socket.next_of("ack").await["message_id"].as_i64().unwrap()
}

async fn post_json(app: &TestApp, who: &Launched, path: &str, body: Value) -> Value {
    let response = app
        .http
        .post(format!("{}/spaces/{}{path}", app.tool_url, who.space_id))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "POST {path}: {status} {value}");
    value
}

/// A GET response: status, headers and body.
struct Fetched {
    status: u16,
    disposition: String,
    content_type: String,
    body: String,
}

/// Reads `/spaces/{id}/export{path}` as `who`, with the token in the `lt` parameter.
async fn fetch(app: &TestApp, who: &Launched, path: &str) -> Fetched {
    let separator = if path.contains('?') { '&' } else { '?' };
    let url = format!(
        "{}/spaces/{}/export{path}{separator}lt={}",
        app.tool_url,
        who.space_id,
        token_of(who)
    );
    let response = app
        .http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    Fetched {
        status: response.status().as_u16(),
        disposition: header("content-disposition"),
        content_type: header("content-type"),
        body: response.text().await.unwrap(),
    }
}

/// Reads a table as JSON and returns its rows as objects keyed by column name.
async fn rows(
    app: &TestApp,
    who: &Launched,
    table: &str,
    window: &str,
) -> Vec<BTreeMap<String, Value>> {
    let fetched = fetch(app, who, &format!("/{table}.json{window}")).await;
    assert_eq!(fetched.status, 200, "{table}: {}", fetched.body);
    let value: Value = serde_json::from_str(&fetched.body).unwrap();
    let columns: Vec<String> = value["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap().to_string())
        .collect();
    let spec = dictionary::table(table).unwrap();
    assert_eq!(columns, spec.column_names(), "{table} columns");
    value["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let cells = row.as_array().unwrap();
            assert_eq!(cells.len(), columns.len(), "{table} row {row}");
            columns.iter().cloned().zip(cells.iter().cloned()).collect()
        })
        .collect()
}

/// Reads a table as CSV and returns its header and records.
async fn csv_records(
    app: &TestApp,
    who: &Launched,
    table: &str,
) -> (Vec<String>, Vec<Vec<String>>) {
    let fetched = fetch(app, who, &format!("/{table}.csv")).await;
    assert_eq!(fetched.status, 200, "{table}: {}", fetched.body);
    let mut reader = csv::Reader::from_reader(fetched.body.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let records = reader
        .records()
        .map(|record| record.unwrap().iter().map(String::from).collect())
        .collect();
    (header, records)
}

/// The space of the tests, with the user ids of its people.
struct Space {
    app: TestApp,
    teacher: Launched,
    anna_name: String,
    anna: i64,
    boris: i64,
    chen: i64,
    dana: i64,
    open: i64,
    team: i64,
    named: i64,
    anonymous: i64,
}

/// Creates and opens a questionnaire; returns its id and item ids.
async fn open_questionnaire(app: &TestApp, teacher: &Launched, body: Value) -> (i64, Vec<i64>) {
    let created = post_json(app, teacher, "/questionnaires/list", body).await;
    let id = created["id"].as_i64().unwrap();
    let status = format!("/questionnaires/{id}/status");
    post_json(app, teacher, &status, json!({"status": "open"})).await;
    let items = created["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect();
    (id, items)
}

/// Anna (student 1) creates team table "=Alpha" and Boris (student 2) joins it. In the
/// open space Anna asks "Who has the template?" and Boris replies. In the team table
/// Boris posts a plan and Anna replies. Chen (student 3) asks for help at the help desk
/// and Anna posts in the request's conversation. Boris asks for help too, and nobody
/// answers. Dana (student 4) does nothing.
///
/// The named questionnaire (pace 1–5, how often, remarks) is answered by Anna (4, "Weekly",
/// "=SUM(A1)") and Boris (2, "Daily", "fine"). The anonymous one (mood 1–5, remarks) is
/// answered by Anna (5, "-great"), Boris (1, "+meh") and Chen (3, "@home").
async fn build_space(backend: common::Backend) -> Space {
    let app = spawn(backend).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let logins = [
        app.launch(choice("demo-student-1", "learner")).await,
        app.launch(choice("demo-student-2", "learner")).await,
        app.launch(choice("demo-student-3", "learner")).await,
        app.launch(choice("demo-student-4", "learner")).await,
    ];
    let (anna_login, boris_login, chen_login) = (&logins[0], &logins[1], &logins[2]);

    let team = post_json(
        &app,
        anna_login,
        "/rooms",
        json!({"kind": "team", "name": "=Alpha"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let membership = format!("/rooms/{team}/membership");
    post_json(&app, boris_login, &membership, json!({"member": true})).await;

    let (mut anna_socket, hello) = app.socket(anna_login).await;
    let open = open_room(&hello);
    let (mut boris_socket, _) = app.socket(boris_login).await;
    join(&mut anna_socket, open).await;
    join(&mut boris_socket, open).await;
    let question = post_message(&mut anna_socket, open, "Who has the template?", None).await;
    post_message(&mut boris_socket, open, "Here it is", Some(question)).await;
    join(&mut anna_socket, team).await;
    join(&mut boris_socket, team).await;
    let plan = post_message(&mut boris_socket, team, "Plan for today", None).await;
    post_message(&mut anna_socket, team, "Agreed", Some(plan)).await;
    anna_socket.close().await;
    boris_socket.close().await;

    let request = post_json(
        &app,
        chen_login,
        "/help/requests",
        json!({"title": "Pivot table", "description": "I am stuck."}),
    )
    .await;
    let posts = format!("/help/requests/{}/posts", request["id"]);
    post_json(&app, anna_login, &posts, json!({"body": "Use Group."})).await;
    post_json(
        &app,
        boris_login,
        "/help/requests",
        json!({"title": "Deadline", "description": "When is it due?"}),
    )
    .await;

    let (named, named_items) = open_questionnaire(
        &app,
        &teacher,
        json!({"title": "Pace", "anonymous": false, "items": [
            {"kind": "likert5", "prompt": "The pace suits me.", "scale": "pace"},
            {"kind": "single", "prompt": "How often?", "options": ["Daily", "Weekly"]},
            {"kind": "text", "prompt": "Remarks"}
        ]}),
    )
    .await;
    let (anonymous, anonymous_items) = open_questionnaire(
        &app,
        &teacher,
        json!({"title": "Mood", "anonymous": true, "items": [
            {"kind": "likert5", "prompt": "I feel welcome."},
            {"kind": "text", "prompt": "Remarks"}
        ]}),
    )
    .await;
    let named_answers = [(anna_login, 4, 1, "=SUM(A1)"), (boris_login, 2, 0, "fine")];
    for (who, pace, often, text) in named_answers {
        let path = format!("/questionnaires/{named}/response");
        let body = json!({"answers": [
            {"item_id": named_items[0], "value": pace},
            {"item_id": named_items[1], "value": often},
            {"item_id": named_items[2], "text": text}
        ]});
        post_json(&app, who, &path, body).await;
    }
    let anonymous_answers = [
        (anna_login, 5, "-great"),
        (boris_login, 1, "+meh"),
        (chen_login, 3, "@home"),
    ];
    for (who, mood, text) in anonymous_answers {
        let path = format!("/questionnaires/{anonymous}/response");
        let body = json!({"answers": [
            {"item_id": anonymous_items[0], "value": mood},
            {"item_id": anonymous_items[1], "text": text}
        ]});
        post_json(&app, who, &path, body).await;
    }

    let members = app
        .state
        .store
        .analytics_members(teacher.space_id)
        .await
        .unwrap();
    // Members are ordered by user id, and the students got theirs in launch order.
    let students: Vec<_> = members
        .iter()
        .filter(|member| member.role == "student")
        .collect();
    assert_eq!(students.len(), 4, "{members:?}");
    Space {
        anna: students[0].user_id,
        boris: students[1].user_id,
        chen: students[2].user_id,
        dana: students[3].user_id,
        anna_name: students[0].name.clone().unwrap(),
        app,
        teacher,
        open,
        team,
        named,
        anonymous,
    }
}

fn by_user(rows: &[BTreeMap<String, Value>], user_id: i64) -> &BTreeMap<String, Value> {
    rows.iter()
        .find(|row| row["user_id"] == json!(user_id))
        .unwrap_or_else(|| panic!("no row of user {user_id}"))
}

#[tokio::test]
async fn tables_match_hand_built_space() {
    for backend in backends() {
        let space = build_space(backend).await;
        let (app, teacher) = (&space.app, &space.teacher);
        let (anna, boris, chen, dana) = (space.anna, space.boris, space.chen, space.dana);

        let members = rows(app, teacher, "members", "").await;
        let roles: BTreeSet<(i64, String)> = members
            .iter()
            .map(|row| {
                (
                    row["user_id"].as_i64().unwrap(),
                    row["role"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(members.len(), 5, "{backend:?}: {members:?}");
        assert!(roles.contains(&(anna, "student".into())), "{roles:?}");
        assert_eq!(
            roles.iter().filter(|(_, role)| role == "teacher").count(),
            1
        );

        let edges = rows(app, teacher, "edges", "").await;
        let found: BTreeSet<(i64, i64, String, Option<i64>, i64)> = edges
            .iter()
            .map(|row| {
                (
                    row["actor_id"].as_i64().unwrap(),
                    row["target_id"].as_i64().unwrap(),
                    row["kind"].as_str().unwrap().to_string(),
                    row["room_id"].as_i64(),
                    row["count"].as_i64().unwrap(),
                )
            })
            .collect();
        let expected: BTreeSet<(i64, i64, String, Option<i64>, i64)> = [
            (boris, anna, "reply".to_string(), Some(space.open), 1),
            (anna, boris, "reply".to_string(), Some(space.team), 1),
            (anna, chen, "help_reply".to_string(), None, 1),
        ]
        .into();
        assert_eq!(found, expected, "{backend:?}: {edges:?}");
        for edge in &edges {
            assert!(
                edge["first_at"].as_i64() <= edge["last_at"].as_i64(),
                "{edge:?}"
            );
        }

        let students = rows(app, teacher, "students", "").await;
        assert_eq!(students.len(), 4, "{backend:?}: {students:?}");
        let degrees: Vec<i64> = [anna, boris, chen, dana]
            .iter()
            .map(|id| by_user(&students, *id)["degree"].as_i64().unwrap())
            .collect();
        assert_eq!(degrees, vec![2, 1, 1, 0], "{backend:?}");
        assert_eq!(by_user(&students, dana)["isolated"], json!(true));
        assert_eq!(by_user(&students, anna)["isolated"], json!(false));
        assert_eq!(by_user(&students, anna)["questions_asked"], json!(1));
        assert_eq!(by_user(&students, anna)["questions_answered"], json!(1));
        assert_eq!(
            by_user(&students, chen)["questions_asked"],
            json!(1),
            "help request"
        );
        assert_eq!(by_user(&students, chen)["response_rate"], json!(1.0));
        assert_eq!(by_user(&students, dana)["response_rate"], Value::Null);
        assert_eq!(
            by_user(&students, anna)["reciprocity"],
            json!(0.5),
            "Boris yes, Chen no"
        );
        assert_eq!(by_user(&students, anna)["weeks"], json!(1));
        assert_eq!(by_user(&students, dana)["inactive"], json!(true));
        assert_eq!(by_user(&students, anna)["inactive"], json!(false));
        assert_eq!(
            by_user(&students, boris)["unanswered_help_requests"],
            json!(1)
        );
        assert_eq!(
            by_user(&students, chen)["unanswered_help_requests"],
            json!(0)
        );
        let anna_index = by_user(&students, anna)["mobility_index"].as_f64().unwrap();
        let dana_index = by_user(&students, dana)["mobility_index"].as_f64().unwrap();
        assert!(anna_index > dana_index, "{anna_index} vs {dana_index}");
        assert!(by_user(&students, anna)["points"].is_number());
        assert_eq!(by_user(&students, anna)["name"], json!(space.anna_name));

        let weeks = rows(app, teacher, "weeks", "").await;
        assert_eq!(weeks.len(), 4, "one week for each of 4 students");
        assert_eq!(by_user(&weeks, anna)["active"], json!(true));
        assert_eq!(
            by_user(&weeks, anna)["rooms"],
            json!(2),
            "open space and =Alpha"
        );
        assert_eq!(by_user(&weeks, anna)["new_contacts"], json!(2));
        assert_eq!(by_user(&weeks, dana)["active"], json!(false));

        let rooms = rows(app, teacher, "rooms", "").await;
        let team = rooms
            .iter()
            .find(|row| row["room_id"] == json!(space.team))
            .unwrap();
        assert_eq!(team["name"], json!("=Alpha"), "JSON keeps the raw name");
        assert_eq!(team["kind"], json!("team"));
        assert_eq!(
            team["reciprocity"],
            json!(0.0),
            "only Anna replied to Boris there"
        );
        let open = rooms
            .iter()
            .find(|row| row["room_id"] == json!(space.open))
            .unwrap();
        assert_eq!(open["questions"], json!(1));
        assert_eq!(open["response_rate"], json!(1.0));

        let answers = rows(app, teacher, "answers", "").await;
        let named: Vec<_> = answers
            .iter()
            .filter(|row| row["questionnaire_id"] == json!(space.named))
            .collect();
        assert_eq!(named.len(), 6, "{backend:?}: {answers:?}");
        let anna_often = named
            .iter()
            .find(|row| row["user_id"] == json!(anna) && row["kind"] == json!("single"))
            .unwrap();
        assert_eq!(anna_often["value"], json!(1));
        assert_eq!(anna_often["option"], json!("Weekly"));
        assert_eq!(anna_often["item_number"], json!(2));
        assert!(
            anna_often["updated_at"].is_i64(),
            "named answers keep their time"
        );
        let anna_text = named
            .iter()
            .find(|row| row["user_id"] == json!(anna) && row["kind"] == json!("text"))
            .unwrap();
        assert_eq!(anna_text["text"], json!("=SUM(A1)"));
        assert_eq!(anna_text["value"], Value::Null);
        assert_eq!(anna_text["name"], json!(space.anna_name));
        let anonymous = answers
            .iter()
            .filter(|row| row["questionnaire_id"] == json!(space.anonymous))
            .count();
        assert_eq!(anonymous, 6);
    }
}

#[tokio::test]
async fn csv_quotes_and_neutralizes_formulas() {
    for backend in backends() {
        let space = build_space(backend).await;
        let (app, teacher) = (&space.app, &space.teacher);

        let fetched = fetch(app, teacher, "/answers.csv").await;
        assert_eq!(fetched.status, 200, "{}", fetched.body);
        assert_eq!(fetched.content_type, "text/csv; charset=utf-8");
        let disposition = format!(
            "attachment; filename=\"cowork-space-{}-answers.csv\"",
            teacher.space_id
        );
        assert_eq!(fetched.disposition, disposition);

        let (header, records) = csv_records(app, teacher, "answers").await;
        assert_eq!(header, dictionary::ANSWERS.column_names());
        let text_column = header.iter().position(|name| name == "text").unwrap();
        let texts: BTreeSet<&str> = records
            .iter()
            .map(|record| record[text_column].as_str())
            .filter(|text| !text.is_empty())
            .collect();
        let expected: BTreeSet<&str> = ["'=SUM(A1)", "fine", "'-great", "'+meh", "'@home"].into();
        assert_eq!(texts, expected, "{backend:?}");

        let (header, records) = csv_records(app, teacher, "rooms").await;
        let name_column = header.iter().position(|name| name == "name").unwrap();
        let names: Vec<&str> = records.iter().map(|r| r[name_column].as_str()).collect();
        assert!(names.contains(&"'=Alpha"), "{names:?}");
        assert!(!names.contains(&"=Alpha"), "{names:?}");

        let (header, records) = csv_records(app, teacher, "students").await;
        assert_eq!(header, dictionary::STUDENTS.column_names());
        let index = header
            .iter()
            .position(|name| name == "mobility_index")
            .unwrap();
        for record in &records {
            let value: f64 = record[index].parse().unwrap();
            assert!((0.0..=1.0).contains(&value), "{record:?}");
        }
        let students = fetch(app, teacher, "/students.csv").await;
        let audit = app
            .state
            .store
            .audit_entries(teacher.space_id, 50)
            .await
            .unwrap();
        let downloads: Vec<&str> = audit
            .iter()
            .filter(|entry| entry.action == "export.download")
            .map(|entry| entry.target.as_str())
            .collect();
        assert!(
            downloads.contains(&format!("cowork-space-{}-answers.csv", teacher.space_id).as_str()),
            "{backend:?}: {audit:?}"
        );
        assert!(
            students.disposition.starts_with(&format!(
                "attachment; filename=\"cowork-space-{}-students-",
                teacher.space_id
            )),
            "{}",
            students.disposition
        );
    }
}

#[tokio::test]
async fn window_selects_rows_and_rejects_bad_input() {
    for backend in backends() {
        let space = build_space(backend).await;
        let (app, teacher) = (&space.app, &space.teacher);

        // A week long ago (until includes its day): no interaction, every student isolated, answers unchanged.
        let long_ago = "?from=1999-12-31&until=2000-01-07";
        assert!(rows(app, teacher, "edges", long_ago).await.is_empty());
        let students = rows(app, teacher, "students", long_ago).await;
        assert!(students.iter().all(|row| row["isolated"] == json!(true)));
        let weeks = rows(app, teacher, "weeks", long_ago).await;
        assert!(!weeks.is_empty());
        assert!(weeks.iter().all(|row| row["active"] == json!(false)));
        assert_eq!(rows(app, teacher, "answers", long_ago).await.len(), 12);
        let fetched = fetch(app, teacher, &format!("/edges.json{long_ago}")).await;
        let value: Value = serde_json::from_str(&fetched.body).unwrap();
        assert_eq!(
            value["window"],
            json!({"from": 946_598_400, "until": 947_289_600})
        );

        let cases = [
            (
                "?from=2026-02-30",
                "from \"2026-02-30\" is not a date or a time",
            ),
            ("?until=soon", "until \"soon\" is not a date or a time"),
            ("?from=-5", "from \"-5\" is not a date or a time"),
            ("?from=2000-01-02&until=2000-01-01", "the window is empty"),
            ("?from=0", "the window is longer than 520 weeks"),
        ];
        for (query, message) in cases {
            for path in ["/students.csv", "/edges.json", ""] {
                let fetched = fetch(app, teacher, &format!("{path}{query}")).await;
                assert_eq!(
                    fetched.status, 400,
                    "{backend:?} {path}{query}: {}",
                    fetched.body
                );
                let body: Value = serde_json::from_str(&fetched.body).unwrap();
                let text = body["message"].as_str().unwrap_or_default();
                assert!(text.contains(message), "{path}{query}: {body}");
            }
        }

        let mut russian = choice("demo-teacher-2", "instructor");
        russian.locale = "ru".into();
        let russian = app.launch(russian).await;
        let fetched = fetch(app, &russian, "/students.csv?until=soon").await;
        assert_eq!(fetched.status, 400, "{}", fetched.body);
        let body: Value = serde_json::from_str(&fetched.body).unwrap();
        let text = body["message"].as_str().unwrap_or_default();
        assert!(
            text.contains("until \"soon\" не является ни датой, ни моментом времени"),
            "{backend:?}: {body}"
        );
    }
}

#[tokio::test]
async fn students_refused_in_their_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let _teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        for (locale, message) in [
            ("en", "only teachers of this space can export its data"),
            (
                "ru",
                "выгружать данные пространства могут только его преподаватели",
            ),
        ] {
            let mut student = choice("demo-student-1", "learner");
            student.locale = locale.into();
            let student = app.launch(student).await;
            let mut paths = vec!["".to_string(), "/dictionary.json".to_string()];
            for table in TABLES {
                for format in FORMATS {
                    paths.push(format!("/{}.{format}", table.name));
                }
            }
            for path in paths {
                let fetched = fetch(&app, &student, &path).await;
                assert_eq!(fetched.status, 403, "{backend:?} {locale} {path}");
                assert!(
                    fetched.body.contains(message),
                    "{locale} {path}: {}",
                    fetched.body
                );
                assert!(
                    fetched.disposition.is_empty(),
                    "{path}: no file for a student"
                );
            }
        }
    }
}

/// Downloads every table in every format, the dictionary and the export page as the
/// teacher, and returns each path with its body.
async fn every_export(app: &TestApp, teacher: &Launched) -> Vec<(String, String)> {
    let mut paths = vec!["".to_string(), "/dictionary.json".to_string()];
    for table in TABLES {
        for format in FORMATS {
            paths.push(format!("/{}.{format}", table.name));
        }
    }
    let mut bodies = Vec::new();
    for path in paths {
        let fetched = fetch(app, teacher, &path).await;
        assert_eq!(fetched.status, 200, "{path}: {}", fetched.body);
        bodies.push((path, fetched.body));
    }
    bodies
}

#[tokio::test]
async fn anonymous_answers_link_to_nobody() {
    for backend in backends() {
        let space = build_space(backend).await;
        let (app, teacher) = (&space.app, &space.teacher);
        let store = &app.state.store;
        let space_id = teacher.space_id;

        // The response keys appear in no export.
        let mut keys = Vec::new();
        for questionnaire in [space.named, space.anonymous] {
            let responses = store
                .questionnaire_responses(space_id, questionnaire)
                .await
                .unwrap();
            keys.extend(responses.into_iter().map(|response| response.response_key));
        }
        assert_eq!(keys.len(), 5);
        for (path, body) in every_export(app, teacher).await {
            for key in &keys {
                assert!(
                    !body.contains(key.as_str()),
                    "{path} contains a response key"
                );
                assert!(
                    !body.contains(&key[..16]),
                    "{path} contains part of a response key"
                );
            }
        }

        // Anonymous rows carry no person and no time.
        let answers = rows(app, teacher, "answers", "").await;
        let anonymous: Vec<_> = answers
            .iter()
            .filter(|row| row["questionnaire_id"] == json!(space.anonymous))
            .collect();
        for row in &anonymous {
            assert_eq!(row["anonymous"], json!(true));
            for column in ["user_id", "name", "updated_at"] {
                assert_eq!(row[column], Value::Null, "{column} of {row:?}");
            }
        }

        // Respondents are numbered 1..n in the order of the secret keys, so the numbers
        // follow neither user ids nor the order of answering.
        let mut responses = store
            .questionnaire_responses(space_id, space.anonymous)
            .await
            .unwrap();
        responses.sort_by(|a, b| a.response_key.cmp(&b.response_key));
        let stored = store
            .questionnaire_answers(space_id, space.anonymous)
            .await
            .unwrap();
        for (index, response) in responses.iter().enumerate() {
            let mut expected: Vec<(i64, Option<String>)> = stored
                .iter()
                .filter(|answer| answer.response_key == response.response_key)
                .map(|answer| (answer.value, answer.text.clone()))
                .collect();
            expected.sort();
            let mut exported: Vec<(i64, Option<String>)> = anonymous
                .iter()
                .filter(|row| row["respondent"] == json!(index + 1))
                .map(|row| {
                    let value = row["value"].as_i64().unwrap_or(0);
                    (value, row["text"].as_str().map(String::from))
                })
                .collect();
            exported.sort();
            assert_eq!(exported, expected, "{backend:?} respondent {}", index + 1);
        }

        // Only the answers table has respondents or questionnaires, so no other table
        // can be joined to an anonymous row. Within the answers table, only these
        // columns name a person.
        for table in TABLES.iter().filter(|table| table.name != "answers") {
            for column in ["respondent", "questionnaire_id", "item_id"] {
                assert!(
                    !table.column_names().contains(&column),
                    "{}: {column}",
                    table.name
                );
            }
        }
        let person_columns = ["user_id", "name", "updated_at"];
        for column in dictionary::ANSWERS.column_names() {
            let shared = TABLES
                .iter()
                .filter(|table| table.name != "answers")
                .any(|table| table.column_names().contains(&column));
            let about_items = ["kind", "name"].contains(&column);
            assert!(
                !shared || person_columns.contains(&column) || about_items,
                "answers column {column} also appears in another table"
            );
        }
    }
}

#[tokio::test]
async fn page_lists_tables_and_columns() {
    for backend in backends() {
        let space = build_space(backend).await;
        let (app, teacher) = (&space.app, &space.teacher);
        let page = fetch(app, teacher, "?from=2026-03-01&until=2026-03-31").await;
        assert_eq!(page.status, 200, "{}", page.body);
        for table in TABLES {
            let csv_link = format!("/spaces/{}/export/{}.csv?lt=", teacher.space_id, table.name);
            assert!(
                page.body.contains(&csv_link),
                "{backend:?}: link to {}",
                table.name
            );
            for column in table.columns {
                assert!(
                    page.body.contains(&format!("<code>{}</code>", column.name)),
                    "{} column {}",
                    table.name,
                    column.name
                );
            }
        }
        assert!(page
            .body
            .contains("&amp;from=2026-03-01&amp;until=2026-03-31"));
        assert!(page.body.contains("Window: from 2026-03-01 00:00 UTC"));

        let mut russian = choice("demo-teacher-2", "instructor");
        russian.locale = "ru".into();
        let russian = app.launch(russian).await;
        let page_ru = fetch(app, &russian, "").await;
        assert_eq!(page_ru.status, 200, "{}", page_ru.body);
        assert!(
            page_ru.body.contains("Выгрузка данных"),
            "{backend:?}: Russian title"
        );
        assert!(
            page_ru.body.contains("Индекс мобильности от 0 до 1"),
            "{backend:?}: Russian definition of mobility_index"
        );

        let dictionary: Value =
            serde_json::from_str(&fetch(app, teacher, "/dictionary.json").await.body).unwrap();
        let names: Vec<&str> = dictionary["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|table| table["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["students", "weeks", "answers", "edges", "members", "rooms"]
        );
        let index = &dictionary["tables"][0]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|column| column["name"] == "mobility_index")
            .unwrap()
            .clone();
        assert_eq!(index["type"], "number");
        assert_eq!(
            index["definition"],
            cowork::analytics::mobility::INDEX_DEFINITION
        );

        let grades = app
            .http
            .get(format!(
                "{}/spaces/{}/grades?lt={}",
                app.tool_url,
                teacher.space_id,
                token_of(teacher)
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = format!("href=\"/spaces/{}/export?lt=", teacher.space_id);
        assert!(
            grades.contains(&link),
            "grades page links to the export page"
        );
    }
}

const DOC_PATH: &str = "docs/EXPORT.md";
const DOC_MARKER: &str = "<!-- The tables below are generated from src/export/dictionary.rs. -->\n";

/// docs/EXPORT.md ends with the dictionary as [`dictionary::markdown`] renders it. With
/// `COWORK_WRITE_EXPORT_DOC=1` the test rewrites that part of the file instead.
#[test]
fn export_doc_matches_dictionary() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let (intro, tables) = text
        .split_once(DOC_MARKER)
        .expect("docs/EXPORT.md has the generated-tables marker");
    let expected = dictionary::markdown();
    if std::env::var_os("COWORK_WRITE_EXPORT_DOC").is_some() {
        std::fs::write(&path, format!("{intro}{DOC_MARKER}{expected}")).unwrap();
        return;
    }
    assert!(
        tables == expected,
        "{DOC_PATH} is out of date; run COWORK_WRITE_EXPORT_DOC=1 cargo test --test export \
         export_doc_matches_dictionary"
    );
}

#[tokio::test]
async fn pairs_link_waves_not_people() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        let items = json!([{"kind": "likert5", "prompt": "I feel welcome."}]);
        let (pre, pre_items) = open_questionnaire(
            &app,
            &teacher,
            json!({"title": "Before", "anonymous": true, "wave": "pre", "items": items}),
        )
        .await;
        let (post, post_items) = open_questionnaire(
            &app,
            &teacher,
            json!({"title": "After", "anonymous": true, "wave": "post", "pre_id": pre,
                   "items": items}),
        )
        .await;
        // Anna moves from 1 to 2, Boris from 4 to 5.
        for (who, before, after) in [(&anna, 1, 2), (&boris, 4, 5)] {
            for (id, item, value) in [(pre, pre_items[0], before), (post, post_items[0], after)] {
                let path = format!("/questionnaires/{id}/response");
                let body = json!({"answers": [{"item_id": item, "value": value}]});
                post_json(&app, who, &path, body).await;
            }
        }

        let answers = rows(&app, &teacher, "answers", "").await;
        let pair_of = |questionnaire: i64, value: i64| {
            answers
                .iter()
                .find(|row| {
                    row["questionnaire_id"] == json!(questionnaire) && row["value"] == json!(value)
                })
                .map(|row| row["pair"].clone())
                .unwrap_or_else(|| panic!("no answer {value} to {questionnaire}: {answers:?}"))
        };
        assert_eq!(
            pair_of(pre, 1),
            pair_of(post, 2),
            "{backend:?}: Anna's waves"
        );
        assert_eq!(
            pair_of(pre, 4),
            pair_of(post, 5),
            "{backend:?}: Boris's waves"
        );
        assert_ne!(pair_of(pre, 1), pair_of(pre, 4), "{backend:?}: two people");
        let numbers: BTreeSet<i64> = answers
            .iter()
            .filter_map(|row| row["pair"].as_i64())
            .collect();
        assert_eq!(numbers, BTreeSet::from([1, 2]));
        for row in &answers {
            for column in ["user_id", "name", "updated_at"] {
                assert_eq!(row[column], Value::Null, "{column} of {row:?}");
            }
        }

        // Neither the pair keys nor the response keys leave the server.
        let store = &app.state.store;
        let mut keys = Vec::new();
        for id in [pre, post] {
            for response in store
                .questionnaire_responses(teacher.space_id, id)
                .await
                .unwrap()
            {
                keys.push(
                    response
                        .pair_key
                        .expect("both waves are anonymous, so paired"),
                );
                keys.push(response.response_key);
            }
        }
        for (path, body) in every_export(&app, &teacher).await {
            for key in &keys {
                assert!(!body.contains(&key[..16]), "{path} contains a key");
            }
        }
    }
}
