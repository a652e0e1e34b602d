"""The one result type every engine returns: :class:`Run`.

Conventions
-----------
``trajectory`` is a tidy long DataFrame with columns ``step`` (int64), ``agent`` (int64),
``variable`` (str) and ``value`` (float64). Rows with ``agent == -1`` are population aggregates;
their variable is named ``"<variable>.<statistic>"``, e.g. ``"opinion.mean"`` or ``"opinion.sd"``.
``events`` has columns ``step, agent, action, target, text, data`` (``target`` is -1 when an
action has no target; ``data`` is None or a JSON text with the action's structured payload);
classic models leave it empty.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Run", "AGGREGATE", "provenance"]

AGGREGATE = -1
"""Agent id of population-aggregate rows in a trajectory."""

TRAJECTORY_COLUMNS = ["step", "agent", "variable", "value"]
EVENT_COLUMNS = ["step", "agent", "action", "target", "text", "data"]
_TRAJ_DTYPES = {"step": "int64", "agent": "int64", "variable": "object", "value": "float64"}
_EVENT_DTYPES = {"step": "int64", "agent": "int64", "action": "object", "target": "int64",
                 "text": "object", "data": "object"}
_DEPENDENCIES = ("numpy", "scipy", "pandas", "networkx", "numba", "plotly", "pyarrow")


def provenance(**extra: Any) -> dict[str, Any]:
    """Versions of socialkit, Python and the main dependencies, a UTC timestamp, plus ``extra``.

    Examples
    --------
    >>> p = provenance(model_id="none")
    >>> sorted(k for k in p if k in ("socialkit", "python", "timestamp", "model_id"))
    ['model_id', 'python', 'socialkit', 'timestamp']
    """
    versions = {}
    for dist in ("socialkit", *_DEPENDENCIES):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    out = {
        "socialkit": versions.pop("socialkit"),
        "python": platform.python_version(),
        "dependencies": versions,
        "timestamp": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    out.update(extra)
    return out


def _frame(df: pd.DataFrame | None, columns: list[str], dtypes: dict[str, str],
           what: str) -> pd.DataFrame:
    if df is None:
        df = pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in columns})
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"Run.{what} must be a pandas DataFrame, got {type(df).__name__}")
    if what == "events" and "data" not in df.columns:  # optional: structured payloads
        df = df.assign(data=None)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"Run.{what} lacks column(s) {missing}; expected {columns}")
    df = df[columns].reset_index(drop=True)
    try:
        return df.astype(dtypes)
    except (ValueError, TypeError) as err:
        raise ValueError(f"Run.{what} has a column of the wrong type: {err}") from None


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if x is None or isinstance(x, bool | int | float | str):
        return x
    return repr(x)


class Run:
    """The result of a simulation: what happened, with which parameters, seed and software.

    Parameters
    ----------
    trajectory : DataFrame
        Columns ``step, agent, variable, value`` (see the module conventions).
    events : DataFrame, optional
        Columns ``step, agent, action, target, text`` and optionally ``data``.
    params : dict
        The model parameters used (JSON-serialisable values).
    seed : int or None
        The seed of the run's random generator.
    provenance : dict, optional
        Package versions, timestamp, model ids, prompts hash; filled by :func:`provenance`.
    model : str
        Name of the engine that produced the run.
    variables : dict, optional
        A description of each per-agent variable (kind, levels or categories, question, ...),
        shown by ``run.variables.describe()``.

    Examples
    --------
    >>> import pandas as pd
    >>> traj = pd.DataFrame({"step": [0, 0, 1, 1], "agent": [0, 1, 0, 1],
    ...                      "variable": "opinion", "value": [0.1, 0.9, 0.3, 0.7]})
    >>> run = Run(traj, params={"mu": 0.5}, seed=1, model="example")
    >>> run.final("opinion").tolist()
    [0.3, 0.7]
    >>> run.summary()["mean"].tolist()
    [0.5, 0.5]
    """

    def __init__(self, trajectory: pd.DataFrame, events: pd.DataFrame | None = None,
                 params: dict[str, Any] | None = None, seed: int | None = None,
                 provenance: dict[str, Any] | None = None, model: str = "model",
                 variables: dict[str, dict[str, Any]] | None = None):
        if variables is not None and not isinstance(variables, dict):
            raise TypeError(f"Run variables must be a dict of name -> description, got "
                            f"{type(variables).__name__}")
        self.variable_info = {str(k): dict(v) for k, v in (variables or {}).items()}
        self.trajectory = _frame(trajectory, TRAJECTORY_COLUMNS, _TRAJ_DTYPES, "trajectory")
        self.events = _frame(events, EVENT_COLUMNS, _EVENT_DTYPES, "events")
        self.params = dict(params or {})
        self.seed = seed
        self.provenance = dict(provenance) if provenance is not None else globals()["provenance"]()
        self.model = model

    # ---- views -------------------------------------------------------------------------------
    @property
    def variables(self) -> Variables:
        """Variables recorded per agent (aggregate rows excluded): a list of names whose
        ``describe()`` gives each one's kind, levels or categories and question when known."""
        t = self.trajectory
        names = sorted(t.loc[t["agent"] != AGGREGATE, "variable"].unique().tolist())
        if not names and self.variable_info:
            names = sorted(self.variable_info)
        return Variables(names, self.variable_info)

    @property
    def steps(self) -> np.ndarray:
        """Recorded steps, sorted."""
        return np.sort(self.trajectory["step"].unique())

    @property
    def n_agents(self) -> int:
        """Number of distinct agents recorded (0 for summary-only runs)."""
        t = self.trajectory
        return int(t.loc[t["agent"] != AGGREGATE, "agent"].nunique())

    def variable_name(self, variable: str | None = None) -> str:
        """The recorded variable a call means: ``variable`` checked, or the only one recorded.

        Examples
        --------
        >>> import pandas as pd
        >>> run = Run(pd.DataFrame({"step": [0], "agent": [0], "variable": "x", "value": [1.0]}))
        >>> run.variable_name()
        'x'
        """
        known = self.variables or sorted(
            {v.rsplit(".", 1)[0] for v in self.trajectory["variable"].unique()})
        if variable is None:
            if len(known) != 1:
                raise ValueError(f"this run records several variables {known}; pass variable=")
            return known[0]
        if variable not in known:
            aggregates = self._aggregate_names()
            if variable in aggregates:
                return variable
            also = f"; aggregates: {aggregates}" if aggregates else ""
            raise ValueError(f"variable {variable!r} not in this run; recorded: {known}{also}")
        return variable

    def _aggregate_names(self) -> list[str]:
        t = self.trajectory
        names = t.loc[t["agent"] == AGGREGATE, "variable"].unique()
        return sorted({v.rsplit(".", 1)[0] for v in names if "." in v})

    def measures(self) -> pd.DataFrame:
        """The population-aggregate rows (agent -1: environment measures, decision counts,
        summary statistics) as a step x variable table.

        Examples
        --------
        >>> import pandas as pd
        >>> run = Run(pd.DataFrame({"step": [0, 1], "agent": -1, "variable": "stock.value",
        ...                         "value": [100.0, 80.0]}))
        >>> run.measures()["stock.value"].tolist()
        [100.0, 80.0]
        """
        t = self.trajectory
        agg = t[t["agent"] == AGGREGATE]
        out = agg.pivot(index="step", columns="variable", values="value")
        out.columns.name = None
        return out

    def wide(self, variable: str | None = None) -> pd.DataFrame:
        """The per-agent values of ``variable`` as a step × agent table."""
        variable = self.variable_name(variable)
        t = self.trajectory
        t = t[(t["variable"] == variable) & (t["agent"] != AGGREGATE)]
        if t.empty:
            raise ValueError(f"variable {variable!r} was recorded as a summary only "
                             "(record='summary'); per-agent values are not available")
        return t.pivot(index="step", columns="agent", values="value")

    def final(self, variable: str | None = None) -> pd.Series:
        """Each agent's value of ``variable`` at the last recorded step (indexed by agent)."""
        w = self.wide(variable)
        return w.iloc[-1].rename(self.variable_name(variable))

    def summary(self, variable: str | None = None) -> pd.DataFrame:
        """Per-step mean, sd, min and max of ``variable`` across agents.

        Works for per-agent and for summary-only recordings alike.
        """
        variable = self.variable_name(variable)
        t = self.trajectory
        agg = t[(t["agent"] == AGGREGATE) & t["variable"].str.startswith(variable + ".")]
        if not agg.empty:
            out = agg.assign(stat=agg["variable"].str.slice(len(variable) + 1)).pivot(
                index="step", columns="stat", values="value")
            out.columns.name = None
            return out
        w = self.wide(variable)
        return pd.DataFrame({"mean": w.mean(axis=1), "sd": w.std(axis=1, ddof=0),
                             "min": w.min(axis=1), "max": w.max(axis=1)})

    # ---- presentation -----------------------------------------------------------------------
    def plot(self, variable: str | None = None, **kwargs):
        """A plotly figure of the trajectories (see :func:`socialkit.plot.trajectories`)."""
        from socialkit import plot  # presentation layer, imported only when asked for

        return plot.trajectories(self, variable=variable, **kwargs)

    def __repr__(self) -> str:
        steps = self.steps
        last = int(steps[-1]) if len(steps) else 0
        return (f"Run(model={self.model!r}, agents={self.n_agents}, steps={last}, "
                f"variables={self.variables}, seed={self.seed}, events={len(self.events)})")

    def _repr_html_(self) -> str:
        steps = self.steps
        rows = [("model", self.model), ("seed", self.seed), ("agents", self.n_agents),
                ("recorded steps", f"{len(steps)} (last: {int(steps[-1]) if len(steps) else 0})"),
                ("variables", ", ".join(self.variables) or "summary only"),
                ("events", len(self.events)),
                ("socialkit", self.provenance.get("socialkit")),
                ("created", self.provenance.get("timestamp"))]
        head = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                       f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
                       for k, v in rows)
        params = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                         f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
                         for k, v in self.params.items())
        parts = [f"<div><strong>socialkit.Run</strong><table>{head}</table>",
                 f"<details open><summary>parameters</summary><table>{params}</table></details>"]
        try:
            var = self.variable_name(None)
            s = self.summary(var)
            parts.append(f"<details open><summary>{html.escape(var)} by step (first and last)"
                         f"</summary>{pd.concat([s.head(1), s.tail(1)]).to_html(float_format='%.4g')}"
                         "</details>")
        except ValueError:
            pass
        return "".join(parts) + "</div>"

    # ---- persistence ------------------------------------------------------------------------
    def to_parquet(self, folder: str | Path, overwrite: bool = False) -> Path:
        """Write the run to ``folder`` (trajectory.parquet, events.parquet, run.json).

        Parameters
        ----------
        folder : str or path
            Created when absent. A path to an existing file, or a folder already holding a
            run, raises ``FileExistsError`` (unless ``overwrite=True`` for a run folder).
        overwrite : bool
            Replace a run already written there.

        Returns
        -------
        Path

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> run = Run(pd.DataFrame({"step": [0], "agent": [0], "variable": "x", "value": [1.0]}))
        >>> folder = run.to_parquet(tempfile.mkdtemp())
        >>> Run.read_parquet(folder) == run
        True
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise FileExistsError(f"Run.to_parquet: {folder} is an existing file; a run is "
                                  "written to a folder (trajectory.parquet, events.parquet, "
                                  "run.json): give a folder path")
        if (folder / "run.json").exists() and not overwrite:
            raise FileExistsError(f"Run.to_parquet: {folder} already holds a run (run.json); "
                                  "pass overwrite=True to replace it, or choose another folder")
        folder.mkdir(parents=True, exist_ok=True)
        self.trajectory.to_parquet(folder / "trajectory.parquet", index=False)
        self.events.to_parquet(folder / "events.parquet", index=False)
        meta = {"format": _FORMAT, "model": self.model, "seed": self.seed,
                "params": _jsonable(self.params), "provenance": _jsonable(self.provenance),
                "variables": _jsonable(self.variable_info)}
        (folder / "run.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
        return folder

    @classmethod
    def read_parquet(cls, folder: str | Path) -> Run:
        """Read a run written by :meth:`to_parquet`.

        A missing folder raises ``FileNotFoundError``; anything else that is not an intact run
        folder (a file path, a foreign or damaged folder: no or unreadable run.json, missing
        keys, missing or corrupt Parquet files, wrong columns) raises one ``ValueError`` naming
        the folder and what is wrong.

        Examples
        --------
        >>> import tempfile
        >>> Run.read_parquet(tempfile.mkdtemp())  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ... holds no socialkit run: run.json is missing (Run.to_parquet writes ...)
        """
        folder = Path(folder)
        what = f"Run.read_parquet: {folder}"
        if not folder.exists():
            raise FileNotFoundError(f"{what} does not exist")
        if not folder.is_dir():
            raise ValueError(f"{what} is a file, not a run folder; give the folder that "
                             "Run.to_parquet wrote (it holds run.json, trajectory.parquet and "
                             "events.parquet)")
        if not (folder / "run.json").exists():
            raise ValueError(f"{what} holds no socialkit run: run.json is missing (Run.to_parquet "
                             "writes run.json, trajectory.parquet and events.parquet)")
        try:
            meta = json.loads((folder / "run.json").read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{what}: run.json is damaged (not valid JSON: {err})") from None
        if not isinstance(meta, dict):
            raise ValueError(f"{what}: run.json is not a socialkit run description (a JSON "
                             f"{type(meta).__name__}, not an object)")
        lacking = [k for k in ("format", "model", "seed", "params", "provenance") if k not in meta]
        if lacking:
            raise ValueError(f"{what}: run.json lacks {lacking}; it was not written by "
                             "Run.to_parquet")
        if meta["format"] != _FORMAT:
            raise ValueError(f"{what}: run.json has format {meta['format']!r}; this socialkit "
                             f"reads format {_FORMAT}")
        frames = {}
        for name in ("trajectory", "events"):
            path = folder / f"{name}.parquet"
            if not path.exists():
                raise ValueError(f"{what}: {name}.parquet is missing")
            try:
                frames[name] = pd.read_parquet(path)
            except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... on damage
                raise ValueError(f"{what}: {name}.parquet is damaged and cannot be read "
                                 f"({type(err).__name__}: {err})") from None
        try:
            return cls(frames["trajectory"], frames["events"], params=meta["params"],
                       seed=meta["seed"], provenance=meta["provenance"], model=meta["model"],
                       variables=meta.get("variables"))
        except (TypeError, ValueError) as err:
            raise ValueError(f"{what}: {err}") from None

    def equals(self, other: Run, provenance: bool = False) -> bool:
        """Same content: model, seed, params, variables, trajectory and events.

        Provenance (package versions, timestamps, timing, usage) is not content: two identical
        reruns are equal. ``provenance=True`` also compares it, leaving out timestamps and
        timings (keys ``timestamp``, ``created``, ``seconds``, ``elapsed``, ``duration``).
        ``run == other`` is ``run.equals(other)``.

        Examples
        --------
        >>> import socialkit as sk, networkx as nx
        >>> a = sk.dynamics.voter(nx.cycle_graph(6), [0, 1] * 3, steps=5, seed=1)
        >>> b = sk.dynamics.voter(nx.cycle_graph(6), [0, 1] * 3, steps=5, seed=1)
        >>> a.provenance["timestamp"] = "2000-01-01T00:00:00+00:00"
        >>> a.equals(b), a == b, a.equals(b, provenance=True)
        (True, True, True)
        """
        if not isinstance(other, Run):
            raise TypeError(f"Run.equals compares with a Run, got {type(other).__name__}")
        same = (self.model == other.model and self.seed == other.seed
                and _jsonable(self.params) == _jsonable(other.params)
                and self.variables == other.variables
                and self.trajectory.equals(other.trajectory) and self.events.equals(other.events))
        if same and provenance:
            same = _stable(_jsonable(self.provenance)) == _stable(_jsonable(other.provenance))
        return bool(same)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Run):
            return NotImplemented
        return self.equals(other)

    __hash__ = None


class Variables(list):
    """The names of a run's variables (a list), with their descriptions.

    Examples
    --------
    >>> v = Variables(["opinion"], {"opinion": {"kind": "ordinal", "levels": ["no", "yes"]}})
    >>> v == ["opinion"], v.describe().loc["opinion", "kind"]
    (True, 'ordinal')
    """

    def __init__(self, names: list[str], info: dict[str, dict[str, Any]] | None = None):
        super().__init__(names)
        self.info = {n: dict((info or {}).get(n, {})) for n in names}

    def describe(self) -> pd.DataFrame:
        """One row per variable: its kind and the rest of its description."""
        rows = [{"variable": n, **d} for n, d in self.info.items()]
        df = pd.DataFrame(rows if rows else {"variable": []}).set_index("variable")
        return df

    def _repr_html_(self) -> str:
        return self.describe().to_html(na_rep="")


_FORMAT = 1
_VOLATILE = {"timestamp", "created", "seconds", "elapsed", "duration"}


def _stable(x: Any) -> Any:
    """A JSON value without its timestamps and timings (at any depth)."""
    if isinstance(x, dict):
        return {k: _stable(v) for k, v in x.items() if k not in _VOLATILE}
    if isinstance(x, list):
        return [_stable(v) for v in x]
    return x
