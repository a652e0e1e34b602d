"""Generative Agents' town: the Town environment (plans, moves, co-located conversations, news
of an event, replanning, interviews, ties) and the generative_town scenario with its ablation
switches and measures, on scripted models; bad inputs."""

import datetime as dt
import json
import re

import pytest

import socialkit as sk
from socialkit.agents import ScriptedPolicy
from socialkit.env import Town, TownEvent

CAFE_GOERS = ["Isabella Rodriguez", "Maria Lopez", "Klaus Mueller", "Eddy Lin"]


def resident(messages):
    """A scripted resident: plans the café all day, invites (the host) or passes on what it
    remembers of the party, and answers the interview from its retrieved memories."""
    system, q = messages[0]["content"], messages[-1]["content"]
    memories = q.split("What you remember:")[1].split("\n\n")[0] if "What you remember:" in q \
        else ""
    if "Plan your day" in q:
        hours = re.findall(r"- plan\(([^)]*)\)", q)
        if not hours:  # a one-hour plan is asked as a single choice
            return "Hobbs Cafe"
        return "action: plan\n" + "\n".join(f"{h}: Hobbs Cafe" for h in hours[0].split(", "))
    if "Where do you go now" in q:  # a single choice
        return "Johnson Park"
    if "interviewer" in q:
        return "yes" if "party" in memories.lower() else "no"
    if "Valentine's Day party at Hobbs Cafe" in system:
        return "Come to my Valentine's Day party at Hobbs Cafe tomorrow at 5 pm!"
    if "party" in memories.lower():
        return "Did you hear? There is a party at the cafe tomorrow."
    return "Nice weather today."


def town(model=resident, **kw):
    options = dict(names=CAFE_GOERS, day_start=16, day_end=18, p_talk=1.0, max_turns=2,
                   embedding=sk.memory.HashEmbedding(), progress=False, cache=False, seed=1)
    options.update(kw)
    return sk.scenarios.generative_town(sk.llm.scripted(model), **options)


def test_news_of_the_party_spreads_and_the_measures_follow_it():
    run = town()
    out = sk.scenarios.town_outcomes(run)
    assert out["day"].tolist() == [0, 1, 2]
    assert out["informed"].tolist() == [1.0, 4.0, 4.0]  # everyone at the café hears of it
    assert out["aware"].tolist()[1:] == [4.0, 4.0] and out["hallucinated"].tolist()[1:] == [0, 0]
    assert out["answers"].tolist() == [0, 4, 4] and out["share_aware"].iloc[2] == 1.0
    # before: Maria and Klaus share the college dorm (1 tie of 6); then every pair that talked
    talked = {tuple(sorted(json.loads(d)["members"])) for d in
              run.events.loc[run.events["action"] == "conversation", "data"]}
    maria_klaus = tuple(sorted(int(a) for a, n in run.params["agents"].items()
                               if n in ("Maria Lopez", "Klaus Mueller")))
    assert out["density"].iloc[0] == pytest.approx(1 / 6)
    assert out["density"].iloc[2] == pytest.approx(len(talked | {maria_klaus}) / 6)
    assert len(talked) >= 3
    att = sk.scenarios.event_attendance(run)
    assert att["name"].tolist() == ["Eddy Lin", "Klaus Mueller", "Maria Lopez"]
    assert att["attended"].all() and att["informed"].all() and (att["hours"] == 2).all()
    ev = run.events
    assert (ev["action"] == "plan").sum() == 8  # 4 residents x 2 mornings
    replans = ev[ev["action"] == "replan"]
    assert len(replans) >= 1 and json.loads(replans["data"].iloc[0])["day"] == 1
    m = run.measures()
    assert m["town.at_event"].tolist()[-2:] == [4.0, 4.0]
    assert m.loc[m["town.hour"] != 18, "town.aware"].iloc[1:].isna().all()
    assert sorted(run.params["agents"].values()) == sorted(CAFE_GOERS)


def test_hallucinated_awareness_is_counted():
    def says_yes(messages):
        q = messages[-1]["content"]
        if "interviewer" in q:
            return "yes"
        if "Plan your day" in q or "Where do you go" in q:
            return resident(messages)
        return "Nice weather today."  # nobody mentions the party, the host neither

    run = town(says_yes, days=1, n_agents=4)
    out = sk.scenarios.town_outcomes(run)
    assert out["informed"].iloc[1] == 1.0
    assert out["aware"].iloc[1] == 4.0 and out["hallucinated"].iloc[1] == 3.0
    assert out["share_hallucinated"].iloc[1] == 0.75
    with pytest.raises(ValueError, match="the run ended before the party"):
        sk.scenarios.event_attendance(run)


