import networkx as nx
import numpy as np
import pytest
from scipy.optimize import brentq

import socialkit as sk


def test_sir_final_size_matches_mean_field_on_dense_random_graph():
    # Erdős–Rényi graph, N = 3000, mean degree 20 (excess degree = mean degree for Poisson).
    # T = beta / (beta + gamma - beta gamma) = 0.1 -> R0 = T <k> = 2, and the final size solves
    # r = 1 - exp(-R0 r): r = 0.797. 15 seeds (0.5%) make a large outbreak certain; the mean of
    # 3 runs must lie within 0.03 of r (finite-size spread is about 0.01 per run).
    n, k, gamma, T = 3000, 20, 0.5, 0.1
    beta = T * gamma / (1 - T + T * gamma)
    assert beta / (beta + gamma - beta * gamma) == pytest.approx(T)
    G = nx.fast_gnp_random_graph(n, k / (n - 1), seed=7)
    r = brentq(lambda r: r - 1 + np.exp(-T * k * r), 0.01, 1)
    sizes = []
    for seed in range(3):
        run = sk.dynamics.sir(G, seeds=range(0, n, 200), beta=beta, gamma=gamma, steps=200,
                              seed=seed, record="summary")
        s = run.summary("state")
        assert s["n_I"].iloc[-1] == 0 and run.params["absorbed_at"] is not None
        sizes.append(s["share_R"].iloc[-1])
    assert np.mean(sizes) == pytest.approx(r, abs=0.03)
    assert r == pytest.approx(0.797, abs=1e-3)


def test_sir_well_mixed_final_size():
    # well-mixed, per-pair beta: R0 = T (N - 1) with T = beta / (beta + gamma - beta gamma).
    # Near threshold the final size spreads widely at small N (sd 0.055 at N = 2000), so
    # N = 20000 (sd about 0.01); mean of 3 runs within 0.03
    n, gamma = 20000, 0.25
    beta = 1.5 * gamma / (n - 1)  # T (N - 1) ~ 1.5
    T = beta / (beta + gamma - beta * gamma)
    r = brentq(lambda r: r - 1 + np.exp(-T * (n - 1) * r), 0.01, 1)
    states = np.zeros(n, dtype=int)
    states[:100] = 1
    sizes = [sk.dynamics.sir(None, states=states, beta=beta, gamma=gamma, steps=600, seed=s,
                             record="summary").summary("state")["share_R"].iloc[-1]
             for s in range(3)]
    assert np.mean(sizes) == pytest.approx(r, abs=0.03)


def test_sis_endemic_level_on_complete_graph():
    n, beta, gamma = 80, 0.02, 0.3
    level = brentq(lambda i: gamma * i - (1 - i) * (1 - (1 - beta) ** (n * i)), 1e-3, 1)
    run = sk.dynamics.sis(nx.complete_graph(n), seeds=range(10), beta=beta, gamma=gamma,
                          steps=600, seed=3, record="summary")
    assert run.summary("state")["share_I"].iloc[100:].mean() == pytest.approx(level, abs=0.03)


def test_sis_dies_out_below_threshold():
    run = sk.dynamics.sis(nx.cycle_graph(200), seeds=range(0, 200, 10), beta=0.05, gamma=0.5,
                          steps=200, seed=0, record="summary")
    assert run.params["absorbed_at"] is not None
    assert run.summary("state")["n_I"].iloc[-1] == 0


def test_sir_deterministic_limits_and_timing():
    # beta = 1, gamma = 1 on a path: the infection moves one node per step
    run = sk.dynamics.sir(nx.path_graph(6), seeds=[0], beta=1.0, gamma=1.0, steps=8, seed=0)
    w = run.wide("state").astype(int)
    first_infected = (w == 1).idxmax(axis=0)
    assert first_infected.tolist() == [0, 1, 2, 3, 4, 5]
    assert run.params["absorbed_at"] == 6 and w.loc[8].tolist() == [2] * 6
    # gamma = 0 is the SI model: everybody connected ends infected
    si = sk.dynamics.sir(nx.path_graph(6), seeds=[2], beta=0.5, gamma=0.0, steps=60, seed=1)
    assert si.final("state").tolist() == [1.0] * 6


def test_directed_and_isolated():
    G = nx.DiGraph([(0, 1), (1, 2)])
    G.add_node(3)
    run = sk.dynamics.sir(G, seeds=[1], beta=1.0, gamma=1.0, steps=4, seed=0)
    assert run.final("state").tolist() == [0.0, 2.0, 2.0, 0.0]  # only downstream, never node 3
    lone = sk.dynamics.sir(G, seeds=[3], beta=1.0, gamma=0.5, steps=30, seed=0)
    assert lone.final("state").tolist() == [0.0, 0.0, 0.0, 2.0]


def test_summary_rows_and_states_input():
    G = nx.karate_club_graph()
    states = np.zeros(34, dtype=int)
    states[[0, 33]] = 1
    states[[5, 6]] = 2
    run = sk.dynamics.sir(G, states=states, beta=0.3, gamma=0.2, steps=30, seed=2, record=10)
    s = run.summary("state")
    assert list(s.columns) == ["n_I", "n_R", "n_S", "share_I", "share_R", "share_S"]
    assert (s[["n_S", "n_I", "n_R"]].sum(axis=1) == 34).all()
    assert s.loc[0, ["n_S", "n_I", "n_R"]].tolist() == [30, 2, 2]
    assert run.steps.tolist() == list(range(31))  # summary rows at every step
    assert run.wide("state").index.tolist() == [0, 10, 20, 30]  # agents every 10 steps
    assert run.params["states"] == ["S", "I", "R"] and run.params["n_initial"] == 4


@pytest.mark.parametrize("model", [sk.dynamics.sir, sk.dynamics.sis])
def test_bad_inputs(model):
    G = nx.path_graph(4)
    with pytest.raises(ValueError, match=r"'beta' = 1.5 is out of range: allowed \[0, 1\]"):
        model(G, seeds=[0], beta=1.5)
    with pytest.raises(ValueError, match=r"'gamma' = -0.1 is out of range"):
        model(G, seeds=[0], gamma=-0.1)
    with pytest.raises(ValueError, match="'steps' = -1 is out of range"):
        model(G, seeds=[0], steps=-1)
    with pytest.raises(ValueError, match=r"1 seed\(s\) are not agents of the graph, e.g. \[9\]"):
        model(G, seeds=[0, 9])
    with pytest.raises(ValueError, match="give exactly one of seeds= .* and states="):
        model(G)
    with pytest.raises(ValueError, match="give exactly one of seeds="):
        model(G, seeds=[0], states=[0, 1, 0, 0])
    with pytest.raises(TypeError, match="seeds must be a collection of agent ids"):
        model(G, seeds=3)
    with pytest.raises(ValueError, match=r"state 3.0 at node 1 is not allowed"):
        model(G, states=[0, 3, 0, 0])
    with pytest.raises(ValueError, match="no state for 2 of 4 nodes"):
        model(G, states={0: 1, 1: 0})
    with pytest.raises(ValueError, match="with G=None .* pass states="):
        model(None, seeds=[0])
