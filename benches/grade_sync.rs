//! Grade sync benchmark.
//!
//! Starts `cowork serve` as a child process on a fresh SQLite database and, when
//! `COWORK_BENCH_POSTGRES_URL` is set, again on a fresh PostgreSQL database. The demo
//! platform runs inside this process, and every score POST to its gradebook waits
//! SCORE_DELAY_MS before it is handled. STUDENTS people launch through the complete LTI
//! flow into one space whose launch carries the course's grade column. The teacher awards
//! each student points, then requests a grade sync, which queues one score per student.
//! The benchmark reports the time from that request until the platform has accepted every
//! score, checks that each student's score arrived exactly once, and counts token
//! requests, rejected score POSTs and the most score POSTs in flight at once.
//!
//! Run: `cargo bench --bench grade_sync`. Sizes can be changed with the environment
//! variables COWORK_BENCH_STUDENTS and COWORK_BENCH_SCORE_DELAY_MS.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use cowork::demo::{self, DemoPlatform};
use serde_json::{json, Value};
use support::server::{load_average, Database, Server};
use support::{free_port, launch, launch_all, setting, Launch};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

mod support;

/// Launches and award requests in flight at once.
const CONCURRENT_REQUESTS: usize = 32;

/// Counts and completion times of the score POSTs the platform received.
struct ScoreMeter {
    delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Completion time and HTTP status of every score POST, in completion order.
    replies: Mutex<Vec<(Instant, u16)>>,
}

impl ScoreMeter {
    fn accepted(&self) -> Vec<Instant> {
        self.replies
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, status)| (200..300).contains(status))
            .map(|(at, _)| *at)
            .collect()
    }

    fn rejected(&self) -> usize {
        self.replies
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, status)| !(200..300).contains(status))
            .count()
    }
}

/// Delays each score POST by the meter's delay before the gradebook handles it, and
/// records its reply.
async fn delay_scores(
    State(meter): State<Arc<ScoreMeter>>,
    request: Request,
    next: Next,
) -> Response {
    let is_score =
        request.method() == Method::POST && request.uri().path().ends_with("/lineitem/scores");
    if !is_score {
        return next.run(request).await;
    }
    let in_flight = meter.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    meter.max_in_flight.fetch_max(in_flight, Ordering::SeqCst);
    tokio::time::sleep(meter.delay).await;
    let response = next.run(request).await;
    meter.in_flight.fetch_sub(1, Ordering::SeqCst);
    meter
        .replies
        .lock()
        .unwrap()
        .push((Instant::now(), response.status().as_u16()));
    response
}

fn main() {
    let students = setting("COWORK_BENCH_STUDENTS", 1000);
    let delay = Duration::from_millis(setting("COWORK_BENCH_SCORE_DELAY_MS", 50) as u64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        run(Database::sqlite(), students, delay).await;
        if let Ok(url) = std::env::var("COWORK_BENCH_POSTGRES_URL") {
            let database = Database::postgres(&url, "cowork_bench_grade_sync").await;
            run(database, students, delay).await;
        }
    });
}

