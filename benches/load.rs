//! Load generator for complete LTI 1.3 launches, against cowork and two peer LTI stacks.
//!
//! One launch is what a browser does between clicking an activity in Moodle and seeing
//! the tool's page. It has four steps:
//! 1. the login initiation POST to the tool, which redirects to the platform;
//! 2. the GET of the platform's authorization endpoint, which signs an id_token;
//! 3. the form POST of id_token and state to the tool's launch URL;
//! 4. the GET of the page the launch redirects to (cowork's space page, ltijs's `?ltik=`
//!    page). pylti1p3 renders its page in the launch response, so it has no step 4.
//!
//! Cookies a tool sets are returned to it, as a browser does. The latency of a launch
//! covers all its steps.
//!
//! The platform is cowork's demo platform (`cowork::demo`), run inside this process on
//! 127.0.0.1 with one instance per tool. Every tool, peers included, is driven through its
//! authorization endpoint, its RS256 signing and its JWKS. The peers therefore serve the
//! same `/lti/login` and `/lti/launch` paths as cowork.
//!
//! Tools (all bind 127.0.0.1, on free ports):
//! - `cowork`: the release `cowork serve` of this bench build, as a child process, on a
//!   fresh SQLite file, or on a fresh PostgreSQL database when COWORK_BENCH_POSTGRES_URL
//!   is set. With COWORK_LOAD_INSTANCES=2 (PostgreSQL only) two processes share the
//!   database and one public URL, and this program plays the load balancer: launch `i`
//!   logs in on instance `i % 2` and posts the launch and gets the page on the other.
//! - `ltijs`: `node benches/peers/ltijs/index.js` (ltijs with ltijs-sequelize on a fresh
//!   PostgreSQL database; requires COWORK_BENCH_POSTGRES_URL).
//! - `pylti1p3`: `gunicorn -w CORES app:app` in benches/peers/pylti1p3 (Flask).
//!
//! The peers are installed by `bash benches/peers/setup.sh` into target/peers.
//!
//! Settings (environment variables):
//! - COWORK_LOAD_TARGETS: tools to measure one after another, comma-separated
//!   (`cowork`, `cowork-sqlite`, `ltijs`, `pylti1p3`; default `cowork`). `cowork-sqlite`
//!   is cowork on SQLite even when COWORK_BENCH_POSTGRES_URL is set, so one invocation
//!   can measure both backends beside the peers.
//! - COWORK_LOAD_CONCURRENCY: maximum launches in flight (default 200).
//! - COWORK_LOAD_RATE: launches started per second; 0 (the default) runs closed-loop,
//!   each of CONCURRENCY workers starting its next launch when the last one ends. With a
//!   rate, a launch's latency counts from its scheduled start, so time spent waiting for
//!   a free slot is included.
//! - COWORK_LOAD_COUNT: launches to run; 0 (the default) runs for DURATION instead.
//! - COWORK_LOAD_DURATION_SECS: length of the measured run when COUNT is 0 (default 20).
//! - COWORK_LOAD_WARMUP: launches run before measuring, at the same concurrency
//!   (default 200).
//! - COWORK_LOAD_WS_CLIENTS: WebSocket clients kept connected to cowork's space
//!   WebSocket during the run, each launched first (default 0; ignored for peers).
//! - COWORK_LOAD_INSTANCES: cowork processes, 1 or 2 (default 1).
//! - COWORK_LOAD_INSTANCE_CPU: CPU cap of each cowork process, in cores (default 0, no
//!   cap). Each process runs in a cgroup of its own with that CFS quota, as on a node of
//!   that size, so that the database and this program are not the limit. Needs root and
//!   the cgroup v1 `cpu` controller at /sys/fs/cgroup/cpu.
//! - COWORK_BENCH_POSTGRES_URL: a PostgreSQL URL whose user may create databases, e.g.
//!   `postgres://postgres@127.0.0.1:5432/test`; each run creates and drops its own
//!   databases.
//! - COWORK_LOAD_PEERS_DIR: where setup.sh installed the peers (default target/peers).
//!
//! Run: `CARGO_INCREMENTAL=0 cargo bench --bench load`. It reports, per tool, throughput,
//! p50/p95/p99 latency of the whole launch and of each step, errors (count and the first
//! distinct reasons), and the tool's memory: VmRSS at rest, the highest VmRSS sampled
//! every 100 ms under load, and VmHWM, each summed over the tool's processes (gunicorn's
//! master and workers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cowork::demo::{self, DemoPlatform, LaunchChoice};
use futures_util::{SinkExt, StreamExt};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::Url;
use serde_json::{json, Value};
use support::{add_platform, free_port, percentile};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod support;

/// Courses of the demo catalogue that launches are spread over.
const COURSES: [&str; 2] = ["course-bc101", "course-da201"];
/// Distinct error reasons kept for the report.
const MAX_REASONS: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// cowork on PostgreSQL when COWORK_BENCH_POSTGRES_URL is set, else on SQLite.
    Cowork,
    /// cowork on SQLite even when COWORK_BENCH_POSTGRES_URL is set.
    CoworkSqlite,
    Ltijs,
    Pylti1p3,
}

