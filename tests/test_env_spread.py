"""Environments of ideas spreading: texts retold along a network (Retell), a judge of drift,
announcements on a schedule (Broadcast) and belief states S/I/R (BeliefStates)."""

import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import Categorical, Continuous, Number, OneOf, RulePolicy, ScriptedPolicy

ORIGINAL = "The council will close the old bridge on Monday for two weeks of repairs."


@pytest.fixture(scope="module")
def pop4():
    df = pd.DataFrame({"agent": [10, 11, 12, 13], "age": [30, 41, 52, 63],
                       "role": ["spreader", "commentator", "verifier", "bystander"],
                       "weight": 1.0})
    return sk.Population(df)


def texts_of(run, action="write"):
    ev = run.events[run.events["action"] == action]
    return {(int(s), int(a)): json.loads(d)["text"] for s, a, d in
            zip(ev["step"], ev["agent"], ev["data"], strict=True)}


def writer(messages):
    """Says which texts it read: 'v<agent ids seen>' (ids parsed from the numbered lines)."""
    last = messages[-1]["content"]
    if "Reply in exactly this format" in last:  # the judge
        return "sentiment: 1\nnew_information: 2\ncertainty: 3\nstyle: 4\ntime: 5\nperspective: 6"
    read = re.findall(r"^\d+\. (.+)$", last, re.M)
    return "from " + (" | ".join(read) if read else "nothing")


