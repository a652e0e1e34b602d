"""What kind of answers a question has, and its answers as numbers, checked on both sides.

Kinds: ``ordinal`` (numbers with few distinct values, booleans, ordered Categoricals, or text
declared ordinal with its options), ``nominal`` (unordered text or Categoricals), ``numeric``
(numbers with more than ``max_levels`` distinct values) and ``text`` (free text: more than
``max_levels`` distinct strings), which no metric here handles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialkit.validation._checks import _plain, _preview, positions
from socialkit.validation.distribution import option_list

KINDS = ("ordinal", "nominal", "numeric", "text")


@dataclass(frozen=True)
class Spec:
    """A question (or covariate) and its answer options, in scale order for ordinal ones."""

    name: str
    kind: str
    options: tuple  # empty for numeric and text
    numeric_values: bool  # mean/SD use the values (numbers) rather than positions (labels)

    @property
    def scale_range(self) -> float | None:
        """Width of the answer scale in the units of means (values or positions); None when
        the question has no scale (nominal, numeric without options)."""
        if self.kind != "ordinal" or len(self.options) < 2:
            return None
        if self.numeric_values:
            return float(max(self.options)) - float(min(self.options))
        return float(len(self.options) - 1)

    def encode(self, s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """``(values, codes)``: values for mean/SD/KS (float, NaN = missing) and option
        positions (int, -1 = missing; all -1 for numeric questions)."""
        if _is_bool(s) and not all(isinstance(o, (bool, np.bool_)) for o in self.options):
            s = s.astype(float)  # True/False against 1/0 on the other side
        if self.kind == "numeric":
            v = s.to_numpy(dtype=float, na_value=np.nan)
            return v, np.full(v.size, -1)
        codes = positions(s, self.options)
        if self.numeric_values:
            v = s.to_numpy(dtype=float, na_value=np.nan)
        else:
            v = codes.astype(float)
            v[codes < 0] = np.nan
        return v, codes


def _is_bool(s: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(s.dtype)


def _is_num(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)


def _outside(s: pd.Series, options: list) -> list:
    bad = s.notna().to_numpy() & (positions(s, options) < 0)
    return list(pd.unique(s[bad].astype(object)))


def spec(name: str, sim: pd.Series, real: pd.Series, ordinal="auto", options=None,
         max_levels: int = 20, what: str = "question") -> Spec:
    """Infer and check the kind and options of column ``name`` from both frames.

    The order of the options is known when they are given (a list, or a Likert question), for
    ordered Categoricals and for numbers/booleans. ``ordinal="auto"`` makes a question ordinal
    when its order is known or it has two options; ``True`` insists (an error when the order is
    unknown); ``False`` makes it nominal.
    """
    for s, side in ((sim, "simulated"), (real, "real")):
        if s.notna().sum() == 0:
            raise ValueError(f"{what} {name!r} has no answers in the {side} data (all missing)")
    if _is_bool(sim) != _is_bool(real) and _is_num(sim) and _is_num(real):
        sim, real = sim.astype(float), real.astype(float)  # True/False against 1/0
    cats = [s for s in (sim, real) if isinstance(s.dtype, pd.CategoricalDtype)]
    declared = options is not None
    if options is not None:
        known = not hasattr(options, "options") or hasattr(options, "scale")  # Choice: unordered
        options = option_list(options)
    elif len(cats) == 2:
        a, b = list(sim.cat.categories), list(real.cat.categories)
        if set(a) != set(b):
            raise ValueError(
                f"{what} {name!r} has different answer categories: only in simulated "
                f"{_preview([c for c in a if c not in b])}, only in real "
                f"{_preview([c for c in b if c not in a])}")
        known = bool(sim.cat.ordered or real.cat.ordered)
        if known and a != b:
            raise ValueError(f"{what} {name!r} orders its categories differently: simulated "
                             f"{_preview(a)}, real {_preview(b)}")
        options = a
    elif cats:
        options, known = list(cats[0].cat.categories), bool(cats[0].cat.ordered)
    else:
        if _is_num(sim) != _is_num(real):
            txt, nm = ("simulated", "real") if not _is_num(sim) else ("real", "simulated")
            s_txt = sim if txt == "simulated" else real
            raise TypeError(f"{what} {name!r} holds text in the {txt} data "
                            f"({_preview(pd.unique(s_txt.dropna()), 3)}) but numbers in the "
                            f"{nm} data; recode one side so both use the same options")
        vals = pd.unique(pd.concat([sim.dropna(), real.dropna()]).astype(object))
        known = _is_num(sim)
        if len(vals) > max_levels:
            if not known:
                raise TypeError(f"{what} {name!r} looks like free text ({len(vals)} distinct "
                                f"answers such as {_preview(vals, 2)}); the validation metrics "
                                "need closed answers: code the text into categories first")
            if ordinal is not True:
                _same_scale(name, sim, real, what, continuous=True)
                return Spec(name, "numeric", (), True)
        try:
            options = sorted(_plain(v) for v in vals)
        except TypeError:
            raise TypeError(f"{what} {name!r} mixes answer types that cannot be ordered: "
                            f"{_preview(vals)}") from None
    if not declared and not cats and _is_num(sim) and _is_num(real):
        _same_scale(name, sim, real, what)
    for s, side in ((sim, "simulated"), (real, "real")):
        bad = _outside(s, options)
        if bad:
            raise ValueError(f"{what} {name!r}: {side} answers {_preview(bad)} are not among the "
                             f"options {_preview(options)}")
    if ordinal is True and not known and len(options) > 2:
        raise TypeError(f"{what} {name!r} has answers {_preview(options)} whose order socialkit "
                        "cannot know; pass options={" + repr(name) + ": [lowest, ..., "
                        "highest]} or make it an ordered pandas Categorical")
    if ordinal not in (True, False, "auto"):
        raise ValueError(f"ordinal must be True, False or 'auto' for {what} {name!r}, got "
                         f"{ordinal!r}")
    ordered = (known or len(options) <= 2) if ordinal == "auto" else bool(ordinal)
    numeric_values = not cats and all(isinstance(o, (int, float, np.number)) for o in options)
    return Spec(name, "ordinal" if ordered else "nominal", tuple(options), numeric_values)


def _same_scale(name: str, sim: pd.Series, real: pd.Series, what: str,
                continuous: bool = False) -> None:
    """Refuse answers on another scale (0-1 against 1-7).

    Closed (ordinal) answers: no simulated value may lie outside the range of the real ones.
    Continuous answers may (a simulated 0 on a thermometer no respondent gave); they are refused
    when the two ranges do not overlap, or when one side holds shares (fractions within 0-1)
    while the other goes beyond 1.5."""
    s = sim.to_numpy(dtype=float, na_value=np.nan)
    r = real.to_numpy(dtype=float, na_value=np.nan)
    s, r = s[np.isfinite(s)], r[np.isfinite(r)]
    lo, hi = float(r.min()), float(r.max())
    outside = (s < lo) | (s > hi)
    if continuous:
        def shares(a, b):
            return a.min() >= 0 and a.max() <= 1 and (a % 1 != 0).any() and b.max() > 1.5

        wrong = s.max() < lo or s.min() > hi or shares(s, r) or shares(r, s)
    else:
        wrong = bool(outside.any())
    if wrong:
        raise ValueError(
            f"{what} {name!r}: the simulated answers range {_plain(s.min())} to "
            f"{_plain(s.max())} but the real ones {_plain(lo)} to {_plain(hi)} "
            f"({int(outside.sum())} simulated answer(s) outside): the scales do not match. Map "
            "one side onto the other's scale first (e.g. 1 + 6 * x for 0-1 answers on a 1-7 "
            "scale), or declare the scale with options={" + repr(name) + ": [lowest, ..., "
            "highest]} when the real answers simply do not cover it")
