//! SQL of [`DeepLinkStore`](super::deep_linking::DeepLinkStore), shared by both backends
//! in the same way as `shared.rs`.

macro_rules! impl_deep_link_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::deep_linking::DeepLinkStore for $store {
            async fn insert_deep_link_request(
                &self,
                request: &$crate::store::deep_linking::DeepLinkRequest,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO deep_link_requests (id, platform_id, deployment_id, \
                     context_id, context_title, user_subject, locale, settings, created_at, \
                     expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&request.id)
                .bind(request.platform_id)
                .bind(&request.deployment_id)
                .bind(&request.context_id)
                .bind(&request.context_title)
                .bind(&request.user_subject)
                .bind(&request.locale)
                .bind(&request.settings)
                .bind(request.created_at)
                .bind(request.expires_at)
                .bind(request.used_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn deep_link_request(
                &self,
                id: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::deep_linking::DeepLinkRequest>>
            {
                Ok(sqlx::query_as(
                    "SELECT id, platform_id, deployment_id, context_id, context_title, \
                     user_subject, locale, settings, created_at, expires_at, used_at \
                     FROM deep_link_requests WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn complete_deep_link_request(
                &self,
                id: &str,
                placements: &[$crate::store::deep_linking::Placement],
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::deep_linking::DeepLinkCompletion> {
                use $crate::store::deep_linking::DeepLinkCompletion;
                let mut tx = self.begin_write().await?;
                // One conditional update, so two submissions cannot both complete it.
                let marked = sqlx::query(
                    "UPDATE deep_link_requests SET used_at = $2 \
                     WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if marked.rows_affected() != 1 {
                    let row: Option<(Option<i64>,)> =
                        sqlx::query_as("SELECT used_at FROM deep_link_requests WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Ok(match row {
                        None => DeepLinkCompletion::Unknown,
                        Some((Some(_),)) => DeepLinkCompletion::AlreadyCompleted,
                        Some((None,)) => DeepLinkCompletion::Expired,
                    });
                }
                for placement in placements {
                    sqlx::query(
                        "INSERT INTO placements (id, platform_id, deployment_id, context_id, \
                         kind, space_id, room_id, title, rule_json, send_grades, created_by, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(&placement.id)
                    .bind(placement.platform_id)
                    .bind(&placement.deployment_id)
                    .bind(&placement.context_id)
                    .bind(&placement.kind)
                    .bind(placement.space_id)
                    .bind(placement.room_id)
                    .bind(&placement.title)
                    .bind(&placement.rule_json)
                    .bind(placement.send_grades)
                    .bind(&placement.created_by)
                    .bind(placement.created_at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(DeepLinkCompletion::Completed)
            }

            async fn purge_deep_link_requests(
                &self,
                before: i64,
            ) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM deep_link_requests WHERE expires_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn placement(
                &self,
                id: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::deep_linking::Placement>> {
                Ok(sqlx::query_as(
                    "SELECT id, platform_id, deployment_id, context_id, kind, space_id, \
                     room_id, title, rule_json, send_grades, created_by, created_at \
                     FROM placements WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn course_spaces(
                &self,
                issuer: &str,
                deployment_id: &str,
                context_id: &str,
            ) -> $crate::store::StoreResult<Vec<$crate::store::deep_linking::CourseSpace>> {
                Ok(sqlx::query_as(
                    "SELECT id, resource_link_title FROM spaces \
                     WHERE issuer = $1 AND deployment_id = $2 AND context_id = $3 ORDER BY id",
                )
                .bind(issuer)
                .bind(deployment_id)
                .bind(context_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_deep_link_store;
