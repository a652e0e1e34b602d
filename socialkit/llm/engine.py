"""The engine behind a :class:`~socialkit.llm.Session`: sends each unique call once, through
cache, claims, limits and retries, and re-asks malformed answers.

A *job* is one prompt (messages + question) with one draw key. Its chain of calls is: look the
call up in the cache; else claim it (so another process sharing the cache does not pay for it
too), reserve its worst-case cost against the budget, wait for the rate limits, call the backend
under the concurrency limit and a timeout (seeded from the draw key, constrained by the
question's grammar or JSON schema where the backend can), retry transient failures with
exponential backoff and jitter; hand the reply to the cache writer at once; parse it; if it is
malformed, re-ask (the conversation then holds the bad reply and what was wrong with it) up to
``reasks`` times; finally record the answer, or *missing* with its reason.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from socialkit.llm.backends import Backend, Reply
from socialkit.llm.cache import Cache, backend_seed, call_key, key_prefix
from socialkit.llm.questions import Question
from socialkit.llm.runner import (
    Accountant,
    BudgetExceeded,
    CallFailed,
    Limits,
    Reservation,
    TokenBucket,
    Usage,
    estimate_tokens,
    retry_after,
    retryable,
)

__all__ = ["Outcome", "Engine"]

LEASE = 60.0  # seconds a claim lasts unless its heartbeat renews it


@dataclass
class Outcome:
    """What one job produced."""

    value: Any = None
    status: str = "missing"
    reason: str = ""
    text: str | None = None
    dist: dict | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    cached: bool = False
    calls: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def rejects_logprobs(err: BaseException) -> bool:
    """Whether an error is a server's refusal of log-probabilities (HTTP 400 naming them).

    Examples
    --------
    >>> class BadRequest(Exception):
    ...     status_code = 400
    >>> rejects_logprobs(BadRequest("logprobs is not supported")), rejects_logprobs(ValueError())
    (True, False)
    """
    return _status(err) == 400 and "logprob" in str(err).lower()


def _status(err: BaseException) -> int | None:
    """The HTTP status of a client error, where it has one."""
    status = getattr(err, "status_code", None)
    if status is None:
        status = getattr(getattr(err, "response", None), "status_code", None)
    return status


def rejects_structure(err: BaseException) -> bool:
    """Whether an error is a server's refusal of structured output (HTTP 400 naming it)."""
    text = str(err).lower()
    return _status(err) == 400 and any(w in text for w in ("response_format", "json_schema",
                                                     "structured", "grammar"))


def repair_message(question: Question, reason: str) -> str:
    """The follow-up sent after a malformed answer."""
    last = question.instructions().strip().splitlines()[-1]
    return f"That answer is not valid ({reason}). {last}"


