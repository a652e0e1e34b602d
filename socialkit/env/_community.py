"""A feed run as a community: a judge labels every new post and reply, a moderator may remove
what breaks the rules, and some accounts join only later (a troll, a moderator who steps in)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from socialkit.agents._actions import _check_name
from socialkit.env._feed_store import KINDS
from socialkit.env._wrappers import Wrapper

__all__ = ["Community", "LABELS", "LABEL_SYSTEM", "LABEL_PROMPT", "NOTICE"]

LABELS = {
    "civil": "on topic and respectful, even when it disagrees or criticises",
    "antisocial": "trolling, insults, harassment, hate, spam, or deliberately derailing the "
                  "discussion",
}
"""The judge's default labels (socialkit's wording): ``antisocial`` covers the kinds of
anti-social behaviour Social Simulacra generates (trolling, flaming, harassment, spam)."""

LABEL_SYSTEM = ("You are the moderator of an online community. You judge each new post or reply "
                "by the community's goal and rules, strictly and impartially.\n\n{community}")
"""The judge's system prompt (``{community}``: the community's description)."""

LABEL_PROMPT = "Which best describes this {kind}?"
"""The judge's question (``{kind}``: post or reply)."""

NOTICE = "A moderator removed a comment here that broke the community's rules. Please keep it " \
         "civil."
"""The reply a moderator leaves where it removed a comment."""

_COLUMNS = ["agent", "action", "target", "text", "data"]
_WRITTEN = (0, 1, 3)  # post, comment, quote: items with text of their own


def _ids(values: Any, what: str) -> list[int]:
    if values is None:
        return []
    if isinstance(values, int | np.integer) and not isinstance(values, bool):
        values = [values]
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"Community {what} must be agent ids, got {values!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise TypeError(f"Community {what} must be agent ids (integers), got {v!r}")
        out.append(int(v))
    return out


