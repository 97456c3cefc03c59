//! Two `cowork serve` processes on different ports share one PostgreSQL database, as
//! behind a load balancer. Chat and presence cross between them, and a login started on
//! one completes on the other. A grade queued on one is sent exactly once while the other
//! is stopped in the middle of sending. These run when `COWORK_TEST_DATABASE_URL` is set;
//! the periodic job claim runs on both backends.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::moodle::GradedCourse;
use common::process::{
    free_port, launch_across, no_redirects, serve_platform, session_of, shared_database,
    socket_token, Instance, Session,
};
use common::{
    backends, choice, field, fresh_store_with_guard, hidden_fields, open_room, POSTGRES_ENV,
};
use cowork::demo::DemoPlatform;
use cowork::store::cluster::LivePresence;
use cowork::store::DynStore;
use cowork::unix_now;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// Two instances on one database behind one public address, as behind a load balancer,
/// with a demo platform that registers the tool at that address.
struct Pair {
    a: Instance,
    b: Instance,
    public_url: String,
    platform: Arc<DemoPlatform>,
    http: reqwest::Client,
}

impl Pair {
    async fn start(store: &DynStore, database_url: &str) -> Self {
        let (port_a, port_b) = (free_port(), free_port());
        let public_url = format!("http://127.0.0.1:{port_a}");
        let platform = serve_platform(store, &public_url).await;
        Self {
            a: Instance::start(database_url, &public_url, port_a).await,
            b: Instance::start(database_url, &public_url, port_b).await,
            public_url,
            platform,
            http: no_redirects(),
        }
    }
}

/// A WebSocket client of one instance.
struct Client {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    seen: Vec<Value>,
}

impl Client {
    /// Connects to a space through `instance`, with the page origin `public_url`.
    async fn connect(instance: &Instance, public_url: &str, session: &Session) -> (Self, Value) {
        let token = socket_token(&instance.url, session).await;
        let url = format!(
            "{}/spaces/{}/ws?socket_token={token}",
            instance.url.replace("http://", "ws://"),
            session.space_id,
        );
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", public_url.parse().unwrap());
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connects");
        let mut client = Self {
            stream,
            seen: Vec::new(),
        };
        let hello = client.wait_for("hello", |_| true).await;
        (client, hello)
    }

    async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("WebSocket send");
    }

    /// Waits up to ten seconds for a message of `kind` that `matches`, keeping the others.
    async fn wait_for(&mut self, kind: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self
            .seen
            .iter()
            .position(|m| m["type"] == kind && matches(m))
        {
            return self.seen.remove(at);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .unwrap_or_else(|_| {
                    panic!("no matching {kind:?} within 10 s; saw {:?}", self.seen)
                });
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(_)) => continue,
                other => panic!("WebSocket closed: {other:?}"),
            };
            let message: Value = serde_json::from_str(&text).unwrap();
            if message["type"] == kind && matches(&message) {
                return message;
            }
            self.seen.push(message);
        }
    }

    async fn join(&mut self, room_id: i64) {
        self.send(json!({"type": "join", "room_id": room_id})).await;
        self.wait_for("history", |m| m["room_id"] == room_id).await;
    }
}

/// True when a presence event changes `user_id` to `online`.
fn presence_of(message: &Value, user_id: &Value, online: bool) -> bool {
    message["changes"].as_array().is_some_and(|changes| {
        changes
            .iter()
            .any(|c| &c["user_id"] == user_id && c["online"] == online)
    })
}

