"""Network input of the dynamics engines: a networkx graph, a sparse adjacency, or well-mixed.

Convention shared by every engine: **influence flows along arcs**. An arc ``u -> v`` of a
directed graph means ``u`` influences (or infects) ``v``; an undirected edge works both ways.
``Net.incoming()`` is therefore the transposed adjacency: row ``v`` lists the agents ``v`` listens
to. A scipy.sparse matrix ``A`` may stand for a graph whose agents are ``0..N-1``, with
``A[u, v] != 0`` for an arc ``u -> v`` (a symmetric matrix is an undirected graph); it is how
million-agent runs avoid building a networkx graph. ``G=None`` is a well-mixed population: every
agent can meet every other (a complete graph without self-loops), its agents taken from the
initial states (a Series' index, or ``0..N-1`` for an array).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from socialkit.network.convert import adjacency, to_csr

__all__ = ["Net", "network"]


@dataclass
class Net:
    """Agents and adjacency of one run (``A is None`` for a well-mixed population)."""

    nodes: np.ndarray
    A: sp.csr_array | None
    graph: nx.Graph | None = None
    symmetric: bool | None = None  # known symmetric (undirected networkx graph)?

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def well_mixed(self) -> bool:
        return self.A is None

    def incoming(self, weighted: bool = False, self_loops: bool = False) -> sp.csr_array:
        """Row ``v`` holds the agents ``u`` with an arc ``u -> v`` (binary unless ``weighted``)."""
        return _clean(self.A if self.symmetric else sp.csr_array(self.A.T), weighted, self_loops)

    def outgoing(self, weighted: bool = False, self_loops: bool = False) -> sp.csr_array:
        """Row ``u`` holds the agents ``v`` with an arc ``u -> v`` (binary unless ``weighted``)."""
        return _clean(self.A, weighted, self_loops)

    def undirected(self) -> sp.csr_array:
        """Symmetric binary adjacency without self-loops (directions dropped)."""
        B = self.incoming()
        if not self.symmetric:
            B = sp.csr_array(((B + B.T) > 0).astype(np.int8))
            B.sort_indices()
        return B

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Undirected edges ``(i, j)`` with ``i < j``, as two index arrays."""
        B = self.undirected()
        rows = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(B.indptr))
        cols = B.indices.astype(np.int64)
        upper = rows < cols
        return rows[upper], cols[upper]

    def n_edges(self) -> int:
        """Number of edges (arcs for a directed input; a symmetric sparse matrix is undirected);
        ``N (N - 1) / 2`` when well-mixed."""
        if self.A is None:
            return self.n * (self.n - 1) // 2
        if self.graph is not None:
            return self.graph.number_of_edges()
        A = self.A
        if (A != A.T).nnz:  # directed: count arcs
            return int(A.nnz)
        loops = int(np.count_nonzero(A.diagonal()))
        return (int(A.nnz) - loops) // 2 + loops


def _clean(B: sp.csr_array, weighted: bool, self_loops: bool) -> sp.csr_array:
    B = sp.csr_array(B, copy=True)
    if not self_loops and B.diagonal().any():
        coo = B.tocoo()
        off = coo.row != coo.col
        B = sp.csr_array((coo.data[off], (coo.row[off], coo.col[off])), shape=B.shape)
    B.eliminate_zeros()
    if not weighted:
        B = sp.csr_array((np.ones(B.nnz, dtype=np.int8), B.indices, B.indptr), shape=B.shape)
    elif B.dtype != np.float64:
        B = B.astype(np.float64)
    B.sort_indices()
    return B


def _ids(values, name: str) -> np.ndarray:
    if isinstance(values, str):
        raise ValueError(f"{name}: a node attribute name needs a graph; with G=None (well-mixed) "
                         "pass an array or a Series indexed by agent id")
    if isinstance(values, pd.Series | Mapping):
        index = values.index if isinstance(values, pd.Series) else pd.Index(list(values))
        if index.has_duplicates:
            raise ValueError(f"{name}: the agent ids (index) have duplicates, e.g. "
                             f"{index[index.duplicated()][:5].tolist()}")
        return index.to_numpy()
    if values is None or isinstance(values, numbers.Number):
        raise ValueError(f"{name}: with G=None (well-mixed) the initial states must be an array or "
                         f"a Series, one value per agent; got {values!r}")
    return np.arange(len(np.asarray(values)))


