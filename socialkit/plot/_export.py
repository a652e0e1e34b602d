"""Save figures to PDF, SVG, PNG (offline), or to self-contained HTML and JSON.

Static export is done by **kaleido**, which renders the figure with plotly.js in a headless
Chromium. ``pip install "socialkit[export]"`` installs kaleido 0.2.1, which ships its own
Chromium, fonts and MathJax, so export works offline on a fresh machine. kaleido 1.x works too
but needs a Chrome or Chromium installed on the machine (``apt-get install chromium``, or set
``BROWSER_PATH``); socialkit never downloads a browser. In both cases plotly.js comes from the
installed plotly package and MathJax is not fetched from the network.
"""

from __future__ import annotations

import os
import shutil
import threading
import warnings
from importlib import metadata
from pathlib import Path

import plotly
import plotly.graph_objects as go

__all__ = ["save", "export_backend"]

IMAGE_FORMATS = ("pdf", "svg", "png", "jpg", "jpeg", "webp")
TEXT_FORMATS = ("html", "json")
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_INSTALL = ('pip install "socialkit[export]"  (kaleido 0.2.1, self-contained: no browser needed)')
_lock = threading.Lock()
_scope = []  # the kaleido 0.2 scope (a Chromium subprocess), started once


def _plotlyjs() -> Path:
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def export_backend() -> str:
    """Which package will export static images, and what it uses.

    Returns
    -------
    str
        e.g. ``"kaleido 0.2.1 (bundled Chromium)"``, ``"kaleido 1.5.0 (/usr/bin/chromium)"``;
        raises ImportError / RuntimeError with what to install when export is impossible.

    Examples
    --------
    >>> export_backend().startswith("kaleido")
    True
    """
    try:
        version = metadata.version("kaleido")
    except metadata.PackageNotFoundError:
        raise ImportError(f"saving figures as PDF, SVG or PNG needs kaleido: {_INSTALL}") from None
    if int(version.split(".")[0]) < 1:
        return f"kaleido {version} (bundled Chromium)"
    browser = _browser()
    if browser is None:
        raise RuntimeError(
            f"kaleido {version} needs Chrome or Chromium to export images, and none was found "
            f"(looked for BROWSER_PATH and {', '.join(_BROWSERS)} on PATH). Install one "
            "(Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH, or use the "
            f"self-contained exporter: {_INSTALL}")
    return f"kaleido {version} ({browser})"


def _browser() -> str | None:
    path = os.environ.get("BROWSER_PATH")
    if path and Path(path).exists():
        return path
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _image(fig_dict: dict, fmt: str, width: int, height: int, scale: float) -> bytes:
    backend = export_backend()
    with _lock:
        if backend.startswith("kaleido 0."):
            if not _scope:
                from kaleido.scopes.plotly import PlotlyScope

                # mathjax=None: kaleido 0.2 uses its vendored copy; plotly.js: the installed one
                _scope.append(PlotlyScope(plotlyjs=str(_plotlyjs())))
            with warnings.catch_warnings():  # kaleido 0.2 starts Chromium on first use
                warnings.filterwarnings("ignore", "setDaemon", DeprecationWarning)
                return _scope[0].transform(fig_dict, format=fmt, width=width, height=height,
                                           scale=scale)
        import kaleido

        os.environ.setdefault("BROWSER_PATH", _browser())
        return kaleido.calc_fig_sync(
            fig_dict, opts=dict(format=fmt, width=width, height=height, scale=scale),
            kopts=dict(mathjax=False, plotlyjs=str(_plotlyjs())))


def save(fig, path: str | Path, width: int | None = None, height: int | None = None,
         scale: float | None = None) -> Path:
    """Write ``fig`` to ``path``; the file name's suffix chooses the format.

    Parameters
    ----------
    fig : plotly Figure or FigureWidget
    path : str or Path
        Ending in ``.pdf``, ``.svg``, ``.png``, ``.jpg``, ``.webp`` (static, via kaleido),
        ``.html`` (interactive, plotly.js embedded: opens offline) or ``.json``.
    width, height : int, optional
        Size in CSS pixels (96 per inch; a PDF keeps it). Default: the figure's own size, else
        700 × 450.
    scale : float, optional
        Pixel density of raster formats; default 3 for PNG/JPG/WebP (about 300 dpi), 1 otherwise.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import pathlib, tempfile, plotly.graph_objects as go
    >>> out = save(go.Figure(go.Bar(y=[1, 2])), pathlib.Path(tempfile.mkdtemp()) / "fig.html")
    >>> out.suffix, out.stat().st_size > 1_000_000  # plotly.js is embedded
    ('.html', True)
    """
    if not isinstance(fig, go.Figure):  # FigureWidget is a Figure subclass of BaseFigure
        if hasattr(fig, "to_plotly_json") and hasattr(fig, "layout"):
            fig = go.Figure(fig)
        else:
            raise TypeError(f"save needs a plotly figure, got {type(fig).__name__}")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in IMAGE_FORMATS + TEXT_FORMATS:
        raise ValueError(f"cannot save as {path.suffix or 'a file without suffix'!r}: use one of "
                         f"{', '.join('.' + f for f in IMAGE_FORMATS + TEXT_FORMATS)}")
    for name, value in (("width", width), ("height", height), ("scale", scale)):
        if value is not None and (isinstance(value, bool) or not value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        fig.write_html(path, include_plotlyjs=True, full_html=True)
        return path
    if fmt == "json":
        fig.write_json(path)
        return path
    fmt = "jpeg" if fmt == "jpg" else fmt
    width = int(width or fig.layout.width or 700)
    height = int(height or fig.layout.height or 450)
    scale = scale or (3 if fmt in ("png", "jpeg", "webp") else 1)
    data = _image(fig.to_plotly_json(), fmt, width, height, scale)
    path.write_bytes(data)
    return path
