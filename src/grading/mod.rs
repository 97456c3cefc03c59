//! Engagement grades: the grading rule, computing grades from the interaction log,
//! and publishing them to the platform's gradebook through AGS via a durable outbox.

pub mod rule;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Notify;

use crate::config::Config;
use crate::lti::ags::{AgsClient, LineItem};
use crate::lti::service_token::{ServiceTokens, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY};
use crate::net::PlatformHttp;
use crate::store::grades::{GradeTarget, GradedMember, NewGrade, OutboxRow, StoredRule};
use crate::store::{DynStore, Platform, StoreError};
use rule::{GradeOutcome, GradingRule};

/// The ways grades reach the platform.
pub const SYNC_MODES: [&str; 3] = ["auto", "schedule", "manual"];

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the platform sent no grade service endpoint for this space; enable \"IMS LTI Assignment and Grade Services\" for the tool in Moodle and launch the activity again")]
    NoTarget,
    #[error("the platform registration of this space was removed; register the platform again")]
    NoPlatform,
    #[error("the launch carried no line item and the platform does not allow creating one; use a graded activity in Moodle")]
    NoLineItem,
    #[error("creating the gradebook column failed: {0}")]
    LineItem(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A student's computed grade beside the last one the platform accepted.
#[derive(Debug, Clone, Serialize)]
pub struct PersonGrade {
    pub member: GradedMember,
    pub outcome: GradeOutcome,
    /// The newest outbox row of the person, in any state.
    pub latest: Option<OutboxRow>,
    /// The newest row the platform accepted.
    pub accepted: Option<OutboxRow>,
}

impl PersonGrade {
    /// True when syncing would enqueue a new score for this person.
    pub fn changed(&self) -> bool {
        match &self.latest {
            Some(row) if row.status != "dead" && row.status != "superseded" => {
                row.score_given != self.outcome.score_given
            }
            _ => true,
        }
    }
}

/// Grade computation and publication, shared by the pages and the worker.
pub struct Grading {
    pub store: DynStore,
    pub ags: AgsClient,
    pub tokens: Arc<ServiceTokens>,
    /// Woken when rows are enqueued, so the worker sends them without waiting.
    pub wake: Notify,
    pub retry_base_secs: i64,
    pub retry_max_delay_secs: i64,
    pub give_up_secs: i64,
    pub auto_delay_secs: i64,
    pub claim_lease_secs: i64,
}

impl Grading {
    pub fn new(
        config: &Config,
        store: DynStore,
        http: &PlatformHttp,
        vault: Arc<crate::keys::KeyVault>,
    ) -> Self {
        let tokens = Arc::new(ServiceTokens::new(http, store.clone()).with_vault(vault));
        Self {
            ags: AgsClient::new(http, tokens.clone()),
            tokens,
            store,
            wake: Notify::new(),
            retry_base_secs: config.grade_retry_base_secs,
            retry_max_delay_secs: config.grade_retry_max_delay_secs,
            give_up_secs: config.grade_give_up_secs,
            auto_delay_secs: config.grade_auto_delay_secs,
            claim_lease_secs: config.grade_claim_lease_secs,
        }
    }

    /// The space's rule, or the default when the space has none stored.
    pub async fn rule(
        &self,
        space_id: i64,
        now: i64,
    ) -> Result<(GradingRule, StoredRule), StoreError> {
        let stored = self.store.grading_rule(space_id).await?;
        let stored = stored.unwrap_or_else(|| StoredRule {
            space_id,
            rule_json: String::new(),
            sync_mode: "auto".into(),
            starts_at: now,
            last_synced_at: None,
        });
        let rule = serde_json::from_str(&stored.rule_json).unwrap_or_default();
        Ok((rule, stored))
    }

    /// Computes every student's grade at `now`, beside what was sent before.
    pub async fn preview(&self, space_id: i64, now: i64) -> Result<Vec<PersonGrade>, StoreError> {
        let (rule, stored) = self.rule(space_id, now).await?;
        let rows = self.store.contributions(space_id, stored.starts_at).await?;
        let mut awarded: HashMap<i64, f64> = HashMap::new();
        for award in self.store.awards(space_id).await? {
            *awarded.entry(award.user_id).or_default() += award.points;
        }
        let outbox = self.store.outbox(space_id, 100_000).await?;
        let members = self.store.graded_members(space_id).await?;
        Ok(members
            .into_iter()
            .map(|member| {
                let earned = rule.earned_points(member.user_id, &rows, stored.starts_at);
                let bonus = awarded.get(&member.user_id).copied().unwrap_or(0.0);
                let mine = || outbox.iter().filter(|row| row.user_id == member.user_id);
                PersonGrade {
                    outcome: rule.grade(earned, bonus, stored.starts_at, now),
                    latest: mine().next().cloned(),
                    accepted: mine().find(|row| row.status == "sent").cloned(),
                    member,
                }
            })
            .collect())
    }

    /// Computes grades and enqueues the changed ones; returns how many were enqueued.
    pub async fn sync_space(&self, space_id: i64, now: i64) -> Result<usize, SyncError> {
        let target = self
            .store
            .grade_target(space_id)
            .await?
            .ok_or(SyncError::NoTarget)?;
        let platform = self
            .store
            .platform_by_id(target.platform_id)
            .await?
            .ok_or(SyncError::NoPlatform)?;
        let (rule, _) = self.rule(space_id, now).await?;
        let line_item_url = self.line_item(&platform, &target, &rule, now).await?;
        let grades: Vec<NewGrade> = self
            .preview(space_id, now)
            .await?
            .into_iter()
            .filter(PersonGrade::changed)
            .map(|person| NewGrade {
                user_id: person.member.user_id,
                user_subject: person.member.subject,
                points: person.outcome.earned + person.outcome.awarded,
                score_given: person.outcome.score_given,
                score_maximum: rule.score_maximum,
            })
            .collect();
        if !grades.is_empty() {
            self.store
                .enqueue_grades(space_id, platform.id, &line_item_url, &grades, now)
                .await?;
            self.wake.notify_one();
        }
        tracing::info!(space_id, enqueued = grades.len(), "grades computed");
        Ok(grades.len())
    }

    /// The line item URL of the space, creating the column when the launch had none.
    /// A known line item without a stored maximum is read once for the teacher's page.
    async fn line_item(
        &self,
        platform: &Platform,
        target: &GradeTarget,
        rule: &GradingRule,
        now: i64,
    ) -> Result<String, SyncError> {
        let allows = |scope: &str| target.scopes.split_whitespace().any(|s| s == scope);
        if let Some(url) = &target.lineitem_url {
            if target.score_maximum.is_none()
                && (allows(SCOPE_LINEITEM_READONLY) || allows(SCOPE_LINEITEM))
            {
                match self.ags.line_item(platform, url).await {
                    Ok(item) => {
                        self.store
                            .set_line_item(
                                target.space_id,
                                url,
                                &item.label,
                                item.score_maximum,
                                now,
                            )
                            .await?
                    }
                    Err(error) => {
                        tracing::warn!(space_id = target.space_id, %error, "reading the line item failed")
                    }
                }
            }
            return Ok(url.clone());
        }
        let (Some(container), true) = (&target.lineitems_url, allows(SCOPE_LINEITEM)) else {
            return Err(SyncError::NoLineItem);
        };
        let new_item = LineItem {
            id: None,
            label: "cowork participation".into(),
            score_maximum: rule.score_maximum,
            resource_link_id: None,
            resource_id: Some(format!("cowork-space-{}", target.space_id)),
            tag: Some("cowork-engagement".into()),
        };
        let created = self
            .ags
            .create_line_item(platform, container, &new_item)
            .await
            .map_err(|error| SyncError::LineItem(error.to_string()))?;
        let url = created
            .id
            .ok_or_else(|| SyncError::LineItem("the platform returned no line item id".into()))?;
        self.store
            .set_line_item(
                target.space_id,
                &url,
                &created.label,
                created.score_maximum,
                now,
            )
            .await?;
        Ok(url)
    }
}
