"""``population_builder``: columns, survey weight and raking targets in, a fidelity report out."""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from socialkit.widgets._common import NONE, ErrorArea, figure_widget, placeholder, replace_figure

__all__ = ["population_builder", "PopulationBuilder", "build_population"]

_WIDE = {"description_width": "initial"}


def _label(key) -> str:
    return " × ".join(key) if isinstance(key, tuple) else str(key)


def _covered(key, columns) -> bool:
    return all(c in columns for c in (key if isinstance(key, tuple) else (key,)))


def build_population(df: pd.DataFrame, columns=None, weight: str | None = None, targets=None,
                     rake_on=None, bounds=None, codebook=None):
    """Population from survey rows, raked to some targets and compared with all of them.

    The steps a script would write, in one call (used by :func:`population_builder`).

    Parameters
    ----------
    df : DataFrame
        Survey microdata.
    columns : list of str, optional
        Attributes to keep (default: all).
    weight : str, optional
        Survey-weight column.
    targets : dict, optional
        Margins as :meth:`socialkit.Population.rake` takes them (e.g.
        :func:`socialkit.datasets.acs_targets`).
    rake_on : list, optional
        Keys of ``targets`` to rake on (default: none).
    bounds : (float, float), optional
        Weight trimming passed to :meth:`~socialkit.Population.rake`.
    codebook : optional
        Passed to :meth:`socialkit.Population.from_survey`.

    Returns
    -------
    (Population, FidelityReport or None, RakeReport or None)

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["f", "m", "m", "m"]})
    >>> pop, fid, rake = build_population(df, targets={"sex": {"f": 0.5, "m": 0.5}},
    ...                                   rake_on=["sex"])
    >>> round(fid.max_tvd, 6), rake.converged
    (0.0, True)
    """
    from socialkit.population import Population

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"population_builder needs a pandas DataFrame, got {type(df).__name__}")
    columns = list(df.columns) if columns is None else list(columns)
    if not columns:
        raise ValueError("choose at least one column")
    unknown = [c for c in columns if c not in df.columns]
    if unknown:
        raise ValueError(f"columns {unknown} are not in the data; columns: {list(df.columns)}")
    keep = columns + ([weight] if weight and weight not in columns else [])
    pop = Population.from_survey(df[keep], weight=weight, codebook=codebook)
    if not hasattr(pop, "rake") or not hasattr(pop, "fidelity"):
        raise RuntimeError("this socialkit's Population has no rake()/fidelity() yet")
    rake_report = None
    targets = dict(targets or {})
    usable = {k: v for k, v in targets.items() if _covered(k, pop.attributes)}
    rake_on = list(rake_on or [])
    missing = [_label(k) for k in rake_on if k not in usable]
    if missing:
        raise ValueError(f"cannot rake on {missing}: no such target, or its column is not kept")
    if rake_on:
        pop, rake_report = pop.rake({k: usable[k] for k in rake_on}, bounds=bounds)
    fid = pop.fidelity(usable) if usable else None
    return pop, fid, rake_report


