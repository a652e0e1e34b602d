"""Recommenders of a :class:`socialkit.env.Feed`: who sees which items, vectorised over viewers.

A recommender is a callable ``fn(feed, viewers, k, rng)`` or an object with ``rank(feed,
viewers, k, rng)`` and optionally ``fit(feed)`` (called once per step before ranking) and
``spec()``. ``viewers`` are agent positions; the result is an ``(len(viewers), k)`` int64 matrix
of item ids, best first, -1 for empty slots. Randomness must come from ``rng`` (the run's
generator). The feed's own posts, follow graph, reactions and activity log are numpy arrays
(:class:`socialkit.env.Feed`), so a recommender ranks a million viewers in one pass.

Built in: :class:`Chronological` (followees' items, newest first), :class:`Hot` (Reddit's hot
score: engagement with time decay), :class:`Interest` (embedding similarity between an agent's
profile and history and the items), :class:`CollaborativeFiltering` (items liked by agents who
like what you like), :class:`RandomItems`; a feed's ``inject=k`` replaces the last ``k`` slots of
every page with random items (RecAgent's ``rec_random_k``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from socialkit.env._feed_store import ranges, topk

__all__ = ["Recommender", "Chronological", "Hot", "Interest", "CollaborativeFiltering",
           "RandomItems", "recommender", "random_pages", "merge_pages", "RECOMMENDERS"]


class Recommender:
    """Base class: ``fit(feed)`` once per step, then ``rank(feed, viewers, k, rng)``."""

    name = "recommender"

    def fit(self, feed: Any) -> None:
        """Update the model from the feed's current state (default: nothing)."""

    def rank(self, feed: Any, viewers: np.ndarray, k: int,
             rng: np.random.Generator) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def spec(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.spec().items() if k != "name")
        return f"{type(self).__name__}({args})"


def _own(feed: Any, items: np.ndarray) -> np.ndarray:
    return feed.posts.author[items]


class Chronological(Recommender):
    """The newest items of the accounts a viewer follows (their posts, quotes and reposts),
    newest first; nothing from accounts it does not follow.

    Parameters
    ----------
    window : int, optional
        Only items from the last ``window`` steps (default: all).

    Examples
    --------
    >>> Chronological(window=3).spec()
    {'name': 'chronological', 'window': 3}
    """

    name = "chronological"

    def __init__(self, window: int | None = None):
        self.window = _window(window, "Chronological")

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "window": self.window}

    def rank(self, feed, viewers, k, rng):
        pool = feed.pool(window=self.window, reposts=True)
        n = len(viewers)
        if not len(pool) or not k:
            return np.full((n, k), -1, dtype=np.int64)
        author = feed.posts.author[pool]
        order = np.lexsort((-pool, author))  # by author, newest first
        by_author, items = author[order], pool[order]
        start, end = feed.follows.row(viewers)
        owner, idx = ranges(start, end)
        followee = feed.follows.second(idx)
        a0 = np.searchsorted(by_author, followee)
        a1 = np.searchsorted(by_author, followee, side="right")
        a1 = np.minimum(a1, a0 + k)  # at most k items of each followee can make a page
        o2, j = ranges(a0, a1)
        rows = owner[o2]
        got = items[j]  # each (viewer, item) once: an item has one author, followed once
        return topk(rows, got, got.astype(np.float64), n, k, unique=False)


class Hot(Recommender):
    """Reddit's "hot" ranking, the one OASIS uses for its Reddit: ``sign(s) * log10(max(|s|,
    1)) + created / decay`` with ``s`` = likes - dislikes (+ shares and replies with
    ``engagement=True``); an item ``decay`` steps newer needs ten times the score. The same
    page for every viewer, without its own items. Pure reposts are not ranked (their content
    is).

    Parameters
    ----------
    decay : float
        Steps for a tenfold score (Reddit: 45,000 s = 12.5 hours).
    engagement : bool
        Count shares and replies in the score, not only votes.
    window : int, optional
        Only items from the last ``window`` steps.

    Examples
    --------
    >>> Hot(decay=2).spec()["decay"]
    2.0
    """

    name = "hot"

    def __init__(self, decay: float = 12.5, engagement: bool = False, window: int | None = None):
        if isinstance(decay, bool) or not isinstance(decay, int | float) or not decay > 0:
            raise ValueError(f"Hot decay must be a positive number of steps, got {decay!r}")
        if not isinstance(engagement, bool):
            raise TypeError(f"Hot engagement must be True or False, got {engagement!r}")
        self.decay, self.engagement = float(decay), engagement
        self.window = _window(window, "Hot")

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "decay": self.decay, "engagement": self.engagement,
                "window": self.window}

    def scores(self, feed, items: np.ndarray) -> np.ndarray:
        """The hot score of items."""
        p = feed.posts
        s = p.likes[items].astype(np.float64) - p.dislikes[items]
        if self.engagement:
            s += p.shares[items] + p.replies[items]
        return np.sign(s) * np.log10(np.maximum(np.abs(s), 1.0)) + p.step[items] / self.decay

    def rank(self, feed, viewers, k, rng):
        pool = feed.pool(window=self.window, reposts=False)
        return global_pages(feed, viewers, k, pool, self.scores(feed, pool))