impl Target {
    fn parse(name: &str) -> Self {
        match name.trim() {
            "cowork" => Target::Cowork,
            "cowork-sqlite" => Target::CoworkSqlite,
            "ltijs" => Target::Ltijs,
            "pylti1p3" => Target::Pylti1p3,
            other => panic!(
                "COWORK_LOAD_TARGETS: unknown tool {other:?}; expected cowork, cowork-sqlite, ltijs or pylti1p3"
            ),
        }
    }

    fn is_cowork(self) -> bool {
        matches!(self, Target::Cowork | Target::CoworkSqlite)
    }

    fn name(self) -> &'static str {
        match self {
            Target::Cowork => "cowork",
            Target::CoworkSqlite => "cowork-sqlite",
            Target::Ltijs => "ltijs",
            Target::Pylti1p3 => "pylti1p3",
        }
    }
}

struct Settings {
    targets: Vec<Target>,
    concurrency: usize,
    rate: f64,
    count: usize,
    duration: Duration,
    warmup: usize,
    ws_clients: usize,
    instances: usize,
    instance_cpu: f64,
    postgres_url: Option<String>,
    peers_dir: PathBuf,
}

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a valid number")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let targets = std::env::var("COWORK_LOAD_TARGETS")
            .unwrap_or_else(|_| "cowork".into())
            .split(',')
            .filter(|name| !name.trim().is_empty())
            .map(Target::parse)
            .collect();
        let instances = setting("COWORK_LOAD_INSTANCES", 1usize);
        assert!(
            instances == 1 || instances == 2,
            "COWORK_LOAD_INSTANCES must be 1 or 2, got {instances}"
        );
        let postgres_url = std::env::var("COWORK_BENCH_POSTGRES_URL").ok();
        assert!(
            instances == 1 || postgres_url.is_some(),
            "COWORK_LOAD_INSTANCES=2 needs COWORK_BENCH_POSTGRES_URL: two processes cannot share a SQLite file"
        );
        let peers_dir = std::env::var("COWORK_LOAD_PEERS_DIR").map_or_else(
            |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers"),
            PathBuf::from,
        );
        Self {
            targets,
            concurrency: setting("COWORK_LOAD_CONCURRENCY", 200usize).max(1),
            rate: setting("COWORK_LOAD_RATE", 0.0f64),
            count: setting("COWORK_LOAD_COUNT", 0usize),
            duration: Duration::from_secs_f64(setting("COWORK_LOAD_DURATION_SECS", 20.0f64)),
            warmup: setting("COWORK_LOAD_WARMUP", 200usize),
            ws_clients: setting("COWORK_LOAD_WS_CLIENTS", 0usize),
            instances,
            instance_cpu: setting("COWORK_LOAD_INSTANCE_CPU", 0.0f64),
            postgres_url,
            peers_dir,
        }
    }
}

fn main() {
    let settings = Settings::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(settings));
}

async fn run(settings: Settings) {
    println!(
        "load: targets {:?}, concurrency {}, rate {}, count {}, duration {:?}, warmup {}, WebSocket clients {}, cowork instances {}, database {}",
        settings.targets.iter().map(|t| t.name()).collect::<Vec<_>>(),
        settings.concurrency,
        if settings.rate > 0.0 { format!("{}/s", settings.rate) } else { "closed-loop".into() },
        settings.count,
        settings.duration,
        settings.warmup,
        settings.ws_clients,
        settings.instances,
        if settings.postgres_url.is_some() { "PostgreSQL" } else { "SQLite" },
    );
    println!("loadavg before: {}", loadavg());
    let mut reports = Vec::new();
    for &target in &settings.targets {
        match measure(target, &settings).await {
            Ok(report) => {
                report.print();
                reports.push(report);
            }
            Err(error) => println!("\n== {}: not measured: {error}", target.name()),
        }
    }
    println!("\nloadavg after: {}", loadavg());
    print_ratios(&reports);
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A tool under test: its processes and the URLs launches go to.
struct Tool {
    children: Vec<Child>,
    /// Base URL of each process, e.g. `http://127.0.0.1:40123`.
    bases: Vec<String>,
    /// Databases to drop when the tool has stopped: (server URL, database name).
    databases: Vec<(String, String)>,
    /// Files that receive the processes' standard error.
    logs: Vec<PathBuf>,
    /// CPU cgroups made for the processes, removed once they have exited.
    cgroups: Vec<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Tool {
    fn pids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    /// Prints each process that has exited, with the end of the tool's logs, because
    /// launches that fail after a crash would otherwise show only connection errors.
    fn report_exits(&mut self) {
        let mut exited = false;
        for child in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                println!("process {} exited during the run: {status}", child.id());
                exited = true;
            }
        }
        if !exited {
            return;
        }
        for log in &self.logs {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            println!("last lines of {}:", log.display());
            for line in &lines[lines.len().saturating_sub(20)..] {
                println!("  {line}");
            }
        }
    }

    async fn stop(mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for (server, name) in std::mem::take(&mut self.databases) {
            drop_database(&server, &name).await;
        }
    }
}

impl Drop for Tool {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for cgroup in &self.cgroups {
            let _ = std::fs::remove_dir(cgroup);
        }
    }
}

