//! The dashboards in headless Chromium: a teacher sees the charts drawn with their
//! tables and changes the window; a student reaches their own dashboard from the space.

mod common;

use common::browser::{find_browser_binaries, save_screenshot, wait_for_page_text, ChromeDriver};
use common::{backends, choice, open_room, spawn, token_of};
use fantoccini::{Client, Locator};
use serde_json::Value;

/// Returns the rendered width and height of the element with `id`.
async fn rendered_size(client: &Client, id: &str) -> (f64, f64) {
    let size = client
        .execute(
            "const box = document.getElementById(arguments[0]).getBoundingClientRect();\
             return [box.width, box.height];",
            vec![Value::from(id)],
        )
        .await
        .unwrap_or_else(|error| panic!("size of {id}: {error}"));
    (size[0].as_f64().unwrap(), size[1].as_f64().unwrap())
}

#[tokio::test]
async fn dashboards_render_in_browser() {
    let Some(binaries) = find_browser_binaries("dashboards_render_in_browser") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;
    let backend = backends()[0];
    let app = spawn(backend).await;
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let anna = app.launch(choice("demo-student-1", "learner")).await;
    let boris = app.launch(choice("demo-student-2", "learner")).await;
    app.launch(choice("demo-student-3", "learner")).await;
    let (mut anna_socket, hello) = app.socket(&anna).await;
    let open = open_room(&hello);
    let (mut boris_socket, _) = app.socket(&boris).await;
    anna_socket.join(open).await;
    boris_socket.join(open).await;
    anna_socket
        .send(serde_json::json!({"type": "send", "room_id": open, "body": "Who has the template?"}))
        .await;
    let question = anna_socket.next_of("ack").await["message_id"].clone();
    boris_socket
        .send(serde_json::json!({"type": "send", "room_id": open, "body": "Here", "parent_id": question}))
        .await;
    boris_socket.next_of("ack").await;

    let browser = driver.open_browser(&binaries.chromium).await;
    let client = &browser.client;
    let dashboard = format!(
        "{}/spaces/{}/dashboard?lt={}",
        app.tool_url,
        teacher.space_id,
        token_of(&teacher)
    );
    client.goto(&dashboard).await.expect("open the dashboard");
    wait_for_page_text(client, "Coworking dashboard").await;
    for chart in [
        "activity-chart",
        "mobility-chart",
        "communication-chart",
        "network-chart",
    ] {
        let (width, height) = rendered_size(client, chart).await;
        assert!(width > 200.0, "{chart} is {width} wide");
        assert!(height > 80.0, "{chart} is {height} high");
    }
    let isolated = client
        .find_all(Locator::Css("#network-chart rect.isolated"))
        .await
        .unwrap();
    assert_eq!(isolated.len(), 1, "Chen has no partner");
    // A tall window shows the whole page in one screenshot.
    client.set_window_size(1280, 4200).await.expect("resize");
    let png = client.screenshot().await.expect("screenshot");
    save_screenshot(backend, "dashboard-teacher", &png);

    // A window in the past: the form keeps it and the page shows two empty weeks.
    client
        .execute(
            "document.querySelector('[name=from]').value = '2026-01-05';\
             document.querySelector('[name=until]').value = '2026-01-18';",
            vec![],
        )
        .await
        .unwrap();
    client
        .find(Locator::Css(".window-form button[type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_page_text(client, "From 2026-01-05 to 2026-01-18").await;
    let weeks = client
        .find_all(Locator::Css("#activity tbody tr"))
        .await
        .unwrap();
    assert_eq!(weeks.len(), 2);

    // Anna opens the space and follows its Dashboard link.
    let space = format!(
        "{}/spaces/{}?lt={}",
        app.tool_url,
        anna.space_id,
        token_of(&anna)
    );
    client.goto(&space).await.expect("open the space");
    client
        .wait()
        .for_element(Locator::LinkText("Dashboard"))
        .await
        .expect("Dashboard link")
        .click()
        .await
        .expect("follow the link");
    let text = wait_for_page_text(client, "My coworking").await;
    assert!(text.contains("Boris Ivanov"), "{text}");
    let (width, _) = rendered_size(client, "progress-chart").await;
    assert!(width > 100.0, "progress bar is {width} wide");
    let png = client.screenshot().await.expect("screenshot");
    save_screenshot(backend, "dashboard-student", &png);
    browser.close().await;
}
