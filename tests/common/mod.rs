//! Test harness: a cowork server and a demo platform on port 0, over real HTTP, on
//! SQLite (always) and PostgreSQL (when `COWORK_TEST_DATABASE_URL` is set).

#![allow(dead_code)]

pub mod browser;
pub mod moodle;
pub mod process;

use std::str::FromStr;
use std::sync::Arc;

use cowork::app::{self, AppState};
use cowork::config::Config;
use cowork::demo::{self, DemoPlatform, LaunchChoice};
use cowork::store::{self, DynStore, PostgresStore};
use reqwest::redirect::Policy;
use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Environment variable naming the PostgreSQL database that tests may use.
pub const POSTGRES_ENV: &str = "COWORK_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to run a storyline on: SQLite, plus PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if std::env::var(POSTGRES_ENV).is_ok_and(|url| !url.is_empty()) {
        list.push(Backend::Postgres);
    }
    list
}

/// A running tool and demo platform, stopped when dropped.
pub struct TestApp {
    pub backend: Backend,
    pub tool_url: String,
    pub platform_url: String,
    /// Base URL of the metrics listener, when the configuration set `metrics_bind`.
    pub metrics_url: Option<String>,
    pub platform: Arc<DemoPlatform>,
    pub state: AppState,
    /// Faults injected in front of the demo platform (token endpoint and gradebook).
    pub faults: Arc<moodle::Faults>,
    /// A client that does not follow redirects, so each step can be checked.
    pub http: reqwest::Client,
    stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
    /// The PostgreSQL schema of this test, dropped with the app.
    _schema: Option<SchemaGuard>,
}

impl TestApp {
    /// Returns the SQLite database file of this app.
    pub fn database_path(&self) -> std::path::PathBuf {
        self._dir.path().join("cowork.db")
    }

    /// Returns the PostgreSQL schema of this app; `None` on SQLite.
    pub fn schema(&self) -> Option<&str> {
        self._schema.as_ref().map(SchemaGuard::schema)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Drops a test's PostgreSQL schema when dropped, so test runs leave nothing behind.
pub struct SchemaGuard {
    url: String,
    schema: String,
}

impl SchemaGuard {
    /// Returns the schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // A fresh runtime on its own thread, because Drop may run inside the test's runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let pool = sqlx::PgPool::connect(&url)
                    .await
                    .map_err(std::io::Error::other)?;
                // The test's runtime is blocked while this runs, so a query it left
                // waiting on a lock would hold up the drop for ever.
                sqlx::raw_sql(&format!(
                    "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                ))
                .execute(&pool)
                .await
                .map_err(std::io::Error::other)?;
                pool.close().await;
                Ok::<_, std::io::Error>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}: {dropped:?}", self.schema);
        }
    }
}

/// Opens a fresh SQLite database in `dir`. A PostgreSQL schema lives only as long as its
/// guard, so PostgreSQL callers use [`fresh_store_with_guard`] and keep the guard.
pub async fn fresh_store(backend: Backend, dir: &std::path::Path) -> DynStore {
    assert_eq!(
        backend,
        Backend::Sqlite,
        "use fresh_store_with_guard for PostgreSQL"
    );
    fresh_store_with_guard(backend, dir).await.0
}

/// Like [`fresh_store`], also returning the guard that drops the PostgreSQL schema.
pub async fn fresh_store_with_guard(
    backend: Backend,
    dir: &std::path::Path,
) -> (DynStore, Option<SchemaGuard>) {
    match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", dir.join("cowork.db").display());
            let store = store::connect(&url)
                .await
                .expect("open SQLite test database");
            (store, None)
        }
        Backend::Postgres => {
            let url = std::env::var(POSTGRES_ENV).expect("PostgreSQL URL");
            let schema = format!(
                "test_{}",
                cowork::random_token(9).to_lowercase().replace('-', "_")
            );
            let admin = sqlx::PgPool::connect(&url)
                .await
                .expect("connect to test PostgreSQL");
            sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
                .execute(&admin)
                .await
                .expect("create test schema");
            admin.close().await;
            let options = PgConnectOptions::from_str(&url)
                .expect("PostgreSQL URL")
                .options([("search_path", schema.as_str())]);
            let store: DynStore = Arc::new(
                PostgresStore::connect_with(options)
                    .await
                    .expect("open test schema"),
            );
            (store, Some(SchemaGuard { url, schema }))
        }
    }
}

