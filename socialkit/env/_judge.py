"""A language-model judge that rates how far a text has drifted from a reference, on named
dimensions (FUSE-EVAL's by default), each a whole number read by the never-guessing parser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from socialkit.agents._actions import Action, ActionMenu, Number, _check_name
from socialkit.llm.questions import Parsed

__all__ = ["Judge", "FUSE_DIMENSIONS", "JUDGE_SYSTEM", "JUDGE_PROMPT"]

FUSE_DIMENSIONS = {
    "sentiment": "how far the emotional tone has moved away from the original's",
    "new_information": "how much information that is not in the original has been added",
    "certainty": "how much the certainty of the claims has changed (hedged facts told as "
                 "certain, or certain facts told as doubtful)",
    "style": "how much the style has changed (for example a neutral report retold as "
             "sensational gossip)",
    "time": "how much the time references have changed (dates, durations, the order of "
            "events)",
    "perspective": "how much the point of view or framing has changed (whose side the story "
                   "takes, who is blamed)",
}
"""The six deviation dimensions of FUSE-EVAL (Liu et al. 2024), in socialkit's words: sentiment,
new information, certainty, style, time and perspective; 0 = as in the original."""

JUDGE_SYSTEM = ("You compare a retold version of a news story with the original report and rate "
                "how far the version has drifted from it. Be strict and impartial: a faithful "
                "retelling scores 0 on every dimension.")
"""The judge's system prompt."""

_ACTION_LINE = re.compile(r"^\W*action\W*\s*[:=]", re.I | re.M)

JUDGE_PROMPT = "How far has the retold version drifted from the original on each dimension?"
"""The judge's question."""


class _Rubric(ActionMenu):
    """The judge's typed reply: one action ``rate`` with one whole-number argument per
    dimension, read by the action-menu parser (re-asked when invalid, constrained by its grammar
    on backends that can); the ``action: rate`` line may be left out."""

    kind = "rubric"

    def __init__(self, dimensions: Mapping[str, str], low: int, high: int, text: str):
        self._lines = [f"{d}: <{what}: a whole number from {low} (as in the original) to {high} "
                       f"(completely different)>" for d, what in dimensions.items()]
        args = {d: Number(low, high, integer=True) for d in dimensions}
        super().__init__([Action("rate", "rate the drift", **args)], text=text, name="judge")

    def instructions(self) -> str:
        return "\n".join(["Reply in exactly this format, one line each:", "action: rate",
                          *self._lines])

    def parse(self, reply: Any) -> Parsed:
        got = super().parse(reply)
        text = "" if reply is None else str(reply).strip()
        if got.ok or not text or text.startswith("{") or _ACTION_LINE.search(text):
            return got
        return super().parse("action: rate\n" + text)  # the only action


class Judge:
    """Rates texts against a reference on named dimensions, through the simulation's session.

    Each rating is one call (cached, counted, seeded by its draw key) whose reply holds one
    whole number per dimension, from ``low`` (as in the reference) to ``high`` (completely
    different); a reply that does not give every dimension exactly once, in range, is re-asked
    and finally recorded as missing, never guessed.

    Parameters
    ----------
    dimensions : dict of name -> meaning
        What is rated (default: FUSE-EVAL's six, :data:`FUSE_DIMENSIONS`); names are lower-case
        identifiers.
    low, high : int
        The scale.
    system : str
        The judge's system prompt.
    prompt : str
        The judge's question.

    Examples
    --------
    >>> j = Judge({"tone": "how far the tone moved"}, low=0, high=10)
    >>> j.question().parse("tone: 7").value
    {'action': 'rate', 'tone': 7}
    >>> j.question().parse("tone: 7 or 8").ok
    False
    >>> j.messages("The mayor resigned.", "The mayor was fired!")[1]["content"].splitlines()[0]
    'Original report: "The mayor resigned."'
    """

    def __init__(self, dimensions: Mapping[str, str] | None = None, low: int = 0,
                 high: int = 10, system: str = JUDGE_SYSTEM, prompt: str = JUDGE_PROMPT):
        dimensions = dict(FUSE_DIMENSIONS if dimensions is None else dimensions)
        if not dimensions:
            raise ValueError("Judge dimensions must not be empty")
        for d, what in dimensions.items():
            _check_name(d, "Judge dimension name")
            if d == "action":
                raise ValueError("Judge dimension cannot be named 'action'")
            if not isinstance(what, str) or not what.strip():
                raise ValueError(f"Judge dimension {d!r} needs a meaning (a non-empty string)")
        for nm, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"Judge {nm} must be an integer, got {v!r}")
        if low >= high:
            raise ValueError(f"Judge needs low < high, got {low} and {high}")
        for nm, v in (("system", system), ("prompt", prompt)):
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"Judge {nm} must be a non-empty string")
        self.dimensions, self.low, self.high = dimensions, low, high
        self.system, self.prompt = system, prompt
        self._question = _Rubric(dimensions, low, high, prompt)

    def question(self) -> ActionMenu:
        """The typed question of one rating."""
        return self._question

    def messages(self, reference: str, text: str) -> list[dict[str, str]]:
        """The chat messages of one rating."""
        body = "\n\n".join([f'Original report: "{" ".join(reference.split())}"',
                            f'Retold version: "{" ".join(text.split())}"',
                            self._question.render()])
        return [{"role": "system", "content": self.system}, {"role": "user", "content": body}]

    def scores(self, value: Mapping[str, Any]) -> dict[str, float]:
        """The dimension scores of a parsed reply."""
        return {d: float(value[d]) for d in self.dimensions}

    def spec(self) -> dict[str, Any]:
        return {"dimensions": dict(self.dimensions), "low": self.low, "high": self.high,
                "system": self.system, "prompt": self.prompt}

    def __repr__(self) -> str:
        return f"Judge({list(self.dimensions)}, {self.low}-{self.high})"
