//! Statistics of questionnaire answers: descriptive statistics, Cronbach's alpha, the
//! Wilcoxon signed-rank test, the Mann–Whitney U test and the χ² test of independence.
//!
//! The tests follow SciPy 1.17 (`scipy.stats.wilcoxon`, `mannwhitneyu` and
//! `chi2_contingency`) and are checked against values that
//! tests/reference/statistics.py prints. The normal and χ² distributions come from
//! `statrs`. Every test returns the sample size it used and, when that sample is too
//! small for the result to mean much, a note: a Fluent message id that the report
//! page translates.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use crate::analytics::mobility::Distribution;

/// Note when a Wilcoxon test has fewer than [`MIN_PAIRS`] non-zero differences.
pub const NOTE_FEW_PAIRS: &str = "statistics-note-few-pairs";
/// Note when a Mann–Whitney group has fewer than [`MIN_GROUP`] values.
pub const NOTE_SMALL_GROUP: &str = "statistics-note-small-group";
/// Note when more than 20 % of a χ² table's expected counts are under 5.
pub const NOTE_SMALL_EXPECTED: &str = "statistics-note-small-expected";
/// Note when a χ² table has fewer than two non-empty rows or columns.
pub const NOTE_TABLE_TOO_SMALL: &str = "statistics-note-table-too-small";

/// The number of non-zero differences below which a Wilcoxon result gets a note.
pub const MIN_PAIRS: usize = 6;
/// The group size below which a Mann–Whitney result gets a note.
pub const MIN_GROUP: usize = 5;
/// The largest number of non-zero differences for the exact Wilcoxon p-value, as the
/// `method="auto"` of SciPy 1.17.
const MAX_EXACT_PAIRS: usize = 50;
/// Mann–Whitney uses the exact p-value when one group has at most this many values and
/// there are no ties, as the `method="auto"` of SciPy 1.17.
const MAX_EXACT_GROUP: usize = 8;

/// The method that computed a p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PMethod {
    /// From the exact null distribution of the statistic.
    Exact,
    /// From the normal approximation with tie and continuity correction.
    Asymptotic,
}

/// The count of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValueCount {
    pub value: i64,
    pub count: u64,
}

/// Descriptive statistics of a list of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Descriptive {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (divided by n − 1), or `None` for a single value.
    pub sd: Option<f64>,
    /// Minimum, quartiles, median and maximum, interpolated as NumPy's `percentile`.
    #[serde(flatten)]
    pub distribution: Distribution,
    /// Counts by value, in increasing value order.
    pub counts: Vec<ValueCount>,
}

/// Computes descriptive statistics of `values`, or `None` when there are none.
pub fn describe(values: &[i64]) -> Option<Descriptive> {
    let as_float: Vec<f64> = values.iter().map(|value| *value as f64).collect();
    let distribution = Distribution::of(&as_float)?;
    let n = values.len();
    let mean = as_float.iter().sum::<f64>() / n as f64;
    let sd = (n >= 2).then(|| {
        let squares: f64 = as_float.iter().map(|value| (value - mean).powi(2)).sum();
        (squares / (n - 1) as f64).sqrt()
    });
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut counts: Vec<ValueCount> = Vec::new();
    for value in sorted {
        match counts.last_mut() {
            Some(last) if last.value == value => last.count += 1,
            _ => counts.push(ValueCount { value, count: 1 }),
        }
    }
    Some(Descriptive {
        n,
        mean,
        sd,
        distribution,
        counts,
    })
}

fn sample_variance(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    values
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0)
}

/// Cronbach's alpha of a multi-item scale with the number of cases it used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CronbachAlpha {
    /// `None` with fewer than 2 items or 2 complete cases, or when the total scores do
    /// not vary.
    pub alpha: Option<f64>,
    /// Rows with a value for every item of the scale.
    pub cases: usize,
    pub items: usize,
}

/// Computes Cronbach's alpha, k / (k − 1) · (1 − Σ item variances / variance of the
/// totals), from rows of respondents × items. Only complete rows count.
pub fn cronbach_alpha(rows: &[Vec<Option<f64>>], items: usize) -> CronbachAlpha {
    let complete: Vec<Vec<f64>> = rows
        .iter()
        .filter(|row| row.len() == items)
        .filter_map(|row| row.iter().copied().collect::<Option<Vec<f64>>>())
        .collect();
    let cases = complete.len();
    let mut result = CronbachAlpha {
        alpha: None,
        cases,
        items,
    };
    if items < 2 || cases < 2 {
        return result;
    }
    let item_variances: f64 = (0..items)
        .map(|item| {
            let column: Vec<f64> = complete.iter().map(|row| row[item]).collect();
            sample_variance(&column)
        })
        .sum();
    let totals: Vec<f64> = complete.iter().map(|row| row.iter().sum()).collect();
    let total_variance = sample_variance(&totals);
    if total_variance == 0.0 {
        return result;
    }
    let k = items as f64;
    result.alpha = Some(k / (k - 1.0) * (1.0 - item_variances / total_variance));
    result
}

