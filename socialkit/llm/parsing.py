"""Reading an answer out of a free-form reply without misreading it.

The rule of this module: an answer is returned only when the reply states exactly one answer;
everything else (several numbers, a range, a negated or hedged label, an answer that contradicts
its own letter, a refusal) is *missing, with the reason*. A missing answer is re-asked and then
counted; a wrong answer marked valid would be silently averaged into a survey estimate.

The steps, shared by the closed questions (:mod:`socialkit.llm.questions`):

1. :func:`clean` removes markdown emphasis, quotes and typographic dashes;
2. :func:`mask` blanks what is not an answer: echoes of the scale or the instructions
   ("on a scale of 1 to 5", "out of 5", "/5", "between 0 and 100"), and numbers about the
   persona ("as a 45-year-old", "in 1996", "$50,000", "2 kids");
3. :func:`numbers` and :func:`ranges` find what is left; label and option-name matches are
   checked for negation and hedges nearby.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["clean", "excerpt", "mask", "numbers", "ranges", "Number", "label_hits",
           "refusal", "number_words", "modified", "json_answer", "other_scale", "NEGATIONS",
           "HEDGES", "INTENSIFIERS"]

_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)_(?=\w)|(?<=\w)_(?!\w)|\*|`|~~")
_QUOTES = "\"'“”‘’«»"
_DASH = re.compile(r"\s*[\u2013\u2014]\s*")
_HEADING = re.compile(r"(?m)^\s*(?:#+|>+)\s*")

# a number: not glued to a word or another number; thousands groups of three digits
_NUM = re.compile(r"(?<![\w.,/])(?P<sign>-(?=\d))?(?P<int>\d{1,3}(?:,\d{3})+|\d+)"
                  r"(?:\.(?P<frac>\d+))?(?![\w]|\.\d|,\d|-[A-Za-z])")

_UNITS = ("kids|children|grandchildren|grandkids|sons|daughters|siblings|brothers|sisters|"
          "times|days|weeks|months|hours|minutes|people|persons|dollars|cents|miles|km|"
          "acres|cars|jobs|friends|members|votes|elections|generations|decades")
_PERSONA = [
    re.compile(r"\b\d+\s*-?\s*(?:years?|yrs?)\s*-?\s*old\b", re.I),
    re.compile(r"\b\d+\s*-?\s*year\s*-?\s*olds?\b", re.I),
    re.compile(r"\b(?:aged?|age of|at age)\s+\d+\b", re.I),
    re.compile(r"\b(?:in|since|until|by|of|from|before|after)\s+(?:the\s+)?(?:19|20)\d{2}s?\b",
               re.I),
    re.compile(r"\b(?:19|20)\d{2}s\b", re.I),
    re.compile(rf"\b\d[\d,]*(?:\.\d+)?\s+(?:{_UNITS})\b", re.I),
    re.compile(r"\b\d+\s*(?:st|nd|rd|th)\b", re.I),
]
_MONEY = re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?(?:\s*(?:k|thousand|million|billion)\b)?", re.I)
_REFUSAL = re.compile(
    r"\b(?:as an ai|language model|i (?:can ?not|can't|won't|am unable to|am not able to) "
    r"(?:answer|say|choose|give|provide|pick|decide|share)|(?:prefer|rather) not (?:to )?"
    r"(?:say|answer)|decline to|no opinion|don't know|do not know|not sure|i'm sorry|"
    r"i am sorry|refuse|can't say|cannot say|hard to say|it depends|no comment)\b", re.I)

NEGATIONS = {"not", "no", "never", "don't", "dont", "do not", "doesn't", "didn't", "isn't",
             "wouldn't", "won't", "cannot", "can't", "hardly", "nor", "neither", "against",
             "anyone but", "anybody but", "except", "rather than", "instead of", "without"}
HEDGES = {"strongly", "totally", "completely", "absolutely", "somewhat", "slightly", "mostly",
          "fully", "really", "very", "partly", "partially", "mildly", "kind of", "kinda",
          "sort of", "a bit", "a little", "fairly", "quite", "extremely", "moderately",
          "generally", "largely", "100%", "entirely", "tend to", "leaning", "lean",
          "basically", "probably", "maybe", "perhaps"}

INTENSIFIERS = {"strongly", "totally", "completely", "absolutely", "fully", "really", "very",
                "extremely", "entirely", "100%", "definitely", "wholeheartedly"}

_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
          "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUM = re.compile(
    r"\b(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?P<unit>one|two|"
    r"three|four|five|six|seven|eight|nine))?\b|\b(?P<small>zero|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen)\b|\b(?P<hundred>(?:a|one) hundred)\b", re.I)


@dataclass(frozen=True)
class Number:
    """A number found in a reply: its value, the text and where it stands."""

    value: float
    text: str
    start: int
    end: int

    @property
    def is_integer(self) -> bool:
        return float(self.value).is_integer()


def clean(reply: object) -> str:
    """A reply without markdown emphasis, surrounding quotes, odd dashes and extra spaces.

    Examples
    --------
    >>> clean('  **B**  ')
    'B'
    >>> clean('“I’d say 4 — agree”')
    "I'd say 4 - agree"
    """
    text = str(reply)
    if not text.isascii():  # (NFKC leaves ASCII as it is; the rest are non-ASCII marks)
        text = unicodedata.normalize("NFKC", text)
        text = text.replace("’", "'").replace("‘", "'").replace("\u2212", "-")
        text = _DASH.sub(" - ", text)
    if "*" in text or "_" in text or "`" in text or "~" in text:
        text = _EMPHASIS.sub("", text)
    if "#" in text or ">" in text:
        text = _HEADING.sub("", text)
    text = " ".join(text.split())
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def excerpt(reply: object, n: int = 40) -> str:
    """A short quoted excerpt of a reply, for reasons.

    Examples
    --------
    >>> excerpt("a  b")
    "'a b'"
    """
    text = " ".join(str(reply).split())
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def _fmt(v: float) -> str:
    return f"{v:g}" if float(v).is_integer() else str(v)


def _blank(text: str, span: tuple[int, int]) -> str:
    a, b = span
    return text[:a] + " " * (b - a) + text[b:]


def mask(text: str, low: float | None = None, high: float | None = None, *,
         money: bool = True, persona: bool = True) -> str:
    """Blank out echoes of the scale ``low``–``high`` and numbers about the persona.

    Positions are kept (blanked with spaces), so matches found afterwards point into the
    original text.

    Examples
    --------
    >>> " ".join(mask("On a scale of 1 to 5, as a 45-year-old I'd say 4/5.", 1, 5).split())
    ", as a I'd say 4 ."
    """
    out = text
    if low is not None and high is not None:
        lo, hi = re.escape(_fmt(low)), re.escape(_fmt(high))
        echoes = [
            rf"\b(?:on|using|in)?\s*(?:a|the|this)?\s*scale\s*(?:of|from)?\s*(?:\(\s*)?{lo}\s*"
            rf"(?:-|to|through|and)\s*{hi}(?:\s*\))?",
            rf"\bbetween\s+{lo}\s+and\s+{hi}\b",
            rf"\bfrom\s+{lo}\s+(?:-|to|through)\s+{hi}\b",
            rf"\(\s*{lo}\s*(?:-|to)\s*{hi}\s*\)",
            rf"(?<![\w.]){lo}\s*(?:-|to|through)\s*{hi}\s+scale\b",
            rf"(?<=\d)\s*(?:out\s+of|of|/)\s*{hi}(?![\w]|\.\d)",
            rf"\bout\s+of\s+{hi}(?![\w]|\.\d)",
        ]
        for pattern in echoes:
            for m in re.finditer(pattern, out, re.I):
                out = _blank(out, m.span())
    if persona:
        for pattern in _PERSONA:
            for m in pattern.finditer(out):
                if pattern is _PERSONA[3] or pattern is _PERSONA[4]:
                    year = int(re.search(r"(?:19|20)\d{2}", m.group()).group())
                    if low is not None and high is not None and low <= year <= high:
                        continue  # a year is a possible answer here
                out = _blank(out, m.span())
    if money:
        for m in _MONEY.finditer(out):
            out = _blank(out, m.span())
    return out


def numbers(text: str) -> list[Number]:
    """Numbers written with digits (signs, decimals, thousands separators).

    Examples
    --------
    >>> [n.value for n in numbers("4/5, -2, 1,000 and 3.5; not 4th or x2")]
    [4.0, -2.0, 1000.0, 3.5]
    """
    out = []
    for m in _NUM.finditer(text):
        v = float(m.group("int").replace(",", "") + ("." + m.group("frac") if m.group("frac")
                                                     else ""))
        if m.group("sign"):
            v = -v
        out.append(Number(v, m.group(), m.start(), m.end()))
    return out


def number_words(text: str) -> list[Number]:
    """Numbers written as English words (zero to one hundred).

    Examples
    --------
    >>> [n.value for n in number_words("I'd say seventy-five, or four")]
    [75.0, 4.0]
    """
    out = []
    for m in _WORD_NUM.finditer(text):
        if m.group("tens"):
            v = _WORDS[m.group("tens").lower()] + (_WORDS[m.group("unit").lower()]
                                                   if m.group("unit") else 0)
        elif m.group("small"):
            v = _WORDS[m.group("small").lower()]
        else:
            v = 100
        out.append(Number(float(v), m.group(), m.start(), m.end()))
    return out


_RANGE = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)\s*(?:-|to|or|and|/|through|~)\s*"
                    r"(-?\d+(?:\.\d+)?)(?![\w.]|\.\d)|\bbetween\s+(-?\d+(?:\.\d+)?)\s+and\s+"
                    r"(-?\d+(?:\.\d+)?)\b", re.I)


def ranges(text: str) -> list[tuple[float, float]]:
    """Ranges and alternatives between two numbers ("2-3", "3 or 4", "between 2 and 3").

    Examples
    --------
    >>> ranges("maybe 3 or 4, between 5 and 6")
    [(3.0, 4.0), (5.0, 6.0)]
    """
    out = []
    for m in _RANGE.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if float(a) != float(b):
            out.append((float(a), float(b)))
    return out


def _preceding(text: str, start: int, words: int = 4) -> str:
    """The last few words before a position, within the same clause."""
    before = re.split(r"[.;!?,:\n]|\bbut\b", text[:start], flags=re.I)[-1]
    return " ".join(before.lower().split()[-words:])


def modified(text: str, start: int, cues: set[str]) -> str | None:
    """The cue (negation or hedge) among the few words before ``start``, if any."""
    if re.search(r"\b(?:anyone|anybody|anything|everyone|everybody|all|nobody)\s+but\s*$",
                 text[:start], re.I):
        return "but"
    before = f" {_preceding(text, start)} "
    for cue in sorted(cues, key=len, reverse=True):
        if f" {cue} " in before or (cue.endswith("n't") and f"{cue} " in before):
            return cue
    if re.search(r"\w+n't\s*$", before.strip()):
        return "n't"
    return None


def label_hits(text: str, labels: list[str]) -> list[tuple[int, int, int]]:
    """Where labels occur, longest first and without overlaps: (label index, start, end).

    Examples
    --------
    >>> label_hits("I neither agree nor disagree", ["Disagree", "Agree",
    ...            "Neither agree nor disagree"])
    [(2, 2, 28)]
    """
    low = text.lower()
    taken: list[tuple[int, int]] = []
    hits = []
    for i in sorted(range(len(labels)), key=lambda i: -len(labels[i])):
        for m in re.finditer(rf"(?<![\w-]){re.escape(labels[i].lower())}(?![\w-])", low):
            a, b = m.span()
            if any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            hits.append((i, a, b))
    return sorted(hits, key=lambda h: h[1])


def refusal(text: str) -> bool:
    """Whether a reply declines to answer ("As an AI ...", "I'd rather not say", ...).

    Examples
    --------
    >>> refusal("As an AI, I don't have opinions."), refusal("Agree.")
    (True, False)
    """
    return bool(_REFUSAL.search(text))


_JSON = re.compile(r"\{[^{}]*\}", re.S)
_JSON_KEYS = ("answer", "value", "choice", "option", "rating", "response", "number")


def json_answer(text: str) -> str | None:
    """The answer field of a JSON object reply (``{"answer": 4}``), as text; None otherwise.

    Examples
    --------
    >>> json_answer('```json\\n{"answer": "B"}\\n```'), json_answer("B")
    ('B', None)
    """
    import json

    if "{" not in text:
        return None
    found = _JSON.findall(text)
    if len(found) != 1:
        return None
    try:
        obj = json.loads(found[0])
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    hits = [obj[k] for k in obj if str(k).lower() in _JSON_KEYS]
    if len(hits) != 1 or isinstance(hits[0], dict | list) or hits[0] is None:
        return None
    return str(hits[0])


_OTHER_SCALE = re.compile(r"\bscale\s*(?:of|from)?\s*\(?\s*(-?\d+)\s*(?:-|to|through)\s*(-?\d+)",
                          re.I)


def other_scale(text: str, low: float, high: float) -> tuple[float, float] | None:
    """A scale named in the reply that is not the question's ("on a scale of 1 to 10").

    Examples
    --------
    >>> other_scale("On a scale of 1 to 10, 7", 1, 5), other_scale("scale of 1 to 5: 4", 1, 5)
    ((1.0, 10.0), None)
    """
    for m in _OTHER_SCALE.finditer(text):
        a, b = float(m.group(1)), float(m.group(2))
        if (a, b) != (float(low), float(high)):
            return a, b
    return None
