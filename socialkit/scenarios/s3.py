"""S3 on a real network: emotion, attitude and posting of users who receive a piece of news.

Gao, Lan, Zhou, Li, Zha, Li, Zhang, Jin & Li (2023), "S3: Social-network Simulation System with
Large Language Model-Empowered Agents" (arXiv:2307.14984). Each agent has an emotion (calm,
moderate, intense) and an attitude (support or oppose) towards an event, updated by the LLM from
the messages it receives, and each step chooses to repost, post or stay idle; the population
curves of how many users know the news, their emotions and their attitudes are compared with
real data. Here the network is a sample of the Higgs Twitter retweet network (the real users
who spread the news of the Higgs boson discovery, July 2012), the news is seeded at the sample's
most retweeted authors, and the reference series is the real one of the same users: the share
of them who had retweeted about it by each hour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["s3", "s3_network", "s3_state", "s3_curves", "s3_reference", "S3Rule", "HIGGS_NEWS",
           "EMOTIONS", "ANNOUNCEMENT_HOUR", "S3_TEMPLATE"]

HIGGS_NEWS = ("CERN has just announced the discovery of a new particle consistent with the "
              "Higgs boson, the last missing piece of the Standard Model.")
EMOTIONS = ["calm", "moderate", "intense"]
ANNOUNCEMENT_HOUR = 79.0
"""Hours from 1 July 2012 00:00 UTC to CERN's seminar (4 July, 09:00 CEST)."""
S3_TEMPLATE = """\
[social identity]
I am a Twitter user who follows science news.
[personal identity]
During a typical week I am $activity on Twitter.
"""
_TOPICS = ["the Higgs boson discovery", "other things"]


def s3_state() -> dict:
    """The S3 agent state: ``emotion`` (calm / moderate / intense) and ``attitude`` (support /
    oppose), reported by LLM agents each active step.

    Examples
    --------
    >>> sorted(s3_state())
    ['attitude', 'emotion']
    """
    from socialkit.llm import Choice, Likert

    return {"emotion": Likert("How strongly do you feel about what you just read in your "
                              "feed?", labels=EMOTIONS, name="emotion"),
            "attitude": Choice("Do you support or oppose what the posts in your feed claim?",
                               ["support", "oppose"], name="attitude")}


def s3_network(n: int = 100, seeds: int = 3, seed: int = 0) -> tuple[Any, Any]:
    """The S3 network and population: a :func:`socialkit.datasets.higgs_sample` of ``n``
    users, with each user's real activity (retweets in the week) as a per-step activity rate
    (``activity_rate``, 0.1 to 1) and a word for the persona (``activity``).

    Examples
    --------
    >>> G, pop = s3_network(30, seeds=2)
    >>> len(pop), sorted(set(pop.df["activity"]))[:1]
    (30, ['moderately active'])
    """
    from socialkit.datasets import higgs_sample
    from socialkit.population import Population

    G, people = higgs_sample(n, seeds=seeds, seed=seed)
    r = people["retweets"].to_numpy(np.float64)
    people["activity_rate"] = np.clip(r / max(np.quantile(r, 0.9), 1.0), 0.1, 1.0)
    people["activity"] = np.select([r >= 30, r >= 10], ["very active", "moderately active"],
                                   "rarely active")
    return G, Population(people)


