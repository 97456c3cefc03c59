//! Application state, the router, and serving on a bound listener until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::analytics::activity::ActivityCache;
use crate::chat::hub::Hub;
use crate::chat::service::Chat;
use crate::config::Config;
use crate::error::{AppError, ErrorDetails};
use crate::grading::{self, Grading};
use crate::keys::{KeyAtRestError, KeyVault};
use crate::lti::jwks::{JwksCache, KeySource};
use crate::lti::nrps::ServiceTokens;
use crate::net::PlatformHttp;
use crate::rate_limit::RateLimits;
use crate::session::SessionKey;
use crate::store::DynStore;
use crate::{chat, keys, lti, observability, unix_now, web};

/// Largest accepted request body. A Moodle launch form is about 5 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Everything a request handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: DynStore,
    pub platform_keys: Arc<dyn KeySource>,
    /// Client for platform-supplied URLs, under the outbound address policy.
    pub http: PlatformHttp,
    /// Access tokens for platform services such as the membership service.
    pub service_tokens: Arc<dyn ServiceTokens>,
    pub session_key: Arc<SessionKey>,
    /// Secret from which the keys of questionnaire responses are derived, so that an
    /// anonymous answer cannot be matched to a person without it.
    pub response_secret: Arc<str>,
    pub chat: Chat,
    pub grading: Arc<Grading>,
    /// In-memory copies of the activity rows that dashboards and exports read.
    pub activity: Arc<ActivityCache>,
    /// The clock that id_token times are checked against.
    pub token_clock: TokenClock,
    /// Encrypts and decrypts the tool's private keys in the database.
    pub key_vault: Arc<KeyVault>,
    /// Registered platforms' origins, for the `frame-ancestors` of pages without a session.
    pub platform_origins: Arc<web::security::PlatformOrigins>,
    /// Rate limits of logins and launches per registration and of writes per person.
    pub rate_limits: Arc<RateLimits>,
}

/// The clock that an id_token's `iat` and `exp` are checked against. A running service
/// always uses the system clock; no configuration sets anything else. Tests that replay
/// recorded platform traffic fix it at the recording's time, because the recorded tokens
/// expired a minute after they were issued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenClock {
    #[default]
    System,
    /// Unix time fixed at this second.
    Fixed(i64),
}

impl TokenClock {
    pub fn now(self) -> i64 {
        match self {
            TokenClock::System => unix_now(),
            TokenClock::Fixed(at) => at,
        }
    }
}

impl AppState {
    /// Prepares state on an opened store: makes the first signing key and the session
    /// secret if the database has none, and applies platforms listed in the config file.
    /// Fails when a stored private key cannot be opened with the configured encryption keys.
    pub async fn new(config: Config, store: DynStore) -> Result<Self, KeyAtRestError> {
        let now = unix_now();
        let key_vault = Arc::new(KeyVault::from_config(&config)?);
        key_vault.reseal_stored(store.as_ref()).await?;
        keys::ensure_signing_key(store.as_ref(), &key_vault, now).await?;
        for platform in &config.platforms {
            store.upsert_platform(platform, now).await?;
        }
        let session_key = SessionKey::load_or_create(store.as_ref(), &key_vault).await?;
        let response_secret = key_vault
            .load_or_create_secret(
                store.as_ref(),
                web::questionnaires::RESPONSE_SECRET_SETTING,
                || crate::random_token(32),
            )
            .await?;
        let http = PlatformHttp::new(config.allow_private_addresses);
        let grading = Arc::new(Grading::new(
            &config,
            store.clone(),
            &http,
            key_vault.clone(),
        ));
        let platform_keys = Arc::new(JwksCache::new(
            http.clone(),
            Duration::from_secs(config.jwks_refetch_cooldown_secs),
            Duration::from_secs(config.platform_jwks_max_age_secs),
        ));
        let rate_limits = Arc::new(RateLimits::new(
            config.login_rate_per_minute,
            config.write_rate_per_minute,
        ));
        let chat = Chat {
            store: store.clone(),
            hub: Arc::new(Hub::new()),
            rate_limits: rate_limits.clone(),
        };
        let service_tokens = grading.tokens.clone();
        let activity = Arc::new(ActivityCache::new(config.analytics_cache_rows));
        Ok(Self {
            activity,
            config: Arc::new(config),
            chat,
            grading,
            store,
            platform_keys,
            http,
            service_tokens,
            session_key: Arc::new(session_key),
            response_secret: response_secret.into(),
            token_clock: TokenClock::System,
            key_vault,
            platform_origins: Arc::default(),
            rate_limits,
        })
    }
}

