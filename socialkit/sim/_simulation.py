"""The simulation loop: activation -> observe -> one batched round of decisions -> resolve ->
memory writes -> record -> checkpoint, every step, with one random generator per run."""

from __future__ import annotations

import bisect
import copy
import gc
import hashlib
import json
import math
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit.agents._actions import ActionMenu, Number, OneOf, Text
from socialkit.agents._policies import Context, LLMPolicy, Policy, RulePolicy, ScriptedPolicy
from socialkit.agents._state import Agents, Categorical
from socialkit.env._base import DECISION_COLUMNS, Environment, Texts
from socialkit.llm.questions import FreeText

__all__ = ["Simulation", "Clock", "resume", "FORMAT"]

FORMAT = 1
_UNITS = {"step": 1.0, "hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0, "year": 8760.0}


class Clock:
    """What a step means: a unit (``"step"``, ``"hour"``, ``"day"``, ``"week"``, ``"month"``,
    ``"year"``) and how many of them a step lasts. Memory recency runs on its hours.

    Examples
    --------
    >>> c = Clock("day")
    >>> c.hours(3), c.label(3)
    (72.0, 'day 3')
    """

    def __init__(self, unit: str = "step", every: float = 1.0):
        if unit not in _UNITS:
            raise ValueError(f"Clock unit must be one of {list(_UNITS)}, got {unit!r}")
        if isinstance(every, bool) or not isinstance(every, int | float) or not every > 0 \
                or not math.isfinite(every):
            raise ValueError(f"Clock every must be a positive number, got {every!r}")
        self.unit, self.every = unit, float(every)

    def hours(self, step: int) -> float:
        return float(step) * self.every * _UNITS[self.unit]

    def label(self, step: int) -> str:
        n = step * self.every
        return f"{self.unit} {int(n) if float(n).is_integer() else n}"

    def spec(self) -> dict[str, Any]:
        return {"unit": self.unit, "every": self.every}

    def __repr__(self) -> str:
        return f"Clock({self.unit!r}, every={self.every:g})"


# ---- activation ---------------------------------------------------------------------------
def _rates(values: Any, n: int, what: str) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"activation {what} must be numbers in [0, 1]") from None
    if len(x) != n:
        raise ValueError(f"activation {what} has {len(x)} rates for {n} agents")
    bad = ~((x >= 0) & (x <= 1))
    if bad.any():
        raise ValueError(f"activation {what}: rate {float(x[bad][0])!r} is outside [0, 1] "
                         f"({int(bad.sum())} such value(s))")
    return x


class _Activation:
    def __init__(self, spec: Any, agents: Agents):
        self.spec_in, n = spec, len(agents)
        self.kind, self.rates, self.fn, self.schedule = "all", None, None, None
        if isinstance(spec, bool):
            raise TypeError("activation must be a probability, a column name, per-agent rates, "
                            "a schedule {step: agent ids} or a function(step, rng); got a bool")
        if isinstance(spec, int | float | np.floating | np.integer):
            p = float(spec)
            if not 0 <= p <= 1 or math.isnan(p):
                raise ValueError(f"activation probability must be in [0, 1], got {spec!r}")
            self.kind, self.p = ("all", 1.0) if p == 1 else ("probability", p)
        elif isinstance(spec, str):
            if spec not in agents.population.df.columns:
                raise ValueError(f"activation={spec!r} is not a population column; columns: "
                                 f"{agents.population.attributes}")
            self.kind, self.rates = "rates", _rates(agents.population.df[spec], n,
                                                    f"column {spec!r}")
        elif isinstance(spec, Mapping):
            self.kind = "schedule"
            self.schedule = {}
            for step, ids in spec.items():
                if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 1:
                    raise ValueError(f"activation schedule keys must be steps >= 1, got {step!r}")
                self.schedule[int(step)] = agents.positions(ids, f"activation schedule step "
                                                                 f"{step}")
        elif callable(spec):
            self.kind, self.fn = "function", spec
        else:
            self.kind, self.rates = "rates", _rates(spec, n, "rates")
        self.n = n

    def __call__(self, step: int, rng: np.random.Generator, agents: Agents) -> np.ndarray:
        if self.kind == "all":
            return np.arange(self.n)
        if self.kind == "probability":
            return np.flatnonzero(rng.random(self.n) < self.p)
        if self.kind == "rates":
            return np.flatnonzero(rng.random(self.n) < self.rates)
        if self.kind == "schedule":
            return np.sort(self.schedule.get(step, np.empty(0, dtype=np.int64)))
        got = self.fn(step, rng)
        arr = np.asarray(got)
        if arr.dtype == bool:
            if arr.shape != (self.n,):
                raise ValueError(f"activation function returned a mask of shape {arr.shape}; "
                                 f"expected ({self.n},)")
            return np.flatnonzero(arr)
        return np.unique(agents.positions(arr, "activation function"))

    def describe(self) -> Any:
        if self.kind in ("all", "probability"):
            return self.p if self.kind == "probability" else 1.0
        if self.kind == "rates":
            return self.spec_in if isinstance(self.spec_in, str) else "per-agent rates"
        if self.kind == "schedule":
            return {str(k): len(v) for k, v in self.schedule.items()}
        from socialkit.agents._policies import _fn_id

        return _fn_id(self.fn)


# ---- persistence helpers ------------------------------------------------------------------
def _atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=repr).encode()).hexdigest()[:16]


_esc_ascii = json.encoder.encode_basestring_ascii


def _messages_blob(messages: Any) -> bytes:
    """``json.dumps(messages, sort_keys=True, default=repr).encode()``, chat messages of a
    role and a text written directly."""
    if type(messages) is list:
        parts = []
        for m in messages:
            if type(m) is not dict or len(m) != 2:
                break
            content, role = m.get("content"), m.get("role")
            if type(content) is not str or type(role) is not str:
                break
            parts.append('{"content": ' + _esc_ascii(content) + ', "role": ' + _esc_ascii(role)
                         + "}")
        else:
            return ("[" + ", ".join(parts) + "]").encode()
    return json.dumps(messages, sort_keys=True, default=repr).encode()


def _digest_messages(messages: Any) -> str:
    """``_digest(messages)``, chat messages written directly."""
    return hashlib.sha256(_messages_blob(messages)).hexdigest()[:16]


def _digest_prompts(requests: Sequence[Any]) -> str:
    """A hash of the requests' messages, as the cache key encodes them (``Request.encoded``,
    made once per request; the agents of an archetype cell share their requests)."""
    h = hashlib.sha256(b"[")
    for i, r in enumerate(requests):
        h.update(("," + r.encoded if i else r.encoded).encode())
    h.update(b"]")
    return h.hexdigest()[:16]


def _pop_hash(population: Any) -> str:
    df = population.df
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return hashlib.sha256(h.tobytes() + repr(list(df.columns)).encode()).hexdigest()[:16]


_DATA = json.JSONEncoder(default=str, sort_keys=True)  # json.dumps(.., default=str, sort_keys=True)
_DECISION_STATUSES = ("ok", "repaired", "missing", "rule", "scripted", "fixed")


