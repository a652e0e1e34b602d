import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

import socialkit as sk


@pytest.fixture(scope="module")
def runs():
    G = nx.path_graph(6)
    return [sk.dynamics.independent_cascade(G, seeds=[0], p=0.7, steps=5, seed=s) for s in range(4)]


def test_adoption_curve_runs_band_and_offset(runs):
    fig = sk.plot.adoption_curve(runs, start=1, name="IC")
    band, mean = fig.data
    assert band.name == "IC (4 runs, min–max)" and mean.name == "IC"
    assert list(mean.x) == [1, 2, 3, 4, 5, 6]
    curves = np.array([sk.dynamics.adoption_share(r).to_numpy() for r in runs])
    assert np.allclose(mean.y, curves.mean(axis=0))
    assert fig.layout.yaxis.title.text == "share adopted"


def test_adoption_curve_dict_single_run_agents_and_observed(runs):
    fig = sk.plot.adoption_curve({"one": runs[0], "all": runs}, observed=[1, 2, np.nan, None],
                                 agents=[0, 1, 2, 3], band=False, observed_name="data",
                                 time_label="month", title="t")
    assert [t.name for t in fig.data] == ["one", "all", "data"]
    assert [float(v) for v in fig.data[-1].y] == [0.25, 0.5]
    assert fig.layout.xaxis.title.text == "month" and fig.layout.title.text == "t"
    only = sk.plot.adoption_curve(observed=[3, 1, 2, 2])
    assert [float(v) for v in only.data[0].x] == [1, 2, 3]
    assert [float(v) for v in only.data[0].y] == [0.25, 0.75, 1.0]


def test_adoption_curve_bad_input(runs):
    with pytest.raises(ValueError, match="give runs=, observed= or both"):
        sk.plot.adoption_curve()
    with pytest.raises(ValueError, match="no runs for 'x'"):
        sk.plot.adoption_curve({"x": []})
    with pytest.raises(ValueError, match="observed holds no agents"):
        sk.plot.adoption_curve(observed=[])
    with pytest.raises(ValueError, match="not a diffusion run"):
        sk.plot.adoption_curve(sk.dynamics.voter(nx.path_graph(3), [0, 1, 1], steps=1, seed=0))


def test_dynamics_does_not_import_plotly():
    code = ("import sys, socialkit.dynamics as d; import networkx as nx; "
            "d.sir(nx.path_graph(3), seeds=[0], steps=2, seed=0); "
            "print('plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
