"""``validate``: every metric, per question and subgroup, for two DataFrames of answers."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from socialkit.validation import association as A
from socialkit.validation import distribution as D
from socialkit.validation import equivalence as E
from socialkit.validation._checks import _preview, check_weights
from socialkit.validation._questions import Spec, spec
from socialkit.validation.report import ValidationReport, group_value

__all__ = ["validate", "MIN_SPREAD_N", "AUTO_MARGIN", "LARGE_MARGIN", "answers_frame"]

MIN_SPREAD_N = 30
"""Fewest answers on each side for a spread verdict; smaller groups get 'too few to judge'."""
AUTO_MARGIN = 0.05
"""Default equivalence margin as a share of the scale's range (0.05 on a 0/1 question, 0.3 on
a 1-7 scale)."""
LARGE_MARGIN = 0.1
"""A margin above this share of the scale's range warns: it can call clear gaps equivalent."""


def answers_frame(data, side: str = "simulated") -> pd.DataFrame:
    """One row per agent and one column per question, from any kind of answers.

    - a DataFrame of one row per agent (``silicon_survey``, a survey): returned as is;
    - the tidy result of :func:`socialkit.ask` (``agent, question, sample, answer, status``):
      sample 0, missing answers as NaN, one column per question;
    - a :class:`socialkit.Run`: each agent's last recorded value of every variable;
    - a :class:`socialkit.Population`: its DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> tidy = pd.DataFrame({"agent": [0, 0, 1, 1], "question": ["q", "r", "q", "r"],
    ...                      "sample": 0, "answer": [1, "a", 2, None],
    ...                      "status": ["ok", "ok", "ok", "missing"]})
    >>> answers_frame(tidy).to_dict("list")
    {'agent': [0, 1], 'q': [1.0, 2.0], 'r': ['a', nan]}
    """
    from socialkit.population import Population
    from socialkit.run import AGGREGATE, Run

    if isinstance(data, Run):
        t = data.trajectory
        t = t[t["agent"] != AGGREGATE]
        if t.empty:
            raise ValueError(f"the {side} Run holds no per-agent values (recorded as a summary "
                             "only); rerun it with record='agents' or record=k")
        last = t.sort_values("step", kind="stable").groupby(["agent", "variable"]).tail(1)
        out = last.pivot(index="agent", columns="variable", values="value")
        out.columns.name = None
        return out.reset_index()
    if isinstance(data, Population):
        return data.df
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"validate: the {side} answers must be a DataFrame, a socialkit.Run, a "
                        f"Population or a socialkit.ask result, got {type(data).__name__}")
    if {"agent", "question", "answer", "status"} <= set(data.columns):
        first = data[data["sample"] == 0] if "sample" in data.columns else data
        answer = first["answer"].where(first["status"] != "missing")
        wide = first.assign(answer=answer).pivot(index="agent", columns="question",
                                                 values="answer")
        wide.columns.name = None
        wide = wide.reset_index()
        for c in wide.columns[1:]:
            given = wide[c].dropna()
            if len(given) and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                                  for v in given):
                wide[c] = wide[c].astype(float)
        return wide
    return data


def _columns(arg, what: str) -> list[str]:
    if arg is None:
        return []
    out = [arg] if isinstance(arg, str) else list(arg)
    if not all(isinstance(c, str) for c in out):
        raise TypeError(f"{what} must be column names, got {arg!r}")
    return out


def _per_question(value, questions: list[str], what: str) -> dict:
    if isinstance(value, dict):
        unknown = [k for k in value if k not in questions]
        if unknown:
            raise ValueError(f"{what} names questions that are not validated: {unknown}")
        return value
    return dict.fromkeys(questions, value)


def _weights(frame: pd.DataFrame, w, side: str) -> np.ndarray:
    if w is None:
        return np.ones(len(frame))
    if isinstance(w, str):
        if w not in frame.columns:
            raise ValueError(f"weights column {w!r} is not in the {side} data")
        w = frame[w].to_numpy(dtype=float, na_value=np.nan)
    return check_weights(w, len(frame), f"{side} weights")


