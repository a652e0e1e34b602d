"""LLM opinion dynamics: persona agents answer a Likert question, seeing what their neighbours said.

The engine returns the same :class:`socialkit.Run` as the classic models (variable ``opinion``,
messages in ``run.events``), so every plot, statistic and validation applies to both.
"""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.dynamics._common import Recorder, make_rng
from socialkit.network.convert import check_graph
from socialkit.params import Param, model
from socialkit.run import Run, provenance

__all__ = ["llm_opinion", "MESSAGE_PROMPT"]

MESSAGE_PROMPT = ("In one short sentence, what would you say about this to the people you know? "
                  "Question: {question}")
_MISSING_OPINION = "(no answer yet)"
_CLIMATE = "what people you know answer on average"


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
    agents = population.df["agent"].tolist()
    missing = [v for v in G if v not in set(agents)]
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


def _label(question, value: float) -> str:
    if np.isnan(value):
        return _MISSING_OPINION
    i = int(value)
    return f"{i} ({question.labels[i - 1]})"


def _context(question, own: float, neighbours: list[tuple[float, str | None]]) -> str:
    lines = [f"Your current answer to \"{question.text}\" is {_label(question, own)}."]
    if neighbours:
        lines.append("Some people you know answered:")
        for value, text in neighbours:
            said = f' and said: "{text}"' if text else ""
            lines.append(f"- {_label(question, value)}{said}")
    else:
        lines.append("You have not heard from anyone about this yet.")
    lines.append("Think about their views, then give your own answer now.")
    return "\n".join(lines)


