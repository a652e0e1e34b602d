"""Sweeps: grid checks, the table and its summary, failures, resuming (after a real kill -9),
executors (this process, local processes, Dask) giving identical results, and LLM runs on
several workers sharing the reply cache and one budget (the fake OpenAI server)."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import socialkit as sk
from socialkit.params import Param, model

ROOT = Path(__file__).resolve().parents[1]
X = np.linspace(0, 1, 60)
INPUTS = {"G": None, "opinions": X, "steps": 15}


def clusters(run):
    return {"clusters": len(sk.dynamics.clusters(run.final(), min_share=0.05))}


CALLS = []


@model(Param("x", float, 1.0, low=0, high=10, doc="a number"),
       Param("fail_at", float, -1.0, doc="raise when x equals it"))
def toy(*, x=1.0, fail_at=-1.0, seed=0):
    """A tiny model: records its calls, raises on request, returns a voter run."""
    CALLS.append((x, seed))
    if x == fail_at:
        raise RuntimeError(f"x={x} is cursed")
    return sk.dynamics.voter(None, [0, 1] * 5, steps=int(x) + 1, seed=seed)


@model(Param("x", float, 1.0, low=0, high=10, doc="a number"))
def light(*, x=1.0, seed=0):
    """A model that needs only numpy and pandas in a worker: a random walk of 3 agents."""
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(0, x, size=(4, 3)), axis=0)
    traj = pd.DataFrame({"step": np.repeat(np.arange(4), 3), "agent": np.tile(np.arange(3), 4),
                         "variable": "y", "value": values.ravel()})
    return sk.Run(traj, params={"x": x}, seed=seed, model="light")


# ---- the grid is checked before anything runs ---------------------------------------------
@pytest.mark.parametrize("grid, exc, words", [
    ({"epsilon": [0.2, 0]}, ValueError, "'epsilon' = 0 is out of range"),
    ({"epsilonn": [0.2]}, TypeError, "'epsilonn' is not a declared parameter"),
    ({"epsilon": []}, ValueError, "lists no values"),
    ({"epsilon": {0.1, 0.2}}, TypeError, "is a set"),
    ({"epsilon": [0.2, 0.2]}, ValueError, "twice"),
    ([{"mu": 0.7}], ValueError, "'mu' = 0.7 is out of range"),
    ("epsilon", TypeError, "grid must be a dict"),
])
def test_bad_grids_raise_before_running(grid, exc, words, tmp_path):
    with pytest.raises(exc, match=words):
        sk.experiments.sweep(sk.dynamics.deffuant, grid, seeds=2, inputs=INPUTS, folder=tmp_path)
    assert not any(tmp_path.iterdir())


def test_bad_arguments(tmp_path):
    sweep = sk.experiments.sweep
    with pytest.raises(TypeError, match="no parameter schema"):
        sweep(lambda seed=0: None, None)
    with pytest.raises(TypeError, match=r"needs \['G', 'opinions'\]"):
        sweep(sk.dynamics.deffuant, {"epsilon": [0.2]})
    with pytest.raises(TypeError, match="no argument 'graph'"):
        sweep(sk.dynamics.deffuant, None, inputs={"graph": None})
    with pytest.raises(ValueError, match="inputs: .*'steps' = -1"):
        sweep(sk.dynamics.deffuant, None, inputs={**INPUTS, "steps": -1})
    with pytest.raises(ValueError, match="seeds must be a positive"):
        sweep(toy, None, seeds=0)
    with pytest.raises(ValueError, match="seed twice"):
        sweep(toy, None, seeds=[1, 1])
    with pytest.raises(ValueError, match="non-negative integers"):
        sweep(toy, None, seeds=[1, -2])
    with pytest.raises(TypeError, match="measure must be"):
        sweep(toy, None, measure=3)
    with pytest.raises(ValueError, match="executor must be"):
        sweep(toy, None, executor="cluster", folder=tmp_path / "a", progress=False)
    with pytest.raises(ValueError, match="workers must be"):
        sweep(toy, None, executor="processes", workers=0, folder=tmp_path / "b")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    with pytest.raises(ValueError, match="budget must be"):
        sweep(toy, None, budget=-1)
    with pytest.raises(TypeError, match="takes no model"):
        sk.experiments.compare_models(toy, {"a": None})
    with pytest.raises(TypeError, match="unexpected option"):
        sk.experiments.compare_models(toy, {"a": None}, colour="red")
    with pytest.raises(ValueError, match="holds no sweep"):
        sk.experiments.load(tmp_path)


# ---- the table, the summary, the runs -----------------------------------------------------
def test_table_summary_and_lazy_runs(tmp_path):
    res = sk.experiments.sweep(sk.dynamics.deffuant, {"epsilon": [0.1, 0.3], "mu": [0.5, 0.25]},
                               seeds=[3, 4, 5], inputs=INPUTS, measure=clusters, folder=tmp_path,
                               progress=False)
    t = res.table
    assert len(t) == 12 and list(t.columns) == ["run_id", "epsilon", "mu", "seed", "status",
                                                "clusters", "seconds", "error"]
    assert t[["epsilon", "mu", "seed"]].values.tolist()[:4] == [[0.1, 0.5, 3], [0.1, 0.5, 4],
                                                                [0.1, 0.5, 5], [0.1, 0.25, 3]]
    assert (t["status"] == "ok").all() and t["run_id"].is_unique and t["error"].isna().all()
    # each row is the run the model gives for its parameters and seed
    for i in (0, 7):
        row = t.iloc[i]
        direct = sk.dynamics.deffuant(None, X, epsilon=row.epsilon, mu=row.mu, steps=15,
                                      seed=int(row.seed))
        assert res.run(i) == direct and res.run(row.run_id) == direct
        assert row.clusters == clusters(direct)["clusters"]
    # summary: mean and t interval over the seeds of each cell
    s = res.summary(ci=0.9)
    assert list(s.columns) == ["epsilon", "mu", "outcome", "runs", "n", "mean", "sd", "low", "high"]
    cell = t[(t.epsilon == 0.1) & (t.mu == 0.25)]["clusters"].to_numpy()
    got = s[(s.epsilon == 0.1) & (s.mu == 0.25)].iloc[0]
    half = stats.t.ppf(0.95, 2) * cell.std(ddof=1) / np.sqrt(3)
    assert got["n"] == 3 and got["mean"] == pytest.approx(cell.mean())
    assert got["low"] == pytest.approx(cell.mean() - half)
    assert got["high"] == pytest.approx(cell.mean() + half)
    # loading the folder again gives the same table; runs are read one at a time
    again = sk.experiments.load(tmp_path)
    pd.testing.assert_frame_equal(again.table, t)
    rows = list(again.runs(epsilon=0.3, mu=0.5))
    assert len(rows) == 3 and all(run.params["epsilon"] == 0.3 for _, run in rows)
    with pytest.raises(ValueError, match="unknown outcome"):
        res.summary(outcomes="nope")
    with pytest.raises(IndexError):
        res.run(12)
    assert "12 runs (12 ok)" in repr(res) and "<table" in res._repr_html_()


def test_default_outcomes_and_keep_runs_false(tmp_path):
    res = sk.experiments.sweep(toy, {"x": [1, 2]}, seeds=2, folder=tmp_path, keep_runs=False,
                               progress=False)
    assert res.outcomes == ["opinion.mean", "opinion.sd"]
    run = toy(x=2, seed=1)
    row = res.table[(res.table.x == 2) & (res.table.seed == 1)].iloc[0]
    assert row["opinion.mean"] == pytest.approx(run.final().mean())
    assert not any((tmp_path / "runs").iterdir())
    with pytest.raises(FileNotFoundError, match="not kept"):
        res.run(0)


def test_failed_runs_are_recorded_and_retried_on_request(tmp_path):
    CALLS.clear()
    with pytest.warns(RuntimeWarning, match="2 of 6 runs failed.*cursed"):
        res = sk.experiments.sweep(toy, {"x": [1, 2, 3]}, seeds=2, inputs={"fail_at": 2.0},
                                   folder=tmp_path, progress=False)
    t = res.table
    bad = t[t.status == "failed"]
    assert bad["x"].tolist() == [2.0, 2.0] and t[t.status == "ok"]["x"].tolist() == [1, 1, 3, 3]
    assert bad["error"].str.contains("RuntimeError: x=2.0 is cursed").all()
    assert bad["opinion.mean"].isna().all()
    assert "raise RuntimeError" in res.errors()["traceback"].iloc[0]
    with pytest.raises(ValueError, match="is failed"):
        res.run(bad.index[0])
    # a restart keeps finished runs and failed ones (unless retry_failed)
    CALLS.clear()
    with pytest.warns(RuntimeWarning):
        sk.experiments.sweep(toy, {"x": [1, 2, 3]}, seeds=2, inputs={"fail_at": 2.0},
                             folder=tmp_path, progress=False)
    assert CALLS == []
    with pytest.warns(RuntimeWarning):
        sk.experiments.sweep(toy, {"x": [1, 2, 3]}, seeds=2, inputs={"fail_at": 2.0},
                             folder=tmp_path, progress=False, retry_failed=True)
    assert CALLS == [(2.0, 0), (2.0, 1)]


def test_resume_runs_only_what_is_missing_and_refuses_another_sweep(tmp_path):
    CALLS.clear()
    first = sk.experiments.sweep(toy, {"x": [1, 2]}, seeds=3, folder=tmp_path, progress=False)
    assert len(CALLS) == 6
    gone = first.table.run_id[[1, 4]]
    for r in gone:
        (tmp_path / "results" / f"{r}.json").unlink()
    assert (sk.experiments.load(tmp_path).table.status == "pending").sum() == 2
    CALLS.clear()
    again = sk.experiments.sweep(toy, {"x": [1, 2]}, seeds=3, folder=tmp_path, progress=False)
    assert CALLS == [(1.0, 1), (2.0, 1)]
    pd.testing.assert_frame_equal(again.table.drop(columns="seconds"),
                                  first.table.drop(columns="seconds"))
    # a larger grid on the same folder runs only the new cells
    CALLS.clear()
    more = sk.experiments.sweep(toy, {"x": [1, 2, 3]}, seeds=3, folder=tmp_path, progress=False)
    assert sorted(CALLS) == [(3.0, 0), (3.0, 1), (3.0, 2)] and len(more) == 9
    # a graph as fixed input (which the model caches things on) still resumes
    G = sk.network.barabasi_albert(60, 2, seed=2)
    net = {"G": G, "opinions": np.linspace(0, 1, 60), "steps": 3}
    sk.experiments.sweep(sk.dynamics.deffuant, None, seeds=2, inputs=net,
                         folder=tmp_path / "g", progress=False)
    stamp = [p.stat().st_mtime_ns for p in sorted((tmp_path / "g/results").iterdir())]
    sk.experiments.sweep(sk.dynamics.deffuant, None, seeds=2, inputs=net,
                         folder=tmp_path / "g", progress=False)
    assert [p.stat().st_mtime_ns for p in sorted((tmp_path / "g/results").iterdir())] == stamp
    # other fixed inputs: these are not the same runs
    with pytest.raises(ValueError, match="input 'fail_at'"):
        sk.experiments.sweep(toy, {"x": [1, 2]}, seeds=3, inputs={"fail_at": 9.0},
                             folder=tmp_path, progress=False)


KILLED = """
import os, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
import socialkit as sk
from socialkit.params import Param, model

