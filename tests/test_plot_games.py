"""Figures of the cooperation games: what each trace holds, and bad input."""

import numpy as np
import pandas as pd
import pytest

import socialkit as sk


def take(t):
    return sk.agents.RulePolicy(lambda ctx: {"action": "fish", "tons": t}, name=f"take{t}")


def test_commons_stock_marks_collapses_at_the_stock_left():
    runs = {"sustainable": [sk.scenarios.commons(policy=take(10), discussion=False, seed=s,
                                                 progress=False) for s in range(2)],
            "greedy": sk.scenarios.commons(policy=take(30), discussion=False, progress=False)}
    fig = sk.plot.commons_stock(runs)
    names = [t.name for t in fig.data]
    assert names == ["sustainable", "sustainable", "greedy", "collapse"]
    assert [t.showlegend for t in fig.data[:3]] == [True, False, True]
    assert list(fig.data[0].y) == [100.0] * 13
    assert list(fig.data[2].x) == [0, 1] and list(fig.data[2].y) == [100.0, 0.0]
    assert list(fig.data[-1].x) == [1] and "collapse in month 1" in fig.data[-1].text[0]
    with pytest.raises(ValueError, match="commons run"):
        sk.plot.commons_stock([sk.dynamics.voter(None, np.zeros(3), steps=1)])
    with pytest.raises(ValueError, match="none may be empty"):
        sk.plot.commons_stock({"a": []})


def test_survival_curves_with_bands():
    table = pd.DataFrame({"condition": ["a"] * 4 + ["b"] * 2,
                          "survival_time": [1, 3, 12, 12, 2, 2],
                          "collapsed": [True, True, False, False, True, True]})
    fig = sk.plot.survival(table)
    assert [t.name for t in fig.data] == ["a (95% interval)", "a", "b (95% interval)", "b"]
    assert list(fig.data[1].y) == [1.0, 0.75, 0.5, 0.5]
    assert list(fig.data[3].y) == [1.0, 0.0]
    curve = sk.scenarios.survival_curve(table, by="condition")
    assert len(sk.plot.survival(curve, by="condition").data) == 4
    with pytest.raises(TypeError, match="survival_curve"):
        sk.plot.survival([1, 2])


def test_generations_means_and_log_axis():
    give = [sk.scenarios.donor_game(policy=sk.env.DonorGame.rule(100), agents=4, rounds=6,
                                    generations=2, seed=s, progress=False) for s in range(2)]
    keep = sk.scenarios.donor_game(policy=sk.env.DonorGame.rule(0), agents=4, rounds=6,
                                   generations=2, progress=False)
    fig = sk.plot.generations({"give all": give, "keep": [sk.scenarios.donor_summary(keep)]})
    assert [t.name for t in fig.data if t.showlegend is not False] == ["give all", "keep"]
    assert list(fig.data[2].y) == [640.0, 640.0] and list(fig.data[3].y) == [10.0, 10.0]
    assert fig.layout.yaxis.type == "log"          # 10 to 640: a factor of 64
    assert sk.plot.generations([keep]).layout.yaxis.type != "log"


def test_conditional_cooperation_bars_with_intervals():
    game = sk.env.RepeatedPD((3, 0, 5, 1), rounds=3)
    run = sk.scenarios.prisoners_dilemma(policy=game.rule("alld"), agents=2, steps=3,
                                         progress=False)
    humans = sk.datasets.load("ipd_nay_vorobeychik_2016").head(5000)
    fig = sk.plot.conditional_cooperation(sk.validation.compare_cooperation(humans=humans,
                                                                            agents=run))
    assert [t.name for t in fig.data] == ["humans", "agents"]
    assert list(fig.data[0].x) == ["overall", "first round", "P(C|CC)", "P(C|CD)", "P(C|DC)",
                                   "P(C|DD)"]
    agents = fig.data[1]
    assert list(agents.y)[:2] == [0.0, 0.0] and list(agents.text)[2] == "n/a"
    assert fig.layout.barmode == "group"
    with pytest.raises(ValueError, match="compare_cooperation"):
        sk.plot.conditional_cooperation(pd.DataFrame({"x": [1]}))
