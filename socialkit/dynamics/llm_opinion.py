"""LLM opinion dynamics: persona agents answer a Likert question, seeing what their neighbours said.

A short composition on the agent-society kernel: a :class:`socialkit.env.Network`, the Likert
question as the reported state variable ``opinion`` and the ``message`` action, run by a
:class:`socialkit.sim.Simulation`. It returns the same :class:`socialkit.Run` as the classic
models (variable ``opinion``, messages in ``run.events``), so every plot, statistic and
validation applies to both.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.network.convert import check_graph
from socialkit.params import Param, model

__all__ = ["llm_opinion", "llm_opinion_simulation", "MESSAGE_PROMPT"]  # noqa: F822 (lazy)


def __getattr__(name: str) -> Any:  # the kernel loads on first use, not with the classic models
    if name == "MESSAGE_PROMPT":
        from socialkit.env import MESSAGE_PROMPT

        return MESSAGE_PROMPT
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_inputs(population, G, question):
    from socialkit.llm.questions import Likert
    from socialkit.population import Population

    if not isinstance(population, Population):
        raise TypeError(f"llm_opinion: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    check_graph(G, "llm_opinion")
    if not isinstance(question, Likert):
        raise TypeError(f"llm_opinion: question must be a socialkit.Likert scale, got "
                        f"{type(question).__name__}")
    agents = set(population.df["agent"].tolist())
    missing = [v for v in G if v not in agents]
    if missing:
        raise ValueError(f"llm_opinion: {len(missing)} graph node(s) are not agents of the "
                         f"population, e.g. {missing[:5]}")
    if G.number_of_nodes() == 0:
        raise ValueError("llm_opinion: the graph has no nodes")


def _initial(opinions, nodes: list, scale: int) -> np.ndarray | None:
    if opinions is None:
        return None
    if isinstance(opinions, pd.Series | dict):
        s = pd.Series(opinions)
        missing = [v for v in nodes if v not in s.index]
        if missing:
            raise ValueError(f"llm_opinion: no initial opinion for {len(missing)} agent(s), "
                             f"e.g. {missing[:5]}")
        x = s.loc[nodes].to_numpy(dtype=float)
    else:
        x = np.asarray(opinions, dtype=float)
        if x.shape != (len(nodes),):
            raise ValueError(f"llm_opinion: expected {len(nodes)} initial opinions, got shape "
                             f"{x.shape}")
    bad = ~np.isin(x, np.arange(1, scale + 1))
    if bad.any():
        raise ValueError(f"llm_opinion: initial opinion {x[bad][0]!r} is not a point of the "
                         f"1-{scale} scale ({int(bad.sum())} such value(s))")
    return x.copy()


_PARAMS = (
    Param("steps", int, 3, low=0, doc="rounds; each active agent answers once per round"),
    Param("k", int, 5, low=0, doc="most neighbours each agent hears from per round"),
    Param("activation", float, 1.0, low=0, high=1, low_open=True,
          doc="probability that an agent is active in a round"),
    Param("message", bool, True, doc="agents also write a one-sentence message"),
)


@model(*_PARAMS)
def llm_opinion_simulation(population, G: nx.Graph, question, model: Any = None, *,
                           steps: int = 3, k: int = 5, activation: float = 1.0,
                           message: bool = True, opinions=None, seed: int | None = 0,
                           record="agents", concurrency: int = 16, cache: Any = True,
                           budget: float | None = None, group_by=None,
                           temperature: float | None = None, progress: bool = True):
    """The :class:`socialkit.sim.Simulation` that :func:`llm_opinion` runs, with the same
    arguments (validated alike), to step it yourself (``run_panel`` does); also
    ``llm_opinion.simulation``. ``llm_opinion(...)`` is ``llm_opinion_simulation(...).run(steps)``.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(3))
    >>> sim = sk.dynamics.llm_opinion.simulation(pop, nx.path_graph(3), sk.Likert("Taxes."),
    ...                                          model=sk.llm.scripted(lambda m: "2"),
    ...                                          message=False, cache=False, progress=False)
    >>> _ = sim.step(); sim.t, sim.agents.get("opinion").tolist()
    (1, [2.0, 2.0, 2.0])
    """
    from socialkit.agents import Ordinal
    from socialkit.env import Network
    from socialkit.population import Population
    from socialkit.sim import Simulation

    _check_inputs(population, G, question)
    nodes = list(G)
    x = _initial(opinions, nodes, question.scale)
    if population.df["agent"].tolist() != nodes:  # the agents are the graph's nodes
        population = Population(population.df.set_index("agent").loc[nodes].reset_index(),
                                population.codebook, weight_source=population.weight_source)
    group_by = [group_by] if isinstance(group_by, str) else group_by
    params = {"question": question.text, "scale": question.scale, "steps": steps, "k": k,
              "activation": activation, "message": message,
              "group_by": None if group_by is None else list(group_by),
              "record": record, "n_agents": len(nodes), "initial": "given"
              if opinions is not None else "asked", "temperature": temperature,
              "budget": budget}
    sim = Simulation(population, Network(G, k=k, message=message and group_by is None), model,
                     state={"opinion": Ordinal(question.labels, initial=x, question=question)},
                     activation=activation, seed=seed, budget=budget, group_by=group_by,
                     record=record, concurrency=concurrency, cache=cache,
                     temperature=temperature, progress=progress, name="llm_opinion",
                     params=params)
    return sim


@model(*_PARAMS)
def llm_opinion(population, G: nx.Graph, question, model: Any = None, *, steps: int = 3,
                k: int = 5, activation: float = 1.0, message: bool = True, opinions=None,
                seed: int | None = 0, record="agents", concurrency: int = 16, cache: Any = True,
                budget: float | None = None, group_by=None, temperature: float | None = None,
                progress: bool = True):
    """LLM opinion dynamics on a population and a network.

    Update scheme (synchronous rounds): at step 0 every agent without an initial opinion
    answers the question from its persona alone. In each round ``t = 1..steps`` every agent is
    active with probability ``activation``; an active agent sees its persona (the system
    message), the latest answers (and messages) of up to ``k`` of its neighbours (a random
    subset, drawn with the run's generator, when it has more) and its current answer, and
    answers the Likert question again; with ``message=True`` it also writes a one-sentence
    message that its neighbours see in the next round. All active agents answer from the state
    at the start of the round. A missing answer (malformed after the re-asks, failed call,
    budget) keeps the agent's previous opinion and is recorded in ``run.events`` as action
    ``"missing"`` with its reason.

    With ``group_by`` (the "LLM archetypes" scheme) prompts are rendered from those attributes
    plus the local opinion climate (the neighbours' mean answer, rounded to the scale), so
    agents of the same cell and climate share one call and each agent's answer is drawn from the
    cell's distribution (step 0 too: cells answer from their attributes alone). Archetype agents
    do not write messages and do not see their own previous answer; that is the price of the
    saved calls.

    All rounds go through one :class:`socialkit.llm.Session` (cache, concurrency, retries, one
    budget, one usage account); every call's draw follows the seed, the step and the agent, so
    rerunning with the same seed replays a cached run exactly and another seed draws anew.
    Isolated agents hear from no one; population rows that are not graph nodes take no part.

    Parameters
    ----------
    population : socialkit.Population
        The agents; personas come from ``population.personas()``.
    G : networkx.Graph
        Who hears whom; nodes are agent ids of ``population``. Influence flows along arcs, as
        in the classic models: in a directed graph an agent hears its predecessors.
    question : socialkit.Likert
        The opinion question.
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    steps, k, activation, message
        See ``llm_opinion.schema``.
    opinions : array-like, Series or dict, optional
        Initial answers on the scale (skip the step-0 round).
    seed : int
        Seed of the run's random generator (activation, neighbour sampling, archetype draws).
    record : "agents", int or "summary"
        What the trajectory keeps (as for the classic models).
    concurrency, cache, budget, temperature
        Passed to the run's :class:`socialkit.llm.Session`; ``budget`` caps the whole run.
    group_by : list of str, optional
        Population attributes defining archetype cells (see above).
    progress : bool
        Progress bars.

    Returns
    -------
    socialkit.Run
        Variable ``opinion`` (scale points; NaN before an agent's first valid answer); events
        ``message`` (text) and ``missing`` (reason); aggregate rows ``decisions.active`` and
        ``decisions.missing`` per step; ``run.provenance["usage"]`` sums calls, cache hits,
        tokens and cost over the rounds.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    >>> G = nx.path_graph(4)
    >>> agree = sk.llm.scripted(lambda m: "In one sentence: agreed." if "one short" in
    ...                         m[-1]["content"] else "4")
    >>> run = sk.dynamics.llm_opinion(pop, G, sk.Likert("Taxes are too high."), model=agree,
    ...                               steps=2, cache=False, progress=False)
    >>> run.final().tolist(), len(run.events)
    ([4.0, 4.0, 4.0, 4.0], 8)
    """
    return llm_opinion_simulation(**locals()).run(steps)


llm_opinion.simulation = llm_opinion_simulation
