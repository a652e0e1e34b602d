"""The simulation kernel: policies in one society, activation, prompts, re-asks and missing
decisions, seeds, archetypes, checkpoints that resume (also after kill -9), forks, faults."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import (
    Action,
    ActionMenu,
    Categorical,
    Continuous,
    LLMPolicy,
    Number,
    RulePolicy,
    ScriptedPolicy,
)

Q = sk.Likert("The rumour about the mayor is true.", name="belief")


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(12))


@pytest.fixture(scope="module")
def pop3():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(3))


class Lake(sk.env.Environment):
    """A small commons: a stock agents harvest from; regrows by half, up to capacity."""

    name = "lake"

    def __init__(self, stock=60.0):
        self.stock = stock

    def observe(self, sim, ids):
        return [f"The lake holds {self.stock:.0f} tons." for _ in ids]

    def actions(self, sim, ids):
        return ActionMenu([Action("harvest", "catch fish", tons=Number(0, 10, integer=True)),
                           Action("rest", "do not fish")])

    def resolve(self, sim, decisions):
        want = sum(a.get("tons", 0) for a in decisions["args"])
        got = min(want, self.stock)
        self.stock = min(100.0, (self.stock - got) * 1.5)
        return [{"agent": -1, "action": "regrow", "data": {"stock": self.stock}}]

    def measures(self, sim):
        return {"stock": self.stock}

    def state(self):
        return {"stock": self.stock}

    def load_state(self, state):
        self.stock = state["stock"]

    def spec(self):
        return {"name": self.name}


def fisher(messages, seed=0):
    """Scripted model: harvests a seed-dependent amount; answers Likert questions with 3."""
    last = messages[-1]["content"]
    if "Choose one action" in last:
        return f"action: harvest\ntons: {seed % 7}"
    return "3"


# ---- policies ---------------------------------------------------------------------------------
def test_rule_scripted_and_llm_agents_share_one_society(pop):
    roles = ["llm"] * 4 + ["zealot"] * 4 + ["script"] * 4
    seen = []

    def model(messages):
        seen.append(messages)
        return "2"

    sim = sk.Simulation(
        pop, env=sk.env.Network(nx.cycle_graph(pop.df["agent"].tolist()), k=2, message=False),
        model=sk.llm.scripted(model), roles=roles,
        policy={"llm": LLMPolicy(), "zealot": RulePolicy(lambda ctx: {"belief": 5}),
                "script": ScriptedPolicy(lambda a, obs, st: {"belief": 1 + a % 5})},
        state={"belief": Q}, seed=0, progress=False)
    run = sim.run(2)
    final = run.final("belief")
    assert final.iloc[:4].tolist() == [2.0] * 4 and final.iloc[4:8].tolist() == [5.0] * 4
    assert final.iloc[8:].tolist() == [1.0 + a % 5 for a in pop.df["agent"].iloc[8:]]
    # only the LLM agents call the model: 4 at step 0 (unknown belief) + 4 per step
    assert len(seen) == 4 * 3
    prompt = seen[-1][1]["content"]
    assert "Some people you know answered:" in prompt
    assert 'Your current answer to "The rumour about the mayor is true." is 2' in prompt
    assert run.params["policies"]["zealot"]["kind"] == "rule"
    assert run.variables.describe().loc["belief", "kind"] == "ordinal"


def test_llm_prompt_holds_persona_memories_observation_state_and_menu(pop3):
    seen = []

    def model(messages, seed=0):
        seen.append(messages)
        return fisher(messages, seed)

    sim = sk.Simulation(pop3, env=Lake(), model=sk.llm.scripted(model),
                        memory=sk.memory.Recent(k=3),
                        state={"wealth": Continuous(low=0, initial=1.5)}, seed=1,
                        progress=False)
    sim.run(2)
    system, user = seen[-1][0]["content"], seen[-1][1]["content"]
    persona = sim.agents.population.personas()[-1].text
    assert persona in system
    assert "What you remember:\n- " in user and "I chose to harvest" in user
    assert "The lake holds" in user and "Your wealth: 1.5" in user
    assert "- harvest(tons): catch fish (tons: a whole number from 0 to 10)" in user
    frame = sim.memory.frame(int(sim.agents.ids[0]))
    assert frame["text"].str.startswith("I chose to harvest").any()


def test_invalid_decisions_are_reasked_then_missing_with_reason(pop):
    calls = {"n": 0}

    def model(messages):
        calls["n"] += 1
        return "I think I will go fishing, maybe." if "Choose one" in messages[-1]["content"] \
            else "3"

    sim = sk.Simulation(pop, env=Lake(), model=sk.llm.scripted(model), seed=0, progress=False,
                        reasks=1)
    run = sim.run(1)
    missing = run.events[run.events["action"] == "missing"]
    assert len(missing) == len(pop)
    assert missing["text"].str.contains("no 'action:' line naming one of harvest, rest").all()
    assert calls["n"] == 2 * len(pop)  # asked, re-asked once
    assert run.measures().loc[1, "decisions.missing"] == len(pop)
    assert run.measures().loc[1, "stock.value"] == 90.0  # nobody harvested: 60 * 1.5


def test_seeds_are_draws(pop):
    def model(messages, seed=0):
        return fisher(messages, seed)

    kw = dict(progress=False, cache=False, temperature=1.0)
    a = sk.Simulation(pop, env=Lake(), model=sk.llm.scripted(model), seed=1, **kw).run(2)
    b = sk.Simulation(pop, env=Lake(), model=sk.llm.scripted(model), seed=1, **kw).run(2)
    c = sk.Simulation(pop, env=Lake(), model=sk.llm.scripted(model), seed=2, **kw).run(2)
    assert a == b
    ta = a.events.loc[a.events["action"] == "harvest", "data"].tolist()
    tc = c.events.loc[c.events["action"] == "harvest", "data"].tolist()
    assert sum(x != y for x, y in zip(ta, tc, strict=True)) > len(ta) / 2


def test_archetypes_share_calls_and_draw_from_the_distribution(pop):
    seen = []

    def model(messages):
        seen.append(messages)
        return {"2": 0.5, "4": 0.5}

    G = nx.complete_graph(pop.df["agent"].tolist())
    sim = sk.Simulation(pop, env=sk.env.Network(G, k=20, message=False),
                        model=sk.llm.scripted(model), state={"belief": Q},
                        group_by=["vote"], seed=3, progress=False, temperature=1.0)
    run = sim.run(1)
    n_cells = pop.df["vote"].nunique()
    assert len(seen) <= 2 * n_cells  # step 0 and step 1, one call per cell and climate
    assert all("vote:" in m[0]["content"] for m in seen)
    assert set(run.final("belief").unique()) <= {2.0, 4.0}
    assert run.final("belief").nunique() == 2  # agents draw, they do not copy the mode


# ---- activation and bad inputs --------------------------------------------------------------
def test_activation_kinds(pop):
    ids = pop.df["agent"].to_numpy()
    rule = RulePolicy(sk.sim.examples.drift)
    x = {"x": Continuous(initial=0.0)}

    def active_counts(activation):
        run = sk.Simulation(pop, policy=rule, state=x, activation=activation, seed=5,
                            progress=False).run(4)
        return run.measures()["decisions.active"].tolist()[1:]

    assert active_counts(1.0) == [12.0] * 4
    assert active_counts({2: ids[:3], 4: ids[:1]}) == [0.0, 3.0, 0.0, 1.0]
    assert active_counts(lambda step, rng: ids[:step]) == [1.0, 2.0, 3.0, 4.0]
    half = active_counts(0.5)
    assert half != [12.0] * 4 and all(0 <= h <= 12 for h in half)
    rates = np.where(np.arange(12) < 6, 1.0, 0.0)
    assert active_counts(rates) == [6.0] * 4
    with pytest.raises(ValueError, match="activation probability must be in"):
        sk.Simulation(pop, policy=rule, state=x, activation=1.5)
    with pytest.raises(ValueError, match=r"rate 2\.0 is outside \[0, 1\]"):
        sk.Simulation(pop, policy=rule, state=x, activation=np.full(12, 2.0))
    with pytest.raises(ValueError, match="has 3 rates for 12 agents"):
        sk.Simulation(pop, policy=rule, state=x, activation=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="'nope' is not a population column"):
        sk.Simulation(pop, policy=rule, state=x, activation="nope")
    with pytest.raises(ValueError, match="are not agents of the simulation"):
        sk.Simulation(pop, policy=rule, state=x, activation={1: [99999]})
    with pytest.raises(TypeError, match="got a bool"):
        sk.Simulation(pop, policy=rule, state=x, activation=True)


def test_bad_inputs_raise_clear_errors(pop):
    rule = RulePolicy(lambda ctx: {"stance": "maybe"}, name="bad")
    with pytest.raises(ValueError, match=r"state variable 'stance': 'maybe' is not a category"):
        sk.Simulation(pop, policy=rule, state={"stance": Categorical(["yes", "no"])},
                      progress=False).run(1)
    with pytest.raises(TypeError, match="state variable 'w' must be"):
        sk.Simulation(pop, policy=rule, state={"w": 3})
    with pytest.raises(ValueError, match=r"'w': 5\.0 is outside \[0, 1\]"):
        sk.Simulation(pop, policy=rule, state={"w": Continuous(0, 1, initial=5.0)})
    with pytest.raises(ValueError, match="is not a population column"):
        sk.Simulation(pop, policy=rule, state={"w": Continuous(initial="nope")})
    fly = RulePolicy(lambda ctx: {"action": "fly"}, name="flyer")
    with pytest.raises(ValueError, match=r"rule policy 'flyer' chose unknown action 'fly' for "
                                         r"agent 0; the menu has \['harvest', 'rest'\]"):
        sk.Simulation(pop, env=Lake(), policy=fly, progress=False).run(1)
    greedy = RulePolicy(lambda ctx: {"action": "harvest", "tons": 50}, name="greedy")
    with pytest.raises(ValueError, match="50 is not a whole number from 0 to 10"):
        sk.Simulation(pop, env=Lake(), policy=greedy, progress=False).run(1)
    with pytest.raises(ValueError, match="harvest needs 'tons'"):
        sk.Simulation(pop, env=Lake(), policy=RulePolicy(lambda c: {"action": "harvest"}),
                      progress=False).run(1)
    with pytest.raises(ValueError, match="roles \\['x'\\] have no policy"):
        sk.Simulation(pop, policy={"a": LLMPolicy()}, roles=["x"] * 12)
    with pytest.raises(ValueError, match="give roles="):
        sk.Simulation(pop, policy={"a": LLMPolicy()})
    with pytest.raises(TypeError, match="env must be a socialkit.env.Environment"):
        sk.Simulation(pop, env="feed")
    with pytest.raises(ValueError, match="group_by columns \\['nope'\\]"):
        sk.Simulation(pop, group_by=["nope"])
    with pytest.raises(ValueError, match="Clock unit must be one of"):
        sk.Simulation(pop, clock="fortnight")
    with pytest.raises(ValueError, match="steps must be a non-negative integer"):
        sk.Simulation(pop, policy=RulePolicy(sk.sim.examples.drift),
                      state={"x": Continuous(initial=0.0)}).run(-1)
    with pytest.raises(ValueError, match="Network show='nope' is not a state variable"):
        sk.Simulation(pop, env=sk.env.Network(nx.path_graph(3), show="nope"),
                      policy=rule, state={"stance": Categorical(["yes", "no"])}).run(1)
    with pytest.raises(ValueError, match="graph node\\(s\\) are not agents"):
        sk.Simulation(pop, env=sk.env.Network(nx.path_graph([10**6, 10**6 + 1])),
                      policy=rule, state={"stance": Categorical(["yes", "no"])}).run(1)


# ---- checkpoints, resume, fork ----------------------------------------------------------------
def lake_sim(pop, folder=None, cache=None, seed=4, model=None):
    return sk.Simulation(pop, env=Lake(), model=model or sk.llm.scripted(fisher),
                         memory=sk.memory.Recent(k=4),
                         state={"worry": sk.Likert("I worry about the lake.")}, seed=seed,
                         activation=0.7, checkpoint=folder, cache=cache, progress=False,
                         temperature=1.0)


def test_checkpoint_resume_equals_uninterrupted(pop, tmp_path):
    whole = lake_sim(pop, cache=tmp_path / "c0").run(5)
    first = lake_sim(pop, tmp_path / "ck", cache=tmp_path / "c1")
    first.run(2)
    again = lake_sim(pop, tmp_path / "ck", cache=tmp_path / "c1")
    assert again.t == 2
    resumed = again.run(5)
    assert resumed == whole
    assert resumed.provenance["resumed_at"] == 2
    # rebuilt with other arguments, the folder is refused
    with pytest.raises(ValueError, match="holds another simulation \\(it differs in: seed\\)"):
        lake_sim(pop, tmp_path / "ck", seed=5)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.txt").write_text("x")
    with pytest.raises(ValueError, match="is not empty and holds no simulation"):
        lake_sim(pop, tmp_path / "junk")


def test_resume_from_the_folder_alone(pop, tmp_path):
    rule = RulePolicy(sk.sim.examples.drift)
    kw = dict(policy=rule, state={"x": Continuous(initial=0.0)}, seed=2, activation=0.5,
              progress=False)
    whole = sk.Simulation(pop, **kw).run(4)
    sk.Simulation(pop, checkpoint=tmp_path / "r", **kw).run(2)
    sim = sk.sim.resume(tmp_path / "r")
    assert sim.t == 2 and sim.run(4) == whole
    with pytest.raises(ValueError, match="holds no simulation checkpoint"):
        sk.sim.resume(tmp_path / "nothing")
    sk.Simulation(pop, policy=RulePolicy(lambda c: {"x": 1.0}), state={"x": Continuous()},
                  checkpoint=tmp_path / "lam", progress=False).run(1)
    with pytest.raises(ValueError, match="cannot be pickled"):
        sk.sim.resume(tmp_path / "lam")


def test_fork_replays_from_the_cache_then_diverges(pop, tmp_path):
    sim = lake_sim(pop, cache=tmp_path / "c")
    base = sim.run(4)
    calls = sim.session.usage.calls

    def drain(branch):
        branch.env.stock = 0.0

    branch = sim.fork(at=2, intervene=drain)
    assert branch.t == 2 and branch.env.stock == 0.0
    assert branch.session.usage.calls == 0 and branch.session.usage.cache_hits > 0
    assert sim.session.usage.calls == calls and sim.t == 4
    out = branch.run(4)
    same = base.trajectory[base.trajectory["step"] <= 2]
    assert out.trajectory[out.trajectory["step"] <= 2].equals(same)
    assert out.measures().loc[3, "stock.value"] != base.measures().loc[3, "stock.value"]
    assert out.params["fork"] == {"from": "simulation", "at": 2,
                                  "intervene": "test_fork_replays_from_the_cache_then_diverges."
                                               "<locals>.drain"}
    with pytest.raises(ValueError, match="fork at must be a step from 0 to 4"):
        sim.fork(at=9)


KILL_SCRIPT = textwrap.dedent("""
    import sys, time, socialkit as sk
    sys.path.insert(0, {tests!r})
    from test_sim import kill_sim
    sim = kill_sim({folder!r}, {log!r})
    for _ in range(sim.t, 8):
        sim.step()
        print("step", sim.t, flush=True)
    print("done", flush=True)
