"""Network statistics computed on sparse adjacency arrays."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from socialkit.network.convert import check_graph, to_csr

__all__ = ["FriendshipParadox", "friendship_paradox", "neighbor_means"]


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
        Nodes in the graph; isolated nodes are left out of the node averages above.
    """

    attribute: str
    mean_degree: float
    mean_value: float
    mean_neighbor_value: float
    mean_local_neighbor_value: float
    paradox_share: float
    n_nodes: int
    n_isolated: int

    @property
    def mean_neighbor_degree(self) -> float:
        """Alias of ``mean_neighbor_value`` (named for the degree paradox)."""
        return self.mean_neighbor_value

    @property
    def mean_local_neighbor_degree(self) -> float:
        """Alias of ``mean_local_neighbor_value`` (named for the degree paradox)."""
        return self.mean_local_neighbor_value

    def to_frame(self) -> pd.DataFrame:
        """The numbers as a one-column DataFrame."""
        return pd.Series(asdict(self), name="value").to_frame()

    def _repr_html_(self) -> str:
        return (f"<div><strong>Friendship paradox ({html.escape(self.attribute)})</strong>"
                f"{self.to_frame().map(_fmt4).to_html()}</div>")


def _fmt4(v):
    return f"{v:.4f}" if isinstance(v, float) else v


def friendship_paradox(G, attribute: str | None = None) -> FriendshipParadox:
    """Friendship-paradox statistics ("your friends have more friends than you").

    For a directed graph the undirected simple version is used. Self-loops are ignored.
    Isolated nodes have no neighbours: they count in ``mean_degree`` and ``n_isolated`` but not in
    the neighbour averages or the paradox share.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, optional
        Numeric node attribute for the generalised paradox (activity, influence, opinion);
        default the degree.

    Returns
    -------
    FriendshipParadox

    Examples
    --------
    >>> import networkx as nx
    >>> fp = friendship_paradox(nx.star_graph(4))
    >>> fp.mean_degree, fp.mean_neighbor_degree, fp.paradox_share
    (1.6, 2.5, 0.8)
    """
    d, x, local, nodes, name = _neighbor_arrays(G, attribute, "friendship_paradox")
    has = d > 0
    if not has.any():
        raise ValueError("friendship_paradox: the graph has no edges")
    return FriendshipParadox(
        attribute=name, mean_degree=float(d.mean()), mean_value=float(x[has].mean()),
        mean_neighbor_value=float((d * x).sum() / d.sum()),
        mean_local_neighbor_value=float(local[has].mean()),
        paradox_share=float((local[has] > x[has]).mean()), n_nodes=len(nodes),
        n_isolated=int((~has).sum()))


def neighbor_means(G, attribute: str | None = None) -> pd.DataFrame:
    """Each node's degree, value and its neighbours' mean value (NaN for isolated nodes).

    The per-node view behind :func:`friendship_paradox` (same conventions).

    Examples
    --------
    >>> import networkx as nx
    >>> neighbor_means(nx.path_graph(3))["neighbor_mean"].tolist()
    [2.0, 1.0, 2.0]
    """
    d, x, local, nodes, name = _neighbor_arrays(G, attribute, "neighbor_means")
    return pd.DataFrame({"node": nodes, "degree": d, name if name != "degree" else "value": x,
                         "neighbor_mean": local})


def _neighbor_arrays(G, attribute, where):
    check_graph(G, where)
    if G.number_of_nodes() == 0:
        raise ValueError(f"{where}: the graph has no nodes")
    A, nodes = to_csr(G, symmetric=True)
    A.setdiag(0)
    A.eliminate_zeros()
    A.data = np.ones_like(A.data)
    d = np.diff(A.indptr).astype(float)
    if attribute is None:
        x, name = d, "degree"
    else:
        x, name = _numeric_attribute(G, nodes, attribute), attribute
    with np.errstate(invalid="ignore", divide="ignore"):
        local = np.where(d > 0, (A @ x) / d, np.nan)
    return d, x, local, nodes, name


def _numeric_attribute(G, nodes, attribute: str) -> np.ndarray:
    values = [G.nodes[n].get(attribute) for n in nodes.tolist()]
    missing = [n for n, v in zip(nodes.tolist(), values, strict=True) if v is None]
    if len(missing) == len(values):
        raise ValueError(f"node attribute {attribute!r} is on no node")
    try:
        x = np.array([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        bad = next(v for v in values if v is not None and not isinstance(v, int | float))
        raise TypeError(f"node attribute {attribute!r} is not numeric (e.g. {bad!r})") from None
    nan = np.isnan(x)
    if nan.any():
        raise ValueError(f"node attribute {attribute!r} is missing or NaN on {int(nan.sum())} of "
                         f"{len(x)} nodes, e.g. {nodes[nan][:5].tolist()}")
    return x
