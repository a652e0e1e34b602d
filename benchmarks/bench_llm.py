"""Benchmark: the LLM runner against bare LangChain calls, the cache, and the embedded model.

Everything remote runs against socialkit's fake OpenAI-compatible server (``socialkit.llm.testing``,
real HTTP on 127.0.0.1, in a subprocess), with LangChain's ``ChatOpenAI`` as the client, and is
measured side by side in one run since absolute rates vary between machines:

1. 100 ms latency, concurrency 64, 2,000 calls: ``sk.ask`` against bare ``ChatOpenAI.ainvoke``
   calls under an ``asyncio.Semaphore(64)`` sending the same messages and parameters, once with
   plain requests and once with the JSON-schema response format that socialkit sends closed
   questions with by default (LangChain then takes its slower ``parse`` path, on both sides).
   Target: at least 90% of the bare throughput. Also the speed-up over sequential calls.
2. 500 ms latency, concurrency 64, 1,280 calls: target at least 80% of the ideal 128 calls/s.
3. Replaying 10,000 cached answers (a rerun of the same ``ask``): target 5,000 answers/s.
4. The embedded model (SmolLM2-135M through llama-cpp-python) on the same 50 prompts: socialkit
   (logprobs of the first positions included) against raw ``Llama.create_chat_completion``;
   target: socialkit's overhead at most 10% (tokens/s ratio at least 0.9).
5. A Likert distribution from one log-probability call against 20 sampled calls (calls saved,
   total-variation distance and normalised Wasserstein distance between the two).

Run with ``.venv/bin/python benchmarks/bench_llm.py`` (needs the ``local`` and ``llm`` extras);
``--quick`` runs smaller versions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time

import socialkit as sk
from socialkit.llm.ask import SYSTEM_PROMPT
from socialkit.llm.testing import FakeOpenAI

QUESTION = sk.Likert("The government should reduce income differences.", name="redistribute")


def personas(n: int, tag: str = "") -> list[str]:
    return [f"I am person {i}{tag}, {18 + i % 70} years old, living in district {i % 435}."
            for i in range(n)]


def messages(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM_PROMPT.replace("{persona}", text)},
            {"role": "user", "content": QUESTION.render()}]


def bare_chat(server):
    """A ChatOpenAI with an HTTP client of its own: LangChain's shared default client keeps
    connections of the event loop that opened them, and each bare run has a new loop."""
    import openai

    return server.chat_model(timeout=30.0, http_async_client=openai.DefaultAsyncHttpxClient())


def response_format() -> dict:
    """The structured-output request socialkit sends for QUESTION (its JSON schema)."""
    return {"type": "json_schema", "json_schema": {"name": "answer", "strict": True,
                                                   "schema": QUESTION.json_schema()}}


async def bare(chat, prompts, concurrency: int, structured: bool = False) -> float:
    """Bare LangChain: ainvoke under a semaphore, same messages and parameters as socialkit
    (with ``structured``, the same JSON-schema response format too)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    sem = asyncio.Semaphore(concurrency)
    extra = {"response_format": response_format()} if structured else {}

    async def one(msgs):
        async with sem:
            lc = [SystemMessage(content=msgs[0]["content"]), HumanMessage(content=msgs[1]["content"])]
            return await chat.ainvoke(lc, temperature=1.0, max_tokens=QUESTION.max_tokens,
                                      logprobs=True, top_logprobs=20, **extra)

    t = time.perf_counter()
    await asyncio.gather(*(one(m) for m in prompts))
    return time.perf_counter() - t


def via_ask(server, texts, concurrency: int, cache: str, structured: bool = True
            ) -> tuple[float, object]:
    model = sk.llm.from_langchain(server.chat_model(timeout=30.0), structured=structured)
    t = time.perf_counter()
    res = sk.ask(texts, QUESTION, model=model, concurrency=concurrency, cache=cache,
                 temperature=1.0, progress=False)
    dt = time.perf_counter() - t
    assert (res["status"] != "missing").all(), res["reason"].value_counts()
    return dt, res


