"""Reading results: distributions, summaries, the answers figure, replies and prices."""

import pandas as pd
import pytest

import socialkit as sk
from socialkit.llm import Reply

LIKERT = sk.Likert("Taxes are too high.", name="taxes")
VOTE = sk.Choice("Vote?", ["Clinton", "Dole"], name="vote")


@pytest.fixture(scope="module")
def res():
    model = sk.llm.scripted(lambda m: ("1" if "young" in m[0]["content"] else "5")
                            if "Taxes" in m[-1]["content"] else "B")
    return sk.ask(["young", "old", "old", "old"], [LIKERT, VOTE, sk.FreeText("Why?")],
                  model=model, progress=False)


def test_distribution_weighted_and_by_question(res):
    d = sk.llm.distribution(res)
    assert set(d["question"]) == {"taxes", "vote"}  # open questions have no distribution
    w = pd.Series([3.0, 1.0, 1.0, 1.0], index=[0, 1, 2, 3])
    taxes = sk.llm.distribution(res, "taxes", weights=w)
    assert taxes["share"].tolist() == [0.5, 0.0, 0.0, 0.0, 0.5]
    with pytest.raises(ValueError, match="no question named"):
        sk.llm.distribution(res, "nope")
    with pytest.raises(ValueError, match="sum to zero"):
        sk.llm.distribution(res, "taxes", weights=w * 0)
    with pytest.raises(ValueError, match="result of socialkit.ask"):
        sk.llm.distribution(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="does not come from socialkit.ask"):
        sk.llm.summary(pd.DataFrame({"x": [1]}))


def test_answers_figure(res):
    fig = sk.plot.answers({"a": res, "b": res}, question="taxes", reference={1: 0.3, 5: 0.7})
    assert [t.name for t in fig.data] == ["a", "b", "reference"]
    assert list(fig.data[0].x) == ["1", "2", "3", "4", "5"]
    assert list(fig.data[2].y) == [0.3, 0.0, 0.0, 0.0, 0.7]
    assert "taxes (4 agents)" in fig.layout.title.text
    with pytest.raises(TypeError, match="DataFrame from socialkit.ask"):
        sk.plot.answers("res")
    with pytest.raises(ValueError, match="no closed question"):
        sk.plot.answers(res[res["question"] == "Why?"])


def test_reply_round_trip_and_batch_generate():
    r = Reply("3", [[("3", -0.1), (" 4", -2.5)]], 10, 1, "stop")
    assert Reply.from_json(r.to_json()) == r
    assert Reply.from_json({"text": "x"}) == Reply("x")
    model = sk.llm.scripted(lambda m: {"Yes": 0.9, "No": 0.1})
    out = model.generate([[{"role": "user", "content": "Q?"}]] * 3, logprobs=True)
    assert [o.text for o in out] == ["Yes"] * 3 and out[0].top_logprobs[0][0][0] == "Yes"
    assert len(model.prompts) == 3


def test_prices_are_editable_and_unknown_prices_say_so(monkeypatch):
    from langchain_core.language_models import FakeListChatModel

    chat = FakeListChatModel(responses=["1"])
    e = sk.llm.estimate(["a"], LIKERT, model=chat, cache=False)
    assert e["cost"] is None and e["price"] is None
    monkeypatch.setitem(sk.llm.PRICES, "FakeListChatModel", (1.0, 2.0))
    e = sk.llm.estimate(["a"], LIKERT, model=chat, cache=False)
    assert e["price"] == (1.0, 2.0) and e["cost"][1] > e["cost"][0] > 0
    res = sk.ask(["a"], LIKERT, model=chat, cache=False, progress=False)
    assert "cost unknown" not in str(sk.llm.summary(res))


def test_model_id_never_holds_credentials():
    from socialkit.llm._langchain import _public_url

    assert _public_url("https://user:s3cret@api.example.com:8443/v1/?api-key=s3cret#x") == \
        "https://api.example.com:8443/v1"
    assert _public_url(None) is None