async fn run(database: Database, students: usize, delay: Duration) {
    let tool_port = free_port();
    let tool = format!("http://127.0.0.1:{tool_port}");
    let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let platform = Arc::new(DemoPlatform::new(platform_url, tool.clone()));
    let subjects: Vec<String> = (0..students).map(|index| format!("load-{index}")).collect();
    for subject in &subjects {
        platform.gradebook.enroll(subject);
    }
    let meter = Arc::new(ScoreMeter {
        delay,
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        replies: Mutex::new(Vec::new()),
    });
    let router = demo::router(platform.clone())
        .layer(middleware::from_fn_with_state(meter.clone(), delay_scores));
    tokio::spawn(async move { axum::serve(platform_listener, router).await });

    // The sync is requested by hand, so the worker's automatic sync after quiet
    // activity must not run first.
    let server = Server::start(
        &database,
        tool_port,
        &platform,
        &[("COWORK_GRADE_AUTO_DELAY_SECS", "86400")],
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let teacher = launch(&http, &tool, &platform, "demo-teacher-1", "instructor").await;
    let started = Instant::now();
    let launches = launch_all(
        &http,
        &tool,
        &platform,
        &subjects,
        "learner",
        CONCURRENT_REQUESTS,
    )
    .await;
    for launched in &launches {
        assert_eq!(
            launched.space_id, teacher.space_id,
            "one space for the course"
        );
    }
    let launch_secs = started.elapsed().as_secs_f64();

    let before = preview(&http, &tool, &teacher).await;
    let user_ids: Vec<i64> = before["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|student| student["grade"]["member"]["user_id"].as_i64().unwrap())
        .collect();
    assert_eq!(user_ids.len(), students, "graded members of the space");

    // Points differ between students, so each has a score of their own.
    let limit = Arc::new(Semaphore::new(CONCURRENT_REQUESTS));
    let mut tasks = Vec::new();
    for (index, user_id) in user_ids.iter().enumerate() {
        let (http, tool, limit) = (http.clone(), tool.clone(), limit.clone());
        let url = format!("{tool}/spaces/{}/grades/awards", teacher.space_id);
        let token = teacher.token.clone();
        let body = json!({"user_id": user_id, "points": 1 + index % 20, "reason": "bench"});
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            let response = http
                .post(url)
                .header("x-cowork-token", token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "award");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let load_before = load_average();
    let queued = Instant::now();
    let synced = http
        .post(format!("{tool}/spaces/{}/grades/sync", teacher.space_id))
        .header("x-cowork-token", &teacher.token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(synced.status(), 200, "grade sync");
    let sync_request_ms = queued.elapsed().as_secs_f64() * 1000.0;
    let enqueued = synced.json::<Value>().await.unwrap()["enqueued"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(enqueued, students, "scores queued by the sync");

    // The timeout is four times the sequential time and at least two minutes, so a
    // slow worker is measured rather than cut off.
    let timeout = (delay * students as u32 * 4).max(Duration::from_secs(120));
    let deadline = queued + timeout;
    while meter.accepted().len() < students && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let accepted_at = meter.accepted();
    let complete = accepted_at.len() >= students;
    let all_accepted = accepted_at
        .get(students.saturating_sub(1))
        .map(|at| at.duration_since(queued).as_secs_f64());
    let first_accepted = accepted_at
        .first()
        .map(|at| at.duration_since(queued).as_secs_f64() * 1000.0);
    let load_after = load_average();
    // Late duplicates would arrive within a few score round trips.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut per_student: HashMap<String, usize> = HashMap::new();
    for grade in platform.gradebook.accepted() {
        *per_student.entry(grade.user_id).or_default() += 1;
    }
    let exactly_once = subjects
        .iter()
        .filter(|subject| per_student.get(*subject) == Some(&1))
        .count();
    let missing = subjects
        .iter()
        .filter(|subject| !per_student.contains_key(*subject))
        .count();
    let duplicated = per_student.values().filter(|count| **count > 1).count();
    let tokens = platform.gradebook.token_requests();
    let tokens_issued = tokens
        .iter()
        .filter(|request| request.status == 200)
        .count();

    let after = preview(&http, &tool, &teacher).await;
    let mut states: HashMap<String, usize> = HashMap::new();
    for student in after["students"].as_array().unwrap() {
        let state = student["grade"]["latest"]["status"]
            .as_str()
            .unwrap_or("none")
            .to_string();
        *states.entry(state).or_default() += 1;
    }
    let mut states: Vec<_> = states.into_iter().collect();
    states.sort();

    println!("backend                          {}", database.backend());
    println!("students                         {students} (launched in {launch_secs:.1} s)");
    println!(
        "score delay at the platform      {} ms per POST",
        delay.as_millis()
    );
    println!("sync request (compute + queue)   {sync_request_ms:.0} ms, {enqueued} scores queued");
    match first_accepted {
        Some(ms) => println!("first score accepted after       {ms:.0} ms"),
        None => println!("first score accepted after       none accepted"),
    }
    match (complete, all_accepted) {
        (true, Some(secs)) => println!(
            "all scores accepted after        {secs:.2} s ({:.1} scores/s)",
            students as f64 / secs
        ),
        _ => println!(
            "all scores accepted after        not within {} s ({} of {students} accepted)",
            timeout.as_secs(),
            accepted_at.len()
        ),
    }
    println!(
        "score POSTs                      {} accepted, {} rejected, at most {} in flight",
        accepted_at.len(),
        meter.rejected(),
        meter.max_in_flight.load(Ordering::SeqCst)
    );
    println!(
        "students with exactly one score  {exactly_once} of {students} ({missing} missing, {duplicated} more than once)"
    );
    println!(
        "token requests                   {} ({tokens_issued} issued)",
        tokens.len()
    );
    println!("outbox states after the run      {states:?}");
    println!("load average before / after      {load_before} / {load_after}");

    drop(server);
    database.drop_now().await;
}

async fn preview(http: &reqwest::Client, tool: &str, teacher: &Launch) -> Value {
    let response = http
        .get(format!(
            "{tool}/spaces/{}/grades/preview?lt={}",
            teacher.space_id, teacher.token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "grades preview");
    response.json().await.unwrap()
}
