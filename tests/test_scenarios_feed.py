"""The feed scenarios: S3 on the Higgs sample, the herd-effect experiment, information
cocoons; with rule agents (effects the measures must recover) and scripted LLM agents."""

import json

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import RulePolicy
from socialkit.scenarios import (
    HerdRule,
    S3Rule,
    cocoons,
    diversity,
    herd_effect,
    herd_summary,
    s3,
    s3_curves,
    s3_network,
    s3_reference,
)


# ---- S3 --------------------------------------------------------------------------------------
def test_s3_rule_run_curves_and_reference():
    run = s3(n=80, steps=6, policy=RulePolicy(S3Rule(repost=0.5)), progress=False, seed=2)
    c = s3_curves(run)
    assert c["aware"].is_monotonic_increasing and c["spread"].is_monotonic_increasing
    assert c["aware"].iloc[-1] > 0.3 and (c["spread"] <= c["aware"] + 1e-12).all()
    emo = c[["calm", "moderate", "intense"]].dropna()
    np.testing.assert_allclose(emo.sum(axis=1), 1.0)
    assert emo["intense"].iloc[-1] > emo["intense"].iloc[0]     # emotions intensify
    assert 0.5 < c["support"].dropna().iloc[-1] <= 1.0
    _, pop = s3_network(80, 3)
    ref = s3_reference(pop, steps=6, hours=28)
    assert ref["spread"].is_monotonic_increasing and ref["spread"].iloc[-1] > 0.9
    m = sk.validation.compare_curves(c.set_index("hour")["spread"],
                                     ref.set_index("hour")["spread"], align="absolute",
                                     normalize=None)
    assert {"nrmse", "mape", "pearson_r"} <= set(m.columns)
    assert run.params["n"] == 80 and run.params["hours"] == 14.0
    again = s3(n=80, steps=6, policy=RulePolicy(S3Rule(repost=0.5)), progress=False, seed=2)
    assert again.events.equals(run.events)


def test_s3_llm_agents_report_emotion_and_attitude_and_act():
    def reply(messages):
        last = messages[-1]["content"]
        if "Choose one action" in last:
            return "action: repost\npost_id: p0" if "repost(post_id)" in last else \
                "action: do_nothing"
        return "3" if last.endswith("from 1 to 3.") else "A"

    G, pop = s3_network(12, 1)
    pop.df["activity_rate"] = 1.0
    run = s3(pop, sk.llm.scripted(reply), graph=G, steps=1, progress=False, memory=None,
             cache=False)
    traj = run.trajectory
    emo = traj[(traj["variable"] == "emotion") & (traj["step"] == 1)]["value"]
    assert (emo == 3).all()
    reposts = run.events[run.events["action"] == "repost"]
    followers = [v for _, v in G.out_edges(int(pop.df.loc[pop.df["source"], "agent"].iloc[0]))]
    assert sorted(reposts["agent"].tolist()) == sorted(followers)
    c = s3_curves(run)
    assert c.loc[1, "intense"] == 1.0 and c.loc[1, "support"] == 1.0


def test_s3_bad_input():
    with pytest.raises(ValueError, match="parameter 'n' = 1 is out of range"):
        s3(n=1)
    _, pop = s3_network(10, 1)
    with pytest.raises(ValueError, match="give graph="):
        s3(pop)
    with pytest.raises(ValueError, match="activity_rate"):
        s3(sk.Population(pop.df.drop(columns="activity_rate")), graph=s3_network(10, 1)[0])
    with pytest.raises(ValueError, match="repost \\+ post"):
        S3Rule(repost=0.8, post=0.5)
    with pytest.raises(ValueError, match="first_retweet"):
        s3_reference(pd.DataFrame({"x": [1]}), 2, 1.0)


# ---- herd effect ------------------------------------------------------------------------------
def test_herd_assignment_and_manipulated_votes():
    run = herd_effect(agents=20, posts=12, steps=1, policy=RulePolicy(HerdRule()), seed=4,
                      progress=False)
    man = run.events[(run.events["agent"] == -1)]
    assert len(man) == 8 and set(man["action"]) == {"like", "dislike"}
    assert all(json.loads(d)["manipulated"] for d in man["data"])
    s = herd_summary(run, n_boot=20).set_index("treatment")
    assert s["posts"].tolist() == [4, 4, 4]
    again = herd_effect(agents=20, posts=12, steps=1, policy=RulePolicy(HerdRule()), seed=4,
                        progress=False)
    assert again.events.equals(run.events)
    other = herd_effect(agents=20, posts=12, steps=1, policy=RulePolicy(HerdRule()), seed=5,
                        progress=False)
    assert not other.events[other.events["agent"] == -1]["data"].equals(man["data"])