class S3Rule:
    """A rule-based S3 user (the classic comparator and the fast path): an agent becomes aware
    when news reaches its page; its emotion rises one level every ``intensify`` news items it
    has seen; on becoming aware it supports the claim with probability ``support``; while news
    is on its page it reposts a news item with probability ``repost`` or posts about it with
    probability ``post``, else it is idle.

    Examples
    --------
    >>> S3Rule(repost=0.5).spec()["repost"]
    0.5
    """

    __name__ = "s3_rule"

    def __init__(self, repost: float = 0.3, post: float = 0.05, support: float = 0.8,
                 intensify: int = 2):
        for k, v in (("repost", repost), ("post", post), ("support", support)):
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                raise ValueError(f"S3Rule {k} must be a probability, got {v!r}")
        if repost + post > 1:
            raise ValueError("S3Rule repost + post must be at most 1")
        if isinstance(intensify, bool) or not isinstance(intensify, int) or intensify < 1:
            raise ValueError(f"S3Rule intensify must be a positive integer, got {intensify!r}")
        self.repost, self.post, self.support, self.intensify = repost, post, support, intensify
        self._seen: np.ndarray | None = None

    def spec(self) -> dict:
        return {"repost": self.repost, "post": self.post, "support": self.support,
                "intensify": self.intensify}

    def __call__(self, ctx: Any) -> dict:
        env, rng, n = ctx.env, ctx.rng, len(ctx.ids)
        page = env.page(ctx.ids)
        p = env.posts
        safe = np.maximum(page, 0)
        news = (page >= 0) & (p.topic[safe] == 0)
        emotion = ctx.agents.values["emotion"][ctx.positions]  # NaN until aware
        count = news.sum(axis=1)
        aware_before = ~np.isnan(emotion)
        aware = aware_before | (count > 0)
        level = np.where(aware_before, emotion, 1.0)
        level = np.minimum(3.0, level + (count >= self.intensify))
        attitude = ctx.agents.values["attitude"][ctx.positions].copy()
        new = aware & np.isnan(attitude)
        attitude[new] = np.where(rng.random(int(new.sum())) < self.support, 0.0, 1.0)
        u = rng.random(n)
        rows = np.repeat(ctx.positions, page.shape[1])
        content = p.source[safe].ravel()
        ok = news & ~env.shared.contains(rows, content).reshape(page.shape) & \
            (p.author[p.source[safe]] != ctx.positions[:, None])
        first = np.argmax(ok, axis=1)
        can = ok.any(axis=1)
        action = np.full(n, "do_nothing", dtype=object)
        rep = can & (u < self.repost)
        action[rep] = "repost"
        action[aware & (count > 0) & ~rep & (u >= self.repost) & (u < self.repost + self.post)] \
            = "post"
        post_id = np.full(n, None, dtype=object)
        post_id[rep] = page[rep, first[rep]].tolist()
        text = np.full(n, None, dtype=object)
        topic = np.full(n, None, dtype=object)
        text[action == "post"] = ""
        topic[action == "post"] = 0
        emo = np.full(n, None, dtype=object)
        emo[aware] = [EMOTIONS[int(x) - 1] for x in level[aware]]
        att = np.full(n, None, dtype=object)
        known = ~np.isnan(attitude)
        att[known] = [("support", "oppose")[int(x)] for x in attitude[known]]
        return {"action": action, "post_id": post_id, "text": text, "topic": topic,
                "emotion": emo, "attitude": att}


@model(Param("n", int, 100, low=2, doc="users sampled from the Higgs retweet network"),
       Param("steps", int, 12, low=1, doc="steps simulated"),
       Param("hours", float, 14.0, low=0, low_open=True, doc="hours one step stands for (12 "
             "steps of 14 hours: the real week)"),
       Param("seeds", int, 3, low=1, doc="most retweeted authors of the sample, who post the "
             "news at step 0"),
       Param("page", int, 5, low=1, doc="items per page (chronological, from followees)"))
def s3(population=None, model=None, *, n: int = 100, steps: int = 12, hours: float = 14.0,
       seeds: int = 3, page: int = 5, graph=None, news: str = HIGGS_NEWS,
       max_words: int = 30, seed: int = 0, **run_options) -> Any:
    """S3 on a sample of the Higgs retweet network: agents with an emotion (calm / moderate /
    intense) and an attitude (support / oppose) receive the news of the Higgs boson discovery
    through whom they follow (the accounts they retweeted in reality) and repost it, post about
    it, or stay idle (Gao et al. 2023).

    Each agent is active in a step with its real activity rate (``activity_rate``: its
    retweets in the real week, scaled); LLM agents report their emotion and attitude and choose
    an action from their feed (3 calls per active agent-step); :class:`S3Rule` is the
    rule-based comparator (``policy=sk.agents.RulePolicy(S3Rule())``). :func:`s3_curves` gives
    the population curves and :func:`s3_reference` the real ones of the same users.

    Parameters
    ----------
    population : Population, optional
        Default: the users of :func:`s3_network` (``n``, ``seeds``); with your own population
        give ``graph`` (arcs author -> follower) and an ``activity_rate`` column.
    model : backend, optional
        For LLM agents (default: the embedded model).
    graph : networkx.DiGraph, optional
    news : str
        The text the seed users post.
    max_words : int
        Longest post an LLM agent writes.
    seed : int
    **run_options
        Passed to :class:`socialkit.Simulation` (``policy=``, ``memory=``, ``group_by=``, ...).

    Returns
    -------
    Run
        Trajectory: ``emotion`` and ``attitude`` per agent and step, the feed's measures;
        events: the seeded news, exposures, reposts and posts (cascade data).

    Examples
    --------
    >>> import socialkit as sk
    >>> run = s3(n=40, steps=3, policy=sk.agents.RulePolicy(S3Rule()), progress=False)
    >>> s3_curves(run)["aware"].is_monotonic_increasing
    True
    """
    from socialkit.env import Feed
    from socialkit.sim import Clock, Simulation

    if population is None:
        graph, population = s3_network(n, seeds, seed=0)
    elif graph is None:
        raise ValueError("s3: with your own population, give graph= (arcs author -> follower)")
    df = population.df
    if "activity_rate" not in df.columns:
        raise ValueError("s3: the population needs an 'activity_rate' column (per-step "
                         "probability of being active)")
    if "source" in df.columns:
        authors = df.loc[df["source"].astype(bool), "agent"].tolist()
    else:
        out = dict(graph.out_degree())
        authors = sorted(out, key=lambda v: -out[v])[:seeds]
    feed = Feed(graph, page=page, actions=["repost", "post", "do_nothing"], topics=_TOPICS,
                seed_posts=pd.DataFrame({"author": authors, "text": news, "topic": 0}),
                comments=0, max_words=max_words)
    run_options.setdefault("policy", None)
    if run_options["policy"] is None:
        from socialkit.agents import LLMPolicy

        run_options["policy"] = LLMPolicy(persona=S3_TEMPLATE, memories=3)
    params = {"n": len(df), "steps": steps, "hours": hours, "seeds": len(authors),
              "page": page, "news": news, "seed": seed}
    sim = Simulation(population, env=feed, model=model, state=s3_state(),
                     activation="activity_rate", clock=Clock("hour", every=hours),
                     seed=seed, name="s3", params=params, **run_options)
    return sim.run(steps)


