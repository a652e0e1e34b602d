"""Robustness over real HTTP: LangChain's ChatOpenAI against the fake OpenAI-compatible server
on 127.0.0.1, which injects latency, 429s, 500s, timeouts and malformed answers."""

import json
import logging

import pytest

import socialkit as sk
from socialkit.llm.testing import FakeOpenAI

pytest.importorskip("langchain_openai")

SECRET = "sk-test-SECRET-0123456789abcdef"
LIKERT = sk.Likert("Taxes are too high.", name="taxes")
VOTE = sk.Choice("Who will you vote for?", ["Clinton", "Dole", "Perot"], name="vote")
FAULTS = {"429": 0.075, "500": 0.075, "timeout": 0.075, "malformed": 0.075}


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI(latency=0.005, jitter=0.01, faults=FAULTS, hang=1.0, garble="GARBLE",
                    seed=1) as srv:
        yield srv


def test_500_agents_with_30_percent_faults(server, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    chat = server.chat_model(api_key=SECRET, timeout=0.6)  # hangs are 1 s; room for a loaded machine
    model = sk.llm.from_langchain(chat, price=(2.0, 8.0))
    personas = [f"Person {i}, {20 + i % 60} years old" + (" GARBLE" if i % 100 == 7 else "")
                for i in range(500)]
    before = server.stats()
    res = sk.ask(personas, LIKERT, model=model, cache=tmp_path, concurrency=64, backoff=0.02,
                 retries=8, progress=True)
    after = server.stats()

    # completes, every answer valid or missing with its reason
    assert len(res) == 500 and set(res["status"]) <= {"ok", "repaired", "missing"}
    valid = res[res["status"] != "missing"]
    for text, answer in zip(valid["text"], valid["answer"], strict=True):
        assert LIKERT.parse(text).value == answer
    missing = res[res["status"] == "missing"]
    assert missing["answer"].isna().all() and (missing["reason"].str.len() > 0).all()
    assert set(res.loc[res["agent"] % 100 == 7, "status"]) == {"missing"}
    assert missing["reason"].str.startswith("invalid after 3 tries").all()
    assert (res["status"] == "repaired").sum() > 5
    u = sk.llm.summary(res).usage
    assert u.failed_attempts > 50 and {"HTTP 429", "HTTP 500", "timeout"} <= set(u.errors)

    # nothing charged twice: what we count is exactly what the server delivered
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    assert u.calls == delta["ok"]
    assert u.prompt_tokens == delta["prompt_tokens"]
    assert u.completion_tokens == delta["completion_tokens"]
    assert res["tokens"].sum() == u.tokens
    expected = (delta["prompt_tokens"] * 2.0 + delta["completion_tokens"] * 8.0) / 1e6
    assert u.cost == pytest.approx(expected) and res["cost"].sum() == pytest.approx(expected)

    # a rerun replays exactly from the cache, without a single request
    again = sk.ask(personas, LIKERT, model=model, cache=tmp_path, progress=False)
    assert server.stats()["requests"] == after["requests"]
    assert again["answer"].equals(res["answer"]) and again["cached"].all()
    assert sk.llm.summary(again).usage.cost == 0

    # the API key never reaches the cache, provenance, reprs or logs
    out = capsys.readouterr()
    haystacks = [out.out, out.err, caplog.text, repr(model), repr(chat)[:0],
                 json.dumps(res.attrs["provenance"]), str(res.attrs["summary"]),
                 res.attrs["summary"]._repr_html_(), res.to_csv(), repr(res)]
    haystacks += [p.read_bytes().decode("latin-1") for p in tmp_path.iterdir()]
    for text in haystacks:
        assert SECRET not in text and SECRET[8:] not in text
    assert SECRET not in repr(chat)  # LangChain keeps it as a SecretStr


def test_logprobs_over_http_give_one_call_distributions(server, tmp_path):
    model = sk.llm.from_langchain(server.chat_model(timeout=2.0))
    assert model.logprobs
    with FakeOpenAI() as clean:  # no faults: one call per agent
        model = sk.llm.from_langchain(clean.chat_model(timeout=2.0))
        res = sk.ask(["a", "b", "c"], [LIKERT, VOTE], model=model, cache=tmp_path,
                     progress=False)
        assert clean.stats()["requests"] == 6
    assert (res["status"] == "ok").all()
    for d, q in zip(res["dist"], res["question"], strict=True):
        assert abs(sum(d.values()) - 1) < 1e-5 and len(d) == (5 if q == "taxes" else 3)
        assert len(set(d.values())) > 1  # a real distribution, not one-hot
    assert res.attrs["summary"].price is None  # unknown model name: cost unknown, not zero


def test_server_refusing_logprobs_falls_back_to_plain_calls(tmp_path):
    with FakeOpenAI(logprobs=False) as srv:
        model = sk.llm.from_langchain(srv.chat_model(timeout=2.0))
        with pytest.warns(RuntimeWarning, match="refused log-probabilities"):
            res = sk.ask(["a", "b", "c"], [LIKERT, VOTE], model=model, cache=tmp_path,
                         concurrency=1, progress=False)
        stats = srv.stats()
    assert (res["status"] == "ok").all()  # answered, not failed with HTTP 400
    assert stats["rejected_logprobs"] == 1 and stats["ok"] == 6  # one refusal, then plain calls
    assert res["dist"].notna().all()  # from the (single) sample: one-hot, honest
    assert all(max(d.values()) == 1.0 for d in res["dist"])
    with FakeOpenAI(logprobs=False) as srv:  # the default server still answers with logprobs=False
        model = sk.llm.from_langchain(srv.chat_model(timeout=2.0))
        res = sk.ask(["a"], LIKERT, model=model, cache=False, logprobs=False, progress=False)
        assert srv.stats().get("rejected_logprobs", 0) == 0
    assert res.loc[0, "status"] == "ok"


def test_http_errors_that_are_not_worth_retrying(tmp_path):
    with FakeOpenAI() as srv:
        chat = srv.chat_model(base_url=srv.url.replace("/v1", "/nowhere"), timeout=2.0)
        with pytest.warns(RuntimeWarning, match="HTTP 404"):
            res = sk.ask(["a"], LIKERT, model=sk.llm.from_langchain(chat), cache=False,
                         progress=False)
    assert res.loc[0, "reason"] == "call failed: HTTP 404"


def test_server_rejects_bad_configuration():
    with pytest.raises(ValueError, match="unknown fault"):
        FakeOpenAI(faults={"teapot": 0.1})
    with pytest.raises(ValueError, match="at most 1"):
        FakeOpenAI(faults={"429": 0.8, "500": 0.8})
    with pytest.raises(RuntimeError, match="not running"):
        FakeOpenAI().url  # noqa: B018


def test_server_in_a_subprocess():
    with FakeOpenAI(process=True) as srv:
        res = sk.ask(["a", "b"], VOTE, model=srv.chat_model(), cache=False, progress=False)
        assert srv.stats()["ok"] == 2
    assert (res["status"] == "ok").all()


def test_chat_model_also_used_on_other_event_loops():
    """LangChain's OpenAI models pool connections per base URL; connections belong to the loop
    that opened them. ask must not trip over the notebook's loop or a closed one."""
    import asyncio

    with FakeOpenAI() as srv:
        chat = srv.chat_model(timeout=5.0)
        asyncio.run(chat.ainvoke("hello"))  # leaves connections of a closed loop in the pool
        res = sk.ask(["a", "b"], VOTE, model=chat, cache=False, progress=False)
        assert (res["status"] == "ok").all()
        assert sk.llm.summary(res).usage.failed_attempts == 0

        # (a second asyncio.run on `chat` itself would fail inside LangChain: its pooled
        # client still holds the closed loop's connections; another timeout, another pool)
        chat = srv.chat_model(timeout=6.0)

        async def cell():  # a notebook cell: the running loop also uses the model
            await chat.ainvoke("hello")
            inner = sk.ask(["c"], VOTE, model=chat, cache=False, progress=False)
            awaited = await sk.llm.aask(["d"], VOTE, model=chat, cache=False, progress=False)
            await chat.ainvoke("hello again")
            return inner, awaited

        inner, awaited = asyncio.run(cell())
    assert inner.loc[0, "status"] == "ok" and awaited.loc[0, "status"] == "ok"


def test_callbacks_false_sends_the_same_calls_without_the_callback_layer(tmp_path):
    import pickle

    from langchain_core.callbacks import BaseCallbackHandler

    class Count(BaseCallbackHandler):
        def __init__(self):
            self.starts = 0

        def on_chat_model_start(self, *args, **kwargs):
            self.starts += 1

    menu = sk.agents.ActionMenu([sk.agents.Action("say", text=sk.agents.Text(12))])
    assert menu.json_schema() is None  # free text: no structured output to pay for
    personas = [f"Person {i}" for i in range(6)]
    with FakeOpenAI(latency=0.0, seed=3) as srv:
        got = {}
        for callbacks in (True, False):
            seen = Count()
            model = sk.llm.from_langchain(srv.chat_model(callbacks=[seen]), callbacks=callbacks)
            got[callbacks] = sk.ask(personas, VOTE, model=model, cache=False, seed=4,
                                    progress=False)
            assert seen.starts == (6 if callbacks else 0)
            plain = sk.llm.from_langchain(srv.chat_model(), callbacks=callbacks)
            assert pickle.loads(pickle.dumps(plain)).callbacks is callbacks  # (sweep workers)
        for c in ("answer", "text", "status"):  # the same requests: the same replies
            assert got[True][c].tolist() == got[False][c].tolist()
    with pytest.raises(TypeError, match="callbacks must be True or False"):
        sk.llm.from_langchain(srv.chat_model(), callbacks="off")

    class InvokeOnly:  # a chat model without LangChain's _agenerate
        def invoke(self, messages):
            return "hi"

        async def ainvoke(self, messages):
            return "hi"

    assert sk.llm.from_langchain(InvokeOnly()).callbacks is True
    with pytest.raises(ValueError, match="callbacks=False needs a chat model with _agenerate"):
        sk.llm.from_langchain(InvokeOnly(), callbacks=False)
