//! SQL of [`GradeStore`](super::grades::GradeStore), shared by both backends. The claim
//! query differs only in its row lock: PostgreSQL passes `FOR UPDATE SKIP LOCKED` so that
//! several instances never claim one row twice; SQLite has a single writer.

macro_rules! outbox_columns {
    () => {
        "id, space_id, user_id, platform_id, lineitem_url, user_subject, points, score_given, \
         score_maximum, score_timestamp, status, attempts, next_attempt_at, claim_token, \
         last_error, created_at, due_since, finished_at"
    };
}

macro_rules! impl_grade_store {
    ($store:ty, $row_lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::grades::GradeStore for $store {
            async fn set_grade_target(
                &self,
                target: &$crate::store::grades::GradeTarget,
                default_rule_json: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO grade_targets (space_id, platform_id, lineitem_url, \
                     lineitems_url, scopes, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (space_id) DO UPDATE SET platform_id = excluded.platform_id, \
                     lineitem_url = COALESCE(excluded.lineitem_url, grade_targets.lineitem_url), \
                     lineitems_url = COALESCE(excluded.lineitems_url, grade_targets.lineitems_url), \
                     scopes = excluded.scopes, updated_at = excluded.updated_at",
                )
                .bind(target.space_id)
                .bind(target.platform_id)
                .bind(&target.lineitem_url)
                .bind(&target.lineitems_url)
                .bind(&target.scopes)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO grading_rules (space_id, rule_json, sync_mode, starts_at, \
                     updated_at) VALUES ($1, $2, 'auto', $3, $3) \
                     ON CONFLICT (space_id) DO NOTHING",
                )
                .bind(target.space_id)
                .bind(default_rule_json)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn grade_target(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::grades::GradeTarget>> {
                Ok(sqlx::query_as(
                    "SELECT space_id, platform_id, lineitem_url, lineitems_url, scopes, label, \
                     score_maximum FROM grade_targets WHERE space_id = $1",
                )
                .bind(space_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn set_line_item(
                &self,
                space_id: i64,
                url: &str,
                label: &str,
                score_maximum: f64,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE grade_targets SET lineitem_url = $2, label = $3, score_maximum = $4, \
                     updated_at = $5 WHERE space_id = $1",
                )
                .bind(space_id)
                .bind(url)
                .bind(label)
                .bind(score_maximum)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn grading_rule(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::grades::StoredRule>> {
                Ok(sqlx::query_as(
                    "SELECT space_id, rule_json, sync_mode, starts_at, last_synced_at \
                     FROM grading_rules WHERE space_id = $1",
                )
                .bind(space_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn init_grading_rule(
                &self,
                space_id: i64,
                rule_json: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO grading_rules (space_id, rule_json, sync_mode, starts_at, \
                     updated_at) VALUES ($1, $2, 'auto', $3, $3) \
                     ON CONFLICT (space_id) DO NOTHING",
                )
                .bind(space_id)
                .bind(rule_json)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn save_grading_rule(
                &self,
                space_id: i64,
                rule_json: &str,
                sync_mode: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO grading_rules (space_id, rule_json, sync_mode, starts_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (space_id) DO UPDATE \
                     SET rule_json = excluded.rule_json, sync_mode = excluded.sync_mode, \
                     updated_at = excluded.updated_at",
                )
                .bind(space_id)
                .bind(rule_json)
                .bind(sync_mode)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn mark_grades_synced(
                &self,
                space_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE grading_rules SET last_synced_at = $2 WHERE space_id = $1")
                    .bind(space_id)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn claim_grade_sync(
                &self,
                space_id: i64,
                previous: Option<i64>,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE grading_rules SET last_synced_at = $3 \
                     WHERE space_id = $1 AND COALESCE(last_synced_at, -1) = $2",
                )
                .bind(space_id)
                .bind(previous.unwrap_or(-1))
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn sync_candidates(
                &self,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::SyncCandidate>> {
                Ok(sqlx::query_as(
                    "SELECT r.space_id, r.sync_mode, r.last_synced_at, \
                     (SELECT MAX(i.created_at) FROM interactions i \
                      WHERE i.space_id = r.space_id) AS last_activity_at \
                     FROM grading_rules r JOIN grade_targets t ON t.space_id = r.space_id \
                     WHERE r.sync_mode <> 'manual' ORDER BY r.space_id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn contributions(
                &self,
                space_id: i64,
                since: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::ContributionRow>> {
                Ok(sqlx::query_as(
                    "SELECT i.actor_id, i.target_id, i.kind, i.created_at, \
                     CAST(LENGTH(m.body) AS BIGINT) AS length \
                     FROM interactions i LEFT JOIN messages m ON m.id = i.subject_id \
                     AND i.kind IN ('message', 'reply') AND m.deleted_at IS NULL \
                     WHERE i.space_id = $1 AND i.created_at >= $2 \
                     UNION ALL \
                     SELECT author_id, NULL, 'showcase_item', created_at, NULL \
                     FROM showcase_items WHERE space_id = $1 AND created_at >= $2 \
                     AND removed_at IS NULL \
                     ORDER BY 4",
                )
                .bind(space_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn add_award(
                &self,
                space_id: i64,
                user_id: i64,
                points: f64,
                reason: &str,
                by: i64,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::grades::Award> {
                Ok(sqlx::query_as(
                    "INSERT INTO grade_awards (space_id, user_id, points, reason, awarded_by, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     RETURNING id, user_id, points, reason, awarded_by, created_at",
                )
                .bind(space_id)
                .bind(user_id)
                .bind(points)
                .bind(reason)
                .bind(by)
                .bind(now)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn awards(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::Award>> {
                Ok(sqlx::query_as(
                    "SELECT id, user_id, points, reason, awarded_by, created_at \
                     FROM grade_awards WHERE space_id = $1 ORDER BY created_at, id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn graded_members(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::GradedMember>> {
                Ok(sqlx::query_as(
                    "SELECT m.user_id, u.name, u.subject FROM space_members m \
                     JOIN users u ON u.id = m.user_id \
                     WHERE m.space_id = $1 AND m.role = 'student' AND u.erased_at IS NULL \
                     ORDER BY u.name, m.user_id",
                )
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn enqueue_grades(
                &self,
                space_id: i64,
                platform_id: i64,
                lineitem_url: &str,
                grades: &[$crate::store::grades::NewGrade],
                now: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::OutboxRow>> {
                let mut tx = self.begin_write().await?;
                let mut rows = Vec::with_capacity(grades.len());
                for grade in grades {
                    // Moodle compares score timestamps in whole seconds and answers 409
                    // to a second score in the same second, so each person's rows are at
                    // least one second apart.
                    let (latest,): (Option<i64>,) = sqlx::query_as(
                        "SELECT MAX(score_timestamp) FROM grade_outbox \
                         WHERE space_id = $1 AND user_id = $2",
                    )
                    .bind(space_id)
                    .bind(grade.user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    let timestamp = latest.map_or(now, |latest| now.max(latest + 1));
                    sqlx::query(
                        "UPDATE grade_outbox SET status = 'superseded', finished_at = $4 \
                         WHERE space_id = $1 AND user_id = $2 AND lineitem_url = $3 \
                         AND status IN ('pending', 'dead')",
                    )
                    .bind(space_id)
                    .bind(grade.user_id)
                    .bind(lineitem_url)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let row: $crate::store::grades::OutboxRow = sqlx::query_as(concat!(
                        "INSERT INTO grade_outbox (space_id, user_id, platform_id, \
                         lineitem_url, user_subject, points, score_given, score_maximum, \
                         score_timestamp, status, next_attempt_at, created_at, due_since) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10, $10) \
                         RETURNING ",
                        $crate::store::grades_sql::outbox_columns!()
                    ))
                    .bind(space_id)
                    .bind(grade.user_id)
                    .bind(platform_id)
                    .bind(lineitem_url)
                    .bind(&grade.user_subject)
                    .bind(grade.points)
                    .bind(grade.score_given)
                    .bind(grade.score_maximum)
                    .bind(timestamp)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    rows.push(row);
                }
                tx.commit().await?;
                Ok(rows)
            }

            async fn claim_grades(
                &self,
                claim_token: &str,
                now: i64,
                lease_secs: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::OutboxRow>> {
                Ok(sqlx::query_as(concat!(
                    "UPDATE grade_outbox SET status = 'sending', claim_token = $1, \
                     claimed_until = $2, attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM grade_outbox \
                     WHERE (status = 'pending' AND next_attempt_at <= $3) \
                     OR (status = 'sending' AND claimed_until < $3) \
                     ORDER BY id LIMIT $4",
                    $row_lock,
                    ") RETURNING ",
                    $crate::store::grades_sql::outbox_columns!()
                ))
                .bind(claim_token)
                .bind(now + lease_secs)
                .bind(now)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn finish_grade(
                &self,
                id: i64,
                claim_token: &str,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE grade_outbox SET status = 'sent', finished_at = $3, \
                     last_error = NULL WHERE id = $1 AND claim_token = $2 AND status = 'sending'",
                )
                .bind(id)
                .bind(claim_token)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn reschedule_grade(
                &self,
                id: i64,
                claim_token: &str,
                next_attempt_at: i64,
                error: &str,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE grade_outbox SET next_attempt_at = $3, last_error = $4, \
                     status = CASE WHEN EXISTS (SELECT 1 FROM grade_outbox newer \
                     WHERE newer.space_id = grade_outbox.space_id \
                     AND newer.user_id = grade_outbox.user_id \
                     AND newer.lineitem_url = grade_outbox.lineitem_url \
                     AND newer.id > grade_outbox.id) THEN 'superseded' ELSE 'pending' END \
                     WHERE id = $1 AND claim_token = $2 AND status = 'sending'",
                )
                .bind(id)
                .bind(claim_token)
                .bind(next_attempt_at)
                .bind(error)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_grade(
                &self,
                id: i64,
                claim_token: &str,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE grade_outbox SET status = 'pending', claim_token = NULL, \
                     claimed_until = NULL, attempts = attempts - 1 \
                     WHERE id = $1 AND claim_token = $2 AND status = 'sending'",
                )
                .bind(id)
                .bind(claim_token)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn dead_letter_grade(
                &self,
                id: i64,
                claim_token: &str,
                error: &str,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE grade_outbox SET status = 'dead', last_error = $3, finished_at = $4 \
                     WHERE id = $1 AND claim_token = $2 AND status = 'sending'",
                )
                .bind(id)
                .bind(claim_token)
                .bind(error)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn retry_dead_grade(
                &self,
                space_id: i64,
                id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE grade_outbox SET status = 'pending', next_attempt_at = $3, \
                     attempts = 0, due_since = $3, finished_at = NULL \
                     WHERE id = $1 AND space_id = $2 AND status = 'dead'",
                )
                .bind(id)
                .bind(space_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn outbox(
                &self,
                space_id: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::grades::OutboxRow>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::store::grades_sql::outbox_columns!(),
                    " FROM grade_outbox WHERE space_id = $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(space_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn outbox_backlog(
                &self,
            ) -> $crate::store::StoreResult<$crate::store::grades::OutboxBacklog> {
                Ok(sqlx::query_as(
                    "SELECT COUNT(*) AS undelivered, MIN(due_since) AS oldest_due_since \
                     FROM grade_outbox WHERE status IN ('pending', 'sending')",
                )
                .fetch_one(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_grade_store;
pub(crate) use outbox_columns;
