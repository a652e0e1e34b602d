"""Figures of ideas spreading: belief states (S/I/R) with intervention marks, a story's drift by
day and role mix, story similarity by generation, and a news story's versions side by side."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.plot._style import PALETTE, finish, rgba, whole_ticks
from socialkit.run import Run

__all__ = ["sir_curves", "deviation", "similarity_by_generation", "versions"]

_STATES = ("susceptible", "infected", "recovered")
_DASH = {"susceptible": "dot", "infected": "solid", "recovered": "dash"}


def _groups(runs: Any, what: str) -> dict[str, list[Run]]:
    if isinstance(runs, Run):
        return {"": [runs]}
    if isinstance(runs, Mapping) and runs:
        out = {}
        for label, v in runs.items():
            rs = [v] if isinstance(v, Run) else list(v) if isinstance(v, Sequence) else None
            if not rs or not all(isinstance(r, Run) for r in rs):
                raise TypeError(f"{what}: runs[{label!r}] must be a Run or a list of Runs")
            out[str(label)] = rs
        return out
    if isinstance(runs, Sequence) and not isinstance(runs, str) and runs and \
            all(isinstance(r, Run) for r in runs):
        return {"": list(runs)}
    raise TypeError(f"{what} needs a Run, a list of Runs (seed replicates) or a dict of label "
                    f"-> Runs, got {type(runs).__name__}")


def _band(fig: go.Figure, x, lo, hi, colour: str, name: str, group: str,
          clip: tuple[float, float] | None = None) -> None:
    ok = ~(np.isnan(np.asarray(lo, float)) | np.isnan(np.asarray(hi, float)))
    if not ok.any():
        return
    x, lo, hi = np.asarray(x)[ok], np.asarray(lo, float)[ok], np.asarray(hi, float)[ok]
    if clip is not None:
        lo, hi = np.clip(lo, *clip), np.clip(hi, *clip)
    fig.add_trace(go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[hi, lo[::-1]], fill="toself",
                             mode="lines",
                             fillcolor=rgba(colour, 0.15), line=dict(width=0), hoverinfo="skip",
                             name=name, legendgroup=group, showlegend=False))


def _mean_ci(frame: pd.DataFrame) -> pd.DataFrame:
    from socialkit.scenarios import mean_ci

    got = [mean_ci(frame.loc[i].to_numpy()) for i in frame.index]
    return pd.DataFrame(got, index=frame.index, columns=["mean", "low", "high"])


def sir_curves(runs: Any, states: Sequence[str] = _STATES, title: str | None = None
               ) -> go.Figure:
    """Shares of agents susceptible, infected (believing) and recovered by day, as the mean of
    the runs (seed replicates) with a 95% interval band, and a dotted vertical line on each day
    an announcement (an official refutation) was made in any of the runs.

    Parameters
    ----------
    runs : Run, list of Run, or dict of label -> Run or list of Run
        Runs with ``sir.*`` measures (:func:`socialkit.scenarios.fps`); a dict draws one
        colour per label (e.g. topics), a line style per state.
    states : sequence of str
        Which of ``susceptible``, ``infected``, ``recovered`` to draw.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> t = pd.DataFrame({"step": [0, 1, 0, 1], "agent": -1,
    ...                   "variable": ["sir.infected", "sir.infected", "broadcast.on",
    ...                                "broadcast.on"], "value": [1.0, 3.0, 0.0, 1.0]})
    >>> run = sk.Run(t, params={"n_agents": 4})
    >>> fig = sk.plot.sir_curves(run, states=["infected"])
    >>> [tr.name for tr in fig.data], fig.layout.shapes[0].x0
    (['infected'], 1)
    """
    groups = _groups(runs, "sir_curves")
    bad = [s for s in states if s not in _STATES]
    if bad or not states:
        raise ValueError(f"sir_curves states must be among {list(_STATES)}, got {list(states)}")
    fig = go.Figure()
    marks: set[int] = set()
    for gi, (label, rs) in enumerate(groups.items()):
        for si, state in enumerate(states):
            cols = {}
            for i, r in enumerate(rs):
                m = r.measures()
                if f"sir.{state}" not in m:
                    raise ValueError(f"sir_curves: a run has no 'sir.{state}' measure (not an "
                                     "fps run?)")
                n = float(r.params.get("n_agents", 0) if isinstance(r.params, dict) else 0) or \
                    float(m[[c for c in m if c.startswith("sir.") and c.split(".")[1] in
                             _STATES]].iloc[0].sum())
                cols[i] = m[f"sir.{state}"] / n
                if "broadcast.on" in m:
                    marks |= {int(s) for s in m.index[m["broadcast.on"] > 0]}
            stats = _mean_ci(pd.DataFrame(cols))
            colour = PALETTE[(gi if len(groups) > 1 else si) % len(PALETTE)]
            name = f"{label}: {state}" if label else state
            if len(rs) > 1:
                name += f" ({len(rs)} runs)"
                _band(fig, stats.index, stats["low"], stats["high"], colour, name, name,
                      clip=(0.0, 1.0))
            fig.add_trace(go.Scatter(x=stats.index, y=stats["mean"], mode="lines+markers",
                                     name=name, legendgroup=name,
                                     line=dict(color=colour, width=2.5,
                                               dash=_DASH[state] if len(groups) > 1 else
                                               "solid")))
    for s in sorted(marks):
        fig.add_vline(x=s, line=dict(color="#555", dash="dot", width=1))
    if marks:
        fig.add_annotation(x=min(marks), y=1.02, yref="paper", text="official refutation",
                           showarrow=False, xanchor="left", font=dict(size=11, color="#555"))
    return whole_ticks(finish(fig, title or "Belief states by day (mean and 95% interval "
                              "across runs)", 420, xaxis_title="day",
                              yaxis_title="share of agents", yaxis_range=[0, 1.05]))


def deviation(runs: Any, measure: str = "deviation", by: str | None = None,
              title: str | None = None) -> go.Figure:
    """A story's drift from the original by day: the mean judged deviation (0-10) or the
    similarity to the original of the versions written each day, mean of the runs with a 95%
    interval, one line per label (role mix, network, intervention) or per role (``by="role"``).

    Parameters
    ----------
    runs : Run, list of Run, or dict of label -> Run or list of Run
        :func:`socialkit.scenarios.fuse` runs.
    measure : {"deviation", "similarity"}
    by : {None, "role"}
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    from socialkit.scenarios import deviation_by_day

    if measure not in ("deviation", "similarity"):
        raise ValueError(f"deviation measure must be 'deviation' or 'similarity', got "
                         f"{measure!r}")
    if by not in (None, "role"):
        raise ValueError(f"deviation by must be None or 'role', got {by!r}")
    groups = _groups(runs, "deviation")
    fig = go.Figure()
    k = 0
    for label, rs in groups.items():
        d = deviation_by_day(rs, by=by)
        d = d[d["measure"] == measure]
        keys = sorted(d[by].dropna().unique()) if by else [None]
        for key in keys:
            part = d if key is None else d[d[by] == key]
            part = part.sort_values("step")
            if part["mean"].isna().all():
                continue
            colour = PALETTE[k % len(PALETTE)]
            k += 1
            name = " · ".join(str(x) for x in (label, key) if x) or measure
            if len(rs) > 1:
                name += f" ({len(rs)} runs)"
                _band(fig, part["step"], part["low"], part["high"], colour, name, name,
                      clip=(0.0, 10.0) if measure == "deviation" else (-1.0, 1.0))
            fig.add_trace(go.Scatter(x=part["step"], y=part["mean"], mode="lines+markers",
                                     name=name, legendgroup=name,
                                     line=dict(color=colour, width=2.5)))
    if not fig.data:
        raise ValueError(f"deviation: the runs hold no {measure} values (judge or similarity "
                         "switched off?)")
    ytitle = ("judged deviation from the original (0-10)" if measure == "deviation"
              else "similarity to the original (cosine)")
    return whole_ticks(finish(fig, title or f"Drift of the story by day: {measure}", 420,
                              xaxis_title="day", yaxis_title=ytitle))


