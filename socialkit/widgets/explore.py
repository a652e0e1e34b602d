"""``explore``: sliders from a model's parameter schema, a Run button, a live plot and numbers."""

from __future__ import annotations

import html
import time

import ipywidgets as W
import pandas as pd

from socialkit.run import Run
from socialkit.widgets._common import ErrorArea, controls, figure_widget, replace_figure, values

__all__ = ["explore", "Explorer", "run_numbers"]


def run_numbers(run: Run, variable: str | None = None, tol: float = 0.02,
                min_share: float = 0.01) -> dict:
    """Headline numbers of a run: final mean and sd, and for opinions the number of clusters.

    Parameters
    ----------
    run : socialkit.Run
    variable : str, optional
        Default: the run's only variable.
    tol, min_share : float
        Passed to :func:`socialkit.dynamics.clusters` (clusters smaller than ``min_share`` of
        the agents are not counted).

    Returns
    -------
    dict

    Examples
    --------
    >>> import socialkit as sk
    >>> run = sk.dynamics.deffuant(None, [0.1, 0.12, 0.9, 0.92], epsilon=0.1, steps=30, seed=0)
    >>> run_numbers(run)["clusters"]
    2
    """
    if not isinstance(run, Run):
        raise TypeError(f"run_numbers needs a socialkit.Run, got {type(run).__name__}")
    variable = run.variable_name(variable)
    last = run.summary(variable).iloc[-1]
    out = {"final mean": float(last["mean"])}
    if "sd" in last:
        out["final sd"] = float(last["sd"])
    if variable == "opinion" and variable in run.variables:
        from socialkit.dynamics import clusters  # engines below the presentation layer

        out["clusters"] = int(len(clusters(run.final(variable), tol=tol, min_share=min_share)))
    return out


class Explorer(W.VBox):
    """The widget returned by :func:`explore` (an ``ipywidgets.VBox``).

    Attributes
    ----------
    controls : dict of name -> widget
        One input per free parameter (and ``seed``).
    run_button : ipywidgets.Button
    figure : plotly.graph_objects.FigureWidget
        Updated in place on every run.
    numbers : ipywidgets.HTML
        Summary numbers of the last run (see :func:`run_numbers`).
    error : ErrorArea
        The last error raised by a run, shown in the widget.
    run : socialkit.Run or None
        The last successful run.
    """

    def __init__(self, model_function, fixed: dict, variable: str | None = None,
                 max_agents: int = 150, auto: bool = False, run_now: bool = True):
        self.model_function = model_function
        self.fixed = dict(fixed)
        self.variable = variable
        self.max_agents = max_agents
        self.controls = controls(model_function, self.fixed)
        self.run_button = W.Button(description="Run", button_style="primary", icon="play",
                                   tooltip="run the model with these parameters")
        self.status = W.HTML()
        self.numbers = W.HTML()
        self.error = ErrorArea()
        self.figure = figure_widget(text="press Run")
        self.run: Run | None = None
        self.run_button.on_click(lambda _b: self.update())
        if auto:
            for w in self.controls.values():
                w.observe(lambda _change: self.update(), names="value")
        name = getattr(model_function, "__name__", "model")
        head = W.HTML(f"<b>{html.escape(name)}</b>: "
                      f"{html.escape((model_function.__doc__ or '').strip().splitlines()[0])}")
        inputs = W.VBox(list(self.controls.values()) + [W.HBox([self.run_button, self.status])],
                        layout=W.Layout(min_width="300px"))
        super().__init__([head, W.HBox([inputs, self.numbers]), self.error, self.figure])
        if run_now:
            self.update()

    def arguments(self) -> dict:
        """The call the Run button makes: fixed arguments and the controls' values."""
        return {**self.fixed, **values(self.model_function, self.controls)}

    def update(self) -> Run | None:
        """Run the model with the current values and refresh the plot and numbers.

        Errors are shown in the widget (``self.error``) and returned as None.
        """
        self.run_button.disabled = True
        self.status.value = "<i>running…</i>"
        t0 = time.perf_counter()
        try:
            run = self.model_function(**self.arguments())
            from socialkit.plot import trajectories  # presentation: loaded with the widget

            fig = trajectories(run, variable=self.variable, max_agents=self.max_agents)
            replace_figure(self.figure, fig)
            self.numbers.value = _numbers_html(
                {**run_numbers(run, self.variable), "seconds": time.perf_counter() - t0})
            self.error.clear()
            self.run = run
            return run
        except Exception as err:  # shown in the widget, not lost in the kernel log
            self.error.show(err)
            return None
        finally:
            self.run_button.disabled = False
            self.status.value = ""


def _numbers_html(numbers: dict) -> str:
    frame = pd.DataFrame({"value": [f"{v:.4g}" if isinstance(v, float) else str(v)
                                    for v in numbers.values()]}, index=list(numbers))
    return frame.to_html(header=False, border=0)


def explore(model_function, *, variable: str | None = None, max_agents: int = 150,
            auto: bool = False, run_now: bool = True, **fixed_arguments) -> Explorer:
    """Explore a model interactively: inputs from its parameter schema, Run, plot, numbers.

    Floats with bounds get sliders, integers sliders or text boxes, booleans check boxes,
    choices drop-downs; each input's tooltip is the parameter's meaning. The Run button calls
    ``model_function(**fixed_arguments, **inputs)``, exactly as a script would, then updates
    the trajectory plot in place (:func:`socialkit.plot.trajectories`) and the summary numbers
    (:func:`run_numbers`). Errors are shown in the widget.

    Parameters
    ----------
    model_function : callable with a ``schema``
        E.g. :func:`socialkit.dynamics.deffuant`.
    variable : str, optional
        Variable to plot.
    max_agents : int
        Individual lines drawn.
    auto : bool
        Re-run whenever an input changes (no need to press Run).
    run_now : bool
        Run once with the defaults when the widget is built.
    **fixed_arguments
        Arguments that stay fixed (e.g. ``G=G, opinions=...``); parameters given here get no
        input.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import socialkit as sk
    >>> ex = explore(sk.dynamics.deffuant, G=None, opinions=[i / 99 for i in range(100)],
    ...              steps=20)
    >>> ex.controls["epsilon"].value = 0.1
    >>> ex.run_button.click()
    >>> ex.run.params["epsilon"], ex.error.message
    (0.1, '')
    """
    if not callable(model_function):
        raise TypeError(f"explore needs a model function, got {type(model_function).__name__}")
    return Explorer(model_function, fixed_arguments, variable=variable, max_agents=max_agents,
                    auto=auto, run_now=run_now)
