"""Figures of a Run's trajectory."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from socialkit.plot._style import PALETTE, TEMPLATE
from socialkit.run import Run

__all__ = ["trajectories", "distribution"]


def _check_run(run) -> None:
    if not isinstance(run, Run):
        raise TypeError(f"expected a socialkit.Run, got {type(run).__name__}")


def trajectories(run: Run, variable: str | None = None, max_agents: int = 200,
                 band: bool = True, seed: int = 0) -> go.Figure:
    """Per-agent trajectories (a random sample of at most ``max_agents``) with the mean ± 1 sd.

    Summary-only runs (``record="summary"``) show the mean with a band from min to max.

    Parameters
    ----------
    run : socialkit.Run
    variable : str, optional
        Variable to plot (default: the run's only variable).
    max_agents : int
        Largest number of individual lines drawn; agents are sampled with ``seed``.
    band : bool
        Draw the mean ± 1 sd band.

    Examples
    --------
    >>> import socialkit as sk
    >>> G = sk.network.barabasi_albert(100, 2, seed=0)
    >>> run = sk.dynamics.deffuant(G, [i / 99 for i in range(100)], steps=5, seed=0)
    >>> fig = trajectories(run)
    >>> fig.layout.yaxis.title.text
    'opinion'
    """
    _check_run(run)
    if max_agents < 0:
        raise ValueError(f"max_agents must be >= 0, got {max_agents}")
    variable = run._variable(variable)
    s = run.summary(variable)
    fig = go.Figure()
    per_agent = variable in run.variables
    if per_agent and max_agents:
        w = run.wide(variable)
        cols = w.columns.to_numpy()
        if len(cols) > max_agents:
            cols = np.sort(np.random.default_rng(seed).choice(cols, max_agents, replace=False))
        # one trace with None separators keeps thousands of lines fast
        xs, ys = [], []
        steps = w.index.to_numpy()
        for c in cols:
            xs.extend(steps.tolist() + [None])
            ys.extend(w[c].tolist() + [None])
        fig.add_trace(go.Scattergl(x=xs, y=ys, mode="lines", name=f"agents ({len(cols)} shown)",
                                   line=dict(width=0.7, color="rgba(0,114,178,0.25)"),
                                   hoverinfo="skip"))
    if band:
        lo, hi = (s["mean"] - s["sd"], s["mean"] + s["sd"]) if per_agent or "sd" in s else (
            s["min"], s["max"])
        fig.add_trace(go.Scatter(x=list(s.index) + list(s.index[::-1]),
                                 y=list(hi) + list(lo[::-1]), fill="toself", name="mean ± 1 sd",
                                 line=dict(width=0), fillcolor="rgba(230,159,0,0.25)",
                                 hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=s.index, y=s["mean"], mode="lines", name="mean",
                             line=dict(color=PALETTE[1], width=2.5)))
    title = f"{run.model}: {variable} over time"
    fig.update_layout(template=TEMPLATE, title=title, xaxis_title="step", yaxis_title=variable,
                      height=420)
    return fig


def distribution(run: Run, variable: str | None = None, steps=None, bins: int = 40) -> go.Figure:
    """Histograms of ``variable`` at a few steps (default: first and last), overlaid.

    Examples
    --------
    >>> import socialkit as sk
    >>> G = sk.network.barabasi_albert(100, 2, seed=0)
    >>> run = sk.dynamics.deffuant(G, [i / 99 for i in range(100)], steps=5, seed=0)
    >>> [t.name for t in distribution(run).data]
    ['step 0', 'step 5']
    """
    _check_run(run)
    w = run.wide(variable)
    variable = run._variable(variable)
    if steps is None:
        steps = [w.index[0], w.index[-1]]
    unknown = [s for s in steps if s not in w.index]
    if unknown:
        raise ValueError(f"steps {unknown} were not recorded; recorded: {w.index.tolist()[:10]}...")
    fig = go.Figure()
    for i, st in enumerate(steps):
        fig.add_trace(go.Histogram(x=w.loc[st], name=f"step {st}", opacity=0.6, nbinsx=bins,
                                   marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(template=TEMPLATE, barmode="overlay", xaxis_title=variable,
                      yaxis_title="agents", title=f"{run.model}: distribution of {variable}",
                      height=380)
    return fig
