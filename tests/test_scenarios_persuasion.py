"""Persuasion: the debate environment (ratings before and after, phases, roles), Salvi et al.'s
2 x 2 debates, Breum et al.'s social dimensions, and their statistics (proportional-odds odds
ratios, Wilson intervals), on scripted models; every bad input."""

import json

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import Number, OneOf, ScriptedPolicy


@pytest.fixture(scope="module")
def pool():
    return sk.Population.from_survey(sk.datasets.load("anes1996"), n=40, seed=3)


def spy_model(replies=None):
    seen = []

    def fn(messages):
        seen.append(messages)
        q = messages[-1]["content"]
        if "strongly agree" in q:
            return (replies or {}).get("rate", "3")
        if "yes, no" in q:
            return (replies or {}).get("changed", "no")
        return "Here is my point."

    model = sk.llm.scripted(fn)
    model.seen = seen
    return model


# ---- the debate environment --------------------------------------------------------------------
def test_debates_rate_before_and_after_and_follow_the_phases(pool):
    order = []

    def debater(agent, obs, state, menu, purpose):
        if menu is None:
            return {}
        order.append((agent, purpose))
        if "agreement" in menu.actions:
            return {"action": "agreement", "answer": 1 if purpose.endswith("before") else 5}
        return {"action": "say", "text": f"{agent} says {purpose}"}

    ids = pool.df["agent"].tolist()
    rating = sk.env.Rating("agreement", "Agree that {proposition}?", Number(1, 5, integer=True))
    env = sk.env.Debate([{"members": ids[:2], "proposition": "Cats beat dogs.",
                          "sides": ["pro", "con"], "info": {"arm": "x"}},
                         {"members": ids[2:4], "proposition": "Tea beats coffee.",
                          "step": 2}], ratings=[rating], max_words=20)
    sim = sk.Simulation(pool, env=env, policy=ScriptedPolicy(debater), progress=False,
                        memory=sk.memory.Recent(k=20))
    run = sim.run(2)
    t = sk.env.debates(run)
    assert t[["debate", "step", "agent", "role"]].values.tolist() == [
        [0, 1, ids[0], "a"], [0, 1, ids[1], "b"], [1, 2, ids[2], "a"], [1, 2, ids[3], "b"]]
    assert t["side"].tolist()[:2] == ["pro", "con"] and t["side"][2:].isna().all()
    assert t["agreement_before"].tolist() == [1.0] * 4 and t["agreement_after"].tolist() == [5.0] * 4
    assert t["turns"].tolist() == [6] * 4 and t["arm"].tolist()[:2] == ["x", "x"]
    assert t["proposition"].tolist()[0] == "Cats beat dogs."
    step1 = [p for a, p in order if a in ids[:2]]
    assert step1[:2] == ["rate:agreement:before"] * 2
    assert step1[2:8] == [f"debate:0:{k}" for k in range(6)]
    assert step1[8:] == ["rate:agreement:after"] * 2
    table = sk.env.conversations(run)
    assert table.loc[table["conversation"] == 0, "speaker_name"].tolist()[:2] == ["A", "B"]
    m = run.measures()
    assert m.loc[1, "debate.debates"] == 1 and m.loc[2, "debate.ratings"] == 4
    assert len(sim.memory.frame(ids[0])) == 6


def test_rating_prompts_show_the_transcript_after_and_missing_ratings_are_recorded(pool):
    model = spy_model({"rate": "maybe three or four"})
    ids = pool.df["agent"].tolist()
    env = sk.env.Debate([{"members": ids[:2], "roles": ["p", "o"], "sides": ["con", "pro"],
                          "proposition": "Golf is a sport."}],
                        phases=sk.env.DEBATE_PHASES[:1],
                        ratings=[sk.env.Rating("agreement", "From 1 to 5, how much do you "
                                               "strongly agree that {proposition}?",
                                               Number(1, 5, integer=True), who="p")])
    run = sk.Simulation(pool, env=env, model=model, progress=False, cache=False,
                        reasks=0).run(1)
    rates = [m[-1]["content"] for m in model.seen if "strongly agree" in m[-1]["content"]]
    assert len(rates) == 2 and "You have just debated" not in rates[0]
    assert 'You have just debated the proposition "Golf is a sport":\nYou: Here is my point.' \
        in rates[1]
    speaking = [m[-1]["content"] for m in model.seen if "Opening statement" in
                m[-1]["content"]]
    assert speaking[0].startswith("You argue against the proposition: Golf is a sport.")
    assert "You are talking with O." in speaking[0] and 'against the proposition "Golf is a ' \
        'sport"' in speaking[0]
    t = sk.env.debates(run)
    assert len(t) == 1 and t["role"][0] == "p"
    assert t["agreement_before"].isna().all() and t["agreement_after"].isna().all()
    miss = run.events[run.events["action"] == "missing"]
    assert len(miss) == 2 and miss["text"].iloc[0].startswith("agreement (before): ")