# ---- Retell --------------------------------------------------------------------------------
def test_retell_reads_synchronously_along_directed_arcs(pop4):
    G = nx.DiGraph([(10, 11), (11, 12), (12, 13)])
    env = sk.env.Retell(G, texts={10: "a0"}, own=False)
    run = sk.Simulation(pop4, env=env, model=sk.llm.scripted(writer), progress=False,
                        cache=False, seed=1).run(3)
    got = texts_of(run)
    # step 1: 11 reads 10's initial text; 12 reads nothing yet (11 had none at the start);
    # 10 reads no one and, with own=False and no start prompt, never writes
    assert got == {(1, 11): "from a0", (2, 11): "from a0", (2, 12): "from from a0",
                   (3, 11): "from a0", (3, 12): "from from a0", (3, 13): "from from from a0"}
    assert run.measures()["retell.written"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert env.texts == {10: "a0", 11: "from a0", 12: "from from a0", 13: "from from from a0"}


def test_retell_start_prompt_own_text_and_roles(pop4):
    seen = []

    def model(messages):
        seen.append(messages[-1]["content"])
        return "story"

    env = sk.env.Retell(nx.complete_graph([10, 11, 12, 13]), start="Write a first story.",
                        roles="role", prompts={"spreader": "Spread it.", "commentator":
                                               "Comment on it.", "verifier": "Check it.",
                                               "bystander": None})
    run = sk.Simulation(pop4, env=env, model=sk.llm.scripted(model), progress=False,
                        cache=False).run(2)
    w = run.events[run.events["action"] == "write"]
    assert sorted(w.loc[w["step"] == 1, "agent"]) == [10, 11, 12, 13]   # all start
    assert sorted(w.loc[w["step"] == 2, "agent"]) == [10, 11, 12]       # the bystander reads
    assert sum("Write a first story." in s for s in seen) == 4
    assert [sum(p in s for s in seen) for p in ("Spread it.", "Comment on it.", "Check it.")] \
        == [1, 1, 1]
    assert all("What you said last time:\nstory" in s for s in seen if "Spread it." in s)


def test_retell_k_follows_the_seed_and_random_mixing(pop4):
    def reads(seed, G):
        env = sk.env.Retell(G, k=2, texts={a: f"t{a}" for a in (10, 11, 12, 13)}, own=False)
        sim = sk.Simulation(pop4, env=env, model=sk.llm.scripted(writer), progress=False,
                            cache=False, seed=seed)
        return texts_of(sim.run(3))

    for G in (nx.complete_graph([10, 11, 12, 13]), None):
        a, b = reads(1, G), reads(1, G)
        assert a == b
        first = {agent: v for (step, agent), v in a.items() if step == 1}
        assert len(first) == 4 and all(v.count(" | ") == 1 for v in first.values())  # 2 read
        assert any(reads(s, G) != a for s in (2, 3, 4))
        assert all(f"t{agent}" not in v for (step, agent), v in a.items() if step == 1)


def test_retell_fields_set_state_and_missing_keeps_it(pop4):
    def model(messages):
        if "age: 63" in messages[0]["content"]:
            return "I am not sure at all."                        # never parses
        return "action: post\nstance: believe\ntext: It is true, the bridge closes!"

    env = sk.env.Retell(None, k=2, texts=ORIGINAL, action="post",
                        fields={"stance": OneOf(["believe", "doubt"]),
                                "worry": Number(1, 5, integer=True)})
    with pytest.raises(ValueError, match="worry"):  # the state lacks 'worry'
        sk.Simulation(pop4, env=env, model=sk.llm.scripted(model),
                      state={"stance": Categorical(["believe", "doubt"], initial="doubt")})
    env = sk.env.Retell(None, k=2, texts=ORIGINAL, action="post",
                        fields={"stance": OneOf(["believe", "doubt"])})
    sim = sk.Simulation(pop4, env=env, model=sk.llm.scripted(model), progress=False,
                        cache=False, reasks=0,
                        state={"stance": Categorical(["believe", "doubt"], initial="doubt")})
    run = sim.run(1)
    assert run.final("stance").tolist() == [0.0, 0.0, 0.0, 1.0]   # agent 13: missing, kept
    menu = sim.env.actions(sim, np.array([10]))[0]
    assert menu.grammar().startswith('root ::= "action: " ("post" "\\n" "stance: "')
    missing = run.events[run.events["action"] == "missing"]
    assert missing["agent"].tolist() == [13]


def test_retell_judge_and_similarity(pop4):
    calls = []

    def model(messages):
        last = messages[-1]["content"]
        if "Retold version" in last:
            calls.append(last)
            if "garbled" in last:
                return "sentiment: 11\nnew_information: 2"          # invalid: stays missing
            return writer(messages)
        if "age: 52" in messages[0]["content"]:
            return "garbled"
        return ORIGINAL

    emb = sk.memory.HashEmbedding(dim=64)
    env = sk.env.Retell(None, texts=ORIGINAL, judge=sk.env.Judge(), embedding=emb,
                        roles="role", prompts={"spreader": "Spread.", "commentator": "Comment.",
                                               "verifier": "Check.", "bystander": None})
    run = sk.Simulation(pop4, env=env, model=sk.llm.scripted(model), progress=False,
                        cache=False, reasks=0).run(1)
    m = run.measures().loc[1]
    assert m["retell.written"] == 3 and m["deviation.missing"] == 1
    assert m["deviation.sentiment"] == 1 and m["deviation.perspective"] == 6
    assert m["deviation.mean"] == pytest.approx(3.5)
    sims = [json.loads(d)["similarity"] for d in
            run.events.loc[run.events["action"] == "judged", "data"]]
    assert sims[0] == pytest.approx(1.0) and sims[2] < 0.9    # verbatim vs "garbled"
    judged = run.events[run.events["action"] == "judged"]
    data = [json.loads(d) for d in judged["data"]]
    assert [d["role"] for d in data] == ["spreader", "commentator", "verifier"]
    assert data[2]["scores"] is None
    assert m["retell.similarity"] == pytest.approx(np.mean(sims))
    assert len(set(calls)) == 2 and all(ORIGINAL in c for c in calls)  # two distinct versions


def test_retell_resumes_from_a_checkpoint(pop4, tmp_path):
    def make(folder=None):
        env = sk.env.Retell(nx.cycle_graph([10, 11, 12, 13]), k=1, texts={10: "seed story"})
        return sk.Simulation(pop4, env=env, model=sk.llm.scripted(writer), progress=False,
                             cache=False, seed=3, checkpoint=folder)

    whole = make().run(4)
    make(tmp_path / "c").run(2)
    back = make(tmp_path / "c")
    assert back.t == 2 and back.run(4) == whole


def test_judge_reads_replies_strictly():
    j = sk.env.Judge()
    q = j.question()
    full = "sentiment: 2\nnew_information: 0\ncertainty: 10\nstyle: 3\ntime: 0\nperspective: 1"
    assert q.parse(full).value["certainty"] == 10
    assert q.parse("action: rate\n" + full).ok
    assert q.parse("**Sentiment**: 2\nnew_information: 0\ncertainty: 10\nstyle: 3\ntime: 0\n"
                   "perspective: 1").ok
    assert q.parse(json.dumps({"action": "rate", "sentiment": 2, "new_information": 0,
                               "certainty": 1, "style": 3, "time": 0, "perspective": 1})).ok
    for bad in (full.replace("10", "11"),                         # out of range
                full.replace("style: 3", "style: 3 or 4"),          # a range
                full.replace("time: 0\n", ""),                      # a dimension left out
                full.replace("style: 3", "style: high"),            # not a number
                "The version is quite different from the original.", ""):
        assert not q.parse(bad).ok, bad
    assert "action: rate" in q.render() and "perspective:" in q.render()
    assert q.grammar().count('"\\n"') == 6


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(dimensions={}), ValueError, "must not be empty"),
    (dict(dimensions={"Tone": "x"}), ValueError, "lower-case identifier"),
    (dict(dimensions={"action": "x"}), ValueError, "cannot be named 'action'"),
    (dict(dimensions={"tone": ""}), ValueError, "needs a meaning"),
    (dict(low=0.5), TypeError, "low must be an integer"),
    (dict(low=5, high=5), ValueError, "low < high"),
    (dict(system=""), ValueError, "system must be a non-empty"),
])
def test_judge_bad_inputs(kwargs, err, match):
    with pytest.raises(err, match=match):
        sk.env.Judge(**kwargs)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(G="graph"), TypeError, "networkx"),
    (dict(k=0), ValueError, "k must be a positive integer"),
    (dict(k=True), ValueError, "k must be a positive integer"),
    (dict(texts=3), TypeError, "texts must be a string"),
    (dict(texts="  "), ValueError, "texts must not be empty"),
    (dict(texts={"a": "x"}), TypeError, "keys must be agent ids"),
    (dict(texts={1: ""}), ValueError, r"texts\[1\] must be a non-empty"),
    (dict(reference=""), ValueError, "reference must be a non-empty"),
    (dict(prompt=""), ValueError, "prompt must be a non-empty"),
    (dict(start=""), ValueError, "start must be a non-empty"),
    (dict(roles=3), TypeError, "roles must be a population column"),
    (dict(prompts={"a": "x"}), ValueError, "need roles="),
    (dict(roles="role", prompts={}), TypeError, "non-empty dict"),
    (dict(roles="role", prompts={"a": ""}), ValueError, r"prompts\['a'\]"),
    (dict(fields={"text": OneOf(["a", "b"])}), ValueError, "cannot be named 'text'"),
    (dict(fields={"Stance": OneOf(["a", "b"])}), ValueError, "lower-case identifier"),
    (dict(fields={"stance": ["a", "b"]}), TypeError, "OneOf or Number"),
    (dict(own="yes"), TypeError, "own must be True or False"),
    (dict(max_words=0), ValueError, "max_words must be a positive"),
    (dict(action="Post"), ValueError, "lower-case identifier"),
    (dict(judge="gpt"), TypeError, "judge must be a socialkit.env.Judge"),
    (dict(judge=sk.env.Judge()), ValueError, "judge needs a reference"),
    (dict(embedding="bert", reference="x"), TypeError, "embedding must be 'minilm'"),
    (dict(embedding="minilm"), ValueError, "embedding needs a reference"),
])
def test_retell_bad_inputs(kwargs, err, match):
    with pytest.raises(err, match=match):
        sk.env.Retell(**kwargs)


