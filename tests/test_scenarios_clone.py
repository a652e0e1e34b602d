"""The misinformation clone: seeded sources on disjoint trial worlds, the independent-cascade
rule, scripted LLM agents, the real spread of the Higgs sources, bands and the figure."""

import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import RulePolicy
from socialkit.scenarios import (
    CascadeRule,
    clone_bands,
    clone_cascades,
    clone_layers,
    clone_reference,
    clone_summary,
    misinformation_clone,
)

# 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4 (arcs author -> follower); 5 follows no one it
# could be reached from (5 -> 0 only): not in the source's audience
ARCS = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (5, 0)]


def small(source=(0,)):
    G = nx.DiGraph(ARCS)
    pop = sk.Population(pd.DataFrame({"agent": range(6), "weight": 1.0,
                                      "source": [a in source for a in range(6)]}))
    return G, pop


def rule(p, **kw):
    G, pop = small()
    return misinformation_clone(pop, graph=G, policy=RulePolicy(CascadeRule(p=p)),
                                progress=False, **kw)


def test_certain_spread_gives_exact_layers_in_every_trial():
    run = rule(1.0, trials=3, steps=4)
    lay = clone_layers(run)
    assert lay.groupby("trial")["infections"].apply(list).tolist() == [[2, 1, 1, 0]] * 3
    cas = clone_cascades(run)
    assert cas[["size", "depth", "max_breadth"]].values.tolist() == [[5, 3, 2]] * 3
    assert cas["source"].tolist() == [0, 0, 0] and cas["trial"].tolist() == [0, 1, 2]
    # the worlds: 3 copies of the 5 users who can be reached; agent 5 is in none
    assert run.events["agent"].nunique() == 15
    assert run.params["worlds"] == {0: [0, 0], 1: [0, 1], 2: [0, 2]}
    # one repost per infected agent, each through a share of the layer above
    reps = run.events[run.events["action"] == "repost"]
    assert len(reps) == 12 and (reps["step"].to_numpy() >= 1).all()
    b = clone_bands(run).set_index("measure")
    assert b.loc["layer 1", ["median", "low", "high"]].tolist() == [2.0, 2.0, 2.0]
    assert b.loc["size", "median"] == 5.0 and b.loc["depth", "trials"] == 3


def test_no_spread_and_layers_limited_to_steps():
    run = rule(0.0, trials=2, steps=2)
    assert clone_layers(run)["infections"].tolist() == [0, 0, 0, 0]
    assert clone_cascades(run)["size"].tolist() == [1, 1]
    # with 2 steps the audience is the users within 2 arcs: 0, 1, 2, 3
    assert run.events["agent"].nunique() == 8


def test_cascade_rule_chance_and_replay():
    # a star: 60 followers, one exposure each, chance 0.3 per exposure
    G = nx.DiGraph([(0, k) for k in range(1, 61)])
    pop = sk.Population(pd.DataFrame({"agent": range(61), "weight": 1.0,
                                      "source": [a == 0 for a in range(61)]}))
    run = misinformation_clone(pop, graph=G, trials=40, steps=2, seed=3, progress=False,
                               policy=RulePolicy(CascadeRule(p=0.3)))
    first = clone_layers(run).query("layer == 1")["infections"]
    assert abs(first.mean() - 18) < 2.5                  # 60 x 0.3, 40 trials
    assert clone_layers(run).query("layer == 2")["infections"].eq(0).all()
    again = misinformation_clone(pop, graph=G, trials=40, steps=2, seed=3, progress=False,
                                 policy=RulePolicy(CascadeRule(p=0.3)))
    assert again.events.equals(run.events)
    other = misinformation_clone(pop, graph=G, trials=40, steps=2, seed=4, progress=False,
                                 policy=RulePolicy(CascadeRule(p=0.3)))
    assert not other.events.equals(run.events)
    # per-agent chances from a column: followers 1..30 always, 31..60 never
    pop.df["chance"] = [0.0] + [1.0] * 30 + [0.0] * 30
    col = misinformation_clone(pop, graph=G, trials=2, steps=1, progress=False,
                               policy=RulePolicy(CascadeRule(p="chance")))
    assert clone_layers(col)["infections"].tolist() == [30, 30]