def global_pages(feed, viewers: np.ndarray, k: int, pool: np.ndarray,
                 score: np.ndarray) -> np.ndarray:
    """One ranking for everyone (best ``score`` first, newer first on ties), each viewer's own
    items left out: an ``(len(viewers), k)`` page matrix."""
    n = len(viewers)
    if not len(pool) or not k:
        return np.full((n, k), -1, dtype=np.int64)
    order = np.lexsort((-pool, -score))
    ranked = pool[order]
    authors = _own(feed, ranked)
    m = min(len(ranked), k)
    while True:  # enough items that k remain after dropping any one viewer's own
        top_a = authors[:m]
        c = int(np.bincount(top_a - top_a.min()).max()) if m else 0
        if m - c >= k or m == len(ranked):
            break
        m = min(len(ranked), k + c)
    top, top_a = ranked[:m], authors[:m]
    ok = top_a[None, :] != np.asarray(viewers)[:, None]
    slot = np.cumsum(ok, axis=1) - 1
    out = np.full((n, k), -1, dtype=np.int64)
    r, c = np.nonzero(ok & (slot < k))
    out[r, slot[r, c]] = top[c]
    return out


class RandomItems(Recommender):
    """Items drawn uniformly at random (without repeats, never the viewer's own).

    Examples
    --------
    >>> RandomItems(window=5).spec()
    {'name': 'random', 'window': 5}
    """

    name = "random"

    def __init__(self, window: int | None = None):
        self.window = _window(window, "RandomItems")

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "window": self.window}

    def rank(self, feed, viewers, k, rng):
        return random_pages(feed, viewers, k, rng, feed.pool(window=self.window, reposts=False))


