"""The repeated prisoner's dilemma of the laboratory: random or fixed horizon, implementation
errors, rematching, classic rule strategies."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt
from socialkit.env._base import Environment

__all__ = ["RepeatedPD", "PD_STRATEGIES"]

PD_STRATEGIES = ("allc", "alld", "tft", "grim", "wsls", "random")
"""Rule strategies of :meth:`RepeatedPD.rule`: always cooperate, always defect, tit-for-tat,
grim trigger, win-stay lose-shift, a fair coin."""


def _int(v: Any, nm: str, low: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
        raise ValueError(f"{nm} must be an integer >= {low}, got {v!r}")
    return int(v)


def _payoffs(payoffs: Any) -> tuple[float, float, float, float]:
    if isinstance(payoffs, Mapping):
        missing = [k for k in "RSTP" if k not in payoffs]
        if missing:
            raise ValueError(f"RepeatedPD payoffs lacks {missing}; give R, S, T and P")
        payoffs = [payoffs[k] for k in "RSTP"]
    try:
        vals = [float(x) for x in payoffs]
    except (TypeError, ValueError):
        raise TypeError(f"RepeatedPD payoffs must be (R, S, T, P) numbers or a dict, got "
                        f"{payoffs!r}") from None
    if len(vals) != 4 or not all(math.isfinite(x) for x in vals):
        raise ValueError(f"RepeatedPD payoffs must be 4 finite numbers (R, S, T, P), got "
                         f"{payoffs!r}")
    r, s, t, p = vals
    if not t > r > p > s:
        raise ValueError(f"RepeatedPD payoffs must make a prisoner's dilemma, T > R > P > S; got "
                         f"R={fmt(r)}, S={fmt(s)}, T={fmt(t)}, P={fmt(p)}")
    return r, s, t, p


class RepeatedPD(Environment):
    """The repeated prisoner's dilemma as played in the laboratory studies of Nay & Vorobeychik
    (2016): agents are matched in pairs; each step every match plays one round (both choose at
    once); a match ends after ``rounds`` rounds (a fixed horizon) or, after each round, with
    probability ``1 - continuation`` (a random horizon, drawn with the run's generator); the
    players of ended matches are paired anew (at random among the free players) next step.

    With ``error > 0`` each intended move is flipped with that probability (Fudenberg, Rand &
    Dreber 2012); both players then see the moves actually made. A missing decision (a reply
    that did not parse) is played as ``missing`` (default: defect) and flagged in the event.

    Events ``move`` per player and round (``data``: ``match``, ``round`` in the match,
    ``partner``, ``intended``, ``move`` and ``partner_move`` as ``"C"``/``"D"``, ``payoff``,
    ``missing``), ``match_end``. Measures ``ipd.cooperation`` (share of C moves this step),
    ``ipd.first`` (the share among first rounds), ``ipd.matches`` (matches played this step).

    Parameters
    ----------
    payoffs : (R, S, T, P) or dict
        The row player's payoff for CC, CD (cooperated, partner defected), DC and DD; must
        satisfy T > R > P > S. ``sk.datasets.ipd_treatments()`` holds the studies' values.
    continuation : float, optional
        Probability that a match continues after a round (random horizon).
    rounds : int, optional
        Rounds per match (fixed horizon). Give exactly one of ``continuation`` and ``rounds``.
    error : float
        Probability that an intended move is flipped.
    labels : (str, str)
        The names of the two actions (lower-case identifiers).
    history : int
        Past rounds of the current match shown to the players.
    payoff : str, optional
        A continuous state variable kept equal to each agent's total payoff.
    missing : {"defect", "cooperate"}

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> pop = sk.Population(pd.DataFrame({"agent": range(2), "weight": 1.0}))
    >>> game = sk.env.RepeatedPD((3, 0, 5, 1), rounds=4)
    >>> sim = sk.Simulation(pop, env=game, roles=["tft", "alld"], progress=False,
    ...                     policy={"tft": game.rule("tft"), "alld": game.rule("alld")})
    >>> _ = sim.run(4)
    >>> game.totals.tolist()        # TFT: S + 3P; ALLD: T + 3P
    [3.0, 8.0]
    """

    name = "ipd"

    def __init__(self, payoffs: Any = (3.0, 0.0, 5.0, 1.0), continuation: float | None = None,
                 rounds: int | None = None, *, error: float = 0.0,
                 labels: Sequence[str] = ("cooperate", "defect"), history: int = 10,
                 payoff: str | None = None, missing: str = "defect"):
        from socialkit.agents._actions import _check_name

        self.R, self.S, self.T, self.P = _payoffs(payoffs)
        if (continuation is None) == (rounds is None):
            raise ValueError("RepeatedPD needs exactly one of continuation= (random horizon) "
                             "and rounds= (fixed horizon)")
        if continuation is not None and (isinstance(continuation, bool) or not isinstance(
                continuation, int | float) or not 0 < continuation < 1):
            raise ValueError(f"RepeatedPD continuation must be a probability in (0, 1), got "
                             f"{continuation!r}")
        self.continuation = None if continuation is None else float(continuation)
        self.rounds = None if rounds is None else _int(rounds, "RepeatedPD rounds", 1)
        if isinstance(error, bool) or not isinstance(error, int | float) \
                or not 0 <= error < 0.5:
            raise ValueError(f"RepeatedPD error must be a probability in [0, 0.5), got "
                             f"{error!r}")
        self.error = float(error)
        labels = list(labels)
        if len(labels) != 2 or labels[0] == labels[1]:
            raise ValueError(f"RepeatedPD labels must be two different names, got {labels!r}")
        self.labels = [_check_name(x, "RepeatedPD labels") for x in labels]
        self.history_shown = _int(history, "RepeatedPD history", 0)
        if payoff is not None and not isinstance(payoff, str):
            raise TypeError(f"RepeatedPD payoff must be a state variable name, got {payoff!r}")
        if missing not in ("defect", "cooperate"):
            raise ValueError(f"RepeatedPD missing must be 'defect' or 'cooperate', got "
                             f"{missing!r}")
        self.payoff_variable, self.missing = payoff, missing
        self._menu = None
        self._reset(0)

    def _reset(self, n: int) -> None:
        self.partner = np.full(n, -1, dtype=np.int64)
        self.match = np.full(n, -1, dtype=np.int64)
        self.in_match = np.zeros(n, dtype=np.int64)           # rounds played in the match
        self.past: list[list[tuple[str, str]]] = [[] for _ in range(n)]
        self.totals = np.zeros(n)
        self.matches = 0
        self._last: dict[str, float] = {}

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "payoffs": [self.R, self.S, self.T, self.P],
                "continuation": self.continuation, "rounds": self.rounds, "error": self.error,
                "labels": self.labels, "history": self.history_shown,
                "payoff": self.payoff_variable, "missing": self.missing}

    def check(self, sim: Any) -> None:
        if len(sim.agents) < 2:
            raise ValueError("RepeatedPD needs at least 2 agents")
        if self.payoff_variable is not None:
            var = sim.agents.variables.get(self.payoff_variable)
            if var is None or var.kind != "continuous":
                raise ValueError(f"RepeatedPD payoff={self.payoff_variable!r} must be a "
                                 f"continuous state variable of the simulation; the state has "
                                 f"{list(sim.agents.variables)}")

    def setup(self, sim: Any) -> None:
        self._reset(len(sim.agents))
        if self.payoff_variable is not None:
            sim.agents.values[self.payoff_variable][:] = 0.0

    def state(self) -> dict[str, Any]:
        return {"partner": self.partner.tolist(), "match": self.match.tolist(),
                "in_match": self.in_match.tolist(), "past": [list(map(list, p))
                                                             for p in self.past],
                "totals": self.totals.tolist(), "matches": self.matches,
                "last": dict(self._last)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.partner = np.asarray(state["partner"], dtype=np.int64)
        self.match = np.asarray(state["match"], dtype=np.int64)
        self.in_match = np.asarray(state["in_match"], dtype=np.int64)
        self.past = [[(str(a), str(b)) for a, b in p] for p in state["past"]]
        self.totals = np.asarray(state["totals"], dtype=np.float64)
        self.matches, self._last = int(state["matches"]), dict(state["last"])

    # ---- matching ------------------------------------------------------------------------------
    def _pair_free(self, sim: Any) -> None:
        free = np.flatnonzero(self.partner < 0)
        if len(free) < 2:
            return
        free = sim.rng.permutation(free)
        for i in range(0, len(free) - 1, 2):
            a, b = int(free[i]), int(free[i + 1])
            self.partner[a], self.partner[b] = b, a
            self.match[a] = self.match[b] = self.matches
            self.matches += 1
            self.in_match[a] = self.in_match[b] = 0
            self.past[a], self.past[b] = [], []

    # ---- what agents see -----------------------------------------------------------------------
    def payoff(self, own: str, other: str) -> float:
        """The payoff of ``own`` against ``other`` (``"C"`` or ``"D"``)."""
        return {("C", "C"): self.R, ("C", "D"): self.S, ("D", "C"): self.T,
                ("D", "D"): self.P}[(own, other)]

    def rules_text(self) -> str:
        c, d = self.labels
        lines = [f"You are playing a repeated game with a partner. In each round you both choose "
                 f"at the same time: {c} or {d}. Your earnings in a round:"]
        for own, other in (("C", "C"), ("C", "D"), ("D", "C"), ("D", "D")):
            lines.append(f"- you {self._word(own)}, your partner {self._word(other)}s: you get "
                         f"{fmt(self.payoff(own, other))}, your partner gets "
                         f"{fmt(self.payoff(other, own))}")
        if self.continuation is not None:
            lines.append(f"After each round the match goes on with probability "
                         f"{fmt(round(100 * self.continuation, 2))}%; when it ends you are "
                         "matched with a new partner.")
        else:
            lines.append(f"Each match lasts {self.rounds} round{'s' if self.rounds > 1 else ''}; "
                         "then you are matched with a new partner.")
        if self.error:
            lines.append(f"With probability {fmt(round(100 * self.error, 2))}% a player's "
                         "choice is switched to the other one; you see the moves actually "
                         "made.")
        return "\n".join(lines)

    def _word(self, move: str) -> str:
        return self.labels[0] if move == "C" else self.labels[1]

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        self._pair_free(sim)
        rules = self.rules_text()
        names = sim.agents.ids
        out = []
        for p in sim.agents.positions(ids).tolist():
            q = int(self.partner[p])
            if q < 0:
                out.append("")
                continue
            lines = [rules, f"This is round {self.in_match[p] + 1} of your match with "
                            f"player {int(names[q])}."]
            shown = self.past[p][-self.history_shown:] if self.history_shown else []
            first = len(self.past[p]) - len(shown) + 1
            for k, (own, other) in enumerate(shown, first):
                lines.append(f"Round {k}: you {self._word(own)}, your partner "
                             f"{self._word(other)}s; you got {fmt(self.payoff(own, other))}.")
            lines.append(f"Your earnings so far: {fmt(round(float(self.totals[p]), 6))}.")
            out.append("\n".join(lines))
        return out

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        from socialkit.agents import Action, ActionMenu

        if self._menu is None:
            c, d = self.labels
            self._menu = ActionMenu([Action(c, "cooperate with your partner"),
                                     Action(d, "defect against your partner")],
                                    text="What do you choose in this round?", name="move")
        self._pair_free(sim)
        return [self._menu if self.partner[p] >= 0 else None
                for p in sim.agents.positions(ids).tolist()]

    # ---- a round ----------------------------------------------------------------------------------
    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        c, d = self.labels
        pos = sim.agents.positions(decisions["agent"].to_numpy(dtype=np.int64)).tolist()
        chosen: dict[int, tuple[str, bool]] = {}
        for p, act in zip(pos, decisions["action"], strict=True):
            if self.partner[p] < 0:
                continue
            if act == c:
                chosen[p] = ("C", False)
            elif act == d:
                chosen[p] = ("D", False)
            else:
                chosen[p] = ("C" if self.missing == "cooperate" else "D", True)
        for p in list(chosen):   # an inactive partner: its move is missing too
            q = int(self.partner[p])
            if q not in chosen:
                chosen[q] = ("C" if self.missing == "cooperate" else "D", True)
        moves = {}
        for p in sorted(chosen):
            intended, _ = chosen[p]
            flip = self.error > 0 and sim.rng.random() < self.error
            moves[p] = ("D" if intended == "C" else "C") if flip else intended
        ids = sim.agents.ids
        events: list[dict] = []
        played, coop, first = 0, 0, []
        ended = []
        for p in sorted(moves):
            q = int(self.partner[p])
            if p > q:
                continue
            played += 1
            for a, b in ((p, q), (q, p)):
                gain = self.payoff(moves[a], moves[b])
                self.totals[a] += gain
                self.past[a].append((moves[a], moves[b]))
                events.append({"agent": int(ids[a]), "action": "move", "target": int(ids[b]),
                               "data": {"match": int(self.match[a]),
                                        "round": int(self.in_match[a]) + 1,
                                        "partner": int(ids[b]), "intended": chosen[a][0],
                                        "move": moves[a], "partner_move": moves[b],
                                        "payoff": gain, "missing": chosen[a][1]}})
                coop += moves[a] == "C"
                if self.in_match[a] == 0:
                    first.append(moves[a] == "C")
                self.in_match[a] += 1
            over = (self.in_match[p] >= self.rounds) if self.rounds is not None \
                else bool(sim.rng.random() >= self.continuation)
            if over:
                ended.append((p, q))
        for p, q in ended:
            events.append({"agent": int(ids[p]), "action": "match_end", "target": int(ids[q]),
                           "data": {"match": int(self.match[p]),
                                    "rounds": int(self.in_match[p])}})
            self.partner[p] = self.partner[q] = -1
        if self.payoff_variable is not None:
            sim.agents.values[self.payoff_variable][:] = self.totals
        self._last = {"cooperation": coop / (2 * played) if played else math.nan,
                      "first": float(np.mean(first)) if first else math.nan,
                      "matches": float(played)}
        return events

    def measures(self, sim: Any) -> dict[str, float]:
        return {f"ipd.{k}": self._last.get(k, math.nan)
                for k in ("cooperation", "first", "matches")}

    # ---- rule strategies ----------------------------------------------------------------------------
    def rule(self, strategy: str | Callable[..., str], name: str | None = None):
        """A :class:`socialkit.agents.RulePolicy` playing a classic strategy
        (:data:`PD_STRATEGIES`: ``allc``, ``alld``, ``tft`` tit-for-tat, ``grim``, ``wsls``
        win-stay lose-shift, ``random``), or ``fn(past, rng) -> "C" / "D"`` where ``past`` is
        the match so far as (own, partner) moves.

        Examples
        --------
        >>> RepeatedPD((3, 0, 5, 1), rounds=2).rule("wsls").name
        'wsls'
        """
        from socialkit.agents import RulePolicy

        if isinstance(strategy, str):
            if strategy not in PD_STRATEGIES:
                raise ValueError(f"RepeatedPD.rule strategy must be one of {PD_STRATEGIES} or "
                                 f"a function, got {strategy!r}")
            fn, label = _STRATEGY[strategy], strategy
        elif callable(strategy):
            fn, label = strategy, getattr(strategy, "__name__", "rule")
        else:
            raise TypeError(f"RepeatedPD.rule strategy must be a name or a function, got "
                            f"{type(strategy).__name__}")
        game = self

        def decide(ctx):
            env = ctx.env
            acts = []
            for p, menu in zip(ctx.positions.tolist(), ctx.menus, strict=True):
                if menu is None:
                    acts.append(None)
                    continue
                move = fn(list(env.past[p]), ctx.rng)
                if move not in ("C", "D"):
                    raise ValueError(f"strategy {label!r} returned {move!r}; expected 'C' or "
                                     "'D'")
                acts.append(game._word(move))
            return {"action": acts}

        return RulePolicy(decide, name=name or label)


def _tft(past, rng):
    return past[-1][1] if past else "C"


def _grim(past, rng):
    return "D" if any(o == "D" for _, o in past) else "C"


def _wsls(past, rng):
    if not past:
        return "C"
    own, other = past[-1]
    return own if other == "C" else ("D" if own == "C" else "C")


_STRATEGY = {"allc": lambda past, rng: "C", "alld": lambda past, rng: "D", "tft": _tft,
             "grim": _grim, "wsls": _wsls,
             "random": lambda past, rng: "C" if rng.random() < 0.5 else "D"}