def test_scripted_llm_agents_repost_what_they_see():
    def reply(messages):
        last = messages[-1]["content"]
        m = re.search(r"post_id: one of (p\d+)", last)
        return f"action: repost\npost_id: {m.group(1)}" if m else "action: do_nothing"

    G, pop = small()
    run = misinformation_clone(pop, sk.llm.scripted(reply), graph=G, trials=2, steps=3,
                               progress=False, cache=False)
    assert clone_layers(run).groupby("trial")["infections"].apply(list).tolist() == \
        [[2, 1, 1], [2, 1, 1]]
    assert (run.events["action"] != "rejected").all()


def test_real_reference_of_the_higgs_sources():
    ref = clone_reference(80, 2)
    G, people = sk.datasets.higgs_sample(80, seeds=2)
    rt = sk.datasets.load("higgs_retweets")
    users = set(people["user"])
    for s in people.loc[people["source"], "user"]:
        r = ref[ref["source"] == s].set_index("measure")["real"]
        n = rt[(rt["author"] == s) & rt["user"].isin(users - {s})]["user"].nunique()
        assert r["size"] == n + 1                            # every retweeter, once
        layers = r[[m for m in r.index if m.startswith("layer ")]]
        deepest = max(int(m.split()[1]) for m, v in layers.items() if v > 0)
        assert layers.sum() == n and r["depth"] == deepest
        assert r["max_breadth"] == layers.max()
    short = clone_reference(80, 2, layers=1)
    assert short["measure"].tolist()[:2] == ["layer 1", "size"]


def test_summary_on_the_higgs_sample_and_given_reference():
    run = misinformation_clone(n=60, sources=1, trials=6, steps=2, progress=False,
                               policy=RulePolicy(CascadeRule(p=1.0)))
    s = clone_summary(run)
    assert s["measure"].tolist() == ["layer 1", "layer 2", "size", "depth", "max_breadth"]
    assert s["real"].notna().all() and s["trials"].eq(6).all()
    G, pop = small()
    run = rule(1.0, trials=2, steps=4)
    ref = pd.DataFrame({"source": 0, "measure": ["layer 1", "size"], "real": [2.0, 9.0]})
    s = clone_summary(run, ref).set_index("measure")
    assert bool(s.loc["layer 1", "inside"]) and not bool(s.loc["size", "inside"])
    assert np.isnan(s.loc["depth", "real"])


def test_figure():
    run = rule(1.0, trials=2, steps=3)
    ref = pd.DataFrame({"source": 0, "measure": ["layer 1", "layer 2"], "real": [2.0, 1.0]})
    fig = sk.plot.clone_spread(clone_layers(run), ref, traces=1)
    names = [t.name for t in fig.data]
    assert names.count("trials") == 1 and "real" in names
    with pytest.raises(ValueError, match="columns"):
        sk.plot.clone_spread(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="level"):
        sk.plot.clone_spread(clone_layers(run), level=1.5)


def test_bad_input():
    G, pop = small()
    with pytest.raises(ValueError, match="parameter 'trials' = 0 is out of range"):
        misinformation_clone(trials=0)
    with pytest.raises(ValueError, match="give graph="):
        misinformation_clone(pop)
    with pytest.raises(TypeError, match="DiGraph"):
        misinformation_clone(pop, graph=nx.Graph(ARCS))
    with pytest.raises(ValueError, match="'source' column"):
        misinformation_clone(sk.Population(pop.df.drop(columns="source")), graph=G)
    none = sk.Population(pop.df.assign(source=False))
    with pytest.raises(ValueError, match="no source user"):
        misinformation_clone(none, graph=G)
    with pytest.raises(ValueError, match="not nodes of graph"):
        misinformation_clone(pop, graph=nx.DiGraph([(1, 2)]))
    for bad in (1.5, -0.1, True, ""):
        with pytest.raises(ValueError, match="CascadeRule p"):
            CascadeRule(p=bad)
    with pytest.raises(ValueError, match="not a population column"):
        misinformation_clone(pop, graph=G, steps=1, progress=False,
                             policy=RulePolicy(CascadeRule(p="nope")))
    pop.df["chance"] = 2.0
    with pytest.raises(ValueError, match="probabilities in"):
        misinformation_clone(pop, graph=G, steps=1, progress=False,
                             policy=RulePolicy(CascadeRule(p="chance")))
    run = rule(0.5, trials=1, steps=1)
    with pytest.raises(ValueError, match="level"):
        clone_bands(run, level=1.0)
    other = sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]),
                   run.events)
    with pytest.raises(ValueError, match="misinformation_clone"):
        clone_layers(other)
