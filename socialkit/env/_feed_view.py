"""What LLM agents of a feed read and may do: pages rendered as text, per-page action menus,
and the rule agents' menu (numeric ids, no parsing)."""

from __future__ import annotations

from typing import Any

import numpy as np

from socialkit.agents._actions import Action, ActionMenu, Arg, Number, OneOf, Text
from socialkit.llm.questions import Parsed

__all__ = ["ACTIONS", "render_page", "llm_menu", "rule_menu", "FEED_PROMPT", "observations",
           "menus"]

ACTIONS = ("post", "comment", "repost", "quote", "like", "dislike", "follow", "unfollow",
           "do_nothing")
"""Every action a feed offers (``Feed(actions=...)`` picks a subset)."""

FEED_PROMPT = "You are on a social media app. What do you do now?"

_DESCRIBE = {
    "post": "write a new post",
    "comment": "reply to a post or a comment",
    "repost": "share a post with your followers as it is",
    "quote": "share a post with your own comment",
    "like": "like a post or a comment",
    "dislike": "dislike a post or a comment",
    "follow": "follow an account",
    "unfollow": "stop following an account",
    "do_nothing": "scroll on without acting",
}
_MAX_ID = float(2 ** 53)


class AnyText(Arg):
    """Any text, possibly empty: rule agents' post text (never asked of a model)."""

    def describe(self) -> str:
        return "any text (may be empty)"

    def parse(self, raw: Any) -> Parsed:
        return Parsed(True, "" if raw is None else str(raw))

    def gbnf(self) -> str:
        return "[^\\n]*"

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


def rule_menu(actions: tuple[str, ...]) -> ActionMenu:
    """The menu of rule and scripted agents: items and accounts by number (``post_id``: an item
    id, ``user``: an agent id), ``text`` any string ("" for none), ``topic`` a topic code (-1
    for none)."""
    item = Number(0, _MAX_ID, integer=True)
    user = Number(-_MAX_ID, _MAX_ID, integer=True)
    text, topic = AnyText(), Number(-1, _MAX_ID, integer=True)
    args = {"post": {"text": text, "topic": topic},
            "comment": {"post_id": item, "text": text, "topic": topic},
            "repost": {"post_id": item}, "quote": {"post_id": item, "text": text, "topic": topic},
            "like": {"post_id": item}, "dislike": {"post_id": item},
            "follow": {"user": user}, "unfollow": {"user": user}, "do_nothing": {}}
    return ActionMenu([Action(a, _DESCRIBE[a], **args[a]) for a in actions], text=FEED_PROMPT,
                      name="feed")


def llm_menu(actions: tuple[str, ...], items: list[str], replies: list[str],
             react: list[str], share: list[str], follow: list[str], unfollow: list[str],
             max_words: int, prompt: str = FEED_PROMPT) -> ActionMenu:
    """The menu of one page: items by their shown ids (``p12``), accounts by handle (``u3``).
    ``items`` may be quoted, ``items + replies`` replied to, ``react`` liked or disliked (not
    one's own, not already reacted to), ``share`` reposted (not one's own, not already
    shared); actions without a possible target are left out."""
    out = []
    for a in actions:
        if a == "post":
            out.append(Action(a, _DESCRIBE[a], text=Text(max_words)))
        elif a == "comment" and (items or replies):
            out.append(Action(a, _DESCRIBE[a], post_id=OneOf(items + replies),
                              text=Text(max_words)))
        elif a == "repost" and share:
            out.append(Action(a, _DESCRIBE[a], post_id=OneOf(share)))
        elif a == "quote" and items:
            out.append(Action(a, _DESCRIBE[a], post_id=OneOf(items), text=Text(max_words)))
        elif a in ("like", "dislike") and react:
            out.append(Action(a, _DESCRIBE[a], post_id=OneOf(react)))
        elif a == "follow" and follow:
            out.append(Action(a, _DESCRIBE[a], user=OneOf(follow)))
        elif a == "unfollow" and unfollow:
            out.append(Action(a, _DESCRIBE[a], user=OneOf(unfollow)))
        elif a == "do_nothing":
            out.append(Action(a, _DESCRIBE[a]))
    if not out:
        out.append(Action("do_nothing", _DESCRIBE["do_nothing"]))
    return ActionMenu(out, text=prompt, name="feed")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _quoted(text: str | None, topic: str | None) -> str:
    if text:
        return f'"{" ".join(text.split())}"'
    return f"(a post about {topic})" if topic else "(no text)"