def test_retell_bad_inputs_against_the_simulation(pop4):
    def build(env, **kw):
        return sk.Simulation(pop4, env=env, policy=RulePolicy(lambda ctx: {}), **kw)

    with pytest.raises(ValueError, match="graph node"):
        build(sk.env.Retell(nx.path_graph(3)))
    with pytest.raises(ValueError, match="Retell texts"):
        build(sk.env.Retell(texts={99: "x"}))
    with pytest.raises(ValueError, match="is not a population column"):
        build(sk.env.Retell(roles="job"))
    with pytest.raises(ValueError, match=r"no instruction for roles \['bystander'\]"):
        build(sk.env.Retell(roles="role", prompts={"spreader": "a", "commentator": "b",
                                                   "verifier": "c"}))
    with pytest.raises(TypeError, match="a OneOf sets a category"):
        build(sk.env.Retell(fields={"x": OneOf(["a", "b"])}),
              state={"x": Continuous(0, 1)})
    with pytest.raises(ValueError, match=r"\['maybe'\] are not categories"):
        build(sk.env.Retell(fields={"x": OneOf(["yes", "maybe"])}),
              state={"x": Categorical(["yes", "no"])})
    with pytest.raises(TypeError, match="a Number sets a number"):
        build(sk.env.Retell(fields={"x": Number(0, 1)}), state={"x": Categorical(["a", "b"])})


