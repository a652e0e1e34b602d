import networkx as nx
import numpy as np
import pytest

import socialkit as sk


def test_barabasi_albert_structure_and_seed():
    G = sk.network.barabasi_albert(2000, 3, seed=4)
    assert G.number_of_nodes() == 2000
    assert G.number_of_edges() == 3 + (2000 - 4) * 3
    assert nx.number_of_selfloops(G) == 0 and nx.is_connected(G)
    H = sk.network.barabasi_albert(2000, 3, seed=4)
    assert sorted(G.edges()) == sorted(H.edges())
    K = sk.network.barabasi_albert(2000, 3, seed=5)
    assert sorted(G.edges()) != sorted(K.edges())
    degrees = np.array([d for _, d in G.degree()])
    assert degrees.min() >= 3 and degrees.max() > 40  # heavy tail from preferential attachment


def test_barabasi_albert_bad_input():
    with pytest.raises(ValueError, match="need n > m"):
        sk.network.barabasi_albert(3, 3)
    with pytest.raises(ValueError, match="parameter 'm' = 0"):
        sk.network.barabasi_albert(10, 0)
    with pytest.raises(TypeError, match="socialkit.Population"):
        sk.network.barabasi_albert(population=[1, 2])


def test_friendship_paradox_matches_networkx_and_snap():
    G = sk.datasets.load("ego_facebook")
    fp = sk.network.friendship_paradox(G)
    assert fp.mean_degree == pytest.approx(43.691, abs=5e-4)
    assert fp.mean_neighbor_degree == pytest.approx(106.570, abs=5e-4)
    assert fp.mean_local_neighbor_degree == pytest.approx(105.552, abs=5e-4)
    assert fp.paradox_share == pytest.approx(0.8747, abs=5e-5)
    assert "<td>0.8747</td>" in fp._repr_html_()
    nd = nx.average_neighbor_degree(G)
    assert fp.mean_local_neighbor_degree == pytest.approx(np.mean(list(nd.values())), abs=1e-9)


def test_friendship_paradox_attribute_and_isolates():
    G = nx.star_graph(3)
    G.add_node(99)
    for v, x in zip(G, [10.0, 1.0, 2.0, 3.0, 7.0], strict=True):
        G.nodes[v]["activity"] = x
    fp = sk.network.friendship_paradox(G, "activity")
    assert fp.n_isolated == 1
    # hub (10) sees mean 2; leaves see 10 -> 3 of 4 connected nodes in paradox
    assert fp.paradox_share == 0.75
    assert fp.mean_neighbor_value == pytest.approx((3 * 10 + 1 + 2 + 3) / 6)
    per_node = sk.network.neighbor_means(G, "activity")
    assert np.isnan(per_node.set_index("node").loc[99, "neighbor_mean"])


def test_friendship_paradox_bad_input():
    with pytest.raises(ValueError, match="no nodes"):
        sk.network.friendship_paradox(nx.Graph())
    with pytest.raises(ValueError, match="no edges"):
        sk.network.friendship_paradox(nx.empty_graph(3))
    G = nx.path_graph(4)
    G.nodes[0]["x"] = 1.0
    with pytest.raises(ValueError, match=r"'x' is missing or NaN on 3 of 4 nodes"):
        sk.network.friendship_paradox(G, "x")
    nx.set_node_attributes(G, "high", "label")
    with pytest.raises(TypeError, match="'label' is not numeric"):
        sk.network.friendship_paradox(G, "label")
    with pytest.raises(TypeError, match="networkx graph"):
        sk.network.friendship_paradox([(0, 1)])


def test_to_csr_directed_and_weights():
    D = nx.DiGraph([(0, 1), (1, 2)])
    A, nodes = sk.network.to_csr(D)
    assert A.toarray().tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    S, _ = sk.network.to_csr(D, symmetric=True)
    assert (S.toarray() == S.toarray().T).all()
    W = nx.Graph()
    W.add_edge("a", "b", w=2.5)
    A, nodes = sk.network.to_csr(W, weight="w")
    assert A.toarray().tolist() == [[0, 2.5], [2.5, 0]] and nodes.tolist() == ["a", "b"]
