//! SQL of [`ClusterStore`](super::cluster::ClusterStore), shared by both backends in the
//! same way as `shared.rs`.

macro_rules! impl_cluster_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::cluster::ClusterStore for $store {
            async fn report_instance(&self, id: &str, now: i64) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO instances (id, started_at, seen_at) VALUES ($1, $2, $2) \
                     ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
                )
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn remove_instance(
                &self,
                id: &str,
            ) -> $crate::store::StoreResult<Vec<$crate::store::cluster::LivePresence>> {
                // Two statements without a transaction: a failure between them leaves an
                // instance row without presence, which the next reaping removes.
                let gone = sqlx::query_as(
                    "DELETE FROM live_presence WHERE instance_id = $1 \
                     RETURNING instance_id, space_id, user_id, name, role, room_id, status",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                sqlx::query("DELETE FROM instances WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(gone)
            }

            async fn reap_instances(
                &self,
                before: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::cluster::LivePresence>> {
                // Rows of an instance that never reported itself count as stale too.
                let gone = sqlx::query_as(
                    "DELETE FROM live_presence WHERE instance_id NOT IN \
                     (SELECT id FROM instances WHERE seen_at >= $1) \
                     RETURNING instance_id, space_id, user_id, name, role, room_id, status",
                )
                .bind(before)
                .fetch_all(&self.pool)
                .await?;
                sqlx::query("DELETE FROM instances WHERE seen_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(gone)
            }

            async fn put_live_presence(
                &self,
                presence: &$crate::store::cluster::LivePresence,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO live_presence \
                     (instance_id, space_id, user_id, name, role, room_id, status, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (instance_id, space_id, user_id) DO UPDATE SET \
                     name = excluded.name, role = excluded.role, room_id = excluded.room_id, \
                     status = excluded.status, updated_at = excluded.updated_at",
                )
                .bind(&presence.instance_id)
                .bind(presence.space_id)
                .bind(presence.user_id)
                .bind(&presence.name)
                .bind(&presence.role)
                .bind(presence.room_id)
                .bind(&presence.status)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn remove_live_presence(
                &self,
                instance_id: &str,
                space_id: i64,
                user_id: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "DELETE FROM live_presence \
                     WHERE instance_id = $1 AND space_id = $2 AND user_id = $3",
                )
                .bind(instance_id)
                .bind(space_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn live_presence(
                &self,
                space_id: i64,
                alive_since: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::cluster::LivePresence>> {
                Ok(sqlx::query_as(
                    "SELECT p.instance_id, p.space_id, p.user_id, p.name, p.role, p.room_id, \
                     p.status FROM live_presence p JOIN instances i ON i.id = p.instance_id \
                     WHERE p.space_id = $1 AND i.seen_at >= $2 \
                     ORDER BY p.user_id, p.updated_at DESC",
                )
                .bind(space_id)
                .bind(alive_since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn connected_elsewhere(
                &self,
                instance_id: &str,
                space_id: i64,
                user_id: i64,
                alive_since: i64,
            ) -> $crate::store::StoreResult<bool> {
                let found: Option<(i64,)> = sqlx::query_as(
                    "SELECT p.user_id FROM live_presence p \
                     JOIN instances i ON i.id = p.instance_id \
                     WHERE p.space_id = $1 AND p.user_id = $2 AND p.instance_id <> $3 \
                     AND i.seen_at >= $4 LIMIT 1",
                )
                .bind(space_id)
                .bind(user_id)
                .bind(instance_id)
                .bind(alive_since)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn claim_job(
                &self,
                name: &str,
                instance_id: &str,
                now: i64,
                period_secs: i64,
            ) -> $crate::store::StoreResult<bool> {
                sqlx::query(
                    "INSERT INTO periodic_jobs (name, next_run_at) VALUES ($1, $2) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(name)
                .bind(now)
                .execute(&self.pool)
                .await?;
                // A single conditional UPDATE: of several instances reading the same due
                // time, only the first one's update matches.
                let done = sqlx::query(
                    "UPDATE periodic_jobs SET next_run_at = $2, last_instance = $3 \
                     WHERE name = $1 AND next_run_at <= $4",
                )
                .bind(name)
                .bind(now + period_secs)
                .bind(instance_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn put_bus_payload(&self, body: &str, now: i64) -> $crate::store::StoreResult<i64> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO bus_payloads (body, created_at) VALUES ($1, $2) RETURNING id",
                )
                .bind(body)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn bus_payload(&self, id: i64) -> $crate::store::StoreResult<Option<String>> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT body FROM bus_payloads WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|(body,)| body))
            }

            async fn purge_bus_payloads(&self, before: i64) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM bus_payloads WHERE created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_cluster_store;
