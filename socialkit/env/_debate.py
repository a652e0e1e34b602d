"""Debates: structured conversations on a proposition (opening, rebuttal, conclusion), with
ratings asked of the debaters before and after; the persuasion scenarios' mechanics."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from socialkit.agents._actions import Action, ActionMenu, Arg, Number, OneOf, _check_name
from socialkit.env._base import Environment
from socialkit.env._dialogue import Conversation, Dialogue
from socialkit.env._pairing import _is_int, check_groups

__all__ = ["Debate", "Rating", "DEBATE_PHASES", "debates"]

DEBATE_PHASES = (
    ("opening", "Opening statement: argue {side} the proposition \"{proposition}\"."),
    ("rebuttal", "Rebuttal: answer your opponent's arguments and defend your side."),
    ("conclusion", "Conclusion: sum up why the proposition should be {verdict}."),
)
"""Salvi et al.'s debate structure: each phase both debaters speak once, in order."""

_SIDES = {"pro": ("in favour of", "accepted"), "con": ("against", "rejected")}


class Rating:
    """A question put to debaters before and/or after a debate.

    Parameters
    ----------
    name : str
        Identifier (``agreement``); events and tables use it.
    text : str
        The question; ``{proposition}`` is replaced by the debate's proposition.
    answer : Number or OneOf
        The typed answer (``Number(1, 5, integer=True)``, ``OneOf(["yes", "no"])``), parsed
        without guessing and constrained by a grammar on the embedded model.
    when : "before", "after" or both
    who : str or None
        The role that answers (None: every debater).

    Examples
    --------
    >>> r = Rating("agreement", "How much do you agree that {proposition}?",
    ...            Number(1, 5, integer=True), who="participant")
    >>> r.menu("the penny should stay").render().splitlines()[0]
    'How much do you agree that the penny should stay?'
    """

    def __init__(self, name: str, text: str, answer: Arg, *,
                 when: str | Sequence[str] = ("before", "after"), who: str | None = None):
        self.name = _check_name(name, "Rating name")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"Rating {name}: text must be a non-empty string, got {text!r}")
        if not isinstance(answer, Number | OneOf):
            raise TypeError(f"Rating {name}: answer must be a socialkit.agents Number or OneOf, "
                            f"got {type(answer).__name__}")
        when = [when] if isinstance(when, str) else list(when)
        if not when or any(w not in ("before", "after") for w in when):
            raise ValueError(f"Rating {name}: when must be 'before', 'after' or both, got "
                             f"{when!r}")
        if who is not None and not isinstance(who, str):
            raise TypeError(f"Rating {name}: who must be a role name or None, got {who!r}")
        self.text, self.answer, self.when, self.who = text.strip(), answer, when, who

    def menu(self, proposition: str) -> ActionMenu:
        return ActionMenu([Action(self.name, answer=self.answer)],
                          text=self.text.replace("{proposition}", proposition.rstrip(".")),
                          name=self.name)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "text": self.text, "answer": self.answer.spec(),
                "when": self.when, "who": self.who}


