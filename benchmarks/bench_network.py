"""Network layer: speed and memory against networkx, in one process.

Run: ``.venv/bin/python benchmarks/bench_network.py`` (about 3-5 minutes, ~8 GB of RAM at the
1,000,000-node size, mostly networkx's own graph objects). Options: ``--sizes 100000`` to run a
single size, ``--skip-generators`` to skip the generator timings.

What is timed
-------------
* Generators at 1,000,000 nodes and mean degree 10 (edge drawing plus building the networkx graph).
* ``friendship_paradox`` on Barabási–Albert graphs (m = 5, mean degree 10) of 100,000 and
  1,000,000 nodes: *cold* (the graph's cache is cleared, so it is read into CSR arrays inside the
  call, as for any graph built elsewhere) and *warm* (the CSR adjacency is already in the graph's
  cache: after a first statistic, or straight from a socialkit generator); networkx computes the same numbers at 100,000 nodes and, at 1,000,000,
  ``nx.average_neighbor_degree`` only (the dominant part).
* ``summary`` (cold) with its peak memory: numpy/Python allocations traced by ``tracemalloc`` and
  the process's resident memory sampled every millisecond, both beyond what the graph already
  holds; networkx's clustering, transitivity, assortativity and components at 100,000 nodes.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import threading
import time
import tracemalloc

import networkx as nx
import numpy as np
import pandas as pd

import socialkit as sk

MB = 1024 ** 2


def best(fn, repeat=3, setup=None):
    """Best wall time of ``repeat`` calls (``setup`` runs untimed before each) and the result."""
    times, out = [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Sample the resident set size in a background thread while a block runs."""

    def __enter__(self):
        self.base = self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())
        self.delta = self.peak - self.base


def clear(G):
    G.__networkx_cache__.clear()
    gc.collect()


def nx_paradox(G):
    """The friendship-paradox numbers with networkx."""
    deg = dict(G.degree())
    local = nx.average_neighbor_degree(G)
    has = [v for v in G if deg[v]]
    d = np.array([deg[v] for v in G], dtype=float)
    return {"mean_degree": d.mean(), "mean_neighbor_degree": (d * d).sum() / d.sum(),
            "mean_local_neighbor_degree": float(np.mean([local[v] for v in has])),
            "paradox_share": float(np.mean([local[v] > deg[v] for v in has]))}


def nx_summary(G):
    comps = [len(c) for c in nx.connected_components(G)]
    return {"average_clustering": nx.average_clustering(G), "transitivity": nx.transitivity(G),
            "degree_assortativity": nx.degree_assortativity_coefficient(G),
            "components": len(comps), "giant": max(comps) / G.number_of_nodes()}