/// Returns the average ranks (from 1) of `values` and the sizes of their groups of
/// equal values, as SciPy's `rankdata(method="average")`.
fn average_ranks(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold equal values: each gets the mean of ranks
        // start + 1 ..= end.
        let rank = (start + 1 + end) as f64 / 2.0;
        for position in start..end {
            ranks[order[position]] = rank;
        }
        ties.push(end - start);
        start = end;
    }
    (ranks, ties)
}

/// Σ (t³ − t) over the sizes `t` of groups of equal values.
fn tie_term(ties: &[usize]) -> f64 {
    ties.iter()
        .map(|t| {
            let t = *t as f64;
            t * t * t - t
        })
        .sum()
}

/// Returns the two-sided p-value of a standard normal `z`.
fn two_sided_normal(z: f64) -> f64 {
    let normal = Normal::standard();
    (2.0 * normal.sf(z.abs())).clamp(0.0, 1.0)
}

/// The Wilcoxon signed-rank test of paired values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wilcoxon {
    /// Pairs with a non-zero difference: the sample the test used.
    pub pairs: usize,
    /// Pairs dropped because their difference was zero (`zero_method="wilcox"`).
    pub zeros: usize,
    /// min(R⁺, R⁻), the statistic SciPy reports for a two-sided test.
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub method: PMethod,
    /// Matched-pairs rank-biserial correlation (R⁺ − R⁻) / (R⁺ + R⁻) of the differences
    /// `after − before`: positive when values rose.
    pub rank_biserial: Option<f64>,
    pub note: Option<&'static str>,
}

/// Counts the subsets of {1, …, n} by their sum: the null distribution of R⁺ times 2ⁿ.
/// Exact in `f64` up to n = 50, where the counts stay below 2⁵³.
fn signed_rank_counts(n: usize) -> Vec<f64> {
    let max_sum = n * (n + 1) / 2;
    let mut counts = vec![0.0; max_sum + 1];
    counts[0] = 1.0;
    for rank in 1..=n {
        for sum in (rank..=max_sum).rev() {
            counts[sum] += counts[sum - rank];
        }
    }
    counts
}

/// Runs the two-sided Wilcoxon signed-rank test on pairs `(before, after)`.
///
/// Zero differences are dropped. The p-value is exact, as SciPy's `method="exact"`,
/// with at most 50 pairs and neither ties nor zeros. Otherwise it comes from the normal
/// approximation with tie and continuity correction, as SciPy's
/// `method="asymptotic", correction=True`.
/// NOTE: for 13 or fewer pairs with ties or zeros, SciPy 1.17's `method="auto"` runs a
/// permutation test in place of the normal approximation, so its p-value differs.
pub fn wilcoxon(pairs: &[(f64, f64)]) -> Wilcoxon {
    let differences: Vec<f64> = pairs
        .iter()
        .map(|(before, after)| after - before)
        .filter(|difference| *difference != 0.0)
        .collect();
    let n = differences.len();
    let zeros = pairs.len() - n;
    let note = (n < MIN_PAIRS).then_some(NOTE_FEW_PAIRS);
    let mut result = Wilcoxon {
        pairs: n,
        zeros,
        statistic: None,
        p_value: None,
        method: PMethod::Asymptotic,
        rank_biserial: None,
        note,
    };
    if n == 0 {
        return result;
    }
    let magnitudes: Vec<f64> = differences.iter().map(|d| d.abs()).collect();
    let (ranks, ties) = average_ranks(&magnitudes);
    let r_plus: f64 = differences
        .iter()
        .zip(&ranks)
        .filter(|(difference, _)| **difference > 0.0)
        .map(|(_, rank)| rank)
        .sum();
    let total = (n * (n + 1)) as f64 / 2.0;
    let r_minus = total - r_plus;
    result.statistic = Some(r_plus.min(r_minus));
    result.rank_biserial = Some((r_plus - r_minus) / total);

    let has_ties = ties.iter().any(|size| *size > 1);
    if !has_ties && zeros == 0 && n <= MAX_EXACT_PAIRS {
        let counts = signed_rank_counts(n);
        let all = 2f64.powi(n as i32);
        // Without ties R⁺ is a whole number.
        let k = r_plus.round() as usize;
        let lower: f64 = counts[..=k].iter().sum::<f64>() / all;
        let upper: f64 = counts[k..].iter().sum::<f64>() / all;
        result.method = PMethod::Exact;
        result.p_value = Some((2.0 * lower.min(upper)).clamp(0.0, 1.0));
        return result;
    }
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let variance = (nf * (nf + 1.0) * (2.0 * nf + 1.0) - tie_term(&ties) / 2.0) / 24.0;
    let se = variance.sqrt();
    if se == 0.0 {
        return result;
    }
    let z = (r_plus - mean) / se;
    let corrected = z - z.signum() * 0.5 / se;
    result.p_value = Some(two_sided_normal(corrected));
    result
}