class Community(Wrapper):
    """A :class:`~socialkit.env.Feed` as a community with rules: every new post, reply and
    quote written by a member is labelled by a language-model judge (one typed
    :class:`~socialkit.Choice` call per item through the simulation's session: cached, counted,
    seeded; a reply that names no label is re-asked, then recorded as missing with its reason,
    never guessed); with ``moderate`` on, items given a ``flag`` label are removed (hidden from
    every page) and the ``moderator`` leaves a :data:`NOTICE` under their parent. Accounts in
    ``absent`` are not members yet: they see nothing and do nothing until :meth:`join` (a troll
    joining in a fork: ``sim.fork(at=3, intervene=lambda b: b.env.join([troll]))``); rule and
    scripted policies return no action for them (an empty dict).

    Events (besides the feed's): ``label`` (agent -1, ``target`` the author, ``text`` the label
    or None, ``data``: ``post``, ``root``, ``kind``, ``label``, ``flagged``, ``status``,
    ``reason``), ``removed`` (agent: the moderator or -1), ``joined``, and at step 0 one
    ``member`` event per row of ``roster``. Measures per step: ``label.<name>`` (items given each
    label), ``label.missing``, ``label.flagged_share`` (flagged / labelled, NaN when none),
    ``removed``, ``members`` (accounts that are members).

    Parameters
    ----------
    feed : Feed
        The platform.
    description : str
        The community's goal and rules, as the judge reads them.
    labels : dict of name -> meaning
        The judge's labels (at least two; names are lower-case identifiers).
    flag : sequence of str
        Labels that count as anti-social (removed under moderation).
    judge : bool
        Label new items (False: no label calls).
    moderate : bool
        Remove flagged items from the start (a fork turns it on with :meth:`start_moderating`).
    moderator : int, optional
        The agent who signs removals and notices (never active: it is added to ``absent``).
    notice : str, optional
        The moderator's reply under a removed comment's parent (None: none).
    absent : sequence of int
        Agents who are not members yet.
    roster : DataFrame, optional
        How the members came to be (``sk.scenarios.generate_members``): columns ``agent`` (-1
        for a generation that was not used), ``name``, ``about``, ``source``, ``status``,
        ``reason``; logged as ``member`` events at step 0.

    Examples
    --------
    >>> import pandas as pd, socialkit as sk
    >>> pop = sk.Population(pd.DataFrame({"agent": [0, 1, 2], "weight": 1.0}))
    >>> feed = sk.env.Feed(seed_posts=pd.DataFrame({"author": [0], "text": ["Hi all!"]}))
    >>> env = sk.env.Community(feed, description="A friendly forum.", moderate=True,
    ...                        moderator=2)
    >>> def act(agent, obs, state):          # the moderator (absent: no menu) does nothing
    ...     return {} if agent == 2 else {"action": "comment", "post_id": 0, "topic": -1,
    ...                                     "text": "Thanks!" if agent else "You idiot."}
    >>> judge = sk.llm.scripted(lambda m: "B" if "idiot" in m[-1]["content"] else "A")
    >>> sim = sk.Simulation(pop, env=env, model=judge, progress=False, cache=False,
    ...                     policy=sk.agents.ScriptedPolicy(act))
    >>> run = sim.run(1)
    >>> ev = run.events[run.events["action"] != "feed"]
    >>> for row in ev[["step", "agent", "action", "target", "text"]].values[1:].tolist():
    ...     print(*row[:4], str(row[4])[:29])
    1 0 comment 0 You idiot.
    1 1 comment 0 Thanks!
    1 -1 label 0 antisocial
    1 -1 label 1 civil
    1 2 removed 0 None
    1 2 comment 0 A moderator removed a comment
    >>> env.labelled, env.removed, feed.posts.hidden[:4].tolist()
    ({1: 'antisocial', 2: 'civil'}, {1}, [False, True, False, False])
    """

    def __init__(self, feed: Any, *, description: str = "", labels: Mapping[str, str] = LABELS,
                 flag: Iterable[str] = ("antisocial",), judge: bool = True,
                 moderate: bool = False, moderator: int | None = None,
                 notice: str | None = NOTICE, absent: Iterable[int] = (),
                 roster: pd.DataFrame | None = None, system: str = LABEL_SYSTEM,
                 prompt: str = LABEL_PROMPT):
        from socialkit.env._feed import Feed

        if not isinstance(feed, Feed):
            raise TypeError(f"Community feed must be a socialkit.env.Feed, got "
                            f"{type(feed).__name__}")
        super().__init__(feed)
        if not isinstance(description, str):
            raise TypeError(f"Community description must be a string, got {description!r}")
        if not isinstance(labels, Mapping) or len(labels) < 2:
            raise ValueError(f"Community labels must be a dict of at least two name -> meaning, "
                             f"got {labels!r}")
        for k, v in labels.items():
            _check_name(k, "Community label name")
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"Community label {k!r} needs a meaning (a non-empty string)")
        if isinstance(flag, str):
            flag = [flag]
        flag = list(flag)
        bad = [f for f in flag if f not in labels]
        if bad or not flag:
            raise ValueError(f"Community flag must name labels of {list(labels)}, got {flag}")
        for nm, v in (("judge", judge), ("moderate", moderate)):
            if not isinstance(v, bool):
                raise TypeError(f"Community {nm} must be True or False, got {v!r}")
        if moderator is not None:
            moderator = _ids(moderator, "moderator")[0]
        if notice is not None and (not isinstance(notice, str) or not notice.strip()):
            raise ValueError("Community notice must be a non-empty string or None")
        for nm, v, key in (("system", system, "{community}"), ("prompt", prompt, "{kind}")):
            if not isinstance(v, str) or key not in v:
                raise ValueError(f"Community {nm} must be a string containing {key!r}")
        self.description, self.labels = description.strip(), dict(labels)
        self.flag, self.judge, self.moderate = flag, judge, moderate
        self.moderator, self.notice = moderator, notice
        self.absent0 = sorted(set(_ids(absent, "absent")) | ({moderator} - {None}))
        self.roster = None if roster is None else self._check_roster(roster)
        self.system, self.prompt = system, prompt
        self._reset()

    def _reset(self) -> None:
        self.absent = set(self.absent0)
        self.labelled: dict[int, str | None] = {}   # item -> label (None: missing)
        self.removed: set[int] = set()
        self._joined: list[int] = []
        self._sweep = False
        self._n: dict[str, float] = {}

    def __getattr__(self, name: str) -> Any:
        # rule agents read the platform through ctx.env (page, posts, likes, ...)
        if name.startswith("__") or name in ("inner", "absent", "labelled", "removed"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    @staticmethod
    def _check_roster(df: Any) -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Community roster must be a DataFrame, got {type(df).__name__}")
        need = ["agent", "name", "about", "source", "status", "reason"]
        lacking = [c for c in need if c not in df.columns]
        if lacking:
            raise ValueError(f"Community roster lacks columns {lacking}")
        return df[need].reset_index(drop=True).copy()

    # ---- configuration -----------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        roster = None if self.roster is None else hashlib.sha256(
            pd.util.hash_pandas_object(self.roster.astype(str), index=False).to_numpy()
            .tobytes()).hexdigest()[:16]
        return {**super().spec(), "description": self.description, "labels": self.labels,
                "flag": self.flag, "judge": self.judge, "moderate": self.moderate,
                "moderator": self.moderator, "notice": self.notice, "absent": self.absent0,
                "roster": roster, "system": self.system, "prompt": self.prompt}

    def __repr__(self) -> str:
        return f"<socialkit env community over {self.inner!r}>"

    def check(self, sim: Any) -> None:
        super().check(sim)
        sim.agents.positions(self.absent0, "Community absent")
        if self.roster is not None:
            used = self.roster.loc[self.roster["agent"] >= 0, "agent"].to_numpy()
            sim.agents.positions(used, "Community roster agent")

    def setup(self, sim: Any) -> pd.DataFrame | None:
        self._reset()
        frames = [self.inner.setup(sim)]
        if self.roster is not None:
            r = self.roster
            frames.append(pd.DataFrame({
                "agent": r["agent"].astype("int64").to_numpy(), "action": "member",
                "target": -1, "text": r["about"].to_numpy(dtype=object),
                "data": [json.dumps({"name": None if pd.isna(n) else str(n), "source": s,
                                     "status": st, "reason": "" if pd.isna(why) else str(why)})
                         for n, s, st, why in zip(r["name"], r["source"], r["status"],
                                                  r["reason"], strict=True)]}))
        frames = [f for f in frames if f is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else None

    # ---- interventions (between steps: in a fork's intervene) -------------------------------
    def join(self, ids: Any) -> None:
        """These agents become members from the next step (logged then as ``joined``)."""
        got = _ids(ids, "join ids")
        bad = [i for i in got if i not in self.absent]
        if bad:
            raise ValueError(f"Community.join: agent(s) {bad} are already members (absent now: "
                             f"{sorted(self.absent)})")
        if self.moderator in got:
            raise ValueError("Community.join: the moderator does not post as a member")
        self.absent -= set(got)
        self._joined += got

    def start_moderating(self, sweep: bool = True) -> None:
        """Moderation from the next step on; with ``sweep``, items already flagged are removed
        then too (a moderator who steps in cleans up first)."""
        self.moderate = True
        self._sweep = bool(sweep)

    # ---- a step --------------------------------------------------------------------------------
    def _present(self, sim: Any, ids: np.ndarray) -> np.ndarray:
        return np.array([int(i) not in self.absent for i in ids], dtype=bool)

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        obs = list(self.inner.observe(sim, ids))  # every active agent gets a page (rule
        here = self._present(sim, ids)            # agents read theirs); absent ones see none
        return [o if h else "" for o, h in zip(obs, here.tolist(), strict=True)]

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        obs = list(self.inner.observe_cell(sim, ids))
        here = self._present(sim, ids)
        return [o if h else "" for o, h in zip(obs, here.tolist(), strict=True)]

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        menus = self.inner.actions(sim, ids)
        here = self._present(sim, ids)
        if here.all():
            return menus
        if menus is None or not isinstance(menus, list):
            menus = [menus] * len(ids)
        return [m if h else None for m, h in zip(menus, here.tolist(), strict=True)]

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> pd.DataFrame | None:
        feed = self.inner
        here = ~decisions["agent"].isin(sorted(self.absent)).to_numpy() if len(decisions) \
            else np.zeros(0, dtype=bool)
        frames = []
        if self._joined:
            frames.append(pd.DataFrame({"agent": self._joined, "action": "joined", "target": -1,
                                        "text": None, "data": None}))
            self._joined = []
        inner = feed.resolve(sim, decisions[here] if not here.all() else decisions)
        if inner is not None and len(inner) and self.absent:
            gone = (inner["action"] == "feed") & inner["agent"].isin(sorted(self.absent))
            inner = inner[~gone]
        frames.append(inner)
        self._n = {"removed": 0.0}
        new = self._new_items(feed)
        if self.judge and len(new):
            frames.append(self._label(sim, feed, new))
        todo = [i for i in new.tolist() if self.moderate and self._flagged(i)]
        if self._sweep:
            todo = sorted({i for i, lab in self.labelled.items()
                           if lab in self.flag and i not in self.removed} | set(todo))
            self._sweep = False
        if todo:
            frames.append(self._remove(feed, np.asarray(todo, dtype=np.int64)))
        frames = [f for f in frames if f is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else None

    def _flagged(self, item: int) -> bool:
        return self.labelled.get(item) in self.flag

    def _new_items(self, feed: Any) -> np.ndarray:
        p = feed.posts
        if not len(p):
            return np.empty(0, dtype=np.int64)
        staff = feed._sim_agents.positions([self.moderator]) if self.moderator is not None \
            else np.empty(0, dtype=np.int64)
        ok = (p.step == feed.t) & np.isin(p.kind, _WRITTEN) & ~np.isin(p.author, staff)
        ok &= np.array([t is not None for t in p.text], dtype=bool)
        ids = np.flatnonzero(ok)
        return ids[[int(i) not in self.labelled for i in ids]]

    def question(self) -> Any:
        """The judge's typed question for an item of ``kind`` ("post" or "reply")."""
        from socialkit.llm.questions import Choice

        return {k: Choice(self.prompt.format(kind=k),
                          [f"{n}: {m}" for n, m in self.labels.items()], name="label")
                for k in ("post", "reply")}

    def messages(self, text: str, kind: str, parent: str | None = None) -> list[dict]:
        """The judge's chat messages for one item."""
        q = self.question()[kind]
        head = f'A member wrote this {kind}:' if parent is None else \
            f'In reply to "{" ".join(parent.split())}", a member wrote this {kind}:'
        body = "\n\n".join([f'{head}\n"{" ".join(text.split())}"', q.render()])
        return [{"role": "system", "content": self.system.format(community=self.description)},
                {"role": "user", "content": body}]

    def _label(self, sim: Any, feed: Any, items: np.ndarray) -> pd.DataFrame:
        from socialkit.llm.session import Request

        p = feed.posts
        names = list(self.labels)
        qs = self.question()
        requests, kinds = [], []
        for i in items.tolist():
            kind = "post" if p.kind[i] == 0 else "reply"
            par = int(p.parent[i])
            parent = p.text[int(p.source[par])] if par >= 0 else None
            msgs = self.messages(p.text[i], kind, parent)
            author = int(feed._ids[p.author[i]])
            requests.append(Request(msgs, qs[kind], ["sim", feed.t, author, f"label:p{i}"]))
            kinds.append(KINDS[int(p.kind[i])])
        outcomes = sim.complete_many(requests)
        rows, counts = [], {n: 0.0 for n in names}
        missing = 0
        for i, kind, out in zip(items.tolist(), kinds, outcomes, strict=True):
            lab = None
            if out.status != "missing":
                lab = names[[f"{n}: {m}" for n, m in self.labels.items()].index(out.value)]
                counts[lab] += 1
            else:
                missing += 1
            self.labelled[i] = lab
            rows.append({"agent": -1, "action": "label",
                         "target": int(feed._ids[p.author[i]]), "text": lab,
                         "data": json.dumps({"post": i, "root": int(p.root[i]), "kind": kind,
                                             "label": lab, "flagged": lab in self.flag,
                                             "status": out.status, "reason": out.reason})})
        done = sum(counts.values())
        flagged = sum(counts[f] for f in self.flag)
        self._n.update({f"label.{n}": c for n, c in counts.items()})
        self._n["label.missing"] = float(missing)
        self._n["label.flagged_share"] = flagged / done if done else float("nan")
        return pd.DataFrame(rows, columns=_COLUMNS)

    def _remove(self, feed: Any, items: np.ndarray) -> pd.DataFrame:
        p = feed.posts
        feed.hide(items)
        self.removed |= set(items.tolist())
        who = -1 if self.moderator is None else self.moderator
        rows = [{"agent": who, "action": "removed", "target": int(feed._ids[p.author[i]]),
                 "text": None, "data": json.dumps({"post": i, "root": int(p.root[i]),
                                                   "label": self.labelled.get(i)})}
                for i in items.tolist()]
        self._n["removed"] = float(len(rows))
        frames = [pd.DataFrame(rows, columns=_COLUMNS)]
        if self.moderator is not None and self.notice is not None:
            parents = sorted({int(p.parent[i]) for i in items.tolist()
                              if p.parent[i] >= 0 and not p.hidden[p.parent[i]]})
            if parents:
                df = pd.DataFrame({"author": self.moderator, "text": self.notice,
                                   "parent": parents, "kind": "comment"})
                frames.append(feed._post_frame(df, "Community notice", step=feed.t,
                                               injected=True))
        return pd.concat(frames, ignore_index=True)

    def measures(self, sim: Any) -> dict[str, float]:
        out = super().measures(sim)
        for n in self.labels:
            out[f"label.{n}"] = self._n.get(f"label.{n}", 0.0)
        out["label.missing"] = self._n.get("label.missing", 0.0)
        out["label.flagged_share"] = self._n.get("label.flagged_share", float("nan"))
        out["removed"] = self._n.get("removed", 0.0)
        out["members"] = float(len(sim.agents) - len(self.absent))
        return out

    # ---- checkpoints -------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {**super().state(), "absent": sorted(self.absent),
                "labelled": [[k, v] for k, v in self.labelled.items()],
                "removed": sorted(self.removed), "joined": list(self._joined),
                "sweep": self._sweep, "moderate": self.moderate}

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        self.absent = set(state.get("absent", self.absent0))
        self.labelled = {int(k): v for k, v in state.get("labelled", [])}
        self.removed = set(state.get("removed", []))
        self._joined = list(state.get("joined", []))
        self._sweep = bool(state.get("sweep", False))
        self.moderate = bool(state.get("moderate", self.moderate))
