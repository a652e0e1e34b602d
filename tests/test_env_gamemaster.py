"""The game master environment: free-text attempts resolved by the model into typed effects,
through the simulation's session (cached, counted, seeded), with re-asks, missing verdicts,
checkpoints and an inner environment."""

import json
import re

import networkx as nx
import numpy as np
import pytest

import socialkit as sk
from socialkit.agents import Categorical, Continuous, Number, OneOf, Ordinal, ScriptedPolicy, Text

RULES = "Bread sells for 2 coins a loaf. Nobody can hold more than 20 coins."
GM_CHANGE = {0: 8, 1: -10}  # what the scripted game master grants agents 0 and 1


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(3))


def _gm(messages):
    return "game master" in messages[0]["content"]


def _agent(messages):
    return int(re.search(r"The character: Agent (\d+)\.", messages[1]["content"]).group(1))


def play(messages):
    """Plays the agents (one attempt each) and the game master: agents 0 and 1 get a verdict;
    agent 2's verdicts are never readable."""
    if not _gm(messages):
        return "I sell bread at the market."
    a = _agent(messages)
    if a == 2:
        return "Hard to say, it depends."
    mood = 2 if a == 0 else 0
    stance = "believer" if a == 0 else "unchanged"
    return (f"action: outcome\nwhat_happens: You sell bread, agent {a}.\n"
            f"wealth_change: {GM_CHANGE[a]}\nmood_change: {mood}\nstance: {stance}")


def state():
    return {"wealth": Continuous(0, 20, initial=15.0, doc="coins"),
            "mood": Ordinal(["sad", "fine", "happy"], initial=2),
            "stance": Categorical(["unaware", "believer"], initial="unaware")}


EFFECTS = {"wealth": Number(-10, 10), "mood": Number(-2, 2, integer=True),
           "stance": OneOf(["believer"])}


def sim_of(pop, model=play, **kw):
    gm = kw.pop("gm", None) or sk.env.GameMaster(RULES, EFFECTS, scene=kw.pop("scene", None))
    return sk.Simulation(pop, env=gm, model=model, state=kw.pop("state", state()),
                         progress=False, seed=kw.pop("seed", 5), **kw)


def events(run, action):
    return run.events[run.events["action"] == action].reset_index(drop=True)


def test_effects_applied_clipped_and_observed(pop):
    model = sk.llm.scripted(play)
    sim = sim_of(pop, model)
    run = sim.run(steps=1)
    final = run.final("wealth").tolist()
    assert final == [20.0, 5.0, 15.0]  # 15 + 8 clipped to 20; 15 - 10; agent 2 unchanged
    assert run.final("mood").tolist() == [3.0, 2.0, 2.0]  # 2 + 2 clipped to 3 levels
    assert sim.agents.frame()["stance"].tolist() == ["believer", "unaware", "unaware"]
    out = events(run, "outcome")
    assert out["agent"].tolist() == [0, 1]
    assert out["text"].tolist() == ["You sell bread, agent 0.", "You sell bread, agent 1."]
    d0 = json.loads(out["data"][0])
    assert d0["effects"] == {"wealth_change": 8.0, "mood_change": 2, "stance": "believer"}
    assert d0["before"] == {"wealth": 15.0, "mood": 2, "stance": "unaware"}
    assert d0["after"] == {"wealth": 20.0, "mood": 3, "stance": "believer"}
    assert d0["status"] == "ok"
    d1 = json.loads(out["data"][1])
    assert d1["after"] == {"wealth": 5.0, "mood": 2, "stance": "unaware"}
    m = run.measures()
    assert m.loc[1, ["gm.attempts", "gm.resolved", "gm.missing"]].tolist() == [3.0, 2.0, 1.0]
    assert m.loc[0, "gm.attempts"] == 0
    # the outcome is what the agent observes next step; agent 2 was told nothing
    obs = sim.env.observe(sim, np.array([0, 1, 2]))
    assert obs[0] == ('On step 1 you tried: "I sell bread at the market."\n'
                      "What happened: You sell bread, agent 0.")
    assert obs[2] == ""
    sim.run(steps=2)
    agent_prompts = [p for p in model.prompts if not _gm(p)]
    assert "What happened: You sell bread, agent 1." in agent_prompts[4][1]["content"]
    # the game master saw the rules, the actor, its state and the attempt
    gm_prompt = next(p for p in model.prompts if _gm(p))
    assert RULES in gm_prompt[0]["content"]
    user = gm_prompt[1]["content"]
    assert "The character: Agent 0. They are 36 years old" in user
    assert "- wealth: 15 (from 0 to 20)" in user and "- stance: unaware" in user
    assert 'Agent 0 tries to: "I sell bread at the market."' in user
    assert "wealth_change: <how much their wealth (coins) changes" in user


