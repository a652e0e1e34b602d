"""Importance of memories on Generative Agents' 1-10 poignancy scale: a heuristic and an LLM rater.

:func:`heuristic_importance` is cheap and deterministic (word lists, no model). :func:`rate_importance`
asks an LLM through a plain batch function ``ask_fn(list_of_message_lists) -> list_of_replies`` (so
any client fits: ``sk.llm``'s session, a scripted function in tests) with the paper's prompt, and
parses each reply strictly: a reply is a rating only when it holds exactly one whole number from 1
to 10 (``"7"``, ``"Rating: 7"``, ``"7/10"``); anything else is missing (NaN).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from socialkit.memory._embed import _check_texts

__all__ = ["heuristic_importance", "importance_prompts", "parse_rating", "rate_importance",
           "llm_importance", "IMPORTANCE_PROMPT"]

IMPORTANCE_PROMPT = (
    "On the scale of 1 to 10, where 1 is purely mundane (e.g., brushing teeth, making bed) and 10 "
    "is extremely poignant (e.g., a break up, college acceptance), rate the likely poignancy of the "
    "following piece of memory. Answer with the number only.\nMemory: {memory}\nRating:")
"""Generative Agents' poignancy prompt (Park et al. 2023), asking for the number only."""

AskFn = Callable[[list[list[dict[str, str]]]], Sequence[Any]]

# words that make a memory poignant (weight 5) or notable (weight 1.5), and mundane ones (-1)
_STRONG = ("die", "died", "dies", "death", "dead", "killed", "murder", "funeral", "divorce",
           "married", "marry", "wedding", "engaged", "pregnant", "born", "birth", "cancer",
           "hospital", "accident", "fired", "arrested", "prison", "war", "attack", "emergency",
           "disaster", "fire", "broke up", "break up", "breakup", "accepted", "rejected",
           "promoted", "lost my", "betrayed", "cheated", "scandal", "crisis", "collapse",
           "collapsed", "bankrupt", "elected", "won the", "proposed", "love you", "hate")
_NOTABLE = ("argue", "argued", "argument", "fight", "fought", "angry", "upset", "afraid", "scared",
            "worried", "excited", "happy", "sad", "cried", "secret", "rumour", "rumor", "election",
            "vote", "protest", "party", "birthday", "interview", "exam", "job", "money", "debt",
            "sick", "ill", "hurt", "police", "news", "announced", "decided", "decision", "promise",
            "plan", "friend", "enemy", "trust", "lie", "lied", "danger", "important", "urgent",
            "never", "first time", "surprised", "shocked", "won", "lost", "fake", "false")
_MUNDANE = ("brush", "brushing", "teeth", "breakfast", "lunch", "dinner", "sleep", "sleeping",
            "slept", "nap", "shower", "walk", "walking", "idle", "sitting", "sat", "reading",
            "read", "cooking", "cleaning", "coffee", "bed", "is idle", "wakes up", "woke up",
            "commute", "waiting", "weather", "tidy", "routine", "usual", "nothing")


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                      + r")\b")


_RE_STRONG, _RE_NOTABLE, _RE_MUNDANE = _pattern(_STRONG), _pattern(_NOTABLE), _pattern(_MUNDANE)
_RE_WORD = re.compile(r"\w+")
# A match of a list's pattern starts a run of word characters that equals the first word of
# one of its phrases; a text without such a word has no match (its regex need not run).
_FIRST = {id(rx): frozenset(w.split(" ")[0] for w in words)
          for rx, words in ((_RE_STRONG, _STRONG), (_RE_NOTABLE, _NOTABLE),
                            (_RE_MUNDANE, _MUNDANE))}
assert all(re.fullmatch(r"\w+(?: \w+)*", w) for w in _STRONG + _NOTABLE + _MUNDANE)


def _count(rx: re.Pattern[str], low: str, words: set[str]) -> int:
    return len(rx.findall(low)) if not words.isdisjoint(_FIRST[id(rx)]) else 0


def heuristic_importance(texts: Sequence[str]) -> np.ndarray:
    """A cheap, deterministic 1-10 importance: poignant and notable words up, mundane ones down.

    Starts at 2, adds 5 per poignant word (death, wedding, fired, ...), 1.5 per notable one
    (argument, rumour, election, ...), 1 per ``!`` (at most 2), subtracts 1 per mundane word
    (breakfast, sleeping, ...), and rounds and clips to 1-10.

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    numpy.ndarray
        Float ratings from 1 to 10, one per text.

    Examples
    --------
    >>> heuristic_importance(["Brushing my teeth", "Klaus told me a secret about the election",
    ...                       "My father died this morning"]).tolist()
    [1.0, 5.0, 7.0]
    """
    texts = _check_texts(texts)
    out = np.empty(len(texts), dtype=np.float64)
    for i, t in enumerate(texts):
        strong, notable, mundane, bangs = _text_counts(t)
        score = 2.0 + 5.0 * strong + 1.5 * notable + min(bangs, 2) - 1.0 * mundane
        out[i] = min(max(math.floor(score + 0.5), 1.0), 10.0)
    return out


