"""Social Simulacra: member generation (strict parsing, duplicates, diversity), the judged
community feed, what-if forks, the summary and the thread view, all on scripted models."""

import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.scenarios import (
    CommunityDesign,
    MemberForm,
    antisocial_share,
    generate_members,
    member_diversity,
    members_table,
    roster_diversity,
    simulacra_labels,
    simulacra_summary,
    simulacra_threads,
    simulacra_what_if,
    social_simulacra,
)

DESIGN = CommunityDesign("Fern Friends", "Help each other grow ferns.", ["Be kind."],
                         [("Ann Lee", "a retired gardener who grows ferns in her shade garden"),
                          ("Bo Chen", "a student who kills every plant he buys")])


def member_model(messages):
    """Members post on an empty page, then reply to the oldest post on their page (the hot
    ranking leaves out one's own); a troll insults; the judge flags
    insults ("idiot") and cannot decide about "meh" (missing)."""
    system, ask = messages[0]["content"], messages[-1]["content"]
    if "name: <first" in ask:
        return "name: Cy Park\nabout: a florist who sells ferns at the market"
    if "Which best describes" in ask:
        if "meh" in ask:
            return "Hard to say."
        return "B" if "idiot" in ask else "A"
    troll = "troll" in system
    if "post_id" not in ask:
        return "action: post\ntext: " + ("Ferns are for idiots." if troll else
                                          "My fern has brown tips, any advice?")
    shown = re.search(r"post_id: one of ([p\d, ]+)", ask).group(1)
    oldest = min(int(x) for x in re.findall(r"p(\d+)", shown))
    return f"action: comment\npost_id: p{oldest}\ntext: " + (
        "Only an idiot asks that." if troll else "Mist it every morning.")


def sim_of(model=member_model, **kw):
    opts = dict(members=0, steps=2, activity=1.0, cache=False, progress=False, page=5)
    opts.update(kw)
    return social_simulacra.simulation(DESIGN, sk.llm.scripted(model), **opts)


# ---- members ----------------------------------------------------------------------------------
@pytest.mark.parametrize("reply, value", [
    ("name: Rosa Diaz\nabout: a florist", ("Rosa Diaz", "a florist")),
    ("**name:** Rosa Diaz\n**about:** a florist who repots", ("Rosa Diaz", "a florist who repots")),
    ('{"name": "Rosa Diaz", "about": "a florist"}', ("Rosa Diaz", "a florist")),
    ("action: member\nname: O'Neil Grant\nabout: a baker", ("O'Neil Grant", "a baker")),
    ("Here is a new member:\nname: Rosa Diaz.\nabout: a florist", ("Rosa Diaz", "a florist")),
])
def test_member_form_reads_the_two_fields(reply, value):
    got = MemberForm(10).parse(reply)
    assert got.ok, got.reason
    assert (got.value["name"], got.value["about"]) == value


@pytest.mark.parametrize("reply, reason", [
    ("Rosa Diaz is a florist.", "member needs name"),
    ("name: Rosa Diaz", "member needs about"),
    ("name: R2-D2 Unit 42\nabout: a droid", "is not a name"),
    ("name: Rosa Maria Diaz de la Cruz\nabout: a florist", "more than 4"),
    ("name: Rosa Diaz\nabout: 12 34", "has no words"),
    ("", "empty answer"),
])
def test_member_form_refuses_unusable_replies(reply, reason):
    got = MemberForm(10).parse(reply)
    assert not got.ok and reason in got.reason