class Simulation:
    """A society of agents in an environment, stepped in synchronous rounds.

    Each step: activation picks the active agents (with the run's generator); the environment
    describes what each sees (``observe``) and what it may do (``actions``); every policy
    decides for its active agents (LLM agents in one batched, concurrent round through one
    :class:`socialkit.llm.Session`); the environment applies the decisions (``resolve``: code,
    or a game master's batch of calls through :meth:`complete_many`); LLM agents remember what
    they saw and did (and reflect when due); state and measures are recorded; with
    ``checkpoint=`` the whole state is written atomically.

    Parameters
    ----------
    population : socialkit.Population
        The agents (one per row; ids from its ``agent`` column).
    env : Environment, optional
        The environment (default: a bare one: no observation, no actions).
    model : backend or LangChain chat model, optional
        For LLM policies (default: the embedded local model).
    policy : Policy or dict of role -> Policy
        Default :class:`socialkit.agents.LLMPolicy`. With a dict, ``roles`` gives each agent's
        role (a population column name or one label per agent).
    roles : str or sequence, optional
    memory : socialkit.memory.Memory, optional
        Memory of the LLM agents (:class:`socialkit.memory.Stream` or ``Recent``).
    state : dict of name -> variable or question
        Per-agent state variables; a Likert, Choice or Numeric question makes a variable that
        LLM agents report each active step (agents whose value is unknown are asked at step 0
        from their persona alone).
    activation : float, str, sequence, dict or callable
        Probability that an agent is active in a step (1: all); a population column of per-agent
        rates; per-agent rates; a schedule ``{step: agent ids}``; or ``fn(step, rng)`` returning
        agent ids or a boolean mask.
    clock : Clock or str
        What a step lasts (memory recency runs on its hours).
    seed : int
        The run's seed: activation, environment draws and every LLM call's draw follow it.
    budget : float, optional
        Money cap (US dollars) for the whole simulation's calls.
    checkpoint : str or path, optional
        Folder written after every step; a Simulation built with the same arguments on a folder
        holding a checkpoint continues from it (see :func:`resume`).
    group_by : list of str, optional
        Archetypes: LLM agents are prompted from these attributes and the environment's coarse
        observation only; agents with equal prompts share one call, each drawing its own answer
        to a closed question from the call's option distribution (actions are shared).
    remember : bool
        LLM agents store their observation and their action as memories each active step.
    reflect : bool or int
        With a :class:`socialkit.memory.Stream`: True, agents reflect when their accumulated
        importance passes its threshold; an integer ``k``, every active LLM agent reflects on
        its memories since its last reflection every ``k`` steps (``reflect=1``: at the end of
        every step, e.g. a daily reflection with ``clock="day"``); False, never.
    importance : {"heuristic", "llm"}
        How new memories are rated: the memory's own function (a heuristic by default), or by
        the model (batched, cached and counted like every call).
    record : {"agents", "summary"} or int
        Per-agent state every step, every ``k`` steps (and the last), or only per-step
        statistics.
    concurrency, cache, temperature, reasks, share, constrain, logprobs, progress
        Passed to the :class:`socialkit.llm.Session`.
    name : str
        The run's model name.
    params : dict, optional
        A scenario's own parameters: what ``run.params`` records (with ``steps`` the steps
        done) instead of the kernel's description of its components.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    >>> model = sk.llm.scripted(lambda m: "We should talk." if "one short" in
    ...                         m[-1]["content"] else "4")
    >>> sim = sk.Simulation(pop, env=sk.env.Network(nx.path_graph(4)), model=model,
    ...                     state={"opinion": sk.Likert("Taxes are too high.")}, seed=1,
    ...                     progress=False)
    >>> run = sim.run(steps=2)
    >>> run.final("opinion").tolist(), run.events["action"].value_counts().to_dict()
    ([4.0, 4.0, 4.0, 4.0], {'message': 8})
    """

    def __init__(self, population: Any, env: Environment | None = None, model: Any = None, *,
                 policy: Policy | Mapping[str, Policy] | None = None, roles: Any = None,
                 memory: Any = None, state: Mapping[str, Any] | None = None,
                 activation: Any = 1.0, clock: Clock | str | None = None, seed: int = 0,
                 budget: float | None = None, checkpoint: str | os.PathLike | None = None,
                 group_by: Sequence[str] | str | None = None, remember: bool = True,
                 reflect: bool | int = True, importance: str = "heuristic", record: str = "agents",
                 concurrency: int = 16, cache: Any = True, temperature: float | None = None,
                 reasks: int = 2, share: str = "auto", constrain: bool = True,
                 logprobs: bool = True, progress: bool = True, name: str = "simulation",
                 params: Mapping[str, Any] | None = None):
        from socialkit.dynamics._common import make_rng

        self._args = {k: v for k, v in locals().items() if k not in ("self", "make_rng")}
        self.t, self.name = 0, name
        self.agents = Agents(population, state)
        self.population = population
        if env is None:
            env = Environment()
        if not isinstance(env, Environment):
            raise TypeError(f"env must be a socialkit.env.Environment, got {type(env).__name__}")
        self._env_template = copy.deepcopy(env)
        self.env = env
        self.rng, self.seed = make_rng(seed)
        self.clock = Clock(clock) if isinstance(clock, str) else clock or Clock()
        if not isinstance(self.clock, Clock):
            raise TypeError(f"clock must be a socialkit.sim.Clock or a unit name, got "
                            f"{type(clock).__name__}")
        self._activation = _Activation(activation, self.agents)
        self._setup_policies(policy, roles)
        for nm, v in (("remember", remember), ("progress", progress)):
            if not isinstance(v, bool):
                raise TypeError(f"{nm} must be True or False, got {v!r}")
        if not isinstance(reflect, bool) and (not isinstance(reflect, int | np.integer)
                                              or reflect < 1):
            raise TypeError(f"reflect must be True, False or a positive integer k (every k "
                            f"steps), got {reflect!r}")
        reflect = reflect if isinstance(reflect, bool) else int(reflect)
        if importance not in ("heuristic", "llm"):
            raise ValueError(f"importance must be 'heuristic' or 'llm', got {importance!r}")
        if record not in ("agents", "summary") and (isinstance(record, bool) or not isinstance(
                record, int | np.integer) or record < 1):
            raise ValueError(f"record must be 'agents', 'summary' or a positive integer k, got "
                             f"{record!r}")
        self.remember, self.reflect, self.importance, self.record = (remember, reflect,
                                                                     importance, record)
        self.progress, self.name = progress, name
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict, got {type(params).__name__}")
        self.params = None if params is None else dict(params)
        self.group_by = self._check_group_by(group_by)
        self.memory = memory
        if memory is not None:
            from socialkit.memory import Memory

            if not isinstance(memory, Memory):
                raise TypeError(f"memory must be a socialkit.memory Memory (Stream or Recent), "
                                f"got {type(memory).__name__}")
            self._memory_template = memory.empty() if hasattr(memory, "empty") else None
            memory.bind(self.agents.ids)
        self._session_args = {"cache": cache, "seed": self.seed, "concurrency": concurrency,
                              "budget": budget, "temperature": temperature, "reasks": reasks,
                              "share": share, "constrain": constrain, "logprobs": logprobs,
                              "progress": progress}
        self._model = model
        self._session = None
        self.t = 0  # steps done
        self._started = False
        self._records: list[dict[str, Any]] = []
        self._hash = hashlib.sha256()
        self._fork: dict[str, Any] | None = None
        self.folder = None if checkpoint is None else Path(checkpoint)
        self._personas = self._render_personas()
        self._memory_lines: dict[str, str] = {}  # memory texts as prompt lines (a cache)
        env.check(self)
        if self.folder is not None:
            self._open_checkpoint()

    # ---- set-up ------------------------------------------------------------------------------
    def _setup_policies(self, policy: Any, roles: Any) -> None:
        n = len(self.agents)
        if policy is None:
            policy = LLMPolicy()
        if isinstance(policy, Policy):
            self.policies = {"agent": policy}
            self._role = np.zeros(n, dtype=np.int64)
            if roles is not None:
                raise ValueError("roles= needs policy= to be a dict of role -> policy")
            return
        if not isinstance(policy, Mapping) or not policy:
            raise TypeError(f"policy must be a socialkit.agents Policy or a dict of role -> "
                            f"Policy, got {type(policy).__name__}")
        for r, p in policy.items():
            if not isinstance(p, Policy):
                raise TypeError(f"policy for role {r!r} must be a socialkit.agents Policy, got "
                                f"{type(p).__name__}")
        if roles is None:
            raise ValueError("policy is a dict of role -> policy: give roles= (a population "
                             "column or one role per agent)")
        if isinstance(roles, str):
            if roles not in self.agents.population.df.columns:
                raise ValueError(f"roles={roles!r} is not a population column; columns: "
                                 f"{self.agents.population.attributes}")
            labels = self.agents.population.df[roles].astype(str).to_numpy()
        else:
            labels = np.asarray(roles, dtype=object).astype(str).ravel()
            if len(labels) != n:
                raise ValueError(f"roles has {len(labels)} labels for {n} agents")
        names = list(map(str, policy))
        unknown = sorted(set(labels.tolist()) - set(names))
        if unknown:
            raise ValueError(f"roles {unknown} have no policy; policies are given for {names}")
        self.policies = {str(k): v for k, v in policy.items()}
        self._role = np.array([names.index(x) for x in labels], dtype=np.int64)

    def _check_group_by(self, group_by: Any) -> list[str] | None:
        if group_by is None:
            return None
        cols = [group_by] if isinstance(group_by, str) else list(group_by)
        bad = [c for c in cols if c not in self.agents.population.df.columns]
        if bad:
            raise ValueError(f"group_by columns {bad} are not population attributes: "
                             f"{self.agents.population.attributes}")
        return cols

    def _render_personas(self) -> list[str]:
        from socialkit.llm.ask import _render_rows

        if not any(p.llm for p in self.policies.values()):
            return [""] * len(self.agents)
        df = self.agents.population.df
        if self.group_by is not None:
            return _render_rows(df, self.group_by)
        out = [""] * len(self.agents)
        by_agent = None
        for r, p in enumerate(self.policies.values()):
            if not p.llm:
                continue
            pos = np.flatnonzero(self._role == r)
            if isinstance(p.persona, str):  # a persona template
                rendered = self.agents.population.personas(template=p.persona)
                texts = [rendered[i].text for i in pos]
            elif p.persona is not None:
                texts = _render_rows(df.iloc[pos], p.persona)
            else:
                if by_agent is None:
                    by_agent = [x.text for x in self.agents.population.personas()]
                texts = [by_agent[i] for i in pos]
            for i, t in zip(pos, texts, strict=True):
                out[i] = t
        return out

    @property
    def session(self):
        """The :class:`socialkit.llm.Session` of the LLM agents (made on first use)."""
        if self._session is None:
            from socialkit.llm import Session

            self._session = Session(self._model, **self._session_args)
        return self._session

    @property
    def time(self) -> float:
        """The clock's time of the current step, in hours."""
        return self.clock.hours(self.t)

    def __repr__(self) -> str:
        return (f"<socialkit.Simulation {self.name!r}: {len(self.agents)} agents, env "
                f"{self.env.name}, step {self.t}, seed {self.seed}>")

    # ---- fingerprint and checkpoints ---------------------------------------------------------
    def _components(self) -> dict[str, Any]:
        mem = None
        if self.memory is not None:
            mem = {"kind": type(self.memory).__name__,
                   **{k: repr(v) for k, v in sorted(vars(self.memory).items())
                      if k in ("k", "scoring", "threshold", "name", "questions", "insights")}}
        model_id = None
        if any(p.llm for p in self.policies.values()) or getattr(self.env, "llm", False):
            model_id = self.session.backend.model_id
        return {"population": _pop_hash(self.population),
                "state": {n: v.describe() for n, v in self.agents.variables.items()},
                "env": self.env.spec(), "seed": self.seed,
                "policies": {r: p.spec() for r, p in self.policies.items()},
                "roles": hashlib.sha256(self._role.tobytes()).hexdigest()[:16],
                "memory": mem, "activation": self._activation.describe(),
                "clock": self.clock.spec(), "group_by": self.group_by, "model": model_id,
                "remember": self.remember, "reflect": self.reflect,
                "importance": self.importance, "record": self.record, "fork": self._fork}

    def _open_checkpoint(self) -> None:
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"checkpoint={str(folder)!r} is a file, not a folder")
        meta_path = folder / "simulation.json"
        comps = self._components()
        if meta_path.exists():
            try:
                meta = json.loads(meta_path.read_text())
                theirs = meta["components"]
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"checkpoint folder {str(folder)!r}: simulation.json is damaged "
                                 "or not socialkit's") from None
            ours = json.loads(json.dumps(comps, default=repr))
            if meta.get("format") != FORMAT:
                raise ValueError(f"checkpoint folder {str(folder)!r} has format "
                                 f"{meta.get('format')!r}; this socialkit reads {FORMAT}")
            if theirs != ours:
                differ = sorted(k for k in set(theirs) | set(ours)
                                if theirs.get(k) != ours.get(k))
                raise ValueError(f"checkpoint folder {str(folder)!r} holds another simulation "
                                 f"(it differs in: {', '.join(differ)}); use another folder, or "
                                 "build the Simulation with the arguments it was made with")
            if (folder / "state.pkl").exists():
                self._load()
            return
        if folder.exists() and any(folder.iterdir()):
            raise ValueError(f"checkpoint folder {str(folder)!r} is not empty and holds no "
                             "simulation (no simulation.json); give an empty or new folder")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "steps").mkdir(exist_ok=True)
        config = None
        try:
            args = dict(self._args)
            args["env"] = self._env_template
            args["memory"] = self._memory_template if self.memory is not None else None
            config = pickle.dumps(args)
        except Exception:  # lambdas, live clients: resume() then needs the arguments again
            config = None
        if config is not None:
            _atomic(folder / "config.pkl", config)
        _atomic(meta_path, json.dumps({"format": FORMAT, "name": self.name,
                                       "components": comps}, indent=1, sort_keys=True,
                                      default=repr).encode())

    def _write_checkpoint(self) -> None:
        folder = self.folder
        rec = self._records[-1]
        _atomic(folder / "steps" / f"{rec['step']:06d}.pkl", pickle.dumps(rec))
        mem = None
        if self.memory is not None:
            self.memory.checkpoint(folder / "memory")
            mem = (folder / "memory" / "memory.json").read_bytes()
        state = {"t": self.t, "values": self.agents.values, "env": self.env.state(),
                 "rng": self.rng.bit_generator.state, "memory": mem,
                 "hash": self._hash.hexdigest(), "hash_parts": self._hash_parts}
        _atomic(folder / "state.pkl", pickle.dumps(state))  # the commit point

    def _load(self) -> None:
        folder = self.folder
        try:
            state = pickle.loads((folder / "state.pkl").read_bytes())
        except Exception as err:
            raise ValueError(f"checkpoint folder {str(folder)!r}: state.pkl cannot be read "
                             f"({type(err).__name__}: {err})") from None
        t = int(state["t"])
        records = []
        for s in range(t + 1):
            path = folder / "steps" / f"{s:06d}.pkl"
            if not path.exists():
                raise ValueError(f"checkpoint folder {str(folder)!r}: the record of step {s} "
                                 "is missing")
            records.append(pickle.loads(path.read_bytes()))
        self.env.setup(self)
        self.env.load_state(state["env"])
        for k, v in state["values"].items():
            self.agents.values[k] = np.asarray(v, dtype=np.float64)
        self.rng.bit_generator.state = state["rng"]
        if self.memory is not None:
            if state["memory"] is None:
                raise ValueError(f"checkpoint folder {str(folder)!r} has no memory state")
            _atomic(folder / "memory" / "memory.json", state["memory"])
            self.memory.restore(folder / "memory")
        self._records = records
        self._hash_parts = list(state["hash_parts"])
        self._hash = hashlib.sha256()
        for part in self._hash_parts:
            self._hash.update(part.encode())
        self.t, self._started, self._resumed_at = t, True, t

    # ---- running -----------------------------------------------------------------------------
    _hash_parts: list[str] = []
    _resumed_at: int | None = None
    _in_step = False
    _t_now = 0

    def _start(self) -> None:
        self._hash_parts = []
        self._t_now = 0
        events: list[dict] = []
        frames = self._extra_events(self.env.setup(self), f"{self.env.name}.setup", events)
        reported = [n for n, v in self.agents.variables.items() if v.reported]
        llm_pos = np.flatnonzero(self._llm_roles()[self._role])
        if reported and len(llm_pos):
            ask = {n: llm_pos[np.isnan(self.agents.values[n][llm_pos])] for n in reported}
            self._report(0, ask, {}, events)
        self._started = True
        n_missing = sum(e["action"] == "missing" for e in events)
        self._record(0, events, {"active": 0.0, "missing": float(n_missing)}, frames)
        if self.folder is not None:
            self._write_checkpoint()

    def _policy_of(self, pos: int) -> Policy:
        return list(self.policies.values())[int(self._role[pos])]

    def _llm_roles(self) -> np.ndarray:
        """Whether each role's policy is an LLM one (index with ``self._role``)."""
        return np.array([p.llm for p in self.policies.values()], dtype=bool)

    def llm_agents(self, ids: Any) -> np.ndarray:
        """Whether each of these agents is decided by an LLM policy (a boolean array): an
        environment renders its text observation for them only, and gives rule and scripted
        agents their structured view (arrays) instead."""
        return self._llm_roles()[self._role[self.agents.positions(ids)]]

    def step(self) -> dict[str, Any]:
        """Run one step; returns its record (step, events, measures)."""
        if not self._started:
            self._start()
        t = self.t + 1
        rng, agents = self.rng, self.agents
        active = self._activation(t, rng, agents)
        ids = agents.ids[active]
        events: list[dict] = []
        cells = self.group_by is not None
        observations = (self.env.observe_cell(self, ids) if cells
                        else self.env.observe(self, ids)) if len(ids) else []
        if len(observations) != len(ids):
            raise ValueError(f"{self.env.name}.observe returned {len(observations)} texts for "
                             f"{len(ids)} agents")
        menus = self.env.actions(self, ids) if len(ids) else None
        if menus is None or isinstance(menus, ActionMenu):
            menus = [menus] * len(ids)
        elif len(menus) != len(ids):
            raise ValueError(f"{self.env.name}.actions returned {len(menus)} menus for "
                             f"{len(ids)} agents")
        self._t_now, self._in_step = t, True
        try:
            decisions = self._decide(t, active, observations, menus, events)
            extra = self.env.resolve(self, decisions)
        finally:
            self._in_step = False
        missing = decisions["status"].to_numpy() == "missing"
        logs = getattr(self.env, "logs_decisions", False)  # the environment logs the others
        made = missing if logs else missing | decisions["action"].notna().to_numpy()
        done = np.flatnonzero(made).tolist()  # the decisions making an event
        if done:
            sub = decisions.iloc[done] if len(done) < len(decisions) else decisions
            for d in _records(sub):  # the values iterrows gives, without a Series per row
                events.append(self._decision_event(d))
        frames = self._extra_events(extra, f"{self.env.name}.resolve", events)
        if self.memory is not None and self.remember:
            self._remember(t, active, observations, decisions)
        self.t = t
        n_missing = int(missing.sum())
        self._record(t, events, {"active": float(len(active)), "missing": float(n_missing)},
                     frames)
        if self.folder is not None:
            self._write_checkpoint()
        return self._records[-1]

    def run(self, steps: int) -> Any:
        """Step until ``steps`` steps are done, or until the environment is done
        (:meth:`socialkit.env.Environment.done`: a collapsed commons), and return the
        :class:`socialkit.Run` so far (a rerun, a resumed or a forked simulation continues from
        where it is); ``run.params["steps"]`` holds the steps done."""
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
            raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
        if not self._started:
            self._start()
        todo = range(self.t + 1, int(steps) + 1)
        bar = None
        if self.progress and len(todo) > 1:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(todo), desc=f"{self.name}: {self.clock.unit}s", unit="step")
        freeze = gc.isenabled()  # (not when the caller manages the collector itself)
        try:
            for _ in todo:
                if self.env.done(self):
                    break
                if freeze:  # the objects of the steps so far live on (memories, records):
                    gc.collect(1)  # (the young garbage collected first)
                    gc.freeze()  # the collector's full passes skip them during the next step
                self.step()
                if bar is not None:
                    bar.update(1)
        finally:
            if freeze:
                gc.unfreeze()  # back to the collector (garbage among them is collected again)
            if bar is not None:
                bar.close()
        return self.result()

    # ---- decisions ---------------------------------------------------------------------------
    def _decide(self, t: int, active: np.ndarray, observations: list[str], menus: list,
                events: list[dict], purpose: str | list[str] = "act", report: bool = True
                ) -> pd.DataFrame:
        """Every agent at ``active`` (positions) decides through its role's policy; the
        decisions table (:data:`DECISION_COLUMNS`), one row per position in order."""
        agents = self.agents
        by_role = self._role[active]
        cols = {c: np.empty(len(active), dtype=object) for c in DECISION_COLUMNS[1:]}
        for r, policy in enumerate(self.policies.values()):
            sel = np.flatnonzero(by_role == r)
            if not len(sel):
                continue
            pos = active[sel]
            if len(sel) == len(active):
                obs, mns = observations, menus
            elif isinstance(observations, Texts):  # rendered only where a policy reads them
                obs, mns = observations.take(sel), [menus[i] for i in sel]
            else:
                obs, mns = [observations[i] for i in sel], [menus[i] for i in sel]
            why = purpose if isinstance(purpose, str) else [purpose[i] for i in sel]
            if policy.llm:
                got = self._llm(t, policy, pos, obs, mns, events, why, report)
            else:
                ctx = Context(t, self.clock.hours(t), agents.ids[pos], pos, agents, self.env,
                              self.rng, obs, mns, why)
                got = self._rule(policy, ctx, mns)
            for c, col in cols.items():
                col[sel] = got[c]
        decisions = pd.DataFrame(cols, columns=DECISION_COLUMNS[1:], dtype=object)  # None stays
        decisions.insert(0, "agent", agents.ids[active].astype("int64"))  # None, not NaN or str
        return decisions

    def decide(self, ids: Sequence[int], observations: Sequence[str], menus: Any, *,
               purpose: str | Sequence[str]) -> pd.DataFrame:
        """A decision sub-round: the given agents decide now, each through its own policy, on
        the given observations and action menus (LLM agents in one batched, concurrent round
        through the session, with their retrieved memories, as in a step).

        For environments that need several rounds of decisions within one step (the turns of
        a conversation, an interview): call it from :meth:`Environment.resolve
        <socialkit.env.Environment.resolve>`, once per round. Reported state variables are not
        asked; nothing is recorded or remembered (the environment returns the events it wants
        and writes memories with :meth:`memorize`). Each LLM call's draw key is
        ``["sim", step, agent, purpose]``, so an agent's ``purpose`` must differ between the
        sub-rounds of a step (e.g. ``"talk:12:3"``: conversation 12, turn 3); ``"act"`` is the
        step's own round. Rule and scripted policies see ``purpose`` in their context (a
        scripted function may take ``purpose`` and ``menu`` keyword arguments).

        Parameters
        ----------
        ids : sequence of int
            Agent ids, each at most once.
        observations : sequence of str
            What each agent sees (one per id).
        menus : ActionMenu or list
            One menu for all, or one per id (None: no action).
        purpose : str or sequence of str
            What the sub-round is (part of every call's draw key): one for all, or one per id
            (agents in different conversations).

        Returns
        -------
        pandas.DataFrame
            The decisions, one row per id in order (columns :data:`DECISION_COLUMNS
            <socialkit.env.DECISION_COLUMNS>`).

        Examples
        --------
        >>> import socialkit as sk
        >>> from socialkit.agents import Action, ActionMenu, Text
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
        >>> sim = sk.Simulation(pop, model=sk.llm.scripted(lambda m: "Hello there."),
        ...                     progress=False)
        >>> menu = ActionMenu([Action("say", text=Text(10))], text="Greet your neighbour.")
        >>> d = sim.decide([0, 1], ["You meet Bob.", "You meet Ann."], menu, purpose="greet")
        >>> d[["agent", "action", "args", "status"]].values.tolist()
        [[0, 'say', {'text': 'Hello there.'}, 'ok'], [1, 'say', {'text': 'Hello there.'}, 'ok']]
        """
        pos = self.agents.positions(ids, "decide ids")
        if not isinstance(purpose, str) and isinstance(purpose, Sequence):
            purpose = list(purpose)
            if len(purpose) != len(pos):
                raise ValueError(f"decide: purpose must be one string or one per id "
                                 f"({len(pos)}), got {len(purpose)}")
        for why in purpose if isinstance(purpose, list) else [purpose]:
            if not isinstance(why, str) or not why.strip():
                raise ValueError(f"decide: purpose must be a non-empty string (or one per id), "
                                 f"got {why!r}")
        if len(np.unique(pos)) != len(pos):
            raise ValueError("decide: ids must be distinct (an agent decides once per "
                             "sub-round)")
        if isinstance(observations, str) or len(observations) != len(pos):
            raise ValueError(f"decide: observations must hold one text per id ({len(pos)}), "
                             f"got {observations!r:.60}")
        observations = [str(o) for o in observations]
        if menus is None or isinstance(menus, ActionMenu):
            menus = [menus] * len(pos)
        else:
            menus = list(menus)
            if len(menus) != len(pos):
                raise ValueError(f"decide: menus must be one ActionMenu or one per id "
                                 f"({len(pos)}), got {len(menus)}")
            bad = [m for m in menus if m is not None and not isinstance(m, ActionMenu)]
            if bad:
                raise TypeError(f"decide: menus must be socialkit.agents.ActionMenu (or None), "
                                f"got {type(bad[0]).__name__}")
        if not self._started:
            self._start()
        t = self._t_now if self._in_step else self.t
        events: list[dict] = []
        if not len(pos):
            return pd.DataFrame(columns=DECISION_COLUMNS)
        return self._decide(t, pos, observations, menus, events, purpose=purpose,
                            report=False)

    def memorize(self, agent_ids: Sequence[int], texts: Sequence[str], *,
                 kind: str = "observation") -> np.ndarray | None:
        """Write memories of the given agents at the current step's time (importance rated
        as the simulation rates its own: the memory's heuristic, or the model with
        ``importance="llm"``); None when the simulation has no memory. For environments
        (conversations heard, news read).

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
        >>> sim = sk.Simulation(pop, memory=sk.memory.Recent(k=5), progress=False)
        >>> _ = sim.memorize([1], ['Ann said: "The party is on Friday."'])
        >>> sim.memory.frame(1)["text"].tolist()
        ['Ann said: "The party is on Friday."']
        """
        if self.memory is None:
            return None
        agent_ids, texts = list(agent_ids), list(texts)
        if len(agent_ids) != len(texts):
            raise ValueError(f"memorize: {len(agent_ids)} agent ids for {len(texts)} texts")
        if not texts:
            return np.empty(0, dtype=np.int64)
        t = self._t_now if self._in_step else self.t
        importance = None
        if self.importance == "llm":
            from socialkit.memory import llm_importance

            importance = llm_importance(self._ask_fn(t, "importance:memorize"))(texts)
        return self.memory.add(agent_ids, texts, self.clock.hours(t), importance, kind=kind)

    def _llm(self, t: int, policy: LLMPolicy, pos: np.ndarray, obs: list[str], menus: list,
             events: list[dict], purpose: str | list[str] = "act", report: bool = True
             ) -> dict[int, dict]:
        from socialkit.llm.session import Request

        agents = self.agents
        ids = agents.ids[pos]
        cells = self.group_by is not None
        if isinstance(obs, Texts):
            obs = obs.tolist()  # each text is read several times below
        memories = [""] * len(pos)
        if self.memory is not None and policy.memories and not cells:
            queries = [o if o.strip() else "what matters to me now" for o in obs]
            got = self.memory.retrieve(ids, queries, self.clock.hours(t), k=policy.memories)
            by_req: dict[int, list] = {}  # each request's texts in row order (a groupby, faster)
            for r, text in zip(got["request"].tolist(), got["text"].tolist(), strict=True):
                by_req.setdefault(r, []).append(text)
            lines = self._memory_lines  # each memory as one prompt line, made once
            if len(lines) > 100_000:
                lines.clear()
            for texts in by_req.values():
                for m in texts:
                    if m not in lines:
                        lines[m] = f"- {' '.join(m.split())}"
            memories = ["What you remember:\n" + "\n".join([lines[m] for m in by_req[i]])
                        if i in by_req else "" for i in range(len(pos))]
        shown = [n for n, v in agents.variables.items() if v.reported]
        reported = shown if report else []  # asked; ``shown``: the answers in the prompt
        requests, where = [], []
        made: dict[tuple, list] = {}  # archetypes: one cell and observation, the same requests
        states = None if cells else agents.state_texts(pos)
        for i, p in enumerate(pos):
            persona = self._personas[p]
            if cells:
                cell = (persona, obs[i], id(menus[i]))
                if cell in made:
                    for r, what in made[cell]:
                        requests.append(r)
                        where.append((i, what))
                    continue
                first = len(requests)
            state = "" if cells else states[i]
            owns = {n: "" if cells else self._own(n, p) for n in shown}
            for n in reported:
                var = agents.variables[n]
                msgs = policy.messages(persona, [memories[i], obs[i], state, owns[n]],
                                       var.question)
                requests.append(Request(msgs, var.question, self._identity(t, ids[i], n, msgs)))
                where.append((i, n))
            menu = menus[i]
            if menu is not None and not menu.trivial:
                msgs = policy.messages(persona, [memories[i], obs[i], state,
                                                 "\n".join(o for o in owns.values() if o)], menu)
                why = purpose if isinstance(purpose, str) else purpose[i]
                requests.append(Request(msgs, menu, self._identity(t, ids[i], why, msgs)))
                where.append((i, "act"))
            if cells:
                made[cell] = [(r, w) for r, (_, w) in zip(requests[first:], where[first:],
                                                         strict=True)]
        outcomes = self.session.complete_many(requests) if requests else []
        self._hash_parts.append(_digest_prompts(requests))
        self._hash.update(self._hash_parts[-1].encode())
        rows: dict[int, dict] = {}
        cdfs: dict[int, tuple] = {}
        for i, p in enumerate(pos):
            menu = menus[i]
            action = None
            if menu is not None and menu.trivial:
                action = {"action": next(iter(menu.actions))}
            rows[p] = {"agent": int(ids[i]), "policy": policy.kind,
                       "action": None if action is None else action["action"], "args": {},
                       "status": "fixed" if action is not None else "ok", "reason": "",
                       "text": None}
        for (i, what), out in zip(where, outcomes, strict=True):
            p, agent = pos[i], int(ids[i])
            if what == "act":
                row = rows[p]
                row["status"], row["reason"], row["text"] = out.status, out.reason, out.text
                if out.status != "missing":
                    value = dict(out.value)
                    row["action"] = value.pop("action")
                    row["args"] = value
                continue
            var = agents.variables[what]
            if out.status == "missing":
                events.append({"step": t, "agent": agent, "action": "missing", "target": -1,
                               "text": f"{what}: {out.reason}",
                               "data": json.dumps({"purpose": what})})
                continue
            value = out.value
            if cells and out.dist:
                value = self._draw(out.dist, cdfs)
            agents.values[what][p] = var.code(value)
        return _columns([rows[p] for p in pos])

    def _own(self, name: str, pos: int) -> str:
        """The agent's current answer to a reported variable, as a prompt line."""
        var = self.agents.variables[name]
        return (f'Your current answer to "{var.question.text}" is '
                f"{var.text(self.agents.values[name][pos])}.")

    def complete_many(self, requests: Sequence[Any]) -> list[Any]:
        """Model calls of the environment (a game master): one batch through the simulation's
        session (cached, counted in its usage and budget, each seeded by its request's key, e.g.
        ``["sim", step, agent, "gm"]``); their prompts enter the run's prompts hash.

        Parameters
        ----------
        requests : list of socialkit.llm.Request

        Returns
        -------
        list of Outcome
            One per request, in order (value, status, reason, text).
        """
        requests = list(requests)
        if not requests:
            return []
        outcomes = self.session.complete_many(requests)
        self._hash_parts.append(_digest_prompts(requests))
        self._hash.update(self._hash_parts[-1].encode())
        return outcomes

    def agent_messages(self, agent: int, parts: Sequence[str], question: Any
                       ) -> list[dict[str, str]] | None:
        """The chat messages an LLM agent's own policy builds for a further question: its
        system prompt and persona, then ``parts`` (blank ones left out) and the question.

        For environments that ask agents more within a step, in their own voice (a discussion
        after a harvest, a strategy written at the start of a generation); send the messages
        with :meth:`complete_many` and a key naming the agent and the purpose.

        Parameters
        ----------
        agent : int
            An agent id.
        parts : list of str
            The context shown before the question.
        question : socialkit.llm.Question
            What the agent answers (rendered with its instructions).

        Returns
        -------
        list of dict or None
            None when the agent's policy is not an LLM policy (rule and scripted agents have
            no voice).
        """
        pos = int(self.agents.positions([agent])[0])
        policy = self._policy_of(pos)
        if not policy.llm:
            return None
        return policy.messages(self._personas[pos], [str(p) for p in parts], question)

    def _identity(self, t: int, agent: int, purpose: str, msgs: list[dict]) -> list:
        if self.group_by is None:
            return ["sim", t, int(agent), purpose]
        return ["sim", t, "cell", purpose, _digest_messages(msgs)]

    def _draw(self, dist: Mapping[Any, float], cdfs: dict | None = None) -> Any:
        """An option drawn from ``dist`` with the run's generator: exactly the draw of
        ``rng.choice(len(keys), p=p)`` (one uniform, then the first cdf value above it), with
        the cdf made once per distribution in ``cdfs`` (by id: the outcomes of one round)."""
        got = None if cdfs is None else cdfs.get(id(dist))
        if got is None:
            keys = list(dist)
            p = np.asarray([dist[k] for k in keys], dtype=np.float64)
            p = p / p.sum()
            np.random.default_rng(0).choice(len(keys), p=p)  # numpy's checks of p and errors
            cdf = p.cumsum()
            cdf /= cdf[-1]
            got = (keys, cdf.tolist(), dist)  # holding dist keeps its id unique
            if cdfs is not None:
                cdfs[id(dist)] = got
        return got[0][bisect.bisect_right(got[1], self.rng.random())]

    def _report(self, t: int, ask: dict[str, np.ndarray], _obs: dict, events: list) -> None:
        """Step 0: unknown reported variables asked from the persona alone."""
        from socialkit.llm.session import Request

        agents = self.agents
        policies = list(self.policies.values())
        requests, where = [], []
        made: dict[tuple, Request] = {}  # archetypes: one cell, the same request
        for n, pos in ask.items():
            var = agents.variables[n]
            for p in pos:
                cell = (int(self._role[p]), self._personas[p])
                if self.group_by is None or cell not in made:
                    msgs = policies[cell[0]].messages(self._personas[p], [], var.question)
                    made[cell] = Request(msgs, var.question,
                                         self._identity(t, agents.ids[p], n, msgs))
                requests.append(made[cell])
                where.append((p, n))
            made.clear()
        if not requests:
            return
        outcomes = self.session.complete_many(requests)
        self._hash_parts.append(_digest_prompts(requests))
        self._hash.update(self._hash_parts[-1].encode())
        cdfs: dict[int, tuple] = {}
        for (p, n), out in zip(where, outcomes, strict=True):
            var = agents.variables[n]
            if out.status == "missing":
                events.append({"step": t, "agent": int(agents.ids[p]), "action": "missing",
                               "target": -1, "text": f"{n}: {out.reason}",
                               "data": json.dumps({"purpose": n})})
            else:
                value = self._draw(out.dist, cdfs) if self.group_by is not None and out.dist \
                    else out.value
                agents.values[n][p] = var.code(value)

    def _rule(self, policy: Policy, ctx: Context, menus: list) -> dict[str, Any]:
        agents, n = self.agents, len(ctx.ids)
        if isinstance(policy, ScriptedPolicy):
            outs = policy.decide(ctx)
            keys = sorted({k for d in outs for k in d})
            got = {k: [d.get(k) for d in outs] for k in keys}
            status = "scripted"
        elif isinstance(policy, RulePolicy):
            got = dict(policy.decide(ctx))
            status = "rule"
        else:
            raise TypeError(f"unknown policy type {type(policy).__name__}")
        where = f"{policy.kind} policy {getattr(policy, 'name', '')!r}"
        cols: dict[str, Any] = {}
        for k, v in got.items():
            if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind in "fiu":
                vals = v  # numbers, one per agent: kept as an array (no None among them)
            else:
                vals = list(np.broadcast_to(np.asarray(v, dtype=object), (n,))) \
                    if np.ndim(v) == 0 else list(v)
            if len(vals) != n:
                raise ValueError(f"{where} returned {len(vals)} values of {k!r} for {n} agents")
            cols[k] = vals
        for k in [k for k in cols if k in agents.variables]:
            vals = cols.pop(k)
            if isinstance(vals, np.ndarray):
                keep = slice(None)
            else:
                keep = [i for i, v in enumerate(vals) if v is not None]
                vals = [vals[i] for i in keep]
            if len(vals):
                try:
                    codes = agents.variables[k].codes(vals, k)
                except ValueError as err:
                    raise ValueError(f"{where}: {err}") from None
                agents.values[k][ctx.positions[keep]] = codes
        out = {"policy": policy.kind, "status": status, "reason": "", "text": None}
        if "action" not in cols:  # no action chosen (e.g. no menu): nothing to validate
            args = np.empty(n, dtype=object)
            args[:] = [{} for _ in range(n)]
            return {**out, "action": np.full(n, None, dtype=object), "args": args}
        names = list(cols.pop("action"))
        # validated per (action, menu) group: a million rule agents in a few seconds
        groups: dict[tuple, list[int]] = {}
        for i, (name, menu) in enumerate(zip(names, menus, strict=True)):
            groups.setdefault((name, id(menu)), []).append(i)
        all_args: list[dict | None] = [None] * n
        arrays: dict[str, np.ndarray] = {}  # columns as object arrays, made when first needed

        def column(k: str, idx: list[int]) -> np.ndarray:
            if k not in arrays:
                arrays[k] = np.empty(n, dtype=object)
                arrays[k][:] = cols[k]
            return arrays[k][idx]

        for (name, _), idx in groups.items():
            if name is None:
                continue
            menu = menus[idx[0]]
            first = int(ctx.ids[idx[0]])
            if menu is None:
                raise ValueError(f"{where} chose action {name!r} for agent {first}, but the "
                                 f"environment offers none")
            if name not in menu.actions:
                raise ValueError(f"{where} chose unknown action {name!r} for agent {first}; "
                                 f"the menu has {list(menu.actions)}")
            spec = menu.actions[name].args
            typed = []
            for a, typ in spec.items():
                vals = column(a, idx).tolist() if a in cols else [None] * len(idx)
                for i, v in zip(idx, vals, strict=True):
                    if v is None:
                        raise ValueError(f"{where}: action {name} needs {a!r} for agent "
                                         f"{int(ctx.ids[i])}")
                typed.append(_typed_many(typ, vals, f"{where}: {name} {a}"))
            unknown = [k for k in cols if k not in spec]
            if unknown:
                given = np.ones(len(idx), dtype=bool)
                for k in unknown:
                    given &= column(k, idx) != None  # noqa: E711 (elementwise)
                if given.any():
                    raise ValueError(f"{where} returned {unknown}, which are neither state "
                                     f"variables {list(agents.variables)} nor arguments of "
                                     f"{name}")
            keys = list(spec)
            for i, vals in zip(idx, zip(*typed, strict=True) if typed else [()] * len(idx),
                               strict=True):
                all_args[i] = dict(zip(keys, vals, strict=True))
        return {**out, "action": _objects(names),
                "args": _objects([{} if a is None else a for a in all_args])}

    # ---- events, memory, records -------------------------------------------------------------
    def _decision_event(self, d: Mapping[str, Any]) -> dict:
        if d["status"] == "missing":
            return {"step": self._t_now, "agent": int(d["agent"]), "action": "missing",
                    "target": -1, "text": f"action: {d['reason']}",
                    "data": json.dumps({"purpose": "act"})}
        args = d["args"] or {}
        texts = [str(v) for v in args.values() if isinstance(v, str)]
        target = args.get("target", args.get("agent", -1))
        try:
            target = int(target)
        except (TypeError, ValueError):
            target = -1
        return {"step": self._t_now, "agent": int(d["agent"]), "action": d["action"],
                "target": target, "text": " ".join(texts) if texts else None,
                "data": _DATA.encode(args) if args else None}

    def _extra_events(self, extra: Any, where: str, events: list[dict]) -> list[pd.DataFrame]:
        """Events an environment returned (from ``setup`` or ``resolve``): dicts are appended to
        ``events``; a DataFrame (the vectorised form) is checked and returned in a list."""
        if extra is None:
            return []
        if isinstance(extra, pd.DataFrame):
            return [self._event_frame(extra, where)] if len(extra) else []
        if isinstance(extra, str | bytes) or not hasattr(extra, "__iter__"):
            raise TypeError(f"{where} must return a list of event dicts, a DataFrame or None, "
                            f"got {type(extra).__name__}")
        for e in extra:
            events.append(self._event(e, where))
        return []

    def _event_frame(self, df: pd.DataFrame, where: str) -> pd.DataFrame:
        lacking = [c for c in ("agent", "action") if c not in df.columns]
        if lacking:
            raise ValueError(f"{where} returned an events DataFrame without column(s) {lacking}")
        unknown = sorted(set(df.columns) - {"agent", "action", "target", "text", "data"})
        if unknown:
            raise ValueError(f"{where} returned an events DataFrame with unknown column(s) "
                             f"{unknown}; allowed: agent, action, target, text, data")
        n = len(df)

        def column(name: str) -> pd.Series:  # objects, None for missing (not NaN)
            if name not in df.columns:
                return pd.Series(np.full(n, None, dtype=object), dtype=object)
            x = df[name].to_numpy(dtype=object)
            miss = pd.isna(x)
            if miss.any():
                x = x.copy()
                x[miss] = None
            return pd.Series(x, dtype=object)

        texts = "data" in df.columns and isinstance(df["data"].dtype, pd.StringDtype)
        data = column("data")
        if n and not texts and any(d is not None and not isinstance(d, str) for d in data):
            data = pd.Series([d if d is None or isinstance(d, str)
                              else json.dumps(d, default=str, sort_keys=True) for d in data],
                             dtype=object)
        try:
            out = pd.DataFrame({
                "step": np.full(n, self._t_now, dtype=np.int64),
                "agent": df["agent"].to_numpy(dtype=np.int64),
                "action": pd.Series(df["action"].astype(str).to_numpy(dtype=object),
                                    dtype=object),
                "target": (df["target"].to_numpy(dtype=np.int64) if "target" in df.columns
                           else np.full(n, -1, dtype=np.int64)),
                "text": column("text"), "data": data})
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where} returned an events DataFrame with a column of the wrong "
                             f"type (agent and target must be integers): {err}") from None
        return out

    def _event(self, e: Any, where: str) -> dict:
        if not isinstance(e, Mapping) or "agent" not in e or "action" not in e:
            raise ValueError(f"{where} must return event dicts with 'agent' and 'action', got "
                             f"{e!r}")
        data = e.get("data")
        if data is not None and not isinstance(data, str):
            data = json.dumps(data, default=str, sort_keys=True)
        return {"step": self._t_now, "agent": int(e["agent"]), "action": str(e["action"]),
                "target": int(e.get("target", -1)), "text": e.get("text"), "data": data}

    def _remember(self, t: int, active: np.ndarray, observations: list[str],
                  decisions: pd.DataFrame) -> None:
        llm = self._llm_roles()[self._role[active]]
        agents, texts = [], []
        actions, statuses, all_args = (decisions[c].tolist() for c in ("action", "status", "args"))
        if isinstance(observations, Texts) and llm.all():
            observations = observations.tolist()  # every text is read (and rendered already)
        for i in np.flatnonzero(llm).tolist():
            a = int(self.agents.ids[active[i]])
            seen = observations[i].strip()
            if seen:
                agents.append(a)
                texts.append(seen)
            action = actions[i]
            if action is not None and statuses[i] != "missing":
                args = all_args[i] or {}
                said = "; ".join(f"{k}: {v}" for k, v in args.items())
                agents.append(a)
                texts.append(f"I chose to {action.replace('_', ' ')}"
                             + (f" ({said})" if said else "") + ".")
        if not texts:
            return
        now = self.clock.hours(t)
        importance = None
        if self.importance == "llm":
            from socialkit.memory import llm_importance

            importance = llm_importance(self._ask_fn(t, "importance"))(texts)
        self.memory.add(agents, texts, now, importance)
        if self.reflect and hasattr(self.memory, "due"):
            llm_ids = set(self.agents.ids[active[llm]].tolist())
            if self.reflect is True:
                due = [a for a in self.memory.due().tolist() if a in llm_ids]
            else:  # every k steps: the active LLM agents
                due = sorted(llm_ids) if t % self.reflect == 0 else []
            if due:
                self.memory.reflect(now, self._ask_fn(t, "reflect"), agent_ids=due)

    def _ask_fn(self, t: int, purpose: str) -> Callable[[list], list]:
        """Batched free-text calls for memory work, through the session (cached, counted)."""
        from socialkit.llm import FreeText
        from socialkit.llm.session import Request

        q = FreeText("memory", max_words=200, name=purpose)
        calls = {"n": 0}
        formats: dict[str, FreeText] = {}

        def ask(prompts: list, grammars: list | None = None) -> list:
            """``grammars``: one GBNF per prompt (or None), the reply format (reflection)."""
            calls["n"] += 1
            qs = [q if g is None else formats.setdefault(g, _Formatted(g, purpose))
                  for g in (grammars or [None] * len(prompts))]
            reqs = [Request(list(m), qm, ["sim", t, purpose, calls["n"], _digest_messages(m)])
                    for m, qm in zip(prompts, qs, strict=True)]
            outs = self.session.complete_many(reqs)
            return [o.text if o.status != "missing" else None for o in outs]

        return ask

    def _record(self, t: int, events: list[dict], stats: dict[str, float],
                frames: list[pd.DataFrame] | None = None) -> None:
        values = {n: v.copy() for n, v in self.agents.values.items()}
        measures = {}
        for k, v in (self.env.measures(self) or {}).items():
            try:
                measures[str(k)] = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"{self.env.name}.measures: {k!r} is not a number: "
                                 f"{v!r}") from None
        self._records.append({"step": t, "values": values, "measures": measures,
                              "stats": stats, "events": events, "frames": frames or []})

    # ---- results -----------------------------------------------------------------------------
    def result(self) -> Any:
        """The :class:`socialkit.Run` of the steps done so far."""
        from socialkit.run import AGGREGATE, Run, provenance

        ids = self.agents.ids
        parts = []
        for rec in self._records:
            s = rec["step"]
            for name, x in rec["values"].items():
                if self.record == "agents" or (not isinstance(self.record, str) and (
                        s % self.record == 0 or s == self.t)):
                    parts.append(pd.DataFrame({"step": s, "agent": ids, "variable": name,
                                               "value": x}))
                elif self.record == "summary":
                    parts.append(_summary_rows(s, name, x, self.agents.variables[name]))
            agg = {**{f"{k}.value" if "." not in k else k: v
                      for k, v in rec["measures"].items()},
                   **{f"decisions.{k}": v for k, v in rec["stats"].items()}}
            if agg:
                parts.append(pd.DataFrame({"step": s, "agent": AGGREGATE,
                                           "variable": list(agg), "value": list(agg.values())}))
        traj = pd.concat(parts, ignore_index=True) if parts else None
        cols = ["step", "agent", "action", "target", "text", "data"]
        chunks, evs = [], []
        for rec in self._records:  # dict events, then an environment's event frames, by step
            evs.extend(rec["events"])
            if rec.get("frames"):
                if evs:
                    chunks.append(pd.DataFrame(evs, columns=cols))
                    evs = []
                chunks.extend(rec["frames"])
        if evs or not chunks:
            chunks.append(pd.DataFrame(evs, columns=cols))
        events = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
        params = {"steps": self.t, "n_agents": len(self.agents), "env": self.env.spec(),
                  "policies": {r: p.spec() for r, p in self.policies.items()},
                  "activation": self._activation.describe(), "clock": self.clock.spec(),
                  "group_by": self.group_by, "memory": None if self.memory is None
                  else type(self.memory).__name__, "remember": self.remember,
                  "reflect": self.reflect, "importance": self.importance,
                  "record": self.record}
        if self.params is not None:
            params = {**self.params, "steps": self.t}
        if self._fork is not None:
            params["fork"] = self._fork
        extra: dict[str, Any] = {"engine": "socialkit.Simulation", "name": self.name,
                                 "prompts_hash": self._hash.hexdigest()[:16]}
        if self._session is not None:
            s = self._session
            extra["model_id"] = s.backend.model_id
            extra["usage"] = {k: v for k, v in s.summary().as_dict().items()
                              if k in ("jobs", "unique", "calls", "cache_hits", "retries",
                                       "reasks", "tokens", "cost", "missing", "calls_saved",
                                       "budget_stopped", "share")}
        if self._resumed_at is not None:
            extra["resumed_at"] = self._resumed_at
        if self.folder is not None:
            extra["checkpoint"] = str(self.folder)
        info = {n: {**v.describe(), "clock": self.clock.unit}
                for n, v in self.agents.variables.items()}
        return Run(traj, events, params=params, seed=self.seed, model=self.name,
                   provenance=provenance(**extra), variables=info)

    # ---- branching ---------------------------------------------------------------------------
    def fork(self, at: int, intervene: Callable[[Simulation], Any] | None = None, *,
             checkpoint: str | os.PathLike | None = None, name: str | None = None
             ) -> Simulation:
        """A branch of this simulation at step ``at``: a new simulation with the same arguments
        replays steps 1..``at`` (from the LLM cache: no new calls for cached replies), then
        ``intervene(branch)`` changes it (state, environment, memories); ``branch.run(steps)``
        then continues, and diverges. This simulation is left as it is.

        Parameters
        ----------
        at : int
            The step to branch from (0 to the steps done).
        intervene : callable, optional
            ``intervene(branch)``; its return value is ignored.
        checkpoint : str or path, optional
            The branch's own checkpoint folder.
        name : str, optional
            The branch's name (default: ``"<name> fork at <at>"``).
        """
        if isinstance(at, bool) or not isinstance(at, int | np.integer) or not 0 <= at <= self.t:
            raise ValueError(f"fork at must be a step from 0 to {self.t} (the steps done), "
                             f"got {at!r}")
        if intervene is not None and not callable(intervene):
            raise TypeError(f"intervene must be a function of the branch, got "
                            f"{type(intervene).__name__}")
        args = dict(self._args)
        args["env"] = copy.deepcopy(self._env_template)
        if self.memory is not None:
            if self._memory_template is None:
                raise ValueError("this memory cannot be copied for a fork (no empty())")
            args["memory"] = self._memory_template.empty()
        args["checkpoint"] = checkpoint
        args["name"] = name or f"{self.name} fork at {at}"
        args["progress"] = self.progress
        if self._session is not None:  # the same backend and cache, a fresh usage account
            args["model"] = self._session.backend
            args["cache"] = self._session.cache
        branch = Simulation(**args)
        branch._fork = {"from": self.name, "at": int(at),
                        "intervene": None if intervene is None else
                        getattr(intervene, "__qualname__", repr(intervene))}
        if branch.t < at:
            branch.run(at)
        if intervene is not None:
            intervene(branch)
        return branch