#[tokio::test]
async fn chat_and_presence_cross_instances() {
    let dir = tempfile::tempdir().unwrap();
    let Some((store, _schema, database_url)) = shared_database(dir.path()).await else {
        eprintln!("skipped: {POSTGRES_ENV} is not set");
        return;
    };
    let Pair {
        a,
        b,
        public_url,
        platform,
        http,
    } = Pair::start(&store, &database_url).await;

    let ana = session_of(
        &launch_across(&http, &platform, &a.url, &a.url, choice("ana", "Learner")).await,
    );
    let ben = session_of(
        &launch_across(&http, &platform, &b.url, &b.url, choice("ben", "Learner")).await,
    );
    assert_eq!(ana.space_id, ben.space_id, "one course, one space");

    let (mut on_a, hello_a) = Client::connect(&a, &public_url, &ana).await;
    let ana_id = hello_a["user_id"].clone();
    let room = open_room(&hello_a);
    on_a.join(room).await;

    let (mut on_b, hello_b) = Client::connect(&b, &public_url, &ben).await;
    let ben_id = hello_b["user_id"].clone();
    let online: Vec<&Value> = hello_b["online"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["user_id"])
        .collect();
    assert!(
        online.contains(&&ana_id),
        "the second instance lists a person connected to the first: {online:?}"
    );
    on_a.wait_for("presence", |m| presence_of(m, &ben_id, true))
        .await;
    on_b.join(room).await;

    on_a.send(json!({"type": "send", "room_id": room, "body": "hello from the first instance"}))
        .await;
    let arrived = on_b
        .wait_for("message", |m| m["message"]["author_id"] == ana_id)
        .await;
    assert_eq!(arrived["message"]["body"], "hello from the first instance");

    on_b.send(json!({"type": "send", "room_id": room, "body": "reply from the second"}))
        .await;
    let arrived = on_a
        .wait_for("message", |m| m["message"]["author_id"] == ben_id)
        .await;
    assert_eq!(arrived["message"]["body"], "reply from the second");

    // 4,000 two-byte characters: the event is larger than a notification may be, so it
    // travels through the database.
    let long = "я".repeat(4000);
    on_a.send(json!({"type": "send", "room_id": room, "body": long}))
        .await;
    let arrived = on_b
        .wait_for("message", |m| {
            m["message"]["body"].as_str() == Some(long.as_str())
        })
        .await;
    assert_eq!(arrived["message"]["author_id"], ana_id);

    // Ben leaves the second instance, and the first instance notifies Ana.
    let _ = on_b.stream.close(None).await;
    on_a.wait_for("presence", |m| presence_of(m, &ben_id, false))
        .await;
    let rows = store.live_presence(ana.space_id, 0).await.unwrap();
    let people: Vec<i64> = rows.iter().map(|row| row.user_id).collect();
    assert_eq!(
        people,
        vec![ana_id.as_i64().unwrap()],
        "only Ana is still connected"
    );
}

