"""Measures on dynamics results: opinion clusters and adoption curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.run import Run

__all__ = ["clusters", "adoption_share"]


def clusters(values, tol: float = 0.02, min_share: float = 0.0) -> pd.DataFrame:
    """Group opinions into clusters: sorted values split wherever a gap exceeds ``tol``.

    On sparse networks a few stragglers (agents whose contacts all sit in distant clusters) can
    bridge the gaps between clusters; for converged runs a small ``tol`` (e.g. ``1e-3``) with
    ``min_share`` separates the clusters from them.

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


def adoption_share(run: Run, agents=None) -> pd.Series:
    """Share of agents no longer in state 0 (susceptible / inactive) at each recorded step.

    For the cascade models this is the cumulative adoption curve; for :func:`sir` it is the share
    ever infected (infected or recovered).

    Parameters
    ----------
    run : socialkit.Run
        A run of a diffusion model (``sir``, ``sis``, ``independent_cascade``,
        ``linear_threshold``, ``complex_contagion``).
    agents : collection of agent ids, optional
        Restrict the share to these agents (needs per-agent recording, ``record="agents"`` or
        an integer); default all agents, read from the summary rows recorded at every step.

    Returns
    -------
    pandas.Series indexed by step.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> run = sk.dynamics.independent_cascade(nx.path_graph(4), seeds=[0], p=1.0, steps=3, seed=0)
    >>> adoption_share(run).tolist()
    [0.25, 0.5, 0.75, 1.0]
    >>> adoption_share(run, agents=[2, 3]).tolist()
    [0.0, 0.0, 0.5, 1.0]
    """
    if not isinstance(run, Run):
        raise TypeError(f"adoption_share: expected a socialkit.Run, got {type(run).__name__}")
    states = run.params.get("states")
    if not states or "state" not in {v.split(".")[0] for v in run.trajectory["variable"].unique()}:
        raise ValueError(f"adoption_share: run of {run.model!r} is not a diffusion run "
                         "(no 'state' variable)")
    if agents is None:
        s = run.summary("state")[f"share_{states[0]}"]
        return (1.0 - s).rename("adopted")
    try:
        w = run.wide("state")
    except ValueError:
        raise ValueError("adoption_share: agents= needs per-agent states; run the model with "
                         "record='agents' or an integer") from None
    agents = list(agents)
    missing = [a for a in agents if a not in w.columns]
    if missing:
        raise ValueError(f"adoption_share: {len(missing)} agent(s) not in the run, "
                         f"e.g. {missing[:5]}")
    if not agents:
        raise ValueError("adoption_share: agents= is empty")
    return (w[agents] != 0).mean(axis=1).rename("adopted")