@pytest.mark.parametrize("debates, kwargs, err, match", [
    ("x", {}, TypeError, "debates must be a list of dicts"),
    ([], {}, ValueError, "needs at least one debate"),
    ([3], {}, TypeError, r"debates\[0\] must be a dict"),
    ([{"members": [0, 1]}], {}, ValueError, "needs a proposition"),
    ([{"members": [0], "proposition": "p"}], {}, ValueError, "at least two distinct agents"),
    ([{"members": [0, 1], "proposition": "p", "who": 1}], {}, ValueError, "unknown keys"),
    ([{"members": [0, 1], "proposition": "p", "roles": ["a", "a"]}], {}, ValueError,
     "roles must be distinct names"),
    ([{"members": [0, 1], "proposition": "p", "sides": ["pro", "maybe"]}], {}, ValueError,
     "sides must be 'pro' or 'con'"),
    ([{"members": [0, 1], "proposition": "p", "step": 0}], {}, ValueError,
     "step must be an integer >= 1"),
    ([{"members": [0, 1], "proposition": "p", "info": 3}], {}, TypeError, "info must be a dict"),
    ([{"members": [0, 1], "proposition": "p"}, {"members": [1, 2], "proposition": "q"}], {},
     ValueError, "already in another debate of step 1"),
    ([{"members": [0, 1], "proposition": "p"}], {"phases": []}, ValueError,
     "phases must be a non-empty list"),
    ([{"members": [0, 1], "proposition": "p"}], {"ratings": ["agreement"]}, TypeError,
     "ratings must be socialkit.env.Rating"),
    ([{"members": [0, 1], "proposition": "p"}], {"context": "x"}, TypeError,
     "context must be a function"),
    ([{"members": [0, 1], "proposition": "p"}], {"max_words": 0}, ValueError,
     "max_words must be a positive integer"),
    ([{"members": [0, 1], "proposition": "p"}], {"remember": 1}, TypeError,
     "remember must be True or False"),
])
def test_debate_bad_arguments(debates, kwargs, err, match):
    with pytest.raises(err, match=match):
        sk.env.Debate(debates, **kwargs)


def test_rating_and_debate_bad_arguments(pool):
    with pytest.raises(ValueError, match="Rating name must be a lower-case identifier"):
        sk.env.Rating("Agree", "x", Number(1, 5))
    with pytest.raises(ValueError, match="text must be a non-empty string"):
        sk.env.Rating("a", " ", Number(1, 5))
    with pytest.raises(TypeError, match="answer must be a socialkit.agents Number or OneOf"):
        sk.env.Rating("a", "x", sk.agents.Text(3))
    with pytest.raises(ValueError, match="when must be 'before', 'after' or both"):
        sk.env.Rating("a", "x", Number(1, 5), when="during")
    with pytest.raises(TypeError, match="who must be a role name or None"):
        sk.env.Rating("a", "x", Number(1, 5), who=3)
    r = sk.env.Rating("a", "x", OneOf(["yes", "no"]), who="judge")
    with pytest.raises(ValueError, match="ratings need distinct names"):
        sk.env.Debate([{"members": [0, 1], "proposition": "p"}], ratings=[r, r])
    env = sk.env.Debate([{"members": [0, 1], "proposition": "p"}], ratings=[r])
    with pytest.raises(ValueError, match="who='judge' is not a role of the debates"):
        sk.Simulation(pool, env=env, policy=ScriptedPolicy(lambda a, o, s: {}))
    env = sk.env.Debate([{"members": [0, 10**6], "proposition": "p"}])
    with pytest.raises(ValueError, match=r"members: \[1000000\] are not agents"):
        sk.Simulation(pool, env=env, policy=ScriptedPolicy(lambda a, o, s: {}))
    with pytest.raises(TypeError, match="debates needs a socialkit.Run"):
        sk.env.debates(pd.DataFrame())


