//! The production backend: PostgreSQL, shared by any number of cowork instances.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::chat_sql::impl_chat_store;
use super::events_sql;
use super::shared::impl_store;
use super::StoreResult;

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects and applies `migrations/postgres`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        Self::connect_with(options).await
    }

    /// Connects with prepared options, for example a test's own `search_path`.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

impl PostgresStore {
    /// Whether one lock serializes every write transaction: on PostgreSQL, only row locks
    /// and constraints order concurrent writers.
    pub(crate) const SERIALIZES_WRITES: bool = false;

    /// Starts a transaction; PostgreSQL takes row locks as the statements need them.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Starts a transaction whose commit returns before its WAL record reaches the disk
    /// (PostgreSQL's asynchronous commit). It is only for rows a crash may lose without
    /// harm. A lost login state costs one person a new click. Any later commit that waits
    /// for the disk, such as a launch's, makes the earlier records durable as well.
    pub(crate) async fn begin_async_commit(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool
            .begin_with("BEGIN; SET LOCAL synchronous_commit = off")
            .await
    }
}

impl_store!(PostgresStore, {
    fn postgres_pool(&self) -> Option<PgPool> {
        Some(self.pool.clone())
    }
});
super::cluster_sql::impl_cluster_store!(PostgresStore);
impl_chat_store!(PostgresStore);
super::help_sql::impl_help_store!(PostgresStore);
super::partners_sql::impl_partner_store!(PostgresStore);
events_sql::impl_event_store!(PostgresStore);
super::showcase_sql::impl_showcase_store!(PostgresStore);
super::focus_sql::impl_focus_store!(PostgresStore);
super::grades_sql::impl_grade_store!(PostgresStore, " FOR UPDATE SKIP LOCKED");
super::registration_sql::impl_registration_store!(PostgresStore);
super::roster_sql::impl_roster_store!(PostgresStore);
super::deep_linking_sql::impl_deep_link_store!(PostgresStore);
super::questionnaires_sql::impl_questionnaire_store!(
    PostgresStore,
    sqlx::Transaction<'static, sqlx::Postgres>
);
super::analytics_sql::impl_analytics_store!(PostgresStore);
super::privacy_sql::impl_privacy_store!(PostgresStore, sqlx::postgres::PgRow);