def throughput(n: int, latency: float, rounds: int) -> None:
    print(f"\n== 1. {latency * 1000:.0f} ms latency, concurrency 64, {n} calls "
          f"(ask vs bare LangChain ainvoke, {rounds} rounds in alternating order, best of each)")
    with FakeOpenAI(latency=latency, process=True) as server:
        for structured in (False, True):
            best_bare, best_ask = float("inf"), float("inf")
            tag = "s" if structured else "p"
            for r in range(rounds):
                for which in (("bare", "ask") if r % 2 == 0 else ("ask", "bare")):
                    if which == "bare":
                        texts = [messages(t) for t in personas(n, f"-b{tag}{r}")]
                        best_bare = min(best_bare, asyncio.run(
                            bare(bare_chat(server), texts, 64, structured)))
                    else:
                        with tempfile.TemporaryDirectory() as d:
                            dt, res = via_ask(server, personas(n, f"-a{tag}{r}"), 64, d,
                                              structured)
                        best_ask = min(best_ask, dt)
            bare_rate, ask_rate = n / best_bare, n / best_ask
            what = ("with structured output (JSON schema, socialkit's default for OpenAI-style "
                    "models)" if structured else "plain prompt-and-parse requests")
            print(f"-- {what}")
            print(f"bare LangChain ainvoke : {bare_rate:7.1f} calls/s")
            print(f"socialkit ask          : {ask_rate:7.1f} calls/s  (new cache file, results "
                  "table, accounting)")
            print(f"ratio ask / bare       : {ask_rate / bare_rate:.3f}   (target >= 0.90)")
        k = 20
        chat = bare_chat(server)
        seq = asyncio.run(bare(chat, [messages(t) for t in personas(k, "-seq")], 1))
    seq_rate = k / seq
    print(f"sequential calls       : {seq_rate:7.1f} calls/s")
    print(f"speed-up over sequential: {ask_rate / seq_rate:.1f}x")
    print(sk.llm.summary(res))


def latency_bound(n: int) -> None:
    print(f"\n== 2. 500 ms latency, concurrency 64, {n} calls (ideal 128 calls/s)")
    with FakeOpenAI(latency=0.5, process=True) as server, tempfile.TemporaryDirectory() as d:
        dt, _ = via_ask(server, personas(n, "-slow"), 64, d)
    rate = n / dt
    print(f"socialkit ask          : {rate:7.1f} calls/s")
    print(f"ratio to ideal 128/s   : {rate / 128:.3f}   (target >= 0.80)")
    print(f"speed-up over sequential (2 calls/s): {rate / 2:.0f}x")


def replay(n: int) -> None:
    print(f"\n== 3. replaying {n} cached answers")
    model = sk.llm.scripted(lambda m: {"4": 0.5, "3": 0.3, "5": 0.15, "The": 0.05},
                            name="replay")
    texts = personas(n, "-replay")
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        sk.ask(texts, QUESTION, model=model, cache=d, progress=False)
        fill = time.perf_counter() - t
        t = time.perf_counter()
        res = sk.ask(texts, QUESTION, model=model, cache=d, progress=False)
        dt = time.perf_counter() - t
        size = os.path.getsize(os.path.join(d, "llm-cache.sqlite"))
    assert res["cached"].all()
    print(f"first run (scripted model, writes the cache): {n / fill:8.0f} answers/s")
    print(f"replay from the cache                        : {n / dt:8.0f} answers/s "
          f"(target >= 5000); cache file {size / 1e6:.1f} MB")