@model(Param("x", float, 1.0, low=0, high=10))
def slow(*, x=1.0, seed=0):
    with open({log!r}, "a") as f:
        f.write(f"{{os.getpid()}} {{x}} {{seed}}\\n")
    time.sleep(0.1)
    traj = pd.DataFrame({{"step": [0, 1], "agent": 0, "variable": "y", "value": [x, x * seed]}})
    return sk.Run(traj, params={{"x": x}}, seed=seed, model="slow")

if __name__ == "__main__":
    sk.experiments.sweep(slow, {{"x": [1, 2, 3]}}, seeds=4, folder={folder!r},
                         executor={executor!r}, workers=2, progress=False)
"""


def _log(path):
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines()]


def test_kill_minus_nine_midway_then_resume(tmp_path):
    folder, log = tmp_path / "sweep", tmp_path / "calls.log"
    script = tmp_path / "job.py"
    script.write_text(KILLED.format(root=str(ROOT), log=str(log), folder=str(folder),
                                    executor=None))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script)], env=env)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((folder / "results").glob("r*.json"))
                                         if (folder / "results").exists() else []) < 4:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.stem for p in (folder / "results").glob("r*.json")}
    assert 4 <= len(finished) < 12, "the sweep was not killed midway"
    first_pid = _log(log)[0][0]
    subprocess.run([sys.executable, str(script)], env=env, check=True, timeout=120)
    res = sk.experiments.load(folder)
    assert (res.table.status == "ok").all() and len(res) == 12
    rerun = {(float(x), int(s)) for pid, x, s in _log(log) if pid != first_pid}
    missing = {(r.x, r.seed) for r in res.table.itertuples() if r.run_id not in finished}
    assert rerun == missing  # exactly the unfinished runs ran again
    for i in (0, 11):
        row = res.table.iloc[i]
        assert res.run(i).final("y").tolist() == [row.x * row.seed]


# ---- executors give identical results -------------------------------------------------------
def _same(a, b):
    pd.testing.assert_frame_equal(a.table.drop(columns="seconds"),
                                  b.table.drop(columns="seconds"))
    for i in range(len(a)):
        assert a.run(i).equals(b.run(i))


GRID = {"epsilon": [0.15, 0.3]}


def test_processes_equal_in_process_and_llm_workers_share_cache(tmp_path):
    """LLM runs on a pool of 2 spawned processes: the same Runs as in this process, and the
    prompts both workers need at once are paid once (the cache's claims)."""
    from socialkit.llm.testing import FakeOpenAI

    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    tables = []
    for executor, name in ((None, "a"), ("processes", "b")):
        with FakeOpenAI(latency=0.05) as server:
            m = sk.llm.from_langchain(server.chat_model(model="fake-a"), price=(100.0, 200.0))
            inputs = dict(population=pop, G=nx.path_graph(4), question=sk.Likert("Taxes."),
                          model=m, message=False, cache=str(tmp_path / f"cache-{name}"))
            res = sk.experiments.sweep(sk.dynamics.llm_opinion, {"steps": [1, 2]}, seeds=[0],
                                       inputs=inputs, executor=executor, workers=2,
                                       measure=lambda run: {"final": run.final().mean(),
                                                            "events": len(run.events)},
                                       folder=tmp_path / name, progress=False)
            served = server.stats()
        assert (res.table.status == "ok").all()
        # steps=1: 4 + 4 prompts; steps=2: the same 8 and 4 more: 12 distinct prompts, each
        # paid once, also when both workers need them at the same time
        assert served["requests"] == served["ok"] == 12
        assert res.table["calls"].sum() == 12 and res.table["cache_hits"].sum() == 8
        assert res.table["cost"].sum() == pytest.approx(
            (served["prompt_tokens"] * 100 + served["completion_tokens"] * 200) / 1e6)
        tables.append(res)
    inline, procs = tables
    workers = {json.loads(p.read_text())["worker"] for p in (tmp_path / "b/results").iterdir()}
    assert len(workers) == 2 and f"{os.uname().nodename}:{os.getpid()}" not in workers
    # identical results; only who paid for a shared prompt depends on which worker came first
    usage = ["calls", "cache_hits", "tokens", "cost", "seconds"]
    pd.testing.assert_frame_equal(inline.table.drop(columns=usage),
                                  procs.table.drop(columns=usage))
    for i in range(2):
        assert inline.run(i).equals(procs.run(i))


def test_budget_holds_across_workers_and_restarts(tmp_path, capsys):
    from socialkit.llm.testing import FakeOpenAI

    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    price = (1000.0, 2000.0)
    with FakeOpenAI(latency=0.05) as server:
        m = sk.llm.from_langchain(server.chat_model(model="fake-b"), price=price)
        inputs = dict(population=pop, G=nx.path_graph(4), question=sk.Likert("Taxes."),
                      model=m, message=False, steps=1, cache=str(tmp_path / "cache"))
        folder = tmp_path / "s"
        # runs 2 at a time in threads of this process, each with its own session: only the
        # shared ledger can hold the total
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool, pytest.warns(RuntimeWarning, match="budget"):
            res = sk.experiments.sweep(sk.dynamics.llm_opinion, None, seeds=4, inputs=inputs,
                                       executor=pool, folder=folder, budget=2.0,
                                       progress=False)
        served = server.stats()
        spent = (served["prompt_tokens"] * price[0] + served["completion_tokens"] * price[1]) / 1e6
        ledger = sk.llm.Ledger(folder)
        assert 1.0 < spent <= 2.0 and ledger.spent() <= 2.0  # one run costs about 1.4
        assert ledger.spent() == pytest.approx(spent)  # charged exactly what was served
        assert "budget" in set(res.table.status) and set(res.table.status) <= {
            "ok", "budget", "pending"}
        # raise the budget and restart: the stopped and pending runs finish
        capsys.readouterr()
        res2 = sk.experiments.sweep(sk.dynamics.llm_opinion, None, seeds=4, inputs=inputs,
                                    folder=folder, budget=10.0, progress=True)
        assert (res2.table.status == "ok").all()
        bar = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
        spent = res2.table["cost"].sum()
        assert "4/4" in bar and f"cost=${spent:.4g}" in bar and "est. total=$" in bar
        served = server.stats()
        assert sk.llm.Ledger(folder).spent() == pytest.approx(
            (served["prompt_tokens"] * price[0] + served["completion_tokens"] * price[1]) / 1e6)


def test_threads_of_one_process_pay_each_prompt_once(tmp_path):
    """Sessions in threads of one process (a Dask worker with several threads) share the
    cache's claims too: the prompts both runs need are paid once."""
    from concurrent.futures import ThreadPoolExecutor

    from socialkit.llm.testing import FakeOpenAI

    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(4))
    with FakeOpenAI(latency=0.1) as server, ThreadPoolExecutor(2) as pool:
        m = sk.llm.from_langchain(server.chat_model(model="fake-c"), price=(0, 0))
        res = sk.experiments.sweep(
            sk.dynamics.llm_opinion, {"steps": [1, 2]}, seeds=[0], executor=pool,
            folder=tmp_path / "s", progress=False,
            inputs=dict(population=pop, G=nx.path_graph(4), question=sk.Likert("Taxes."),
                        model=m, message=False, cache=str(tmp_path / "cache")))
        served = server.stats()
    assert (res.table.status == "ok").all()
    assert served["requests"] == 12 and res.table["calls"].sum() == 12


