"""``sweep`` and ``compare_models``: many runs of one model or scenario, one tidy table back."""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from socialkit.experiments import _executors, _plan, _worker
from socialkit.experiments._result import Sweep
from socialkit.experiments._store import Store

__all__ = ["sweep", "compare_models"]


def _fingerprint(t: _plan.Target, measure: Any, models: dict | None) -> dict[str, Any]:
    if measure is None:
        m = "final_measures"
    elif isinstance(measure, Mapping):
        m = {str(k): _plan.describe(f) for k, f in measure.items()}
    else:
        m = _plan.describe(measure)
    return {"target": _plan.callable_id(t.fn),
            "inputs": {k: _plan.describe(v) for k, v in sorted(t.inputs.items())},
            "measure": m,
            "models": None if models is None else {k: _plan.describe(v)
                                                  for k, v in models.items()}}


def _differences(old: dict, new: dict) -> list[str]:
    out = []
    for key in ("target", "measure"):
        if old.get(key) != new.get(key):
            out.append(f"{key}: {old.get(key)} -> {new.get(key)}")
    oi, ni = old.get("inputs") or {}, new.get("inputs") or {}
    for k in sorted(set(oi) | set(ni)):
        if oi.get(k) != ni.get(k):
            out.append(f"input {k!r}: {oi.get(k)} -> {ni.get(k)}")
    om, nm = old.get("models") or {}, new.get("models") or {}
    for k in sorted(set(om) & set(nm)):  # new model labels may be added to a sweep
        if om[k] != nm[k]:
            out.append(f"model {k!r}: {om[k]} -> {nm[k]}")
    return out


def _check_measure(measure: Any) -> None:
    if measure is None or callable(measure):
        return
    if isinstance(measure, Mapping) and measure and all(callable(f) for f in measure.values()):
        return
    raise TypeError("sweep: measure must be a function run -> dict of outcomes, or a dict of "
                    f"name -> function run -> number; got {type(measure).__name__}")


def _bar(total: int, done: int, desc: str, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc=desc, unit="run", disable=not show,
                leave=True)


def _postfix(records: dict[str, dict], total: int) -> dict[str, str]:
    failed = sum(r["status"] == "failed" for r in records.values())
    costs = [float((r.get("usage") or {}).get("cost") or 0.0) for r in records.values()
             if r.get("usage") is not None]
    out = {}
    if failed:
        out["failed"] = str(failed)
    if costs:
        spent = sum(costs)
        out["cost"] = f"${spent:.4g}"
        out["est. total"] = f"${spent / len(records) * total:.4g}" if records else "?"
    return out


