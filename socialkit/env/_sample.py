"""Up to ``k`` items of many rows at once, drawn exactly as a per-row loop of
``np.sort(rng.choice(row, size=k, replace=False))`` would draw them.

Environments pick random subsets per agent (the neighbours an agent hears, ...) with the run's
generator; a Python loop of ``Generator.choice`` costs ~10-40 us a row, more than everything
else a rule step does. :func:`choice_rows` makes the same draws for all rows in a few numpy
operations, so seeded runs (and checkpoints written by the loop) replay identically:

- ``Generator.choice(n, k, replace=False)`` (no ``p``; ``n <= 10000`` or ``k <= n // 50``) runs
  Floyd's algorithm: for ``j = n-k .. n-1`` a bounded integer in ``[0, j]`` (``j`` itself when
  it is taken already), then shuffles the ``k`` picks with ``k-1`` more bounded integers in
  ``[0, i]``. Each bounded integer is one 32-bit output ``u`` of the bit generator mapped to
  ``(u * (bound + 1)) >> 32`` (Lemire's method), redrawn only in the rare case that its low half
  falls under ``2**32 mod (bound + 1)``.
- PCG64's 32-bit outputs are the low then the high half of each 64-bit output, the unused half
  kept in the generator's state (``has_uint32``, ``uinteger``).

So the picks of all rows come from one block of ``random_raw`` outputs. Rows that would need a
redraw, bit generators other than PCG64/PCG64DXSM, rows too long for Floyd's algorithm, or a
numpy whose ``choice`` draws differently (checked once per process against ``Generator.choice``
itself) fall back to the per-row loop, which is the definition.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["choice_rows"]

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_CHECKED: dict[type, bool] = {}


def choice_rows(rng: np.random.Generator, indptr: np.ndarray, indices: np.ndarray,
                rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The items of each row (``indices[indptr[r]:indptr[r + 1]]``, sorted) when it has at most
    ``k``, else ``np.sort(rng.choice(items, size=k, replace=False))``, for ``rows`` in order:
    the same result and the same generator state as that loop.

    Returns ``(offsets, picked)``: row ``i``'s picks are ``picked[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> indptr, indices = np.array([0, 3, 4, 10]), np.arange(10)  # rows of 3, 1 and 6 items
    >>> offsets, picked = choice_rows(np.random.default_rng(0), indptr, indices, [2, 1, 0], 2)
    >>> [picked[offsets[i]:offsets[i + 1]].tolist() for i in range(3)]
    [[7, 8], [3], [0, 2]]
    >>> rng = np.random.default_rng(0)  # the loop it replaces
    >>> [np.sort(rng.choice(indices[a:b], 2, replace=False)).tolist() if b - a > 2
    ...  else indices[a:b].tolist() for a, b in [(4, 10), (3, 4), (0, 3)]]
    [[7, 8], [3], [0, 2]]
    """
    rows = np.asarray(rows, dtype=np.int64)
    start = indptr[rows]
    deg = indptr[rows + 1] - start
    draw = deg > k
    if k == 0 or not draw.any():  # no draws (choice of size 0 draws nothing)
        return _gather(start, np.minimum(deg, k), None, indices)
    if _fast_ok(rng, deg[draw], k):
        picks = _floyd(rng.bit_generator, deg[draw], k)
        if picks is not None:
            return _gather(start, np.minimum(deg, k), (draw, picks), indices)
    return _loop(rng, start, deg, indices, k)


