import networkx as nx
import pandas as pd
import pytest

import socialkit as sk


def test_names_lists_required_datasets():
    df = sk.datasets.names()
    assert list(df.columns[:4]) == ["name", "kind", "size", "description"]
    required = {"anes1996", "ego_facebook", "polblogs", "email_eu_core", "physicians",
                "acs2018_us"}
    assert required <= set(df["name"])
    assert df["citation"].str.len().min() > 20


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown dataset 'facebook'; valid names: .*ego_facebook"):
        sk.datasets.load("facebook")


def test_anes1996(anes):
    assert anes.shape == (944, 11)
    assert anes.attrs["name"] == "anes1996" and "1996" in anes.attrs["citation"]
    assert anes["selfLR"].between(1, 7).all() and anes["PID"].between(0, 6).all()


def test_acs2018():
    df = sk.datasets.load("acs2018_us")
    assert set(df["table"]) == {"B01001", "B15001", "B15003", "B03002", "B19001"}
    total = df.query("table == 'B01001' and label == 'Total'")["estimate"].item()
    assert total == 327_167_439
    assert "Census" in df.attrs["citation"]


def test_ego_facebook_published_figures():
    G = sk.datasets.load("ego_facebook")
    assert isinstance(G, nx.Graph) and not G.is_directed()
    assert (G.number_of_nodes(), G.number_of_edges()) == (4039, 88234)
    assert "McAuley" in G.graph["citation"]


def test_polblogs_directed_with_party():
    G = sk.datasets.load("polblogs")
    assert G.is_directed() and G.number_of_nodes() == 1490 and G.number_of_edges() == 19025
    assert G.graph["self_loops"] == 3
    parties = pd.Series(dict(G.nodes(data="pol"))).value_counts().to_dict()
    assert parties == {"left": 758, "right": 732}
    U = nx.Graph(G.to_undirected())
    U.remove_edges_from(nx.selfloop_edges(U))
    assert U.number_of_edges() == 16715


def test_email_eu_core_departments():
    G = sk.datasets.load("email_eu_core")
    assert G.number_of_nodes() == 1005 and G.number_of_edges() == 25571
    assert len({d for _, d in G.nodes(data="department")}) == 42
    U = nx.Graph(G.to_undirected())
    U.remove_edges_from(nx.selfloop_edges(U))
    assert U.number_of_edges() == 16064


def test_physicians_adoption():
    G = sk.datasets.load("physicians")
    assert G.number_of_nodes() == 246 and G.number_of_edges() == 1099
    status = pd.Series(dict(G.nodes(data="adoption_status"))).value_counts().to_dict()
    assert status == {"adopted": 109, "no data": 121, "never": 16}
    months = [m for _, m in G.nodes(data="adoption_month") if m is not None]
    assert min(months) == 1 and max(months) == 17
    rel = pd.Series([d["relations"] for _, _, d in G.edges(data=True)]).value_counts()
    assert rel.to_dict() == {"advice": 480, "friendship": 310, "discussion": 309}


def test_wave_option_and_bad_option():
    assert sk.datasets.load("s50", wave=3).graph["wave"] == 3
    with pytest.raises(ValueError, match="wave=5 does not exist; choose 1 to 4"):
        sk.datasets.load("knecht", wave=5)
    with pytest.raises(TypeError, match="does not take options"):
        sk.datasets.load("anes1996", wave=1)


def test_missing_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SOCIALKIT_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="SOCIALKIT_DATA"):
        sk.datasets.load("anes1996")