/// Caps the CPU of process `pid` at `cores` by moving it into a new cgroup with that CFS
/// quota, and returns the cgroup's folder.
fn cap_cpu(pid: u32, cores: f64) -> Result<PathBuf, String> {
    const PERIOD_US: f64 = 100_000.0;
    let cgroup = PathBuf::from(format!("/sys/fs/cgroup/cpu/cowork-load-{pid}"));
    let write = |file: &str, value: String| {
        std::fs::write(cgroup.join(file), &value)
            .map_err(|error| format!("write {value} to {}/{file}: {error}", cgroup.display()))
    };
    std::fs::create_dir(&cgroup).map_err(|error| {
        format!(
            "create {}: {error} (COWORK_LOAD_INSTANCE_CPU needs root and the cgroup v1 cpu controller)",
            cgroup.display()
        )
    })?;
    write("cpu.cfs_period_us", format!("{}", PERIOD_US as u64))?;
    write(
        "cpu.cfs_quota_us",
        format!("{}", (cores * PERIOD_US).round() as u64),
    )?;
    write("cgroup.procs", pid.to_string())?;
    Ok(cgroup)
}

async fn measure(target: Target, settings: &Settings) -> Result<Report, String> {
    println!("\n== {}: starting", target.name());
    let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let public_port = free_port();
    let public = format!("http://127.0.0.1:{public_port}");
    let platform = Arc::new(DemoPlatform::new(platform_url, public.clone()));
    let router = demo::router(platform.clone());
    let platform_server = tokio::spawn(async move { axum::serve(platform_listener, router).await });

    let tool = match target {
        Target::Cowork => start_cowork(&platform, public_port, settings, true).await?,
        Target::CoworkSqlite => start_cowork(&platform, public_port, settings, false).await?,
        Target::Ltijs => start_ltijs(&platform, public_port, settings).await?,
        Target::Pylti1p3 => start_pylti1p3(&platform, public_port, settings).await?,
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(settings.concurrency + 32)
        .build()
        .unwrap();
    for base in &tool.bases {
        wait_ready(&http, base).await?;
    }
    let pids = tool.pids();
    let rest = tree_memory_kib(&pids);
    let driver = Driver {
        http: http.clone(),
        platform: platform.clone(),
        bases: tool.bases.clone(),
        follow_page: target != Target::Pylti1p3,
    };

    let sockets = if target.is_cowork() && settings.ws_clients > 0 {
        Some(connect_sockets(&driver, settings.ws_clients, &public).await?)
    } else {
        None
    };
    let connected = tree_memory_kib(&pids);

    if settings.warmup > 0 {
        let warmup = Plan {
            concurrency: settings.concurrency,
            rate: 0.0,
            count: Some(settings.warmup),
            duration: Duration::ZERO,
            prefix: "warmup",
        };
        let warmed = driver.drive(&warmup).await;
        if warmed.errors > 0 {
            println!(
                "warmup: {} of {} launches failed, first reasons: {:?}",
                warmed.errors, settings.warmup, warmed.reasons
            );
        }
    }

    let sampler = MemorySampler::start(pids.clone());
    let load_before = loadavg();
    let cpu_before = (tree_cpu(&pids), process_cpu(std::process::id()));
    let plan = Plan {
        concurrency: settings.concurrency,
        rate: settings.rate,
        count: (settings.count > 0).then_some(settings.count),
        duration: settings.duration,
        prefix: "load",
    };
    let outcome = driver.drive(&plan).await;
    let cpu = (
        tree_cpu(&pids).saturating_sub(cpu_before.0),
        process_cpu(std::process::id()).saturating_sub(cpu_before.1),
    );
    let load_after = loadavg();
    let peak_sampled = sampler.stop().await;
    let end = tree_memory_kib(&pids);
    let sockets_open = sockets.as_ref().map(|s| s.open());
    drop(sockets);

    let instances = tool.bases.len();
    let mut tool = tool;
    tool.report_exits();
    tool.stop().await;
    platform_server.abort();
    Ok(Report {
        target,
        instances,
        outcome,
        rest,
        connected,
        peak_sampled,
        end,
        sockets: sockets_open.map(|open| (open, settings.ws_clients)),
        cpu,
        load_before,
        load_after,
    })
}

/// Polls `{base}/healthz` until it returns 200, for up to 60 seconds.
async fn wait_ready(http: &reqwest::Client, base: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{base}/healthz did not answer 200 within 60 s"))
}

/// Creates an empty database `name` on the server of `url` and returns its URL.
async fn create_database(url: &str, name: &str) -> Result<String, String> {
    let pool = sqlx::PgPool::connect(url)
        .await
        .map_err(|error| format!("connect to PostgreSQL at {url}: {error}"))?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\""))
        .execute(&pool)
        .await
        .map_err(|error| format!("drop database {name}: {error}"))?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&pool)
        .await
        .map_err(|error| format!("create database {name}: {error}"))?;
    pool.close().await;
    let mut database = Url::parse(url).map_err(|error| format!("{url}: {error}"))?;
    database.set_path(&format!("/{name}"));
    Ok(database.to_string())
}

async fn drop_database(url: &str, name: &str) {
    let Ok(pool) = sqlx::PgPool::connect(url).await else {
        return;
    };
    if let Err(error) = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&pool)
        .await
    {
        eprintln!("failed to drop database {name}: {error}");
    }
    pool.close().await;
}

