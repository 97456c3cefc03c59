//! The showcase pages: the list with the publish form, and one item with its comments,
//! reactions and feedback.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::{file_type, find_item, load_details, ItemDetails};
use crate::app::AppState;
use crate::chat::protocol::REACTIONS;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Tr;
use crate::session::TOKEN_PARAM;
use crate::store::SessionView;
use crate::web::rooms::participant;
use crate::web::space::authenticate;

/// A time for a `<time>` element: ISO 8601 for the browser, which shows it in the
/// person's time zone, and a UTC text for browsers without JavaScript.
pub struct LocalTime {
    pub iso: String,
    pub fallback: String,
}

impl LocalTime {
    pub fn of(unix: i64) -> Self {
        let moment = time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let iso = moment
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let fallback = moment
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        Self { iso, fallback }
    }
}

/// Authenticates a page request by the `lt` parameter or the cookie, and issues a fresh
/// token for the page's links.
pub(crate) async fn page_session(
    state: &AppState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    space_id: i64,
) -> Result<(SessionView, String), AppError> {
    let token = query.get(TOKEN_PARAM).map(String::as_str);
    let view = authenticate(state, headers, token, space_id).await?;
    let token = state
        .session_key
        .issue(&view.session_id, space_id, view.expires_at);
    Ok((view, token))
}

fn render(page: &impl Template, name: &str) -> Result<Response, AppError> {
    let html = page
        .render()
        .map_err(|error| AppError::Internal(format!("{name} page failed to render: {error}")))?;
    Ok(Html(html).into_response())
}

fn display_name(tr: &Tr, name: Option<String>) -> String {
    name.unwrap_or_else(|| tr.t("showcase-unnamed"))
}

/// "512 bytes", "12 KiB", "2.4 MiB", "10 MiB".
fn size_text(tr: &Tr, bytes: i64) -> String {
    const KIB: i64 = 1024;
    const MIB: i64 = 1024 * 1024;
    if bytes < KIB {
        tr.count("showcase-size-bytes", bytes)
    } else if bytes < MIB {
        tr.t1("showcase-size-kib", "size", format!("{}", bytes / KIB))
    } else if bytes % MIB == 0 {
        tr.t1("showcase-size-mib", "size", format!("{}", bytes / MIB))
    } else {
        tr.t1(
            "showcase-size-mib",
            "size",
            format!("{:.1}", bytes as f64 / MIB as f64),
        )
    }
}

struct ItemRow {
    id: i64,
    title: String,
    author: String,
    created: LocalTime,
    featured: bool,
    /// The link's host or the file's name and size.
    attachment: String,
    activity: String,
}

#[derive(Template)]
#[template(path = "showcase.html")]
struct ListPage {
    tr: Tr,
    space_id: i64,
    token: String,
    course_title: String,
    can_publish: bool,
    /// Accepted extensions for the file input's `accept` attribute.
    accept: String,
    /// The file size limit in bytes, so the script can reject a large file before sending it.
    max_bytes: u64,
    limit_text: String,
    items: Vec<ItemRow>,
    strings_json: String,
}

pub async fn list_page(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let items = state.store.showcase_items(space_id).await?;
        let rows = items
            .into_iter()
            .map(|item| {
                let attachment = match (&item.link_url, &item.file_name) {
                    (Some(link), _) => url::Url::parse(link)
                        .ok()
                        .and_then(|url| url.host_str().map(str::to_string))
                        .unwrap_or_else(|| link.clone()),
                    (None, Some(name)) => format!(
                        "{name} · {}",
                        size_text(&tr, item.file_size.unwrap_or_default())
                    ),
                    (None, None) => String::new(),
                };
                let activity = [
                    tr.count("showcase-comment-count", item.comment_count),
                    tr.count("showcase-reaction-count", item.reaction_count),
                    tr.count("showcase-feedback-count", item.feedback_count),
                ]
                .join(" · ");
                ItemRow {
                    id: item.id,
                    title: item.title,
                    author: display_name(&tr, item.author_name),
                    created: LocalTime::of(item.created_at),
                    featured: item.featured_at.is_some(),
                    attachment,
                    activity,
                }
            })
            .collect();
        let max_bytes = state.config.upload_max_bytes;
        let page = ListPage {
            tr,
            space_id,
            token,
            course_title: view
                .context_title
                .clone()
                .unwrap_or_else(|| tr.t("space-default-course")),
            can_publish: view.user_id.is_some(),
            accept: file_type::accepted_extensions(),
            max_bytes,
            limit_text: size_text(&tr, max_bytes as i64),
            items: rows,
            strings_json: tr.script_strings(),
        };
        render(&page, "showcase")
    };
    run.await.map_err(|error| error.respond(&headers))
}

struct ReactionButton {
    emoji: &'static str,
    count: usize,
    mine: bool,
    /// The accessible name, such as "React with 👍".
    label: String,
}

struct CommentRow {
    author: String,
    created: LocalTime,
    body_html: String,
}

struct FeedbackRow {
    giver: String,
    updated: LocalTime,
    clarity: i64,
    originality: i64,
    usefulness: i64,
    works: String,
    improve: String,
}

