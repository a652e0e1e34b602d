"""Reading ``ask`` results: the run summary and option distributions."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socialkit.llm.questions import Question
from socialkit.llm.runner import Usage

__all__ = ["Summary", "distribution", "summary"]


@dataclass
class Summary:
    """What one ``ask`` did: calls, cache hits, tokens, cost, failures (``df.attrs["summary"]``).

    Examples
    --------
    >>> from socialkit.llm.runner import Usage
    >>> s = Summary("scripted:f", Usage(jobs=4, unique=2, calls=2, prompt_tokens=20,
    ...             completion_tokens=2), (0.0, 0.0), None)
    >>> print(s)
    scripted:f: 4 answers from 2 unique prompts (2 calls saved by sharing, share='auto'), 2 calls, 0 cache hits, 22 tokens, $0, 0 missing, 0 failed attempts, 0.0 s
    """

    model_id: str
    usage: Usage
    price: tuple[float, float] | None
    budget: float | None
    share: str = "auto"

    def as_dict(self) -> dict[str, Any]:
        """Counters as a flat dict (JSON-serialisable)."""
        return {"model_id": self.model_id, "price": self.price, "budget": self.budget,
                "share": self.share, **self.usage.as_dict()}

    def __str__(self) -> str:
        u = self.usage
        cost = f"${u.cost:.4g}" if self.price is not None else "cost unknown (no price)"
        return (f"{self.model_id}: {u.jobs} answers from {u.unique} unique prompts "
                f"({u.calls_saved} calls saved by sharing, share={self.share!r}), {u.calls} calls, {u.cache_hits} cache hits, "
                f"{u.tokens} tokens, {cost}, {u.missing} missing, "
                f"{u.failed_attempts} failed attempts, {u.seconds} s")

    def __repr__(self) -> str:
        return f"<Summary {self}>"

    def _repr_html_(self) -> str:
        d = self.as_dict()
        d["errors"] = ", ".join(f"{k}: {v}" for k, v in self.usage.errors.items()) or "none"
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                       f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
                       for k, v in d.items())
        return f"<div><strong>socialkit.ask summary</strong><table>{rows}</table></div>"


def summary(df: pd.DataFrame) -> Summary:
    """The :class:`Summary` of an ``ask`` result.

    Examples
    --------
    >>> import socialkit as sk
    >>> res = sk.ask(["a"], sk.Likert("Fine?"), model=sk.llm.scripted(lambda m: "3"),
    ...              progress=False)
    >>> sk.llm.summary(res).usage.calls
    1
    """
    s = df.attrs.get("summary")
    if not isinstance(s, Summary):
        raise ValueError("this DataFrame does not come from socialkit.ask (no summary in attrs)")
    return s


def fill_sample_dists(df: pd.DataFrame, questions: list[Question]) -> None:
    """Give closed-question rows without a log-probability distribution the empirical
    distribution of the agent's valid sampled answers (in place)."""
    closed = {q.name: q for q in questions if q.closed}
    need = df["question"].isin(list(closed)) & df["dist"].isna()
    if not need.any():
        return
    sub = df.loc[need & (df["status"] != "missing"), ["agent", "question", "answer"]]
    cells = list(zip(sub["agent"], sub["question"], sub["answer"], strict=True))
    counts = Counter(cells)
    totals = Counter((a, q) for a, q, _ in cells)
    found: dict[tuple, dict] = {
        (a, q): {o: round(counts.get((a, q, o), 0) / n, 6) for o in closed[q].options}
        for (a, q), n in totals.items()}
    idx = df.index[need]
    df.loc[idx, "dist"] = pd.Series([found.get((a, q)) for a, q in
                                     zip(df.loc[idx, "agent"], df.loc[idx, "question"],
                                         strict=True)], index=idx, dtype=object)


def cell_distribution(question: Question, outcomes: list[Any]) -> tuple[list, np.ndarray]:
    """Options and probabilities of one group_by cell from its sampled outcomes.

    Closed questions: the mean of the log-probability distributions when the samples have them,
    else the frequencies of the valid answers. Open questions: the valid answers, equally likely.
    """
    if question.closed:
        dists = [o.dist for o in outcomes if o.dist]
        if dists:
            p = np.array([[d[o] for o in question.options] for d in dists]).mean(axis=0)
            return list(question.options), p / p.sum()
        valid = [o.value for o in outcomes if o.status != "missing"]
        if not valid:
            return [], np.array([])
        counts = Counter(valid)
        p = np.array([counts.get(o, 0) for o in question.options], dtype=float)
        return list(question.options), p / p.sum()
    valid = [o.value for o in outcomes if o.status != "missing"]
    return valid, np.full(len(valid), 1 / len(valid)) if valid else np.array([])


def distribution(df: pd.DataFrame, question: str | None = None,
                 weights: pd.Series | None = None) -> pd.DataFrame:
    """Share of each option per question, averaging the agents' ``dist`` (one row per option).

    Agents whose answer is missing and have no distribution are left out. With ``weights``
    (indexed by agent, e.g. ``pop.df.set_index("agent")["weight"]``) the average is weighted.

    Parameters
    ----------
    df : DataFrame
        A result of :func:`socialkit.ask`.
    question : str, optional
        Only this question.
    weights : Series, optional
        Agent weights.

    Returns
    -------
    DataFrame
        Columns ``question``, ``option``, ``share`` and ``n`` (agents counted).

    Examples
    --------
    >>> import socialkit as sk
    >>> model = sk.llm.scripted(lambda m: "1" if "young" in m[0]["content"] else "5")
    >>> res = sk.ask(["young", "old", "old", "old"], sk.Likert("Taxes are too high."),
    ...              model=model, progress=False)
    >>> sk.llm.distribution(res)["share"].tolist()
    [0.25, 0.0, 0.0, 0.0, 0.75]
    """
    if "dist" not in df.columns or "question" not in df.columns:
        raise ValueError("distribution needs a result of socialkit.ask (columns dist, question)")
    rows = []
    names = [question] if question is not None else list(dict.fromkeys(df["question"]))
    for name in names:
        sub = df[(df["question"] == name) & df["dist"].notna()]
        if question is not None and not (df["question"] == name).any():
            raise ValueError(f"no question named {name!r}; questions: "
                             f"{list(dict.fromkeys(df['question']))}")
        if sub.empty:
            continue
        per_agent = pd.DataFrame(list(sub["dist"]), index=sub["agent"]).groupby(level=0).mean()
        w = (weights.reindex(per_agent.index).fillna(0).to_numpy(float) if weights is not None
             else np.ones(len(per_agent)))
        if w.sum() <= 0:
            raise ValueError("the weights of the answering agents sum to zero")
        shares = (per_agent.to_numpy(float) * w[:, None]).sum(axis=0) / w.sum()
        for option, share in zip(per_agent.columns, shares, strict=True):
            rows.append({"question": name, "option": option, "share": round(float(share), 6),
                         "n": len(per_agent)})
    return pd.DataFrame(rows, columns=["question", "option", "share", "n"])
