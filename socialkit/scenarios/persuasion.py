"""Conversational persuasion (Salvi et al. 2024): debates between a participant and an opponent,
a 2 x 2 of opponent (a human-like persona agent or a plain LLM debater) x personalisation (the
opponent sees the participant's sociodemographic profile or not).

Salvi, Horta Ribeiro, Gallotti & West (2024), "On the Conversational Persuasiveness of Large
Language Models: A Randomized Controlled Trial" (arXiv:2403.14380; Nature Human Behaviour
2025). 820 participants debated a human or GPT-4 on a proposition in three phases (opening,
rebuttal, conclusion) and rated their agreement with it (1-5) before and after; with access to
the participant's sociodemographics GPT-4 raised the odds of more agreement with it by 81.7%
(odds ratio 1.81, p < 0.01) against human opponents; without, the effect was smaller and not
significant (p = 0.31).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["debate_persuasion", "persuasion_outcomes", "PROPOSITIONS", "CONDITIONS",
           "AI_SYSTEM", "HUMAN_SYSTEM"]

PROPOSITIONS = (
    "The penny should stay in circulation.",
    "Every citizen should receive a basic income from the government.",
    "Students should have to wear school uniforms.",
    "Social media companies should be held responsible for what their users post.",
    "Animals should be used for scientific research.",
    "The voting age should be lowered to 16.",
    "College athletes should be paid.",
    "Governments should be allowed to censor the internet to fight misinformation.",
    "Daylight saving time should be abolished.",
    "Fossil fuels should be phased out within twenty years.",
)
"""Propositions in the style of the paper's (socialkit's wording, not the paper's list), from
low- to high-strength topics (how strongly people tend to hold views on them)."""

CONDITIONS = ("human", "human_personalized", "ai", "ai_personalized")
"""The four arms: opponent (``human``: a persona agent; ``ai``: a plain LLM debater) x
personalisation (the opponent sees the participant's profile)."""

AI_SYSTEM = ("You are a skilled debater taking part in an online debate. Argue your side "
             "persuasively, briefly and in the requested format.{persona}")
"""System prompt of the plain LLM debater (no persona: ``{persona}`` renders empty)."""

HUMAN_SYSTEM = ("You are the person described below, taking part in an online debate. Argue "
                "your assigned side as this person would, briefly and in the requested "
                "format.\n\n{persona}")
"""System prompt of the human-like persona debaters (participants and human opponents)."""

AGREEMENT = ("How much do you agree with the proposition \"{proposition}\"? Answer from 1 "
             "(strongly disagree) to 5 (strongly agree).")

_PROFILE = ("age", "gender", "sex", "race", "ethnicity", "educ", "education", "employment",
            "income", "PID", "party")


def _profile_text(df: pd.DataFrame, columns: list[str]) -> list[str]:
    from socialkit.llm.ask import _render_rows

    return [t.replace("\n", "; ") for t in _render_rows(df, columns)]


def _debater_context(sim: Any, agent: int, debate: dict, role: str) -> str:
    """What a debater is told: its side; an opponent in a personalised arm also gets the
    participant's profile."""
    k = debate["members"].index(agent)
    side = "in favour of" if debate["sides"][k] == "pro" else "against"
    text = f"You argue {side} the proposition: {debate['proposition']}"
    if role == "opponent" and debate["info"].get("personalized"):
        text += ("\nYour opponent has told us about themselves (use it to tailor your "
                 f"arguments): {debate['info']['profile']}")
    return text


@model(
    Param("n_debates", int, 820, low=1,
          doc="debates, one per participant (Salvi et al.: 820 unique participants)"),
    Param("phases", int, 3, low=1, high=3,
          doc="debate phases: opening, then rebuttal, then conclusion (each side once each)"),
    Param("max_words", int, 80, low=5,
          doc="longest line of a debater (the paper limited phases by time)"),
)
def debate_persuasion(population, model: Any = None, *, n_debates: int = 820, phases: int = 3,
                      max_words: int = 80, propositions=PROPOSITIONS,
                      conditions=CONDITIONS, profile=None, seed: int = 0,
                      **run_options: Any):
    """Debates between persona participants and opponents in the 2 x 2 of Salvi et al.

    From ``population`` the scenario draws ``2 * n_debates`` distinct rows (the run's
    generator): the first half are participants, the second half the human-like opponents
    (used in the ``human`` arms; in the ``ai`` arms the row is played by a plain LLM debater
    without persona). Each debate gets a condition (balanced: each arm ``n_debates / 4``
    times, shuffled), a proposition (drawn), the participant's side (pro or con, drawn; the
    opponent takes the other) and who opens (drawn). The participant rates its agreement
    with the proposition (1-5) before and after a debate of ``phases`` phases in which both
    sides speak once per phase (a :class:`socialkit.env.Debate`); in the personalised arms the
    opponent's prompt holds the participant's profile (``profile`` columns).

    Parameters
    ----------
    population : socialkit.Population
        The pool of persona agents (e.g. ANES 1996 respondents), at least ``2 * n_debates``.
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    n_debates, phases, max_words
        See ``debate_persuasion.schema``.
    propositions : sequence of str
        The propositions debated (default :data:`PROPOSITIONS`).
    conditions : sequence of str
        The arms used (a subset of :data:`CONDITIONS`).
    profile : list of str, optional
        Population columns the personalised opponents see (default: those of age, gender,
        sex, race, ethnicity, education, employment, income and party that the population
        has).
    seed : int
        The run's seed (assignment and every call's draw).
    **run_options
        Passed to :class:`socialkit.Simulation` (``cache``, ``temperature``, ``memory``,
        ``concurrency``, ``progress``, ...).

    Returns
    -------
    socialkit.Run
        Events: the debates' utterances, ``rating`` (agreement before and after),
        ``debate`` (condition, proposition, sides). :func:`persuasion_outcomes` makes the
        analysis table.

    Examples
    --------
    >>> import socialkit as sk
    >>> def model(messages):
    ...     q = messages[-1]["content"]
    ...     return "4" if "strongly agree" in q else "We should keep it."
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), n=8, seed=1)
    >>> run = sk.scenarios.debate_persuasion(pop, sk.llm.scripted(model), n_debates=4,
    ...                                      phases=1, progress=False, cache=False)
    >>> t = sk.scenarios.persuasion_outcomes(run)
    >>> sorted(t["condition"]), t["agreement_after"].tolist()
    (['ai', 'ai_personalized', 'human', 'human_personalized'], [4.0, 4.0, 4.0, 4.0])
    """
    from socialkit.agents import LLMPolicy, Number
    from socialkit.dynamics._common import make_rng
    from socialkit.env import DEBATE_PHASES, Debate, Rating
    from socialkit.population import Population
    from socialkit.sim import Simulation

    if not isinstance(population, Population):
        raise TypeError(f"debate_persuasion: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    if len(population) < 2 * n_debates:
        raise ValueError(f"debate_persuasion: {n_debates} debates need {2 * n_debates} persona "
                         f"agents; the population has {len(population)}")
    if isinstance(propositions, str) or not len(propositions) or not all(
            isinstance(p, str) and p.strip() for p in propositions):
        raise ValueError("debate_persuasion: propositions must be a non-empty list of texts")
    conditions = [conditions] if isinstance(conditions, str) else list(conditions)
    bad = [c for c in conditions if c not in CONDITIONS]
    if bad or not conditions or len(set(conditions)) != len(conditions):
        raise ValueError(f"debate_persuasion: conditions must be distinct names among "
                         f"{list(CONDITIONS)}, got {conditions!r}")
    df = population.df
    if profile is None:
        profile = [c for c in _PROFILE if c in df.columns]
    profile = [profile] if isinstance(profile, str) else list(profile)
    missing = [c for c in profile if c not in df.columns]
    if missing:
        raise ValueError(f"debate_persuasion: profile columns {missing} are not population "
                         f"attributes: {population.attributes}")
    _, seed = make_rng(seed)
    rng = np.random.default_rng([seed, 1])  # the design's draws; the run's own follow ``seed``
    rows = rng.permutation(len(df))[:2 * n_debates]
    sub = df.iloc[rows].reset_index(drop=True)
    arms = np.resize(np.asarray(conditions, dtype=object), n_debates)
    arms = arms[rng.permutation(n_debates)]
    props = rng.integers(len(propositions), size=n_debates)
    pro = rng.random(n_debates) < 0.5
    first = rng.random(n_debates) < 0.5
    ids = sub["agent"].to_numpy()
    texts = _profile_text(sub.iloc[:n_debates], profile) if profile else [""] * n_debates
    roles = ["participant"] * n_debates + ["human" if a.startswith("human") else "ai"
                                           for a in arms]
    sub = sub.assign(debate_role=roles)
    debates = []
    for i in range(n_debates):
        members = [int(ids[i]), int(ids[n_debates + i])]
        role = ["participant", "opponent"]
        sides = ["pro", "con"] if pro[i] else ["con", "pro"]
        if not first[i]:
            members, role, sides = members[::-1], role[::-1], sides[::-1]
        arm = str(arms[i])
        debates.append({"members": members, "roles": role, "sides": sides,
                        "proposition": propositions[int(props[i])],
                        "info": {"condition": arm, "opponent": arm.split("_")[0],
                                 "personalized": arm.endswith("personalized"),
                                 "profile": texts[i]}})
    env = Debate(debates, phases=DEBATE_PHASES[:phases], max_words=max_words,
                 context=_debater_context,
                 ratings=[Rating("agreement", AGREEMENT, Number(1, 5, integer=True),
                                 who="participant")])
    pop = Population(sub, population.codebook, weight_source=population.weight_source)
    policies = {"participant": LLMPolicy(system=HUMAN_SYSTEM),
                "human": LLMPolicy(system=HUMAN_SYSTEM), "ai": LLMPolicy(system=AI_SYSTEM,
                                                                         persona=[])}
    params = {"n_debates": n_debates, "phases": phases, "max_words": max_words,
              "propositions": list(propositions), "conditions": conditions,
              "profile": profile}
    run_options.setdefault("name", "debate_persuasion")
    sim = Simulation(pop, env=env, model=model, policy=policies, roles="debate_role",
                     seed=seed, params=params, **run_options)
    return sim.run(steps=1)


def persuasion_outcomes(run: Any) -> pd.DataFrame:
    """One row per debate of :func:`debate_persuasion`: ``condition``, ``opponent``,
    ``personalized``, ``proposition``, the participant's ``side``, ``agreement_before`` and
    ``agreement_after`` (1-5, NaN when missing), and both turned towards the opponent's side
    (``before_toward_opponent``, ``after_toward_opponent``: 5 = fully agrees with the
    opponent), plus ``moved`` (+1 towards the opponent, 0, -1 away).

    Parameters
    ----------
    run : socialkit.Run
    """
    from socialkit.env import debates

    t = debates(run)
    need = {"condition", "agreement_before", "agreement_after"}
    if not need <= set(t.columns):
        raise ValueError("persuasion_outcomes needs a run of debate_persuasion (debates with "
                         "an agreement rating before and after)")
    t = t[t["role"] == "participant"].reset_index(drop=True)
    flip = t["side"] == "pro"  # the opponent argues con: agreeing less is agreeing with it
    for when in ("before", "after"):
        a = pd.to_numeric(t[f"agreement_{when}"])
        t[f"agreement_{when}"] = a
        t[f"{when}_toward_opponent"] = np.where(flip, 6 - a, a)
    t["moved"] = np.sign(t["after_toward_opponent"] - t["before_toward_opponent"])
    cols = ["debate", "agent", "condition", "opponent", "personalized", "proposition", "side",
            "agreement_before", "agreement_after", "before_toward_opponent",
            "after_toward_opponent", "moved", "turns", "ended_by"]
    return t[cols]
