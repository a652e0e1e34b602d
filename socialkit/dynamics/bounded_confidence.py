"""Bounded-confidence opinion dynamics."""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp
from tqdm.auto import tqdm

from socialkit.dynamics._common import Recorder, initial_values, make_rng
from socialkit.network.convert import check_graph, to_csr
from socialkit.params import Param, model

__all__ = ["deffuant"]


@numba.njit(cache=True)
def _deffuant_sweep(x, src, dst, picks, epsilon, mu):  # pragma: no cover - compiled
    # Sequential pairwise updates: encounter t uses the edge picks[t]; the pair moves towards
    # each other by mu times their difference when it is below epsilon. Returns updates made.
    moved = 0
    for t in range(picks.shape[0]):
        e = picks[t]
        i = src[e]
        j = dst[e]
        d = x[j] - x[i]
        if abs(d) < epsilon:
            x[i] += mu * d
            x[j] -= mu * d
            moved += 1
    return moved


@model(
    Param("epsilon", float, 0.2, low=0, high=1, low_open=True,
          doc="confidence bound: agents interact only if their opinions differ by less"),
    Param("mu", float, 0.5, low=0, high=0.5, low_open=True,
          doc="convergence rate: share of the difference each agent moves"),
    Param("steps", int, 100, low=0, doc="sweeps; one sweep is N pair encounters"),
)
def deffuant(G: nx.Graph, opinions, *, epsilon: float = 0.2, mu: float = 0.5, steps: int = 100,
             seed: int | None = None, record="agents", progress: bool = False):
    """Deffuant–Weisbuch bounded-confidence model on a network.

    Update scheme (sequential pairwise): one step is a sweep of N encounters (N = number of
    agents). Each encounter picks an edge ``(i, j)`` uniformly at random; if
    ``|x_i - x_j| < epsilon`` both move: ``x_i += mu (x_j - x_i)`` and ``x_j += mu (x_i - x_j)``
    (computed from the pre-encounter values), which conserves ``x_i + x_j``. Opinions lie in
    [0, 1]. Isolated nodes never interact and keep their opinion. Directed graphs are treated as
    undirected. Source: Deffuant, Neau, Amblard & Weisbuch (2000), "Mixing beliefs among
    interacting agents", Advances in Complex Systems 3:87-98.

    Parameters
    ----------
    G : networkx.Graph
        Interaction network; nodes are agent ids.
    opinions : array-like, str, Series or mapping
        Initial opinions in [0, 1]: an array in ``list(G)`` order, a node attribute name, or a
        Series / mapping indexed by node (e.g. ``pop.column("selfLR")`` rescaled).
    epsilon, mu, steps
        See the parameter schema (``deffuant.schema``).
    seed : int, optional
        Seed of the run's random generator (drawn and recorded when omitted).
    record : "agents", int or "summary"
        What to keep (see :class:`socialkit.dynamics._common.Recorder`).
    progress : bool
        Show a ``tqdm`` progress bar over sweeps.

    Returns
    -------
    socialkit.Run
        Variable ``opinion``; ``run.params`` also holds ``n_updates`` (encounters that moved).

    Examples
    --------
    >>> import socialkit as sk
    >>> G = sk.network.barabasi_albert(500, 3, seed=1)
    >>> run = sk.dynamics.deffuant(G, opinions=[i / 499 for i in range(500)], epsilon=0.3,
    ...                            steps=20, seed=1)
    >>> run.trajectory.shape, round(float(run.final().mean()), 6)
    ((10500, 4), 0.5)
    """
    check_graph(G, "deffuant")
    if G.number_of_nodes() == 0:
        raise ValueError("deffuant: the graph has no nodes")
    x = initial_values(G, opinions, "deffuant: opinions", low=0.0, high=1.0)
    rng, seed = make_rng(seed)
    A, nodes = to_csr(G, symmetric=True)
    upper = sp.triu(A, k=1).tocoo()
    src, dst = upper.row.astype(np.int64), upper.col.astype(np.int64)
    rec = Recorder(record, nodes, steps, "opinion")
    rec(0, x)
    n_updates = 0
    for step in tqdm(range(1, steps + 1), disable=not progress, desc="deffuant", unit="sweep"):
        if len(src):
            picks = rng.integers(0, len(src), size=len(x))
            n_updates += int(_deffuant_sweep(x, src, dst, picks, epsilon, mu))
        rec(step, x)
    params = {"epsilon": epsilon, "mu": mu, "steps": steps, "record": record,
              "n_agents": len(x), "n_edges": len(src), "n_updates": n_updates}
    return rec.run("deffuant", params, seed)
