//! Pages that need no launch: health, the front page, unknown paths and assets.

mod common;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let response = app
        .http
        .get(format!("{}/healthz", app.tool_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn front_page_lists_registration_urls() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let html = app
        .http
        .get(&app.tool_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for path in ["/lti/launch", "/lti/login", "/.well-known/jwks.json"] {
        let url = format!("{}{path}", app.tool_url);
        assert!(html.contains(&url), "front page lists {url}");
    }
}

#[tokio::test]
async fn unknown_path_not_found() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let url = format!("{}/no/such/page", app.tool_url);
    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let json = app
        .http
        .get(&url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 404);
    let body: serde_json::Value = json.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn assets_served_with_types() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let cases = [("cowork.css", "text/css"), ("space.js", "text/javascript")];
    for (name, content_type) in cases {
        let response = app
            .http
            .get(format!("{}/assets/{name}", app.tool_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let served = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(served.starts_with(content_type), "{name}: {served}");
    }
    let missing = app
        .http
        .get(format!("{}/assets/../Cargo.toml", app.tool_url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn responses_carry_no_referrer() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let response = app.http.get(&app.tool_url).send().await.unwrap();
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}
