"""Cascade models of adoption: independent cascade, linear threshold, complex contagion."""

from __future__ import annotations

import numba
import numpy as np

from socialkit.dynamics._common import agent_values, diffuse, make_rng, seed_states
from socialkit.dynamics._graph import network
from socialkit.params import Param, model

__all__ = ["independent_cascade", "linear_threshold", "complex_contagion"]

_LABELS = ["inactive", "active"]
_MEANING = "0 = inactive, 1 = active"
_STEPS = Param("steps", int, 100, low=0, doc="synchronous rounds")
_RECORD_DOC = """record : "agents", int or "summary"
        Per-agent states as for the opinion models; summary rows ``state.n_inactive``,
        ``state.n_active``, ``state.share_inactive`` and ``state.share_active`` are always
        recorded at every step."""
_RETURNS_DOC = """socialkit.Run
        Variable ``state`` coded 0 = inactive, 1 = active (``run.params["states"]``);
        ``run.params["absorbed_at"]`` is the step from which nothing can change (the state is
        carried forward). Cumulative adoption: :func:`socialkit.dynamics.adoption_share`."""


@numba.njit(cache=True)
def _ic_round(x, indptr, indices, prob, frontier, rng, out):  # pragma: no cover - compiled
    # each agent of the frontier (activated last round) tries once to activate each inactive
    # out-neighbour; returns how many were activated (written to out)
    c = 0
    for f in range(frontier.shape[0]):
        u = frontier[f]
        for k in range(indptr[u], indptr[u + 1]):
            v = indices[k]
            if x[v] == 0 and rng.random() < prob[k]:
                x[v] = 1
                out[c] = v
                c += 1
    return c


@numba.njit(cache=True)
def _ic_open(x, indptr, indices, prob, frontier):  # pragma: no cover - compiled
    # whether some frontier agent can still try an inactive out-neighbour
    for f in range(frontier.shape[0]):
        u = frontier[f]
        for k in range(indptr[u], indptr[u + 1]):
            if x[indices[k]] == 0 and prob[k] > 0:
                return True
    return False


@model(
    Param("p", float, 0.1, low=0, high=1, doc="activation probability per edge"),
    _STEPS,
)
def independent_cascade(G, seeds=None, *, states=None, p: float = 0.1,
                        weight: str | None = None, steps: int = 100, seed: int | None = None,
                        record="agents", progress: bool = False):
    """Independent cascade model of information spread.

    Update scheme (synchronous rounds): agents activated in round ``t`` (the seeds in round 0)
    each get one chance, in round ``t + 1``, to activate each inactive agent they point to (an
    arc ``u -> v``; both ways for an undirected edge), independently with probability ``p`` (or
    the edge's ``weight`` attribute). Active agents stay active; isolated agents are never
    activated unless seeded. On a path seeded at one end,
    the agent at distance ``d`` ends active with probability ``p^d``, activated in round ``d``.
    Sources: Goldenberg, Libai & Muller (2001), Marketing Letters 12:211; Kempe, Kleinberg &
    Tardos (2003), "Maximizing the spread of influence through a social network", KDD.

    Parameters
    ----------
    G : networkx.Graph or scipy.sparse matrix
        Network (G=None is not supported; use networkx.complete_graph for a small crowd).
    seeds : collection of agent ids, optional
        Agents active at round 0.
    states : array-like, str, Series or mapping, optional
        Instead of ``seeds``: 0 = inactive, 1 = active per agent (all actives try in round 1).
    p : float
        Probability per edge (``independent_cascade.schema``).
    weight : str, optional
        Edge attribute holding a per-edge probability in [0, 1] (overrides ``p``).
    steps : int
    seed : int, optional
    {record}
    progress : bool

    Returns
    -------
    {returns}

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.independent_cascade(nx.star_graph(4), seeds=[0], p=1.0, steps=5, seed=0)
    >>> run.summary("state")["n_active"].tolist(), run.params["absorbed_at"]
    ([1.0, 5.0, 5.0, 5.0, 5.0, 5.0], 1)
    """
    net = network(G, None, "independent_cascade", weight=weight, well_mixed=False,
                  weight_high=1.0)
    x = seed_states(net, seeds, states, "independent_cascade", [0, 1], _MEANING)
    rng, seed = make_rng(seed)
    B = net.outgoing(weighted=weight is not None)
    indptr, indices = B.indptr.astype(np.int64), B.indices.astype(np.int64)
    prob = B.data.astype(np.float64) if weight is not None else np.full(B.nnz, p)
    out = np.empty(net.n, dtype=np.int64)
    frontier = [np.flatnonzero(x == 1)]

    def update() -> bool:
        c = _ic_round(x, indptr, indices, prob, frontier[0], rng, out)
        frontier[0] = out[:c].copy()
        return _ic_open(x, indptr, indices, prob, frontier[0])

    rec, params = diffuse("independent_cascade", net, x, _LABELS, steps, record, progress,
                          update, alive=_ic_open(x, indptr, indices, prob, frontier[0]))
    params = {"p": p if weight is None else f"edge attribute {weight!r}", **params}
    return rec.run("independent_cascade", params, seed)


