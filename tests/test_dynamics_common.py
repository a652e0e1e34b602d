"""Properties shared by every dynamics model: reproducibility, invariants, inputs, errors."""

import random
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import socialkit as sk

D = sk.dynamics
G0 = nx.barabasi_albert_graph(60, 2, seed=1)
X0 = np.random.default_rng(0).random(60)
B0 = (X0 < 0.5).astype(int)

# model -> a call on G0 (keyword arguments besides G, seed and steps)
CALLS = {
    "degroot": ({"opinions": X0}, False),
    "friedkin_johnsen": ({"opinions": X0, "stubbornness": 0.3}, False),
    "deffuant": ({"opinions": X0, "epsilon": 0.3}, True),
    "hegselmann_krause": ({"opinions": X0, "epsilon": 0.2}, False),
    "voter": ({"opinions": B0}, True),
    "majority_rule": ({"opinions": B0}, True),
    "sznajd": ({"opinions": B0}, True),
    "sir": ({"seeds": [0, 1, 2], "beta": 0.3, "gamma": 0.2}, True),
    "sis": ({"seeds": [0, 1, 2], "beta": 0.3, "gamma": 0.2}, True),
    "independent_cascade": ({"seeds": [0, 1], "p": 0.3}, True),
    "linear_threshold": ({"seeds": [0, 1]}, True),  # random thresholds
    "complex_contagion": ({"seeds": [0, 1, 2, 3], "k": 2, "rate": 0.5}, True),
}


def _run(name, G=G0, steps=6, **extra):
    kwargs, _ = CALLS[name]
    return getattr(D, name)(G, **{**kwargs, **extra}, steps=steps)


def test_every_model_is_exported_and_documented():
    assert sorted(D.MODELS) == sorted(CALLS)
    for name in D.MODELS:
        fn = getattr(D, name)
        doc = fn.__doc__
        assert "Update scheme" in doc, name
        assert re.search(r"\((19|20)\d\d\)", doc), f"{name}: no source cited"
        for section in ("Parameters", "Returns", "Examples"):
            assert section in doc, (name, section)
        assert "steps" in fn.schema.names, name


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_seed_same_run_different_seed_differs(name):
    a, b = _run(name, seed=5), _run(name, seed=5)
    pd.testing.assert_frame_equal(a.trajectory, b.trajectory)
    assert a.seed == 5 and a.params == b.params
    if CALLS[name][1]:  # stochastic models
        c = _run(name, seed=6)
        assert not a.trajectory.equals(c.trajectory)
    unseeded = _run(name)
    pd.testing.assert_frame_equal(unseeded.trajectory, _run(name, seed=unseeded.seed).trajectory)


def test_no_global_random_state_is_touched():
    np_state = np.random.get_state()[1].copy()  # noqa: NPY002
    py_state = random.getstate()
    for name in CALLS:
        _run(name, seed=3)
    assert (np.random.get_state()[1] == np_state).all()  # noqa: NPY002
    assert random.getstate() == py_state


