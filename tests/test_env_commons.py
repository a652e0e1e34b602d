"""GovSim's commons: the arithmetic of sustainable and greedy harvests, concurrent allocation,
collapse, the discussion, universalization, framings, the newcomer, metrics, bad input."""

import json

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import LLMPolicy, RulePolicy
from socialkit.env import FRAMINGS, Commons, Framing, sustainable_share
from socialkit.scenarios import (
    commons,
    commons_metrics,
    commons_summary,
    commons_table,
    survival_curve,
)


def village(n=5):
    return sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0,
                                       "name": sk.env.NAMES[:n]}))


def fixed(tons):
    """Every agent asks for ``tons`` each month."""
    return RulePolicy(lambda ctx: {"action": "fish", "tons": tons}, name=f"take{tons}")


def fair(ctx):
    share = sustainable_share(ctx.env.stock, int(ctx.env.present(None, ctx.ids).sum()))
    return {"action": "fish", "tons": share}


def predicted_collapse(take, n=5, stock=100.0, capacity=100.0, growth=2.0, below=5.0,
                       months=12):
    """The month a constant harvest per agent collapses the stock (None: it survives)."""
    for month in range(1, months + 1):
        left = max(0.0, stock - take * n)
        if left < below:
            return month
        stock = min(capacity, left * growth)
    return None


# ---- theory checks ------------------------------------------------------------------------------
@pytest.mark.parametrize("framing", ["fishery", "pasture", "pollution"])
def test_sustainable_share_survives_twelve_months_with_the_maximal_gain(framing):
    action = FRAMINGS[framing].action
    unit = FRAMINGS[framing].unit
    share = RulePolicy(lambda ctx: {"action": action,
                                    unit: sustainable_share(ctx.env.stock, 5)})
    run = commons(policy=share, framing=framing, discussion=False, progress=False)
    m = commons_metrics(run)
    assert m["survived"] and m["survival_time"] == 12 and m["months_played"] == 12
    assert m["total_gain"] == 12 * 50 == 600          # the most any sustainable policy takes
    assert m["efficiency"] == 1.0 and m["equality"] == 1.0 and m["overuse"] == 0.0
    assert m["gains"].tolist() == [120.0] * 5
    meas = run.measures()
    assert meas["commons.stock"].tolist() == [100.0] * 13
    assert meas["commons.after"].iloc[1:].tolist() == [50.0] * 12
    assert run.final("gain").tolist() == [120.0] * 5


@pytest.mark.parametrize("take", [11, 12, 13, 15, 19, 20, 30])
def test_greedy_agents_collapse_in_the_month_the_arithmetic_predicts(take):
    run = commons(policy=fixed(take), discussion=False, seed=take, progress=False)
    m = commons_metrics(run)
    want = predicted_collapse(take)
    assert want is not None and m["collapsed"] and m["survival_time"] == want
    assert m["months_played"] == want and run.params["steps"] == want   # the run stops
    assert (run.events["action"] == "collapse").sum() == 1
    assert m["overuse"] == 1.0 and m["efficiency"] < 1
    # 11 each: 100 -> 45 -> 90 -> 35 -> 70 -> 15 -> 30 -> 0 (month 4)
    if take == 11:
        assert want == 4 and m["total_gain"] == 55 + 55 + 55 + 30


def test_a_harvest_just_below_the_share_survives_and_gains_less():
    m = commons_metrics(commons(policy=fixed(8), discussion=False, progress=False))
    assert m["survived"] and m["total_gain"] == 12 * 40 and m["efficiency"] == 0.8


# ---- concurrent harvests ------------------------------------------------------------------------
def test_random_allocation_hands_out_the_stock_unit_by_unit_and_follows_the_seed():
    pop = village(3)
    takes = RulePolicy(lambda ctx: {"action": "fish", "tons": np.array([70, 40, 20])})
    got = []
    for seed in (1, 1, 0, 2, 3, 4, 5):
        sim = sk.Simulation(pop, env=Commons(discussion=False), policy=takes, seed=seed,
                            progress=False)
        sim.run(1)
        got.append(tuple(sim.env.gains.tolist()))
    assert got[0] == got[1]                                # same seed, same split
    assert len(set(got)) > 2                               # other seeds, other splits
    for g in got:   # a unit at a time to a random agent still wanting: 20 is met in full
        assert sum(g) == 100 and g[0] <= 70 and g[1] <= 40 and g[2] == 20


