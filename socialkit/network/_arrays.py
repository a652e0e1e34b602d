"""Small vectorised helpers on index arrays."""

from __future__ import annotations

import numpy as np

__all__ = ["ranges"]


def ranges(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand ``[start, end)`` ranges: ``(owner, index)`` with one row per element, owners in
    order.

    Examples
    --------
    >>> o, i = ranges(np.array([5, 0]), np.array([7, 1]))
    >>> o.tolist(), i.tolist()
    ([0, 0, 1], [5, 6, 0])
    """
    start = np.asarray(start, dtype=np.int64)
    lengths = np.maximum(np.asarray(end, dtype=np.int64) - start, 0)
    owner = np.repeat(np.arange(len(start)), lengths)
    total = int(lengths.sum())
    if not total:
        return owner, np.empty(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    index = np.arange(total, dtype=np.int64) - np.repeat(offsets, lengths) + \
        np.repeat(start, lengths)
    return owner, index