/// All routes of the tool.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(web::pages::home))
        .route("/healthz", get(web::pages::healthz))
        .route("/readyz", get(web::pages::readyz))
        .route("/.well-known/jwks.json", get(web::pages::jwks))
        .route(
            "/lti/login",
            get(lti::login::login_get).post(lti::login::login_post),
        )
        .route(
            "/lti/launch",
            get(web::pages::launch_get).post(lti::launch::launch),
        )
        .route("/spaces/{space_id}", get(web::space::space_page))
        .route("/spaces/{space_id}/ws", get(chat::ws::space_socket))
        .route(
            "/spaces/{space_id}/socket-token",
            post(chat::ws::socket_token),
        )
        .route(
            "/spaces/{space_id}/rooms",
            get(web::rooms::list_rooms).post(web::rooms::create_room),
        )
        .route(
            "/spaces/{space_id}/rooms/{room_id}",
            post(web::rooms::change_room),
        )
        .route(
            "/spaces/{space_id}/rooms/{room_id}/membership",
            post(web::rooms::set_membership),
        )
        .route(
            "/spaces/{space_id}/settings",
            post(web::rooms::change_settings),
        )
        .route("/spaces/{space_id}/mutes", post(web::rooms::mute))
        .route("/spaces/{space_id}/audit", get(web::rooms::audit_log))
        .merge(web::events::router())
        .merge(web::manage::router())
        .merge(web::privacy::router())
        .merge(web::grades::router())
        .merge(web::deep_link::router())
        .merge(web::register::router())
        .merge(web::roster::router())
        .merge(web::focus::router())
        .merge(web::help::router())
        .merge(web::partners::router())
        .merge(web::questionnaires::router())
        .merge(web::export::router())
        .merge(web::dashboard::router())
        .route("/session/probe", get(web::space::session_probe))
        .route("/assets/{name}", get(web::assets::asset))
        .fallback(web::pages::not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(explain_body_limit))
        // Merged after the body limit, because the upload route takes files larger than
        // 64 KiB. The showcase router sets the body limit of each of its routes.
        .merge(web::showcase::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::security::reject_foreign_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::language::localize_errors,
        ))
        // Outside the error localization, whose new responses carry only a content type.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::security::security_headers,
        ))
        .layer(axum::middleware::from_fn(observability::track_latency))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// A span named by the matched route template. The raw URI is never recorded because
/// its query may carry a session token.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    if route == "/healthz" || route == "/readyz" {
        tracing::debug_span!("request", method = %request.method(), route)
    } else {
        tracing::info_span!("request", method = %request.method(), route)
    }
}

/// Replaces the bare 413 of the body limit, sent when `Content-Length` is over the
/// limit, with cowork's error in JSON or as a page, so the client learns the limit.
async fn explain_body_limit(request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE
        || response.extensions().get::<ErrorDetails>().is_some()
    {
        return response;
    }
    AppError::BodyTooLarge {
        limit_bytes: MAX_BODY_BYTES,
    }
    .respond(&headers)
    .into_response()
}

/// Serves the app on `listener` until `shutdown` completes, then lets in-flight
/// requests finish. Serves no metrics, even when `metrics_bind` is set.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_metrics(listener, None, state, shutdown).await
}

/// Binds the metrics listener at `metrics_bind`, when that is set.
pub async fn bind_metrics(config: &Config) -> std::io::Result<Option<TcpListener>> {
    match config.metrics_bind {
        Some(address) => TcpListener::bind(address).await.map(Some),
        None => Ok(None),
    }
}

