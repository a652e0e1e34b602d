import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk

Q = sk.Likert("The government should reduce income differences.", name="redistribution")


@pytest.fixture(scope="module")
def pop():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(12), codebook="anes1996")


def _neighbour_values(prompt: str) -> list[int]:
    return [int(v) for v in re.findall(r"^- (\d) \(", prompt, flags=re.M)]


def averaging_model(messages):
    """Answer the rounded mean of the neighbours' answers (own answer if none); say the answer.

    The persona is the system message; what the agent sees and its own answer are in the user
    message, before the question."""
    user, system = messages[-1]["content"], messages[0]["content"]
    own = re.search(r"Your current answer to .* is (\d) \(", user)
    seen = _neighbour_values(user)
    if "one short sentence" in user:
        return f"I think {own.group(1) if own else '?'}."
    if own is None:  # step 0: persona alone; strong Republicans say 1, everyone else 5
        return "1" if "strong Republican" in system else "5"
    return str(int(np.round(np.mean(seen)))) if seen else own.group(1)


def test_averaging_dynamics_exact(pop):
    G = nx.path_graph(12)
    run = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(averaging_model), steps=3,
                                  k=10, cache=False, progress=False, seed=3)
    wide = run.wide("opinion")
    pid = pop.df["PID"].astype(str).to_numpy()
    x = np.where(pid == "Strong Republican", 1.0, 5.0)
    assert wide.loc[0].tolist() == x.tolist()
    for step in (1, 2, 3):  # synchronous rounds: everyone uses the state at the round's start
        nxt = x.copy()
        for i in range(12):
            nb = [j for j in (i - 1, i + 1) if 0 <= j < 12]
            nxt[i] = np.round(np.mean(x[nb]))
        x = nxt
        assert wide.loc[step].tolist() == x.tolist(), step
    msgs = run.events[run.events["action"] == "message"]
    assert len(msgs) == 36 and msgs["text"].str.startswith("I think").all()
    assert run.params["k"] == 10 and run.model == "llm_opinion"
    assert run.provenance["usage"]["calls"] == 12 + 3 * 24 - run.provenance["usage"]["calls_saved"]


def test_messages_are_seen_next_round_and_k_limits_neighbours(pop):
    prompts = []

    def model(messages):
        prompts.append(messages[-1]["content"])  # what the agent sees is in the user message
        return "Hello from me." if "one short sentence" in messages[-1]["content"] else "3"

    G = nx.star_graph(11)  # agent 0 has 11 neighbours
    sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(model), steps=2, k=4,
                            opinions=np.full(12, 3), cache=False, progress=False, seed=0)
    assert all(len(_neighbour_values(p)) <= 4 for p in prompts)
    assert max(len(_neighbour_values(p)) for p in prompts) == 4
    round2 = [p for p in prompts if 'said: "Hello from me."' in p]
    assert round2, "messages of round 1 must appear in round-2 prompts"


def test_activation_missing_and_reproducible(pop, tmp_path):
    calls = {"n": 0}

    def flaky(messages):
        calls["n"] += 1
        return "no idea" if "strong Republican" in messages[0]["content"] else "2"

    G = nx.cycle_graph(12)
    kw = {"steps": 4, "activation": 0.5, "message": False, "opinions": np.full(12, 4),
          "seed": 11, "cache": tmp_path, "progress": False}
    run = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(flaky, name="flaky"), **kw)
    wide = run.wide()
    repub = pop.df["PID"].astype(str).eq("Strong Republican").to_numpy()
    assert (wide.loc[4, repub] == 4).all()  # missing answers keep the previous opinion
    missing = run.events[run.events["action"] == "missing"]
    assert len(missing) > 0 and missing["text"].str.contains("no number from 1 to 5").all()
    changed = (wide.diff().fillna(0) != 0).sum(axis=0)
    assert (changed[~repub] <= 1).all()
    # inactive agents: with activation 0.5 some non-Republicans keep 4 after round 1
    assert (wide.loc[1, ~repub] == 4).any() and (wide.loc[1, ~repub] == 2).any()
    before = calls["n"]
    again = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(flaky, name="flaky"), **kw)
    pd.testing.assert_frame_equal(again.trajectory, run.trajectory)
    pd.testing.assert_frame_equal(again.events, run.events)
    assert again.provenance["usage"]["calls"] == 0 and calls["n"] == before  # cache replay
    other = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(flaky, name="flaky"),
                                    **{**kw, "seed": 12})
    assert not other.trajectory.equals(run.trajectory)


