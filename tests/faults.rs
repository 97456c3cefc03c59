//! Faults caused for real against `cowork serve` processes. SIGTERM arrives while a
//! request is in flight and WebSocket clients are connected, and SIGKILL in the middle of
//! a stream of writes. The database stops responding and then returns: a PostgreSQL
//! connection path is cut, or another process locks the SQLite file.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::process::{
    free_port, launch_across, no_redirects, serve_platform, session_of, shared_database,
    socket_token, Instance, Session,
};
use common::{
    backends, choice, open_room, showcase_form, Backend, SchemaGuard, FORM_BOUNDARY, POSTGRES_ENV,
};
use cowork::demo::DemoPlatform;
use cowork::store::{self, DynStore};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// The database of one test's processes: a SQLite file or a PostgreSQL schema.
struct Database {
    store: DynStore,
    url: String,
    _guard: Option<SchemaGuard>,
}

/// A direct connection for checks in SQL that both backends run.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    async fn open(db: &Database) -> Self {
        if db.url.starts_with("sqlite:") {
            Raw::Sqlite(sqlx::SqlitePool::connect(&db.url).await.unwrap())
        } else {
            Raw::Postgres(sqlx::PgPool::connect(&db.url).await.unwrap())
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    async fn texts(&self, sql: &str) -> Vec<String> {
        match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }
}

async fn database(backend: Backend, dir: &Path) -> Database {
    match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", dir.join("cowork.db").display());
            let store = store::connect(&url).await.expect("open SQLite database");
            Database {
                store,
                url,
                _guard: None,
            }
        }
        Backend::Postgres => {
            let (store, guard, url) = shared_database(dir).await.expect("PostgreSQL configured");
            Database {
                store,
                url,
                _guard: Some(guard),
            }
        }
    }
}

/// A tool process with its platform, reachable at one public address.
struct Setup {
    instance: Instance,
    platform: Arc<DemoPlatform>,
    port: u16,
    http: reqwest::Client,
}

async fn start(db: &Database, database_url: &str, env: &[(&str, &str)]) -> Setup {
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let platform = serve_platform(&db.store, &public_url).await;
    let instance = Instance::start_with(database_url, &public_url, port, env).await;
    Setup {
        instance,
        platform,
        port,
        http: no_redirects(),
    }
}

