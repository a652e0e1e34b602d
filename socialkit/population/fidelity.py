"""How close a population is to its targets or to a reference population.

Per attribute: the total variation distance ``TVD = 1/2 * sum |p - q|`` between the weighted
shares of the population (``p``) and the target or reference (``q``), and the largest cell gap
``max |p - q|`` with the category where it occurs. Continuous attributes are compared on the
weighted deciles of the reference. Against a reference population the report also compares the
weighted Pearson correlation matrices of the ordered attributes (numbers, ordered categories,
binary columns). The Kish effective sample size ``(sum w)^2 / sum w^2`` and design effect
``n / n_eff`` describe the weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from socialkit.population._columns import column_kind, encode, is_ordered, kish, pairwise_corr

__all__ = ["FidelityReport", "fidelity_report"]

_SKIP = ("agent", "weight", "source_row")


@dataclass
class FidelityReport:
    """Marginal gaps, correlation gaps and weight diagnostics of a population.

    Attributes
    ----------
    table : DataFrame
        One row per attribute: ``kind``, ``tvd``, ``max_gap``, ``worst_category``.
    cells : DataFrame
        One row per attribute and category: ``population``, ``reference`` shares and
        ``difference`` (population minus reference).
    correlation : dict of DataFrame or None
        ``population``, ``reference`` and ``difference`` correlation matrices (``None`` when
        compared with targets, which carry no correlations).
    n, ess, deff : float
        Agents, Kish effective sample size and design effect of the population's weights.
    against : str
        ``"targets"`` or ``"reference"``.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
    >>> rep = pop.synthesize(2000, seed=0).fidelity(pop)
    >>> rep.against, bool(rep.max_corr_diff < 0.1), list(rep.table.columns[:3])
    ('reference', True, ['kind', 'tvd', 'max_gap'])
    """

    table: pd.DataFrame
    cells: pd.DataFrame = field(repr=False)
    correlation: dict[str, pd.DataFrame] | None = field(repr=False)
    n: int
    ess: float
    deff: float
    against: str

    @property
    def max_tvd(self) -> float:
        """The largest total variation distance over the attributes."""
        return float(self.table["tvd"].max())

    @property
    def max_corr_diff(self) -> float:
        """The largest absolute difference between two correlation matrices (NaN without one)."""
        if self.correlation is None or self.correlation["difference"].empty:
            return float("nan")
        return float(np.nanmax(np.abs(self.correlation["difference"].to_numpy())))

    def summary(self) -> dict:
        """Headline numbers as a dict (n, ess, deff, max_tvd, max_corr_diff)."""
        return {"n": self.n, "ess": self.ess, "deff": self.deff, "max_tvd": self.max_tvd,
                "max_corr_diff": self.max_corr_diff}

    def figure(self):
        """A plotly figure of the report (see :func:`socialkit.plot.population_fidelity`)."""
        from socialkit import plot  # presentation layer, imported only when asked for

        return plot.population_fidelity(self)

    def to_html(self, path: str | Path, title: str = "Population fidelity") -> Path:
        """Write a self-contained HTML page (tables and figure; works offline)."""
        from socialkit.plot.report import html_report

        sections = [("summary", pd.DataFrame([self.summary()])), ("figure", self.figure()),
                     ("attributes", self.table)]
        if self.correlation is not None:
            sections.append(("correlation difference (population − reference)",
                             self.correlation["difference"]))
        return html_report(path, title, sections)

    def __repr__(self) -> str:
        corr = "" if self.correlation is None else f", max_corr_diff={self.max_corr_diff:.3g}"
        return (f"FidelityReport(against={self.against}, n={self.n}, ess={self.ess:.1f}, "
                f"deff={self.deff:.3f}, max_tvd={self.max_tvd:.3g}{corr})")

    def _ipython_display_(self) -> None:
        """In Jupyter: the tables, then the figure (rendered offline by plotly's own renderer)."""
        from IPython.display import HTML, display

        display(HTML(self._repr_html_()))
        try:
            display(self.figure())
        except ImportError:  # plotly missing: the tables still show
            pass

    def _repr_html_(self) -> str:
        fmt = {"float_format": lambda v: f"{v:.4f}"}
        parts = [f"<div><strong>Population fidelity</strong> against {self.against}: "
                 f"{self.n} agents, Kish effective size {self.ess:.1f}, design effect "
                 f"{self.deff:.3f}, largest TVD {self.max_tvd:.4f}"]
        if self.correlation is not None:
            parts.append(f", largest correlation gap {self.max_corr_diff:.4f}")
        parts.append(self.table.to_html(**fmt))
        if self.correlation is not None:
            parts.append("<details><summary>correlation difference (population − reference)"
                         f"</summary>{self.correlation['difference'].to_html(**fmt)}</details>")
        return "".join(parts) + "</div>"


def fidelity_report(df: pd.DataFrame, weights: np.ndarray, reference, columns=None,
                    kinds: Mapping[str, str] | None = None) -> FidelityReport:
    """Compare ``df`` weighted by ``weights`` with targets or a reference.

    The table-level engine of :meth:`socialkit.Population.fidelity`.

    Parameters
    ----------
    df : DataFrame
        The population's rows.
    weights : array
        Its weights.
    reference : dict, Population or DataFrame
        Targets (column -> shares or counts) or a reference population.
    columns : list of str, optional
        Attributes compared with a reference (default: all shared ones).
    kinds : dict, optional
        Column -> ``"categorical"`` or ``"continuous"``.

    Returns
    -------
    FidelityReport

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rep = fidelity_report(pd.DataFrame({"x": list("aab")}), np.ones(3), {"x": {"a": .5, "b": .5}})
    >>> round(rep.max_tvd, 4), rep.against
    (0.1667, 'targets')
    """
    w = np.asarray(weights, dtype=float)
    ess, deff = kish(w)
    kinds = dict(kinds or {})
    if isinstance(reference, Mapping):
        rows, cells = _against_targets(df, w, reference, kinds)
        corr, against = None, "targets"
    else:
        ref_df, ref_w, ref_kinds = _reference_frame(reference)
        for k, v in ref_kinds.items():
            kinds.setdefault(k, v)
        if columns is None:
            columns = [c for c in df.columns if c in ref_df.columns and c not in _SKIP]
        for c in columns:
            for name, frame in (("population", df), ("reference", ref_df)):
                if c not in frame.columns:
                    raise ValueError(f"column {c!r} is not in the {name}")
        if not columns:
            raise ValueError("the population and the reference share no attribute column")
        rows, cells = [], []
        for c in columns:
            kind = kinds.get(c) or column_kind(ref_df[c])
            p, q = _shares_pair(df[c], w, ref_df[c], ref_w, kind)
            rows.append(_row(c, kind, p, q))
            cells.append(_cells(c, p, q))
        corr, against = _correlations(df, w, ref_df, ref_w, columns), "reference"
    table = pd.DataFrame(rows).set_index("attribute")
    return FidelityReport(table, pd.concat(cells, ignore_index=True), corr, len(df), ess, deff,
                          against)


def _reference_frame(reference):
    if hasattr(reference, "df") and hasattr(reference, "kinds"):
        return reference.df, reference.df["weight"].to_numpy(float), reference.kinds
    if isinstance(reference, pd.DataFrame):
        if reference.empty:
            raise ValueError("the reference DataFrame is empty")
        w = (reference["weight"].to_numpy(float) if "weight" in reference.columns
             else np.ones(len(reference)))
        return reference, w, {}
    raise TypeError("fidelity needs targets (a dict), a Population or a DataFrame as reference, "
                    f"got {type(reference).__name__}")


def _against_targets(df, w, targets, kinds):
    rows, cells = [], []
    for key, spec in targets.items():
        cols = list(key) if isinstance(key, tuple) else [key]
        for c in cols:
            if c not in df.columns:
                raise ValueError(f"target column {c!r} is not in the population; columns: "
                                 f"{[x for x in df.columns if x not in _SKIP]}")
            if column_kind(df[c], kinds.get(c)) == "continuous":
                raise ValueError(f"column {c!r} is continuous; bin it before comparing it "
                                 "with category targets")
        q = spec if isinstance(spec, pd.Series) else pd.Series(dict(spec), dtype=float)
        q = q.astype(float) / float(q.sum())
        grouper = [df[c].to_numpy() for c in cols]
        p = pd.Series(w).groupby(grouper if len(cols) > 1 else grouper[0],
                                 observed=True).sum()
        p = p / p.sum()
        index = q.index.append(p.index.difference(q.index)) if len(cols) == 1 else q.index.union(
            p.index, sort=False)
        p, q = p.reindex(index, fill_value=0.0), q.reindex(index, fill_value=0.0)
        name = " × ".join(cols)
        rows.append(_row(name, "categorical", p, q))
        cells.append(_cells(name, p, q))
    return rows, cells


def _shares_pair(a: pd.Series, wa, b: pd.Series, wb, kind: str):
    if kind == "continuous":
        xa, xb = encode(a), encode(b)
        ok = np.isfinite(xb)
        order = np.argsort(xb[ok])
        cdf = np.cumsum(wb[ok][order]) / wb[ok].sum()
        edges = np.unique(np.interp(np.linspace(0.1, 0.9, 9), cdf, xb[ok][order]))
        la = pd.Series(np.searchsorted(edges, xa, side="right")).where(np.isfinite(xa))
        lb = pd.Series(np.searchsorted(edges, xb, side="right")).where(ok)
        labels = _bin_labels(edges)
        p = _shares(la, wa).rename(index=dict(enumerate(labels)))
        q = _shares(lb, wb).rename(index=dict(enumerate(labels)))
    else:
        p, q = _shares(a, wa), _shares(b, wb)
    index = q.index.append(p.index.difference(q.index))
    return p.reindex(index, fill_value=0.0), q.reindex(index, fill_value=0.0)


def _bin_labels(edges):
    e = [f"{x:.4g}" for x in edges]
    return [f"< {e[0]}"] + [f"[{lo}, {hi})" for lo, hi in zip(e[:-1], e[1:], strict=True)] + [
        f">= {e[-1]}"]


def _shares(s: pd.Series, w) -> pd.Series:
    ok = s.notna().to_numpy()
    p = pd.Series(w[ok]).groupby(s.to_numpy()[ok], observed=True, sort=True).sum()
    if isinstance(s.dtype, pd.CategoricalDtype):
        p = p.reindex(s.cat.categories, fill_value=0.0)
    return p / p.sum() if p.sum() > 0 else p


def _row(name, kind, p, q):
    gap = (p - q).abs()
    worst = gap.idxmax() if len(gap) else None
    return {"attribute": name, "kind": kind, "tvd": float(gap.sum() / 2),
            "max_gap": float(gap.max()) if len(gap) else 0.0, "worst_category": str(worst),
            "categories": len(gap)}


def _cells(name, p, q):
    return pd.DataFrame({"attribute": name, "category": [str(i) for i in p.index],
                         "population": p.to_numpy(), "reference": q.to_numpy(),
                         "difference": (p - q).to_numpy()})


def _correlations(df, w, ref_df, ref_w, columns):
    keep = [c for c in columns if is_ordered(df[c]) and is_ordered(ref_df[c])
            and np.nanstd(encode(df[c])) > 0 and np.nanstd(encode(ref_df[c])) > 0]
    if len(keep) < 2:
        return None
    out = {}
    for name, frame, wt in (("population", df, w), ("reference", ref_df, ref_w)):
        X = np.column_stack([encode(frame[c]) for c in keep])
        out[name] = pd.DataFrame(pairwise_corr(X, wt), index=keep, columns=keep)
    out["difference"] = out["population"] - out["reference"]
    return out
