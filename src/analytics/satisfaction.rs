//! Satisfaction measures of a group: the satisfaction index, CSAT and top-box shares.
//!
//! The index is computed from the five-answer satisfaction question (fully satisfied,
//! rather satisfied, can't say, rather dissatisfied, fully dissatisfied). Each answer
//! gets a weight, by default +1, +0.5, 0,
//! −0.5 and −1, and the index is the sum of the weights divided by the number of
//! respondents. It lies between −1 (everyone fully dissatisfied) and +1 (everyone fully
//! satisfied). Whether "can't say" counts in the denominator is a setting.
//!
//! Answers are stored as values from 1 (the most negative) to the scale's maximum, so
//! for the satisfaction question 5 is "fully satisfied" and 1 "fully dissatisfied".

use serde::Serialize;

/// The number of answers of the satisfaction question.
pub const SATISFACTION_ANSWERS: usize = 5;
/// The stored value of "can't say".
pub const UNDECIDED_VALUE: usize = 3;

/// How the satisfaction index weighs answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IndexSettings {
    /// Weights of the answers by stored value, from 1 ("fully dissatisfied") to 5
    /// ("fully satisfied"). Each lies in −1…+1.
    pub weights: [f64; SATISFACTION_ANSWERS],
    /// Whether "can't say" answers count in the denominator.
    pub count_undecided: bool,
}

impl Default for IndexSettings {
    fn default() -> Self {
        Self {
            weights: [-1.0, -0.5, 0.0, 0.5, 1.0],
            count_undecided: true,
        }
    }
}

impl IndexSettings {
    /// Checks that every weight lies in −1…+1, the bound that keeps the index in −1…+1.
    /// Returns the first weight outside it, with its stored value.
    pub fn validate(&self) -> Result<(), (usize, f64)> {
        match self
            .weights
            .iter()
            .enumerate()
            .find(|(_, weight)| !(-1.0..=1.0).contains(*weight))
        {
            Some((index, weight)) => Err((index + 1, *weight)),
            None => Ok(()),
        }
    }
}

/// The satisfaction index of a group with the counts and settings it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionIndex {
    /// The index in −1…+1; `None` when the denominator is zero.
    pub value: Option<f64>,
    /// Answers by stored value, from 1 to 5 (index 0 holds the count of value 1).
    pub counts: [u64; SATISFACTION_ANSWERS],
    /// The number of respondents the weights were divided by.
    pub denominator: u64,
    pub settings: IndexSettings,
}

/// Computes the satisfaction index from answer counts by stored value (index 0 is
/// value 1, "fully dissatisfied"). Weights outside −1…+1 are clamped to it, so callers
/// should reject them with [`IndexSettings::validate`] first.
pub fn satisfaction_index(
    counts: [u64; SATISFACTION_ANSWERS],
    settings: IndexSettings,
) -> SatisfactionIndex {
    let total: u64 = counts.iter().sum();
    let undecided = counts[UNDECIDED_VALUE - 1];
    let denominator = if settings.count_undecided {
        total
    } else {
        total - undecided
    };
    let weighted: f64 = counts
        .iter()
        .zip(settings.weights)
        .enumerate()
        .filter(|(index, _)| settings.count_undecided || *index != UNDECIDED_VALUE - 1)
        .map(|(_, (count, weight))| *count as f64 * weight.clamp(-1.0, 1.0))
        .sum();
    let value = (denominator > 0).then(|| weighted / denominator as f64);
    SatisfactionIndex {
        value,
        counts,
        denominator,
        settings,
    }
}

/// Counts answers by stored value on a scale of `points` values; values outside
/// 1..=`points` are ignored.
pub fn count_values(values: impl IntoIterator<Item = i64>, points: usize) -> Vec<u64> {
    let mut counts = vec![0; points];
    for value in values {
        if value >= 1 && value as usize <= points {
            counts[value as usize - 1] += 1;
        }
    }
    counts
}

/// Returns the share (0…1) of answers in the top `top` values of a scale, given counts
/// by stored value from 1 upwards. CSAT is the top-two share of a 1–5 scale (answers 4
/// and 5); the same share fits a seven-point Likert item (answers 6 and 7). `None` when
/// there are no answers.
pub fn top_box_share(counts: &[u64], top: usize) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let start = counts.len().saturating_sub(top);
    let in_top: u64 = counts[start..].iter().sum();
    Some(in_top as f64 / total as f64)
}

