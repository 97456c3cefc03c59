//! Persistent state behind one trait, with a SQLite and a PostgreSQL implementation.
//!
//! Handlers see only [`Store`]; the backend is picked once, from the database URL scheme.
//! Both backends share their SQL text (see `shared.rs`) and keep their own migrations.
//! Nothing in this module renders pages or depends on HTTP.

pub mod analytics;
mod analytics_sql;
pub mod chat;
mod chat_sql;
pub mod cluster;
mod cluster_sql;
pub mod deep_linking;
mod deep_linking_sql;
pub mod events;
mod events_sql;
pub mod focus;
mod focus_sql;
pub mod grades;
mod grades_sql;
pub mod help;
mod help_sql;
pub mod partners;
mod partners_sql;
mod postgres;
pub mod privacy;
pub(crate) mod privacy_sql;
pub mod questionnaires;
mod questionnaires_sql;
pub mod registration;
mod registration_sql;
pub mod roster;
mod roster_sql;
mod shared;
pub mod showcase;
mod showcase_sql;
mod sqlite;
pub mod upload_dir;

use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

pub use analytics::AnalyticsStore;
pub use chat::ChatStore;
pub use cluster::ClusterStore;
pub use deep_linking::DeepLinkStore;
pub use events::EventStore;
pub use focus::FocusStore;
pub use grades::GradeStore;
pub use help::HelpStore;
pub use partners::PartnerStore;
pub use postgres::PostgresStore;
pub use privacy::PrivacyStore;
pub use questionnaires::QuestionnaireStore;
pub use registration::RegistrationStore;
pub use roster::RosterStore;
pub use showcase::ShowcaseStore;
pub use sqlite::SqliteStore;

/// Errors from the storage layer. Callers map them to HTTP responses; the text of a
/// database error is logged, never shown to a browser.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A shared handle to whichever backend the configuration selected.
pub type DynStore = Arc<dyn Store>;

/// One RSA signing key of this tool, stored as a PKCS#8 PEM document or, when the
/// database's keys are encrypted, as the sealed form that `keys::KeyVault` reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToolKey {
    pub kid: String,
    pub private_key_pem: String,
    pub created_at: i64,
    /// When the key starts signing; later than `created_at` for a key published ahead.
    pub active_from: i64,
    /// When the key stops signing; it stays published for the grace period after.
    pub retired_at: Option<i64>,
}

/// A platform registration: one issuer and one client_id, with its endpoints.
#[derive(Debug, Clone, Serialize)]
pub struct Platform {
    pub id: i64,
    pub issuer: String,
    pub client_id: String,
    pub auth_url: String,
    pub token_url: String,
    pub jwks_url: String,
    pub deployments: Vec<String>,
}

/// The values an admin supplies to register a platform.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct NewPlatform {
    pub issuer: String,
    pub client_id: String,
    pub auth_url: String,
    pub token_url: String,
    pub jwks_url: String,
    #[serde(default)]
    pub deployments: Vec<String>,
}

/// Server-side record of one OIDC login initiation: the `state` and `nonce` sent to the
/// platform, valid once and only until `expires_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginState {
    pub state: String,
    pub nonce: String,
    pub platform_id: i64,
    pub target_link_uri: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// The outcome of a launch's attempt to use its `state`.
#[derive(Debug, Clone)]
pub enum StateUse {
    /// The state was valid and is now marked used.
    Accepted(LoginState),
    /// The state was valid once but a launch already used it.
    AlreadyUsed(LoginState),
    Expired,
    Unknown,
}

/// The outcome of storing a login state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStateInsert {
    Stored,
    /// The registration's maximum of states are waiting for their launch, none of them
    /// expired. The oldest of them expires at `retry_at`.
    Full {
        retry_at: i64,
    },
}

/// The parts of a space that a launch finds already set up, read in one statement.
#[derive(Debug, Clone, Default)]
pub struct SpaceSetup {
    /// Whether both default rooms (the open space and the quiet zone) exist.
    pub default_rooms: bool,
    pub grade_target: Option<grades::GradeTarget>,
    pub roster_source: Option<roster::RosterSource>,
}

