"""Homophily: attribute assortativity, the E-I index and per-group homophily indices."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialkit.network._attrs import as_float, categorical_codes, node_values, restrict
from socialkit.network.convert import adjacency

__all__ = ["Homophily", "homophily", "numeric_assortativity"]


@dataclass(frozen=True)
class Homophily:
    """Homophily of a graph on one node attribute (see :func:`homophily`).

    Attributes
    ----------
    attribute, kind : str
        The attribute and ``"categorical"`` or ``"numeric"``.
    assortativity : float
        Newman's attribute assortativity coefficient.
    ei_index : float
        Krackhardt–Stern E–I index (categorical; NaN for numeric).
    groups : DataFrame or None
        Per group: ``group, nodes, share, tie_ends, within, between, homophily_index,
        inbreeding, ei_index`` (categorical only).
    nodes, edges : int
        Size of the simple undirected graph used (without the nodes left out as missing).
    symmetrized : bool
        Whether a directed graph was symmetrised.
    excluded : int
        Nodes left out because their value is missing (``missing=``).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (2, 3)])
    >>> nx.set_node_attributes(G, {0: "a", 1: "a", 2: "b", 3: "b"}, "g")
    >>> h = homophily(G, "g")
    >>> h.assortativity, h.ei_index, h.to_frame()["inbreeding"].tolist()
    (1.0, -1.0, [1.0, 1.0])
    """

    attribute: str
    kind: str
    assortativity: float
    ei_index: float
    groups: pd.DataFrame | None
    nodes: int
    edges: int
    symmetrized: bool
    excluded: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (categorical) or a one-row table (numeric)."""
        if self.groups is not None:
            return self.groups
        return pd.DataFrame({"attribute": [self.attribute], "assortativity": [self.assortativity]})

    def __repr__(self) -> str:
        return (f"Homophily({self.attribute!r}, {self.kind}: assortativity "
                f"{self.assortativity:.4f}, E-I {self.ei_index:.4f})")

    def _repr_html_(self) -> str:
        left = f", {self.excluded} nodes left out as missing" if self.excluded else ""
        head = (f"<div><strong>Homophily on {html.escape(str(self.attribute))}</strong> "
                f"({self.kind}; {self.nodes} nodes, {self.edges} edges{left})<br>assortativity "
                f"{self.assortativity:.4f}")
        if self.kind == "categorical":
            head += f", E&ndash;I index {self.ei_index:.4f}"
            head += self.groups.to_html(index=False, float_format="%.4f")
        return head + "</div>"


