"""Typed per-agent state variables, stored as one float vector per variable.

Continuous variables hold their values; ordinal ones the level (1..n); categorical ones the code
(0..k-1) of their category. NaN means "not known yet". A variable made from a question
(:func:`variable`) is *reported*: LLM agents answer it each step they are active.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt

__all__ = ["Variable", "Continuous", "Ordinal", "Categorical", "variable", "Agents"]


class Variable:
    """Base class of state variables. ``initial`` is a scalar, one value per agent (array, or
    Series / dict by agent id), a population column name, or None (unknown: NaN)."""

    kind = "variable"

    def __init__(self, initial: Any = None, *, question: Any = None, doc: str = ""):
        self.initial = initial
        self.question = question
        self.doc = doc

    @property
    def reported(self) -> bool:
        """LLM agents answer this variable's question each active step."""
        return self.question is not None

    def code(self, value: Any) -> float:
        """The stored float of one value (NaN for None); raises ValueError outside the domain."""
        raise NotImplementedError  # pragma: no cover

    def text(self, value: float) -> str:
        """How a stored value reads in a prompt."""
        raise NotImplementedError  # pragma: no cover

    def describe(self) -> dict[str, Any]:
        d = {"kind": self.kind, "reported": self.reported, "doc": self.doc}
        if self.question is not None:
            d["question"] = self.question.text
        return d

    def codes(self, values: Any, name: str) -> np.ndarray:
        """Stored floats of many values, validated, naming the variable in errors."""
        if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
            got = self._numbers(values.ravel().astype(np.float64))
            if got is not None:  # all valid; else the loop below names the first bad value
                return got
        arr = np.asarray(values, dtype=object).ravel()
        out = np.empty(len(arr), dtype=np.float64)
        for i, v in enumerate(arr):
            try:
                out[i] = self.code(v)
            except (TypeError, ValueError) as err:
                raise ValueError(f"state variable {name!r}: {err}") from None
        return out

    def _numbers(self, x: np.ndarray) -> np.ndarray | None:
        """The stored floats of an array of numbers (NaN: missing) when all are valid, else
        None; what :meth:`code` gives each, without a Python call per value."""
        return None


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float | np.floating) and math.isnan(v)) or v is pd.NA


class Continuous(Variable):
    """A real-valued state (wealth, stock, opinion on [0, 1]) between ``low`` and ``high``.

    Examples
    --------
    >>> Continuous(low=0, high=1).codes([0.2, None], "opinion").tolist()
    [0.2, nan]
    """

    kind = "continuous"

    def __init__(self, low: float = -math.inf, high: float = math.inf, initial: Any = None, *,
                 question: Any = None, doc: str = ""):
        for n, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
                raise ValueError(f"Continuous {n} must be a number, got {v!r}")
        if low >= high:
            raise ValueError(f"Continuous needs low < high, got {low} and {high}")
        super().__init__(initial, question=question, doc=doc)
        self.low, self.high = float(low), float(high)

    def code(self, value: Any) -> float:
        if _missing(value):
            return math.nan
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise TypeError(f"{value!r} is not a number")
        x = float(value)
        if not (self.low <= x <= self.high):
            raise ValueError(f"{x!r} is outside [{fmt(self.low)}, {fmt(self.high)}]")
        return x

    def text(self, value: float) -> str:
        return "unknown" if math.isnan(value) else fmt(value, digits=3)

    def _numbers(self, x: np.ndarray) -> np.ndarray | None:
        with np.errstate(invalid="ignore"):
            ok = np.isnan(x) | ((x >= self.low) & (x <= self.high))
        return x if ok.all() else None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "low": self.low, "high": self.high}