/// Creates `dir/name` for a process's output and records its path in `logs`.
fn log_file(dir: &Path, name: &str, logs: &mut Vec<PathBuf>) -> Stdio {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    logs.push(path);
    Stdio::from(file)
}

async fn start_cowork(
    platform: &DemoPlatform,
    public_port: u16,
    settings: &Settings,
    postgres: bool,
) -> Result<Tool, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut databases = Vec::new();
    let postgres_url = settings.postgres_url.as_ref().filter(|_| postgres);
    // Two processes cannot share a SQLite file.
    let instances = if postgres_url.is_some() {
        settings.instances
    } else {
        1
    };
    let database = match postgres_url {
        Some(url) => {
            let name = format!("cowork_load_{}", std::process::id());
            let database = create_database(url, &name).await?;
            databases.push((url.clone(), name));
            database
        }
        None => format!("sqlite://{}", dir.path().join("load.db").display()),
    };
    add_platform(&database, platform)?;

    let binary = env!("CARGO_BIN_EXE_cowork");
    let mut tool = Tool {
        children: Vec::new(),
        bases: Vec::new(),
        databases,
        logs: Vec::new(),
        cgroups: Vec::new(),
        _dir: dir,
    };

    let http = reqwest::Client::new();
    for instance in 0..instances {
        // The first instance listens on the public URL's port; both present that URL,
        // as instances behind one load balancer do.
        let port = if instance == 0 {
            public_port
        } else {
            free_port()
        };
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(binary)
            .arg("serve")
            .env("COWORK_DATABASE_URL", &database)
            .env("COWORK_BIND", format!("127.0.0.1:{port}"))
            .env(
                "COWORK_PUBLIC_URL",
                format!("http://127.0.0.1:{public_port}"),
            )
            .env("COWORK_LOG", "warn")
            // The demo platform listens on 127.0.0.1.
            .env("COWORK_ALLOW_PRIVATE_ADDRESSES", "true")
            // Launch throughput is measured beyond the per-registration rate limit.
            .env("COWORK_LOGIN_RATE_PER_MINUTE", "0")
            .env("COWORK_WRITE_RATE_PER_MINUTE", "0")
            .stdout(Stdio::null())
            .stderr(log_file(
                tool._dir.path(),
                &format!("cowork-{instance}.log"),
                &mut tool.logs,
            ))
            .spawn()
            .map_err(|error| format!("start {binary}: {error}"))?;
        let pid = child.id();
        tool.children.push(child);
        if settings.instance_cpu > 0.0 {
            tool.cgroups.push(cap_cpu(pid, settings.instance_cpu)?);
        }
        // The first instance creates the shared session key; the second must load it.
        wait_ready(&http, &base).await?;
        tool.bases.push(base);
    }
    println!(
        "cowork: {} instance(s) at {:?}, database {}, CPU cap per instance {}",
        instances,
        tool.bases,
        if postgres_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        if settings.instance_cpu > 0.0 {
            format!("{} cores", settings.instance_cpu)
        } else {
            "none".into()
        }
    );
    Ok(tool)
}

/// Environment shared by both peers: the platform registration and a session secret.
fn peer_env(command: &mut Command, platform: &DemoPlatform) {
    let registration = platform.registration();
    command
        .env("PEER_ISSUER", &registration.issuer)
        .env("PEER_CLIENT_ID", &registration.client_id)
        .env("PEER_DEPLOYMENT_ID", &registration.deployments[0])
        .env("PEER_AUTH_URL", &registration.auth_url)
        .env("PEER_TOKEN_URL", &registration.token_url)
        .env("PEER_JWKS_URL", &registration.jwks_url)
        .env("PEER_SECRET", cowork::random_token(32));
}

async fn start_ltijs(
    platform: &DemoPlatform,
    port: u16,
    settings: &Settings,
) -> Result<Tool, String> {
    let Some(url) = &settings.postgres_url else {
        return Err("ltijs needs COWORK_BENCH_POSTGRES_URL (its database plugin here is Sequelize on PostgreSQL)".into());
    };
    let modules = settings.peers_dir.join("ltijs/node_modules");
    if !modules.join("ltijs").exists() {
        return Err(format!(
            "ltijs is not installed in {}; run `bash benches/peers/setup.sh`",
            modules.display()
        ));
    }

    let dir = tempfile::tempdir().unwrap();
    let name = format!("ltijs_load_{}", std::process::id());
    create_database(url, &name).await?;
    let server = Url::parse(url).map_err(|error| format!("{url}: {error}"))?;

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/ltijs/index.js");
    let mut logs = Vec::new();
    let mut command = Command::new("node");
    command
        .arg(&script)
        .env("NODE_PATH", &modules)
        .env("NODE_ENV", "production")
        .env("PEER_PORT", port.to_string())
        .env("PEER_DB_NAME", &name)
        .env("PEER_DB_HOST", server.host_str().unwrap_or("127.0.0.1"))
        .env("PEER_DB_PORT", server.port().unwrap_or(5432).to_string())
        .env("PEER_DB_USER", server.username())
        .env("PEER_DB_PASSWORD", server.password().unwrap_or(""))
        .stdout(log_file(dir.path(), "ltijs.out", &mut logs))
        .stderr(log_file(dir.path(), "ltijs.err", &mut logs));
    peer_env(&mut command, platform);
    let child = command
        .spawn()
        .map_err(|error| format!("start node: {error}"))?;
    println!(
        "ltijs: node {} on 127.0.0.1:{port}, NODE_ENV=production, database PostgreSQL",
        script.display()
    );
    Ok(Tool {
        children: vec![child],
        bases: vec![format!("http://127.0.0.1:{port}")],
        databases: vec![(url.clone(), name)],
        logs,
        cgroups: Vec::new(),
        _dir: dir,
    })
}

