//! `cowork serve` as a child process of a benchmark, on a fresh SQLite file or a fresh
//! PostgreSQL database, with the demo platform registered.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cowork::demo::DemoPlatform;

/// A fresh database for one server run.
pub enum Database {
    /// A SQLite file in a temporary directory, removed with it.
    Sqlite(tempfile::TempDir),
    /// A database created on a PostgreSQL server, dropped by [`Database::drop_now`].
    Postgres { admin_url: String, name: String },
}

impl Database {
    /// Returns a fresh SQLite database in a temporary directory.
    pub fn sqlite() -> Self {
        Database::Sqlite(tempfile::tempdir().unwrap())
    }

    /// Creates database `name` on the server of `admin_url`, dropping a leftover one of
    /// the same name first.
    pub async fn postgres(admin_url: &str, name: &str) -> Self {
        let admin = sqlx::PgPool::connect(admin_url)
            .await
            .unwrap_or_else(|error| panic!("connecting to {admin_url} failed: {error}"));
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        Database::Postgres {
            admin_url: admin_url.to_string(),
            name: name.to_string(),
        }
    }

    /// Returns the backend's name for reports.
    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "SQLite",
            Database::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Returns the `COWORK_DATABASE_URL` value of the database.
    pub fn url(&self) -> String {
        match self {
            Database::Sqlite(dir) => format!("sqlite://{}", dir.path().join("bench.db").display()),
            Database::Postgres { admin_url, name } => {
                let mut url: url::Url = admin_url.parse().expect("a PostgreSQL URL");
                url.set_path(name);
                url.to_string()
            }
        }
    }

    /// Drops a PostgreSQL database. A SQLite file is removed with its temporary directory.
    pub async fn drop_now(self) {
        if let Database::Postgres { admin_url, name } = self {
            let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&admin)
                .await
                .unwrap();
        }
    }
}

/// A running `cowork serve`, killed when dropped.
pub struct Server {
    child: Child,
}

impl Server {
    /// Registers `platform` in `database` with `cowork platform add`, starts `cowork serve`
    /// on `127.0.0.1:port` with the extra environment `env`, and waits until `/healthz`
    /// returns a 2xx status (10 s at most).
    pub async fn start(
        database: &Database,
        port: u16,
        platform: &DemoPlatform,
        env: &[(&str, &str)],
    ) -> Server {
        let binary = env!("CARGO_BIN_EXE_cowork");
        let database_url = database.url();
        super::add_platform(&database_url, platform).unwrap_or_else(|error| panic!("{error}"));
        let tool = format!("http://127.0.0.1:{port}");
        let server = Server {
            child: Command::new(binary)
                .arg("serve")
                .env("COWORK_DATABASE_URL", &database_url)
                .env("COWORK_BIND", format!("127.0.0.1:{port}"))
                .env("COWORK_PUBLIC_URL", &tool)
                .env("COWORK_LOG", "warn")
                // The demo platform listens on 127.0.0.1.
                .env("COWORK_ALLOW_PRIVATE_ADDRESSES", "true")
                // The benchmarks measure throughput beyond the per-registration and
                // per-person rate limits, so they turn them off.
                .env("COWORK_LOGIN_RATE_PER_MINUTE", "0")
                .env("COWORK_WRITE_RATE_PER_MINUTE", "0")
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http
                .get(format!("{tool}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("cowork did not respond to /healthz within 10 s; its standard error is above");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the resident and peak resident memory (`VmRSS`, `VmHWM`) of a process from
/// /proc, in KiB.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Reads the one-, five- and fifteen-minute load averages from /proc/loadavg.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}
