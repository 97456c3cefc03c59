//! The embedded default backend: one SQLite file, created if missing.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::chat_sql::impl_chat_store;
use super::events_sql;
use super::shared::impl_store;
use super::StoreResult;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (or creates) the database file and applies `migrations/sqlite`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // WAL lets page reads go on while a launch writes; the busy timeout makes
        // concurrent writers wait for the lock instead of failing at once.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

impl SqliteStore {
    /// Whether one lock serializes every write transaction. SQLite's database write lock
    /// does, so statements run only to take a row lock on PostgreSQL are skipped.
    pub(crate) const SERIALIZES_WRITES: bool = true;

    /// Starts a transaction that takes SQLite's write lock at once. A deferred transaction
    /// that reads and then writes fails with `SQLITE_BUSY_SNAPSHOT` when another connection
    /// wrote in between, where an immediate one waits for the busy timeout instead.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Starts a write transaction as `begin_write` does. In WAL mode with
    /// `synchronous = NORMAL`, no commit waits for the disk anyway.
    pub(crate) async fn begin_async_commit(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_write().await
    }
}

impl_store!(SqliteStore, {
    fn postgres_pool(&self) -> Option<sqlx::PgPool> {
        None
    }
});
super::cluster_sql::impl_cluster_store!(SqliteStore);
impl_chat_store!(SqliteStore);
super::help_sql::impl_help_store!(SqliteStore);
super::partners_sql::impl_partner_store!(SqliteStore);
events_sql::impl_event_store!(SqliteStore);
super::showcase_sql::impl_showcase_store!(SqliteStore);
super::focus_sql::impl_focus_store!(SqliteStore);
super::grades_sql::impl_grade_store!(SqliteStore, "");
super::registration_sql::impl_registration_store!(SqliteStore);
super::roster_sql::impl_roster_store!(SqliteStore);
super::deep_linking_sql::impl_deep_link_store!(SqliteStore);
super::questionnaires_sql::impl_questionnaire_store!(
    SqliteStore,
    sqlx::Transaction<'static, sqlx::Sqlite>
);
super::analytics_sql::impl_analytics_store!(SqliteStore);
super::privacy_sql::impl_privacy_store!(SqliteStore, sqlx::sqlite::SqliteRow);
