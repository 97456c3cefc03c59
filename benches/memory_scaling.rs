//! Server memory by class size.
//!
//! For each size N in SIZES, starts `cowork serve` as a child process on a fresh SQLite
//! database (and again on a fresh PostgreSQL database when `COWORK_BENCH_POSTGRES_URL` is
//! set) with the demo platform inside this process. It records the server's resident
//! memory (`VmRSS`) three times: when idle, at rest after N students have launched through
//! the complete LTI flow, and with N space WebSockets open. Each WebSocket joins the open
//! space, as a browser does when it opens the space. Peak memory is `VmHWM`.
//!
//! Run: `cargo bench --bench memory_scaling`. The sizes are a comma-separated list in
//! COWORK_BENCH_SIZES (default `100,1000,10000`). Each WebSocket takes one file
//! descriptor in this process and one in the server, so the open-files limit
//! (`ulimit -n`) must exceed the largest size.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cowork::demo::{self, DemoPlatform};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::server::{load_average, memory_kib, Database, Server};
use support::{free_port, launch, launch_all};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod support;

/// Launches in flight at once.
const CONCURRENT_LAUNCHES: usize = 32;
/// Wait before a memory reading, so work started by the last request has finished.
const SETTLE: Duration = Duration::from_secs(3);

fn sizes() -> Vec<usize> {
    let text = std::env::var("COWORK_BENCH_SIZES").unwrap_or_else(|_| "100,1000,10000".into());
    text.split(',')
        .map(|size| {
            size.trim()
                .parse()
                .unwrap_or_else(|_| panic!("COWORK_BENCH_SIZES: {size:?} is not a number"))
        })
        .collect()
}

/// Reads the soft open-files limit of this process from /proc/self/limits.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn main() {
    let sizes = sizes();
    let largest = sizes.iter().copied().max().unwrap_or(0) as u64;
    // Room for the server's listener, database files and the platform's sockets.
    let needed = largest + 500;
    if let Some(limit) = open_files_limit() {
        assert!(
            limit >= needed,
            "the open-files limit is {limit}, but {largest} WebSockets need about {needed}; \
             raise it with `ulimit -n {needed}` before running the benchmark"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for &size in &sizes {
            run(Database::sqlite(), size).await;
        }
        if let Ok(url) = std::env::var("COWORK_BENCH_POSTGRES_URL") {
            for &size in &sizes {
                let database = Database::postgres(&url, "cowork_bench_memory").await;
                run(database, size).await;
            }
        }
    });
}

async fn run(database: Database, students: usize) {
    let tool_port = free_port();
    let tool = format!("http://127.0.0.1:{tool_port}");
    let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let platform = Arc::new(DemoPlatform::new(platform_url, tool.clone()));
    let router = demo::router(platform.clone());
    tokio::spawn(async move { axum::serve(platform_listener, router).await });

    let server = Server::start(&database, tool_port, &platform, &[]).await;
    let pid = server.pid();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let load_before = load_average();
    tokio::time::sleep(SETTLE).await;
    let (rss_idle, _) = memory_kib(pid);

    let teacher = launch(&http, &tool, &platform, "demo-teacher-1", "instructor").await;
    let rooms: Value = http
        .get(format!("{tool}/spaces/{}/rooms", teacher.space_id))
        .header("x-cowork-token", &teacher.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let open_room = rooms["rooms"][0]["id"].as_i64().unwrap();

    let started = Instant::now();
    let users: Vec<String> = (0..students).map(|index| format!("load-{index}")).collect();
    let launches = launch_all(
        &http,
        &tool,
        &platform,
        &users,
        "learner",
        CONCURRENT_LAUNCHES,
    )
    .await;
    let launch_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    let (rss_rest, _) = memory_kib(pid);

    // Each connection reads every frame, as a browser does.
    let connected = Instant::now();
    let mut sinks = Vec::with_capacity(students);
    let mut readers = Vec::with_capacity(students);
    for launched in &launches {
        let url = support::socket_url(&http, &tool, launched.space_id, &launched.token)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", tool.parse().unwrap());
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connects");
        let (mut sink, mut stream) = socket.split();
        sink.send(Message::Text(
            json!({"type": "join", "room_id": open_room})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(_)) = stream.next().await {}
        }));
        sinks.push(sink);
    }
    let connect_secs = connected.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    let (rss_connected, peak) = memory_kib(pid);
    let load_after = load_average();

    println!(
        "{} {students} students: launches {launch_secs:.1} s, WebSocket connects {connect_secs:.1} s",
        database.backend()
    );
    println!(
        "  server RSS idle {:.1} MiB, at rest after launches {:.1} MiB, with {students} \
         WebSockets open {:.1} MiB, peak {:.1} MiB",
        mib(rss_idle),
        mib(rss_rest),
        mib(rss_connected),
        mib(peak)
    );
    println!("  load average before / after {load_before} / {load_after}");

    drop(sinks);
    for reader in readers {
        reader.abort();
    }
    drop(server);
    database.drop_now().await;
}