/// Starts cowork and a demo platform registered with it.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Starts cowork with `adjust` applied to its configuration.
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_custom(backend, adjust, |_| {}).await
}

/// Starts cowork with `adjust` applied to its configuration and `adjust_state` to its
/// state before it serves.
pub async fn spawn_custom(
    backend: Backend,
    adjust: impl FnOnce(&mut Config),
    adjust_state: impl FnOnce(&mut AppState),
) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tool_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tool_url = format!("http://{}", tool_listener.local_addr().unwrap());
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());

    let mut config = Config {
        bind: tool_listener.local_addr().unwrap(),
        public_url: tool_url.parse().unwrap(),
        // Test platforms listen on 127.0.0.1.
        allow_private_addresses: true,
        ..Config::default()
    };
    adjust(&mut config);
    let metrics_listener = app::bind_metrics(&config).await.unwrap();
    let metrics_url = metrics_listener
        .as_ref()
        .map(|listener| format!("http://{}", listener.local_addr().unwrap()));

    let (store, schema) = fresh_store_with_guard(backend, dir.path()).await;
    let platform = Arc::new(DemoPlatform::new(platform_url.clone(), tool_url.clone()));
    store
        .upsert_platform(&platform.registration(), cowork::unix_now())
        .await
        .unwrap();
    let mut state = AppState::new(config, store).await.unwrap();
    adjust_state(&mut state);

    let (stop, stop_rx) = watch::channel(false);
    let mut tool_stop = stop_rx.clone();
    tokio::spawn(app::serve_with_metrics(
        tool_listener,
        metrics_listener,
        state.clone(),
        async move {
            let _ = tool_stop.changed().await;
        },
    ));
    let mut platform_stop = stop_rx;
    let faults = Arc::new(moodle::Faults::default());
    let router = moodle::with_faults(demo::router(platform.clone()), faults.clone());
    tokio::spawn(async move {
        axum::serve(platform_listener, router)
            .with_graceful_shutdown(async move {
                let _ = platform_stop.changed().await;
            })
            .await
    });

    TestApp {
        backend,
        tool_url,
        platform_url,
        metrics_url,
        platform,
        state,
        faults,
        http: reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap(),
        stop,
        _dir: dir,
        _schema: schema,
    }
}

impl TestApp {
    /// Starts another demo platform on 127.0.0.1, with its own issuer and signing key,
    /// registers it with cowork and returns it. It stops with the app.
    pub async fn add_platform(&self) -> Arc<DemoPlatform> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let platform = Arc::new(DemoPlatform::new(issuer, self.tool_url.clone()));
        self.state
            .store
            .upsert_platform(&platform.registration(), cowork::unix_now())
            .await
            .unwrap();
        let router = demo::router(platform.clone());
        let mut stop = self.stop.subscribe();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await
        });
        platform
    }
}

/// A login that cowork accepted: where it redirected, and the state and nonce it issued.
pub struct Login {
    pub location: reqwest::Url,
    pub state: String,
    pub nonce: String,
}

/// The result of a complete launch: the space URL (with its `lt` token) and the cookie.
pub struct Launched {
    pub space_url: String,
    pub space_id: i64,
    pub cookie: String,
}

pub fn choice(user_id: &str, role: &str) -> LaunchChoice {
    LaunchChoice {
        course_id: "course-bc101".into(),
        user_id: user_id.into(),
        role: role.into(),
        locale: "en".into(),
        document_target: "iframe".into(),
        ..LaunchChoice::default()
    }
}

/// Extracts the hidden inputs of an auto-submitting form.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for part in html.split("<input type=\"hidden\" ").skip(1) {
        let attribute = |name: &str| {
            let start = part.find(&format!("{name}=\""))? + name.len() + 2;
            let end = start + part[start..].find('"')?;
            Some(unescape(&part[start..end]))
        };
        if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
            fields.push((name, value));
        }
    }
    fields
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("form has no field {name}"))
}

