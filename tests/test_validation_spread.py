"""Propagation curves and heavy-tailed distributions, simulated against real."""

import numpy as np
import pandas as pd
import pytest

from socialkit.validation import ccdf, compare_curves, compare_distributions, curve_metrics


def logistic(t, mid, k=1.0, top=100.0):
    return top / (1 + np.exp(-k * (np.asarray(t, float) - mid)))


def test_identical_curves_agree_perfectly_on_any_time_scale():
    hours = np.arange(1, 169)
    real = pd.DataFrame({"time": hours * 3600.0, "adopters": logistic(hours, 96, 0.2)})
    steps = np.arange(1, 169)   # the same curve with steps for hours
    sim = pd.DataFrame({"time": steps, "adopters": 3 * logistic(steps, 96, 0.2)})
    m = compare_curves(sim, real).iloc[0]
    assert m["nrmse"] == pytest.approx(0, abs=1e-12) and m["pearson_r"] == pytest.approx(1)
    assert m["peak_lag"] == pytest.approx(0, abs=1e-12) and m["mape"] == pytest.approx(0)


def test_a_late_curve_has_a_positive_peak_lag():
    t = np.arange(0, 101, dtype=float)
    real = pd.Series(logistic(t, 40), index=t)
    sim = pd.Series(logistic(t, 60), index=t)
    m = compare_curves(sim, real, align="absolute").iloc[0]
    assert m["peak_real"] == 40 and m["peak_simulated"] == 60 and m["peak_lag"] == 20
    assert 0 < m["nrmse"] < 1 and m["n_points"] == 101
    raw = compare_curves(sim * 2, real, align="absolute", normalize=None).iloc[0]
    assert raw["rmse"] > m["rmse"] * 50


def test_absolute_alignment_leaves_out_times_outside_the_simulation():
    real = pd.DataFrame({"time": [1.0, 2.0, 3.0, 4.0], "adopters": [1.0, 2.0, 3.0, 4.0]})
    sim = pd.DataFrame({"time": [1.0, 2.0], "adopters": [1.0, 2.0]})
    m = compare_curves(sim, real, align="absolute", normalize=None).iloc[0]
    assert m["n_points"] == 2 and m["rmse"] == 0


def test_curve_metrics_values():
    m = curve_metrics(np.array([2.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0]))
    assert m["rmse"] == pytest.approx(np.sqrt(2 / 3))
    assert m["nrmse"] == pytest.approx(np.sqrt(2 / 3) / 2)
    assert m["mape"] == pytest.approx((1 + 0 + 1 / 3) / 3)
    assert m["pearson_r"] == pytest.approx(np.corrcoef([2, 2, 4], [1, 2, 3])[0, 1])
    assert np.isnan(curve_metrics(np.ones(3), np.arange(3.0))["pearson_r"])


def test_distributions():
    rng = np.random.default_rng(1)
    a = pd.DataFrame({"size": rng.pareto(1.5, 3000) + 1, "depth": rng.integers(0, 4, 3000),
                      "cascade": np.arange(3000)})
    same = compare_distributions(a, a)
    assert set(same.index) == {"size", "depth"}
    assert (same["ks"] == 0).all() and (same["wasserstein"].fillna(0) == 0).all()
    b = a.assign(size=a["size"] * 10)
    d = compare_distributions(b, a, "size").loc["size"]
    assert d["wasserstein"] == pytest.approx(1.0)            # one decade apart on log10
    assert d["ks"] > 0.5 and d["ks_pvalue"] < 1e-6
    assert compare_distributions(b, a, "size", log=False).loc["size", "wasserstein"] > 5
    assert same.loc["depth", "zeros_real"] == pytest.approx((a["depth"] == 0).mean())


def test_ccdf():
    c = ccdf([3, 1, 2, 2, np.nan])
    assert c.values.tolist() == [[1.0, 1.0], [2.0, 0.75], [3.0, 0.25]]
    assert len(ccdf([])) == 0


@pytest.mark.parametrize("kw, match", [
    ({"align": "left"}, "align must be"), ({"normalize": "sum"}, "normalize must be"),
    ({"points": 1}, "points must be"), ({"column": "nope"}, "has no column 'nope'"),
])
def test_bad_curve_arguments(kw, match):
    real = pd.DataFrame({"time": [1.0, 2.0], "adopters": [1.0, 2.0]})
    with pytest.raises(ValueError, match=match):
        compare_curves(real, real, **kw)


def test_bad_curves_and_samples():
    with pytest.raises(ValueError, match="needs a 'time' column"):
        compare_curves(pd.DataFrame({"adopters": [1, 2]}), [1, 2])
    with pytest.raises(ValueError, match="at least two values"):
        compare_curves([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="ends at 0"):
        compare_curves([1.0, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="not on both sides"):
        compare_distributions(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), "a")
    with pytest.raises(ValueError, match="no numeric measure"):
        compare_distributions(pd.DataFrame({"a": ["x"]}), pd.DataFrame({"a": ["y"]}))
    with pytest.raises(TypeError, match="DataFrame, Series or array"):
        compare_distributions(["x"], [1])
