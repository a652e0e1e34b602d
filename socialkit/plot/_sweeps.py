"""Figures of a parameter sweep: an outcome against a parameter with interval ribbons over seeds,
a heatmap over two parameters, one panel per model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from socialkit.plot._style import finish, palette, rgba

__all__ = ["sweep", "sweep_heatmap"]


def _check(result):
    from socialkit.experiments import Sweep

    if not isinstance(result, Sweep):
        raise TypeError(f"expected the result of socialkit.experiments.sweep (a Sweep), got "
                        f"{type(result).__name__}")
    return result


def _outcome(result, y: str | None) -> str:
    numeric = result.numeric_outcomes()
    if y is None:
        if not numeric:
            raise ValueError("this sweep has no numeric outcome to plot")
        return numeric[0]
    if y not in numeric:
        raise ValueError(f"y={y!r} is not a numeric outcome of this sweep; outcomes: {numeric}")
    return y


def _varied(result) -> list[str]:
    t = result.table
    return [p for p in result.params if t[p].nunique(dropna=False) > 1]


def _param(result, name: str | None, role: str, exclude: tuple = ()) -> str | None:
    if name is None:
        return None
    if name not in result.params:
        raise ValueError(f"{role}={name!r} is not a swept parameter; parameters: {result.params}")
    if name in exclude:
        raise ValueError(f"{role}={name!r} is already used for another role")
    return name


def _where(result, where: dict | None) -> tuple[pd.DataFrame, dict]:
    """The table rows matching ``where`` (column -> value) and the checked filter."""
    where = dict(where or {})
    t = result.table
    for k, v in where.items():
        if k not in result.params and k != "model":
            raise ValueError(f"where: {k!r} is not a swept parameter; parameters: "
                             f"{result.params}")
        if not (t[k] == v).any():
            raise ValueError(f"where: no run has {k} = {v!r}; values: "
                             f"{list(dict.fromkeys(t[k]))}")
        t = t[t[k] == v]
    return t, where


def _only(summary: pd.DataFrame, where: dict) -> pd.DataFrame:
    for k, v in where.items():
        summary = summary[summary[k] == v]
    return summary


def _extra(table: pd.DataFrame, params: list, used: tuple, what: str) -> None:
    extra = [p for p in params if p not in used and table[p].nunique(dropna=False) > 1]
    if extra:
        raise ValueError(f"the sweep also varies {extra}: {what} shows "
                         f"{' and '.join(u for u in used if u)}; pick values with "
                         f"where={{{extra[0]!r}: ...}}" + (" or draw it as color=" if
                                                            what == "this figure" else ""))


def _panels(result) -> list:
    t = result.table
    if "model" in t.columns:
        return list(dict.fromkeys(t["model"]))
    return [None]


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def sweep(result, y: str | None = None, x: str | None = None, color: str | None = None, *,
          where: dict | None = None, ci: float = 0.95, points: bool = True,
          title: str | None = None) -> go.Figure:
    """An outcome against a swept parameter: the mean over seeds with its interval ribbon.

    One line per value of ``color`` (a second parameter), one panel per model (for
    :func:`socialkit.experiments.compare_models`), each seed's run as a faint point.

    Parameters
    ----------
    result : socialkit.experiments.Sweep
    y : str, optional
        Outcome (default: the first numeric one).
    x : str, optional
        Parameter on the x axis (default: the first parameter that varies; ``"model"`` when
        models are compared over seeds only, or when asked for).
    color : str, optional
        Parameter drawn as separate lines (default: the next parameter that varies, if any).
    where : dict, optional
        Draw only the runs with these parameter values (e.g. ``{"mu": 0.5}``); every other
        varied parameter must be ``x`` or ``color``.
    ci : float
        Coverage of the t interval over seeds (see ``result.summary``).
    points : bool
        Draw every run's value.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> res = sk.experiments.sweep(sk.dynamics.deffuant, {"epsilon": [0.1, 0.2, 0.3]}, seeds=3,
    ...                            inputs={"G": None, "opinions": [i / 49 for i in range(50)],
    ...                                    "steps": 10}, progress=False)
    >>> fig = sk.plot.sweep(res, "opinion.sd")
    >>> [t.name for t in fig.data if t.showlegend is not False]
    ['mean (95% CI)']
    """
    result = _check(result)
    y = _outcome(result, y)
    rows, where = _where(result, where)
    varied = [p for p in _varied(result) if p not in where]
    compared = "model" in result.table.columns
    if x is None:
        if not varied and not compared:
            raise ValueError("no parameter varies in this sweep: nothing to put on the x axis")
        x = varied[0] if varied else "model"
    if not (x == "model" and compared):
        x = _param(result, x, "x")
    if color is None:
        rest = [p for p in varied if p != x]
        color = rest[0] if rest else None
    color = _param(result, color, "color", (x,))
    _extra(rows, result.params, (x, color), "this figure")
    summary = _only(result.summary(ci=ci, outcomes=[y]), where)
    table = rows[rows["status"] == "ok"]
    models = [None] if x == "model" else _panels(result)
    fig = make_subplots(rows=1, cols=len(models), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=None if models == [None] else [str(m) for m in models])
    groups = [None] if color is None else list(dict.fromkeys(rows[color]))
    colours = palette(len(groups))
    numeric_x = _numeric(rows[x])
    for col, m in enumerate(models, start=1):
        s = summary if m is None else summary[summary["model"] == m]
        tt = table if m is None else table[table["model"] == m]
        for g, colour in zip(groups, colours, strict=True):
            sg = s if g is None else s[s[color] == g]
            tg = tt if g is None else tt[tt[color] == g]
            sg = sg.sort_values(x) if numeric_x else sg
            name = "mean" if g is None else f"{color}={g}"
            xs = sg[x].tolist()
            first = col == 1
            ok = sg["low"].notna()
            if numeric_x and ok.any():
                xo = sg.loc[ok, x].tolist()
                fig.add_trace(go.Scatter(
                    x=xo + xo[::-1], y=sg.loc[ok, "high"].tolist() + sg.loc[ok, "low"].tolist()[::-1],
                    fill="toself", fillcolor=rgba(colour, 0.2), line=dict(width=0),
                    mode="lines", hoverinfo="skip", showlegend=False,
                    name=f"{name} {ci:.0%} CI"), row=1, col=col)
            err = None if numeric_x else dict(
                type="data", symmetric=False, array=(sg["high"] - sg["mean"]).tolist(),
                arrayminus=(sg["mean"] - sg["low"]).tolist(), color=colour)
            fig.add_trace(go.Scatter(  # categories are not joined by lines
                x=xs, y=sg["mean"], mode="lines+markers" if numeric_x else "markers",
                error_y=err,
                name=f"{name} ({ci:.0%} CI)" if g is None else name, legendgroup=name,
                showlegend=first, line=dict(color=colour, width=2),
                marker=dict(size=6 if numeric_x else 10, color=colour),
                customdata=sg[["n", "low", "high"]].to_numpy(),
                hovertemplate=f"{x}=%{{x}}<br>{y} mean %{{y:.4g}}<br>{ci:.0%} CI "
                              "[%{customdata[1]:.4g}, %{customdata[2]:.4g}]<br>n = "
                              "%{customdata[0]} seeds<extra>" + name + "</extra>"),
                row=1, col=col)
            if points and len(tg):
                fig.add_trace(go.Scatter(
                    x=tg[x], y=tg[y], mode="markers", legendgroup=name, showlegend=False,
                    marker=dict(color=rgba(colour, 0.35), size=5, line=dict(width=0)),
                    name=f"{name} runs", customdata=tg[["seed", "run_id"]].to_numpy(),
                    hovertemplate=f"{x}=%{{x}}<br>{y} %{{y:.4g}}<br>seed %{{customdata[0]}}"
                                  "<extra></extra>"), row=1, col=col)
        fig.update_xaxes(title_text=x, row=1, col=col,
                         type=None if numeric_x else "category")
    fig.update_yaxes(title_text=y, row=1, col=1)
    seeds = result.table["seed"].nunique()
    head = title or f"{y} by {x}" + (f" and {color}" if color else "") + \
        (" per model" if models != [None] else "")
    if x == "model":
        fig.update_xaxes(title_text="model")
    fig.update_layout(legend_title_text=color or "", showlegend=len(groups) > 1 or points)
    return finish(fig, f"{head}<br><sup>mean over {seeds} seeds with its {ci:.0%} t interval"
                       + ("; points: single runs" if points else "") + "</sup>")


def sweep_heatmap(result, x: str | None = None, y: str | None = None, z: str | None = None, *,
                  stat: str = "mean", where: dict | None = None,
                  title: str | None = None) -> go.Figure:
    """A heatmap of an outcome over a two-parameter grid (one panel per model).

    Parameters
    ----------
    result : socialkit.experiments.Sweep
    x, y : str, optional
        The two parameters (default: the first two that vary).
    z : str, optional
        Outcome (default: the first numeric one).
    stat : {"mean", "sd", "n"}
        What each cell shows: the mean over seeds, their sd, or how many runs have a value.
    where : dict, optional
        Only the runs with these values of the other parameters.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> res = sk.experiments.sweep(sk.dynamics.deffuant,
    ...                            {"epsilon": [0.1, 0.3], "mu": [0.1, 0.5]}, seeds=2,
    ...                            inputs={"G": None, "opinions": [i / 49 for i in range(50)],
    ...                                    "steps": 10}, progress=False)
    >>> fig = sk.plot.sweep_heatmap(res, z="opinion.sd")
    >>> fig.data[0].z.shape
    (2, 2)
    """
    result = _check(result)
    if stat not in ("mean", "sd", "n"):
        raise ValueError(f"stat must be 'mean', 'sd' or 'n', got {stat!r}")
    z = _outcome(result, z)
    rows, where = _where(result, where)
    varied = [p for p in _varied(result) if p not in where]
    if x is None or y is None:
        free = [p for p in varied if p not in (x, y)]
        if x is None:
            x = free.pop(0) if free else None
        if y is None:
            y = free.pop(0) if free else None
    if x is None or y is None:
        raise ValueError(f"a heatmap needs two parameters that vary; this sweep varies {varied}")
    x = _param(result, x, "x")
    y = _param(result, y, "y", (x,))
    summary = _only(result.summary(outcomes=[z]), where)
    _extra(rows, result.params, (x, y), "a heatmap")
    models = _panels(result)
    fig = make_subplots(rows=1, cols=len(models), shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=None if models == [None] else [str(m) for m in models])
    values = summary[stat].to_numpy(dtype=float)
    lo, hi = (np.nanmin(values), np.nanmax(values)) if np.isfinite(values).any() else (0, 1)
    for col, m in enumerate(models, start=1):
        s = summary if m is None else summary[summary["model"] == m]
        grid = s.pivot_table(index=y, columns=x, values=stat, aggfunc="first", dropna=False)
        n = s.pivot_table(index=y, columns=x, values="n", aggfunc="first", dropna=False)
        low = s.pivot_table(index=y, columns=x, values="low", aggfunc="first", dropna=False)
        high = s.pivot_table(index=y, columns=x, values="high", aggfunc="first", dropna=False)
        text = np.vectorize(lambda v: "" if not np.isfinite(v) else f"{v:.3g}")(grid.to_numpy())
        fig.add_trace(go.Heatmap(
            x=[str(v) for v in grid.columns], y=[str(v) for v in grid.index],
            z=grid.to_numpy(), text=text, texttemplate="%{text}", coloraxis="coloraxis",
            customdata=np.dstack([n.to_numpy(), low.to_numpy(), high.to_numpy()]),
            hovertemplate=f"{x}=%{{x}}<br>{y}=%{{y}}<br>{z} {stat} %{{z:.4g}}<br>95% CI "
                          "[%{customdata[1]:.4g}, %{customdata[2]:.4g}]<br>n = "
                          "%{customdata[0]}<extra></extra>"), row=1, col=col)
        fig.update_xaxes(title_text=x, type="category", row=1, col=col)
    fig.update_yaxes(type="category")
    fig.update_yaxes(title_text=y, row=1, col=1)
    fig.update_layout(coloraxis=dict(colorscale="Cividis", cmin=lo, cmax=hi, colorbar=dict(
        title=dict(text=f"{z}<br>{stat}", side="top"))))
    seeds = result.table["seed"].nunique()
    what = {"mean": "mean over", "sd": "sd across", "n": "runs with a value out of"}[stat]
    head = title or f"{z} over {x} × {y}" + (" per model" if models != [None] else "")
    return finish(fig, f"{head}<br><sup>each cell: {what} {seeds} seeds</sup>")