def test_proportional_allocation_and_requests_within_the_stock():
    pop = village(2)
    takes = RulePolicy(lambda ctx: {"action": "fish", "tons": np.array([90, 60])})
    sim = sk.Simulation(pop, env=Commons(discussion=False, allocation="proportional"),
                        policy=takes, progress=False)
    sim.run(3)
    assert sim.env.gains.tolist() == [60.0, 40.0] and sim.env.collapsed_at == 1
    small = sk.Simulation(pop, env=Commons(discussion=False), policy=fixed(5), progress=False)
    small.run(1)
    assert small.env.gains.tolist() == [5.0, 5.0] and small.env.stock == 100.0


def test_harvest_menu_is_a_whole_number_up_to_the_capacity():
    sim = sk.Simulation(village(2), env=Commons(stock=37, capacity=100, discussion=False),
                        policy=fixed(0), progress=False)
    sim.env.setup(sim)
    menu = sim.env.actions(sim, sim.agents.ids)[0]
    assert menu.parse("12").value == {"action": "fish", "tons": 12}
    assert menu.parse("40").value == {"action": "fish", "tons": 40}   # more than is left
    assert not menu.parse("101").ok and not menu.parse("between 3 and 5").ok
    assert menu.parse("I will catch 4 tons").value == {"action": "fish", "tons": 4}
    with pytest.raises(ValueError, match="fish tons: 101 is not a whole number from 0 to 100"):
        sk.Simulation(village(2), env=Commons(stock=37, capacity=100, discussion=False),
                      policy=fixed(101), progress=False).run(1)


# ---- what agents see ----------------------------------------------------------------------------
def harvester(tons=10, talk="Let us each take ten."):
    prompts = []

    def reply(messages):
        prompts.append(messages)
        if "What do you say to the others" in messages[-1]["content"]:
            return talk
        return str(tons)

    return sk.llm.scripted(reply), prompts


def test_observation_universalization_and_last_months_report():
    model, prompts = harvester(12)
    run = commons(model=model, agents=4, months=2, discussion=False, universalization=True,
                  stock=80, cache=False, progress=False)
    first = [m for m in prompts if "month 1." in m[1]["content"]][0][1]["content"]
    assert "there are 80 tons of fish in the lake" in first
    # 80 tons, doubling, 4 agents: 40 can be taken, 10 each
    assert "if everyone fishes more than 10 tons, the lake population will shrink" in first
    assert "You are John, a fisherman." in first and "Kate, Jack and Emma" in first
    second = [m for m in prompts if "month 2." in m[1]["content"]][0][1]["content"]
    assert "Last month: John wanted to catch 12 tons and caught 12 tons." in second
    assert "there are 64 tons of fish" in second      # (80 - 48) * 2
    assert "if everyone fishes more than 8 tons" in second
    assert "How many tons of fish do you catch this month?" in second
    assert "whole number from 0 to 80" in second      # up to the capacity
    quiet = commons(model=harvester(1)[0], agents=2, months=2, discussion=False,
                    cache=False, progress=False)
    assert quiet.events["action"].value_counts()["catch"] == 4
    m = commons_metrics(run)
    assert m["overuse"] == 1.0 and not m["collapsed"]


def test_no_report_keeps_others_catches_hidden():
    model, prompts = harvester(3)
    env = Commons(discussion=False, report=False)
    sk.Simulation(village(2), env=env, model=model, cache=False, progress=False).run(2)
    assert not any("Last month" in m[1]["content"] for m in prompts)


def test_discussion_is_bounded_announced_and_shown_next_month():
    model, prompts = harvester(10)
    run = commons(model=model, agents=3, months=2, utterances=4, seed=5, cache=False,
                  progress=False)
    says = run.events[run.events["action"] == "say"]
    assert says.groupby("step").size().tolist() == [4, 4]     # the report + 3 utterances
    first = says[says["step"] == 1]
    assert first["agent"].iloc[0] == -1
    assert first["text"].iloc[0].startswith("Ladies and gentlemen, here is this month's "
                                            "fishing report. John wanted to catch 10 tons")
    speakers = first["agent"].iloc[1:].tolist()
    assert sorted(speakers) == [0, 1, 2]                      # each in turn
    talk_prompts = [m for m in prompts if "What do you say" in m[-1]["content"]]
    assert len(talk_prompts) == 6
    # a speaker sees the conversation so far, in its own voice (persona system prompt)
    last = talk_prompts[2][1]["content"]
    assert "The conversation so far:\nMayor: Ladies" in last
    assert last.count("Let us each take ten.") == 2
    nxt = [m for m in prompts if "month 2." in m[1]["content"]][0][1]["content"]
    assert "Last month's meeting:\nMayor: Ladies and gentlemen" in nxt
    assert "Let us each take ten." in nxt
    # the first speaker follows the seed
    firsts = set()
    for seed in range(6):
        r = commons(model=harvester(10)[0], agents=3, months=1, utterances=2, seed=seed,
                    cache=False, progress=False)
        firsts.add(int(r.events[r.events["action"] == "say"]["agent"].iloc[1]))
    assert len(firsts) > 1


