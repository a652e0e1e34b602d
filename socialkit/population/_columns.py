"""Column kinds, numeric encodings and weighted statistics shared by raking, synthesis, fidelity."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_CATEGORIES = 30  # a numeric column with more distinct values than this is continuous


def column_kind(s: pd.Series, declared: str | None = None) -> str:
    """``'categorical'`` or ``'continuous'``.

    A codebook's declared kind wins (``continuous`` vs ``nominal``/``ordinal``). Otherwise
    strings, booleans and Categoricals are categorical; a numeric column is continuous when it
    holds non-integer values or more than ``MAX_CATEGORIES`` distinct values.
    """
    if declared == "continuous":
        return "continuous"
    if declared in ("nominal", "ordinal"):
        return "categorical"
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return "categorical"
    v = s.to_numpy(dtype=float, na_value=np.nan)
    v = v[np.isfinite(v)]
    if v.size and not np.all(v == np.round(v)):
        return "continuous"
    return "continuous" if len(np.unique(v)) > MAX_CATEGORIES else "categorical"


def is_ordered(s: pd.Series) -> bool:
    """True when the column has a meaningful order (numbers, ordered Categoricals, booleans)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return bool(s.cat.ordered) or len(s.cat.categories) <= 2
    if pd.api.types.is_numeric_dtype(s.dtype):
        return True
    return s.nunique(dropna=True) <= 2


def encode(s: pd.Series) -> np.ndarray:
    """Numbers for a column: numeric values, Categorical codes, or sorted-category codes; NaN kept."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        return codes
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    codes, _ = pd.factorize(s, sort=True)
    codes = codes.astype(float)
    codes[codes < 0] = np.nan
    return codes


def weighted_corr(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted Pearson correlation of the columns of ``X`` (rows with any NaN dropped)."""
    ok = np.isfinite(X).all(axis=1)
    X, w = X[ok], w[ok]
    w = w / w.sum()
    mu = w @ X
    Xc = X - mu
    cov = (Xc * w[:, None]).T @ Xc
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.outer(sd, sd)


def pairwise_corr(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted correlations with pairwise deletion of NaN (complete cases when there is none)."""
    if np.isfinite(X).all():
        return weighted_corr(X, w)
    p = X.shape[1]
    R = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            R[i, j] = R[j, i] = weighted_corr(X[:, [i, j]], w)[0, 1]
    return R


def kish(w: np.ndarray) -> tuple[float, float]:
    """Kish effective sample size ``(sum w)^2 / sum w^2`` and design effect ``n / n_eff``."""
    w = np.asarray(w, dtype=float)
    ess = float(w.sum() ** 2 / (w ** 2).sum())
    return ess, float(len(w) / ess)
