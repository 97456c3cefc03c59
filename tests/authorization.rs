//! The authorization matrix: every route under `/spaces/{space_id}` called by every kind
//! of caller, on every configured backend. Four callers are turned away: one without a
//! session, one with a session of another space, a teacher of another space guessing ids,
//! and a student on a teacher's or another student's route. The caller a route is for
//! gets through.
//!
//! The table must name every space route in the router, so a new route cannot go
//! unchecked: `table_names_every_space_route` reads the route paths from the source.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{backends, choice, open_room, spawn, token_of, Launched, TestApp};
use cowork::demo::DemoPlatform;
use reqwest::Method;
use serde_json::{json, Value};

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum For {
    /// Anyone with a session of the space.
    Member,
    /// Teachers of the space only.
    Teacher,
    /// The student who made the item.
    Author,
    /// Checked elsewhere: the WebSocket needs an upgrade request (see tests/chat.rs).
    Socket,
}

struct Route {
    method: Method,
    path: &'static str,
    access: For,
}

const fn route(method: Method, path: &'static str, access: For) -> Route {
    Route {
        method,
        path,
        access,
    }
}

/// Every space route. Rows that archive or delete come last, because the pass with the
/// callers a route is for runs in table order.
const ROUTES: &[Route] = &[
    route(Method::GET, "/spaces/{space_id}", For::Member),
    route(Method::GET, "/spaces/{space_id}/ws", For::Socket),
    route(Method::POST, "/spaces/{space_id}/socket-token", For::Member),
    route(Method::GET, "/spaces/{space_id}/rooms", For::Member),
    route(Method::POST, "/spaces/{space_id}/rooms", For::Member),
    route(
        Method::POST,
        "/spaces/{space_id}/rooms/{room_id}",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/rooms/{room_id}/membership",
        For::Member,
    ),
    route(Method::POST, "/spaces/{space_id}/settings", For::Teacher),
    route(Method::POST, "/spaces/{space_id}/mutes", For::Teacher),
    route(Method::GET, "/spaces/{space_id}/audit", For::Teacher),
    route(Method::GET, "/spaces/{space_id}/manage", For::Member),
    route(Method::GET, "/spaces/{space_id}/events", For::Member),
    route(Method::POST, "/spaces/{space_id}/events", For::Teacher),
    route(Method::GET, "/spaces/{space_id}/events.ics", For::Member),
    route(
        Method::POST,
        "/spaces/{space_id}/events/{event_id}",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/events/{event_id}/rsvp",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/events/{event_id}/rsvps",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/events/{event_id}/cancel",
        For::Teacher,
    ),
    route(Method::GET, "/spaces/{space_id}/focus", For::Member),
    route(
        Method::GET,
        "/spaces/{space_id}/focus/sessions",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/focus/sessions",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/focus/sessions/{session_id}/check-in",
        For::Author,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/focus/sessions/{session_id}/abandon",
        For::Author,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/questionnaires",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/questionnaires/list",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/questionnaires/list",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/questionnaires/from-template",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/status",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/response",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/results",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/report",
        For::Teacher,
    ),
    route(Method::GET, "/spaces/{space_id}/dashboard", For::Member),
    route(Method::GET, "/spaces/{space_id}/help", For::Member),
    route(Method::GET, "/spaces/{space_id}/help/requests", For::Member),
    route(
        Method::POST,
        "/spaces/{space_id}/help/requests",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/help/requests/{request_id}",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/offers",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/posts",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/resolve",
        For::Author,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/thanks",
        For::Author,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/close",
        For::Teacher,
    ),
    route(Method::GET, "/spaces/{space_id}/partners", For::Member),
    route(
        Method::GET,
        "/spaces/{space_id}/partners/entries",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/partners/entries",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/partners/entries/{entry_id}",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/partners/entries/{entry_id}",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/partners/entries/{entry_id}/interest",
        For::Member,
    ),
    route(Method::GET, "/spaces/{space_id}/showcase", For::Member),
    route(
        Method::GET,
        "/spaces/{space_id}/showcase/items",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/showcase/items",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/showcase/{item_id}",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/showcase/items/{item_id}",
        For::Member,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/showcase/items/{item_id}/file",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/comments",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/reactions",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/feedback",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/featured",
        For::Teacher,
    ),
    route(Method::GET, "/spaces/{space_id}/grades", For::Teacher),
    route(
        Method::GET,
        "/spaces/{space_id}/grades/preview",
        For::Teacher,
    ),
    route(Method::POST, "/spaces/{space_id}/grades/rule", For::Teacher),
    route(Method::POST, "/spaces/{space_id}/grades/sync", For::Teacher),
    route(
        Method::POST,
        "/spaces/{space_id}/grades/awards",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/grades/outbox/{row_id}/retry",
        For::Teacher,
    ),
    route(Method::GET, "/spaces/{space_id}/export", For::Teacher),
    route(
        Method::GET,
        "/spaces/{space_id}/export/dictionary.json",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/students.csv",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/students.json",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/weeks.csv",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/weeks.json",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/answers.csv",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/answers.json",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/edges.csv",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/edges.json",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/members.csv",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/members.json",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/rooms.csv",
        For::Teacher,
    ),
    route(
        Method::GET,
        "/spaces/{space_id}/export/rooms.json",
        For::Teacher,
    ),
    route(Method::GET, "/spaces/{space_id}/roster", For::Teacher),
    route(Method::GET, "/spaces/{space_id}/privacy", For::Teacher),
    route(
        Method::GET,
        "/spaces/{space_id}/privacy/people/{user_id}/export",
        For::Teacher,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/roster/refresh",
        For::Teacher,
    ),
    route(
        Method::DELETE,
        "/spaces/{space_id}/partners/entries/{entry_id}/interest",
        For::Member,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/partners/entries/{entry_id}/archive",
        For::Teacher,
    ),
    route(
        Method::DELETE,
        "/spaces/{space_id}/help/requests/{request_id}",
        For::Author,
    ),
    route(
        Method::DELETE,
        "/spaces/{space_id}/showcase/items/{item_id}",
        For::Author,
    ),
    route(
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/delete",
        For::Teacher,
    ),
    // Without `"confirm": true` the erasure is refused after the checks of its caller,
    // so the row checks access without erasing anyone.
    route(
        Method::POST,
        "/spaces/{space_id}/privacy/people/{user_id}/erase",
        For::Teacher,
    ),
];