def similarity_by_generation(runs: Any, measure: str = "within", by: str = "topology",
                             title: str | None = None) -> go.Figure:
    """TF-IDF similarity of stories by generation, one line per group (topology), mean of the
    runs with a 95% interval: ``within`` (homogeneity of a generation), ``successive`` (to the
    previous generation) or ``from_first`` (to generation 0: the drift).

    Parameters
    ----------
    runs : Run, list of Run, dict of label -> Runs, or the DataFrame of
        :func:`socialkit.scenarios.similarity_by_generation`
    measure : {"within", "successive", "from_first"}
    by : str
        The run parameter grouping a list of runs.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> d = pd.DataFrame({"group": "circle", "generation": [0, 1], "measure": "within",
    ...                   "mean": [0.1, 0.3], "low": [0.05, 0.2], "high": [0.15, 0.4],
    ...                   "runs": 3})
    >>> [t.name for t in sk.plot.similarity_by_generation(d).data]
    ['circle (3 runs)', 'circle (3 runs)']
    """
    from socialkit.scenarios import similarity_by_generation as table

    if measure not in ("within", "successive", "from_first"):
        raise ValueError(f"similarity_by_generation measure must be 'within', 'successive' or "
                         f"'from_first', got {measure!r}")
    d = runs if isinstance(runs, pd.DataFrame) else table(runs, by=by)
    need = {"group", "generation", "measure", "mean", "low", "high", "runs"}
    if not need <= set(d.columns):
        raise ValueError(f"similarity_by_generation: the table lacks columns "
                         f"{sorted(need - set(d.columns))}")
    d = d[d["measure"] == measure]
    fig = go.Figure()
    for k, (label, part) in enumerate(d.groupby("group", sort=False)):
        part = part.sort_values("generation")
        if part["mean"].isna().all():
            continue
        colour = PALETTE[k % len(PALETTE)]
        n = int(part["runs"].max())
        name = f"{label} ({n} run{'s' if n != 1 else ''})"
        _band(fig, part["generation"], part["low"], part["high"], colour, name, name,
              clip=(0.0, 1.0))
        fig.add_trace(go.Scatter(x=part["generation"], y=part["mean"], mode="lines+markers",
                                 name=name, legendgroup=name, line=dict(color=colour, width=2.5)))
    label = {"within": "within a generation", "successive": "to the previous generation",
             "from_first": "to generation 0"}[measure]
    return whole_ticks(finish(fig, title or f"Story similarity {label} (TF-IDF cosine)", 420,
                              xaxis_title="generation", yaxis_title="mean cosine similarity",
                              yaxis_range=[0, 1.02]))


