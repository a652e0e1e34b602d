"""The game master: a language model resolves what agents attempt, in free text, into typed
effects on their state (Concordia's idea), for scenarios whose mechanics cannot be written as
code. Every call goes through the simulation's session: cached, counted, seeded, batched."""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt
from socialkit.agents._actions import Action, ActionMenu, Arg, Number, OneOf, Text, _check_name
from socialkit.env._base import Environment
from socialkit.llm.questions import Parsed

__all__ = ["GameMaster", "GM_SYSTEM", "ACT_PROMPT", "OUTCOME_PROMPT"]

GM_SYSTEM = ("You are the game master of a simulation. Characters tell you what they try to do; "
             "you decide what actually happens, following the rules of the world. Be impartial "
             "and realistic: attempts may succeed, partly succeed or fail, and they change a "
             "character's state only as the rules allow.\n\nRules of the world:\n{rules}")
"""The game master's system prompt; ``{rules}`` is replaced by the rules."""

ACT_PROMPT = "What do you try to do now?"
"""The question agents answer with their free-text attempt."""

OUTCOME_PROMPT = "What happens as a result of this attempt?"
"""The question the game master answers for each attempt."""

UNCHANGED = "unchanged"
_ACTION_LINE = re.compile(r"^\W*action\W*\s*[:=]", re.I | re.M)


class _Verdict(ActionMenu):
    """The game master's typed reply: one action ``outcome`` (the sentence, then one typed
    argument per effect), read by the never-guessing menu parser and constrained by its grammar;
    the ``action: outcome`` line may be left out (there is no other action)."""

    kind = "gm_verdict"

    def __init__(self, action: Action, lines: list[str], text: str):
        self._lines = lines
        super().__init__([action], text=text, name="gm")

    def instructions(self) -> str:
        return "\n".join(["Reply in exactly this format, one line each:", "action: outcome",
                          *self._lines])

    def parse(self, reply: Any) -> Parsed:
        got = super().parse(reply)
        text = "" if reply is None else str(reply).strip()
        if got.ok or not text or text.startswith("{") or _ACTION_LINE.search(text):
            return got
        return super().parse("action: outcome\n" + text)  # the only action


