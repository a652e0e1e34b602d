"""Cramér's V, tetrachoric and polychoric correlations, proportion agreement."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats
from scipy.stats.contingency import association

from socialkit.validation import (
    bvn_cdf,
    cramers_v,
    polychoric,
    proportion_agreement,
    tetrachoric,
)


def _bvn_quad(h, k, rho):
    """P(X <= h, Y <= k) by 1-D numerical integration of phi(x) * P(Y <= k | X = x)."""
    s = np.sqrt(1 - rho ** 2)
    return integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((k - rho * x) / s),
                          -np.inf, h, epsabs=1e-13, epsrel=1e-12)[0]


@pytest.mark.parametrize("h,k,rho", [(0.3, -0.2, 0.7), (0.0, 0.5, 0.3), (1.2, 0.0, -0.5),
                                     (0.0, 0.0, -0.8), (-3, 2, 0.99), (2, 2, -0.95),
                                     (-1.5, -0.7, 0.0), (-0.4, 1.1, -0.3)])
def test_bvn_cdf_against_numerical_integration(h, k, rho):
    assert float(bvn_cdf(h, k, rho)) == pytest.approx(_bvn_quad(h, k, rho), abs=1e-12)


def test_bvn_cdf_infinite_limits():
    assert bvn_cdf([np.inf, -np.inf, 0.5, np.inf], [0.5, 0.5, -np.inf, np.inf], 0.4).tolist() \
        == pytest.approx([stats.norm.cdf(0.5), 0.0, 0.0, 1.0])


# ---- Cramér's V ------------------------------------------------------------------------------
def test_cramers_v_hand_value_and_scipy():
    t = np.array([[20, 10], [10, 20]])
    # chi2 = sum (O-E)^2/E with E = 15 everywhere: 4 * 25/15; V = sqrt(chi2 / 60)
    assert cramers_v(t) == pytest.approx(np.sqrt(4 * 25 / 15 / 60))
    obs = np.array([[100, 150], [203, 322], [420, 700], [320, 210]])
    assert cramers_v(obs) == pytest.approx(association(obs, method="cramer"))
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 4, 300), rng.integers(0, 3, 300)
    table = np.zeros((4, 3), dtype=int)
    np.add.at(table, (x, y), 1)
    assert cramers_v(x, y) == pytest.approx(association(table, method="cramer"))


def test_cramers_v_bergsma_correction_by_hand():
    t = np.array([[12, 5, 3], [4, 9, 7]], dtype=float)
    n, r, c = t.sum(), 2, 3
    chi2 = stats.chi2_contingency(t, correction=False).statistic
    phi2 = max(0, chi2 / n - (r - 1) * (c - 1) / (n - 1))
    rr, cc = r - (r - 1) ** 2 / (n - 1), c - (c - 1) ** 2 / (n - 1)
    assert cramers_v(t, bias_correction=True) == pytest.approx(np.sqrt(phi2 / (min(rr, cc) - 1)))
    assert cramers_v(t, bias_correction=True) < cramers_v(t)
    # independent variables: the corrected V is near 0, the plain one is biased upward
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 6, 200), rng.integers(0, 6, 200)
    assert cramers_v(x, y, bias_correction=True) < 0.5 * cramers_v(x, y)


def test_cramers_v_weights_equal_repeated_rows():
    x, y = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    assert cramers_v(x, y, weights=[2, 1, 1, 1, 1]) == pytest.approx(
        cramers_v([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 0]))


# ---- tetrachoric / polychoric -----------------------------------------------------------------
def _tetrachoric_reference(t):
    """Independent reference: in a 2x2 table the ML fit is exact, so find rho with
    P(X <= h, Y <= k) equal to the observed share of cell (0, 0), integrating numerically."""
    t = np.asarray(t, dtype=float)
    n = t.sum()
    h = stats.norm.ppf(t[0].sum() / n)
    k = stats.norm.ppf(t[:, 0].sum() / n)
    return optimize.brentq(lambda r: _bvn_quad(h, k, r) - t[0, 0] / n, -0.999, 0.999,
                           xtol=1e-12)


@pytest.mark.parametrize("table", [[[40, 10], [10, 40]], [[30, 20], [5, 45]],
                                   [[120, 33], [47, 61]], [[10, 25], [30, 8]]])
def test_tetrachoric_against_brute_force_integration(table):
    assert tetrachoric(table) == pytest.approx(_tetrachoric_reference(table), abs=1e-5)


def test_tetrachoric_closed_form_symmetric_table():
    # median splits: P(X<=0, Y<=0) = 1/4 + asin(rho)/(2 pi) = 0.4  =>  rho = sin(0.3 pi)
    assert tetrachoric([[40, 10], [10, 40]]) == pytest.approx(np.sin(0.3 * np.pi), abs=1e-6)
    assert tetrachoric([[25, 25], [25, 25]]) == pytest.approx(0.0, abs=1e-6)


def test_tetrachoric_from_raw_pairs_equals_table():
    x = np.repeat([0, 0, 1, 1], [30, 20, 5, 45])
    y = np.repeat([0, 1, 0, 1], [30, 20, 5, 45])
    assert tetrachoric(x, y) == pytest.approx(tetrachoric([[30, 20], [5, 45]]), abs=1e-9)
    assert polychoric(x, y) == pytest.approx(tetrachoric(x, y), abs=1e-9)


def _discretised_normal(rho, n, cuts_x, cuts_y, seed):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    return np.digitize(z[:, 0], cuts_x), np.digitize(z[:, 1], cuts_y)


@pytest.mark.parametrize("rho", [0.6, -0.35, 0.0])
def test_polychoric_recovers_rho_of_discretised_bivariate_normal(rho):
    x, y = _discretised_normal(rho, 20_000, [-1.2, -0.3, 0.4, 1.5], [-0.5, 0.2, 0.9], seed=11)
    assert polychoric(x, y) == pytest.approx(rho, abs=0.025)
    # and it is not the attenuated Pearson correlation of the codes
    if rho:
        assert abs(polychoric(x, y)) > abs(np.corrcoef(x, y)[0, 1])


def test_tetrachoric_recovers_rho_of_dichotomised_normal():
    x, y = _discretised_normal(0.5, 20_000, [0.3], [-0.6], seed=5)
    assert tetrachoric(x, y) == pytest.approx(0.5, abs=0.03)


def test_polychoric_ordered_categorical_uses_category_order():
    import pandas as pd
    x, y = _discretised_normal(0.5, 3000, [-0.5, 0.5], [0.0], seed=2)
    labels = pd.Categorical.from_codes(x, ["low", "mid", "high"], ordered=True)
    assert polychoric(pd.Series(labels), y) == pytest.approx(polychoric(x, y))


def test_proportion_agreement():
    assert proportion_agreement([1, 0, 1, 1], [1, 0, 0, 1]) == 0.75
    assert proportion_agreement(["a", None, "b"], ["a", "b", "c"]) == 0.5
