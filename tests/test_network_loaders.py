import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.datasets import data_dir

net = sk.network

EDGES = pd.DataFrame({"source": ["a", "b", "b", "c", "a", "d"],
                      "target": ["b", "a", "c", "c", "b", "a"],
                      "w": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                      "kind": ["x", "y", "z", "q", "r", "s"]})


def test_undirected_merging_and_report():
    G = net.from_edgelist(EDGES, weight="w", edge_attributes=["kind"], multi_edges="count")
    assert type(G) is nx.Graph and list(G) == ["a", "b", "c", "d"]
    assert G.number_of_edges() == 4
    assert G.edges["a", "b"] == {"w": 8.0, "kind": "x", "count": 3}
    assert G.edges["c", "c"] == {"w": 4.0, "kind": "q", "count": 1}
    assert G.graph == {"raw_edges": 6, "self_loops": 1, "self_loops_dropped": 0,
                       "duplicate_edges": 2}


def test_directed_keeps_reciprocal_arcs_and_drops_loops():
    D = net.from_edgelist(EDGES, directed=True, self_loops="drop")
    assert type(D) is nx.DiGraph and D.has_edge("a", "b") and D.has_edge("b", "a")
    assert D.number_of_edges() == 4 and not D.has_edge("c", "c") and "c" in D
    assert (D.graph["duplicate_edges"], D.graph["self_loops_dropped"]) == (1, 1)
    assert D.edges["a", "b"] == {}


def test_error_on_duplicates():
    with pytest.raises(ValueError, match=r"2 duplicate edge rows .* pairs \[\('a', 'b'\)\]"):
        net.from_edgelist(EDGES, multi_edges="error")
    ok = net.from_edgelist(EDGES.iloc[[0, 2]], multi_edges="error")
    assert ok.number_of_edges() == 2


def test_files_csv_tsv_parquet_and_snap_text(tmp_path):
    EDGES.to_csv(tmp_path / "e.csv", index=False)
    EDGES.to_csv(tmp_path / "e.tsv", sep="\t", index=False)
    EDGES.to_parquet(tmp_path / "e.parquet")
    graphs = [net.from_edgelist(tmp_path / f"e.{ext}") for ext in ("csv", "tsv", "parquet")]
    assert all(sorted(map(sorted, g.edges())) == sorted(map(sorted, graphs[0].edges()))
               for g in graphs)
    assert graphs[0].graph["source"].endswith("e.csv")
    (tmp_path / "snap.txt").write_text("# a comment\n1 2\n2 3\n3 1\n1 2\n")
    S = net.from_edgelist(str(tmp_path / "snap.txt"))
    assert list(S) == [1, 2, 3] and S.graph["duplicate_edges"] == 1
    with pytest.raises(FileNotFoundError, match="no file"):
        net.from_edgelist(tmp_path / "missing.csv")


def test_node_attributes(tmp_path):
    nodes = pd.DataFrame({"id": ["a", "b", "z"], "age": [30, np.nan, 50], "party": ["L", "R", "L"]})
    G = net.from_edgelist(EDGES, node_attributes=nodes)
    assert G.nodes["a"] == {"age": 30, "party": "L"} and G.nodes["b"] == {"party": "R"}
    assert G.degree("z") == 0
    assert (G.graph["isolated_nodes_added"], G.graph["nodes_without_attributes"]) == (1, 2)
    byindex = net.from_edgelist(EDGES, node_attributes=nodes.set_index("id"))
    assert dict(byindex.nodes(data=True)) == dict(G.nodes(data=True))
    as_dict = net.from_edgelist(EDGES, node_attributes={"a": {"age": 1}})
    assert as_dict.nodes["a"] == {"age": 1} and as_dict.graph["nodes_without_attributes"] == 3
    nodes.to_csv(tmp_path / "n.csv", index=False)
    from_file = net.from_edgelist(EDGES, node_attributes=tmp_path / "n.csv")
    assert from_file.nodes["z"] == {"age": 50.0, "party": "L"}
    ints = net.from_edgelist(pd.DataFrame({"source": [1.0, 2.0], "target": [2.0, 3.0]}),
                             node_attributes=pd.DataFrame({"id": [1, 2, 3], "x": [7, 8, 9]}))
    assert list(ints) == [1, 2, 3] and ints.nodes[3] == {"x": 9}


