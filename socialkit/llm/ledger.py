"""A money budget shared by several processes: a ledger in one SQLite file.

Every :class:`~socialkit.llm.Session` enforces its own ``budget``. When many sessions run at once
in several processes (a sweep on local processes or a Dask cluster), one total must hold for all
of them: a :class:`Ledger` keeps that total. Before each call a session *reserves* the call's
worst-case cost (prompt estimate plus ``max_tokens`` at the model's price) in one write
transaction that first checks ``spent + reserved + worst <= budget``; after the call it *settles*
the reservation at what the call really cost. Cached replies cost nothing and never touch the
ledger. A reservation whose process died (kill -9 during a call) is charged in full: the provider
may have billed the call, so the ledger errs on the side of the budget.

Inside ``with shared_budget(ledger):`` every session created in that context (in this thread)
charges the ledger as well as its own budget; :func:`socialkit.experiments.sweep` sets it up
in each worker. The file needs a file system where SQLite's locks work (a local disk; a
shared file system with working POSIX locks when workers run on several hosts).

Examples
--------
>>> import tempfile, socialkit as sk
>>> ledger = sk.llm.Ledger(tempfile.mkdtemp(), budget=0.01)
>>> r = ledger.reserve(0.004)
>>> ledger.settle(r, 0.001)
>>> ledger.spent(), ledger.remaining()
(0.001, 0.009)
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from socialkit.llm.cache import _owner_dead, _write_transaction, owner_id
from socialkit.llm.runner import BudgetExceeded

__all__ = ["Ledger", "shared_budget", "current_ledger"]

LEASE = 600.0  # seconds after which an open reservation counts as lost (charged in full)
_ACTIVE: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar(
    "socialkit_shared_budget", default=None)


class LedgerExceeded(BudgetExceeded):
    """The shared budget cannot cover a call now; ``pending`` says whether reservations of
    other calls are open (when they settle below their worst case, room may come back)."""

    def __init__(self, message: str, pending: bool):
        super().__init__(message)
        self.pending = pending


class Ledger:
    """The shared budget of many sessions in many processes (``budget.sqlite`` in ``folder``).

    Parameters
    ----------
    folder : str or Path
        Folder of the ledger file (created when absent); every process opens the same one.
    budget : float, optional
        Total money (US dollars) all sessions together may spend. Given, it is stored in the
        file (a later value replaces it, e.g. to raise the budget before resuming); None reads
        the stored one.

    Examples
    --------
    >>> import tempfile
    >>> ledger = Ledger(tempfile.mkdtemp(), budget=1.0)
    >>> ledger.reserve(2.0)
    Traceback (most recent call last):
    ...
    socialkit.llm.ledger.LedgerExceeded: shared budget 1 would be exceeded (spent 0, reserved 0, this call up to 2)
    """

    def __init__(self, folder: str | os.PathLike, budget: float | None = None):
        if not isinstance(folder, str | os.PathLike):
            raise TypeError(f"Ledger folder must be a path, got {type(folder).__name__}")
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)
                                   or not budget >= 0):
            raise ValueError(f"budget must be a non-negative amount of money, got {budget!r}")
        self.folder = Path(folder)
        self.path = self.folder / "budget.sqlite"
        self._con: sqlite3.Connection | None = None
        self._pid = None
        self.refused = 0  # reservations this process was refused
        if budget is not None:
            self._transaction(lambda con: con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('budget', ?)", (float(budget),)))
        elif self.budget is None:
            raise ValueError(f"{self.path} holds no budget yet: pass budget=")

    def __repr__(self) -> str:
        return f"Ledger({str(self.folder)!r}, budget={self.budget:g}, spent={self.spent():.6g})"

    def __getstate__(self) -> dict[str, Any]:  # a worker opens its own connection
        return {"folder": self.folder, "path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.folder, self.path = state["folder"], state["path"]
        self._con, self._pid, self.refused = None, None, 0

    def _connect(self) -> sqlite3.Connection:
        if self._con is None or self._pid != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=60.0, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA busy_timeout=60000")
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL)")
            con.execute("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, "
                        "owner TEXT NOT NULL, reserved REAL NOT NULL, spent REAL NOT NULL, "
                        "state TEXT NOT NULL, expires REAL NOT NULL)")
            self._con, self._pid = con, os.getpid()
        return self._con

    def _transaction(self, fn: Any) -> Any:
        return _write_transaction(self._connect(), fn)

    @property
    def budget(self) -> float | None:
        """The total budget stored in the file."""
        row = self._connect().execute("SELECT value FROM meta WHERE key='budget'").fetchone()
        return None if row is None else float(row[0])

    @staticmethod
    def _expire(con: sqlite3.Connection, now: float) -> None:
        """Open reservations of dead processes, or past their lease, are charged in full."""
        rows = con.execute("SELECT id, owner, expires FROM entries WHERE state='open'").fetchall()
        lost = [i for i, owner, expires in rows
                if expires < now or _owner_dead(owner.partition("#")[0])]
        con.executemany("UPDATE entries SET spent=reserved, reserved=0, state='lost' "
                        "WHERE id=?", [(i,) for i in lost])

    def reserve(self, amount: float, holder: str = "") -> int:
        """Reserve ``amount`` for one call; returns the reservation's id. ``holder`` names the
        session within this process (its reservations are its own, not others').

        Raises
        ------
        LedgerExceeded
            (a :class:`socialkit.llm.runner.BudgetExceeded`) when spent plus reserved plus
            ``amount`` would pass the budget.
        """
        amount = float(amount)
        me, now = f"{owner_id()}#{holder}", time.time()

        def attempt(con: sqlite3.Connection) -> int | tuple[float, float, bool]:
            self._expire(con, now)
            budget = con.execute("SELECT value FROM meta WHERE key='budget'").fetchone()[0]
            spent, reserved = con.execute(
                "SELECT COALESCE(SUM(spent), 0), COALESCE(SUM(reserved), 0) FROM entries"
            ).fetchone()
            if spent + reserved + amount > budget + 1e-12:
                others = con.execute("SELECT COUNT(*) FROM entries WHERE state='open' AND "
                                     "owner != ?", (me,)).fetchone()[0]
                return spent, reserved, others > 0
            cur = con.execute("INSERT INTO entries (owner, reserved, spent, state, expires) "
                              "VALUES (?, ?, 0, 'open', ?)", (me, amount, now + LEASE))
            return int(cur.lastrowid)
        out = self._transaction(attempt)
        if isinstance(out, tuple):
            self.refused += 1
            spent, reserved, pending = out
            raise LedgerExceeded(f"shared budget {self.budget:g} would be exceeded (spent "
                                 f"{spent:.6g}, reserved {reserved:.6g}, this call up to "
                                 f"{amount:.6g})", pending)
        return out

    def settle(self, reservation: int, spent: float) -> None:
        """Close a reservation at what the call cost (0 for a call that failed unanswered)."""
        self._transaction(lambda con: con.execute(
            "UPDATE entries SET spent=?, reserved=0, state='done' WHERE id=?",
            (float(spent), int(reservation))))

    def spent(self) -> float:
        """Money spent so far by every process (lost reservations counted in full)."""
        row = self._connect().execute("SELECT COALESCE(SUM(spent), 0) FROM entries").fetchone()
        return round(float(row[0]), 12)

    def remaining(self) -> float:
        """Budget minus spent minus open reservations."""
        con = self._connect()
        spent, reserved = con.execute("SELECT COALESCE(SUM(spent), 0), "
                                      "COALESCE(SUM(reserved), 0) FROM entries").fetchone()
        return round(self.budget - spent - reserved, 12)

    def summary(self) -> dict[str, Any]:
        """Budget, spent, reserved, and the number of settled, open and lost reservations."""
        con = self._connect()
        counts = dict(con.execute("SELECT state, COUNT(*) FROM entries GROUP BY state"))
        spent, reserved = con.execute("SELECT COALESCE(SUM(spent), 0), "
                                      "COALESCE(SUM(reserved), 0) FROM entries").fetchone()
        return {"budget": self.budget, "spent": round(spent, 12), "reserved": round(reserved, 12),
                "calls": counts.get("done", 0), "open": counts.get("open", 0),
                "lost": counts.get("lost", 0)}


@contextlib.contextmanager
def shared_budget(ledger: Ledger | None) -> Iterator[Ledger | None]:
    """Sessions created inside this block (in this thread) also charge ``ledger``.

    Examples
    --------
    >>> import tempfile, socialkit as sk
    >>> ledger = sk.llm.Ledger(tempfile.mkdtemp(), budget=0.0)
    >>> m = sk.llm.scripted(lambda msgs: "4")
    >>> with sk.llm.shared_budget(ledger):
    ...     out = sk.ask(["a nurse"], sk.Likert("Taxes are too high."), model=m, cache=False,
    ...                  progress=False)
    >>> out["status"].tolist(), ledger.summary()["calls"]
    (['ok'], 1)
    """
    if ledger is not None and not isinstance(ledger, Ledger):
        raise TypeError(f"shared_budget needs a socialkit.llm.Ledger, got {type(ledger).__name__}")
    token = _ACTIVE.set(ledger)
    try:
        yield ledger
    finally:
        _ACTIVE.reset(token)


def current_ledger() -> Ledger | None:
    """The ledger of the enclosing :func:`shared_budget` block, if any."""
    return _ACTIVE.get()
