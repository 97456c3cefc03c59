//! Questionnaires. Teachers build them (by hand or from a template), open and close
//! them and read their results. Students answer open ones and may change their answers
//! until the questionnaire closes. The first answer logs a `questionnaire_answered`
//! interaction, which the grading rule counts once per questionnaire.
//!
//! Structural edits (items, anonymity) are possible only before the first answer.
//! Writes carry the session token in the `X-Cowork-Token` header, as on the other pages.

use std::collections::{HashMap, HashSet};

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analytics::satisfaction::IndexSettings;
use crate::app::AppState;
use crate::chat::service::Participant;
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Msg;
use crate::store::questionnaires::{
    Answer, Item, NewItem, NewResponse, Questionnaire, QuestionnaireFields, ITEM_KINDS,
};
use crate::unix_now;
use crate::web::help::{text_length, too_long};
use crate::web::questionnaire_comparison::{compare_waves, WaveComparison};
use crate::web::questionnaire_pages;
use crate::web::questionnaire_results::{
    group_indices, scale_points, value_range, wave_result, Team, WaveResult,
};
use crate::web::questionnaire_templates::{template, TEMPLATE_IDS};
use crate::web::rooms::{reader, writer};

const MAX_TITLE_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 2000;
const MAX_PROMPT_CHARS: usize = 500;
const MAX_OPTION_CHARS: usize = 200;
const MAX_SCALE_CHARS: usize = 80;
const MAX_TEXT_ANSWER_CHARS: usize = 2000;
const MAX_ITEMS: usize = 100;
const MAX_OPTIONS: usize = 30;
/// The setting that contains the secret of response keys.
pub const RESPONSE_SECRET_SETTING: &str = "questionnaire_response_secret";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/spaces/{space_id}/questionnaires",
            get(questionnaire_pages::questionnaires_page),
        )
        .route(
            "/spaces/{space_id}/questionnaires/list",
            get(list).post(create),
        )
        .route(
            "/spaces/{space_id}/questionnaires/from-template",
            post(create_from_template),
        )
        .route(
            "/spaces/{space_id}/questionnaires/{questionnaire_id}",
            get(show).post(update),
        )
        .route(
            "/spaces/{space_id}/questionnaires/{questionnaire_id}/status",
            post(set_status),
        )
        .route(
            "/spaces/{space_id}/questionnaires/{questionnaire_id}/response",
            post(respond),
        )
        .route(
            "/spaces/{space_id}/questionnaires/{questionnaire_id}/results",
            get(results),
        )
        .route(
            "/spaces/{space_id}/questionnaires/{questionnaire_id}/report",
            get(questionnaire_pages::report_page),
        )
        .route(
            "/spaces/{space_id}/questionnaires/{questionnaire_id}/delete",
            post(delete),
        )
}

pub(crate) fn require_teacher(who: &Participant) -> Result<i64, AppError> {
    match who.user_id {
        Some(user_id) if who.is_moderator() => Ok(user_id),
        _ => Err(AppError::forbidden("error-questionnaire-teachers-only")),
    }
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| AppError::bad_json(&rejection))
}