impl TestApp {
    /// Posts a login initiation for `choice` and returns the accepted login.
    pub async fn login(&self, choice: LaunchChoice) -> Login {
        self.login_from(&self.platform, choice).await
    }

    /// Posts a login initiation of `platform` for `choice` and returns the accepted login.
    pub async fn login_from(&self, platform: &DemoPlatform, choice: LaunchChoice) -> Login {
        let params = platform.login_initiation(choice);
        let response = self
            .http
            .post(format!("{}/lti/login", self.tool_url))
            .form(&params)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            302,
            "login must redirect to the platform"
        );
        let location: reqwest::Url = response.headers()["location"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let query = |name: &str| {
            location
                .query_pairs()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_else(|| panic!("auth redirect has no {name}"))
        };
        Login {
            state: query("state"),
            nonce: query("nonce"),
            location,
        }
    }

    /// Follows a login to the platform's auth endpoint and returns the id_token and state
    /// the platform would form-post back.
    pub async fn authorize(&self, login: &Login) -> (String, String) {
        let response = self.http.get(login.location.clone()).send().await.unwrap();
        assert_eq!(response.status(), 200, "platform auth endpoint");
        let fields = hidden_fields(&response.text().await.unwrap());
        (
            field(&fields, "id_token").to_string(),
            field(&fields, "state").to_string(),
        )
    }

    /// Posts a launch form to cowork.
    pub async fn post_launch(&self, id_token: &str, state: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/lti/launch", self.tool_url))
            .header("accept", "application/json")
            .form(&[("id_token", id_token), ("state", state)])
            .send()
            .await
            .unwrap()
    }

    /// Runs a whole launch: login, platform authorization, launch post.
    pub async fn launch(&self, choice: LaunchChoice) -> Launched {
        self.launch_from(&self.platform, choice).await
    }

    /// Runs a whole launch from `platform`, which may be one that [`TestApp::add_platform`]
    /// started.
    pub async fn launch_from(&self, platform: &DemoPlatform, choice: LaunchChoice) -> Launched {
        let login = self.login_from(platform, choice).await;
        let (id_token, state) = self.authorize(&login).await;
        let response = self.post_launch(&id_token, &state).await;
        self.launched(response)
    }

    /// Reads the space and cookie out of an accepted launch's redirect.
    pub fn launched(&self, response: reqwest::Response) -> Launched {
        assert_eq!(response.status(), 303, "launch must redirect to the space");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        let space_id = location
            .trim_start_matches("/spaces/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Launched {
            space_url: format!("{}{}", self.tool_url, location),
            space_id,
            cookie,
        }
    }

    /// Standard resource link claims for `choice`, signed by the demo platform, with
    /// `edit` applied first.
    pub fn signed_claims(
        &self,
        choice: &LaunchChoice,
        nonce: &str,
        edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
    ) -> String {
        let mut claims = self
            .platform
            .launch_claims(choice, nonce, cowork::unix_now());
        edit(&mut claims);
        self.platform.sign(&serde_json::Value::Object(claims))
    }
}

impl TestApp {
    /// Posts a JSON body to a path under the launched person's space with their session
    /// token, asserts success and returns the JSON reply.
    pub async fn post_space_json(
        &self,
        launched: &Launched,
        path: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let response = self
            .http
            .post(format!(
                "{}/spaces/{}{path}",
                self.tool_url, launched.space_id
            ))
            .header("x-cowork-token", token_of(launched))
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "POST {path}: {response:?}");
        response.json().await.unwrap()
    }
}

/// A WebSocket client of a space, with helpers to wait for typed server messages.
pub struct Socket {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// Server messages received while waiting for another type.
    pending: std::collections::VecDeque<serde_json::Value>,
}

/// The `lt` session token of a launch.
pub fn token_of(launched: &Launched) -> String {
    launched.space_url.split("lt=").nth(1).unwrap().to_string()
}

