//! The help desk in headless Chromium. One student launches in English and asks for
//! help; another, launched in Russian, sees the request with Russian interface text and
//! offers help; the first marks it resolved, naming the helper. Runs on every configured
//! backend.
//!
//! `tests/common/browser.rs` describes what the browser tests need.

mod common;

use std::time::{Duration, Instant};

use common::browser::{
    choose, find_browser_binaries, read_body_text, save_screenshot, wait_for_space, Browser,
    ChromeDriver,
};
use common::{backends, spawn, TestApp};
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};

/// Time the page has to show the result of a click, including the reload after it.
const STEP_TIMEOUT: Duration = Duration::from_secs(15);
const POLL_INTERVAL: Duration = Duration::from_millis(100);
const TITLE: &str = "Pivot tables in Excel";

/// Launches from the demo platform into its iframe as `person`, a student, in `locale`,
/// then opens the help page of the space at the top level. Returns the space id.
async fn open_help_as(client: &Client, app: &TestApp, person: &str, locale: &str) -> i64 {
    client
        .goto(&format!("{}/", app.platform_url))
        .await
        .expect("open demo platform page");
    let options = [
        ("course", "option[value='course-bc101']".to_string()),
        ("role", "option[value='learner']".to_string()),
        ("locale", format!("option[value='{locale}']")),
        ("target", "option[value='iframe']".to_string()),
    ];
    for (select, option) in &options {
        choose(client, select, Locator::Css(option)).await;
    }
    choose(
        client,
        "user",
        Locator::XPath(&format!(".//option[.='{person}']")),
    )
    .await;
    client
        .find(Locator::Id("launch"))
        .await
        .expect("Launch button")
        .click()
        .await
        .expect("click Launch");

    let view = wait_for_space(client, true).await;
    let token = client
        .find(Locator::Css(".space"))
        .await
        .expect("space element")
        .attr("data-token")
        .await
        .expect("data-token attribute")
        .expect("the space page carries its token");
    client.enter_frame(None).await.expect("leave tool frame");
    let space_id: i64 = view.space_id.parse().expect("numeric space id");
    client
        .goto(&format!(
            "{}/spaces/{space_id}/help?lt={token}",
            app.tool_url
        ))
        .await
        .expect("open help page");
    space_id
}

async fn text_of(client: &Client, selector: &str) -> Result<String, CmdError> {
    client.find(Locator::Css(selector)).await?.text().await
}

/// Waits until the element at `selector` shows text containing `expected`.
async fn wait_for_text(client: &Client, selector: &str, expected: &str) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    let mut last = String::from("(not found)");
    loop {
        // The page reloads after each action, so a lookup can fail while it does.
        if let Ok(text) = text_of(client, selector).await {
            if text.contains(expected) {
                return;
            }
            last = text;
        }
        if Instant::now() >= deadline {
            panic!(
                "{selector} did not show {expected:?} within {STEP_TIMEOUT:?}; it shows \
                 {last:?}. The page shows:\n{}",
                read_body_text(client).await
            );
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

async fn click(client: &Client, selector: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| panic!("{selector} not found: {error}"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("click on {selector} failed: {error}"));
}

async fn type_into(client: &Client, selector: &str, text: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| panic!("{selector} not found: {error}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|error| panic!("typing into {selector} failed: {error}"));
}

#[tokio::test]
async fn russian_student_offers_help() {
    let Some(binaries) = find_browser_binaries("russian_student_offers_help") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let anna: Browser = driver.open_browser(&binaries.chromium).await;
        let boris: Browser = driver.open_browser(&binaries.chromium).await;

        let space_id = open_help_as(&anna.client, &app, "Anna Smirnova", "en").await;
        wait_for_text(&anna.client, "h1", "Help desk").await;
        type_into(&anna.client, "#help-title", TITLE).await;
        type_into(
            &anna.client,
            "#help-description",
            "How do I **group** dates by month?",
        )
        .await;
        type_into(&anna.client, "#help-tags", "excel, pivot").await;
        click(&anna.client, "#help-ask button[type='submit']").await;
        wait_for_text(&anna.client, "#help-open-list .card-title", TITLE).await;
        let requests = app.state.store.open_help_requests(space_id).await.unwrap();
        assert_eq!(requests.len(), 1, "{backend:?}: one request stored");
        let card = format!("#help-request-{}", requests[0].id);

        let boris_space = open_help_as(&boris.client, &app, "Boris Ivanov", "ru").await;
        assert_eq!(
            boris_space, space_id,
            "{backend:?}: same course, same space"
        );
        wait_for_text(&boris.client, "h1", "Взаимопомощь").await;
        let lang = boris
            .client
            .find(Locator::Css("html"))
            .await
            .expect("html element")
            .attr("lang")
            .await
            .expect("lang attribute");
        assert_eq!(lang.as_deref(), Some("ru"), "{backend:?}");
        wait_for_text(&boris.client, &format!("{card} .card-title"), TITLE).await;
        wait_for_text(
            &boris.client,
            &format!("{card} .help-asker"),
            "Автор: Anna Smirnova",
        )
        .await;
        wait_for_text(&boris.client, &format!("{card} .tag-list"), "pivot").await;
        let offer = format!("{card} button[data-help-action='offer']");
        wait_for_text(&boris.client, &offer, "Предложить помощь").await;
        click(&boris.client, &offer).await;
        wait_for_text(
            &boris.client,
            &format!("{card} .card-note"),
            "Вы предложили помощь.",
        )
        .await;
        wait_for_text(
            &boris.client,
            &format!("{card} .help-offers"),
            "Предложили помощь: Boris Ivanov",
        )
        .await;

        anna.client.refresh().await.expect("reload Anna's page");
        let helper_select = format!("{card} select[name='helper_id']");
        wait_for_text(&anna.client, &helper_select, "Boris Ivanov").await;
        type_into(
            &anna.client,
            &format!("{card} textarea[name='thanks']"),
            "Thank you, Boris!",
        )
        .await;
        click(
            &anna.client,
            &format!("{card} .help-resolve-form button[type='submit']"),
        )
        .await;
        wait_for_text(
            &anna.client,
            &format!("#help-finished-list {card} .help-outcome"),
            "Resolved with help from Boris Ivanov",
        )
        .await;

        boris.client.refresh().await.expect("reload Boris's page");
        wait_for_text(
            &boris.client,
            &format!("#help-finished-list {card} .help-outcome"),
            "Решён. Помощник: Boris Ivanov",
        )
        .await;
        wait_for_text(
            &boris.client,
            &format!("{card} .help-thanks"),
            "Thank you, Boris!",
        )
        .await;
        let stored = app
            .state
            .store
            .help_request(space_id, requests[0].id)
            .await
            .unwrap()
            .expect("request still stored");
        assert_eq!(stored.status, "resolved", "{backend:?}");
        assert_eq!(
            stored.helper_name.as_deref(),
            Some("Boris Ivanov"),
            "{backend:?}"
        );

        let png = boris
            .client
            .screenshot()
            .await
            .expect("screenshot of the help page");
        let path = save_screenshot(backend, "help-desk-ru", &png);
        println!("{backend:?}: screenshot saved to {}", path.display());
        anna.close().await;
        boris.close().await;
    }
}