def sweep(model, grid=None, seeds=10, *, inputs: Mapping[str, Any] | None = None,
          measure: Any = None, executor: Any = None, workers: int | None = None,
          folder: str | os.PathLike | None = None, budget: float | None = None,
          retry_failed: bool = False, keep_runs: bool = True, progress: bool = True,
          models: Mapping[str, Any] | None = None) -> Sweep:
    """Run a model or scenario over a parameter grid and seeds; one tidy table back.

    Every cell of ``grid`` runs under every seed: ``model(**inputs, **cell, seed=seed)``. The
    grid is checked against the function's parameter schema (``model.schema``) before anything
    runs. Each run's record (and the Run itself, ``Run.to_parquet``) is written to ``folder``
    as soon as it finishes, so a sweep killed midway (even by ``kill -9``) and started again on
    the same folder runs only what is missing. A run that raises is recorded as ``failed`` with
    its error and traceback, never dropped.

    Outcomes: by default :func:`final_measures` (``run.outcomes`` when the engine sets it, the
    population aggregates at the last step, and each per-agent variable's final mean and sd);
    ``measure=`` replaces them: a function ``run -> dict`` of numbers (or one number), or a dict
    of name -> function. Runs are kept on disk, so a new measure can be computed later from
    ``result.runs()`` without rerunning anything.

    Parameters
    ----------
    model : function with a ``.schema``
        A socialkit model or scenario (``sk.dynamics.deffuant``, ``sk.dynamics.llm_opinion``,
        a function decorated with :func:`socialkit.params.model`), or a ``functools.partial``
        of one with fixed keyword inputs. It must take ``seed=`` and return a
        :class:`socialkit.Run`.
    grid : dict or list of dict, optional
        ``{name: value or list of values}`` (crossed) or a list of cells. Names must be declared
        parameters; values are validated. None: the defaults (a sweep over seeds only).
    seeds : int or list of int
        ``n`` means seeds ``0 .. n-1``.
    inputs : dict, optional
        Fixed arguments of every run (a graph, initial opinions, a population, a question, a
        model, ``cache=`` ...). Declared parameters among them are validated too. Inputs are
        sent to each worker once. ``progress=False`` is passed when the function takes
        ``progress`` and ``inputs`` does not set it.
    measure : function or dict of functions, optional
        Outcomes of a run (see above).
    executor : None, "processes", "dask", address, Executor or dask Client
        None: this process, one run after another. ``"processes"``: a pool of ``workers``
        spawned processes. A ``concurrent.futures.Executor`` you made. ``"dask"``: a Dask
        LocalCluster of ``workers`` single-threaded processes, made and closed by the sweep; a
        scheduler address (``"tcp://host:8786"``) or a ``dask.distributed.Client``: any Dask
        cluster (its workers need socialkit installed and must see ``folder``). Results are
        identical whatever the executor.
    workers : int, optional
        Processes for ``"processes"`` and ``"dask"`` (default: the number of CPUs).
    folder : str or Path, optional
        Where runs and records go; reused to resume. Default: a new temporary folder.
    budget : float, optional
        Money (US dollars) all LLM calls of the sweep together may spend, enforced across
        workers and restarts by a ledger in the folder (:class:`socialkit.llm.Ledger`). A run
        whose calls the budget stopped is recorded with status ``"budget"``, no new runs start,
        and the runs left are run on the next start (e.g. after raising the budget).
    retry_failed : bool
        On a restart, also rerun runs recorded as failed.
    keep_runs : bool
        Write each Run to the folder (False keeps the records only).
    progress : bool
        A ``tqdm`` bar counting runs, with the cost so far and the estimated total.
    models : dict of label -> model, optional
        Also run every cell under each model (see :func:`compare_models`).

    Returns
    -------
    Sweep
        ``result.table``: one row per run (``run_id``, [``model``], parameters, ``seed``,
        ``status``, outcomes, [``calls``, ``cache_hits``, ``tokens``, ``cost``], ``seconds``,
        ``error``); ``result.summary()``: means and confidence intervals over seeds per cell;
        ``result.run(i)``: a Run, read from disk when asked for. ``seconds`` is the time of the
        model call; every other column is the same whatever the executor (with a shared reply
        cache, which run paid for a prompt two runs share depends on the order: the usage
        columns' sums do not).

    Examples
    --------
    >>> import socialkit as sk
    >>> x = [i / 99 for i in range(100)]
    >>> res = sk.experiments.sweep(sk.dynamics.deffuant, {"epsilon": [0.1, 0.4]}, seeds=3,
    ...                            inputs={"G": None, "opinions": x, "steps": 30},
    ...                            measure=lambda run: {"clusters": len(
    ...                                sk.dynamics.clusters(run.final(), min_share=0.05))},
    ...                            progress=False)
    >>> res.table[["epsilon", "seed", "status", "clusters"]].head(4)
       epsilon  seed status  clusters
    0      0.1     0     ok       5.0
    1      0.1     1     ok       6.0
    2      0.1     2     ok       4.0
    3      0.4     0     ok       1.0
    >>> res.summary()[["epsilon", "outcome", "n", "mean"]]
       epsilon   outcome  n  mean
    0      0.1  clusters  3   5.0
    1      0.4  clusters  3   1.0
    >>> res.run(0).params["epsilon"]
    0.1
    """
    return _sweep(model, grid, seeds, inputs=inputs, measure=measure, executor=executor,
                  workers=workers, folder=folder, budget=budget, retry_failed=retry_failed,
                  keep_runs=keep_runs, progress=progress, models=models, what="sweep")


