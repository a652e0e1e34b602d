"""Structural summary and degree distribution of a graph, computed on sparse adjacency arrays."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from socialkit.network import _kernels as K
from socialkit.network.convert import DIRECTED_POLICIES, adjacency, check_graph, neighbours

__all__ = ["NetworkSummary", "summary", "degree_distribution"]


@dataclass(frozen=True)
class NetworkSummary:
    """Structural summary of the simple undirected graph behind ``G`` (see :func:`summary`).

    Examples
    --------
    >>> import networkx as nx
    >>> summary(nx.path_graph(4)).to_frame().loc[["nodes", "edges", "components"], "value"].tolist()
    [4, 3, 1]
    """

    name: str
    nodes: int
    edges: int
    self_loops: int
    isolated: int
    density: float
    degree_mean: float
    degree_median: float
    degree_max: int
    components: int
    giant_component_share: float
    average_clustering: float
    transitivity: float
    degree_assortativity: float
    symmetrized: bool

    def to_frame(self) -> pd.DataFrame:
        """The numbers as a one-column DataFrame (index: statistic)."""
        return pd.Series(asdict(self), name="value", dtype=object).to_frame()

    def __repr__(self) -> str:
        return (f"NetworkSummary({self.name!r}: {self.nodes} nodes, {self.edges} edges, mean "
                f"degree {self.degree_mean:.3f}, clustering {self.average_clustering:.4f})")

    def _repr_html_(self) -> str:
        table = self.to_frame().map(lambda v: f"{v:.5g}" if isinstance(v, float) else v)
        return (f"<div><strong>Network summary: {html.escape(self.name)}</strong>"
                f"{table.to_html(header=False)}</div>")


def summary(G, *, directed: str = "error") -> NetworkSummary:
    """Size, density, degrees, components, clustering and degree assortativity of a graph.

    Computed on the simple undirected graph: self-loops are left out (and counted in
    ``self_loops``). ``average_clustering`` is the mean local clustering over all nodes, nodes of
    degree < 2 counting 0 (as ``networkx.average_clustering``); ``transitivity`` is 3 x triangles /
    connected triples; ``degree_assortativity`` is the Pearson correlation of the degrees at the
    two ends of an edge (Newman 2002), NaN when every node has the same degree or there is no edge.
    Triangles are counted on the CSR arrays by an oriented-edge kernel, so memory stays linear in
    the number of edges (no ``A @ A``).

    Parameters
    ----------
    G : networkx.Graph
    directed : {"error", "symmetrize"}
        A directed graph raises ``ValueError`` unless ``"symmetrize"`` (ties wherever u->v or v->u;
        ``symmetrized`` is then True).

    Returns
    -------
    NetworkSummary
        ``.to_frame()`` gives a table; it renders as HTML in Jupyter.

    Examples
    --------
    >>> import networkx as nx
    >>> s = summary(nx.karate_club_graph())
    >>> s.nodes, s.edges, round(s.average_clustering, 4), round(s.transitivity, 4)
    (34, 78, 0.5706, 0.2557)
    >>> round(s.degree_assortativity, 4), s.components, s.giant_component_share
    (-0.4756, 1, 1.0)
    """
    adj = adjacency(G, "summary", directed)
    n, m = adj.n, adj.n_edges
    d = adj.degree
    label = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    n_comp = int(K.components(adj.indptr, adj.indices, label, queue))
    del queue
    giant = int(np.bincount(label).max())
    del label
    t = _triangles(adj)
    pairs = d * (d - 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        local = np.where(d > 1, 2.0 * t / pairs, 0.0)
    triples = pairs.sum()
    return NetworkSummary(
        name=str(G.graph.get("name") or G.graph.get("generator") or "graph"), nodes=n, edges=m,
        self_loops=adj.self_loops, isolated=int((d == 0).sum()),
        density=float(2 * m / (n * (n - 1))) if n > 1 else 0.0,
        degree_mean=float(d.mean()), degree_median=float(np.median(d)), degree_max=int(d.max()),
        components=n_comp, giant_component_share=giant / n,
        average_clustering=float(local.mean()),
        transitivity=float(2 * t.sum() / triples) if triples > 0 else 0.0,
        degree_assortativity=_degree_assortativity(adj, d), symmetrized=adj.symmetrized)


def _triangles(adj) -> np.ndarray:
    """Triangles through each node (float64)."""
    n = adj.n
    optr = np.empty(n + 1, dtype=np.int64)
    oind = np.empty(adj.n_edges, dtype=adj.indices.dtype)
    mark = np.empty(n, dtype=np.int64)
    t = np.empty(n, dtype=np.int64)
    K.triangles(adj.indptr, adj.indices, optr, oind, mark, t)
    return t.astype(np.float64)


def _degree_assortativity(adj, d) -> float:
    s = d.sum()
    if s == 0:
        return float("nan")
    x = d.astype(np.float64)
    mu = (x * x).sum() / s  # mean degree at an edge end
    y = x - mu
    den = (x * y * y).sum()
    if den <= 1e-12 * max(mu * mu, 1.0) * s:
        return float("nan")
    return float((y * adj.neighbor_sum(y)).sum() / den)


def degree_distribution(G, log_bins: bool = False, *, bins_per_decade: int = 5,
                        directed: str = "error") -> pd.DataFrame:
    """The degree distribution as a tidy DataFrame, optionally in logarithmic bins.

    Degrees are those of the simple graph (self-loops left out). Without ``log_bins``: one row per
    observed degree with ``degree, count, share`` (probability) and ``ccdf`` (share of nodes with
    degree >= this one). With ``log_bins``: bins of equal width in log(degree) covering degrees
    ``bin_low..bin_high`` (inclusive integers), with ``degree`` (geometric centre of the bin),
    ``count``, ``share`` and ``density`` = share / integers in the bin (comparable with the
    per-degree shares on log-log axes). Degree-0 nodes cannot sit on a log axis: they are left out
    of the bins and counted in ``df.attrs["zero_degree"]``; empty bins are dropped.

    Parameters
    ----------
    G : networkx.Graph or DiGraph
    log_bins : bool
        Bin logarithmically (for plotting heavy tails).
    bins_per_decade : int
        Bins per factor of ten in degree.
    directed : {"error", "symmetrize", "in", "out"}
        A directed graph raises ``ValueError`` unless ``"symmetrize"`` (undirected simple
        degrees), ``"in"`` or ``"out"`` (in- or out-degrees, self-loops left out).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import networkx as nx
    >>> degree_distribution(nx.star_graph(3)).to_dict("list")
    {'degree': [1, 3], 'count': [3, 1], 'share': [0.75, 0.25], 'ccdf': [1.0, 0.25]}
    >>> degree_distribution(nx.star_graph(20), log_bins=True)[["bin_low", "bin_high", "count"]]
       bin_low  bin_high  count
    0        1         1     20
    1       14        20      1
    """
    where = "degree_distribution"
    check_graph(G, where)
    if directed in ("in", "out"):
        if not G.is_directed():
            raise ValueError(f"{where}: directed={directed!r} needs a directed graph")
        if G.number_of_nodes() == 0:
            raise ValueError(f"{where}: the graph has no nodes")
        adjmap = neighbours(G, "succ" if directed == "out" else "pred")
        d = np.fromiter((len(nb) - (u in nb) for u, nb in adjmap.items()), dtype=np.int64,
                        count=G.number_of_nodes())
    elif directed in DIRECTED_POLICIES:
        d = adjacency(G, where, directed).degree
    else:
        raise ValueError(f"{where}: directed={directed!r}; choose one of "
                         f"{[*DIRECTED_POLICIES, 'in', 'out']}")
    if isinstance(bins_per_decade, bool) or not isinstance(bins_per_decade, int) \
            or bins_per_decade < 1:
        raise ValueError(f"{where}: bins_per_decade must be a positive integer, "
                         f"got {bins_per_decade!r}")
    n = len(d)
    if not log_bins:
        values, counts = np.unique(d, return_counts=True)
        ccdf = counts[::-1].cumsum()[::-1] / n
        return pd.DataFrame({"degree": values.tolist(), "count": counts.tolist(),
                             "share": (counts / n).tolist(), "ccdf": ccdf.tolist()})
    pos = d[d > 0]
    top = max(int(pos.max()) if len(pos) else 1, 1)
    n_bins = max(1, int(np.ceil(np.log10(top + 1) * bins_per_decade)))
    edges = np.unique(np.ceil(np.logspace(0, np.log10(top + 1), n_bins + 1)).astype(np.int64))
    low, high = edges[:-1], edges[1:] - 1
    counts = np.histogram(pos, bins=edges)[0] if len(edges) > 1 else np.array([len(pos)])
    width = high - low + 1
    out = pd.DataFrame({"bin_low": low, "bin_high": high, "degree": np.sqrt(low * high),
                        "count": counts, "share": counts / n, "density": counts / n / width})
    out = out[out["count"] > 0].reset_index(drop=True)
    out.attrs["zero_degree"] = int((d == 0).sum())
    return out
