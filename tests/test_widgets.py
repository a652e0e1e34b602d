"""Widgets, headless: build them, set inputs, click, and check the plot, numbers and errors."""

import ipywidgets as W
import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import socialkit as sk
from socialkit.params import Param, model
from socialkit.widgets._common import controls, values

UNIFORM = list(np.linspace(0, 1, 200))


def _ys(fig):
    return [tuple(t.y) for t in fig.data]


def _xs(fig):
    return [tuple(t.x) for t in fig.data]


@model(Param("rate", float, 0.5, low=0, high=1, doc="a rate"),
       Param("n", int, 3, low=1, high=10, doc="a count"),
       Param("flag", bool, False, doc="a switch"),
       Param("kind", str, "a", choices=["a", "b"], doc="a choice"),
       Param("limit", float, None, low=0, allow_none=True, doc="optional"),
       Param("scale", float, 1.0, doc="unbounded"),
       Param("label", str, "x", doc="free text"))
def _toy(*, rate=0.5, n=3, flag=False, kind="a", limit=None, scale=1.0, label="x"):
    return dict(rate=rate, n=n, flag=flag, kind=kind, limit=limit, scale=scale, label=label)


def test_controls_follow_the_schema():
    c = controls(_toy, {"label": "y"})
    kinds = {k: type(w).__name__ for k, w in c.items()}
    assert kinds == {"rate": "FloatSlider", "n": "IntSlider", "flag": "Checkbox",
                     "kind": "Dropdown", "limit": "Text", "scale": "FloatText"}
    assert c["rate"].tooltip.startswith("a rate") and (c["n"].min, c["n"].max) == (1, 10)
    eps = controls(sk.dynamics.deffuant, {})["epsilon"]
    assert eps.min > 0 and eps.max == 1  # (0, 1]: the open end is left out
    c["limit"].value = "2.5"
    assert values(_toy, c)["limit"] == 2.5
    c["limit"].value = ""
    assert values(_toy, c)["limit"] is None
    c["limit"].value = "abc"
    with pytest.raises(ValueError, match="not a number"):
        values(_toy, c)


def test_explore_slider_and_run_update_the_plot_in_place():
    ex = sk.widgets.explore(sk.dynamics.deffuant, G=None, opinions=UNIFORM, steps=30)
    assert isinstance(ex, W.VBox) and isinstance(ex.figure, go.FigureWidget)
    assert set(ex.controls) == {"epsilon", "mu", "seed"}  # steps is fixed
    figure, before = ex.figure, _ys(ex.figure)
    clusters_wide = int(ex.numbers.value.split("clusters</th>")[1].split("<td>")[1].split("<")[0])
    ex.controls["epsilon"].value = 0.08
    ex.run_button.click()
    assert ex.figure is figure and _ys(ex.figure) != before  # updated in place
    assert ex.run.params["epsilon"] == pytest.approx(0.08) and ex.error.message == ""
    numbers = sk.widgets.run_numbers(ex.run)
    assert numbers["clusters"] > clusters_wide and "final sd" in ex.numbers.value


def test_explore_shows_errors_in_the_widget():
    ex = sk.widgets.explore(sk.dynamics.deffuant, G=None, opinions=UNIFORM, steps=5)
    before = _ys(ex.figure)
    ex.controls["seed"].value = -1  # numpy refuses negative seeds
    ex.run_button.click()
    assert ex.error.message.startswith("ValueError") and ex.error.layout.display is None
    assert "ValueError" in ex.error.value and _ys(ex.figure) == before
    ex.controls["seed"].value = 1
    ex.run_button.click()
    assert ex.error.message == "" and ex.error.layout.display == "none"
    bad = sk.widgets.explore(sk.dynamics.deffuant, G=None, opinions=[2.0, 0.5])
    assert "opinions" in bad.error.message and bad.run is None
    assert not bad.run_button.disabled


