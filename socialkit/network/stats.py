"""The friendship paradox (degree and generalised), computed on sparse adjacency arrays."""

from __future__ import annotations

import html
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from socialkit.network import _kernels as K
from socialkit.network._attrs import as_float, node_values, restrict
from socialkit.network._build import _rng
from socialkit.network.convert import adjacency
from socialkit.params import Param

__all__ = ["FriendshipParadox", "friendship_paradox", "neighbor_means"]

_CI_STATS = ("mean_degree", "mean_value", "mean_neighbor_value", "mean_local_neighbor_value",
             "paradox_share")
_CI = Param("ci", float, None, low=0, high=1, low_open=True, high_open=True, allow_none=True,
            doc="confidence level of the bootstrap interval")
_NBOOT = Param("n_boot", int, 1000, low=10, doc="bootstrap replicates")


@dataclass(frozen=True)
class FriendshipParadox:
    """The friendship paradox of a graph, for degree or for a node attribute.

    Attributes
    ----------
    attribute : str
        ``"degree"`` or the node attribute measured.
    mean_degree : float
        Mean degree over all nodes.
    mean_value : float
        Mean of the attribute over nodes with at least one neighbour (equals ``mean_degree``
        when ``attribute == "degree"`` and there are no isolated nodes).
    mean_neighbor_value : float
        Edge-based mean: the attribute of a random edge end, ``sum(d x) / sum(d)``; for degree
        this is ``E[d^2] / E[d]``.
    mean_local_neighbor_value : float
        Average over nodes (with neighbours) of their neighbours' mean attribute.
    paradox_share : float
        Share of nodes with neighbours whose neighbours' mean exceeds their own value.
    n_nodes, n_isolated : int
        Nodes in the graph (after the ones left out as missing); isolated nodes are left out of
        the node averages above.
    n_excluded : int
        Nodes left out, with their ties, because their attribute is missing (``missing=``).
    ci_level : float or None
        Level of the bootstrap intervals (``None`` when not requested).
    ci : dict or None
        ``{statistic: (low, high)}`` percentile intervals of a node bootstrap.
    n_boot : int
        Bootstrap replicates behind ``ci`` (0 when not requested).

    Examples
    --------
    >>> import networkx as nx
    >>> friendship_paradox(nx.path_graph(3)).to_frame().loc["paradox_share", "value"]
    0.6666666666666666
    """

    attribute: str
    mean_degree: float
    mean_value: float
    mean_neighbor_value: float
    mean_local_neighbor_value: float
    paradox_share: float
    n_nodes: int
    n_isolated: int
    ci_level: float | None = None
    ci: dict | None = None
    n_boot: int = 0
    n_excluded: int = 0

    @property
    def mean_neighbor_degree(self) -> float:
        """Alias of ``mean_neighbor_value`` (named for the degree paradox)."""
        return self.mean_neighbor_value

    @property
    def mean_local_neighbor_degree(self) -> float:
        """Alias of ``mean_local_neighbor_value`` (named for the degree paradox)."""
        return self.mean_local_neighbor_value

    def to_frame(self) -> pd.DataFrame:
        """The numbers as a DataFrame (column ``value``; ``ci_low``/``ci_high`` with a CI)."""
        names = [f.name for f in fields(self) if f.name not in ("ci", "ci_level", "n_boot")]
        out = pd.DataFrame({"value": pd.Series({k: getattr(self, k) for k in names},
                                               dtype=object)})
        if self.ci is not None:
            out["ci_low"] = [self.ci[k][0] if k in self.ci else None for k in names]
            out["ci_high"] = [self.ci[k][1] if k in self.ci else None for k in names]
        return out

    def _repr_html_(self) -> str:
        level = f", {self.ci_level:.0%} bootstrap CI ({self.n_boot} replicates)" if self.ci else ""
        return (f"<div><strong>Friendship paradox ({html.escape(self.attribute)}){level}</strong>"
                f"{self.to_frame().map(_fmt4).to_html(na_rep='')}</div>")


def _fmt4(v):
    return f"{v:.4f}" if isinstance(v, float) else v


