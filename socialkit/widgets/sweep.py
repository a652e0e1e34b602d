"""``sweep_view``: browse a sweep's runs: the outcome figure, a run chosen by its parameters,
seed and model (or by clicking its point), its record and its trajectories."""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from socialkit.widgets._common import ErrorArea, figure_widget, replace_figure

__all__ = ["sweep_view", "SweepView"]

_WIDE = {"description_width": "initial"}


class SweepView(W.VBox):
    """The widget returned by :func:`sweep_view` (an ``ipywidgets.VBox``).

    Attributes
    ----------
    result : socialkit.experiments.Sweep
    outcome : ipywidgets.Dropdown
        The outcome drawn in the overview figure.
    choosers : dict of name -> ipywidgets.Dropdown
        One per swept parameter, ``seed``, and ``model`` when models are compared.
    overview : plotly.graph_objects.FigureWidget
        :func:`socialkit.plot.sweep` of the outcome; clicking a run's point selects it.
    record : ipywidgets.HTML
        The selected run's row (status, outcomes, usage, error).
    figure : plotly.graph_objects.FigureWidget
        The selected run's trajectories (:func:`socialkit.plot.trajectories`).
    run : socialkit.Run or None
        The selected run, read from the sweep's folder.
    error : ErrorArea
    """

    def __init__(self, result, outcome: str | None = None, max_agents: int = 100):
        from socialkit.experiments import Sweep

        if not isinstance(result, Sweep):
            raise TypeError(f"sweep_view needs the result of socialkit.experiments.sweep (a "
                            f"Sweep), got {type(result).__name__}")
        if not len(result.table):
            raise ValueError("sweep_view: the sweep has no runs")
        self.result, self.max_agents = result, max_agents
        numeric = result.numeric_outcomes()
        if outcome is not None and outcome not in numeric:
            raise ValueError(f"sweep_view: outcome {outcome!r} is not a numeric outcome; "
                             f"outcomes: {numeric}")
        self.outcome = W.Dropdown(options=numeric, value=outcome or (numeric[0] if numeric
                                                                      else None),
                                  description="outcome", style=_WIDE)
        t = result.table
        names = (["model"] if "model" in t.columns else []) + result.params + ["seed"]
        self.choosers = {n: W.Dropdown(options=list(dict.fromkeys(t[n].tolist())),
                                       description=n, style=_WIDE) for n in names}
        self.error = ErrorArea()
        self.record = W.HTML()
        self.overview = figure_widget(text="no numeric outcome to draw")
        self.figure = figure_widget(text="choose a run")
        self.run = None
        self._busy = False
        self.outcome.observe(lambda _c: self.draw_overview(), names="value")
        for w in self.choosers.values():
            w.observe(lambda _c: self.show(), names="value")
        head = W.HTML(f"<b>sweep</b> {html.escape(str(result.target))}: "
                      f"{html.escape(', '.join(f'{v} {k}' for k, v in result.counts().items()))}"
                      f" runs in <code>{html.escape(str(result.folder))}</code>")
        picks = W.HBox(list(self.choosers.values()), layout=W.Layout(flex_flow="row wrap"))
        super().__init__([head, self.outcome, self.overview, picks, self.error, self.record,
                          self.figure])
        self.draw_overview()
        self.show()

    def draw_overview(self) -> None:
        """Redraw the outcome figure (the runs' points select a run when clicked)."""
        if self.outcome.value is None or (not _varies(self.result)
                                          and self.result.models is None):
            return  # a single cell and model: nothing to draw against
        from socialkit.plot import sweep  # presentation: loaded with the widget

        try:
            replace_figure(self.overview, sweep(self.result, y=self.outcome.value))
        except Exception as err:  # shown in the widget
            self.error.show(err)
            return
        for trace in self.overview.data:
            if trace.name and trace.name.endswith(" runs"):
                trace.on_click(self._clicked)

    def _clicked(self, trace, points, _state) -> None:
        if points.point_inds:
            self.select(trace.customdata[points.point_inds[0]][1])

    def selected(self) -> pd.Series:
        """The table row of the chosen parameters, seed and model."""
        t = self.result.table
        mask = pd.Series(True, index=t.index)
        for n, w in self.choosers.items():
            mask &= t[n] == w.value
        hit = t[mask]
        if hit.empty:
            raise ValueError("no run of this sweep has these values")
        return hit.iloc[0]

    def select(self, run_id: str) -> None:
        """Choose the run with this id (sets the drop-downs, shows the run)."""
        row = self.result.table.set_index("run_id").loc[run_id]
        self._busy = True
        try:
            for n, w in self.choosers.items():
                w.value = row[n]
        finally:
            self._busy = False
        self.show()

    def show(self) -> None:
        """Show the chosen run's record and trajectories."""
        if self._busy:
            return
        from socialkit.plot import trajectories

        try:
            row = self.selected()
            self.record.value = _record_html(row, self.result)
            self.run = None
            if row["status"] in ("ok", "budget"):
                self.run = self.result.run(row["run_id"])
                replace_figure(self.figure, trajectories(self.run, max_agents=self.max_agents))
            self.error.clear()
        except Exception as err:  # shown in the widget, not lost in the kernel log
            self.error.show(err)


def _varies(result) -> bool:
    return any(result.table[p].nunique() > 1 for p in result.params)


def _record_html(row: pd.Series, result) -> str:
    keep = ["run_id", "status", *result.outcomes,
            *[c for c in ("calls", "cache_hits", "tokens", "cost", "seconds") if c in row.index]]
    cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>"
                    f"{html.escape(f'{row[k]:.4g}' if isinstance(row[k], float) else str(row[k]))}"
                    "</td></tr>" for k in keep)
    err = ""
    if isinstance(row.get("error"), str):
        err = (f"<div style='color:#a00'>{html.escape(row['error'])}</div>")
    return f"<table>{cells}</table>{err}"


def sweep_view(result, outcome: str | None = None, max_agents: int = 100) -> SweepView:
    """Browse a sweep: its outcome by parameter, then any run's record and trajectories.

    Drop-downs choose a run by its parameters, seed (and model); clicking a run's point in the
    outcome figure does the same. Runs are read from the sweep's folder only when shown.

    Parameters
    ----------
    result : socialkit.experiments.Sweep
        From :func:`socialkit.experiments.sweep`, ``compare_models`` or ``load``.
    outcome : str, optional
        The outcome drawn first (default: the first numeric one).
    max_agents : int
        Individual trajectories drawn per run.

    Returns
    -------
    SweepView

    Examples
    --------
    >>> import socialkit as sk
    >>> res = sk.experiments.sweep(sk.dynamics.deffuant, {"epsilon": [0.1, 0.3]}, seeds=2,
    ...                            inputs={"G": None, "opinions": [i / 19 for i in range(20)],
    ...                                    "steps": 5}, progress=False)
    >>> view = sk.widgets.sweep_view(res)
    >>> view.choosers["epsilon"].value = 0.3
    >>> view.run.params["epsilon"], view.error.message
    (0.3, '')
    """
    return SweepView(result, outcome=outcome, max_agents=max_agents)
