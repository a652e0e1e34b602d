"""``Sweep``: a sweep's table, its summary over seeds, and its Runs read from disk on demand."""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit.experiments._store import Store

__all__ = ["Sweep", "summarize"]

_USAGE = ("calls", "cache_hits", "tokens", "cost")
STATUSES = ("ok", "failed", "budget", "pending")


def _table(meta: dict[str, Any], records: dict[str, dict]) -> pd.DataFrame:
    params = list(meta.get("params") or [])
    has_models = meta.get("models") is not None
    rows, outcome_names = [], {}
    any_usage = False
    for planned in meta["runs"]:
        rec = records.get(planned["run_id"])
        row: dict[str, Any] = {"run_id": planned["run_id"]}
        if has_models:
            row["model"] = planned["model"]
        for p in params:
            row[p] = planned["cell"].get(p, meta.get("defaults", {}).get(p))
        row["seed"] = planned["seed"]
        if rec is None:
            row["status"] = "pending"
            rows.append((row, {}, None, None, None))
            continue
        row["status"] = rec["status"]
        outs = rec.get("outcomes") or {}
        for k in outs:
            outcome_names.setdefault(k, None)
        usage = rec.get("usage")
        any_usage = any_usage or usage is not None
        rows.append((row, outs, usage, rec.get("seconds"), rec.get("error")))
    out = []
    for row, outs, usage, seconds, error in rows:
        for k in outcome_names:
            row[k] = outs.get(k)
        if any_usage:
            for k in _USAGE:
                row[k] = (usage or {}).get(k)
        row["seconds"] = seconds
        row["error"] = error
        out.append(row)
    df = pd.DataFrame(out)
    if df.empty:
        return df
    for k in outcome_names:  # numbers as float (NaN where a run has none); text stays text
        col = df[k]
        if all(v is None or isinstance(v, bool | int | float) for v in col):
            df[k] = pd.to_numeric(col, errors="coerce").astype(float)
    for k in (_USAGE if any_usage else ()):
        df[k] = pd.to_numeric(df[k], errors="coerce").astype(float)
    df["seconds"] = pd.to_numeric(df["seconds"], errors="coerce").astype(float)
    df["seed"] = df["seed"].astype("int64")
    df["error"] = df["error"].astype(object)
    return df