def _sweep(model, grid, seeds, *, inputs, measure, executor, workers, folder, budget,
           retry_failed, keep_runs, progress, models, what) -> Sweep:
    t = _plan.target(model, inputs, what)
    cell_list = _plan.cells(grid, t.schema, what)
    seed_list = _plan.seeds(seeds, what)
    _check_measure(measure)
    for name, flag in (("retry_failed", retry_failed), ("keep_runs", keep_runs),
                       ("progress", progress)):
        if not isinstance(flag, bool):
            raise TypeError(f"{what}: {name} must be True or False, got {flag!r}")
    if models is not None:
        models = _models(models, t, what)
    if "model" in t.inputs and t.inputs["model"] is not None and models is None:
        from socialkit.llm import backends

        t.inputs["model"] = backends.resolve(t.inputs["model"])  # a backend pickles
    missing = [n for n in t.required if not (models is not None and n == "model")]
    if missing:
        raise TypeError(f"{what}: {t.name} needs {missing}: pass them in inputs={{...}}")
    taken = [n for n in t.schema.names if n in _plan.RESERVED]
    if taken:
        raise ValueError(f"{what}: parameter names {taken} clash with columns of the table")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)
                               or budget < 0):
        raise ValueError(f"{what}: budget must be a non-negative amount of money, got {budget!r}")
    _executors.check(executor, workers)

    runs = _plan.plan(cell_list, seed_list, None if models is None else list(models))
    store = Store(folder if folder is not None else tempfile.mkdtemp(prefix="socialkit-sweep-"))
    if store.folder.exists() and not store.folder.is_dir():
        raise FileExistsError(f"{what}: folder {store.folder} is a file")
    fp = _fingerprint(t, measure, models)
    old = store.read_plan()
    if old is not None:
        diff = _differences(old.get("fingerprint", {}), fp)
        if diff:
            raise ValueError(f"{what}: {store.folder} holds runs of another sweep ("
                             + "; ".join(diff) + "); use another folder, or delete this one "
                             "to start over")
    params = [n for n in t.schema.names if any(n in c for c in cell_list)]
    store.write_plan({"target": t.name, "fingerprint": fp, "params": params,
                      "defaults": {p: t.schema[p].default for p in params},
                      "models": None if models is None else list(models),
                      "budget": budget,
                      "runs": [{"run_id": r.run_id, "cell": r.cell, "seed": r.seed,
                                "model": r.model} for r in runs],
                      "socialkit": _version()})
    ledger = None
    if budget is not None:
        from socialkit.llm.ledger import Ledger

        ledger = Ledger(store.folder, budget=float(budget))

    records = store.records()
    planned = {r.run_id for r in runs}
    done = {k: v for k, v in records.items() if k in planned}
    rerun = {"budget"} | ({"failed"} if retry_failed else set())
    todo = [r for r in runs if r.run_id not in done or done[r.run_id]["status"] in rerun]
    for r in todo:
        done.pop(r.run_id, None)

    store.clear_stop()
    ex = _executors.resolve(executor, workers)
    payload = _worker.Payload(t.fn, t.inputs, models, measure, str(store.folder), keep_runs,
                              ledger, quiet="progress" in t.accepts and "progress" not in t.inputs)
    token = uuid.uuid4().hex

    def blob() -> bytes:
        try:
            return _worker.dumps(payload)
        except Exception as err:
            raise TypeError(f"{what}: the model, its inputs, models or measure cannot be sent "
                            f"to worker processes ({type(err).__name__}: {err}); use "
                            "executor=None (this process)") from None

    specs = [{"run_id": r.run_id, "cell": r.cell, "seed": r.seed, "model": r.model}
             for r in todo]
    stopped = []
    bar = _bar(len(runs), len(done), f"sweep {t.name.rsplit('.', 1)[-1]}", progress)
    try:
        if specs:
            for rec in ex.run(token, payload, blob, specs, lambda: bool(stopped)):
                if rec["status"] == "skipped":
                    continue
                done[rec["run_id"]] = rec
                if rec["status"] == "budget":
                    if not stopped:
                        store.request_stop()
                    stopped.append(rec["run_id"])
                if keep_runs and rec["status"] != "failed" and \
                        not (store.run_folder(rec["run_id"]) / "run.json").exists():
                    raise RuntimeError(f"{what}: run {rec['run_id']} was written where this "
                                       f"process cannot see it ({store.folder}); Dask workers "
                                       "on other hosts need the folder on a shared file "
                                       "system")
                bar.update(1)
                post = _postfix(done, len(runs))
                if post:
                    bar.set_postfix(post, refresh=False)
    finally:
        bar.close()
        ex.close()
        store.clear_stop()
    result = Sweep.load(store.folder)
    failed = int((result.table["status"] == "failed").sum())
    if failed:
        first = result.table.loc[result.table["status"] == "failed", "error"].iloc[0]
        warnings.warn(f"{what}: {failed} of {len(runs)} runs failed (recorded in the table with "
                      f"their error; result.errors() has the tracebacks); e.g. {first}",
                      RuntimeWarning, stacklevel=3)
    if stopped:
        pending = int((result.table["status"] == "pending").sum())
        stopped = result.table.index[result.table["status"] == "budget"]
        warnings.warn(f"{what}: the budget of {budget:g} stopped the sweep: {len(stopped)} "
                      f"run(s) stopped by it, {pending} not started; raise budget= and run "
                      "again on the same folder to finish", RuntimeWarning, stacklevel=3)
    return result