def test_explore_auto_and_bad_arguments():
    ex = sk.widgets.explore(sk.dynamics.hegselmann_krause, G=None, opinions=UNIFORM, steps=5,
                            auto=True, run_now=False)
    assert ex.run is None and len(ex.figure.data) == 0
    assert ex.figure.layout.annotations[0].text == "press Run"
    ex.controls["epsilon"].value = 0.3
    assert ex.run is not None and len(ex.figure.data) == 3
    with pytest.raises(TypeError, match="no parameter schema"):
        sk.widgets.explore(lambda x: x)
    with pytest.raises(TypeError, match="model function"):
        sk.widgets.explore("deffuant")


def test_explore_on_anes_shows_more_clusters_as_epsilon_shrinks(anes):
    pop = sk.Population.from_survey(anes)
    rng = np.random.default_rng(0)
    op = ((pop.codes("selfLR") - 1) / 6 + rng.uniform(-1 / 12, 1 / 12, len(pop))).clip(0, 1)
    ex = sk.widgets.explore(sk.dynamics.deffuant, G=None, opinions=op, steps=40, seed=1)
    counts = []
    for eps in (0.4, 0.2, 0.1):
        ex.controls["epsilon"].value = eps
        ex.run_button.click()
        counts.append(sk.widgets.run_numbers(ex.run)["clusters"])
    assert counts[0] == 1 and counts[0] < counts[1] < counts[2]


def test_run_numbers_bad_input():
    with pytest.raises(TypeError, match="socialkit.Run"):
        sk.widgets.run_numbers("run")


def test_run_chunks_continue_from_the_last_state():
    parts = list(sk.widgets.run_chunks(sk.dynamics.deffuant, 25, chunk=10, G=None,
                                       opinions=UNIFORM, epsilon=0.3, seed=4, progress=False))
    assert [p.params["steps"] for p in parts] == [10, 20, 25]
    last = parts[-1]
    assert list(last.steps) == list(range(26)) and last.seed == 4
    assert not last.trajectory.duplicated(["step", "agent", "variable"]).any()
    again = list(sk.widgets.run_chunks(sk.dynamics.deffuant, 25, chunk=10, G=None,
                                       opinions=UNIFORM, epsilon=0.3, seed=4, progress=False))
    assert again[-1].trajectory.equals(last.trajectory)  # reproducible
    # chunk 2 starts where chunk 1 ended
    w = last.wide()
    assert np.allclose(w.loc[10], parts[0].wide().loc[10])


def test_run_chunks_diffusion_states_and_bad_inputs():
    G = nx.path_graph(30)
    parts = list(sk.widgets.run_chunks(sk.dynamics.sir, 6, chunk=3, G=G, seeds=[0], beta=1.0,
                                       gamma=0.0, progress=False))
    infected = (parts[-1].wide().iloc[-1] > 0).sum()
    assert infected == 7  # the infection moved one node per step, across the chunk boundary
    with pytest.raises(ValueError, match="record='agents'"):
        next(sk.widgets.run_chunks(sk.dynamics.deffuant, 5, G=None, opinions=UNIFORM,
                                   record="summary"))
    with pytest.raises(ValueError, match="steps"):
        next(sk.widgets.run_chunks(sk.dynamics.deffuant, 0, G=None, opinions=UNIFORM))
    with pytest.raises(ValueError, match="chunk"):
        next(sk.widgets.run_chunks(sk.dynamics.deffuant, 5, chunk=0, G=None, opinions=UNIFORM))
    with pytest.raises(ValueError, match="not an argument"):
        next(sk.widgets.run_chunks(sk.dynamics.deffuant, 5, state="x", G=None,
                                   opinions=UNIFORM))
    with pytest.raises(ValueError, match="pass state="):
        next(sk.widgets.run_chunks(_toy, 5))


def test_run_panel_runs_in_the_background_and_stops_between_chunks():
    panel = sk.widgets.run_panel(sk.dynamics.deffuant, steps=400, chunk=20, G=None,
                                 opinions=UNIFORM, epsilon=0.2, seed=0)
    assert panel.progress.max == 400 and len(panel.figure.data) == 0
    panel.start()
    panel.stop()
    panel.join(30)
    assert not panel.running and panel.progress.value == 20 and "stopped" in panel.label.value
    assert len(panel.figure.data) == 3 and not panel.start_button.disabled
    panel.start()
    panel.join(60)
    assert panel.progress.value == 400 and panel.run.params["steps"] == 400
    assert "clusters" in panel.numbers.value


