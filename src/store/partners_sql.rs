//! SQL of [`PartnerStore`](super::partners::PartnerStore), shared by both backends in the
//! same way as `chat_sql.rs`.

macro_rules! partner_entry_select {
    () => {
        "SELECT id, space_id, kind, name, description, description_html, contact_name, \
         contact_email, contact_url, deadline, archived_at, created_by, created_at, \
         updated_at FROM partner_entries "
    };
}

macro_rules! impl_partner_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::partners::PartnerStore for $store {
            async fn create_partner_entry(
                &self,
                space_id: i64,
                created_by: i64,
                fields: &$crate::store::partners::PartnerFields,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::partners::PartnerEntry> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO partner_entries (space_id, kind, name, description, \
                     description_html, contact_name, contact_email, contact_url, deadline, \
                     created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                )
                .bind(space_id)
                .bind(&fields.kind)
                .bind(&fields.name)
                .bind(&fields.description)
                .bind(&fields.description_html)
                .bind(&fields.contact_name)
                .bind(&fields.contact_email)
                .bind(&fields.contact_url)
                .bind(&fields.deadline)
                .bind(created_by)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                let created =
                    $crate::store::partners::PartnerStore::partner_entry(self, space_id, id).await?;
                Ok(created.expect("the entry row was just inserted"))
            }

            async fn update_partner_entry(
                &self,
                space_id: i64,
                entry_id: i64,
                fields: &$crate::store::partners::PartnerFields,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::partners::PartnerEntry>> {
                sqlx::query(
                    "UPDATE partner_entries SET kind = $3, name = $4, description = $5, \
                     description_html = $6, contact_name = $7, contact_email = $8, \
                     contact_url = $9, deadline = $10, updated_at = $11 \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(entry_id)
                .bind(&fields.kind)
                .bind(&fields.name)
                .bind(&fields.description)
                .bind(&fields.description_html)
                .bind(&fields.contact_name)
                .bind(&fields.contact_email)
                .bind(&fields.contact_url)
                .bind(&fields.deadline)
                .bind(now)
                .execute(&self.pool)
                .await?;
                $crate::store::partners::PartnerStore::partner_entry(self, space_id, entry_id).await
            }

            async fn archive_partner_entry(
                &self,
                space_id: i64,
                entry_id: i64,
                archived: bool,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::partners::PartnerEntry>> {
                sqlx::query(
                    "UPDATE partner_entries SET archived_at = $3, updated_at = $4 \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(entry_id)
                .bind(archived.then_some(now))
                .bind(now)
                .execute(&self.pool)
                .await?;
                $crate::store::partners::PartnerStore::partner_entry(self, space_id, entry_id).await
            }

            async fn partner_entry(
                &self,
                space_id: i64,
                entry_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::partners::PartnerEntry>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::partners_sql::partner_entry_select!(),
                    "WHERE space_id = $1 AND id = $2"
                ))
                .bind(space_id)
                .bind(entry_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn partner_entries(
                &self,
                space_id: i64,
                include_archived: bool,
            ) -> $crate::store::StoreResult<Vec<$crate::store::partners::PartnerEntry>> {
                let sql = if include_archived {
                    concat!(
                        $crate::store::partners_sql::partner_entry_select!(),
                        "WHERE space_id = $1 \
                         ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, id"
                    )
                } else {
                    concat!(
                        $crate::store::partners_sql::partner_entry_select!(),
                        "WHERE space_id = $1 AND archived_at IS NULL \
                         ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, id"
                    )
                };
                Ok(sqlx::query_as(sql).bind(space_id).fetch_all(&self.pool).await?)
            }

            async fn express_interest(
                &self,
                space_id: i64,
                entry_id: i64,
                user_id: i64,
                note: Option<&str>,
                now: i64,
            ) -> $crate::store::StoreResult<Option<bool>> {
                let mut tx = self.begin_write().await?;
                let open: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM partner_entries \
                     WHERE space_id = $1 AND id = $2 AND archived_at IS NULL",
                )
                .bind(space_id)
                .bind(entry_id)
                .fetch_optional(&mut *tx)
                .await?;
                if open.is_none() {
                    return Ok(None);
                }

                let inserted = sqlx::query(
                    "INSERT INTO partner_interests (space_id, entry_id, user_id, note, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (entry_id, user_id) DO NOTHING",
                )
                .bind(space_id)
                .bind(entry_id)
                .bind(user_id)
                .bind(note)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // The student expressed interest before, so only the note changes.
                if inserted == 0 {
                    sqlx::query(
                        "UPDATE partner_interests SET note = $4 \
                         WHERE space_id = $1 AND entry_id = $2 AND user_id = $3",
                    )
                    .bind(space_id)
                    .bind(entry_id)
                    .bind(user_id)
                    .bind(note)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(Some(inserted > 0))
            }

            async fn withdraw_interest(
                &self,
                space_id: i64,
                entry_id: i64,
                user_id: i64,
            ) -> $crate::store::StoreResult<bool> {
                let deleted = sqlx::query(
                    "DELETE FROM partner_interests \
                     WHERE space_id = $1 AND entry_id = $2 AND user_id = $3",
                )
                .bind(space_id)
                .bind(entry_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(deleted > 0)
            }

            async fn partner_interests(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::partners::PartnerInterest>> {
                Ok(sqlx::query_as(
                    "SELECT i.entry_id, i.user_id, u.name AS user_name, i.note, i.created_at \
                     FROM partner_interests i JOIN users u ON u.id = i.user_id \
                     WHERE i.space_id = $1 ORDER BY i.created_at, i.user_id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_partner_store;
pub(crate) use partner_entry_select;
