//! SQL of [`PrivacyStore`](super::privacy::PrivacyStore), shared by both backends in the
//! same way as `shared.rs`.

/// A value bound to a step's placeholders, in the order of `$1`, `$2`, ...
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param {
    Person,
    Space,
    Placeholder,
    Text,
    Html,
    Now,
}

/// One statement of an erasure or a retention run.
pub(crate) struct Step {
    pub sql: &'static str,
    pub params: &'static [Param],
}

use Param::{Html, Now, Person, Placeholder, Space, Text};

/// The replacement of a chat message body. A question keeps its trailing `?`, because the
/// response measures count questions (see `analytics::communication::is_question`).
/// NOTE: `rtrim` drops trailing spaces only, so a question followed by a newline loses
/// its question mark here.
macro_rules! removed_body {
    ($text:literal) => {
        concat!(
            "CASE WHEN rtrim(body) LIKE '%?' THEN ",
            $text,
            " || '?' ELSE ",
            $text,
            " END"
        )
    };
}

/// Erasure of one person in one space, in order: files and rows that go first, then
/// every column that names the person moves to the placeholder. docs/PRIVACY.md states
/// the rule of each table.
pub(crate) const ERASE_STEPS: &[Step] = &[
    Step {
        sql: concat!(
            "UPDATE messages SET author_id = $3, body = ",
            removed_body!("$4"),
            ", body_html = $5, \
             rev = (SELECT r.last_rev + 1 FROM rooms r WHERE r.id = messages.room_id) \
             WHERE space_id = $2 AND author_id = $1"
        ),
        params: &[Person, Space, Placeholder, Text, Html],
    },
    // Clients and the activity cache follow messages by room revision.
    Step {
        sql: "UPDATE rooms SET last_rev = last_rev + 1 WHERE space_id = $1 \
              AND id IN (SELECT room_id FROM messages WHERE author_id = $2)",
        params: &[Space, Placeholder],
    },
    Step {
        sql: "UPDATE rooms SET created_by = $3 WHERE space_id = $2 AND created_by = $1",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE room_members SET user_id = $3 WHERE user_id = $1 \
              AND room_id IN (SELECT id FROM rooms WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE message_mentions SET user_id = $3 WHERE user_id = $1 \
              AND message_id IN (SELECT id FROM messages WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE message_reactions SET user_id = $3 WHERE user_id = $1 \
              AND message_id IN (SELECT id FROM messages WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "DELETE FROM mutes WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "UPDATE mutes SET muted_by = $3 WHERE muted_by = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "DELETE FROM presence WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "DELETE FROM live_presence WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "DELETE FROM sessions WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "UPDATE room_visits SET user_id = $3 WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE interactions SET actor_id = $3 WHERE actor_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE interactions SET target_id = $3 WHERE target_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE audit_log SET actor_id = $3 WHERE actor_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE help_requests SET asker_id = $3, title = $4, body = $4, body_html = $5, \
              thanks = CASE WHEN thanks IS NULL THEN NULL ELSE $4 END \
              WHERE asker_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder, Text, Html],
    },
    Step {
        sql: "UPDATE help_requests SET helper_id = $3 WHERE helper_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE help_requests SET closed_by = $3 WHERE closed_by = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE help_offers SET helper_id = $3 WHERE helper_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE help_posts SET author_id = $3, body = $4, body_html = $5 \
              WHERE author_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder, Text, Html],
    },
    Step {
        sql: "UPDATE partner_entries SET created_by = $3 WHERE created_by = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE partner_interests SET user_id = $3, note = NULL \
              WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "DELETE FROM showcase_files WHERE item_id IN \
              (SELECT id FROM showcase_items WHERE author_id = $1 AND space_id = $2)",
        params: &[Person, Space],
    },
    // The CHECK on showcase_items requires exactly one of link_url and file_name, so a
    // link becomes empty and a file name becomes the marker. The item is marked removed.
    Step {
        sql: "UPDATE showcase_items SET author_id = $3, title = $4, description = $4, \
              description_html = $5, \
              link_url = CASE WHEN link_url IS NULL THEN NULL ELSE '' END, \
              file_name = CASE WHEN file_name IS NULL THEN NULL ELSE $4 END, \
              file_type = NULL, file_size = NULL, file_storage = NULL, file_key = NULL, \
              removed_at = COALESCE(removed_at, $6) \
              WHERE author_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder, Text, Html, Now],
    },
    Step {
        sql: "UPDATE showcase_comments SET author_id = $3, body = $4, body_html = $5 \
              WHERE author_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder, Text, Html],
    },
    Step {
        sql: "UPDATE showcase_reactions SET user_id = $3 WHERE user_id = $1 \
              AND item_id IN (SELECT id FROM showcase_items WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE showcase_feedback SET giver_id = $3, works = $4, improve = $4 \
              WHERE giver_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder, Text],
    },
    Step {
        sql: "UPDATE focus_sessions SET user_id = $3, goal = $4, note = NULL \
              WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder, Text],
    },
    Step {
        sql: "UPDATE events SET created_by = $3 WHERE created_by = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE event_rsvps SET user_id = $3 WHERE user_id = $1 \
              AND event_id IN (SELECT id FROM events WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "DELETE FROM grade_awards WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "UPDATE grade_awards SET awarded_by = $3 WHERE awarded_by = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "DELETE FROM grade_outbox WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "DELETE FROM roster_members WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space],
    },
    Step {
        sql: "UPDATE questionnaires SET created_by = $3 WHERE created_by = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE questionnaire_respondents SET user_id = $3 WHERE user_id = $1 \
              AND questionnaire_id IN (SELECT id FROM questionnaires WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    // Only named responses carry a user id; anonymous ones cannot be found and stay.
    Step {
        sql: "UPDATE questionnaire_answers SET text = $3 WHERE text IS NOT NULL \
              AND response_key IN (SELECT response_key FROM questionnaire_responses \
              WHERE user_id = $1 AND questionnaire_id IN \
              (SELECT id FROM questionnaires WHERE space_id = $2))",
        params: &[Person, Space, Text],
    },
    Step {
        sql: "UPDATE questionnaire_responses SET user_id = $3 WHERE user_id = $1 \
              AND questionnaire_id IN (SELECT id FROM questionnaires WHERE space_id = $2)",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE space_members SET user_id = $3 WHERE user_id = $1 AND space_id = $2",
        params: &[Person, Space, Placeholder],
    },
    Step {
        sql: "UPDATE spaces SET activity_version = activity_version + 1 WHERE id = $1",
        params: &[Space],
    },
];

/// Retention: the content of the space created before `$2` is cleared, as erasure
/// clears a person's content, while people and times stay.
pub(crate) const EXPIRE_STEPS: &[Step] = &[
    Step {
        sql: concat!(
            "UPDATE messages SET body = ",
            removed_body!("$3"),
            ", body_html = $4, \
             rev = (SELECT r.last_rev + 1 FROM rooms r WHERE r.id = messages.room_id) \
             WHERE space_id = $1 AND created_at < $2 AND body_html <> $4"
        ),
        params: &[Space, Now, Text, Html],
    },
    Step {
        sql: "UPDATE rooms SET last_rev = last_rev + 1 WHERE space_id = $1 AND id IN \
              (SELECT m.room_id FROM messages m WHERE m.space_id = $1 AND m.rev > rooms.last_rev)",
        params: &[Space],
    },
    Step {
        sql: "UPDATE help_requests SET title = $3, body = $3, body_html = $4, \
              thanks = CASE WHEN thanks IS NULL THEN NULL ELSE $3 END \
              WHERE space_id = $1 AND created_at < $2 AND body_html <> $4",
        params: &[Space, Now, Text, Html],
    },
    Step {
        sql: "UPDATE help_posts SET body = $3, body_html = $4 \
              WHERE space_id = $1 AND created_at < $2 AND body_html <> $4",
        params: &[Space, Now, Text, Html],
    },
    Step {
        sql: "UPDATE partner_interests SET note = NULL \
              WHERE space_id = $1 AND created_at < $2 AND note IS NOT NULL",
        params: &[Space, Now],
    },
    Step {
        sql: "DELETE FROM showcase_files WHERE item_id IN \
              (SELECT id FROM showcase_items WHERE space_id = $1 AND created_at < $2)",
        params: &[Space, Now],
    },
    // NOTE: an item cleared here records the cutoff, not the time of the run, as the
    // time it was removed.
    Step {
        sql: "UPDATE showcase_items SET title = $3, description = $3, description_html = $4, \
              link_url = CASE WHEN link_url IS NULL THEN NULL ELSE '' END, \
              file_name = CASE WHEN file_name IS NULL THEN NULL ELSE $3 END, \
              file_type = NULL, file_size = NULL, file_storage = NULL, file_key = NULL, \
              removed_at = COALESCE(removed_at, $2) \
              WHERE space_id = $1 AND created_at < $2 AND description_html <> $4",
        params: &[Space, Now, Text, Html],
    },
    Step {
        sql: "UPDATE showcase_comments SET body = $3, body_html = $4 \
              WHERE space_id = $1 AND created_at < $2 AND body_html <> $4",
        params: &[Space, Now, Text, Html],
    },
    Step {
        sql: "UPDATE showcase_feedback SET works = $3, improve = $3 \
              WHERE space_id = $1 AND updated_at < $2 AND works <> $3",
        params: &[Space, Now, Text],
    },
    Step {
        sql: "UPDATE focus_sessions SET goal = $3, note = NULL \
              WHERE space_id = $1 AND started_at < $2 AND goal <> $3",
        params: &[Space, Now, Text],
    },
    // Anonymous responses keep no time, so free text is cleared per questionnaire:
    // that of closed questionnaires last changed before the cutoff.
    Step {
        sql: "UPDATE questionnaire_answers SET text = $3 WHERE text IS NOT NULL \
              AND text <> $3 AND response_key IN \
              (SELECT r.response_key FROM questionnaire_responses r \
              JOIN questionnaires q ON q.id = r.questionnaire_id \
              WHERE q.space_id = $1 AND q.status = 'closed' AND q.updated_at < $2)",
        params: &[Space, Now, Text],
    },
];

macro_rules! impl_privacy_store {
    ($store:ty, $row:ty) => {
        impl $store {
            /// Binds a step's parameters in order and runs it.
            async fn run_privacy_step(
                tx: &mut sqlx::Transaction<'static, <$row as sqlx::Row>::Database>,
                step: &$crate::store::privacy_sql::Step,
                values: &$crate::store::privacy_sql::StepValues,
            ) -> Result<u64, sqlx::Error> {
                use $crate::store::privacy_sql::Param;
                let mut query = sqlx::query(step.sql);
                for param in step.params {
                    query = match param {
                        Param::Person => query.bind(values.person),
                        Param::Space => query.bind(values.space),
                        Param::Placeholder => query.bind(values.placeholder),
                        Param::Text => query.bind($crate::store::privacy::REMOVED_TEXT),
                        Param::Html => query.bind($crate::store::privacy::REMOVED_HTML),
                        Param::Now => query.bind(values.now),
                    };
                }
                Ok(query.execute(&mut **tx).await?.rows_affected())
            }

            /// Converts a row of any table to a JSON object, column by column.
            fn privacy_row_json(row: &$row, omitted: &[&str]) -> serde_json::Value {
                use sqlx::{Column, Row};
                let mut object = serde_json::Map::new();
                for (index, column) in row.columns().iter().enumerate() {
                    let name = column.name();
                    if omitted.contains(&name) {
                        continue;
                    }
                    let value = if let Ok(value) = row.try_get::<Option<i64>, _>(index) {
                        serde_json::json!(value)
                    } else if let Ok(value) = row.try_get::<Option<String>, _>(index) {
                        serde_json::json!(value)
                    } else if let Ok(value) = row.try_get::<Option<f64>, _>(index) {
                        serde_json::json!(value)
                    } else if let Ok(value) = row.try_get::<Option<bool>, _>(index) {
                        serde_json::json!(value)
                    } else if let Ok(value) = row.try_get::<Option<i32>, _>(index) {
                        serde_json::json!(value)
                    } else {
                        serde_json::Value::String("(binary value not exported)".into())
                    };
                    object.insert(name.to_string(), value);
                }
                serde_json::Value::Object(object)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::privacy::PrivacyStore for $store {
            async fn person_by_subject(
                &self,
                issuer: &str,
                subject: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::privacy::Person>> {
                Ok(sqlx::query_as(
                    "SELECT id, issuer, subject, name, given_name, family_name, updated_at \
                     FROM users WHERE issuer = $1 AND subject = $2 AND erased_at IS NULL",
                )
                .bind(issuer)
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn person(
                &self,
                user_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::privacy::Person>> {
                Ok(sqlx::query_as(
                    "SELECT id, issuer, subject, name, given_name, family_name, updated_at \
                     FROM users WHERE id = $1 AND erased_at IS NULL",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn person_spaces(
                &self,
                person: &$crate::store::privacy::Person,
            ) -> $crate::store::StoreResult<Vec<i64>> {
                use $crate::store::privacy::{PersonKey, PERSON_COLUMNS};
                let mut spaces = std::collections::BTreeSet::new();
                for column in PERSON_COLUMNS {
                    if column.key != PersonKey::UserId {
                        continue;
                    }
                    let sql = format!(
                        "SELECT DISTINCT {space} FROM {table} WHERE {column} = $1",
                        space = column.space,
                        table = column.table,
                        column = column.column,
                    );
                    let found: Vec<(Option<i64>,)> = sqlx::query_as(&sql)
                        .bind(person.id)
                        .fetch_all(&self.pool)
                        .await?;
                    spaces.extend(found.into_iter().filter_map(|(space,)| space));
                }
                Ok(spaces.into_iter().collect())
            }

            async fn person_rows(
                &self,
                person: &$crate::store::privacy::Person,
                space_id: Option<i64>,
            ) -> $crate::store::StoreResult<Vec<$crate::store::privacy::ExportedTable>> {
                use $crate::store::privacy::{
                    ExportedTable, PersonKey, EXPORT_OMITTED, PERSON_COLUMNS,
                };
                let mut tables: Vec<ExportedTable> = Vec::new();
                for column in PERSON_COLUMNS {
                    if tables.iter().any(|table| table.table == column.table) {
                        continue;
                    }
                    let columns: Vec<&$crate::store::privacy::PersonColumn> = PERSON_COLUMNS
                        .iter()
                        .filter(|other| other.table == column.table)
                        .collect();
                    // The space, when set, is $1; each column follows with its own parameter,
                    // and the issuer comes last for columns that hold a subject.
                    let first = if space_id.is_some() { 2 } else { 1 };
                    let issuer_number = first + columns.len();
                    let conditions: Vec<String> = columns
                        .iter()
                        .enumerate()
                        .map(|(index, other)| match other.key {
                            PersonKey::UserId => format!("{} = ${}", other.column, first + index),
                            PersonKey::Subject => format!(
                                "({} = ${} AND platform_id IN \
                                 (SELECT p.id FROM platforms p WHERE p.issuer = ${issuer_number}))",
                                other.column,
                                first + index
                            ),
                        })
                        .collect();
                    let scope = match space_id {
                        Some(_) => format!(" AND {} = $1", column.space),
                        None => String::new(),
                    };
                    let sql = format!(
                        "SELECT * FROM {table} WHERE ({conditions}){scope}",
                        table = column.table,
                        conditions = conditions.join(" OR "),
                    );
                    let mut query = sqlx::query(&sql);
                    if let Some(space_id) = space_id {
                        query = query.bind(space_id);
                    }
                    for other in &columns {
                        query = match other.key {
                            PersonKey::UserId => query.bind(person.id),
                            PersonKey::Subject => query.bind(person.subject.clone()),
                        };
                    }
                    if columns.iter().any(|other| other.key == PersonKey::Subject) {
                        query = query.bind(person.issuer.clone());
                    }
                    let rows = query.fetch_all(&self.pool).await?;
                    let omitted: Vec<&str> = EXPORT_OMITTED
                        .iter()
                        .filter(|(table, _)| *table == column.table)
                        .map(|(_, name)| *name)
                        .collect();
                    tables.push(ExportedTable {
                        table: column.table.to_string(),
                        columns: columns.iter().map(|c| c.column.to_string()).collect(),
                        rows: rows
                            .iter()
                            .map(|row| Self::privacy_row_json(row, &omitted))
                            .collect(),
                    });
                }
                // Answers are found through the person's named responses. Anonymous
                // responses carry no user id, so they cannot be found.
                let answers = sqlx::query(
                    "SELECT r.questionnaire_id, a.item_id, a.value, a.text \
                     FROM questionnaire_answers a \
                     JOIN questionnaire_responses r ON r.response_key = a.response_key \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE r.user_id = $1 AND ($2 IS NULL OR q.space_id = $2) \
                     ORDER BY r.questionnaire_id, a.item_id, a.value",
                )
                .bind(person.id)
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?;
                tables.push(ExportedTable {
                    table: "questionnaire_answers".to_string(),
                    columns: vec!["questionnaire_responses.user_id".to_string()],
                    rows: answers
                        .iter()
                        .map(|row| Self::privacy_row_json(row, &[]))
                        .collect(),
                });
                Ok(tables)
            }

            async fn person_files(
                &self,
                person: &$crate::store::privacy::Person,
                space_id: Option<i64>,
            ) -> $crate::store::StoreResult<Vec<$crate::store::privacy::ExportedFile>> {
                Ok(sqlx::query_as(
                    "SELECT id AS item_id, space_id, file_name, file_size, file_storage, \
                     file_key FROM showcase_items \
                     WHERE author_id = $1 AND file_name IS NOT NULL \
                     AND ($2 IS NULL OR space_id = $2) ORDER BY id",
                )
                .bind(person.id)
                .bind(space_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn erase_person(
                &self,
                person: &$crate::store::privacy::Person,
                space_id: i64,
                actor_id: Option<i64>,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::privacy::Erasure> {
                let mut tx = self.begin_write().await?;
                let (placeholder,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (issuer, subject, updated_at, erased_at) \
                     VALUES ($1, $2, $3, $3) RETURNING id",
                )
                .bind($crate::store::privacy::ERASED_ISSUER)
                .bind($crate::random_token(18))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let file_keys: Vec<(String,)> = sqlx::query_as(
                    "SELECT file_key FROM showcase_items WHERE author_id = $1 AND space_id = $2 \
                     AND file_storage = 'directory' AND file_key IS NOT NULL",
                )
                .bind(person.id)
                .bind(space_id)
                .fetch_all(&mut *tx)
                .await?;
                let values = $crate::store::privacy_sql::StepValues {
                    person: person.id,
                    space: space_id,
                    placeholder,
                    now,
                };
                for step in $crate::store::privacy_sql::ERASE_STEPS {
                    Self::run_privacy_step(&mut tx, step, &values).await?;
                }
                sqlx::query(
                    "UPDATE placements SET created_by = NULL WHERE space_id = $1 \
                     AND created_by = $2 AND platform_id IN \
                     (SELECT id FROM platforms WHERE issuer = $3)",
                )
                .bind(space_id)
                .bind(&person.subject)
                .bind(&person.issuer)
                .execute(&mut *tx)
                .await?;
                let action = if actor_id.is_some() {
                    "privacy.erase"
                } else {
                    "privacy.erase.admin"
                };
                sqlx::query(
                    "INSERT INTO audit_log (space_id, actor_id, action, target, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(space_id)
                .bind(actor_id.unwrap_or(placeholder))
                .bind(action)
                .bind(format!("placeholder user {placeholder}"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::store::privacy::Erasure {
                    space_id,
                    placeholder_id: placeholder,
                    file_keys: file_keys.into_iter().map(|(key,)| key).collect(),
                })
            }

            async fn remove_person(
                &self,
                person: &$crate::store::privacy::Person,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "DELETE FROM deep_link_requests WHERE user_subject = $1 AND platform_id IN \
                     (SELECT id FROM platforms WHERE issuer = $2)",
                )
                .bind(&person.subject)
                .bind(&person.issuer)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE placements SET created_by = NULL WHERE created_by = $1 \
                     AND platform_id IN (SELECT id FROM platforms WHERE issuer = $2)",
                )
                .bind(&person.subject)
                .bind(&person.issuer)
                .execute(&mut *tx)
                .await?;
                for table in ["sessions", "live_presence"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                        .bind(person.id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(person.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn activity_version(&self, space_id: i64) -> $crate::store::StoreResult<i64> {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT activity_version FROM spaces WHERE id = $1")
                        .bind(space_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map_or(0, |(version,)| version))
            }

            async fn retention_periods(
                &self,
                default_days: Option<i64>,
            ) -> $crate::store::StoreResult<Vec<(i64, i64)>> {
                let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
                    "SELECT s.id, t.retention_days FROM spaces s \
                     LEFT JOIN space_settings t ON t.space_id = s.id ORDER BY s.id",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(space_id, days)| {
                        days.or(default_days)
                            .filter(|days| *days > 0)
                            .map(|days| (space_id, days))
                    })
                    .collect())
            }

            async fn expire_content(
                &self,
                space_id: i64,
                before: i64,
            ) -> $crate::store::StoreResult<$crate::store::privacy::Expiry> {
                let mut tx = self.begin_write().await?;
                let file_keys: Vec<(String,)> = sqlx::query_as(
                    "SELECT file_key FROM showcase_items WHERE space_id = $1 AND created_at < $2 \
                     AND file_storage = 'directory' AND file_key IS NOT NULL",
                )
                .bind(space_id)
                .bind(before)
                .fetch_all(&mut *tx)
                .await?;
                let values = $crate::store::privacy_sql::StepValues {
                    person: 0,
                    space: space_id,
                    placeholder: 0,
                    now: before,
                };
                let mut rows = 0;
                for step in $crate::store::privacy_sql::EXPIRE_STEPS {
                    rows += Self::run_privacy_step(&mut tx, step, &values).await?;
                }
                if rows > 0 {
                    sqlx::query(
                        "UPDATE spaces SET activity_version = activity_version + 1 WHERE id = $1",
                    )
                    .bind(space_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok($crate::store::privacy::Expiry {
                    space_id,
                    rows,
                    file_keys: file_keys.into_iter().map(|(key,)| key).collect(),
                })
            }
        }
    };
}

/// The values a step's parameters stand for.
pub(crate) struct StepValues {
    pub person: i64,
    pub space: i64,
    pub placeholder: i64,
    /// The time of an erasure, or the cutoff of a retention run.
    pub now: i64,
}

pub(crate) use impl_privacy_store;
