"""What LLM agents of a feed read and may do: pages rendered as text, per-page action menus,
and the rule agents' menu (numeric ids, no parsing)."""

from __future__ import annotations

from typing import Any

import numpy as np

from socialkit.agents._actions import Action, ActionMenu, Arg, Number, OneOf, Text
from socialkit.llm.questions import Parsed

__all__ = ["ACTIONS", "render_page", "llm_menu", "rule_menu", "FEED_PROMPT"]

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