def _groups(sim: pd.DataFrame, real: pd.DataFrame, by: list[str]) -> list[tuple]:
    if not by:
        return [()]
    keys = set()
    for f in (sim, real):
        keys |= set(f[by].dropna().itertuples(index=False, name=None))
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=str)


def _mask(frame: pd.DataFrame, by: list[str], key: tuple) -> np.ndarray:
    m = np.ones(len(frame), dtype=bool)
    for col, v in zip(by, key, strict=True):
        m &= (frame[col] == v).to_numpy(dtype=bool, na_value=False)
    return m


def _label(by, key) -> str:
    return ", ".join(f"{c}={group_value(v)}" for c, v in zip(by, key, strict=True)) or "all"


def validate(simulated, real, questions=None, by=None, *,
             ordinal="auto", options=None, weights=None, simulated_weights=None, margin="auto",
             alpha: float = 0.05, n_boot: int = 1000, ci: float = 0.95, seed=0,
             covariates=None, on=None, bias_correction: bool = False, max_levels: int = 20,
             empty: str = "raise", min_n: int = MIN_SPREAD_N) -> ValidationReport:
    """Compare simulated answers with real ones, per question and subgroup, on every metric.

    Parameters
    ----------
    simulated, real : DataFrame, Run, Population or ask result
        One row per agent / respondent; answer columns named alike. Missing answers (NaN) are
        dropped per question (their share in the simulated data is reported). A
        :class:`socialkit.Run` (each agent's last value of every variable) or the tidy result of
        :func:`socialkit.ask` is turned into that table first (:func:`answers_frame`).
    questions : list of str, optional
        Answer columns to compare. Default: the columns both frames share, except ``by``,
        ``covariates``, ``on`` and weight columns.
    by : str or list of str, optional
        Subgroup columns (present in both frames); one table row per question and subgroup.
    ordinal : 'auto', bool or dict
        Whether answers are ordered (per question with a dict). ``'auto'``: numbers, booleans,
        ordered Categoricals and declared ``options`` are ordinal; text is nominal.
    options : dict, optional
        Answer options per question, lowest first (a list or a ``socialkit.Likert``); fixes the
        scale when some option has no answers, and rejects answers outside it.
    weights, simulated_weights : str or array-like, optional
        Weight column (or values) of the real and of the simulated data.
    margin : 'auto', float, (low, high), dict or None
        Equivalence margin of the TOST on means, in each question's own units; a dict gives one
        per question (questions it leaves out get the default). ``'auto'`` (default): 5% of the
        scale's range (``AUTO_MARGIN``): a share difference of 0.05 on a 0/1 question, 0.3 on a
        1-7 scale; ordinal questions only (numeric questions without a scale and nominal ones
        get no equivalence test). A margin above 10% of the range (``LARGE_MARGIN``) warns.
        ``None``: no equivalence test (a non-significant difference is not evidence of
        sameness). The margins used are in ``report.settings["margins"]``.
    alpha : float
        Level of each one-sided TOST test (the interval shown is ``1 - 2 alpha``).
    n_boot, ci, seed
        Bootstrap resamples, coverage and seed of the variance-ratio interval (each question and
        group gets its own stream spawned from ``seed``).
    covariates : str or list of str, optional
        Columns whose association with each answer (Cramér's V; tetrachoric or polychoric
        correlation when both are ordinal) is computed in both frames: ``report.association``.
    on : str, optional
        An id column in both frames pairing each agent with the respondent it was built from;
        adds ``agreement`` (share of identical answers) and ``agreement_r`` (tetrachoric or
        polychoric correlation of the paired answers), as in Argyle et al. (2023).
    bias_correction : bool
        Bergsma's correction of Cramér's V.
    max_levels : int
        More distinct values than this make a numeric column continuous (``numeric``) and a text
        column free text (rejected).
    empty : 'raise' or 'skip'
        What to do when a group has no answers on one side.
    min_n : int
        Fewest answers on each side for a spread verdict (``MIN_SPREAD_N`` = 30); smaller
        groups get ``spread = 'too few to judge'`` (their ratio is still shown).

    Returns
    -------
    ValidationReport
        ``.table`` (one row per question and group), ``.association``, ``.shares``, ``.tidy()``,
        ``.figure()`` and an HTML view in Jupyter.

    Examples
    --------
    >>> import socialkit as sk
    >>> real = sk.datasets.load("anes1996")
    >>> sim = real.assign(selfLR=real["selfLR"].clip(3, 5))  # a simulation stuck mid-scale
    >>> rep = sk.validate(sim, real, questions=["selfLR", "vote"], seed=1)
    >>> cols = ["question", "representativeness", "variance_ratio", "spread", "equivalent"]
    >>> print(rep.table[cols].round(2).to_string(index=False))
    question  representativeness  variance_ratio      spread  equivalent
      selfLR                0.93            0.58 less varied        True
        vote                1.00            1.00 no evidence        True
    >>> rep.settings["margins"]
    {'selfLR': 0.3, 'vote': 0.05}
    >>> print(rep.spread_flags()[0])
    selfLR: simulated answers are less varied than real ones (SD ratio 0.58, 95% CI 0.56 to 0.61)
    >>> by_party = sk.validate(sim, real, "selfLR", by="PID", n_boot=200)
    >>> len(by_party.table)
    7
    """
    simulated, real = answers_frame(simulated, "simulated"), answers_frame(real, "real")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 2:
        raise ValueError(f"min_n must be an integer of at least 2, got {min_n!r}")
    if empty not in ("raise", "skip"):
        raise ValueError(f"empty must be 'raise' or 'skip', got {empty!r}")
    by, covs = _columns(by, "by"), _columns(covariates, "covariates")
    ons = _columns(on, "on")
    if len(ons) > 1:
        raise ValueError(f"on takes one id column, got {ons}")
    used = set(by) | set(covs) | set(ons) | {w for w in (weights, simulated_weights)
                                             if isinstance(w, str)}
    notes: list[str] = []
    if questions is None:
        questions = [c for c in simulated.columns if c in real.columns and c not in used]
        if not questions:
            raise ValueError("the two DataFrames share no answer columns; name them alike or "
                             "pass questions=")
    questions = _columns(questions, "questions")
    for col, role in [*((q, "question") for q in questions), *((b, "by") for b in by),
                      *((c, "covariate") for c in covs), *((o, "on") for o in ons)]:
        missing = [side for side, f in (("simulated", simulated), ("real", real))
                   if col not in f.columns]
        if missing:
            raise ValueError(f"{role} column {col!r} is not in the {' and '.join(missing)} data")
    ordinal = _per_question(ordinal, questions, "ordinal")
    options = _per_question(options, questions, "options") if options is not None else {}
    if isinstance(margin, dict):
        margins = {q: "auto" for q in questions} | _per_question(margin, questions, "margin")
    else:
        margins = _per_question(margin, questions, "margin")
    wr, ws = _weights(real, weights, "real"), _weights(simulated, simulated_weights, "simulated")
    specs = {q: spec(q, simulated[q], real[q], ordinal.get(q, "auto"), options.get(q),
                     max_levels) for q in questions}
    cspecs = {c: spec(c, simulated[c], real[c], "auto", None, max_levels, "covariate")
              for c in covs}
    margins = {q: _resolve_margin(q, specs[q], m, notes) for q, m in margins.items()}
    for c, s in cspecs.items():
        if s.kind == "numeric":
            raise TypeError(f"covariate {c!r} is continuous (more than {max_levels} values); "
                            "bin it first, e.g. pd.cut(df[col], 4)")
    pairs = _pairs(simulated, real, ons[0], notes) if ons else None
    groups = _groups(simulated, real, by)
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(0, 2 ** 63))
    streams = iter(np.random.SeedSequence(seed).spawn(len(questions) * len(groups)))
    rows, share_rows, assoc_rows = [], [], []
    for q in questions:
        sp = specs[q]
        vs, cs = sp.encode(simulated[q])
        vr, cr = sp.encode(real[q])
        for key in groups:
            stream = next(streams)
            ms, mr = _mask(simulated, by, key), _mask(real, by, key)
            ks, kr = ms & ~np.isnan(vs), mr & ~np.isnan(vr)
            if ws[ks].sum() <= 0 or wr[kr].sum() <= 0:  # no answers (or zero weights only)
                side = "simulated" if ws[ks].sum() <= 0 else "real"
                msg = (f"group {_label(by, key)} has no answers to {q!r} in the {side} data")
                if empty == "raise":
                    raise ValueError(msg + "; drop the group or pass empty='skip'")
                notes.append(msg + " (skipped)")
                continue
            row = {"question": q, **dict(zip(by, key, strict=True)), "kind": sp.kind,
                   "n_simulated": int(ks.sum()), "n_real": int(kr.sum()),
                   "missing_simulated": float(1 - ks.sum() / ms.sum())}
            row.update(_distribution(sp, cs[ks], ws[ks], cr[kr], wr[kr], vs[ks], vr[kr], q, by,
                                     key, share_rows))
            row.update(_spread(sp, vs[ks], ws[ks], vr[kr], wr[kr], margins.get(q), alpha,
                               n_boot, ci, np.random.default_rng(stream), weights is not None
                               or simulated_weights is not None, notes, _label(by, key), q,
                               min_n))
            if pairs is not None:
                row.update(_paired(sp, pairs, q, by, key, notes))
            rows.append(row)
            for c, csp in cspecs.items():
                assoc_rows.extend(_association(sp, csp, simulated, real, ms, mr, q, c, ws, wr,
                                               by, key, bias_correction, notes))
    if not rows:
        raise ValueError("no question and group had answers on both sides")
    settings = dict(margin=margin, margins=margins, min_n=min_n, alpha=alpha, n_boot=n_boot, ci=ci, seed=seed,
                    weights=weights if isinstance(weights, str) else weights is not None,
                    simulated_weights=simulated_weights if isinstance(simulated_weights, str)
                    else simulated_weights is not None, on=on, covariates=covs,
                    bias_correction=bias_correction)
    return ValidationReport(pd.DataFrame(rows), by=by,
                            association=pd.DataFrame(assoc_rows) if covs else None,
                            shares=pd.DataFrame(share_rows), settings=settings, notes=notes,
                            n_simulated=len(simulated), n_real=len(real))


