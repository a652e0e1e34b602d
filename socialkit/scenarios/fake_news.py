"""FPS: attitudes toward a piece of fake news spreading through daily conversations.

Liu, Chen, Zhang, Gao, Zhang & Yan (2024), "From Skepticism to Acceptance: Simulating the
Attitude Dynamics Toward Fake News", IJCAI 2024 (arXiv:2403.09498). Agents with Big Five
personalities meet ``contact_rate`` random others each day, read what they last posted, and post
their own opinion with a stance (believe / doubt); short-term memories (the day's conversations)
are turned into long-term ones by a daily reflection. An agent that believes is *infected*, one
that believed and no longer does *recovered*, one that never believed *susceptible*. An official
spokesperson may refute the news on a schedule.

The paper's setup (its code's defaults): 30 agents (28 susceptible, 2 believers), 15 days,
contact rate 3, GPT-3.5. Its findings: political fake news spreads faster than science or
finance news; agreeable and neurotic personas are more susceptible; early interventions repeated
about every 3 days balance governance cost and effect; about half of the believers stay
believers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model
from socialkit.scenarios._common import TRAITS, bigfive_population, check_runs, event_table

__all__ = ["fps", "fps_simulation", "fps_summary", "fps_traits", "FPS_TOPICS", "FPS_SYSTEM"]

FPS_TOPICS = {
    "politics": "A leaked memo shows that the mayor plans to cancel next year's city council "
                "elections and stay in office.",
    "science": "Scientists have found that drinking hot water with lemon every morning cures "
               "the common cold within a day.",
    "finance": "From next month the central bank will freeze every savings account holding "
               "more than 50,000 dollars until its owner proves where the money came from.",
}
"""One fabricated news item per FPS topic (socialkit's wording; the paper's items differ)."""

FPS_SYSTEM = ("You are the person described below. Stay in character: answer and act as this "
              "person would, briefly and in the requested format. Like real people, you tend to "
              "believe what fits what you already think and to doubt what contradicts it.\n\n"
              "{persona}")
"""The agents' system prompt: FPS's role play with confirmation bias, in socialkit's words."""

POST_PROMPT = ('A piece of news is going around: "{claim}"\nWrite a short post saying what you '
               "think of it now, and say whether you believe it.")
REFUTATION = "This news is false: {claim} It is not true."
BELIEVER_POST = 'I heard that "{claim}" I think it is true.'
DOUBTER_POST = 'I heard that "{claim}" I doubt it is true.'

_PARAMS = (
    Param("days", int, 15, low=1, doc="simulated days"),
    Param("contact_rate", int, 3, low=1, doc="people each agent meets and hears each day"),
    Param("believers", int, 2, low=0, doc="agents who believe the news on day 0; the rest doubt it"),
    Param("agents", int, 30, low=2, doc="agents drawn from the bfi sample when no population "
                                        "is given"),
    Param("topic", str, "politics", choices=list(FPS_TOPICS), doc="which news item spreads"),
    Param("intervention", bool, False, doc="an official spokesperson refutes the news"),
    Param("start", int, 1, low=1, doc="day of the first refutation"),
    Param("every", int, 3, low=1, doc="days between refutations"),
    Param("times", int, None, low=1, allow_none=True, doc="most refutations (None: no limit)"),
    Param("reflect", bool, True, doc="daily reflection of short- into long-term memories"),
    Param("memories", int, 5, low=0, doc="memories retrieved into each prompt"),
    Param("max_words", int, 40, low=5, doc="longest post, in words"),
)