def test_generate_members_keeps_every_generation_with_its_status():
    replies = iter(["name: Rosa Diaz\nabout: a florist who repots every spring",
                    "name: ROSA  diaz\nabout: a baker", "no idea",
                    "name: Li Wei\nabout: a florist who repots every spring",
                    "name: Ann Lee\nabout: someone else entirely",
                    "name: Tom Ruiz\nabout: a retired gardener who grows ferns in his shade "
                    "garden"])
    df = generate_members(DESIGN, 6, sk.llm.scripted(lambda m: next(replies)), cache=False,
                          reasks=0, concurrency=1, similar=0.8, share="none")
    assert df["source"].tolist() == ["seed"] * 2 + ["generated"] * 6
    gen = df[df["source"] == "generated"]
    assert gen["status"].tolist() == ["ok", "duplicate", "missing", "duplicate", "duplicate",
                                      "duplicate"]
    assert gen["reason"].tolist()[1] == "the name of Rosa Diaz"
    assert "no 'action:'" in gen["reason"].tolist()[2] or "member needs" in \
        gen["reason"].tolist()[2]
    assert gen["raw"].tolist()[2] == "no idea"
    assert gen["reason"].tolist()[3].startswith("the description of Rosa Diaz (similarity 1.00")
    assert gen["reason"].tolist()[4] == "the name of Ann Lee"          # a seed's name
    assert gen["reason"].tolist()[5].startswith("the description of Ann Lee")
    assert df.attrs["usage"]["calls"] == 6


def test_generation_prompts_follow_the_seed():
    def prompts(seed):
        model = sk.llm.scripted(lambda m: "name: Rosa Diaz\nabout: a florist")
        generate_members(DESIGN, 4, model, seed=seed, shots=1, cache=False)
        return sorted(m[-1]["content"] for m in model.prompts)
    first = prompts(1)
    assert first == prompts(1)
    shown = {re.search(r"name: (\w+ \w+)\nabout", p).group(1) for p in prompts(1) + prompts(2)
             + prompts(3)}
    assert shown == {"Ann Lee", "Bo Chen"}                             # subsets vary with seed
    assert "Fern Friends" in first[0] and "Be kind." in first[0]


def test_unused_generations_are_logged_in_the_run_as_strict_json():
    replies = iter(["name: Rosa Diaz\nabout: a florist", "not a member"])
    roster = generate_members(DESIGN, 2, sk.llm.scripted(lambda m: next(replies)), cache=False,
                              reasks=0, concurrency=1, share="none")
    run = sim_of(roster=roster, steps=1).run(1)
    m = members_table(run)
    assert m[["agent", "status"]].values.tolist() == [[0, "ok"], [1, "ok"], [2, "ok"],
                                                      [-1, "missing"], [3, "ok"], [4, "ok"]]
    assert m["name"].tolist()[3] is None and "member needs" in m["reason"].tolist()[3]

    def strict(c):
        raise ValueError(c)
    ev = run.events[run.events["action"] == "member"]
    assert all(json.loads(d, parse_constant=strict) for d in ev["data"])


def test_member_diversity():
    d = member_diversity(["a florist in Lyon", "a florist in Lyon", "a retired miner"])
    assert d == {"members": 3, "tfidf_distance": 0.6667}
    same = member_diversity(["a florist", "a florist"])
    assert same["tfidf_distance"] == 0.0
    emb = member_diversity(["a b", "c d"], embedding=lambda t: np.eye(2)[: len(t)])
    assert emb["embedding_distance"] == 1.0
    assert np.isnan(member_diversity(["one"])["tfidf_distance"])