""")


def kill_reply(messages, seed=0):
    import os as _os
    log = _os.environ["SK_KILL_LOG"]
    with open(log, "a") as fh:  # one line per paid call
        fh.write("call\\n")
    time.sleep(0.01)
    return fisher(messages, seed)


def kill_sim(folder, log):
    os.environ["SK_KILL_LOG"] = log
    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(10))
    return sk.Simulation(pop, env=Lake(), model=sk.llm.scripted(kill_reply, name="kill"),
                         memory=sk.memory.Recent(k=4),
                         state={"worry": sk.Likert("I worry about the lake.")}, seed=9,
                         activation=0.8, checkpoint=folder, cache=os.path.join(folder, "..",
                                                                               "cache"),
                         progress=False, temperature=1.0, concurrency=4)


def test_kill_minus_nine_then_resume_is_identical(tmp_path):
    folder, log = str(tmp_path / "ck"), str(tmp_path / "calls.log")
    script = KILL_SCRIPT.format(tests=os.path.dirname(__file__), folder=folder, log=log)
    env = {**os.environ, "SK_KILL_LOG": log}
    kill_at = int(np.random.default_rng(7).integers(2, 6))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env=env)
    for line in proc.stdout:
        if line.strip() == f"step {kill_at}":
            time.sleep(0.05)  # into the next step's calls
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    before = open(log).read().count("call")
    resumed = kill_sim(folder, log)
    assert kill_at <= resumed.t <= kill_at + 1
    for _ in range(resumed.t, 8):
        resumed.step()
    run = resumed.result()
    paid = open(log).read().count("call")
    # an uninterrupted run in a fresh folder and cache
    (tmp_path / "whole").mkdir()
    whole_log = str(tmp_path / "whole.log")
    whole = kill_sim(str(tmp_path / "whole" / "ck"), whole_log)
    for _ in range(8):
        whole.step()
    assert run == whole.result()
    unique = open(whole_log).read().count("call")
    assert before < unique and paid - unique <= 4  # at most the concurrency limit paid twice


def test_faults_300_agents_5_steps(tmp_path):
    from socialkit.llm.testing import FakeOpenAI

    pytest.importorskip("langchain_openai")
    faults = {"429": 0.075, "500": 0.075, "timeout": 0.075, "malformed": 0.075}
    pop = sk.Population.from_survey(sk.datasets.load("anes1996").sample(300, replace=True,
                                                                        random_state=0)
                                    .reset_index(drop=True))
    with FakeOpenAI(latency=0.002, faults=faults, hang=1.0, seed=2) as server:
        model = sk.llm.from_langchain(server.chat_model(timeout=0.6), price=(1.0, 4.0))
        before = server.stats()
        sim = sk.Simulation(pop, env=Lake(stock=100.0), model=model, seed=1, progress=False,
                            cache=tmp_path, concurrency=64, temperature=1.0)
        sim.session.limits.backoff = 0.02
        run = sim.run(5)
        after = server.stats()
    acts = run.events[run.events["agent"] >= 0]
    decided = acts[acts["action"].isin(["harvest", "rest"])]
    missing = acts[acts["action"] == "missing"]
    assert len(decided) + (missing["text"].str.startswith("action:")).sum() == 300 * 5
    assert (missing["text"].str.len() > 8).all()
    for data in decided.loc[decided["action"] == "harvest", "data"]:
        assert 0 <= json.loads(data)["tons"] <= 10
    u = sim.session.usage
    assert u.failed_attempts > 100
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    assert u.calls == delta["ok"] and u.prompt_tokens == delta["prompt_tokens"]
    assert run.provenance["usage"]["calls"] == u.calls


def test_stream_memory_reflects_and_resumes(pop3, tmp_path):
    pytest.importorskip("chromadb")

    def model(messages):
        last = messages[-1]["content"]
        if "most salient high-level questions" in last:
            return "1. What is happening to the lake?\n2. Should I fish less?"
        if "high-level insights" in last:
            return "1. The lake is shrinking (because of 1, 2)"
        return fisher(messages, 1)

    def make(folder=None):
        mem = sk.memory.Stream(embedding=sk.memory.HashEmbedding(), threshold=10.0)
        return sk.Simulation(pop3, env=Lake(), model=sk.llm.scripted(model), memory=mem, seed=0, progress=False,
                             checkpoint=folder, clock="day")

    whole = make()
    run = whole.run(3)
    kinds = pd.concat([whole.memory.frame(int(a)) for a in whole.agents.ids])["kind"]
    assert (kinds == "reflection").any()
    part = make(tmp_path / "s")
    part.run(1)
    back = make(tmp_path / "s")
    assert back.t == 1 and back.run(3) == run
    a = int(whole.agents.ids[0])
    assert back.memory.frame(a)["text"].tolist() == whole.memory.frame(a)["text"].tolist()


def test_reflect_every_k_steps(pop3):
    """reflect=k: every active LLM agent reflects every k steps, whatever its importance."""
    asked = []

    def model(messages):
        last = messages[-1]["content"]
        if "most salient high-level questions" in last:
            asked.append(last)
            return "1. What is happening to the lake?"
        if "high-level insights" in last:
            return "1. The lake is shrinking (because of 1)"
        return fisher(messages, 1)

    def reflections(k, steps):
        asked.clear()
        mem = sk.memory.Stream(embedding=sk.memory.HashEmbedding(), threshold=1e9)
        sim = sk.Simulation(pop3, env=Lake(), model=sk.llm.scripted(model), memory=mem,
                            seed=0, progress=False, cache=False, clock="day", reflect=k)
        sim.run(steps)
        made = pd.concat([mem.frame(int(a)) for a in sim.agents.ids])
        return made[made["kind"] == "reflection"].groupby("created").size().to_dict()

    assert reflections(True, 3) == {}          # the threshold is never reached
    assert reflections(1, 3) == {24.0: 3, 48.0: 3, 72.0: 3}
    assert asked                               # (agents with equal prompts share a reply)
    assert reflections(2, 3) == {48.0: 3}
    assert reflections(False, 3) == {}
    for bad in (0, -1, 1.5, "daily", None):
        with pytest.raises(TypeError, match="reflect must be True, False or a positive"):
            sk.Simulation(pop3, env=Lake(), policy=RulePolicy(lambda ctx: {}), reflect=bad)


def test_readme_example_runs(tmp_path, monkeypatch):
    """The README's agent-society example, on a scripted model in a temporary folder."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "class Lake" in b)
    block = block.replace("sk.Simulation(pop,", "sk.Simulation(pop, model=_model, progress=False,"
                          " cache=False,")
    block = block.replace('sk.sim.resume("runs/lake")', "sk.Simulation(**{**sim._args, "
                          "'env': Lake(), 'memory': sk.memory.Recent(k=10)})")
    monkeypatch.chdir(tmp_path)
    scope = {"_model": sk.llm.scripted(fisher)}
    exec(compile(block, "README.md", "exec"), scope)
    run, branch = scope["run"], scope["branch"]
    assert run.measures()["stock.value"].notna().all() and branch.t == 3
    assert (tmp_path / "runs" / "lake" / "state.pkl").exists()


def test_agents_without_an_action_record_no_event(pop):
    """A rule agent without a menu next to LLM agents with one: no event with a NaN action."""
    roles = ["llm"] * 6 + ["rule"] * 6
    sim = sk.Simulation(pop, env=Lake(), model=sk.llm.scripted(fisher), roles=roles,
                        policy={"llm": LLMPolicy(), "rule": RulePolicy(lambda c: {})},
                        seed=0, progress=False)
    ev = sim.run(2).events
    assert ev["action"].notna().all()
    assert set(ev.loc[ev["agent"] >= 0, "agent"]) == set(pop.df["agent"].iloc[:6])
