"""The friendship paradox of a follow network formed through a recommender: the population,
the rule's follows (exact on a hand-built feed), the paradoxes by step, scripted LLM agents,
the real Higgs figures, the figure and bad input."""

import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.scenarios import (
    friendship_paradox_feed,
    higgs_paradox,
    paradox_by_step,
    paradox_population,
    paradox_rule,
)

HASH = sk.memory.HashEmbedding()
ONLY_FOLLOW = dict(post=0.0, comment=0.0, repost=0.0, like=0.0, follow=1.0, unfollow=0.0)


def test_population():
    pop = paradox_population(50, seed=3)
    df = pop.df
    assert len(df) == 50 and df["activity"].between(0.05, 1.0).all()
    assert (df["interest"] != df["second"]).all()
    assert df["profile"].iloc[0] == f"{df['interest'].iloc[0]} and {df['second'].iloc[0]}."
    assert 0.1 < df["activity"].median() < 0.35 and df["activity"].max() > 0.5
    assert paradox_population(50, seed=3).df.equals(df)
    assert not paradox_population(50, seed=4).df.equals(df)


def test_rule_follows_page_authors_exactly():
    pop = sk.Population(pd.DataFrame({"agent": [0, 1, 2], "weight": 1.0,
                                      "interest": ["a", "b", "a"]}))
    feed = sk.env.Feed(None, recommender="hot", topics=["a", "b"],
                       seed_posts=pd.DataFrame({"author": [2], "topic": ["a"]}))
    sim = sk.Simulation(pop, env=feed, policy=paradox_rule(**ONLY_FOLLOW), progress=False)
    run = sim.run(2)
    fol = run.events[(run.events["action"] == "follow") & (run.events["step"] > 0)]
    # hot pages leave out one's own items: 0 and 1 see agent 2's post, 2 sees nothing
    assert fol[["step", "agent", "target"]].values.tolist() == [[1, 0, 2], [1, 1, 2]]
    acts = run.events[run.events["step"] == 2]["action"].tolist()
    assert set(acts) <= {"feed", "do_nothing"}    # the only author on the page is followed
    assert sorted(feed.follow_graph().edges()) == [(2, 0), (2, 1)]


