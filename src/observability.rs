//! Prometheus metrics: the names and labels cowork records, the request-latency
//! middleware, and the `/metrics` router served on its own listener.
//!
//! Metrics go through the `metrics` facade to one process-wide Prometheus recorder. The
//! recorder is installed when the first metrics listener starts; until then every
//! recording below is a no-op. Label values come from fixed sets (route templates,
//! check codes, outcome names), never from request data.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::lti::error::Check;
use crate::store::DynStore;
use crate::unix_now;

pub const LAUNCHES_COMPLETED: &str = "cowork_launches_completed_total";
pub const LAUNCHES_REJECTED: &str = "cowork_launches_rejected_total";
pub const HTTP_REQUEST_DURATION: &str = "cowork_http_request_duration_seconds";
pub const WEBSOCKET_CONNECTIONS: &str = "cowork_websocket_connections";
pub const CHAT_MESSAGES_POSTED: &str = "cowork_chat_messages_posted_total";
pub const GRADE_OUTBOX_PENDING: &str = "cowork_grade_outbox_pending";
pub const GRADE_OUTBOX_OLDEST_AGE: &str = "cowork_grade_outbox_oldest_pending_age_seconds";
pub const TOKEN_FETCHES: &str = "cowork_platform_token_fetches_total";
pub const JWKS_FETCHES: &str = "cowork_platform_jwks_fetches_total";

/// Upper bounds of the request latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How long a scrape waits for the grade outbox counts before it renders without them.
const OUTBOX_READ_TIMEOUT: Duration = Duration::from_secs(2);

/// How often histogram data is compacted between scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Returns the handle of the process-wide recorder, installing the recorder on first use.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(HTTP_REQUEST_DURATION.to_string()),
                &LATENCY_BUCKETS,
            )
            .expect("latency buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if let Err(error) = metrics::set_global_recorder(recorder) {
            tracing::warn!(%error, "another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    describe_counter!(
        LAUNCHES_COMPLETED,
        "LTI launches that opened a space or a deep linking picker, by message type."
    );
    describe_counter!(
        LAUNCHES_REJECTED,
        "Login initiations and launches rejected, by stage and failed check."
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        metrics::Unit::Seconds,
        "Time to produce a response on the main listener, by method, route template and status class."
    );
    describe_gauge!(WEBSOCKET_CONNECTIONS, "Open chat WebSocket connections.");
    describe_counter!(CHAT_MESSAGES_POSTED, "Chat messages stored.");
    describe_gauge!(
        GRADE_OUTBOX_PENDING,
        "Grades not yet accepted by the platform: pending rows and rows being sent."
    );
    describe_gauge!(
        GRADE_OUTBOX_OLDEST_AGE,
        metrics::Unit::Seconds,
        "Seconds since the longest-waiting undelivered grade became due; 0 when none waits."
    );
    describe_counter!(
        TOKEN_FETCHES,
        "Access token requests to platform token endpoints, by outcome."
    );
    describe_counter!(
        JWKS_FETCHES,
        "Fetches of platform JWKS documents, by outcome."
    );

    // Counters with a fixed set of labels are exported from the start, at 0, so that a
    // rate over the first increase has a sample before it. Rejections are exported once
    // they happen, because most pairs of stage and check never occur.
    for message_type in ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"] {
        counter!(LAUNCHES_COMPLETED, "message_type" => message_type).increment(0);
    }
    counter!(CHAT_MESSAGES_POSTED).increment(0);
    for outcome in [
        FetchOutcome::Success,
        FetchOutcome::Rejected,
        FetchOutcome::Failed,
    ] {
        counter!(TOKEN_FETCHES, "outcome" => outcome.as_str()).increment(0);
        counter!(JWKS_FETCHES, "outcome" => outcome.as_str()).increment(0);
    }
}

/// The step of an LTI launch at which a request was rejected.
#[derive(Debug, Clone, Copy)]
pub enum LaunchStage {
    /// The OIDC login initiation (`/lti/login`).
    Login,
    /// The id_token post (`/lti/launch`).
    Launch,
}

impl LaunchStage {
    fn as_str(self) -> &'static str {
        match self {
            LaunchStage::Login => "login",
            LaunchStage::Launch => "launch",
        }
    }
}

/// Counts a rejected login or launch under the code of the check it failed.
pub fn launch_rejected(stage: LaunchStage, check: Check) {
    counter!(LAUNCHES_REJECTED, "stage" => stage.as_str(), "reason" => check.code()).increment(1);
}

