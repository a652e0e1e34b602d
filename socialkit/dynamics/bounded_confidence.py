"""Bounded-confidence opinion dynamics: Deffuant–Weisbuch and Hegselmann–Krause."""

from __future__ import annotations

import numba
import numpy as np
from tqdm.auto import tqdm

from socialkit.dynamics._common import Recorder, agent_values, make_rng
from socialkit.dynamics._graph import network
from socialkit.params import Param, model

__all__ = ["deffuant", "hegselmann_krause"]

# Hot loops take blocks of random numbers drawn with numpy from the run's Generator (numba's
# in-kernel Generator.integers is about five times slower); all randomness flows from `seed`.


@numba.njit(cache=True)
def _deffuant_edges(x, src, dst, picks, epsilon, mu):  # pragma: no cover - compiled
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


@numba.njit(cache=True)
def _deffuant_pairs(x, first, second, epsilon, mu):  # pragma: no cover - compiled
    # Well-mixed: encounter t is the pair (first[t], second[t]) of distinct agents.
    moved = 0
    for t in range(first.shape[0]):
        i = first[t]
        j = second[t]
        d = x[j] - x[i]
        if abs(d) < epsilon:
            x[i] += mu * d
            x[j] -= mu * d
            moved += 1
    return moved


_EPSILON = Param("epsilon", float, 0.2, low=0, high=1, low_open=True,
                 doc="confidence bound: agents interact only if their opinions differ by less")


@model(
    _EPSILON,
    Param("mu", float, 0.5, low=0, high=0.5, low_open=True,
          doc="convergence rate: share of the difference each agent moves"),
    Param("steps", int, 100, low=0, doc="sweeps; one sweep is N pair encounters"),
)
def deffuant(G, opinions, *, epsilon: float = 0.2, mu: float = 0.5, steps: int = 100,
             seed: int | None = None, record="agents", progress: bool = False):
    """Deffuant–Weisbuch bounded-confidence model on a network or a well-mixed population.

    Update scheme (sequential pairwise): one step is a sweep of N encounters (N = number of
    agents). Each encounter picks an edge ``(i, j)`` uniformly at random (well-mixed: a pair of
    distinct agents uniformly at random); if ``|x_i - x_j| < epsilon`` both move:
    ``x_i += mu (x_j - x_i)`` and ``x_j += mu (x_i - x_j)`` (computed from the pre-encounter
    values), which conserves ``x_i + x_j``. Opinions lie in [0, 1]. Isolated nodes never interact
    and keep their opinion. Directed graphs are treated as undirected and self-loops ignored.
    With uniform initial opinions on a well-mixed population the final opinions form about
    ``floor(1 / (2 epsilon))`` clusters. Source: Deffuant, Neau, Amblard & Weisbuch (2000),
    "Mixing beliefs among interacting agents", Advances in Complex Systems 3:87-98.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
        Interaction network; nodes are agent ids. A sparse adjacency stands for agents
        ``0..N-1``; None is a well-mixed population (any two agents may meet).
    opinions : array-like, str, Series or mapping
        Initial opinions in [0, 1]: an array in ``list(G)`` order, a node attribute name, or a
        Series / mapping indexed by agent id (e.g. ``(pop.column("selfLR") - 1) / 6``).
    epsilon, mu, steps
        See the parameter schema (``deffuant.schema``).
    seed : int, optional
        Seed of the run's random generator (drawn and recorded when omitted).
    record : "agents", int or "summary"
        Every agent every step, every agent every k steps, or per-step mean/sd/min/max only.
    progress : bool
        Show a ``tqdm`` progress bar over sweeps.

    Returns
    -------
    socialkit.Run
        Variable ``opinion``; ``run.params`` also holds ``n_updates`` (encounters within the
        confidence bound, which updated both agents).

    Examples
    --------
    >>> import socialkit as sk
    >>> G = sk.network.barabasi_albert(500, 3, seed=1)
    >>> run = sk.dynamics.deffuant(G, opinions=[i / 499 for i in range(500)], epsilon=0.3,
    ...                            steps=20, seed=1)
    >>> run.trajectory.shape, round(float(run.final().mean()), 6)
    ((10500, 4), 0.5)
    >>> mixed = sk.dynamics.deffuant(None, [0.1, 0.2, 0.8], epsilon=0.3, steps=10, seed=0)
    >>> [round(float(v), 6) for v in mixed.final()]
    [0.15, 0.15, 0.8]
    """
    net = network(G, opinions, "deffuant")
    x = agent_values(net, opinions, "deffuant: opinions", low=0.0, high=1.0)
    rng, seed = make_rng(seed)
    n = net.n
    if net.well_mixed:
        src = dst = None
        n_pairs = n * (n - 1) // 2
    else:
        src, dst = net.edges()
        n_pairs = len(src)
        if n < 2**31:  # halves the memory traffic of the random edge lookups
            src, dst = src.astype(np.int32), dst.astype(np.int32)
    rec = Recorder(record, net.nodes, steps, "opinion")
    rec(0, x)
    n_updates = 0
    for step in tqdm(range(1, steps + 1), disable=not progress, desc="deffuant", unit="sweep"):
        if n_pairs and src is not None:
            picks = rng.integers(0, n_pairs, size=n)
            n_updates += int(_deffuant_edges(x, src, dst, picks, epsilon, mu))
        elif n_pairs:
            first = rng.integers(0, n, size=n)
            second = rng.integers(0, n - 1, size=n)
            second += second >= first
            n_updates += int(_deffuant_pairs(x, first, second, epsilon, mu))
        rec(step, x)
    params = {"epsilon": epsilon, "mu": mu, "steps": steps, "record": record, "n_agents": n,
              "n_edges": n_pairs, "well_mixed": net.well_mixed, "n_updates": n_updates}
    return rec.run("deffuant", params, seed)