def _gather(start: np.ndarray, size: np.ndarray, picks: Any, indices: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's first ``size`` items, or for rows that drew (``picks = (mask, positions)``,
    positions within the row) their picked items, sorted."""
    offsets = np.zeros(len(start) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    src = np.repeat(start - offsets[:-1], size) + np.arange(offsets[-1], dtype=np.int64)
    flat = indices[src]
    if picks is not None:
        draw, idx = picks
        flat[(offsets[:-1][draw][:, None] + np.arange(idx.shape[1])).ravel()] = \
            np.sort(indices[start[draw][:, None] + idx], axis=1).ravel()
    return offsets, flat


def _loop(rng: np.random.Generator, start: np.ndarray, deg: np.ndarray, indices: np.ndarray,
          k: int) -> tuple[np.ndarray, np.ndarray]:
    """The definition: one ``choice`` per row that has more than ``k`` items."""
    parts = []
    for s, d in zip(start.tolist(), deg.tolist(), strict=True):
        items = indices[s:s + d]
        parts.append(np.sort(rng.choice(items, size=k, replace=False)) if d > k else items)
    size = np.array([len(p) for p in parts], dtype=np.int64)
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    flat = np.concatenate(parts) if parts else indices[:0]
    return offsets, flat.astype(indices.dtype, copy=False)


def _fast_ok(rng: np.random.Generator, deg: np.ndarray, k: int) -> bool:
    bg = rng.bit_generator
    if type(bg) not in (np.random.PCG64, np.random.PCG64DXSM):
        return False
    if deg.max() >= 2 ** 32 - 1 or ((deg > 10000) & (k > deg // 50)).any():
        return False  # a 64-bit bound, or choice's tail-shuffle branch
    ok = _CHECKED.get(type(bg))
    if ok is None:
        ok = _CHECKED[type(bg)] = _self_check(type(bg))
    return ok


def _uint32(bg: Any, count: int) -> np.ndarray:
    """The next ``count`` 32-bit outputs of a PCG64-family bit generator (as uint64), leaving its
    state as ``count`` calls of its ``next_uint32`` would."""
    state = bg.state
    head = [state["uinteger"]] if state["has_uint32"] else []
    rest = count - len(head)
    n64 = (rest + 1) // 2
    raw = bg.random_raw(n64) if n64 else np.empty(0, dtype=np.uint64)
    halves = np.empty(2 * n64, dtype=np.uint64)
    halves[0::2] = raw & _MASK32
    halves[1::2] = raw >> _SHIFT32
    new = bg.state
    if n64:
        new["has_uint32"], new["uinteger"] = rest % 2, int(halves[-1])
    else:
        new["has_uint32"], new["uinteger"] = 0, state["uinteger"]
    bg.state = new
    return np.concatenate([np.asarray(head, dtype=np.uint64), halves[:rest]])


def _floyd(bg: Any, deg: np.ndarray, k: int) -> np.ndarray | None:
    """Floyd's picks (before their shuffle) of rows of ``deg`` > k items, or None (generator
    state unchanged) when a bounded draw would be redrawn."""
    before = bg.state
    m, per = len(deg), 2 * k - 1
    u = _uint32(bg, m * per).reshape(m, per)
    bounds = np.empty((m, per), dtype=np.uint64)
    bounds[:, :k] = (deg[:, None] - k + 1 + np.arange(k)).astype(np.uint64)  # j + 1
    bounds[:, k:] = np.arange(k, 1, -1, dtype=np.uint64)  # shuffle: i + 1 for i = k-1 .. 1
    prod = u * bounds
    low = prod & _MASK32
    maybe = low < bounds
    if maybe.any() and (low[maybe] < (np.uint64(2 ** 32) % bounds[maybe])).any():
        bg.state = before  # a redraw: leave it to the loop
        return None
    val = (prod[:, :k] >> _SHIFT32).astype(np.int64)
    picks = np.empty((m, k), dtype=np.int64)
    for t in range(k):
        v = val[:, t]
        taken = (picks[:, :t] == v[:, None]).any(axis=1) if t else np.zeros(m, dtype=bool)
        picks[:, t] = np.where(taken, deg - k + t, v)
    return picks


def _self_check(kind: type) -> bool:
    """Whether the vectorised draws equal ``Generator.choice``'s on this numpy (and leave the
    generator in the same state), on rows of many lengths and several ``k``."""
    try:
        for seed, k in ((1, 1), (2, 2), (3, 5), (4, 8)):
            a, b = np.random.Generator(kind(seed)), np.random.Generator(kind(seed))
            deg = np.random.default_rng(seed).integers(0, 40, 150)
            deg[:3] = (k + 1, 30000, 12000)
            b.integers(0, 10, size=int(seed % 2))  # odd: start with a buffered 32-bit half
            a.integers(0, 10, size=int(seed % 2))
            indptr = np.concatenate([[0], np.cumsum(deg)])
            indices = np.random.default_rng(seed).permutation(indptr[-1])
            rows = a.permutation(len(deg))
            b.permutation(len(deg))
            want = _loop(b, indptr[rows], deg[rows], indices, k)
            picks = _floyd(a.bit_generator, deg[rows][deg[rows] > k], k)
            if picks is None:
                return False
            got = _gather(indptr[rows], np.minimum(deg[rows], k),
                          (deg[rows] > k, picks), indices)
            if not (np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
                    and a.bit_generator.state == b.bit_generator.state):
                return False
        return True
    except Exception:  # noqa: BLE001 - any surprise: use the loop
        return False
