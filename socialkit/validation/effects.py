"""Effect sizes of experiments on simulated agents: odds ratios from a proportional-odds ordinal
regression, and shares with Wilson intervals.

:func:`ordinal_odds_ratios` needs statsmodels (``pip install 'socialkit[stats]'``), imported on
first use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ordinal_odds_ratios", "wilson", "shares_by"]

_INSTALL = "pip install 'socialkit[stats]'"


def _column(df: pd.DataFrame, col: Any, what: str) -> None:
    if not isinstance(col, str):
        raise TypeError(f"{what} must be a column name, got {col!r}")
    if col not in df.columns:
        raise ValueError(f"{what}={col!r} is not a column; columns: {list(df.columns)}")


def ordinal_odds_ratios(df: pd.DataFrame, outcome: str, treatment: str, reference: Any, *,
                        covariates: Sequence[str] = (), level: float = 0.95) -> pd.DataFrame:
    """Odds ratios of each treatment against a reference from a proportional-odds (ordered
    logit) regression ``outcome ~ treatment + covariates`` (statsmodels' ``OrderedModel``).

    An odds ratio above 1 means higher odds of a higher outcome category than under the
    reference, at equal covariates (Salvi et al. 2024 report 1.81 for GPT-4 with personal
    information against human debaters, outcome = agreement with the opponent after the
    debate, covariate = agreement before).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit; rows with a missing outcome, treatment or covariate are dropped
        (their number is in ``attrs["dropped"]``).
    outcome : str
        An ordered outcome (integers or an ordered categorical).
    treatment : str
        The condition of each row.
    reference : object
        The treatment level the others are compared with.
    covariates : list of str
        Numeric covariates (e.g. the outcome measured before).
    level : float
        Confidence level of the intervals (Wald, on the log-odds scale).

    Returns
    -------
    pandas.DataFrame
        One row per treatment level other than the reference: ``treatment``, ``n``,
        ``odds_ratio``, ``ci_low``, ``ci_high``, ``p_value`` (Wald); ``attrs`` hold
        ``n``, ``dropped``, ``converged``, ``reference`` and ``thresholds``. Levels that
        cannot be estimated (no rows, or the fit failed) get NaN and a ``note``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> arm = np.repeat(["control", "treated"], 200)
    >>> latent = rng.logistic(size=400) + np.where(arm == "treated", 1.0, 0.0)
    >>> y = np.digitize(latent, [-1, 0, 1, 2]) + 1          # 1..5
    >>> t = ordinal_odds_ratios(pd.DataFrame({"y": y, "arm": arm}), "y", "arm", "control")
    >>> t[["treatment", "n"]].values.tolist(), bool(1.8 < t["odds_ratio"][0] < 4.5)
    ([['treated', 200]], True)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"ordinal_odds_ratios needs a pandas DataFrame, got "
                        f"{type(df).__name__}")
    _column(df, outcome, "outcome")
    _column(df, treatment, "treatment")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    for c in covariates:
        _column(df, c, "covariates")
    if not isinstance(level, float) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    data = df[[outcome, treatment, *covariates]]
    keep = data.notna().all(axis=1)
    data = data[keep]
    levels = list(pd.unique(data[treatment]))
    if reference not in levels:
        raise ValueError(f"reference={reference!r} is not a level of {treatment!r} (among "
                         f"the complete rows); levels: {levels}")
    y = data[outcome]
    if not isinstance(y.dtype, pd.CategoricalDtype):
        try:
            y = pd.Categorical(pd.to_numeric(y), ordered=True)
        except (TypeError, ValueError):
            raise TypeError(f"outcome {outcome!r} must be numbers or an ordered categorical") \
                from None
    elif not y.dtype.ordered:
        raise TypeError(f"outcome {outcome!r} is an unordered categorical")
    y = pd.Categorical(y).remove_unused_categories()
    others = [lv for lv in levels if lv != reference]
    rows = []
    base = {"converged": False, "n": int(len(data)), "dropped": int((~keep).sum()),
            "reference": reference, "thresholds": None}
    note = None
    if len(y.categories) < 2:
        note = f"the outcome takes one value ({y.categories[0] if len(y) else 'none'})"
    elif not others:
        note = "no treatment level besides the reference"
    if note is None:
        try:
            from statsmodels.miscmodels.ordinal_model import OrderedModel
        except ImportError as exc:
            raise ImportError(f"ordinal_odds_ratios needs statsmodels: {_INSTALL}") from exc
        X = pd.DataFrame({f"{treatment}={lv}": (data[treatment] == lv).astype(float).to_numpy()
                          for lv in others})
        for c in covariates:
            X[c] = pd.to_numeric(data[c]).to_numpy(dtype=float)
        X = X.loc[:, X.std() > 0] if len(X) > 1 else X
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = OrderedModel(np.asarray(y.codes), X, distr="logit").fit(
                    method="bfgs", disp=False, maxiter=500)
            base["converged"] = bool(fit.mle_retvals.get("converged", False))
            k = X.shape[1]
            base["thresholds"] = [float(v) for v in
                                  fit.model.transform_threshold_params(fit.params)[1:-1]]
            z = stats.norm.ppf(0.5 + level / 2)
            for lv in others:
                name = f"{treatment}={lv}"
                n = int((data[treatment] == lv).sum())
                if name not in X.columns:
                    rows.append([lv, n, math.nan, math.nan, math.nan, math.nan,
                                 "constant within the data"])
                    continue
                j = list(X.columns).index(name)
                b, se = float(fit.params.iloc[j]), float(fit.bse.iloc[j])
                ok = math.isfinite(se) and se > 0 and j < k
                if not ok or abs(b) + z * se > 20:  # no standard error, or a diverging one
                    rows.append([lv, n, math.nan, math.nan, math.nan, math.nan,  # (separation)
                                 "separation or too few rows (no usable standard error)"])
                    continue
                rows.append([lv, n, math.exp(b), math.exp(b - z * se), math.exp(b + z * se),
                             float(2 * stats.norm.sf(abs(b / se))),
                             None if base["converged"] else "the fit did not converge"])
        except (np.linalg.LinAlgError, ValueError) as err:
            note = f"the fit failed: {err}"
    if note is not None:
        rows = [[lv, int((data[treatment] == lv).sum()), math.nan, math.nan, math.nan,
                 math.nan, note] for lv in others]
    out = pd.DataFrame(rows, columns=["treatment", "n", "odds_ratio", "ci_low", "ci_high",
                                      "p_value", "note"])
    out.attrs.update(base)
    return out