# ---- Broadcast -----------------------------------------------------------------------------
def test_broadcast_schedule_observation_events_and_measures(pop4):
    inner = sk.env.Retell(None, k=1, texts="news", own=False)
    env = sk.env.Broadcast(inner, "The news is false.", start=2, every=2, times=2)
    assert env.schedule(10) == [2, 4]
    assert sk.env.Broadcast(inner, "x", start=3).schedule(10) == [3]
    assert sk.env.Broadcast(inner, "x", steps=[5, 1, 5]).schedule(4) == [1]
    seen = {}

    def note(agent, obs, state, step):
        seen[(step, agent)] = obs
        return {}

    run = sk.Simulation(pop4, env=env, policy=ScriptedPolicy(note), progress=False).run(5)
    head = "An official spokesperson announced today: The news is false."
    assert all(o.startswith(head) == (s in (2, 4)) for (s, _), o in seen.items())
    b = run.events[run.events["action"] == "broadcast"]
    assert b["step"].tolist() == [2, 4] and (b["agent"] == -1).all()
    m = run.measures()
    assert m["broadcast.on"].tolist() == [0, 0, 1, 0, 1, 0]
    assert m["broadcast.count"].tolist() == [0, 0, 1, 1, 2, 2]
    assert "retell.written" in m                  # the inner measures are kept
    assert env.spec()["inner"]["name"] == "retell" and env.name == "retell"


@pytest.mark.parametrize("target", [True, False])
def test_broadcast_adds_its_event_to_an_inner_events_table(pop4, target):
    class Tabled(sk.env.Environment):  # an environment returning its events as a table
        name = "tabled"

        def observe(self, sim, ids):
            return ["hello"] * len(ids)

        def resolve(self, sim, decisions):
            df = pd.DataFrame({"agent": decisions["agent"].astype("int64"), "action": "read",
                               "data": [{"n": 1}] * len(decisions)})
            return df.assign(target=0) if target else df

    env = sk.env.Broadcast(Tabled(), "The news is false.", steps=[2])
    run = sk.Simulation(pop4, env=env, policy=ScriptedPolicy(lambda *a: {}),
                        progress=False).run(3)
    ev = run.events
    b = ev[ev["action"] == "broadcast"]
    assert b["step"].tolist() == [2] and b["agent"].tolist() == [-1]
    assert json.loads(b["data"].iloc[0]) == {"count": 1, "source": "An official spokesperson"}
    reads = ev[ev["action"] == "read"]
    assert len(reads) == 3 * len(pop4.df) and set(reads["target"]) == ({0} if target else {-1})


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(text=""), ValueError, "text must be a non-empty"),
    (dict(source=" "), ValueError, "source must be a non-empty"),
    (dict(start=0), ValueError, "start must hold steps >= 1"),
    (dict(every=0), ValueError, "every must hold steps >= 1"),
    (dict(times=-1), ValueError, "times must be a non-negative"),
    (dict(steps="1,2"), TypeError, "steps must be a list"),
    (dict(steps=[0]), ValueError, "steps must hold steps >= 1"),
    (dict(steps=[1], every=2), ValueError, "either steps= or"),
])
def test_broadcast_bad_inputs(kwargs, err, match):
    args = {"text": "x", **kwargs}
    with pytest.raises(err, match=match):
        sk.env.Broadcast(sk.env.Environment(), **args)
    with pytest.raises(TypeError, match="inner must be"):
        sk.env.Broadcast("env", "x")