async fn start_pylti1p3(
    platform: &DemoPlatform,
    port: u16,
    settings: &Settings,
) -> Result<Tool, String> {
    let gunicorn = settings.peers_dir.join("venv/bin/gunicorn");
    if !gunicorn.exists() {
        return Err(format!(
            "{} is missing; run `bash benches/peers/setup.sh`",
            gunicorn.display()
        ));
    }

    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let dir = tempfile::tempdir().unwrap();
    let app_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/pylti1p3");
    let mut logs = Vec::new();
    let mut command = Command::new(&gunicorn);
    command
        .args([
            "--workers",
            &workers.to_string(),
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--chdir",
            &app_dir.display().to_string(),
            "--log-level",
            "warning",
            "app:app",
        ])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(log_file(dir.path(), "gunicorn.out", &mut logs))
        .stderr(log_file(dir.path(), "gunicorn.err", &mut logs));
    peer_env(&mut command, platform);
    let child = command
        .spawn()
        .map_err(|error| format!("start gunicorn: {error}"))?;
    println!(
        "pylti1p3: gunicorn --workers {workers} (sync workers) --bind 127.0.0.1:{port} app:app"
    );
    Ok(Tool {
        children: vec![child],
        bases: vec![format!("http://127.0.0.1:{port}")],
        databases: Vec::new(),
        logs,
        cgroups: Vec::new(),
        _dir: dir,
    })
}

/// Returns `pids` and all their descendants.
fn process_tree(pids: &[u32]) -> Vec<u32> {
    let mut all = pids.to_vec();
    let mut index = 0;
    while index < all.len() {
        let parent = all[index];
        all.extend(children_of(parent));
        index += 1;
    }
    all
}

/// Resident and peak resident memory in KiB, summed over `pids` and their descendants.
fn tree_memory_kib(pids: &[u32]) -> (u64, u64) {
    process_tree(pids).iter().fold((0, 0), |(rss, hwm), pid| {
        let (r, h) = support::server::memory_kib(*pid);
        (rss + r, hwm + h)
    })
}

/// CPU time (user and system, all threads) of `pids` and their descendants.
fn tree_cpu(pids: &[u32]) -> Duration {
    process_tree(pids).iter().map(|pid| process_cpu(*pid)).sum()
}

/// CPU time of one process from `/proc/PID/stat` (`utime` and `stime`, in clock ticks).
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may contain spaces, so fields are counted after its closing ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of the line (utime, stime) are at indexes 11 and 12 after the name.
    let total = ticks(11) + ticks(12);
    Duration::from_secs_f64(total as f64 / clock_ticks_per_second())
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

