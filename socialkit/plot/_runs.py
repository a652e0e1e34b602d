"""Figures of a Run's trajectory: lines over time, and distributions at chosen steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.plot._style import PALETTE, finish, palette, rgba
from socialkit.run import Run

__all__ = ["trajectories", "distribution"]

_BANDS = {True: "sd", "sd": "sd", "range": "range", "ci": "ci"}
_BAND_NAMES = {"sd": "mean ± 1 sd", "range": "min – max", "ci": "mean ± 95% CI"}
_MAX_GROUPS = len(PALETTE)
_MAX_POINTS = 200_000  # individual-line points drawn before steps are thinned


def _check_run(run) -> None:
    if not isinstance(run, Run):
        raise TypeError(f"expected a socialkit.Run, got {type(run).__name__}")


def _runs(run) -> list[Run]:
    if isinstance(run, Run):
        return [run]
    if isinstance(run, Sequence) and not isinstance(run, str) and len(run) > 0:
        for r in run:
            _check_run(r)
        return list(run)
    raise TypeError(f"expected a socialkit.Run or a non-empty list of Runs (seed replicates), "
                    f"got {type(run).__name__}")


def _groups(by, population, agents: np.ndarray) -> pd.Series:
    """Group label of each agent (index: agent id), from a mapping or an attribute."""
    if isinstance(by, str):
        if population is None:
            raise ValueError(f"by={by!r} names an attribute: pass population= (a Population, a "
                             "DataFrame with an 'agent' column, or a networkx graph)")
        if hasattr(population, "column"):  # socialkit.Population
            values = population.column(by)
        elif isinstance(population, pd.DataFrame):
            if by not in population.columns:
                raise ValueError(f"column {by!r} not in the DataFrame; columns: {list(population)}")
            values = (population.set_index("agent")[by] if "agent" in population.columns
                      else population[by])
        elif hasattr(population, "nodes"):  # networkx graph
            values = pd.Series(dict(population.nodes(data=by)))
            if values.isna().all():
                raise ValueError(f"no node of the graph has the attribute {by!r}")
        else:
            raise TypeError("population must be a Population, a DataFrame or a networkx graph, "
                            f"got {type(population).__name__}")
    elif isinstance(by, Mapping | pd.Series):
        values = pd.Series(by)
    else:
        raise TypeError(f"by must be an attribute name or a mapping agent -> group, "
                        f"got {type(by).__name__}")
    values = values.reindex(agents)
    if values.isna().all():
        raise ValueError("by= gives no group to any agent of the run (agent ids do not match)")
    if not isinstance(values.dtype, pd.CategoricalDtype) and \
            pd.api.types.is_numeric_dtype(values) and values.nunique() > _MAX_GROUPS:
        values = pd.qcut(values, 4, duplicates="drop")  # quartiles of a number
    if isinstance(values.dtype, pd.CategoricalDtype):  # keep the categories' order
        order = list(values.cat.remove_unused_categories().cat.categories)
    else:
        order = list(values.dropna().unique())
        try:
            order = sorted(order)
        except TypeError:
            order = sorted(order, key=str)
    order = [str(g) for g in order] + (["missing"] if values.isna().any() else [])
    if len(order) > _MAX_GROUPS:
        raise ValueError(f"by= has {len(order)} groups; at most {_MAX_GROUPS} can be told "
                         "apart: merge or bin them first (e.g. pandas.cut)")
    labels = values.astype("object").map(lambda g: "missing" if pd.isna(g) else str(g))
    return labels, order


def _stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-row (step) mean, sd, min, max and count across columns."""
    return pd.DataFrame({"mean": frame.mean(axis=1), "sd": frame.std(axis=1, ddof=0),
                         "min": frame.min(axis=1), "max": frame.max(axis=1),
                         "n": frame.notna().sum(axis=1)})


def _summary(run: Run, variable: str) -> pd.DataFrame:
    s = run.summary(variable)
    if "mean" not in s:
        raise ValueError(f"this run recorded {variable!r} as a summary without a mean "
                         f"(statistics: {list(s.columns)}); record per-agent values, or plot "
                         "the recorded statistics directly")
    return s


