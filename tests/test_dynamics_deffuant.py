import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk


@pytest.fixture(scope="module")
def ba():
    return sk.network.barabasi_albert(300, 3, seed=2)


def _uniform(n, seed=0):
    return np.random.default_rng(seed).random(n)


def test_conserves_mean_and_bounds(ba):
    x0 = _uniform(300)
    run = sk.dynamics.deffuant(ba, x0, epsilon=0.4, steps=30, seed=1)
    final = run.final()
    assert final.mean() == pytest.approx(x0.mean(), abs=1e-12)  # every encounter conserves sums
    assert final.between(0, 1).all()
    assert run.params["n_updates"] > 0
    assert run.summary()["sd"].iloc[-1] < run.summary()["sd"].iloc[0]


def test_single_encounter_is_exact():
    G = nx.Graph([(0, 1)])
    run = sk.dynamics.deffuant(G, [0.2, 0.4], epsilon=0.5, mu=0.25, steps=1, seed=0)
    # two encounters per sweep (N = 2): 0.2,0.4 -> 0.25,0.35 -> 0.275,0.325
    assert run.final().tolist() == pytest.approx([0.275, 0.325])
    far = sk.dynamics.deffuant(G, [0.2, 0.9], epsilon=0.5, steps=5, seed=0)
    assert far.final().tolist() == [0.2, 0.9]


def test_deffuant_clusters_on_complete_graph():
    # Deffuant et al. (2000): on a well-mixed population with uniform opinions the number of
    # major final clusters is about floor(1 / (2 epsilon)); checked for epsilon = 0.3, 0.15
    G = nx.complete_graph(400)
    for eps, expected in ((0.3, 1), (0.15, 3)):
        counts = []
        for seed in range(5):
            run = sk.dynamics.deffuant(G, _uniform(400, seed), epsilon=eps, steps=150, seed=seed,
                                       record="summary")
            assert run.n_agents == 0
        for seed in range(5):
            run = sk.dynamics.deffuant(G, _uniform(400, seed), epsilon=eps, steps=150, seed=seed,
                                       record=150)
            counts.append(len(sk.dynamics.clusters(run.final(), tol=0.02, min_share=0.05)))
        assert np.median(counts) == expected, (eps, counts)


def test_reproducible_and_seed_sensitive(ba):
    x0 = _uniform(300)
    a = sk.dynamics.deffuant(ba, x0, steps=5, seed=11)
    b = sk.dynamics.deffuant(ba, x0, steps=5, seed=11)
    c = sk.dynamics.deffuant(ba, x0, steps=5, seed=12)
    pd.testing.assert_frame_equal(a.trajectory, b.trajectory)
    assert not a.trajectory.equals(c.trajectory)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    sk.dynamics.deffuant(ba, x0, steps=2, seed=1)
    assert (np.random.get_state()[1] == state).all()  # noqa: NPY002 (global state untouched)
    unseeded = sk.dynamics.deffuant(ba, x0, steps=2)
    again = sk.dynamics.deffuant(ba, x0, steps=2, seed=unseeded.seed)
    pd.testing.assert_frame_equal(unseeded.trajectory, again.trajectory)


def test_input_not_mutated_and_inputs_by_name_or_series(ba):
    x0 = _uniform(300)
    copy = x0.copy()
    sk.dynamics.deffuant(ba, x0, steps=3, seed=0)
    assert (x0 == copy).all()
    nx.set_node_attributes(ba, dict(zip(ba, x0, strict=True)), "op")
    by_name = sk.dynamics.deffuant(ba, "op", steps=3, seed=0)
    by_series = sk.dynamics.deffuant(ba, pd.Series(x0, index=list(ba)), steps=3, seed=0)
    pd.testing.assert_frame_equal(by_name.trajectory, by_series.trajectory)


def test_record_options(ba):
    x0 = _uniform(300)
    every = sk.dynamics.deffuant(ba, x0, steps=10, seed=0, record=4)
    assert every.steps.tolist() == [0, 4, 8, 10]
    summ = sk.dynamics.deffuant(ba, x0, steps=10, seed=0, record="summary")
    full = sk.dynamics.deffuant(ba, x0, steps=10, seed=0)
    assert summ.summary()["mean"].to_numpy() == pytest.approx(full.summary()["mean"].to_numpy())
    assert summ.summary()["sd"].to_numpy() == pytest.approx(full.summary()["sd"].to_numpy())


def test_isolated_nodes_keep_opinion():
    G = nx.Graph([(0, 1)])
    G.add_node(2)
    run = sk.dynamics.deffuant(G, [0.4, 0.5, 0.9], steps=10, seed=0)
    assert run.final().loc[2] == 0.9


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epsilon": 0}, ValueError, r"parameter 'epsilon' = 0 is out of range: allowed \(0, 1\]"),
        ({"epsilon": -0.1}, ValueError, "'epsilon' = -0.1"),
        ({"mu": 0.7}, ValueError, r"'mu' = 0.7 is out of range: allowed \(0, 0.5\]"),
        ({"steps": -1}, ValueError, "'steps' = -1"),
        ({"steps": 1.5}, TypeError, "'steps' = 1.5 is not an integer"),
        ({"record": "all"}, ValueError, "record must be"),
        ({"seed": -3}, ValueError, "seed must be"),
    ],
)
def test_bad_parameters(ba, kwargs, error, message):
    with pytest.raises(error, match=message):
        sk.dynamics.deffuant(ba, _uniform(300), **kwargs)


def test_bad_opinions(ba):
    with pytest.raises(ValueError, match=r"initial value 7.0 at node 0 is outside \[0.0, 1.0\]"):
        sk.dynamics.deffuant(ba, np.full(300, 7.0))
    with pytest.raises(ValueError, match="expected 300 initial values"):
        sk.dynamics.deffuant(ba, [0.5, 0.5])
    x = _uniform(300)
    x[5] = np.nan
    with pytest.raises(ValueError, match=r"1 initial value\(s\) from the array are NaN"):
        sk.dynamics.deffuant(ba, x)
    with pytest.raises(ValueError, match="node attribute 'nope' is missing on 300 of 300 nodes"):
        sk.dynamics.deffuant(ba, "nope")
    with pytest.raises(ValueError, match="no initial value for 100 of 300 nodes"):
        sk.dynamics.deffuant(ba, pd.Series(0.5, index=range(200)))
    with pytest.raises(TypeError, match="not numeric"):
        sk.dynamics.deffuant(ba, ["a"] * 300)
    with pytest.raises(ValueError, match="no nodes"):
        sk.dynamics.deffuant(nx.Graph(), [])


def test_clusters_bad_input():
    with pytest.raises(ValueError, match="no values"):
        sk.dynamics.clusters([])
    with pytest.raises(ValueError, match="tol must be positive"):
        sk.dynamics.clusters([0.1], tol=0)
