"""Node positions for network figures: a compiled force-directed layout, and sampled views.

networkx's ``spring_layout`` loops in Python over the nodes (15 s for 2,000 nodes); the same
Fruchterman–Reingold scheme compiled with numba takes about a second there.
"""

from __future__ import annotations

import math

import networkx as nx
import numba
import numpy as np
from tqdm.auto import tqdm

__all__ = ["layout", "sample_view"]

_NX_LAYOUTS = {"kamada_kawai": nx.kamada_kawai_layout, "circular": nx.circular_layout,
               "spectral": nx.spectral_layout, "shell": nx.shell_layout,
               "random": nx.random_layout}


@numba.njit(fastmath=True, cache=True)
def _fr_iterations(px, py, indptr, indices, k, gravity, t0, first, last,
                   total):  # pragma: no cover - compiled
    # Fruchterman & Reingold (1991): repulsion k^2/d between all pairs, attraction d^2/k along
    # edges; each node moves at most the temperature, which cools linearly from t0 to 0 over
    # `total` iterations (this call does iterations first..last-1). A weak pull towards the
    # centre (gravity, as in ForceAtlas2) keeps small components near the rest. Serial on
    # purpose: a parallel region per iteration stalls when the machine is busy.
    n = px.shape[0]
    k2 = k * k
    dx = np.empty(n)
    dy = np.empty(n)
    for it in range(first, last):
        temperature = t0 * (1.0 - it / total) + 1e-4
        cx = px.mean()
        cy = py.mean()
        for i in range(n):
            xi = px[i]
            yi = py[i]
            fx = 0.0
            fy = 0.0
            for j in range(n):
                ex = xi - px[j]
                ey = yi - py[j]
                f = k2 / (ex * ex + ey * ey + 1e-9)  # the j == i term is zero: ex = ey = 0
                fx += ex * f
                fy += ey * f
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                ex = xi - px[j]
                ey = yi - py[j]
                d = math.sqrt(ex * ex + ey * ey)
                fx -= ex * d / k
                fy -= ey * d / k
            dx[i] = fx - gravity * (xi - cx)
            dy[i] = fy - gravity * (yi - cy)
        for i in range(n):
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if length > 0:
                s = min(length, temperature) / length
                px[i] += dx[i] * s
                py[i] += dy[i] * s


def _spring(G, seed: int, iterations: int, progress: bool) -> dict:
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: np.zeros(2)}
    A = nx.to_scipy_sparse_array(G.to_undirected(as_view=True), nodelist=nodes, format="csr")
    rng = np.random.default_rng(seed)
    px, py = rng.random(n), rng.random(n)
    indptr, indices = A.indptr.astype(np.int64), A.indices.astype(np.int64)
    block = 10
    with tqdm(total=iterations, desc="layout", unit="it", leave=False,
              disable=not progress) as bar:
        for first in range(0, iterations, block):
            last = min(iterations, first + block)
            _fr_iterations(px, py, indptr, indices, 1.0 / math.sqrt(n), 1.0, 0.1, first, last,
                           iterations)
            bar.update(last - first)
    pos = np.column_stack([px, py])
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max()
    pos /= scale if scale > 0 else 1
    return dict(zip(nodes, pos, strict=True))


