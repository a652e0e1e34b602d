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
from socialkit.scenarios._clone_measures import (
    clone_bands,
    clone_cascades,
    clone_layers,
    clone_reference,
    clone_summary,
)

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
