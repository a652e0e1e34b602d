"""Policies: how agents decide. LLM (one prompt per decision), rule (vectorised), scripted."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Policy", "LLMPolicy", "RulePolicy", "ScriptedPolicy", "Context", "DEFAULT_SYSTEM"]

DEFAULT_SYSTEM = ("You are the person described below. Stay in character: answer and act as this "
                  "person would, briefly and in the requested format.\n\n{persona}")


@dataclass
class Context:
    """What a rule or scripted policy sees in one step.

    ``ids`` are the active agents it decides for (in order), ``positions`` their rows in
    ``agents``; ``observations`` and ``menus`` are the environment's (one per id; a menu may be
    None); ``rng`` is the run's generator; ``purpose`` is ``"act"`` in a step's own round, or
    the name of an environment's sub-round (:meth:`socialkit.sim.Simulation.decide`): one
    string, or one per id.
    """

    step: int
    time: float
    ids: np.ndarray
    positions: np.ndarray
    agents: Any
    env: Any
    rng: np.random.Generator
    observations: list[str] = field(default_factory=list)
    menus: list[Any] = field(default_factory=list)
    purpose: str | list[str] = "act"

    def state(self, name: str) -> np.ndarray:
        """The active agents' values of a state variable."""
        return self.agents.values[name][self.positions].copy()


def _fn_id(fn: Callable) -> str:
    """A stable identity of a function: its qualified name and a hash of its code."""
    code = getattr(fn, "__code__", None)
    blob = repr((getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)),
                 code.co_code if code is not None else b"", code.co_consts if code else ()))
    return f"{getattr(fn, '__qualname__', type(fn).__name__)}#" + \
        hashlib.sha256(blob.encode()).hexdigest()[:10]


class Policy:
    """Base class of policies."""

    kind = "policy"
    llm = False

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind}


class LLMPolicy(Policy):
    """Decisions by the language model: one prompt per decision.

    The prompt holds the persona (system message), then the agent's retrieved memories, its
    observation, its state, and the question: the action menu, or a reported state variable's
    question (one call each). Replies are parsed by the never-guessing parsers, re-asked when
    invalid and finally recorded as missing with the reason.

    Parameters
    ----------
    system : str
        System prompt; ``{persona}`` is replaced by the agent's persona.
    memories : int
        Memories retrieved into each prompt (0: none).
    persona : list of str or str, optional
        Population attributes rendered into the persona as ``name: value`` lines, or a persona
        template (a shipped name, a template file or the template text, rendered by
        :meth:`socialkit.Population.personas`); default: the population's own personas.

    Examples
    --------
    >>> LLMPolicy(memories=3).spec()["memories"]
    3
    """

    kind = "llm"
    llm = True

    def __init__(self, system: str = DEFAULT_SYSTEM, memories: int = 5,
                 persona: list[str] | str | None = None):
        if not isinstance(system, str) or "{persona}" not in system:
            raise ValueError("LLMPolicy system must be a string containing '{persona}'")
        if isinstance(memories, bool) or not isinstance(memories, int) or memories < 0:
            raise ValueError(f"LLMPolicy memories must be a non-negative integer, got "
                             f"{memories!r}")
        self.system, self.memories = system, memories
        if persona is not None and not isinstance(persona, str) and (
                isinstance(persona, bytes) or not all(isinstance(c, str) for c in persona)):
            raise TypeError("LLMPolicy persona must be a list of attribute names or a persona "
                            f"template (a string), got {persona!r}")
        self.persona = persona if persona is None or isinstance(persona, str) \
            else list(persona)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "system": self.system, "memories": self.memories,
                "persona": self.persona}

    def messages(self, persona: str, parts: list[str], question: Any) -> list[dict[str, str]]:
        """The chat messages of one decision."""
        body = "\n\n".join([p for p in parts if p] + [question.render()])
        return [{"role": "system", "content": self.system.replace("{persona}", persona)},
                {"role": "user", "content": body}]


class RulePolicy(Policy):
    """A vectorised rule over the active agents: ``fn(ctx) -> dict``.

    ``ctx`` is a :class:`Context`. The dict maps state variable names to their new values and,
    when the environment offers actions, ``"action"`` to the chosen action name(s) plus one
    entry per argument; each entry is a scalar (every agent) or an array with one value per
    active agent. Classic rule agents, bots, zealots and stubborn agents are rule policies.

    Examples
    --------
    >>> zealot = RulePolicy(lambda ctx: {"opinion": 5}, name="zealot")
    >>> zealot.spec()["name"]
    'zealot'
    """

    kind = "rule"

    def __init__(self, fn: Callable[[Context], Mapping[str, Any]], name: str | None = None):
        if not callable(fn):
            raise TypeError(f"RulePolicy needs a function, got {type(fn).__name__}")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "rule")

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "fn": _fn_id(self.fn)}

    def decide(self, ctx: Context) -> Mapping[str, Any]:
        out = self.fn(ctx)
        if not isinstance(out, Mapping):
            raise TypeError(f"rule policy {self.name!r} must return a dict of name -> values, "
                            f"got {type(out).__name__}")
        return out


class ScriptedPolicy(Policy):
    """A per-agent function, for tests and hand-made agents:
    ``fn(agent, observation, state) -> dict`` (the same keys as a :class:`RulePolicy`'s dict,
    with scalar values); ``state`` maps each variable to the agent's value (a category's label,
    None when unknown). ``fn`` may also take ``step``, ``rng``, ``menu`` (the agent's
    :class:`~socialkit.agents.ActionMenu` or None) and ``purpose`` (``"act"``, or an
    environment's sub-round) keyword arguments.

    Examples
    --------
    >>> p = ScriptedPolicy(lambda agent, obs, state: {"action": "wait"})
    >>> p.spec()["kind"]
    'scripted'
    """

    kind = "scripted"

    def __init__(self, fn: Callable[..., Mapping[str, Any]], name: str | None = None):
        if not callable(fn):
            raise TypeError(f"ScriptedPolicy needs a function, got {type(fn).__name__}")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "scripted")
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins
            params = {}
        self._extra = [k for k in ("step", "rng", "menu", "purpose") if k in params]

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "fn": _fn_id(self.fn)}

    def decide(self, ctx: Context) -> list[Mapping[str, Any]]:
        out = []
        names = list(ctx.agents.variables)
        for i, (a, p) in enumerate(zip(ctx.ids, ctx.positions, strict=True)):
            state = {n: _plain(ctx.agents.variables[n], ctx.agents.values[n][p]) for n in names}
            menu = ctx.menus[i] if ctx.menus else None
            why = ctx.purpose if isinstance(ctx.purpose, str) else ctx.purpose[i]
            kw = {k: v for k, v in (("step", ctx.step), ("rng", ctx.rng), ("menu", menu),
                                    ("purpose", why)) if k in self._extra}
            d = self.fn(int(a), ctx.observations[i] if ctx.observations else "", state, **kw)
            if not isinstance(d, Mapping):
                raise TypeError(f"scripted policy {self.name!r} must return a dict, got "
                                f"{type(d).__name__} for agent {int(a)}")
            out.append(d)
        return out


def _plain(var: Any, x: float) -> Any:
    if np.isnan(x):
        return None
    if var.kind == "categorical":
        return var.categories[int(x)]
    return int(x) if var.kind == "ordinal" else float(x)
