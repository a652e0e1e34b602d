"""Figures of graphs: the network drawing and the degree distribution."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.plot._layout import layout as _layout
from socialkit.plot._layout import sample_view
from socialkit.plot._style import SEQUENTIAL, finish, log_axis, palette

__all__ = ["network", "degree_distribution"]

_MAX_EDGES = 30_000
_MAX_CATEGORIES = 8


def _check_graph(G) -> None:
    if not isinstance(G, nx.Graph):
        raise TypeError(f"expected a networkx graph, got {type(G).__name__}")


def _node_values(G, spec, what: str) -> pd.Series | None:
    """Values per node from an attribute name, 'degree', or a mapping node -> value."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec == "degree":
            return pd.Series(dict(G.degree()), dtype=float)
        values = pd.Series(dict(G.nodes(data=spec)))
        if values.isna().all():
            known = sorted({k for _, d in G.nodes(data=True) for k in d})
            raise ValueError(f"{what}={spec!r}: no node has this attribute; node attributes: "
                             f"{known}")
        return values
    if isinstance(spec, Mapping | pd.Series):
        values = pd.Series(spec).reindex(list(G))
        if values.isna().all():
            raise ValueError(f"{what}= gives no value to any node of the graph (ids differ)")
        return values
    raise TypeError(f"{what} must be an attribute name, 'degree' or a mapping node -> value, "
                    f"got {type(spec).__name__}")


def _edges(H, pos, seed: int) -> tuple[list, list, int]:
    edges = list(H.edges())
    if len(edges) > _MAX_EDGES:
        keep = np.random.default_rng(seed).choice(len(edges), _MAX_EDGES, replace=False)
        edges = [edges[i] for i in np.sort(keep)]
    xs, ys = [], []
    for u, v in edges:
        xs.extend((pos[u][0], pos[v][0], None))
        ys.extend((pos[u][1], pos[v][1], None))
    return xs, ys, len(edges)


def network(G, color=None, size=None, layout="spring", max_nodes: int = 2000,
            sample: str = "core", seed: int = 0, title: str | None = None) -> go.Figure:
    """Draw a network: nodes coloured and sized by attributes, edges as thin grey lines.

    Graphs with more than ``max_nodes`` nodes are drawn as a sampled view (the title says which).

    Parameters
    ----------
    G : networkx.Graph
    color : str or mapping, optional
        A node attribute, ``"degree"``, or a mapping node -> value (e.g. ``run.final()``).
        Categories get the colour-blind-safe palette and a legend; numbers a colour scale.
    size : str or mapping, optional
        Node size from a numeric attribute, ``"degree"`` or a mapping (area ∝ value).
    layout : str, dict or callable
        See :func:`socialkit.plot.layout`; a dict of positions may cover more nodes than drawn.
    max_nodes : int
        Most nodes drawn.
    sample : {"core", "random", "bfs"}
        How a large graph is sampled (see :func:`socialkit.plot.sample_view`).
    seed : int
        Seed of the layout and of the sample.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> fig = network(G, color="club", size="degree")
    >>> [t.name for t in fig.data]
    ['edges (78)', 'Mr. Hi', 'Officer']
    >>> network(nx.barabasi_albert_graph(300, 2, seed=0), max_nodes=100).layout.title.text
    'Network<br><sup>sampled view: 100 of 300 nodes, breadth-first from the best-connected node within the 2-core</sup>'
    """
    _check_graph(G)
    if G.number_of_nodes() == 0:
        raise ValueError("network: the graph has no nodes (nothing to draw)")
    H, note = sample_view(G, max_nodes, sample, seed)
    pos = _layout(H, layout, seed=seed) if not isinstance(layout, dict) else layout
    missing = [v for v in H if v not in pos]
    if missing:
        raise ValueError(f"layout positions lack {len(missing)} node(s), e.g. {missing[:3]}")
    nodes = list(H)
    x = np.array([pos[v][0] for v in nodes], dtype=float)
    y = np.array([pos[v][1] for v in nodes], dtype=float)
    colours = _node_values(H, color, "color")
    sizes = _node_values(H, size, "size")
    if sizes is not None:
        s = pd.to_numeric(sizes, errors="coerce")
        if s.isna().all():
            raise ValueError("size= must give numbers")
        s = np.sqrt(s.fillna(s.min()).clip(lower=0).to_numpy(dtype=float))
        span = s.max() - s.min()
        marker_size = 5 + 13 * ((s - s.min()) / span if span > 0 else np.zeros_like(s))
    else:
        marker_size = np.full(len(nodes), 7.0 if len(nodes) <= 300 else 4.0)
    fig = go.Figure()
    ex, ey, n_edges = _edges(H, pos, seed)
    shown = f"edges ({n_edges:,}{' sampled' if n_edges < H.number_of_edges() else ''})"
    fig.add_trace(go.Scattergl(x=ex, y=ey, mode="lines", name=shown, hoverinfo="skip",
                               line=dict(width=0.5, color="rgba(120,120,120,0.35)")))
    hover = [str(v) for v in nodes]
    marker = dict(size=marker_size, line=dict(width=0.4, color="white"))
    if colours is None:
        fig.add_trace(go.Scattergl(x=x, y=y, mode="markers", name="nodes", text=hover,
                                   hoverinfo="text", marker=dict(marker, color=palette(1)[0])))
    elif pd.api.types.is_numeric_dtype(colours) and colours.nunique() > _MAX_CATEGORIES:
        c = colours.to_numpy(dtype=float)
        cname = color if isinstance(color, str) else getattr(color, "name", None) or "value"
        fig.data[0].showlegend = False
        fig.add_trace(go.Scattergl(
            x=x, y=y, mode="markers", name=str(cname), showlegend=False,
            text=[f"{v}: {val:.3g}" for v, val in zip(hover, c, strict=True)], hoverinfo="text",
            marker=dict(marker, color=c, colorscale=SEQUENTIAL, showscale=True,
                        colorbar=dict(title=str(cname), thickness=12))))
    else:
        labels = colours.astype("object").where(colours.notna(), "missing")
        cats = list(pd.unique(labels))
        order = G.graph.get("categories", {}).get(color) if isinstance(color, str) else None
        if order:  # the population's category order (e.g. Strong Democrat ... Strong Republican)
            cats = [c for c in order if c in set(cats)] + [c for c in cats if c not in set(order)]
        elif all(isinstance(c, int | float) for c in cats):
            cats = sorted(cats)
        if len(cats) > _MAX_CATEGORIES:
            raise ValueError(f"color= has {len(cats)} categories; at most {_MAX_CATEGORIES} can be "
                             "told apart: merge them, or pass numbers for a colour scale")
        for cat, col in zip(cats, palette(len(cats)), strict=True):
            m = (labels == cat).to_numpy()
            fig.add_trace(go.Scattergl(
                x=x[m], y=y[m], mode="markers", name=str(cat),
                text=[h for h, k in zip(hover, m, strict=True) if k], hoverinfo="text",
                marker=dict(marker, color=col, size=marker_size[m])))
    label = title or G.graph.get("name") or "Network"
    full = f"{label}<br><sup>{note}</sup>" if note else label
    axis = dict(visible=False, showgrid=False, zeroline=False)
    return finish(fig, full, 520, xaxis=axis, yaxis=dict(axis, scaleanchor="x", scaleratio=1),
                  legend_title_text=color if isinstance(color, str) and len(fig.data) > 2
                  and fig.data[1].marker.colorscale is None else None,
                  hovermode="closest")


