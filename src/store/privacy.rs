//! Storage side of a person's rights over their data: the export of everything stored
//! about them, their erasure, and the retention period of a space's content.
//!
//! [`PERSON_COLUMNS`] lists every column that names a person. The export reads those
//! columns and the erasure changes them. A test compares the list with the columns of
//! the migrated schema, so a new table with a person column fails it until the column
//! is listed here. docs/PRIVACY.md states the rule for each table.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// Issuer of the placeholder users that take an erased person's place.
pub const ERASED_ISSUER: &str = "urn:cowork:erased";

/// Text that replaces a message, post, title or answer removed at a person's request or
/// by the retention period.
pub const REMOVED_TEXT: &str = "[removed at the person's request or by the retention period]";
/// [`REMOVED_TEXT`] as sanitized HTML.
pub const REMOVED_HTML: &str =
    "<p><em>[removed at the person's request or by the retention period]</em></p>";

/// The kind of value through which a column names a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKey {
    /// The `users.id` of the person.
    UserId,
    /// The person's `sub` at the platform, matched together with the platform's issuer.
    Subject,
}

/// One column that names a person.
#[derive(Debug, Clone, Copy)]
pub struct PersonColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub key: PersonKey,
    /// SQL expression for the space of a row of `table`, written for the unaliased
    /// table; `NULL` for rows that belong to no space.
    pub space: &'static str,
}

const fn by_id(table: &'static str, column: &'static str, space: &'static str) -> PersonColumn {
    PersonColumn {
        table,
        column,
        key: PersonKey::UserId,
        space,
    }
}

const fn by_subject(
    table: &'static str,
    column: &'static str,
    space: &'static str,
) -> PersonColumn {
    PersonColumn {
        table,
        column,
        key: PersonKey::Subject,
        space,
    }
}

const ROOM_SPACE: &str = "(SELECT r.space_id FROM rooms r WHERE r.id = room_id)";
const MESSAGE_SPACE: &str = "(SELECT m.space_id FROM messages m WHERE m.id = message_id)";
const ITEM_SPACE: &str = "(SELECT i.space_id FROM showcase_items i WHERE i.id = item_id)";
const EVENT_SPACE: &str = "(SELECT e.space_id FROM events e WHERE e.id = event_id)";
const QUESTIONNAIRE_SPACE: &str =
    "(SELECT q.space_id FROM questionnaires q WHERE q.id = questionnaire_id)";

/// Every column of the schema that names a person, with the space of its rows.
/// `users` itself is exported as the person's identity and is not listed.
pub const PERSON_COLUMNS: &[PersonColumn] = &[
    by_id("space_members", "user_id", "space_id"),
    by_id("sessions", "user_id", "space_id"),
    by_id("rooms", "created_by", "space_id"),
    by_id("room_members", "user_id", ROOM_SPACE),
    by_id("messages", "author_id", "space_id"),
    by_id("message_mentions", "user_id", MESSAGE_SPACE),
    by_id("message_reactions", "user_id", MESSAGE_SPACE),
    by_id("mutes", "user_id", "space_id"),
    by_id("mutes", "muted_by", "space_id"),
    by_id("presence", "user_id", "space_id"),
    by_id("room_visits", "user_id", "space_id"),
    by_id("interactions", "actor_id", "space_id"),
    by_id("interactions", "target_id", "space_id"),
    by_id("audit_log", "actor_id", "space_id"),
    by_id("help_requests", "asker_id", "space_id"),
    by_id("help_requests", "helper_id", "space_id"),
    by_id("help_requests", "closed_by", "space_id"),
    by_id("help_offers", "helper_id", "space_id"),
    by_id("help_posts", "author_id", "space_id"),
    by_id("partner_entries", "created_by", "space_id"),
    by_id("partner_interests", "user_id", "space_id"),
    by_id("showcase_items", "author_id", "space_id"),
    by_id("showcase_comments", "author_id", "space_id"),
    by_id("showcase_reactions", "user_id", ITEM_SPACE),
    by_id("showcase_feedback", "giver_id", "space_id"),
    by_id("focus_sessions", "user_id", "space_id"),
    by_id("events", "created_by", "space_id"),
    by_id("event_rsvps", "user_id", EVENT_SPACE),
    by_id("grade_awards", "user_id", "space_id"),
    by_id("grade_awards", "awarded_by", "space_id"),
    by_id("grade_outbox", "user_id", "space_id"),
    by_subject("grade_outbox", "user_subject", "space_id"),
    by_id("roster_members", "user_id", "space_id"),
    by_subject("deep_link_requests", "user_subject", "NULL"),
    by_subject("placements", "created_by", "space_id"),
    by_id("questionnaires", "created_by", "space_id"),
    by_id("questionnaire_respondents", "user_id", QUESTIONNAIRE_SPACE),
    by_id("questionnaire_responses", "user_id", QUESTIONNAIRE_SPACE),
    by_id("live_presence", "user_id", "space_id"),
];

