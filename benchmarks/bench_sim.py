"""Benchmark: the agent-society kernel (``sk.Simulation``) against Concordia and Mesa 3, and its
LLM calls against socialkit's fake OpenAI-compatible server (issue #12, item 6).

Every part uses ANES 1996 respondents resampled to N agents, a ``networkx.fast_gnp_random_graph(N,
8 / N, seed=0)`` graph (as the Mesa peer builds it) in ``sk.env.Network(G, k=5)`` (each agent
hears up to 5 neighbours, drawn with the run's generator), and every agent active every step.

1. Kernel overhead per agent-step, 10,000 agents x 20 steps, measured side by side in one run:
   - LLM policy with a scripted model replying at once (as the Concordia peer runs with its
     ``NoLanguageModel``; the backend keeps no prompt log): every agent-step renders a prompt
     (persona, retrieved memories, the answers and latest messages of up to 5 neighbours, its
     state), sends it through the simulation's ``Session``, parses the reply into the action
     ``message(text)`` (the one decision per agent-step here), the environment delivers the
     messages, and the observation and the action are written to memory: once with
     ``sk.memory.Recent(k=20)``,
     once with ``sk.memory.Stream(embedding=sk.memory.HashEmbedding())`` (recency + importance +
     relevance retrieval, heuristic importance, reflection on).
   - Rule policy: the Mesa peer's rule (move halfway to the mean opinion of up to 5 neighbours
     drawn at random each step, synchronous), vectorised with numpy over the neighbours the
     ``Network`` environment drew for the step (``ctx.observations.neighbours()``), through the
     same loop (observe, decide, resolve, record).
   Peers, each in its own Python (``_sim_peers.py``): Concordia 2.1's basic entity in its
   simultaneous engine with a no-op language model, growing the agent count until a run takes a
   minute; Mesa 3 with the same rule on the same graph size (plain neighbour lists, and
   ``NetworkGrid``). Timed: the steps only on every side (building excluded; socialkit's time
   includes building the ``Run`` at the end); the time inside the ``Session``'s rounds (the LLM
   runner: cache, limits, retries, parsing) is printed apart. Rates are also given per CPU-second
   of each process (all its threads), which other work on a shared machine disturbs far less
   than wall time. Target: the LLM-policy kernel at least 100x Concordia's agent-steps/s (its
   best rate over the sizes it ran); the rule policy's ratio to Mesa is printed.
2. LLM calls per agent-step: 2,000 agents x 3 steps against ``FakeOpenAI(latency=0.2,
   process=True)`` (real HTTP on 127.0.0.1, the server in a subprocess) with LangChain's
   ``ChatOpenAI`` (``sk.llm.from_langchain``), a fresh cache, the Stream memory with importance
   rated by the model (``importance="llm"``), at concurrency 64 (once through ``ainvoke``, once
   with ``from_langchain(..., callbacks=False)``) and again at 16 (``--concurrency2``).
   Calls are counted at the backend by purpose. Targets: 1 decision call per active agent-step
   (Concordia's basic entity: 5 per act, measured by ``_sim_peers``) plus the memory importance
   ratings in one batched round per step; wall time within 1.3x the ideal calls x latency /
   concurrency. The LangChain client itself costs several ms of CPU per call, so at concurrency
   64 on a small machine no caller reaches the ideal: each concurrency also measures, on the same
   server, the client's ceiling (bare LangChain ``ainvoke`` under a semaphore, no socialkit; and
   plain ``sk.ask``), and prints the wall against the best any caller could reach
   (max(ideal, calls / ceiling)).
3. Archetypes: 100,000 agents with ``group_by`` on 4 attributes (party, age group, college degree,
   TV news), a reported Likert opinion (each agent draws its own answer from its cell's option
   distribution) and the message action, 3 steps on the same fake server: calls per step and wall
   time (and the calls without ``group_by``: 2 per agent-step).

Run with ``.venv/bin/python benchmarks/bench_sim.py`` (the peers need ``CONCORDIA_PYTHON`` and
``MESA_PYTHON``, or ``--concordia-python`` / ``--mesa-python``; see ``_sim_peers.py``);
``--quick`` runs 2,000 agents x 5 steps in part 1 (Concordia up to 20 agents), 500 agents in
part 2 and 20,000 in part 3. Rates vary with the machine and its load: compare the ratios.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter

import _sim_peers
import networkx as nx
import numpy as np

import socialkit as sk
from socialkit.llm.testing import FakeOpenAI

K = 5  # neighbours heard per step (and sampled by the rule), as in the Mesa peer
OPINION = "bus_line_opinion"  # the state variable neighbours see ("Your bus line opinion: ...")
LIKERT = sk.Likert("The new bus line is a good idea.", name="bus_line")
MESSAGE = "I think the new bus line will help people get to work on time."


def population(n: int) -> sk.Population:
    """ANES 1996 respondents resampled to ``n`` agents (ids 0..n-1: the graph's nodes)."""
    pop = sk.Population.from_survey(sk.datasets.load("anes1996"), n=n, seed=0)
    assert (pop.df["agent"].to_numpy() == np.arange(n)).all()
    return pop


def graph(n: int) -> nx.Graph:
    return nx.fast_gnp_random_graph(n, 8 / n, seed=0)


def opinions(n: int) -> np.ndarray:
    return np.random.default_rng(0).integers(1, len(LIKERT.labels) + 1, n)


class Instant(sk.llm.Scripted):
    """The scripted model, replying a one-sentence message (the only decision of these agents)
    at no cost, as Concordia's NoLanguageModel does: ``sk.llm.scripted``'s backend without its
    prompt log (200,000 prompts here) and word counts, so that the time is the kernel's and the
    Session's."""

    def __init__(self):
        super().__init__(lambda messages: MESSAGE, name="bench-message")

    async def acall(self, messages, **kwargs):
        return sk.llm.Reply(MESSAGE, None, 1 + sum(len(m["content"]) for m in messages) // 4,
                            14, "stop")


# ---- the rule: the Mesa peer's neighbour mean, vectorised -------------------------------------
class NeighbourMean:
    """Move halfway to the mean opinion of up to ``k`` neighbours drawn at random (without
    replacement, with the run's generator) each step, from everyone's values at the start of the
    step: ``_sim_peers.mesa_worker``'s rule. The neighbours are those the ``Network``
    environment drew for the step's observation (``ctx.observations.neighbours()``: up to ``k``
    per agent, for all agents at once), so the rule is two bincounts."""

    def __init__(self, var: str = "opinion"):
        self.var = var
        self.__name__ = "neighbour_mean_of_k"

    def __call__(self, ctx) -> dict:
        x = ctx.agents.values[self.var]
        offsets, heard = ctx.observations.neighbours()
        n = len(ctx.ids)
        count = np.diff(offsets)
        row = np.repeat(np.arange(n), count)
        total = np.bincount(row, weights=x[heard], minlength=n)
        own = x[ctx.positions]
        return {self.var: np.where(count > 0, own + 0.5 * (total / np.maximum(count, 1) - own),
                                   own)}


# ---- counting calls by purpose ----------------------------------------------------------------
def purpose(messages: list[dict]) -> str:
    text = str(messages[-1].get("content", ""))  # (the memory prompts are one user message)
    if "rate the likely poignancy" in text:
        return "importance"
    if "high-level questions" in text or "high-level insights" in text:
        return "reflection"
    return "decision"


def count_calls(sim: sk.Simulation, sent: list | None = None) -> tuple[Counter, list[dict]]:
    """Count the calls the backend receives by purpose, and each batched round of the session
    (its purpose, requests, backend calls, seconds); ``sent`` collects the messages sent."""
    session = sim.session
    backend, calls, rounds = session.backend, Counter(), []
    inner_call, inner_many = backend.acall, session.complete_many

    async def acall(messages, **kwargs):
        calls[purpose(messages)] += 1
        if sent is not None:
            sent.append(messages)
        return await inner_call(messages, **kwargs)

    def complete_many(requests, *args, **kwargs):
        before, t = sum(calls.values()), time.perf_counter()
        out = inner_many(requests, *args, **kwargs)
        rounds.append({"purpose": purpose(requests[0].messages) if requests else "-",
                       "requests": len(requests), "calls": sum(calls.values()) - before,
                       "seconds": time.perf_counter() - t})
        return out

    backend.acall = acall
    session.complete_many = complete_many
    return calls, rounds


# ---- 1. kernel overhead ------------------------------------------------------------------------
def kernel(n: int, steps: int, sizes: tuple, args) -> None:
    print(f"\n== 1. kernel overhead per agent-step: {n:,} agents x {steps} steps, G(n, 8/n), "
          f"Network(k={K}), every agent active")
    pop, G = population(n), graph(n)
    results, cpu_rates = {}, {}
    for label, memory in (("Recent(k=20)", sk.memory.Recent(k=20)),
                          ("Stream(HashEmbedding)",
                           sk.memory.Stream(embedding=sk.memory.HashEmbedding()))):
        t = time.perf_counter()
        sim = sk.Simulation(pop, env=sk.env.Network(G, k=K), model=Instant(),
                            memory=memory, seed=1, cache=False, progress=False,
                            state={OPINION: sk.agents.Ordinal(LIKERT.labels,
                                                              initial=opinions(n))})
        calls, rounds = count_calls(sim)
        build = time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        run = sim.run(steps)
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        rate = n * steps / dt
        results[label] = rate
        cpu_rates[label] = n * steps / cpu
        missing = int((run.events["action"] == "missing").sum())
        in_session = sum(r["seconds"] for r in rounds)
        print(f"socialkit LLM policy, scripted model, {label:21s}: {rate:9,.0f} agent-steps/s "
              f"({dt:5.1f} s; {cpu_rates[label]:,.0f} per CPU-second; "
              f"{calls['decision'] / (n * steps):.2f} decision calls per agent-step, {missing} "
              f"missing; build {build:.1f} s)")
        print(f"  of which in the Session's rounds (cache, limits, retries, parsing: "
              f"socialkit.llm) {in_session:.1f} s = {in_session / dt:.0%}; the rest, "
              f"{dt - in_session:.1f} s, is {n * steps / (dt - in_session):,.0f} agent-steps/s")
    rule = NeighbourMean()
    x0 = np.random.default_rng(0).random(n)
    sim = sk.Simulation(pop, env=sk.env.Network(G, k=K, message=False),
                        policy=sk.agents.RulePolicy(rule), seed=1, progress=False,
                        state={"opinion": sk.agents.Continuous(0, 1, initial=x0)})
    t, c = time.perf_counter(), time.process_time()
    run = sim.run(steps)
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    rule_rate, rule_cpu = n * steps / dt, n * steps / cpu
    final_std = float(np.std(sim.agents.values["opinion"]))
    print(f"socialkit rule policy, neighbour mean of up to {K}     : {rule_rate:9,.0f} "
          f"agent-steps/s ({dt:5.1f} s; {rule_cpu:,.0f} per CPU-second; final std "
          f"{final_std:.4f})")

    conc = _sim_peers.concordia(sizes, python=args.concordia_python)
    if conc:
        print(f"Concordia {conc['version']}: basic entity, simultaneous engine, "
              "NoLanguageModel (no latency)")
        for r in conc["runs"]:
            print(f"  {r['agents']:5d} agents x {r['steps']} steps: {r['seconds']:7.2f} s -> "
                  f"{r['agent_steps_per_s']:8.2f} agent-steps/s ({r['agent_steps_per_cpu_s']:.2f}"
                  f" per CPU-second); {r['calls_per_act']:.2f} LLM calls/act, game master "
                  f"{r['gm_calls_per_step']:.0f} calls/step")
        best = max(conc["runs"], key=lambda r: r["agent_steps_per_s"])
        best_cpu = max(conc["runs"], key=lambda r: r["agent_steps_per_cpu_s"])
        for label, rate in results.items():
            print(f"ratio socialkit LLM ({label}) / Concordia best ({best['agents']} agents): "
                  f"{rate / best['agent_steps_per_s']:8,.0f}x   (target >= 100x); "
                  f"/ Concordia at {conc['agents']} agents: "
                  f"{rate / conc['agent_steps_per_s']:,.0f}x; per CPU-second (robust to the "
                  f"load) / Concordia's best: "
                  f"{cpu_rates[label] / best_cpu['agent_steps_per_cpu_s']:,.0f}x")
    mesa = _sim_peers.mesa(n, steps, k=K, python=args.mesa_python)
    if mesa:
        grid = mesa.get("network_grid")
        print(f"Mesa {mesa['version']}: same rule, {n:,} agents x {steps} steps: neighbour lists "
              f"{mesa['agent_steps_per_s']:,.0f} agent-steps/s (final std "
              f"{mesa['final_std']:.4f})"
              + (f", NetworkGrid {grid['agent_steps_per_s']:,.0f}" if grid else ""))
        print(f"ratio socialkit rule / Mesa neighbour lists: "
              f"{rule_rate / mesa['agent_steps_per_s']:.2f}x"
              + (f"; / Mesa NetworkGrid: {rule_rate / grid['agent_steps_per_s']:.2f}x"
                 if grid else "")
              + f"; per CPU-second / Mesa neighbour lists "
              f"{rule_cpu / mesa['agent_steps_per_cpu_s']:.2f}x")


# ---- 2. LLM calls on the fake server -----------------------------------------------------------
def bare_langchain_rate(server: FakeOpenAI, prompts: list, concurrency: int) -> float:
    """Calls/s of LangChain alone: ``ainvoke`` of the prompts (message lists), ``concurrency``
    at a time, on a fresh event loop (no socialkit): the client's own ceiling here now."""
    import asyncio

    from langchain_core.messages import HumanMessage, SystemMessage

    kinds = {"system": SystemMessage}
    lcs = [[kinds.get(m["role"], HumanMessage)(content=m["content"]) for m in p]
           for p in prompts]

    async def go() -> float:
        import openai  # an HTTP client of this event loop's own (LangChain shares one per URL)

        chat = server.chat_model(timeout=30.0, http_async_client=openai.DefaultAsyncHttpxClient())
        sem = asyncio.Semaphore(concurrency)

        async def one(lc: list) -> None:
            async with sem:
                await chat.ainvoke(lc, max_tokens=66, temperature=1.0)

        t = time.perf_counter()
        await asyncio.gather(*(one(lc) for lc in lcs))
        return len(lcs) / (time.perf_counter() - t)

    return asyncio.run(go())


def session_rate(model, prompts: list, concurrency: int) -> float:
    """Calls/s of socialkit's runner alone on the prompts: one ``Session.complete_many``
    (fresh session, no cache), free text parsed."""
    session = sk.llm.Session(model, cache=False, concurrency=concurrency, seed=99,
                             progress=False)
    q = sk.FreeText("memory", max_words=200)
    reqs = [sk.llm.Request(list(p), q, ["bench", i]) for i, p in enumerate(prompts)]
    t = time.perf_counter()
    session.complete_many(reqs)
    return len(reqs) / (time.perf_counter() - t)


def calls_and_wall(n: int, steps: int, latency: float, concurrencies: list[int]) -> None:
    for i, concurrency in enumerate(concurrencies):
        calls_and_wall_at(n, steps, latency, concurrency)
        if i == 0:  # and without LangChain's callback layer (from_langchain(callbacks=False))
            calls_and_wall_at(n, steps, latency, concurrency, callbacks=False)


def calls_and_wall_at(n: int, steps: int, latency: float, concurrency: int,
                      callbacks: bool = True) -> None:
    how = "" if callbacks else " with callbacks=False (its _agenerate, no callback layer)"
    print(f"\n== 2. LLM calls: {n:,} agents x {steps} steps, FakeOpenAI latency "
          f"{latency * 1000:.0f} ms (subprocess), LangChain ChatOpenAI{how}, concurrency "
          f"{concurrency}, Stream(HashEmbedding) memory, importance='llm' (load average "
          f"{os.getloadavg()[0]:.1f})")
    pop, G = population(n), graph(n)
    with FakeOpenAI(latency=latency, process=True, max_seconds=7200) as server, \
            tempfile.TemporaryDirectory() as d:
        model = sk.llm.from_langchain(server.chat_model(timeout=30.0), callbacks=callbacks)
        sim = sk.Simulation(pop, env=sk.env.Network(G, k=K), model=model,
                            memory=sk.memory.Stream(embedding=sk.memory.HashEmbedding()),
                            importance="llm", seed=1, cache=d, concurrency=concurrency,
                            progress=False,
                            state={OPINION: sk.agents.Ordinal(LIKERT.labels,
                                                              initial=opinions(n))})
        sent: list = []
        calls, rounds = count_calls(sim, sent)
        t0 = time.perf_counter()
        for _ in range(steps):
            sent.clear()  # (the last step's prompts are replayed by the ceilings below)
            t, r0, c0 = time.perf_counter(), len(rounds), Counter(calls)
            sim.step()
            got = Counter(calls)
            got.subtract(c0)
            kinds = Counter(r["purpose"] for r in rounds[r0:])
            print(f"step {sim.t}: {got['decision']:,} decision calls in {kinds['decision']} "
                  f"round(s), {got['importance']:,} importance calls in "
                  f"{kinds['importance']} round(s), {got['reflection']} reflection calls; "
                  f"{time.perf_counter() - t:.1f} s")
        run = sim.result()
        wall = time.perf_counter() - t0
        stats, calls = server.stats(), Counter(calls)  # (a copy: the baselines' calls are not ours)
        # the client's ceiling on this machine now, same server and concurrency: the last
        # step's prompts (decisions and ratings, at most 1,500) sent by bare LangChain (no
        # socialkit) and by socialkit's runner; and plain sk.ask of as many persona prompts
        replay = sent[-1500:]
        n_ref = len(replay)
        bare_rate = bare_langchain_rate(server, replay, concurrency)
        runner_rate = session_rate(model, replay, concurrency)
        texts = [f"I am resident {i} of a small town. " * 12 for i in range(n_ref)]
        t = time.perf_counter()
        sk.ask(texts, sk.FreeText("What do you think of the new bus line?", max_words=25),
               model=model, concurrency=concurrency, cache=os.path.join(d, "ask"),
               progress=False)
        ask_rate = n_ref / (time.perf_counter() - t)
    total = sum(calls.values())
    agent_steps = n * steps
    missing = int((run.events["action"] == "missing").sum())
    ideal = total * latency / concurrency
    by_round = sum(math.ceil(r["calls"] / concurrency) for r in rounds) * latency
    in_rounds = sum(r["seconds"] for r in rounds)
    ceiling = max(ask_rate, bare_rate, runner_rate)
    best = max(ideal, total / ceiling)
    print(f"decision calls per active agent-step  : {calls['decision'] / agent_steps:.2f}   "
          f"(target 1; Concordia's basic entity: 5 per act)")
    print(f"importance calls per active agent-step: {calls['importance'] / agent_steps:.2f}, "
          f"in {sum(r['purpose'] == 'importance' for r in rounds)} batched round(s) for "
          f"{steps} steps (2 memories per agent-step; equal texts are rated once)")
    print(f"all calls {total:,} (server: {stats.get('requests', 0):,} requests), {missing} "
          f"missing decisions")
    print(f"wall {wall:.1f} s, ideal {total:,} x {latency:g} s / {concurrency} = {ideal:.1f} s "
          f"-> ratio {wall / ideal:.2f}   (target <= 1.3)")
    print(f"  time inside the LLM rounds {in_rounds:.1f} s (round-by-round ideal "
          f"{by_round:.1f} s), kernel outside the rounds {wall - in_rounds:.1f} s")
    print(f"  the client's ceiling here now (ideal {concurrency / latency:.0f} calls/s): the "
          f"last step's {n_ref:,} prompts by bare LangChain {bare_rate:.0f} calls/s, by "
          f"socialkit's Session {runner_rate:.0f} calls/s; plain sk.ask of {n_ref:,} persona "
          f"prompts {ask_rate:.0f} calls/s; the simulation's rounds ran "
          f"{total / in_rounds:.0f} calls/s")
    print(f"  the best wall any caller could reach with this client = max(ideal, calls / "
          f"ceiling) = {best:.1f} s -> the simulation's wall / that: {wall / best:.2f}")


# ---- 3. archetypes -----------------------------------------------------------------------------
_PARTY = {"Strong Democrat": "Democrat", "Weak Democrat": "Democrat",
          "Independent-Democrat": "Independent", "Independent-Independent": "Independent",
          "Independent-Republican": "Independent", "Weak Republican": "Republican",
          "Strong Republican": "Republican"}
_DEGREE = ("Bachelor's degree", "Graduate or professional degree")
_TV_OFTEN = ("4 days", "5 days", "6 days", "7 days")


def archetype_population(n: int) -> sk.Population:
    """``n`` resampled ANES 1996 respondents with 4 coarse attributes to group by."""
    df = population(n).df
    df = df.assign(
        party=df["PID"].astype(str).map(_PARTY),
        age_group=np.where(df["age"] < 45, "under 45", "45 and over"),
        college=np.where(df["educ"].astype(str).isin(_DEGREE), "college degree",
                         "no college degree"),
        tv_news=np.where(df["TVnews"].astype(str).isin(_TV_OFTEN), "watches TV news often",
                         "rarely watches TV news"))
    return sk.Population(df)


def archetypes(n: int, steps: int, latency: float, concurrency: int) -> None:
    cols = ["party", "age_group", "college", "tv_news"]
    t = time.perf_counter()
    pop, G = archetype_population(n), graph(n)
    cells = pop.df.groupby(cols, observed=True).ngroups
    print(f"\n== 3. archetypes: {n:,} agents, group_by {cols} ({cells} cells), a reported Likert "
          f"opinion + the message action, {steps} steps, FakeOpenAI latency "
          f"{latency * 1000:.0f} ms, concurrency {concurrency}")
    with FakeOpenAI(latency=latency, process=True, max_seconds=7200) as server, \
            tempfile.TemporaryDirectory() as d:
        model = sk.llm.from_langchain(server.chat_model(timeout=30.0))
        sim = sk.Simulation(pop, env=sk.env.Network(G, k=K), model=model, group_by=cols,
                            state={"opinion": LIKERT}, seed=1, cache=d,
                            concurrency=concurrency, progress=False)
        calls, rounds = count_calls(sim)
        print(f"build (population, graph, simulation) {time.perf_counter() - t:.1f} s")
        t0 = time.perf_counter()
        per_step = []
        for _ in range(steps):
            t, c0 = time.perf_counter(), sum(calls.values())
            sim.step()
            dt, got = time.perf_counter() - t, sum(calls.values()) - c0
            per_step.append((got, dt))
            what = " (incl. step 0: each cell's opinion from its persona)" if sim.t == 1 else ""
            print(f"step {sim.t}: {got:,} calls{what}, {dt:.1f} s (ideal for the calls "
                  f"{got * latency / concurrency:.1f} s)")
        run = sim.result()
        wall = time.perf_counter() - t0
    later = per_step[1:] or per_step
    mean_calls = sum(c for c, _ in later) / len(later)
    mean_wall = sum(s for _, s in later) / len(later)
    print(f"calls per step {mean_calls:,.0f} (steps 2+) for {n:,} active agents: "
          f"{mean_calls / n:.4f} per agent-step; without group_by {2 * n:,} "
          f"({2 * n / max(mean_calls, 1):,.0f}x more)")
    print(f"wall {wall:.1f} s for {steps} steps ({mean_wall:.1f} s per step, steps 2+); "
          f"{n * steps / wall:,.0f} agent-steps/s; final mean opinion "
          f"{np.nanmean(sim.agents.values['opinion']):.2f}, "
          f"{int((run.events['action'] == 'message').sum()):,} messages")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs")
    ap.add_argument("--parts", default="1,2,3", help="which parts to run, e.g. 1,3")
    ap.add_argument("--concurrency", type=int, default=64, help="part 3 (and part 2's first)")
    ap.add_argument("--concurrency2", default="16",
                    help="part 2's further concurrencies, where the client is not the "
                         "bottleneck, e.g. 8,16 ('' for none)")
    ap.add_argument("--concordia-python", default=None, help="default: $CONCORDIA_PYTHON")
    ap.add_argument("--mesa-python", default=None, help="default: $MESA_PYTHON")
    args = ap.parse_args(argv)
    q, parts = args.quick, {int(p) for p in args.parts.split(",")}
    print(f"socialkit {sk.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    if 1 in parts:
        kernel(2_000 if q else 10_000, 5 if q else 20,
               (5, 10, 20) if q else (5, 10, 20, 50, 100, 200, 500, 1000), args)
    if 2 in parts:
        more = [int(c) for c in args.concurrency2.split(",") if c.strip()]
        calls_and_wall(500 if q else 2_000, 3, 0.2, [args.concurrency, *more])
    if 3 in parts:
        archetypes(20_000 if q else 100_000, 3, 0.2, args.concurrency)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (other work on the machine "
          "slows everything; compare ratios, not absolute rates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
