"""Rule agents of a feed (vectorised: a million agents' decisions in one pass) and tidy views of
what a feed holds and what agents saw."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from socialkit.env._feed_store import KINDS

__all__ = ["FeedRule", "feed_rule", "exposures", "items", "thread"]

_RATES = ("post", "comment", "repost", "quote", "like", "dislike", "follow", "unfollow")


class FeedRule:
    """A vectorised platform user: each active step, one action drawn with the given
    probabilities (the rest is ``do_nothing``); items are picked from the agent's page, those
    on its ``interest`` topic ``match`` times as likely, never its own or ones it already
    reacted to or shared; posts are on its interest topic (else a random topic); it follows
    the author of a picked item (or a suggested account) and unfollows a random followee.

    Parameters
    ----------
    post, comment, repost, quote, like, dislike, follow, unfollow : float
        Probability of each action per active step (they must sum to at most 1).
    interest : str, optional
        Population column holding each agent's favourite topic (a code or a topic name).
    match : float
        How much likelier an item on the agent's interest topic is picked.

    Examples
    --------
    >>> rule = FeedRule(post=0.2, like=0.5, interest="topic")
    >>> rule.spec()["rates"]["like"]
    0.5
    """

    __name__ = "feed_rule"

    def __init__(self, post: float = 0.1, comment: float = 0.05, repost: float = 0.05,
                 quote: float = 0.0, like: float = 0.3, dislike: float = 0.0,
                 follow: float = 0.02, unfollow: float = 0.0, interest: str | None = None,
                 match: float = 4.0):
        rates = dict(zip(_RATES, (post, comment, repost, quote, like, dislike, follow,
                                  unfollow), strict=True))
        for k, v in rates.items():
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                raise ValueError(f"FeedRule {k} must be a probability in [0, 1], got {v!r}")
        if sum(rates.values()) > 1 + 1e-12:
            raise ValueError(f"FeedRule probabilities sum to {sum(rates.values()):.3g} > 1")
        if interest is not None and not isinstance(interest, str):
            raise TypeError(f"FeedRule interest must be a population column name, got "
                            f"{interest!r}")
        if isinstance(match, bool) or not isinstance(match, int | float) or not match > 0:
            raise ValueError(f"FeedRule match must be a positive number, got {match!r}")
        self.rates, self.interest, self.match = {k: float(v) for k, v in rates.items()}, \
            interest, float(match)
        self._codes = None

    def spec(self) -> dict[str, Any]:
        return {"rates": self.rates, "interest": self.interest, "match": self.match}

    def _interests(self, env: Any, agents: Any) -> np.ndarray:
        if self._codes is None or len(self._codes) != len(agents):
            if self.interest is None:
                self._codes = np.full(len(agents), -1, dtype=np.int64)
            else:
                col = agents.population.df
                if self.interest not in col.columns:
                    raise ValueError(f"FeedRule interest={self.interest!r} is not a population "
                                     f"column")
                vals = col[self.interest].tolist()
                topics = env.topics or []
                codes = []
                for v in vals:
                    if isinstance(v, str):
                        if v not in topics:
                            raise ValueError(f"FeedRule: interest {v!r} is not one of the feed's "
                                             f"topics {topics}")
                        codes.append(topics.index(v))
                    else:
                        codes.append(int(v))
                self._codes = np.asarray(codes, dtype=np.int64)
        return self._codes

    def __call__(self, ctx: Any) -> dict[str, Any]:
        env, rng, n = ctx.env, ctx.rng, len(ctx.ids)
        me = ctx.positions
        interest = self._interests(env, ctx.agents)[me]
        names = np.array([*_RATES, "do_nothing"], dtype=object)
        cum = np.cumsum([self.rates[k] for k in _RATES])
        choice = np.searchsorted(cum, rng.random(n), side="right")
        action = names[choice]
        page = env.page(ctx.ids)
        p = env.posts
        valid = page >= 0
        safe = np.maximum(page, 0)
        content = p.source[safe] if len(p) else safe
        mine = valid & (p.author[content] == me[:, None]) if len(p) else valid
        rows = np.repeat(me, page.shape[1])
        reacted = (env.likes.contains(rows, content.ravel())
                   | env.dislikes.contains(rows, content.ravel())).reshape(page.shape)
        shared = env.shared.contains(rows, content.ravel()).reshape(page.shape)
        w = valid.astype(np.float64)
        if len(p):
            w *= np.where(p.topic[content] == interest[:, None], self.match, 1.0)
        post_id = np.full(n, None, dtype=object)
        for kinds, bad in ((("like", "dislike"), mine | reacted), (("repost",), mine | shared),
                           (("comment", "quote"), ~valid)):
            sel = np.isin(action, kinds)
            if not sel.any():
                continue
            ww = np.where(bad[sel], 0.0, w[sel])
            tot = ww.sum(axis=1)
            r = rng.random(int(sel.sum())) * tot
            j = np.minimum((np.cumsum(ww, axis=1) <= r[:, None]).sum(axis=1), ww.shape[1] - 1)
            got = page[sel][np.arange(len(j)), j]
            ok = tot > 0
            idx = np.flatnonzero(sel)
            post_id[idx[ok]] = got[ok].tolist()
            action[idx[~ok]] = "do_nothing"
        user = np.full(n, None, dtype=object)
        sel = np.flatnonzero(action == "follow")
        if len(sel):  # a suggested account, else the author of the top item
            cand = np.full(len(sel), -1, dtype=np.int64)
            if env.people:
                sug = env.suggested(ctx.ids[sel])[:, 0]
                cand[sug >= 0] = ctx.agents.positions(sug[sug >= 0])
            top = page[sel, 0]
            use = (cand < 0) & (top >= 0)
            cand[use] = p.author[top[use]]
            ok = (cand >= 0) & (cand != me[sel])
            ok[ok] = ~env.follows.contains(me[sel][ok], cand[ok])
            user[sel[ok]] = env._ids[cand[ok]].tolist()
            action[sel[~ok]] = "do_nothing"
        sel = np.flatnonzero(action == "unfollow")
        if len(sel):  # a random followee
            s, e = env.follows.row(me[sel])
            has = e > s
            j = s[has] + (rng.random(int(has.sum())) * (e - s)[has]).astype(np.int64)
            user[sel[has]] = env._ids[env.follows.second(j)].tolist()
            action[sel[~has]] = "do_nothing"
        k = len(env.topics) if env.topics else 0
        own_topic = np.where(interest >= 0, interest, rng.integers(0, k, size=n) if k else -1)
        writes = np.isin(action, ("post", "comment", "quote"))
        text = np.full(n, None, dtype=object)
        text[writes] = ""
        topic = np.full(n, None, dtype=object)
        topic[writes] = own_topic[writes].tolist()
        return {"action": action, "post_id": post_id, "user": user, "text": text,
                "topic": topic}


def feed_rule(**rates: Any):
    """A :class:`socialkit.agents.RulePolicy` of a :class:`FeedRule` with these settings.

    Examples
    --------
    >>> feed_rule(post=0.4, like=0.4).name
    'feed_rule'
    """
    from socialkit.agents import RulePolicy

    return RulePolicy(FeedRule(**rates), name="feed_rule")


def exposures(run: Any) -> pd.DataFrame:
    """What each agent saw: one row per (step, agent, item shown) from a run's ``feed`` events,
    with the item's ``rank`` on the page (0 = top) and whether it was ``injected`` at random.

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> ev = pd.DataFrame({"step": [1], "agent": [4], "action": ["feed"], "target": [-1],
    ...                    "text": [None], "data": ['{"injected": [9], "posts": [3, 9]}']})
    >>> exposures(sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]), ev))
       step  agent  post  rank  injected
    0     1      4     3     0     False
    1     1      4     9     1      True
    """
    ev = _events(run)
    ev = ev[ev["action"] == "feed"]
    rows = []
    for s, a, d in zip(ev["step"].tolist(), ev["agent"].tolist(), ev["data"].tolist(),
                       strict=True):
        obj = json.loads(d)
        inj = set(obj.get("injected", []))
        rows.extend((s, a, p, r, p in inj) for r, p in enumerate(obj["posts"]))
    return pd.DataFrame(rows, columns=["step", "agent", "post", "rank", "injected"]).astype(
        {"step": "int64", "agent": "int64", "post": "int64", "rank": "int64",
         "injected": bool})


def items(run: Any) -> pd.DataFrame:
    """Every item of a feed run as a table: ``post, step, agent`` (author), ``kind, parent,
    root, depth, topic, text`` from its creation event (seeded, injected and made by agents).

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> ev = pd.DataFrame({"step": [0], "agent": [2], "action": ["post"], "target": [-1],
    ...                    "text": ["hi"], "data": ['{"depth": 0, "kind": "post", "parent": -1, '
    ...                                             '"post": 0, "root": 0, "topic": -1}']})
    >>> items(sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]), ev)
    ...       )[["post", "agent", "kind", "parent", "root"]]
       post  agent  kind  parent  root
    0     0      2  post      -1     0
    """
    ev = _events(run)
    ev = ev[ev["action"].isin(KINDS)]
    data = [json.loads(d) for d in ev["data"].tolist()]
    out = pd.DataFrame({"post": [d["post"] for d in data], "step": ev["step"].to_numpy(),
                        "agent": ev["agent"].to_numpy(), "kind": [d["kind"] for d in data],
                        "parent": [d["parent"] for d in data], "root": [d["root"] for d in data],
                        "depth": [d["depth"] for d in data], "topic": [d["topic"] for d in data],
                        "text": ev["text"].to_numpy(dtype=object)})
    return out.sort_values("post", kind="stable").reset_index(drop=True)


def thread(run: Any, root: int, kinds: tuple[str, ...] = ("comment", "quote")) -> pd.DataFrame:
    """One discussion tree in reading order: the post ``root`` and, depth first, its replies
    (and quotes) with their replies, oldest first at each level — what a thread view shows.

    Returns
    -------
    DataFrame
        The :func:`items` columns of the tree's items plus ``likes`` and ``dislikes`` (from the
        run's reaction events), in reading order; ``depth`` gives the indentation.

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> rows = [(0, 1, "post", -1, 0, "Is the lake safe?"), (1, 2, "comment", 0, 1, "Yes."),
    ...         (2, 3, "comment", 0, 1, "No!"), (3, 1, "comment", 1, 2, "Why?")]
    >>> ev = pd.DataFrame({"step": [0, 1, 1, 2], "agent": [r[1] for r in rows],
    ...     "action": [r[2] for r in rows], "target": -1, "text": [r[5] for r in rows],
    ...     "data": [f'{{"depth": {r[4]}, "kind": "{r[2]}", "parent": {r[3]}, "post": {r[0]}, '
    ...              f'"root": 0, "topic": -1}}' for r in rows]})
    >>> run = sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]), ev)
    >>> thread(run, 0)[["post", "depth", "text"]].values.tolist()
    [[0, 0, 'Is the lake safe?'], [1, 1, 'Yes.'], [3, 2, 'Why?'], [2, 1, 'No!']]
    """
    it = items(run)
    if root not in set(it["post"].tolist()):
        raise ValueError(f"thread: no item {root!r} in the run")
    it = it[(it["root"] == it.loc[it["post"] == root, "root"].iloc[0])]
    keep = it[(it["post"] == root) | it["kind"].isin(kinds)]
    kids: dict[int, list[int]] = {}
    for post, parent in zip(keep["post"].tolist(), keep["parent"].tolist(), strict=True):
        kids.setdefault(parent, []).append(post)
    order, stack = [], [root]
    while stack:  # depth first, oldest reply first
        v = stack.pop()
        order.append(v)
        stack.extend(sorted(kids.get(v, []), reverse=True))
    ev = _events(run)
    votes = ev[ev["action"].isin(["like", "dislike"])]
    counts = pd.DataFrame({"post": [json.loads(d)["post"] for d in votes["data"]],
                           "action": votes["action"].to_numpy()})
    likes = counts[counts["action"] == "like"]["post"].value_counts()
    dislikes = counts[counts["action"] == "dislike"]["post"].value_counts()
    out = keep.set_index("post").loc[order].reset_index()
    out["depth"] = out["depth"] - int(out["depth"].iloc[0])
    out["likes"] = out["post"].map(likes).fillna(0).astype(int)
    out["dislikes"] = out["post"].map(dislikes).fillna(0).astype(int)
    return out


def _events(run: Any) -> pd.DataFrame:
    ev = getattr(run, "events", run)
    if not isinstance(ev, pd.DataFrame) or not {"step", "agent", "action", "data"} <= set(
            ev.columns):
        raise TypeError("expected a socialkit Run or its events table (step, agent, action, "
                        "data)")
    return ev
