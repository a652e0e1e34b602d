"""The repeated prisoner's dilemma and the public-goods game: exact scores of classic strategies,
horizons, rematching, errors, prompts and menus, missing moves, seeds, bad input."""

import json

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import LLMPolicy
from socialkit.env import PublicGoods, RepeatedPD
from socialkit.scenarios import prisoners_dilemma, public_goods

PD = (3.0, 0.0, 5.0, 1.0)   # R, S, T, P


def players(n):
    return sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0}))


def duel(game, a, b, steps, seed=0):
    sim = sk.Simulation(players(2), env=game, roles=["a", "b"], seed=seed, progress=False,
                        policy={"a": game.rule(a), "b": game.rule(b)})
    return sim, sim.run(steps)


# ---- theory checks ------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_tit_for_tat_against_always_defect_scores_exactly(k):
    game = RepeatedPD(PD, rounds=k)
    _, run = duel(game, "tft", "alld", k)
    # TFT is suckered once, then both defect: S + (k-1) P against T + (k-1) P
    assert game.totals.tolist() == [0 + (k - 1) * 1.0, 5 + (k - 1) * 1.0]
    # the same through the scenario, whose state variable keeps the totals
    run = prisoners_dilemma(agents=2, steps=k, payoffs=PD, rounds=k, roles=["a", "b"],
                            policy={"a": game.rule("tft"), "b": game.rule("alld")},
                            progress=False)
    assert run.final("payoff").tolist() == [0 + (k - 1) * 1.0, 5 + (k - 1) * 1.0]


def test_scores_over_random_horizons_follow_the_realised_match_lengths():
    game = RepeatedPD(PD, continuation=0.75)
    _, run = duel(game, "tft", "alld", 40, seed=3)
    ends = run.events[run.events["action"] == "match_end"]
    lengths = [json.loads(d)["rounds"] for d in ends["data"]]
    moves = run.events[run.events["action"] == "move"]
    played_in_open = len(moves) // 2 - sum(lengths)      # a match still going at the end
    want_tft = sum(0 + (n - 1) * 1.0 for n in lengths)
    want_alld = sum(5 + (n - 1) * 1.0 for n in lengths)
    if played_in_open:
        want_tft += 0 + (played_in_open - 1) * 1.0
        want_alld += 5 + (played_in_open - 1) * 1.0
    assert game.totals.tolist() == [want_tft, want_alld]
    assert len(lengths) > 5 and np.mean(lengths) == pytest.approx(4, abs=1.5)  # 1 / (1 - 3/4)
    # match lengths follow the seed
    other = RepeatedPD(PD, continuation=0.75)
    _, run2 = duel(other, "tft", "alld", 40, seed=4)
    assert run2.events["data"].tolist() != run.events["data"].tolist()
    again = RepeatedPD(PD, continuation=0.75)
    _, run3 = duel(again, "tft", "alld", 40, seed=3)
    assert run3.events["data"].tolist() == run.events["data"].tolist()


@pytest.mark.parametrize("a, b, want", [
    ("allc", "allc", (3 * 4, 3 * 4)), ("allc", "alld", (0, 5 * 4)),
    ("tft", "tft", (12, 12)), ("grim", "alld", (0 + 3, 5 + 3)),
    ("wsls", "alld", (0 + 1 + 0 + 1, 5 + 1 + 5 + 1)),   # WSLS: C, D, C, D against ALLD
])
def test_classic_strategy_pairs(a, b, want):
    game = RepeatedPD(PD, rounds=4)
    duel(game, a, b, 4)
    assert tuple(game.totals.tolist()) == want


def test_errors_flip_intended_moves_at_their_rate():
    game = RepeatedPD(PD, rounds=1000, error=0.125)
    _, run = duel(game, "allc", "allc", 400, seed=1)
    data = [json.loads(d) for d in run.events[run.events["action"] == "move"]["data"]]
    flips = np.mean([d["intended"] != d["move"] for d in data])
    assert all(d["intended"] == "C" for d in data)
    assert flips == pytest.approx(0.125, abs=0.03)


