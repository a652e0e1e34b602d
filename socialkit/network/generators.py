"""Seeded network generators returning networkx graphs whose nodes are agent ids."""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np

from socialkit.params import Param, model

__all__ = ["barabasi_albert"]


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


def _nodes(n, population):
    if population is None:
        return np.arange(n), None
    from socialkit.population import Population

    if not isinstance(population, Population):
        raise TypeError(f"population must be a socialkit.Population, got {type(population).__name__}")
    if n is not None and n != len(population):
        raise ValueError(f"n={n} disagrees with the population's {len(population)} agents")
    return population.df["agent"].to_numpy(), population.df


def _build(ids, edges, df, name, **graph_attrs):
    G = nx.Graph(generator=name, **graph_attrs)
    if df is None:
        G.add_nodes_from(ids.tolist())
    else:
        records = df.drop(columns=["agent"]).to_dict("records")
        G.add_nodes_from(zip(ids.tolist(), records, strict=True))
    G.add_edges_from(ids[edges].tolist())
    return G


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
    ids, df = _nodes(n, population)
    n = len(ids)
    if n <= m:
        raise ValueError(f"barabasi_albert: need n > m, got n={n}, m={m}")
    edges = _ba_edges(n, m, np.random.default_rng(seed))
    return _build(ids, edges, df, "barabasi_albert", m=m, seed=seed)
