"""Peer baselines for ``bench_sim.py``: Concordia and Mesa 3 simulation loops, in their own Python.

- Concordia (gdm-concordia 2.1.0): N agents built by the prefab ``concordia.prefabs.entity.basic``
  (an ``EntityAgentWithLogging``: instructions, observation to memory, last 100 observations,
  situation and self perception, person by situation, 10 similar memories, ``ConcatActComponent``)
  act for a few steps in ``concordia.environment.engines.simultaneous.Simultaneous.run_loop``
  (every agent acts every step; logging on, as ``Simulation.play`` runs it, but not verbose). The
  game master is assembled from Concordia's standard components as the prefab
  ``game_master.generic`` does, except that all entities act each step (``NextActingAllEntities``,
  ``FixedActionSpec`` free action, ``Terminate`` never ending early) and events are resolved by
  ``SwitchAct`` itself (``EventResolution`` needs a single active player, i.e. the sequential
  engine). The language model is Concordia's ``NoLanguageModel`` (empty text, first choice)
  behind a wrapper that counts ``sample_text`` + ``sample_choice`` calls (one wrapper for the
  agents, one for the game master); the embedder is a hash-seeded unit vector of dimension 384.
  Timed: ``run_loop`` only (building excluded), in wall seconds and in CPU seconds of the process
  (all its threads: robust to other work on the machine). Agent-steps/s = agents x steps / loop
  seconds,
  game master included (it writes every observation); calls per act = agents' model calls / acts.
- Mesa 3: a ``mesa.Model`` with one ``mesa.Agent`` per node of
  ``networkx.fast_gnp_random_graph(n, 8 / n, seed=0)``; each step ``agents.do("step")`` computes
  ``opinion + 0.5 * (mean of up to k random neighbours' opinions - opinion)`` and
  ``agents.do("advance")`` applies it (synchronous update). Neighbours come from a plain list per
  agent (headline) or from ``mesa.space.NetworkGrid.get_neighbors`` (``network_grid``). Timed: the
  steps only (building excluded).

The peers run in the Python given by ``python=`` / ``--concordia-python`` / ``$CONCORDIA_PYTHON``
(``--mesa-python`` / ``$MESA_PYTHON`` for Mesa), else in this interpreter if it can import the
peer, else they are skipped with a printed reason. The worker functions import only the peer,
numpy and networkx. Run alone with ``.venv/bin/python benchmarks/_sim_peers.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREMISE = "The residents of a small town meet on the square to talk about the new bus line."


# ---- running a worker in the peer's Python ---------------------------------------------------
def peer_python(python: str | None, env_var: str, module: str) -> str | None:
    """The Python to run a peer in: ``python``, ``$env_var``, or this one if it has ``module``."""
    python = python or os.environ.get(env_var)
    if python:
        return python
    return sys.executable if importlib.util.find_spec(module) else None


def _run_worker(python: str, worker: str, kwargs: dict, timeout: float) -> dict | None:
    """Run ``worker(**kwargs, out=...)`` of this module in ``python``; its JSON result or None."""
    with tempfile.TemporaryDirectory() as d:
        out = str(Path(d) / "result.json")
        code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import _sim_peers; "
                f"_sim_peers.{worker}(**json.loads(sys.argv[1]))")
        try:
            res = subprocess.run([python, "-c", code, json.dumps({**kwargs, "out": out})],
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"  {worker} {kwargs} timed out after {timeout:.0f} s")
            return None
        if res.returncode != 0:
            print(f"  {worker} failed ({python}):\n{res.stderr[-2000:]}")
            return None
        return json.loads(Path(out).read_text())


# ---- Concordia ---------------------------------------------------------------------------------
def _hash_embedder(dim: int = 384):
    """A deterministic text embedder: a unit vector drawn from a generator seeded by the text."""
    import hashlib

    import numpy as np

    def embed(text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(dim)
        return v / np.linalg.norm(v)

    return embed


def concordia_worker(n_agents: int, steps: int, out: str) -> None:
    """Run in Concordia's Python: time ``Simultaneous.run_loop`` of basic entities, no LLM."""
    import threading
    from importlib.metadata import version

    from concordia.agents import entity_agent_with_logging
    from concordia.associative_memory import basic_associative_memory
    from concordia.components import agent as ac
    from concordia.components import game_master as gmc
    from concordia.environment.engines import simultaneous
    from concordia.language_model import language_model, no_language_model
    from concordia.prefabs.entity import basic
    from concordia.typing import entity as entity_lib

    class CountingModel(language_model.LanguageModel):
        """NoLanguageModel, counting calls and prompt characters."""

        def __init__(self) -> None:
            self._model = no_language_model.NoLanguageModel()
            self._lock = threading.Lock()
            self.calls = self.prompt_chars = 0

        def _count(self, prompt: str) -> None:
            with self._lock:
                self.calls += 1
                self.prompt_chars += len(prompt)

        def sample_text(self, prompt, **kwargs):
            self._count(prompt)
            return self._model.sample_text(prompt, **kwargs)

        def sample_choice(self, prompt, responses, **kwargs):
            self._count(prompt)
            return self._model.sample_choice(prompt, responses, **kwargs)

    embed = _hash_embedder()
    agent_model, gm_model = CountingModel(), CountingModel()

    def bank():
        return basic_associative_memory.AssociativeMemoryBank(sentence_embedder=embed)

    t0 = time.perf_counter()
    names = [f"Agent{i}" for i in range(n_agents)]
    entities = [basic.Entity(params={"name": name, "goal": "", "randomize_choices": True})
                .build(model=agent_model, memory_bank=bank()) for name in names]
    # the generic game master's components, with all entities acting each step
    context = ["instructions", "player_characters", "relevant_memories", "display_events"]
    components = {
        "instructions": gmc.instructions.Instructions(),
        "examples": gmc.instructions.ExamplesSynchronous(),
        "player_characters": gmc.instructions.PlayerCharacters(player_characters=names),
        "relevant_memories": ac.all_similar_memories.AllSimilarMemories(
            model=gm_model, components=["display_events"], num_memories_to_retrieve=5,
            pre_act_label="Background info"),
        ac.observation.DEFAULT_OBSERVATION_COMPONENT_KEY:
            ac.observation.LastNObservations(history_length=1000),
        "observation_to_memory": ac.observation.ObservationToMemory(),
        "display_events": gmc.event_resolution.DisplayEvents(
            model=gm_model,
            pre_act_label="Story so far (ordered from oldest to most recent events)"),
        ac.memory.DEFAULT_MEMORY_COMPONENT_KEY: ac.memory.AssociativeMemory(memory_bank=bank()),
        gmc.make_observation.DEFAULT_MAKE_OBSERVATION_COMPONENT_KEY:
            gmc.make_observation.MakeObservation(
                model=gm_model, player_names=names, components=context,
                reformat_observations_in_specified_style=(
                    "The format to use when describing the current situation to a player is: "
                    '"//date or time//situation description".')),
        gmc.next_acting.DEFAULT_NEXT_ACTING_COMPONENT_KEY:
            gmc.next_acting.NextActingAllEntities(player_names=names),
        gmc.next_acting.DEFAULT_NEXT_ACTION_SPEC_COMPONENT_KEY: gmc.next_acting.FixedActionSpec(
            action_spec=entity_lib.free_action_spec(
                call_to_action=entity_lib.DEFAULT_CALL_TO_ACTION)),
        gmc.terminate.DEFAULT_TERMINATE_COMPONENT_KEY: gmc.terminate.Terminate(),
    }
    game_master = entity_agent_with_logging.EntityAgentWithLogging(
        agent_name="default rules",
        act_component=gmc.switch_act.SwitchAct(model=gm_model, entity_names=names,
                                               component_order=list(components)),
        context_components=components,
    )
    t_build = time.perf_counter() - t0

    log: list = []
    t0, c0 = time.perf_counter(), time.process_time()
    simultaneous.Simultaneous().run_loop(game_masters=[game_master], entities=entities,
                                         premise=PREMISE, max_steps=steps, verbose=False, log=log)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    acts = sum(key.startswith("Entity [") for entry in log for key in entry)
    done = len(log)
    Path(out).write_text(json.dumps({
        "agents": n_agents, "steps": done, "acts": acts, "seconds": seconds,
        "cpu_seconds": cpu, "agent_steps_per_cpu_s": acts / max(cpu, 1e-9),
        "build_seconds": t_build, "agent_steps_per_s": acts / seconds,
        "calls_per_act": agent_model.calls / acts,
        "prompt_chars_per_act": agent_model.prompt_chars / acts,
        "gm_calls_per_step": gm_model.calls / done,
        "version": version("gdm-concordia"),
    }))


