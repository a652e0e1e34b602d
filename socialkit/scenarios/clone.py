"""A digital clone of a real spreading network: posts seeded at their real source users, many
trials per post, simulated propagation against the real spread of the same sources.

Puri, Hassler, Katragadda & Shenk (2024), "Digital cloning of online social networks for
language-sensitive agent-based modeling of misinformation spread", PLOS ONE 19(6): e0304889.
They rebuilt a misinformation-sharing Twitter network of over ten thousand users, seeded source
posts at the users who had really posted them, let each infected user's followers reshare
with a trained infection model, layer after layer, over 1,000 trials per post, and compared the
median and 68% percentile band of the infections per layer (and other propagation metrics)
with the real spread.

Here the clone is a sample of the Higgs Twitter retweet network (the follower graph is not part
of the data set, so a user "follows" the accounts it retweeted in the week); the posts are
seeded at the sample's most retweeted authors; each trial is its own copy of the source's
audience (the users reachable from it within ``steps`` layers), so all trials run in one
simulation and never interfere; the real spread is each source's retweets by the sampled users,
as trees rebuilt with :func:`socialkit.network.infer_parents`.
"""

from __future__ import annotations

import functools
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["misinformation_clone", "CascadeRule", "clone_cascades", "clone_layers",
           "clone_bands", "clone_reference", "clone_summary", "CLONE_TEMPLATE", "CLONE_POST"]

CLONE_POST = ("Rumour from CERN: they will announce the discovery of the Higgs boson on "
              "Wednesday. The data are said to be conclusive.")
"""The seeded text (the Higgs data hold who retweeted whom and when, not the tweets' texts)."""

CLONE_TEMPLATE = """\
[social identity]
I am a Twitter user who follows science news.
[personal identity]
During a typical week I am $activity on Twitter.
"""

_METRICS = ("size", "depth", "max_breadth")


class CascadeRule:
    """Independent-cascade resharing (the rule comparator): each step an agent counts the
    items on its page it may share (not its own, not shared before); with ``m`` of them it
    reshares one, picked at random, with probability ``1 - (1 - p) ** m`` (each exposure an
    independent chance ``p``), else does nothing. With a page that shows only the last step's
    shares (``Chronological(window=1)``), every exposure has one chance, as in the independent
    cascade model (Kempe, Kleinberg & Tardos 2003).

    Parameters
    ----------
    p : float or str
        Chance per exposure, or a population column of per-agent chances.

    Examples
    --------
    >>> CascadeRule(p=0.2).spec()
    {'p': 0.2}
    """

    __name__ = "cascade_rule"

    def __init__(self, p: float | str = 0.1):
        if isinstance(p, str):
            if not p:
                raise ValueError("CascadeRule p must be a probability or a column name")
        elif isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise ValueError(f"CascadeRule p must be a probability in [0, 1] or a population "
                             f"column, got {p!r}")
        self.p = p if isinstance(p, str) else float(p)
        self._rates: np.ndarray | None = None

    def spec(self) -> dict:
        return {"p": self.p}

    def _chance(self, agents: Any) -> np.ndarray:
        if self._rates is None or len(self._rates) != len(agents):
            if isinstance(self.p, str):
                df = agents.population.df
                if self.p not in df.columns:
                    raise ValueError(f"CascadeRule p={self.p!r} is not a population column")
                r = pd.to_numeric(df[self.p], errors="coerce").to_numpy(np.float64)
                if np.isnan(r).any() or (r < 0).any() or (r > 1).any():
                    raise ValueError(f"CascadeRule: column {self.p!r} must hold probabilities "
                                     "in [0, 1]")
                self._rates = r
            else:
                self._rates = np.full(len(agents), self.p)
        return self._rates

    def __call__(self, ctx: Any) -> dict:
        env, rng, n, me = ctx.env, ctx.rng, len(ctx.ids), ctx.positions
        page = env.page(ctx.ids)
        p = env.posts
        valid = page >= 0
        safe = np.maximum(page, 0)
        content = p.source[safe] if len(p) else safe
        rows = np.repeat(me, page.shape[1])
        ok = valid & ~env.shared.contains(rows, content.ravel()).reshape(page.shape)
        if len(p):
            ok &= (p.author[content] != me[:, None]) & (p.author[safe] != me[:, None])
        m = ok.sum(axis=1)
        chance = 1.0 - (1.0 - self._chance(ctx.agents)[me]) ** m
        u = rng.random(n)
        pick = rng.random(n)
        share = (m > 0) & (u < chance)
        action = np.full(n, "do_nothing", dtype=object)
        action[share] = "repost"
        post_id = np.full(n, None, dtype=object)
        if share.any():  # one of the shareable items, uniformly
            w = ok[share].astype(np.float64)
            cum = np.cumsum(w, axis=1)
            j = (cum <= (pick[share] * m[share])[:, None]).sum(axis=1)
            post_id[share] = page[share][np.arange(int(share.sum())), j].tolist()
        return {"action": action, "post_id": post_id}


