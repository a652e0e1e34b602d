"""Decision sub-rounds within a step (``Simulation.decide``) and environment memories
(``Simulation.memorize``): several rounds of decisions per step through the agents' own policies,
keyed draws, memories in the prompts, checkpoints, bad inputs."""

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import (
    Action,
    ActionMenu,
    Continuous,
    LLMPolicy,
    RulePolicy,
    ScriptedPolicy,
    Text,
)

SAY = ActionMenu([Action("say", text=Text(12))], text="What do you say next?", name="say")


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(4))


class Rounds(sk.env.Environment):
    """Each step: ``rounds`` sub-rounds in which every agent speaks, hearing the last line."""

    name = "rounds"

    def __init__(self, rounds=3):
        self.rounds, self.last = rounds, "nothing yet"

    def resolve(self, sim, decisions):
        ids = sim.agents.ids
        events = []
        for r in range(self.rounds):
            d = sim.decide(ids, [f"Round {r}. You last heard: {self.last}"] * len(ids), SAY,
                           purpose=f"talk:{r}")
            said = [a.get("text") for a in d["args"]]
            events += [{"agent": int(a), "action": "say", "text": s, "data": {"round": r}}
                       for a, s in zip(d["agent"], said, strict=True) if s]
            sim.memorize(ids, [f"In round {r} I heard: {s}" for s in said if s][:len(ids)])
            self.last = said[0]
        return events

    def state(self):
        return {"last": self.last}

    def load_state(self, state):
        self.last = state["last"]


def rule(ctx):
    if ctx.purpose == "act":
        return {}
    return {"action": "say", "text": f"rule {ctx.purpose}"}


def talker(messages, seed=0):
    return f"word{seed % 1000}"


def test_sub_rounds_run_through_each_agents_policy_with_their_own_draws(pop):
    model = sk.llm.scripted(talker)
    roles = ["llm", "llm", "script", "rule"]
    seen = []

    def script(agent, obs, state, menu, purpose):
        if menu is None:  # the step's own round offers no action
            assert purpose == "act"
            return {}
        seen.append((agent, purpose, list(menu.actions)))
        return {"action": "say", "text": f"scripted {purpose}"}

    sim = sk.Simulation(pop, env=Rounds(3), model=model, roles=roles, seed=5, progress=False,
                        temperature=1.0,
                        memory=sk.memory.Recent(k=50),
                        policy={"llm": LLMPolicy(), "script": ScriptedPolicy(script),
                                "rule": RulePolicy(rule)})
    run = sim.run(2)
    says = run.events[run.events["action"] == "say"]
    assert len(says) == 2 * 3 * 4  # 2 steps x 3 sub-rounds x 4 agents
    assert len(model.prompts) == 2 * 3 * 2  # only the two LLM agents call the model
    assert seen[:3] == [(int(pop.df["agent"][2]), "talk:0", ["say"]),
                        (int(pop.df["agent"][2]), "talk:1", ["say"]),
                        (int(pop.df["agent"][2]), "talk:2", ["say"])]
    assert set(says.loc[says["agent"] == 3, "text"]) == {"rule talk:0", "rule talk:1",
                                                          "rule talk:2"}
    llm = says[says["agent"] < 2]
    # each sub-round's call is its own draw: keys differ by purpose, step and agent
    assert llm["text"].nunique() == len(llm)
    # memories written by the environment are retrieved into later sub-round prompts
    assert "What you remember:" in model.prompts[-1][1]["content"]
    assert "In round" in model.prompts[-1][1]["content"]
    mem = sim.memory.frame(0)
    assert set(mem["created"]) == {1.0, 2.0}  # the step's time (clock: 1 hour per step)
    again = sk.Simulation(pop, env=Rounds(3), model=sk.llm.scripted(talker), roles=roles,
                          seed=5, progress=False, memory=sk.memory.Recent(k=50), temperature=1.0,
                          policy={"llm": LLMPolicy(), "script": ScriptedPolicy(script),
                                  "rule": RulePolicy(rule)}).run(2)
    assert again == run
    other = sk.Simulation(pop, env=Rounds(3), model=sk.llm.scripted(talker), seed=6,
                          temperature=1.0, progress=False, cache=False).run(1)
    first = run.events[(run.events["step"] == 1) & (run.events["agent"] == 0)]["text"].tolist()
    assert other.events[(other.events["step"] == 1)
                        & (other.events["agent"] == 0)]["text"].tolist() != first


def test_sub_rounds_do_not_ask_reported_variables_but_show_them(pop):
    model = sk.llm.scripted(lambda m: "Fine." if "next" in m[-1]["content"] else "4")
    q = sk.Likert("The new park is a good idea.", name="park")
    sim = sk.Simulation(pop, env=Rounds(2), model=model, state={"park": q}, seed=0,
                        progress=False, cache=False)
    sim.run(1)
    kinds = ["say" if "next" in p[-1]["content"] else "park" for p in model.prompts]
    # step 0: 4 park answers; step 1: 4 park answers (the step's round) + 2 x 4 sub-round says
    assert kinds.count("park") == 8 and kinds.count("say") == 8
    say = next(p for p in model.prompts if "next" in p[-1]["content"])
    assert 'Your current answer to "The new park is a good idea." is 4' in say[-1]["content"]


def test_missing_sub_round_decisions_carry_their_reason(pop):
    menu = ActionMenu([Action("agree"), Action("object", text=Text(5))], text="Vote.")
    sim = sk.Simulation(pop, model=sk.llm.scripted(lambda m: "hmm, perhaps"), reasks=0,
                        progress=False, cache=False)
    d = sim.decide([0, 1], ["", ""], menu, purpose="vote")
    assert d["status"].tolist() == ["missing", "missing"]
    assert d["action"].tolist() == [None, None]
    assert d["reason"].str.contains("no 'action:' line").all()


