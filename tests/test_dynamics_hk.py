import networkx as nx
import numpy as np
import pytest

import socialkit as sk


def _brute_step(x, neighbours, eps):
    # the definition: every agent, from the same old state, averages itself and its
    # neighbours within eps
    new = np.empty_like(x)
    for i in range(len(x)):
        group = [x[i]] + [x[j] for j in neighbours[i] if abs(x[j] - x[i]) <= eps]
        new[i] = np.mean(group)
    return new


def test_every_agent_updates_every_step_on_a_graph():
    G = nx.gnp_random_graph(60, 0.15, seed=3)
    x = np.random.default_rng(3).random(60)
    run = sk.dynamics.hegselmann_krause(G, x, epsilon=0.2, steps=3)
    w = run.wide()
    state = x.copy()
    for step in (1, 2, 3):
        state = _brute_step(state, {i: list(G[i]) for i in G}, 0.2)
        assert w.loc[step].to_numpy() == pytest.approx(state, abs=1e-12)
    moved = (w.loc[1] != w.loc[0]).sum()
    assert moved >= 55  # synchronous: (almost) everyone moves in the first round


def test_every_agent_updates_every_step_well_mixed():
    x = np.random.default_rng(5).random(80)
    run = sk.dynamics.hegselmann_krause(None, x, epsilon=0.15, steps=2)
    everyone = {i: [j for j in range(80) if j != i] for i in range(80)}
    one = _brute_step(x, everyone, 0.15)
    two = _brute_step(one, everyone, 0.15)
    assert run.wide().loc[1].to_numpy() == pytest.approx(one, abs=1e-12)
    assert run.wide().loc[2].to_numpy() == pytest.approx(two, abs=1e-12)
    on_graph = sk.dynamics.hegselmann_krause(nx.complete_graph(80), x, epsilon=0.15, steps=2)
    assert on_graph.final().to_numpy() == pytest.approx(two, abs=1e-12)


def test_directed_graph_listens_along_incoming_arcs():
    G = nx.DiGraph([(0, 1)])  # 0 influences 1, not the reverse
    run = sk.dynamics.hegselmann_krause(G, [0.2, 0.4], epsilon=0.5, steps=1)
    assert run.final().tolist() == pytest.approx([0.2, 0.3])


@pytest.mark.parametrize("epsilon", [0.35, 0.25])
def test_consensus_for_large_epsilon(epsilon):
    # Lorenz (2007), Fig. 2: uniform initial opinions reach consensus for epsilon above ~0.2
    for seed in range(4):
        x = np.random.default_rng(seed).random(300)
        run = sk.dynamics.hegselmann_krause(None, x, epsilon=epsilon, steps=60, record=60)
        assert len(sk.dynamics.clusters(run.final(), tol=1e-6)) == 1
        assert run.params["converged_at"] is not None  # HK converges in finite time


def test_several_clusters_for_small_epsilon():
    # and fragments into about 1 / (2 epsilon) clusters for small epsilon
    found = {}
    for eps in (0.1, 0.05):
        counts = []
        for seed in range(4):
            x = np.random.default_rng(seed).random(300)
            run = sk.dynamics.hegselmann_krause(None, x, epsilon=eps, steps=80, record=80)
            counts.append(len(sk.dynamics.clusters(run.final(), tol=1e-6, min_share=0.01)))
        found[eps] = np.median(counts)
    assert 3 <= found[0.1] <= 6 and 6 <= found[0.05] <= 11
    assert found[0.05] > found[0.1]


def test_converged_state_is_a_fixed_point_and_carried_forward():
    run = sk.dynamics.hegselmann_krause(None, [0.0, 0.1, 0.2, 0.9, 1.0], epsilon=0.15, steps=10)
    assert run.params["converged_at"] == 2
    w = run.wide()
    assert (w.loc[10] == w.loc[2]).all()


def test_isolated_nodes_and_sparse_input():
    G = nx.path_graph(3)
    G.add_node(3)
    run = sk.dynamics.hegselmann_krause(G, [0.1, 0.2, 0.3, 0.9], epsilon=0.5, steps=5)
    assert run.final().loc[3] == 0.9
    A = nx.to_scipy_sparse_array(G, nodelist=list(G))
    sparse = sk.dynamics.hegselmann_krause(A, [0.1, 0.2, 0.3, 0.9], epsilon=0.5, steps=5)
    assert sparse.final().to_numpy() == pytest.approx(run.final().to_numpy())


def test_million_agent_path_is_vectorised():
    # a quick scale check (not timed): 200k agents, well-mixed and on a sparse ring
    n = 200_000
    x = np.random.default_rng(0).random(n)
    run = sk.dynamics.hegselmann_krause(None, x, epsilon=0.3, steps=5, record="summary")
    assert run.summary()["mean"].iloc[-1] == pytest.approx(x.mean(), abs=1e-3)
    ring = nx.to_scipy_sparse_array(nx.cycle_graph(n), format="csr")
    run = sk.dynamics.hegselmann_krause(ring, x, epsilon=0.3, steps=5, record="summary")
    assert run.summary()["sd"].iloc[-1] < run.summary()["sd"].iloc[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"epsilon": 0}, r"'epsilon' = 0 is out of range: allowed \(0, 1\]"),
     ({"epsilon": -1.0}, "'epsilon' = -1.0 is out of range"),
     ({"steps": -2}, "'steps' = -2 is out of range")],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sk.dynamics.hegselmann_krause(nx.path_graph(3), [0.1, 0.2, 0.3], **kwargs)


def test_bad_opinions():
    with pytest.raises(ValueError, match=r"opinions: initial value 1.5 at node 2 is outside"):
        sk.dynamics.hegselmann_krause(nx.path_graph(3), [0.1, 0.2, 1.5])
    with pytest.raises(ValueError, match="a node attribute name needs a graph"):
        sk.dynamics.hegselmann_krause(None, "x")
