"""Benchmark: classic dynamics in socialkit against Mesa 3 and NDlib, and at a million agents.

Part 1 (issue #4): Deffuant on a Barabási–Albert graph of 100,000 agents (m = 5), 100 sweeps
(100 x N pair encounters), in socialkit; then, in the same process, an idiomatic Mesa 3
implementation (written below) and NDlib's ``AlgorithmicBiasModel`` with gamma = 0 (which is the
Deffuant model). The peers are slow, so they run a few sweeps and their per-encounter rate is
extrapolated to 100 sweeps (said in the output). Targets: socialkit at least 50x Mesa and 500x
NDlib in encounters per second.

Part 2: Deffuant, Hegselmann–Krause and the voter model on 1,000,000 agents (a BA graph with
m = 5 held as a scipy.sparse matrix, and well-mixed), 100 steps each with ``record="summary"``;
each runs in a fresh process whose peak resident memory (graph, interpreter and all) is printed.
Targets: under a minute and under 4 GB each.

Part 3 (issue #13): discrete models stop at absorption. The voter model on 200 well-mixed agents
reaches consensus within a few hundred sweeps; asked for 20,000 sweeps, it fills the remaining
steps in one go. Printed: the time of the run, and the time of recording the same 20,000 steps
one by one (what the loop did before), with their ratio.

Run with ``.venv/bin/python benchmarks/bench_dynamics.py`` (needs the ``bench`` extra:
``pip install -e .[bench]``); ``--quick`` uses 20,000 agents and 200,000 for part 2.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np

import socialkit as sk

EPSILON, MU = 0.2, 0.5


# ---- the Mesa 3 peer: idiomatic agents, an AgentSet, plain neighbour lists ------------------
def mesa_deffuant(G, opinions, epsilon, mu, seed):
    """Build an idiomatic Mesa 3 Deffuant model (agents act in random order each step)."""
    import mesa

    class OpinionAgent(mesa.Agent):
        def __init__(self, model, opinion):
            super().__init__(model)
            self.opinion = opinion
            self.neighbors = []

        def step(self):
            # one encounter: meet a random neighbour, both move if close enough
            if not self.neighbors:
                return
            other = self.random.choice(self.neighbors)
            d = other.opinion - self.opinion
            if abs(d) < self.model.epsilon:
                self.opinion += self.model.mu * d
                other.opinion -= self.model.mu * d

    class DeffuantModel(mesa.Model):
        def __init__(self, G, opinions, epsilon, mu, seed):
            super().__init__(seed=seed)
            self.epsilon, self.mu = epsilon, mu
            agents = OpinionAgent.create_agents(self, len(opinions), list(opinions))
            by_node = dict(zip(G.nodes, agents, strict=True))
            for node, agent in by_node.items():
                agent.neighbors = [by_node[v] for v in G[node]]

        def step(self):
            self.agents.shuffle_do("step")

    return DeffuantModel(G, opinions, epsilon, mu, seed)


def _ndlib_algorithmic_bias():
    try:
        from ndlib.models.opinions import AlgorithmicBiasModel
        return AlgorithmicBiasModel, ""
    except ModuleNotFoundError as err:  # ndlib 6's opinions package imports scikit-learn
        if "sklearn" not in str(err):
            raise
    import pathlib
    import types

    import ndlib.models

    pkg = types.ModuleType("ndlib.models.opinions")  # load the one module, skip the package
    pkg.__path__ = [str(pathlib.Path(ndlib.models.__file__).parent / "opinions")]
    sys.modules["ndlib.models.opinions"] = pkg
    from ndlib.models.opinions.AlgorithmicBiasModel import AlgorithmicBiasModel
    return AlgorithmicBiasModel, " (scikit-learn missing: loaded AlgorithmicBiasModel alone)"


def ndlib_deffuant(G, epsilon, seed):
    """NDlib's AlgorithmicBiasModel with gamma = 0, uniform initial opinions."""
    import ndlib.models.ModelConfig as mc

    model_cls, note = _ndlib_algorithmic_bias()
    model = model_cls(G, seed=seed)
    config = mc.Configuration()
    config.add_model_parameter("epsilon", epsilon)
    config.add_model_parameter("gamma", 0)
    model.set_initial_status(config)
    model.iteration(node_status=False)  # iteration 0 only reports the initial state
    return model, note


def _rate(encounters, seconds):
    return encounters / seconds


