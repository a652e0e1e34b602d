"""A shared, regrowing resource (GovSim): concurrent harvests, collapse, a discussion after each
month, universalization, a greedy newcomer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt
from socialkit.env._base import Environment
from socialkit.env._framing import Framing

__all__ = ["Commons", "NAMES", "sustainable_share"]

NAMES = ["John", "Kate", "Jack", "Emma", "Luke", "Mia", "Noah", "Olivia", "Liam", "Ava",
         "Ethan", "Sofia"]
"""Default agent names (GovSim's five first), used when the population has no ``name`` column."""

TALK_PROMPT = "What do you say to the others now? Speak in one or two sentences."


def sustainable_share(stock: float, n: int, regrowth: float = 2.0) -> int:
    """The largest whole harvest per person after which the stock regrows to where it was:
    ``floor(floor(stock * (1 - 1/regrowth)) / n)`` (GovSim's sustainability threshold; with
    doubling, half the stock shared by all).

    Examples
    --------
    >>> sustainable_share(100, 5), sustainable_share(100, 4), sustainable_share(37, 5)
    (10, 12, 3)
    """
    if n < 1:
        return 0
    return int(math.floor(math.floor(stock * (1 - 1 / regrowth) + 1e-9) / n))


class Commons(Environment):
    """GovSim's commons (Piatti et al., NeurIPS 2024): agents harvest from a shared stock that
    regrows each month, up to a capacity, and collapses when too little is left.

    A step is a month:

    1. every present agent sees the stock (and, with ``universalization=True``, the statement
       "if everyone harvests more than X ..., the stock will shrink", with X the
       :func:`sustainable_share` of the current stock) and last month's report and discussion,
       and chooses how much to harvest (one action, a whole number from 0 to the capacity);
    2. harvests are concurrent: when the requests exceed the stock, ``allocation="random"`` hands
       it out one unit at a time to a random agent among those still wanting (GovSim's
       default, drawn with the run's generator), ``"proportional"`` in proportion to the
       requests;
    3. the commons collapses when fewer than ``collapse_below`` units are left after the
       harvest; the run then ends (:meth:`done`) after this month's discussion;
    4. with ``discussion=True`` the mayor announces every agent's catch and the LLM agents talk,
       one utterance each in turn from a random first speaker, until the conversation holds
       ``utterances`` entries (the report included, as GovSim's 10 conversation steps); the
       transcript is what everyone sees next month. Without discussion (GovSim's "no
       communication") the report is still shown next month when ``report=True``;
    5. the stock left is multiplied by ``regrowth`` and capped at ``capacity``.

    A greedy newcomer (``newcomer=`` an agent id) takes no part before ``newcomer_month``; from
    then on it harvests with a greedy goal in its observation, and the others are told it
    arrived (GovSim's outsider perturbation: 4 villagers, a 5th from month 3).

    Events: ``catch`` per agent and month (``data``: ``wanted``, ``caught``, ``share``: the
    sustainable share that month, ``stock`` before the harvest), ``say`` per utterance (the
    mayor's report has agent -1), ``collapse``. Measures (``commons.*``): ``stock`` (at the
    start of the next month), ``before``, ``harvest``, ``after`` (the harvest's stock before and
    after), ``share``, ``overuse`` (share of requests above the sustainable share), ``agents``
    (present), ``collapsed``.

    Parameters
    ----------
    stock : float
        The stock at the start (GovSim: 100 tons).
    capacity : float, optional
        The most the stock regrows to (default: ``stock``).
    regrowth : float
        Factor the stock left is multiplied by each month (GovSim: 2, doubling).
    collapse_below : float
        Collapse when fewer than this many units are left after a harvest (GovSim: 5).
    framing : str, Framing or dict
        ``"fishery"``, ``"pasture"`` or ``"pollution"`` (:data:`socialkit.env.FRAMINGS`), or
        your own :class:`socialkit.env.Framing`.
    discussion, utterances, utterance_words
        The discussion after each month and its bounds.
    universalization : bool
        Add the universalization statement to every observation.
    report : bool
        Agents learn what everyone caught (when ``discussion=False``; with a discussion the
        mayor always reports).
    allocation : {"random", "proportional"}
    newcomer : int, optional
        The id of a greedy agent that joins at ``newcomer_month``.
    newcomer_month : int
    names : str, optional
        A population column with the agents' names (default: ``name`` when there is one, else
        :data:`NAMES`, else "Agent <id>").
    gain : str, optional
        A continuous state variable the environment keeps equal to each agent's total harvest.

    Examples
    --------
    >>> import numpy as np, pandas as pd, socialkit as sk
    >>> pop = sk.Population(pd.DataFrame({"agent": range(5), "weight": 1.0}))
    >>> share = sk.agents.RulePolicy(
    ...     lambda ctx: {"action": "fish",
    ...                  "tons": sk.env.sustainable_share(ctx.env.stock, 5)})
    >>> sim = sk.Simulation(pop, env=sk.env.Commons(discussion=False), policy=share,
    ...                     progress=False)
    >>> run = sim.run(12)
    >>> run.measures()["commons.stock"].tolist()[-1], float(sim.env.gains.sum())
    (100.0, 600.0)
    """

    name = "commons"

    def __init__(self, stock: float = 100.0, capacity: float | None = None,
                 regrowth: float = 2.0, collapse_below: float = 5.0,
                 framing: str | Framing | dict = "fishery", *, discussion: bool = True,
                 utterances: int = 10, utterance_words: int = 40,
                 universalization: bool = False, report: bool = True,
                 allocation: str = "random", newcomer: int | None = None,
                 newcomer_month: int = 3, names: str | None = None, gain: str | None = None):
        from socialkit.env._framing import framing as _framing

        def number(nm, v, low, open_low=False):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                    or v < low or (open_low and v == low):
                rel = ">" if open_low else ">="
                raise ValueError(f"Commons {nm} must be a finite number {rel} {fmt(low)}, "
                                 f"got {v!r}")
            return float(v)

        self.initial = number("stock", stock, 0, open_low=True)
        self.capacity = self.initial if capacity is None else number("capacity", capacity, 0,
                                                                    open_low=True)
        if self.initial > self.capacity:
            raise ValueError(f"Commons stock ({fmt(self.initial)}) exceeds the capacity "
                             f"({fmt(self.capacity)})")
        self.regrowth = number("regrowth", regrowth, 1, open_low=True)
        self.collapse_below = number("collapse_below", collapse_below, 0)
        self.framing = _framing(framing)
        for nm, v in (("discussion", discussion), ("universalization", universalization),
                      ("report", report)):
            if not isinstance(v, bool):
                raise TypeError(f"Commons {nm} must be True or False, got {v!r}")
        for nm, v, low in (("utterances", utterances, 1), ("utterance_words", utterance_words, 1),
                           ("newcomer_month", newcomer_month, 1)):
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
                raise ValueError(f"Commons {nm} must be an integer >= {low}, got {v!r}")
        if allocation not in ("random", "proportional"):
            raise ValueError(f"Commons allocation must be 'random' or 'proportional', got "
                             f"{allocation!r}")
        if newcomer is not None and (isinstance(newcomer, bool)
                                     or not isinstance(newcomer, int | np.integer)):
            raise TypeError(f"Commons newcomer must be an agent id (an integer), got "
                            f"{newcomer!r}")
        for nm, v in (("names", names), ("gain", gain)):
            if v is not None and not isinstance(v, str):
                raise TypeError(f"Commons {nm} must be a column / variable name, got {v!r}")
        self.discussion, self.utterances, self.utterance_words = (discussion, int(utterances),
                                                                  int(utterance_words))
        self.universalization, self.report, self.allocation = universalization, report, allocation
        self.newcomer = None if newcomer is None else int(newcomer)
        self.newcomer_month, self.names_column, self.gain_variable = (int(newcomer_month),
                                                                     names, gain)
        self._reset()

    def _reset(self) -> None:
        self.stock = self.initial
        self.month = 0
        self.collapsed_at: int | None = None
        self.gains: np.ndarray = np.zeros(0)
        self.last_report: list[str] = []
        self.last_talk: list[tuple[str, str]] = []
        self._last: dict[str, float] = {}
        self._names: list[str] = []
        self._menu = None

    # ---- configuration -------------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "stock": self.initial, "capacity": self.capacity,
                "regrowth": self.regrowth, "collapse_below": self.collapse_below,
                "framing": self.framing.spec(), "discussion": self.discussion,
                "utterances": self.utterances, "utterance_words": self.utterance_words,
                "universalization": self.universalization, "report": self.report,
                "allocation": self.allocation, "newcomer": self.newcomer,
                "newcomer_month": self.newcomer_month, "names": self.names_column,
                "gain": self.gain_variable}

    def check(self, sim: Any) -> None:
        agents = sim.agents
        df = agents.population.df
        if self.names_column is not None and self.names_column not in df.columns:
            raise ValueError(f"Commons names={self.names_column!r} is not a population column; "
                             f"columns: {agents.population.attributes}")
        if self.newcomer is not None and self.newcomer not in set(agents.ids.tolist()):
            raise ValueError(f"Commons newcomer={self.newcomer} is not an agent id of the "
                             f"population")
        if self.newcomer is not None and len(agents) < 2:
            raise ValueError("Commons newcomer needs at least one other agent")
        if self.gain_variable is not None:
            var = agents.variables.get(self.gain_variable)
            if var is None or var.kind != "continuous":
                raise ValueError(f"Commons gain={self.gain_variable!r} must be a continuous "
                                 f"state variable of the simulation; the state has "
                                 f"{list(agents.variables)}")

    def setup(self, sim: Any) -> None:
        self._reset()
        ids = sim.agents.ids
        self.gains = np.zeros(len(ids))
        df = sim.agents.population.df
        col = self.names_column or ("name" if "name" in df.columns else None)
        if col is not None:
            self._names = [str(x) for x in df[col]]
        elif len(ids) <= len(NAMES):
            self._names = NAMES[:len(ids)]
        else:
            self._names = [f"Agent {int(a)}" for a in ids]
        if self.gain_variable is not None:
            sim.agents.values[self.gain_variable][:] = 0.0

    def state(self) -> dict[str, Any]:
        return {"stock": self.stock, "month": self.month, "collapsed_at": self.collapsed_at,
                "gains": self.gains.tolist(), "last_report": list(self.last_report),
                "last_talk": [list(x) for x in self.last_talk], "last": dict(self._last)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.stock, self.month = float(state["stock"]), int(state["month"])
        self.collapsed_at = state["collapsed_at"]
        self.gains = np.asarray(state["gains"], dtype=np.float64)
        self.last_report = list(state["last_report"])
        self.last_talk = [(str(a), str(b)) for a, b in state["last_talk"]]
        self._last = dict(state["last"])

    # ---- who is here -----------------------------------------------------------------------------
    def present(self, sim: Any, ids: Sequence[int], month: int | None = None) -> np.ndarray:
        """Which of ``ids`` take part in ``month`` (default: the coming one)."""
        month = self.month + 1 if month is None else month
        ids = np.asarray(ids, dtype=np.int64)
        if self.newcomer is None or month >= self.newcomer_month:
            return np.ones(len(ids), dtype=bool)
        return ids != self.newcomer

    def _n_present(self, sim: Any, month: int) -> int:
        return int(self.present(sim, sim.agents.ids, month).sum())

    def share(self, sim: Any) -> int:
        """The sustainable share per present agent this month."""
        return sustainable_share(self.stock, self._n_present(sim, self.month + 1), self.regrowth)

    def done(self, sim: Any) -> bool:
        return self.collapsed_at is not None

    # ---- what agents see and may do --------------------------------------------------------------
    def _growth(self) -> str:
        return "double" if self.regrowth == 2 else f"grow by a factor of {fmt(self.regrowth)}"

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        f, month = self.framing, self.month + 1
        here = self.present(sim, ids, month)
        pos = sim.agents.positions(ids)
        n = self._n_present(sim, month)
        here_all = self.present(sim, sim.agents.ids, month)
        others_base = [nm for nm, ok in zip(self._names, here_all.tolist(), strict=True) if ok]
        common = [f"It is month {month}."]
        if self.newcomer is not None and month == self.newcomer_month:
            npos = int(sim.agents.positions([self.newcomer])[0])
            joined = f.joined.format(name=self._names[npos])
        else:
            joined = ""
        if self.last_talk:
            common.append("Last month's meeting:\n" + "\n".join(f"{who}: {said}"
                                                                for who, said in self.last_talk))
        elif self.last_report:
            common.append("Last month: " + " ".join(self.last_report))
        common.append(f.stock.format(stock=fmt(self.stock)))
        if self.universalization:
            common.append(f.universalization.format(
                share=sustainable_share(self.stock, n, self.regrowth)))
        out = []
        for a, p, ok in zip(ids.tolist(), pos.tolist(), here.tolist(), strict=True):
            if not ok:
                out.append("")
                continue
            others = [x for x in others_base if x != self._names[p]]
            intro = f.intro.format(name=self._names[p], others=_join(others),
                                   capacity=fmt(self.capacity), growth=self._growth(),
                                   collapse=fmt(self.collapse_below))
            parts = [intro]
            if a == self.newcomer:
                parts.append(f.newcomer)
            elif joined:
                parts.append(joined)
            parts += common
            parts.append(f"So far you have harvested {fmt(self.gains[p])} {f.unit} in total.")
            out.append("\n".join(parts))
        return out

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        from socialkit.agents import Action, ActionMenu, Number

        f = self.framing
        if self._menu is None:  # up to the capacity: one may want more than is left
            top = max(1, int(math.floor(self.capacity + 1e-9)))
            self._menu = ActionMenu([Action(f.action, f.description,
                                            **{f.unit: Number(0, top, integer=True)})],
                                    text=f.question, name="harvest")
        menu = self._menu
        here = self.present(sim, ids)
        return [menu if ok else None for ok in here.tolist()]

    # ---- the month -----------------------------------------------------------------------------
    def _allocate(self, sim: Any, wanted: np.ndarray) -> np.ndarray:
        total, available = float(wanted.sum()), float(self.stock)
        if total <= available:
            return wanted.astype(np.float64)
        if self.allocation == "proportional":
            return wanted * (available / total)
        got = np.zeros(len(wanted))
        left = wanted.astype(np.float64).copy()
        units = int(math.floor(available + 1e-9))
        for _ in range(units):
            want = np.flatnonzero(left > 0)
            if not len(want):
                break
            i = want[int(sim.rng.integers(len(want)))]
            got[i] += 1
            left[i] -= 1
        return got

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        f = self.framing
        month = self.month + 1
        agents = decisions["agent"].to_numpy(dtype=np.int64)
        pos = sim.agents.positions(agents)
        here = self.present(sim, agents, month)
        share = sustainable_share(self.stock, int(here.sum()), self.regrowth)
        wanted = np.array([float((args or {}).get(f.unit, 0)) if act == f.action else 0.0
                           for act, args in zip(decisions["action"], decisions["args"],
                                                strict=True)])
        wanted[~here] = 0.0
        before = self.stock
        got = self._allocate(sim, wanted)
        self.stock = max(0.0, before - float(got.sum()))
        self.gains[pos] += got
        if self.gain_variable is not None:
            sim.agents.values[self.gain_variable][pos] = self.gains[pos]
        events: list[dict] = []
        report = []
        for a, p, ok, w, g in zip(agents.tolist(), pos.tolist(), here.tolist(), wanted.tolist(),
                                  got.tolist(), strict=True):
            if not ok:
                continue
            events.append({"agent": a, "action": "catch", "text": None,
                           "data": {"wanted": w, "caught": g, "share": share, "stock": before}})
            report.append(f.caught.format(name=self._names[p], wanted=fmt(w), caught=fmt(g)))
        after = self.stock
        collapsed = after < self.collapse_below
        self.month = month
        self.last_report = report if (self.report or self.discussion) else []
        self.last_talk = []
        if self.discussion:
            events += self._discuss(sim, agents[here], report)
        if collapsed:
            self.collapsed_at = month
            events.append({"agent": -1, "action": "collapse",
                           "text": f.collapsed.format(collapse=fmt(self.collapse_below)),
                           "data": {"month": month, "stock": after}})
        self.stock = min(self.capacity, after * self.regrowth)
        over = float(np.mean(wanted[here] > share)) if here.any() else math.nan
        self._last = {"before": before, "harvest": float(got.sum()), "after": after,
                      "share": float(share), "overuse": over, "agents": float(here.sum())}
        return events

    def _discuss(self, sim: Any, ids: np.ndarray, report: list[str]) -> list[dict]:
        from socialkit.llm import FreeText
        from socialkit.llm.session import Request

        f = self.framing
        talk = [("Mayor", f"{f.report} " + " ".join(report))]
        events = [{"agent": -1, "action": "say", "text": talk[0][1],
                   "data": {"speaker": "Mayor", "turn": 0}}]
        q = FreeText(TALK_PROMPT, max_words=self.utterance_words, name="talk")
        speakers = [int(a) for a in ids.tolist()  # rule and scripted agents have no voice
                    if sim.agent_messages(int(a), [], q) is not None]
        if speakers:
            first = int(sim.rng.integers(len(speakers)))
            order = speakers[first:] + speakers[:first]
            step = sim.t + 1
            for turn in range(1, self.utterances):
                a = order[(turn - 1) % len(order)]
                p = int(sim.agents.positions([a])[0])
                me = self._names[p]
                parts = [f"It is the end of month {self.month}. The village meets to talk "
                         f"about the {f.name}. You are {me}.",
                         "The conversation so far:\n" + "\n".join(f"{w}: {s}" for w, s in talk)]
                msgs = sim.agent_messages(a, parts, q)
                out = sim.complete_many([Request(msgs, q, ["sim", step, a, f"talk{turn}"])])[0]
                if out.status == "missing":
                    events.append({"agent": a, "action": "say_missing", "text": out.reason,
                                   "data": {"turn": turn}})
                    continue
                said = " ".join(str(out.value).split())
                talk.append((me, said))
                events.append({"agent": a, "action": "say", "text": said,
                               "data": {"speaker": me, "turn": turn}})
        self.last_talk = talk
        return events

    def measures(self, sim: Any) -> dict[str, float]:
        out = {"commons.stock": self.stock,
               "commons.collapsed": float(self.collapsed_at is not None)}
        for k in ("before", "harvest", "after", "share", "overuse", "agents"):
            out[f"commons.{k}"] = self._last.get(k, math.nan)
        return out


def _join(names: list[str]) -> str:
    if not names:
        return "nobody else"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