# ---- the community run ------------------------------------------------------------------------
def test_exact_threads_labels_and_members():
    sim = sim_of(members=1)
    run = sim.run(2)
    t = sk.env.thread(run, 0)
    # step 1: the 3 members post p0-p2; step 2: each replies to the oldest post on its page:
    # Ann (0) to p1 (p3), Bo (1) and Cy (2) to p0 (p4, p5)
    assert t[["post", "agent", "depth"]].values.tolist() == [[0, 0, 0], [4, 1, 1], [5, 2, 1]]
    assert t["text"].tolist()[1:] == ["Mist it every morning."] * 2
    assert sk.env.thread(run, 1)[["post", "agent"]].values.tolist() == [[1, 1], [3, 0]]
    lab = simulacra_labels(run)
    assert lab["post"].tolist() == [0, 1, 2, 3, 4, 5]
    assert set(lab["label"]) == {"civil"} and not lab["flagged"].any()
    assert lab["name"].tolist()[:3] == ["Ann Lee", "Bo Chen", "Cy Park"]
    m = members_table(run)
    assert m["source"].tolist() == ["seed", "seed", "generated", "troll", "moderator"]
    assert m["agent"].tolist() == [0, 1, 2, 3, 4]
    # the dormant troll and the moderator never act and see nothing
    acts = run.events[run.events["action"].isin(["post", "comment", "feed"])]
    assert not acts["agent"].isin([3, 4]).any()
    assert run.measures()["members.value"].tolist() == [3.0, 3.0, 3.0]
    share = antisocial_share(run)
    assert share[["labelled", "flagged", "share"]].values.tolist() == [[6.0, 0.0, 0.0]]
    threads = simulacra_threads(run)
    assert threads[["root", "replies"]].values.tolist() == [[0, 2], [1, 1], [2, 0]]
    page = [m[-1]["content"] for m in sim.session.backend.prompts
            if "Step 2. Your feed" in m[-1]["content"] and "Ann Lee" in m[0]["content"]][0]
    assert "- p2 by Cy Park (u2) (1 step ago): " in page and "p0 by" not in page
    div = roster_diversity(run)
    assert div["members"].tolist() == ["seeds", "generated", "all"]
    assert div["n"].tolist() == [2, 1, 3]


def test_same_seed_replays_and_judge_missing_is_not_guessed():
    def meh(messages):
        out = member_model(messages)
        return out.replace("Mist it every morning.", "meh")
    a = sim_of(meh).run(2)
    b = sim_of(meh).run(2)
    pd.testing.assert_frame_equal(a.events, b.events)
    lab = simulacra_labels(a)
    miss = lab[lab["label"].isna()]
    assert len(miss) == 2 and (miss["status"] == "missing").all()
    assert miss["reason"].str.contains("no option letter").all()
    share = antisocial_share(a)
    assert share[["labelled", "missing"]].values.tolist() == [[2.0, 2.0]]


def test_troll_joins_in_a_fork():
    sim = sim_of(steps=3)
    original = sim.run(3)
    troll = simulacra_what_if(sim, at=1, change="troll")
    ev_o, ev_t = original.events, troll.events
    pd.testing.assert_frame_equal(ev_o[ev_o["step"] <= 1].reset_index(drop=True),
                                  ev_t[ev_t["step"] <= 1].reset_index(drop=True))
    assert ev_t.loc[ev_t["action"] == "joined", ["step", "agent"]].values.tolist() == [[2, 2]]
    said = ev_t[(ev_t["agent"] == 2) & (ev_t["action"] == "comment")]
    assert said["step"].tolist() == [2, 3] and (said["text"] == "Only an idiot asks that.").all()
    before = [antisocial_share(r, until=1)["share"].item() for r in (original, troll)]
    after = [antisocial_share(r, after=1)[["labelled", "flagged"]].values.tolist()[0]
             for r in (original, troll)]
    assert before == [0.0, 0.0]
    assert after == [[4.0, 0.0], [6.0, 2.0]]
    members_only = antisocial_share(troll, after=1, exclude=["troll"])
    assert members_only["flagged"].item() == 0.0
    assert troll.provenance.get("fork", {}).get("at", 1) == 1


