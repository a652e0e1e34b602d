"""Generative Agents' memory stream: retrieval by recency, importance and relevance, and reflection.

Each agent's memories (observations and reflections) are scored for a query by a weighted sum of
three components, each min-max normalised over the agent's memories (a constant component counts
0.5, as in the Generative Agents code):

- recency: ``decay ** hours`` since the memory was last accessed (the paper), or ``decay ** rank``
  of its last access among the agent's memories, most recent first (the code);
- importance: its 1-10 rating;
- relevance: the cosine similarity of its embedding with the query's.

:data:`SCORINGS` holds both variants: ``"paper"`` (Park et al. 2023: decay 0.995 per game hour,
equal weights) and ``"code"`` (the reference implementation's ``new_retrieve``: decay 0.99 per rank,
weights recency 0.5, relevance 3, importance 2, top 30). The published code ranks the memories
oldest-first, so its oldest memory gets the largest recency; :data:`SCORINGS` follows the paper's
intent (the most recently accessed memory ranks first).

Retrieval runs for many agents at once on an in-process columnar copy of the memories (an exact
score for every memory of the agent, which min-max normalisation needs); the memories persist in a
chromadb collection under the checkpoint folder.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit.memory._base import (
    KINDS,
    Memory,
    _empty_retrieval,
    _folder,
    _is_int,
    _write_atomic,
)
from socialkit.memory._embed import MiniLM
from socialkit.memory._importance import AskFn, heuristic_importance
from socialkit.memory._recent import _frame

__all__ = ["Stream", "Scoring", "SCORINGS", "QUESTIONS_PROMPT", "INSIGHTS_PROMPT",
           "parse_questions", "parse_insights"]

_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")
_INSTALL = "pip install 'socialkit[memory]'"


@dataclass(frozen=True)
class Scoring:
    """How a memory stream scores memories for a query.

    Parameters
    ----------
    recency : {"hours", "rank"}
        ``decay ** hours`` since last access, or ``decay ** rank`` of the last access (1 = latest).
    decay : float
        In (0, 1].
    w_recency, w_importance, w_relevance : float
        Weights of the min-max normalised components (non-negative).
    k : int
        Memories retrieved when ``retrieve`` is given no ``k``.

    Examples
    --------
    >>> SCORINGS["code"]
    Scoring(recency='rank', decay=0.99, w_recency=0.5, w_importance=2.0, w_relevance=3.0, k=30)
    """

    recency: str = "hours"
    decay: float = 0.995
    w_recency: float = 1.0
    w_importance: float = 1.0
    w_relevance: float = 1.0
    k: int = 30

    def __post_init__(self) -> None:
        if self.recency not in ("hours", "rank"):
            raise ValueError(f"recency must be 'hours' or 'rank', got {self.recency!r}")
        if not isinstance(self.decay, int | float) or not 0 < self.decay <= 1:
            raise ValueError(f"decay must be a number in (0, 1], got {self.decay!r}")
        for name in ("w_recency", "w_importance", "w_relevance"):
            w = getattr(self, name)
            if isinstance(w, bool) or not isinstance(w, int | float) or not np.isfinite(w) or w < 0:
                raise ValueError(f"{name} must be a finite non-negative number, got {w!r}")
        if not _is_int(self.k) or self.k < 1:
            raise ValueError(f"k must be a positive integer, got {self.k!r}")


SCORINGS = {
    "paper": Scoring("hours", 0.995, 1.0, 1.0, 1.0, 30),
    "code": Scoring("rank", 0.99, 0.5, 2.0, 3.0, 30),
}
"""The two variants of Generative Agents' retrieval score (the paper's and its code's)."""

QUESTIONS_PROMPT = (
    "{statements}\n\nGiven only the information above, what are the {n} most salient high-level "
    "questions we can answer about the subjects in the statements? Write one question per line.")
INSIGHTS_PROMPT = (
    "Statements:\n{statements}\n\nWhat {n} high-level insights can you infer from the above "
    "statements? Write one per line, citing the statements it rests on, in the format:\n"
    "insight (because of 1, 5, 3)")


def _numbered(texts: Sequence[str]) -> str:
    return "\n".join(f"{i}. {' '.join(t.split())}" for i, t in enumerate(texts, start=1))


_BULLET = re.compile(r"^\s*(?:[-*•]+|\(?\d{1,2}[.):]|q\d{1,2}[.):]|question \d{1,2}[.):])\s*",
                     re.IGNORECASE)
