"""Seeded random-graph generators returning networkx graphs whose nodes are agent ids.

Edges are drawn by compiled kernels from a ``numpy.random.Generator`` (never the global random
state); the graph is then built in one pass. Every generator takes ``seed`` and ``population``:
with a :class:`socialkit.Population` the nodes are its agent ids carrying its attributes.
"""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np

from socialkit.network import _kernels as K
from socialkit.network._build import _build, _nodes, _rng, _seed_value
from socialkit.params import Param, model

__all__ = ["erdos_renyi", "barabasi_albert", "watts_strogatz", "powerlaw_cluster"]


@numba.njit(cache=True)
def _grow(edges, e):  # pragma: no cover - compiled
    out = np.empty((2 * len(edges) + 16, 2), dtype=np.int64)
    out[:e] = edges[:e]
    return out


@numba.njit(cache=True)
def _gnp_edges(n, p, rng, cap):  # pragma: no cover - compiled
    # Batagelj & Brandes (2005) geometric skipping over the pairs (v, w), w < v: O(n + m).
    edges = np.empty((max(cap, 16), 2), dtype=np.int64)
    e = 0
    if p <= 0.0 or n < 2:
        return edges[:0]
    lp = np.log(1.0 - p) if p < 1.0 else -np.inf
    v = 1
    w = -1
    while v < n:
        w += 1 + int(np.floor(np.log(1.0 - rng.random()) / lp))
        while w >= v and v < n:
            w -= v
            v += 1
        if v < n:
            if e == len(edges):
                edges = _grow(edges, e)
            edges[e, 0] = v
            edges[e, 1] = w
            e += 1
    return edges[:e]


def _expected_cap(pairs: float, p: float) -> int:
    mean = pairs * p
    return int(mean + 6 * np.sqrt(mean + 1) + 16)


@model(Param("p", float, None, low=0, high=1, allow_none=True, doc="probability of each tie"),
       Param("mean_degree", float, None, low=0, allow_none=True,
             doc="expected mean degree (instead of p): p = mean_degree / (n - 1)"))
def erdos_renyi(n: int | None = None, p: float | None = None, *, mean_degree: float | None = None,
                seed: int | None = None, population=None) -> nx.Graph:
    """Erdős–Rényi random graph G(n, p): every pair of nodes is tied independently with prob. p.

    Edges are drawn by geometric skipping (Batagelj & Brandes 2005, Phys. Rev. E 71:036113) in
    time proportional to n + edges. Give either ``p`` or ``mean_degree``.

    Parameters
    ----------
    n : int
        Number of nodes (taken from ``population`` when given).
    p : float, optional
        Tie probability in [0, 1].
    mean_degree : float, optional
        Expected mean degree; sets ``p = mean_degree / (n - 1)``.
    seed : int, optional
        Seed of the generator.
    population : socialkit.Population, optional
        Nodes become its agent ids and carry its attributes.

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> G = erdos_renyi(1000, mean_degree=10, seed=1)
    >>> G.number_of_nodes(), round(2 * G.number_of_edges() / 1000, 1)
    (1000, 10.1)
    """
    ids, df = _nodes(n, population, "erdos_renyi")
    n = len(ids)
    if (p is None) == (mean_degree is None):
        raise ValueError("erdos_renyi: give exactly one of p and mean_degree")
    if p is None:
        if mean_degree > max(n - 1, 0):
            raise ValueError(f"erdos_renyi: mean_degree={mean_degree} exceeds n - 1 = {n - 1}")
        p = mean_degree / (n - 1) if n > 1 else 0.0
    pairs = n * (n - 1) / 2
    edges = _gnp_edges(n, float(p), _rng(seed), _expected_cap(pairs, p))
    return _build(ids, edges, df, "erdos_renyi", p=p, seed=_seed_value(seed))


@numba.njit(cache=True)
def _ba_edges(n, m, rng):  # pragma: no cover - compiled
    # Initial star on m + 1 nodes (node 0 the hub), as networkx does; then each new node attaches
    # to m distinct existing nodes drawn proportionally to degree (uniform draws from the list of
    # edge endpoints), using the caller's numpy Generator.
    n_edges = m + (n - m - 1) * m
    edges = np.empty((n_edges, 2), dtype=np.int64)
    ends = np.empty(2 * n_edges, dtype=np.int64)
    n_ends = 0
    e = 0
    for v in range(1, m + 1):
        edges[e, 0] = 0
        edges[e, 1] = v
        e += 1
        ends[n_ends] = 0
        ends[n_ends + 1] = v
        n_ends += 2
    chosen = np.empty(m, dtype=np.int64)
    for v in range(m + 1, n):
        c = 0
        while c < m:
            t = ends[rng.integers(0, n_ends)]
            dup = False
            for j in range(c):
                if chosen[j] == t:
                    dup = True
                    break
            if not dup:
                chosen[c] = t
                c += 1
        for j in range(m):
            edges[e, 0] = v
            edges[e, 1] = chosen[j]
            e += 1
            ends[n_ends] = v
            ends[n_ends + 1] = chosen[j]
            n_ends += 2
    return edges


