//! Teacher-only exports of a space's tables as CSV and JSON, the column dictionary, and
//! the export page that lists both. Reads take the session token in the `lt` parameter,
//! as the other pages' links do.
//!
//! The window is `[from, until)`. Each bound is Unix seconds or a UTC date
//! (`YYYY-MM-DD`): `from` as a date starts at its midnight and `until` as a date includes
//! that whole day. Without `from` the window starts when the space was created, without
//! `until` it ends now.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::analytics::report::{midnight_utc, ReportError, SpaceReport};
use crate::app::AppState;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::export::dictionary::{self, TableSpec, TABLES};
use crate::export::tables::{self, QuestionnaireRows};
use crate::export::{Table, Window};
use crate::i18n::{Msg, Tr};
use crate::unix_now;
use crate::web::rooms::{participant, reader};
use crate::web::showcase::page_session;

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;
/// Maximum window length in weeks (about ten years), which bounds the weeks table.
const MAX_WINDOW_WEEKS: i64 = 520;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

pub fn router() -> Router<AppState> {
    use Format::{Csv, Json};
    Router::new()
        .route("/spaces/{space_id}/export", get(export_page))
        .route(
            "/spaces/{space_id}/export/dictionary.json",
            get(dictionary_json),
        )
        .route(
            "/spaces/{space_id}/export/students.csv",
            download("students", Csv),
        )
        .route(
            "/spaces/{space_id}/export/students.json",
            download("students", Json),
        )
        .route(
            "/spaces/{space_id}/export/weeks.csv",
            download("weeks", Csv),
        )
        .route(
            "/spaces/{space_id}/export/weeks.json",
            download("weeks", Json),
        )
        .route(
            "/spaces/{space_id}/export/answers.csv",
            download("answers", Csv),
        )
        .route(
            "/spaces/{space_id}/export/answers.json",
            download("answers", Json),
        )
        .route(
            "/spaces/{space_id}/export/edges.csv",
            download("edges", Csv),
        )
        .route(
            "/spaces/{space_id}/export/edges.json",
            download("edges", Json),
        )
        .route(
            "/spaces/{space_id}/export/members.csv",
            download("members", Csv),
        )
        .route(
            "/spaces/{space_id}/export/members.json",
            download("members", Json),
        )
        .route(
            "/spaces/{space_id}/export/rooms.csv",
            download("rooms", Csv),
        )
        .route(
            "/spaces/{space_id}/export/rooms.json",
            download("rooms", Json),
        )
}

fn download(table: &'static str, format: Format) -> axum::routing::MethodRouter<AppState> {
    get(
        move |state: State<AppState>,
              path: Path<i64>,
              query: Query<HashMap<String, String>>,
              headers: HeaderMap| export_table(state, path, query, headers, table, format),
    )
}

fn require_teacher(who: &Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-export-teachers-only")),
    }
}

/// Parses one window bound. A date is midnight UTC, or the next midnight when `end_of_day`.
fn parse_bound(field: &str, value: &str, end_of_day: bool) -> Result<i64, AppError> {
    let invalid = || {
        AppError::invalid(
            Msg::new("error-export-window-value")
                .arg("field", field)
                .arg("value", format!("{value:?}")),
        )
    };
    let value = value.trim();
    if let Ok(seconds) = value.parse::<i64>() {
        return if seconds >= 0 {
            Ok(seconds)
        } else {
            Err(invalid())
        };
    }
    let midnight = midnight_utc(value).ok_or_else(invalid)?;
    if end_of_day {
        Ok(midnight + SECONDS_PER_DAY)
    } else {
        Ok(midnight)
    }
}

