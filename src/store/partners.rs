//! Storage of the partners board: organisations, projects, internships and mentors that
//! teachers list, and the interest students express in them.
//!
//! Every query takes the space id and filters on it, so an id from another space finds
//! nothing.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// The kinds of entry a teacher can list, in display order.
pub const PARTNER_KINDS: [&str; 4] = ["organisation", "project", "internship", "mentor"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PartnerEntry {
    pub id: i64,
    pub space_id: i64,
    /// One of [`PARTNER_KINDS`].
    pub kind: String,
    pub name: String,
    /// Markdown as the teacher wrote it.
    pub description: String,
    /// `description` rendered by `chat::markdown::render`, sanitized.
    pub description_html: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// An http or https URL.
    pub contact_url: Option<String>,
    /// Last day (`YYYY-MM-DD`, UTC) on which students can express interest.
    pub deadline: Option<String>,
    pub archived_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The values a teacher sets when creating or editing an entry, already checked.
#[derive(Debug, Clone)]
pub struct PartnerFields {
    pub kind: String,
    pub name: String,
    pub description: String,
    pub description_html: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    pub deadline: Option<String>,
}

/// One student's interest in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PartnerInterest {
    pub entry_id: i64,
    pub user_id: i64,
    pub user_name: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

#[async_trait]
pub trait PartnerStore: Send + Sync {
    async fn create_partner_entry(
        &self,
        space_id: i64,
        created_by: i64,
        fields: &PartnerFields,
        now: i64,
    ) -> StoreResult<PartnerEntry>;
    /// Replaces every field of an entry. `None` when there is no such entry in the space.
    async fn update_partner_entry(
        &self,
        space_id: i64,
        entry_id: i64,
        fields: &PartnerFields,
        now: i64,
    ) -> StoreResult<Option<PartnerEntry>>;
    /// Archives (`archived`) or restores an entry.
    async fn archive_partner_entry(
        &self,
        space_id: i64,
        entry_id: i64,
        archived: bool,
        now: i64,
    ) -> StoreResult<Option<PartnerEntry>>;
    async fn partner_entry(
        &self,
        space_id: i64,
        entry_id: i64,
    ) -> StoreResult<Option<PartnerEntry>>;
    /// Entries of a space, those with the earliest deadline first and those without a
    /// deadline last; archived entries only when asked.
    async fn partner_entries(
        &self,
        space_id: i64,
        include_archived: bool,
    ) -> StoreResult<Vec<PartnerEntry>>;
    /// Stores a student's interest in an unarchived entry, or replaces the note of an
    /// earlier one. Returns `Some(true)` for a new interest, `Some(false)` for a changed
    /// note and `None` when the entry is not in the space or is archived.
    async fn express_interest(
        &self,
        space_id: i64,
        entry_id: i64,
        user_id: i64,
        note: Option<&str>,
        now: i64,
    ) -> StoreResult<Option<bool>>;
    /// Removes a student's interest. Returns `false` when there was none.
    async fn withdraw_interest(
        &self,
        space_id: i64,
        entry_id: i64,
        user_id: i64,
    ) -> StoreResult<bool>;
    /// Every interest in the entries of a space, oldest first.
    async fn partner_interests(&self, space_id: i64) -> StoreResult<Vec<PartnerInterest>>;
}
