"""The kernel's fast paths give what the per-agent loops they replace gave, draw for draw."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import socialkit as sk
from socialkit.env import _sample
from socialkit.env._sample import choice_rows


# ---- choice_rows: rng.choice per row, vectorised ----------------------------------------------
def _loop(rng, indptr, indices, rows, k):
    out = []
    for r in rows:
        items = indices[indptr[r]:indptr[r + 1]]
        out.append(np.sort(rng.choice(items, size=k, replace=False)) if len(items) > k
                   else items)
    return out


@pytest.mark.parametrize("kind", [np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937,
                                  np.random.Philox])
@pytest.mark.parametrize("k", [0, 1, 2, 5, 9])
def test_choice_rows_draws_like_the_loop(kind, k):
    data = np.random.default_rng(k)
    deg = data.integers(0, 30, 400)
    deg[:2] = (20_000, 12_000)  # long rows (Floyd's algorithm still)
    indptr = np.concatenate([[0], np.cumsum(deg)])
    indices = data.integers(-10**6, 10**6, indptr[-1])  # unsorted items: picks sorted by value
    rows = data.integers(0, len(deg), 600)  # repeats, any order
    for warm in (0, 1):  # with and without a buffered 32-bit half in the generator's state
        a, b = np.random.Generator(kind(7)), np.random.Generator(kind(7))
        for g in (a, b):
            g.random()
            g.integers(0, 10, size=warm)
        offsets, got = choice_rows(a, indptr, indices, rows, k)
        want = _loop(b, indptr, indices, rows, k)
        assert [got[offsets[i]:offsets[i + 1]].tolist() for i in range(len(rows))] == \
            [w.tolist() for w in want]
        assert str(a.bit_generator.state) == str(b.bit_generator.state)
        assert a.random() == b.random()


def test_choice_rows_leaves_redraws_to_the_loop():
    # bounds near 2**31 make Lemire's rejection likely: the vectorised pass must give up and
    # leave the generator untouched, and choice_rows then equals the loop anyway
    bg = np.random.PCG64(3)
    before = bg.state
    assert _sample._floyd(bg, np.array([2**31 + 7] * 50), 3) is None
    assert bg.state == before
    a, b = np.random.default_rng(1), np.random.default_rng(1)
    deg = np.array([4, 9, 2**31 + 7])
    got = [_sample._floyd(np.random.PCG64(s), deg, 3) for s in range(40)]
    assert any(g is None for g in got) and any(g is not None for g in got)
    for s, g in enumerate(got):  # when it does not give up it equals Generator.choice
        if g is not None:
            ref = np.random.Generator(np.random.PCG64(s))
            assert [sorted(ref.choice(int(d), 3, replace=False)) for d in deg] == \
                [sorted(x) for x in g.tolist()]
    indptr = np.array([0, 10, 20])
    rows = np.array([0, 1, 0])
    off, flat = choice_rows(a, indptr, np.arange(20), rows, 4)
    assert [flat[off[i]:off[i + 1]].tolist() for i in range(3)] == \
        [x.tolist() for x in _loop(b, indptr, np.arange(20), rows, 4)]


def test_choice_rows_self_check_catches_a_different_numpy(monkeypatch):
    monkeypatch.setattr(_sample, "_CHECKED", {})
    assert _sample._self_check(np.random.PCG64)
    real = _sample._floyd
    monkeypatch.setattr(_sample, "_floyd", lambda bg, deg, k: None if k == 5 else real(bg, deg, k))
    assert not _sample._self_check(np.random.PCG64)


# ---- the network's observations ---------------------------------------------------------------
def _old_observe(env, sim, ids, rng):
    """The per-agent observation loop the vectorised one replaces."""
    var, x = sim.agents.variables[env.show], sim.agents.values[env.show]
    out = []
    for p in sim.agents.positions(ids):
        nb = env._neigh[p]
        if len(nb) > env.k:
            nb = np.sort(rng.choice(nb, size=env.k, replace=False))
        lines = []
        for j in nb.tolist():
            said = env.messages.get(int(sim.agents.ids[j]))
            if not np.isnan(x[j]):
                lines.append(f"- {var.text(x[j])}" + (f' and said: "{said}"' if said else ""))
        out.append("Some people you know answered:\n" + "\n".join(lines) if lines
                   else "You have not heard from anyone about this yet.")
    return out


def _old_observe_cell(env, sim, ids, rng):
    var, x = sim.agents.variables[env.show], sim.agents.values[env.show]
    out = []
    for p in sim.agents.positions(ids):
        nb = env._neigh[p]
        if len(nb) > env.k:
            nb = np.sort(rng.choice(nb, size=env.k, replace=False))
        vals = x[nb]
        vals = vals[~np.isnan(vals)]
        if len(vals) and var.kind != "categorical":
            out.append("What people you know answer on average: "
                       f"{var.text(float(np.round(np.add.reduce(vals) / len(vals))))}")
        elif len(vals):
            codes, counts = np.unique(vals, return_counts=True)
            out.append(f"What most people you know answer: "
                       f"{var.text(float(codes[np.argmax(counts)]))}")
        else:
            out.append("No one you know has told you their view.")
    return out


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996"), n=120, seed=0)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("state", ["likert", "continuous", "categorical"])
@pytest.mark.parametrize("k", [2, 9])
def test_network_observations_equal_the_loop(pop, directed, state, k):
    n = len(pop.df)
    G = nx.gnp_random_graph(n, 0.12, seed=4, directed=directed)
    G.add_edge(5, 5)  # a self-loop is not heard
    G.remove_edges_from([e for e in G.edges() if 7 in e])  # an isolated agent
    data = np.random.default_rng(0)
    if state == "likert":
        var = sk.agents.Ordinal(5, initial=data.integers(1, 6, n).astype(float))
    elif state == "continuous":
        var = sk.agents.Continuous(0, 5, initial=np.round(data.random(n) * 5, 1))
    else:
        var = sk.agents.Categorical(["a", "b", "c"], initial=list(data.choice(["a", "b", "c"], n)))
    sim = sk.Simulation(pop, env=sk.env.Network(G, k=k), policy=sk.agents.RulePolicy(
        lambda ctx: {}), state={"x": var}, seed=3, progress=False)
    sim.agents.values["x"][data.random(n) < 0.2] = np.nan  # some do not answer
    env = sim.env
    env.setup(sim)
    env.messages = {int(a): f"hello from {a}" for a in sim.agents.ids[::3]}
    ids = data.permutation(sim.agents.ids)[:90]
    ref = np.random.default_rng(11)
    sim.rng = np.random.default_rng(11)
    assert list(env.observe(sim, ids)) == _old_observe(env, sim, ids, ref)
    assert list(env.observe_cell(sim, ids)) == _old_observe_cell(env, sim, ids, ref)
    assert sim.rng.random() == ref.random()
    assert env._neigh[5].tolist() == sorted(
        sim.agents.positions([u for u in (G.predecessors(5) if directed else G.neighbors(5))
                              if u != 5]).tolist())
    assert len(env._neigh[7]) == 0


def test_observations_are_those_of_the_moment_they_were_made(pop):
    G = nx.path_graph(pop.df["agent"].tolist()[:3])
    sim = sk.Simulation(sk.Population(pop.df.head(3)), env=sk.env.Network(G, k=2),
                        policy=sk.agents.RulePolicy(lambda ctx: {}),
                        state={"x": sk.agents.Ordinal(5, initial=3.0)}, seed=0, progress=False)
    sim.env.setup(sim)
    obs = sim.env.observe(sim, sim.agents.ids)
    sim.agents.values["x"][:] = 1.0  # changed before the texts are read
    sim.env.messages[int(sim.agents.ids[0])] = "too late"
    assert obs[1] == "Some people you know answered:\n- 3\n- 3"
    assert isinstance(obs, sk.env.Texts) and obs.take([1])[0] == obs[1] and obs[-1] == obs[2]


def test_rule_policies_do_not_render_texts(pop, monkeypatch):
    from socialkit.env import _network

    def fail(self, i):
        raise AssertionError("a text was rendered")

    monkeypatch.setattr(_network._Heard, "render", fail)
    n = len(pop.df)
    sim = sk.Simulation(pop, env=sk.env.Network(nx.cycle_graph(n), k=1, message=False),
                        policy=sk.agents.RulePolicy(sk.sim.examples.neighbour_mean),
                        state={"opinion": sk.agents.Continuous(0, 1, initial=0.3)}, seed=1,
                        progress=False)
    assert len(sim.run(2).events) == 0


def test_rules_read_whom_each_agent_heard(pop):
    n = len(pop.df)
    G = nx.gnp_random_graph(n, 0.1, seed=2)
    sim = sk.Simulation(pop, env=sk.env.Network(G, k=3, message=False),
                        policy=sk.agents.RulePolicy(lambda ctx: {}),
                        state={"x": sk.agents.Continuous(0, 1, initial=0.5)}, seed=4,
                        progress=False)
    sim.env.setup(sim)
    ids = sim.agents.ids[::2]
    obs = sim.env.observe(sim, ids)
    offsets, heard = obs.neighbours()
    assert len(offsets) == len(ids) + 1 and (np.diff(offsets) <= 3).all()
    for i, p in enumerate(sim.agents.positions(ids)):
        assert set(heard[offsets[i]:offsets[i + 1]].tolist()) <= set(sim.env._neigh[p].tolist())
    rows = [5, 0, 17, 17]
    o2, h2 = obs.take(rows).neighbours()  # a view: the same draws, for its rows
    for j, i in enumerate(rows):
        assert h2[o2[j]:o2[j + 1]].tolist() == heard[offsets[i]:offsets[i + 1]].tolist()
    assert obs.take(rows).tolist() == [obs[i] for i in rows] == list(obs.take(rows))


def test_prompts_digest_is_the_hash_of_the_cache_encoding():
    import hashlib
    import json

    from socialkit.llm.session import Request
    from socialkit.sim._simulation import _digest_prompts

    q = sk.Likert("Taxes are too high.")
    msgs = [[{"role": "user", "content": f"Hé {i}"}] for i in range(3)]
    reqs = [Request(m, q, i) for i, m in enumerate(msgs)]
    want = hashlib.sha256(json.dumps(msgs, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()[:16]
    assert _digest_prompts(reqs) == want
    session = sk.llm.Session(sk.llm.scripted(lambda m: "3"), cache=False, seed=0)
    session.complete_many(reqs)  # the key and the hash share each request's encoding
    assert all(r.encoded is not None for r in reqs) and _digest_prompts(reqs) == want


# ---- vectorised state codes -------------------------------------------------------------------
def test_numeric_codes_are_validated_as_one_by_one():
    c = sk.agents.Continuous(0, 1)
    assert c.codes(np.array([0.0, np.nan, 1.0]), "x").tolist()[::2] == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"state variable 'x': 1.5 is outside \[0, 1\]"):
        c.codes(np.array([0.2, 1.5]), "x")
    o = sk.agents.Ordinal(3)
    assert o.codes(np.array([1, 3]), "y").tolist() == [1.0, 3.0]
    with pytest.raises(ValueError, match="2.5 is not a level from 1 to 3"):
        o.codes(np.array([2.5]), "y")
    with pytest.raises(ValueError, match="is not a category name"):
        sk.agents.Categorical(["a", "b"]).codes(np.array([0, 1]), "z")
    with pytest.raises(ValueError, match="is not a number"):
        c.codes(np.array([True]), "x")


# ---- keys, digests and parsers: the same bytes as before ----------------------------------------
_ALPHA = list("ab \n\t\"\\/{}*_`~#>-'") + ["é", "\x00", "\x7f", "\u2028", "😀", "\x1f", "’", "—",
                                            "\u00a0", "ﬁ", "“"]


def _messy(r, n=10):
    return "".join(r.choice(_ALPHA) for _ in range(r.randint(0, n)))


def test_keys_and_digests_are_those_of_json_dumps():
    import hashlib
    import json
    import random

    from socialkit.llm.cache import backend_seed, call_key, draw_key
    from socialkit.sim._simulation import _digest, _digest_messages, _messages_blob

    r = random.Random(3)
    for i in range(3000):
        msgs = [{"role": r.choice(["system", "user", _messy(r)]), "content": _messy(r)}
                for _ in range(r.randint(0, 3))]
        if i % 5 == 0 and msgs:
            msgs[0]["name"] = "x"  # other keys: json writes them
        if i % 7 == 0:
            msgs = [dict(reversed(list(m.items()))) for m in msgs]
        if i % 11 == 0:
            msgs = tuple(msgs)
        params = {"temperature": r.choice([0.0, 1.0, None]), "max_tokens": 5, "z": [1, "é"]}
        draw = r.choice(["abc", 3, None, "greedy:0"])
        blob = json.dumps(["m-é", params, msgs, draw], sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)
        assert call_key("m-é", params, msgs, draw) == hashlib.sha256(blob.encode()).hexdigest()
        assert _messages_blob(msgs) == json.dumps(msgs, sort_keys=True, default=repr).encode()
        assert _digest_messages(msgs) == _digest(msgs)
        ident = ["sim", i, np.int64(i), _messy(r)]
        assert draw_key(5, ident) == hashlib.sha256(json.dumps(
            [5, ident], separators=(",", ":"), ensure_ascii=False, default=str).encode()
        ).hexdigest()[:24]
        assert backend_seed(ident[3]) == int(hashlib.sha256(
            ident[3].encode()).hexdigest()[:8], 16) & 0x7FFFFFFF


def test_clean_is_the_full_pass():
    import random
    import re
    import unicodedata

    from socialkit.llm import parsing as P

    def full(reply):
        text = unicodedata.normalize("NFKC", str(reply))
        text = text.replace("’", "'").replace("‘", "'").replace("\u2212", "-")
        text = re.sub(r"\s*[\u2013\u2014]\s*", " - ", text)
        text = P._EMPHASIS.sub("", text)
        text = re.sub(r"(?m)^\s*(?:#+|>+)\s*", "", text)
        text = " ".join(text.split())
        while len(text) >= 2 and text[0] in P._QUOTES and text[-1] in P._QUOTES:
            text = text[1:-1].strip()
        return text

    r = random.Random(0)
    for _ in range(20000):
        t = _messy(r, 14)
        assert P.clean(t) == full(t), repr(t)


def test_memory_fast_paths_rate_and_embed_as_before():
    import math
    import random
    import zlib

    from socialkit.memory import _importance as imp
    from socialkit.memory._embed import _WORD

    def rate(texts):
        out = []
        for t in texts:
            low = t.lower()
            score = (2.0 + 5.0 * len(imp._RE_STRONG.findall(low))
                     + 1.5 * len(imp._RE_NOTABLE.findall(low)) + min(low.count("!"), 2)
                     - 1.0 * len(imp._RE_MUNDANE.findall(low)))
            out.append(min(max(math.floor(score + 0.5), 1.0), 10.0))
        return out

    r = random.Random(1)
    vocab = list(imp._STRONG + imp._NOTABLE + imp._MUNDANE) + [
        "is", "idle", "the", "up", "Broke", "WON", "fired!", "wedding's", "dies_", "_lost", "İs"]
    texts = [" ".join(r.choice(vocab) + r.choice(["", " ", ".", "!", "\n", "_", "-", "'"])
                      for _ in range(r.randint(0, 10))) for _ in range(5000)]
    assert imp.heuristic_importance(texts).tolist() == rate(texts)

    emb = sk.memory.HashEmbedding(dim=16)
    want = np.zeros((len(texts), 16), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in _WORD.findall(t.lower()):
            h = zlib.crc32(w.encode("utf-8"))
            want[i, h % 16] += 1.0 if (h >> 31) & 1 else -1.0
    want /= np.maximum(np.linalg.norm(want, axis=1, keepdims=True), 1e-12)
    assert np.array_equal(emb._encode(texts), want)


def test_state_texts_are_each_agents_state_text(pop):
    ag = sk.agents.Agents(pop, {"wealth": sk.agents.Continuous(initial=np.r_[0.0, -0.0, np.nan,
                                                                          np.arange(117.0)]),
                                "mood": sk.agents.Ordinal(["low", "high"], initial=1.0),
                                "said": sk.Likert("Taxes are too high.")})
    pos = np.array([3, 0, 1, 2, 0])
    assert ag.state_texts(pos) == [ag.state_text(p) for p in pos]
    assert sk.agents.Agents(pop).state_texts(pos) == [""] * 5


def test_session_workers_and_repeated_requests_answer_as_one_task_per_job(monkeypatch):
    from socialkit.llm import session as S

    def reply(m):
        return f"Reply to {len(m[-1]['content'])} chars."

    q = sk.FreeText("Say something.", max_words=10)
    reqs = [sk.llm.Request([{"role": "user", "content": "x" * (i % 37)}], q, ["k", i % 150])
            for i in range(300)]
    reqs += [reqs[5]] * 20  # one Request object repeated (archetypes)
    got = []
    for workers in (S._workers, lambda engine, jobs: jobs):
        monkeypatch.setattr(S, "_workers", workers)
        s = sk.llm.Session(sk.llm.scripted(reply), cache=False, concurrency=2, seed=4,
                           progress=False)
        out = s.complete_many(reqs)
        got.append(([(o.value, o.status, o.text) for o in out], s.usage.jobs, s.usage.unique,
                     s.usage.calls))
    assert got[0] == got[1]
    assert got[0][1:] == (320, 37, 37)  # greedy: equal prompts share a reply; 37 > 24 workers


def test_first_step_answers_instant_calls_at_once_and_awaits_the_rest():
    import asyncio

    from socialkit.llm.engine import _first_step

    async def instant():
        return 1

    async def waits():
        await asyncio.sleep(0.01)
        return 2

    async def fails():
        await asyncio.sleep(0)
        raise ValueError("bad reply")

    async def main():
        assert _first_step(instant()) == (True, 1)
        done, rest = _first_step(waits())
        assert not done and await rest == 2
        done, rest = _first_step(fails())
        with pytest.raises(ValueError, match="bad reply"):
            await rest
        done, rest = _first_step(asyncio.sleep(10))  # a hung call: the timeout still cancels it
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.02):
                await rest

    asyncio.run(main())


def test_run_hands_every_object_back_to_the_collector(pop):
    import gc

    G = nx.path_graph(pop.df["agent"].tolist()[:3])
    small = sk.Population(pop.df.head(3))

    def boom(ctx):
        if ctx.step == 2:
            raise RuntimeError("policy failed")
        return {}

    for policy in (lambda ctx: {}, boom):
        sim = sk.Simulation(small, env=sk.env.Network(G, k=2),
                            policy=sk.agents.RulePolicy(policy),
                            state={"x": sk.agents.Ordinal(5, initial=3.0)}, seed=0,
                            progress=False)
        try:
            sim.run(3)
        except RuntimeError:
            assert policy is boom
        assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.disable()  # a caller that manages the collector itself: left alone
    try:
        sk.Simulation(small, env=sk.env.Network(G, k=2), policy=sk.agents.RulePolicy(
            lambda ctx: {}), state={"x": sk.agents.Ordinal(5, initial=3.0)}, seed=0,
            progress=False).run(2)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
