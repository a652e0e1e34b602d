"""Human play of the repeated prisoner's dilemma (Nay & Vorobeychik 2016) through sk.datasets, and
the cooperation measures computed alike for people and agents. The human figures quoted in
issue 15 are reproduced here: overall 0.449, first round 0.459, P(C|CC) 0.916, P(C|CD) 0.403,
P(C|DC) 0.292, P(C|DD) 0.067 (CD: "I cooperated, my partner defected")."""

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.validation import compare_cooperation, cooperation, cooperation_by_round, ipd_moves


@pytest.fixture(scope="module")
def humans():
    return sk.datasets.load("ipd_nay_vorobeychik_2016")


def test_the_human_data_load_with_provenance(humans):
    assert humans.shape == (168386, 51)
    assert humans.attrs["name"] == "ipd_nay_vorobeychik_2016"
    assert "Predicting Human Cooperation" in humans.attrs["citation"]
    assert humans.attrs["license"] == "MIT (R package datafsm)"
    row = sk.datasets.names().set_index("name").loc["ipd_nay_vorobeychik_2016"]
    assert row["kind"] == "games" and row["requires"] == ""
    mine = sk.datasets.load("ipd_nay_vorobeychik_2016")
    mine.loc[0, "period"] = 99                     # a copy: the next load is intact
    assert sk.datasets.load("ipd_nay_vorobeychik_2016").loc[0, "period"] == 1


def test_the_human_figures_of_the_issue_are_reproduced(humans):
    c = cooperation(humans).set_index("measure")
    assert c["value"].round(3).to_dict() == {
        "overall": 0.449, "first_round": 0.459, "P(C|CC)": 0.916, "P(C|CD)": 0.403,
        "P(C|DC)": 0.292, "P(C|DD)": 0.067}
    assert c.loc["overall", "n"] == 168386 and c.loc["first_round", "n"] == 32614
    assert c["n"].iloc[2:].tolist() == [49638, 16748, 16457, 52929]
    assert (c["lower"] < c["value"]).all() and (c["value"] < c["upper"]).all()


def test_treatments_cover_the_data_and_match_the_constant(humans):
    t = sk.datasets.ipd_treatments(humans)
    assert tuple(t["treatment"]) == sk.datasets.IPD_TREATMENTS
    assert t["rows"].sum() == len(humans)
    assert (t["T"] > t["R"]).all() and (t["R"] > t["P"]).all() and (t["P"] > t["S"]).all()
    fixed = t[t["horizon"] == "fixed"]
    assert fixed["continuation"].isna().all() and (fixed["rounds"] >= 2).all()
    rand = t[t["horizon"] == "random"]
    assert set(rand["continuation"]) == {0.5, 0.75, 0.875, 0.9}
    assert set(t.loc[t["data"] == "FR", "error"]) == {0.0, 0.0625, 0.125}
    with pytest.raises(ValueError, match="lacks column"):
        sk.datasets.ipd_treatments(humans.drop(columns=["delta"]))


def test_by_round_and_comparisons(humans):
    br = cooperation_by_round(humans, max_round=5)
    assert br["period"].tolist() == [1, 2, 3, 4, 5]
    assert br["value"].iloc[0] == pytest.approx(0.459, abs=5e-4)
    df9 = humans[(humans["data"] == "DF") & (humans["group"] == 9)]
    t = compare_cooperation(humans=humans, DF9=df9)
    assert t["who"].unique().tolist() == ["humans", "DF9"]
    assert t.set_index(["who", "measure"]).loc[("DF9", "overall"), "value"] == \
        pytest.approx(0.587066, abs=1e-6)
    with pytest.raises(ValueError, match="at least one group"):
        compare_cooperation()


def test_agent_moves_are_measured_like_human_moves():
    game = sk.env.RepeatedPD((3, 0, 5, 1), rounds=3)
    pop = sk.Population(pd.DataFrame({"agent": np.arange(4), "weight": 1.0}))
    run = sk.Simulation(pop, env=game, roles=["tft", "tft", "alld", "alld"], seed=1,
                        policy={"tft": game.rule("tft"), "alld": game.rule("alld")},
                        progress=False).run(6)
    m = ipd_moves(run)
    assert len(m) == 24 and set(m["who"]) == {"agents"}
    firsts = m[m["period"] == 1]
    assert firsts["prev_own"].isna().all() and len(firsts) == 8
    later = m[m["period"] > 1]
    assert later["prev_own"].notna().all()
    c = cooperation(run).set_index("measure")
    # TFT agents copy the partner: P(C|.C) = 1 and P(C|.D) = 0; ALLD never cooperates
    tft = m[m["player"] < 2]
    assert (tft.loc[tft["prev_partner"] == "C", "coop"] == 1).all()
    assert (tft.loc[tft["prev_partner"] == "D", "coop"] == 0).all()
    assert c.loc["P(C|DD)", "value"] == 0.0
    assert c.loc["first_round", "value"] == pytest.approx(
        float(firsts["coop"].mean()))


def test_bad_sources_are_refused(humans):
    with pytest.raises(ValueError, match="lacks column"):
        ipd_moves(humans.drop(columns=["my.decision1"]))
    bad = humans.head(3).copy()
    bad.loc[0, "my.decision"] = "maybe"
    with pytest.raises(ValueError, match="my.decision holds \\['maybe'\\]"):
        ipd_moves(bad)
    with pytest.raises(TypeError, match="must be the human data"):
        ipd_moves([1, 2, 3])
    with pytest.raises(ValueError, match="moves lack column"):
        cooperation(pd.DataFrame({"coop": [1.0]}))
