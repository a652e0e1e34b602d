"""Compiled kernels on CSR arrays (``indptr``, ``indices``) and an integer hash set.

Output arrays are allocated by the (numpy) callers, so memory tracers see them.
"""

from __future__ import annotations

import numba
import numpy as np

# ---- statistics --------------------------------------------------------------------------------


@numba.njit(cache=True)
def neighbor_sum(indptr, indices, x, out):  # pragma: no cover - compiled
    """``out[i] = sum of x[j] over the neighbours j of i``."""
    for i in range(len(indptr) - 1):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += x[indices[k]]
        out[i] = s


@numba.njit(cache=True)
def drop_diagonal(indptr, indices):  # pragma: no cover - compiled
    """Remove entries ``(i, i)`` in place; return the new ``indptr`` end and loop count."""
    n = len(indptr) - 1
    w = 0
    start = indptr[0]
    for i in range(n):
        end = indptr[i + 1]
        for k in range(start, end):
            j = indices[k]
            if j != i:
                indices[w] = j
                w += 1
        start = end
        indptr[i + 1] = w
    return w


@numba.njit(cache=True)
def csr_from_edges(edges, indptr, indices, pos):  # pragma: no cover - compiled
    """Symmetric CSR of a simple edge list, neighbours in edge order (networkx's dict order)."""
    n = len(indptr) - 1
    for i in range(n + 1):
        indptr[i] = 0
    for e in range(len(edges)):
        indptr[edges[e, 0] + 1] += 1
        indptr[edges[e, 1] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
        pos[i] = indptr[i]
    for e in range(len(edges)):
        u = edges[e, 0]
        v = edges[e, 1]
        indices[pos[u]] = v
        pos[u] += 1
        indices[pos[v]] = u
        pos[v] += 1


@numba.njit(cache=True)
def triangles(indptr, indices, optr, oind, mark, t):  # pragma: no cover - compiled
    """Triangles through each node of a simple undirected graph (``t``, filled in place).

    Each edge is oriented from the lower to the higher (degree, index) rank; a triangle is then
    found exactly once, from its lowest-ranked node, by marking that node's out-neighbours. The
    work is bounded by ``O(m sqrt(m))`` and no ``A @ A`` product is ever formed.
    """
    n = len(indptr) - 1
    optr[0] = 0
    for i in range(n):
        di = indptr[i + 1] - indptr[i]
        c = 0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            dj = indptr[j + 1] - indptr[j]
            if di < dj or (di == dj and i < j):
                c += 1
        optr[i + 1] = optr[i] + c
    for i in range(n):
        di = indptr[i + 1] - indptr[i]
        p = optr[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            dj = indptr[j + 1] - indptr[j]
            if di < dj or (di == dj and i < j):
                oind[p] = j
                p += 1
    for i in range(n):
        mark[i] = -1
        t[i] = 0
    for u in range(n):
        for k in range(optr[u], optr[u + 1]):
            mark[oind[k]] = u
        for k in range(optr[u], optr[u + 1]):
            v = oind[k]
            for q in range(optr[v], optr[v + 1]):
                w = oind[q]
                if mark[w] == u:
                    t[u] += 1
                    t[v] += 1
                    t[w] += 1


@numba.njit(cache=True)
def components(indptr, indices, label, queue):  # pragma: no cover - compiled
    """Connected components by breadth-first search; labels in place, returns their number."""
    n = len(indptr) - 1
    for i in range(n):
        label[i] = -1
    c = 0
    for s in range(n):
        if label[s] >= 0:
            continue
        label[s] = c
        head = 0
        tail = 1
        queue[0] = s
        while head < tail:
            u = queue[head]
            head += 1
            for k in range(indptr[u], indptr[u + 1]):
                v = indices[k]
                if label[v] < 0:
                    label[v] = c
                    queue[tail] = v
                    tail += 1
        c += 1
    return c


@numba.njit(cache=True)
def bootstrap_paradox(d, x, local, n_boot, rng, out):  # pragma: no cover - compiled
    """Node bootstrap of the friendship-paradox means (see ``friendship_paradox``)."""
    n = len(d)
    for b in range(n_boot):
        sdeg = 0.0
        cnt = 0
        sx = 0.0
        sd = 0.0
        sdx = 0.0
        sloc = 0.0
        npar = 0
        for _ in range(n):
            i = rng.integers(0, n)
            sdeg += d[i]
            if d[i] > 0:
                cnt += 1
                sx += x[i]
                sd += d[i]
                sdx += d[i] * x[i]
                sloc += local[i]
                if local[i] > x[i]:
                    npar += 1
        out[b, 0] = sdeg / n
        if cnt > 0:
            out[b, 1] = sx / cnt
            out[b, 2] = sdx / sd
            out[b, 3] = sloc / cnt
            out[b, 4] = npar / cnt
        else:
            for c in range(1, 5):
                out[b, c] = np.nan


# ---- an open-addressing hash set of non-negative int64 keys --------------------------------------
EMPTY = -1
TOMB = -2


def new_set(n_keys: int) -> np.ndarray:
    """An empty set table sized for ``n_keys`` keys at load factor <= 1/4."""
    size = 1 << max(4, int(4 * max(n_keys, 1) - 1).bit_length())
    return np.full(size, EMPTY, dtype=np.int64)


@numba.njit(inline="always")
def _slot(key, mask):  # pragma: no cover - compiled
    h = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    return np.int64(h & np.uint64(mask))


@numba.njit(cache=True)
def set_add(table, key):  # pragma: no cover - compiled
    """Insert ``key``; return True when it was not present."""
    mask = len(table) - 1
    i = _slot(key, mask)
    free = -1
    while True:
        k = table[i]
        if k == key:
            return False
        if k == EMPTY:
            table[i if free < 0 else free] = key
            return True
        if k == TOMB and free < 0:
            free = i
        i = (i + 1) & mask


@numba.njit(cache=True)
def set_has(table, key):  # pragma: no cover - compiled
    mask = len(table) - 1
    i = _slot(key, mask)
    while True:
        k = table[i]
        if k == key:
            return True
        if k == EMPTY:
            return False
        i = (i + 1) & mask


@numba.njit(cache=True)
def set_remove(table, key):  # pragma: no cover - compiled
    mask = len(table) - 1
    i = _slot(key, mask)
    while True:
        k = table[i]
        if k == key:
            table[i] = TOMB
            return True
        if k == EMPTY:
            return False
        i = (i + 1) & mask
