"""The feed's mechanics: one step's decisions applied in code, vectorised by action.

Order within a step: follows and unfollows, then likes and dislikes, then new items (posts,
comments, reposts, quotes in decision order); everything an agent acts on was on the platform
before the step. Each decision becomes one event in decision order; an impossible one (an item
that does not exist or was removed, one's own content, a second reaction, a repeated share, a
follow of oneself or of someone already followed, an unfollow of someone not followed) becomes a
``rejected`` event with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from socialkit.env._feed_store import KINDS, first_occurrence

_ITEM = re.compile(r"\s*[pP]?(\d+)\s*\Z")
_USER = re.compile(r"\s*[uU@]?(-?\d+)\s*\Z")
_WHAT = {"post": 0, "comment": 1, "repost": 2, "quote": 3, "like": 4, "dislike": 5}


def _num(v: Any, pattern: re.Pattern) -> int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return int(v) if float(v).is_integer() else None
    m = pattern.match(str(v))
    return int(m.group(1)) if m else None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def resolve(feed: Any, sim: Any, decisions: pd.DataFrame) -> pd.DataFrame:
    n = len(decisions)
    cols = ["agent", "action", "target", "text", "data"]
    if not n:
        return pd.DataFrame(columns=cols)
    act = decisions["action"].to_numpy(dtype=object)
    status = decisions["status"].to_numpy(dtype=object)
    acting = np.array([a is not None for a in act], dtype=bool) & (status != "missing")
    rows_all = np.flatnonzero(acting)
    agent_ids = decisions["agent"].to_numpy(dtype=np.int64)
    pos_all = sim.agents.positions(agent_ids)
    args = decisions["args"].tolist()
    out_action = act.copy()
    out_target = np.full(n, -1, dtype=np.int64)
    out_text = np.full(n, None, dtype=object)
    out_data = np.full(n, None, dtype=object)
    counts: dict[str, int] = {}
    p = feed.posts
    ids = feed._ids

    groups: dict[str, list[int]] = {}
    for r in rows_all.tolist():
        groups.setdefault(act[r], []).append(r)
    g = {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}

    def reject(rows: np.ndarray, reason: str, what: str, key: str, values: np.ndarray) -> None:
        if not len(rows):
            return
        out_action[rows] = "rejected"
        out_text[rows] = reason
        out_data[rows] = [f'{{"action": "{what}", "{key}": {json.dumps(v)}}}'
                          for v in values.tolist()]
        counts["rejected"] = counts.get("rejected", 0) + len(rows)

    def items_of(rows: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
        """Valid (rows, item ids) of an item action; rejects the rest."""
        raw = [args[r].get("post_id") for r in rows.tolist()]
        got = [_num(v, _ITEM) for v in raw]
        item = np.array([-1 if x is None else x for x in got], dtype=np.int64)
        exists = (item >= 0) & (item < len(p))
        reject(rows[~exists], "no such item", what, "post_id",
               np.array([str(v) for v in raw], dtype=object)[~exists])
        rows, item = rows[exists], item[exists]
        gone = p.hidden[item] | p.hidden[p.source[item]]
        reject(rows[gone], "the item was removed", what, "post", item[gone])
        return rows[~gone], item[~gone]

    def users_of(rows: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
        raw = [args[r].get("user") for r in rows.tolist()]
        got = np.array([-2 ** 62 if (x := _num(v, _USER)) is None else x for v in raw],
                       dtype=np.int64)
        where = sim.agents._pos.get_indexer(got)
        bad = where < 0
        reject(rows[bad], "no such account", what, "user",
               np.array([str(v) for v in raw], dtype=object)[bad])
        return rows[~bad], where[~bad]

    # ---- follows ---------------------------------------------------------------------------
    for what in ("follow", "unfollow"):
        if what not in g:
            continue
        rows, upos = users_of(g[what], what)
        me = pos_all[rows]
        selfish = upos == me
        reject(rows[selfish], "cannot follow oneself", what, "user", ids[upos[selfish]])
        rows, upos, me = rows[~selfish], upos[~selfish], me[~selfish]
        if what == "follow":
            done = feed.follows.add(me, upos)
            reason = "already following"
        else:
            done = feed.follows.remove(me, upos)
            reason = "not following"
        reject(rows[~done], reason, what, "user", ids[upos[~done]])
        out_target[rows[done]] = ids[upos[done]]
        counts[what] = int(done.sum())

    # ---- reactions -------------------------------------------------------------------------
    for what in ("like", "dislike"):
        if what not in g:
            continue
        rows, item = items_of(g[what], what)
        me = pos_all[rows]
        content = p.source[item]
        own = p.author[content] == me
        reject(rows[own], "own item", what, "post", content[own])
        rows, item, me, content = rows[~own], item[~own], me[~own], content[~own]
        had = feed.likes.contains(me, content) | feed.dislikes.contains(me, content)
        reject(rows[had], "already reacted to it", what, "post", content[had])
        rows, item, me, content = rows[~had], item[~had], me[~had], content[~had]
        (feed.likes if what == "like" else feed.dislikes).add(me, content)
        p.count("likes" if what == "like" else "dislikes", content)
        feed.log.add(me, content, feed.t, np.full(len(me), _WHAT[what]))
        out_target[rows] = ids[p.author[content]]
        roots = p.root[content]
        out_data[rows] = [f'{{"post": {c}, "root": {r}}}' if c == i else
                          f'{{"post": {c}, "root": {r}, "via": {i}}}'
                          for c, r, i in zip(content.tolist(), roots.tolist(), item.tolist(),
                                             strict=True)]
        counts[what] = len(rows)

    # ---- new items -------------------------------------------------------------------------
    made_rows, made_kind, made_parent, made_text, made_topic = [], [], [], [], []
    for what in ("post", "comment", "repost", "quote"):
        if what not in g:
            continue
        rows = g[what]
        if what == "post":
            parent = np.full(len(rows), -1, dtype=np.int64)
        else:
            rows, parent = items_of(rows, what)
            me = pos_all[rows]
            content = p.source[parent]
            if what == "comment":  # a reply to a repost replies to the content it shows
                parent = np.where(p.kind[parent] == 2, content, parent)
            if what == "repost":
                own = p.author[content] == me
                reject(rows[own], "own item", what, "post", content[own])
                rows, parent, me, content = rows[~own], parent[~own], me[~own], content[~own]
                again = feed.shared.contains(me, content) | \
                    ~first_occurrence(me * np.int64(2 ** 32) + content)
                reject(rows[again], "already shared it", what, "post", content[again])
                rows, parent = rows[~again], parent[~again]
                feed.shared.add(me[~again], content[~again])
        made_rows.append(rows)
        made_kind.append(np.full(len(rows), _WHAT[what], dtype=np.int8))
        made_parent.append(parent)
        if what == "repost":
            made_text.append([None] * len(rows))
            made_topic.append(np.full(len(rows), -1, dtype=np.int32))
        else:
            made_text.append([_text(args[r].get("text")) for r in rows.tolist()])
            made_topic.append(_topics(feed, [args[r].get("topic") for r in rows.tolist()]))
    if made_rows:
        rows = np.concatenate(made_rows)
        order = np.argsort(rows, kind="stable")  # ids in decision order
        rows = rows[order]
        kind = np.concatenate(made_kind)[order]
        parent = np.concatenate(made_parent)[order]
        texts = [t for lst in made_text for t in lst]
        texts = [texts[i] for i in order.tolist()]
        topic = np.concatenate(made_topic)[order]
        topic = feed._infer_topics(texts, topic)  # reposts take their content's topic
        new = p.add(pos_all[rows], feed.t, kind, parent, topic, texts)
        feed.log.add(pos_all[rows], new, feed.t, kind)
        ev = feed._item_events(new)
        out_target[rows] = ev["target"].to_numpy()
        out_text[rows] = ev["text"].to_numpy(dtype=object)
        out_data[rows] = ev["data"].to_numpy(dtype=object)
        for k, name in enumerate(KINDS):
            c = int((kind == k).sum())
            if c:
                counts[name] = c
    feed._n_step.update(counts)
    keep = rows_all
    return pd.DataFrame({"agent": agent_ids[keep], "action": out_action[keep],
                         "target": out_target[keep], "text": out_text[keep],
                         "data": out_data[keep]})


def _topics(feed: Any, values: list) -> np.ndarray:
    """Topic codes given by rule agents (-1 or None: none)."""
    out = np.full(len(values), -1, dtype=np.int32)
    k = len(feed.topics) if feed.topics is not None else 0
    for i, v in enumerate(values):
        if v is None:
            continue
        t = _num(v, _ITEM) if not isinstance(v, str) else None
        if t is None or not -1 <= t < k:
            raise ValueError(f"Feed: topic {v!r} is not a topic code: -1 (none) or 0..{k - 1} "
                             f"for topics {feed.topics}")
        out[i] = t
    return out
