//! Storage of the showcase: published work products, their files, comments, reactions
//! and structured peer feedback.
//!
//! Every query takes the space id and filters on it, so an id from another space finds
//! nothing. Removed items are kept for the audit and interaction logs but are never
//! listed or returned, and their file bytes are deleted.

use async_trait::async_trait;
use serde::Serialize;

use super::chat::ReactionCount;
use super::StoreResult;

/// Storage location of an uploaded file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStorage {
    /// In the `showcase_files` table.
    Database,
    /// In a file under the configured `upload_dir`, named by the item's `file_key`.
    Directory,
}

impl FileStorage {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStorage::Database => "database",
            FileStorage::Directory => "directory",
        }
    }
}

/// A published work product, without its file bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ShowcaseItem {
    pub id: i64,
    pub space_id: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub link_url: Option<String>,
    pub file_name: Option<String>,
    /// Content type detected from the file's first bytes.
    pub file_type: Option<String>,
    /// File size in bytes.
    pub file_size: Option<i64>,
    /// `database` or `directory`, see [`FileStorage`].
    #[serde(skip)]
    pub file_storage: Option<String>,
    /// Server-generated file name under `upload_dir`.
    #[serde(skip)]
    pub file_key: Option<String>,
    pub featured_at: Option<i64>,
    pub created_at: i64,
}

/// An item as listings show it, with its activity counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ItemSummary {
    pub id: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub title: String,
    pub link_url: Option<String>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub featured_at: Option<i64>,
    pub created_at: i64,
    pub comment_count: i64,
    pub reaction_count: i64,
    pub feedback_count: i64,
}

/// The metadata of an uploaded file; the bytes travel separately.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub storage: FileStorage,
    /// Server-generated file name, for [`FileStorage::Directory`].
    pub key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub space_id: i64,
    pub author_id: i64,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub link_url: Option<String>,
    pub file: Option<NewFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ShowcaseComment {
    pub id: i64,
    pub item_id: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub body: String,
    pub body_html: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewComment {
    pub space_id: i64,
    pub item_id: i64,
    pub author_id: i64,
    pub body: String,
    pub body_html: String,
}

/// One person's feedback on one item. Scores are 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Feedback {
    pub id: i64,
    pub item_id: i64,
    pub giver_id: i64,
    pub giver_name: Option<String>,
    pub clarity: i64,
    pub originality: i64,
    pub usefulness: i64,
    /// Plain text on what works.
    pub works: String,
    /// Plain text on what to improve.
    pub improve: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct FeedbackInput {
    pub space_id: i64,
    pub item_id: i64,
    pub giver_id: i64,
    pub clarity: i64,
    pub originality: i64,
    pub usefulness: i64,
    pub works: String,
    pub improve: String,
}

/// The result of saving feedback.
#[derive(Debug, Clone)]
pub struct SavedFeedback {
    pub feedback: Feedback,
    /// True when this was the giver's first feedback on the item, false for an edit.
    pub created: bool,
}

#[async_trait]
pub trait ShowcaseStore: Send + Sync {
    /// Stores an item and, for [`FileStorage::Database`], its file bytes, in one
    /// transaction.
    async fn publish_item(
        &self,
        item: &NewItem,
        bytes: Option<&[u8]>,
        now: i64,
    ) -> StoreResult<ShowcaseItem>;
    /// Items of a space that are not removed: featured ones first (most recently
    /// featured first), then the newest.
    async fn showcase_items(&self, space_id: i64) -> StoreResult<Vec<ItemSummary>>;
    async fn showcase_item(&self, space_id: i64, item_id: i64)
        -> StoreResult<Option<ShowcaseItem>>;
    /// The bytes of an item's file kept in the database; `None` when the item is not in
    /// the space, is removed, or keeps its file elsewhere.
    async fn showcase_file_bytes(
        &self,
        space_id: i64,
        item_id: i64,
    ) -> StoreResult<Option<Vec<u8>>>;
    /// Features (`featured`) or unfeatures an item.
    async fn feature_item(
        &self,
        space_id: i64,
        item_id: i64,
        featured: bool,
        now: i64,
    ) -> StoreResult<Option<ShowcaseItem>>;
    /// Marks an item removed and deletes its bytes from the database. Returns the item
    /// as it was, so the caller can delete a file kept in a directory.
    async fn remove_item(
        &self,
        space_id: i64,
        item_id: i64,
        now: i64,
    ) -> StoreResult<Option<ShowcaseItem>>;

    /// Adds a comment; `None` when the item is not in the space or is removed.
    async fn add_comment(
        &self,
        comment: &NewComment,
        now: i64,
    ) -> StoreResult<Option<ShowcaseComment>>;
    /// Comments of an item, oldest first.
    async fn item_comments(&self, space_id: i64, item_id: i64)
        -> StoreResult<Vec<ShowcaseComment>>;

    /// Adds (`on`) or removes a reaction. Returns whether anything changed, or `None`
    /// when the item is not in the space or is removed.
    async fn react_to_item(
        &self,
        space_id: i64,
        item_id: i64,
        user_id: i64,
        emoji: &str,
        on: bool,
        now: i64,
    ) -> StoreResult<Option<bool>>;
    /// Reactions on an item, emoji in first-use order.
    async fn item_reactions(&self, space_id: i64, item_id: i64) -> StoreResult<Vec<ReactionCount>>;

    /// Creates or updates the giver's feedback on an item; `None` when the item is not
    /// in the space or is removed.
    async fn save_feedback(
        &self,
        feedback: &FeedbackInput,
        now: i64,
    ) -> StoreResult<Option<SavedFeedback>>;
    /// Feedback on an item, oldest first.
    async fn item_feedback(&self, space_id: i64, item_id: i64) -> StoreResult<Vec<Feedback>>;

    /// Keys of the files under `upload_dir` that items not removed still use, in every space.
    async fn live_upload_keys(&self) -> StoreResult<Vec<String>>;
}

/// Groups `(emoji, user_id)` rows, already in first-use order, by emoji.
pub(crate) fn group_reactions(rows: Vec<(String, i64)>) -> Vec<ReactionCount> {
    let mut reactions: Vec<ReactionCount> = Vec::new();
    for (emoji, user_id) in rows {
        match reactions.iter_mut().find(|r| r.emoji == emoji) {
            Some(reaction) => reaction.user_ids.push(user_id),
            None => reactions.push(ReactionCount {
                emoji,
                user_ids: vec![user_id],
            }),
        }
    }
    reactions
}
