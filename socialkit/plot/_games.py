"""Figures of cooperation games: the commons' stock per run with collapses marked, survival
curves, resources per generation of the donor game, and conditional cooperation of people and
agents."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.plot._style import finish, log_axis, palette, rgba
from socialkit.run import Run

__all__ = ["commons_stock", "survival", "generations", "conditional_cooperation"]


def _groups(runs: Any, what: str) -> dict[str, list]:
    if isinstance(runs, Run | pd.DataFrame):
        return {"": [runs]}
    if isinstance(runs, Mapping):
        out = {str(k): [v] if isinstance(v, Run | pd.DataFrame) else list(v)
               for k, v in runs.items()}
    else:
        out = {"": list(runs)}
    if not out or any(not v for v in out.values()):
        raise ValueError(f"{what}: give a run, a list of runs or a dict of label -> runs "
                         "(none may be empty)")
    return out


def commons_stock(runs: Any, title: str | None = None) -> go.Figure:
    """The stock of commons runs month by month (after each month's regrowth; month 0 is the
    start), one line per run, coloured by condition; a collapse is marked with a cross at the
    stock left after that month's harvest. Dotted lines: the capacity and the collapse
    threshold.

    Parameters
    ----------
    runs : Run, list of Run, or dict of condition -> Run or list of Run
        Runs of :func:`socialkit.scenarios.commons`.

    Examples
    --------
    >>> import socialkit as sk
    >>> rule = lambda t: sk.agents.RulePolicy(lambda ctx: {"action": "fish", "tons": t})
    >>> runs = {"10 each": sk.scenarios.commons(policy=rule(10), discussion=False,
    ...                                         progress=False),
    ...         "12 each": sk.scenarios.commons(policy=rule(12), discussion=False,
    ...                                         progress=False)}
    >>> fig = sk.plot.commons_stock(runs)
    >>> [t.name for t in fig.data]
    ['10 each', '12 each', 'collapse']
    >>> list(fig.data[-1].x), list(fig.data[-1].y)
    ([3], [0.0])
    """
    groups = _groups(runs, "commons_stock")
    fig = go.Figure()
    xs, ys, texts = [], [], []
    top = below = None
    last = 1
    for colour, (label, rs) in zip(palette(len(groups)), groups.items(), strict=True):
        for i, r in enumerate(rs):
            if not isinstance(r, Run) or "commons.stock" not in r.measures():
                raise ValueError("commons_stock: every run must be a commons run "
                                 "(sk.scenarios.commons)")
            m = r.measures()
            months = m.index.to_numpy()
            last = max(last, int(months.max()) if len(months) else 1)
            stock = m["commons.stock"].to_numpy(dtype=float).copy()
            hit = np.flatnonzero(m["commons.collapsed"].to_numpy() > 0)
            if len(hit):
                k = hit[0]
                stock[k] = float(m["commons.after"].iloc[k])
                months, stock = months[:k + 1], stock[:k + 1]
                xs.append(int(months[-1]))
                ys.append(float(stock[-1]))
                texts.append(f"{label or 'run'} seed {r.seed}: collapse in month "
                             f"{int(months[-1])}")
            fig.add_trace(go.Scatter(x=months, y=stock, mode="lines+markers",
                                     line=dict(color=colour, width=1.6),
                                     marker=dict(size=4), opacity=0.8,
                                     name=label or "runs", legendgroup=label,
                                     showlegend=i == 0,
                                     hovertemplate=f"{label} seed {r.seed}<br>month %{{x}}: "
                                                   "%{y}<extra></extra>"))
            top = float(r.params.get("stock", 100.0))
            below = float(r.params.get("collapse_below", 5.0))
    if xs:
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name="collapse", text=texts,
                                 marker=dict(symbol="x", size=11, color="#000000"),
                                 hovertemplate="%{text}<extra></extra>"))
    for y, what in ((top, "capacity"), (below, "collapse threshold")):
        if y is not None:
            fig.add_hline(y=y, line=dict(dash="dot", width=1, color="#777777"),
                          annotation_text=what, annotation_position="top left")
    return finish(fig, title or "stock at the end of each month (x: collapse)", height=420,
                  xaxis_title="month", yaxis_title="stock",
                  xaxis_tick0=0, xaxis_dtick=max(1, math.ceil(last / 12)),  # whole months
                  yaxis_range=[-3, (top or 100) * 1.08])


def survival(curve: pd.DataFrame, by: str | None = None, title: str | None = None
             ) -> go.Figure:
    """Kaplan-Meier survival curves of the commons: the share of runs whose resource survives
    past each month, as steps with their interval band.

    Parameters
    ----------
    curve : DataFrame
        :func:`socialkit.scenarios.survival_curve` (or a
        :func:`socialkit.scenarios.commons_table`, turned into one).
    by : str, optional
        The column that separates the curves (default: ``condition`` when present).

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> table = pd.DataFrame({"condition": ["a"] * 3, "survival_time": [2, 12, 12],
    ...                       "collapsed": [True, False, False]})
    >>> fig = sk.plot.survival(table)
    >>> [t.name for t in fig.data], [round(float(v), 3) for v in fig.data[1].y]
    (['a (95% interval)', 'a'], [1.0, 0.667, 0.667])
    """
    if not isinstance(curve, pd.DataFrame):
        raise TypeError("survival: give the DataFrame of sk.scenarios.survival_curve (or of "
                        "commons_table)")
    if "survival" not in curve.columns:
        from socialkit.scenarios import survival_curve

        if by is None and "condition" in curve.columns:
            by = "condition"
        curve = survival_curve(curve, by=by)
    if by is None and "condition" in curve.columns:
        by = "condition"
    groups = list(curve.groupby(by, sort=False)) if by is not None else [("", curve)]
    fig = go.Figure()
    for colour, (label, g) in zip(palette(len(groups)), groups, strict=True):
        x = g["time"].to_numpy(dtype=float)
        name = str(label) or "runs"
        xs, hi = _steps(x, g["upper"].to_numpy(dtype=float))
        _, lo = _steps(x, g["lower"].to_numpy(dtype=float))
        fig.add_trace(go.Scatter(x=np.concatenate([xs, xs[::-1]]),
                                 y=np.concatenate([hi, lo[::-1]]), mode="lines",
                                 fill="toself", line=dict(width=0),
                                 fillcolor=rgba(colour, 0.18), hoverinfo="skip",
                                 name=f"{name} (95% interval)", legendgroup=name,
                                 showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=g["survival"], mode="lines", line_shape="hv",
                                 line=dict(color=colour, width=2.4), name=name,
                                 legendgroup=name))
    return finish(fig, title or "share of runs whose resource survives (Kaplan-Meier)",
                  height=400, xaxis_title="month", yaxis_title="surviving share",
                  yaxis_range=[-0.02, 1.05])


def _steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners of a right-continuous step function through (x, y)."""
    if len(x) < 2:
        return x, y
    xs = np.repeat(x, 2)[1:]
    ys = np.repeat(y, 2)[:-1]
    return xs, ys