/// Columns left out of the export: secrets that would let the reader act as someone.
pub const EXPORT_OMITTED: &[(&str, &str)] = &[("sessions", "id"), ("grade_outbox", "claim_token")];

/// A person as the platform identified them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub issuer: String,
    pub subject: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub updated_at: i64,
}

/// The rows of one table that name the person, as JSON objects.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedTable {
    pub table: String,
    /// The columns through which the rows were found.
    pub columns: Vec<String>,
    pub rows: Vec<serde_json::Value>,
}

/// An uploaded file of the person.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedFile {
    pub item_id: i64,
    pub space_id: i64,
    pub file_name: String,
    pub file_size: Option<i64>,
    /// 'database' or 'directory'.
    pub file_storage: Option<String>,
    /// The file's name under the upload directory, for 'directory' storage.
    pub file_key: Option<String>,
}

/// The outcome of erasing one person in one space.
#[derive(Debug, Clone, Serialize)]
pub struct Erasure {
    pub space_id: i64,
    /// The placeholder user that now stands for the person in the space.
    pub placeholder_id: i64,
    /// Upload directory keys of the person's files, to delete from disk.
    #[serde(skip)]
    pub file_keys: Vec<String>,
}

/// The outcome of one retention run in one space.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Expiry {
    pub space_id: i64,
    /// Rows whose text, file or note was replaced.
    pub rows: u64,
    #[serde(skip)]
    pub file_keys: Vec<String>,
}

#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// Returns the person with `subject` at `issuer`, or `None`.
    async fn person_by_subject(&self, issuer: &str, subject: &str) -> StoreResult<Option<Person>>;
    async fn person(&self, user_id: i64) -> StoreResult<Option<Person>>;
    /// Returns the spaces in which any row names the person, in ascending order.
    async fn person_spaces(&self, person: &Person) -> StoreResult<Vec<i64>>;
    /// Returns every row that names the person, table by table, limited to one space
    /// when `space_id` is set. Answers to anonymous questionnaires are never included,
    /// because no stored column links them to the person.
    async fn person_rows(
        &self,
        person: &Person,
        space_id: Option<i64>,
    ) -> StoreResult<Vec<ExportedTable>>;
    /// Returns the person's uploaded files, limited to one space when `space_id` is set.
    async fn person_files(
        &self,
        person: &Person,
        space_id: Option<i64>,
    ) -> StoreResult<Vec<ExportedFile>>;
    /// Replaces the person by a new placeholder in every row of the space, clears their
    /// texts and files there, raises the space's activity version and writes the audit
    /// entry, all in one transaction. `actor_id` is the teacher who asked; `None` records
    /// the placeholder itself as the actor, for an administrator's erasure.
    async fn erase_person(
        &self,
        person: &Person,
        space_id: i64,
        actor_id: Option<i64>,
        now: i64,
    ) -> StoreResult<Erasure>;
    /// Deletes the person's `users` row and what remains outside spaces (pending deep
    /// linking requests, placements' creator). Call it after erasing every space.
    async fn remove_person(&self, person: &Person) -> StoreResult<()>;
    /// Returns the space's activity version, raised by every change in place.
    async fn activity_version(&self, space_id: i64) -> StoreResult<i64>;
    /// Returns each space with its retention period in days: its own setting, or
    /// `default_days` for spaces without one. Spaces without any period are left out.
    async fn retention_periods(&self, default_days: Option<i64>) -> StoreResult<Vec<(i64, i64)>>;
    /// Clears the content of the space created before `before` by the rules of erasure,
    /// keeping who did what so that the measures stay the same.
    async fn expire_content(&self, space_id: i64, before: i64) -> StoreResult<Expiry>;
}
