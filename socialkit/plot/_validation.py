"""Figures of a validation report: spread and location per question, shares, associations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from socialkit.plot._style import PALETTE, TEMPLATE

__all__ = ["validation"]

_SIM, _REAL, _FLAG = PALETTE[0], PALETTE[1], PALETTE[3]


def validation(report, kind: str = "summary", question: str | None = None) -> go.Figure:
    """A figure of a :class:`socialkit.validation.ValidationReport`.

    Parameters
    ----------
    report : ValidationReport
    kind : {"summary", "shares", "association"}
        ``"summary"``: one row per question and group with representativeness, the SD ratio and
        its interval (rows whose interval excludes 1 in vermillion), and the mean difference with
        its TOST interval and margin when a margin was given. ``"shares"``: simulated and real
        answer shares of one question, one panel per group. ``"association"``: each
        covariate-answer association, real against simulated, with the diagonal.
    question : str, optional
        The question of ``kind="shares"`` (default: the first).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> real = sk.datasets.load("anes1996")
    >>> sim = real.assign(selfLR=real["selfLR"].clip(3, 5))
    >>> rep = sk.validate(sim, real, ["selfLR", "vote"], n_boot=200)
    >>> fig = validation(rep)
    >>> [a.text for a in fig.layout.annotations][:2]
    ['Representativeness (1 = same)', 'Spread: SD ratio simulated / real']
    >>> validation(rep, "shares").data[0].name
    'simulated'
    """
    from socialkit.validation.report import ValidationReport

    if not isinstance(report, ValidationReport):
        raise TypeError(f"expected a ValidationReport, got {type(report).__name__}")
    if kind == "summary":
        return _summary(report)
    if kind == "shares":
        return _shares(report, question)
    if kind == "association":
        return _association(report)
    raise ValueError(f"kind must be 'summary', 'shares' or 'association', got {kind!r}")


def _finite(a) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, np.nan)


def _summary(report) -> go.Figure:
    t = report.table
    labels = report.row_labels(t)
    has_tost = "tost_p" in t and t["tost_p"].notna().any()
    titles = ["Representativeness (1 = same)", "Spread: SD ratio simulated / real"]
    if has_tost:
        titles.append(f"Mean difference ({1 - 2 * report.settings.get('alpha', 0.05):.0%} CI)")
    fig = make_subplots(rows=1, cols=len(titles), shared_yaxes=True, subplot_titles=titles,
                        horizontal_spacing=0.04)
    fig.add_trace(go.Scatter(x=_finite(t["representativeness"]), y=labels, mode="markers",
                             marker=dict(color=_SIM, size=9), name="representativeness",
                             showlegend=False), row=1, col=1)
    ratio = _finite(t["variance_ratio"])
    flagged = t["spread"].isin(["less varied", "more varied"]).to_numpy()
    fig.add_trace(go.Scatter(
        x=ratio, y=labels, mode="markers", showlegend=False, name="SD ratio",
        marker=dict(color=np.where(flagged, _FLAG, _SIM).tolist(), size=9),
        error_x=dict(type="data", symmetric=False, color="#777",
                     array=_finite(t["variance_ratio_high"]) - ratio,
                     arrayminus=ratio - _finite(t["variance_ratio_low"])),
        hovertemplate="%{y}: %{x:.2f}<extra></extra>"), row=1, col=2)
    fig.add_vline(x=1, line=dict(color="#444", dash="dot"), row=1, col=2)
    fig.update_xaxes(range=[0, 1.02], row=1, col=1)
    fig.update_xaxes(type="log", row=1, col=2)
    if has_tost:
        d = _finite(t["mean_difference"])
        fig.add_trace(go.Scatter(
            x=d, y=labels, mode="markers", showlegend=False, name="mean difference",
            marker=dict(color=np.where(t["equivalent"].fillna(False).astype(bool), PALETTE[2],
                                       _SIM).tolist(), size=9),
            error_x=dict(type="data", symmetric=False, color="#777",
                         array=_finite(t["tost_high"]) - d,
                         arrayminus=d - _finite(t["tost_low"]))), row=1, col=3)
        lo, hi = zip(*(report.margin(q) or (np.nan, np.nan) for q in t["question"]),
                     strict=True)
        for m in (lo, hi):
            fig.add_trace(go.Scatter(x=list(m), y=labels, mode="markers", showlegend=False,
                                     name="margin", marker=dict(symbol="line-ns-open", size=14,
                                                                color="#444")), row=1, col=3)
        fig.add_vline(x=0, line=dict(color="#bbb"), row=1, col=3)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_layout(template=TEMPLATE, height=140 + 26 * len(t),
                      margin=dict(l=20, r=20, t=60, b=40))
    return fig


def _shares(report, question) -> go.Figure:
    from socialkit.validation.report import group_value

    s = report.shares
    if s.empty:
        raise ValueError("the report has no shares (only numeric questions)")
    qs = list(pd.unique(s["question"]))
    question = qs[0] if question is None else question
    if question not in qs:
        raise ValueError(f"question {question!r} has no shares in this report; choose from {qs}")
    s = s[s["question"] == question]
    by = report.by
    parts = ([((k if isinstance(k, tuple) else (k,)), g)
              for k, g in s.groupby(by if len(by) > 1 else by[0], sort=True)] if by
             else [((), s)])
    cols = min(len(parts), 4)
    rows = -(-len(parts) // cols)
    titles = [", ".join(f"{c}={group_value(v)}" for c, v in zip(by, k, strict=True))
              for k, _ in parts] if by else None
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, shared_yaxes=True)
    for i, (_, part) in enumerate(parts):
        x = [str(o) for o in part["option"]]
        for side, colour in (("simulated", _SIM), ("real", _REAL)):
            fig.add_trace(go.Bar(x=x, y=part[side], name=side, marker_color=colour,
                                 legendgroup=side, showlegend=i == 0),
                          row=i // cols + 1, col=i % cols + 1)
    fig.update_layout(template=TEMPLATE, barmode="group", title=f"Answer shares: {question}",
                      height=320 * rows, yaxis_title="share")
    return fig


def _association(report) -> go.Figure:
    from socialkit.validation.report import group_value

    a = report.association
    if a is None or a.empty:
        raise ValueError("the report has no associations: pass covariates= to validate")
    fig = go.Figure()
    by = report.by
    for i, (measure, part) in enumerate(a.groupby("measure", sort=False)):
        text = [f"{r.covariate} × {r.question}"
                + (" [" + ", ".join(f"{c}={group_value(getattr(r, c))}" for c in by) + "]"
                   if by else "")
                for r in part.itertuples()]
        fig.add_trace(go.Scatter(x=part["real"], y=part["simulated"], mode="markers",
                                 name=measure, text=text, marker=dict(size=9,
                                                                      color=PALETTE[i]),
                                 hovertemplate="%{text}<br>real %{x:.2f}, "
                                               "simulated %{y:.2f}<extra></extra>"))
    lo = min(0.0, float(np.nanmin(a[["real", "simulated"]].to_numpy())))
    fig.add_trace(go.Scatter(x=[lo, 1], y=[lo, 1], mode="lines", name="simulated = real",
                             line=dict(color="#999", dash="dot")))
    fig.update_layout(template=TEMPLATE, title="Pattern correspondence",
                      xaxis_title="real", yaxis_title="simulated")
    return fig
