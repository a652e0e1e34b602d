"""Figures of networks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from socialkit.network import friendship_paradox as _fp
from socialkit.network import neighbor_means
from socialkit.plot._style import PALETTE, TEMPLATE, finish, log_axis

__all__ = ["friendship_paradox"]


def _points(G, max_points, seed, directed):
    stats = _fp(G, directed=directed)
    per_node = neighbor_means(G, directed=directed).dropna(subset=["neighbor_mean"])
    d, local = per_node["degree"].to_numpy(), per_node["neighbor_mean"].to_numpy()
    if len(d) > max_points:
        keep = np.random.default_rng(seed).choice(len(d), max_points, replace=False)
        d, local = d[keep], local[keep]
    return stats, d, local


def friendship_paradox(G, max_points: int = 20000, seed: int = 0, name: str | None = None,
                       directed: str = "error") -> go.Figure:
    """Each node's degree against its neighbours' mean degree (log axes), with the diagonal.

    Points above the diagonal are nodes whose friends have more friends than they do. Pass a
    mapping ``{label: graph}`` to draw several graphs side by side (one panel each).

    Parameters
    ----------
    G : networkx.Graph or mapping of label -> graph
    max_points : int
        Nodes drawn per panel (a seeded random subset beyond this).
    seed : int
        Seed of that subset.
    name : str, optional
        Label of a single graph (default ``G.graph["name"]``).
    directed : {"error", "symmetrize"}
        See :func:`socialkit.network.friendship_paradox`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> fig = friendship_paradox(sk.network.barabasi_albert(300, 2, seed=0))
    >>> fig.layout.xaxis.type
    'log'
    >>> fig = friendship_paradox({"BA": sk.network.barabasi_albert(300, 2, seed=0),
    ...                           "WS": sk.network.watts_strogatz(300, 4, 0.1, seed=0)})
    >>> [a.text.split(":")[0] for a in fig.layout.annotations]
    ['BA', 'WS']
    """
    if isinstance(G, Mapping):
        return _side_by_side(dict(G), max_points, seed, directed)
    stats, d, local = _points(G, max_points, seed, directed)
    label = name or G.graph.get("name") or "graph"
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=d, y=local, mode="markers", name="nodes",
                               marker=dict(size=4, color=PALETTE[0], opacity=0.35)))
    top = max(d.max(), local.max())
    fig.add_trace(go.Scatter(x=[1, top], y=[1, top], mode="lines", name="own degree = friends'",
                             line=dict(color="#444", dash="dash")))
    # two short title lines, left-aligned, stay clear of the modebar; ticks are plain numbers
    return finish(fig, f"Friendship paradox in {label}<br><sup>{stats.paradox_share:.0%} of "
                  "nodes have better-connected friends</sup>", 420,
                  xaxis=dict(log_axis(1, top), title="degree"),
                  yaxis=dict(log_axis(1, top), title="neighbours' mean degree"))


def _side_by_side(graphs: dict, max_points: int, seed: int, directed: str) -> go.Figure:
    if not graphs:
        raise ValueError("friendship_paradox: the mapping of graphs is empty")
    panels = [(str(k), *_points(g, max_points, seed, directed)) for k, g in graphs.items()]
    titles = [f"{label}: {s.paradox_share:.1%} in paradox<br>mean degree {s.mean_degree:.1f}, "
              f"friends' {s.mean_local_neighbor_degree:.1f}" for label, s, _, _ in panels]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=titles,
                        horizontal_spacing=0.08)
    for i, (label, _s, d, local) in enumerate(panels, start=1):
        top = max(d.max(), local.max())
        fig.add_trace(go.Scattergl(x=d, y=local, mode="markers", name=label,
                                   marker=dict(size=4, color=PALETTE[(i - 1) % len(PALETTE)],
                                               opacity=0.35)), row=1, col=i)
        fig.add_trace(go.Scatter(x=[1, top], y=[1, top], mode="lines", showlegend=i == 1,
                                 name="own degree = friends'",
                                 line=dict(color="#444", dash="dash")), row=1, col=i)
        fig.update_xaxes(log_axis(1, top), title_text="degree", row=1, col=i)
        fig.update_yaxes(log_axis(1, top),
                         title_text="neighbours' mean degree" if i == 1 else None, row=1, col=i)
    fig.update_layout(template=TEMPLATE, height=440, width=max(480, 420 * len(panels)),
                      title="Friendship paradox: degree vs neighbours' mean degree",
                      margin=dict(t=110))
    return fig
