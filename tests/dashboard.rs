//! The teacher's and the student's dashboards, rendered from a space built through real
//! launches, room requests and WebSocket chat, on every configured backend.

mod common;

use common::{backends, choice, open_room, spawn, token_of, Launched, Socket, TestApp};
use serde_json::{json, Value};

/// Posts a message, waits until the server acknowledges it and returns its id.
async fn post(socket: &mut Socket, room_id: i64, body: &str, parent_id: Option<i64>) -> i64 {
    let mut request = json!({"type": "send", "room_id": room_id, "body": body});
    if let Some(parent) = parent_id {
        request["parent_id"] = json!(parent);
    }
    socket.send(request).await;
    let ack = socket.next_of("ack").await;
    ack["message_id"].as_i64().expect("ack names the message")
}

async fn dashboard(app: &TestApp, launched: &Launched, query: &str) -> reqwest::Response {
    app.http
        .get(format!(
            "{}/spaces/{}/dashboard?lt={}{query}",
            app.tool_url,
            launched.space_id,
            token_of(launched)
        ))
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, launched: &Launched, query: &str) -> String {
    let response = dashboard(app, launched, query).await;
    assert_eq!(response.status(), 200, "dashboard{query}");
    response.text().await.unwrap()
}

/// Returns the rows of the table with `id`, each as its cell texts.
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = &html[start..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| cell[..cell.find("</td>").unwrap()].to_string())
                .collect()
        })
        .collect()
}

/// Returns the value shown for `term` in the definition list with `id`.
fn measure(html: &str, id: &str, term: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no list {id}"));
    let list = &html[start..];
    let list = &list[..list.find("</dl>").unwrap()];
    let at = list
        .find(&format!("<dt>{term}</dt><dd>"))
        .unwrap_or_else(|| panic!("no {term} in {list}"));
    let value = &list[at + term.len() + 13..];
    value[..value.find("</dd>").unwrap()].to_string()
}

/// Anna and Boris talk in the open space: Anna asks "Who has the template?" and Boris
/// replies. Chen asks the help desk and nobody answers. The teacher watches.
struct Space {
    app: TestApp,
    teacher: Launched,
    anna: Launched,
    chen: Launched,
}

async fn build_space(backend: common::Backend) -> Space {
    let app = spawn(backend).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let boris = app.launch(choice("demo-student-2", "learner")).await;
    let chen = app.launch(choice("demo-student-3", "learner")).await;

    let (mut anna_socket, hello) = app.socket(&anna).await;
    let open = open_room(&hello);
    let (mut boris_socket, _) = app.socket(&boris).await;
    anna_socket.join(open).await;
    boris_socket.join(open).await;
    let question = post(&mut anna_socket, open, "Who has the template?", None).await;
    post(&mut boris_socket, open, "Here it is", Some(question)).await;
    app.post_space_json(
        &chen,
        "/help/requests",
        json!({"title": "Pivot table", "description": "I am stuck."}),
    )
    .await;
    Space {
        app,
        teacher,
        anna,
        chen,
    }
}

#[tokio::test]
async fn teacher_dashboard_shows_measures() {
    for backend in backends() {
        let space = build_space(backend).await;
        let html = page(&space.app, &space.teacher, "").await;

        assert_eq!(measure(&html, "summary", "Students"), "3", "{backend:?}");
        // Anna, Boris and Chen all acted in the window.
        assert_eq!(measure(&html, "summary", "Active students"), "3");
        // Anna's question was answered, Chen's help request was not.
        assert_eq!(measure(&html, "summary", "Response rate"), "50%");
        // One pair (Anna and Boris) of three possible pairs.
        assert_eq!(measure(&html, "summary", "Network density"), "0.333");
        assert_eq!(measure(&html, "summary", "Isolated students"), "1");

        let attention = table_rows(&html, "attention");
        assert_eq!(attention.len(), 1, "{backend:?}: {attention:?}");
        assert_eq!(attention[0][0], "Chen Wei");
        assert!(attention[0][1].contains("no interaction"), "{attention:?}");
        assert!(
            attention[0][1].contains("1 unanswered help request"),
            "{attention:?}"
        );

        let pairs = table_rows(&html, "network");
        assert_eq!(
            pairs,
            vec![vec![
                "Anna Smirnova".to_string(),
                "Boris Ivanov".to_string(),
                "1".to_string()
            ]]
        );
        let students = table_rows(&html, "student-measures");
        let names: Vec<&str> = students.iter().map(|row| row[0].as_str()).collect();
        assert_eq!(names, vec!["Anna Smirnova", "Boris Ivanov", "Chen Wei"]);
        // Partners column: Anna and Boris have one, Chen none.
        let partners: Vec<&str> = students.iter().map(|row| row[5].as_str()).collect();
        assert_eq!(partners, vec!["1", "1", "0"]);

        // Week 1 contains both posts, the reply link between them and the help request.
        let activity = table_rows(&html, "activity");
        assert_eq!(activity.len(), 1, "one week so far: {activity:?}");
        assert_eq!(activity[0][0], "1");
        assert_eq!(activity[0][1], "3", "chat: two messages and one reply");
        assert_eq!(activity[0][2], "1", "help desk: the request");
    }
}

#[tokio::test]
async fn charts_are_accessible_svg() {
    let space = build_space(backends()[0]).await;
    let html = page(&space.app, &space.teacher, "").await;
    for chart in [
        "activity-chart",
        "mobility-chart",
        "communication-chart",
        "network-chart",
    ] {
        let start = html
            .find(&format!("<svg id=\"{chart}\""))
            .unwrap_or_else(|| panic!("no {chart}"));
        let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\""), "{chart}");
        assert!(
            svg.contains(&format!("aria-labelledby=\"{chart}-title {chart}-desc\"")),
            "{chart}"
        );
        assert!(
            svg.contains(&format!("<title id=\"{chart}-title\">")),
            "{chart}"
        );
        assert!(
            svg.contains(&format!("<desc id=\"{chart}-desc\">")),
            "{chart}"
        );
    }
    // Every figure carries a table of its numbers.
    assert_eq!(
        html.matches("<figure class=\"chart-figure\"").count(),
        html.matches("class=\"data-table chart-table\"").count()
    );
}

