"""On-disk cache of model replies: one SQLite file in WAL mode, safe for several processes.

A reply is stored under a key that hashes the model id, the generation parameters, the messages
and the sample index, so repeated samples differ and a rerun replays exactly. Only replies are
stored (text, top log-probabilities, token counts), never credentials.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["Cache", "default_folder", "call_key"]

_MODES = ("use", "refresh", "off")
_CHUNK = 500


def default_folder() -> Path:
    """Where the cache lives by default: ``$SOCIALKIT_CACHE`` or ``~/.cache/socialkit``.

    Examples
    --------
    >>> default_folder().name in ("socialkit",) or "SOCIALKIT_CACHE" in __import__("os").environ
    True
    """
    env = os.environ.get("SOCIALKIT_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "socialkit"


def call_key(model_id: str, params: dict[str, Any], messages: list[dict[str, str]],
             sample: int) -> str:
    """The cache key of one call: a SHA-256 over model, parameters, messages and sample index.

    Examples
    --------
    >>> m = [{"role": "user", "content": "Hi"}]
    >>> call_key("m", {"temperature": 1.0}, m, 0) == call_key("m", {"temperature": 1.0}, m, 0)
    True
    >>> call_key("m", {"temperature": 1.0}, m, 0) == call_key("m", {"temperature": 1.0}, m, 1)
    False
    """
    blob = json.dumps([model_id, params, messages, sample], sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    """A SQLite file of model replies keyed by :func:`call_key`.

    Parameters
    ----------
    folder : str or Path, optional
        Folder of the cache file ``llm-cache.sqlite``; defaults to :func:`default_folder`.
    mode : {"use", "refresh", "off"}
        ``use`` reads and writes; ``refresh`` ignores stored replies and overwrites them with new
        ones; ``off`` neither reads nor writes.

    Examples
    --------
    >>> import tempfile
    >>> c = Cache(tempfile.mkdtemp())
    >>> c.put_many([("k1", "model-a", {"text": "4"})])
    >>> c.get_many(["k1", "k2"])
    {'k1': {'text': '4'}}
    >>> c.stats()["entries"], Cache(c.folder, mode="refresh").get_many(["k1"])
    (1, {})
    """

    def __init__(self, folder: str | os.PathLike | None = None, mode: str = "use"):
        if mode not in _MODES:
            raise ValueError(f"cache mode must be one of {_MODES}, got {mode!r}")
        if folder is not None and not isinstance(folder, str | os.PathLike):
            raise TypeError(f"cache folder must be a path, got {type(folder).__name__}")
        self.folder = Path(folder).expanduser() if folder is not None else default_folder()
        self.mode = mode
        self.path = self.folder / "llm-cache.sqlite"
        self._lock = threading.Lock()
        self._ready = False

    def __repr__(self) -> str:
        return f"Cache({str(self.folder)!r}, mode={self.mode!r})"

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.folder.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60.0, isolation_level=None,
                              check_same_thread=False)
        con.execute("PRAGMA busy_timeout=60000")
        if not self._ready:
            with self._lock:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, "
                            "model TEXT NOT NULL, reply TEXT NOT NULL, created REAL NOT NULL)"
                            " WITHOUT ROWID")
                self._ready = True
        con.execute("PRAGMA synchronous=NORMAL")
        return con

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Stored replies of the keys that have one (nothing in ``refresh`` or ``off`` mode)."""
        keys = list(dict.fromkeys(keys))
        if self.mode != "use" or not keys:
            return {}
        out: dict[str, dict[str, Any]] = {}
        con = self._connect()
        try:
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, reply in con.execute(
                        f"SELECT key, reply FROM replies WHERE key IN ({marks})", chunk):
                    out[key] = json.loads(reply)
        finally:
            con.close()
        return out

    def put_many(self, items: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Store ``(key, model_id, reply)`` triples in one transaction (not in ``off`` mode)."""
        rows = [(k, m, json.dumps(r, ensure_ascii=False), time.time()) for k, m, r in items]
        if self.mode == "off" or not rows:
            return
        con = self._connect()
        try:
            for attempt in range(5):
                try:
                    con.execute("BEGIN IMMEDIATE")
                    con.executemany("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?)", rows)
                    con.execute("COMMIT")
                    return
                except sqlite3.OperationalError:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    if attempt == 4:
                        raise
                    time.sleep(0.1 * 2 ** attempt)
        finally:
            con.close()

    def stats(self) -> dict[str, Any]:
        """Number of stored replies, per model, and the file size in bytes."""
        if not self.path.exists():
            return {"entries": 0, "models": {}, "bytes": 0, "path": str(self.path)}
        con = self._connect()
        try:
            models = dict(con.execute("SELECT model, COUNT(*) FROM replies GROUP BY model"))
        finally:
            con.close()
        size = sum(p.stat().st_size for p in self.folder.glob("llm-cache.sqlite*"))
        return {"entries": sum(models.values()), "models": models, "bytes": size,
                "path": str(self.path)}

    def clear(self, model: str | None = None) -> int:
        """Delete stored replies (of one model id, or all); returns how many were deleted."""
        if not self.path.exists():
            return 0
        con = self._connect()
        try:
            if model is None:
                cur = con.execute("DELETE FROM replies")
            else:
                cur = con.execute("DELETE FROM replies WHERE model = ?", (model,))
            return cur.rowcount
        finally:
            con.close()


def resolve(cache: Any, cacheable: bool) -> Cache:
    """Turn ``ask``'s ``cache`` argument into a :class:`Cache`.

    ``True`` uses the default folder (for backends whose replies may be cached: the scripted
    model is not, unless given a folder), ``False`` turns caching off, ``"refresh"`` refreshes the
    default folder, a path or a :class:`Cache` is used as given.
    """
    if isinstance(cache, Cache):
        return cache
    if cache is True:
        return Cache() if cacheable else Cache(mode="off")
    if cache is False or cache is None:
        return Cache(mode="off")
    if cache == "refresh":
        return Cache(mode="refresh")
    if isinstance(cache, str | os.PathLike):
        return Cache(cache)
    raise TypeError("cache must be True, False, 'refresh', a folder or a socialkit.llm.Cache; "
                    f"got {cache!r}")