def test_rule_run_forms_a_network_and_paradoxes():
    run = friendship_paradox_feed(agents=80, steps=12, policy=paradox_rule(), embedding=HASH,
                                  progress=False, seed=2)
    ev = run.events
    assert (ev["action"] != "rejected").all()     # the rule never attempts the impossible
    fol = ev[ev["action"] == "follow"]
    assert len(fol) > 25 and (fol["agent"] != fol["target"]).all()
    F = sk.network.follow_network(run)
    edges = run.measures()["follow_edges.value"]
    assert F.number_of_edges() == edges.iloc[-1]
    # activity rates drive who acts: feed events ~ sum of rates x steps
    rates = paradox_population(80, seed=2).df["activity"].sum()
    assert abs((ev["action"] == "feed").sum() - 12 * rates) < 0.25 * 12 * rates
    t = paradox_by_step(run, [0, 6, 12], n_boot=100, null=10, seed=1)
    at0 = t[t["step"] == 0]
    assert at0["arcs"].eq(0).all() and at0["paradox_share"].isna().all()
    F12 = sk.network.follow_network(run, step=12)
    direct = sk.network.follow_paradox(F12, n_boot=100, null=10, seed=1).table
    w = [d for *_, d in F12.edges(data="weight")]
    assert t[t["step"] == 12]["split"].eq(np.median(w)).all()
    got = t[t["step"] == 12].drop(columns=["step", "split"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, direct)
    fp = got[(got["attribute"] == "followers") & (got["stratum"] == "all")].iloc[0]
    assert fp["paradox_share"] > 0.5 and fp["ci_low"] <= fp["paradox_share"] <= fp["ci_high"]
    assert set(got["stratum"]) == {"all", "weak", "strong"}
    again = friendship_paradox_feed(agents=80, steps=12, policy=paradox_rule(), embedding=HASH,
                                    progress=False, seed=2)
    assert again.events.equals(run.events)
    assert run.params["who_to_follow"] == "fof" and run.params["agents"] == 80


def test_scripted_llm_agents_follow_suggested_accounts():
    def reply(messages):
        last = messages[-1]["content"]
        m = re.search(r"user: one of (u\d+)", last)
        return f"action: follow\nuser: {m.group(1)}" if m else "action: do_nothing"

    pop = paradox_population(5, seed=1)
    pop.df["activity"] = 1.0
    run = friendship_paradox_feed(pop, sk.llm.scripted(reply), steps=2, people=2,
                                  who_to_follow="random", embedding=HASH, progress=False,
                                  cache=False)
    ev = run.events
    fol = ev[ev["action"] == "follow"]
    assert len(fol) == 10 and (ev["action"] != "rejected").all()   # 5 agents x 2 steps
    assert not fol.duplicated(["agent", "target"]).any()
    G = sk.network.follow_network(run)
    assert all(G.in_degree(v) == 2 for v in G.nodes)


def test_higgs_figures_match_a_direct_count():
    t = higgs_paradox(60, ci=None, null=0)
    G, people = sk.datasets.higgs_sample(60, seeds=5)
    share = np.mean([np.mean([G.out_degree(u) for u in G.predecessors(v)]) > G.out_degree(v)
                     for v in G.nodes if G.in_degree(v) > 0])
    row = t[(t["attribute"] == "followers") & (t["stratum"] == "all")].iloc[0]
    assert row["paradox_share"] == pytest.approx(share)
    assert row["arcs"] == G.number_of_edges() and row["network"].startswith("Higgs")
    weak = t[(t["attribute"] == "followers") & (t["stratum"] == "weak")].iloc[0]
    w = np.array([d for *_, d in G.edges(data="weight")])
    assert weak["arcs"] == int((w <= np.median(w)).sum())


def test_figure():
    t = pd.DataFrame({"step": [1, 2, 1, 2], "attribute": ["followers"] * 2 + ["posts"] * 2,
                      "stratum": "all", "paradox_share": [0.6, 0.8, 0.5, 0.55],
                      "ci_low": [0.5, 0.7, 0.4, 0.45], "ci_high": [0.7, 0.9, 0.6, 0.65],
                      "null_share": [0.6, 0.7, 0.5, 0.5]})
    real = pd.DataFrame({"attribute": ["followers", "posts"], "stratum": "all",
                         "paradox_share": [0.99, 0.23], "network": "Higgs retweets"})
    fig = sk.plot.paradox_emergence(t, real)
    assert [tr.name for tr in fig.data].count("Higgs retweets") == 2
    with pytest.raises(ValueError, match="stratum"):
        sk.plot.paradox_emergence(t, stratum="weak")
    with pytest.raises(ValueError, match="columns"):
        sk.plot.paradox_emergence(pd.DataFrame({"step": [1]}))


def test_bad_input():
    with pytest.raises(ValueError, match="parameter 'who_to_follow'"):
        friendship_paradox_feed(who_to_follow="famous")
    with pytest.raises(ValueError, match="parameter 'agents' = 1 is out of range"):
        friendship_paradox_feed(agents=1)
    with pytest.raises(ValueError, match="agents must be an integer"):
        paradox_population(1)
    pop = paradox_population(4)
    with pytest.raises(ValueError, match="'activity' column"):
        friendship_paradox_feed(sk.Population(pop.df.drop(columns="activity")))
    with pytest.raises(ValueError, match="not among the topics"):
        friendship_paradox_feed(pop, topics=["knitting", "chess"])
    with pytest.raises(ValueError, match="sum to"):
        paradox_rule(follow=0.9)
    run = friendship_paradox_feed(agents=10, steps=1, policy=paradox_rule(), embedding=HASH,
                                  progress=False)
    for bad in ([5], [-1], [True], ["1"]):
        with pytest.raises(ValueError, match="steps must be integers"):
            paradox_by_step(run, bad)
    with pytest.raises(TypeError, match="DiGraph"):
        sk.network.follow_paradox(nx.Graph([(0, 1)]))