def embedded(n: int) -> None:
    print(f"\n== 4. embedded model on the same {n} prompts: socialkit vs raw llama-cpp-python")
    model = sk.llm.default()
    llm = model.llama
    texts = [f"I am a {20 + i}-year-old voter from state number {i}." for i in range(n)]
    prompts = [messages(t) for t in texts]
    llm.create_chat_completion(prompts[0], temperature=0, max_tokens=4)  # warm up

    def raw() -> tuple[float, int]:
        t, tokens = time.perf_counter(), 0
        for i, m in enumerate(prompts):
            llm.reset()  # same as socialkit: no prefix reuse between prompts
            r = llm.create_chat_completion(m, temperature=0, max_tokens=QUESTION.max_tokens,
                                           seed=i)
            tokens += r["usage"]["total_tokens"]
        return time.perf_counter() - t, tokens

    def ours() -> tuple[float, int]:
        t = time.perf_counter()
        res = sk.ask(texts, QUESTION, model=model, cache=False, temperature=0, reasks=0,
                     progress=False)
        return time.perf_counter() - t, int(res["tokens"].sum())

    raw_runs, our_runs = [], []
    for _ in range(2):
        raw_runs.append(raw())
        our_runs.append(ours())
    raw_rate = max(tok / dt for dt, tok in raw_runs)
    our_rate = max(tok / dt for dt, tok in our_runs)
    print(f"raw create_chat_completion : {raw_rate:7.1f} tokens/s (prompt + completion)")
    print(f"socialkit ask (+logprobs)  : {our_rate:7.1f} tokens/s")
    print(f"ratio socialkit / raw      : {our_rate / raw_rate:.3f}   (target >= 0.90)")
    from llama_cpp import Llama

    full = Llama(str(model.path), n_ctx=1024, n_threads=model.n_threads, logits_all=True,
                 verbose=False)
    t = time.perf_counter()
    for m in prompts[:5]:
        full.reset()
        full.create_chat_completion(m, temperature=0, max_tokens=QUESTION.max_tokens,
                                    logprobs=True, top_logprobs=20)
    per_call = (time.perf_counter() - t) / 5
    full.close()
    print(f"(reference: raw create_chat_completion with logprobs=True, which needs "
          f"logits_all=True, took {per_call:.2f} s a call, vs {raw_runs[-1][0] / n:.2f} s "
          "without; socialkit reads the logits of the first positions itself)")


def distribution(n_personas: int, draws: int) -> None:
    print(f"\n== 5. Likert distribution: one log-probability call vs {draws} sampled calls "
          f"({n_personas} personas, embedded model)")
    texts = [f"I am a {a}-year-old {p} from {s}." for a, p, s in
             [(70, "retired farmer", "Iowa"), (25, "nurse", "Boston"), (45, "engineer", "Texas"),
              (33, "teacher", "Ohio"), (58, "shop owner", "Georgia")][:n_personas]]
    model = sk.llm.default()
    with tempfile.TemporaryDirectory() as d:
        one = sk.ask(texts, QUESTION, model=model, cache=d, reasks=0, progress=False)
        many = sk.ask(texts, QUESTION, model=model, cache=d, samples=draws, logprobs=False,
                      temperature=1.0, reasks=0, progress=False)
    s1, s2 = sk.llm.summary(one).usage, sk.llm.summary(many).usage
    tv, w1 = [], []
    for agent in range(len(texts)):
        p = one.loc[one["agent"] == agent, "dist"].iloc[0]
        q = many.loc[many["agent"] == agent, "dist"].iloc[0]
        if p is None or q is None:
            continue
        tv.append(0.5 * sum(abs(p[k] - q[k]) for k in p))
        cp = cq = acc = 0.0
        for k in sorted(p):
            cp, cq = cp + p[k], cq + q[k]
            acc += abs(cp - cq)
        w1.append(acc / (len(p) - 1))
        print(f"  agent {agent}: logprobs {[round(p[k], 2) for k in sorted(p)]}  "
              f"sampled {[round(q[k], 2) for k in sorted(q)]}")
    print(f"calls: {s1.calls} with log-probabilities vs {s2.calls} sampled "
          f"({s2.calls - s1.calls} saved, {s2.calls / max(s1.calls, 1):.0f}x fewer)")
    if tv:
        print(f"mean total-variation distance {sum(tv) / len(tv):.3f}, mean normalised "
              f"Wasserstein {sum(w1) / len(w1):.3f} (0 = identical, 1 = opposite ends)")
    print(f"unusable (missing) sampled answers: {s2.missing} of {s2.jobs}; no re-asks on either "
          "side")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs")
    ap.add_argument("--parts", default="1,2,3,4,5", help="which parts to run, e.g. 1,2")
    args = ap.parse_args(argv)
    q, parts = args.quick, {int(p) for p in args.parts.split(",")}
    print(f"socialkit {sk.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    if 1 in parts:
        throughput(500 if q else 2000, 0.1, 1 if q else 2)
    if 2 in parts:
        latency_bound(256 if q else 1280)
    if 3 in parts:
        replay(2000 if q else 10000)
    if 4 in parts:
        embedded(10 if q else 50)
    if 5 in parts:
        distribution(2 if q else 3, 20)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (other work on the machine "
          "slows everything; compare ratios, not absolute rates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
