"""Figures of cascades, propagation curves and follow networks."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk


def test_cascade_ccdf_panels_and_lines():
    real = pd.DataFrame({"size": [2, 2, 3, 40], "depth": [1, 1, 1, 3]})
    fig = sk.plot.cascade_ccdf({"real": real, "sim": real.assign(size=real["size"] * 2)},
                               "size")
    assert len(fig.data) == 2 and fig.layout.yaxis.type == "log"
    assert list(fig.data[0].y) == [1.0, 0.5, 0.25]
    fig = sk.plot.cascade_ccdf(np.array([1, 2, 3]), "value")
    assert fig.data[0].name == "simulated"
    with pytest.raises(ValueError, match="has no column 'depth'"):
        sk.plot.cascade_ccdf({"a": pd.DataFrame({"size": [1]})}, "depth")
    with pytest.raises(ValueError, match="at least one sample"):
        sk.plot.cascade_ccdf({})


def test_propagation_relative_axis():
    real = pd.DataFrame({"time": [10.0, 20.0, 30.0], "adopters": [2.0, 4.0, 8.0]})
    fig = sk.plot.propagation(pd.Series([1.0, 3.0], index=[1, 2]), real)
    assert list(fig.data[0].x) == [0.0, 0.5, 1.0] and list(fig.data[0].y) == [0.25, 0.5, 1.0]
    assert list(fig.data[1].x) == [0.0, 1.0] and fig.data[1].y[-1] == 1.0
    raw = sk.plot.propagation(real, normalize=None)
    assert list(raw.data[0].y) == [2.0, 4.0, 8.0]


def test_follow_network_figure_from_a_run():
    pop = sk.Population(pd.DataFrame({"agent": range(6), "weight": 1.0}))
    feed = sk.env.Feed(nx.DiGraph([(0, 1), (0, 2), (3, 4)]),
                       seed_posts=pd.DataFrame({"author": [0], "text": ["x"]}))
    run = sk.Simulation(pop, env=feed, policy=sk.env.feed_rule(follow=0.5), seed=1,
                        progress=False).run(2)
    fig = sk.plot.follow_network(run, step=0)
    assert fig.layout.title.text.startswith("Follow network at step 0")
    assert fig.data[0].name == "edges (3)"
