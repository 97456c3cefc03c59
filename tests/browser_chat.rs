//! The space page's chat in headless Chromium. A teacher and a student, launched from
//! the demo platform in browsers of their own, talk in the open space. A student
//! changes rooms and reloads, the chat reconnects and loads older messages, and the page
//! fits a phone-width window. Two students chat in Russian, and a teacher and two
//! students arrive through the id_tokens a real Moodle 4.2 posted and talk to each other.
//! Runs on every configured backend.
//!
//! `tests/common/browser.rs` describes what the browser tests need.

mod common;

use std::time::{Duration, Instant};

use common::browser::{
    choose, find_browser_binaries, launch_from_platform, launch_from_platform_in, save_screenshot,
    wait_for_new_window, wait_for_space, Browser, BrowserBinaries, ChromeDriver, Target,
    POLL_INTERVAL, TOOL_FRAME,
};
use common::moodle::{serve_recorded_auth_page, spawn_recorded_moodle, RecordedLaunch};
use common::{backends, choice, open_room, spawn, Backend, TestApp};
use cowork::store::chat::NewRoom;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde::Deserialize;
use serde_json::{json, Value};

/// Time a browser has to show a change made elsewhere: a message from the other browser,
/// a reconnection or a reload.
const CHAT_TIMEOUT: Duration = Duration::from_secs(15);

const TEACHER: &str = "Irina Petrova";
const STUDENT: &str = "Anna Smirnova";

/// A message as the page shows it, read by [`READ_MESSAGES`].
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShownMessage {
    id: i64,
    /// The `data-parent-id` of the item: the message it replies to.
    parent_id: Option<i64>,
    /// The message whose replies list contains this item, if any.
    under_parent: Option<i64>,
    author: String,
    /// Text of the head: author, time, marks such as "(edited)" and "Pinned".
    head: String,
    quote: String,
    body: String,
    /// Number of `img` and `script` elements in the body.
    active_elements: i64,
    /// True when the body shows a placeholder such as "Hidden by a teacher".
    placeholder: bool,
    /// Text of each reaction button, with `*` when it is pressed.
    reactions: Vec<String>,
    /// The `data-action` of each control, such as "reply" or "hide".
    actions: Vec<String>,
}

/// Returns every message item in document order, nested replies included.
const READ_MESSAGES: &str = r##"
    return Array.from(document.querySelectorAll("#message-list .message-item")).map((item) => {
        const part = (name) => item.querySelector(":scope > article > .message-" + name);
        const list = item.parentElement;
        return {
            id: Number(item.dataset.id),
            parentId: item.dataset.parentId ? Number(item.dataset.parentId) : null,
            underParent: list.classList.contains("replies") ? Number(list.parentElement.dataset.id) : null,
            author: part("head").querySelector(".message-author").textContent,
            head: part("head").textContent,
            quote: part("quote").textContent,
            body: part("body").textContent.trim(),
            activeElements: part("body").querySelectorAll("img, script").length,
            placeholder: part("body").querySelector(".message-placeholder") !== null,
            reactions: Array.from(part("tools").querySelectorAll(".reaction")).map((button) =>
                button.textContent + (button.getAttribute("aria-pressed") === "true" ? "*" : "")),
            actions: Array.from(part("tools").querySelectorAll(".message-actions > [data-action]"))
                .map((control) => control.dataset.action),
        };
    });
"##;

/// Runs `script` in the current frame and returns its result.
async fn run_script(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
}

async fn read_messages(client: &Client) -> Vec<ShownMessage> {
    let value = run_script(client, READ_MESSAGES).await;
    serde_json::from_value(value).expect("message list in the expected shape")
}