def _objects(values: Sequence[Any]) -> np.ndarray:
    """A 1-d object array of the values as they are (dicts, None, strings)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Decision rows (dicts) as columns: :data:`DECISION_COLUMNS` but ``agent``."""
    return {c: _objects([r[c] for r in rows]) for c in DECISION_COLUMNS[1:]}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as dicts holding the values ``iterrows`` gives, built column-wise
    (a pandas Series per row costs ~100 us; this ~4 us)."""
    names = list(df.columns)
    return [dict(zip(names, row, strict=True))
            for row in zip(*(df[c].tolist() for c in names), strict=True)]


class _Formatted(FreeText):
    """Free text whose reply format a GBNF grammar fixes (on backends that constrain)."""

    def __init__(self, grammar: str, purpose: str):
        super().__init__("memory", max_words=200, name=purpose)
        self._grammar = grammar

    def grammar(self) -> str:
        return self._grammar

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "grammar": self._grammar}


def _typed_many(arg: Any, values: list, where: str) -> list:
    """``[_typed(arg, v, where) for v in values]``, with numbers checked in bulk."""
    if isinstance(arg, Number) and values:
        kinds = set(map(type, values))
        if kinds <= {int, float, np.int64, np.float64, np.int32, np.float32}:
            x = np.asarray(values, dtype=np.float64)
            if ((x >= arg.low) & (x <= arg.high)).all():
                return x.astype(np.int64).tolist() if arg.integer else x.tolist()
    return [_typed(arg, v, where) for v in values]


def _typed(arg: Any, value: Any, where: str) -> Any:
    if isinstance(arg, Number):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
                or not arg.low <= float(value) <= arg.high:
            raise ValueError(f"{where}: {value!r} is not {arg.describe()}")
        return int(value) if arg.integer else float(value)
    if isinstance(arg, OneOf):
        if str(value) not in arg.options:
            raise ValueError(f"{where}: {value!r} is not {arg.describe()}")
        return str(value)
    if isinstance(arg, Text):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}: {value!r} is not a non-empty text")
        return value
    return value


def _summary_rows(step: int, name: str, x: np.ndarray, var: Any) -> pd.DataFrame:
    from socialkit.run import AGGREGATE

    if isinstance(var, Categorical):
        labels, vals = [], []
        known = x[~np.isnan(x)]
        for i, c in enumerate(var.categories):
            labels += [f"{name}.n_{c}", f"{name}.share_{c}"]
            cnt = float((known == i).sum())
            vals += [cnt, cnt / len(known) if len(known) else math.nan]
    else:
        with np.errstate(all="ignore"):
            ok = x[~np.isnan(x)]
            stats = ([ok.mean(), ok.std(), ok.min(), ok.max()] if len(ok)
                     else [math.nan] * 4)
        labels = [f"{name}.{s}" for s in ("mean", "sd", "min", "max")]
        vals = stats
    return pd.DataFrame({"step": step, "agent": AGGREGATE, "variable": labels,
                         "value": np.asarray(vals, dtype=np.float64)})


def resume(folder: str | os.PathLike, model: Any = None, **overrides: Any) -> Simulation:
    """The simulation checkpointed in ``folder``, at its last completed step.

    The arguments it was made with are read back from ``config.pkl`` (``model=`` replaces the
    model, e.g. a LangChain client that cannot be pickled; ``overrides`` replace others such as
    ``progress``). A simulation made with functions that cannot be pickled (lambdas) wrote no
    config: build it again with the same arguments and ``checkpoint=folder``, which continues.

    Examples
    --------
    >>> import tempfile, socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(3))
    >>> folder = tempfile.mkdtemp()
    >>> sim = sk.Simulation(pop, policy=sk.agents.RulePolicy(sk.sim.examples.drift),
    ...                     state={"x": sk.agents.Continuous(initial=0.0)}, checkpoint=folder,
    ...                     progress=False)
    >>> _ = sim.run(2)
    >>> sk.sim.resume(folder).t
    2
    """
    folder = Path(folder)
    if not (folder / "simulation.json").exists():
        raise ValueError(f"resume: {str(folder)!r} holds no simulation checkpoint "
                         "(simulation.json is missing)")
    if not (folder / "config.pkl").exists():
        raise ValueError(f"resume: {str(folder)!r} has no config.pkl: the simulation was made "
                         "with arguments that cannot be pickled (e.g. lambdas); build it again "
                         "with the same arguments and checkpoint=folder, and it continues")
    try:
        args = pickle.loads((folder / "config.pkl").read_bytes())
    except Exception as err:
        raise ValueError(f"resume: {str(folder)!r}: config.pkl cannot be read "
                         f"({type(err).__name__}: {err})") from None
    if model is not None:
        args["model"] = model
    unknown = sorted(set(overrides) - set(args))
    if unknown:
        raise TypeError(f"resume got unknown arguments {unknown}")
    args.update(overrides)
    args["checkpoint"] = folder
    return Simulation(**args)
