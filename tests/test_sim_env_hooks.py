"""Kernel hooks for environments with phases and endings: ``Environment.done`` stops a run early
(a collapsed commons)."""

import numpy as np
import pytest

import socialkit as sk
from socialkit.agents import Action, ActionMenu, Number, RulePolicy


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
