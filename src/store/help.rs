//! Storage of the help desk: requests for help, offers to help, and the conversation of
//! each request.
//!
//! Every query takes the space id and filters on it, so an id from another space finds
//! nothing. Interactions are recorded by the caller with
//! [`ChatStore::record_interaction`](super::chat::ChatStore::record_interaction).

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// Skill tags of a request, stored one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Tags(pub Vec<String>);

impl From<String> for Tags {
    fn from(lines: String) -> Self {
        Tags(
            lines
                .lines()
                .filter(|tag| !tag.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }
}

impl Tags {
    /// The tags as stored: one per line.
    pub fn to_lines(&self) -> String {
        self.0.join("\n")
    }
}

/// A request that still waits for help.
pub const STATUS_OPEN: &str = "open";
/// The asker marked the request resolved, optionally naming a helper.
pub const STATUS_RESOLVED: &str = "resolved";
/// A teacher closed the request.
pub const STATUS_CLOSED: &str = "closed";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HelpRequest {
    pub id: i64,
    pub space_id: i64,
    pub asker_id: i64,
    pub asker_name: Option<String>,
    pub title: String,
    /// Markdown as the asker wrote it.
    pub body: String,
    /// `body` rendered by `chat::markdown::render`, sanitized.
    pub body_html: String,
    #[sqlx(try_from = "String")]
    pub tags: Tags,
    /// [`STATUS_OPEN`], [`STATUS_RESOLVED`] or [`STATUS_CLOSED`].
    pub status: String,
    /// The person the asker named when resolving.
    pub helper_id: Option<i64>,
    pub helper_name: Option<String>,
    /// The asker's thank-you note to the helper.
    pub thanks: Option<String>,
    pub thanked_at: Option<i64>,
    /// The teacher who closed the request.
    pub closed_by: Option<i64>,
    pub created_at: i64,
    /// When the request was resolved or closed.
    pub finished_at: Option<i64>,
}

impl HelpRequest {
    pub fn is_open(&self) -> bool {
        self.status == STATUS_OPEN
    }
}

#[derive(Debug, Clone)]
pub struct NewHelpRequest {
    pub space_id: i64,
    pub asker_id: i64,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub tags: Tags,
}

/// One person's offer to help with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HelpOffer {
    pub request_id: i64,
    pub helper_id: i64,
    pub helper_name: Option<String>,
    pub created_at: i64,
}

/// One post in the conversation of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HelpPost {
    pub id: i64,
    pub request_id: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub body: String,
    pub body_html: String,
    pub created_at: i64,
}

#[async_trait]
pub trait HelpStore: Send + Sync {
    async fn create_help_request(
        &self,
        request: &NewHelpRequest,
        now: i64,
    ) -> StoreResult<HelpRequest>;
    async fn help_request(
        &self,
        space_id: i64,
        request_id: i64,
    ) -> StoreResult<Option<HelpRequest>>;
    /// Open requests of a space, oldest first.
    async fn open_help_requests(&self, space_id: i64) -> StoreResult<Vec<HelpRequest>>;
    /// Resolved and closed requests of a space, most recently finished first.
    async fn finished_help_requests(
        &self,
        space_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<HelpRequest>>;
    /// Offers on the given requests of a space, oldest first.
    async fn help_offers(&self, space_id: i64, request_ids: &[i64]) -> StoreResult<Vec<HelpOffer>>;
    /// Posts on the given requests of a space, oldest first.
    async fn help_posts(&self, space_id: i64, request_ids: &[i64]) -> StoreResult<Vec<HelpPost>>;
    /// Stores an offer on an open request. Returns `false` when the person had already
    /// offered or the request is not open in this space.
    async fn offer_help(
        &self,
        space_id: i64,
        request_id: i64,
        helper_id: i64,
        now: i64,
    ) -> StoreResult<bool>;
    /// Adds a post to an open request. `None` when the request is not open in this space.
    async fn add_help_post(
        &self,
        space_id: i64,
        request_id: i64,
        author_id: i64,
        body: &str,
        body_html: &str,
        now: i64,
    ) -> StoreResult<Option<HelpPost>>;
    /// Marks an open request resolved with the helper the asker named. Returns `false`
    /// when the request is not open in this space.
    async fn resolve_help_request(
        &self,
        space_id: i64,
        request_id: i64,
        helper_id: Option<i64>,
        now: i64,
    ) -> StoreResult<bool>;
    /// Stores the asker's thank-you note on a resolved request with a named helper that
    /// has no note yet. Returns `false` otherwise.
    async fn thank_helper(
        &self,
        space_id: i64,
        request_id: i64,
        note: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// Closes an open request on a teacher's behalf. Returns `false` when the request is
    /// not open in this space.
    async fn close_help_request(
        &self,
        space_id: i64,
        request_id: i64,
        closed_by: i64,
        now: i64,
    ) -> StoreResult<bool>;
    /// Deletes a request with its offers and posts. Returns `false` when there is no such
    /// request in this space.
    async fn delete_help_request(&self, space_id: i64, request_id: i64) -> StoreResult<bool>;
}