/// Like [`serve`], also serving `GET /metrics` on `metrics` until the app stops.
pub async fn serve_with_metrics(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_read_timeout = Duration::from_secs(state.config.header_read_timeout_secs);
    let metrics_tasks = match metrics {
        Some(metrics_listener) => {
            // Installs the recorder before the first request is counted.
            observability::recorder();
            tracing::info!(address = %metrics_listener.local_addr()?, "metrics listening");
            let router = observability::router(state.store.clone());
            let server = tokio::spawn(async move {
                let serving = crate::listener::serve(
                    metrics_listener,
                    router,
                    header_read_timeout,
                    std::future::pending(),
                );
                if let Err(error) = serving.await {
                    tracing::error!(%error, "metrics listener failed");
                }
            });
            let upkeep = tokio::spawn(observability::run_upkeep());
            vec![server, upkeep]
        }
        None => Vec::new(),
    };
    let cluster = match chat::cluster::join(&state.store, &state.chat.hub).await {
        Ok(cluster) => cluster,
        Err(error) => {
            for task in metrics_tasks {
                task.abort();
            }
            return Err(std::io::Error::other(format!(
                "cannot share chat and presence through PostgreSQL: {error}"
            )));
        }
    };
    let instance_id = state
        .chat
        .hub
        .cluster_link()
        .map(|link| link.instance_id.clone())
        .unwrap_or_else(|| crate::random_token(9));
    let rosters = tokio::spawn(refresh_rosters(state.clone(), instance_id.clone()));
    let key_rotation = tokio::spawn(rotate_keys(state.clone(), instance_id.clone()));
    let upload_sweep = tokio::spawn(sweep_uploads(state.clone(), instance_id.clone()));
    let housekeeping = tokio::spawn(housekeeping(state.clone(), instance_id));
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let grade_worker = tokio::spawn(grading::worker::run(state.grading.clone(), worker_stop));
    let hub = state.chat.hub.clone();
    let stop_sockets = {
        let hub = hub.clone();
        async move {
            shutdown.await;
            tracing::info!("stopping: finishing requests and closing WebSocket connections");
            // Closing the sockets now lets clients reconnect elsewhere while requests finish.
            let _ = hub.close_connections(Duration::ZERO).await;
        }
    };
    let result =
        crate::listener::serve(listener, router(state), header_read_timeout, stop_sockets).await;
    let still_open = hub.close_connections(SOCKET_CLOSE_LIMIT).await;
    if still_open > 0 {
        tracing::warn!(still_open, "WebSocket connections still open at shutdown");
    }
    housekeeping.abort();
    key_rotation.abort();
    upload_sweep.abort();
    rosters.abort();
    // Scores in flight are finished and recorded, so none is sent twice by another
    // instance; the HTTP client's own limit bounds the wait.
    let _ = stop_worker.send(true);
    if tokio::time::timeout(WORKER_STOP_LIMIT, grade_worker)
        .await
        .is_err()
    {
        tracing::warn!(
            "the grade worker did not stop in time; its claimed scores wait for their lease to end"
        );
    }
    if let Some(cluster) = cluster {
        cluster.leave().await;
    }
    for task in metrics_tasks {
        task.abort();
    }
    result
}

/// Maximum wait for scores in flight at shutdown: one platform request's limit and
/// the time to record its outcome.
const WORKER_STOP_LIMIT: Duration = Duration::from_secs(30);
/// Maximum wait at shutdown for WebSocket clients to reply to the closing frame.
const SOCKET_CLOSE_LIMIT: Duration = Duration::from_secs(5);
/// Interval at which each instance checks whether a periodic job is due.
const JOB_CHECK: Duration = Duration::from_secs(60);
/// Period of the purge of expired login states, sessions and deep linking requests.
const HOUSEKEEPING_SECS: i64 = 300;
/// Period of the check whether the tool's signing key is due for rotation.
const KEY_CHECK_SECS: i64 = 300;
/// Period of the sweep of unused files in `upload_dir`.
const UPLOAD_SWEEP_SECS: i64 = 3600;
/// Age below which a file in `upload_dir` may belong to an upload in progress.
const UPLOAD_MIN_AGE: Duration = Duration::from_secs(3600);
/// Period of the check for rosters to refresh.
const ROSTER_CHECK_SECS: i64 = 300;
/// Period of the retention job.
const RETENTION_SECS: i64 = 3600;

/// Claims the run of a periodic job; with several instances, exactly one runs it.
async fn claim(store: &DynStore, job: &str, instance_id: &str, period_secs: i64) -> bool {
    match store
        .claim_job(job, instance_id, unix_now(), period_secs)
        .await
    {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::warn!(%error, job, "claiming a periodic job failed");
            false
        }
    }
}

/// Purges expired login states, sessions and deep linking requests every five minutes,
/// and applies the retention periods every hour.
async fn housekeeping(state: AppState, instance_id: String) {
    let mut ticker = tokio::time::interval(JOB_CHECK);
    loop {
        ticker.tick().await;
        if claim(
            &state.store,
            "housekeeping",
            &instance_id,
            HOUSEKEEPING_SECS,
        )
        .await
        {
            purge_expired(&state.store, unix_now()).await;
        }
        if claim(&state.store, "retention", &instance_id, RETENTION_SECS).await {
            apply_retention(&state, unix_now()).await;
        }
    }
}

