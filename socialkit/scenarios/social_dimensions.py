"""Persuasion along social dimensions (Breum et al. 2024): a convincer agent argues with a
climate-change skeptic, framing its arguments along one of ten dimensions of social interaction;
the skeptic reports whether its opinion changed.

Breum, Egdal, Gram Mortensen, Møller & Aiello (2024), "The Persuasive Power of Large Language
Models", ICWSM 2024. The dimensions are Deri et al.'s (2018) ten dimensions of social ties.
Arguments built on factual knowledge, markers of trust, expressions of support and conveyed
status were found most effective (by the LLM skeptics and by human judges alike).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["social_dimensions", "dimension_outcomes", "DIMENSIONS", "PAPER_TOP", "CLAIM"]

DIMENSIONS = {
    "knowledge": "share facts, evidence and expertise, so that the other learns something",
    "power": "stress that you can influence what happens to the other, and what they stand to "
             "lose or gain",
    "status": "show appreciation and admiration for the other and their standing",
    "trust": "show that the other can rely on you and on your judgement, and that you rely on "
             "theirs",
    "support": "offer emotional and practical help and understanding",
    "romance": "speak with warmth and intimacy, as to someone you are close to",
    "similarity": "stress the interests, worries and outlooks you share with the other",
    "identity": "appeal to the community or group you both belong to",
    "fun": "bring lightness, humour and enjoyment into the conversation",
    "conflict": "confront the other's views openly and stress where you disagree",
}
"""Deri et al.'s ten dimensions of social interaction, each with the instruction the convincer
gets (socialkit's wording)."""

PAPER_TOP = ("knowledge", "trust", "support", "status")
"""The dimensions Breum et al. found most effective."""

CLAIM = "Climate change is real and mostly caused by human activity."
"""The claim the convincer argues for."""

SKEPTIC = ("You are skeptical that climate change is real and caused by humans. Say honestly "
           "what you think; change your mind only if you are convinced.")

CONVINCER = ("Convince the other person that this claim is true: {claim} In your arguments, "
             "{how}.")

_PHASES = (("argument", "Make your case, or answer what was just said."),
           ("reply", "Answer what was just said."))

CONVINCER_SYSTEM = ("You are an AI assistant talking with a person. Write briefly and in the "
                    "requested format.{persona}")


def _context(sim: Any, agent: int, debate: dict, role: str) -> str:
    if role == "skeptic":
        return SKEPTIC
    how = DIMENSIONS[debate["info"]["dimension"]]
    return CONVINCER.replace("{claim}", debate["proposition"]).replace("{how}", how)


@model(
    Param("trials", int, 5, low=1, doc="conversations per dimension (one skeptic each)"),
    Param("rounds", int, 2, low=1, high=2,
          doc="exchanges: the convincer speaks, then the skeptic, this many times"),
    Param("max_words", int, 60, low=5, doc="longest line"),
    Param("stance", bool, True, doc="the skeptic also rates the claim (1-5) before and after"),
)
def social_dimensions(population, model: Any = None, *, trials: int = 5, rounds: int = 2,
                      max_words: int = 60, stance: bool = True,
                      dimensions=tuple(DIMENSIONS), claim: str = CLAIM,
                      seed: int = 0, **run_options: Any):
    """Convincer-skeptic conversations, ``trials`` per social dimension.

    From ``population`` the scenario draws ``trials * len(dimensions)`` skeptics (persona
    agents, told they doubt the claim) and as many rows for the convincers (played by a plain
    LLM without persona). Each conversation has ``rounds`` exchanges (the convincer speaks,
    then the skeptic); the convincer frames its arguments along its dimension. The skeptic
    rates the claim (1-5) before and after (with ``stance``), and answers whether it changed its
    opinion (yes / no; the paper's measure). The dimensions are assigned in a shuffled,
    balanced order.

    Parameters
    ----------
    population : socialkit.Population
        The pool of persona agents, at least ``2 * trials * len(dimensions)``.
    model : backend or LangChain chat model, optional
    trials, rounds, max_words, stance
        See ``social_dimensions.schema``.
    dimensions : sequence of str
        Names from :data:`DIMENSIONS`.
    claim : str
        What the convincer argues for.
    seed : int
    **run_options
        Passed to :class:`socialkit.Simulation`.

    Returns
    -------
    socialkit.Run
        :func:`dimension_outcomes` makes the analysis table;
        ``sk.validation.shares_by(table, "dimension", "changed")`` ranks the dimensions.

    Examples
    --------
    >>> import socialkit as sk
    >>> def model(messages):
    ...     q = messages[-1]["content"]
    ...     if "strongly agree" in q:
    ...         return "2"
    ...     if "yes, no" in q:
    ...         return "yes" if "Experts" in q else "no"
    ...     return "Experts agree." if "facts" in messages[-1]["content"] else "I doubt it."
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), n=8, seed=1)
    >>> run = sk.scenarios.social_dimensions(pop, sk.llm.scripted(model), trials=2, rounds=1,
    ...                                      dimensions=["knowledge", "fun"], progress=False,
    ...                                      cache=False)
    >>> t = sk.scenarios.dimension_outcomes(run)
    >>> t.groupby("dimension")["changed"].mean().to_dict()
    {'fun': 0.0, 'knowledge': 1.0}
    """
    from socialkit.agents import LLMPolicy, Number, OneOf
    from socialkit.dynamics._common import make_rng
    from socialkit.env import Debate, Rating
    from socialkit.population import Population
    from socialkit.sim import Simulation

    if not isinstance(population, Population):
        raise TypeError(f"social_dimensions: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    dimensions = [dimensions] if isinstance(dimensions, str) else list(dimensions)
    bad = [d for d in dimensions if d not in DIMENSIONS]
    if bad or not dimensions or len(set(dimensions)) != len(dimensions):
        raise ValueError(f"social_dimensions: dimensions must be distinct names among "
                         f"{list(DIMENSIONS)}, got {dimensions!r}")
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError(f"social_dimensions: claim must be a non-empty text, got {claim!r}")
    n = trials * len(dimensions)
    if len(population) < 2 * n:
        raise ValueError(f"social_dimensions: {n} conversations need {2 * n} persona agents; "
                         f"the population has {len(population)}")
    _, seed = make_rng(seed)
    rng = np.random.default_rng([seed, 2])
    rows = rng.permutation(len(population))[:2 * n]
    sub = population.df.iloc[rows].reset_index(drop=True)
    dims = np.repeat(np.asarray(dimensions, dtype=object), trials)[rng.permutation(n)]
    ids = sub["agent"].to_numpy()
    sub = sub.assign(persuasion_role=["skeptic"] * n + ["convincer"] * n)
    debates = [{"members": [int(ids[n + i]), int(ids[i])], "roles": ["convincer", "skeptic"],
                "sides": ["pro", "con"], "proposition": claim.strip(),
                "info": {"dimension": str(dims[i])}} for i in range(n)]
    question = ("How much do you agree that {proposition}? Answer from 1 (strongly disagree) "
                "to 5 (strongly agree).")
    changed = Rating("changed", "Did this conversation change your opinion about the claim "
                     "\"{proposition}\"?", OneOf(["yes", "no"]), when="after", who="skeptic")
    ratings = [Rating("agreement", question, Number(1, 5, integer=True), who="skeptic"),
               changed] if stance else [changed]
    env = Debate(debates, phases=_PHASES[:rounds], ratings=ratings, context=_context,
                 max_words=max_words)
    pop = Population(sub, population.codebook, weight_source=population.weight_source)
    policies = {"skeptic": LLMPolicy(),
                "convincer": LLMPolicy(system=CONVINCER_SYSTEM, persona=[])}
    params = {"trials": trials, "rounds": rounds, "max_words": max_words, "stance": stance,
              "dimensions": dimensions, "claim": claim.strip()}
    run_options.setdefault("name", "social_dimensions")
    sim = Simulation(pop, env=env, model=model, policy=policies, roles="persuasion_role",
                     seed=seed, params=params, **run_options)
    return sim.run(steps=1)


def dimension_outcomes(run: Any) -> pd.DataFrame:
    """One row per conversation of :func:`social_dimensions`: ``dimension``, the skeptic's
    ``agreement_before`` / ``agreement_after`` (1-5), ``shift`` (after - before), ``changed``
    (1 when the skeptic says the conversation changed its opinion, 0 when not, NaN when its
    answer is missing), ``turns`` and ``ended_by``.

    Parameters
    ----------
    run : socialkit.Run
    """
    from socialkit.env import debates

    t = debates(run)
    if "dimension" not in t.columns or "changed_after" not in t.columns:
        raise ValueError("dimension_outcomes needs a run of social_dimensions")
    t = t[t["role"] == "skeptic"].reset_index(drop=True)
    out = pd.DataFrame({"debate": t["debate"], "agent": t["agent"],
                        "dimension": t["dimension"]})
    for when in ("before", "after"):
        col = f"agreement_{when}"
        out[col] = pd.to_numeric(t[col]) if col in t.columns else np.nan
    out["shift"] = out["agreement_after"] - out["agreement_before"]
    out["changed"] = t["changed_after"].map({"yes": 1.0, "no": 0.0})
    out["turns"], out["ended_by"] = t["turns"], t["ended_by"]
    return out
