import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk


def _weighted_digraph(n=30, seed=0):
    # strongly connected (a directed cycle) plus random weighted arcs
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    for i in range(n):
        G.add_edge(i, (i + 1) % n, w=float(rng.uniform(0.5, 2)))
    for _ in range(3 * n):
        u, v = rng.integers(0, n, 2)
        if u != v:
            G.add_edge(int(u), int(v), w=float(rng.uniform(0.1, 3)))
    return G


def _W(G, self_weight):
    # the influence matrix written out from the definition: W[v, u] ∝ w(u -> v)
    n = G.number_of_nodes()
    W = np.zeros((n, n))
    for u, v, d in G.edges(data=True):
        W[v, u] += d["w"]
    W = (1 - self_weight) * W / W.sum(axis=1, keepdims=True)
    return W + self_weight * np.eye(n)


def test_degroot_converges_to_left_eigenvector_average():
    G = _weighted_digraph()
    x0 = np.random.default_rng(1).random(30)
    W = _W(G, 0.3)
    values, vectors = np.linalg.eig(W.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    pi /= pi.sum()
    run = sk.dynamics.degroot(G, x0, weight="w", self_weight=0.3, steps=600, record=600)
    assert run.final().to_numpy() == pytest.approx(np.full(30, pi @ x0), abs=1e-9)
    assert not np.allclose(pi @ x0, x0.mean(), atol=1e-3)  # not simply the plain mean
    Wsk, nodes = sk.dynamics.influence_matrix(G, weight="w", self_weight=0.3)
    assert Wsk.toarray() == pytest.approx(W) and nodes.tolist() == list(range(30))


def test_degroot_one_step_is_the_matrix_product():
    G = _weighted_digraph(12, seed=4)
    x0 = np.random.default_rng(2).normal(size=12)  # any real opinions
    run = sk.dynamics.degroot(G, x0, weight="w", steps=2)
    W = _W(G, 0.0)
    assert run.wide().loc[1].to_numpy() == pytest.approx(W @ x0)
    assert run.wide().loc[2].to_numpy() == pytest.approx(W @ W @ x0)


def test_friedkin_johnsen_reaches_closed_form():
    G = _weighted_digraph(25, seed=2)
    rng = np.random.default_rng(3)
    x0 = rng.random(25)
    lam = rng.uniform(0.1, 0.9, 25)
    lam[:5] = 0.0  # some agents are not stubborn at all
    W = _W(G, 0.2)
    L = np.diag(lam)
    expected = np.linalg.solve(np.eye(25) - (np.eye(25) - L) @ W, L @ x0)
    run = sk.dynamics.friedkin_johnsen(G, x0, agent_stubbornness=lam, weight="w",
                                       self_weight=0.2, steps=400, record=400)
    assert run.final().to_numpy() == pytest.approx(expected, abs=1e-10)
    assert run.final().std() > 0.01  # persistent disagreement, not consensus
    # the diagonal of L goes straight into stubbornness= (array, Series by agent, attribute)
    same = sk.dynamics.friedkin_johnsen(G, x0, stubbornness=lam, weight="w", self_weight=0.2,
                                        steps=400, record=400)
    assert same.trajectory.equals(run.trajectory)  # (seeds differ: drawn when not given)
    by_agent = sk.dynamics.friedkin_johnsen(G, x0, stubbornness=pd.Series(lam, index=list(G)),
                                            weight="w", self_weight=0.2, steps=400, record=400)
    assert by_agent.final().to_numpy() == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"stubbornness": [0.5] * 3, "agent_stubbornness": [0.5] * 4}, ValueError, "not both"),
    ({"stubbornness": [0.5, 1.5, 0.5, 0.5]}, ValueError, "stubbornness 1.5 at node 1 is outside"),
    ({"stubbornness": [0.5] * 3}, ValueError, "expected 4 values"),
    ({"stubbornness": None}, TypeError, "stubbornness must be a number in"),
    ({"stubbornness": 2.0}, ValueError, "stubbornness"),
])
def test_friedkin_johnsen_bad_stubbornness(kwargs, error, message):
    with pytest.raises(error, match=message):
        sk.dynamics.friedkin_johnsen(nx.path_graph(4), [0.0, 0.2, 0.4, 1.0], steps=2, **kwargs)