def _models(models: Any, t: _plan.Target, what: str) -> dict[str, Any]:
    from socialkit.llm import backends

    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"{what}: models must be a non-empty dict of label -> model, got "
                        f"{type(models).__name__}")
    if "model" not in t.accepts and not t.open_kwargs:
        raise TypeError(f"{what}: {t.name} takes no model= argument")
    if "model" in t.inputs:
        raise ValueError(f"{what}: give the model through models=, not inputs=")
    out = {}
    for label, m in models.items():
        if not isinstance(label, str) or not label:
            raise TypeError(f"{what}: model labels must be non-empty strings, got {label!r}")
        try:
            out[label] = None if m is None else backends.resolve(m)
        except TypeError as err:
            raise TypeError(f"{what}: model {label!r}: {err}") from None
    return out


def _version() -> str | None:
    from socialkit import __version__

    return __version__


def compare_models(scenario, models: Mapping[str, Any], seeds=3, grid=None, **options: Any
                   ) -> Sweep:
    """Run a scenario under several models (and seeds, and optionally a grid); the same table
    as :func:`sweep`, with a ``model`` column holding each model's label.

    Parameters
    ----------
    scenario : function with a ``.schema`` taking ``model=``
        E.g. ``sk.dynamics.llm_opinion``.
    models : dict of label -> model
        Any LangChain chat model (``ChatOpenAI(base_url=...)`` for a local vLLM or llama.cpp
        server), ``sk.llm.from_langchain(...)``, ``None`` or ``sk.llm.default()`` for the
        embedded model, ``sk.llm.scripted(fn)``.
    seeds : int or list of int
    grid : dict or list of dict, optional
    **options
        As for :func:`sweep` (``inputs``, ``measure``, ``executor``, ``folder``, ``budget``,
        ...).

    Returns
    -------
    Sweep

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    >>> models = {"always 2": sk.llm.scripted(lambda m: "2", name="two"),
    ...           "always 4": sk.llm.scripted(lambda m: "4", name="four")}
    >>> res = sk.experiments.compare_models(
    ...     sk.dynamics.llm_opinion, models, seeds=2, progress=False,
    ...     inputs=dict(population=pop, G=nx.path_graph(4), question=sk.Likert("Taxes."),
    ...                 steps=1, message=False, cache=False))
    >>> res.table[["model", "seed", "status", "opinion.mean"]]
          model  seed status  opinion.mean
    0  always 2     0     ok           2.0
    1  always 2     1     ok           2.0
    2  always 4     0     ok           4.0
    3  always 4     1     ok           4.0
    """
    if models is None:
        raise TypeError("compare_models: models must be a dict of label -> model")
    bad = sorted(set(options) - {"inputs", "measure", "executor", "workers", "folder", "budget",
                                 "retry_failed", "keep_runs", "progress"})
    if bad:
        raise TypeError(f"compare_models: unexpected option(s) {bad}")
    opts = {"inputs": None, "measure": None, "executor": None, "workers": None, "folder": None,
            "budget": None, "retry_failed": False, "keep_runs": True, "progress": True,
            **options}
    return _sweep(scenario, grid, seeds, models=models, what="compare_models", **opts)


def load(folder: str | os.PathLike) -> Sweep:
    """Open a sweep's folder (its table now; its Runs when asked for).

    Examples
    --------
    >>> import tempfile
    >>> load(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ... holds no sweep (no sweep.json)
    """
    folder = Path(folder).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"sweep folder {folder} does not exist")
    return Sweep.load(folder)