def test_rematching_pairs_free_players_at_random():
    game = RepeatedPD(PD, rounds=2)
    sim = sk.Simulation(players(6), env=game, policy=game.rule("allc"), seed=5,
                        progress=False)
    run = sim.run(8)
    moves = run.events[run.events["action"] == "move"]
    data = [json.loads(d) for d in moves["data"]]
    assert sorted({d["match"] for d in data}) == list(range(12))   # 4 matches x 3 pairs
    for _step, g in moves.groupby("step"):                      # everyone plays every round
        assert sorted(g["agent"]) == list(range(6))
        assert (g["agent"] != g["target"]).all()
    partners = {(int(a), json.loads(d)["partner"]) for a, d in zip(moves["agent"],
                                                                   moves["data"], strict=True)}
    assert len(partners) > 6                                     # partners change


# ---- LLM agents ---------------------------------------------------------------------------------
def test_prompts_show_payoffs_horizon_and_the_match_so_far():
    prompts = []

    def model(messages):
        prompts.append(messages[-1]["content"])
        return "action: defect" if "you defect" in messages[-1]["content"] else \
            "action: cooperate"

    run = prisoners_dilemma(model=sk.llm.scripted(model), agents=2, steps=3, treatment="FR16",
                            cache=False, progress=False, seed=2)
    first = prompts[0]
    assert "- you cooperate, your partner cooperates: you get 0.264, your partner gets 0.264" \
        in first
    assert "you get 0, your partner gets 0.33" in first
    assert "goes on with probability 87.5%" in first and "6.25%" in first
    assert "This is round 1 of your match with player" in first
    assert "Choose one action:\n- cooperate: cooperate with your partner" in first
    later = [p for p in prompts if "This is round 2" in p]
    assert later and "Round 1: you " in later[0]
    assert run.params["treatment"] == "FR16" and run.params["error"] == 0.0625


def test_missing_moves_are_played_as_defection_and_flagged():
    run = prisoners_dilemma(model=sk.llm.scripted(lambda m: "hmm, cooperate or defect?"),
                            agents=2, steps=1, cache=False, progress=False)
    moves = [json.loads(d) for d in run.events[run.events["action"] == "move"]["data"]]
    assert [d["move"] for d in moves] == ["D", "D"] and all(d["missing"] for d in moves)
    assert (run.events["action"] == "missing").sum() == 2


def test_menu_parses_moves_without_guessing():
    game = RepeatedPD(PD, rounds=3)
    sim = sk.Simulation(players(2), env=game, policy=game.rule("allc"), progress=False)
    sim.env.setup(sim)
    menu = game.actions(sim, sim.agents.ids)[0]
    assert menu.parse("action: cooperate").value == {"action": "cooperate"}
    assert menu.parse("defect").value == {"action": "defect"}
    assert not menu.parse("I cooperate, then defect").ok
    assert menu.grammar() == 'root ::= "action: " ("cooperate" | "defect")'


# ---- public goods -------------------------------------------------------------------------------
def test_public_goods_payoffs_follow_the_linear_formula():
    pg = PublicGoods(rounds=1)
    sim = sk.Simulation(players(4), env=pg, progress=False,
                        policy=pg.rule(lambda ctx: np.where(ctx.ids == 0, 20.0, 0.0)))
    run = sim.run(5)
    assert sim.t == 1                                # done after its rounds
    # the contributor: 20 - 20 + 0.4 * 20 = 8; free riders: 20 + 8 = 28
    assert pg.totals.tolist() == [8.0, 28.0, 28.0, 28.0]
    assert run.measures()["pg.contribution"].iloc[-1] == 0.25
    everyone = public_goods(policy=PublicGoods().rule(20), agents=8, rounds=3, progress=False)
    assert everyone.final("payoff").tolist() == [96.0] * 8   # 0.4 * 80 = 32 a round


