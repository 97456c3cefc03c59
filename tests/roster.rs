//! The course roster through NRPS, against a membership service double built from the
//! recorded Moodle 4.2 response and split into pages with each `Link` header form.

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::{backends, choice, spawn_custom, Backend, Launched, TestApp};
use cowork::lti::claims;
use cowork::lti::nrps::{self, FixedToken, MAX_PAGES, MEMBERSHIP_CONTAINER};
use cowork::net::PlatformHttp;
use cowork::store::Platform;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const TOKEN: &str = "267c796c0e996bade4b422eb47d62cb1";
const PATH: &str = "/mod/lti/services.php/CourseSection/2/bindings/2/memberships";

/// How the double writes its next-page link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkForm {
    Standard,
    Bare,
    Entities,
    TypographicQuotes,
    /// The next link of the last page points back at the first page.
    LoopToFirst,
    /// Every page links to another, forever.
    Endless,
    /// The last page with members still links to a next page, which is empty.
    EmptyTail,
    /// The next link leaves the service's origin.
    OtherOrigin,
}

#[derive(Clone)]
struct Service {
    members: Vec<Value>,
    per_page: usize,
    form: LinkForm,
    base: String,
    requests: Arc<Mutex<Vec<u32>>>,
}

struct ServiceDouble {
    url: String,
    requests: Arc<Mutex<Vec<u32>>>,
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn recorded_members() -> Vec<Value> {
    let recording = fixture("nrps-memberships.json");
    recording["response"]["json"]["members"]
        .as_array()
        .unwrap()
        .clone()
}

/// Returns the recorded members, with student2 withholding name and email and student3
/// inactive.
fn members_with_privacy() -> Vec<Value> {
    let mut members = recorded_members();
    for member in &mut members {
        let object = member.as_object_mut().unwrap();
        match object["user_id"].as_str().unwrap() {
            "5" => {
                for field in ["name", "given_name", "family_name", "email"] {
                    object.remove(field);
                }
            }
            "6" => {
                object.insert("status".into(), json!("Inactive"));
            }
            _ => {}
        }
    }
    members
}

async fn service_double(members: Vec<Value>, per_page: usize, form: LinkForm) -> ServiceDouble {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let service = Service {
        members,
        per_page,
        form,
        base: base.clone(),
        requests: requests.clone(),
    };
    let router = Router::new()
        .route(PATH, get(memberships))
        .with_state(service);
    tokio::spawn(async move { axum::serve(listener, router).await });
    ServiceDouble {
        url: format!("{base}{PATH}"),
        requests,
    }
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

/// Replies as Moodle 4.2 does: 400 for another Accept type, 401 without the token, and
/// the membership container, here one page of it.
async fn memberships(
    State(service): State<Service>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    if accept != Some(MEMBERSHIP_CONTAINER) {
        let recorded = fixture("nrps-memberships-accept-json.json");
        let body = recorded["response"]["body"].as_str().unwrap().to_string();
        return (StatusCode::BAD_REQUEST, body).into_response();
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if authorization != Some(&format!("Bearer {TOKEN}")) {
        return (StatusCode::UNAUTHORIZED, "").into_response();
    }
    let page = query.page.unwrap_or(1);
    service.requests.lock().unwrap().push(page);

    let start = (page as usize - 1) * service.per_page;
    let members: Vec<Value> = match service.form {
        LinkForm::Endless => vec![json!({"user_id": format!("u{page}"), "roles": ["Learner"]})],
        _ => service
            .members
            .iter()
            .skip(start)
            .take(service.per_page)
            .cloned()
            .collect(),
    };
    let last = start + service.per_page >= service.members.len();
    let first = format!("{}{PATH}", service.base);
    let next = format!("{first}?page={}&limit={}", page + 1, service.per_page);
    let continues = !last
        || matches!(
            service.form,
            LinkForm::LoopToFirst | LinkForm::Endless | LinkForm::EmptyTail
        );
    let link = match service.form {
        _ if !continues => None,
        LinkForm::Standard | LinkForm::Endless | LinkForm::EmptyTail => {
            Some(format!(r#"<{next}>; rel="next", <{first}>; rel="first""#))
        }
        LinkForm::Bare => Some(format!("{next}; rel=next")),
        LinkForm::Entities => Some(format!(
            "&lt;{}&gt;; rel=&quot;next&quot;",
            next.replace('&', "&amp;")
        )),
        LinkForm::TypographicQuotes => Some(format!("<{next}>; rel=“next”")),
        LinkForm::LoopToFirst if last => Some(format!("<{first}>; rel=\"next\"")),
        LinkForm::LoopToFirst => Some(format!("<{next}>; rel=\"next\"")),
        LinkForm::OtherOrigin => Some(format!("<http://127.0.0.2:9{PATH}?page=2>; rel=\"next\"")),
    };
    let body = json!({
        "id": format!("{}{PATH}", service.base),
        "context": {"id": "2", "label": "LTI101", "title": "LTI Capture Course"},
        "members": members,
    });
    let mut response = (
        [(
            header::CONTENT_TYPE,
            format!("{MEMBERSHIP_CONTAINER}; charset=utf-8"),
        )],
        body.to_string(),
    )
        .into_response();
    if let Some(link) = link {
        response
            .headers_mut()
            .insert(header::LINK, link.parse().unwrap());
    }
    response
}

fn platform() -> Platform {
    Platform {
        id: 1,
        issuer: "http://127.0.0.1:8080".into(),
        client_id: "gvotjDE3u2vYZGV".into(),
        auth_url: "http://127.0.0.1:8080/mod/lti/auth.php".into(),
        token_url: "http://127.0.0.1:8080/mod/lti/token.php".into(),
        jwks_url: "http://127.0.0.1:8080/mod/lti/certs.php".into(),
        deployments: vec!["2".into()],
    }
}

async fn fetch(double: &ServiceDouble) -> Result<nrps::Roster, String> {
    let tokens = FixedToken(TOKEN.into());
    nrps::fetch_roster(&PlatformHttp::new(true), &tokens, &platform(), &double.url).await
}

#[tokio::test]
async fn paging_follows_each_link_form() {
    for form in [
        LinkForm::Standard,
        LinkForm::Bare,
        LinkForm::Entities,
        LinkForm::TypographicQuotes,
    ] {
        let double = service_double(recorded_members(), 1, form).await;
        let roster = fetch(&double).await.unwrap();
        assert_eq!(roster.members.len(), 4, "{form:?}");
        assert_eq!(roster.pages, 4, "{form:?}");
        assert!(roster.complete, "{form:?}");
        assert_eq!(
            *double.requests.lock().unwrap(),
            vec![1, 2, 3, 4],
            "{form:?}"
        );
        let subjects: Vec<&str> = roster.members.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(subjects, ["5", "6", "4", "3"], "{form:?}");
    }
}

#[tokio::test]
async fn single_page_as_moodle_sends_it() {
    let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
    let roster = fetch(&double).await.unwrap();
    assert_eq!(roster.pages, 1);
    let teacher = roster.members.iter().find(|m| m.subject == "3").unwrap();
    assert_eq!(teacher.name.as_deref(), Some("Tara Teachwell"));
    assert_eq!(teacher.roles, ["Instructor"]);
    assert_eq!(teacher.status, nrps::MemberStatus::Active);
}

#[tokio::test]
async fn repeated_page_stops_paging() {
    let double = service_double(recorded_members(), 2, LinkForm::LoopToFirst).await;
    let roster = fetch(&double).await.unwrap();
    assert_eq!(roster.members.len(), 4);
    assert_eq!(*double.requests.lock().unwrap(), vec![1, 2]);
}

#[tokio::test]
async fn empty_page_stops_paging() {
    let double = service_double(recorded_members(), 2, LinkForm::EmptyTail).await;
    let roster = fetch(&double).await.unwrap();
    assert_eq!(roster.members.len(), 4);
    assert_eq!(roster.pages, 3);
    assert!(roster.complete);
    assert_eq!(*double.requests.lock().unwrap(), vec![1, 2, 3]);
}

#[tokio::test]
async fn page_cap_marks_roster_incomplete() {
    let double = service_double(Vec::new(), 1, LinkForm::Endless).await;
    let roster = fetch(&double).await.unwrap();
    assert_eq!(roster.pages, MAX_PAGES);
    assert!(!roster.complete);
    assert_eq!(roster.members.len(), MAX_PAGES);
}

#[tokio::test]
async fn next_link_to_other_origin_rejected() {
    let double = service_double(recorded_members(), 1, LinkForm::OtherOrigin).await;
    let error = fetch(&double).await.unwrap_err();
    assert!(
        error.contains("leaves the membership service's origin"),
        "{error}"
    );
}

#[tokio::test]
async fn wrong_token_reported() {
    let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
    let tokens = FixedToken("bogus".into());
    let error = nrps::fetch_roster(&PlatformHttp::new(true), &tokens, &platform(), &double.url)
        .await
        .unwrap_err();
    assert!(error.contains("401"), "{error}");
}

async fn spawn_app(backend: Backend) -> TestApp {
    spawn_custom(
        backend,
        |_| {},
        |state| state.service_tokens = Arc::new(FixedToken(TOKEN.into())),
    )
    .await
}

/// Launches `user` with `role` and the membership service claim pointing at `url`.
async fn launch_with_service(app: &TestApp, user: &str, role: &str, url: &str) -> Launched {
    let person = choice(user, role);
    let login = app.login(person.clone()).await;
    let id_token = app.signed_claims(&person, &login.nonce, |claims| {
        claims.insert(
            claims::NRPS.into(),
            json!({"context_memberships_url": url, "service_versions": ["2.0"]}),
        );
    });
    let response = app.post_launch(&id_token, &login.state).await;
    app.launched(response)
}

async fn post_refresh(app: &TestApp, launched: &Launched, space_id: i64) -> reqwest::Response {
    app.http
        .post(format!("{}/spaces/{space_id}/roster/refresh", app.tool_url))
        .header("x-cowork-token", common::token_of(launched))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn teacher_refresh_stores_roster() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let double = service_double(members_with_privacy(), 2, LinkForm::Standard).await;
        let teacher = launch_with_service(&app, "3", "instructor", &double.url).await;

        let response = post_refresh(&app, &teacher, teacher.space_id).await;
        assert_eq!(response.status(), 200, "{backend:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["members"], 4);

        let roster = app.state.store.roster(teacher.space_id).await.unwrap();
        assert_eq!(roster.len(), 4, "{backend:?}");
        let by_status = |status: &str| roster.iter().filter(|e| e.status == status).count();
        assert_eq!(by_status("Active"), 3);
        assert_eq!(by_status("Inactive"), 1);
        // The teacher launched; the students never opened the space.
        let seen: Vec<bool> = roster.iter().map(|e| e.last_seen_at.is_some()).collect();
        assert_eq!(seen.iter().filter(|s| **s).count(), 1);
        assert!(roster.iter().all(|e| e.contributions == 0));
        // student2 withheld the name, so none is stored.
        assert_eq!(roster.iter().filter(|e| e.name.is_none()).count(), 1);
        assert!(roster
            .iter()
            .any(|e| e.name.as_deref() == Some("Sam Studentson")));

        let page = app
            .http
            .get(format!(
                "{}/spaces/{}/roster",
                app.tool_url, teacher.space_id
            ))
            .query(&[("lt", common::token_of(&teacher))])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Sam Studentson"), "{html}");
        assert!(html.contains("Unnamed participant"), "{html}");
        assert!(html.contains("Never"), "{html}");
        assert_eq!(html.matches("<td>Teacher</td>").count(), 1, "{html}");
        assert_eq!(html.matches("<td>Student</td>").count(), 3, "{html}");
        assert!(html.contains("<td>Inactive</td>"), "{html}");
        assert!(!html.contains("example.invalid"), "no email is shown");
    }
}

#[tokio::test]
async fn member_missing_from_refresh_marked_deleted() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
        let teacher = launch_with_service(&app, "3", "instructor", &double.url).await;
        cowork::roster::refresh(&app.state, teacher.space_id)
            .await
            .unwrap();

        let fewer: Vec<Value> = recorded_members()
            .into_iter()
            .filter(|m| m["user_id"] != "6")
            .collect();
        let smaller = service_double(fewer, 10, LinkForm::Standard).await;
        let again = launch_with_service(&app, "3", "instructor", &smaller.url).await;
        assert_eq!(again.space_id, teacher.space_id);
        cowork::roster::refresh(&app.state, teacher.space_id)
            .await
            .unwrap();

        let roster = app.state.store.roster(teacher.space_id).await.unwrap();
        assert_eq!(roster.len(), 4, "{backend:?}");
        let deleted: Vec<&str> = roster
            .iter()
            .filter(|e| e.status == "Deleted")
            .map(|e| e.name.as_deref().unwrap())
            .collect();
        assert_eq!(deleted, ["Riley Pupilford"], "{backend:?}");
    }
}

#[tokio::test]
async fn periodic_refresh_reads_due_rosters() {
    let app = spawn_app(Backend::Sqlite).await;
    let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
    let teacher = launch_with_service(&app, "3", "instructor", &double.url).await;
    cowork::roster::refresh_due(&app.state, std::time::Duration::from_secs(3600)).await;
    assert_eq!(
        app.state
            .store
            .roster(teacher.space_id)
            .await
            .unwrap()
            .len(),
        4
    );
    let source = app
        .state
        .store
        .roster_source(teacher.space_id)
        .await
        .unwrap()
        .unwrap();
    assert!(source.synced_at.is_some());
    assert_eq!(source.sync_error, None);

    // A fresh roster is not read again within its age.
    cowork::roster::refresh_due(&app.state, std::time::Duration::from_secs(3600)).await;
    assert_eq!(double.requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn student_cannot_refresh_or_view() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
        let student = launch_with_service(&app, "4", "learner", &double.url).await;

        let response = post_refresh(&app, &student, student.space_id).await;
        assert_eq!(response.status(), 403, "{backend:?}");
        let page = app
            .http
            .get(format!(
                "{}/spaces/{}/roster",
                app.tool_url, student.space_id
            ))
            .query(&[("lt", common::token_of(&student))])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403, "{backend:?}");
        assert!(double.requests.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn other_space_rejected() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
        let teacher = launch_with_service(&app, "3", "instructor", &double.url).await;
        let other_space = teacher.space_id + 1000;

        let response = post_refresh(&app, &teacher, other_space).await;
        assert_eq!(response.status(), 403, "{backend:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "wrong_space");

        let anonymous = app
            .http
            .post(format!(
                "{}/spaces/{}/roster/refresh",
                app.tool_url, teacher.space_id
            ))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{backend:?}");
        assert!(double.requests.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn refresh_without_service_explained() {
    let app = spawn_app(Backend::Sqlite).await;
    let person = choice("3", "instructor");
    let login = app.login(person.clone()).await;
    let id_token = app.signed_claims(&person, &login.nonce, |claims| {
        claims.remove(claims::NRPS);
    });
    let teacher = app.launched(app.post_launch(&id_token, &login.state).await);
    let response = post_refresh(&app, &teacher, teacher.space_id).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("Names and Role"),
        "{body}"
    );
}

#[tokio::test]
async fn removed_platform_drops_roster_source() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let double = service_double(recorded_members(), 10, LinkForm::Standard).await;
        let teacher = launch_with_service(&app, "3", "instructor", &double.url).await;
        cowork::roster::refresh(&app.state, teacher.space_id)
            .await
            .unwrap();

        let platform = app
            .state
            .store
            .platform_by_id(1)
            .await
            .unwrap()
            .expect("the demo platform is registered");
        let removed = app
            .state
            .store
            .remove_platform(&platform.issuer, &platform.client_id)
            .await
            .unwrap();
        assert!(removed, "{backend:?}");

        let source = app
            .state
            .store
            .roster_source(teacher.space_id)
            .await
            .unwrap();
        assert!(source.is_none(), "{backend:?}");
        let kept = app.state.store.roster(teacher.space_id).await.unwrap();
        assert_eq!(kept.len(), 4, "the stored roster stays with the space");
        let refreshed = cowork::roster::refresh(&app.state, teacher.space_id).await;
        assert!(matches!(
            refreshed,
            Err(cowork::roster::RefreshError::NoSource)
        ));
    }
}

/// The demo platform's membership service, reached with the real client-credentials
/// token client: students who never opened the space are listed after a refresh.
#[tokio::test]
async fn demo_roster_through_token_endpoint() {
    for backend in backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        app.launch(choice("demo-student-1", "learner")).await;

        let response = post_refresh(&app, &teacher, teacher.space_id).await;
        assert_eq!(response.status(), 200, "{backend:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["members"], 4, "a teacher and three students");

        let roster = app.state.store.roster(teacher.space_id).await.unwrap();
        let never_seen: Vec<&str> = roster
            .iter()
            .filter(|entry| entry.last_seen_at.is_none())
            .filter_map(|entry| entry.name.as_deref())
            .collect();
        assert_eq!(never_seen.len(), 2, "{backend:?}: {never_seen:?}");
        assert!(never_seen.contains(&"Boris Ivanov"));
        assert!(never_seen.contains(&"Chen Wei"));

        let requests = app.platform.gradebook.token_requests();
        assert_eq!(requests.len(), 1, "one token for the roster");
        assert_eq!(requests[0].status, 200);
        let assertion = requests[0].claims.as_ref().expect("a client assertion");
        assert_eq!(assertion.iss, cowork::demo::CLIENT_ID);
        assert_eq!(assertion.aud, app.platform.gradebook.token_url());
    }
}