@model(
    Param("steps", int, 3, low=0, doc="rounds; each active agent answers once per round"),
    Param("k", int, 5, low=0, doc="most neighbours each agent hears from per round"),
    Param("activation", float, 1.0, low=0, high=1, low_open=True,
          doc="probability that an agent is active in a round"),
    Param("message", bool, True, doc="agents also write a one-sentence message"),
)
def llm_opinion(population, G: nx.Graph, question, model: Any = None, *, steps: int = 3,
                k: int = 5, activation: float = 1.0, message: bool = True, opinions=None,
                seed: int | None = 0, record="agents", concurrency: int = 16, cache: Any = True,
                budget: float | None = None, group_by=None, temperature: float | None = None,
                progress: bool = True):
    """LLM opinion dynamics on a population and a network.

    Update scheme (synchronous rounds): at step 0 every agent without an initial opinion
    answers the question from its persona alone. In each round ``t = 1..steps`` every agent is
    active with probability ``activation``; an active agent sees its persona, its current answer
    and the latest answers (and messages) of up to ``k`` of its neighbours (a random subset,
    drawn with the run's generator, when it has more), and answers the Likert question again;
    with ``message=True`` it also writes a one-sentence message that its neighbours see in the
    next round. All active agents answer from the state at the start of the round. A missing
    answer (malformed after the re-asks, failed call, budget) keeps the agent's previous
    opinion and is recorded in ``run.events`` as action ``"missing"`` with its reason.

    With ``group_by`` (the "LLM archetypes" scheme) prompts are rendered from those attributes
    plus the local opinion climate (the neighbours' mean answer, rounded to the scale), so
    agents of the same cell and climate share one call and each agent's answer is drawn from the
    cell's distribution. Archetype agents do not write messages and do not see their own
    previous answer; that is the price of the saved calls.

    All rounds go through one :class:`socialkit.llm.Session` (cache, concurrency, retries, one
    budget, one usage account); every call's draw follows the seed, the step and the agent, so
    rerunning with the same seed replays a cached run exactly and another seed draws anew. Isolated agents hear from no one.

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
        Passed to :func:`socialkit.ask`; ``budget`` caps the whole run.
    group_by : list of str, optional
        Population attributes defining archetype cells (see above).
    progress : bool
        Progress bars.

    Returns
    -------
    socialkit.Run
        Variable ``opinion`` (scale points; NaN before an agent's first valid answer); events
        ``message`` (text) and ``missing`` (reason); ``run.provenance["usage"]`` sums calls,
        cache hits, tokens and cost over the rounds.

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
    from socialkit.llm import FreeText, Session
    from socialkit.population import Population

    _check_inputs(population, G, question)
    rng, seed = make_rng(seed)
    nodes = list(G)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    heard_from = G.predecessors if G.is_directed() else G.neighbors
    neigh = [np.array([index[u] for u in heard_from(v) if u != v], dtype=np.int64)
             for v in nodes]
    x = _initial(opinions, nodes, question.scale)
    by_agent = {int(p.agent): p.text for p in population.personas()}
    personas = [by_agent[int(v)] for v in nodes]
    msg_q = FreeText(MESSAGE_PROMPT.format(question=question.text), max_words=25, name="message")
    if group_by is not None:
        group_by = [group_by] if isinstance(group_by, str) else list(group_by)
        bad = [c for c in group_by if c not in population.df.columns]
        if bad:
            raise ValueError(f"llm_opinion: group_by columns {bad} are not population "
                             f"attributes: {population.attributes}")
    msgs: list[str | None] = [None] * n
    events: list[dict] = []
    hashes: list[str] = []
    # one session for every round: one budget, one usage account, the run's seed
    session = Session(model, cache=cache, seed=seed, concurrency=concurrency, budget=budget,
                      temperature=temperature, progress=progress)

    def ask(units, qs, step, **extra):
        res = session.ask(units, qs, key=["llm_opinion", step], **extra)
        hashes.append(res.attrs["provenance"]["prompts_hash"])
        return res

    def units(idx, texts):
        return [SimpleNamespace(agent=int(nodes[i]), text=t) for i, t in zip(idx, texts,
                                                                               strict=True)]

    def apply(res, step: int, new: np.ndarray):
        for row in res.itertuples(index=False):
            i = index[row.agent] if row.agent in index else None
            if i is None:
                continue
            if row.question == question.name:
                if row.status == "missing":
                    events.append({"step": step, "agent": row.agent, "action": "missing",
                                   "target": -1, "text": row.reason})
                else:
                    new[i] = float(row.answer)
            elif row.question == "message" and row.status != "missing" and row.answer:
                msgs[i] = str(row.answer)
                events.append({"step": step, "agent": row.agent, "action": "message",
                               "target": -1, "text": str(row.answer)})

    if x is None:  # step 0: persona alone
        x = np.full(n, np.nan)
        res = ask(units(range(n), personas), [question], 0)
        apply(res, 0, x)
    rec = Recorder(record, np.asarray(nodes), steps, "opinion")
    rec(0, x)

    for step in range(1, steps + 1):
        active = np.flatnonzero(rng.random(n) < activation)
        heard = []
        for i in active:
            nb = neigh[i]
            if len(nb) > k:
                nb = np.sort(rng.choice(nb, size=k, replace=False))
            heard.append(nb)
        new = x.copy()
        if len(active) and group_by is None:
            texts = [personas[i] + "\n\n" + _context(
                question, x[i], [(x[j], msgs[j]) for j in nb if not np.isnan(x[j])])
                for i, nb in zip(active, heard, strict=True)]
            res = ask(units(active, texts), [question, msg_q] if message else [question], step)
            apply(res, step, new)
        elif len(active):
            climate = []
            for nb in heard:
                vals = x[nb][~np.isnan(x[nb])]
                climate.append(_label(question, float(np.round(vals.mean()))) if len(vals)
                               else "no one has told you")
            df = population.df.set_index("agent").loc[[nodes[i] for i in active]].reset_index()
            df = df[["agent", *group_by]].assign(**{_CLIMATE: climate}, weight=1.0)
            res = ask(Population(df), [question], step, group_by=[*group_by, _CLIMATE])
            apply(res, step, new)
        x = new
        rec(step, x)
    params = {"question": question.text, "scale": question.scale, "steps": steps, "k": k,
              "activation": activation, "message": message, "group_by": group_by,
              "record": record, "n_agents": n, "initial": "given" if opinions is not None
              else "asked", "temperature": temperature, "budget": budget}
    ev = pd.DataFrame(events, columns=["step", "agent", "action", "target", "text"])
    usage = {k: v for k, v in session.summary().as_dict().items()
             if k in ("jobs", "unique", "calls", "cache_hits", "retries", "reasks", "tokens",
                      "cost", "missing", "calls_saved", "budget_stopped", "share")}
    prov = provenance(engine="socialkit.dynamics.llm_opinion",
                      model_id=session.backend.model_id, usage=usage,
                      prompts_hash=hashlib.sha256(json.dumps(hashes).encode()).hexdigest()[:16])
    return Run(rec.trajectory(), ev, params=params, seed=seed, model="llm_opinion",
               provenance=prov)
