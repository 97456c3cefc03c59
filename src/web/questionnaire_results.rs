//! Results of a questionnaire for its teachers: per item the number of answers and
//! their distribution, the satisfaction index and CSAT of satisfaction items, the
//! top-two share of Likert items, and the mean of each multi-item scale. When a `pre`
//! and a `post` questionnaire are linked, the results hold both waves.
//!
//! Results never name a respondent: text answers are listed without their authors and
//! in the order of their random response keys.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analytics::satisfaction::{
    count_values, csat, satisfaction_index, top_box_share, IndexSettings, SatisfactionIndex,
};
use crate::store::questionnaires::{Item, Questionnaire, ResponseAnswer};

/// Returns the number of values of a scale item, or `None` for choice and text items.
pub fn scale_points(kind: &str) -> Option<usize> {
    match kind {
        "likert5" | "satisfaction" => Some(5),
        "likert7" => Some(7),
        _ => None,
    }
}

#[derive(Debug, Serialize)]
pub struct ItemResult {
    pub item_id: i64,
    pub position: i64,
    pub kind: String,
    pub prompt: String,
    pub scale: Option<String>,
    /// Labels of the counted values: the options of a choice item, empty for scales.
    pub options: Vec<String>,
    /// How many respondents answered the item.
    pub answered: u64,
    /// Answers by value: from 1 upwards for scales, by option for choice items.
    pub counts: Vec<u64>,
    /// The mean value of a scale item.
    pub mean: Option<f64>,
    /// For `satisfaction` items.
    pub index: Option<SatisfactionIndex>,
    /// Share (0…1) of 4 and 5 for `satisfaction` and `likert5` items.
    pub csat: Option<f64>,
    /// Share (0…1) of 6 and 7 for `likert7` items.
    pub top_two: Option<f64>,
    /// The texts of a `text` item.
    pub texts: Vec<String>,
}

/// The mean of all answers to the scale items that share a scale name.
#[derive(Debug, Serialize)]
pub struct ScaleResult {
    pub name: String,
    pub items: usize,
    pub mean: Option<f64>,
}

/// The results of one questionnaire.
#[derive(Debug, Serialize)]
pub struct WaveResult {
    pub questionnaire_id: i64,
    pub title: String,
    pub wave: Option<String>,
    pub anonymous: bool,
    pub respondents: i64,
    pub items: Vec<ItemResult>,
    pub scales: Vec<ScaleResult>,
}

fn mean(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<i64>() as f64 / values.len() as f64)
}

/// Builds the results of one questionnaire from its items and every stored answer.
pub fn wave_result(
    questionnaire: &Questionnaire,
    respondents: i64,
    items: &[Item],
    answers: &[ResponseAnswer],
    settings: IndexSettings,
) -> WaveResult {
    let mut by_item: BTreeMap<i64, Vec<&ResponseAnswer>> = BTreeMap::new();
    for answer in answers {
        by_item.entry(answer.item_id).or_default().push(answer);
    }
    let mut scale_values: BTreeMap<String, (usize, Vec<i64>)> = BTreeMap::new();
    let mut results = Vec::new();
    for item in items {
        let rows = by_item.remove(&item.id).unwrap_or_default();
        let mut respondents_of_item: Vec<&str> =
            rows.iter().map(|row| row.response_key.as_str()).collect();
        respondents_of_item.dedup();
        let values: Vec<i64> = rows.iter().map(|row| row.value).collect();
        let mut result = ItemResult {
            item_id: item.id,
            position: item.position,
            kind: item.kind.clone(),
            prompt: item.prompt.clone(),
            scale: item.scale.clone(),
            options: item.options(),
            answered: respondents_of_item.len() as u64,
            counts: Vec::new(),
            mean: None,
            index: None,
            csat: None,
            top_two: None,
            texts: Vec::new(),
        };
        if let Some(points) = scale_points(&item.kind) {
            result.counts = count_values(values.iter().copied(), points);
            result.mean = mean(&values);
            if let Some(name) = &item.scale {
                let entry = scale_values.entry(name.clone()).or_default();
                entry.0 += 1;
                entry.1.extend(&values);
            }
        }
        match item.kind.as_str() {
            "satisfaction" => {
                let counts: [u64; 5] = result.counts[..].try_into().expect("five counts");
                result.index = Some(satisfaction_index(counts, settings));
                result.csat = csat(&counts);
            }
            "likert5" => {
                let counts: [u64; 5] = result.counts[..].try_into().expect("five counts");
                result.csat = csat(&counts);
            }
            "likert7" => result.top_two = top_box_share(&result.counts, 2),
            "single" | "multiple" => {
                let options = result.options.len();
                result.counts = vec![0; options];
                for value in values {
                    if value >= 0 && (value as usize) < options {
                        result.counts[value as usize] += 1;
                    }
                }
            }
            _ => {
                result.texts = rows.iter().filter_map(|row| row.text.clone()).collect();
            }
        }
        results.push(result);
    }
    WaveResult {
        questionnaire_id: questionnaire.id,
        title: questionnaire.title.clone(),
        wave: questionnaire.wave.clone(),
        anonymous: questionnaire.anonymous,
        respondents,
        items: results,
        scales: scale_values
            .into_iter()
            .map(|(name, (items, values))| ScaleResult {
                name,
                items,
                mean: mean(&values),
            })
            .collect(),
    }
}