@functools.lru_cache(maxsize=8)
def _sample(n: int, sources: int) -> tuple[nx.DiGraph, pd.DataFrame]:
    from socialkit.datasets import higgs_sample

    return higgs_sample(n, seeds=sources, seed=0)


def _reach(G: nx.DiGraph, source: int, steps: int) -> list[int]:
    """Nodes within ``steps`` arcs of ``source`` along the arcs (source first)."""
    dist = nx.single_source_shortest_path_length(G, source, cutoff=steps)
    return [source] + sorted(v for v in dist if v != source)


def _worlds(G: nx.DiGraph, people: pd.DataFrame, sources: list[int], trials: int,
            steps: int) -> tuple[nx.DiGraph, pd.DataFrame]:
    """One copy of each source's audience per trial, as one graph of disjoint worlds."""
    frames, arcs, off, world = [], [], 0, 0
    for s in sources:
        nodes = _reach(G, s, steps)
        where = {v: i for i, v in enumerate(nodes)}
        sub = [(where[u], where[v]) for u, v in G.subgraph(nodes).edges()]
        base = people.set_index("agent").loc[nodes].reset_index()
        for k in range(trials):
            f = base.rename(columns={"agent": "node"})
            f.insert(0, "agent", np.arange(off, off + len(nodes)))
            f["world"], f["trial"] = world, k
            f["source_user"] = int(people.loc[people["agent"] == s, "user"].iloc[0])
            f["is_source"] = f["node"] == s
            frames.append(f)
            arcs.extend((u + off, v + off) for u, v in sub)
            off += len(nodes)
            world += 1
    pop = pd.concat(frames, ignore_index=True)
    H = nx.DiGraph()
    H.add_nodes_from(range(off))
    H.add_edges_from(arcs)
    return H, pop


@model(Param("n", int, 300, low=2, doc="users sampled from the Higgs retweet network"),
       Param("sources", int, 3, low=1, doc="most retweeted authors of the sample; each posts "
             "one seeded post"),
       Param("trials", int, 100, low=1, doc="independent trials per post (Puri et al.: 1,000)"),
       Param("steps", int, 6, low=1, doc="infection layers simulated (one per step)"),
       Param("page", int, 20, low=1, doc="shares from the last step an agent sees at most"))
