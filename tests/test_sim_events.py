"""Kernel: environments that return events as a DataFrame, log decisions themselves, and record
events at set-up; which agents an LLM decides for."""

import json

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import Action, ActionMenu, LLMPolicy, Number, RulePolicy, ScriptedPolicy


@pytest.fixture(scope="module")
def pop():
    return sk.Population(pd.DataFrame({"agent": [10, 11, 12, 13], "weight": 1.0,
                                       "kind": ["a", "a", "b", "b"]}))


class Counter(sk.env.Environment):
    """Agents add numbers to a shared total; the environment logs each addition itself."""

    name = "counter"
    logs_decisions = True

    def __init__(self, frame=True, seeds=()):
        self.total, self.frame, self.seeds = 0, frame, list(seeds)

    def setup(self, sim):
        return [{"agent": a, "action": "seed", "data": {"n": 1}} for a in self.seeds] or None

    def actions(self, sim, ids):
        return ActionMenu([Action("add", n=Number(0, 9, integer=True)), Action("wait")])

    def resolve(self, sim, decisions):
        ok = decisions[decisions["action"] == "add"]
        before = self.total
        rows = []
        for a, args in zip(ok["agent"], ok["args"], strict=True):
            self.total += args["n"]
            rows.append({"agent": a, "action": "add", "target": -1, "text": None,
                         "data": {"n": args["n"], "total": self.total}})
        if self.frame:
            return pd.DataFrame(rows, columns=["agent", "action", "target", "text", "data"])
        assert self.total >= before
        return rows

    def state(self):
        return {"total": self.total}

    def load_state(self, state):
        self.total = state["total"]


def adder(ctx):
    return {"action": "add", "n": (ctx.ids % 3).astype(int)}


def test_frame_events_replace_decision_events(pop):
    sim = sk.Simulation(pop, env=Counter(), policy=RulePolicy(adder), progress=False)
    run = sim.run(2)
    ev = run.events
    assert len(ev) == 8  # one per decision, from the environment, none from the kernel
    assert ev["step"].tolist() == [1] * 4 + [2] * 4
    assert [json.loads(d)["total"] for d in ev["data"]] == [1, 3, 3, 4, 5, 7, 7, 8]
    assert ev["target"].dtype == np.int64 and ev["agent"].tolist() == [10, 11, 12, 13] * 2
    # dicts work the same way
    sim2 = sk.Simulation(pop, env=Counter(frame=False), policy=RulePolicy(adder), progress=False)
    assert sim2.run(2).events.equals(ev)


def test_events_without_logs_decisions_keep_kernel_events(pop):
    class Both(Counter):
        logs_decisions = False

    run = sk.Simulation(pop, env=Both(), policy=RulePolicy(adder), progress=False).run(1)
    assert len(run.events) == 8  # the kernel's decision events and the environment's


def test_missing_decisions_are_still_logged(pop):
    model = sk.llm.scripted(lambda m: "I cannot decide.")
    sim = sk.Simulation(pop, env=Counter(), model=model, policy=LLMPolicy(memories=0),
                        seed=1, progress=False, reasks=0)
    run = sim.run(1)
    assert run.events["action"].tolist() == ["missing"] * 4


def test_setup_events_at_step_zero_and_not_again_on_resume(pop, tmp_path):
    folder = tmp_path / "ck"
    sim = sk.Simulation(pop, env=Counter(seeds=[10, 12]), policy=RulePolicy(adder),
                        checkpoint=folder, progress=False)
    run = sim.run(1)
    assert run.events[run.events["step"] == 0]["action"].tolist() == ["seed", "seed"]
    again = sk.Simulation(pop, env=Counter(seeds=[10, 12]), policy=RulePolicy(adder),
                          checkpoint=folder, progress=False)
    assert again.t == 1
    run2 = again.run(2)
    assert (run2.events["action"] == "seed").sum() == 2
    full = sk.Simulation(pop, env=Counter(seeds=[10, 12]), policy=RulePolicy(adder),
                         progress=False).run(2)
    assert run2.events.equals(full.events)
    back = sk.Run.read_parquet(run2.to_parquet(tmp_path / "run"))
    assert back.events.equals(run2.events)


@pytest.mark.parametrize("bad, err, match", [
    (pd.DataFrame({"agent": [10]}), ValueError, "without column"),
    (pd.DataFrame({"agent": [10], "action": ["x"], "colour": [1]}), ValueError, "unknown column"),
    (pd.DataFrame({"agent": ["ten"], "action": ["x"]}), ValueError, "wrong type"),
    ("add", TypeError, "list of event dicts"),
    ([{"agent": 10}], ValueError, "'agent' and 'action'"),
])
def test_bad_events_from_resolve(pop, bad, err, match):
    class Bad(sk.env.Environment):
        name = "bad"

        def resolve(self, sim, decisions):
            return bad

    with pytest.raises(err, match=match):
        sk.Simulation(pop, env=Bad(), policy=RulePolicy(lambda ctx: {}), progress=False).run(1)


def test_bad_events_from_setup(pop):
    class Bad(sk.env.Environment):
        name = "bad"

        def setup(self, sim):
            return 5

    with pytest.raises(TypeError, match="bad.setup must return"):
        sk.Simulation(pop, env=Bad(), policy=RulePolicy(lambda ctx: {}), progress=False).run(1)


def test_llm_agents(pop):
    sim = sk.Simulation(pop, policy={"a": LLMPolicy(), "b": ScriptedPolicy(lambda a, o, s: {})},
                        roles="kind", model=sk.llm.scripted(lambda m: "1"), progress=False)
    assert sim.llm_agents([13, 10, 12]).tolist() == [False, True, False]
    with pytest.raises(ValueError, match="not agents"):
        sim.llm_agents([99])


def test_fake_server_reads_only_the_menu_lines():
    from socialkit.llm.testing import _menu_answer

    last = ("Your feed:\n- p3 by u1: \"hello\" [0 likes]\n- p4 by u2: \"hi\"\n\n"
            "What do you do now?\nChoose one action:\n- like(post_id): like a post (post_id: "
            "one of p3, p4)\n- do_nothing: scroll on\nReply with 'action: <name>' ...")
    for u in (0.0, 0.3, 0.6, 0.99):
        got = _menu_answer(last, u)
        assert got["action"] in ("like", "do_nothing")
        if got["action"] == "like":
            assert got["post_id"] in ("p3", "p4")
