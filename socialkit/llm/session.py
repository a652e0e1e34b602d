"""``Session``: one model, cache, set of limits, budget, usage account and seed for many rounds.

A session is the seam between socialkit's callers and the models. :func:`socialkit.ask` is a
one-shot session; a simulation keeps one session for all its steps, so the budget, the usage
record and the rate limits span the whole run. Every call has a *draw key*, derived from the
session's seed and the call's identity (for ``ask``: agent, question, sample; for a simulation:
step, agent, purpose). The draw key enters the cache key and seeds the backend's sampling, so the
same seed replays exactly and another seed gives independent draws.

Sharing (``share``)
-------------------
``"auto"`` (default): agents whose prompts are identical share one reply only when decoding is
greedy (temperature 0), where their replies would be identical anyway; sampled answers are drawn
independently per agent. ``"prompt"``: identical prompts always share one reply per sample
(fewer calls, but the agents' answers are then perfectly correlated: use it for cost, not for
variance estimates). ``"none"``: never share, even at temperature 0.
"""

from __future__ import annotations

import asyncio
import copy
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import pandas as pd

from socialkit.llm import backends as _backends
from socialkit.llm.ask import SYSTEM_PROMPT, _assemble, _check_int, _Plan, _price
from socialkit.llm.backends import _check_messages, check_generation
from socialkit.llm.cache import draw_key, messages_json
from socialkit.llm.cache import resolve as _resolve_cache
from socialkit.llm.engine import Engine, Outcome
from socialkit.llm.questions import Question
from socialkit.llm.results import Summary
from socialkit.llm.runner import Limits, Usage, run_sync

__all__ = ["Session", "Request", "SHARE_MODES"]

SHARE_MODES = ("auto", "prompt", "none")


@dataclass(frozen=True)
class Request:
    """One call for :meth:`Session.complete_many`: the messages, the question that parses the
    reply, and the call's identity (any JSON-serialisable value, unique within the run)."""

    messages: list[dict[str, str]]
    question: Question
    key: Any
    sample: int = 0

    @cached_property
    def encoded(self) -> str:
        """The messages as the cache key encodes them (:func:`socialkit.llm.cache.messages_json`),
        made once: the key and the simulation's prompts hash share it."""
        return messages_json(self.messages)


def _workers(engine: Engine, jobs: int) -> int:
    """Tasks to run ``jobs`` jobs: without a budget, a pool of 4 per concurrent call (plus 16)
    takes them in order (calls still start in order, at most ``concurrency`` at once; jobs
    waiting out a retry's backoff leave the others enough workers); with a budget, one task
    per job, so that every job reserves its cost at once, in order, as the budget expects."""
    if engine.acct.budget is not None:
        return jobs
    n = min(engine.limits.concurrency, engine.backend.max_concurrency or 10 ** 9)
    return min(jobs, 4 * n + 16)


def _delta(after: Usage, before: Usage) -> Usage:
    out = Usage()
    for f in fields(Usage):
        a, b = getattr(after, f.name), getattr(before, f.name)
        if isinstance(a, dict):
            setattr(out, f.name, {k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0)})
        else:
            setattr(out, f.name, a - b)
    out.cost = round(out.cost, 12)
    return out