def misinformation_clone(population=None, model=None, *, n: int = 300, sources: int = 3,
                         trials: int = 100, steps: int = 6, page: int = 20, graph=None,
                         text: str = CLONE_POST, max_words: int = 30, seed: int = 0,
                         **run_options) -> Any:
    """Seeded posts spreading on a clone of the Higgs retweet network (Puri et al. 2024): each
    source's post runs ``trials`` times, each trial on its own copy of the source's audience.

    Every step each agent sees the shares its followees made in the last step (a chronological
    page with a one-step window) and reshares one or does nothing; a step is one infection
    layer. LLM agents read the post and decide (one call per agent-step: keep ``trials`` and
    ``n`` tiny); :class:`CascadeRule` is the independent-cascade comparator
    (``policy=sk.agents.RulePolicy(CascadeRule(p=0.1))``). :func:`clone_layers`,
    :func:`clone_bands` and :func:`clone_summary` read the run; :func:`clone_reference` gives
    the real spread of the same sources among the same users.

    Parameters
    ----------
    population : Population, optional
        Default: the users of ``sk.datasets.higgs_sample(n, seeds=sources)``; with your own,
        give ``graph`` (arcs author -> follower over its agent ids) and a boolean ``source``
        column (who posts).
    model : backend, optional
        For LLM agents (default: the embedded model).
    graph : networkx.DiGraph, optional
    text : str
        The seeded post.
    max_words : int
        Longest text an LLM agent writes.
    seed : int
    **run_options
        Passed to :class:`socialkit.Simulation` (``policy=``, ``group_by=``, ...).

    Returns
    -------
    Run
        Events: the seeded posts (item ``w`` is world ``w``'s), the reposts (cascade trees);
        ``run.params["worlds"]`` maps each world to its source and trial.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = misinformation_clone(n=60, sources=2, trials=5, steps=3, progress=False,
    ...                            policy=sk.agents.RulePolicy(CascadeRule(p=0.3)))
    >>> clone_layers(run).groupby("source")["trial"].nunique().tolist()
    [5, 5]
    """
    from socialkit.env import Chronological, Feed
    from socialkit.population import Population
    from socialkit.sim import Simulation

    if population is None:
        graph, people = _sample(n, sources)
        people = people.copy()
    elif graph is None:
        raise ValueError("misinformation_clone: with your own population, give graph= (arcs "
                         "author -> follower)")
    else:
        people = population.df.copy()
    if not isinstance(graph, nx.DiGraph):
        raise TypeError("misinformation_clone graph must be a networkx DiGraph (arcs author -> "
                        "follower)")
    if "source" not in people.columns:
        raise ValueError("misinformation_clone: the population needs a boolean 'source' column "
                         "(the users who post)")
    if "user" not in people.columns:
        people["user"] = people["agent"]
    if "activity" not in people.columns:
        r = people["retweets"].to_numpy(np.float64) if "retweets" in people.columns else \
            np.zeros(len(people))
        people["activity"] = np.select([r >= 30, r >= 10], ["very active",
                                                            "moderately active"],
                                       "rarely active")
    src = people.loc[people["source"].astype(bool), "agent"].tolist()
    if not src:
        raise ValueError("misinformation_clone: no source user (the 'source' column is all "
                         "False)")
    missing = [s for s in src if s not in graph]
    if missing:
        raise ValueError(f"misinformation_clone: source agent(s) {missing[:5]} are not nodes of "
                         "graph")
    H, pop = _worlds(graph, people, src, trials, steps)
    firsts = pop.loc[pop["is_source"], ["agent", "world", "trial", "source_user"]]
    feed = Feed(H, recommender=Chronological(window=1), page=page,
                actions=["repost", "do_nothing"], comments=0, log_exposure=False,
                log_graph=False, max_words=max_words,
                seed_posts=pd.DataFrame({"author": firsts["agent"].to_numpy(), "text": text}))
    run_options.setdefault("policy", None)
    if run_options["policy"] is None:
        from socialkit.agents import LLMPolicy

        run_options["policy"] = LLMPolicy(persona=CLONE_TEMPLATE, memories=0)
    run_options.setdefault("memory", None)
    params = {"n": len(people), "sources": len(src), "trials": trials, "steps": steps,
              "page": page, "text": text, "seed": seed,
              "worlds": {int(w): [int(s), int(k)] for w, s, k in zip(
                  firsts["world"], firsts["source_user"], firsts["trial"], strict=True)}}
    sim = Simulation(Population(pop), env=feed, model=model, seed=seed, name="clone",
                     params=params, **run_options)
    return sim.run(steps)


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
