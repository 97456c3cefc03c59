//! SQL of [`ShowcaseStore`](super::showcase::ShowcaseStore), shared by both backends in
//! the same way as `shared.rs`.

/// The item columns with the author's name, ready for a `WHERE` clause.
macro_rules! item_select {
    () => {
        "SELECT i.id, i.space_id, i.author_id, u.name AS author_name, i.title, i.description, \
         i.description_html, i.link_url, i.file_name, i.file_type, i.file_size, i.file_storage, \
         i.file_key, i.featured_at, i.created_at \
         FROM showcase_items i JOIN users u ON u.id = i.author_id "
    };
}

macro_rules! impl_showcase_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::showcase::ShowcaseStore for $store {
            async fn publish_item(
                &self,
                item: &$crate::store::showcase::NewItem,
                bytes: Option<&[u8]>,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::showcase::ShowcaseItem> {
                let file = item.file.as_ref();
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO showcase_items (space_id, author_id, title, description, \
                     description_html, link_url, file_name, file_type, file_size, file_storage, \
                     file_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(item.space_id)
                .bind(item.author_id)
                .bind(&item.title)
                .bind(&item.description)
                .bind(&item.description_html)
                .bind(&item.link_url)
                .bind(file.map(|f| f.name.as_str()))
                .bind(file.map(|f| f.content_type.as_str()))
                .bind(file.map(|f| f.size))
                .bind(file.map(|f| f.storage.as_str()))
                .bind(file.and_then(|f| f.key.as_deref()))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                if let Some(bytes) = bytes {
                    sqlx::query("INSERT INTO showcase_files (item_id, bytes) VALUES ($1, $2)")
                        .bind(id)
                        .bind(bytes)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                let stored = self.showcase_item(item.space_id, id).await?;
                Ok(stored.expect("the item row was just inserted"))
            }

            async fn showcase_items(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::showcase::ItemSummary>> {
                Ok(sqlx::query_as(
                    "SELECT i.id, i.author_id, u.name AS author_name, i.title, i.link_url, \
                     i.file_name, i.file_size, i.featured_at, i.created_at, \
                     (SELECT COUNT(*) FROM showcase_comments c WHERE c.item_id = i.id) \
                     AS comment_count, \
                     (SELECT COUNT(*) FROM showcase_reactions r WHERE r.item_id = i.id) \
                     AS reaction_count, \
                     (SELECT COUNT(*) FROM showcase_feedback f WHERE f.item_id = i.id) \
                     AS feedback_count \
                     FROM showcase_items i JOIN users u ON u.id = i.author_id \
                     WHERE i.space_id = $1 AND i.removed_at IS NULL \
                     ORDER BY (i.featured_at IS NULL), i.featured_at DESC, i.created_at DESC, \
                     i.id DESC",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn showcase_item(
                &self,
                space_id: i64,
                item_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::showcase::ShowcaseItem>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::showcase_sql::item_select!(),
                    "WHERE i.space_id = $1 AND i.id = $2 AND i.removed_at IS NULL"
                ))
                .bind(space_id)
                .bind(item_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn showcase_file_bytes(
                &self,
                space_id: i64,
                item_id: i64,
            ) -> $crate::store::StoreResult<Option<Vec<u8>>> {
                let row: Option<(Vec<u8>,)> = sqlx::query_as(
                    "SELECT f.bytes FROM showcase_files f \
                     JOIN showcase_items i ON i.id = f.item_id \
                     WHERE i.space_id = $1 AND i.id = $2 AND i.removed_at IS NULL",
                )
                .bind(space_id)
                .bind(item_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(bytes,)| bytes))
            }

            async fn feature_item(
                &self,
                space_id: i64,
                item_id: i64,
                featured: bool,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::showcase::ShowcaseItem>> {
                sqlx::query(
                    "UPDATE showcase_items SET featured_at = $3 \
                     WHERE space_id = $1 AND id = $2 AND removed_at IS NULL",
                )
                .bind(space_id)
                .bind(item_id)
                .bind(featured.then_some(now))
                .execute(&self.pool)
                .await?;
                self.showcase_item(space_id, item_id).await
            }

            async fn live_upload_keys(&self) -> $crate::store::StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT file_key FROM showcase_items \
                     WHERE file_storage = 'directory' AND file_key IS NOT NULL \
                     AND removed_at IS NULL",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn remove_item(
                &self,
                space_id: i64,
                item_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::showcase::ShowcaseItem>> {
                let Some(item) = self.showcase_item(space_id, item_id).await? else {
                    return Ok(None);
                };
                let mut tx = self.begin_write().await?;
                let removed = sqlx::query(
                    "UPDATE showcase_items SET removed_at = $3 \
                     WHERE space_id = $1 AND id = $2 AND removed_at IS NULL",
                )
                .bind(space_id)
                .bind(item_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if removed == 0 {
                    // Another request removed it between the read and the update.
                    return Ok(None);
                }
                sqlx::query("DELETE FROM showcase_files WHERE item_id = $1")
                    .bind(item_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(item))
            }

            async fn add_comment(
                &self,
                comment: &$crate::store::showcase::NewComment,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::showcase::ShowcaseComment>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO showcase_comments \
                     (space_id, item_id, author_id, body, body_html, created_at) \
                     SELECT $1, id, $3, $4, $5, $6 FROM showcase_items \
                     WHERE space_id = $1 AND id = $2 AND removed_at IS NULL \
                     RETURNING id",
                )
                .bind(comment.space_id)
                .bind(comment.item_id)
                .bind(comment.author_id)
                .bind(&comment.body)
                .bind(&comment.body_html)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                let Some((id,)) = row else { return Ok(None) };
                Ok(sqlx::query_as(
                    "SELECT c.id, c.item_id, c.author_id, u.name AS author_name, c.body, \
                     c.body_html, c.created_at \
                     FROM showcase_comments c JOIN users u ON u.id = c.author_id \
                     WHERE c.id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn item_comments(
                &self,
                space_id: i64,
                item_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::showcase::ShowcaseComment>> {
                Ok(sqlx::query_as(
                    "SELECT c.id, c.item_id, c.author_id, u.name AS author_name, c.body, \
                     c.body_html, c.created_at \
                     FROM showcase_comments c JOIN users u ON u.id = c.author_id \
                     WHERE c.space_id = $1 AND c.item_id = $2 \
                     ORDER BY c.created_at, c.id",
                )
                .bind(space_id)
                .bind(item_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn react_to_item(
                &self,
                space_id: i64,
                item_id: i64,
                user_id: i64,
                emoji: &str,
                on: bool,
                now: i64,
            ) -> $crate::store::StoreResult<Option<bool>> {
                if self.showcase_item(space_id, item_id).await?.is_none() {
                    return Ok(None);
                }
                let changed = if on {
                    sqlx::query(
                        "INSERT INTO showcase_reactions (item_id, user_id, emoji, created_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (item_id, user_id, emoji) DO NOTHING",
                    )
                    .bind(item_id)
                    .bind(user_id)
                    .bind(emoji)
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected()
                } else {
                    sqlx::query(
                        "DELETE FROM showcase_reactions \
                         WHERE item_id = $1 AND user_id = $2 AND emoji = $3",
                    )
                    .bind(item_id)
                    .bind(user_id)
                    .bind(emoji)
                    .execute(&self.pool)
                    .await?
                    .rows_affected()
                };
                Ok(Some(changed > 0))
            }

            async fn item_reactions(
                &self,
                space_id: i64,
                item_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::ReactionCount>> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT r.emoji, r.user_id FROM showcase_reactions r \
                     JOIN showcase_items i ON i.id = r.item_id \
                     WHERE i.space_id = $1 AND r.item_id = $2 \
                     ORDER BY r.created_at, r.user_id",
                )
                .bind(space_id)
                .bind(item_id)
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::store::showcase::group_reactions(rows))
            }

            async fn save_feedback(
                &self,
                feedback: &$crate::store::showcase::FeedbackInput,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::showcase::SavedFeedback>> {
                if self
                    .showcase_item(feedback.space_id, feedback.item_id)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                // The insert succeeds only for the giver's first feedback on the item;
                // otherwise the existing row is updated.
                let inserted: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO showcase_feedback (space_id, item_id, giver_id, clarity, \
                     originality, usefulness, works, improve, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                     ON CONFLICT (item_id, giver_id) DO NOTHING RETURNING id",
                )
                .bind(feedback.space_id)
                .bind(feedback.item_id)
                .bind(feedback.giver_id)
                .bind(feedback.clarity)
                .bind(feedback.originality)
                .bind(feedback.usefulness)
                .bind(&feedback.works)
                .bind(&feedback.improve)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                let created = inserted.is_some();
                if !created {
                    sqlx::query(
                        "UPDATE showcase_feedback SET clarity = $4, originality = $5, \
                         usefulness = $6, works = $7, improve = $8, updated_at = $9 \
                         WHERE space_id = $1 AND item_id = $2 AND giver_id = $3",
                    )
                    .bind(feedback.space_id)
                    .bind(feedback.item_id)
                    .bind(feedback.giver_id)
                    .bind(feedback.clarity)
                    .bind(feedback.originality)
                    .bind(feedback.usefulness)
                    .bind(&feedback.works)
                    .bind(&feedback.improve)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                }
                let stored: Option<$crate::store::showcase::Feedback> = sqlx::query_as(
                    "SELECT f.id, f.item_id, f.giver_id, u.name AS giver_name, f.clarity, \
                     f.originality, f.usefulness, f.works, f.improve, f.created_at, f.updated_at \
                     FROM showcase_feedback f JOIN users u ON u.id = f.giver_id \
                     WHERE f.space_id = $1 AND f.item_id = $2 AND f.giver_id = $3",
                )
                .bind(feedback.space_id)
                .bind(feedback.item_id)
                .bind(feedback.giver_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(stored.map(|feedback| $crate::store::showcase::SavedFeedback {
                    feedback,
                    created,
                }))
            }

            async fn item_feedback(
                &self,
                space_id: i64,
                item_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::showcase::Feedback>> {
                Ok(sqlx::query_as(
                    "SELECT f.id, f.item_id, f.giver_id, u.name AS giver_name, f.clarity, \
                     f.originality, f.usefulness, f.works, f.improve, f.created_at, f.updated_at \
                     FROM showcase_feedback f JOIN users u ON u.id = f.giver_id \
                     WHERE f.space_id = $1 AND f.item_id = $2 ORDER BY f.created_at, f.id",
                )
                .bind(space_id)
                .bind(item_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_showcase_store;
pub(crate) use item_select;
