//! SQL of [`QuestionnaireStore`](super::questionnaires::QuestionnaireStore), shared by
//! both backends in the same way as `shared.rs`.

macro_rules! questionnaire_select {
    () => {
        "SELECT id, space_id, title, description, anonymous, wave, pre_id, status, opens_at, \
         closes_at, created_by, created_at, updated_at FROM questionnaires "
    };
}

macro_rules! impl_questionnaire_store {
    ($store:ty, $conn:ty) => {
        impl $store {
            async fn insert_questionnaire_items(
                tx: &mut $conn,
                questionnaire_id: i64,
                items: &[$crate::store::questionnaires::NewItem],
            ) -> $crate::store::StoreResult<()> {
                for (position, item) in items.iter().enumerate() {
                    let options = serde_json::to_string(&item.options)
                        .expect("a list of strings serializes");
                    sqlx::query(
                        "INSERT INTO questionnaire_items \
                         (questionnaire_id, position, kind, prompt, scale, options_json) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(questionnaire_id)
                    .bind(position as i64)
                    .bind(&item.kind)
                    .bind(&item.prompt)
                    .bind(&item.scale)
                    .bind(options)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::questionnaires::QuestionnaireStore for $store {
            async fn create_questionnaire(
                &self,
                space_id: i64,
                fields: &$crate::store::questionnaires::QuestionnaireFields,
                items: &[$crate::store::questionnaires::NewItem],
                created_by: i64,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::questionnaires::Questionnaire> {
                let mut tx = self.begin_write().await?;
                let questionnaire: $crate::store::questionnaires::Questionnaire =
                    sqlx::query_as(
                        "INSERT INTO questionnaires (space_id, title, description, anonymous, \
                         wave, pre_id, opens_at, closes_at, created_by, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                         RETURNING id, space_id, title, description, anonymous, wave, pre_id, \
                         status, opens_at, closes_at, created_by, created_at, updated_at",
                    )
                    .bind(space_id)
                    .bind(&fields.title)
                    .bind(&fields.description)
                    .bind(fields.anonymous)
                    .bind(&fields.wave)
                    .bind(fields.pre_id)
                    .bind(fields.opens_at)
                    .bind(fields.closes_at)
                    .bind(created_by)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                Self::insert_questionnaire_items(&mut tx, questionnaire.id, items).await?;
                tx.commit().await?;
                Ok(questionnaire)
            }

            async fn questionnaire(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::questionnaires::Questionnaire>>
            {
                Ok(sqlx::query_as(concat!(
                    $crate::store::questionnaires_sql::questionnaire_select!(),
                    "WHERE space_id = $1 AND id = $2"
                ))
                .bind(space_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn questionnaires(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::questionnaires::Questionnaire>> {
                Ok(sqlx::query_as(concat!(
                    $crate::store::questionnaires_sql::questionnaire_select!(),
                    "WHERE space_id = $1 ORDER BY created_at, id"
                ))
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn post_questionnaire(
                &self,
                space_id: i64,
                pre_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::questionnaires::Questionnaire>>
            {
                Ok(sqlx::query_as(concat!(
                    $crate::store::questionnaires_sql::questionnaire_select!(),
                    "WHERE space_id = $1 AND pre_id = $2 AND wave = 'post' ORDER BY id LIMIT 1"
                ))
                .bind(space_id)
                .bind(pre_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn update_questionnaire(
                &self,
                space_id: i64,
                id: i64,
                fields: &$crate::store::questionnaires::QuestionnaireFields,
                items: Option<&[$crate::store::questionnaires::NewItem]>,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                if let Some(items) = items {
                    let (answered,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM questionnaire_respondents \
                         WHERE questionnaire_id = $1",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if answered > 0 {
                        return Ok(false);
                    }
                    sqlx::query(
                        "DELETE FROM questionnaire_items WHERE questionnaire_id = $1 AND \
                         questionnaire_id IN (SELECT id FROM questionnaires WHERE space_id = $2)",
                    )
                    .bind(id)
                    .bind(space_id)
                    .execute(&mut *tx)
                    .await?;
                    Self::insert_questionnaire_items(&mut tx, id, items).await?;
                }
                let updated = sqlx::query(
                    "UPDATE questionnaires SET title = $3, description = $4, anonymous = $5, \
                     wave = $6, pre_id = $7, opens_at = $8, closes_at = $9, updated_at = $10 \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(id)
                .bind(&fields.title)
                .bind(&fields.description)
                .bind(fields.anonymous)
                .bind(&fields.wave)
                .bind(fields.pre_id)
                .bind(fields.opens_at)
                .bind(fields.closes_at)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 0 {
                    return Ok(false);
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn set_questionnaire_status(
                &self,
                space_id: i64,
                id: i64,
                status: &str,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let updated = sqlx::query(
                    "UPDATE questionnaires SET status = $3, updated_at = $4 \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(id)
                .bind(status)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(updated > 0)
            }

            async fn delete_questionnaire(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let found: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM questionnaires WHERE space_id = $1 AND id = $2")
                        .bind(space_id)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if found.is_none() {
                    return Ok(false);
                }
                let statements = [
                    "DELETE FROM questionnaire_answers WHERE response_key IN \
                     (SELECT response_key FROM questionnaire_responses WHERE questionnaire_id = $1)",
                    "DELETE FROM questionnaire_responses WHERE questionnaire_id = $1",
                    "DELETE FROM questionnaire_respondents WHERE questionnaire_id = $1",
                    "DELETE FROM questionnaire_items WHERE questionnaire_id = $1",
                    "UPDATE questionnaires SET pre_id = NULL WHERE pre_id = $1",
                    "DELETE FROM questionnaires WHERE id = $1",
                ];
                for statement in statements {
                    sqlx::query(statement).bind(id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn questionnaire_items(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::questionnaires::Item>> {
                Ok(sqlx::query_as(
                    "SELECT i.id, i.questionnaire_id, i.position, i.kind, i.prompt, i.scale, \
                     i.options_json FROM questionnaire_items i \
                     JOIN questionnaires q ON q.id = i.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2 ORDER BY i.position",
                )
                .bind(space_id)
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn save_response(
                &self,
                response: &$crate::store::questionnaires::NewResponse<'_>,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let first = sqlx::query(
                    "INSERT INTO questionnaire_respondents (questionnaire_id, user_id, answered_at) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(response.questionnaire_id)
                .bind(response.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                let (user_id, updated_at) = if response.named {
                    (Some(response.user_id), Some(now))
                } else {
                    (None, None)
                };
                sqlx::query(
                    "INSERT INTO questionnaire_responses \
                     (response_key, questionnaire_id, user_id, updated_at, pair_key) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (response_key) DO UPDATE SET updated_at = excluded.updated_at, \
                     pair_key = excluded.pair_key",
                )
                .bind(response.response_key)
                .bind(response.questionnaire_id)
                .bind(user_id)
                .bind(updated_at)
                .bind(response.pair_key)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM questionnaire_answers WHERE response_key = $1")
                    .bind(response.response_key)
                    .execute(&mut *tx)
                    .await?;
                for answer in response.answers {
                    sqlx::query(
                        "INSERT INTO questionnaire_answers (response_key, item_id, value, text) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(response.response_key)
                    .bind(answer.item_id)
                    .bind(answer.value)
                    .bind(&answer.text)
                    .execute(&mut *tx)
                    .await?;
                }
                if first {
                    sqlx::query(
                        "INSERT INTO interactions (space_id, actor_id, kind, subject_id, \
                         created_at) VALUES ($1, $2, 'questionnaire_answered', $3, $4)",
                    )
                    .bind(response.space_id)
                    .bind(response.user_id)
                    .bind(response.questionnaire_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(first)
            }

            async fn has_answered(
                &self,
                space_id: i64,
                id: i64,
                user_id: i64,
            ) -> $crate::store::StoreResult<bool> {
                let found: Option<(i64,)> = sqlx::query_as(
                    "SELECT r.user_id FROM questionnaire_respondents r \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2 AND r.user_id = $3",
                )
                .bind(space_id)
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn response_answers(
                &self,
                space_id: i64,
                id: i64,
                response_key: &str,
            ) -> $crate::store::StoreResult<Vec<$crate::store::questionnaires::Answer>> {
                Ok(sqlx::query_as(
                    "SELECT a.item_id, a.value, a.text FROM questionnaire_answers a \
                     JOIN questionnaire_responses r ON r.response_key = a.response_key \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2 AND a.response_key = $3 \
                     ORDER BY a.item_id, a.value",
                )
                .bind(space_id)
                .bind(id)
                .bind(response_key)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn named_responses(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT r.response_key, r.user_id FROM questionnaire_responses r \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2 AND r.user_id IS NOT NULL \
                     ORDER BY r.response_key",
                )
                .bind(space_id)
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn respondent_count(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<i64> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM questionnaire_respondents r \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2",
                )
                .bind(space_id)
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
                Ok(count)
            }

            async fn questionnaire_responses(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::questionnaires::StoredResponse>>
            {
                Ok(sqlx::query_as(
                    "SELECT r.response_key, r.user_id, r.updated_at, r.pair_key \
                     FROM questionnaire_responses r \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2 ORDER BY r.response_key",
                )
                .bind(space_id)
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn questionnaire_answers(
                &self,
                space_id: i64,
                id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::questionnaires::ResponseAnswer>>
            {
                Ok(sqlx::query_as(
                    "SELECT a.response_key, r.pair_key, a.item_id, a.value, a.text \
                     FROM questionnaire_answers a \
                     JOIN questionnaire_responses r ON r.response_key = a.response_key \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE q.space_id = $1 AND q.id = $2 ORDER BY a.response_key, a.item_id",
                )
                .bind(space_id)
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_questionnaire_store;
pub(crate) use questionnaire_select;
