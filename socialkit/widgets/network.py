"""``network_view``: a network coloured by an attribute, with homophily and friendship paradox."""

from __future__ import annotations

import html

import ipywidgets as W
import networkx as nx
import pandas as pd

from socialkit.widgets._common import NONE, ErrorArea, figure_widget, replace_figure

__all__ = ["network_view", "NetworkView", "network_numbers"]

_WIDE = {"description_width": "initial"}


def network_numbers(G, attribute: str | None = None) -> dict:
    """Friendship-paradox numbers of ``G`` and, for an attribute, its homophily.

    Uses :func:`socialkit.network.friendship_paradox` and, when the network package has it,
    :func:`socialkit.network.homophily` (categorical attributes; numbers with more than 8
    values as numeric assortativity).

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, optional

    Returns
    -------
    dict

    Examples
    --------
    >>> import networkx as nx
    >>> numbers = network_numbers(nx.star_graph(4))
    >>> numbers["nodes whose friends have more friends"]
    0.8
    """
    from socialkit import network as net

    if not isinstance(G, nx.Graph):
        raise TypeError(f"network_numbers needs a networkx graph, got {type(G).__name__}")
    directed = {"directed": "symmetrize"} if G.is_directed() else {}
    fp = net.friendship_paradox(G, **directed)
    out = {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
           "mean degree": float(fp.mean_degree),
           "friends' mean degree (per node)": float(fp.mean_local_neighbor_degree),
           "nodes whose friends have more friends": float(fp.paradox_share)}
    if attribute not in (None, "degree") and hasattr(net, "homophily"):
        values = pd.Series(dict(G.nodes(data=attribute)))
        kind = ("numeric" if pd.api.types.is_numeric_dtype(values) and values.nunique() > 8
                else "categorical")
        h = net.homophily(G, attribute, kind, **directed)
        out[f"assortativity on {attribute}"] = float(h.assortativity)
        if kind == "categorical":
            out[f"E-I index on {attribute} (-1 all ties within groups)"] = float(h.ei_index)
    return out


class NetworkView(W.VBox):
    """The widget returned by :func:`network_view` (an ``ipywidgets.VBox``).

    Attributes
    ----------
    color, size : ipywidgets.Dropdown
    figure : plotly.graph_objects.FigureWidget
    numbers : ipywidgets.HTML
        See :func:`network_numbers`.
    error : ErrorArea
    positions : dict
        The layout, computed once.
    """

    def __init__(self, G, color, max_nodes: int, layout, seed: int):
        from socialkit.plot import layout as compute_layout
        from socialkit.plot import sample_view

        self.G, self.max_nodes, self.seed = G, max_nodes, seed
        attrs = sorted({k for _, d in G.nodes(data=True) for k in d}, key=str)
        numeric = [a for a in attrs
                   if pd.api.types.is_numeric_dtype(pd.Series(dict(G.nodes(data=a))))]
        if color is not None and color != "degree" and color not in attrs:
            raise ValueError(f"color={color!r} is not a node attribute; attributes: {attrs}")
        self.color = W.Dropdown(options=[("(none)", NONE)] + [(str(a), a) for a in
                                                              ("degree", *attrs)],
                                value=NONE if color is None else color,
                                description="colour by", style=_WIDE)
        self.size = W.Dropdown(options=[("(same)", NONE)] + [(str(a), a) for a in
                                                             ("degree", *numeric)], value=NONE,
                               description="size by", style=_WIDE)
        self.numbers = W.HTML()
        self.error = ErrorArea()
        self.figure = figure_widget()
        shown, _ = sample_view(G, max_nodes, seed=seed)
        self.positions = compute_layout(shown, layout, seed=seed)
        for w in (self.color, self.size):
            w.observe(lambda _change: self.update(), names="value")
        super().__init__([W.HBox([self.color, self.size]), self.error,
                          W.HBox([self.figure, self.numbers])])
        self.update()

    def update(self) -> None:
        """Redraw with the chosen colour and size, and recompute the numbers."""
        from socialkit.plot import network

        try:
            color, size = self.color.value or None, self.size.value or None
            fig = network(self.G, color=color, size=size,
                          layout=self.positions, max_nodes=self.max_nodes, seed=self.seed)
            replace_figure(self.figure, fig)
            numbers = network_numbers(self.G, color)
            rows = "".join(f"<tr><td>{html.escape(k)}</td><td>"
                           f"{f'{v:.3f}' if isinstance(v, float) else f'{v:,}'}</td></tr>"
                           for k, v in numbers.items())
            self.numbers.value = f"<table>{rows}</table>"
            self.error.clear()
        except Exception as err:  # shown in the widget, not lost in the kernel log
            self.error.show(err)


def network_view(G, color: str | None = None, max_nodes: int = 2000, layout="spring",
                 seed: int = 0) -> NetworkView:
    """Look at a network: colour and size nodes by attributes, read homophily and paradox.

    The drawing is :func:`socialkit.plot.network` (a sampled view beyond ``max_nodes``), laid
    out once; the numbers are :func:`network_numbers`.

    Parameters
    ----------
    G : networkx.Graph
    color : str, optional
        Initial colouring attribute (or ``"degree"``).
    max_nodes : int
        Most nodes drawn.
    layout : str, dict or callable
        See :func:`socialkit.plot.layout`.
    seed : int

    Returns
    -------
    NetworkView

    Examples
    --------
    >>> import networkx as nx
    >>> view = network_view(nx.karate_club_graph(), color="club")
    >>> view.color.value = "degree"
    >>> view.figure.data[-1].marker.colorbar.title.text, view.error.message
    ('degree', '')
    """
    if not isinstance(G, nx.Graph):
        raise TypeError(f"network_view needs a networkx graph, got {type(G).__name__}")
    return NetworkView(G, color, max_nodes, layout, seed)
