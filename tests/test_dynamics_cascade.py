import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk


def _paths(copies, length):
    # `copies` disjoint paths of `length` nodes; node c * length + d is at distance d from the
    # seed c * length
    G = nx.disjoint_union_all([nx.path_graph(length) for _ in range(copies)])
    return G, [c * length for c in range(copies)]


def test_independent_cascade_on_paths_matches_closed_form():
    # on a path seeded at one end the node at distance d is active with probability p^d and,
    # if so, activated in round d. 500 paths in one run; tolerance 4 standard errors
    copies, length, p = 500, 6, 0.6
    G, seeds = _paths(copies, length)
    run = sk.dynamics.independent_cascade(G, seeds=seeds, p=p, steps=10, seed=5)
    w = run.wide("state").to_numpy()  # step x agent
    final = w[-1].reshape(copies, length)
    for d in range(length):
        expected = p**d
        se = np.sqrt(expected * (1 - expected) / copies) + 1e-12
        assert abs(final[:, d].mean() - expected) <= 4 * se + 1e-12, d
    first = np.argmax(w == 1, axis=0).reshape(copies, length)  # round of activation
    active = final == 1
    assert (first[active] == np.broadcast_to(np.arange(length), (copies, length))[active]).all()


def test_independent_cascade_on_binary_trees_matches_expected_size():
    # a rooted binary tree of depth 5: E[size] = sum_d (2 p)^d. 300 trees in one run
    p, depth, copies = 0.4, 5, 300
    tree = nx.balanced_tree(2, depth)
    G = nx.disjoint_union_all([tree] * copies)
    seeds = [c * tree.number_of_nodes() for c in range(copies)]
    run = sk.dynamics.independent_cascade(G, seeds=seeds, p=p, steps=depth + 2, seed=1,
                                          record="summary")
    size = run.summary("state")["n_active"].iloc[-1] / copies
    expected = sum((2 * p) ** d for d in range(depth + 1))
    assert size == pytest.approx(expected, rel=0.05)
    assert run.params["absorbed_at"] <= depth


def test_independent_cascade_edge_probabilities_and_direction():
    G = nx.DiGraph()
    G.add_edge(0, 1, prob=1.0)
    G.add_edge(1, 2, prob=0.0)
    G.add_edge(3, 0, prob=1.0)
    run = sk.dynamics.independent_cascade(G, seeds=[0], weight="prob", steps=5, seed=0)
    assert run.final("state").to_dict() == {0: 1.0, 1: 1.0, 2: 0.0, 3: 0.0}
    assert run.params["absorbed_at"] == 1 and run.params["p"] == "edge attribute 'prob'"


def test_linear_threshold_granovetter_riot():
    # Granovetter (1978): 100 people with thresholds 0, 1, ..., 99 ("join once k others have")
    # all riot; raise the threshold-1 person's to 2 and only the instigator acts
    n = 100
    G = nx.complete_graph(n)
    theta = np.arange(n) / (n - 1)
    run = sk.dynamics.linear_threshold(G, states=[0] * n, agent_thresholds=theta, steps=120,
                                       record="summary")
    assert run.summary("state")["n_active"].iloc[-1] == n
    assert run.params["absorbed_at"] == n
    theta[1] = 2 / (n - 1)
    stalled = sk.dynamics.linear_threshold(G, states=[0] * n, agent_thresholds=theta, steps=120,
                                           record="summary")
    assert stalled.summary("state")["n_active"].iloc[-1] == 1
    assert stalled.params["absorbed_at"] == 1