def render_item(feed: Any, i: int, now: int, handle, mark: str = "") -> str:
    """One page item as a line (``mark``: e.g. " (you liked it)")."""
    p = feed.posts
    src = int(p.source[i])
    kind = int(p.kind[i])
    topic = feed.topic_name(int(p.topic[src]))
    ago = now - int(p.step[i])
    when = "just now" if ago <= 0 else f"{_plural(ago, 'step')} ago"
    counts = (f"{_plural(int(p.likes[src]), 'like')}, {_plural(int(p.dislikes[src]), 'dislike')}, "
              f"{_plural(int(p.replies[src]), 'reply').replace('replys', 'replies')}, "
              f"{_plural(int(p.shares[src]), 'share')}")
    body = _quoted(p.text[src], topic)
    if kind == 2:  # a repost: the content of its source
        head = f"p{i} ({when}): {handle(int(p.author[i]))} reposted p{src} by " \
               f"{handle(int(p.author[src]))}: {body}"
    elif kind == 3:
        par = int(p.parent[i])
        head = f"p{i} by {handle(int(p.author[i]))} ({when}): {body}, quoting p{par} by " \
               f"{handle(int(p.author[par]))}: {_quoted(p.text[int(p.source[par])], None)}"
    else:
        head = f"p{i} by {handle(int(p.author[i]))} ({when}): {body}"
    return f"- {head} [{counts}]{mark}"


def render_page(feed: Any, page: np.ndarray, people: np.ndarray, now: int, handle,
                replies: dict[int, list[int]], header: str, viewer: int) -> str:
    """The text an LLM agent reads: its page (with up to the feed's ``comments`` newest replies
    under each item; what it already liked, disliked or shared marked) and the accounts
    suggested to it."""
    lines = [header]
    items = [int(x) for x in page if x >= 0]
    if not items:
        lines.append("Your feed is empty.")
    p = feed.posts
    src = p.source[np.asarray(items, dtype=np.int64)]
    me = np.full(len(items), viewer, dtype=np.int64)
    liked, disliked = feed.likes.contains(me, src), feed.dislikes.contains(me, src)
    shared = feed.shared.contains(me, src)
    for j, i in enumerate(items):
        mark = " (you liked it)" if liked[j] else " (you disliked it)" if disliked[j] else ""
        mark += " (you shared it)" if shared[j] else ""
        lines.append(render_item(feed, i, now, handle, mark))
        for c in replies.get(int(p.source[i]), []):
            lines.append(f"    - reply p{c} by {handle(int(p.author[c]))}: "
                         f"{_quoted(p.text[c], None)}")
    who = [int(x) for x in people if x >= 0]
    if who:
        lines.append("Accounts you might follow: " + ", ".join(handle(a) for a in who) + ".")
    return "\n".join(lines)