def test_herd_summary_recovers_a_known_herd_effect_and_its_absence():
    def effect(herd):
        run = herd_effect(agents=300, posts=90, steps=8, policy=RulePolicy(HerdRule(herd=herd)),
                          seed=1, progress=False)
        return herd_summary(run, n_boot=300).set_index("treatment")

    herding = effect(0.15)
    assert herding.loc["up", "ratio_low"] > 1 and herding.loc["up", "diff_low"] > 0
    assert herding.loc["down", "diff_high"] < 0
    assert herding.loc["up", "organic_low"] > 0
    flat = effect(0.0)
    assert flat.loc["up", "organic_low"] < 0 < flat.loc["up", "organic_high"]
    assert flat.loc["down", "organic_low"] < 0 < flat.loc["down", "organic_high"]


def test_herd_llm_voters_see_scores():
    seen = []

    def reply(messages):
        last = messages[-1]["content"]
        seen.append(last)
        first = last.split("(post_id: one of ")[1].split(",")[0].split(")")[0]
        return f"action: like\npost_id: {first}"

    run = herd_effect(agents=4, posts=3, steps=1, page=3, model=sk.llm.scripted(reply),
                      progress=False, up=1 / 3, down=1 / 3)
    assert any("1 like, 0 dislikes" in s for s in seen)
    assert any("0 likes, 1 dislike" in s for s in seen)
    assert (run.events["action"] == "like").sum() >= 4


def test_herd_bad_input():
    with pytest.raises(ValueError, match="exceeds 1"):
        herd_effect(up=0.7, down=0.6)
    with pytest.raises(ValueError, match="parameter 'posts'"):
        herd_effect(posts=1)
    with pytest.raises(ValueError, match="like \\+ dislike"):
        HerdRule(like=0.7, dislike=0.5)
    run = herd_effect(agents=5, posts=3, steps=1, policy=RulePolicy(HerdRule()),
                      progress=False)
    with pytest.raises(ValueError, match="n_boot"):
        herd_summary(run, n_boot=1)


# ---- cocoons ------------------------------------------------------------------------------------
RULE = sk.env.feed_rule(like=0.6, post=0.1, comment=0.0, repost=0.0, follow=0.0,
                        interest="interest", match=8.0)


def run_cocoons(rec, inject=0):
    run = cocoons(agents=80, steps=8, recommender=rec, inject=inject, policy=RULE,
                  embedding=sk.memory.HashEmbedding(), progress=False, seed=3)
    d = diversity(run)
    return d[(d["what"] == "seen")].set_index("step")["entropy"]


def test_interest_recommender_narrows_and_injection_widens():
    rand, interest, mixed = run_cocoons("random"), run_cocoons("interest"), \
        run_cocoons("interest", inject=2)
    assert interest.iloc[-1] < interest.iloc[0] - 0.4          # a cocoon forms
    assert rand.iloc[-1] > interest.iloc[-1] + 0.8
    assert interest.iloc[-1] < mixed.iloc[-1] < rand.iloc[-1]


def test_diversity_options_and_bad_input():
    run = cocoons(agents=10, steps=3, recommender="random", items=2, policy=RULE,
                  progress=False)
    all_steps = diversity(run, window=None)
    assert set(all_steps["what"]) == {"seen", "liked"}
    assert (all_steps["distinct"] <= 8).all() and (all_steps["entropy"] <= 3 + 1e-9).all()
    with pytest.raises(ValueError, match="window"):
        diversity(run, window=0)
    with pytest.raises(ValueError, match="inject=3 exceeds page=2"):
        cocoons(page=2, inject=3)
    with pytest.raises(ValueError, match="'profile' column"):
        cocoons(sk.Population(pd.DataFrame({"agent": [0], "weight": 1.0, "interest": ["x"]})))
    with pytest.raises(ValueError, match="parameter 'recommender'"):
        cocoons(recommender="latest")