def test_linear_threshold_watts_fractional_and_weights():
    # fraction threshold 1/2 on a path seeded at one end: each node has half its neighbours
    # active once its predecessor is, so the cascade runs to the end
    run = sk.dynamics.linear_threshold(nx.path_graph(6), seeds=[0], threshold=0.5, steps=10)
    assert run.final("state").sum() == 6 and run.params["absorbed_at"] == 5
    # a weight of 3 on the seed's tie outweighs the other tie of node 1 (3/4 >= 0.7); node 2
    # then has 1/2 < 0.7 of its weight active and stays out
    G = nx.Graph()
    G.add_edge(0, 1, w=3.0)
    G.add_edge(1, 2, w=1.0)
    G.add_edge(2, 3, w=1.0)
    heavy = sk.dynamics.linear_threshold(G, seeds=[0], threshold=0.7, weight="w", steps=3)
    assert heavy.final("state").tolist() == [1.0, 1.0, 0.0, 0.0]
    # random thresholds come from the run's seed
    a = sk.dynamics.linear_threshold(nx.karate_club_graph(), seeds=[0], steps=10, seed=4)
    b = sk.dynamics.linear_threshold(nx.karate_club_graph(), seeds=[0], steps=10, seed=4)
    pd.testing.assert_frame_equal(a.trajectory, b.trajectory)
    assert a.params["threshold"] == "uniform random"


def test_complex_contagion_needs_wide_bridges():
    # Centola & Macy (2007): ring lattice, each agent knows 2 on each side, k = 2
    ring = nx.watts_strogatz_graph(40, 4, 0.0)
    run = sk.dynamics.complex_contagion(ring, seeds=[0, 1], k=2, steps=25, record="summary")
    active = run.summary("state")["n_active"]
    assert active.iloc[:6].tolist() == [2, 4, 6, 8, 10, 12]  # 2 + 2t: closed form
    assert active.iloc[-1] == 40 and run.params["absorbed_at"] == 19
    apart = sk.dynamics.complex_contagion(ring, seeds=[0, 20], k=2, steps=25, record="summary")
    assert apart.summary("state")["n_active"].iloc[-1] == 2 and apart.params["absorbed_at"] == 0
    # a plain ring (one neighbour each side) never passes a 2-exposure contagion on
    plain = sk.dynamics.complex_contagion(nx.cycle_graph(40), seeds=[0, 1], k=2, steps=10)
    assert plain.final("state").sum() == 2
    # k = 1 is simple contagion: breadth-first, the ball of radius t
    simple = sk.dynamics.complex_contagion(nx.cycle_graph(40), seeds=[0], k=1, steps=5,
                                           record="summary")
    assert simple.summary("state")["n_active"].tolist() == [1, 3, 5, 7, 9, 11]


def test_complex_contagion_rates():
    # spontaneous adoption alone (rate 0): the share adopted by step t is 1 - (1 - q)^t
    G = nx.empty_graph(4000)
    run = sk.dynamics.complex_contagion(G, states=[0] * 4000, rate=0.0, spontaneous=0.1, steps=5,
                                        seed=2, record="summary")
    shares = run.summary("state")["share_active"].to_numpy()
    assert shares == pytest.approx(1 - 0.9 ** np.arange(6), abs=0.02)
    # rate < 1: exposed agents adopt eventually, more slowly
    slow = sk.dynamics.complex_contagion(nx.watts_strogatz_graph(40, 4, 0.0), seeds=[0, 1], k=2,
                                         rate=0.5, steps=200, seed=3, record="summary")
    assert slow.summary("state")["n_active"].iloc[-1] == 40
    assert slow.params["absorbed_at"] > 19


def test_adoption_share():
    G, seeds = _paths(10, 4)
    run = sk.dynamics.independent_cascade(G, seeds=seeds, p=1.0, steps=4, seed=0)
    assert sk.dynamics.adoption_share(run).tolist() == [0.25, 0.5, 0.75, 1.0, 1.0]
    ends = [c * 4 + 3 for c in range(10)]
    assert sk.dynamics.adoption_share(run, agents=ends).tolist() == [0, 0, 0, 1, 1]
    summary = sk.dynamics.independent_cascade(G, seeds=seeds, p=1.0, steps=4, record="summary")
    with pytest.raises(ValueError, match="needs per-agent states"):
        sk.dynamics.adoption_share(summary, agents=ends)
    with pytest.raises(ValueError, match=r"1 agent\(s\) not in the run"):
        sk.dynamics.adoption_share(run, agents=[999])
    with pytest.raises(ValueError, match="not a diffusion run"):
        sk.dynamics.adoption_share(sk.dynamics.voter(G, [0] * 40, steps=1, seed=0))
    with pytest.raises(TypeError, match="expected a socialkit.Run"):
        sk.dynamics.adoption_share("run")
    sir = sk.dynamics.sir(nx.path_graph(3), seeds=[0], beta=1.0, gamma=1.0, steps=4, seed=0)
    assert sk.dynamics.adoption_share(sir).tolist()[-1] == 1.0  # ever infected