# ---- Salvi et al. ------------------------------------------------------------------------------
def test_debate_persuasion_design_and_prompts(pool):
    model = spy_model()
    run = sk.scenarios.debate_persuasion(pool, model, n_debates=8, seed=5, progress=False,
                                         cache=False)
    t = sk.scenarios.persuasion_outcomes(run)
    assert sorted(t["condition"].value_counts().tolist()) == [2, 2, 2, 2]
    assert (t["personalized"] == t["condition"].str.endswith("personalized")).all()
    assert set(t["opponent"]) == {"human", "ai"} and (t["turns"] == 6).all()
    heads = [json.loads(d) for d in run.events.loc[run.events["action"] == "debate", "data"]]
    assert all(sorted(h["sides"]) == ["con", "pro"] for h in heads)
    assert {h["roles"][0] for h in heads} == {"participant", "opponent"}  # who opens: drawn
    systems = {m[0]["content"] for m in model.seen}
    assert any(s.startswith(sk.scenarios.persuasion.AI_SYSTEM.replace("{persona}", ""))
               and s.endswith("format.") for s in systems)
    # the profile reaches the personalised opponents' prompts only
    profile_prompts = [m for m in model.seen if "Your opponent has told us" in m[-1]["content"]]
    n_pers = sum(1 for h in heads if h["info"]["personalized"])
    assert len(profile_prompts) == n_pers * 3  # one prompt per phase
    assert all("age: " in m[-1]["content"] and "PID: " in m[-1]["content"]
               for m in profile_prompts)
    ai_lines = [m for m in model.seen if m[0]["content"].startswith("You are a skilled")]
    assert len(ai_lines) == 4 * 3 and all("years old" not in m[0]["content"] for m in ai_lines)
    assert run.params["n_debates"] == 8 and run.seed == 5
    again = sk.scenarios.debate_persuasion(pool, spy_model(), n_debates=8, seed=5,
                                           progress=False, cache=False)
    assert again == run
    other = sk.scenarios.persuasion_outcomes(sk.scenarios.debate_persuasion(
        pool, spy_model(), n_debates=8, seed=6, progress=False, cache=False))
    assert other["condition"].tolist() != t["condition"].tolist() or \
        other["proposition"].tolist() != t["proposition"].tolist()


def test_outcomes_turn_agreement_towards_the_opponent(pool):
    calls = {"n": 0}

    def model(messages):
        q = messages[-1]["content"]
        if "strongly agree" in q:
            calls["n"] += 1
            return "2" if "You have just debated" not in q else "4"
        return "Point."

    run = sk.scenarios.debate_persuasion(pool, sk.llm.scripted(model), n_debates=4, phases=1,
                                         seed=1, progress=False, cache=False)
    t = sk.scenarios.persuasion_outcomes(run)
    assert calls["n"] == 8
    pro = t["side"] == "pro"
    # a pro participant moving 2 -> 4 moves away from its (con) opponent: 4 -> 2
    assert t.loc[pro, "before_toward_opponent"].eq(4).all()
    assert t.loc[pro, "after_toward_opponent"].eq(2).all() and t.loc[pro, "moved"].eq(-1).all()
    assert t.loc[~pro, "after_toward_opponent"].eq(4).all() and t.loc[~pro, "moved"].eq(1).all()
    with pytest.raises(ValueError, match="needs a run of debate_persuasion"):
        sk.scenarios.persuasion_outcomes(sk.Simulation(pool, progress=False, policy=(
            sk.agents.RulePolicy(lambda c: {}))).run(1))


