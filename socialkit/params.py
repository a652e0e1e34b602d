"""Parameter schemas: each model declares its parameters once.

A :class:`Param` holds a parameter's name, type, bounds, default and a one-line meaning. A
:class:`Schema` validates a call against its parameters, and the :func:`model` decorator attaches a
schema to a model function so that every call is validated in one place. Sweeps and widget sliders
read the same schema (``fn.schema``).

Examples
--------
>>> from socialkit.params import Param, Schema
>>> schema = Schema([Param("epsilon", float, 0.2, low=0, high=1, low_open=True,
...                        doc="confidence bound")])
>>> schema.validate({"epsilon": 0.3})
{'epsilon': 0.3}
>>> schema.validate({"epsilon": 0})
Traceback (most recent call last):
...
ValueError: parameter 'epsilon' = 0 is out of range: allowed (0, 1] (confidence bound)
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from socialkit._format import fmt

__all__ = ["Param", "Schema", "model"]

_MISSING = object()


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Parameters
    ----------
    name : str
        Keyword name in the model function.
    type : type
        ``float``, ``int``, ``bool`` or ``str``.
    default : object
        Default value (validated like any other value).
    low, high : float, optional
        Bounds; ``None`` means unbounded on that side.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    choices : sequence, optional
        Allowed values (for ``str`` parameters, or any discrete choice).
    doc : str
        One-line meaning, shown in errors, tables and widget tooltips.
    allow_none : bool
        Whether ``None`` is accepted.

    Examples
    --------
    >>> Param("mu", float, 0.5, low=0, high=0.5, low_open=True).validate(0.25)
    0.25
    """

    name: str
    type: type
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: Sequence[Any] | None = None
    doc: str = ""
    allow_none: bool = False

    def range_text(self) -> str:
        """The allowed values as text, e.g. ``(0, 1]`` or ``one of ['a', 'b']``."""
        if self.choices is not None:
            return f"one of {list(self.choices)}"
        if self.type is bool:
            return "True or False"
        lo = "-inf" if self.low is None else fmt(self.low)
        hi = "inf" if self.high is None else fmt(self.high)
        left = "(" if (self.low is None or self.low_open) else "["
        right = ")" if (self.high is None or self.high_open) else "]"
        kind = "integer in " if self.type is int else ""
        return f"{kind}{left}{lo}, {hi}{right}"

    def _fail(self, value: Any, why: str, exc: type[Exception] = ValueError) -> Exception:
        tail = f" ({self.doc})" if self.doc else ""
        return exc(f"parameter {self.name!r} = {value!r} {why}: allowed {self.range_text()}{tail}")

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to the parameter's type, or raise a clear error."""
        given = value
        if value is None:
            if self.allow_none:
                return None
            raise self._fail(value, "is missing", TypeError)
        if self.choices is not None:
            if value not in self.choices:
                raise self._fail(value, "is not allowed")
            return value
        if self.type is bool:
            if isinstance(value, bool) or (isinstance(value, numbers.Integral) and value in (0, 1)):
                return bool(value)
            raise self._fail(value, "is not a boolean", TypeError)
        if self.type is str:
            if not isinstance(value, str):
                raise self._fail(value, "is not a string", TypeError)
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self._fail(value, "is not a number", TypeError)
        if self.type is int:
            if isinstance(value, numbers.Integral):
                value = int(value)
            elif float(value).is_integer():
                value = int(value)
            else:
                raise self._fail(value, "is not an integer", TypeError)
        else:
            value = float(value)
            if math.isnan(value):
                raise self._fail(value, "is NaN")
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise self._fail(given, "is out of range")
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise self._fail(given, "is out of range")
        return value


@dataclass(frozen=True)
class Schema:
    """An ordered collection of :class:`Param` with validation and a table view.

    Examples
    --------
    >>> s = Schema([Param("steps", int, 10, low=0, doc="number of sweeps")])
    >>> s.validate({"steps": 3.0})
    {'steps': 3}
    >>> s.to_frame()[["name", "type", "default"]]
        name type  default
    0  steps  int       10
    """

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __init__(self, params: Iterable[Param]):
        params = tuple(params)
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate parameter names in schema: {names}")
        object.__setattr__(self, "params", params)

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"no parameter {name!r}; known: {self.names}")

    def __contains__(self, name: str) -> bool:
        return any(p.name == name for p in self.params)

    def __iter__(self):
        return iter(self.params)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        """Default value of every parameter."""
        return {p.name: p.default for p in self.params}

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate ``values`` (a subset of the parameters); unknown names raise ``TypeError``."""
        unknown = [k for k in values if k not in self]
        if unknown:
            raise TypeError(f"unknown parameter(s) {unknown}; known: {self.names}")
        return {k: self[k].validate(v) for k, v in values.items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: name, type, default, low, high, allowed, doc."""
        return pd.DataFrame(
            [
                {
                    "name": p.name,
                    "type": p.type.__name__,
                    "default": p.default,
                    "low": p.low,
                    "high": p.high,
                    "allowed": p.range_text(),
                    "doc": p.doc,
                }
                for p in self.params
            ]
        )

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)


def model(*params: Param) -> Callable[[Callable], Callable]:
    """Decorate a model function so its declared parameters are validated on every call.

    The wrapped function gets a ``schema`` attribute. Validated (type-converted) values replace
    the caller's values; parameters the caller left out get their declared default.

    Examples
    --------
    >>> @model(Param("rate", float, 0.1, low=0, high=1, doc="adoption rate"))
    ... def simulate(n, *, rate=0.1):
    ...     return n * rate
    >>> simulate(10, rate=0.5)
    5.0
    >>> simulate.schema.names
    ['rate']
    """
    schema = Schema(params)

    def decorate(fn: Callable) -> Callable:
        sig = inspect.signature(fn)
        missing = [n for n in schema.names if n not in sig.parameters]
        if missing:
            raise TypeError(f"{fn.__name__}: schema parameters {missing} not in its signature")
        for p in schema:  # the signature's default must be the declared one
            d = sig.parameters[p.name].default
            if d is not inspect.Parameter.empty and d != p.default:
                raise TypeError(f"{fn.__name__}: default of {p.name!r} differs from its schema")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            for p in schema:
                value = bound.arguments.get(p.name, p.default)
                try:
                    bound.arguments[p.name] = p.validate(value)
                except (ValueError, TypeError) as err:
                    raise type(err)(f"{fn.__name__}: {err}") from None
            return fn(*bound.args, **bound.kwargs)

        wrapper.schema = schema
        return wrapper

    return decorate
