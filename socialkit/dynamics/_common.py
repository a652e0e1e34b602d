"""Shared plumbing of the dynamics engines: seeds, initial states, recording."""

from __future__ import annotations

import datetime as _dt
import numbers
import os
import warnings
from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.dynamics._graph import Net
from socialkit.dynamics._measures import clusters
from socialkit.run import AGGREGATE, Run, provenance

__all__ = ["make_rng", "initial_values", "agent_values", "codes", "seed_states", "diffuse",
           "Recorder", "clusters", "BYTES_PER_ROW", "memory_limit"]

#: peak bytes per trajectory row while recording and building the DataFrame (step, agent,
#: variable, value, and the copy made by the final concatenation)
BYTES_PER_ROW = 48


def memory_limit() -> int:
    """Bytes a recording may use: the machine's physical memory (16 GiB where unknown)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return 16 * 2**30


def make_rng(seed) -> tuple[np.random.Generator, int]:
    """One generator per run; a missing seed is drawn from fresh entropy and returned to record."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    seed = int(seed)
    return np.random.default_rng(seed), seed


def agent_values(net: Net, values, name: str, low: float | None = None,
                 high: float | None = None, what: str = "initial value") -> np.ndarray:
    """One float per agent of ``net``, in its agent order.

    ``values`` may be an array-like in that order, a node-attribute name, a mapping or Series
    indexed by agent id (e.g. a Population column), or a scalar for every agent. Values must be
    finite and inside ``[low, high]``; errors name ``name`` and the offending agent.
    """
    nodes = net.nodes
    n = len(nodes)
    if isinstance(values, str):
        if net.graph is None:
            raise ValueError(f"{name}: node attribute {values!r} needs a networkx graph; pass an "
                             "array or a Series instead")
        raw = [net.graph.nodes[v].get(values) for v in nodes.tolist()]
        missing = [v for v, x in zip(nodes.tolist(), raw, strict=True) if x is None]
        if missing:
            raise ValueError(f"{name}: node attribute {values!r} is missing on {len(missing)} of "
                             f"{n} nodes, e.g. {missing[:5]}")
        source = f"node attribute {values!r}"
    elif isinstance(values, pd.Series | Mapping):
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        index = pd.Index(series.index)
        missing = nodes[~pd.Index(nodes).isin(index)]
        if len(missing):
            raise ValueError(f"{name}: no {what} for {len(missing)} of {n} nodes, "
                             f"e.g. {missing[:5].tolist()}")
        if index.has_duplicates:
            raise ValueError(f"{name}: the index has duplicate agent ids, e.g. "
                             f"{index[index.duplicated()][:5].tolist()}")
        raw = series.loc[nodes].to_numpy()
        source = "the given mapping"
    elif isinstance(values, numbers.Real):
        raw = np.full(n, values)
        source = "the scalar"
    else:
        raw = np.asarray(values)
        if raw.ndim != 1 or len(raw) != n:
            raise ValueError(f"{name}: expected {n} values (one per agent), got shape {raw.shape}")
        source = "the array"
    try:
        x = np.array(raw, dtype=float)  # always a private, writable copy
    except (TypeError, ValueError):
        raise TypeError(f"{name}: values from {source} are not numeric") from None
    bad = ~np.isfinite(x)
    if bad.any():
        where = nodes[bad][:5].tolist()
        raise ValueError(f"{name}: {int(bad.sum())} {what}(s) from {source} are NaN or "
                         f"infinite, at nodes {where}")
    outside = np.zeros(n, dtype=bool)
    if low is not None:
        outside |= x < low
    if high is not None:
        outside |= x > high
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        hint = "; rescale first, e.g. (x - 1) / 6 for a 1-7 scale" if what == "initial value" else ""
        raise ValueError(f"{name}: {what} {float(x[i])!r} at node {nodes[i].item()!r} is outside "
                         f"[{low}, {high}] ({int(outside.sum())} value(s) outside){hint}")
    return x


def initial_values(G: nx.Graph, values, name: str, low: float | None = None,
                   high: float | None = None) -> np.ndarray:
    """Initial states of the nodes of ``G`` in ``list(G)`` order (see :func:`agent_values`)."""
    return agent_values(Net(np.asarray(list(G)), None, G), values, name, low, high)


