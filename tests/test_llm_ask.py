"""ask() logic with the scripted model: statuses, re-asks, sharing, samples, cache, group_by,
budget, estimate, limits, retries and bad input. Offline and deterministic."""

import asyncio
import json
import time

import pandas as pd
import pytest

import socialkit as sk
from socialkit.llm import Cache
from socialkit.llm.runner import TokenBucket, retryable

LIKERT = sk.Likert("Taxes are too high.", name="taxes")
VOTE = sk.Choice("Who will you vote for?", ["Clinton", "Dole", "Perot"], name="vote")


def persona(messages):
    return messages[0]["content"].rsplit("\n", 1)[-1]


def ask(*args, **kw):
    kw.setdefault("progress", False)
    return sk.ask(*args, **kw)


def test_columns_statuses_and_summary():
    model = sk.llm.scripted(lambda m: "4" if "Taxes" in m[-1]["content"] else "C")
    res = ask(["a farmer", "a nurse"], [LIKERT, VOTE], model=model)
    assert list(res.columns) == ["agent", "question", "sample", "answer", "status", "reason",
                                 "text", "dist", "tokens", "cost", "cached", "shared"]
    assert res["answer"].tolist() == [4, 4, "Perot", "Perot"]
    assert set(res["status"]) == {"ok"} and set(res["reason"]) == {""}
    assert res.loc[0, "dist"] == {1: 0.0, 2: 0.0, 3: 0.0, 4: 1.0, 5: 0.0}
    s = sk.llm.summary(res)
    assert s.usage.calls == 4 and s.usage.cache_hits == 0 and s.usage.missing == 0
    assert s.usage.tokens == res["tokens"].sum() > 0
    assert "4 answers" in str(s) and "<table>" in s._repr_html_()
    prov = res.attrs["provenance"]
    assert prov["model_id"].startswith("scripted:") and len(prov["prompts_hash"]) == 16
    json.dumps(prov)
    json.dumps(s.as_dict())
    # the persona and the question reach the model
    assert model.prompts[0][0]["content"].endswith("a farmer")
    assert model.prompts[0][1]["content"] == LIKERT.render()


def test_malformed_is_reasked_then_missing_with_reason():
    def reply(m):
        who = persona(m)
        if who == "stubborn":
            return "I refuse to answer."
        if who == "slow" and len(m) == 2:  # first try malformed, the re-ask is fine
            return "Well..."
        return "2"

    model = sk.llm.scripted(reply)
    res = ask(["fine", "slow", "stubborn"], LIKERT, model=model, reasks=2)
    assert res["status"].tolist() == ["ok", "repaired", "missing"]
    assert res["answer"].tolist()[:2] == [2, 2] and res["answer"].isna().tolist()[2]
    assert res.loc[2, "reason"].startswith("invalid after 3 tries: declines to answer")
    assert res.loc[2, "text"] == "I refuse to answer." and res.loc[2, "dist"] is None
    # the re-ask shows the model its bad answer and what was wrong
    reask = [p for p in model.prompts if len(p) == 4][0]
    assert reask[2] == {"role": "assistant", "content": "Well..."}
    assert "not valid" in reask[3]["content"] and "1 to 5" in reask[3]["content"]
    assert len(model.prompts) == 1 + 2 + 3
    assert sk.llm.summary(res).usage.reasks == 3
    res0 = ask(["stubborn"], LIKERT, model=model, reasks=0)
    assert res0.loc[0, "reason"].startswith("invalid after 1 tries")


def test_identical_prompts_are_sent_once_and_shared():
    model = sk.llm.scripted(lambda m: "3")
    res = ask(["same"] * 5 + ["other"], LIKERT, model=model)
    assert len(model.prompts) == 2
    assert res["shared"].tolist() == [False, True, True, True, True, False]
    assert res["tokens"].tolist()[1:5] == [0, 0, 0, 0]
    u = sk.llm.summary(res).usage
    assert (u.jobs, u.unique, u.calls_saved, u.calls) == (6, 2, 4, 2)


