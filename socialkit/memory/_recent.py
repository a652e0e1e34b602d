"""The plain memory: each agent keeps its last ``k`` memories and recalls them newest first."""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit.memory._base import (
    FRAME_COLUMNS,
    KINDS,
    Memory,
    _empty_retrieval,
    _folder,
    _write_atomic,
)

__all__ = ["Recent"]


class Recent(Memory):
    """Last-``k`` memory: each agent keeps its ``k`` newest memories; no model, no extra needed.

    ``retrieve`` ignores the queries and returns an agent's memories newest first.

    Parameters
    ----------
    k : int
        Memories kept per agent (older ones are forgotten).

    Examples
    --------
    >>> mem = Recent(k=2).bind(3)
    >>> ids = mem.add([0, 0, 0, 1], ["woke up", "heard a rumour", "told Ann", "went out"], time=1.0)
    >>> mem.retrieve([0, 1], None, time=2.0)[["agent", "rank", "text"]].values.tolist()
    [[0, 1, 'told Ann'], [0, 2, 'heard a rumour'], [1, 1, 'went out']]
    >>> mem.frame(0)["text"].tolist()
    ['heard a rumour', 'told Ann']
    """

    kind = "recent"

    def __init__(self, k: int = 20):
        super().__init__()
        self.k = self._k(k)
        self._queues: list[deque[int]] = []
        self._records: dict[int, list[Any]] = {}
        self._next_id = 0

    def empty(self) -> Recent:
        """A new, unbound memory with the same settings."""
        return Recent(k=self.k)

    def __repr__(self) -> str:
        return f"Recent(k={self.k}, agents={len(self.agents)}, memories={len(self._records)})"

    def __len__(self) -> int:
        return len(self._records)

    def _grow_agents(self, n: int) -> None:
        while len(self._queues) < n:
            self._queues.append(deque())

    def add(self, agent_ids: Sequence[int], texts: Sequence[str], time: Any,
            importance: Any = None, *, kind: str = "observation",
            sources: Sequence[Sequence[int]] | None = None) -> np.ndarray:
        """Add one memory per row; returns their ids. ``importance`` is stored as given (or NaN).

        Parameters
        ----------
        agent_ids : sequence of int
        texts : sequence of str
        time : float or sequence of float
            Creation time in hours (one for all rows, or one per row).
        importance : float, sequence of float or None
            Ratings from 1 to 10, kept for display; None stores NaN.
        kind : {"observation", "reflection"}
        sources : sequence of sequences of int, optional
            Ids of the memories each row cites.
        """
        pos, texts = self._check_rows(agent_ids, texts, "texts")
        n = len(texts)
        t = self._times(time, n)
        imp = (np.full(n, np.nan) if importance is None else self._check_importance(importance, n))
        kind = self._check_kind(kind)
        src = self._check_sources(sources, n)
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        queues, records, k = self._queues, self._records, self.k
        for p, mid, text, when, rating, cites in zip(
                np.asarray(pos).tolist(), ids.tolist(), texts, np.asarray(t, dtype=np.float64)
                .tolist(), np.asarray(imp, dtype=np.float64).tolist(), src, strict=True):
            q = queues[p]
            q.append(mid)
            records[mid] = [p, text, kind, when, when, rating, cites]
            while len(q) > k:
                del records[q.popleft()]
        return ids

    def retrieve(self, agent_ids: Sequence[int], queries: Sequence[str] | None, time: Any,
                 k: int | None = None) -> pd.DataFrame:
        """The newest ``k`` (default: all kept) memories of each agent, newest first.

        ``queries`` is ignored (it may be None). The memories returned are marked as accessed
        at ``time``. Returns a DataFrame with the columns of
        :data:`socialkit.memory.RETRIEVE_COLUMNS` (the score columns are NaN).
        """
        pos = self._positions(agent_ids)
        t = self._times(time, len(pos))
        kk = self.k if k is None else self._k(k)
        request, rank, mids = [], [], []  # built column-wise (a row list costs ~5x more)
        for r, p in enumerate(pos.tolist()):
            got = list(reversed(self._queues[p]))[:kk]
            request += [r] * len(got)
            rank += range(1, len(got) + 1)
            mids += got
        if not mids:
            return _empty_retrieval()
        recs = [self._records[mid] for mid in mids]
        request_ = np.asarray(request, dtype=np.int64)
        for rec, when in zip(recs, t[request_].tolist(), strict=True):
            rec[4] = when
        nan = np.full(len(mids), np.nan)
        return pd.DataFrame({
            "request": request_, "agent": self.agents[pos][request_],
            "rank": np.asarray(rank, dtype=np.int64), "id": np.asarray(mids, dtype=np.int64),
            "kind": _objects([rec[2] for rec in recs]), "text": _objects([rec[1] for rec in recs]),
            "created": np.asarray([rec[3] for rec in recs], dtype=np.float64),
            "importance": np.asarray([rec[5] for rec in recs], dtype=np.float64),
            "score": nan, "recency_score": nan.copy(), "importance_score": nan.copy(),
            "relevance_score": nan.copy()})

    def frame(self, agent: int) -> pd.DataFrame:
        """One agent's kept memories, oldest first (columns :data:`FRAME_COLUMNS`)."""
        p = int(self._positions([agent], "agent")[0])
        rows = [[mid, int(self._agents[p]), *self._records[mid][2:0:-1], *self._records[mid][3:]]
                for mid in self._queues[p]]
        return _frame(rows)

    def checkpoint(self, folder: str | os.PathLike) -> None:
        """Write the whole state to ``folder/memory.json`` (atomically).

        Examples
        --------
        >>> import tempfile
        >>> mem = Recent(k=5).bind(1)
        >>> _ = mem.add([0], ["Ann heard a rumour"], time=1.0)
        >>> folder = tempfile.mkdtemp()
        >>> mem.checkpoint(folder)
        >>> Recent().restore(folder).frame(0)["text"].tolist()
        ['Ann heard a rumour']
        """
        folder = _folder(folder)
        state = {"memory": self.kind, "version": 1, "k": self.k, "next_id": self._next_id,
                 "agents": self.agents.tolist(),
                 "records": [[mid, *rec[:6], list(rec[6])] for mid, rec in
                             sorted(self._records.items())]}
        _write_atomic(folder / self._STATE_FILE, json.dumps(state).encode("utf-8"))

    def restore(self, folder: str | os.PathLike) -> Recent:
        """Replace the state with the checkpoint in ``folder``; returns the memory itself."""
        state = self._read_state(_folder(folder))
        self.k = int(state["k"])
        self._agents = None
        self._queues, self._records = [], {}
        self.bind(np.asarray(state["agents"], dtype=np.int64))
        for mid, p, text, kind, created, last, imp, src in state["records"]:
            if kind not in KINDS:
                raise ValueError(f"folder: unknown memory kind {kind!r} in the checkpoint")
            self._queues[p].append(mid)
            self._records[mid] = [p, text, kind, created, last, imp, tuple(src)]
        self._next_id = int(state["next_id"])
        return self


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _frame(rows: list[list[Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    return df.astype({"id": "int64", "agent": "int64", "kind": "object", "text": "object",
                      "created": "float64", "last_access": "float64", "importance": "float64"})