def codes(x: np.ndarray, nodes: np.ndarray, name: str, allowed: Iterable[int] | None = None,
          meaning: str = "") -> np.ndarray:
    """Check that ``x`` holds integer codes (``>= 0``, or in ``allowed``); return them as int64."""
    frac = x != np.round(x)
    bad = frac | (x < 0)
    if allowed is not None:
        allowed = sorted(allowed)
        bad |= ~np.isin(x, allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = f"one of {allowed}" if allowed is not None else "integer codes >= 0"
        tail = f" ({meaning})" if meaning else ""
        raise ValueError(f"{name}: state {float(x[i])!r} at node {nodes[i].item()!r} is not allowed "
                         f"({int(bad.sum())} bad value(s)); allowed {rule}{tail}")
    return x.astype(np.int64)


def seed_states(net: Net, seeds, states, name: str, allowed: list[int], meaning: str) -> np.ndarray:
    """Initial codes of a diffusion run from a seed set (code 1) or from per-agent ``states``."""
    if (seeds is None) == (states is None):
        raise ValueError(f"{name}: give exactly one of seeds= (agents that start infected or "
                         "active) and states= (one state code per agent)")
    if states is not None:
        return codes(agent_values(net, states, f"{name}: states", what="state"), net.nodes,
                     f"{name}: states", allowed, meaning)
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):
        raise TypeError(f"{name}: seeds must be a collection of agent ids, got {seeds!r}")
    seeds = list(seeds)
    index = pd.Index(net.nodes)
    pos = index.get_indexer(seeds)
    if (pos < 0).any():
        unknown = [s for s, p in zip(seeds, pos, strict=True) if p < 0]
        raise ValueError(f"{name}: {len(unknown)} seed(s) are not agents of the graph, "
                         f"e.g. {unknown[:5]}")
    x = np.zeros(net.n, dtype=np.int64)
    x[pos] = 1
    return x


def diffuse(name: str, net: Net, x: np.ndarray, labels: list[str], steps: int, record,
            progress: bool, update, alive: bool) -> tuple[Recorder, dict]:
    """The loop of a diffusion model: ``update()`` advances ``x`` one step in place and returns
    False once no further change is possible (absorbed), after which the state is carried
    forward; ``alive`` says whether change is possible at the start. Returns the recorder and
    the common run parameters (``absorbed_at``: the step from which the state is final)."""
    from tqdm.auto import tqdm

    rec = Recorder(record, net.nodes, steps, "state", states=labels)
    rec(0, x)
    n_initial = int(np.count_nonzero(x))
    absorbed_at = None if alive else 0
    if absorbed_at == 0:
        rec.fill(1, x)
    for step in tqdm(range(1, steps + 1) if absorbed_at is None else (), disable=not progress,
                     desc=name, unit="step"):
        if not update():
            absorbed_at = step
        rec(step, x)
        if absorbed_at is not None:  # absorbed: the remaining steps repeat the state
            rec.fill(step + 1, x)
            break
    params = {"steps": steps, "record": record, "states": labels, "n_agents": net.n,
              "n_edges": net.n_edges(), "well_mixed": net.well_mixed,
              "n_initial": n_initial,
              "absorbed_at": absorbed_at}
    return rec, params


def _objects(value: str, n: int) -> pd.Series:
    """``n`` copies of a string as an object column (Run's dtype), without string inference."""
    arr = np.empty(n, dtype=object)
    arr.fill(value)
    return pd.Series(arr, dtype=object, copy=False)


_STATIC_PROVENANCE: dict | None = None


def _provenance(model: str) -> dict:
    # package versions do not change within a process: look them up once (about 5 ms)
    global _STATIC_PROVENANCE
    if _STATIC_PROVENANCE is None:
        _STATIC_PROVENANCE = provenance()
    out = dict(_STATIC_PROVENANCE, dependencies=dict(_STATIC_PROVENANCE["dependencies"]))
    out["timestamp"] = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    out["engine"] = f"socialkit.dynamics.{model}"
    return out


