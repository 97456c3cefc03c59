//! Browser-facing defences over real HTTP: the Content-Security-Policy of each kind of
//! page, the security headers of every response, the CSRF defences of every
//! state-changing route, and the WebSocket's origin check and connection tokens.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{backends, choice, spawn, spawn_with, token_of, Launched, TestApp};
use cowork::store::NewPlatform;
use reqwest::Method;
use serde_json::Value;

/// The origin of a second registered platform, which launches nothing in these tests.
const OTHER_PLATFORM: &str = "https://moodle.other.example";

/// Returns the sources of `name` in a Content-Security-Policy.
fn directive(policy: &str, name: &str) -> Vec<String> {
    policy
        .split(';')
        .map(str::trim)
        .find_map(|part| part.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
        .unwrap_or_else(|| panic!("policy has no {name}: {policy}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn policy_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("no Content-Security-Policy on {}", response.url()))
        .to_str()
        .unwrap()
        .to_string()
}

async fn register_other_platform(app: &TestApp) {
    let platform = NewPlatform {
        issuer: OTHER_PLATFORM.into(),
        client_id: "other-client".into(),
        auth_url: format!("{OTHER_PLATFORM}/mod/lti/auth.php"),
        token_url: format!("{OTHER_PLATFORM}/mod/lti/token.php"),
        jwks_url: format!("{OTHER_PLATFORM}/mod/lti/certs.php"),
        deployments: vec!["1".into()],
    };
    app.state
        .store
        .upsert_platform(&platform, cowork::unix_now())
        .await
        .unwrap();
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.tool_url))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn session_pages_framed_by_own_platform() {
    for backend in backends() {
        let app = spawn(backend).await;
        // Registered before the first error page, whose platform list is cached.
        register_other_platform(&app).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;

        let space = app.http.get(&student.space_url).send().await.unwrap();
        assert_eq!(space.status(), 200, "{backend:?}");
        let policy = policy_of(&space);
        assert_eq!(
            directive(&policy, "frame-ancestors"),
            vec![app.platform_url.clone()],
            "{backend:?}: only the launching platform frames the space"
        );
        assert_eq!(directive(&policy, "default-src"), vec!["'self'"]);
        assert_eq!(directive(&policy, "script-src"), vec!["'self'"]);
        assert_eq!(directive(&policy, "style-src"), vec!["'self'"]);
        let socket_origin = app.tool_url.replace("http://", "ws://");
        assert!(
            directive(&policy, "connect-src").contains(&socket_origin),
            "{backend:?}: WebSocket origin in {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");

        // An error inside a session (a student on the teachers' page) keeps the session's
        // platform, so the error shows in its frame and nowhere else.
        let grades = get(
            &app,
            &format!(
                "/spaces/{}/grades?lt={}",
                student.space_id,
                token_of(&student)
            ),
        )
        .await;
        assert_eq!(grades.status(), 403, "{backend:?}");
        assert_eq!(
            directive(&policy_of(&grades), "frame-ancestors"),
            vec![app.platform_url.clone()],
            "{backend:?}: error page of a session"
        );
    }
}

#[tokio::test]
async fn sessionless_pages_framed_by_registered_platforms() {
    for backend in backends() {
        let app = spawn(backend).await;
        register_other_platform(&app).await;
        let registered: BTreeSet<String> = [app.platform_url.clone(), OTHER_PLATFORM.into()]
            .into_iter()
            .collect();

        let home = get(&app, "/").await;
        assert_eq!(home.status(), 200);
        assert_eq!(
            directive(&policy_of(&home), "frame-ancestors"),
            vec!["'none'"],
            "{backend:?}: the home page is never framed"
        );

        // A rejected launch shows its error inside the platform's frame.
        let rejected = app.post_launch("not-a-jwt", "no-such-state").await;
        let rejected_html = app
            .http
            .post(format!("{}/lti/launch", app.tool_url))
            .header("accept", "text/html")
            .form(&[("id_token", "not-a-jwt"), ("state", "no-such-state")])
            .send()
            .await
            .unwrap();
        assert_eq!(rejected.status(), 401);
        assert_eq!(rejected_html.status(), 401);
        let framers: BTreeSet<String> = directive(&policy_of(&rejected_html), "frame-ancestors")
            .into_iter()
            .collect();
        assert_eq!(framers, registered, "{backend:?}: rejected launch");

        let info = get(&app, "/lti/launch").await;
        let framers: BTreeSet<String> = directive(&policy_of(&info), "frame-ancestors")
            .into_iter()
            .collect();
        assert_eq!(framers, registered, "{backend:?}: launch URL page");

        let missing = get(&app, "/spaces/999999").await;
        assert_eq!(missing.status(), 401);
        let framers: BTreeSet<String> = directive(&policy_of(&missing), "frame-ancestors")
            .into_iter()
            .collect();
        assert_eq!(framers, registered, "{backend:?}: page without a session");
    }
}

#[tokio::test]
async fn deep_link_answer_posts_to_platform() {
    let app = spawn(common::Backend::Sqlite).await;
    let request = cowork::demo::LaunchChoice {
        deep_linking: true,
        ..choice("demo-teacher-1", "instructor")
    };
    let login = app.login(request).await;
    let (id_token, state) = app.authorize(&login).await;
    let response = app.post_launch(&id_token, &state).await;
    assert_eq!(response.status(), 303);
    let picker_path = response.headers()["location"].to_str().unwrap().to_string();

    let picker = get(&app, &picker_path).await;
    assert_eq!(picker.status(), 200);
    let policy = policy_of(&picker);
    assert_eq!(
        directive(&policy, "frame-ancestors"),
        vec![app.platform_url.clone()]
    );
    assert_eq!(directive(&policy, "form-action"), vec!["'self'"]);

    let answer = app
        .http
        .post(format!("{}{picker_path}", app.tool_url))
        .header("origin", &app.tool_url)
        .form(&[("action", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let policy = policy_of(&answer);
    assert_eq!(
        directive(&policy, "form-action"),
        vec!["'self'".to_string(), app.platform_url.clone()],
        "the answer page posts its form to the platform's return URL"
    );
    let html = answer.text().await.unwrap();
    assert!(
        html.contains(&format!("action=\"{}/", app.platform_url)),
        "{html}"
    );
}

fn assert_common_headers(response: &reqwest::Response, label: &str) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_string())
    };
    assert_eq!(
        header("referrer-policy").as_deref(),
        Some("no-referrer"),
        "{label}"
    );
    assert_eq!(
        header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{label}"
    );
    let permissions = header("permissions-policy").unwrap_or_default();
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
        assert!(permissions.contains(feature), "{label}: {permissions}");
    }
    assert_eq!(header("x-frame-options"), None, "{label}");
    assert_eq!(header("cross-origin-opener-policy"), None, "{label}");
}

#[tokio::test]
async fn every_response_has_security_headers() {
    let app = spawn(common::Backend::Sqlite).await;
    let responses = [
        ("home", get(&app, "/").await),
        ("asset", get(&app, "/assets/chat.js").await),
        ("not found", get(&app, "/no-such-page").await),
        ("no session", get(&app, "/spaces/1/rooms").await),
        ("health", get(&app, "/healthz").await),
        (
            "rejected write",
            app.http
                .post(format!("{}/spaces/1/rooms", app.tool_url))
                .header("accept", "application/json")
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap(),
        ),
    ];
    for (label, response) in &responses {
        assert_common_headers(response, label);
        assert_eq!(
            response.headers().get("strict-transport-security"),
            None,
            "{label}: no HSTS over plain HTTP"
        );
    }
    assert_eq!(responses[2].1.status(), 404);

    let https = spawn_with(common::Backend::Sqlite, |config| {
        config.public_url = "https://cowork.example.edu".parse().unwrap();
    })
    .await;
    for path in ["/", "/assets/cowork.css", "/no-such-page"] {
        let response = get(&https, path).await;
        assert_common_headers(&response, path);
        let hsts = response.headers().get("strict-transport-security");
        assert_eq!(
            hsts.map(|value| value.to_str().unwrap()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

/// Finds markup that a policy without `'unsafe-inline'` blocks: scripts without `src`
/// (JSON data blocks excepted), `<style>` elements, `style` attributes and event handler
/// attributes.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices("<script") {
        let tag = &html[at..at + html[at..].find('>').unwrap_or(0) + 1];
        if !tag.contains(" src=") && !tag.contains("type=\"application/json\"") {
            found.push(tag.to_string());
        }
    }
    if html.contains("<style") {
        found.push("<style>".into());
    }
    for (at, _) in html.match_indices(" style=\"") {
        found.push(html[at..(at + 40).min(html.len())].to_string());
    }
    for (at, _) in html.match_indices(" on") {
        let rest = &html[at + 3..];
        let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        if name_len > 0 && rest[name_len..].starts_with("=\"") {
            found.push(html[at..(at + 40).min(html.len())].to_string());
        }
    }
    found
}

#[test]
fn templates_have_no_inline_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let html = std::fs::read_to_string(&path).unwrap();
        for code in inline_code(&html) {
            offenders.push(format!("{}: {code}", path.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "the Content-Security-Policy blocks inline code; move it to assets/: {offenders:#?}"
    );
    assert_eq!(
        inline_code("<script>alert(1)</script><p style=\"x\" onclick=\"y\">"),
        vec!["<script>", " style=\"x\" onclick=\"y\">", " onclick=\"y\">"],
        "the scan finds each kind"
    );
}

/// Every state-changing route. A route is state-changing when it takes any method but GET.
const WRITES: &[(Method, &str)] = &[
    (Method::POST, "/spaces/{space_id}/socket-token"),
    (Method::POST, "/spaces/{space_id}/rooms"),
    (Method::POST, "/spaces/{space_id}/rooms/{room_id}"),
    (
        Method::POST,
        "/spaces/{space_id}/rooms/{room_id}/membership",
    ),
    (Method::POST, "/spaces/{space_id}/settings"),
    (Method::POST, "/spaces/{space_id}/mutes"),
    (Method::POST, "/spaces/{space_id}/events"),
    (Method::POST, "/spaces/{space_id}/events/{event_id}"),
    (Method::POST, "/spaces/{space_id}/events/{event_id}/cancel"),
    (Method::POST, "/spaces/{space_id}/events/{event_id}/rsvp"),
    (Method::POST, "/spaces/{space_id}/focus/sessions"),
    (
        Method::POST,
        "/spaces/{space_id}/focus/sessions/{session_id}/check-in",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/focus/sessions/{session_id}/abandon",
    ),
    (Method::POST, "/spaces/{space_id}/help/requests"),
    (
        Method::DELETE,
        "/spaces/{space_id}/help/requests/{request_id}",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/offers",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/posts",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/resolve",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/thanks",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/help/requests/{request_id}/close",
    ),
    (Method::POST, "/spaces/{space_id}/partners/entries"),
    (
        Method::POST,
        "/spaces/{space_id}/partners/entries/{entry_id}",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/partners/entries/{entry_id}/archive",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/partners/entries/{entry_id}/interest",
    ),
    (
        Method::DELETE,
        "/spaces/{space_id}/partners/entries/{entry_id}/interest",
    ),
    (Method::POST, "/spaces/{space_id}/showcase/items"),
    (
        Method::DELETE,
        "/spaces/{space_id}/showcase/items/{item_id}",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/comments",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/reactions",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/feedback",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/showcase/items/{item_id}/featured",
    ),
    (Method::POST, "/spaces/{space_id}/questionnaires/list"),
    (
        Method::POST,
        "/spaces/{space_id}/questionnaires/from-template",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/status",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/response",
    ),
    (
        Method::POST,
        "/spaces/{space_id}/questionnaires/{questionnaire_id}/delete",
    ),
    (Method::POST, "/spaces/{space_id}/grades/rule"),
    (Method::POST, "/spaces/{space_id}/grades/sync"),
    (Method::POST, "/spaces/{space_id}/grades/awards"),
    (
        Method::POST,
        "/spaces/{space_id}/grades/outbox/{row_id}/retry",
    ),
    (Method::POST, "/spaces/{space_id}/roster/refresh"),
    (
        Method::POST,
        "/spaces/{space_id}/privacy/people/{user_id}/erase",
    ),
    (Method::POST, "/lti/deep-link/{request_id}"),
];

/// Routes that a platform's page posts across sites by design; each proves itself
/// otherwise (a launch with its signed id_token).
const CROSS_SITE_BY_DESIGN: &[(Method, &str)] =
    &[(Method::POST, "/lti/login"), (Method::POST, "/lti/launch")];

const BOUNDARY: &str = "forged-boundary";

/// Builds a multipart body such as a hidden form on another site would send.
fn forged_multipart() -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("title", "Forged"), ("description", "Forged")] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"x.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n\r\n\
             --{BOUNDARY}--\r\n"
        )
        .as_bytes(),
    );
    body
}