@model(Param("m", int, 3, low=1, doc="edges added per new node"))
def barabasi_albert(n: int | None = None, m: int = 3, *, seed: int | None = None,
                    population=None) -> nx.Graph:
    """Barabási–Albert preferential-attachment graph.

    Starts from a star on ``m + 1`` nodes; each further node attaches to ``m`` distinct existing
    nodes chosen with probability proportional to their degree (Barabási & Albert 1999, Science
    286:509). Mean degree approaches ``2 m``.

    Parameters
    ----------
    n : int
        Number of nodes (taken from ``population`` when given).
    m : int
        Edges per new node; ``1 <= m < n``.
    seed : int, optional
        Seed of the generator.
    population : socialkit.Population, optional
        Nodes become its agent ids and carry its attributes.

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> G = barabasi_albert(1000, 3, seed=1)
    >>> G.number_of_nodes(), G.number_of_edges()
    (1000, 2991)
    """
    ids, df = _nodes(n, population, "barabasi_albert")
    n = len(ids)
    if n <= m:
        raise ValueError(f"barabasi_albert: need n > m, got n={n}, m={m}")
    edges = _ba_edges(n, m, _rng(seed))
    return _build(ids, edges, df, "barabasi_albert", m=m, seed=_seed_value(seed))


@numba.njit(cache=True)
def _ws_edges(n, half, p, rng, table):  # pragma: no cover - compiled
    # Ring lattice (each node tied to `half` neighbours on each side), then networkx's rewiring:
    # visiting the edges (u, u + j) for j = 1..half, u = 0..n-1, with probability p the far end
    # moves to a uniformly random node w, w != u and u-w not yet tied (skipped when u is already
    # tied to every other node).
    m = n * half
    edges = np.empty((m, 2), dtype=np.int64)
    deg = np.full(n, 2 * half, dtype=np.int64)
    e = 0
    for j in range(1, half + 1):
        for u in range(n):
            v = (u + j) % n
            edges[e, 0] = u
            edges[e, 1] = v
            K.set_add(table, min(u, v) * n + max(u, v))
            e += 1
    for e in range(m):
        if rng.random() >= p:
            continue
        u = edges[e, 0]
        v = edges[e, 1]
        if deg[u] >= n - 1:
            continue
        w = rng.integers(0, n)
        while w == u or K.set_has(table, min(u, w) * n + max(u, w)):
            w = rng.integers(0, n)
        K.set_remove(table, min(u, v) * n + max(u, v))
        K.set_add(table, min(u, w) * n + max(u, w))
        deg[v] -= 1
        deg[w] += 1
        edges[e, 1] = w
    return edges


@model(Param("k", int, 4, low=2, doc="each node's lattice neighbours (even)"),
       Param("p", float, 0.1, low=0, high=1, doc="rewiring probability per edge"))