_INSIGHT = re.compile(r"^(?P<text>.*?)\s*\(\s*because of\s*(?P<ev>[^)]*)\)\s*\.?\s*$",
                      re.IGNORECASE)


def parse_questions(reply: Any, n: int) -> list[str]:
    """The questions of a reply: its non-empty lines (numbering and bullets removed), at most ``n``.

    Examples
    --------
    >>> parse_questions("1. What does Ann fear?\\n2) Who started the rumour?\\n\\n", 3)
    ['What does Ann fear?', 'Who started the rumour?']
    """
    if not isinstance(reply, str):
        return []
    out = []
    for line in reply.splitlines():
        q = _BULLET.sub("", line).strip().strip("*").strip()
        if len(q) >= 3:
            out.append(q)
    return out[:n]


def parse_insights(reply: Any, n_statements: int, n: int) -> list[tuple[str, tuple[int, ...]]]:
    """Insights ``(text, statement numbers)`` of a reply in the format ``insight (because of 1, 3)``.

    Lines without a valid citation (numbers from 1 to ``n_statements``) are dropped.

    Examples
    --------
    >>> parse_insights("1. Ann distrusts Bob (because of 1, 3)\\nBob is kind\\nX (because of 9)", 3, 5)
    [('Ann distrusts Bob', (1, 3))]
    """
    if not isinstance(reply, str):
        return []
    out = []
    for line in reply.splitlines():
        m = _INSIGHT.match(_BULLET.sub("", line).strip())
        if m is None:
            continue
        text = m.group("text").strip().strip("*").strip()
        nums = re.findall(r"\d+", m.group("ev"))
        ev = tuple(sorted({int(x) for x in nums if 1 <= int(x) <= n_statements}))
        if len(text) >= 3 and ev and len(ev) == len(set(nums)):
            out.append((text, ev))
    return out[:n]


class _Grow:
    """A growable 1-D array (amortised doubling)."""

    def __init__(self, dtype: Any, cap: int = 16):
        self.a = np.empty(cap, dtype=dtype)
        self.n = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self.a):
            new = np.empty(max(need, 2 * len(self.a)), dtype=self.a.dtype)
            new[:self.n] = self.a[:self.n]
            self.a = new
        self.a[self.n:need] = values
        self.n = need

    @property
    def v(self) -> np.ndarray:
        return self.a[:self.n]


