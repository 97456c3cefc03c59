//! The outbox worker: claims due scores, posts them, and records each outcome.
//!
//! A 2xx reply means sent. A 409 means the platform already has a score with a later or
//! equal timestamp, so the row is done. Transport errors, 5xx, 408 and 429 are retried
//! with exponential backoff and jitter until `give_up_secs` have passed. Any other 4xx
//! (a 401 only after one token refresh) makes the row a dead letter with its reason.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use rand::Rng;
use tokio::sync::watch;

use super::Grading;
use crate::lti::ags::{AgsError, Score};
use crate::store::grades::{OutboxRow, SyncCandidate};
use crate::store::StoreError;
use crate::{random_token, unix_now};

/// Rows claimed at a time.
const BATCH: i64 = 64;
/// People whose scores are sent at the same time. Scores of one person go one after
/// another, oldest first, so a platform never receives them out of order.
const PARALLEL: usize = 16;
/// Interval of the `schedule` sync mode, in seconds.
pub const SCHEDULE_SECS: i64 = 24 * 3600;
/// Maximum wait between two outbox polls when nothing wakes the worker.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// The outcome of sending one outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// The platform has a newer score (409).
    AlreadyNewer,
    Retry(String),
    Dead(String),
}

/// Classifies the result of posting a score.
pub fn classify(result: &Result<(), AgsError>) -> Delivery {
    match result {
        Ok(()) => Delivery::Sent,
        Err(AgsError::Status { status: 409, .. }) => Delivery::AlreadyNewer,
        Err(AgsError::Status { status, .. }) if *status >= 500 || matches!(status, 408 | 429) => {
            Delivery::Retry(result_text(result))
        }
        Err(AgsError::Status { status: 401, .. }) => Delivery::Dead(format!(
            "{}; the platform rejected a fresh token too, so check that the tool may use the grade service",
            result_text(result)
        )),
        Err(AgsError::Status { status: 400, .. }) => Delivery::Dead(format!(
            "{}; the platform rejected the score (an unknown or unenrolled person, or a deleted grade column)",
            result_text(result)
        )),
        Err(AgsError::Transport { .. }) => Delivery::Retry(result_text(result)),
        Err(AgsError::Token(error)) if error.is_transient() => Delivery::Retry(error.to_string()),
        Err(_) => Delivery::Dead(result_text(result)),
    }
}

fn result_text(result: &Result<(), AgsError>) -> String {
    match result {
        Ok(()) => String::new(),
        Err(error) => error.to_string(),
    }
}

/// Delay before attempt `attempts + 1`: `base × 2^(attempts-1)` capped at `max`, then a
/// random value between half of it and all of it, at least one second.
pub fn backoff_secs(attempts: i64, base: i64, max: i64, rng: &mut impl Rng) -> i64 {
    let exponent = (attempts - 1).clamp(0, 30) as u32;
    let delay = base.saturating_mul(1i64 << exponent).min(max).max(1);
    rng.gen_range((delay + 1) / 2..=delay).max(1)
}

/// Runs the worker until `stop` turns true. Scores already being sent are finished and
/// recorded; claimed scores not yet started go back to the outbox for another instance.
pub async fn run(grading: Arc<Grading>, mut stop: watch::Receiver<bool>) {
    tracing::info!("grade outbox worker started");
    let mut last_schedule_check = 0;
    while !*stop.borrow() {
        if let Err(error) = deliver_due_until(&grading, &stop).await {
            tracing::warn!(%error, "sending grades failed");
        }
        let now = unix_now();
        if now - last_schedule_check >= 5 && !*stop.borrow() {
            last_schedule_check = now;
            if let Err(error) = sync_due_spaces(&grading, now).await {
                tracing::warn!(%error, "scheduled grade sync failed");
            }
        }
        tokio::select! {
            _ = grading.wake.notified() => {}
            _ = tokio::time::sleep(IDLE_POLL) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("grade outbox worker stopped");
}

/// Claims and sends due rows until none are left; returns how many were handled.
pub async fn deliver_due(grading: &Grading) -> Result<usize, StoreError> {
    let (_keep, never) = watch::channel(false);
    deliver_due_until(grading, &never).await
}

/// Like [`deliver_due`], stopping early once `stop` turns true.
async fn deliver_due_until(
    grading: &Grading,
    stop: &watch::Receiver<bool>,
) -> Result<usize, StoreError> {
    let mut handled = 0;
    while !*stop.borrow() {
        let claim = random_token(16);
        let rows = grading
            .store
            .claim_grades(&claim, unix_now(), grading.claim_lease_secs, BATCH)
            .await?;
        if rows.is_empty() {
            break;
        }
        let results: Vec<Result<usize, StoreError>> = stream::iter(per_person(rows))
            .map(|rows| deliver_in_turn(grading, &claim, rows, stop))
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        for result in results {
            handled += result?;
        }
    }
    Ok(handled)
}

/// Groups claimed rows by person and grade column, each group oldest first.
fn per_person(rows: Vec<OutboxRow>) -> Vec<Vec<OutboxRow>> {
    let mut groups: Vec<Vec<OutboxRow>> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for row in rows {
        let key = (row.lineitem_url.clone(), row.user_subject.clone());
        match index.get(&key) {
            Some(&at) => groups[at].push(row),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![row]);
            }
        }
    }
    for group in &mut groups {
        group.sort_by_key(|row| row.id);
    }
    groups
}

