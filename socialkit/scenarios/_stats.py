"""Small statistics the game scenarios report: means with t intervals, proportions with Wilson
intervals, Kaplan-Meier survival with log-log Greenwood intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["mean_ci", "wilson", "kaplan_meier", "gini"]


def mean_ci(x: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t interval (NaN bounds with fewer than two finite values).

    Examples
    --------
    >>> [round(v, 3) for v in mean_ci([1.0, 2.0, 3.0])]
    [2.0, -0.484, 4.484]
    """
    from scipy import stats

    a = np.asarray(x, dtype=np.float64)
    a = a[np.isfinite(a)]
    if not len(a):
        return math.nan, math.nan, math.nan
    m = float(a.mean())
    if len(a) < 2:
        return m, math.nan, math.nan
    se = float(a.std(ddof=1)) / math.sqrt(len(a))
    h = float(stats.t.ppf(0.5 + level / 2, len(a) - 1)) * se
    return m, m - h, m + h


def wilson(k: float, n: float, level: float = 0.95) -> tuple[float, float, float]:
    """A proportion ``k / n`` and its Wilson score interval.

    Examples
    --------
    >>> [round(v, 3) for v in wilson(2, 45)]
    [0.044, 0.012, 0.148]
    """
    from scipy import stats

    if n <= 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return p, max(0.0, mid - h), min(1.0, mid + h)


def kaplan_meier(times: Sequence[float], events: Sequence[bool], level: float = 0.95
                 ) -> pd.DataFrame:
    """The Kaplan-Meier survival curve of ``times`` (an event at that time when ``events`` is
    true, else censored then), with log-log Greenwood intervals.

    Returns
    -------
    DataFrame
        ``time`` (0 and every event or censoring time), ``at_risk``, ``events``, ``censored``,
        ``survival``, ``lower``, ``upper``.

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 12, 12], [True, True, False, False])
    >>> km[["time", "at_risk", "survival"]].values.tolist()
    [[0.0, 4.0, 1.0], [1.0, 4.0, 0.75], [2.0, 3.0, 0.5], [12.0, 2.0, 0.5]]
    """
    from scipy import stats

    t = np.asarray(times, dtype=np.float64)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape:
        raise ValueError(f"kaplan_meier: {len(t)} times but {len(e)} event flags")
    if len(t) and (~np.isfinite(t)).any():
        raise ValueError("kaplan_meier: times must be finite")
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = [{"time": 0.0, "at_risk": float(len(t)), "events": 0.0, "censored": 0.0,
             "survival": 1.0, "lower": 1.0, "upper": 1.0}]
    s, var = 1.0, 0.0
    for u in np.unique(t):
        n = float((t >= u).sum())
        d = float(((t == u) & e).sum())
        c = float(((t == u) & ~e).sum())
        if d:
            s *= 1 - d / n
            var = var + d / (n * (n - d)) if n > d else math.inf
        lo, hi = _loglog(s, var, z)
        rows.append({"time": float(u), "at_risk": n, "events": d, "censored": c,
                     "survival": s, "lower": lo, "upper": hi})
    return pd.DataFrame(rows)


def _loglog(s: float, var: float, z: float) -> tuple[float, float]:
    if s <= 0:
        return 0.0, 0.0
    if s >= 1 or var == 0:
        return (1.0, 1.0) if s >= 1 else (s, s)
    if not math.isfinite(var):
        return 0.0, 1.0
    se = math.sqrt(var) / abs(math.log(s))
    return s ** math.exp(z * se), s ** math.exp(-z * se)


def gini(x: Sequence[float]) -> float:
    """The Gini coefficient ``sum_ij |x_i - x_j| / (2 n sum x)`` (0: all equal; NaN when the sum
    is 0).

    Examples
    --------
    >>> gini([10, 10, 10]), gini([0, 0, 30])
    (0.0, 0.6666666666666666)
    """
    a = np.asarray(x, dtype=np.float64)
    total = a.sum()
    if not len(a) or total == 0:
        return math.nan
    return float(np.abs(a[:, None] - a[None, :]).sum() / (2 * len(a) * total))