def test_discussion_happens_in_the_collapse_month_and_rule_agents_are_silent():
    model, prompts = harvester(40)
    pop = village(3)
    roles = ["llm", "llm", "rule"]
    run = commons(pop, model=model, roles=roles, utterances=3, cache=False, progress=False,
                  policy={"llm": LLMPolicy(), "rule": fixed(40)})
    assert run.params["steps"] == 1 and commons_metrics(run)["collapsed"]
    says = run.events[run.events["action"] == "say"]
    assert len(says) == 3 and 2 not in says["agent"].tolist()


def test_missing_utterance_and_missing_harvest_are_recorded_not_guessed():
    def reply(messages):   # re-asks append to the conversation: look at every message
        if any("What do you say" in m["content"] for m in messages):
            return "   "
        return "somewhere between 5 and 10 tons"

    run = commons(model=sk.llm.scripted(reply), agents=2, months=1, utterances=2,
                  cache=False, progress=False)
    ev = run.events
    assert (ev["action"] == "missing").sum() == 2
    assert (ev["action"] == "say_missing").sum() == 1
    caught = [json.loads(d)["wanted"] for d in ev[ev["action"] == "catch"]["data"]]
    assert caught == [0.0, 0.0]


def test_framings_change_the_words_not_the_mechanics():
    runs = {}
    for name, f in FRAMINGS.items():
        model, prompts = harvester(7)
        runs[name] = commons(model=model, agents=2, months=2, framing=name,
                             discussion=False, universalization=True, cache=False,
                             progress=False)
        text = prompts[0][1]["content"]
        assert f.stock.format(stock=100) in text and f.question in text
        assert f.universalization.format(share=25) in text
    meas = [r.measures()["commons.stock"].tolist() for r in runs.values()]
    assert meas[0] == meas[1] == meas[2] == [100.0, 100.0, 100.0]
    assert "hectares of grass" in FRAMINGS["pasture"].intro
    assert "% unpolluted" in FRAMINGS["pollution"].stock


def test_greedy_newcomer_joins_at_its_month_with_a_greedy_goal():
    model, prompts = harvester(5)
    run = commons(model=model, agents=5, months=4, newcomer=True, discussion=False,
                  cache=False, progress=False)
    catches = run.events[run.events["action"] == "catch"]
    per_month = catches.groupby("step")["agent"].apply(list).to_dict()
    assert per_month[1] == [0, 1, 2, 3] and per_month[3] == [0, 1, 2, 3, 4]
    own = [m[1]["content"] for m in prompts if "You are Luke" in m[1]["content"]]
    assert own and all("It is month 3." in t or "It is month 4." in t for t in own)
    assert "just want to make money" in own[0]
    told = [m[1]["content"] for m in prompts if "It is month 3." in m[1]["content"]
            and "You are John" in m[1]["content"]][0]
    assert "Luke is new in the village" in told
    month1 = [m[1]["content"] for m in prompts if "It is month 1." in m[1]["content"]][0]
    assert "Kate, Jack and Emma" in month1 and "Luke" not in month1
    # the sustainable share counts the agents present: 4 before, 5 after
    shares = catches.assign(share=[json.loads(d)["share"] for d in catches["data"]])
    assert shares.groupby("step")["share"].first().tolist() == [12, 12, 10, 10]


# ---- checkpoints, metrics over runs ---------------------------------------------------------------
def test_resume_continues_the_identical_run(tmp_path):
    takes = RulePolicy(lambda ctx: {"action": "fish", "tons": ctx.rng.integers(5, 14,
                                                                               len(ctx.ids))})
    full = sk.Simulation(village(3), env=Commons(discussion=False), policy=takes, seed=3,
                         progress=False).run(6)
    part = sk.Simulation(village(3), env=Commons(discussion=False), policy=takes, seed=3,
                         progress=False, checkpoint=tmp_path / "c")
    part.run(3)
    again = sk.Simulation(village(3), env=Commons(discussion=False), policy=takes, seed=3,
                          progress=False, checkpoint=tmp_path / "c")
    done = again.run(6)
    pd.testing.assert_frame_equal(done.measures(), full.measures())
    assert done.events["data"].tolist() == full.events["data"].tolist()