#[tokio::test]
async fn student_dashboard_shows_own_work() {
    for backend in backends() {
        let space = build_space(backend).await;
        let html = page(&space.app, &space.anna, "").await;
        assert!(html.contains("My coworking"), "{backend:?}");
        let contributions = table_rows(&html, "contributions");
        let count = |label: &str| {
            contributions
                .iter()
                .find(|row| row[0] == label)
                .map(|row| row[1].clone())
                .unwrap_or_else(|| panic!("no {label}"))
        };
        assert_eq!(count("Messages"), "1");
        assert_eq!(count("Replies"), "0");
        let partners = table_rows(&html, "partners");
        assert_eq!(
            partners,
            vec![vec!["Boris Ivanov".to_string(), "1".to_string()]]
        );
        // The weekly target of the default rule is 10 points. The question is shorter
        // than 40 characters, so it earns nothing, and Boris's reply earns Anna 0.5.
        assert!(
            html.contains("0.5 of 10 points this week."),
            "{backend:?}: progress"
        );
        assert!(html.contains("<svg id=\"progress-chart\""));
        assert!(html.contains("<svg id=\"points-chart\""));

        // Nothing about other students beyond Anna's own partners.
        assert!(!html.contains("Chen Wei"), "{backend:?}");
        assert!(!html.contains("id=\"attention\""));
        assert!(!html.contains("id=\"student-measures\""));
    }
}

#[tokio::test]
async fn student_without_partners_sees_hint() {
    let space = build_space(backends()[0]).await;
    let html = page(&space.app, &space.chen, "").await;
    assert!(html.contains("You have not interacted with another student"));
    let contributions = table_rows(&html, "contributions");
    assert!(contributions.contains(&vec!["Help requests".to_string(), "1".to_string()]));
}

#[tokio::test]
async fn window_selects_weeks() {
    let space = build_space(backends()[0]).await;
    // A window before the space existed contains no activity at all.
    let html = page(
        &space.app,
        &space.teacher,
        "&from=2026-01-05&until=2026-01-18",
    )
    .await;
    assert!(
        html.contains("value=\"2026-01-05\""),
        "the form keeps the window"
    );
    assert!(
        html.contains("From 2026-01-05 to 2026-01-18"),
        "window text"
    );
    let activity = table_rows(&html, "activity");
    assert_eq!(activity.len(), 2, "two weeks: {activity:?}");
    assert!(activity.iter().all(|row| row[1..] == ["0", "0", "0", "0"]));
    assert_eq!(measure(&html, "summary", "Active students"), "0");
    // Without activity in the window every student needs attention.
    assert_eq!(table_rows(&html, "attention").len(), 3);
}

#[tokio::test]
async fn window_errors_explain_fix() {
    let space = build_space(backends()[0]).await;
    let cases = [
        ("&from=05.01.2026", "from 05.01.2026 is not a date"),
        ("&from=2026-02-01&until=2026-01-01", "is empty"),
        ("&from=2020-01-01&until=2026-01-01", "longer than 106 weeks"),
    ];
    for (query, expected) in cases {
        let response = dashboard(&space.app, &space.teacher, query).await;
        assert_eq!(response.status(), 400, "{query}");
        let html = response.text().await.unwrap();
        assert!(html.contains(expected), "{query}: {html}");
    }
    let response = space
        .app
        .http
        .get(format!(
            "{}/spaces/{}/dashboard?lt={}&until=tomorrow",
            space.app.tool_url,
            space.teacher.space_id,
            token_of(&space.teacher)
        ))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let text = body.to_string();
    assert!(text.contains("until tomorrow is not a date"), "{text}");
    assert!(text.contains("YYYY-MM-DD"), "{text}");
}

#[tokio::test]
async fn russian_dashboard_is_translated() {
    let app = spawn(backends()[0]).await;
    let mut teacher = choice("demo-teacher-1", "instructor");
    teacher.locale = "ru".into();
    let teacher = app.launch(teacher).await;
    let html = page(&app, &teacher, "").await;
    assert!(html.contains("lang=\"ru\""));
    assert!(html.contains("Панель коворкинга"));
    assert!(html.contains("Как вычисляются показатели"));
    assert!(!html.contains("Coworking dashboard"));
}

#[tokio::test]
async fn names_are_escaped() {
    let app = spawn(backends()[0]).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let student = choice("demo-student-1", "learner");
    let login = app.login(student.clone()).await;
    let (_, state) = app.authorize(&login).await;
    let hostile = "<script>alert(1)</script>";
    let token = app.signed_claims(&student, &login.nonce, |claims| {
        claims.insert("name".into(), json!(hostile));
    });
    let mallory = app.launched(app.post_launch(&token, &state).await);
    let other = app.launch(choice("demo-student-2", "learner")).await;

    let (mut socket, hello) = app.socket(&mallory).await;
    let open = open_room(&hello);
    let (mut other_socket, _) = app.socket(&other).await;
    socket.join(open).await;
    other_socket.join(open).await;
    let message = post(&mut socket, open, "Hello", None).await;
    post(&mut other_socket, open, "Hi", Some(message)).await;

    for viewer in [&teacher, &other] {
        let html = page(&app, viewer, "").await;
        assert!(!html.contains(hostile), "a name reaches the page raw");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the name is shown escaped"
        );
    }
}
