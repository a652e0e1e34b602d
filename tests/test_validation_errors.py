"""Bad input: each mistake raises a ValueError or TypeError that names what is wrong."""

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.validation import (
    cramers_v,
    js_distance,
    ks_test,
    polychoric,
    proportion_agreement,
    representativeness,
    shares,
    tetrachoric,
    tost,
    total_variation,
    variance_ratio,
)


# ---- probability vectors ------------------------------------------------------------------------
@pytest.mark.parametrize("p,q,match", [
    ([0.5, 0.5], [0.2, 0.3, 0.5], "p_simulated has 2 options but p_real has 3"),
    ([0.5, 0.4], [0.5, 0.5], "p_simulated sums to 0.9, not 1"),
    ([0.5, 0.5], [1.2, -0.2], "p_real has negative probabilities at positions \\[1\\]"),
    ([0.5, np.nan], [0.5, 0.5], "p_simulated contains NaN"),
    ([], [], "p_simulated is empty"),
    ([[0.5, 0.5]], [0.5, 0.5], "1-D vector"),
    ([1.0], [1.0], "at least 2 ordered options"),
])
def test_probability_vectors(p, q, match):
    with pytest.raises(ValueError, match=match):
        representativeness(p, q)


def test_probability_series_with_different_options_name_them():
    p = pd.Series([0.5, 0.5], index=["agree", "disagree"])
    q = pd.Series([0.5, 0.5], index=["agree", "neutral"])
    for f in (representativeness, js_distance, total_variation):
        with pytest.raises(ValueError, match=r"only in p_simulated: \['disagree'\]; only in "
                                             r"p_real: \['neutral'\]"):
            f(p, q)
    with pytest.raises(ValueError, match="same options in a different order"):
        representativeness(p, p[::-1])


def test_shares_outside_options_and_no_answers():
    with pytest.raises(ValueError, match=r"answers \[8, 9\] are not among the options"):
        shares([1, 8, 9, 2], options=range(1, 8))
    with pytest.raises(ValueError, match="every answer is missing"):
        shares(pd.Series([np.nan, np.nan]), options=[1, 2])
    with pytest.raises(ValueError, match="weights has 2 values but there are 3 answers"):
        shares([1, 2, 2], weights=[1, 1])


# ---- raw-answer metrics ---------------------------------------------------------------------------
def test_paired_metrics_reject_mismatched_lengths():
    for f in (proportion_agreement, tetrachoric, polychoric, cramers_v):
        with pytest.raises(ValueError, match="has 3 answers but .* has 2"):
            f([0, 1, 1], [1, 0])


def test_tetrachoric_needs_binary_variables():
    with pytest.raises(ValueError, match=r"y has 3 categories \[1, 2, 3\]; use polychoric"):
        tetrachoric([0, 1, 0, 1], [1, 2, 3, 1])
    with pytest.raises(ValueError, match="needs a 2 x 2 table, got 3 x 2"):
        tetrachoric([[1, 2], [3, 4], [5, 6]])


def test_association_needs_variation_and_order():
    with pytest.raises(ValueError, match="at least two observed categories .* 1 x 2"):
        cramers_v([1, 1, 1], [0, 1, 0])
    with pytest.raises(TypeError, match=r"text categories \['red', 'green', 'blue'\]"):
        polychoric(["red", "green", "blue", "red"], [1, 2, 3, 1])
    with pytest.raises(ValueError, match="non-negative counts"):
        cramers_v([[1, -2], [3, 4]])


def test_spread_and_tost_inputs():
    with pytest.raises(ValueError, match="real answers do not vary"):
        variance_ratio([1, 2, 3], [4, 4, 4])
    with pytest.raises(ValueError, match=r"simulated answers: 1 non-missing answer\(s\); at least 2"):
        variance_ratio([1, np.nan], [1, 2, 3])
    with pytest.raises(ValueError, match="TOST needs a margin"):
        tost([1, 2, 3], [1, 2, 3], None)
    with pytest.raises(ValueError, match="low < 0 < high"):
        tost([1, 2, 3], [1, 2, 3], (0.1, 0.3))
    with pytest.raises(ValueError, match="margin must be positive"):
        tost([1, 2, 3], [1, 2, 3], -1)
    with pytest.raises(TypeError, match=r"numeric answers .* \['yes', 'no'\]"):
        ks_test(["yes", "no"], [1, 0])
    with pytest.raises(ValueError, match="weights of real answers has 2 values"):
        variance_ratio([1, 2, 3], [1, 2, 3], weights=[1, 1])


