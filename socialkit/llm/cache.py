"""On-disk cache of model replies: one SQLite file in WAL mode, safe for several processes.

A reply is stored under a key that hashes the model id, the generation parameters, the messages
and the call's *draw key* (derived from the run's seed and the call's identity), so another seed
gives independent draws and the same seed replays exactly. Only replies are stored (text, top
log-probabilities, token counts), never credentials.

Nothing paid for is lost: replies are written by a background thread as they arrive (each commit
takes whatever arrived while the previous one ran) and the writer is drained on every exit path.
Processes that share a cache *claim* a prompt before calling the model (a row with a lease that
a heartbeat renews; the lease of a dead owner expires, at once when it ran on this host), so
overlapping runs pay each prompt about once.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["Cache", "default_folder", "call_key", "draw_key", "backend_seed"]

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


_KEY = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_DRAW = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)
_esc = json.encoder.encode_basestring  # the C escaping json.dumps uses (ensure_ascii=False)


def messages_json(messages: Any) -> str:
    """The messages as :func:`call_key` writes them (sorted keys, compact, not ASCII-escaped):
    chat messages of a role and a text are written directly, anything else by ``json``.

    Examples
    --------
    >>> m = [{"role": "user", "content": 'Say "hi"'}]
    >>> messages_json(m) == json.dumps(m, sort_keys=True, separators=(",", ":"),
    ...                                ensure_ascii=False)
    True
    """
    if type(messages) is not list:
        return _KEY.encode(messages)
    parts = []
    for m in messages:
        if type(m) is not dict or len(m) != 2:
            return _KEY.encode(messages)
        content, role = m.get("content"), m.get("role")
        if type(content) is not str or type(role) is not str:
            return _KEY.encode(messages)
        parts.append('{"content":' + _esc(content) + ',"role":' + _esc(role) + "}")
    return "[" + ",".join(parts) + "]"


def key_prefix(model_id: str, params: dict[str, Any]) -> str:
    """The start of :func:`call_key`'s blob for a model and its parameters (made once)."""
    return "[" + _KEY.encode(model_id) + "," + _KEY.encode(params) + ","


def call_key(model_id: str, params: dict[str, Any], messages: list[dict[str, str]],
             draw: str | int | None, prefix: str | None = None, encoded: str | None = None
             ) -> str:
    """The cache key of one call: a SHA-256 over model, parameters, messages and draw key
    (of ``json.dumps([model_id, params, messages, draw], sort_keys=True, separators=(",",
    ":"), ensure_ascii=False)``; ``prefix``: :func:`key_prefix` of the model and parameters;
    ``encoded``: :func:`messages_json` of the messages, when made already).

    Examples
    --------
    >>> m = [{"role": "user", "content": "Hi"}]
    >>> call_key("m", {"temperature": 1.0}, m, "d1") == call_key("m", {"temperature": 1.0}, m, "d1")
    True
    >>> call_key("m", {"temperature": 1.0}, m, "d1") == call_key("m", {"temperature": 1.0}, m, "d2")
    False
    """
    blob = (prefix or key_prefix(model_id, params)) \
        + (messages_json(messages) if encoded is None else encoded) + "," \
        + _KEY.encode(draw) + "]"
    return hashlib.sha256(blob.encode()).hexdigest()


def draw_key(seed: int, identity: Any) -> str:
    """The draw key of one call: a hash of the run's seed and the call's identity.

    The identity names the call within the run, e.g. ``("ask", agent, question, sample)`` or
    ``("sim", step, agent, "decide")``. Same seed and identity: the same draw (exact replay);
    another seed: an independent draw. The backend's sampling seed comes from it
    (:func:`backend_seed`).

    Examples
    --------
    >>> draw_key(1, ("ask", 0, "q", 0)) == draw_key(1, ("ask", 0, "q", 0))
    True
    >>> draw_key(1, ("ask", 0, "q", 0)) == draw_key(2, ("ask", 0, "q", 0))
    False
    """
    blob = _DRAW.encode([int(seed), identity])  # json.dumps with these options, its encoder made once
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def backend_seed(draw: str) -> int:
    """The sampling seed sent to the backend for a draw key (a 31-bit integer).

    Examples
    --------
    >>> 0 <= backend_seed(draw_key(0, "x")) < 2 ** 31
    True
    """
    # the first 8 hex digits of the SHA-256, read as bytes
    return int.from_bytes(hashlib.sha256(str(draw).encode()).digest()[:4], "big") & 0x7FFFFFFF


