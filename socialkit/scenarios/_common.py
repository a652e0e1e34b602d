"""Helpers shared by the scenarios of ideas spreading: Big Five personas from real respondents,
intervals across seed replicates, and the events of a run as a table."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["bigfive_population", "mean_ci", "event_table", "check_runs"]

TRAITS = ("agreeableness", "conscientiousness", "extraversion", "neuroticism", "openness")


def bigfive_population(n: int = 30, seed: int = 0, ages: tuple[int, int] = (18, 65)):
    """``n`` Big Five personas drawn (without replacement) from the real respondents of the Big
    Five Inventory sample (``sk.datasets.load("bfi")``, psych::bfi; needs the ``data`` extra):
    adults in ``ages`` who answered every item and gave their education.

    Each agent has ``age``, ``gender``, ``education``, the five trait scores (1-6) and their
    median splits ``<trait>_level`` ("high" / "low"); personas render the traits in words (the
    ``bfi`` template), as FPS gives each agent a Big Five personality.

    Parameters
    ----------
    n : int
        Agents (at most the eligible respondents, 2,236 for ages 18-65).
    seed : int
        Seed of the draw.
    ages : (int, int)
        Youngest and oldest age, inclusive.

    Returns
    -------
    socialkit.Population
        Codebook ``bfi``; agent ids 0..n-1; ``source_row`` is the respondent's row in ``bfi``.

    Examples
    --------
    >>> pop = bigfive_population(3, seed=1)
    >>> pop.df[["agent", "source_row", "age", "agreeableness_level"]].values.tolist()
    [[0, 1358, 25, 'low'], [1, 1459, 29, 'high'], [2, 2104, 28, 'high']]
    >>> pop.personas()[0].text.splitlines()[1][:34]
    'I am critical, sceptical of others'
    """
    from socialkit.datasets import load
    from socialkit.population import Population

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"bigfive_population n must be a positive integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"bigfive_population seed must be a non-negative integer, got {seed!r}")
    if (not isinstance(ages, Sequence) or len(ages) != 2
            or not all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in ages)
            or ages[0] > ages[1]):
        raise ValueError(f"bigfive_population ages must be (youngest, oldest), got {ages!r}")
    df = load("bfi")
    items = [f"{t}{i}" for t in "ACENO" for i in range(1, 6)]
    ok = df[items + ["education"]].notna().all(axis=1) & df["age"].between(*ages)
    pool = df[ok]
    if n > len(pool):
        raise ValueError(f"bigfive_population: n={n} but only {len(pool)} respondents aged "
                         f"{ages[0]}-{ages[1]} answered every item")
    rows = np.sort(np.random.default_rng(int(seed)).choice(len(pool), size=int(n),
                                                          replace=False))
    out = pool.iloc[rows].copy()
    out.insert(0, "source_row", pool.index[rows].to_numpy())
    out.insert(0, "agent", np.arange(int(n)))
    out["weight"] = 1.0
    out = out.reset_index(drop=True)
    out["gender"] = out["gender"].astype(int)
    out["education"] = out["education"].astype(int)
    return Population(out, codebook="bfi")


def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of replicate values (NaN dropped); one value: no interval.

    Examples
    --------
    >>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half


def check_runs(runs: Any, where: str) -> list:
    """A list of Runs from one Run or a sequence of them."""
    from socialkit.run import Run

    if isinstance(runs, Run):
        return [runs]
    if isinstance(runs, Sequence) and not isinstance(runs, str) and runs and \
            all(isinstance(r, Run) for r in runs):
        return list(runs)
    raise TypeError(f"{where} needs a socialkit.Run or a non-empty list of Runs (seed "
                    f"replicates), got {type(runs).__name__}")


def event_table(run: Any, action: str) -> pd.DataFrame:
    """The events ``action`` of a run with their ``data`` parsed (one column per key).

    Examples
    --------
    >>> from socialkit.run import Run
    >>> ev = pd.DataFrame({"step": [1], "agent": [3], "action": ["post"], "target": [-1],
    ...                    "text": ["hi"], "data": ['{"stance": "doubt"}']})
    >>> event_table(Run(None, ev), "post")[["step", "agent", "stance"]].values.tolist()
    [[1, 3, 'doubt']]
    """
    ev = run.events
    ev = ev[ev["action"] == action]
    rows = []
    for s, a, t, d in zip(ev["step"], ev["agent"], ev["text"], ev["data"], strict=True):
        data = json.loads(d) if isinstance(d, str) and d else {}
        rows.append({"step": int(s), "agent": int(a), "event_text": t, **data})
    return pd.DataFrame(rows, columns=None if rows else ["step", "agent", "event_text"])
