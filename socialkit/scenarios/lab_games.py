"""Laboratory games with LLM agents under the human studies' parameters: the repeated prisoner's
dilemma of the 30 treatments gathered by Nay & Vorobeychik (2016), whose human play
``sk.validation.cooperation`` compares with the agents', and the linear public-goods game of
Fehr & Gachter (2000)."""

from __future__ import annotations

from typing import Any

from socialkit.datasets.games import IPD_TREATMENTS
from socialkit.params import Param, model
from socialkit.scenarios.cooperation import GAME_SYSTEM, _options, _players

__all__ = ["prisoners_dilemma", "public_goods", "ipd_treatment"]


def ipd_treatment(treatment: str) -> dict[str, Any]:
    """The parameters of one human treatment as :class:`socialkit.env.RepeatedPD` arguments:
    ``payoffs`` (R, S, T, P), ``continuation`` or ``rounds``, ``error``.

    Examples
    --------
    >>> ipd_treatment("FR16")
    {'payoffs': (0.264, 0.0, 0.33, 0.066), 'continuation': 0.875, 'rounds': None, 'error': 0.0625}
    """
    from socialkit.datasets import ipd_treatments

    if treatment not in IPD_TREATMENTS:
        raise ValueError(f"unknown treatment {treatment!r}; the human data have "
                         f"{', '.join(IPD_TREATMENTS)} (see sk.datasets.ipd_treatments())")
    row = ipd_treatments().set_index("treatment").loc[treatment]
    fixed = row["horizon"] == "fixed"
    return {"payoffs": tuple(float(row[k]) for k in "RSTP"),
            "continuation": None if fixed else float(row["continuation"]),
            "rounds": int(row["rounds"]) if fixed else None, "error": float(row["error"])}


@model(Param("agents", int, None, low=2, allow_none=True,
             doc="players when no population is given (default 12); an even number"),
       Param("steps", int, 30, low=1, doc="rounds each player plays in all (over its matches)"),
       Param("treatment", str, "DF9", choices=IPD_TREATMENTS,
             doc="the human treatment whose payoffs, horizon and error rate are used"),
       Param("continuation", float, None, low=0, high=1, low_open=True, high_open=True,
             allow_none=True, doc="override: probability a match goes on after a round"),
       Param("rounds", int, None, low=1, allow_none=True,
             doc="override: rounds per match (a fixed horizon)"),
       Param("error", float, None, low=0, high=0.5, high_open=True, allow_none=True,
             doc="override: probability an intended move is flipped"))
