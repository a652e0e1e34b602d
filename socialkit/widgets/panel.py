"""``run_panel``: a longer simulation with start / stop, a progress bar and a live plot.

A :class:`socialkit.Simulation` (or a model built on one, such as ``llm_opinion``) is stepped one
step at a time; a classic model function runs in chunks (:func:`run_chunks`, usable from a
script).
"""

from __future__ import annotations

import inspect
import threading

import ipywidgets as W
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from socialkit.run import Run
from socialkit.widgets._common import ErrorArea, figure_widget, replace_figure
from socialkit.widgets.explore import _numbers_html, run_numbers

__all__ = ["run_chunks", "run_panel", "RunPanel"]

_STATE_ARGS = ("opinions", "states")


def _state_arg(fn, state: str | None) -> str:
    params = inspect.signature(fn).parameters
    if state is not None:
        if state not in params:
            raise ValueError(f"state={state!r} is not an argument of {fn.__name__}")
        return state
    for name in _STATE_ARGS:
        if name in params:
            return name
    raise ValueError(f"cannot tell which argument of {fn.__name__} holds the agents' state; "
                     "pass state=")


def run_chunks(model_function, steps: int, chunk: int = 10, state: str | None = None,
               seed: int | None = 0, progress: bool = True, **arguments):
    """Run a model ``chunk`` steps at a time, each chunk starting where the last one ended.

    Yields the whole run so far after every chunk, so a caller can plot it or stop early.
    Chunk ``i`` is seeded with the ``i``-th child of ``numpy.random.SeedSequence(seed)``: the
    result is reproducible, but not the same random stream as one call with ``steps``.

    Parameters
    ----------
    model_function : callable
        A socialkit model (e.g. :func:`socialkit.dynamics.deffuant`).
    steps : int
        Total steps.
    chunk : int
        Steps per chunk.
    state : str, optional
        The argument that takes the agents' state (default: ``opinions`` or ``states``).
    seed : int, optional
        Seed of the whole run.
    progress : bool
        Show a ``tqdm`` progress bar.
    **arguments
        Passed to every call (the state argument only to the first).

    Yields
    ------
    socialkit.Run
        Steps ``0..k * chunk`` so far; ``params["steps"]`` is the steps run.

    Examples
    --------
    >>> import socialkit as sk
    >>> runs = list(run_chunks(sk.dynamics.deffuant, 30, chunk=10, G=None,
    ...                        opinions=[i / 9 for i in range(10)], progress=False))
    >>> len(runs), int(runs[-1].steps[-1]), runs[-1].params["steps"]
    (3, 30, 30)
    """
    for name, v, low in (("steps", steps, 1), ("chunk", chunk, 1)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    record = arguments.get("record", "agents")
    if record != "agents":
        raise ValueError(f"run_chunks needs record='agents' (each chunk starts from the agents' "
                         f"last values), got record={record!r}")
    arg = _state_arg(model_function, state)
    seeds = np.random.SeedSequence(seed).spawn(-(-steps // chunk))
    frames, done, first = [], 0, None
    with tqdm(total=steps, desc=getattr(model_function, "__name__", "model"), unit="step",
              disable=not progress) as bar:
        for child in seeds:
            n = min(chunk, steps - done)
            part = model_function(**{**arguments, "steps": n,
                                     "seed": int(child.generate_state(1)[0])})
            first = first or part
            t = part.trajectory
            if done:
                t = t[t["step"] > 0]  # step 0 repeats the previous chunk's last step
            frames.append(t.assign(step=t["step"] + done))
            done += n
            bar.update(n)
            arguments[arg] = part.final()
            if arg == "states":
                arguments.pop("seeds", None)
            yield Run(pd.concat(frames, ignore_index=True), events=None,
                      params={**first.params, "steps": done, "chunk": chunk},
                      seed=seed, provenance=first.provenance, model=first.model)


class RunPanel(W.VBox):
    """The widget returned by :func:`run_panel` (an ``ipywidgets.VBox``).

    Attributes
    ----------
    start_button, stop_button : ipywidgets.Button
    progress : ipywidgets.IntProgress
    figure : plotly.graph_objects.FigureWidget
    numbers : ipywidgets.HTML
    error : ErrorArea
    run : socialkit.Run or None
        The run so far.
    simulation : socialkit.Simulation or None
        The simulation being stepped (built on the first start for a model with a
        ``simulation`` builder; None for chunked model functions).
    """

    def __init__(self, model_function, steps: int, chunk: int, variable, max_agents, arguments,
                 simulation=None):
        self.model_function, self.steps, self.chunk = model_function, steps, chunk
        self.variable, self.max_agents, self.arguments = variable, max_agents, arguments
        self.simulation = simulation
        self.start_button = W.Button(description="Start", icon="play", button_style="success")
        self.stop_button = W.Button(description="Stop", icon="stop", button_style="danger",
                                    disabled=True)
        self.progress = W.IntProgress(value=0, min=0, max=steps, description="steps",
                                      style={"description_width": "initial"})
        self.label = W.HTML(f"0 / {steps}")
        self.numbers = W.HTML()
        self.error = ErrorArea()
        self.figure = figure_widget(text="press Start to run the simulation")
        self.run: Run | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.start_button.on_click(lambda _b: self.start())
        self.stop_button.on_click(lambda _b: self.stop())
        bar = W.HBox([self.start_button, self.stop_button, self.progress, self.label])
        super().__init__([bar, self.numbers, self.error, self.figure])

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, background: bool = True) -> None:
        """Start (or restart) the simulation; in a background thread unless told otherwise."""
        if self.running:
            return
        self._stop.clear()
        self.error.clear()
        self.start_button.disabled, self.stop_button.disabled = True, False
        if background:
            self._thread = threading.Thread(target=self._work, daemon=True)
            self._thread.start()
        else:
            self._work()

    def stop(self) -> None:
        """Ask the simulation to stop after the current step (or chunk)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background simulation to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _show(self, run: Run, done: int) -> bool:
        """Show the run so far; True when asked to stop."""
        from socialkit.plot import trajectories

        self.run = run
        self.progress.value = done
        self.label.value = f"{done} / {self.steps}"
        replace_figure(self.figure, trajectories(run, variable=self.variable,
                                                 max_agents=self.max_agents))
        self.numbers.value = _numbers_html(run_numbers(run, self.variable))
        if self._stop.is_set():
            self.label.value += " (stopped)"
        return self._stop.is_set()

    def _work(self) -> None:
        try:
            if self.simulation is None and _builder(self.model_function) is None:
                for run in run_chunks(self.model_function, self.steps, self.chunk,
                                      progress=False, **dict(self.arguments)):
                    if self._show(run, run.params["steps"]):
                        break
                return
            if self.simulation is None:  # a model built on the kernel: step its Simulation
                self.simulation = _builder(self.model_function)(
                    **{"progress": False, **self.arguments, "steps": self.steps})
            sim = self.simulation
            if sim.t >= self.steps:
                self._show(sim.result(), sim.t)
            while sim.t < self.steps:  # a restart continues where the simulation is
                sim.step()
                if self._show(sim.result(), sim.t):
                    break
        except Exception as err:  # shown in the widget, not lost in the kernel log
            self.error.show(err)
        finally:
            self.start_button.disabled, self.stop_button.disabled = False, True


def _builder(fn):
    """The ``simulation`` builder of a model made on the kernel (llm_opinion), or None."""
    got = getattr(fn, "simulation", None)
    return got if callable(got) else None


def run_panel(model_function, steps: int = 1000, chunk: int | None = None,
              variable: str | None = None, max_agents: int = 100, state: str | None = None,
              **arguments) -> RunPanel:
    """Start and stop a longer simulation, watching a progress bar and a live plot.

    The simulation runs in a background thread. A :class:`socialkit.Simulation`, or a model
    built on one (with a ``simulation`` builder, e.g. :func:`socialkit.dynamics.llm_opinion`),
    is stepped with ``Simulation.step``: the plot and numbers update after every step, Stop
    halts after the current one and Start continues from there. A classic model function runs
    in chunks of steps (:func:`run_chunks`), updating after each chunk.

    Parameters
    ----------
    model_function : callable or socialkit.Simulation
        A socialkit model (e.g. :func:`socialkit.dynamics.deffuant`) or a simulation.
    steps : int
        Total steps (a simulation is stepped until it has done ``steps``).
    chunk : int, optional
        Steps per chunk of a classic model (default: ``steps / 20``).
    variable : str, optional
        Variable to plot.
    max_agents : int
        Individual lines drawn.
    state : str, optional
        The argument holding a classic model's agents' state (see :func:`run_chunks`).
    **arguments
        The model's arguments (graph, initial state, parameters, ``seed``); none for a
        Simulation.

    Returns
    -------
    RunPanel

    Examples
    --------
    >>> import socialkit as sk
    >>> panel = run_panel(sk.dynamics.deffuant, steps=40, G=None,
    ...                   opinions=[i / 49 for i in range(50)], epsilon=0.3)
    >>> panel.start(background=False)
    >>> panel.progress.value, len(panel.figure.data) > 0
    (40, True)
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(5))
    >>> sim = sk.Simulation(pop, policy=sk.agents.RulePolicy(sk.sim.examples.drift),
    ...                     state={"x": sk.agents.Continuous(initial=0.0)}, progress=False)
    >>> panel = run_panel(sim, steps=3)
    >>> panel.start(background=False)
    >>> panel.progress.value, sim.t
    (3, 3)
    """
    from socialkit.sim import Simulation

    for name, v in (("steps", steps), ("chunk", 1 if chunk is None else chunk)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if isinstance(model_function, Simulation):
        if arguments or state is not None:
            raise TypeError(f"run_panel: a Simulation takes no model arguments, got "
                            f"{sorted([*arguments, *(['state'] if state else [])])}")
        return RunPanel(None, int(steps), 1, variable, max_agents, {}, model_function)
    if not callable(model_function):
        raise TypeError(f"run_panel needs a model function or a socialkit.Simulation, got "
                        f"{type(model_function).__name__}")
    if _builder(model_function) is not None:
        return RunPanel(model_function, int(steps), 1, variable, max_agents, arguments)
    _state_arg(model_function, state)  # fail now, not in the thread
    chunk = max(1, steps // 20) if chunk is None else chunk
    return RunPanel(model_function, int(steps), int(chunk), variable, max_agents,
                    {**arguments, "state": state})
