//! Storage of Deep Linking: the verified requests waiting for a teacher's choice, and the
//! placements that the chosen content items stand for.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// A verified `LtiDeepLinkingRequest`, kept until the teacher submits a choice or it expires.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeepLinkRequest {
    /// The random token in the picker's address.
    pub id: String,
    pub platform_id: i64,
    pub deployment_id: String,
    pub context_id: String,
    pub context_title: Option<String>,
    pub user_subject: Option<String>,
    pub locale: Option<String>,
    /// The `deep_linking_settings` claim as JSON text.
    pub settings: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// The target of one content item. Its id is the item's `cowork_placement` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Placement {
    pub id: String,
    pub platform_id: i64,
    pub deployment_id: String,
    pub context_id: String,
    /// `space`, `room` or `help`.
    pub kind: String,
    /// The existing space a `room` or `help` placement opens.
    pub space_id: Option<i64>,
    pub room_id: Option<i64>,
    pub title: String,
    /// The grading rule chosen for a new space, as JSON.
    pub rule_json: Option<String>,
    /// False when the teacher asked for no gradebook column, so the space sends no grades.
    pub send_grades: bool,
    pub created_by: Option<String>,
    pub created_at: i64,
}

/// A space of one course, as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CourseSpace {
    pub id: i64,
    pub resource_link_title: Option<String>,
}

/// The outcome of completing a deep linking request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeepLinkCompletion {
    /// The request was open; it is now completed and the placements are stored.
    Completed,
    AlreadyCompleted,
    Expired,
    Unknown,
}

#[async_trait]
pub trait DeepLinkStore: Send + Sync {
    async fn insert_deep_link_request(&self, request: &DeepLinkRequest) -> StoreResult<()>;
    async fn deep_link_request(&self, id: &str) -> StoreResult<Option<DeepLinkRequest>>;
    /// Marks the request used at `now` and stores `placements`, in one transaction,
    /// when the request is known, unused and unexpired.
    async fn complete_deep_link_request(
        &self,
        id: &str,
        placements: &[Placement],
        now: i64,
    ) -> StoreResult<DeepLinkCompletion>;
    /// Deletes requests that expired before `before`; returns how many.
    async fn purge_deep_link_requests(&self, before: i64) -> StoreResult<u64>;
    async fn placement(&self, id: &str) -> StoreResult<Option<Placement>>;
    /// Returns the spaces of one course of one deployment, oldest first.
    async fn course_spaces(
        &self,
        issuer: &str,
        deployment_id: &str,
        context_id: &str,
    ) -> StoreResult<Vec<CourseSpace>>;
}
