"""Linear opinion dynamics: DeGroot averaging and Friedkin–Johnsen with stubbornness."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp
from tqdm.auto import tqdm

from socialkit.dynamics._common import Recorder, agent_values, make_rng
from socialkit.dynamics._graph import Net, network
from socialkit.params import Param, model

__all__ = ["degroot", "friedkin_johnsen", "influence_matrix"]

_SELF = Param("self_weight", float, 0.0, low=0, high=1,
              doc="weight each agent puts on its own current opinion")
_STEPS = Param("steps", int, 100, low=0, doc="synchronous rounds")


def _matrix(net: Net, self_weight: float) -> sp.csr_array:
    B = net.incoming(weighted=True, self_loops=True).astype(float)
    total = np.asarray(B.sum(axis=1)).ravel()
    heard = total > 0
    scale = np.where(heard, (1.0 - self_weight) / np.where(heard, total, 1.0), 0.0)
    own = np.where(heard, self_weight, 1.0)  # agents who hear nobody keep their opinion
    return sp.csr_array(sp.diags_array(scale) @ B + sp.diags_array(own))


def influence_matrix(G, weight: str | None = None, self_weight: float = 0.0):
    """The row-stochastic influence matrix ``W`` used by :func:`degroot` and
    :func:`friedkin_johnsen`, with the agent order of its rows.

    ``W[v, u]`` is the weight agent ``v`` puts on ``u``'s opinion: the arc weights
    ``w(u -> v)`` (influence flows along arcs; an undirected edge works both ways; a self-loop
    is an ordinary weight on oneself) normalised over ``v``'s incoming arcs and scaled by
    ``1 - self_weight``, plus ``self_weight`` on the diagonal. An agent with no incoming arc
    (e.g. an isolated node) puts weight 1 on itself.

    Parameters
    ----------
    G : networkx.Graph or scipy.sparse matrix
        Influence network (weights must be non-negative).
    weight : str, optional
        Edge attribute holding the weights (default 1 per edge; a sparse matrix's entries).
    self_weight : float
        In [0, 1].

    Returns
    -------
    (scipy.sparse.csr_array, numpy.ndarray)

    Examples
    --------
    >>> import networkx as nx
    >>> W, nodes = influence_matrix(nx.path_graph(3), self_weight=0.5)
    >>> W.toarray().tolist()
    [[0.5, 0.5, 0.0], [0.25, 0.5, 0.25], [0.0, 0.5, 0.5]]
    """
    self_weight = _SELF.validate(self_weight)
    net = network(G, None, "influence_matrix", weight=weight, well_mixed=False, loops=True)
    return _matrix(net, self_weight), net.nodes


def _linear(name, G, opinions, weight, self_weight, steps, seed, record, progress,
            stubbornness=None, agent_stubbornness=None):
    net = network(G, opinions, name, weight=weight, well_mixed=False, loops=True)
    x0 = agent_values(net, opinions, f"{name}: opinions")
    _, seed = make_rng(seed)
    W = _matrix(net, self_weight)
    lam = None
    if stubbornness is not None:
        lam = (agent_values(net, agent_stubbornness, f"{name}: agent_stubbornness", 0.0, 1.0,
                            what="stubbornness")
               if agent_stubbornness is not None else np.full(net.n, stubbornness))
        anchor = lam * x0
        susceptible = 1.0 - lam
    x = x0.copy()
    rec = Recorder(record, net.nodes, steps, "opinion")
    rec(0, x)
    for step in tqdm(range(1, steps + 1), disable=not progress, desc=name, unit="step"):
        x = W @ x if lam is None else anchor + susceptible * (W @ x)
        rec(step, x)
    params = {"self_weight": self_weight, "steps": steps, "record": record, "weight": weight,
              "n_agents": net.n, "n_edges": net.n_edges()}
    if lam is not None:
        params["stubbornness"] = stubbornness if agent_stubbornness is None else "per agent"
    return rec.run(name, params, seed)


@model(_SELF, _STEPS)
def degroot(G, opinions, *, weight: str | None = None, self_weight: float = 0.0,
            steps: int = 100, seed: int | None = None, record="agents", progress: bool = False):
    """DeGroot model: repeated weighted averaging of the opinions one listens to.

    Update scheme (synchronous): ``x(t+1) = W x(t)`` with the row-stochastic influence matrix
    ``W`` of :func:`influence_matrix` (``W[v, u]`` the weight ``v`` puts on ``u``; influence
    flows along arcs ``u -> v``). If the network is strongly connected and ``W`` aperiodic (e.g.
    ``self_weight > 0``), opinions converge to consensus on ``pi @ x(0)``, where ``pi`` is the
    left eigenvector of ``W`` for eigenvalue 1 (``pi W = pi``, ``sum(pi) = 1``). Agents hearing
    nobody (isolated nodes) keep their opinion. Opinions may be any finite numbers. The model is
    deterministic; ``seed`` is only recorded. Source: DeGroot (1974), "Reaching a consensus",
    Journal of the American Statistical Association 69:118-121.

    Parameters
    ----------
    G : networkx.Graph or scipy.sparse matrix
        Influence network (G=None is not supported: well-mixed averaging is one-step consensus).
    opinions : array-like, str, Series or mapping
        Initial opinions (array in ``list(G)`` order, node attribute name, or Series by agent id).
    weight : str, optional
        Edge attribute with non-negative influence weights (default 1 per edge).
    self_weight, steps
        See ``degroot.schema``.
    seed : int, optional
    record : "agents", int or "summary"
    progress : bool

    Returns
    -------
    socialkit.Run
        Variable ``opinion``.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.degroot(nx.path_graph(3), [0.0, 0.0, 1.0], self_weight=0.5, steps=200)
    >>> [round(float(v), 6) for v in run.final()]  # weights pi = degree share: (1, 2, 1) / 4
    [0.25, 0.25, 0.25]
    """
    return _linear("degroot", G, opinions, weight, self_weight, steps, seed, record, progress)


def friedkin_johnsen(G, opinions, *, stubbornness=0.5, agent_stubbornness=None,
                     weight: str | None = None, self_weight: float = 0.0, steps: int = 100,
                     seed: int | None = None, record="agents", progress: bool = False):
    """Friedkin–Johnsen model: averaging anchored to each agent's initial opinion.

    Update scheme (synchronous): ``x(t+1) = L x(0) + (I - L) W x(t)``, where ``L`` is the
    diagonal matrix of stubbornness ``lambda_i`` in [0, 1] and ``W`` the influence matrix of
    :func:`influence_matrix`. When every agent is stubborn or listens (directly or indirectly)
    to a stubborn agent, opinions converge to ``(I - (I - L) W)^-1 L x(0)``, in general a
    persistent disagreement. ``lambda = 0`` everywhere is :func:`degroot`. Agents hearing nobody
    (isolated nodes) keep their initial opinion. Deterministic;
    ``seed`` is only recorded. Source: Friedkin & Johnsen (1990), "Social influence and
    opinions", Journal of Mathematical Sociology 15:193-206.

    Parameters
    ----------
    G : networkx.Graph or scipy.sparse matrix
    opinions : array-like, str, Series or mapping
        Initial opinions, any finite numbers.
    stubbornness : float, array-like, str, Series or mapping
        The diagonal of ``L``: one number for every agent (the schema parameter), or one
        stubbornness in [0, 1] per agent (array in ``list(G)`` order, node attribute name, or
        Series / mapping by agent id).
    agent_stubbornness : array-like, str, Series or mapping, optional
        The same per-agent stubbornness under its older name (not both).
    weight, self_weight, steps, seed, record, progress
        As in :func:`degroot`.

    Returns
    -------
    socialkit.Run
        Variable ``opinion``.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.friedkin_johnsen(nx.path_graph(2), [0.0, 1.0],
    ...                                    stubbornness=[1.0, 0.5], steps=60)
    >>> [round(float(v), 6) for v in run.final()]  # x1 = 0.5 * 1 + 0.5 * x0
    [0.0, 0.5]
    """
    if not isinstance(stubbornness, numbers.Real) or isinstance(stubbornness, bool):
        if agent_stubbornness is not None:
            raise ValueError("friedkin_johnsen: give per-agent stubbornness once, as "
                             "stubbornness= (agent_stubbornness= is its older name), not both")
        if isinstance(stubbornness, bool) or stubbornness is None:
            raise TypeError(f"friedkin_johnsen: stubbornness must be a number in [0, 1] or one "
                            f"per agent, got {stubbornness!r}")
        stubbornness, agent_stubbornness = 0.5, stubbornness
    return _friedkin_johnsen(G, opinions, stubbornness=stubbornness,
                             agent_stubbornness=agent_stubbornness, weight=weight,
                             self_weight=self_weight, steps=steps, seed=seed, record=record,
                             progress=progress)


@model(
    Param("stubbornness", float, 0.5, low=0, high=1,
          doc="weight on one's initial opinion (0: DeGroot, 1: never moves)"),
    _SELF, _STEPS,
)
def _friedkin_johnsen(G, opinions, *, stubbornness: float = 0.5, agent_stubbornness=None,
                      weight: str | None = None, self_weight: float = 0.0, steps: int = 100,
                      seed: int | None = None, record="agents", progress: bool = False):
    return _linear("friedkin_johnsen", G, opinions, weight, self_weight, steps, seed, record,
                   progress, stubbornness, agent_stubbornness)


friedkin_johnsen.schema = _friedkin_johnsen.schema
