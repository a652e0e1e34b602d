import subprocess
import sys

import pytest

import socialkit as sk
from socialkit.cli import main


def test_import_is_light_and_silent():
    # deterministic stand-in for "import socialkit is fast": it loads only the package itself
    # and the standard library's typing modules (no numpy, pandas, networkx, plotly, numba...)
    code = ("import sys; before = set(sys.modules); import socialkit; "
            "new = sorted(set(sys.modules) - before); "
            "print(repr([m for m in new if m.split('.')[0] not in "
            "('socialkit', 'typing', '_typing', 'collections', 'abc', '__future__')]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert out.stderr == ""


def test_lazy_namespace():
    assert sk.Run.__name__ == "Run" and sk.Population.__name__ == "Population"
    assert "dynamics" in dir(sk)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sk.nope  # noqa: B018


def test_demo_writes_report_and_run(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--steps", "20", "--no-llm"]) == 0
    out = capsys.readouterr().out
    assert "944 agents" in out and "clusters" in out and "report" in out
    html = (tmp_path / "report.html").read_text()
    assert html.count("<h2>") == 7 and "plotly" in html
    run = sk.Run.read_parquet(tmp_path / "run")
    assert run.model == "deffuant" and run.params["steps"] == 20 and run.n_agents == 944


def test_demo_llm_part_with_a_scripted_model(tmp_path, capsys):
    from socialkit.cli import demo

    def model(messages):
        persona, question = messages[0]["content"], messages[-1]["content"]
        if "vote" in question:
            return "Bob Dole" if "Republican" in persona else "Bill Clinton"
        return "6" if "Republican" in persona else "3"

    demo(tmp_path, steps=10, llm_agents=10, model=sk.llm.scripted(model, name="party"),
         cache=False)
    out = capsys.readouterr().out
    assert "LLM agents: 10 ANES 1996 personas on scripted:party" in out
    assert "20 of 20 valid" in out and "representativeness" in out and "vote agreement" in out
    html = (tmp_path / "report.html").read_text()
    assert html.count("<h2>") == 11
    assert "spread" in html.lower()
    run = sk.Run.read_parquet(tmp_path / "llm_run")
    assert run.model == "llm_opinion" and run.n_agents == 10


def test_demo_bad_parameter_is_a_clear_error(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--epsilon", "0", "--no-llm"]) == 2
    assert "parameter 'epsilon' = 0.0 is out of range" in capsys.readouterr().err


def test_html_report_and_plots():
    G = sk.network.barabasi_albert(60, 2, seed=0)
    run = sk.dynamics.deffuant(G, [i / 59 for i in range(60)], steps=4, seed=0)
    fig = sk.plot.trajectories(run, max_agents=10)
    assert "10 shown" in fig.data[0].name
    assert [t.name for t in sk.plot.distribution(run, steps=[0, 2]).data] == ["step 0", "step 2"]
    with pytest.raises(ValueError, match="not recorded"):
        sk.plot.distribution(run, steps=[99])
    with pytest.raises(TypeError, match="socialkit.Run"):
        sk.plot.trajectories("run")
