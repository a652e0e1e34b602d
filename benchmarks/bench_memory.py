"""Benchmark: memory retrieval for many agents, socialkit's Stream against Concordia's memory bank.

1,000 agents (one query each) over 500 memories per agent, side by side in one run on the same
texts and the same embeddings (all-MiniLM-L6-v2, int8 ONNX, computed once and given to both):

- socialkit: one ``Stream.retrieve`` call for all agents, top 30, with the paper's and the code's
  scores (recency + importance + relevance, min-max normalised, last access updated), and with
  relevance alone (the task Concordia's bank does, to check that both return the same memories);
- Concordia 2.1.0: ``AssociativeMemoryBank.retrieve_associative(query, k=30)`` per agent (cosine
  relevance only), its query embedder a lookup of the same vectors. Concordia runs in its own
  Python (installed without dependencies, plus numpy and pandas) given by ``--concordia-python``
  or ``CONCORDIA_PYTHON``; its banks are filled with the frame its ``add`` builds (adding 500,000
  memories one by one through ``add`` takes far longer than the retrieval measured).

Target: socialkit at least 10x Concordia's throughput (queries/s). Also reported: adding the
memories, and (``--checkpoint``) writing them to chromadb.

Run with ``.venv/bin/python benchmarks/bench_memory.py`` (needs the ``memory`` extra; without it
the texts are embedded with HashEmbedding, which changes nothing in the retrieval measured);
``--quick`` runs 100 agents x 100 memories.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NAMES = ["Ann", "Bob", "Carmen", "Dmitri", "Esi", "Farid", "Grace", "Hiro", "Ines", "Jamal",
         "Kofi", "Lena", "Mateo", "Noor", "Olga", "Pavel", "Qing", "Rosa", "Sami", "Tariq"]
VERBS = ["talked about", "complained about", "read a post on", "argued over", "heard a rumour on",
         "asked a neighbour about", "wrote a letter on", "laughed at a joke on", "worried about",
         "shared a video on"]
TOPICS = ["the mayor's new budget", "the fishing quota", "the school strike", "rising rents",
          "the flooded bridge", "the vaccine campaign", "the election debate", "the football final",
          "the price of bread", "the new bus line", "the factory closure", "the heat wave",
          "the library's hours", "a missing dog", "the town festival", "the tax on sugar",
          "the broken streetlights", "the refugee shelter", "the farmers' market", "the lake's fish"]
PLACES = ["at the cafe", "on the square", "at work", "online", "at the market", "at church",
          "in the park", "on the bus", "at the pub", "at home"]
QUESTIONS = ["What do people think about {t}?", "Who is upset about {t}?",
             "What have I heard about {t}?", "Is {t} a problem for the town?"]


def texts_pool(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct short observations."""
    rng = np.random.default_rng(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        out[f"{rng.choice(NAMES)} {rng.choice(VERBS)} {rng.choice(TOPICS)} "
            f"{rng.choice(PLACES)} on day {rng.integers(1, 60)}."] = None
    return list(out)


def concordia_worker(folder: str) -> None:
    """Run in Concordia's Python: fill one bank per agent, time retrieve_associative per agent."""
    import pandas as pd
    from concordia.associative_memory.basic_associative_memory import AssociativeMemoryBank

    d = Path(folder)
    meta = json.loads((d / "meta.json").read_text())
    pool, qpool, queries = meta["pool"], meta["query_pool"], meta["queries"]
    z = np.load(d / "data.npz")
    pool_emb, q_emb, assign, k = z["pool_emb"], z["query_emb"], z["assign"], meta["k"]
    lookup = {t: pool_emb[i] for i, t in enumerate(pool)}
    lookup.update({t: q_emb[i] for i, t in enumerate(qpool)})

    def embedder(text: str) -> np.ndarray:
        return lookup[text]

    # Concordia's own add, timed on one agent: the cost of building a bank memory by memory
    probe = AssociativeMemoryBank(sentence_embedder=embedder)
    t = time.perf_counter()
    for i in assign[0]:
        probe.add(pool[i])
    add_rate = len(assign[0]) / (time.perf_counter() - t)
    banks = []
    for a in range(len(assign)):
        bank = AssociativeMemoryBank(sentence_embedder=embedder)
        texts = [pool[i] for i in assign[a]]
        # the frame add() builds: columns text and embedding (one array per row), hashes kept
        bank._memory_bank = pd.DataFrame({"text": texts, "embedding": [pool_emb[i] for i in
                                                                       assign[a]]})
        bank._stored_hashes = {hash((x,)) for x in texts}
        banks.append(bank)
    assert probe.get_all_memories_as_text() == banks[0].get_all_memories_as_text()
    t = time.perf_counter()
    got = [bank.retrieve_associative(queries[a], k=k) for a, bank in enumerate(banks)]
    dt = time.perf_counter() - t
    (d / "concordia.json").write_text(json.dumps({"seconds": dt, "add_rate": add_rate,
                                                  "top": got}))


def run_concordia(python: str, folder: Path) -> dict | None:
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import bench_memory; bench_memory.concordia_worker({str(folder)!r})")
    res = subprocess.run([python, "-c", code], capture_output=True, text=True)
    if res.returncode != 0:
        print(f"  Concordia failed ({python}):\n{res.stderr[-2000:]}")
        return None
    return json.loads((folder / "concordia.json").read_text())


def concordia_python(arg: str | None) -> str | None:
    python = arg or os.environ.get("CONCORDIA_PYTHON")
    if python:
        return python
    import importlib.util

    return sys.executable if importlib.util.find_spec("concordia") else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--memories", type=int, default=500, help="memories per agent")
    ap.add_argument("--k", type=int, default=30)
    ap.add_argument("--pool", type=int, default=2000, help="distinct memory texts to embed")
    ap.add_argument("--quick", action="store_true", help="100 agents x 100 memories")
    ap.add_argument("--concordia-python", default=None,
                    help="Python with gdm-concordia installed (default: $CONCORDIA_PYTHON)")
    ap.add_argument("--checkpoint", action="store_true", help="also time writing to chromadb")
    args = ap.parse_args()
    if args.quick:
        args.agents, args.memories, args.pool = 100, 100, 500
    if args.memories > args.pool:
        ap.error("--memories must not exceed --pool (memories of an agent are distinct texts)")

    import socialkit as sk

    M = sk.memory
    n, per, k = args.agents, args.memories, args.k
    emb = M.MiniLM() if M.minilm_available() else M.HashEmbedding(dim=384)
    print(f"memory retrieval: {n} agents x {per} memories, one query each, top {k}; "
          f"embedding {emb.name}")
    pool = texts_pool(args.pool)
    queries_pool = [q.format(t=t) for q in QUESTIONS for t in TOPICS]
    t = time.perf_counter()
    pool_emb = emb(pool)
    q_emb = emb(queries_pool)
    print(f"  embed        {len(pool) + len(queries_pool)} distinct texts in "
          f"{time.perf_counter() - t:.1f} s (cached by text from here on)")
    rng = np.random.default_rng(1)
    assign = np.stack([rng.choice(len(pool), per, replace=False) for _ in range(n)])
    queries = [queries_pool[i] for i in rng.integers(0, len(queries_pool), n)]
    agents = np.repeat(np.arange(n), per)
    texts = [pool[i] for i in assign.ravel()]
    times = np.tile(np.arange(per, dtype=np.float64), n)       # one memory per hour
    importance = M.heuristic_importance(pool)[assign.ravel()]

    results = {}
    for name, scoring in [("paper", "paper"), ("code", "code"),
                          ("relevance", M.Scoring("rank", 0.99, 0.0, 0.0, 1.0, k))]:
        mem = M.Stream(scoring=scoring, embedding=emb).bind(n)
        t = time.perf_counter()
        mem.add(agents, texts, time=times, importance=importance)
        t_add = time.perf_counter() - t
        mem.retrieve(np.arange(n), queries, time=float(per), k=k)    # warm-up (numpy, caches)
        reps = []
        for r in range(3):
            t = time.perf_counter()
            got = mem.retrieve(np.arange(n), queries, time=float(per + 1 + r), k=k)
            reps.append(time.perf_counter() - t)
        results[name] = (float(np.median(reps)), got, t_add, mem)
        print(f"  socialkit    {name:9s} {n / results[name][0]:9,.0f} queries/s "
              f"({results[name][0] * 1e3:.0f} ms for {n}; add {n * per / t_add:,.0f} memories/s)")

    if args.checkpoint:
        mem = results["code"][3]
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            mem.checkpoint(d)
            t_ck = time.perf_counter() - t
            t = time.perf_counter()
            M.Stream(embedding=emb).restore(d)
            t_rs = time.perf_counter() - t
        print(f"  chromadb     checkpoint {n * per:,} memories in {t_ck:.1f} s "
              f"({n * per / t_ck:,.0f}/s), restore {t_rs:.1f} s")

    python = concordia_python(args.concordia_python)
    if python is None:
        print("  Concordia    skipped: pass --concordia-python or set CONCORDIA_PYTHON "
              "(gdm-concordia 2.1.0 installed without dependencies, plus numpy and pandas)")
        return
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "meta.json").write_text(json.dumps({"pool": pool, "query_pool": queries_pool,
                                                         "queries": queries, "k": k}))
        np.savez(Path(d) / "data.npz", pool_emb=pool_emb, query_emb=q_emb, assign=assign)
        conc = run_concordia(python, Path(d))
    if conc is None:
        return
    c_rate = n / conc["seconds"]
    print(f"  Concordia    relevance {c_rate:9,.0f} queries/s ({conc['seconds'] * 1e3:.0f} ms for "
          f"{n}; its add {conc['add_rate']:,.0f} memories/s)")
    ours = results["relevance"][1]
    mine = ours.groupby("request")["text"].apply(list)
    same = np.mean([set(mine.get(a, [])) == set(conc["top"][a]) for a in range(n)])
    print(f"  agreement    relevance-only top {k}: the same memories for {same:.1%} of agents")
    for name in ("paper", "code", "relevance"):
        ratio = (n / results[name][0]) / c_rate
        print(f"  ratio        {name:9s} {ratio:6.1f}x Concordia's throughput "
              f"({'meets' if ratio >= 10 else 'misses'} the 10x target)")


if __name__ == "__main__":
    main()