def test_moderator_steps_in_and_removes_what_was_flagged():
    def rude(messages):  # Bo Chen is rude in every reply
        out = member_model(messages)
        if "Bo Chen" in messages[0]["content"]:
            out = out.replace("Mist it every morning.", "You idiot, read a book.")
        return out
    sim = sim_of(rude, steps=3)
    original = sim.run(3)
    mod = simulacra_what_if(sim, at=2, change="moderator", steps=3)
    ev = mod.events
    rem = ev[ev["action"] == "removed"]
    # step 3: the reply flagged at step 2 is swept, and step 3's new rude reply removed too
    assert rem["step"].tolist() == [3, 3] and (rem["agent"] == 3).all()
    gone = [json.loads(d)["post"] for d in rem["data"]]
    notices = ev[(ev["agent"] == 3) & (ev["action"] == "comment")]
    assert len(notices) == 1 and notices["text"].item() == sk.env.NOTICE
    assert json.loads(notices["data"].item())["parent"] == 0
    lab = simulacra_labels(mod)
    assert lab.loc[lab["removed"], "post"].tolist() == sorted(gone)
    s_o = antisocial_share(original, after=2)
    s_m = antisocial_share(mod, after=2)
    assert s_o["share"].item() == s_m["share"].item() == 0.5  # what members write
    assert s_m["visible_share"].item() == 0.0 and s_o["visible_share"].item() == 0.5
    assert original.events[original.events["action"] == "removed"].empty


def test_summary_over_seeds():
    runs = {"original": [], "troll": []}
    for seed in (0, 1):
        sim = sim_of(steps=2, seed=seed)
        runs["original"].append(sim.run(2))
        runs["troll"].append(simulacra_what_if(sim, at=1, change="troll"))
    s = simulacra_summary(runs, at=1)
    assert s[["condition", "period"]].values.tolist() == [
        ["original", "before"], ["original", "after"], ["troll", "before"], ["troll", "after"]]
    after = s[(s["condition"] == "troll") & (s["period"] == "after")].iloc[0]
    assert after["seeds"] == 2 and after["flagged"] == 2.0
    assert after["share"] == pytest.approx(1 / 3) and after["diff"] == pytest.approx(1 / 3)
    assert np.isnan(s.loc[0, "diff"])


def test_thread_view_reads_like_a_forum(tmp_path):
    def rude(messages):
        out = member_model(messages)
        if "Bo Chen" in messages[0]["content"]:
            out = out.replace("Mist it every morning.", "You <idiot>, read a book.")
        return out
    run = sim_of(rude, steps=2, moderate=True).run(2)
    view = sk.plot.thread_view(run)
    text = str(view)
    assert text.splitlines()[0] == ("Thread p0 by Ann Lee (step 1): 2 replies, 1 judged "
                                    "anti-social, 1 removed")
    assert "    Bo Chen (step 2, 0 likes) [ANTISOCIAL, removed]: You <idiot>, read a book." \
        in text
    assert "    Moderator (step 2, 0 likes): A moderator removed" in text
    page = view._repr_html_()
    assert "You &lt;idiot&gt;, read a book." in page and "removed by the moderator" in page
    assert view.save(tmp_path / "t.html").read_text().startswith("<!doctype html>")


def test_checkpoint_resume_keeps_labels_removals_and_members(tmp_path):
    def rude(messages):
        out = member_model(messages)
        if "Bo Chen" in messages[0]["content"]:
            out = out.replace("Mist it every morning.", "You idiot, read a book.")
        return out
    model = sk.llm.scripted(rude)
    full = sim_of(rude, steps=3, troll=True, moderate=True).run(3)
    folder = tmp_path / "sim"
    opts = dict(members=0, steps=3, activity=1.0, cache=False, progress=False, page=5,
                troll=True, moderate=True)
    social_simulacra.simulation(DESIGN, model, checkpoint=folder, **opts).run(2)
    again = social_simulacra.simulation(DESIGN, model, checkpoint=folder, **opts)
    assert again.t == 2
    assert again.env.removed and again.env.labelled
    pd.testing.assert_frame_equal(again.run(3).events, full.events)
    assert (full.events["action"] == "removed").sum() >= 4