/// Ids of the items a route's path may name, all in one space.
#[derive(Debug, Clone, Copy)]
struct Ids {
    space: i64,
    room: i64,
    event: i64,
    session: i64,
    request: i64,
    entry: i64,
    item: i64,
    questionnaire: i64,
    /// The student who made the items.
    user: i64,
}

impl Ids {
    fn fill(&self, path: &str) -> String {
        path.replace("{space_id}", &self.space.to_string())
            .replace("{room_id}", &self.room.to_string())
            .replace("{event_id}", &self.event.to_string())
            .replace("{session_id}", &self.session.to_string())
            .replace("{request_id}", &self.request.to_string())
            .replace("{entry_id}", &self.entry.to_string())
            .replace("{item_id}", &self.item.to_string())
            .replace("{row_id}", &self.item.to_string())
            .replace("{questionnaire_id}", &self.questionnaire.to_string())
            .replace("{user_id}", &self.user.to_string())
    }
}

/// Returns whether `path` names an item besides the space.
fn names_an_item(path: &str) -> bool {
    path.matches("_id}").count() > 1
}

fn event_body() -> Value {
    json!({
        "kind": "lecture", "title": "Matrix lecture", "agenda": "", "location": "",
        "date": "2099-12-11", "time": "14:00", "duration_minutes": 60,
        "time_zone": "Europe/Moscow",
    })
}

fn entry_body() -> Value {
    json!({
        "kind": "internship", "name": "Matrix Ltd", "description": "Six weeks",
        "contact_name": "Olga", "contact_email": "hr@example.org",
        "contact_url": "https://example.org", "deadline": "2099-12-31",
    })
}