def summarize(table: pd.DataFrame, by: list[str], outcomes: list[str], ci: float = 0.95
              ) -> pd.DataFrame:
    """Mean, sd and a t confidence interval over seeds of each outcome in each cell.

    Only runs with status ``ok`` and a finite value count (``n``); ``runs`` is the number of
    runs of the cell, so ``runs - n`` shows failed, stopped, pending or missing ones.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"eps": [0.1] * 3 + [0.4] * 3, "seed": [0, 1, 2] * 2,
    ...                   "status": "ok", "k": [4.0, 5.0, 6.0, 1.0, 1.0, 1.0]})
    >>> summarize(t, ["eps"], ["k"]).round(3).values.tolist()
    [[0.1, 'k', 3, 3, 5.0, 1.0, 2.516, 7.484], [0.4, 'k', 3, 3, 1.0, 0.0, 1.0, 1.0]]
    """
    from scipy import stats

    if not 0 < ci < 1:
        raise ValueError(f"summary: ci must be between 0 and 1, got {ci!r}")
    rows = []
    if by:
        groups = table.groupby(by, sort=False, dropna=False)
    else:
        groups = [((), table)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        ok = g[g["status"] == "ok"]
        for name in outcomes:
            x = pd.to_numeric(ok[name], errors="coerce").to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            n = len(x)
            mean = float(x.mean()) if n else math.nan
            sd = float(x.std(ddof=1)) if n > 1 else math.nan
            if n > 1:
                half = float(stats.t.ppf(0.5 + ci / 2, n - 1)) * sd / math.sqrt(n)
                low, high = mean - half, mean + half
            else:
                low = high = math.nan
            rows.append({**dict(zip(by, key, strict=True)), "outcome": name, "runs": len(g),
                         "n": n, "mean": mean, "sd": sd, "low": low, "high": high})
    cols = [*by, "outcome", "runs", "n", "mean", "sd", "low", "high"]
    return pd.DataFrame(rows, columns=cols)


class Sweep:
    """The result of :func:`socialkit.experiments.sweep`: a table of runs kept in a folder.

    Attributes
    ----------
    table : DataFrame
        One row per planned run (see :func:`sweep`); ``status`` is ``ok``, ``failed``,
        ``budget`` (stopped by the budget) or ``pending`` (not run yet).
    params : list of str
        The swept parameters (table columns).
    outcomes : list of str
        The outcome columns.
    folder : Path
    target : str
        The model or scenario that ran.

    Examples
    --------
    >>> import socialkit as sk
    >>> res = sk.experiments.sweep(sk.dynamics.voter, {"steps": [5, 10]}, seeds=2,
    ...                            inputs={"G": None, "opinions": [0, 1] * 10}, progress=False)
    >>> res
    Sweep(socialkit.dynamics.discrete.voter: 4 runs (4 ok), params ['steps'], 2 seeds, outcomes ['opinion.mean', 'opinion.sd'])
    >>> res.run(res.table.run_id[0]).params["steps"]
    5
    """

    def __init__(self, folder: Path, meta: dict[str, Any], table: pd.DataFrame):
        self.folder, self.meta, self.table = Path(folder), meta, table
        self.target = meta.get("target")
        self.params = list(meta.get("params") or [])
        self.models = meta.get("models")
        fixed = {"run_id", "model", "seed", "status", "seconds", "error", *self.params,
                 *(_USAGE if "cost" in table.columns else ())}
        self.outcomes = [c for c in table.columns if c not in fixed]

    @classmethod
    def load(cls, folder: str | Path) -> Sweep:
        store = Store(folder)
        meta = store.read_plan()
        if meta is None:
            raise ValueError(f"{store.folder} holds no sweep (no sweep.json)")
        return cls(store.folder, meta, _table(meta, store.records()))

    def reload(self) -> Sweep:
        """The same folder read again (e.g. while another process is still running it)."""
        return Sweep.load(self.folder)

    @property
    def by(self) -> list[str]:
        """The columns that define a cell: ``model`` (when compared) and the parameters."""
        return (["model"] if self.models is not None else []) + self.params

    def summary(self, ci: float = 0.95, outcomes: list[str] | str | None = None
                ) -> pd.DataFrame:
        """Per cell and numeric outcome: runs, n (ok runs with a value), mean, sd and the
        ``ci`` t interval over seeds (``low``, ``high``), one row each (a tidy table)."""
        if isinstance(outcomes, str):
            outcomes = [outcomes]
        names = self.numeric_outcomes() if outcomes is None else list(outcomes)
        unknown = [o for o in names if o not in self.outcomes]
        if unknown:
            raise ValueError(f"summary: unknown outcome(s) {unknown}; outcomes: {self.outcomes}")
        return summarize(self.table, self.by, names, ci)

    def numeric_outcomes(self) -> list[str]:
        return [c for c in self.outcomes if pd.api.types.is_numeric_dtype(self.table[c])]

    def _row(self, which: int | str) -> pd.Series:
        t = self.table
        if isinstance(which, str):
            hit = t[t["run_id"] == which]
            if hit.empty:
                raise KeyError(f"no run {which!r} in this sweep")
            return hit.iloc[0]
        if isinstance(which, int | np.integer) and not isinstance(which, bool):
            if not -len(t) <= which < len(t):
                raise IndexError(f"run {which} out of range: the sweep has {len(t)} runs")
            return t.iloc[int(which)]
        raise TypeError(f"a run is chosen by its row number or run_id, got {which!r}")

    def run(self, which: int | str):
        """The Run of a table row (by row number or ``run_id``), read from the folder."""
        from socialkit.run import Run

        row = self._row(which)
        if row["status"] in ("pending", "failed"):
            raise ValueError(f"run {row['run_id']} is {row['status']}: there is no Run"
                             + (f" ({row['error']})" if row["status"] == "failed" else ""))
        path = Store(self.folder).run_folder(row["run_id"])
        if not (path / "run.json").exists():
            raise FileNotFoundError(f"run {row['run_id']} was not kept (keep_runs=False) or "
                                    f"its folder {path} was removed")
        return Run.read_parquet(path)

    def runs(self, **where: Any) -> Iterator[tuple[pd.Series, Any]]:
        """``(row, Run)`` for each finished run matching ``where`` (column=value), read one at
        a time."""
        t = self.table[self.table["status"].isin(["ok", "budget"])]
        for k, v in where.items():
            if k not in t.columns:
                raise ValueError(f"runs: no column {k!r}; columns: {list(t.columns)}")
            t = t[t[k] == v]
        for _, row in t.iterrows():
            yield row, self.run(row["run_id"])

    def errors(self) -> pd.DataFrame:
        """The failed runs with their error and traceback."""
        records = Store(self.folder).records()
        t = self.table[self.table["status"] == "failed"].copy()
        t["traceback"] = [records.get(r, {}).get("traceback") for r in t["run_id"]]
        return t

    def plot(self, y: str | None = None, x: str | None = None, **kwargs: Any):
        """:func:`socialkit.plot.sweep` of this sweep."""
        from socialkit import plot  # presentation layer, imported only when asked for

        return plot.sweep(self, y=y, x=x, **kwargs)

    def counts(self) -> dict[str, int]:
        vc = self.table["status"].value_counts() if len(self.table) else pd.Series(dtype=int)
        return {s: int(vc.get(s, 0)) for s in STATUSES if vc.get(s, 0)}

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts().items())
        seeds = self.table["seed"].nunique() if len(self.table) else 0
        models = f", models {self.models}" if self.models is not None else ""
        return (f"Sweep({self.target}: {len(self.table)} runs ({counts}), params {self.params}"
                f"{models}, {seeds} seeds, outcomes {self.outcomes})")

    def _repr_html_(self) -> str:
        head = html.escape(repr(self))
        return (f"<div><strong>socialkit Sweep</strong> <code>{html.escape(str(self.folder))}"
                f"</code><br>{head}{self.table.head(10).to_html(float_format='%.4g')}</div>")