def _distribution(sp: Spec, cs, ws, cr, wr, vs, vr, q, by, key, share_rows) -> dict:
    nan = float("nan")
    out = dict(representativeness=nan, js_distance=nan, total_variation=nan, ks=nan, ks_p=nan)
    if sp.kind == "numeric":
        out["ks"] = _weighted_ks(vs, ws, vr, wr)
        if np.all(ws == ws[0]) and np.all(wr == wr[0]):
            out["ks_p"] = float(D.ks_2samp(vs, vr).pvalue)
        return out
    k = len(sp.options)
    p = np.bincount(cs, ws, minlength=k) / ws.sum()
    r = np.bincount(cr, wr, minlength=k) / wr.sum()
    share_rows.extend({"question": q, **dict(zip(by, key, strict=True)), "option": o,
                       "simulated": float(a), "real": float(b)}
                      for o, a, b in zip(sp.options, p, r, strict=True))
    out["js_distance"] = D.js_distance(p, r)
    out["total_variation"] = D.total_variation(p, r)
    if sp.kind == "ordinal" and k >= 2:
        out["representativeness"] = D.representativeness(p, r)
        out["ks"] = D.ks_statistic(p, r)
        if np.all(ws == ws[0]) and np.all(wr == wr[0]):
            out["ks_p"] = float(D.ks_2samp(cs, cr).pvalue)
    return out


