//! The teacher's grades page: every student's points and computed grade beside the last
//! grade the platform accepted, errors and dead letters with retry, the grading rule,
//! the sync mode and the "Sync grades" button. Teachers only.
//!
//! Writes carry the session token in the `X-Cowork-Token` header, as on the other pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::grading::rule::GradingRule;
use crate::grading::{PersonGrade, SyncError, SYNC_MODES};
use crate::i18n::{Msg, Tr};
use crate::session::TOKEN_PARAM;
use crate::store::grades::OutboxRow;
use crate::unix_now;
use crate::web::rooms::{participant, reader, writer};
use crate::web::space::authenticate;

const MAX_REASON_CHARS: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/grades", get(grades_page))
        .route("/spaces/{space_id}/grades/preview", get(preview))
        .route("/spaces/{space_id}/grades/rule", post(save_rule))
        .route("/spaces/{space_id}/grades/sync", post(sync_now))
        .route("/spaces/{space_id}/grades/awards", post(add_award))
        .route(
            "/spaces/{space_id}/grades/outbox/{row_id}/retry",
            post(retry_dead_letter),
        )
}

fn require_teacher(who: &crate::chat::service::Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-grades-teachers-only")),
    }
}

/// One student's line on the page.
struct GradeLine {
    user_id: i64,
    name: String,
    points: String,
    grade: String,
    accepted: String,
    state: String,
    error: String,
    changed: bool,
}

#[derive(Template)]
#[template(path = "grades.html")]
struct GradesPage {
    tr: Tr,
    space_id: i64,
    token: String,
    lines: Vec<GradeLine>,
    dead: Vec<(i64, String, String, String)>,
    rule: GradingRule,
    sync_mode: String,
    modes: Vec<(String, String)>,
    target: String,
    strings: String,
}

fn line(tr: &Tr, person: &PersonGrade) -> GradeLine {
    let latest = person.latest.as_ref();
    GradeLine {
        user_id: person.member.user_id,
        name: person
            .member
            .name
            .clone()
            .unwrap_or_else(|| tr.t("space-unnamed")),
        points: format!("{:.2}", person.outcome.earned + person.outcome.awarded),
        grade: format!("{:.2}", person.outcome.score_given),
        accepted: person
            .accepted
            .as_ref()
            .map_or_else(|| "—".into(), |row| format!("{:.2}", row.score_given)),
        state: latest.map_or_else(
            || tr.t("grades-state-none"),
            |row| tr.t(&format!("grades-state-{}", row.status)),
        ),
        error: latest
            .and_then(|row| row.last_error.clone())
            .unwrap_or_default(),
        changed: person.changed(),
    }
}

