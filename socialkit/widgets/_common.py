"""Pieces shared by the widgets: error area, schema-driven controls, in-place figure updates."""

from __future__ import annotations

import html
import inspect
import math
import traceback

import ipywidgets as W
import plotly.graph_objects as go

from socialkit.params import Param, Schema

__all__ = ["ErrorArea", "controls", "values", "replace_figure", "figure_widget", "placeholder",
           "NONE"]

NONE = ""
"""Drop-down value standing for None (ipywidgets shows a None value as no selection)."""

_WIDE = {"description_width": "initial"}


class ErrorArea(W.HTML):
    """An HTML area that shows the last error raised inside a widget (hidden when empty)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.layout.display = "none"
        self.last: BaseException | None = None

    def show(self, err: BaseException) -> None:
        """Show ``err`` (type and message; the traceback folded away)."""
        self.last = err
        tb = html.escape("".join(traceback.format_exception(err)))
        self.value = (f"<div style='color:#a00;border-left:3px solid #a00;padding:2px 8px'>"
                      f"<b>{html.escape(type(err).__name__)}</b>: "
                      f"{html.escape(str(err))}<details><summary>traceback</summary>"
                      f"<pre style='font-size:11px'>{tb}</pre></details></div>")
        self.layout.display = None

    def clear(self) -> None:
        self.last = None
        self.value = ""
        self.layout.display = "none"

    @property
    def message(self) -> str:
        """The shown error as ``"Type: message"`` ('' when there is none)."""
        return "" if self.last is None else f"{type(self.last).__name__}: {self.last}"


def _control(p: Param):
    tip = f"{p.doc} (allowed: {p.range_text()})" if p.doc else p.range_text()
    common = dict(description=p.name, tooltip=tip, style=_WIDE)
    default = p.default
    if p.choices is not None:
        return W.Dropdown(options=list(p.choices), value=default, **common)
    if p.type is bool:
        return W.Checkbox(value=bool(default), indent=False, **common)
    if p.allow_none or p.type is str:
        return W.Text(value="" if default is None else str(default),
                      placeholder="None" if p.allow_none else "", **common)
    bounded = p.low is not None and p.high is not None
    if p.type is float:
        if bounded:
            step = (p.high - p.low) / 100
            lo = p.low + step if p.low_open else p.low
            hi = p.high - step if p.high_open else p.high
            digits = max(0, -math.floor(math.log10(step) + 1e-9))
            return W.FloatSlider(value=default, min=lo, max=hi, step=step,
                                 readout_format=f".{digits}f", continuous_update=False, **common)
        return W.FloatText(value=default, **common)
    if bounded and p.high - p.low <= 1000:
        return W.IntSlider(value=default, min=int(p.low) + p.low_open,
                           max=int(p.high) - p.high_open, continuous_update=False, **common)
    return W.IntText(value=default, **common)


def controls(fn, fixed: dict) -> dict:
    """One input widget per schema parameter of ``fn`` not in ``fixed``, plus ``seed``.

    Examples
    --------
    >>> import socialkit as sk
    >>> c = controls(sk.dynamics.deffuant, {})
    >>> {k: type(w).__name__ for k, w in c.items()}
    {'epsilon': 'FloatSlider', 'mu': 'FloatSlider', 'steps': 'IntText', 'seed': 'IntText'}
    """
    schema = getattr(fn, "schema", None)
    if not isinstance(schema, Schema):
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} has no parameter schema: decorate it "
                        "with socialkit.params.model to explore it")
    out = {p.name: _control(p) for p in schema if p.name not in fixed}
    sig = inspect.signature(fn)
    if "seed" in sig.parameters and "seed" not in fixed:
        out["seed"] = W.IntText(value=0, description="seed", style=_WIDE,
                                tooltip="seed of the run's random generator")
    return out


def values(fn, widgets: dict) -> dict:
    """The widgets' values, with text fields read as the parameter's type ('' -> None)."""
    schema = fn.schema
    out = {}
    for name, w in widgets.items():
        v = w.value
        if isinstance(w, W.Text) and name in schema:
            p = schema[name]
            if v.strip() == "":
                v = None
            elif p.type in (int, float):
                try:
                    v = p.type(float(v)) if p.type is int else float(v)
                except ValueError:
                    raise ValueError(f"parameter {name!r}: {v!r} is not a number") from None
        out[name] = v
    return out


def placeholder(text: str) -> go.Figure:
    """An empty figure in the socialkit style that says what to do (no axes)."""
    from socialkit.plot import finish

    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=15, color="#777"))
    return finish(fig, None, 300, xaxis=dict(visible=False), yaxis=dict(visible=False))


def figure_widget(fig: go.Figure | None = None, text: str = "") -> go.FigureWidget:
    """A FigureWidget showing ``fig`` or a placeholder (needs anywidget with plotly >= 6)."""
    try:
        return go.FigureWidget(fig if fig is not None else placeholder(text))
    except ImportError as err:  # plotly 6+ without anywidget
        raise ImportError(f"{err}: pip install anywidget (a socialkit dependency)") from None


def _stale(old: dict, new: dict, prefix: tuple = ()) -> list[tuple]:
    """Paths set in ``old`` but not in ``new`` (a relayout only sends what is set)."""
    out = []
    for key, value in old.items():
        if key == "template":
            continue
        if key not in new:
            out.append((*prefix, key))
        elif isinstance(value, dict) and isinstance(new[key], dict):
            out.extend(_stale(value, new[key], (*prefix, key)))
    return out


def replace_figure(fw: go.FigureWidget, fig: go.Figure) -> None:
    """Show ``fig`` in ``fw`` in place (no new output), clearing layout the old figure set."""
    stale = _stale(fw.layout.to_plotly_json(), fig.layout.to_plotly_json())
    if stale:  # e.g. a placeholder's annotation, hidden axes, a fixed range or width
        fw.plotly_relayout({".".join(path): None for path in stale})
    with fw.batch_update():
        fw.data = []
        fw.add_traces(list(fig.data))
        fw.layout = fig.layout