def s3_curves(run: Any) -> pd.DataFrame:
    """The S3 population curves by step: ``aware`` (share of agents who have seen the news),
    ``spread`` (share who reposted or posted it), ``calm``, ``moderate``, ``intense`` (shares
    among aware agents with a known emotion) and ``support`` (share supporting among aware
    agents with a known attitude); ``hour`` counts from the announcement.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = s3(n=30, steps=2, policy=sk.agents.RulePolicy(S3Rule(repost=0.9)),
    ...          progress=False)
    >>> list(s3_curves(run).columns)
    ['step', 'hour', 'aware', 'spread', 'calm', 'moderate', 'intense', 'support']
    """
    from socialkit.env import exposures, items

    ev = run.events
    n = int(run.params.get("n", 0)) or int(ev["agent"].nunique())
    hours = float(run.params.get("hours", 1.0))
    steps = int(run.params["steps"])
    it = items(run)
    news_items = set(it.loc[it["topic"] == 0, "post"].tolist())
    ex = exposures(run)
    ex = ex[ex["post"].isin(news_items)]
    first_seen = ex.groupby("agent")["step"].min()
    sharers = it[(it["topic"] == 0) & (it["step"] > 0)].groupby("agent")["step"].min()
    traj = run.trajectory
    emo = traj[traj["variable"] == "emotion"].pivot(index="step", columns="agent",
                                                   values="value")
    att = traj[traj["variable"] == "attitude"].pivot(index="step", columns="agent",
                                                    values="value")
    rows = []
    for s in range(steps + 1):
        aware = first_seen[first_seen <= s].index
        row = {"step": s, "hour": s * hours, "aware": len(aware) / n,
               "spread": float((sharers <= s).sum()) / n}
        e = emo.loc[s, emo.columns.intersection(aware)].dropna() if s in emo.index else \
            pd.Series(dtype=float)
        for k, label in enumerate(EMOTIONS, start=1):
            row[label] = float((e == k).mean()) if len(e) else np.nan
        a = att.loc[s, att.columns.intersection(aware)].dropna() if s in att.index else \
            pd.Series(dtype=float)
        row["support"] = float((a == 0).mean()) if len(a) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def s3_reference(population: Any, steps: int, hours: float, start: float = 0.0
                 ) -> pd.DataFrame:
    """The real curve of the same users: the share of them who had retweeted about the Higgs
    boson by each step's end, counting ``hours`` per step from ``start`` (hours since 1 July
    2012 00:00 UTC: 0 is the start of the data, :data:`ANNOUNCEMENT_HOUR` CERN's seminar);
    users who retweeted before ``start`` count from step 0.

    Examples
    --------
    >>> _, pop = s3_network(30, seeds=2)
    >>> ref = s3_reference(pop, steps=4, hours=24)
    >>> list(ref.columns), bool(ref["spread"].is_monotonic_increasing)
    (['step', 'hour', 'spread'], True)
    """
    df = population.df if hasattr(population, "df") else population
    if "first_retweet" not in df.columns:
        raise ValueError("s3_reference: the population needs 'first_retweet' (hours; from "
                         "s3_network / higgs_sample)")
    first = df["first_retweet"].to_numpy(np.float64)
    t = np.arange(steps + 1) * hours
    share = [float(np.nansum(first <= start + h)) / len(first) for h in t]
    return pd.DataFrame({"step": np.arange(steps + 1), "hour": t, "spread": share})