def test_ledger_charges_dead_processes_in_full(tmp_path):
    ledger = sk.llm.Ledger(tmp_path, budget=1.0)
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import socialkit as sk; "
            f"sk.llm.Ledger({str(tmp_path)!r}).reserve(0.4)")
    subprocess.run([sys.executable, "-c", code], check=True)  # reserves, then dies
    assert ledger.remaining() == pytest.approx(0.6)
    r = ledger.reserve(0.5)  # the dead process's reservation is now charged in full
    assert ledger.summary()["lost"] == 1 and ledger.spent() == pytest.approx(0.4)
    ledger.settle(r, 0.1)
    with pytest.raises(sk.llm.ledger.LedgerExceeded, match="would be exceeded"):
        ledger.reserve(0.6)


def test_compare_models_with_two_servers(tmp_path):
    from socialkit.llm.testing import FakeOpenAI

    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(5))
    with FakeOpenAI(seed=1) as a, FakeOpenAI(seed=2) as b:
        models = {"alpha": a.chat_model(model="alpha-7b"),  # a raw LangChain model
                  "beta": sk.llm.from_langchain(b.chat_model(model="beta-8b"), price=(0, 0))}
        res = sk.experiments.compare_models(
            sk.dynamics.llm_opinion, models, seeds=3, folder=tmp_path, progress=False,
            inputs=dict(population=pop, G=nx.cycle_graph(5), question=sk.Likert("Taxes."),
                        steps=1, message=False, cache=str(tmp_path / "cache")))
        sa, sb = a.stats(), b.stats()
    t = res.table
    assert t["model"].tolist() == ["alpha"] * 3 + ["beta"] * 3 and (t.status == "ok").all()
    assert sa["requests"] == sb["requests"] == 3 * 10  # each server answered its own model
    assert res.run(0).provenance["model_id"].endswith("alpha-7b@" + a.url)
    assert res.run(5).provenance["model_id"].endswith("beta-8b@" + b.url)
    assert list(res.summary().columns[:2]) == ["model", "outcome"]
    assert t.groupby("model")["opinion.mean"].mean().nunique() == 2