def _inputs(population, agents: int, believers: int, seed: int):
    from socialkit.population import Population

    if seed is None or isinstance(seed, bool) or not isinstance(seed, int | np.integer) \
            or seed < 0:
        raise ValueError(f"fps: seed must be a non-negative integer, got {seed!r}")
    if population is None:
        population = bigfive_population(agents, seed=int(seed))
    elif not isinstance(population, Population):
        raise TypeError(f"fps: population must be a socialkit.Population or None, got "
                        f"{type(population).__name__}")
    n = len(population)
    if believers > n:
        raise ValueError(f"fps: believers={believers} but the population has {n} agents")
    ids = population.df["agent"].to_numpy()
    rng = np.random.default_rng([int(seed), 16])
    chosen = set(rng.choice(ids, size=believers, replace=False).tolist()) if believers else set()
    return population, ids, chosen


@model(*_PARAMS)
def fps_simulation(population=None, model: Any = None, *, days: int = 15, contact_rate: int = 3,
                   believers: int = 2, agents: int = 30, topic: str = "politics",
                   claim: str | None = None, intervention: bool = False, start: int = 1,
                   every: int = 3, times: int | None = None, reflect: bool = True,
                   memories: int = 5, max_words: int = 40, memory: Any = "stream",
                   refutation: str | None = None, seed: int = 0, **run_options: Any):
    """The :class:`socialkit.sim.Simulation` that :func:`fps` runs (same arguments), to step
    yourself or fork; also ``fps.simulation``."""
    from socialkit.agents import Categorical, LLMPolicy, OneOf
    from socialkit.env import BeliefStates, Broadcast, Retell
    from socialkit.sim import Simulation

    custom = claim is not None
    if claim is None:
        claim = FPS_TOPICS[topic]
    elif not isinstance(claim, str) or not claim.strip():
        raise ValueError(f"fps: claim must be a non-empty string or None, got {claim!r}")
    claim = " ".join(claim.split())
    if refutation is not None and (not isinstance(refutation, str) or not refutation.strip()):
        raise ValueError(f"fps: refutation must be a non-empty string or None, got "
                         f"{refutation!r}")
    population, ids, chosen = _inputs(population, agents, believers, seed)
    if memory == "stream":
        from socialkit.memory import Stream

        memory = Stream(questions=1, insights=2)
    posts = {int(a): (BELIEVER_POST if a in chosen else DOUBTER_POST).format(claim=claim)
             for a in ids}
    env: Any = Retell(None, k=contact_rate, texts=posts, prompt=POST_PROMPT.format(claim=claim),
                      fields={"stance": OneOf(["believe", "doubt"])}, action="post",
                      max_words=max_words, heard="Today you talked with some people. They said:",
                      own_heading="What you said last time:")
    if intervention:
        env = Broadcast(env, refutation or REFUTATION.format(claim=claim), start=start,
                        every=every, times=times)
    env = BeliefStates(env, "stance", "believe")
    stance = Categorical(["believe", "doubt"],
                         initial=["believe" if a in chosen else "doubt" for a in ids],
                         doc="the agent's stance toward the news, from its own posts")
    params = {"days": days, "contact_rate": contact_rate, "believers": len(chosen),
              "n_agents": len(ids), "topic": "custom" if custom else topic, "claim": claim,
              "intervention": intervention, "start": start, "every": every, "times": times,
              "reflect": reflect, "memories": memories, "max_words": max_words,
              "memory": None if memory is None else type(memory).__name__,
              "believer_ids": sorted(int(a) for a in chosen)}
    opts = {"progress": True, **run_options}
    return Simulation(population, env, model, policy=LLMPolicy(FPS_SYSTEM, memories=memories),
                      memory=memory, state={"stance": stance}, clock="day", seed=seed,
                      reflect=1 if reflect else False, name="fps", params=params, **opts)


