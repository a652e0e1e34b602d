import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import socialkit as sk
from socialkit.population import FidelityReport, Population


@pytest.fixture(scope="module")
def anes_pop(anes):
    return Population.from_survey(sk.datasets.acs_recode(anes), codebook=False)


def test_against_targets_hand_example():
    pop = Population.from_survey(pd.DataFrame({"sex": list("fmmm"), "g": [1, 1, 2, 2]}))
    rep = pop.fidelity({"sex": {"f": 0.5, "m": 0.5}, "g": {1: 30, 2: 70, 3: 0}})
    assert isinstance(rep, FidelityReport) and rep.against == "targets"
    assert rep.table.loc["sex", "tvd"] == pytest.approx(0.25)
    assert rep.table.loc["sex", "max_gap"] == pytest.approx(0.25)
    assert rep.table.loc["g", "tvd"] == pytest.approx(0.2)
    assert rep.table.loc["g", "worst_category"] in {"1", "2"}
    cells = rep.cells.set_index(["attribute", "category"])
    assert cells.loc[("g", "3"), "population"] == 0 and cells.loc[("g", "3"), "reference"] == 0
    assert cells.loc[("sex", "f"), "difference"] == pytest.approx(-0.25)
    assert rep.correlation is None and np.isnan(rep.max_corr_diff)
    assert (rep.n, rep.ess, rep.deff) == (4, 4.0, 1.0)


def test_kish_effective_size_and_design_effect():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    df = pd.DataFrame({"agent": range(4), "weight": w, "x": list("abab")})
    rep = Population(df).fidelity({"x": {"a": .5, "b": .5}})
    assert rep.ess == pytest.approx(w.sum() ** 2 / (w ** 2).sum())
    assert rep.deff == pytest.approx(4 / rep.ess)
    assert rep.deff == pytest.approx(1 + w.var() / w.mean() ** 2)  # Kish: 1 + CV^2


def test_raking_closes_the_gap(anes_pop):
    targets = sk.datasets.acs_targets(["age_group", "education", ("age_group", "education4")])
    before = anes_pop.fidelity(targets)
    raked, _ = anes_pop.rake({"age_group": targets["age_group"],
                              "education": targets["education"]})
    after = raked.fidelity(targets)
    assert before.table.loc["education", "tvd"] > 0.05
    assert after.table.loc["education", "tvd"] < 1e-8
    assert after.table.loc["age_group", "tvd"] < 1e-8
    assert 0 < after.table.loc["age_group × education4", "tvd"] < 0.2  # not raked jointly
    assert after.deff > 1 and after.ess < len(raked)


def test_against_reference(anes_pop):
    same = anes_pop.fidelity(anes_pop)
    assert same.against == "reference" and same.max_tvd == 0 and same.max_corr_diff < 1e-12
    assert {"popul", "age", "PID", "education"} <= set(same.table.index)
    assert same.table.loc["age", "kind"] == "continuous"
    assert same.table.loc["PID", "kind"] == "categorical"
    corr = same.correlation
    assert set(corr) == {"population", "reference", "difference"}
    assert corr["population"].loc["PID", "vote"] > 0.6
    sub = anes_pop.fidelity(anes_pop.df, columns=["PID", "vote"])  # a DataFrame reference
    assert list(sub.table.index) == ["PID", "vote"] and sub.max_tvd == 0
    young = Population(anes_pop.df[anes_pop.df["age"] < 40].reset_index(drop=True))
    gap = young.fidelity(anes_pop)
    assert gap.table.loc["age", "tvd"] > 0.4 and gap.table.loc["age_group", "tvd"] > 0.4


def test_presentation(anes_pop, tmp_path):
    rep = anes_pop.fidelity(anes_pop.synthesize(2000, seed=0))
    fig = rep.figure()
    assert isinstance(fig, go.Figure)
    assert [t.type for t in fig.data] == ["bar", "bar", "heatmap"]
    html = rep._repr_html_()
    assert "Population fidelity" in html and "Kish effective size" in html
    assert "cdn.plot.ly" not in html  # works offline: the figure is displayed by plotly itself
    shown = []
    import IPython.display

    orig = IPython.display.display
    IPython.display.display = lambda obj, *a, **k: shown.append(obj)
    try:
        rep._ipython_display_()
    finally:
        IPython.display.display = orig
    assert isinstance(shown[1], go.Figure)
    assert "max_tvd" in repr(rep) and set(rep.summary()) == {"n", "ess", "deff", "max_tvd",
                                                              "max_corr_diff"}
    page = rep.to_html(tmp_path / "fidelity.html")
    assert page.exists() and page.read_text().count("<h2>") >= 3
    target_fig = anes_pop.fidelity(sk.datasets.acs_targets(["education"])).figure()
    assert [t.type for t in target_fig.data] == ["bar", "bar", "bar"]
    public = sk.plot.population_fidelity(rep)  # what rep.figure() draws, through the public name
    assert isinstance(public, go.Figure) and public.to_dict() == rep.figure().to_dict()


def test_plotly_stays_out_of_the_data_layer():
    import subprocess
    import sys

    code = ("import sys, socialkit as sk; pop = sk.Population.from_survey("
            "sk.datasets.load('anes1996')); pop.rake({'vote': {'Clinton': .5, 'Dole': .5}}); "
            "pop.fidelity(pop); pop.synthesize(10, seed=0); pop.personas(); "
            "print('plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bad_fidelity_input(anes_pop):
    with pytest.raises(ValueError, match="target column 'nope' is not in the population"):
        anes_pop.fidelity({"nope": {"a": 1}})
    with pytest.raises(ValueError, match="column 'age' is continuous"):
        anes_pop.fidelity({"age": {30: 1}})
    with pytest.raises(TypeError, match="got list"):
        anes_pop.fidelity([1, 2])
    with pytest.raises(ValueError, match="column 'zzz' is not in the population"):
        anes_pop.fidelity(anes_pop, columns=["zzz"])
    with pytest.raises(ValueError, match="share no attribute column"):
        anes_pop.fidelity(pd.DataFrame({"other": [1]}))
    with pytest.raises(ValueError, match="reference DataFrame is empty"):
        anes_pop.fidelity(pd.DataFrame())