def watts_strogatz(n: int | None = None, k: int = 4, p: float = 0.1, *, seed: int | None = None,
                   population=None) -> nx.Graph:
    """Watts–Strogatz small-world graph: a rewired ring lattice.

    Each node is tied to its ``k / 2`` nearest neighbours on either side of a ring; then each
    lattice edge ``(u, u + j)`` in turn has its far end moved, with probability ``p``, to a uniformly
    random node that is neither ``u`` nor already tied to ``u`` (Watts & Strogatz 1998, Nature
    393:440; the rewiring order of ``networkx.watts_strogatz_graph``). Edges stay ``n k / 2``.

    Parameters
    ----------
    n : int
        Number of nodes (taken from ``population`` when given); ``n > k``.
    k : int
        Even number of lattice neighbours per node (the mean degree).
    p : float
        Rewiring probability; 0 keeps the lattice, 1 gives a random graph.
    seed : int, optional
        Seed of the generator.
    population : socialkit.Population, optional
        Nodes become its agent ids and carry its attributes.

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> G = watts_strogatz(1000, 10, 0.1, seed=1)
    >>> G.number_of_edges(), sorted(set(dict(watts_strogatz(20, 4, 0.0).degree()).values()))
    (5000, [4])
    """
    ids, df = _nodes(n, population, "watts_strogatz")
    n = len(ids)
    if k % 2:
        raise ValueError(f"watts_strogatz: k must be even (k/2 neighbours on each side), got {k}")
    if n <= k:
        raise ValueError(f"watts_strogatz: need n > k, got n={n}, k={k}")
    table = K.new_set(n * (k // 2))
    edges = _ws_edges(n, k // 2, p, _rng(seed), table)
    return _build(ids, edges, df, "watts_strogatz", k=k, p=p, seed=_seed_value(seed))


@numba.njit(cache=True)
def _append(node, val, pool, start, cap, deg, top):  # pragma: no cover - compiled
    if deg[node] == cap[node]:
        new = max(8, 2 * cap[node])
        if top + new > len(pool):
            bigger = np.empty(2 * len(pool) + new, dtype=np.int64)
            bigger[:top] = pool[:top]
            pool = bigger
        pool[top:top + deg[node]] = pool[start[node]:start[node] + deg[node]]
        start[node] = top
        cap[node] = new
        top += new
    pool[start[node] + deg[node]] = val
    deg[node] += 1
    return pool, top


@numba.njit(cache=True)
def _linked(chosen, c, u):  # pragma: no cover - compiled
    for j in range(c):
        if chosen[j] == u:
            return True
    return False


@numba.njit(cache=True)
def _hk_edges(n, m, p, rng):  # pragma: no cover - compiled
    n_edges = (n - m) * m
    edges = np.empty((n_edges, 2), dtype=np.int64)
    ends = np.empty(2 * n_edges + m, dtype=np.int64)
    for i in range(m):
        ends[i] = i
    n_ends = m
    pool = np.empty(4 * n_edges + 8 * m, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    cap = np.zeros(n, dtype=np.int64)
    deg = np.zeros(n, dtype=np.int64)
    top = 0
    chosen = np.empty(m, dtype=np.int64)
    e = 0
    for v in range(m, n):
        target = ends[rng.integers(0, n_ends)]
        chosen[0] = target
        c = 1
        while c < m:
            found = -1
            if rng.random() < p and deg[target] > 0:  # triad formation around the last PA target
                dt = deg[target]
                base = start[target]
                for _ in range(8):
                    u = pool[base + rng.integers(0, dt)]
                    if u != v and not _linked(chosen, c, u):
                        found = u
                        break
                if found < 0:  # few valid candidates: draw exactly among them
                    cnt = 0
                    for q in range(dt):
                        u = pool[base + q]
                        if u != v and not _linked(chosen, c, u):
                            cnt += 1
                    if cnt > 0:
                        r = rng.integers(0, cnt)
                        for q in range(dt):
                            u = pool[base + q]
                            if u != v and not _linked(chosen, c, u):
                                if r == 0:
                                    found = u
                                    break
                                r -= 1
            if found < 0:  # preferential attachment to a node not yet tied to v
                found = ends[rng.integers(0, n_ends)]
                while _linked(chosen, c, found):
                    found = ends[rng.integers(0, n_ends)]
                target = found
            chosen[c] = found
            c += 1
        for j in range(m):
            u = chosen[j]
            edges[e, 0] = v
            edges[e, 1] = u
            e += 1
            pool, top = _append(v, u, pool, start, cap, deg, top)
            pool, top = _append(u, v, pool, start, cap, deg, top)
            ends[n_ends] = u
            ends[n_ends + 1] = v
            n_ends += 2
    return edges


@model(Param("m", int, 3, low=1, doc="edges added per new node"),
       Param("p", float, 0.5, low=0, high=1, doc="probability of a triad-formation step"))
def powerlaw_cluster(n: int | None = None, m: int = 3, p: float = 0.5, *,
                     seed: int | None = None, population=None) -> nx.Graph:
    """Holme–Kim graph: preferential attachment with triad formation (power law + clustering).

    Starts from ``m`` isolated nodes. Each new node ``v`` makes ``m`` ties to distinct nodes: the
    first by preferential attachment (probability proportional to degree, the initial nodes
    counting once); each further tie is, with probability ``p``, a triad-formation step (a
    uniformly random neighbour of the most recent preferential-attachment target that ``v`` is not
    yet tied to, closing a triangle) and otherwise, or when no such neighbour exists, another
    preferential-attachment step (Holme & Kim 2002, Phys. Rev. E 65:026107). Mean degree
    approaches ``2 m``; ``p`` tunes clustering.

    Parameters
    ----------
    n : int
        Number of nodes (taken from ``population`` when given); ``n > m``.
    m : int
        Ties per new node.
    p : float
        Probability of a triad-formation step.
    seed : int, optional
        Seed of the generator.
    population : socialkit.Population, optional
        Nodes become its agent ids and carry its attributes.

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> import networkx as nx
    >>> G = powerlaw_cluster(2000, 3, 0.9, seed=1)
    >>> G.number_of_edges(), bool(nx.transitivity(G) > 0.05)
    (5991, True)
    """
    ids, df = _nodes(n, population, "powerlaw_cluster")
    n = len(ids)
    if n <= m:
        raise ValueError(f"powerlaw_cluster: need n > m, got n={n}, m={m}")
    edges = _hk_edges(n, m, p, _rng(seed))
    return _build(ids, edges, df, "powerlaw_cluster", m=m, p=p, seed=_seed_value(seed))