@model(*_PARAMS)
def fps(population=None, model: Any = None, *, days: int = 15, contact_rate: int = 3,
        believers: int = 2, agents: int = 30, topic: str = "politics", claim: str | None = None,
        intervention: bool = False, start: int = 1, every: int = 3, times: int | None = None,
        reflect: bool = True, memories: int = 5, max_words: int = 40, memory: Any = "stream",
        refutation: str | None = None, seed: int = 0, **run_options: Any):
    """FPS: attitudes toward fake news spreading through daily conversations (Liu et al. 2024).

    Day 0: ``believers`` agents (drawn with the seed) believe the news and have posted so, the
    others have posted that they doubt it. Each day every agent meets ``contact_rate`` others
    drawn at random (with the run's generator), reads what they last posted and what it posted
    itself, plus its retrieved memories (short-term: the conversations; long-term: reflections)
    and, on intervention days, the official refutation; it then posts (one call, one action
    ``post`` with a ``stance`` of ``believe`` or ``doubt`` and a ``text``), read by the
    never-guessing action parser (grammar-constrained on the embedded model). With
    ``reflect=True`` every agent reflects at the end of each day (a
    :class:`socialkit.memory.Stream` reflection: one question, two insights). The stance is
    the agent's own words; a post still invalid after the re-asks keeps the previous stance
    and is recorded as missing.

    Parameters
    ----------
    population : socialkit.Population, optional
        The agents (default: ``agents`` Big Five personas from the bfi respondents, drawn
        with the seed; :func:`socialkit.scenarios.bigfive_population`).
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    days, contact_rate, believers, agents, topic, intervention, start, every, times, reflect,
    memories, max_words
        See ``fps.schema``.
    claim : str, optional
        A news item of your own instead of ``FPS_TOPICS[topic]``.
    memory : "stream", Memory or None
        Default ``"stream"``: a :class:`socialkit.memory.Stream` (offline MiniLM embeddings;
        the ``memory`` extra). ``sk.memory.Recent(k)`` keeps the last ``k`` memories.
    refutation : str, optional
        What the spokesperson says (default: that the news is false).
    seed : int
        Seeds the personas (when drawn), the believers, the daily contacts and every call.
    **run_options
        Passed to :class:`socialkit.sim.Simulation` (``cache``, ``concurrency``,
        ``temperature``, ``budget``, ``checkpoint``, ``progress``, ...).

    Returns
    -------
    socialkit.Run
        Variable ``stance``; measures ``sir.susceptible``, ``sir.infected``,
        ``sir.recovered``, ``sir.ever``, ``sir.new`` (counts), ``broadcast.on`` and
        ``broadcast.count`` with an intervention; events ``post`` (``data``: stance, text),
        ``infected``, ``recovered``, ``broadcast``, ``missing``. :func:`fps_summary` reads
        the peak, the final size and how many believers stay believers.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population(sk.datasets.load("anes1996").head(4).assign(
    ...     agent=range(4), weight=1.0), codebook="anes1996")
    >>> def agent(messages):          # believes once a contact believes
    ...     told = messages[-1]["content"].split("They said:")[-1]
    ...     stance = "believe" if "think it is true" in told or "I believe" in told else "doubt"
    ...     return f"action: post\\nstance: {stance}\\ntext: I {stance} it."
    >>> run = sk.scenarios.fps(pop, sk.llm.scripted(agent), days=3, believers=1,
    ...                        contact_rate=2, memory=None, reflect=False, cache=False,
    ...                        progress=False)
    >>> run.measures()["sir.infected"].tolist()
    [1.0, 3.0, 4.0, 4.0]
    >>> sk.scenarios.fps_summary(run)[["peak_infected", "final_size"]].values.tolist()
    [[1.0, 1.0]]
    """
    sim = fps_simulation(**{k: v for k, v in locals().items() if k != "run_options"},
                         **run_options)
    return sim.run(days)


fps.simulation = fps_simulation