def test_table_summary_and_survival_curve_over_seeds():
    runs = {"fair": [commons(policy=RulePolicy(fair), discussion=False, seed=s, progress=False)
                     for s in range(3)],
            "greedy": [commons(policy=fixed(12 + s), discussion=False, seed=s, progress=False)
                       for s in range(3)]}
    table = commons_table(runs)
    assert table["condition"].tolist() == ["fair"] * 3 + ["greedy"] * 3
    assert table["seed"].tolist() == [0, 1, 2] * 2
    summary = commons_summary(table).set_index("condition")
    assert summary.loc["fair", "survival_rate"] == 1.0
    assert summary.loc["greedy", "survival_rate"] == 0.0
    assert summary.loc["fair", "survival_lower"] < 1 < summary.loc["fair", "survival_upper"] + 1
    assert summary.loc["greedy", "survival_time"] == np.mean(
        [predicted_collapse(12 + s) for s in range(3)])
    km = survival_curve(table, by="condition")
    g = km[km["condition"] == "greedy"]
    assert g["survival"].iloc[-1] == 0.0 and g["survival"].is_monotonic_decreasing
    f = km[km["condition"] == "fair"]
    assert f["survival"].tolist() == [1.0, 1.0] and f["censored"].iloc[-1] == 3


def test_kaplan_meier_handles_censoring_before_the_horizon():
    from socialkit.scenarios._stats import kaplan_meier

    km = kaplan_meier([2, 3, 3, 5, 12], [True, False, True, True, False])
    s = dict(zip(km["time"], km["survival"], strict=True))
    assert s[2.0] == pytest.approx(0.8)
    assert s[3.0] == pytest.approx(0.8 * (1 - 1 / 4))      # 4 at risk, 1 event, 1 censored
    assert s[5.0] == pytest.approx(0.8 * 0.75 * 0.5)
    assert (km["lower"] <= km["survival"]).all() and (km["survival"] <= km["upper"]).all()
    with pytest.raises(ValueError, match="2 times but 1"):
        kaplan_meier([1, 2], [True])


# ---- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, err, match", [
    ({"stock": 0}, ValueError, "stock must be a finite number > 0"),
    ({"stock": 120, "capacity": 100}, ValueError, "exceeds the capacity"),
    ({"regrowth": 1}, ValueError, "regrowth must be a finite number > 1"),
    ({"collapse_below": -1}, ValueError, "collapse_below"),
    ({"framing": "ocean"}, ValueError, "framing 'ocean' is not one of"),
    ({"framing": 3}, TypeError, "framing must be a name"),
    ({"discussion": "yes"}, TypeError, "discussion must be True or False"),
    ({"utterances": 0}, ValueError, "utterances must be an integer >= 1"),
    ({"allocation": "fair"}, ValueError, "allocation must be 'random' or 'proportional'"),
    ({"newcomer": "Luke"}, TypeError, "newcomer must be an agent id"),
    ({"names": 3}, TypeError, "names must be a column"),
])
def test_commons_refuses_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        Commons(**kwargs)


def test_commons_checks_against_the_simulation_and_framings_validate():
    with pytest.raises(ValueError, match="newcomer=9 is not an agent id"):
        sk.Simulation(village(2), env=Commons(newcomer=9), policy=fixed(1), progress=False)
    with pytest.raises(ValueError, match="names='nick' is not a population column"):
        sk.Simulation(village(2), env=Commons(names="nick"), policy=fixed(1), progress=False)
    with pytest.raises(ValueError, match="gain='wealth' must be a continuous state variable"):
        sk.Simulation(village(2), env=Commons(gain="wealth"), policy=fixed(1), progress=False)
    spec = FRAMINGS["fishery"].spec()
    with pytest.raises(ValueError, match=r"stock uses unknown placeholder\(s\) \['fish'\]"):
        Framing(**{**spec, "stock": "There are {fish} tons."})
    with pytest.raises(ValueError, match="Framing action must be a lower-case identifier"):
        Framing(**{**spec, "action": "Go Fish"})
    with pytest.raises(ValueError, match="missing fields"):
        sk.env.Commons(framing={"name": "x"})
    with pytest.raises(ValueError, match="agents=3 but the population has 2"):
        commons(village(2), agents=3, policy=fixed(1), progress=False)
    with pytest.raises(ValueError, match="'framing' = 'sea' is not allowed"):
        commons(framing="sea")
    with pytest.raises(ValueError, match="'months' = 0 is out of range"):
        commons(months=0)
    with pytest.raises(TypeError, match=r"\['state'\] are set by the scenario"):
        commons(policy=fixed(1), state={})
    with pytest.raises(ValueError, match="lacks 'months'"):
        commons_metrics(sk.Simulation(village(2), env=Commons(discussion=False),
                                      policy=fixed(1), progress=False).run(1))
    assert sustainable_share(100, 0) == 0 and sustainable_share(4, 1) == 2
