"""A self-contained HTML report of figures and tables (works offline: plotly.js is embedded)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

__all__ = ["html_report"]

_CSS = ("body{font-family:Arial,Helvetica,sans-serif;max-width:1000px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:0.5em 0}td,th{padding:2px 10px;"
        "border-bottom:1px solid #ddd;text-align:right}h1{font-size:1.6em}h2{font-size:1.2em;"
        "margin-top:2em}p.note{color:#555}")


def html_report(path: str | Path, title: str, sections: list[tuple[str, object]]) -> Path:
    """Write an HTML page with one section per ``(heading, content)`` pair.

    Content may be a plotly figure, a DataFrame, an object with ``_repr_html_`` or a string
    (shown as a paragraph). plotly.js is embedded once so the page needs no network.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = html_report(pathlib.Path(tempfile.mkdtemp()) / "r.html", "Demo",
    ...                 [("numbers", pd.DataFrame({"a": [1]}))])
    >>> p.read_text().count("<h2>")
    1
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             f"</title><style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    js_done = False
    for heading, content in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(content, go.Figure):
            parts.append(content.to_html(full_html=False, include_plotlyjs=not js_done))
            js_done = True
        elif isinstance(content, pd.DataFrame):
            parts.append(content.to_html(float_format=lambda v: f"{v:.4g}"))
        elif hasattr(content, "_repr_html_"):
            parts.append(content._repr_html_())
        else:
            parts.append(f"<p class='note'>{html.escape(str(content))}</p>")
    parts.append("</body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path
