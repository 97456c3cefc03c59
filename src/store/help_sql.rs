//! SQL of [`HelpStore`](super::help::HelpStore), shared by both backends in the same way
//! as `chat_sql.rs`.

/// The request columns with the names of the asker and the helper, ready for a `WHERE`
/// clause.
macro_rules! help_request_select {
    () => {
        "SELECT r.id, r.space_id, r.asker_id, a.name AS asker_name, r.title, r.body, \
         r.body_html, r.tags, r.status, r.helper_id, h.name AS helper_name, r.thanks, \
         r.thanked_at, r.closed_by, r.created_at, r.finished_at \
         FROM help_requests r JOIN users a ON a.id = r.asker_id \
         LEFT JOIN users h ON h.id = r.helper_id "
    };
}

macro_rules! impl_help_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::help::HelpStore for $store {
            async fn create_help_request(
                &self,
                request: &$crate::store::help::NewHelpRequest,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::help::HelpRequest> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO help_requests \
                     (space_id, asker_id, title, body, body_html, tags, status, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
                )
                .bind(request.space_id)
                .bind(request.asker_id)
                .bind(&request.title)
                .bind(&request.body)
                .bind(&request.body_html)
                .bind(request.tags.to_lines())
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                let created = $crate::store::help::HelpStore::help_request(self, request.space_id, id).await?;
                Ok(created.expect("the request row was just inserted"))
            }

            async fn help_request(
                &self,
                space_id: i64,
                request_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::help::HelpRequest>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::help_sql::help_request_select!(),
                    "WHERE r.space_id = $1 AND r.id = $2"
                ))
                .bind(space_id)
                .bind(request_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn open_help_requests(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::help::HelpRequest>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::help_sql::help_request_select!(),
                    "WHERE r.space_id = $1 AND r.status = 'open' ORDER BY r.created_at, r.id"
                ))
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn finished_help_requests(
                &self,
                space_id: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::help::HelpRequest>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::help_sql::help_request_select!(),
                    "WHERE r.space_id = $1 AND r.status <> 'open' \
                     ORDER BY r.finished_at DESC, r.id DESC LIMIT $2"
                ))
                .bind(space_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn help_offers(
                &self,
                space_id: i64,
                request_ids: &[i64],
            ) -> $crate::store::StoreResult<Vec<$crate::store::help::HelpOffer>> {
                let (Some(low), Some(high)) =
                    (request_ids.iter().min(), request_ids.iter().max())
                else {
                    return Ok(Vec::new());
                };
                let mut offers: Vec<$crate::store::help::HelpOffer> = sqlx::query_as(
                    "SELECT o.request_id, o.helper_id, u.name AS helper_name, o.created_at \
                     FROM help_offers o JOIN users u ON u.id = o.helper_id \
                     WHERE o.space_id = $1 AND o.request_id BETWEEN $2 AND $3 \
                     ORDER BY o.created_at, o.helper_id",
                )
                .bind(space_id)
                .bind(low)
                .bind(high)
                .fetch_all(&self.pool)
                .await?;
                offers.retain(|offer| request_ids.contains(&offer.request_id));
                Ok(offers)
            }

            async fn help_posts(
                &self,
                space_id: i64,
                request_ids: &[i64],
            ) -> $crate::store::StoreResult<Vec<$crate::store::help::HelpPost>> {
                let (Some(low), Some(high)) =
                    (request_ids.iter().min(), request_ids.iter().max())
                else {
                    return Ok(Vec::new());
                };
                let mut posts: Vec<$crate::store::help::HelpPost> = sqlx::query_as(
                    "SELECT p.id, p.request_id, p.author_id, u.name AS author_name, p.body, \
                     p.body_html, p.created_at \
                     FROM help_posts p JOIN users u ON u.id = p.author_id \
                     WHERE p.space_id = $1 AND p.request_id BETWEEN $2 AND $3 \
                     ORDER BY p.created_at, p.id",
                )
                .bind(space_id)
                .bind(low)
                .bind(high)
                .fetch_all(&self.pool)
                .await?;
                posts.retain(|post| request_ids.contains(&post.request_id));
                Ok(posts)
            }

            async fn offer_help(
                &self,
                space_id: i64,
                request_id: i64,
                helper_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let inserted = sqlx::query(
                    "INSERT INTO help_offers (space_id, request_id, helper_id, created_at) \
                     SELECT $1, id, $3, $4 FROM help_requests \
                     WHERE space_id = $1 AND id = $2 AND status = 'open' \
                     ON CONFLICT (request_id, helper_id) DO NOTHING",
                )
                .bind(space_id)
                .bind(request_id)
                .bind(helper_id)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(inserted > 0)
            }

            async fn add_help_post(
                &self,
                space_id: i64,
                request_id: i64,
                author_id: i64,
                body: &str,
                body_html: &str,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::help::HelpPost>> {
                let inserted: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO help_posts \
                     (space_id, request_id, author_id, body, body_html, created_at) \
                     SELECT $1, id, $3, $4, $5, $6 FROM help_requests \
                     WHERE space_id = $1 AND id = $2 AND status = 'open' RETURNING id",
                )
                .bind(space_id)
                .bind(request_id)
                .bind(author_id)
                .bind(body)
                .bind(body_html)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                let Some((post_id,)) = inserted else {
                    return Ok(None);
                };
                let posts = $crate::store::help::HelpStore::help_posts(self, space_id, &[request_id]).await?;
                Ok(posts.into_iter().find(|post| post.id == post_id))
            }

            async fn resolve_help_request(
                &self,
                space_id: i64,
                request_id: i64,
                helper_id: Option<i64>,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let updated = sqlx::query(
                    "UPDATE help_requests SET status = 'resolved', helper_id = $3, \
                     finished_at = $4 WHERE space_id = $1 AND id = $2 AND status = 'open'",
                )
                .bind(space_id)
                .bind(request_id)
                .bind(helper_id)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(updated > 0)
            }

            async fn thank_helper(
                &self,
                space_id: i64,
                request_id: i64,
                note: &str,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let updated = sqlx::query(
                    "UPDATE help_requests SET thanks = $3, thanked_at = $4 \
                     WHERE space_id = $1 AND id = $2 AND status = 'resolved' \
                     AND helper_id IS NOT NULL AND thanked_at IS NULL",
                )
                .bind(space_id)
                .bind(request_id)
                .bind(note)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(updated > 0)
            }

            async fn close_help_request(
                &self,
                space_id: i64,
                request_id: i64,
                closed_by: i64,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let updated = sqlx::query(
                    "UPDATE help_requests SET status = 'closed', closed_by = $3, \
                     finished_at = $4 WHERE space_id = $1 AND id = $2 AND status = 'open'",
                )
                .bind(space_id)
                .bind(request_id)
                .bind(closed_by)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(updated > 0)
            }

            async fn delete_help_request(
                &self,
                space_id: i64,
                request_id: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                for table in ["help_posts", "help_offers"] {
                    sqlx::query(&format!(
                        "DELETE FROM {table} WHERE space_id = $1 AND request_id = $2"
                    ))
                    .bind(space_id)
                    .bind(request_id)
                    .execute(&mut *tx)
                    .await?;
                }
                let deleted = sqlx::query("DELETE FROM help_requests WHERE space_id = $1 AND id = $2")
                    .bind(space_id)
                    .bind(request_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(deleted > 0)
            }
        }
    };
}

pub(crate) use help_request_select;
pub(crate) use impl_help_store;
