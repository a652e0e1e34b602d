"""Figures of sweeps (sk.plot.sweep, sk.plot.sweep_heatmap) and the sweep_view widget."""

import networkx as nx
import numpy as np
import pytest

import socialkit as sk
from socialkit.params import Param, model

X = np.linspace(0, 1, 40)


def clusters(run):
    return {"clusters": len(sk.dynamics.clusters(run.final(), min_share=0.05)),
            "label": "many" if len(sk.dynamics.clusters(run.final())) > 2 else "few"}


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    return sk.experiments.sweep(sk.dynamics.deffuant, {"epsilon": [0.1, 0.2, 0.4],
                                                       "mu": [0.2, 0.5]}, seeds=3,
                                inputs={"G": None, "opinions": X, "steps": 12}, measure=clusters,
                                folder=tmp_path_factory.mktemp("two"), progress=False)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(5))

    def lean(m):
        return "5" if "Republican" in m[0]["content"] else "2"
    models = {"flat": sk.llm.scripted(lambda m: "3", name="flat"),
              "lean": sk.llm.scripted(lean, name="lean")}
    return sk.experiments.compare_models(
        sk.dynamics.llm_opinion, models, seeds=2, grid={"k": [1, 2], "activation": [0.5, 1.0]},
        progress=False,
        folder=tmp_path_factory.mktemp("cmp"),
        inputs=dict(population=pop, G=nx.cycle_graph(5), question=sk.Likert("Taxes."), steps=1,
                    message=False, cache=False))


def test_lines_with_ribbons_follow_the_summary(two):
    fig = sk.plot.sweep(two, "clusters")  # x: epsilon, one line per mu
    s = two.summary(outcomes="clusters")
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["mu=0.2", "mu=0.5"]
    for line, mu in zip(lines, (0.2, 0.5), strict=True):
        cell = s[s.mu == mu].sort_values("epsilon")
        assert list(line.x) == [0.1, 0.2, 0.4] and list(line.y) == cell["mean"].tolist()
    ribbons = [t for t in fig.data if t.fill == "toself"]
    ok = s[(s.mu == 0.5) & s.low.notna()].sort_values("epsilon")
    assert list(ribbons[1].y) == ok["high"].tolist() + ok["low"].tolist()[::-1]
    points = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in points) == 18
    assert "mean over 3 seeds" in fig.layout.title.text
    # x chosen, no colour split, no points
    fig = sk.plot.sweep(two, "clusters", x="mu", color=None, points=False)
    assert all(t.mode != "markers" for t in fig.data)


def test_sweep_figure_errors(two):
    with pytest.raises(ValueError, match="not a numeric outcome"):
        sk.plot.sweep(two, "label")
    with pytest.raises(ValueError, match="not a swept parameter"):
        sk.plot.sweep(two, "clusters", x="steps")
    with pytest.raises(ValueError, match="already used"):
        sk.plot.sweep(two, "clusters", x="mu", color="mu")
    with pytest.raises(TypeError, match="a Sweep"):
        sk.plot.sweep(two.table)
    one = sk.experiments.sweep(sk.dynamics.deffuant, None, seeds=2, progress=False,
                               inputs={"G": None, "opinions": X, "steps": 2})
    with pytest.raises(ValueError, match="no parameter varies"):
        sk.plot.sweep(one)
    with pytest.raises(ValueError, match="two parameters that vary"):
        sk.plot.sweep_heatmap(one)


