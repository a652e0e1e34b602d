"""Figures of ideas spreading: S/I/R curves with intervention marks, drift by day, similarity by
generation, a story's versions side by side."""

import numpy as np
import pandas as pd
import pytest
from test_scenarios_spread import contagious, newsroom, storyteller

import socialkit as sk


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(12))


@pytest.fixture(scope="module")
def fps_runs(pop):
    return [sk.scenarios.fps(pop, sk.llm.scripted(contagious), days=4, believers=1,
                             contact_rate=2, memory=None, reflect=False, cache=False,
                             progress=False, seed=s, intervention=True, start=2, every=2)
            for s in range(3)]


@pytest.fixture(scope="module")
def fuse_runs(pop):
    return [sk.scenarios.fuse(pop, sk.llm.scripted(newsroom), days=3, network="random",
                              similarity=False, cache=False, progress=False, seed=s)
            for s in range(2)]


def test_sir_curves(fps_runs):
    fig = sk.plot.sir_curves(fps_runs)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == [f"{s} (3 runs)" for s in
                                       ("susceptible", "infected", "recovered")]
    shares = np.array([t.y for t in lines])
    assert np.allclose(shares.sum(axis=0), 1.0)
    m = np.mean([r.measures()["sir.infected"] / 12 for r in fps_runs], axis=0)
    assert np.allclose(lines[1].y, m)
    assert sorted(s.x0 for s in fig.layout.shapes) == [2, 4]     # the refutation days
    assert fig.layout.xaxis.dtick == 1                           # whole days, no 0.5 ticks
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 3 and all(0 <= y <= 1 for t in bands for y in t.y)
    fig = sk.plot.sir_curves({"a": fps_runs[:2], "b": fps_runs[2]}, states=["infected"])
    assert [t.name for t in fig.data if t.mode == "lines+markers"] == \
        ["a: infected (2 runs)", "b: infected"]
    with pytest.raises(ValueError, match="states must be among"):
        sk.plot.sir_curves(fps_runs, states=["exposed"])
    with pytest.raises(TypeError, match="needs a Run, a list of Runs"):
        sk.plot.sir_curves("runs")
    with pytest.raises(TypeError, match=r"runs\['a'\] must be a Run"):
        sk.plot.sir_curves({"a": [1]})


def test_deviation_and_versions(fuse_runs):
    fig = sk.plot.deviation({"random": fuse_runs})
    line = [t for t in fig.data if t.mode == "lines+markers"][0]
    means = [np.mean([sk.scenarios.news_versions(r).groupby("step")["deviation"].mean()[s]
                      for r in fuse_runs]) for s in (1, 2, 3)]
    assert list(line.x) == [1, 2, 3] and np.allclose(line.y, means)
    assert fig.layout.xaxis.dtick == 1
    fig = sk.plot.deviation(fuse_runs[0], by="role")
    assert {t.name for t in fig.data} == {"commentator", "spreader", "verifier"}
    with pytest.raises(ValueError, match="no similarity values"):
        sk.plot.deviation(fuse_runs, measure="similarity")
    with pytest.raises(ValueError, match="measure must be"):
        sk.plot.deviation(fuse_runs, measure="drift")
    with pytest.raises(ValueError, match="by must be None or 'role'"):
        sk.plot.deviation(fuse_runs, by="network")
    t = sk.plot.versions(fuse_runs[0], steps=[1, 3])
    table = t.data[0]
    assert [h for h in table.header.values] == ["<b>agent</b>", "<b>original</b>",
                                                 "<b>day 1</b>", "<b>day 3</b>"]
    assert len(table.cells.values[0]) == 6 and "deviation" in table.cells.values[2][0]
    assert t.layout.width > 700
    with pytest.raises(ValueError, match=r"no versions on steps \[9\]"):
        sk.plot.versions(fuse_runs[0], steps=[9])
    with pytest.raises(ValueError, match=r"agents \[999\] wrote no version"):
        sk.plot.versions(fuse_runs[0], agents=[999])


def test_similarity_by_generation_figure():
    runs = {t: [sk.scenarios.cultural_transmission(
        sk.llm.scripted(storyteller), topology=t, agents=4, generations=3, cache=False,
        progress=False, seed=s) for s in range(2)] for t in ("circle", "fully_connected")}
    fig = sk.plot.similarity_by_generation(runs)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["circle (2 runs)", "fully_connected (2 runs)"]
    table = sk.scenarios.similarity_by_generation(runs)
    w = table[(table["group"] == "circle") & (table["measure"] == "within")]
    assert np.allclose(lines[0].y, w["mean"])
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tick0 == 0
    fig = sk.plot.similarity_by_generation(runs["circle"], measure="from_first")
    assert fig.data[-1].name == "circle (2 runs)"
    with pytest.raises(ValueError, match="measure must be"):
        sk.plot.similarity_by_generation(runs, measure="across")
    with pytest.raises(ValueError, match="lacks columns"):
        sk.plot.similarity_by_generation(pd.DataFrame({"group": ["a"]}))