def test_run_panel_errors_are_shown():
    panel = sk.widgets.run_panel(sk.dynamics.deffuant, steps=10, G=None, opinions=[3.0, 0.1])
    panel.start_button.click()
    panel.join(30)
    assert "opinions" in panel.error.message and panel.run is None
    with pytest.raises(ValueError, match="steps"):
        sk.widgets.run_panel(sk.dynamics.deffuant, steps=0, G=None, opinions=UNIFORM)
    with pytest.raises(ValueError, match="pass state="):
        sk.widgets.run_panel(_toy, steps=5)
    with pytest.raises(TypeError, match="model function"):
        sk.widgets.run_panel(None)


def test_run_panel_steps_a_simulation_and_continues_after_stop(anes):
    pop = sk.Population.from_survey(anes.head(6))
    calls = []

    def model(messages):  # the 12th call is the last of step 1 (6 at step 0, 6 at step 1)
        calls.append(messages)
        if len(calls) == 12:
            panel.stop()
        return "2" if "strong Republican" in messages[0]["content"] else "4"

    q = sk.Likert("Taxes are too high.")
    sim = sk.Simulation(pop, env=sk.env.Network(nx.cycle_graph(6), message=False),
                        model=sk.llm.scripted(model), state={"opinion": q}, cache=False,
                        progress=False)
    panel = sk.widgets.run_panel(sim, steps=4)
    assert panel.simulation is sim and panel.progress.max == 4
    panel.start()
    panel.join(60)
    assert not panel.running and panel.error.message == ""
    assert sim.t == 1 and panel.progress.value == 1 and "stopped" in panel.label.value
    assert len(panel.figure.data) == 3 and panel.run.steps.tolist() == [0, 1]
    panel.start()  # continues from step 1: no step is asked twice
    panel.join(60)
    assert sim.t == 4 and panel.progress.value == 4 and len(calls) == 6 + 4 * 6
    assert panel.run.wide("opinion").shape == (5, 6) and "final mean" in panel.numbers.value
    with pytest.raises(TypeError, match="no model arguments"):
        sk.widgets.run_panel(sim, steps=4, G=None)


def test_run_panel_steps_llm_opinion_like_a_single_run(anes):
    pop = sk.Population.from_survey(anes.head(6), codebook="anes1996")
    G, q = nx.path_graph(6), sk.Likert("Taxes are too high.")

    def model(messages):
        if "one short sentence" in messages[-1]["content"]:
            return "Lower them."
        return "1" if "some people you know" in messages[-1]["content"].lower() else "3"

    kw = dict(population=pop, G=G, question=q, model=sk.llm.scripted(model), k=1, seed=4,
              cache=False)
    panel = sk.widgets.run_panel(sk.dynamics.llm_opinion, steps=3, chunk=1, **kw)
    panel.start(background=False)
    direct = sk.dynamics.llm_opinion(steps=3, progress=False, **kw)
    assert panel.simulation.t == 3 and panel.progress.value == 3
    pd.testing.assert_frame_equal(panel.run.trajectory, direct.trajectory)
    pd.testing.assert_frame_equal(panel.run.events, direct.events)
    assert panel.run.params == direct.params and panel.run.model == "llm_opinion"


@pytest.fixture(scope="module")
def survey(anes):
    return sk.datasets.acs_recode(anes)


def test_population_builder_rakes_and_reports(survey):
    targets = sk.datasets.acs_targets(["age_group", "education"])
    b = sk.widgets.population_builder(survey, targets=targets, rake_on=targets)
    assert set(b.rake_on.value) == {"age_group", "education"}
    assert b.fidelity.max_tvd < 1e-6 and "converged" in b.report.value
    raked_figure = _xs(b.figure)
    b.rake_on.value = ()
    b.build_button.click()
    assert b.fidelity.max_tvd > 0.05 and b.rake_report is None
    assert _xs(b.figure) != raked_figure and b.error.message == ""
    b.rake_on.value = ("education",)
    b.trim.value = True
    b.build_button.click()
    ratio = b.population.df["weight"] / b.population.df["weight"].mean()
    assert ratio.max() <= 5 + 1e-9 and b.error.message == ""