def _band_limits(s: pd.DataFrame, band: str):
    if band == "range" or ("sd" not in s):
        return s["min"], s["max"]
    half = s["sd"] * (1.96 / np.sqrt(s["n"].clip(lower=1)) if band == "ci" and "n" in s else 1)
    return s["mean"] - half, s["mean"] + half


def _lines(frame: pd.DataFrame, max_lines: int, seed: int) -> tuple[list, list, int]:
    """x and y of many lines as one trace (None-separated), columns sampled, steps thinned."""
    cols = frame.columns.to_numpy()
    if len(cols) > max_lines:
        cols = np.sort(np.random.default_rng(seed).choice(cols, max_lines, replace=False))
    every = max(1, int(np.ceil(len(frame) * len(cols) / _MAX_POINTS)))
    sub = frame.iloc[::every] if every > 1 else frame
    if every > 1 and sub.index[-1] != frame.index[-1]:
        sub = pd.concat([sub, frame.iloc[[-1]]])
    steps = sub.index.to_list() + [None]
    xs, ys = [], []
    for c in cols:
        xs.extend(steps)
        ys.extend(sub[c].to_list() + [None])
    return xs, ys, len(cols)


def _state_shares(run, variable: str, states: list) -> go.Figure:
    """Share of agents in each state over time (diffusion runs: S/I/R, inactive/active)."""
    t = run.trajectory
    agg = t[(t["agent"] == -1) & t["variable"].str.startswith(f"{variable}.share_")]
    if not agg.empty:
        shares = agg.assign(state=agg["variable"].str.slice(len(variable) + 7)).pivot(
            index="step", columns="state", values="value")
    else:
        w = run.wide(variable)
        shares = pd.DataFrame({s: (w == code).mean(axis=1) for code, s in enumerate(states)})
    fig = go.Figure()
    for k, state in enumerate(states):
        if state in shares:
            fig.add_trace(go.Scatter(x=shares.index, y=shares[state], mode="lines", name=state,
                                     line=dict(color=PALETTE[k % len(PALETTE)], width=2.5)))
    return finish(fig, f"{run.model}: share of agents by {variable}", 420, xaxis_title="step",
                  yaxis_title="share of agents", yaxis_range=[0, 1])


