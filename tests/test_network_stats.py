import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk

net = sk.network


def _nx_summary(G):
    H = nx.Graph(G)
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    comps = list(nx.connected_components(H))
    return {"nodes": H.number_of_nodes(), "edges": H.number_of_edges(),
            "density": nx.density(H), "average_clustering": nx.average_clustering(H),
            "transitivity": nx.transitivity(H),
            "degree_assortativity": nx.degree_assortativity_coefficient(H),
            "components": len(comps),
            "giant_component_share": max(map(len, comps)) / H.number_of_nodes()}


def _messy_graph():
    G = net.powerlaw_cluster(400, 3, 0.7, seed=1)
    G.add_edges_from([(1000, 1001), (1001, 1002), (1002, 1000), (5, 5), (7, 7)])
    G.add_nodes_from([2000, 2001])  # isolated
    return G


@pytest.mark.parametrize("make", [
    lambda: net.barabasi_albert(800, 4, seed=1),
    lambda: net.watts_strogatz(600, 8, 0.1, seed=1),
    lambda: net.erdos_renyi(600, mean_degree=3, seed=1),
    _messy_graph,
    nx.karate_club_graph,
    lambda: nx.relabel_nodes(nx.les_miserables_graph(), str),
])
def test_summary_matches_networkx(make):
    G = make()
    s = net.summary(G)
    ref = _nx_summary(G)
    for key, value in ref.items():
        assert getattr(s, key) == pytest.approx(value, abs=1e-9), key
    degrees = np.array([d for _, d in nx.Graph(G).degree()])
    assert s.self_loops == nx.number_of_selfloops(G)
    assert s.isolated == nx.number_of_isolates(G)
    if not s.self_loops:
        assert s.degree_mean == pytest.approx(degrees.mean(), abs=1e-12)
        assert s.degree_median == np.median(degrees) and s.degree_max == degrees.max()


def test_summary_tuple_nodes_result_views():
    s = net.summary(nx.grid_2d_graph(5, 6))
    assert (s.nodes, s.edges, s.transitivity) == (30, 49, 0.0)
    frame = s.to_frame()
    assert frame.loc["edges", "value"] == 49
    assert "Network summary" in s._repr_html_() and "49" in s._repr_html_()
    assert "30 nodes" in repr(s)


def test_summary_edge_cases():
    with pytest.raises(ValueError, match="summary: the graph has no nodes"):
        net.summary(nx.Graph())
    s = net.summary(nx.empty_graph(4))
    assert (s.edges, s.isolated, s.components, s.average_clustering) == (0, 4, 4, 0.0)
    assert np.isnan(s.degree_assortativity)
    assert np.isnan(net.summary(nx.cycle_graph(5)).degree_assortativity)  # all degrees equal
    assert net.summary(nx.Graph([(0, 0)])).self_loops == 1


def test_directed_and_multigraph_policy():
    D = nx.DiGraph([(0, 1), (1, 0), (1, 2), (2, 3), (3, 1), (3, 3)])
    for fn in (net.summary, net.friendship_paradox, net.degree_distribution,
               lambda G, **kw: net.homophily(G, "x", **kw)):
        with pytest.raises(ValueError, match=r"G is directed \(DiGraph with 6 arcs\)"):
            fn(D)
    s = net.summary(D, directed="symmetrize")
    assert s.symmetrized and s.edges == 4 and s.self_loops == 1
    U = nx.Graph(D.to_undirected())
    U.remove_edges_from(list(nx.selfloop_edges(U)))
    assert s.transitivity == pytest.approx(nx.transitivity(U), abs=1e-12)
    with pytest.raises(ValueError, match="choose one of"):
        net.summary(D, directed="yes")
    with pytest.raises(TypeError, match="collapse parallel edges"):
        net.summary(nx.MultiGraph([(0, 1), (0, 1)]))
    with pytest.raises(TypeError, match="expected a networkx graph"):
        net.summary({0: [1]})


