import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.run import AGGREGATE, Run


def _traj():
    return pd.DataFrame({"step": np.repeat([0, 1, 2], 3), "agent": np.tile([0, 1, 2], 3),
                         "variable": "opinion",
                         "value": [0.0, 0.5, 1.0, 0.2, 0.5, 0.8, 0.4, 0.5, 0.6]})


def test_run_views():
    run = Run(_traj(), params={"eps": 0.2}, seed=3, model="toy")
    assert run.variables == ["opinion"]
    assert run.n_agents == 3
    assert run.steps.tolist() == [0, 1, 2]
    assert run.final().tolist() == [0.4, 0.5, 0.6]
    s = run.summary()
    assert s["mean"].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert s["sd"].iloc[0] == pytest.approx(np.std([0, 0.5, 1.0]))
    assert run.wide().shape == (3, 3)
    assert run.events.empty and list(run.events.columns) == ["step", "agent", "action", "target",
                                                             "text"]
    assert "socialkit" in run.provenance and "timestamp" in run.provenance
    html = run._repr_html_()
    assert "toy" in html and "eps" in html
    assert "Run(model='toy'" in repr(run)


def test_run_roundtrip_parquet_exact(tmp_path):
    events = pd.DataFrame({"step": [1, 2], "agent": [0, 1], "action": ["post", "like"],
                           "target": [-1, 0], "text": ["hello, world", ""]})
    run = Run(_traj(), events, params={"eps": 0.2, "grid": [1, 2], "nested": {"a": None}},
              seed=7, model="toy", provenance={"model_id": "x", "n": 3})
    folder = run.to_parquet(tmp_path / "r")
    back = Run.read_parquet(folder)
    assert back == run
    pd.testing.assert_frame_equal(back.trajectory, run.trajectory)
    pd.testing.assert_frame_equal(back.events, run.events)
    assert back.params == run.params and back.seed == 7 and back.provenance == run.provenance


def test_run_roundtrip_of_a_real_engine(tmp_path):
    G = sk.network.barabasi_albert(50, 2, seed=0)
    run = sk.dynamics.deffuant(G, [i / 49 for i in range(50)], steps=3, seed=0)
    assert Run.read_parquet(run.to_parquet(tmp_path)) == run


def test_run_summary_only():
    t = pd.DataFrame({"step": [0, 0, 1, 1], "agent": AGGREGATE,
                      "variable": ["opinion.mean", "opinion.sd"] * 2, "value": [0.5, 0.1, 0.5, 0.05]})
    run = Run(t)
    assert run.variables == []
    assert run.summary("opinion")["sd"].tolist() == [0.1, 0.05]
    with pytest.raises(ValueError, match="summary only"):
        run.final("opinion")
    fig = run.plot("opinion")
    assert len(fig.data) >= 1


def test_run_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['value'\]"):
        Run(pd.DataFrame({"step": [0], "agent": [0], "variable": ["x"]}))
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        Run([1, 2, 3])
    with pytest.raises(ValueError, match="wrong type"):
        Run(pd.DataFrame({"step": ["a"], "agent": [0], "variable": ["x"], "value": [1.0]}))
    run = Run(_traj())
    with pytest.raises(ValueError, match="variable 'nope' not in this run"):
        run.final("nope")
    with pytest.raises(ValueError, match="no socialkit run"):
        Run.read_parquet(tmp_path)
    two = pd.concat([_traj(), _traj().assign(variable="other")])
    with pytest.raises(ValueError, match="several variables"):
        Run(two).final()
