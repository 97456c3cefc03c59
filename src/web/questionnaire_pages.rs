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
use crate::web::questionnaire_comparison::{WaveComparison, WaveTests};
use crate::web::questionnaire_results::{value_range, WaveResult, MIN_GROUP_RESPONDENTS};
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
    edit_heading: String,
    description: String,
    /// Unix seconds, or empty without a time.
    opens_at: String,
    closes_at: String,
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

/// Returns the labels of a rated item's values, from its lowest stored value up. The
/// values of an `nps` item are their own labels.
pub fn value_labels(tr: &Tr, kind: &str) -> Vec<String> {
    match (kind, value_range(kind)) {
        ("nps", Some((low, high))) => (low..=high).map(|value| value.to_string()).collect(),
        (_, Some((low, high))) => (low..=high)
            .map(|value| tr.t(&format!("questionnaires-{kind}-{value}")))
            .collect(),
        (_, None) => Vec::new(),
    }
}

fn form_item(tr: &Tr, item: &Item, mine: &[Answer]) -> FormItem {
    let chosen = |value: i64| {
        mine.iter()
            .any(|answer| answer.item_id == item.id && answer.value == value)
    };
    let mut choices: Vec<Choice> = if let Some((low, _)) = value_range(&item.kind) {
        value_labels(tr, &item.kind)
            .into_iter()
            .zip(low..)
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
                let unix =
                    |time: Option<i64>| time.map(|time| time.to_string()).unwrap_or_default();
                rows.push(TeacherRow {
                    id: questionnaire.id,
                    title: questionnaire.title.clone(),
                    edit_heading: tr.with_args(
                        "questionnaires-edit-heading",
                        &[("title", questionnaire.title.clone())],
                    ),
                    description: questionnaire.description.clone(),
                    opens_at: unix(questionnaire.opens_at),
                    closes_at: unix(questionnaire.closes_at),
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
    scales: Vec<ReportScale>,
    /// Satisfaction index per team: item number, team, respondents, index.
    groups: Vec<(i64, String, usize, String)>,
}

struct ReportScale {
    name: String,
    items: usize,
    mean: String,
    alpha: String,
    /// Complete cases behind alpha.
    cases: usize,
}

/// One test of a comparison as the report shows it.
pub(crate) struct ReportTest {
    pub name: String,
    pub statistic: String,
    pub p_value: String,
    pub effect: String,
    pub n: String,
    pub note: String,
}

/// The tests of one item or scale across the two waves.
pub(crate) struct ReportComparison {
    pub label: String,
    pub tests: Vec<ReportTest>,
}

#[derive(Template)]
#[template(path = "questionnaire_report.html")]
struct ReportPage {
    tr: Tr,
    space_id: i64,
    token: String,
    waves: Vec<ReportWave>,
    settings_text: String,
    comparisons: Vec<ReportComparison>,
    /// Current index settings for the settings form.
    weights_value: String,
    count_undecided: bool,
    questionnaire_id: i64,
}

fn number(value: Option<f64>) -> String {
    number_places(value, 2)
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |value| format!("{:.0}%", value * 100.0))
}

fn report_wave(tr: &Tr, wave: WaveResult) -> ReportWave {
    let numbers: HashMap<i64, i64> = wave
        .items
        .iter()
        .map(|item| (item.item_id, item.position + 1))
        .collect();
    let items = wave
        .items
        .into_iter()
        .map(|item| {
            let labels = if value_range(&item.kind).is_some() {
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
            if let Some(statistics) = &item.statistics {
                let spread = &statistics.distribution;
                measures.push((tr.t("questionnaires-mean"), number(item.mean)));
                measures.push((tr.t("statistics-sd"), number(statistics.sd)));
                measures.push((tr.t("statistics-median"), number(Some(spread.median))));
                measures.push((
                    tr.t("statistics-quartiles"),
                    format!("{} – {}", number(Some(spread.q1)), number(Some(spread.q3))),
                ));
                measures.push((
                    tr.t("statistics-range"),
                    format!("{} – {}", spread.min, spread.max),
                ));
            }
            if let Some(nps) = &item.nps {
                let score = nps
                    .score
                    .map_or_else(|| "—".into(), |score| format!("{score:+.0}"));
                measures.push((
                    tr.t("statistics-nps"),
                    tr.with_args(
                        "statistics-nps-value",
                        &[("score", score), ("n", nps.n.to_string())],
                    ),
                ));
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
    let groups = wave
        .groups
        .iter()
        .map(|group| {
            let team = group
                .team
                .clone()
                .unwrap_or_else(|| tr.t("questionnaires-group-no-team"));
            let index = match &group.index {
                Some(index) => index
                    .value
                    .map_or_else(|| "—".into(), |value| format!("{value:.3}")),
                None => tr.with_args(
                    "questionnaires-group-too-small",
                    &[("minimum", MIN_GROUP_RESPONDENTS.to_string())],
                ),
            };
            (
                numbers.get(&group.item_id).copied().unwrap_or(0),
                team,
                group.respondents,
                index,
            )
        })
        .collect();
    ReportWave {
        groups,
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
            .map(|scale| ReportScale {
                name: scale.name,
                items: scale.items,
                mean: number(scale.mean),
                alpha: number(scale.alpha.alpha),
                cases: scale.alpha.cases,
            })
            .collect(),
    }
}

fn p_value(value: Option<f64>) -> String {
    match value {
        Some(p) if p < 0.001 => "< 0.001".into(),
        other => number_places(other, 3),
    }
}

fn number_places(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| "—".into(), |value| format!("{value:.places$}"))
}

fn report_tests(tr: &Tr, tests: WaveTests) -> Vec<ReportTest> {
    let note = |id: Option<&str>| id.map(|id| tr.t(id)).unwrap_or_default();
    let wilcoxon = tests.wilcoxon;
    let mann_whitney = tests.mann_whitney;
    let chi_square = tests.chi_square;
    vec![
        ReportTest {
            name: tr.t("statistics-wilcoxon"),
            statistic: number_places(wilcoxon.statistic, 1),
            p_value: p_value(wilcoxon.p_value),
            effect: number_places(wilcoxon.rank_biserial, 3),
            n: tr.with_args(
                "statistics-pairs",
                &[
                    ("pairs", wilcoxon.pairs.to_string()),
                    ("zeros", wilcoxon.zeros.to_string()),
                ],
            ),
            note: note(wilcoxon.note),
        },
        ReportTest {
            name: tr.t("statistics-mann-whitney"),
            statistic: number_places(mann_whitney.u, 1),
            p_value: p_value(mann_whitney.p_value),
            effect: number_places(mann_whitney.rank_biserial, 3),
            n: tr.with_args(
                "statistics-groups",
                &[
                    ("pre", mann_whitney.n1.to_string()),
                    ("post", mann_whitney.n2.to_string()),
                ],
            ),
            note: note(mann_whitney.note),
        },
        ReportTest {
            name: tr.t("statistics-chi-square"),
            statistic: number_places(chi_square.statistic, 3),
            p_value: p_value(chi_square.p_value),
            effect: number_places(chi_square.cramers_v, 3),
            n: tr.with_args(
                "statistics-table",
                &[
                    ("n", chi_square.n.to_string()),
                    ("dof", chi_square.dof.to_string()),
                ],
            ),
            note: note(chi_square.note),
        },
    ]
}

pub(crate) fn report_comparisons(tr: &Tr, comparison: WaveComparison) -> Vec<ReportComparison> {
    let items = comparison.items.into_iter().map(|item| ReportComparison {
        label: format!("{}. {}", item.position + 1, item.prompt),
        tests: report_tests(tr, item.tests),
    });
    let scales = comparison.scales.into_iter().map(|scale| ReportComparison {
        label: tr.with_args("statistics-scale-label", &[("name", scale.name)]),
        tests: report_tests(tr, scale.tests),
    });
    items.chain(scales).collect()
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
        let weights_value = results
            .settings
            .weights
            .iter()
            .map(|weight| weight.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let page = ReportPage {
            comparisons: results
                .comparison
                .map(|comparison| report_comparisons(&tr, comparison))
                .unwrap_or_default(),
            weights_value,
            count_undecided: results.settings.count_undecided,
            questionnaire_id: id,
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
