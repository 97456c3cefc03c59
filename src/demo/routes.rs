//! HTTP endpoints of the demo platform.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::catalog::{self, DemoCourse, DemoUser};
use super::{DemoPlatform, LaunchChoice, CLIENT_ID};
use crate::web::pages::AutoPost;
use crate::{unix_now, web};

#[derive(Template)]
#[template(path = "demo_home.html")]
struct HomePage {
    courses: &'static [DemoCourse],
    users: &'static [DemoUser],
    roles: &'static [(&'static str, &'static str)],
    /// Course title, then the course's activities.
    activities: Vec<(String, Vec<ActivityLine>)>,
}

/// An activity as the launch form lists it: resource link id, title, gradebook column.
type ActivityLine = (String, String, String);

/// The page the platform shows after a tool's Deep Linking response.
#[derive(Template)]
#[template(path = "demo_added.html")]
struct AddedPage {
    /// Title and gradebook column label of each added activity.
    added: Vec<(String, String)>,
    error: Option<String>,
}

/// One grade as the gradebook page shows it: person, score, maximum and timestamp.
type GradeCells = (String, String, String, String);

/// The gradebook as a teacher sees it in the platform, refreshed every few seconds.
#[derive(Template)]
#[template(path = "demo_gradebook.html")]
struct GradebookPage {
    /// Column label, then (person, score, maximum, time) per grade.
    columns: Vec<(String, Vec<GradeCells>)>,
}

pub fn router(platform: Arc<DemoPlatform>) -> Router {
    let services = super::services::router(platform.gradebook.clone());
    Router::new()
        .route("/", get(home))
        .route("/gradebook", get(gradebook))
        .route("/start", post(start))
        .route("/deep-link-return", post(deep_link_return))
        .route("/auth", get(authorize_get).post(authorize_post))
        .route("/jwks", get(jwks))
        .route("/assets/{name}", get(web::assets::asset))
        .with_state(platform)
        .merge(services)
}

