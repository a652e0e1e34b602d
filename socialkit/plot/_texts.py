"""Readable views of the texts agents wrote: a conversation as a chat (HTML in Jupyter, plain
text in a terminal)."""

from __future__ import annotations

import html
import json
from typing import Any

from socialkit.plot._style import PALETTE, rgba

__all__ = ["conversation", "Transcript"]


class Transcript:
    """A conversation to read: ``str()`` gives plain text, Jupyter shows chat bubbles.

    Attributes
    ----------
    header : str
    lines : list of (speaker name, text, left the conversation)
    """

    def __init__(self, header: str, lines: list[tuple[str, str, bool]], note: str = ""):
        self.header, self.lines, self.note = header, lines, note

    def __str__(self) -> str:
        body = [self.header] + [f"{n}: {t}" + (" [leaves]" if left else "")
                                for n, t, left in self.lines]
        if self.note:
            body.append(self.note)
        return "\n".join(body)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        names = list(dict.fromkeys(n for n, _, _ in self.lines))
        colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
        rows = []
        for k, (name, text, left) in enumerate(self.lines):
            side = "flex-start" if names.index(name) % 2 == 0 else "flex-end"
            c = colour[name]
            rows.append(
                f'<div style="display:flex;justify-content:{side};margin:3px 0">'
                f'<div style="max-width:75%;background:{rgba(c, 0.12)};border-left:3px solid '
                f'{c};border-radius:6px;padding:4px 8px">'
                f'<div style="font-size:11px;color:{c};font-weight:600">{html.escape(name)}'
                f'<span style="color:#888;font-weight:400"> · turn {k}'
                f'{" · leaves" if left else ""}</span></div>'
                f'<div style="white-space:pre-wrap">{html.escape(text)}</div></div></div>')
        note = (f'<div style="color:#888;font-size:11px">{html.escape(self.note)}</div>'
                if self.note else "")
        return (f'<div style="font-family:sans-serif;font-size:13px;max-width:720px">'
                f'<div style="font-weight:600;margin-bottom:4px">{html.escape(self.header)}'
                f'</div>{"".join(rows)}{note}</div>')


def conversation(run: Any, conversation: int) -> Transcript:
    """One conversation of a run to read (a :class:`Transcript`: chat bubbles in Jupyter,
    ``print()`` for plain text), with its topic, how it ended and, for debates, the
    proposition and the debaters' sides.

    Parameters
    ----------
    run : socialkit.Run
        A run whose environment held conversations (``sk.env.Dialogue``, ``Debate``,
        ``Town``).
    conversation : int
        Its id (``sk.env.conversations(run)["conversation"]``).

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.agents import ScriptedPolicy
    >>> talk = ScriptedPolicy(lambda a, o, s, menu: {} if menu is None else
    ...                       {"action": "say", "text": "Hello <there>"})
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
    >>> run = sk.Simulation(pop, env=sk.env.Dialogue([(0, 1)], max_turns=2), policy=talk,
    ...                     progress=False).run(1)
    >>> print(conversation(run, 0))
    Conversation 0 (step 1): Agent 0 and Agent 1; 2 turns, ended by max_turns
    Agent 0: Hello <there>
    Agent 1: Hello <there>
    >>> "Hello &lt;there&gt;" in conversation(run, 0)._repr_html_()
    True
    """
    from socialkit.env import conversations, transcript

    plain = transcript(run, conversation)  # validates the id
    header = plain.splitlines()[0]
    t = conversations(run)
    rows = t[t["conversation"] == conversation]
    lines = [(n, str(x), bool(left)) for n, x, left in
             zip(rows["speaker_name"], rows["text"], rows["leave"], strict=True)]
    note = ""
    ev = run.events
    for text, data in zip(ev.loc[ev["action"] == "debate", "text"],
                          ev.loc[ev["action"] == "debate", "data"], strict=True):
        d = json.loads(data)
        if d.get("conversation") == conversation:
            sides = ""
            if d.get("sides"):
                sides = "; " + ", ".join(f"{r.replace('_', ' ')}: {s}"
                                         for r, s in zip(d["roles"], d["sides"], strict=True))
            info = {k: v for k, v in d.get("info", {}).items() if k != "profile"}
            extra = "; " + ", ".join(f"{k}: {v}" for k, v in info.items()) if info else ""
            note = f'Proposition: "{text}"{sides}{extra}'
    if not note and len(rows) and isinstance(rows["topic"].iloc[0], str):
        note = f"Topic: {rows['topic'].iloc[0]}"
    return Transcript(header, lines, note)