async fn grades_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Html<String>, ErrorResponse> {
    let run = async {
        let token = query.get(TOKEN_PARAM).map(String::as_str);
        let view = authenticate(&state, &headers, token, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let token = state
            .session_key
            .issue(&view.session_id, space_id, view.expires_at);
        require_teacher(&participant(space_id, view))?;
        let now = unix_now();
        let people = state.grading.preview(space_id, now).await?;
        let (rule, stored) = state.grading.rule(space_id, now).await?;
        let names: HashMap<i64, String> = people
            .iter()
            .map(|p| (p.member.user_id, p.member.name.clone().unwrap_or_default()))
            .collect();
        let dead = dead_letters(&state.store.outbox(space_id, 500).await?, &names);
        let target = match state.store.grade_target(space_id).await? {
            Some(target) => target
                .label
                .or(target.lineitem_url)
                .unwrap_or_else(|| tr.t("grades-target-new")),
            None => tr.t("grades-target-missing"),
        };
        let page = GradesPage {
            lines: people.iter().map(|person| line(&tr, person)).collect(),
            dead,
            rule,
            modes: SYNC_MODES
                .iter()
                .map(|mode| (mode.to_string(), tr.t(&format!("grades-mode-{mode}"))))
                .collect(),
            sync_mode: stored.sync_mode,
            target,
            tr,
            space_id,
            token,
            strings: tr.script_strings(),
        };
        page.render()
            .map(Html)
            .map_err(|error| AppError::Internal(format!("grades page failed to render: {error}")))
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn dead_letters(
    rows: &[OutboxRow],
    names: &HashMap<i64, String>,
) -> Vec<(i64, String, String, String)> {
    rows.iter()
        .filter(|row| row.status == "dead")
        .map(|row| {
            (
                row.id,
                names.get(&row.user_id).cloned().unwrap_or_default(),
                format!("{:.2}", row.score_given),
                row.last_error.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The preview as JSON: what a sync would send, beside what was sent.
async fn preview(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        require_teacher(&who)?;
        let now = unix_now();
        let people = state.grading.preview(space_id, now).await?;
        let dead: Vec<OutboxRow> = state
            .store
            .outbox(space_id, 500)
            .await?
            .into_iter()
            .filter(|row| row.status == "dead")
            .collect();
        let students: Vec<Value> = people
            .iter()
            .map(|p| json!({ "grade": p, "changed": p.changed() }))
            .collect();
        Ok::<_, AppError>(Json(json!({ "students": students, "dead_letters": dead })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleForm {
    rule: GradingRule,
    sync_mode: String,
}

async fn save_rule(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<RuleForm>, JsonRejection>,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        let actor = require_teacher(&writer(&state, &headers, space_id).await?)?;
        let Json(form) = payload.map_err(|rejection| AppError::bad_json(&rejection))?;
        form.rule.validate().map_err(AppError::Invalid)?;
        if !SYNC_MODES.contains(&form.sync_mode.as_str()) {
            return Err(AppError::invalid(
                Msg::new("error-grades-sync-mode").arg("mode", format!("{:?}", form.sync_mode)),
            ));
        }
        let rule_json = serde_json::to_string(&form.rule).expect("a rule serializes");
        let now = unix_now();
        state
            .store
            .save_grading_rule(space_id, &rule_json, &form.sync_mode, now)
            .await?;
        state
            .store
            .audit(space_id, actor, "grades.rule", &rule_json, now)
            .await?;
        Ok::<_, AppError>(Json(
            json!({ "rule": form.rule, "sync_mode": form.sync_mode }),
        ))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn sync_now(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        let actor = require_teacher(&writer(&state, &headers, space_id).await?)?;
        let now = unix_now();
        let enqueued = match state.grading.sync_space(space_id, now).await {
            Ok(count) => count,
            Err(SyncError::Store(error)) => return Err(AppError::Storage(error)),
            Err(SyncError::NoTarget) => return Err(AppError::invalid("error-grades-no-target")),
            Err(SyncError::NoPlatform) => {
                return Err(AppError::invalid("error-grades-no-platform"))
            }
            Err(SyncError::NoLineItem) => {
                return Err(AppError::invalid("error-grades-no-line-item"))
            }
            Err(SyncError::LineItem(reason)) => {
                return Err(AppError::invalid(
                    Msg::new("error-grades-line-item").arg("reason", reason),
                ))
            }
        };
        state.store.mark_grades_synced(space_id, now).await?;
        state
            .store
            .audit(space_id, actor, "grades.sync", &enqueued.to_string(), now)
            .await?;
        Ok::<_, AppError>(Json(json!({ "enqueued": enqueued })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AwardForm {
    user_id: i64,
    points: f64,
    reason: String,
}

async fn add_award(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<AwardForm>, JsonRejection>,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        let actor = require_teacher(&writer(&state, &headers, space_id).await?)?;
        let Json(form) = payload.map_err(|rejection| AppError::bad_json(&rejection))?;
        if !form.points.is_finite() || !(-1000.0..=1000.0).contains(&form.points) {
            return Err(AppError::invalid(
                Msg::new("error-grades-points").arg("points", form.points),
            ));
        }
        let reason = form.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(AppError::invalid(
                Msg::new("error-grades-reason").arg("max", MAX_REASON_CHARS),
            ));
        }
        if !state.store.is_member(space_id, form.user_id).await? {
            return Err(AppError::invalid(
                Msg::new("error-grades-not-participant").arg("user_id", form.user_id),
            ));
        }
        let now = unix_now();
        let award = state
            .store
            .add_award(space_id, form.user_id, form.points, reason, actor, now)
            .await?;
        let target = format!("user {}: {} ({reason})", form.user_id, form.points);
        state
            .store
            .audit(space_id, actor, "grades.award", &target, now)
            .await?;
        Ok::<_, AppError>(Json(json!({ "award": award })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn retry_dead_letter(
    State(state): State<AppState>,
    Path((space_id, row_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        let actor = require_teacher(&writer(&state, &headers, space_id).await?)?;
        let now = unix_now();
        if !state.store.retry_dead_grade(space_id, row_id, now).await? {
            return Err(AppError::NotFound);
        }
        state.grading.wake.notify_one();
        state
            .store
            .audit(space_id, actor, "grades.retry", &row_id.to_string(), now)
            .await?;
        Ok::<_, AppError>(Json(json!({ "retried": row_id })))
    };
    run.await.map_err(|error| error.respond(&headers))
}