# ---- validate -----------------------------------------------------------------------------------
@pytest.fixture()
def pair():
    real = pd.DataFrame({"id": range(6), "q": [1, 2, 3, 4, 5, 3], "g": list("aabbcc"),
                         "w": [1.0] * 6})
    return real.copy(), real


def test_validate_frames_and_columns(pair):
    sim, real = pair
    with pytest.raises(TypeError, match="two DataFrames"):
        sk.validate(sim["q"], real)
    with pytest.raises(ValueError, match="question column 'x' is not in the simulated and real"):
        sk.validate(sim, real, "x")
    with pytest.raises(ValueError, match="by column 'grp' is not in the real data"):
        sk.validate(sim.assign(grp=1), real, "q", by="grp")
    with pytest.raises(ValueError, match="share no answer columns"):
        sk.validate(sim[["q"]].rename(columns={"q": "a"}), real[["q"]])
    with pytest.raises(ValueError, match="weights column 'wt' is not in the real data"):
        sk.validate(sim, real, "q", weights="wt")
    with pytest.raises(ValueError, match="real weights must be finite and non-negative"):
        sk.validate(sim, real.assign(w=-1.0), "q", weights="w")
    with pytest.raises(ValueError, match="margin names questions that are not validated"):
        sk.validate(sim, real, "q", margin={"other": 1})


def test_validate_mismatched_categories_are_named():
    cats = ["agree", "neutral", "disagree"]
    real = pd.DataFrame({"q": pd.Categorical(["agree", "neutral"], categories=cats)})
    sim = pd.DataFrame({"q": pd.Categorical(["agree", "unsure"],
                                            categories=["agree", "unsure", "disagree"])})
    with pytest.raises(ValueError, match=r"different answer categories: only in simulated "
                                         r"\['unsure'\], only in real \['neutral'\]"):
        sk.validate(sim, real)
    ordered = pd.DataFrame({"q": pd.Categorical(["agree"], categories=cats, ordered=True)})
    flipped = pd.DataFrame({"q": pd.Categorical(["agree"], categories=cats[::-1], ordered=True)})
    with pytest.raises(ValueError, match="orders its categories differently"):
        sk.validate(flipped, ordered)
    with pytest.raises(ValueError, match=r"simulated answers \[8\] are not among the options"):
        sk.validate(pd.DataFrame({"q": [1, 8]}), pd.DataFrame({"q": [1, 2]}),
                    options={"q": range(1, 8)})


def test_validate_question_types_it_cannot_handle():
    words = [f"I think {i}" for i in range(30)]
    with pytest.raises(TypeError, match="question 'why' looks like free text"):
        sk.validate(pd.DataFrame({"why": words}), pd.DataFrame({"why": words[::-1]}))
    with pytest.raises(TypeError, match="question 'q' holds text in the simulated data"):
        sk.validate(pd.DataFrame({"q": ["a", "b"]}), pd.DataFrame({"q": [1, 2]}))
    with pytest.raises(TypeError, match=r"answers \['high', 'low', 'mid'\] whose order"):
        sk.validate(pd.DataFrame({"q": ["low", "mid", "high"]}),
                    pd.DataFrame({"q": ["low", "high", "mid"]}), ordinal=True)
    with pytest.raises(ValueError, match="ordinal must be True, False or 'auto'"):
        sk.validate(pd.DataFrame({"q": [1, 2]}), pd.DataFrame({"q": [1, 2]}), ordinal="yes")
    ages = pd.DataFrame({"q": [1, 2] * 20, "age": range(40)})
    with pytest.raises(TypeError, match="covariate 'age' is continuous"):
        sk.validate(ages, ages, "q", covariates="age")
    with pytest.raises(ValueError, match="question 'q' has no answers in the simulated data"):
        sk.validate(pd.DataFrame({"q": [np.nan, np.nan]}), pd.DataFrame({"q": [1, 2]}))


def test_validate_empty_groups_and_bad_pairing(pair):
    sim, real = pair
    with pytest.raises(ValueError, match="group g=c has no answers to 'q' in the simulated data"):
        sk.validate(sim[sim["g"] != "c"], real, "q", by="g")
    with pytest.raises(ValueError, match="empty must be"):
        sk.validate(sim, real, "q", empty="ignore")
    with pytest.raises(ValueError, match=r"repeat ids \[0\]"):
        sk.validate(pd.concat([sim, sim.iloc[:1]]), real, "q", on="id")
    with pytest.raises(ValueError, match="no 'id' id appears in both"):
        sk.validate(sim.assign(id=sim["id"] + 100), real, "q", on="id")
