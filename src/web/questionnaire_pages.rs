//! The questionnaire pages: the list with the answer forms and the teacher's controls,
//! and the teacher's report of one questionnaire's results.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Tr;
use crate::store::questionnaires::{Answer, Item, ITEM_KINDS};
use crate::unix_now;
use crate::web::questionnaire_results::{scale_points, WaveResult};
use crate::web::questionnaire_templates::TEMPLATE_IDS;
use crate::web::questionnaires::{
    build_results, index_settings, load, require_teacher, response_key,
};
use crate::web::rooms::participant;
use crate::web::showcase::page_session;

/// One value of a scale or choice item as the answer form shows it.
struct Choice {
    value: i64,
    label: String,
    checked: bool,
}

struct FormItem {
    id: i64,
    number: i64,
    kind: String,
    prompt: String,
    choices: Vec<Choice>,
    text: String,
}

/// A questionnaire as the page shows it to someone who may answer it.
struct FormQuestionnaire {
    id: i64,
    title: String,
    description: String,
    anonymous: bool,
    accepts_answers: bool,
    answered: bool,
    items: Vec<FormItem>,
}

/// A questionnaire in the teacher's list.
struct TeacherRow {
    id: i64,
    title: String,
    status: String,
    status_label: String,
    wave_label: String,
    anonymous: bool,
    respondents: i64,
}

#[derive(Template)]
#[template(path = "questionnaires.html")]
struct QuestionnairesPage {
    tr: Tr,
    space_id: i64,
    token: String,
    is_teacher: bool,
    rows: Vec<TeacherRow>,
    forms: Vec<FormQuestionnaire>,
    templates: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    /// `pre` questionnaires a new `post` one can link to: id and title.
    pre_choices: Vec<(i64, String)>,
    strings_json: String,
}

/// Returns the labels of a scale's values by stored value, from 1.
pub fn value_labels(tr: &Tr, kind: &str) -> Vec<String> {
    match scale_points(kind) {
        Some(points) => (1..=points)
            .map(|value| tr.t(&format!("questionnaires-{kind}-{value}")))
            .collect(),
        None => Vec::new(),
    }
}

fn form_item(tr: &Tr, item: &Item, mine: &[Answer]) -> FormItem {
    let chosen = |value: i64| {
        mine.iter()
            .any(|answer| answer.item_id == item.id && answer.value == value)
    };
    let mut choices: Vec<Choice> = if scale_points(&item.kind).is_some() {
        value_labels(tr, &item.kind)
            .into_iter()
            .zip(1..)
            .map(|(label, value)| Choice {
                value,
                label,
                checked: chosen(value),
            })
            .collect()
    } else {
        item.options()
            .into_iter()
            .zip(0..)
            .map(|(label, value)| Choice {
                value,
                label,
                checked: chosen(value),
            })
            .collect()
    };
    // The satisfaction question lists its answers from "fully satisfied" down.
    if item.kind == "satisfaction" {
        choices.reverse();
    }
    FormItem {
        id: item.id,
        number: item.position + 1,
        kind: item.kind.clone(),
        prompt: item.prompt.clone(),
        choices,
        text: mine
            .iter()
            .find(|answer| answer.item_id == item.id)
            .and_then(|answer| answer.text.clone())
            .unwrap_or_default(),
    }
}

pub async fn questionnaires_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let who = participant(space_id, view);
        let is_teacher = who.is_moderator() && who.user_id.is_some();
        let now = unix_now();
        let mut rows = Vec::new();
        let mut forms = Vec::new();
        let mut pre_choices = Vec::new();
        for questionnaire in state.store.questionnaires(space_id).await? {
            if is_teacher {
                if questionnaire.wave.as_deref() == Some("pre") {
                    pre_choices.push((questionnaire.id, questionnaire.title.clone()));
                }
                rows.push(TeacherRow {
                    id: questionnaire.id,
                    title: questionnaire.title.clone(),
                    status_label: tr.t(&format!("questionnaires-status-{}", questionnaire.status)),
                    status: questionnaire.status.clone(),
                    wave_label: questionnaire
                        .wave
                        .as_deref()
                        .map(|wave| tr.t(&format!("questionnaires-wave-{wave}")))
                        .unwrap_or_default(),
                    anonymous: questionnaire.anonymous,
                    respondents: state
                        .store
                        .respondent_count(space_id, questionnaire.id)
                        .await?,
                });
            }
            if questionnaire.status != "open" {
                continue;
            }
            let Some(user_id) = who.user_id else { continue };
            let items = state
                .store
                .questionnaire_items(space_id, questionnaire.id)
                .await?;
            let key = response_key(&state, questionnaire.id, user_id).await?;
            let mine = state
                .store
                .response_answers(space_id, questionnaire.id, &key)
                .await?;
            forms.push(FormQuestionnaire {
                id: questionnaire.id,
                accepts_answers: questionnaire.accepts_answers(now),
                answered: state
                    .store
                    .has_answered(space_id, questionnaire.id, user_id)
                    .await?,
                items: items
                    .iter()
                    .map(|item| form_item(&tr, item, &mine))
                    .collect(),
                title: questionnaire.title,
                description: questionnaire.description,
                anonymous: questionnaire.anonymous,
            });
        }
        let page = QuestionnairesPage {
            space_id,
            token,
            is_teacher,
            rows,
            forms,
            templates: TEMPLATE_IDS
                .iter()
                .map(|id| {
                    (
                        id.to_string(),
                        tr.t(&format!("questionnaires-template-{id}")),
                    )
                })
                .collect(),
            kinds: ITEM_KINDS
                .iter()
                .map(|kind| {
                    (
                        kind.to_string(),
                        tr.t(&format!("questionnaires-kind-{kind}")),
                    )
                })
                .collect(),
            pre_choices,
            strings_json: tr.script_strings(),
            tr,
        };
        render(&page, "questionnaires")
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn render(page: &impl Template, name: &str) -> Result<Response, AppError> {
    let html = page
        .render()
        .map_err(|error| AppError::Internal(format!("{name} page failed to render: {error}")))?;
    Ok(Html(html).into_response())
}

