"""The dialogue environment: turn-taking conversations within a step, pairing rules (given,
random, co-located, scheduled, a function), leaving, missing lines, prompts per turn, context,
memories of every member, events read back as tables and transcripts, resume, bad inputs."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import Categorical, LLMPolicy, RulePolicy, ScriptedPolicy


@pytest.fixture(scope="module")
def pop():
    df = sk.datasets.load("anes1996").head(6).copy()
    df["name"] = ["Ann", "Bob", "Cem", "Dee", "Eli", "Fay"]
    df["place"] = ["cafe", "cafe", "park", "park", "park", None]
    return sk.Population.from_survey(df)


def say(agent, observation, state, menu, purpose):
    if menu is None:
        return {}
    return {"action": "say", "text": f"{agent}@{purpose}"}


def run_with(pop, env, policy=None, steps=1, **kw):
    if policy is None:
        policy = LLMPolicy() if "model" in kw else ScriptedPolicy(say)
    sim = sk.Simulation(pop, env=env, policy=policy, progress=False, **kw)
    return sim, sim.run(steps)


# ---- mechanics -------------------------------------------------------------------------------
def test_given_pairs_take_turns_and_every_line_is_an_event_and_a_memory(pop):
    env = sk.env.Dialogue([(0, 1), (2, 3, 4)], max_turns=4, leave=False, topic="the park")
    sim, run = run_with(pop, env, memory=sk.memory.Recent(k=50))
    table = sk.env.conversations(run)
    a = table[table["conversation"] == 0]
    assert a["speaker"].tolist() == [0, 1, 0, 1] and a["turn"].tolist() == [0, 1, 2, 3]
    assert a["listeners"].tolist() == [[1], [0], [1], [0]]
    assert a["text"].tolist() == ["0@talk:0:0", "1@talk:0:1", "0@talk:0:2", "1@talk:0:3"]
    b = table[table["conversation"] == 1]
    assert b["speaker"].tolist() == [2, 3, 4, 2] and b["listeners"].iloc[0] == [3, 4]
    assert set(table["topic"]) == {"the park"} and set(table["ended_by"]) == {"max_turns"}
    ev = run.events
    utt = ev[ev["action"] == "utterance"]
    conv = utt["data"].map(lambda d: json.loads(d)["conversation"])
    # the conversations of a round advance together, turn by turn
    assert conv.tolist() == [0, 1] * 4
    assert utt["target"][conv == 0].tolist() == [1, 0, 1, 0]
    assert (utt["target"][conv == 1] == -1).all()
    head = json.loads(ev.loc[ev["action"] == "conversation", "data"].iloc[1])
    assert head == {"conversation": 1, "members": [2, 3, 4], "names": ["Cem", "Dee", "Eli"],
                    "turns": 4, "ended_by": "max_turns", "info": {}}
    # every member remembers every line, in the first person
    assert sim.memory.frame(3)["text"].tolist()[:2] == [
        'Cem said to Eli and me: "2@talk:1:0"', 'I said to Cem and Eli: "3@talk:1:1"']
    assert len(sim.memory.frame(0)) == 4 and len(sim.memory.frame(5)) == 0
    m = run.measures()
    assert m.loc[1, "dialogue.conversations"] == 2 and m.loc[1, "dialogue.utterances"] == 8
    assert sk.env.transcript(run, 0).splitlines() == [
        "Conversation 0 (step 1): Ann and Bob; 4 turns, ended by max_turns",
        "Ann: 0@talk:0:0", "Bob: 1@talk:0:1", "Ann: 0@talk:0:2", "Bob: 1@talk:0:3"]


def test_llm_speakers_see_context_topic_and_the_conversation_so_far(pop):
    model = sk.llm.scripted(lambda m: "Nice to see you.")
    ctx = {0: "You want Bob to come to your party."}
    env = sk.env.Dialogue([(0, 1)], max_turns=5, leave=False, history=2, topic="the weekend",
                          context=lambda sim, agent, conv: ctx.get(agent),
                          prompt=["Open the chat.", "Reply.", "Close the chat."])
    run_with(pop, env, model=model, cache=False)
    prompts = [p[-1]["content"] for p in model.prompts]
    assert len(prompts) == 5
    assert prompts[0].startswith("You want Bob to come to your party.\n\nYou are talking with "
                                 "Bob. Topic: the weekend\n\nNobody has spoken yet: you begin.")
    assert "Open the chat." in prompts[0] and "Reply." in prompts[1]
    assert "Close the chat." in prompts[2] and "Close the chat." in prompts[4]
    assert "You want Bob" not in prompts[1]
    assert "The conversation so far:\nAnn: Nice to see you." in prompts[1]
    assert ("You are talking with Ann. Topic: the weekend\n\nThe conversation so far (the "
            "latest lines):\nYou: Nice to see you.\nAnn: Nice to see you.") in prompts[3]
    assert "Answer in at most 40 words." in prompts[0]  # a single say: asked as free text


def test_leaving_ends_a_pair_and_thins_a_group(pop):
    def leaver(agent, observation, state, menu, purpose):
        if menu is None:
            return {}
        if agent in (1, 3) and "leave" in menu.actions:
            return {"action": "leave", "text": "Bye."}
        return {"action": "say", "text": f"{agent} talks"}

    seen = []

    def spy(agent, observation, state, menu, purpose):
        if menu is not None:
            seen.append((purpose, sorted(menu.actions)))
        return leaver(agent, observation, state, menu, purpose)

    env = sk.env.Dialogue([(0, 1), (2, 3, 4)], max_turns=8, min_turns=2)
    _, run = run_with(pop, env, ScriptedPolicy(spy))
    table = sk.env.conversations(run)
    pair = table[table["conversation"] == 0]
    # Ann, Bob (leave not offered yet: 1 line said), Ann, Bob leaves
    assert pair["text"].tolist() == ["0 talks", "1 talks", "0 talks", "Bye."]
    assert pair["leave"].tolist() == [False, False, False, True]
    assert set(pair["ended_by"]) == {"leave"}
    assert seen[0] == ("talk:0:0", ["say"]) and ("talk:0:2", ["leave", "say"]) in seen
    group = table[table["conversation"] == 1]
    # Cem, Dee, Eli, Cem, Dee leaves; then Eli and Cem go on to 8 lines
    assert group["speaker"].tolist() == [2, 3, 4, 2, 3, 4, 2, 4]
    assert group["listeners"].iloc[5] == [2] and set(group["ended_by"]) == {"max_turns"}
    assert run.measures().loc[1, "dialogue.left"] == 1


def test_a_missing_line_ends_the_conversation_with_its_reason(pop):
    long = " ".join(["word"] * 60)
    model = sk.llm.scripted(lambda m: long)
    env = sk.env.Dialogue([(0, 1)], max_turns=4, leave=False, max_words=10)
    _, run = run_with(pop, env, model=model, cache=False, reasks=1)
    ev = run.events
    miss = ev[ev["action"] == "missing"]
    assert len(miss) == 1 and miss["text"].iloc[0] == ("talk: invalid after 2 tries: answer has 60 "
                                                  "words, more than 10")
    assert json.loads(miss["data"].iloc[0]) == {"purpose": "talk", "conversation": 0, "turn": 0}
    head = json.loads(ev.loc[ev["action"] == "conversation", "data"].iloc[0])
    assert head["ended_by"] == "missing" and head["turns"] == 0
    assert run.measures().loc[1, "dialogue.missing"] == 1


def test_random_meetings_follow_the_seed_and_agents_talk_in_rounds(pop):
    env = sk.env.Dialogue("random", contact_rate=2, max_turns=2, leave=False)
    _, a = run_with(pop, env, seed=3, steps=2)
    _, b = run_with(pop, sk.env.Dialogue("random", contact_rate=2, max_turns=2, leave=False),
                    seed=3, steps=2)
    _, c = run_with(pop, sk.env.Dialogue("random", contact_rate=2, max_turns=2, leave=False),
                    seed=4, steps=2)
    assert a == b
    heads = [json.loads(d) for d in a.events.loc[a.events["action"] == "conversation", "data"]]
    other = [json.loads(d) for d in c.events.loc[c.events["action"] == "conversation", "data"]]
    assert [h["members"] for h in heads] != [h["members"] for h in other]
    step1 = [h for h, s in zip(heads, a.events.loc[a.events["action"] == "conversation", "step"],
                               strict=True) if s == 1]
    # every agent started 2 conversations (repeated groups talk once)
    starts = pd.Series([h["members"][0] for h in step1]).value_counts()
    assert starts.max() <= 2 and len(step1) >= 6
    assert len({frozenset(h["members"]) for h in step1}) == len(step1)
    # ids follow the run: the second step's conversations continue the numbering
    ids = [h["conversation"] for h in heads]
    assert ids == list(range(len(ids)))


def test_an_agent_in_several_conversations_remembers_the_earlier_ones(pop):
    model = sk.llm.scripted(lambda m: "Did you hear about the party?")
    env = sk.env.Dialogue([(0, 1), (0, 2)], max_turns=2, leave=False)
    run_with(pop, env, model=model, memory=sk.memory.Recent(k=10), cache=False)
    # conversation 1 runs in a second round: Ann's prompt recalls conversation 0
    last = model.prompts[-2][-1]["content"]  # Ann opens conversation 1 (turn 0)
    assert "You are talking with Cem." in last
    assert 'What you remember:\n- Bob said to me: "Did you hear about the party?"' in last


def test_co_located_agents_talk(pop):
    env = sk.env.Dialogue("location", location="place", group_size=3, max_turns=1,
                          leave=False)
    _, run = run_with(pop, env, seed=1)
    heads = [json.loads(d) for d in run.events.loc[run.events["action"] == "conversation",
                                                   "data"]]
    assert sorted(sorted(h["members"]) for h in heads) == [[0, 1], [2, 3, 4]]
    env0 = sk.env.Dialogue("location", location="place", p_talk=0.0)
    _, run0 = run_with(pop, env0)
    assert (run0.events["action"] != "conversation").all()
    # a state variable, and a function, as the location
    where = Categorical(["home", "cafe"], initial=["cafe", "home", "cafe", "home", "cafe",
                                                   "home"])
    env1 = sk.env.Dialogue("location", location="where", max_turns=1, group_size=3)
    _, run1 = run_with(pop, env1, state={"where": where}, seed=2)
    heads = [sorted(json.loads(d)["members"]) for d in
             run1.events.loc[run1.events["action"] == "conversation", "data"]]
    assert sorted(heads) == [[0, 2, 4], [1, 3, 5]]
    env2 = sk.env.Dialogue("location", location=lambda sim, ids: ["x"] * len(ids),
                           group_size=6, max_turns=1)
    _, run2 = run_with(pop, env2)
    assert (run2.events["action"] == "conversation").sum() == 1


def test_schedules_functions_activation_and_an_inner_environment(pop):
    env = sk.env.Dialogue({2: [(4, 5)]}, max_turns=1)
    _, run = run_with(pop, env, steps=3)
    steps = run.events.loc[run.events["action"] == "conversation", "step"].tolist()
    assert steps == [2]
    env = sk.env.Dialogue(lambda sim, ids: [ids[:2].tolist()], max_turns=1)
    _, run = run_with(pop, env, activation={1: [3, 4, 5]})
    assert json.loads(run.events.loc[run.events["action"] == "conversation", "data"].iloc[0])[
        "members"] == [3, 4]
    env = sk.env.Dialogue([(0, 1), (2, 3)], max_turns=1)  # pair (2, 3) waits for Dee
    _, run = run_with(pop, env, activation={1: [0, 1, 2]})
    assert (run.events["action"] == "conversation").sum() == 1
    inner = sk.env.Network(nx.path_graph(6), k=2, message=False)
    env = sk.env.Dialogue([(0, 1)], max_turns=1, inner=inner)
    sim, run = run_with(pop, env, RulePolicy(lambda c: {"mood": 3}),
                        state={"mood": sk.agents.Ordinal(["low", "mid", "high"])})
    assert "Some people you know answered" in env.observe(sim, np.array([1]))[0]
    assert (run.events["action"] == "utterance").sum() == 0  # rules answer no sub-round
    assert "dialogue.conversations" in run.measures().columns


def test_converse_from_another_environment_with_info_and_per_group_topics(pop):
    class Debates(sk.env.Environment):
        name = "debates"

        def __init__(self):
            self.talk = sk.env.Dialogue(None, max_turns=2, leave=False)

        def setup(self, sim):
            self.talk.setup(sim)

        def resolve(self, sim, decisions):
            return self.talk.converse(sim, [
                {"members": [0, 1], "topic": "taxes", "info": {"side": "pro"}},
                {"members": [2, 3]}], topic="schools", purpose="debate")

    model = sk.llm.scripted(lambda m, seed=0: f"line {seed % 997}")
    _, run = run_with(pop, Debates(), model=model, temperature=1.0, seed=9)
    table = sk.env.conversations(run)
    assert table.groupby("conversation")["topic"].first().tolist() == ["taxes", "schools"]
    head = json.loads(run.events.loc[run.events["action"] == "conversation", "data"].iloc[0])
    assert head["info"] == {"side": "pro"}
    assert table["text"].nunique() == 4  # each speaker's line is its own draw


def test_resume_continues_the_numbering(pop, tmp_path):
    def make(folder):
        return sk.Simulation(pop, env=sk.env.Dialogue("random", max_turns=2, leave=False),
                             policy=ScriptedPolicy(say), seed=5, checkpoint=folder,
                             memory=sk.memory.Recent(k=10), progress=False)

    whole = make(tmp_path / "a").run(3)
    make(tmp_path / "b").run(1)
    assert make(tmp_path / "b").run(3) == whole


# ---- bad inputs --------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, err, match", [
    ({"pairing": "everyone"}, ValueError, "pairing must be 'random', 'location'"),
    ({"pairing": [(0,)]}, ValueError, "a group needs at least two distinct agents"),
    ({"pairing": [(0, 0)]}, ValueError, "a group needs at least two distinct agents"),
    ({"pairing": [("a", "b")]}, TypeError, "a group must be a sequence of integer agent ids"),
    ({"pairing": 5}, TypeError, "pairing must be a list of groups"),
    ({"pairing": {0: [(0, 1)]}}, ValueError, "schedule keys must be steps >= 1"),
    ({"pairing": "location"}, ValueError, "needs location="),
    ({"contact_rate": -1}, ValueError, "contact_rate must be an integer >= 0"),
    ({"group_size": 1}, ValueError, "group_size must be an integer >= 2"),
    ({"max_turns": 0}, ValueError, "max_turns must be an integer >= 1"),
    ({"max_words": 2.5}, ValueError, "max_words must be an integer >= 1"),
    ({"history": True}, ValueError, "history must be an integer >= 1"),
    ({"p_talk": 1.5}, ValueError, "p_talk must be a probability"),
    ({"leave": "yes"}, TypeError, "leave must be True or False"),
    ({"prompt": ""}, ValueError, "prompt must not be empty"),
    ({"prompt": []}, ValueError, "prompt must be a text, a non-empty list"),
    ({"prompt": 3}, TypeError, "prompt must be a text, a list of texts or a function"),
    ({"topic": 3}, TypeError, "topic must be a string or None"),
    ({"context": 3}, TypeError, "context must be a string, a function"),
    ({"names": 3}, TypeError, "names must be a population column name"),
    ({"inner": "feed"}, TypeError, "inner must be a socialkit.env.Environment"),
    ({"location": 3}, TypeError, "location must be a column or variable name or a function"),
])
def test_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        sk.env.Dialogue(**kwargs)


def test_bad_arguments_against_the_simulation(pop):
    with pytest.raises(ValueError, match=r"Dialogue pairing: \[99\] are not agents"):
        sk.Simulation(pop, env=sk.env.Dialogue([(0, 99)]), policy=ScriptedPolicy(say))
    with pytest.raises(ValueError, match="location='where' is neither a state variable"):
        sk.Simulation(pop, env=sk.env.Dialogue("location", location="where"),
                      policy=ScriptedPolicy(say))
    with pytest.raises(ValueError, match="names='nick' is not a population column"):
        sk.Simulation(pop, env=sk.env.Dialogue(names="nick"), policy=ScriptedPolicy(say))
    env = sk.env.Dialogue(lambda sim, ids: [(0, 77)])
    with pytest.raises(ValueError, match=r"Dialogue pairing function: \[77\] are not agents"):
        run_with(pop, env)
    env = sk.env.Dialogue("location", location=lambda sim, ids: ["x"])
    with pytest.raises(ValueError, match="location function returned 1 labels for 6 agents"):
        run_with(pop, env)
    env = sk.env.Dialogue([(0, 1)], prompt=lambda conv, speaker: "")
    with pytest.raises(ValueError, match="prompt function returned ''"):
        run_with(pop, env)
    env = sk.env.Dialogue([(0, 1)], context=lambda sim, agent, conv: 5)
    with pytest.raises(TypeError, match="context function returned int"):
        run_with(pop, env)
    sim = sk.Simulation(pop, env=sk.env.Dialogue(None), policy=ScriptedPolicy(say),
                        progress=False)
    with pytest.raises(TypeError, match="info must be a dict"):
        sim.env.converse(sim, [{"members": [0, 1], "info": 3}])
    with pytest.raises(ValueError, match="at least two distinct agents"):
        sim.env.converse(sim, [[0]])


def test_reading_back_bad_inputs(pop):
    _, run = run_with(pop, sk.env.Dialogue([(0, 1)], max_turns=1))
    with pytest.raises(TypeError, match="conversations needs a socialkit.Run"):
        sk.env.conversations("run")
    with pytest.raises(ValueError, match=r"no conversation 7 in this run; its conversations "
                                         r"are \[0\]"):
        sk.env.transcript(run, 7)
    with pytest.raises(TypeError, match="conversation must be an integer id"):
        sk.env.transcript(run, "0")
    empty = sk.env.conversations(sk.Simulation(pop, policy=RulePolicy(lambda c: {}),
                                               progress=False).run(1))
    assert len(empty) == 0 and "speaker" in empty.columns


def test_llm_policy_persona_holds_the_name(pop):
    """A population with names: the transcript names speakers as the population does."""
    model = sk.llm.scripted(lambda m: "Hi.")
    env = sk.env.Dialogue([(4, 5)], max_turns=2, leave=False)
    sim, run = run_with(pop, env, model=model, policy=LLMPolicy(memories=0), cache=False)
    assert "You are talking with Fay." in model.prompts[0][-1]["content"]
    assert "Eli: Hi." in model.prompts[1][-1]["content"]


def test_meeting_rules_as_plain_functions():
    rng = np.random.default_rng(5)
    groups = sk.env.random_groups(rng, range(10), contact_rate=3, size=3)
    assert all(len(g) == 3 and len(set(g)) == 3 for g in groups)
    assert len({frozenset(g) for g in groups}) == len(groups) and len(groups) <= 30
    starts = pd.Series([g[0] for g in groups]).value_counts()
    assert starts.max() <= 3 and set(starts.index) == set(range(10))
    assert sk.env.random_groups(rng, [1], contact_rate=2) == []
    again = sk.env.random_groups(np.random.default_rng(5), range(10), contact_rate=3, size=3)
    assert again == groups
    placed = sk.env.located_groups(np.random.default_rng(0), range(7),
                                   ["a", "a", "a", "b", None, np.nan, "b"], size=2)
    assert sorted(sorted(g) for g in placed) in ([[0, 1], [3, 6]], [[0, 2], [3, 6]],
                                                 [[1, 2], [3, 6]])
    assert sk.env.located_groups(rng, range(4), ["a"] * 4, p_talk=0.0) == []
    rounds = sk.env.schedule([(0, 1), (2, 3), (1, 2), (0, 3), (4, 5)])
    assert rounds == [[(0, 1), (2, 3), (4, 5)], [(1, 2), (0, 3)]]
    with pytest.raises(TypeError, match="pairs must be a list of groups"):
        sk.env.check_groups("ab", "pairs")
