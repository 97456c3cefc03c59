//! SQL of [`AnalyticsStore`](super::analytics::AnalyticsStore), shared by both backends.

macro_rules! impl_analytics_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::analytics::AnalyticsStore for $store {
            async fn space_created_at(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Option<i64>> {
                Ok(
                    sqlx::query_scalar("SELECT created_at FROM spaces WHERE id = $1")
                        .bind(space_id)
                        .fetch_optional(&self.pool)
                        .await?,
                )
            }

            async fn analytics_members(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::AnalyticsMember>> {
                Ok(sqlx::query_as(
                    "SELECT m.user_id, u.name, m.role FROM space_members m \
                     JOIN users u ON u.id = m.user_id \
                     WHERE m.space_id = $1 ORDER BY m.user_id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn analytics_rooms(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::AnalyticsRoom>> {
                Ok(sqlx::query_as(
                    "SELECT id, kind, name, archived_at FROM rooms \
                     WHERE space_id = $1 ORDER BY id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn team_memberships(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::TeamMembership>> {
                Ok(sqlx::query_as(
                    "SELECT rm.room_id, rm.user_id FROM rooms r \
                     JOIN room_members rm ON rm.room_id = r.id \
                     WHERE r.space_id = $1 AND r.kind = 'team' \
                     ORDER BY rm.room_id, rm.user_id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn analytics_visits(
                &self,
                space_id: i64,
                from: i64,
                until: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::RoomVisit>> {
                Ok(sqlx::query_as(
                    "SELECT room_id, user_id, entered_at, left_at FROM room_visits \
                     WHERE space_id = $1 AND entered_at >= $2 AND entered_at < $3 \
                     ORDER BY entered_at, id",
                )
                .bind(space_id)
                .bind(from)
                .bind(until)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn analytics_interactions(
                &self,
                space_id: i64,
                from: i64,
                until: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::Interaction>> {
                Ok(sqlx::query_as(
                    "SELECT space_id, actor_id, target_id, room_id, kind, subject_id, created_at \
                     FROM interactions \
                     WHERE space_id = $1 AND created_at >= $2 AND created_at < $3 \
                     ORDER BY created_at, id",
                )
                .bind(space_id)
                .bind(from)
                .bind(until)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn interaction_edges(
                &self,
                space_id: i64,
                from: i64,
                until: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::InteractionEdge>> {
                Ok(sqlx::query_as(
                    "SELECT actor_id, target_id, kind, room_id, COUNT(*) AS count, \
                     MIN(created_at) AS first_at, MAX(created_at) AS last_at \
                     FROM interactions \
                     WHERE space_id = $1 AND created_at >= $2 AND created_at < $3 \
                     AND target_id IS NOT NULL \
                     GROUP BY actor_id, target_id, kind, room_id \
                     ORDER BY actor_id, target_id, kind, COALESCE(room_id, 0)",
                )
                .bind(space_id)
                .bind(from)
                .bind(until)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn analytics_messages(
                &self,
                space_id: i64,
                from: i64,
                until: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::AnalyticsMessage>> {
                let rows: Vec<$crate::store::analytics::MessageRow> = sqlx::query_as(
                    "SELECT id, room_id, author_id, parent_id, body, created_at, deleted_at, rev \
                     FROM messages \
                     WHERE space_id = $1 AND created_at >= $2 AND created_at < $3 \
                     AND deleted_at IS NULL ORDER BY created_at, id",
                )
                .bind(space_id)
                .bind(from)
                .bind(until)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.iter().map(|row| row.analytics_message()).collect())
            }

            async fn logged_interactions_from(
                &self,
                space_id: i64,
                from: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::LoggedInteraction>> {
                Ok(sqlx::query_as(
                    "SELECT id, space_id, actor_id, target_id, room_id, kind, subject_id, \
                     created_at FROM interactions \
                     WHERE space_id = $1 AND created_at >= $2 ORDER BY created_at, id",
                )
                .bind(space_id)
                .bind(from)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn interaction_count_before(
                &self,
                space_id: i64,
                before: i64,
            ) -> $crate::store::StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM interactions WHERE space_id = $1 AND created_at < $2",
                )
                .bind(space_id)
                .bind(before)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn logged_visits_from(
                &self,
                space_id: i64,
                from: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::LoggedVisit>> {
                Ok(sqlx::query_as(
                    "SELECT id, room_id, user_id, entered_at, left_at FROM room_visits \
                     WHERE space_id = $1 AND entered_at >= $2 ORDER BY entered_at, id",
                )
                .bind(space_id)
                .bind(from)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn visit_count_before(
                &self,
                space_id: i64,
                before: i64,
            ) -> $crate::store::StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM room_visits WHERE space_id = $1 AND entered_at < $2",
                )
                .bind(space_id)
                .bind(before)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn room_revisions(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<(i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT id, last_rev FROM rooms WHERE space_id = $1 ORDER BY id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn message_changes(
                &self,
                room_id: i64,
                after: i64,
                until: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::analytics::MessageChange>> {
                let rows: Vec<$crate::store::analytics::MessageRow> = sqlx::query_as(
                    "SELECT id, room_id, author_id, parent_id, body, created_at, deleted_at, rev \
                     FROM messages WHERE room_id = $1 AND rev > $2 AND rev <= $3 ORDER BY rev",
                )
                .bind(room_id)
                .bind(after)
                .bind(until)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .iter()
                    .map(|row| $crate::store::analytics::MessageChange {
                        message: row.analytics_message(),
                        deleted: row.deleted_at.is_some(),
                        rev: row.rev,
                    })
                    .collect())
            }
        }
    };
}

pub(crate) use impl_analytics_store;