def friendship_paradox(G, attribute: str | None = None, *, ci: float | None = None,
                       n_boot: int = 1000, seed: int | None = None,
                       directed: str = "error", missing=None) -> FriendshipParadox:
    """Friendship-paradox statistics ("your friends have more friends than you").

    Self-loops are ignored. Isolated nodes have no neighbours: they count in ``mean_degree`` and
    ``n_isolated`` but not in the neighbour averages or the paradox share (Feld 1991, AJS
    96:1464; the generalised paradox of any node attribute: Eom & Jo 2014, Sci. Rep. 4:4603).

    With ``ci`` a percentile interval is added for each mean by a *node bootstrap*: nodes are
    resampled with replacement ``n_boot`` times, each keeping its degree, value and neighbours'
    mean. It expresses sampling uncertainty over nodes given the network, not over networks;
    cost ``O(n_boot x nodes)``.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, optional
        Numeric node attribute for the generalised paradox (activity, influence, opinion);
        default the degree.
    ci : float, optional
        Confidence level in (0, 1), e.g. 0.95.
    n_boot : int
        Bootstrap replicates (at least 10).
    seed : int, optional
        Seed of the bootstrap.
    directed : {"error", "symmetrize"}
        A directed graph raises ``ValueError`` unless ``"symmetrize"`` (ties wherever u->v or v->u).
    missing : value or list of values, optional
        With ``attribute``: codes that mean "missing" (e.g. 0 in Facebook100). Nodes with such a
        value, NaN or no value are left out together with their ties (``n_excluded`` counts
        them), so that neither their value nor their links enter any average. Without it a
        missing value raises ``ValueError``.

    Returns
    -------
    FriendshipParadox

    Examples
    --------
    >>> import networkx as nx
    >>> fp = friendship_paradox(nx.star_graph(4))
    >>> fp.mean_degree, fp.mean_neighbor_degree, fp.paradox_share
    (1.6, 2.5, 0.8)
    >>> fp = friendship_paradox(nx.karate_club_graph(), ci=0.9, n_boot=200, seed=1)
    >>> lo, hi = fp.ci["paradox_share"]
    >>> bool(lo < fp.paradox_share < hi)
    True
    >>> G = nx.star_graph(3)
    >>> nx.set_node_attributes(G, {0: 5, 1: 1, 2: 2, 3: -9}, "posts")
    >>> fp = friendship_paradox(G, "posts", missing=-9)
    >>> fp.n_excluded, fp.n_nodes, fp.mean_value, fp.paradox_share
    (1, 3, 2.6666666666666665, 0.6666666666666666)
    """
    ci = _CI.validate(ci)
    n_boot = _NBOOT.validate(n_boot)
    d, x, local, nodes, name, excluded = _neighbor_arrays(G, attribute, "friendship_paradox",
                                                          directed, missing)
    has = d > 0
    if not has.any():
        raise ValueError("friendship_paradox: the graph has no edges")
    intervals = None
    if ci is not None:
        boot = np.empty((n_boot, len(_CI_STATS)), dtype=np.float64)
        K.bootstrap_paradox(d, x, local, n_boot, _rng(seed), boot)
        q = np.nanquantile(boot, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        intervals = {k: (float(q[0, i]), float(q[1, i])) for i, k in enumerate(_CI_STATS)}
    return FriendshipParadox(
        attribute=name, mean_degree=float(d.mean()), mean_value=float(x[has].mean()),
        mean_neighbor_value=float((d * x).sum() / d.sum()),
        mean_local_neighbor_value=float(local[has].mean()),
        paradox_share=float((local[has] > x[has]).mean()), n_nodes=len(nodes),
        n_isolated=int((~has).sum()), ci_level=ci, ci=intervals,
        n_boot=n_boot if ci is not None else 0, n_excluded=excluded)


def neighbor_means(G, attribute: str | None = None, *, directed: str = "error",
                   missing=None) -> pd.DataFrame:
    """Each node's degree, value and its neighbours' mean value (NaN for isolated nodes).

    The per-node view behind :func:`friendship_paradox` (same conventions).

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, optional
        Numeric node attribute (default the degree).
    directed : {"error", "symmetrize"}
        See :func:`friendship_paradox`.
    missing : value or list of values, optional
        See :func:`friendship_paradox`: nodes left out as missing (and their ties) are not in the
        table.

    Returns
    -------
    DataFrame
        Columns ``node, degree, <attribute> (or value), neighbor_mean``.

    Examples
    --------
    >>> import networkx as nx
    >>> neighbor_means(nx.path_graph(3))["neighbor_mean"].tolist()
    [2.0, 1.0, 2.0]
    """
    d, x, local, nodes, name, _ = _neighbor_arrays(G, attribute, "neighbor_means", directed,
                                                   missing)
    return pd.DataFrame({"node": nodes, "degree": d, name if name != "degree" else "value": x,
                         "neighbor_mean": local})


def _neighbor_arrays(G, attribute, where, directed, missing=None):
    adj = adjacency(G, where, directed)
    excluded = 0
    if attribute is None:
        if missing is not None:
            raise ValueError(f"{where}: missing= applies to an attribute; give attribute= (the "
                             "degree is never missing)")
        d = adj.degree.astype(np.float64)
        x, name = d, "degree"
    else:
        values = node_values(G, adj.nodes, attribute, where, missing)
        adj, values, excluded = restrict(adj, values, missing, where)
        x, name = as_float(values, adj.nodes, attribute, where), attribute
        d = adj.degree.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        local = np.where(d > 0, adj.neighbor_sum(x) / d, np.nan)
    return d, x, local, adj.nodes, name, excluded
