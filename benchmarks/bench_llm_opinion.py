"""LLM opinion dynamics at scale, against the fake OpenAI-compatible server (issue #7).

1. A 1,000-agent, 5-step ``llm_opinion`` run (5,000 calls: every agent active, no messages) at
   500 ms latency and concurrency 64: the ideal concurrency-bound time is 5,000 / 128 calls/s
   = 39 s; target within 1.25x of it.
2. The same population with ``group_by`` on 4 attributes ("LLM archetypes"): calls drop at least
   10x (printed for both).

Real HTTP on 127.0.0.1 (the server runs in a subprocess), LangChain's ChatOpenAI as the client,
a fresh cache folder. Run: ``.venv/bin/python benchmarks/bench_llm_opinion.py [--agents N]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

import socialkit as sk
from socialkit.llm.testing import FakeOpenAI

_PARTY = {0: "Democrat", 1: "Democrat", 2: "Independent", 3: "Independent", 4: "Independent",
          5: "Republican", 6: "Republican"}


def population(n: int):
    anes = sk.datasets.load("anes1996")
    pop = sk.Population.from_survey(anes, n=n, seed=7, codebook=False)  # raw codes
    df = pop.df.assign(
        party=pop.df["PID"].map(_PARTY),
        age_group=np.where(pop.df["age"] < 45, "under 45", "45 and over"),
        college=np.where(pop.df["educ"] >= 5, "college degree", "no college degree"),
        tv=np.where(pop.df["TVnews"] >= 4, "watches TV news often", "rarely watches TV news"))
    return sk.Population(df)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args(argv)
    n, steps = args.agents, args.steps
    print(f"socialkit {sk.__version__}, {os.cpu_count()} CPU core(s), load average "
          f"{os.getloadavg()[0]:.2f}")
    pop = population(n)
    G = sk.network.homophilous(pop, on="party", mean_degree=8, homophily=0.7, seed=1)
    q = sk.Likert("The government should reduce income differences.", name="redistribution")
    start = np.random.default_rng(0).integers(1, 6, n)
    with FakeOpenAI(latency=0.5, process=True) as server, tempfile.TemporaryDirectory() as d:
        model = sk.llm.from_langchain(server.chat_model())
        t = time.perf_counter()
        run = sk.dynamics.llm_opinion(pop, G, q, model=model, steps=steps, k=5, message=False,
                                      opinions=start, seed=0, concurrency=64, cache=d,
                                      progress=False)
        dt = time.perf_counter() - t
        calls = run.provenance["usage"]["calls"]
        ideal = n * steps / 128
        print(f"\n== 1. {n} agents x {steps} steps at 500 ms latency, concurrency 64")
        print(f"calls {calls}, wall {dt:.1f} s, ideal {ideal:.1f} s -> ratio {dt / ideal:.2f} "
              f"(target <= 1.25); {calls / dt:.1f} calls/s")
        missing = int(run.trajectory["value"].isna().sum())
        print(f"trajectory rows {len(run.trajectory)}, missing values {missing}, "
              f"final mean {run.final().mean():.2f}")
        t = time.perf_counter()
        grouped = sk.dynamics.llm_opinion(pop, G, q, model=model, steps=steps, k=5,
                                          message=False, opinions=start, seed=0, concurrency=64,
                                          cache=os.path.join(d, "g"), progress=False,
                                          group_by=["party", "age_group", "college", "tv"])
        gdt = time.perf_counter() - t
        gcalls = grouped.provenance["usage"]["calls"]
        print("\n== 2. group_by 4 attributes (party, age group, college, TV news)")
        print(f"calls without group_by {calls}, with {gcalls} -> {calls / max(gcalls, 1):.1f}x "
              f"fewer (target >= 10x); wall {gdt:.1f} s")
        print(f"final mean: agents {run.final().mean():.2f}, archetypes "
              f"{grouped.final().mean():.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
