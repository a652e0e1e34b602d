"""Styles (screen, paper) and saving figures offline."""

from importlib import metadata

import plotly.graph_objects as go
import pytest

import socialkit as sk
from socialkit.plot import _export
from socialkit.plot._style import log_axis, wrap


def _fig():
    return sk.plot.degree_distribution(sk.network.barabasi_albert(300, 2, seed=0))


def test_default_style_is_sober_and_colour_blind_safe():
    fig = _fig()
    t = fig.layout.template.layout
    assert t.font.family.startswith("Arial") and t.plot_bgcolor == "white"
    assert list(t.colorway) == sk.plot.PALETTE and fig.layout.width is None
    assert t.title.x == 0 and t.title.xanchor == "left"  # clear of the modebar
    assert t.margin.t >= 70


def test_paper_style_sizes_and_restores():
    assert sk.plot.style() == "default"
    with sk.plot.style("paper") as handle:
        assert repr(handle) == "style('paper')" and sk.plot.style() == "paper"
        fig = _fig()
    assert sk.plot.style() == "default"
    assert fig.layout.width == 336 and fig.layout.template.layout.font.size == 10
    assert fig.layout.height < 420
    with sk.plot.style("paper-serif", columns=2):
        wide = _fig()
    assert wide.layout.width == 672 and "Times" in wide.layout.template.layout.font.family
    sk.plot.style("paper")
    try:
        assert _fig().layout.width == 336
    finally:
        sk.plot.style("default")


def test_restyle_one_figure():
    fig = _fig()
    height = fig.layout.height
    out = sk.plot.style("paper", fig)
    assert out is fig and fig.layout.width == 336 and sk.plot.style() == "default"
    sk.plot.style("default", fig)
    assert fig.layout.width is None and fig.layout.height == height
    widget = sk.plot.style("paper", go.FigureWidget(_fig()))
    assert widget.layout.width == 336


def test_paper_legend_gets_room():
    run = sk.dynamics.deffuant(None, [i / 19 for i in range(20)], steps=2, seed=0)
    groups = {a: f"a fairly long group name {a % 6}" for a in range(20)}
    with sk.plot.style("paper"):
        plain = sk.plot.trajectories(run, max_agents=0, band=False)
        grouped = sk.plot.trajectories(run, by=groups, max_agents=0)
    assert grouped.layout.height > plain.layout.height
    assert grouped.layout.template.layout.legend.orientation == "h"


def test_style_bad_inputs():
    with pytest.raises(ValueError, match="unknown style"):
        sk.plot.style("poster")
    with pytest.raises(ValueError, match="columns"):
        sk.plot.style("paper", columns=3)
    with pytest.raises(TypeError, match="plotly Figure"):
        sk.plot.style("paper", fig={"data": []})
    assert sk.plot.style() == "default"


def test_titles_wrap_and_log_ticks_are_plain():
    assert wrap("short", 10) == "short"
    assert wrap("a long title that needs wrapping", 12).count("<br>") == 2
    assert wrap("kept<br>as is and long", 5) == "kept<br>as is and long"
    assert log_axis(1, 1e6)["tickvals"] == [1, 10, 100, 1000, 10000, 100000, 1000000]
    assert log_axis(3, 4) == {"type": "log"}


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".pdf", b"%PDF"),
                                           (".png", b"\x89PNG")])
def test_save_static_formats_offline(tmp_path, suffix, magic):
    out = sk.plot.save(_fig(), tmp_path / f"fig{suffix}")
    assert out.read_bytes().startswith(magic)


def test_save_png_default_scale_is_print_resolution(tmp_path):
    fig = go.Figure(go.Bar(y=[1, 2]), layout=dict(width=200, height=100))
    data = sk.plot.save(fig, tmp_path / "f.png").read_bytes()
    width = int.from_bytes(data[16:20], "big")
    assert width == 600
    data = sk.plot.save(fig, tmp_path / "g.png", width=100, scale=1).read_bytes()
    assert int.from_bytes(data[16:20], "big") == 100


def test_save_paper_pdf_keeps_column_width(tmp_path):
    with sk.plot.style("paper"):
        fig = _fig()
    text = sk.plot.save(fig, tmp_path / "fig.pdf").read_bytes()
    assert b"MediaBox" in text


def test_save_html_json_and_figure_widget(tmp_path):
    fig = _fig()
    html = sk.plot.save(fig, tmp_path / "sub" / "fig.html").read_text()
    assert "plotly.js" in html or "Plotly" in html
    assert '<script src="https://cdn' not in html  # plotly.js embedded: works offline
    assert sk.plot.save(fig, tmp_path / "fig.json").read_text().startswith("{")
    widget = go.FigureWidget(fig)
    assert sk.plot.save(widget, tmp_path / "w.svg").read_bytes().startswith(b"<svg")


def test_save_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="cannot save as '.gif'"):
        sk.plot.save(_fig(), tmp_path / "fig.gif")
    with pytest.raises(ValueError, match="without suffix"):
        sk.plot.save(_fig(), tmp_path / "fig")
    with pytest.raises(TypeError, match="plotly figure"):
        sk.plot.save({"data": []}, tmp_path / "fig.svg")
    with pytest.raises(ValueError, match="width"):
        sk.plot.save(_fig(), tmp_path / "fig.svg", width=0)
    with pytest.raises(ValueError, match="scale"):
        sk.plot.save(_fig(), tmp_path / "fig.png", scale=-1)


def test_export_backend_says_what_to_install(monkeypatch):
    assert sk.plot.export_backend().startswith("kaleido")

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_export.metadata, "version", missing)
    with pytest.raises(ImportError, match=r"socialkit\[export\]"):
        sk.plot.export_backend()
    with pytest.raises(ImportError, match="kaleido"):
        sk.plot.save(_fig(), "never.pdf")
    monkeypatch.setattr(_export.metadata, "version", lambda name: "1.5.0")
    monkeypatch.setattr(_export, "_browser", lambda: None)
    with pytest.raises(RuntimeError, match="apt-get install chromium"):
        sk.plot.export_backend()
    monkeypatch.setattr(_export, "_browser", lambda: "/usr/bin/chromium")
    assert sk.plot.export_backend() == "kaleido 1.5.0 (/usr/bin/chromium)"
