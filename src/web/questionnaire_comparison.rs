//! Comparison of a `pre` and a `post` questionnaire, per rated item and per multi-item
//! scale. The Wilcoxon signed-rank test compares the same people's answers, paired by
//! pair key. The Mann–Whitney U test compares all `pre` with all `post` answers, and
//! the χ² test compares the two waves' answer distributions.
//!
//! Items are compared when they have the same position and kind in both waves, and
//! scales when they have the same name. The output carries only counts and test
//! results, never a response or pair key.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analytics::statistics::{
    chi_square, mann_whitney, wilcoxon, ChiSquare, MannWhitney, Wilcoxon,
};
use crate::store::questionnaires::{Item, ResponseAnswer};
use crate::web::questionnaire_results::{response_rows, scale_points, value_range};

/// The tests of one item or scale across the two waves.
#[derive(Debug, Serialize)]
pub struct WaveTests {
    /// Wilcoxon test of `post − pre` for people who answered both waves.
    pub wilcoxon: Wilcoxon,
    /// Mann–Whitney test of all `pre` against all `post` values.
    pub mann_whitney: MannWhitney,
    /// χ² test of wave × answer value.
    pub chi_square: ChiSquare,
}

#[derive(Debug, Serialize)]
pub struct ItemComparison {
    pub pre_item_id: i64,
    pub post_item_id: i64,
    pub position: i64,
    pub kind: String,
    pub prompt: String,
    #[serde(flatten)]
    pub tests: WaveTests,
}

/// The comparison of one scale. Scale scores are each person's mean over the scale's
/// items, for people who answered all of them; the χ² test counts the item answers.
#[derive(Debug, Serialize)]
pub struct ScaleComparison {
    pub name: String,
    #[serde(flatten)]
    pub tests: WaveTests,
}

#[derive(Debug, Serialize)]
pub struct WaveComparison {
    pub items: Vec<ItemComparison>,
    pub scales: Vec<ScaleComparison>,
}

/// One wave's items with its answers.
pub struct WaveAnswers<'a> {
    pub items: &'a [Item],
    pub answers: &'a [ResponseAnswer],
}

impl<'a> From<&'a (Vec<Item>, Vec<ResponseAnswer>)> for WaveAnswers<'a> {
    fn from((items, answers): &'a (Vec<Item>, Vec<ResponseAnswer>)) -> Self {
        WaveAnswers { items, answers }
    }
}

/// Returns each response's score (the mean of its values of `item_ids`) with its pair
/// key, for responses that answered every one of the items.
fn scores(item_ids: &[i64], answers: &[ResponseAnswer]) -> Vec<(Option<String>, f64)> {
    response_rows(item_ids, answers)
        .into_iter()
        .filter_map(|row| {
            let values: Vec<f64> = row.values.into_iter().collect::<Option<_>>()?;
            let score = values.iter().sum::<f64>() / values.len() as f64;
            Some((row.pair_key.map(str::to_string), score))
        })
        .collect()
}

/// Counts how often each of `levels` occurs in `values`.
fn count_row(values: &[f64], levels: &[f64]) -> Vec<u64> {
    levels
        .iter()
        .map(|level| values.iter().filter(|value| *value == level).count() as u64)
        .collect()
}

/// Runs the three tests on per-person values of both waves. `pre` and `post` are
/// scores keyed by pair key. `pre_values` and `post_values` are the answers the χ²
/// test counts, with `levels` the possible values.
fn run_tests(
    pre: &[(Option<String>, f64)],
    post: &[(Option<String>, f64)],
    pre_values: &[f64],
    post_values: &[f64],
    levels: &[f64],
) -> WaveTests {
    let post_by_pair: BTreeMap<&str, f64> = post
        .iter()
        .filter_map(|(pair, score)| pair.as_deref().map(|pair| (pair, *score)))
        .collect();
    let pairs: Vec<(f64, f64)> = pre
        .iter()
        .filter_map(|(pair, before)| {
            let after = post_by_pair.get(pair.as_deref()?)?;
            Some((*before, *after))
        })
        .collect();
    let pre_scores: Vec<f64> = pre.iter().map(|(_, score)| *score).collect();
    let post_scores: Vec<f64> = post.iter().map(|(_, score)| *score).collect();
    WaveTests {
        wilcoxon: wilcoxon(&pairs),
        mann_whitney: mann_whitney(&pre_scores, &post_scores),
        chi_square: chi_square(&[
            count_row(pre_values, levels),
            count_row(post_values, levels),
        ]),
    }
}

fn values_of(item_ids: &[i64], answers: &[ResponseAnswer]) -> Vec<f64> {
    answers
        .iter()
        .filter(|answer| item_ids.contains(&answer.item_id))
        .map(|answer| answer.value as f64)
        .collect()
}

fn levels_of(kind: &str) -> Vec<f64> {
    let (low, high) = value_range(kind).expect("a rated item");
    (low..=high).map(|value| value as f64).collect()
}

/// Returns the items of each named scale, in item order.
fn scale_items(items: &[Item]) -> BTreeMap<&str, Vec<&Item>> {
    let mut scales: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for item in items {
        if let (Some(_), Some(name)) = (scale_points(&item.kind), &item.scale) {
            scales.entry(name).or_default().push(item);
        }
    }
    scales
}

/// Compares the rated items and the scales of two waves.
pub fn compare_waves(pre: WaveAnswers, post: WaveAnswers) -> WaveComparison {
    let mut items = Vec::new();
    for pre_item in pre.items {
        if value_range(&pre_item.kind).is_none() {
            continue;
        }
        let Some(post_item) = post
            .items
            .iter()
            .find(|item| item.position == pre_item.position && item.kind == pre_item.kind)
        else {
            continue;
        };
        let pre_ids = [pre_item.id];
        let post_ids = [post_item.id];
        let tests = run_tests(
            &scores(&pre_ids, pre.answers),
            &scores(&post_ids, post.answers),
            &values_of(&pre_ids, pre.answers),
            &values_of(&post_ids, post.answers),
            &levels_of(&pre_item.kind),
        );
        items.push(ItemComparison {
            pre_item_id: pre_item.id,
            post_item_id: post_item.id,
            position: pre_item.position,
            kind: pre_item.kind.clone(),
            prompt: pre_item.prompt.clone(),
            tests,
        });
    }

    let post_scales = scale_items(post.items);
    let mut scales = Vec::new();
    for (name, pre_scale) in scale_items(pre.items) {
        let Some(post_scale) = post_scales.get(name) else {
            continue;
        };
        let pre_ids: Vec<i64> = pre_scale.iter().map(|item| item.id).collect();
        let post_ids: Vec<i64> = post_scale.iter().map(|item| item.id).collect();
        let mut levels: Vec<f64> = pre_scale
            .iter()
            .chain(post_scale)
            .flat_map(|item| levels_of(&item.kind))
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        let tests = run_tests(
            &scores(&pre_ids, pre.answers),
            &scores(&post_ids, post.answers),
            &values_of(&pre_ids, pre.answers),
            &values_of(&post_ids, post.answers),
            &levels,
        );
        scales.push(ScaleComparison {
            name: name.to_string(),
            tests,
        });
    }
    WaveComparison { items, scales }
}
