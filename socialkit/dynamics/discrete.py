"""Discrete opinion dynamics: voter model, majority rule, Sznajd model."""

from __future__ import annotations

import numba
import numpy as np
from tqdm.auto import tqdm

from socialkit.dynamics._common import Recorder, agent_values, codes, make_rng
from socialkit.dynamics._graph import network
from socialkit.params import Param, model

__all__ = ["voter", "majority_rule", "sznajd"]

_STEPS = Param("steps", int, 100, low=0, doc="sweeps; one sweep is N updates")


@numba.njit(cache=True)
def _pick(indptr, indices, i, u):  # pragma: no cover - compiled
    # neighbour number floor(u * degree) of i, or -1 when i has no neighbour
    deg = indptr[i + 1] - indptr[i]
    if deg == 0:
        return -1
    return indices[indptr[i] + min(int(u * deg), deg - 1)]


@numba.njit(cache=True)
def _voter_graph(x, indptr, indices, agents, u):  # pragma: no cover - compiled
    for t in range(agents.shape[0]):
        i = agents[t]
        j = _pick(indptr, indices, i, u[t])
        if j >= 0:
            x[i] = x[j]


@numba.njit(cache=True)
def _voter_mixed(x, first, second):  # pragma: no cover - compiled
    for t in range(first.shape[0]):
        x[first[t]] = x[second[t]]


@numba.njit(cache=True)
def _sznajd_graph(x, indptr, indices, agents, u):  # pragma: no cover - compiled
    for t in range(agents.shape[0]):
        i = agents[t]
        j = _pick(indptr, indices, i, u[t])
        if j >= 0 and x[i] == x[j]:
            for k in range(indptr[i], indptr[i + 1]):
                x[indices[k]] = x[i]
            for k in range(indptr[j], indptr[j + 1]):
                x[indices[k]] = x[i]


@numba.njit(cache=True)
def _sznajd_mixed(x, first, second, third):  # pragma: no cover - compiled
    for t in range(first.shape[0]):
        if x[first[t]] == x[second[t]]:
            x[third[t]] = x[first[t]]


@numba.njit(cache=True)
def _majority_graph(x, indptr, indices, n_groups, r, rng):  # pragma: no cover - compiled
    # a random agent and r - 1 distinct random neighbours (all of them if fewer) adopt the
    # group's majority; a tie leaves everyone as they are
    n = x.shape[0]
    buf = np.empty(max(1, int(np.max(indptr[1:] - indptr[:-1]))), dtype=np.int64)
    for _ in range(n_groups):
        i = int(rng.random() * n)
        deg = indptr[i + 1] - indptr[i]
        for k in range(deg):
            buf[k] = indices[indptr[i] + k]
        take = min(r - 1, deg)
        for k in range(take):  # partial Fisher-Yates shuffle
            s = k + int(rng.random() * (deg - k))
            buf[k], buf[s] = buf[s], buf[k]
        ones = x[i]
        for k in range(take):
            ones += x[buf[k]]
        size = take + 1
        if 2 * ones != size:
            v = 1 if 2 * ones > size else 0
            x[i] = v
            for k in range(take):
                x[buf[k]] = v


def _setup(name, G, opinions, seed, allowed, meaning):
    net = network(G, opinions, name)
    x = codes(agent_values(net, opinions, f"{name}: opinions", what="opinion"), net.nodes,
              f"{name}: opinions", allowed, meaning)
    rng, seed = make_rng(seed)
    return net, x, rng, seed


def _loop(name, net, x, steps, record, progress, update):
    rec = Recorder(record, net.nodes, steps, "opinion")
    rec(0, x)
    consensus_at = 0 if x.min() == x.max() else None
    if consensus_at == 0:
        rec.fill(1, x)
    for step in tqdm(range(1, steps + 1) if consensus_at is None else (), disable=not progress,
                     desc=name, unit="sweep"):
        update()
        rec(step, x)
        if x.min() == x.max():  # consensus is absorbing: the remaining steps repeat it
            consensus_at = step
            rec.fill(step + 1, x)
            break
    return rec, {"steps": steps, "record": record, "n_agents": net.n, "n_edges": net.n_edges(),
                 "well_mixed": net.well_mixed, "consensus_at": consensus_at}


@model(_STEPS)
def voter(G, opinions, *, steps: int = 100, seed: int | None = None, record="agents",
          progress: bool = False):
    """Voter model: agents copy the opinion of a random neighbour.

    Update scheme (random sequential): one step is a sweep of N updates; each update picks an
    agent ``i`` uniformly at random and a random agent ``j`` it listens to (a neighbour; for a
    directed graph a ``j`` with an arc ``j -> i``; with ``G=None`` any other agent), and ``i``
    adopts ``x_j``. Opinions are integer codes (two or more opinions). On a complete graph (or
    any regular graph) the share holding an opinion is a martingale, so opinion A wins with
    probability equal to its initial share. Agents who listen to nobody keep their opinion.
    Sources: Clifford & Sudbury (1973), Biometrika 60:581; Holley & Liggett (1975), Annals of
    Probability 3:643.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
        Network, or None for a well-mixed population.
    opinions : array-like, str, Series or mapping
        Integer opinion codes >= 0, one per agent.
    steps : int
        Sweeps (``voter.schema``).
    seed : int, optional
    record : "agents", int or "summary"
        With "summary", ``opinion.mean`` is the share holding opinion 1 for binary opinions.
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``opinion``; ``run.params["consensus_at"]`` is the first step at which all
        agents agree (None if never); the state is then carried forward.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.voter(nx.complete_graph(10), [0] * 5 + [1] * 5, steps=500, seed=3)
    >>> run.params["consensus_at"] is not None, float(run.final().std())
    (True, 0.0)
    """
    net, x, rng, seed = _setup("voter", G, opinions, seed, None, "")
    n = net.n
    if not net.well_mixed:
        B = net.incoming()
        indptr, indices = B.indptr.astype(np.int64), B.indices.astype(np.int64)

    def update():
        agents = rng.integers(0, n, size=n)
        if net.well_mixed:
            if n > 1:
                other = rng.integers(0, n - 1, size=n)
                other += other >= agents
                _voter_mixed(x, agents, other)
        else:
            _voter_graph(x, indptr, indices, agents, rng.random(n))

    rec, params = _loop("voter", net, x, steps, record, progress, update)
    return rec.run("voter", params, seed)