def test_samples_differ_and_give_a_distribution():
    model = sk.llm.scripted(lambda m, sample: str(1 + sample % 2))
    res = ask(["a", "b"], [LIKERT, sk.FreeText("Why?")], model=model, samples=4)
    assert len(res) == 16 and res["sample"].tolist()[:4] == [0, 1, 2, 3]
    lik = res[res["question"] == "taxes"]
    assert lik["answer"].tolist()[:4] == [1, 2, 1, 2]
    assert lik.iloc[0]["dist"] == {1: 0.5, 2: 0.5, 3: 0.0, 4: 0.0, 5: 0.0}
    assert res[res["question"] == "Why?"]["dist"].isna().all()
    dist = sk.llm.distribution(res)
    assert dist["share"].tolist() == [0.5, 0.5, 0.0, 0.0, 0.0] and set(dist["n"]) == {2}


def test_logprob_distribution_from_one_call():
    model = sk.llm.scripted(lambda m: {"2": 0.5, "4": 0.3, "Sure": 0.2})
    res = ask(["a"], LIKERT, model=model)
    assert res.loc[0, "answer"] == 2
    assert res.loc[0, "dist"] == {1: 0.0, 2: 0.625, 3: 0.0, 4: 0.375, 5: 0.0}
    res = ask(["a"], LIKERT, model=model, logprobs=False)
    assert res.loc[0, "dist"] == {1: 0.0, 2: 1.0, 3: 0.0, 4: 0.0, 5: 0.0}
    # a distribution survives a reply whose text is unusable: the answer stays missing
    res = ask(["a"], LIKERT, model=sk.llm.scripted(lambda m: {"Well": 0.6, "5": 0.4}))
    assert res.loc[0, "status"] == "missing" and res.loc[0, "answer"] is None
    assert res.loc[0, "dist"][5] == 1.0


def test_cache_replays_exactly_refreshes_and_bypasses(tmp_path):
    counter = {"n": 0}

    def reply(m, sample):
        counter["n"] += 1
        return str(1 + (counter["n"] + sample) % 5)

    model = sk.llm.scripted(reply, name="counter")
    first = ask(["a", "b", "c"], LIKERT, model=model, samples=2, cache=tmp_path)
    assert counter["n"] == 6 and not first["cached"].any()
    again = ask(["a", "b", "c"], LIKERT, model=model, samples=2, cache=tmp_path)
    assert counter["n"] == 6 and again["cached"].all()
    assert again["answer"].tolist() == first["answer"].tolist()
    assert sk.llm.summary(again).usage.cache_hits == 6 and again["tokens"].sum() == 0
    # more samples: only the new sample indexes are called
    ask(["a", "b", "c"], LIKERT, model=model, samples=3, cache=tmp_path)
    assert counter["n"] == 9
    # refresh calls again and overwrites; False bypasses
    ask(["a"], LIKERT, model=model, cache=Cache(tmp_path, mode="refresh"))
    assert counter["n"] == 10
    ask(["a"], LIKERT, model=model, cache=False)
    assert counter["n"] == 11
    # a scripted model is not cached in the default folder by cache=True
    ask(["a"], LIKERT, model=model, cache=True)
    ask(["a"], LIKERT, model=model, cache=True)
    assert counter["n"] == 13
    stats = Cache(tmp_path).stats()
    assert stats["entries"] == 9 and stats["models"] == {"scripted:counter": 9}
    assert Cache(tmp_path).clear("scripted:counter") == 9 and Cache(tmp_path).clear() == 0