/// Everything a validated launch writes: the user, the space, the membership and a session.
#[derive(Debug, Clone)]
pub struct LaunchRecord {
    pub issuer: String,
    pub deployment_id: String,
    pub context_id: String,
    pub context_title: Option<String>,
    pub context_label: Option<String>,
    pub resource_link_id: String,
    pub resource_link_title: Option<String>,
    /// The existing space to enter instead of the resource link's own, for a link to a
    /// room of another activity's space.
    pub space_id: Option<i64>,
    /// `None` for an anonymous launch (the platform sent no `sub`).
    pub user: Option<LaunchUser>,
    pub role: String,
    pub session_id: String,
    pub locale: Option<String>,
    pub return_url: Option<String>,
    pub document_target: Option<String>,
    pub platform_origin: String,
    pub session_expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct LaunchUser {
    pub subject: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

/// A live session joined with its space and user, as pages need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionView {
    pub session_id: String,
    pub space_id: i64,
    pub user_id: Option<i64>,
    pub role: String,
    pub locale: Option<String>,
    pub return_url: Option<String>,
    pub document_target: Option<String>,
    pub platform_origin: String,
    pub expires_at: i64,
    pub user_name: Option<String>,
    pub context_title: Option<String>,
    pub context_label: Option<String>,
    pub resource_link_title: Option<String>,
}

/// A person who has been in a space, newest first in listings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
    pub name: Option<String>,
    pub role: String,
    pub last_seen_at: i64,
}

#[async_trait]
pub trait Store:
    ChatStore
    + ClusterStore
    + AnalyticsStore
    + HelpStore
    + PartnerStore
    + EventStore
    + ShowcaseStore
    + FocusStore
    + GradeStore
    + RegistrationStore
    + RosterStore
    + DeepLinkStore
    + QuestionnaireStore
    + PrivacyStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database responds.
    async fn ping(&self) -> StoreResult<()>;
    /// Closes every connection after waiting for those in use; later queries fail.
    async fn close(&self);
    /// Returns the connection pool when the backend is PostgreSQL, for `LISTEN`/`NOTIFY` between
    /// instances; `None` on SQLite.
    fn postgres_pool(&self) -> Option<sqlx::PgPool>;

    async fn insert_tool_key(&self, key: &ToolKey) -> StoreResult<()>;
    /// Returns every stored tool key, the latest to start signing first, and of keys that
    /// start together the unretired one first.
    async fn tool_keys(&self) -> StoreResult<Vec<ToolKey>>;
    /// Inserts `key` and, in the same transaction, sets every other key that would still
    /// sign at `retire_others_at` to retire then.
    async fn add_tool_key(&self, key: &ToolKey, retire_others_at: i64) -> StoreResult<()>;
    /// Replaces the stored private key of `kid` when it still equals `expected`; returns
    /// whether it did.
    async fn replace_tool_key_secret(
        &self,
        kid: &str,
        expected: &str,
        replacement: &str,
    ) -> StoreResult<bool>;
    /// Deletes keys retired before `cutoff` and returns how many.
    async fn delete_tool_keys_retired_before(&self, cutoff: i64) -> StoreResult<u64>;

    /// Stores `value` under `name` unless a value is already there, and returns the stored one.
    async fn setting_or_insert(&self, name: &str, value: &str) -> StoreResult<String>;

    /// Replaces the value of `name` when it is still `expected`; returns whether it did.
    async fn replace_setting(
        &self,
        name: &str,
        expected: &str,
        replacement: &str,
    ) -> StoreResult<bool>;

    /// Creates the registration or updates its endpoints, and adds any new deployments.
    async fn upsert_platform(&self, platform: &NewPlatform, now: i64) -> StoreResult<Platform>;
    async fn platforms(&self) -> StoreResult<Vec<Platform>>;
    async fn platform(&self, issuer: &str, client_id: &str) -> StoreResult<Option<Platform>>;
    async fn platform_by_id(&self, id: i64) -> StoreResult<Option<Platform>>;
    async fn platforms_for_issuer(&self, issuer: &str) -> StoreResult<Vec<Platform>>;
    /// Removes a registration and its deployments; spaces and their history stay. When
    /// it was the issuer's last registration, the sessions of its spaces end.
    async fn remove_platform(&self, issuer: &str, client_id: &str) -> StoreResult<bool>;

    /// Stores a login state unless `max_stored` states of its registration are waiting
    /// for their launch.
    ///
    /// At the bound, the registration's expired states go first. States still waiting
    /// for their launch are never evicted: evicting them would let a flood of logins
    /// break the launches of a class in progress. New logins are rejected instead until
    /// states expire, which the per-registration login rate keeps rare. Used states do
    /// not count: each took a login, so the login rate and the state lifetime bound them,
    /// and the housekeeping job deletes them once expired.
    async fn insert_login_state(
        &self,
        state: &LoginState,
        max_stored: i64,
    ) -> StoreResult<LoginStateInsert>;
    /// Counts the registration's login states waiting for their launch, expired ones
    /// included.
    async fn count_login_states(&self, platform_id: i64) -> StoreResult<i64>;
    /// Marks `state` used at `now` if it is known, unused and unexpired.
    async fn use_login_state(&self, state: &str, now: i64) -> StoreResult<StateUse>;
    async fn login_state_by_nonce(&self, nonce: &str) -> StoreResult<Option<LoginState>>;
    /// Deletes login states that expired before `before`; returns how many.
    async fn purge_login_states(&self, before: i64) -> StoreResult<u64>;

    /// Records the use of the WebSocket connection token `token_id`, which expires at
    /// `expires_at`. Returns false when the token was used before.
    async fn spend_socket_token(&self, token_id: &str, expires_at: i64) -> StoreResult<bool>;

    /// Deletes the records of connection tokens that expired before `before`.
    async fn purge_socket_token_uses(&self, before: i64) -> StoreResult<u64>;
    /// Deletes sessions that expired before `before`; returns how many.
    async fn purge_sessions(&self, before: i64) -> StoreResult<u64>;

    /// Writes a validated launch in one transaction and returns the space id.
    async fn record_launch(&self, launch: &LaunchRecord, now: i64) -> StoreResult<i64>;
    /// Reads the space's default rooms, grade target and roster source, which a launch
    /// writes only when they are missing or changed.
    async fn space_setup(&self, space_id: i64) -> StoreResult<SpaceSetup>;
    async fn session(&self, session_id: &str, now: i64) -> StoreResult<Option<SessionView>>;
    /// Members of a space seen at or after `since`, most recent first.
    async fn recent_members(
        &self,
        space_id: i64,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<Member>>;
}

