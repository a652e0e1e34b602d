"""The parsers on a corpus of realistic replies: never a wrong answer, most answers recovered."""

import json
from pathlib import Path

import pytest

import socialkit as sk

CORPUS = Path(__file__).parent / "data" / "parser_corpus.jsonl"


def _load():
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    questions = {}
    for name, spec in head["questions"].items():
        spec = dict(spec)
        kind = spec.pop("kind")
        cls = {"likert": sk.Likert, "choice": sk.Choice, "numeric": sk.Numeric}[kind]
        questions[name] = cls(**spec)
    return questions, [json.loads(line) for line in lines[1:]]


QUESTIONS, ROWS = _load()


def test_corpus_is_large_and_varied():
    assert len(ROWS) >= 150
    assert {r["q"] for r in ROWS} == set(QUESTIONS)
    assert sum(r["answer"] is None for r in ROWS) >= 40  # replies with no single answer


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['q']}:{r['reply'][:30]!r}" for r in ROWS])
def test_never_a_wrong_answer(row):
    parsed = QUESTIONS[row["q"]].parse(row["reply"])
    if parsed.ok:
        assert parsed.value == row["answer"], f"read {parsed.value!r} from {row['reply']!r}"
    else:
        assert parsed.reason  # missing always says why


def test_most_determinable_answers_recovered():
    known = [r for r in ROWS if r["answer"] is not None]
    got = [r for r in known if QUESTIONS[r["q"]].parse(r["reply"]).ok]
    missed = [r["reply"] for r in known if r not in got]
    assert len(got) >= 0.9 * len(known), missed