async fn purge_expired(store: &DynStore, now: i64) {
    match store.purge_login_states(now).await {
        Ok(count) => tracing::debug!(count, "purged expired login states"),
        Err(error) => tracing::warn!(%error, "purging expired login states failed"),
    }
    match store.purge_socket_token_uses(now).await {
        Ok(count) => tracing::debug!(count, "purged used WebSocket connection tokens"),
        Err(error) => tracing::warn!(%error, "purging used WebSocket connection tokens failed"),
    }
    match store.purge_sessions(now).await {
        Ok(count) => tracing::debug!(count, "purged expired sessions"),
        Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
    }
    match store.purge_deep_link_requests(now).await {
        Ok(count) => tracing::debug!(count, "purged expired deep linking requests"),
        Err(error) => tracing::warn!(%error, "purging deep linking requests failed"),
    }
}

/// Clears content older than each space's retention period, as the hourly job does at
/// `now`. Returns the number of rows cleared.
pub async fn apply_retention(state: &AppState, now: i64) -> u64 {
    match crate::privacy::apply_retention(
        state.store.as_ref(),
        state.config.upload_dir.as_deref(),
        state.config.retention_days,
        now,
    )
    .await
    {
        Ok(expired) => {
            for expiry in expired.iter().filter(|expiry| expiry.rows > 0) {
                state.chat.hub.resync_space(expiry.space_id);
            }
            expired.iter().map(|expiry| expiry.rows).sum()
        }
        Err(error) => {
            tracing::warn!(%error, "reading the retention periods failed");
            0
        }
    }
}

/// Replaces the tool's signing key every `key_rotation_days`, publishing the next key
/// `key_grace_secs` before it signs. Does nothing when the period is 0.
async fn rotate_keys(state: AppState, instance_id: String) {
    let rotation_secs = state.config.key_rotation_days * 86_400;
    if rotation_secs == 0 {
        return;
    }
    let mut ticker = tokio::time::interval(JOB_CHECK);
    loop {
        ticker.tick().await;
        if !claim(&state.store, "key_rotation", &instance_id, KEY_CHECK_SECS).await {
            continue;
        }
        let outcome = keys::rotate_on_schedule(
            state.store.as_ref(),
            &state.key_vault,
            unix_now(),
            rotation_secs,
            state.config.key_grace_secs,
        )
        .await;
        if let Err(error) = outcome {
            tracing::error!(%error, "scheduled tool key rotation failed");
        }
    }
}

/// Deletes files in `upload_dir` that no item uses, left by a crash mid-upload or
/// mid-removal, once an hour.
async fn sweep_uploads(state: AppState, instance_id: String) {
    let Some(directory) = state.config.upload_dir.clone() else {
        return;
    };
    let uploads = crate::store::upload_dir::UploadDir::new(directory);
    let mut ticker = tokio::time::interval(JOB_CHECK);
    loop {
        ticker.tick().await;
        if !claim(
            &state.store,
            "upload_sweep",
            &instance_id,
            UPLOAD_SWEEP_SECS,
        )
        .await
        {
            continue;
        }
        let live = match state.store.live_upload_keys().await {
            Ok(keys) => keys.into_iter().collect(),
            Err(error) => {
                tracing::warn!(%error, "listing the files in use failed; no sweep");
                continue;
            }
        };
        match uploads.sweep(live, UPLOAD_MIN_AGE).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted unused files in upload_dir"),
            Err(error) => tracing::warn!(%error, "sweeping upload_dir failed"),
        }
    }
}

/// Refreshes course rosters older than `roster_refresh_secs`, checking every five minutes.
async fn refresh_rosters(state: AppState, instance_id: String) {
    let max_age = Duration::from_secs(state.config.roster_refresh_secs);
    let mut ticker = tokio::time::interval(JOB_CHECK);
    loop {
        ticker.tick().await;
        if claim(
            &state.store,
            "roster_refresh",
            &instance_id,
            ROSTER_CHECK_SECS,
        )
        .await
        {
            crate::roster::refresh_due(&state, max_age).await;
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("received SIGINT, shutting down"),
        _ = terminate => tracing::info!("received SIGTERM, shutting down"),
    }
}
