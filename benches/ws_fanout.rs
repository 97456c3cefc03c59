//! WebSocket fan-out benchmark.
//!
//! Starts `cowork serve` as a child process on a fresh SQLite database, with the demo
//! platform running inside this process, launches CLIENTS people through the full LTI
//! flow, connects each to the space WebSocket and spreads them over 20 rooms with one room
//! of BIG_ROOM members. One member of the big room then posts MESSAGES messages while the
//! other rooms chat in the background. It reports, for the big room, the latency from
//! send to arrival at each member and to arrival at every member, and the server's
//! resident memory.
//!
//! Run: `cargo bench --bench ws_fanout`. Sizes can be changed with the environment
//! variables COWORK_BENCH_CLIENTS, COWORK_BENCH_BIG_ROOM and COWORK_BENCH_MESSAGES.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cowork::demo::{self, DemoPlatform};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::server::{memory_kib, Database, Server};
use support::{free_port, launch, launch_all, percentile, setting};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod support;

const ROOMS: usize = 20;

fn main() {
    let clients = setting("COWORK_BENCH_CLIENTS", 2000);
    let big_room = setting("COWORK_BENCH_BIG_ROOM", 200).min(clients);
    let messages = setting("COWORK_BENCH_MESSAGES", 300);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(clients, big_room, messages));
}

async fn run(clients: usize, big_room: usize, messages: usize) {
    let tool_port = free_port();
    let tool = format!("http://127.0.0.1:{tool_port}");
    let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let platform = Arc::new(DemoPlatform::new(platform_url.clone(), tool.clone()));
    let router = demo::router(platform.clone());
    tokio::spawn(async move { axum::serve(platform_listener, router).await });

    let database = Database::sqlite();
    let server = Server::start(&database, tool_port, &platform, &[]).await;
    let pid = server.pid();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (rss_idle, _) = memory_kib(pid);

    // A teacher makes the rooms: the open space plus 19 team tables.
    let teacher = launch(&http, &tool, &platform, "demo-teacher-1", "instructor").await;
    for index in 1..ROOMS - 1 {
        let created = http
            .post(format!("{tool}/spaces/{}/rooms", teacher.space_id))
            .header("x-cowork-token", &teacher.token)
            .json(&json!({"kind": "team", "name": format!("Team {index}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let listed: Value = http
        .get(format!("{tool}/spaces/{}/rooms", teacher.space_id))
        .header("x-cowork-token", &teacher.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let room_ids: Vec<i64> = listed["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(room_ids.len(), ROOMS);
    let open_room = room_ids[0];

    let started = Instant::now();
    let users: Vec<String> = (0..clients).map(|index| format!("load-{index}")).collect();
    let launches = launch_all(&http, &tool, &platform, &users, "learner", 32).await;
    let launch_secs = started.elapsed().as_secs_f64();

    // Members of the big room report (message number, arrival) pairs.
    let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel::<(usize, Instant)>();
    let mut senders = Vec::new();
    let connected = Instant::now();
    for (index, launched) in launches.iter().enumerate() {
        let room = if index < big_room {
            open_room
        } else {
            room_ids[1 + index % (ROOMS - 1)]
        };
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
            json!({"type": "join", "room_id": room}).to_string().into(),
        ))
        .await
        .unwrap();
        let arrivals_tx = arrivals_tx.clone();
        let in_big_room = index < big_room;
        tokio::spawn(async move {
            while let Some(Ok(frame)) = stream.next().await {
                let Message::Text(text) = frame else { continue };
                if !in_big_room || !text.contains("\"bench:") {
                    continue;
                }
                let value: Value = serde_json::from_str(&text).unwrap();
                let body = value["message"]["body"].as_str().unwrap_or("");
                if let Some(number) = body.strip_prefix("bench:").and_then(|n| n.parse().ok()) {
                    let _ = arrivals_tx.send((number, Instant::now()));
                }
            }
        });
        senders.push((room, sink));
    }
    let connect_secs = connected.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss_connected, _) = memory_kib(pid);

    // Background chatter: one message per second in each of the other rooms.
    let mut background = Vec::new();
    let mut speaker = senders.split_off(big_room);
    let chatter: Vec<_> = (0..ROOMS - 1).filter_map(|_| speaker.pop()).collect();
    for (room, mut sink) in chatter {
        background.push(tokio::spawn(async move {
            for round in 0.. {
                let text =
                    json!({"type": "send", "room_id": room, "body": format!("chatter {round}")});
                if sink
                    .send(Message::Text(text.to_string().into()))
                    .await
                    .is_err()
                {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }));
    }

    let (_, mut poster) = senders.remove(0);
    let mut sent_at = Vec::with_capacity(messages);
    for number in 0..messages {
        let text = json!({"type": "send", "room_id": open_room, "body": format!("bench:{number}")});
        sent_at.push(Instant::now());
        poster
            .send(Message::Text(text.to_string().into()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let expected = messages * big_room;
    let mut deliveries = Vec::with_capacity(expected);
    let mut last_arrival = vec![Duration::ZERO; messages];
    let mut received = vec![0usize; messages];
    let deadline = Instant::now() + Duration::from_secs(30);
    while deliveries.len() < expected {
        let wait = deadline.saturating_duration_since(Instant::now());
        let Ok(Some((number, at))) = tokio::time::timeout(wait, arrivals.recv()).await else {
            break;
        };
        let latency = at.duration_since(sent_at[number]);
        deliveries.push(latency.as_secs_f64() * 1000.0);
        received[number] += 1;
        last_arrival[number] = last_arrival[number].max(latency);
    }
    let (rss_load, hwm) = memory_kib(pid);
    for task in background {
        task.abort();
    }

    deliveries.sort_by(f64::total_cmp);
    let mut complete: Vec<f64> = last_arrival
        .iter()
        .zip(&received)
        .filter(|(_, count)| **count == big_room)
        .map(|(latency, _)| latency.as_secs_f64() * 1000.0)
        .collect();
    complete.sort_by(f64::total_cmp);

    println!("clients                         {clients}");
    println!("rooms                           {ROOMS} (big room: {big_room} members)");
    println!(
        "launches                        {clients} in {launch_secs:.1} s ({:.0}/s)",
        clients as f64 / launch_secs
    );
    println!("WebSocket connects              {clients} in {connect_secs:.1} s");
    println!(
        "messages to the big room        {messages}, deliveries {} of {expected}",
        deliveries.len()
    );
    println!(
        "delivery latency p50 / p99      {:.2} ms / {:.2} ms",
        percentile(&deliveries, 0.5),
        percentile(&deliveries, 0.99)
    );
    println!(
        "all-members latency p50 / p99   {:.2} ms / {:.2} ms ({} messages reached everyone)",
        percentile(&complete, 0.5),
        percentile(&complete, 0.99),
        complete.len()
    );
    println!(
        "server RSS idle                 {:.1} MiB",
        rss_idle as f64 / 1024.0
    );
    println!(
        "server RSS connected            {:.1} MiB",
        rss_connected as f64 / 1024.0
    );
    println!(
        "server RSS under load / peak    {:.1} MiB / {:.1} MiB",
        rss_load as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    drop(server);
}
