import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import socialkit as sk

net = sk.network


def _sbm():
    G = net.stochastic_block([300, 200, 100], [[0.05, 0.01, 0.0], [0.01, 0.06, 0.02],
                                              [0.0, 0.02, 0.1]], seed=3)
    G.add_node(10_000, block=1)  # an isolated member
    G.add_edge(5, 5)  # a self-loop, left out
    return G


def _simple(G):
    H = nx.Graph(G)
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    return H


def test_categorical_homophily_matches_networkx_and_definitions():
    G = _sbm()
    h = net.homophily(G, "block")
    H = _simple(G)
    assert h.assortativity == pytest.approx(nx.attribute_assortativity_coefficient(H, "block"),
                                            abs=1e-9)
    block = nx.get_node_attributes(H, "block")
    within = sum(block[u] == block[v] for u, v in H.edges())
    between = H.number_of_edges() - within
    assert h.ei_index == pytest.approx((between - within) / (between + within), abs=1e-12)
    g = h.groups.set_index("group")
    assert g["nodes"].tolist() == [300, 201, 100] and g["share"].sum() == pytest.approx(1)
    ends = {b: sum(d for v, d in H.degree() if block[v] == b) for b in (0, 1, 2)}
    assert g["tie_ends"].to_dict() == ends
    same = {b: sum(2 for u, v in H.edges() if block[u] == block[v] == b) for b in (0, 1, 2)}
    assert g["within"].to_dict() == same
    hi = np.array([same[b] / ends[b] for b in (0, 1, 2)])
    assert np.allclose(g["homophily_index"], hi)
    assert np.allclose(g["inbreeding"], (hi - g["share"]) / (1 - g["share"]))
    assert np.allclose(g["ei_index"], 1 - 2 * hi)
    assert (h.nodes, h.edges) == (601, H.number_of_edges())
    assert "E&ndash;I index" in h._repr_html_() and "assortativity" in repr(h)
    assert h.to_frame() is h.groups


def test_categorical_homophily_on_karate_and_strings():
    G = nx.karate_club_graph()
    h = net.homophily(G, "club")
    assert h.assortativity == pytest.approx(nx.attribute_assortativity_coefficient(G, "club"),
                                            abs=1e-9)
    assert h.groups["group"].tolist() == ["Mr. Hi", "Officer"]


def test_numeric_homophily_matches_networkx():
    G = net.barabasi_albert(500, 3, seed=1)
    rng = np.random.default_rng(0)
    nx.set_node_attributes(G, {v: int(rng.integers(0, 5)) + (v % 7 == 0) * 3 for v in G}, "x")
    h = net.homophily(G, "x", kind="numeric")
    assert h.assortativity == pytest.approx(nx.numeric_assortativity_coefficient(G, "x"),
                                            abs=1e-9)
    assert h.groups is None and np.isnan(h.ei_index)
    assert list(h.to_frame().columns) == ["attribute", "assortativity"]
    deg = dict(G.degree())
    nx.set_node_attributes(G, deg, "deg")
    assert net.homophily(G, "deg", kind="numeric").assortativity == pytest.approx(
        nx.degree_assortativity_coefficient(G), abs=1e-9)


def test_single_group_and_constant_values_give_nan():
    G = nx.path_graph(4)
    nx.set_node_attributes(G, "same", "g")
    h = net.homophily(G, "g")
    assert np.isnan(h.assortativity) and np.isnan(h.groups["inbreeding"].iloc[0])
    assert h.ei_index == -1.0
    nx.set_node_attributes(G, 2.0, "v")
    assert np.isnan(net.homophily(G, "v", kind="numeric").assortativity)