fn children_of(parent: u32) -> Vec<u32> {
    let path = format!("/proc/{parent}/task/{parent}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|pid| pid.parse().ok())
        .collect()
}

/// Samples the summed VmRSS every 100 ms and keeps the highest value.
struct MemorySampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl MemorySampler {
    fn start(pids: Vec<u32>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let task = {
            let (stop, peak) = (stop.clone(), peak.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(tree_memory_kib(&pids).0, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        Self { stop, peak, task }
    }

    async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        self.peak.load(Ordering::Relaxed)
    }
}

/// How many launches to run and how fast.
struct Plan {
    concurrency: usize,
    /// Launches started per second; 0 runs closed-loop.
    rate: f64,
    /// A fixed number of launches, or `None` to run for `duration`.
    count: Option<usize>,
    duration: Duration,
    /// Prefix of the launching people's ids, so each run launches new people.
    prefix: &'static str,
}

/// Durations of one launch's steps.
#[derive(Clone, Copy, Default)]
struct Steps {
    login: Duration,
    authorize: Duration,
    launch: Duration,
    page: Duration,
}

#[derive(Default)]
struct Outcome {
    launches: usize,
    errors: usize,
    reasons: Vec<String>,
    elapsed: Duration,
    /// Whole-launch latency of each successful launch, in ms.
    latencies: Vec<f64>,
    steps: Vec<Steps>,
}

#[derive(Default)]
struct Tally {
    errors: usize,
    reasons: Vec<String>,
    latencies: Vec<f64>,
    steps: Vec<Steps>,
}

impl Tally {
    fn record(&mut self, result: Result<Steps, String>, latency: Duration) {
        match result {
            Ok(steps) => {
                self.latencies.push(latency.as_secs_f64() * 1000.0);
                self.steps.push(steps);
            }
            Err(reason) => {
                self.errors += 1;
                if self.reasons.len() < MAX_REASONS && !self.reasons.contains(&reason) {
                    self.reasons.push(reason);
                }
            }
        }
    }
}

/// Runs launches against a tool's processes through the platform.
#[derive(Clone)]
struct Driver {
    http: reqwest::Client,
    platform: Arc<DemoPlatform>,
    bases: Vec<String>,
    /// Whether the launch response is a redirect to the page (cowork, ltijs).
    follow_page: bool,
}

impl Driver {
    async fn drive(&self, plan: &Plan) -> Outcome {
        let tally = Arc::new(Mutex::new(Tally::default()));
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let deadline = started + plan.duration;
        let within = move |index: usize, now: Instant| match plan.count {
            Some(count) => index < count,
            None => now < deadline,
        };
        if plan.rate > 0.0 {
            let slots = Arc::new(Semaphore::new(plan.concurrency));
            let mut tasks = Vec::new();
            for index in 0.. {
                let scheduled = started + Duration::from_secs_f64(index as f64 / plan.rate);
                if !within(index, scheduled) {
                    break;
                }
                tokio::time::sleep_until(scheduled.into()).await;
                let permit = slots.clone().acquire_owned().await.unwrap();
                let (driver, tally) = (self.clone(), tally.clone());
                let user = format!("{}-{index}", plan.prefix);
                tasks.push(tokio::spawn(async move {
                    let result = driver.launch(index, &user).await;
                    tally.lock().unwrap().record(result, scheduled.elapsed());
                    drop(permit);
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
        } else {
            let mut workers = Vec::new();
            for _ in 0..plan.concurrency {
                let (driver, tally, next) = (self.clone(), tally.clone(), next.clone());
                let count = plan.count;
                let prefix = plan.prefix;
                workers.push(tokio::spawn(async move {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let now = Instant::now();
                        let more = match count {
                            Some(count) => index < count,
                            None => now < deadline,
                        };
                        if !more {
                            break;
                        }
                        let result = driver.launch(index, &format!("{prefix}-{index}")).await;
                        tally.lock().unwrap().record(result, now.elapsed());
                    }
                }));
            }
            for worker in workers {
                worker.await.unwrap();
            }
        }
        let elapsed = started.elapsed();
        let tally = std::mem::take(&mut *tally.lock().unwrap());
        let mut latencies = tally.latencies;
        latencies.sort_by(f64::total_cmp);
        Outcome {
            launches: latencies.len() + tally.errors,
            errors: tally.errors,
            reasons: tally.reasons,
            elapsed,
            latencies,
            steps: tally.steps,
        }
    }

    /// Runs launch number `index` for person `user`. With two processes, the login goes
    /// to one and the launch and page to the other.
    async fn launch(&self, index: usize, user: &str) -> Result<Steps, String> {
        let first = &self.bases[index % self.bases.len()];
        let second = &self.bases[(index + 1) % self.bases.len()];
        self.launch_via(
            first,
            second,
            user,
            "learner",
            COURSES[index % COURSES.len()],
        )
        .await
        .map(|(steps, _)| steps)
    }

    /// Runs one complete launch and returns its step durations and the final page URL
    /// (the launch redirect's target, or the launch URL when the launch renders the page).
    async fn launch_via(
        &self,
        login_base: &str,
        launch_base: &str,
        user: &str,
        role: &str,
        course: &str,
    ) -> Result<(Steps, String), String> {
        let mut steps = Steps::default();
        let mut cookies = CookieJar::default();
        let choice = LaunchChoice {
            course_id: course.into(),
            user_id: user.into(),
            role: role.into(),
            locale: "en".into(),
            document_target: "iframe".into(),
            ..LaunchChoice::default()
        };
        let params = self.platform.login_initiation(choice);

        let started = Instant::now();
        let login = self
            .http
            .post(format!("{login_base}/lti/login"))
            .form(&params)
            .send()
            .await
            .map_err(|error| format!("login: {}", without_url(&error)))?;
        cookies.take(&login);
        let location = redirect_target(&login, login_base).map_err(|e| format!("login: {e}"))?;
        steps.login = started.elapsed();

        let started = Instant::now();
        let auth = self
            .http
            .get(location)
            .send()
            .await
            .map_err(|error| format!("authorize: {}", without_url(&error)))?;
        let status = auth.status();
        let body = auth
            .text()
            .await
            .map_err(|error| format!("authorize: {}", without_url(&error)))?;
        if !status.is_success() {
            return Err(format!("authorize: status {status}: {}", first_line(&body)));
        }
        let id_token = hidden(&body, "id_token").ok_or("authorize: no id_token in the form")?;
        let state = hidden(&body, "state").ok_or("authorize: no state in the form")?;
        steps.authorize = started.elapsed();

        let started = Instant::now();
        let launch_url = format!("{launch_base}/lti/launch");
        let mut request = self
            .http
            .post(&launch_url)
            .form(&[("id_token", id_token.as_str()), ("state", state.as_str())]);
        if let Some(header) = cookies.header() {
            request = request.header(COOKIE, header);
        }
        let launched = request
            .send()
            .await
            .map_err(|error| format!("launch: {}", without_url(&error)))?;
        cookies.take(&launched);
        if !self.follow_page {
            let status = launched.status();
            let body = launched
                .text()
                .await
                .map_err(|error| format!("launch: {}", without_url(&error)))?;
            if status != 200 {
                return Err(format!("launch: status {status}: {}", first_line(&body)));
            }
            steps.launch = started.elapsed();
            return Ok((steps, launch_url));
        }
        let page_url =
            redirect_target(&launched, launch_base).map_err(|e| format!("launch: {e}"))?;
        steps.launch = started.elapsed();

        let started = Instant::now();
        let mut request = self.http.get(page_url.clone());
        if let Some(header) = cookies.header() {
            request = request.header(COOKIE, header);
        }
        let page = request
            .send()
            .await
            .map_err(|error| format!("page: {}", without_url(&error)))?;
        let status = page.status();
        let body = page
            .text()
            .await
            .map_err(|error| format!("page: {}", without_url(&error)))?;
        if status != 200 {
            return Err(format!("page: status {status}: {}", first_line(&body)));
        }
        steps.page = started.elapsed();
        Ok((steps, page_url.to_string()))
    }
}

/// Cookies set during one launch, returned on the next requests as a browser does.
#[derive(Default)]
struct CookieJar {
    pairs: BTreeMap<String, String>,
}

impl CookieJar {
    fn take(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.pairs
                    .insert(name.trim().to_string(), value.trim().to_string());
            }
        }
    }

    fn header(&self) -> Option<String> {
        if self.pairs.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        Some(pairs.join("; "))
    }
}

/// Returns the absolute target of a redirect response.
fn redirect_target(response: &reqwest::Response, base: &str) -> Result<Url, String> {
    let status = response.status();
    if !status.is_redirection() {
        return Err(format!("status {status}, expected a redirect"));
    }
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or("redirect without a Location header")?;
    Url::parse(base)
        .and_then(|base| base.join(location))
        .map_err(|error| format!("invalid Location {location:?}: {error}"))
}

/// Formats an error and its causes without the request URL, so reasons with different
/// ids compare equal.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn first_line(body: &str) -> String {
    body.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect()
}

/// Reads a hidden form field of the platform's auto-posting page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = start + html[start..].find('"')?;
    Some(
        html[start..end]
            .replace("&amp;", "&")
            .replace("&quot;", "\""),
    )
}

/// WebSocket clients kept connected to cowork during a run.
struct Sockets {
    open: Arc<AtomicUsize>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    _sinks: Vec<futures_util::stream::SplitSink<WsStream, Message>>,
}

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Sockets {
    fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
}

impl Drop for Sockets {
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

/// Launches `count` people (32 at a time, not measured), connects each to the space
/// WebSocket, spread over the processes, and joins the space's open room.
async fn connect_sockets(driver: &Driver, count: usize, public: &str) -> Result<Sockets, String> {
    let started = Instant::now();
    let slots = Arc::new(Semaphore::new(32));
    let mut tasks = Vec::new();
    for index in 0..count {
        let (driver, slots) = (driver.clone(), slots.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = slots.acquire().await.unwrap();
            let base = driver.bases[index % driver.bases.len()].clone();
            let course = COURSES[index % COURSES.len()];
            let user = format!("socket-{index}");
            driver
                .launch_via(&base, &base, &user, "learner", course)
                .await
                .map(|(_, page)| (base, page))
        }));
    }
    let mut pages = Vec::new();
    for task in tasks {
        pages.push(task.await.unwrap()?);
    }
    let launched_secs = started.elapsed().as_secs_f64();

    let mut open_rooms: BTreeMap<i64, i64> = BTreeMap::new();
    let open = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    let mut sinks = Vec::new();
    let connecting = Instant::now();
    for (base, page) in pages {
        let page = Url::parse(&page).map_err(|error| error.to_string())?;
        let space_id: i64 = page
            .path()
            .trim_start_matches("/spaces/")
            .parse()
            .map_err(|_| format!("page {page} is not a space page"))?;
        let token = page
            .query_pairs()
            .find(|(name, _)| name == "lt")
            .map(|(_, value)| value.into_owned())
            .ok_or("space page URL without lt")?;
        if let std::collections::btree_map::Entry::Vacant(entry) = open_rooms.entry(space_id) {
            entry.insert(open_room(&driver.http, &base, space_id, &token).await?);
        }
        let ws_url = support::socket_url(&driver.http, &base, space_id, &token).await?;
        let mut request = ws_url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", public.parse().unwrap());
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|error| format!("WebSocket connect: {error}"))?;
        let (mut sink, mut stream) = socket.split();
        let join = json!({"type": "join", "room_id": open_rooms[&space_id]});
        sink.send(Message::Text(join.to_string().into()))
            .await
            .map_err(|error| format!("WebSocket join: {error}"))?;
        open.fetch_add(1, Ordering::Relaxed);
        let open = open.clone();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(_)) = stream.next().await {}
            open.fetch_sub(1, Ordering::Relaxed);
        }));
        sinks.push(sink);
    }
    println!(
        "WebSocket clients: {count} launched in {launched_secs:.1} s, connected in {:.1} s",
        connecting.elapsed().as_secs_f64()
    );
    // Presence updates of the connect phase settle before the run starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(Sockets {
        open,
        readers,
        _sinks: sinks,
    })
}

