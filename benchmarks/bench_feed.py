"""Benchmark: the social feed (``sk.env.Feed``) at scale (issue #14, item 7).

1. Rule users (``sk.env.feed_rule``: post, comment, repost, quote, like, dislike, follow,
   unfollow or nothing, items picked from the page by interest) at 10,000, 100,000 and
   1,000,000 agents, every agent active: time and peak memory of one step (recommendation +
   decisions + resolution + recording) -- wall time and the process's CPU time (on a loaded
   machine the CPU time is closer to what a quiet one takes) -- with the wall time split by
   phase: ``recommend`` (the
   feed's observe: pages for every active agent), ``decide`` (the rule), ``kernel`` (the
   kernel's validation of the decisions and its decision table), ``resolve`` (the platform
   mechanics and the event table, exposure events included), ``record`` (the rest: state
   copies, measures). Each size runs in its own Python (a clean peak RSS); the follow graph has
   10 followees per agent, drawn by a power law of popularity (arcs as an array: networkx
   would need gigabytes at a million agents), and n/10 posts are seeded. Target: one
   1,000,000-agent step under 60 s. The run's events are built once at the end (``result``,
   timed apart).
2. LLM agents with ``group_by`` archetypes: 100,000 agents (ANES 1996 respondents resampled, 4
   coarse attributes) on a feed with the ``hot`` recommender (one ranking for everyone, so
   pages and prompts repeat), page 5, actions like / repost / post / do nothing, against
   ``FakeOpenAI(latency=0.2, process=True)`` through LangChain's ``ChatOpenAI``: calls per step
   and wall time (without ``group_by``: one call per agent-step).

Run ``.venv/bin/python benchmarks/bench_feed.py`` (``--quick``: 10,000 and 100,000 agents in
part 1, 20,000 in part 2; ``--parts 1`` or ``2``). Numbers vary with the machine's load: the
load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter

import numpy as np
import pandas as pd

import socialkit as sk

TOPICS = ["science", "sport", "politics", "music", "film", "food", "travel", "tech"]


def platform(n: int, seed: int = 0):
    """Population, follow arcs (10 per agent, power-law popularity) and seeded posts."""
    rng = np.random.default_rng(seed)
    pop = sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0,
                                      "topic": rng.integers(0, len(TOPICS), n)}))
    w = 1.0 / np.arange(1, n + 1) ** 0.8
    followee = rng.choice(n, size=10 * n, p=w / w.sum())
    follower = np.repeat(np.arange(n), 10)
    keep = followee != follower
    arcs = np.column_stack([followee[keep], follower[keep]])
    seeds = pd.DataFrame({"author": rng.integers(0, n, n // 10),
                          "topic": rng.integers(0, len(TOPICS), n // 10)})
    return pop, arcs, seeds


def one_size(n: int, recommender: str, exposure: bool) -> dict:
    """Build, run a warm-up step, time one step by phase (run in a fresh Python)."""
    t = time.perf_counter()
    pop, arcs, seeds = platform(n)
    feed = sk.env.Feed(arcs, recommender=recommender, page=10, topics=TOPICS,
                       seed_posts=seeds, log_exposure=exposure, log_graph=False)
    rule = sk.env.FeedRule(interest="topic", dislike=0.02, quote=0.02, unfollow=0.01)
    phases = Counter()

    def timed(name, fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                phases[name] += time.perf_counter() - t0
        return wrapper

    policy = sk.agents.RulePolicy(timed("decide", rule), name="feed_rule")
    sim = sk.Simulation(pop, env=feed, policy=policy, seed=1, progress=False)
    feed.observe = timed("recommend", feed.observe)
    feed.resolve = timed("resolve", feed.resolve)
    sim._rule = timed("kernel", sim._rule)
    build = time.perf_counter() - t
    t = time.perf_counter()
    sim.step()  # set-up (graph, seeds) and a first step
    first = time.perf_counter() - t
    phases.clear()
    t, c = time.perf_counter(), time.process_time()
    sim.step()
    step, cpu = time.perf_counter() - t, time.process_time() - c
    ph = dict(phases)
    ph["kernel"] = ph.get("kernel", 0.0) - ph.get("decide", 0.0)
    ph["record"] = step - sum(ph.values())
    t = time.perf_counter()
    run = sim.result()
    result = time.perf_counter() - t
    counts = run.events[run.events["step"] == 2]["action"].value_counts().to_dict()
    return {"n": n, "recommender": recommender, "exposure": exposure, "build": build,
            "first_step": first, "step": step, "cpu": cpu, "phases": ph, "result": result,
            "events": len(run.events), "items": len(feed.posts),
            "follows": len(feed.follows), "peak_gb": resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1e6, "actions": counts}


def part1(sizes: list[int], recommenders: list[str]) -> None:
    print("\n== 1. rule users, every agent active, page 10, exposure events on: one step")
    print(f"{'agents':>10} {'recommender':>13} {'step s':>7} {'CPU s':>6}  {'recommend':>9} "
          f"{'decide':>7} {'kernel':>7} {'resolve':>8} {'record':>7}  {'peak GB':>7}  "
          f"events/step")
    for n in sizes:
        for rec in recommenders:
            out = subprocess.run([sys.executable, __file__, "--one", str(n), "--recommender",
                                  rec], capture_output=True, text=True, timeout=3600)
            if out.returncode:
                print(f"{n:>10,} {rec:>13} failed:\n{out.stderr[-2000:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            p = r["phases"]
            print(f"{n:>10,} {rec:>13} {r['step']:7.1f} {r['cpu']:6.1f}  {p['recommend']:9.1f} "
                  f"{p['decide']:7.1f} {p['kernel']:7.1f} {p['resolve']:8.1f} "
                  f"{p['record']:7.1f}  {r['peak_gb']:7.2f}  {sum(r['actions'].values()):,}")
            if n == sizes[-1] and rec == recommenders[0]:
                print(f"{'':>10}  (build {r['build']:.1f} s, set-up and first step "
                      f"{r['first_step']:.1f} s, events table of 2 steps built in "
                      f"{r['result']:.1f} s; {r['items']:,} items, {r['follows']:,} follows; "
                      f"step 2 actions {dict(sorted(r['actions'].items()))})")


def part2(n: int, steps: int, latency: float, concurrency: int) -> None:
    sys.path.insert(0, os.path.dirname(__file__))
    from bench_sim import archetype_population

    from socialkit.llm.testing import FakeOpenAI

    cols = ["party", "age_group", "college", "tv_news"]
    t = time.perf_counter()
    pop = archetype_population(n)
    cells = pop.df.groupby(cols, observed=True).ngroups
    rng = np.random.default_rng(0)
    seeds = pd.DataFrame({"author": rng.integers(0, n, 50),
                          "text": [f"Post number {i} about the new bus line." for i in range(50)]})
    print(f"\n== 2. LLM agents with group_by {cols} ({cells} cells): {n:,} agents, every agent "
          f"active, hot recommender, page 5, {steps} steps, FakeOpenAI latency "
          f"{latency * 1000:.0f} ms (subprocess), concurrency {concurrency}")
    with FakeOpenAI(latency=latency, process=True) as server, \
            tempfile.TemporaryDirectory() as d:
        model = sk.llm.from_langchain(server.chat_model(timeout=30.0))
        feed = sk.env.Feed(None, recommender="hot", page=5, comments=0,
                           actions=["like", "repost", "post", "do_nothing"], seed_posts=seeds,
                           log_graph=False)
        sim = sk.Simulation(pop, env=feed, model=model, group_by=cols, seed=1, cache=d,
                            concurrency=concurrency, progress=False, memory=None)
        calls = Counter()
        backend = sim.session.backend
        inner = backend.acall

        async def acall(messages, **kwargs):
            calls["n"] += 1
            return await inner(messages, **kwargs)

        backend.acall = acall
        print(f"build {time.perf_counter() - t:.1f} s")
        t0 = time.perf_counter()
        for _ in range(steps):
            t, c0 = time.perf_counter(), calls["n"]
            sim.step()
            got, dt = calls["n"] - c0, time.perf_counter() - t
            acts = Counter(sim._records[-1]["frames"][0]["action"]) \
                if sim._records[-1]["frames"] else Counter()
            print(f"step {sim.t}: {got:,} calls, {dt:.1f} s (ideal for the calls "
                  f"{got * latency / concurrency:.1f} s); actions {dict(acts)}")
        wall = time.perf_counter() - t0
    print(f"wall {wall:.1f} s for {steps} steps of {n:,} agents; without group_by "
          f"{n * steps:,} calls")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--parts", default="1,2")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--recommender", default="chronological", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.recommender, True)))
        return 0
    parts = {int(p) for p in args.parts.split(",")}
    print(f"socialkit {sk.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} "
          f"cores, load average {os.getloadavg()[0]:.1f}")
    if 1 in parts:
        part1([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000],
              ["chronological", "hot"])
    if 2 in parts:
        part2(20_000 if args.quick else 100_000, 3, 0.2, args.concurrency)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