class GameMaster(Environment):
    """A game master: agents say what they try to do (one free-text action ``act``), and the
    language model decides what happens, as a sentence and typed effects on the actor's state.

    Each step, every ``act`` becomes one game-master prompt (the rules as system prompt; the
    scene; the actor's name, description and state; the attempt), all of a step sent in one
    concurrent batch through the simulation's session (cached, counted in its usage and budget,
    seeded by the draw keys ``["sim", step, agent, "gm"]``). The reply is read by a typed
    question: a single action ``outcome(what_happens, <variable>_change, <variable>, ...)``
    with :class:`~socialkit.agents.Text`, :class:`~socialkit.agents.Number` and
    :class:`~socialkit.agents.OneOf` arguments, so the menu's never-guessing parser, its re-asks
    and the llama.cpp grammar apply. Then:

    - a numeric change is added to the actor's variable and clipped to its range (``low`` to
      ``high`` of a :class:`~socialkit.agents.Continuous`, the levels of an
      :class:`~socialkit.agents.Ordinal`; an unknown value stays unknown); a categorical effect
      sets the category, or leaves it ``unchanged``;
    - the event ``outcome`` records it (``text``: the sentence; ``data``: the typed ``effects``
      and the values ``before`` and ``after``), and the sentence is what the actor observes from
      the next step on (until its next outcome);
    - a verdict still invalid after the session's re-asks changes nothing and is recorded as
      the event ``gm_missing`` with the reason.

    Parameters
    ----------
    rules : str
        The rules of the world, in words (what actions cost and earn, what is possible).
    effects : dict of variable name -> Number, OneOf, (low, high) or list of categories
        What a verdict may change. A :class:`~socialkit.agents.Number` (or a ``(low, high)``
        pair) is a change of a continuous or ordinal variable (whole levels:
        ``integer=True``); a :class:`~socialkit.agents.OneOf` (or a list) names the categories
        a categorical variable may be set to. Default: none (the outcome is words only).
    scene : str or callable, optional
        The situation, shown to the agents and the game master: a text, or ``fn(step)``
        returning one (add a ``sim`` parameter to receive the simulation).
    inner : Environment, optional
        An environment whose mechanics run as usual: its observation comes first, its menu
        gains ``act``, its ``resolve`` gets the other decisions (``act`` rows are passed with
        no action) before the game master resolves, and its measures are kept.
    prompt : str
        The question agents answer with their attempt.
    max_words : int
        Longest attempt.
    outcome_words : int
        Longest outcome sentence.
    describe : "persona" or list of str
        How the game master sees the actor: the persona in the third person, or these
        population attributes.
    names : str, optional
        A population column holding the agents' names (default: ``name`` when the population
        has one, else "Agent <id>").
    system : str
        The game master's system prompt; ``{rules}`` is replaced by the rules.

    Examples
    --------
    >>> import json, socialkit as sk
    >>> def model(messages):   # plays both the agents and the game master
    ...     if "game master" in messages[0]["content"]:
    ...         return "action: outcome\\nwhat_happens: You sell two loaves.\\nwealth_change: 4"
    ...     return "I sell bread at the market."
    >>> gm = sk.env.GameMaster("A loaf sells for 2 coins.", {"wealth": sk.agents.Number(-10, 10)})
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
    >>> sim = sk.Simulation(pop, env=gm, model=sk.llm.scripted(model), progress=False,
    ...                     state={"wealth": sk.agents.Continuous(0, 100, initial=98.0)})
    >>> run = sim.run(steps=1)
    >>> run.final("wealth").tolist()   # +4, clipped to the variable's high
    [100.0, 100.0]
    >>> run.events["action"].tolist()
    ['act', 'act', 'outcome', 'outcome']
    >>> data = json.loads(run.events["data"][2])
    >>> data["effects"], data["before"], data["after"]
    ({'wealth_change': 4.0}, {'wealth': 98.0}, {'wealth': 100.0})
    >>> gm.observe(sim, [0])[0]
    'On step 1 you tried: "I sell bread at the market."\\nWhat happened: You sell two loaves.'
    """

    name = "gamemaster"
    llm = True

    def __init__(self, rules: str, effects: Mapping[str, Any] | None = None, *,
                 scene: str | Callable[..., str] | None = None,
                 inner: Environment | None = None, prompt: str = ACT_PROMPT,
                 max_words: int = 30, outcome_words: int = 40,
                 describe: str | Sequence[str] = "persona", names: str | None = None,
                 system: str = GM_SYSTEM):
        if not isinstance(rules, str):
            raise TypeError(f"GameMaster rules must be a string (the rules in words), got "
                            f"{type(rules).__name__}")
        if not rules.strip():
            raise ValueError("GameMaster rules must not be empty")
        if effects is None:
            effects = {}
        if not isinstance(effects, Mapping):
            raise TypeError(f"GameMaster effects must be a dict of state variable -> Number, "
                            f"OneOf, (low, high) or list of categories; got "
                            f"{type(effects).__name__}")
        self.effects: dict[str, Arg] = {}
        for var, spec in effects.items():
            self.effects[self._check_var(var)] = self._effect(var, spec)
        if scene is not None and not isinstance(scene, str) and not callable(scene):
            raise TypeError(f"GameMaster scene must be a string, a function of the step or "
                            f"None, got {type(scene).__name__}")
        if inner is not None and not isinstance(inner, Environment):
            raise TypeError(f"GameMaster inner must be a socialkit.env.Environment, got "
                            f"{type(inner).__name__}")
        for nm, v in (("prompt", prompt), ("system", system)):
            if not isinstance(v, str):
                raise TypeError(f"GameMaster {nm} must be a string, got {type(v).__name__}")
            if not v.strip():
                raise ValueError(f"GameMaster {nm} must not be empty")
        if "{rules}" not in system:
            raise ValueError("GameMaster system must contain '{rules}'")
        for nm, v in (("max_words", max_words), ("outcome_words", outcome_words)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"GameMaster {nm} must be a positive integer, got {v!r}")
        if isinstance(describe, str):
            if describe != "persona":
                raise ValueError(f"GameMaster describe must be 'persona' or a list of "
                                 f"population attributes, got {describe!r}")
        elif isinstance(describe, Sequence) and describe and all(isinstance(c, str)
                                                                 for c in describe):
            describe = list(describe)
        else:
            raise TypeError(f"GameMaster describe must be 'persona' or a non-empty list of "
                            f"population attributes, got {describe!r}")
        if names is not None and not isinstance(names, str):
            raise TypeError(f"GameMaster names must be a population column name, got "
                            f"{type(names).__name__}")
        self.rules, self.scene, self.inner, self.prompt = rules.strip(), scene, inner, prompt
        self.max_words, self.outcome_words = max_words, outcome_words
        self.describe, self.names, self.system = describe, names, system
        self._scene_sim = callable(scene) and "sim" in _params(scene)
        self.told: dict[int, tuple[int, str, str]] = {}
        self.counts = {"attempts": 0, "resolved": 0, "missing": 0}
        self._bound = None  # (question, names, descriptions) once bound to a simulation
        self._menus: dict[int, tuple[ActionMenu, ActionMenu]] = {}
        self._scene_at: tuple[int, str] | None = None

    # ---- arguments ---------------------------------------------------------------------------
    @staticmethod
    def _check_var(var: Any) -> str:
        if not isinstance(var, str):
            raise TypeError(f"GameMaster effects keys must be state variable names, got {var!r}")
        try:
            return _check_name(var, "GameMaster effects: a variable name")
        except ValueError as err:
            raise ValueError(f"{err} (the game master names it in its reply)") from None

    @staticmethod
    def _effect(var: str, spec: Any) -> Arg:
        where = f"GameMaster effects[{var!r}]"
        if isinstance(spec, Number | OneOf):
            return spec
        if isinstance(spec, Text):
            raise TypeError(f"{where}: Text is not an effect (the outcome sentence is the game "
                            "master's text); give a Number change or a OneOf of categories")
        if isinstance(spec, tuple) and len(spec) == 2 and all(
                isinstance(x, int | float) and not isinstance(x, bool) for x in spec):
            try:
                return Number(spec[0], spec[1], integer=all(isinstance(x, int) for x in spec))
            except ValueError as err:
                raise ValueError(f"{where}: {err}") from None
        if isinstance(spec, Sequence) and not isinstance(spec, str) and spec and all(
                isinstance(x, str) for x in spec):
            try:
                return OneOf(spec)
            except ValueError as err:
                raise ValueError(f"{where}: {err}") from None
        raise TypeError(f"{where} must be a socialkit.agents Number (a change), a OneOf (the "
                        f"categories it may be set to), a (low, high) pair or a list of "
                        f"categories; got {spec!r}")

    def check(self, sim: Any) -> None:
        """Validate the effects, ``describe`` and ``names`` against the simulation."""
        self._bind(sim)
        if self.inner is not None:
            self.inner.check(sim)

    def _bind(self, sim: Any) -> None:
        agents = sim.agents
        lines, args = [f"what_happens: <what happens, told to the character in the second "
                       f"person (\"You ...\"): text of at most {self.outcome_words} words>"], {}
        args["what_happens"] = Text(self.outcome_words)
        for var, eff in self.effects.items():
            where = f"GameMaster effects[{var!r}]"
            if var not in agents.variables:
                raise ValueError(f"{where}: {var!r} is not a state variable of the simulation; "
                                 f"the state has {list(agents.variables)}")
            v = agents.variables[var]
            doc = f" ({v.doc})" if v.doc else ""
            if isinstance(eff, Number):
                if v.kind not in ("continuous", "ordinal"):
                    raise TypeError(f"{where}: a Number change needs a continuous or ordinal "
                                    f"variable, but {var!r} is {v.kind}: give a OneOf of its "
                                    f"categories")
                if v.kind == "ordinal" and not eff.integer:
                    raise TypeError(f"{where}: {var!r} is ordinal and moves by whole levels: "
                                    f"use Number({fmt(eff.low)}, {fmt(eff.high)}, "
                                    "integer=True)")
                arg = f"{var}_change"
                levels = " (in levels)" if v.kind == "ordinal" else ""
                lines.append(f"{arg}: <how much their {var.replace('_', ' ')}{doc} "
                             f"changes{levels}: {eff.describe()}; 0 for no change>")
                effect: Arg = eff
            else:
                if v.kind != "categorical":
                    raise TypeError(f"{where}: a OneOf sets a category, but {var!r} is {v.kind}: "
                                    "give a Number change")
                bad = [o for o in eff.options if o not in v.categories]
                if bad:
                    raise ValueError(f"{where}: {bad} are not categories of {var!r}; its "
                                     f"categories are {v.categories}")
                if UNCHANGED in v.categories:
                    raise ValueError(f"{where}: {var!r} has a category named {UNCHANGED!r}, "
                                     "which the game master uses for 'no change'")
                arg = var
                opts = OneOf([UNCHANGED, *eff.options])
                lines.append(f"{arg}: <their {var.replace('_', ' ')}{doc} afterwards: "
                             f"{opts.describe()}>")
                effect = opts
            if arg in args:
                raise ValueError(f"{where}: its reply field {arg!r} is also another effect's; "
                                 "rename one of the variables")
            args[arg] = effect
        question = _Verdict(Action("outcome", "what happens", **args), lines,
                            OUTCOME_PROMPT)
        df = agents.population.df
        if self.names is not None and self.names not in df.columns:
            raise ValueError(f"GameMaster names={self.names!r} is not a population column; "
                             f"columns: {agents.population.attributes}")
        col = self.names or ("name" if "name" in df.columns else None)
        names = ([str(x) for x in df[col]] if col is not None
                 else [f"Agent {int(a)}" for a in agents.ids])
        if self.describe == "persona":
            texts = [p.text for p in agents.population.personas(person="third")]
        else:
            bad = [c for c in self.describe if c not in df.columns]
            if bad:
                raise ValueError(f"GameMaster describe: {bad} are not population attributes; "
                                 f"attributes: {agents.population.attributes}")
            from socialkit.llm.ask import _render_rows

            texts = _render_rows(df, self.describe)
        self._bound = (question, names, texts)

    def spec(self) -> dict[str, Any]:
        from socialkit.agents._policies import _fn_id

        scene = self.scene if self.scene is None or isinstance(self.scene, str) \
            else _fn_id(self.scene)
        return {"name": self.name, "rules": self.rules,
                "effects": {v: e.spec() for v, e in self.effects.items()}, "scene": scene,
                "inner": None if self.inner is None else self.inner.spec(),
                "prompt": self.prompt, "max_words": self.max_words,
                "outcome_words": self.outcome_words, "describe": self.describe,
                "names": self.names, "system": self.system}

    def __repr__(self) -> str:
        inner = "" if self.inner is None else f" over {self.inner.name}"
        return f"<socialkit env gamemaster{inner}: effects on {list(self.effects)}>"

    # ---- state -------------------------------------------------------------------------------
    def setup(self, sim: Any) -> None:
        self._bind(sim)
        if self.inner is not None:
            self.inner.setup(sim)

    def state(self) -> dict[str, Any]:
        return {"told": {a: list(v) for a, v in self.told.items()}, "counts": dict(self.counts),
                "inner": None if self.inner is None else self.inner.state()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.told = {int(a): (int(v[0]), str(v[1]), str(v[2]))
                     for a, v in state.get("told", {}).items()}
        self.counts = dict(state.get("counts", self.counts))
        if self.inner is not None and state.get("inner") is not None:
            self.inner.load_state(state["inner"])

    # ---- what agents see and may do ----------------------------------------------------------
    def _scene(self, sim: Any) -> str:
        if self.scene is None:
            return ""
        if isinstance(self.scene, str):
            return self.scene.strip()
        step = sim.t + 1
        if self._scene_at is None or self._scene_at[0] != step:
            got = self.scene(step, sim=sim) if self._scene_sim else self.scene(step)
            if not isinstance(got, str):
                raise TypeError(f"GameMaster scene({step}) must return a string, got "
                                f"{type(got).__name__}")
            self._scene_at = (step, got.strip())
        return self._scene_at[1]

    def _told(self, sim: Any, agent: int) -> str:
        got = self.told.get(int(agent))
        if got is None:
            return ""
        step, attempt, outcome = got
        return f'On {sim.clock.label(step)} you tried: "{attempt}"\nWhat happened: {outcome}'

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        scene = self._scene(sim)
        inner = self.inner.observe(sim, ids) if self.inner is not None else [""] * len(ids)
        return ["\n\n".join(p for p in (scene, o, self._told(sim, a)) if p)
                for a, o in zip(ids, inner, strict=True)]

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        """Archetypes see the scene and the inner environment's coarse view (their own
        outcomes would set every agent apart)."""
        scene = self._scene(sim)
        inner = self.inner.observe_cell(sim, ids) if self.inner is not None \
            else [""] * len(ids)
        return ["\n\n".join(p for p in (scene, o) if p) for o in inner]

    def _act(self) -> Action:
        return Action("act", "one thing you try to do, in your own words",
                      text=Text(self.max_words))

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        own = ActionMenu([self._act()], text=self.prompt, name="act")
        if self.inner is None:
            return own
        menus = self.inner.actions(sim, ids)
        if menus is None:
            return own
        if isinstance(menus, ActionMenu):
            return self._with_act(menus)
        return [own if m is None else self._with_act(m) for m in menus]

    def _with_act(self, menu: ActionMenu) -> ActionMenu:
        got = self._menus.get(id(menu))
        if got is not None and got[0] is menu:
            return got[1]
        if "act" in menu.actions:
            raise ValueError(f"GameMaster: the inner environment {self.inner.name!r} already "
                             "offers an action named 'act'")
        combined = ActionMenu([*menu.actions.values(), self._act()], text=menu.text,
                              name=menu.name)
        if len(self._menus) > 64:
            self._menus.clear()
        self._menus[id(menu)] = (menu, combined)
        return combined

    # ---- resolving ---------------------------------------------------------------------------
    def _state_lines(self, sim: Any, pos: int) -> list[str]:
        out = []
        for name, var in sim.agents.variables.items():
            x = sim.agents.values[name][pos]
            text = var.text(x)
            if var.kind == "continuous":
                lo, hi = var.low, var.high
                rng = (f"from {fmt(lo)} to {fmt(hi)}" if math.isfinite(lo) and math.isfinite(hi)
                       else f"at least {fmt(lo)}" if math.isfinite(lo)
                       else f"at most {fmt(hi)}" if math.isfinite(hi) else "")
                text += f" ({rng})" if rng else ""
            elif var.kind == "ordinal":
                text += f" on a scale from 1 to {len(var.labels)}"
            elif var.kind == "categorical":
                text += f" (one of {', '.join(var.categories)})"
            out.append(f"- {name.replace('_', ' ')}: {text}")
        return out

    def messages(self, sim: Any, agent: int, attempt: str) -> list[dict[str, str]]:
        """The game master's prompt for one attempt."""
        if self._bound is None:
            self._bind(sim)
        question, names, texts = self._bound
        pos = int(sim.agents.positions([agent])[0])
        who = names[pos]
        parts = []
        scene = self._scene(sim)
        if scene:
            parts.append(f"The scene: {scene}")
        parts.append(f"The character: {who}." + (f" {texts[pos]}" if texts[pos] else ""))
        state = self._state_lines(sim, pos)
        if state:
            parts.append(f"{who}'s state now:\n" + "\n".join(state))
        parts.append(f'{who} tries to: "{attempt}"')
        parts.append(question.render())
        return [{"role": "system", "content": self.system.replace("{rules}", self.rules)},
                {"role": "user", "content": "\n\n".join(parts)}]

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        from socialkit.llm.session import Request

        if self._bound is None:
            self._bind(sim)
        step = sim.t + 1
        acts = ((decisions["action"] == "act") & (decisions["status"] != "missing")).to_numpy()
        events: list[dict] = []
        if self.inner is not None:
            rest = decisions.copy()
            rest["action"] = [None if a else x for a, x in zip(acts, rest["action"],
                                                               strict=True)]
            rest["args"] = [{} if a else x for a, x in zip(acts, rest["args"], strict=True)]
            events += list(self.inner.resolve(sim, rest) or [])
        question = self._bound[0]
        todo = [(int(a), str(args["text"])) for a, args, ok in
                zip(decisions["agent"], decisions["args"], acts, strict=True) if ok]
        requests = [Request(self.messages(sim, a, attempt), question, ["sim", step, a, "gm"])
                    for a, attempt in todo]
        outcomes = sim.complete_many(requests)
        self.counts = {"attempts": len(todo), "resolved": 0, "missing": 0}
        for (agent, attempt), out in zip(todo, outcomes, strict=True):
            if out.status == "missing":
                self.counts["missing"] += 1
                events.append({"agent": agent, "action": "gm_missing", "text": out.reason,
                               "data": {"attempt": attempt}})
                continue
            self.counts["resolved"] += 1
            verdict = dict(out.value)
            verdict.pop("action", None)
            outcome = str(verdict.pop("what_happens"))
            before, after = self._apply(sim, agent, verdict)
            self.told[agent] = (step, attempt, outcome)
            events.append({"agent": agent, "action": "outcome", "text": outcome,
                           "data": {"effects": verdict, "before": before, "after": after,
                                    "status": out.status}})
        return events

    def _apply(self, sim: Any, agent: int, verdict: dict[str, Any]
               ) -> tuple[dict[str, Any], dict[str, Any]]:
        agents = sim.agents
        pos = int(agents.positions([agent])[0])
        before, after = {}, {}
        for var, eff in self.effects.items():
            v = agents.variables[var]
            x = float(agents.values[var][pos])
            before[var] = _plain(v, x)
            if isinstance(eff, Number):
                change = verdict[f"{var}_change"]
                if not math.isnan(x) and change:
                    lo, hi = (v.low, v.high) if v.kind == "continuous" else (1, len(v.labels))
                    agents.set(var, [agent], [float(np.clip(x + change, lo, hi))])
            elif verdict[var] != UNCHANGED:
                agents.set(var, [agent], [verdict[var]])
            after[var] = _plain(v, float(agents.values[var][pos]))
        return before, after

    def measures(self, sim: Any) -> dict[str, float]:
        """Per step: ``gm.attempts``, ``gm.resolved`` and ``gm.missing`` verdicts (and the inner
        environment's measures)."""
        out = dict(self.inner.measures(sim) or {}) if self.inner is not None else {}
        out.update({f"gm.{k}": float(v) for k, v in self.counts.items()})
        return out


def _params(fn: Callable) -> Mapping[str, Any]:
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return {}


def _plain(var: Any, x: float) -> Any:
    if math.isnan(x):
        return None
    if var.kind == "categorical":
        return var.categories[int(x)]
    return int(x) if var.kind == "ordinal" else x

