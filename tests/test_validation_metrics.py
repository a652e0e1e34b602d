"""Distribution and spread/location metrics against hand-computed values and scipy references."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon

from socialkit.validation import (
    js_distance,
    js_divergence,
    ks_statistic,
    ks_test,
    representativeness,
    shares,
    tost,
    total_variation,
    variance_ratio,
)


# ---- representativeness ----------------------------------------------------------------------
def test_representativeness_hand_values():
    assert representativeness([1, 0, 0], [0, 0, 1]) == 0.0  # opposite ends: W1 = N - 1
    assert representativeness([1, 0, 0], [0, 1, 0]) == pytest.approx(0.5)
    # W1 = |0.2-0.1| + |0.5-0.5| = 0.1 over cumulative shares; N - 1 = 2
    assert representativeness([0.2, 0.3, 0.5], [0.1, 0.4, 0.5]) == pytest.approx(1 - 0.1 / 2)
    assert representativeness([0.3, 0.7], [0.3, 0.7]) == 1.0
    assert representativeness([0.3, 0.7], [0.6, 0.4]) == pytest.approx(0.7)


@pytest.mark.parametrize("seed", range(5))
def test_representativeness_matches_scipy_wasserstein(seed):
    rng = np.random.default_rng(seed)
    n = 7
    p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
    pos = np.arange(n)
    w1 = stats.wasserstein_distance(pos, pos, p, q)
    assert representativeness(p, q) == pytest.approx(1 - w1 / (n - 1), abs=1e-12)


_vec = st.integers(2, 9).flatmap(lambda n: st.tuples(
    *[st.lists(st.floats(0, 1), min_size=n, max_size=n).filter(lambda v: sum(v) > 1e-3)] * 2))


def _norm(v):
    a = np.asarray(v, dtype=float)
    return a / a.sum()


@settings(max_examples=150, deadline=None)
@given(_vec)
def test_representativeness_invariants(pq):
    p, q = _norm(pq[0]), _norm(pq[1])
    r = representativeness(p, q)
    assert 0.0 <= r <= 1.0
    assert r == pytest.approx(representativeness(q, p), abs=1e-12)  # symmetric
    assert representativeness(p, p) == 1.0
    if np.abs(np.cumsum(p - q)[:-1]).max() > 1e-9:  # different distributions
        assert r < 1.0
    # reversing the scale on both sides changes nothing
    assert r == pytest.approx(representativeness(p[::-1], q[::-1]), abs=1e-12)


# ---- JS, TV, KS ----------------------------------------------------------------------------
def test_js_hand_values_and_scipy():
    p, q = [0.5, 0.5], [0.9, 0.1]
    m = np.array([0.7, 0.3])
    hand = 0.5 * sum(a * np.log2(a / b) for a, b in zip(p, m, strict=True)) + \
        0.5 * sum(a * np.log2(a / b) for a, b in zip(q, m, strict=True))
    assert js_divergence(p, q) == pytest.approx(hand, abs=1e-12)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_divergence(p, q, base=np.e) == pytest.approx(hand * np.log(2), abs=1e-12)
    rng = np.random.default_rng(3)
    for _ in range(5):
        a, b = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        assert js_distance(a, b) == pytest.approx(jensenshannon(a, b, base=2), abs=1e-9)
        assert js_distance(a, b, base=np.e) == pytest.approx(jensenshannon(a, b), abs=1e-9)


def test_total_variation_and_ks_statistic():
    assert total_variation([0.2, 0.3, 0.5], [0.3, 0.3, 0.4]) == pytest.approx(0.1)
    assert total_variation([1, 0], [0, 1]) == 1.0
    assert ks_statistic([0.2, 0.3, 0.5], [0.4, 0.4, 0.2]) == pytest.approx(0.3)


def test_ks_statistic_on_shares_equals_ks_2samp(anes):
    sim = anes["selfLR"].clip(2, 6)
    opts = range(1, 8)
    by_shares = ks_statistic(shares(sim, opts), shares(anes["selfLR"], opts))
    ref = stats.ks_2samp(sim, anes["selfLR"])
    assert by_shares == pytest.approx(ref.statistic, abs=1e-12)
    r = ks_test(sim, anes["selfLR"])
    assert r.statistic == pytest.approx(ref.statistic) and r.pvalue == pytest.approx(ref.pvalue)


def test_unordered_metrics_align_series_by_option():
    p = pd.Series([0.2, 0.8], index=["no", "yes"])
    q = pd.Series([0.8, 0.2], index=["yes", "no"])
    assert total_variation(p, q) == 0.0 and js_divergence(p, q) == 0.0


# ---- shares --------------------------------------------------------------------------------
def test_shares_weighted_and_with_declared_options():
    s = shares(pd.Series([1, 2, 2, np.nan]), options=[1, 2, 3], weights=[3, 1, 1, 9])
    assert s.tolist() == pytest.approx([0.6, 0.4, 0.0])
    assert s.index.tolist() == [1, 2, 3]
    cat = pd.Series(pd.Categorical(["low", "high"], categories=["low", "mid", "high"],
                                   ordered=True))
    assert shares(cat).index.tolist() == ["low", "mid", "high"]


# ---- variance ratio --------------------------------------------------------------------------
def test_variance_ratio_point_value_and_seeded_ci():
    rng = np.random.default_rng(0)
    real = rng.normal(0, 2, 400)
    sim = rng.normal(0, 1, 300)
    r = variance_ratio(sim, real, n_boot=500, seed=1)
    assert r.ratio == pytest.approx(np.std(sim, ddof=1) / np.std(real, ddof=1))
    assert r.low < r.ratio < r.high < 1 and r.verdict == "less varied"
    assert r == variance_ratio(sim, real, n_boot=500, seed=1)  # reproducible
    # percentile interval by hand with the same generator stream
    g = np.random.default_rng(1)
    bs = np.std(sim[g.integers(0, 300, (500, 300))], axis=1, ddof=1)
    br = np.std(real[g.integers(0, 400, (500, 400))], axis=1, ddof=1)
    lo, hi = np.quantile(bs / br, [0.025, 0.975])
    assert (r.low, r.high) == pytest.approx((lo, hi))


def test_variance_ratio_weights_and_full_collapse():
    # weights 2 on a row equal that row twice (point estimate); n_boot=0 skips the interval
    r = variance_ratio([1, 2, 3, 4], [1, 5, 9], weights=[1, 1, 1], n_boot=0)
    assert r.ratio == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 4) and np.isnan(r.low)
    w = variance_ratio([1, 2, 3], [1, 1, 5, 9], n_boot=0).sd_real
    assert w == pytest.approx(np.std([1, 1, 5, 9], ddof=1))
    r = variance_ratio([4, 4, 4, 4], [1, 4, 7, 2, 5], n_boot=200)
    assert r.ratio == 0 and r.high == 0 and r.verdict == "less varied"


# ---- TOST ----------------------------------------------------------------------------------
def test_tost_hand_computed_welch():
    x = np.array([4.1, 3.9, 4.3, 4.0, 4.4, 3.8])
    y = np.array([4.0, 4.6, 3.5, 4.9, 3.9, 4.2, 4.4])
    r = tost(x, y, margin=0.5)
    d = x.mean() - y.mean()
    vx, vy = x.var(ddof=1) / 6, y.var(ddof=1) / 7
    se = np.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx ** 2 / 5 + vy ** 2 / 6)
    assert r.df == pytest.approx(df)
    assert r.p_lower == pytest.approx(1 - stats.t.cdf((d + 0.5) / se, df))
    assert r.p_upper == pytest.approx(stats.t.cdf((d - 0.5) / se, df))
    assert r.p_value == max(r.p_lower, r.p_upper)
    t95 = stats.t.ppf(0.95, df)
    assert (r.low, r.high) == pytest.approx((d - t95 * se, d + t95 * se))
    assert r.equivalent == (r.p_value < 0.05) == (-0.5 < r.low and r.high < 0.5)


@pytest.mark.parametrize("shift", [0.0, 0.3, 0.8])
def test_tost_matches_scipy_one_sided_welch(shift):
    rng = np.random.default_rng(7)
    x, y = rng.normal(shift, 1, 80), rng.normal(0, 1.5, 120)
    r = tost(x, y, margin=(-0.4, 0.6))
    ref_lo = stats.ttest_ind(x + 0.4, y, equal_var=False, alternative="greater").pvalue
    ref_hi = stats.ttest_ind(x - 0.6, y, equal_var=False, alternative="less").pvalue
    assert (r.p_lower, r.p_upper) == pytest.approx((ref_lo, ref_hi))


def test_tost_says_equivalent_only_when_it_rejects():
    rng = np.random.default_rng(2)
    # tiny noisy samples: a t-test would not reject, yet equivalence is not shown
    x, y = rng.normal(0, 2, 8), rng.normal(0, 2, 8)
    assert stats.ttest_ind(x, y, equal_var=False).pvalue > 0.05
    r = tost(x, y, margin=0.5)
    assert not r.equivalent and "not shown equivalent" in str(r)
    big = tost(rng.normal(0, 1, 4000), rng.normal(0.02, 1, 4000), margin=0.2)
    assert big.equivalent and big.p_value < 0.05