def _weighted_ks(x, wx, y, wy) -> float:
    grid = np.union1d(x, y)

    def cdf(v, w):
        o = np.argsort(v)
        cum = np.concatenate(([0.0], np.cumsum(w[o]) / w.sum()))
        return cum[np.searchsorted(v[o], grid, side="right")]

    return float(np.abs(cdf(x, wx) - cdf(y, wy)).max())


def _resolve_margin(q: str, sp: Spec, margin, notes: list):
    """The margin of question ``q`` in its units: the default from its scale, or the one given
    (checked, and warned about when it is large for the scale)."""
    from socialkit.validation.equivalence import _margin

    rng = sp.scale_range
    if isinstance(margin, str):
        if margin != "auto":
            raise ValueError(f"margin must be 'auto', a number, a (low, high) pair, a dict or "
                             f"None, got {margin!r}")
        if rng is None or not rng > 0:
            notes.append(f"{q!r}: no equivalence test ({sp.kind} answers have no scale to derive "
                         "a margin from; pass margin={" + repr(q) + ": ...} in answer units)")
            return None
        return round(AUTO_MARGIN * rng, 12)
    if margin is None:
        return None
    lo, hi = _margin(margin)
    if rng is not None and rng > 0 and max(-lo, hi) > LARGE_MARGIN * rng:
        warnings.warn(f"validate: margin {margin!r} for {q!r} is {max(-lo, hi) / rng:.0%} of its "
                      f"scale's range ({rng:g}): means that far apart would be called "
                      f"equivalent; the default is {AUTO_MARGIN:.0%} of the range "
                      f"({AUTO_MARGIN * rng:g})", UserWarning, stacklevel=4)
    return margin