/// The Mann–Whitney U test of two unpaired groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MannWhitney {
    pub n1: usize,
    pub n2: usize,
    /// U of the first group, as SciPy reports it.
    pub u: Option<f64>,
    pub p_value: Option<f64>,
    pub method: PMethod,
    /// Rank-biserial correlation 1 − 2·U / (n1·n2): positive when the second group
    /// tends to have the higher values.
    pub rank_biserial: Option<f64>,
    pub note: Option<&'static str>,
}

/// Counts the arrangements of two groups of sizes `n1` and `n2` by their U: the
/// coefficients of the Gaussian binomial [n1 + n2 choose n1] in q.
fn u_counts(n1: usize, n2: usize) -> Vec<f64> {
    let max_u = n1 * n2;
    let mut counts = vec![0.0; max_u + 1];
    counts[0] = 1.0;
    // Step i turns [n2 + i − 1 choose i − 1] into [n2 + i choose i] by multiplying by
    // (1 − q^(n2 + i)) and dividing by (1 − q^i).
    for i in 1..=n1 {
        let factor = n2 + i;
        for u in (factor..=max_u).rev() {
            counts[u] -= counts[u - factor];
        }
        for u in i..=max_u {
            counts[u] += counts[u - i];
        }
    }
    counts
}

/// Runs the two-sided Mann–Whitney U test of `first` against `second`.
///
/// The p-value is exact when either group has at most 8 values and there are no ties,
/// and otherwise comes from the normal approximation with tie and continuity
/// correction, both as SciPy's `method="auto"`.
pub fn mann_whitney(first: &[f64], second: &[f64]) -> MannWhitney {
    let (n1, n2) = (first.len(), second.len());
    let note = (n1 < MIN_GROUP || n2 < MIN_GROUP).then_some(NOTE_SMALL_GROUP);
    let mut result = MannWhitney {
        n1,
        n2,
        u: None,
        p_value: None,
        method: PMethod::Asymptotic,
        rank_biserial: None,
        note,
    };
    if n1 == 0 || n2 == 0 {
        return result;
    }
    let combined: Vec<f64> = first.iter().chain(second).copied().collect();
    let (ranks, ties) = average_ranks(&combined);
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - n1f * (n1f + 1.0) / 2.0;
    let u2 = n1f * n2f - u1;
    let u = u1.max(u2);
    result.u = Some(u1);
    result.rank_biserial = Some(1.0 - 2.0 * u1 / (n1f * n2f));

    let has_ties = ties.iter().any(|size| *size > 1);
    if (n1 <= MAX_EXACT_GROUP || n2 <= MAX_EXACT_GROUP) && !has_ties {
        let counts = u_counts(n1, n2);
        let all: f64 = counts.iter().sum();
        let at_least: f64 = counts[u.round() as usize..].iter().sum();
        result.method = PMethod::Exact;
        result.p_value = Some((2.0 * at_least / all).clamp(0.0, 1.0));
        return result;
    }
    let n = n1f + n2f;
    let s = (n1f * n2f / 12.0 * ((n + 1.0) - tie_term(&ties) / (n * (n - 1.0)))).sqrt();
    if s == 0.0 {
        return result;
    }
    let z = (u - n1f * n2f / 2.0 - 0.5) / s;
    result.p_value = Some((2.0 * Normal::standard().sf(z)).clamp(0.0, 1.0));
    result
}