def homophily(G, attribute: str, kind: str = "categorical", *,
              directed: str = "error", missing=None) -> Homophily:
    """How much ties join nodes that are alike on ``attribute``.

    Computed on the simple undirected graph (self-loops left out), each edge counted from both
    ends as in ``networkx``:

    - ``assortativity``: for ``kind="categorical"`` Newman's (2003) coefficient
      ``r = (sum_g e_gg - sum_g a_g^2) / (1 - sum_g a_g^2)`` (``e_gg`` share of edge ends in
      within-group edges, ``a_g`` share of edge ends in group g), equal to
      ``networkx.attribute_assortativity_coefficient``; for ``kind="numeric"`` the Pearson
      correlation of the values at the two ends of an edge
      (``networkx.numeric_assortativity_coefficient``).
    - ``ei_index`` (categorical): ``(E - I) / (E + I)`` with E edges between and I edges within
      groups (Krackhardt & Stern 1988); -1 all ties internal, +1 all external.
    - ``groups`` (categorical), per group g with ``nodes`` n_g and ``share`` w_g = n_g / n:
      ``tie_ends`` (sum of degrees), ``within`` / ``between`` tie ends, ``homophily_index``
      H_g = within / tie_ends (Currarini, Jackson & Pin 2009), ``inbreeding``
      (H_g - w_g) / (1 - w_g) (Coleman 1958; 0 = as random, 1 = only within) and the group's E–I.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        Node attribute (any hashable values for categorical, numbers for numeric).
    kind : {"categorical", "numeric"}
        Integer codes (e.g. department numbers) are categories unless ``kind="numeric"``.
    directed : {"error", "symmetrize"}
        A directed graph raises ``ValueError`` unless ``"symmetrize"`` (ties wherever u->v or v->u).
    missing : value or list of values, optional
        Codes that mean "missing" (Facebook100 codes a missing dorm or year as 0). Nodes with
        such a value, or with none, are left out with their ties (``excluded`` counts them).
        Without it a missing value raises ``ValueError``.

    Returns
    -------
    Homophily

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {0: "a", 1: "a", 2: "b", 3: "b"}, "group")
    >>> h = homophily(G, "group")
    >>> round(h.assortativity, 4), round(h.ei_index, 4)
    (0.3333, -0.3333)
    >>> h.groups[["group", "within", "between"]].to_dict("list")
    {'group': ['a', 'b'], 'within': [2, 2], 'between': [1, 1]}
    >>> [round(float(v), 4) for v in h.groups["homophily_index"]]
    [0.6667, 0.6667]
    >>> nx.set_node_attributes(G, {0: 0, 1: 0, 2: "b", 3: "b"}, "dorm")  # 0 = not recorded
    >>> h = homophily(G, "dorm", missing=0)
    >>> h.nodes, h.edges, h.excluded
    (2, 1, 2)
    """
    where = "homophily"
    if kind not in ("categorical", "numeric"):
        raise ValueError(f"{where}: kind={kind!r}; choose 'categorical' or 'numeric'")
    adj = adjacency(G, where, directed)
    if adj.n_edges == 0:
        raise ValueError(f"{where}: the graph has no edges")
    adj, values, excluded = restrict(adj, node_values(G, adj.nodes, attribute, where, missing),
                                     missing, where)
    if adj.n_edges == 0:
        raise ValueError(f"{where}: no edge joins two nodes with a value of {attribute!r} once "
                         f"the {excluded} nodes with a missing value are left out")
    if kind == "numeric":
        x = as_float(values, adj.nodes, attribute, where)
        return Homophily(attribute, kind, numeric_assortativity(adj, x), float("nan"), None,
                         adj.n, adj.n_edges, adj.symmetrized, excluded)
    codes, cats = categorical_codes(values, adj.nodes, attribute, where)
    k = len(cats)
    d = adj.degree
    same = np.repeat(codes, d) == codes[adj.indices]  # per edge end: same group?
    cum = np.concatenate([[0], np.cumsum(same, dtype=np.int64)])
    same_per_node = cum[adj.indptr[1:]] - cum[adj.indptr[:-1]]
    del same, cum
    within = np.bincount(codes, weights=same_per_node, minlength=k).astype(np.int64)
    ends = np.bincount(codes, weights=d, minlength=k).astype(np.int64)
    nodes = np.bincount(codes, minlength=k)
    total = ends.sum()  # = 2 m
    a = ends / total
    e_within = within.sum() / total
    r = float((e_within - (a * a).sum()) / (1 - (a * a).sum())) if (a * a).sum() < 1 else np.nan
    internal, external = within.sum() / 2, (total - within.sum()) / 2
    share = nodes / adj.n
    with np.errstate(invalid="ignore", divide="ignore"):
        h_index = np.where(ends > 0, within / ends, np.nan)
        inbreeding = np.where(share < 1, (h_index - share) / (1 - share), np.nan)
        group_ei = np.where(ends > 0, (ends - 2 * within) / ends, np.nan)
    groups = pd.DataFrame({
        "group": cats, "nodes": nodes, "share": share, "tie_ends": ends, "within": within,
        "between": ends - within, "homophily_index": h_index, "inbreeding": inbreeding,
        "ei_index": group_ei})
    return Homophily(attribute, kind, r, float((external - internal) / (external + internal)),
                     groups, adj.n, adj.n_edges, adj.symmetrized, excluded)


def numeric_assortativity(adj, x: np.ndarray) -> float:
    """Pearson correlation of ``x`` across the two ends of the edges of an :class:`Adjacency`.

    NaN when ``x`` is constant over edge ends.
    """
    d = adj.degree.astype(np.float64)
    s = d.sum()
    if s == 0:
        return float("nan")
    mu = (d * x).sum() / s
    y = x - mu
    den = (d * y * y).sum()
    if den <= 1e-24 * s * max(float(np.abs(x).max()) ** 2, 1.0):
        return float("nan")
    return float((y * adj.neighbor_sum(y)).sum() / den)