def versions(run: Any, agents: Sequence[int] | None = None, steps: Sequence[int] | None = None,
             width: int = 38, max_chars: int = 400, title: str | None = None) -> go.Figure:
    """A news story's versions side by side: the original, then one column per day, one row
    per agent (with its role and, when judged, each version's mean deviation).

    Parameters
    ----------
    run : Run
        A :func:`socialkit.scenarios.fuse` run (or any run whose retold texts are ``retell``
        events).
    agents : list of int, optional
        Which agents (default: up to 6 writers, in id order).
    steps : list of int, optional
        Which days (default: up to 4, spread over the run).
    width : int
        Characters per line in a cell.
    max_chars : int
        Longest text shown per cell (cut with "…").
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        A table.
    """
    from socialkit.scenarios import news_versions

    v = news_versions(run)
    if v.empty:
        raise ValueError("versions: the run holds no retold versions")
    all_steps = sorted(v["step"].unique().tolist())
    if steps is None:
        idx = np.unique(np.linspace(0, len(all_steps) - 1, min(4, len(all_steps))).round())
        steps = [all_steps[int(i)] for i in idx]
    bad = [s for s in steps if s not in all_steps]
    if bad:
        raise ValueError(f"versions: no versions on steps {bad}; steps with versions: "
                         f"{all_steps}")
    writers = sorted(v["agent"].unique().tolist())
    agents = writers[:6] if agents is None else list(agents)
    bad = [a for a in agents if a not in writers]
    if bad:
        raise ValueError(f"versions: agents {bad} wrote no version; writers: {writers[:20]}")

    def cell(text: str, dev: float | None = None) -> str:
        text = text if len(text) <= max_chars else text[:max_chars - 1] + "…"
        body = "<br>".join(textwrap.wrap(text, width))
        return body + (f"<br><i>deviation {dev:.1f}</i>" if dev is not None and
                       not np.isnan(dev) else "")

    original = run.params.get("news") if isinstance(run.params, dict) else None
    header = (["agent"] + (["original"] if original else []) +
              [f"day {s}" for s in steps])
    cols: list[list[str]] = [[f"{a}<br>{v.loc[v['agent'] == a, 'role'].iloc[0] or ''}"
                              for a in agents]]
    if original:
        cols.append([cell(original)] * len(agents))
    for s in steps:
        col = []
        for a in agents:
            row = v[(v["agent"] == a) & (v["step"] == s)]
            col.append("" if row.empty else cell(str(row["text"].iloc[0]),
                                                 float(row["deviation"].iloc[0])))
        cols.append(col)
    lines = max(c.count("<br>") for col in cols for c in col) + 1
    column = 7 * width + 16  # px of a text column at 11 px type
    fig = go.Figure(go.Table(
        columnwidth=[90] + [column] * (len(header) - 1),
        header=dict(values=[f"<b>{h}</b>" for h in header], align="left",
                    fill_color="#eee"),
        cells=dict(values=cols, align="left", height=16 * lines + 10,
                   font=dict(size=11))))
    fig = finish(fig, title or "The story's versions, side by side",
                 150 + len(agents) * (16 * lines + 12))
    fig.update_layout(width=90 + column * (len(header) - 1) + 100)  # a table needs its width
    return fig
