"""Environments that wrap another: official broadcasts on a schedule, and belief states (S/I/R)
read from a categorical state variable. The inner environment's mechanics run unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from socialkit.env._base import Environment

__all__ = ["Wrapper", "Broadcast", "BeliefStates", "SIR_STATES"]

SIR_STATES = ("susceptible", "infected", "recovered")
"""The belief states of :class:`BeliefStates`, in order."""


class Wrapper(Environment):
    """An environment around another: every method passes to ``inner`` unless overridden.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> w = Wrapper(sk.env.Network(nx.path_graph(3)))
    >>> w.name, w.spec()["inner"]["name"]
    ('network', 'network')
    """

    def __init__(self, inner: Environment):
        if not isinstance(inner, Environment):
            raise TypeError(f"{type(self).__name__} inner must be a socialkit.env.Environment, "
                            f"got {type(inner).__name__}")
        self.inner = inner

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name

    @property
    def llm(self) -> bool:  # type: ignore[override]
        return self.inner.llm

    @property
    def logs_decisions(self) -> bool:  # type: ignore[override]
        return getattr(self.inner, "logs_decisions", False)

    def check(self, sim: Any) -> None:
        self.inner.check(sim)

    def setup(self, sim: Any) -> Any:
        return self.inner.setup(sim)

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        return self.inner.observe(sim, ids)

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        return self.inner.observe_cell(sim, ids)

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        return self.inner.actions(sim, ids)

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict] | None:
        return self.inner.resolve(sim, decisions)

    def measures(self, sim: Any) -> dict[str, float]:
        return dict(self.inner.measures(sim) or {})

    def state(self) -> dict[str, Any]:
        return {"inner": self.inner.state()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.inner.load_state(state.get("inner", {}))

    def spec(self) -> dict[str, Any]:
        return {"wrapper": type(self).__name__, "inner": self.inner.spec()}

    def __repr__(self) -> str:
        return f"<socialkit env {type(self).__name__.lower()} over {self.inner!r}>"


def _steps(what: str, values: Iterable[Any]) -> list[int]:
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"Broadcast {what} must hold steps >= 1, got {v!r}")
        out.append(int(v))
    return sorted(set(out))


class Broadcast(Wrapper):
    """An announcement every active agent sees on scheduled steps (an official spokesperson's
    statement, a fact-check), on top of the inner environment's observation.

    The schedule is ``steps`` (a list), or from ``start`` every ``every`` steps (``every=None``:
    once), at most ``times`` announcements. The announcement is shown first, on its step only
    (agents with a memory remember it). Each announcement is an event ``broadcast`` (agent -1)
    and the measures ``broadcast.on`` (1 on announcement steps) and ``broadcast.count`` (how
    many so far: the cost of the intervention).

    Parameters
    ----------
    inner : Environment
    text : str
        What is announced.
    start : int
        First step with an announcement.
    every : int, optional
        Steps between announcements (None: only at ``start``).
    times : int, optional
        Most announcements (None: no limit).
    steps : list of int, optional
        Explicit announcement steps (instead of ``start``/``every``/``times``).
    source : str
        Who announces, in the observation.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> b = Broadcast(sk.env.Network(nx.path_graph(3)), "The rumour is false.", start=2,
    ...               every=3, times=3)
    >>> b.schedule(20)
    [2, 5, 8]
    """

    def __init__(self, inner: Environment, text: str, *, start: int = 1,
                 every: int | None = None, times: int | None = None,
                 steps: Iterable[int] | None = None,
                 source: str = "An official spokesperson"):
        super().__init__(inner)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"Broadcast text must be a non-empty string, got {text!r}")
        if not isinstance(source, str) or not source.strip():
            raise ValueError(f"Broadcast source must be a non-empty string, got {source!r}")
        if steps is not None:
            if isinstance(steps, str) or not isinstance(steps, Iterable):
                raise TypeError(f"Broadcast steps must be a list of steps, got {steps!r}")
            if every is not None or times is not None or start != 1:
                raise ValueError("Broadcast: give either steps= or start/every/times, not both")
            self._fixed: list[int] | None = _steps("steps", steps)
        else:
            self._fixed = None
            _steps("start", [start])
            if every is not None:
                _steps("every", [every])
            if times is not None and (isinstance(times, bool) or not isinstance(
                    times, int | np.integer) or times < 0):
                raise ValueError(f"Broadcast times must be a non-negative integer, got {times!r}")
        self.text, self.source = text.strip(), source.strip()
        self.start, self.every, self.times = int(start), every, times
        self.count = 0
        self._on = False

    def schedule(self, steps: int) -> list[int]:
        """The announcement steps among ``1..steps``."""
        if self._fixed is not None:
            return [s for s in self._fixed if s <= steps]
        if self.every is None:
            out = [self.start] if self.start <= steps else []
        else:
            out = list(range(self.start, steps + 1, int(self.every)))
        return out[:self.times] if self.times is not None else out

    def on(self, step: int) -> bool:
        """Whether ``step`` has an announcement."""
        return step in self.schedule(step)

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "text": self.text, "source": self.source,
                "start": self.start, "every": self.every, "times": self.times,
                "steps": self._fixed}

    def announcement(self) -> str:
        return f"{self.source} announced today: {self.text}"

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        inner = self.inner.observe(sim, ids)
        if not self.on(sim.t + 1):
            return inner
        head = self.announcement()
        return ["\n\n".join(p for p in (head, o) if p) for o in inner]

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        inner = self.inner.observe_cell(sim, ids)
        if not self.on(sim.t + 1):
            return inner
        head = self.announcement()
        return ["\n\n".join(p for p in (head, o) if p) for o in inner]

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> Any:
        got = self.inner.resolve(sim, decisions)  # event dicts, an events table, or None
        self._on = self.on(sim.t + 1)
        if not self._on:
            return got
        self.count += 1
        event = {"agent": -1, "action": "broadcast", "text": self.text,
                 "data": {"source": self.source, "count": self.count}}
        if isinstance(got, pd.DataFrame):  # a row of the inner environment's table
            row = {**event, "data": json.dumps(event["data"], sort_keys=True)}
            if "target" in got.columns:
                row["target"] = -1
            return pd.concat([got, pd.DataFrame([row])], ignore_index=True) if len(got) \
                else pd.DataFrame([row])
        return [*(got or []), event]

    def measures(self, sim: Any) -> dict[str, float]:
        out = super().measures(sim)
        out.update({"broadcast.on": float(self._on), "broadcast.count": float(self.count)})
        return out

    def state(self) -> dict[str, Any]:
        return {**super().state(), "count": self.count, "on": self._on}

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        self.count, self._on = int(state.get("count", 0)), bool(state.get("on", False))


class BeliefStates(Wrapper):
    """Susceptible / infected / recovered states read from a categorical belief variable.

    An agent is *infected* while its ``belief`` is ``believer`` (one of the variable's
    categories), *recovered* when it believed at some step and no longer does, *susceptible*
    when it never believed. An unknown belief (a missing answer) keeps the agent's state. The
    states are measures (``sir.susceptible``, ``sir.infected``, ``sir.recovered``: counts;
    ``sir.ever``: agents that believed at some step; ``sir.new``: agents infected this step,
    including re-infections of recovered agents); each change is an event ``infected`` or
    ``recovered``. The states are the observer's: agents never see them.

    Parameters
    ----------
    inner : Environment
    belief : str
        A categorical state variable.
    believer : str
        The category that means "believes".

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> env = BeliefStates(sk.env.Network(nx.path_graph(2), message=False), "stance", "believe")
    >>> env.spec()["belief"], env.spec()["believer"]
    ('stance', 'believe')
    """

    def __init__(self, inner: Environment, belief: str = "stance", believer: str = "believe"):
        super().__init__(inner)
        for nm, v in (("belief", belief), ("believer", believer)):
            if not isinstance(v, str) or not v:
                raise TypeError(f"BeliefStates {nm} must be a non-empty string, got {v!r}")
        self.belief, self.believer = belief, believer
        self.ever: np.ndarray | None = None
        self.now: np.ndarray | None = None
        self._new = 0

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "belief": self.belief, "believer": self.believer}

    def check(self, sim: Any) -> None:
        var = sim.agents.variables.get(self.belief)
        if var is None:
            raise ValueError(f"BeliefStates belief={self.belief!r} is not a state variable; the "
                             f"state has {list(sim.agents.variables)}")
        if var.kind != "categorical":
            raise TypeError(f"BeliefStates belief={self.belief!r} must be a categorical "
                            f"variable, it is {var.kind}")
        if self.believer not in var.categories:
            raise ValueError(f"BeliefStates believer={self.believer!r} is not a category of "
                             f"{self.belief!r}: {var.categories}")
        self.inner.check(sim)

    def _believes(self, sim: Any) -> tuple[np.ndarray, np.ndarray]:
        var = sim.agents.variables[self.belief]
        x = sim.agents.values[self.belief]
        return x == var.categories.index(self.believer), np.isnan(x)

    def setup(self, sim: Any) -> Any:
        out = self.inner.setup(sim)
        yes, unknown = self._believes(sim)
        self.ever = yes.copy()
        self.now = yes & ~unknown
        self._new = 0
        return out

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        events = list(self.inner.resolve(sim, decisions) or [])
        if self.ever is None:
            self.setup(sim)
        yes, unknown = self._believes(sim)
        now = np.where(unknown, self.now, yes)
        ids = sim.agents.ids
        infected = np.flatnonzero(now & ~self.now)
        recovered = np.flatnonzero(~now & self.now)
        events += [{"agent": int(ids[p]), "action": "infected",
                    "data": {"again": bool(self.ever[p])}} for p in infected]
        events += [{"agent": int(ids[p]), "action": "recovered"} for p in recovered]
        self.ever |= now
        self.now = now
        self._new = len(infected)
        return events

    def states(self) -> np.ndarray:
        """Each agent's state now (``SIR_STATES`` labels, in the agents' order)."""
        if self.ever is None:
            raise ValueError("BeliefStates: the simulation has not started")
        return np.where(self.now, SIR_STATES[1], np.where(self.ever, SIR_STATES[2],
                                                          SIR_STATES[0]))

    def measures(self, sim: Any) -> dict[str, float]:
        out = super().measures(sim)
        if self.ever is None:
            return out
        n_i = int(self.now.sum())
        n_ever = int(self.ever.sum())
        out.update({"sir.susceptible": float(len(self.now) - n_ever),
                    "sir.infected": float(n_i), "sir.recovered": float(n_ever - n_i),
                    "sir.ever": float(n_ever), "sir.new": float(self._new)})
        return out

    def state(self) -> dict[str, Any]:
        return {**super().state(), "ever": None if self.ever is None else self.ever.tolist(),
                "now": None if self.now is None else self.now.tolist(), "new": self._new}

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        if state.get("ever") is not None:
            self.ever = np.asarray(state["ever"], dtype=bool)
            self.now = np.asarray(state["now"], dtype=bool)
        self._new = int(state.get("new", 0))