def bench_generators(n: int) -> pd.DataFrame:
    rows = []
    pop = sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0,
                                      "group": np.arange(n) % 10}))
    degrees = np.random.default_rng(0).poisson(10, n)
    degrees[0] += degrees.sum() % 2
    k = 10
    p_in, p_out = 8 / (n / k), 2 / (n - n / k)
    P = np.full((k, k), p_out)
    np.fill_diagonal(P, p_in)
    cases = {
        "erdos_renyi(mean_degree=10)": lambda: sk.network.erdos_renyi(n, mean_degree=10, seed=1),
        "barabasi_albert(m=5)": lambda: sk.network.barabasi_albert(n, 5, seed=1),
        "watts_strogatz(k=10, p=0.1)": lambda: sk.network.watts_strogatz(n, 10, 0.1, seed=1),
        "powerlaw_cluster(m=5, p=0.5)": lambda: sk.network.powerlaw_cluster(n, 5, 0.5, seed=1),
        "stochastic_block(10 blocks)": lambda: sk.network.stochastic_block([n // k] * k, P,
                                                                           seed=1),
        "configuration(Poisson(10))": lambda: sk.network.configuration(degrees, seed=1),
        "homophilous(h=0.7, 10 cells)": lambda: sk.network.homophilous(
            pop, on="group", mean_degree=10, homophily=0.7, seed=1),
    }
    for name, make in cases.items():
        gc.collect()
        t = time.perf_counter()
        G = make()
        secs = time.perf_counter() - t
        rows.append({"generator": name, "nodes": G.number_of_nodes(),
                     "mean degree": round(2 * G.number_of_edges() / G.number_of_nodes(), 2),
                     "seconds": round(secs, 1)})
        print(f"  {name:32s} {secs:6.1f} s", flush=True)
        del G
    # where the time goes, for one generator: drawing the edges vs building the networkx graph
    from socialkit.network._build import _build
    from socialkit.network.generators import _ba_edges

    t = time.perf_counter()
    edges = _ba_edges(n, 5, np.random.default_rng(1))
    t_edges = time.perf_counter() - t
    t = time.perf_counter()
    G = _build(np.arange(n), edges, None, "barabasi_albert")
    t_build = time.perf_counter() - t
    print(f"  barabasi_albert split: edges {t_edges:.2f} s, networkx graph {t_build:.1f} s")
    del G, edges
    return pd.DataFrame(rows)


def bench_size(n: int) -> dict:
    print(f"\n== Barabási–Albert, n = {n:,}, m = 5", flush=True)
    G = sk.network.barabasi_albert(n, 5, seed=42)
    out = {"nodes": n, "edges": G.number_of_edges()}

    # ---- friendship paradox -----------------------------------------------------------------
    t_cold, fp = best(lambda: sk.network.friendship_paradox(G), setup=lambda: clear(G))
    t_warm, _ = best(lambda: sk.network.friendship_paradox(G))
    if n <= 200_000:
        t_nx, ref = best(lambda: nx_paradox(G), repeat=2)
        what = "full friendship-paradox numbers"
        assert abs(ref["mean_local_neighbor_degree"] - fp.mean_local_neighbor_degree) < 1e-9
        assert ref["paradox_share"] == fp.paradox_share
    else:
        t_nx, nd = best(lambda: nx.average_neighbor_degree(G), repeat=1)
        what = "nx.average_neighbor_degree only"
        assert abs(np.mean(list(nd.values())) - fp.mean_local_neighbor_degree) < 1e-9
        del nd
    print(f"friendship_paradox  socialkit cold {t_cold:7.3f} s | warm {t_warm:7.4f} s | "
          f"networkx {t_nx:7.2f} s ({what})")
    print(f"  speed-up vs networkx: cold {t_nx / t_cold:6.1f}x, warm {t_nx / t_warm:7.1f}x")
    out.update(fp_cold=t_cold, fp_warm=t_warm, fp_nx=t_nx)

    # ---- summary: time, then memory ------------------------------------------------------------
    t_sum, s = best(lambda: sk.network.summary(G), setup=lambda: clear(G))
    clear(G)
    tracemalloc.start()
    with PeakRSS() as mem:
        sk.network.summary(G)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"summary             socialkit {t_sum:7.3f} s; peak extra memory: traced "
          f"{traced / MB:7.1f} MB, resident {mem.delta / MB:7.1f} MB "
          f"(process resident total {mem.peak / MB:,.0f} MB incl. the networkx graph)")
    print(f"  clustering {s.average_clustering:.5f}, transitivity {s.transitivity:.5f}, "
          f"assortativity {s.degree_assortativity:.5f}, components {s.components}")
    out.update(summary=t_sum, summary_traced_mb=traced / MB, summary_rss_mb=mem.delta / MB)
    if n <= 200_000:
        t_nxs, ref = best(lambda: nx_summary(G), repeat=1)
        assert abs(ref["average_clustering"] - s.average_clustering) < 1e-9
        assert abs(ref["transitivity"] - s.transitivity) < 1e-9
        assert abs(ref["degree_assortativity"] - s.degree_assortativity) < 1e-9
        print(f"  networkx (clustering, transitivity, assortativity, components) {t_nxs:.1f} s "
              f"-> {t_nxs / t_sum:.0f}x")
        out["summary_nx"] = t_nxs
    G = None  # noqa: F841 - free the graph before the next size
    gc.collect()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--skip-generators", action="store_true")
    args = ap.parse_args()
    print(f"socialkit {sk.__version__}, networkx {nx.__version__}, numpy {np.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    warm_up = sk.network.barabasi_albert(100, 2, seed=0)  # load the compiled kernels
    for _ in range(2):
        sk.network.friendship_paradox(warm_up)
        sk.network.summary(warm_up)
        clear(warm_up)
    if not args.skip_generators:
        n = max(args.sizes)
        print(f"\n== generators at n = {n:,}, mean degree 10 (edges + networkx graph)")
        bench_generators(n)
    results = [bench_size(n) for n in args.sizes]
    print("\n== overview (seconds; speed-up = networkx / socialkit)")
    table = pd.DataFrame(results).set_index("nodes")
    table["fp speed-up cold"] = table["fp_nx"] / table["fp_cold"]
    table["fp speed-up warm"] = table["fp_nx"] / table["fp_warm"]
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 200,
                           "display.max_columns", None):
        print(table.T)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the whole process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
