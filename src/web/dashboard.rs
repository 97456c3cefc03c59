//! The dashboards of a space for a time window. Teachers see activity over time, the
//! interaction network, mobility and communication trends, questionnaire results and the
//! students who need attention. A student sees their own points, their progress to the
//! weekly target, their contributions and the people they worked with.
//!
//! Every chart is SVG rendered here (see [`super::charts`]) with a table of its numbers
//! beside it. The window is given by `from` and `until` dates (`YYYY-MM-DD`, UTC, both
//! days included) and defaults to the life of the space so far.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};

use crate::analytics::mobility::WEEK_SECS;
use crate::analytics::report::{midnight_utc, Edge, SpaceReport, Window};
use crate::analytics::satisfaction::IndexSettings;
use crate::app::AppState;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::{Msg, Tr};
use crate::unix_now;
use crate::web::charts::{self, number, Node, Series};
use crate::web::questionnaire_comparison::compare_waves;
use crate::web::questionnaire_pages::{report_comparisons, ReportComparison};
use crate::web::questionnaire_results::wave_result;
use crate::web::rooms::participant;
use crate::web::showcase::page_session;

const DAY_SECS: i64 = 24 * 60 * 60;
/// The network chart draws at most this many pairs, the strongest first, so that the
/// page of a large class stays small. The edges export has every pair.
pub const MAX_DRAWN_PAIRS: usize = 1500;
/// The table under the network lists at most this many pairs, the strongest first.
pub const MAX_LISTED_PAIRS: usize = 50;
/// The maximum length of a dashboard window, so that charts keep one column per week.
pub const MAX_WINDOW_WEEKS: i64 = 106;

pub fn router() -> Router<AppState> {
    Router::new().route("/spaces/{space_id}/dashboard", get(dashboard))
}

/// Parses a `YYYY-MM-DD` date into the Unix time of its midnight, UTC.
fn parse_date(field: &'static str, value: &str) -> Result<i64, AppError> {
    midnight_utc(value).ok_or_else(|| {
        AppError::invalid(
            Msg::new("error-dashboard-date")
                .arg("field", field)
                .arg("value", value),
        )
    })
}