def test_unknown_values_stay_unknown_and_scene(pop):
    st = state()
    st["wealth"] = Continuous(0, 20, initial=[1.0, None, 3.0])
    seen = []

    def scene(step, sim):
        seen.append((step, sim.t))
        return f"Market day {step}."

    sim = sim_of(pop, play, state=st, scene=scene)
    run = sim.run(steps=2)
    w = run.final("wealth").tolist()
    assert w[0] == 17.0 and np.isnan(w[1]) and w[2] == 3.0  # 1 + 8 + 8; unknown; missing
    assert sorted(set(seen)) == [(1, 0), (2, 1)]  # once per step (cached within the step)
    assert sim.env.observe(sim, np.array([0]))[0].startswith("Market day 3.")


def test_malformed_verdict_reasked_then_missing(pop):
    model = sk.llm.scripted(play)
    sim = sim_of(pop, model, reasks=2)
    run = sim.run(steps=1)
    miss = events(run, "gm_missing")
    assert miss["agent"].tolist() == [2]
    reason = miss["text"][0]
    assert reason == "invalid after 3 tries: outcome needs what_happens (text of at most 40 words)"
    assert json.loads(miss["data"][0]) == {"attempt": "I sell bread at the market."}
    gm_calls = [p for p in model.prompts if _gm(p) and _agent(p) == 2]
    assert len(gm_calls) == 3  # asked, then re-asked twice with the reason
    assert gm_calls[1][-1]["role"] == "user" and len(gm_calls[1]) == 4
    assert run.provenance["usage"]["reasks"] == 2
    assert run.final("wealth").tolist()[2] == 15.0


def test_repaired_verdict_and_reply_forms(pop):
    def fixes(messages):
        if not _gm(messages):
            return "I bake."
        if len(messages) == 2:
            return "wealth_change: lots"
        return "what_happens: You bake.\nwealth_change: 2\nmood_change: 0\nstance: unchanged"

    run = sim_of(pop, fixes).run(steps=1)
    out = events(run, "outcome")
    assert len(out) == 3 and {json.loads(d)["status"] for d in out["data"]} == {"repaired"}
    assert run.final("wealth").tolist() == [17.0] * 3
    q = sim_of(pop).env._bound[0]
    ok = q.parse('{"decision": {"action": "outcome", "what_happens": "You win.", '
                 '"wealth_change": -3, "mood_change": 1, "stance": "believer"}}')
    assert ok.value == {"action": "outcome", "what_happens": "You win.", "wealth_change": -3.0,
                        "mood_change": 1, "stance": "believer"}
    assert q.parse("action: outcome\nwhat_happens: x\nwealth_change: 30\nmood_change: 0\n"
                   "stance: unchanged").reason.startswith("outcome wealth_change: ")
    assert "stance" in q.parse("what_happens: x\nwealth_change: 1\nmood_change: 0\n"
                               "stance: denier").reason
    assert q.parse("It goes well.").reason.startswith("outcome needs what_happens")
    g = q.grammar()
    assert g.startswith('root ::= "action: " ("outcome" "\\n" "what_happens: "')
    assert '"stance: " ("unchanged" | "believer")' in g
    schema = q.json_schema()["properties"]["decision"]["anyOf"][0]
    assert schema["required"] == ["action", "what_happens", "wealth_change", "mood_change",
                                  "stance"]


