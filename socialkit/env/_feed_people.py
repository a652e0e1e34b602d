"""Who a feed suggests following: popular accounts, friends of friends, random or similar ones."""

from __future__ import annotations

import numpy as np

from socialkit.env._feed_store import ranges, topk

__all__ = ["who_to_follow"]


def who_to_follow(feed, viewers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Suggested accounts (agent positions, -1 for none) for each viewer: ``feed.people`` of
    them by ``feed.who_to_follow``, never the viewer nor accounts it follows; accounts with
    equal scores are ordered at random (with the run's generator), not by position."""
    k, n = feed.people, feed.n_agents
    fn = feed.who_to_follow
    if callable(fn):
        out = np.asarray(fn(feed, viewers, k, rng), dtype=np.int64)
        if out.shape != (len(viewers), k):
            raise ValueError(f"who_to_follow returned shape {out.shape}; expected "
                             f"({len(viewers)}, {k})")
        return out
    followers = np.bincount(feed.follows.second(), minlength=n).astype(np.float64)
    if fn != "random":  # a random order among equal scores (by position, the first agents of
        label = rng.permutation(n)  # the population would be suggested to everyone)
    # candidates: everyone, scored; drop feed and those already followed
    if fn == "random":
        score = rng.random((len(viewers), n)) if len(viewers) * n <= 4_000_000 else None
        if score is None:
            cand = rng.integers(0, n, size=(len(viewers), 2 * k + 8))
            rows = np.repeat(np.arange(len(viewers)), cand.shape[1])
            sc = -np.tile(np.arange(cand.shape[1]), len(viewers)).astype(np.float64)
            return _people_topk(feed, viewers, rows, cand.ravel(), sc, k)
        rows, cols = np.nonzero(np.ones_like(score, dtype=bool))
        return _people_topk(feed, viewers, rows, cols, score.ravel(), k)
    top = np.lexsort((-label, -followers))[:k + 64]  # (topk prefers the larger label too)
    pop_rows = np.repeat(np.arange(len(viewers)), len(top))
    pop_c = np.tile(top, len(viewers))
    pop_s = np.tile(followers[top] / (followers.max() + 1.0), len(viewers))
    if fn == "popular":
        return _people_topk(feed, viewers, pop_rows, pop_c, pop_s, k, label=label)
    if fn == "similar":
        prof = feed.profile_vectors()
        sims = prof[viewers] @ prof.T
        rows, cols = np.nonzero(np.ones_like(sims, dtype=bool))
        return _people_topk(feed, viewers, rows, cols, sims.ravel(), k, label=label)
    # friends of friends: followees of followees, by how many of one's followees follow them
    s, e = feed.follows.row(viewers)
    o1, i1 = ranges(s, e)
    mid = feed.follows.second(i1)
    s2, e2 = feed.follows.row(mid)
    o2, i2 = ranges(s2, e2)
    rows = o1[o2]
    cand = feed.follows.second(i2)
    return _people_topk(feed, viewers, np.concatenate([rows, pop_rows]),
                             np.concatenate([cand, pop_c]),
                             np.concatenate([np.ones(len(rows)) * 1.0, pop_s * 0.5]), k,
                             add=True, label=label)

def _people_topk(feed, viewers, rows, cand, score, k, add=False, label=None) -> np.ndarray:
    """The ``k`` best candidates per viewer; ``label``: a permutation of the agents whose
    order breaks ties (topk prefers the larger id among equals)."""
    cand = np.asarray(cand, dtype=np.int64)
    ok = (cand != viewers[rows]) & ~feed.follows.contains(viewers[rows], cand)
    rows, cand, score = rows[ok], cand[ok], np.asarray(score, dtype=np.float64)[ok]
    if add and len(rows):  # sum the scores of repeated (viewer, candidate) pairs
        key = rows.astype(np.int64) * np.int64(2 ** 32) + cand
        uk, inv = np.unique(key, return_inverse=True, sorted=True)
        score = np.bincount(inv, weights=score)
        rows, cand = uk // np.int64(2 ** 32), uk % np.int64(2 ** 32)
    if label is None:
        return topk(rows, cand, score, len(viewers), k)
    out = topk(rows, label[cand], score, len(viewers), k)  # ties by the random labels
    back = np.argsort(label)
    out[out >= 0] = back[out[out >= 0]]
    return out
