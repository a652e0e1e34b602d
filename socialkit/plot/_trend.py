"""Figures of survey answers across waves: a trend per group from a long DataFrame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from socialkit.plot._style import TEMPLATE, finish, palette, rgba

__all__ = ["trend", "trend_table"]


def trend_table(df: pd.DataFrame, answer: str, time: str = "year", by: str | None = None,
                weights: str | None = None, ci: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """The (weighted) mean answer per wave and group, with a normal confidence interval.

    For a 0/1 answer the mean is the share answering 1. The interval is mean ± z · SD / √n_eff,
    with Kish's effective size n_eff under weights; waves where a group has fewer than
    ``min_n`` answers are left out (their row is kept with ``shown=False``).

    Parameters
    ----------
    df : DataFrame
        One row per respondent and wave (a long table: the survey's cumulative file).
    answer : str
        Numeric answer column (missing answers are dropped).
    time : str
        Wave column (a year, a date or any ordered value).
    by : str, optional
        Group column (party, sex, ...); missing groups are dropped.
    weights : str, optional
        Survey-weight column.
    ci : float
        Interval coverage.
    min_n : int
        Fewest answers for a point to be shown.

    Returns
    -------
    DataFrame
        ``time``, ``by`` (when given), ``n``, ``n_eff``, ``mean``, ``low``, ``high``, ``shown``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [1, 1, 2, 2] * 20, "y": [0, 1, 1, 1] * 20})
    >>> trend_table(df, "y")[["year", "n", "mean"]].values.tolist()
    [[1.0, 40.0, 0.5], [2.0, 40.0, 1.0]]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"trend: df must be a DataFrame (one row per respondent and wave), got "
                        f"{type(df).__name__}")
    for role, col in (("answer", answer), ("time", time), ("by", by), ("weights", weights)):
        if col is not None and col not in df.columns:
            raise ValueError(f"trend: {role} column {col!r} is not in the DataFrame; columns: "
                             f"{list(df.columns)}")
    if not 0 < ci < 1:
        raise ValueError(f"trend: ci must be between 0 and 1, got {ci!r}")
    y = df[answer]
    if isinstance(y.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(y.dtype):
        raise TypeError(f"trend: answer column {answer!r} must be numeric (codes, or 0/1 for a "
                        f"share); got dtype {y.dtype}; use Population.codes() for labels")
    keys = [time] + ([by] if by is not None else [])
    w = (df[weights].astype(float) if weights is not None
         else pd.Series(1.0, index=df.index))
    data = pd.DataFrame({"y": y.astype(float), "w": w}).join(df[keys])
    data = data.dropna(subset=["y", *keys])
    if data.empty:
        raise ValueError(f"trend: no respondent has both {answer!r} and {keys}")
    z = float(stats.norm.ppf(0.5 + ci / 2))
    rows = []
    for key, g in data.groupby(keys, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        sw = g["w"].sum()
        mean = float((g["w"] * g["y"]).sum() / sw)
        n_eff = float(sw ** 2 / (g["w"] ** 2).sum())
        var = float((g["w"] * (g["y"] - mean) ** 2).sum() / sw)
        half = z * np.sqrt(var / n_eff) if n_eff > 1 else np.nan
        rows.append({**dict(zip(keys, key, strict=True)), "n": float(len(g)), "n_eff": n_eff,
                     "mean": mean, "low": mean - half, "high": mean + half,
                     "shown": len(g) >= min_n})
    return pd.DataFrame(rows)


def trend(df: pd.DataFrame, answer: str, time: str = "year", by: str | None = None, *,
          weights: str | None = None, ci: float = 0.95, min_n: int = 30,
          title: str | None = None, labels: dict | None = None) -> go.Figure:
    """An answer's trend across survey waves, one line (with its interval band) per group.

    Straight from a long DataFrame (one row per respondent and wave), with no Run to build: e.g.
    GSS support for legal abortion by party, 1977-2018 (``sk.datasets.load("gss_abortion")``).
    The numbers behind it are :func:`trend_table`; a group's wave with fewer than ``min_n``
    answers is not drawn.

    Parameters
    ----------
    df, answer, time, by, weights, ci, min_n
        As in :func:`trend_table`.
    title : str, optional
    labels : dict, optional
        Axis titles: ``{"answer": ..., "time": ...}``.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2000, 2000, 2010, 2010] * 50, "party": ["D", "R"] * 100,
    ...                    "abany": [1, 0, 1, 0] * 50})
    >>> fig = trend(df, "abany", by="party")
    >>> [t.name for t in fig.data if t.showlegend is not False]
    ['D', 'R']
    """
    table = trend_table(df, answer, time, by, weights, ci, min_n)
    shown = table[table["shown"]]
    if shown.empty:
        raise ValueError(f"trend: no wave has {min_n} or more answers to {answer!r} in any group; "
                         "lower min_n")
    labels = dict(labels or {})
    fig = go.Figure()
    groups = [(None, shown)] if by is None else list(shown.groupby(by, observed=True, sort=False))
    colours = palette(len(groups))
    for (name, g), colour in zip(groups, colours, strict=True):
        g = g.sort_values(time)
        label = answer if name is None else str(name)
        x = g[time].tolist()
        fig.add_trace(go.Scatter(x=x + x[::-1], y=g["high"].tolist() + g["low"].tolist()[::-1],
                                 fill="toself", fillcolor=rgba(colour, 0.18), mode="lines",
                                 line=dict(width=0), hoverinfo="skip", showlegend=False,
                                 name=f"{label} {ci:.0%} CI"))
        fig.add_trace(go.Scatter(x=x, y=g["mean"], mode="lines+markers", name=label,
                                 line=dict(color=colour, width=2), marker=dict(size=5),
                                 customdata=g[["n"]].to_numpy(),
                                 hovertemplate=f"{label}<br>%{{x}}: %{{y:.3f}} "
                                               "(n = %{customdata[0]:.0f})<extra></extra>"))
    fig.update_layout(template=TEMPLATE,
                      xaxis_title=labels.get("time", time),
                      yaxis_title=labels.get("answer", f"mean {answer}"),
                      legend_title_text=by or "")
    head = title or f"{answer} by {time}" + (f" and {by}" if by else "")
    return finish(fig, f"{head}<br><sup>mean with {ci:.0%} interval; waves with fewer than "
                       f"{min_n} answers left out</sup>")
