//! The statistics of questionnaire answers checked against SciPy.
//!
//! Expected values come from tests/reference/statistics.py, run with SciPy 1.17.1 and
//! NumPy 2.4.6. Wilcoxon values use `correction=True` and the method named in each
//! case.

use cowork::analytics::statistics::{
    chi_square, cronbach_alpha, describe, mann_whitney, wilcoxon, PMethod, NOTE_FEW_PAIRS,
    NOTE_SMALL_EXPECTED, NOTE_SMALL_GROUP, NOTE_TABLE_TOO_SMALL,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TOLERANCE: f64 = 1e-9;

fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what} is missing"));
    assert!(
        (actual - expected).abs() <= TOLERANCE * expected.abs().max(1.0),
        "{what}: {actual} != {expected}"
    );
}

fn pairs(before: &[f64], after: &[f64]) -> Vec<(f64, f64)> {
    before.iter().copied().zip(after.iter().copied()).collect()
}

#[test]
fn describe_matches_numpy() {
    // describe_likert
    let result = describe(&[4, 5, 3, 4, 2, 5, 4, 1, 3, 4]).unwrap();
    assert_eq!(result.n, 10);
    assert_close(Some(result.mean), 3.5, "mean");
    assert_close(result.sd, 1.2692955176439846, "sd");
    assert_close(Some(result.distribution.q1), 3.0, "q1");
    assert_close(Some(result.distribution.median), 4.0, "median");
    assert_close(Some(result.distribution.q3), 4.0, "q3");
    assert_eq!(result.distribution.min, 1.0);
    assert_eq!(result.distribution.max, 5.0);
    let counts: Vec<(i64, u64)> = result.counts.iter().map(|c| (c.value, c.count)).collect();
    assert_eq!(counts, vec![(1, 1), (2, 1), (3, 2), (4, 4), (5, 2)]);

    // describe_even
    let result = describe(&[1, 2, 3, 4]).unwrap();
    assert_close(Some(result.mean), 2.5, "mean");
    assert_close(result.sd, 1.2909944487358056, "sd");
    assert_close(Some(result.distribution.q1), 1.75, "q1");
    assert_close(Some(result.distribution.median), 2.5, "median");
    assert_close(Some(result.distribution.q3), 3.25, "q3");
}

#[test]
fn describe_edge_cases() {
    assert_eq!(describe(&[]), None);
    let single = describe(&[3]).unwrap();
    assert_eq!(single.n, 1);
    assert_eq!(single.sd, None);
}

#[test]
fn alpha_matches_formula() {
    // alpha_four_items
    let rows: Vec<Vec<Option<f64>>> = [
        [4, 5, 4, 4],
        [3, 3, 2, 3],
        [5, 5, 5, 4],
        [2, 1, 2, 2],
        [4, 4, 3, 5],
        [3, 4, 3, 3],
    ]
    .iter()
    .map(|row| row.iter().map(|v| Some(*v as f64)).collect())
    .collect();
    let result = cronbach_alpha(&rows, 4);
    assert_close(result.alpha, 0.9317269076305221, "alpha");
    assert_eq!(result.cases, 6);
    assert_eq!(result.items, 4);
}

#[test]
fn alpha_uses_complete_cases() {
    // alpha_incomplete
    let rows = vec![
        vec![Some(4.0), Some(5.0), Some(4.0)],
        vec![Some(3.0), None, Some(2.0)],
        vec![Some(5.0), Some(5.0), Some(5.0)],
        vec![Some(2.0), Some(1.0), Some(2.0)],
        vec![Some(1.0), Some(2.0), Some(2.0)],
    ];
    let result = cronbach_alpha(&rows, 3);
    assert_close(result.alpha, 0.9668674698795181, "alpha");
    assert_eq!(result.cases, 4);
}

