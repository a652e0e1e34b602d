import math
import warnings

import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.population import Population
from socialkit.population.weighting import rake_weights


@pytest.fixture(scope="module")
def anes_acs():
    return sk.datasets.acs_recode(sk.datasets.load("anes1996"))


@pytest.fixture(scope="module")
def acs():
    return sk.datasets.acs_targets(["age_group", "education", "education4", "income_group",
                                    ("age_group", "education4")])


def _weighted_shares(df, col, w):
    s = pd.Series(w, index=df.index).groupby(df[col], observed=True).sum()
    return s / s.sum()


def test_hand_computed_two_by_two():
    # seed cells (f,young)=1, (f,old)=2, (m,young)=3, (m,old)=4 rows of weight 1; targets sex 5/5,
    # age 6/4 (counts). IPF keeps the seed's odds ratio 1*4/(2*3) = 2/3, so the raked (f,young)
    # cell t solves t(t-1) / ((5-t)(6-t)) = 2/3, i.e. t^2 + 19t - 60 = 0.
    cells = [("f", "y")] * 1 + [("f", "o")] * 2 + [("m", "y")] * 3 + [("m", "o")] * 4
    df = pd.DataFrame(cells, columns=["sex", "age"])
    pop = Population.from_survey(df)
    raked, report = pop.rake({"sex": {"f": 5, "m": 5}, "age": {"y": 6, "o": 4}}, counts=True)
    t = (-19 + math.sqrt(19 ** 2 + 4 * 60)) / 2
    expected = {("f", "y"): t, ("f", "o"): 5 - t, ("m", "y"): 6 - t, ("m", "o"): t - 1}
    got = raked.df.groupby(["sex", "age"])["weight"].sum()
    for cell, value in expected.items():
        assert got[cell] == pytest.approx(value, abs=1e-9)
    assert report.converged and report.max_error < 1e-10
    assert float(raked.df["weight"].sum()) == pytest.approx(10.0)
    # every row of a cell gets the same weight
    assert raked.df.groupby(["sex", "age"])["weight"].nunique().eq(1).all()


def test_targets_reproduced_to_1e6(anes_acs, acs):
    pop = Population.from_survey(anes_acs)
    targets = {k: acs[k] for k in ("age_group", "education", "income_group")}
    raked, report = pop.rake(targets)
    w = raked.df["weight"].to_numpy()
    for col, target in targets.items():
        got = _weighted_shares(raked.df, col, w).reindex(target.index)
        assert np.abs(got - target).max() < 1e-6, col
    assert report.converged and report.max_error < 1e-6
    assert float(w.sum()) == pytest.approx(944.0)  # shares keep the total weight
    assert report.history[-1] < report.history[0]
    assert set(report.margins.columns) == {"variable", "category", "target", "before", "after"}
    assert 1 < report.deff < 5 and report.ess == pytest.approx(944 / report.deff)
    assert "converged after" in report._repr_html_()


def test_joint_margin(anes_acs, acs):
    pop = Population.from_survey(anes_acs)
    joint = acs[("age_group", "education4")]
    raked, report = pop.rake({("age_group", "education4"): joint})
    got = raked.df.groupby(["age_group", "education4"], observed=True)["weight"].sum()
    got = got / got.sum()
    assert np.abs(got.reindex(joint.index) - joint).max() < 1e-6
    # the joint margin implies both one-way margins
    assert np.abs(_weighted_shares(raked.df, "education4", raked.df["weight"].to_numpy())
                  - acs["education4"]).max() < 1e-6
    # a dict keyed by tuples works too
    as_dict = {k: float(v) for k, v in joint.items()}
    raked2, _ = pop.rake({("age_group", "education4"): as_dict})
    np.testing.assert_allclose(raked2.df["weight"], raked.df["weight"], rtol=1e-9)


def test_empty_joint_cells_are_named(anes_acs):
    joint = sk.datasets.acs_targets([("age_group", "education")])
    with pytest.raises(ValueError, match=r"target category \('18-24', 'Less than 9th grade'\) of "
                                         r"'age_group × education' is absent from the data"):
        Population.from_survey(anes_acs).rake(joint)


def test_agrees_with_ipfn(anes_acs, acs):
    ipfn = pytest.importorskip("ipfn.ipfn")
    cols = ["age_group", "education", "income_group"]
    pop = Population.from_survey(anes_acs)
    targets = {c: acs[c] * 944 for c in cols}
    raked, _ = pop.rake(targets, tol=1e-12, counts=True)
    seed = np.zeros([len(acs[c]) for c in cols])
    codes = [anes_acs[c].cat.codes.to_numpy() for c in cols]
    np.add.at(seed, tuple(codes), 1.0)
    fit = ipfn.ipfn(seed.copy(), [targets[c].to_numpy() for c in cols], [[0], [1], [2]],
                    convergence_rate=1e-14, max_iteration=5000).iteration()
    ours = np.zeros_like(seed)
    np.add.at(ours, tuple(codes), raked.df["weight"].to_numpy())
    np.testing.assert_allclose(ours, fit, atol=1e-6)


