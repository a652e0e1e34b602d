"""Samples of the Higgs Twitter retweet network for simulations on a real network."""

from __future__ import annotations

import functools
import heapq

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["higgs_sample"]


@functools.lru_cache(maxsize=1)
def _adjacency(_rows: int):
    """The undirected weighted retweet graph as CSR over Higgs user ids (cached)."""
    import scipy.sparse as sp

    from socialkit.datasets._registry import load

    rt = load("higgs_retweets")
    w = rt.groupby(["author", "user"]).size()
    a, u, c = (w.index.get_level_values(0).to_numpy(), w.index.get_level_values(1).to_numpy(),
               w.to_numpy())
    ids, inv = np.unique(np.concatenate([a, u]), return_inverse=True)
    ia, iu = inv[:len(a)], inv[len(a):]
    m = sp.csr_matrix((np.concatenate([c, c]), (np.concatenate([ia, iu]),
                                                np.concatenate([iu, ia]))),
                      shape=(len(ids), len(ids)))
    m.sum_duplicates()
    return ids, m.indptr, m.indices, m.data, a, u, c


def higgs_sample(n: int = 500, *, seeds: int = 5, seed: int = 0) -> tuple[nx.DiGraph,
                                                                          pd.DataFrame]:
    """A connected sample of ``n`` users of the Higgs retweet network, for simulations on a
    real network (S3, misinformation clones).

    Snowball sampling from the ``seeds`` most retweeted authors: the frontier user with the
    heaviest tie (most retweets) to the sample joins next, so the sample keeps the authors'
    active audiences rather than one giant star; ties are broken at random (``seed``).

    Parameters
    ----------
    n : int
        Users in the sample.
    seeds : int
        Most retweeted authors the sample grows from.
    seed : int
        Seed of the tie-breaking.

    Returns
    -------
    (networkx.DiGraph, DataFrame)
        The induced retweet graph relabelled 0..n-1, arcs author -> retweeter (socialkit's
        direction: ``sk.env.Feed(G)`` makes retweeters follow the authors they retweeted),
        ``weight`` = retweets; and a population table: ``agent``, ``user`` (Higgs id),
        ``retweets`` (retweets the user made in the week), ``retweeted`` (retweets of the
        user), ``first_retweet`` (hour of the week of its first retweet, NaN if none),
        ``source`` (one of the seed authors), ``weight``.

    Examples
    --------
    >>> G, people = higgs_sample(50, seeds=2)
    >>> G.number_of_nodes(), int(people["source"].sum()), nx.is_weakly_connected(G)
    (50, 2, True)
    """
    from socialkit.datasets._registry import load

    for name, v, lo in (("n", n, 2), ("seeds", seeds, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"higgs_sample {name} must be an integer >= {lo}, got {v!r}")
    if seeds > n:
        raise ValueError(f"higgs_sample: seeds={seeds} exceeds n={n}")
    rt = load("higgs_retweets")
    ids, indptr, indices, weights, a, u, c = _adjacency(len(rt))
    top = rt["author"].value_counts().index[:seeds].tolist()
    where_id = {x: i for i, x in enumerate(ids.tolist())}
    rng = np.random.default_rng(seed)
    chosen: dict[int, None] = {}
    heap: list[tuple[float, float, int]] = []
    for s in top:
        heapq.heappush(heap, (-np.inf, rng.random(), where_id[s]))
    while heap and len(chosen) < n:
        _, _, v = heapq.heappop(heap)
        if v in chosen:
            continue
        chosen[v] = None
        lo, hi = indptr[v], indptr[v + 1]
        nb, wt = indices[lo:hi].tolist(), weights[lo:hi].tolist()
        for y, k, r in zip(nb, wt, rng.random(len(nb)).tolist(), strict=True):
            if y not in chosen:
                heapq.heappush(heap, (-float(k), r, y))
    chosen = {int(ids[v]): None for v in chosen}
    users = list(chosen)
    H = nx.DiGraph()
    where = {x: i for i, x in enumerate(users)}
    H.add_nodes_from(range(len(users)))
    sel = pd.Series(a).isin(where).to_numpy() & pd.Series(u).isin(where).to_numpy()
    H.add_weighted_edges_from((where[x], where[y], int(k)) for x, y, k in
                              zip(a[sel].tolist(), u[sel].tolist(), c[sel].tolist(), strict=True))
    made = rt["user"].value_counts()
    got = rt["author"].value_counts()
    t0 = 1341100800  # 2012-07-01 00:00 UTC
    first = rt.groupby("user")["time"].min()
    people = pd.DataFrame({"agent": np.arange(len(users)), "user": users,
                           "retweets": [int(made.get(x, 0)) for x in users],
                           "retweeted": [int(got.get(x, 0)) for x in users],
                           "first_retweet": [(first.get(x, np.nan) - t0) / 3600 for x in users],
                           "source": [x in top for x in users], "weight": 1.0})
    H.graph.update({"name": "higgs_sample", "n": len(users), "seeds": top,
                    "direction": "author -> retweeter"})
    return H, people
