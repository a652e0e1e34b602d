"""Simulated spreading against real spreading: propagation curves (normalised RMSE, MAPE,
Pearson r, peak timing) and heavy-tailed distributions (KS, Wasserstein on a log scale, CCDFs).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["compare_curves", "compare_distributions", "ccdf", "curve_metrics"]


def _series(x: Any, name: str, column: str | None) -> pd.Series:
    """A curve as a Series indexed by time."""
    if isinstance(x, pd.Series):
        s = x
    elif isinstance(x, pd.DataFrame):
        if "time" not in x.columns:
            raise ValueError(f"compare_curves: the {name} table needs a 'time' column")
        col = column
        if col is None:
            for c in ("adopters", "value"):
                if c in x.columns:
                    col = c
                    break
        if col is None or col not in x.columns:
            raise ValueError(f"compare_curves: the {name} table has no column {column!r} (give "
                             f"column=; it has {list(x.columns)})")
        s = pd.Series(x[col].to_numpy(), index=x["time"].to_numpy())
    else:
        arr = np.asarray(x, dtype=np.float64).ravel()
        s = pd.Series(arr, index=np.arange(1, len(arr) + 1, dtype=np.float64))
    s = pd.Series(pd.to_numeric(s, errors="coerce").to_numpy(np.float64),
                  index=np.asarray(s.index, dtype=np.float64)).sort_index()
    if len(s) < 2 or s.isna().all():
        raise ValueError(f"compare_curves: the {name} curve needs at least two values")
    return s


def curve_metrics(simulated: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """Agreement of two curves on the same grid: ``nrmse`` (RMSE over the real curve's range),
    ``mape`` (mean absolute percentage error over points where the real value is not 0),
    ``pearson_r``.

    Examples
    --------
    >>> m = curve_metrics(np.array([0., 1., 2.]), np.array([0., 1., 4.]))
    >>> round(m["nrmse"], 4), round(m["mape"], 4), round(m["pearson_r"], 4)
    (0.2887, 0.25, 0.9608)
    """
    s, r = np.asarray(simulated, np.float64), np.asarray(real, np.float64)
    ok = ~(np.isnan(s) | np.isnan(r))
    s, r = s[ok], r[ok]
    rng = float(r.max() - r.min()) if len(r) else np.nan
    rmse = float(np.sqrt(np.mean((s - r) ** 2))) if len(r) else np.nan
    nz = r != 0
    mape = float(np.mean(np.abs(s[nz] - r[nz]) / np.abs(r[nz]))) if nz.any() else np.nan
    if len(r) > 1 and s.std() > 0 and r.std() > 0:
        pr = float(stats.pearsonr(s, r)[0])
    else:
        pr = np.nan
    return {"rmse": rmse, "nrmse": rmse / rng if rng else np.nan, "mape": mape,
            "pearson_r": pr}


def compare_curves(simulated: Any, real: Any, *, column: str | None = None,
                   align: str = "relative", normalize: str | None = "final",
                   points: int = 100) -> pd.DataFrame:
    """How closely a simulated propagation curve follows a real one.

    Both curves are put on one grid: with ``align="relative"`` their times are mapped to
    [0, 1] (first to last time point: a simulated week of steps against a real week of
    hours), with ``align="absolute"`` they are compared on the real curve's times (the
    simulated one interpolated linearly). With ``normalize="final"`` each curve is divided by
    its last value (shares of final adopters), ``"max"`` by its maximum, None leaves counts.
    Peak timing is where the increments (new adopters per time unit) are largest.

    Parameters
    ----------
    simulated, real : DataFrame, Series or array
        Curves: tables from :func:`socialkit.network.propagation_curve` (``time`` and
        ``adopters``, or ``column=``), Series indexed by time, or arrays (times 1..n).
    column : str, optional
        The value column of tables.
    align : {"relative", "absolute"}
    normalize : {"final", "max"} or None
    points : int
        Grid points for ``align="relative"``.

    Returns
    -------
    DataFrame
        One row: ``nrmse``, ``rmse``, ``mape``, ``pearson_r``, ``peak_simulated``,
        ``peak_real`` (times of the largest increment, on the compared scale), ``peak_lag``
        (simulated - real), ``n_points``.

    Examples
    --------
    >>> real = pd.DataFrame({"time": [1., 2., 3., 4.], "adopters": [1., 5., 9., 10.]})
    >>> sim = pd.DataFrame({"time": [1., 2.], "adopters": [4., 8.]})
    >>> compare_curves(sim, real, align="relative", points=4)[["pearson_r", "peak_lag"]].round(3)
       pearson_r  peak_lag
    0      0.973    -0.333
    """
    if align not in ("relative", "absolute"):
        raise ValueError(f"compare_curves align must be 'relative' or 'absolute', got {align!r}")
    if normalize not in ("final", "max", None):
        raise ValueError(f"compare_curves normalize must be 'final', 'max' or None, got "
                         f"{normalize!r}")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError(f"compare_curves points must be an integer >= 2, got {points!r}")
    s, r = _series(simulated, "simulated", column), _series(real, "real", column)

    def norm(x: pd.Series) -> pd.Series:
        if normalize is None:
            return x
        d = x.dropna().iloc[-1] if normalize == "final" else x.max()
        if not d:
            raise ValueError("compare_curves: a curve ends at 0; it cannot be normalised")
        return x / d

    s, r = norm(s), norm(r)
    if align == "relative":
        grid = np.linspace(0.0, 1.0, points)

        def on(x: pd.Series) -> np.ndarray:
            t = np.asarray(x.index, np.float64)
            u = (t - t[0]) / (t[-1] - t[0]) if t[-1] > t[0] else np.zeros_like(t)
            return np.interp(grid, u, x.to_numpy())

        sv, rv = on(s), on(r)
    else:
        grid = np.asarray(r.index, np.float64)
        sv = np.interp(grid, np.asarray(s.index, np.float64), s.to_numpy(), left=np.nan,
                       right=np.nan)
        rv = r.to_numpy()
    m = curve_metrics(sv, rv)

    def peak(v: np.ndarray) -> float:
        inc = np.diff(np.concatenate([[0.0], v]))
        return float(grid[int(np.nanargmax(inc))])

    ps, pr = peak(sv), peak(rv)
    return pd.DataFrame([{"nrmse": m["nrmse"], "rmse": m["rmse"], "mape": m["mape"],
                          "pearson_r": m["pearson_r"], "peak_simulated": ps, "peak_real": pr,
                          "peak_lag": ps - pr, "n_points": int((~np.isnan(sv)).sum())}])


def compare_distributions(simulated: Any, real: Any, columns: Any = None, *,
                          log: bool = True) -> pd.DataFrame:
    """Simulated against real distributions of heavy-tailed measures (cascade sizes, retweets
    per user): two-sample Kolmogorov-Smirnov and the Wasserstein distance of log10 values.

    Parameters
    ----------
    simulated, real : DataFrame, Series or array
        Tables with the same measure columns (e.g. two :func:`socialkit.network.cascades`
        tables), or one sample each.
    columns : list of str, optional
        Measures to compare (default: the numeric columns both tables share, ids and times
        aside).
    log : bool
        Wasserstein distance between log10 values (positive values only; the share of zeros
        is reported apart), the scale on which heavy tails are compared.

    Returns
    -------
    DataFrame
        One row per measure: ``n_simulated``, ``n_real``, ``mean_simulated``, ``mean_real``,
        ``median_simulated``, ``median_real``, ``max_simulated``, ``max_real``, ``ks``,
        ``ks_pvalue``, ``wasserstein`` (log10 scale when ``log``), ``zeros_simulated``,
        ``zeros_real``.

    Examples
    --------
    >>> a, b = [1, 1, 2, 3, 10], [1, 2, 2, 4, 100]
    >>> compare_distributions(a, b)[["ks", "wasserstein"]].round(3)
            ks  wasserstein
    value  0.2        0.285
    """
    def frame(x: Any, name: str) -> pd.DataFrame:
        if isinstance(x, pd.DataFrame):
            return x
        if isinstance(x, pd.Series):
            return x.to_frame("value")
        try:
            return pd.DataFrame({"value": np.asarray(x, dtype=np.float64).ravel()})
        except (TypeError, ValueError):
            raise TypeError(f"compare_distributions: {name} must be a DataFrame, Series or "
                            f"array of numbers") from None

    s, r = frame(simulated, "simulated"), frame(real, "real")
    skip = {"cascade", "start", "agent", "node", "user", "step"}
    if columns is None:
        columns = [c for c in s.columns if c in r.columns and c not in skip
                   and pd.api.types.is_numeric_dtype(s[c]) and pd.api.types.is_numeric_dtype(
                       r[c])]
        if isinstance(simulated, pd.Series) or not isinstance(simulated, pd.DataFrame):
            columns = ["value"]
    elif isinstance(columns, str):
        columns = [columns]
    if not columns:
        raise ValueError("compare_distributions: no numeric measure both sides share")
    rows = {}
    for c in columns:
        if c not in s.columns or c not in r.columns:
            raise ValueError(f"compare_distributions: column {c!r} is not on both sides")
        x = pd.to_numeric(s[c], errors="coerce").dropna().to_numpy(np.float64)
        y = pd.to_numeric(r[c], errors="coerce").dropna().to_numpy(np.float64)
        if not len(x) or not len(y):
            raise ValueError(f"compare_distributions: {c!r} has no values on one side")
        with warnings.catch_warnings():  # large samples: the asymptotic p-value, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            ks = stats.ks_2samp(x, y)
        if log:
            xp, yp = x[x > 0], y[y > 0]
            w = float(stats.wasserstein_distance(np.log10(xp), np.log10(yp))) \
                if len(xp) and len(yp) else np.nan
        else:
            w = float(stats.wasserstein_distance(x, y))
        rows[c] = {"n_simulated": len(x), "n_real": len(y), "mean_simulated": x.mean(),
                   "mean_real": y.mean(), "median_simulated": float(np.median(x)),
                   "median_real": float(np.median(y)), "max_simulated": x.max(),
                   "max_real": y.max(), "ks": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
                   "wasserstein": w, "zeros_simulated": float((x == 0).mean()),
                   "zeros_real": float((y == 0).mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


def ccdf(values: Any) -> pd.DataFrame:
    """The complementary cumulative distribution ``P(X >= x)`` at each distinct value.

    Examples
    --------
    >>> ccdf([1, 1, 2, 5]).values.tolist()
    [[1.0, 1.0], [2.0, 0.5], [5.0, 0.25]]
    """
    x = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce").dropna()
    x = x.to_numpy(np.float64)
    if not len(x):
        return pd.DataFrame({"x": [], "p": []})
    u, c = np.unique(x, return_counts=True)
    p = (len(x) - np.concatenate([[0], np.cumsum(c)[:-1]])) / len(x)
    return pd.DataFrame({"x": u, "p": p})