# counts kept per text and per line: observations repeat texts and lines (what the same
# neighbour said)
@functools.lru_cache(maxsize=100_000)
def _text_counts(text: str) -> tuple[int, int, int, int]:
    """Poignant, notable and mundane words and ``!`` of a text: the sums over its lines (no
    phrase spans a line)."""
    counts = [_line_counts(line) for line in text.split("\n")]
    return tuple(sum(c[j] for c in counts) for j in range(4))


@functools.lru_cache(maxsize=100_000)
def _line_counts(line: str) -> tuple[int, int, int, int]:
    low = line.lower()
    words = set(_RE_WORD.findall(low))
    return (_count(_RE_STRONG, low, words), _count(_RE_NOTABLE, low, words),
            _count(_RE_MUNDANE, low, words), low.count("!"))


def importance_prompts(texts: Sequence[str]) -> list[list[dict[str, str]]]:
    """One chat prompt (a message list) per text, asking for its 1-10 poignancy.

    Examples
    --------
    >>> p = importance_prompts(["I ate breakfast"])
    >>> p[0][0]["role"], p[0][0]["content"].endswith("Memory: I ate breakfast\\nRating:")
    ('user', True)
    """
    texts = _check_texts(texts)
    return [[{"role": "user", "content": IMPORTANCE_PROMPT.format(memory=" ".join(t.split()))}]
            for t in texts]


_LABEL = re.compile(r"^\s*(?:rating|poignancy|importance|score)\s*[:=]?\s*", re.IGNORECASE)
_SCALE = re.compile(r"\s*(?:/\s*10|out of 10|on a scale of 1 to 10)\s*$", re.IGNORECASE)
_WHOLE = re.compile(r"\d{1,2}")
_DECOR = "*\"'` "


def parse_rating(reply: Any) -> float:
    """A 1-10 rating from a reply, strictly; NaN when the reply is not exactly one such number.

    Accepted: a whole number from 1 to 10, optionally after ``Rating:`` and before ``/10`` or
    ``out of 10``, wrapped in ``*`` or quotes, ending in ``.``. Missing (NaN): no number, two or
    more numbers, a fraction, a number outside 1-10, a number inside a sentence, a non-string.

    Examples
    --------
    >>> [parse_rating(r) for r in ["7", "Rating: 8/10", "**3**", "10."]]
    [7.0, 8.0, 3.0, 10.0]
    >>> [parse_rating(r) for r in ["6\\n\\nAs a 58 year old", "7.5", "0", "11", "I'd say 4", None]]
    [nan, nan, nan, nan, nan, nan]
    """
    if not isinstance(reply, str):
        return math.nan
    s = _LABEL.sub("", reply.strip().strip(_DECOR)).strip(_DECOR)
    s = s[:-1] if s.endswith(".") else s
    s = _SCALE.sub("", s.strip(_DECOR)).strip(_DECOR)
    if not _WHOLE.fullmatch(s):
        return math.nan
    value = int(s)
    return float(value) if 1 <= value <= 10 else math.nan


def rate_importance(texts: Sequence[str], ask_fn: AskFn) -> np.ndarray:
    """LLM importance ratings (1-10) of ``texts``, in one batched call of ``ask_fn``.

    Parameters
    ----------
    texts : sequence of str
        The memories to rate.
    ask_fn : callable
        ``ask_fn(prompts) -> replies``: takes a list of chat prompts (each a list of
        ``{"role", "content"}`` messages) and returns one reply string (or None) per prompt.

    Returns
    -------
    numpy.ndarray
        Float ratings, NaN where a reply is missing or not exactly one number from 1 to 10
        (see :func:`parse_rating`).

    Examples
    --------
    >>> rate_importance(["I ate breakfast", "I was fired"],
    ...                 lambda prompts: ["2", "Rating: 9"]).tolist()
    [2.0, 9.0]
    """
    texts = _check_texts(texts)
    if not callable(ask_fn):
        raise TypeError(f"ask_fn must be callable, got {type(ask_fn).__name__}")
    if not texts:
        return np.empty(0, dtype=np.float64)
    replies = list(ask_fn(importance_prompts(texts)))
    if len(replies) != len(texts):
        raise ValueError(f"ask_fn returned {len(replies)} replies for {len(texts)} prompts")
    return np.array([parse_rating(r) for r in replies], dtype=np.float64)


def llm_importance(ask_fn: AskFn, fallback: Callable[[Sequence[str]], np.ndarray] | None
                   = heuristic_importance) -> Callable[[Sequence[str]], np.ndarray]:
    """An importance function for a memory: LLM ratings, missing ones filled by ``fallback``.

    Examples
    --------
    >>> rate = llm_importance(lambda prompts: ["9", "maybe"])
    >>> rate(["I was fired", "Brushing my teeth"]).tolist()
    [9.0, 1.0]
    """
    if not callable(ask_fn):
        raise TypeError(f"ask_fn must be callable, got {type(ask_fn).__name__}")

    def rate(texts: Sequence[str]) -> np.ndarray:
        r = rate_importance(texts, ask_fn)
        miss = np.isnan(r)
        if miss.any() and fallback is not None:
            r[miss] = np.asarray(fallback([t for t, m in zip(texts, miss, strict=True) if m]),
                                 dtype=np.float64)
        return r

    rate.ask_fn = ask_fn  # type: ignore[attr-defined]
    return rate