def layout(G, kind="spring", seed: int = 0, iterations: int = 100,
           progress: bool | None = None) -> dict:
    """Node positions (node -> array of x, y in [-1, 1]) for drawing ``G``.

    Parameters
    ----------
    G : networkx.Graph
    kind : str, dict or callable
        ``"spring"`` (Fruchterman–Reingold, compiled; seeded), any of ``"kamada_kawai"``,
        ``"circular"``, ``"spectral"``, ``"shell"``, ``"random"`` (networkx), a dict of
        positions (returned as given) or a function ``G -> positions``.
    seed : int
        Seed of the initial positions.
    iterations : int
        Spring iterations.
    progress : bool, optional
        Show a tqdm bar (default: for graphs over 1,000 nodes).

    Returns
    -------
    dict node -> numpy array (x, y)

    Examples
    --------
    >>> import networkx as nx
    >>> pos = layout(nx.path_graph(5), seed=1)
    >>> sorted(pos) == [0, 1, 2, 3, 4], bool(abs(pos[0] - pos[4]).max() > abs(pos[0] - pos[1]).max())
    (True, True)
    """
    if not isinstance(G, nx.Graph):
        raise TypeError(f"layout needs a networkx graph, got {type(G).__name__}")
    if isinstance(kind, dict):
        missing = [v for v in G if v not in kind]
        if missing:
            raise ValueError(f"the positions lack {len(missing)} node(s), e.g. {missing[:3]}")
        return kind
    if callable(kind):
        return kind(G)
    if kind == "spring":
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
        return _spring(G, seed, iterations, G.number_of_nodes() > 1000 if progress is None
                       else progress)
    if kind in _NX_LAYOUTS:
        fn = _NX_LAYOUTS[kind]
        return fn(G, seed=seed) if kind == "random" else fn(G)
    raise ValueError(f"unknown layout {kind!r}; choose 'spring', "
                     f"{', '.join(repr(k) for k in _NX_LAYOUTS)}, a dict or a function")


def sample_view(G, max_nodes: int, how: str = "core", seed: int = 0):
    """A subgraph of at most ``max_nodes`` nodes to draw, and a sentence saying what it is.

    Parameters
    ----------
    G : networkx.Graph
    max_nodes : int
    how : {"core", "random", "bfs"}
        ``"core"``: the largest k-core of the giant component that fits (the densely knit
        centre; a random sample of it when even the innermost core is too big); ``"random"``:
        the subgraph induced by a random node sample; ``"bfs"``: the nodes reached first by a
        breadth-first search from a random node (a connected neighbourhood).
    seed : int

    Returns
    -------
    (networkx.Graph, str or None)
        ``G`` itself and None when it is small enough.

    Examples
    --------
    >>> import networkx as nx
    >>> H, note = sample_view(nx.barabasi_albert_graph(500, 2, seed=0), 100, how="bfs")
    >>> H.number_of_nodes(), note
    (100, 'sampled view: 100 of 500 nodes, breadth-first from a random node')
    """
    n = G.number_of_nodes()
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive integer, got {max_nodes!r}")
    if how not in ("core", "random", "bfs"):
        raise ValueError(f"how must be 'core', 'random' or 'bfs', got {how!r}")
    if n <= max_nodes:
        return G, None
    rng = np.random.default_rng(seed)
    nodes = list(G)
    if how == "random":
        keep = [nodes[i] for i in np.sort(rng.choice(n, max_nodes, replace=False))]
        return G.subgraph(keep), f"sampled view: {max_nodes:,} of {n:,} nodes, at random"
    if how == "bfs":
        keep = _bfs(G.to_undirected(as_view=True), nodes[int(rng.integers(n))], max_nodes)
        return G.subgraph(keep), (f"sampled view: {len(keep):,} of {n:,} nodes, breadth-first "
                                  "from a random node")
    und = nx.Graph(G.to_undirected(as_view=True))
    und.remove_edges_from(nx.selfloop_edges(und))
    giant = max(nx.connected_components(und), key=len)
    core = nx.core_number(und.subgraph(giant))
    values = np.array(list(core.values()))
    previous = None
    for k in range(int(values.min()), int(values.max()) + 1):
        members = [v for v, c in core.items() if c >= k]
        if len(members) <= max_nodes:
            if len(members) >= max_nodes // 2 or previous is None:
                return G.subgraph(members), (f"sampled view: the {k}-core of the giant "
                                             f"component, {len(members):,} of {n:,} nodes")
            break  # this core is much smaller than allowed: sample the one before it
        previous = (k, members)
    k, members = previous
    inner = und.subgraph(members)
    hub = max(inner.degree(), key=lambda item: item[1])[0]
    keep = _bfs(inner, hub, max_nodes)
    return G.subgraph(keep), (f"sampled view: {len(keep):,} of {n:,} nodes, breadth-first "
                              f"from the best-connected node within the {k}-core")


def _bfs(G, start, max_nodes: int) -> list:
    keep = [start]
    for _, v in nx.bfs_edges(G, start):
        if len(keep) >= max_nodes:
            break
        keep.append(v)
    return keep