def test_friedkin_johnsen_limits():
    G = nx.karate_club_graph()
    x0 = np.random.default_rng(0).random(34)
    zero = sk.dynamics.friedkin_johnsen(G, x0, stubbornness=0.0, steps=20)
    dg = sk.dynamics.degroot(G, x0, steps=20)
    assert zero.final().to_numpy() == pytest.approx(dg.final().to_numpy())
    one = sk.dynamics.friedkin_johnsen(G, x0, stubbornness=1.0, steps=20)
    assert one.final().to_numpy() == pytest.approx(x0)
    nx.set_node_attributes(G, {i: 0.5 for i in G}, "stub")
    by_name = sk.dynamics.friedkin_johnsen(G, x0, agent_stubbornness="stub", steps=5)
    scalar = sk.dynamics.friedkin_johnsen(G, x0, stubbornness=0.5, steps=5)
    assert by_name.final().to_numpy() == pytest.approx(scalar.final().to_numpy())
    assert by_name.params["stubbornness"] == "per agent"


def test_isolated_and_source_agents_keep_their_opinion():
    G = nx.DiGraph([(0, 1), (1, 2)])
    G.add_node(3)
    run = sk.dynamics.degroot(G, [1.0, 0.0, 0.5, 0.7], steps=10)
    assert run.final().tolist() == pytest.approx([1.0, 1.0, 1.0, 0.7])
    fj = sk.dynamics.friedkin_johnsen(G, [1.0, 0.0, 0.5, 0.7], steps=50)
    assert fj.final().loc[3] == 0.7 and fj.final().loc[0] == 1.0


def test_undirected_default_weights_and_sparse_input():
    G = nx.path_graph(4)
    x0 = [0.0, 1.0, 0.0, 1.0]
    run = sk.dynamics.degroot(G, x0, self_weight=0.5, steps=300, record="summary")
    # degree-proportional weights (1, 2, 2, 1) / 6
    assert run.summary()["mean"].iloc[-1] == pytest.approx((2 + 1) / 6, abs=1e-9)
    A = nx.to_scipy_sparse_array(G)
    sparse = sk.dynamics.degroot(A, x0, self_weight=0.5, steps=300, record="summary")
    assert sparse.summary()["mean"].iloc[-1] == pytest.approx((2 + 1) / 6, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"stubbornness": 1.5}, r"'stubbornness' = 1.5 is out of range: allowed \[0, 1\]"),
     ({"stubbornness": -0.1}, "'stubbornness' = -0.1 is out of range"),
     ({"agent_stubbornness": [0.5, 0.5, 2.0]},
      r"agent_stubbornness: stubbornness 2.0 at node 2 is outside \[0.0, 1.0\]"),
     ({"agent_stubbornness": {0: 0.5, 1: 0.5}}, "no stubbornness for 1 of 3 nodes"),
     ({"self_weight": 1.2}, "'self_weight' = 1.2 is out of range"),
     ({"steps": -1}, "'steps' = -1 is out of range")],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sk.dynamics.friedkin_johnsen(nx.path_graph(3), [0.1, 0.2, 0.3], **kwargs)


def test_bad_inputs():
    G = nx.path_graph(3)
    G.edges[0, 1]["w"] = -0.5
    with pytest.raises(ValueError, match=r"weight -0.5 of edge \(0, 1\) from edge attribute 'w'"):
        sk.dynamics.degroot(G, [0.1, 0.2, 0.3], weight="w")
    with pytest.raises(ValueError, match="G=None .* is not supported"):
        sk.dynamics.degroot(None, [0.1, 0.2])
    with pytest.raises(ValueError, match=r"opinions: 1 initial value\(s\) .* NaN"):
        sk.dynamics.degroot(nx.path_graph(3), [0.1, np.inf, 0.3])
    with pytest.raises(ValueError, match=r"'self_weight' = -0.2 is out of range"):
        sk.dynamics.influence_matrix(nx.path_graph(3), self_weight=-0.2)
