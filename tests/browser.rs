//! Launches from the demo platform into cowork in headless Chromium, driven through
//! chromedriver. A teacher and a student launch into the course page's iframe, and a
//! student launches into a new window. Runs on every configured backend.
//!
//! `tests/common/browser.rs` describes what the browser tests need.

mod common;

use common::browser::{
    find_browser_binaries, launch_from_platform, save_screenshot, wait_for_new_window,
    wait_for_space, ChromeDriver, Target, TOOL_FRAME,
};
use common::{backends, spawn};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

/// Waits (at most 5 s) until the space page's own session probe has finished, then
/// sends the same probe again from the current frame. Returns `pageProbeDone`, the
/// second probe's `cookie` and whether the frame notice is still hidden.
async fn probe_session_cookie(client: &Client, space_id: &str) -> Value {
    let script = r#"
        const [spaceId, done] = arguments;
        const started = Date.now();
        const pageProbeDone = () => performance
            .getEntriesByType("resource")
            .some((entry) => entry.name.includes("/session/probe"));
        const waitForPageProbe = (resolve) => {
            if (pageProbeDone() || Date.now() - started > 5000) {
                resolve(pageProbeDone());
            } else {
                setTimeout(() => waitForPageProbe(resolve), 50);
            }
        };
        new Promise(waitForPageProbe).then((pageDone) =>
            fetch("/session/probe?space=" + encodeURIComponent(spaceId), { credentials: "include" })
                .then((response) => response.json())
                .then((result) => done({
                    pageProbeDone: pageDone,
                    cookie: result.cookie,
                    noticeHidden: document.getElementById("frame-notice").hidden,
                }))
        ).catch((error) => done({ error: String(error) }));
    "#;
    client
        .execute_async(script, vec![json!(space_id)])
        .await
        .expect("run session probe in the browser")
}

#[tokio::test]
async fn teacher_and_student_in_iframe() {
    let Some(binaries) = find_browser_binaries("teacher_and_student_in_iframe") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;

        let teacher = driver.open_browser(&binaries.chromium).await;
        launch_from_platform(
            &teacher.client,
            &app,
            "Irina Petrova",
            "instructor",
            Target::Iframe,
        )
        .await;
        let view = wait_for_space(&teacher.client, true).await;
        assert!(
            view.course_title.contains("Business Communication"),
            "{backend:?}: course title {:?}",
            view.course_title
        );
        assert_eq!(view.activity_title, "BC101 coworking space", "{backend:?}");
        assert_eq!(view.user_name, "Irina Petrova", "{backend:?}");
        assert_eq!(view.role_label, "Teacher", "{backend:?}");
        assert!(
            view.role_class.contains("role-teacher"),
            "{backend:?}: role class {:?}",
            view.role_class
        );
        assert_eq!(view.document_target, "iframe", "{backend:?}");
        assert!(
            view.members.is_empty(),
            "{backend:?}: first visitor sees nobody else, got {:?}",
            view.members
        );
        teacher.close().await;

        let student = driver.open_browser(&binaries.chromium).await;
        launch_from_platform(
            &student.client,
            &app,
            "Anna Smirnova",
            "learner",
            Target::Iframe,
        )
        .await;
        let view = wait_for_space(&student.client, true).await;
        assert_eq!(view.user_name, "Anna Smirnova", "{backend:?}");
        assert_eq!(view.role_label, "Student", "{backend:?}");
        assert!(
            view.role_class.contains("role-student"),
            "{backend:?}: role class {:?}",
            view.role_class
        );
        assert_eq!(view.people_heading, "Recently here", "{backend:?}");
        assert!(
            view.members
                .contains(&("Irina Petrova".to_string(), "Teacher".to_string())),
            "{backend:?}: teacher under Recently here, got {:?}",
            view.members
        );

        // Both hosts are 127.0.0.1, so the frame is same-site and Chromium sends the
        // session cookie. The page must therefore not offer the new-window fallback.
        let probe = probe_session_cookie(&student.client, &view.space_id).await;
        assert_eq!(
            probe["pageProbeDone"],
            json!(true),
            "{backend:?}: the space page sent no session probe: {probe}"
        );
        assert_eq!(
            probe["cookie"],
            json!(true),
            "{backend:?}: session cookie missing inside the frame: {probe}"
        );
        assert_eq!(
            probe["noticeHidden"],
            json!(true),
            "{backend:?}: frame notice shown although the cookie works: {probe}"
        );

        student
            .client
            .enter_frame(None)
            .await
            .expect("leave tool frame");
        let frame = student
            .client
            .find(Locator::Css(TOOL_FRAME))
            .await
            .expect("tool frame");
        let platform_png = student
            .client
            .screenshot()
            .await
            .expect("screenshot of demo platform page");
        // An element screenshot is cut at the edge of the viewport.
        student
            .client
            .execute(
                &format!("document.querySelector(\"{TOOL_FRAME}\").scrollIntoView();"),
                vec![],
            )
            .await
            .expect("scroll the tool frame into view");
        let space_png = frame.screenshot().await.expect("screenshot of tool frame");
        let space_path = save_screenshot(backend, "space", &space_png);
        let platform_path = save_screenshot(backend, "demo-platform", &platform_png);
        println!(
            "{backend:?}: screenshots saved to {} and {}",
            space_path.display(),
            platform_path.display()
        );
        student.close().await;
    }
}

#[tokio::test]
async fn student_launch_in_new_window() {
    let Some(binaries) = find_browser_binaries("student_launch_in_new_window") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let student = driver.open_browser(&binaries.chromium).await;
        let client = &student.client;
        let platform_window = client.window().await.expect("platform window handle");

        launch_from_platform(client, &app, "Anna Smirnova", "learner", Target::Window).await;

        let space_window = wait_for_new_window(client, &platform_window).await;
        client
            .switch_to_window(space_window)
            .await
            .expect("switch to new window");

        let view = wait_for_space(client, false).await;
        assert_eq!(view.user_name, "Anna Smirnova", "{backend:?}");
        assert_eq!(view.role_label, "Student", "{backend:?}");
        assert_eq!(view.activity_title, "BC101 coworking space", "{backend:?}");
        assert_eq!(view.document_target, "window", "{backend:?}");
        assert!(
            view.frame_notice_hidden,
            "{backend:?}: frame notice shown outside a frame"
        );
        let url = client.current_url().await.expect("space window URL");
        assert!(
            url.as_str()
                .starts_with(&format!("{}/spaces/{}", app.tool_url, view.space_id)),
            "{backend:?}: new window shows {url}, not the space"
        );
        student.close().await;
    }
}
