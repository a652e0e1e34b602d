"""A discussion thread of a feed run to read: posts and replies indented as on a forum, with the
authors' names, the judge's labels and the moderator's removals (HTML in Jupyter, plain text in
a terminal)."""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd

from socialkit.plot._style import PALETTE, rgba

__all__ = ["thread_view", "ThreadView"]

_FLAG = "#c0392b"
_MOD = "#2c6fbb"


class ThreadView:
    """One thread to read: ``str()`` gives indented plain text, Jupyter shows it as a forum
    thread (:meth:`_repr_html_`), :meth:`save` writes a standalone HTML page.

    Attributes
    ----------
    header : str
    rows : DataFrame
        One row per item in reading order: ``post, depth, step, agent, name, kind, text,
        likes, label, flagged, removed, staff``.
    """

    def __init__(self, header: str, rows: pd.DataFrame, note: str = ""):
        self.header, self.rows, self.note = header, rows, note

    def __str__(self) -> str:
        out = [self.header]
        for r in self.rows.to_dict("records"):
            tags = []
            if _has(r["label"]):
                tags.append(str(r["label"]).upper() if r["flagged"] else str(r["label"]))
            if r["removed"]:
                tags.append("removed")
            tag = f" [{', '.join(tags)}]" if tags else ""
            out.append(f"{'    ' * int(r['depth'])}{r['name']} (step {r['step']}, "
                       f"{r['likes']} likes){tag}: {' '.join(str(r['text'] or '').split())}")
        if self.note:
            out.append(self.note)
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        names = list(dict.fromkeys(self.rows["name"].tolist()))
        colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
        cards = []
        for r in self.rows.to_dict("records"):
            c = _MOD if r["staff"] else colour[r["name"]]
            edge = _FLAG if r["flagged"] else c
            badge = ""
            if _has(r["label"]):
                bg = _FLAG if r["flagged"] else "#7f8c8d"
                badge = (f'<span style="background:{bg};color:white;border-radius:8px;'
                         f'padding:0 6px;margin-left:6px;font-size:10px">'
                         f'{html.escape(str(r["label"]))}</span>')
            if r["removed"]:
                badge += ('<span style="background:#555;color:white;border-radius:8px;'
                          'padding:0 6px;margin-left:6px;font-size:10px">removed by the '
                          'moderator</span>')
            body_style = "white-space:pre-wrap"
            if r["removed"]:
                body_style += ";text-decoration:line-through;color:#999"
            kind = "" if r["kind"] == "post" else f" · {r['kind']}"
            cards.append(
                f'<div style="margin:4px 0 4px {22 * int(r["depth"])}px;'
                f'background:{rgba(edge, 0.07)};border-left:3px solid {edge};'
                f'border-radius:5px;padding:4px 8px">'
                f'<div style="font-size:11px"><b style="color:{c}">{html.escape(r["name"])}</b>'
                f'<span style="color:#888"> · step {r["step"]}{kind} · {r["likes"]} '
                f'like{"" if r["likes"] == 1 else "s"}</span>{badge}</div>'
                f'<div style="{body_style}">{html.escape(str(r["text"] or ""))}</div></div>')
        note = (f'<div style="color:#888;font-size:11px;margin-top:4px">'
                f'{html.escape(self.note)}</div>' if self.note else "")
        return (f'<div style="font-family:sans-serif;font-size:13px;max-width:760px">'
                f'<div style="font-weight:600;margin-bottom:4px">{html.escape(self.header)}'
                f'</div>{"".join(cards)}{note}</div>')

    def save(self, path: Any) -> Any:
        """Write the thread as a standalone HTML page; returns the path."""
        from pathlib import Path

        p = Path(path)
        p.write_text(f'<!doctype html><html><head><meta charset="utf-8"><title>'
                     f'{html.escape(self.header)}</title></head><body style="margin:16px">'
                     f'{self._repr_html_()}</body></html>', encoding="utf-8")
        return p


def _has(x: Any) -> bool:
    return isinstance(x, str) and bool(x)