def fps_summary(runs: Any) -> pd.DataFrame:
    """One row per run: the SIR measures FPS reports.

    ``peak_infected`` (largest share of agents believing on a day), ``peak_day``,
    ``final_infected`` (share believing on the last day), ``final_size`` (share of the agents
    who doubted on day 0 that believed on some day), ``stay_believers`` (of the agents that
    ever believed, the share still believing at the end: FPS's "about half"),
    ``day_half`` (first day half of the agents believe; NaN if never), ``interventions``
    and ``missing`` (posts still invalid after the re-asks).

    Parameters
    ----------
    runs : Run or list of Run

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for r in check_runs(runs, "fps_summary"):
        m = r.measures()
        if "sir.infected" not in m:
            raise ValueError("fps_summary: the run has no sir.* measures (not an fps run)")
        n = float(r.params.get("n_agents", r.n_agents))
        i = m["sir.infected"] / n
        start_believers = set(r.params.get("believer_ids", []))
        inf = event_table(r, "infected")
        newly = set(inf["agent"]) - start_believers if len(inf) else set()
        susceptible0 = n - len(start_believers)
        ever = float(m["sir.ever"].iloc[-1])
        half = i.index[i >= 0.5]
        miss = r.events[(r.events["action"] == "missing")]
        rows.append({"seed": r.seed, "topic": r.params.get("topic"), "peak_infected": i.max(),
                     "peak_day": int(i.idxmax()), "final_infected": float(i.iloc[-1]),
                     "final_size": len(newly) / susceptible0 if susceptible0 else np.nan,
                     "stay_believers": float(m["sir.infected"].iloc[-1]) / ever if ever else np.nan,
                     "day_half": float(half[0]) if len(half) else np.nan,
                     "interventions": float(m["broadcast.count"].iloc[-1])
                     if "broadcast.count" in m else 0.0,
                     "missing": float(len(miss))})
    return pd.DataFrame(rows)


def fps_traits(runs: Any, population: Any = None, traits=TRAITS) -> pd.DataFrame:
    """Who came to believe: among the agents that doubted on day 0, the share that believed on
    some day, by level (high / low) of each Big Five trait, pooled over the runs, with a Wilson
    95% interval (FPS: agreeable and neurotic personas are more susceptible).

    Parameters
    ----------
    runs : Run or list of Run
        FPS runs.
    population : Population or list of Population, optional
        The runs' agents (one for all runs, or one per run); default: the bfi draw each
        ``fps`` run made from its seed (``bigfive_population(n_agents, seed)``).
    traits : sequence of str
        Population columns with a ``<trait>_level`` column.

    Returns
    -------
    pandas.DataFrame
        ``trait, level, n, believed, share, low, high``.
    """
    from scipy import stats

    runs = check_runs(runs, "fps_traits")
    pops = population if isinstance(population, list | tuple) else [population] * len(runs)
    if len(pops) != len(runs):
        raise ValueError(f"fps_traits: {len(pops)} populations for {len(runs)} runs")
    parts = []
    for r, pop in zip(runs, pops, strict=True):
        if pop is None:
            pop = bigfive_population(int(r.params["n_agents"]), seed=int(r.seed))
        df = pop.df.set_index("agent")
        inf = event_table(r, "infected")
        start = set(r.params.get("believer_ids", []))
        doubters = [a for a in df.index if a not in start]
        got = set(inf["agent"]) if len(inf) else set()
        for t in traits:
            col = f"{t}_level"
            if col not in df.columns:
                raise ValueError(f"fps_traits: the population has no column {col!r}")
            parts.append(pd.DataFrame({"trait": t, "level": df.loc[doubters, col].to_numpy(),
                                       "believed": [a in got for a in doubters]}))
    d = pd.concat(parts, ignore_index=True)
    out = d.groupby(["trait", "level"], sort=False)["believed"].agg(["size", "sum"]).reset_index()
    out.columns = ["trait", "level", "n", "believed"]
    z = stats.norm.ppf(0.975)
    p = out["believed"] / out["n"]
    denom = 1 + z ** 2 / out["n"]
    centre = (p + z ** 2 / (2 * out["n"])) / denom
    half = z * np.sqrt(p * (1 - p) / out["n"] + z ** 2 / (4 * out["n"] ** 2)) / denom
    out["share"], out["low"], out["high"] = p, centre - half, centre + half
    return out.sort_values(["trait", "level"]).reset_index(drop=True)
