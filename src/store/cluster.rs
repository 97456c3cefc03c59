//! Storage that lets several instances share one database: the instances themselves, who
//! is connected through each of them, periodic jobs and large chat events in transit.
//!
//! An instance counts as alive while its `seen_at` is recent; callers pass the cut-off.
//! Presence rows of instances that stopped reporting are removed by [`reap_instances`],
//! which one instance runs for all.
//!
//! [`reap_instances`]: ClusterStore::reap_instances

use async_trait::async_trait;

use super::StoreResult;

/// One person connected to a space through one instance.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LivePresence {
    pub instance_id: String,
    pub space_id: i64,
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub room_id: Option<i64>,
    pub status: String,
}

#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// Records that instance `id` is alive at `now`.
    async fn report_instance(&self, id: &str, now: i64) -> StoreResult<()>;
    /// Removes instance `id` and its presence rows; returns the removed rows.
    async fn remove_instance(&self, id: &str) -> StoreResult<Vec<LivePresence>>;
    /// Removes the instances last seen before `before` with their presence rows, and the
    /// presence rows of instances never reported; returns the removed rows.
    async fn reap_instances(&self, before: i64) -> StoreResult<Vec<LivePresence>>;

    /// Stores or replaces a person's presence through one instance.
    async fn put_live_presence(&self, presence: &LivePresence, now: i64) -> StoreResult<()>;
    /// Removes a person's presence through one instance.
    async fn remove_live_presence(
        &self,
        instance_id: &str,
        space_id: i64,
        user_id: i64,
    ) -> StoreResult<()>;
    /// Lists everyone connected to a space through an instance seen at or after `alive_since`.
    async fn live_presence(
        &self,
        space_id: i64,
        alive_since: i64,
    ) -> StoreResult<Vec<LivePresence>>;
    /// Returns whether a person is connected to a space through an instance other than
    /// `instance_id` that was seen at or after `alive_since`.
    async fn connected_elsewhere(
        &self,
        instance_id: &str,
        space_id: i64,
        user_id: i64,
        alive_since: i64,
    ) -> StoreResult<bool>;

    /// Claims the run of periodic job `name` due at `now`. Exactly one caller per period
    /// gets true and runs the job. The next run becomes due `period_secs` later.
    async fn claim_job(
        &self,
        name: &str,
        instance_id: &str,
        now: i64,
        period_secs: i64,
    ) -> StoreResult<bool>;

    /// Stores an event body for other instances to read; returns its id.
    async fn put_bus_payload(&self, body: &str, now: i64) -> StoreResult<i64>;
    /// Reads a stored event body.
    async fn bus_payload(&self, id: i64) -> StoreResult<Option<String>>;
    /// Removes event bodies stored before `before`.
    async fn purge_bus_payloads(&self, before: i64) -> StoreResult<u64>;
}