def test_decide_outside_a_step_and_with_no_ids(pop):
    sim = sk.Simulation(pop, model=sk.llm.scripted(talker), seed=1, progress=False, temperature=1.0,
                        cache=False)
    sim.run(2)
    d = sim.decide([3], ["An interviewer asks you about your day."], SAY, purpose="interview")
    assert d["args"][0]["text"].startswith("word") and sim.t == 2
    empty = sim.decide([], [], SAY, purpose="nobody")
    assert list(empty.columns) == list(sk.env.DECISION_COLUMNS) and len(empty) == 0


def test_sub_rounds_resume_from_a_checkpoint(pop, tmp_path):
    def make(folder):
        return sk.Simulation(pop, env=Rounds(2), model=sk.llm.scripted(talker), seed=3,
                             memory=sk.memory.Recent(k=20), checkpoint=folder,
                             progress=False, cache=tmp_path / "cache", temperature=1.0)

    whole = make(tmp_path / "a").run(3)
    part = make(tmp_path / "b")
    part.run(2)
    assert make(tmp_path / "b").run(3) == whole


def test_one_purpose_per_agent(pop):
    seen = []

    def script(agent, obs, state, purpose):
        seen.append(purpose)
        return {"action": "say", "text": purpose}

    model = sk.llm.scripted(talker)
    sim = sk.Simulation(pop, model=model, roles=["llm", "llm", "s", "s"], temperature=1.0,
                        policy={"llm": LLMPolicy(), "s": ScriptedPolicy(script)},
                        progress=False, cache=False)
    d = sim.decide([0, 1, 2, 3], ["", "", "", ""], SAY, purpose=["a", "b", "c:1", "c:2"])
    assert seen == ["c:1", "c:2"] and d["args"][3] == {"text": "c:2"}
    same = sk.Simulation(pop, model=sk.llm.scripted(talker), temperature=1.0, progress=False,
                         cache=False)
    e = same.decide([0, 1], ["", ""], SAY, purpose=["a", "b"])
    f = same.decide([0, 1], ["", ""], SAY, purpose="a")
    assert e["args"][0] == f["args"][0] and e["args"][1] != f["args"][1]  # keys by purpose
    with pytest.raises(ValueError, match=r"purpose must be one string or one per id \(2\)"):
        sim.decide([0, 1], ["", ""], SAY, purpose=["a"])
    with pytest.raises(ValueError, match="purpose must be a non-empty string"):
        sim.decide([0, 1], ["", ""], SAY, purpose=["a", ""])


def test_memorize_without_memory_and_with_llm_importance(pop):
    sim = sk.Simulation(pop, policy=RulePolicy(lambda c: {}), progress=False)
    assert sim.memorize([0], ["x"]) is None
    rated = []

    def model(messages):
        rated.append(messages)
        return "7"

    sim = sk.Simulation(pop, model=sk.llm.scripted(model), memory=sk.memory.Recent(k=5),
                        importance="llm", progress=False, cache=False)
    sim.memorize([0, 1], ["Ann told me a secret.", "I ate lunch."])
    assert sim.memory.frame(0)["importance"].tolist() == [7.0] and len(rated) == 2


def test_bad_inputs(pop):
    sim = sk.Simulation(pop, model=sk.llm.scripted(talker), progress=False, cache=False,
                        memory=sk.memory.Recent(k=3))
    with pytest.raises(ValueError, match="purpose must be a non-empty string"):
        sim.decide([0], ["x"], SAY, purpose=" ")
    with pytest.raises(ValueError, match="purpose must be a non-empty string"):
        sim.decide([0], ["x"], SAY, purpose=3)
    with pytest.raises(ValueError, match="ids must be distinct"):
        sim.decide([0, 0], ["x", "y"], SAY, purpose="p")
    with pytest.raises(ValueError, match="decide ids"):
        sim.decide([99], ["x"], SAY, purpose="p")
    with pytest.raises(ValueError, match=r"observations must hold one text per id \(2\)"):
        sim.decide([0, 1], ["x"], SAY, purpose="p")
    with pytest.raises(ValueError, match="observations must hold one text per id"):
        sim.decide([0], "x", SAY, purpose="p")
    with pytest.raises(ValueError, match=r"menus must be one ActionMenu or one per id \(2\)"):
        sim.decide([0, 1], ["x", "y"], [SAY], purpose="p")
    with pytest.raises(TypeError, match="menus must be socialkit.agents.ActionMenu"):
        sim.decide([0], ["x"], ["say"], purpose="p")
    with pytest.raises(ValueError, match="memorize: 2 agent ids for 1 texts"):
        sim.memorize([0, 1], ["x"])
    with pytest.raises(ValueError, match="unknown agent ids"):
        sim.memorize([99], ["x"])
    bad = ScriptedPolicy(lambda a, o, s: {"action": "shout"})
    sim = sk.Simulation(pop, policy=bad, progress=False)
    with pytest.raises(ValueError, match="chose unknown action 'shout'"):
        sim.decide([0], ["x"], SAY, purpose="p")


def test_state_changes_in_sub_rounds_apply(pop):
    """A rule policy may set state variables in a sub-round (as in a step)."""
    sim = sk.Simulation(pop, policy=RulePolicy(lambda c: {"x": c.state("x") + 1}),
                        state={"x": Continuous(initial=0.0)}, progress=False)
    sim.decide([0, 2], ["", ""], None, purpose="grow")
    assert sim.agents.get("x").tolist() == [1.0, 0.0, 1.0, 0.0]
    assert isinstance(sim.decide([1], [""], None, purpose="g2"), pd.DataFrame)
    assert np.isfinite(sim.agents.get("x")).all()