class Stream(Memory):
    """A memory stream per agent: Generative Agents' retrieval and reflection, stored in chromadb.

    Parameters
    ----------
    scoring : {"paper", "code"} or Scoring
        The retrieval score (see :data:`SCORINGS`).
    embedding : callable or None
        ``embedding(texts) -> (n, dim) array`` of unit vectors; None: :class:`MiniLM` (offline
        all-MiniLM-L6-v2, needs the ``memory`` extra). :class:`HashEmbedding` needs nothing.
    importance : callable or None
        ``importance(texts) -> ratings 1-10`` used when ``add`` is given none; None:
        :func:`heuristic_importance`; :func:`llm_importance` rates with an LLM.
    threshold : float
        Accumulated importance of new observations after which an agent is due to reflect
        (150 in Generative Agents).
    questions, insights : int
        What :meth:`reflect` asks for by default: salient questions per reflection and insights
        per question (3 and 5 in Generative Agents).
    name : str
        Name of the chromadb collection (3-512 characters: letters, digits, ``.``, ``_``, ``-``).
    hnsw : dict or None
        chromadb's HNSW settings of the collection; retrieval does not use that index (it scores
        every memory), so the default builds a cheap one.

    Notes
    -----
    Memories live in process and persist in a chromadb collection under the checkpoint folder:
    the first ``checkpoint(folder)`` writes all of them there, later ones only the new memories
    and the small mutable state (last-access times, importance accumulated since the last
    reflection), which goes to ``memory.npz`` beside ``memory.json``. ``restore(folder)`` continues
    in that folder (memories written after the checkpoint are dropped from it); to branch from a
    checkpoint, copy its folder first.

    Examples
    --------
    >>> import socialkit as sk
    >>> mem = sk.memory.Stream(embedding=sk.memory.HashEmbedding(), scoring="code").bind(2)
    >>> ids = mem.add([0, 0, 0, 1], ["Ann heard a rumour about the mayor",
    ...                              "Ann ate breakfast", "Ann's cat is ill", "Bob went fishing"],
    ...               time=[8.0, 9.0, 10.0, 8.0])
    >>> got = mem.retrieve([0, 1], ["what is the rumour about the mayor?", "fishing"], time=11.0,
    ...                    k=2)
    >>> got[["agent", "rank", "text"]].values.tolist()
    [[0, 1, 'Ann heard a rumour about the mayor'], [0, 2, "Ann's cat is ill"], [1, 1, 'Bob went fishing']]
    """

    kind = "stream"
    _ARRAYS = "memory.npz"

    def __init__(self, scoring: str | Scoring = "paper", embedding: Callable | None = None,
                 importance: Callable[[Sequence[str]], Any] | None = None,
                 threshold: float = 150.0, name: str = "memory", hnsw: dict | None = None,
                 questions: int = 3, insights: int = 5):
        super().__init__()
        if isinstance(scoring, str):
            if scoring not in SCORINGS:
                raise ValueError(f"scoring must be one of {sorted(SCORINGS)} or a Scoring, "
                                 f"got {scoring!r}")
            scoring = SCORINGS[scoring]
        elif not isinstance(scoring, Scoring):
            raise TypeError(f"scoring must be a name or a Scoring, got {type(scoring).__name__}")
        if embedding is not None and not callable(embedding):
            raise TypeError(f"embedding must be callable, got {type(embedding).__name__}")
        if importance is not None and not callable(importance):
            raise TypeError(f"importance must be callable, got {type(importance).__name__}")
        if (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                or not np.isfinite(threshold) or threshold <= 0):
            raise ValueError(f"threshold must be a positive number, got {threshold!r}")
        if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
            raise ValueError(f"name must have 3-512 characters from [a-zA-Z0-9._-], start and end "
                             f"with a letter or digit (a chromadb collection name), got {name!r}")
        if hnsw is not None and not isinstance(hnsw, dict):
            raise TypeError(f"hnsw must be a dict of chromadb HNSW settings, got {type(hnsw).__name__}")
        for what, v in (("questions", questions), ("insights", insights)):
            if not _is_int(v) or v < 1:
                raise ValueError(f"{what} must be a positive integer, got {v!r}")
        self.questions, self.insights = int(questions), int(insights)
        self.scoring = scoring
        self.embedding = embedding if embedding is not None else MiniLM()
        self.importance = importance if importance is not None else heuristic_importance
        self.threshold = float(threshold)
        self.name = name
        self.hnsw = dict(hnsw) if hnsw is not None else {"space": "ip", "ef_construction": 10,
                                                          "max_neighbors": 4}
        self._reset()

    def empty(self) -> Stream:
        """A new, unbound memory with the same settings (the embedding and importance functions
        are shared, not copied)."""
        return Stream(scoring=self.scoring, embedding=self.embedding, importance=self.importance,
                      threshold=self.threshold, name=self.name, hnsw=self.hnsw,
                      questions=self.questions, insights=self.insights)

    def _reset(self) -> None:
        self._agents = None
        self._dim: int | None = None
        self._agent = _Grow(np.int64)      # per memory: agent position
        self._created = _Grow(np.float64)
        self._last = _Grow(np.float64)
        self._imp = _Grow(np.float64)
        self._kind = _Grow(np.int8)
        self._texts = _Grow(object)
        self._sources: list[tuple[int, ...]] = []
        self._emb: list[np.ndarray] = []   # per agent: (capacity, dim) float32
        self._ids: list[_Grow] = []        # per agent: memory ids, in creation order
        self._acc = np.zeros(0)            # per agent: importance since the last reflection
        self._since = np.zeros(0, np.int64)  # per agent: its memory count at the last reflection
        self._store: Path | None = None    # the checkpoint folder the collection lives in
        self._stored = 0                   # memories already written to the collection

    def __len__(self) -> int:
        return self._agent.n

    def __repr__(self) -> str:
        return (f"Stream(scoring={self._scoring_name()!r}, agents={len(self.agents)}, "
                f"memories={len(self)})")

    def _scoring_name(self) -> str | Scoring:
        return next((k for k, v in SCORINGS.items() if v == self.scoring), self.scoring)

    def _grow_agents(self, n: int) -> None:
        while len(self._ids) < n:
            self._ids.append(_Grow(np.int64, 8))
            self._emb.append(np.empty((0, self._dim or 0), dtype=np.float32))
        self._acc = np.concatenate([self._acc, np.zeros(n - len(self._acc))])
        self._since = np.concatenate([self._since, np.zeros(n - len(self._since), np.int64)])

    # ---- embedding ---------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        v = np.asarray(self.embedding(texts), dtype=np.float32)
        if v.ndim != 2 or v.shape[0] != len(texts):
            raise ValueError(f"embedding returned shape {v.shape} for {len(texts)} texts")
        if self._dim is None:
            self._dim = v.shape[1]
            self._emb = [np.empty((0, self._dim), dtype=np.float32) for _ in self._emb]
        elif v.shape[1] != self._dim:
            raise ValueError(f"embedding returned {v.shape[1]} dimensions, the memory holds "
                             f"{self._dim}")
        return v

    # ---- writing -----------------------------------------------------------------------------
    def add(self, agent_ids: Sequence[int], texts: Sequence[str], time: Any,
            importance: Any = None, *, kind: str = "observation",
            sources: Sequence[Sequence[int]] | None = None) -> np.ndarray:
        """Add one memory per row (embedded in one batch); returns their ids.

        Parameters
        ----------
        agent_ids : sequence of int
            The agent of each memory (repeats allowed).
        texts : sequence of str
        time : float or sequence of float
            Creation time in hours; it is also the memory's first last-access time.
        importance : float, sequence of float or None
            Ratings from 1 to 10; None rates the texts with the memory's ``importance``.
        kind : {"observation", "reflection"}
            Observations count towards the reflection threshold.
        sources : sequence of sequences of int, optional
            Ids of the memories each row cites (reflections cite their evidence).
        """
        pos, texts = self._check_rows(agent_ids, texts, "texts")
        n = len(texts)
        t = self._times(time, n)
        kind = self._check_kind(kind)
        src = self._check_sources(sources, n)
        if any(s and max(s) >= len(self) for s in src):
            raise ValueError("sources: ids must be of memories already added")
        if importance is None:
            try:
                imp = self._check_importance(self.importance(texts), n)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"the memory's importance function gave invalid ratings ({exc}); "
                                 f"llm_importance fills missing LLM ratings with the heuristic"
                                 ) from None
        else:
            imp = self._check_importance(importance, n)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        vec = self._embed(texts)
        ids = np.arange(len(self), len(self) + n, dtype=np.int64)
        self._agent.extend(pos)
        self._created.extend(t)
        self._last.extend(t)
        self._imp.extend(imp)
        self._kind.extend(np.full(n, KINDS.index(kind), dtype=np.int8))
        obj = np.empty(n, dtype=object)
        obj[:] = texts
        self._texts.extend(obj)
        self._sources.extend(src)
        order = np.argsort(pos, kind="stable")
        bounds = np.flatnonzero(np.diff(pos[order])) + 1
        starts, ends = [0, *bounds.tolist()], [*bounds.tolist(), n]
        vec, ids_sorted = vec[order], ids[order]  # each agent's rows together, in input order
        emb, by_agent = self._emb, self._ids
        for p, a, b in zip(pos[order[starts]].tolist(), starts, ends, strict=True):
            g = by_agent[p]
            old = emb[p]
            need = g.n + b - a
            if need > len(old):
                new = np.empty((max(need, 2 * len(old), 8), self._dim), dtype=np.float32)
                new[:g.n] = old[:g.n]
                emb[p] = old = new
            old[g.n:need] = vec[a:b]
            g.extend(ids_sorted[a:b])
        if kind == "observation":
            np.add.at(self._acc, pos, imp)
        return ids

    # ---- reading -----------------------------------------------------------------------------
    def retrieve(self, agent_ids: Sequence[int], queries: Sequence[str], time: Any,
                 k: int | None = None) -> pd.DataFrame:
        """Each agent's ``k`` best memories for its query, scored in one vectorised pass.

        Parameters
        ----------
        agent_ids : sequence of int
            One agent per request (repeats allowed: several queries of one agent).
        queries : sequence of str
            One query per request (embedded in one batch, cached by text).
        time : float or sequence of float
            The current time in hours; the memories returned are marked as accessed then.
        k : int or None
            Memories per request (default: the scoring's ``k``).

        Returns
        -------
        pandas.DataFrame
            One row per memory returned, best first within a request: ``request`` (row of the
            input), ``agent``, ``rank`` (1 = best), ``id``, ``kind``, ``text``, ``created``,
            ``importance`` (1-10), ``score`` and its normalised components
            ``recency_score``, ``importance_score``, ``relevance_score``.
        """
        pos, queries = self._check_rows(agent_ids, queries, "queries")
        r = len(pos)
        t = self._times(time, r)
        k = self.scoring.k if k is None else self._k(k)
        by_agent, emb = self._ids, self._emb
        plist = pos.tolist()
        clist = [by_agent[p].n for p in plist]
        counts = np.array(clist, dtype=np.int64)
        if r == 0 or counts.max(initial=0) == 0:
            return _empty_retrieval()
        q = self._embed(queries)
        m = int(counts.max())
        ids = np.full((r, m), -1, dtype=np.int64)
        rel = np.zeros((r, m))
        for i, (p, c) in enumerate(zip(plist, clist, strict=True)):
            if c:
                ids[i, :c] = by_agent[p].a[:c]
                rel[i, :c] = emb[p][:c] @ q[i]
        valid = ids >= 0
        safe = np.where(valid, ids, 0)
        last = np.where(valid, self._last.v[safe], -np.inf)
        sc = self.scoring
        if sc.recency == "hours":
            hours = np.maximum(t[:, None] - last, 0.0)
            rec = np.where(valid, sc.decay ** np.where(valid, hours, 0.0), 0.0)
        else:
            order = np.lexsort((-ids, -last), axis=-1)   # latest access first; newer first on ties
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, np.arange(1, m + 1)[None, :].repeat(r, 0), axis=1)
            rec = sc.decay ** rank
        imp_raw = self._imp.v[safe]
        comps = [_minmax(x, valid) for x in (rec, imp_raw, rel)]
        score = sc.w_recency * comps[0] + sc.w_importance * comps[1] + sc.w_relevance * comps[2]
        score = np.where(valid, score, -np.inf)
        kk = min(k, m)
        if kk < m:
            top = np.argpartition(-score, kk - 1, axis=1)[:, :kk]
            s_top = np.take_along_axis(score, top, axis=1)
            cut = s_top.min(axis=1, keepdims=True)
            # where a tie at the cut leaves memories out, choose among them exactly (older first)
            ties = np.flatnonzero((score == cut).sum(axis=1) > (s_top == cut).sum(axis=1))
            if len(ties):
                top[ties] = np.argsort(-score[ties], axis=1, kind="stable")[:, :kk]
        else:
            top = np.broadcast_to(np.arange(m), (r, m))
        # best first; ties by position (older memory first), deterministic
        s_top = np.take_along_axis(score, top, axis=1)
        o = np.lexsort((top, -s_top), axis=-1)
        top = np.take_along_axis(top, o, axis=1)
        sel_valid = np.take_along_axis(valid, top, axis=1)
        rows, cols = np.nonzero(sel_valid)
        jj = top[rows, cols]
        mid = ids[rows, jj]
        self._last.v[mid] = t[rows]
        agents = self._agents.to_numpy()
        return pd.DataFrame({
            "request": rows.astype(np.int64), "agent": agents[pos[rows]],
            "rank": (cols + 1).astype(np.int64),
            "id": mid, "kind": np.asarray(KINDS, dtype=object)[self._kind.v[mid]],
            "text": self._texts.v[mid], "created": self._created.v[mid],
            "importance": self._imp.v[mid], "score": score[rows, jj],
            "recency_score": comps[0][rows, jj], "importance_score": comps[1][rows, jj],
            "relevance_score": comps[2][rows, jj]}, copy=False)

    def frame(self, agent: int) -> pd.DataFrame:
        """One agent's memories, oldest first: ``id, agent, kind, text, created, last_access,
        importance, sources``."""
        p = int(self._positions([agent], "agent")[0])
        mid = self._ids[p].v
        return _frame([[int(i), int(self._agents[p]), KINDS[self._kind.v[i]], self._texts.v[i],
                        float(self._created.v[i]), float(self._last.v[i]), float(self._imp.v[i]),
                        self._sources[i]] for i in mid])

    def embeddings(self, agent: int) -> np.ndarray:
        """One agent's memory embeddings, oldest first (a copy)."""
        p = int(self._positions([agent], "agent")[0])
        return self._emb[p][:self._ids[p].n].copy()

    # ---- reflection --------------------------------------------------------------------------
    def due(self) -> np.ndarray:
        """Ids of the agents whose importance accumulated since their last reflection passed the
        threshold."""
        return self.agents[self._acc >= self.threshold]

    def reflect(self, time: Any, ask_fn: AskFn, agent_ids: Sequence[int] | None = None,
                questions: int | None = None, insights: int | None = None,
                statements: int = 100, k: int | None = None) -> pd.DataFrame:
        """Reflect: salient questions, retrieval, insights stored as reflections citing sources.

        For each agent (default: those :meth:`due`), the LLM is shown the agent's memories since
        its last reflection (at most ``statements``) and asked for ``questions`` salient
        questions; each question retrieves ``k`` memories; for each question the LLM is asked for
        ``insights`` insights citing the numbered memories they rest on. Insights without a valid
        citation are dropped. Two batched ``ask_fn`` calls in all. An ``ask_fn`` that takes a
        ``grammars`` keyword also gets one GBNF grammar per prompt, which admits only replies in
        the requested format (question lines; insight lines citing existing statements), so a
        backend that can constrain decoding (the embedded model) always answers in it.

        Parameters
        ----------
        time : float
            The current time in hours.
        ask_fn : callable
            ``ask_fn(prompts) -> replies``, one reply string (or None) per chat prompt
            (optionally ``ask_fn(prompts, grammars=...)``, see above).
        questions, insights : int, optional
            Default: the memory's own (``Stream(questions=, insights=)``).

        Returns
        -------
        pandas.DataFrame
            The new reflection memories (the columns of :meth:`frame`).
        """
        if not callable(ask_fn):
            raise TypeError(f"ask_fn must be callable, got {type(ask_fn).__name__}")
        questions = self.questions if questions is None else questions
        insights = self.insights if insights is None else insights
        for name, v in (("questions", questions), ("insights", insights),
                        ("statements", statements)):
            self._k(v, name)
        pos = (np.flatnonzero(self._acc >= self.threshold) if agent_ids is None
               else self._positions(agent_ids))
        t = float(self._times(time, 1)[0])
        pos = np.array([p for p in dict.fromkeys(pos.tolist()) if self._ids[p].n > 0], dtype=np.intp)
        if len(pos) == 0:
            return _frame([])
        prompts = []
        for p in pos:
            recent = self._ids[p].v[self._since[p]:][-statements:]
            if len(recent) == 0:
                recent = self._ids[p].v[-statements:]
            prompts.append([{"role": "user", "content": QUESTIONS_PROMPT.format(
                statements=_numbered(self._texts.v[recent]), n=questions)}])
        replies = _ask(ask_fn, prompts, [_questions_grammar(questions)] * len(prompts))
        req_pos, req_q = [], []
        for p, reply in zip(pos, replies, strict=True):
            for qtext in parse_questions(reply, questions):
                req_pos.append(p)
                req_q.append(qtext)
        self._acc[pos] = 0.0
        self._since[pos] = [self._ids[p].n for p in pos]
        if not req_q:
            return _frame([])
        agents = self._agents.to_numpy()
        got = self.retrieve(agents[req_pos], req_q, t, k)
        groups = [g for _, g in got.groupby("request", sort=True)]
        prompts = [[{"role": "user", "content": INSIGHTS_PROMPT.format(
            statements=_numbered(g["text"].tolist()), n=insights)}] for g in groups]
        replies = _ask(ask_fn, prompts, [_insights_grammar(insights, len(g)) for g in groups])
        new_agents, new_texts, new_src = [], [], []
        for g, reply in zip(groups, replies, strict=True):
            ev_ids = g["id"].to_numpy()
            for text, ev in parse_insights(reply, len(g), insights):
                new_agents.append(int(g["agent"].iloc[0]))
                new_texts.append(text)
                new_src.append(tuple(int(ev_ids[e - 1]) for e in ev))
        if not new_texts:
            return _frame([])
        ids = self.add(new_agents, new_texts, t, kind="reflection", sources=new_src)
        p_ids = self._agent.v[ids]
        return _frame([[int(i), int(agents[p]), "reflection", self._texts.v[i], t, t,
                        float(self._imp.v[i]), self._sources[i]] for i, p in zip(ids, p_ids,
                                                                                 strict=True)])

    # ---- persistence -------------------------------------------------------------------------
    def _collection(self, folder: Path, create: bool):
        try:
            import chromadb
        except ImportError as exc:
            raise ImportError(f"Stream checkpoints need chromadb: {_INSTALL}") from exc
        client = chromadb.PersistentClient(path=str(folder / "chroma"),
                                           settings=chromadb.Settings(anonymized_telemetry=False))
        if create:
            try:
                client.delete_collection(self.name)
            except Exception:  # chromadb versions raise different types for "not found"
                pass
            return client.create_collection(self.name, embedding_function=None,
                                            configuration={"hnsw": self.hnsw},
                                            metadata={"socialkit": "memory.Stream"})
        return client.get_collection(self.name, embedding_function=None)

    def _write_records(self, col, start: int, stop: int) -> None:
        batch = 5000
        agents = self._agents.to_numpy()
        for a in range(start, stop, batch):
            b = min(stop, a + batch)
            mid = np.arange(a, b)
            pos = self._agent.v[a:b]
            emb = np.empty((b - a, self._dim), dtype=np.float32)
            for i, (m, p) in enumerate(zip(mid, pos, strict=True)):
                emb[i] = self._emb[p][np.searchsorted(self._ids[p].v, m)]
            col.add(ids=[str(m) for m in mid], embeddings=emb, documents=list(self._texts.v[a:b]),
                    metadatas=[{"seq": int(m), "agent": int(agents[p]), "kind": KINDS[kd],
                                "created": float(c), "importance": float(im),
                                "sources": ",".join(map(str, s))}
                               for m, p, kd, c, im, s in zip(
                                   mid, pos, self._kind.v[a:b], self._created.v[a:b],
                                   self._imp.v[a:b], self._sources[a:b], strict=True)])

    def checkpoint(self, folder: str | os.PathLike) -> None:
        """Write the whole state under ``folder``: the chromadb collection (``folder/chroma``), the
        mutable state (``memory-*.npz``) and ``memory.json``, written last and atomically (the
        commit point). Needs chromadb (the ``memory`` extra).

        Examples
        --------
        >>> import tempfile, socialkit as sk
        >>> mem = sk.memory.Stream(embedding=sk.memory.HashEmbedding()).bind(1)
        >>> _ = mem.add([0], ["Ann heard a rumour"], time=1.0)
        >>> _ = mem.retrieve([0], ["rumour"], time=2.0)
        >>> folder = tempfile.mkdtemp()
        >>> mem.checkpoint(folder)
        >>> back = sk.memory.Stream(embedding=sk.memory.HashEmbedding()).restore(folder)
        >>> back.frame(0)[["text", "created", "last_access"]].values.tolist()
        [['Ann heard a rumour', 1.0, 2.0]]
        """
        folder = _folder(folder).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        if len(self) or self._store is not None:
            fresh = self._store != folder
            col = self._collection(folder, create=fresh)
            start = 0 if fresh else self._stored
            if not fresh and col.count() != self._stored:   # a crashed checkpoint left extras
                col.delete(where={"seq": {"$gte": self._stored}})
            self._write_records(col, start, len(self))
            self._store, self._stored = folder, len(self)
        arrays = folder / f"memory-{uuid.uuid4().hex[:12]}.npz"
        buf = io.BytesIO()
        np.savez(buf, last=self._last.v, acc=self._acc, since=self._since)
        _write_atomic(arrays, buf.getvalue())
        state = {"memory": self.kind, "version": 1, "name": self.name, "arrays": arrays.name,
                 "count": len(self), "dim": self._dim, "agents": self.agents.tolist(),
                 "scoring": asdict(self.scoring), "threshold": self.threshold, "hnsw": self.hnsw,
                 "embedding": getattr(self.embedding, "name", type(self.embedding).__name__),
                 "chroma": len(self) > 0 or self._store is not None}
        old = folder / self._STATE_FILE
        before = json.loads(old.read_text()) if old.is_file() else {}
        # the previous arrays file is kept one checkpoint longer, so that a caller holding the
        # previous memory.json (a simulation whose own commit did not happen) can restore it
        state["previous"] = before.get("arrays")
        _write_atomic(old, json.dumps(state).encode("utf-8"))
        for stale in folder.glob("memory-*.npz"):
            if stale.name not in (arrays.name, state["previous"]):
                stale.unlink(missing_ok=True)

    def restore(self, folder: str | os.PathLike) -> Stream:
        """Replace the state with the checkpoint in ``folder`` and continue in that folder.

        The embedding and importance functions stay the memory's own; the embedding must have
        the name the checkpoint was made with. Returns the memory itself.
        """
        folder = _folder(folder).resolve()
        state = self._read_state(folder)
        emb_name = getattr(self.embedding, "name", type(self.embedding).__name__)
        if state["embedding"] != emb_name:
            raise ValueError(f"folder: the checkpoint was embedded with {state['embedding']!r}, "
                             f"this memory embeds with {emb_name!r}")
        with np.load(folder / state["arrays"]) as z:
            last, acc, since = z["last"], z["acc"], z["since"]
        n = int(state["count"])
        records = self._read_records(folder, state["name"], n) if state["chroma"] else None
        self.name = state["name"]
        self.scoring = Scoring(**state["scoring"])
        self.threshold = float(state["threshold"])
        self.hnsw = state["hnsw"]
        self._reset()
        self._dim = state["dim"]
        self.bind(np.asarray(state["agents"], dtype=np.int64))
        if records is not None and n:
            seq, emb, docs, metas = records
            agents = np.array([m["agent"] for m in metas], dtype=np.int64)
            pos = self._agents.get_indexer(agents)
            # re-add in id order, keeping the checkpoint's own times, ratings and embeddings
            self._agent.extend(pos)
            self._created.extend(np.array([m["created"] for m in metas]))
            self._last.extend(last)
            self._imp.extend(np.array([m["importance"] for m in metas]))
            self._kind.extend(np.array([KINDS.index(m["kind"]) for m in metas], dtype=np.int8))
            obj = np.empty(n, dtype=object)
            obj[:] = docs
            self._texts.extend(obj)
            self._sources = [tuple(int(x) for x in m["sources"].split(",") if x) for m in metas]
            order = np.argsort(pos, kind="stable")
            bounds = np.flatnonzero(np.diff(pos[order])) + 1
            for group in np.split(order, bounds):
                p = int(pos[group[0]])
                self._emb[p] = np.ascontiguousarray(emb[group])
                self._ids[p].extend(seq[group])
        self._acc, self._since = acc.astype(np.float64), since.astype(np.int64)
        if state["chroma"]:
            self._store, self._stored = folder, n
        return self

    def _read_records(self, folder: Path, name: str, n: int):
        old = self.name
        self.name = name
        try:
            col = self._collection(folder, create=False)
        finally:
            self.name = old
        if col.count() > n:   # written after the checkpoint (a crash mid-step): drop them
            col.delete(where={"seq": {"$gte": n}})
        seq = np.empty(0, dtype=np.int64)
        embs, docs, metas = [], [], []
        batch = 5000
        for a in range(0, n, batch):
            got = col.get(where={"$and": [{"seq": {"$gte": a}}, {"seq": {"$lt": a + batch}}]},
                          include=["embeddings", "documents", "metadatas"])
            s = np.array([m["seq"] for m in got["metadatas"]], dtype=np.int64)
            o = np.argsort(s)
            seq = np.concatenate([seq, s[o]])
            embs.append(np.asarray(got["embeddings"], dtype=np.float32)[o])
            docs.extend(got["documents"][i] for i in o)
            metas.extend(got["metadatas"][i] for i in o)
        if not np.array_equal(seq, np.arange(n)):
            raise ValueError(f"folder: the chromadb collection in {folder} lacks memories of the "
                             f"checkpoint ({len(seq)} of {n})")
        return seq, np.concatenate(embs) if embs else np.empty((0, 0), np.float32), docs, metas