def test_cache_file_is_safe_for_several_processes(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from socialkit.llm import Cache; c = Cache(sys.argv[1]); "
            "[c.put_many([(f'{sys.argv[2]}-{i}', 'm', {'text': str(i)})]) for i in range(150)]")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), tag])
             for tag in ("p", "q", "r")]
    assert [p.wait(120) for p in procs] == [0, 0, 0]
    c = Cache(tmp_path)
    assert c.stats()["entries"] == 450
    assert c.get_many(["q-149"]) == {"q-149": {"text": "149"}}
    import sqlite3
    with sqlite3.connect(c.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_argument_errors(tmp_path):
    with pytest.raises(TypeError, match="cache must be"):
        ask(["a"], LIKERT, model=sk.llm.scripted(lambda m: "1"), cache=3)
    with pytest.raises(ValueError, match="cache mode"):
        Cache(tmp_path, mode="sometimes")
    with pytest.raises(TypeError, match="cache folder"):
        Cache(12)


def test_group_by_shares_calls_within_cells():
    df = pd.DataFrame({"agent": range(6), "weight": 1.0,
                       "party": ["D", "D", "D", "R", "R", "R"], "age": [20, 30, 40, 50, 60, 70]})
    pop = sk.Population(df)
    model = sk.llm.scripted(lambda m: {"1": 0.5, "2": 0.5} if "party: D" in m[0]["content"]
                            else "5")
    res = ask(pop, [LIKERT, sk.FreeText("Why?")], model=model, group_by=["party"], seed=3)
    assert len(model.prompts) == 4  # 2 cells x 2 questions
    assert "age" not in model.prompts[0][0]["content"]
    lik = res[res["question"] == "taxes"]
    assert lik["cell"].tolist() == ["party=D"] * 3 + ["party=R"] * 3
    assert set(lik["answer"][:3]) <= {1, 2} and lik["answer"].tolist()[3:] == [5, 5, 5]
    assert lik.iloc[0]["dist"] == {1: 0.5, 2: 0.5, 3: 0.0, 4: 0.0, 5: 0.0}
    assert lik["shared"].tolist() == [False, True, True, False, True, True]
    assert sk.llm.summary(res).usage.calls_saved == 8
    again = ask(pop, [LIKERT, sk.FreeText("Why?")], model=model, group_by="party", seed=3)
    assert again["answer"].tolist() == res["answer"].tolist()  # the run's generator
    with pytest.raises(ValueError, match="not attributes"):
        ask(pop, LIKERT, model=model, group_by=["nope"])
    with pytest.raises(ValueError, match="needs a socialkit.Population"):
        ask(["a"], LIKERT, model=model, group_by=["party"])


def test_population_personas_and_fallback(monkeypatch):
    df = pd.DataFrame({"agent": [7, 9], "weight": 1.0, "age": [30.0, 41.5], "party": ["D", "R"]})
    pop = sk.Population(df)
    model = sk.llm.scripted(lambda m: "3")

    class P:
        def __init__(self, agent, text):
            self.agent, self.text = agent, text

        def __str__(self):
            return self.text

    monkeypatch.setattr(sk.Population, "personas",
                        lambda self, template=None, person="first":
                        [P(a, f"I am agent {a}.") for a in self.df["agent"]], raising=False)
    res = ask(pop, LIKERT, model=model)
    assert res["agent"].tolist() == [7, 9]
    assert model.prompts[0][0]["content"].endswith("I am agent 7.")
    monkeypatch.delattr(sk.Population, "personas", raising=False)
    ask(pop, LIKERT, model=model)
    assert model.prompts[-1][0]["content"].endswith("age: 41.5\nparty: R")
    assert model.prompts[-2][0]["content"].endswith("age: 30\nparty: D")


def test_budget_stops_before_overspending_and_keeps_answers():
    model = sk.llm.scripted(lambda m: "3")
    model.price = (1000.0, 1000.0)  # $ per 1M tokens: about 0.1 cent a call here
    personas = [f"person {i}" for i in range(40)]
    full = sk.llm.estimate(personas, LIKERT, model=model, reasks=0)
    res = ask(personas, LIKERT, model=model, budget=full["cost"][1] / 4, concurrency=4)
    s = sk.llm.summary(res).usage
    assert 0 < s.cost <= full["cost"][1] / 4
    answered = res[res["status"] == "ok"]
    assert 0 < len(answered) < 40 and s.budget_stopped == 40 - len(answered)
    assert res.loc[res["status"] == "missing", "reason"].str.startswith("not asked: budget").all()
    assert res["cost"].sum() == pytest.approx(s.cost)
    with pytest.raises(ValueError, match="budget must be"):
        ask(["a"], LIKERT, model=model, budget=-1)
    free = sk.llm.from_langchain(_fake_chat(["1"]))
    with pytest.raises(ValueError, match="needs a price"):
        ask(["a"], LIKERT, model=free, budget=1.0, cache=False)


def _fake_chat(responses):
    from langchain_core.language_models import FakeListChatModel

    return FakeListChatModel(responses=responses)


def test_estimate_is_a_range_and_sends_nothing(tmp_path):
    model = sk.llm.scripted(lambda m: "3", name="est")
    model.price = (1.0, 2.0)
    e = sk.llm.estimate(["a", "a", "b"], [LIKERT, VOTE], model=model, samples=2, cache=tmp_path)
    assert (e["jobs"], e["calls"], e["cached"], e["calls_saved"]) == (12, 8, 0, 4)
    assert e["prompt_tokens"][0] < e["prompt_tokens"][1]
    assert e["completion_tokens"] == (8, 8 * 16 * 3)
    assert 0 < e["cost"][0] < e["cost"][1] and e["price"] == (1.0, 2.0)
    assert model.prompts == []
    ask(["a", "b"], [LIKERT, VOTE], model=model, samples=2, cache=tmp_path)
    e = sk.llm.estimate(["a", "b"], [LIKERT, VOTE], model=model, samples=2, cache=tmp_path)
    assert e["calls"] == 0 and e["cached"] == 8 and e["cost"] == (0.0, 0.0)


class Status(Exception):
    def __init__(self, status_code):
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


def test_retries_with_backoff_then_missing():
    seen = {}

    def flaky(m):
        who = persona(m)
        seen[who] = seen.get(who, 0) + 1
        if who == "429-twice" and seen[who] <= 2:
            raise Status(429)
        if who == "always-500":
            raise Status(503)
        if who == "bad-request":
            raise Status(400)
        if who == "bug":
            raise KeyError("oops")
        return "1"

    model = sk.llm.scripted(flaky)
    with pytest.warns(RuntimeWarning, match=r"2 call\(s\) failed"):
        res = ask(["429-twice", "always-500", "bad-request", "bug"], LIKERT, model=model,
                  retries=3, backoff=0.01)
    assert res["status"].tolist() == ["ok", "missing", "missing", "missing"]
    assert res.loc[1, "reason"] == "call failed: HTTP 503 after 4 tries"
    assert res.loc[2, "reason"] == "call failed: HTTP 400"  # not retried
    assert res.loc[3, "reason"].startswith("call failed: KeyError")
    assert seen == {"429-twice": 3, "always-500": 4, "bad-request": 1, "bug": 1}
    u = sk.llm.summary(res).usage
    assert u.calls == 1 and u.failed_attempts == 2 + 4 + 1 + 1 and u.retries == 2 + 3
    assert u.errors["HTTP 429"] == 2 and u.errors["HTTP 503"] == 4


def test_timeouts_are_retried():
    async def slow(m):
        if persona(m) == "slow":
            await asyncio.sleep(5)
        return "2"

    model = sk.llm.scripted(slow)
    res = ask(["slow", "quick"], LIKERT, model=model, timeout=0.1, retries=1, backoff=0.01)
    assert res.loc[0, "reason"] == "call failed: timeout after 2 tries"  # cut, not awaited
    assert res.loc[1, "status"] == "ok"


def test_retryable_classification():
    assert retryable(Status(500)) == (True, "HTTP 500")
    assert retryable(Status(404)) == (False, "HTTP 404")
    assert retryable(ConnectionResetError())[0]
    assert retryable(TimeoutError()) == (True, "timeout")


def test_concurrency_and_rate_limits():
    running = {"now": 0, "max": 0}

    async def track(m):
        running["now"] += 1
        running["max"] = max(running["max"], running["now"])
        await asyncio.sleep(0.01)
        running["now"] -= 1
        return "3"

    personas = [f"p{i}" for i in range(60)]
    ask(personas, LIKERT, model=sk.llm.scripted(track), concurrency=5)
    assert running["max"] == 5
    t = time.perf_counter()
    ask(personas[:50], LIKERT, model=sk.llm.scripted(lambda m: "3"), rpm=1800, concurrency=50)
    # 30/s with a burst of 30: 20 more must wait >= ~0.67 s (a lower bound: sleeps never end
    # early, so this holds however loaded the machine is)
    assert time.perf_counter() - t > 0.6
    t = time.perf_counter()  # 30,000 tokens a minute = 500 a second: 10 calls of 100 tokens
    heavy = sk.llm.scripted(lambda m: sk.llm.Reply("3", None, 100, 0))
    ask(personas[:10], LIKERT, model=heavy, tpm=30000, concurrency=10)
    assert time.perf_counter() - t > 0.7

    async def bucket_waits():
        b = TokenBucket(600)  # 10 a second, holds 10
        first = await b.take(10)
        second = await b.take(5)  # empty: waits about half a second
        b.give(5)
        third = await b.take(5)  # given back: no wait
        return first, second, third

    first, second, third = asyncio.run(bucket_waits())
    assert first == 0.0 and 0.4 < second < 0.7 and third == 0.0
    bucket = TokenBucket(60)
    assert bucket.capacity == 1.0
    with pytest.raises(ValueError, match="rate limit"):
        TokenBucket(0)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"concurrency": 0}, ValueError, "concurrency"),
    ({"concurrency": 2.5}, ValueError, "concurrency"),
    ({"samples": 0}, ValueError, "samples"),
    ({"seed": -1}, ValueError, "seed"),
    ({"reasks": -1}, ValueError, "reasks"),
    ({"retries": -1}, ValueError, "retries"),
    ({"timeout": 0}, ValueError, "timeout"),
    ({"rpm": -5}, ValueError, "rate limit"),
    ({"system": "no placeholder"}, ValueError, "persona"),
    ({"model": 42}, TypeError, "model must be"),
])
def test_bad_arguments(kwargs, err, match):
    kwargs.setdefault("model", sk.llm.scripted(lambda m: "1"))
    with pytest.raises(err, match=match):
        ask(["a"], LIKERT, **kwargs)