def test_debate_persuasion_bad_inputs(pool):
    f = sk.scenarios.debate_persuasion
    with pytest.raises(TypeError, match="population must be a socialkit.Population"):
        f(pool.df, n_debates=2)
    with pytest.raises(ValueError, match="21 debates need 42 persona agents; the population "
                                         "has 40"):
        f(pool, n_debates=21)
    with pytest.raises(ValueError, match="parameter 'n_debates' = 0 is out of range"):
        f(pool, n_debates=0)
    with pytest.raises(ValueError, match="parameter 'phases' = 4 is out of range"):
        f(pool, n_debates=2, phases=4)
    with pytest.raises(ValueError, match="parameter 'max_words' = 2 is out of range"):
        f(pool, n_debates=2, max_words=2)
    with pytest.raises(ValueError, match="propositions must be a non-empty list"):
        f(pool, n_debates=2, propositions=[])
    with pytest.raises(ValueError, match="conditions must be distinct names"):
        f(pool, n_debates=2, conditions=["robot"])
    with pytest.raises(ValueError, match=r"profile columns \['gender'\] are not population"):
        f(pool, n_debates=2, profile=["gender"])
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        f(pool, n_debates=2, seed=-1)


# ---- Breum et al. ------------------------------------------------------------------------------
def test_social_dimensions_design_prompts_and_outcomes(pool):
    def model(messages):
        q = messages[-1]["content"]
        if "strongly agree" in q:
            return "2" if "You have just debated" not in q else "3"
        if "yes, no" in q:
            return "Yes." if "evidence" in q else "no"
        if "Convince" in q:
            return "The evidence is clear." if "share facts" in q else "Let us laugh."
        return "I am not sure."

    run = sk.scenarios.social_dimensions(pool, sk.llm.scripted(model), trials=3, rounds=2,
                                         dimensions=["knowledge", "fun", "trust"], seed=2,
                                         progress=False, cache=False)
    t = sk.scenarios.dimension_outcomes(run)
    assert t["dimension"].value_counts().to_dict() == {"knowledge": 3, "fun": 3, "trust": 3}
    assert t.groupby("dimension")["changed"].mean().to_dict() == {
        "fun": 0.0, "knowledge": 1.0, "trust": 0.0}
    assert (t["shift"] == 1).all() and (t["turns"] == 4).all()
    ranking = sk.validation.shares_by(t, "dimension", "changed")
    assert ranking["dimension"].tolist() == ["knowledge", "fun", "trust"]
    assert ranking["ci_low"].iloc[0] == pytest.approx(0.4385, abs=1e-3)
    table = sk.env.conversations(run)
    first = table[table["conversation"] == 0]
    assert first["speaker_name"].tolist() == ["Convincer", "Skeptic", "Convincer", "Skeptic"]


def test_social_dimensions_bad_inputs(pool):
    f = sk.scenarios.social_dimensions
    with pytest.raises(TypeError, match="population must be a socialkit.Population"):
        f("pop")
    with pytest.raises(ValueError, match="dimensions must be distinct names among"):
        f(pool, dimensions=["charm"])
    with pytest.raises(ValueError, match="dimensions must be distinct names among"):
        f(pool, dimensions=["fun", "fun"])
    with pytest.raises(ValueError, match="claim must be a non-empty text"):
        f(pool, trials=1, claim=" ")
    with pytest.raises(ValueError, match="50 conversations need 100 persona agents"):
        f(pool, trials=5)
    with pytest.raises(ValueError, match="parameter 'rounds' = 3 is out of range"):
        f(pool, trials=1, rounds=3)
    no_stance = sk.scenarios.dimension_outcomes(sk.scenarios.social_dimensions(
        pool, spy_model({"changed": "yes"}), trials=1, rounds=1, stance=False,
        dimensions=["fun"], progress=False, cache=False))
    assert no_stance["changed"].tolist() == [1.0] and no_stance["shift"].isna().all()
    with pytest.raises(ValueError, match="needs a run of social_dimensions"):
        sk.scenarios.dimension_outcomes(sk.scenarios.debate_persuasion(
            pool, spy_model(), n_debates=2, phases=1, progress=False, cache=False))