def test_homophily_bad_input():
    G = nx.path_graph(5)
    nx.set_node_attributes(G, {0: "a", 1: "b", 2: float("nan")}, "g")
    with pytest.raises(ValueError, match=r"homophily: node attribute 'g' is missing or NaN on "
                                         r"3 of 5 nodes, e.g. \[2, 3, 4\]"):
        net.homophily(G, "g")
    with pytest.raises(ValueError, match="'nope' is on no node"):
        net.homophily(G, "nope")
    nx.set_node_attributes(G, "x", "s")
    with pytest.raises(TypeError, match="'s' is not numeric"):
        net.homophily(G, "s", kind="numeric")
    nx.set_node_attributes(G, True, "b")
    with pytest.raises(TypeError, match="'b' is not numeric"):
        net.homophily(G, "b", kind="numeric")
    with pytest.raises(ValueError, match="kind='ordinal'"):
        net.homophily(G, "g", kind="ordinal")
    E = nx.empty_graph(3)
    nx.set_node_attributes(E, "a", "g")
    with pytest.raises(ValueError, match="no edges"):
        net.homophily(E, "g")
    nx.set_node_attributes(G, {v: [v] for v in G}, "lst")
    with pytest.raises(TypeError, match="unhashable"):
        net.homophily(G, "lst")


def test_polarization_statistics():
    x = np.array([0.0] * 30 + [0.5] * 10 + [1.0] * 60)
    p = net.polarization(x)
    assert p.n == 100 and p.mean == pytest.approx(0.65) and p.variance == pytest.approx(x.var())
    g, k = stats.skew(x, bias=False), stats.kurtosis(x, bias=False)
    assert p.bimodality == pytest.approx((g * g + 1) / (k + 3 * 99 ** 2 / (98 * 97)))
    pi, y = np.array([0.3, 0.1, 0.6]), np.array([0.0, 0.5, 1.0])
    er = sum(pi[i] ** 2 * pi[j] * abs(y[i] - y[j]) for i in range(3) for j in range(3))
    assert (p.esteban_ray, p.er_groups) == (pytest.approx(er), 3)
    assert p.assortativity is None and p.neighbor_correlation is None
    er16 = sum(pi[i] ** 2.6 * pi[j] * abs(y[i] - y[j]) for i in range(3) for j in range(3))
    assert net.polarization(x, alpha=1.6).esteban_ray == pytest.approx(er16)
    assert "esteban_ray" in p.to_frame().index and "Polarization" in p._repr_html_()
    short = net.polarization([1, 2, 3])
    assert np.isnan(short.bimodality) and np.isnan(net.polarization([2.0] * 9).bimodality)


def test_esteban_ray_grouping():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(-1, 0.1, 500), rng.normal(1, 0.1, 500)])
    auto, groups = net.esteban_ray(x)
    assert groups <= 10 and auto == pytest.approx(net.esteban_ray(x, bins=10)[0])
    assert net.esteban_ray(x, bins=2)[0] == pytest.approx(0.25 * (x.max() - x.min()) / 2,
                                                          rel=0.05)
    assert net.esteban_ray(x, bins=None)[1] == 1000
    assert net.esteban_ray([1, 1, 1]) == (0.0, 1)
    with pytest.raises(ValueError, match="bins must be"):
        net.esteban_ray(x, bins=0)
    with pytest.raises(ValueError, match="parameter 'alpha' = 2"):
        net.esteban_ray(x, alpha=2)


def test_polarization_on_a_graph():
    G = net.stochastic_block([200, 200], [[0.05, 0.005], [0.005, 0.05]], seed=2)
    G.add_node(999, block=0)  # isolated node: no neighbourhood, left out of the correlation
    opinion = {v: (1.0 if G.nodes[v]["block"] else -1.0) + 0.1 * (v % 5) for v in G}
    nx.set_node_attributes(G, opinion, "opinion")
    p = net.polarization(G, "opinion")
    assert p.assortativity == pytest.approx(
        nx.numeric_assortativity_coefficient(G, "opinion"), abs=1e-9)
    means = {v: np.mean([opinion[u] for u in G[v]]) for v in G if G.degree(v)}
    own = [opinion[v] for v in means]
    assert p.neighbor_correlation == pytest.approx(np.corrcoef(own, list(means.values()))[0, 1])
    assert p.neighbor_correlation > 0.8
    nodes = list(G)
    as_series = net.polarization(G, pd.Series(opinion).sample(frac=1, random_state=0))
    as_array = net.polarization(G, [opinion[v] for v in nodes])
    as_dict = net.polarization(G, opinion)
    assert as_series == as_array == as_dict == p


