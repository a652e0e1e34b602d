"""Figures of the spreading-ideas scenarios: odds ratios with intervals, a ranking of shares
with intervals, and awareness over days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from socialkit.plot._style import PALETTE, finish, log_axis, rgba

__all__ = ["odds_ratios", "ranking", "awareness"]


def _need(df: Any, cols: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} needs a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: the table lacks the columns {missing}")
    return df


def odds_ratios(table: pd.DataFrame, reference: Mapping[str, float] | None = None,
                title: str = "Odds ratios against the reference") -> go.Figure:
    """Odds ratios with their intervals, one row per treatment, on a log axis with the line of
    no effect (1); ``reference`` adds published values as hollow diamonds.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`socialkit.validation.ordinal_odds_ratios` (``treatment``, ``odds_ratio``,
        ``ci_low``, ``ci_high``), or several stacked with a ``source`` column (e.g. one per
        seed or model); rows that could not be estimated are listed with their note.
    reference : dict of treatment -> odds ratio, optional
        Published point estimates (e.g. ``{"ai_personalized": 1.81}``).
    title : str

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> t = pd.DataFrame({"treatment": ["ai", "ai_personalized"], "odds_ratio": [1.2, 1.9],
    ...                   "ci_low": [0.8, 1.2], "ci_high": [1.9, 3.0]})
    >>> fig = odds_ratios(t, reference={"ai_personalized": 1.81})
    >>> [d.name for d in fig.data]
    ['estimate', 'published']
    """
    _need(table, ["treatment", "odds_ratio", "ci_low", "ci_high"], "odds_ratios")
    t = table.copy()
    source = "source" in t.columns
    t["label"] = (t["treatment"].astype(str) + (" · " + t["source"].astype(str) if source
                                                 else ""))
    ok = np.isfinite(t["odds_ratio"].to_numpy(dtype=float))
    fig = go.Figure()
    est = t[ok]
    fig.add_trace(go.Scatter(
        x=est["odds_ratio"], y=est["label"], mode="markers", name="estimate",
        marker=dict(color=PALETTE[0], size=9),
        error_x=dict(type="data", symmetric=False,
                     array=(est["ci_high"] - est["odds_ratio"]).fillna(0),
                     arrayminus=(est["odds_ratio"] - est["ci_low"]).fillna(0),
                     color=PALETTE[0], thickness=1.5)))
    if reference:
        ref = [(lab, reference[tr]) for tr, lab in zip(t["treatment"], t["label"], strict=True)
               if tr in reference]
        if ref:
            fig.add_trace(go.Scatter(x=[v for _, v in ref], y=[lab for lab, _ in ref],
                                     mode="markers", name="published",
                                     marker=dict(symbol="diamond-open", size=12,
                                                 color=PALETTE[3], line=dict(width=2))))
    for lab, note in zip(t.loc[~ok, "label"], t.loc[~ok].get("note", [None] * (~ok).sum()),
                         strict=True):
        fig.add_annotation(x=0, xref="paper", y=lab, text=f"not estimated: {note or 'NaN'}",
                           showarrow=False, xanchor="left", font=dict(size=10))
    vals = np.concatenate([est[c].to_numpy(dtype=float) for c in ("ci_low", "ci_high",
                                                                  "odds_ratio")]
                          + [np.array(list((reference or {}).values()), dtype=float), [1.0]])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    lo, hi = max(vals.min() / 1.3, 1e-4), min(vals.max() * 1.3, 1e4)  # beyond: off the axis
    fig.add_vline(x=1, line=dict(color="grey", dash="dot"))
    fig.update_yaxes(categoryorder="array", categoryarray=list(t["label"])[::-1])
    return finish(fig, title, 140 + 36 * len(t),
                  xaxis=dict(log_axis(lo, hi), range=[np.log10(lo), np.log10(hi)],
                             title="odds ratio (log scale; > 1: more agreement with the "
                                   "opponent)"))


def ranking(table: pd.DataFrame, by: str, highlight: Sequence[str] = (),
            title: str | None = None, highlight_name: str = "published top") -> go.Figure:
    """Shares with their intervals, ranked (largest on top), the ``highlight`` groups marked.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`socialkit.validation.shares_by` (``by``, ``share``, ``ci_low``,
        ``ci_high``, ``n``).
    by : str
        The group column.
    highlight : sequence of str
        Groups to mark (e.g. a paper's most effective dimensions).

    Examples
    --------
    >>> t = pd.DataFrame({"dimension": ["fun", "knowledge"], "share": [0.2, 0.6], "n": [10, 10],
    ...                   "ci_low": [0.05, 0.3], "ci_high": [0.5, 0.85]})
    >>> fig = ranking(t, "dimension", highlight=["knowledge"])
    >>> list(fig.data[0].y), list(fig.data[1].y)
    (['fun'], ['knowledge'])
    """
    _need(table, [by, "share", "ci_low", "ci_high"], "ranking")
    t = table.sort_values("share", ascending=True, kind="stable")
    mark = t[by].isin(list(highlight)).to_numpy()
    fig = go.Figure()
    for sel, name, colour in ((~mark, "other", PALETTE[0]), (mark, highlight_name, PALETTE[3])):
        part = t[sel]
        if not len(part):
            continue
        fig.add_trace(go.Scatter(
            x=part["share"], y=part[by].astype(str), mode="markers", name=name,
            marker=dict(color=colour, size=9),
            customdata=part["n"] if "n" in part else None,
            hovertemplate="%{y}: %{x:.2f} (n = %{customdata})<extra></extra>",
            error_x=dict(type="data", symmetric=False, array=part["ci_high"] - part["share"],
                         arrayminus=part["share"] - part["ci_low"], color=colour,
                         thickness=1.5)))
    fig.update_yaxes(categoryorder="array", categoryarray=t[by].astype(str).tolist())
    return finish(fig, title or f"Share by {by}, ranked, with 95% intervals",
                  140 + 30 * len(t), xaxis=dict(range=[-0.02, 1.02], title="share"))


def awareness(table: pd.DataFrame, reference: Mapping[str, Any] | None = None,
              level: float = 0.95, title: str = "Who knows about the event") -> go.Figure:
    """Shares of residents informed of the event and saying they know of it, by day (mean and
    t-interval over ``seed`` replicates when the table stacks them), with hallucinated
    claims; ``reference`` adds published first- and last-day values.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`socialkit.scenarios.town_outcomes` (``day``, ``share_informed``,
        ``share_aware``, ``share_hallucinated``), optionally stacked with a ``seed`` column.
    reference : dict, optional
        ``{"days": [0, 2], "aware": [0.04, 0.52]}``: published values to mark.
    level : float

    Examples
    --------
    >>> t = pd.DataFrame({"day": [0, 1, 2], "share_informed": [0.25, 0.5, 0.75],
    ...                   "share_aware": [None, 0.5, 1.0], "share_hallucinated": [None, 0, 0.25]})
    >>> [d.name for d in awareness(t, {"days": [0, 2], "aware": [0.04, 0.52]}).data]
    ['informed (heard of it)', 'say they know', 'hallucinated claims', 'published: aware']
    """
    _need(table, ["day", "share_informed", "share_aware"], "awareness")
    t = table.copy()
    if "share_hallucinated" not in t:
        t["share_hallucinated"] = np.nan
    fig = go.Figure()
    series = (("share_informed", "informed (heard of it)", PALETTE[2], "dash"),
              ("share_aware", "say they know", PALETTE[0], "solid"),
              ("share_hallucinated", "hallucinated claims", PALETTE[3], "dot"))
    for col, name, colour, dash in series:
        g = t.groupby("day")[col]
        mean, sd, n = g.mean(), g.std(), g.count()
        half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
        half = half.where(n > 1)
        days = mean.index.to_numpy()
        keep = mean.notna().to_numpy()
        if not keep.any():
            continue
        if half.notna().any():
            lo, hi = (mean - half).clip(0, 1)[keep], (mean + half).clip(0, 1)[keep]
            fig.add_trace(go.Scatter(x=np.r_[days[keep], days[keep][::-1]],
                                     y=np.r_[hi, lo[::-1]], fill="toself", mode="none",
                                     fillcolor=rgba(colour, 0.18), showlegend=False,
                                     hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=days[keep], y=mean[keep], mode="lines+markers", name=name,
                                 line=dict(color=colour, dash=dash)))
    if reference:
        fig.add_trace(go.Scatter(x=list(reference["days"]), y=list(reference["aware"]),
                                 mode="markers", name="published: aware",
                                 marker=dict(symbol="diamond-open", size=12, color="black",
                                             line=dict(width=2))))
    reps = t["seed"].nunique() if "seed" in t else 1
    sub = f"<br><sup>mean of {reps} runs with {level:.0%} intervals</sup>" if reps > 1 else ""
    return finish(fig, title + sub, 380,
                  xaxis=dict(title="day (0: before the first)", dtick=1),
                  yaxis=dict(title="share of residents", range=[-0.02, 1.02]))