_TOL = 1e-12  # rounding guard: a weighted share equal to the threshold counts as reaching it


@model(
    Param("threshold", float, None, low=0, high=1, allow_none=True,
          doc="share of (weighted) contacts that must be active; None: uniform random per agent"),
    _STEPS,
)
def linear_threshold(G, seeds=None, *, states=None, threshold: float | None = None,
                     agent_thresholds=None, weight: str | None = None, steps: int = 100,
                     seed: int | None = None, record="agents", progress: bool = False):
    """Linear threshold model (Granovetter thresholds on a network).

    Update scheme (synchronous rounds): an inactive agent ``v`` becomes active when the
    weighted share of its active contacts reaches its threshold,
    ``sum_u w(u -> v) a_u / sum_u w(u -> v) >= theta_v`` (contacts: the ``u`` with an arc
    ``u -> v``; neighbours of an undirected graph; weights 1 unless ``weight`` is given). Active
    agents stay active. Thresholds are one ``threshold`` for all (Watts 2002), per-agent
    ``agent_thresholds`` (Granovetter 1978; on a complete graph of N agents, ``k / (N - 1)`` is
    "join once k others have"), or, by default, drawn uniformly from [0, 1) per agent from the
    run's seed (Kempe, Kleinberg & Tardos 2003). An agent with threshold 0 activates in round 1
    whatever its contacts; an agent without contacts activates only then. The run stops
    computing once a round activates nobody. Sources: Granovetter (1978), "Threshold models of
    collective behavior", AJS 83:1420; Watts (2002), "A simple model of global cascades on
    random networks", PNAS 99:5766.

    Parameters
    ----------
    G : networkx.Graph or scipy.sparse matrix
    seeds : collection of agent ids, optional
        Agents active at round 0.
    states : array-like, str, Series or mapping, optional
        Instead of ``seeds``: 0 = inactive, 1 = active per agent.
    threshold : float, optional
        The same threshold in [0, 1] for everyone (schema parameter).
    agent_thresholds : array-like, str, Series or mapping, optional
        One threshold in [0, 1] per agent (not together with ``threshold``).
    weight : str, optional
        Edge attribute with non-negative influence weights.
    steps : int
    seed : int, optional
    {record}
    progress : bool

    Returns
    -------
    {returns}

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> G = nx.complete_graph(5)  # Granovetter's riot: thresholds 0, 1, 2, 3, 4 others
    >>> run = sk.dynamics.linear_threshold(G, states=[0] * 5,
    ...                                    agent_thresholds=[k / 4 for k in range(5)], steps=6)
    >>> run.summary("state")["n_active"].tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    """
    name = "linear_threshold"
    if threshold is not None and agent_thresholds is not None:
        raise ValueError(f"{name}: give threshold= or agent_thresholds=, not both")
    net = network(G, None, name, weight=weight, well_mixed=False)
    x = seed_states(net, seeds, states, name, [0, 1], _MEANING)
    rng, seed = make_rng(seed)
    if agent_thresholds is not None:
        theta = agent_values(net, agent_thresholds, f"{name}: agent_thresholds", 0.0, 1.0,
                             what="threshold")
    elif threshold is not None:
        theta = np.full(net.n, threshold)
    else:
        theta = rng.random(net.n)
    B = net.incoming(weighted=weight is not None).astype(np.float64)
    total = np.asarray(B.sum(axis=1)).ravel()
    scale = np.where(total > 0, 1.0 / np.where(total > 0, total, 1.0), 0.0)

    def pending() -> np.ndarray:  # inactive agents whose threshold is reached now
        share = scale * (B @ (x == 1).astype(np.float64))
        return (x == 0) & (share >= theta - _TOL)

    due = [pending()]

    def update() -> bool:
        x[due[0]] = 1
        due[0] = pending()
        return bool(due[0].any())

    rec, params = diffuse(name, net, x, _LABELS, steps, record, progress, update,
                          alive=bool(due[0].any()))
    thr = threshold if threshold is not None else (
        "per agent" if agent_thresholds is not None else "uniform random")
    return rec.run(name, {"threshold": thr, "weight": weight, **params}, seed)


