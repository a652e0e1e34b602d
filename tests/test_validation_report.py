"""socialkit.validate and ValidationReport: values agree with the metric functions, views work."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from scipy import stats

import socialkit as sk
from socialkit.validation import (
    ValidationReport,
    cramers_v,
    polychoric,
    proportion_agreement,
    representativeness,
    shares,
    tetrachoric,
    tost,
    variance_ratio,
)


@pytest.fixture(scope="module")
def frames():
    real = sk.datasets.load("anes1996").reset_index(names="respondent")
    rng = np.random.default_rng(0)
    sim = real.copy()
    flip = rng.random(len(sim)) < 0.15
    sim.loc[flip, "vote"] = 1 - sim.loc[flip, "vote"]
    sim["selfLR"] = sim["selfLR"].clip(3, 5)  # variance collapse
    sim.loc[:9, "selfLR"] = np.nan  # ten agents gave no valid answer
    real["weight"] = rng.uniform(0.5, 2.0, len(real))
    return sim, real


def test_sk_validate_is_the_function():
    assert sk.validate is sk.validation.validate
    from socialkit.plot._validation import validation

    assert sk.plot.validation is validation


def test_identical_frames_score_perfectly(frames):
    _, real = frames
    rep = sk.validate(real, real, ["selfLR", "vote", "PID"], on="respondent",
                      margin={"selfLR": 0.3}, n_boot=200)
    t = rep.table.set_index("question")
    assert (t["representativeness"] == 1).all() and (t["total_variation"] == 0).all()
    assert (t["js_distance"] == 0).all() and (t["ks"] == 0).all()
    assert (t["variance_ratio"] == 1).all() and (t["mean_difference"] == 0).all()
    assert t["equivalent"].all() and (t["agreement"] == 1).all()
    assert (t["spread"] == "no evidence").all()


def test_table_values_equal_the_metric_functions(frames):
    sim, real = frames
    rep = sk.validate(sim, real, ["selfLR"], by="vote", margin=0.4, n_boot=300, seed=3)
    assert set(rep.table["vote"]) == {0.0, 1.0} and len(rep.table) == 2
    row = rep.table[rep.table["vote"] == 1].iloc[0]
    s = sim.loc[sim["vote"] == 1, "selfLR"]
    r = real.loc[real["vote"] == 1, "selfLR"]
    opts = range(1, 8)
    assert row["representativeness"] == pytest.approx(
        representativeness(shares(s, opts), shares(r, opts)))
    assert row["n_simulated"] == s.notna().sum() and row["n_real"] == len(r)
    assert row["missing_simulated"] == pytest.approx(s.isna().mean())
    assert row["ks"] == pytest.approx(stats.ks_2samp(s.dropna(), r).statistic)
    vr = variance_ratio(s, r, n_boot=0)
    assert row["variance_ratio"] == pytest.approx(vr.ratio)
    assert row["variance_ratio_high"] < 1 and row["spread"] == "less varied"
    t = tost(s, r, 0.4)
    assert (row["tost_low"], row["tost_high"], row["tost_p"]) == pytest.approx(
        (t.low, t.high, t.p_value))
    assert bool(row["equivalent"]) == t.equivalent


def test_weights_of_the_real_data(frames):
    sim, real = frames
    rep = sk.validate(sim, real, "selfLR", weights="weight", n_boot=0)
    opts = range(1, 8)
    expected = representativeness(shares(sim["selfLR"], opts),
                                  shares(real["selfLR"], opts, weights=real["weight"]))
    assert rep.table["representativeness"].iloc[0] == pytest.approx(expected)
    assert np.isnan(rep.table["ks_p"].iloc[0])  # no KS p-value with weights
    assert rep.table["sd_real"].iloc[0] == pytest.approx(
        variance_ratio(sim["selfLR"], real["selfLR"], weights=real["weight"], n_boot=0).sd_real)


def test_paired_agreement_and_tetrachoric(frames):
    sim, real = frames
    rep = sk.validate(sim, real, ["vote"], on="respondent", n_boot=0)
    row = rep.table.iloc[0]
    assert row["agreement"] == pytest.approx(proportion_agreement(sim["vote"], real["vote"]))
    assert row["agreement_r"] == pytest.approx(tetrachoric(sim["vote"], real["vote"]), abs=1e-6)
    assert row["n_pairs"] == len(real)
    # pairing is by id, not by row order
    shuffled = sim.sample(frac=1, random_state=1)
    again = sk.validate(shuffled, real, ["vote"], on="respondent", n_boot=0).table.iloc[0]
    assert again["agreement"] == row["agreement"]


def test_pattern_correspondence_side_by_side(frames):
    sim, real = frames
    rep = sk.validate(sim, real, ["vote", "selfLR"], covariates=["PID"], n_boot=0)
    a = rep.association.set_index(["question", "measure"])
    assert a.loc[("vote", "cramers_v"), "real"] == pytest.approx(
        cramers_v(real["PID"], real["vote"]))
    assert a.loc[("vote", "cramers_v"), "simulated"] == pytest.approx(
        cramers_v(sim["PID"], sim["vote"]))
    ok = sim["selfLR"].notna()
    assert a.loc[("selfLR", "polychoric"), "simulated"] == pytest.approx(
        polychoric(sim.loc[ok, "PID"], sim.loc[ok, "selfLR"]), abs=1e-6)
    assert a.loc[("vote", "polychoric"), "difference"] == pytest.approx(
        a.loc[("vote", "polychoric"), "simulated"] - a.loc[("vote", "polychoric"), "real"])
    binary = sk.validate(sim.assign(rep=sim.PID >= 4), real.assign(rep=real.PID >= 4), "vote",
                         covariates="rep", n_boot=0).association
    assert binary["measure"].tolist() == ["cramers_v", "tetrachoric"]


def test_kinds_nominal_numeric_and_categorical():
    rng = np.random.default_rng(4)
    n = 300
    real = pd.DataFrame({"party": rng.choice(["Dem", "Rep", "Ind"], n),
                         "age": rng.normal(45, 15, n).round(1),
                         "trust": pd.Categorical(rng.choice(["low", "mid", "high"], n),
                                                 categories=["low", "mid", "high"],
                                                 ordered=True)})
    sim = real.sample(frac=1, random_state=0).reset_index(drop=True)
    sim["age"] = sim["age"] * 0.5 + 22
    rep = sk.validate(sim, real, n_boot=100)
    t = rep.table.set_index("question")
    assert t.loc["party", "kind"] == "nominal" and np.isnan(t.loc["party", "representativeness"])
    assert t.loc["party", "total_variation"] == 0
    assert t.loc["age", "kind"] == "numeric"
    assert t.loc["age", "ks"] == pytest.approx(stats.ks_2samp(sim["age"], real["age"]).statistic)
    assert t.loc["age", "variance_ratio"] == pytest.approx(0.5)
    assert t.loc["trust", "kind"] == "ordinal" and t.loc["trust", "representativeness"] == 1
    assert rep.shares.query("question == 'trust'")["option"].tolist() == ["low", "mid", "high"]


def test_declared_options_fix_the_scale(frames):
    sim, real = frames
    q = sk.Likert("Where would you place yourself?", scale=7)
    narrow = sim.assign(selfLR=sim["selfLR"].clip(2, 6))
    rep = sk.validate(narrow, real, "selfLR", options={"selfLR": q}, n_boot=0)
    assert rep.shares["option"].tolist() == list(range(1, 8))
    assert rep.shares["simulated"].iloc[0] == 0


def test_seeded_bootstrap_is_reproducible(frames):
    sim, real = frames
    a = sk.validate(sim, real, ["selfLR", "vote"], n_boot=200, seed=5).table
    b = sk.validate(sim, real, ["selfLR", "vote"], n_boot=200, seed=5).table
    c = sk.validate(sim, real, ["selfLR", "vote"], n_boot=200, seed=6).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["variance_ratio_low"], c["variance_ratio_low"])


def test_default_questions_and_empty_skip(frames):
    sim, real = frames
    rep = sk.validate(sim[["selfLR", "vote", "PID"]], real[["selfLR", "vote", "PID"]], by="PID",
                      n_boot=0)
    assert set(rep.table["question"]) == {"selfLR", "vote"}
    small = sim[sim["PID"] != 3]
    with pytest.raises(ValueError, match=r"PID=3 has no answers to 'selfLR' in the simulated"):
        sk.validate(small, real, "selfLR", by="PID", n_boot=0)
    rep = sk.validate(small, real, "selfLR", by="PID", n_boot=0, empty="skip")
    assert len(rep.table) == 6 and "skipped" in rep.notes[0]


def test_tidy_and_html_and_figures(frames):
    sim, real = frames
    rep = sk.validate(sim, real, ["selfLR", "vote"], by="vote", covariates="PID",
                      margin={"selfLR": 0.5, "vote": 0.05}, n_boot=200)
    assert isinstance(rep, ValidationReport) and "2 questions" in repr(rep)
    tidy = rep.tidy()
    assert list(tidy.columns) == ["question", "vote", "covariate", "metric", "value"]
    assert {"representativeness", "variance_ratio_low", "cramers_v.simulated",
            "polychoric.difference"} <= set(tidy["metric"])
    vr = tidy.query("metric == 'variance_ratio' and question == 'selfLR'")["value"]
    assert vr.tolist() == pytest.approx(rep.table.query("question == 'selfLR'")["variance_ratio"])
    page = rep._repr_html_()
    # spread comes first, before the table, in plain words
    assert page.index("less varied than real ones") < page.index("<h4>Table")
    assert "Variance collapse" in page and "TOST" in page
    assert "a check on means alone would have passed them" in page
    for kind in ("summary", "shares", "association"):
        assert isinstance(rep.figure(kind), go.Figure)
    fig = rep.figure()
    ratio = [t for t in fig.data if t.name == "SD ratio"][0]
    assert len(ratio.x) == len(rep.table)
    with pytest.raises(ValueError, match="kind must be"):
        rep.figure("pie")


def test_html_without_margin_or_collapse(frames):
    _, real = frames
    page = sk.validate(real, real, "selfLR", n_boot=100, margin=None)._repr_html_()
    assert "no evidence that the simulated spread differs" in page
    assert "pass <code>margin=</code>" in page and "not evidence" in page


def test_booleans_against_zero_one():
    sim = pd.DataFrame({"v": [True, False, True, True]})
    real = pd.DataFrame({"v": [1.0, 0.0, 0.0, 1.0]})
    t = sk.validate(sim, real, n_boot=0).table.iloc[0]
    assert t["representativeness"] == pytest.approx(0.75)
    assert t["mean_simulated"] == pytest.approx(0.75)
