"""Benchmark: one 200-run parameter sweep, Mesa's batch_run against socialkit's executors.

The sweep: Deffuant on a Barabási–Albert graph of 10,000 agents (m = 3), 10 values of epsilon
(0.05 .. 0.5) x 20 seeds = 200 runs of 10 sweeps each (one sweep = N encounters, each on a
uniformly random edge; mu = 0.5), the same initial opinions for every run; outcome: the number of
opinion clusters holding at least 1% of the agents at the end, and the final opinion sd.

Side by side, in this one process:

- Mesa 3 ``batch_run`` on an equivalent Mesa model (written below: agents with an opinion, the
  model draws the same N random-edge encounters per step; a DataCollector reports the clusters
  at the end), with 1 process and with 2 (``number_processes``);
- socialkit ``sk.experiments.sweep`` in this process, on 2 local processes
  (``executor="processes"``) and on a Dask LocalCluster of 2 single-threaded worker processes
  (started beforehand; its start-up is printed apart).

Printed per executor: wall time, speed-up against Mesa's one process, the mean time of one run
inside its worker, and the per-task overhead: (wall x workers - summed run time) / runs, i.e.
what each run costs beyond the model itself (scheduling, sending, writing the Run and its record,
measuring, and for pools their start-up; ``keep_runs=False`` shows what writing each Run to
Parquet costs). socialkit's executors give identical tables
(checked); Mesa's cluster counts use its own random numbers, so they agree in distribution only
(their means per epsilon are printed side by side).

Run with ``.venv/bin/python benchmarks/bench_experiments.py`` (needs the ``bench`` extra for Mesa
and the ``experiments`` extra for Dask: ``pip install -e '.[bench,experiments]'``); ``--quick``
runs 2,000 agents and 40 runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

import socialkit as sk

MU, MIN_SHARE = 0.5, 0.01


class Inputs:
    """The graph and initial opinions, one batch_run parameter (pickled to each of its tasks,
    which is how batch_run sends fixed inputs to its processes)."""

    def __init__(self, G, opinions):
        self.G, self.opinions = G, opinions


def n_clusters(opinions) -> int:
    return int(len(sk.dynamics.clusters(np.asarray(opinions), min_share=MIN_SHARE)))


def measure(run) -> dict:
    final = run.final()
    return {"sd": float(final.std(ddof=0)), "clusters": n_clusters(final)}


# ---- the Mesa 3 model: the same update scheme as sk.dynamics.deffuant ------------------------
try:
    import mesa
except ImportError:  # pragma: no cover - the bench extra
    mesa = None

if mesa is not None:
    class OpinionAgent(mesa.Agent):
        def __init__(self, model, opinion):
            super().__init__(model)
            self.opinion = opinion

    class MesaDeffuant(mesa.Model):
        """Deffuant-Weisbuch: each step, N encounters on uniformly random edges."""

        def __init__(self, inputs=None, epsilon=0.2, steps=10, seed=None):
            super().__init__(seed=seed)
            self.epsilon, self.n_steps = epsilon, steps
            G, x0 = inputs.G, inputs.opinions
            agents = OpinionAgent.create_agents(self, len(x0), list(x0))
            by_node = dict(zip(G.nodes, agents, strict=True))
            self.edges = [(by_node[u], by_node[v]) for u, v in G.edges()]
            self.n = len(agents)
            self.datacollector = mesa.DataCollector(model_reporters={"sd": _final_sd,
                                                                     "clusters": _final_clusters})

        def step(self):
            eps, mu, edges, pick = self.epsilon, MU, self.edges, self.random.choice
            for _ in range(self.n):
                a, b = pick(edges)
                d = b.opinion - a.opinion
                if abs(d) < eps:
                    a.opinion += mu * d
                    b.opinion -= mu * d
            self.datacollector.collect(self)
            if self.steps >= self.n_steps:
                self.running = False


def _final_sd(m):
    return float(np.std([a.opinion for a in m.agents])) if m.steps >= m.n_steps else None


def _final_clusters(m):
    return n_clusters([a.opinion for a in m.agents]) if m.steps >= m.n_steps else None


def mesa_batch(inputs, epsilons, seeds, steps, processes):
    from mesa.batchrunner import batch_run

    t0 = time.perf_counter()
    rows = batch_run(MesaDeffuant, parameters={"inputs": inputs, "epsilon": list(epsilons),
                                                     "steps": steps, "seed": list(seeds)},
                     iterations=1, max_steps=steps, number_processes=processes,
                     data_collection_period=-1, display_progress=False)
    wall = time.perf_counter() - t0
    df = pd.DataFrame(rows)
    return wall, df[["epsilon", "seed", "sd", "clusters"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2,000 agents, 40 runs")
    ap.add_argument("--no-mesa-2", action="store_true", help="skip Mesa on 2 processes")
    args = ap.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)  # shutdown chatter under load
    n, n_eps, n_seeds, steps = (2_000, 4, 10, 10) if args.quick else (10_000, 10, 20, 10)
    epsilons = np.round(np.linspace(0.05, 0.5, n_eps), 3).tolist()
    seeds = list(range(n_seeds))
    runs = n_eps * n_seeds
    G = sk.network.barabasi_albert(n, 3, seed=1)
    x0 = np.random.default_rng(0).random(n)
    print(f"bench_experiments: Deffuant, BA graph N = {n:,} (m = 3, {G.number_of_edges():,} "
          f"edges), {steps} sweeps a run, {n_eps} epsilons x {n_seeds} seeds = {runs} runs; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    if mesa is None:
        raise SystemExit("bench_experiments needs Mesa: pip install -e '.[bench]'")
    results = {}  # name -> (wall, workers, summed run seconds or None, table)
    wall, mt = mesa_batch(Inputs(G, x0), epsilons, seeds, steps, 1)
    results[f"Mesa {mesa.__version__} batch_run, 1 process"] = (wall, 1, None, mt)
    if not args.no_mesa_2:
        wall, mt2 = mesa_batch(Inputs(G, x0), epsilons, seeds, steps, 2)
        results["Mesa batch_run, 2 processes"] = (wall, 2, None, mt2)

    inputs = {"G": G, "opinions": x0, "steps": steps, "mu": MU, "record": steps}
    sk.dynamics.deffuant(G, x0, steps=1, seed=0)  # compiled kernels loaded, graph cached
    tables = {}
    with tempfile.TemporaryDirectory() as tmp:
        def timed(name, executor, workers, keep_runs=True):
            t0 = time.perf_counter()
            res = sk.experiments.sweep(sk.dynamics.deffuant, {"epsilon": epsilons}, seeds=seeds,
                                       inputs=inputs, measure=measure, executor=executor,
                                       workers=workers, folder=os.path.join(tmp, name),
                                       keep_runs=keep_runs, progress=False)
            wall = time.perf_counter() - t0
            assert (res.table.status == "ok").all(), res.table.error.dropna().head()
            tables[name] = res.table
            return wall, res.table["seconds"].sum(), res.table

        wall, busy, t = timed("inline", None, 1)
        results["socialkit sweep, in-process"] = (wall, 1, busy, t)
        wall, busy, t = timed("records only", None, 1, keep_runs=False)
        results["socialkit sweep, in-process, keep_runs=False"] = (wall, 1, busy, t)
        wall, busy, t = timed("processes", "processes", 2)
        results["socialkit sweep, 2 processes"] = (wall, 2, busy, t)
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            print("  (Dask skipped: pip install 'socialkit[experiments]')")
        else:
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
            start = time.perf_counter() - t0
            try:
                wall, busy, t = timed("dask", client, None)
            finally:
                client.close()
                cluster.close()
            results[f"socialkit sweep, Dask LocalCluster 2 workers (+{start:.1f} s start-up)"] = \
                (wall, 2, busy, t)
    base = next(iter(results.values()))[0]
    print(f"\n{'executor':<62} {'wall':>8} {'speed-up':>9} {'run in worker':>14} "
          f"{'overhead/task':>14}")
    for name, (wall, workers, busy, _t) in results.items():
        per_run = f"{busy / runs * 1e3:10.1f} ms" if busy is not None else f"{'-':>13}"
        over = f"{(wall * workers - busy) / runs * 1e3:10.1f} ms" if busy is not None \
            else f"{wall * workers / runs * 1e3:7.0f} ms/run"
        print(f"{name:<62} {wall:7.2f}s {base / wall:8.1f}x {per_run:>14} {over:>14}")
    names = list(tables)
    keep = [c for c in tables[names[0]].columns if c != "seconds"]
    same = all(tables[k][keep].equals(tables[names[0]][keep]) for k in names[1:])
    print(f"\nsocialkit tables identical across {', '.join(names)}: {'yes' if same else 'NO'}")
    for out, f in (("sd", ".3f"), ("clusters", ".2f")):
        a = tables["inline"].groupby("epsilon")[out].mean()
        b = mt.groupby("epsilon")[out].mean()
        print(f"mean final opinion {out} per epsilon, socialkit | Mesa (their own random "
              "numbers): " + ", ".join(f"{e:g}: {a[e]:{f}} | {b[e]:{f}}" for e in epsilons))
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
