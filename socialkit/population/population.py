"""The DataFrame-backed :class:`Population`."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

__all__ = ["Population"]


class Population:
    """Agents as rows of a DataFrame with an ``agent`` id and a ``weight`` column.

    Parameters
    ----------
    df : DataFrame
        One row per agent. It must hold an integer ``agent`` column with unique ids and a
        ``weight`` column of non-negative finite numbers with a positive total.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
    >>> len(pop), float(pop.df["weight"].sum())
    (944, 944.0)
    """

    def __init__(self, df: pd.DataFrame):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Population needs a pandas DataFrame, got {type(df).__name__}")
        if df.empty:
            raise ValueError("Population needs at least one row; the DataFrame is empty")
        for col in ("agent", "weight"):
            if col not in df.columns:
                raise ValueError(f"Population DataFrame lacks the {col!r} column")
        if df["agent"].duplicated().any():
            dup = df.loc[df["agent"].duplicated(), "agent"].head(5).tolist()
            raise ValueError(f"column 'agent' has duplicate ids, e.g. {dup}")
        _check_weights(df["weight"], "weight")
        self.df = df.reset_index(drop=True)

    @classmethod
    def from_survey(cls, df: pd.DataFrame, weight: str | None = None, n: int | None = None,
                    seed: int | None = None) -> Population:
        """One agent per survey row, or with ``n`` a weighted resample of ``n`` agents.

        Parameters
        ----------
        df : DataFrame
            Survey microdata, one row per respondent.
        weight : str, optional
            Name of the survey-weight column; without it every row weighs 1.
        n : int, optional
            Draw ``n`` agents with replacement, each row with probability proportional to its
            weight; the resampled agents then weigh 1 each. ``source_row`` keeps the row drawn.
        seed : int, optional
            Seed of the resampling.

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), n=100, seed=1)
        >>> len(pop), bool(pop.df["source_row"].between(0, 943).all())
        (100, True)
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"from_survey needs a pandas DataFrame, got {type(df).__name__}")
        if df.empty:
            raise ValueError("from_survey: the survey DataFrame is empty")
        if weight is not None and weight not in df.columns:
            raise ValueError(f"weight column {weight!r} not in the survey; columns: {list(df)}")
        w = df[weight] if weight is not None else pd.Series(1.0, index=df.index)
        _check_weights(w, weight or "weight")
        base = df.drop(columns=[c for c in ("agent", "weight") if c in df.columns and c != weight])
        base = base.reset_index(drop=True).assign(source_row=np.arange(len(df)))
        if weight is not None:
            base = base.drop(columns=[weight])
        w = w.to_numpy(dtype=float)
        if n is None:
            out = base.assign(weight=w)
        else:
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"from_survey: n must be a positive integer, got {n!r}")
            rng = np.random.default_rng(seed)
            rows = rng.choice(len(base), size=int(n), replace=True, p=w / w.sum())
            out = base.iloc[rows].reset_index(drop=True).assign(weight=1.0)
        out.insert(0, "agent", np.arange(len(out), dtype=np.int64))
        return cls(out)

    def __len__(self) -> int:
        return len(self.df)

    @property
    def attributes(self) -> list[str]:
        """Attribute columns (everything but ``agent`` and ``weight``)."""
        return [c for c in self.df.columns if c not in ("agent", "weight")]

    def column(self, name: str) -> pd.Series:
        """One attribute as a Series indexed by agent id."""
        if name not in self.df.columns:
            raise ValueError(f"column {name!r} not in the population; columns: {self.attributes}")
        return self.df.set_index("agent")[name]

    def __repr__(self) -> str:
        return f"Population({len(self)} agents, attributes={self.attributes})"

    def _repr_html_(self) -> str:
        w = self.df["weight"].to_numpy(float)
        n_eff = w.sum() ** 2 / (w ** 2).sum()
        desc = self.df[self.attributes].describe(include="all").T
        keep = [c for c in ("count", "unique", "top", "mean", "std", "min", "max") if c in desc]
        return (f"<div><strong>socialkit.Population</strong>: {len(self)} agents, "
                f"total weight {w.sum():.6g}, Kish effective size {n_eff:.1f}"
                f"{desc[keep].to_html(float_format='%.3g', na_rep='')}"
                f"<p>{html.escape(', '.join(self.attributes))}</p></div>")


def _check_weights(w: pd.Series, name: str) -> None:
    if not pd.api.types.is_numeric_dtype(w):
        raise TypeError(f"weight column {name!r} is not numeric (dtype {w.dtype})")
    values = w.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"weight column {name!r} has {int(bad.sum())} NaN or infinite value(s)")
    if (values < 0).any():
        raise ValueError(f"weight column {name!r} has {int((values < 0).sum())} negative value(s)")
    if values.sum() <= 0:
        raise ValueError(f"weight column {name!r} sums to zero")
