//! A teacher builds a questionnaire in headless Chromium, two students answer it in
//! browsers of their own, and the teacher's results page shows the satisfaction index.
//! The teacher also edits a questionnaire and changes the index settings on the pages.

mod common;

use common::browser::{find_browser_binaries, wait_for_page_text, ChromeDriver};
use common::{backends, choice, spawn, token_of, Launched, TestApp};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

const TITLE: &str = "Week 1 check-in";
const PROMPT: &str = "How satisfied are you with the coworking space?";

fn questionnaires_url(app: &TestApp, launched: &Launched) -> String {
    format!(
        "{}/spaces/{}/questionnaires?lt={}",
        app.tool_url,
        launched.space_id,
        token_of(launched)
    )
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css}: {error}"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("click {css}: {error}"));
}

/// Opens the questionnaire page as a student, picks `answer` and sends it.
async fn answer_as(driver: &ChromeDriver, chromium: &std::path::Path, url: &str, answer: &str) {
    let browser = driver.open_browser(chromium).await;
    let client = &browser.client;
    client.goto(url).await.expect("open questionnaires");
    wait_for_page_text(client, PROMPT).await;
    let option = format!(".//label[normalize-space(.)='{answer}']/input");
    client
        .find(Locator::XPath(&option))
        .await
        .unwrap_or_else(|error| panic!("answer {answer}: {error}"))
        .click()
        .await
        .expect("choose the answer");
    click(client, ".questionnaire-form button[type='submit']").await;
    wait_for_page_text(client, "saved").await;
    browser.close().await;
}

#[tokio::test]
async fn teacher_builds_students_answer_index_shown() {
    let Some(binaries) = find_browser_binaries("teacher_builds_students_answer_index_shown") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let first = app.launch(choice("demo-student-1", "learner")).await;
        let second = app.launch(choice("demo-student-2", "learner")).await;

        let browser = driver.open_browser(&binaries.chromium).await;
        let client = &browser.client;
        client
            .goto(&questionnaires_url(&app, &teacher))
            .await
            .expect("open questionnaires as the teacher");
        wait_for_page_text(client, "New questionnaire").await;
        let title = client
            .find(Locator::Css("#create-form [name='title']"))
            .await
            .expect("title field");
        title.send_keys(TITLE).await.expect("type the title");
        click(client, "#add-item").await;
        let kind = client
            .find(Locator::Css("#item-list [name='kind']"))
            .await
            .expect("item kind");
        kind.select_by_value("satisfaction")
            .await
            .expect("choose the satisfaction kind");
        client
            .find(Locator::Css("#item-list [name='prompt']"))
            .await
            .expect("item prompt")
            .send_keys(PROMPT)
            .await
            .expect("type the prompt");
        click(client, "#create-form button[type='submit']").await;
        wait_for_page_text(client, TITLE).await;
        click(client, "#questionnaire-table button[data-action='open']").await;
        wait_for_page_text(client, PROMPT).await;

        let chromium = &binaries.chromium;
        answer_as(
            &driver,
            chromium,
            &questionnaires_url(&app, &first),
            "Fully satisfied",
        )
        .await;
        answer_as(
            &driver,
            chromium,
            &questionnaires_url(&app, &second),
            "Rather dissatisfied",
        )
        .await;

        client
            .goto(&questionnaires_url(&app, &teacher))
            .await
            .expect("reload as the teacher");
        wait_for_page_text(client, TITLE).await;
        click(client, "#questionnaire-table a.button").await;
        let report = wait_for_page_text(client, "Satisfaction index").await;
        let respondents = client
            .find(Locator::Css(".respondents"))
            .await
            .expect("respondent count")
            .text()
            .await
            .unwrap();
        assert_eq!(respondents, "2", "{backend:?}: {report}");
        // (+1 for fully satisfied − 0.5 for rather dissatisfied) ÷ 2 respondents.
        let index = client
            .find(Locator::XPath(
                ".//dt[starts-with(normalize-space(.), 'Satisfaction index')]/following-sibling::dd[1]",
            ))
            .await
            .expect("index value")
            .text()
            .await
            .unwrap();
        assert_eq!(index.trim(), "0.250", "{backend:?}: {report}");
        browser.close().await;
    }
}

const SCRIPT_PROMPT: &str = "<script>window.promptRan = true;</script> Rate the space";

/// Sends a JSON request to the questionnaire API as `who`; returns the response body.
async fn api(app: &TestApp, who: &Launched, path: &str, body: Value) -> Value {
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}/questionnaires{path}",
            app.tool_url, who.space_id
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap_or(Value::Null)
}