def test_public_goods_groups_partner_and_stranger():
    def groups(matching, seed=0):
        run = public_goods(policy=PublicGoods().rule(5), agents=8, rounds=3,
                           matching=matching, seed=seed, progress=False)
        ev = run.events[run.events["action"] == "contribution"]
        g = [json.loads(d)["group"] for d in ev["data"]]
        return pd.DataFrame({"step": ev["step"], "agent": ev["agent"], "g": g})

    partner = groups("partner")
    assert partner.groupby("agent")["g"].nunique().max() == 1
    stranger = groups("stranger")
    assert stranger.groupby("agent")["g"].nunique().max() > 1
    assert (partner.groupby(["step", "g"]).size() == 4).all()


def test_public_goods_prompt_shows_last_round():
    prompts = []

    def model(messages):
        prompts.append(messages[-1]["content"])
        return "10"

    public_goods(model=sk.llm.scripted(model), agents=4, rounds=2, cache=False, progress=False,
                 policy=LLMPolicy(sk.scenarios.GAME_SYSTEM, memories=0))
    assert "Every token put into the project earns each member of the group 0.4 tokens" \
        in prompts[0]
    last = [p for p in prompts if "round 2 of 2" in p][0]
    assert "Last round you put in 10 tokens and the others in your group put in 10, 10, 10; " \
           "you earned 26 tokens." in last


# ---- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, err, match", [
    ({"payoffs": (3, 0, 2, 1), "rounds": 2}, ValueError, "T > R > P > S"),
    ({"payoffs": (3, 0, 5), "rounds": 2}, ValueError, "4 finite numbers"),
    ({"payoffs": {"R": 3, "S": 0}, "rounds": 2}, ValueError, r"lacks \['T', 'P'\]"),
    ({"payoffs": "abcd", "rounds": 2}, TypeError, "must be \\(R, S, T, P\\) numbers"),
    ({"payoffs": PD}, ValueError, "exactly one of continuation"),
    ({"payoffs": PD, "rounds": 2, "continuation": 0.5}, ValueError, "exactly one"),
    ({"payoffs": PD, "continuation": 1.0}, ValueError, "continuation must be a probability"),
    ({"payoffs": PD, "rounds": 0}, ValueError, "rounds must be an integer >= 1"),
    ({"payoffs": PD, "rounds": 2, "error": 0.5}, ValueError, r"error must be a probability"),
    ({"payoffs": PD, "rounds": 2, "labels": ("C", "C")}, ValueError, "two different names"),
    ({"payoffs": PD, "rounds": 2, "missing": "skip"}, ValueError, "missing must be"),
])
def test_repeated_pd_refuses_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        RepeatedPD(**kwargs)


def test_games_check_against_the_simulation():
    game = RepeatedPD(PD, rounds=2)
    with pytest.raises(ValueError, match="at least 2 agents"):
        sk.Simulation(players(1), env=game, policy=game.rule("allc"), progress=False)
    with pytest.raises(ValueError, match="strategy must be one of"):
        game.rule("titfortat")
    with pytest.raises(ValueError, match="returned 'X'"):
        sk.Simulation(players(2), env=game, policy=game.rule(lambda past, rng: "X"),
                      progress=False).run(1)
    with pytest.raises(ValueError, match="mpcr must be in"):
        PublicGoods(mpcr=0.2)
    with pytest.raises(ValueError, match="matching must be"):
        PublicGoods(matching="random")
    with pytest.raises(ValueError, match="5 agents cannot be split into groups of 4"):
        sk.Simulation(players(5), env=PublicGoods(), policy=PublicGoods().rule(1),
                      progress=False)
    with pytest.raises(ValueError, match="amount must be from 0 to 20"):
        PublicGoods().rule(25)
    with pytest.raises(ValueError, match="unknown treatment 'XX1'"):
        sk.scenarios.ipd_treatment("XX1")
    with pytest.raises(ValueError, match="'treatment' = 'XX1' is not allowed"):
        prisoners_dilemma(treatment="XX1")
    with pytest.raises(ValueError, match="continuation= or rounds=, not both"):
        prisoners_dilemma(continuation=0.5, rounds=3, policy=game.rule("allc"))
