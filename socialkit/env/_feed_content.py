"""What a feed holds: items made by agents, seeded or injected by hand, removed by a moderator;
their topics and their meaning (embeddings); the log of who engaged with what."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from socialkit.env._feed_store import KINDS

__all__ = ["Log", "Content"]

_KIND = {k: i for i, k in enumerate(KINDS)}


class Log:
    """Append-only log of engagements: ``agent`` (position), ``post`` (the item created, or the
    content liked / disliked), ``step`` and ``what`` (code into ``("post", "comment",
    "repost", "quote", "like", "dislike")``)."""

    def __init__(self):
        self.agent = np.empty(0, dtype=np.int64)
        self.post = np.empty(0, dtype=np.int64)
        self.step = np.empty(0, dtype=np.int32)
        self.what = np.empty(0, dtype=np.int8)

    def __len__(self) -> int:
        return len(self.agent)

    def add(self, agent, post, step, what) -> None:
        if not len(agent):
            return
        self.agent = np.concatenate([self.agent, np.asarray(agent, dtype=np.int64)])
        self.post = np.concatenate([self.post, np.asarray(post, dtype=np.int64)])
        self.step = np.concatenate([self.step, np.full(len(agent), step, dtype=np.int32)])
        self.what = np.concatenate([self.what, np.asarray(what, dtype=np.int8)])


class Content:
    """The content half of :class:`socialkit.env.Feed` (a mixin: it uses the feed's ``posts``,
    ``log``, ``topics``, ``embedding`` and agents)."""

    def post(self, author: Any, text: Any = None, topic: Any = None, *,
             parent: Any = None, kind: str = "post") -> np.ndarray:
        """Add items by hand (a seeded rumour, a moderator's notice, a troll's reply) between
        steps: they are visible from the next step and logged as that step's events (with
        ``"injected": true``). ``author`` is one agent id or a list; ``parent`` makes comments,
        reposts or quotes (``kind``). Returns the new item ids.

        Examples
        --------
        >>> # in a fork: sim.fork(at=3, intervene=lambda b: b.env.post(7, "Please be kind."))
        """
        self._bound("post")
        authors = np.atleast_1d(np.asarray(author)).astype(np.int64)
        n = len(authors)
        df = pd.DataFrame({"author": authors})
        df["text"] = list(_broadcast(text, n, "text"))
        df["topic"] = list(_broadcast(topic, n, "topic"))
        if kind not in KINDS:
            raise ValueError(f"Feed.post kind must be one of {list(KINDS)}, got {kind!r}")
        if kind != "post" and parent is None:
            raise ValueError(f"Feed.post kind={kind!r} needs a parent item id")
        df["parent"] = list(_broadcast(-1 if parent is None else parent, n, "parent"))
        df["kind"] = kind
        frame = self._post_frame(df, "Feed.post", step=self.t + 1, injected=True)
        self._pending.append(frame)
        return np.asarray([json.loads(d)["post"] for d in frame["data"]], dtype=np.int64)

    def vote(self, items: Any, vote: str = "like") -> None:
        """Votes cast by no agent between steps (an experimenter's manipulation): each item's
        content gets one like or dislike, logged in the next step's events as agent -1 with
        ``"manipulated": true``."""
        self._bound("Feed.vote")
        if vote not in ("like", "dislike"):
            raise ValueError(f"Feed.vote vote must be 'like' or 'dislike', got {vote!r}")
        items = np.atleast_1d(np.asarray(items, dtype=np.int64))
        self._check_items(items, "Feed.vote")
        self._pending.append(self._votes(items, np.full(len(items), vote, dtype=object)))

    def _votes(self, items: np.ndarray, votes: np.ndarray) -> pd.DataFrame:
        p = self.posts
        content = p.source[items]
        for kind in ("like", "dislike"):
            sel = votes == kind
            if sel.any():
                p.count("likes" if kind == "like" else "dislikes", content[sel])
        return pd.DataFrame({
            "agent": -1, "action": votes, "target": self._ids[p.author[content]], "text": None,
            "data": [f'{{"manipulated": true, "post": {c}, "root": {r}}}'
                     for c, r in zip(content.tolist(), p.root[content].tolist(), strict=True)]})

    def hide(self, items: Any) -> None:
        """Remove items (a moderator): they leave every page and can no longer be acted on
        (reposts of them too); they stay in the data, marked ``hidden``."""
        items = np.atleast_1d(np.asarray(items, dtype=np.int64))
        self._check_items(items, "Feed.hide")
        self.posts._cols["hidden"][items] = True

    def _bound(self, where: str) -> None:
        if self._ids is None:
            raise ValueError(f"{where}: the feed is not part of a started simulation yet (give "
                             "seed_posts= for posts at step 0, or call it after sim.run / in "
                             "a fork's intervene)")

    def _check_items(self, items: np.ndarray, where: str) -> None:
        bad = items[(items < 0) | (items >= len(self.posts))]
        if len(bad):
            raise ValueError(f"{where}: no item(s) {bad[:5].tolist()} (items 0..."
                             f"{len(self.posts) - 1} exist)")

    def _post_frame(self, df: pd.DataFrame, where: str, step: int,
                    injected: bool = False) -> pd.DataFrame:
        """Create items from a table (author ids, text, topic, parent, kind) and return their
        events."""
        try:
            pos = self._sim_agents.positions(df["author"].to_numpy(), f"{where} author")
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: {err}") from None
        n = len(df)
        texts = [None if t is None or (isinstance(t, float) and np.isnan(t)) or str(t) == ""
                 else str(t) for t in (df["text"] if "text" in df.columns else [None] * n)]
        topic = self._topic_codes(df["topic"] if "topic" in df.columns else [None] * n, where)
        parent = df["parent"].to_numpy(dtype=np.int64) if "parent" in df.columns \
            else np.full(n, -1, dtype=np.int64)
        kind = np.array([_KIND[k] for k in df["kind"]], dtype=np.int8) if "kind" in df.columns \
            else np.zeros(n, dtype=np.int8)
        if (parent >= 0).any():
            self._check_items(parent[parent >= 0], where)
        if ((kind == 0) != (parent < 0)).any():
            raise ValueError(f"{where}: posts have no parent; comments, reposts and quotes need "
                             "one")
        if ((kind == 0) & np.array([t is None for t in texts]) & (topic < 0)).any():
            raise ValueError(f"{where}: a post needs a text or a topic")
        inferred = self._infer_topics(texts, topic)
        ids = self.posts.add(pos, step, kind, parent, inferred, texts)
        self.log.add(pos, ids, step, kind)
        return self._item_events(ids, injected)

    def _topic_codes(self, values: Any, where: str) -> np.ndarray:
        out = np.full(len(values), -1, dtype=np.int32)
        for i, v in enumerate(values):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            if isinstance(v, str):
                if self.topics is None or v not in self.topics:
                    raise ValueError(f"{where}: topic {v!r} is not one of the feed's topics "
                                     f"{self.topics}")
                out[i] = self.topics.index(v)
            else:
                code = int(v)
                if code != -1 and (self.topics is None or not 0 <= code < len(self.topics)):
                    raise ValueError(f"{where}: topic code {v!r} is not a topic of "
                                     f"{self.topics}")
                out[i] = code
        return out

    def topic_name(self, code: int) -> str | None:
        """The name of a topic code (None for -1 or without topics)."""
        if self.topics is None or code < 0:
            return None
        return self.topics[code]

    # ---- embeddings ------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.embedding is None:
            from socialkit.memory import MiniLM

            self.embedding = MiniLM()
        return np.asarray(self.embedding(texts), dtype=np.float32)

    def _infer_topics(self, texts: list[str | None], topic: np.ndarray) -> np.ndarray:
        """LLM items without a topic code get the nearest topic name's (with topics)."""
        todo = [i for i, t in enumerate(texts) if t is not None and topic[i] < 0]
        if self.topics is None or not todo:
            return topic
        v = self._embed([texts[i] for i in todo])
        names = self._embed([f"a post about {t}" for t in self.topics])
        topic = topic.copy()
        topic[todo] = np.argmax(v @ names.T, axis=1)
        return topic

    def item_vectors(self, items: np.ndarray) -> np.ndarray:
        """Unit vectors of items' content (text, else topic name; zeros for neither), embedded
        once each."""
        p = self.posts
        have = len(self._vectors)
        if have < len(p):
            todo = range(have, len(p))
            texts = []
            for i in todo:
                s = int(p.source[i])
                t = p.text[s] or (self.topic_name(int(p.topic[s])) or "")
                texts.append(t)
            uniq = sorted({t for t in texts if t})
            if uniq:
                vec = dict(zip(uniq, self._embed(uniq), strict=True))
                d = len(next(iter(vec.values())))
            else:
                vec, d = {}, self._vectors.shape[1] or 1
            new = np.zeros((len(texts), d), dtype=np.float32)
            for j, t in enumerate(texts):
                if t:
                    new[j] = vec[t]
            self._vectors = new if not have else np.vstack([self._vectors, new])
        return self._vectors[items]

    def profile_vectors(self) -> np.ndarray:
        """Unit vectors of the agents' ``profile`` texts (zeros without a profile)."""
        if self._profiles is None:
            if self._profile_texts is None:
                d = self.item_vectors(np.empty(0, dtype=np.int64)).shape[1] or \
                    self._embed(["x"]).shape[1]
                self._profiles = np.zeros((self.n_agents, d), dtype=np.float32)
            else:
                self._profiles = self._embed(self._profile_texts)
        return self._profiles

    def _item_events(self, ids: np.ndarray, injected: bool = False) -> pd.DataFrame:
        p = self.posts
        par = p.parent[ids]
        target = np.where(par >= 0, self._ids[p.author[np.maximum(par, 0)]], -1)
        kinds = [KINDS[k] for k in p.kind[ids]]
        extra = ', "injected": true' if injected else ""
        data = [f'{{"depth": {d}, "kind": "{k}", "parent": {pa}, "post": {i}, "root": {r}, '
                f'"topic": {tp}{extra}}}'
                for i, pa, r, k, d, tp in zip(ids.tolist(), par.tolist(), p.root[ids].tolist(),
                                              kinds, p.depth[ids].tolist(),
                                              p.topic[ids].tolist(), strict=True)]
        return pd.DataFrame({"agent": self._ids[p.author[ids]], "action": kinds,
                             "target": target, "text": [p.text[i] for i in ids.tolist()],
                             "data": data})


def _broadcast(value: Any, n: int, name: str) -> list:
    if value is None or isinstance(value, str | int | float | np.integer | np.floating):
        return [value] * n
    if isinstance(value, Mapping):
        raise TypeError(f"Feed.post {name} must be one value or a list, got a dict")
    vals = list(value)
    if len(vals) != n:
        raise ValueError(f"Feed.post: {len(vals)} {name} values for {n} authors")
    return vals
