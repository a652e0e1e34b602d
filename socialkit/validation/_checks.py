"""Input checks shared by the validation metrics: each names what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TOL = 1e-6  # how far from 1 a probability vector may sum


def _preview(values, k: int = 6) -> str:
    values = list(values)
    head = ", ".join(repr(_plain(v)) for v in values[:k])
    return f"[{head}{', ...' if len(values) > k else ''}]"


def _plain(v):
    """numpy scalars as Python scalars, so messages read ``3`` rather than ``np.int64(3)``."""
    return v.item() if isinstance(v, np.generic) else v


def positions(values, options) -> np.ndarray:
    """Position of each value among ``options`` (-1 when missing or not an option)."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    return pd.Index(list(options)).get_indexer(pd.Index(s)).astype(np.int64)


def prob_pair(p, q, names=("p_simulated", "p_real"), ordered: bool = True
              ) -> tuple[np.ndarray, np.ndarray]:
    """Two probability vectors over the same options, as float arrays; raise on anything else.

    Series are matched by option: for unordered metrics ``q`` is put in ``p``'s order; for
    ordered ones a different order is an error (which order is the scale's is unknowable).
    """
    if isinstance(p, pd.Series) and isinstance(q, pd.Series):
        only_p = [v for v in p.index if v not in set(q.index)]
        only_q = [v for v in q.index if v not in set(p.index)]
        if only_p or only_q:
            raise ValueError(f"{names[0]} and {names[1]} have different options: only in "
                             f"{names[0]}: {_preview(only_p)}; only in {names[1]}: "
                             f"{_preview(only_q)}")
        if list(p.index) != list(q.index) and not ordered:
            q = q[p.index]
        elif list(p.index) != list(q.index):
            raise ValueError(f"{names[0]} and {names[1]} list the same options in a different "
                             f"order ({_preview(p.index)} vs {_preview(q.index)}); put both in "
                             "the order of the scale, e.g. q = q[p.index]")
    out = []
    for v, name in zip((p, q), names, strict=True):
        a = np.asarray(v, dtype=float)
        if a.ndim != 1:
            raise ValueError(f"{name} must be a 1-D vector of probabilities, got shape {a.shape}")
        if a.size == 0:
            raise ValueError(f"{name} is empty: it needs one probability per answer option")
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or infinite values: {_preview(a)}")
        if (a < 0).any():
            raise ValueError(f"{name} has negative probabilities at positions "
                             f"{np.flatnonzero(a < 0).tolist()}: {_preview(a)}")
        if abs(a.sum() - 1) > TOL:
            raise ValueError(f"{name} sums to {a.sum():.6g}, not 1; pass shares (turn raw answers "
                             "into shares with socialkit.validation.shares)")
        out.append(a)
    if out[0].size != out[1].size:
        raise ValueError(f"{names[0]} has {out[0].size} options but {names[1]} has "
                         f"{out[1].size}; both must cover the same ordered options")
    return out[0], out[1]


def values(x, name: str) -> np.ndarray:
    """Numeric answers as floats, missing kept as NaN (ordered Categoricals as their positions)."""
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        if not x.cat.ordered:
            raise TypeError(f"{name} is an unordered Categorical; numbers or an ordered "
                            "Categorical are needed here")
        a = x.cat.codes.to_numpy().astype(float)
        a[a < 0] = np.nan
        return a
    if isinstance(x, pd.Series):
        x = x.to_numpy(dtype=float, na_value=np.nan) if _numeric(x) else x.to_numpy()
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numeric answers (or an ordered Categorical); got "
                        f"values such as {_preview(pd.unique(pd.Series(np.ravel(x)).dropna()))}"
                        ) from None
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    return a


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)


def sample(x, name: str, min_n: int = 1) -> np.ndarray:
    """Raw numeric answers as a float array without missing values."""
    a, _ = weighted_sample(x, None, name, min_n)
    return a


def weighted_sample(x, weights, name: str, min_n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Answers and their weights (ones when ``weights`` is None), missing answers dropped."""
    a = values(x, name)
    w = np.ones_like(a) if weights is None else check_weights(weights, a.size,
                                                              f"weights of {name}")
    keep = ~np.isnan(a)
    a, w = a[keep], w[keep]
    if a.size < min_n:
        raise ValueError(f"{name}: {a.size} non-missing answer(s); at least {min_n} needed")
    if weights is not None and a.size and w.sum() <= 0:
        raise ValueError(f"weights of {name} sum to 0 over the non-missing answers")
    return a, w


def check_weights(weights, n: int, name: str = "weights") -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size != n:
        raise ValueError(f"{name} has {w.size} values but there are {n} answers")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    if n and w.sum() <= 0:
        raise ValueError(f"{name} sum to 0")
    return w


def same_length(a, b, names: Sequence[str]) -> None:
    if len(a) != len(b):
        raise ValueError(f"{names[0]} has {len(a)} answers but {names[1]} has {len(b)}; paired "
                         "metrics need one simulated answer per real respondent, in the same order")
