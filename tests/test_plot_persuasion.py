"""Figures of the spreading-ideas scenarios and the readable conversation view."""

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import ScriptedPolicy


def test_odds_ratios_figure_marks_estimates_references_and_failures():
    t = pd.DataFrame({"treatment": ["ai", "ai_personalized", "human_personalized"],
                      "odds_ratio": [1.3, 2.0, np.nan], "ci_low": [0.9, 1.1, np.nan],
                      "ci_high": [1.9, 3.5, np.nan], "note": [None, None, "the fit failed"]})
    fig = sk.plot.odds_ratios(t, reference={"ai_personalized": 1.81})
    est, ref = fig.data
    assert list(est.y) == ["ai", "ai_personalized"] and list(ref.x) == [1.81]
    assert list(est.error_x.array) == pytest.approx([0.6, 1.5])
    assert "not estimated: the fit failed" in fig.layout.annotations[0].text
    assert fig.layout.xaxis.type == "log"
    huge = t.assign(odds_ratio=[4e45, 2.0, np.nan], ci_high=[9e50, 3.5, np.nan])
    assert sk.plot.odds_ratios(huge).layout.xaxis.range[1] == pytest.approx(4)  # axis cut at 1e4
    sk.plot.odds_ratios(huge).to_json()
    stacked = pd.concat([t.assign(source="seed 1"), t.assign(source="seed 2")])
    assert len(sk.plot.odds_ratios(stacked).data[0].y) == 4
    with pytest.raises(ValueError, match=r"lacks the columns \['ci_low', 'ci_high'\]"):
        sk.plot.odds_ratios(t[["treatment", "odds_ratio"]])
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        sk.plot.odds_ratios([1, 2])


def test_ranking_and_awareness_figures():
    df = pd.DataFrame({"dim": list("aabbcc"), "ok": [1, 1, 1, 0, 0, 0]})
    r = sk.validation.shares_by(df, "dim", "ok")
    fig = sk.plot.ranking(r, "dim", highlight=["c"], highlight_name="paper")
    assert [d.name for d in fig.data] == ["other", "paper"]
    assert list(fig.layout.yaxis.categoryarray) == ["c", "b", "a"]
    with pytest.raises(ValueError, match="lacks the columns"):
        sk.plot.ranking(r, "dimension")
    t = pd.DataFrame({"day": [0, 1, 2] * 2, "seed": [1] * 3 + [2] * 3,
                      "share_informed": [0.25, 0.5, 0.75, 0.25, 0.25, 0.5],
                      "share_aware": [np.nan, 0.5, 1.0, np.nan, 0.25, 0.5],
                      "share_hallucinated": [np.nan, 0.0, 0.0, np.nan, 0.0, 0.25]})
    fig = sk.plot.awareness(t, {"days": [0, 2], "aware": [0.04, 0.52]})
    lines = [d for d in fig.data if d.mode == "lines+markers"]
    assert [d.name for d in lines] == ["informed (heard of it)", "say they know",
                                       "hallucinated claims"]
    assert list(lines[1].y) == pytest.approx([0.375, 0.75])
    assert "mean of 2 runs" in fig.layout.title.text
    assert sum(d.fill == "toself" for d in fig.data) == 3
    with pytest.raises(ValueError, match="lacks the columns"):
        sk.plot.awareness(t.drop(columns="share_aware"))


def test_conversation_view_of_a_debate():
    def debater(agent, obs, state, menu):
        if menu is None:
            return {}
        if "agreement" in menu.actions:
            return {"action": "agreement", "answer": 3}
        return {"action": "say", "text": "Pennies <matter> & more."}

    env = sk.env.Debate([{"members": [0, 1], "roles": ["participant", "opponent"],
                          "sides": ["con", "pro"], "proposition": "Keep the penny.",
                          "info": {"condition": "ai", "profile": "age: 40"}}],
                        phases=sk.env.DEBATE_PHASES[:1],
                        ratings=[sk.env.Rating("agreement", "{proposition}?",
                                               sk.agents.Number(1, 5, integer=True))])
    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(2))
    run = sk.Simulation(pop, env=env, policy=ScriptedPolicy(debater), progress=False).run(1)
    view = sk.plot.conversation(run, 0)
    text = str(view)
    assert text.splitlines()[1] == "Participant: Pennies <matter> & more."
    assert text.splitlines()[-1] == ('Proposition: "Keep the penny."; participant: con, '
                                     "opponent: pro; condition: ai")
    page = view._repr_html_()
    assert "Pennies &lt;matter&gt; &amp; more." in page and "age: 40" not in page
    assert page.count("turn ") == 2
    with pytest.raises(ValueError, match="no conversation 3 in this run"):
        sk.plot.conversation(run, 3)