class Recorder:
    """Collects states into a tidy trajectory, building the DataFrame once at the end.

    ``record`` is ``"agents"`` (every agent, every step), an integer ``k`` (every agent, every
    ``k`` steps, plus the last step) or ``"summary"`` (no per-agent rows). Numeric variables get
    summary rows (agent -1) ``<variable>.mean``, ``.sd``, ``.min`` and ``.max`` at every step when
    ``record="summary"``. Categorical variables (``states`` = one label per code) always get, at
    every step, ``<variable>.n_<label>`` (count) and ``<variable>.share_<label>`` (share).

    Before anything is recorded, the size of the trajectory is estimated (rows times
    ``BYTES_PER_ROW``); a run that could not fit in the machine's memory (:func:`memory_limit`)
    raises ``ValueError`` naming ``steps`` and ``record``. :meth:`fill` records the steps after
    an absorbing state in one go.
    """

    def __init__(self, record, agents: np.ndarray, steps: int, variable: str,
                 states: list[str] | None = None):
        if isinstance(record, str) and record == "agents":
            every = 1
        elif isinstance(record, str) and record == "summary":
            every = None
        elif isinstance(record, numbers.Integral) and not isinstance(record, bool) and record >= 1:
            every = int(record)
        else:
            raise ValueError(f"record must be 'agents', 'summary' or a positive integer k, "
                             f"got {record!r}")
        self.every, self.agents, self.steps, self.variable = every, agents, steps, variable
        self.states = states
        self._check_size()
        self.agent_steps: list[int] = []
        self.agent_values: list[np.ndarray] = []
        self.summary_steps: list[int] = []
        self.summary_values: list[np.ndarray] = []
        if states is None:
            self.stat_names = [f"{variable}.{k}" for k in ("mean", "sd", "min", "max")]
        else:
            self.stat_names = ([f"{variable}.n_{s}" for s in states]
                               + [f"{variable}.share_{s}" for s in states])

    def _check_size(self) -> None:
        n_stats = (2 * len(self.states) if self.states is not None
                   else 4 if self.every is None else 0)
        agent_steps = 0 if self.every is None else self.steps // self.every + 2
        rows = agent_steps * len(self.agents) + (self.steps + 1) * n_stats
        need, limit = rows * BYTES_PER_ROW, memory_limit()
        if need > limit:
            raise ValueError(
                f"steps={self.steps} with record={self._record_text()} would record about "
                f"{rows:.3g} trajectory rows ({need / 2**30:.3g} GiB), more than this machine's "
                f"memory ({limit / 2**30:.3g} GiB); use fewer steps, record every k-th step "
                "(record=k) or record='summary'")

    def _record_text(self) -> str:
        return ("'summary'" if self.every is None else "'agents'" if self.every == 1
                else str(self.every))

    def fill(self, start: int, x: np.ndarray) -> None:
        """Record ``x`` unchanged at every step from ``start`` to the last (absorbed state)."""
        if start > self.steps:
            return
        steps = np.arange(start, self.steps + 1, dtype=np.int64)
        if self.every is not None:
            picked = steps[(steps % self.every == 0) | (steps == self.steps)]
            if len(picked):
                self.agent_steps.extend(picked.tolist())
                self.agent_values.append(np.tile(np.asarray(x, dtype=float), len(picked)))
        if self.states is not None or self.every is None:
            self.summary_steps.extend(steps.tolist())
            self.summary_values.append(np.tile(self._summary_row(x), len(steps)))

    def wants_agents(self, step: int) -> bool:
        return self.every is not None and (step % self.every == 0 or step == self.steps)

    def __call__(self, step: int, x: np.ndarray) -> None:
        if self.wants_agents(step):
            self.agent_steps.append(step)
            self.agent_values.append(np.asarray(x, dtype=float).copy())
        if self.states is not None or self.every is None:
            self.summary_steps.append(step)
            self.summary_values.append(self._summary_row(x))

    def _summary_row(self, x: np.ndarray) -> np.ndarray:
        if self.states is not None:
            counts = np.bincount(x, minlength=len(self.states)).astype(float)
            return np.concatenate([counts, counts / len(x)])
        stats = np.array([x.mean(), x.std(), x.min(), x.max()], float)
        if np.isnan(stats[0]):  # agents without a value yet (LLM runs): over the others
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                stats = np.array([np.nanmean(x), np.nanstd(x), np.nanmin(x), np.nanmax(x)])
        return stats

    def trajectory(self) -> pd.DataFrame:
        parts = []
        if self.agent_steps:
            n = len(self.agents)
            parts.append(pd.DataFrame({
                "step": np.repeat(np.asarray(self.agent_steps, dtype=np.int64), n),
                "agent": np.tile(np.asarray(self.agents, dtype=np.int64), len(self.agent_steps)),
                "variable": _objects(self.variable, n * len(self.agent_steps)),
                "value": np.concatenate(self.agent_values)}))
        if self.summary_steps:
            k = len(self.stat_names)
            parts.append(pd.DataFrame({
                "step": np.repeat(np.asarray(self.summary_steps, dtype=np.int64), k),
                "agent": np.int64(AGGREGATE),
                "variable": pd.Series(np.tile(np.asarray(self.stat_names, dtype=object),
                                              len(self.summary_steps)), dtype=object, copy=False),
                "value": np.concatenate(self.summary_values)}))
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    def run(self, model: str, params: dict, seed: int) -> Run:
        return Run(self.trajectory(), params=params, seed=seed, model=model,
                   provenance=_provenance(model))
