"""Synthetic populations that keep the joint distribution of a weighted source.

Two methods:

``"resample"``
    Draw ``n`` source rows with replacement, each with probability proportional to its weight
    (a weighted bootstrap), so every combination of attributes in the output exists in the source.
    Continuous columns get a smoothed-bootstrap jitter on the normal-score scale: a value at
    weighted mid-CDF ``u`` moves to ``Phi((Phi^-1(u) + h * e) / sqrt(1 + h^2))`` of the weighted
    quantile function (linear between observed values), with ``e ~ N(0, 1)`` and Silverman's
    bandwidth ``h = jitter * 0.9 * n_eff ** (-1/5)`` (Kish effective size). Skewed columns keep
    their shape, values stay within the observed range and integer columns stay integer.
    Columns are jittered independently, so exact functional links between columns (such as
    ``logpopul = log(popul + 0.1)`` in ANES 1996) hold only approximately; recompute them.
``"copula"``
    A Gaussian copula for mixed types (NORTA): each column keeps its weighted marginal
    distribution (categories and discrete values exactly, continuous columns through their
    interpolated quantile function) and the latent normal correlation matrix is calibrated so the
    Pearson correlations of the numeric encodings (values, or category codes) match the source.
    New combinations of attributes can appear. Nominal columns with more than two categories are
    encoded by category order, so only the dependence carried by that order is kept: prefer
    ``"resample"`` for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from socialkit.population._columns import column_kind, encode, kish, pairwise_corr

__all__ = ["synthesize_frame", "METHODS"]

METHODS = ("resample", "copula")
_CALIBRATION_ROWS = 40_000
_CALIBRATION_STEPS = 12


def synthesize_frame(df: pd.DataFrame, weights: np.ndarray, n: int, seed: int | None = None,
                     method: str = "resample", jitter: float = 1.0,
                     kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """A synthetic attribute table of ``n`` rows drawn from ``df`` weighted by ``weights``.

    The table-level engine of :meth:`socialkit.Population.synthesize`.

    Parameters
    ----------
    df : DataFrame
        Attribute columns of the source (a ``source_row`` column is carried by ``"resample"``
        and left out by ``"copula"``).
    weights : array
        Source weights.
    n, seed, method, jitter
        As in :meth:`socialkit.Population.synthesize`.
    kinds : dict, optional
        Column -> ``"categorical"`` or ``"continuous"`` (guessed when missing).

    Returns
    -------
    DataFrame
        ``n`` synthetic rows with the source's columns and dtypes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"x": [0, 1, 1, 0], "y": [0, 1, 1, 1]})
    >>> out = synthesize_frame(df, np.ones(4), 10_000, seed=0, method="copula")
    >>> round(float(out["y"].mean()), 2), bool(out["x"].corr(out["y"]) > 0.4)
    (0.75, True)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"synthesize: n must be a positive integer, got {n!r}")
    if method not in METHODS:
        raise ValueError(f"synthesize: unknown method {method!r}; choose one of {METHODS}")
    if not (isinstance(jitter, int | float) and jitter >= 0):
        raise ValueError(f"synthesize: jitter must be a number >= 0, got {jitter!r}")
    kinds = dict(kinds or {})
    for c in df.columns:
        kinds.setdefault(c, column_kind(df[c]))
    rng = np.random.default_rng(seed)
    w = np.asarray(weights, dtype=float)
    if method == "resample":
        return _resample(df, w, int(n), rng, jitter, kinds)
    return _copula(df, w, int(n), rng, kinds)


# ---- weighted bootstrap with jitter -----------------------------------------------------------
def _resample(df, w, n, rng, jitter, kinds):
    rows = rng.choice(len(df), size=n, replace=True, p=w / w.sum())
    out = df.iloc[rows].reset_index(drop=True)
    h = jitter * 0.9 * kish(w)[0] ** (-0.2)  # Silverman's bandwidth for a standard normal
    for col in df.columns:
        if col == "source_row" or kinds[col] != "continuous" or h == 0:
            continue
        x = df[col].to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(x)
        if len(np.unique(x[ok])) < 2:
            continue
        atoms, inverse = np.unique(x[ok], return_inverse=True)
        mass = np.bincount(inverse, weights=w[ok], minlength=len(atoms)) / w[ok].sum()
        upper = np.cumsum(mass)
        mid = upper - mass / 2  # mid-point of each value's block of the weighted CDF
        y = out[col].to_numpy(dtype=float, na_value=np.nan, copy=True)
        has = np.isfinite(y)
        z = ndtri(mid[np.searchsorted(atoms, y[has])])
        z = (z + h * rng.standard_normal(int(has.sum()))) / np.sqrt(1 + h * h)
        y[has] = np.interp(ndtr(z), mid, atoms)
        if np.all(atoms == np.round(atoms)):
            y[has] = np.round(y[has])
        out[col] = y if not pd.api.types.is_integer_dtype(df[col].dtype) or not has.all() \
            else y.astype(df[col].dtype)
    return out


