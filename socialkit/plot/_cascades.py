"""Figures of spreading on a social feed: cascade CCDFs, propagation curves real against
simulated, the follow network at a step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from socialkit.plot._style import PALETTE, TEMPLATE
from socialkit.validation.spread import ccdf

__all__ = ["cascade_ccdf", "propagation", "follow_network"]

_LABELS = {"size": "cascade size", "depth": "depth", "max_breadth": "maximum breadth",
           "structural_virality": "structural virality", "duration": "duration",
           "time_to_half": "time to half size"}


def _named(data: Any, what: str) -> dict[str, Any]:
    if isinstance(data, Mapping):
        if not data:
            raise ValueError(f"{what}: give at least one sample")
        return {str(k): v for k, v in data.items()}
    return {"simulated": data}


def cascade_ccdf(data: Any, measures: Sequence[str] | str = ("size", "depth",
                                                             "structural_virality"),
                 *, title: str | None = None) -> go.Figure:
    """CCDFs ``P(X >= x)`` of cascade measures on log-log axes, one panel per measure and one
    line per sample (e.g. ``{"Higgs (real)": real, "simulated": sim}``, tables from
    :func:`socialkit.network.cascades`; a Series or array is one measure's sample).

    Examples
    --------
    >>> real = pd.DataFrame({"size": [2, 2, 3, 40], "depth": [1, 1, 1, 3]})
    >>> sim = pd.DataFrame({"size": [2, 5, 9], "depth": [1, 2, 2]})
    >>> fig = cascade_ccdf({"real": real, "simulated": sim}, ["size", "depth"])
    >>> [t.name for t in fig.data], fig.layout.xaxis.type
    (['real', 'simulated', 'real', 'simulated'], 'log')
    """
    samples = _named(data, "cascade_ccdf")
    if isinstance(measures, str):
        measures = [measures]
    measures = list(measures)
    fig = make_subplots(rows=1, cols=len(measures), horizontal_spacing=0.08,
                        subplot_titles=[_LABELS.get(m, m) for m in measures])
    for j, m in enumerate(measures, start=1):
        for i, (name, s) in enumerate(samples.items()):
            if isinstance(s, pd.DataFrame):
                if m not in s.columns:
                    raise ValueError(f"cascade_ccdf: sample {name!r} has no column {m!r}")
                values = s[m]
            else:
                values = s
            c = ccdf(values)
            c = c[c["x"] > 0]
            fig.add_trace(go.Scatter(x=c["x"], y=c["p"], mode="lines+markers", name=name,
                                     legendgroup=name, showlegend=j == 1,
                                     line={"color": PALETTE[i % len(PALETTE)], "shape": "hv"},
                                     marker={"size": 4}), row=1, col=j)
        fig.update_xaxes(type="log", title_text=_LABELS.get(m, m), row=1, col=j)
        fig.update_yaxes(type="log", row=1, col=j)
    fig.update_yaxes(title_text="P(X ≥ x)", row=1, col=1)
    fig.update_layout(template=TEMPLATE, title=title or "Cascades: complementary CDFs",
                      height=360, width=max(420, 330 * len(measures)))
    return fig


def propagation(simulated: Any, real: Any = None, *, column: str | None = None,
                normalize: str | None = "final", real_name: str = "real",
                time_label: str = "time (share of the observed period)",
                title: str | None = None) -> go.Figure:
    """Propagation curves (cumulative distinct adopters) on a shared relative time axis: each
    curve's first and last times map to 0 and 1, as :func:`socialkit.validation.compare_curves`
    compares them; with ``normalize="final"``, shares of each curve's final count.

    ``simulated`` is one curve (a :func:`socialkit.network.propagation_curve` table, a Series
    indexed by time) or a dict of named curves (seeds, conditions).

    Examples
    --------
    >>> real = pd.DataFrame({"time": [1., 2., 3.], "adopters": [1., 5., 6.]})
    >>> fig = propagation({"seed 1": real, "seed 2": real}, real)
    >>> [t.name for t in fig.data]
    ['real', 'seed 1', 'seed 2']
    """
    from socialkit.validation.spread import _series

    curves = _named(simulated, "propagation")

    def xy(c: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
        s = _series(c, name, column)
        t = np.asarray(s.index, np.float64)
        u = (t - t[0]) / (t[-1] - t[0]) if t[-1] > t[0] else np.zeros_like(t)
        v = s.to_numpy()
        if normalize == "final":
            v = v / v[-1]
        elif normalize == "max":
            v = v / np.nanmax(v)
        return u, v

    fig = go.Figure()
    if real is not None:
        u, v = xy(real, "real")
        fig.add_trace(go.Scatter(x=u, y=v, name=real_name, mode="lines",
                                 line={"color": "black", "width": 3}))
    for i, (name, c) in enumerate(curves.items()):
        u, v = xy(c, name)
        fig.add_trace(go.Scatter(x=u, y=v, name=name, mode="lines+markers",
                                 marker={"size": 4},
                                 line={"color": PALETTE[i % len(PALETTE)]}))
    fig.update_layout(template=TEMPLATE, title=title or "Propagation: cumulative adopters",
                      xaxis_title=time_label,
                      yaxis_title="share of final adopters" if normalize == "final"
                      else "adopters", height=380, width=620)
    return fig


def follow_network(data: Any, step: int | None = None, *, color: str = "posts",
                   size: str = "followers", max_nodes: int = 400, seed: int = 0,
                   title: str | None = None) -> go.Figure:
    """The follow network of a feed run at a step (or a follow graph), nodes coloured by
    activity and sized by followers (see :func:`socialkit.network.follow_network`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([(0, 1), (0, 2)])
    >>> nx.set_node_attributes(G, {0: 2, 1: 1, 2: 1}, "followers")
    >>> nx.set_node_attributes(G, 0, "posts")
    >>> follow_network(G).layout.title.text
    'Follow network'
    """
    import networkx as nx

    from socialkit.network.follow import follow_network as build
    from socialkit.plot._graph import network

    G = data if isinstance(data, nx.DiGraph) else build(data, step)
    if title is None:
        title = "Follow network" + (f" at step {G.graph['step']}" if "step" in G.graph else "")
    return network(G, color=color, size=size, max_nodes=max_nodes, seed=seed, title=title)
