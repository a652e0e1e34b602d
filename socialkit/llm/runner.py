"""The call runner: concurrency and rate limits, retries with backoff, token and cost accounting.

Everything here is asyncio. :func:`run_sync` runs a coroutine from ordinary code *and* from a
Jupyter cell (where an event loop is already running) on socialkit's own event loop in a worker
thread, so no ``nest_asyncio`` is needed and HTTP connection pools survive between calls.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import threading
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["PRICES", "TokenBucket", "Usage", "Limits", "BudgetExceeded", "CallFailed",
           "Reservation", "run_sync", "retryable", "estimate_tokens"]

PRICES: dict[str, tuple[float, float]] = {
    # US dollars per million (input, output) tokens; list prices as of 2025. Edit freely:
    # ``socialkit.llm.PRICES["my-model"] = (0.5, 1.5)``. Local and scripted models cost 0.
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "claude-3-5-haiku-latest": (0.80, 4.00),
    "claude-3-5-sonnet-latest": (3.00, 15.00),
}


class BudgetExceeded(Exception):
    """A call was not sent because it could overspend the budget."""


class CallFailed(Exception):
    """A call failed for good (after its retries); the message says why."""


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """A generous estimate of a prompt's tokens (3 UTF-8 bytes a token, plus framing).

    Tokenizers give about 4 characters of English a token and about one token per character of
    most other scripts (2 to 3 bytes each), so this errs on the high side: the budget reserves it.

    Examples
    --------
    >>> estimate_tokens([{"role": "user", "content": "How are you today?"}])
    14
    """
    return sum(len(m["content"].encode("utf-8")) // 3 + 8 for m in messages)


class TokenBucket:
    """A token bucket refilled at ``per_minute`` / 60 per second, holding one second's worth.

    Parameters
    ----------
    per_minute : float
        Sustained rate (requests or tokens per minute).

    Examples
    --------
    >>> import asyncio
    >>> bucket = TokenBucket(6000)          # 100 per second
    >>> asyncio.run(bucket.take(50))        # within the burst: no wait
    0.0
    """

    def __init__(self, per_minute: float):
        if isinstance(per_minute, bool) or not isinstance(per_minute, int | float) \
                or not per_minute > 0:
            raise ValueError(f"a rate limit must be a positive number per minute, got "
                             f"{per_minute!r}")
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self.level = self.capacity
        self.stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    async def take(self, n: float) -> float:
        """Wait until ``n`` units are available and take them; returns the seconds waited."""
        n = min(float(n), self.capacity)
        waited = 0.0
        while True:
            self._refill()
            if self.level >= n:
                self.level -= n
                return round(waited, 6)
            pause = (n - self.level) / self.rate
            waited += pause
            await asyncio.sleep(pause)

    def give(self, n: float) -> None:
        """Return ``n`` unused units (e.g. tokens reserved but not spent)."""
        self._refill()
        self.level = min(self.capacity, self.level + max(0.0, float(n)))

    def settle(self, taken: float, used: float) -> None:
        """After a call: give back what was taken but not used, or charge what was used beyond
        it (the bucket may then go below zero, and later takers wait longer)."""
        taken = min(float(taken), self.capacity)
        if used <= taken:
            self.give(taken - used)
        else:
            self._refill()
            self.level -= float(used) - taken


def retryable(exc: BaseException) -> tuple[bool, str]:
    """Whether an error is worth retrying (timeouts, connection errors, 408/409/429/5xx) and a
    short reason naming it.

    Examples
    --------
    >>> retryable(TimeoutError())
    (True, 'timeout')
    >>> retryable(ValueError("bad request"))
    (False, 'ValueError: bad request')
    """
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return True, "timeout"
    if isinstance(status, int):
        return status in (408, 409, 429) or status >= 500, f"HTTP {status}"
    if isinstance(exc, RuntimeError) and ("loop is closed" in str(exc)
                                          or "different event loop" in str(exc)):
        return True, "stale connection of another event loop"
    if isinstance(exc, ConnectionError) or "Connection" in name:
        return True, f"connection error ({name})"
    return False, f"{name}: {str(exc)[:200]}"


def retry_after(exc: BaseException) -> float | None:
    """Seconds asked for by a ``Retry-After`` header of a failed response, if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    try:
        value = headers.get("retry-after-ms")
        if value is not None:
            return float(value) / 1000
        value = headers.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class Limits:
    """How calls are sent: concurrency, rate limits, timeout, retries and backoff.

    Parameters
    ----------
    concurrency : int
        Calls in flight at once.
    rpm, tpm : float, optional
        Requests and tokens per minute (token buckets); None for no limit.
    timeout : float
        Seconds before a call is abandoned (and retried).
    retries : int
        Retries of a call after a timeout, a 429, a 5xx or a connection error.
    backoff : float
        First backoff in seconds; doubles each retry, with jitter, up to ``max_backoff``.

    Examples
    --------
    >>> Limits(concurrency=8).concurrency
    8
    """

    concurrency: int = 16
    rpm: float | None = None
    tpm: float | None = None
    timeout: float = 60.0
    retries: int = 6
    backoff: float = 0.5
    max_backoff: float = 30.0

    def __post_init__(self) -> None:
        c = self.concurrency
        if isinstance(c, bool) or not isinstance(c, int) or c < 1:
            raise ValueError(f"concurrency must be a positive integer, got {c!r}")
        r = self.retries
        if isinstance(r, bool) or not isinstance(r, int) or r < 0:
            raise ValueError(f"retries must be a non-negative integer, got {r!r}")
        for name in ("timeout", "backoff", "max_backoff"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {v!r}")
        for name in ("rpm", "tpm"):
            if getattr(self, name) is not None:
                TokenBucket(getattr(self, name))  # validates

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Backoff before retry number ``attempt`` (0-based): exponential with full jitter."""
        return min(self.max_backoff, self.backoff * 2 ** attempt) * (0.5 + rng.random())


@dataclass
class Usage:
    """Counters of one ``ask``: calls, cache hits, tokens, cost and failures.

    Examples
    --------
    >>> u = Usage(calls=3, prompt_tokens=30, completion_tokens=3, cost=0.001)
    >>> u.tokens
    33
    """

    jobs: int = 0
    unique: int = 0
    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    reasks: int = 0
    failed_attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    missing: int = 0
    budget_stopped: int = 0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens spent (cache hits excluded)."""
        return self.prompt_tokens + self.completion_tokens

    @property
    def calls_saved(self) -> int:
        """Jobs answered by sharing an identical prompt instead of a call of their own."""
        return self.jobs - self.unique

    def as_dict(self) -> dict[str, Any]:
        """All counters, plus ``tokens`` and ``calls_saved``."""
        return {**asdict(self), "tokens": self.tokens, "calls_saved": self.calls_saved}


class Accountant:
    """Charges calls at a price and enforces a budget by reserving each call's worst case.

    Inside a :func:`socialkit.llm.shared_budget` block (a sweep's workers), each reservation is
    also made in the shared :class:`socialkit.llm.Ledger`, so one total holds across processes.
    """

    def __init__(self, price: tuple[float, float] | None, budget: float | None,
                 usage: Usage):
        from socialkit.llm.ledger import current_ledger

        if budget is not None:
            if isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0:
                raise ValueError(f"budget must be a non-negative amount of money, got {budget!r}")
            if price is None:
                raise ValueError("a budget needs a price for the model: set "
                                 "socialkit.llm.PRICES[name] = (input, output) per 1M tokens")
        self.ledger = current_ledger()
        if self.ledger is not None and price is None:
            raise ValueError("a shared budget (a sweep's budget=) needs a price for the model: "
                             "set socialkit.llm.PRICES[name] = (input, output) per 1M tokens, "
                             "or from_langchain(..., price=(input, output))")
        self.price, self.budget, self.usage = price, budget, usage
        self.reserved = 0.0
        self.open = 0  # reservations not yet settled (a count: float sums leave residues)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        if self.price is None:
            return 0.0
        return (prompt_tokens * self.price[0] + completion_tokens * self.price[1]) / 1e6

    def reserve(self, prompt_estimate: int, max_tokens: int) -> Reservation:
        """Reserve a call's worst-case cost; raises BudgetExceeded if it could overspend (this
        session's budget, or the shared ledger's)."""
        worst = self.cost(prompt_estimate, max_tokens)
        if self.budget is not None and self.usage.cost + self.reserved + worst > self.budget:
            raise BudgetExceeded(f"budget {self.budget:g} would be exceeded "
                                 f"(spent {self.usage.cost:.6g})")
        entry = self.ledger.reserve(worst, str(id(self))) if self.ledger is not None else None
        self.reserved += worst
        self.open += 1
        return Reservation(worst, entry)

    def settle(self, reserved: Reservation | float, prompt_tokens: int | None = None,
               completion_tokens: int | None = None) -> float:
        """Release a reservation and charge what the call really used (nothing if it failed)."""
        if not isinstance(reserved, Reservation):
            reserved = Reservation(float(reserved))
        self.open -= 1
        self.reserved = self.reserved - reserved.amount if self.open else 0.0
        c = 0.0 if prompt_tokens is None else self.cost(prompt_tokens, completion_tokens or 0)
        if reserved.entry is not None:
            self.ledger.settle(reserved.entry, c)
        if prompt_tokens is None:
            return 0.0
        self.usage.cost += c
        self.usage.calls += 1
        self.usage.prompt_tokens += prompt_tokens
        self.usage.completion_tokens += completion_tokens or 0
        return c


@dataclass(frozen=True)
class Reservation:
    """A call's reserved worst-case cost and, under a shared budget, its ledger entry."""

    amount: float
    entry: int | None = None


# ---- running coroutines from sync code and from Jupyter ---------------------------------------
_LOOP: asyncio.AbstractEventLoop | None = None
_LOOP_LOCK = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None or _LOOP.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True,
                             name="socialkit-llm-loop").start()
            _LOOP = loop
        return _LOOP


def run_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from synchronous code, also inside Jupyter.

    The coroutine runs on socialkit's event loop in a daemon thread (one per process, so async
    HTTP clients keep their connections between calls). Interrupting (Ctrl-C, the Jupyter stop
    button) cancels it.

    Examples
    --------
    >>> import asyncio
    >>> async def twice(x):
    ...     await asyncio.sleep(0)
    ...     return 2 * x
    >>> run_sync(twice(21))
    42
    """
    loop = _background_loop()
    if threading.current_thread().name == "socialkit-llm-loop":
        coro.close()
        raise RuntimeError("run_sync called from socialkit's own event loop; await instead")
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result()
    except (KeyboardInterrupt, concurrent.futures.CancelledError):
        future.cancel()
        try:
            future.result(timeout=30)
        except BaseException:  # noqa: BLE001 - we are unwinding an interrupt
            pass
        raise