def _groups(feed: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Viewers (rows of this step's pages) who see the same thing: the same page and
    suggestions, the same items marked as their own, liked, disliked or shared, and (with
    follow actions) the same accounts on it followed. Returns each group's first row and
    every row's group; a group shares one text and one menu (archetypes then one call)."""
    p = feed.posts
    P, S, v = feed._pages[rows], feed._suggested[rows], feed._viewers[rows]
    valid = P >= 0
    safe = np.maximum(P, 0)
    src = p.source[safe] if len(p) else safe
    me = np.repeat(v, P.shape[1])
    cols = [P, S]
    for pairs in (feed.likes, feed.dislikes, feed.shared):
        cols.append(pairs.contains(me, src.ravel()).reshape(P.shape) & valid)
    cols.append(((p.author[src] if len(p) else safe) == v[:, None]) & valid)
    if "follow" in feed.actions_offered or "unfollow" in feed.actions_offered:
        who = np.concatenate([np.where(valid, p.author[src] if len(p) else -1, -1),
                              np.maximum(S, -1)], axis=1)
        cols.append(who == v[:, None])
        cols.append(feed.follows.contains(np.repeat(v, who.shape[1]),
                                          np.maximum(who, 0).ravel()).reshape(who.shape)
                    & (who >= 0))
    M = np.concatenate([np.asarray(c, dtype=np.int64) for c in cols], axis=1)
    _, first, inverse = np.unique(M, axis=0, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _replies(feed: Any, pages: np.ndarray) -> dict[int, list[int]]:
    """The newest ``feed.comments`` replies to the contents shown on these pages."""
    from socialkit.env._feed_store import sorted_unique

    if not feed.comments or not len(feed.posts):
        return {}
    p = feed.posts
    shown = sorted_unique(p.source[pages[pages >= 0]])
    com = np.flatnonzero((p.kind == 1) & ~p.hidden & np.isin(p.parent, shown))
    out: dict[int, list[int]] = {}
    for c in com[::-1]:  # newest first
        lst = out.setdefault(int(p.parent[c]), [])
        if len(lst) < feed.comments:
            lst.append(int(c))
    return out


def observations(feed: Any, llm: np.ndarray) -> list[str]:
    """The page texts of this step's viewers (row order of ``feed._viewers``): rendered for
    LLM agents (``llm`` mask), once per group of viewers who see the same; empty for rule
    agents."""
    out = [""] * len(llm)
    rows = np.flatnonzero(llm)
    if not len(rows):
        return out
    replies = _replies(feed, feed._pages[rows])
    first, group = _groups(feed, rows)
    header = f"Step {feed.t}. Your feed:"
    texts = [render_page(feed, feed._pages[rows[f]], feed._suggested[rows[f]], feed.t,
                         feed._shown, replies, header, int(feed._viewers[rows[f]]))
             for f in first.tolist()]
    for r, g in zip(rows.tolist(), group.tolist(), strict=True):
        out[r] = texts[g]
    return out


def menus(feed: Any, llm: np.ndarray) -> Any:
    """The action menus of this step's viewers: one shared numeric menu for rule agents, one
    menu per group of LLM viewers who see the same."""
    rule = rule_menu(feed.actions_offered)
    rows = np.flatnonzero(llm)
    if not len(rows):
        return rule
    out: list[Any] = [rule] * len(llm)
    replies = _replies(feed, feed._pages[rows])
    first, group = _groups(feed, rows)
    p = feed.posts
    made = []
    for i in rows[first].tolist():
        me = int(feed._viewers[i])
        items = np.asarray([int(x) for x in feed._pages[i] if x >= 0], dtype=np.int64)
        reps = np.asarray([c for x in items for c in replies.get(int(p.source[x]), [])],
                          dtype=np.int64)
        both = np.concatenate([items, reps])
        src = p.source[both]
        mine = np.full(len(both), me, dtype=np.int64)
        can_react = (p.author[src] != me) & ~feed.likes.contains(mine, src) & \
            ~feed.dislikes.contains(mine, src)
        can_share = ((p.author[src] != me) & ~feed.shared.contains(mine, src))[:len(items)]
        authors = list(dict.fromkeys([int(p.author[x]) for x in items]
                                     + [int(x) for x in feed._suggested[i] if x >= 0]))
        authors = [a for a in authors if a != me]
        followed = feed.follows.contains(np.full(len(authors), me),
                                         np.asarray(authors, dtype=np.int64))
        made.append(llm_menu(
            feed.actions_offered, [f"p{x}" for x in items], [f"p{c}" for c in reps],
            [f"p{x}" for x, ok in zip(both, can_react, strict=True) if ok],
            [f"p{x}" for x, ok in zip(items, can_share, strict=True) if ok],
            [feed._handle(a) for a, f in zip(authors, followed, strict=True) if not f],
            [feed._handle(a) for a, f in zip(authors, followed, strict=True) if f],
            feed.max_words, feed.prompt))
    for r, g in zip(rows.tolist(), group.tolist(), strict=True):
        out[r] = made[g]
    return out
