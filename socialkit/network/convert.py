"""Conversion between networkx graphs and sparse adjacency arrays.

Statistics never walk the networkx graph edge by edge: they read its adjacency dictionaries once
into CSR arrays (:func:`adjacency`) and compute there. The simple undirected adjacency of a graph
is cached in networkx's own per-graph cache (``G.__networkx_cache__``), which networkx clears on
every structural change made through its API, so several statistics on one graph convert once.
Graphs made by socialkit's generators come with this adjacency already cached (:func:`prime`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import networkx as nx
import numpy as np
import scipy.sparse as sp

from socialkit.network import _kernels as K

__all__ = ["to_csr", "check_graph", "adjacency", "Adjacency", "DIRECTED_POLICIES", "prime",
           "neighbours"]

DIRECTED_POLICIES = ("error", "symmetrize")
_CACHE_KEY = "socialkit.adjacency"


def check_graph(G, where: str) -> None:
    """Raise ``TypeError`` unless ``G`` is a networkx graph."""
    if not isinstance(G, nx.Graph):
        raise TypeError(f"{where}: expected a networkx graph, got {type(G).__name__}")


def neighbours(G, which: str = "adj"):
    """``G``'s neighbour mapping ``{node: {neighbour: data}}`` for reading, fast.

    The one place socialkit reads networkx's internal dicts (``G._adj``, ``G._succ``,
    ``G._pred``): iterating them is twice as fast as the public views (0.26 s against 0.53 s
    for the 1,000,000 neighbour entries of a 200,000-node graph). Graph classes without them
    fall back to the public views (``G.adj``, ``G.succ``, ``G.pred``).
    """
    if which not in ("adj", "succ", "pred"):
        raise ValueError(f"which must be 'adj', 'succ' or 'pred', got {which!r}")
    inner = getattr(G, f"_{which}", None)
    return inner if isinstance(inner, dict) else getattr(G, which)


def _labels(keys, n: int) -> tuple[np.ndarray, bool]:
    """Node labels as an array (int64 when all are Python ints, else object); is it 0..n-1?"""
    keys = list(keys)
    if n and set(map(type, keys)) == {int}:
        try:
            arr = np.fromiter(keys, dtype=np.int64, count=n)
        except OverflowError:
            pass
        else:
            return arr, bool((arr == np.arange(n)).all())
    return np.fromiter(keys, dtype=object, count=n), False


def _read_adj(adj, n: int, identity: bool, labels: np.ndarray):
    """CSR (indptr, indices) of an adjacency mapping ``{node: {neighbour: ...}}``."""
    deg = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    nnz = int(deg.sum())
    flat = chain.from_iterable(adj.values())
    if identity:
        indices = np.fromiter(flat, dtype=np.int64, count=nnz)
    else:
        index = {node: i for i, node in enumerate(labels.tolist())}
        indices = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=nnz)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=indptr[1:])
    return indptr, indices


def to_csr(G, nodelist=None, weight: str | None = None, symmetric: bool | None = None):
    """Adjacency of ``G`` as a ``scipy.sparse.csr_array`` plus the node order used.

    Undirected graphs give a symmetric matrix; a self-loop ``(u, u)`` gives one diagonal entry.
    Directed graphs give ``A[i, j] = 1`` for an arc ``i -> j`` unless ``symmetric=True``.
    Parallel edges of a multigraph add up.

    Parameters
    ----------
    G : networkx.Graph or DiGraph
    nodelist : sequence, optional
        Node order (default: the node order of ``G``).
    weight : str, optional
        Edge attribute holding weights (default: every edge weighs 1).
    symmetric : bool, optional
        Force symmetrisation of a directed graph (``A + A.T``, clipped to 1 when unweighted).

    Returns
    -------
    (csr_array, numpy.ndarray)

    Examples
    --------
    >>> import networkx as nx
    >>> A, nodes = to_csr(nx.path_graph(3))
    >>> A.toarray().tolist(), nodes.tolist()
    ([[0, 1, 0], [1, 0, 1], [0, 1, 0]], [0, 1, 2])
    """
    check_graph(G, "to_csr")
    directed = G.is_directed()
    if nodelist is None and weight is None and not G.is_multigraph():
        n = G.number_of_nodes()
        nodes, identity = _labels(neighbours(G), n)
        indptr, indices = _read_adj(neighbours(G), n, identity, nodes)
        A = sp.csr_array((np.ones(len(indices), dtype=np.int64), indices, indptr), shape=(n, n))
        if directed and symmetric:
            A = (A + A.T).tocsr()
            A.data = np.minimum(A.data, 1)
        return A, nodes
    n = G.number_of_nodes() if nodelist is None else len(nodelist)
    nodes, _ = _labels(G if nodelist is None else nodelist, n)
    index = {node: i for i, node in enumerate(nodes.tolist())}
    m = G.number_of_edges()
    pairs = np.fromiter((x for u, v in G.edges() for x in (index[u], index[v])),
                        dtype=np.int64, count=2 * m).reshape(m, 2)
    if weight is None:
        data = np.ones(m, dtype=np.int64)
    else:
        data = np.fromiter((d.get(weight, 1.0) for _, _, d in G.edges(data=True)),
                           dtype=float, count=m)
    rows, cols = pairs[:, 0], pairs[:, 1]
    if not directed or symmetric:
        off = rows != cols
        rows, cols, data = (np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]]),
                            np.concatenate([data, data[off]]))
    A = sp.csr_array((data, (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    if directed and symmetric and weight is None:
        A.data = np.minimum(A.data, 1)
    return A, nodes


@dataclass(frozen=True)
class Adjacency:
    """The simple undirected adjacency of a graph in CSR form (no self-loops, no weights).

    Attributes
    ----------
    indptr, indices : numpy.ndarray
        CSR structure; row ``i`` lists the neighbours of ``nodes[i]``.
    nodes : numpy.ndarray
        Node labels in the graph's node order.
    self_loops : int
        Self-loops present in the graph and left out here.
    symmetrized : bool
        Whether the graph was directed and symmetrised (an edge wherever ``u->v`` or ``v->u``).
    """

    indptr: np.ndarray
    indices: np.ndarray
    nodes: np.ndarray
    self_loops: int
    symmetrized: bool

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        return len(self.indices) // 2

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbor_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of ``x`` over each node's neighbours."""
        out = np.empty(self.n, dtype=np.float64)
        K.neighbor_sum(self.indptr, self.indices, np.ascontiguousarray(x, dtype=np.float64), out)
        return out

    def subgraph(self, keep: np.ndarray) -> Adjacency:
        """The adjacency induced by the nodes where the boolean mask ``keep`` is True."""
        keep = np.asarray(keep, dtype=bool)
        rows = np.repeat(np.arange(self.n), self.degree)
        on = keep[rows] & keep[self.indices]
        new_id = np.cumsum(keep) - 1
        n_keep = int(keep.sum())
        indptr = np.zeros(n_keep + 1, dtype=np.int64)
        np.cumsum(np.bincount(new_id[rows[on]], minlength=n_keep), out=indptr[1:])
        indices = new_id[self.indices[on]].astype(self.indices.dtype)
        return Adjacency(indptr, indices, self.nodes[keep], self.self_loops, self.symmetrized)

    def csr(self) -> sp.csr_array:
        """The 0/1 adjacency as a (writeable, independent) ``scipy.sparse.csr_array``."""
        return sp.csr_array((np.ones(len(self.indices), dtype=np.float64), self.indices.copy(),
                             self.indptr.copy()), shape=(self.n, self.n))