/// The χ² test of independence of a contingency table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquare {
    /// The total count of the table.
    pub n: u64,
    /// Rows and columns left after dropping those without any count.
    pub rows: usize,
    pub columns: usize,
    /// The statistic, with Yates' correction when there is 1 degree of freedom.
    pub statistic: Option<f64>,
    pub dof: usize,
    pub p_value: Option<f64>,
    /// Cramér's V from the uncorrected statistic, as SciPy's
    /// `contingency.association(method="cramer")`.
    pub cramers_v: Option<f64>,
    pub note: Option<&'static str>,
}

/// Runs the χ² test of independence on `table` (rows of counts), as SciPy's
/// `chi2_contingency` with its default Yates correction for 1 degree of freedom. Rows
/// and columns without any count are dropped first, because SciPy rejects tables with
/// an expected count of zero.
pub fn chi_square(table: &[Vec<u64>]) -> ChiSquare {
    let width = table.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |row: &Vec<u64>, column: usize| row.get(column).copied().unwrap_or(0);
    let kept_columns: Vec<usize> = (0..width)
        .filter(|column| table.iter().any(|row| cell(row, *column) > 0))
        .collect();
    let observed: Vec<Vec<f64>> = table
        .iter()
        .filter(|row| row.iter().any(|count| *count > 0))
        .map(|row| {
            kept_columns
                .iter()
                .map(|column| cell(row, *column) as f64)
                .collect()
        })
        .collect();

    let rows = observed.len();
    let columns = kept_columns.len();
    let n: f64 = observed.iter().flatten().sum();
    let mut result = ChiSquare {
        n: n as u64,
        rows,
        columns,
        statistic: None,
        dof: 0,
        p_value: None,
        cramers_v: None,
        note: Some(NOTE_TABLE_TOO_SMALL),
    };
    if rows < 2 || columns < 2 {
        return result;
    }

    let row_sums: Vec<f64> = observed.iter().map(|row| row.iter().sum()).collect();
    let column_sums: Vec<f64> = (0..columns)
        .map(|column| observed.iter().map(|row| row[column]).sum())
        .collect();
    let dof = (rows - 1) * (columns - 1);
    let mut plain = 0.0;
    let mut corrected = 0.0;
    let mut small_cells = 0;
    for (row, row_sum) in observed.iter().zip(&row_sums) {
        for (count, column_sum) in row.iter().zip(&column_sums) {
            let expected = row_sum * column_sum / n;
            if expected < 5.0 {
                small_cells += 1;
            }
            let difference = count - expected;
            plain += difference * difference / expected;
            // Yates moves each count toward its expected count by at most 0.5.
            let yates = difference.signum() * (difference.abs() - 0.5).max(0.0);
            corrected += yates * yates / expected;
        }
    }

    let statistic = if dof == 1 { corrected } else { plain };
    let distribution = ChiSquared::new(dof as f64).expect("dof is positive");
    let smaller_side = (rows.min(columns) - 1) as f64;
    result.statistic = Some(statistic);
    result.dof = dof;
    result.p_value = Some(distribution.sf(statistic).clamp(0.0, 1.0));
    result.cramers_v = Some((plain / (n * smaller_side)).sqrt().min(1.0));
    let cells = (rows * columns) as f64;
    result.note = (small_cells as f64 > 0.2 * cells).then_some(NOTE_SMALL_EXPECTED);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        let (ranks, ties) = average_ranks(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(ranks, vec![3.5, 1.0, 3.5, 2.0]);
        assert_eq!(ties, vec![1, 1, 2]);
    }

    #[test]
    fn signed_rank_counts_sum_to_power() {
        let counts = signed_rank_counts(10);
        assert_eq!(counts.iter().sum::<f64>(), 1024.0);
        assert_eq!(counts.len(), 56);
        // Sums of subsets of {1, 2, 3}: 0, 1, 2, 3 (twice), 4, 5, 6.
        assert_eq!(
            signed_rank_counts(3),
            vec![1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]
        );
    }

    #[test]
    fn u_counts_match_binomial() {
        // C(7, 3) = 35 arrangements of groups of 3 and 4.
        let counts = u_counts(3, 4);
        assert_eq!(counts.iter().sum::<f64>(), 35.0);
        assert_eq!(counts.len(), 13);
        // U = 0 and U = 12 each have a single arrangement.
        assert_eq!(counts[0], 1.0);
        assert_eq!(counts[12], 1.0);
        assert_eq!(u_counts(4, 3), counts);
    }
}