def prisoners_dilemma(population: Any = None, model: Any = None, *, agents: int | None = None,
                      steps: int = 30, treatment: str = "DF9", payoffs: Any = None,
                      continuation: float | None = None, rounds: int | None = None,
                      error: float | None = None, policy: Any = None, roles: Any = None,
                      seed: int = 0, **run_options: Any):
    """The repeated prisoner's dilemma under a human treatment's parameters: a
    :class:`socialkit.env.RepeatedPD` (random rematching after each match) run for ``steps``
    rounds.

    The treatment (default ``"DF9"``: Dal Bo & Frechette 2011, R = 0.168, S = 0, T = 0.228,
    P = 0.078, continuation 3/4; people cooperated in 58.7% of its rounds) sets the payoffs,
    the horizon and the error rate; ``payoffs``, ``continuation`` / ``rounds`` and ``error``
    override them.

    Returns
    -------
    socialkit.Run
        Per-agent ``payoff`` (total); events ``move`` and ``match_end``; measures ``ipd.*``.
        ``sk.validation.cooperation(run)`` reads the cooperation measures,
        ``sk.validation.compare_cooperation(humans=..., agents=run)`` sets them beside people's.

    Examples
    --------
    >>> import socialkit as sk
    >>> game = sk.env.RepeatedPD((3, 0, 5, 1), rounds=1)
    >>> run = sk.scenarios.prisoners_dilemma(policy=game.rule("tft"), agents=4, steps=5,
    ...                                      progress=False)
    >>> run.params["treatment"], float(run.measures()["ipd.cooperation"].iloc[-1])
    ('DF9', 1.0)
    """
    from socialkit.agents import Continuous, LLMPolicy
    from socialkit.env import RepeatedPD
    from socialkit.sim import Simulation

    population = _players(population, agents, 12, "prisoners_dilemma")
    options = _options(run_options, "prisoners_dilemma")
    base = ipd_treatment(treatment)
    if continuation is not None and rounds is not None:
        raise ValueError("prisoners_dilemma: give continuation= or rounds=, not both")
    if continuation is not None:
        base["continuation"], base["rounds"] = continuation, None
    if rounds is not None:
        base["continuation"], base["rounds"] = None, rounds
    if payoffs is not None:
        base["payoffs"] = payoffs
    if error is not None:
        base["error"] = error
    env = RepeatedPD(base["payoffs"], base["continuation"], base["rounds"], error=base["error"],
                     payoff="payoff")
    params = {"agents": len(population), "steps": steps, "treatment": treatment,
              "payoffs": [env.R, env.S, env.T, env.P], "continuation": env.continuation,
              "rounds": env.rounds, "error": env.error}
    sim = Simulation(population, env, model,
                     policy=LLMPolicy(GAME_SYSTEM, memories=0) if policy is None else policy,
                     roles=roles, state={"payoff": Continuous(initial=0.0)}, seed=seed,
                     name="prisoners_dilemma", params=params, **options)
    return sim.run(steps)


@model(Param("agents", int, None, low=2, allow_none=True,
             doc="players when no population is given (default 8)"),
       Param("group_size", int, 4, low=2, doc="members per group (Fehr & Gachter 2000: 4)"),
       Param("endowment", float, 20.0, low=0, low_open=True, doc="tokens per round (20)"),
       Param("mpcr", float, 0.4, low=0, high=1, low_open=True, high_open=True,
             doc="what each member earns per token in the project (0.4)"),
       Param("rounds", int, 10, low=1, doc="rounds (10)"),
       Param("matching", str, "partner", choices=["partner", "stranger"],
             doc="fixed groups, or groups drawn anew each round"))
def public_goods(population: Any = None, model: Any = None, *, agents: int | None = None,
                 group_size: int = 4, endowment: float = 20.0, mpcr: float = 0.4,
                 rounds: int = 10, matching: str = "partner", policy: Any = None,
                 roles: Any = None, seed: int = 0, **run_options: Any):
    """The linear public-goods game (Fehr & Gachter 2000's design without punishment): a
    :class:`socialkit.env.PublicGoods` run for ``rounds`` rounds.

    Returns
    -------
    socialkit.Run
        Per-agent ``payoff`` (total earnings); events ``contribute`` and ``contribution``;
        measures ``pg.contribution`` (mean share of the endowment given) and ``pg.payoff``.

    Examples
    --------
    >>> import socialkit as sk
    >>> free_ride = sk.env.PublicGoods().rule(0)
    >>> run = sk.scenarios.public_goods(policy=free_ride, agents=4, progress=False)
    >>> run.final("payoff").tolist()
    [200.0, 200.0, 200.0, 200.0]
    """
    from socialkit.agents import Continuous, LLMPolicy
    from socialkit.env import PublicGoods
    from socialkit.sim import Simulation

    population = _players(population, agents, 8, "public_goods")
    options = _options(run_options, "public_goods")
    env = PublicGoods(group_size, endowment, mpcr, rounds, matching, payoff="payoff")
    params = {"agents": len(population), "group_size": group_size, "endowment": endowment,
              "mpcr": mpcr, "rounds": rounds, "matching": matching}
    sim = Simulation(population, env, model,
                     policy=LLMPolicy(GAME_SYSTEM, memories=0) if policy is None else policy,
                     roles=roles, state={"payoff": Continuous(initial=0.0)}, seed=seed,
                     name="public_goods", params=params, **options)
    return sim.run(rounds)