def degree_distribution(G, kind: str = "ccdf", direction: str = "both") -> go.Figure:
    """The degree distribution on log-log axes: complementary CDF, or log-binned density.

    Parameters
    ----------
    G : networkx.Graph or mapping of label -> graph
        One graph, or several to compare (one line each).
    kind : {"ccdf", "binned"}
        ``"ccdf"``: the share of nodes with degree ≥ k (no binning choices, robust tails);
        ``"binned"``: the density in logarithmic bins.
    direction : {"both", "in", "out", "total"}
        For directed graphs: in- and out-degree (``"both"``), one of them, or the total.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import networkx as nx
    >>> fig = degree_distribution(nx.barabasi_albert_graph(500, 2, seed=0))
    >>> fig.layout.xaxis.type, float(fig.data[0].y[0])
    ('log', 1.0)
    """
    if kind not in ("ccdf", "binned"):
        raise ValueError(f"kind must be 'ccdf' or 'binned', got {kind!r}")
    if direction not in ("both", "in", "out", "total"):
        raise ValueError(f"direction must be 'both', 'in', 'out' or 'total', got {direction!r}")
    graphs = dict(G) if isinstance(G, Mapping) else {G.graph.get("name") or "graph": G}
    if not graphs:
        raise ValueError("degree_distribution: the mapping of graphs is empty")
    series = []
    for label, g in graphs.items():
        _check_graph(g)
        if g.number_of_nodes() == 0:
            raise ValueError(f"degree_distribution: the graph {label!r} has no nodes")
        if g.is_directed() and direction != "total":
            parts = ["in", "out"] if direction == "both" else [direction]
            for p in parts:
                deg = g.in_degree() if p == "in" else g.out_degree()
                series.append((f"{label}, {p}-degree", np.array([d for _, d in deg])))
        else:
            series.append((str(label), np.array([d for _, d in g.degree()])))
    fig = go.Figure()
    lo, hi, ylo = np.inf, 1, 1.0
    for (name, d), col in zip(series, palette(len(series)), strict=True):
        d = d[d > 0]
        if d.size == 0:
            continue
        if kind == "ccdf":
            ks, counts = np.unique(d, return_counts=True)
            y = 1 - np.r_[0, np.cumsum(counts)[:-1]] / d.size
            fig.add_trace(go.Scatter(x=ks, y=y, mode="lines+markers", name=name,
                                     line=dict(color=col, shape="hv", width=1.5),
                                     marker=dict(size=4, color=col)))
        else:
            edges = np.unique(np.round(np.logspace(0, np.log10(d.max() + 1), 25)))
            counts, _ = np.histogram(d, edges)
            dens = counts / np.diff(edges) / d.size
            centres = np.sqrt(edges[:-1] * edges[1:])
            keep = dens > 0
            ks, y = centres[keep], dens[keep]
            fig.add_trace(go.Scatter(x=ks, y=y, mode="lines+markers", name=name,
                                     line=dict(color=col, width=1.5),
                                     marker=dict(size=5, color=col)))
        lo, hi, ylo = min(lo, ks.min()), max(hi, ks.max()), min(ylo, y.min())
    if not fig.data:
        raise ValueError("every node has degree 0: nothing to draw on log axes")
    what = "share of nodes with degree ≥ k" if kind == "ccdf" else "density P(k)"
    return finish(fig, "Degree distribution", 400, xaxis=dict(log_axis(lo, hi), title="degree k"),
                  yaxis=dict(log_axis(ylo, 1.0), title=what),
                  showlegend=len(series) > 1)
