"""Shared plumbing of the dynamics engines: seeds, initial states, recording."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.run import AGGREGATE, Run, provenance

__all__ = ["make_rng", "initial_values", "Recorder", "clusters"]


def make_rng(seed) -> tuple[np.random.Generator, int]:
    """One generator per run; a missing seed is drawn from fresh entropy and returned to record."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    seed = int(seed)
    return np.random.default_rng(seed), seed


def initial_values(G: nx.Graph, values, name: str, low: float | None = None,
                   high: float | None = None) -> np.ndarray:
    """Initial states in the node order of ``list(G)``.

    ``values`` may be an array-like in that order, a node-attribute name, a mapping or Series
    indexed by node (e.g. a Population column), or a scalar for every node.
    """
    nodes = list(G)
    n = len(nodes)
    if isinstance(values, str):
        raw = [G.nodes[v].get(values) for v in nodes]
        missing = [v for v, x in zip(nodes, raw, strict=True) if x is None]
        if missing:
            raise ValueError(f"{name}: node attribute {values!r} is missing on {len(missing)} of "
                             f"{n} nodes, e.g. {missing[:5]}")
        source = f"node attribute {values!r}"
    elif isinstance(values, pd.Series | Mapping):
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        missing = [v for v in nodes if v not in series.index]
        if missing:
            raise ValueError(f"{name}: no initial value for {len(missing)} of {n} nodes, "
                             f"e.g. {missing[:5]}")
        raw = series.loc[nodes].to_numpy()
        source = "the given mapping"
    elif isinstance(values, numbers.Real):
        raw = np.full(n, values)
        source = "the scalar"
    else:
        raw = np.asarray(values)
        if raw.ndim != 1 or len(raw) != n:
            raise ValueError(f"{name}: expected {n} initial values (one per node), got shape "
                             f"{raw.shape}")
        source = "the array"
    try:
        x = np.array(raw, dtype=float)  # always a private, writable copy
    except (TypeError, ValueError):
        raise TypeError(f"{name}: initial values from {source} are not numeric") from None
    bad = ~np.isfinite(x)
    if bad.any():
        where = np.asarray(nodes, dtype=object)[bad][:5].tolist()
        raise ValueError(f"{name}: {int(bad.sum())} initial value(s) from {source} are NaN or "
                         f"infinite, at nodes {where}")
    outside = np.zeros(n, dtype=bool)
    if low is not None:
        outside |= x < low
    if high is not None:
        outside |= x > high
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"{name}: initial value {float(x[i])!r} at node {nodes[i]!r} is outside "
                         f"[{low}, {high}] ({int(outside.sum())} value(s) outside); rescale "
                         "first, e.g. (x - 1) / 6 for a 1-7 scale")
    return x


class Recorder:
    """Collects states into a tidy trajectory.

    ``record`` is ``"agents"`` (every agent, every step), an integer ``k`` (every agent, every
    ``k`` steps, plus the last step) or ``"summary"`` (mean, sd, min, max per step, agent -1).
    """

    def __init__(self, record, agents: np.ndarray, steps: int, variable: str):
        if record == "agents":
            every = 1
        elif record == "summary":
            every = None
        elif isinstance(record, numbers.Integral) and not isinstance(record, bool) and record >= 1:
            every = int(record)
        else:
            raise ValueError(f"record must be 'agents', 'summary' or a positive integer k, "
                             f"got {record!r}")
        self.every, self.agents, self.steps, self.variable = every, agents, steps, variable
        self.frames: list[pd.DataFrame] = []

    def wants(self, step: int) -> bool:
        return self.every is None or step % self.every == 0 or step == self.steps

    def __call__(self, step: int, x: np.ndarray) -> None:
        if not self.wants(step):
            return
        if self.every is None:
            stats = {"mean": x.mean(), "sd": x.std(), "min": x.min(), "max": x.max()}
            self.frames.append(pd.DataFrame({
                "step": step, "agent": AGGREGATE,
                "variable": [f"{self.variable}.{k}" for k in stats],
                "value": np.fromiter(stats.values(), dtype=float, count=len(stats))}))
        else:
            self.frames.append(pd.DataFrame({"step": step, "agent": self.agents,
                                             "variable": self.variable, "value": x.copy()}))

    def run(self, model: str, params: dict, seed: int) -> Run:
        traj = pd.concat(self.frames, ignore_index=True)
        return Run(traj, params=params, seed=seed, model=model,
                   provenance=provenance(engine=f"socialkit.dynamics.{model}"))


def clusters(values, tol: float = 0.02, min_share: float = 0.0) -> pd.DataFrame:
    """Group opinions into clusters: sorted values split wherever a gap exceeds ``tol``.

    Parameters
    ----------
    values : array-like or pandas.Series
        Final opinions (e.g. ``run.final("opinion")``).
    tol : float
        Largest gap between neighbouring values inside one cluster.
    min_share : float
        Drop clusters holding less than this share of agents (stragglers).

    Returns
    -------
    DataFrame with one row per cluster: ``center`` (mean), ``low``, ``high``, ``size``, ``share``,
    largest first.

    Examples
    --------
    >>> clusters([0.1, 0.11, 0.5, 0.51, 0.9])["size"].tolist()
    [2, 2, 1]
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0:
        raise ValueError("clusters: no values given")
    if not np.isfinite(x).all():
        raise ValueError("clusters: values contain NaN or infinity")
    if not tol > 0:
        raise ValueError(f"clusters: tol must be positive, got {tol!r}")
    cuts = np.flatnonzero(np.diff(x) > tol) + 1
    groups = np.split(x, cuts)
    df = pd.DataFrame({"center": [g.mean() for g in groups], "low": [g[0] for g in groups],
                       "high": [g[-1] for g in groups], "size": [len(g) for g in groups]})
    df["share"] = df["size"] / len(x)
    df = df[df["share"] >= min_share]
    return df.sort_values(["size", "center"], ascending=[False, True]).reset_index(drop=True)