def test_group_by_shares_calls(pop):
    seen = []

    def model(messages):
        seen.append("\n".join(m["content"] for m in messages))  # cell persona + climate
        return "4"

    G = nx.complete_graph(12)
    run = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(model), steps=2,
                                  opinions=np.full(12, 2), group_by=["vote"], cache=False,
                                  progress=False, seed=0)
    assert len(seen) <= 2 * 2  # vote (2 cells) x one climate, per round
    assert all("vote:" in p and ("on average: 2" in p or "on average: 4" in p) for p in seen)
    assert run.final().tolist() == [4.0] * 12
    assert run.events.empty
    with pytest.raises(ValueError, match=r"group_by columns \['nope'\]"):
        sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(model), group_by=["nope"],
                                opinions=np.full(12, 2), progress=False)


def test_same_run_type_as_classic_models(pop, tmp_path):
    run = sk.dynamics.llm_opinion(pop, nx.path_graph(12), Q,
                                  model=sk.llm.scripted(averaging_model), steps=1, cache=False,
                                  progress=False)
    assert sk.Run.read_parquet(run.to_parquet(tmp_path)) == run
    assert run.summary()["mean"].notna().all()
    assert len(run.plot().data) >= 2


def test_bad_input(pop):
    model = sk.llm.scripted(lambda m: "3")
    G = nx.path_graph(12)
    with pytest.raises(TypeError, match="must be a socialkit.Likert"):
        sk.dynamics.llm_opinion(pop, G, sk.Choice("Vote?", ["A", "B"]), model=model)
    with pytest.raises(TypeError, match="must be a socialkit.Population"):
        sk.dynamics.llm_opinion(["a"], G, Q, model=model)
    with pytest.raises(ValueError, match=r"1 graph node\(s\) are not agents"):
        sk.dynamics.llm_opinion(pop, nx.path_graph(13), Q, model=model)
    with pytest.raises(ValueError, match="not a point of the 1-5 scale"):
        sk.dynamics.llm_opinion(pop, G, Q, model=model, opinions=np.full(12, 6))
    with pytest.raises(ValueError, match="expected 12 initial opinions"):
        sk.dynamics.llm_opinion(pop, G, Q, model=model, opinions=[3, 3])
    with pytest.raises(ValueError, match="parameter 'activation' = 0"):
        sk.dynamics.llm_opinion(pop, G, Q, model=model, activation=0)
    with pytest.raises(ValueError, match="parameter 'k' = -1"):
        sk.dynamics.llm_opinion(pop, G, Q, model=model, k=-1)


def test_embedded_model_end_to_end(pop, tmp_path):
    small = sk.Population(pop.df.head(3))
    run = sk.dynamics.llm_opinion(small, nx.path_graph(3), Q, steps=1, message=False,
                                  cache=tmp_path, progress=False, seed=0)
    final = run.final()
    assert len(final) == 3
    valid = final.dropna()
    assert valid.isin([1, 2, 3, 4, 5]).all()
    missing = run.events[run.events["action"] == "missing"]
    assert len(valid) + missing["agent"].nunique() >= 3 or len(valid) == 3
    assert run.provenance["model_id"].lower().startswith(("llama", "smollm", "local", "gguf"))


def test_summary_recording_skips_agents_without_an_answer(pop):
    def model(messages):  # Strong Republicans never give a valid first answer
        return "no idea" if "strong Republican" in messages[0]["content"] else "2"

    G = nx.path_graph(12)
    kw = {"steps": 1, "message": False, "cache": False, "progress": False, "seed": 0}
    full = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(model), **kw)
    summ = sk.dynamics.llm_opinion(pop, G, Q, model=sk.llm.scripted(model), record="summary",
                                   **kw)
    assert full.wide().loc[0].isna().any()  # some agents have no opinion at step 0
    expected = full.summary()  # pandas skips the missing values
    got = summ.summary()
    assert got["mean"].to_numpy() == pytest.approx(expected["mean"].to_numpy())
    assert got["min"].tolist() == expected["min"].tolist() == [2.0, 2.0]


def test_seeds_reach_every_round_and_one_session_keeps_the_account(pop):
    def sampled(messages, seed):
        return str(1 + seed % 5)

    G = nx.cycle_graph(12)
    kw = dict(model=sk.llm.scripted(sampled, name="sampled"), steps=2, cache=False,
              temperature=1.0, progress=False)
    a = sk.dynamics.llm_opinion(pop, G, Q, seed=1, **kw)
    b = sk.dynamics.llm_opinion(pop, G, Q, seed=2, **kw)
    first = a.trajectory[a.trajectory["step"] == 0]["value"].to_numpy()
    other = b.trajectory[b.trajectory["step"] == 0]["value"].to_numpy()
    assert (first != other).sum() >= 6  # step 0 is drawn anew under another seed
    again = sk.dynamics.llm_opinion(pop, G, Q, seed=1, **kw)
    assert again.trajectory.equals(a.trajectory)
    usage = a.provenance["usage"]
    assert usage["jobs"] == usage["calls"] == 12 + 2 * 2 * 12  # opinion + message rounds
    assert usage["share"] == "auto" and usage["calls_saved"] == 0
