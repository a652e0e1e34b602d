"""A sweep's plan: the target and its schema, the grid's cells, seeds, models, run ids and the
fingerprint that tells whether a folder's finished runs belong to this sweep."""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import json
import numbers
import pickle
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from socialkit.params import Schema

# columns of the table that parameters and outcomes may not take
RESERVED = ("run_id", "model", "seed", "status", "error", "seconds", "calls", "cache_hits",
            "tokens", "cost")


@dataclass
class Target:
    """The function a sweep calls: ``fn(**inputs, **cell, seed=seed[, model=model])``."""

    fn: Callable
    schema: Schema
    name: str
    inputs: dict[str, Any]
    accepts: set[str]
    open_kwargs: bool
    required: list[str]


def target(fn: Any, inputs: Mapping[str, Any] | None, what: str = "sweep") -> Target:
    """Check ``fn`` (a model or scenario with a ``.schema``) and its fixed ``inputs``."""
    if not callable(fn):
        raise TypeError(f"{what}: the first argument must be a model or scenario function with "
                        f"a parameter schema, got {type(fn).__name__}")
    inputs = dict(inputs or {})
    base, bound = fn, {}
    if isinstance(fn, functools.partial):  # fixed inputs bound with functools.partial
        if fn.args:
            raise TypeError(f"{what}: a functools.partial target may fix keyword arguments "
                            "only; pass fixed inputs with inputs={...} instead")
        base, bound = fn.func, dict(fn.keywords)
    schema = getattr(base, "schema", None)
    if not isinstance(schema, Schema):
        raise TypeError(f"{what}: {getattr(base, '__name__', base)!r} has no parameter schema "
                        "(.schema); decorate it with socialkit.params.model(Param(...), ...) "
                        "so that the grid can be checked before anything runs")
    name = f"{getattr(base, '__module__', '?')}.{getattr(base, '__qualname__', repr(base))}"
    try:
        sig = inspect.signature(base)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        raise TypeError(f"{what}: cannot read the signature of {name}") from None
    ps = sig.parameters
    open_kwargs = any(p.kind is p.VAR_KEYWORD for p in ps.values())
    accepts = {n for n, p in ps.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    if "seed" not in accepts and not open_kwargs:
        raise TypeError(f"{what}: {name} takes no seed= argument; a sweep runs every cell "
                        "under several seeds")
    for k in inputs:
        if not isinstance(k, str):
            raise TypeError(f"{what}: inputs keys must be argument names, got {k!r}")
        if k not in accepts and not open_kwargs:
            raise TypeError(f"{what}: {name} has no argument {k!r} (inputs=); its arguments: "
                            f"{sorted(accepts)}")
        if k == "seed":
            raise ValueError(f"{what}: seed is not an input: pass seeds=")
    inputs = {**bound, **inputs}
    fixed = {k: v for k, v in inputs.items() if k in schema}
    for k, v in fixed.items():  # declared parameters given as fixed inputs: validated too
        try:
            inputs[k] = schema[k].validate(v)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{what}: inputs: {err}") from None
    required = [n for n, p in ps.items() if p.default is p.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n not in inputs]
    return Target(base, schema, name, inputs, accepts, open_kwargs, required)


def _values(name: str, v: Any) -> list:
    if isinstance(v, str | bytes) or not isinstance(v, Sequence | np.ndarray | range | set):
        return [v]
    if isinstance(v, set):
        raise TypeError(f"grid: {name!r} is a set (no order); give a list")
    out = list(v.tolist() if isinstance(v, np.ndarray) else v)
    if not out:
        raise ValueError(f"grid: {name!r} lists no values")
    return out


def cells(grid: Any, schema: Schema, what: str = "sweep") -> list[dict[str, Any]]:
    """The grid's cells, each validated against the schema (unknown names and out-of-range
    values raise before anything runs). A dict of name -> value or list of values is crossed;
    a list of dicts gives the cells one by one."""
    if grid is None:
        return [{}]
    if isinstance(grid, Mapping):
        names = list(grid)
        lists = [_values(n, grid[n]) for n in names]
        raw = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]
    elif isinstance(grid, Sequence) and not isinstance(grid, str) and all(
            isinstance(c, Mapping) for c in grid):
        raw = [dict(c) for c in grid]
        if not raw:
            raise ValueError(f"{what}: the grid lists no cells")
    else:
        raise TypeError(f"{what}: grid must be a dict of parameter -> value(s) or a list of "
                        f"dicts (one per cell), got {type(grid).__name__}")
    out, seen = [], set()
    for cell in raw:
        for k in cell:
            if k not in schema:
                raise TypeError(f"{what}: grid parameter {k!r} is not a declared parameter; "
                                f"known: {schema.names} (fixed inputs go in inputs=)")
        try:
            valid = {k: schema[k].validate(v) for k, v in cell.items()}
        except (TypeError, ValueError) as err:
            raise type(err)(f"{what}: grid: {err}") from None
        key = _canon(valid)
        if key in seen:
            raise ValueError(f"{what}: the grid lists the cell {valid} twice")
        seen.add(key)
        out.append(valid)
    return out