fn html(template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

async fn home(State(platform): State<Arc<DemoPlatform>>) -> Response {
    let activities = platform.activities();
    let columns = platform.gradebook.columns();
    let column_label = |id: Option<u64>| {
        columns
            .iter()
            .find(|column| Some(column.id) == id)
            .map_or_else(|| "no column".to_string(), |column| column.label.clone())
    };
    let grouped = catalog::COURSES
        .iter()
        .map(|course| {
            let list = activities
                .iter()
                .filter(|activity| activity.course_id == course.id)
                .map(|activity| {
                    (
                        activity.resource_link_id.clone(),
                        activity.title.clone(),
                        column_label(activity.column),
                    )
                })
                .collect();
            (course.title.to_string(), list)
        })
        .collect();
    html(&HomePage {
        courses: catalog::COURSES,
        users: catalog::USERS,
        roles: catalog::ROLES,
        activities: grouped,
    })
}

#[derive(Deserialize)]
struct ReturnForm {
    #[serde(rename = "JWT")]
    jwt: Option<String>,
}

/// Receives the tool's Deep Linking response and adds the chosen activities.
async fn deep_link_return(
    State(platform): State<Arc<DemoPlatform>>,
    Form(form): Form<ReturnForm>,
) -> Response {
    let Some(jwt) = form.jwt else {
        return (StatusCode::BAD_REQUEST, "the form has no JWT field").into_response();
    };
    match platform.accept_deep_link_response(&jwt).await {
        Ok(added) => {
            let columns = platform.gradebook.columns();
            let added = added
                .into_iter()
                .map(|activity| {
                    let column = columns
                        .iter()
                        .find(|column| Some(column.id) == activity.column)
                        .map_or_else(|| "no column".to_string(), |column| column.label.clone());
                    (activity.title, column)
                })
                .collect();
            html(&AddedPage { added, error: None })
        }
        Err(error) => {
            let mut response = html(&AddedPage {
                added: Vec::new(),
                error: Some(error),
            });
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    }
}

async fn gradebook(State(platform): State<Arc<DemoPlatform>>) -> Response {
    let book = &platform.gradebook;
    let grades = book.grades();
    let columns = book
        .columns()
        .into_iter()
        .map(|column| {
            let rows = grades
                .iter()
                .filter(|grade| grade.column == column.id)
                .map(|grade| {
                    let person = catalog::user(&grade.user_id)
                        .map_or_else(|| grade.user_id.clone(), |user| user.name.to_string());
                    (
                        person,
                        format!("{:.2}", grade.score_given),
                        format!("{:.0}", grade.score_maximum),
                        crate::lti::ags::rfc3339(grade.timestamp),
                    )
                })
                .collect();
            (column.label, rows)
        })
        .collect();
    html(&GradebookPage { columns })
}

async fn jwks(State(platform): State<Arc<DemoPlatform>>) -> Json<crate::keys::Jwks> {
    Json(platform.jwks())
}

#[derive(Deserialize)]
struct StartForm {
    course: String,
    /// A resource link id; empty or absent launches the course's first activity.
    #[serde(default)]
    activity: Option<String>,
    /// `deep_linking` sends a Deep Linking request instead of a launch.
    #[serde(default)]
    message: Option<String>,
    user: String,
    role: String,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    target: Option<String>,
}

/// Starts a launch: the browser posts the login initiation to the tool.
async fn start(State(platform): State<Arc<DemoPlatform>>, Form(form): Form<StartForm>) -> Response {
    if catalog::course(&form.course).is_none()
        || catalog::user(&form.user).is_none()
        || catalog::lti_roles(&form.role).is_none()
    {
        return (StatusCode::BAD_REQUEST, "unknown course, person or role").into_response();
    }
    let activity = form.activity.filter(|id| !id.is_empty());
    let course_id = match &activity {
        Some(id) => match platform
            .activities()
            .into_iter()
            .find(|a| &a.resource_link_id == id)
        {
            Some(found) => found.course_id,
            None => return (StatusCode::BAD_REQUEST, "unknown activity").into_response(),
        },
        None => form.course,
    };
    let choice = LaunchChoice {
        course_id,
        user_id: form.user,
        role: form.role,
        locale: form.locale.unwrap_or_else(|| "en".into()),
        document_target: form.target.unwrap_or_else(|| "iframe".into()),
        activity,
        deep_linking: form.message.as_deref() == Some("deep_linking"),
    };
    let fields = platform.login_initiation(choice);
    html(&AutoPost::english(
        format!("{}/lti/login", platform.tool_base),
        fields,
    ))
}

/// OIDC authorization request parameters sent by the tool (LTI 1.3 section 5.1.1.2).
#[derive(Deserialize)]
struct AuthRequest {
    scope: Option<String>,
    response_type: Option<String>,
    response_mode: Option<String>,
    prompt: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    login_hint: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    lti_message_hint: Option<String>,
}

async fn authorize_get(
    State(platform): State<Arc<DemoPlatform>>,
    Query(request): Query<AuthRequest>,
) -> Response {
    authorize(&platform, request)
}

async fn authorize_post(
    State(platform): State<Arc<DemoPlatform>>,
    Form(request): Form<AuthRequest>,
) -> Response {
    authorize(&platform, request)
}

/// Checks the tool's authorization request and answers with a signed id_token, form-posted
/// to the registered redirect URI.
fn authorize(platform: &DemoPlatform, request: AuthRequest) -> Response {
    let bad = |message: String| (StatusCode::BAD_REQUEST, message).into_response();
    let expect = |name: &str, value: &Option<String>, wanted: &str| match value.as_deref() {
        Some(v) if v == wanted => Ok(()),
        other => Err(format!("{name} must be {wanted:?}, got {other:?}")),
    };
    let fixed = [
        expect("scope", &request.scope, "openid"),
        expect("response_type", &request.response_type, "id_token"),
        expect("response_mode", &request.response_mode, "form_post"),
        expect("prompt", &request.prompt, "none"),
        expect("client_id", &request.client_id, CLIENT_ID),
        expect(
            "redirect_uri",
            &request.redirect_uri,
            &format!("{}/lti/launch", platform.tool_base),
        ),
    ];
    if let Some(Err(message)) = fixed.into_iter().find(Result::is_err) {
        return bad(message);
    }
    let (Some(state), Some(nonce), Some(login_hint), Some(message_hint)) = (
        request.state,
        request.nonce,
        request.login_hint,
        request.lti_message_hint,
    ) else {
        return bad("state, nonce, login_hint and lti_message_hint are required".into());
    };
    let Some(choice) = platform.take_pending(&message_hint, &login_hint) else {
        return bad("lti_message_hint names no pending launch for this login_hint".into());
    };
    let claims = platform.launch_claims(&choice, &nonce, unix_now());
    let id_token = platform.sign(&serde_json::Value::Object(claims));
    html(&AutoPost::english(
        format!("{}/lti/launch", platform.tool_base),
        vec![("id_token".into(), id_token), ("state".into(), state)],
    ))
}