#[tokio::test]
async fn login_on_one_instance_launches_on_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let Some((store, _schema, database_url)) = shared_database(dir.path()).await else {
        eprintln!("skipped: {POSTGRES_ENV} is not set");
        return;
    };
    let Pair {
        a,
        b,
        platform,
        http,
        ..
    } = Pair::start(&store, &database_url).await;

    let params = platform.login_initiation(choice("cleo", "Learner"));
    let login = http
        .post(format!("{}/lti/login", a.url))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 302);
    let location = login.headers()["location"].to_str().unwrap().to_string();
    let fields = hidden_fields(
        &http
            .get(location)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let form = [
        ("id_token", field(&fields, "id_token")),
        ("state", field(&fields, "state")),
    ];
    let launched = http
        .post(format!("{}/lti/launch", b.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    let session = session_of(&launched);

    // The session made by the second instance opens the space on the first.
    let page = http
        .get(format!(
            "{}/spaces/{}?lt={}",
            a.url, session.space_id, session.token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the space page on the other instance");

    // The state was used on the second instance, so the first refuses it too.
    let replayed = http
        .post(format!("{}/lti/launch", a.url))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replayed.status(),
        401,
        "a replayed launch is refused on every instance"
    );
    let body: Value = replayed.json().await.unwrap();
    assert_eq!(body["error"], "state_replayed", "{body}");
}

const STUDENTS: usize = 80;

#[tokio::test]
async fn grade_sent_once_while_an_instance_stops() {
    let dir = tempfile::tempdir().unwrap();
    let Some((store, _schema, database_url)) = shared_database(dir.path()).await else {
        eprintln!("skipped: {POSTGRES_ENV} is not set");
        return;
    };
    let course = GradedCourse::start(&store, STUDENTS).await;
    let double = &course.double;
    // Slow replies, so the stop lands while scores are in flight.
    double.faults.delay_ms.store(1500, Ordering::SeqCst);

    let (port_a, port_b) = (free_port(), free_port());
    let public_url = format!("http://127.0.0.1:{port_a}");
    let mut a = Instance::start(&database_url, &public_url, port_a).await;

    // The grades are queued while only the first instance runs, so it claims them. The
    // second starts while the first is sending.
    let grades = course.enqueue_grades(&store).await;
    assert_eq!(grades.len(), STUDENTS);
    wait_for(30, "the first scores in flight", || {
        double.faults.score_posts.load(Ordering::SeqCst) >= 1
    })
    .await;
    let b = Instance::start(&database_url, &public_url, port_b).await;

    a.terminate();
    assert!(
        a.exited_cleanly(Duration::from_secs(30)).await,
        "the first instance stops cleanly"
    );
    let sent_by_first = double.book.accepted().len();
    assert!(
        sent_by_first > 0 && sent_by_first < STUDENTS,
        "the stop came while the first instance was sending ({sent_by_first} sent)"
    );

    wait_for(60, "every score", || double.book.grades().len() == STUDENTS).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let rows = store.outbox(course.space_id, 100).await.unwrap();
        if rows.iter().all(|row| row.status == "sent") {
            assert!(
                rows.iter().all(|row| row.attempts == 1),
                "no row was tried twice: {rows:?}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "outbox rows still unsent: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(b);

    assert_eq!(
        double.faults.score_posts.load(Ordering::SeqCst) as usize,
        STUDENTS,
        "each score was posted exactly once"
    );
    course.assert_each_accepted_once(&grades);
}

async fn wait_for(secs: u64, what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn periodic_job_runs_once_per_period() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _schema) = fresh_store_with_guard(backend, dir.path()).await;
        let now = unix_now();
        let claims = futures_util::future::join_all((0..8).map(|index| {
            let store = store.clone();
            async move {
                store
                    .claim_job("housekeeping", &format!("instance-{index}"), now, 300)
                    .await
                    .unwrap()
            }
        }))
        .await;
        assert_eq!(
            claims.iter().filter(|claimed| **claimed).count(),
            1,
            "{backend:?}: one of eight instances runs the job"
        );
        assert!(
            !store
                .claim_job("housekeeping", "late", now + 299, 300)
                .await
                .unwrap(),
            "{backend:?}: not again within the period"
        );
        assert!(
            store
                .claim_job("housekeeping", "late", now + 300, 300)
                .await
                .unwrap(),
            "{backend:?}: again once the period is over"
        );
        assert!(
            store
                .claim_job("roster_refresh", "late", now, 300)
                .await
                .unwrap(),
            "{backend:?}: each job has its own schedule"
        );
    }
}

#[tokio::test]
async fn stopped_instances_lose_their_presence() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _schema) = fresh_store_with_guard(backend, dir.path()).await;
        let now = unix_now();
        let row = |instance: &str, user_id: i64| LivePresence {
            instance_id: instance.into(),
            space_id: 7,
            user_id,
            name: format!("Person {user_id}"),
            role: "student".into(),
            room_id: None,
            status: "available".into(),
        };
        store.report_instance("stopped", now - 100).await.unwrap();
        store.report_instance("running", now).await.unwrap();
        store
            .put_live_presence(&row("stopped", 1), now - 100)
            .await
            .unwrap();
        store
            .put_live_presence(&row("stopped", 2), now - 100)
            .await
            .unwrap();
        store
            .put_live_presence(&row("running", 2), now)
            .await
            .unwrap();

        let live = store.live_presence(7, now - 45).await.unwrap();
        let people: Vec<(String, i64)> = live
            .iter()
            .map(|row| (row.instance_id.clone(), row.user_id))
            .collect();
        assert_eq!(
            people,
            vec![("running".to_string(), 2)],
            "{backend:?}: only live instances count"
        );
        assert!(
            store
                .connected_elsewhere("stopped", 7, 2, now - 45)
                .await
                .unwrap(),
            "{backend:?}: person 2 is still connected through the running instance"
        );
        assert!(
            !store
                .connected_elsewhere("stopped", 7, 1, now - 45)
                .await
                .unwrap(),
            "{backend:?}: person 1 is gone"
        );

        let mut reaped = store.reap_instances(now - 45).await.unwrap();
        reaped.sort_by_key(|row| row.user_id);
        assert_eq!(
            reaped,
            vec![row("stopped", 1), row("stopped", 2)],
            "{backend:?}"
        );
        assert!(store.reap_instances(now - 45).await.unwrap().is_empty());
        let removed = store.remove_instance("running").await.unwrap();
        assert_eq!(removed, vec![row("running", 2)], "{backend:?}");
        assert!(store.live_presence(7, 0).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn large_events_wait_in_the_database() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _schema) = fresh_store_with_guard(backend, dir.path()).await;
        let now = unix_now();
        let old = store.put_bus_payload("old", now - 1000).await.unwrap();
        let new = store.put_bus_payload("new", now).await.unwrap();
        assert_eq!(
            store.bus_payload(new).await.unwrap().as_deref(),
            Some("new")
        );
        assert_eq!(store.purge_bus_payloads(now - 600).await.unwrap(), 1);
        assert_eq!(store.bus_payload(old).await.unwrap(), None, "{backend:?}");
        assert_eq!(
            store.bus_payload(new).await.unwrap().as_deref(),
            Some("new")
        );
    }
}
