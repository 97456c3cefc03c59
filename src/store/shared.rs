//! SQL shared by both backends.
//!
//! SQLite and PostgreSQL accept the same text for every query here: `$N` placeholders
//! (sqlx binds SQLite's `$N` by number), `ON CONFLICT ... DO UPDATE`, `RETURNING` and
//! integer Unix times. `impl_store!` expands the same method bodies for each pool type, and
//! each backend passes in the methods whose SQL differs.

/// Inserts one row of `tool_keys`, binding kid, key, created_at, active_from, retired_at.
pub(crate) const INSERT_TOOL_KEY: &str = "INSERT INTO tool_keys \
     (kid, private_key_pem, created_at, active_from, retired_at) VALUES ($1, $2, $3, $4, $5)";

macro_rules! impl_store {
    ($store:ty, { $($backend_specific:tt)* }) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            $($backend_specific)*

            async fn ping(&self) -> $crate::store::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn close(&self) {
                self.pool.close().await;
            }

            async fn insert_tool_key(
                &self,
                key: &$crate::store::ToolKey,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query($crate::store::shared::INSERT_TOOL_KEY)
                .bind(&key.kid)
                .bind(&key.private_key_pem)
                .bind(key.created_at)
                .bind(key.active_from)
                .bind(key.retired_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn tool_keys(&self) -> $crate::store::StoreResult<Vec<$crate::store::ToolKey>> {
                Ok(sqlx::query_as(
                    "SELECT kid, private_key_pem, created_at, active_from, retired_at FROM tool_keys \
                     ORDER BY active_from DESC, \
                     CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, created_at DESC, kid",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn add_tool_key(
                &self,
                key: &$crate::store::ToolKey,
                retire_others_at: i64,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "UPDATE tool_keys SET retired_at = $2 \
                     WHERE kid <> $1 AND (retired_at IS NULL OR retired_at > $2)",
                )
                .bind(&key.kid)
                .bind(retire_others_at)
                .execute(&mut *tx)
                .await?;
                sqlx::query($crate::store::shared::INSERT_TOOL_KEY)
                .bind(&key.kid)
                .bind(&key.private_key_pem)
                .bind(key.created_at)
                .bind(key.active_from)
                .bind(key.retired_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn replace_tool_key_secret(
                &self,
                kid: &str,
                expected: &str,
                replacement: &str,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE tool_keys SET private_key_pem = $3 \
                     WHERE kid = $1 AND private_key_pem = $2",
                )
                .bind(kid)
                .bind(expected)
                .bind(replacement)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_tool_keys_retired_before(
                &self,
                cutoff: i64,
            ) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM tool_keys WHERE retired_at < $1")
                    .bind(cutoff)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn setting_or_insert(
                &self,
                name: &str,
                value: &str,
            ) -> $crate::store::StoreResult<String> {
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ($1, $2) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(name)
                .bind(value)
                .execute(&self.pool)
                .await?;
                let (stored,): (String,) =
                    sqlx::query_as("SELECT value FROM settings WHERE name = $1")
                        .bind(name)
                        .fetch_one(&self.pool)
                        .await?;
                Ok(stored)
            }

            async fn replace_setting(
                &self,
                name: &str,
                expected: &str,
                replacement: &str,
            ) -> $crate::store::StoreResult<bool> {
                let done =
                    sqlx::query("UPDATE settings SET value = $3 WHERE name = $1 AND value = $2")
                        .bind(name)
                        .bind(expected)
                        .bind(replacement)
                        .execute(&self.pool)
                        .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn upsert_platform(
                &self,
                platform: &$crate::store::NewPlatform,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::Platform> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO platforms \
                     (issuer, client_id, auth_url, token_url, jwks_url, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (issuer, client_id) DO UPDATE SET \
                     auth_url = excluded.auth_url, token_url = excluded.token_url, \
                     jwks_url = excluded.jwks_url \
                     RETURNING id",
                )
                .bind(&platform.issuer)
                .bind(&platform.client_id)
                .bind(&platform.auth_url)
                .bind(&platform.token_url)
                .bind(&platform.jwks_url)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for deployment_id in &platform.deployments {
                    sqlx::query(
                        "INSERT INTO deployments (platform_id, deployment_id) VALUES ($1, $2) \
                         ON CONFLICT (platform_id, deployment_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(deployment_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                let stored = self.platform_by_id(id).await?;
                Ok(stored.expect("the platform row was written in the committed transaction"))
            }

            async fn platforms(
                &self,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Platform>> {
                let rows: Vec<$crate::store::shared::PlatformRow> = sqlx::query_as(
                    "SELECT id, issuer, client_id, auth_url, token_url, jwks_url \
                     FROM platforms ORDER BY issuer, client_id",
                )
                .fetch_all(&self.pool)
                .await?;
                let deployments: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT platform_id, deployment_id FROM deployments \
                     ORDER BY platform_id, deployment_id",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::store::shared::attach_deployments(rows, deployments))
            }

            async fn platform(
                &self,
                issuer: &str,
                client_id: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::Platform>> {
                let rows: Vec<$crate::store::shared::PlatformDeploymentRow> = sqlx::query_as(
                    concat!(
                        $crate::store::shared::platform_with_deployments!(),
                        "WHERE p.issuer = $1 AND p.client_id = $2 ORDER BY d.deployment_id"
                    ),
                )
                .bind(issuer)
                .bind(client_id)
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::store::shared::platform_of_rows(rows))
            }

            async fn platform_by_id(
                &self,
                id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::Platform>> {
                let rows: Vec<$crate::store::shared::PlatformDeploymentRow> = sqlx::query_as(
                    concat!(
                        $crate::store::shared::platform_with_deployments!(),
                        "WHERE p.id = $1 ORDER BY d.deployment_id"
                    ),
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::store::shared::platform_of_rows(rows))
            }

            async fn platforms_for_issuer(
                &self,
                issuer: &str,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Platform>> {
                let all = self.platforms().await?;
                Ok(all.into_iter().filter(|p| p.issuer == issuer).collect())
            }

            async fn remove_platform(
                &self,
                issuer: &str,
                client_id: &str,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let id: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM platforms WHERE issuer = $1 AND client_id = $2",
                )
                .bind(issuer)
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((id,)) = id else { return Ok(false) };
                sqlx::query("DELETE FROM deployments WHERE platform_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM login_states WHERE platform_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM platforms WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // Sessions end with the issuer's last registration, so removing a
                // compromised registration also ends access through it.
                sqlx::query(
                    "DELETE FROM sessions WHERE space_id IN \
                     (SELECT id FROM spaces WHERE issuer = $1) \
                     AND NOT EXISTS (SELECT 1 FROM platforms WHERE issuer = $1)",
                )
                .bind(issuer)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn insert_login_state(
                &self,
                state: &$crate::store::LoginState,
                max_stored: i64,
            ) -> $crate::store::StoreResult<$crate::store::LoginStateInsert> {
                let mut tx = self.begin_async_commit().await?;
                // On PostgreSQL, locks the registration's row, so two logins of one
                // registration cannot both pass the count. The commit does not wait for the
                // disk, so the lock is held for the statements only. SQLite's write lock
                // already serializes the logins.
                if !<$store>::SERIALIZES_WRITES {
                    sqlx::query("UPDATE platforms SET id = id WHERE id = $1")
                        .bind(state.platform_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let count_waiting = "SELECT COUNT(*) FROM login_states \
                                     WHERE platform_id = $1 AND used_at IS NULL";
                let (mut waiting,): (i64,) = sqlx::query_as(count_waiting)
                    .bind(state.platform_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if waiting >= max_stored {
                    sqlx::query(
                        "DELETE FROM login_states WHERE platform_id = $1 AND expires_at <= $2",
                    )
                    .bind(state.platform_id)
                    .bind(state.created_at)
                    .execute(&mut *tx)
                    .await?;
                    (waiting,) = sqlx::query_as(count_waiting)
                        .bind(state.platform_id)
                        .fetch_one(&mut *tx)
                        .await?;
                }
                if waiting >= max_stored {
                    let (retry_at,): (Option<i64>,) = sqlx::query_as(
                        "SELECT MIN(expires_at) FROM login_states \
                         WHERE platform_id = $1 AND used_at IS NULL",
                    )
                    .bind(state.platform_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.rollback().await?;
                    return Ok($crate::store::LoginStateInsert::Full {
                        retry_at: retry_at.unwrap_or(state.expires_at),
                    });
                }
                sqlx::query(
                    "INSERT INTO login_states \
                     (state, nonce, platform_id, target_link_uri, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&state.state)
                .bind(&state.nonce)
                .bind(state.platform_id)
                .bind(&state.target_link_uri)
                .bind(state.created_at)
                .bind(state.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::store::LoginStateInsert::Stored)
            }

            async fn count_login_states(
                &self,
                platform_id: i64,
            ) -> $crate::store::StoreResult<i64> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM login_states WHERE platform_id = $1 AND used_at IS NULL",
                )
                .bind(platform_id)
                .fetch_one(&self.pool)
                .await?;
                Ok(count)
            }

            async fn use_login_state(
                &self,
                state: &str,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::StateUse> {
                // One conditional UPDATE, so two launches racing for one state cannot both
                // win. Its commit does not wait for the disk: a launch that goes on to
                // succeed commits its own records durably, which makes this one durable
                // too. A crash that loses the spend of a launch that did not finish leaves
                // its state usable once more until it expires. With WAL and
                // `synchronous = NORMAL`, SQLite's commits do not wait for the disk, so it
                // runs the statement alone.
                let spend = sqlx::query_as(
                    "UPDATE login_states SET used_at = $2 \
                     WHERE state = $1 AND used_at IS NULL AND expires_at > $2 \
                     RETURNING state, nonce, platform_id, target_link_uri, created_at, \
                     expires_at, used_at",
                )
                .bind(state)
                .bind(now);
                let accepted: Option<$crate::store::LoginState> = if <$store>::SERIALIZES_WRITES
                {
                    spend.fetch_optional(&self.pool).await?
                } else {
                    let mut tx = self.begin_async_commit().await?;
                    let accepted = spend.fetch_optional(&mut *tx).await?;
                    tx.commit().await?;
                    accepted
                };
                if let Some(accepted) = accepted {
                    return Ok($crate::store::StateUse::Accepted(accepted));
                }
                let existing: Option<$crate::store::LoginState> = sqlx::query_as(
                    "SELECT state, nonce, platform_id, target_link_uri, created_at, expires_at, \
                     used_at FROM login_states WHERE state = $1",
                )
                .bind(state)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match existing {
                    None => $crate::store::StateUse::Unknown,
                    Some(row) if row.used_at.is_some() => {
                        $crate::store::StateUse::AlreadyUsed(row)
                    }
                    Some(_) => $crate::store::StateUse::Expired,
                })
            }

            async fn login_state_by_nonce(
                &self,
                nonce: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::LoginState>> {
                Ok(sqlx::query_as(
                    "SELECT state, nonce, platform_id, target_link_uri, created_at, expires_at, \
                     used_at FROM login_states WHERE nonce = $1",
                )
                .bind(nonce)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn purge_login_states(&self, before: i64) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM login_states WHERE expires_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn spend_socket_token(
                &self,
                token_id: &str,
                expires_at: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO socket_token_uses (token_id, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (token_id) DO NOTHING",
                )
                .bind(token_id)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn purge_socket_token_uses(
                &self,
                before: i64,
            ) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM socket_token_uses WHERE expires_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn purge_sessions(&self, before: i64) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn record_launch(
                &self,
                launch: &$crate::store::LaunchRecord,
                now: i64,
            ) -> $crate::store::StoreResult<i64> {
                // Every launch into a course names its space. The row is written only when
                // it is new or renamed. A write on every launch would hold PostgreSQL's row
                // lock until the commit, and launches into one course would wait in turn.
                let known = match launch.space_id {
                    Some(space_id) => Some(space_id),
                    None => sqlx::query_as::<_, (i64,)>(
                        "SELECT id FROM spaces WHERE issuer = $1 AND deployment_id = $2 \
                         AND context_id = $3 AND resource_link_id = $4 \
                         AND context_title IS NOT DISTINCT FROM $5 \
                         AND context_label IS NOT DISTINCT FROM $6 \
                         AND resource_link_title IS NOT DISTINCT FROM $7",
                    )
                    .bind(&launch.issuer)
                    .bind(&launch.deployment_id)
                    .bind(&launch.context_id)
                    .bind(&launch.resource_link_id)
                    .bind(&launch.context_title)
                    .bind(&launch.context_label)
                    .bind(&launch.resource_link_title)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|(id,)| id),
                };
                let mut tx = self.begin_write().await?;
                let space_id = match known {
                    Some(space_id) => space_id,
                    None => sqlx::query_as::<_, (i64,)>(
                    "INSERT INTO spaces (issuer, deployment_id, context_id, resource_link_id, \
                     context_title, context_label, resource_link_title, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                     ON CONFLICT (issuer, deployment_id, context_id, resource_link_id) \
                     DO UPDATE SET context_title = excluded.context_title, \
                     context_label = excluded.context_label, \
                     resource_link_title = excluded.resource_link_title, \
                     updated_at = excluded.updated_at \
                     RETURNING id",
                )
                .bind(&launch.issuer)
                .bind(&launch.deployment_id)
                .bind(&launch.context_id)
                .bind(&launch.resource_link_id)
                .bind(&launch.context_title)
                .bind(&launch.context_label)
                .bind(&launch.resource_link_title)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .0,
                };

                let mut user_id = None;
                if let Some(user) = &launch.user {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO users \
                         (issuer, subject, name, given_name, family_name, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (issuer, subject) DO UPDATE SET \
                         name = excluded.name, given_name = excluded.given_name, \
                         family_name = excluded.family_name, updated_at = excluded.updated_at \
                         RETURNING id",
                    )
                    .bind(&launch.issuer)
                    .bind(&user.subject)
                    .bind(&user.name)
                    .bind(&user.given_name)
                    .bind(&user.family_name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO space_members \
                         (space_id, user_id, role, first_seen_at, last_seen_at) \
                         VALUES ($1, $2, $3, $4, $4) \
                         ON CONFLICT (space_id, user_id) DO UPDATE SET \
                         role = excluded.role, last_seen_at = excluded.last_seen_at",
                    )
                    .bind(space_id)
                    .bind(id)
                    .bind(&launch.role)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    user_id = Some(id);
                }

                sqlx::query(
                    "INSERT INTO sessions (id, space_id, user_id, role, locale, return_url, \
                     document_target, platform_origin, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&launch.session_id)
                .bind(space_id)
                .bind(user_id)
                .bind(&launch.role)
                .bind(&launch.locale)
                .bind(&launch.return_url)
                .bind(&launch.document_target)
                .bind(&launch.platform_origin)
                .bind(now)
                .bind(launch.session_expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(space_id)
            }

            async fn space_setup(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<$crate::store::SpaceSetup> {
                let row: Option<$crate::store::shared::SpaceSetupRow> = sqlx::query_as(
                    "SELECT s.id AS space_id, \
                     (SELECT COUNT(*) FROM rooms WHERE space_id = s.id \
                      AND default_key IN ('open', 'quiet')) AS default_rooms, \
                     g.platform_id AS grade_platform_id, g.lineitem_url, g.lineitems_url, \
                     g.scopes, g.label, g.score_maximum, \
                     r.platform_id AS roster_platform_id, r.memberships_url, r.synced_at, \
                     r.sync_error \
                     FROM spaces s \
                     LEFT JOIN grade_targets g ON g.space_id = s.id \
                     LEFT JOIN roster_sources r ON r.space_id = s.id \
                     WHERE s.id = $1",
                )
                .bind(space_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into).unwrap_or_default())
            }

            async fn session(
                &self,
                session_id: &str,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::SessionView>> {
                Ok(sqlx::query_as(
                    "SELECT s.id AS session_id, s.space_id, s.user_id, s.role, s.locale, \
                     s.return_url, s.document_target, s.platform_origin, s.expires_at, \
                     u.name AS user_name, sp.context_title, sp.context_label, \
                     sp.resource_link_title \
                     FROM sessions s \
                     JOIN spaces sp ON sp.id = s.space_id \
                     LEFT JOIN users u ON u.id = s.user_id \
                     WHERE s.id = $1 AND s.expires_at > $2",
                )
                .bind(session_id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn recent_members(
                &self,
                space_id: i64,
                since: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Member>> {
                Ok(sqlx::query_as(
                    "SELECT m.user_id, u.name, m.role, m.last_seen_at \
                     FROM space_members m JOIN users u ON u.id = m.user_id \
                     WHERE m.space_id = $1 AND m.last_seen_at >= $2 \
                     ORDER BY m.last_seen_at DESC, m.user_id LIMIT $3",
                )
                .bind(space_id)
                .bind(since)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_store;

use super::grades::GradeTarget;
use super::roster::RosterSource;
use super::Platform;

/// A `platforms` row before its deployments are attached.
#[derive(sqlx::FromRow)]
pub(crate) struct PlatformRow {
    id: i64,
    issuer: String,
    client_id: String,
    auth_url: String,
    token_url: String,
    jwks_url: String,
}

/// The row of `Store::space_setup`: the space's default room count and its grade target
/// and roster source columns, empty where the space has none.
#[derive(sqlx::FromRow)]
pub(crate) struct SpaceSetupRow {
    space_id: i64,
    default_rooms: i64,
    grade_platform_id: Option<i64>,
    lineitem_url: Option<String>,
    lineitems_url: Option<String>,
    scopes: Option<String>,
    label: Option<String>,
    score_maximum: Option<f64>,
    roster_platform_id: Option<i64>,
    memberships_url: Option<String>,
    synced_at: Option<i64>,
    sync_error: Option<String>,
}

impl From<SpaceSetupRow> for crate::store::SpaceSetup {
    fn from(row: SpaceSetupRow) -> Self {
        let grade_target = row.grade_platform_id.map(|platform_id| GradeTarget {
            space_id: row.space_id,
            platform_id,
            lineitem_url: row.lineitem_url,
            lineitems_url: row.lineitems_url,
            scopes: row.scopes.unwrap_or_default(),
            label: row.label,
            score_maximum: row.score_maximum,
        });
        let roster_source = row.roster_platform_id.zip(row.memberships_url).map(
            |(platform_id, memberships_url)| RosterSource {
                space_id: row.space_id,
                platform_id,
                memberships_url,
                synced_at: row.synced_at,
                sync_error: row.sync_error,
            },
        );
        Self {
            default_rooms: row.default_rooms == 2,
            grade_target,
            roster_source,
        }
    }
}

/// Selects a registration with one row per deployment (one row with no deployment when it
/// has none), so that a login or launch reads it in one statement.
macro_rules! platform_with_deployments {
    () => {
        "SELECT p.id, p.issuer, p.client_id, p.auth_url, p.token_url, p.jwks_url, \
         d.deployment_id FROM platforms p \
         LEFT JOIN deployments d ON d.platform_id = p.id "
    };
}
pub(crate) use platform_with_deployments;

/// A registration's row joined with one of its deployments.
#[derive(sqlx::FromRow)]
pub(crate) struct PlatformDeploymentRow {
    #[sqlx(flatten)]
    platform: PlatformRow,
    deployment_id: Option<String>,
}

/// Builds the registration from the rows of `platform_with_deployments`, all of one
/// registration.
pub(crate) fn platform_of_rows(rows: Vec<PlatformDeploymentRow>) -> Option<Platform> {
    let mut rows = rows.into_iter();
    let first = rows.next()?;
    let deployments = std::iter::once(first.deployment_id)
        .chain(rows.map(|row| row.deployment_id))
        .flatten()
        .map(|deployment_id| (first.platform.id, deployment_id))
        .collect();
    attach_deployments(vec![first.platform], deployments).pop()
}

/// Joins `(platform_id, deployment_id)` pairs onto their platform rows.
pub(crate) fn attach_deployments(
    rows: Vec<PlatformRow>,
    deployments: Vec<(i64, String)>,
) -> Vec<Platform> {
    rows.into_iter()
        .map(|row| Platform {
            deployments: deployments
                .iter()
                .filter(|(platform_id, _)| *platform_id == row.id)
                .map(|(_, deployment_id)| deployment_id.clone())
                .collect(),
            id: row.id,
            issuer: row.issuer,
            client_id: row.client_id,
            auth_url: row.auth_url,
            token_url: row.token_url,
            jwks_url: row.jwks_url,
        })
        .collect()
}
