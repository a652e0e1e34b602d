"""Figures of graphs: network drawing, layouts, sampled views, degree distribution."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk


@pytest.fixture(scope="module")
def karate():
    return nx.karate_club_graph()


def test_network_categorical_colour_and_degree_size(karate):
    fig = sk.plot.network(karate, color="club", size="degree")
    assert [t.name for t in fig.data] == ["edges (78)", "Mr. Hi", "Officer"]
    assert len(fig.data[1].x) + len(fig.data[2].x) == 34
    sizes = np.concatenate([fig.data[1].marker.size, fig.data[2].marker.size])
    assert sizes.min() == pytest.approx(5) and sizes.max() == pytest.approx(18)
    assert fig.layout.legend.title.text == "club"
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.xaxis.visible is False
    assert fig.layout.title.text == "Zachary's Karate Club"


def test_network_numeric_colour_from_a_mapping(karate):
    values = pd.Series({v: v / 33 for v in karate}, name="opinion")
    fig = sk.plot.network(karate, color=values)
    nodes = fig.data[1]
    assert nodes.marker.colorscale is not None and nodes.marker.colorbar.title.text == "opinion"
    assert not fig.data[0].showlegend and not nodes.showlegend
    assert fig.layout.legend.title.text is None


def test_network_colour_from_a_run(karate):
    run = sk.dynamics.deffuant(karate, [v / 33 for v in karate], steps=3, seed=0)
    fig = sk.plot.network(karate, color=run.final())
    assert fig.data[1].marker.colorbar.title.text == "opinion"


def test_network_layouts_are_seeded(karate):
    a = sk.plot.network(karate, seed=3)
    b = sk.plot.network(karate, seed=3)
    c = sk.plot.network(karate, seed=4)
    assert np.allclose(a.data[1].x, b.data[1].x) and not np.allclose(a.data[1].x, c.data[1].x)
    for kind in ("kamada_kawai", "circular", "spectral", "shell", "random"):
        assert len(sk.plot.network(karate, layout=kind).data[1].x) == 34
    pos = nx.circular_layout(karate)
    assert np.allclose(sk.plot.network(karate, layout=pos).data[1].x, [pos[v][0] for v in karate])
    assert len(sk.plot.network(karate, layout=nx.shell_layout).data[1].x) == 34


def test_spring_layout_separates_communities():
    G = nx.disjoint_union(nx.complete_graph(20), nx.complete_graph(20))
    G.add_edge(0, 20)
    pos = sk.plot.layout(G, seed=0)
    a = np.array([pos[v] for v in range(20)])
    b = np.array([pos[v] for v in range(20, 40)])
    within = np.linalg.norm(a - a.mean(0), axis=1).mean()
    assert np.linalg.norm(a.mean(0) - b.mean(0)) > 3 * within
    assert max(np.abs(p).max() for p in pos.values()) == pytest.approx(1)
    assert sk.plot.layout(nx.empty_graph(1))[0].tolist() == [0, 0]
    assert sk.plot.layout(nx.empty_graph(0)) == {}


@pytest.mark.parametrize("how, phrase", [("core", "core"), ("random", "at random"),
                                         ("bfs", "breadth-first")])
def test_large_graphs_are_sampled_and_say_so(how, phrase):
    G = sk.network.barabasi_albert(3000, 3, seed=0)
    fig = sk.plot.network(G, max_nodes=500, sample=how)
    drawn = sum(len(t.x) for t in fig.data[1:])
    assert drawn <= 500 and "sampled view" in fig.layout.title.text
    assert phrase in fig.layout.title.text


def test_sample_view_prefers_a_core_that_fits():
    G = nx.barabasi_albert_graph(400, 1, seed=0)  # a tree: its 1-core is everything
    G = nx.compose(G, nx.relabel_nodes(nx.complete_graph(60), lambda v: v + 1000))
    G.add_edge(0, 1000)
    H, note = sk.plot.sample_view(G, 100)
    assert set(H) == set(range(1000, 1060)) and note.startswith("sampled view: the 2-core")
    same, none = sk.plot.sample_view(G, 10_000)
    assert same is G and none is None


def test_network_bad_inputs(karate):
    with pytest.raises(TypeError, match="networkx graph"):
        sk.plot.network("G")
    with pytest.raises(ValueError, match="no node has this attribute"):
        sk.plot.network(karate, color="nope")
    with pytest.raises(TypeError, match="attribute name"):
        sk.plot.network(karate, color=3)
    with pytest.raises(ValueError, match="ids differ"):
        sk.plot.network(karate, color={"x": 1})
    with pytest.raises(ValueError, match="numbers"):
        sk.plot.network(karate, size="club")
    many = karate.copy()
    nx.set_node_attributes(many, {v: f"c{v}" for v in many}, "label")
    with pytest.raises(ValueError, match="at most 8"):
        sk.plot.network(many, color="label")
    with pytest.raises(ValueError, match="lack"):
        sk.plot.network(karate, layout={0: (0, 0)})
    with pytest.raises(ValueError, match="unknown layout"):
        sk.plot.network(karate, layout="hairball")
    with pytest.raises(ValueError, match="max_nodes"):
        sk.plot.network(karate, max_nodes=0)
    with pytest.raises(ValueError, match="how must be"):
        sk.plot.sample_view(karate, 10, how="snowflake")
    with pytest.raises(ValueError, match="iterations"):
        sk.plot.layout(karate, iterations=0)
    with pytest.raises(TypeError, match="networkx graph"):
        sk.plot.layout([1, 2])


def test_directed_network_is_drawn():
    G = nx.gnp_random_graph(50, 0.1, seed=1, directed=True)
    assert len(sk.plot.network(G).data[1].x) == 50


def test_degree_ccdf_and_binned_density():
    G = sk.network.barabasi_albert(2000, 2, seed=0)
    fig = sk.plot.degree_distribution(G)
    y = np.asarray(fig.data[0].y)
    assert y[0] == 1 and np.all(np.diff(y) < 0) and fig.layout.yaxis.type == "log"
    deg = np.array([d for _, d in G.degree()])
    k = np.asarray(fig.data[0].x)
    assert y[5] == pytest.approx((deg >= k[5]).mean())
    assert fig.layout.showlegend is False
    binned = sk.plot.degree_distribution(G, kind="binned")
    assert binned.layout.xaxis.type == "log" and binned.layout.yaxis.title.text == "density P(k)"
    ticks = fig.layout.xaxis.ticktext
    assert ticks[:3] == ("2", "5", "10") and all(t.replace(",", "").isdigit() for t in ticks)


def test_degree_distribution_of_several_and_directed_graphs():
    fig = sk.plot.degree_distribution({"a": nx.path_graph(10), "b": nx.star_graph(9)})
    assert [t.name for t in fig.data] == ["a", "b"] and fig.layout.showlegend
    D = nx.gnp_random_graph(100, 0.05, seed=0, directed=True)
    assert [t.name for t in sk.plot.degree_distribution(D).data] == ["graph, in-degree",
                                                                     "graph, out-degree"]
    assert len(sk.plot.degree_distribution(D, direction="total").data) == 1


def test_degree_distribution_bad_inputs():
    with pytest.raises(ValueError, match="kind"):
        sk.plot.degree_distribution(nx.path_graph(3), kind="pdf")
    with pytest.raises(ValueError, match="direction"):
        sk.plot.degree_distribution(nx.path_graph(3), direction="up")
    with pytest.raises(ValueError, match="empty"):
        sk.plot.degree_distribution({})
    with pytest.raises(ValueError, match="no nodes"):
        sk.plot.degree_distribution(nx.Graph())
    with pytest.raises(ValueError, match="degree 0"):
        sk.plot.degree_distribution(nx.empty_graph(5))
    with pytest.raises(TypeError, match="networkx graph"):
        sk.plot.degree_distribution({"x": [1]})


def test_network_legend_keeps_the_population_category_order():
    pop = sk.Population.from_survey(sk.datasets.load("anes1996"), codebook="anes1996")
    G = sk.network.homophilous(pop, on="PID", mean_degree=6, homophily=0.5, seed=1)
    order = ["Strong Democrat", "Weak Democrat", "Independent-Democrat",
             "Independent-Independent", "Independent-Republican", "Weak Republican",
             "Strong Republican"]
    assert G.graph["categories"]["PID"] == order
    names = [t.name for t in sk.plot.network(G, color="PID", max_nodes=300).data[1:]]
    assert names == [c for c in order if c in names] and len(names) >= 5