def random_pages(feed, viewers: np.ndarray, k: int, rng: np.random.Generator,
                 pool: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
    """``k`` random items of ``pool`` per viewer, none its own nor in its row of ``exclude``.

    Exact (a uniform random order of the eligible items) when viewers x pool is small; for
    large pools, 2k + 8 draws with replacement per viewer, repeats and ineligible ones dropped
    (a row may then come out short, with probability that vanishes as the pool grows)."""
    n = len(viewers)
    out = np.full((n, k), -1, dtype=np.int64)
    if not len(pool) or not k or not n:
        return out
    viewers = np.asarray(viewers)
    if n * len(pool) <= 4_000_000:
        score = rng.random((n, len(pool)))
        bad = _own(feed, pool)[None, :] == viewers[:, None]
        if exclude is not None:
            bad |= (pool[None, :, None] == exclude[:, None, :]).any(axis=2)
        score[bad] = -1.0
        take = min(k, len(pool))
        best = np.argsort(-score, axis=1, kind="stable")[:, :take]
        got = pool[best]
        got[np.take_along_axis(score, best, axis=1) < 0] = -1
        out[:, :take] = got
        return out
    m = 2 * k + 8
    draw = pool[rng.integers(0, len(pool), size=(n, m))]
    bad = _own(feed, draw) == viewers[:, None]
    if exclude is not None:
        bad |= (draw[:, :, None] == exclude[:, None, :]).any(axis=2)
    rows = np.repeat(np.arange(n), m)
    col = np.tile(np.arange(m), n).astype(np.float64)
    keep = ~bad.ravel()
    return topk(rows[keep], draw.ravel()[keep], -col[keep], n, k)


def merge_pages(first: np.ndarray, second: np.ndarray, k: int) -> np.ndarray:
    """Per row: the items of ``first`` in order, then those of ``second`` not already there,
    up to ``k`` (-1 marks empty slots)."""
    both = np.concatenate([first, second], axis=1)
    n, m = both.shape
    rows = np.repeat(np.arange(n), m)
    col = np.tile(np.arange(m), n).astype(np.float64)
    flat = both.ravel()
    keep = flat >= 0
    return topk(rows[keep], flat[keep], -col[keep], n, k)


class Interest(Recommender):
    """Items closest in meaning to what a viewer is about: cosine similarity between the
    viewer's vector, ``alpha`` x its profile's embedding + (1 - alpha) x the mean embedding of
    the items it engaged with (posted, commented, shared, liked; each weighted by
    ``0.5 ** (age / half_life)``), and each item's embedding (its text, or its topic's name).

    Embeddings come from the feed's ``embedding`` (the memory layer's offline MiniLM by
    default). Cost: viewers x ``pool`` x dimensions per step.

    Parameters
    ----------
    alpha : float
        Weight of the profile against the history (1: profile only).
    half_life : float
        Steps after which an engagement counts half.
    pool : int
        Rank only the ``pool`` newest eligible items.
    window : int, optional
        Only items from the last ``window`` steps.

    Examples
    --------
    >>> Interest(alpha=0.3).spec()["alpha"]
    0.3
    """

    name = "interest"

    def __init__(self, alpha: float = 0.5, half_life: float = 5.0, pool: int = 2000,
                 window: int | None = None):
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 <= alpha <= 1:
            raise ValueError(f"Interest alpha must be in [0, 1], got {alpha!r}")
        if isinstance(half_life, bool) or not isinstance(half_life, int | float) \
                or not half_life > 0:
            raise ValueError(f"Interest half_life must be a positive number, got {half_life!r}")
        _count(pool, "Interest pool")
        self.alpha, self.half_life, self.pool = float(alpha), float(half_life), int(pool)
        self.window = _window(window, "Interest")

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "alpha": self.alpha, "half_life": self.half_life,
                "pool": self.pool, "window": self.window}

    def viewer_vectors(self, feed, viewers: np.ndarray) -> np.ndarray:
        """Each viewer's unit vector (profile and history)."""
        prof = feed.profile_vectors()[viewers]
        log = feed.log
        d = prof.shape[1]
        hist = np.zeros((len(viewers), d), dtype=np.float32)
        if len(log):
            where = np.full(feed.n_agents, -1, dtype=np.int64)
            where[viewers] = np.arange(len(viewers))
            row = where[log.agent]
            sel = row >= 0
            if sel.any():
                w = 0.5 ** ((feed.t - log.step[sel]) / self.half_life)
                vec = feed.item_vectors(feed.posts.source[log.post[sel]])
                np.add.at(hist, row[sel], vec * w[:, None].astype(np.float32))
        hist /= np.maximum(np.linalg.norm(hist, axis=1, keepdims=True), 1e-12)
        u = self.alpha * prof + (1 - self.alpha) * hist
        missing = ~np.any(hist, axis=1)  # no history yet: the profile alone
        u[missing] = prof[missing]
        return u / np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)

    def rank(self, feed, viewers, k, rng):
        pool = feed.pool(window=self.window, reposts=False)[-self.pool:]
        n = len(viewers)
        if not len(pool) or not k:
            return np.full((n, k), -1, dtype=np.int64)
        items = feed.item_vectors(pool)
        u = self.viewer_vectors(feed, viewers)
        own = _own(feed, pool)
        out = np.empty((n, k), dtype=np.int64)
        chunk = max(1, 2_000_000 // len(pool))
        for s in range(0, n, chunk):  # viewers x pool at most 2M scores at a time
            v = np.asarray(viewers[s:s + chunk])
            sc = (u[s:s + chunk] @ items.T).astype(np.float64)
            sc[own[None, :] == v[:, None]] = -np.inf
            rows, cols = np.nonzero(np.isfinite(sc))
            out[s:s + chunk] = topk(rows, pool[cols], sc[rows, cols], len(v), k)
        return out


class CollaborativeFiltering(Recommender):
    """User-based collaborative filtering on likes: an item's score for a viewer is the sum,
    over the agents who liked it, of their cosine similarity with the viewer (shared likes over
    the geometric mean of both like counts). Items the viewer liked or wrote are left out;
    slots it cannot fill (no likes yet, no neighbours) come from ``fallback``.

    Parameters
    ----------
    fallback : str or recommender
        For viewers without enough neighbours' items (default ``"hot"``).
    window : int, optional
        Only items from the last ``window`` steps.

    Examples
    --------
    >>> CollaborativeFiltering().spec()["fallback"]["name"]
    'hot'
    """

    name = "cf"

    def __init__(self, fallback: Any = "hot", window: int | None = None):
        self.fallback = recommender(fallback)
        self.window = _window(window, "CollaborativeFiltering")
        self._R = None

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "fallback": self.fallback.spec(), "window": self.window}

    def fit(self, feed) -> None:
        import scipy.sparse as sp

        likes = feed.likes
        a, p = likes.first(), likes.second()
        self._R = sp.csr_matrix((np.ones(len(a), dtype=np.float64), (a, p)),
                                shape=(feed.n_agents, max(len(feed.posts), 1)))
        self.fallback.fit(feed)

    def rank(self, feed, viewers, k, rng):
        import scipy.sparse as sp

        if self._R is None or self._R.shape[1] < len(feed.posts):
            self.fit(feed)
        R = self._R
        n = len(viewers)
        base = self.fallback.rank(feed, viewers, k, rng)
        if not R.nnz or not k:
            return base
        deg = np.asarray(R.sum(axis=1)).ravel()
        Rv = R[viewers]
        S = (Rv @ R.T).tocoo()  # shared likes, viewer x agent
        keep = S.col != np.asarray(viewers)[S.row]  # not oneself
        w = S.data[keep] / np.sqrt(deg[np.asarray(viewers)[S.row[keep]]] * deg[S.col[keep]])
        Sim = sp.csr_matrix((w, (S.row[keep], S.col[keep])), shape=(n, feed.n_agents))
        scores = (Sim @ R).tocoo()
        pool = np.zeros(R.shape[1], dtype=bool)
        pl = feed.pool(window=self.window, reposts=False)
        pool[pl[pl < R.shape[1]]] = True
        ok = pool[scores.col] & (scores.data > 0)
        rows, cols, sc = scores.row[ok], scores.col[ok], scores.data[ok]
        ok = (_own(feed, cols) != np.asarray(viewers)[rows]) & \
            ~feed.likes.contains(np.asarray(viewers)[rows], cols)
        page = topk(rows[ok], cols[ok].astype(np.int64), sc[ok], n, k)
        return merge_pages(page, base, k)


