"""Kernel hooks for environments with phases and endings: ``Environment.done`` stops a run early
(a collapsed commons); ``Simulation.agent_messages`` lets an environment put a further question
to LLM agents in their own voice within a step (a discussion)."""

import json

import numpy as np
import pytest

import socialkit as sk
from socialkit.agents import Action, ActionMenu, LLMPolicy, Number, RulePolicy
from socialkit.llm import FreeText
from socialkit.llm.session import Request


class Pool(sk.env.Environment):
    """A stock that agents drain; done once it is empty."""

    name = "pool"

    def __init__(self, stock=10.0):
        self.stock = stock

    def actions(self, sim, ids):
        return ActionMenu([Action("take", amount=Number(0, 10)), Action("wait")])

    def resolve(self, sim, decisions):
        self.stock = max(0.0, self.stock - sum(a.get("amount", 0) for a in decisions["args"]))

    def measures(self, sim):
        return {"stock": self.stock}

    def done(self, sim):
        return self.stock <= 0

    def state(self):
        return {"stock": self.stock}

    def load_state(self, state):
        self.stock = state["stock"]


def take_one(ctx):
    return {"action": "take", "amount": np.ones(len(ctx.ids))}


@pytest.fixture(scope="module")
def pop3():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(3))


def test_run_stops_when_the_environment_is_done(pop3, tmp_path):
    sim = sk.Simulation(pop3, env=Pool(10.0), policy=RulePolicy(take_one), progress=False,
                        checkpoint=tmp_path / "pool")
    run = sim.run(20)
    # 3 agents take 1 each per step: 10 -> 7 -> 4 -> 1 -> 0 (done after step 4)
    assert sim.t == 4 and run.params["steps"] == 4
    assert run.measures()["stock.value"].tolist() == [10.0, 7.0, 4.0, 1.0, 0.0]
    assert sim.run(30).params["steps"] == 4          # asking again does not step
    again = sk.Simulation(pop3, env=Pool(10.0), policy=RulePolicy(take_one), progress=False,
                          checkpoint=tmp_path / "pool")
    assert again.t == 4 and again.run(20).params["steps"] == 4   # resumed: done as well
    # an environment that is never done runs every step (the default)
    plain = sk.Simulation(pop3, env=sk.env.Environment(), progress=False)
    assert plain.run(5).params["steps"] == 5
    # step() itself is not guarded: a caller stepping by hand decides
    sim.step()
    assert sim.t == 5


def test_done_before_the_first_step(pop3):
    sim = sk.Simulation(pop3, env=Pool(0.0), policy=RulePolicy(take_one), progress=False)
    run = sim.run(3)
    assert sim.t == 0 and run.params["steps"] == 0 and run.measures()["stock.value"].tolist() == [0.0]


class Poll(sk.env.Environment):
    """After the agents' own decisions, asks every LLM agent one more question in its voice."""

    name = "poll"

    def __init__(self):
        self.said = {}

    def actions(self, sim, ids):
        return ActionMenu([Action("vote", choice=Number(1, 3, integer=True))])

    def resolve(self, sim, decisions):
        q = FreeText("Say one sentence about the vote.", max_words=10, name="say")
        asked, requests = [], []
        for agent in decisions["agent"]:
            msgs = sim.agent_messages(agent, ["The vote is over."], q)
            if msgs is None:          # not an LLM agent: nothing to ask
                continue
            asked.append(int(agent))
            requests.append(Request(msgs, q, ["sim", sim.t + 1, int(agent), "say"]))
        outs = sim.complete_many(requests)
        self.said = {a: o.text for a, o in zip(asked, outs, strict=True)}
        return [{"agent": a, "action": "say", "text": t} for a, t in self.said.items()]


def test_agent_messages_speak_in_the_agents_own_voice(pop3):
    seen = []

    def model(messages):
        seen.append(messages)
        if "Say one sentence" in messages[-1]["content"]:
            return "It went well."
        return "2"

    roles = ["llm", "llm", "rule"]
    sim = sk.Simulation(pop3, env=Poll(), model=sk.llm.scripted(model), roles=roles,
                        policy={"llm": LLMPolicy(system="You are this person: {persona}"),
                                "rule": RulePolicy(lambda ctx: {"action": "vote",
                                                                "choice": 1})},
                        seed=3, progress=False)
    run = sim.run(1)
    says = run.events[run.events["action"] == "say"]
    assert says["agent"].tolist() == pop3.df["agent"].tolist()[:2]
    assert says["text"].tolist() == ["It went well."] * 2
    polls = [m for m in seen if "Say one sentence" in m[-1]["content"]]
    personas = [p.text for p in pop3.personas()]
    assert [m[0]["content"] for m in polls] == [f"You are this person: {p}" for p in personas[:2]]
    assert polls[0][1]["content"].startswith("The vote is over.")
    assert json.loads(run.events[run.events["action"] == "vote"]["data"].iloc[0]) == {"choice": 2}
    with pytest.raises(ValueError, match="not agents"):
        sim.agent_messages(999, [], FreeText("x"))
