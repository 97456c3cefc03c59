//! A teacher adds a coworking activity in the demo platform through Deep Linking, in
//! headless Chromium. The picker opens in the course page's frame and the signed response
//! goes back to the platform. A student of the new activity posts in its chat, and the
//! platform's gradebook page shows the grade in the new column.

mod common;

use std::time::{Duration, Instant};

use common::browser::{
    choose, find_browser_binaries, save_screenshot, wait_for_page_text, ChromeDriver, TOOL_FRAME,
};
use common::{backends, choice, open_room, spawn, token_of};
use cowork::demo::LaunchChoice;
use fantoccini::{Client, Locator};
use serde_json::json;

const STEP_TIMEOUT: Duration = Duration::from_secs(15);
const TITLE: &str = "Negotiation studio";

async fn fill(client: &Client, name: &str, value: &str) {
    let input = client
        .find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap_or_else(|error| panic!("field {name}: {error}"));
    input.clear().await.expect("clear field");
    input.send_keys(value).await.expect("type into field");
}

#[tokio::test]
async fn teacher_adds_activity_and_grades_arrive() {
    let Some(binaries) = find_browser_binaries("teacher_adds_activity_and_grades_arrive") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let browser = driver.open_browser(&binaries.chromium).await;
        let client = &browser.client;

        client
            .goto(&format!("{}/", app.platform_url))
            .await
            .expect("open demo platform page");
        choose(
            client,
            "course",
            Locator::Css("option[value='course-bc101']"),
        )
        .await;
        choose(
            client,
            "user",
            Locator::XPath(".//option[.='Irina Petrova']"),
        )
        .await;
        choose(client, "role", Locator::Css("option[value='instructor']")).await;
        client
            .find(Locator::Id("add-activity"))
            .await
            .expect("Add an activity button")
            .click()
            .await
            .expect("click Add an activity");

        let frame = client
            .find(Locator::Css(TOOL_FRAME))
            .await
            .expect("tool frame");
        frame.enter_frame().await.expect("enter tool frame");
        wait_for_page_text(client, "A new coworking space").await;
        let picker_png = client.screenshot().await.expect("picker screenshot");
        let path = save_screenshot(backend, "deep-link-picker", &picker_png);
        println!("{backend:?}: picker screenshot saved to {}", path.display());
        fill(client, "title-space", TITLE).await;
        client
            .find(Locator::Css("#rule-details summary"))
            .await
            .expect("grading rule summary")
            .click()
            .await
            .expect("open the grading rule");
        fill(client, "weekly_target", "2").await;
        fill(client, "weekly_cap", "3").await;
        fill(client, "score_maximum", "20").await;
        client
            .find(Locator::Css("button[value='add']"))
            .await
            .expect("Add to the course button")
            .click()
            .await
            .expect("click Add to the course");

        let added = wait_for_page_text(client, "Added to the course").await;
        assert!(added.contains(TITLE), "{backend:?}: {added}");
        client.enter_frame(None).await.expect("leave tool frame");

        // Students of the new activity post in its open space; the teacher syncs.
        let activity = app
            .platform
            .activities()
            .into_iter()
            .find(|activity| activity.title == TITLE)
            .expect("the platform added the activity");
        let in_activity = |user: &str, role: &str| LaunchChoice {
            activity: Some(activity.resource_link_id.clone()),
            ..choice(user, role)
        };
        let teacher = app
            .launch(in_activity("demo-teacher-1", "instructor"))
            .await;
        let student = app.launch(in_activity("demo-student-1", "learner")).await;
        let (mut socket, hello) = app.socket(&student).await;
        let room = open_room(&hello);
        for body in [
            "Here is my plan for the negotiation role play on Thursday.",
            "I can also prepare the summary of the last session for everyone.",
        ] {
            socket
                .send(json!({"type": "send", "room_id": room, "body": body}))
                .await;
            socket.next_of("ack").await;
        }
        socket.close().await;
        let sync = app
            .http
            .post(format!(
                "{}/spaces/{}/grades/sync",
                app.tool_url, teacher.space_id
            ))
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(sync.status(), 200, "{backend:?}");

        // The gradebook page reloads itself every five seconds.
        client
            .goto(&format!("{}/gradebook", app.platform_url))
            .await
            .expect("open gradebook");
        let started = Instant::now();
        let page = loop {
            let page = wait_for_page_text(client, TITLE).await;
            let section = page.split(TITLE).nth(1).unwrap_or_default().to_string();
            if section.contains("Anna Smirnova") {
                break section;
            }
            assert!(
                started.elapsed() < STEP_TIMEOUT * 2,
                "{backend:?}: no grade in the new column: {page}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        assert!(
            page.contains("Anna Smirnova 20.00 20"),
            "{backend:?}: two posts reach the weekly target of 2: {page}"
        );
        browser.close().await;
    }
}