class Ordinal(Variable):
    """Ordered levels 1..n with labels (a Likert answer, an emotion intensity).

    Examples
    --------
    >>> v = Ordinal(["calm", "worried", "alarmed"])
    >>> v.codes([1, "alarmed"], "emotion").tolist(), v.text(2.0)
    ([1.0, 3.0], '2 (worried)')
    """

    kind = "ordinal"

    def __init__(self, levels: int | Sequence[str], initial: Any = None, *, question: Any = None,
                 doc: str = ""):
        if isinstance(levels, int) and not isinstance(levels, bool):
            labels = [str(i) for i in range(1, levels + 1)]
        elif isinstance(levels, Sequence) and not isinstance(levels, str):
            labels = [str(x) for x in levels]
        else:
            raise TypeError(f"Ordinal levels must be a count or a list of labels, got {levels!r}")
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise ValueError(f"Ordinal needs at least 2 distinct levels, got {labels}")
        super().__init__(initial, question=question, doc=doc)
        self.labels = labels

    def code(self, value: Any) -> float:
        if _missing(value):
            return math.nan
        if isinstance(value, str):
            if value in self.labels:
                return float(self.labels.index(value) + 1)
            raise ValueError(f"{value!r} is not a level; levels: {self.labels}")
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise TypeError(f"{value!r} is not a level number or label")
        x = float(value)
        if not x.is_integer() or not 1 <= x <= len(self.labels):
            raise ValueError(f"{value!r} is not a level from 1 to {len(self.labels)}")
        return x

    def _numbers(self, x: np.ndarray) -> np.ndarray | None:
        with np.errstate(invalid="ignore"):
            ok = np.isnan(x) | ((x == np.floor(x)) & (x >= 1) & (x <= len(self.labels)))
        return x if ok.all() else None

    def text(self, value: float) -> str:
        if math.isnan(value):
            return "no answer yet"
        i = int(value)
        label = self.labels[i - 1]
        return str(i) if label == str(i) else f"{i} ({label})"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "levels": list(self.labels)}


class Categorical(Variable):
    """Unordered categories, stored as codes 0..k-1 (SIR states, a stance, a role).

    Examples
    --------
    >>> v = Categorical(["unaware", "believer", "denier"])
    >>> v.codes(["believer", None], "stance").tolist(), v.text(0.0)
    ([1.0, nan], 'unaware')
    """

    kind = "categorical"

    def __init__(self, categories: Sequence[Any], initial: Any = None, *, question: Any = None,
                 doc: str = ""):
        if isinstance(categories, str) or not isinstance(categories, Sequence):
            raise TypeError(f"Categorical categories must be a list, got {categories!r}")
        cats = [str(c) for c in categories]
        if len(cats) < 2 or len(set(cats)) != len(cats):
            raise ValueError(f"Categorical needs at least 2 distinct categories, got {cats}")
        super().__init__(initial, question=question, doc=doc)
        self.categories = cats

    def code(self, value: Any) -> float:
        if _missing(value):
            return math.nan
        if isinstance(value, str):
            if value in self.categories:
                return float(self.categories.index(value))
            raise ValueError(f"{value!r} is not a category; categories: {self.categories}")
        raise TypeError(f"{value!r} is not a category name; categories: {self.categories}")

    def text(self, value: float) -> str:
        return "unknown" if math.isnan(value) else self.categories[int(value)]

    def label(self, value: float) -> str | None:
        return None if math.isnan(value) else self.categories[int(value)]

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "categories": list(self.categories)}


def variable(spec: Any, name: str = "variable") -> Variable:
    """A state variable from a Variable or a question (which LLM agents then report).

    A :class:`socialkit.Likert` becomes an :class:`Ordinal` of its labels, a
    :class:`socialkit.Choice` a :class:`Categorical` of its options, a :class:`socialkit.Numeric`
    a :class:`Continuous` of its range.

    Examples
    --------
    >>> import socialkit as sk
    >>> variable(sk.Likert("Vaccines are safe."), "trust").describe()["levels"][:2]
    ['Strongly disagree', 'Disagree']
    """
    from socialkit.llm.questions import Choice, Likert, Numeric

    if isinstance(spec, Variable):
        return spec
    if isinstance(spec, Likert):
        return Ordinal(spec.labels, question=spec)
    if isinstance(spec, Choice):
        return Categorical(spec.options, question=spec)
    if isinstance(spec, Numeric):
        return Continuous(spec.low, spec.high, question=spec)
    raise TypeError(f"state variable {name!r} must be a socialkit.agents Continuous, Ordinal or "
                    f"Categorical, or a Likert, Choice or Numeric question to report; got "
                    f"{type(spec).__name__}")


