//! Storage of questionnaires: their items, who has answered, and the answers.
//!
//! Every query that takes a questionnaire id also takes the space id and filters on it.
//! Answers are stored under a response key that the caller derives (see
//! `web::questionnaires::response_key`). For an anonymous questionnaire the response
//! row carries no person and no time, so the tables alone link no answer to a person.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// Item kinds. `likert5`, `likert7` and `satisfaction` take a value from 1 (the most
/// negative answer) to 5, 7 and 5. `nps` takes a value from 0 to 10. `single` and
/// `multiple` take option indexes from 0.
pub const ITEM_KINDS: [&str; 7] = [
    "likert5",
    "likert7",
    "satisfaction",
    "nps",
    "single",
    "multiple",
    "text",
];

/// `draft` until a teacher opens the questionnaire, then `open`, then `closed`.
pub const STATUSES: [&str; 3] = ["draft", "open", "closed"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Questionnaire {
    pub id: i64,
    pub space_id: i64,
    pub title: String,
    pub description: String,
    pub anonymous: bool,
    /// `pre`, `post` or `None`.
    pub wave: Option<String>,
    /// For a `post` questionnaire, the `pre` questionnaire of the same instrument.
    pub pre_id: Option<i64>,
    /// One of [`STATUSES`].
    pub status: String,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Questionnaire {
    /// Whether the questionnaire takes answers at `now`: it is open and `now` lies in
    /// its window, when it has one.
    pub fn accepts_answers(&self, now: i64) -> bool {
        self.status == "open"
            && self.opens_at.is_none_or(|opens| now >= opens)
            && self.closes_at.is_none_or(|closes| now < closes)
    }
}

/// The fields a teacher sets on a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireFields {
    pub title: String,
    pub description: String,
    pub anonymous: bool,
    pub wave: Option<String>,
    pub pre_id: Option<i64>,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub questionnaire_id: i64,
    /// Order in the questionnaire, from 0.
    pub position: i64,
    /// One of [`ITEM_KINDS`].
    pub kind: String,
    pub prompt: String,
    /// Name of the multi-item scale the item belongs to.
    pub scale: Option<String>,
    /// Option labels of a `single` or `multiple` item, as a JSON array.
    pub options_json: String,
}

impl Item {
    /// Returns the option labels; an item without options has none.
    pub fn options(&self) -> Vec<String> {
        serde_json::from_str(&self.options_json).unwrap_or_default()
    }
}

/// An item as a teacher defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub kind: String,
    pub prompt: String,
    pub scale: Option<String>,
    pub options: Vec<String>,
}

/// One stored answer: a value of a scale or choice item, or the text of a `text` item
/// (with value 0). A `multiple` item has one answer per chosen option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Answer {
    pub item_id: i64,
    pub value: i64,
    pub text: Option<String>,
}

/// An answer with the response it belongs to, for results. Neither key may leave the
/// server.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResponseAnswer {
    pub response_key: String,
    /// The key that links a person's `pre` and `post` responses, when written.
    pub pair_key: Option<String>,
    pub item_id: i64,
    pub value: i64,
    pub text: Option<String>,
}

/// A stored response: its keys and, for a named questionnaire, the person and the time
/// of the last change. Neither key may leave the server.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredResponse {
    pub response_key: String,
    pub user_id: Option<i64>,
    pub updated_at: Option<i64>,
    /// The key that links a person's `pre` and `post` responses, when written.
    pub pair_key: Option<String>,
}

/// A response to save.
#[derive(Debug, Clone)]
pub struct NewResponse<'a> {
    pub space_id: i64,
    pub questionnaire_id: i64,
    pub user_id: i64,
    pub response_key: &'a str,
    /// The key that links the person's responses to a `pre` questionnaire and its
    /// `post` questionnaire, for questionnaires in such a pair.
    pub pair_key: Option<&'a str>,
    /// False for an anonymous questionnaire: the response row then gets no person and
    /// no time.
    pub named: bool,
    pub answers: &'a [Answer],
}

#[async_trait]
pub trait QuestionnaireStore: Send + Sync {
    /// Creates a draft questionnaire with its items in one transaction.
    async fn create_questionnaire(
        &self,
        space_id: i64,
        fields: &QuestionnaireFields,
        items: &[NewItem],
        created_by: i64,
        now: i64,
    ) -> StoreResult<Questionnaire>;
    async fn questionnaire(&self, space_id: i64, id: i64) -> StoreResult<Option<Questionnaire>>;
    /// Returns the questionnaires of a space, oldest first.
    async fn questionnaires(&self, space_id: i64) -> StoreResult<Vec<Questionnaire>>;
    /// Returns the `post` questionnaire linked to `pre_id`, if any.
    async fn post_questionnaire(
        &self,
        space_id: i64,
        pre_id: i64,
    ) -> StoreResult<Option<Questionnaire>>;
    /// Updates the fields, and replaces the items when `items` is given. Returns false,
    /// changing nothing, when `items` is given and someone has already answered.
    async fn update_questionnaire(
        &self,
        space_id: i64,
        id: i64,
        fields: &QuestionnaireFields,
        items: Option<&[NewItem]>,
        now: i64,
    ) -> StoreResult<bool>;
    async fn set_questionnaire_status(
        &self,
        space_id: i64,
        id: i64,
        status: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// Deletes a questionnaire with its items and answers. A `post` questionnaire that
    /// pointed to it loses its link. The logged `questionnaire_answered` interactions
    /// stay, so points already earned remain.
    async fn delete_questionnaire(&self, space_id: i64, id: i64) -> StoreResult<bool>;
    /// Returns the items of a questionnaire in order.
    async fn questionnaire_items(&self, space_id: i64, id: i64) -> StoreResult<Vec<Item>>;

    /// Saves a response in one transaction, replacing the person's earlier answers. On
    /// the person's first response it also records who has answered and logs a
    /// `questionnaire_answered` interaction. Returns true on the first response.
    async fn save_response(&self, response: &NewResponse<'_>, now: i64) -> StoreResult<bool>;
    async fn has_answered(&self, space_id: i64, id: i64, user_id: i64) -> StoreResult<bool>;
    /// Returns the answers stored under `response_key`.
    async fn response_answers(
        &self,
        space_id: i64,
        id: i64,
        response_key: &str,
    ) -> StoreResult<Vec<Answer>>;
    /// Returns the response key and person of every named response, ordered by key.
    /// Anonymous responses carry no person and are not returned.
    async fn named_responses(&self, space_id: i64, id: i64) -> StoreResult<Vec<(String, i64)>>;
    /// Returns how many people have answered.
    async fn respondent_count(&self, space_id: i64, id: i64) -> StoreResult<i64>;
    /// Returns the responses of a questionnaire, ordered by response key.
    async fn questionnaire_responses(
        &self,
        space_id: i64,
        id: i64,
    ) -> StoreResult<Vec<StoredResponse>>;
    /// Returns every answer of a questionnaire, ordered by response key and item.
    async fn questionnaire_answers(
        &self,
        space_id: i64,
        id: i64,
    ) -> StoreResult<Vec<ResponseAnswer>>;
}
