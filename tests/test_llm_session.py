"""Sessions and draw keys: seeds reach the model, sharing is explicit, parameters are checked,
the cache loses nothing (kill -9) and processes sharing it pay each prompt about once."""

import json
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import socialkit as sk
from socialkit.llm.cache import Cache, backend_seed, draw_key
from socialkit.llm.questions import int_interval

LIKERT = sk.Likert("Taxes are too high.", name="taxes")
PEOPLE = [f"Person {i}" for i in range(20)]


def seeded(messages, seed):
    """A sampled model: the answer follows the backend seed it is given."""
    return str(1 + seed % 5)


def test_seeds_give_independent_draws_and_replay_exactly(tmp_path):
    model = sk.llm.scripted(seeded, name="seeded")
    kw = dict(model=model, temperature=1.0, progress=False)
    a = sk.ask(PEOPLE, LIKERT, seed=1, cache=tmp_path, **kw)
    b = sk.ask(PEOPLE, LIKERT, seed=2, cache=tmp_path, **kw)
    assert sk.llm.summary(b).usage.calls == 20  # another seed: new draws, not cache hits
    assert (a["answer"] != b["answer"]).sum() >= 10
    again = sk.ask(PEOPLE, LIKERT, seed=1, cache=tmp_path, **kw)
    assert again["answer"].tolist() == a["answer"].tolist() and again["cached"].all()
    fresh = sk.ask(PEOPLE, LIKERT, seed=1, cache=False, **kw)
    assert fresh["answer"].tolist() == a["answer"].tolist()


def test_identical_prompts_are_independent_unless_shared_explicitly():
    model = sk.llm.scripted(seeded, name="seeded")
    same = ["a voter"] * 20
    res = sk.ask(same, LIKERT, model=model, temperature=1.0, progress=False, cache=False)
    s = sk.llm.summary(res)
    assert s.usage.calls == 20 and not res["shared"].any() and res["answer"].nunique() > 1
    shared = sk.ask(same, LIKERT, model=model, temperature=1.0, share="prompt",
                    progress=False, cache=False)
    s = sk.llm.summary(shared)
    assert s.usage.calls == 1 and s.usage.calls_saved == 19 and s.share == "prompt"
    assert "share='prompt'" in str(s) and shared["answer"].nunique() == 1
    # greedy decoding: identical prompts give identical replies, so "auto" shares them
    greedy = sk.ask(same, LIKERT, model=model, temperature=0, progress=False, cache=False)
    assert sk.llm.summary(greedy).usage.calls == 1
    none = sk.ask(same, LIKERT, model=model, temperature=0, share="none", progress=False,
                  cache=False)
    assert sk.llm.summary(none).usage.calls == 20


def test_sample_index_still_reaches_scripted_functions():
    model = sk.llm.scripted(lambda m, sample: str(sample + 1))
    res = sk.ask(["a"], LIKERT, model=model, samples=3, progress=False)
    assert res["answer"].tolist() == [1, 2, 3]


def test_draw_keys():
    assert draw_key(1, ["ask", 0, "q", 0]) != draw_key(1, ["ask", 1, "q", 0])
    assert backend_seed(draw_key(1, "x")) != backend_seed(draw_key(2, "x"))


@pytest.mark.parametrize("kw, err, match", [
    ({"temperature": -1}, ValueError, "temperature must be a finite number >= 0, got -1"),
    ({"temperature": math.nan}, ValueError, "temperature"),
    ({"temperature": math.inf}, ValueError, "temperature"),
    ({"temperature": "hot"}, TypeError, "temperature must be a number, got str 'hot'"),
    ({"top_p": 0}, ValueError, r"top_p must be in \(0, 1\]"),
    ({"top_p": 1.5}, ValueError, "top_p"),
    ({"share": "sometimes"}, ValueError, "share must be one of"),
    ({"seed": -3}, ValueError, "seed"),
    ({"constrain": "yes"}, TypeError, "constrain"),
])
def test_generation_parameters_are_checked(kw, err, match):
    with pytest.raises(err, match=match):
        sk.ask(["a"], LIKERT, model=sk.llm.scripted(lambda m: "3"), progress=False, **kw)
    with pytest.raises(err, match=match):
        sk.llm.Session(sk.llm.scripted(lambda m: "3"), **kw)