# ---- Dask ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (pip install socialkit[experiments])")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_client_equals_in_process(dask_client, tmp_path):
    inline = sk.experiments.sweep(toy, {"x": [1, 2, 3]}, seeds=2, folder=tmp_path / "a",
                                  progress=False)
    on_dask = sk.experiments.sweep(toy, {"x": [1, 2, 3]}, seeds=2, executor=dask_client,
                                   folder=tmp_path / "b", progress=False)
    _same(inline, on_dask)
    workers = {json.loads(p.read_text())["worker"] for p in (tmp_path / "b" / "results").iterdir()}
    assert len(workers) == 1  # processes=False: the workers are threads of this process


def test_dask_local_cluster_of_processes(tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import cloudpickle

    # the test module's functions travel by value: workers need not import it (and pytest)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        inline = sk.experiments.sweep(light, {"x": [0.5, 2.0]}, seeds=3, folder=tmp_path / "a",
                                      progress=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            on_dask = sk.experiments.sweep(light, {"x": [0.5, 2.0]}, seeds=3, executor="dask",
                                           workers=2, folder=tmp_path / "b", progress=False)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    _same(inline, on_dask)
    pids = {json.loads(p.read_text())["worker"] for p in (tmp_path / "b" / "results").iterdir()}
    assert f"{os.uname().nodename}:{os.getpid()}" not in pids  # ran in other processes
