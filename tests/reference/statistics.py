"""Print reference values for the tests in tests/statistics.rs.

Run with `python3 tests/reference/statistics.py` after `pip install scipy`. The
values in tests/statistics.rs were printed with SciPy 1.17.1 and NumPy 2.4.6.

Wilcoxon runs with `correction=True` and an explicit `method`, because the Rust
code applies the continuity correction and uses the normal approximation wherever
SciPy 1.17's `method="auto"` would run a permutation test (13 or fewer pairs with
ties or zeros).
"""

import numpy as np
import scipy
from scipy import stats
from scipy.stats.contingency import association

print(f"# SciPy {scipy.__version__}, NumPy {np.__version__}")


def show(name, **values):
    parts = ", ".join(f"{key}={value!r}" for key, value in values.items())
    print(f"{name}: {parts}")


def describe(name, values):
    values = np.asarray(values, dtype=float)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    show(
        name,
        n=len(values),
        mean=float(values.mean()),
        sd=float(values.std(ddof=1)),
        q1=float(q1),
        median=float(median),
        q3=float(q3),
    )


def cronbach(name, rows):
    """Cronbach's alpha from its formula, over complete rows only."""
    data = np.array([row for row in rows if None not in row], dtype=float)
    k = data.shape[1]
    item_variances = data.var(axis=0, ddof=1).sum()
    total_variance = data.sum(axis=1).var(ddof=1)
    alpha = k / (k - 1) * (1 - item_variances / total_variance)
    show(name, alpha=float(alpha), cases=len(data))


def rank_biserial_paired(before, after):
    d = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    r_plus = ranks[d > 0].sum()
    r_minus = ranks[d < 0].sum()
    return float((r_plus - r_minus) / (r_plus + r_minus))


def wilcoxon(name, before, after, method):
    result = stats.wilcoxon(
        after, before, zero_method="wilcox", correction=True, method=method
    )
    show(
        name,
        statistic=float(result.statistic),
        p=float(result.pvalue),
        r=rank_biserial_paired(before, after),
    )


def mann_whitney(name, first, second, method="auto"):
    result = stats.mannwhitneyu(first, second, method=method)
    r = 1 - 2 * result.statistic / (len(first) * len(second))
    show(name, u=float(result.statistic), p=float(result.pvalue), r=float(r))


def chi_square(name, table):
    table = np.asarray(table)
    result = stats.chi2_contingency(table)
    v = association(table, method="cramer")
    show(
        name,
        statistic=float(result.statistic),
        dof=int(result.dof),
        p=float(result.pvalue),
        v=float(v),
    )


describe("describe_likert", [4, 5, 3, 4, 2, 5, 4, 1, 3, 4])
describe("describe_even", [1, 2, 3, 4])

cronbach(
    "alpha_four_items",
    [
        [4, 5, 4, 4],
        [3, 3, 2, 3],
        [5, 5, 5, 4],
        [2, 1, 2, 2],
        [4, 4, 3, 5],
        [3, 4, 3, 3],
    ],
)
cronbach(
    "alpha_incomplete",
    [
        [4, 5, 4],
        [3, None, 2],
        [5, 5, 5],
        [2, 1, 2],
        [1, 2, 2],
    ],
)

# Exact: eight pairs, no ties, no zeros.
wilcoxon(
    "wilcoxon_exact",
    [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06],
    [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.13],
    "exact",
)
# Asymptotic: Likert values with ties and three zero differences.
wilcoxon(
    "wilcoxon_ties_zeros",
    [2, 3, 3, 4, 2, 1, 3, 4, 2, 3, 2, 5],
    [4, 4, 3, 5, 3, 3, 4, 4, 4, 5, 1, 5],
    "asymptotic",
)
# Asymptotic: 60 pairs without ties, past the exact limit of 50.
rng = np.random.default_rng(7)
before = np.round(rng.normal(3.0, 1.0, 60), 3)
after = np.round(before + rng.normal(0.3, 1.0, 60), 3)
print("wilcoxon_large_before:", ", ".join(f"{v:.3f}" for v in before))
print("wilcoxon_large_after:", ", ".join(f"{v:.3f}" for v in after))
wilcoxon("wilcoxon_large", before, after, "asymptotic")

mann_whitney("mwu_exact", [19, 22, 16, 29, 24], [20, 11, 17, 12])
mann_whitney(
    "mwu_ties",
    [2, 3, 3, 4, 2, 1, 3, 4, 2, 3],
    [4, 4, 3, 5, 3, 3, 4, 4, 4, 5, 1],
)
mann_whitney(
    "mwu_large_no_ties",
    [1.1, 2.3, 3.5, 4.2, 5.9, 6.1, 7.4, 8.8, 9.0, 10.5],
    [2.2, 4.4, 6.6, 8.1, 10.2, 12.3, 14.5, 16.7, 18.9],
)

chi_square("chi_2x2_yates", [[12, 5], [7, 14]])
chi_square("chi_2x5", [[1, 3, 5, 8, 3], [0, 1, 4, 9, 6]])
chi_square("chi_3x3", [[20, 15, 5], [10, 25, 15], [5, 10, 30]])
