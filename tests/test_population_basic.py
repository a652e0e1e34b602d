import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.population import Population


def test_from_survey_one_agent_per_row(anes):
    pop = Population.from_survey(anes)
    assert len(pop) == 944
    assert pop.df["agent"].tolist() == list(range(944))
    assert (pop.df["weight"] == 1).all()
    assert pop.df["source_row"].tolist() == list(range(944))
    assert pop.column("selfLR").index.name == "agent"
    assert "Kish effective size 944.0" in pop._repr_html_()


def test_weighted_resample_is_seeded_and_proportional():
    df = pd.DataFrame({"x": ["a", "b"], "w": [3.0, 1.0]})
    a = Population.from_survey(df, weight="w", n=20000, seed=5)
    b = Population.from_survey(df, weight="w", n=20000, seed=5)
    pd.testing.assert_frame_equal(a.df, b.df)
    share = (a.df["x"] == "a").mean()
    assert abs(share - 0.75) < 0.015  # binomial sd 0.003
    assert set(a.df["source_row"]) == {0, 1}
    assert "w" not in a.df.columns


@pytest.mark.parametrize(
    ("weights", "message"),
    [([1.0, np.nan], "1 NaN or infinite"), ([1.0, -1.0], "1 negative"), ([0.0, 0.0], "sums to zero")],
)
def test_bad_weights(weights, message):
    df = pd.DataFrame({"x": [1, 2], "w": weights})
    with pytest.raises(ValueError, match=f"weight column 'w' has {message}|weight column 'w' {message}"):
        Population.from_survey(df, weight="w")


def test_bad_input():
    with pytest.raises(ValueError, match="empty"):
        Population.from_survey(pd.DataFrame())
    with pytest.raises(ValueError, match="weight column 'wt' not in the survey"):
        Population.from_survey(pd.DataFrame({"x": [1]}), weight="wt")
    with pytest.raises(TypeError, match="not numeric"):
        Population.from_survey(pd.DataFrame({"x": [1], "w": ["a"]}), weight="w")
    with pytest.raises(ValueError, match="positive integer"):
        Population.from_survey(pd.DataFrame({"x": [1]}), n=0)
    with pytest.raises(TypeError, match="DataFrame"):
        Population.from_survey([1, 2])
    with pytest.raises(ValueError, match="duplicate ids"):
        Population(pd.DataFrame({"agent": [0, 0], "weight": [1.0, 1.0]}))
    with pytest.raises(ValueError, match="column 'nope' not in the population"):
        Population.from_survey(pd.DataFrame({"x": [1]})).column("nope")


def test_network_nodes_carry_population_attributes(anes):
    pop = sk.Population.from_survey(anes, codebook=False)
    G = sk.network.barabasi_albert(m=2, seed=0, population=pop)
    assert sorted(G) == pop.df["agent"].tolist()
    assert G.nodes[5]["selfLR"] == anes.loc[5, "selfLR"]
    with pytest.raises(ValueError, match="disagrees"):
        sk.network.barabasi_albert(10, 2, population=pop)


# ---- nothing dropped silently (issue 13) ---------------------------------------------------
def test_own_weight_column_is_used_and_named():
    df = pd.DataFrame({"x": [1, 2, 3], "weight": [1.0, 2.0, 5.0]})
    pop = Population.from_survey(df)
    assert pop.df["weight"].tolist() == [1.0, 2.0, 5.0]
    assert "weights from column 'weight'" in repr(pop)
    assert "weights from column 'weight'" in pop._repr_html_()
    assert (Population.from_survey(df, weight=False).df["weight"] == 1).all()
    assert "unit weights" in repr(Population.from_survey(df[["x"]]))


def test_own_agent_ids_are_kept_when_valid():
    df = pd.DataFrame({"agent": [10, 20, 30], "x": [1, 2, 3]})
    assert Population.from_survey(df).df["agent"].tolist() == [10, 20, 30]
    floats = Population.from_survey(df.assign(agent=[10.0, 20.0, 30.0]))
    assert floats.df["agent"].dtype == np.int64
    resampled = Population.from_survey(df, n=5, seed=0)
    assert resampled.df["agent"].tolist() == list(range(5))
    assert set(resampled.df["source_agent"]) <= {10, 20, 30}


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [(["a", "b", "c"], TypeError, r"column 'agent' must hold integer agent ids, got dtype .*\['a'"),
     ([1, 1, 2], ValueError, r"column 'agent' has duplicate ids, e\.g\. \[1\]"),
     ([1.5, 2.0, 3.0], ValueError, r"column 'agent' must hold integer agent ids; 1 are missing or "
                                   r"fractional"),
     ([True, False, True], TypeError, "got dtype bool")],
)
def test_bad_agent_ids_are_refused_with_the_way_out(ids, error, message):
    df = pd.DataFrame({"agent": ids, "x": [1, 2, 3]})
    with pytest.raises(error, match=message) as err:
        Population.from_survey(df)
    assert "rename" in str(err.value).lower()
    with pytest.raises(error, match=message):
        Population(df.assign(weight=1.0))


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [([True, False], TypeError, "weight column 'w' is boolean"),
     (["1", "2"], TypeError, "weight column 'w' is not numeric")],
)
def test_boolean_and_text_weights_are_refused(weights, error, message):
    df = pd.DataFrame({"x": [1, 2], "w": weights})
    with pytest.raises(error, match=message):
        Population.from_survey(df, weight="w")
    with pytest.raises(error, match=message.replace("'w'", "'weight'")):
        Population.from_survey(df.rename(columns={"w": "weight"}))


def test_a_bundled_survey_brings_its_codebook(anes):
    pop = Population.from_survey(sk.datasets.load("anes1996"))
    assert pop.codebook is not None and pop.codebook.name == "anes1996"
    assert "a strong Republican" in pop.personas()[0].text
    raw = Population.from_survey(sk.datasets.load("anes1996"), codebook=False)
    assert raw.codebook is None and raw.df["PID"].iloc[0] == 6.0
