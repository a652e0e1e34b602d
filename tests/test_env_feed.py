"""The social feed: every mechanic with scripted agents (exact pages, reactions, trees,
follows), the LLM view and menus, checkpoints and forks, and every bad input."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk
from socialkit.agents import ScriptedPolicy


def population(n, **cols):
    return sk.Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0, **cols}))


def plan(script):
    """A scripted policy from {(step, agent): decision}; everyone else does nothing."""
    def act(agent, obs, state, step):
        return script.get((step, agent), {"action": "do_nothing"})
    return ScriptedPolicy(act, name="plan")


def posts(author, text):
    return pd.DataFrame({"author": author, "text": text})


def data(run, action=None):
    ev = run.events if action is None else run.events[run.events["action"] == action]
    return [json.loads(d) for d in ev["data"]]


def simulate(n, feed, script, steps, **kw):
    sim = sk.Simulation(population(n), env=feed, policy=plan(script), progress=False, **kw)
    return sim, sim.run(steps)


# ---- pages ---------------------------------------------------------------------------------
def test_chronological_pages_are_followees_newest_first():
    G = nx.DiGraph([(0, 3), (1, 3), (2, 4)])           # 3 follows 0 and 1; 4 follows 2
    feed = sk.env.Feed(G, page=2, seed_posts=posts([0, 1, 2, 3], ["a", "b", "c", "d"]))
    script = {(1, 0): {"action": "post", "text": "e", "topic": -1}}
    sim, run = simulate(5, feed, script, 2)
    ex = sk.env.exposures(run)
    pages = ex.groupby(["step", "agent"])["post"].apply(list).to_dict()
    assert pages[(1, 3)] == [1, 0] and pages[(1, 4)] == [2]
    assert (1, 0) not in pages and (1, 1) not in pages  # they follow no one: empty pages
    assert pages[(2, 3)] == [4, 1]                       # the new post first, page of 2
    assert ex["rank"].max() == 1 and not ex["injected"].any()


def test_chronological_window_and_reposts_by_followees():
    G = nx.DiGraph([(0, 1), (1, 2)])                    # 1 follows 0; 2 follows 1
    feed = sk.env.Feed(G, recommender=sk.env.Chronological(window=1),
                       seed_posts=posts([0], ["root"]))
    script = {(1, 1): {"action": "repost", "post_id": 0}}
    _, run = simulate(3, feed, script, 3)
    ex = sk.env.exposures(run)
    seen = ex.groupby(["step", "agent"])["post"].apply(list).to_dict()
    assert seen[(1, 1)] == [0]            # step 1: the seed (made at step 0) is within 1 step
    assert seen[(2, 2)] == [1]            # step 2: 2 sees 1's repost of 0
    assert (3, 2) not in seen             # step 3: the repost is older than the window


def test_hot_ranking_follows_reddit_formula():
    feed = sk.env.Feed(None, recommender=sk.env.Hot(decay=1.0), page=3,
                       seed_posts=posts([0, 1, 2], ["x", "y", "z"]))
    # step 1: 3, 4, 5 like item 0; 4 and 5 like item 1; agent 6 posts item 3
    script = {(1, 3): {"action": "like", "post_id": 0}, (1, 4): {"action": "like", "post_id": 0},
              (1, 5): {"action": "like", "post_id": 0}, (1, 6): {"action": "post", "text": "w",
                                                                   "topic": -1}}
    script[(1, 7)] = {"action": "like", "post_id": 1}
    script[(1, 8)] = {"action": "like", "post_id": 1}
    _, run = simulate(9, feed, script, 2)
    hot = sk.env.Hot(decay=1.0)
    s = hot.scores(feed, np.arange(4))
    # log10(3) + 0, log10(2) + 0, 0, 0 + 1 (one step newer)
    np.testing.assert_allclose(s, [np.log10(3), np.log10(2), 0.0, 1.0])
    page = sk.env.exposures(run).query("step == 2 and agent == 0")["post"].tolist()
    assert page == [3, 1, 2]              # its own item 0 left out
    page = sk.env.exposures(run).query("step == 2 and agent == 6")["post"].tolist()
    assert page == [0, 1, 2]


def test_random_pages_follow_the_seed_and_never_repeat_or_show_own():
    def run(seed):
        feed = sk.env.Feed(None, recommender="random", page=4,
                           seed_posts=posts(list(range(8)), list("abcdefgh")))
        return simulate(8, feed, {}, 2, seed=seed)[1]

    a, b, c = run(1), run(1), run(2)
    ea, ec = sk.env.exposures(a), sk.env.exposures(c)
    assert ea.equals(sk.env.exposures(b)) and not ea.equals(ec)
    assert (ea["post"] != ea["agent"]).all()            # item i was written by agent i
    assert not ea.duplicated(["step", "agent", "post"]).any()
    assert (ea.groupby(["step", "agent"]).size() == 4).all()


def test_inject_fills_the_last_slots_with_other_random_items():
    G = nx.DiGraph([(0, 5), (1, 5)])
    feed = sk.env.Feed(G, page=4, inject=2, seed_posts=posts([0, 1, 2, 3, 4],
                                                             list("abcde")))
    _, run = simulate(6, feed, {}, 3, seed=3)
    ex = sk.env.exposures(run).query("agent == 5")
    for _, pg in ex.groupby("step"):
        assert pg["post"].tolist()[:2] == [1, 0]
        assert pg["injected"].tolist() == [False, False, True, True]
        assert set(pg["post"].tolist()[2:]) <= {2, 3, 4}
    assert sk.env.Feed(page=3, inject=3).inject == 3


def test_collaborative_filtering_recommends_what_similar_agents_liked():
    feed = sk.env.Feed(None, recommender="cf", page=2,
                       seed_posts=posts([5, 5, 5, 5], ["x", "y", "z", "w"]))
    script = {(1, 0): {"action": "like", "post_id": 0}, (1, 1): {"action": "like", "post_id": 0},
              (2, 1): {"action": "like", "post_id": 1}, (1, 2): {"action": "like", "post_id": 3},
              (2, 2): {"action": "like", "post_id": 2}}
    _, run = simulate(6, feed, script, 3)
    page = sk.env.exposures(run).query("step == 3 and agent == 0")["post"].tolist()
    assert page[0] == 1    # 1 shares a like with 0 and liked item 1; 2 shares none
    cf = feed.recommender
    cf.fit(feed)
    got = cf.rank(feed, np.array([0, 3]), 2, np.random.default_rng(0))
    assert got[0, 0] == 1 and got[1].tolist() == sk.env.Hot().rank(
        feed, np.array([3]), 2, None)[0].tolist()  # no likes: the fallback


def test_interest_ranks_by_profile_and_history():
    pop = population(3, about=["I love cats and kittens", "football every weekend", "x"])
    feed = sk.env.Feed(None, recommender=sk.env.Interest(alpha=1.0), page=2, profile="about",
                       embedding=sk.memory.HashEmbedding(dim=512),
                       seed_posts=posts([2, 2, 2], ["football match tonight", "cats are cute",
                                                    "kittens and cats sleeping"]))
    sim = sk.Simulation(pop, env=feed, policy=plan({}), progress=False)
    run = sim.run(1)
    ex = sk.env.exposures(run).groupby("agent")["post"].apply(list).to_dict()
    assert set(ex[0]) == {1, 2} and ex[1][0] == 0
    # history: with alpha 0 an agent who liked the football post gets football first
    rec = sk.env.Interest(alpha=0.0)
    feed.log.add(np.array([0]), np.array([0]), 1, np.array([4]))
    assert rec.rank(feed, np.array([0]), 1, None)[0, 0] == 0


def test_function_recommender_and_its_checks():
    def newest_first(feed, viewers, k, rng):
        pool = feed.pool()[::-1][:k]
        return np.tile(np.pad(pool, (0, k - len(pool)), constant_values=-1), (len(viewers), 1))

    feed = sk.env.Feed(None, recommender=newest_first, page=2,
                       seed_posts=posts([0, 0, 0], list("abc")))
    _, run = simulate(2, feed, {}, 1)
    assert sk.env.exposures(run).query("agent == 1")["post"].tolist() == [2, 1]
    assert feed.spec()["recommender"]["name"] == "newest_first"
    for bad, match in ((lambda f, v, k, r: np.zeros((len(v), k + 1), dtype=int), "shape"),
                       (lambda f, v, k, r: np.full((len(v), k), 99), "do not exist")):
        feed = sk.env.Feed(None, recommender=bad, page=2, seed_posts=posts([0], ["a"]))
        with pytest.raises(ValueError, match=match):
            simulate(2, feed, {}, 1)


# ---- reactions, trees, follows -------------------------------------------------------------
def test_likes_dislikes_and_their_rejections():
    feed = sk.env.Feed(None, recommender="random", seed_posts=posts([0, 1], ["a", "b"]))
    script = {(1, 1): {"action": "like", "post_id": 0}, (1, 2): {"action": "dislike",
                                                                 "post_id": 0},
              (1, 0): {"action": "like", "post_id": 0},          # own item
              (2, 1): {"action": "dislike", "post_id": 0},       # already reacted
              (2, 2): {"action": "like", "post_id": 7},          # no such item
              (2, 0): {"action": "like", "post_id": 1}}
    _, run = simulate(3, feed, script, 2)
    assert int(feed.posts.likes[0]) == 1 and int(feed.posts.dislikes[0]) == 1
    assert int(feed.posts.likes[1]) == 1
    ev = run.events[run.events["step"] > 0]
    ev = ev[ev["action"] != "feed"]
    assert ev[["step", "agent", "action", "target", "text"]].values.tolist() == [
        [1, 0, "rejected", -1, "own item"], [1, 1, "like", 0, None], [1, 2, "dislike", 0, None],
        [2, 0, "like", 1, None], [2, 1, "rejected", -1, "already reacted to it"],
        [2, 2, "rejected", -1, "no such item"]]
    assert json.loads(ev["data"].iloc[4]) == {"action": "dislike", "post": 0}
    m = run.measures()
    assert m.loc[1, "n_like.value"] == 1 and m.loc[2, "n_rejected.value"] == 2


def test_reply_trees_reposts_and_quotes():
    feed = sk.env.Feed(None, recommender="random", seed_posts=posts([0], ["root"]))
    script = {(1, 1): {"action": "comment", "post_id": 0, "text": "reply", "topic": -1},
              (1, 2): {"action": "repost", "post_id": 0},
              (2, 3): {"action": "comment", "post_id": 1, "text": "reply to reply", "topic": -1},
              (2, 4): {"action": "repost", "post_id": 2},        # a repost of 2's repost
              (2, 1): {"action": "like", "post_id": 2},          # like of a repost: its content
              (2, 5): {"action": "comment", "post_id": 2, "text": "on the repost", "topic": -1},
              (3, 5): {"action": "quote", "post_id": 4, "text": "look", "topic": -1},
              (3, 2): {"action": "repost", "post_id": 4},        # already shared content 0
              (3, 0): {"action": "repost", "post_id": 2}}        # own content
    _, run = simulate(6, feed, script, 3)
    it = sk.env.items(run)
    assert it[["post", "agent", "kind", "parent", "root", "depth"]].values.tolist() == [
        [0, 0, "post", -1, 0, 0], [1, 1, "comment", 0, 0, 1], [2, 2, "repost", 0, 0, 1],
        [3, 3, "comment", 1, 0, 2], [4, 4, "repost", 2, 0, 2], [5, 5, "comment", 0, 0, 1],
        [6, 5, "quote", 4, 0, 3]]
    p = feed.posts
    assert p.source.tolist() == [0, 1, 0, 3, 0, 5, 6]
    assert int(p.likes[0]) == 1 and int(p.shares[0]) == 1 and int(p.shares[2]) == 1
    assert int(p.replies[0]) == 2 and int(p.replies[1]) == 1 and int(p.shares[4]) == 1
    like = data(run, "like")[0]
    assert like == {"post": 0, "root": 0, "via": 2}
    rej = run.events[run.events["action"] == "rejected"]["text"].tolist()
    assert rej == ["own item", "already shared it"]
    ev = run.events[run.events["action"] == "repost"]
    assert ev["target"].tolist() == [0, 2]   # whom each share came through
    th = sk.env.thread(run, 0)
    assert th[["post", "depth", "likes"]].values.tolist() == [[0, 0, 1], [1, 1, 0], [3, 2, 0],
                                                              [5, 1, 0]]
    assert th["text"].tolist() == ["root", "reply", "reply to reply", "on the repost"]
    with pytest.raises(ValueError, match="no item 99"):
        sk.env.thread(run, 99)


def test_follow_and_unfollow_change_the_graph_and_the_feed():
    feed = sk.env.Feed(nx.DiGraph([(0, 1)]), seed_posts=posts([0, 2], ["a", "b"]))
    script = {(1, 1): {"action": "follow", "user": 2}, (2, 1): {"action": "unfollow", "user": 0},
              (1, 2): {"action": "follow", "user": 2},        # oneself
              (1, 0): {"action": "unfollow", "user": 1},      # not following
              (2, 2): {"action": "follow", "user": 9},        # no such account
              (3, 1): {"action": "follow", "user": 2}}        # already following
    _, run = simulate(3, feed, script, 3)
    seen = sk.env.exposures(run).groupby(["step", "agent"])["post"].apply(list).to_dict()
    assert seen[(1, 1)] == [0] and seen[(2, 1)] == [1, 0] and seen[(3, 1)] == [1]
    G = feed.follow_graph()
    assert sorted(G.edges()) == [(2, 1)] and sorted(G.nodes()) == [0, 1, 2]
    assert run.events[run.events["action"] == "rejected"]["text"].tolist() == [
        "not following", "cannot follow oneself", "no such account", "already following"]
    ok = run.events[run.events["action"].isin(["follow", "unfollow"])]
    assert ok[["step", "agent", "action", "target"]].values.tolist() == [
        [0, 1, "follow", 0], [1, 1, "follow", 2], [2, 1, "unfollow", 0]]   # step 0: initial
    assert json.loads(ok["data"].iloc[0]) == {"initial": True}
    assert sorted(sk.network.follow_network(run, step=1).edges()) == [(0, 1), (2, 1)]
    assert sorted(sk.network.follow_network(run).edges()) == [(2, 1)]
    quiet = sk.env.Feed(nx.DiGraph([(0, 1)]), log_graph=False)
    _, run = simulate(3, quiet, {}, 1)
    assert "follow" not in set(run.events["action"])
    assert sorted(sk.network.follow_network(run, initial=nx.DiGraph([(0, 1)])).edges()) == \
        [(0, 1)]


def test_who_to_follow_suggestions():
    G = nx.DiGraph([(0, 1), (0, 2), (0, 3), (1, 2), (3, 4), (1, 4)])  # 4 follows 3 and 1
    for who, expect in (("popular", [0, 2]), ("fof", [0, 2])):
        feed = sk.env.Feed(G, people=2, who_to_follow=who)
        sim, run = simulate(5, feed, {}, 1)
        assert sorted(feed.suggested([4]).ravel().tolist()) == expect
        assert 4 not in feed.suggested([4]) and 3 not in feed.suggested([4])
    feed = sk.env.Feed(G, people=3, who_to_follow="random")
    simulate(5, feed, {}, 1)
    got = feed.suggested([4]).ravel()
    assert len(set(got.tolist())) == 3 and not {3, 1, 4} & set(got.tolist())


def test_equal_suggestions_are_ordered_at_random_not_by_position():
    picked = set()
    for who in ("popular", "fof", "similar"):
        for seed in range(4):  # no one follows anyone: every account scores the same
            feed = sk.env.Feed(nx.DiGraph(), people=2, who_to_follow=who)
            sim, _ = simulate(30, feed, {}, 1, seed=seed)
            got = feed.suggested(sim.agents.ids).ravel().tolist()
            assert -1 not in got and all(a != b for a, b in zip(
                sim.agents.ids.repeat(2).tolist(), got, strict=True))
            picked |= set(got)
            again = sk.env.Feed(nx.DiGraph(), people=2, who_to_follow=who)
            sim2, _ = simulate(30, again, {}, 1, seed=seed)  # the same seed: the same picks
            assert again.suggested(sim2.agents.ids).ravel().tolist() == got
    assert len(picked) > 6  # by position: the same three accounts (0, 1, 2) every time


# ---- content by hand, moderation, forks, checkpoints ---------------------------------------
def test_post_and_hide_between_steps_in_a_fork():
    def make():
        return sk.env.Feed(None, recommender="random", page=5,
                           seed_posts=posts([0, 1], ["hello", "world"]))

    script = {(2, 3): {"action": "like", "post_id": 0}, (3, 3): {"action": "like", "post_id": 2}}
    sim, base = simulate(4, make(), script, 3)

    def moderate(b):
        b.env.hide([0])
        b.env.post(2, "Please be kind.", parent=None)
        b.env.post([1], None, parent=1, kind="repost")

    branch = sim.fork(at=1, intervene=moderate)
    run = branch.run(3)
    it = sk.env.items(run)
    assert it[["post", "agent", "kind", "step"]].values.tolist()[2:] == [
        [2, 2, "post", 2], [3, 1, "repost", 2]]
    made = data(run, "post")[-1]
    assert made["injected"] is True and made["post"] == 2
    ex = sk.env.exposures(run)
    assert 0 not in ex[ex["step"] >= 2]["post"].tolist()
    rej = run.events[(run.events["action"] == "rejected")]
    assert rej["text"].tolist() == ["the item was removed"]
    assert not base.events.equals(run.events)
    with pytest.raises(ValueError, match="not part of a started simulation"):
        make().post(0, "too early")
    with pytest.raises(ValueError, match="no item"):
        branch.env.hide([99])
    with pytest.raises(ValueError, match="needs a parent"):
        branch.env.post(0, "x", kind="comment")
    with pytest.raises(ValueError, match="2 text values for 1 authors"):
        branch.env.post([0], ["a", "b"])


def test_checkpoint_resume_is_identical(tmp_path):
    def make():
        G = sk.network.barabasi_albert(60, 2, seed=1).to_directed()
        return sk.env.Feed(G, recommender="hot", page=4, inject=1, topics=["a", "b"],
                           seed_posts=pd.DataFrame({"author": [0, 1], "topic": [0, 1]}))

    pop = population(60, topic=np.arange(60) % 2)
    pol = sk.env.feed_rule(interest="topic", dislike=0.05, quote=0.05, unfollow=0.02)
    full = sk.Simulation(pop, env=make(), policy=pol, activation=0.5, seed=4,
                         progress=False).run(4)
    folder = tmp_path / "feed"
    sk.Simulation(pop, env=make(), policy=pol, activation=0.5, seed=4, progress=False,
                  checkpoint=folder).run(2)
    again = sk.Simulation(pop, env=make(), policy=pol, activation=0.5, seed=4, progress=False,
                          checkpoint=folder)
    assert again.t == 2
    assert again.run(4).events.equals(full.events)
    assert {"like", "post", "repost", "feed"} <= set(full.events["action"])


# ---- LLM agents ------------------------------------------------------------------------------
def test_llm_agents_read_their_page_and_choose_by_id():
    G = nx.DiGraph([(0, 1), (2, 1)])
    seen = []

    def model(messages):
        last = messages[-1]["content"]
        seen.append(last)
        first = last.split("like a post or a comment (post_id: one of ")[1][:2]
        return f"action: like\npost_id: {first}"

    feed = sk.env.Feed(G, comments=1, people=1, seed_posts=posts([0, 2], ["first", "second"]))
    pop = population(3)
    sim = sk.Simulation(pop, env=feed, model=sk.llm.scripted(model), seed=1, progress=False,
                        activation={1: [1], 2: [1]})
    run = sim.run(2)
    first = seen[0]
    assert first.startswith("Step 1. Your feed:\n- p1 by u2 (1 step ago): \"second\"")
    assert "[0 likes, 0 dislikes, 0 replies, 0 shares]" in first
    assert "like(post_id): like a post or a comment (post_id: one of p1, p0)" in first
    assert "unfollow(user): stop following an account (user: one of u2, u0)" in first
    assert "(you liked it)" in seen[1] and "like(post_id): like a post or a comment " \
        "(post_id: one of p0)" in seen[1]
    ev = run.events[run.events["action"] == "like"]
    assert ev[["step", "agent", "target"]].values.tolist() == [[1, 1, 2], [2, 1, 0]]


def test_llm_invalid_choice_is_missing_not_guessed():
    feed = sk.env.Feed(nx.DiGraph([(0, 1)]), actions=["like", "do_nothing"],
                       seed_posts=posts([0], ["hi"]))
    model = sk.llm.scripted(lambda m: "action: like\npost_id: p7")
    sim = sk.Simulation(population(2), env=feed, model=model, seed=1, progress=False,
                        reasks=0, activation={1: [1]})
    run = sim.run(1)
    miss = run.events[run.events["action"] == "missing"]
    assert len(miss) == 1 and "'p7' is not one of p0" in miss["text"].iloc[0]
    assert int(feed.posts.likes[0]) == 0


def test_llm_topics_are_inferred_and_archetypes_share_pages():
    topics = ["cats and pets", "football and sport"]
    feed = sk.env.Feed(None, recommender="hot", topics=topics,
                       embedding=sk.memory.HashEmbedding(dim=256),
                       seed_posts=posts([0], ["my cats are pets"]))
    model = sk.llm.scripted(lambda m: "action: post\ntext: football sport today")
    pop = population(6, group=["a"] * 6)
    sim = sk.Simulation(pop, env=feed, model=model, seed=1, progress=False, group_by=["group"])
    sim.run(1)
    assert feed.posts.topic.tolist() == [0] + [1] * 6
    assert sim.session.summary().usage.calls <= 2   # the poster sees another page


# ---- the rule user ----------------------------------------------------------------------------
def test_feed_rule_acts_with_its_rates_and_interests():
    n = 400
    pop = population(n, topic=np.arange(n) % 2)
    feed = sk.env.Feed(None, recommender="random", page=6, topics=["a", "b"],
                       seed_posts=pd.DataFrame({"author": np.arange(40), "topic": np.arange(40)
                                                % 2}))
    sim = sk.Simulation(pop, env=feed, policy=sk.env.feed_rule(post=0.2, like=0.6, repost=0.0,
                                                               comment=0.0, follow=0.0,
                                                               interest="topic", match=9.0),
                        seed=2, progress=False)
    run = sim.run(2)
    counts = run.events["action"].value_counts()
    assert abs(counts["post"] - 0.2 * 2 * n) < 60 and abs(counts["like"] - 0.6 * 2 * n) < 80
    likes = pd.DataFrame(data(run, "like"))
    liked_topic = feed.posts.topic[likes["post"].to_numpy()]
    liker_topic = run.events[run.events["action"] == "like"]["agent"].to_numpy() % 2
    assert (liked_topic == liker_topic).mean() > 0.75
    assert "rejected" not in counts


@pytest.mark.parametrize("kw, err, match", [
    ({"page": 0}, ValueError, "page must be a positive integer"),
    ({"inject": 3, "page": 2}, ValueError, "inject=3 exceeds page=2"),
    ({"actions": ["like", "share"]}, ValueError, "not feed actions"),
    ({"topics": "sport"}, TypeError, "list of names"),
    ({"topics": ["a", "a"]}, ValueError, "must differ"),
    ({"recommender": "latest"}, ValueError, "unknown recommender"),
    ({"recommender": 5}, TypeError, "recommender must be"),
    ({"G": "graph"}, TypeError, "networkx graph"),
    ({"G": np.zeros((3, 3), dtype=int)}, ValueError, r"\(m, 2\) integer arcs"),
    ({"G": nx.DiGraph([("a", "b")])}, ValueError, "integers"),
    ({"seed_posts": [1, 2]}, TypeError, "DataFrame"),
    ({"seed_posts": pd.DataFrame({"text": ["x"]})}, ValueError, "'author' column"),
    ({"seed_posts": pd.DataFrame({"author": [0]})}, ValueError, "'text' or a 'topic'"),
    ({"who_to_follow": "famous"}, ValueError, "who_to_follow must be one of"),
    ({"embedding": "minilm"}, TypeError, "embedding must be a function"),
    ({"log_exposure": 1}, TypeError, "True or False"),
    ({"profile": 3}, TypeError, "population column"),
])
def test_bad_feed_arguments(kw, err, match):
    with pytest.raises(err, match=match):
        sk.env.Feed(**kw)


@pytest.mark.parametrize("kw, match", [
    ({"G": nx.DiGraph([(0, 9)])}, "not agents of the population"),
    ({"seed_posts": posts([9], ["x"])}, "not agents"),
    ({"seed_posts": pd.DataFrame({"author": [0], "topic": ["sport"]})}, "not one of the feed's"),
    ({"profile": "interests"}, "not a population column"),
])
def test_bad_feed_arguments_at_setup(kw, match):
    with pytest.raises(ValueError, match=match):
        simulate(3, sk.env.Feed(**kw), {}, 1)


def test_bad_rule_decisions():
    feed = sk.env.Feed(None, topics=["a"], seed_posts=posts([0], ["x"]))
    with pytest.raises(ValueError, match="topic 4 is not a topic code"):
        simulate(2, feed, {(1, 1): {"action": "post", "text": "", "topic": 4}}, 1)
    with pytest.raises(ValueError, match="needs 'post_id'"):
        simulate(2, sk.env.Feed(None), {(1, 1): {"action": "like"}}, 1)
    feed = sk.env.Feed(None)
    simulate(2, feed, {}, 1, activation={1: [1]})
    with pytest.raises(ValueError, match="no page this step"):
        feed.page([0])
    with pytest.raises(ValueError, match="probabilities sum"):
        sk.env.FeedRule(post=0.9, like=0.9)
    with pytest.raises(ValueError, match="must be a probability"):
        sk.env.FeedRule(like=-0.1)
    with pytest.raises(ValueError, match="window must be a positive"):
        sk.env.Hot(window=0)
    with pytest.raises(TypeError, match="Run or its events"):
        sk.env.exposures([1, 2])


def test_seed_votes_and_votes_between_steps():
    seeds = posts([0, 1, 2], ["a", "b", "c"])
    votes = pd.DataFrame({"post": [0, 2], "vote": ["like", "dislike"]})
    feed = sk.env.Feed(None, recommender="random", seed_posts=seeds, seed_votes=votes)
    sim, run = simulate(4, feed, {}, 1)
    assert feed.posts.likes.tolist() == [1, 0, 0] and feed.posts.dislikes.tolist() == [0, 0, 1]
    man = run.events[run.events["agent"] == -1]
    assert man[["step", "action", "target"]].values.tolist() == [[0, "like", 0],
                                                                   [0, "dislike", 2]]
    assert json.loads(man["data"].iloc[0]) == {"manipulated": True, "post": 0, "root": 0}
    branch = sim.fork(at=1, intervene=lambda b: b.env.vote([1, 1], "like"))
    run2 = branch.run(2)
    assert int(branch.env.posts.likes[1]) == 2
    assert (run2.events[run2.events["agent"] == -1]["step"] == 2).sum() == 2
    assert -1 not in sk.network.follow_network(run2).nodes
    with pytest.raises(ValueError, match="'like' or 'dislike'"):
        branch.env.vote([0], "love")
    for bad, match in ((pd.DataFrame({"post": [0]}), "columns 'post' and 'vote'"),
                       (pd.DataFrame({"post": [5], "vote": ["like"]}), "seeded items 0..2"),
                       (pd.DataFrame({"post": [0], "vote": ["up"]}), "'like' or 'dislike'")):
        with pytest.raises(ValueError, match=match):
            sk.env.Feed(None, seed_posts=seeds, seed_votes=bad)
    with pytest.raises(TypeError, match="seed_votes must be a DataFrame"):
        sk.env.Feed(None, seed_posts=seeds, seed_votes=[0])
