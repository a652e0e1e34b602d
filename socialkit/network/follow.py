"""Directed follow networks: the graph a feed run formed by any step, and its friendship
paradoxes (degree and generalised), with bootstrap intervals, a configuration-model null and
tie-strength strata.

Arcs follow socialkit's direction of influence: ``u -> v`` means ``v`` follows ``u`` (sees its
posts). An agent's *followees* are its predecessors, its *followers* its successors.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.network import _kernels as K
from socialkit.network._build import _rng

__all__ = ["follow_network", "follow_paradox", "FollowParadox", "ATTRIBUTES"]

ATTRIBUTES = ("followers", "followees", "posts", "likes_received")
"""Node attributes :func:`follow_network` sets: ``followers`` (in the follow sense: how many
follow the agent), ``followees``, ``posts`` (items it made: activity) and ``likes_received``
(likes on its items: influence)."""

_INTERACT = ("like", "comment", "repost", "quote")


def follow_network(run: Any, step: int | None = None, *, initial: nx.Graph | None = None
                   ) -> nx.DiGraph:
    """The follow graph of a feed run at the end of ``step`` (default: the last), with activity,
    influence and tie strength.

    The graph is rebuilt from the run's events: the initial follows (``follow`` events at step
    0, which :class:`socialkit.env.Feed` records with ``log_graph=True``, or ``initial=``),
    then every ``follow`` and ``unfollow`` up to ``step``. Nodes are the agents that appear in
    the events (and in ``initial``) with :data:`ATTRIBUTES`; an arc's ``weight`` is how many
    times the follower liked, commented, reposted or quoted the followee by then (its tie
    strength; 0 for a silent follow).

    Parameters
    ----------
    run : Run or events DataFrame
    step : int, optional
    initial : networkx graph, optional
        The follow graph the feed started from, when its events do not hold it.

    Returns
    -------
    networkx.DiGraph

    Examples
    --------
    >>> ev = pd.DataFrame({"step": [0, 1, 1, 2], "agent": [1, 2, 1, 2],
    ...                    "action": ["follow", "follow", "like", "unfollow"],
    ...                    "target": [0, 0, 0, 0], "text": None,
    ...                    "data": ['{"initial": true}', None, '{"post": 0, "root": 0}', None]})
    >>> G = follow_network(ev, step=1)
    >>> sorted(G.edges(data="weight")), G.nodes[0]["followers"], G.nodes[0]["likes_received"]
    ([(0, 1, 1), (0, 2, 0)], 2, 1)
    >>> sorted(follow_network(ev).edges())
    [(0, 1)]
    """
    ev = getattr(run, "events", run)
    if not isinstance(ev, pd.DataFrame) or not {"step", "agent", "action", "target"} <= set(
            ev.columns):
        raise TypeError("follow_network needs a socialkit Run or its events table")
    last = int(ev["step"].max()) if len(ev) else 0
    if step is None:
        step = last
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
        raise ValueError(f"follow_network step must be a non-negative integer, got {step!r}")
    ev = ev[ev["step"] <= step]
    arcs: dict[tuple[int, int], bool] = {}
    if initial is not None:
        if not isinstance(initial, nx.Graph):
            raise TypeError("follow_network initial must be a networkx graph")
        for u, v in initial.edges():
            arcs[(int(v), int(u))] = True
            if not initial.is_directed():
                arcs[(int(u), int(v))] = True
    fol = ev[ev["action"].isin(["follow", "unfollow"])]
    for a, act, t in zip(fol["agent"].tolist(), fol["action"].tolist(), fol["target"].tolist(),
                         strict=True):
        if act == "follow":
            arcs[(a, t)] = True
        else:
            arcs.pop((a, t), None)
    G = nx.DiGraph()
    nodes = {int(x) for x in ev["agent"].tolist() if x >= 0} | \
        {int(x) for x in ev["target"].tolist() if x >= 0}   # -1: the platform, no agent
    if initial is not None:
        nodes |= {int(v) for v in initial.nodes()}
    G.add_nodes_from(sorted(nodes))
    inter = ev[ev["action"].isin(_INTERACT) & (ev["target"] >= 0)]
    weight = inter.groupby(["agent", "target"]).size().to_dict()
    G.add_weighted_edges_from((t, a, int(weight.get((a, t), 0))) for (a, t) in arcs)
    made = ev[ev["action"].isin(["post", "comment", "repost", "quote"])]["agent"].value_counts()
    liked = ev[ev["action"] == "like"]["target"].value_counts()
    for v in G.nodes:
        G.nodes[v]["followers"] = G.out_degree(v)
        G.nodes[v]["followees"] = G.in_degree(v)
        G.nodes[v]["posts"] = int(made.get(v, 0))
        G.nodes[v]["likes_received"] = int(liked.get(v, 0))
    G.graph["step"] = int(step)
    return G


@dataclass(frozen=True)
class FollowParadox:
    """Friendship paradoxes of a follow network; ``table`` has one row per attribute and
    stratum (see :func:`follow_paradox`)."""

    table: pd.DataFrame
    neighbours: str
    ci_level: float | None
    n_boot: int
    n_null: int
    split: float | None

    def _repr_html_(self) -> str:
        t = self.table.copy()
        for c in t.columns:
            if t[c].dtype.kind == "f":
                t[c] = t[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
        head = (f"Friendship paradox over {html.escape(self.neighbours)}"
                + (f", {self.ci_level:.0%} bootstrap CI ({self.n_boot})" if self.ci_level
                   else "") + (f", configuration-model null ({self.n_null})" if self.n_null
                               else ""))
        return f"<div><strong>{head}</strong>{t.to_html(index=False)}</div>"


def _arrays(G: nx.DiGraph, attributes, strength):
    nodes = np.array(list(G.nodes()), dtype=object)
    where = {v: i for i, v in enumerate(nodes.tolist())}
    e = list(G.edges(data=True))
    src = np.fromiter((where[u] for u, _, _ in e), dtype=np.int64, count=len(e))
    dst = np.fromiter((where[v] for _, v, _ in e), dtype=np.int64, count=len(e))
    w = None
    if strength is not None:
        w = np.array([d.get(strength, np.nan) for _, _, d in e], dtype=np.float64)
        if np.isnan(w).any():
            raise ValueError(f"follow_paradox: some arcs lack the tie-strength attribute "
                             f"{strength!r}")
    vals = {}
    n = len(nodes)
    for a in attributes:
        if a == "followers":
            vals[a] = np.bincount(src, minlength=n).astype(np.float64)
        elif a == "followees":
            vals[a] = np.bincount(dst, minlength=n).astype(np.float64)
        else:
            try:
                vals[a] = np.array([float(G.nodes[v][a]) for v in nodes], dtype=np.float64)
            except KeyError:
                raise ValueError(f"follow_paradox: node attribute {a!r} is missing (nodes have "
                                 f"{sorted(G.nodes[nodes[0]]) if n else []})") from None
            except (TypeError, ValueError):
                raise ValueError(f"follow_paradox: node attribute {a!r} is not numeric") \
                    from None
    return nodes, src, dst, w, vals


def _local(me, other, x, n):
    """Each node's count of neighbours and their mean of ``x`` (``me`` sees ``other``)."""
    d = np.bincount(me, minlength=n).astype(np.float64)
    s = np.bincount(me, weights=x[other], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return d, np.where(d > 0, s / d, np.nan)


def follow_paradox(G: nx.DiGraph, attributes=ATTRIBUTES, *, neighbours: str = "followees",
                   ci: float | None = 0.95, n_boot: int = 1000, null: int = 100,
                   strength: str | None = "weight", split: float | None = None,
                   seed: int | None = None) -> FollowParadox:
    """Friendship paradoxes of a directed follow network: for each attribute, the share of
    agents whose ``neighbours`` (``"followees"``: those they follow, or ``"followers"``) have
    on average more of it than they do, with node-bootstrap intervals, against a
    configuration-model null, and by tie strength.

    ``followers`` over followees is the degree paradox on Twitter ("your friends have more
    followers than you", Hodas, Kooti & Lerman 2013); ``followees`` the out-degree one;
    ``posts`` (activity) and ``likes_received`` (influence) the generalised paradox (Eom & Jo
    2014), as in the GABM friendship-paradox study (Orlando, La Gatta, Russo & Moscato 2025),
    which found that infrequent (weak) ties drive it.

    The null keeps every agent's number of followers and followees and its attributes but
    rewires who follows whom (the heads of the arcs shuffled; self-follows dropped): a share
    above the null's range is more paradox than degree heterogeneity alone produces. Strata:
    arcs with ``strength`` at most ``split`` are *weak* (default split: the median arc
    strength), the others *strong*; each stratum's paradox uses only its arcs.

    Parameters
    ----------
    G : networkx.DiGraph
        Arcs ``followee -> follower`` (:func:`follow_network`); attributes other than
        ``followers`` and ``followees`` are node attributes.
    attributes : sequence of str
    neighbours : {"followees", "followers"}
    ci : float or None
        Bootstrap interval level (None: no intervals).
    n_boot : int
        Bootstrap replicates.
    null : int
        Configuration-model replicates (0: no null).
    strength : str or None
        Arc attribute of tie strength (None: no strata).
    split : float, optional
        Threshold between weak and strong ties.
    seed : int, optional

    Returns
    -------
    FollowParadox
        ``table`` columns: ``attribute, stratum, arcs, agents`` (with at least one neighbour),
        ``mean_own, mean_neighbours, paradox_share, ci_low, ci_high, null_share, null_low,
        null_high``.

    Examples
    --------
    >>> G = nx.DiGraph([(0, 1), (0, 2), (0, 3), (1, 2)])       # 1, 2, 3 follow 0; 2 follows 1
    >>> nx.set_edge_attributes(G, 1, "weight")
    >>> nx.set_node_attributes(G, {0: 5, 1: 1, 2: 0, 3: 2}, "posts")
    >>> fp = follow_paradox(G, ["followers", "posts"], ci=None, null=0, strength=None)
    >>> fp.table[["attribute", "agents", "paradox_share"]].values.tolist()
    [['followers', 3, 1.0], ['posts', 3, 1.0]]
    """
    if not isinstance(G, nx.DiGraph):
        raise TypeError("follow_paradox needs a networkx DiGraph (arcs followee -> follower)")
    if neighbours not in ("followees", "followers"):
        raise ValueError(f"follow_paradox neighbours must be 'followees' or 'followers', got "
                         f"{neighbours!r}")
    if isinstance(attributes, str):
        attributes = [attributes]
    attributes = list(attributes)
    if ci is not None and (isinstance(ci, bool) or not 0 < ci < 1):
        raise ValueError(f"follow_paradox ci must be in (0, 1) or None, got {ci!r}")
    for name, v, lo in (("n_boot", n_boot, 10), ("null", null, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"follow_paradox {name} must be an integer >= {lo}, got {v!r}")
    if G.number_of_edges() == 0:
        raise ValueError("follow_paradox: the graph has no arcs")
    nodes, src, dst, w, vals = _arrays(G, attributes, strength)
    n = len(nodes)
    me, other = (dst, src) if neighbours == "followees" else (src, dst)
    strata = [("all", np.ones(len(src), dtype=bool))]
    if w is not None:
        cut = float(np.median(w)) if split is None else float(split)
        strata += [("weak", w <= cut), ("strong", w > cut)]
    else:
        cut = None
    rng = _rng(seed)
    rows = []
    for stratum, mask in strata:
        nulls = []
        for _ in range(null):  # rewired copies of this stratum's arcs
            o = rng.permutation(other[mask])
            keep = o != me[mask]
            nulls.append((me[mask][keep], o[keep]))
        for a in attributes:
            x = vals[a]
            d, loc = _local(me[mask], other[mask], x, n)
            has = d > 0
            row = {"attribute": a, "stratum": stratum, "arcs": int(mask.sum()),
                   "agents": int(has.sum())}
            if has.any():
                row.update(mean_own=float(x[has].mean()), mean_neighbours=float(loc[has].mean()),
                           paradox_share=float((loc[has] > x[has]).mean()))
            else:
                row.update(mean_own=np.nan, mean_neighbours=np.nan, paradox_share=np.nan)
            row["ci_low"] = row["ci_high"] = np.nan
            if ci is not None and has.any():
                boot = np.empty((n_boot, 5), dtype=np.float64)
                K.bootstrap_paradox(d[has], x[has], loc[has], n_boot, rng, boot)
                b = boot[:, 4][~np.isnan(boot[:, 4])]
                if len(b):
                    q = np.quantile(b, [(1 - ci) / 2, (1 + ci) / 2])
                    row["ci_low"], row["ci_high"] = float(q[0]), float(q[1])
            row["null_share"] = row["null_low"] = row["null_high"] = np.nan
            if nulls:
                shares = []
                for m2, o2 in nulls:
                    dd, ll = _local(m2, o2, x, n)
                    hh = dd > 0
                    shares.append(float((ll[hh] > x[hh]).mean()) if hh.any() else np.nan)
                shares = np.asarray(shares)
                shares = shares[~np.isnan(shares)]  # nulls where the stratum holds no arc left out
                if len(shares):  # (none: the null stays NaN, without numpy's empty-slice warning)
                    row["null_share"] = float(shares.mean())
                    lo, hi = (0.025, 0.975) if ci is None else ((1 - ci) / 2, (1 + ci) / 2)
                    row["null_low"], row["null_high"] = (float(v) for v in np.quantile(
                        shares, [lo, hi]))
            rows.append(row)
    table = pd.DataFrame(rows)
    return FollowParadox(table=table, neighbours=neighbours, ci_level=ci,
                         n_boot=n_boot if ci is not None else 0, n_null=null, split=cut)