/// Returns a valid request body for `path`, so that a route which validates its body before it
/// looks up the ids still reaches the lookup.
fn body_for(path: &str) -> Value {
    let last = path.rsplit('/').next().unwrap_or_default();
    let names_item = last.parse::<i64>().is_ok();
    match last {
        "membership" => json!({"member": true}),
        "rsvp" => json!({"response": "yes"}),
        "check-in" => json!({"outcome": "met"}),
        "posts" | "comments" => json!({"body": "Try grouping by month"}),
        "thanks" => json!({"note": "Thank you"}),
        "reactions" => json!({"emoji": "👍", "on": true}),
        "feedback" => json!({"clarity": 4, "originality": 4, "usefulness": 4}),
        "featured" => json!({"featured": true}),
        "archive" => json!({"archived": true}),
        "status" => json!({"status": "open"}),
        _ if names_item && path.contains("/events/") => event_body(),
        _ if names_item && path.contains("/partners/") => entry_body(),
        _ if names_item && path.contains("/rooms/") => json!({"topic": "Matrix"}),
        _ => json!({}),
    }
}

/// Sends `method` to `path` as `who`, or with no session at all, and returns the status.
/// A read carries the token in the `lt` parameter as a page link does, a write in the
/// header a page script sends.
async fn status_of(app: &TestApp, method: &Method, path: &str, who: Option<&Launched>) -> u16 {
    let url = match who {
        Some(who) if *method == Method::GET => {
            format!("{}{path}?lt={}", app.tool_url, token_of(who))
        }
        _ => format!("{}{path}", app.tool_url),
    };
    let mut request = app
        .http
        .request(method.clone(), url)
        .header("accept", "application/json");
    if *method != Method::GET {
        if let Some(who) = who {
            request = request.header("x-cowork-token", token_of(who));
        }
        request = if path.ends_with("/showcase/items") {
            let content_type = format!("multipart/form-data; boundary={}", common::FORM_BOUNDARY);
            request
                .header("content-type", content_type)
                .body(common::showcase_form("Market map", 0))
        } else {
            request.json(&body_for(path))
        };
    }
    request.send().await.unwrap().status().as_u16()
}

/// Posts JSON as `who` and returns the id of what it created.
async fn create(app: &TestApp, who: &Launched, path: &str, body: Value) -> i64 {
    let url = format!("{}/spaces/{}{path}", app.tool_url, who.space_id);
    let response = app
        .http
        .post(url)
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let created: Value = response.json().await.unwrap();
    assert!(status == 200 || status == 201, "{path}: {status} {created}");
    created["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{path}: no id in {created}"))
}

/// Publishes a showcase item as `who` and returns its id.
async fn publish(app: &TestApp, who: &Launched) -> i64 {
    let url = format!("{}/spaces/{}/showcase/items", app.tool_url, who.space_id);
    let response = app
        .http
        .post(url)
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={}", common::FORM_BOUNDARY),
        )
        .body(common::showcase_form("Market map", 0))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

/// Creates an open questionnaire as `teacher` and returns its id.
async fn open_questionnaire(app: &TestApp, teacher: &Launched) -> i64 {
    let template = json!({"template": "communication-climate"});
    let id = create(app, teacher, "/questionnaires/from-template", template).await;
    let url = format!(
        "{}/spaces/{}/questionnaires/{id}/status",
        app.tool_url, teacher.space_id
    );
    let response = app
        .http
        .post(url)
        .header("x-cowork-token", token_of(teacher))
        .header("accept", "application/json")
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    id
}

/// Creates one item of every kind in `teacher`'s space; `author` makes the items that
/// belong to a student.
async fn make_items(app: &TestApp, teacher: &Launched, author: &Launched) -> Ids {
    let (socket, hello) = app.socket(author).await;
    let open = open_room(&hello);
    let user = hello["user_id"].as_i64().expect("the author's user id");
    socket.close().await;
    let focus = json!({"minutes": 25, "goal": "Outline the report"});
    let help = json!({"title": "Pivot tables", "description": "How do I group by month?"});
    Ids {
        space: teacher.space_id,
        room: open,
        event: create(app, teacher, "/events", event_body()).await,
        session: create(app, author, "/focus/sessions", focus).await,
        request: create(app, author, "/help/requests", help).await,
        entry: create(app, teacher, "/partners/entries", entry_body()).await,
        item: publish(app, author).await,
        questionnaire: open_questionnaire(app, teacher).await,
        user,
    }
}

