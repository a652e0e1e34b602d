import numpy as np
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
