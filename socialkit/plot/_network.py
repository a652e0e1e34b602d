"""Figures of networks."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from socialkit.network import friendship_paradox as _fp
from socialkit.network import neighbor_means
from socialkit.plot._style import PALETTE, TEMPLATE

__all__ = ["friendship_paradox"]


def friendship_paradox(G, max_points: int = 20000, seed: int = 0,
                       name: str | None = None) -> go.Figure:
    """Each node's degree against its neighbours' mean degree (log axes), with the diagonal.

    Points above the diagonal are nodes whose friends have more friends than they do.

    Examples
    --------
    >>> import socialkit as sk
    >>> fig = friendship_paradox(sk.network.barabasi_albert(300, 2, seed=0))
    >>> fig.layout.xaxis.type
    'log'
    """
    stats = _fp(G)
    per_node = neighbor_means(G).dropna(subset=["neighbor_mean"])
    d, local = per_node["degree"].to_numpy(), per_node["neighbor_mean"].to_numpy()
    if len(d) > max_points:
        keep = np.random.default_rng(seed).choice(len(d), max_points, replace=False)
        d, local = d[keep], local[keep]
    label = name or G.graph.get("name") or "graph"
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=d, y=local, mode="markers", name="nodes",
                               marker=dict(size=4, color=PALETTE[0], opacity=0.35)))
    top = max(d.max(), local.max())
    fig.add_trace(go.Scatter(x=[1, top], y=[1, top], mode="lines", name="own degree = friends'",
                             line=dict(color="#444", dash="dash")))
    fig.update_layout(
        template=TEMPLATE, height=420, xaxis_type="log", yaxis_type="log",
        xaxis_title="degree", yaxis_title="neighbours' mean degree",
        title=(f"Friendship paradox in {label}: {stats.paradox_share:.0%} of nodes have "
               f"better-connected friends"))
    return fig