def seeds(value: Any, what: str = "sweep") -> list[int]:
    """``n`` -> ``0..n-1``; a list of distinct non-negative integers as given."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 1:
            raise ValueError(f"{what}: seeds must be a positive number of seeds or a list of "
                             f"seeds, got {value!r}")
        return list(range(int(value)))
    if isinstance(value, Sequence | np.ndarray | range) and not isinstance(value, str):
        out = list(value.tolist() if isinstance(value, np.ndarray) else value)
        if not out:
            raise ValueError(f"{what}: seeds lists no seed")
        for s in out:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
                raise ValueError(f"{what}: seeds must be non-negative integers, got {s!r}")
        if len(set(out)) != len(out):
            raise ValueError(f"{what}: seeds lists a seed twice: {out}")
        return [int(s) for s in out]
    raise TypeError(f"{what}: seeds must be a number of seeds or a list of integers, got "
                    f"{type(value).__name__}")


def _canon(x: Any) -> str:
    return json.dumps(x, sort_keys=True, separators=(",", ":"), default=repr)


def run_id(cell: dict[str, Any], seed: int, model: str | None) -> str:
    """A run's id: a hash of its parameters, seed and model label (stable across restarts)."""
    blob = _canon([cell, int(seed), model])
    return "r" + hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass
class Planned:
    run_id: str
    cell: dict[str, Any]
    seed: int
    model: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)


def plan(cell_list: list[dict], seed_list: list[int], model_labels: list[str] | None
         ) -> list[Planned]:
    """Every run: models outermost, then cells, then seeds."""
    out = []
    for m in (model_labels or [None]):
        for c in cell_list:
            for s in seed_list:
                out.append(Planned(run_id(c, s, m), c, s, m))
    return out


# ---- fingerprints ---------------------------------------------------------------------------
def _code_digest(code: types.CodeType, h: Any) -> None:
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code_digest(c, h)
        else:
            h.update(repr(c).encode())


def callable_id(fn: Any) -> str:
    """Name plus a hash of the code (not of file names or line numbers, which change between
    notebook sessions)."""
    fn = inspect.unwrap(fn) if callable(fn) else fn
    name = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', type(fn).__name__)}"
    code = getattr(fn, "__code__", None)
    if code is None:
        return name
    h = hashlib.sha256()
    _code_digest(code, h)
    return f"{name}#{h.hexdigest()[:12]}"


def describe(value: Any) -> str:
    """A short stable description of a fixed input (model id, function code, content hash)."""
    model_id = getattr(value, "model_id", None)
    if isinstance(model_id, str):
        return f"model {model_id}"
    if isinstance(value, types.FunctionType | functools.partial):
        return f"function {callable_id(value)}"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    try:
        blob = pickle.dumps(value, protocol=5)
    except Exception:  # noqa: BLE001 - not picklable: its type only
        return f"{type(value).__qualname__} (content not compared)"
    return f"{type(value).__qualname__} sha256:{hashlib.sha256(blob).hexdigest()[:16]}"