def test_codebook_labels_rake_directly(anes):
    pop = Population.from_survey(anes, codebook="anes1996")
    target = sk.datasets.acs_targets(["education"])["education"]
    raked, report = pop.rake({"educ": target})
    assert report.converged
    got = _weighted_shares(raked.df, "educ", raked.df["weight"].to_numpy())
    assert np.abs(got.reindex(target.index) - target).max() < 1e-9
    assert raked.codebook is pop.codebook


def test_counts_set_the_total_and_mixed_shares_follow():
    df = pd.DataFrame({"a": list("xxyy"), "b": list("pqpq")})
    raked, _ = Population.from_survey(df).rake({"a": {"x": 30, "y": 70}, "b": {"p": .5, "q": .5}},
                                                 counts=True)
    assert float(raked.df["weight"].sum()) == pytest.approx(100.0)


def test_bounds_trim_weights(anes_acs, acs):
    pop = Population.from_survey(anes_acs)
    targets = {c: acs[c] for c in ("age_group", "income_group")}
    free, _ = pop.rake(targets)
    w = free.df["weight"] / free.df["weight"].mean()
    assert w.max() > 2.5
    trimmed, report = pop.rake(targets, bounds=(0.6, 2.3))
    assert report.converged
    w = trimmed.df["weight"] / trimmed.df["weight"].mean()
    assert w.max() <= 2.3 + 1e-9 and w.min() >= 0.6 - 1e-9
    assert report.weight_ratio[1] <= 2.3 + 1e-9


def test_unreachable_bounds_warn_and_report(anes_acs, acs):
    pop = Population.from_survey(anes_acs)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        _, report = pop.rake({"education": acs["education"]}, bounds=(0.9, 1.1), max_iter=50)
    assert not report.converged and report.iterations == 50 and report.max_error > 1e-3
    assert "did not converge" in report._repr_html_()


def test_rake_does_not_touch_the_source(anes_acs, acs):
    pop = Population.from_survey(anes_acs)
    before = pop.df.copy()
    pop.rake({"education": acs["education"]})
    pd.testing.assert_frame_equal(pop.df, before)