@numba.njit(parallel=True, cache=True)
def _hk_graph(x, indptr, indices, epsilon, out):  # pragma: no cover - compiled
    # Synchronous: every agent takes the mean of itself and its in-neighbours within epsilon.
    for i in numba.prange(x.shape[0]):
        xi = x[i]
        total = xi
        count = 1
        for k in range(indptr[i], indptr[i + 1]):
            xj = x[indices[k]]
            if abs(xj - xi) <= epsilon:
                total += xj
                count += 1
        out[i] = total / count


@numba.njit(cache=True)
def _hk_sorted(xs, epsilon, out):  # pragma: no cover - compiled
    # Well-mixed, on sorted opinions: each agent's partners within epsilon form a contiguous
    # window [lo, hi) found with two pointers; the window mean comes from prefix sums and is
    # clipped into the window's range (guards against rounding of the prefix sums).
    n = xs.shape[0]
    cs = np.empty(n + 1)
    cs[0] = 0.0
    for i in range(n):
        cs[i + 1] = cs[i] + xs[i]
    lo = 0
    hi = 0
    for i in range(n):
        while abs(xs[i] - xs[lo]) > epsilon:
            lo += 1
        if hi < i + 1:
            hi = i + 1
        while hi < n and abs(xs[hi] - xs[i]) <= epsilon:
            hi += 1
        m = (cs[hi] - cs[lo]) / (hi - lo)
        out[i] = min(max(m, xs[lo]), xs[hi - 1])


_STILL = 1e-12  # an HK state whose opinions move less than this is the fixed point


@model(
    _EPSILON,
    Param("steps", int, 50, low=0, doc="synchronous rounds; every agent updates in each"),
)
def hegselmann_krause(G, opinions, *, epsilon: float = 0.2, steps: int = 50,
                      seed: int | None = None, record="agents", progress: bool = False):
    """Hegselmann–Krause bounded-confidence model (synchronous averaging).

    Update scheme (synchronous): at every step **every** agent moves, simultaneously, to the mean
    opinion of the agents within its confidence bound,
    ``x_i(t+1) = mean{x_j(t) : j in N(i) + {i}, |x_j(t) - x_i(t)| <= epsilon}``, where ``N(i)``
    are the agents ``i`` listens to (its neighbours; for a directed graph the ``j`` with an arc
    ``j -> i``; self-loops ignored) and, with ``G=None``, every agent (the classic well-mixed
    model, computed in O(N) per step on sorted opinions). Isolated nodes keep their opinion.
    Opinions lie in [0, 1]. The model is deterministic; ``seed`` is only recorded. Well mixed,
    large ``epsilon`` ends in consensus and small ``epsilon`` in several clusters, about
    ``1 / (2 epsilon)`` for uniform initial opinions. Sources: Hegselmann & Krause (2002),
    "Opinion dynamics and bounded confidence", JASSS 5(3); Lorenz (2007), "Continuous opinion
    dynamics under bounded confidence: a survey", Int. J. Mod. Phys. C 18:1819.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
        Network (None: well-mixed, every agent hears every agent).
    opinions : array-like, str, Series or mapping
        Initial opinions in [0, 1] (see :func:`deffuant`).
    epsilon, steps
        See ``hegselmann_krause.schema``.
    seed : int, optional
        Recorded only (the model has no randomness).
    record : "agents", int or "summary"
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``opinion``; ``run.params["converged_at"]`` is the first step after which no
        opinion moved by more than 1e-12 (None if still moving); later steps repeat it.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = sk.dynamics.hegselmann_krause(None, [0.0, 0.1, 0.2, 0.9, 1.0], epsilon=0.15,
    ...                                     steps=10)
    >>> [round(float(v), 6) for v in run.final()], run.params["converged_at"]
    ([0.1, 0.1, 0.1, 0.95, 0.95], 2)
    """
    net = network(G, opinions, "hegselmann_krause")
    x = agent_values(net, opinions, "hegselmann_krause: opinions", low=0.0, high=1.0)
    _, seed = make_rng(seed)
    out = np.empty_like(x)
    if net.well_mixed:
        order = np.argsort(x, kind="stable")
        xs = x[order]
        xs_out = np.empty_like(xs)
    else:
        B = net.incoming()
        indptr, indices = B.indptr.astype(np.int64), B.indices.astype(np.int64)
    rec = Recorder(record, net.nodes, steps, "opinion")
    rec(0, x)
    converged_at = None
    for step in tqdm(range(1, steps + 1), disable=not progress, desc="hegselmann_krause",
                     unit="step"):
        if converged_at is None:
            if net.well_mixed:
                _hk_sorted(xs, epsilon, xs_out)
                if np.abs(xs_out - xs).max() <= _STILL:
                    converged_at = step - 1
                xs, xs_out = xs_out, xs
                if (np.diff(xs) < 0).any():  # rounding broke the (theoretical) order: re-sort
                    resort = np.argsort(xs, kind="stable")
                    xs, order = xs[resort], order[resort]
                x[order] = xs
            else:
                _hk_graph(x, indptr, indices, epsilon, out)
                if np.abs(out - x).max() <= _STILL:
                    converged_at = step - 1
                x, out = out, x
        rec(step, x)
        if converged_at is not None:  # a fixed point: the remaining steps repeat it
            rec.fill(step + 1, x)
            break
    params = {"epsilon": epsilon, "steps": steps, "record": record, "n_agents": net.n,
              "n_edges": net.n_edges(), "well_mixed": net.well_mixed,
              "converged_at": converged_at}
    return rec.run("hegselmann_krause", params, seed)