@pytest.mark.parametrize("personas, questions, err, match", [
    (["a"], "How are you?", TypeError, "questions must be"),
    (["a"], ["How are you?"], TypeError, "unknown question type str"),
    (["a"], [], TypeError, "questions must be"),
    (["a"], [LIKERT, LIKERT], ValueError, "unique"),
    ([], LIKERT, ValueError, "empty"),
    ("a farmer", LIKERT, TypeError, "personas must be"),
    (["a", ""], LIKERT, ValueError, "non-empty"),
    (pd.DataFrame({"x": [1]}), LIKERT, TypeError, "personas must be"),
])
def test_bad_personas_and_questions(personas, questions, err, match):
    with pytest.raises(err, match=match):
        ask(personas, questions, model=sk.llm.scripted(lambda m: "1"))


def test_scripted_and_backend_errors():
    with pytest.raises(TypeError, match="function"):
        sk.llm.scripted("not callable")
    with pytest.raises(TypeError, match="LangChain chat model"):
        sk.llm.from_langchain(object())
    with pytest.raises(FileNotFoundError):
        sk.llm.local("/no/such/model.gguf")
    with pytest.raises(TypeError, match="list of messages"):
        sk.llm.scripted(lambda m: "1").generate(["just text"])
    with pytest.raises(ValueError, match="price"):
        sk.llm.from_langchain(_fake_chat(["1"]), price=(1.0,))
    with pytest.warns(RuntimeWarning, match="not worth retrying"):
        res = ask(["a"], LIKERT, model=sk.llm.scripted(lambda m: {"1": 0.0}))
    assert "positive probability" in res.loc[0, "reason"]