class Engine:
    """Runs jobs for one session; holds its limits, budget, cache and counters."""

    def __init__(self, backend: Backend, cache: Cache, limits: Limits, usage: Usage,
                 price: tuple[float, float] | None, budget: float | None, reasks: int,
                 temperature: float | None, logprobs: bool, seed: int = 0, *,
                 top_p: float | None = None, constrain: bool = True):
        self.backend, self.cache, self.limits, self.usage = backend, cache, limits, usage
        self.acct = Accountant(price, budget, usage)
        self.reasks, self.temperature, self.logprobs = reasks, temperature, logprobs
        self.top_p, self.constrain = top_p, constrain
        self.rng = random.Random(seed)
        self.prefetched: dict[str, dict] = {}
        self.checked: set[str] = set()  # keys already looked up in the cache
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem: asyncio.Semaphore | None = None
        self._settled: asyncio.Condition | None = None
        self.rpm = TokenBucket(limits.rpm) if limits.rpm else None
        self.tpm = TokenBucket(limits.tpm) if limits.tpm else None
        self.on_done: Callable[[], None] | None = None
        self.fatal: dict[str, int] = {}  # errors not worth retrying (bad request, bug, ...)
        self.logprobs_rejected = False  # the backend refused log-probabilities (HTTP 400)
        self.structure_rejected = False  # the backend refused structured output (HTTP 400)
        self.inflight: dict[str, asyncio.Future] = {}
        self.owned: set[str] = set()  # keys this engine has claimed and not yet answered
        self._heartbeat: asyncio.Task | None = None
        self.waited = 0  # calls answered by another process that had claimed them
        self._constraints: dict[int, tuple] = {}
        self._params: dict[tuple, tuple] = {}
        self._prefixes: dict[tuple, tuple] = {}

    def constraint(self, question: Question) -> dict[str, Any] | None:
        """How the backend is asked to constrain this question's reply, or None."""
        if not self.constrain or self.structure_rejected:
            return None
        hit = self._constraints.get(id(question))
        if hit is None or hit[0] is not question:  # grammars and schemas built once a question
            hit = (question, self.backend.constraint(question))
            self._constraints[id(question)] = hit
        return hit[1]

    def params(self, question: Question) -> dict[str, Any]:
        """Generation parameters of a question's calls (part of the cache key)."""
        memo = (id(question), self.structure_rejected, self.logprobs)
        hit = self._params.get(memo)
        if hit is not None and hit[0] is question:
            return dict(hit[1])
        p = self._params_of(question)
        self._params[memo] = (question, p)
        return dict(p)

    def _params_of(self, question: Question) -> dict[str, Any]:
        p = self.backend.params(self.temperature, question.max_tokens)
        if self.top_p is not None:
            p["top_p"] = self.top_p
        p["logprobs"] = self.wants_logprobs(question)
        c = self.constraint(question)
        if c is not None:
            p["constraint"] = c["id"]
        return p

    def wants_logprobs(self, question: Question) -> bool:
        """Log-probabilities are asked for closed questions, where the backend has them."""
        return self.logprobs and question.closed and self.backend.logprobs

    def key(self, question: Question, messages: list[dict[str, str]], draw: str,
            encoded: str | None = None) -> str:
        model_id = self.backend.model_id
        memo = (id(question), self.structure_rejected, self.logprobs, model_id)
        hit = self._prefixes.get(memo)
        if hit is None or hit[0] is not question:  # model and parameters encoded once
            params = self.params(question)
            hit = self._prefixes[memo] = (question, key_prefix(model_id, params), params)
        return call_key(model_id, hit[2], messages, draw, prefix=hit[1], encoded=encoded)

    # ---- cache -------------------------------------------------------------------------------
    def prefetch(self, keys: list[str]) -> None:
        """Load the stored replies of many keys in one query."""
        self.prefetched.update(self.cache.get_many(keys))
        self.checked.update(keys)

    def flush(self) -> None:
        """Wait until every reply received so far is committed to the cache."""
        self.cache.drain()

    def _stored(self, key: str) -> Reply | None:
        d = self.prefetched.pop(key, None)
        if d is None and self.cache.mode == "use" and key not in self.checked:
            d = self.cache.get_many([key]).get(key)  # a re-ask: not prefetched
        return Reply.from_json(d) if d is not None else None

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # asyncio primitives belong to one loop
            n = min(self.limits.concurrency, self.backend.max_concurrency or 10 ** 9)
            self._sem, self._settled = asyncio.Semaphore(n), asyncio.Condition()
            self._loop, self.inflight, self._heartbeat = loop, {}, None
            if self.rpm is not None:
                self.rpm = TokenBucket(self.limits.rpm)
            if self.tpm is not None:
                self.tpm = TokenBucket(self.limits.tpm)

    async def _beat(self) -> None:
        """Renew this engine's claims while it holds any (so long calls keep them)."""
        while self.owned:
            await asyncio.sleep(LEASE / 3)
            try:
                self.cache.renew(list(self.owned), LEASE)
            except Exception:  # noqa: BLE001 - a missed beat only risks a duplicate call
                pass
        self._heartbeat = None

    def claim_many(self, keys: list[str]) -> None:
        """Claim a batch's keys in one transaction before its calls start (those another
        process holds are waited for, one by one, when their turn comes)."""
        if self.cache.mode != "use" or not keys:
            return
        states = self.cache.claim_many(keys, LEASE)
        mine = [k for k, v in states.items() if v == "claimed"]
        self.owned.update(mine)
        if mine and self._heartbeat is None:
            self._heartbeat = asyncio.ensure_future(self._beat())

    async def _claim(self, key: str) -> Reply | None:
        """Claim a key before calling for it; when another process holds it, wait for its
        reply (returned) or for its claim to lapse. None: this engine may call."""
        if self.cache.mode != "use" or key in self.owned:
            return None
        delay = 0.02
        while True:
            state = self.cache.claim(key, LEASE)
            if state == "claimed":
                self.owned.add(key)
                if self._heartbeat is None:
                    self._heartbeat = asyncio.ensure_future(self._beat())
                return None
            if state == "stored":
                d = self.cache.get_many([key]).get(key)
                if d is not None:
                    self.waited += 1
                    return Reply.from_json(d)
            await asyncio.sleep(delay)
            delay = min(1.0, delay * 1.5)

    # ---- one call ----------------------------------------------------------------------------
    async def _reserve(self, estimate: int, max_tokens: int) -> Reservation:
        pause = 0.02
        while True:
            try:
                return self.acct.reserve(estimate, max_tokens)
            except BudgetExceeded as err:
                if self.acct.open > 0:  # a call of this session in flight may free room
                    async with self._settled:
                        await self._settled.wait()
                elif getattr(err, "pending", False):  # other processes' calls in flight
                    await asyncio.sleep(pause)
                    pause = min(0.5, pause * 1.5)
                else:  # nothing in flight could free room: stop
                    raise

    async def _settle(self, reserved: Reservation, reply: Reply | None) -> float:
        cost = self.acct.settle(reserved, *((reply.prompt_tokens, reply.completion_tokens)
                                            if reply is not None else ()))
        if self.acct.budget is not None or self.acct.ledger is not None:  # wake calls waiting
            # for room in the budget
            async with self._settled:
                self._settled.notify_all()
        return cost

    async def call(self, key: str, messages: list[dict[str, str]], question: Question,
                   draw: str, sample: int = 0) -> tuple[Reply, bool, float]:
        """One call through cache, claims, budget, rate limits, concurrency, timeout and
        retries. Returns the reply, whether the cache served it, and what it cost."""
        stored = self._stored(key)
        if stored is not None:
            self.usage.cache_hits += 1
            return stored, True, 0.0
        self._bind_loop()
        twin = self.inflight.get(key)
        if twin is not None:  # the same call is already on its way in this session
            reply = await asyncio.shield(twin)
            self.usage.cache_hits += 1
            return reply, True, 0.0
        fut = asyncio.get_running_loop().create_future()
        self.inflight[key] = fut
        try:
            result = await self._call(key, messages, question, draw, sample)
        except BaseException as err:
            if not fut.done():
                fut.set_exception(err if isinstance(err, Exception) else CallFailed("cancelled"))
                fut.exception()  # retrieved: no "never retrieved" warning
            raise
        finally:
            self.inflight.pop(key, None)
        fut.set_result(result[0])
        return result

    async def _call(self, key: str, messages: list[dict[str, str]], question: Question,
                    draw: str, sample: int) -> tuple[Reply, bool, float]:
        other = await self._claim(key)
        if other is not None:
            self.usage.cache_hits += 1
            return other, True, 0.0
        try:
            return await self._send(key, messages, question, draw, sample)
        finally:
            if key in self.owned:  # not answered: let another process have it
                self.owned.discard(key)
                try:
                    self.cache.release([key])
                except Exception:  # noqa: BLE001 - the lease lapses anyway
                    pass

    async def _send(self, key: str, messages: list[dict[str, str]], question: Question,
                    draw: str, sample: int) -> tuple[Reply, bool, float]:
        estimate = estimate_tokens(messages)
        max_tokens = question.max_tokens
        params = self.params(question)  # the cache key keeps the parameters as planned
        constraint = self.constraint(question)
        seed = backend_seed(draw)
        last = "no attempt"
        for attempt in range(self.limits.retries + 1):
            reserved = await self._reserve(estimate, max_tokens)
            try:
                if self.rpm is not None:
                    await self.rpm.take(1)
                if self.tpm is not None:
                    await self.tpm.take(estimate + max_tokens)
                sent_constraint, sent_logprobs = constraint, params["logprobs"]
                async with self._sem:
                    # decided once a slot is free: an earlier call may have found the server
                    # refusing log-probabilities or structured output
                    sent_constraint = None if self.structure_rejected else constraint
                    sent_logprobs = params["logprobs"] and not self.logprobs_rejected
                    done, reply = _first_step(self.backend.acall(
                        messages, temperature=params["temperature"], max_tokens=max_tokens,
                        seed=seed, sample=sample, top_p=self.top_p,
                        constraint=sent_constraint, logprobs=sent_logprobs))
                    if not done:  # it waits (for a server, a thread): under the timeout
                        async with asyncio.timeout(self.limits.timeout):
                            reply = await reply
            except asyncio.CancelledError:
                await self._settle(reserved, None)
                raise
            except Exception as err:  # noqa: BLE001 - classified below
                await self._settle(reserved, None)
                ok, last = retryable(err)
                self.usage.failed_attempts += 1
                self.usage.errors[last] = self.usage.errors.get(last, 0) + 1
                if not ok and sent_logprobs and rejects_logprobs(err):
                    # many OpenAI-compatible servers refuse logprobs: ask without them from
                    # now on (distributions then come from samples) instead of failing
                    self.logprobs_rejected = True
                    continue
                if not ok and sent_constraint is not None and rejects_structure(err):
                    self.structure_rejected = True  # prompt-and-parse from now on
                    continue
                if not ok:
                    self.fatal[last] = self.fatal.get(last, 0) + 1
                    raise CallFailed(last) from None
                if attempt < self.limits.retries:
                    self.usage.retries += 1
                    wait = retry_after(err)
                    delay = self.limits.delay(attempt, self.rng)
                    await asyncio.sleep(min(wait, self.limits.max_backoff) if wait else delay)
                continue
            cost = await self._settle(reserved, reply)
            if self.tpm is not None:
                self.tpm.settle(estimate + max_tokens,
                                reply.prompt_tokens + reply.completion_tokens)
            self.owned.discard(key)  # the writer's commit releases the claim
            self.cache.put_soon(key, self.backend.model_id, reply.to_json())
            return reply, False, cost
        raise CallFailed(f"{last} after {self.limits.retries + 1} tries")

    # ---- one job -----------------------------------------------------------------------------
    def finish(self, question: Question, reply: Reply, out: Outcome, attempt: int) -> bool:
        """Parse a reply into ``out``; True when the job is done (valid answer)."""
        out.text = reply.text
        if question.closed and reply.top_logprobs and attempt == 0:
            # the distribution of the question as asked (a re-ask is conditioned on a bad reply)
            out.dist = question.distribution(reply.top_logprobs)
        parsed = question.parse(reply.text)
        if parsed.ok:
            out.value, out.status, out.reason = parsed.value, \
                ("ok" if attempt == 0 else "repaired"), ""
            return True
        out.reason = parsed.reason
        return False

    def add(self, out: Outcome, reply: Reply, cached: bool, cost: float) -> None:
        out.calls += 1
        if not cached:  # tokens and cost spent by this run (a cache hit spends nothing)
            out.prompt_tokens += reply.prompt_tokens
            out.completion_tokens += reply.completion_tokens
            out.cost += cost
        out.cached = out.cached and cached

    def try_cached(self, question: Question, messages: list[dict[str, str]], key: str
                   ) -> Outcome | None:
        """Answer a job synchronously when its first call is cached and valid (fast replay)."""
        d = self.prefetched.get(key)
        if d is None:
            return None
        reply = Reply.from_json(d)
        out = Outcome(cached=True)
        self.add(out, reply, True, 0.0)
        if not self.finish(question, reply, out, 0):
            return None
        del self.prefetched[key]
        self.usage.cache_hits += 1
        return out

    async def job(self, question: Question, messages: list[dict[str, str]], draw: str,
                  key: str | None = None, sample: int = 0) -> Outcome:
        """Ask, re-ask malformed answers, and return the outcome (never raises for a failed
        call: the outcome is then missing with the reason)."""
        out = Outcome(cached=True)
        try:
            for attempt in range(self.reasks + 1):
                if attempt:
                    self.usage.reasks += 1
                d = draw if attempt == 0 else f"{draw}/{attempt}"
                k = key if (attempt == 0 and key) else self.key(question, messages, d)
                try:
                    reply, cached, cost = await self.call(k, messages, question, d, sample)
                except BudgetExceeded as err:
                    self.usage.budget_stopped += 1
                    return self._missing(out, f"not asked: {err}")
                except CallFailed as err:
                    return self._missing(out, f"call failed: {err}")
                self.add(out, reply, cached, cost)
                if self.finish(question, reply, out, attempt):
                    return out
                messages = [*messages, {"role": "assistant", "content": reply.text},
                            {"role": "user", "content": repair_message(question, out.reason)}]
            return self._missing(out, f"invalid after {self.reasks + 1} tries: {out.reason}")
        finally:
            if self.on_done is not None:
                self.on_done()

    @staticmethod
    def _missing(out: Outcome, reason: str) -> Outcome:
        out.value, out.status, out.reason = None, "missing", reason
        if out.calls == 0:
            out.cached = False
        return out


def _first_step(coro: Any) -> tuple[bool, Any]:
    """Run a coroutine up to its first wait: ``(True, its result)`` when it finishes without
    waiting (an in-process scripted model: no timer to arm), else ``(False, an awaitable of
    the rest)``, awaited like the coroutine itself (values, exceptions and cancellation pass
    through)."""
    try:
        waits_on = coro.send(None)
    except StopIteration as stop:
        return True, stop.value
    return False, _Rest(coro, waits_on)


class _Rest:
    """The rest of a coroutine that has waited once (see :func:`_first_step`)."""

    __slots__ = ("coro", "waits_on")

    def __init__(self, coro: Any, waits_on: Any):
        self.coro, self.waits_on = coro, waits_on

    def __await__(self) -> Any:
        coro, waits_on = self.coro, self.waits_on
        while True:
            try:
                sent = yield waits_on
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - thrown in (cancellation): passed on
                try:
                    waits_on = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    waits_on = coro.send(sent)
                except StopIteration as stop:
                    return stop.value