class PopulationBuilder(W.VBox):
    """The widget returned by :func:`population_builder` (an ``ipywidgets.VBox``).

    Attributes
    ----------
    columns, weight, rake_on, trim, bounds : ipywidgets
        The choices.
    build_button : ipywidgets.Button
    figure : plotly.graph_objects.FigureWidget
        The fidelity figure (:func:`socialkit.plot.population_fidelity`).
    report : ipywidgets.HTML
        Fidelity and raking numbers and the per-attribute table.
    error : ErrorArea
    population, fidelity, rake_report
        Results of the last build.
    """

    def __init__(self, df: pd.DataFrame, targets: dict | None, rake_on, codebook,
                 build_now: bool):
        self.df, self.targets, self.codebook = df, dict(targets or {}), codebook
        numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
        self.columns = W.SelectMultiple(options=list(df.columns), value=tuple(df.columns),
                                        rows=min(10, len(df.columns)), description="columns",
                                        style=_WIDE)
        self.weight = W.Dropdown(options=[("(none: every row weighs 1)", NONE)]
                                 + [(str(c), c) for c in numeric],
                                 value=NONE, description="survey weight", style=_WIDE)
        keys = list(self.targets)
        self.rake_on = W.SelectMultiple(options=[(_label(k), k) for k in keys],
                                        value=tuple(k for k in rake_on if k in self.targets),
                                        rows=min(8, max(2, len(keys))), description="rake on",
                                        style=_WIDE)
        self.trim = W.Checkbox(value=False, description="trim weights", indent=False)
        self.bounds = W.FloatRangeSlider(value=(0.2, 5.0), min=0.05, max=20, step=0.05,
                                         description="to × mean", style=_WIDE,
                                         continuous_update=False)
        self.build_button = W.Button(description="Build", icon="users", button_style="primary")
        self.report = W.HTML()
        self.error = ErrorArea()
        self.figure = figure_widget(text="no targets to compare with")
        self.population = self.fidelity = self.rake_report = None
        self.build_button.on_click(lambda _b: self.update())
        left = W.VBox([self.columns, self.weight])
        right = W.VBox([self.rake_on, W.HBox([self.trim, self.bounds]), self.build_button])
        super().__init__([W.HBox([left, right]), self.error, self.report, self.figure])
        if build_now:
            self.update()

    def update(self):
        """Build the population with the current choices and refresh the report."""
        try:
            pop, fid, rake = build_population(
                self.df, list(self.columns.value), self.weight.value or None, self.targets,
                list(self.rake_on.value), tuple(self.bounds.value) if self.trim.value else None,
                self.codebook)
            self.population, self.fidelity, self.rake_report = pop, fid, rake
            self.report.value = _report_html(pop, fid, rake)
            if fid is not None:
                from socialkit.plot import population_fidelity

                replace_figure(self.figure, population_fidelity(fid))
            else:
                replace_figure(self.figure, placeholder("no targets cover the chosen columns"))
            self.error.clear()
            return pop
        except Exception as err:  # shown in the widget, not lost in the kernel log
            self.error.show(err)
            return None


def _report_html(pop, fid, rake) -> str:
    parts = [f"<b>{len(pop)} agents</b>"]
    if rake is not None:
        parts.append(f"raking: {'converged' if rake.converged else 'NOT converged'} after "
                     f"{rake.iterations} sweeps, largest error {rake.max_error:.2g}")
    if fid is None:
        parts.append("no targets cover the chosen columns: nothing to compare")
        return "<br>".join(parts)
    parts.append(f"Kish effective size {fid.ess:.1f} (design effect {fid.deff:.3f}), "
                 f"largest TVD from the targets {fid.max_tvd:.4f}")
    table = fid.table.to_html(float_format=lambda v: f"{v:.4f}", border=0)
    return "<br>".join(html.escape(p) if i else p for i, p in enumerate(parts)) + table


def population_builder(df: pd.DataFrame, targets: dict | None = None, rake_on=(),
                       codebook=None, build_now: bool = True) -> PopulationBuilder:
    """Build a weighted Population from survey rows and watch its fidelity to the targets.

    Choose the columns to keep, the survey-weight column, the target margins to rake on and an
    optional weight trimming; Build calls :func:`build_population` (``Population.from_survey``,
    ``rake``, ``fidelity``) and shows the fidelity table and figure against all targets that
    the chosen columns cover.

    Parameters
    ----------
    df : DataFrame
        Survey microdata, with columns named like the targets' keys (e.g.
        ``sk.datasets.acs_recode(sk.datasets.load("anes1996"))``).
    targets : dict, optional
        Margins, e.g. ``sk.datasets.acs_targets(["age_group", "education"])``.
    rake_on : sequence, optional
        Keys of ``targets`` selected for raking at the start (default: none, so the first
        report shows the unweighted gaps).
    codebook : optional
        Passed to ``Population.from_survey``.
    build_now : bool
        Build once when the widget is made.

    Returns
    -------
    PopulationBuilder

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["f", "m", "m", "m"], "w": [1.0, 1, 1, 1]})
    >>> b = population_builder(df, targets={"sex": {"f": 0.5, "m": 0.5}})
    >>> b.fidelity.max_tvd
    0.25
    >>> b.rake_on.value = ("sex",)
    >>> b.build_button.click()
    >>> b.population.df["weight"].round(3).tolist(), b.fidelity.max_tvd < 1e-9
    ([2.0, 0.667, 0.667, 0.667], True)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"population_builder needs a pandas DataFrame, got {type(df).__name__}")
    if targets is not None and not isinstance(targets, dict):
        raise TypeError(f"targets must be a dict of margins, got {type(targets).__name__}")
    unknown = [k for k in rake_on if k not in (targets or {})]
    if unknown:
        raise ValueError(f"rake_on {unknown} are not keys of targets")
    return PopulationBuilder(df, targets, tuple(rake_on), codebook, build_now)