/// Returns the session cookie of a launch, as the browser sends it.
fn cookie_of(launched: &Launched) -> String {
    launched.cookie.split(';').next().unwrap().to_string()
}

/// The browser headers of a forged request: `Origin` and `Sec-Fetch-Site`.
type Provenance = (Option<&'static str>, Option<&'static str>);

/// Sends a forged request to `path` with the victim's cookie only, with the given
/// browser headers and body kind, and returns the status and JSON error code.
async fn forge(
    app: &TestApp,
    method: &Method,
    path: &str,
    victim: &Launched,
    (origin, fetch_site): Provenance,
    multipart: bool,
) -> (u16, String) {
    let mut request = app
        .http
        .request(method.clone(), format!("{}{path}", app.tool_url))
        .header("cookie", cookie_of(victim))
        .header("accept", "application/json");
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(fetch_site) = fetch_site {
        request = request.header("sec-fetch-site", fetch_site);
    }
    request = if multipart {
        request
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(forged_multipart())
    } else {
        request
            .header("content-type", "application/x-www-form-urlencoded")
            .body("title=Forged&body=Forged&name=Forged&status=open&featured=true")
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn forged_forms_rejected_on_every_write() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        // The cookie is valid: it opens the space page by itself.
        let page = app
            .http
            .get(format!("{}/spaces/{}", app.tool_url, teacher.space_id))
            .header("cookie", cookie_of(&teacher))
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            200,
            "{backend:?}: the cookie opens the space"
        );

        for (method, route) in WRITES {
            let path = route
                .replace("{space_id}", &teacher.space_id.to_string())
                .replace("{request_id}", "1")
                .split('/')
                .map(|part| if part.ends_with("_id}") { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let label = format!("{backend:?} {method} {route}");
            // A foreign page names its origin, or sends `null` from a page without
            // referrers; the browser marks both cross-site.
            let foreign: [Provenance; 3] = [
                (Some("https://evil.example"), Some("cross-site")),
                (Some("https://evil.example"), None),
                (Some("null"), Some("cross-site")),
            ];
            for provenance in foreign {
                for multipart in [false, true] {
                    let (status, code) =
                        forge(&app, method, &path, &teacher, provenance, multipart).await;
                    assert_eq!(
                        status, 403,
                        "{label}: {provenance:?}, multipart {multipart}"
                    );
                    assert_eq!(code, "foreign_origin", "{label}: {provenance:?}");
                }
            }
            if route.starts_with("/lti/") {
                continue;
            }
            // Without `Origin` the cookie still authorizes nothing.
            for multipart in [false, true] {
                let (status, code) =
                    forge(&app, method, &path, &teacher, (None, None), multipart).await;
                if *route == "/spaces/{space_id}/showcase/items" && !multipart {
                    // The upload reads only multipart bodies; the multipart pass checks
                    // its session.
                    assert_eq!(status, 400, "{label}: form-encoded upload");
                    continue;
                }
                assert_eq!(status, 401, "{label}: cookie only, multipart {multipart}");
                assert_eq!(code, "session_missing", "{label}");
            }
        }

        // The same write from cowork's own page passes both defences.
        let own = app
            .http
            .post(format!(
                "{}/spaces/{}/events",
                app.tool_url, teacher.space_id
            ))
            .header("origin", &app.tool_url)
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&serde_json::json!({
                "kind": "lecture", "title": "Own page", "agenda": "", "location": "",
                "date": "2099-12-11", "time": "14:00", "duration_minutes": 60,
                "time_zone": "Europe/Moscow",
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 201, "{backend:?}: {:?}", own.text().await);
    }
}

/// Returns each `.route(...)` of `text` whose methods include one besides GET, as
/// (method, path) pairs.
fn state_changing_routes(text: &str, found: &mut BTreeSet<(String, String)>) {
    for (at, _) in text.match_indices(".route(") {
        let body_start = at + ".route(".len();
        let mut depth = 1;
        let mut end = body_start;
        for (offset, character) in text[body_start..].char_indices() {
            match character {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = body_start + offset;
                break;
            }
        }
        let body = &text[body_start..end];
        let Some(open) = body.find('"') else { continue };
        let close = open + 1 + body[open + 1..].find('"').unwrap();
        let path = &body[open + 1..close];
        let methods = &body[close..];
        for method in ["post", "delete", "put", "patch"] {
            let called = methods
                .match_indices(&format!("{method}("))
                .any(|(index, _)| {
                    index == 0 || !methods.as_bytes()[index - 1].is_ascii_alphanumeric()
                });
            if called {
                found.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
}

fn routes_under(dir: &Path, found: &mut BTreeSet<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            routes_under(&path, found);
        } else {
            state_changing_routes(&std::fs::read_to_string(&path).unwrap(), found);
        }
    }
}

#[test]
fn write_table_names_every_route() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut in_source = BTreeSet::new();
    routes_under(&src.join("web"), &mut in_source);
    routes_under(&src.join("chat"), &mut in_source);
    state_changing_routes(
        &std::fs::read_to_string(src.join("app.rs")).unwrap(),
        &mut in_source,
    );
    let in_tables: BTreeSet<(String, String)> = WRITES
        .iter()
        .chain(CROSS_SITE_BY_DESIGN)
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    let missing: Vec<_> = in_source.difference(&in_tables).collect();
    assert!(
        missing.is_empty(),
        "write routes without a row: {missing:?}"
    );
    assert!(
        in_source.contains(&("POST".to_string(), "/spaces/{space_id}/rooms".to_string())),
        "the scan finds routes: {in_source:?}"
    );
}

/// Opens the space WebSocket at `url` with cowork's origin; returns the HTTP status
/// of a rejected handshake, or 101.
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

#[tokio::test]
async fn socket_needs_fresh_token_of_its_space() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let mut elsewhere = choice("demo-student-1", "learner");
        elsewhere.course_id = "course-da201".into();
        let other = app.launch(elsewhere).await;

        let fresh = app.socket_url(&student).await;
        assert_eq!(
            handshake(&app, &fresh).await,
            101,
            "{backend:?}: fresh token"
        );
        assert_eq!(
            handshake(&app, &fresh).await,
            401,
            "{backend:?}: a token opens one connection"
        );
        assert_eq!(
            handshake(&app, &app.socket_url(&student).await).await,
            101,
            "{backend:?}: a new token opens the next connection"
        );

        let (session_id, space_id) = app
            .state
            .session_key
            .verify(&token_of(&student))
            .expect("valid session token");
        let expired = app.state.session_key.issue_socket(
            &session_id,
            space_id,
            cowork::unix_now() - cowork::session::SOCKET_TOKEN_TTL_SECS - 1,
        );
        let status = handshake(&app, &app.socket_url_with(space_id, &expired)).await;
        assert_eq!(status, 401, "{backend:?}: expired token");

        let token = app.socket_token(&student).await;
        let status = handshake(&app, &app.socket_url_with(other.space_id, &token)).await;
        assert_eq!(status, 401, "{backend:?}: token of another space");

        // The token endpoint wants the session token in its header, not the cookie.
        let by_cookie = app
            .http
            .post(format!(
                "{}/spaces/{}/socket-token",
                app.tool_url, student.space_id
            ))
            .header("cookie", cookie_of(&student))
            .send()
            .await
            .unwrap();
        assert_eq!(by_cookie.status(), 401, "{backend:?}: token by cookie");
    }
}

#[tokio::test]
async fn socket_from_foreign_origin_explained() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let url = app.socket_url(&student).await.replace("ws://", "http://");
        let response = app
            .http
            .get(url)
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("origin", "https://evil.example")
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{backend:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "foreign_origin", "{backend:?}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("not part of cowork"),
            "{backend:?}: {body}"
        );
    }
}
