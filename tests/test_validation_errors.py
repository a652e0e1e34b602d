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
    with pytest.raises(TypeError, match="the simulated answers must be a DataFrame, a "
                                        "socialkit.Run, a Population or a socialkit.ask result, "
                                        "got Series"):
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


# ---- verdicts that cannot be misused (issue 13) --------------------------------------------
def _vote(share, n=1000):
    return pd.DataFrame({"vote": (np.arange(n) < share * n).astype(float)})


def test_a_072_share_is_never_equivalent_to_050_by_default():
    rep = sk.validate(_vote(0.72), _vote(0.50), "vote", n_boot=0)
    assert rep.settings["margins"] == {"vote": 0.05}
    assert not rep.table["equivalent"].iloc[0]
    with pytest.warns(UserWarning, match=r"margin 0.5 for 'vote' is 50% of its scale's range"):
        sk.validate(_vote(0.72), _vote(0.50), "vote", margin=0.5, n_boot=0)
    close = sk.validate(_vote(0.51, 20000), _vote(0.50, 20000), "vote", n_boot=0)
    assert close.table["equivalent"].iloc[0]


def test_margins_are_per_question_in_its_units():
    real = sk.datasets.load("anes1996")
    rep = sk.validate(real, real, ["selfLR", "vote", "popul"], margin={"vote": 0.02}, n_boot=0)
    assert rep.settings["margins"] == {"selfLR": 0.3, "vote": 0.02, "popul": None}
    assert rep.margin("selfLR") == (-0.3, 0.3) and rep.margin("popul") is None
    assert any("'popul': no equivalence test" in n for n in rep.notes)
    with pytest.raises(ValueError, match="margin must be 'auto', a number"):
        sk.validate(real, real, "selfLR", margin="wide")


def test_small_groups_get_no_spread_verdict():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"g": ["big"] * 400 + ["tiny"] * 2,
                         "x": np.r_[rng.integers(1, 8, 400), [1, 7]].astype(float)})
    sim = pd.DataFrame({"g": ["big"] * 400 + ["tiny"] * 2,
                        "x": np.r_[rng.integers(3, 6, 400), [4, 4]].astype(float)})
    rep = sk.validate(sim, real, "x", by="g", n_boot=200)
    spread = rep.table.set_index("g")["spread"]
    assert spread["big"] == "less varied" and spread["tiny"] == "too few to judge"
    assert rep.table.set_index("g").loc["tiny", "variance_ratio"] == 0  # shown, not judged
    assert rep.spread_counts()["too few to judge"] == 1
    headline = rep.spread_headline()
    assert "less varied in 1 of 2" in headline and "too few answers to judge in 1" in headline
    with pytest.raises(ValueError, match="scales do not match"):  # real 3-5 cannot show it
        sk.validate(real, sim, "x", by="g", n_boot=200)
    more = sk.validate(real, sim, "x", by="g", n_boot=200, options={"x": list(range(1, 8))})
    assert "more varied in 1 of 2" in more.spread_headline()
    assert "Excess variance in 1 of 2" in more._repr_html_()
    with pytest.raises(ValueError, match="min_n must be an integer of at least 2"):
        sk.validate(sim, real, "x", min_n=1)


def test_scales_that_do_not_match_raise():
    real = sk.datasets.load("anes1996")[["selfLR"]]
    sim = pd.DataFrame({"selfLR": np.linspace(0, 1, 50).round(1)})
    with pytest.raises(ValueError, match=r"'selfLR': the simulated answers range 0.0 to 1.0 but "
                                         r"the real ones 1.0 to 7.0 .*scales do not match"):
        sk.validate(sim, real)
    sk.validate(1 + 6 * sim, real, n_boot=0)  # mapped: fine
    cont = pd.DataFrame({"t": np.linspace(0, 100, 200)})
    with pytest.raises(ValueError, match="scales do not match"):
        sk.validate(cont / 100, cont + 1)


def test_validate_takes_a_run_and_an_ask_result():
    G = sk.network.watts_strogatz(60, 4, 0.1, seed=0)
    run = sk.dynamics.voter(G, [0, 1] * 30, steps=3, seed=0)
    real = pd.DataFrame({"agent": range(60), "opinion": [0.0, 1.0] * 30})
    rep = sk.validate(run, real, "opinion", on="agent", n_boot=0)
    assert rep.table["n_simulated"].iloc[0] == 60 and rep.table["n_pairs"].iloc[0] == 60
    res = sk.ask(["a farmer", "a nurse", "a teacher"],
                 [sk.Choice("Vote?", ["Clinton", "Dole"], name="vote")],
                 model=sk.llm.scripted(lambda m: "Dole" if "farmer" in m[0]["content"]
                                       else "Clinton"), cache=False, progress=False)
    truth = pd.DataFrame({"agent": [0, 1, 2], "vote": ["Dole", "Dole", "Clinton"]})
    rep = sk.validate(res, truth, "vote", on="agent", n_boot=0)
    assert rep.table["agreement"].iloc[0] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="holds no per-agent values"):
        sk.validate(sk.dynamics.voter(G, [0, 1] * 30, steps=3, record="summary"), real)
