//! Storage of grading rules, teacher awards, the AGS target of each space and the
//! outbox of scores to publish.
//!
//! An outbox row is the grade itself: it is written once, in one transaction with the
//! superseding of older unsent grades of the same person, and it is never deleted. Its
//! status moves from `pending` to `sending` (claimed by one worker) to `sent`, back to
//! `pending` after a transient failure, or to `dead` after a permanent one.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// The destination of a space's grades, taken from its launches' AGS claim.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct GradeTarget {
    pub space_id: i64,
    pub platform_id: i64,
    pub lineitem_url: Option<String>,
    pub lineitems_url: Option<String>,
    /// Scopes allowed by the AGS claim, separated by spaces.
    pub scopes: String,
    pub label: Option<String>,
    pub score_maximum: Option<f64>,
}

/// A space's grading rule as stored: the rule's JSON and the sync mode.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StoredRule {
    pub space_id: i64,
    pub rule_json: String,
    /// `auto`, `schedule` or `manual`.
    pub sync_mode: String,
    pub starts_at: i64,
    pub last_synced_at: Option<i64>,
}

/// A space whose grades may need syncing, with its latest activity.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SyncCandidate {
    pub space_id: i64,
    pub sync_mode: String,
    pub last_synced_at: Option<i64>,
    pub last_activity_at: Option<i64>,
}

/// One logged contribution or interaction, with the length of the message it is about.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContributionRow {
    pub actor_id: i64,
    pub target_id: Option<i64>,
    pub kind: String,
    pub created_at: i64,
    /// Characters of the message body for `message` and `reply`; `None` for other kinds
    /// and for deleted messages.
    pub length: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Award {
    pub id: i64,
    pub user_id: i64,
    pub points: f64,
    pub reason: String,
    pub awarded_by: i64,
    pub created_at: i64,
}

/// A student of a space with the platform's `sub` for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GradedMember {
    pub user_id: i64,
    pub name: Option<String>,
    pub subject: String,
}

/// A computed grade to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGrade {
    pub user_id: i64,
    pub user_subject: String,
    pub points: f64,
    pub score_given: f64,
    pub score_maximum: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub space_id: i64,
    pub user_id: i64,
    pub platform_id: i64,
    pub lineitem_url: String,
    pub user_subject: String,
    pub points: f64,
    pub score_given: f64,
    pub score_maximum: f64,
    pub score_timestamp: i64,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub claim_token: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub due_since: i64,
    pub finished_at: Option<i64>,
}

/// The undelivered part of the grade outbox, over all spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxBacklog {
    /// Rows in `pending` or `sending`.
    pub undelivered: i64,
    /// The earliest `due_since` among those rows; `None` when there are none.
    pub oldest_due_since: Option<i64>,
}

#[async_trait]
pub trait GradeStore: Send + Sync {
    /// Records where a space's grades go. A launch without a line item keeps the one
    /// already known. Also creates the space's default grading rule, starting at `now`.
    async fn set_grade_target(
        &self,
        target: &GradeTarget,
        default_rule_json: &str,
        now: i64,
    ) -> StoreResult<()>;
    async fn grade_target(&self, space_id: i64) -> StoreResult<Option<GradeTarget>>;
    /// Stores the line item a space uses, with its label and maximum.
    async fn set_line_item(
        &self,
        space_id: i64,
        url: &str,
        label: &str,
        score_maximum: f64,
        now: i64,
    ) -> StoreResult<()>;

    async fn grading_rule(&self, space_id: i64) -> StoreResult<Option<StoredRule>>;
    /// Stores `rule_json` as the space's rule, starting at `now`, unless it has one.
    async fn init_grading_rule(&self, space_id: i64, rule_json: &str, now: i64) -> StoreResult<()>;
    async fn save_grading_rule(
        &self,
        space_id: i64,
        rule_json: &str,
        sync_mode: &str,
        now: i64,
    ) -> StoreResult<()>;
    async fn mark_grades_synced(&self, space_id: i64, now: i64) -> StoreResult<()>;
    /// Sets the space's sync time to `now` only if it is still `previous`, so that one
    /// instance among several runs a scheduled sync.
    async fn claim_grade_sync(
        &self,
        space_id: i64,
        previous: Option<i64>,
        now: i64,
    ) -> StoreResult<bool>;
    async fn sync_candidates(&self) -> StoreResult<Vec<SyncCandidate>>;

    /// Contributions of a space at or after `since`, oldest first: the interaction log
    /// and the showcase items still published.
    async fn contributions(&self, space_id: i64, since: i64) -> StoreResult<Vec<ContributionRow>>;
    async fn add_award(
        &self,
        space_id: i64,
        user_id: i64,
        points: f64,
        reason: &str,
        by: i64,
        now: i64,
    ) -> StoreResult<Award>;
    async fn awards(&self, space_id: i64) -> StoreResult<Vec<Award>>;
    /// Students of a space, by name.
    async fn graded_members(&self, space_id: i64) -> StoreResult<Vec<GradedMember>>;

    /// Writes one outbox row per grade in one transaction. Each row's timestamp is `now`,
    /// or one second after the person's latest row when that is later, and the person's
    /// unsent older rows for the same line item become `superseded`.
    async fn enqueue_grades(
        &self,
        space_id: i64,
        platform_id: i64,
        lineitem_url: &str,
        grades: &[NewGrade],
        now: i64,
    ) -> StoreResult<Vec<OutboxRow>>;
    /// Claims up to `limit` due rows for `lease_secs`: pending rows whose time has come
    /// and `sending` rows whose lease ran out (their worker stopped). On PostgreSQL each
    /// row goes to one claimer even with several instances.
    async fn claim_grades(
        &self,
        claim_token: &str,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>>;
    /// Marks a claimed row accepted by the platform; false when the claim was lost.
    async fn finish_grade(&self, id: i64, claim_token: &str, now: i64) -> StoreResult<bool>;
    /// Returns a claimed row to `pending` for `next_attempt_at`, or to `superseded` when
    /// a newer grade of the same person exists.
    async fn reschedule_grade(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<bool>;
    /// Returns a claimed but unsent row to `pending` and undoes its claim, so another worker
    /// can take it at once. Returns false when the claim was lost.
    async fn release_grade(&self, id: i64, claim_token: &str) -> StoreResult<bool>;
    async fn dead_letter_grade(
        &self,
        id: i64,
        claim_token: &str,
        error: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// Moves a dead letter of the space back to `pending`; false when it is not one.
    async fn retry_dead_grade(&self, space_id: i64, id: i64, now: i64) -> StoreResult<bool>;
    /// The outbox rows of a space, newest first.
    async fn outbox(&self, space_id: i64, limit: i64) -> StoreResult<Vec<OutboxRow>>;
    /// Counts the undelivered grades of every space (`pending` and `sending` rows).
    async fn outbox_backlog(&self) -> StoreResult<OutboxBacklog>;
}
