//! Headless Chromium driven through chromedriver, and the demo platform steps that
//! launch cowork in it, shared by the browser tests.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages. `CHROMIUM_BIN` and
//! `CHROMEDRIVER_BIN` override their paths, and `COWORK_SKIP_BROWSER_TESTS=1` skips the
//! tests. Screenshots go to `target/browser-screenshots/`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::{Backend, TestApp};
const SKIP_ENV: &str = "COWORK_SKIP_BROWSER_TESTS";
const CHROMIUM_ENV: &str = "CHROMIUM_BIN";
const CHROMEDRIVER_ENV: &str = "CHROMEDRIVER_BIN";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Maximum number of requests to chromedriver's `/status` before giving up, one every
/// `POLL_INTERVAL`.
const STATUS_TRIES: u32 = 150;
/// Time a launch has to reach the space page, through every redirect and form post.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(30);
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Browser window size in CSS pixels, wide enough for the space page's three columns
/// inside the demo platform's iframe.
const WINDOW_WIDTH: u32 = 1280;
const WINDOW_HEIGHT: u32 = 1000;

pub const TOOL_FRAME: &str = "iframe[name='tool-frame']";
const COURSE_ID: &str = "course-bc101";

/// Paths of the browser and its driver.
pub struct BrowserBinaries {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Returns the browser binaries, or `None` when `COWORK_SKIP_BROWSER_TESTS=1` is set.
/// Panics when a binary is missing, so a machine without a browser fails loudly.
pub fn find_browser_binaries(test: &str) -> Option<BrowserBinaries> {
    if std::env::var(SKIP_ENV).is_ok_and(|value| value == "1") {
        println!("{test} skipped: {SKIP_ENV}=1 is set");
        return None;
    }
    let path_from = |variable: &str, default: &str| {
        std::env::var_os(variable)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(default))
    };
    let binaries = BrowserBinaries {
        chromium: path_from(CHROMIUM_ENV, DEFAULT_CHROMIUM),
        chromedriver: path_from(CHROMEDRIVER_ENV, DEFAULT_CHROMEDRIVER),
    };
    for (path, variable) in [
        (&binaries.chromium, CHROMIUM_ENV),
        (&binaries.chromedriver, CHROMEDRIVER_ENV),
    ] {
        assert!(
            path.is_file(),
            "{} not found: install Debian's chromium and chromium-driver packages \
             (apt-get install chromium chromium-driver), set {variable} to the binary, \
             or set {SKIP_ENV}=1 to skip the browser tests",
            path.display()
        );
    }
    Some(binaries)
}

/// Returns a port on 127.0.0.1 that was free a moment ago.
fn find_free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A chromedriver child process on 127.0.0.1, killed with its browsers when dropped.
pub struct ChromeDriver {
    child: Child,
    url: String,
    /// Folder of `chromedriver.log`, which receives its stdout and stderr.
    log_dir: tempfile::TempDir,
}

impl ChromeDriver {
    /// Starts chromedriver on a free port and waits until its `/status` reports ready.
    pub async fn start(binary: &Path) -> Self {
        let port = find_free_port();
        let log_dir = tempfile::tempdir().expect("temporary directory for the chromedriver log");
        let log = std::fs::File::create(log_dir.path().join("chromedriver.log"))
            .expect("create chromedriver log");
        let log_for_stderr = log.try_clone().expect("clone chromedriver log handle");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr)
            // Chromium keeps running when only chromedriver is killed, so chromedriver
            // gets a process group of its own, and Drop kills the whole group.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("failed to start {}: {error}", binary.display()));
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log_dir,
        };
        driver.wait_until_ready().await;
        driver
    }

    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("HTTP client");
        let status_url = format!("{}/status", self.url);
        let mut last_error = String::from("no response yet");
        for _ in 0..STATUS_TRIES {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "chromedriver exited with {exit} before it was ready. Its output:\n{}",
                    self.read_log()
                );
            }
            match http.get(&status_url).send().await {
                Ok(response) => match response.json::<Value>().await {
                    Ok(body) if body["value"]["ready"] == json!(true) => return,
                    Ok(body) => last_error = format!("not ready: {body}"),
                    Err(error) => last_error = format!("invalid JSON: {error}"),
                },
                Err(error) => last_error = error.to_string(),
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        panic!(
            "timed out waiting for chromedriver at {status_url}: not ready after \
             {STATUS_TRIES} tries ({last_error}). Its output:\n{}",
            self.read_log()
        );
    }

    fn read_log(&self) -> String {
        std::fs::read_to_string(self.log_dir.path().join("chromedriver.log"))
            .unwrap_or_else(|error| format!("(log unreadable: {error})"))
    }

    /// Opens a browser session with a fresh profile, so no cookie or storage carries over
    /// from another launch.
    pub async fn open_browser(&self, chromium: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("temporary Chromium profile");
        let options = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    // Chromium refuses to start as root with its sandbox on, and these
                    // tests may run as root.
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        // Both ring and aws-lc-rs are compiled in, so rustls cannot pick a crypto provider
        // by itself. An Err only means that another test installed one first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let Value::Object(capabilities) = options else {
            unreachable!("json! object literal")
        };
        let client = ClientBuilder::rustls()
            .expect("TLS setup for the WebDriver client")
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "failed to start {} through chromedriver: {error}. chromedriver output:\n{}",
                    chromium.display(),
                    self.read_log()
                )
            });
        client
            .set_window_size(WINDOW_WIDTH, WINDOW_HEIGHT)
            .await
            .expect("set browser window size");
        Browser {
            client,
            _profile: profile,
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !killed {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// One browser session and its profile directory.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Ends the session, which makes chromedriver quit the browser.
    pub async fn close(self) {
        self.client.close().await.expect("close browser session");
    }
}

/// Where the demo platform sends the launch: its own iframe or a new window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Iframe,
    Window,
}

