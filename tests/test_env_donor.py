"""The donor game with cultural evolution: payoff arithmetic of always-give and never-give
societies, punishment, reputation, selection and transmission of strategies, seeds, resume,
bad input."""

import json

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import LLMPolicy, ScriptedPolicy
from socialkit.env import DonorGame
from socialkit.scenarios import donor_game, donor_summary


def players(n):
    return sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0}))


# ---- theory checks ------------------------------------------------------------------------------
@pytest.mark.parametrize("percent", [0, 25, 50, 100])
def test_uniform_societies_reach_what_the_payoff_arithmetic_gives(percent):
    """Everyone gives p% each round and (in the cycle) receives 2 x p% of an equal stock:
    r' = r (1 + p), so after 12 rounds 10 (1 + p)^12 (never-give: 10; always-give: 40960)."""
    run = donor_game(policy=DonorGame.rule(percent, "A fixed share."), generations=2,
                     progress=False)
    s = donor_summary(run)
    want = 10 * (1 + percent / 100) ** 12
    assert s["resources"].tolist() == pytest.approx([want, want])
    assert s["donation"].tolist() == [percent, percent]
    assert run.params["steps"] == 2 * 13
    ends = run.events[run.events["action"].isin(["survive", "replace"])]
    assert [json.loads(d)["resources"] for d in ends["data"]] == pytest.approx([want] * 24)


def test_everyone_punishing_loses_three_times_the_spent_share():
    run = donor_game(policy=DonorGame.rule(20, "Punish.", action="punish"), agents=4,
                     rounds=3, generations=1, punishment=True, progress=False)
    s = donor_summary(run)
    # spend 20% and lose 2 x 20% of an equal stock: r' = 0.4 r
    assert s["resources"].tolist() == pytest.approx([10 * 0.4 ** 3])
    assert s["punished"].tolist() == [1.0] and s["donation"].tolist() == [0.0]
    assert (run.events["action"] == "punish").sum() == 12


def test_resources_never_go_below_zero_and_giving_creates_value():
    pct = {0: 100.0, 1: 0.0, 2: 100.0, 3: 0.0, 4: 50.0, 5: 0.0}

    def mixed(agent, obs, state):
        if "is about to start" in obs:
            return {"action": "strategy", "text": "mixed"}
        return {"action": "donate", "percent": pct[agent]}

    game = DonorGame(rounds=4, generations=1, resources="resources")
    sim = sk.Simulation(players(6), env=game, policy=ScriptedPolicy(mixed),
                        state={"resources": sk.agents.Continuous(low=0, initial=10.0)},
                        seed=2, progress=False)
    sim.run(10)
    run = sim.result()
    gives = run.events[run.events["action"] == "give"]
    data = [json.loads(d) for d in gives["data"]]
    given = sum(d["amount"] for d in data)
    ends = run.events[run.events["action"].isin(["survive", "replace"])]
    final = sum(json.loads(d)["resources"] for d in ends["data"])
    assert final == pytest.approx(60 + given)        # each unit given becomes 2
    assert (gives["target"] != gives["agent"]).all()
    for _step, g in gives.groupby("step"):           # a cycle: everyone gives and receives once
        assert sorted(g["agent"]) == sorted(g["target"]) == list(range(6))


