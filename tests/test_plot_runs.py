"""Figures of runs: trajectories (agents, groups, replicates, bands) and distributions."""

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import socialkit as sk
from socialkit.plot._runs import _MAX_POINTS

OPINIONS = [i / 99 for i in range(100)]


@pytest.fixture(scope="module")
def run():
    return sk.dynamics.deffuant(None, OPINIONS, epsilon=0.3, steps=10, seed=0)


def _n_lines(trace):
    return sum(v is None for v in trace.x)


def test_single_run_has_agents_band_and_mean(run):
    fig = sk.plot.trajectories(run)
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["agents (100)", "mean ± 1 sd", "mean"]
    assert _n_lines(fig.data[0]) == 100
    mean = run.summary()["mean"].to_numpy()
    assert np.allclose(fig.data[2].y, mean)
    assert fig.layout.xaxis.title.text == "step" and fig.layout.yaxis.title.text == "opinion"


def test_lines_are_sampled_and_thinned():
    big = sk.dynamics.deffuant(None, np.linspace(0, 1, 3000), epsilon=0.3, steps=200, seed=0)
    fig = sk.plot.trajectories(big, max_agents=2000, seed=1)
    t = fig.data[0]
    assert t.name == "agents (2000 shown)" and _n_lines(t) == 2000
    assert len(t.x) <= _MAX_POINTS + 2 * 2000
    steps = [x for x in t.x[: t.x.index(None)]]
    assert steps[0] == 0 and steps[-1] == 200 and len(steps) < 201  # thinned, last step kept
    again = sk.plot.trajectories(big, max_agents=2000, seed=1)
    assert again.data[0].y == t.y  # the sample is seeded
    assert sk.plot.trajectories(big, max_agents=0).data[0].name == "mean ± 1 sd"


@pytest.mark.parametrize("band, name", [(True, "mean ± 1 sd"), ("sd", "mean ± 1 sd"),
                                        ("range", "min – max"), ("ci", "mean ± 95% CI")])
def test_band_kinds(run, band, name):
    fig = sk.plot.trajectories(run, band=band, max_agents=0)
    assert fig.data[0].name == name and fig.data[0].fill == "toself"
    s = run.summary()
    upper = np.asarray(fig.data[0].y[: len(s)], dtype=float)
    expected = {"sd": s["mean"] + s["sd"], "range": s["max"],
                "ci": s["mean"] + 1.96 * s["sd"] / np.sqrt(100)}[_BAND[band]]
    assert np.allclose(upper, expected)


_BAND = {True: "sd", "sd": "sd", "range": "range", "ci": "ci"}


def test_no_band(run):
    assert [t.name for t in sk.plot.trajectories(run, band=False, max_agents=0).data] == ["mean"]


def test_summary_without_a_mean_is_refused():
    t = pd.DataFrame({"step": [0, 1], "agent": -1, "variable": "state.n_S", "value": [5.0, 4.0]})
    r = sk.Run(t)  # counts only, and no state labels in the parameters
    with pytest.raises(ValueError, match="without a mean"):
        sk.plot.trajectories(r)


def test_summary_only_run_uses_recorded_statistics():
    r = sk.dynamics.deffuant(None, OPINIONS, steps=5, seed=0, record="summary")
    fig = sk.plot.trajectories(r, band="range")
    assert [t.name for t in fig.data] == ["min – max", "mean"]
    with pytest.raises(ValueError, match="per-agent"):
        sk.plot.trajectories(r, by={i: "a" for i in range(100)})


def test_replicates_band_spans_replicate_means():
    G = sk.network.barabasi_albert(200, 2, seed=0)
    reps = [sk.dynamics.voter(G, [i % 2 for i in range(200)], steps=15, seed=s)
            for s in range(4)]
    fig = sk.plot.trajectories(reps, band="range")
    assert fig.data[0].name == "replicates (4)" and _n_lines(fig.data[0]) == 4
    means = np.column_stack([r.wide().mean(axis=1).to_numpy() for r in reps])
    n = means.shape[0]
    assert np.allclose(fig.data[1].y[:n], means.max(axis=1))
    assert np.allclose(fig.data[2].y, means.mean(axis=1))
    assert "4 replicates" in fig.layout.title.text


def test_replicates_by_group():
    reps = [sk.dynamics.deffuant(None, OPINIONS, epsilon=0.2, steps=4, seed=s) for s in range(3)]
    side = {a: ("low" if a < 50 else "high") for a in range(100)}
    fig = sk.plot.trajectories(reps, by=side)
    assert [t.name for t in fig.data if t.showlegend] == ["high", "low"]
    low = [t for t in fig.data if t.name == "low"][0]
    expected = np.mean([r.wide().loc[:, :49].mean(axis=1) for r in reps], axis=0)
    assert np.allclose(low.y, expected)
    assert fig.data[0].name == "replicates (3)"


def test_by_mapping_population_frame_and_graph(run):
    side = {a: ("left" if a < 50 else "right") for a in range(100)}
    fig = sk.plot.trajectories(run, by=side)
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == ["left", "right"]
    left = fig.data[2]
    assert np.allclose(left.y, run.wide().loc[:, :49].mean(axis=1))
    assert fig.layout.legend.title.text == "group (mean, ± 1 sd)"
    frame = pd.DataFrame({"agent": range(100), "side": [side[a] for a in range(100)]})
    assert [t.name for t in sk.plot.trajectories(run, by="side", population=frame).data
            if t.showlegend] == ["left", "right"]
    G = nx.empty_graph(100)
    nx.set_node_attributes(G, side, "side")
    assert sk.plot.trajectories(run, by="side", population=G).layout.legend.title.text \
        .startswith("side")
    pop = sk.Population(frame.assign(weight=1.0))
    assert sk.plot.trajectories(run, by="side", population=pop, max_agents=0).data[1].name \
        == "left"