def _spread(sp, vs, ws, vr, wr, margin, alpha, n_boot, ci, rng, weighted, notes, label, q,
            min_n=MIN_SPREAD_N):
    nan = float("nan")
    keys = ("mean_simulated", "mean_real", "sd_simulated", "sd_real", "variance_ratio",
            "variance_ratio_low", "variance_ratio_high", "spread", "mean_difference",
            "tost_low", "tost_high", "tost_p", "equivalent")
    out = dict.fromkeys(keys, nan)
    out["spread"], out["equivalent"] = None, pd.NA
    if sp.kind == "nominal":
        return out
    (m_s, sd_s, _), (m_r, sd_r, _) = E.weighted_stats(vs, ws), E.weighted_stats(vr, wr)
    out.update(mean_simulated=m_s, mean_real=m_r, sd_simulated=sd_s, sd_real=sd_r,
               mean_difference=m_s - m_r)
    if vs.size < 2 or vr.size < 2:
        notes.append(f"{q!r}, {label}: fewer than 2 answers on one side; no spread or TOST")
        return out
    if not sd_r > 0:
        notes.append(f"{q!r}, {label}: the real answers do not vary; no variance ratio")
    else:
        vr_ = E.variance_ratio(vs, vr, n_boot=n_boot, ci=ci, seed=rng,
                               weights=wr if weighted else None,
                               simulated_weights=ws if weighted else None)
        few = min(vs.size, vr.size) < min_n
        out.update(variance_ratio=vr_.ratio, variance_ratio_low=vr_.low,
                   variance_ratio_high=vr_.high,
                   spread=("too few to judge" if few else vr_.verdict) if n_boot else None)
        if few and n_boot:
            notes.append(f"{q!r}, {label}: {min(vs.size, vr.size)} answer(s) on one side, fewer "
                         f"than min_n = {min_n}: too few to judge the spread")
    if margin is not None:
        t = E.tost(vs, vr, margin, alpha=alpha, weights=wr if weighted else None,
                   simulated_weights=ws if weighted else None)
        out.update(tost_low=t.low, tost_high=t.high, tost_p=t.p_value, equivalent=t.equivalent)
    return out