def part1(n: int, peer_sweeps: int, ndlib_iterations: int) -> dict:
    import mesa
    import ndlib

    t0 = time.perf_counter()
    G = sk.network.barabasi_albert(n, 5, seed=1)
    t_graph = time.perf_counter() - t0
    x0 = np.random.default_rng(0).random(n)
    print(f"== Part 1: Deffuant, Barabási–Albert graph N = {n:,}, m = 5 "
          f"({G.number_of_edges():,} edges; built in {t_graph:.1f} s), epsilon = {EPSILON}, "
          f"mu = {MU}, uniform initial opinions")
    sk.dynamics.deffuant(None, [0.1, 0.2], steps=1, seed=0)  # load the compiled kernels

    sweeps = 100

    def timed(steps, graph=G):
        t0 = time.perf_counter()
        run = sk.dynamics.deffuant(graph, x0, epsilon=EPSILON, mu=MU, steps=steps, seed=1,
                                   record="summary")
        return time.perf_counter() - t0, run

    import networkx as nx

    # first call on a plain networkx copy (no cached adjacency): reads the graph into CSR arrays
    t_first, run = timed(sweeps, nx.Graph(G))
    t_sk = min(timed(sweeps)[0] for _ in range(3))  # adjacency now cached on the graph
    t_setup = min(timed(0)[0] for _ in range(3))  # cached set-up and Run building only
    first_rate = _rate(sweeps * n, t_first)
    sk_rate = _rate(sweeps * n, t_sk)
    loop_rate = _rate(sweeps * n, t_sk - t_setup)
    moved = run.params["n_updates"]
    print(f"socialkit {sk.__version__:<8} {sweeps} sweeps = {sweeps * n:>11,} encounters in "
          f"{t_sk:7.2f} s -> {sk_rate / 1e6:8.2f} M encounters/s (whole call: sweeps, recording, "
          f"Run; best of 3). Sweeps alone {t_sk - t_setup:.2f} s -> {loop_rate / 1e6:.1f} M/s. "
          f"First call on a plain networkx graph, reading it into CSR: {t_first:.2f} s -> "
          f"{first_rate / 1e6:.1f} M/s. {moved / sweeps / n:.0%} of encounters within epsilon.")

    t0 = time.perf_counter()
    model = mesa_deffuant(G, x0, EPSILON, MU, seed=1)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(peer_sweeps):
        model.step()
    t_mesa = time.perf_counter() - t0
    mesa_rate = _rate(peer_sweeps * n, t_mesa)
    print(f"Mesa {mesa.__version__:<13} {peer_sweeps} sweeps = {peer_sweeps * n:>11,} encounters in "
          f"{t_mesa:7.2f} s -> {mesa_rate / 1e6:8.2f} M encounters/s (agents built in "
          f"{t_build:.1f} s, not counted); 100 sweeps extrapolated: {sweeps * n / mesa_rate:,.0f} s")

    t0 = time.perf_counter()
    nd, note = ndlib_deffuant(G, EPSILON, seed=1)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(ndlib_iterations):
        nd.iteration(node_status=False)
    t_nd = time.perf_counter() - t0
    nd_rate = _rate(ndlib_iterations * n, t_nd)
    print(f"NDlib {ndlib.__version__:<12} {ndlib_iterations} iteration(s) = "
          f"{ndlib_iterations * n:>9,} encounters in {t_nd:7.2f} s -> {nd_rate / 1e6:8.3f} M "
          f"encounters/s (AlgorithmicBiasModel gamma = 0, set up in {t_build:.1f} s, not counted)"
          f"{note}; 100 sweeps extrapolated: {sweeps * n / nd_rate:,.0f} s")
    r_mesa, r_nd = sk_rate / mesa_rate, sk_rate / nd_rate
    print(f"speed-up, whole socialkit call vs the peers' steps (set-up excluded on all sides): "
          f"{r_mesa:,.0f}x Mesa (target >= 50x: {'met' if r_mesa >= 50 else 'MISSED'}), "
          f"{r_nd:,.0f}x NDlib (target >= 500x: {'met' if r_nd >= 500 else 'MISSED'}). "
          f"Sweeps alone: {loop_rate / mesa_rate:,.0f}x Mesa, {loop_rate / nd_rate:,.0f}x NDlib. "
          f"First call incl. graph reading: {first_rate / mesa_rate:,.0f}x Mesa, "
          f"{first_rate / nd_rate:,.0f}x NDlib.")
    print("note: Mesa and NDlib pick an agent then a random neighbour; socialkit picks a random "
          "edge. Each is one pair encounter with the same update rule; peer rates are measured on "
          "the sweeps shown and extrapolated per encounter.")
    return {"socialkit": sk_rate, "socialkit_sweeps": loop_rate, "socialkit_first": first_rate,
            "mesa": mesa_rate, "ndlib": nd_rate}


# ---- part 2: one model at a million agents, in a fresh process -------------------------------
def ba_csr(n: int, m: int = 5, seed: int = 0):
    """A Barabási–Albert graph as a symmetric scipy.sparse CSR matrix (no networkx graph)."""
    import scipy.sparse as sp

    from socialkit.network.generators import _ba_edges  # the kernel behind barabasi_albert

    e = _ba_edges(n, m, np.random.default_rng(seed))
    A = sp.coo_array((np.ones(len(e), dtype=np.int8), (e[:, 0], e[:, 1])), shape=(n, n))
    return (A + A.T).tocsr()


