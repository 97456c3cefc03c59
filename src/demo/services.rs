//! HTTP endpoints of the demo gradebook, at Moodle 4.2's paths: `/mod/lti/token.php`,
//! `/mod/lti/services.php/{context}/lineitems...` and the course memberships, with
//! Moodle's status codes, media types and error bodies.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::catalog;
use super::gradebook::{Column, Gradebook};
use crate::lti::ags::{MEDIA_LINE_ITEM, MEDIA_LINE_ITEMS, MEDIA_RESULTS, MEDIA_SCORE};
use crate::lti::nrps;
use crate::lti::service_token::{
    SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE,
};

const SERVICES: &str = "/mod/lti/services.php";

pub fn router(gradebook: Arc<Gradebook>) -> Router {
    Router::new()
        .route("/mod/lti/token.php", get(token_get).post(token_post))
        .route(
            "/mod/lti/services.php/{context}/lineitems",
            get(list_columns).post(create_column),
        )
        .route(
            "/mod/lti/services.php/{context}/lineitems/{item}/lineitem",
            get(get_column),
        )
        .route(
            "/mod/lti/services.php/{context}/lineitems/{item}/lineitem/scores",
            axum::routing::post(post_score),
        )
        .route(
            "/mod/lti/services.php/{context}/lineitems/{item}/lineitem/results",
            get(results),
        )
        .route(
            "/mod/lti/services.php/CourseSection/{course}/bindings/{type_id}/memberships",
            get(memberships),
        )
        .with_state(gradebook)
}

/// Builds a token reply: JSON labelled `text/html`, as Moodle 4.2 sends it.
fn token_reply(status: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_string_pretty(body).expect("JSON serializes");
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        text,
    )
        .into_response()
}

async fn token_get() -> Response {
    token_reply(
        StatusCode::BAD_REQUEST,
        &json!({ "error": "invalid_request" }),
    )
}

async fn token_post(
    State(book): State<Arc<Gradebook>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    let form: Option<HashMap<String, String>> =
        form_type.then(|| serde_urlencoded_pairs(&body)).flatten();
    let Some(form) = form else {
        return token_reply(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "invalid_request" }),
        );
    };
    match book.issue_token(&form).await {
        Ok(reply) => token_reply(StatusCode::OK, &reply),
        Err((status, error)) => token_reply(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &json!({ "error": error }),
        ),
    }
}

fn serde_urlencoded_pairs(body: &[u8]) -> Option<HashMap<String, String>> {
    Some(url::form_urlencoded::parse(body).into_owned().collect())
}

/// Moodle's JSON error body for services (401, 404 and "No handler found" 400s).
fn service_error(
    status: u16,
    reason: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let body = json!({
        "status": status,
        "reason": reason,
        "request": {
            "method": method.as_str(),
            "url": uri.to_string(),
            "accept": header_text(header::ACCEPT),
            "contentType": header_text(header::CONTENT_TYPE),
        }
    });
    let text = serde_json::to_string_pretty(&body).expect("JSON serializes");
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        code,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Builds a reply labelled with a service media type, as Moodle sends score replies.
fn typed(status: u16, media: &str, body: String) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        code,
        [(header::CONTENT_TYPE, format!("{media}; charset=utf-8"))],
        body,
    )
        .into_response()
}

/// The request as a service handler needs it.
struct Call {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    query: HashMap<String, String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Call {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        Ok(Call {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
            query,
        })
    }
}

impl Call {
    fn bearer(&self) -> Option<&str> {
        self.headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")
    }

    fn media(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(|value| value.split(';').next().unwrap_or_default().trim())
            .unwrap_or_default()
    }

    fn fail(&self, status: u16, reason: &str) -> Response {
        service_error(status, reason, &self.method, &self.uri, &self.headers)
    }

