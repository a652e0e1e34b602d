"""Figure of answers from ``socialkit.ask``: the share of each option, several runs side by side."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from socialkit.plot._style import finish, palette

__all__ = ["answers"]


def answers(results: pd.DataFrame | Mapping[str, pd.DataFrame], question: str | None = None,
            reference: Mapping | None = None, weights: pd.Series | None = None) -> go.Figure:
    """Bars of the share of each option of a closed question (from the answers' ``dist``).

    Parameters
    ----------
    results : DataFrame or dict of name -> DataFrame
        One ``socialkit.ask`` result, or several to compare (e.g. one log-probability call vs
        sampled calls, two models).
    question : str, optional
        The question to show (default: the first closed question of the first result).
    reference : dict, optional
        Option -> share of a reference (e.g. the real survey), drawn as black outlines.
    weights : Series, optional
        Agent weights (indexed by agent) for the shares.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import socialkit as sk
    >>> model = sk.llm.scripted(lambda m: "B" if "farmer" in m[0]["content"] else "A")
    >>> res = sk.ask(["a farmer", "a nurse"], sk.Choice("Vote?", ["Clinton", "Dole"]),
    ...              model=model, progress=False)
    >>> fig = sk.plot.answers(res, reference={"Clinton": 0.55, "Dole": 0.45})
    >>> [t.name for t in fig.data], list(fig.data[0].y)
    (['answers', 'reference'], [0.5, 0.5])
    """
    from socialkit.llm.results import distribution

    runs = {"answers": results} if isinstance(results, pd.DataFrame) else results
    if not isinstance(runs, Mapping) or not runs or \
            not all(isinstance(r, pd.DataFrame) for r in runs.values()):
        raise TypeError("results must be a DataFrame from socialkit.ask or a dict of them")
    tables = {name: distribution(df, question, weights) for name, df in runs.items()}
    first = next(iter(tables.values()))
    if first.empty:
        raise ValueError("no closed question with answers to show")
    name = question if question is not None else first["question"].iloc[0]
    fig = go.Figure()
    colours = palette(len(tables))
    for (label, table), colour in zip(tables.items(), colours, strict=True):
        t = table[table["question"] == name]
        fig.add_bar(x=[str(o) for o in t["option"]], y=t["share"].tolist(), name=label,
                    marker_color=colour,
                    hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>")
    if reference is not None:
        opts = [str(o) for o in first.loc[first["question"] == name, "option"]]
        ref = {str(k): float(v) for k, v in reference.items()}
        fig.add_bar(x=opts, y=[ref.get(o, 0.0) for o in opts], name="reference",
                    marker=dict(color="rgba(0,0,0,0)", line=dict(color="#000", width=2)))
    n = int(first.loc[first["question"] == name, "n"].iloc[0])
    return finish(fig, f"{name} ({n} agents)", 380, barmode="group", yaxis_title="share",
                  yaxis_tickformat=".0%", xaxis_title="answer")
