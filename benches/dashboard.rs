//! Teacher dashboard benchmark.
//!
//! Builds one space with STUDENTS students, 20 rooms and a 16-week semester of activity
//! from a seeded generator, on SQLite and, when `COWORK_BENCH_POSTGRES_URL` is set, on
//! PostgreSQL. cowork runs in this process on a real listener with the demo platform
//! beside it. The teacher launches through the complete LTI flow, and the benchmark then
//! requests the dashboard page over HTTP ROUNDS times. It reports the page's latency and,
//! measured apart, how long loading the rows and computing the report take.
//!
//! Run: `cargo bench --bench dashboard`. Sizes can be changed with the environment
//! variables COWORK_BENCH_STUDENTS, COWORK_BENCH_EVENTS and COWORK_BENCH_ROUNDS.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cowork::analytics::report::{SpaceReport, SpaceRows, Window};
use cowork::app::{self, AppState};
use cowork::config::Config;
use cowork::demo::{self, DemoPlatform};
use cowork::store::chat::{Interaction, NewMessage};
use cowork::store::{self, DynStore, PostgresStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::postgres::PgConnectOptions;
use support::{launch, percentile, setting};
use tokio::net::TcpListener;

mod support;

const WEEKS: i64 = 16;
const WEEK: i64 = 7 * 24 * 3600;
/// Team tables; with the open space, the quiet zone and two discussion rooms the space
/// has 20 rooms.
const TEAMS: usize = 16;
const SEED: u64 = 20_261_205;

/// A connection for seeding rows with plain SQL, which both backends accept.
enum Seeder {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Seeder {
    async fn execute(&self, sql: &str) {
        match self {
            Seeder::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
            Seeder::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        }
        .unwrap_or_else(|error| panic!("seeding failed: {error}"));
    }

    async fn scalar(&self, sql: &str) -> i64 {
        match self {
            Seeder::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Seeder::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// Inserts `rows` (each a parenthesised list of SQL literals) in batches of 1,000.
    async fn insert(&self, table_and_columns: &str, rows: &[String]) {
        for chunk in rows.chunks(1000) {
            let sql = format!("INSERT INTO {table_and_columns} VALUES {}", chunk.join(","));
            self.execute(&sql).await;
        }
    }
}

/// Counts of what the generator wrote.
#[derive(Default)]
struct Seeded {
    visits: usize,
    messages: usize,
    interactions: usize,
}

/// Fills the space with students, rooms, teams, visits, messages and interactions.
/// Students interact mostly with their own team (70 %) and otherwise with anyone, and
/// a few students stay silent, so the network has clusters, bridges and isolates.
async fn seed(seeder: &Seeder, space_id: i64, students: usize, events: usize) -> Seeded {
    let now = cowork::unix_now();
    let start = now - WEEKS * WEEK;
    seeder
        .execute(&format!(
            "UPDATE spaces SET created_at = {start} WHERE id = {space_id}"
        ))
        .await;
    let issuer = "https://bench.example.invalid";
    let users: Vec<String> = (0..students)
        .map(|index| format!("('{issuer}', 'student-{index}', 'Student {index}', {now})"))
        .collect();
    seeder
        .insert("users (issuer, subject, name, updated_at)", &users)
        .await;
    let first_user = seeder
        .scalar(&format!(
            "SELECT MIN(id) FROM users WHERE issuer = '{issuer}'"
        ))
        .await;
    let user_ids: Vec<i64> = (0..students as i64)
        .map(|index| first_user + index)
        .collect();
    let members: Vec<String> = user_ids
        .iter()
        .map(|id| format!("({space_id}, {id}, 'student', {start}, {now})"))
        .collect();
    seeder
        .insert(
            "space_members (space_id, user_id, role, first_seen_at, last_seen_at)",
            &members,
        )
        .await;

    let mut rooms: Vec<String> = (0..2)
        .map(|index| {
            format!(
                "({space_id}, 'discussion', 'Debate {index}', {start}, 0, {})",
                index + 3
            )
        })
        .collect();
    rooms.extend((0..TEAMS).map(|index| {
        format!(
            "({space_id}, 'team', 'Team {index}', {start}, 0, {})",
            index + 5
        )
    }));
    seeder
        .insert(
            "rooms (space_id, kind, name, created_at, last_rev, position)",
            &rooms,
        )
        .await;
    let room_ids: Vec<i64> = {
        let first = seeder
            .scalar(&format!(
                "SELECT MIN(id) FROM rooms WHERE space_id = {space_id}"
            ))
            .await;
        let count = seeder
            .scalar(&format!(
                "SELECT COUNT(*) FROM rooms WHERE space_id = {space_id}"
            ))
            .await;
        (first..first + count).collect()
    };
    let team_rooms = &room_ids[room_ids.len() - TEAMS..];
    let team_of = |student: usize| student % TEAMS;
    let room_members: Vec<String> = user_ids
        .iter()
        .enumerate()
        .map(|(index, id)| format!("({}, {id}, {start})", team_rooms[team_of(index)]))
        .collect();
    seeder
        .insert("room_members (room_id, user_id, joined_at)", &room_members)
        .await;

    let mut rng = StdRng::seed_from_u64(SEED);
    // One student in 40 never does anything.
    let silent = |index: usize| index % 40 == 39;
    let active: Vec<usize> = (0..students).filter(|index| !silent(*index)).collect();
    let partner = |rng: &mut StdRng, of: usize| -> usize {
        loop {
            let other = if rng.gen_bool(0.7) {
                let team = team_of(of);
                let members = students.div_ceil(TEAMS);
                (rng.gen_range(0..members) * TEAMS + team).min(students - 1)
            } else {
                rng.gen_range(0..students)
            };
            if other != of && !silent(other) {
                return other;
            }
        }
    };
    let at = |rng: &mut StdRng| start + rng.gen_range(0..WEEKS * WEEK - 60);

    let mut seeded = Seeded::default();
    let visits_total = events * 15 / 100;
    let visits: Vec<String> = (0..visits_total)
        .map(|_| {
            let student = active[rng.gen_range(0..active.len())];
            let room = if rng.gen_bool(0.5) {
                team_rooms[team_of(student)]
            } else {
                room_ids[rng.gen_range(0..room_ids.len())]
            };
            let entered = at(&mut rng);
            format!(
                "({space_id}, {room}, {}, {entered}, {})",
                user_ids[student],
                entered + rng.gen_range(60..7200)
            )
        })
        .collect();
    seeded.visits = visits.len();
    seeder
        .insert(
            "room_visits (space_id, room_id, user_id, entered_at, left_at)",
            &visits,
        )
        .await;

    // Messages: three in ten are replies to an earlier message of the same room.
    let message_total = events * 45 / 100;
    let first_message = seeder
        .scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM messages")
        .await;
    let mut times: Vec<i64> = (0..message_total).map(|_| at(&mut rng)).collect();
    times.sort_unstable();
    let mut messages = Vec::with_capacity(message_total);
    let mut interactions = Vec::new();
    let mut by_room: Vec<Vec<(i64, usize)>> = vec![Vec::new(); room_ids.len()];
    for (index, created_at) in times.into_iter().enumerate() {
        let id = first_message + index as i64;
        let student = active[rng.gen_range(0..active.len())];
        let room_index = if rng.gen_bool(0.6) {
            room_ids.len() - TEAMS + team_of(student)
        } else {
            rng.gen_range(0..room_ids.len())
        };
        let room = room_ids[room_index];
        let author = user_ids[student];
        let earlier = &by_room[room_index];
        let parent = (!earlier.is_empty() && rng.gen_bool(0.3))
            .then(|| earlier[earlier.len() - 1 - rng.gen_range(0..earlier.len().min(20))]);
        let body = if rng.gen_bool(0.2) {
            "Does anyone know how to set up the shared template for the report?"
        } else {
            "Here is my part of the draft, with the figures for the second chapter."
        };
        let parent_sql = parent.map_or("NULL".to_string(), |(parent_id, _)| parent_id.to_string());
        let seq = earlier.len() + 1;
        messages.push(format!(
            "({id}, {space_id}, {room}, {seq}, {seq}, {author}, {parent_sql}, '{body}', '<p>{body}</p>', {created_at})"
        ));
        interactions.push(format!(
            "({space_id}, {author}, NULL, {room}, 'message', {id}, {created_at})"
        ));
        if let Some((_, parent_author)) = parent {
            interactions.push(format!(
                "({space_id}, {author}, {}, {room}, 'reply', {id}, {created_at})",
                user_ids[parent_author]
            ));
        }
        by_room[room_index].push((id, student));
    }
    seeded.messages = messages.len();
    seeder
        .insert(
            "messages (id, space_id, room_id, seq, rev, author_id, parent_id, body, body_html, created_at)",
            &messages,
        )
        .await;
    if let Seeder::Postgres(_) = seeder {
        seeder
            .execute("SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT MAX(id) FROM messages))")
            .await;
    }
    // Each room's revision is that of its latest message, as posting through cowork
    // leaves it.
    seeder
        .execute(&format!(
            "UPDATE rooms SET last_rev = (SELECT COALESCE(MAX(rev), 0) FROM messages \
             WHERE messages.room_id = rooms.id) WHERE space_id = {space_id}"
        ))
        .await;

    // The rest of the events: reactions, mentions, help, showcase, focus, questionnaires.
    let kinds: [(&str, u32, bool); 10] = [
        ("reaction", 40, true),
        ("mention", 15, true),
        ("help_request", 4, false),
        ("help_reply", 6, true),
        ("help_given", 2, true),
        ("showcase_item", 2, false),
        ("showcase_comment", 5, true),
        ("showcase_reaction", 10, true),
        ("focus_completed", 12, false),
        ("questionnaire_answered", 4, false),
    ];
    let weight_total: u32 = kinds.iter().map(|kind| kind.1).sum();
    while visits_total + interactions.len() < events {
        let mut pick = rng.gen_range(0..weight_total);
        let (kind, _, targeted) = kinds
            .iter()
            .find(|kind| {
                if pick < kind.1 {
                    true
                } else {
                    pick -= kind.1;
                    false
                }
            })
            .copied()
            .unwrap();
        let student = active[rng.gen_range(0..active.len())];
        let target = if targeted {
            user_ids[partner(&mut rng, student)].to_string()
        } else {
            "NULL".into()
        };
        let room = if kind == "reaction" || kind == "mention" {
            room_ids[rng.gen_range(0..room_ids.len())].to_string()
        } else {
            "NULL".into()
        };
        interactions.push(format!(
            "({space_id}, {}, {target}, {room}, '{kind}', {}, {})",
            user_ids[student],
            rng.gen_range(1..5000),
            at(&mut rng)
        ));
    }
    seeded.interactions = interactions.len();
    seeder
        .insert(
            "interactions (space_id, actor_id, target_id, room_id, kind, subject_id, created_at)",
            &interactions,
        )
        .await;
    // Autovacuum would have visited the tables after this many inserts. Without that
    // visit, PostgreSQL cannot count rows from the indexes alone.
    if let Seeder::Postgres(pool) = seeder {
        sqlx::query("VACUUM ANALYZE").execute(pool).await.unwrap();
    }
    seeded
}

/// Activity written through the store between two dashboard views: ten chat messages
/// (two of them replies) and twenty reactions, stamped now.
struct Live {
    space_id: i64,
    rooms: Vec<i64>,
    students: Vec<i64>,
    rng: StdRng,
}

impl Live {
    async fn new(backend: &Backend, space_id: i64) -> Live {
        let ids = |sql: String| async move {
            match &backend.seeder {
                Seeder::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_all(pool).await,
                Seeder::Postgres(pool) => sqlx::query_scalar(&sql).fetch_all(pool).await,
            }
            .unwrap()
        };
        Live {
            space_id,
            rooms: ids(format!(
                "SELECT id FROM rooms WHERE space_id = {space_id} ORDER BY id"
            ))
            .await,
            students: ids(format!(
                "SELECT user_id FROM space_members WHERE space_id = {space_id} \
                 AND role = 'student' ORDER BY user_id"
            ))
            .await,
            rng: StdRng::seed_from_u64(SEED + 1),
        }
    }

    async fn act(&mut self, store: &dyn cowork::store::Store) {
        let now = cowork::unix_now();
        // (id, author, room) of the messages posted in this round.
        let mut posted: Vec<(i64, i64, i64)> = Vec::new();
        for index in 0..10 {
            let author_id = self.students[self.rng.gen_range(0..self.students.len())];
            let parent = (index >= 8).then(|| posted[self.rng.gen_range(0..posted.len())]);
            let room_id = match parent {
                Some((_, _, room)) => room,
                None => self.rooms[self.rng.gen_range(0..self.rooms.len())],
            };
            let message = NewMessage {
                space_id: self.space_id,
                room_id,
                author_id,
                parent_id: parent.map(|(id, _, _)| id),
                parent_author_id: parent.map(|(_, author, _)| author),
                stance: None,
                body: "Which figure goes into the summary?".into(),
                body_html: "<p>Which figure goes into the summary?</p>".into(),
                mentions: Vec::new(),
            };
            let stored = store.post_message(&message, now).await.unwrap();
            let stored = stored.expect("the room is open");
            posted.push((stored.id, author_id, room_id));
        }
        for _ in 0..20 {
            let actor_id = self.students[self.rng.gen_range(0..self.students.len())];
            let target_id = self.students[self.rng.gen_range(0..self.students.len())];
            store
                .record_interaction(&Interaction {
                    space_id: self.space_id,
                    actor_id,
                    target_id: Some(target_id),
                    room_id: Some(self.rooms[self.rng.gen_range(0..self.rooms.len())]),
                    kind: "reaction".into(),
                    subject_id: Some(posted[0].0),
                    created_at: now,
                })
                .await
                .unwrap();
        }
    }
}

struct Backend {
    name: &'static str,
    store: DynStore,
    seeder: Seeder,
    /// Drops the PostgreSQL schema when the run ends.
    cleanup: Option<(String, String)>,
}

async fn sqlite_backend(dir: &std::path::Path) -> Backend {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = store::connect(&url).await.expect("open SQLite");
    let seeder = Seeder::Sqlite(sqlx::SqlitePool::connect(&url).await.unwrap());
    Backend {
        name: "SQLite",
        store,
        seeder,
        cleanup: None,
    }
}

async fn postgres_backend(url: &str) -> Backend {
    let schema = format!("bench_{}", std::process::id());
    let admin = sqlx::PgPool::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let options = PgConnectOptions::from_str(url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store: DynStore = Arc::new(
        PostgresStore::connect_with(options.clone())
            .await
            .expect("open PostgreSQL schema"),
    );
    let seeder = Seeder::Postgres(sqlx::PgPool::connect_with(options).await.unwrap());
    Backend {
        name: "PostgreSQL",
        store,
        seeder,
        cleanup: Some((url.to_string(), schema)),
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn summary(label: &str, samples: &mut [f64]) {
    if samples.is_empty() {
        println!("  {label:<22} no samples");
        return;
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "  {label:<22} min {:>7.1} ms  p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms",
        samples[0],
        percentile(samples, 0.5),
        percentile(samples, 0.95),
        samples[samples.len() - 1]
    );
}

async fn run(backend: Backend, students: usize, events: usize, rounds: usize) {
    let tool_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tool = format!("http://{}", tool_listener.local_addr().unwrap());
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let platform = Arc::new(DemoPlatform::new(platform_url, tool.clone()));
    let router = demo::router(platform.clone());
    tokio::spawn(async move { axum::serve(platform_listener, router).await });
    backend
        .store
        .upsert_platform(&platform.registration(), cowork::unix_now())
        .await
        .unwrap();
    let config = Config {
        bind: tool_listener.local_addr().unwrap(),
        public_url: tool.parse().unwrap(),
        allow_private_addresses: true,
        ..Config::default()
    };
    let state = AppState::new(config, backend.store.clone()).await.unwrap();
    let activity = state.activity.clone();
    tokio::spawn(app::serve(tool_listener, state, std::future::pending()));

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let teacher = launch(&http, &tool, &platform, "demo-teacher-1", "instructor").await;
    let seeding = Instant::now();
    let seeded = seed(&backend.seeder, teacher.space_id, students, events).await;
    println!(
        "{}: {students} students, {} room visits, {} messages, {} interactions ({} events), seeded in {:.1} s",
        backend.name,
        seeded.visits,
        seeded.messages,
        seeded.interactions,
        seeded.visits + seeded.interactions,
        seeding.elapsed().as_secs_f64()
    );

    let url = format!(
        "{tool}/spaces/{}/dashboard?lt={}",
        teacher.space_id, teacher.token
    );
    let fetch_page = || async {
        let started = Instant::now();
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "dashboard page");
        let body = response.text().await.unwrap();
        (millis(started.elapsed()), body.len())
    };
    // The first view reads every row of the space into the activity cache.
    let (first_view, bytes) = fetch_page().await;
    // Then the class goes on working: before each view, students post messages and
    // react, so each view reads what changed since the previous one.
    let mut live = Live::new(&backend, teacher.space_id).await;
    let mut page = Vec::new();
    for _ in 0..rounds {
        live.act(backend.store.as_ref()).await;
        let (elapsed, _) = fetch_page().await;
        page.push(elapsed);
    }
    // Printed before the row measurements, which can fail on a very large space.
    println!("  page size {} KiB, {rounds} rounds", bytes / 1024);
    println!("  first view (HTTP, rows read into the cache) {first_view:.1} ms");
    summary("dashboard page (HTTP)", &mut page);
    let now = cowork::unix_now();
    let window = Window {
        from: now - WEEKS * WEEK,
        until: now + 1,
    };
    let mut load = Vec::new();
    let mut cached = Vec::new();
    let mut compute = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let rows = SpaceRows::load(backend.store.as_ref(), teacher.space_id, window)
            .await
            .unwrap();
        load.push(millis(started.elapsed()));
        live.act(backend.store.as_ref()).await;
        let started = Instant::now();
        let cached_rows = match activity
            .rows(backend.store.as_ref(), teacher.space_id, window)
            .await
        {
            Ok(rows) => rows,
            Err(error) => {
                println!(
                    "  load rows, cached: failed after {:.1} ms: {error}",
                    millis(started.elapsed())
                );
                break;
            }
        };
        cached.push(millis(started.elapsed()));
        assert!(cached_rows.interactions.len() >= rows.interactions.len());
        let started = Instant::now();
        let report = SpaceReport::compute(rows, window).unwrap();
        compute.push(millis(started.elapsed()));
        assert_eq!(report.students.len(), students);
    }
    // Each query alone, once, to show where loading spends its time.
    let store = backend.store.as_ref();
    let space = teacher.space_id;
    let (from, until) = (window.from, window.until);
    let started = Instant::now();
    let visits = store
        .analytics_visits(space, from, until)
        .await
        .unwrap()
        .len();
    let visits_ms = millis(started.elapsed());
    let started = Instant::now();
    let interactions = store
        .analytics_interactions(space, from, until)
        .await
        .unwrap()
        .len();
    let interactions_ms = millis(started.elapsed());
    let started = Instant::now();
    let messages = store
        .analytics_messages(space, from, until)
        .await
        .unwrap()
        .len();
    let messages_ms = millis(started.elapsed());
    println!(
        "  queries alone: {visits} visits {visits_ms:.1} ms, {interactions} interactions \
         {interactions_ms:.1} ms, {messages} messages {messages_ms:.1} ms"
    );
    summary("load rows, uncached", &mut load);
    summary("load rows, cached", &mut cached);
    summary("compute report", &mut compute);

    if let Some((url, schema)) = backend.cleanup {
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
    }
}

fn main() {
    let students = setting("COWORK_BENCH_STUDENTS", 300);
    let events = setting("COWORK_BENCH_EVENTS", 200_000);
    let rounds = setting("COWORK_BENCH_ROUNDS", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        run(sqlite_backend(dir.path()).await, students, events, rounds).await;
        if let Ok(url) = std::env::var("COWORK_BENCH_POSTGRES_URL") {
            run(postgres_backend(&url).await, students, events, rounds).await;
        }
    });
}