/// Returns the hex SHA-256 of the server's response secret followed by `suffix`.
fn secret_hash(state: &AppState, suffix: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(state.response_secret.as_bytes());
    hasher.update(suffix.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Derives the key under which a person's answers to a questionnaire are stored: a
/// SHA-256 of a server secret, the questionnaire id and the user id. The tables hold
/// no user id for anonymous answers, and without the secret the key cannot be matched
/// to a person.
pub async fn response_key(
    state: &AppState,
    questionnaire_id: i64,
    user_id: i64,
) -> Result<String, AppError> {
    Ok(secret_hash(
        state,
        &format!(":{questionnaire_id}:{user_id}"),
    ))
}

/// Derives the key that links a person's responses to a `pre` questionnaire and to
/// the `post` questionnaire linked to it. It is a SHA-256 of the server secret, the
/// label "pair", the `pre` questionnaire's id, the user id and, for named responses,
/// the label "named". The "pair" label keeps it distinct from the response key of the
/// `pre` questionnaire. The "named" label keeps named and anonymous responses apart,
/// because a `post` wave may be unlinked after answers and its `pre` then turn named.
pub async fn pair_key(
    state: &AppState,
    pre_id: i64,
    user_id: i64,
    anonymous: bool,
) -> Result<String, AppError> {
    let suffix = if anonymous {
        format!(":pair:{pre_id}:{user_id}")
    } else {
        format!(":pair:{pre_id}:{user_id}:named")
    };
    Ok(secret_hash(state, &suffix))
}

/// Returns the id of the `pre` questionnaire whose pair key a response to
/// `questionnaire` gets, or `None` when it is in no pair. A pair whose waves differ
/// in anonymity gets no key, so that an anonymous response is never linked to a named
/// one.
/// NOTE: keys are written when a response is saved, so responses saved before a `post`
/// questionnaire is linked to another `pre` one keep the old key and stay unpaired.
async fn pair_of(state: &AppState, questionnaire: &Questionnaire) -> Result<Option<i64>, AppError> {
    let space_id = questionnaire.space_id;
    let pre = match (questionnaire.wave.as_deref(), questionnaire.pre_id) {
        (Some("pre"), _) => {
            let post = state
                .store
                .post_questionnaire(space_id, questionnaire.id)
                .await?;
            match post {
                Some(post) if post.anonymous != questionnaire.anonymous => None,
                _ => Some(questionnaire.id),
            }
        }
        (Some("post"), Some(pre_id)) => state
            .store
            .questionnaire(space_id, pre_id)
            .await?
            .filter(|pre| pre.anonymous == questionnaire.anonymous)
            .map(|pre| pre.id),
        _ => None,
    };
    Ok(pre)
}

/// Loads a questionnaire of the space. Students see no drafts.
pub(crate) async fn load(
    state: &AppState,
    who: &Participant,
    space_id: i64,
    id: i64,
) -> Result<Questionnaire, AppError> {
    let questionnaire = state
        .store
        .questionnaire(space_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if questionnaire.status == "draft" && !who.is_moderator() {
        return Err(AppError::NotFound);
    }
    Ok(questionnaire)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemForm {
    kind: String,
    prompt: String,
    #[serde(default)]
    scale: Option<String>,
    #[serde(default)]
    options: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionnaireForm {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    wave: Option<String>,
    #[serde(default)]
    pre_id: Option<i64>,
    #[serde(default)]
    opens_at: Option<i64>,
    #[serde(default)]
    closes_at: Option<i64>,
    items: Vec<ItemForm>,
}

fn check_required(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(text_length(field, max, length));
    }
    Ok(value.to_string())
}

fn check_item(position: usize, form: ItemForm) -> Result<NewItem, AppError> {
    if !ITEM_KINDS.contains(&form.kind.as_str()) {
        return Err(AppError::invalid(
            Msg::new("error-questionnaire-item-kind")
                .arg("position", position + 1)
                .arg("kind", format!("{:?}", form.kind)),
        ));
    }
    let prompt = check_required("prompt", &form.prompt, MAX_PROMPT_CHARS)?;
    let scale = match form.scale.as_deref().map(str::trim) {
        Some(scale) if !scale.is_empty() => {
            let length = scale.chars().count();
            if length > MAX_SCALE_CHARS {
                return Err(too_long("scale", MAX_SCALE_CHARS, length));
            }
            Some(scale.to_string())
        }
        _ => None,
    };
    let is_choice = form.kind == "single" || form.kind == "multiple";
    if !is_choice && !form.options.is_empty() {
        return Err(AppError::invalid(
            Msg::new("error-questionnaire-options-unexpected").arg("position", position + 1),
        ));
    }
    if is_choice && (form.options.len() < 2 || form.options.len() > MAX_OPTIONS) {
        return Err(AppError::invalid(
            Msg::new("error-questionnaire-options-count")
                .arg("position", position + 1)
                .arg("max", MAX_OPTIONS)
                .arg("count", form.options.len()),
        ));
    }
    let options = form
        .options
        .iter()
        .map(|option| check_required("option", option, MAX_OPTION_CHARS))
        .collect::<Result<Vec<_>, _>>()?;
    if scale.is_some() && scale_points(&form.kind).is_none() {
        return Err(AppError::invalid(
            Msg::new("error-questionnaire-scale-kind").arg("position", position + 1),
        ));
    }
    Ok(NewItem {
        kind: form.kind,
        prompt,
        scale,
        options,
    })
}

/// Checks a questionnaire form and returns its fields and items.
async fn check_form(
    state: &AppState,
    space_id: i64,
    own_id: Option<i64>,
    form: QuestionnaireForm,
) -> Result<(QuestionnaireFields, Vec<NewItem>), AppError> {
    let title = check_required("title", &form.title, MAX_TITLE_CHARS)?;
    let description = form.description.trim().to_string();
    let length = description.chars().count();
    if length > MAX_DESCRIPTION_CHARS {
        return Err(too_long("description", MAX_DESCRIPTION_CHARS, length));
    }

    let wave = form.wave.filter(|wave| !wave.is_empty());
    if let Some(wave) = &wave {
        if wave != "pre" && wave != "post" {
            return Err(AppError::invalid(
                Msg::new("error-questionnaire-wave").arg("wave", format!("{wave:?}")),
            ));
        }
    }
    if let Some(pre_id) = form.pre_id {
        let pre = state.store.questionnaire(space_id, pre_id).await?;
        let is_pre = pre
            .as_ref()
            .is_some_and(|pre| pre.wave.as_deref() == Some("pre"));
        if wave.as_deref() != Some("post") || !is_pre || Some(pre_id) == own_id {
            return Err(AppError::invalid(
                Msg::new("error-questionnaire-pre").arg("pre_id", pre_id),
            ));
        }
        if pre.is_some_and(|pre| pre.anonymous != form.anonymous) {
            return Err(AppError::invalid("error-questionnaire-pair-anonymity"));
        }
    }
    if let (Some(own_id), Some("pre")) = (own_id, wave.as_deref()) {
        let post = state.store.post_questionnaire(space_id, own_id).await?;
        if post.is_some_and(|post| post.anonymous != form.anonymous) {
            return Err(AppError::invalid("error-questionnaire-pair-anonymity"));
        }
    }
    if let (Some(opens), Some(closes)) = (form.opens_at, form.closes_at) {
        if closes <= opens {
            return Err(AppError::invalid("error-questionnaire-window"));
        }
    }

    if form.items.is_empty() || form.items.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            Msg::new("error-questionnaire-item-count")
                .arg("max", MAX_ITEMS)
                .arg("count", form.items.len()),
        ));
    }
    let items = form
        .items
        .into_iter()
        .enumerate()
        .map(|(position, item)| check_item(position, item))
        .collect::<Result<Vec<_>, _>>()?;
    let fields = QuestionnaireFields {
        title,
        description,
        anonymous: form.anonymous,
        wave,
        pre_id: form.pre_id,
        opens_at: form.opens_at,
        closes_at: form.closes_at,
    };
    Ok((fields, items))
}

/// A questionnaire with its items, as the JSON API returns it.
#[derive(Debug, Serialize)]
pub struct QuestionnaireView {
    #[serde(flatten)]
    questionnaire: Questionnaire,
    accepts_answers: bool,
    items: Vec<ItemView>,
    /// The caller's own answers, when they have answered.
    my_answers: Vec<Answer>,
    answered: bool,
}

#[derive(Debug, Serialize)]
struct ItemView {
    id: i64,
    position: i64,
    kind: String,
    prompt: String,
    scale: Option<String>,
    options: Vec<String>,
}

impl From<&Item> for ItemView {
    fn from(item: &Item) -> Self {
        Self {
            id: item.id,
            position: item.position,
            kind: item.kind.clone(),
            prompt: item.prompt.clone(),
            scale: item.scale.clone(),
            options: item.options(),
        }
    }
}

async fn view_of(
    state: &AppState,
    who: &Participant,
    questionnaire: Questionnaire,
) -> Result<QuestionnaireView, AppError> {
    let space_id = questionnaire.space_id;
    let items = state
        .store
        .questionnaire_items(space_id, questionnaire.id)
        .await?;
    let (answered, my_answers) = match who.user_id {
        Some(user_id) => {
            let answered = state
                .store
                .has_answered(space_id, questionnaire.id, user_id)
                .await?;
            let key = response_key(state, questionnaire.id, user_id).await?;
            let mine = state
                .store
                .response_answers(space_id, questionnaire.id, &key)
                .await?;
            (answered, mine)
        }
        None => (false, Vec::new()),
    };
    Ok(QuestionnaireView {
        accepts_answers: questionnaire.accepts_answers(unix_now()),
        items: items.iter().map(ItemView::from).collect(),
        questionnaire,
        my_answers,
        answered,
    })
}

/// Lists the questionnaires of the space: all of them for teachers, the open and
/// closed ones for students.
async fn list(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Vec<QuestionnaireView>>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        let mut views = Vec::new();
        for questionnaire in state.store.questionnaires(space_id).await? {
            if questionnaire.status == "draft" && !who.is_moderator() {
                continue;
            }
            views.push(view_of(&state, &who, questionnaire).await?);
        }
        Ok::<_, AppError>(Json(views))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn show(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<QuestionnaireView>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        let questionnaire = load(&state, &who, space_id, id).await?;
        Ok::<_, AppError>(Json(view_of(&state, &who, questionnaire).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Checks `form` and creates a draft questionnaire of the teacher `who`.
async fn create_checked(
    state: &AppState,
    who: &Participant,
    space_id: i64,
    form: QuestionnaireForm,
) -> Result<Response, AppError> {
    let user_id = require_teacher(who)?;
    let (fields, items) = check_form(state, space_id, None, form).await?;
    let created = state
        .store
        .create_questionnaire(space_id, &fields, &items, user_id, unix_now())
        .await?;
    let view = view_of(state, who, created).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn create(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<QuestionnaireForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        require_teacher(&who)?;
        create_checked(&state, &who, space_id, body(payload)?).await
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateForm {
    template: String,
    #[serde(default = "anonymous_by_default")]
    anonymous: bool,
    #[serde(default)]
    wave: Option<String>,
    #[serde(default)]
    pre_id: Option<i64>,
}

fn anonymous_by_default() -> bool {
    true
}

/// Creates a draft from a template, in the language of the teacher's session.
async fn create_from_template(
    State(state): State<AppState>,
    Path(space_id): Path<i64>,
    headers: HeaderMap,
    payload: Result<Json<TemplateForm>, JsonRejection>,
) -> Result<Response, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        require_teacher(&who)?;
        let request = body(payload)?;
        let Some(chosen) = template(&request.template, who.lang) else {
            return Err(AppError::invalid(
                Msg::new("error-questionnaire-template")
                    .arg("template", format!("{:?}", request.template))
                    .arg("templates", TEMPLATE_IDS.join(", ")),
            ));
        };
        let form = QuestionnaireForm {
            title: chosen.title.into(),
            description: chosen.description.into(),
            anonymous: request.anonymous,
            wave: request.wave,
            pre_id: request.pre_id,
            opens_at: None,
            closes_at: None,
            items: chosen
                .items
                .into_iter()
                .map(|item| ItemForm {
                    kind: item.kind,
                    prompt: item.prompt,
                    scale: item.scale,
                    options: item.options,
                })
                .collect(),
        };
        create_checked(&state, &who, space_id, form).await
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Replaces a questionnaire's fields and items. After the first answer only the title,
/// description and window may change; items and anonymity must stay as they are.
async fn update(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<QuestionnaireForm>, JsonRejection>,
) -> Result<Json<QuestionnaireView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        require_teacher(&who)?;
        let current = load(&state, &who, space_id, id).await?;
        let (fields, items) = check_form(&state, space_id, Some(id), body(payload)?).await?;
        let answered = state.store.respondent_count(space_id, id).await? > 0;
        let replace_items = if answered {
            let stored = state.store.questionnaire_items(space_id, id).await?;
            let same_items = stored.len() == items.len()
                && stored.iter().zip(&items).all(|(old, new)| {
                    old.kind == new.kind
                        && old.prompt == new.prompt
                        && old.scale == new.scale
                        && old.options() == new.options
                });
            if !same_items || current.anonymous != fields.anonymous {
                return Err(AppError::invalid("error-questionnaire-answered"));
            }
            None
        } else {
            Some(items.as_slice())
        };
        let saved = state
            .store
            .update_questionnaire(space_id, id, &fields, replace_items, unix_now())
            .await?;
        if !saved {
            return Err(AppError::invalid("error-questionnaire-answered"));
        }
        let updated = load(&state, &who, space_id, id).await?;
        Ok::<_, AppError>(Json(view_of(&state, &who, updated).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusForm {
    /// `open` or `closed`.
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<StatusForm>, JsonRejection>,
) -> Result<Json<QuestionnaireView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        require_teacher(&who)?;
        load(&state, &who, space_id, id).await?;
        let request = body(payload)?;
        if request.status != "open" && request.status != "closed" {
            return Err(AppError::invalid(
                Msg::new("error-questionnaire-status")
                    .arg("status", format!("{:?}", request.status)),
            ));
        }
        state
            .store
            .set_questionnaire_status(space_id, id, &request.status, unix_now())
            .await?;
        let updated = load(&state, &who, space_id, id).await?;
        Ok::<_, AppError>(Json(view_of(&state, &who, updated).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

async fn delete(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<StatusCode, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        require_teacher(&who)?;
        if !state.store.delete_questionnaire(space_id, id).await? {
            return Err(AppError::NotFound);
        }
        Ok::<_, AppError>(StatusCode::NO_CONTENT)
    };
    run.await.map_err(|error| error.respond(&headers))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerForm {
    item_id: i64,
    /// The value of a scale item or the option index of a `single` item.
    #[serde(default)]
    value: Option<i64>,
    /// The option indexes of a `multiple` item.
    #[serde(default)]
    values: Vec<i64>,
    /// The text of a `text` item.
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseForm {
    answers: Vec<AnswerForm>,
}

fn value_error(item: &Item, value: i64, max: i64) -> AppError {
    let min = value_range(&item.kind).map_or(0, |(low, _)| low);
    AppError::invalid(
        Msg::new("error-questionnaire-value")
            .arg("position", item.position + 1)
            .arg("value", value)
            .arg("min", min)
            .arg("max", max),
    )
}

/// Checks one answer against its item and returns the rows to store.
fn check_answer(item: &Item, form: AnswerForm) -> Result<Vec<Answer>, AppError> {
    let option_count = item.options().len() as i64;
    let answer = |value: i64, text: Option<String>| Answer {
        item_id: item.id,
        value,
        text,
    };
    if let Some((low, high)) = value_range(&item.kind) {
        let value = form.value.ok_or_else(|| missing_value(item))?;
        if !(low..=high).contains(&value) {
            return Err(value_error(item, value, high));
        }
        return Ok(vec![answer(value, None)]);
    }
    match item.kind.as_str() {
        "single" => {
            let value = form.value.ok_or_else(|| missing_value(item))?;
            if !(0..option_count).contains(&value) {
                return Err(value_error(item, value, option_count - 1));
            }
            Ok(vec![answer(value, None)])
        }
        "multiple" => {
            let mut chosen: Vec<i64> = form.values;
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.is_empty() {
                return Err(missing_value(item));
            }
            if let Some(value) = chosen.iter().find(|v| !(0..option_count).contains(*v)) {
                return Err(value_error(item, *value, option_count - 1));
            }
            Ok(chosen
                .into_iter()
                .map(|value| answer(value, None))
                .collect())
        }
        _ => {
            let text = form.text.unwrap_or_default().trim().to_string();
            let length = text.chars().count();
            if length > MAX_TEXT_ANSWER_CHARS {
                return Err(too_long("text", MAX_TEXT_ANSWER_CHARS, length));
            }
            if text.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![answer(0, Some(text))])
        }
    }
}

fn missing_value(item: &Item) -> AppError {
    AppError::invalid(
        Msg::new("error-questionnaire-missing-value").arg("position", item.position + 1),
    )
}

/// Saves the caller's answers, replacing earlier ones while the questionnaire is open.
async fn respond(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    payload: Result<Json<ResponseForm>, JsonRejection>,
) -> Result<Json<QuestionnaireView>, ErrorResponse> {
    let run = async {
        let who = writer(&state, &headers, space_id).await?;
        let user_id = who
            .user_id
            .ok_or(AppError::forbidden("error-questionnaire-anonymous-session"))?;
        let questionnaire = load(&state, &who, space_id, id).await?;
        let request = body(payload)?;
        let now = unix_now();
        if !questionnaire.accepts_answers(now) {
            return Err(AppError::invalid("error-questionnaire-not-open"));
        }
        let items = state.store.questionnaire_items(space_id, id).await?;
        let mut seen = HashSet::new();
        let mut answers = Vec::new();
        for form in request.answers {
            let Some(item) = items.iter().find(|item| item.id == form.item_id) else {
                return Err(AppError::invalid(
                    Msg::new("error-questionnaire-unknown-item").arg("item_id", form.item_id),
                ));
            };
            if !seen.insert(item.id) {
                return Err(AppError::invalid(
                    Msg::new("error-questionnaire-duplicate-item").arg("item_id", item.id),
                ));
            }
            answers.extend(check_answer(item, form)?);
        }
        if answers.is_empty() {
            return Err(AppError::invalid("error-questionnaire-empty-response"));
        }
        let key = response_key(&state, id, user_id).await?;
        let pair = match pair_of(&state, &questionnaire).await? {
            Some(pre_id) => Some(pair_key(&state, pre_id, user_id, questionnaire.anonymous).await?),
            None => None,
        };
        let response = NewResponse {
            space_id,
            questionnaire_id: id,
            user_id,
            response_key: &key,
            pair_key: pair.as_deref(),
            named: !questionnaire.anonymous,
            answers: &answers,
        };
        state.store.save_response(&response, now).await?;
        Ok::<_, AppError>(Json(view_of(&state, &who, questionnaire).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}

/// Index settings from the query: `count_undecided=false` leaves "can't say" out of
/// the denominator, and `weights=-1,-0.5,0,0.5,1` sets the weights from "fully
/// dissatisfied" to "fully satisfied".
pub(crate) fn index_settings(query: &HashMap<String, String>) -> Result<IndexSettings, AppError> {
    let mut settings = IndexSettings::default();
    if let Some(flag) = query.get("count_undecided") {
        settings.count_undecided = match flag.as_str() {
            "true" => true,
            "false" => false,
            other => {
                return Err(AppError::invalid(
                    Msg::new("error-questionnaire-undecided-flag")
                        .arg("value", format!("{other:?}")),
                ))
            }
        };
    }
    if let Some(weights) = query.get("weights") {
        let parsed: Vec<f64> = weights
            .split(',')
            .map(|weight| weight.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| weights_error(weights))?;
        settings.weights = parsed.try_into().map_err(|_| weights_error(weights))?;
        if settings.validate().is_err() {
            return Err(weights_error(weights));
        }
    }
    Ok(settings)
}

fn weights_error(weights: &str) -> AppError {
    AppError::invalid(
        Msg::new("error-questionnaire-weights").arg("weights", format!("{weights:?}")),
    )
}

/// The results of a questionnaire and, when it has one, of its other wave, `pre`
/// first, with the tests that compare the two waves.
#[derive(Debug, Serialize)]
pub struct Results {
    pub settings: IndexSettings,
    pub waves: Vec<WaveResult>,
    pub comparison: Option<WaveComparison>,
}

/// Returns the space's team tables with their current members, archived ones included,
/// so that answers given in a team that closed still count for it.
async fn team_tables(state: &AppState, space_id: i64) -> Result<Vec<Team>, AppError> {
    let memberships = state.store.team_memberships(space_id).await?;
    let rooms = state.store.analytics_rooms(space_id).await?;
    Ok(rooms
        .into_iter()
        .filter(|room| room.kind == "team")
        .map(|room| Team {
            members: memberships
                .iter()
                .filter(|membership| membership.room_id == room.id)
                .map(|membership| membership.user_id)
                .collect(),
            name: room.name,
        })
        .collect())
}

pub(crate) async fn build_results(
    state: &AppState,
    questionnaire: Questionnaire,
    settings: IndexSettings,
) -> Result<Results, AppError> {
    let space_id = questionnaire.space_id;
    let other = match (questionnaire.wave.as_deref(), questionnaire.pre_id) {
        (Some("pre"), _) => state
            .store
            .post_questionnaire(space_id, questionnaire.id)
            .await?
            .map(|post| (questionnaire.clone(), post)),
        (Some("post"), Some(pre_id)) => state
            .store
            .questionnaire(space_id, pre_id)
            .await?
            .map(|pre| (pre, questionnaire.clone())),
        _ => None,
    };
    let questionnaires = match other {
        Some((pre, post)) => vec![pre, post],
        None => vec![questionnaire],
    };
    let mut waves = Vec::new();
    let mut loaded = Vec::new();
    for questionnaire in questionnaires {
        let id = questionnaire.id;
        let items = state.store.questionnaire_items(space_id, id).await?;
        let answers = state.store.questionnaire_answers(space_id, id).await?;
        let respondents = state.store.respondent_count(space_id, id).await?;
        let mut wave = wave_result(&questionnaire, respondents, &items, &answers, settings);
        if !questionnaire.anonymous {
            let people = state.store.named_responses(space_id, id).await?;
            let teams = team_tables(state, space_id).await?;
            wave.groups = group_indices(&items, &answers, &people, &teams, settings);
        }
        waves.push(wave);
        loaded.push((items, answers));
    }
    let comparison = match loaded.as_slice() {
        [pre, post] => Some(compare_waves(pre.into(), post.into())),
        _ => None,
    };
    Ok(Results {
        settings,
        waves,
        comparison,
    })
}

async fn results(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Results>, ErrorResponse> {
    let run = async {
        let who = reader(&state, &headers, &query, space_id).await?;
        require_teacher(&who)?;
        let settings = index_settings(&query)?;
        let questionnaire = load(&state, &who, space_id, id).await?;
        Ok::<_, AppError>(Json(build_results(&state, questionnaire, settings).await?))
    };
    run.await.map_err(|error| error.respond(&headers))
}
