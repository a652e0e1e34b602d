"""Information cocoons: how the recommender narrows what agents see and like.

RecAgent (Wang et al. 2023, "User Behavior Simulation with Large Language Model based
Agents", arXiv:2306.02552) simulated users of a recommender system and reproduced the
*information cocoon*: with a personalised recommender the variety of what users are shown
shrinks over the rounds; injecting random items into every list (its ``rec_random_k``) widens
it again. Here agents with interests use a feed whose recommender is random, interest-based
(embedding similarity of profile and history) or collaborative filtering, with or without
``inject`` random items per page; :func:`diversity` measures the topic entropy of what each
agent saw and liked, step by step.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["cocoons", "diversity", "COCOON_TOPICS", "cocoon_population", "COCOON_TEMPLATE"]

COCOON_TOPICS = ["football", "cooking", "politics", "science", "music", "movies", "travel",
                 "technology"]
_ANGLES = ["news about {}", "my favourite thing about {}", "a question about {}",
           "a photo story about {}", "an opinion on {}", "a beginner's guide to {}",
           "ten facts about {}", "a debate about {}", "the best of {} this week",
           "what everyone gets wrong about {}", "a short video on {}", "a podcast on {}"]
COCOON_TEMPLATE = """\
[social identity]
I use a social media app every day. I like $profile
"""


def cocoon_population(agents: int, topics: list[str], seed: int = 0) -> Any:
    """Agents with two interests each (drawn with ``seed``): ``interest`` (the main one),
    ``second`` and ``profile`` ("football and music.").

    Examples
    --------
    >>> pop = cocoon_population(3, COCOON_TOPICS, seed=1)
    >>> list(pop.df.columns)
    ['agent', 'weight', 'interest', 'second', 'profile']
    """
    from socialkit.population import Population

    rng = np.random.default_rng([int(seed), 2023])
    pick = np.array([rng.choice(len(topics), size=2, replace=False) for _ in range(agents)])
    first = [topics[i] for i in pick[:, 0]]
    second = [topics[i] for i in pick[:, 1]]
    return Population(pd.DataFrame({"agent": np.arange(agents), "weight": 1.0,
                                    "interest": first, "second": second,
                                    "profile": [f"{a} and {b}." for a, b in
                                                zip(first, second, strict=True)]}))


@model(Param("agents", int, 50, low=2, doc="users (RecAgent's demo: up to 1,000)"),
       Param("steps", int, 10, low=1, doc="recommendation rounds"),
       Param("page", int, 5, low=1, doc="items recommended per round"),
       Param("inject", int, 0, low=0, doc="random items per page (RecAgent's rec_random_k)"),
       Param("recommender", str, "interest", choices=["random", "interest", "cf", "hot"],
             doc="how pages are ranked"),
       Param("items", int, 12, low=1, doc="catalogue items per topic at the start"))
def cocoons(population=None, model=None, *, agents: int = 50, steps: int = 10, page: int = 5,
            inject: int = 0, recommender: str = "interest", items: int = 12,
            topics: list[str] | None = None, embedding: Any = None, max_words: int = 30,
            seed: int = 0, **run_options) -> Any:
    """Information cocoons under a recommender (RecAgent): agents with interests like, post or
    scroll on; pages come from ``recommender`` with ``inject`` random items.

    Parameters
    ----------
    population : Population, optional
        With an ``interest`` column (a topic name) and a ``profile`` text (default:
        :func:`cocoon_population`).
    model : backend, optional
    topics : list of str, optional
        Default :data:`COCOON_TOPICS`.
    embedding : callable, optional
        Of the interest recommender (default: the offline MiniLM;
        ``sk.memory.HashEmbedding()`` needs nothing installed).
    max_words : int
        Longest post an LLM agent writes.
    seed : int
    **run_options
        Passed to :class:`socialkit.Simulation`; rule users:
        ``policy=sk.env.feed_rule(like=0.6, post=0.1, interest="interest")``.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = cocoons(agents=20, steps=2, recommender="random", items=3,
    ...               policy=sk.env.feed_rule(like=0.6, post=0.1, comment=0.0, repost=0.0,
    ...                                       follow=0.0, interest="interest"),
    ...               progress=False)
    >>> sorted(diversity(run)["what"].unique())
    ['liked', 'seen']
    """
    from socialkit.env import Feed, Interest
    from socialkit.sim import Simulation

    topics = list(topics or COCOON_TOPICS)
    if inject > page:
        raise ValueError(f"cocoons: inject={inject} exceeds page={page}")
    if population is None:
        population = cocoon_population(agents, topics, seed)
    df = population.df
    for col in ("interest", "profile"):
        if col not in df.columns:
            raise ValueError(f"cocoons: the population needs a {col!r} column")
    ids = df["agent"].to_numpy()
    rows = [(t, a.format(t)) for t in topics for a in (_ANGLES * (items // len(_ANGLES) + 1))
            [:items]]
    seeds = pd.DataFrame({"author": [ids[i % len(ids)] for i in range(len(rows))],
                          "topic": [t for t, _ in rows],
                          "text": [f"Post: {x}." for _, x in rows]})
    rec = Interest(alpha=0.3) if recommender == "interest" else recommender
    feed = Feed(None, recommender=rec, page=page, inject=inject, topics=topics,
                profile="profile", embedding=embedding, comments=0,
                actions=["like", "post", "do_nothing"], seed_posts=seeds, log_graph=False,
                max_words=max_words)
    run_options.setdefault("policy", None)
    if run_options["policy"] is None:
        from socialkit.agents import LLMPolicy

        run_options["policy"] = LLMPolicy(persona=COCOON_TEMPLATE, memories=0)
    params = {"agents": len(ids), "steps": steps, "page": page, "inject": inject,
              "recommender": recommender, "items": items, "topics": topics, "seed": seed}
    sim = Simulation(population, env=feed, model=model, seed=seed, name="cocoons",
                     params=params, **run_options)
    return sim.run(steps)


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def diversity(run: Any, *, window: int | None = 3) -> pd.DataFrame:
    """Topic diversity of what agents saw and liked, by step: the mean over agents of the
    Shannon entropy (bits) of the topics of the items on their pages (``seen``) and of those
    they liked (``liked``), and the mean number of ``distinct`` topics, pooling each agent's
    last ``window`` steps (an agent likes at most one item a step; None: all steps so far).

    Examples
    --------
    >>> import socialkit as sk
    >>> ev = pd.DataFrame({"step": [0, 0, 1], "agent": [9, 9, 1], "action": ["post", "post",
    ...                    "feed"], "target": -1, "text": None, "data": [
    ...     '{"depth": 0, "kind": "post", "parent": -1, "post": 0, "root": 0, "topic": 0}',
    ...     '{"depth": 0, "kind": "post", "parent": -1, "post": 1, "root": 1, "topic": 1}',
    ...     '{"injected": [], "posts": [0, 1]}']})
    >>> run = sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]), ev)
    >>> diversity(run)[["step", "what", "entropy", "distinct"]].values.tolist()
    [[1, 'seen', 1.0, 2.0]]
    """
    from socialkit.env import exposures, items

    it = items(run)
    topic = dict(zip(it["post"].tolist(), it["topic"].tolist(), strict=True))
    ex = exposures(run)
    seen = pd.DataFrame({"step": ex["step"], "agent": ex["agent"],
                         "topic": ex["post"].map(topic)})
    ev = run.events
    lk = ev[ev["action"] == "like"]
    liked = pd.DataFrame({"step": lk["step"].to_numpy(), "agent": lk["agent"].to_numpy(),
                          "topic": [topic.get(json.loads(d)["post"]) for d in lk["data"]]})
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                               or window < 1):
        raise ValueError(f"diversity window must be a positive integer or None, got {window!r}")
    rows = []
    for what, tab in (("seen", seen), ("liked", liked)):
        tab = tab[tab["topic"].notna() & (tab["topic"] >= 0)]
        for s in sorted(tab["step"].unique().tolist()):
            lo = -np.inf if window is None else s - window
            cur = tab[(tab["step"] <= s) & (tab["step"] > lo)]
            per = cur.groupby("agent")["topic"]
            ent = per.apply(lambda x: _entropy(np.bincount(x.astype(int).to_numpy())))
            rows.append({"step": int(s), "what": what, "entropy": float(ent.mean()),
                         "distinct": float(per.nunique().mean()), "agents": int(len(ent))})
    return pd.DataFrame(rows, columns=["step", "what", "entropy", "distinct", "agents"])
