"""``ValidationReport``: the tables ``validate`` computes, a tidy view, a figure and an HTML view."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["ValidationReport", "METRICS"]

METRICS = {
    "representativeness": "OpinionQA representativeness, 1 - W1 / (N - 1) (ordinal; 1 = same)",
    "js_distance": "Jensen-Shannon distance in bits (0 = same, 1 = disjoint)",
    "total_variation": "total variation distance, sum |p - q| / 2 (0 = same)",
    "ks": "Kolmogorov-Smirnov distance between the cumulative shares",
    "ks_p": "two-sample KS p-value (unweighted only; conservative with few options)",
    "mean_simulated": "mean of the simulated answers",
    "mean_real": "mean of the real answers",
    "sd_simulated": "SD of the simulated answers",
    "sd_real": "SD of the real answers",
    "variance_ratio": "simulated SD / real SD (1 = same spread)",
    "variance_ratio_low": "lower end of its bootstrap interval",
    "variance_ratio_high": "upper end of its bootstrap interval",
    "mean_difference": "simulated mean - real mean",
    "tost_low": "lower end of the 1 - 2 alpha interval of the mean difference",
    "tost_high": "upper end of that interval",
    "tost_p": "TOST p-value (equivalent when below alpha)",
    "agreement": "share of paired respondents whose simulated answer equals the real one",
    "agreement_r": "tetrachoric / polychoric correlation of the paired answers",
}

_CSS = ("<style>.sk-val td,.sk-val th{padding:2px 8px;text-align:right}"
        ".sk-val .flag{color:#D55E00}.sk-val .ok{color:#009E73}"
        ".sk-val h4{margin:0.8em 0 0.2em}</style>")


def group_value(v) -> str:
    """A group key as shown: ``3.0`` as ``3``."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _f(v, digits: int = 3) -> str:
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{digits}g}"


