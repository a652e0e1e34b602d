"""The environment protocol: what agents see, what they may do, and what their decisions do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Environment", "DECISION_COLUMNS", "Texts"]

DECISION_COLUMNS = ["agent", "policy", "action", "args", "status", "reason", "text"]
"""Columns of the decisions table :meth:`Environment.resolve` receives (one row per active
agent): ``action`` is the chosen action's name (None when there was no menu or the decision is
missing), ``args`` a dict of its typed arguments, ``status`` ok / repaired / missing / rule /
scripted, ``reason`` why a decision is missing, ``text`` the raw reply."""


class Texts(Sequence):
    """Observation texts made when first read: what :meth:`Environment.observe` may return
    instead of a list when its texts are costly and some policies never read them (a rule
    policy over thousands of agents). Subclasses implement ``render(i)`` from what they captured
    when observing (a copy of the state then: the step changes it before late reads); each text
    is rendered once, and ``take`` makes a view of some rows that shares the rendered texts.

    Examples
    --------
    >>> class Squares(Texts):
    ...     def render(self, i):
    ...         return f"{i} squared is {i * i}"
    >>> t = Squares(4)
    >>> t[3], list(t.take([2, 0])), len(t)
    ('3 squared is 9', ['2 squared is 4', '0 squared is 0'], 4)
    """

    def __init__(self, n: int):
        self._done: list[str | None] = [None] * n
        self._rows: np.ndarray | None = None  # a view's rows in its parent

    def render(self, i: int) -> str:
        """The text of row ``i``."""
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._done) if self._rows is None else len(self._rows)

    def _text(self, i: int) -> str:
        t = self._done[i]
        if t is None:
            t = self._done[i] = self.render(i)
        return t

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]  # negative indices, IndexError
        return self._text(i if self._rows is None else int(self._rows[i]))

    def __iter__(self) -> Any:
        return iter(self.tolist())

    def tolist(self) -> list[str]:
        """Every text, rendered now (once; later reads reuse them)."""
        rows = range(len(self._done)) if self._rows is None else self._rows.tolist()
        return [self._text(i) for i in rows]

    def take(self, rows: Any) -> Texts:
        """A view of some rows (positions in this sequence), rendered lazily too."""
        rows = np.asarray(rows, dtype=np.int64)
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._rows = rows if self._rows is None else self._rows[rows]
        return view


class Environment:
    """Base class of environments; every method has a harmless default.

    A step of a :class:`socialkit.sim.Simulation` calls, in order: :meth:`observe` (one text per
    active agent), :meth:`actions` (the action menu), the agents' policies, :meth:`resolve` (the
    platform mechanics, in code), then :meth:`measures` (per-step aggregates); ``run`` stops early
    once :meth:`done` is true. :meth:`state` and
    :meth:`load_state` carry the environment through checkpoints. Randomness must come from
    ``sim.rng`` (the run's generator, whose state is checkpointed).

    Examples
    --------
    >>> class Weather(Environment):
    ...     name = "weather"
    ...     def observe(self, sim, ids):
    ...         return [f"It is day {sim.t}; it rains."] * len(ids)
    >>> Weather().spec()
    {'name': 'weather'}
    """

    name = "environment"
    llm = False
    """True when the environment itself calls the model (a game master): its calls go through
    ``sim.complete_many`` and the model then enters the checkpoint fingerprint."""
    logs_decisions = False
    """True when :meth:`resolve` returns the event of every decision with an action itself (with
    the structured data the mechanics produced); the kernel then records only missing
    decisions, instead of one event per decision from its arguments."""

    def check(self, sim: Any) -> None:
        """Called when a simulation is built, after its agents exist: raise ValueError or
        TypeError for arguments that do not fit it (unknown state variables, ...)."""

    def setup(self, sim: Any) -> list[dict] | pd.DataFrame | None:
        """Called once when a simulation starts, after the agents exist; on resume it is called
        too, before :meth:`load_state` restores the checkpointed state. When a simulation
        starts, the events it returns (as :meth:`resolve`'s) are recorded at step 0 (seeded
        posts, an initial network); on resume they are already recorded and are ignored."""

    def observe(self, sim: Any, ids: np.ndarray) -> Sequence[str]:
        """What each active agent sees this step (one text per id, "" for nothing): a list, or
        :class:`Texts` rendered only where a policy reads them (rule policies often do not)."""
        return [""] * len(ids)

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        """The coarse observation of archetype agents (``group_by``): agents with equal cells
        and equal coarse observations share one decision. Default: :meth:`observe`."""
        return self.observe(sim, ids)

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        """The action menu: None (no actions), one :class:`socialkit.agents.ActionMenu` for
        every agent, or a list with one menu per id."""
        return None

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict] | pd.DataFrame | None:
        """Apply the decisions (columns :data:`DECISION_COLUMNS`); return extra events: dicts
        with ``agent``, ``action`` and optionally ``target``, ``text``, ``data`` (a dict or a
        JSON text), or one DataFrame with those columns (the vectorised form, for many
        agents)."""
        return None

    def measures(self, sim: Any) -> dict[str, float]:
        """Per-step aggregates recorded in the trajectory (agent -1)."""
        return {}

    def done(self, sim: Any) -> bool:
        """True when the environment has ended (a collapsed commons, the last generation
        played): :meth:`socialkit.sim.Simulation.run` then stops before its next step. It is
        asked after every step (and before the first), from the state :meth:`state` carries, so
        a resumed simulation stops alike."""
        return False

    def state(self) -> dict[str, Any]:
        """The mutable state, for checkpoints (picklable)."""
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state`."""

    def spec(self) -> dict[str, Any]:
        """What identifies this environment's configuration (for checkpoint fingerprints)."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"<socialkit env {self.name}>"