# ---- Gaussian copula --------------------------------------------------------------------------
class _Marginal:
    """The weighted marginal of one column, sampled from uniforms and decoded back to values."""

    def __init__(self, s: pd.Series, w: np.ndarray, kind: str):
        self.series, self.kind = s, kind
        x = encode(s)
        miss = ~np.isfinite(x)
        self.p_missing = float(w[miss].sum() / w.sum())
        x, wk = x[~miss], w[~miss]
        if kind == "continuous":
            order = np.argsort(x, kind="stable")
            self.atoms, ws = x[order], wk[order]
            self.cdf = (np.cumsum(ws) - ws / 2) / ws.sum()  # mid-point plotting positions
            self.integer = bool(np.all(self.atoms == np.round(self.atoms)))
        else:
            self.atoms, inverse = np.unique(x, return_inverse=True)
            probs = np.bincount(inverse, weights=wk, minlength=len(self.atoms))
            self.cdf = np.cumsum(probs) / probs.sum()
            # category boundaries on the normal scale: no normal CDF needed when sampling
            self.zcuts = ndtri(self.p_missing + (1 - self.p_missing) * self.cdf[:-1])
        self.zmissing = ndtri(self.p_missing) if self.p_missing > 0 else -np.inf

    def sample(self, z: np.ndarray) -> np.ndarray:
        """Encoded values for standard normal scores ``z`` (the lowest ``p_missing`` -> NaN)."""
        if self.kind == "continuous":
            v = np.clip((ndtr(z) - self.p_missing) / (1 - self.p_missing), 0.0, 1.0)
            out = np.interp(v, self.cdf, self.atoms)
            if self.integer:
                out = np.round(out)
        else:
            out = self.atoms[np.searchsorted(self.zcuts, z, side="left")]
        if self.p_missing > 0:
            out = np.where(z < self.zmissing, np.nan, out)
        return out

    def decode(self, x: np.ndarray) -> pd.Series | np.ndarray:
        s = self.series
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = np.where(np.isfinite(x), x, -1).astype(np.int64)
            return pd.Categorical.from_codes(codes, dtype=s.dtype)
        if pd.api.types.is_bool_dtype(s.dtype):
            return x.astype(bool) if np.isfinite(x).all() else pd.array(
                np.where(np.isfinite(x), x, np.nan) == 1, dtype="boolean")
        if pd.api.types.is_numeric_dtype(s.dtype):
            if pd.api.types.is_integer_dtype(s.dtype) and np.isfinite(x).all():
                return x.astype(s.dtype)
            return x
        uniques = pd.Series(pd.unique(s.dropna())).sort_values().to_numpy()
        codes = np.where(np.isfinite(x), x, 0).astype(np.int64)
        return pd.Series(uniques[codes]).where(np.isfinite(x)).to_numpy()


def _pairwise_corr(X: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    R = pairwise_corr(X, np.ones(len(X)) if w is None else w)
    R = np.where(np.isfinite(R), R, 0.0)
    np.fill_diagonal(R, 1.0)
    return R


def _nearest_corr(R: np.ndarray) -> np.ndarray:
    """A positive-definite correlation matrix close to ``R`` (eigenvalue clipping)."""
    R = (R + R.T) / 2
    vals, vecs = np.linalg.eigh(R)
    R = (vecs * np.maximum(vals, 1e-6)) @ vecs.T
    d = np.sqrt(np.diag(R))
    R = R / np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


def _copula(df, w, n, rng, kinds):
    cols = [c for c in df.columns if c != "source_row"]
    margs = [_Marginal(df[c], w, kinds[c]) for c in cols]
    X = np.column_stack([encode(df[c]) for c in cols])
    target = _pairwise_corr(X, w)
    constant = np.array([len(m.atoms) <= 1 for m in margs])
    # calibrate the latent correlation with common random numbers (deterministic given the seed)
    cal_rng = np.random.default_rng(rng.integers(2 ** 63))
    Z0 = cal_rng.standard_normal((len(cols), min(max(n, 5_000), _CALIBRATION_ROWS)))
    R, best = target.copy(), np.inf
    for _ in range(_CALIBRATION_STEPS):
        R = _nearest_corr(R)
        got = _pairwise_corr(np.column_stack(_draw(Z0, R, margs)))
        gap = np.where(constant[:, None] | constant[None, :], 0.0, target - got)
        worst = np.abs(gap).max()
        if worst < 2e-3 or worst > 0.9 * best:  # close enough, or stuck at a Frechet bound
            break
        best = worst
        R = R + gap
    R = _nearest_corr(R)
    Y = _draw(rng.standard_normal((len(cols), n)), R, margs)
    return pd.DataFrame({c: m.decode(y) for c, m, y in zip(cols, margs, Y, strict=True)})


def _draw(Z: np.ndarray, R: np.ndarray, margs: list[_Marginal]) -> list[np.ndarray]:
    """Encoded columns from independent normals ``Z`` (one row per column) correlated by ``R``."""
    Y = np.linalg.cholesky(R) @ Z
    return [m.sample(Y[j]) for j, m in enumerate(margs)]
