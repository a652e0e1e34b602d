"""The friendship paradox of a follow network that agents form through a recommender.

Orlando, La Gatta, Russo & Moscato (2025), "Can Generative Agent-Based Modeling Replicate the
Friendship Paradox in Social Media Simulations?" (ACM Web Science 2025, arXiv:2502.05919;
extended in Information Processing & Management): generative agents that emulate Twitter users
(a personality, interests, memory) post, react and follow or unfollow on a simulated platform
with a recommender; on the follow network they form, the friendship paradox (your followees
have more followers than you) and its generalised forms (more activity, more influence) emerge,
agents connect preferentially to more active and influential ones, and infrequent (weak)
connections drive the paradox, as in real networks (their data: the US 2020 election, QAnon
and Brexit Twitter data sets).

Here agents with a personality and two interests use a :class:`socialkit.env.Feed` whose
recommender ranks posts (by interest, by default) and suggests accounts to follow ("who to
follow"); :func:`paradox_by_step` measures the paradoxes on the follow graph at chosen steps
with :func:`socialkit.network.follow_paradox` (bootstrap intervals, configuration-model null,
weak and strong ties), and :func:`higgs_paradox` gives the same figures for the real Higgs
Twitter retweet network.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["friendship_paradox_feed", "paradox_population", "paradox_rule", "paradox_by_step",
           "higgs_paradox", "PERSONALITIES", "PARADOX_TEMPLATE"]

PERSONALITIES = ["curious and talkative", "reserved and thoughtful", "enthusiastic and social",
                 "critical and outspoken", "friendly and supportive", "calm and analytical",
                 "funny and sarcastic", "cautious and private"]
"""Short personality descriptions drawn for the agents."""

PARADOX_TEMPLATE = """\
[social identity]
I use a social media app. I am $personality.
[personal identity]
I am interested in $profile
"""

_ACTIONS = ["post", "like", "repost", "comment", "follow", "unfollow", "do_nothing"]
_RULE = {"post": 0.2, "comment": 0.05, "repost": 0.05, "like": 0.35, "follow": 0.15,
         "unfollow": 0.03}


def paradox_population(agents: int, topics: Sequence[str] | None = None, seed: int = 0) -> Any:
    """Agents with two interests (``interest``, ``second``, ``profile``), a ``personality``
    and an ``activity`` rate (the chance of being active in a step: log-normal, median 0.2,
    clipped to [0.05, 1], so a few agents are much more active than most).

    Examples
    --------
    >>> pop = paradox_population(4, seed=1)
    >>> list(pop.df.columns)
    ['agent', 'weight', 'interest', 'second', 'profile', 'personality', 'activity']
    """
    from socialkit.scenarios.cocoons import COCOON_TOPICS, cocoon_population

    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 2:
        raise ValueError(f"paradox_population agents must be an integer >= 2, got {agents!r}")
    pop = cocoon_population(agents, list(topics or COCOON_TOPICS), seed)
    rng = np.random.default_rng([int(seed), 2025])
    df = pop.df
    df["personality"] = [PERSONALITIES[i] for i in rng.integers(0, len(PERSONALITIES), agents)]
    df["activity"] = np.clip(np.exp(rng.normal(np.log(0.2), 0.8, agents)), 0.05, 1.0)
    return pop


@functools.lru_cache(maxsize=1)
def _rule_class() -> type:
    """The rule class, built on first use (socialkit.env loads compiled kernels)."""
    from socialkit.env import FeedRule

    class ParadoxRule(FeedRule):
        """A :class:`socialkit.env.FeedRule` whose follows go to an account drawn from the slots of
        the agent's page (each item's author) and its suggested accounts, uniformly over the slots
        it can follow (not itself, not followed yet): an author with more items on the page is
        likelier.

        Examples
        --------
        >>> _rule_class()(follow=0.5).rates["follow"]
        0.5
        """

        __name__ = "paradox_rule"

        def __call__(self, ctx: Any) -> dict[str, Any]:
            out = super().__call__(ctx)
            action, user = out["action"], out["user"]
            sel = np.flatnonzero(action == "follow")
            if not len(sel):
                return out
            env, me = ctx.env, ctx.positions[sel]
            page = env.page(ctx.ids[sel])
            p = env.posts
            cand = np.where(page >= 0, p.author[p.source[np.maximum(page, 0)]], -1) \
                if len(p) else np.full(page.shape, -1)
            if env.people:
                sug = env.suggested(ctx.ids[sel])
                pos = np.full(sug.shape, -1, dtype=np.int64)
                pos[sug >= 0] = ctx.agents.positions(sug[sug >= 0])
                cand = np.concatenate([cand, pos], axis=1)
            rows = np.repeat(me, cand.shape[1])
            ok = (cand >= 0) & (cand != me[:, None])
            ok &= ~env.follows.contains(rows, np.maximum(cand, 0).ravel()).reshape(cand.shape)
            m = ok.sum(axis=1)
            j = (np.cumsum(ok, axis=1) <= (ctx.rng.random(len(sel)) * m)[:, None]).sum(axis=1)
            j = np.minimum(j, cand.shape[1] - 1)
            got = cand[np.arange(len(sel)), j]
            has = m > 0
            user[sel[has]] = env._ids[got[has]].tolist()
            user[sel[~has]] = None
            action[sel[~has]] = "do_nothing"
            return out

    return ParadoxRule


def __getattr__(name: str) -> Any:
    if name == "ParadoxRule":
        return _rule_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def paradox_rule(**rates: float) -> Any:
    """The rule comparator: a :class:`socialkit.env.FeedRule` with the scenario's rates (post
    0.2, comment 0.05, repost 0.05, like 0.35, follow 0.15, unfollow 0.03; ``rates``
    override them) and the agents' ``interest``, whose follows go to the author of an item on
    its page or a suggested account (``socialkit.scenarios.paradox.ParadoxRule``).

    Examples
    --------
    >>> paradox_rule(follow=0.3).fn.rates["follow"]
    0.3
    """
    from socialkit.agents import RulePolicy

    return RulePolicy(_rule_class()(**{**_RULE, **rates, "interest": "interest"}),
                      name="paradox_rule")


@model(Param("agents", int, 100, low=2, doc="users (socialkit's default; the paper cloned "
             "users of its Twitter data sets)"),
       Param("steps", int, 20, low=1, doc="rounds of the platform"),
       Param("page", int, 5, low=1, doc="posts recommended per round"),
       Param("people", int, 3, low=0, doc="accounts suggested per round (who to follow)"),
       Param("who_to_follow", str, "fof", choices=["fof", "popular", "similar", "random"],
             doc="how accounts are suggested"),
       Param("recommender", str, "interest", choices=["interest", "hot", "random", "cf",
                                                      "chronological"],
             doc="how posts are ranked"),
       Param("items", int, 2, low=0, doc="posts per topic on the platform at the start"))
def friendship_paradox_feed(population=None, model=None, *, agents: int = 100, steps: int = 20,
                            page: int = 5, people: int = 3, who_to_follow: str = "fof",
                            recommender: str = "interest", items: int = 2,
                            topics: Sequence[str] | None = None, embedding: Any = None,
                            max_words: int = 30, seed: int = 0, **run_options) -> Any:
    """Agents with interests form a follow network through a recommender (the GABM
    friendship-paradox study, Orlando et al. 2025): each active round an agent sees a page of
    posts and suggested accounts and posts, likes, reposts, comments, follows, unfollows or
    scrolls on. Nobody follows anyone at the start.

    Each agent is active in a round with its ``activity`` rate. LLM agents read their page and
    choose from the menu (one call per active agent-round); :func:`paradox_rule` is the rule
    comparator. :func:`paradox_by_step` measures the paradoxes on the formed network.

    Parameters
    ----------
    population : Population, optional
        With ``interest`` (a topic name), ``profile`` (text) and ``activity`` (rates) columns
        (default: :func:`paradox_population`).
    model : backend, optional
    topics : list of str, optional
        Default :data:`socialkit.scenarios.COCOON_TOPICS`.
    embedding : callable, optional
        Of the interest recommender and ``who_to_follow="similar"`` (default: the offline
        MiniLM; ``sk.memory.HashEmbedding()`` needs nothing installed).
    max_words : int
        Longest post an LLM agent writes.
    seed : int
    **run_options
        Passed to :class:`socialkit.Simulation` (``policy=paradox_rule()``, ``memory=``,
        ``group_by=``, ...).

    Returns
    -------
    Run
        Events: every post, reaction, follow and unfollow (the follow graph at any step:
        :func:`socialkit.network.follow_network`), the pages shown.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = friendship_paradox_feed(agents=30, steps=4, policy=paradox_rule(),
    ...                               embedding=sk.memory.HashEmbedding(), progress=False)
    >>> int(run.events["action"].eq("follow").sum()) > 0
    True
    """
    from socialkit.env import Feed, Interest
    from socialkit.sim import Simulation

    topics = list(topics or _topics())
    if population is None:
        population = paradox_population(agents, topics, seed)
    df = population.df
    for col in ("interest", "profile", "activity"):
        if col not in df.columns:
            raise ValueError(f"friendship_paradox_feed: the population needs a {col!r} column")
    bad = sorted(set(df["interest"]) - set(topics))
    if bad:
        raise ValueError(f"friendship_paradox_feed: interests {bad[:3]} are not among the "
                         f"topics {topics}")
    ids = df["agent"].to_numpy()
    rng = np.random.default_rng([int(seed), 2502])
    authors = rng.choice(ids, size=items * len(topics)) if items else ids[:0]
    seeds = pd.DataFrame({"author": authors,
                          "topic": [t for t in topics for _ in range(items)],
                          "text": [f"What do you think about {t}?" for t in topics
                                   for _ in range(items)]}) if items else None
    rec = Interest(alpha=0.5) if recommender == "interest" else recommender
    feed = Feed(None, recommender=rec, page=page, people=people, who_to_follow=who_to_follow,
                topics=topics, profile="profile", embedding=embedding, comments=1,
                actions=_ACTIONS, seed_posts=seeds, max_words=max_words)
    run_options.setdefault("policy", None)
    if run_options["policy"] is None:
        from socialkit.agents import LLMPolicy

        run_options["policy"] = LLMPolicy(persona=PARADOX_TEMPLATE, memories=0)
    params = {"agents": len(ids), "steps": steps, "page": page, "people": people,
              "who_to_follow": who_to_follow, "recommender": recommender, "items": items,
              "topics": topics, "seed": seed}
    sim = Simulation(population, env=feed, model=model, activation="activity", seed=seed,
                     name="friendship_paradox_feed", params=params, **run_options)
    return sim.run(steps)


def _topics() -> list[str]:
    from socialkit.scenarios.cocoons import COCOON_TOPICS

    return list(COCOON_TOPICS)


def paradox_by_step(run: Any, steps: Sequence[int] | int | None = None, *,
                    attributes: Sequence[str] | None = None, neighbours: str = "followees",
                    ci: float | None = 0.95, n_boot: int = 500, null: int = 50,
                    strength: str | None = "weight", split: float | None = None,
                    seed: int | None = 0) -> pd.DataFrame:
    """The friendship paradoxes of a feed run's follow graph at each of ``steps`` (default:
    the last): :func:`socialkit.network.follow_paradox` of
    :func:`socialkit.network.follow_network`, one table with a ``step`` column and the tie
    strength ``split`` between weak and strong (arcs with at most that many interactions are
    weak). A step without any follow gives rows with ``arcs`` 0 and missing shares.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = friendship_paradox_feed(agents=30, steps=4, policy=paradox_rule(follow=0.3),
    ...                               embedding=sk.memory.HashEmbedding(), progress=False)
    >>> t = paradox_by_step(run, [0, 4], ci=None, null=0)
    >>> t.groupby("step")["arcs"].max().gt(0).tolist()
    [False, True]
    """
    from socialkit.network import follow_network, follow_paradox
    from socialkit.network.follow import ATTRIBUTES

    last = int(run.events["step"].max()) if len(run.events) else 0
    if steps is None:
        steps = [last]
    elif isinstance(steps, int | np.integer) and not isinstance(steps, bool):
        steps = [int(steps)]
    steps = list(steps)
    bad = [s for s in steps if isinstance(s, bool) or not isinstance(s, int | np.integer)
           or not 0 <= s <= last]
    if bad:
        raise ValueError(f"paradox_by_step: steps must be integers in 0..{last}, got {bad}")
    attributes = list(ATTRIBUTES if attributes is None else attributes)
    frames = []
    import warnings

    for s in steps:
        F = follow_network(run, step=int(s))
        if F.number_of_edges() == 0:
            t = pd.DataFrame({"attribute": attributes, "stratum": "all", "arcs": 0,
                              "agents": 0})
        else:
            with warnings.catch_warnings():  # a stratum without arcs: empty null samples
                warnings.simplefilter("ignore", RuntimeWarning)
                fp = follow_paradox(F, attributes, neighbours=neighbours, ci=ci, n_boot=n_boot,
                                    null=null, strength=strength, split=split, seed=seed)
            t = fp.table.assign(split=fp.split)
        frames.append(t.assign(step=int(s)))
    out = pd.concat(frames, ignore_index=True)
    return out[["step", *[c for c in out.columns if c != "step"]]]


def higgs_paradox(n: int | None = None, *, ci: float | None = None, n_boot: int = 100,
                  null: int = 10, seed: int | None = 0) -> pd.DataFrame:
    """The friendship paradoxes of the real Higgs Twitter retweet network (De Domenico et al.
    2013), for comparison with a simulated follow network: a user "follows" the accounts it
    retweeted (the data set's follower graph is not included); ``followers`` are its
    retweeters, ``posts`` (activity) its retweets made, ``likes_received`` (influence) the
    retweets it received, and an arc's ``weight`` (tie strength) the retweets along it.

    Parameters
    ----------
    n : int, optional
        Users of a :func:`socialkit.datasets.higgs_sample` (default: the whole network, 256,491
        users).
    ci, n_boot, null, seed
        As :func:`socialkit.network.follow_paradox`. On the whole network the shares are
        exact to about 0.001 without intervals (ci=None, a few seconds); a node bootstrap of
        228,556 agents costs about 2 s per 100 replicates and attribute-stratum on two cores.

    Examples
    --------
    >>> t = higgs_paradox(60, ci=None, null=0)
    >>> t[t["stratum"] == "all"]["attribute"].tolist()
    ['followers', 'followees', 'posts', 'likes_received']
    """
    from socialkit.datasets import higgs_sample, load
    from socialkit.network import follow_paradox
    from socialkit.network.follow import ATTRIBUTES

    rt = load("higgs_retweets")
    made = rt["user"].value_counts().to_dict()
    got = rt["author"].value_counts().to_dict()
    if n is None:
        G = load("higgs_retweet_network")
        users = {v: v for v in G.nodes()}
    else:
        G, people = higgs_sample(n, seeds=5, seed=0)
        users = dict(zip(people["agent"].tolist(), people["user"].tolist(), strict=True))
    for v, d in G.nodes(data=True):
        u = users[v]
        d["posts"] = int(made.get(u, 0))
        d["likes_received"] = int(got.get(u, 0))
    t = follow_paradox(G, ATTRIBUTES, ci=ci, n_boot=n_boot, null=null, strength="weight",
                       seed=seed).table
    return t.assign(network="Higgs retweets" + ("" if n is None else f" (sample of {n})"))