def test_zero_target_zeroes_rows():
    df = pd.DataFrame({"a": list("xxy")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raked, report = Population.from_survey(df).rake({"a": {"x": 1.0, "y": 0.0}})
    assert raked.df["weight"].tolist() == [1.5, 1.5, 0.0] and report.converged


# ---- bad input: each names the column or category -----------------------------------------
@pytest.fixture()
def small():
    return Population.from_survey(pd.DataFrame({"sex": list("ffmm"), "age": [20.5, 30, 40, 50],
                                                "grp": [1, 2, 1, 2]}))


@pytest.mark.parametrize(
    ("targets", "error", "message"),
    [
        ({"nope": {"a": 1}}, ValueError, "target column 'nope' is not in the population"),
        ({"sex": {"f": 1.0}}, ValueError, "data category 'm' of column 'sex' is absent"),
        ({"sex": {"f": 0.4, "m": 0.4, "x": 0.2}}, ValueError,
         "target category 'x' of 'sex' is absent from the data"),
        ({"sex": {"f": 10, "m": 10}, "grp": {1: 10, 2: 20}}, ValueError,
         "targets disagree on the total: 'sex' sums to 20 but 'grp' sums to 30"),
        ({"age": {20.5: 1, 30: 1, 40: 1, 50: 1}}, ValueError, "column 'age' is continuous"),
        ({"sex": {"f": -0.5, "m": 1.5}}, ValueError, r"targets for 'sex' must be finite and "
                                                     r"non-negative; bad categories: \['f'\]"),
        ({"sex": {"f": float("nan"), "m": 1}}, ValueError, "bad categories: \\['f'\\]"),
        ({"sex": {"f": 0, "m": 0}}, ValueError, "targets for 'sex' sum to zero"),
        ({"sex": {}}, ValueError, "targets for 'sex' are empty"),
        ({"sex": [0.5, 0.5]}, TypeError, "targets for 'sex' must be a dict or a pandas Series"),
        ({}, ValueError, "targets must be a non-empty dict"),
        ({("sex", "grp"): pd.Series([1.0], index=["f"])}, ValueError,
         "joint margin 'sex × grp' need a 2-level index"),
        ({("sex", "grp"): {("f", 1): .25, ("f", 2): .25, ("m", 1): .5}}, ValueError,
         r"data category \('m', 2\) of columns \('sex', 'grp'\) is absent"),
        ({"sex": pd.Series([0.5, 0.5], index=["f", "f"])}, ValueError, "repeat categories"),
    ],
)
def test_bad_targets(small, targets, error, message):
    with pytest.raises(error, match=message):
        small.rake(targets, counts="disagree" in message)


@pytest.mark.parametrize("total", [0.99, 1.2])
def test_shares_that_do_not_sum_to_one_are_refused(small, total):
    targets = {"sex": {"f": total / 2, "m": total / 2}}
    with pytest.raises(ValueError, match=rf"targets for 'sex' sum to {total:g}, not 1.*counts=True"):
        small.rake(targets)
    raked, _ = small.rake(targets, counts=True)  # explicit counts: the total is theirs
    assert float(raked.df["weight"].sum()) == pytest.approx(total)
    with pytest.raises(TypeError, match="counts must be True or False"):
        small.rake(targets, counts="yes")


def test_missing_values_in_a_raking_column():
    pop = Population.from_survey(pd.DataFrame({"sex": ["f", None, "m"]}))
    with pytest.raises(ValueError, match="column 'sex' has 1 missing value"):
        pop.rake({"sex": {"f": .5, "m": .5}})


def test_type_mismatch_names_the_category():
    pop = Population.from_survey(pd.DataFrame({"educ": [1.0, 2.0]}))
    with pytest.raises(ValueError, match=r"data category 1.0 of column 'educ' is absent from the "
                                         r"targets \(target categories: \['1', '2'\]\)"):
        pop.rake({"educ": {"1": .5, "2": .5}})
    raked, _ = pop.rake({"educ": {1: .25, 2: .75}})  # ints match float codes
    assert raked.df["weight"].tolist() == [0.5, 1.5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"bounds": (2, 3)}, "0 <= low <= 1 <= high"), ({"bounds": "wide"}, "bounds must be"),
     ({"max_iter": 0}, "max_iter must be a positive integer"), ({"tol": -1}, "tol must be")],
)
def test_bad_options(small, kwargs, message):
    with pytest.raises(ValueError, match=message):
        small.rake({"sex": {"f": .5, "m": .5}}, **kwargs)


@pytest.mark.parametrize(
    ("weights", "message"),
    [([1.0, np.nan], "1 NaN or infinite"), ([1.0, -2.0], "1 negative value"),
     ([0.0, 0.0], "sums to zero")],
)
def test_bad_weights_in_a_population(weights, message):
    df = pd.DataFrame({"agent": [0, 1], "weight": weights, "sex": ["f", "m"]})
    with pytest.raises(ValueError, match=f"weight column 'weight' .*{message}"):
        Population(df)


def test_empty_inputs():
    with pytest.raises(ValueError, match="DataFrame is empty"):
        Population(pd.DataFrame({"agent": [], "weight": []}))
    with pytest.raises(ValueError, match="cannot rake an empty population"):
        rake_weights(pd.DataFrame({"sex": []}), {"sex": {"f": 1}})
    with pytest.raises(ValueError, match="survey DataFrame is empty"):
        Population.from_survey(pd.DataFrame({"sex": []}))


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=30, deadline=None)
@hypothesis.given(seed=st.integers(0, 10_000), ka=st.integers(2, 5), kb=st.integers(2, 4),
                  kc=st.integers(2, 3))
def test_random_full_tables_reach_random_targets(seed, ka, kb, kc):
    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product([range(ka), range(kb), range(kc)]).to_frame(index=False)
    df = grid.loc[grid.index.repeat(rng.integers(1, 4, len(grid)))].reset_index(drop=True)
    df.columns = ["a", "b", "c"]
    w0 = rng.uniform(0.2, 3, len(df))
    targets = {col: pd.Series(rng.dirichlet(np.ones(k) * 2) + 0.01, index=range(k)) * 500
               for col, k in (("a", ka), ("b", kb), ("c", kc))}
    targets = {col: t * 500 / t.sum() for col, t in targets.items()}  # counts agreeing on 500
    w, report = rake_weights(df, targets, w0, counts=True)
    assert report.converged and w.sum() == pytest.approx(500)
    for col, t in targets.items():
        got = pd.Series(w).groupby(df[col]).sum()
        assert np.abs(got / got.sum() - t / t.sum()).max() < 1e-6
