"""The network statistics on real data: networkx on the same graphs (1e-9) and published figures."""

import networkx as nx
import numpy as np
import pytest

import socialkit as sk

net = sk.network


@pytest.fixture(scope="module")
def facebook():
    return sk.datasets.load("ego_facebook")


def _undirected_simple(D):
    U = nx.Graph(D.to_undirected())
    U.remove_edges_from(list(nx.selfloop_edges(U)))
    return U


def test_ego_facebook_summary(facebook):
    s = net.summary(facebook)
    # SNAP: 4,039 nodes, 88,234 edges, average clustering 0.6055
    assert (s.nodes, s.edges, s.components, s.self_loops) == (4039, 88234, 1, 0)
    assert s.degree_mean == pytest.approx(43.691, abs=5e-4)
    assert s.average_clustering == pytest.approx(0.60555, abs=5e-6)
    assert s.transitivity == pytest.approx(0.51917, abs=5e-6)
    assert s.average_clustering == pytest.approx(nx.average_clustering(facebook), abs=1e-9)
    assert s.transitivity == pytest.approx(nx.transitivity(facebook), abs=1e-9)
    assert s.degree_assortativity == pytest.approx(
        nx.degree_assortativity_coefficient(facebook), abs=1e-9)
    assert s.density == pytest.approx(nx.density(facebook), abs=1e-12)
    assert (s.degree_median, s.degree_max) == (25.0, 1045)


def test_ego_facebook_friendship_paradox(facebook):
    fp = net.friendship_paradox(facebook, ci=0.95, n_boot=200, seed=1)
    assert fp.mean_degree == pytest.approx(43.691, abs=5e-4)
    assert fp.mean_neighbor_degree == pytest.approx(106.570, abs=5e-4)
    assert fp.mean_local_neighbor_degree == pytest.approx(105.552, abs=5e-4)
    assert fp.paradox_share == pytest.approx(0.8747, abs=5e-5)
    lo, hi = fp.ci["paradox_share"]
    assert 0.85 < lo < 0.8747 < hi < 0.90
    ref = nx.average_neighbor_degree(facebook)
    per_node = net.neighbor_means(facebook).set_index("node")["neighbor_mean"]
    assert np.abs(per_node - per_node.index.map(ref)).max() < 1e-9


def test_ego_facebook_degree_distribution(facebook):
    dd = net.degree_distribution(facebook)
    hist = nx.degree_histogram(facebook)
    assert dd.set_index("degree")["count"].to_dict() == {k: c for k, c in enumerate(hist) if c}
    assert net.degree_distribution(facebook, log_bins=True)["count"].sum() == 4039


def test_polblogs_party_homophily():
    P = sk.datasets.load("polblogs")
    with pytest.raises(ValueError, match="homophily: G is directed"):
        net.homophily(P, "pol")
    h = net.homophily(P, "pol", directed="symmetrize")
    U = _undirected_simple(P)
    assert (h.nodes, h.edges, U.number_of_edges()) == (1490, 16715, 16715)
    assert h.assortativity == pytest.approx(0.8114, abs=5e-5)
    assert h.assortativity == pytest.approx(nx.attribute_assortativity_coefficient(U, "pol"),
                                            abs=1e-9)
    assert h.symmetrized and set(h.groups["group"]) == {"left", "right"}
    assert (h.groups["inbreeding"] > 0.75).all() and h.ei_index < -0.8
    s = net.summary(P, directed="symmetrize")
    assert (s.nodes, s.edges, s.isolated) == (1490, 16715, 266)
    assert s.average_clustering == pytest.approx(nx.average_clustering(U), abs=1e-9)
    assert s.self_loops == P.graph["self_loops"] == 3


def test_email_eu_core_department_homophily():
    E = sk.datasets.load("email_eu_core")
    h = net.homophily(E, "department", directed="symmetrize")
    U = _undirected_simple(E)
    assert h.edges == U.number_of_edges() == 16064
    assert h.assortativity == pytest.approx(0.3024, abs=5e-5)
    assert h.assortativity == pytest.approx(
        nx.attribute_assortativity_coefficient(U, "department"), abs=1e-9)
    assert len(h.groups) == 42