def test_population_builder_errors_are_shown(survey):
    b = sk.widgets.population_builder(survey, targets=sk.datasets.acs_targets(["education"]),
                                      rake_on=["education"])
    b.columns.value = ()
    b.build_button.click()
    assert "at least one column" in b.error.message
    b.columns.value = ("age", "selfLR")  # the target's column is no longer kept
    b.build_button.click()
    assert "cannot rake on" in b.error.message
    b.rake_on.value = ()
    b.build_button.click()
    assert b.error.message == "" and "nothing to compare" in b.report.value
    with pytest.raises(TypeError, match="DataFrame"):
        sk.widgets.population_builder([1, 2])
    with pytest.raises(TypeError, match="dict"):
        sk.widgets.population_builder(survey, targets=[1])
    with pytest.raises(ValueError, match="not keys of targets"):
        sk.widgets.population_builder(survey, targets={}, rake_on=["sex"])
    with pytest.raises(ValueError, match="not in the data"):
        sk.widgets.build_population(pd.DataFrame({"a": [1]}), columns=["b"])


def test_population_builder_with_a_weight_column():
    df = pd.DataFrame({"sex": ["f", "m", "m"], "w": [2.0, 1.0, 1.0]})
    b = sk.widgets.population_builder(df, targets={"sex": {"f": 0.5, "m": 0.5}})
    assert b.rake_on.value == ()
    b.weight.value = "w"
    b.build_button.click()
    assert b.population.df["weight"].tolist() == [2.0, 1.0, 1.0] and b.fidelity.max_tvd == 0


def test_network_view_colours_and_numbers():
    G = nx.karate_club_graph()
    view = sk.widgets.network_view(G, color="club")
    assert [t.name for t in view.figure.data] == ["edges (78)", "Mr. Hi", "Officer"]
    assert "assortativity on club" in view.numbers.value
    assert "friends have more friends" in view.numbers.value
    positions = [tuple(t.x) for t in view.figure.data[1:]]
    view.size.value = "degree"
    assert [tuple(t.x) for t in view.figure.data[1:]] == positions  # same layout
    view.color.value = "degree"
    assert view.figure.data[-1].marker.colorbar.title.text == "degree"
    assert "assortativity" not in view.numbers.value


def test_network_view_errors():
    G = nx.karate_club_graph()
    G.nodes[0]["partial"] = "a"
    view = sk.widgets.network_view(G)
    view.color.value = "partial"
    assert "missing" in view.error.message
    view.color.value = ""  # "(none)"
    assert view.error.message == "" and view.figure.data[1].name == "nodes"
    with pytest.raises(ValueError, match="not a node attribute"):
        sk.widgets.network_view(G, color="nope")
    with pytest.raises(TypeError, match="networkx graph"):
        sk.widgets.network_view("G")
    with pytest.raises(TypeError, match="networkx graph"):
        sk.widgets.network_numbers(None)
    directed = sk.widgets.network_numbers(nx.gnp_random_graph(30, 0.2, seed=0, directed=True))
    assert directed["nodes"] == 30


def test_replace_figure_clears_what_the_old_figure_set(monkeypatch):
    from socialkit.widgets._common import figure_widget, replace_figure

    fw = figure_widget(text="press Run")
    sent = []
    original = fw._send_relayout_msg
    monkeypatch.setattr(fw, "_send_relayout_msg",
                        lambda layout, **kw: (sent.append(layout), original(layout, **kw)))
    replace_figure(fw, go.Figure(go.Scatter(y=[1, 2]), layout=dict(title_text="new")))
    assert sent[0] == {"annotations": None, "height": None, "xaxis": None, "yaxis": None}
    assert fw.layout.title.text == "new" and fw.layout.annotations == ()