impl Setup {
    async fn launch(&self, user: &str, role: &str) -> Session {
        let url = &self.instance.url;
        let response =
            launch_across(&self.http, &self.platform, url, url, choice(user, role)).await;
        session_of(&response)
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the space's WebSocket and returns it with the server's hello.
async fn connect(base: &str, session: &Session) -> (Socket, Value) {
    let token = socket_token(base, session).await;
    let url = format!(
        "{}/spaces/{}/ws?socket_token={token}",
        base.replace("http://", "ws://"),
        session.space_id,
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", base.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("WebSocket connects");
    let hello = next_of(&mut socket, "hello").await.expect("hello");
    (socket, hello)
}

/// Returns the next frame of `kind`, or `None` when the socket ends first.
async fn next_of(socket: &mut Socket, kind: &str) -> Option<Value> {
    while let Some(Ok(frame)) = socket.next().await {
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == kind {
                return Some(value);
            }
        }
    }
    None
}

async fn join(socket: &mut Socket, room_id: i64) {
    let request = json!({"type": "join", "room_id": room_id}).to_string();
    socket.send(Message::Text(request.into())).await.unwrap();
    next_of(socket, "history").await.expect("room history");
}

/// Posts `body` and returns the id the server acknowledged, or `None` when the
/// connection ended first.
async fn post(socket: &mut Socket, room_id: i64, body: &str) -> Option<i64> {
    let request = json!({"type": "send", "room_id": room_id, "body": body}).to_string();
    socket.send(Message::Text(request.into())).await.ok()?;
    next_of(socket, "ack").await?["message_id"].as_i64()
}

/// Publishes a showcase item through the tool at `base` and returns the HTTP status.
async fn publish(
    http: &reqwest::Client,
    base: &str,
    session: &Session,
    title: &str,
) -> reqwest::Result<u16> {
    let url = format!("{base}/spaces/{}/showcase/items", session.space_id);
    let response = http
        .post(url)
        .header("x-cowork-token", &session.token)
        .header("accept", "application/json")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={FORM_BOUNDARY}"),
        )
        .body(showcase_form(title, 64 * 1024))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// Sends the request that creates a room, asking for `accept` in return.
async fn send_create_room(
    setup: &Setup,
    session: &Session,
    name: &str,
    accept: &str,
) -> reqwest::Response {
    setup
        .http
        .post(format!(
            "{}/spaces/{}/rooms",
            setup.instance.url, session.space_id
        ))
        .header("x-cowork-token", &session.token)
        .header("accept", accept)
        .json(&json!({"kind": "team", "name": name}))
        .timeout(Duration::from_secs(40))
        .send()
        .await
        .expect("cowork answers")
}

/// Creates a room through the JSON API and returns the status and body.
async fn create_room(
    setup: &Setup,
    session: &Session,
    name: &str,
) -> (u16, Value, HashMap<String, String>) {
    let response = send_create_room(setup, session, name, "application/json").await;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_string()))
        .collect();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

async fn room_names(setup: &Setup, session: &Session) -> Vec<String> {
    let rooms: Value = setup
        .http
        .get(format!(
            "{}/spaces/{}/rooms?lt={}",
            setup.instance.url, session.space_id, session.token
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|room| room["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn sigterm_finishes_request_and_closes_sockets() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let db = database(backend, dir.path()).await;
        let mut setup = start(&db, &db.url, &[]).await;
        let teacher = setup.launch("tess", "instructor").await;
        let (mut socket, _hello) = connect(&setup.instance.url, &teacher).await;

        // An upload whose body is still arriving when the signal comes.
        let body = showcase_form("Sent across a restart", 64 * 1024);
        let (first, rest) = body.split_at(body.len() / 2);
        let mut upload = TcpStream::connect(("127.0.0.1", setup.port)).await.unwrap();
        let head = format!(
            "POST /spaces/{}/showcase/items HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             x-cowork-token: {}\r\naccept: application/json\r\n\
             content-type: multipart/form-data; boundary={FORM_BOUNDARY}\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            teacher.space_id,
            setup.port,
            teacher.token,
            body.len()
        );
        upload.write_all(head.as_bytes()).await.unwrap();
        upload.write_all(first).await.unwrap();
        upload.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;

        setup.instance.terminate();

        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(frame) = socket.next().await {
                if let Ok(Message::Close(frame)) = frame {
                    return frame;
                }
            }
            None
        })
        .await
        .unwrap_or_else(|_| panic!("{backend:?}: no closing frame within 10 s of SIGTERM"));
        let frame = closed.unwrap_or_else(|| panic!("{backend:?}: socket ended without a close"));
        assert_eq!(
            frame.code,
            CloseCode::Restart,
            "{backend:?}: clients are told the service restarts, so they reconnect"
        );

        upload.write_all(rest).await.unwrap();
        let mut answer = String::new();
        upload.read_to_string(&mut answer).await.unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 201"),
            "{backend:?}: the request in flight at SIGTERM finishes: {answer}"
        );

        assert!(
            setup.instance.exited_cleanly(Duration::from_secs(15)).await,
            "{backend:?}: cowork exits with status 0 after SIGTERM"
        );

        // The upload was stored: a new instance on the same database lists it.
        let restarted = Instance::start(&db.url, &setup.instance.url, setup.port).await;
        let items: Value = setup
            .http
            .get(format!(
                "{}/spaces/{}/showcase/items?lt={}",
                restarted.url, teacher.space_id, teacher.token
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            items.to_string().contains("Sent across a restart"),
            "{backend:?}: {items}"
        );
    }
}

/// Writes chat messages as fast as acknowledgements come back until the connection ends,
/// and returns each acknowledged id with its text.
async fn write_until_killed(base: String, session: Session, writer: usize) -> Vec<(i64, String)> {
    let (mut socket, hello) = connect(&base, &session).await;
    let room = open_room(&hello);
    join(&mut socket, room).await;
    let mut acknowledged = Vec::new();
    for n in 0.. {
        let body = format!("writer {writer} message {n}");
        match post(&mut socket, room, &body).await {
            Some(id) => acknowledged.push((id, body)),
            None => break,
        }
    }
    acknowledged
}

/// Consistency checks of a database after a crash, in SQL that both backends run.
async fn check_consistent(raw: &Raw, backend: Backend, acknowledged: &[(i64, String)]) {
    for (id, body) in acknowledged {
        let stored = raw
            .texts(&format!("SELECT body FROM messages WHERE id = {id}"))
            .await;
        assert_eq!(
            stored,
            vec![body.clone()],
            "{backend:?}: acknowledged message {id} survives the crash"
        );
    }
    let unlogged = raw
        .count(
            "SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM interactions i \
             WHERE i.kind = 'message' AND i.subject_id = m.id)",
        )
        .await;
    assert_eq!(
        unlogged, 0,
        "{backend:?}: every message has its interaction row"
    );
    let behind = raw
        .count(
            "SELECT COUNT(*) FROM rooms r WHERE r.last_rev < \
             (SELECT COALESCE(MAX(m.rev), 0) FROM messages m WHERE m.room_id = r.id)",
        )
        .await;
    assert_eq!(
        behind, 0,
        "{backend:?}: no room's revision is behind its messages"
    );
}

#[tokio::test]
async fn sigkill_mid_write_leaves_database_consistent() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("uploads");
        let db = database(backend, dir.path()).await;
        let upload_env = uploads.display().to_string();
        let env = [("COWORK_UPLOAD_DIR", upload_env.as_str())];
        let mut setup = start(&db, &db.url, &env).await;
        let mut sessions = Vec::new();
        for name in ["ada", "ben", "cy"] {
            sessions.push(setup.launch(name, "learner").await);
        }
        let uploader = setup.launch("dee", "learner").await;

