//! A teacher in headless Chromium follows the export link from the questionnaire page,
//! applies a window with the date form, and downloads a table through the page's link.

mod common;

use common::browser::{find_browser_binaries, wait_for_page_text, ChromeDriver};
use common::{backends, choice, spawn, token_of};
use fantoccini::Locator;
use serde_json::Value;

#[tokio::test]
async fn teacher_applies_window_and_downloads() {
    let Some(binaries) = find_browser_binaries("teacher_applies_window_and_downloads") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        app.launch(choice("demo-student-1", "learner")).await;

        let browser = driver.open_browser(&binaries.chromium).await;
        let client = &browser.client;
        let questionnaires = format!(
            "{}/spaces/{}/questionnaires?lt={}",
            app.tool_url,
            teacher.space_id,
            token_of(&teacher)
        );
        client
            .goto(&questionnaires)
            .await
            .expect("open questionnaires");
        wait_for_page_text(client, "Export data").await;
        client
            .find(Locator::Css("a.export-link"))
            .await
            .expect("export link")
            .click()
            .await
            .expect("follow the export link");
        wait_for_page_text(client, "Interaction edges").await;

        // Date inputs take typed text in the browser's locale format, so the test sets
        // their values directly, as a date picker would.
        client
            .execute(
                "document.querySelector(\"#export-window [name='from']\").value = '2026-03-01';\
                 document.querySelector(\"#export-window [name='until']\").value = '2026-03-31';",
                vec![],
            )
            .await
            .expect("set the window");
        client
            .find(Locator::Css("#export-window button[type='submit']"))
            .await
            .expect("apply button")
            .click()
            .await
            .expect("apply the window");
        let page = wait_for_page_text(client, "Window: from 2026-03-01 00:00 UTC").await;
        assert!(
            page.contains("until 2026-04-01 00:00 UTC"),
            "{backend:?}: {page}"
        );

        let href = client
            .find(Locator::Css("#table-members a[href*='members.json']"))
            .await
            .expect("members JSON link")
            .attr("href")
            .await
            .expect("read the link")
            .expect("the link has an href");
        let url = client
            .current_url()
            .await
            .expect("current URL")
            .join(&href)
            .expect("absolute link");
        let members: Value = app
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(members["rows"].as_array().unwrap().len(), 2, "{members}");

        let edges_href = client
            .find(Locator::Css("#table-edges a[href*='edges.csv']"))
            .await
            .expect("edges CSV link")
            .attr("href")
            .await
            .expect("read the link")
            .expect("the link has an href");
        assert!(
            edges_href.contains("&from=2026-03-01&until=2026-03-31"),
            "{edges_href}"
        );
        browser.close().await;
    }
}