@model(
    Param("k", int, 2, low=1, doc="active contacts needed for exposure"),
    Param("rate", float, 1.0, low=0, high=1,
          doc="probability per step that an exposed agent adopts"),
    Param("spontaneous", float, 0.0, low=0, high=1,
          doc="probability per step that any agent adopts on its own (external influence)"),
    _STEPS,
)
def complex_contagion(G, seeds=None, *, states=None, k: int = 2, rate: float = 1.0,
                      spontaneous: float = 0.0, steps: int = 100, seed: int | None = None,
                      record="agents", progress: bool = False):
    """Complex contagion (k-exposure): adoption needs several adopting contacts.

    Update scheme (synchronous rounds): an inactive agent with at least ``k`` active contacts
    (the ``u`` with an arc ``u -> v``; neighbours of an undirected graph) is exposed. In each
    round every inactive agent adopts, independently, with probability
    ``1 - (1 - spontaneous)(1 - rate)`` if exposed and ``spontaneous`` otherwise, all from the
    states at the start of the round. With the defaults (``rate = 1``, ``spontaneous = 0``) it is
    the deterministic threshold rule of Centola & Macy: on a ring lattice where each agent knows
    its two nearest agents on each side, two adjacent seeds and ``k = 2`` activate two more
    agents per round, whereas the same contagion never leaves two distant seeds (it needs
    clustered, "wide" bridges). ``spontaneous`` adds an external source, as in the Bass (1969)
    diffusion model; isolated agents adopt only spontaneously. The run stops computing once no
    agent can adopt any more. Source: Centola &
    Macy (2007), "Complex contagions and the weakness of long ties", AJS 113:702-734.

    Parameters
    ----------
    G : networkx.Graph or scipy.sparse matrix
    seeds : collection of agent ids, optional
        Agents active at round 0.
    states : array-like, str, Series or mapping, optional
        Instead of ``seeds``: 0 = inactive, 1 = active per agent.
    k, rate, spontaneous, steps
        See ``complex_contagion.schema``.
    seed : int, optional
    {record}
    progress : bool

    Returns
    -------
    {returns}

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> ring = nx.watts_strogatz_graph(20, 4, 0.0)  # each agent knows 2 on each side
    >>> run = sk.dynamics.complex_contagion(ring, seeds=[0, 1], k=2, steps=3, seed=0)
    >>> run.summary("state")["n_active"].tolist()
    [2.0, 4.0, 6.0, 8.0]
    """
    name = "complex_contagion"
    net = network(G, None, name, well_mixed=False)
    x = seed_states(net, seeds, states, name, [0, 1], _MEANING)
    rng, seed = make_rng(seed)
    B = net.incoming().astype(np.float64)
    p_exposed = 1.0 - (1.0 - spontaneous) * (1.0 - rate)

    def exposure() -> np.ndarray:
        return (B @ (x == 1).astype(np.float64)) >= k

    def open_(exposed) -> bool:  # whether any inactive agent can still adopt
        idle = x == 0
        return bool((spontaneous > 0 and idle.any()) or (p_exposed > 0 and (idle & exposed).any()))

    exp = [exposure()]

    def update() -> bool:
        idle = np.flatnonzero(x == 0)
        exposed = exp[0][idle]
        if p_exposed == 1.0 and spontaneous == 0.0:
            new = idle[exposed]  # deterministic rule: no random numbers needed
        else:
            p = np.where(exposed, p_exposed, spontaneous)
            new = idle[rng.random(len(idle)) < p]
        x[new] = 1
        exp[0] = exposure()
        return open_(exp[0])

    rec, params = diffuse(name, net, x, _LABELS, steps, record, progress, update,
                          alive=open_(exp[0]))
    return rec.run(name, {"k": k, "rate": rate, "spontaneous": spontaneous, **params}, seed)


for _f in (independent_cascade, linear_threshold, complex_contagion):
    _f.__doc__ = _f.__doc__.replace("{record}", _RECORD_DOC).replace("{returns}", _RETURNS_DOC)
