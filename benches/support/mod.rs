//! Helpers shared by the benchmarks: free ports, percentiles, complete LTI launches
//! through the demo platform and `cowork serve` as a child process.

#![allow(dead_code)]

pub mod server;

use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;

use cowork::demo::{DemoPlatform, LaunchChoice};
use tokio::sync::Semaphore;

/// Reads a size from the environment variable `name`, or returns `default` when it is
/// unset or not a number.
pub fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

/// Registers `platform` in the cowork database at `database_url` with `cowork platform add`
/// of this bench build.
pub fn add_platform(database_url: &str, platform: &DemoPlatform) -> Result<(), String> {
    let binary = env!("CARGO_BIN_EXE_cowork");
    let registration = platform.registration();
    let added = Command::new(binary)
        .args([
            "platform",
            "add",
            "--issuer",
            &registration.issuer,
            "--client-id",
            &registration.client_id,
            "--auth-url",
            &registration.auth_url,
            "--token-url",
            &registration.token_url,
            "--jwks-url",
            &registration.jwks_url,
            "--deployment-id",
            &registration.deployments[0],
        ])
        .env("COWORK_DATABASE_URL", database_url)
        .output()
        .map_err(|error| format!("run {binary} platform add: {error}"))?;
    if !added.status.success() {
        return Err(format!(
            "cowork platform add failed: {}",
            String::from_utf8_lossy(&added.stderr)
        ));
    }
    Ok(())
}

pub struct Launch {
    pub space_id: i64,
    pub token: String,
}

/// Runs a complete launch: login initiation, platform authorization and launch post.
pub async fn launch(
    http: &reqwest::Client,
    tool: &str,
    platform: &DemoPlatform,
    user: &str,
    role: &str,
) -> Launch {
    let choice = LaunchChoice {
        course_id: "course-bc101".into(),
        user_id: user.into(),
        role: role.into(),
        locale: "en".into(),
        document_target: "iframe".into(),
        ..LaunchChoice::default()
    };
    let params = platform.login_initiation(choice);
    let login = http
        .post(format!("{tool}/lti/login"))
        .form(&params)
        .send()
        .await
        .unwrap();
    let location: reqwest::Url = login.headers()["location"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let query: HashMap<String, String> = location.query_pairs().into_owned().collect();
    let auth = http
        .get(location.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id_token = hidden(&auth, "id_token");
    let state = hidden(&auth, "state");
    assert_eq!(state, query["state"]);
    let launched = http
        .post(format!("{tool}/lti/launch"))
        .form(&[("id_token", id_token.as_str()), ("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(launched.status(), 303, "launch of {user}");
    let target = launched.headers()["location"].to_str().unwrap().to_string();
    let space_id = target
        .trim_start_matches("/spaces/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let token = target.split("lt=").nth(1).unwrap().to_string();
    Launch { space_id, token }
}

/// Asks for a WebSocket connection token, as the space page does, and returns the
/// space's WebSocket URL with it.
pub async fn socket_url(
    http: &reqwest::Client,
    tool: &str,
    space_id: i64,
    session_token: &str,
) -> Result<String, String> {
    let reply = http
        .post(format!("{tool}/spaces/{space_id}/socket-token"))
        .header("x-cowork-token", session_token)
        .send()
        .await
        .map_err(|error| format!("socket token request: {error}"))?;
    let status = reply.status();
    let body: serde_json::Value = reply
        .json()
        .await
        .map_err(|error| format!("socket token reply: {error}"))?;
    let token = body["token"]
        .as_str()
        .ok_or_else(|| format!("socket token request returned {status}: {body}"))?;
    Ok(format!(
        "{}/spaces/{space_id}/ws?socket_token={token}",
        tool.replacen("http://", "ws://", 1)
    ))
}

/// Launches every person in `users` as `role`, `concurrency` at a time, and returns the
/// launches in the order of `users`.
pub async fn launch_all(
    http: &reqwest::Client,
    tool: &str,
    platform: &Arc<DemoPlatform>,
    users: &[String],
    role: &str,
    concurrency: usize,
) -> Vec<Launch> {
    let limit = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for user in users {
        let (http, tool, platform, limit) = (
            http.clone(),
            tool.to_string(),
            platform.clone(),
            limit.clone(),
        );
        let (user, role) = (user.clone(), role.to_string());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            launch(&http, &tool, &platform, &user, &role).await
        }));
    }
    let mut launches = Vec::with_capacity(users.len());
    for task in tasks {
        launches.push(task.await.unwrap());
    }
    launches
}

/// Reads a hidden form field of the platform's auto-posting page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden field") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
}