def test_bad_input():
    with pytest.raises(ValueError, match=r"source column 'from' not in the edge list"):
        net.from_edgelist(EDGES, source="from", target="target")
    with pytest.raises(ValueError, match="source column None"):
        net.from_edgelist(pd.DataFrame({"only": [1]}))
    bad = EDGES.copy()
    bad.loc[[1, 3], "target"] = None
    with pytest.raises(ValueError, match=r"2 of 6 rows have no source or target, e.g. rows \[1, 3\]"):
        net.from_edgelist(bad)
    with pytest.raises(ValueError, match="self_loops='remove'"):
        net.from_edgelist(EDGES, self_loops="remove")
    with pytest.raises(ValueError, match="multi_edges='sum'"):
        net.from_edgelist(EDGES, multi_edges="sum")
    with pytest.raises(TypeError, match="DataFrame or a file path"):
        net.from_edgelist([("a", "b")])
    with pytest.raises(TypeError, match="weight column 'kind' is not numeric"):
        net.from_edgelist(EDGES, weight="kind")
    with pytest.raises(ValueError, match="column 'nope' not in the edge list"):
        net.from_edgelist(EDGES, edge_attributes=["nope"])
    nan_w = EDGES.assign(w=[1.0, np.nan, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="'w' is NaN in 1 rows"):
        net.from_edgelist(nan_w, weight="w")
    dup = pd.DataFrame({"id": ["a", "a"], "x": [1, 2]})
    with pytest.raises(ValueError, match="repeats ids"):
        net.from_edgelist(EDGES, node_attributes=dup)
    with pytest.raises(ValueError, match="1 rows without an id"):
        net.from_edgelist(EDGES, node_attributes=pd.DataFrame({"id": ["a", None]}))
    with pytest.raises(TypeError, match="node_attributes must be"):
        net.from_edgelist(EDGES, node_attributes=[1, 2])


def test_snap_email_file_matches_the_dataset_loader():
    path = data_dir() / "networks" / "email_eu_core" / "email-Eu-core.txt"
    G = net.from_edgelist(path, self_loops="drop")
    ref = sk.datasets.load("email_eu_core")
    assert G.graph["self_loops"] == ref.graph["self_loops"] == 642
    assert G.number_of_edges() == 16064
    D = net.from_edgelist(path, directed=True)
    assert D.number_of_edges() == ref.number_of_edges()


# ---- one reader for every file kind (issue 13) ---------------------------------------------
def test_read_dispatches_by_suffix(tmp_path):
    G = nx.karate_club_graph()
    nx.write_gml(G, tmp_path / "karate.gml")
    nx.write_graphml(G, tmp_path / "karate.graphml")
    nx.write_gml(G, tmp_path / "karate.gml.gz")
    pd.DataFrame(list(G.edges()), columns=["source", "target"]).to_csv(tmp_path / "k.csv",
                                                                      index=False)
    for name in ("karate.gml", "karate.graphml", "karate.gml.gz", "k.csv"):
        H = sk.network.read(tmp_path / name)
        assert (H.number_of_nodes(), H.number_of_edges()) == (34, 78), name
        assert H.graph["source"].endswith(name) and H.graph["duplicate_edges"] == 0
    assert sk.network.read(tmp_path / "karate.gml").nodes["0"]["club"] == "Mr. Hi"
    assert sk.network.read(tmp_path / "k.csv", directed=True).is_directed()


def test_read_collapses_multigraphs_and_counts_it(tmp_path):
    M = nx.MultiGraph([(0, 1), (0, 1), (1, 2), (2, 2)])
    nx.write_gml(M, tmp_path / "multi.gml")
    G = sk.network.read(tmp_path / "multi.gml")
    assert not G.is_multigraph() and G.number_of_edges() == 3
    assert (G.graph["duplicate_edges"], G.graph["self_loops"]) == (1, 1)
    D = nx.DiGraph([(0, 1)])
    nx.write_graphml(D, tmp_path / "d.graphml")
    assert not sk.network.read(tmp_path / "d.graphml", directed=False).is_directed()


@pytest.mark.parametrize(("content", "name", "error", "message"), [
    (None, "nope.gml", FileNotFoundError, "no file at"),
    ("graph [ node [ id 0 ", "broken.gml", ValueError, "could not be read as GML"),
    ("<?xml version='1.0'?><graphml><graph", "broken.graphml", ValueError,
     "could not be read as GRAPHML"),
])
def test_read_bad_files(tmp_path, content, name, error, message):
    if content is not None:
        (tmp_path / name).write_text(content)
    with pytest.raises(error, match=message):
        sk.network.read(tmp_path / name)


def test_read_bad_arguments(tmp_path):
    nx.write_gml(nx.path_graph(3), tmp_path / "p.gml")
    with pytest.raises(TypeError, match="options \\['weight'\\] apply to edge lists only"):
        sk.network.read(tmp_path / "p.gml", weight="w")
    with pytest.raises(ValueError, match="holds an undirected graph but directed=True"):
        sk.network.read(tmp_path / "p.gml", directed=True)
    with pytest.raises(ValueError, match="is a folder"):
        sk.network.read(tmp_path)
    with pytest.raises(TypeError, match="must be a file path"):
        sk.network.read(nx.path_graph(3))


@pytest.mark.parametrize("name", ["graph.gml", "graph.txt"])
def test_from_edgelist_points_gml_files_to_read(tmp_path, name):
    nx.write_gml(nx.path_graph(3), tmp_path / name)
    with pytest.raises(ValueError, match=r"is a GML file, not an edge list; read it with "
                                         r"socialkit.network.read"):
        sk.network.from_edgelist(tmp_path / name)


def test_empty_graphs_raise_the_same_error_everywhere():
    G = nx.Graph()
    calls = {"summary": lambda: sk.network.summary(G),
             "homophily": lambda: sk.network.homophily(G, "x"),
             "polarization": lambda: sk.network.polarization(G, []),
             "friendship_paradox": lambda: sk.network.friendship_paradox(G),
             "neighbor_means": lambda: sk.network.neighbor_means(G),
             "deffuant": lambda: sk.dynamics.deffuant(G, []),
             "network": lambda: sk.plot.network(G),
             "degree_distribution": lambda: sk.plot.degree_distribution(G)}
    for where, call in calls.items():
        with pytest.raises(ValueError, match=rf"^{where}: the graph .*has no nodes"):
            call()