/// Opens the database named by `url`, creating a SQLite file if missing, and applies
/// the backend's migrations.
pub async fn connect(url: &str) -> StoreResult<DynStore> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

impl NewPlatform {
    /// Checks the values an admin typed. Issuers compare exactly, character for character,
    /// so a trailing slash that the platform does not send would make every launch fail.
    pub fn validate(&self) -> Result<(), String> {
        if self.issuer.ends_with('/') {
            return Err(format!(
                "issuer {:?} ends with '/': platforms compare issuers exactly, and Moodle's issuer is its site URL without a trailing slash (for example https://moodle.example.edu); remove the slash",
                self.issuer
            ));
        }
        check_url("issuer", &self.issuer)?;
        if self.client_id.trim().is_empty() {
            return Err(
                "client_id is empty: copy the client ID that the platform shows for the tool"
                    .into(),
            );
        }
        check_url("auth URL", &self.auth_url)?;
        check_url("token URL", &self.token_url)?;
        check_url("JWKS URL", &self.jwks_url)?;
        if let Some(empty) = self.deployments.iter().find(|d| d.trim().is_empty()) {
            return Err(format!("deployment id {empty:?} is empty"));
        }
        Ok(())
    }
}

fn check_url(name: &str, value: &str) -> Result<(), String> {
    match url::Url::parse(value) {
        Ok(url) if url.scheme() == "https" || url.scheme() == "http" => Ok(()),
        Ok(_) => Err(format!(
            "{name} {value:?} must be an https:// (or http://) URL"
        )),
        Err(error) => Err(format!("{name} {value:?} is not a valid URL: {error}")),
    }
}
