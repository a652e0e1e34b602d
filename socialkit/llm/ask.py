"""``ask``: put typed questions to personas and get a tidy table of answers back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt
from socialkit.llm import backends as _backends
from socialkit.llm.engine import Outcome
from socialkit.llm.questions import Question
from socialkit.llm.results import cell_distribution, fill_sample_dists
from socialkit.llm.runner import PRICES, estimate_tokens, run_sync

__all__ = ["ask", "aask", "estimate", "SYSTEM_PROMPT", "COLUMNS"]

SYSTEM_PROMPT = ("You are the person described below. Answer every question as this person "
                 "would, briefly and in the requested format.\n\n{persona}")
COLUMNS = ["agent", "question", "sample", "answer", "status", "reason", "text", "dist",
           "tokens", "cost", "cached", "shared"]


def _render_rows(df: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    cols = [c for c in columns if c not in ("agent", "weight", "source_row")]
    return ["\n".join(f"{c}: {fmt(r[c])}" for c in cols if pd.notna(r[c]))
            for r in df[cols].to_dict("records")]


def _personas(personas: Any) -> tuple[list[int], list[str], pd.DataFrame | None]:
    """Agent ids, persona texts and (for a Population) its DataFrame."""
    from socialkit.population import Population

    if isinstance(personas, Population):
        df = personas.df
        if hasattr(personas, "personas"):
            ps = personas.personas()
            return [int(p.agent) for p in ps], [str(getattr(p, "text", p)) for p in ps], df
        return df["agent"].astype(int).tolist(), _render_rows(df, list(df.columns)), df
    if isinstance(personas, str) or not isinstance(personas, Sequence | pd.Series):
        raise TypeError("personas must be a socialkit.Population or a list of persona texts, "
                        f"got {type(personas).__name__}")
    items = list(personas)
    if not items:
        raise ValueError("no personas to ask: the list is empty")
    texts = [str(getattr(p, "text", p)) for p in items]
    if any(not t.strip() for t in texts):
        raise ValueError("every persona text must be non-empty")
    agents = [int(getattr(p, "agent", i)) for i, p in enumerate(items)]
    if len(set(agents)) != len(agents):
        raise ValueError("persona agent ids must be unique")
    return agents, texts, None


def _questions(questions: Any) -> list[Question]:
    qs = [questions] if isinstance(questions, Question) else questions
    if isinstance(qs, str) or not isinstance(qs, Sequence) or not qs:
        raise TypeError("questions must be a question (sk.Likert, sk.Choice, sk.Numeric, "
                        f"sk.FreeText) or a non-empty list of them, got {questions!r}")
    for q in qs:
        if not isinstance(q, Question):
            raise TypeError(f"unknown question type {type(q).__name__}: use sk.Likert, "
                            "sk.Choice, sk.Numeric or sk.FreeText")
    names = [q.name for q in qs]
    if len(set(names)) != len(names):
        raise ValueError(f"question names must be unique, got {names}")
    return list(qs)


def _check_int(name: str, v: Any, low: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {v!r}")
    return int(v)


class _Plan:
    """Units (agents, or cells with group_by), their prompts and the unique jobs."""

    def __init__(self, personas: Any, questions: Any, samples: int, group_by: Any,
                 system: str):
        self.questions = _questions(questions)
        self.samples = _check_int("samples", samples, 1)
        self.agents, texts, df = _personas(personas)
        self.cells: list[int] | None = None
        self.cell_labels: list[str] = []
        if group_by is not None:
            if df is None:
                raise ValueError("group_by needs a socialkit.Population (attributes to group on)")
            group_by = [group_by] if isinstance(group_by, str) else list(group_by)
            bad = [c for c in group_by if c not in df.columns]
            if not group_by or bad:
                raise ValueError(f"group_by columns {bad or group_by} are not attributes of the "
                                 f"population: {[c for c in df.columns if c != 'weight']}")
            keys = df[group_by].astype(str).agg("\x1f".join, axis=1)
            codes, uniques = pd.factorize(keys, sort=True)
            first = pd.Series(np.arange(len(df))).groupby(codes).first().to_numpy()
            texts = _render_rows(df.iloc[first], group_by)
            self.cells = codes.tolist()
            self.cell_labels = [", ".join(f"{c}={fmt(v)}" for c, v in zip(group_by, row,
                                                                            strict=True))
                                for row in df.iloc[first][group_by].itertuples(index=False)]
        self.group_by = group_by
        # who a unit is, for draw keys: the agent, or the cell with group_by
        self.unit_ids: list[Any] = self.cell_labels if self.cells is not None else self.agents
        if not isinstance(system, str) or "{persona}" not in system:
            raise ValueError("the system prompt must contain '{persona}'")
        self.units = [system.replace("{persona}", t) for t in texts]

    def messages(self, unit: int, q: Question) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.units[unit]},
                {"role": "user", "content": q.render()}]

    def prompts_hash(self) -> str:
        blob = json.dumps([self.units, [q.spec() for q in self.questions]], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _price(backend: _backends.Backend) -> tuple[float, float] | None:
    return backend.price if backend.price is not None else PRICES.get(backend.name)


async def aask(personas: Any, questions: Any, model: Any = None, samples: int = 1,
               seed: int = 0, concurrency: int = 16, cache: Any = True,
               budget: float | None = None, group_by: Any = None, *,
               temperature: float | None = None, top_p: float | None = None, reasks: int = 2,
               logprobs: bool = True, share: str | None = "auto", constrain: bool = True,
               rpm: float | None = None, tpm: float | None = None, timeout: float = 60.0,
               retries: int = 6, backoff: float = 0.5, progress: bool = True,
               system: str = SYSTEM_PROMPT) -> pd.DataFrame:
    """The coroutine behind :func:`ask`, for code already in an event loop (same parameters).

    ``ask`` works in Jupyter too; ``aask`` is for async code that wants to ``await``.

    Returns
    -------
    DataFrame
        As :func:`ask`.

    Examples
    --------
    >>> import asyncio, socialkit as sk
    >>> coro = sk.llm.aask(["a voter"], sk.Numeric("Age?", 18, 99),
    ...                    model=sk.llm.scripted(lambda m: "42"), progress=False)
    >>> asyncio.run(coro)["answer"].tolist()
    [42.0]
    """
    from socialkit.llm.session import Session

    session = Session(model, cache=cache, seed=seed, concurrency=concurrency, rpm=rpm, tpm=tpm,
                      timeout=timeout, retries=retries, backoff=backoff, budget=budget,
                      temperature=temperature, top_p=top_p, reasks=reasks,
                      logprobs=bool(logprobs), share=share, constrain=constrain,
                      progress=bool(progress))
    return await session.aask(personas, questions, samples, group_by, system=system)


def _assemble(plan: _Plan, keys: dict[tuple, str], outcomes: dict[str, Outcome],
              seed: int) -> pd.DataFrame:
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    owned: set[str] = set()
    rng = np.random.default_rng(seed)
    cell_col: list[str] = []
    for qi, q in enumerate(plan.questions):
        dists = {}
        for a_i, agent in enumerate(plan.agents):
            unit = plan.cells[a_i] if plan.cells is not None else a_i
            if plan.cells is not None and unit not in dists:
                dists[unit] = cell_distribution(
                    q, [outcomes[keys[(unit, qi, s)]] for s in range(plan.samples)])
            for s in range(plan.samples):
                k = keys[(unit, qi, s)]
                out = outcomes[k]
                first = k not in owned
                owned.add(k)
                value, status, reason, dist = out.value, out.status, out.reason, out.dist
                if plan.cells is not None:
                    cell_col.append(plan.cell_labels[unit])
                    options, probs = dists[unit]
                    if options:
                        i = int(rng.choice(len(options), p=probs))
                        value, status, reason = options[i], "ok", ""
                        dist = dict(zip(options, [round(float(p), 6) for p in probs],
                                        strict=True)) if q.closed else None
                    else:
                        value, status = None, "missing"
                        reason = f"no valid answer in the cell: {out.reason}"
                cols["agent"].append(agent)
                cols["question"].append(q.name)
                cols["sample"].append(s)
                cols["answer"].append(value)
                cols["status"].append(status)
                cols["reason"].append(reason)
                cols["text"].append(out.text)
                cols["dist"].append(dist)
                cols["tokens"].append(out.tokens if first else 0)
                cols["cost"].append(out.cost if first else 0.0)
                cols["cached"].append(out.cached)
                cols["shared"].append(not first)
    cols["answer"] = pd.Series(cols["answer"], dtype=object)
    df = pd.DataFrame(cols)
    if plan.cells is not None:
        df.insert(1, "cell", cell_col)
    else:
        fill_sample_dists(df, plan.questions)
    df["sample"] = df["sample"].astype("int64")
    df["tokens"] = df["tokens"].astype("int64")
    df["cost"] = df["cost"].astype("float64")
    return df


def ask(personas: Any, questions: Any, model: Any = None, samples: int = 1, seed: int = 0,
        concurrency: int = 16, cache: Any = True, budget: float | None = None,
        group_by: Any = None, **options: Any) -> pd.DataFrame:
    """Ask personas typed questions through a model; one tidy row per agent, question, sample.

    Each answer is its own draw from the model, seeded from ``seed`` and the answer's identity
    (agent, question, sample): the same seed replays exactly, another seed gives independent
    draws. Replies come from the on-disk cache when present; malformed answers are re-asked,
    then recorded as missing with the reason. Closed and numeric questions are constrained to
    valid answers where the backend can (a grammar on the embedded model). Works in scripts and
    in Jupyter (the calls run on socialkit's own event loop). A one-shot
    :class:`socialkit.llm.Session`.

    Parameters
    ----------
    personas : Population or list of str
        A :class:`socialkit.Population` (its ``personas()``, or ``key: value`` lines of each
        row) or persona texts (agents numbered from 0).
    questions : Question or list of Question
        :class:`Likert`, :class:`Choice`, :class:`Numeric`, :class:`FreeText`.
    model : backend, LangChain chat model or function, optional
        Default: the embedded SmolLM2 model (:func:`socialkit.llm.default`).
    samples : int
        Draws per agent and question, sample index 0, 1, ...; cached separately, so repeated
        samples differ and a rerun replays them.
    seed : int
        The run's seed: the model's sampling (each call's draw key), the draws of
        ``group_by`` and the backoff jitter all follow it.
    concurrency : int
        Calls in flight at once (an in-process model runs one at a time).
    cache : bool, str, Path or Cache
        True: the default cache (``$SOCIALKIT_CACHE`` or ``~/.cache/socialkit``); False: no
        cache; ``"refresh"``: ignore and overwrite stored replies; a folder; a ``Cache``.
    budget : float, optional
        Money cap (US dollars): calls that could overspend it are not sent; their answers are
        missing ("not asked: budget ...") and everything answered before is kept.
    group_by : list of str, optional
        Render prompts from these attributes only, so agents of the same cell share calls
        ("LLM archetypes"); each agent's answer is then drawn from the cell's distribution with
        the run's random generator. Needs a Population.
    **options
        ``temperature`` and ``top_p`` (backend defaults), ``reasks`` (2), ``logprobs`` (True:
        ask for log-probabilities where the backend has them), ``share`` ("auto": agents with
        identical prompts share a reply only at temperature 0; "prompt": always, one reply per
        sample, saving calls but making their answers identical; "none": never),
        ``constrain`` (True: grammar / JSON schema where the backend can), ``rpm`` and ``tpm``
        (rate limits per minute), ``timeout`` (60 s), ``retries`` (6), ``backoff`` (0.5 s),
        ``progress`` (True), ``system`` (the persona prompt, with ``{persona}``).

    Returns
    -------
    DataFrame
        Columns ``agent`` (then ``cell``, e.g. ``"PID=Strong Democrat"``, with group_by),
        ``question``, ``sample``, ``answer``,
        ``status`` (ok / repaired / missing), ``reason`` (why missing), ``text`` (raw reply),
        ``dist`` (option -> probability: from the log-probabilities of the first call, as
        asked, even when its text was unusable; else from the agent's valid samples),
        ``tokens`` and ``cost`` spent by this run (on the row that made the call; 0 on rows
        sharing it and on cache hits, so the columns add up to the summary),
        ``cached``, ``shared``. ``df.attrs["summary"]`` counts calls, cache hits, tokens, cost
        and failures; ``df.attrs["provenance"]`` records model id, prompts hash and versions.

    Examples
    --------
    >>> import socialkit as sk
    >>> model = sk.llm.scripted(lambda m: "B" if "farmer" in m[0]["content"] else "A")
    >>> res = sk.ask(["a farmer", "a nurse", "a farmer"], sk.Choice("Vote?", ["Clinton", "Dole"]),
    ...              model=model, progress=False)
    >>> res[["agent", "answer", "status", "shared"]].values.tolist()
    [[0, 'Dole', 'ok', False], [1, 'Clinton', 'ok', False], [2, 'Dole', 'ok', True]]
    >>> s = res.attrs["summary"]
    >>> s.usage.calls, s.usage.calls_saved
    (2, 1)
    """
    return run_sync(aask(personas, questions, model, samples, seed, concurrency, cache, budget,
                         group_by, **options))


def estimate(personas: Any, questions: Any, model: Any = None, samples: int = 1,
             cache: Any = True, group_by: Any = None, reasks: int = 2,
             temperature: float | None = None, system: str = SYSTEM_PROMPT,
             share: str | None = "auto") -> dict[str, Any]:
    """Dry run of :func:`ask`: how many calls, tokens and how much money, as a range.

    Nothing is sent. The low end assumes one short answer per call; the high end assumes every
    answer is re-asked ``reasks`` times and fills ``max_tokens``.

    Parameters
    ----------
    personas, questions, model, samples, cache, group_by, reasks, temperature, system, share
        As for :func:`ask`.

    Returns
    -------
    dict
        ``jobs``, ``calls`` (unique prompts not in the cache), ``cached``, ``calls_saved``,
        ``prompt_tokens``, ``completion_tokens`` and ``cost`` as (low, high); ``price``.

    Examples
    --------
    >>> import socialkit as sk
    >>> e = sk.llm.estimate(["a farmer", "a nurse"], sk.Likert("Taxes are too high."),
    ...                     model=sk.llm.scripted(lambda m: "3"), samples=2)
    >>> e["jobs"], e["calls"], e["cost"]
    (4, 4, (0.0, 0.0))
    """
    from socialkit.llm.session import Session

    session = Session(model, cache=cache, reasks=reasks, temperature=temperature, share=share,
                      progress=False)
    backend = session.backend
    plan = _Plan(personas, questions, samples, group_by, system)
    unique = {}
    for q in plan.questions:
        for u in range(len(plan.units)):
            msgs = plan.messages(u, q)
            for s in range(plan.samples):
                d = session.draw(["ask", plan.unit_ids[u], q.name, s], q, s)
                unique.setdefault(session.engine.key(q, msgs, d), (q, msgs, s))
    engine = session.engine
    stored = engine.cache.get_many(list(unique))
    todo = [v for k, v in unique.items() if k not in stored]
    p_lo = sum(estimate_tokens(m) * 3 // 4 for _, m, _ in todo)
    p_hi = sum(estimate_tokens(m) * (reasks + 1) + reasks * (q.max_tokens + 40)
               for q, m, _ in todo)
    c_lo = len(todo)
    c_hi = sum(q.max_tokens * (reasks + 1) for q, _, _ in todo)
    price = _price(backend)
    cost = (None if price is None else
            (round((p_lo * price[0] + c_lo * price[1]) / 1e6, 6),
             round((p_hi * price[0] + c_hi * price[1]) / 1e6, 6)))
    jobs = len(plan.agents) * len(plan.questions) * plan.samples
    return {"jobs": jobs, "calls": len(todo), "cached": len(unique) - len(todo),
            "calls_saved": jobs - len(unique), "prompt_tokens": (p_lo, p_hi),
            "completion_tokens": (c_lo, c_hi), "cost": cost, "price": price}