#[test]
fn alpha_none_when_undefined() {
    let one_item = vec![vec![Some(1.0)], vec![Some(2.0)], vec![Some(3.0)]];
    assert_eq!(cronbach_alpha(&one_item, 1).alpha, None);
    let one_case = vec![vec![Some(1.0), Some(2.0)]];
    let result = cronbach_alpha(&one_case, 2);
    assert_eq!(result.alpha, None);
    assert_eq!(result.cases, 1);
    let constant = vec![vec![Some(3.0), Some(3.0)], vec![Some(3.0), Some(3.0)]];
    assert_eq!(cronbach_alpha(&constant, 2).alpha, None);
}

#[test]
fn wilcoxon_exact_without_ties() {
    // wilcoxon_exact
    let before = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06];
    let after = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.13];
    let result = wilcoxon(&pairs(&before, &after));
    assert_eq!(result.method, PMethod::Exact);
    assert_eq!(result.pairs, 8);
    assert_eq!(result.zeros, 0);
    assert_close(result.statistic, 3.0, "statistic");
    assert_close(result.p_value, 0.0390625, "p");
    assert_close(result.rank_biserial, -0.8333333333333334, "r");
    assert_eq!(result.note, None);
}

#[test]
fn wilcoxon_ties_and_zeros() {
    // wilcoxon_ties_zeros
    let before = [2., 3., 3., 4., 2., 1., 3., 4., 2., 3., 2., 5.];
    let after = [4., 4., 3., 5., 3., 3., 4., 4., 4., 5., 1., 5.];
    let result = wilcoxon(&pairs(&before, &after));
    assert_eq!(result.method, PMethod::Asymptotic);
    assert_eq!(result.pairs, 9);
    assert_eq!(result.zeros, 3);
    assert_close(result.statistic, 3.0, "statistic");
    assert_close(result.p_value, 0.02074429187411625, "p");
    assert_close(result.rank_biserial, 0.8666666666666667, "r");
    assert_eq!(result.note, None);
}

#[test]
fn wilcoxon_large_sample_is_asymptotic() {
    // wilcoxon_large
    let before = [
        3.001, 3.299, 2.726, 2.109, 2.545, 2.008, 3.060, 4.340, 2.508, 2.380, 3.490, 3.357, 3.105,
        2.070, 2.971, 3.695, 1.656, 2.542, 1.099, 1.710, 1.158, 2.765, 1.733, 3.271, 3.157, 2.813,
        0.483, 2.461, 2.951, 3.113, 1.470, 2.522, 2.021, 2.191, 4.061, 2.192, 2.967, 3.884, 2.416,
        2.888, 3.110, 3.064, 1.775, 3.076, 4.359, 1.453, 3.859, 3.119, 2.359, 5.000, 3.762, 1.801,
        3.075, 3.577, 2.811, 3.683, 2.933, 3.667, 4.439, 2.324,
    ];
    let after = [
        3.504, 3.136, 3.153, 1.222, 2.266, 2.112, 4.259, 5.785, 1.484, 1.885, 4.437, 1.665, 2.942,
        2.273, 4.528, 4.684, 1.629, 2.473, 1.149, 3.534, 1.030, 2.761, 2.386, 3.450, 3.260, 1.999,
        0.771, 2.317, 4.417, 4.066, 1.746, 3.490, 1.981, 3.543, 4.356, 3.075, 1.976, 4.531, 1.028,
        1.153, 3.106, 2.464, 2.239, 5.621, 3.827, 1.129, 4.364, 3.912, 2.483, 5.094, 4.764, 2.621,
        2.341, 3.798, 3.146, 2.929, 3.493, 3.109, 5.711, 2.817,
    ];
    let result = wilcoxon(&pairs(&before, &after));
    assert_eq!(result.method, PMethod::Asymptotic);
    assert_eq!(result.pairs, 60);
    assert_close(result.statistic, 646.0, "statistic");
    assert_close(result.p_value, 0.04808643276742794, "p");
    assert_close(result.rank_biserial, 0.2939890710382514, "r");
}

