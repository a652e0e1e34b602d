"""How far apart two answer distributions are: representativeness, Jensen–Shannon, TV, KS.

The vector metrics take two probability vectors over the same options, simulated first (lists,
arrays, or pandas Series indexed by option, as returned by :func:`shares`). Ordinal metrics
(representativeness, ``ks_statistic``) read the options in the order given, lowest first.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special, stats

from socialkit.validation._checks import _preview, check_weights, positions, prob_pair, sample

__all__ = ["shares", "representativeness", "js_divergence", "js_distance", "total_variation",
           "ks_statistic", "ks_test", "KSTest", "option_list"]


def option_list(options) -> list:
    """The answer options as a list: a list/tuple/Index, or anything with ``.options``
    (e.g. a ``socialkit.Likert`` question)."""
    options = getattr(options, "options", options)
    if isinstance(options, str) or not hasattr(options, "__iter__"):
        raise TypeError(f"options must be a list of answer options, got {options!r}")
    out = list(options)
    if len(set(out)) != len(out):
        raise ValueError(f"options must be distinct, got {_preview(out)}")
    return out


def shares(answers, options=None, weights=None) -> pd.Series:
    """Share of answers in each option (weighted when ``weights`` is given); missing dropped.

    Parameters
    ----------
    answers : Series or array-like
        One answer per respondent or agent.
    options : list or question, optional
        The answer options in scale order, lowest first (or a ``socialkit.Likert``/``Choice``
        question). Default: the categories of a Categorical, else the sorted distinct answers.
        Pass it when some option may have no answers, so both sides cover the same scale.
    weights : array-like, optional
        One non-negative weight per answer (e.g. survey weights).

    Returns
    -------
    Series
        Shares indexed by option, summing to 1.

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> p = shares(anes["selfLR"], options=range(1, 8))
    >>> round(float(p[4.0]), 3), round(float(p.sum()), 6)
    (0.271, 1.0)
    """
    s = answers if isinstance(answers, pd.Series) else pd.Series(np.asarray(answers))
    if s.ndim != 1:
        raise ValueError("answers must be 1-D")
    w = None if weights is None else check_weights(weights, len(s))
    present = s.notna().to_numpy()
    if options is None:
        if isinstance(s.dtype, pd.CategoricalDtype):
            options = list(s.cat.categories)
        else:
            try:
                options = sorted(pd.unique(s[present]))
            except TypeError:
                raise TypeError("answers mix types that cannot be ordered "
                                f"({_preview(pd.unique(s[present]))}); pass options=") from None
    options = option_list(options)
    if not options:
        raise ValueError("no answers: every answer is missing, so there are no shares")
    pos = positions(s, options)
    outside = present & (pos < 0)
    if outside.any():
        raise ValueError(f"answers {_preview(pd.unique(s[outside]))} are not among the options "
                         f"{_preview(options)}")
    codes = pos[present]
    if codes.size == 0:
        raise ValueError("no answers: every answer is missing, so there are no shares")
    counts = np.bincount(codes, weights=None if w is None else w[present],
                         minlength=len(options)).astype(float)
    if counts.sum() <= 0:
        raise ValueError("the weights of the non-missing answers sum to 0")
    return pd.Series(counts / counts.sum(), index=pd.Index(options, name="option"), name="share")


def representativeness(p_simulated, p_real) -> float:
    """OpinionQA representativeness of two distributions over the same ordered options.

    ``R = 1 - W1(p, q) / (N - 1)``, where ``W1`` is the 1-D Wasserstein (earth mover's) distance
    between the two distributions placed on positions ``0, 1, ..., N-1`` of the ``N`` ordered
    options (``W1 = sum_k |P_k - Q_k|`` over the cumulative shares), and ``N - 1`` is its largest
    possible value (all mass at opposite ends). ``R`` is 1 for identical distributions and 0 for
    all answers at one end against all at the other. Options are equally spaced by rank, whatever
    their labels. Source: Santurkar, Durmus, Ladhak, Lee, Liang & Hashimoto (2023), "Whose
    Opinions Do Language Models Reflect?", ICML (section 3, "representativeness").

    Parameters
    ----------
    p_simulated, p_real : array-like or Series
        Probabilities of the ``N >= 2`` options, lowest first, each summing to 1.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> representativeness([0.5, 0.5, 0.0], [0.0, 0.5, 0.5])
    0.5
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> real = shares(anes["selfLR"], options=range(1, 8))
    >>> middle = shares(anes["selfLR"].clip(3, 5), options=range(1, 8))  # never leaves the middle
    >>> round(representativeness(middle, real), 3)
    0.926
    """
    p, q = prob_pair(p_simulated, p_real)
    if p.size < 2:
        raise ValueError("representativeness needs at least 2 ordered options, got 1")
    w1 = float(np.abs(np.cumsum(p - q)[:-1]).sum())
    return float(min(1.0, max(0.0, 1.0 - w1 / (p.size - 1))))


def js_divergence(p_simulated, p_real, base: float = 2) -> float:
    """Jensen–Shannon divergence ``JSD = (KL(p||m) + KL(q||m)) / 2`` with ``m = (p + q) / 2``.

    In bits by default (``base=2``), so it lies in [0, 1]; ``base=np.e`` gives nats (at most
    ln 2). Options need no order. :func:`js_distance` is its square root (a metric).

    Examples
    --------
    >>> js_divergence([1, 0], [0, 1])
    1.0
    >>> round(js_divergence([0.5, 0.5], [0.9, 0.1]), 4)
    0.1468
    """
    p, q = prob_pair(p_simulated, p_real, ordered=False)
    m = (p + q) / 2
    d = (special.rel_entr(p, m).sum() + special.rel_entr(q, m).sum()) / 2 / np.log(base)
    return float(max(d, 0.0))


def js_distance(p_simulated, p_real, base: float = 2) -> float:
    """Jensen–Shannon distance: the square root of :func:`js_divergence` (bits by default).

    Equals ``scipy.spatial.distance.jensenshannon(p, q, base=2)``; in [0, 1] for ``base=2``.

    Examples
    --------
    >>> round(js_distance([0.5, 0.5], [0.9, 0.1]), 4)
    0.3831
    """
    return float(np.sqrt(js_divergence(p_simulated, p_real, base)))


def total_variation(p_simulated, p_real) -> float:
    """Total variation distance ``sum |p - q| / 2``: the largest share that must move, in [0, 1].

    Examples
    --------
    >>> total_variation([0.2, 0.3, 0.5], [0.3, 0.3, 0.4])
    0.1
    """
    p, q = prob_pair(p_simulated, p_real, ordered=False)
    return round(float(np.abs(p - q).sum() / 2), 15)


def ks_statistic(p_simulated, p_real) -> float:
    """Kolmogorov–Smirnov distance between two distributions over ordered options.

    The largest gap between the cumulative shares, ``max_k |P_k - Q_k|``; on raw answers it
    equals the two-sample statistic of :func:`ks_test` (which also gives a p-value).

    Examples
    --------
    >>> ks_statistic([0.2, 0.3, 0.5], [0.4, 0.4, 0.2])
    0.3
    """
    p, q = prob_pair(p_simulated, p_real)
    return round(float(np.abs(np.cumsum(p - q)).max()), 15)


def ks_2samp(a, b):
    """``scipy.stats.ks_2samp``, quiet when its exact method gives way to the asymptotic one."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ks_2samp: Exact calculation unsuccessful",
                                RuntimeWarning)
        return stats.ks_2samp(a, b)


class KSTest(NamedTuple):
    """Two-sample Kolmogorov–Smirnov statistic and p-value."""

    statistic: float
    pvalue: float


def ks_test(simulated, real) -> KSTest:
    """Two-sample Kolmogorov–Smirnov test on raw numeric answers (``scipy.stats.ks_2samp``).

    With few distinct answers (a Likert scale) the p-value is conservative: the test was built for
    continuous data, so ties make it reject less often than its nominal level.

    Parameters
    ----------
    simulated, real : array-like
        Numeric answers (missing values dropped); ordered Categoricals use their positions.

    Returns
    -------
    KSTest
        ``statistic`` (largest gap between the empirical CDFs) and ``pvalue``.

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.load("anes1996")
    >>> r = ks_test(anes["selfLR"].clip(3, 5), anes["selfLR"])
    >>> round(r.statistic, 3)
    0.267
    """
    a = sample(simulated, "simulated answers")
    b = sample(real, "real answers")
    r = ks_2samp(a, b)
    return KSTest(float(r.statistic), float(r.pvalue))