def test_ablations_change_what_the_agents_do():
    seen = []

    def spy(messages):
        seen.append(messages)
        return resident(messages)

    run = town(spy, planning=False, days=1)
    ev = run.events
    assert (ev["action"] == "plan").sum() == 0 and (ev["action"] == "go").sum() == 12
    assert set(sk.scenarios.town_outcomes(run)["informed"].dropna()) <= {1.0, 2.0, 3.0, 4.0}
    places = run.trajectory.query("variable == 'place' and step == 1")["value"]
    cats = run.variables.info["place"]["categories"]
    assert {cats[int(v)] for v in places} == {"Johnson Park"}
    seen.clear()
    town(spy, memory=False, days=1)
    assert not any("What you remember" in m[-1]["content"] for m in seen)
    seen.clear()
    town(spy, reflection=False, days=1)
    assert not any("high-level" in m[-1]["content"] for m in seen)


def test_same_seed_same_town_and_the_draw_of_residents():
    a, b = town(days=1), town(days=1)
    assert a == b
    drawn = sk.scenarios.generative_town(sk.llm.scripted(resident), days=1, n_agents=3,
                                         day_start=17, day_end=18, p_talk=0.0,
                                         embedding=sk.memory.HashEmbedding(), seed=7,
                                         progress=False, cache=False)
    assert "Isabella Rodriguez" in drawn.params["agents"].values()
    assert len(drawn.params["agents"]) == 3


def test_initial_ties_come_from_homes_and_personas():
    df = sk.scenarios.smallville_population().df
    ties = sk.scenarios.town._ties(df)
    name = dict(zip(df["agent"], df["name"], strict=True))
    named = {tuple(sorted((name[a], name[b]))) for a, b in ties}
    assert ("Carmen Ortiz", "Tamara Taylor") in named and ("Eddy Lin", "John Lin") in named
    assert ("Jennifer Moore", "Sam Moore") in named and ("Sam Moore", "Tom Moreno") in named
    assert 0.05 < 2 * len(ties) / (25 * 24) < 0.2


# ---- the environment directly -----------------------------------------------------------------
@pytest.fixture(scope="module")
def pop3():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(3))


def walker(agent, obs, state, menu, purpose):
    if menu is None:
        return {}
    if "plan" in menu.actions:
        return {"action": "plan", **dict.fromkeys(menu.actions["plan"].args, "Park")}
    if "interview" in menu.actions:
        return {"action": "interview", "answer": "no"}
    return {"action": "say", "text": "Hello."}


def test_town_resumes_and_moves_people(pop3, tmp_path):
    def make(folder):
        t = Town({"Park": "a park"}, {0: "A", 1: "A", 2: "B"}, day_start=8, day_end=9,
                 p_talk=0.5, max_turns=2, ties=[(0, 1)],
                 event=TownEvent("fair", "Park", 2, (9,), host=2, keywords=("fair",)))
        return sk.Simulation(pop3, env=t, policy=ScriptedPolicy(walker), seed=3,
                             state={"place": t.variable(pop3)}, checkpoint=folder,
                             memory=sk.memory.Recent(k=20), progress=False)

    whole = make(tmp_path / "a").run(4)
    make(tmp_path / "b").run(2)
    assert make(tmp_path / "b").run(4) == whole
    moves = whole.events[whole.events["action"] == "move"]
    assert moves["text"].tolist() == ["Park"] * 3
    assert whole.measures()["town.density"].iloc[0] == pytest.approx(1 / 3)
    env = make(tmp_path / "c").env
    assert env.date(2) == "Tuesday, February 14, 2023" and env.when(3) == (2, 8)


