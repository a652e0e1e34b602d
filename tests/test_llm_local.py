"""End to end on the embedded model (SmolLM2-135M-Instruct through llama-cpp-python): offline,
temperature 0 or a fixed seed, a handful of short calls."""

import os

import pytest

import socialkit as sk

pytest.importorskip("llama_cpp")

PERSONAS = ["I am a 70-year-old retired farmer from Iowa.",
            "I am a 25-year-old nurse from Boston."]


@pytest.fixture(scope="module")
def model():
    m = sk.llm.default()
    m.llama  # load once for the module  # noqa: B018
    return m


def test_loaded_once_per_process(model):
    again = sk.llm.default()
    assert again.llama is model.llama
    assert sk.llm.local(model.path).llama is model.llama
    assert model.model_id.startswith("gguf:SmolLM2-135M-Instruct.Q4_1.gguf:")
    assert model.max_concurrency == 1 and model.price == (0.0, 0.0)


def test_generate_batch_with_logprobs(model):
    prompts = [[{"role": "user", "content": "Say yes."}],
               [{"role": "user", "content": "Answer with a single number from 1 to 5."}]]
    replies = model.generate(prompts, temperature=0, max_tokens=4, logprobs=True)
    assert len(replies) == 2
    for r in replies:
        assert isinstance(r.text, str) and r.prompt_tokens > 5 and 0 < r.completion_tokens <= 4
        assert 1 <= len(r.top_logprobs) <= 5
        assert all(len(pos) == 20 for pos in r.top_logprobs)
        assert r.top_logprobs[0][0][1] >= r.top_logprobs[0][-1][1]
    # a fixed seed replays exactly, even when sampling
    a = model.generate(prompts[:1], temperature=1.0, max_tokens=6, seed=3)
    b = model.generate(prompts[:1], temperature=1.0, max_tokens=6, seed=3)
    assert a[0].text == b[0].text


def test_ask_end_to_end_with_cache(model, tmp_path):
    qs = [sk.Likert("The government should reduce income differences.", name="redistribute"),
          sk.Choice("Who will you vote for?", ["Bill Clinton", "Bob Dole"], name="vote")]
    res = sk.ask(PERSONAS, qs, model=model, cache=tmp_path, temperature=0, progress=False)
    assert len(res) == 4 and set(res["status"]) <= {"ok", "repaired", "missing"}
    for _, row in res.iterrows():
        q = qs[0] if row["question"] == "redistribute" else qs[1]
        if row["status"] == "missing":
            assert row["answer"] is None and row["reason"]
        else:
            assert q.parse(row["text"]).value == row["answer"]
        # one call's log-probabilities give the whole distribution (OpinionQA)
        d = row["dist"]
        assert d is not None and list(d) == q.options and abs(sum(d.values()) - 1) < 1e-4
    s = sk.llm.summary(res)
    assert s.usage.calls >= 4 and s.usage.cost == 0 and s.usage.tokens > 100
    again = sk.ask(PERSONAS, qs, model=model, cache=tmp_path, temperature=0, progress=False)
    assert again["cached"].all() and sk.llm.summary(again).usage.calls == 0
    assert again["text"].tolist() == res["text"].tolist()
    assert again["dist"].tolist() == res["dist"].tolist()


def test_seeds_are_independent_draws_on_the_embedded_model(model, tmp_path):
    people = [f"I am a {20 + 3 * i}-year-old from town number {i}." for i in range(20)]
    q = sk.FreeText("What did you do today?", max_words=40, max_tokens=10, name="today")
    kw = dict(model=model, temperature=1.0, reasks=0, progress=False)
    one = sk.ask(people, q, seed=1, cache=tmp_path, **kw)
    two = sk.ask(people, q, seed=2, cache=tmp_path, **kw)
    assert sk.llm.summary(two).usage.calls == 20  # another seed: no cache hit
    assert (one["text"] != two["text"]).sum() >= 15  # most of the 20 replies differ
    replay = sk.ask(people, q, seed=1, cache=tmp_path, **kw)
    assert replay["cached"].all() and replay["text"].tolist() == one["text"].tolist()
    fresh = sk.ask(people, q, seed=1, cache=False, **kw)
    assert fresh["text"].tolist() == one["text"].tolist()  # same seed, without the cache


def test_constrained_closed_answers_always_parse(model):
    qs = [sk.Likert("The government should reduce income differences.", name="redistribute"),
          sk.Choice("Who will you vote for?", ["Bill Clinton", "Bob Dole", "Ross Perot"],
                    name="vote"),
          sk.Numeric("How warm do you feel towards Congress (0-100)?", 0, 100, integer=True,
                     name="congress")]
    people = PERSONAS + ["I am a 45-year-old teacher from Ohio.",
                         "I am a 33-year-old engineer from Texas."]
    res = sk.ask(people, qs, model=model, seed=4, reasks=0, cache=False, progress=False)
    assert (res["status"] == "ok").all(), res[["text", "reason"]]
    for qname in ("redistribute", "vote"):  # distributions from the first position
        d = res.loc[res["question"] == qname, "dist"]
        assert d.map(lambda x: abs(sum(x.values()) - 1) < 1e-4).all()


def test_threads_follow_the_environment_variable(monkeypatch):
    from socialkit.llm._llama import _default_threads

    monkeypatch.setenv("SOCIALKIT_THREADS", "3")
    assert _default_threads() == 3
    monkeypatch.delenv("SOCIALKIT_THREADS")
    assert _default_threads() == max(1, os.cpu_count() or 1)
    for bad in ["0", "two", "-1", "1.5"]:
        monkeypatch.setenv("SOCIALKIT_THREADS", bad)
        with pytest.raises(ValueError, match="SOCIALKIT_THREADS must be a positive integer"):
            _default_threads()