def trajectories(run, variable: str | None = None, by=None, population=None,
                 band: bool | str = True, max_agents: int = 200, seed: int = 0) -> go.Figure:
    """Lines over time: a sample of agents (or of replicates), and the mean with a band.

    Parameters
    ----------
    run : socialkit.Run or list of Run
        One run (lines are agents; the band spans agents) or seed replicates of one
        experiment (lines are the replicates' means; the band spans replicates).
    variable : str, optional
        Variable to plot (default: the run's only variable).
    by : str or mapping, optional
        Colour groups of agents: a mapping / Series agent -> group, or an attribute name looked
        up in ``population``. Numbers with many values are cut into quartiles.
    population : Population, DataFrame or networkx graph, optional
        Where ``by`` is looked up (a DataFrame needs an ``agent`` column or index).
    band : bool or {"sd", "range", "ci"}
        ``True``/``"sd"``: mean ± 1 sd; ``"range"``: min to max; ``"ci"``: 95% confidence
        interval of the mean; ``False``: no band.
    max_agents : int
        Most individual lines drawn (sampled with ``seed``); long runs are also thinned in time
        so at most 200,000 points are drawn. 0 draws only the mean and band.
    seed : int
        Seed of the line sample.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> G = sk.network.barabasi_albert(100, 2, seed=0)
    >>> opinions = [i / 99 for i in range(100)]
    >>> run = sk.dynamics.deffuant(G, opinions, steps=5, seed=0)
    >>> trajectories(run).layout.yaxis.title.text
    'opinion'
    >>> side = {a: "left" if a < 50 else "right" for a in range(100)}
    >>> [t.name for t in trajectories(run, by=side, max_agents=0).data if t.showlegend]
    ['left', 'right']
    >>> reps = [sk.dynamics.deffuant(G, opinions, steps=5, seed=s) for s in range(3)]
    >>> trajectories(reps, band="range").data[0].name
    'replicates (3)'
    """
    runs = _runs(run)
    states = runs[0].params.get("states")
    if states and len(runs) == 1 and by is None:
        return _state_shares(runs[0], runs[0].variable_name(variable), list(states))
    if band not in _BANDS and band not in (False, None):
        raise ValueError(f"band must be True, False, 'sd', 'range' or 'ci', got {band!r}")
    band = _BANDS.get(band)
    if isinstance(max_agents, bool) or not isinstance(max_agents, int | np.integer) \
            or max_agents < 0:
        raise ValueError(f"max_agents must be an integer >= 0, got {max_agents!r}")
    variable = runs[0].variable_name(variable)
    per_agent = all(variable in r.variables for r in runs)
    if by is not None and not per_agent:
        raise ValueError("by= needs per-agent values; this run was recorded with "
                         "record='summary'")
    agents = np.unique(np.concatenate([r.wide(variable).columns.to_numpy() for r in runs])) \
        if by is not None else None
    groups, names = _groups(by, population, agents) if by is not None else (None, [None])
    per_group = max_agents if groups is None else -(-max_agents // len(names))
    fig = go.Figure()
    for k, name in enumerate(names):
        colour = PALETTE[0] if name is None else palette(len(names))[k]
        members = None if name is None else groups.index[groups == name]
        if len(runs) == 1:
            w = runs[0].wide(variable) if per_agent else None
            if w is not None and members is not None:
                w = w.loc[:, w.columns.isin(members)]
            s = _stats(w) if w is not None else _summary(runs[0], variable)
            lines, label = w, "agents"
        else:
            means = {}
            for i, r in enumerate(runs):
                if per_agent:
                    w = r.wide(variable)
                    means[i] = (w if members is None else w.loc[:, w.columns.isin(members)]) \
                        .mean(axis=1)
                else:
                    means[i] = _summary(r, variable)["mean"]
            lines = pd.DataFrame(means)
            s, label = _stats(lines), "replicates"
        prefix = "" if name is None else f"{name}: "
        if lines is not None and max_agents:
            xs, ys, shown = _lines(lines, per_group, seed)
            alpha = float(np.clip(3 / np.sqrt(shown * len(names)), 0.08, 0.5))
            fig.add_trace(go.Scattergl(
                x=xs, y=ys, mode="lines", legendgroup=str(name), showlegend=name is None,
                name=f"{label} ({shown}{' shown' if shown < lines.shape[1] else ''})",
                line=dict(width=0.8, color=rgba(colour, alpha)), hoverinfo="skip"))
        if band:
            lo, hi = _band_limits(s, band)
            fill = rgba(PALETTE[1], 0.25) if name is None else rgba(colour, 0.12)
            fig.add_trace(go.Scatter(
                x=list(s.index) + list(s.index[::-1]), y=list(hi) + list(lo[::-1]),
                fill="toself", fillcolor=fill, line=dict(width=0), hoverinfo="skip",
                legendgroup=str(name), name=prefix + _BAND_NAMES[band], showlegend=name is None))
        fig.add_trace(go.Scatter(
            x=s.index, y=s["mean"], mode="lines", name=prefix + "mean" if name is None else name,
            legendgroup=str(name), showlegend=True,
            line=dict(color=PALETTE[1] if name is None else colour,
                                             width=2.5)))
    model = runs[0].model
    reps = f" ({len(runs)} replicates)" if len(runs) > 1 else ""
    _flat_guard(fig)
    legend = None
    if groups is not None:
        legend = (by if isinstance(by, str) else "group") + (
            f" (mean, {_BAND_NAMES[band].replace('mean ', '')})" if band else " (mean)")
    n_steps = len(runs[0].steps)
    return finish(fig, f"{model}: {variable} over time{reps}", 420, xaxis_title="step",
                  yaxis_title=variable, legend_title_text=legend,
                  xaxis_dtick=1 if n_steps <= 12 else None)


def _flat_guard(fig: go.Figure) -> None:
    """A variable that does not change (a conserved mean) gets a readable y range."""
    ys = np.concatenate([np.asarray([v for v in t.y if v is not None], dtype=float)
                         for t in fig.data if t.y is not None and len(t.y)])
    ys = ys[np.isfinite(ys)]
    if ys.size and ys.max() - ys.min() <= 1e-9 * max(1.0, float(np.abs(ys).max())):
        level, pad = float(ys.mean()), 0.05 * max(1.0, abs(float(ys.mean())))
        fig.update_yaxes(range=[level - pad, level + pad])


def _recorded_steps(w: pd.DataFrame, steps, n_default: int) -> list:
    if steps is None:
        if n_default <= 2:
            return [w.index[0], w.index[-1]]
        idx = np.unique(np.linspace(0, len(w.index) - 1, n_default).round().astype(int))
        return [w.index[i] for i in idx]
    steps = list(steps)
    unknown = [s for s in steps if s not in w.index]
    if unknown:
        raise ValueError(f"steps {unknown} were not recorded; recorded: {w.index.tolist()[:10]}...")
    if not steps:
        raise ValueError("steps is empty: give at least one recorded step")
    return steps


def distribution(run: Run, variable: str | None = None, steps=None, bins: int = 40,
                 kind: str = "histogram") -> go.Figure:
    """Distributions of ``variable`` at chosen steps: overlaid histograms or a ridge plot.

    Parameters
    ----------
    run : socialkit.Run
        A run with per-agent values.
    variable : str, optional
        Variable to plot (default: the run's only variable).
    steps : list of int, optional
        Recorded steps to show; default: first and last (histogram) or 8 evenly spaced (ridge).
    bins : int
        Number of bins.
    kind : {"histogram", "ridge"}
        Overlaid histograms, or one density curve per step stacked over time.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> G = sk.network.barabasi_albert(100, 2, seed=0)
    >>> run = sk.dynamics.deffuant(G, [i / 99 for i in range(100)], steps=5, seed=0)
    >>> [t.name for t in distribution(run).data]
    ['step 0', 'step 5']
    >>> len(distribution(run, kind="ridge", steps=[0, 2, 5]).data)
    3
    """
    _check_run(run)
    if kind not in ("histogram", "ridge"):
        raise ValueError(f"kind must be 'histogram' or 'ridge', got {kind!r}")
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    w = run.wide(variable)
    variable = run.variable_name(variable)
    steps = _recorded_steps(w, steps, 2 if kind == "histogram" else 8)
    fig = go.Figure()
    title = f"{run.model}: distribution of {variable}"
    if kind == "histogram":
        for i, st in enumerate(steps):
            fig.add_trace(go.Histogram(x=w.loc[st], name=f"step {st}", opacity=0.6, nbinsx=bins,
                                       marker_color=PALETTE[i % len(PALETTE)]))
        return finish(fig, title, 380, barmode="overlay", xaxis_title=variable,
                      yaxis_title="agents")
    values = w.loc[steps].to_numpy(dtype=float)
    lo, hi = np.nanmin(values), np.nanmax(values)
    edges = np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    dens = np.array([np.histogram(v[np.isfinite(v)], edges)[0] for v in values], dtype=float)
    dens = np.apply_along_axis(lambda d: np.convolve(d, [0.25, 0.5, 0.25], "same"), 1, dens)
    dens /= max(dens.max(), 1e-12) / 1.6  # the tallest ridge overlaps the next one a little
    for i, st in enumerate(steps):
        base = float(len(steps) - 1 - i)  # first step on top, time runs downwards
        fig.add_trace(go.Scatter(
            x=np.r_[centres, centres[::-1]], y=np.r_[base + dens[i], np.full(bins, base)],
            fill="toself", mode="lines", name=f"step {st}", showlegend=False, hoverinfo="name",
            line=dict(color=PALETTE[0], width=1), fillcolor=rgba(PALETTE[0], 0.35)))
    ticks = [float(len(steps) - 1 - i) for i in range(len(steps))]
    return finish(fig, title + " over time", 120 + 45 * len(steps), xaxis_title=variable,
                  yaxis=dict(title="step", tickvals=ticks, ticktext=[str(s) for s in steps],
                             showgrid=False, zeroline=False))
