"""The contract every memory follows, and the input checks the memories share.

A memory is bound to the agent ids of a population, then written and read in batches across agents:

- ``bind(agents)``: the agent ids (a Population, a count ``n`` for ids ``0..n-1``, or integer ids).
- ``add(agent_ids, texts, time, importance=None)``: one memory per row.
- ``retrieve(agent_ids, queries, time, k)``: for each row (an agent and its query) the agent's ``k``
  best memories, as one tidy DataFrame; retrieving marks the memories as accessed at ``time``.
- ``checkpoint(folder)`` / ``restore(folder)``: the whole state, exactly (last-access times included).
- ``frame(agent)``: one agent's memories as a DataFrame.

Time is the simulation clock in hours (any real number; it need not start at 0).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit.memory._embed import _check_texts

__all__ = ["Memory", "FRAME_COLUMNS", "RETRIEVE_COLUMNS", "KINDS"]

KINDS = ("observation", "reflection")
FRAME_COLUMNS = ["id", "agent", "kind", "text", "created", "last_access", "importance", "sources"]
RETRIEVE_COLUMNS = ["request", "agent", "rank", "id", "kind", "text", "created", "importance",
                    "score", "recency_score", "importance_score", "relevance_score"]


def _is_int(x: Any) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _folder(folder: Any, name: str = "folder") -> Path:
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(folder).__name__}")
    return Path(folder)


class Memory:
    """Base class of the memories: agent binding and the checks of ``add`` and ``retrieve`` inputs.

    Subclasses implement ``_add``, ``_retrieve``, ``checkpoint``, ``restore`` and ``frame``.
    """

    kind = "memory"
    _STATE_FILE = "memory.json"

    def __init__(self) -> None:
        self._agents: pd.Index | None = None

    # ---- agents ------------------------------------------------------------------------------
    @property
    def agents(self) -> np.ndarray:
        """The bound agent ids (int64), in binding order."""
        return np.empty(0, np.int64) if self._agents is None else self._agents.to_numpy()

    def bind(self, agents: Any) -> Memory:
        """Bind the memory to agent ids: a Population, a count ``n`` (ids ``0..n-1``) or int ids.

        Binding again is allowed when it keeps the bound ids first, in order (new agents join).
        Returns the memory itself.
        """
        if hasattr(agents, "df") and "agent" in getattr(agents, "df", {}):
            ids = np.asarray(agents.df["agent"])
        elif _is_int(agents):
            if agents < 0:
                raise ValueError(f"agents: a count must be non-negative, got {agents}")
            ids = np.arange(int(agents), dtype=np.int64)
        elif isinstance(agents, str | bytes) or not hasattr(agents, "__iter__"):
            raise TypeError(f"agents must be a Population, a count or a sequence of integer ids, "
                            f"got {type(agents).__name__}")
        else:
            ids = np.asarray(list(agents))
            if ids.size and (ids.dtype.kind not in "iu"):
                raise TypeError(f"agents: ids must be integers, got dtype {ids.dtype}")
        ids = ids.astype(np.int64, copy=False)
        index = pd.Index(ids)
        if index.has_duplicates:
            raise ValueError(f"agents: duplicate ids, e.g. {index[index.duplicated()][:5].tolist()}")
        old = self.agents
        if len(old) and not np.array_equal(ids[:len(old)], old):
            raise ValueError("agents: rebinding must keep the already bound ids first, in order")
        self._agents = index
        self._grow_agents(len(index))
        return self

    def _grow_agents(self, n: int) -> None:
        """Make room for ``n`` agents (subclasses keep per-agent structures)."""

    def _positions(self, agent_ids: Any, name: str = "agent_ids") -> np.ndarray:
        if self._agents is None:
            raise ValueError(f"{type(self).__name__} is not bound to agents: call bind(agents) first")
        if _is_int(agent_ids):
            agent_ids = [agent_ids]
        if isinstance(agent_ids, str | bytes) or not hasattr(agent_ids, "__iter__"):
            raise TypeError(f"{name} must be a sequence of integer agent ids, "
                            f"got {type(agent_ids).__name__}")
        ids = np.asarray(agent_ids if isinstance(agent_ids, np.ndarray) else list(agent_ids))
        if ids.size == 0:
            return np.empty(0, dtype=np.intp)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer agent ids, got dtype {ids.dtype}")
        if ids.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {ids.shape}")
        pos = self._agents.get_indexer(ids.astype(np.int64, copy=False))
        if (pos < 0).any():
            bad = np.unique(ids[pos < 0])[:5].tolist()
            raise ValueError(f"{name}: unknown agent ids (not bound), e.g. {bad}")
        return pos

    # ---- input checks ------------------------------------------------------------------------
    @staticmethod
    def _times(time: Any, n: int, name: str = "time") -> np.ndarray:
        if isinstance(time, bool | np.bool_) or isinstance(time, str | bytes):
            raise TypeError(f"{name} must be a number of hours or a sequence of them, "
                            f"got {type(time).__name__}")
        t = _per_row(time, n, name, "a number of hours or a sequence of them")
        if not np.isfinite(t).all():
            raise ValueError(f"{name} must be finite, got {t[~np.isfinite(t)][:3].tolist()}")
        return t

    @staticmethod
    def _k(k: Any, name: str = "k") -> int:
        if not _is_int(k) or k < 1:
            raise ValueError(f"{name} must be a positive integer, got {k!r}")
        return int(k)

    def _check_rows(self, agent_ids: Any, texts: Any, tname: str) -> tuple[np.ndarray, list[str]]:
        texts = _check_texts(texts, tname)
        pos = self._positions(agent_ids)
        if len(pos) != len(texts):
            raise ValueError(f"agent_ids and {tname} must have the same length, "
                             f"got {len(pos)} and {len(texts)}")
        return pos, texts

    @staticmethod
    def _check_importance(importance: Any, n: int) -> np.ndarray:
        imp = _per_row(importance, n, "importance", "numbers from 1 to 10")
        bad = ~np.isfinite(imp) | (imp < 1) | (imp > 10)
        if bad.any():
            raise ValueError(f"importance must be numbers from 1 to 10, got {imp[bad][:3].tolist()}")
        return imp

    @staticmethod
    def _check_kind(kind: Any) -> str:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        return kind

    @staticmethod
    def _check_sources(sources: Any, n: int) -> list[tuple[int, ...]]:
        if sources is None:
            return [()] * n
        if isinstance(sources, str | bytes) or not hasattr(sources, "__iter__"):
            raise TypeError(f"sources must be one sequence of memory ids per row, "
                            f"got {type(sources).__name__}")
        out = []
        for i, s in enumerate(sources):
            if isinstance(s, str | bytes) or not hasattr(s, "__iter__") or not all(
                    _is_int(x) and x >= 0 for x in s):
                raise TypeError(f"sources[{i}] must be a sequence of memory ids (integers >= 0)")
            out.append(tuple(int(x) for x in s))
        if len(out) != n:
            raise ValueError(f"sources must have one entry per row ({n}), got {len(out)}")
        return out

    def _read_state(self, folder: Path) -> dict[str, Any]:
        path = folder / self._STATE_FILE
        if not path.is_file():
            raise ValueError(f"folder: no memory checkpoint in {folder} ({self._STATE_FILE} missing)")
        state = json.loads(path.read_text())
        if state.get("memory") != self.kind:
            raise ValueError(f"folder: {folder} holds a {state.get('memory')!r} memory checkpoint, "
                             f"not a {self.kind!r} one")
        return state

    # ---- to implement ------------------------------------------------------------------------
    def add(self, agent_ids: Sequence[int], texts: Sequence[str], time: Any,
            importance: Any = None, *, kind: str = "observation",
            sources: Sequence[Sequence[int]] | None = None) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def retrieve(self, agent_ids: Sequence[int], queries: Sequence[str] | None, time: Any,
                 k: int | None = None) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    def checkpoint(self, folder: str | os.PathLike) -> None:  # pragma: no cover
        raise NotImplementedError

    def restore(self, folder: str | os.PathLike) -> Memory:  # pragma: no cover
        raise NotImplementedError

    def frame(self, agent: int) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError


def _empty_retrieval() -> pd.DataFrame:
    return pd.DataFrame({
        "request": pd.Series([], dtype="int64"), "agent": pd.Series([], dtype="int64"),
        "rank": pd.Series([], dtype="int64"), "id": pd.Series([], dtype="int64"),
        "kind": pd.Series([], dtype="object"), "text": pd.Series([], dtype="object"),
        **{c: pd.Series([], dtype="float64") for c in RETRIEVE_COLUMNS[6:]}})


def _per_row(value: Any, n: int, name: str, what: str) -> np.ndarray:
    """One float per row: a single number repeated, or exactly ``n`` numbers."""
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}") from None
    if out.ndim == 0:
        return np.full(n, float(out))
    if out.shape != (n,):
        raise ValueError(f"{name} must be one number or {n} numbers, got shape {out.shape}")
    return out
