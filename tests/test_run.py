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
                                                             "text", "data"]
    assert "socialkit" in run.provenance and "timestamp" in run.provenance
    html = run._repr_html_()
    assert "toy" in html and "eps" in html
    assert "Run(model='toy'" in repr(run)


def test_run_variable_descriptions_and_measures(tmp_path):
    traj = pd.concat([_traj(), pd.DataFrame({"step": [0, 1, 2], "agent": -1,
                                             "variable": "stock.value", "value": [9.0, 8, 7]})])
    info = {"opinion": {"kind": "continuous", "low": 0.0, "high": 1.0}}
    run = Run(traj, seed=1, model="toy", variables=info)
    assert run.variables == ["opinion"]
    assert run.variables.describe().loc["opinion", "high"] == 1.0
    assert run.measures()["stock.value"].tolist() == [9.0, 8.0, 7.0]
    assert run.summary("stock")["value"].tolist() == [9.0, 8.0, 7.0]
    with pytest.raises(ValueError, match=r"aggregates: \['stock'\]"):
        run.summary("nope")
    back = Run.read_parquet(run.to_parquet(tmp_path / "r"))
    assert back == run and back.variables.info == run.variables.info
    with pytest.raises(TypeError, match="variables must be a dict"):
        Run(_traj(), variables=["opinion"])


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


# ---- damaged runs and content equality (issue 13) ------------------------------------------
def _damage(folder, kind):
    if kind == "json":
        (folder / "run.json").write_text("{not json")
    elif kind == "keys":
        (folder / "run.json").write_text('{"model": "toy"}')
    elif kind == "list":
        (folder / "run.json").write_text("[1, 2]")
    elif kind == "format":
        (folder / "run.json").write_text((folder / "run.json").read_text().replace(
            '"format": 1', '"format": 99'))
    elif kind == "parquet":
        (folder / "trajectory.parquet").write_bytes(b"PAR1 garbage")
    elif kind == "no events":
        (folder / "events.parquet").unlink()
    elif kind == "columns":
        pd.DataFrame({"x": [1]}).to_parquet(folder / "trajectory.parquet")


@pytest.mark.parametrize(("kind", "message"), [
    ("json", "run.json is damaged"), ("keys", r"run.json lacks \['format', 'seed'"),
    ("list", "not a socialkit run description"), ("format", "format 99"),
    ("parquet", "trajectory.parquet is damaged"), ("no events", "events.parquet is missing"),
    ("columns", r"Run.trajectory lacks column"),
])
def test_read_parquet_names_the_damage(tmp_path, kind, message):
    folder = Run(_traj()).to_parquet(tmp_path / "r")
    _damage(folder, kind)
    with pytest.raises(ValueError, match=message) as err:
        Run.read_parquet(folder)
    assert str(folder) in str(err.value)


def test_read_parquet_on_a_file_or_nothing(tmp_path):
    folder = Run(_traj()).to_parquet(tmp_path / "r")
    with pytest.raises(ValueError, match="is a file, not a run folder"):
        Run.read_parquet(folder / "run.json")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Run.read_parquet(tmp_path / "nope")


def test_to_parquet_refuses_to_clobber(tmp_path):
    run = Run(_traj())
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(FileExistsError, match="is an existing file"):
        run.to_parquet(tmp_path / "file.txt")
    folder = run.to_parquet(tmp_path / "r")
    with pytest.raises(FileExistsError, match="already holds a run.*overwrite=True"):
        run.to_parquet(folder)
    assert Run.read_parquet(run.to_parquet(folder, overwrite=True)) == run


def test_identical_reruns_are_equal_despite_timestamps():
    G = sk.network.watts_strogatz(30, 4, 0.1, seed=0)
    a = sk.dynamics.voter(G, [0, 1] * 15, steps=5, seed=2)
    b = sk.dynamics.voter(G, [0, 1] * 15, steps=5, seed=2)
    a.provenance["timestamp"], b.provenance["timestamp"] = "2001-01-01", "2024-05-05"
    assert a == b and a.equals(b) and a.equals(b, provenance=True)
    b.provenance["socialkit"] = "0.0.0"
    assert a.equals(b) and not a.equals(b, provenance=True)
    c = sk.dynamics.voter(G, [0, 1] * 15, steps=5, seed=3)
    assert a != c and not a.equals(c)
    with pytest.raises(TypeError, match="compares with a Run"):
        a.equals("run")
