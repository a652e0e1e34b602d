"""Raking: iterative proportional fitting (IPF) of weights to marginal targets.

Each margin is turned once into integer cell codes; one IPF sweep is then, per margin, a
``np.bincount`` of the weights over the codes and a gather of the correction factors, so a million
rows rake in well under a second.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socialkit.population._columns import column_kind, kish

__all__ = ["rake_weights", "RakeReport"]

SHARE_TOL = 1e-6  # shares must sum to 1 within this


@dataclass
class RakeReport:
    """How raking went: iterations, convergence, the largest error and its history.

    Attributes
    ----------
    iterations : int
        Full IPF sweeps done.
    converged : bool
        True when ``max_error <= tol``.
    max_error : float
        Largest absolute gap between a weighted share and its target share after raking.
    history : list of float
        The largest gap measured in each sweep.
    tol : float
        The tolerance asked for.
    margins : DataFrame
        One row per variable and category: ``target``, ``before`` and ``after`` shares.
    ess, deff : float
        Kish effective sample size and design effect of the raked weights.
    weight_ratio : tuple of float
        Smallest and largest raked weight divided by the mean weight.

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> pop = sk.Population.from_survey(pd.DataFrame({"x": list("aab")}))
    >>> _, report = pop.rake({"x": {"a": 0.5, "b": 0.5}})
    >>> report.converged, report.iterations, report.margins["after"].round(2).tolist()
    (True, 2, [0.5, 0.5])
    """

    iterations: int
    converged: bool
    max_error: float
    history: list[float]
    tol: float
    margins: pd.DataFrame = field(repr=False)
    ess: float = float("nan")
    deff: float = float("nan")
    weight_ratio: tuple[float, float] = (float("nan"), float("nan"))

    def __repr__(self) -> str:
        return (f"RakeReport(converged={self.converged}, iterations={self.iterations}, "
                f"max_error={self.max_error:.3g}, ess={self.ess:.1f}, deff={self.deff:.3f})")

    def _repr_html_(self) -> str:
        status = "converged" if self.converged else "<b>did not converge</b>"
        hist = ", ".join(f"{h:.2g}" for h in self.history[:12])
        more = " …" if len(self.history) > 12 else ""
        return (f"<div><strong>Raking</strong>: {status} after {self.iterations} sweep(s); "
                f"largest share error {self.max_error:.3g} (tol {self.tol:g}); Kish effective "
                f"size {self.ess:.1f}, design effect {self.deff:.3f}; weight / mean in "
                f"[{self.weight_ratio[0]:.3g}, {self.weight_ratio[1]:.3g}]"
                f"<br><small>error by sweep: {html.escape(hist + more)}</small>"
                f"{self.margins.to_html(index=False, float_format=lambda v: f'{v:.4f}')}</div>")


@dataclass
class _Margin:
    name: str
    columns: tuple[str, ...]
    categories: list[Any]  # one entry per cell (a tuple for joint margins)
    target: np.ndarray  # shares, summing to 1
    codes: np.ndarray | None = None


def _normalize_targets(targets: Mapping, df: pd.DataFrame,
                      declared: Mapping[str, str] | None = None,
                      counts: bool = False) -> tuple[list[_Margin], float | None]:
    """Check ``targets`` against ``df``; return margins of shares and the count total (or None)."""
    if not isinstance(targets, Mapping) or not targets:
        raise ValueError("targets must be a non-empty dict mapping a column (or a tuple of "
                         "columns) to {category: share or count} or a pandas Series")
    declared = declared or {}
    margins, totals = [], {}
    for key, spec in targets.items():
        cols = tuple(key) if isinstance(key, tuple) else (key,)
        name = " × ".join(map(str, cols))
        for col in cols:
            if col not in df.columns:
                raise ValueError(f"target column {col!r} is not in the population; columns: "
                                 f"{[c for c in df.columns if c not in ('agent', 'weight')]}")
            if column_kind(df[col], declared.get(col)) == "continuous":
                raise ValueError(f"column {col!r} is continuous; raking needs categories: bin "
                                 f"it first (e.g. pd.cut) and give targets for the bins")
            n_missing = int(df[col].isna().sum())
            if n_missing:
                raise ValueError(f"column {col!r} has {n_missing} missing value(s); raking needs "
                                 f"a category for every row (fill or drop them first)")
        if not isinstance(spec, pd.Series | Mapping):
            raise TypeError(f"targets for {name!r} must be a dict or a pandas Series, got "
                            f"{type(spec).__name__}")
        series = spec if isinstance(spec, pd.Series) else pd.Series(dict(spec), dtype=object)
        if series.empty:
            raise ValueError(f"targets for {name!r} are empty")
        if series.index.has_duplicates:
            raise ValueError(f"targets for {name!r} repeat categories "
                             f"{series.index[series.index.duplicated()].tolist()[:5]}")
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all() or (values < 0).any():
            bad = series.index[~(np.isfinite(values) & (values >= 0))].tolist()
            raise ValueError(f"targets for {name!r} must be finite and non-negative; "
                             f"bad categories: {bad[:5]}")
        total = values.sum()
        if total <= 0:
            raise ValueError(f"targets for {name!r} sum to zero")
        if abs(total - 1) > SHARE_TOL:
            if not counts:
                raise ValueError(
                    f"targets for {name!r} sum to {total:.6g}, not 1: shares must sum to 1 "
                    f"(within {SHARE_TOL:g}); normalise them (s / s.sum()) or, if they are "
                    "population counts, pass counts=True")
            totals[name] = total
        if len(cols) > 1 and series.index.nlevels != len(cols):
            raise ValueError(f"targets for joint margin {name!r} need a {len(cols)}-level index "
                             f"(tuples of categories), got {series.index.nlevels} level(s)")
        margins.append(_Margin(name, cols, list(series.index), values / total))
    if totals:
        ref_name, ref = next(iter(totals.items()))
        for nm, t in totals.items():
            if abs(t - ref) > 1e-6 * ref:
                raise ValueError(f"targets disagree on the total: {ref_name!r} sums to {ref:.10g} "
                                 f"but {nm!r} sums to {t:.10g}; give shares or counts that agree")
    for m in margins:
        m.codes = _cell_codes(df, m)
    return margins, (next(iter(totals.values())) if totals else None)


def _cell_codes(df: pd.DataFrame, m: _Margin) -> np.ndarray:
    """Integer cell code of every row for margin ``m`` (errors name missing categories)."""
    index = pd.MultiIndex.from_tuples(m.categories) if len(m.columns) > 1 else pd.Index(
        m.categories)
    codes = np.zeros(len(df), dtype=np.int64)
    levels = []
    for i, col in enumerate(m.columns):
        lvl = index.levels[i] if len(m.columns) > 1 else index
        c = _level_codes(df[col], lvl)
        if (c < 0).any():
            unknown = [_py(v) for v in pd.unique(df[col].to_numpy()[c < 0])[:5]]
            raise ValueError(f"data category {unknown[0]!r} of column {col!r} is absent from the "
                             f"targets (target categories: {list(lvl)[:12]}); unknown: {unknown}")
        codes = codes * len(lvl) + c
        levels.append(len(lvl))
    if len(m.columns) == 1:
        cell_of_target = np.arange(len(index))
    else:
        cell_of_target = np.zeros(len(index), dtype=np.int64)
        for i, n in enumerate(levels):
            cell_of_target = cell_of_target * n + index.codes[i]
    n_cells = int(np.prod(levels))
    lookup = np.full(n_cells, -1, dtype=np.int64)
    lookup[cell_of_target] = np.arange(len(index))
    out = lookup[codes]
    if (out < 0).any():
        cell = tuple(_py(v) for v in df[list(m.columns)].iloc[int(np.flatnonzero(out < 0)[0])])
        raise ValueError(f"data category {cell!r} of columns {m.columns} is absent from the "
                         f"joint targets for {m.name!r}")
    counts = np.bincount(out, minlength=len(index))
    empty = [m.categories[i] for i in np.flatnonzero((counts == 0) & (m.target > 0))]
    if empty:
        raise ValueError(f"target category {empty[0]!r} of {m.name!r} is absent from the data "
                         f"(no row has it, so its target {m.target[m.categories.index(empty[0])]:.4g}"
                         f" cannot be met); absent: {empty[:5]}")
    return out


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _level_codes(s: pd.Series, categories: pd.Index) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        lookup = categories.get_indexer(s.cat.categories)
        return lookup[s.cat.codes.to_numpy()]
    try:
        return categories.get_indexer(s)
    except TypeError:  # mixed or unorderable types
        return pd.Index(categories.astype(object)).get_indexer(s.astype(object))


def rake_weights(df: pd.DataFrame, targets: Mapping, weights: np.ndarray | None = None,
                 max_iter: int = 1000, tol: float = 1e-10,
                 bounds: tuple[float, float] | None = None,
                 declared: Mapping[str, str] | None = None,
                 counts: bool = False) -> tuple[np.ndarray, RakeReport]:
    """Rake ``weights`` so the weighted shares of ``df`` match ``targets``.

    The array-level engine of :meth:`socialkit.Population.rake`, usable on any DataFrame.

    Parameters
    ----------
    df : DataFrame
        One row per unit; the target columns must be categorical and complete.
    targets : dict
        Column (or tuple of columns) -> ``{category: share or count}`` or a Series (see
        :meth:`socialkit.Population.rake`).
    weights : array, optional
        Starting weights (default 1 each).
    max_iter, tol, bounds, counts
        As in :meth:`socialkit.Population.rake`.
    declared : dict, optional
        Column -> codebook kind (``"continuous"`` columns are refused).

    Returns
    -------
    (numpy.ndarray, RakeReport)
        The raked weights (summing to the count total of the targets, or to the total of the
        starting weights when every target is a share) and the convergence report.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m"], "old": [0, 1, 0, 1]})
    >>> w, rep = rake_weights(df, {"sex": {"f": 0.5, "m": 0.5}, "old": {0: 30, 1: 70}},
    ...                       counts=True)
    >>> [round(float(x), 6) for x in w], rep.converged
    ([15.0, 35.0, 15.0, 35.0], True)
    """
    if df.empty:
        raise ValueError("cannot rake an empty population")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not (isinstance(tol, int | float) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    w0 = np.ones(len(df)) if weights is None else np.asarray(weights, dtype=float).copy()
    if not isinstance(counts, bool | np.bool_):
        raise TypeError(f"counts must be True or False, got {counts!r}")
    margins, count_total = _normalize_targets(targets, df, declared, bool(counts))
    total = float(count_total) if count_total is not None else float(w0.sum())
    lo = hi = None
    if bounds is not None:
        try:
            lo, hi = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ValueError(f"bounds must be (low, high) ratios to the mean weight, got "
                             f"{bounds!r}") from None
        if not (0 <= lo <= 1 <= hi):
            raise ValueError(f"bounds must satisfy 0 <= low <= 1 <= high, got {bounds!r}")
    before = [_shares(w0, m) for m in margins]
    w = w0 * (total / w0.sum())
    history: list[float] = []
    for _ in range(max_iter):
        err = 0.0
        for m in margins:
            sums = np.bincount(m.codes, weights=w, minlength=len(m.target))
            want = m.target * total
            err = max(err, float(np.abs(sums - want).max()) / total)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(sums > 0, want / sums, 0.0)
            w *= factor[m.codes]
        if lo is not None:
            mean = total / len(w)
            np.clip(w, lo * mean, hi * mean, out=w)
        history.append(err)
        if err <= tol * 0.1:
            break
    after = [_shares(w, m) for m in margins]
    max_error = max(float(np.abs(a - m.target).max()) for a, m in zip(after, margins, strict=True))
    rows = [{"variable": m.name, "category": c, "target": t, "before": b, "after": a}
            for m, bs, as_ in zip(margins, before, after, strict=True)
            for c, t, b, a in zip(m.categories, m.target, bs, as_, strict=True)]
    ess, deff = kish(w)
    mean = w.sum() / len(w)
    report = RakeReport(len(history), max_error <= tol, max_error, history, tol,
                        pd.DataFrame(rows), ess, deff, (float(w.min() / mean),
                                                        float(w.max() / mean)))
    if not report.converged:
        warnings.warn(f"raking did not converge in {len(history)} sweeps: largest share error "
                      f"{max_error:.3g} > tol {tol:g}" + (" (bounds may make the targets "
                                                           "unreachable)" if lo is not None else ""),
                      RuntimeWarning, stacklevel=3)
    return w, report


def _shares(w: np.ndarray, m: _Margin) -> np.ndarray:
    sums = np.bincount(m.codes, weights=w, minlength=len(m.target))
    return sums / sums.sum()