impl Target {
    fn form_value(self) -> &'static str {
        match self {
            Target::Iframe => "iframe",
            Target::Window => "window",
        }
    }
}

/// Opens the demo platform page, chooses BC101, `person` (as shown in the list), `role`
/// and `target`, and clicks Launch.
pub async fn launch_from_platform(
    client: &Client,
    app: &TestApp,
    person: &str,
    role: &str,
    target: Target,
) {
    launch_from_platform_in(client, app, person, role, target, None).await;
}

/// Like [`launch_from_platform`], choosing the launch's `locale` ("en" or "ru") when given.
pub async fn launch_from_platform_in(
    client: &Client,
    app: &TestApp,
    person: &str,
    role: &str,
    target: Target,
    locale: Option<&str>,
) {
    client
        .goto(&format!("{}/", app.platform_url))
        .await
        .expect("open demo platform page");
    if let Some(locale) = locale {
        let option = format!("option[value='{locale}']");
        choose(client, "locale", Locator::Css(&option)).await;
    }
    choose(
        client,
        "course",
        Locator::Css(&format!("option[value='{COURSE_ID}']")),
    )
    .await;
    choose(
        client,
        "user",
        Locator::XPath(&format!(".//option[.='{person}']")),
    )
    .await;
    choose(
        client,
        "role",
        Locator::Css(&format!("option[value='{role}']")),
    )
    .await;
    choose(
        client,
        "target",
        Locator::Css(&format!("option[value='{}']", target.form_value())),
    )
    .await;

    let form_target = client
        .find(Locator::Id("launch-form"))
        .await
        .expect("launch form")
        .attr("target")
        .await
        .expect("launch form target");
    let expected_target = match target {
        Target::Iframe => "tool-frame",
        Target::Window => "_blank",
    };
    assert_eq!(
        form_target.as_deref(),
        Some(expected_target),
        "{:?}: launch form target after choosing {target:?}",
        app.backend
    );

    client
        .find(Locator::Id("launch"))
        .await
        .expect("Launch button")
        .click()
        .await
        .expect("click Launch");
}