@pytest.mark.parametrize("name", sorted(CALLS))
def test_steps_zero_records_initial_state_and_bad_steps(name):
    run = _run(name, steps=0, seed=0)
    assert run.steps.tolist() == [0]
    with pytest.raises(ValueError, match=rf"{name}: parameter 'steps' = -1 is out of range"):
        _run(name, steps=-1)
    with pytest.raises(ValueError, match="record must be 'agents', 'summary' or a positive"):
        _run(name, record=0)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_graph_inputs_networkx_sparse_and_missing_states(name):
    run = _run(name, seed=2, record="summary")
    A = nx.to_scipy_sparse_array(G0, nodelist=list(G0))
    sparse = _run(name, G=A, seed=2, record="summary")
    pd.testing.assert_frame_equal(run.trajectory, sparse.trajectory)
    with pytest.raises(TypeError, match="expected a networkx graph, a scipy.sparse adjacency"):
        _run(name, G=[[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="sparse adjacency matrix must be square"):
        _run(name, G=sp.csr_array(np.ones((2, 3))))
    relabelled = nx.relabel_nodes(G0, {i: f"n{i}" for i in G0})
    with pytest.raises(TypeError, match="agent ids must be integers, got 'n0'"):
        _run(name, G=relabelled)


@pytest.mark.parametrize("name", ["degroot", "friedkin_johnsen", "deffuant", "hegselmann_krause",
                                  "voter", "majority_rule", "sznajd"])
def test_opinion_from_attribute_missing_on_some_nodes(name):
    G = nx.path_graph(4)
    nx.set_node_attributes(G, {0: 1, 1: 0, 2: 1}, "x")
    with pytest.raises(ValueError, match=rf"{name}: opinions: node attribute 'x' is missing on "
                                         r"1 of 4 nodes, e.g. \[3\]"):
        getattr(D, name)(G, "x")


def test_sparse_negative_weights_rejected():
    A = sp.csr_array(np.array([[0, -1.0], [1.0, 0]]))
    with pytest.raises(ValueError, match=r"weight -1.0 of edge \(0, 1\) from the sparse matrix"):
        D.degroot(A, [0.1, 0.2])


def test_runs_round_trip_through_parquet(tmp_path):
    for name in ("sir", "deffuant"):
        run = _run(name, seed=1)
        assert sk.Run.read_parquet(run.to_parquet(tmp_path / name)) == run


# ---- invariants (hypothesis) --------------------------------------------------------------
graphs = st.builds(lambda n, p, s: nx.gnp_random_graph(n, p, seed=s),
                   st.integers(2, 25), st.floats(0.0, 0.6), st.integers(0, 10_000))
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(G=graphs, s=st.integers(0, 10_000), eps=st.floats(0.01, 1.0), mu=st.floats(0.01, 0.5))
def test_bounded_confidence_stays_in_range_and_deffuant_conserves(G, s, eps, mu):
    x0 = np.random.default_rng(s).random(G.number_of_nodes())
    run = D.deffuant(G, x0, epsilon=eps, mu=mu, steps=5, seed=s, record=5)
    w = run.wide().to_numpy()
    assert (w >= x0.min() - 1e-12).all() and (w <= x0.max() + 1e-12).all()
    assert w.sum(axis=1) == pytest.approx(np.full(len(w), x0.sum()), abs=1e-9)
    for graph in (G, None):
        hk = D.hegselmann_krause(graph, x0, epsilon=eps, steps=5, record=1).wide().to_numpy()
        assert (hk >= x0.min() - 1e-12).all() and (hk <= x0.max() + 1e-12).all()


@SETTINGS
@given(G=graphs, s=st.integers(0, 10_000), lam=st.floats(0, 1), sw=st.floats(0, 1))
def test_linear_models_stay_in_the_convex_hull(G, s, lam, sw):
    x0 = np.random.default_rng(s).normal(size=G.number_of_nodes())
    for run in (D.degroot(G, x0, self_weight=sw, steps=8),
                D.friedkin_johnsen(G, x0, stubbornness=lam, self_weight=sw, steps=8)):
        w = run.wide().to_numpy()
        assert (w >= x0.min() - 1e-9).all() and (w <= x0.max() + 1e-9).all()


@SETTINGS
@given(G=graphs, s=st.integers(0, 10_000), mixed=st.booleans())
def test_discrete_models_only_copy_existing_opinions(G, s, mixed):
    n = G.number_of_nodes()
    x0 = np.random.default_rng(s).integers(0, 3, n)
    graph = None if mixed else G
    voter = D.voter(graph, x0, steps=5, seed=s).wide().to_numpy()
    assert set(np.unique(voter)) <= set(np.unique(x0).astype(float))
    b0 = x0 % 2
    for model in (D.majority_rule, D.sznajd):
        w = model(graph, b0, steps=5, seed=s).wide().to_numpy()
        assert set(np.unique(w)) <= set(np.unique(b0).astype(float))
        if b0.min() == b0.max():
            assert (w == b0[0]).all()


@SETTINGS
@given(G=graphs, s=st.integers(0, 10_000), beta=st.floats(0, 1), gamma=st.floats(0, 1))
def test_epidemic_states_stay_valid(G, s, beta, gamma):
    n = G.number_of_nodes()
    seeds = list(range(0, n, 3))
    sir = D.sir(G, seeds=seeds, beta=beta, gamma=gamma, steps=8, seed=s).wide("state")
    w = sir.to_numpy()
    assert set(np.unique(w)) <= {0.0, 1.0, 2.0}
    assert (np.diff(w, axis=0) >= 0).all()  # S -> I -> R only
    sis = D.sis(G, seeds=seeds, beta=beta, gamma=gamma, steps=8, seed=s, record="summary")
    counts = sis.summary("state")
    assert ((counts["n_S"] + counts["n_I"]) == n).all()
    assert counts["share_I"].between(0, 1).all()


@SETTINGS
@given(G=graphs, s=st.integers(0, 10_000), p=st.floats(0, 1), k=st.integers(1, 3),
       rate=st.floats(0, 1), q=st.floats(0, 0.3))
def test_cascades_never_deactivate(G, s, p, k, rate, q):
    seeds = [0]
    for run in (D.independent_cascade(G, seeds=seeds, p=p, steps=6, seed=s),
                D.linear_threshold(G, seeds=seeds, steps=6, seed=s),
                D.complex_contagion(G, seeds=seeds, k=k, rate=rate, spontaneous=q, steps=6,
                                    seed=s)):
        w = run.wide("state").to_numpy()
        assert set(np.unique(w)) <= {0.0, 1.0}
        assert (np.diff(w, axis=0) >= 0).all() and w[0, 0] == 1.0
