"""Information cascades as data: trees of who shared from whom, their shape, and how fast they
spread.

A cascade is a tree: its root is an original post, every other node a share (repost, quote,
or a reply with ``kinds=``) linked to the node it came through. :func:`cascade_trees` reads a
feed run's events or real cascades given as an edge list ``(parent, child, time)``;
:func:`cascades` summarises each tree in one row: size, depth, maximum breadth, structural
virality (Goel, Anderson, Hofman & Watts 2016, Management Science 62(1): the mean distance
between all pairs of nodes), duration and time to half size. :func:`infer_parents` rebuilds
trees from adoptions alone (who shared which root when) and a graph of who follows whom, as is
done for Twitter data, whose retweets name only the original author. :func:`propagation_curve`
counts distinct adopters over time.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from socialkit.network._arrays import ranges

__all__ = ["cascade_trees", "cascades", "structural_virality", "infer_parents",
           "propagation_curve", "SHARES"]

SHARES = ("repost", "quote")
"""Item kinds that extend a share cascade (``kinds=`` of :func:`cascade_trees`)."""

_TREE_COLUMNS = ["cascade", "node", "parent", "depth", "time", "agent"]


def _feed_items(events: pd.DataFrame) -> pd.DataFrame:
    items = events[events["action"].isin(["post", "comment", "repost", "quote"])]
    data = [json.loads(d) for d in items["data"].tolist()]
    return pd.DataFrame({"node": [d["post"] for d in data],
                         "parent": [d["parent"] for d in data],
                         "kind": [d["kind"] for d in data],
                         "time": items["step"].to_numpy(dtype=np.float64),
                         "agent": items["agent"].to_numpy(dtype=np.int64)})


def cascade_trees(data: Any, kinds: tuple[str, ...] = SHARES) -> pd.DataFrame:
    """The nodes of every cascade tree, one row each.

    Parameters
    ----------
    data : Run, DataFrame of events, or DataFrame of edges
        A feed run (or its ``events``): posts are roots, items of ``kinds`` are nodes linked to
        their parent item (a node whose parent is not in the tree is left out with its
        subtree). Or real cascades as edges: columns ``parent``, ``child``, ``time`` (the
        child's time; a root's time is its ``root_time`` if given, else its first child's) and
        optionally ``cascade`` (else each root's tree is one cascade).
    kinds : tuple of str
        For feed events: the kinds of items that extend a tree (``("repost", "quote")``: share
        cascades; add ``"comment"`` for discussion trees).

    Returns
    -------
    DataFrame
        Columns ``cascade`` (the root's id), ``node``, ``parent`` (the root's: -1 in feed runs,
        None from edges),
        ``depth`` (0 at the root), ``time``, ``agent`` (who made it, feed runs; -1 otherwise).

    Examples
    --------
    >>> edges = pd.DataFrame({"parent": [0, 0, 1], "child": [1, 2, 3], "time": [1., 2., 4.]})
    >>> cascade_trees(edges)[["cascade", "node", "parent", "depth", "time"]].values.tolist()
    [[0, 0, None, 0, 1.0], [0, 1, 0, 1, 1.0], [0, 2, 0, 1, 2.0], [0, 3, 1, 2, 4.0]]
    """
    if hasattr(data, "events") and isinstance(data.events, pd.DataFrame):
        data = data.events
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"cascade_trees needs a Run, its events or an edge DataFrame (parent, "
                        f"child, time); got {type(data).__name__}")
    if {"action", "data"} <= set(data.columns):
        bad = [k for k in kinds if k not in ("comment", "repost", "quote")]
        if bad:
            raise ValueError(f"cascade_trees kinds {bad} are not item kinds; choose among "
                             "comment, repost, quote")
        items = _feed_items(data)
        keep = (items["kind"] == "post") | items["kind"].isin(kinds)
        items = items[keep]
        return _build(items["node"].to_numpy(np.int64), items["parent"].to_numpy(np.int64),
                      items["time"].to_numpy(np.float64), items["agent"].to_numpy(np.int64))
    missing = [c for c in ("parent", "child", "time") if c not in data.columns]
    if missing:
        raise ValueError(f"cascade_trees: the edge table lacks column(s) {missing}; expected "
                         "parent, child, time (and optionally cascade, root_time)")
    return _from_edges(data)


def _from_edges(edges: pd.DataFrame) -> pd.DataFrame:
    e = edges.reset_index(drop=True)
    if e[["parent", "child"]].isna().any().any():
        raise ValueError("cascade_trees: parent and child must not be missing")
    t = pd.to_numeric(e["time"], errors="coerce")
    if t.isna().any():
        raise ValueError(f"cascade_trees: time must be numbers; row {int(t.isna().idxmax())} "
                         f"has {e['time'][t.isna()].iloc[0]!r}")
    m = len(e)
    names = pd.concat([e["parent"], e["child"]], ignore_index=True)
    has_cascade = "cascade" in e.columns
    if has_cascade:  # the same account in two cascades is two nodes
        cas = pd.concat([e["cascade"], e["cascade"]], ignore_index=True)
        codes = pd.DataFrame({"c": cas, "n": names}).groupby(
            ["c", "n"], sort=False, dropna=False).ngroup().to_numpy()
    else:
        codes = pd.factorize(names)[0]
    nn = int(codes.max()) + 1 if m else 0
    child = codes[m:]
    if len(np.unique(child, return_index=True)[0]) < m:  # (the sort-based unique)
        dup = pd.Series(child).duplicated().to_numpy()
        raise ValueError(f"cascade_trees: node {e['child'][dup].iloc[0]!r} has more than one "
                         "parent; a cascade is a tree")
    parent_of = np.full(nn, -1, dtype=np.int64)
    parent_of[child] = codes[:m]
    time = np.full(nn, np.nan)
    time[child] = t.to_numpy(np.float64)
    roots = np.flatnonzero(parent_of < 0)
    if "root_time" in e.columns:
        rt = pd.to_numeric(e["root_time"], errors="coerce").to_numpy(np.float64)
        first = np.full(nn, np.inf)
        np.minimum.at(first, codes[:m], np.where(np.isnan(rt), np.inf, rt))
        time[roots] = np.where(np.isfinite(first[roots]), first[roots], np.nan)
    lack = roots[np.isnan(time[roots])]
    if len(lack):  # a root's time: its first child's
        first = np.full(nn, np.inf)
        np.minimum.at(first, codes[:m], t.to_numpy(np.float64))
        time[lack] = first[lack]
    label = np.empty(nn, dtype=object)
    label[codes] = names.to_numpy(dtype=object)
    out = _build(np.arange(nn), parent_of, time, np.full(nn, -1))
    if len(out) < nn:
        raise ValueError("cascade_trees: the edges contain a cycle")
    node, par, root = out["node"].to_numpy(), out["parent"].to_numpy(), \
        out["cascade"].to_numpy()
    if has_cascade:
        clabel = np.empty(nn, dtype=object)
        clabel[codes] = cas.to_numpy(dtype=object)
        out["cascade"] = pd.Series(clabel[root], dtype=object)
    else:
        out["cascade"] = pd.Series(label[root], dtype=object)
    out["node"] = pd.Series(label[node], dtype=object)
    plabel = label[np.maximum(par, 0)]
    plabel[par < 0] = None
    out["parent"] = pd.Series(plabel, dtype=object)
    return out


def _build(node: np.ndarray, parent: np.ndarray, time: np.ndarray,
           agent: np.ndarray) -> pd.DataFrame:
    """Depths and roots by walking parent links level by level (nodes whose parent is
    missing are dropped with their subtrees)."""
    n = len(node)
    if not n:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c != "time" else "float64")
                             for c in _TREE_COLUMNS})
    order = np.argsort(node, kind="stable")
    node, parent, time, agent = node[order], parent[order], time[order], agent[order]
    idx = np.searchsorted(node, parent)
    idx[idx >= n] = 0
    pidx = np.where((parent >= 0) & (node[idx] == parent), idx, -1)
    depth = np.full(n, -1, dtype=np.int64)
    root = np.full(n, -1, dtype=np.int64)
    is_root = parent < 0
    depth[is_root] = 0
    root[is_root] = np.flatnonzero(is_root)
    frontier = np.flatnonzero(is_root)
    # children lists by parent index
    kids = np.argsort(pidx, kind="stable")
    pk = pidx[kids]
    d = 0
    while len(frontier):
        d += 1
        lo = np.searchsorted(pk, frontier)
        hi = np.searchsorted(pk, frontier, side="right")
        owner, j = ranges(lo, hi)
        child = kids[j]
        depth[child] = d
        root[child] = root[frontier[owner]]
        frontier = child
    ok = depth >= 0
    out = pd.DataFrame({"cascade": node[root[ok]], "node": node[ok],
                        "parent": np.where(pidx[ok] >= 0, parent[ok], -1), "depth": depth[ok],
                        "time": time[ok], "agent": agent[ok]})
    return out.sort_values(["cascade", "depth", "time", "node"], kind="stable").reset_index(
        drop=True)


def structural_virality(trees: pd.DataFrame) -> pd.Series:
    """Structural virality of each cascade tree: the mean shortest-path distance between all
    pairs of its nodes, computed in O(n) as ``2 / (n (n - 1)) * sum over edges of s (n - s)``
    with ``s`` the size of the subtree below the edge (NaN for a single node).

    Examples
    --------
    >>> star = pd.DataFrame({"parent": [0, 0, 0], "child": [1, 2, 3], "time": 1.0})
    >>> path = pd.DataFrame({"parent": [0, 1, 2], "child": [1, 2, 3], "time": 1.0})
    >>> float(structural_virality(cascade_trees(star)).iloc[0]), \\
    ...     float(structural_virality(cascade_trees(path)).iloc[0])
    (1.5, 1.6666666666666667)
    """
    t = trees
    if not len(t):
        return pd.Series(dtype=np.float64, name="structural_virality")
    cas, _ = pd.factorize(t["cascade"])
    where = pd.MultiIndex.from_arrays([cas, t["node"].to_numpy()])
    depth = t["depth"].to_numpy()
    pidx = where.get_indexer(pd.MultiIndex.from_arrays(
        [cas, t["parent"].where(depth > 0, t["node"]).to_numpy()]))
    pidx[depth == 0] = -1
    size = np.ones(len(t), dtype=np.float64)
    for d in range(int(depth.max()), 0, -1):
        sel = np.flatnonzero(depth == d)
        np.add.at(size, pidx[sel], size[sel])
    n = np.bincount(cas).astype(np.float64)
    nn = n[cas]
    contrib = np.where(pidx >= 0, size * (nn - size), 0.0)
    total = np.bincount(cas, weights=contrib)
    with np.errstate(invalid="ignore", divide="ignore"):
        sv = np.where(n > 1, 2.0 * total / (n * (n - 1)), np.nan)
    first = t.groupby(cas, sort=True)["cascade"].first()
    return pd.Series(sv, index=pd.Index(first.to_numpy(), name="cascade"),
                     name="structural_virality")


def cascades(data: Any, kinds: tuple[str, ...] = SHARES, *, min_size: int = 1) -> pd.DataFrame:
    """One tidy row per cascade: its size, shape and speed.

    Parameters
    ----------
    data : Run, events, edge DataFrame or tree table
        See :func:`cascade_trees` (a table it returned is used as is).
    kinds : tuple of str
        Item kinds that extend a tree (feed runs).
    min_size : int
        Keep cascades with at least this many nodes (1: every post, shared or not).

    Returns
    -------
    DataFrame
        ``cascade`` (root id), ``size`` (nodes, root included), ``depth`` (longest path from
        the root), ``max_breadth`` (most nodes at one depth), ``structural_virality``,
        ``start`` (the root's time), ``duration`` (last node's time - start),
        ``time_to_half`` (time at which half the final size was reached - start).

    Examples
    --------
    >>> edges = pd.DataFrame({"parent": [0, 0, 1, 9], "child": [1, 2, 3, 8],
    ...                       "time": [1., 2., 4., 3.], "root_time": [0., 0., 0., 3.]})
    >>> cascades(edges).round(3).to_dict("records")[0]
    {'cascade': 0, 'size': 4, 'depth': 2, 'max_breadth': 2, 'structural_virality': 1.667, \
'start': 0.0, 'duration': 4.0, 'time_to_half': 1.0}
    """
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise ValueError(f"cascades min_size must be a positive integer, got {min_size!r}")
    if isinstance(data, pd.DataFrame) and list(data.columns) == _TREE_COLUMNS:
        trees = data
    else:
        trees = cascade_trees(data, kinds)
    cols = ["cascade", "size", "depth", "max_breadth", "structural_virality", "start",
            "duration", "time_to_half"]
    if not len(trees):
        return pd.DataFrame({c: [] for c in cols})
    g = trees.groupby("cascade", sort=False)
    size = g.size()
    depth = g["depth"].max()
    breadth = trees.groupby(["cascade", "depth"], sort=False).size().groupby(level=0).max()
    start = trees[trees["depth"] == 0].set_index("cascade")["time"]
    last = g["time"].max()
    # time to half size: the ceil(n / 2)-th node in time order
    srt = trees.sort_values(["cascade", "time"], kind="stable")
    rank = srt.groupby("cascade", sort=False).cumcount() + 1
    need = np.ceil(srt["cascade"].map(size) / 2.0)
    half = srt[rank.to_numpy() == need.to_numpy()].set_index("cascade")["time"]
    sv = structural_virality(trees)
    out = pd.DataFrame({"size": size, "depth": depth, "max_breadth": breadth})
    out["structural_virality"] = sv.reindex(out.index).to_numpy()
    out["start"] = start.reindex(out.index).to_numpy()
    out["duration"] = last.reindex(out.index).to_numpy() - out["start"].to_numpy()
    out["time_to_half"] = half.reindex(out.index).to_numpy() - out["start"].to_numpy()
    out = out[out["size"] >= min_size]
    out = out.rename_axis("cascade").reset_index()
    return out[cols].astype({"size": "int64", "depth": "int64", "max_breadth": "int64"})


def infer_parents(adoptions: pd.DataFrame, follows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cascade trees from adoptions alone: each adopter's parent is the most recent earlier
    adopter of the same cascade whom it follows, else the root (the cascade's source).

    Twitter's retweets name the original author, not the account a retweet came through; with
    the follow graph, this rebuilds time-respecting trees (the method behind Goel et al. 2016's
    trees). Without a follow graph every tree is a star.

    Parameters
    ----------
    adoptions : DataFrame
        Columns ``cascade`` (the root: its source's id), ``user``, ``time``. A user's later
        adoptions of the same cascade are dropped (the first counts).
    follows : DataFrame, optional
        Columns ``user``, ``followee``: ``user`` sees what ``followee`` shares.

    Returns
    -------
    DataFrame
        An edge table for :func:`cascade_trees`: ``cascade``, ``parent``, ``child``, ``time``.

    Examples
    --------
    >>> ad = pd.DataFrame({"cascade": [7, 7, 7], "user": [1, 2, 3], "time": [1., 2., 3.]})
    >>> fol = pd.DataFrame({"user": [3], "followee": [1]})
    >>> infer_parents(ad, fol)[["parent", "child"]].values.tolist()
    [[7, 1], [7, 2], [1, 3]]
    """
    need = [c for c in ("cascade", "user", "time") if c not in adoptions.columns]
    if need:
        raise ValueError(f"infer_parents: adoptions lack column(s) {need} (cascade, user, time)")
    ad = adoptions[["cascade", "user", "time"]].copy()
    ad = ad[ad["user"] != ad["cascade"]]
    ad = ad.sort_values(["cascade", "time"], kind="stable").drop_duplicates(
        ["cascade", "user"], keep="first").reset_index(drop=True)
    ad["parent"] = ad["cascade"]
    if follows is not None and len(ad):
        miss = [c for c in ("user", "followee") if c not in follows.columns]
        if miss:
            raise ValueError(f"infer_parents: follows lack column(s) {miss} (user, followee)")
        cand = ad.reset_index().merge(follows[["user", "followee"]].drop_duplicates(), on="user")
        cand = cand.merge(ad[["cascade", "user", "time"]].rename(
            columns={"user": "followee", "time": "t_followee"}), on=["cascade", "followee"])
        cand = cand[cand["t_followee"] < cand["time"]]
        if len(cand):
            best = cand.sort_values(["index", "t_followee"], kind="stable").drop_duplicates(
                "index", keep="last")
            ad.loc[best["index"].to_numpy(), "parent"] = best["followee"].to_numpy()
    return ad.rename(columns={"user": "child"})[["cascade", "parent", "child", "time"]]


def propagation_curve(data: Any, *, every: float = 1.0, start: float | None = None,
                      end: float | None = None, actions: tuple[str, ...] = SHARES,
                      user: str = "user", time: str = "time") -> pd.DataFrame:
    """Cumulative number of distinct adopters over time (the population-level propagation
    curve): a feed run's agents who shared (``actions``) by step, or a table of real adoptions
    (``user`` and ``time`` columns, e.g. the Higgs retweets by hour with ``every=3600``).

    Returns
    -------
    DataFrame
        ``time`` (bin ends from ``start``), ``new`` (first-time adopters in the bin) and
        ``adopters`` (cumulative), ``share`` (of the final count).

    Examples
    --------
    >>> ad = pd.DataFrame({"user": [1, 2, 1, 3], "time": [0.5, 1.5, 1.7, 3.2]})
    >>> propagation_curve(ad, start=0, end=4)[["time", "new", "adopters"]].values.tolist()
    [[1.0, 1.0, 1.0], [2.0, 1.0, 2.0], [3.0, 0.0, 2.0], [4.0, 1.0, 3.0]]
    """
    if hasattr(data, "events") and isinstance(data.events, pd.DataFrame):
        data = data.events
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"propagation_curve needs a Run, its events or a table of adoptions; "
                        f"got {type(data).__name__}")
    if isinstance(every, bool) or not isinstance(every, int | float) or not every > 0:
        raise ValueError(f"propagation_curve every must be a positive number, got {every!r}")
    if "action" in data.columns:
        ev = data[data["action"].isin(actions)]
        u, t = ev["agent"].to_numpy(), ev["step"].to_numpy(dtype=np.float64)
        if start is None:
            start = 0.0
    else:
        miss = [c for c in (user, time) if c not in data.columns]
        if miss:
            raise ValueError(f"propagation_curve: the table lacks column(s) {miss}")
        u, t = data[user].to_numpy(), pd.to_numeric(data[time]).to_numpy(dtype=np.float64)
    first = pd.Series(t).groupby(pd.Series(u)).min().to_numpy() if len(t) else np.empty(0)
    lo = float(np.min(first)) if start is None and len(first) else float(start or 0.0)
    hi = float(np.max(first)) if end is None and len(first) else float(end if end is not None
                                                                        else lo)
    nbins = max(1, int(np.ceil((hi - lo) / every - 1e-9)))
    if "action" in data.columns:  # steps: step s falls in the bin ending at s
        b = np.clip(np.ceil((first - lo) / every - 1e-9).astype(np.int64) - 1, 0, nbins - 1)
    else:
        b = np.clip(np.floor((first - lo) / every).astype(np.int64), 0, nbins - 1)
    keep = (first >= lo) & (first <= lo + nbins * every)
    new = np.bincount(b[keep], minlength=nbins).astype(np.float64)
    cum = np.cumsum(new)
    return pd.DataFrame({"time": lo + every * np.arange(1, nbins + 1), "new": new,
                         "adopters": cum, "share": cum / cum[-1] if cum[-1] else cum})
