//! SQL of [`FocusStore`](super::focus::FocusStore), shared by both backends in the same
//! way as `shared.rs`.

/// The session columns with the participant's name, ready for a `WHERE` clause.
macro_rules! focus_select {
    () => {
        "SELECT f.id, f.space_id, f.user_id, u.name AS user_name, f.goal, f.minutes, \
         f.started_at, f.ends_at, f.finished_at, f.outcome, f.note \
         FROM focus_sessions f JOIN users u ON u.id = f.user_id "
    };
}

macro_rules! impl_focus_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::focus::FocusStore for $store {
            async fn start_focus(
                &self,
                focus: &$crate::store::focus::NewFocus,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::focus::FocusSession>> {
                // The partial unique index on unfinished sessions turns a second open
                // session into a conflict, so no row is returned.
                let row: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO focus_sessions \
                     (space_id, user_id, goal, minutes, started_at, ends_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(focus.space_id)
                .bind(focus.user_id)
                .bind(&focus.goal)
                .bind(focus.minutes)
                .bind(now)
                .bind(now + focus.minutes * 60)
                .fetch_optional(&self.pool)
                .await?;
                let Some((id,)) = row else { return Ok(None) };
                self.focus_session(focus.space_id, id).await
            }

            async fn open_focus(
                &self,
                space_id: i64,
                user_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::focus::FocusSession>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::focus_sql::focus_select!(),
                    "WHERE f.space_id = $1 AND f.user_id = $2 AND f.finished_at IS NULL"
                ))
                .bind(space_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn focus_session(
                &self,
                space_id: i64,
                session_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::focus::FocusSession>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::focus_sql::focus_select!(),
                    "WHERE f.space_id = $1 AND f.id = $2"
                ))
                .bind(space_id)
                .bind(session_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn running_focus(
                &self,
                space_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::focus::FocusSession>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::focus_sql::focus_select!(),
                    "WHERE f.space_id = $1 AND f.finished_at IS NULL AND f.ends_at > $2 \
                     ORDER BY f.ends_at, f.id"
                ))
                .bind(space_id)
                .bind(now)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn finish_focus(
                &self,
                space_id: i64,
                session_id: i64,
                user_id: i64,
                outcome: &str,
                note: Option<&str>,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::focus::FocusSession>> {
                let finished = sqlx::query(
                    "UPDATE focus_sessions SET finished_at = $4, outcome = $5, note = $6 \
                     WHERE space_id = $1 AND id = $2 AND user_id = $3 AND finished_at IS NULL",
                )
                .bind(space_id)
                .bind(session_id)
                .bind(user_id)
                .bind(now)
                .bind(outcome)
                .bind(note)
                .execute(&self.pool)
                .await?
                .rows_affected();
                if finished == 0 {
                    return Ok(None);
                }
                self.focus_session(space_id, session_id).await
            }

            async fn finished_focus(
                &self,
                space_id: i64,
                user_id: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::focus::FocusSession>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::focus_sql::focus_select!(),
                    "WHERE f.space_id = $1 AND f.user_id = $2 AND f.finished_at IS NOT NULL \
                     ORDER BY f.finished_at DESC, f.id DESC LIMIT $3"
                ))
                .bind(space_id)
                .bind(user_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use focus_select;
pub(crate) use impl_focus_store;
