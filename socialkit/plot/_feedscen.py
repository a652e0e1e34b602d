"""Figures of two feed scenarios: a clone's simulated spread against the real one (infections
per layer, bands over trials), and the friendship paradoxes of a formed follow network over
time against a real network's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from socialkit.plot._style import PALETTE, TEMPLATE

__all__ = ["clone_spread", "paradox_emergence"]


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)}, {alpha})"


def clone_spread(layers: pd.DataFrame, reference: pd.DataFrame | None = None, *,
                 level: float = 0.68, traces: int = 40, title: str | None = None) -> go.Figure:
    """Infections per layer of a clone's trials against the real spread, one panel per source
    (as Puri et al. 2024 show them): thin grey lines for trials (up to ``traces`` each), the
    ``level`` percentile band over trials, the median (dashed), and the real infections per
    layer (black).

    Parameters
    ----------
    layers : DataFrame
        :func:`socialkit.scenarios.clone_layers` (``source, trial, layer, infections``).
    reference : DataFrame, optional
        :func:`socialkit.scenarios.clone_reference` (``source, measure, real``; rows
        ``"layer k"`` are drawn).
    level : float
    traces : int
    title : str, optional

    Examples
    --------
    >>> lay = pd.DataFrame({"source": 7, "trial": [0, 0, 1, 1], "layer": [1, 2, 1, 2],
    ...                     "infections": [3, 1, 5, 0]})
    >>> ref = pd.DataFrame({"source": 7, "measure": ["layer 1", "layer 2"], "real": [4., 2.]})
    >>> fig = clone_spread(lay, ref)
    >>> [t.name for t in fig.data if t.showlegend is not False]
    ['trials', '68% of trials', 'median of trials', 'real']
    """
    need = {"source", "trial", "layer", "infections"}
    if not isinstance(layers, pd.DataFrame) or not need <= set(layers.columns):
        raise ValueError(f"clone_spread: layers must be a table with columns {sorted(need)} "
                         "(socialkit.scenarios.clone_layers)")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError(f"clone_spread level must be in (0, 1), got {level!r}")
    sources = layers["source"].unique().tolist()
    fig = make_subplots(rows=1, cols=len(sources), horizontal_spacing=0.07,
                        subplot_titles=[f"source {s}" for s in sources])
    lo, hi = (1 - level) / 2, (1 + level) / 2
    color = PALETTE[0]
    for j, s in enumerate(sources, start=1):
        d = layers[layers["source"] == s]
        first = j == 1
        for k, (_, t) in enumerate(d.groupby("trial", sort=True)):
            if k >= traces:
                break
            t = t.sort_values("layer")
            fig.add_trace(go.Scatter(x=t["layer"], y=t["infections"], mode="lines",
                                     line={"color": "rgba(128,128,128,0.25)", "width": 1},
                                     name="trials", legendgroup="trials",
                                     showlegend=first and k == 0, hoverinfo="skip"),
                          row=1, col=j)
        g = d.groupby("layer")["infections"]
        q = pd.DataFrame({"low": g.quantile(lo), "high": g.quantile(hi),
                          "median": g.median()}).sort_index()
        x = q.index.to_numpy()
        fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                                 y=np.concatenate([q["high"], q["low"][::-1]]),
                                 fill="toself", fillcolor=_rgba(color, 0.25), mode="lines",
                                 line={"width": 0}, name=f"{level:.0%} of trials",
                                 legendgroup="band", showlegend=first, hoverinfo="skip"),
                      row=1, col=j)
        fig.add_trace(go.Scatter(x=x, y=q["median"], mode="lines+markers",
                                 line={"color": color, "dash": "dash"}, marker={"size": 5},
                                 name="median of trials", legendgroup="median",
                                 showlegend=first), row=1, col=j)
        if reference is not None:
            r = reference[(reference["source"] == s)
                          & reference["measure"].astype(str).str.startswith("layer ")]
            if len(r):
                rx = r["measure"].str.slice(6).astype(int).to_numpy()
                order = np.argsort(rx)
                fig.add_trace(go.Scatter(x=rx[order], y=r["real"].to_numpy()[order],
                                         mode="lines+markers", name="real",
                                         legendgroup="real", showlegend=first,
                                         line={"color": "black", "width": 2.5},
                                         marker={"size": 6}), row=1, col=j)
        fig.update_xaxes(title_text="infection layer", dtick=1, row=1, col=j)
    fig.update_yaxes(title_text="infections", row=1, col=1)
    fig.update_layout(template=TEMPLATE, height=380, width=max(460, 340 * len(sources)),
                      title=title or "Simulated spread per layer against the real spread")
    return fig


_NAMES = {"followers": "followers (FP)", "followees": "followees",
          "posts": "activity: posts (GFP)", "likes_received": "influence: likes (GFP)"}


def paradox_emergence(table: pd.DataFrame, real: pd.DataFrame | None = None, *,
                      stratum: str = "all", title: str | None = None) -> go.Figure:
    """The share of agents for whom each friendship paradox holds, step by step (a
    :func:`socialkit.scenarios.paradox_by_step` table), with its bootstrap interval, the
    configuration-model null (dotted) and, dashed, a real network's share
    (:func:`socialkit.scenarios.higgs_paradox`); one panel per attribute.

    Examples
    --------
    >>> t = pd.DataFrame({"step": [1, 2], "attribute": "followers", "stratum": "all",
    ...                   "paradox_share": [0.6, 0.8], "ci_low": [0.5, 0.7],
    ...                   "ci_high": [0.7, 0.9], "null_share": [0.6, 0.7]})
    >>> [tr.name for tr in paradox_emergence(t).data]
    ['simulated', 'simulated', 'null']
    """
    need = {"step", "attribute", "stratum", "paradox_share"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"paradox_emergence: table needs columns {sorted(need)} "
                         "(socialkit.scenarios.paradox_by_step)")
    t = table[table["stratum"] == stratum]
    if not len(t):
        raise ValueError(f"paradox_emergence: no rows of stratum {stratum!r}")
    attrs = t["attribute"].unique().tolist()
    fig = make_subplots(rows=1, cols=len(attrs), horizontal_spacing=0.06,
                        subplot_titles=[_NAMES.get(a, a) for a in attrs], shared_yaxes=True)
    color = PALETTE[0]
    for j, a in enumerate(attrs, start=1):
        d = t[t["attribute"] == a].sort_values("step")
        first = j == 1
        x = d["step"].to_numpy()
        if {"ci_low", "ci_high"} <= set(d.columns) and d["ci_low"].notna().any():
            fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                                     y=np.concatenate([d["ci_high"], d["ci_low"][::-1]]),
                                     fill="toself", fillcolor=_rgba(color, 0.2), mode="lines",
                                     line={"width": 0}, name="simulated",
                                     legendgroup="sim", showlegend=False, hoverinfo="skip"),
                          row=1, col=j)
        fig.add_trace(go.Scatter(x=x, y=d["paradox_share"], mode="lines+markers",
                                 line={"color": color}, name="simulated", legendgroup="sim",
                                 showlegend=first), row=1, col=j)
        if "null_share" in d.columns and d["null_share"].notna().any():
            fig.add_trace(go.Scatter(x=x, y=d["null_share"], mode="lines",
                                     line={"color": PALETTE[1], "dash": "dot"}, name="null",
                                     legendgroup="null", showlegend=first), row=1, col=j)
        if real is not None:
            r = real[(real["attribute"] == a) & (real["stratum"] == stratum)]
            if len(r) and len(x):
                y = float(r["paradox_share"].iloc[0])
                name = str(r["network"].iloc[0]) if "network" in r.columns else "real"
                fig.add_trace(go.Scatter(x=[x.min(), x.max()], y=[y, y], mode="lines",
                                         line={"color": "black", "dash": "dash"},
                                         name=name, legendgroup="real", showlegend=first),
                              row=1, col=j)
        fig.update_xaxes(title_text="step", row=1, col=j)
    fig.update_yaxes(title_text="share of agents", range=[0, 1.02], row=1, col=1)
    fig.update_layout(template=TEMPLATE, height=360, width=max(460, 280 * len(attrs)),
                      title=title or "Friendship paradoxes of the formed follow network")
    return fig