/// Waits until the browser has a window other than `known`, and returns its handle.
pub async fn wait_for_new_window(client: &Client, known: &WindowHandle) -> WindowHandle {
    let deadline = Instant::now() + PAGE_TIMEOUT;
    loop {
        let windows = client.windows().await.expect("window handles");
        if let Some(window) = windows.into_iter().find(|window| window != known) {
            return window;
        }
        assert!(
            Instant::now() < deadline,
            "no new window after {PAGE_TIMEOUT:?}"
        );
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Clicks the option that `option` finds in the select element with id `select_id`.
pub async fn choose(client: &Client, select_id: &str, option: Locator<'_>) {
    let select = client
        .find(Locator::Id(select_id))
        .await
        .unwrap_or_else(|error| panic!("select #{select_id} not found: {error}"));
    select
        .select_by(option)
        .await
        .unwrap_or_else(|error| panic!("failed to choose an option in #{select_id}: {error}"));
}

/// What the space page shows, read from the rendered page.
#[derive(Debug)]
pub struct SpaceView {
    pub space_id: String,
    pub document_target: String,
    pub course_title: String,
    pub activity_title: String,
    pub user_name: String,
    pub role_label: String,
    pub role_class: String,
    pub people_heading: String,
    /// Name and role label of each person under "Recently here".
    pub members: Vec<(String, String)>,
    pub frame_notice_hidden: bool,
}

/// Waits until the current window, or the tool frame inside it when `in_frame` is set,
/// shows a space page, and reads it. Panics at once on a cowork error page.
pub async fn wait_for_space(client: &Client, in_frame: bool) -> SpaceView {
    let deadline = Instant::now() + PAGE_TIMEOUT;
    let mut last_error = String::from("none");
    loop {
        match read_space(client, in_frame).await {
            Ok(Some(view)) => return view,
            Ok(None) => {}
            Err(error) => last_error = error.to_string(),
        }
        if Instant::now() >= deadline {
            let text = read_body_text(client).await;
            panic!(
                "timed out after {PAGE_TIMEOUT:?} waiting for the space page \
                 (last WebDriver error: {last_error}). The page shows:\n{text}"
            );
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Reads the space page, or returns `None` while the launch is still on its way.
async fn read_space(client: &Client, in_frame: bool) -> Result<Option<SpaceView>, CmdError> {
    if in_frame {
        // The frame navigates several times during a launch, so each try starts again
        // from the top-level page.
        client.enter_frame(None).await?;
        client
            .find(Locator::Css(TOOL_FRAME))
            .await?
            .enter_frame()
            .await?;
    }
    if let Some(code) = client.find_all(Locator::Css(".notice-code")).await?.first() {
        let code = code.text().await?;
        let text = read_body_text(client).await;
        panic!("cowork showed an error page ({code}):\n{text}");
    }
    let Some(space) = client.find_all(Locator::Css(".space")).await?.pop() else {
        return Ok(None);
    };
    let mut members = Vec::new();
    for member in space.find_all(Locator::Css(".member")).await? {
        let name = member
            .find(Locator::Css(".member-name"))
            .await?
            .text()
            .await?;
        let role = member.find(Locator::Css(".role")).await?.text().await?;
        members.push((name, role));
    }
    let frame_notice = space.find(Locator::Id("frame-notice")).await?;
    let role = space.find(Locator::Css(".whoami .role")).await?;
    Ok(Some(SpaceView {
        space_id: space.attr("data-space-id").await?.unwrap_or_default(),
        document_target: space
            .attr("data-document-target")
            .await?
            .unwrap_or_default(),
        course_title: read_text(&space, ".course-title").await?,
        activity_title: read_text(&space, ".activity-title").await?,
        user_name: read_text(&space, ".whoami .user-name").await?,
        role_label: role.text().await?,
        role_class: role.attr("class").await?.unwrap_or_default(),
        people_heading: read_text(&space, "#people-heading").await?,
        members,
        frame_notice_hidden: frame_notice.attr("hidden").await?.is_some(),
    }))
}

async fn read_text(element: &Element, selector: &str) -> Result<String, CmdError> {
    element.find(Locator::Css(selector)).await?.text().await
}

/// Returns the visible text of the current document, for failure messages.
pub async fn read_body_text(client: &Client) -> String {
    match client.find(Locator::Css("body")).await {
        Ok(body) => body
            .text()
            .await
            .unwrap_or_else(|error| format!("(text unreadable: {error})")),
        Err(error) => format!("(no body: {error})"),
    }
}

/// Saves a PNG under `target/browser-screenshots/`, with the backend in the name unless
/// it is SQLite, and returns its path.
pub fn save_screenshot(backend: Backend, name: &str, png: &[u8]) -> PathBuf {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    std::fs::create_dir_all(&folder).expect("create target/browser-screenshots");
    let file = match backend {
        Backend::Sqlite => format!("{name}.png"),
        Backend::Postgres => format!("{name}-postgres.png"),
    };
    let path = folder.join(file);
    std::fs::write(&path, png).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    path
}

/// Waits until the current frame's text contains `text`, and returns that text.
pub async fn wait_for_page_text(client: &Client, text: &str) -> String {
    let started = Instant::now();
    loop {
        let body = match client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if body.contains(text) {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {text:?}; the page shows: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
