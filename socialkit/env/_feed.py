"""A social media platform as an environment: posts, reply trees, reposts and quotes, likes and
dislikes, an evolving follow graph and a pluggable recommender, all mechanics in numpy code."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.env._base import Environment
from socialkit.env._feed_content import Content, Log
from socialkit.env._feed_people import who_to_follow
from socialkit.env._feed_store import PairSet, Posts
from socialkit.env._feed_view import ACTIONS, FEED_PROMPT, menus, observations
from socialkit.env._recommend import merge_pages, random_pages

__all__ = ["Feed", "WHO_TO_FOLLOW"]

WHO_TO_FOLLOW = ("popular", "fof", "random", "similar")

class Feed(Content, Environment):
    """A social media platform: each active agent gets a page of ``page`` items from the
    recommender and takes one action on it.

    Actions: ``post`` (a new tree), ``comment`` (a reply to any item: reply trees),
    ``repost`` (share unchanged), ``quote`` (share with a comment), ``like``, ``dislike``,
    ``follow``, ``unfollow``, ``do_nothing``. Liking, disliking or commenting a repost acts on
    the content it shows (as on X); reposting or quoting a repost links to that repost, so
    cascade trees record whom each share came through. An agent reacts to an item once
    (like or dislike), shares a content once, never likes, dislikes or shares its own, and
    never follows itself; such attempts are events ``rejected`` with the reason.

    Every action is an event with structured ``data``: items carry ``post``, ``parent``,
    ``root`` (the post at the top of their tree), ``kind``, ``depth`` and ``topic``; reactions
    the ``post`` reacted to (its content) and its ``root``; ``target`` is the agent acted upon
    (the parent's or the content's author, the account followed). Exposure is logged too: one
    ``feed`` event per active agent per step, ``data = {"posts": [...], "injected": [...]}``
    (the items shown, best first; :func:`socialkit.env.exposures` makes it long).

    LLM agents read their page as text (items as ``p12``, accounts as ``u3``, with counts and
    the newest replies) and choose from a menu of that page's ids. Rule and scripted agents
    read the page as arrays (``ctx.env.page(ctx.ids)``, ``ctx.env.posts``) and answer with
    numbers: ``{"action": ..., "post_id": item id, "user": agent id, "text": "" or a text,
    "topic": code or -1}``; :func:`socialkit.env.feed_rule` is a ready-made vectorised rule.

    Parameters
    ----------
    G : networkx.Graph or DiGraph, optional
        The initial follow graph, arcs in socialkit's direction of influence: ``u -> v`` means
        ``v`` follows ``u`` (sees ``u``'s items). An undirected edge is a mutual follow. Nodes
        must be agents; agents outside it follow no one.
    recommender : str, callable or object
        ``"chronological"`` (default), ``"hot"``, ``"interest"``, ``"cf"``, ``"random"``, a
        :class:`socialkit.env.Recommender` (``Hot(decay=...)``), or ``fn(feed, viewers, k,
        rng)``.
    page : int
        Items per page.
    inject : int
        Slots at the end of every page filled with random items (RecAgent's
        ``rec_random_k``); 0 for none.
    actions : sequence of str
        The actions offered (default all of :data:`ACTIONS`).
    topics : sequence of str, optional
        Topic names; items carry a topic code (rule agents give it; LLM agents' items get the
        topic whose name is nearest in meaning to their text).
    profile : str, optional
        A population column of text describing each agent (interests) for the ``interest``
        recommender and ``who_to_follow="similar"``.
    embedding : callable, optional
        ``texts -> (n, d)`` unit vectors (default: the memory layer's offline MiniLM, loaded on
        first use); ``socialkit.memory.HashEmbedding()`` needs nothing installed.
    people : int
        Accounts suggested per page ("who to follow"), offered to ``follow``.
    who_to_follow : str or callable
        ``"popular"`` (most followers), ``"fof"`` (followed by those you follow, by count; then
        popular), ``"random"``, ``"similar"`` (nearest profiles, by embedding), or ``fn(feed,
        viewers, k, rng)`` returning agent positions. Equal scores are ordered at random each
        step (with the run's generator).
    comments : int
        Newest replies shown under each item of an LLM agent's page.
    seed_posts : DataFrame, optional
        Posts present at step 0: columns ``author`` (agent id) and ``text`` and/or ``topic``
        (a code or a name of ``topics``); they are items 0, 1, ... in this order.
    seed_votes : DataFrame, optional
        Votes cast by no agent at step 0 (an experimenter's manipulation, as in Muchnik, Aral
        & Taylor 2013): columns ``post`` (a seeded item) and ``vote`` (``"like"`` or
        ``"dislike"``); logged as events of agent -1 with ``"manipulated": true``.
    log_exposure : bool
        Record the ``feed`` events.
    log_graph : bool
        Record the initial follows as ``follow`` events at step 0 (``data = {"initial":
        true}``), so that the run alone rebuilds the follow graph at any step
        (:func:`socialkit.network.follow_network`); for millions of arcs, False.
    max_words : int
        Longest post an LLM agent writes.
    prompt : str
        The question under the menu.
    names : str, optional
        A population column of display names shown on LLM agents' pages next to each
        account's handle ("Ann Lee (u3)"); menus keep the handles.

    Examples
    --------
    >>> import networkx as nx, pandas as pd, socialkit as sk
    >>> pop = sk.Population(pd.DataFrame({"agent": [0, 1, 2], "weight": 1.0}))
    >>> G = nx.DiGraph([(0, 1), (0, 2)])                  # 1 and 2 follow 0
    >>> feed = sk.env.Feed(G, seed_posts=pd.DataFrame({"author": [0], "text": ["Hello!"]}))
    >>> def act(agent, obs, state):                       # 1 and 2 like what they see
    ...     return {"action": "like", "post_id": 0} if agent else {"action": "do_nothing"}
    >>> sim = sk.Simulation(pop, env=feed, policy=sk.agents.ScriptedPolicy(act),
    ...                     progress=False)
    >>> run = sim.run(1)
    >>> run.events[["step", "agent", "action", "target"]].values.tolist()[:4]
    [[0, 1, 'follow', 0], [0, 2, 'follow', 0], [0, 0, 'post', -1], [1, 0, 'feed', -1]]
    >>> int(feed.posts.likes[0]), run.events["action"].tolist()[-3:]
    (2, ['do_nothing', 'like', 'like'])
    """

    name = "feed"
    logs_decisions = True

    def __init__(self, G: nx.Graph | None = None, recommender: Any = "chronological", *,
                 page: int = 10, inject: int = 0, actions: Sequence[str] = ACTIONS,
                 topics: Sequence[str] | None = None, profile: str | None = None,
                 embedding: Any = None, people: int = 0, who_to_follow: Any = "popular",
                 comments: int = 2, seed_posts: pd.DataFrame | None = None,
                 seed_votes: pd.DataFrame | None = None,
                 log_exposure: bool = True, log_graph: bool = True, max_words: int = 50,
                 prompt: str = FEED_PROMPT, names: str | None = None):
        from socialkit.env._recommend import recommender as make

        self.G = G
        self._edges, self._nodes = _arcs(G)
        self._graph_hash = None if G is None else hashlib.sha256(
            self._edges.tobytes() + self._nodes.tobytes()).hexdigest()[:16]
        self.recommender = make(recommender)
        self.page_size = _nonneg(page, "page", positive=True)
        self.inject = _nonneg(inject, "inject")
        if self.inject > self.page_size:
            raise ValueError(f"Feed inject={inject} exceeds page={page}")
        if isinstance(actions, str):
            actions = [actions]
        actions = tuple(actions)
        bad = [a for a in actions if a not in ACTIONS]
        if bad or not actions:
            raise ValueError(f"Feed actions {bad or actions} are not feed actions; choose from "
                             f"{list(ACTIONS)}")
        self.actions_offered = actions
        if topics is not None:
            if isinstance(topics, str) or not all(isinstance(t, str) and t for t in topics):
                raise TypeError(f"Feed topics must be a list of names, got {topics!r}")
            if len(set(topics)) != len(topics):
                raise ValueError(f"Feed topics must differ, got {list(topics)}")
        self.topics = None if topics is None else list(topics)
        if profile is not None and not isinstance(profile, str):
            raise TypeError(f"Feed profile must be a population column name, got {profile!r}")
        self.profile = profile
        if embedding is not None and not callable(embedding):
            raise TypeError("Feed embedding must be a function of texts (e.g. "
                            "socialkit.memory.MiniLM())")
        self.embedding = embedding
        self.people = _nonneg(people, "people")
        if isinstance(who_to_follow, str) and who_to_follow not in WHO_TO_FOLLOW:
            raise ValueError(f"Feed who_to_follow must be one of {list(WHO_TO_FOLLOW)} or a "
                             f"function, got {who_to_follow!r}")
        if not isinstance(who_to_follow, str) and not callable(who_to_follow):
            raise TypeError("Feed who_to_follow must be a name or fn(feed, viewers, k, rng)")
        self.who_to_follow = who_to_follow
        self.comments = _nonneg(comments, "comments")
        self.seed_posts = None if seed_posts is None else self._check_seeds(seed_posts)
        self.seed_votes = None if seed_votes is None else self._check_votes(seed_votes)
        if not isinstance(log_exposure, bool):
            raise TypeError(f"Feed log_exposure must be True or False, got {log_exposure!r}")
        self.log_exposure = log_exposure
        if not isinstance(log_graph, bool):
            raise TypeError(f"Feed log_graph must be True or False, got {log_graph!r}")
        self.log_graph = log_graph
        self.max_words = _nonneg(max_words, "max_words", positive=True)
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError("Feed prompt must be a non-empty text")
        self.prompt = prompt
        if names is not None and not isinstance(names, str):
            raise TypeError(f"Feed names must be a population column name, got {names!r}")
        self.names = names
        self._reset()

    def __deepcopy__(self, memo: dict) -> Feed:
        """A deep copy that shares the embedding model (a loaded model is a function of its
        texts; copying it would copy, or fail to copy, its runtime session)."""
        import copy

        out = self.__class__.__new__(self.__class__)
        memo[id(self)] = out
        for k, v in self.__dict__.items():
            setattr(out, k, v if k == "embedding" else copy.deepcopy(v, memo))
        return out

    def _reset(self) -> None:
        self.t = 0
        self.posts = Posts()
        self.follows = PairSet()   # (follower, followee) positions
        self.likes = PairSet()     # (agent, content) positions / ids
        self.dislikes = PairSet()
        self.shared = PairSet()    # (agent, content) reposted
        self.log = Log()
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._profiles = None
        self._pending: list[pd.DataFrame] = []
        self._viewers = np.empty(0, dtype=np.int64)
        self._pages = np.empty((0, self.page_size), dtype=np.int64)
        self._injected = np.zeros((0, self.page_size), dtype=bool)
        self._suggested = np.empty((0, self.people), dtype=np.int64)
        self._ids = None
        self._n_step: dict[str, int] = {}

    # ---- configuration ---------------------------------------------------------------------
    def _check_seeds(self, df: Any) -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Feed seed_posts must be a DataFrame, got {type(df).__name__}")
        if "author" not in df.columns:
            raise ValueError("Feed seed_posts needs an 'author' column (agent ids)")
        if "text" not in df.columns and "topic" not in df.columns:
            raise ValueError("Feed seed_posts needs a 'text' or a 'topic' column")
        return df.reset_index(drop=True).copy()

    def _check_votes(self, df: Any) -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Feed seed_votes must be a DataFrame, got {type(df).__name__}")
        if not {"post", "vote"} <= set(df.columns):
            raise ValueError("Feed seed_votes needs columns 'post' and 'vote'")
        bad = sorted(set(df["vote"]) - {"like", "dislike"})
        if bad:
            raise ValueError(f"Feed seed_votes: votes must be 'like' or 'dislike', got {bad}")
        n = 0 if self.seed_posts is None else len(self.seed_posts)
        post = pd.to_numeric(df["post"], errors="coerce")
        if post.isna().any() or not post.between(0, n - 1).all():
            raise ValueError(f"Feed seed_votes: posts must be seeded items 0..{n - 1}")
        return df[["post", "vote"]].reset_index(drop=True).astype({"post": "int64"})

    def spec(self) -> dict[str, Any]:
        g = self._graph_hash
        seeds = None if self.seed_posts is None else hashlib.sha256(
            pd.util.hash_pandas_object(self.seed_posts.astype(str), index=False).to_numpy()
            .tobytes()).hexdigest()[:16]
        wtf = self.who_to_follow if isinstance(self.who_to_follow, str) else \
            getattr(self.who_to_follow, "__qualname__", repr(self.who_to_follow))
        votes = None if self.seed_votes is None else hashlib.sha256(
            pd.util.hash_pandas_object(self.seed_votes, index=False).to_numpy().tobytes()
        ).hexdigest()[:16]
        return {"name": self.name, "graph": g, "recommender": self.recommender.spec(),
                "seed_votes": votes,
                "page": self.page_size, "inject": self.inject,
                "actions": list(self.actions_offered), "topics": self.topics,
                "profile": self.profile, "people": self.people, "who_to_follow": wtf,
                "comments": self.comments, "seed_posts": seeds,
                "log_exposure": self.log_exposure, "log_graph": self.log_graph,
                "max_words": self.max_words, **({"names": self.names} if self.names else {}),
                "prompt": self.prompt, "embedding": None if self.embedding is None
                else getattr(self.embedding, "name", type(self.embedding).__name__)}

    def __repr__(self) -> str:
        return (f"<socialkit env feed: {self.recommender.name}, page {self.page_size}"
                + (f", {len(self.posts)} items" if len(self.posts) else "") + ">")

    # ---- binding to a simulation -----------------------------------------------------------
    @property
    def n_agents(self) -> int:
        return 0 if self._ids is None else len(self._ids)

    def check(self, sim: Any) -> None:
        for nm in ("profile", "names"):
            col = getattr(self, nm)
            if col is not None and col not in sim.agents.population.df.columns:
                raise ValueError(f"Feed {nm}={col!r} is not a population column; "
                                 f"columns: {sim.agents.population.attributes}")

    def setup(self, sim: Any) -> pd.DataFrame | None:
        self._reset()
        self._sim_agents = sim.agents
        self._ids = sim.agents.ids
        self._profile_texts = None if self.profile is None else \
            sim.agents.population.df[self.profile].astype(str).tolist()
        self._names = None if self.names is None else \
            sim.agents.population.df[self.names].astype(str).tolist()
        if self.G is not None:
            where = sim.agents._pos.get_indexer(self._nodes)
            if (where < 0).any():
                raise ValueError(f"Feed G: {int((where < 0).sum())} node(s) are not agents of "
                                 f"the population, e.g. {self._nodes[where < 0][:5].tolist()}")
            if len(self._edges):
                u = sim.agents.positions(self._edges[:, 0])
                v = sim.agents.positions(self._edges[:, 1])
                keep = u != v
                self.follows = PairSet(PairSet.key(v[keep], u[keep]))  # v follows u
        frames = []
        if self.log_graph and len(self.follows):
            ids = self._ids
            frames.append(pd.DataFrame({
                "agent": ids[self.follows.first()], "action": "follow",
                "target": ids[self.follows.second()], "text": None,
                "data": '{"initial": true}'}))
        if self.seed_posts is not None:
            frames.append(self._post_frame(self.seed_posts, "seed_posts", step=0))
        if self.seed_votes is not None:
            frames.append(self._votes(self.seed_votes["post"].to_numpy(),
                                      self.seed_votes["vote"].to_numpy(dtype=object)))
        if not frames:
            return None
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    # ---- what agents see ---------------------------------------------------------------------
    def pool(self, window: int | None = None, reposts: bool = True) -> np.ndarray:
        """Ids of the items a recommender may show now: not hidden (nor showing hidden content),
        not comments (they appear under their items), without pure reposts unless
        ``reposts``, from the last ``window`` steps (default: all)."""
        p = self.posts
        ok = (p.kind != 1) & ~p.hidden & ~p.hidden[p.source]
        if not reposts:
            ok &= p.kind != 2
        if window is not None:
            ok &= p.step > self.t - 1 - window
        return np.flatnonzero(ok)

    def _recommend(self, viewers: np.ndarray, rng: np.random.Generator) -> None:
        k = self.page_size
        base_k = k - self.inject
        self.recommender.fit(self)
        base = np.asarray(self.recommender.rank(self, viewers, base_k, rng), dtype=np.int64) \
            if base_k else np.full((len(viewers), 0), -1, dtype=np.int64)
        if base.shape != (len(viewers), base_k):
            raise ValueError(f"recommender {self.recommender.name!r} returned a page matrix of "
                             f"shape {base.shape}; expected ({len(viewers)}, {base_k})")
        shown = base[base >= 0]
        if len(shown) and (shown.max() >= len(self.posts)):
            raise ValueError(f"recommender {self.recommender.name!r} returned item ids that do "
                             f"not exist (largest {int(shown.max())}, items: {len(self.posts)})")
        injected = np.zeros((len(viewers), k), dtype=bool)
        if self.inject:
            extra = random_pages(self, viewers, self.inject, rng,
                                 self.pool(reposts=False), exclude=base)
            pages = np.concatenate([merge_pages(base, np.full_like(base, -1), base_k), extra],
                                   axis=1)
            injected[:, base_k:] = extra >= 0
        else:
            pages = base
        self._viewers, self._pages, self._injected = viewers, pages, injected
        self._suggested = who_to_follow(self, viewers, rng) if self.people else \
            np.empty((len(viewers), 0), dtype=np.int64)

    def page(self, ids: Any) -> np.ndarray:
        """The pages of these agents in the current (or last) step: an ``(len(ids), page)``
        matrix of item ids, best first, -1 for empty slots (for rule policies:
        ``ctx.env.page(ctx.ids)``); agents that were not active have none."""
        return self._rows(ids, self._pages, "page")

    def suggested(self, ids: Any) -> np.ndarray:
        """This step's suggested accounts (agent ids, -1 for none) of these active agents."""
        pos = self._rows(ids, self._suggested, "suggested")
        return np.where(pos >= 0, self._ids[np.maximum(pos, 0)], -1)

    def _rows(self, ids: Any, matrix: np.ndarray, where: str) -> np.ndarray:
        self._bound(f"Feed.{where}")
        pos = self._sim_agents.positions(ids, f"Feed.{where}")
        where_row = np.full(self.n_agents, -1, dtype=np.int64)
        where_row[self._viewers] = np.arange(len(self._viewers))
        r = where_row[pos]
        if (r < 0).any():
            raise ValueError(f"Feed.{where}: agent(s) {np.asarray(ids)[r < 0][:5].tolist()} "
                             "have no page this step (not active)")
        return matrix[r]

    def follow_graph(self) -> nx.DiGraph:
        """The follow graph now: every agent a node, arcs in socialkit's direction of influence
        (``u -> v``: ``v`` follows ``u``), as the ``G`` the feed was given.

        For the graph at a past step of a run, see :func:`socialkit.network.follow_network`."""
        self._bound("Feed.follow_graph")
        G = nx.DiGraph()
        G.add_nodes_from(self._ids.tolist())
        ids = self._ids
        G.add_edges_from(zip(ids[self.follows.second()].tolist(),
                             ids[self.follows.first()].tolist(), strict=True))
        return G

    def _handle(self, pos: int) -> str:
        return f"u{int(self._ids[pos])}"

    def _shown(self, pos: int) -> str:
        """An account as pages show it: its handle, after its name with ``names``."""
        names = getattr(self, "_names", None)
        if names is None:
            return self._handle(pos)
        return f"{names[pos]} ({self._handle(pos)})"

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        self.t = sim.t + 1
        viewers = sim.agents.positions(ids)
        self._recommend(viewers, sim.rng)
        self._n_step = {}
        llm = sim.llm_agents(ids) if len(ids) else np.zeros(0, dtype=bool)
        return observations(self, llm)

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        llm = sim.llm_agents(ids) if len(ids) else np.zeros(0, dtype=bool)
        return menus(self, llm)

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> pd.DataFrame | None:
        from socialkit.env._feed_resolve import resolve

        self.t = sim.t + 1
        frames = self._pending
        self._pending = []
        if self.log_exposure and len(self._viewers):
            frames.insert(0, self._exposure_events())
        frames.append(resolve(self, sim, decisions))
        frames = [f for f in frames if len(f)]
        if not frames:
            return None
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def _exposure_events(self) -> pd.DataFrame:
        pages, inj = self._pages, self._injected
        ok = pages >= 0
        self._n_step["exposures"] = int(ok.sum())
        # JSON lists by repr of Python lists (the fastest text path for a million rows); rows
        # with an empty slot before a filled one (a short page plus injected items) compacted
        gap = (~ok[:, :-1] & ok[:, 1:]).any(axis=1) if pages.shape[1] > 1 else \
            np.zeros(len(pages), dtype=bool)
        rows = pages.tolist()
        for i in np.flatnonzero(gap).tolist():
            rows[i] = [x for x in rows[i] if x >= 0]
        count = ok.sum(axis=1).tolist()
        if self.inject and inj.any():
            extra = [repr([x for x, m in zip(r, mm, strict=True) if m and x >= 0])
                     for r, mm in zip(pages.tolist(), inj.tolist(), strict=True)]
            data = [f'{{"injected": {e}, "posts": {r[:c]!r}}}'
                    for e, r, c in zip(extra, rows, count, strict=True)]
        else:
            data = [f'{{"injected": [], "posts": {r[:c]!r}}}'
                    for r, c in zip(rows, count, strict=True)]
        return pd.DataFrame({"agent": self._ids[self._viewers], "action": "feed", "target": -1,
                             "text": None, "data": data})

    def measures(self, sim: Any) -> dict[str, float]:
        out = {f"n_{a}": float(self._n_step.get(a, 0)) for a in
               (*[a for a in ACTIONS if a != "do_nothing"], "rejected", "exposures")}
        out["items"] = float(len(self.posts))
        out["follow_edges"] = float(len(self.follows))
        return out

    # ---- checkpoints -------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"t": self.t, "posts": self.posts.state(), "follows": self.follows.keys,
                "likes": self.likes.keys, "dislikes": self.dislikes.keys,
                "shared": self.shared.keys,
                "log": {k: getattr(self.log, k) for k in ("agent", "post", "step", "what")},
                "pending": list(self._pending)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])
        self.posts = Posts.from_state(state["posts"])
        self.follows, self.likes = PairSet(state["follows"]), PairSet(state["likes"])
        self.dislikes, self.shared = PairSet(state["dislikes"]), PairSet(state["shared"])
        self.log = Log()
        for k, v in state["log"].items():
            setattr(self.log, k, np.asarray(v))
        self._pending = list(state.get("pending", []))
        self._vectors = np.zeros((0, 0), dtype=np.float32)


