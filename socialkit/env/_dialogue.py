"""Conversations: turn-taking dialogues between pairs or small groups of agents, several
utterances per step, each utterance an event and a memory of everyone who heard it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socialkit.agents._actions import Action, ActionMenu, Text
from socialkit.env._base import Environment
from socialkit.env._pairing import (
    _is_int,
    check_groups,
    located_groups,
    names_and,
    random_groups,
    schedule,
)

__all__ = ["Dialogue", "Conversation", "TALK_PROMPT"]

TALK_PROMPT = "What do you say next?"
"""The question a speaker answers at its turn (``Dialogue(prompt=...)`` replaces it)."""

_PAIRINGS = ("random", "location")


@dataclass
class Conversation:
    """One conversation: its id, members (the first speaks first), topic, free ``info`` (for
    scenario code, e.g. a debate's sides), the lines said so far ``(speaker, text)``, the
    members still in it, and why it ended (``"max_turns"``, ``"leave"``, ``"missing"``)."""

    id: int
    members: list[int]
    names: list[str]
    topic: str | None = None
    info: dict = field(default_factory=dict)
    lines: list[tuple[int, str]] = field(default_factory=list)
    open: list[int] = field(default_factory=list)
    ended_by: str | None = None

    def name(self, agent: int) -> str:
        return self.names[self.members.index(agent)]

    def others(self, agent: int) -> list[str]:
        return [n for m, n in zip(self.members, self.names, strict=True) if m != agent]


class Dialogue(Environment):
    """Turn-taking conversations between pairs or small groups of agents, within a step.

    Each step, after the step's own round of decisions (and an ``inner`` environment's
    mechanics), the pairing rule forms conversations among the active agents. They are
    scheduled in rounds in which every agent is in at most one conversation; the
    conversations of a round advance turn by turn together, each turn one batched sub-round
    of decisions (:meth:`socialkit.sim.Simulation.decide`) in which the next speaker of every
    open conversation answers through its own policy (LLM, rule or scripted). A speaker sees
    its ``context``, who it is talking with, the ``topic`` and the last ``history`` lines, and
    chooses ``say(text)`` or, with ``leave=True`` once ``min_turns`` lines were said,
    ``leave(text)`` (a last line, then it leaves). A conversation ends after ``max_turns``
    lines, when a pair's member leaves (a group goes on while two remain), or when a decision
    is missing after the session's re-asks. Once a round is over, every line becomes a memory
    of every member (``'I said to Bob: "..."'``, ``'Ann said to me: "..."'``), so later rounds,
    steps and prompts can retrieve it.

    Pairing rules (``pairing``):

    - ``"random"``: every active agent starts ``contact_rate`` conversations with
      ``group_size - 1`` others drawn at random among the active agents (the run's generator);
      a group drawn twice talks once;
    - ``"location"``: agents sharing a place (``location``: a population column, a state
      variable or ``fn(sim, ids) -> labels``) are shuffled into groups of ``group_size``, and
      each group talks with probability ``p_talk``;
    - a list of groups (agent ids; the first speaks first): those conversations every step
      (a group talks when all its members are active); a dict ``{step: groups}`` is a
      schedule; ``fn(sim, ids) -> groups`` any rule;
    - ``None``: no conversations of its own; another environment calls :meth:`converse`.

    Events (``run.events``; :func:`conversations` reads them back as a table):

    - ``utterance``: ``agent`` the speaker, ``target`` the listener of a pair (else -1),
      ``text`` the line, ``data`` ``{"conversation", "turn", "listeners", "leave"}``;
    - ``conversation``: one per conversation, ``agent`` the first speaker, ``text`` the topic,
      ``data`` ``{"conversation", "members", "names", "turns", "ended_by", "info"}``;
    - ``missing``: a speaker's decision that stayed invalid (``text``: the reason).

    Parameters
    ----------
    pairing : "random", "location", list, dict, callable or None
        Who talks with whom (see above).
    contact_rate : int
        Conversations each active agent starts per step (``"random"``).
    group_size : int
        Members per conversation (``"random"`` and ``"location"``).
    location : str or callable, optional
        Where agents are (``"location"``): a population column, a state variable, or
        ``fn(sim, ids) -> labels`` (None or NaN: nowhere).
    p_talk : float
        Probability that a co-located group talks (``"location"``).
    max_turns : int
        Most lines per conversation.
    leave : bool
        Speakers may end the conversation with ``leave(text)``.
    min_turns : int
        Lines said before ``leave`` is offered.
    prompt : str, sequence of str or callable
        The question at each turn: a text, one text per turn (the last one repeats, e.g. a
        debate's opening, rebuttal and conclusion), or ``fn(conversation, speaker) -> str``.
    topic : str, optional
        What the conversations are about (shown to every speaker).
    context : str or callable, optional
        Text shown to a speaker before the conversation: a text, or
        ``fn(sim, agent, conversation) -> str`` (e.g. instructions for one side only).
    max_words : int
        Longest line.
    history : int
        Most recent lines shown to the speaker.
    remember : bool
        Lines become memories of the members (when the simulation has a memory).
    names : str, optional
        Population column with the agents' names (default: ``name`` when the population has
        one, else "Agent <id>").
    inner : Environment, optional
        An environment whose observation, actions, resolution and measures come first.

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.agents import ScriptedPolicy
    >>> def talk(agent, observation, state, menu, purpose):
    ...     if menu is None:          # the step's own round: nothing to do
    ...         return {}
    ...     return {"action": "say", "text": f"Agent {agent} speaks at {purpose}."}
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    >>> env = sk.env.Dialogue([(0, 1), (2, 3)], max_turns=2, leave=False)
    >>> sim = sk.Simulation(pop, env=env, policy=ScriptedPolicy(talk),
    ...                     memory=sk.memory.Recent(k=5), progress=False)
    >>> run = sim.run(steps=1)
    >>> sk.env.conversations(run)[["conversation", "turn", "speaker", "listeners", "text"]]
       conversation  turn  speaker listeners                         text
    0             0     0        0       [1]  Agent 0 speaks at talk:0:0.
    1             0     1        1       [0]  Agent 1 speaks at talk:0:1.
    2             1     0        2       [3]  Agent 2 speaks at talk:1:0.
    3             1     1        3       [2]  Agent 3 speaks at talk:1:1.
    >>> print(sk.env.transcript(run, 0))
    Conversation 0 (step 1): Agent 0 and Agent 1; 2 turns, ended by max_turns
    Agent 0: Agent 0 speaks at talk:0:0.
    Agent 1: Agent 1 speaks at talk:0:1.
    >>> sim.memory.frame(1)["text"].tolist()
    ['Agent 0 said to me: "Agent 0 speaks at talk:0:0."', 'I said to Agent 0: "Agent 1 speaks at talk:0:1."']
    """

    name = "dialogue"

    def __init__(self, pairing: Any = "random", *, contact_rate: int = 1, group_size: int = 2,
                 location: str | Callable | None = None, p_talk: float = 1.0,
                 max_turns: int = 6, leave: bool = True, min_turns: int = 2,
                 prompt: str | Sequence[str] | Callable = TALK_PROMPT,
                 topic: str | None = None, context: str | Callable | None = None,
                 max_words: int = 40, history: int = 10, remember: bool = True,
                 names: str | None = None, inner: Environment | None = None):
        where = "Dialogue"
        if isinstance(pairing, str):
            if pairing not in _PAIRINGS:
                raise ValueError(f"{where} pairing must be 'random', 'location', a list of "
                                 f"groups, a dict {{step: groups}}, a function or None; got "
                                 f"{pairing!r}")
        elif isinstance(pairing, Mapping):
            pairing = {self._step_key(k): check_groups(v, f"{where} pairing[{k!r}]")
                       for k, v in pairing.items()}
        elif pairing is not None and not callable(pairing):
            pairing = check_groups(pairing, f"{where} pairing")
        for nm, v, low in (("contact_rate", contact_rate, 0), ("group_size", group_size, 2),
                           ("max_turns", max_turns, 1), ("min_turns", min_turns, 0),
                           ("max_words", max_words, 1), ("history", history, 1)):
            if not _is_int(v) or v < low:
                raise ValueError(f"{where} {nm} must be an integer >= {low}, got {v!r}")
        if isinstance(p_talk, bool) or not isinstance(p_talk, int | float) \
                or not 0 <= p_talk <= 1:
            raise ValueError(f"{where} p_talk must be a probability in [0, 1], got {p_talk!r}")
        if pairing == "location" and location is None:
            raise ValueError(f"{where} pairing='location' needs location= (a population "
                             "column, a state variable or a function of (sim, ids))")
        if location is not None and not isinstance(location, str) and not callable(location):
            raise TypeError(f"{where} location must be a column or variable name or a "
                            f"function, got {type(location).__name__}")
        for nm, v in (("leave", leave), ("remember", remember)):
            if not isinstance(v, bool):
                raise TypeError(f"{where} {nm} must be True or False, got {v!r}")
        if isinstance(prompt, str):
            if not prompt.strip():
                raise ValueError(f"{where} prompt must not be empty")
        elif isinstance(prompt, Sequence):
            prompt = list(prompt)
            if not prompt or not all(isinstance(p, str) and p.strip() for p in prompt):
                raise ValueError(f"{where} prompt must be a text, a non-empty list of texts "
                                 f"(one per turn) or a function; got {prompt!r}")
        elif not callable(prompt):
            raise TypeError(f"{where} prompt must be a text, a list of texts or a function, "
                            f"got {type(prompt).__name__}")
        if topic is not None and not isinstance(topic, str):
            raise TypeError(f"{where} topic must be a string or None, got "
                            f"{type(topic).__name__}")
        if context is not None and not isinstance(context, str) and not callable(context):
            raise TypeError(f"{where} context must be a string, a function of (sim, agent, "
                            f"conversation) or None; got {type(context).__name__}")
        if names is not None and not isinstance(names, str):
            raise TypeError(f"{where} names must be a population column name, got "
                            f"{type(names).__name__}")
        if inner is not None and not isinstance(inner, Environment):
            raise TypeError(f"{where} inner must be a socialkit.env.Environment, got "
                            f"{type(inner).__name__}")
        self.pairing, self.contact_rate, self.group_size = pairing, contact_rate, group_size
        self.location, self.p_talk = location, float(p_talk)
        self.max_turns, self.leave, self.min_turns = max_turns, leave, min_turns
        self.prompt, self.topic, self.context = prompt, topic, context
        self.max_words, self.history, self.remember = max_words, history, remember
        self.names, self.inner = names, inner
        self.next_id = 0
        self.counts = dict.fromkeys(("conversations", "utterances", "left", "missing"), 0)
        self.last: list[Conversation] = []
        self._names: dict[int, str] | None = None
        self._menus: dict[tuple[str, bool], ActionMenu] = {}

    # ---- arguments ---------------------------------------------------------------------------
    @staticmethod
    def _step_key(k: Any) -> int:
        if not _is_int(k) or k < 1:
            raise ValueError(f"Dialogue pairing schedule keys must be steps >= 1, got {k!r}")
        return int(k)

    def spec(self) -> dict[str, Any]:
        from socialkit.agents._policies import _fn_id

        def ident(x: Any) -> Any:
            return _fn_id(x) if callable(x) else x

        pairing = self.pairing
        if isinstance(pairing, dict):
            pairing = {str(k): v for k, v in pairing.items()}
        return {"name": self.name, "pairing": ident(pairing), "contact_rate": self.contact_rate,
                "group_size": self.group_size, "location": ident(self.location),
                "p_talk": self.p_talk, "max_turns": self.max_turns, "leave": self.leave,
                "min_turns": self.min_turns, "prompt": ident(self.prompt), "topic": self.topic,
                "context": ident(self.context), "max_words": self.max_words,
                "history": self.history, "remember": self.remember, "names": self.names,
                "inner": None if self.inner is None else self.inner.spec()}

    def __repr__(self) -> str:
        how = self.pairing if isinstance(self.pairing, str) or self.pairing is None \
            else type(self.pairing).__name__
        return f"<socialkit env dialogue: pairing {how}, at most {self.max_turns} turns>"

    # ---- binding -----------------------------------------------------------------------------
    def check(self, sim: Any) -> None:
        self._bind(sim)
        groups = []
        if isinstance(self.pairing, list):
            groups = self.pairing
        elif isinstance(self.pairing, dict):
            groups = [g for gs in self.pairing.values() for g in gs]
        for g in groups:
            sim.agents.positions(g, "Dialogue pairing")
        if isinstance(self.location, str) and self.location not in sim.agents.variables \
                and self.location not in sim.agents.population.df.columns:
            raise ValueError(f"Dialogue location={self.location!r} is neither a state variable "
                             f"{list(sim.agents.variables)} nor a population column "
                             f"{sim.agents.population.attributes}")
        if self.inner is not None:
            self.inner.check(sim)

    def _bind(self, sim: Any) -> None:
        df = sim.agents.population.df
        if self.names is not None and self.names not in df.columns:
            raise ValueError(f"Dialogue names={self.names!r} is not a population column; "
                             f"columns: {sim.agents.population.attributes}")
        col = self.names or ("name" if "name" in df.columns else None)
        ids = sim.agents.ids.tolist()
        labels = [str(x) for x in df[col]] if col is not None else [f"Agent {a}" for a in ids]
        self._names = dict(zip(ids, labels, strict=True))

    def setup(self, sim: Any) -> None:
        self._bind(sim)
        if self.inner is not None:
            self.inner.setup(sim)

    def state(self) -> dict[str, Any]:
        return {"next_id": self.next_id, "counts": dict(self.counts),
                "inner": None if self.inner is None else self.inner.state()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.next_id = int(state.get("next_id", 0))
        self.counts = dict(state.get("counts", self.counts))
        if self.inner is not None and state.get("inner") is not None:
            self.inner.load_state(state["inner"])

    # ---- the step's own round ----------------------------------------------------------------
    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        return self.inner.observe(sim, ids) if self.inner is not None else [""] * len(ids)

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        return self.inner.observe_cell(sim, ids) if self.inner is not None \
            else [""] * len(ids)

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        return self.inner.actions(sim, ids) if self.inner is not None else None

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        events = list(self.inner.resolve(sim, decisions) or []) if self.inner is not None \
            else []
        self.counts = dict.fromkeys(self.counts, 0)
        groups = self.pair(sim, decisions["agent"].to_numpy(dtype=np.int64))
        events += self.converse(sim, groups)
        return events

    def measures(self, sim: Any) -> dict[str, float]:
        """Per step: ``dialogue.conversations``, ``dialogue.utterances``, ``dialogue.left``
        (conversations a member left) and ``dialogue.missing`` (ended by a missing line)."""
        out = dict(self.inner.measures(sim) or {}) if self.inner is not None else {}
        out.update({f"dialogue.{k}": float(v) for k, v in self.counts.items()})
        return out

    # ---- pairing -----------------------------------------------------------------------------
    def pair(self, sim: Any, ids: np.ndarray) -> list[list[int]]:
        """The groups that talk this step among the active agents ``ids`` (the pairing rule;
        random draws from ``sim.rng``)."""
        ids = np.asarray(ids, dtype=np.int64)
        p = self.pairing
        if p is None or len(ids) < 2:
            return []
        active = set(ids.tolist())
        if p == "random":
            return self._random(sim, ids)
        if p == "location":
            return self._located(sim, ids)
        if isinstance(p, dict):
            given = p.get(sim.t + 1, [])
        elif isinstance(p, list):
            given = p
        else:
            given = check_groups(p(sim, ids), "Dialogue pairing function's result")
            sim.agents.positions([a for g in given for a in g], "Dialogue pairing function")
        return [list(g) for g in given if all(a in active for a in g)]

    def _random(self, sim: Any, ids: np.ndarray) -> list[list[int]]:
        return random_groups(sim.rng, ids, self.contact_rate, self.group_size)

    def _located(self, sim: Any, ids: np.ndarray) -> list[list[int]]:
        return located_groups(sim.rng, ids, self.where(sim, ids), self.group_size, self.p_talk)

    def where(self, sim: Any, ids: np.ndarray) -> list[Any]:
        """Each agent's place (``location``), None when it is nowhere."""
        loc = self.location
        if callable(loc):
            got = list(loc(sim, ids))
            if len(got) != len(ids):
                raise ValueError(f"Dialogue location function returned {len(got)} labels for "
                                 f"{len(ids)} agents")
            return got
        pos = sim.agents.positions(ids)
        if loc in sim.agents.variables:
            var, x = sim.agents.variables[loc], sim.agents.values[loc][pos]
            return [None if np.isnan(v) else var.text(v) for v in x]
        return sim.agents.population.df[loc].iloc[pos].tolist()

    # ---- talking -----------------------------------------------------------------------------
    def converse(self, sim: Any, groups: Sequence[Any], *, topic: str | None = None,
                 purpose: str = "talk") -> list[dict]:
        """Hold conversations now (from an environment's ``resolve``) and return their events.

        Parameters
        ----------
        sim : Simulation
        groups : list
            Each a sequence of agent ids (the first speaks first) or a dict
            ``{"members": ids, "topic": str, "info": dict, "names": [str, ...]}`` (``names``:
            how the members are called in this conversation, e.g. their roles).
        topic : str, optional
            The topic of groups that name none (default: the environment's).
        purpose : str
            Prefix of the sub-rounds' draw keys (``"<purpose>:<conversation>:<turn>"``).

        Returns
        -------
        list of dict
            The events (``utterance``, ``conversation``, ``missing``); the conversations
            themselves are in ``self.last``.
        """
        if self._names is None:
            self._bind(sim)
        convs = []
        for g in groups:
            spec = dict(g) if isinstance(g, Mapping) else {"members": g}
            members = check_groups([spec.get("members", ())], "Dialogue converse")[0]
            sim.agents.positions(members, "Dialogue converse")
            info = spec.get("info") or {}
            if not isinstance(info, Mapping):
                raise TypeError(f"Dialogue converse: info must be a dict, got "
                                f"{type(info).__name__}")
            t = spec.get("topic", topic if topic is not None else self.topic)
            names = spec.get("names") or [self._names[a] for a in members]
            if len(names) != len(members) or not all(isinstance(n, str) and n.strip()
                                                     for n in names):
                raise ValueError(f"Dialogue converse: names must be one non-empty text per "
                                 f"member, got {names!r}")
            convs.append(Conversation(self.next_id, members, list(names), t, dict(info),
                                      open=list(members)))
            self.next_id += 1
        events: list[dict] = []
        for batch in schedule(convs, key=lambda c: c.members):
            self._talk(sim, batch, purpose, events)
            if self.remember:
                self._memorize(sim, batch)
        for c in convs:
            self.counts["conversations"] += 1
            self.counts["left"] += c.ended_by == "leave"
            self.counts["missing"] += c.ended_by == "missing"
            events.append({"agent": c.members[0],
                           "target": c.members[1] if len(c.members) == 2 else -1,
                           "action": "conversation", "text": c.topic,
                           "data": {"conversation": c.id, "members": c.members,
                                    "names": c.names, "turns": len(c.lines),
                                    "ended_by": c.ended_by, "info": c.info}})
        self.last = convs
        return events

    def _prompt(self, conv: Conversation, speaker: int) -> str:
        p = self.prompt
        if isinstance(p, str):
            return p
        if isinstance(p, list):
            return p[min(len(conv.lines), len(p) - 1)]
        got = p(conv, speaker)
        if not isinstance(got, str) or not got.strip():
            raise ValueError(f"Dialogue prompt function returned {got!r}; expected a non-empty "
                             "text")
        return got

    def _menu(self, text: str, can_leave: bool) -> ActionMenu:
        key = (text, can_leave)
        menu = self._menus.get(key)
        if menu is None:
            say = Action("say", "say this and go on talking" if can_leave else "",
                         text=Text(self.max_words))
            acts = [say]
            if can_leave:
                acts.append(Action("leave", "say this as your last line and end the "
                                   "conversation", text=Text(self.max_words)))
            menu = self._menus[key] = ActionMenu(acts, text=text, name="talk")
        return menu

    def observation(self, sim: Any, conv: Conversation, speaker: int) -> str:
        """What ``speaker`` sees at its turn: its context, who it talks with, the topic and the
        last ``history`` lines."""
        parts = []
        ctx = self.context
        if callable(ctx):
            ctx = ctx(sim, speaker, conv)
            if ctx is not None and not isinstance(ctx, str):
                raise TypeError(f"Dialogue context function returned "
                                f"{type(ctx).__name__}; expected a string or None")
        if ctx:
            parts.append(ctx.strip())
        head = f"You are talking with {names_and(conv.others(speaker))}."
        if conv.topic:
            head += f" Topic: {conv.topic}"
        parts.append(head)
        if conv.lines:
            shown = conv.lines[-self.history:]
            lines = [f"{'You' if a == speaker else conv.name(a)}: {t}" for a, t in shown]
            lead = "The conversation so far" + (" (the latest lines)" if len(shown) <
                                                len(conv.lines) else "") + ":"
            parts.append(lead + "\n" + "\n".join(lines))
        else:
            parts.append("Nobody has spoken yet: you begin.")
        return "\n\n".join(parts)

    def _talk(self, sim: Any, batch: list[Conversation], purpose: str, events: list) -> None:
        live = list(batch)
        while live:
            speakers, obs, menus = [], [], []
            for c in live:
                s = c.open[len(c.lines) % len(c.open)]
                speakers.append(s)
                obs.append(self.observation(sim, c, s))
                can_leave = self.leave and len(c.lines) >= self.min_turns
                menus.append(self._menu(self._prompt(c, s), can_leave))
            # one sub-round per turn for the whole batch (its conversations are disjoint, so
            # each agent speaks once); each speaker's draw key names its conversation and turn
            d = sim.decide(speakers, obs, menus,
                           purpose=[f"{purpose}:{c.id}:{len(c.lines)}" for c in live])
            still = []
            for c, s, row in zip(live, speakers, d.itertuples(index=False), strict=True):
                k = len(c.lines)
                if row.action is None:
                    c.ended_by = "missing"
                    events.append({"agent": s, "action": "missing",
                                   "text": f"talk: {row.reason}" if row.reason else "talk: "
                                   "no line", "data": {"purpose": purpose,
                                                       "conversation": c.id, "turn": k}})
                    continue
                text = str(row.args["text"])
                c.lines.append((s, text))
                self.counts["utterances"] += 1
                listeners = [m for m in c.open if m != s]
                left = row.action == "leave"
                events.append({"agent": s, "target": listeners[0] if len(listeners) == 1
                               else -1, "action": "utterance", "text": text,
                               "data": {"conversation": c.id, "turn": k,
                                        "listeners": listeners, "leave": left}})
                if left:
                    c.open.remove(s)
                if len(c.open) < 2:
                    c.ended_by = "leave"
                elif len(c.lines) >= self.max_turns:
                    c.ended_by = "max_turns"
                else:
                    still.append(c)
            live = still

    def _memorize(self, sim: Any, batch: list[Conversation]) -> None:
        agents, texts = [], []
        for c in batch:
            for s, text in c.lines:
                others = c.others(s)
                agents.append(s)
                texts.append(f'I said to {names_and(others)}: "{text}"')
                for m in c.members:
                    if m == s:
                        continue
                    rest = [n for n in others if n != c.name(m)]
                    to = f"to {names_and(rest)} and me" if rest else "to me"
                    agents.append(m)
                    texts.append(f'{c.name(s)} said {to}: "{text}"')
        if texts:
            sim.memorize(agents, texts)