def _check_directed(G, where: str, directed: str) -> None:
    if directed not in DIRECTED_POLICIES:
        raise ValueError(f"{where}: directed={directed!r}; choose one of {list(DIRECTED_POLICIES)}")
    if G.is_directed() and directed == "error":
        raise ValueError(
            f"{where}: G is directed ({type(G).__name__} with {G.number_of_edges()} arcs) but "
            f"{where} is defined on undirected graphs. Pass directed='symmetrize' to use the "
            "undirected simple graph (an edge u-v wherever u->v or v->u), or convert it yourself "
            "(G.to_undirected()).")


def adjacency(G, where: str, directed: str = "error") -> Adjacency:
    """The cached simple undirected :class:`Adjacency` of ``G`` for the statistics.

    Parameters
    ----------
    G : networkx.Graph or DiGraph
        A multigraph is refused (collapse it with ``nx.Graph(G)`` first).
    where : str
        Name of the calling function, for error messages.
    directed : {"error", "symmetrize"}
        What to do with a directed graph: raise ``ValueError``, or symmetrise it.

    Returns
    -------
    Adjacency
        Read-only arrays, shared with later calls on the same (unchanged) graph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 1), (1, 2)])
    >>> adj = adjacency(G, "example")
    >>> adj.degree.tolist(), adj.self_loops
    ([1, 2, 1], 1)
    """
    check_graph(G, where)
    if G.is_multigraph():
        raise TypeError(f"{where}: G is a {type(G).__name__}; collapse parallel edges first, "
                        f"e.g. nx.{'DiGraph' if G.is_directed() else 'Graph'}(G)")
    _check_directed(G, where, directed)
    if G.number_of_nodes() == 0:
        raise ValueError(f"{where}: the graph has no nodes")
    cache = _cache(G)
    if cache is not None and _CACHE_KEY in cache:
        return cache[_CACHE_KEY]
    n = G.number_of_nodes()
    nodes, identity = _labels(neighbours(G), n)
    indptr, indices = _read_adj(neighbours(G), n, identity, nodes)
    symmetrized = G.is_directed()
    if symmetrized:
        A = sp.csr_array((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(n, n))
        A = (A + A.T).tocsr()
        indptr, indices = A.indptr.astype(np.int64), A.indices.astype(np.int64)
        del A
    end = K.drop_diagonal(indptr, indices)
    loops = len(indices) - end  # one diagonal entry per self-loop (A + A.T merges the two)
    index_type = np.int32 if n < 2**31 - 1 else np.int64
    indices = indices[:end].astype(index_type)
    for arr in (indptr, indices, nodes):
        arr.flags.writeable = False
    adj = Adjacency(indptr, indices, nodes, int(loops), bool(symmetrized))
    if cache is not None:
        cache[_CACHE_KEY] = adj
    return adj


def prime(G, edges: np.ndarray) -> None:
    """Store the adjacency of a freshly built simple graph from its ``(m, 2)`` edge positions.

    For generators: the edges are already arrays, so the statistics need not read the networkx
    dictionaries back. ``edges`` must be the exact edges added to ``G`` (positions in its node
    order, no self-loops or duplicates, in insertion order), so the arrays equal what
    :func:`adjacency` would read (same neighbour order).
    """
    cache = _cache(G)
    if cache is None:
        return
    n = G.number_of_nodes()
    nodes, _ = _labels(neighbours(G), n)
    index_type = np.int32 if n < 2**31 - 1 else np.int64
    indptr = np.empty(n + 1, dtype=np.int64)
    indices = np.empty(2 * len(edges), dtype=index_type)
    K.csr_from_edges(np.ascontiguousarray(edges, dtype=np.int64), indptr, indices,
                     np.empty(n, dtype=np.int64))
    for arr in (indptr, indices, nodes):
        arr.flags.writeable = False
    cache[_CACHE_KEY] = Adjacency(indptr, indices, nodes, 0, False)


def _cache(G):
    """networkx's per-graph cache (cleared by networkx on mutation), when usable."""
    if nx.is_frozen(G) or not getattr(getattr(nx, "config", None), "cache_converted_graphs",
                                      False):
        return None
    return getattr(G, "__networkx_cache__", None)