/// One counted value of an item on the report.
struct ReportCount {
    label: String,
    count: u64,
    percent: String,
}

struct ReportItem {
    number: i64,
    prompt: String,
    kind_label: String,
    scale: String,
    answered: u64,
    counts: Vec<ReportCount>,
    /// Measures in words: mean, index, CSAT, top-two share.
    measures: Vec<(String, String)>,
    texts: Vec<String>,
}

struct ReportWave {
    title: String,
    wave_label: String,
    anonymous: bool,
    respondents: i64,
    items: Vec<ReportItem>,
    scales: Vec<(String, usize, String)>,
}

#[derive(Template)]
#[template(path = "questionnaire_report.html")]
struct ReportPage {
    tr: Tr,
    space_id: i64,
    token: String,
    waves: Vec<ReportWave>,
    settings_text: String,
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |value| format!("{value:.2}"))
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |value| format!("{:.0}%", value * 100.0))
}

fn report_wave(tr: &Tr, wave: WaveResult) -> ReportWave {
    let items = wave
        .items
        .into_iter()
        .map(|item| {
            let labels = if scale_points(&item.kind).is_some() {
                value_labels(tr, &item.kind)
            } else {
                item.options.clone()
            };
            let total: u64 = item.counts.iter().sum();
            let counts = labels
                .into_iter()
                .zip(&item.counts)
                .map(|(label, count)| ReportCount {
                    label,
                    count: *count,
                    percent: percent((total > 0).then(|| *count as f64 / total as f64)),
                })
                .collect();
            let mut measures = Vec::new();
            if scale_points(&item.kind).is_some() {
                measures.push((tr.t("questionnaires-mean"), number(item.mean)));
            }
            if let Some(index) = &item.index {
                // Three decimals, so that an index such as 0.125 shows exactly.
                let value = index
                    .value
                    .map_or_else(|| "—".into(), |value| format!("{value:.3}"));
                measures.push((tr.t("questionnaires-index"), value));
                measures.push((
                    tr.t("questionnaires-index-denominator"),
                    index.denominator.to_string(),
                ));
            }
            if item.csat.is_some() {
                measures.push((tr.t("questionnaires-csat"), percent(item.csat)));
            }
            if item.top_two.is_some() {
                measures.push((tr.t("questionnaires-top-two"), percent(item.top_two)));
            }
            ReportItem {
                number: item.position + 1,
                prompt: item.prompt,
                kind_label: tr.t(&format!("questionnaires-kind-{}", item.kind)),
                scale: item.scale.unwrap_or_default(),
                answered: item.answered,
                counts,
                measures,
                texts: item.texts,
            }
        })
        .collect();
    ReportWave {
        title: wave.title,
        wave_label: wave
            .wave
            .as_deref()
            .map(|wave| tr.t(&format!("questionnaires-wave-{wave}")))
            .unwrap_or_default(),
        anonymous: wave.anonymous,
        respondents: wave.respondents,
        items,
        scales: wave
            .scales
            .into_iter()
            .map(|scale| (scale.name, scale.items, number(scale.mean)))
            .collect(),
    }
}

/// Renders the teacher's results page of one questionnaire.
pub async fn report_page(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let who = participant(space_id, view);
        require_teacher(&who)?;
        let settings = index_settings(&query)?;
        let questionnaire = load(&state, &who, space_id, id).await?;
        let results = build_results(&state, questionnaire, settings).await?;
        let weights = results
            .settings
            .weights
            .iter()
            .rev()
            .map(|weight| format!("{weight:+}"))
            .collect::<Vec<_>>()
            .join(", ");
        let undecided = if results.settings.count_undecided {
            "questionnaires-undecided-counted"
        } else {
            "questionnaires-undecided-excluded"
        };
        let page = ReportPage {
            settings_text: tr.with_args(
                "questionnaires-index-settings",
                &[("weights", weights), ("undecided", tr.t(undecided))],
            ),
            waves: results
                .waves
                .into_iter()
                .map(|wave| report_wave(&tr, wave))
                .collect(),
            space_id,
            token,
            tr,
        };
        render(&page, "questionnaire report")
    };
    run.await.map_err(|error| error.respond(&headers))
}
