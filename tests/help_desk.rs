//! The help desk over HTTP on every configured backend: asking, offering, the
//! conversation, resolving with a named helper, thanks, the interaction log, and who may
//! do what.

mod common;

use common::{backends, choice, spawn, token_of, Backend, Launched, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Sends a JSON request to `/spaces/{space}/help{path}` with the launch's token header.
async fn call(
    app: &TestApp,
    launched: &Launched,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/spaces/{}/help{path}", app.tool_url, launched.space_id);
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

/// Asks for help and returns the new request's id.
async fn ask(app: &TestApp, launched: &Launched, title: &str) -> i64 {
    let (status, created) = post(
        app,
        launched,
        "/requests",
        json!({"title": title, "description": "I am stuck.", "tags": ["excel"]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

/// The HTML of the help page as `launched` sees it.
async fn page(app: &TestApp, launched: &Launched) -> String {
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}/help?lt={}",
            app.tool_url,
            launched.space_id,
            token_of(launched)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "help page");
    response.text().await.unwrap()
}

fn titles(requests: &Value) -> Vec<String> {
    requests
        .as_array()
        .unwrap()
        .iter()
        .map(|request| request["title"].as_str().unwrap().to_string())
        .collect()
}

/// `(actor, target, kind)` of every help interaction about `request_id`, oldest first.
async fn help_interactions(
    app: &TestApp,
    space_id: i64,
    request_id: i64,
) -> Vec<(i64, Option<i64>, String)> {
    app.state
        .store
        .interactions(space_id, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.kind.starts_with("help_") && i.subject_id == Some(request_id))
        .map(|i| (i.actor_id, i.target_id, i.kind))
        .collect()
}

#[tokio::test]
async fn ask_offer_resolve_and_thank() {
    for backend in backends() {
        let app = spawn(backend).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        let chen = app.launch(choice("demo-student-3", "learner")).await;

        let (status, created) = post(
            &app,
            &anna,
            "/requests",
            json!({
                "title": "  Pivot tables in Excel ",
                "description": "How do I **group** dates by month?",
                "tags": ["Excel", "#pivot", "excel"]
            }),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: {created}");
        assert_eq!(created["title"], "Pivot tables in Excel", "{backend:?}");
        assert_eq!(created["tags"], json!(["excel", "pivot"]), "{backend:?}");
        assert_eq!(created["status"], "open", "{backend:?}");
        assert!(
            created["body_html"]
                .as_str()
                .unwrap()
                .contains("<strong>group</strong>"),
            "{backend:?}: Markdown rendered: {created}"
        );
        let request_id = created["id"].as_i64().unwrap();
        let anna_id = created["asker_id"].as_i64().unwrap();
        let second = ask(&app, &chen, "Regression output").await;

        let (status, _) = post(
            &app,
            &anna,
            &format!("/requests/{request_id}/offers"),
            json!({}),
        )
        .await;
        assert_eq!(
            status, 400,
            "{backend:?}: the asker cannot offer on their own request"
        );
        let (status, offered) = post(
            &app,
            &boris,
            &format!("/requests/{request_id}/offers"),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {offered}");
        let boris_id = offered["offers"][0]["helper_id"].as_i64().unwrap();
        assert_eq!(
            offered["offers"][0]["helper_name"], "Boris Ivanov",
            "{backend:?}"
        );
        let (_, again) = post(
            &app,
            &boris,
            &format!("/requests/{request_id}/offers"),
            json!({}),
        )
        .await;
        assert_eq!(
            again["offers"].as_array().unwrap().len(),
            1,
            "{backend:?}: a second offer changes nothing"
        );

        let posts = format!("/requests/{request_id}/posts");
        let (status, reply) = post(
            &app,
            &boris,
            &posts,
            json!({"body": "Use *Group* on the date column."}),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: {reply}");
        assert_eq!(reply["author_id"], boris_id, "{backend:?}");
        let (status, _) = post(
            &app,
            &anna,
            &posts,
            json!({"body": "Which menu is that in?"}),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}");
        let (_, shown) = get(&app, &chen, &format!("/requests/{request_id}")).await;
        let bodies: Vec<&str> = shown["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|post| post["body"].as_str().unwrap())
            .collect();
        assert_eq!(
            bodies,
            vec!["Use *Group* on the date column.", "Which menu is that in?"],
            "{backend:?}: the conversation, oldest first"
        );

        let (_, listed) = get(&app, &chen, "/requests").await;
        assert_eq!(
            titles(&listed["open"]),
            vec!["Pivot tables in Excel", "Regression output"],
            "{backend:?}: open requests oldest first"
        );
        let html = page(&app, &chen).await;
        let first = html
            .find("Pivot tables in Excel")
            .expect("first request on the page");
        let later = html
            .find("Regression output")
            .expect("second request on the page");
        assert!(
            first < later,
            "{backend:?}: the page lists the oldest first"
        );

        let (status, resolved) = post(
            &app,
            &anna,
            &format!("/requests/{request_id}/resolve"),
            json!({"helper_id": boris_id}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {resolved}");
        assert_eq!(resolved["status"], "resolved", "{backend:?}");
        assert_eq!(resolved["helper_id"], boris_id, "{backend:?}");
        assert_eq!(resolved["helper_name"], "Boris Ivanov", "{backend:?}");
        let (status, _) = post(&app, &boris, &posts, json!({"body": "late"})).await;
        assert_eq!(
            status, 400,
            "{backend:?}: a resolved request takes no posts"
        );

        let thanks = format!("/requests/{request_id}/thanks");
        let (status, thanked) =
            post(&app, &anna, &thanks, json!({"note": "Thank you, Boris!"})).await;
        assert_eq!(status, 200, "{backend:?}: {thanked}");
        assert_eq!(thanked["thanks"], "Thank you, Boris!", "{backend:?}");
        let (status, again) = post(&app, &anna, &thanks, json!({"note": "Thanks again"})).await;
        assert_eq!(status, 400, "{backend:?}: thanks are sent once: {again}");

        post(
            &app,
            &chen,
            &format!("/requests/{second}/resolve"),
            json!({}),
        )
        .await;
        let (_, listed) = get(&app, &boris, "/requests").await;
        assert!(titles(&listed["open"]).is_empty(), "{backend:?}: {listed}");
        assert_eq!(
            titles(&listed["resolved"]),
            vec!["Regression output", "Pivot tables in Excel"],
            "{backend:?}: resolved requests newest first"
        );
        let html = page(&app, &boris).await;
        assert!(
            html.contains("Resolved with help from Boris Ivanov"),
            "{backend:?}: outcome on the page"
        );
        assert!(
            html.contains("Thank you, Boris!"),
            "{backend:?}: thanks on the page"
        );

        let recorded = help_interactions(&app, anna.space_id, request_id).await;
        assert_eq!(
            recorded,
            vec![
                (anna_id, None, "help_request".to_string()),
                (boris_id, Some(anna_id), "help_offer".to_string()),
                (boris_id, Some(anna_id), "help_reply".to_string()),
                (boris_id, Some(anna_id), "help_given".to_string()),
                (anna_id, Some(boris_id), "help_thanks".to_string()),
            ],
            "{backend:?}: one interaction per step, and none for the asker's own post"
        );
    }
}

#[tokio::test]
async fn resolve_with_thanks_at_once() {
    let app = spawn(Backend::Sqlite).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let boris = app.launch(choice("demo-student-2", "learner")).await;
    let chen = app.launch(choice("demo-student-3", "learner")).await;
    let request_id = ask(&app, &anna, "Citation style").await;
    let (_, reply) = post(
        &app,
        &boris,
        &format!("/requests/{request_id}/posts"),
        json!({"body": "APA 7 is the default here."}),
    )
    .await;
    let boris_id = reply["author_id"].as_i64().unwrap();
    let chen_id = post(
        &app,
        &chen,
        &format!("/requests/{request_id}/offers"),
        json!({}),
    )
    .await
    .1["offers"][0]["helper_id"]
        .as_i64()
        .unwrap();

    let resolve = format!("/requests/{request_id}/resolve");
    let (status, error) = post(&app, &anna, &resolve, json!({"helper_id": 999_999})).await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("has neither offered help nor posted"),
        "{error}"
    );
    let (status, error) = post(&app, &anna, &resolve, json!({"thanks": "Thanks!"})).await;
    assert_eq!(status, 400, "thanks without a helper: {error}");

    let (status, resolved) = post(
        &app,
        &anna,
        &resolve,
        json!({"helper_id": boris_id, "thanks": "That was it."}),
    )
    .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["helper_id"], boris_id);
    assert_eq!(resolved["thanks"], "That was it.");
    let kinds: Vec<String> = help_interactions(&app, anna.space_id, request_id)
        .await
        .into_iter()
        .filter(|(actor, _, _)| *actor != chen_id)
        .map(|(_, _, kind)| kind)
        .collect();
    assert_eq!(
        kinds,
        vec!["help_request", "help_reply", "help_given", "help_thanks"]
    );
}

#[tokio::test]
async fn students_limited_to_own_requests() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        let request_id = ask(&app, &anna, "Survey sampling").await;
        let (_, offered) = post(
            &app,
            &boris,
            &format!("/requests/{request_id}/offers"),
            json!({}),
        )
        .await;
        let boris_id = offered["offers"][0]["helper_id"].as_i64().unwrap();

        let (status, error) = post(
            &app,
            &boris,
            &format!("/requests/{request_id}/resolve"),
            json!({"helper_id": boris_id}),
        )
        .await;
        assert_eq!(
            status, 403,
            "{backend:?}: resolving another's request: {error}"
        );
        let (status, _) = post(
            &app,
            &boris,
            &format!("/requests/{request_id}/close"),
            json!({}),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: students cannot close");
        let (status, _) = call(
            &app,
            &boris,
            Method::DELETE,
            &format!("/requests/{request_id}"),
            None,
        )
        .await;
        assert_eq!(status, 403, "{backend:?}: deleting another's request");
        let (_, shown) = get(&app, &anna, &format!("/requests/{request_id}")).await;
        assert_eq!(shown["status"], "open", "{backend:?}: nothing changed");

        let own = ask(&app, &boris, "My own question").await;
        let (status, _) = call(
            &app,
            &boris,
            Method::DELETE,
            &format!("/requests/{own}"),
            None,
        )
        .await;
        assert_eq!(
            status, 200,
            "{backend:?}: the asker deletes their own request"
        );

        let (status, closed) = post(
            &app,
            &teacher,
            &format!("/requests/{request_id}/close"),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {closed}");
        assert_eq!(closed["status"], "closed", "{backend:?}");
        let (status, _) = post(
            &app,
            &anna,
            &format!("/requests/{request_id}/resolve"),
            json!({"helper_id": boris_id}),
        )
        .await;
        assert_eq!(
            status, 400,
            "{backend:?}: a closed request cannot be resolved"
        );
        let html = page(&app, &anna).await;
        assert!(html.contains("Closed by a teacher"), "{backend:?}");

        let other = ask(&app, &anna, "Delete me").await;
        let (status, _) = call(
            &app,
            &teacher,
            Method::DELETE,
            &format!("/requests/{other}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: teachers delete any request");
        let (status, _) = get(&app, &anna, &format!("/requests/{other}")).await;
        assert_eq!(status, 404, "{backend:?}: deleted");

        let response = app
            .http
            .get(format!(
                "{}/spaces/{}/audit",
                app.tool_url, teacher.space_id
            ))
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        let audit: Value = response.json().await.unwrap();
        let entries: Vec<(String, String)> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["target"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            entries,
            vec![
                (
                    "help.delete".to_string(),
                    format!("help request {other} (\"Delete me\")")
                ),
                (
                    "help.close".to_string(),
                    format!("help request {request_id} (\"Survey sampling\")")
                ),
            ],
            "{backend:?}: the student's own deletion is not a teacher action"
        );
    }
}

#[tokio::test]
async fn other_space_requests_unreachable() {
    for backend in backends() {
        let app = spawn(backend).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let mut elsewhere = choice("demo-student-2", "learner");
        elsewhere.course_id = "course-da201".into();
        let outsider = app.launch(elsewhere).await;
        let foreign = ask(&app, &outsider, "DA201 question").await;
        post(
            &app,
            &outsider,
            &format!("/requests/{foreign}/posts"),
            json!({"body": "hi"}),
        )
        .await;

        let attempts = [
            (Method::GET, format!("/requests/{foreign}"), None),
            (
                Method::POST,
                format!("/requests/{foreign}/offers"),
                Some(json!({})),
            ),
            (
                Method::POST,
                format!("/requests/{foreign}/posts"),
                Some(json!({"body": "x"})),
            ),
            (
                Method::POST,
                format!("/requests/{foreign}/resolve"),
                Some(json!({})),
            ),
            (
                Method::POST,
                format!("/requests/{foreign}/thanks"),
                Some(json!({"note": "x"})),
            ),
        ];
        for (method, path, body) in attempts {
            let (status, _) = call(&app, &anna, method.clone(), &path, body).await;
            assert_eq!(
                status, 404,
                "{backend:?}: {method} {path} from another space"
            );
        }
        for (method, path) in [
            (Method::POST, format!("/requests/{foreign}/close")),
            (Method::DELETE, format!("/requests/{foreign}")),
        ] {
            let body = (method == Method::POST).then(|| json!({}));
            let (status, _) = call(&app, &teacher, method.clone(), &path, body).await;
            assert_eq!(
                status, 404,
                "{backend:?}: teacher {method} {path} from another space"
            );
        }

        let response = app
            .http
            .post(format!(
                "{}/spaces/{}/help/requests",
                app.tool_url, outsider.space_id
            ))
            .header("x-cowork-token", token_of(&anna))
            .header("accept", "application/json")
            .json(&json!({"title": "Intruder", "description": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: token of another space"
        );
        let (_, listed) = get(&app, &outsider, "/requests").await;
        assert_eq!(
            titles(&listed["open"]),
            vec!["DA201 question"],
            "{backend:?}"
        );
        let (_, shown) = get(&app, &outsider, &format!("/requests/{foreign}")).await;
        assert_eq!(shown["posts"].as_array().unwrap().len(), 1, "{backend:?}");
        assert!(
            shown["offers"].as_array().unwrap().is_empty(),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn help_writes_need_token_header() {
    let app = spawn(Backend::Sqlite).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let boris = app.launch(choice("demo-student-2", "learner")).await;
    let request_id = ask(&app, &anna, "Token check").await;
    let cookie = boris.cookie.split(';').next().unwrap().to_string();
    let base = format!("{}/spaces/{}/help/requests", app.tool_url, boris.space_id);

    let writes = [
        (
            Method::POST,
            base.clone(),
            json!({"title": "Forged", "description": "x"}),
        ),
        (
            Method::POST,
            format!("{base}/{request_id}/offers"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{base}/{request_id}/posts"),
            json!({"body": "Forged"}),
        ),
        (
            Method::POST,
            format!("{base}/{request_id}/resolve"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{base}/{request_id}/thanks"),
            json!({"note": "x"}),
        ),
        (
            Method::POST,
            format!("{base}/{request_id}/close"),
            json!({}),
        ),
        (Method::DELETE, format!("{base}/{request_id}"), json!({})),
    ];
    for (method, url, body) in writes {
        let with_cookie = app
            .http
            .request(method.clone(), &url)
            .header("cookie", &cookie)
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
            .request(method.clone(), format!("{url}?lt={}", token_of(&boris)))
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

    let (_, shown) = get(&app, &anna, &format!("/requests/{request_id}")).await;
    assert_eq!(shown["status"], "open");
    assert!(shown["offers"].as_array().unwrap().is_empty());
    assert!(shown["posts"].as_array().unwrap().is_empty());
    let (_, listed) = get(&app, &anna, "/requests").await;
    assert_eq!(titles(&listed["open"]), vec!["Token check"]);
}

#[tokio::test]
async fn invalid_requests_rejected_with_reason() {
    let app = spawn(Backend::Sqlite).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let cases = [
        (
            json!({"title": " ", "description": "x"}),
            "title must be 1 to 120 characters, got 0",
        ),
        (
            json!({"title": "x".repeat(121), "description": "x"}),
            "title must be 1 to 120 characters, got 121",
        ),
        (
            json!({"title": "Two\nlines", "description": "x"}),
            "title must be one line",
        ),
        (
            json!({"title": "T", "description": "  "}),
            "description must be 1 to 4000 characters",
        ),
        (
            json!({"title": "T", "description": "x".repeat(4001)}),
            "description must be 1 to 4000 characters, got 4001",
        ),
        (
            json!({"title": "T", "description": "x", "tags": ["a", "b", "c", "d", "e", "f", "g", "h", "i"]}),
            "at most 8 tags, got 9",
        ),
        (
            json!({"title": "T", "description": "x", "tags": ["y".repeat(25)]}),
            "at most 24",
        ),
        (
            json!({"title": "T", "description": "x", "tags": ["data analysis"]}),
            "separate tags with commas",
        ),
        (json!({"title": "T"}), "missing field `description`"),
        (
            json!({"title": "T", "description": "x", "space_id": 2}),
            "unknown field",
        ),
    ];
    for (body, reason) in cases {
        let (status, error) = post(&app, &anna, "/requests", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{body}: {message}");
    }
    let request_id = ask(&app, &anna, "Valid").await;
    let (status, error) = post(
        &app,
        &anna,
        &format!("/requests/{request_id}/posts"),
        json!({"body": ""}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("body must be 1 to 4000"),
        "{error}"
    );
    let (status, error) = post(
        &app,
        &anna,
        &format!("/requests/{request_id}/thanks"),
        json!({"note": "x"}),
    )
    .await;
    assert_eq!(status, 400, "no helper yet");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("no named helper"),
        "{error}"
    );
    let (_, listed) = get(&app, &anna, "/requests").await;
    assert_eq!(
        titles(&listed["open"]),
        vec!["Valid"],
        "nothing invalid was stored"
    );
}

#[tokio::test]
async fn page_shows_markup_as_text() {
    for backend in backends() {
        let app = spawn(backend).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        let request_id = ask(&app, &anna, "<script>alert('title')</script>").await;
        post(
            &app,
            &anna,
            &format!("/requests/{request_id}/posts"),
            json!({"body": "<img src=x onerror=alert(1)> and **bold**"}),
        )
        .await;
        let html = page(&app, &boris).await;
        assert!(
            html.contains("&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;"),
            "{backend:?}: the title is escaped text"
        );
        assert!(
            !html.contains("<script>alert"),
            "{backend:?}: no live script"
        );
        assert!(
            !html.contains("<img"),
            "{backend:?}: raw HTML in a post is text"
        );
        assert!(
            html.contains("<strong>bold</strong>"),
            "{backend:?}: Markdown rendered"
        );
        assert!(
            html.contains(&format!("href=\"/spaces/{}?lt=", anna.space_id)),
            "{backend:?}: link back to the space"
        );
    }
}

#[tokio::test]
async fn page_speaks_launch_language() {
    let app = spawn(Backend::Sqlite).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let mut russian = choice("demo-student-2", "learner");
    russian.locale = "ru".into();
    let boris = app.launch(russian).await;
    ask(&app, &anna, "Need help with slides").await;
    let html = page(&app, &boris).await;
    assert!(html.contains("<html lang=\"ru\">"), "language attribute");
    assert!(html.contains("Взаимопомощь"), "Russian heading");
    assert!(html.contains("Предложить помощь"), "Russian offer button");
    assert!(
        html.contains("Need help with slides"),
        "the request as written"
    );
    let english = page(&app, &anna).await;
    assert!(
        english.contains("Help desk"),
        "English for an English launch"
    );
}

#[tokio::test]
async fn page_needs_session() {
    let app = spawn(Backend::Sqlite).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let url = format!("{}/spaces/{}/help", app.tool_url, anna.space_id);
    let anonymous = app.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "no token, no cookie");
    let cookie = anna.cookie.split(';').next().unwrap().to_string();
    let with_cookie = app
        .http
        .get(&url)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 200, "the cookie is enough to read");
}