def test_town_bad_inputs(pop3):
    with pytest.raises(TypeError, match="places must be a non-empty dict"):
        Town({}, {0: "A"})
    with pytest.raises(ValueError, match="'home' is reserved"):
        Town({"Home": "x"}, {0: "A"})
    with pytest.raises(ValueError, match="homes must map agent ids to home names"):
        Town({"Park": "x"}, {"a": "A"})
    with pytest.raises(TypeError, match="homes must be a dict of agent -> home"):
        Town({"Park": "x"}, ["A"])
    with pytest.raises(ValueError, match="day_start must be an hour 0-23"):
        Town({"Park": "x"}, {0: "A"}, day_start=24)
    with pytest.raises(ValueError, match=r"day_end \(7\) is before day_start \(9\)"):
        Town({"Park": "x"}, {0: "A"}, day_start=9, day_end=7)
    with pytest.raises(TypeError, match="start_date must be a datetime.date"):
        Town({"Park": "x"}, {0: "A"}, start_date="2023-02-13")
    with pytest.raises(TypeError, match="planning must be True or False"):
        Town({"Park": "x"}, {0: "A"}, planning="yes")
    with pytest.raises(TypeError, match="event must be a socialkit.env.TownEvent"):
        Town({"Park": "x"}, {0: "A"}, event={"name": "fair"})
    with pytest.raises(ValueError, match="event place 'Pub' is not one of the places"):
        Town({"Park": "x"}, {0: "A"}, event=TownEvent("fair", "Pub", 1, (9,), host=0))
    with pytest.raises(ValueError, match="TownEvent day must be an integer >= 1"):
        TownEvent("fair", "Park", 0, (9,), host=0)
    with pytest.raises(ValueError, match="TownEvent hours must be hours 0-23"):
        TownEvent("fair", "Park", 1, (25,), host=0)
    with pytest.raises(TypeError, match="TownEvent host must be an agent id"):
        TownEvent("fair", "Park", 1, (9,), host="Ann")
    with pytest.raises(ValueError, match="TownEvent keywords must be non-empty words"):
        TownEvent("fair", "Park", 1, (9,), host=0, keywords=[""])
    t = Town({"Park": "x"}, {0: "A", 1: "A", 2: "B"})
    with pytest.raises(ValueError, match="needs a categorical state variable 'place'"):
        sk.Simulation(pop3, env=t, policy=ScriptedPolicy(walker))
    with pytest.raises(ValueError, match=r"Town homes: no home for agent\(s\) \[2\]"):
        t2 = Town({"Park": "x"}, {0: "A", 1: "A"})
        sk.Simulation(pop3, env=t2, policy=ScriptedPolicy(walker),
                      state={"place": sk.agents.Categorical(["A", "Park"])})
    with pytest.raises(ValueError, match="'place' lacks the places"):
        sk.Simulation(pop3, env=t, policy=ScriptedPolicy(walker),
                      state={"place": sk.agents.Categorical(["A", "Park"])})
    t3 = Town({"Park": "x"}, {0: "A", 1: "A", 2: "B"}, day_start=8, day_end=9,
              event=TownEvent("fair", "Park", 1, (17,), host=0))
    with pytest.raises(ValueError, match=r"event hours \[17\] fall outside the day"):
        sk.Simulation(pop3, env=t3, policy=ScriptedPolicy(walker),
                      state={"place": t3.variable(pop3)})
    with pytest.raises(ValueError, match="are both homes and public places"):
        Town({"A": "x"}, {0: "A"}).variable()
    with pytest.raises(ValueError, match="Town ties must be pairs"):
        Town({"Park": "x"}, {0: "A"}, ties=[(0, 1, 2)])
    with pytest.raises(ValueError, match="Town.variable needs the population"):
        Town({"Park": "x"}, "home").variable()
    assert isinstance(dt.date.today(), dt.date)


def test_generative_town_bad_inputs():
    f = sk.scenarios.generative_town
    with pytest.raises(ValueError, match="parameter 'days' = 0 is out of range"):
        f(days=0)
    with pytest.raises(ValueError, match="parameter 'n_agents' = 26 is out of range"):
        f(n_agents=26)
    with pytest.raises(ValueError, match="parameter 'p_talk' = 2 is out of range"):
        f(p_talk=2)
    with pytest.raises(TypeError, match="parameter 'planning' = 'no' is not a boolean"):
        f(planning="no")
    with pytest.raises(ValueError, match=r"day_end \(8\) is before day_start \(9\)"):
        f(day_start=9, day_end=8)
    with pytest.raises(ValueError, match="the party \\(5-7 pm\\) must fall within the day"):
        f(day_start=8, day_end=12)
    with pytest.raises(ValueError, match=r"\['Bob'\] are not Smallville residents"):
        f(names=["Isabella Rodriguez", "Bob"])
    with pytest.raises(ValueError, match="names must be distinct residents including"):
        f(names=["Maria Lopez", "Eddy Lin"])
    with pytest.raises(ValueError, match="town_outcomes needs a run of generative_town"):
        sk.scenarios.town_outcomes(sk.Simulation(
            sk.Population.from_survey(sk.datasets.load("anes1996").head(2)),
            policy=sk.agents.RulePolicy(lambda c: {}), progress=False).run(1))
