"""The linear public-goods game of the laboratory (Fehr & Gachter 2000)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt
from socialkit.env._base import Environment
from socialkit.env._ipd import _int

__all__ = ["PublicGoods"]


class PublicGoods(Environment):
    """The linear public-goods game (Fehr & Gachter 2000): each round every agent gets
    ``endowment`` tokens and puts some of them into its group's project; each member earns
    ``endowment - own contribution + mpcr * the group's total contribution``. Groups of
    ``group_size`` are drawn once (``matching="partner"``) or anew each round (``"stranger"``)
    with the run's generator; the game is done after ``rounds`` rounds. Agents see last round's
    contributions in their group and their earnings. A missing decision contributes 0.

    Events ``contribution`` (``data``: ``group``, ``amount``, ``group_total``, ``payoff``);
    measures ``pg.contribution`` (mean share of the endowment given this round) and
    ``pg.payoff`` (mean earnings this round).

    Parameters
    ----------
    group_size : int
        Members per group (Fehr & Gachter: 4); the number of agents must be a multiple.
    endowment : float
        Tokens per round (20).
    mpcr : float
        Marginal per-capita return of the project, in (1 / group_size, 1) for a social dilemma
        (0.4).
    rounds : int
        Rounds (10).
    matching : {"partner", "stranger"}
    payoff : str, optional
        A continuous state variable kept equal to each agent's total earnings.

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> pop = sk.Population(pd.DataFrame({"agent": range(4), "weight": 1.0}))
    >>> pg = sk.env.PublicGoods(rounds=2)
    >>> sim = sk.Simulation(pop, env=pg, policy=pg.rule(20), progress=False)
    >>> _ = sim.run(10); sim.t, pg.totals.tolist()   # all give 20: 0.4 * 80 = 32 a round
    (2, [64.0, 64.0, 64.0, 64.0])
    """

    name = "public_goods"

    def __init__(self, group_size: int = 4, endowment: float = 20.0, mpcr: float = 0.4,
                 rounds: int = 10, matching: str = "partner", payoff: str | None = None):
        self.group_size = _int(group_size, "PublicGoods group_size", 2)
        if isinstance(endowment, bool) or not isinstance(endowment, int | float) \
                or not math.isfinite(endowment) or endowment <= 0:
            raise ValueError(f"PublicGoods endowment must be a positive number, got "
                             f"{endowment!r}")
        if isinstance(mpcr, bool) or not isinstance(mpcr, int | float) \
                or not 1 / self.group_size < mpcr < 1:
            raise ValueError(f"PublicGoods mpcr must be in (1/group_size, 1) = "
                             f"({fmt(round(1 / self.group_size, 4))}, 1) for a social dilemma, "
                             f"got {mpcr!r}")
        self.endowment, self.mpcr = float(endowment), float(mpcr)
        self.rounds = _int(rounds, "PublicGoods rounds", 1)
        if matching not in ("partner", "stranger"):
            raise ValueError(f"PublicGoods matching must be 'partner' or 'stranger', got "
                             f"{matching!r}")
        if payoff is not None and not isinstance(payoff, str):
            raise TypeError(f"PublicGoods payoff must be a state variable name, got {payoff!r}")
        self.matching, self.payoff_variable = matching, payoff
        self._menu = None
        self._reset(0)

    def _reset(self, n: int) -> None:
        self.round = 0
        self.group = np.full(n, -1, dtype=np.int64)
        self.last: list[tuple[float, list[float], float]] = [(math.nan, [], math.nan)] * n
        self.totals = np.zeros(n)
        self._last: dict[str, float] = {}

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "group_size": self.group_size, "endowment": self.endowment,
                "mpcr": self.mpcr, "rounds": self.rounds, "matching": self.matching,
                "payoff": self.payoff_variable}

    def check(self, sim: Any) -> None:
        n = len(sim.agents)
        if n < self.group_size or n % self.group_size:
            raise ValueError(f"PublicGoods: {n} agents cannot be split into groups of "
                             f"{self.group_size}")
        if self.payoff_variable is not None:
            var = sim.agents.variables.get(self.payoff_variable)
            if var is None or var.kind != "continuous":
                raise ValueError(f"PublicGoods payoff={self.payoff_variable!r} must be a "
                                 f"continuous state variable of the simulation")

    def setup(self, sim: Any) -> None:
        self._reset(len(sim.agents))

    def state(self) -> dict[str, Any]:
        return {"round": self.round, "group": self.group.tolist(),
                "last": [[a, list(b), c] for a, b, c in self.last],
                "totals": self.totals.tolist(), "stats": dict(self._last)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.round = int(state["round"])
        self.group = np.asarray(state["group"], dtype=np.int64)
        self.last = [(float(a), [float(x) for x in b], float(c)) for a, b, c in state["last"]]
        self.totals = np.asarray(state["totals"], dtype=np.float64)
        self._last = dict(state["stats"])

    def done(self, sim: Any) -> bool:
        return self.round >= self.rounds

    def _groups(self, sim: Any) -> None:
        if self.matching == "stranger" or (self.group < 0).any():
            order = sim.rng.permutation(len(self.group))
            self.group[order] = np.arange(len(order)) // self.group_size

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        e, g = fmt(self.endowment), self.group_size
        rules = (f"You are in a group of {g}. Each round every member gets {e} tokens and "
                 f"decides how many of them to put into a group project; the tokens you keep "
                 f"are yours. Every token put into the project earns each member of the group "
                 f"{fmt(self.mpcr)} tokens. The game lasts {self.rounds} rounds; "
                 + ("you stay in the same group." if self.matching == "partner"
                    else "groups are drawn anew each round."))
        out = []
        for p in sim.agents.positions(ids).tolist():
            lines = [rules, f"This is round {self.round + 1} of {self.rounds}."]
            own, others, pay = self.last[p]
            if not math.isnan(own):
                lines.append(f"Last round you put in {fmt(own)} tokens and the others in your "
                             f"group put in {', '.join(fmt(x) for x in others)}; you earned "
                             f"{fmt(round(pay, 4))} tokens.")
            lines.append(f"Your earnings so far: {fmt(round(float(self.totals[p]), 4))} tokens.")
            out.append("\n".join(lines))
        return out

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        from socialkit.agents import Action, ActionMenu, Number

        if self._menu is None:
            self._menu = ActionMenu([Action("contribute", "tokens you put into the project",
                                            amount=Number(0, self.endowment))],
                                    text="How many tokens do you put into the project?",
                                    name="contribution")
        return self._menu

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        self._groups(sim)
        n = len(self.group)
        amount = np.zeros(n)
        pos = sim.agents.positions(decisions["agent"].to_numpy(dtype=np.int64))
        for p, act, args in zip(pos.tolist(), decisions["action"], decisions["args"],
                                strict=True):
            if act == "contribute":
                amount[p] = float(args["amount"])
        totals = np.bincount(self.group, weights=amount, minlength=n)[self.group]
        pay = self.endowment - amount + self.mpcr * totals
        self.totals += pay
        ids = sim.agents.ids
        events = []
        for p in range(n):
            mates = [float(amount[q]) for q in np.flatnonzero(self.group == self.group[p])
                     if q != p]
            self.last[p] = (float(amount[p]), mates, float(pay[p]))
            events.append({"agent": int(ids[p]), "action": "contribution",
                           "data": {"group": int(self.group[p]), "amount": float(amount[p]),
                                    "group_total": float(totals[p]), "payoff": float(pay[p]),
                                    "round": self.round + 1}})
        if self.payoff_variable is not None:
            sim.agents.values[self.payoff_variable][:] = self.totals
        self.round += 1
        self._last = {"contribution": float(amount.mean() / self.endowment),
                      "payoff": float(pay.mean())}
        return events

    def measures(self, sim: Any) -> dict[str, float]:
        return {"pg.contribution": self._last.get("contribution", math.nan),
                "pg.payoff": self._last.get("payoff", math.nan)}

    def rule(self, amount: Any, name: str | None = None):
        """A :class:`socialkit.agents.RulePolicy` contributing ``amount`` (a number, or
        ``fn(ctx)`` giving one amount per active agent)."""
        from socialkit.agents import RulePolicy

        if not callable(amount) and (isinstance(amount, bool) or not isinstance(
                amount, int | float) or not 0 <= amount <= self.endowment):
            raise ValueError(f"PublicGoods.rule amount must be from 0 to {fmt(self.endowment)} "
                             f"or a function, got {amount!r}")

        def decide(ctx):
            got = amount(ctx) if callable(amount) else np.full(len(ctx.ids), float(amount))
            return {"action": "contribute", "amount": np.asarray(got, dtype=np.float64)}

        what = "rule" if callable(amount) else fmt(amount)
        return RulePolicy(decide, name=name or f"contribute {what}")
