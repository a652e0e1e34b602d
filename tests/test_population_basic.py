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
    pop = sk.Population.from_survey(anes)
    G = sk.network.barabasi_albert(m=2, seed=0, population=pop)
    assert sorted(G) == pop.df["agent"].tolist()
    assert G.nodes[5]["selfLR"] == anes.loc[5, "selfLR"]
    with pytest.raises(ValueError, match="disagrees"):
        sk.network.barabasi_albert(10, 2, population=pop)