def concordia(n_agents_list=(5, 10, 20, 50, 100, 200, 500, 1000), steps: int = 2,
              python: str | None = None, time_cap: float = 60.0) -> dict | None:
    """Concordia basic entities in the simultaneous engine, growing N until a run exceeds time_cap.

    Each size runs in a fresh process; a size whose time, extrapolated linearly from the last one,
    exceeds 2 x time_cap is not started. Returns the largest run's figures and all ``runs``.
    """
    python = peer_python(python, "CONCORDIA_PYTHON", "concordia")
    if python is None:
        print("  Concordia    skipped: pass --concordia-python or set CONCORDIA_PYTHON (a Python "
              "with gdm-concordia 2.1.0, numpy, pandas, absl-py, termcolor, typing_extensions)")
        return None
    runs: list[dict] = []
    for n in sorted(n_agents_list):
        if runs:
            last = runs[-1]
            if last["seconds"] > time_cap:
                break
            expected = last["seconds"] * n / last["agents"]
            if expected > 2 * time_cap:
                print(f"  Concordia    {n} agents not run: ~{expected:.0f} s expected")
                break
        run = _run_worker(python, "concordia_worker", {"n_agents": n, "steps": steps},
                          timeout=max(4 * time_cap, 240.0))
        if run is None:
            break
        runs.append(run)
    if not runs:
        return None
    return {**runs[-1], "runs": runs}