# ---- reputation, selection, transmission ------------------------------------------------------
def test_donor_sees_the_recipients_last_three_rounds():
    seen = {}

    def play(agent, obs, state, step):
        if "is about to start" in obs:
            return {"action": "strategy", "text": f"Strategy of {agent}."}
        seen[(step, agent)] = obs
        return {"action": "donate", "percent": 10.0 * (agent + 1)}

    sim = sk.Simulation(players(3), env=DonorGame(rounds=5, generations=1),
                        policy=ScriptedPolicy(play), seed=4, progress=False)
    run = sim.run(6)
    obs = seen[(6, 0)]          # round 5: the recipient has been a donor in rounds 1-4
    assert "Generation 1, round 5 of 5." in obs and "Your strategy: Strategy of 0." in obs
    gives = run.events[run.events["action"] == "give"]
    recipient = int(gives[(gives["step"] == 6) & (gives["agent"] == 0)]["target"].iloc[0])
    lines = [ln for ln in obs.splitlines() if ln.startswith("- In round")]
    assert [ln.split(",")[0] for ln in lines] == ["- In round 2", "- In round 3",
                                                   "- In round 4"]
    assert all(f"gave {10 * (recipient + 1)}% of their resources to Player 1." in ln
               for ln in lines)
    assert "What Player 1." in obs and "who has" in obs
    first = seen[(2, 1)]
    assert "has not been a donor yet in this generation" in first


def test_top_half_survives_and_newcomers_learn_the_survivors_strategies():
    prompts = []

    def model(messages):
        prompts.append(messages)
        text = messages[-1]["content"]
        if "Write your strategy" in text:
            return "I give what others gave." if "survived" in text else "I give a lot."
        return "40" if "Player 1.1" in text.split("This round")[0] else "5"

    run = donor_game(model=sk.llm.scripted(model), agents=4, rounds=2, generations=2,
                     cache=False, progress=False)
    ev = run.events
    sel = ev[ev["action"].isin(["survive", "replace"])]
    gen1 = [json.loads(d) | {"action": a} for d, a in zip(sel["data"], sel["action"],
                                                          strict=True)]
    gen1 = [d for d in gen1 if d["generation"] == 1]
    ranks = sorted(gen1, key=lambda d: d["rank"])
    assert [d["action"] for d in ranks] == ["survive", "survive", "replace", "replace"]
    assert ranks[0]["resources"] >= ranks[1]["resources"] >= ranks[2]["resources"]
    s = donor_summary(run)
    assert s["survivors"][0] == [d["name"] for d in ranks[:2]]
    assert s["strategies"][0] == ["I give a lot.", "I give a lot."]
    # generation 2: only the two newcomers write, having seen the survivors' strategies
    assert len(s["written"][1]) == 2 and s["written"][1] == ["I give what others gave."] * 2
    newcomer_prompts = [m[-1]["content"] for m in prompts
                        if "Generation 2 is about to start" in m[-1]["content"]]
    assert len(newcomer_prompts) == 1      # two identical prompts share one greedy reply
    assert "survived the last generation:\n- I give a lot.\n- I give a lot." in \
        newcomer_prompts[0]
    names = {json.loads(d)["name"] for d in ev[ev["action"] == "written"]["data"]}
    assert {"Player 2.1", "Player 2.2"} <= names
    # everyone starts generation 2 with the endowment again
    gives2 = ev[(ev["action"] == "give") & (ev["step"] == 5)]   # steps: 1 strategy, 2-3 rounds, 4, 5-6
    assert [json.loads(d)["resources"] for d in gives2["data"]] == [10.0] * 4
    assert (run.trajectory.query("variable == 'resources' and step == 4")["value"] == 10).all()


def test_pairings_and_ties_follow_the_seed():
    def cycles(seed):
        run = donor_game(policy=DonorGame.rule(0, "Keep."), agents=6, rounds=3,
                         generations=1, seed=seed, progress=False)
        gives = run.events[run.events["action"] == "give"]
        surv = run.events[run.events["action"] == "survive"]["agent"].tolist()
        return gives["target"].tolist(), surv

    a, b, c = cycles(1), cycles(1), cycles(2)
    assert a == b and a != c


