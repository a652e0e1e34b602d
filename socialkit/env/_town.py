"""A small town in hourly steps (Generative Agents): places, daily plans, moving, conversations
between agents who meet, an event whose news spreads, and end-of-day interviews."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socialkit.agents._actions import Action, ActionMenu, OneOf
from socialkit.env._base import Environment
from socialkit.env._dialogue import Dialogue
from socialkit.env._pairing import _is_int, check_groups, names_and

__all__ = ["Town", "TownEvent", "PLAN_PROMPT", "GO_PROMPT"]

PLAN_PROMPT = ("Plan your day: where will you be at each hour? Answer with one place for each "
               "hour ({first} is {first_time}, and so on).")
GO_PROMPT = "Where do you go now, for the next hour?"
HOME = "home"


@dataclass
class TownEvent:
    """An event whose news may spread: who hosts it, where and when it happens, the words that
    mention it, and the yes/no question of the end-of-day interview.

    Examples
    --------
    >>> e = TownEvent("Valentine's Day party", "Hobbs Cafe", day=2, hours=(17, 18), host=0)
    >>> e.mentions("Come to my party tomorrow!"), e.mentions("See you at the cafe.")
    (True, False)
    """

    name: str
    place: str
    day: int
    hours: tuple[int, ...]
    host: int
    keywords: tuple[str, ...] = ("party", "valentine")
    question: str = "Do you know about a Valentine's Day party in town?"

    def __post_init__(self) -> None:
        for nm in ("name", "place", "question"):
            v = getattr(self, nm)
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"TownEvent {nm} must be a non-empty text, got {v!r}")
        if not _is_int(self.day) or self.day < 1:
            raise ValueError(f"TownEvent day must be an integer >= 1, got {self.day!r}")
        hours = tuple(self.hours)
        if not hours or not all(_is_int(h) and 0 <= h <= 23 for h in hours):
            raise ValueError(f"TownEvent hours must be hours 0-23, got {self.hours!r}")
        if not _is_int(self.host):
            raise TypeError(f"TownEvent host must be an agent id, got {self.host!r}")
        kw = (self.keywords,) if isinstance(self.keywords, str) else tuple(self.keywords)
        if not kw or not all(isinstance(k, str) and k.strip() for k in kw):
            raise ValueError(f"TownEvent keywords must be non-empty words, got "
                             f"{self.keywords!r}")
        self.hours, self.keywords = hours, kw
        self._re = re.compile("|".join(rf"\b{re.escape(k.lower())}" for k in kw))

    def mentions(self, text: Any) -> bool:
        return bool(self._re.search(str(text).lower()))

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "place": self.place, "day": self.day,
                "hours": list(self.hours), "host": self.host, "keywords": list(self.keywords),
                "question": self.question}


def _clock(hour: int) -> str:
    return f"{(hour - 1) % 12 + 1}:00 {'am' if hour < 12 else 'pm'}"


class Town(Environment):
    """A town of places in hourly steps, after Park et al. (2023).

    Days run from ``day_start`` to ``day_end`` o'clock, one step per hour. Where agents are is
    the categorical state variable ``place`` (one category per place: the public places and
    every home). Each step:

    1. with ``planning``, at the first hour every active agent plans its day: one place (its
       home or a public place) for each hour, in one typed reply (a sub-round; the
       never-guessing menu parser and grammar apply); without, every hour each agent chooses
       where to go in the step's own round;
    2. agents move (an event ``move`` when the place changes); a missing plan keeps them where
       they are;
    3. agents at the same place talk (a :class:`Dialogue` with co-location pairing; each pair
       with probability ``p_talk``); every conversation is a tie of the relationship network;
    4. an agent hearing a line that mentions the ``event`` (its keywords) for the first time
       becomes *informed* and, with ``replan``, plans the rest of its day again;
    5. at the last hour of a day every agent is interviewed about the event (yes / no; event
       ``interview``): a "yes" from an agent that never heard of it is a *hallucinated* claim.

    What agents see each hour: the time and date, where they are, who else is there, and
    their plan for the hour; the simulation's memory (with ``remember``) keeps it, with
    every line heard.

    Parameters
    ----------
    places : dict of name -> description
        The public places (a café, a college, a park, shops, ...).
    homes : dict of agent id -> home name, or a population column
        Each agent's home (homes may be shared).
    day_start, day_end : int
        The first and last hour of a day (0-23).
    start_date : datetime.date
        The first day.
    planning, replan : bool
        Daily plans (else hourly choices), and replanning on hearing of the event.
    p_talk, max_turns, max_words, leave
        The conversations (see :class:`Dialogue`).
    event : TownEvent, optional
        The event whose news is followed (informed agents, interviews, attendance).
    ties : iterable of (agent, agent), optional
        Relationships before the first day (who knows whom).

    Examples
    --------
    >>> import socialkit as sk
    >>> from socialkit.agents import Categorical, ScriptedPolicy
    >>> town = sk.env.Town({"Cafe": "a café"}, {0: "Home A", 1: "Home B"}, day_start=9,
    ...                    day_end=10, p_talk=1.0, max_turns=2,
    ...                    event=sk.env.TownEvent("party", "Cafe", 1, (10,), host=0))
    >>> def agent(a, obs, state, menu, purpose):
    ...     if menu is None:
    ...         return {}
    ...     if "plan" in menu.actions:                       # a plan (or a replan)
    ...         return {"action": "plan", **dict.fromkeys(menu.actions["plan"].args, "Cafe")}
    ...     if purpose.startswith("interview"):
    ...         return {"action": "interview", "answer": "yes"}
    ...     return {"action": "say", "text": "Come to my party!" if a == 0 else "Sure."}
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
    >>> sim = sk.Simulation(pop, env=town, policy=ScriptedPolicy(agent), progress=False,
    ...                     state={"place": town.variable()})
    >>> run = sim.run(steps=2)
    >>> run.trajectory.query("variable == 'place'")["value"].tolist()   # 2 = Cafe
    [0.0, 1.0, 2.0, 2.0, 2.0, 2.0]
    >>> m = run.measures()
    >>> m[["town.informed", "town.density", "town.aware", "town.at_event"]].iloc[-1].tolist()
    [2.0, 1.0, 2.0, 2.0]
    """

    name = "town"

    def __init__(self, places: Mapping[str, str], homes: Mapping[int, str] | str, *,
                 day_start: int = 7, day_end: int = 22,
                 start_date: dt.date = dt.date(2023, 2, 13), planning: bool = True,
                 replan: bool = True, p_talk: float = 0.5, max_turns: int = 4,
                 max_words: int = 30, leave: bool = True, event: TownEvent | None = None,
                 ties: Iterable[Sequence[int]] = ()):
        if not isinstance(places, Mapping) or not places:
            raise TypeError(f"Town places must be a non-empty dict of name -> description, got "
                            f"{type(places).__name__}")
        for k, v in places.items():
            if not isinstance(k, str) or not k.strip() or not isinstance(v, str):
                raise ValueError(f"Town places: {k!r}: names and descriptions must be texts")
            if k.strip().lower() == HOME:
                raise ValueError("Town places: 'home' is reserved (each agent's own home)")
        if isinstance(homes, str):
            pass
        elif isinstance(homes, Mapping):
            bad = [(a, h) for a, h in homes.items()
                   if not _is_int(a) or not isinstance(h, str) or not h.strip()]
            if bad:
                raise ValueError(f"Town homes must map agent ids to home names, got {bad[:3]}")
            homes = {int(a): h for a, h in homes.items()}
        else:
            raise TypeError(f"Town homes must be a dict of agent -> home or a population "
                            f"column, got {type(homes).__name__}")
        for nm, v in (("day_start", day_start), ("day_end", day_end)):
            if not _is_int(v) or not 0 <= v <= 23:
                raise ValueError(f"Town {nm} must be an hour 0-23, got {v!r}")
        if day_end < day_start:
            raise ValueError(f"Town day_end ({day_end}) is before day_start ({day_start})")
        if not isinstance(start_date, dt.date):
            raise TypeError(f"Town start_date must be a datetime.date, got {start_date!r}")
        for nm, v in (("planning", planning), ("replan", replan)):
            if not isinstance(v, bool):
                raise TypeError(f"Town {nm} must be True or False, got {v!r}")
        if event is not None and not isinstance(event, TownEvent):
            raise TypeError(f"Town event must be a socialkit.env.TownEvent, got "
                            f"{type(event).__name__}")
        if event is not None and event.place not in places:
            raise ValueError(f"Town event place {event.place!r} is not one of the places "
                             f"{list(places)}")
        self.ties = {tuple(sorted(check_groups([t], "Town ties")[0])) for t in ties}
        if any(len(t) != 2 for t in self.ties):
            raise ValueError("Town ties must be pairs of agent ids")
        self.places, self.homes = dict(places), homes
        self.day_start, self.day_end, self.start_date = day_start, day_end, start_date
        self.planning, self.replan, self.event = planning, replan, event
        self.talk = Dialogue("location", location="place", p_talk=p_talk,
                             max_turns=max_turns, max_words=max_words, leave=leave,
                             context=self._context)
        self._given_ties = sorted(self.ties)
        self.plans: dict[int, dict[int, str]] = {}
        self.informed: dict[int, int] = {}
        self.counts: dict[str, float] = {}
        self._home: dict[int, str] = {}

    # ---- time --------------------------------------------------------------------------------
    @property
    def hours_per_day(self) -> int:
        return self.day_end - self.day_start + 1

    def when(self, step: int) -> tuple[int, int]:
        """``(day, hour)`` of a step (1-based steps and days)."""
        return (step - 1) // self.hours_per_day + 1, self.day_start + (step - 1) % \
            self.hours_per_day

    def date(self, day: int) -> str:
        d = self.start_date + dt.timedelta(days=day - 1)
        return f"{d.strftime('%A, %B')} {d.day}, {d.year}"

    # ---- set-up ------------------------------------------------------------------------------
    def home_names(self, population: Any) -> list[str]:
        """Every agent's home, in population order."""
        df = population.df
        if isinstance(self.homes, str):
            if self.homes not in df.columns:
                raise ValueError(f"Town homes={self.homes!r} is not a population column; "
                                 f"columns: {population.attributes}")
            return [str(h) for h in df[self.homes]]
        missing = [a for a in df["agent"].tolist() if a not in self.homes]
        if missing:
            raise ValueError(f"Town homes: no home for agent(s) {missing[:5]}")
        return [self.homes[a] for a in df["agent"].tolist()]

    def variable(self, population: Any = None):
        """The ``place`` state variable: a Categorical of every home and public place,
        starting at home (with ``population``; from a dict of homes without it)."""
        from socialkit.agents import Categorical

        if population is None:
            if isinstance(self.homes, str):
                raise ValueError("Town.variable needs the population when homes is a column")
            homes = list(self.homes.values())
            initial = pd.Series(self.homes)
        else:
            homes = self.home_names(population)
            initial = pd.Series(homes, index=population.df["agent"].tolist())
        clash = sorted(set(homes) & set(self.places))
        if clash:
            raise ValueError(f"Town: {clash} are both homes and public places")
        return Categorical(list(dict.fromkeys(homes)) + list(self.places), initial=initial,
                           doc="where the agent is")

    def check(self, sim: Any) -> None:
        var = sim.agents.variables.get("place")
        if var is None or var.kind != "categorical":
            raise ValueError("Town needs a categorical state variable 'place' "
                             "(state={'place': town.variable(population)})")
        homes = self.home_names(sim.agents.population)
        lacking = [p for p in [*self.places, *homes] if p not in var.categories]
        if lacking:
            raise ValueError(f"Town: the state variable 'place' lacks the places {lacking[:5]}")
        for t in self.ties:
            sim.agents.positions(list(t), "Town ties")
        if self.event is not None:
            sim.agents.positions([self.event.host], "Town event host")
            hours = range(self.day_start, self.day_end + 1)
            if not set(self.event.hours) <= set(hours):
                raise ValueError(f"Town event hours {list(self.event.hours)} fall outside the "
                                 f"day ({self.day_start}-{self.day_end})")
        self.talk.check(sim)
        self._home = dict(zip(sim.agents.ids.tolist(), homes, strict=True))

    def setup(self, sim: Any) -> None:
        self._home = dict(zip(sim.agents.ids.tolist(), self.home_names(sim.agents.population),
                              strict=True))
        self.talk.setup(sim)
        if self.event is not None:
            self.informed.setdefault(self.event.host, 0)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "places": self.places,
                "homes": self.homes if isinstance(self.homes, str)
                else {str(k): v for k, v in self.homes.items()},
                "day_start": self.day_start, "day_end": self.day_end,
                "start_date": self.start_date.isoformat(), "planning": self.planning,
                "replan": self.replan, "talk": self.talk.spec(),
                "event": None if self.event is None else self.event.spec(),
                "ties": [list(t) for t in self._given_ties]}

    def state(self) -> dict[str, Any]:
        return {"plans": {a: dict(p) for a, p in self.plans.items()},
                "informed": dict(self.informed), "ties": sorted(self.ties),
                "talk": self.talk.state()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.plans = {int(a): {int(h): p for h, p in v.items()}
                      for a, v in state.get("plans", {}).items()}
        self.informed = {int(a): int(s) for a, s in state.get("informed", {}).items()}
        self.ties = {tuple(t) for t in state.get("ties", [])}
        self.talk.load_state(state.get("talk", {}))

    # ---- what agents see and may do ----------------------------------------------------------
    def _where(self, sim: Any, ids: Any) -> list[str]:
        var = sim.agents.variables["place"]
        return [var.text(v) for v in sim.agents.get("place", ids)]

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        day, hour = self.when(sim.t + 1)
        here = self._where(sim, ids)
        names = self.talk._names or {}
        everyone = sim.agents.ids.tolist()
        at = dict(zip(everyone, self._where(sim, everyone), strict=True))
        out = []
        for a, p in zip(ids.tolist(), here, strict=True):
            place = "home" if p == self._home.get(a) else p
            text = f"It is {_clock(hour)} on {self.date(day)}. You are at {place}."
            others = [names.get(b, f"Agent {b}") for b in everyone if b != a and at[b] == p]
            if others:
                text += f" Also here: {names_and(others)}."
            planned = self.plans.get(a, {}).get(hour)
            if self.planning and planned is not None:
                text += f" Your plan for this hour: {planned}."
            out.append(text)
        return out

    def _options(self) -> list[str]:
        return [HOME, *self.places]

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        if self.planning:
            return None
        places = "; ".join(f"{k} ({v})" for k, v in self.places.items())
        return ActionMenu([Action("go", "go to a place", place=OneOf(self._options()))],
                          text=f"Places in town: {places}.\n{GO_PROMPT}", name="go")

    def _plan_menu(self, hours: list[int]) -> ActionMenu:
        args = {f"h{h:02d}": OneOf(self._options()) for h in hours}
        places = "; ".join(f"{k} ({v})" for k, v in self.places.items())
        text = (f"Places in town: {places}; or your home.\n"
                + PLAN_PROMPT.replace("{first}", f"h{hours[0]:02d}")
                .replace("{first_time}", _clock(hours[0])))
        return ActionMenu([Action("plan", "your plan", **args)], text=text, name="plan")

    def _context(self, sim: Any, agent: int, conv: Any) -> str:
        day, hour = self.when(sim.t + 1)
        p = self._where(sim, [agent])[0]
        place = "your home" if p == self._home.get(agent) else p
        return f"It is {_clock(hour)} on {self.date(day)}, at {place}."

    # ---- the hour ----------------------------------------------------------------------------
    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        step = sim.t + 1
        day, hour = self.when(step)
        ids = decisions["agent"].to_numpy(dtype=np.int64)
        events: list[dict] = []
        self.counts = {"conversations": 0.0, "moves": 0.0}
        if self.planning and hour == self.day_start and len(ids):
            self._plan(sim, ids.tolist(), day, list(range(hour, self.day_end + 1)), events,
                       "plan")
        goal = {}
        if self.planning:
            goal = {a: self.plans.get(a, {}).get(hour) for a in ids.tolist()}
        else:
            for a, act, args in zip(ids.tolist(), decisions["action"], decisions["args"],
                                    strict=True):
                goal[a] = args.get("place") if act == "go" else None
        self._move(sim, goal, day, hour, events)
        self.talk.counts = dict.fromkeys(self.talk.counts, 0)
        events += self.talk.converse(sim, self.talk.pair(sim, ids))
        self.counts["conversations"] = float(len(self.talk.last))
        fresh = self._spread(step)
        if self.replan and self.planning and hour < self.day_end and fresh:
            self._plan(sim, fresh, day, list(range(hour + 1, self.day_end + 1)), events,
                       "replan")
        self.counts.update(aware=np.nan, hallucinated=np.nan, missed=np.nan)
        if hour == self.day_end and self.event is not None:
            self._interview(sim, day, events)
        return events

    def _plan(self, sim: Any, agents: list[int], day: int, hours: list[int], events: list,
              kind: str) -> None:
        menu = self._plan_menu(hours)
        obs = self.observe(sim, np.asarray(agents, dtype=np.int64))
        got = sim.decide(agents, obs, menu, purpose=f"{kind}:{day}:{hours[0]}")
        for a, row in zip(agents, got.itertuples(index=False), strict=True):
            if row.action is None:
                events.append({"agent": a, "action": "missing", "text": f"{kind}: "
                               f"{row.reason}", "data": {"purpose": kind, "day": day}})
                continue
            plan = {int(k[1:]): v for k, v in row.args.items()}
            self.plans.setdefault(a, {}).update(plan)
            events.append({"agent": a, "action": kind, "text": "; ".join(
                f"{h}: {p}" for h, p in sorted(plan.items())),
                "data": {"day": day, "plan": {str(h): p for h, p in sorted(plan.items())}}})

    def _move(self, sim: Any, goal: dict, day: int, hour: int, events: list) -> None:
        movers, targets = [], []
        now = dict(zip(goal, self._where(sim, list(goal)), strict=True)) if goal else {}
        for a, g in goal.items():
            if g is None:
                continue
            target = self._home[a] if g == HOME else g
            if target != now[a]:
                movers.append(a)
                targets.append(target)
                events.append({"agent": a, "action": "move", "text": target,
                               "data": {"from": now[a], "to": target, "day": day,
                                        "hour": hour}})
        if movers:
            sim.agents.set("place", movers, targets)
        self.counts["moves"] = float(len(movers))

    def _spread(self, step: int) -> list[int]:
        fresh = []
        for c in self.talk.last:
            if c.lines:
                for i, a in enumerate(c.members):
                    for b in c.members[i + 1:]:
                        self.ties.add((min(a, b), max(a, b)))
            if self.event is None:
                continue
            for s, text in c.lines:
                if not self.event.mentions(text):
                    continue
                for m in c.members:
                    if m != s and m not in self.informed:
                        self.informed[m] = step
                        fresh.append(m)
        return sorted(set(fresh))

    def _interview(self, sim: Any, day: int, events: list) -> None:
        ids = sim.agents.ids.tolist()
        menu = ActionMenu([Action("interview", answer=OneOf(["yes", "no"]))],
                          text=f"An interviewer asks you: {self.event.question} Answer yes or "
                               "no.", name="interview")
        got = sim.decide(ids, [""] * len(ids), menu, purpose=f"interview:{day}")
        aware = halluc = missed = 0
        for a, row in zip(ids, got.itertuples(index=False), strict=True):
            knows = a in self.informed
            if row.action is None:
                events.append({"agent": a, "action": "missing", "text": f"interview: "
                               f"{row.reason}", "data": {"purpose": "interview", "day": day}})
                continue
            yes = row.args["answer"] == "yes"
            aware += yes
            halluc += yes and not knows
            missed += knows and not yes
            events.append({"agent": a, "action": "interview", "text": row.args["answer"],
                           "data": {"day": day, "question": self.event.question,
                                    "informed": knows}})
        self.counts.update(aware=float(aware), hallucinated=float(halluc),
                           missed=float(missed))

    def measures(self, sim: Any) -> dict[str, float]:
        """Per hour: ``town.day``, ``town.hour``, ``town.moves``, ``town.conversations``,
        ``town.density`` (relationship network: given ties and every pair that talked),
        ``town.informed`` (agents who heard of the event, with its host), ``town.at_event``
        (agents at the event's place during it), and at the day's last hour the interview:
        ``town.aware`` (said yes), ``town.hallucinated`` (said yes, never heard of it),
        ``town.missed`` (heard of it, said no); NaN at other hours."""
        day, hour = self.when(max(sim.t, 1))
        n = len(sim.agents)
        out = {"town.day": float(day), "town.hour": float(hour),
               "town.density": 2 * len(self.ties) / (n * (n - 1)) if n > 1 else np.nan,
               "town.informed": float(len(self.informed)), **{
                   f"town.{k}": v for k, v in self.counts.items()}}
        if self.event is not None:
            e = self.event
            now = day == e.day and hour in e.hours and sim.t > 0
            out["town.at_event"] = float(sum(p == e.place for p in self._where(
                sim, sim.agents.ids))) if now else 0.0
        return out
