"""What runs in a worker (this process, a pool process or a Dask worker): one run of a sweep.

The sweep's *payload* (target function, fixed inputs such as a graph or a population, the models,
the measure, the folder and the ledger) is sent to each worker once, as one pickled blob, and
kept there by its token; each task then carries only its run's parameters and seed.
"""

from __future__ import annotations

import math
import numbers
import os
import socket
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from socialkit.experiments._plan import RESERVED
from socialkit.experiments._store import Store

_PAYLOADS: dict[str, Payload] = {}


@dataclass
class Payload:
    fn: Callable
    inputs: dict[str, Any]
    models: dict[str, Any] | None
    measure: Any
    folder: str
    keep_runs: bool
    ledger: Any
    quiet: bool  # pass progress=False to the target


def dumps(payload: Payload) -> bytes:
    """Pickle the payload (cloudpickle: functions and lambdas defined in a notebook too)."""
    try:
        import cloudpickle

        return cloudpickle.dumps(payload)
    except ImportError:  # pragma: no cover - cloudpickle is a dependency
        import pickle

        return pickle.dumps(payload)


def install(token: str, blob: bytes) -> None:
    """Keep a payload in this process (a pool's initializer)."""
    if token not in _PAYLOADS:
        import pickle

        while len(_PAYLOADS) >= 4:  # a long-lived worker keeps the latest sweeps' payloads
            _PAYLOADS.pop(next(iter(_PAYLOADS)))
        _PAYLOADS[token] = pickle.loads(blob)


def put(token: str, payload: Payload) -> None:
    """Keep a payload object in this process as is (the in-process executor)."""
    _PAYLOADS[token] = payload


def drop(token: str) -> None:
    _PAYLOADS.pop(token, None)


def _number(name: str, v: Any) -> Any:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, numbers.Real):
        return float(v)
    raise TypeError(f"measure: outcome {name!r} must be a number, bool or str, got "
                    f"{type(v).__name__}")


def final_measures(run: Any) -> dict[str, Any]:
    """The default outcomes of a run: what it says it measured, at its end.

    ``run.outcomes`` (when the engine sets it), every population aggregate at the last step
    (``run.measures()``: environment measures, decision counts, summary statistics), and the
    final mean and sd across agents of every recorded per-agent variable that is not
    categorical (``<variable>.mean``, ``<variable>.sd``).

    Examples
    --------
    >>> import socialkit as sk
    >>> run = sk.dynamics.deffuant(None, [0.1, 0.2, 0.8], epsilon=0.3, steps=10, seed=0)
    >>> {k: round(v, 4) for k, v in sk.experiments.final_measures(run).items()}
    {'opinion.mean': 0.3667, 'opinion.sd': 0.3064}
    """
    out: dict[str, Any] = {}
    own = getattr(run, "outcomes", None)
    if isinstance(own, Mapping):
        out.update({str(k): v for k, v in own.items()})
    m = run.measures()
    if len(m):
        for k, v in m.iloc[-1].items():
            out[str(k)] = None if (isinstance(v, float) and math.isnan(v)) else float(v)
    info = run.variables.info
    for var in run.variables:
        if info.get(var, {}).get("kind") == "categorical":
            continue
        last = run.summary(var).iloc[-1]
        for stat in ("mean", "sd"):
            if stat in last.index and f"{var}.{stat}" not in out:
                v = float(last[stat])
                out[f"{var}.{stat}"] = None if math.isnan(v) else v
    return out


def outcomes(measure: Any, run: Any) -> dict[str, Any]:
    """Apply the sweep's ``measure`` to a run: a dict of name -> value."""
    if measure is None:
        raw = final_measures(run)
    elif isinstance(measure, Mapping):
        raw = {str(k): f(run) for k, f in measure.items()}
    else:
        raw = measure(run)
        if isinstance(raw, Mapping):
            raw = dict(raw)
        elif hasattr(raw, "to_dict") and callable(raw.to_dict):  # a pandas Series
            raw = raw.to_dict()
        else:
            raw = {getattr(measure, "__name__", "value"): raw}
    out = {}
    for k, v in raw.items():
        k = str(k)
        if k in RESERVED:
            raise ValueError(f"measure: outcome name {k!r} is taken by a column of the sweep "
                             f"table ({', '.join(RESERVED)}); rename it")
        if hasattr(v, "item") and callable(v.item):
            v = v.item()
        out[k] = _number(k, v)
    return out


def run_task(token: str, blob: bytes | None, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one planned run and write its record (and Run); returns the record."""
    if blob is not None:
        install(token, blob)
    p = _PAYLOADS[token]
    from socialkit.llm.ledger import shared_budget
    from socialkit.run import Run

    store = Store(p.folder)
    if store.stopping():
        return {"run_id": spec["run_id"], "status": "skipped"}
    record: dict[str, Any] = {"run_id": spec["run_id"], "params": spec["cell"],
                              "seed": spec["seed"], "model": spec["model"],
                              "worker": f"{socket.gethostname()}:{os.getpid()}"}
    t0 = time.perf_counter()
    refused = p.ledger.refused if p.ledger is not None else 0
    try:
        kwargs = {**p.inputs, **spec["cell"], "seed": spec["seed"]}
        if spec["model"] is not None:
            kwargs["model"] = p.models[spec["model"]]
        if p.quiet:
            kwargs["progress"] = False
        with shared_budget(p.ledger):
            run = p.fn(**kwargs)
        record["seconds"] = round(time.perf_counter() - t0, 6)  # the model call itself
        if not isinstance(run, Run):
            raise TypeError(f"the target returned {type(run).__name__}, not a socialkit.Run")
        record["outcomes"] = outcomes(p.measure, run)
        usage = run.provenance.get("usage")
        record["usage"] = dict(usage) if isinstance(usage, Mapping) else None
        if isinstance(usage, Mapping):  # the run counts the calls the budget stopped
            stopped = bool(usage.get("budget_stopped", 0))
        else:  # a run without usage: did this process's ledger refuse a call meanwhile?
            stopped = p.ledger is not None and p.ledger.refused > refused
        record["status"] = "budget" if stopped else "ok"
        record["error"] = ("the budget stopped some of its calls (rerun after raising it)"
                           if record["status"] == "budget" else None)
        if p.keep_runs:
            store.write_run(run, spec["run_id"])
    except Exception as err:  # noqa: BLE001 - recorded with the run, never dropped
        record.update(status="failed", error=f"{type(err).__name__}: {err}",
                      traceback=traceback.format_exc(limit=20), outcomes={}, usage=None)
    record.setdefault("seconds", round(time.perf_counter() - t0, 6))
    store.write_record(record)
    return record