def _pairs(sim: pd.DataFrame, real: pd.DataFrame, on: str, notes: list) -> pd.DataFrame:
    for f, side in ((sim, "simulated"), (real, "real")):
        dup = f[on][f[on].duplicated()]
        if len(dup):
            raise ValueError(f"on={on!r} must identify one row per agent, but the {side} data "
                             f"repeat ids {_preview(pd.unique(dup))}")
    pairs = sim.reset_index(drop=True).reset_index(names="_row_sim").merge(
        real.reset_index(drop=True).reset_index(names="_row_real"), on=on,
        suffixes=("_sim", "_real"))
    if pairs.empty:
        raise ValueError(f"no {on!r} id appears in both the simulated and the real data")
    unmatched = len(sim) - len(pairs)
    if unmatched:
        notes.append(f"{unmatched} simulated rows have no real respondent with the same {on!r}")
    return pairs


def _paired(sp: Spec, pairs, q, by, key, notes) -> dict:
    out = {"agreement": float("nan"), "agreement_r": float("nan"), "n_pairs": 0}
    sq, rq = (f"{q}_sim", f"{q}_real") if f"{q}_sim" in pairs else (q, q)
    m = np.ones(len(pairs), dtype=bool)
    for col, v in zip(by, key, strict=True):  # the group of a pair is its real respondent's
        c = f"{col}_real" if f"{col}_real" in pairs else col
        m &= (pairs[c] == v).to_numpy(dtype=bool, na_value=False)
    (vs, cs), (vr, cr) = sp.encode(pairs.loc[m, sq]), sp.encode(pairs.loc[m, rq])
    out["n_pairs"] = int((~np.isnan(vs) & ~np.isnan(vr)).sum())
    ok = (cs >= 0) & (cr >= 0)
    if sp.kind == "numeric" or not ok.any():
        return out
    out["agreement"] = float((cs[ok] == cr[ok]).mean())
    if sp.kind == "ordinal":
        try:
            out["agreement_r"] = A.polychoric(cs[ok], cr[ok])
        except ValueError:
            notes.append(f"{q!r}, {_label(by, key)}: paired answers do not vary on one side; "
                         "no agreement correlation")
    return out


def _association(sp, csp, sim, real, ms, mr, q, c, ws, wr, by, key, bias, notes) -> list[dict]:
    if sp.kind == "numeric":
        return []
    base = {"question": q, **dict(zip(by, key, strict=True)), "covariate": c}
    both_ord = sp.kind == "ordinal" and csp.kind == "ordinal"
    binary = len(sp.options) == 2 and len(csp.options) == 2
    measures = ["cramers_v"] + (["tetrachoric" if binary else "polychoric"] if both_ord else [])
    out = []
    for name in measures:
        vals = {}
        for side, f, m, w in (("simulated", sim, ms, ws), ("real", real, mr, wr)):
            x, y = csp.encode(f.loc[m, c])[1], sp.encode(f.loc[m, q])[1]
            ok = (x >= 0) & (y >= 0)
            try:
                if name == "cramers_v":
                    vals[side] = A.cramers_v(x[ok], y[ok], bias_correction=bias,
                                             weights=w[m][ok])
                else:
                    vals[side] = A.polychoric(x[ok], y[ok], weights=w[m][ok])
            except ValueError:
                vals[side] = float("nan")
                notes.append(f"{name} of {c!r} x {q!r} ({_label(by, key)}) is undefined in the "
                             f"{side} data: one of them does not vary")
        out.append({**base, "measure": name, **vals,
                    "difference": vals["simulated"] - vals["real"]})
    return out