def one(model: str, graph: str, n: int, steps: int) -> None:
    t0 = time.perf_counter()
    G = ba_csr(n) if graph == "ba" else None
    t_graph = time.perf_counter() - t0
    rng = np.random.default_rng(2)
    x0 = rng.random(n)
    t0 = time.perf_counter()
    if model == "deffuant":
        run = sk.dynamics.deffuant(G, x0, epsilon=EPSILON, steps=steps, seed=1, record="summary")
    elif model == "hegselmann_krause":
        run = sk.dynamics.hegselmann_krause(G, x0, epsilon=EPSILON, steps=steps, seed=1,
                                            record="summary")
    else:
        run = sk.dynamics.voter(G, (x0 < 0.5).astype(np.int64), steps=steps, seed=1,
                                record="summary")
    t_run = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KB -> GB (Linux)
    print(json.dumps({"model": model, "graph": graph, "graph_s": t_graph, "run_s": t_run,
                      "peak_gb": peak, "rows": len(run.trajectory),
                      "sd_last": float(run.summary()["sd"].iloc[-1])}))


def part2(n: int, steps: int) -> list[dict]:
    print(f"\n== Part 2: N = {n:,} agents, {steps} steps each, record='summary'; each row is a "
          "fresh process (peak = its max resident memory, graph and interpreter included)")
    out = []
    for graph in ("ba", "mixed"):
        for model in ("deffuant", "hegselmann_krause", "voter"):
            cmd = [sys.executable, __file__, "--one", model, graph, str(n), str(steps)]
            t0 = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - t0
            r = json.loads(res.stdout.strip().splitlines()[-1])
            r["process_s"] = wall
            out.append(r)
            where = "BA graph m=5 (sparse)" if graph == "ba" else "well-mixed"
            ok = r["run_s"] < 60 and r["peak_gb"] < 4
            print(f"{model:<18} {where:<22} run {r['run_s']:6.2f} s  (graph {r['graph_s']:.1f} s, "
                  f"process {wall:5.1f} s)  peak {r['peak_gb']:.2f} GB  "
                  f"{'ok' if ok else 'OVER TARGET'}")
    return out


def _step_by_step_fill(self, start, x):
    """The loop before issue #13: after absorption, one recording (and progress tick) per step."""
    from tqdm.auto import tqdm

    for step in tqdm(range(start, self.steps + 1), disable=True):
        self(step, x)


def part3(steps: int = 20_000, n: int = 200) -> list[dict]:
    from socialkit.dynamics._common import Recorder

    x0 = [0] * (n // 2) + [1] * (n - n // 2)
    sk.dynamics.voter(None, x0, steps=10, seed=0)  # compile
    rows = []
    for record in ("agents", "summary"):
        times = {}
        for how in ("fill", "step by step"):
            original = Recorder.fill
            if how == "step by step":
                Recorder.fill = _step_by_step_fill
            try:
                t0 = time.perf_counter()
                run = sk.dynamics.voter(None, x0, steps=steps, seed=1, record=record)
                times[how] = time.perf_counter() - t0
            finally:
                Recorder.fill = original
            if how == "fill":
                reference = run
            else:
                assert run == reference, "filling must give the identical run"
        at = reference.params["consensus_at"]
        out = {"record": record, "steps": steps, "agents": n, "consensus_at": at,
               "seconds": round(times["fill"], 4),
               "seconds_step_by_step": round(times["step by step"], 4),
               "speedup": round(times["step by step"] / times["fill"], 1)}
        print(f"part 3: voter, {n} agents well mixed, {steps} sweeps, record={record!r}: "
              f"consensus at step {at}; {times['fill']:.3f} s (step by step after consensus: "
              f"{times['step by step']:.3f} s, {out['speedup']}x); identical runs")
        rows.append(out)
    print(json.dumps(rows))
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    p.add_argument("--absorption", action="store_true", help="part 3 only")
    p.add_argument("--one", nargs=4, metavar=("MODEL", "GRAPH", "N", "STEPS"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        model, graph, n, steps = args.one
        one(model, graph, int(n), int(steps))
        return
    if args.absorption:
        part3()
        return
    import numba

    print(f"socialkit {sk.__version__}, numpy {np.__version__}, numba {numba.__version__}, "
          f"Python {platform.python_version()}, {platform.machine()}, "
          f"{len(__import__('os').sched_getaffinity(0))} CPU core(s)\n")
    n1, n2 = (20_000, 200_000) if args.quick else (100_000, 1_000_000)
    part1(n1, peer_sweeps=2 if args.quick else 3, ndlib_iterations=1)
    part2(n2, 100)
    part3()


if __name__ == "__main__":
    main()