#[test]
fn wilcoxon_notes_few_pairs() {
    let result = wilcoxon(&pairs(&[1., 2., 3., 3.], &[2., 4., 5., 3.]));
    assert_eq!(result.pairs, 3);
    assert_eq!(result.zeros, 1);
    assert_eq!(result.note, Some(NOTE_FEW_PAIRS));
    assert!(result.p_value.is_some());
    let empty = wilcoxon(&pairs(&[2., 3.], &[2., 3.]));
    assert_eq!(empty.pairs, 0);
    assert_eq!(empty.p_value, None);
    assert_eq!(empty.statistic, None);
}

#[test]
fn mann_whitney_exact() {
    // mwu_exact
    let result = mann_whitney(&[19., 22., 16., 29., 24.], &[20., 11., 17., 12.]);
    assert_eq!(result.method, PMethod::Exact);
    assert_eq!(result.n1, 5);
    assert_eq!(result.n2, 4);
    assert_close(result.u, 17.0, "u");
    assert_close(result.p_value, 0.1111111111111111, "p");
    assert_close(result.rank_biserial, -0.7, "r");
    assert_eq!(result.note, Some(NOTE_SMALL_GROUP));
}

#[test]
fn mann_whitney_with_ties() {
    // mwu_ties
    let first = [2., 3., 3., 4., 2., 1., 3., 4., 2., 3.];
    let second = [4., 4., 3., 5., 3., 3., 4., 4., 4., 5., 1.];
    let result = mann_whitney(&first, &second);
    assert_eq!(result.method, PMethod::Asymptotic);
    assert_close(result.u, 26.5, "u");
    assert_close(result.p_value, 0.040181521081521114, "p");
    assert_close(result.rank_biserial, 0.5181818181818182, "r");
    assert_eq!(result.note, None);
}

#[test]
fn mann_whitney_large_without_ties() {
    // mwu_large_no_ties
    let first = [1.1, 2.3, 3.5, 4.2, 5.9, 6.1, 7.4, 8.8, 9.0, 10.5];
    let second = [2.2, 4.4, 6.6, 8.1, 10.2, 12.3, 14.5, 16.7, 18.9];
    let result = mann_whitney(&first, &second);
    assert_eq!(result.method, PMethod::Asymptotic);
    assert_close(result.u, 23.0, "u");
    assert_close(result.p_value, 0.0791793495755705, "p");
    assert_close(result.rank_biserial, 0.48888888888888893, "r");
}

#[test]
fn mann_whitney_empty_group() {
    let result = mann_whitney(&[1., 2.], &[]);
    assert_eq!(result.n2, 0);
    assert_eq!(result.p_value, None);
    assert_eq!(result.note, Some(NOTE_SMALL_GROUP));
}

#[test]
fn chi_square_two_by_two_yates() {
    // chi_2x2_yates
    let result = chi_square(&[vec![12, 5], vec![7, 14]]);
    assert_eq!(result.dof, 1);
    assert_eq!(result.n, 38);
    assert_close(result.statistic, 3.831932773109244, "statistic");
    assert_close(result.p_value, 0.05028491606049412, "p");
    assert_close(result.cramers_v, 0.3704792868174742, "V");
    assert_eq!(result.note, None);
}

#[test]
fn chi_square_drops_empty_columns() {
    // The 2×2 table of chi_2x2_yates with an empty column and an empty row added.
    let result = chi_square(&[vec![12, 0, 5], vec![0, 0, 0], vec![7, 0, 14]]);
    assert_eq!(result.rows, 2);
    assert_eq!(result.columns, 2);
    assert_eq!(result.dof, 1);
    assert_close(result.statistic, 3.831932773109244, "statistic");
    assert_close(result.p_value, 0.05028491606049412, "p");
}

