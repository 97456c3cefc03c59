//! SQL of [`EventStore`](super::events::EventStore), shared by both backends.

macro_rules! event_select {
    () => {
        "SELECT e.id, e.space_id, e.kind, e.title, e.agenda, e.agenda_html, e.location, \
         e.starts_at, e.ends_at, e.time_zone, e.created_by, e.created_at, e.updated_at, \
         e.cancelled_at, e.sequence, \
         (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.response = 'yes') AS yes_count, \
         (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.response = 'maybe') AS maybe_count, \
         (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.response = 'no') AS no_count \
         FROM events e "
    };
}

macro_rules! impl_event_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::events::EventStore for $store {
            async fn create_event(
                &self,
                space_id: i64,
                draft: &$crate::store::events::EventDraft,
                by: i64,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::events::EventRow> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO events (space_id, kind, title, agenda, agenda_html, location, \
                     starts_at, ends_at, time_zone, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                )
                .bind(space_id)
                .bind(&draft.kind)
                .bind(&draft.title)
                .bind(&draft.agenda)
                .bind(&draft.agenda_html)
                .bind(&draft.location)
                .bind(draft.starts_at)
                .bind(draft.ends_at)
                .bind(&draft.time_zone)
                .bind(by)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                let created = self.event(space_id, id).await?;
                Ok(created.expect("the event row was just inserted"))
            }

            async fn update_event(
                &self,
                space_id: i64,
                event_id: i64,
                draft: &$crate::store::events::EventDraft,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::events::EventRow>> {
                sqlx::query(
                    "UPDATE events SET kind = $3, title = $4, agenda = $5, agenda_html = $6, \
                     location = $7, starts_at = $8, ends_at = $9, time_zone = $10, \
                     updated_at = $11, sequence = sequence + 1 \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(event_id)
                .bind(&draft.kind)
                .bind(&draft.title)
                .bind(&draft.agenda)
                .bind(&draft.agenda_html)
                .bind(&draft.location)
                .bind(draft.starts_at)
                .bind(draft.ends_at)
                .bind(&draft.time_zone)
                .bind(now)
                .execute(&self.pool)
                .await?;
                self.event(space_id, event_id).await
            }

            async fn cancel_event(
                &self,
                space_id: i64,
                event_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::events::EventRow>> {
                sqlx::query(
                    "UPDATE events SET cancelled_at = $3, updated_at = $3, sequence = sequence + 1 \
                     WHERE space_id = $1 AND id = $2 AND cancelled_at IS NULL",
                )
                .bind(space_id)
                .bind(event_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                self.event(space_id, event_id).await
            }

            async fn event(
                &self,
                space_id: i64,
                event_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::events::EventRow>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::events_sql::event_select!(),
                    "WHERE e.space_id = $1 AND e.id = $2"
                ))
                .bind(space_id)
                .bind(event_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn events(
                &self,
                space_id: i64,
                since: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::events::EventRow>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::events_sql::event_select!(),
                    "WHERE e.space_id = $1 AND e.ends_at >= $2 ORDER BY e.starts_at, e.id"
                ))
                .bind(space_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn set_rsvp(
                &self,
                event_id: i64,
                user_id: i64,
                response: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO event_rsvps (event_id, user_id, response, updated_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, user_id) DO UPDATE SET \
                     response = excluded.response, updated_at = excluded.updated_at",
                )
                .bind(event_id)
                .bind(user_id)
                .bind(response)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn rsvps(
                &self,
                event_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::events::Rsvp>> {
                Ok(sqlx::query_as(
                    "SELECT r.user_id, u.name, r.response, r.updated_at FROM event_rsvps r \
                     JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 \
                     ORDER BY r.response DESC, u.name",
                )
                .bind(event_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn own_rsvps(
                &self,
                space_id: i64,
                user_id: i64,
            ) -> $crate::store::StoreResult<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT r.event_id, r.response FROM event_rsvps r \
                     JOIN events e ON e.id = r.event_id \
                     WHERE e.space_id = $1 AND r.user_id = $2",
                )
                .bind(space_id)
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use event_select;
pub(crate) use impl_event_store;
