"""Figures of diffusion runs: cumulative adoption curves, simulated and observed."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.dynamics import adoption_share
from socialkit.plot._style import PALETTE, TEMPLATE
from socialkit.run import Run

__all__ = ["adoption_curve"]


def _groups(runs, name: str) -> dict[str, list[Run]]:
    if runs is None:
        return {}
    if isinstance(runs, Run):
        return {name: [runs]}
    if isinstance(runs, Mapping):
        out = {}
        for label, value in runs.items():
            out[str(label)] = [value] if isinstance(value, Run) else list(value)
        return out
    return {name: list(runs)}


def _observed_curve(observed) -> pd.Series:
    times = pd.to_numeric(pd.Series(observed, dtype="object"), errors="coerce").astype(float)
    if len(times) == 0:
        raise ValueError("adoption_curve: observed holds no agents")
    done = np.sort(times.dropna().unique())
    return pd.Series([(times <= t).mean() for t in done], index=done, name="observed")


def adoption_curve(runs=None, observed=None, *, agents=None, start: float = 0.0,
                   name: str = "model", observed_name: str = "observed", time_label: str = "step",
                   band: bool = True, title: str | None = None) -> go.Figure:
    """Cumulative adoption curves of diffusion runs, optionally against observed adoption times.

    The simulated curve is the share of agents no longer in state 0 at each step
    (:func:`socialkit.dynamics.adoption_share`); several runs of one model (e.g. seeds) are drawn
    as their mean with a min–max band.

    Parameters
    ----------
    runs : Run, list of Run, or dict of label -> Run or list of Run, optional
        Diffusion runs (``sir``, ``independent_cascade``, ``linear_threshold``,
        ``complex_contagion``, ...).
    observed : array-like or Series, optional
        Observed adoption times, one per agent of the comparison (NaN or None: never adopted
        during the observation window); drawn as the cumulative share adopted by each time.
    agents : collection of agent ids, optional
        Restrict the simulated share to these agents (runs recorded per agent).
    start : float
        Time of step 0, so that step ``s`` is drawn at ``start + s`` (e.g. 1 when step 0 is the
        first observed month).
    name, observed_name : str
        Legend labels (``name`` for runs not given as a dict).
    time_label : str
        Title of the x axis.
    band : bool
        Draw the min–max band over several runs.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> runs = [sk.dynamics.independent_cascade(nx.path_graph(5), seeds=[0], p=0.8, steps=4,
    ...                                         seed=s) for s in range(3)]
    >>> fig = sk.plot.adoption_curve(runs, observed=[0, 1, 2, None, None], name="cascade")
    >>> [t.name for t in fig.data]
    ['cascade (3 runs, min–max)', 'cascade', 'observed']
    >>> [float(v) for v in fig.data[-1].y]
    [0.2, 0.4, 0.6]
    """
    groups = _groups(runs, name)
    if not groups and observed is None:
        raise ValueError("adoption_curve: give runs=, observed= or both")
    fig = go.Figure()
    for i, (label, group) in enumerate(groups.items()):
        if not group:
            raise ValueError(f"adoption_curve: no runs for {label!r}")
        curves = pd.concat([adoption_share(r, agents).rename(k) for k, r in enumerate(group)],
                           axis=1).sort_index().ffill()
        x = start + curves.index.to_numpy(dtype=float)
        colour = PALETTE[i % len(PALETTE)]
        if band and len(group) > 1:
            lo, hi = curves.min(axis=1), curves.max(axis=1)
            fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                                     y=np.concatenate([hi.to_numpy(), lo.to_numpy()[::-1]]),
                                     fill="toself", line=dict(width=0), hoverinfo="skip",
                                     fillcolor=_alpha(colour, 0.2),
                                     name=f"{label} ({len(group)} runs, min–max)"))
        fig.add_trace(go.Scatter(x=x, y=curves.mean(axis=1).to_numpy(), mode="lines",
                                 name=label, line=dict(color=colour, width=2.5)))
    if observed is not None:
        obs = _observed_curve(observed)
        fig.add_trace(go.Scatter(x=obs.index.to_numpy(), y=obs.to_numpy(), mode="lines+markers",
                                 line_shape="hv", name=observed_name,
                                 line=dict(color="#000000", width=2), marker=dict(size=6)))
    fig.update_layout(template=TEMPLATE, title=title or "cumulative adoption",
                      xaxis_title=time_label, yaxis_title="share adopted",
                      yaxis_range=[0, 1.02], height=420)
    return fig


def _alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
