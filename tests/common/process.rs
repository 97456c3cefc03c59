//! Real `cowork serve` processes for tests that stop, kill or restart them, with the
//! database and the demo platform they share.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use cowork::demo::{self, DemoPlatform, LaunchChoice};
use cowork::store::DynStore;
use cowork::unix_now;
use reqwest::redirect::Policy;
use tokio::net::TcpListener;

use super::{field, fresh_store_with_guard, hidden_fields, Backend, SchemaGuard, POSTGRES_ENV};

/// A running `cowork serve`, killed when dropped so a failing test leaves no process.
pub struct Instance {
    pub child: Child,
    pub url: String,
}

impl Instance {
    /// Starts `cowork serve` on a free port of 127.0.0.1 and waits until it is ready.
    pub async fn start(database_url: &str, public_url: &str, port: u16) -> Self {
        Self::start_with(database_url, public_url, port, &[]).await
    }

    /// Like [`Instance::start`], with more environment variables for the process.
    pub async fn start_with(
        database_url: &str,
        public_url: &str,
        port: u16,
        env: &[(&str, &str)],
    ) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_cowork"))
            .arg("serve")
            .env("COWORK_DATABASE_URL", database_url)
            .env("COWORK_BIND", format!("127.0.0.1:{port}"))
            .env("COWORK_PUBLIC_URL", public_url)
            .env("COWORK_GRADE_CLAIM_LEASE_SECS", "60")
            .env("COWORK_GRADE_RETRY_BASE_SECS", "1")
            .env("COWORK_GRADE_RETRY_MAX_DELAY_SECS", "1")
            .env("COWORK_LOG", "warn")
            // The platform doubles listen on 127.0.0.1.
            .env("COWORK_ALLOW_PRIVATE_ADDRESSES", "true")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cowork serve");
        let mut instance = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        instance.wait_ready().await;
        instance
    }

    pub async fn wait_ready(&mut self) {
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("cowork serve at {} exited early with {status}", self.url);
            }
            if let Ok(response) = http.get(format!("{}/readyz", self.url)).send().await {
                if response.status() == 200 {
                    return;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "cowork serve at {} not ready within 30 s",
                self.url
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends SIGTERM, as a service manager stopping the instance does.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(sent, "SIGTERM delivered");
    }

    /// Kills the process with SIGKILL, as a crash or the kernel's out-of-memory killer
    /// would, and waits for it to end.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL delivered");
        self.child.wait().expect("killed process reaped");
    }

    /// Waits for the process to exit and returns whether it exited cleanly.
    pub async fn exited_cleanly(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("process status") {
                return status.success();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "cowork serve at {} still running after SIGTERM",
                self.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Creates a fresh schema in the test PostgreSQL with its migrations applied. Returns it
/// with the URL that points a process at it, or `None` when no PostgreSQL is configured.
pub async fn shared_database(dir: &std::path::Path) -> Option<(DynStore, SchemaGuard, String)> {
    let url = std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|url| !url.is_empty())?;
    let (store, guard) = fresh_store_with_guard(Backend::Postgres, dir).await;
    let guard = guard.expect("PostgreSQL schema guard");
    let separator = if url.contains('?') { '&' } else { '?' };
    let database_url = format!("{url}{separator}options[search_path]={}", guard.schema());
    Some((store, guard, database_url))
}

/// Serves a demo platform on 127.0.0.1 and registers it in the shared database.
pub async fn serve_platform(store: &DynStore, tool_url: &str) -> Arc<DemoPlatform> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}", listener.local_addr().unwrap());
    let platform = Arc::new(DemoPlatform::new(platform_url, tool_url.to_string()));
    store
        .upsert_platform(&platform.registration(), unix_now())
        .await
        .unwrap();
    let router = demo::router(platform.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    platform
}

/// A session on a space: its id and `lt` token.
pub struct Session {
    pub space_id: i64,
    pub token: String,
}

/// Starts a login on `login_tool`, lets the platform sign the launch, and posts it to
/// `launch_tool`. Returns the launch reply.
pub async fn launch_across(
    http: &reqwest::Client,
    platform: &DemoPlatform,
    login_tool: &str,
    launch_tool: &str,
    choice: LaunchChoice,
) -> reqwest::Response {
    let params = platform.login_initiation(choice);
    let login = http
        .post(format!("{login_tool}/lti/login"))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 302, "login redirects to the platform");
    let location = login.headers()["location"].to_str().unwrap().to_string();
    let auth = http.get(location).send().await.unwrap();
    assert_eq!(auth.status(), 200, "platform authorization");
    let fields = hidden_fields(&auth.text().await.unwrap());
    http.post(format!("{launch_tool}/lti/launch"))
        .form(&[
            ("id_token", field(&fields, "id_token")),
            ("state", field(&fields, "state")),
        ])
        .send()
        .await
        .unwrap()
}

pub fn session_of(response: &reqwest::Response) -> Session {
    assert_eq!(response.status(), 303, "launch redirects to the space");
    let location = response.headers()["location"].to_str().unwrap();
    Session {
        space_id: location
            .trim_start_matches("/spaces/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap(),
        token: location.split("lt=").nth(1).unwrap().to_string(),
    }
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Requests a WebSocket connection token for `session` from the tool at `base`.
pub async fn socket_token(base: &str, session: &Session) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/spaces/{}/socket-token", session.space_id))
        .header("x-cowork-token", &session.token)
        .send()
        .await
        .expect("socket token request");
    assert_eq!(response.status(), 200, "socket token");
    let reply: serde_json::Value = response.json().await.expect("socket token JSON");
    reply["token"]
        .as_str()
        .expect("token in the reply")
        .to_string()
}