    /// Moodle first routes on media type (400 "No handler found"), then checks the token.
    fn check(
        &self,
        book: &Gradebook,
        media_ok: bool,
        path: &str,
        scopes: &[&str],
    ) -> Option<Response> {
        if !media_ok {
            // Moodle prints the path, the Accept header of a GET and the content type.
            let accept = if self.method == Method::GET {
                self.media(header::ACCEPT)
            } else {
                ""
            };
            let content_type = self.media(header::CONTENT_TYPE);
            let reason = format!("No handler found for {path} {accept} {content_type}");
            return Some(self.fail(400, &reason));
        }
        let wrong_tool = self
            .query
            .get("type_id")
            .is_some_and(|id| id.parse::<u64>().ok() != Some(book.type_id));
        if wrong_tool || !book.authorized(self.bearer(), scopes) {
            return Some(self.fail(401, "Unauthorized"));
        }
        None
    }
}

/// Converts a number to JSON as Moodle prints it: whole values without a fraction.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn column_json(book: &Gradebook, context: &str, column: &Column) -> Value {
    let mut item = json!({
        "id": line_item_url(book, context, column.id, ""),
        "label": column.label,
        "scoreMaximum": number(column.score_maximum),
    });
    for (name, value) in [
        ("resourceId", &column.resource_id),
        ("tag", &column.tag),
        ("resourceLinkId", &column.resource_link_id),
        ("ltiLinkId", &column.resource_link_id),
    ] {
        if let Some(value) = value {
            item[name] = json!(value);
        }
    }
    item
}

/// Returns the absolute URL of a column, with `suffix` (`/scores`, `/results`) before the query.
pub fn line_item_url(book: &Gradebook, context: &str, id: u64, suffix: &str) -> String {
    format!(
        "{}{SERVICES}/{context}/lineitems/{id}/lineitem{suffix}?type_id={}",
        book.base_url(),
        book.type_id
    )
}

async fn list_columns(
    State(book): State<Arc<Gradebook>>,
    Path(context): Path<String>,
    call: Call,
) -> Response {
    let media_ok = call.media(header::ACCEPT) == MEDIA_LINE_ITEMS;
    let path = format!("/{context}/lineitems");
    if let Some(refusal) = call.check(
        &book,
        media_ok,
        &path,
        &[SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY],
    ) {
        return refusal;
    }
    let items: Vec<Value> = book
        .columns()
        .iter()
        .map(|c| column_json(&book, &context, c))
        .collect();
    typed(200, MEDIA_LINE_ITEMS, Value::Array(items).to_string())
}

async fn create_column(
    State(book): State<Arc<Gradebook>>,
    Path(context): Path<String>,
    call: Call,
    body: Bytes,
) -> Response {
    let media_ok = call.media(header::CONTENT_TYPE) == MEDIA_LINE_ITEM;
    let path = format!("/{context}/lineitems");
    if let Some(refusal) = call.check(&book, media_ok, &path, &[SCOPE_LINEITEM]) {
        return refusal;
    }
    let Ok(item) = serde_json::from_slice::<crate::lti::ags::LineItem>(&body) else {
        return typed(400, MEDIA_LINE_ITEM, "[]".into());
    };
    let column = book.create_column(Column {
        id: 0,
        label: item.label,
        score_maximum: item.score_maximum,
        resource_id: item.resource_id,
        tag: item.tag,
        resource_link_id: item.resource_link_id,
    });
    typed(
        201,
        MEDIA_LINE_ITEM,
        column_json(&book, &context, &column).to_string(),
    )
}

async fn get_column(
    State(book): State<Arc<Gradebook>>,
    Path((context, item)): Path<(String, u64)>,
    call: Call,
) -> Response {
    let media_ok = call.media(header::ACCEPT) == MEDIA_LINE_ITEM;
    let path = format!("/{context}/lineitems/{item}/lineitem");
    if let Some(refusal) = call.check(
        &book,
        media_ok,
        &path,
        &[SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY],
    ) {
        return refusal;
    }
    match book.column(item) {
        Some(column) => typed(
            200,
            MEDIA_LINE_ITEM,
            column_json(&book, &context, &column).to_string(),
        ),
        None => call.fail(404, &format!("Not Found: Grade item {item} doesn't exist")),
    }
}