def generations(summaries: Any, title: str | None = None, log: bool | None = None
                ) -> go.Figure:
    """Mean resources at the end of each generation of the donor game: one thin line per seed,
    a thick line for the mean over seeds, per condition (e.g. model, punishment).

    Parameters
    ----------
    summaries : Run, DataFrame, list, or dict of condition -> list
        Donor-game runs or their :func:`socialkit.scenarios.donor_summary` tables.
    log : bool, optional
        A log y axis (default: when the values span more than a factor 50).

    Examples
    --------
    >>> import socialkit as sk
    >>> run = sk.scenarios.donor_game(policy=sk.env.DonorGame.rule(50), agents=4, rounds=2,
    ...                               generations=3, progress=False)
    >>> fig = sk.plot.generations({"give half": [run]})
    >>> fig.data[-1].name, fig.data[-1].y.tolist()
    ('give half', [22.5, 22.5, 22.5])
    """
    from socialkit.scenarios import donor_summary

    groups = _groups(summaries, "generations")
    fig = go.Figure()
    lo, hi = np.inf, -np.inf
    for colour, (label, items) in zip(palette(len(groups)), groups.items(), strict=True):
        tables = [donor_summary(x) if isinstance(x, Run) else x for x in items]
        wide = pd.concat([t.set_index("generation")["resources"].rename(k)
                          for k, t in enumerate(tables)], axis=1)
        name = label or "mean"
        if len(tables) > 1:
            for k in wide.columns:
                fig.add_trace(go.Scatter(x=wide.index, y=wide[k], mode="lines",
                                         line=dict(color=rgba(colour, 0.35), width=1),
                                         legendgroup=name, showlegend=False,
                                         hovertemplate=f"{name}, run {k}: %{{y:.4g}}"
                                                       "<extra></extra>"))
        mean = wide.mean(axis=1)
        fig.add_trace(go.Scatter(x=wide.index, y=mean, mode="lines+markers", name=name,
                                 legendgroup=name, line=dict(color=colour, width=2.6)))
        vals = wide.to_numpy(dtype=float)
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if len(vals):
            lo, hi = min(lo, vals.min()), max(hi, vals.max())
    if log is None:
        log = bool(np.isfinite(lo) and hi / lo > 50)
    extra = {"yaxis": log_axis(lo, hi)} if log and np.isfinite(lo) else {}
    return finish(fig, title or "mean resources at the end of each generation", height=400,
                  xaxis_title="generation", yaxis_title="resources", xaxis_dtick=1, **extra)