def test_bad_inputs():
    G = nx.path_graph(3)
    G.edges[0, 1]["prob"] = 1.5
    with pytest.raises(ValueError, match=r"weight 1.5 of edge \(0, 1\) .* allowed \[0, 1\]"):
        sk.dynamics.independent_cascade(G, seeds=[0], weight="prob")
    G.edges[0, 1]["w"] = -1.0
    with pytest.raises(ValueError, match=r"weight -1.0 of edge \(0, 1\)"):
        sk.dynamics.linear_threshold(G, seeds=[0], weight="w")
    with pytest.raises(ValueError, match=r"'p' = 2 is out of range: allowed \[0, 1\]"):
        sk.dynamics.independent_cascade(G, seeds=[0], p=2)
    with pytest.raises(ValueError, match=r"'threshold' = 1.2 is out of range"):
        sk.dynamics.linear_threshold(G, seeds=[0], threshold=1.2)
    with pytest.raises(ValueError, match=r"threshold -0.5 at node 1 is outside \[0.0, 1.0\]"):
        sk.dynamics.linear_threshold(G, seeds=[0], agent_thresholds=[0.1, -0.5, 0.2])
    with pytest.raises(ValueError, match="give threshold= or agent_thresholds=, not both"):
        sk.dynamics.linear_threshold(G, seeds=[0], threshold=0.5, agent_thresholds=[0.1] * 3)
    with pytest.raises(ValueError, match=r"'k' = 0 is out of range: allowed integer in \[1, inf\)"):
        sk.dynamics.complex_contagion(G, seeds=[0], k=0)
    with pytest.raises(ValueError, match=r"'rate' = 1.1 is out of range"):
        sk.dynamics.complex_contagion(G, seeds=[0], rate=1.1)
    with pytest.raises(ValueError, match=r"'spontaneous' = -0.1 is out of range"):
        sk.dynamics.complex_contagion(G, seeds=[0], spontaneous=-0.1)
    for model in (sk.dynamics.independent_cascade, sk.dynamics.linear_threshold,
                  sk.dynamics.complex_contagion):
        with pytest.raises(ValueError, match="G=None .* is not supported"):
            model(None, states=[0, 1])
        with pytest.raises(ValueError, match="'steps' = -3 is out of range"):
            model(G, seeds=[0], steps=-3)
        with pytest.raises(ValueError, match=r"state 0.5 at node 0 is not allowed .*one of \[0, 1\]"):
            model(G, states=[0.5, 0, 0])


def test_isolated_nodes():
    G = nx.path_graph(3)
    G.add_node(3)
    ic = sk.dynamics.independent_cascade(G, seeds=[0], p=1.0, steps=5)
    lt = sk.dynamics.linear_threshold(G, seeds=[0], threshold=0.5, steps=5)
    cc = sk.dynamics.complex_contagion(G, seeds=[0], k=1, steps=5)
    for run in (ic, lt, cc):
        assert run.final("state").tolist() == [1.0, 1.0, 1.0, 0.0]
    # an agent without contacts acts only with threshold 0 (Granovetter's instigator)
    zero = sk.dynamics.linear_threshold(G, seeds=[0], agent_thresholds=[0.5, 0.5, 0.5, 0.0],
                                        steps=5)
    assert zero.final("state").loc[3] == 1.0