#[tokio::test]
async fn every_route_checks_its_caller() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let author = app.launch(choice("demo-student-1", "learner")).await;
        let classmate = app.launch(choice("demo-student-2", "learner")).await;
        let mut elsewhere = choice("demo-teacher-1", "instructor");
        elsewhere.course_id = "course-da201".into();
        let outsider = app.launch(elsewhere).await;
        assert_ne!(outsider.space_id, teacher.space_id);

        let ids = make_items(&app, &teacher, &author).await;
        let guessed = Ids {
            space: outsider.space_id,
            ..ids
        };
        let checked = ROUTES.iter().filter(|r| r.access != For::Socket);

        for route in checked.clone() {
            let (method, path) = (&route.method, ids.fill(route.path));
            let label = format!("{backend:?} {method} {}", route.path);

            let anonymous = status_of(&app, method, &path, None).await;
            assert_eq!(anonymous, 401, "{label}: without a session");

            // A session of another space is no session here (401) or a forbidden one (403).
            let foreign = status_of(&app, method, &path, Some(&outsider)).await;
            assert!(
                foreign == 401 || foreign == 403,
                "{label}: with another space's session got {foreign}"
            );

            // A teacher of another space sending this space's ids in their own space's
            // paths finds nothing (404), or is turned away by role first (403).
            if names_an_item(route.path) {
                let guessed_path = guessed.fill(route.path);
                let status = status_of(&app, method, &guessed_path, Some(&outsider)).await;
                assert!(
                    status == 404 || status == 403,
                    "{label}: another space's teacher with this space's ids got {status}"
                );
            }

            if route.access != For::Member {
                let status = status_of(&app, method, &path, Some(&classmate)).await;
                assert_eq!(status, 403, "{label}: a student it is not for");
            }
        }

        for route in checked {
            let (method, path) = (&route.method, ids.fill(route.path));
            let caller = match route.access {
                For::Teacher => &teacher,
                For::Author => &author,
                For::Member | For::Socket => &classmate,
            };
            let status = status_of(&app, method, &path, Some(caller)).await;
            // The space has no failed grade to retry, so that route finds nothing.
            if route.path.contains("{row_id}") {
                assert_eq!(status, 404, "{backend:?} {method} {}", route.path);
                continue;
            }
            assert!(
                ![401, 403, 404].contains(&status),
                "{backend:?} {method} {}: the caller it is for got {status}",
                route.path
            );
        }
    }
}

/// The people and items of one platform's space.
struct Side {
    teacher: Launched,
    author: Launched,
    ids: Ids,
}

/// Launches a teacher and a student of course BC101 from `platform` and makes one item of
/// every kind in their space.
async fn side_of(app: &TestApp, platform: &DemoPlatform) -> Side {
    let teacher = app
        .launch_from(platform, choice("demo-teacher-1", "instructor"))
        .await;
    let author = app
        .launch_from(platform, choice("demo-student-1", "learner"))
        .await;
    let ids = make_items(app, &teacher, &author).await;
    Side {
        teacher,
        author,
        ids,
    }
}

/// Opens the space WebSocket at `url` from cowork's own origin and returns the HTTP status
/// of the handshake, 101 when it upgrades.
async fn handshake(app: &TestApp, url: &str) -> u16 {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Error;

    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", app.tool_url.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => 101,
        Err(Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("WebSocket handshake failed: {other}"),
    }
}

