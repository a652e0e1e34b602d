"""Typed questions: each renders its instructions, parses and validates answers.

A question turns a raw model reply into a :class:`Parsed` value: ``ok=True`` with the answer, or
``ok=False`` with the reason it is not valid (the runner then re-asks, and finally records the
answer as missing with that reason). Closed questions (:class:`Likert`, :class:`Choice`) also turn
a reply's token log-probabilities into a distribution over their options (the OpinionQA method).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from socialkit.llm import parsing as P

__all__ = ["Question", "Likert", "Choice", "Numeric", "FreeText", "Parsed"]

_LIKERT_LABELS = {
    5: ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
    7: ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
        "Somewhat agree", "Agree", "Strongly agree"],
}


@dataclass(frozen=True)
class Parsed:
    """The outcome of parsing one reply: ``ok`` and ``value``, or the ``reason`` it is invalid."""

    ok: bool
    value: Any = None
    reason: str = ""


def _check_text(text: Any, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what}: the question text must be a non-empty string, got {text!r}")
    return text.strip()


_MONEY_WORDS = ("income", "money", "dollar", "$", "earn", "salary", "wage", "pay", "cost",
                "price", "spend", "donat", "save", "rent", "worth")
_PERSONA_WORDS = ("age", "old", "born", "year", "children", "kids", "how many")


def int_interval(low: int, high: int) -> list[str]:
    """GBNF alternatives that spell exactly the whole numbers from ``low`` to ``high``.

    Examples
    --------
    >>> int_interval(18, 99)
    ['"1" [8-9]', '[2-9][0-9]']
    >>> int_interval(-2, 3)
    ['"-" [1-2]', '[0-3]']
    """
    if low > high:
        raise ValueError(f"empty interval {low} to {high}")
    out = []
    if low < 0:
        out += [f'"-" {a}' if " " not in a and "|" not in a else f'"-" ({a})'
                for a in _nonneg(max(1, -high) if high < 0 else 1, -low)]
    if high >= 0:
        out += _nonneg(max(0, low), high)
    return out


def _nonneg(a: int, b: int) -> list[str]:
    out = []
    for n in range(len(str(a)), len(str(b)) + 1):
        lo, hi = max(a, 10 ** (n - 1) if n > 1 else 0), min(b, 10 ** n - 1)
        if lo <= hi:
            out += _same_length(str(lo), str(hi))
    return out


def _same_length(lo: str, hi: str) -> list[str]:
    n = len(lo)
    if lo == hi:
        return [f'"{lo}"']
    if n == 1:
        return [f"[{lo}-{hi}]"]
    lo_full, hi_full = lo[1:] == "0" * (n - 1), hi[1:] == "9" * (n - 1)
    if lo[0] == hi[0] and not (lo_full and hi_full):
        rest = _same_length(lo[1:], hi[1:])
        tail = rest[0] if len(rest) == 1 else "(" + " | ".join(rest) + ")"
        return [f'"{lo[0]}" {tail}']
    out = [] if lo_full else _same_length(lo, lo[0] + "9" * (n - 1))
    start, end = int(lo[0]) + (not lo_full), int(hi[0]) - (not hi_full)
    if start <= end:
        head = f'"{start}" ' if start == end else f"[{start}-{end}]"
        out.append(head + "[0-9]" * (n - 1))
    return out + ([] if hi_full else _same_length(hi[0] + "0" * (n - 1), hi))


_BARE = re.compile(r"\s*(?:\*\*)?\s*\(?([-\w.]{1,16}?)\)?\s*(?:\*\*)?\.?\s*")


_JSON_BARE = re.compile(r'\s*\{\s*"answer"\s*:\s*("?)([-\w.]{1,16})\1\s*\}\s*')


def _bare(reply: Any) -> str | None:
    """A reply that is a single token ("4", "B.", "**C**", "(b)") or a structured-output reply
    holding one (``{"answer": 4}``), else None.

    Examples
    --------
    >>> _bare("**4**"), _bare('{"answer": "B"}'), _bare("I'd say 4")
    ('4', 'B', None)
    """
    if not isinstance(reply, str) or len(reply) > 40:
        return None
    m = _BARE.fullmatch(reply) if len(reply) <= 24 else None
    if m:
        return m.group(1)
    m = _JSON_BARE.fullmatch(reply)
    return m.group(2) if m else None


def _prepare(reply: Any) -> tuple[str, str]:
    """The cleaned reply (the answer field of a JSON reply), or the reason it is empty."""
    if reply is None:
        return "", "empty answer"
    text = P.clean(reply)
    inner = P.json_answer(text)
    if inner is not None:
        text = P.clean(inner)
    if not text or not re.search(r"\w", text):
        return "", "empty answer"
    return text, ""


def _label_reading(text: str, labels: list[str], hedges: bool = True
                   ) -> tuple[set[int], set[int], list[str]]:
    """Labels (1-based) the reply states, labels it negates, and labels it qualifies.

    A label preceded by a negation ("I don't agree") is negated; one preceded by a hedge
    ("somewhat agree", when that is not itself a label) is qualified: neither is an answer.
    An intensifier before an extreme label ("very strongly agree") keeps it.
    """
    stated, negated, qualified = set(), set(), []
    extremes = {0, len(labels) - 1}
    for i, a, _ in P.label_hits(text, labels):
        if P.modified(text, a, P.NEGATIONS):
            negated.add(i + 1)
            continue
        cue = P.modified(text, a, P.HEDGES) if hedges else None
        if cue and not (cue in P.INTENSIFIERS and (i in extremes or labels[i].lower()
                                                    .startswith(("strongly", "very", "extremely",
                                                                 "completely")))):
            qualified.append(f"{cue} {labels[i].lower()}")
            continue
        stated.add(i + 1)
    return stated, negated, qualified


class Question:
    """Base class of the typed questions; subclasses define ``instructions`` and ``parse``.

    Attributes
    ----------
    text : str
        The question as asked.
    name : str
        Short name used in the ``question`` column of results (defaults to the text).
    options : list or None
        The answer values of a closed question, in order; None for open questions.
    keys : list of str or None
        What the model answers for each option (``"1"``, ``"A"``, ...).
    max_tokens : int
        Completion-token limit of one reply.
    """

    kind = "question"
    options: list | None = None
    keys: list[str] | None = None

    def __init__(self, text: str, name: str | None = None, max_tokens: int = 16):
        self.text = _check_text(text, type(self).__name__)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        self.name = name.strip() if name else self.text
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
        self.max_tokens = max_tokens

    # ---- to override -------------------------------------------------------------------------
    def instructions(self) -> str:  # pragma: no cover - abstract
        """How to answer, appended to the question text."""
        raise NotImplementedError

    def parse(self, reply: str) -> Parsed:  # pragma: no cover - abstract
        """Turn a raw reply into a :class:`Parsed` (valid value, or the reason it is not)."""
        raise NotImplementedError

    def grammar(self) -> str | None:
        """A GBNF grammar (llama.cpp) that only admits valid answers, or None (open answers)."""
        return None

    def json_schema(self) -> dict[str, Any] | None:
        """A JSON schema of the reply ``{"answer": ...}`` for structured output, or None."""
        value = self._answer_schema()
        if value is None:
            return None
        return {"type": "object", "properties": {"answer": value}, "required": ["answer"],
                "additionalProperties": False}

    def _answer_schema(self) -> dict[str, Any] | None:
        return None

    # ---- shared ------------------------------------------------------------------------------
    def render(self) -> str:
        """The full prompt text of the question: the text, then how to answer."""
        return f"{self.text}\n{self.instructions()}"

    def spec(self) -> dict[str, Any]:
        """A JSON-serialisable description (part of the prompts hash and provenance)."""
        return {"kind": self.kind, "name": self.name, "prompt": self.render(),
                "max_tokens": self.max_tokens}

    @property
    def closed(self) -> bool:
        """True when the answer is one of a fixed list of options."""
        return self.options is not None

    def distribution(self, top_logprobs: list[list[tuple[str, float]]] | None
                     ) -> dict[Any, float] | None:
        """Probabilities of the options from a reply's token log-probabilities (OpinionQA).

        Takes the first generated position where the option keys (``"3"``, ``" 3"``, ``"(C"``,
        ...) hold at least half the probability (so an opening quote or space before the answer
        is passed over), else the first position where any key appears; sums the probability of
        the tokens that spell each key and renormalises over the options. Returns None for open
        questions or when no key appears.

        Parameters
        ----------
        top_logprobs : list of list of (token, logprob)
            For each generated position, the most likely tokens and their log-probabilities.

        Returns
        -------
        dict or None
            Option value -> probability, summing to 1.

        Examples
        --------
        >>> from math import log
        >>> q = Likert("Taxes should be lower.", scale=5)
        >>> q.distribution([[(" 4", log(0.4)), ("4", log(0.2)), ("2", log(0.15)), ("I", -3.0)],
        ...                 [("4", -0.01)]])
        {1: 0.0, 2: 0.2, 3: 0.0, 4: 0.8, 5: 0.0}
        """
        if not self.closed or not top_logprobs:
            return None
        index = {k.lower(): i for i, k in enumerate(self.keys)}
        first = None
        for position in top_logprobs:
            mass = [0.0] * len(self.keys)
            for token, logprob in position:
                i = index.get(str(token).strip().strip("\"'().:*{").lower())
                if i is not None and logprob is not None and math.isfinite(logprob):
                    mass[i] += math.exp(logprob)
            total = sum(mass)
            if total > 0 and first is None:
                first = mass
            if total >= 0.5:
                first = mass
                break
        if first is None:
            return None
        total = sum(first)
        return {opt: round(m / total, 6) for opt, m in zip(self.options, first, strict=True)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"


class Likert(Question):
    """An agreement (or any ordered) scale answered with a number, 1 to ``scale``.

    Parameters
    ----------
    text : str
        The statement or question.
    scale : int, optional
        5 (default) or 7 points; with your own ``labels``, 2 to 10 points and taken from them
        (a ``scale`` that disagrees with the number of labels is an error).
    labels : list of str, optional
        One label per point, lowest first; defaults to the agree-disagree labels of 5 or 7 points.
    name : str, optional
        Short name for the results table.

    Examples
    --------
    >>> q = Likert("The government should reduce income differences.")
    >>> q.options
    [1, 2, 3, 4, 5]
    >>> q.parse("4"), q.parse("I'd say 2 - disagree").value, q.parse("Strongly agree").value
    (Parsed(ok=True, value=4, reason=''), 2, 5)
    >>> q.parse("9").reason
    "'9' is not a number from 1 to 5"
    """

    kind = "likert"

    def __init__(self, text: str, scale: int | None = None, labels: list[str] | None = None,
                 name: str | None = None, max_tokens: int = 16):
        super().__init__(text, name, max_tokens)
        if labels is None:
            scale = 5 if scale is None else scale
            if isinstance(scale, bool) or scale not in _LIKERT_LABELS:
                raise ValueError(f"Likert scale must be 5 or 7 (or give labels), got {scale!r}")
            labels = _LIKERT_LABELS[scale]
        else:
            if isinstance(labels, str) or not hasattr(labels, "__iter__"):
                raise TypeError(f"Likert labels must be a list of strings, got {labels!r}")
            labels = [str(x).strip() for x in labels]
            if scale is None:  # the labels define the scale
                scale = len(labels)
            if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= 10:
                raise ValueError(f"Likert scale must be an integer from 2 to 10, got {scale!r}")
            if len(labels) != scale:
                raise ValueError(f"Likert scale={scale} needs {scale} labels, got {len(labels)}: "
                                 f"{labels} (leave scale out to take it from the labels)")
            if not all(labels) or len({x.lower() for x in labels}) != scale:
                raise ValueError(f"Likert needs {scale} distinct non-empty labels, got {labels}")
        self.scale = scale
        self.labels = list(labels)
        self.options = list(range(1, scale + 1))
        self.keys = [str(i) for i in self.options]

    def instructions(self) -> str:
        lines = [f"{i} = {lab}" for i, lab in zip(self.options, self.labels, strict=True)]
        return "\n".join(lines) + f"\nAnswer with a single number from 1 to {self.scale}."

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "scale": self.scale, "labels": self.labels}

    def grammar(self) -> str:
        """``root ::= [1-5]`` for a 5-point scale.

        Examples
        --------
        >>> Likert("Q?").grammar(), Likert("Q?", labels=list("abcdefghij")).grammar()
        ('root ::= [1-5]', 'root ::= [1-9] | "10"')
        """
        return "root ::= " + " | ".join(int_interval(1, self.scale))

    def _answer_schema(self) -> dict[str, Any]:
        return {"type": "integer", "enum": list(self.options)}

    def parse(self, reply: str) -> Parsed:
        bare = _bare(reply)
        if bare is not None and bare.isdigit() and 1 <= int(bare) <= self.scale:
            return Parsed(True, int(bare))  # the common case: just the number
        text, why = _prepare(reply)
        if why:
            return Parsed(False, reason=why)
        other = P.other_scale(text, 1, self.scale)
        if other is not None:
            return Parsed(False, reason=f"answers on a scale of {other[0]:g} to {other[1]:g}, "
                                        f"not 1 to {self.scale}: {P.excerpt(text)}")
        masked = P.mask(text, 1, self.scale)
        for a, b in P.ranges(masked):
            if 1 <= min(a, b) and max(a, b) <= self.scale:
                return Parsed(False, reason=f"gives a range ({a:g} to {b:g}), not one answer")
        nums = P.numbers(masked) or (P.number_words(masked) if len(text.split()) <= 3 else [])
        values = list(dict.fromkeys(n.value for n in nums))
        stated, negated, qualified = _label_reading(text, self.labels)
        if len(values) > 1:
            return Parsed(False, reason=f"several numbers ({', '.join(f'{v:g}' for v in values)})"
                                        f" in {P.excerpt(text)}")
        if values:
            v = values[0]
            if not (float(v).is_integer() and 1 <= v <= self.scale):
                return Parsed(False, reason=f"{nums[0].text!r} is not a number from 1 to "
                                            f"{self.scale}")
            v = int(v)
            clash = (stated - {v}) or ({v} & negated)
            if clash:
                c = min(clash)
                return Parsed(False, reason=f"the number {v} contradicts the label "
                                            f"{self.labels[c - 1]!r} in {P.excerpt(text)}")
            return Parsed(True, v)
        if len(stated) == 1 and not qualified:
            return Parsed(True, next(iter(stated)))
        if len(stated) > 1 or (stated and qualified):
            return Parsed(False, reason=f"names several points of the scale in {P.excerpt(text)}")
        if qualified:
            return Parsed(False, reason=f"{qualified[0]!r} is not a point of the scale")
        if negated:
            return Parsed(False, reason=f"only negates {self.labels[min(negated) - 1]!r}, which "
                                        "is not a point of the scale")
        if P.refusal(text):
            return Parsed(False, reason=f"declines to answer: {P.excerpt(text)}")
        return Parsed(False, reason=f"no number from 1 to {self.scale} in {P.excerpt(text)}")


class Choice(Question):
    """One option out of a list, answered with its letter (A, B, ...).

    Parameters
    ----------
    text : str
        The question.
    options : list of str
        Two to 26 distinct options.
    name : str, optional
        Short name for the results table.

    Examples
    --------
    >>> q = Choice("Who will you vote for?", ["Clinton", "Dole", "Perot"])
    >>> q.keys
    ['A', 'B', 'C']
    >>> q.parse("B").value, q.parse("(c) Perot").value, q.parse("I choose Dole.").value
    ('Dole', 'Perot', 'Dole')
    >>> q.parse("Nobody").ok
    False
    """

    kind = "choice"

    def __init__(self, text: str, options: list[str], name: str | None = None,
                 max_tokens: int = 16):
        super().__init__(text, name, max_tokens)
        if isinstance(options, str) or not hasattr(options, "__iter__"):
            raise TypeError(f"Choice options must be a list of strings, got {options!r}")
        options = [str(o).strip() for o in options]
        if len(options) < 2:
            raise ValueError(f"Choice needs at least 2 options, got {options}")
        if len(options) > 26:
            raise ValueError(f"Choice takes at most 26 options, got {len(options)}")
        if not all(options) or len({o.lower() for o in options}) != len(options):
            raise ValueError(f"Choice options must be distinct non-empty strings: {options}")
        self.options = options
        self.keys = [chr(ord("A") + i) for i in range(len(options))]
        self._index = {k: i for i, k in enumerate(self.keys)}

    def instructions(self) -> str:
        lines = [f"{k}) {o}" for k, o in zip(self.keys, self.options, strict=True)]
        last = self.keys[-1]
        return "\n".join(lines) + f"\nAnswer with a single letter from A to {last}."

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "options": self.options}

    def grammar(self) -> str:
        """``root ::= [A-C]`` for three options.

        Examples
        --------
        >>> Choice("Q?", ["x", "y", "z"]).grammar()
        'root ::= [A-C]'
        """
        return f"root ::= [A-{self.keys[-1]}]"

    def _answer_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.keys)}

    def parse(self, reply: str) -> Parsed:
        bare = _bare(reply)
        if bare is not None and bare.upper() in self._index:
            return Parsed(True, self.options[self._index[bare.upper()]])
        text, why = _prepare(reply)
        if why:
            return Parsed(False, reason=why)
        keys = "".join(self.keys)
        listed = set(re.findall(rf"(?:^|\s|\()([{keys}])\)", text))
        if len(listed) > 1:
            return Parsed(False, reason=f"lists several options in {P.excerpt(text)}")
        letters = self._letters(text)
        stated, negated, _ = _label_reading(text, self.options, hedges=False)
        stated = stated | (self._word_hits(text) - negated)
        if len(letters) > 1:
            return Parsed(False, reason=f"gives several letters ({', '.join(sorted(letters))}) "
                                        f"in {P.excerpt(text)}")
        if letters:
            i = self.keys.index(next(iter(letters))) + 1
            clash = (stated - {i}) or ({i} & negated)
            if clash:
                c = self.options[min(clash) - 1]
                return Parsed(False, reason=f"letter {self.keys[i - 1]} is "
                                            f"{self.options[i - 1]!r} but the reply names {c!r}")
            return Parsed(True, self.options[i - 1])
        if len(stated) == 1:
            return Parsed(True, self.options[next(iter(stated)) - 1])
        if len(stated) > 1:
            return Parsed(False, reason=f"names several options in {P.excerpt(text)}")
        if negated:
            return Parsed(False, reason=f"only rules out {self.options[min(negated) - 1]!r}")
        if P.refusal(text):
            return Parsed(False, reason=f"declines to answer: {P.excerpt(text)}")
        return Parsed(False, reason=f"no option letter A-{self.keys[-1]} in {P.excerpt(text)}")

    def _letters(self, text: str) -> set[str]:
        """Option letters the reply gives as its answer (not articles or the pronoun I)."""
        keys = "".join(self.keys)
        found = set()
        whole = re.fullmatch(rf"\(?([{keys}{keys.lower()}])\)?[.!:]?", text)
        if whole:
            return {whole.group(1).upper()}
        m = re.match(rf"\(?([{keys}{keys.lower()}])(?:\)|[.:]\s|[.:]?$|\s*[-,;]\s)", text)
        if m:
            found.add(m.group(1).upper())
        m = re.match(rf"([{keys}])\s+(.*)", text)
        if m and not found and any(m.group(2).lower().startswith(o.lower())
                                   for o in self.options):
            found.add(m.group(1))  # "B Dole"
        found.update(x.upper() for x in re.findall(rf"\(([{keys}{keys.lower()}])\)", text))
        found.update(re.findall(rf"(?<=\s)([{keys}])\)", text))
        cue = (r"\b(?i:answer|option|choice|letter|pick|choose|select|go with|vote for|"
               r"choosing|picking|selecting)(?i:\s+(?:is|would be|will be|=))?\s*[:\-]?\s*")
        found.update(re.findall(rf"{cue}\(?([{keys}])(?![\w'])", text))
        end = re.search(rf"(?:,|\b(?i:think|say|guess|so))\s+([{keys}])[.!]?$", text)
        if end and end.group(1) != "I":
            found.add(end.group(1))
        return found

    def _word_hits(self, text: str) -> set[int]:
        """Options named by a capitalised word that belongs to no other option."""
        words = [{w for w in re.findall(r"[A-Z][\w'-]{2,}", o)} for o in self.options]
        out = set()
        for i, ws in enumerate(words):
            others = {w.lower() for j, x in enumerate(words) if j != i for w in x}
            for w in ws - {w for w in ws if w.lower() in others}:
                hit = re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
                if hit and not P.modified(text, hit.start(), P.NEGATIONS):
                    out.add(i + 1)
        return out


class Numeric(Question):
    """A number between ``low`` and ``high`` (inclusive).

    Parameters
    ----------
    text : str
        The question.
    low, high : float
        Bounds of a valid answer, ``low < high``.
    integer : bool
        Require (and return) a whole number.
    name : str, optional
        Short name for the results table.

    Examples
    --------
    >>> q = Numeric("How warm do you feel towards Congress (0-100)?", 0, 100)
    >>> q.parse("About 65 degrees.").value, q.parse("1,000").reason
    (65.0, '1000 is outside 0 to 100')
    """

    kind = "numeric"

    def __init__(self, text: str, low: float, high: float, integer: bool = False,
                 name: str | None = None, max_tokens: int = 16):
        super().__init__(text, name, max_tokens)
        for what, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"Numeric {what} must be a finite number, got {v!r}")
        if low >= high:
            raise ValueError(f"Numeric needs low < high, got low={low!r}, high={high!r}")
        self.low, self.high, self.integer = low, high, bool(integer)

    def instructions(self) -> str:
        kind = "whole number" if self.integer else "number"
        return f"Answer with a single {kind} between {self.low:g} and {self.high:g}."

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "low": self.low, "high": self.high, "integer": self.integer}

    def grammar(self) -> str:
        """Whole numbers from ``low`` to ``high`` (with up to two decimals unless ``integer``).

        Examples
        --------
        >>> Numeric("Q?", 0, 100, integer=True).grammar()
        'root ::= [0-9] | [1-9][0-9] | "100"'
        >>> Numeric("Q?", 0, 1).grammar()
        'root ::= ([0-1]) ("." [0-9] [0-9]?)?'
        """
        lo, hi = math.ceil(self.low), math.floor(self.high)
        if not self.integer:
            lo, hi = math.floor(self.low), math.floor(self.high)
        alts = int_interval(lo, hi) if lo <= hi else ['"0"']
        if self.integer:
            return "root ::= " + " | ".join(alts)
        return f"root ::= ({' | '.join(alts)}) (\".\" [0-9] [0-9]?)?"

    def _answer_schema(self) -> dict[str, Any]:
        return {"type": "integer" if self.integer else "number", "minimum": self.low,
                "maximum": self.high}

    def parse(self, reply: str) -> Parsed:
        bare = _bare(reply)
        if bare is not None and re.fullmatch(r"-?\d{1,15}(?:\.\d+)?", bare):
            v = float(bare)
            if self.low <= v <= self.high and (not self.integer or v.is_integer()):
                return Parsed(True, int(v) if self.integer else v)
        text, why = _prepare(reply)
        if why:
            return Parsed(False, reason=why)
        masked = P.mask(text, self.low, self.high)
        nums = P.numbers(masked)
        if not nums:  # numbers about the persona are the answer when the question asks them
            about = self.text.lower()
            money = any(w in about for w in _MONEY_WORDS)
            persona = any(w in about for w in _PERSONA_WORDS)
            if money or persona:
                masked = P.mask(text, self.low, self.high, money=not money, persona=not persona)
                nums = P.numbers(masked)
            if not nums and P.numbers(text) and not P.ranges(masked):
                return Parsed(False, reason=f"only numbers about the persona or the scale in "
                                            f"{P.excerpt(text)}")
        for a, b in P.ranges(masked):
            return Parsed(False, reason=f"gives a range ({a:g} to {b:g}), not one answer")
        if not nums and len(text.split()) <= 4:
            nums = P.number_words(masked)
        values = list(dict.fromkeys(n.value for n in nums))
        if not values:
            if P.refusal(text):
                return Parsed(False, reason=f"declines to answer: {P.excerpt(text)}")
            return Parsed(False, reason=f"no number in {P.excerpt(text)}")
        if len(values) > 1:
            return Parsed(False, reason=f"several numbers ({', '.join(f'{v:g}' for v in values)})"
                                        f" in {P.excerpt(text)}")
        v = values[0]
        if any(text[n.end:n.end + 1] in "kKmM" and n.end < len(text) for n in nums):
            return Parsed(False, reason=f"a number with a unit suffix in {P.excerpt(text)}")
        if not self.low <= v <= self.high:
            return Parsed(False, reason=f"{v:g} is outside {self.low:g} to {self.high:g}")
        if self.integer:
            if not v.is_integer():
                return Parsed(False, reason=f"{v:g} is not a whole number")
            return Parsed(True, int(v))
        return Parsed(True, v)


class FreeText(Question):
    """An open answer of at most ``max_words`` words.

    Parameters
    ----------
    text : str
        The question.
    max_words : int
        Longest valid answer, in words.
    name : str, optional
        Short name for the results table.

    Examples
    --------
    >>> q = FreeText("What is the most important problem facing the country?", max_words=5)
    >>> q.parse("  The economy. ").value
    'The economy.'
    >>> q.parse("one two three four five six").reason
    'answer has 6 words, more than 5'
    """

    kind = "free_text"

    def __init__(self, text: str, max_words: int = 50, name: str | None = None,
                 max_tokens: int | None = None):
        if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
            raise ValueError(f"FreeText max_words must be a positive integer, got {max_words!r}")
        super().__init__(text, name, max_tokens or 2 * max_words + 16)
        self.max_words = max_words

    def instructions(self) -> str:
        return f"Answer in at most {self.max_words} words."

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "max_words": self.max_words}

    def parse(self, reply: str) -> Parsed:
        reply = str(reply).strip()
        if not reply:
            return Parsed(False, reason="empty answer")
        n = len(reply.split())
        if n > self.max_words:
            return Parsed(False, reason=f"answer has {n} words, more than {self.max_words}")
        return Parsed(True, reply)