/// Returns the id of the space's open room, the first room its list names.
async fn open_room(
    http: &reqwest::Client,
    base: &str,
    space_id: i64,
    token: &str,
) -> Result<i64, String> {
    let listed: Value = http
        .get(format!("{base}/spaces/{space_id}/rooms"))
        .header("x-cowork-token", token)
        .send()
        .await
        .map_err(|error| format!("list rooms: {error}"))?
        .json()
        .await
        .map_err(|error| format!("list rooms: {error}"))?;
    listed["rooms"][0]["id"]
        .as_i64()
        .ok_or_else(|| format!("list rooms of space {space_id}: no room in {listed}"))
}

struct Report {
    target: Target,
    instances: usize,
    outcome: Outcome,
    /// (VmRSS, VmHWM) in KiB at rest, after the WebSocket clients connected, and at the end.
    rest: (u64, u64),
    connected: (u64, u64),
    /// Highest VmRSS sampled during the measured run, in KiB.
    peak_sampled: u64,
    end: (u64, u64),
    /// WebSocket clients still open at the end, and how many were connected.
    sockets: Option<(usize, usize)>,
    /// CPU time used during the measured run by the tool's processes and by this program
    /// (platform and clients).
    cpu: (Duration, Duration),
    load_before: String,
    load_after: String,
}