def test_adjacency_cache_follows_mutation():
    G = nx.path_graph(4)
    assert net.summary(G).edges == 3
    assert "socialkit.adjacency" in G.__networkx_cache__
    G.add_edge(0, 3)
    assert net.summary(G).edges == 4
    G.remove_node(1)
    assert net.summary(G).nodes == 3
    view = G.subgraph([0, 2, 3])
    assert net.summary(view).edges == 2
    assert "socialkit.adjacency" not in view.__networkx_cache__
    adj = sk.network.convert.adjacency(G, "test")
    with pytest.raises(ValueError, match="read-only"):
        adj.indices[0] = 1
    A = adj.csr()
    A.sum_duplicates()
    assert (A.toarray() == nx.to_numpy_array(G, nodelist=list(adj.nodes))).all()


def test_to_csr_fast_and_general_paths_agree():
    G = nx.relabel_nodes(net.barabasi_albert(200, 2, seed=0), lambda i: f"n{i}")
    G.add_edge("n3", "n3")
    A, nodes = net.to_csr(G)
    B, _ = net.to_csr(G, nodelist=list(nodes))
    assert (A != B).nnz == 0 and A[[3], [3]].tolist() == [1]
    M = nx.MultiGraph([(0, 1), (0, 1), (1, 2)])
    assert net.to_csr(M)[0].toarray().tolist() == [[0, 2, 0], [2, 0, 1], [0, 1, 0]]
    T, tnodes = net.to_csr(nx.grid_2d_graph(2, 2))
    assert tnodes.tolist() == [(0, 0), (0, 1), (1, 0), (1, 1)] and T.sum() == 8
    D = nx.DiGraph([(0, 1), (2, 1)])
    assert net.to_csr(D, symmetric=True)[0].toarray().tolist() == [[0, 1, 0], [1, 0, 1],
                                                                   [0, 1, 0]]


def test_neighbor_means_match_networkx():
    G = _messy_graph()
    per_node = net.neighbor_means(G).set_index("node")
    H = nx.Graph(G)
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    ref = nx.average_neighbor_degree(H)
    for v in H:
        if H.degree(v):
            assert per_node.loc[v, "neighbor_mean"] == pytest.approx(ref[v], abs=1e-9)
        else:
            assert np.isnan(per_node.loc[v, "neighbor_mean"])


def test_friendship_paradox_bootstrap_interval():
    G = net.barabasi_albert(2000, 3, seed=1)
    plain = net.friendship_paradox(G)
    fp = net.friendship_paradox(G, ci=0.95, n_boot=300, seed=4)
    assert fp.paradox_share == plain.paradox_share and plain.ci is None and plain.n_boot == 0
    assert fp.ci_level == 0.95 and fp.n_boot == 300
    for key, (lo, hi) in fp.ci.items():
        assert lo < getattr(fp, key) < hi, key
    assert fp.ci == net.friendship_paradox(G, ci=0.95, n_boot=300, seed=4).ci
    wider = net.friendship_paradox(G, ci=0.99, n_boot=300, seed=4).ci["paradox_share"]
    assert wider[0] <= fp.ci["paradox_share"][0] and wider[1] >= fp.ci["paradox_share"][1]
    frame = fp.to_frame()
    assert list(frame.columns) == ["value", "ci_low", "ci_high"]
    assert frame.loc["paradox_share", "ci_low"] == fp.ci["paradox_share"][0]
    assert "95% bootstrap CI" in fp._repr_html_()
    with pytest.raises(ValueError, match="parameter 'ci' = 1.5"):
        net.friendship_paradox(G, ci=1.5)
    with pytest.raises(ValueError, match="parameter 'n_boot' = 5"):
        net.friendship_paradox(G, ci=0.9, n_boot=5)


def test_friendship_paradox_directed_and_isolates():
    D = nx.DiGraph([(0, 1), (0, 2), (0, 3), (1, 0)])
    D.add_node(9)
    fp = net.friendship_paradox(D, directed="symmetrize")
    assert (fp.mean_degree, fp.n_isolated, fp.paradox_share) == (6 / 5, 1, 0.75)
    fp = net.friendship_paradox(D, ci=0.9, n_boot=50, seed=0, directed="symmetrize")
    assert all(np.isfinite(v).all() for v in fp.ci.values())