/// Returns the window of the query's `from` and `until`, with the space's life as the
/// default.
async fn window_of(
    state: &AppState,
    space_id: i64,
    query: &HashMap<String, String>,
) -> Result<Window, AppError> {
    let given = |name: &str| query.get(name).filter(|value| !value.trim().is_empty());
    let from = match given("from") {
        Some(value) => parse_bound("from", value, false)?,
        None => state
            .store
            .space_created_at(space_id)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    let until = match given("until") {
        Some(value) => parse_bound("until", value, true)?,
        // Rows stored in the current second still count.
        None => unix_now() + 1,
    };
    if from >= until {
        return Err(AppError::invalid(
            Msg::new("error-export-window-order")
                .arg("from", from.to_string())
                .arg("until", until.to_string()),
        ));
    }
    if until - from > MAX_WINDOW_WEEKS * crate::analytics::mobility::WEEK_SECS {
        return Err(AppError::invalid(
            Msg::new("error-export-window-long").arg("weeks", MAX_WINDOW_WEEKS),
        ));
    }
    Ok(Window { from, until })
}

/// Loads and fills one table.
async fn build_table(
    state: &AppState,
    space_id: i64,
    spec: &'static TableSpec,
    window: Window,
) -> Result<Table, AppError> {
    let store = &state.store;
    let table = match spec.name {
        "members" => tables::members_table(&store.analytics_members(space_id).await?),
        "edges" => tables::edges_table(
            &store
                .interaction_edges(space_id, window.from, window.until)
                .await?,
        ),
        "answers" => {
            let questionnaires = QuestionnaireRows::load_all(store, space_id).await?;
            let members = store.analytics_members(space_id).await?;
            tables::answers_table(&questionnaires, &members)
        }
        _ => {
            let report =
                match SpaceReport::load(&state.activity, store.as_ref(), space_id, window).await {
                    Ok(report) => report,
                    Err(ReportError::Store(error)) => return Err(AppError::Storage(error)),
                    Err(error) => {
                        let name = spec.name;
                        return Err(AppError::Internal(format!("export of {name}: {error}")));
                    }
                };
            match spec.name {
                "students" => {
                    let points: HashMap<i64, f64> = state
                        .grading
                        .preview(space_id, unix_now())
                        .await?
                        .iter()
                        .map(|person| {
                            let outcome = &person.outcome;
                            (person.member.user_id, outcome.earned + outcome.awarded)
                        })
                        .collect();
                    tables::students_table(&report, &points)
                }
                "weeks" => tables::weeks_table(&report),
                "rooms" => tables::rooms_table(&report),
                other => return Err(AppError::Internal(format!("no export table {other}"))),
            }
        }
    };
    Ok(table)
}

async fn export_table(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    name: &'static str,
    format: Format,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let actor = require_teacher(&reader(&state, &headers, &query, space_id).await?)?;
        let spec = dictionary::table(name)
            .ok_or_else(|| AppError::Internal(format!("no export table {name}")))?;
        let window = window_of(&state, space_id, &query).await?;
        let table = build_table(&state, space_id, spec, window).await?;
        let file_name = file_name(space_id, spec, window, format);
        // Exports carry personal data, so each download is in the space's audit log.
        state
            .store
            .audit(space_id, actor, "export.download", &file_name, unix_now())
            .await?;
        let disposition = format!("attachment; filename=\"{file_name}\"");
        let response = match format {
            Format::Csv => {
                let body = table
                    .to_csv()
                    .map_err(|error| AppError::Internal(format!("CSV of {name}: {error}")))?;
                (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                        (header::CONTENT_DISPOSITION, disposition),
                    ],
                    body,
                )
                    .into_response()
            }
            Format::Json => (
                [(header::CONTENT_DISPOSITION, disposition)],
                Json(table.to_json(window)),
            )
                .into_response(),
        };
        Ok::<_, AppError>(response)
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Returns a file name such as `cowork-space-7-students-2026-03-01-2026-04-01.csv`: the
/// window's dates are UTC, and `until` names the day that contains its last second.
fn file_name(space_id: i64, spec: &TableSpec, window: Window, format: Format) -> String {
    let date = |seconds: i64| {
        chrono::DateTime::from_timestamp(seconds, 0)
            .map(|time| time.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| seconds.to_string())
    };
    let extension = match format {
        Format::Csv => "csv",
        Format::Json => "json",
    };
    let name = spec.name;
    if spec.windowed {
        let (from, until) = (date(window.from), date(window.until - 1));
        format!("cowork-space-{space_id}-{name}-{from}-{until}.{extension}")
    } else {
        format!("cowork-space-{space_id}-{name}.{extension}")
    }
}

async fn dictionary_json(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ErrorResponse> {
    let run = async {
        require_teacher(&reader(&state, &headers, &query, space_id).await?)?;
        Ok::<_, AppError>(Json(json!({ "tables": TABLES })))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// A column as the export page describes it, in the page's language.
struct PageColumn {
    name: &'static str,
    kind: String,
    unit: String,
    definition: String,
}

/// A table as the export page lists it.
struct PageTable {
    name: &'static str,
    title: String,
    row: String,
    windowed: bool,
    csv_url: String,
    json_url: String,
    columns: Vec<PageColumn>,
}

/// Returns the message id of a unit: `export-unit-` and the unit in lower case with
/// every run of other characters than letters and digits as one `-`.
fn unit_id(unit: &str) -> String {
    let mut slug = String::new();
    for character in unit.to_lowercase().chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("export-unit-{}", slug.trim_end_matches('-'))
}

/// Describes a table's columns in the language of `tr`. The English catalog repeats the
/// dictionary in code, and `english_catalog_matches_code` keeps the two equal.
fn page_columns(tr: &Tr, spec: &TableSpec) -> Vec<PageColumn> {
    spec.columns
        .iter()
        .map(|column| {
            let kind = column.kind.name();
            let definition_id = format!("export-def-{}-{}", spec.name, column.name);
            PageColumn {
                name: column.name,
                kind: tr.t(&format!("export-type-{kind}")),
                unit: if column.unit.is_empty() {
                    String::new()
                } else {
                    tr.t(&unit_id(column.unit))
                },
                definition: tr.t(&definition_id),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    tr: Tr,
    space_id: i64,
    token: String,
    from: String,
    until: String,
    window_text: String,
    tables: Vec<PageTable>,
}

fn date_text(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Encodes a query parameter value for a link.
fn query_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn export_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        require_teacher(&participant(space_id, view))?;
        let window = window_of(&state, space_id, &query).await?;
        let given = |name: &str| query.get(name).map(|value| value.trim().to_string());
        let (from, until) = (
            given("from").unwrap_or_default(),
            given("until").unwrap_or_default(),
        );
        let mut window_query = String::new();
        for (name, value) in [("from", &from), ("until", &until)] {
            if !value.is_empty() {
                window_query.push_str(&format!("&{name}={}", query_value(value)));
            }
        }
        let tables = TABLES
            .iter()
            .map(|spec| {
                let base = format!("/spaces/{space_id}/export/{}", spec.name);
                let window_query = if spec.windowed {
                    window_query.as_str()
                } else {
                    ""
                };
                PageTable {
                    name: spec.name,
                    title: tr.t(&format!("export-table-{}", spec.name)),
                    row: tr.t(&format!("export-row-{}", spec.name)),
                    windowed: spec.windowed,
                    csv_url: format!("{base}.csv?lt={token}{window_query}"),
                    json_url: format!("{base}.json?lt={token}{window_query}"),
                    columns: page_columns(&tr, spec),
                }
            })
            .collect();
        let window_text = tr.t1("export-window-now", "from", date_text(window.from));
        let window_text = format!(
            "{window_text} {}",
            tr.t1("export-window-until", "until", date_text(window.until))
        );
        let page = ExportPage {
            tr,
            space_id,
            token,
            from,
            until,
            window_text,
            tables,
        };
        let html = page.render().map_err(|error| {
            AppError::Internal(format!("export page failed to render: {error}"))
        })?;
        Ok::<_, AppError>(Html(html).into_response())
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse_dates_and_seconds() {
        assert_eq!(parse_bound("from", "0", false).unwrap(), 0);
        assert_eq!(
            parse_bound("from", " 1700000000 ", false).unwrap(),
            1_700_000_000
        );
        assert_eq!(
            parse_bound("from", "2026-03-01", false).unwrap(),
            1_772_323_200
        );
        assert_eq!(
            parse_bound("until", "2026-03-01", true).unwrap(),
            1_772_323_200 + SECONDS_PER_DAY
        );
        for bad in ["-1", "2026-02-30", "01.03.2026", "tomorrow", "1e9"] {
            assert!(parse_bound("from", bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn russian_dictionary_complete() {
        let ru = Tr::new(crate::i18n::Lang::Ru);
        for spec in TABLES {
            let row_id = format!("export-row-{}", spec.name);
            assert_ne!(ru.t(&row_id), row_id);
            for column in page_columns(&ru, spec) {
                let what = format!("{} {}", spec.name, column.name);
                assert!(
                    !column.kind.starts_with("export-"),
                    "{what}: {}",
                    column.kind
                );
                assert!(
                    !column.unit.starts_with("export-"),
                    "{what}: {}",
                    column.unit
                );
                assert!(
                    !column.definition.starts_with("export-"),
                    "{what}: {}",
                    column.definition
                );
            }
        }
    }

    #[test]
    fn english_catalog_matches_code() {
        let en = Tr::new(crate::i18n::Lang::En);
        for spec in TABLES {
            assert_eq!(en.t(&format!("export-row-{}", spec.name)), spec.row);
            let columns = page_columns(&en, spec);
            for (page, code) in columns.iter().zip(spec.columns) {
                let what = format!("{} {}", spec.name, code.name);
                assert_eq!(page.kind, code.kind.name(), "{what} type");
                assert_eq!(page.unit, code.unit, "{what} unit");
                assert_eq!(page.definition, code.definition, "{what} definition");
            }
        }
        assert_eq!(unit_id("share 0–1"), "export-unit-share-0-1");
        assert_eq!(unit_id("Unix seconds"), "export-unit-unix-seconds");
    }

    #[test]
    fn file_names_carry_window_dates() {
        let window = Window {
            from: 1_772_323_200,
            until: 1_772_323_200 + 2 * SECONDS_PER_DAY,
        };
        let students = dictionary::table("students").unwrap();
        let members = dictionary::table("members").unwrap();
        assert_eq!(
            file_name(7, students, window, Format::Csv),
            "cowork-space-7-students-2026-03-01-2026-03-02.csv"
        );
        assert_eq!(
            file_name(7, members, window, Format::Json),
            "cowork-space-7-members.json"
        );
    }
}
