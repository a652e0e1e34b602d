"""Spread and location: the variance ratio with a bootstrap interval, and TOST equivalence.

A t-test that is "not significant" is no evidence that simulated and real means agree (small or
noisy samples never reject), and equal means say nothing about spread: a simulation can match the
mean while its answers are far less varied. These two functions test what matters instead.

With weights, means and variances are weighted and the sample size is Kish's effective size
``(sum w)^2 / sum w^2`` (an approximation that ignores clustering and stratification).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from socialkit.validation._checks import weighted_sample

__all__ = ["variance_ratio", "VarianceRatio", "tost", "TOSTResult", "weighted_stats"]

_CHUNK = 4_000_000  # bootstrap values drawn per batch (bounds memory for large samples)


def weighted_stats(x: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted mean, weighted SD (equal weights give the usual ``ddof=1`` SD) and Kish n_eff."""
    sw = w.sum()
    mean = float(w @ x / sw)
    n_eff = float(sw ** 2 / (w @ w))
    var = float(w @ (x - mean) ** 2 / sw)
    sd = float(np.sqrt(var * n_eff / (n_eff - 1))) if n_eff > 1 else float("nan")
    return mean, sd, n_eff


def _boot_sd(x: np.ndarray, w: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """SDs of ``n_boot`` resamples (rows drawn with replacement, weights carried along)."""
    n = x.size
    out = np.empty(n_boot)
    per = max(1, _CHUNK // n)
    for start in range(0, n_boot, per):
        b = min(per, n_boot - start)
        idx = rng.integers(0, n, size=(b, n))
        xb, wb = x[idx], w[idx]
        sw = wb.sum(axis=1)
        mean = (wb * xb).sum(axis=1) / sw
        var = (wb * (xb - mean[:, None]) ** 2).sum(axis=1) / sw
        n_eff = sw ** 2 / (wb ** 2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + b] = np.sqrt(var * n_eff / (n_eff - 1))
    return out


@dataclass(frozen=True)
class VarianceRatio:
    """Simulated SD / real SD with a percentile bootstrap interval."""

    ratio: float
    low: float
    high: float
    sd_simulated: float
    sd_real: float
    ci: float
    n_boot: int

    @property
    def verdict(self) -> str:
        """``'less varied'``, ``'more varied'`` (interval excludes 1) or ``'no evidence'``."""
        if self.high < 1:
            return "less varied"
        if self.low > 1:
            return "more varied"
        return "no evidence"

    def __str__(self) -> str:
        return (f"SD ratio {self.ratio:.3g} ({self.ci:.0%} CI {self.low:.3g} to {self.high:.3g})"
                f": {self.verdict}")


def variance_ratio(simulated, real, *, n_boot: int = 2000, ci: float = 0.95, seed=0,
                   weights=None, simulated_weights=None) -> VarianceRatio:
    """Ratio of the simulated to the real standard deviation, with a bootstrap interval.

    Each sample is resampled independently (rows with replacement, ``n_boot`` times, with a
    seeded ``numpy.random.Generator``) and the interval is the percentile interval of the
    resampled ratios. An interval entirely below 1 means the simulated answers are less varied
    than the real ones (variance collapse).

    Parameters
    ----------
    simulated, real : array-like
        Numeric answers (missing dropped; ordered Categoricals use their positions).
    n_boot : int
        Bootstrap resamples (0 skips the interval: ``low`` and ``high`` are NaN).
    ci : float
        Coverage of the interval.
    seed : int or numpy.random.Generator
    weights, simulated_weights : array-like, optional
        Weights of the real and simulated answers.

    Returns
    -------
    VarianceRatio
        ``ratio``, ``low``, ``high``, ``sd_simulated``, ``sd_real``, ``ci``, ``n_boot`` and a
        ``verdict``.

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> r = variance_ratio(anes["selfLR"].clip(3, 5), anes["selfLR"], seed=1)
    >>> round(r.ratio, 2), r.high < 1, r.verdict
    (0.58, True, 'less varied')
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    if int(n_boot) != n_boot or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer, got {n_boot}")
    x, wx = weighted_sample(simulated, simulated_weights, "simulated answers", 2)
    y, wy = weighted_sample(real, weights, "real answers", 2)
    sd_x, sd_y = weighted_stats(x, wx)[1], weighted_stats(y, wy)[1]
    if not sd_y > 0:
        raise ValueError("the real answers do not vary (SD 0), so the variance ratio is undefined")
    low = high = float("nan")
    if n_boot:
        rng = np.random.default_rng(seed)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = _boot_sd(x, wx, int(n_boot), rng) / _boot_sd(y, wy, int(n_boot), rng)
        r = r[~np.isnan(r)]  # 0/0: neither resample varied
        if r.size:
            a = (1 - ci) / 2
            big = np.finfo(float).max / 4  # resamples where only the real side is constant
            q = np.quantile(np.minimum(r, big), [a, 1 - a])
            low, high = (float(v) if v < big / 2 else float("inf") for v in q)
    return VarianceRatio(sd_x / sd_y, low, high, sd_x, sd_y, ci, int(n_boot))


@dataclass(frozen=True)
class TOSTResult:
    """Welch two one-sided tests (TOST) for the equivalence of two means."""

    difference: float  # simulated mean minus real mean
    low: float  # (1 - 2 alpha) confidence interval of the difference
    high: float
    p_lower: float  # H0: difference <= -margin
    p_upper: float  # H0: difference >= +margin
    p_value: float  # max(p_lower, p_upper)
    df: float
    margin: tuple[float, float]
    alpha: float

    @property
    def equivalent(self) -> bool:
        """True only when both one-sided tests reject at ``alpha`` (the CI lies in the margin)."""
        return bool(self.p_value < self.alpha)

    def __str__(self) -> str:
        lo, hi = self.margin
        word = "equivalent" if self.equivalent else "not shown equivalent"
        return (f"mean difference {self.difference:.3g} ({1 - 2 * self.alpha:.0%} CI "
                f"{self.low:.3g} to {self.high:.3g}); {word} within [{lo:.3g}, {hi:.3g}] "
                f"(TOST p = {self.p_value:.3g})")


def tost(simulated, real, margin, *, alpha: float = 0.05, weights=None,
         simulated_weights=None) -> TOSTResult:
    """Is the simulated mean within ``margin`` of the real mean? Welch TOST (Schuirmann 1987).

    Two one-sided Welch t-tests of H0: ``d <= -margin`` and H0: ``d >= +margin``, where ``d`` is
    the simulated mean minus the real mean. Equivalence is shown only when both reject at
    ``alpha``, i.e. when the ``1 - 2 alpha`` (90%) confidence interval of ``d`` lies inside the
    margin. Failing to show equivalence is not evidence of a difference, and a non-significant
    t-test is not evidence of equivalence.

    Parameters
    ----------
    simulated, real : array-like
        Numeric answers (missing dropped; ordered Categoricals use their positions).
    margin : float or (float, float)
        Largest difference that counts as negligible, in answer units: ``m`` means
        ``(-m, m)``; a pair gives asymmetric bounds ``(low, high)`` with ``low < 0 < high``.
    alpha : float
        Level of each one-sided test.
    weights, simulated_weights : array-like, optional
        Weights of the real and simulated answers (Kish effective sizes in the standard error).

    Returns
    -------
    TOSTResult
        ``difference``, ``low``/``high`` (the 90% CI for ``alpha=0.05``), ``p_lower``,
        ``p_upper``, ``p_value`` (the larger one), ``df``, ``margin``, ``alpha``, ``equivalent``.

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> r = tost(anes["selfLR"].clip(3, 5), anes["selfLR"], margin=0.5)
    >>> round(r.difference, 2), round(r.low, 2), round(r.high, 2), r.equivalent
    (-0.16, -0.25, -0.07, True)
    >>> tost(anes["selfLR"].clip(3, 5), anes["selfLR"], margin=0.1).equivalent
    False
    """
    lo, hi = _margin(margin)
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be between 0 and 0.5, got {alpha}")
    x, wx = weighted_sample(simulated, simulated_weights, "simulated answers", 2)
    y, wy = weighted_sample(real, weights, "real answers", 2)
    mx, sx, nx = weighted_stats(x, wx)
    my, sy, ny = weighted_stats(y, wy)
    if np.isnan(sx) or np.isnan(sy):
        raise ValueError("TOST needs an effective sample size above 1 on both sides")
    d = mx - my
    vx, vy = sx ** 2 / nx, sy ** 2 / ny
    se = float(np.sqrt(vx + vy))
    if se > 0:
        df = float((vx + vy) ** 2 / (vx ** 2 / (nx - 1) + vy ** 2 / (ny - 1)))
        p_lower = float(stats.t.sf((d - lo) / se, df))
        p_upper = float(stats.t.cdf((d - hi) / se, df))
        half = float(stats.t.ppf(1 - alpha, df)) * se
    else:  # both samples constant: the difference is known exactly
        df, half = float(nx + ny - 2), 0.0
        p_lower, p_upper = float(d <= lo), float(d >= hi)
    return TOSTResult(float(d), d - half, d + half, p_lower, p_upper, max(p_lower, p_upper), df,
                      (lo, hi), alpha)


def _margin(margin) -> tuple[float, float]:
    if margin is None:
        raise ValueError("TOST needs a margin: the largest mean difference you would call "
                         "negligible, in answer units (e.g. margin=0.5 on a 7-point scale)")
    if np.ndim(margin) == 0:
        m = float(margin)
        if not m > 0:
            raise ValueError(f"margin must be positive, got {margin}")
        return -m, m
    lo, hi = (float(v) for v in margin)
    if not lo < 0 < hi:
        raise ValueError(f"margin (low, high) must satisfy low < 0 < high, got {margin}")
    return lo, hi
