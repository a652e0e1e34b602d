"""Columnar storage of a social feed: posts, reactions and the follow graph, as numpy arrays.

Everything is indexed by agent *positions* (rows of the simulation's agents, 0..n-1) and post
ids (0, 1, 2, ... in order of creation); the environment translates agent ids at its edges.
Sets of pairs (who follows whom, who liked what) are sorted int64 keys ``a * 2**32 + b``:
membership by binary search, insertion and deletion in O(size) copies, a million agents'
step in milliseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from socialkit.network._arrays import ranges

__all__ = ["KINDS", "Posts", "PairSet", "ranges", "topk", "first_occurrence", "sorted_unique"]

KINDS = ("post", "comment", "repost", "quote")
"""Post kinds, by code: a post starts a tree; a comment replies to a post or a comment; a
repost shares an item unchanged; a quote shares it with the quoter's own text."""

_SHIFT = np.int64(2 ** 32)


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique`` of int64 keys by sorting (numpy's hash-based unique is many times slower
    on millions of keys)."""
    s = np.sort(np.asarray(x, dtype=np.int64))
    if len(s) < 2:
        return s
    return s[np.concatenate([[True], s[1:] != s[:-1]])]


def first_occurrence(keys: np.ndarray) -> np.ndarray:
    """A mask of the first occurrence of each distinct key, in the given order.

    Examples
    --------
    >>> first_occurrence(np.array([5, 3, 5, 3, 9])).tolist()
    [True, True, False, False, True]
    """
    keys = np.asarray(keys)
    out = np.zeros(len(keys), dtype=bool)
    if not len(keys):
        return out
    order = np.argsort(keys)
    ks = keys[order]
    starts = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]]))
    out[np.minimum.reduceat(order, starts)] = True
    return out


class Posts:
    """Every item ever created, one row each, in growable numpy columns.

    Columns: ``author`` (agent position), ``step`` (when it was created), ``kind`` (code into
    :data:`KINDS`), ``parent`` (-1 for a post), ``root`` (the post at the top of its tree),
    ``source`` (the item whose content it shows: itself, or for a repost its parent's source),
    ``depth`` (0 for a post), ``topic`` (-1 for none), ``likes``, ``dislikes``, ``shares``
    (reposts and quotes of it), ``replies`` (comments on it), ``hidden`` (removed by a
    moderator), and ``text`` (a list; None where an item has no text).
    """

    _INT = ("author", "parent", "root", "source")
    _I32 = ("step", "depth", "topic", "likes", "dislikes", "shares", "replies")

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = max(16, int(capacity))
        self._cols: dict[str, np.ndarray] = {}
        for c in self._INT:
            self._cols[c] = np.empty(self._cap, dtype=np.int64)
        for c in self._I32:
            self._cols[c] = np.empty(self._cap, dtype=np.int32)
        self._cols["kind"] = np.empty(self._cap, dtype=np.int8)
        self._cols["hidden"] = np.empty(self._cap, dtype=bool)
        self.text: list[str | None] = []

    def __len__(self) -> int:
        return self.n

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][:self.n]
        raise AttributeError(name)

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = max(need, 2 * self._cap)
        for c, a in self._cols.items():
            b = np.empty(cap, dtype=a.dtype)
            b[:self.n] = a[:self.n]
            self._cols[c] = b
        self._cap = cap

    def add(self, author: np.ndarray, step: int, kind: np.ndarray, parent: np.ndarray,
            topic: np.ndarray, text: list[str | None]) -> np.ndarray:
        """Append items (parents must exist); returns their new ids."""
        m = len(author)
        ids = np.arange(self.n, self.n + m, dtype=np.int64)
        if not m:
            return ids
        self._grow(self.n + m)
        parent = np.asarray(parent, dtype=np.int64)
        kind = np.asarray(kind, dtype=np.int8)
        has = parent >= 0
        root = ids.copy()
        source = ids.copy()
        depth = np.zeros(m, dtype=np.int32)
        if has.any():
            par = parent[has]
            root[has] = self._cols["root"][par]
            depth[has] = self._cols["depth"][par] + 1
            rep = kind[has] == 2  # a repost shows its parent's content, on its topic
            src = source[has]
            src[rep] = self._cols["source"][par[rep]]
            source[has] = src
            topic = np.asarray(topic, dtype=np.int32).copy()
            tp = topic[has]
            tp[rep] = self._cols["topic"][src[rep]]
            topic[has] = tp
        s = slice(self.n, self.n + m)
        c = self._cols
        c["author"][s] = author
        c["step"][s] = step
        c["kind"][s] = kind
        c["parent"][s] = parent
        c["root"][s] = root
        c["source"][s] = source
        c["depth"][s] = depth
        c["topic"][s] = topic
        for k in ("likes", "dislikes", "shares", "replies"):
            c[k][s] = 0
        c["hidden"][s] = False
        self.text.extend(text)
        self.n += m
        if has.any():
            np.add.at(c["replies"], parent[has & (kind == 1)], 1)
            np.add.at(c["shares"], parent[has & (kind >= 2)], 1)
        return ids

    def count(self, column: str, ids: np.ndarray, delta: int = 1) -> None:
        """Add ``delta`` to a counter column at ``ids`` (repeats add up)."""
        np.add.at(self._cols[column], ids, delta)

    def state(self) -> dict[str, Any]:
        return {"n": self.n, **{c: a[:self.n].copy() for c, a in self._cols.items()},
                "text": list(self.text)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Posts:
        out = cls(capacity=max(16, 2 * int(state["n"])))
        out.n = int(state["n"])
        for c in out._cols:
            out._cols[c][:out.n] = state[c]
        out.text = list(state["text"])
        return out


class PairSet:
    """A set of (a, b) pairs of non-negative ints below 2**32 (b) and 2**31 (a), as sorted int64
    keys: vectorised membership, insertion and deletion.

    Examples
    --------
    >>> s = PairSet()
    >>> s.add(np.array([1, 0, 1]), np.array([2, 5, 2])).tolist()   # the repeat is not new
    [True, True, False]
    >>> s.contains(np.array([0, 1]), np.array([5, 5])).tolist(), len(s)
    ([True, False], 2)
    """

    def __init__(self, keys: np.ndarray | None = None):
        self.keys = np.empty(0, dtype=np.int64) if keys is None else sorted_unique(keys)

    def __len__(self) -> int:
        return len(self.keys)

    @staticmethod
    def key(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.int64) * _SHIFT + np.asarray(b, dtype=np.int64)

    def contains(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = self.key(a, b)
        i = np.searchsorted(self.keys, k)
        i[i == len(self.keys)] = 0
        return (self.keys[i] == k) if len(self.keys) else np.zeros(len(k), dtype=bool)

    def add(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Insert pairs; returns which of them were new (the first of repeats counts)."""
        k = self.key(a, b)
        new = ~self.contains(a, b) & first_occurrence(k)
        if new.any():
            ins = np.sort(k[new])
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, ins), ins)
        return new

    def remove(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Delete pairs; returns which were present (the first of repeats counts)."""
        k = self.key(a, b)
        there = self.contains(a, b) & first_occurrence(k)
        if there.any():
            self.keys = np.delete(self.keys, np.searchsorted(self.keys, k[there]))
        return there

    def row(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each ``a``, the ``[start, end)`` range of its pairs in :attr:`keys`."""
        a = np.asarray(a, dtype=np.int64)
        return (np.searchsorted(self.keys, a * _SHIFT),
                np.searchsorted(self.keys, (a + 1) * _SHIFT))

    def second(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        return self.keys[idx] % _SHIFT

    def first(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        return self.keys[idx] // _SHIFT


def topk(row: np.ndarray, item: np.ndarray, score: np.ndarray, n_rows: int,
         k: int, unique: bool = True) -> np.ndarray:
    """The ``k`` best items of each row: an ``(n_rows, k)`` int64 matrix, best first (ties:
    the larger item id, i.e. the newer post, first), -1 where a row has fewer; repeated
    (row, item) pairs count once (at their best score); ``unique=False`` skips that check
    when the pairs are known to differ.

    Examples
    --------
    >>> topk(np.array([0, 0, 0, 1]), np.array([7, 8, 7, 3]), np.array([1., 2., 5., 0.]),
    ...      3, 2).tolist()
    [[7, 8], [3, -1], [-1, -1]]
    """
    out = np.full((n_rows, k), -1, dtype=np.int64)
    if not len(row) or not k:
        return out
    order = np.lexsort((-np.asarray(item), -np.asarray(score, dtype=np.float64),
                        np.asarray(row)))
    r, it = np.asarray(row)[order], np.asarray(item)[order]
    if unique:  # drop repeats of (row, item): keep the first (best) of each
        keep = first_occurrence(r.astype(np.int64) * _SHIFT + it)
        r, it = r[keep], it[keep]
    starts = np.searchsorted(r, np.arange(n_rows))
    rank = np.arange(len(r)) - starts[r]
    ok = rank < k
    out[r[ok], rank[ok]] = it[ok]
    return out
