"""Association between a covariate and an answer: Cramér's V, tetrachoric, polychoric; agreement.

Each function takes either two equal-length 1-D arrays (pairs with a missing value are dropped)
or, with ``y`` omitted, a contingency table (rows are the categories of ``x`` in order).
Argyle et al. (2023, "Out of One, Many", Political Analysis) call the comparison of such
associations in simulated and real data *pattern correspondence*:
``socialkit.validate(..., covariates=[...])`` computes them side by side in ``report.association``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from socialkit.validation._checks import _preview, check_weights, same_length

__all__ = ["crosstab", "cramers_v", "tetrachoric", "polychoric", "proportion_agreement",
           "bvn_cdf"]

_RHO_MAX = 0.9999


def crosstab(x, y, weights=None, ordered: bool = False) -> pd.DataFrame:
    """(Weighted) counts of the pairs ``(x, y)``, pairs with a missing value dropped.

    With ``ordered=True`` the categories must have an order (numbers, booleans or ordered
    Categoricals); unordered text raises TypeError.
    """
    same_length(x, y, ("x", "y"))
    xs = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x))
    ys = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y))
    w = np.ones(len(xs)) if weights is None else check_weights(weights, len(xs))
    cx, lx = _codes(xs, "x", ordered)
    cy, ly = _codes(ys, "y", ordered)
    keep = (cx >= 0) & (cy >= 0)
    table = np.zeros((len(lx), len(ly)))
    np.add.at(table, (cx[keep], cy[keep]), w[keep])
    return pd.DataFrame(table, index=pd.Index(lx, name="x"), columns=pd.Index(ly, name="y"))


def _codes(s: pd.Series, name: str, ordered: bool) -> tuple[np.ndarray, list]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        if ordered and not s.cat.ordered and len(s.cat.categories) > 2:
            raise TypeError(f"{name} is an unordered Categorical {_preview(s.cat.categories)}; "
                            "a correlation needs ordered categories")
        return s.cat.codes.to_numpy(), list(s.cat.categories)
    numeric = pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
    if ordered and not numeric and s.nunique() > 2:
        raise TypeError(f"{name} holds text categories {_preview(pd.unique(s.dropna()))} whose "
                        "order is unknown; make it an ordered pandas Categorical")
    try:
        codes, labels = pd.factorize(s, sort=True)
    except TypeError:
        raise TypeError(f"{name} mixes types that cannot be sorted: "
                        f"{_preview(pd.unique(s.dropna()))}") from None
    return codes, list(labels)


def _table(x, y, weights, ordered: bool, what: str) -> np.ndarray:
    if y is None:
        if weights is not None:
            raise ValueError("weights apply to raw answers, not to a contingency table")
        t = np.asarray(x, dtype=float)
        if t.ndim != 2:
            raise ValueError(f"{what} needs a 2-D contingency table or two 1-D arrays, got an "
                             f"array of shape {t.shape}")
        if not np.isfinite(t).all() or (t < 0).any():
            raise ValueError(f"{what}: the contingency table must hold non-negative counts")
    else:
        t = crosstab(x, y, weights, ordered).to_numpy()
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]  # drop categories nobody chose
    if t.shape[0] < 2 or t.shape[1] < 2:
        raise ValueError(f"{what} needs at least two observed categories in each variable; the "
                         f"table of observed categories is {t.shape[0]} x {t.shape[1]}")
    return t


def cramers_v(x, y=None, *, bias_correction: bool = False, weights=None) -> float:
    """Cramér's V, ``sqrt(chi2 / (n * (min(r, c) - 1)))``, in [0, 1] (no Yates correction).

    With ``bias_correction=True``, Bergsma's (2013) correction, which removes most of the upward
    bias of V in small samples and with many categories (Journal of the Korean Statistical
    Society 42, 323-328). Categories nobody chose are dropped.

    Parameters
    ----------
    x, y : array-like
        Two categorical variables of equal length; or ``x`` a contingency table and ``y`` None.
    bias_correction : bool
    weights : array-like, optional
        One weight per pair (counts become sums of weights).

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> round(cramers_v(anes["PID"], anes["vote"]), 3)
    0.822
    >>> round(cramers_v([[10, 0], [0, 10]]), 3)
    1.0
    """
    t = _table(x, y, weights, False, "Cramér's V")
    n = t.sum()
    chi2 = stats.chi2_contingency(t, correction=False).statistic
    r, c = t.shape
    phi2 = chi2 / n
    if not bias_correction:
        return float(np.sqrt(phi2 / (min(r, c) - 1)))
    if n <= 1:
        raise ValueError("the bias-corrected Cramér's V needs more than one observation")
    phi2 = max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
    rr, cc = r - (r - 1) ** 2 / (n - 1), c - (c - 1) ** 2 / (n - 1)
    return float(np.sqrt(phi2 / (min(rr, cc) - 1)))


def bvn_cdf(h, k, rho: float) -> np.ndarray:
    """``P(X <= h, Y <= k)`` for standard bivariate normal ``(X, Y)`` with correlation ``rho``.

    Exact up to floating point, through Owen's T function (Owen 1956); vectorised over ``h``
    and ``k``, which may be infinite. ``|rho| < 1``.

    Examples
    --------
    >>> round(float(bvn_cdf(0.0, 0.0, 0.5)), 6)  # 1/4 + arcsin(0.5) / (2 pi) = 1/3
    0.333333
    """
    if not abs(rho) < 1:
        raise ValueError(f"rho must be strictly between -1 and 1, got {rho}")
    h, k = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(k, dtype=float))
    s = np.sqrt(1 - rho * rho)
    ph, pk = special.ndtr(h), special.ndtr(k)
    fin = np.isfinite(h) & np.isfinite(k)
    hf, kf = np.where(fin, h, 1.0), np.where(fin, k, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        general = (0.5 * (ph + pk) - special.owens_t(hf, (kf - rho * hf) / (hf * s))
                   - special.owens_t(kf, (hf - rho * kf) / (kf * s))
                   - np.where((hf * kf > 0) | ((hf * kf == 0) & (hf + kf >= 0)), 0.0, 0.5))
    r = rho / s
    out = np.where(hf == 0, 0.5 * pk + special.owens_t(kf, r),
                   np.where(kf == 0, 0.5 * ph + special.owens_t(hf, r), general))
    # infinite limits: P(X <= inf, Y <= k) = Phi(k); anything <= -inf has probability 0
    out = np.where(np.isposinf(h), pk, np.where(np.isposinf(k), ph, out))
    out = np.where(np.isneginf(h) | np.isneginf(k), 0.0, out)
    return np.clip(out, 0.0, 1.0)


def _thresholds(margin: np.ndarray) -> np.ndarray:
    cum = np.cumsum(margin)[:-1] / margin.sum()
    return np.concatenate(([-np.inf], special.ndtri(cum), [np.inf]))


def _polychoric_table(t: np.ndarray) -> float:
    a, b = _thresholds(t.sum(axis=1)), _thresholds(t.sum(axis=0))
    A, B = np.meshgrid(a, b, indexing="ij")

    def nll(rho):
        F = bvn_cdf(A, B, rho)
        P = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
        return -float((t * np.log(np.maximum(P, 1e-300))).sum())

    res = optimize.minimize_scalar(nll, bounds=(-_RHO_MAX, _RHO_MAX), method="bounded",
                                   options={"xatol": 1e-8})
    return float(res.x)


def polychoric(x, y=None, *, weights=None) -> float:
    """Polychoric correlation of two ordinal variables (two-step maximum likelihood).

    Each variable is taken as a discretised standard normal: its thresholds are fixed from its
    cumulative marginal shares (step 1), then the correlation ``rho`` of the underlying bivariate
    normal maximises the likelihood of the observed table (step 2; Olsson 1979,
    Psychometrika 44, 443-460). With two binary variables it is the tetrachoric correlation.
    A table with an empty corner cell pushes ``rho`` to its bound (+-0.9999).

    Parameters
    ----------
    x, y : array-like
        Ordinal answers (numbers, booleans or ordered Categoricals) of equal length; or ``x``
        a contingency table with rows and columns in order and ``y`` None.
    weights : array-like, optional
        One weight per pair.

    Returns
    -------
    float in [-1, 1]

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> round(polychoric(anes["PID"], anes["selfLR"]), 2)
    0.63
    """
    return _polychoric_table(_table(x, y, weights, True, "polychoric"))


def tetrachoric(x, y=None, *, weights=None) -> float:
    """Tetrachoric correlation of two binary variables: :func:`polychoric` on a 2 x 2 table.

    Argyle et al. (2023) report it between real and simulated vote choices.

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> round(tetrachoric(anes["PID"] >= 4, anes["vote"]), 2)  # Republican-leaning x Dole vote
    0.96
    >>> round(tetrachoric([[40, 10], [10, 40]]), 3)
    0.809
    """
    if y is not None:
        for v, name in ((x, "x"), (y, "y")):
            cats = pd.unique(pd.Series(np.asarray(v)).dropna())
            if len(cats) > 2:
                raise ValueError(f"tetrachoric needs two binary variables, but {name} has "
                                 f"{len(cats)} categories {_preview(sorted(cats, key=str))}; "
                                 "use polychoric for ordinal answers")
    t = _table(x, y, weights, True, "tetrachoric")
    if t.shape != (2, 2):
        raise ValueError(f"tetrachoric needs a 2 x 2 table, got {t.shape[0]} x {t.shape[1]}; "
                         "use polychoric for ordinal answers")
    return _polychoric_table(t)


def proportion_agreement(simulated, real) -> float:
    """Share of respondents whose simulated answer equals their real one (Argyle et al. 2023).

    ``simulated[i]`` must be the answer of the agent built from respondent ``i``; pairs with a
    missing answer are dropped.

    Examples
    --------
    >>> proportion_agreement([1, 0, 1, 1], [1, 0, 0, 1])
    0.75
    """
    same_length(simulated, real, ("simulated", "real"))
    a = pd.Series(np.asarray(simulated, dtype=object))
    b = pd.Series(np.asarray(real, dtype=object))
    keep = a.notna().to_numpy() & b.notna().to_numpy()
    if not keep.any():
        raise ValueError("no pair has both a simulated and a real answer")
    return float((a[keep].to_numpy() == b[keep].to_numpy()).mean())
