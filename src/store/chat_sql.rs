//! SQL of [`ChatStore`](super::chat::ChatStore), shared by both backends in the same way
//! as `shared.rs`.

/// The message columns with the author's name, ready for a `WHERE` clause.
macro_rules! message_select {
    () => {
        "SELECT m.id, m.space_id, m.room_id, m.seq, m.rev, m.author_id, u.name AS author_name, \
         m.parent_id, m.stance, m.body, m.body_html, m.created_at, m.edited_at, m.deleted_at, \
         m.hidden_at, m.pinned_at FROM messages m JOIN users u ON u.id = m.author_id "
    };
}

macro_rules! room_select {
    () => {
        "SELECT id, space_id, kind, default_key, name, topic, positions, position, archived_at, \
         created_by, created_at, last_rev FROM rooms "
    };
}

macro_rules! impl_chat_store {
    ($store:ty) => {
        impl $store {
            /// Loads reactions and mentions onto messages (one query each).
            async fn decorate_messages(
                &self,
                messages: &mut [$crate::store::chat::StoredMessage],
            ) -> $crate::store::StoreResult<()> {
                let (Some(low), Some(high)) = (
                    messages.iter().map(|m| m.id).min(),
                    messages.iter().map(|m| m.id).max(),
                ) else {
                    return Ok(());
                };
                let reactions: Vec<(i64, String, i64)> = sqlx::query_as(
                    "SELECT message_id, emoji, user_id FROM message_reactions \
                     WHERE message_id BETWEEN $1 AND $2 ORDER BY created_at, user_id",
                )
                .bind(low)
                .bind(high)
                .fetch_all(&self.pool)
                .await?;
                let mentions: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT message_id, user_id FROM message_mentions \
                     WHERE message_id BETWEEN $1 AND $2 ORDER BY user_id",
                )
                .bind(low)
                .bind(high)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::chat::attach_reactions(messages, reactions);
                $crate::store::chat::attach_mentions(messages, mentions);
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::chat::ChatStore for $store {
            async fn ensure_default_rooms(
                &self,
                space_id: i64,
                names: &$crate::store::chat::DefaultRoomNames,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                let defaults = [
                    ("open", "open", names.open_space.as_str(), 0),
                    ("quiet", "quiet", names.quiet_zone.as_str(), 1),
                ];
                for (key, kind, name, position) in defaults {
                    sqlx::query(
                        "INSERT INTO rooms (space_id, kind, default_key, name, position, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (space_id, default_key) DO NOTHING",
                    )
                    .bind(space_id)
                    .bind(kind)
                    .bind(key)
                    .bind(name)
                    .bind(position)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                }
                Ok(())
            }

            async fn rooms(
                &self,
                space_id: i64,
                include_archived: bool,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::Room>> {
                let sql = if include_archived {
                    concat!($crate::store::chat_sql::room_select!(), "WHERE space_id = $1 ORDER BY position, id")
                } else {
                    concat!(
                        $crate::store::chat_sql::room_select!(),
                        "WHERE space_id = $1 AND archived_at IS NULL ORDER BY position, id"
                    )
                };
                Ok(sqlx::query_as(sql).bind(space_id).fetch_all(&self.pool).await?)
            }

            async fn room(
                &self,
                space_id: i64,
                room_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::Room>> {
                Ok(sqlx::query_as(concat!($crate::store::chat_sql::room_select!(), "WHERE space_id = $1 AND id = $2"))
                    .bind(space_id)
                    .bind(room_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn create_room(
                &self,
                room: &$crate::store::chat::NewRoom,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::chat::Room> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO rooms (space_id, kind, name, topic, positions, position, \
                     created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, \
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM rooms WHERE space_id = $1), \
                     $6, $7) RETURNING id",
                )
                .bind(room.space_id)
                .bind(&room.kind)
                .bind(&room.name)
                .bind(&room.topic)
                .bind(&room.positions)
                .bind(room.created_by)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                let created = self.room(room.space_id, id).await?;
                Ok(created.expect("the room row was just inserted"))
            }

            async fn change_room(
                &self,
                space_id: i64,
                room_id: i64,
                change: &$crate::store::chat::RoomChange,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::Room>> {
                let archived_at: Option<Option<i64>> =
                    change.archived.map(|archived| archived.then_some(now));
                sqlx::query(
                    "UPDATE rooms SET \
                     name = COALESCE($3, name), \
                     topic = COALESCE($4, topic), \
                     position = COALESCE($5, position), \
                     archived_at = CASE WHEN $6 = 1 THEN $7 ELSE archived_at END \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(room_id)
                .bind(&change.name)
                .bind(&change.topic)
                .bind(change.position)
                .bind(i64::from(archived_at.is_some()))
                .bind(archived_at.flatten())
                .execute(&self.pool)
                .await?;
                self.room(space_id, room_id).await
            }

            async fn join_room(
                &self,
                room_id: i64,
                user_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO room_members (room_id, user_id, joined_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (room_id, user_id) DO NOTHING",
                )
                .bind(room_id)
                .bind(user_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn leave_room(&self, room_id: i64, user_id: i64) -> $crate::store::StoreResult<()> {
                sqlx::query("DELETE FROM room_members WHERE room_id = $1 AND user_id = $2")
                    .bind(room_id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn room_member_ids(&self, room_id: i64) -> $crate::store::StoreResult<Vec<i64>> {
                let rows: Vec<(i64,)> = sqlx::query_as(
                    "SELECT user_id FROM room_members WHERE room_id = $1 ORDER BY joined_at, user_id",
                )
                .bind(room_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            async fn space_settings(
                &self,
                space_id: i64,
            ) -> $crate::store::StoreResult<$crate::store::chat::SpaceSettings> {
                let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT students_create_rooms, edit_window_secs, retention_days \
                     FROM space_settings WHERE space_id = $1",
                )
                .bind(space_id)
                .fetch_optional(&self.pool)
                .await?;
                let (students_create_rooms, edit_window_secs, retention_days) =
                    row.unwrap_or((1, 900, None));
                Ok($crate::store::chat::SpaceSettings {
                    students_create_rooms: students_create_rooms != 0,
                    edit_window_secs,
                    retention_days,
                })
            }

            async fn set_space_settings(
                &self,
                space_id: i64,
                settings: &$crate::store::chat::SpaceSettings,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO space_settings \
                     (space_id, students_create_rooms, edit_window_secs, retention_days) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (space_id) DO UPDATE SET \
                     students_create_rooms = excluded.students_create_rooms, \
                     edit_window_secs = excluded.edit_window_secs, \
                     retention_days = excluded.retention_days",
                )
                .bind(space_id)
                .bind(i64::from(settings.students_create_rooms))
                .bind(settings.edit_window_secs)
                .bind(settings.retention_days)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn is_member(&self, space_id: i64, user_id: i64) -> $crate::store::StoreResult<bool> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT user_id FROM space_members WHERE space_id = $1 AND user_id = $2",
                )
                .bind(space_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.is_some())
            }

            async fn post_message(
                &self,
                message: &$crate::store::chat::NewMessage,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::StoredMessage>> {
                let mut tx = self.begin_write().await?;
                // Taking the room's next revision locks the room row, so posts to one room
                // are numbered in commit order.
                let rev: Option<(i64,)> = sqlx::query_as(
                    "UPDATE rooms SET last_rev = last_rev + 1 \
                     WHERE id = $1 AND space_id = $2 AND archived_at IS NULL RETURNING last_rev",
                )
                .bind(message.room_id)
                .bind(message.space_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((rev,)) = rev else { return Ok(None) };
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO messages (space_id, room_id, seq, rev, author_id, parent_id, \
                     stance, body, body_html, created_at) \
                     VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(message.space_id)
                .bind(message.room_id)
                .bind(rev)
                .bind(message.author_id)
                .bind(message.parent_id)
                .bind(&message.stance)
                .bind(&message.body)
                .bind(&message.body_html)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;

                let mut interactions = vec![("message", None)];
                if let Some(parent_author) = message.parent_author_id {
                    if parent_author != message.author_id {
                        interactions.push(("reply", Some(parent_author)));
                    }
                }
                for mentioned in &message.mentions {
                    sqlx::query(
                        "INSERT INTO message_mentions (message_id, user_id) VALUES ($1, $2) \
                         ON CONFLICT (message_id, user_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(mentioned)
                    .execute(&mut *tx)
                    .await?;
                    if *mentioned != message.author_id {
                        interactions.push(("mention", Some(*mentioned)));
                    }
                }
                for (kind, target) in interactions {
                    sqlx::query(
                        "INSERT INTO interactions \
                         (space_id, actor_id, target_id, room_id, kind, subject_id, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(message.space_id)
                    .bind(message.author_id)
                    .bind(target)
                    .bind(message.room_id)
                    .bind(kind)
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                self.message(message.space_id, id).await
            }

            async fn message(
                &self,
                space_id: i64,
                message_id: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::StoredMessage>> {
                let row: Option<$crate::store::chat::StoredMessage> =
                    sqlx::query_as(concat!($crate::store::chat_sql::message_select!(), "WHERE m.space_id = $1 AND m.id = $2"))
                        .bind(space_id)
                        .bind(message_id)
                        .fetch_optional(&self.pool)
                        .await?;
                let Some(message) = row else { return Ok(None) };
                let mut messages = [message];
                self.decorate_messages(&mut messages).await?;
                let [message] = messages;
                Ok(Some(message))
            }

            async fn edit_message(
                &self,
                space_id: i64,
                message_id: i64,
                body: &str,
                body_html: &str,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::StoredMessage>> {
                let mut tx = self.begin_write().await?;
                let rev: Option<(i64,)> = sqlx::query_as(
                    "UPDATE rooms SET last_rev = last_rev + 1 WHERE space_id = $1 AND id = \
                     (SELECT room_id FROM messages WHERE id = $2 AND space_id = $1 \
                     AND deleted_at IS NULL) RETURNING last_rev",
                )
                .bind(space_id)
                .bind(message_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((rev,)) = rev else { return Ok(None) };
                sqlx::query(
                    "UPDATE messages SET body = $3, body_html = $4, edited_at = $5, rev = $6 \
                     WHERE space_id = $1 AND id = $2",
                )
                .bind(space_id)
                .bind(message_id)
                .bind(body)
                .bind(body_html)
                .bind(now)
                .bind(rev)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                self.message(space_id, message_id).await
            }

            async fn moderate_message(
                &self,
                space_id: i64,
                message_id: i64,
                action: $crate::store::chat::Moderation,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::StoredMessage>> {
                use $crate::store::chat::Moderation;
                let assignment = match action {
                    Moderation::Pin => "pinned_at = $3",
                    Moderation::Unpin => "pinned_at = NULL",
                    Moderation::Hide => "hidden_at = $3",
                    Moderation::Unhide => "hidden_at = NULL",
                    Moderation::Delete => "deleted_at = $3, body = '', body_html = ''",
                };
                let mut tx = self.begin_write().await?;
                let rev: Option<(i64,)> = sqlx::query_as(
                    "UPDATE rooms SET last_rev = last_rev + 1 WHERE space_id = $1 AND id = \
                     (SELECT room_id FROM messages WHERE id = $2 AND space_id = $1) \
                     RETURNING last_rev",
                )
                .bind(space_id)
                .bind(message_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((rev,)) = rev else { return Ok(None) };
                let sql = format!(
                    "UPDATE messages SET {assignment}, rev = $4 WHERE space_id = $1 AND id = $2"
                );
                sqlx::query(&sql)
                    .bind(space_id)
                    .bind(message_id)
                    .bind(now)
                    .bind(rev)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                self.message(space_id, message_id).await
            }

            async fn react(
                &self,
                space_id: i64,
                message_id: i64,
                user_id: i64,
                emoji: &str,
                on: bool,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::chat::StoredMessage>> {
                let mut tx = self.begin_write().await?;
                let target: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT room_id, author_id FROM messages \
                     WHERE space_id = $1 AND id = $2 AND deleted_at IS NULL",
                )
                .bind(space_id)
                .bind(message_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((room_id, author_id)) = target else { return Ok(None) };
                let changed = if on {
                    sqlx::query(
                        "INSERT INTO message_reactions (message_id, user_id, emoji, created_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (message_id, user_id, emoji) DO NOTHING",
                    )
                    .bind(message_id)
                    .bind(user_id)
                    .bind(emoji)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                } else {
                    sqlx::query(
                        "DELETE FROM message_reactions \
                         WHERE message_id = $1 AND user_id = $2 AND emoji = $3",
                    )
                    .bind(message_id)
                    .bind(user_id)
                    .bind(emoji)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                };
                if changed > 0 {
                    let (rev,): (i64,) = sqlx::query_as(
                        "UPDATE rooms SET last_rev = last_rev + 1 WHERE id = $1 RETURNING last_rev",
                    )
                    .bind(room_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE messages SET rev = $2 WHERE id = $1")
                        .bind(message_id)
                        .bind(rev)
                        .execute(&mut *tx)
                        .await?;
                    if on && author_id != user_id {
                        sqlx::query(
                            "INSERT INTO interactions \
                             (space_id, actor_id, target_id, room_id, kind, subject_id, created_at) \
                             VALUES ($1, $2, $3, $4, 'reaction', $5, $6)",
                        )
                        .bind(space_id)
                        .bind(user_id)
                        .bind(author_id)
                        .bind(room_id)
                        .bind(message_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                self.message(space_id, message_id).await
            }

            async fn messages_since(
                &self,
                room_id: i64,
                after_rev: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::StoredMessage>> {
                let mut messages: Vec<$crate::store::chat::StoredMessage> = sqlx::query_as(concat!(
                    $crate::store::chat_sql::message_select!(),
                    "WHERE m.room_id = $1 AND m.rev > $2 ORDER BY m.rev LIMIT $3"
                ))
                .bind(room_id)
                .bind(after_rev)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                self.decorate_messages(&mut messages).await?;
                Ok(messages)
            }

            async fn messages_before(
                &self,
                room_id: i64,
                before_seq: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::StoredMessage>> {
                let mut messages: Vec<$crate::store::chat::StoredMessage> = sqlx::query_as(concat!(
                    $crate::store::chat_sql::message_select!(),
                    "WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
                ))
                .bind(room_id)
                .bind(before_seq)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                messages.reverse();
                self.decorate_messages(&mut messages).await?;
                Ok(messages)
            }

            async fn mute(
                &self,
                space_id: i64,
                user_id: i64,
                until: i64,
                by: i64,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO mutes (space_id, user_id, muted_until, muted_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (space_id, user_id) DO UPDATE SET \
                     muted_until = excluded.muted_until, muted_by = excluded.muted_by, \
                     created_at = excluded.created_at",
                )
                .bind(space_id)
                .bind(user_id)
                .bind(until)
                .bind(by)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn unmute(&self, space_id: i64, user_id: i64) -> $crate::store::StoreResult<()> {
                sqlx::query("DELETE FROM mutes WHERE space_id = $1 AND user_id = $2")
                    .bind(space_id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn muted_until(
                &self,
                space_id: i64,
                user_id: i64,
            ) -> $crate::store::StoreResult<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT muted_until FROM mutes WHERE space_id = $1 AND user_id = $2",
                )
                .bind(space_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(until,)| until))
            }

            async fn start_visit(
                &self,
                space_id: i64,
                room_id: i64,
                user_id: i64,
                now: i64,
            ) -> $crate::store::StoreResult<i64> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO room_visits (space_id, room_id, user_id, entered_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(space_id)
                .bind(room_id)
                .bind(user_id)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn end_visit(&self, visit_id: i64, now: i64) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE room_visits SET left_at = $2 WHERE id = $1 AND left_at IS NULL")
                    .bind(visit_id)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn visits(
                &self,
                space_id: i64,
                since: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::RoomVisit>> {
                Ok(sqlx::query_as(
                    "SELECT room_id, user_id, entered_at, left_at FROM room_visits \
                     WHERE space_id = $1 AND entered_at >= $2 ORDER BY entered_at, id",
                )
                .bind(space_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn set_presence(
                &self,
                space_id: i64,
                user_id: i64,
                room_id: Option<i64>,
                status: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO presence (space_id, user_id, room_id, status, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (space_id, user_id) DO UPDATE SET \
                     room_id = excluded.room_id, status = excluded.status, \
                     last_seen_at = excluded.last_seen_at",
                )
                .bind(space_id)
                .bind(user_id)
                .bind(room_id)
                .bind(status)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn presence(
                &self,
                space_id: i64,
                since: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::PresenceRow>> {
                Ok(sqlx::query_as(
                    "SELECT p.user_id, u.name, p.room_id, p.status, p.last_seen_at \
                     FROM presence p JOIN users u ON u.id = p.user_id \
                     WHERE p.space_id = $1 AND p.last_seen_at >= $2 \
                     ORDER BY p.last_seen_at DESC, p.user_id",
                )
                .bind(space_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn record_interaction(
                &self,
                interaction: &$crate::store::chat::Interaction,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO interactions \
                     (space_id, actor_id, target_id, room_id, kind, subject_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(interaction.space_id)
                .bind(interaction.actor_id)
                .bind(interaction.target_id)
                .bind(interaction.room_id)
                .bind(&interaction.kind)
                .bind(interaction.subject_id)
                .bind(interaction.created_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn interactions(
                &self,
                space_id: i64,
                since: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::Interaction>> {
                Ok(sqlx::query_as(
                    "SELECT space_id, actor_id, target_id, room_id, kind, subject_id, created_at \
                     FROM interactions WHERE space_id = $1 AND created_at >= $2 \
                     ORDER BY created_at, id",
                )
                .bind(space_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn audit(
                &self,
                space_id: i64,
                actor_id: i64,
                action: &str,
                target: &str,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO audit_log (space_id, actor_id, action, target, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(space_id)
                .bind(actor_id)
                .bind(action)
                .bind(target)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_entries(
                &self,
                space_id: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::chat::AuditEntry>> {
                Ok(sqlx::query_as(
                    "SELECT actor_id, action, target, created_at FROM audit_log \
                     WHERE space_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(space_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_chat_store;
pub(crate) use message_select;
pub(crate) use room_select;