_HOST = socket.gethostname()
_START = f"{time.time():.6f}"


def _write_transaction(con: sqlite3.Connection, fn: Any) -> Any:
    """Run ``fn(con)`` in one ``BEGIN IMMEDIATE`` transaction on ``con``, retrying with backoff
    while another process holds the write lock (8 attempts, then the error)."""
    for attempt in range(8):
        try:
            con.execute("BEGIN IMMEDIATE")
            out = fn(con)
            con.execute("COMMIT")
            return out
        except sqlite3.OperationalError:
            if con.in_transaction:
                con.execute("ROLLBACK")
            if attempt == 7:
                raise
            time.sleep(0.02 * 2 ** attempt)
    return None  # pragma: no cover


def owner_id() -> str:
    """This process's identity in the claims table: host, pid and start time."""
    return f"{_HOST}:{os.getpid()}:{_START}"


def _owner_dead(owner: str) -> bool:
    owner = owner.partition("#")[0]  # a process's caches are told apart by "#<token>"
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return owner != owner_id()  # an earlier process that had this pid
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


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
        self._local = threading.local()
        self._queue: queue.Queue | None = None
        self._writer: threading.Thread | None = None
        self._write_error: BaseException | None = None
        self._token = os.urandom(4).hex()

    @property
    def owner(self) -> str:
        """This cache object's identity in the claims table: the process (host, pid, start)
        and a token, so that sessions in threads of one process also wait for each other."""
        return f"{owner_id()}#{self._token}"

    def __repr__(self) -> str:
        return f"Cache({str(self.folder)!r}, mode={self.mode!r})"

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection (opened once per thread and kept)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            return con
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
                con.execute("CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, "
                            "owner TEXT NOT NULL, expires REAL NOT NULL) WITHOUT ROWID")
                self._ready = True
        con.execute("PRAGMA synchronous=NORMAL")
        self._local.con = con
        return con

    def _transaction(self, fn: Any) -> Any:
        """Run ``fn(con)`` in one write transaction, retrying briefly on contention."""
        return _write_transaction(self._connect(), fn)

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Stored replies of the keys that have one (nothing in ``refresh`` or ``off`` mode)."""
        keys = list(dict.fromkeys(keys))
        if self.mode != "use" or not keys:
            return {}
        out: dict[str, dict[str, Any]] = {}
        con = self._connect()
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for key, reply in con.execute(
                    f"SELECT key, reply FROM replies WHERE key IN ({marks})", chunk):
                out[key] = json.loads(reply)
        return out

    def put_many(self, items: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Store ``(key, model_id, reply)`` triples in one transaction (not in ``off`` mode),
        and release this process's claims on them."""
        rows = [(k, m, json.dumps(r, ensure_ascii=False), time.time()) for k, m, r in items]
        if self.mode == "off" or not rows:
            return

        def write(con: sqlite3.Connection) -> None:
            con.executemany("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?)", rows)
            con.executemany("DELETE FROM claims WHERE key = ? AND owner = ?",
                            [(r[0], self.owner) for r in rows])
        self._transaction(write)

    # ---- writing as replies arrive ---------------------------------------------------------
    def put_soon(self, key: str, model_id: str, reply: dict[str, Any]) -> None:
        """Queue one reply for the writer thread, which commits it at once (with whatever else
        arrived during the previous commit). :meth:`drain` waits until all are written."""
        if self.mode == "off":
            return
        with self._lock:
            if self._writer is None or not self._writer.is_alive():
                self._queue = queue.Queue()
                self._writer = threading.Thread(target=self._write_loop, daemon=True,
                                                name="socialkit-cache-writer")
                self._writer.start()
        self._queue.put((key, model_id, reply))

    def _write_loop(self) -> None:
        q = self._queue
        while True:
            first = q.get()
            items = [first]
            while True:
                try:
                    items.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                self.put_many([i for i in items if i is not None])
            except BaseException as err:  # noqa: BLE001 - reported by drain()
                self._write_error = err
            finally:
                for _ in items:
                    q.task_done()

    def drain(self) -> None:
        """Wait until every queued reply is committed (raises if a write failed)."""
        if self._queue is not None:
            self._queue.join()
        if self._write_error is not None:
            err, self._write_error = self._write_error, None
            raise err

    # ---- claims ----------------------------------------------------------------------------
    def claim(self, key: str, lease: float = 60.0) -> str:
        """Try to claim a prompt before calling the model for it.

        Returns ``"stored"`` (its reply is in the cache now), ``"claimed"`` (this process may
        call; the claim lasts ``lease`` seconds unless renewed) or ``"busy"`` (another live
        process is calling for it: wait for its reply).
        """
        if self.mode != "use":
            return "claimed"
        me, now = self.owner, time.time()

        def attempt(con: sqlite3.Connection) -> str:
            if con.execute("SELECT 1 FROM replies WHERE key = ?", (key,)).fetchone():
                return "stored"
            row = con.execute("SELECT owner, expires FROM claims WHERE key = ?",
                              (key,)).fetchone()
            if row is not None and row[0] != me and row[1] > now and not _owner_dead(row[0]):
                return "busy"
            con.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?)", (key, me, now + lease))
            return "claimed"
        return self._transaction(attempt)

    def claim_many(self, keys: Iterable[str], lease: float = 60.0) -> dict[str, str]:
        """:meth:`claim` for many keys in one transaction: key -> "stored", "claimed", "busy"."""
        keys = list(dict.fromkeys(keys))
        if self.mode != "use":
            return dict.fromkeys(keys, "claimed")
        me, now = self.owner, time.time()

        def attempt(con: sqlite3.Connection) -> dict[str, str]:
            out: dict[str, str] = {}
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for (k,) in con.execute(f"SELECT key FROM replies WHERE key IN ({marks})",
                                        chunk):
                    out[k] = "stored"
                for k, owner, expires in con.execute(
                        f"SELECT key, owner, expires FROM claims WHERE key IN ({marks})", chunk):
                    if k not in out and owner != me and expires > now and \
                            not _owner_dead(owner):
                        out[k] = "busy"
            mine = [k for k in keys if k not in out]
            con.executemany("INSERT OR REPLACE INTO claims VALUES (?, ?, ?)",
                            [(k, me, now + lease) for k in mine])
            out.update(dict.fromkeys(mine, "claimed"))
            return out
        return self._transaction(attempt)

    def release(self, keys: Iterable[str]) -> None:
        """Drop this process's claims on keys it will not answer (a failed call)."""
        keys = list(keys)
        if self.mode != "use" or not keys:
            return
        me = self.owner
        self._transaction(lambda con: con.executemany(
            "DELETE FROM claims WHERE key = ? AND owner = ?", [(k, me) for k in keys]))

    def renew(self, keys: Iterable[str], lease: float = 60.0) -> None:
        """Extend this process's claims (the heartbeat of long calls)."""
        keys = list(keys)
        if self.mode != "use" or not keys:
            return
        me, until = self.owner, time.time() + lease
        self._transaction(lambda con: con.executemany(
            "UPDATE claims SET expires = ? WHERE key = ? AND owner = ?",
            [(until, k, me) for k in keys]))

    def stats(self) -> dict[str, Any]:
        """Number of stored replies, per model, and the file size in bytes."""
        if not self.path.exists():
            return {"entries": 0, "models": {}, "bytes": 0, "path": str(self.path)}
        models = dict(self._connect().execute(
            "SELECT model, COUNT(*) FROM replies GROUP BY model"))
        size = sum(p.stat().st_size for p in self.folder.glob("llm-cache.sqlite*"))
        return {"entries": sum(models.values()), "models": models, "bytes": size,
                "path": str(self.path)}

    def clear(self, model: str | None = None) -> int:
        """Delete stored replies (of one model id, or all); returns how many were deleted."""
        if not self.path.exists():
            return 0
        con = self._connect()
        if model is None:
            return con.execute("DELETE FROM replies").rowcount
        return con.execute("DELETE FROM replies WHERE model = ?", (model,)).rowcount


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
