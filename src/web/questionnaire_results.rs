//! Results of a questionnaire for its teachers: per item the number of answers and
//! their distribution, descriptive statistics of rated items, the satisfaction index
//! and CSAT of satisfaction items, the top-two share of Likert items, the NPS of `nps`
//! items, and the mean and Cronbach's alpha of each multi-item scale. When a `pre` and
//! a `post` questionnaire are linked, the results hold both waves.
//!
//! Results never name a respondent: text answers are listed without their authors and
//! in the order of their random response keys.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analytics::satisfaction::{
    csat, satisfaction_index, top_box_share, IndexSettings, SatisfactionIndex,
};
use crate::analytics::statistics::{cronbach_alpha, describe, CronbachAlpha, Descriptive};
use crate::store::questionnaires::{Item, Questionnaire, ResponseAnswer};

/// Returns the number of values of a scale item, or `None` for choice and text items.
pub fn scale_points(kind: &str) -> Option<usize> {
    match kind {
        "likert5" | "satisfaction" => Some(5),
        "likert7" => Some(7),
        _ => None,
    }
}

/// Returns the lowest and highest value of a rated item (a scale item or `nps`), or
/// `None` for choice and text items.
pub fn value_range(kind: &str) -> Option<(i64, i64)> {
    match kind {
        "nps" => Some((0, 10)),
        _ => scale_points(kind).map(|points| (1, points as i64)),
    }
}

/// The Net Promoter Score of an `nps` item: the percentage of promoters (9 and 10)
/// minus the percentage of detractors (0 to 6), from −100 to +100.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nps {
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// `None` without answers.
    pub score: Option<f64>,
}

/// Computes the NPS from counts by value from 0 to 10.
pub fn nps(counts: &[u64]) -> Nps {
    let count_of = |values: std::ops::RangeInclusive<usize>| -> u64 {
        values.filter_map(|value| counts.get(value)).sum()
    };
    let promoters = count_of(9..=10);
    let passives = count_of(7..=8);
    let detractors = count_of(0..=6);
    let n = promoters + passives + detractors;
    let score = (n > 0).then(|| (promoters as f64 - detractors as f64) * 100.0 / n as f64);
    Nps {
        n,
        promoters,
        passives,
        detractors,
        score,
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
    /// Answers by value: from 1 upwards for scales, from 0 to 10 for `nps`, by option
    /// for choice items.
    pub counts: Vec<u64>,
    /// The mean value of a rated item.
    pub mean: Option<f64>,
    /// Descriptive statistics of a rated item with answers.
    pub statistics: Option<Descriptive>,
    /// For `nps` items.
    pub nps: Option<Nps>,
    /// For `satisfaction` items.
    pub index: Option<SatisfactionIndex>,
    /// Share (0…1) of 4 and 5 for `satisfaction` and `likert5` items.
    pub csat: Option<f64>,
    /// Share (0…1) of 6 and 7 for `likert7` items.
    pub top_two: Option<f64>,
    /// The texts of a `text` item.
    pub texts: Vec<String>,
}

/// The mean of all answers to the scale items that share a scale name, and the
/// scale's Cronbach's alpha.
#[derive(Debug, Serialize)]
pub struct ScaleResult {
    pub name: String,
    pub items: usize,
    pub mean: Option<f64>,
    pub alpha: CronbachAlpha,
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

/// The values one response gave to a list of items, with its pair key.
pub struct ResponseRow<'a> {
    pub pair_key: Option<&'a str>,
    /// One value per item, `None` for an item the response left out.
    pub values: Vec<Option<f64>>,
}

/// Returns one row per response with its values of `item_ids`, in that order.
pub fn response_rows<'a>(item_ids: &[i64], answers: &'a [ResponseAnswer]) -> Vec<ResponseRow<'a>> {
    let mut rows: BTreeMap<&str, ResponseRow> = BTreeMap::new();
    for answer in answers {
        let Some(column) = item_ids.iter().position(|id| *id == answer.item_id) else {
            continue;
        };
        let row = rows
            .entry(answer.response_key.as_str())
            .or_insert_with(|| ResponseRow {
                pair_key: answer.pair_key.as_deref(),
                values: vec![None; item_ids.len()],
            });
        row.values[column] = Some(answer.value as f64);
    }
    rows.into_values().collect()
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
    // Item ids and answer values of each named scale.
    let mut scale_values: BTreeMap<String, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
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
            statistics: None,
            nps: None,
            index: None,
            csat: None,
            top_two: None,
            texts: Vec::new(),
        };
        if let Some((low, high)) = value_range(&item.kind) {
            result.mean = mean(&values);
            result.statistics = describe(&values);
            result.counts = (low..=high)
                .map(|value| values.iter().filter(|v| **v == value).count() as u64)
                .collect();
        }
        if let (Some(_), Some(name)) = (scale_points(&item.kind), &item.scale) {
            let entry = scale_values.entry(name.clone()).or_default();
            entry.0.push(item.id);
            entry.1.extend(&values);
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
            "nps" => result.nps = Some(nps(&result.counts)),
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
            .map(|(name, (item_ids, values))| ScaleResult {
                alpha: cronbach_alpha(
                    &response_rows(&item_ids, answers)
                        .into_iter()
                        .map(|row| row.values)
                        .collect::<Vec<_>>(),
                    item_ids.len(),
                ),
                name,
                items: item_ids.len(),
                mean: mean(&values),
            })
            .collect(),
    }
}