class Debate(Environment):
    """Debates between two (or more) agents on propositions: ratings before, a structured
    conversation (each phase every debater speaks once, in order), ratings after.

    Each debate is a dict: ``members`` (agent ids, in speaking order), ``proposition``,
    optionally ``roles`` (one name per member, default ``"a"``, ``"b"``, ...), ``sides`` (one
    of ``"pro"`` / ``"con"`` per member), ``step`` (when it is held, default 1) and ``info``
    (anything the scenario wants back: conditions, the dimension argued, ...). In its step:
    the raters of every debate answer each :class:`Rating` asked ``before`` (one batched
    sub-round per rating), the debates are held as conversations of a :class:`Dialogue`
    (batched turn by turn; each line an ``utterance`` event and a memory of both sides), and
    the raters answer the ratings asked ``after``, seeing the debate's transcript.

    A speaker's prompt holds its ``context`` (default: the side it argues), the debate so far
    (the debaters called by their roles: "Participant", "Opponent") and the phase's instruction (``{side}``: "in favour of" / "against", ``{verdict}``:
    "accepted" / "rejected", ``{proposition}``).

    Events: ``rating`` (``text`` the answer; ``data`` ``{"debate", "rating", "when",
    "value"}``), ``missing`` for a rating that stayed invalid, the dialogue's ``utterance``
    and ``conversation`` events, and one ``debate`` event per debate (``data``: members,
    roles, sides, proposition, info, conversation). :func:`debates` tabulates them.

    Parameters
    ----------
    debates : list of dict
        The debates (see above); an agent is in at most one debate per step.
    phases : sequence of (name, instruction)
        The debate's structure (default :data:`DEBATE_PHASES`).
    ratings : sequence of Rating
        What raters answer before and after.
    context : callable, optional
        ``fn(sim, agent, debate, role) -> str``: what a debater is told before it speaks
        (default: "You argue in favour of / against the proposition: ...").
    max_words : int
        Longest line.
    remember : bool
        Lines become memories of the debaters (with a simulation memory).

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.agents import Number, ScriptedPolicy
    >>> def debater(agent, observation, state, menu, purpose):
    ...     if menu is None:
    ...         return {}
    ...     if "agreement" in menu.actions:                    # a rating
    ...         return {"action": "agreement", "answer": 2 if "before" in purpose else 4}
    ...     return {"action": "say", "text": f"{agent}: {purpose}"}
    >>> rating = sk.env.Rating("agreement", "Do you agree that {proposition}? (1-5)",
    ...                        Number(1, 5, integer=True), who="participant")
    >>> env = sk.env.Debate([{"members": [0, 1], "roles": ["participant", "opponent"],
    ...                       "sides": ["pro", "con"], "proposition": "cats beat dogs"}],
    ...                     phases=sk.env.DEBATE_PHASES[:2], ratings=[rating])
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
    >>> run = sk.Simulation(pop, env=env, policy=ScriptedPolicy(debater), progress=False).run(1)
    >>> sk.env.debates(run)[["debate", "agent", "role", "side", "agreement_before",
    ...                      "agreement_after", "turns"]]
       debate  agent         role side  agreement_before  agreement_after  turns
    0       0      0  participant  pro               2.0              4.0      4
    """

    name = "debate"

    def __init__(self, debates: Sequence[Mapping[str, Any]], *,
                 phases: Sequence[tuple[str, str]] = DEBATE_PHASES,
                 ratings: Sequence[Rating] = (), context: Callable | None = None,
                 max_words: int = 80, remember: bool = True):
        if isinstance(debates, str | bytes | Mapping) or not isinstance(debates, Sequence):
            raise TypeError(f"Debate debates must be a list of dicts, got "
                            f"{type(debates).__name__}")
        self.debates = [self._debate(d, i) for i, d in enumerate(debates)]
        if not self.debates:
            raise ValueError("Debate needs at least one debate")
        seen: dict[int, set] = {}
        for i, d in enumerate(self.debates):
            busy = seen.setdefault(d["step"], set())
            if busy.intersection(d["members"]):
                raise ValueError(f"Debate debates[{i}]: an agent of {d['members']} is already "
                                 f"in another debate of step {d['step']}")
            busy.update(d["members"])
        phases = list(phases)
        if not phases or not all(isinstance(p, tuple | list) and len(p) == 2 and all(
                isinstance(x, str) and x.strip() for x in p) for p in phases):
            raise ValueError(f"Debate phases must be a non-empty list of (name, instruction) "
                             f"pairs of texts, got {phases!r}")
        ratings = list(ratings)
        bad = [r for r in ratings if not isinstance(r, Rating)]
        if bad:
            raise TypeError(f"Debate ratings must be socialkit.env.Rating, got "
                            f"{type(bad[0]).__name__}")
        names = [r.name for r in ratings]
        if len(set(names)) != len(names):
            raise ValueError(f"Debate ratings need distinct names, got {names}")
        if context is not None and not callable(context):
            raise TypeError(f"Debate context must be a function (sim, agent, debate, role) or "
                            f"None, got {type(context).__name__}")
        if not _is_int(max_words) or max_words < 1:
            raise ValueError(f"Debate max_words must be a positive integer, got {max_words!r}")
        if not isinstance(remember, bool):
            raise TypeError(f"Debate remember must be True or False, got {remember!r}")
        self.phases = [tuple(p) for p in phases]
        self.ratings, self.context, self.max_words = ratings, context, max_words
        self.remember = remember
        most = max(len(d["members"]) for d in self.debates)
        self.talk = Dialogue(None, max_turns=len(self.phases) * most, leave=False,
                             prompt=self._prompt, context=self._context,
                             max_words=max_words, history=len(self.phases) * most,
                             remember=remember)
        self.counts = {"debates": 0, "ratings": 0, "missing": 0}

    @staticmethod
    def _debate(d: Any, i: int) -> dict[str, Any]:
        where = f"Debate debates[{i}]"
        if not isinstance(d, Mapping):
            raise TypeError(f"{where} must be a dict, got {type(d).__name__}")
        unknown = sorted(set(d) - {"members", "roles", "sides", "proposition", "step", "info"})
        if unknown:
            raise ValueError(f"{where} has unknown keys {unknown}")
        members = check_groups([d.get("members", ())], where)[0]
        prop = d.get("proposition")
        if not isinstance(prop, str) or not prop.strip():
            raise ValueError(f"{where} needs a proposition (a non-empty text), got {prop!r}")
        roles = list(d.get("roles") or [chr(ord("a") + k) for k in range(len(members))])
        if len(roles) != len(members) or len(set(roles)) != len(roles) or not all(
                isinstance(r, str) and r for r in roles):
            raise ValueError(f"{where}: roles must be distinct names, one per member, got "
                             f"{roles!r}")
        sides = d.get("sides")
        if sides is not None:
            sides = list(sides)
            if len(sides) != len(members) or any(s not in _SIDES for s in sides):
                raise ValueError(f"{where}: sides must be 'pro' or 'con', one per member, got "
                                 f"{sides!r}")
        step = d.get("step", 1)
        if not _is_int(step) or step < 1:
            raise ValueError(f"{where}: step must be an integer >= 1, got {step!r}")
        info = d.get("info") or {}
        if not isinstance(info, Mapping):
            raise TypeError(f"{where}: info must be a dict, got {type(info).__name__}")
        return {"members": members, "roles": roles, "sides": sides,
                "proposition": prop.strip(), "step": int(step), "info": dict(info)}

    def spec(self) -> dict[str, Any]:
        from socialkit.agents._policies import _fn_id

        return {"name": self.name, "debates": self.debates, "phases": self.phases,
                "ratings": [r.spec() for r in self.ratings],
                "context": None if self.context is None else _fn_id(self.context),
                "max_words": self.max_words, "remember": self.remember}

    def check(self, sim: Any) -> None:
        for i, d in enumerate(self.debates):
            sim.agents.positions(d["members"], f"Debate debates[{i}] members")
        roles = {r for d in self.debates for r in d["roles"]}
        for r in self.ratings:
            if r.who is not None and r.who not in roles:
                raise ValueError(f"Rating {r.name}: who={r.who!r} is not a role of the debates; "
                                 f"roles: {sorted(roles)}")
        self.talk.check(sim)

    def setup(self, sim: Any) -> None:
        self.talk.setup(sim)

    def state(self) -> dict[str, Any]:
        return {"talk": self.talk.state(), "counts": dict(self.counts)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.talk.load_state(state.get("talk", {}))
        self.counts = dict(state.get("counts", self.counts))

    def measures(self, sim: Any) -> dict[str, float]:
        """Per step: ``debate.debates`` held, ``debate.ratings`` answered, ``debate.missing``
        ratings, and the dialogue's measures."""
        out = self.talk.measures(sim)
        out.update({f"debate.{k}": float(v) for k, v in self.counts.items()})
        return out

    # ---- prompts -----------------------------------------------------------------------------
    def _where(self, conv: Conversation, speaker: int) -> tuple[dict, str, str | None]:
        d = self.debates[conv.info["debate"]]
        k = d["members"].index(speaker)
        return d, d["roles"][k], None if d["sides"] is None else d["sides"][k]

    def _prompt(self, conv: Conversation, speaker: int) -> str:
        d, _, side = self._where(conv, speaker)
        phase = self.phases[min(len(conv.lines) // len(d["members"]), len(self.phases) - 1)]
        side_text, verdict = _SIDES.get(side or "", ("about", "judged"))
        return (phase[1].replace("{side}", side_text).replace("{verdict}", verdict)
                .replace("{proposition}", d["proposition"].rstrip(".")).replace("{phase}",
                                                                                phase[0]))

    def _context(self, sim: Any, agent: int, conv: Conversation) -> str | None:
        d, role, side = self._where(conv, agent)
        if self.context is not None:
            return self.context(sim, agent, d, role)
        if side is None:
            return f"You are debating the proposition: {d['proposition']}"
        return f"You argue {_SIDES[side][0]} the proposition: {d['proposition']}"

    # ---- the step ----------------------------------------------------------------------------
    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        step = sim.t + 1
        now = [(i, d) for i, d in enumerate(self.debates) if d["step"] == step]
        self.counts = dict.fromkeys(self.counts, 0)
        if not now:
            return []
        events: list[dict] = []
        self._rate(sim, now, "before", {}, events)
        groups = [{"members": d["members"], "info": {"debate": i},
                   "names": [r.replace("_", " ").capitalize() for r in d["roles"]]}
                  for i, d in now]
        events += self.talk.converse(sim, groups, purpose="debate")
        convs = {c.info["debate"]: c for c in self.talk.last}
        self._rate(sim, now, "after", convs, events)
        for i, d in now:
            c = convs[i]
            self.counts["debates"] += 1
            events.append({"agent": d["members"][0], "action": "debate",
                           "text": d["proposition"],
                           "data": {"debate": i, "members": d["members"], "roles": d["roles"],
                                    "sides": d["sides"], "info": d["info"],
                                    "conversation": c.id, "turns": len(c.lines),
                                    "ended_by": c.ended_by}})
        return events

    def _rate(self, sim: Any, now: list, when: str, convs: dict, events: list) -> None:
        for r in self.ratings:
            if when not in r.when:
                continue
            ids, obs, menus, where = [], [], [], []
            for i, d in now:
                for agent, role in zip(d["members"], d["roles"], strict=True):
                    if r.who is not None and role != r.who:
                        continue
                    ids.append(agent)
                    where.append(i)
                    menus.append(r.menu(d["proposition"]))
                    if when == "after" and i in convs:
                        c = convs[i]
                        said = "\n".join(f"{'You' if a == agent else c.name(a)}: {t}"
                                         for a, t in c.lines)
                        obs.append(f"You have just debated the proposition "
                                   f"\"{d['proposition'].rstrip('.')}\":\n{said}")
                    else:
                        obs.append("")
            if not ids:
                continue
            got = sim.decide(ids, obs, menus, purpose=f"rate:{r.name}:{when}")
            for agent, i, row in zip(ids, where, got.itertuples(index=False), strict=True):
                if row.action is None:
                    self.counts["missing"] += 1
                    events.append({"agent": agent, "action": "missing",
                                   "text": f"{r.name} ({when}): {row.reason}",
                                   "data": {"debate": i, "rating": r.name, "when": when}})
                    continue
                self.counts["ratings"] += 1
                value = row.args["answer"]
                events.append({"agent": agent, "action": "rating", "text": str(value),
                               "data": {"debate": i, "rating": r.name, "when": when,
                                        "value": value}})


def debates(run: Any) -> pd.DataFrame:
    """One row per debater of every debate of a run: ``debate``, ``agent``, ``role``, ``side``,
    ``proposition``, ``conversation``, ``turns``, ``ended_by``, the debate's ``info`` fields,
    and ``<rating>_<when>`` for every rating answered (NaN when missing). Raters only, when the
    debates have ratings; every debater otherwise.

    Parameters
    ----------
    run : socialkit.Run
        A run of a :class:`Debate` environment.
    """
    ev = getattr(run, "events", None)
    if not isinstance(ev, pd.DataFrame):
        raise TypeError(f"debates needs a socialkit.Run, got {type(run).__name__}")
    rates: dict[tuple[int, int], dict[str, Any]] = {}
    names: list[str] = []
    for agent, data in zip(ev.loc[ev["action"].isin(["rating", "missing"]), "agent"],
                           ev.loc[ev["action"].isin(["rating", "missing"]), "data"],
                           strict=True):
        d = json.loads(data) if isinstance(data, str) else {}
        if "rating" not in d or "debate" not in d:
            continue
        col = f"{d['rating']}_{d['when']}"
        if col not in names:
            names.append(col)
        rates.setdefault((d["debate"], int(agent)), {})[col] = d.get("value")
    rows = []
    heads = ev[ev["action"] == "debate"]
    for step, prop, data in zip(heads["step"], heads["text"], heads["data"], strict=True):
        d = json.loads(data)
        for k, agent in enumerate(d["members"]):
            if names and (d["debate"], agent) not in rates:
                continue
            row = {"debate": d["debate"], "step": int(step), "agent": agent,
                   "role": d["roles"][k], "side": None if d["sides"] is None
                   else d["sides"][k], "proposition": prop, "conversation": d["conversation"],
                   "turns": d["turns"], "ended_by": d["ended_by"], **d["info"]}
            for col in names:
                v = rates.get((d["debate"], agent), {}).get(col)
                row[col] = float(v) if isinstance(v, int | float) else v
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=["debate", "step", "agent", "role", "side", "proposition",
                                     "conversation", "turns", "ended_by", *names])
    return out