def test_by_keeps_category_order_and_bins_numbers(anes):
    pop = sk.Population.from_survey(anes, codebook="anes1996")
    op = (pop.codes("selfLR") - 1) / 6
    r = sk.dynamics.deffuant(None, op, epsilon=0.2, steps=3, seed=0)
    names = [t.name for t in sk.plot.trajectories(r, by="PID", population=pop).data
             if t.showlegend]
    assert names == [str(c) for c in pop.df["PID"].cat.categories if c in set(pop.df["PID"])]
    ages = [t.name for t in sk.plot.trajectories(r, by="age", population=pop).data
            if t.showlegend]
    assert len(ages) in (4, 5)  # quartiles (+ missing)


def test_by_bad_inputs(run):
    with pytest.raises(ValueError, match="pass population="):
        sk.plot.trajectories(run, by="side")
    with pytest.raises(TypeError, match="attribute name or a mapping"):
        sk.plot.trajectories(run, by=3)
    with pytest.raises(ValueError, match="no group to any agent"):
        sk.plot.trajectories(run, by={1000: "x"})
    with pytest.raises(ValueError, match="at most 8"):
        sk.plot.trajectories(run, by={a: f"g{a}" for a in range(100)})
    with pytest.raises(ValueError, match="not in the DataFrame"):
        sk.plot.trajectories(run, by="nope", population=pd.DataFrame({"agent": [0]}))
    with pytest.raises(ValueError, match="no node of the graph"):
        sk.plot.trajectories(run, by="nope", population=nx.empty_graph(3))
    with pytest.raises(TypeError, match="population must be"):
        sk.plot.trajectories(run, by="x", population=[1, 2])


def test_trajectories_bad_inputs(run):
    with pytest.raises(TypeError, match="socialkit.Run"):
        sk.plot.trajectories("run")
    with pytest.raises(TypeError, match="list of Runs"):
        sk.plot.trajectories([])
    with pytest.raises(TypeError, match="socialkit.Run"):
        sk.plot.trajectories([run, "x"])
    with pytest.raises(ValueError, match="band must be"):
        sk.plot.trajectories(run, band="iqr")
    with pytest.raises(ValueError, match="max_agents"):
        sk.plot.trajectories(run, max_agents=-1)
    with pytest.raises(ValueError, match="max_agents"):
        sk.plot.trajectories(run, max_agents=2.5)
    with pytest.raises(ValueError, match="not in this run"):
        sk.plot.trajectories(run, variable="nope")


def test_conserved_mean_gets_a_readable_axis():
    reps = [sk.dynamics.deffuant(None, OPINIONS, steps=3, seed=s) for s in range(3)]
    fig = sk.plot.trajectories(reps, max_agents=0)
    lo, hi = fig.layout.yaxis.range
    assert hi - lo == pytest.approx(0.1)


def test_distribution_histogram_and_ridge(run):
    assert [t.name for t in sk.plot.distribution(run).data] == ["step 0", "step 10"]
    ridge = sk.plot.distribution(run, kind="ridge")
    assert len(ridge.data) == 8 and ridge.data[0].name == "step 0"
    assert list(ridge.layout.yaxis.ticktext) == [t.name.split()[1] for t in ridge.data]
    tops = [max(t.y) - i for i, t in enumerate(reversed(ridge.data))]
    assert max(tops) == pytest.approx(1.6)  # tallest ridge scaled to 1.6 rows
    short = sk.dynamics.deffuant(None, OPINIONS, steps=3, seed=0)
    assert len(sk.plot.distribution(short, kind="ridge").data) == 4
    same = sk.dynamics.deffuant(None, [0.5] * 10, steps=2, seed=0)
    assert len(sk.plot.distribution(same, kind="ridge").data) == 3  # no spread: still drawn


def test_distribution_bad_inputs(run):
    with pytest.raises(ValueError, match="kind"):
        sk.plot.distribution(run, kind="violin")
    with pytest.raises(ValueError, match="bins"):
        sk.plot.distribution(run, bins=0)
    with pytest.raises(ValueError, match="not recorded"):
        sk.plot.distribution(run, steps=[99])
    with pytest.raises(ValueError, match="empty"):
        sk.plot.distribution(run, steps=[])
    with pytest.raises(TypeError):
        sk.plot.distribution(None)


def test_diffusion_runs_plot_state_shares():
    import socialkit as sk

    G = sk.network.barabasi_albert(300, 3, seed=1)
    for record in ("summary", "agents"):
        run = sk.dynamics.sir(G, seeds=range(5), beta=0.1, gamma=0.2, steps=30, seed=1,
                              record=record)
        fig = run.plot()
        assert [t.name for t in fig.data] == ["S", "I", "R"]
        total = sum(np.asarray(t.y) for t in fig.data)
        assert np.allclose(total, 1.0)
        assert fig.data[0].y[0] == pytest.approx(295 / 300)