def _check_ids(nodes: np.ndarray, name: str) -> np.ndarray:
    if len(nodes) and not np.issubdtype(np.asarray(nodes).dtype, np.integer):
        bad = [v for v in nodes.tolist() if isinstance(v, bool) or not isinstance(v, numbers.Integral)]
        if bad:
            raise TypeError(f"{name}: agent ids must be integers, got {bad[0]!r}; relabel with "
                            "networkx.convert_node_labels_to_integers(G, label_attribute='name')")
    return np.asarray(nodes, dtype=np.int64)


def network(G, values, name: str, *, weight: str | None = None, well_mixed: bool = True,
            weight_high: float | None = None, loops: bool = False) -> Net:
    """Validate ``G`` and return its :class:`Net` (see the module docstring for the inputs).

    ``values`` (the initial states) supplies the agents when ``G`` is None. Edge weights (from the
    ``weight`` attribute, or a sparse matrix's entries) must be finite, non-negative and at most
    ``weight_high`` when given. Unless the model needs self-loops (``loops``) or weights, an
    undirected graph's adjacency comes from the network module's per-graph cache.
    """
    if G is None:
        if not well_mixed:
            raise ValueError(f"{name}: G=None (a well-mixed population) is not supported by this "
                             "model; pass a graph, e.g. networkx.complete_graph(n)")
        nodes = _check_ids(_ids(values, name), name)
        if len(nodes) == 0:
            raise ValueError(f"{name}: no agents (the initial states are empty)")
        return Net(nodes, None)
    if sp.issparse(G):
        if G.ndim != 2 or G.shape[0] != G.shape[1]:
            raise ValueError(f"{name}: a sparse adjacency matrix must be square, got {G.shape}")
        A = sp.csr_array(G, dtype=float)
        A.sum_duplicates()
        nodes, graph = np.arange(A.shape[0], dtype=np.int64), None
        what = "the sparse matrix"
    elif (isinstance(G, nx.Graph) and weight is None and not loops and not G.is_directed()
          and not G.is_multigraph() and G.number_of_nodes()):
        adj = adjacency(G, name)  # cached; read-only arrays, copied before any change
        nodes = _check_ids(adj.nodes, name)
        A = sp.csr_array((np.ones(len(adj.indices), dtype=np.int8), adj.indices, adj.indptr),
                         shape=(adj.n, adj.n))
        graph = G
        what = "the graph"
    elif isinstance(G, nx.Graph):
        A, nodes = to_csr(G, weight=weight)
        nodes = _check_ids(nodes, name)
        A = sp.csr_array(A)
        graph = G
        what = f"edge attribute {weight!r}"
    else:
        raise TypeError(f"{name}: expected a networkx graph, a scipy.sparse adjacency matrix or "
                        f"None (well-mixed), got {type(G).__name__}")
    if len(nodes) == 0:
        raise ValueError(f"{name}: the graph has no nodes")
    data = A.data
    if data.size and (not np.isfinite(data).all() or data.min() < 0
                      or (weight_high is not None and data.max() > weight_high)):
        bad = ~np.isfinite(data) | (data < 0)
        if weight_high is not None:
            bad |= data > weight_high
        k = int(np.flatnonzero(bad)[0])
        coo = A.tocoo()
        u, v = nodes[coo.row[k]], nodes[coo.col[k]]
        allowed = f"[0, {weight_high:g}]" if weight_high is not None else "finite and >= 0"
        raise ValueError(f"{name}: weight {float(coo.data[k])!r} of edge ({u}, {v}) from {what} "
                         f"is not allowed ({int(bad.sum())} bad weight(s)); allowed {allowed}")
    symmetric = graph is not None and not graph.is_directed()
    return Net(nodes, A, graph, symmetric or None)
