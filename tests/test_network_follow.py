"""Follow networks formed by feed runs and their friendship paradoxes: known values, agreement
with the undirected statistic, strata, the null, intervals, bad input."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.network import follow_network, follow_paradox


def star_digraph():
    G = nx.DiGraph([(0, 1), (0, 2), (0, 3), (1, 2)])   # 1, 2, 3 follow 0; 2 follows 1
    nx.set_edge_attributes(G, {(0, 1): 0, (0, 2): 5, (0, 3): 1, (1, 2): 3}, "weight")
    nx.set_node_attributes(G, {0: 5, 1: 1, 2: 0, 3: 2}, "posts")
    return G


def test_known_values_and_strata():
    fp = follow_paradox(star_digraph(), ["followers", "followees", "posts"], ci=None, null=0)
    t = fp.table.set_index(["attribute", "stratum"])
    # followees' followers: agent 1 follows 0 (3 followers) > 1; agent 2: (3 + 1) / 2 > 0; 3: 3 > 0
    assert t.loc[("followers", "all"), "paradox_share"] == 1.0
    assert t.loc[("followers", "all"), "mean_neighbours"] == pytest.approx((3 + 2 + 3) / 3)
    # followees' followees: 0 follows no one (0) vs own 1, 1, 2 -> 1 follows 0: 0 < 1; ...
    assert t.loc[("followees", "all"), "paradox_share"] == 0.0
    assert t.loc[("posts", "all"), "agents"] == 3
    # split at the median weight 2: weak arcs (0,1) w0 and (0,3) w1; strong (0,2) w5, (1,2) w3
    assert fp.split == 2.0
    assert t.loc[("followers", "weak"), "arcs"] == 2 and t.loc[("followers", "strong"),
                                                               "arcs"] == 2
    assert t.loc[("posts", "strong"), "agents"] == 1      # only agent 2 has strong followees
    assert t.loc[("posts", "strong"), "mean_neighbours"] == 3.0  # (5 + 1) / 2
    by_followers = follow_paradox(star_digraph(), ["posts"], neighbours="followers", ci=None,
                                  null=0, strength=None).table
    # followers' posts: 0's followers post (1 + 0 + 2) / 3 = 1 < 5; 1's follower (2) posts 0 < 1
    assert by_followers["agents"].tolist() == [2] and by_followers["paradox_share"].tolist() == [
        0.0]


def test_matches_the_undirected_paradox_on_mutual_follows():
    U = nx.karate_club_graph()
    D = U.to_directed()
    fp = follow_paradox(D, ["followers"], ci=None, null=0, strength=None)
    ref = sk.network.friendship_paradox(U)
    assert fp.table["paradox_share"].iloc[0] == pytest.approx(ref.paradox_share)
    assert fp.table["mean_neighbours"].iloc[0] == pytest.approx(ref.mean_local_neighbor_value)


def test_bootstrap_and_configuration_null():
    G = sk.network.barabasi_albert(400, 3, seed=3).to_directed()
    rng = np.random.default_rng(0)
    nx.set_edge_attributes(G, {e: int(rng.integers(0, 4)) for e in G.edges()}, "weight")
    nx.set_node_attributes(G, {v: float(rng.random()) for v in G}, "posts")
    fp = follow_paradox(G, ["followers", "posts"], ci=0.9, n_boot=200, null=30, seed=1)
    t = fp.table.set_index(["attribute", "stratum"])
    row = t.loc[("followers", "all")]
    assert row["ci_low"] < row["paradox_share"] < row["ci_high"]
    assert row["paradox_share"] > 0.7          # hubs: the paradox holds for most agents
    # random posts: no generalised paradox beyond chance, and the null agrees
    row = t.loc[("posts", "all")]
    assert 0.35 < row["paradox_share"] < 0.65 and row["null_low"] <= row["null_share"] <= \
        row["null_high"]
    again = follow_paradox(G, ["followers", "posts"], ci=0.9, n_boot=200, null=30, seed=1)
    pd.testing.assert_frame_equal(fp.table, again.table)
    assert "Friendship paradox over followees" in fp._repr_html_()


def test_follow_network_of_a_feed_run_has_activity_influence_and_strength():
    n = 150
    pop = sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0}))
    G = sk.network.barabasi_albert(n, 2, seed=2).to_directed()
    feed = sk.env.Feed(G, recommender="chronological", people=2,
                       seed_posts=pd.DataFrame({"author": np.arange(10), "text": "hi"}))
    sim = sk.Simulation(pop, env=feed, policy=sk.env.feed_rule(follow=0.1, unfollow=0.05),
                        activation=0.5, seed=5, progress=False)
    run = sim.run(4)
    F = follow_network(run)
    assert sorted(F.edges()) == sorted(feed.follow_graph().edges())
    F0 = follow_network(run, step=0)
    assert sorted(F0.edges()) == sorted(G.edges())
    assert F.nodes[0]["followers"] == F.out_degree(0)
    made = run.events[run.events["action"].isin(["post", "comment", "repost", "quote"])]
    assert sum(d["posts"] for _, d in F.nodes(data=True)) == len(made)
    likes = run.events[run.events["action"] == "like"]
    assert sum(d["likes_received"] for _, d in F.nodes(data=True)) == len(likes)
    assert sum(w for *_, w in F.edges(data="weight")) <= len(
        run.events[run.events["action"].isin(["like", "comment", "repost", "quote"])])
    fp = follow_paradox(F, ci=0.95, n_boot=100, null=10, seed=0)
    assert set(fp.table["attribute"]) == {"followers", "followees", "posts", "likes_received"}


@pytest.mark.parametrize("kw, err, match", [
    ({"neighbours": "friends"}, ValueError, "'followees' or 'followers'"),
    ({"ci": 1.5}, ValueError, "ci must be in"),
    ({"n_boot": 5}, ValueError, "n_boot must be"),
    ({"null": -1}, ValueError, "null must be"),
    ({"attributes": ["karma"]}, ValueError, "'karma' is missing"),
    ({"strength": "trust"}, ValueError, "lack the tie-strength attribute 'trust'"),
])
def test_bad_arguments(kw, err, match):
    with pytest.raises(err, match=match):
        follow_paradox(star_digraph(), **kw)


def test_bad_graphs_and_runs():
    with pytest.raises(TypeError, match="DiGraph"):
        follow_paradox(nx.Graph([(0, 1)]))
    with pytest.raises(ValueError, match="no arcs"):
        follow_paradox(nx.DiGraph([(0, 0)]).__class__())
    G = star_digraph()
    nx.set_node_attributes(G, "many", "posts")
    with pytest.raises(ValueError, match="not numeric"):
        follow_paradox(G, ["posts"])
    with pytest.raises(TypeError, match="Run or its events"):
        follow_network([1])
    ev = pd.DataFrame({"step": [0], "agent": [1], "action": ["follow"], "target": [0]})
    with pytest.raises(ValueError, match="non-negative integer"):
        follow_network(ev, step=-1)
    with pytest.raises(TypeError, match="initial must be"):
        follow_network(ev, initial=[(0, 1)])


def test_an_empty_stratum_is_nan_without_warnings():
    import warnings

    G = nx.DiGraph([(0, 1), (1, 2), (2, 0), (3, 0)])
    for v in G:
        G.nodes[v].update(followers=G.in_degree(v), posts=v)
    nx.set_edge_attributes(G, 1.0, "weight")  # all ties equal: the weak stratum holds nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fp = follow_paradox(G, ["followers", "posts"], n_boot=50, null=5, seed=0)
    t = fp.table
    assert len(t) and t["agents"].ge(0).all()
    empty = t[t["arcs"] == 0]
    assert len(empty) and empty[["null_share", "ci_low", "paradox_share"]].isna().all().all()