        let mut writers = JoinSet::new();
        for (writer, session) in sessions.into_iter().enumerate() {
            writers.spawn(write_until_killed(
                setup.instance.url.clone(),
                session,
                writer,
            ));
        }
        let published = Arc::new(std::sync::Mutex::new(Vec::new()));
        let upload_task = {
            let http = setup.http.clone();
            let base = setup.instance.url.clone();
            let published = published.clone();
            let uploader = Session {
                space_id: uploader.space_id,
                token: uploader.token.clone(),
            };
            tokio::spawn(async move {
                for n in 0.. {
                    let title = format!("upload {n}");
                    match publish(&http, &base, &uploader, &title).await {
                        Ok(201) => published.lock().unwrap().push(title),
                        _ => break,
                    }
                }
            })
        };

        tokio::time::sleep(Duration::from_millis(1500)).await;
        setup.instance.kill();

        let mut acknowledged = Vec::new();
        while let Some(done) = writers.join_next().await {
            acknowledged.extend(done.unwrap());
        }
        upload_task.await.unwrap();
        assert!(
            acknowledged.len() > 10,
            "{backend:?}: writes were under way when the process was killed"
        );

        let raw = Raw::open(&db).await;
        if backend == Backend::Sqlite {
            let integrity = raw.texts("PRAGMA integrity_check").await;
            assert_eq!(integrity, vec!["ok"], "SQLite file intact after SIGKILL");
            let broken_references = raw.texts("PRAGMA foreign_key_check").await;
            assert!(broken_references.is_empty(), "{broken_references:?}");
        }
        check_consistent(&raw, backend, &acknowledged).await;

        let files = raw
            .texts("SELECT file_key FROM showcase_items WHERE file_storage = 'directory'")
            .await;
        for key in &files {
            assert!(
                uploads.join(key).is_file(),
                "{backend:?}: stored item's file {key} exists"
            );
        }
        let titles = raw.texts("SELECT title FROM showcase_items").await;
        for title in published.lock().unwrap().iter() {
            assert!(
                titles.contains(title),
                "{backend:?}: published item {title:?} survives the crash"
            );
        }

