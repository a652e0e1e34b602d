import networkx as nx
import numpy as np
import pytest

import socialkit as sk


def _winner_shares(model, G, x0, runs, steps, **kwargs):
    wins = []
    for seed in range(runs):
        run = model(G, x0, steps=steps, seed=seed, record=steps, **kwargs)
        final = run.final()
        assert final.nunique() == 1, "no consensus"  # consensus reached in every run
        wins.append(final.iloc[0])
    return np.mean(wins)


def test_voter_exit_probability_equals_initial_share_complete_graph():
    # Complete graph, N = 20, 6 agents hold opinion 1: P(1 wins) = 0.3. 400 runs give a
    # standard error of sqrt(0.3 * 0.7 / 400) = 0.023; tolerance 3 standard errors (0.069)
    x0 = np.array([1] * 6 + [0] * 14)
    share = _winner_shares(sk.dynamics.voter, nx.complete_graph(20), x0, 400, 300)
    assert share == pytest.approx(0.3, abs=0.069)


def test_voter_exit_probability_well_mixed():
    # same law without a graph: 12 of 16 hold opinion 1, P = 0.75, 300 runs, 3 SE = 0.075
    x0 = np.array([1] * 12 + [0] * 4)
    share = _winner_shares(sk.dynamics.voter, None, x0, 300, 300)
    assert share == pytest.approx(0.75, abs=0.075)


def test_voter_copies_neighbours_only_and_many_opinions():
    G = nx.DiGraph([(0, 1), (1, 2)])  # 0 influences 1, 1 influences 2
    run = sk.dynamics.voter(G, [7, 3, 5], steps=50, seed=0)
    assert run.final().tolist() == [7, 7, 7] and run.params["consensus_at"] >= 1
    G = nx.Graph([(0, 1)])
    G.add_node(2)
    iso = sk.dynamics.voter(G, [0, 1, 2], steps=50, seed=1)
    assert iso.final().loc[2] == 2  # isolated agent keeps its opinion


def test_majority_rule_initial_majority_wins():
    # Galam (2002) / Krapivsky & Redner (2003): the exit probability is a step function at 1/2;
    # a 30% minority loses in every run, well-mixed (N = 300) and on a complete graph (N = 60)
    mixed = np.array([1] * 90 + [0] * 210)
    assert _winner_shares(sk.dynamics.majority_rule, None, mixed, 10, 100) == 0.0
    graph = np.array([0] * 18 + [1] * 42)
    assert _winner_shares(sk.dynamics.majority_rule, nx.complete_graph(60), graph, 10, 100) == 1.0


def test_majority_rule_groups():
    # one round of random matching with group_size = N: everybody adopts the majority at once
    run = sk.dynamics.majority_rule(None, [1, 1, 0, 0, 1], group_size=5, steps=1, seed=0)
    assert run.final().tolist() == [1, 1, 1, 1, 1] and run.params["consensus_at"] == 1
    # a tied group (even size) keeps its opinions
    tie = sk.dynamics.majority_rule(None, [1, 1, 0, 0], group_size=4, steps=5, seed=0)
    assert tie.final().tolist() == [1, 1, 0, 0] and tie.params["consensus_at"] is None
    # on a path every group is an agent and its neighbours
    path = sk.dynamics.majority_rule(nx.path_graph(3), [0, 1, 0], steps=3, seed=0)
    assert path.final().tolist() == [0, 0, 0]


def test_sznajd_complete_graph_closed_form():
    # on a complete graph the first agreeing pair (i, j) convinces everyone else, so opinion 1
    # wins with probability a(a-1) / (a(a-1) + b(b-1)); a = 8, b = 12: 56 / 188 = 0.298 (not
    # the initial share 0.4). 400 runs, 3 standard errors = 0.069
    x0 = np.array([1] * 8 + [0] * 12)
    share = _winner_shares(sk.dynamics.sznajd, nx.complete_graph(20), x0, 400, 1)
    assert share == pytest.approx(56 / 188, abs=0.069)


def test_sznajd_mean_field_majority_wins_and_ring_reaches_consensus():
    # Slanina & Lavička (2003): d p / dt ∝ p (1 - p)(2 p - 1), the majority wins
    x0 = np.array([1] * 60 + [0] * 140)
    assert _winner_shares(sk.dynamics.sznajd, None, x0, 10, 300) == 0.0
    # on a ring (Sznajd-Weron & Sznajd 2000, "united we stand" rule only) consensus is reached
    # from random opinions; the alternating state, where no pair agrees, is frozen
    for seed in range(3):
        x0 = np.random.default_rng(seed).integers(0, 2, 30)
        run = sk.dynamics.sznajd(nx.cycle_graph(30), x0, steps=3000, seed=seed, record="summary")
        assert run.params["consensus_at"] is not None
    frozen = sk.dynamics.sznajd(nx.cycle_graph(30), np.arange(30) % 2, steps=50, seed=0)
    assert frozen.final().tolist() == (np.arange(30) % 2).tolist()


