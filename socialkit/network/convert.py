"""Conversion between networkx graphs and sparse adjacency arrays."""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = ["to_csr", "check_graph"]


def check_graph(G, where: str) -> None:
    """Raise ``TypeError`` unless ``G`` is a networkx graph."""
    if not isinstance(G, nx.Graph):
        raise TypeError(f"{where}: expected a networkx graph, got {type(G).__name__}")


def to_csr(G, nodelist=None, weight: str | None = None, symmetric: bool | None = None):
    """Adjacency of ``G`` as a ``scipy.sparse.csr_array`` plus the node order used.

    Undirected graphs give a symmetric matrix; a self-loop ``(u, u)`` gives one diagonal entry.
    Directed graphs give ``A[i, j] = 1`` for an arc ``i -> j`` unless ``symmetric=True``.

    Parameters
    ----------
    G : networkx.Graph or DiGraph
    nodelist : sequence, optional
        Node order (default: ``list(G)``).
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
    nodes = np.asarray(list(G) if nodelist is None else list(nodelist))
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes.tolist())}
    m = G.number_of_edges()
    if m:
        pairs = np.fromiter((x for u, v in G.edges() for x in (index[u], index[v])),
                            dtype=np.int64, count=2 * m).reshape(m, 2)
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    if weight is None:
        data = np.ones(m, dtype=np.int64)
    else:
        data = np.fromiter((d.get(weight, 1.0) for _, _, d in G.edges(data=True)),
                           dtype=float, count=m)
    rows, cols = pairs[:, 0], pairs[:, 1]
    directed = G.is_directed()
    if not directed or symmetric:
        off = rows != cols
        rows, cols, data = (np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]]),
                            np.concatenate([data, data[off]]))
    A = sp.csr_array((data, (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    if directed and symmetric and weight is None:
        A.data = np.minimum(A.data, 1)
    return A, nodes
