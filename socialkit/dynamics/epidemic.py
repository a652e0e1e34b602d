"""Epidemic models in discrete time on a network: SIR and SIS."""

from __future__ import annotations

import numpy as np

from socialkit.dynamics._common import diffuse, make_rng, seed_states
from socialkit.dynamics._graph import network
from socialkit.params import Param, model

__all__ = ["sir", "sis"]

_BETA = Param("beta", float, 0.1, low=0, high=1,
              doc="probability per step that an infected agent infects a susceptible contact")
_GAMMA = Param("gamma", float, 0.1, low=0, high=1,
               doc="probability per step that an infected agent recovers")
_STEPS = Param("steps", int, 100, low=0, doc="time steps")

_SCHEME = """Update scheme (synchronous, discrete time): at every step, from the states at the start of
    the step, each susceptible agent with ``m`` infected contacts becomes infected with
    probability ``1 - (1 - beta)^m`` (every infected contact transmits independently with
    probability ``beta``); then each agent infected at the start of the step recovers with
    probability ``gamma``. Newly infected agents transmit from the next step on, so an infection
    lasts a geometric number of steps (mean ``1 / gamma``). Contacts are the agents ``u`` with an
    arc ``u -> v`` into ``v`` (neighbours of an undirected graph; self-loops ignored); with
    ``G=None`` (well-mixed) every agent is a contact of every other, so ``beta`` is a per-pair
    probability and ``beta * N`` the contacts' pressure. Isolated agents are never infected by
    others and recover as usual."""


def _epidemic(name, labels, G, seeds, states, beta, gamma, steps, seed, record, progress):
    if G is None and states is None:
        raise ValueError(f"{name}: with G=None (well-mixed) pass states= (one code per agent) "
                         "instead of seeds=")
    net = network(G, states, name)
    meaning = ", ".join(f"{i} = {s}" for i, s in enumerate(labels))
    x = seed_states(net, seeds, states, name, list(range(len(labels))), meaning)
    rng, seed = make_rng(seed)
    n = net.n
    B = None if net.well_mixed else net.incoming().astype(np.float64)
    after = 2 if name == "sir" else 0

    def update() -> bool:
        infected = x == 1
        if B is None:
            pressure = np.full(n, float(np.count_nonzero(infected)))
        else:
            pressure = B @ infected.astype(np.float64)
        candidates = np.flatnonzero((x == 0) & (pressure > 0))
        p = 1.0 - (1.0 - beta) ** pressure[candidates]
        new = candidates[rng.random(len(candidates)) < p]
        sick = np.flatnonzero(infected)
        healed = sick[rng.random(len(sick)) < gamma]
        x[new] = 1
        x[healed] = after
        return bool((x == 1).any())

    rec, params = diffuse(name, net, x, labels, steps, record, progress, update,
                          alive=bool((x == 1).any()))
    return rec.run(name, {"beta": beta, "gamma": gamma, **params}, seed)


@model(_BETA, _GAMMA, _STEPS)
def sir(G, seeds=None, *, states=None, beta: float = 0.1, gamma: float = 0.1,
        steps: int = 100, seed: int | None = None, record="agents", progress: bool = False):
    """SIR epidemic (susceptible, infected, recovered) in discrete time on a network.

    {scheme} Recovered agents stay immune. The run stops
    computing once nobody is infected (``run.params["absorbed_at"]``) and carries the final
    state forward. Each infected agent eventually infects a given susceptible contact with
    probability (transmissibility) ``T = beta / (beta + gamma - beta gamma)``; the basic
    reproduction number is ``R0 = T (<k^2> - <k>) / <k>``, about ``T <k>`` on a dense random
    graph, where the final share infected ``r`` solves ``r = 1 - exp(-R0 r)``. Sources: Kermack
    & McKendrick (1927), Proc. R. Soc. A 115:700; on networks, Newman (2002), "Spread of
    epidemic disease on networks", Phys. Rev. E 66:016128.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
        Contact network (None: well-mixed, needs ``states``).
    seeds : collection of agent ids, optional
        Agents infected at step 0 (everyone else susceptible).
    states : array-like, str, Series or mapping, optional
        Instead of ``seeds``: one state code per agent, 0 = S, 1 = I, 2 = R.
    beta, gamma, steps
        See ``sir.schema``.
    seed : int, optional
    record : "agents", int or "summary"
        Per-agent states as for the opinion models; the summary rows ``state.n_S``,
        ``state.n_I``, ``state.n_R`` (counts) and ``state.share_S`` ... (shares) are always
        recorded at every step.
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``state`` coded 0 = S, 1 = I, 2 = R (``run.params["states"]``).

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.sir(nx.path_graph(5), seeds=[0], beta=1.0, gamma=1.0, steps=6, seed=0)
    >>> run.wide("state").astype(int).values.tolist()[:3]
    [[1, 0, 0, 0, 0], [2, 1, 0, 0, 0], [2, 2, 1, 0, 0]]
    >>> run.summary("state")["n_R"].tolist()[-1], run.params["absorbed_at"]
    (5.0, 5)
    """
    return _epidemic("sir", ["S", "I", "R"], G, seeds, states, beta, gamma, steps, seed, record,
                     progress)


@model(_BETA, _GAMMA, _STEPS)
def sis(G, seeds=None, *, states=None, beta: float = 0.1, gamma: float = 0.1,
        steps: int = 100, seed: int | None = None, record="agents", progress: bool = False):
    """SIS epidemic (susceptible, infected, susceptible again) in discrete time on a network.

    {scheme} Recovered agents are susceptible again from the
    next step. Above the epidemic threshold the infection settles into an endemic level; on a
    complete graph of N agents the share infected ``i`` then fluctuates around the solution of
    ``gamma i = (1 - i) (1 - (1 - beta)^(i N))``. The run stops computing if the infection dies
    out. Sources: Kermack & McKendrick (1932); on networks, Pastor-Satorras & Vespignani (2001),
    "Epidemic spreading in scale-free networks", Phys. Rev. Lett. 86:3200.

    Parameters
    ----------
    G : networkx.Graph, scipy.sparse matrix or None
    seeds : collection of agent ids, optional
        Agents infected at step 0.
    states : array-like, str, Series or mapping, optional
        Instead of ``seeds``: 0 = S, 1 = I per agent.
    beta, gamma, steps
        See ``sis.schema``.
    seed : int, optional
    record : "agents", int or "summary"
        Summary rows ``state.n_S``, ``state.n_I``, ``state.share_S``, ``state.share_I`` are
        always recorded.
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``state`` coded 0 = S, 1 = I.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.sis(nx.complete_graph(50), seeds=range(5), beta=0.05, gamma=0.2,
    ...                       steps=200, seed=1, record="summary")
    >>> from scipy.optimize import brentq  # the endemic level of the docstring's equation
    >>> level = brentq(lambda i: 0.2 * i - (1 - i) * (1 - 0.95 ** (50 * i)), 0.01, 1)
    >>> round(level, 3), abs(float(run.summary("state")["share_I"].iloc[100:].mean()) - level) < 0.02
    (0.814, True)
    """
    return _epidemic("sis", ["S", "I"], G, seeds, states, beta, gamma, steps, seed, record,
                     progress)


sir.__doc__ = sir.__doc__.format(scheme=_SCHEME)
sis.__doc__ = sis.__doc__.format(scheme=_SCHEME)