def test_heatmap_cells_are_the_cell_means(two):
    fig = sk.plot.sweep_heatmap(two, "epsilon", "mu", "clusters")
    s = two.summary(outcomes="clusters")
    z = np.asarray(fig.data[0].z)
    assert list(fig.data[0].x) == ["0.1", "0.2", "0.4"] and list(fig.data[0].y) == ["0.2", "0.5"]
    for i, mu in enumerate((0.2, 0.5)):
        assert z[i].tolist() == s[s.mu == mu].sort_values("epsilon")["mean"].tolist()
    sd = sk.plot.sweep_heatmap(two, z="clusters", stat="sd")
    assert "sd across 3 seeds" in sd.layout.title.text
    with pytest.raises(ValueError, match="stat must be"):
        sk.plot.sweep_heatmap(two, stat="median")
    with pytest.raises(ValueError, match="no run has mu = 0.3"):
        sk.plot.sweep(two, where={"mu": 0.3})
    one = sk.plot.sweep(two, "clusters", where={"mu": 0.5})
    assert [t.name for t in one.data if t.mode == "lines+markers"] == ["mean (95% CI)"]


def test_one_panel_per_model(compared):
    fig = compared.plot("opinion.mean")  # Sweep.plot -> sk.plot.sweep
    assert [a.text for a in fig.layout.annotations] == ["flat", "lean"]
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.xaxis for t in lines] == ["x", "x", "x2", "x2"]  # activation 0.5 and 1 per panel
    assert list(lines[0].y) == [3.0, 3.0]
    assert [t.showlegend for t in lines] == [True, True, False, False]
    with pytest.raises(ValueError, match=r"also varies \['activation'\]"):
        sk.plot.sweep(compared, "opinion.mean", x="model", color="k")
    by_model = sk.plot.sweep(compared, "opinion.mean", x="model", color="k", points=False,
                             where={"activation": 1.0})
    means = [t for t in by_model.data if t.error_y.array is not None]
    assert [list(t.x) for t in means] == [["flat", "lean"]] * 2
    assert [t.name for t in means] == ["k=1", "k=2"] and means[0].mode == "markers"
    heat = sk.plot.sweep_heatmap(compared, "k", "activation", "opinion.mean")
    assert len(heat.data) == 2 and {t.coloraxis for t in heat.data} == {"coloraxis"}
    assert np.asarray(heat.data[0].z).tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_sweep_view_selects_runs_by_drop_down_and_click(two):
    view = sk.widgets.sweep_view(two, outcome="clusters")
    assert set(view.choosers) == {"epsilon", "mu", "seed"}
    view.choosers["epsilon"].value = 0.4
    view.choosers["seed"].value = 2
    row = view.selected()
    assert view.run == two.run(row.run_id) and view.error.message == ""
    assert row.run_id in view.record.value
    # clicking a run's point in the overview selects that run
    points = [t for t in view.overview.data if t.name.endswith(" runs")][0]

    class Points:
        point_inds = [4]
    view._clicked(points, Points(), None)
    clicked = points.customdata[4][1]
    assert view.selected().run_id == clicked and view.run == two.run(clicked)
    view.outcome.value = "clusters"
    with pytest.raises(TypeError, match="a Sweep"):
        sk.widgets.sweep_view(two.table)
    with pytest.raises(ValueError, match="not a numeric outcome"):
        sk.widgets.sweep_view(two, outcome="label")


@model(Param("x", float, 1.0, low=0, high=5))
def sometimes(*, x=1.0, seed=0):
    if x > 2:
        raise ValueError("x above 2 is not modelled")
    return sk.dynamics.voter(None, [0, 1] * 4, steps=3, seed=seed)


def test_sweep_view_shows_a_failed_run_and_models(compared, tmp_path):
    with pytest.warns(RuntimeWarning, match="failed"):
        res = sk.experiments.sweep(sometimes, {"x": [1, 3]}, seeds=1, folder=tmp_path,
                                   progress=False)
    view = sk.widgets.sweep_view(res)
    view.choosers["x"].value = 3.0
    assert view.run is None and "x above 2 is not modelled" in view.record.value
    cmp = sk.widgets.sweep_view(compared)
    cmp.choosers["model"].value = "lean"
    assert cmp.run.provenance["model_id"] == "scripted:lean"
    seeds_only = sk.experiments.sweep(sometimes, None, seeds=2, progress=False)
    view = sk.widgets.sweep_view(seeds_only)  # nothing varies but the seed: no overview
    assert view.error.message == "" and view.run is not None