# ---- Mesa 3 ------------------------------------------------------------------------------------
def mesa_worker(n_agents: int, steps: int, k: int, grid: bool, out: str) -> None:
    """Run in Mesa's Python: time ``steps`` synchronous neighbour-mean updates of ``n_agents``."""
    import mesa
    import networkx as nx
    import numpy as np

    class OpinionAgent(mesa.Agent):
        def __init__(self, model, opinion):
            super().__init__(model)
            self.opinion = self.new_opinion = opinion
            self.neighbors = []

        def step(self):
            nb = self.model.grid.get_neighbors(self.pos) if self.model.grid else self.neighbors
            if not nb:
                self.new_opinion = self.opinion
                return
            if len(nb) > self.model.k:
                nb = self.random.sample(nb, self.model.k)
            mean = sum(a.opinion for a in nb) / len(nb)
            self.new_opinion = self.opinion + 0.5 * (mean - self.opinion)

        def advance(self):
            self.opinion = self.new_opinion

    class NeighbourMeanModel(mesa.Model):
        def __init__(self, G, opinions, k, grid, seed):
            super().__init__(seed=seed)
            self.k = k
            self.grid = mesa.space.NetworkGrid(G) if grid else None
            agents = OpinionAgent.create_agents(self, len(opinions), list(opinions))
            by_node = dict(zip(G.nodes, agents, strict=True))
            for node, agent in by_node.items():
                if self.grid:
                    self.grid.place_agent(agent, node)
                else:
                    agent.neighbors = [by_node[v] for v in G[node]]

        def step(self):
            self.agents.do("step")
            self.agents.do("advance")

    G = nx.fast_gnp_random_graph(n_agents, 8 / n_agents, seed=0)
    x0 = np.random.default_rng(0).random(n_agents).tolist()
    t0 = time.perf_counter()
    model = NeighbourMeanModel(G, x0, k, grid, seed=0)
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    final = np.array([a.opinion for a in model.agents])
    Path(out).write_text(json.dumps({
        "agents": n_agents, "steps": steps, "k": k, "seconds": seconds, "build_seconds": t_build,
        "agent_steps_per_s": n_agents * steps / seconds, "cpu_seconds": cpu,
        "agent_steps_per_cpu_s": n_agents * steps / max(cpu, 1e-9), "final_std": float(final.std()),
        "version": mesa.__version__,
    }))


def mesa(n_agents: int = 10_000, steps: int = 20, k: int = 5,
         python: str | None = None) -> dict | None:
    """Mesa 3 neighbour-mean rule, plain neighbour lists; ``network_grid``: via NetworkGrid."""
    python = peer_python(python, "MESA_PYTHON", "mesa")
    if python is None:
        print("  Mesa         skipped: pass --mesa-python or set MESA_PYTHON (a Python with "
              "mesa>=3, networkx, numpy)")
        return None
    kwargs = {"n_agents": n_agents, "steps": steps, "k": k}
    plain = _run_worker(python, "mesa_worker", {**kwargs, "grid": False}, timeout=600.0)
    if plain is None:
        return None
    grid = _run_worker(python, "mesa_worker", {**kwargs, "grid": True}, timeout=600.0)
    return {**plain, "network_grid": grid}


# ---- alone -------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--concordia-python", default=None, help="default: $CONCORDIA_PYTHON")
    ap.add_argument("--mesa-python", default=None, help="default: $MESA_PYTHON")
    ap.add_argument("--quick", action="store_true", help="Concordia up to 20 agents, Mesa 2,000")
    args = ap.parse_args()
    sizes = (5, 10, 20) if args.quick else (5, 10, 20, 50, 100, 200, 500, 1000)
    conc = concordia(sizes, python=args.concordia_python)
    if conc:
        print(f"Concordia {conc['version']}: basic entity, simultaneous engine, NoLanguageModel")
        for r in conc["runs"]:
            print(f"  {r['agents']:5d} agents x {r['steps']} steps: {r['seconds']:7.2f} s -> "
                  f"{r['agent_steps_per_s']:8.1f} agent-steps/s; {r['calls_per_act']:.2f} LLM "
                  f"calls/act ({r['prompt_chars_per_act']:,.0f} prompt chars), game master "
                  f"{r['gm_calls_per_step']:.0f} calls/step")
    n, steps = (2_000, 20) if args.quick else (10_000, 20)
    res = mesa(n, steps, python=args.mesa_python)
    if res:
        print(f"Mesa {res['version']}: neighbour mean of up to k={res['k']}, synchronous, "
              f"G(n, 8/n)")
        for label, r in (("neighbour lists", res), ("NetworkGrid", res["network_grid"])):
            if r:
                print(f"  {label:15s} {r['agents']:,} agents x {r['steps']} steps: "
                      f"{r['seconds']:6.2f} s -> {r['agent_steps_per_s']:10,.0f} agent-steps/s "
                      f"(final std {r['final_std']:.4f})")


if __name__ == "__main__":
    main()