def _people(ev: pd.DataFrame) -> dict[int, tuple[str, str]]:
    m = ev[(ev["action"] == "member") & (ev["agent"] >= 0)]
    out = {}
    for a, d in zip(m["agent"].tolist(), m["data"].tolist(), strict=True):
        obj = json.loads(d)
        out[int(a)] = (str(obj.get("name", f"u{a}")), str(obj.get("source", "")))
    return out


def thread_view(run: Any, root: int | None = None) -> ThreadView:
    """A thread of a feed run to read (:class:`ThreadView`): the post ``root`` and its replies
    in reading order (:func:`socialkit.env.thread`), each with its author's name (from the
    run's ``member`` events, else ``u<id>``), step and likes, and, where a
    :class:`~socialkit.env.Community` judged and moderated it, its label (anti-social ones
    marked) and whether the moderator removed it.

    Parameters
    ----------
    run : socialkit.Run
    root : int, optional
        The thread's post id (default: the thread with the most replies).

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> rows = [(0, 1, "post", -1, 0, "My fern is brown."), (1, 2, "comment", 0, 1, "Water it."),
    ...         (2, 3, "comment", 0, 1, "Ferns are for losers.")]
    >>> ev = pd.DataFrame({"step": [0, 1, 1], "agent": [r[1] for r in rows],
    ...     "action": [r[2] for r in rows], "target": -1, "text": [r[5] for r in rows],
    ...     "data": [f'{{"depth": {r[4]}, "kind": "{r[2]}", "parent": {r[3]}, "post": {r[0]}, '
    ...              f'"root": 0, "topic": -1}}' for r in rows]})
    >>> flag = pd.DataFrame({"step": [1], "agent": [-1], "action": ["label"], "target": [3],
    ...     "text": ["antisocial"], "data": ['{"post": 2, "label": "antisocial", "flagged": true}']})
    >>> run = sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]),
    ...              pd.concat([ev, flag], ignore_index=True))
    >>> print(thread_view(run))
    Thread p0 by u1 (step 0): 2 replies, 1 judged anti-social, 0 removed
    u1 (step 0, 0 likes): My fern is brown.
        u2 (step 1, 0 likes): Water it.
        u3 (step 1, 0 likes) [ANTISOCIAL]: Ferns are for losers.
    """
    from socialkit.env import items, thread

    ev = run.events
    if root is None:
        it = items(run)
        posts = it[it["kind"] == "post"]
        if not len(posts):
            raise ValueError("thread_view: the run has no posts")
        replies = it[it["kind"] == "comment"].groupby("root").size()
        counts = posts["post"].map(replies).fillna(0)
        root = int(posts["post"].iloc[int(counts.to_numpy().argmax())])
    t = thread(run, root)
    people = _people(ev)
    labels: dict[int, tuple[str | None, bool]] = {}
    for d in ev.loc[ev["action"] == "label", "data"]:
        obj = json.loads(d)
        labels[int(obj["post"])] = (obj.get("label"), bool(obj.get("flagged")))
    removed = {int(json.loads(d)["post"]) for d in ev.loc[ev["action"] == "removed", "data"]}
    rows = pd.DataFrame({
        "post": t["post"].to_numpy(), "depth": t["depth"].to_numpy(), "step": t["step"].to_numpy(),
        "agent": t["agent"].to_numpy(),
        "name": [people.get(int(a), (f"u{int(a)}", ""))[0] for a in t["agent"]],
        "kind": t["kind"].to_numpy(), "text": t["text"].to_numpy(dtype=object),
        "likes": t["likes"].to_numpy(),
        "label": [labels.get(int(p), (None, False))[0] for p in t["post"]],
        "flagged": [labels.get(int(p), (None, False))[1] for p in t["post"]],
        "removed": [int(p) in removed for p in t["post"]],
        "staff": [people.get(int(a), ("", ""))[1] == "moderator" for a in t["agent"]]})
    first = rows.iloc[0]
    header = (f"Thread p{root} by {first['name']} (step {first['step']}): {len(rows) - 1} "
              f"repl{'y' if len(rows) == 2 else 'ies'}, {int(rows['flagged'].sum())} judged "
              f"anti-social, {int(rows['removed'].sum())} removed")
    return ThreadView(header, rows)
