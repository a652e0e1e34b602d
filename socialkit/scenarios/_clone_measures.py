"""What a misinformation clone's run measured: infections per layer of every trial, bands over
trials, and the real spread of the same Higgs sources among the same users."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["clone_cascades", "clone_layers", "clone_bands", "clone_reference", "clone_summary"]

_METRICS = ("size", "depth", "max_breadth")


def _world_map(run: Any) -> pd.DataFrame:
    w = run.params.get("worlds")
    if not w:
        raise ValueError("expected a run of misinformation_clone (run.params has no 'worlds')")
    return pd.DataFrame([(int(k), int(v[0]), int(v[1])) for k, v in w.items()],
                        columns=["world", "source", "trial"])


def _per_layer(trees: pd.DataFrame, key: str, layers: int) -> pd.DataFrame:
    """Nodes per depth (1..layers) of each tree, zeros included."""
    t = trees[trees["depth"] > 0]
    counts = t.groupby([key, "depth"]).size()
    keys = trees[key].unique()
    idx = pd.MultiIndex.from_product([keys, range(1, layers + 1)], names=[key, "layer"])
    return counts.rename_axis([key, "layer"]).reindex(idx, fill_value=0).rename(
        "infections").reset_index()


def clone_cascades(run: Any) -> pd.DataFrame:
    """One row per trial of a :func:`misinformation_clone` run: ``world, source`` (the source's
    Higgs user id), ``trial``, and the cascade's ``size`` (root included), ``depth``,
    ``max_breadth``, ``structural_virality``.

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.scenarios import CascadeRule, misinformation_clone
    >>> run = misinformation_clone(n=40, sources=1, trials=3, steps=2, progress=False,
    ...                            policy=sk.agents.RulePolicy(CascadeRule(p=0.0)))
    >>> clone_cascades(run)[["trial", "size", "depth"]].values.tolist()
    [[0, 1, 0], [1, 1, 0], [2, 1, 0]]
    """
    from socialkit.network import cascades

    worlds = _world_map(run)
    c = cascades(run)
    c = c[c["cascade"] < len(worlds)].rename(columns={"cascade": "world"})
    out = worlds.merge(c, on="world", how="left")
    return out[["world", "source", "trial", "size", "depth", "max_breadth",
                "structural_virality"]]


def clone_layers(run: Any) -> pd.DataFrame:
    """Infections per layer of every trial: ``world, source, trial, layer`` (1 = the source's
    direct followers), ``infections`` (zeros included, up to the run's steps).

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.scenarios import CascadeRule, misinformation_clone
    >>> run = misinformation_clone(n=40, sources=1, trials=2, steps=2, progress=False,
    ...                            policy=sk.agents.RulePolicy(CascadeRule(p=0.0)))
    >>> clone_layers(run)["infections"].tolist()
    [0, 0, 0, 0]
    """
    from socialkit.network import cascade_trees

    worlds = _world_map(run)
    trees = cascade_trees(run)
    trees = trees[trees["cascade"] < len(worlds)].rename(columns={"cascade": "world"})
    per = _per_layer(trees, "world", int(run.params["steps"]))
    return worlds.merge(per, on="world")[["world", "source", "trial", "layer", "infections"]]


def _band(x: pd.Series, level: float) -> pd.Series:
    lo, hi = (1 - level) / 2, (1 + level) / 2
    return pd.Series({"median": float(x.median()), "low": float(x.quantile(lo)),
                      "high": float(x.quantile(hi)), "trials": int(len(x))})


def clone_bands(run: Any, level: float = 0.68) -> pd.DataFrame:
    """Median and ``level`` percentile band over trials, per source: of the infections at each
    layer (``measure`` = ``"layer 1"``, ...) and of the cascade's ``size``, ``depth`` and
    ``max_breadth``.

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.scenarios import CascadeRule, misinformation_clone
    >>> run = misinformation_clone(n=40, sources=1, trials=4, steps=1, progress=False,
    ...                            policy=sk.agents.RulePolicy(CascadeRule(p=1.0)))
    >>> b = clone_bands(run).set_index("measure")
    >>> bool(b.loc["size", "median"] == b.loc["layer 1", "median"] + 1)
    True
    """
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError(f"clone_bands level must be in (0, 1), got {level!r}")
    lay = clone_layers(run)
    lay = lay.assign(measure="layer " + lay["layer"].astype(str))
    rows = lay.groupby(["source", "layer", "measure"])["infections"].apply(
        _band, level=level).unstack().reset_index().drop(columns="layer")
    cas = clone_cascades(run).melt(id_vars=["source", "trial"], value_vars=list(_METRICS),
                                   var_name="measure")
    tot = cas.groupby(["source", "measure"], sort=False)["value"].apply(
        _band, level=level).unstack().reset_index()
    out = pd.concat([rows, tot], ignore_index=True)
    out["trials"] = out["trials"].astype("int64")
    return _ordered(out, lay["source"].unique().tolist())[
        ["source", "measure", "median", "low", "high", "trials"]]


def _ordered(df: pd.DataFrame, sources: list[int]) -> pd.DataFrame:
    """Rows by source (in the given order), then layers in order, then the metrics."""
    def rank(m: str) -> float:
        return float(m.split()[1]) if m.startswith("layer ") else 1e6 + _METRICS.index(m)

    key = df["source"].map({s: i for i, s in enumerate(sources)}) * 1e7 + df["measure"].map(rank)
    return df.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)


def clone_reference(n: int = 300, sources: int = 3, layers: int | None = None) -> pd.DataFrame:
    """The real spread of the same sources among the same users: for each of the ``sources``
    most retweeted authors of ``higgs_sample(n, seeds=sources)``, its retweets by sampled users,
    as a tree in which each retweeter's parent is the last earlier retweeter it follows (had
    retweeted), else the source. One row per source and measure (``layer 1``, ... up to
    ``layers`` or the deepest, then ``size``, ``depth``, ``max_breadth``), column ``real``.

    Examples
    --------
    >>> ref = clone_reference(60, 1, layers=2)
    >>> ref["measure"].tolist()
    ['layer 1', 'layer 2', 'size', 'depth', 'max_breadth']
    """
    from socialkit.datasets import load
    from socialkit.network import cascade_trees, cascades, infer_parents
    from socialkit.scenarios.clone import _sample

    G, people = _sample(n, sources)
    users = people["user"].to_numpy()
    src = people.loc[people["source"], "user"].tolist()
    rt = load("higgs_retweets")
    keep = rt["author"].isin(src) & rt["user"].isin(set(users.tolist()))
    adopt = rt[keep].rename(columns={"author": "cascade"})[["cascade", "user", "time"]]
    follows = pd.DataFrame([(users[v], users[u]) for u, v in G.edges()],
                           columns=["user", "followee"])
    edges = infer_parents(adopt, follows)
    trees = cascade_trees(edges)
    depth = int(trees["depth"].max()) if len(trees) else 0
    per = _per_layer(trees, "cascade", depth if layers is None else int(layers))
    per["measure"] = "layer " + per["layer"].astype(str)
    c = cascades(trees).melt(id_vars=["cascade"], value_vars=list(_METRICS),
                             var_name="measure", value_name="real")
    out = pd.concat([per.rename(columns={"infections": "real"})[["cascade", "measure", "real"]],
                     c], ignore_index=True).rename(columns={"cascade": "source"})
    out["source"] = out["source"].astype("int64")
    out["real"] = out["real"].astype(np.float64)
    return _ordered(out, src)


def clone_summary(run: Any, reference: pd.DataFrame | None = None,
                  level: float = 0.68) -> pd.DataFrame:
    """The simulated bands next to the real values: :func:`clone_bands` joined with
    :func:`clone_reference` (of the run's ``n`` and ``sources`` by default), plus ``inside``
    (the real value lies in the band).

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.scenarios import CascadeRule, misinformation_clone
    >>> run = misinformation_clone(n=60, sources=1, trials=4, steps=2, progress=False,
    ...                            policy=sk.agents.RulePolicy(CascadeRule(p=0.5)))
    >>> list(clone_summary(run).columns)
    ['source', 'measure', 'real', 'median', 'low', 'high', 'inside', 'trials']
    """
    bands = clone_bands(run, level)
    if reference is None:
        reference = clone_reference(int(run.params["n"]), int(run.params["sources"]),
                                    layers=int(run.params["steps"]))
    out = bands.merge(reference, on=["source", "measure"], how="left")
    out["inside"] = (out["real"] >= out["low"]) & (out["real"] <= out["high"])
    return out[["source", "measure", "real", "median", "low", "high", "inside", "trials"]]