        // The restarted tool serves the space and takes new writes.
        let restarted = Instance::start_with(&db.url, &setup.instance.url, setup.port, &env).await;
        setup.instance = restarted;
        let again = setup.launch("ada", "learner").await;
        let (mut socket, hello) = connect(&setup.instance.url, &again).await;
        let room = open_room(&hello);
        join(&mut socket, room).await;
        assert!(
            post(&mut socket, room, "after the crash").await.is_some(),
            "{backend:?}: writes work after a restart"
        );
    }
}

/// A TCP proxy on a fixed port of 127.0.0.1 in front of PostgreSQL. Stopping it closes
/// its port and every connection through it, as a database host going away does.
struct Proxy {
    port: u16,
    target: (String, u16),
    connections: Option<JoinSet<()>>,
}

impl Proxy {
    fn new(target: (String, u16)) -> Self {
        Self {
            port: free_port(),
            target,
            connections: None,
        }
    }

    async fn start(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let target = self.target.clone();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut pumps = JoinSet::new();
            loop {
                let (client, _) = match listener.accept().await {
                    Ok(pair) => pair,
                    Err(_) => break,
                };
                let target = target.clone();
                pumps.spawn(async move {
                    let Ok(server) = TcpStream::connect((target.0.as_str(), target.1)).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let up = tokio::io::copy(&mut client_read, &mut server_write);
                    let down = tokio::io::copy(&mut server_read, &mut client_write);
                    let _ = tokio::join!(up, down);
                });
            }
        });
        self.connections = Some(tasks);
    }

    /// Closes the port and drops every connection through it.
    async fn stop(&mut self) {
        if let Some(mut tasks) = self.connections.take() {
            tasks.shutdown().await;
        }
        // The accept task owned the listener and the pumps owned the sockets.
        let refused = TcpStream::connect(("127.0.0.1", self.port)).await;
        assert!(refused.is_err(), "the proxy port must be closed");
    }
}

#[tokio::test]
async fn postgres_outage_answers_503_and_recovers() {
    let Ok(base_url) = std::env::var(POSTGRES_ENV) else {
        return;
    };
    if base_url.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = database(Backend::Postgres, dir.path()).await;
    let parsed = url::Url::parse(&db.url).unwrap();
    let mut proxy = Proxy::new((
        parsed.host_str().unwrap().to_string(),
        parsed.port().unwrap_or(5432),
    ));
    proxy.start().await;
    let mut through_proxy = parsed.clone();
    through_proxy.set_port(Some(proxy.port)).unwrap();
    let setup = start(&db, through_proxy.as_str(), &[]).await;
    let teacher = setup.launch("tess", "instructor").await;
    let (status, created, _) = create_room(&setup, &teacher, "Before the outage").await;
    assert_eq!(status, 201, "{created}");

    proxy.stop().await;

    let page = setup
        .http
        .get(format!(
            "{}/spaces/{}?lt={}",
            setup.instance.url, teacher.space_id, teacher.token
        ))
        .header("accept", "text/html")
        .timeout(Duration::from_secs(40))
        .send();
    let write = create_room(&setup, &teacher, "During the outage");
    let ready = setup
        .http
        .get(format!("{}/readyz", setup.instance.url))
        .timeout(Duration::from_secs(40))
        .send();
    let (page, (write_status, write_body, write_headers), ready) = tokio::join!(page, write, ready);

    let page = page.expect("the page request is answered");
    assert_eq!(
        page.status(),
        503,
        "a page gets 503 while the database is away"
    );
    assert_eq!(page.headers()["retry-after"], "5");
    let html = page.text().await.unwrap();
    assert!(html.contains("cannot reach its database"), "{html}");

    assert_eq!(write_status, 503, "{write_body}");
    assert_eq!(write_body["error"], "storage_unavailable", "{write_body}");
    assert!(write_body["hint"]
        .as_str()
        .is_some_and(|hint| !hint.is_empty()));
    assert_eq!(
        write_headers.get("retry-after").map(String::as_str),
        Some("5")
    );
    assert_eq!(ready.unwrap().status(), 503, "readyz reports the outage");

    proxy.start().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let ready = setup
            .http
            .get(format!("{}/readyz", setup.instance.url))
            .send()
            .await
            .unwrap();
        if ready.status() == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cowork did not recover within 30 s of the database's return"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, created, _) = create_room(&setup, &teacher, "After the outage").await;
    assert_eq!(
        status, 201,
        "writes work again without a restart: {created}"
    );
    let names = room_names(&setup, &teacher).await;
    assert!(
        names.iter().any(|name| name == "Before the outage"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|name| name == "After the outage"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|name| name == "During the outage"),
        "{names:?}"
    );
}

