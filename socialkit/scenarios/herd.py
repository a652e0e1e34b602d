"""Herd effects in voting on comments: a randomised experiment on a simulated forum.

Muchnik, Aral & Taylor (2013), "Social Influence Bias: A Randomized Experiment", Science
341(6146): on a social news site, 101,281 comments were randomly given one up-vote, one
down-vote or nothing at creation; a single up-vote raised the probability that the next vote
was positive by 32% and the comments' final mean score by 25%, while down-votes were corrected
by the community. OASIS (Yang et al. 2024, arXiv:2411.11581) replicated the design with LLM
agents on its Reddit-like platform. Here the comments are seeded posts, the manipulation is a
vote cast by no agent at step 0 (``Feed(seed_votes=...)``), and agents see random pages with
the current like and dislike counts.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["herd_effect", "herd_summary", "HerdRule", "HERD_COMMENTS", "HERD_TEMPLATE"]

HERD_TEMPLATE = """\
[social identity]
I am a reader of an online news forum. I am $age years old and $PID.
[life context]
Today's story on the forum: the city council will vote on moving money from road repairs to
public transport.
"""

HERD_COMMENTS = [
    "Buses in my area are always late, so better service would help a lot.",
    "Roads first. Potholes damage cars and cost us all money.",
    "Interesting idea, but where are the numbers on ridership?",
    "I ride the train every day and it is already overcrowded.",
    "This is just another plan to make driving harder.",
    "Good public transport helps people who cannot afford a car.",
    "The council never finishes what it starts. I doubt this will change anything.",
    "Fixing roads helps buses too, they use the same streets.",
    "More trains would mean less traffic for the people who still drive.",
    "I would like to see a public vote on this, not just the council.",
    "My street has not been repaired in ten years.",
    "Cities that invested in transit saw their downtowns come back.",
    "Honestly I do not care much either way.",
    "The article leaves out how much the plan actually costs.",
    "Bike lanes should be part of this too.",
    "Older people in my neighbourhood depend on the bus.",
    "Road repair contracts are full of waste, moving the money makes sense.",
    "Transit projects always go over budget.",
    "Why not raise parking fees instead of cutting repairs?",
    "Night buses would make a real difference for shift workers.",
    "We tried this ten years ago and it failed.",
    "Clean air matters, fewer cars would help my kids' asthma.",
    "Rural residents get nothing from this plan.",
    "Let us wait for the full report before deciding.",
]
"""Comments on a local-politics story (written for socialkit), the items voted on."""


class HerdRule:
    """A rule voter: each active step it reads one random item of its page; it likes it with
    probability ``like + herd * s`` and dislikes it with ``dislike - herd * s`` (clipped), where
    ``s`` is the item's shown score (likes - dislikes). ``herd=0`` is a population without herd
    behaviour (the null the experiment must not reject); ``herd > 0`` herds.

    Examples
    --------
    >>> HerdRule(herd=0.1).spec()
    {'like': 0.3, 'dislike': 0.15, 'herd': 0.1}
    """

    __name__ = "herd_rule"

    def __init__(self, like: float = 0.3, dislike: float = 0.15, herd: float = 0.0):
        for k, v in (("like", like), ("dislike", dislike)):
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                raise ValueError(f"HerdRule {k} must be a probability, got {v!r}")
        if like + dislike > 1:
            raise ValueError("HerdRule like + dislike must be at most 1")
        if isinstance(herd, bool) or not isinstance(herd, int | float):
            raise TypeError(f"HerdRule herd must be a number, got {herd!r}")
        self.like, self.dislike, self.herd = float(like), float(dislike), float(herd)

    def spec(self) -> dict:
        return {"like": self.like, "dislike": self.dislike, "herd": self.herd}

    def __call__(self, ctx: Any) -> dict:
        env, rng, n = ctx.env, ctx.rng, len(ctx.ids)
        page = env.page(ctx.ids)
        valid = page >= 0
        k = valid.sum(axis=1)
        pick = np.minimum((rng.random(n) * k).astype(np.int64), np.maximum(k - 1, 0))
        item = page[np.arange(n), pick]
        p = env.posts
        src = p.source[np.maximum(item, 0)]
        score = p.likes[src].astype(np.float64) - p.dislikes[src]
        pl = np.clip(self.like + self.herd * score, 0, 1)
        pd_ = np.clip(self.dislike - self.herd * score, 0, 1 - pl)
        u = rng.random(n)
        me = ctx.positions
        ok = (k > 0) & (p.author[src] != me) & ~env.likes.contains(me, src) & \
            ~env.dislikes.contains(me, src)
        action = np.full(n, "do_nothing", dtype=object)
        action[ok & (u < pl)] = "like"
        action[ok & (u >= pl) & (u < pl + pd_)] = "dislike"
        post_id = np.full(n, None, dtype=object)
        acts = action != "do_nothing"
        post_id[acts] = item[acts].tolist()
        return {"action": action, "post_id": post_id}


@model(Param("agents", int, 40, low=2, doc="voters (ANES 1996 respondents as personas)"),
       Param("posts", int, 24, low=3, doc="comments voted on (Muchnik et al.: 101,281)"),
       Param("steps", int, 5, low=1, doc="voting rounds"),
       Param("page", int, 4, low=1, doc="comments shown per page (random order)"),
       Param("up", float, 1 / 3, low=0, high=1, doc="share of comments given an up-vote"),
       Param("down", float, 1 / 3, low=0, high=1, doc="share given a down-vote"))
def herd_effect(population=None, model=None, *, agents: int = 40, posts: int = 24,
                steps: int = 5, page: int = 4, up: float = 1 / 3, down: float = 1 / 3,
                comments: list[str] | None = None, seed: int = 0, **run_options) -> Any:
    """The herd-effect experiment (Muchnik et al. 2013; OASIS's replication): comments
    randomly up-voted, down-voted or left alone at creation, then voted on by agents who see
    their current scores; :func:`herd_summary` estimates the effects with intervals.

    Parameters
    ----------
    population : Population, optional
        Voters (default: ``agents`` ANES 1996 respondents, personas from :data:`HERD_TEMPLATE`).
        The comments are written by the first ``posts`` agents (cycling).
    model : backend, optional
    comments : list of str, optional
        Comment texts (default :data:`HERD_COMMENTS`, cycled).
    seed : int
        The run's seed; the treatment assignment follows it too.
    **run_options
        Passed to :class:`socialkit.Simulation` (``policy=sk.agents.RulePolicy(HerdRule())``
        for rule voters).

    Examples
    --------
    >>> import socialkit as sk
    >>> run = herd_effect(agents=30, posts=9, steps=2,
    ...                   policy=sk.agents.RulePolicy(HerdRule()), progress=False)
    >>> herd_summary(run, n_boot=50)["treatment"].tolist()
    ['up', 'down', 'control']
    """
    from socialkit.env import Feed
    from socialkit.sim import Simulation

    if up + down > 1:
        raise ValueError(f"herd_effect: up + down = {up + down:.3g} exceeds 1")
    if population is None:
        from socialkit.datasets import load
        from socialkit.population import Population

        survey = load("anes1996").sample(agents, random_state=seed)
        population = Population.from_survey(survey, codebook="anes1996")
    ids = population.df["agent"].to_numpy()
    texts = list(comments or HERD_COMMENTS)
    if not texts:
        raise ValueError("herd_effect: comments must not be empty")
    rng = np.random.default_rng([int(seed), 1013])  # the assignment, apart from the run's draws
    order = rng.permutation(posts)
    n_up, n_down = int(round(up * posts)), int(round(down * posts))
    treat = np.full(posts, "control", dtype=object)
    treat[order[:n_up]] = "up"
    treat[order[n_up:n_up + n_down]] = "down"
    seeds = pd.DataFrame({"author": [ids[i % len(ids)] for i in range(posts)],
                          "text": [texts[i % len(texts)] for i in range(posts)]})
    votes = pd.DataFrame({"post": np.flatnonzero(treat != "control"),
                          "vote": ["like" if t == "up" else "dislike"
                                   for t in treat[treat != "control"]]})
    feed = Feed(None, recommender="random", page=page, comments=0,
                actions=["like", "dislike", "do_nothing"], seed_posts=seeds,
                seed_votes=votes, log_graph=False,
                prompt="You are reading the comments under the story. What do you do now?")
    run_options.setdefault("policy", None)
    if run_options["policy"] is None:
        from socialkit.agents import LLMPolicy

        run_options["policy"] = LLMPolicy(persona=HERD_TEMPLATE, memories=0)
    params = {"agents": len(ids), "posts": posts, "steps": steps, "page": page, "up": up,
              "down": down, "seed": seed}
    sim = Simulation(population, env=feed, model=model, seed=seed, name="herd_effect",
                     params=params, **run_options)
    return sim.run(steps)


def _per_post(run: Any) -> pd.DataFrame:
    ev = run.events
    votes = ev[ev["action"].isin(["like", "dislike"])]
    data = [json.loads(d) for d in votes["data"]]
    v = pd.DataFrame({"step": votes["step"].to_numpy(), "post": [d["post"] for d in data],
                      "sign": np.where(votes["action"] == "like", 1, -1),
                      "manipulated": [bool(d.get("manipulated")) for d in data]})
    n_posts = int(run.params["posts"])
    treat = pd.Series("control", index=range(n_posts), dtype=object)
    m = v[v["manipulated"]]
    treat[m["post"].to_numpy()] = np.where(m["sign"] > 0, "up", "down")
    organic = v[~v["manipulated"]]
    first = organic.groupby("post")["sign"].first()
    out = pd.DataFrame({"post": range(n_posts), "treatment": treat.to_numpy()})
    out["first_vote"] = first.reindex(out["post"]).to_numpy()
    out["organic_score"] = organic.groupby("post")["sign"].sum().reindex(
        out["post"]).fillna(0).to_numpy()
    out["votes"] = organic.groupby("post").size().reindex(out["post"]).fillna(0).to_numpy()
    out["final_score"] = out["organic_score"] + m.groupby("post")["sign"].sum().reindex(
        out["post"]).fillna(0).to_numpy()
    return out


def herd_summary(run: Any, *, n_boot: int = 2000, ci: float = 0.95, seed: int = 0
                 ) -> pd.DataFrame:
    """Effects of the manipulation, per treatment: ``posts``, ``voted`` (posts with an
    organic vote), ``p_positive`` (share of first organic votes that were likes, Muchnik's
    "next rating"), ``mean_score`` (final score including the manipulated vote),
    ``mean_organic`` (the agents' votes only), and against control: ``p_positive_ratio`` (x 100
    - 100 = Muchnik's +32%), ``score_diff`` (final score difference, the manipulated vote
    included) and ``organic_diff`` (without it: what the agents did, 0 without herding), each
    with a percentile bootstrap interval over posts.

    Examples
    --------
    >>> import socialkit as sk
    >>> run = herd_effect(agents=20, posts=6, steps=1,
    ...                   policy=sk.agents.RulePolicy(HerdRule()), progress=False)
    >>> list(herd_summary(run, n_boot=20).columns)[:4]
    ['treatment', 'posts', 'voted', 'p_positive']
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 10:
        raise ValueError(f"herd_summary n_boot must be an integer >= 10, got {n_boot!r}")
    if not 0 < ci < 1:
        raise ValueError(f"herd_summary ci must be in (0, 1), got {ci!r}")
    per = _per_post(run)
    rng = np.random.default_rng(seed)
    groups = {t: per[per["treatment"] == t] for t in ("up", "down", "control")}

    def stats(g: pd.DataFrame) -> tuple[float, float, float]:
        fv = g["first_vote"].dropna()
        return (float((fv > 0).mean()) if len(fv) else np.nan,
                float(g["final_score"].mean()) if len(g) else np.nan,
                float(g["organic_score"].mean()) if len(g) else np.nan)

    base = stats(groups["control"])
    boots = {t: [] for t in groups}
    for _ in range(n_boot):
        for t, g in groups.items():
            boots[t].append(stats(g.iloc[rng.integers(0, len(g), len(g))]) if len(g) else
                            (np.nan, np.nan, np.nan))
    lo, hi = (1 - ci) / 2, (1 + ci) / 2
    rows = []
    cb = np.asarray(boots["control"], dtype=np.float64)
    for t, g in groups.items():
        p, s, o = stats(g)
        b = np.asarray(boots[t], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = b[:, 0] / cb[:, 0]
            diff = b[:, 1] - cb[:, 1]
            odiff = b[:, 2] - cb[:, 2]
        row = {"treatment": t, "posts": len(g), "voted": int(g["first_vote"].notna().sum()),
               "p_positive": p, "mean_score": s, "mean_organic": o,
               "p_positive_ratio": p / base[0] if base[0] else np.nan,
               "ratio_low": np.nan, "ratio_high": np.nan,
               "score_diff": s - base[1], "diff_low": np.nan, "diff_high": np.nan,
               "organic_diff": o - base[2], "organic_low": np.nan, "organic_high": np.nan}
        if t != "control":
            if np.isfinite(ratio).any():
                row["ratio_low"], row["ratio_high"] = np.nanquantile(ratio[np.isfinite(ratio)],
                                                                     [lo, hi])
            for key, x in (("diff", diff), ("organic", odiff)):
                if np.isfinite(x).any():
                    row[f"{key}_low"], row[f"{key}_high"] = np.nanquantile(
                        x[np.isfinite(x)], [lo, hi])
        rows.append(row)
    return pd.DataFrame(rows)