/// Sends one person's rows in order; once `stop` turns true, releases those not started.
async fn deliver_in_turn(
    grading: &Grading,
    claim: &str,
    rows: Vec<OutboxRow>,
    stop: &watch::Receiver<bool>,
) -> Result<usize, StoreError> {
    let mut handled = 0;
    for row in rows {
        if *stop.borrow() {
            grading.store.release_grade(row.id, claim).await?;
            continue;
        }
        deliver(grading, claim, row).await?;
        handled += 1;
    }
    Ok(handled)
}

async fn deliver(grading: &Grading, claim: &str, row: OutboxRow) -> Result<(), StoreError> {
    let store = &grading.store;
    let Some(platform) = store.platform_by_id(row.platform_id).await? else {
        let reason = format!(
            "the platform registration {} was removed; register the platform again, then retry",
            row.platform_id
        );
        store
            .dead_letter_grade(row.id, claim, &reason, unix_now())
            .await?;
        tracing::error!(outbox_id = row.id, %reason, "grade moved to dead letters");
        return Ok(());
    };
    let score = Score::completed(
        &row.user_subject,
        row.score_given,
        row.score_maximum,
        row.score_timestamp,
    );
    let result = grading
        .ags
        .post_score(&platform, &row.lineitem_url, &score)
        .await;
    let now = unix_now();
    match classify(&result) {
        Delivery::Sent | Delivery::AlreadyNewer => {
            store.finish_grade(row.id, claim, now).await?;
            tracing::info!(
                outbox_id = row.id,
                space_id = row.space_id,
                user_id = row.user_id,
                score = row.score_given,
                "grade sent"
            );
        }
        Delivery::Retry(reason) if now - row.due_since < grading.give_up_secs => {
            let delay = backoff_secs(
                row.attempts,
                grading.retry_base_secs,
                grading.retry_max_delay_secs,
                &mut rand::thread_rng(),
            );
            store
                .reschedule_grade(row.id, claim, now + delay, &reason)
                .await?;
            tracing::warn!(outbox_id = row.id, attempts = row.attempts, delay, %reason, "sending grade failed, will retry");
        }
        Delivery::Retry(reason) => {
            let hours = grading.give_up_secs / 3600;
            let reason = format!(
                "the platform did not accept the grade within {hours} hours; last error: {reason}"
            );
            store.dead_letter_grade(row.id, claim, &reason, now).await?;
            tracing::error!(outbox_id = row.id, %reason, "grade moved to dead letters");
        }
        Delivery::Dead(reason) => {
            store.dead_letter_grade(row.id, claim, &reason, now).await?;
            tracing::error!(outbox_id = row.id, %reason, "grade moved to dead letters");
        }
    }
    Ok(())
}

/// Syncs the spaces whose mode calls for it now: `auto` a quiet while after new activity,
/// `schedule` once a day.
async fn sync_due_spaces(grading: &Grading, now: i64) -> Result<(), StoreError> {
    for candidate in grading.store.sync_candidates().await? {
        if !is_due(&candidate, now, grading.auto_delay_secs) {
            continue;
        }
        if !grading
            .store
            .claim_grade_sync(candidate.space_id, candidate.last_synced_at, now)
            .await?
        {
            continue;
        }
        if let Err(error) = grading.sync_space(candidate.space_id, now).await {
            tracing::warn!(space_id = candidate.space_id, %error, "grade sync failed");
        }
    }
    Ok(())
}