def _minmax(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Min-max normalise each row over its valid entries; a constant row becomes 0.5."""
    lo = np.where(valid, x, np.inf).min(axis=1, keepdims=True)
    hi = np.where(valid, x, -np.inf).max(axis=1, keepdims=True)
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.5)
    return np.where(valid, out, 0.0)


def _questions_grammar(n: int) -> str:
    """GBNF of at most ``n`` question lines."""
    more = f' ("\\n" line){{0,{n - 1}}}' if n > 1 else ""
    return f'root ::= line{more}\nline ::= [^\\n?]{{3,150}} "?"'


def _insights_grammar(n: int, n_statements: int) -> str:
    """GBNF of at most ``n`` lines ``insight (because of 1, 3)`` citing statements 1..m."""
    more = f' ("\\n" line){{0,{n - 1}}}' if n > 1 else ""
    cite = f' (", " num){{0,{n_statements - 1}}}' if n_statements > 1 else ""
    nums = " | ".join(f'"{i}"' for i in range(n_statements, 0, -1))  # "12" before "1"
    return (f'root ::= line{more}\nline ::= [^\\n()]{{3,200}} " (because of " num{cite} ")"\n'
            f"num ::= {nums}")


def _takes_grammars(ask_fn: AskFn) -> bool:
    try:
        params = inspect.signature(ask_fn).parameters.values()
    except (TypeError, ValueError):  # builtins, some callables
        return False
    return any(p.name == "grammars" or p.kind is p.VAR_KEYWORD for p in params)


def _ask(ask_fn: AskFn, prompts: list, grammars: list[str] | None = None) -> list:
    if grammars is not None and _takes_grammars(ask_fn):
        replies = list(ask_fn(prompts, grammars=grammars))
    else:
        replies = list(ask_fn(prompts))
    if len(replies) != len(prompts):
        raise ValueError(f"ask_fn returned {len(replies)} replies for {len(prompts)} prompts")
    return replies