@dataclass
class ValidationReport:
    """What :func:`socialkit.validate` found, per question and subgroup.

    Attributes
    ----------
    table : DataFrame
        One row per question and group: ``question``, the ``by`` columns, ``kind``, sample sizes,
        ``missing_simulated`` (share of agents without an answer) and one column per metric
        (see ``METRICS``), with ``spread`` ('less varied', 'more varied' or 'no evidence' from the
        variance-ratio interval) and ``equivalent`` (TOST; NA without a margin).
    association : DataFrame or None
        With covariates: one row per question, group, covariate and measure, with the
        ``simulated`` and ``real`` values and their ``difference`` (pattern correspondence).
    shares : DataFrame
        Answer shares per question, group and option, simulated and real.
    settings : dict
    notes : list of str
        Groups skipped and metrics that were undefined, with the reason.
    """

    table: pd.DataFrame
    by: list[str] = field(default_factory=list)
    association: pd.DataFrame | None = None
    shares: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    settings: dict = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list, repr=False)
    n_simulated: int = 0
    n_real: int = 0

    def __post_init__(self) -> None:
        if "equivalent" in self.table:
            self.table["equivalent"] = self.table["equivalent"].astype("boolean")

    # ---- views ---------------------------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """A long table: ``question``, the ``by`` columns, ``covariate``, ``metric``, ``value``.

        Association rows carry their covariate and metrics such as ``cramers_v.simulated``.
        """
        ids = ["question", *self.by]
        cols = [c for c in self.table.columns if c in METRICS or c in ("n_simulated", "n_real",
                                                                       "missing_simulated")]
        t = self.table[ids + cols].copy()
        if "equivalent" in self.table:
            t["equivalent"] = self.table["equivalent"].astype("Float64").astype(float)
        long = t.melt(id_vars=ids, var_name="metric", value_name="value")
        long.insert(len(ids), "covariate", None)
        parts = [long]
        if self.association is not None and len(self.association):
            a = self.association.melt(id_vars=[*ids, "covariate", "measure"],
                                      value_vars=["simulated", "real", "difference"],
                                      var_name="side", value_name="value")
            a["metric"] = a["measure"] + "." + a["side"]
            parts.append(a[[*ids, "covariate", "metric", "value"]])
        out = pd.concat(parts, ignore_index=True)
        out["value"] = out["value"].astype(float)
        return out

    def figure(self, kind: str = "summary", **kwargs):
        """A plotly figure (see :func:`socialkit.plot.validation`)."""
        from socialkit import plot  # presentation layer, imported only when asked for

        return plot.validation(self, kind=kind, **kwargs)

    def margin(self, question: str) -> tuple[float, float] | None:
        """The TOST margin ``(low, high)`` used for ``question`` (in its units), or None."""
        from socialkit.validation.equivalence import _margin

        if "margins" in self.settings:
            m = self.settings["margins"].get(question)
        else:
            m = self.settings.get("margin")
            m = m.get(question) if isinstance(m, dict) else m
        return None if m is None or isinstance(m, str) else _margin(m)

    def row_labels(self, t: pd.DataFrame | None = None) -> list[str]:
        """``question [group]`` for each row of ``t`` (default: the table)."""
        t = self.table if t is None else t
        out = []
        for _, r in t.iterrows():
            g = ", ".join(f"{c}={group_value(r[c])}" for c in self.by)
            out.append(f"{r['question']}" + (f" [{g}]" if g else ""))
        return out

    def spread_flags(self) -> list[str]:
        """Sentences for the rows whose variance-ratio interval excludes 1."""
        t = self.table
        if "spread" not in t:
            return []
        flagged = t[t["spread"].isin(["less varied", "more varied"])]
        ci = self.settings.get("ci", 0.95)
        return [f"{lab}: simulated answers are {r['spread']} than real ones (SD ratio "
                f"{_f(r['variance_ratio'], 2)}, {ci:.0%} CI {_f(r['variance_ratio_low'], 2)} to "
                f"{_f(r['variance_ratio_high'], 2)})"
                for lab, (_, r) in zip(self.row_labels(flagged), flagged.iterrows(), strict=True)]

    def spread_counts(self) -> dict[str, int]:
        """Rows per spread verdict: ``less varied``, ``more varied``, ``no evidence``, ``too few
        to judge`` (groups under ``min_n`` answers on a side) and ``not tested``."""
        s = self.table["spread"] if "spread" in self.table else pd.Series(dtype=object)
        keys = ("less varied", "more varied", "no evidence", "too few to judge")
        out = {k: int((s == k).sum()) for k in keys}
        out["not tested"] = int(len(self.table) - sum(out.values()))
        return out

    def spread_headline(self) -> str:
        """One sentence counting collapse *and* excess variance, and the groups too small.

        Examples
        --------
        >>> import socialkit as sk
        >>> real = sk.datasets.load("anes1996")
        >>> sim = real.assign(selfLR=real["selfLR"].clip(3, 5))
        >>> sk.validate(sim, real, "selfLR", by="PID", n_boot=200).spread_headline()
        'Spread: less varied in 7 of 7 row(s).'
        """
        c = self.spread_counts()
        n = len(self.table)
        parts = [f"{k} in {c[k]} of {n} row(s)" for k in ("less varied", "more varied")
                 if c[k]]
        if c["no evidence"]:
            parts.append(f"no evidence of a difference in {c['no evidence']}")
        if c["too few to judge"]:
            parts.append(f"too few answers to judge in {c['too few to judge']} (fewer than "
                         f"{self.settings.get('min_n', 30)} on a side)")
        if not parts:
            return "Spread: not tested (nominal questions or no bootstrap)."
        return "Spread: " + "; ".join(parts) + "."

    def __repr__(self) -> str:
        return (f"ValidationReport({self.table['question'].nunique()} questions, "
                f"{len(self.table)} rows, by={self.by}, simulated n={self.n_simulated}, "
                f"real n={self.n_real})")

    def _repr_html_(self) -> str:
        t = self.table
        e = html.escape
        parts = [_CSS, "<div class='sk-val'><strong>socialkit.ValidationReport</strong>: "
                 f"{t['question'].nunique()} question(s), {len(t)} row(s)"
                 f"{' by ' + e(', '.join(self.by)) if self.by else ''}; simulated n = "
                 f"{self.n_simulated}, real n = {self.n_real}"
                 f"{' (weighted)' if self.settings.get('weights') else ''}"]
        # spread first: the check most tools skip
        parts.append("<h4>Spread, not only means</h4>")
        flags = self.spread_flags()
        counts = self.spread_counts()
        parts.append(f"<p>{e(self.spread_headline())}</p>")
        if flags:
            less, more = counts["less varied"], counts["more varied"]
            if less:
                parts.append(f"<p class='flag'><b>Variance collapse in {less} of {len(t)} "
                             "row(s)</b>: simulated answers are less varied than real ones, so "
                             "agreement on means hides a narrower range of opinion.</p>")
            if more:
                parts.append(f"<p class='flag'><b>Excess variance in {more} of {len(t)} "
                             "row(s)</b>: simulated answers are more varied than real ones.</p>")
            hidden = int(((t["spread"] == "less varied")
                          & t["equivalent"].fillna(False).astype(bool)).sum())
            if hidden:
                parts.append(f"<p class='flag'>{hidden} of them have means shown equivalent: a "
                             "check on means alone would have passed them.</p>")
            parts.append("<ul>" + "".join(f"<li class='flag'>{e(s)}</li>" for s in flags[:12])
                         + (f"<li>… and {len(flags) - 12} more</li>" if len(flags) > 12 else "")
                         + "</ul>")
        elif counts["no evidence"]:
            parts.append("<p class='ok'>Every variance-ratio interval includes 1: no evidence "
                         "that the simulated spread differs from the real one.</p>")
        else:
            parts.append("<p>No variance ratio (nominal questions or no bootstrap).</p>")
        parts.append("<h4>Means</h4>" + self._means_html())
        if self.association is not None and len(self.association):
            a = self.association
            mad = float(np.nanmean(np.abs(a["difference"])))
            parts.append("<h4>Pattern correspondence</h4><p>Mean absolute difference between "
                         f"simulated and real associations: {_f(mad)}.</p>")
        cols = [c for c in ["question", *self.by, "kind", "n_simulated", "n_real",
                            "representativeness", "js_distance", "variance_ratio",
                            "variance_ratio_low", "variance_ratio_high", "spread",
                            "mean_difference", "tost_p", "equivalent", "agreement",
                            "agreement_r"] if c in t]
        if t["tost_p"].isna().all() if "tost_p" in t else True:
            cols = [c for c in cols if c not in ("tost_p", "equivalent")]
        shown = t[cols].copy()
        if "equivalent" in shown:
            shown["equivalent"] = shown["equivalent"].map({True: "yes", False: "no"})
        parts.append("<h4>Table</h4>" + shown.to_html(index=False, float_format=_f, na_rep="–"))
        if self.association is not None and len(self.association):
            parts.append("<details><summary>associations (simulated vs real)</summary>"
                         + self.association.to_html(index=False, float_format=_f, na_rep="–")
                         + "</details>")
        if self.notes:
            parts.append(f"<details><summary>{len(self.notes)} note(s)</summary><ul>"
                         + "".join(f"<li>{e(n)}</li>" for n in self.notes) + "</ul></details>")
        return "".join(parts) + "</div>"

    def _means_html(self) -> str:
        t = self.table
        if "equivalent" not in t or t["tost_p"].isna().all():
            return ("<p>No equivalence margin given: pass <code>margin=</code> (the largest "
                    "difference you would call negligible) to test whether the means are "
                    "equivalent. A non-significant difference is not evidence that they are.</p>")
        eq = t["equivalent"].fillna(False).astype(bool)
        tested = t["tost_p"].notna()
        return (f"<p>{int(eq.sum())} of {int(tested.sum())} tested row(s) have means shown "
                f"equivalent within the margin (TOST, alpha = {self.settings.get('alpha')}); "
                "the others are not shown equivalent, which is not the same as different.</p>")