def test_llm_menus_parse_donations_and_punishments():
    menu = DonorGame(punishment=True)._menu("round")
    assert menu.parse("action: punish\npercent: 30").value == {"action": "punish",
                                                               "percent": 30.0}
    assert menu.parse("donate(percent=12.5)").value == {"action": "donate", "percent": 12.5}
    assert not menu.parse("I would donate 20 or maybe punish").ok
    plain = DonorGame()._menu("round")
    assert plain.parse("I give 35%").value == {"action": "donate", "percent": 35.0}
    assert not plain.parse("150").ok

    def model(messages):
        text = messages[-1]["content"]
        if "Write your strategy" in text:
            return "Punish those who do not give."
        return "action: punish\npercent: 10" if "What do you do" in text else "x"

    run = donor_game(model=sk.llm.scripted(model), agents=3, rounds=1, generations=1,
                     punishment=True, cache=False, progress=False,
                     policy=LLMPolicy(sk.scenarios.GAME_SYSTEM, memories=0))
    assert (run.events["action"] == "punish").sum() == 3
    assert donor_summary(run)["resources"].tolist() == pytest.approx([10 * 0.7])


def test_missing_decisions_give_nothing():
    run = donor_game(model=sk.llm.scripted(lambda m: "no idea"), agents=2, rounds=1,
                     generations=1, cache=False, progress=False)
    assert (run.events["action"] == "missing").sum() == 2
    assert donor_summary(run)["resources"].tolist() == [10.0]


CRASH = {"at": None}


def random_share(ctx):
    if ctx.step == CRASH["at"]:
        raise KeyboardInterrupt
    return ctx.rng.uniform(0, 100, len(ctx.ids))


def test_resume_continues_the_identical_run(tmp_path):
    kw = {"policy": DonorGame.rule(random_share, "Random."), "agents": 4, "rounds": 3,
          "generations": 2, "seed": 9, "progress": False}
    full = donor_game(**kw)
    CRASH["at"] = 6                          # generation 2's first round
    try:
        with pytest.raises(KeyboardInterrupt):
            donor_game(**kw, checkpoint=tmp_path / "d")
    finally:
        CRASH["at"] = None
    again = donor_game(**kw, checkpoint=tmp_path / "d")
    pd.testing.assert_frame_equal(again.measures(), full.measures())
    assert again.events["data"].tolist() == full.events["data"].tolist()


# ---- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, err, match", [
    ({"rounds": 0}, ValueError, "rounds must be an integer >= 1"),
    ({"generations": 1.5}, ValueError, "generations must be an integer"),
    ({"endowment": 0}, ValueError, "endowment must be a positive number"),
    ({"multiplier": float("nan")}, ValueError, "multiplier must be a positive number"),
    ({"survive": 1}, ValueError, r"survive must be a share in \(0, 1\)"),
    ({"punishment": 1}, TypeError, "punishment must be True or False"),
    ({"resources": 3}, TypeError, "resources must be a state variable name"),
])
def test_donor_game_refuses_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        DonorGame(**kwargs)


def test_donor_game_checks_against_the_simulation():
    with pytest.raises(ValueError, match="at least 2 agents"):
        sk.Simulation(players(1), env=DonorGame(), policy=DonorGame.rule(0), progress=False)
    with pytest.raises(ValueError, match="resources='wealth' must be a continuous"):
        sk.Simulation(players(2), env=DonorGame(resources="wealth"),
                      policy=DonorGame.rule(0), progress=False)
    with pytest.raises(ValueError, match="percent must be from 0 to 100"):
        DonorGame.rule(120)
    with pytest.raises(ValueError, match="action must be 'donate' or 'punish'"):
        DonorGame.rule(10, action="steal")
    with pytest.raises(ValueError, match="'rounds' = 0 is out of range"):
        donor_game(rounds=0)
    with pytest.raises(ValueError, match="agents=3 but the population has 2"):
        donor_game(players(2), agents=3)
    with pytest.raises(ValueError, match="lacks 'generations'"):
        donor_summary(sk.scenarios.commons(policy=sk.agents.RulePolicy(
            lambda ctx: {"action": "fish", "tons": 1}), months=1, progress=False))
