"""Figure styles: a sober screen style and print styles, all with a colour-blind-safe palette.

The palette is Okabe & Ito (2008); continuous values use ``Cividis``, which reads the same for
common colour-vision deficiencies and in greyscale. Every socialkit figure passes through
:func:`finish`, which applies the active style (see :func:`style`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

__all__ = ["PALETTE", "TEMPLATE", "PAPER", "SEQUENTIAL", "style", "finish", "rgba"]

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]
SEQUENTIAL = "Cividis"
"""Colour scale of continuous values."""

_SANS = "Arial, Helvetica, 'Liberation Sans', sans-serif"
_SERIF = "'Times New Roman', Times, 'Liberation Serif', serif"


def _template(font: str, size: int, margin: dict, line: float,
              legend: dict | None = None) -> go.layout.Template:
    axis = dict(showline=True, linecolor="#444", linewidth=line, ticks="outside", zeroline=False,
                title_standoff=4, automargin=True)
    return go.layout.Template(layout=dict(
        font=dict(family=font, size=size, color="#222"), colorway=PALETTE,
        plot_bgcolor="white", paper_bgcolor="white", margin=margin,
        xaxis=dict(axis, showgrid=False), yaxis=dict(axis, showgrid=True, gridcolor="#eee"),
        legend=dict(bgcolor="rgba(0,0,0,0)", **(legend or {})), colorscale=dict(sequential=SEQUENTIAL),
        title=dict(x=0, xref="paper", xanchor="left", font=dict(size=size + 2))))


TEMPLATE = _template(_SANS, 13, dict(l=60, r=20, t=80, b=50), 1)
"""The screen style: Arial 13 px, room above the plot for a two-line title and the modebar."""

# at column width the legend goes below the plot, in rows, so the plot keeps its width
_PAPER_LEGEND = dict(orientation="h", x=0, xanchor="left", yref="container", y=0,
                     yanchor="bottom", font=dict(size=9), itemwidth=30, tracegroupgap=0,
                     title=dict(side="top"))
PAPER = _template(_SANS, 10, dict(l=44, r=8, t=34, b=36), 0.8, _PAPER_LEGEND)
"""The print style: Arial 10 px (7.5 pt at 96 px per inch), thin axes, tight margins."""

PAPER_SERIF = _template(_SERIF, 10, dict(l=44, r=8, t=34, b=36), 0.8, _PAPER_LEGEND)


@dataclass(frozen=True)
class _Style:
    name: str
    template: go.layout.Template
    width: int | None  # px; None: fill the notebook cell
    height_scale: float
    title_chars: int  # wrap titles longer than this


# single column 3.5 in and double column 7 in, at 96 px per inch (PDF export keeps this scale)
_COLUMN_PX = {1: 336, 2: 672}
_STYLES = {"default": _Style("default", TEMPLATE, None, 1.0, 70),
           "paper": _Style("paper", PAPER, _COLUMN_PX[1], 0.62, 52),
           "paper-serif": _Style("paper-serif", PAPER_SERIF, _COLUMN_PX[1], 0.62, 52)}
_active = [_STYLES["default"]]


class _Restore:
    """Returned by :func:`style`; as a context manager it restores the previous style."""

    def __init__(self, previous: _Style, current: _Style):
        self.previous, self.current = previous, current

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _active[0] = self.previous
        return False

    def __repr__(self) -> str:
        return f"style({self.current.name!r})"


def style(name: str | None = None, fig: go.Figure | None = None, columns: int = 1):
    """Choose the style of socialkit figures, or restyle one figure.

    Parameters
    ----------
    name : {"default", "paper", "paper-serif"}, optional
        ``"paper"``: Arial at print sizes, single-column width (3.5 in), tight margins;
        ``"paper-serif"`` the same in Times. Without a name, return the active style's name.
    fig : plotly Figure, optional
        Restyle this figure (in place) instead of changing the default; returns it.
    columns : {1, 2}
        Width of paper figures: one column (3.5 in) or the full page (7 in).

    Returns
    -------
    The active style's name (no ``name``), the restyled ``fig``, or a handle that restores the
    previous style when used as a context manager (``with sk.plot.style("paper"): ...``).

    Examples
    --------
    >>> import socialkit as sk
    >>> with sk.plot.style("paper"):
    ...     fig = sk.plot.degree_distribution(sk.network.barabasi_albert(200, 2, seed=0))
    >>> fig.layout.width, fig.layout.template.layout.font.size, style()
    (336, 10, 'default')
    """
    if name is None:
        return _active[0].name
    if name not in _STYLES:
        raise ValueError(f"unknown style {name!r}; choose one of {sorted(_STYLES)}")
    if columns not in _COLUMN_PX:
        raise ValueError(f"columns must be 1 or 2, got {columns!r}")
    chosen = _STYLES[name]
    if chosen.width is not None:
        chosen = _Style(chosen.name, chosen.template, _COLUMN_PX[columns], chosen.height_scale,
                        chosen.title_chars * columns)
    if fig is not None:
        if not isinstance(fig, BaseFigure):  # a Figure or a FigureWidget
            raise TypeError(f"fig must be a plotly Figure, got {type(fig).__name__}")
        base = fig.layout.height or 420
        if fig.layout.width in _COLUMN_PX.values():  # made in a paper style: undo its scaling
            base = base / _STYLES["paper"].height_scale
        return _apply(fig, chosen, None, base)
    previous = _active[0]
    _active[0] = chosen
    return _Restore(previous, chosen)


def wrap(title: str | None, width: int) -> str | None:
    """Wrap a title at ``width`` characters with ``<br>`` (keeps it clear of the modebar)."""
    if not title or "<br>" in title or len(title) <= width:
        return title
    return "<br>".join(textwrap.wrap(title, width))


def _legend_rows(fig: go.Figure, width: int) -> int:
    """Rows a horizontal legend of 9 px text needs at ``width`` px (an estimate)."""
    if fig.layout.showlegend is False:
        return 0
    items = [len(t.name or "") * 5.2 + 40 for t in fig.data
             if t.showlegend is not False and t.name and getattr(t, "showscale", None) is not True]
    if len(items) < 2 and fig.layout.showlegend is not True:
        return 0
    rows, used = 1, 0.0
    for w in items:
        if used and used + w > width:
            rows, used = rows + 1, 0.0
        used += w
    return rows + (1 if fig.layout.legend.title.text else 0)


def _apply(fig: go.Figure, st: _Style, title: str | None, height: float) -> go.Figure:
    extra = 15 * _legend_rows(fig, st.width) if st.width else 0
    fig.update_layout(template=st.template, width=st.width,
                      height=int(round(height * st.height_scale)) + extra)
    if title is not None:
        fig.update_layout(title_text=wrap(title, st.title_chars))
    return fig


def finish(fig: go.Figure, title: str | None = None, height: int = 420, **layout) -> go.Figure:
    """Apply the active style, a wrapped title and ``height`` (scaled for print) to ``fig``."""
    fig.update_layout(**layout)
    return _apply(fig, _active[0], title, height)


def whole_ticks(fig: go.Figure, axis: str = "xaxis", most: int = 15) -> go.Figure:
    """Ticks on whole numbers only (days, generations): one per number when the traces span at
    most ``most`` of them, else whole-number labels at plotly's own spacing.

    Examples
    --------
    >>> fig = whole_ticks(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 2, 3])))
    >>> fig.layout.xaxis.dtick, fig.layout.xaxis.tick0
    (1, 0)
    """
    key = "x" if axis.startswith("x") else "y"
    values = []
    for t in fig.data:
        got = getattr(t, key, None)
        if got is not None:
            values += [v for v in np.asarray(got, dtype=object).ravel().tolist()
                       if isinstance(v, int | float) and not isinstance(v, bool)
                       and np.isfinite(v)]
    if values and max(values) - min(values) <= most:
        fig.update_layout({axis: dict(tick0=0, dtick=1)})
    else:
        fig.update_layout({axis: dict(tickformat="d")})
    return fig


def rgba(hex_colour: str, alpha: float) -> str:
    """``"#0072B2"``, 0.3 -> ``"rgba(0,114,178,0.3)"``.

    Examples
    --------
    >>> rgba("#0072B2", 0.3)
    'rgba(0,114,178,0.3)'
    """
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


def palette(n: int) -> list[str]:
    """``n`` colours from the palette, repeating it when ``n`` is larger."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def log_axis(lo: float, hi: float) -> dict:
    """Axis settings for a log axis from ``lo`` to ``hi`` with plain-number ticks (1, 2, 5, 10...).

    Examples
    --------
    >>> log_axis(1, 300)["tickvals"]
    [1, 2, 5, 10, 20, 50, 100, 200]
    >>> log_axis(1, 5000)["tickvals"]
    [1, 3, 10, 30, 100, 300, 1000, 3000]
    """
    lo, hi = max(float(lo), 1e-12), max(float(hi), float(lo))
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    span = np.log10(hi / lo)
    steps = (1, 2, 5) if span <= 2.6 else (1, 3) if span <= 4.2 else (1,)
    vals = [m * 10.0 ** d for d in decades for m in steps if lo <= m * 10.0 ** d <= hi * 1.0001]
    vals = [int(v) if v >= 1 else v for v in vals]
    if len(vals) < 2:  # a narrow range: plotly's own ticks do better
        return dict(type="log")
    return dict(type="log", tickvals=vals, ticktext=[f"{v:,}" if v >= 1 else f"{v:g}"
                                                     for v in vals])