def conditional_cooperation(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cooperation of people and agents side by side: bars for the overall rate, first-round
    cooperation and P(C | own and partner's previous move), with 95% intervals.

    Parameters
    ----------
    table : DataFrame
        :func:`socialkit.validation.compare_cooperation` (columns ``who``, ``measure``,
        ``value``, ``lower``, ``upper``, ``n``).

    Examples
    --------
    >>> import socialkit as sk
    >>> df = sk.datasets.load("ipd_nay_vorobeychik_2016")
    >>> t = sk.validation.compare_cooperation(humans=df)
    >>> fig = sk.plot.conditional_cooperation(t)
    >>> fig.data[0].name, [round(float(v), 3) for v in fig.data[0].y]
    ('humans', [0.449, 0.459, 0.916, 0.403, 0.292, 0.067])
    """
    need = {"who", "measure", "value", "lower", "upper", "n"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError("conditional_cooperation: give the table of "
                         "sk.validation.compare_cooperation")
    labels = {"overall": "overall", "first_round": "first round"}
    fig = go.Figure()
    whos = list(dict.fromkeys(table["who"]))
    for colour, who in zip(palette(len(whos)), whos, strict=True):
        g = table[table["who"] == who]
        y = g["value"].to_numpy(dtype=float)
        fig.add_trace(go.Bar(
            x=[labels.get(m, m) for m in g["measure"]], y=y, name=str(who),
            marker_color=colour, text=[f"{v:.2f}" if np.isfinite(v) else "n/a" for v in y],
            textposition="outside",
            customdata=np.stack([g["n"].to_numpy()], axis=1),
            hovertemplate=f"{who}<br>%{{x}}: %{{y:.3f}} (n = %{{customdata[0]}})"
                          "<extra></extra>",
            error_y=dict(type="data", symmetric=False, array=g["upper"].to_numpy() - y,
                         arrayminus=y - g["lower"].to_numpy(), thickness=1.2, width=3)))
    return finish(fig, title or "cooperation in the repeated prisoner's dilemma "
                  "(CD: I cooperated, my partner defected)", height=420, barmode="group",
                  yaxis_title="share cooperating", yaxis_range=[0, 1.12])