def test_polarization_bad_input():
    G = nx.path_graph(4)
    with pytest.raises(ValueError, match="needs G"):
        net.polarization("opinion")
    with pytest.raises(ValueError, match="3 values for 4 nodes"):
        net.polarization(G, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"2 of 4 nodes have no value in 'op', e.g. \[2, 3\]"):
        net.polarization(G, pd.Series({0: 0.1, 1: 0.2}, name="op"))
    with pytest.raises(ValueError, match="missing or NaN on 1 of 3"):
        net.polarization([0.1, np.nan, 0.3])
    with pytest.raises(TypeError, match="not numeric"):
        net.polarization(["left", "right"])
    with pytest.raises(ValueError, match="no values"):
        net.polarization([])
    with pytest.raises(ValueError, match="one-dimensional"):
        net.polarization(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="values must be"):
        net.polarization(3.0)
    with pytest.raises(ValueError, match="no edges"):
        net.polarization(nx.empty_graph(2), [1.0, 2.0])
    with pytest.raises(ValueError, match="G is directed"):
        net.polarization(nx.DiGraph([(0, 1)]), [1.0, 2.0])
    nx.set_node_attributes(G, {0: 1.0}, "op")
    with pytest.raises(ValueError, match="'op' is missing or NaN on 3 of 4 nodes"):
        net.polarization(G, "op")


def test_polarization_old_argument_order_warns_and_agrees():
    G = nx.path_graph(4)
    x = [0.0, 0.1, 0.9, 1.0]
    with pytest.warns(DeprecationWarning, match=r"pass the graph first, polarization\(G, values\)"):
        old = net.polarization(x, G)
    assert old == net.polarization(G, x)
    with pytest.raises(TypeError, match="G must be a networkx graph or None, got str"):
        net.polarization("G", [1.0, 2.0])
    with pytest.raises(TypeError, match="values are missing"):
        net.polarization(G)


def _facebook100_like():
    # two dorms and 10 students whose dorm is not recorded (code 0, as in Facebook100); the
    # unrecorded students are all friends with each other, which inflates assortativity
    G = nx.Graph()
    dorm = {i: 1 + (i % 2) for i in range(20)} | {i: 0 for i in range(20, 30)}
    G.add_nodes_from((v, {"dorm": d, "year": float(d)}) for v, d in dorm.items())
    G.add_edges_from((u, v) for u in range(20) for v in range(u + 1, 20) if (u + v) % 3 == 0)
    G.add_edges_from((u, v) for u in range(20, 30) for v in range(u + 1, 30))
    G.add_edges_from((u, u - 20) for u in range(20, 30))
    return G


def test_missing_codes_are_left_out_and_change_the_answer():
    G = _facebook100_like()
    with_code = net.homophily(G, "dorm")
    without = net.homophily(G, "dorm", missing=0)
    assert with_code.assortativity > 0.3 and without.assortativity < 0.1
    assert (without.nodes, without.excluded) == (20, 10) and with_code.excluded == 0
    assert 0 not in set(without.groups["group"])
    sub = G.subgraph(range(20))
    assert without.assortativity == pytest.approx(
        nx.attribute_assortativity_coefficient(sub, "dorm"))
    assert net.homophily(G, "dorm", missing=[0, 99]).assortativity == without.assortativity
    num = net.homophily(G, "year", kind="numeric", missing=0.0)
    assert num.assortativity == pytest.approx(
        nx.numeric_assortativity_coefficient(sub, "year"))
    pol = net.polarization(G, "year", missing=0)
    assert pol.excluded == 10 and pol.n == 20 and pol.mean == pytest.approx(1.5)
    assert net.polarization(G, "year").mean < 1.5  # the code 0 counted as an opinion
    assert net.polarization([1.0, -9, 2.0, None], missing=-9).n == 2


def test_missing_codes_bad_input():
    G = _facebook100_like()
    with pytest.raises(ValueError, match="'dorm' is on no node once the missing codes "
                                         r"\[0, 1, 2\] are left out"):
        net.homophily(G, "dorm", missing=[0, 1, 2])
    with pytest.raises(TypeError, match="missing= takes a value or a list"):
        net.homophily(G, "dorm", missing=[[0]])
    H = nx.Graph([(0, 1), (1, 2)])
    nx.set_node_attributes(H, {0: "a", 1: 0, 2: "b"}, "g")
    with pytest.raises(ValueError, match="no edge joins two nodes with a value of 'g'"):
        net.homophily(H, "g", missing=0)