def test_generate_checks_max_tokens():
    with pytest.raises(ValueError, match="max_tokens must be an integer >= 1"):
        sk.llm.scripted(lambda m: "x").generate([[{"role": "user", "content": "hi"}]],
                                                max_tokens=0)


def test_session_spans_rounds_with_one_budget_and_usage():
    model = sk.llm.scripted(seeded, name="seeded")
    model.price = (100.0, 100.0)  # dollars per million tokens: about half a cent a call
    session = sk.llm.Session(model, cache=False, temperature=1.0, budget=0.2, progress=False)
    first = session.ask(PEOPLE[:5], LIKERT)
    spent = session.usage.cost
    assert sk.llm.summary(first).usage.calls == 5 and 0 < spent < 0.2
    rounds = [session.ask(PEOPLE[:5], LIKERT) for _ in range(10)]
    assert session.usage.cost <= 0.2  # one budget across rounds
    assert any((r["status"] == "missing").any() for r in rounds)
    assert session.usage.calls == sum(sk.llm.summary(r).usage.calls for r in [first, *rounds])
    assert session.usage.budget_stopped > 0


def test_complete_many_keys_are_identities():
    model = sk.llm.scripted(seeded, name="seeded")
    s = sk.llm.Session(model, cache=False, temperature=1.0, seed=5, progress=False)
    msgs = [{"role": "user", "content": LIKERT.render()}]
    reqs = [sk.llm.Request(msgs, LIKERT, ("step", 0, a, "decide")) for a in range(30)]
    outs = s.complete_many(reqs)
    assert len({o.value for o in outs}) > 1 and s.usage.calls == 30
    again = sk.llm.Session(model, cache=False, temperature=1.0, seed=5, progress=False)
    assert [o.value for o in again.complete_many(reqs)] == [o.value for o in outs]
    with pytest.raises(TypeError, match="Request"):
        s.complete_many([("not", "a request")])
    with pytest.raises(TypeError, match="message"):
        s.complete([{"content": "no role"}], LIKERT, key=1)


@pytest.mark.parametrize("low, high", [(0, 100), (18, 99), (1, 10), (-2, 3), (-150, -7),
                                       (0, 10 ** 6), (123, 4567), (-99, 250), (7, 7)])
def test_integer_grammar_spells_exactly_the_interval(low, high):
    alts = int_interval(low, high)
    rx = re.compile("|".join("(?:" + a.replace('"', "").replace(" ", "") + ")" for a in alts))
    probe = [*range(low - 40, low + 40), *range(high - 40, high + 40), *range(-10, 1200, 7)]
    for v in probe:
        assert bool(rx.fullmatch(str(v))) == (low <= v <= high), (v, alts)


def test_grammars_compile_in_llama_cpp():
    llama_cpp = pytest.importorskip("llama_cpp")
    for q in [LIKERT, sk.Likert("Q", labels=list("abcdefghij")),
              sk.Choice("Q", ["x", "y", "z"]), sk.Numeric("Q", 0, 100, integer=True),
              sk.Numeric("Q", -1.5, 1.5), sk.Numeric("Income?", 0, 1e6)]:
        assert llama_cpp.LlamaGrammar.from_string(q.grammar(), verbose=False) is not None
    assert sk.FreeText("Why?").grammar() is None


# ---- over HTTP: structured output, seeds, kill -9 and several processes ----------------------
def test_structured_output_and_fallback():
    pytest.importorskip("langchain_openai")
    from socialkit.llm.testing import FakeOpenAI

    with FakeOpenAI() as srv:
        model = sk.llm.from_langchain(srv.chat_model(), price=(0, 0))
        res = sk.ask(PEOPLE[:6], [LIKERT, sk.Choice("Vote?", ["A1", "B1"])], model=model,
                     cache=False, progress=False)
        assert (res["status"] == "ok").all() and srv.stats()["structured"] == 12
        assert res["text"].str.startswith('{"answer"').all()
    with FakeOpenAI(structured=False) as srv:
        model = sk.llm.from_langchain(srv.chat_model(), price=(0, 0))
        with pytest.warns(RuntimeWarning, match="refused structured output"):
            res = sk.ask(PEOPLE[:6], LIKERT, model=model, cache=False, progress=False)
        assert (res["status"] == "ok").all()