#[test]
fn chi_square_small_expected_counts() {
    // chi_2x5
    let result = chi_square(&[vec![1, 3, 5, 8, 3], vec![0, 1, 4, 9, 6]]);
    assert_eq!(result.dof, 4);
    assert_close(result.statistic, 3.1699346405228757, "statistic");
    assert_close(result.p_value, 0.5298006610308146, "p");
    assert_close(result.cramers_v, 0.28151086304629863, "V");
    assert_eq!(result.note, Some(NOTE_SMALL_EXPECTED));
}

#[test]
fn chi_square_three_by_three() {
    // chi_3x3
    let result = chi_square(&[vec![20, 15, 5], vec![10, 25, 15], vec![5, 10, 30]]);
    assert_eq!(result.dof, 4);
    assert_close(result.statistic, 36.20357142857142, "statistic");
    assert_close(result.p_value, 2.6276548601661265e-07, "p");
    assert_close(result.cramers_v, 0.36617932981983237, "V");
    assert_eq!(result.note, None);
}

#[test]
fn chi_square_single_column() {
    let result = chi_square(&[vec![4, 0], vec![6, 0]]);
    assert_eq!(result.n, 10);
    assert_eq!(result.statistic, None);
    assert_eq!(result.note, Some(NOTE_TABLE_TOO_SMALL));
}

#[test]
fn results_stay_in_bounds() {
    let mut rng = StdRng::seed_from_u64(20261205);
    for _ in 0..500 {
        let size = rng.gen_range(1..40);
        let before: Vec<f64> = (0..size).map(|_| rng.gen_range(1..=5) as f64).collect();
        let after: Vec<f64> = (0..size).map(|_| rng.gen_range(1..=5) as f64).collect();
        let paired = wilcoxon(&pairs(&before, &after));
        if let Some(p) = paired.p_value {
            assert!((0.0..=1.0).contains(&p), "Wilcoxon p {p}");
        }
        if let Some(r) = paired.rank_biserial {
            assert!((-1.0..=1.0).contains(&r), "Wilcoxon r {r}");
        }
        let unpaired = mann_whitney(&before, &after[..rng.gen_range(1..=size)]);
        // The p-value is missing only when every value is equal.
        if let Some(p) = unpaired.p_value {
            assert!((0.0..=1.0).contains(&p), "Mann–Whitney p {p}");
        }
        let r = unpaired.rank_biserial.unwrap();
        assert!((-1.0..=1.0).contains(&r), "Mann–Whitney r {r}");
        let table: Vec<Vec<u64>> = (0..rng.gen_range(1..4))
            .map(|_| {
                (0..rng.gen_range(1..6))
                    .map(|_| rng.gen_range(0..8))
                    .collect()
            })
            .collect();
        let independence = chi_square(&table);
        if let Some(p) = independence.p_value {
            assert!((0.0..=1.0).contains(&p), "χ² p {p} of {table:?}");
        }
        if let Some(v) = independence.cramers_v {
            assert!((0.0..=1.0).contains(&v), "Cramér's V {v} of {table:?}");
        }
    }
}

#[test]
fn exact_and_asymptotic_agree_roughly() {
    // With 20 distinct differences the exact and the normal p-values differ little.
    let differences: Vec<(f64, f64)> = (1..=20)
        .map(|i| (0.0, if i % 3 == 0 { -(i as f64) } else { i as f64 }))
        .collect();
    let exact = wilcoxon(&differences);
    assert_eq!(exact.method, PMethod::Exact);
    let mut with_zero = differences.clone();
    with_zero.push((1.0, 1.0));
    let approximate = wilcoxon(&with_zero);
    assert_eq!(approximate.method, PMethod::Asymptotic);
    let gap = (exact.p_value.unwrap() - approximate.p_value.unwrap()).abs();
    assert!(
        gap < 0.01,
        "exact {exact:?} and approximate {approximate:?}"
    );
}
