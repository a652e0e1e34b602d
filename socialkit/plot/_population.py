"""Figures of populations: the fidelity report."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from socialkit.plot._style import PALETTE, TEMPLATE

__all__ = ["fidelity"]


def fidelity(report) -> go.Figure:
    """Marginal gaps per attribute, and correlation or cell differences, of a fidelity report.

    Left: total variation distance and largest cell gap per attribute. Right: the difference of
    the correlation matrices (population − reference) when the report has one, otherwise the
    gap of every category (population − target).

    Parameters
    ----------
    report : socialkit.population.FidelityReport
        From :meth:`socialkit.Population.fidelity`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> pop = sk.Population.from_survey(pd.DataFrame({"sex": ["f", "m", "m", "m"]}))
    >>> fig = fidelity(pop.fidelity({"sex": {"f": 0.5, "m": 0.5}}))
    >>> [t.name for t in fig.data]
    ['total variation distance', 'largest cell gap', 'population − target']
    """
    table = report.table
    has_corr = report.correlation is not None
    right = ("correlation difference (population − reference)" if has_corr
             else "share gap per category (population − target)")
    fig = make_subplots(rows=1, cols=2, column_widths=[0.42, 0.58], horizontal_spacing=0.18,
                        subplot_titles=("marginal distance per attribute", right))
    names = [str(a) for a in table.index]
    fig.add_trace(go.Bar(y=names, x=table["tvd"], orientation="h", name="total variation distance",
                         marker_color=PALETTE[0]), row=1, col=1)
    fig.add_trace(go.Bar(y=names, x=table["max_gap"], orientation="h", name="largest cell gap",
                         marker_color=PALETTE[1]), row=1, col=1)
    if has_corr:
        diff = report.correlation["difference"]
        lim = float(max(np.nanmax(np.abs(diff.to_numpy())), 0.05))
        fig.add_trace(go.Heatmap(z=diff.to_numpy(), x=list(diff.columns), y=list(diff.index),
                                 zmin=-lim, zmax=lim, colorscale="RdBu", reversescale=True,
                                 name="population − reference",
                                 colorbar=dict(title="Δr", len=0.9)), row=1, col=2)
        fig.update_yaxes(autorange="reversed", row=1, col=2)
    else:
        cells = report.cells
        labels = [f"{a}: {c}" for a, c in zip(cells["attribute"], cells["category"], strict=True)]
        colors = [PALETTE[i % len(PALETTE)] for i in cells["attribute"].factorize()[0]]
        fig.add_trace(go.Bar(y=labels, x=cells["difference"], orientation="h",
                             name="population − target", marker_color=colors), row=1, col=2)
        fig.update_yaxes(autorange="reversed", row=1, col=2)
    fig.update_layout(template=TEMPLATE, barmode="group",
                      height=max(380, 22 * max(len(names), 0 if has_corr else len(report.cells))),
                      title=(f"Population fidelity against {report.against}: {report.n} agents, "
                             f"Kish n_eff {report.ess:.0f}, design effect {report.deff:.2f}"),
                      legend=dict(orientation="h", y=-0.12))
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    # gaps of a well-raked population are ~1e-12: keep a readable minimum range, in percent
    top = float(np.nanmax(table[["tvd", "max_gap"]].to_numpy())) if len(table) else 0.0
    fig.update_xaxes(range=[0, max(top * 1.1, 0.05)], tickformat=".0%", row=1, col=1)
    if not has_corr and len(report.cells):
        lim = float(np.nanmax(np.abs(report.cells["difference"].to_numpy())))
        lim = max(lim * 1.1, 0.02)
        fig.update_xaxes(range=[-lim, lim], tickformat=".1%", row=1, col=2)
    return fig
