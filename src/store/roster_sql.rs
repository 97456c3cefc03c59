//! SQL of [`RosterStore`](super::roster::RosterStore), shared by both backends in the
//! same way as `shared.rs`.

macro_rules! impl_roster_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::roster::RosterStore for $store {
            async fn set_roster_source(
                &self,
                space_id: i64,
                platform_id: i64,
                memberships_url: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO roster_sources \
                     (space_id, platform_id, memberships_url, updated_at) \
                     VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (space_id) DO UPDATE SET \
                     platform_id = excluded.platform_id, \
                     memberships_url = excluded.memberships_url, \
                     updated_at = excluded.updated_at",
                )
                .bind(space_id)
                .bind(platform_id)
                .bind(memberships_url)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn roster_source(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::roster::RosterSource>> {
                Ok(sqlx::query_as(
                    "SELECT space_id, platform_id, memberships_url, synced_at, sync_error \
                     FROM roster_sources WHERE space_id = $1",
                )
                .bind(space_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn roster_sources_due(
                &self,
                synced_before: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::roster::RosterSource>> {
                Ok(sqlx::query_as(
                    "SELECT space_id, platform_id, memberships_url, synced_at, sync_error \
                     FROM roster_sources WHERE synced_at IS NULL OR synced_at < $1 \
                     ORDER BY COALESCE(synced_at, 0), space_id LIMIT $2",
                )
                .bind(synced_before)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn store_roster(
                &self,
                space_id: i64,
                members: &[$crate::store::roster::RosterPerson],
                complete: bool,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let (issuer,): (String,) = sqlx::query_as("SELECT issuer FROM spaces WHERE id = $1")
                    .bind(space_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if complete {
                    // Members listed again get their status back below, in this transaction.
                    sqlx::query(
                        "UPDATE roster_members SET status = 'Deleted', synced_at = $2 \
                         WHERE space_id = $1",
                    )
                    .bind(space_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                for member in members {
                    // A name the platform withholds keeps the one a launch sent, if any.
                    let (user_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO users \
                         (issuer, subject, name, given_name, family_name, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (issuer, subject) DO UPDATE SET \
                         name = COALESCE(excluded.name, users.name), \
                         given_name = COALESCE(excluded.given_name, users.given_name), \
                         family_name = COALESCE(excluded.family_name, users.family_name) \
                         RETURNING id",
                    )
                    .bind(&issuer)
                    .bind(&member.subject)
                    .bind(&member.name)
                    .bind(&member.given_name)
                    .bind(&member.family_name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO roster_members (space_id, user_id, roles, status, synced_at) \
                         VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (space_id, user_id) DO UPDATE SET \
                         roles = excluded.roles, status = excluded.status, \
                         synced_at = excluded.synced_at",
                    )
                    .bind(space_id)
                    .bind(user_id)
                    .bind(&member.roles)
                    .bind(&member.status)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn record_roster_sync(
                &self,
                space_id: i64,
                now: i64,
                error: Option<&str>,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE roster_sources SET synced_at = $2, sync_error = $3 \
                     WHERE space_id = $1",
                )
                .bind(space_id)
                .bind(now)
                .bind(error)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn roster(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::roster::RosterEntry>> {
                Ok(sqlx::query_as(
                    "SELECT r.user_id, u.name, r.roles, r.status, m.last_seen_at, \
                     (SELECT COUNT(*) FROM interactions i \
                      WHERE i.space_id = r.space_id AND i.actor_id = r.user_id) \
                     AS contributions \
                     FROM roster_members r JOIN users u ON u.id = r.user_id \
                     LEFT JOIN space_members m \
                     ON m.space_id = r.space_id AND m.user_id = r.user_id \
                     WHERE r.space_id = $1 \
                     ORDER BY CASE r.status WHEN 'Active' THEN 0 WHEN 'Inactive' THEN 1 \
                     ELSE 2 END, CASE WHEN u.name IS NULL THEN 1 ELSE 0 END, u.name, r.user_id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_roster_store;