def test_works_inside_a_running_event_loop():
    """As in a Jupyter cell: a loop is running in this thread; ask still works (no
    nest_asyncio), and aask can be awaited."""
    model = sk.llm.scripted(lambda m: "5")

    async def cell():
        inner = sk.ask(["a"], LIKERT, model=model, progress=False)
        awaited = await sk.llm.aask(["b"], LIKERT, model=model, progress=False)
        return inner, awaited

    inner, awaited = asyncio.run(cell())
    assert inner.loc[0, "answer"] == 5 and awaited.loc[0, "answer"] == 5


def test_langchain_backend_with_fake_chat_model():
    m = sk.llm.from_langchain(_fake_chat(["A", "Perot is my choice"]), price=(0.0, 0.0))
    assert not m.logprobs and m.model_id == "langchain:FakeListChatModel:FakeListChatModel"
    res = ask(["x", "y"], VOTE, model=m, cache=False, concurrency=1)
    assert sorted(res["answer"]) == ["Clinton", "Perot"]


def test_logprobs_setting_is_part_of_the_cache_key(tmp_path):
    model = sk.llm.scripted(lambda m: {"2": 0.5, "4": 0.5}, name="lp")
    free = sk.FreeText("Why?")
    plain = ask(["a"], [LIKERT, free], model=model, cache=tmp_path, logprobs=False)
    gen = plain.attrs["provenance"]["params"]["generation"]
    assert gen["taxes"]["logprobs"] is False and gen["Why?"]["logprobs"] is False
    rich = ask(["a"], [LIKERT, free], model=model, cache=tmp_path)
    gen = rich.attrs["provenance"]["params"]["generation"]
    assert gen["taxes"]["logprobs"] is True and gen["Why?"]["logprobs"] is False
    assert rich["cached"].tolist() == [False, True]  # free text: same call either way
    assert rich.loc[0, "dist"] == {1: 0.0, 2: 0.5, 3: 0.0, 4: 0.5, 5: 0.0}