/// Waits until `check` accepts the messages that `viewer` sees, and returns them. Panics
/// after [`CHAT_TIMEOUT`] with `expected` and the messages last seen.
async fn wait_for_messages(
    client: &Client,
    viewer: &str,
    expected: &str,
    check: impl Fn(&[ShownMessage]) -> bool,
) -> Vec<ShownMessage> {
    let deadline = Instant::now() + CHAT_TIMEOUT;
    loop {
        let messages = read_messages(client).await;
        if check(&messages) {
            return messages;
        }
        if Instant::now() >= deadline {
            panic!(
                "{viewer} never saw {expected} within {CHAT_TIMEOUT:?}; the page shows {messages:#?}"
            );
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Waits until the JavaScript expression `condition` is true in the current frame.
async fn wait_for_condition(client: &Client, viewer: &str, condition: &str) {
    let script = format!("return Boolean({condition});");
    let deadline = Instant::now() + CHAT_TIMEOUT;
    while run_script(client, &script).await != json!(true) {
        if Instant::now() >= deadline {
            let status = run_script(
                client,
                "return document.getElementById('connection-status').textContent;",
            )
            .await;
            panic!("{viewer}: `{condition}` still false after {CHAT_TIMEOUT:?}; connection status {status}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Returns whether the element with `id` takes up space on the page. Checking the
/// layout rather than the `hidden` property catches CSS that shows a hidden element.
async fn is_shown(client: &Client, id: &str) -> bool {
    let script = format!("return document.getElementById('{id}').getClientRects().length > 0;");
    run_script(client, &script).await == json!(true)
}

async fn wait_until_connected(client: &Client, viewer: &str) {
    wait_until_status(client, viewer, "Connected").await;
}

/// Waits until the connection status reads `status` and the room list is filled.
async fn wait_until_status(client: &Client, viewer: &str, status: &str) {
    let condition = format!(
        "document.getElementById('connection-status').textContent === '{status}' \
         && document.querySelector('#room-list .room-link') !== null"
    );
    wait_for_condition(client, viewer, &condition).await;
}

/// Opens a browser, launches `person` as `role` into the demo platform's iframe and
/// waits until the chat is connected. The client is left inside the tool frame.
async fn open_chat(
    driver: &ChromeDriver,
    binaries: &BrowserBinaries,
    app: &TestApp,
    person: &str,
    role: &str,
) -> Browser {
    let browser = driver.open_browser(&binaries.chromium).await;
    launch_from_platform(&browser.client, app, person, role, Target::Iframe).await;
    wait_for_space(&browser.client, true).await;
    wait_until_connected(&browser.client, person).await;
    browser
}

/// Opens a browser and launches `person`, a student, in Russian into the demo
/// platform's iframe, then waits until the chat shows it is connected.
async fn open_chat_in_russian(
    driver: &ChromeDriver,
    binaries: &BrowserBinaries,
    app: &TestApp,
    person: &str,
) -> Browser {
    let browser = driver.open_browser(&binaries.chromium).await;
    let client = &browser.client;
    launch_from_platform_in(client, app, person, "learner", Target::Iframe, Some("ru")).await;
    wait_for_space(client, true).await;
    wait_until_status(client, person, "Подключено").await;
    browser
}

/// Waits until `viewer`'s online list has a line for `person` that contains every part.
async fn wait_for_online_line(client: &Client, viewer: &str, person: &str, parts: &[&str]) {
    let deadline = Instant::now() + CHAT_TIMEOUT;
    loop {
        let online = read_online(client).await;
        let line = online.iter().find(|line| line.starts_with(person));
        if line.is_some_and(|line| parts.iter().all(|part| line.contains(part))) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{viewer} never saw {person} as {parts:?}; the online list shows {online:?}"
        );
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Types `text` into the composer and presses Enter.
async fn type_and_press_enter(client: &Client, text: &str) {
    let composer = client
        .find(Locator::Id("composer-text"))
        .await
        .expect("composer textarea");
    composer.send_keys(text).await.expect("type into composer");
    let enter: char = Key::Enter.into();
    composer
        .send_keys(&enter.to_string())
        .await
        .expect("press Enter");
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

/// Returns the CSS selector of a control of message `id`, such as `[data-action='hide']`.
fn message_control(id: i64, control: &str) -> String {
    format!("#message-{id} > article {control}")
}

fn find_by_body<'a>(messages: &'a [ShownMessage], body: &str) -> Option<&'a ShownMessage> {
    messages.iter().find(|message| message.body == body)
}

/// Saves a screenshot of the tool frame and enters the frame again.
async fn screenshot_frame(client: &Client, backend: Backend, name: &str) {
    // From 48rem wide the page fills the frame and only its columns scroll.
    let fits = run_script(
        client,
        "return document.documentElement.scrollHeight <= window.innerHeight;",
    )
    .await;
    assert_eq!(
        fits,
        json!(true),
        "{backend:?}: {name}: the page overflows the frame"
    );
    client.enter_frame(None).await.expect("leave tool frame");
    // An element screenshot is cut at the edge of the viewport.
    run_script(
        client,
        &format!("document.querySelector(\"{TOOL_FRAME}\").scrollIntoView(); return null;"),
    )
    .await;
    let frame = client
        .find(Locator::Css(TOOL_FRAME))
        .await
        .expect("tool frame");
    let png = frame.screenshot().await.expect("screenshot of tool frame");
    let path = save_screenshot(backend, name, &png);
    println!("{backend:?}: screenshot saved to {}", path.display());
    frame.enter_frame().await.expect("enter tool frame");
}

/// Reads the online list as "name|details" lines.
async fn read_online(client: &Client) -> Vec<String> {
    let value = run_script(
        client,
        r##"return Array.from(document.querySelectorAll("#online-list .online-person")).map((person) =>
            person.querySelector(".person-name").textContent + "|" +
            person.querySelector(".person-details").textContent);"##,
    )
    .await;
    serde_json::from_value(value).expect("online list as strings")
}

#[tokio::test]
async fn teacher_and_student_chat() {
    let Some(binaries) = find_browser_binaries("teacher_and_student_chat") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let teacher_browser = open_chat(&driver, &binaries, &app, TEACHER, "instructor").await;
        let student_browser = open_chat(&driver, &binaries, &app, STUDENT, "learner").await;
        let teacher = &teacher_browser.client;
        let student = &student_browser.client;

        // Each sees the other's message without a reload, in the same order.
        let welcome = "Welcome to the open space, everyone";
        type_and_press_enter(teacher, welcome).await;
        wait_for_messages(student, STUDENT, "the teacher's welcome", |messages| {
            find_by_body(messages, welcome).is_some_and(|m| m.author == TEACHER)
        })
        .await;
        assert!(
            !is_shown(teacher, "stance-field").await,
            "{backend:?}: position select shown outside a discussion"
        );
        assert!(
            !is_shown(teacher, "composer-context").await,
            "{backend:?}: reply note shown before any reply"
        );
        let thanks = "Thanks! Where do we start?";
        student
            .find(Locator::Id("composer-text"))
            .await
            .expect("composer textarea")
            .send_keys(thanks)
            .await
            .expect("type into composer");
        click(student, "#composer-send").await;
        let seen_by_teacher = wait_for_messages(teacher, TEACHER, "the student's question", |m| {
            find_by_body(m, thanks).is_some_and(|m| m.author == STUDENT)
        })
        .await;
        let seen_by_student =
            wait_for_messages(student, STUDENT, "their own question", |m| m.len() == 2).await;
        let order = |messages: &[ShownMessage]| -> Vec<(String, String)> {
            messages
                .iter()
                .map(|m| (m.author.clone(), m.body.clone()))
                .collect()
        };
        assert_eq!(
            order(&seen_by_teacher),
            vec![
                (TEACHER.to_string(), welcome.to_string()),
                (STUDENT.to_string(), thanks.to_string()),
            ],
            "{backend:?}: teacher's order"
        );
        assert_eq!(
            order(&seen_by_student),
            order(&seen_by_teacher),
            "{backend:?}: both see the same order"
        );
        let composer_text = student
            .find(Locator::Id("composer-text"))
            .await
            .expect("composer textarea")
            .prop("value")
            .await
            .expect("composer value");
        assert_eq!(
            composer_text.as_deref(),
            Some(""),
            "{backend:?}: composer cleared after sending"
        );
        let welcome_id = find_by_body(&seen_by_teacher, welcome).unwrap().id;
        let thanks_id = find_by_body(&seen_by_teacher, thanks).unwrap().id;

        // The student replies to the teacher; the reply sits under its parent and quotes it.
        click(
            student,
            &message_control(welcome_id, "[data-action='reply']"),
        )
        .await;
        let context = run_script(
            student,
            "return document.getElementById('composer-context-text').textContent;",
        )
        .await;
        assert_eq!(
            context,
            json!(format!("Replying to {TEACHER}")),
            "{backend:?}"
        );
        let reply = "I will start with the SWOT table";
        type_and_press_enter(student, reply).await;
        for (client, viewer) in [(teacher, TEACHER), (student, STUDENT)] {
            let messages = wait_for_messages(client, viewer, "the reply", |m| {
                find_by_body(m, reply).is_some()
            })
            .await;
            let found = find_by_body(&messages, reply).unwrap();
            assert_eq!(found.parent_id, Some(welcome_id), "{backend:?}: {viewer}");
            assert_eq!(
                found.under_parent,
                Some(welcome_id),
                "{backend:?}: {viewer} sees the reply under its parent"
            );
            assert!(
                found.quote.contains(&format!("In reply to {TEACHER}")),
                "{backend:?}: {viewer} sees quote {:?}",
                found.quote
            );
            assert!(
                found.quote.contains(welcome),
                "{backend:?}: {viewer} sees quote {:?}",
                found.quote
            );
            let reply_position = messages.iter().position(|m| m.body == reply).unwrap();
            let parent_position = messages.iter().position(|m| m.id == welcome_id).unwrap();
            assert_eq!(
                reply_position,
                parent_position + 1,
                "{backend:?}: {viewer} sees the reply right after its parent"
            );
        }

        run_script(
            student,
            &format!(
                "document.getElementById('message-{welcome_id}').scrollIntoView(); return null;"
            ),
        )
        .await;
        screenshot_frame(student, backend, "chat-reply").await;

        // Markup in a message is found as text and never runs.
        let hostile = "<img src=x onerror=alert(1)>";
        type_and_press_enter(student, hostile).await;
        for (client, viewer) in [(teacher, TEACHER), (student, STUDENT)] {
            let messages = wait_for_messages(client, viewer, "the markup as text", |m| {
                find_by_body(m, hostile).is_some()
            })
            .await;
            let found = find_by_body(&messages, hostile).unwrap();
            assert_eq!(
                found.active_elements, 0,
                "{backend:?}: {viewer} got an element from the markup"
            );
            assert!(
                client.get_alert_text().await.is_err(),
                "{backend:?}: {viewer} got an alert"
            );
        }

        // A mention of the teacher marks the message for her.
        let mention = format!("@{TEACHER} could you look at our draft?");
        type_and_press_enter(student, &mention).await;
        wait_for_messages(teacher, TEACHER, "the mention mark", |m| {
            find_by_body(m, &mention).is_some_and(|m| m.head.contains("Mentions you"))
        })
        .await;

        // The teacher reacts; the student sees the count.
        click(
            teacher,
            &message_control(thanks_id, ".reaction-picker summary"),
        )
        .await;
        click(
            teacher,
            &message_control(thanks_id, "[data-action='react'][data-emoji='👍']"),
        )
        .await;
        wait_for_messages(student, STUDENT, "the teacher's reaction", |m| {
            m.iter()
                .any(|m| m.id == thanks_id && m.reactions == vec!["👍 1".to_string()])
        })
        .await;
        wait_for_messages(teacher, TEACHER, "their own reaction pressed", |m| {
            m.iter()
                .any(|m| m.id == thanks_id && m.reactions == vec!["👍 1*".to_string()])
        })
        .await;

        // The student edits the reply: the composer gets the source text.
        let reply_id = find_by_body(&read_messages(student).await, reply)
            .unwrap()
            .id;
        click(student, &message_control(reply_id, "[data-action='edit']")).await;
        let composer = student
            .find(Locator::Id("composer-text"))
            .await
            .expect("composer textarea");
        assert_eq!(
            composer
                .prop("value")
                .await
                .expect("composer value")
                .as_deref(),
            Some(reply),
            "{backend:?}: edit puts the source into the composer"
        );
        composer.clear().await.expect("clear composer");
        let edited = "I will start with the SWOT table and the timeline";
        type_and_press_enter(student, edited).await;
        wait_for_messages(teacher, TEACHER, "the edited reply", |m| {
            m.iter()
                .any(|m| m.id == reply_id && m.body == edited && m.head.contains("(edited)"))
        })
        .await;
        wait_for_messages(student, STUDENT, "their edited reply", |m| {
            m.iter().any(|m| m.id == reply_id && m.body == edited)
        })
        .await;
        assert!(
            !is_shown(student, "composer-context").await,
            "{backend:?}: the editing note stays after saving"
        );

        // The teacher hides the student's question.
        click(teacher, &message_control(thanks_id, "[data-action='hide']")).await;
        let student_view = wait_for_messages(student, STUDENT, "the hidden question", |m| {
            m.iter()
                .any(|m| m.id == thanks_id && m.body == "Hidden by a teacher")
        })
        .await;
        let hidden = student_view.iter().find(|m| m.id == thanks_id).unwrap();
        assert!(hidden.placeholder, "{backend:?}: placeholder style");
        assert!(
            !hidden.body.contains("Thanks"),
            "{backend:?}: student still sees {:?}",
            hidden.body
        );
        let teacher_view = wait_for_messages(teacher, TEACHER, "the hidden mark", |m| {
            m.iter()
                .any(|m| m.id == thanks_id && m.head.contains("Hidden from students"))
        })
        .await;
        let reviewed = teacher_view.iter().find(|m| m.id == thanks_id).unwrap();
        assert_eq!(
            reviewed.body, thanks,
            "{backend:?}: teacher still reads the text"
        );
        assert_eq!(
            hidden.actions,
            ["reply", "edit", "delete"].map(String::from).to_vec(),
            "{backend:?}: a student's actions on their own message"
        );
        let welcome_for_student = student_view.iter().find(|m| m.id == welcome_id).unwrap();
        assert_eq!(
            welcome_for_student.actions,
            vec!["reply".to_string()],
            "{backend:?}: a student's actions on another's message"
        );
        assert_eq!(
            reviewed.actions,
            ["reply", "delete", "pin", "unhide"]
                .map(String::from)
                .to_vec(),
            "{backend:?}: a teacher's actions on a hidden message"
        );

        // The student deletes their own message after confirming; both see the placeholder.
        let hostile_id = find_by_body(&read_messages(student).await, hostile)
            .unwrap()
            .id;
        click(
            student,
            &message_control(hostile_id, "[data-action='delete']"),
        )
        .await;
        let question = student
            .get_alert_text()
            .await
            .expect("confirmation before deleting");
        assert!(
            question.starts_with("Delete this message?"),
            "{backend:?}: confirmation {question:?}"
        );
        student.accept_alert().await.expect("confirm deletion");
        for (client, viewer) in [(teacher, TEACHER), (student, STUDENT)] {
            let messages = wait_for_messages(client, viewer, "the deleted message", |m| {
                m.iter()
                    .any(|m| m.id == hostile_id && m.body == "Message deleted" && m.placeholder)
            })
            .await;
            let deleted = messages.iter().find(|m| m.id == hostile_id).unwrap();
            assert!(
                deleted.actions.is_empty(),
                "{backend:?}: {viewer} has actions on a deleted message: {:?}",
                deleted.actions
            );
        }

        // Presence: the teacher sees the student's status change.
        choose(
            student,
            "status-select",
            Locator::Css("option[value='busy']"),
        )
        .await;
        let deadline = Instant::now() + CHAT_TIMEOUT;
        loop {
            let online = read_online(teacher).await;
            let student_line = online.iter().find(|line| line.starts_with(STUDENT));
            if student_line
                .is_some_and(|line| line.contains("Busy") && line.contains("in Open space"))
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{backend:?}: teacher's online list never showed the student as busy: {online:?}"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }

        screenshot_frame(teacher, backend, "chat-teacher").await;
        screenshot_frame(student, backend, "chat-student").await;
        teacher_browser.close().await;
        student_browser.close().await;
    }
}

#[tokio::test]
async fn room_and_stance_survive_reload() {
    let Some(binaries) = find_browser_binaries("room_and_stance_survive_reload") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let browser = open_chat(&driver, &binaries, &app, STUDENT, "learner").await;
        let client = &browser.client;
        let space_id: i64 = run_script(
            client,
            "return Number(document.querySelector('.space').dataset.spaceId);",
        )
        .await
        .as_i64()
        .expect("space id");
        let members = app
            .state
            .store
            .recent_members(space_id, 0, 10)
            .await
            .expect("members of the space");
        let room = app
            .state
            .store
            .create_room(
                &NewRoom {
                    space_id,
                    kind: "discussion".into(),
                    name: "Pricing debate".into(),
                    topic: Some("Should the club raise its fee?".into()),
                    positions: Some("Raise\nKeep".into()),
                    created_by: members[0].user_id,
                },
                cowork::unix_now(),
            )
            .await
            .expect("create discussion room");

        // A reload shows the new room; choosing it puts it in the address.
        run_script(client, "location.reload(); return null;").await;
        wait_for_space(client, true).await;
        wait_until_connected(client, STUDENT).await;
        click(client, &format!("#room-list a[data-room-id='{}']", room.id)).await;
        wait_for_condition(
            client,
            STUDENT,
            "document.getElementById('room-title').textContent === 'Pricing debate'",
        )
        .await;
        let hash = run_script(client, "return location.hash;").await;
        assert_eq!(hash, json!(format!("#room-{}", room.id)), "{backend:?}");
        let topic = run_script(
            client,
            "return document.getElementById('room-topic').textContent;",
        )
        .await;
        assert_eq!(
            topic,
            json!("Should the club raise its fee?"),
            "{backend:?}"
        );
        assert!(
            is_shown(client, "stance-field").await,
            "{backend:?}: no position select in a discussion"
        );
        let positions = run_script(
            client,
            "return Array.from(document.querySelectorAll('#composer-stance option')).map((o) => o.value);",
        )
        .await;
        assert_eq!(positions, json!(["", "Raise", "Keep"]), "{backend:?}");

        choose(
            client,
            "composer-stance",
            Locator::Css("option[value='Raise']"),
        )
        .await;
        let argument = "Costs went up, so the fee should too";
        type_and_press_enter(client, argument).await;
        wait_for_messages(client, STUDENT, "the message with its position", |m| {
            find_by_body(m, argument).is_some_and(|m| m.head.contains("Position: Raise"))
        })
        .await;

        // After a reload the page returns to the discussion, with its messages.
        run_script(client, "location.reload(); return null;").await;
        wait_for_space(client, true).await;
        wait_until_connected(client, STUDENT).await;
        wait_for_messages(client, STUDENT, "the discussion after the reload", |m| {
            find_by_body(m, argument).is_some_and(|m| m.head.contains("Position: Raise"))
        })
        .await;
        let title = run_script(
            client,
            "return document.getElementById('room-title').textContent;",
        )
        .await;
        assert_eq!(title, json!("Pricing debate"), "{backend:?}");
        let current = run_script(
            client,
            "return document.querySelector('#room-list [aria-current=page]').dataset.roomId;",
        )
        .await;
        assert_eq!(current, json!(room.id.to_string()), "{backend:?}");
        screenshot_frame(client, backend, "chat-discussion").await;

        // Back in the open space, the discussion's message is gone from the log.
        click(client, "#room-list a.room-link").await;
        wait_for_condition(
            client,
            STUDENT,
            "document.getElementById('room-title').textContent === 'Open space'",
        )
        .await;
        assert!(
            !is_shown(client, "stance-field").await,
            "{backend:?}: position select shown in the open space"
        );
        let messages = read_messages(client).await;
        assert!(
            find_by_body(&messages, argument).is_none(),
            "{backend:?}: open space shows {messages:?}"
        );
        browser.close().await;
    }
}

#[tokio::test]
async fn reconnect_resumes_missed_messages() {
    let Some(binaries) = find_browser_binaries("reconnect_resumes_missed_messages") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let browser = open_chat(&driver, &binaries, &app, STUDENT, "learner").await;
        let client = &browser.client;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let (mut teacher_socket, hello) = app.socket(&teacher).await;
        let room = open_room(&hello);
        teacher_socket
            .send(json!({"type": "join", "room_id": room}))
            .await;
        teacher_socket.next_of("history").await;

        let before = "Before the break";
        type_and_press_enter(client, before).await;
        wait_for_messages(client, STUDENT, "their message", |m| {
            find_by_body(m, before).is_some()
        })
        .await;

        // Record the page's sockets, what it sends and every connection status it shows.
        run_script(
            client,
            r#"
            window.testSockets = new Set();
            window.testSent = [];
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
                window.testSockets.add(this);
                window.testSent.push(JSON.parse(data));
                return send.call(this, data);
            };
            const status = document.getElementById("connection-status");
            window.testStatuses = [status.textContent];
            new MutationObserver(() => window.testStatuses.push(status.textContent))
                .observe(status, { childList: true, characterData: true, subtree: true });
            return null;
            "#,
        )
        .await;
        // Changing the status sends a message, so the current socket is recorded.
        choose(
            client,
            "status-select",
            Locator::Css("option[value='busy']"),
        )
        .await;
        wait_for_condition(client, STUDENT, "window.testSockets.size === 1").await;
        run_script(
            client,
            "window.testSockets.forEach((socket) => socket.close()); return null;",
        )
        .await;

        // The first retry waits a second, so this message arrives while the page is away.
        let missed = "Posted while you were away";
        teacher_socket
            .send(json!({"type": "send", "room_id": room, "body": missed}))
            .await;
        teacher_socket.next_of("ack").await;

        wait_for_messages(client, STUDENT, "the missed message", |m| {
            find_by_body(m, missed).is_some_and(|m| m.author == TEACHER)
        })
        .await;
        wait_until_connected(client, STUDENT).await;
        let statuses = run_script(client, "return window.testStatuses;").await;
        assert!(
            statuses
                .as_array()
                .unwrap()
                .contains(&json!("Reconnecting…")),
            "{backend:?}: statuses shown {statuses}"
        );
        let sent = run_script(client, "return window.testSent;").await;
        let rejoin = sent
            .as_array()
            .unwrap()
            .iter()
            .find(|message| message["type"] == "join")
            .unwrap_or_else(|| panic!("{backend:?}: no join after reconnecting: {sent}"));
        assert_eq!(rejoin["room_id"], json!(room), "{backend:?}");
        assert!(
            rejoin["since_rev"].as_i64().is_some_and(|rev| rev > 0),
            "{backend:?}: join without since_rev: {rejoin}"
        );
        // The first message sent is the status change that exposed the old socket.
        assert!(
            sent.as_array().unwrap()[1..].contains(&json!({"type": "status", "status": "busy"})),
            "{backend:?}: chosen status not restored: {sent}"
        );
        let messages = read_messages(client).await;
        let bodies: Vec<&str> = messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, vec![before, missed], "{backend:?}: no duplicates");
        teacher_socket.close().await;
        browser.close().await;
    }
}

#[tokio::test]
async fn chat_fits_phone_width() {
    let Some(binaries) = find_browser_binaries("chat_fits_phone_width") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let browser = driver.open_browser(&binaries.chromium).await;
        let client = &browser.client;
        let platform_window = client.window().await.expect("platform window handle");
        launch_from_platform(client, &app, STUDENT, "learner", Target::Window).await;
        let space_window = wait_for_new_window(client, &platform_window).await;
        client
            .switch_to_window(space_window)
            .await
            .expect("switch to the space window");
        client
            .set_window_size(390, 844)
            .await
            .expect("set phone window size");
        wait_for_space(client, false).await;
        wait_until_connected(client, STUDENT).await;
        let long_word = "Antidisestablishmentarianism".repeat(4);
        type_and_press_enter(client, &format!("A long word: {long_word}")).await;
        wait_for_messages(client, STUDENT, "the long message", |m| m.len() == 1).await;

        let layout = run_script(
            client,
            r#"
            const left = (selector) => document.querySelector(selector).getBoundingClientRect().left;
            return {
                width: window.innerWidth,
                scrollWidth: document.documentElement.scrollWidth,
                roomsLeft: left(".rooms"),
                mainLeft: left(".space-main"),
                peopleLeft: left(".people"),
            };
            "#,
        )
        .await;
        let width = layout["width"].as_f64().unwrap();
        assert!(
            width < 768.0,
            "{backend:?}: the window is not phone-sized: {layout}"
        );
        assert!(
            layout["scrollWidth"].as_f64().unwrap() <= width,
            "{backend:?}: the page scrolls sideways: {layout}"
        );
        assert_eq!(
            layout["roomsLeft"], layout["mainLeft"],
            "{backend:?}: one column: {layout}"
        );
        assert_eq!(
            layout["peopleLeft"], layout["mainLeft"],
            "{backend:?}: one column: {layout}"
        );
        run_script(
            client,
            "document.activeElement.blur(); window.scrollTo(0, 0); return null;",
        )
        .await;
        let png = client.screenshot().await.expect("phone screenshot");
        let path = save_screenshot(backend, "chat-phone", &png);
        println!("{backend:?}: screenshot saved to {}", path.display());
        run_script(
            client,
            "document.getElementById('composer').scrollIntoView({ block: 'end' }); return null;",
        )
        .await;
        let png = client.screenshot().await.expect("phone screenshot");
        let path = save_screenshot(backend, "chat-phone-composer", &png);
        println!("{backend:?}: screenshot saved to {}", path.display());
        browser.close().await;
    }
}

#[tokio::test]
async fn older_messages_load_on_request() {
    let Some(binaries) = find_browser_binaries("older_messages_load_on_request") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;

    for backend in backends() {
        let app = spawn(backend).await;
        let writer = app.launch(choice("demo-student-2", "learner")).await;
        let (mut socket, hello) = app.socket(&writer).await;
        let room = open_room(&hello);
        socket.send(json!({"type": "join", "room_id": room})).await;
        socket.next_of("history").await;
        // One more than the server's first page of 50.
        let count = 60;
        for index in 0..count {
            socket
                .send(json!({"type": "send", "room_id": room, "body": format!("note {index}")}))
                .await;
            socket.next_of("ack").await;
        }
        socket.close().await;

        let browser = open_chat(&driver, &binaries, &app, STUDENT, "learner").await;
        let client = &browser.client;
        let first_page =
            wait_for_messages(client, STUDENT, "the latest 50 notes", |m| m.len() == 50).await;
        assert_eq!(first_page[0].body, "note 10", "{backend:?}");
        assert_eq!(first_page[49].body, "note 59", "{backend:?}");
        assert!(
            is_shown(client, "load-older").await,
            "{backend:?}: no Load older messages button"
        );

        // The button works from the keyboard.
        let enter: char = Key::Enter.into();
        client
            .find(Locator::Id("load-older"))
            .await
            .expect("Load older messages button")
            .send_keys(&enter.to_string())
            .await
            .expect("press Enter on Load older messages");
        let all = wait_for_messages(client, STUDENT, "all 60 notes", |m| m.len() == count).await;
        let bodies: Vec<String> = all.iter().map(|m| m.body.clone()).collect();
        let expected: Vec<String> = (0..count).map(|index| format!("note {index}")).collect();
        assert_eq!(bodies, expected, "{backend:?}: oldest first, none twice");
        assert!(
            !is_shown(client, "load-older").await,
            "{backend:?}: button still shown with nothing older"
        );
        let focused = run_script(client, "return document.activeElement.id;").await;
        assert_eq!(
            focused,
            json!("message-log"),
            "{backend:?}: focus moves to the log when the button goes"
        );
        browser.close().await;
    }
}

#[tokio::test]
async fn students_chat_in_russian() {
    let Some(binaries) = find_browser_binaries("students_chat_in_russian") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;
    const SECOND: &str = "Boris Ivanov";

    for backend in backends() {
        let app = spawn(backend).await;
        let anna_browser = open_chat_in_russian(&driver, &binaries, &app, STUDENT).await;
        let boris_browser = open_chat_in_russian(&driver, &binaries, &app, SECOND).await;
        let anna = &anna_browser.client;
        let boris = &boris_browser.client;

        let page = run_script(
            anna,
            "return [document.documentElement.lang, \
             document.getElementById('composer-send').textContent];",
        )
        .await;
        assert_eq!(page, json!(["ru", "Отправить"]), "{backend:?}");

        // Both see each other online with Russian status and room names.
        let available = ["На месте", "комната «Открытое пространство»"];
        wait_for_online_line(anna, STUDENT, SECOND, &available).await;
        wait_for_online_line(boris, SECOND, STUDENT, &available).await;

        let question = "Привет! Кто уже разобрался со сводными таблицами?";
        type_and_press_enter(anna, question).await;
        let seen = wait_for_messages(boris, SECOND, "Anna's question", |m| {
            find_by_body(m, question).is_some_and(|m| m.author == STUDENT)
        })
        .await;
        let question_id = find_by_body(&seen, question).unwrap().id;

        click(
            boris,
            &message_control(question_id, "[data-action='reply']"),
        )
        .await;
        let context = run_script(
            boris,
            "return document.getElementById('composer-context-text').textContent;",
        )
        .await;
        assert_eq!(context, json!(format!("Ответ {STUDENT}")), "{backend:?}");
        let answer = "Да, давай разберём вместе: начни со «Вставка → Сводная таблица».";
        type_and_press_enter(boris, answer).await;

        let mut orders = Vec::new();
        for (client, viewer) in [(anna, STUDENT), (boris, SECOND)] {
            let messages = wait_for_messages(client, viewer, "Boris's answer", |m| {
                find_by_body(m, answer).is_some()
            })
            .await;
            let found = find_by_body(&messages, answer).unwrap();
            assert_eq!(found.author, SECOND, "{backend:?}: {viewer}");
            assert_eq!(found.parent_id, Some(question_id), "{backend:?}: {viewer}");
            orders.push(messages.iter().map(|m| m.body.clone()).collect::<Vec<_>>());
        }
        assert_eq!(orders[0], vec![question, answer], "{backend:?}");
        assert_eq!(orders[0], orders[1], "{backend:?}: both see the same order");

        choose(boris, "status-select", Locator::Css("option[value='dnd']")).await;
        wait_for_online_line(anna, STUDENT, SECOND, &["Не беспокоить"]).await;

        screenshot_frame(anna, backend, "chat-student-ru").await;
        anna_browser.close().await;
        boris_browser.close().await;
    }
}

/// A few seconds after the recorded resource-link tokens were issued (their `iat` values
/// run from 1796398717 to 1796398729, and each expires 60 seconds after it).
const RECORDING_TIME: i64 = 1_796_398_730;

/// Posts a recorded launch from the browser as Moodle's auto-submitting form does, and
/// waits for the space page at the top level (the recorded document target is a window).
async fn open_recorded_launch(
    driver: &ChromeDriver,
    binaries: &BrowserBinaries,
    app: &TestApp,
    launch: &RecordedLaunch,
) -> Browser {
    let browser = driver.open_browser(&binaries.chromium).await;
    let client = &browser.client;
    // The launch form comes from the platform's authorization page, so the browser
    // names that page's origin when it posts.
    let auth_page = serve_recorded_auth_page(app).await;
    client.goto(&auth_page).await.expect("authorization page");
    let script = r#"
        const [action, idToken, state] = arguments;
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        for (const [name, value] of [["id_token", idToken], ["state", state]]) {
            const input = document.createElement("input");
            input.type = "hidden";
            input.name = name;
            input.value = value;
            form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
    "#;
    let arguments = vec![
        json!(format!("{}/lti/launch", app.tool_url)),
        json!(launch.id_token),
        json!(launch.state),
    ];
    client
        .execute(script, arguments)
        .await
        .expect("post the recorded launch");
    wait_for_space(client, false).await;
    wait_until_connected(client, &launch.name).await;
    browser
}

#[tokio::test]
async fn recorded_moodle_launches_chat() {
    let Some(binaries) = find_browser_binaries("recorded_moodle_launches_chat") else {
        return;
    };
    let driver = ChromeDriver::start(&binaries.chromedriver).await;
    let fixtures = [
        "id_token-resource-link-teacher.json",
        "id_token-resource-link-student.json",
        "id_token-resource-link-student2.json",
    ];

    for backend in backends() {
        let (app, launches) = spawn_recorded_moodle(backend, &fixtures, RECORDING_TIME).await;
        let mut browsers = Vec::new();
        for launch in &launches {
            browsers.push(open_recorded_launch(&driver, &binaries, &app, launch).await);
        }
        let names: Vec<&str> = launches.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["Tara Teachwell", "Sam Studentson", "Alex Learnwright"]
        );
        let (teacher, student, classmate) = (
            &browsers[0].client,
            &browsers[1].client,
            &browsers[2].client,
        );

        let heading = run_script(
            teacher,
            "return document.querySelector('.space-header').textContent;",
        )
        .await;
        assert!(
            heading
                .as_str()
                .is_some_and(|h| h.contains("LTI Capture Course")),
            "{backend:?}: {heading}"
        );

        let welcome = "Welcome to LTI101, please introduce yourselves";
        type_and_press_enter(teacher, welcome).await;
        for (client, viewer) in [(student, names[1]), (classmate, names[2])] {
            wait_for_messages(client, viewer, "the teacher's welcome", |m| {
                find_by_body(m, welcome).is_some_and(|m| m.author == names[0])
            })
            .await;
        }
        let hello = "Hi, I am Sam and I study logistics";
        type_and_press_enter(student, hello).await;
        for (client, viewer) in [(teacher, names[0]), (classmate, names[2])] {
            let seen = wait_for_messages(client, viewer, "Sam's introduction", |m| {
                find_by_body(m, hello).is_some_and(|m| m.author == names[1])
            })
            .await;
            let bodies: Vec<&str> = seen.iter().map(|m| m.body.as_str()).collect();
            assert_eq!(bodies, [welcome, hello], "{backend:?}: {viewer}");
        }
        for name in &names[1..] {
            wait_for_online_line(teacher, names[0], name, &["Available"]).await;
        }

        for browser in browsers {
            browser.close().await;
        }
    }
}