class Session:
    """A long-lived connection to a model: cache, limits, retries, one budget, one usage
    account and one seed, shared by any number of rounds.

    Parameters
    ----------
    model : backend, LangChain chat model or function, optional
        Default: the embedded SmolLM2 model (:func:`socialkit.llm.default`).
    cache : bool, str, Path or Cache
        As for :func:`socialkit.ask`.
    seed : int
        The run's seed: every call's draw key derives from it and the call's identity.
    concurrency, rpm, tpm, timeout, retries, backoff
        Calls in flight at once; rate limits per minute; seconds per call; retries of
        transient failures and the base of their exponential backoff.
    budget : float, optional
        Money cap (US dollars) for everything the session sends.
    temperature, top_p : float, optional
        Sampling parameters (the backend's defaults when None); validated here.
    reasks : int
        Re-asks of a malformed answer before it is recorded as missing.
    logprobs : bool
        Ask for log-probabilities on closed questions (option distributions).
    share : {"auto", "prompt", "none"}
        When agents with identical prompts share one reply (see the module notes).
    constrain : bool
        Constrain closed and numeric answers where the backend can (a llama.cpp grammar on
        the embedded model, a JSON schema on OpenAI-style servers).
    progress : bool
        Show a ``tqdm`` bar while calls run.

    Examples
    --------
    >>> import socialkit as sk
    >>> s = sk.llm.Session(sk.llm.scripted(lambda m: "4"), seed=1, progress=False)
    >>> q = sk.Likert("Taxes are too high.")
    >>> s.ask(["a farmer", "a nurse"], q)["answer"].tolist()
    [4, 4]
    >>> out = s.complete([{"role": "user", "content": q.render()}], q, key=("step", 0, 7))
    >>> out.value, out.status, s.usage.calls
    (4, 'ok', 3)
    """

    def __init__(self, model: Any = None, *, cache: Any = True, seed: int = 0,
                 concurrency: int = 16, rpm: float | None = None, tpm: float | None = None,
                 timeout: float = 60.0, retries: int = 6, backoff: float = 0.5,
                 budget: float | None = None, temperature: float | None = None,
                 top_p: float | None = None, reasks: int = 2, logprobs: bool = True,
                 share: str | None = "auto", constrain: bool = True, progress: bool = True):
        temperature, top_p, _ = check_generation(temperature, top_p)
        self.seed = _check_int("seed", seed, 0)
        reasks = _check_int("reasks", reasks, 0)
        if share is None or share is False:
            share = "none"
        if share not in SHARE_MODES:
            raise ValueError(f"share must be one of {SHARE_MODES}, got {share!r}")
        for name, v in (("logprobs", logprobs), ("constrain", constrain),
                        ("progress", progress)):
            if not isinstance(v, bool):
                raise TypeError(f"{name} must be True or False, got {v!r}")
        self.backend = _backends.resolve(model)
        self.limits = Limits(concurrency=concurrency, rpm=rpm, tpm=tpm, timeout=timeout,
                             retries=retries, backoff=backoff)
        self.cache = _resolve_cache(cache, self.backend.cacheable)
        self.usage = Usage()
        self.share, self.progress, self.budget = share, progress, budget
        self.temperature, self.top_p, self.reasks = temperature, top_p, reasks
        self.engine = Engine(self.backend, self.cache, self.limits, self.usage,
                             _price(self.backend), budget, reasks, temperature, logprobs,
                             self.seed, top_p=top_p, constrain=constrain)
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return (f"<socialkit.llm.Session {self.backend.model_id} seed={self.seed} "
                f"share={self.share!r} calls={self.usage.calls}>")

    # ---- draw keys ---------------------------------------------------------------------------
    def greedy(self, question: Question) -> bool:
        """Whether this question's calls decode greedily (temperature 0)."""
        return self.engine.params(question).get("temperature") == 0

    def draw(self, identity: Any, question: Question, sample: int = 0) -> str:
        """The draw key of a call with this identity (see the module notes on ``share``)."""
        if self.share == "prompt":
            return draw_key(self.seed, ["prompt", sample])
        if self.share == "auto" and self.greedy(question):
            return f"greedy:{sample}"  # replies do not depend on the seed: share them
        return draw_key(self.seed, identity)

    # ---- the low-level seam ------------------------------------------------------------------
    def complete(self, messages: list[dict[str, str]], question: Question, key: Any,
                 sample: int = 0) -> Outcome:
        """Send one prompt and parse its reply with ``question``; see :meth:`complete_many`."""
        return self.complete_many([Request(messages, question, key, sample)], progress=False)[0]

    def complete_many(self, requests: Sequence[Request], progress: bool | None = None
                      ) -> list[Outcome]:
        """Send a batch of prompts concurrently; one :class:`Outcome` per request, in order.

        Requests with the same messages, question and draw are sent once. Each outcome holds
        the parsed ``value``, ``status`` (ok / repaired / missing), ``reason``, raw ``text``,
        option ``dist``, tokens, cost and whether the cache served it.

        Examples
        --------
        >>> import socialkit as sk
        >>> s = sk.llm.Session(sk.llm.scripted(lambda m: "B"), progress=False)
        >>> q = sk.Choice("Act?", ["post", "wait"])
        >>> reqs = [sk.llm.Request([{"role": "user", "content": q.render()}], q, ("a", i))
        ...         for i in range(3)]
        >>> [o.value for o in s.complete_many(reqs)]
        ['wait', 'wait', 'wait']
        """
        return run_sync(self.acomplete_many(requests, progress))

    async def acomplete_many(self, requests: Sequence[Request], progress: bool | None = None
                             ) -> list[Outcome]:
        """The coroutine behind :meth:`complete_many`."""
        keys: list[str] = []
        unique: dict[str, tuple] = {}
        made: dict[int, tuple] = {}  # a Request repeated (archetypes): its key made once (the
        for r in requests:           # request is held, so that its id is not reused)
            hit = made.get(id(r))
            if hit is not None:
                k = hit[1]
            else:
                if not isinstance(r, Request):
                    raise TypeError(f"complete_many takes socialkit.llm.Request items, got "
                                    f"{type(r).__name__}")
                if not isinstance(r.question, Question):
                    raise TypeError(f"a request's question must be a socialkit question, got "
                                    f"{type(r.question).__name__}")
                _check_messages(r.messages)
                d = self.draw(r.key, r.question, r.sample)
                k = self.engine.key(r.question, r.messages, d, r.encoded)
                made[id(r)] = (r, k)
                unique[k] = (r.question, r.messages, d, r.sample)  # (the last of equal keys)
            keys.append(k)
        self.usage.jobs += len(keys)
        self.usage.unique += len(unique)
        outcomes = await self._run(unique, progress, "calls")
        return [outcomes[k] for k in keys]

    async def _run(self, unique: dict[str, tuple], progress: bool | None, what: str
                   ) -> dict[str, Outcome]:
        """Answer unique jobs: cached and valid ones at once, the rest concurrently."""
        engine = self.engine
        engine.prefetch(list(unique))
        outcomes: dict[str, Outcome] = {}
        todo = []
        for k, (q, msgs, _, _) in unique.items():
            out = engine.try_cached(q, msgs, k)
            if out is None:
                todo.append(k)
            else:
                outcomes[k] = out
        engine._bind_loop()
        engine.claim_many(todo)  # claimed before calling: other processes wait for the replies
        show = self.progress if progress is None else progress
        bar = None
        if todo and show:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(todo), desc=f"{what} to {self.backend.name}", unit="call",
                       leave=False)
            engine.on_done = lambda: bar.update(1)
        done: dict[str, Outcome] = {}
        workers = _workers(engine, len(todo))
        if workers < len(todo):  # a pool of workers, each taking the next job when it is free
            pending = iter(todo)

            async def work() -> None:
                for k in pending:
                    q, m, d, s = unique[k]
                    done[k] = await engine.job(q, m, d, key=k, sample=s)

            tasks = [asyncio.ensure_future(work()) for _ in range(workers)]
        else:  # one task per job
            tasks = [asyncio.ensure_future(engine.job(q, m, d, key=k, sample=s))
                     for k in todo for q, m, d, s in [unique[k]]]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            for t in tasks:
                t.cancel()
            raise
        finally:
            engine.on_done = None
            if engine.cache.mode == "off":
                engine.flush()
            else:
                await asyncio.to_thread(engine.flush)  # every reply paid for is on disk
            if engine.owned:  # claimed but never answered (an interrupted batch): let go
                left, engine.owned = list(engine.owned), set()
                try:
                    await asyncio.to_thread(self.cache.release, left)
                except Exception:  # noqa: BLE001 - the leases lapse anyway
                    pass
            if bar is not None:
                bar.close()
        outcomes.update(zip(todo, results, strict=True) if workers >= len(todo)
                        else ((k, done[k]) for k in todo))
        self._warn()
        return outcomes

    def _warn(self) -> None:
        engine = self.engine
        if engine.logprobs_rejected and "logprobs" not in self._warned:
            self._warned.add("logprobs")
            warnings.warn(f"{self.backend.name} refused log-probabilities; the calls were sent "
                          "without them, so option distributions come from samples only (pass "
                          "logprobs=False to skip the failed first attempt)", RuntimeWarning,
                          stacklevel=4)
        if engine.structure_rejected and "structure" not in self._warned:
            self._warned.add("structure")
            warnings.warn(f"{self.backend.name} refused structured output; closed questions "
                          "are asked with the plain prompt and the replies parsed",
                          RuntimeWarning, stacklevel=4)
        if engine.fatal:
            worst = max(engine.fatal, key=engine.fatal.get)
            warnings.warn(f"{sum(engine.fatal.values())} call(s) failed with errors that are "
                          f"not worth retrying, e.g. {worst}; their answers are missing",
                          RuntimeWarning, stacklevel=4)
            engine.fatal.clear()

    # ---- asking personas ---------------------------------------------------------------------
    def ask(self, personas: Any, questions: Any, samples: int = 1, group_by: Any = None, *,
            key: Any = None, system: str = SYSTEM_PROMPT, progress: bool | None = None
            ) -> pd.DataFrame:
        """Ask personas typed questions; as :func:`socialkit.ask`, on this session.

        ``key`` names this round among the session's rounds (e.g. ``("step", 3)``): it
        prefixes every call's identity, so rounds of one seed draw independently.
        """
        return run_sync(self.aask(personas, questions, samples, group_by, key=key,
                                  system=system, progress=progress))

    async def aask(self, personas: Any, questions: Any, samples: int = 1, group_by: Any = None,
                   *, key: Any = None, system: str = SYSTEM_PROMPT,
                   progress: bool | None = None) -> pd.DataFrame:
        """The coroutine behind :meth:`ask`."""
        t0 = time.perf_counter()
        before = copy.deepcopy(self.usage)
        plan = _Plan(personas, questions, samples, group_by, system)
        keys: dict[tuple, str] = {}
        unique: dict[str, tuple] = {}
        for qi, q in enumerate(plan.questions):
            for u in range(len(plan.units)):
                msgs = plan.messages(u, q)
                for s in range(plan.samples):
                    d = self.draw(["ask" if key is None else key, plan.unit_ids[u], q.name,
                                   s], q, s)
                    k = self.engine.key(q, msgs, d)
                    keys[(u, qi, s)] = k
                    unique.setdefault(k, (q, msgs, d, s))
        jobs = len(plan.agents) * len(plan.questions) * plan.samples
        self.usage.jobs += jobs
        self.usage.unique += len(unique)
        outcomes = await self._run(unique, progress, f"asking {self.backend.name} ·")
        cell_seed = self.seed if key is None else \
            int(draw_key(self.seed, ["cells", key])[:12], 16)
        df = _assemble(plan, keys, outcomes, cell_seed)
        usage = _delta(self.usage, before)
        usage.missing = int((df["status"] == "missing").sum())
        self.usage.missing += usage.missing
        usage.seconds = round(time.perf_counter() - t0, 3)
        self.usage.seconds = round(self.usage.seconds + usage.seconds, 3)
        from socialkit.run import provenance

        df.attrs["summary"] = Summary(self.backend.model_id, usage, _price(self.backend),
                                      self.budget, share=self.share)
        df.attrs["provenance"] = provenance(
            model_id=self.backend.model_id, prompts_hash=plan.prompts_hash(),
            params={"samples": plan.samples, "seed": self.seed, "temperature": self.temperature,
                    "top_p": self.top_p, "reasks": self.reasks, "share": self.share,
                    "logprobs": self.engine.logprobs, "constrain": self.engine.constrain,
                    "group_by": plan.group_by,
                    "generation": {q.name: self.engine.params(q) for q in plan.questions}},
            cache=str(self.cache.path) if self.cache.mode != "off" else None)
        return df

    def summary(self) -> Summary:
        """Everything this session has done so far: calls, cache hits, tokens, cost, ..."""
        return Summary(self.backend.model_id, self.usage, _price(self.backend), self.budget,
                       share=self.share)
