"""Reading a run's conversations back: a table of utterances and plain-text transcripts."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from socialkit.env._pairing import _is_int, names_and

__all__ = ["conversations", "transcript"]


def conversations(run: Any) -> pd.DataFrame:
    """The utterances of a run's conversations, one row each: ``conversation``, ``step``,
    ``turn``, ``speaker``, ``listeners``, ``text``, ``leave``, ``speaker_name``, ``topic``,
    ``ended_by``.

    Parameters
    ----------
    run : socialkit.Run
        A run whose environment held conversations (:class:`Dialogue`).

    Returns
    -------
    pandas.DataFrame
    """
    ev = getattr(run, "events", None)
    if not isinstance(ev, pd.DataFrame):
        raise TypeError(f"conversations needs a socialkit.Run, got {type(run).__name__}")
    cols = ["conversation", "step", "turn", "speaker", "listeners", "text", "leave",
            "speaker_name", "topic", "ended_by"]
    heads = {}
    for data, topic in zip(ev.loc[ev["action"] == "conversation", "data"],
                           ev.loc[ev["action"] == "conversation", "text"], strict=True):
        d = json.loads(data)
        heads[d["conversation"]] = (dict(zip(d["members"], d["names"], strict=True)), topic,
                                    d["ended_by"])
    rows = []
    said = ev[ev["action"] == "utterance"]
    for step, agent, text, data in zip(said["step"], said["agent"], said["text"], said["data"],
                                       strict=True):
        d = json.loads(data)
        names, topic, ended = heads.get(d["conversation"], ({}, None, None))
        rows.append([d["conversation"], int(step), d["turn"], int(agent), d["listeners"], text,
                     bool(d.get("leave")), names.get(int(agent), f"Agent {agent}"), topic,
                     ended])
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["conversation", "turn"], kind="stable").reset_index(drop=True)


def transcript(run: Any, conversation: int) -> str:
    """One conversation of a run as plain text: a header line, then ``Name: line`` lines.

    Parameters
    ----------
    run : socialkit.Run
    conversation : int
        Its id (the ``conversation`` column of :func:`conversations`).
    """
    table = conversations(run)
    if not _is_int(conversation):
        raise TypeError(f"transcript: conversation must be an integer id, got {conversation!r}")
    ev = run.events
    heads = ev[ev["action"] == "conversation"]
    head = None
    for step, data in zip(heads["step"], heads["data"], strict=True):
        d = json.loads(data)
        if d["conversation"] == conversation:
            head = (int(step), d)
    if head is None:
        known = sorted(table["conversation"].unique().tolist())
        raise ValueError(f"transcript: no conversation {conversation} in this run; its "
                         f"conversations are {known[:20]}{' ...' if len(known) > 20 else ''}")
    step, d = head
    rows = table[table["conversation"] == conversation]
    lines = [f"Conversation {conversation} (step {step}): {names_and(d['names'])}; "
             f"{d['turns']} turns, ended by {d['ended_by']}"]
    lines += [f"{n}: {t}" for n, t in zip(rows["speaker_name"], rows["text"], strict=True)]
    return "\n".join(lines)