/// One scored criterion of the feedback form.
struct Criterion {
    key: &'static str,
    label: String,
    hint: String,
    /// The person's current score, 0 when none.
    value: i64,
    /// The average over all feedback, as text, or empty.
    average: String,
}

#[derive(Template)]
#[template(path = "showcase_item.html")]
struct ItemPage {
    tr: Tr,
    space_id: i64,
    token: String,
    course_title: String,
    item_id: i64,
    title: String,
    author: String,
    created: LocalTime,
    featured: bool,
    /// Sanitized by `chat::markdown::render`.
    description_html: String,
    link: String,
    file_name: String,
    file_size: String,
    can_write: bool,
    can_moderate: bool,
    is_author: bool,
    reactions: Vec<ReactionButton>,
    comments: Vec<CommentRow>,
    feedback_count: String,
    criteria: Vec<Criterion>,
    feedback: Vec<FeedbackRow>,
    can_give_feedback: bool,
    has_my_feedback: bool,
    my_works: String,
    my_improve: String,
    strings_json: String,
}

pub async fn item_page(
    State(state): State<AppState>,
    Path((space_id, item_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let (view, token) = page_session(&state, &headers, &query, space_id).await?;
        let tr = Tr::for_locale(view.locale.as_deref());
        let course_title = view
            .context_title
            .clone()
            .unwrap_or_else(|| tr.t("space-default-course"));
        let person = participant(space_id, view);
        let item = find_item(&state, space_id, item_id).await?;
        let details = load_details(&state, &person, item).await?;
        let page = item_page_of(tr, space_id, token, course_title, person.user_id, details);
        render(&page, "showcase item")
    };
    run.await.map_err(|error| error.respond(&headers))
}

fn item_page_of(
    tr: Tr,
    space_id: i64,
    token: String,
    course_title: String,
    user_id: Option<i64>,
    details: ItemDetails,
) -> ItemPage {
    let ItemDetails {
        item,
        reactions,
        comments,
        feedback_summary,
        feedback,
        my_feedback,
        can_give_feedback,
        can_moderate,
    } = details;
    let reactions = REACTIONS
        .iter()
        .map(|emoji| {
            let users = reactions
                .iter()
                .find(|reaction| reaction.emoji == *emoji)
                .map(|reaction| reaction.user_ids.as_slice())
                .unwrap_or_default();
            ReactionButton {
                emoji,
                label: tr.t1("showcase-react-with", "emoji", *emoji),
                count: users.len(),
                mine: user_id.is_some_and(|id| users.contains(&id)),
            }
        })
        .collect();
    let average = |value: Option<f64>| value.map(|v| format!("{v:.1}")).unwrap_or_default();
    let mine = my_feedback.as_ref();
    let criterion = |key: &'static str, value: Option<i64>, mean: Option<f64>| Criterion {
        key,
        label: tr.t(&format!("showcase-criterion-{key}")),
        hint: tr.t(&format!("showcase-criterion-{key}-hint")),
        value: value.unwrap_or(0),
        average: average(mean),
    };
    let criteria = vec![
        criterion("clarity", mine.map(|f| f.clarity), feedback_summary.clarity),
        criterion(
            "originality",
            mine.map(|f| f.originality),
            feedback_summary.originality,
        ),
        criterion(
            "usefulness",
            mine.map(|f| f.usefulness),
            feedback_summary.usefulness,
        ),
    ];
    ItemPage {
        space_id,
        token,
        course_title,
        item_id: item.id,
        title: item.title,
        author: display_name(&tr, item.author_name),
        created: LocalTime::of(item.created_at),
        featured: item.featured_at.is_some(),
        description_html: item.description_html,
        link: item.link_url.unwrap_or_default(),
        file_name: item.file_name.unwrap_or_default(),
        file_size: size_text(&tr, item.file_size.unwrap_or_default()),
        can_write: user_id.is_some(),
        can_moderate,
        is_author: user_id == Some(item.author_id),
        reactions,
        comments: comments
            .into_iter()
            .map(|comment| CommentRow {
                author: display_name(&tr, comment.author_name),
                created: LocalTime::of(comment.created_at),
                body_html: comment.body_html,
            })
            .collect(),
        feedback_count: tr.count("showcase-feedback-count", feedback_summary.count as i64),
        criteria,
        feedback: feedback
            .into_iter()
            .map(|entry| FeedbackRow {
                giver: display_name(&tr, entry.giver_name),
                updated: LocalTime::of(entry.updated_at),
                clarity: entry.clarity,
                originality: entry.originality,
                usefulness: entry.usefulness,
                works: entry.works,
                improve: entry.improve,
            })
            .collect(),
        can_give_feedback,
        has_my_feedback: my_feedback.is_some(),
        my_works: my_feedback
            .as_ref()
            .map(|f| f.works.clone())
            .unwrap_or_default(),
        my_improve: my_feedback.map(|f| f.improve).unwrap_or_default(),
        strings_json: tr.script_strings(),
        tr,
    }
}