/// Two platform registrations, each with its own issuer and keys, launch the same course
/// and the same people. A session from one platform is rejected in the other's space on
/// every route, and finds nothing when it sends the other space's ids in its own paths.
#[tokio::test]
async fn other_platform_sessions_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let second_platform = app.add_platform().await;
        let first = side_of(&app, &app.platform).await;
        let second = side_of(&app, &second_platform).await;
        assert_ne!(first.ids.space, second.ids.space, "{backend:?}");

        let directions = [
            ("second platform in the first's space", &second, &first),
            ("first platform in the second's space", &first, &second),
        ];
        for (direction, caller, target) in directions {
            let routes = ROUTES.iter().filter(|r| r.access != For::Socket);
            for route in routes {
                let (method, path) = (&route.method, target.ids.fill(route.path));
                let label = format!("{backend:?}, {direction}: {method} {}", route.path);

                let teacher = status_of(&app, method, &path, Some(&caller.teacher)).await;
                assert!(
                    teacher == 401 || teacher == 403,
                    "{label}: the teacher got {teacher}"
                );
                let student = status_of(&app, method, &path, Some(&caller.author)).await;
                assert!(
                    student == 401 || student == 403,
                    "{label}: the student got {student}"
                );

                if names_an_item(route.path) {
                    let guessed = Ids {
                        space: caller.ids.space,
                        ..target.ids
                    };
                    let guessed_path = guessed.fill(route.path);
                    let status =
                        status_of(&app, method, &guessed_path, Some(&caller.teacher)).await;
                    assert!(
                        status == 404 || status == 403,
                        "{label}: the other space's ids in the caller's own space got {status}"
                    );
                }
            }

            // The caller's token under the cookie name of the target space.
            let cookie = format!(
                "{}={}",
                cowork::session::cookie_name(target.ids.space),
                token_of(&caller.author)
            );
            let by_cookie = app
                .http
                .get(format!("{}/spaces/{}", app.tool_url, target.ids.space))
                .header("cookie", cookie)
                .header("accept", "application/json")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!(
                by_cookie == 401 || by_cookie == 403,
                "{backend:?}, {direction}: session token in the space's cookie got {by_cookie}"
            );

            let token = app.socket_token(&caller.author).await;
            let status = handshake(&app, &app.socket_url_with(target.ids.space, &token)).await;
            assert_eq!(
                status, 401,
                "{backend:?}, {direction}: WebSocket with the caller's connection token"
            );

            // The same session still opens its own space, so the rejections above are
            // about the space and not a broken session.
            let own = app.socket_url_with(caller.ids.space, &token);
            assert_eq!(
                handshake(&app, &own).await,
                101,
                "{backend:?}, {direction}: WebSocket of the caller's own space"
            );
            let own_path = format!("/spaces/{}", caller.ids.space);
            let own_page = status_of(&app, &Method::GET, &own_path, Some(&caller.author)).await;
            assert_eq!(
                own_page, 200,
                "{backend:?}, {direction}: the caller's own space"
            );
        }
    }
}

/// Adds the route paths among the string literals of `text`: literals that start with
/// `/spaces/{space_id}` and hold no query and no positional `{}`.
fn collect_space_routes(text: &str, found: &mut BTreeSet<String>) {
    for piece in text.split("\"/spaces/{space_id}").skip(1) {
        let rest = &piece[..piece.find('"').unwrap()];
        if !rest.contains('?') && !rest.contains("{}") {
            found.insert(format!("/spaces/{{space_id}}{rest}"));
        }
    }
}

/// Adds the space route paths of every file under `dir`.
fn space_routes_in(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            space_routes_in(&path, found);
        } else {
            collect_space_routes(&std::fs::read_to_string(&path).unwrap(), found);
        }
    }
}

#[test]
fn table_names_every_space_route() {
    let mut in_source = BTreeSet::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    space_routes_in(&src.join("web"), &mut in_source);
    space_routes_in(&src.join("chat"), &mut in_source);
    let app = std::fs::read_to_string(src.join("app.rs")).unwrap();
    collect_space_routes(&app, &mut in_source);
    let in_table: BTreeSet<String> = ROUTES.iter().map(|r| r.path.to_string()).collect();
    let missing: Vec<_> = in_source.difference(&in_table).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
}