# ---- statistics --------------------------------------------------------------------------------
def test_ordinal_odds_ratios_recover_a_known_effect_with_a_covariate():
    rng = np.random.default_rng(11)
    n = 3000
    arm = rng.choice(["ref", "a", "b"], size=n)
    pre = rng.integers(1, 6, size=n)
    latent = rng.logistic(size=n) + 0.8 * pre + np.select([arm == "a", arm == "b"], [0.6, 0.0])
    y = np.digitize(latent, [1.0, 2.0, 3.0, 4.0]) + 1
    df = pd.DataFrame({"y": y, "arm": arm, "pre": pre})
    df.loc[:4, "pre"] = np.nan
    t = sk.validation.ordinal_odds_ratios(df, "y", "arm", "ref", covariates=["pre"])
    got = t.set_index("treatment")
    assert got.loc["a", "ci_low"] < np.exp(0.6) < got.loc["a", "ci_high"]
    assert got.loc["a", "p_value"] < 1e-6 and got.loc["b", "p_value"] > 0.001
    assert got.loc["b", "ci_low"] < 1 < got.loc["b", "ci_high"]
    assert t.attrs["dropped"] == 5 and t.attrs["converged"] and len(t.attrs["thresholds"]) == 4
    assert got["n"].sum() + (df["arm"] == "ref").sum() - 5 <= n


def test_ordinal_odds_ratios_degenerate_and_bad_inputs():
    f = sk.validation.ordinal_odds_ratios
    flat = pd.DataFrame({"y": [3, 3, 3, 3], "arm": ["r", "r", "t", "t"]})
    t = f(flat, "y", "arm", "r")
    assert np.isnan(t["odds_ratio"][0]) and "one value" in t["note"][0]
    with pytest.raises(ValueError, match="reference='x' is not a level of 'arm'"):
        f(flat, "y", "arm", "x")
    with pytest.raises(ValueError, match="outcome='z' is not a column"):
        f(flat, "z", "arm", "r")
    with pytest.raises(TypeError, match="treatment must be a column name"):
        f(flat, "y", 3, "r")
    with pytest.raises(ValueError, match="covariates='w' is not a column"):
        f(flat, "y", "arm", "r", covariates="w")
    with pytest.raises(ValueError, match="level must be a number in"):
        f(flat, "y", "arm", "r", level=95)
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        f([1, 2], "y", "arm", "r")
    # eight debates of the embedded model (notebook 17, CI size): separation, no standard
    # errors; the table says so instead of printing odds ratios of 1e45
    sep = pd.DataFrame({"after": [5, 5, 5, 4, 5, 5, 5, 5], "before": [5, 5, 5, 5, 5, 3, 5, 5],
                        "arm": ["aip", "h", "ai", "hp", "h", "ai", "aip", "hp"]})
    t = f(sep, "after", "arm", "h", covariates=["before"])
    assert t["odds_ratio"].isna().all() and t["ci_low"].isna().all()
    assert t["note"].str.startswith("separation or too few rows").all()
    sk.plot.odds_ratios(t).to_json()   # every row listed as not estimated
    words = pd.DataFrame({"y": ["lo", "hi"], "arm": ["r", "t"]})
    with pytest.raises(TypeError, match="must be numbers or an ordered categorical"):
        f(words, "y", "arm", "r")
    unordered = words.assign(y=pd.Categorical(["lo", "hi"]))
    with pytest.raises(TypeError, match="is an unordered categorical"):
        f(unordered, "y", "arm", "r")


def test_wilson_and_shares_by_bad_inputs():
    low, high = sk.validation.wilson([0, 10], [10, 10])
    assert low[0] == pytest.approx(0.0) and high[1] == pytest.approx(1.0)
    assert np.isnan(sk.validation.wilson(0, 0)[0])
    with pytest.raises(ValueError, match="successes must be between 0 and n"):
        sk.validation.wilson(5, 3)
    with pytest.raises(ValueError, match="level must be a number"):
        sk.validation.wilson(1, 3, level=2)
    df = pd.DataFrame({"g": ["a"], "ok": ["yes"]})
    with pytest.raises(ValueError, match="must hold 0/1 or True/False, got 'yes'"):
        sk.validation.shares_by(df, "g", "ok")
    with pytest.raises(ValueError, match="by='h' is not a column"):
        sk.validation.shares_by(df, "h", "ok")