/// Returns CSAT, the share (0…1) of 4 and 5 among answers on a 1–5 scale.
pub fn csat(counts: &[u64; 5]) -> Option<f64> {
    top_box_share(counts, 2)
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|value| (value - expected).abs() < 1e-12)
    }

    #[test]
    fn index_of_ten_answers_by_hand() {
        // 10 respondents: 3 fully satisfied, 4 rather satisfied, 1 can't say,
        // 1 rather dissatisfied, 1 fully dissatisfied.
        // 3·1 + 4·0.5 + 1·0 + 1·(−0.5) + 1·(−1) = 3 + 2 − 0.5 − 1 = 3.5; 3.5 / 10 = 0.35.
        let counts = [1, 1, 1, 4, 3];
        let index = satisfaction_index(counts, IndexSettings::default());
        assert!(close(index.value, 0.35), "{index:?}");
        assert_eq!(index.denominator, 10);
    }

    #[test]
    fn index_without_undecided_in_denominator() {
        // The same answers without "can't say" in the denominator: 3.5 / 9.
        let settings = IndexSettings {
            count_undecided: false,
            ..IndexSettings::default()
        };
        let index = satisfaction_index([1, 1, 1, 4, 3], settings);
        assert!(close(index.value, 3.5 / 9.0), "{index:?}");
        assert_eq!(index.denominator, 9);
    }

    #[test]
    fn index_with_custom_weights() {
        // Weights −1, −0.25, 0, 0.25, 1 and 2 fully satisfied, 2 rather dissatisfied:
        // (2·1 + 2·(−0.25)) / 4 = 1.5 / 4 = 0.375.
        let settings = IndexSettings {
            weights: [-1.0, -0.25, 0.0, 0.25, 1.0],
            count_undecided: true,
        };
        let index = satisfaction_index([0, 2, 0, 0, 2], settings);
        assert!(close(index.value, 0.375), "{index:?}");
        assert_eq!(index.settings, settings);
    }

    #[test]
    fn index_extremes_and_empty() {
        let settings = IndexSettings::default();
        assert!(close(
            satisfaction_index([0, 0, 0, 0, 7], settings).value,
            1.0
        ));
        assert!(close(
            satisfaction_index([7, 0, 0, 0, 0], settings).value,
            -1.0
        ));
        assert!(close(
            satisfaction_index([0, 0, 7, 0, 0], settings).value,
            0.0
        ));
        assert_eq!(satisfaction_index([0; 5], settings).value, None);
        let without_undecided = IndexSettings {
            count_undecided: false,
            ..settings
        };
        assert_eq!(
            satisfaction_index([0, 0, 7, 0, 0], without_undecided).value,
            None
        );
    }

    #[test]
    fn settings_reject_weight_above_one() {
        let settings = IndexSettings {
            weights: [-1.0, -0.5, 0.0, 0.5, 1.5],
            count_undecided: true,
        };
        assert_eq!(settings.validate(), Err((5, 1.5)));
        assert_eq!(IndexSettings::default().validate(), Ok(()));
    }

    #[test]
    fn index_stays_within_bounds() {
        let mut rng = StdRng::seed_from_u64(20261204);
        for _ in 0..10_000 {
            let counts: [u64; 5] = std::array::from_fn(|_| rng.gen_range(0..50));
            let settings = IndexSettings {
                weights: std::array::from_fn(|_| rng.gen_range(-1.0..=1.0)),
                count_undecided: rng.gen_bool(0.5),
            };
            let index = satisfaction_index(counts, settings);
            if let Some(value) = index.value {
                assert!(
                    (-1.0..=1.0).contains(&value),
                    "{value} from {counts:?} and {settings:?}"
                );
            }
        }
    }

    #[test]
    fn csat_by_hand() {
        // Answers 1..5 counted 1, 1, 2, 3, 3: 6 of 10 answered 4 or 5, so CSAT is 0.6.
        assert!(close(csat(&[1, 1, 2, 3, 3]), 0.6));
        assert_eq!(csat(&[0; 5]), None);
    }

    #[test]
    fn top_two_of_seven_points() {
        // 8 answers, 1 answered 6 and 3 answered 7: 4 / 8 = 0.5.
        assert!(close(top_box_share(&[1, 0, 1, 1, 1, 1, 3], 2), 0.5));
    }

    #[test]
    fn count_values_ignores_out_of_range() {
        assert_eq!(count_values([1, 5, 5, 0, 6, 3], 5), vec![1, 0, 1, 0, 2]);
    }
}
