"""Cascade trees and their measures on hand-built trees with known values, against networkx,
from feed runs, inferred from adoptions; propagation curves; bad input."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.network.cascades import (
    cascade_trees,
    cascades,
    infer_parents,
    propagation_curve,
    structural_virality,
)


def edges_of(G, root=0, times=None):
    tree = nx.bfs_tree(G, root)
    e = list(tree.edges())
    t = times if times is not None else [float(i + 1) for i in range(len(e))]
    return pd.DataFrame({"parent": [u for u, _ in e], "child": [v for _, v in e], "time": t,
                         "root_time": 0.0})


@pytest.mark.parametrize("n", [2, 3, 5, 10])
def test_star_and_path_closed_forms(n):
    star = cascades(edges_of(nx.star_graph(n - 1))).iloc[0]
    assert star["size"] == n and star["depth"] == 1 and star["max_breadth"] == n - 1
    assert star["structural_virality"] == pytest.approx(2 * (n - 1) / n)
    path = cascades(edges_of(nx.path_graph(n))).iloc[0]
    assert path["depth"] == n - 1 and path["max_breadth"] == 1
    assert path["structural_virality"] == pytest.approx((n + 1) / 3)


def test_binary_tree_shape():
    G = nx.balanced_tree(2, 3)
    c = cascades(edges_of(G)).iloc[0]
    assert (c["size"], c["depth"], c["max_breadth"]) == (15, 3, 8)
    assert c["structural_virality"] == pytest.approx(nx.average_shortest_path_length(G))


@pytest.mark.parametrize("seed", range(5))
def test_structural_virality_equals_mean_pairwise_distance(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    parents = [int(rng.integers(0, i)) for i in range(1, n)]   # a random recursive tree
    G = nx.Graph([(p, i) for i, p in enumerate(parents, start=1)])
    e = pd.DataFrame({"parent": parents, "child": range(1, n), "time": 1.0})
    sv = structural_virality(cascade_trees(e)).iloc[0]
    assert sv == pytest.approx(nx.average_shortest_path_length(G), rel=1e-12)


def test_times_duration_and_half_size_and_many_cascades():
    e = pd.DataFrame({"cascade": ["a", "a", "a", "a", "b"],
                      "parent": [0, 0, 1, 1, 0], "child": [1, 2, 3, 4, 1],
                      "time": [1.0, 2.0, 3.0, 10.0, 7.0], "root_time": 0.0})
    c = cascades(e).set_index("cascade")
    assert c.loc["a", "size"] == 5 and c.loc["a", "duration"] == 10.0
    assert c.loc["a", "time_to_half"] == 2.0          # the 3rd of 5 nodes, at time 2
    assert c.loc["b", "size"] == 2 and c.loc["b", "time_to_half"] == 0.0   # root alone is half
    assert c.loc["b", "duration"] == 7.0 and c.loc["b", "structural_virality"] == 1.0
    trees = cascade_trees(e)
    assert trees[trees["cascade"] == "b"]["node"].tolist() == [0, 1]  # node 1 of b is not a's
    assert len(cascades(e, min_size=3)) == 1
    # roots without root_time start with their first child
    assert cascades(e.drop(columns="root_time")).set_index("cascade").loc["a", "start"] == 1.0


def test_string_ids_and_single_node_virality():
    e = pd.DataFrame({"parent": ["alice"], "child": ["bob"], "time": [5]})
    t = cascade_trees(e)
    assert t[["cascade", "node", "parent", "depth"]].values.tolist() == [
        ["alice", "alice", None, 0], ["alice", "bob", "alice", 1]]
    one = cascade_trees(pd.DataFrame({"parent": [1], "child": [2], "time": [0.0]}))
    assert structural_virality(one.iloc[:1]).isna().all()


def test_cascades_of_a_feed_run():
    feed = sk.env.Feed(None, recommender="random",
                       seed_posts=pd.DataFrame({"author": [0, 1], "text": ["a", "b"]}))
    script = {(1, 2): {"action": "repost", "post_id": 0},
              (1, 3): {"action": "comment", "post_id": 0, "text": "hm", "topic": -1},
              (2, 4): {"action": "repost", "post_id": 2}, (2, 5): {"action": "quote",
                                                                   "post_id": 3, "text": "q",
                                                                   "topic": -1},
              (3, 6): {"action": "repost", "post_id": 4}}

    def act(agent, obs, state, step):
        return script.get((step, agent), {"action": "do_nothing"})

    pop = sk.Population(pd.DataFrame({"agent": range(7), "weight": 1.0}))
    run = sk.Simulation(pop, env=feed, policy=sk.agents.ScriptedPolicy(act),
                        progress=False).run(3)
    c = cascades(run).set_index("cascade")
    assert c.loc[0, "size"] == 4 and c.loc[0, "depth"] == 3 and c.loc[1, "size"] == 1
    assert c.loc[0, "duration"] == 3.0 and c.loc[0, "structural_virality"] == pytest.approx(
        nx.average_shortest_path_length(nx.path_graph(4)))
    # with comments: the quote of the comment joins the tree
    c2 = cascades(run, kinds=("comment", "repost", "quote")).set_index("cascade")
    assert c2.loc[0, "size"] == 6 and c2.loc[0, "max_breadth"] == 2
    t = cascade_trees(run)
    assert t[t["cascade"] == 0]["agent"].tolist() == [0, 2, 4, 6]
    curve = propagation_curve(run)
    assert curve["adopters"].tolist() == [1.0, 3.0, 4.0]   # 2; 4 and 5; 6
    with pytest.raises(ValueError, match="not item kinds"):
        cascade_trees(run, kinds=("like",))


def test_infer_parents():
    ad = pd.DataFrame({"cascade": [9, 9, 9, 9, 9, 8], "user": [1, 2, 3, 1, 4, 4],
                       "time": [1.0, 2.0, 3.0, 4.0, 2.0, 1.0]})
    fol = pd.DataFrame({"user": [3, 3, 4, 2], "followee": [1, 2, 3, 9]})
    e = infer_parents(ad, fol)
    assert e.values.tolist() == [[8, 8, 4, 1.0], [9, 9, 1, 1.0], [9, 9, 2, 2.0],
                                 [9, 9, 4, 2.0], [9, 2, 3, 3.0]]
    # 3 follows 1 and 2: the most recent earlier adopter (2); 4 adopted before 3
    c = cascades(e).set_index("cascade")
    assert c.loc[9, "depth"] == 2 and c.loc[9, "size"] == 5
    assert infer_parents(ad)["parent"].tolist() == [8, 9, 9, 9, 9]
    with pytest.raises(ValueError, match="lack column"):
        infer_parents(ad.drop(columns="time"))
    with pytest.raises(ValueError, match="follows lack"):
        infer_parents(ad, fol.rename(columns={"followee": "who"}))


def test_propagation_curve_bins():
    ad = pd.DataFrame({"user": [5, 6, 5, 7, 8], "time": [0, 3599, 3600, 7300, 20000]})
    c = propagation_curve(ad, every=3600, start=0, end=3 * 3600)
    assert c["new"].tolist() == [2.0, 0.0, 1.0] and c["share"].iloc[-1] == 1.0
    assert c["time"].tolist() == [3600.0, 7200.0, 10800.0]
    with pytest.raises(ValueError, match="every must be"):
        propagation_curve(ad, every=0)
    with pytest.raises(ValueError, match="lacks column"):
        propagation_curve(ad, user="who")
    with pytest.raises(TypeError, match="needs a Run"):
        propagation_curve([1, 2])


@pytest.mark.parametrize("edges, match", [
    (pd.DataFrame({"parent": [0], "child": [1]}), "lacks column"),
    (pd.DataFrame({"parent": [0, 2], "child": [1, 1], "time": 1.0}), "more than one parent"),
    (pd.DataFrame({"parent": [0, 1], "child": [1, 0], "time": 1.0}), "cycle"),
    (pd.DataFrame({"parent": [0], "child": [None], "time": 1.0}), "must not be missing"),
    (pd.DataFrame({"parent": [0], "child": [1], "time": ["noon"]}), "time must be numbers"),
])
def test_bad_edges(edges, match):
    with pytest.raises(ValueError, match=match):
        cascade_trees(edges)


def test_bad_arguments():
    with pytest.raises(TypeError, match="needs a Run"):
        cascade_trees("events")
    with pytest.raises(ValueError, match="min_size"):
        cascades(pd.DataFrame({"parent": [0], "child": [1], "time": 1.0}), min_size=0)


def test_higgs_real_cascades():
    rt = sk.datasets.load("higgs_retweets")
    assert rt.shape == (354930, 3) and rt["user"].nunique() == 228556
    assert rt["author"].nunique() == 41426
    assert "De Domenico" in rt.attrs["citation"]
    ad = rt.rename(columns={"author": "cascade"})
    fol = rt[["user", "author"]].drop_duplicates().rename(columns={"author": "followee"})
    c = cascades(infer_parents(ad, fol))
    assert len(c) == 41426 and c["size"].sum() == 328132 + 41426   # one node per (author, user)
    assert c["size"].max() == 14061 and c["depth"].max() >= 2
    curve = propagation_curve(rt, every=3600, start=1341100800, end=1341100800 + 168 * 3600)
    assert len(curve) == 168 and curve["adopters"].iloc[-1] == 228556
    assert json.loads(json.dumps(curve["share"].iloc[95])) > 0.5   # the 4 July announcement
