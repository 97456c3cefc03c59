//! A teacher builds a questionnaire in headless Chromium, two students answer it in
//! browsers of their own, and the teacher's results page shows the satisfaction index.

mod common;

use common::browser::{find_browser_binaries, wait_for_page_text, ChromeDriver};
use common::{backends, choice, spawn, token_of, Launched, TestApp};
use fantoccini::{Client, Locator};

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