/// True when a space's sync mode calls for a sync at `now`.
pub fn is_due(candidate: &SyncCandidate, now: i64, auto_delay_secs: i64) -> bool {
    // Activity in the same second as the last sync counts as new, because the sync may
    // have read the log before it was written.
    let last_sync = candidate.last_synced_at.unwrap_or(i64::MIN);
    match candidate.sync_mode.as_str() {
        "auto" => candidate
            .last_activity_at
            .is_some_and(|activity| activity >= last_sync && now - activity >= auto_delay_secs),
        "schedule" => candidate
            .last_synced_at
            .is_none_or(|last| now - last >= SCHEDULE_SECS),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Result<(), AgsError> {
        Err(AgsError::Status {
            url: "http://127.0.0.1/x".into(),
            status: code,
            body: String::new(),
        })
    }

    fn row(id: i64, column: &str, subject: &str) -> OutboxRow {
        OutboxRow {
            id,
            space_id: 1,
            user_id: 1,
            platform_id: 1,
            lineitem_url: column.into(),
            user_subject: subject.into(),
            points: 0.0,
            score_given: 0.0,
            score_maximum: 100.0,
            score_timestamp: id,
            status: "sending".into(),
            attempts: 1,
            next_attempt_at: 0,
            claim_token: None,
            last_error: None,
            created_at: 0,
            due_since: 0,
            finished_at: None,
        }
    }

    #[test]
    fn rows_grouped_per_person_oldest_first() {
        let rows = vec![
            row(5, "col", "ana"),
            row(2, "col", "ben"),
            row(3, "col", "ana"),
            row(4, "other", "ana"),
            row(1, "col", "ana"),
        ];
        let groups: Vec<Vec<i64>> = per_person(rows)
            .iter()
            .map(|group| group.iter().map(|row| row.id).collect())
            .collect();
        assert_eq!(groups, vec![vec![1, 3, 5], vec![2], vec![4]]);
    }

    #[test]
    fn outcomes_by_status() {
        assert_eq!(classify(&Ok(())), Delivery::Sent);
        assert_eq!(classify(&status(409)), Delivery::AlreadyNewer);
        for code in [500, 502, 503, 429, 408] {
            assert!(
                matches!(classify(&status(code)), Delivery::Retry(_)),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 415] {
            assert!(
                matches!(classify(&status(code)), Delivery::Dead(_)),
                "{code}"
            );
        }
        let transport = Err(AgsError::Transport {
            url: "http://127.0.0.1/x".into(),
            detail: "connection refused".into(),
        });
        assert!(matches!(classify(&transport), Delivery::Retry(_)));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut rng = rand::thread_rng();
        for _ in 0..100 {
            let first = backoff_secs(1, 10, 3600, &mut rng);
            assert!((5..=10).contains(&first), "{first}");
            let fifth = backoff_secs(5, 10, 3600, &mut rng);
            assert!((80..=160).contains(&fifth), "{fifth}");
            let late = backoff_secs(40, 10, 3600, &mut rng);
            assert!((1800..=3600).contains(&late), "{late}");
        }
    }

    #[test]
    fn due_rules_per_mode() {
        let candidate = |mode: &str, synced: Option<i64>, activity: Option<i64>| SyncCandidate {
            space_id: 1,
            sync_mode: mode.into(),
            last_synced_at: synced,
            last_activity_at: activity,
        };
        assert!(is_due(&candidate("auto", Some(100), Some(200)), 400, 120));
        assert!(!is_due(&candidate("auto", Some(100), Some(200)), 250, 120));
        assert!(!is_due(&candidate("auto", Some(300), Some(200)), 1000, 120));
        assert!(!is_due(&candidate("auto", None, None), 1000, 120));
        assert!(is_due(&candidate("schedule", None, None), 1000, 120));
        assert!(!is_due(&candidate("schedule", Some(1000), None), 2000, 120));
        assert!(is_due(
            &candidate("schedule", Some(0), None),
            SCHEDULE_SECS,
            120
        ));
        assert!(!is_due(&candidate("manual", None, Some(1)), 1000, 120));
    }
}
