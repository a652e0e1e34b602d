"""The donor game with cultural evolution on the agent kernel (Vallinder & Hughes 2024, "Cultural
Evolution of Cooperation among LLM Agents").

Vallinder & Hughes: societies of 12 agents play 12 rounds of the donor game per generation over
10 generations; Claude 3.5 Sonnet societies reached higher scores than Gemini 1.5 Flash, which
beat GPT-4o; costly punishment helped Claude only; results varied a lot across seeds.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["donor_game", "donor_summary", "GAME_SYSTEM"]

GAME_SYSTEM = ("You are a player in an economic game. Play to do well, and answer briefly in "
                "the requested format.\n\n{persona}")
"""The system prompt of game players (the donor game's agents have no persona)."""


def _players(population: Any, agents: int | None, default: int, who: str):
    from socialkit.population import Population

    if population is None:
        n = default if agents is None else agents
        return Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0}))
    if not isinstance(population, Population):
        raise TypeError(f"{who}: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    if agents is not None and agents != len(population):
        raise ValueError(f"{who}: agents={agents} but the population has {len(population)} "
                         "agents; give one or the other")
    return population


def _options(run_options: dict, who: str) -> dict:
    bad = sorted({"env", "state", "params", "name"} & set(run_options))
    if bad:
        raise TypeError(f"{who}: {bad} are set by the scenario")
    return {"progress": True, **run_options}


@model(Param("agents", int, None, low=2, allow_none=True,
             doc="players per generation when no population is given (paper: 12)"),
       Param("rounds", int, 12, low=1, doc="rounds per generation (paper: 12)"),
       Param("generations", int, 10, low=1, doc="generations (paper: 10)"),
       Param("endowment", float, 10.0, low=0, low_open=True,
             doc="resources at the start of a generation (paper: 10)"),
       Param("multiplier", float, 2.0, low=0, low_open=True,
             doc="what the recipient gets per unit given (paper: 2)"),
       Param("trace", int, 3, low=0, doc="past rounds of the recipient a donor sees (paper: 3)"),
       Param("survive", float, 0.5, low=0, high=1, low_open=True, high_open=True,
             doc="share of players surviving a generation (paper: the top half)"),
       Param("punishment", bool, False, doc="donors may punish instead of giving"),
       Param("punishment_factor", float, 2.0, low=0, low_open=True,
             doc="units a punished recipient loses per unit spent (paper: 2)"),
       Param("strategy_words", int, 60, low=1, doc="longest strategy text, in words"))
def donor_game(population: Any = None, model: Any = None, *, agents: int | None = None,
               rounds: int = 12, generations: int = 10, endowment: float = 10.0,
               multiplier: float = 2.0, trace: int = 3, survive: float = 0.5,
               punishment: bool = False, punishment_factor: float = 2.0,
               strategy_words: int = 60, policy: Any = None,
               roles: Any = None, seed: int = 0, **run_options: Any):
    """The donor game with cultural evolution on the agent kernel: a
    :class:`socialkit.env.DonorGame` and a :class:`socialkit.sim.Simulation` run for
    ``generations * (rounds + 1)`` steps (a strategy step, then the rounds, per generation).

    Parameters
    ----------
    population : socialkit.Population, optional
        The players (default: ``agents`` players without personas, as in the paper).
    model : backend or LangChain chat model, optional
    agents, rounds, generations, endowment, multiplier, trace, survive, punishment,
    punishment_factor, strategy_words
        See ``donor_game.schema`` (the paper's values are the defaults).
    policy, roles
        Default: an LLM policy with :data:`GAME_SYSTEM`; rule players from
        :meth:`socialkit.env.DonorGame.rule`.
    seed : int
    **run_options
        Passed to the Simulation (``cache``, ``temperature``, ``progress``, ...).

    Returns
    -------
    socialkit.Run
        Per-agent ``resources``; measures ``donor.*``; events ``strategy`` / ``written``,
        ``donate`` / ``punish``, ``give`` / ``punished``, ``survive`` / ``replace``.
        :func:`donor_summary` gives the table per generation.

    Examples
    --------
    >>> import socialkit as sk
    >>> give = sk.env.DonorGame.rule(100, "Give everything, always.")
    >>> run = sk.scenarios.donor_game(policy=give, generations=2, progress=False)
    >>> sk.scenarios.donor_summary(run)[["generation", "resources"]].values.tolist()
    [[1.0, 40960.0], [2.0, 40960.0]]
    """
    from socialkit.agents import Continuous, LLMPolicy
    from socialkit.env import DonorGame
    from socialkit.sim import Simulation

    population = _players(population, agents, 12, "donor_game")
    options = _options(run_options, "donor_game")
    env = DonorGame(rounds=rounds, generations=generations, endowment=endowment,
                    multiplier=multiplier, trace=trace, survive=survive, punishment=punishment,
                    punishment_factor=punishment_factor, resources="resources",
                    strategy_words=strategy_words)
    params = {"agents": len(population), "rounds": rounds, "generations": generations,
              "endowment": endowment, "multiplier": multiplier, "trace": trace,
              "survive": survive, "punishment": punishment,
              "punishment_factor": punishment_factor, "strategy_words": strategy_words}
    sim = Simulation(population, env, model,
                     policy=LLMPolicy(GAME_SYSTEM, memories=0) if policy is None else policy,
                     roles=roles, state={"resources": Continuous(low=0, initial=endowment)},
                     seed=seed, name="donor_game", params=params, **options)
    return sim.run(generations * (rounds + 1))


def donor_summary(run: Any) -> pd.DataFrame:
    """One row per generation of a :func:`donor_game` run: ``resources`` (the mean at the
    generation's end, the paper's score), ``donation`` (mean percent given per round),
    ``punished`` (share of decisions that punished), ``survivors`` and ``strategies`` (the
    survivors' strategy texts, best first), ``written`` (the strategies written that
    generation).

    Examples
    --------
    >>> import socialkit as sk
    >>> keep = sk.env.DonorGame.rule(0, "Never give.")
    >>> run = sk.scenarios.donor_game(policy=keep, agents=4, rounds=2, generations=2,
    ...                               progress=False)
    >>> s = sk.scenarios.donor_summary(run)
    >>> s["resources"].tolist(), s["written"].map(len).tolist()
    ([10.0, 10.0], [4, 2])
    """
    if "generations" not in run.params or "rounds" not in run.params:
        raise ValueError("donor_summary: run.params lacks 'generations'/'rounds'; is this a "
                         "run of sk.scenarios.donor_game?")
    meas = run.measures()
    rows = []
    ev = run.events
    sel = ev[ev["action"].isin(["survive", "replace"])]
    sel_data = [json.loads(d) for d in sel["data"]]
    wrote = ev[ev["action"] == "written"]
    wrote_data = [json.loads(d) for d in wrote["data"]]
    for g, part in meas[meas["donor.round"] > 0].groupby("donor.generation"):
        g = int(g)
        ends = meas[(meas["donor.generation"] == g) & meas["donor.final"].notna()]
        surv = sorted((d for d, a in zip(sel_data, sel["action"], strict=True)
                       if d["generation"] == g and a == "survive"), key=lambda d: d["rank"])
        rows.append({"generation": g, "rounds": len(part),
                     "resources": float(ends["donor.final"].iloc[-1]) if len(ends)
                     else float("nan"),
                     "donation": float(part["donor.donation"].mean()),
                     "punished": float(part["donor.punished"].mean()),
                     "survivors": [d["name"] for d in surv],
                     "strategies": [d["strategy"] for d in surv],
                     "written": [t for t, d in zip(wrote["text"], wrote_data, strict=True)
                                 if d["generation"] == g]})
    return pd.DataFrame(rows)