def test_degree_distribution():
    G = net.barabasi_albert(3000, 2, seed=2)
    G.add_nodes_from([-1, -2])
    dd = net.degree_distribution(G)
    assert dd["count"].sum() == 3002 and dd["share"].sum() == pytest.approx(1)
    assert dd["ccdf"].iloc[0] == 1.0 and dd["degree"].iloc[0] == 0
    hist = nx.degree_histogram(G)
    assert dd.set_index("degree")["count"].to_dict() == {k: c for k, c in enumerate(hist) if c}
    lb = net.degree_distribution(G, log_bins=True, bins_per_decade=4)
    assert lb["count"].sum() == 3000 and lb.attrs["zero_degree"] == 2
    assert (lb["bin_low"] <= lb["degree"]).all() and (lb["degree"] <= lb["bin_high"]).all()
    assert (lb["bin_low"].iloc[1:].to_numpy() > lb["bin_high"].iloc[:-1].to_numpy()).all()
    assert lb["density"].iloc[0] > 10 * lb["density"].iloc[-1]
    assert list(lb.columns) == ["bin_low", "bin_high", "degree", "count", "share", "density"]
    empty = net.degree_distribution(nx.empty_graph(3), log_bins=True)
    assert empty.empty and empty.attrs["zero_degree"] == 3


def test_degree_distribution_directed_options():
    D = nx.DiGraph([(0, 1), (0, 2), (1, 2), (2, 2)])
    ins = net.degree_distribution(D, directed="in")
    assert ins.set_index("degree")["count"].to_dict() == {0: 1, 1: 1, 2: 1}
    outs = net.degree_distribution(D, directed="out")
    assert outs.set_index("degree")["count"].to_dict() == {0: 1, 1: 1, 2: 1}
    sym = net.degree_distribution(D, directed="symmetrize")
    assert sym.set_index("degree")["count"].to_dict() == {2: 3}
    with pytest.raises(ValueError, match="needs a directed graph"):
        net.degree_distribution(nx.path_graph(3), directed="in")
    with pytest.raises(ValueError, match="choose one of"):
        net.degree_distribution(D, directed="both")
    with pytest.raises(ValueError, match="bins_per_decade"):
        net.degree_distribution(nx.path_graph(3), log_bins=True, bins_per_decade=0)
    with pytest.raises(ValueError, match="no nodes"):
        net.degree_distribution(nx.DiGraph(), directed="out")
    assert isinstance(net.degree_distribution(nx.path_graph(3)), pd.DataFrame)


def test_friendship_paradox_missing_codes_change_the_answer():
    # a hub coded 0 ("missing", as Facebook100 codes it) would dominate every neighbour mean
    G = nx.star_graph(4)
    G.add_edges_from([(1, 2), (3, 4)])
    nx.set_node_attributes(G, {0: 0, 1: 10, 2: 2, 3: 3, 4: 4}, "year")
    naive = net.friendship_paradox(G, "year")          # 0 read as a real value
    fp = net.friendship_paradox(G, "year", missing=0)
    assert fp.n_excluded == 1 and fp.n_nodes == 4 and naive.n_excluded == 0
    # without the hub: pairs (1, 2) and (3, 4); node 2 and node 3 have richer friends
    assert fp.mean_value == pytest.approx(4.75)
    assert fp.mean_local_neighbor_value == pytest.approx(4.75)
    assert fp.paradox_share == pytest.approx(0.5)
    assert naive.paradox_share != fp.paradox_share
    table = net.neighbor_means(G, "year", missing=[0])
    assert table["node"].tolist() == [1, 2, 3, 4]
    assert table["neighbor_mean"].tolist() == [2.0, 10.0, 4.0, 3.0]
    # NaN and absent values count as missing once missing= is given
    G.nodes[1]["year"] = float("nan")
    del G.nodes[2]["year"]
    assert net.friendship_paradox(G, "year", missing=0).n_excluded == 3


def test_friendship_paradox_missing_bad_inputs():
    G = nx.path_graph(3)
    nx.set_node_attributes(G, {0: 1, 1: float("nan"), 2: 3}, "x")
    with pytest.raises(ValueError, match="'x' is missing or NaN on 1 of 3 nodes"):
        net.friendship_paradox(G, "x")
    with pytest.raises(ValueError, match="missing= applies to an attribute"):
        net.friendship_paradox(G, missing=0)
    with pytest.raises(TypeError, match="missing= takes a value or a list"):
        net.friendship_paradox(G, "x", missing=[[0]])
    with pytest.raises(ValueError, match="on no node once the missing codes"):
        net.friendship_paradox(G, "x", missing=[1, 3])