def test_seed_is_sent_to_openai_compatible_servers():
    pytest.importorskip("langchain_openai")
    from socialkit.llm.testing import FakeOpenAI

    with FakeOpenAI() as srv:
        model = sk.llm.from_langchain(srv.chat_model(temperature=1.0), price=(0, 0))
        a = sk.ask(PEOPLE, LIKERT, model=model, seed=1, cache=False, progress=False)
        b = sk.ask(PEOPLE, LIKERT, model=model, seed=2, cache=False, progress=False)
        c = sk.ask(PEOPLE, LIKERT, model=model, seed=1, cache=False, progress=False)
    assert (a["answer"] != b["answer"]).sum() >= 8
    assert a["answer"].tolist() == c["answer"].tolist()  # the server honours the seed


CHILD = textwrap.dedent("""
    import sys, types, socialkit as sk
    url, folder, first, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    from langchain_openai import ChatOpenAI
    chat = ChatOpenAI(model="fake-model", api_key="sk-fake", base_url=url, max_retries=0,
                      temperature=1.0)
    model = sk.llm.from_langchain(chat, price=(0, 0))
    people = [types.SimpleNamespace(agent=i, text=f"Person {i}") for i in range(first, first + n)]
    res = sk.ask(people, sk.Likert("Taxes are too high."), model=model, cache=folder,
                 concurrency=4, progress=False)
    print(int((res["status"] == "ok").sum()))
""")


def _child(url, folder, first, n):
    return subprocess.Popen([sys.executable, "-c", CHILD, url, str(folder), str(first), str(n)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _rows(folder):
    import sqlite3

    con = sqlite3.connect(folder / "llm-cache.sqlite")
    try:
        return con.execute("SELECT COUNT(*) FROM replies").fetchone()[0]
    finally:
        con.close()


def test_kill_minus_9_loses_at_most_the_calls_in_flight(tmp_path):
    pytest.importorskip("langchain_openai")
    from socialkit.llm.testing import FakeOpenAI

    with FakeOpenAI(latency=0.05) as srv:
        proc = _child(srv.url, tmp_path, 0, 400)
        deadline = time.time() + 120
        while srv.stats().get("ok", 0) < 200:
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.3)  # the server finishes the requests that were in flight: paid too
        paid = srv.stats()["ok"]
        cached = _rows(tmp_path)
        # lost: the calls in flight (concurrency 4) and the replies the cache's writer thread had
        # received but not yet committed (a short group commit; on a loaded machine, with
        # another test worker busy, one or two more were seen)
        assert paid - cached <= 2 * 4
        rerun = _child(srv.url, tmp_path, 0, 400)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        assert int(out.strip()) == 400
        assert srv.stats()["ok"] - paid == 400 - cached  # only the remainder was paid for


def test_three_processes_pay_each_prompt_about_once(tmp_path):
    pytest.importorskip("langchain_openai")
    from socialkit.llm.testing import FakeOpenAI

    Cache(tmp_path).get_many(["warm-up"])  # create the file before the processes race
    with FakeOpenAI(latency=0.02) as srv:
        # 3 x 200 personas over 300 unique ones: 0-199, 50-249, 100-299
        procs = [_child(srv.url, tmp_path, first, 200) for first in (0, 50, 100)]
        outs = [p.communicate(timeout=180) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err
            assert int(out.strip()) == 200 and "locked" not in err
        calls = srv.stats()["ok"]
    assert calls <= 1.05 * 300, calls
    assert _rows(tmp_path) == 300
    assert json.loads(json.dumps(Cache(tmp_path).stats()))["entries"] == 300