def test_sznajd_pair_convinces_neighbours_only():
    G = nx.path_graph(5)
    run = sk.dynamics.sznajd(G, [0, 0, 1, 1, 1], steps=1, seed=0)
    w = run.wide()
    # after any update the state stays on the path's valid configurations (two blocks or
    # consensus): a disagreement is only ever pushed, never created
    for _, row in w.iterrows():
        assert np.count_nonzero(np.diff(row.to_numpy())) <= 1


@pytest.mark.parametrize("model", [sk.dynamics.majority_rule, sk.dynamics.sznajd])
def test_binary_models_reject_other_opinions(model):
    with pytest.raises(ValueError, match=r"state 2.0 at node 1 is not allowed .* one of \[0, 1\]"):
        model(nx.path_graph(3), [0, 2, 1])


def test_voter_rejects_non_integer_and_negative():
    with pytest.raises(ValueError, match=r"state 0.5 at node 1 is not allowed .*integer codes"):
        sk.dynamics.voter(nx.path_graph(3), [0, 0.5, 1])
    with pytest.raises(ValueError, match=r"state -1.0 at node 0 is not allowed"):
        sk.dynamics.voter(nx.path_graph(3), [-1, 0, 1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"group_size": 1}, r"'group_size' = 1 is out of range: allowed integer in \[2, inf\)"),
     ({"steps": -5}, "'steps' = -5 is out of range")],
)
def test_majority_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sk.dynamics.majority_rule(nx.path_graph(3), [0, 1, 1], **kwargs)


# ---- absorption and the size of a recording (issue 13) --------------------------------------
from socialkit.dynamics._common import Recorder  # noqa: E402


@pytest.mark.parametrize("record", ["agents", 3, "summary"])
@pytest.mark.parametrize("states", [None, ["a", "b"]])
def test_fill_records_exactly_what_stepping_would(record, states):
    agents = np.arange(4)
    x0, x1 = np.array([0, 1, 1, 0]), np.array([1, 1, 1, 1])
    stepped, filled = (Recorder(record, agents, 10, "v", states=states) for _ in range(2))
    for rec in (stepped, filled):
        rec(0, x0)
        rec(1, x0)
        rec(2, x1)
    for step in range(3, 11):
        stepped(step, x1)
    filled.fill(3, x1)
    a, b = stepped.trajectory(), filled.trajectory()
    order = ["step", "agent", "variable"]
    pd_sorted = [t.sort_values(order, kind="stable").reset_index(drop=True) for t in (a, b)]
    assert pd_sorted[0].equals(pd_sorted[1])


@pytest.mark.parametrize("model", [sk.dynamics.voter, sk.dynamics.majority_rule,
                                   sk.dynamics.sznajd])
def test_discrete_models_stop_at_consensus_with_identical_results(model):
    G = nx.complete_graph(12)
    x0 = [0] * 4 + [1] * 8
    long = model(G, x0, steps=5000, seed=4)
    at = long.params["consensus_at"]
    assert at is not None and at < 5000
    short = model(G, x0, steps=at, seed=4)
    t = long.trajectory
    assert t[t["step"] <= at].reset_index(drop=True).equals(short.trajectory)
    tail = long.wide().loc[at:]
    assert (tail.nunique() == 1).all() and len(tail) == 5000 - at + 1
    assert long.steps.tolist() == list(range(5001))


def test_cascade_absorption_fills_the_remaining_steps():
    G = nx.path_graph(5)
    run = sk.dynamics.independent_cascade(G, [0], p=1.0, steps=1000, seed=0)
    at = run.params["absorbed_at"]
    assert at is not None and at <= 6
    assert run.steps.tolist() == list(range(1001))
    assert run.summary("state")["n_active"].iloc[-1] == 5


@pytest.mark.parametrize("record", ["agents", "summary"])
def test_impossible_recordings_are_refused_before_allocating(record):
    with pytest.raises(ValueError, match=r"steps=1000000000000 with record='.*' would record "
                                         r"about .* rows .* more than this machine's memory"):
        sk.dynamics.voter(nx.cycle_graph(10), [0, 1] * 5, steps=10**12, record=record)