fn date_text(at: i64) -> String {
    DateTime::<Utc>::from_timestamp(at, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// Reads the window from the query. `until` is the last day included, so the window
/// ends at the following midnight. Without `from` the window starts at `created_at`,
/// and without `until` it ends now.
pub fn window_of(
    query: &HashMap<String, String>,
    created_at: i64,
    now: i64,
) -> Result<Window, AppError> {
    let given = |name: &str| query.get(name).filter(|value| !value.trim().is_empty());
    let from = match given("from") {
        Some(value) => parse_date("from", value)?,
        None => created_at,
    };
    let until = match given("until") {
        Some(value) => parse_date("until", value)? + DAY_SECS,
        None => now + 1,
    };
    if until <= from {
        return Err(AppError::invalid(
            Msg::new("error-dashboard-window")
                .arg("from", date_text(from))
                .arg("until", date_text(until - 1)),
        ));
    }
    if until - from > MAX_WINDOW_WEEKS * WEEK_SECS {
        return Err(AppError::invalid(
            Msg::new("error-dashboard-window-long").arg("weeks", MAX_WINDOW_WEEKS),
        ));
    }
    Ok(Window { from, until })
}

fn optional(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "—".into(), |value| number(value, decimals))
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(
        || "—".into(),
        |value| format!("{}%", number(value * 100.0, 1)),
    )
}

/// Formats a duration in seconds as minutes, hours or days.
fn duration(tr: &Tr, seconds: Option<f64>) -> String {
    let Some(seconds) = seconds else {
        return "—".into();
    };
    let (id, value) = if seconds < 3600.0 {
        ("dashboard-minutes", seconds / 60.0)
    } else if seconds < 2.0 * DAY_SECS as f64 {
        ("dashboard-hours", seconds / 3600.0)
    } else {
        ("dashboard-days", seconds / DAY_SECS as f64)
    };
    tr.with_args(id, &[("value", number(value, 1))])
}

/// A chart with the caption and table the page shows with it.
struct Figure {
    id: String,
    caption: String,
    svg: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

struct StudentLine {
    user_id: i64,
    name: String,
    cells: Vec<String>,
}

struct AttentionLine {
    name: String,
    reasons: Vec<String>,
}

struct QuestionnaireLine {
    id: i64,
    title: String,
    wave: String,
    status: String,
    respondents: i64,
    indices: Vec<String>,
}

#[derive(Template)]
#[template(path = "dashboard_teacher.html")]
struct TeacherPage {
    tr: Tr,
    space_id: i64,
    token: String,
    from: String,
    until: String,
    window_text: String,
    summary: Vec<(String, String)>,
    figures: Vec<Figure>,
    network: Figure,
    student_columns: Vec<String>,
    students: Vec<StudentLine>,
    room_columns: Vec<String>,
    rooms: Vec<Vec<String>>,
    attention: Vec<AttentionLine>,
    questionnaires: Vec<QuestionnaireLine>,
    comparisons: Vec<WaveComparisonLine>,
    definitions: Vec<(String, String)>,
}

/// The tests of a `post` questionnaire against its `pre` questionnaire.
struct WaveComparisonLine {
    /// The `post` questionnaire, whose report page shows the same tests.
    id: i64,
    title: String,
    comparisons: Vec<ReportComparison>,
}

#[derive(Template)]
#[template(path = "dashboard_student.html")]
struct StudentPage {
    tr: Tr,
    space_id: i64,
    token: String,
    from: String,
    until: String,
    window_text: String,
    summary: Vec<(String, String)>,
    progress_svg: String,
    progress_text: String,
    points: Figure,
    contributions: Vec<(String, usize)>,
    partners: Vec<(String, usize)>,
    mobility: Vec<(String, String)>,
    definitions: Vec<(String, String)>,
}

impl TeacherPage {
    fn network_figures(&self) -> &[Figure] {
        std::slice::from_ref(&self.network)
    }
}

impl StudentPage {
    fn points_figures(&self) -> &[Figure] {
        std::slice::from_ref(&self.points)
    }
}

async fn dashboard(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let who = participant(space_id, view);
        let now = unix_now();
        let created_at = state.store.space_created_at(space_id).await?.unwrap_or(now);
        let window = window_of(&query, created_at, now)?;
        let report = SpaceReport::load(&state.activity, state.store.as_ref(), space_id, window)
            .await
            .map_err(|error| AppError::Internal(format!("dashboard report failed: {error}")))?;
        let html = if who.is_moderator() {
            teacher_page(&state, tr, space_id, token, &report).await?
        } else {
            student_page(&state, tr, &who, token, &report, now).await?
        };
        Ok::<Response, AppError>(Html(html).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn render(page: &impl Template) -> Result<String, AppError> {
    page.render()
        .map_err(|error| AppError::Internal(format!("dashboard page failed to render: {error}")))
}

fn window_text(tr: &Tr, report: &SpaceReport) -> String {
    tr.message(
        &Msg::new("dashboard-window")
            .arg("from", date_text(report.window.from))
            .arg("until", date_text(report.window.until - 1))
            .arg("weeks", report.weeks as i64),
    )
}

fn week_labels(report: &SpaceReport) -> Vec<String> {
    (1..=report.weeks).map(|week| week.to_string()).collect()
}

fn name_of(tr: &Tr, report: &SpaceReport, user_id: i64) -> String {
    report
        .name_of(user_id)
        .map_or_else(|| tr.t("space-unnamed"), str::to_string)
}

/// Builds a figure whose table lists the categories down and the series across.
fn series_figure(
    tr: &Tr,
    id: &str,
    caption: String,
    svg: String,
    categories: &[String],
    series: &[Series],
    decimals: usize,
) -> Figure {
    let mut columns = vec![tr.t("dashboard-week")];
    columns.extend(series.iter().map(|entry| entry.label.clone()));
    let rows = categories
        .iter()
        .enumerate()
        .map(|(index, category)| {
            let mut row = vec![category.clone()];
            for entry in series {
                let value = entry.values.get(index).copied().flatten();
                row.push(optional(value, decimals));
            }
            row
        })
        .collect();
    Figure {
        id: id.into(),
        caption,
        svg,
        columns,
        rows,
    }
}

fn counts(values: impl Iterator<Item = usize>) -> Vec<Option<f64>> {
    values.map(|value| Some(value as f64)).collect()
}

fn activity_figure(tr: &Tr, report: &SpaceReport) -> Figure {
    let weeks = week_labels(report);
    let weekly = &report.weekly;
    let series = vec![
        Series {
            label: tr.t("dashboard-activity-chat"),
            values: counts(weekly.iter().map(|week| week.chat)),
        },
        Series {
            label: tr.t("dashboard-activity-help"),
            values: counts(weekly.iter().map(|week| week.help)),
        },
        Series {
            label: tr.t("dashboard-activity-showcase"),
            values: counts(weekly.iter().map(|week| week.showcase)),
        },
        Series {
            label: tr.t("dashboard-activity-other"),
            values: counts(weekly.iter().map(|week| week.other)),
        },
    ];
    let total: usize = weekly
        .iter()
        .map(|week| week.chat + week.help + week.showcase + week.other)
        .sum();
    let caption = tr.t("dashboard-activity");
    let summary = tr.with_args(
        "dashboard-activity-summary",
        &[
            ("total", total.to_string()),
            ("weeks", report.weeks.to_string()),
        ],
    );
    let svg = charts::stacked_bars("activity-chart", &caption, &summary, &weeks, &series, 0);
    series_figure(tr, "activity", caption, svg, &weeks, &series, 0)
}

fn mobility_figure(tr: &Tr, report: &SpaceReport) -> Figure {
    let weeks = week_labels(report);
    let weekly = &report.weekly;
    let series = vec![
        Series {
            label: tr.t("dashboard-trend-active"),
            values: counts(weekly.iter().map(|week| week.active_students)),
        },
        Series {
            label: tr.t("dashboard-trend-new-contacts"),
            values: counts(weekly.iter().map(|week| week.new_contacts)),
        },
        Series {
            label: tr.t("dashboard-trend-switches"),
            values: counts(weekly.iter().map(|week| week.switches)),
        },
    ];
    let caption = tr.t("dashboard-mobility-trend");
    let summary = tr.t("dashboard-mobility-trend-summary");
    let svg = charts::lines("mobility-chart", &caption, &summary, &weeks, &series, 0);
    series_figure(tr, "mobility", caption, svg, &weeks, &series, 0)
}

fn communication_figure(tr: &Tr, report: &SpaceReport) -> Figure {
    let weeks = week_labels(report);
    let to_percent = |value: Option<f64>| value.map(|value| value * 100.0);
    let series = vec![Series {
        label: tr.t("dashboard-trend-response-rate"),
        values: report
            .weekly
            .iter()
            .map(|week| to_percent(week.response.response_rate))
            .collect(),
    }];
    let caption = tr.t("dashboard-communication-trend");
    let summary = tr.t("dashboard-communication-trend-summary");
    let svg = charts::lines(
        "communication-chart",
        &caption,
        &summary,
        &weeks,
        &series,
        1,
    );
    let mut figure = series_figure(tr, "communication", caption, svg, &weeks, &series, 1);
    figure.columns.push(tr.t("dashboard-questions"));
    figure.columns.push(tr.t("dashboard-first-reply"));
    for (row, week) in figure.rows.iter_mut().zip(&report.weekly) {
        row.push(week.response.questions.to_string());
        row.push(duration(tr, week.response.median_first_reply_secs));
    }
    figure
}

fn network_figure(tr: &Tr, report: &SpaceReport) -> Figure {
    // Students are placed by their first team table, so that teams sit together on the
    // circle, and isolated students come last.
    let mut team_of: BTreeMap<i64, i64> = BTreeMap::new();
    for membership in &report.teams {
        team_of
            .entry(membership.user_id)
            .or_insert(membership.room_id);
    }
    let mut nodes: Vec<Node> = report
        .communication
        .students
        .iter()
        .map(|student| Node {
            user_id: student.user_id,
            label: name_of(tr, report, student.user_id),
            degree: student.degree,
        })
        .collect();
    nodes.sort_by_key(|node| {
        let team = team_of.get(&node.user_id).copied().unwrap_or(i64::MAX);
        (node.degree == 0, team, node.user_id)
    });

    // The strongest pairs first; equal ones by user ids, so the order is stable.
    let mut strongest: Vec<&Edge> = report.edges.iter().collect();
    strongest.sort_by(|a, b| {
        b.interactions
            .cmp(&a.interactions)
            .then((a.a, a.b).cmp(&(b.a, b.b)))
    });
    let edges: Vec<(i64, i64, usize)> = strongest
        .iter()
        .take(MAX_DRAWN_PAIRS)
        .map(|edge| (edge.a, edge.b, edge.interactions))
        .collect();

    let caption = tr.t("dashboard-network");
    let summary = tr.with_args(
        "dashboard-network-summary",
        &[
            ("students", nodes.len().to_string()),
            ("pairs", report.edges.len().to_string()),
            ("drawn", edges.len().to_string()),
            (
                "isolated",
                report.communication.space.isolated.len().to_string(),
            ),
        ],
    );
    let svg = charts::network("network-chart", &caption, &summary, &nodes, &edges);

    let columns = vec![
        tr.t("dashboard-student"),
        tr.t("dashboard-student"),
        tr.t("dashboard-interactions"),
    ];
    let rows = strongest
        .iter()
        .take(MAX_LISTED_PAIRS)
        .map(|edge| {
            vec![
                name_of(tr, report, edge.a),
                name_of(tr, report, edge.b),
                edge.interactions.to_string(),
            ]
        })
        .collect();
    Figure {
        id: "network".into(),
        caption,
        svg,
        columns,
        rows,
    }
}

fn definitions(tr: &Tr, ids: &[&str]) -> Vec<(String, String)> {
    ids.iter()
        .map(|id| {
            (
                tr.t(&format!("dashboard-term-{id}")),
                tr.t(&format!("dashboard-def-{id}")),
            )
        })
        .collect()
}

fn student_lines(tr: &Tr, report: &SpaceReport) -> Vec<StudentLine> {
    report
        .mobility
        .students
        .iter()
        .zip(&report.communication.students)
        .map(|(mobility, communication)| StudentLine {
            user_id: mobility.user_id,
            name: name_of(tr, report, mobility.user_id),
            cells: vec![
                number(mobility.index, 3),
                percent(Some(mobility.room_coverage)),
                percent(mobility.contact_reach),
                percent(Some(mobility.active_week_share)),
                communication.degree.to_string(),
                number(communication.eigenvector_centrality, 3),
                percent(communication.reciprocity),
                communication.response.questions.to_string(),
                percent(communication.response.response_rate),
            ],
        })
        .collect()
}

/// Returns one row per room with threads or interactions: its name and communication
/// measures.
fn room_lines(tr: &Tr, report: &SpaceReport) -> Vec<Vec<String>> {
    report
        .communication
        .rooms
        .iter()
        .map(|summary| {
            let room = summary
                .room_id
                .and_then(|id| report.rooms.iter().find(|room| room.id == id));
            let name = room.map_or_else(|| "—".to_string(), |room| room.name.clone());
            vec![
                name,
                summary.response.questions.to_string(),
                percent(summary.response.response_rate),
                duration(tr, summary.response.median_first_reply_secs),
                optional(summary.response.replies_per_thread, 2),
                number(summary.density, 3),
                percent(summary.reciprocity),
            ]
        })
        .collect()
}

fn attention_lines(tr: &Tr, report: &SpaceReport) -> Vec<AttentionLine> {
    report
        .attention
        .iter()
        .map(|entry| {
            let mut reasons = Vec::new();
            if entry.isolated {
                reasons.push(tr.t("dashboard-reason-isolated"));
            }
            if entry.inactive {
                reasons.push(match entry.last_active_at {
                    Some(at) => tr.with_args(
                        "dashboard-reason-inactive-since",
                        &[("date", date_text(at))],
                    ),
                    None => tr.t("dashboard-reason-never-active"),
                });
            }
            if entry.unanswered_help > 0 {
                reasons.push(tr.count(
                    "dashboard-reason-unanswered-help",
                    entry.unanswered_help as i64,
                ));
            }
            AttentionLine {
                name: name_of(tr, report, entry.user_id),
                reasons,
            }
        })
        .collect()
}

/// Returns a line per questionnaire that is not a draft, and the pre and post
/// comparison of every `post` questionnaire whose `pre` questionnaire is listed too.
async fn questionnaire_lines(
    state: &AppState,
    tr: &Tr,
    space_id: i64,
) -> Result<(Vec<QuestionnaireLine>, Vec<WaveComparisonLine>), AppError> {
    let mut lines = Vec::new();
    let mut loaded = HashMap::new();
    let mut posts = Vec::new();
    for questionnaire in state.store.questionnaires(space_id).await? {
        if questionnaire.status == "draft" {
            continue;
        }
        let id = questionnaire.id;
        let items = state.store.questionnaire_items(space_id, id).await?;
        let answers = state.store.questionnaire_answers(space_id, id).await?;
        let respondents = state.store.respondent_count(space_id, id).await?;
        let result = wave_result(
            &questionnaire,
            respondents,
            &items,
            &answers,
            IndexSettings::default(),
        );
        let indices = result
            .items
            .iter()
            .filter_map(|item| {
                let index = item.index.as_ref()?;
                Some(tr.with_args(
                    "dashboard-questionnaire-index",
                    &[
                        ("number", (item.position + 1).to_string()),
                        ("value", optional(index.value, 3)),
                        ("n", index.denominator.to_string()),
                    ],
                ))
            })
            .collect();
        if let (Some("post"), Some(pre_id)) = (questionnaire.wave.as_deref(), questionnaire.pre_id)
        {
            posts.push((id, pre_id));
        }
        loaded.insert(id, (items, answers));
        lines.push(QuestionnaireLine {
            id,
            title: questionnaire.title,
            wave: questionnaire
                .wave
                .map(|wave| tr.t(&format!("questionnaires-wave-{wave}")))
                .unwrap_or_default(),
            status: tr.t(&format!("questionnaires-status-{}", questionnaire.status)),
            respondents,
            indices,
        });
    }
    let mut comparisons = Vec::new();
    for (post_id, pre_id) in posts {
        let (Some(pre), Some(post)) = (loaded.get(&pre_id), loaded.get(&post_id)) else {
            continue;
        };
        let comparison = compare_waves(pre.into(), post.into());
        let title = lines
            .iter()
            .find(|line| line.id == post_id)
            .map(|line| line.title.clone())
            .unwrap_or_default();
        comparisons.push(WaveComparisonLine {
            id: post_id,
            title,
            comparisons: report_comparisons(tr, comparison),
        });
    }
    Ok((lines, comparisons))
}

async fn teacher_page(
    state: &AppState,
    tr: Tr,
    space_id: i64,
    token: String,
    report: &SpaceReport,
) -> Result<String, AppError> {
    let space = &report.communication.space;
    let active = report
        .mobility
        .students
        .iter()
        .filter(|student| student.active_week_share > 0.0)
        .count();
    let summary = vec![
        (
            tr.t("dashboard-students"),
            report.students.len().to_string(),
        ),
        (tr.t("dashboard-active-students"), active.to_string()),
        (
            tr.t("dashboard-term-mobility-index"),
            optional(report.mobility.mean_index, 3),
        ),
        (
            tr.t("dashboard-term-response-rate"),
            percent(space.response.response_rate),
        ),
        (
            tr.t("dashboard-term-first-reply"),
            duration(&tr, space.response.median_first_reply_secs),
        ),
        (tr.t("dashboard-term-density"), number(space.density, 3)),
        (
            tr.t("dashboard-term-reciprocity"),
            percent(space.reciprocity),
        ),
        (
            tr.t("dashboard-term-isolated"),
            space.isolated.len().to_string(),
        ),
    ];
    let student_columns = [
        "dashboard-student",
        "dashboard-term-mobility-index",
        "dashboard-room-coverage",
        "dashboard-contact-reach",
        "dashboard-active-weeks",
        "dashboard-degree",
        "dashboard-term-eigenvector",
        "dashboard-term-reciprocity",
        "dashboard-questions",
        "dashboard-term-response-rate",
    ]
    .iter()
    .map(|id| tr.t(id))
    .collect();
    let (questionnaires, comparisons) = questionnaire_lines(state, &tr, space_id).await?;
    let page = TeacherPage {
        from: date_text(report.window.from),
        until: date_text(report.window.until - 1),
        window_text: window_text(&tr, report),
        summary,
        figures: vec![
            activity_figure(&tr, report),
            mobility_figure(&tr, report),
            communication_figure(&tr, report),
        ],
        network: network_figure(&tr, report),
        student_columns,
        students: student_lines(&tr, report),
        room_columns: [
            "dashboard-room",
            "dashboard-questions",
            "dashboard-term-response-rate",
            "dashboard-first-reply",
            "dashboard-replies-per-thread",
            "dashboard-term-density",
            "dashboard-term-reciprocity",
        ]
        .iter()
        .map(|id| tr.t(id))
        .collect(),
        rooms: room_lines(&tr, report),
        attention: attention_lines(&tr, report),
        questionnaires,
        comparisons,
        definitions: definitions(
            &tr,
            &[
                "mobility-index",
                "response-rate",
                "first-reply",
                "density",
                "reciprocity",
                "eigenvector",
                "isolated",
                "inactive",
            ],
        ),
        space_id,
        token,
        tr,
    };
    render(&page)
}

/// Counts of the student's own actions in the window, by kind, in page order.
const CONTRIBUTION_KINDS: [&str; 9] = [
    "message",
    "reply",
    "reaction",
    "help_request",
    "help_given",
    "showcase_item",
    "feedback",
    "focus_completed",
    "questionnaire_answered",
];

async fn student_page(
    state: &AppState,
    tr: Tr,
    who: &Participant,
    token: String,
    report: &SpaceReport,
    now: i64,
) -> Result<String, AppError> {
    let space_id = who.space_id;
    let Some(user_id) = who.user_id else {
        return Err(AppError::forbidden("error-dashboard-no-user"));
    };
    let (rule, stored) = state.grading.rule(space_id, now).await?;
    let rows = state
        .store
        .contributions(space_id, stored.starts_at)
        .await?;
    let awarded: f64 = state
        .store
        .awards(space_id)
        .await?
        .iter()
        .filter(|award| award.user_id == user_id)
        .map(|award| award.points)
        .sum();
    let weeks =
        usize::try_from(crate::grading::rule::weeks_elapsed(stored.starts_at, now)).unwrap_or(1);
    let weekly = rule.weekly_points(user_id, &rows, stored.starts_at, weeks);
    let earned = rule.earned_points(user_id, &rows, stored.starts_at);
    let outcome = rule.grade(earned, awarded, stored.starts_at, now);
    let this_week = weekly.last().copied().unwrap_or(0.0);

    let progress_caption = tr.t("dashboard-progress");
    let progress_text = tr.with_args(
        "dashboard-progress-text",
        &[
            ("points", number(this_week, 2)),
            ("target", number(rule.weekly_target, 2)),
        ],
    );
    let progress_svg = charts::progress(
        "progress-chart",
        &progress_caption,
        &progress_text,
        this_week,
        rule.weekly_target,
    );
    let week_labels: Vec<String> = (1..=weeks).map(|week| week.to_string()).collect();
    let series = vec![Series {
        label: tr.t("dashboard-points"),
        values: weekly.iter().map(|points| Some(*points)).collect(),
    }];
    let caption = tr.t("dashboard-points-by-week");
    let summary = tr.with_args(
        "dashboard-points-summary",
        &[("target", number(rule.weekly_target, 2))],
    );
    let svg = charts::stacked_bars("points-chart", &caption, &summary, &week_labels, &series, 2);
    let points = series_figure(&tr, "points", caption, svg, &week_labels, &series, 2);

    let own_actions = report.actions.get(&user_id);
    let contributions = CONTRIBUTION_KINDS
        .iter()
        .map(|kind| {
            let count = own_actions
                .and_then(|kinds| kinds.get(*kind))
                .copied()
                .unwrap_or(0);
            (tr.t(&format!("dashboard-kind-{kind}")), count)
        })
        .collect();
    let own_rows = report
        .communication
        .students
        .iter()
        .find(|student| student.user_id == user_id);

    let mut partners: Vec<(String, usize)> = report
        .edges
        .iter()
        .filter_map(|edge| {
            let other = if edge.a == user_id {
                edge.b
            } else if edge.b == user_id {
                edge.a
            } else {
                return None;
            };
            Some((name_of(&tr, report, other), edge.interactions))
        })
        .collect();
    partners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    let mut mobility = Vec::new();
    if let Some(own) = report
        .mobility
        .students
        .iter()
        .find(|student| student.user_id == user_id)
    {
        mobility.push((tr.t("dashboard-term-mobility-index"), number(own.index, 3)));
        mobility.push((
            tr.t("dashboard-room-coverage"),
            percent(Some(own.room_coverage)),
        ));
        mobility.push((tr.t("dashboard-contact-reach"), percent(own.contact_reach)));
        mobility.push((
            tr.t("dashboard-active-weeks"),
            percent(Some(own.active_week_share)),
        ));
    }
    if let Some(own) = own_rows {
        mobility.push((
            tr.t("dashboard-term-response-rate"),
            percent(own.response.response_rate),
        ));
    }
    let summary = vec![
        (
            tr.t("dashboard-points-total"),
            number(outcome.earned + outcome.awarded, 2),
        ),
        (tr.t("dashboard-points-awarded"), number(outcome.awarded, 2)),
        (tr.t("dashboard-grade"), percent(Some(outcome.fraction))),
        (tr.t("dashboard-weeks"), outcome.weeks.to_string()),
    ];
    let page = StudentPage {
        from: date_text(report.window.from),
        until: date_text(report.window.until - 1),
        window_text: window_text(&tr, report),
        summary,
        progress_svg,
        progress_text,
        points,
        contributions,
        partners,
        mobility,
        definitions: definitions(&tr, &["mobility-index", "response-rate"]),
        space_id,
        token,
        tr,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::report::SpaceRows;
    use crate::i18n::Lang;
    use crate::store::analytics::AnalyticsMember;
    use crate::store::chat::Interaction;

    /// Twelve students who all replied to each other once: 66 pairs.
    fn everyone_talks() -> SpaceReport {
        let members: Vec<AnalyticsMember> = (1..=12)
            .map(|user_id| AnalyticsMember {
                user_id,
                name: Some(format!("Student {user_id}")),
                role: "student".into(),
            })
            .collect();
        let mut interactions = Vec::new();
        for a in 1..=12 {
            for b in (a + 1)..=12 {
                interactions.push(Interaction {
                    space_id: 1,
                    actor_id: a,
                    target_id: Some(b),
                    room_id: None,
                    kind: "reply".into(),
                    subject_id: None,
                    created_at: 100 + a * 20 + b,
                });
            }
        }
        let rows = SpaceRows {
            members,
            interactions,
            ..SpaceRows::default()
        };
        SpaceReport::compute(
            rows,
            Window {
                from: 0,
                until: WEEK_SECS,
            },
        )
        .unwrap()
    }

    #[test]
    fn network_table_lists_strongest_pairs() {
        let tr = Tr::new(Lang::En);
        let figure = network_figure(&tr, &everyone_talks());
        assert_eq!(figure.rows.len(), MAX_LISTED_PAIRS);
        assert_eq!(
            figure.svg.matches("<line").count(),
            66,
            "every pair is drawn"
        );
        assert!(figure.svg.contains("66 pairs who interacted (66 drawn"));
    }

    #[test]
    fn window_defaults_and_bounds() {
        let none = HashMap::new();
        let window = window_of(&none, 1_000, 5_000).unwrap();
        assert_eq!(
            window,
            Window {
                from: 1_000,
                until: 5_001
            }
        );
        let query: HashMap<String, String> = [("from", "2026-09-01"), ("until", "2026-09-01")]
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let day = window_of(&query, 0, 0).unwrap();
        assert_eq!(
            day.until - day.from,
            DAY_SECS,
            "one day, both ends included"
        );
    }
}