#[tokio::test]
async fn locked_sqlite_answers_503_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(Backend::Sqlite, dir.path()).await;
    let setup = start(&db, &db.url, &[]).await;
    let teacher = setup.launch("tess", "instructor").await;
    let (status, created, _) = create_room(&setup, &teacher, "Before the lock").await;
    assert_eq!(status, 201, "{created}");

    // Another process takes SQLite's write lock and keeps it, as a stuck backup or
    // maintenance script would.
    let path = dir.path().join("cowork.db");
    let script = "import sqlite3, sys, time\n\
                  db = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
                  db.execute('BEGIN EXCLUSIVE')\n\
                  print('locked', flush=True)\n\
                  time.sleep(600)\n";
    let mut holder = tokio::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs");
    let mut line = [0u8; 6];
    holder
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut line)
        .await
        .unwrap();
    assert_eq!(&line, b"locked");

    let (status, body, headers) = create_room(&setup, &teacher, "During the lock").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "storage_unavailable", "{body}");
    assert_eq!(headers.get("retry-after").map(String::as_str), Some("5"));

    // The same write from a page gets the error page.
    let page = send_create_room(&setup, &teacher, "During the lock", "text/html").await;
    assert_eq!(
        page.status(),
        503,
        "a page gets 503 while the database is locked"
    );
    assert_eq!(page.headers()["retry-after"], "5");
    let html = page.text().await.unwrap();
    assert!(html.contains("cannot reach its database"), "{html}");

    holder.kill().await.unwrap();
    let (status, created, _) = create_room(&setup, &teacher, "After the lock").await;
    assert_eq!(
        status, 201,
        "writes work again once the lock is gone: {created}"
    );
    let names = room_names(&setup, &teacher).await;
    assert!(
        names.iter().any(|name| name == "Before the lock"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|name| name == "During the lock"),
        "{names:?}"
    );
}

#[tokio::test]
async fn launches_continue_while_jwks_unreachable() {
    for backend in backends() {
        let app = common::spawn_with(backend, |config| {
            config.jwks_refetch_cooldown_secs = 0;
            config.platform_jwks_max_age_secs = 1;
        })
        .await;

        // The platform's keys come from a separate server that this test stops.
        let jwks = reqwest::get(format!("{}/jwks", app.platform_url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let router = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || {
                let jwks = jwks.clone();
                async move { ([("content-type", "application/json")], jwks) }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let jwks_url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        let mut registration = app.platform.registration();
        registration.jwks_url = jwks_url.clone();
        app.state
            .store
            .upsert_platform(&registration, cowork::unix_now())
            .await
            .unwrap();

        app.launch(choice("ada", "learner")).await;
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        assert!(
            reqwest::get(&jwks_url).await.is_err(),
            "{backend:?}: the JWKS server must be down"
        );

        tokio::time::sleep(Duration::from_millis(1200)).await;
        let login = app.login(choice("ben", "learner")).await;
        let (id_token, state) = app.authorize(&login).await;
        let response = app.post_launch(&id_token, &state).await;
        assert_eq!(
            response.status(),
            303,
            "{backend:?}: a launch signed with a cached key works while the JWKS is down: {}",
            response.text().await.unwrap_or_default()
        );
    }
}
