"""The donor game with cultural evolution (Vallinder & Hughes 2024): generations of agents give to
each other, see each other's recent behaviour, and the better half passes its strategy on."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt
from socialkit.env._base import Environment

__all__ = ["DonorGame"]

RULES = ("You are playing a game with {others} other players. Everyone starts a generation with "
         "{endowment} units of resources. In each round you are paired with another player: "
         "you are the donor and choose what percentage of your resources to give; the "
         "recipient receives {multiplier} times what you give.{punish} You see what your "
         "recipient did in their most recent rounds. After {rounds} rounds, the {survive} "
         "players with the most resources survive into the next generation; new players "
         "replace the others and learn the survivors' strategies. Your goal is to have as many "
         "resources as possible at the end of the generation.")
PUNISH = (" Instead of giving, you may punish the recipient: you spend a percentage of your "
          "resources and the recipient loses {factor} times that amount.")
STRATEGY = ("Write your strategy for this game in two or three sentences: how much you give, and "
            "how you respond to what others did.")


class DonorGame(Environment):
    """The donor game across generations (Vallinder & Hughes 2024, "Cultural Evolution of
    Cooperation among LLM Agents").

    A generation is ``rounds + 1`` steps:

    - **strategy step**: every agent without a strategy (all in the first generation, the
      newcomers later) writes one (action ``strategy``, free text); newcomers see the
      survivors' strategies;
    - **rounds**: each round the agents are put in a random cycle (drawn with the run's
      generator): each is the donor of the next one and the recipient of the previous one. A
      donor sees its recipient's resources and reputation (what the recipient did as a donor in
      its last ``trace`` rounds of this generation) and chooses ``donate(percent)``: that share
      of its resources goes, multiplied by ``multiplier``, to the recipient. With
      ``punishment=True`` it may instead ``punish(percent)``: it spends that share and the
      recipient loses ``punishment_factor`` times as much (never below 0). All donations of a
      round are made from the resources at its start;
    - **selection** after the last round: the ``survive`` share of agents with the most
      resources (ties broken at random) survive with their strategies; the others are
      replaced by new agents (same agent ids, new names) who write a strategy next step.
      Everyone starts the next generation with ``endowment`` again.

    Events: ``strategy`` (its text), ``donate`` / ``punish`` (decisions, with ``target`` the
    recipient), ``give`` (``data``: recipient, percent, amount, resources before), ``survive``
    and ``replace`` (``data``: generation, resources, rank, name, strategy). Measures
    (``donor.*``) of the step just played: ``generation``, ``round`` (0 at a strategy step),
    ``resources`` (the mean now; after a generation's last round the next generation's
    endowment), ``final`` (the mean resources at the end of a generation, else NaN),
    ``donation`` (mean percent given, punishers counting 0), ``punished`` (share of donors who
    punished), ``gini``.

    Parameters
    ----------
    rounds : int
        Rounds per generation (Vallinder & Hughes: 12).
    generations : int
        Generations before the game is done (10).
    endowment : float
        Resources at the start of each generation (10).
    multiplier : float
        What a recipient gets per unit given (2).
    trace : int
        Past rounds of the recipient shown to its donor (3).
    survive : float
        Share of agents that survive a generation (0.5: the top half).
    punishment : bool
        Offer costly punishment.
    punishment_factor : float
        Units a punished recipient loses per unit spent (2).
    resources : str, optional
        A continuous state variable kept equal to each agent's resources (it then shows in the
        agents' prompts as "Your resources: ...").
    strategy_words : int
        Longest strategy.

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> pop = sk.Population(pd.DataFrame({"agent": range(4), "weight": 1.0}))
    >>> half = sk.env.DonorGame.rule(50, "Give half.")
    >>> sim = sk.Simulation(pop, env=sk.env.DonorGame(rounds=3, generations=1), policy=half,
    ...                     progress=False)
    >>> run = sim.run(100)
    >>> sim.t, float(run.measures()["donor.final"].iloc[-1])   # 10 * 1.5 ** 3
    (4, 33.75)
    """

    name = "donor"

    def __init__(self, rounds: int = 12, generations: int = 10, endowment: float = 10.0,
                 multiplier: float = 2.0, trace: int = 3, survive: float = 0.5,
                 punishment: bool = False, punishment_factor: float = 2.0,
                 resources: str | None = None, strategy_words: int = 60):
        for nm, v, low in (("rounds", rounds, 1), ("generations", generations, 1),
                           ("trace", trace, 0), ("strategy_words", strategy_words, 1)):
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
                raise ValueError(f"DonorGame {nm} must be an integer >= {low}, got {v!r}")
        for nm, v in (("endowment", endowment), ("multiplier", multiplier),
                      ("punishment_factor", punishment_factor)):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                    or v <= 0:
                raise ValueError(f"DonorGame {nm} must be a positive number, got {v!r}")
        if isinstance(survive, bool) or not isinstance(survive, int | float) \
                or not 0 < survive < 1:
            raise ValueError(f"DonorGame survive must be a share in (0, 1), got {survive!r}")
        if not isinstance(punishment, bool):
            raise TypeError(f"DonorGame punishment must be True or False, got {punishment!r}")
        if resources is not None and not isinstance(resources, str):
            raise TypeError(f"DonorGame resources must be a state variable name, got "
                            f"{resources!r}")
        self.rounds, self.generations, self.trace = int(rounds), int(generations), int(trace)
        self.endowment, self.multiplier = float(endowment), float(multiplier)
        self.survive, self.punishment = float(survive), punishment
        self.punishment_factor, self.resources_variable = float(punishment_factor), resources
        self.strategy_words = int(strategy_words)
        self._menus: dict[str, Any] = {}
        self._reset(0)

    @staticmethod
    def rule(percent: Any, strategy: str = "", action: str = "donate", name: str | None = None):
        """A :class:`socialkit.agents.RulePolicy` for this game: at strategy steps it writes
        ``strategy``; in rounds it chooses ``action`` (``"donate"`` or ``"punish"``) with
        ``percent``: a number, or ``fn(ctx) -> one percent per active agent`` (``ctx.env`` is
        the game: ``ctx.env.pairs``, ``ctx.env.history``, ``ctx.env.resources``).

        Examples
        --------
        >>> DonorGame.rule(100, "Always give everything.").name
        'donate 100'
        """
        from socialkit.agents import RulePolicy

        if action not in ("donate", "punish"):
            raise ValueError(f"DonorGame.rule action must be 'donate' or 'punish', got "
                             f"{action!r}")
        if not callable(percent) and (isinstance(percent, bool) or not isinstance(
                percent, int | float) or not 0 <= percent <= 100):
            raise ValueError(f"DonorGame.rule percent must be from 0 to 100 or a function, "
                             f"got {percent!r}")

        def decide(ctx):
            kind = [None if m is None else m.name for m in ctx.menus]  # strategy / round
            pct = percent(ctx) if callable(percent) else np.full(len(ctx.ids), float(percent))
            pct = np.asarray(pct, dtype=object)
            return {"action": [{"strategy": "strategy", "round": action}.get(k) for k in kind],
                    "text": [strategy or "(no words)" if k == "strategy" else None
                             for k in kind],
                    "percent": [float(x) if k == "round" else None
                                for k, x in zip(kind, pct, strict=True)]}

        what = getattr(percent, "__name__", "rule") if callable(percent) else fmt(percent)
        return RulePolicy(decide, name=name or f"{action} {what}")

    def _reset(self, n: int) -> None:
        self.generation, self.round = 1, 0
        self.resources = np.full(n, self.endowment)
        self.strategies: list[str | None] = [None] * n
        self.names = [f"Player 1.{i + 1}" for i in range(n)]
        self.born = [1] * n
        self.history: list[list[tuple[int, str, str, float]]] = [[] for _ in range(n)]
        self.pairs: dict[int, int] = {}
        self.last_strategies: list[str] = []
        self._last: dict[str, float] = {}
        self.finished = False

    # ---- configuration -------------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "rounds": self.rounds, "generations": self.generations,
                "endowment": self.endowment, "multiplier": self.multiplier,
                "trace": self.trace, "survive": self.survive, "punishment": self.punishment,
                "punishment_factor": self.punishment_factor,
                "resources": self.resources_variable, "strategy_words": self.strategy_words}

    def check(self, sim: Any) -> None:
        if len(sim.agents) < 2:
            raise ValueError("DonorGame needs at least 2 agents")
        if self.resources_variable is not None:
            var = sim.agents.variables.get(self.resources_variable)
            if var is None or var.kind != "continuous":
                raise ValueError(f"DonorGame resources={self.resources_variable!r} must be a "
                                 f"continuous state variable of the simulation; the state has "
                                 f"{list(sim.agents.variables)}")

    def setup(self, sim: Any) -> None:
        self._reset(len(sim.agents))
        self._sync(sim)

    def _sync(self, sim: Any) -> None:
        if self.resources_variable is not None:
            sim.agents.values[self.resources_variable][:] = self.resources

    def state(self) -> dict[str, Any]:
        return {"generation": self.generation, "round": self.round,
                "resources": self.resources.tolist(), "strategies": list(self.strategies),
                "names": list(self.names), "born": list(self.born),
                "history": [[list(h) for h in hs] for hs in self.history],
                "pairs": dict(self.pairs), "last_strategies": list(self.last_strategies),
                "last": dict(self._last), "finished": self.finished}

    def load_state(self, state: dict[str, Any]) -> None:
        self.generation, self.round = int(state["generation"]), int(state["round"])
        self.resources = np.asarray(state["resources"], dtype=np.float64)
        self.strategies, self.names = list(state["strategies"]), list(state["names"])
        self.born = list(state["born"])
        self.history = [[(int(a), str(b), str(c), float(d)) for a, b, c, d in hs]
                        for hs in state["history"]]
        self.pairs = {int(k): int(v) for k, v in state["pairs"].items()}
        self.last_strategies = list(state["last_strategies"])
        self._last, self.finished = dict(state["last"]), bool(state["finished"])

    def done(self, sim: Any) -> bool:
        return self.finished

    # ---- the phases ------------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        """What the coming step is: ``"strategy"`` or ``"round"``."""
        return "strategy" if self.round == 0 else "round"

    def _rules(self, n: int) -> str:
        punish = PUNISH.format(factor=fmt(self.punishment_factor)) if self.punishment else ""
        keep = max(1, int(math.floor(n * self.survive)))
        return RULES.format(others=n - 1, endowment=fmt(self.endowment),
                            multiplier=fmt(self.multiplier), punish=punish,
                            rounds=self.rounds, survive=keep)

    def _pair(self, sim: Any) -> None:
        n = len(sim.agents)
        order = sim.rng.permutation(n)
        self.pairs = {int(order[i]): int(order[(i + 1) % n]) for i in range(n)}

    def _reputation(self, who: int) -> str:
        name = self.names[who]
        past = self.history[who][-self.trace:] if self.trace else []
        if not past:
            return f"{name} has not been a donor yet in this generation."
        lines = []
        for rnd, to, act, pct in past:
            verb = "gave" if act == "donate" else "spent on punishing"
            lines.append(f"- In round {rnd}, {name} {verb} {fmt(round(pct, 1))}% of their "
                         f"resources {'to' if act == 'donate' else ''} {to}.".replace("  ", " "))
        return f"What {name} did recently:\n" + "\n".join(lines)

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        n = len(sim.agents)
        rules = self._rules(n)
        pos = sim.agents.positions(ids).tolist()
        if self.phase == "strategy":
            head = [rules, f"Generation {self.generation} is about to start."]
            if self.last_strategies:
                head.append("The strategies of the players who survived the last generation:\n"
                            + "\n".join(f"- {s}" for s in self.last_strategies))
            text = "\n".join(head)
            return [text if self.strategies[p] is None else "" for p in pos]
        if not self.pairs:
            self._pair(sim)
        out = []
        for p in pos:
            r = self.pairs[p]
            out.append("\n".join([
                rules, f"You are {self.names[p]}. Your strategy: {self.strategies[p] or '(none)'}",
                f"Generation {self.generation}, round {self.round} of {self.rounds}.",
                f"This round you are the donor of {self.names[r]}, who has "
                f"{fmt(round(float(self.resources[r]), 2))} units of resources.",
                self._reputation(r)]))
        return out

    def _menu(self, kind: str) -> Any:
        from socialkit.agents import Action, ActionMenu, Number, Text

        if kind not in self._menus:
            if kind == "strategy":
                menu = ActionMenu([Action("strategy", "your strategy",
                                          text=Text(self.strategy_words))], text=STRATEGY,
                                  name="strategy")
            else:
                acts = [Action("donate", "give this percentage of your resources",
                               percent=Number(0, 100))]
                if self.punishment:
                    acts.append(Action("punish", "spend this percentage of your resources to "
                                       "take away more from the recipient",
                                       percent=Number(0, 100)))
                menu = ActionMenu(acts, text="What do you do this round?", name="round")
            self._menus[kind] = menu
        return self._menus[kind]

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        pos = sim.agents.positions(ids).tolist()
        if self.phase == "strategy":
            menu = self._menu("strategy")
            return [menu if self.strategies[p] is None else None for p in pos]
        return self._menu("round")

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        agents = decisions["agent"].to_numpy(dtype=np.int64)
        pos = sim.agents.positions(agents).tolist()
        if self.phase == "strategy":
            return self._strategies(sim, decisions, agents, pos)
        return self._round(sim, decisions, agents, pos)

    def _strategies(self, sim, decisions, agents, pos) -> list[dict]:
        events = []
        for a, p, act, args in zip(agents.tolist(), pos, decisions["action"], decisions["args"],
                                   strict=True):
            if self.strategies[p] is not None:
                continue
            text = str((args or {}).get("text", "")).strip() if act == "strategy" else ""
            self.strategies[p] = text
            events.append({"agent": a, "action": "written", "text": text or None,
                           "data": {"generation": self.generation, "name": self.names[p]}})
        self._last = {"generation": self.generation, "round": 0}
        self.round = 1
        self.pairs = {}
        return events

    def _round(self, sim, decisions, agents, pos) -> list[dict]:
        if not self.pairs:
            self._pair(sim)
        start = self.resources.copy()
        new = start.copy()
        events, given, punished = [], [], []
        ids = sim.agents.ids
        for a, p, act, args in zip(agents.tolist(), pos, decisions["action"], decisions["args"],
                                   strict=True):
            r = self.pairs[p]
            pct = float((args or {}).get("percent", 0.0)) if act in ("donate", "punish") else 0.0
            amount = start[p] * pct / 100.0
            kind = act if act in ("donate", "punish") else "donate"
            if kind == "donate":
                new[p] -= amount
                new[r] += self.multiplier * amount
                given.append(pct)
            else:
                new[p] -= amount
                new[r] -= self.punishment_factor * amount
                given.append(0.0)
            punished.append(kind == "punish")
            self.history[p].append((self.round, self.names[r], kind, pct))
            events.append({"agent": a, "action": "give" if kind == "donate" else "punished",
                           "target": int(ids[r]),
                           "data": {"recipient": self.names[r], "percent": pct,
                                    "amount": amount, "resources": float(start[p]),
                                    "generation": self.generation, "round": self.round}})
        self.resources = np.maximum(new, 0.0)
        self._last = {"generation": self.generation, "round": self.round,
                      "donation": float(np.mean(given)) if given else math.nan,
                      "punished": float(np.mean(punished)) if punished else math.nan}
        self.pairs = {}
        if self.round >= self.rounds:
            events += self._select(sim)
        else:
            self.round += 1
        self._sync(sim)
        return events

    def _select(self, sim: Any) -> list[dict]:
        n = len(self.resources)
        keep = max(1, int(math.floor(n * self.survive)))
        shuffle = sim.rng.permutation(n)     # ties broken at random
        ranked = shuffle[np.argsort(-self.resources[shuffle], kind="stable")]
        ids = sim.agents.ids
        events = []
        survivors = set(ranked[:keep].tolist())
        self.last_strategies = [self.strategies[p] or "(no strategy)" for p in ranked[:keep]]
        self._last["final"] = float(self.resources.mean())
        for rank, p in enumerate(ranked.tolist(), 1):
            events.append({"agent": int(ids[p]),
                           "action": "survive" if p in survivors else "replace",
                           "data": {"generation": self.generation, "rank": rank,
                                    "resources": float(self.resources[p]),
                                    "name": self.names[p], "strategy": self.strategies[p]}})
        if self.generation >= self.generations:
            self.finished = True
            return events
        self.generation += 1
        self.round = 0
        newcomers = [p for p in range(n) if p not in survivors]
        for i, p in enumerate(sorted(newcomers), 1):
            self.names[p] = f"Player {self.generation}.{i}"
            self.strategies[p] = None
            self.born[p] = self.generation
        self.resources = np.full(n, self.endowment)
        self.history = [[] for _ in range(n)]
        return events

    def measures(self, sim: Any) -> dict[str, float]:
        r = self.resources
        last = self._last
        out = {"donor.generation": float(last.get("generation", self.generation)),
               "donor.round": float(last.get("round", 0)),
               "donor.resources": float(r.mean()) if len(r) else math.nan,
               "donor.final": last.get("final", math.nan),
               "donor.donation": last.get("donation", math.nan),
               "donor.punished": last.get("punished", math.nan)}
        total = r.sum()
        out["donor.gini"] = float(np.abs(r[:, None] - r[None, :]).sum() / (2 * len(r) * total)) \
            if len(r) and total > 0 else math.nan
        return out