# ---- BeliefStates --------------------------------------------------------------------------
def test_belief_states_transitions(pop4):
    plan = {  # agent -> stance per step 1..4 (None: missing answer)
        10: ["believe", "believe", "believe", "believe"],
        11: ["doubt", "believe", "doubt", "believe"],     # S -> I -> R -> I again
        12: ["doubt", "doubt", None, "doubt"],
        13: [None, "believe", "doubt", "doubt"],
    }

    def decide(agent, obs, state, step):
        v = plan[agent][step - 1]
        return {"stance": v} if v is not None else {}

    env = sk.env.BeliefStates(sk.env.Environment(), "stance", "believe")
    sim = sk.Simulation(pop4, env=env, policy=ScriptedPolicy(decide), progress=False,
                        state={"stance": Categorical(["believe", "doubt"],
                                                     initial=["believe", "doubt", "doubt",
                                                              "doubt"])})
    run = sim.run(4)
    m = run.measures()
    assert m["sir.infected"].tolist() == [1, 1, 3, 1, 2]
    assert m["sir.recovered"].tolist() == [0, 0, 0, 2, 1]
    assert m["sir.susceptible"].tolist() == [3, 3, 1, 1, 1]
    assert m["sir.ever"].tolist() == [1, 1, 3, 3, 3]
    assert m["sir.new"].tolist() == [0, 0, 2, 0, 1]
    ev = run.events[run.events["action"].isin(["infected", "recovered"])]
    assert list(zip(ev["step"], ev["agent"], ev["action"], strict=True)) == [
        (2, 11, "infected"), (2, 13, "infected"), (3, 11, "recovered"), (3, 13, "recovered"),
        (4, 11, "infected")]
    assert json.loads(ev["data"].iloc[-1]) == {"again": True}
    assert env.states().tolist() == ["infected", "infected", "susceptible", "recovered"]


def test_belief_states_checks_and_resume(pop4, tmp_path):
    def build(env, state):
        return sk.Simulation(pop4, env=env, policy=RulePolicy(lambda ctx: {}), state=state)

    with pytest.raises(ValueError, match="is not a state variable"):
        build(sk.env.BeliefStates(sk.env.Environment(), "belief"), {})
    with pytest.raises(TypeError, match="must be a categorical"):
        build(sk.env.BeliefStates(sk.env.Environment(), "x"), {"x": Continuous(0, 1)})
    with pytest.raises(ValueError, match="is not a category"):
        build(sk.env.BeliefStates(sk.env.Environment(), "x", "yes"),
              {"x": Categorical(["a", "b"])})
    with pytest.raises(TypeError, match="belief must be a non-empty string"):
        sk.env.BeliefStates(sk.env.Environment(), "")
    with pytest.raises(ValueError, match="has not started"):
        sk.env.BeliefStates(sk.env.Environment()).states()

    def flip(ctx):
        rng = ctx.rng.random(len(ctx.ids))
        return {"stance": np.where(rng < 0.5, "believe", "doubt")}

    def make(folder=None):
        env = sk.env.Broadcast(sk.env.BeliefStates(sk.env.Environment()), "Check facts.",
                               start=1, every=2)
        return sk.Simulation(pop4, env=env, policy=RulePolicy(flip), progress=False, seed=5,
                             checkpoint=folder,
                             state={"stance": Categorical(["believe", "doubt"],
                                                          initial="doubt")})

    whole = make().run(5)
    make(tmp_path / "b").run(2)
    back = make(tmp_path / "b")
    assert back.run(5) == whole
    assert whole.measures()["broadcast.count"].iloc[-1] == 3