impl Report {
    fn throughput(&self) -> f64 {
        (self.outcome.launches - self.outcome.errors) as f64 / self.outcome.elapsed.as_secs_f64()
    }

    fn p(&self, fraction: f64) -> f64 {
        percentile(&self.outcome.latencies, fraction)
    }

    fn print(&self) {
        let outcome = &self.outcome;
        let mib = |kib: u64| kib as f64 / 1024.0;
        println!("== {} ({} process(es))", self.target.name(), self.instances);
        println!(
            "loadavg before / after          {} / {}",
            self.load_before, self.load_after
        );
        println!(
            "launches                        {} in {:.1} s, {:.0} per second completed",
            outcome.launches,
            outcome.elapsed.as_secs_f64(),
            self.throughput()
        );
        println!(
            "launch latency p50 / p95 / p99  {:.1} / {:.1} / {:.1} ms (max {:.1} ms)",
            self.p(0.5),
            self.p(0.95),
            self.p(0.99),
            outcome.latencies.last().copied().unwrap_or(f64::NAN)
        );

        let step = |name: &str, pick: fn(&Steps) -> Duration| {
            let mut values: Vec<f64> = outcome
                .steps
                .iter()
                .map(|s| pick(s).as_secs_f64() * 1000.0)
                .collect();
            values.sort_by(f64::total_cmp);
            println!(
                "  {name:<29} {:.1} / {:.1} / {:.1} ms",
                percentile(&values, 0.5),
                percentile(&values, 0.95),
                percentile(&values, 0.99)
            );
        };
        step("login POST", |s| s.login);
        step("platform authorize (signs)", |s| s.authorize);
        step("launch POST", |s| s.launch);
        step("page GET", |s| s.page);

        let per_launch = |cpu: Duration| cpu.as_secs_f64() * 1000.0 / outcome.launches as f64;
        println!(
            "CPU per launch: tool / load     {:.2} ms / {:.2} ms ({:.1} s and {:.1} s in all)",
            per_launch(self.cpu.0),
            per_launch(self.cpu.1),
            self.cpu.0.as_secs_f64(),
            self.cpu.1.as_secs_f64()
        );
        println!("errors                          {}", outcome.errors);
        for reason in &outcome.reasons {
            println!("  {reason}");
        }
        if let Some((open, connected)) = self.sockets {
            println!("WebSocket clients open at end   {open} of {connected}");
        }

        println!(
            "server RSS at rest              {:.1} MiB",
            mib(self.rest.0)
        );
        if self.sockets.is_some() {
            println!(
                "server RSS with sockets         {:.1} MiB",
                mib(self.connected.0)
            );
        }
        println!(
            "server RSS max under load       {:.1} MiB (sampled every 100 ms)",
            mib(self.peak_sampled)
        );
        println!(
            "server RSS at end / VmHWM       {:.1} MiB / {:.1} MiB",
            mib(self.end.0),
            mib(self.end.1)
        );
    }
}

fn print_ratios(reports: &[Report]) {
    let peers = || reports.iter().filter(|r| !r.target.is_cowork());
    for cowork in reports.iter().filter(|r| r.target.is_cowork()) {
        for peer in peers() {
            print_ratio(cowork, peer);
        }
    }
}

/// Prints how cowork compares with a peer: the throughput ratio, and each latency with
/// the factor by which cowork's is lower.
fn print_ratio(cowork: &Report, peer: &Report) {
    let (name, peer_name) = (cowork.target.name(), peer.target.name());
    println!(
        "{name} / {peer_name}: throughput x{:.2}",
        cowork.throughput() / peer.throughput()
    );
    for (label, fraction) in [("p50", 0.5), ("p99", 0.99)] {
        let (ours, theirs) = (cowork.p(fraction), peer.p(fraction));
        println!(
            "{name} / {peer_name}: {label} latency {ours:.1} vs {theirs:.1} ms (x{:.2} lower)",
            theirs / ours
        );
    }
}