/// Counts a launch that passed every check. `deep_linking` distinguishes a deep linking request
/// from a resource link launch.
pub fn launch_completed(deep_linking: bool) {
    let message_type = if deep_linking {
        "LtiDeepLinkingRequest"
    } else {
        "LtiResourceLinkRequest"
    };
    counter!(LAUNCHES_COMPLETED, "message_type" => message_type).increment(1);
}

pub fn chat_message_posted() {
    counter!(CHAT_MESSAGES_POSTED).increment(1);
}

/// Outcome label of a platform request: `success`, `rejected` when the platform replied
/// with an error or an unusable document, `failed` when no reply arrived or the request
/// was not sent.
#[derive(Debug, Clone, Copy)]
pub enum FetchOutcome {
    Success,
    Rejected,
    Failed,
}

impl FetchOutcome {
    fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Success => "success",
            FetchOutcome::Rejected => "rejected",
            FetchOutcome::Failed => "failed",
        }
    }
}

pub fn token_fetched(outcome: FetchOutcome) {
    counter!(TOKEN_FETCHES, "outcome" => outcome.as_str()).increment(1);
}

pub fn jwks_fetched(outcome: FetchOutcome) {
    counter!(JWKS_FETCHES, "outcome" => outcome.as_str()).increment(1);
}

/// Counts one open WebSocket connection for as long as it lives.
pub struct OpenConnection(());

impl OpenConnection {
    pub fn open() -> Self {
        gauge!(WEBSOCKET_CONNECTIONS).increment(1.0);
        Self(())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        gauge!(WEBSOCKET_CONNECTIONS).decrement(1.0);
    }
}

/// Records the latency of each request under its route template, e.g.
/// `/spaces/{space_id}/dashboard`; requests that match no route count as `unmatched`.
pub async fn track_latency(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = status_class(response.status());
    histogram!(
        HTTP_REQUEST_DURATION,
        "method" => method,
        "route" => route,
        "status" => status
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Returns the method name when it is a standard one, else `other`, so that a client cannot
/// add label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Builds the router of the metrics listener, which serves `GET /metrics` and nothing else.
pub fn router(store: DynStore) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(store)
}

/// Compacts histogram data every few seconds, so that memory stays bounded when
/// scrapes are rare. Runs until aborted.
pub async fn run_upkeep() {
    let mut ticker = tokio::time::interval(UPKEEP_INTERVAL);
    loop {
        ticker.tick().await;
        recorder().run_upkeep();
    }
}

/// Reads the grade outbox from the store, then renders every metric in the Prometheus
/// text format. A failed or timed-out read leaves the outbox gauges at their previous
/// values.
async fn scrape(State(store): State<DynStore>) -> Response {
    // One scrape at a time, so that the outbox gauges set here are the ones rendered
    // even when several stores in one process serve metrics.
    static SCRAPE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _scrape = SCRAPE.lock().await;
    let handle = recorder();
    match tokio::time::timeout(OUTBOX_READ_TIMEOUT, store.outbox_backlog()).await {
        Ok(Ok(backlog)) => {
            gauge!(GRADE_OUTBOX_PENDING).set(backlog.undelivered as f64);
            let age = backlog
                .oldest_due_since
                .map_or(0, |due_since| (unix_now() - due_since).max(0));
            gauge!(GRADE_OUTBOX_OLDEST_AGE).set(age as f64);
        }
        Ok(Err(error)) => tracing::warn!(%error, "reading the grade outbox for /metrics failed"),
        Err(_) => tracing::warn!(
            timeout_secs = OUTBOX_READ_TIMEOUT.as_secs(),
            "reading the grade outbox for /metrics timed out"
        ),
    }
    handle.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_counters_start_at_zero() {
        let text = recorder().render();
        let series = [
            format!("{LAUNCHES_COMPLETED}{{message_type=\"LtiResourceLinkRequest\"}}"),
            format!("{LAUNCHES_COMPLETED}{{message_type=\"LtiDeepLinkingRequest\"}}"),
            format!("{CHAT_MESSAGES_POSTED} "),
            format!("{TOKEN_FETCHES}{{outcome=\"rejected\"}}"),
            format!("{JWKS_FETCHES}{{outcome=\"failed\"}}"),
        ];
        for name in series {
            assert!(text.contains(&name), "{name} missing from:\n{text}");
        }
    }

    #[test]
    fn status_classes() {
        assert_eq!(status_class(StatusCode::OK), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::UNAUTHORIZED), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }

    #[test]
    fn extension_methods_share_one_label() {
        let custom = Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(method_label(&custom), "other");
        assert_eq!(method_label(&Method::POST), "POST");
    }
}