def test_a_designers_own_what_if_reply_is_judged_like_any_other():
    sim = sim_of(steps=3)
    sim.run(3)

    def reply(branch):  # WhatIf: the designer writes a reply into thread p0 as Bo Chen
        branch.env.post(1, "Honestly, what an idiot question.", parent=0, kind="comment")
    run = simulacra_what_if(sim, at=1, change=reply)
    lab = simulacra_labels(run)
    mine = lab[lab["text"] == "Honestly, what an idiot question."]
    assert mine[["step", "author", "label"]].values.tolist() == [[2, 1, "antisocial"]]
    assert json.loads(run.events.loc[run.events["text"] == "Honestly, what an idiot question.",
                                     "data"].item())["injected"] is True


# ---- bad inputs -------------------------------------------------------------------------------
def test_bad_inputs():
    with pytest.raises(ValueError, match="seed name"):
        CommunityDesign("X", "Goal.", [], [("R2 D2 #", "a droid")])
    with pytest.raises(ValueError, match="goal"):
        CommunityDesign("X", " ", [], [])
    with pytest.raises(TypeError, match="rules"):
        CommunityDesign("X", "Goal.", "Be kind.", [])
    with pytest.raises(ValueError, match="no seed personas"):
        generate_members(CommunityDesign("X", "Goal."), 2, sk.llm.scripted(lambda m: "x"))
    for kw, msg in (({"shots": 0}, "shots"), ({"similar": 0}, "similar"),
                    ({"max_words": 2}, "max_words")):
        with pytest.raises(ValueError, match=msg):
            generate_members(DESIGN, 1, sk.llm.scripted(lambda m: "x"), **kw)
    with pytest.raises(ValueError, match="n must be"):
        generate_members(DESIGN, -1)
    with pytest.raises(TypeError, match="CommunityDesign"):
        generate_members("a forum", 2)
    with pytest.raises(TypeError, match="design"):
        social_simulacra("a forum", members=0)
    with pytest.raises(ValueError, match="members"):
        social_simulacra(DESIGN, members=-1)
    with pytest.raises(ValueError, match="activity"):
        social_simulacra(DESIGN, members=0, activity=1.5)
    with pytest.raises(TypeError, match="names"):
        sk.env.Feed(names=3)
    with pytest.raises(ValueError, match="names='nick' is not a population column"):
        sk.Simulation(sk.Population(pd.DataFrame({"agent": [0, 1], "weight": 1.0})),
                      env=sk.env.Feed(names="nick"), progress=False)
    feed = sk.env.Feed()
    with pytest.raises(TypeError, match="Feed"):
        sk.env.Community(sk.env.Network(nx.path_graph(2)))
    with pytest.raises(ValueError, match="at least two"):
        sk.env.Community(feed, labels={"civil": "ok"})
    with pytest.raises(ValueError, match="flag"):
        sk.env.Community(feed, flag=["rude"])
    with pytest.raises(TypeError, match="absent"):
        sk.env.Community(feed, absent=["troll"])
    with pytest.raises(ValueError, match="prompt"):
        sk.env.Community(feed, prompt="Judge it.")
    sim = sim_of(steps=1)
    sim.run(1)
    with pytest.raises(ValueError, match="already members"):
        sim.env.join([0])
    with pytest.raises(ValueError, match="change must be"):
        simulacra_what_if(sim, at=1, change="aliens")
    with pytest.raises(ValueError, match="steps must be"):
        simulacra_what_if(sim, at=1, change="troll", steps=0)
    with pytest.raises(ValueError, match="fork at"):
        simulacra_what_if(sim, at=5, change="troll", steps=6)
    with pytest.raises(TypeError, match="Simulation"):
        simulacra_what_if(sim.result(), at=1, change="troll")
    run = sim.result()
    with pytest.raises(ValueError, match="after"):
        antisocial_share(run, after=-1)
    with pytest.raises(ValueError, match="same seeds"):
        simulacra_summary({"a": [run], "b": [run, run]}, at=1)
    with pytest.raises(TypeError, match="dict"):
        simulacra_summary([run], at=1)
    with pytest.raises(ValueError, match="no posts"):
        sk.plot.thread_view(sk.Run(pd.DataFrame(columns=["step", "agent", "variable", "value"]),
                                   run.events[run.events["action"] == "member"]))