def test_calls_cached_counted_and_seeded(pop, tmp_path):
    first = sk.llm.scripted(play)
    run = sim_of(pop, first, cache=tmp_path / "cache").run(steps=2)
    usage = run.provenance["usage"]
    n_gm = sum(_gm(p) for p in first.prompts)
    # step 1: agents 0 and 1 once, agent 2 three times; step 2: agent 2's prompt is the same
    # as in step 1, so at temperature 0 it shares step 1's (cached, still unreadable) replies;
    # so does its own attempt (agents: 3 + 2 calls)
    assert n_gm == 2 + 3 + 2
    assert usage["calls"] == len(first.prompts) == 5 + n_gm
    again = sk.llm.scripted(play)
    run2 = sim_of(pop, again, cache=tmp_path / "cache").run(steps=2)
    assert again.prompts == [] and run2.provenance["usage"]["calls"] == 0
    assert run2.provenance["usage"]["cache_hits"] > 0
    assert run.equals(run2)
    assert run.provenance["prompts_hash"] == run2.provenance["prompts_hash"]
    # the game master's prompts are part of the prompts hash
    other = sk.env.GameMaster(RULES + " Rain spoils bread.", EFFECTS)
    run3 = sim_of(pop, play, gm=other).run(steps=2)
    assert run3.provenance["prompts_hash"] != run.provenance["prompts_hash"]
    # every verdict is drawn with its own key ["sim", step, agent, "gm"], from the run's seed
    seeds = {}

    def seeded(messages, seed):
        if _gm(messages) and len(messages) == 2:
            seeds.setdefault(_agent(messages), []).append(seed)
        return play(messages)

    sim = sim_of(pop, sk.llm.scripted(seeded), temperature=0.7)
    sim.run(steps=2)
    flat = [s for v in seeds.values() for s in v]
    assert len(flat) == 6 and len(set(flat)) == 6
    q = sim.env._bound[0]
    msgs = sim.env.messages(sim, 0, "I sell bread at the market.")
    assert sim.session.draw(["sim", 2, 0, "gm"], q) != sim.session.draw(["sim", 2, 1, "gm"], q)
    assert msgs[0]["content"].startswith("You are the game master")
    same = {}

    def seeded2(messages, seed):
        if _gm(messages) and len(messages) == 2:
            same.setdefault(_agent(messages), []).append(seed)
        return play(messages)

    sim_of(pop, sk.llm.scripted(seeded2), temperature=0.7).run(steps=2)
    assert same == seeds


def test_checkpoint_and_resume(pop, tmp_path):
    whole = sim_of(pop, play).run(steps=4)
    folder = tmp_path / "gm"
    sim = sim_of(pop, play, checkpoint=folder)
    sim.run(steps=2)
    assert sim.env.state()["told"][0][0] == 2
    back = sk.sim.resume(folder)  # a module-level model: the config pickles
    assert back.t == 2 and back.env.told == sim.env.told
    assert back.run(steps=4).equals(whole)
    # a lambda scene writes no config: build again with the same arguments and folder
    folder2 = tmp_path / "gm2"
    model = sk.llm.scripted(play)
    sim_of(pop, model, checkpoint=folder2, scene=lambda step: f"Day {step}.").run(steps=2)
    model2 = sk.llm.scripted(play)
    rebuilt = sim_of(pop, model2, checkpoint=folder2, scene=lambda step: f"Day {step}.")
    assert rebuilt.t == 2
    run = rebuilt.run(steps=3)
    first = model2.prompts[0][1]["content"]
    assert first.startswith("Day 3.") and 'On step 2 you tried: "I sell bread' in first
    fresh = sim_of(pop, play, scene=lambda step: f"Day {step}.").run(steps=3)
    assert run.equals(fresh)
    with pytest.raises(ValueError, match="differs in: env"):
        sim_of(pop, play, checkpoint=folder,
               gm=sk.env.GameMaster("Other rules.", EFFECTS))