def _arcs(G: Any) -> tuple[np.ndarray, np.ndarray]:
    """Arcs ``(u, v)`` (v follows u) and nodes of a follow graph: a networkx graph (undirected:
    both ways) or an ``(m, 2)`` integer array of arcs (for millions of agents)."""
    if G is None:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    if isinstance(G, nx.Graph):
        try:
            nodes = np.fromiter(G.nodes(), dtype=np.int64, count=G.number_of_nodes())
            edges = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
        except (TypeError, ValueError, OverflowError):
            raise ValueError("Feed G: nodes must be agent ids (integers), got e.g. "
                             f"{list(G.nodes())[:3]}") from None
        if not G.is_directed():
            edges = np.concatenate([edges, edges[:, ::-1]])
        return edges, nodes
    if isinstance(G, np.ndarray | list | tuple):
        arr = np.asarray(G)
        if arr.ndim != 2 or arr.shape[1] != 2 or (len(arr) and arr.dtype.kind not in "iu"):
            raise ValueError(f"Feed G as an array must be (m, 2) integer arcs (u, v): v follows "
                             f"u; got shape {arr.shape} and dtype {arr.dtype}")
        return arr.astype(np.int64), np.empty(0, dtype=np.int64)  # nodes: the arcs' ends
    raise TypeError(f"Feed G must be a networkx graph, an (m, 2) array of arcs, or None; got "
                    f"{type(G).__name__}")


def _nonneg(x: Any, name: str, positive: bool = False) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < (1 if positive else 0):
        kind = "a positive" if positive else "a non-negative"
        raise ValueError(f"Feed {name} must be {kind} integer, got {x!r}")
    return int(x)