def wilson(successes: Any, n: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share: ``(low, high)`` arrays (NaN where ``n`` is 0).

    Examples
    --------
    >>> low, high = wilson(7, 10)
    >>> round(float(low), 3), round(float(high), 3)
    (0.397, 0.892)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("wilson: successes must be between 0 and n")
    if not isinstance(level, float) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def shares_by(df: pd.DataFrame, by: str, success: str, level: float = 0.95) -> pd.DataFrame:
    """The share of rows where ``success`` is true in each group, with Wilson intervals,
    largest share first (ties by group name); rows with a missing ``success`` are left out.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``n``, ``successes``, ``share``, ``ci_low``, ``ci_high``, ``rank``.

    Examples
    --------
    >>> df = pd.DataFrame({"dim": ["a", "a", "b", "b", "b"], "ok": [1, 0, 1, 1, None]})
    >>> shares_by(df, "dim", "ok")[["dim", "n", "share", "rank"]].values.tolist()
    [['b', 2, 1.0, 1], ['a', 2, 0.5, 2]]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"shares_by needs a pandas DataFrame, got {type(df).__name__}")
    _column(df, by, "by")
    _column(df, success, "success")
    ok = df[success].dropna()
    bad = ~ok.isin([0, 1, True, False])
    if bad.any():
        raise ValueError(f"success column {success!r} must hold 0/1 or True/False, got "
                         f"{ok[bad].iloc[0]!r}")
    g = pd.DataFrame({by: df.loc[ok.index, by], "s": ok.astype(float)}).groupby(by)["s"]
    out = pd.DataFrame({"n": g.size(), "successes": g.sum()}).reset_index()
    out["n"] = out["n"].astype(int)
    out["successes"] = out["successes"].astype(int)
    out["share"] = out["successes"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson(out["successes"], out["n"], level)
    out = out.sort_values(["share", by], ascending=[False, True], kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)