def test_inner_environment(pop):
    def model(messages):
        if _gm(messages):
            return "what_happens: You find a coin.\nwealth_change: 1"
        if "Choose one action:" not in messages[-1]["content"]:
            return "3"
        persona = messages[0]["content"]
        return ("action: act\ntext: I look for coins." if "36 years old" in persona
                else "action: message\ntext: Prices are up.")

    net = sk.env.Network(nx.path_graph(3), k=2)
    gm = sk.env.GameMaster(RULES, {"wealth": (-5, 5)}, inner=net)
    sim = sk.Simulation(pop, env=gm, model=sk.llm.scripted(model), progress=False,
                        state={"view": sk.Likert("Prices are too high."),
                               "wealth": Continuous(0, 20, initial=10.0)})
    run = sim.run(steps=1)
    menu = gm.actions(sim, sim.agents.ids)
    assert list(menu.actions) == ["message", "act"]
    assert run.final("wealth").tolist() == [11.0, 10.0, 10.0]
    assert events(run, "outcome")["agent"].tolist() == [0]
    assert net.messages == {1: "Prices are up.", 2: "Prices are up."}
    assert gm.state()["inner"]["messages"] == net.messages
    obs = gm.observe(sim, np.array([0, 1]))
    assert obs[0].startswith("Some people you know answered:") and "You find a coin." in obs[0]
    assert "Prices are up." in obs[0] and "What happened" not in obs[1]
    assert sim.env.spec()["inner"]["name"] == "network"

    class Clash(sk.env.Environment):
        def actions(self, sim, ids):
            return sk.agents.ActionMenu([sk.agents.Action("act", text=Text(5))])

    gm2 = sk.env.GameMaster(RULES, inner=Clash())
    sim2 = sk.Simulation(pop, env=gm2, model=sk.llm.scripted(model), progress=False)
    with pytest.raises(ValueError, match="already offers an action named 'act'"):
        sim2.run(steps=1)


def test_scripted_agents_and_fingerprint(pop, tmp_path):
    def gm_only(messages):
        assert _gm(messages)
        return "what_happens: You rest.\nwealth_change: -1\nmood_change: 0\nstance: unchanged"

    policy = ScriptedPolicy(lambda agent, obs, st: {"action": "act", "text": f"rest {agent}"})
    sim = sim_of(pop, sk.llm.scripted(gm_only), policy=policy, checkpoint=tmp_path / "c")
    run = sim.run(steps=1)
    assert run.final("wealth").tolist() == [14.0] * 3
    assert events(run, "act")["text"].tolist() == ["rest 0", "rest 1", "rest 2"]
    assert sim._components()["model"] == "scripted:test_scripted_agents_and_fingerprint." \
                                         "<locals>.gm_only"
    meta = json.loads((tmp_path / "c" / "simulation.json").read_text())
    assert meta["components"]["env"]["effects"]["wealth"]["type"] == "Number"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"rules": 5}, TypeError, "rules must be a string"),
    ({"rules": "  "}, ValueError, "rules must not be empty"),
    ({"effects": "wealth"}, TypeError, "effects must be a dict"),
    ({"effects": {"wealth": Text(5)}}, TypeError, r"effects\['wealth'\]: Text is not an effect"),
    ({"effects": {"wealth": "lots"}}, TypeError, r"effects\['wealth'\] must be"),
    ({"effects": {"wealth": (5, 1)}}, ValueError, r"effects\['wealth'\]"),
    ({"effects": {"Wealth": (0, 1)}}, ValueError, "effects: a variable name"),
    ({"scene": 3}, TypeError, "scene must be"),
    ({"inner": "network"}, TypeError, "inner must be"),
    ({"outcome_words": 0}, ValueError, "outcome_words must be a positive integer"),
    ({"max_words": True}, ValueError, "max_words"),
    ({"system": "You are the GM."}, ValueError, r"system must contain '\{rules\}'"),
    ({"describe": "bio"}, ValueError, "describe must be"),
    ({"names": 3}, TypeError, "names must be"),
    ({"prompt": 3}, TypeError, "prompt must be a string"),
    ({"prompt": ""}, ValueError, "prompt must not be empty"),
    ({"describe": []}, TypeError, "describe must be"),
])
def test_bad_arguments(kwargs, error, match):
    args = {"rules": RULES, **kwargs}
    with pytest.raises(error, match=match):
        sk.env.GameMaster(**args)