class Agents:
    """The agents of a simulation: ids, population rows and typed state, one vector per variable.

    Parameters
    ----------
    population : socialkit.Population
    variables : dict of name -> Variable or question

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(3))
    >>> ag = Agents(pop, {"wealth": Continuous(low=0, initial=10.0)})
    >>> ag.set("wealth", [1], [4.5]); ag.frame()["wealth"].tolist()
    [10.0, 4.5, 10.0]
    """

    def __init__(self, population: Any, variables: Mapping[str, Any] | None = None):
        from socialkit.population import Population

        if not isinstance(population, Population):
            raise TypeError(f"population must be a socialkit.Population, got "
                            f"{type(population).__name__}")
        self.population = population
        self.ids = population.df["agent"].to_numpy(dtype=np.int64)
        self._pos = pd.Index(self.ids)
        if variables is not None and not isinstance(variables, Mapping):
            raise TypeError(f"state must be a dict of name -> variable, got "
                            f"{type(variables).__name__}")
        self.variables: dict[str, Variable] = {}
        self.values: dict[str, np.ndarray] = {}
        for name, spec in (variables or {}).items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(f"state variable names must be identifiers, got {name!r}")
            if name in ("agent", "weight"):
                raise ValueError(f"{name!r} cannot be a state variable name")
            var = variable(spec, name)
            self.variables[name] = var
            self.values[name] = self._initial(name, var)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"<socialkit Agents n={len(self)} state={list(self.variables)}>"

    def positions(self, ids: Any, what: str = "agent ids") -> np.ndarray:
        """Row positions of agent ids; unknown ids raise ValueError."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        pos = self._pos.get_indexer(ids)
        if (pos < 0).any():
            raise ValueError(f"{what}: {ids[pos < 0][:5].tolist()} are not agents of the "
                             "simulation")
        return pos

    def _initial(self, name: str, var: Variable) -> np.ndarray:
        init, n = var.initial, len(self)
        if init is None:
            return np.full(n, np.nan)
        if isinstance(init, str) and init in self.population.df.columns:
            return var.codes(self.population.df[init].to_numpy(dtype=object), name)
        if isinstance(init, str) and var.kind == "continuous":
            raise ValueError(f"state variable {name!r}: initial={init!r} is not a population "
                             f"column; columns: {self.population.attributes}")
        if isinstance(init, pd.Series | Mapping):
            s = pd.Series(init)
            lacking = [a for a in self.ids if a not in s.index]
            if lacking:
                raise ValueError(f"state variable {name!r}: no initial value for agent(s) "
                                 f"{lacking[:5]}")
            return var.codes(s.loc[self.ids].to_numpy(dtype=object), name)
        if np.ndim(init) == 0:
            return np.full(n, var.codes([init], name)[0])
        arr = np.asarray(init, dtype=object).ravel()
        if len(arr) != n:
            raise ValueError(f"state variable {name!r}: {len(arr)} initial values for {n} agents")
        return var.codes(arr, name)

    def get(self, name: str, ids: Any = None) -> np.ndarray:
        """Stored values of a variable (all agents, or the given ids)."""
        if name not in self.values:
            raise ValueError(f"unknown state variable {name!r}; the state has "
                             f"{list(self.variables)}")
        x = self.values[name]
        return x.copy() if ids is None else x[self.positions(ids)]

    def set(self, name: str, ids: Any, values: Any) -> None:
        """Set a variable for some agents; values are validated against its type."""
        if name not in self.values:
            raise ValueError(f"unknown state variable {name!r}; the state has "
                             f"{list(self.variables)}")
        pos = self.positions(ids)
        vals = values if np.ndim(values) else [values] * len(pos)
        codes = self.variables[name].codes(vals, name)
        if len(codes) != len(pos):
            raise ValueError(f"state variable {name!r}: {len(codes)} values for {len(pos)} agents")
        self.values[name][pos] = codes

    def frame(self) -> pd.DataFrame:
        """Agent ids and their current state (categories as labels)."""
        out = {"agent": self.ids}
        for name, var in self.variables.items():
            x = self.values[name]
            if isinstance(var, Categorical):
                out[name] = pd.Categorical.from_codes(np.where(np.isnan(x), -1, x).astype(int),
                                                      var.categories)
            else:
                out[name] = x.copy()
        return pd.DataFrame(out)

    def state_texts(self, positions: Any, skip: Sequence[str] = ()) -> list[str]:
        """:meth:`state_text` of many agents (by position), each value's text made once."""
        positions = np.asarray(positions, dtype=np.int64)
        cols = []
        for name, var in self.variables.items():
            if name in skip or var.reported:
                continue
            head = f"Your {name.replace('_', ' ')}: "
            x = self.values[name][positions]
            made: dict[int, str] = {}  # by the value's bits (0.0 and -0.0 may read apart)
            col = []
            for bits, i in zip(x.view(np.int64).tolist(), range(len(x)), strict=True):
                t = made.get(bits)
                if t is None:
                    t = made[bits] = head + var.text(x[i])
                col.append(t)
            cols.append(col)
        if not cols:
            return [""] * len(positions)
        return ["\n".join(lines) for lines in zip(*cols, strict=True)]

    def state_text(self, pos: int, skip: Sequence[str] = ()) -> str:
        """One agent's state as prompt lines ("Your wealth: 4.5")."""
        lines = []
        for name, var in self.variables.items():
            if name in skip or var.reported:
                continue
            lines.append(f"Your {name.replace('_', ' ')}: {var.text(self.values[name][pos])}")
        return "\n".join(lines)