@model(
    Param("group_size", int, 3, low=2, doc="agents per discussion group (odd avoids ties)"),
    _STEPS,
)
def majority_rule(G, opinions, *, group_size: int = 3, steps: int = 100,
                  seed: int | None = None, record="agents", progress: bool = False):
    """Majority-rule model: discussion groups adopt their majority opinion.

    Update scheme. Well-mixed (``G=None``), random matching rounds: at every step the agents are
    shuffled and split into groups of ``group_size`` (the ``N mod group_size`` left over sit the
    step out), and every group adopts its majority at once (Galam 2002). On a network, random
    sequential groups: a step is ``round(N / group_size)`` group updates, each a uniformly random
    agent with ``group_size - 1`` distinct random neighbours (all of them if it has fewer), the
    whole group adopting its majority (Krapivsky & Redner 2003). Either way each agent joins
    about one group per step. A tied group keeps its opinions. Opinions are 0 or 1; directed
    graphs are treated as undirected; an isolated agent forms a group of one and never changes. Well mixed, the initial majority wins with probability
    tending to 1 as N grows. Sources: Galam (2002), "Minority opinion spreading in random
    geometry", Eur. Phys. J. B 25:403; Krapivsky & Redner (2003), Phys. Rev. Lett. 90:238701.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
    opinions : array-like, str, Series or mapping
        Opinions 0 or 1, one per agent.
    group_size, steps
        See ``majority_rule.schema``.
    seed : int, optional
    record : "agents", int or "summary"
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``opinion``; ``run.params["consensus_at"]`` as in :func:`voter`.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = sk.dynamics.majority_rule(None, [1] * 30 + [0] * 70, steps=100, seed=1)
    >>> float(run.final().mean()), run.params["consensus_at"] is not None
    (0.0, True)
    """
    net, x, rng, seed = _setup("majority_rule", G, opinions, seed, [0, 1], "0 or 1")
    n, r = net.n, group_size
    if not net.well_mixed:
        B = net.undirected()
        indptr, indices = B.indptr.astype(np.int64), B.indices.astype(np.int64)
        n_groups = max(1, round(n / r))

    def update():
        if net.well_mixed:
            g = n // r
            if g == 0:
                return
            groups = rng.permutation(n)[: g * r].reshape(g, r)
            ones = x[groups].sum(axis=1)
            x[groups[2 * ones > r]] = 1
            x[groups[2 * ones < r]] = 0
        else:
            _majority_graph(x, indptr, indices, n_groups, r, rng)

    rec, params = _loop("majority_rule", net, x, steps, record, progress, update)
    return rec.run("majority_rule", {"group_size": group_size, **params}, seed)


@model(_STEPS)
def sznajd(G, opinions, *, steps: int = 100, seed: int | None = None, record="agents",
           progress: bool = False):
    """Sznajd model ("united we stand"): an agreeing pair convinces its surroundings.

    Update scheme (random sequential): one step is a sweep of N updates. On a network, each
    update picks an agent ``i`` uniformly and a random neighbour ``j``; if ``x_i == x_j`` every
    neighbour of ``i`` and of ``j`` adopts their opinion (Sznajd-Weron & Sznajd 2000, on
    networks as in Bernardes, Stauffer & Kertész 2002). Well-mixed (``G=None``), the mean-field
    rule: a random pair of distinct agents, if they agree, convinces one further random agent
    (Slanina & Lavička 2003). Opinions are 0 or 1; directed graphs are treated as undirected.
    Isolated agents never change. On a complete graph the first agreeing pair convinces
    everyone. Source: Sznajd-Weron & Sznajd (2000), "Opinion evolution in closed community",
    Int. J. Mod. Phys. C 11:1157.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
    opinions : array-like, str, Series or mapping
        Opinions 0 or 1, one per agent.
    steps : int
    seed : int, optional
    record : "agents", int or "summary"
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``opinion``; ``run.params["consensus_at"]`` as in :func:`voter`.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.sznajd(nx.cycle_graph(30), [0] * 20 + [1] * 10, steps=400, seed=2)
    >>> run.params["consensus_at"] is not None
    True
    """
    net, x, rng, seed = _setup("sznajd", G, opinions, seed, [0, 1], "0 or 1")
    n = net.n
    if not net.well_mixed:
        B = net.undirected()
        indptr, indices = B.indptr.astype(np.int64), B.indices.astype(np.int64)

    def update():
        if net.well_mixed:
            if n > 1:
                first = rng.integers(0, n, size=n)
                second = rng.integers(0, n - 1, size=n)
                second += second >= first
                _sznajd_mixed(x, first, second, rng.integers(0, n, size=n))
        else:
            _sznajd_graph(x, indptr, indices, rng.integers(0, n, size=n), rng.random(n))

    rec, params = _loop("sznajd", net, x, steps, record, progress, update)
    return rec.run("sznajd", params, seed)
