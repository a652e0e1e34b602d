"""Typed questions: rendering, parsing, validation and distributions (no model needed)."""

import math

import pytest

import socialkit as sk
from socialkit.llm.questions import Parsed


def test_likert_renders_and_parses():
    q = sk.Likert("Taxes are too high.", scale=7)
    assert q.options == list(range(1, 8)) and q.keys == [str(i) for i in range(1, 8)]
    text = q.render()
    assert text.startswith("Taxes are too high.") and "7 = Strongly agree" in text
    assert "single number from 1 to 7" in text
    assert q.parse("6") == Parsed(True, 6)
    assert q.parse("My answer: 3.").value == 3
    assert q.parse("Somewhat agree").value == 5  # longest label wins over "agree"
    assert q.parse("On a scale of 1 to 7, I pick 2").value == 2
    assert not sk.Likert("Q?").parse("On a scale of 1 to 7, I pick 2").ok
    assert not q.parse("8").ok and "from 1 to 7" in q.parse("8").reason
    assert not q.parse("2.5").ok
    assert not q.parse("").ok and not q.parse("no idea").ok


def test_likert_custom_labels():
    q = sk.Likert("How often do you pray?", labels=["Never", "Sometimes", "Often"])
    assert q.scale == 3 and q.options == [1, 2, 3]
    assert q.parse("often").value == 3
    assert q.spec()["labels"] == ["Never", "Sometimes", "Often"]


@pytest.mark.parametrize("kwargs, match", [
    ({"scale": 4}, "5 or 7"),
    ({"scale": 1, "labels": ["a"]}, "2 to 10"),
    ({"scale": 7, "labels": ["a", "b"]}, "needs 7 labels, got 2"),
    ({"scale": 5, "labels": ["a", "b", "c"]}, "needs 5 labels, got 3"),
    ({"labels": ["a", "a", "b"]}, "distinct"),
    ({"scale": True}, "5 or 7"),
])
def test_likert_bad_scale(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sk.Likert("Q?", **kwargs)


@pytest.mark.parametrize("text", ["", "   ", None, 3])
def test_empty_question_text(text):
    with pytest.raises(ValueError, match="non-empty"):
        sk.FreeText(text)


def test_choice_renders_and_parses():
    q = sk.Choice("Who will you vote for?", ["Clinton", "Dole", "Perot"], name="vote")
    assert q.name == "vote" and q.keys == ["A", "B", "C"]
    assert "B) Dole" in q.render() and "A to C" in q.render()
    assert q.parse("C").value == "Perot"
    assert q.parse("(b)").value == "Dole"
    assert q.parse("a) Clinton").value == "Clinton"
    assert q.parse("I would vote for Perot.").value == "Perot"
    assert q.parse("My answer is B").value == "Dole"
    assert not q.parse("A) Clinton\nB) Dole\nC) Perot").ok  # a listing, not an answer
    assert "several" in q.parse("Clinton or Dole").reason
    assert not q.parse("Nader").ok


@pytest.mark.parametrize("options, err, match", [
    ([], ValueError, "at least 2"),
    (["only"], ValueError, "at least 2"),
    (["a", "A"], ValueError, "distinct"),
    (["a", ""], ValueError, "distinct"),
    ("ab", TypeError, "list of strings"),
    ([str(i) for i in range(27)], ValueError, "at most 26"),
])
def test_choice_bad_options(options, err, match):
    with pytest.raises(err, match=match):
        sk.Choice("Q?", options)


def test_numeric():
    q = sk.Numeric("Feeling thermometer?", 0, 100, integer=True)
    assert "whole number between 0 and 100" in q.render()
    assert q.parse("About 70 degrees").value == 70
    assert not q.parse("70.5").ok and "whole" in q.parse("70.5").reason
    assert "outside" in q.parse("-5").reason
    assert not q.parse("warm").ok
    assert sk.Numeric("x", -1.5, 1.5).parse("−0.5").value == -0.5
    assert sk.Numeric("Income?", 0, 1e6).parse("$45,000 a year").value == 45000.0


@pytest.mark.parametrize("low, high", [(5, 5), (10, 1), (0, math.inf), ("0", 1), (True, 3)])
def test_numeric_bad_bounds(low, high):
    with pytest.raises(ValueError):
        sk.Numeric("Q?", low, high)


def test_free_text():
    q = sk.FreeText("Most important problem?", max_words=3)
    assert q.max_tokens == 22 and not q.closed
    assert q.parse(" Crime ").value == "Crime"
    assert not q.parse("   ").ok
    assert "4 words" in q.parse("a b c d").reason
    with pytest.raises(ValueError, match="max_words"):
        sk.FreeText("Q?", max_words=0)
    with pytest.raises(ValueError, match="max_tokens"):
        sk.Likert("Q?", max_tokens=0)
    with pytest.raises(ValueError, match="name"):
        sk.Likert("Q?", name="")


def test_distribution_from_logprobs():
    q = sk.Choice("Vote?", ["Clinton", "Dole"])
    assert q.distribution(None) is None
    assert q.distribution([[("Hello", -0.1)]]) is None
    # the first position without option keys is skipped; " A" and "a" both count for A
    d = q.distribution([[("I", -0.1)], [(" A", math.log(0.3)), ("a", math.log(0.3)),
                                        ("B", math.log(0.4)), ("C", -0.1)]])
    assert d == {"Clinton": 0.6, "Dole": 0.4}
    assert sk.FreeText("Why?").distribution([[("A", -1.0)]]) is None
    assert repr(q) == "Choice('Vote?')"