impl TestApp {
    /// Asks for a WebSocket connection token for a launch's space, as its page does.
    pub async fn socket_token(&self, launched: &Launched) -> String {
        let response = self
            .http
            .post(format!(
                "{}/spaces/{}/socket-token",
                self.tool_url, launched.space_id
            ))
            .header("x-cowork-token", token_of(launched))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "socket token");
        let reply: serde_json::Value = response.json().await.unwrap();
        reply["token"].as_str().expect("token in reply").to_string()
    }

    /// Returns the WebSocket URL of a launch's space, with a fresh connection token.
    pub async fn socket_url(&self, launched: &Launched) -> String {
        let token = self.socket_token(launched).await;
        self.socket_url_with(launched.space_id, &token)
    }

    /// Returns the WebSocket URL of `space_id` with the connection token `token`.
    pub fn socket_url_with(&self, space_id: i64, token: &str) -> String {
        format!(
            "{}/spaces/{space_id}/ws?socket_token={token}",
            self.tool_url.replace("http://", "ws://"),
        )
    }

    /// Opens the space WebSocket as a page of cowork would, and reads the hello.
    pub async fn socket(&self, launched: &Launched) -> (Socket, serde_json::Value) {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;

        let mut request = self
            .socket_url(launched)
            .await
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", self.tool_url.parse().unwrap());
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connects");
        let mut socket = Socket {
            stream,
            pending: Default::default(),
        };
        let hello = socket.next_of("hello").await;
        (socket, hello)
    }
}

impl Socket {
    pub async fn send(&mut self, message: serde_json::Value) {
        use futures_util::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(
                message.to_string().into(),
            ))
            .await
            .expect("WebSocket send");
    }

    /// The next server message of `kind`, waiting at most five seconds.
    pub async fn next_of(&mut self, kind: &str) -> serde_json::Value {
        if let Some(index) = self.pending.iter().position(|m| m["type"] == kind) {
            return self.pending.remove(index).unwrap();
        }
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let message = tokio::time::timeout_at(deadline, self.read())
                .await
                .unwrap_or_else(|_| {
                    panic!("no {kind:?} message within 5 s; queued: {:?}", self.pending)
                });
            if message["type"] == kind {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// Whether a message of `kind` arrives within `millis`.
    pub async fn receives_within(&mut self, kind: &str, millis: u64) -> bool {
        if self.pending.iter().any(|m| m["type"] == kind) {
            return true;
        }
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(millis);
        while let Ok(message) = tokio::time::timeout_at(deadline, self.read()).await {
            let found = message["type"] == kind;
            self.pending.push_back(message);
            if found {
                return true;
            }
        }
        false
    }

    async fn read(&mut self) -> serde_json::Value {
        use futures_util::StreamExt;
        loop {
            match self.stream.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                    return serde_json::from_str(&text).expect("server sends JSON");
                }
                Some(Ok(_)) => continue,
                other => panic!("WebSocket closed: {other:?}"),
            }
        }
    }

    /// Joins a room and waits for its history.
    pub async fn join(&mut self, room_id: i64) {
        self.send(serde_json::json!({"type": "join", "room_id": room_id}))
            .await;
        self.next_of("history").await;
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// The id of a space's open space room, from a hello message.
pub fn open_room(hello: &serde_json::Value) -> i64 {
    hello["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|room| room["default_key"] == "open")
        .expect("every space has an open space")["id"]
        .as_i64()
        .unwrap()
}

/// Boundary of the bodies that [`showcase_form`] builds.
pub const FORM_BOUNDARY: &str = "cowork-test-boundary";

/// Builds a `multipart/form-data` body that publishes a showcase item titled `title`
/// with a small PDF padded by `padding` bytes.
pub fn showcase_form(title: &str, padding: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("title", title), ("description", "Draft")] {
        let part = format!(
            "--{FORM_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        );
        body.extend_from_slice(part.as_bytes());
    }
    body.extend_from_slice(
        format!(
            "--{FORM_BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"map.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(b"%PDF-1.4\n");
    body.extend_from_slice(&vec![b'%'; padding]);
    body.extend_from_slice(b"\n%%EOF\n\r\n");
    body.extend_from_slice(format!("--{FORM_BOUNDARY}--\r\n").as_bytes());
    body
}
