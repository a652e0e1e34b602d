import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.population import Population

# Stated tolerance: at n = 100,000 every pairwise (weighted Pearson) correlation of the synthetic
# population is within 0.03 of the source's, for both methods.
CORR_TOL = 0.03


@pytest.fixture(scope="module")
def source(anes):
    acs = sk.datasets.acs_targets(["age_group", "education"])
    pop = Population.from_survey(sk.datasets.acs_recode(anes)[list(anes.columns) + ["age_group"]],
                                 codebook=False)
    raked, _ = pop.rake({"age_group": acs["age_group"]})
    return raked  # non-uniform weights: synthesis must follow them


@pytest.fixture(scope="module")
def labelled(anes):
    return Population.from_survey(anes, codebook="anes1996")


@pytest.mark.parametrize("method", ["resample", "copula"])
def test_keeps_pairwise_correlations_at_100k(source, method):
    synth = source.synthesize(100_000, seed=11, method=method)
    assert len(synth) == 100_000 and (synth.df["weight"] == 1).all()
    assert synth.df["agent"].tolist()[:3] == [0, 1, 2]
    rep = synth.fidelity(source)
    assert rep.max_corr_diff < CORR_TOL, rep.correlation["difference"].round(3)
    assert rep.table["tvd"].max() < 0.05
    # the strongest link in ANES 1996 (party ID and vote, r ~ 0.7) survives
    r = synth.df[["PID", "vote"]].corr().iloc[0, 1]
    assert r > 0.6


def test_not_independent_marginals(source):
    synth = source.synthesize(20_000, seed=3, method="copula")
    shuffled = synth.df.copy()
    rng = np.random.default_rng(0)
    for c in ("PID", "vote"):
        shuffled[c] = rng.permutation(shuffled[c].to_numpy())
    assert abs(shuffled[["PID", "vote"]].corr().iloc[0, 1]) < 0.05
    assert synth.df[["PID", "vote"]].corr().iloc[0, 1] > 0.6


@pytest.mark.parametrize("method", ["resample", "copula"])
def test_same_seed_same_population(source, method):
    a = source.synthesize(3000, seed=42, method=method)
    b = source.synthesize(3000, seed=42, method=method)
    c = source.synthesize(3000, seed=43, method=method)
    pd.testing.assert_frame_equal(a.df, b.df)
    assert not a.df.equals(c.df)


def test_resample_follows_weights_and_keeps_rows(source):
    synth = source.synthesize(50_000, seed=5, jitter=0)
    rows = synth.df["source_row"].to_numpy()
    expected = source.df["weight"].to_numpy() / source.df["weight"].sum()
    got = np.bincount(rows, minlength=len(source)) / len(rows)
    assert np.abs(got - expected).sum() / 2 < 0.06  # TVD over 944 rows at n = 50,000
    # without jitter every synthetic agent is an exact copy of its source row
    cols = [c for c in source.attributes if c != "source_row"]
    back = source.df.iloc[rows][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(synth.df[cols], back, check_dtype=False)


def test_resample_jitter_stays_in_range_and_integer(source):
    synth = source.synthesize(20_000, seed=2)
    age = synth.df["age"]
    assert age.min() >= 19 and age.max() <= 91 and (age == age.round()).all()
    moved = (synth.df["age"].to_numpy() != source.df["age"].to_numpy()[synth.df["source_row"]])
    assert 0.2 < moved.mean() < 0.95
    cats = synth.df["PID"].to_numpy() == source.df["PID"].to_numpy()[synth.df["source_row"]]
    assert cats.all()  # categorical columns are never jittered


def test_copula_keeps_labels_and_categories(labelled):
    synth = labelled.synthesize(10_000, seed=1, method="copula")
    assert synth.df["PID"].dtype == labelled.df["PID"].dtype
    assert set(synth.df["vote"]) == {"Clinton", "Dole"}
    assert synth.codebook is labelled.codebook
    assert "source_row" not in synth.df.columns
    share = (synth.df["vote"] == "Clinton").mean()
    assert abs(share - 551 / 944) < 0.02
    assert synth.personas()[0].text.startswith("I am ")


def test_copula_with_missing_values_and_strings():
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000)
    df = pd.DataFrame({"x": x, "g": np.where(x + rng.normal(size=2000) > 0, "hi", "lo"),
                       "k": np.where(rng.random(2000) < 0.1, np.nan, np.round(x * 2) % 5)})
    synth = Population.from_survey(df).synthesize(20_000, seed=0, method="copula")
    assert set(synth.df["g"].dropna()) == {"hi", "lo"}
    assert abs(synth.df["k"].isna().mean() - df["k"].isna().mean()) < 0.015
    src = pd.get_dummies(df["g"])["hi"].corr(df["x"])
    got = pd.get_dummies(synth.df["g"])["hi"].corr(synth.df["x"])
    assert abs(src - got) < 0.03


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": 0}, "n must be a positive integer"), ({"n": 2.5}, "n must be a positive integer"),
     ({"n": 10, "method": "magic"}, "unknown method 'magic'"),
     ({"n": 10, "jitter": -1}, "jitter must be a number >= 0")],
)
def test_bad_synthesis_options(source, kwargs, message):
    with pytest.raises(ValueError, match=message):
        source.synthesize(**kwargs)
