"""Shared plumbing of the generators: node ids from a Population and fast graph building."""

from __future__ import annotations

import gc
from contextlib import contextmanager

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.network.convert import prime


def _nodes(n, population, where: str = "generator"):
    """Agent ids (and the attribute table) for ``n`` nodes or for a Population."""
    if population is None:
        if n is None:
            raise ValueError(f"{where}: give the number of nodes n or a population")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"{where}: n must be a non-negative integer, got {n!r}")
        return np.arange(int(n)), None
    from socialkit.population import Population

    if not isinstance(population, Population):
        raise TypeError(f"population must be a socialkit.Population, got {type(population).__name__}")
    if n is not None and n != len(population):
        raise ValueError(f"n={n} disagrees with the population's {len(population)} agents")
    return population.df["agent"].to_numpy(), population.df


@contextmanager
def _no_gc():
    """Pause Python's cyclic garbage collector while millions of containers are created.

    Building a large networkx graph allocates one dict per node and per edge; the collector would
    otherwise rescan the growing heap again and again, which dominates the build time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(ids, edges, df, name, node_attrs=None, **graph_attrs):
    """A ``networkx.Graph`` on ``ids`` (with ``df``'s attributes) and the ``(m, 2)`` ``edges``.

    ``edges`` hold positions into ``ids``. Neighbour keys reuse the node-label objects (no
    per-edge integer objects), and edges are streamed into ``add_edges_from`` as tuples. The CSR
    adjacency of the new graph is cached for the statistics (see ``convert.prime``).
    """
    G = nx.Graph(generator=name, **graph_attrs)
    if df is not None:  # keep the order of categorical attributes (e.g. party ID) for plots
        cats = {c: df[c].cat.categories.tolist() for c in df.columns
                if isinstance(df[c].dtype, pd.CategoricalDtype)}
        if cats:
            G.graph["categories"] = cats
    labels = ids.tolist()
    with _no_gc():
        if df is None and node_attrs is None:
            G.add_nodes_from(labels)
        else:
            records = (df.drop(columns=["agent"]).to_dict("records") if df is not None
                       else [{} for _ in labels])
            for key, values in (node_attrs or {}).items():
                for rec, v in zip(records, values.tolist(), strict=True):
                    rec[key] = v
            G.add_nodes_from(zip(labels, records, strict=True))
        if len(edges):
            get = labels.__getitem__
            G.add_edges_from(zip(map(get, edges[:, 0].tolist()), map(get, edges[:, 1].tolist()),
                                 strict=True))
    simple = G.number_of_edges() == len(edges) and not (edges[:, 0] == edges[:, 1]).any()
    if simple:  # as the kernels promise: cache the CSR adjacency too
        prime(G, edges)
    return G


def _seed_value(seed):
    """Seeds are ints or None (a numpy Generator may be passed for composition)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return int(seed)


def _rng(seed):
    return np.random.default_rng(_seed_value(seed))