@pytest.mark.parametrize("effects, kw, error, match", [
    ({"wealthh": (-1, 1)}, {}, ValueError, r"effects\['wealthh'\]: 'wealthh' is not a state "
                                           r"variable.*\['wealth', 'mood', 'stance'\]"),
    ({"stance": Number(-1, 1)}, {}, TypeError, r"effects\['stance'\]: a Number change needs a "
                                               "continuous or ordinal variable"),
    ({"wealth": ["rich"]}, {}, TypeError, r"effects\['wealth'\]: a OneOf sets a category"),
    ({"stance": ["denier"]}, {}, ValueError, r"\['denier'\] are not categories of 'stance'"),
    ({"mood": Number(-1, 1)}, {}, TypeError, r"'mood' is ordinal and moves by whole levels"),
    ({}, {"names": "nick"}, ValueError, "names='nick' is not a population column"),
    ({}, {"describe": ["age", "nope"]}, ValueError, r"describe: \['nope'\] are not"),
])
def test_effects_that_do_not_fit_the_simulation(pop, effects, kw, error, match):
    gm = sk.env.GameMaster(RULES, effects, **kw)
    with pytest.raises(error, match=match):
        sim_of(pop, gm=gm)  # raised when the Simulation is built, before any call


def test_names_and_attributes(pop):
    import pandas as pd

    people = sk.Population.from_survey(pd.DataFrame({"name": ["Ann", "Bob"], "job": ["baker",
                                                                                     "smith"]}))
    gm = sk.env.GameMaster(RULES, {"wealth": (-2, 2)}, describe=["job"])
    sim = sk.Simulation(people, env=gm, model=sk.llm.scripted(play), progress=False,
                        state={"wealth": Continuous(0, 9, initial=1.0)})
    user = gm.messages(sim, 1, "I forge a sword.")[1]["content"]
    assert "The character: Bob. job: smith" in user and 'Bob tries to: "I forge a sword."' in user
    assert repr(gm) == "<socialkit env gamemaster: effects on ['wealth']>"


def test_embedded_model_end_to_end():
    """Two agents, one step, SmolLM2 as the game master (the agents are scripted, so every
    call is a verdict): each is valid, with its effects in range, or missing with a reason."""
    pytest.importorskip("llama_cpp")
    two = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
    gm = sk.env.GameMaster("Bread sells for 2 coins a loaf.",
                           {"wealth": Number(-5, 5, integer=True), "stance": ["believer"]},
                           describe=["age", "income"])
    sell = ScriptedPolicy(lambda agent, obs, st: {"action": "act",
                                                  "text": "I sell two loaves at the market."})
    sim = sk.Simulation(two, env=gm, model=sk.llm.default(), policy=sell, cache=False,
                        progress=False, temperature=0, reasks=1,
                        state={"wealth": Continuous(0, 20, initial=10.0),
                               "stance": Categorical(["unaware", "believer"],
                                                     initial="unaware")})
    run = sim.run(steps=1)
    out, miss = events(run, "outcome"), events(run, "gm_missing")
    assert len(out) + len(miss) == 2
    for d in out["data"]:
        d = json.loads(d)
        assert -5 <= d["effects"]["wealth_change"] <= 5
        assert d["effects"]["stance"] in ("unchanged", "believer")
        assert 0 <= d["after"]["wealth"] <= 20
        assert d["after"]["wealth"] == min(20, max(0, 10 + d["effects"]["wealth_change"]))
    assert all(isinstance(t, str) and t.strip() for t in out["text"])
    assert all(isinstance(t, str) and t.strip() for t in miss["text"])
    m = run.measures().loc[1]
    assert m["gm.resolved"] == len(out) and m["gm.missing"] == len(miss)
    assert run.provenance["usage"]["calls"] >= 2