async fn post_score(
    State(book): State<Arc<Gradebook>>,
    Path((context, item)): Path<(String, u64)>,
    call: Call,
    body: Bytes,
) -> Response {
    let media_ok = call.media(header::CONTENT_TYPE) == MEDIA_SCORE;
    let path = format!("/{context}/lineitems/{item}/lineitem/scores");
    if let Some(refusal) = call.check(&book, media_ok, &path, &[SCOPE_SCORE]) {
        return refusal;
    }
    match book.post_score(item, &body) {
        404 => call.fail(404, &format!("Not Found: Grade item {item} doesn't exist")),
        200 => typed(200, MEDIA_SCORE, String::new()),
        status => typed(status, MEDIA_SCORE, "[]".into()),
    }
}

async fn results(
    State(book): State<Arc<Gradebook>>,
    Path((context, item)): Path<(String, u64)>,
    call: Call,
) -> Response {
    let media_ok = call.media(header::ACCEPT) == MEDIA_RESULTS;
    let path = format!("/{context}/lineitems/{item}/lineitem/results");
    if let Some(refusal) = call.check(&book, media_ok, &path, &[SCOPE_RESULT_READONLY]) {
        return refusal;
    }
    if book.column(item).is_none() {
        return call.fail(404, &format!("Not Found: Grade item {item} doesn't exist"));
    }
    let wanted = call.query.get("user_id");
    let entries: Vec<Value> = book
        .grades()
        .into_iter()
        .filter(|grade| grade.column == item && wanted.is_none_or(|user| *user == grade.user_id))
        .map(|grade| {
            json!({
                "id": format!("{}&user_id={}", line_item_url(&book, &context, item, "/results"), grade.user_id),
                "userId": grade.user_id,
                "resultScore": number(grade.score_given),
                "resultMaximum": number(grade.score_maximum),
                "scoreOf": line_item_url(&book, &context, item, ""),
                "timestamp": crate::lti::ags::rfc3339(grade.timestamp),
            })
        })
        .collect();
    typed(200, MEDIA_RESULTS, Value::Array(entries).to_string())
}

/// Lists the course's members as Moodle 4.2 does: one page, teachers as `Instructor` and
/// students as `Learner`, with names and no paging links. The demo's people are enrolled
/// in every course, and the administrator is a member of none.
async fn memberships(
    State(book): State<Arc<Gradebook>>,
    Path((course, type_id)): Path<(String, u64)>,
    call: Call,
) -> Response {
    let path = format!("/CourseSection/{course}/bindings/{type_id}/memberships");
    let media_ok = call.media(header::ACCEPT) == nrps::MEMBERSHIP_CONTAINER;
    if let Some(failure) = call.check(&book, media_ok, &path, &[nrps::SCOPE]) {
        return failure;
    }
    let Some(course) = catalog::course(&course).filter(|_| type_id == book.type_id) else {
        return call.fail(404, "Not Found");
    };
    let members: Vec<Value> = catalog::USERS
        .iter()
        .filter(|user| book.is_enrolled(user.id))
        .filter_map(|user| {
            let role = if user.id.starts_with("demo-teacher") {
                "Instructor"
            } else if user.id.starts_with("demo-student") {
                "Learner"
            } else {
                return None;
            };
            Some(json!({
                "status": "Active",
                "roles": [role],
                "user_id": user.id,
                "name": user.name,
                "given_name": user.given_name,
                "family_name": user.family_name,
                "email": user.email,
            }))
        })
        .collect();
    let body = json!({
        "id": format!("{}{SERVICES}{path}", book.base_url()),
        "context": { "id": course.id, "label": course.label, "title": course.title },
        "members": members,
    });
    (
        [(
            header::CONTENT_TYPE,
            format!("{}; charset=utf-8", nrps::MEMBERSHIP_CONTAINER),
        )],
        serde_json::to_string_pretty(&body).expect("JSON serializes"),
    )
        .into_response()
}