async fn read_api(app: &TestApp, who: &Launched, path: &str) -> Value {
    app.http
        .get(format!(
            "{}/spaces/{}/questionnaires{path}",
            app.tool_url, who.space_id
        ))
        .header("x-cowork-token", token_of(who))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn dd_after(client: &Client, label: &str) -> String {
    let path =
        format!(".//dt[starts-with(normalize-space(.), '{label}')]/following-sibling::dd[1]");
    client
        .find(Locator::XPath(&path))
        .await
        .unwrap_or_else(|error| panic!("{label}: {error}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn teacher_edits_and_reweighs() {
    let Some(binaries) = find_browser_binaries("teacher_edits_and_reweighs") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let created = api(
            &app,
            &teacher,
            "/list",
            json!({
                "title": TITLE,
                "items": [{"kind": "satisfaction", "prompt": SCRIPT_PROMPT}]
            }),
        )
        .await;
        let id = created["id"].as_i64().unwrap();
        let item_id = created["items"][0]["id"].as_i64().unwrap();
        api(
            &app,
            &teacher,
            &format!("/{id}/status"),
            json!({"status": "open"}),
        )
        .await;
        for (user, value) in [("demo-student-1", 5), ("demo-student-2", 2)] {
            let student = app.launch(choice(user, "learner")).await;
            let answer = json!({"answers": [{"item_id": item_id, "value": value}]});
            api(&app, &student, &format!("/{id}/response"), answer).await;
        }

        let browser = driver.open_browser(&binaries.chromium).await;
        let client = &browser.client;
        client
            .goto(&questionnaires_url(&app, &teacher))
            .await
            .expect("open questionnaires as the teacher");
        wait_for_page_text(client, TITLE).await;
        click(client, "#questionnaire-table button[data-action='edit']").await;
        let form = format!(".edit-form[data-questionnaire-id='{id}']");
        let title = client
            .find(Locator::Css(&format!("{form} [name='title']")))
            .await
            .expect("title field");
        title.clear().await.expect("clear the title");
        title
            .send_keys("Week 2 check-in")
            .await
            .expect("type the title");
        client
            .find(Locator::Css(&format!("{form} [name='description']")))
            .await
            .expect("description field")
            .send_keys("Five minutes")
            .await
            .expect("type the description");
        // Typing into datetime-local inputs depends on the browser's locale, so the
        // values are set through the DOM as the date picker would set them.
        let set_times = "document.querySelector(arguments[0] + ' [name=opens_at]').value = \
                         '2030-01-02T03:04'; \
                         document.querySelector(arguments[0] + ' [name=closes_at]').value = \
                         '2030-02-03T04:05';";
        client
            .execute(set_times, vec![json!(form)])
            .await
            .expect("set the times");
        click(client, &format!("{form} button[type='submit']")).await;
        wait_for_page_text(client, "Week 2 check-in").await;

        let expected = client
            .execute(
                "return [new Date('2030-01-02T03:04').getTime() / 1000, \
                 new Date('2030-02-03T04:05').getTime() / 1000];",
                Vec::new(),
            )
            .await
            .expect("local times in seconds");
        let stored = read_api(&app, &teacher, &format!("/{id}")).await;
        assert_eq!(stored["title"], "Week 2 check-in", "{backend:?}: {stored}");
        assert_eq!(stored["description"], "Five minutes");
        assert_eq!(
            stored["opens_at"].as_f64(),
            expected[0].as_f64(),
            "{stored}"
        );
        assert_eq!(
            stored["closes_at"].as_f64(),
            expected[1].as_f64(),
            "{stored}"
        );
        assert_eq!(
            stored["items"][0]["prompt"], SCRIPT_PROMPT,
            "items unchanged"
        );
        let opens_shown = client
            .find(Locator::Css(&format!("{form} [name='opens_at']")))
            .await
            .expect("opening time field")
            .prop("value")
            .await
            .unwrap();
        assert_eq!(opens_shown.as_deref(), Some("2030-01-02T03:04"));

        click(client, "#questionnaire-table a.button").await;
        let report = wait_for_page_text(client, "Satisfaction index").await;
        assert!(
            report.contains(SCRIPT_PROMPT),
            "prompt shown as text: {report}"
        );
        let ran = client
            .execute("return window.promptRan === true;", Vec::new())
            .await
            .unwrap();
        assert_eq!(ran, json!(false), "a script in a prompt ran");
        // (+1 for fully satisfied − 0.5 for rather dissatisfied) ÷ 2 respondents.
        assert_eq!(dd_after(client, "Satisfaction index").await.trim(), "0.250");

        // Weights from fully dissatisfied up: rather dissatisfied now weighs −1, so
        // (+1 − 1) ÷ 2 = 0.
        let weights = client
            .find(Locator::Css("#index-settings-form [name='weights']"))
            .await
            .expect("weights field");
        weights.clear().await.expect("clear the weights");
        weights
            .send_keys("-1,-1,0,0.5,1")
            .await
            .expect("type the weights");
        client
            .find(Locator::Css(
                "#index-settings-form [name='count_undecided']",
            ))
            .await
            .expect("undecided setting")
            .select_by_value("false")
            .await
            .expect("leave out can't say");
        click(client, "#index-settings-form button[type='submit']").await;
        wait_for_page_text(client, "are left out of it").await;
        assert_eq!(dd_after(client, "Satisfaction index").await.trim(), "0.000");
        let url = client.current_url().await.unwrap();
        assert!(url.as_str().contains("count_undecided=false"), "{url}");
        let weights_shown = client
            .find(Locator::Css("#index-settings-form [name='weights']"))
            .await
            .expect("weights field after reload")
            .prop("value")
            .await
            .unwrap();
        assert_eq!(weights_shown.as_deref(), Some("-1,-1,0,0.5,1"));
        browser.close().await;
    }
}