RECOMMENDERS: dict[str, Callable[[], Recommender]] = {
    "chronological": Chronological, "hot": Hot, "interest": Interest,
    "cf": CollaborativeFiltering, "random": RandomItems}
"""Built-in recommenders by name."""


class _Function(Recommender):
    def __init__(self, fn: Callable):
        from socialkit.agents._policies import _fn_id

        self.fn, self.name = fn, getattr(fn, "__name__", "function")
        self._id = _fn_id(fn)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "fn": self._id}

    def rank(self, feed, viewers, k, rng):
        return self.fn(feed, viewers, k, rng)


def recommender(spec: Any) -> Recommender:
    """A recommender from a name (:data:`RECOMMENDERS`), an object with ``rank`` (and
    optionally ``fit``), or a function ``fn(feed, viewers, k, rng)``.

    Examples
    --------
    >>> recommender("hot").name, recommender("cf").fallback.name
    ('hot', 'hot')
    >>> recommender("latest")
    Traceback (most recent call last):
    ...
    ValueError: unknown recommender 'latest'; built in: chronological, hot, interest, cf, random
    """
    if isinstance(spec, str):
        if spec not in RECOMMENDERS:
            raise ValueError(f"unknown recommender {spec!r}; built in: "
                             + ", ".join(RECOMMENDERS))
        return RECOMMENDERS[spec]()
    if hasattr(spec, "rank") and callable(spec.rank):
        return spec
    if callable(spec):
        return _Function(spec)
    raise TypeError(f"recommender must be a name ({', '.join(RECOMMENDERS)}), an object with "
                    f"rank(feed, viewers, k, rng), or such a function; got "
                    f"{type(spec).__name__}")


def _window(window: Any, where: str) -> int | None:
    if window is None:
        return None
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"{where} window must be a positive number of steps or None, got "
                         f"{window!r}")
    return int(window)


def _count(x: Any, where: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < 1:
        raise ValueError(f"{where} must be a positive integer, got {x!r}")
    return int(x)
