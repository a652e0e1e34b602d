"""Write notebook 14_social_feed.ipynb (no outputs).

Run from the repository root:  .venv/bin/python notebooks/build_14.py
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python"}}


def md(text):
    return new_markdown_cell(text.strip())


def code(text):
    return new_code_cell(text.strip())


CELLS = [
    md("""
# 14 · A social media platform: feed, recommenders, cascades against real Twitter data, S3, herd effects and information cocoons

`sk.env.Feed` is a social media platform on the agent kernel: posts, reply trees, reposts and
quotes, likes and dislikes, a follow graph that evolves, a pluggable recommender, and every
action an event with structured data. This notebook

1. tours the platform and the follow network it forms (the friendship paradox, against a
   configuration-model null and by tie strength);
2. compares simulated spreading with **real spreading**: the Higgs Twitter retweets
   (De Domenico et al. 2013, 354,930 retweets, 1–7 July 2012) — cascade shapes, per-user
   activity, the propagation curve;
3. runs five published scenarios next to what their papers report: **S3** (Gao et al. 2023),
   the **herd effect** (Muchnik, Aral & Taylor 2013, as replicated by OASIS), **information
   cocoons** (RecAgent, Wang et al. 2023), the **friendship paradox** of a network agents form
   (the GABM study, Orlando et al. 2025) and a **misinformation clone** (Puri et al. 2024).

Rule-based agents give the large runs (they run in seconds and have known behaviour, so they
also check that each measure recovers what it should); LLM agents run on the embedded
135M-parameter model at tiny sizes, so that the notebook executes in about a minute on two
cores. The first cell holds the sizes; the papers' sizes are in the comments.
"""),
    code("""
import numpy as np
import pandas as pd
import plotly.express as px
import socialkit as sk
from socialkit.agents import RulePolicy
from socialkit.scenarios import (CascadeRule, HerdRule, S3Rule, clone_layers, clone_reference,
                                 clone_summary, cocoons, diversity, friendship_paradox_feed,
                                 herd_effect, herd_summary, higgs_paradox, misinformation_clone,
                                 paradox_by_step, paradox_population, paradox_rule, s3,
                                 s3_curves, s3_network, s3_reference)

SEEDS = [1, 2, 3]                    # replicates of every rule-based run
S3_USERS, S3_STEPS = 150, 12         # Higgs users x steps of 14 hours (S3: thousands of users)
S3_LLM_USERS = 4                     # embedded-model agents (3 calls per active agent-step)
HERD = dict(agents=200, posts=60, steps=6)   # rule voters (Muchnik et al.: 101,281 comments)
HERD_LLM = dict(agents=4, posts=3, steps=1)  # embedded-model voters
COCOON = dict(agents=60, steps=8)    # RecAgent's demo: up to 1,000 users
PARADOX = dict(agents=150, steps=20) # rule users forming a follow network (GABM: cloned users)
PARADOX_LLM = 4                      # embedded-model users (1 call per active agent-step)
CLONE = dict(n=200, sources=3, trials=30, steps=5)  # Puri et al.: 1,000 trials per post
CLONE_LLM = dict(n=8, sources=1, trials=1, steps=2) # embedded-model clone
model = None   # the embedded SmolLM2-135M; or e.g.
# from langchain_openai import ChatOpenAI
# model = sk.llm.from_langchain(ChatOpenAI(model="gpt-4o-mini", base_url=...))
"""),
    md("""
## 1 · The platform

A feed on a small follow graph, seeded with a few posts, used by rule agents
(`sk.env.feed_rule`: post, comment, repost, quote, like, dislike, follow, unfollow or scroll
on; items on the agent's interest topic are likelier to be picked). Arcs point the way
information flows: `u -> v` means `v` follows `u`.
"""),
    code("""
G, people = sk.datasets.higgs_sample(S3_USERS, seeds=3)   # real users: who retweeted whom
pop = sk.Population(people.assign(topic=people["agent"] % 4))
feed = sk.env.Feed(G, recommender="chronological", page=8, people=3, who_to_follow="fof",
                   topics=["physics", "politics", "sport", "music"],
                   seed_posts=pd.DataFrame({"author": [0, 1, 2], "topic": [0, 0, 1]}))
sim = sk.Simulation(pop, env=feed, seed=1, progress=False,
                    policy=sk.env.feed_rule(follow=0.1, unfollow=0.02, interest="topic"))
tour = sim.run(6)
tour.events[tour.events["action"].isin(["post", "comment", "repost", "quote", "like"])].head(8)
"""),
    md("""
Each item carries its `post` id, `parent`, `root` (the post at the top of its tree), `kind`
and `depth`; reactions name the content they reacted to; `feed` events record every page an
agent was shown (`sk.env.exposures` makes them long). The follow graph at any step is rebuilt
from the events, with activity (items made), influence (likes received) and tie strength
(interactions along a follow):
"""),
    code("""
F = sk.network.follow_network(tour, step=6)
fp = sk.network.follow_paradox(F, ci=0.95, n_boot=500, null=50, seed=1)
real = G.copy()                      # the real retweet sample: activity = retweets made
for v, d in real.nodes(data=True):
    d["posts"], d["likes_received"] = people.loc[v, "retweets"], people.loc[v, "retweeted"]
fp_real = sk.network.follow_paradox(real, ["followers", "posts", "likes_received"], ci=0.95,
                                    n_boot=500, null=50, seed=1)
pd.concat({"simulated (step 6)": fp.table.set_index(["attribute", "stratum"]),
           "Higgs sample (real)": fp_real.table.set_index(["attribute", "stratum"])},
          axis=1).xs("paradox_share", axis=1, level=1).join(
    fp.table.set_index(["attribute", "stratum"])[["null_share", "ci_low", "ci_high"]]).round(3)
"""),
    md("""
`paradox_share` is the share of agents whose followees have more of the attribute than they
do; `null_share` what rewiring the follows (keeping everyone's number of followers and
followees) gives; `weak` and `strong` split the follows at the median tie strength. The
GABM study (Orlando et al. 2025) found the paradox emerging in LLM-agent networks and driven
by infrequent (weak) ties; here it is a rule society on a real network, shown to demonstrate
the measurement. The follow network at the last step:
"""),
    code("""
sk.plot.follow_network(tour, step=6, max_nodes=150)
"""),
    md("""
## 2 · Cascades and propagation against the Higgs retweets

Twitter's retweets name only the original author, so real cascades are rebuilt as is usual:
each retweeter's parent is the most recent earlier retweeter of the same author it follows
(the retweet network stands in for the follow graph, which the data set does not include),
else the author (`sk.network.infer_parents`). The simulated cascades are the repost trees of
S3's rule agents on the Higgs sample (section 3): news seeded at the sample's most
retweeted authors, each agent active with its real activity rate.
"""),
    code("""
rt = sk.datasets.load("higgs_retweets")
adopt = rt.rename(columns={"author": "cascade"})
follows = rt[["user", "author"]].drop_duplicates().rename(columns={"author": "followee"})
real_cascades = sk.network.cascades(sk.network.infer_parents(adopt, follows))
rule_runs = {seed: s3(n=S3_USERS, steps=S3_STEPS, seed=seed, progress=False,
                      policy=RulePolicy(S3Rule(repost=0.3, post=0.05))) for seed in SEEDS}
sim_cascades = pd.concat([sk.network.cascades(r, min_size=2) for r in rule_runs.values()])
activity = {"real": rt["user"].value_counts(),
            "simulated": pd.concat([r.events[r.events["action"] == "repost"]["agent"]
                                    .value_counts() for r in rule_runs.values()])}
table = sk.validation.compare_distributions(
    sim_cascades, real_cascades[real_cascades["size"] >= 2],
    ["size", "depth", "max_breadth", "structural_virality"])
pd.concat([table, sk.validation.compare_distributions(
    activity["simulated"], activity["real"]).rename(index={"value": "retweets per user"})]
).round(3)[["n_simulated", "n_real", "median_simulated", "median_real", "max_simulated",
            "max_real", "ks", "wasserstein"]]
"""),
    code("""
sk.plot.cascade_ccdf({"Higgs (real)": real_cascades[real_cascades["size"] >= 2],
                      "simulated (S3 rule agents)": sim_cascades})
"""),
    md("""
The real cascades are heavy-tailed (a few authors are retweeted thousands of times) and
shallow; the simulated ones live on a 150-user sample, so their sizes are capped and their
tails cannot be compared beyond that — the KS and log-scale Wasserstein distances say how far
apart the bulk is. Next, the propagation curve: cumulative distinct retweeters by hour over
the week (the real one jumps when CERN announced the discovery on 4 July) against the
simulated share of agents who shared the news by step, on a shared relative time axis:
"""),
    code("""
week = 1341100800  # 2012-07-01 00:00 UTC
real_curve = sk.network.propagation_curve(rt, every=3600, start=week, end=week + 168 * 3600)
sim_curves = {f"seed {s}": s3_curves(r).set_index("hour")["spread"]
              for s, r in rule_runs.items()}
pd.concat([sk.validation.compare_curves(c, real_curve) for c in sim_curves.values()],
          keys=sim_curves).droplevel(1).round(3)
"""),
    code("""
sk.plot.propagation(sim_curves, real_curve, real_name="Higgs: distinct retweeters")
"""),
    md("""
The rule model spreads from the first step and saturates; the real curve is flat for three
days and jumps at the announcement — an exogenous event the model does not know about. The
numbers say so: a normalised RMSE well above 0.1 and a large negative peak lag.

## 3 · S3: emotion, attitude and posting on a real network

**Paper.** S3 (Gao et al. 2023) put LLM agents on a real Weibo network; each has an emotion
(calm, moderate, intense) and an attitude (support, oppose) towards an event, updated by the
LLM from the messages it receives, and each step reposts, posts or stays idle. The population
curves — how many users know of the event, their emotions, their attitudes — were compared
with curves from real posts (the paper's figures; it reports that they track the real ones
closely). **Here:** a sample of the Higgs retweet network, the news seeded at its most retweeted
authors, each user active with its real activity rate, and as reference the real curve of the
*same users*: the share who had retweeted about the Higgs boson by each step's end. The real
data have no emotion or attitude labels, so those curves have no reference here.
"""),
    code("""
_, s3_pop = s3_network(S3_USERS, 3)
reference = s3_reference(s3_pop, steps=S3_STEPS, hours=14.0).set_index("hour")["spread"]
scores = pd.concat([sk.validation.compare_curves(s3_curves(r).set_index("hour")["spread"],
                                                 reference, align="absolute", normalize=None)
                    for r in rule_runs.values()], keys=[f"seed {s}" for s in SEEDS])
scores.droplevel(1)[["rmse", "mape", "pearson_r", "peak_lag"]].agg(["mean", "min", "max"]
                                                                   ).round(3)
"""),
    code("""
curves = pd.concat({f"seed {s}": s3_curves(r) for s, r in rule_runs.items()},
                   names=["run"]).reset_index(level=0)
long = curves.melt(id_vars=["run", "hour"], value_vars=["aware", "spread", "intense", "support"])
fig = px.line(long, x="hour", y="value", color="variable", line_group="run",
              title="S3 with rule agents: population curves (3 seeds)")
fig.add_scatter(x=reference.index, y=reference.values, name="real: shared by then",
                line={"color": "black", "width": 3})
"""),
    md("""
Now LLM agents on the embedded model, at a size the notebook can afford: each active agent
reports its emotion and attitude and chooses an action from its feed (3 calls per agent-step;
`group_by=["activity"]` lets agents with the same persona and page share a call).
"""),
    code("""
G_small, pop_small = s3_network(S3_LLM_USERS, 1)
pop_small.df["activity_rate"] = 1.0
llm_run = s3(pop_small, model, graph=G_small, steps=1, seed=1, progress=False,
             group_by=["activity"], memory=None, max_words=20)
print(llm_run.provenance["usage"])
s3_curves(llm_run).round(2)
"""),
    code("""
llm_run.events[llm_run.events["action"].isin(["repost", "post", "do_nothing", "missing"])][
    ["step", "agent", "action", "text"]]
"""),
    md("""
What the 135M model does: its answers parse (closed questions and the action menu are
decoded under a grammar on the embedded model, so none is missing), but with a one-line
persona and a 135M model the emotions and attitudes above are a test of the pipeline, not a
simulation of Twitter users. With a capable model (`model=` in the first cell) the same call
runs the scenario as the paper did; at the paper's sizes use `group_by` archetypes and a
server with high concurrency.

## 4 · The herd effect

**Paper.** Muchnik, Aral & Taylor (2013, *Science*) randomly gave new comments on a news site
one up-vote, one down-vote or nothing: a single up-vote raised the probability that the next
vote was positive by **32%** and the comments' final mean score by **25%**; down-votes were
corrected by the community. OASIS (Yang et al. 2024) replicated the design with LLM agents on
its Reddit-like platform and reports herd effects among the agents that appear only in larger
groups.
**Here:** 60 comments, a third up-voted and a third down-voted at step 0 by no agent; voters see
random pages with the current scores. First the estimator on rule voters with a known answer
(no herding, then herding):
"""),
    code("""
def herd(h, seed):
    run = herd_effect(**HERD, seed=seed, progress=False, policy=RulePolicy(HerdRule(herd=h)))
    return herd_summary(run, n_boot=500).set_index("treatment").loc[["up", "down"]]

cols = ["p_positive", "p_positive_ratio", "ratio_low", "ratio_high", "organic_diff",
        "organic_low", "organic_high", "score_diff"]
pd.concat({f"herd={h}, seed {s}": herd(h, s)[cols] for h in (0.0, 0.15) for s in SEEDS[:2]}
          ).round(2)
"""),
    md("""
`p_positive_ratio` is Muchnik's "next vote positive" ratio against control (1.32 in the
paper), `organic_diff` the difference in the agents' own votes (the manipulated vote left
out; `score_diff` keeps it, as a final score does). Without herding the intervals of the
organic difference cover 0; with herding they move away from it, up and down. Now the
embedded model as voters (each sees its persona, an ANES 1996 respondent, and the comments
with their scores):
"""),
    code("""
llm_herd = herd_effect(model=model, **HERD_LLM, seed=1, progress=False)
print(llm_herd.provenance["usage"])
herd_summary(llm_herd, n_boot=200)[["treatment", "posts", "voted", "p_positive", "mean_score"]]
"""),
    md("""
With three comments and four voters nothing can be estimated — the numbers show the pipeline
running on the embedded model, not a finding; the effect needs hundreds of comments (OASIS
reports that herding among its agents appears only in groups of more than a hundred). Which
comment each agent voted on, and what it saw, is in `llm_herd.events`.

## 5 · Information cocoons

**Paper.** RecAgent (Wang et al. 2023) simulated users of a recommender system and reproduced
the information cocoon: a personalised recommender narrows what users are shown round after
round; replacing some recommended items by random ones (its `rec_random_k`) widens it again.
**Here:** agents with two interests among eight topics like, post or scroll on; pages come
from a random, an interest-based (offline MiniLM embeddings of profile and history) or a
collaborative-filtering recommender, with or without two random items per page. Diversity is
the entropy (bits) of the topics an agent saw over the last three steps (3 = all eight topics
equally):
"""),
    code("""
rule = sk.env.feed_rule(like=0.6, post=0.1, comment=0.0, repost=0.0, follow=0.0,
                        interest="interest", match=8.0)
embedding = sk.memory.MiniLM()
conditions = {"random": ("random", 0), "interest": ("interest", 0),
              "interest + 2 random": ("interest", 2), "CF": ("cf", 0),
              "CF + 2 random": ("cf", 2)}
div = []
for name, (rec, inject) in conditions.items():
    run = cocoons(**COCOON, recommender=rec, inject=inject, policy=rule, embedding=embedding,
                  seed=1, progress=False)
    div.append(diversity(run).assign(condition=name))
div = pd.concat(div)
px.line(div, x="step", y="entropy", color="condition", facet_col="what",
        title="Topic entropy of what agents saw and liked (last 3 steps)")
"""),
    code("""
div.pivot_table(index="condition", columns="what", values="entropy",
                aggfunc="last").round(2)
"""),
    md("""
The interest recommender narrows both what agents see and what they like; two random items
per page keep much of the variety; collaborative filtering (which starts from the hot page,
before there are likes) narrows too, and injection widens it again. These are rule agents: the cocoon here comes from the
recommender and a fixed taste, which is RecAgent's mechanism; whether LLM agents' choices add
to it is the question to run with a real model:

```python
run = cocoons(model=model, agents=100, steps=20, recommender="interest", inject=0)
```

## 6 · The friendship paradox of a network agents form

**Paper.** Orlando, La Gatta, Russo & Moscato (2025, "Can Generative Agent-Based Modeling
Replicate the Friendship Paradox in Social Media Simulations?", ACM Web Science) gave LLM agents
that emulate Twitter users (a personality, interests, memory) a platform with a recommender,
where they post, react, follow and unfollow. On the follow network they formed, the
friendship paradox (your followees have more followers than you) and its generalised forms
(more activity, more influence) emerged, agents attached preferentially to more active and
influential accounts, and infrequent (weak) ties drove the paradox, as in real networks (their
data: US 2020 election and QAnon Twitter data sets).
**Here:** agents with a personality and two interests among eight topics, nobody following
anyone at the start, each active with a heavy-tailed activity rate; pages come from the
interest recommender (offline MiniLM embeddings) and three suggested accounts ("who to
follow": friends of friends, then popular). Rule users first (`paradox_rule`: post, like,
repost, comment, follow an author on the page or a suggested account, unfollow), two seeds;
the paradoxes at steps 5 to 20 with 95% bootstrap intervals and the configuration-model
null, next to the real Higgs retweet network (256,491 users; a user "follows" the accounts it
retweeted; activity = retweets made, influence = retweets received):
"""),
    code("""
paradox_runs = {s: friendship_paradox_feed(**PARADOX, policy=paradox_rule(), seed=s,
                                           embedding=embedding, progress=False)
                for s in SEEDS[:2]}
by_step = pd.concat([paradox_by_step(r, [5, 10, 15, 20], n_boot=200, null=20, seed=1)
                     .assign(seed=s) for s, r in paradox_runs.items()])
higgs_fp = higgs_paradox(ci=None, null=0)        # the whole real retweet network
last = by_step[by_step["step"] == PARADOX["steps"]]
last.pivot_table(index=["attribute", "stratum"], columns="seed",
                 values="paradox_share").join(
    last[last["seed"] == SEEDS[0]].set_index(["attribute", "stratum"])[
        ["ci_low", "ci_high", "null_share"]]).join(
    higgs_fp.set_index(["attribute", "stratum"])["paradox_share"].rename("Higgs (real)")
).round(3)
"""),
    code("""
sk.plot.paradox_emergence(by_step[by_step["seed"] == SEEDS[0]], higgs_fp)
"""),
    md("""
The degree paradox (followers) holds for about 90% of the rule agents who follow someone
(99% in the Higgs network), but no more than the configuration-model null of the same degrees
gives: it is the arithmetic of heterogeneous degrees, not a preference. The generalised
paradoxes hold for about 60% (activity) and 75% (influence) of the rule agents, again at their
null; in the Higgs network the influence paradox is near-universal (retweets received go with
retweeters) while the activity paradox holds for only 23% (most retweeters retweet more than
the authors they retweet). `weak` and `strong` split the follows at the median number of
interactions along them (the `split` column of `by_step`); with a few hundred follows their
intervals overlap, so these rule users do not show the paper's weak-tie effect. The mechanism
here is the recommender's exposure and the follow rule; whether LLM agents attach
preferentially is the paper's question, for a capable model:

```python
run = friendship_paradox_feed(model=model, agents=100, steps=20)
paradox_by_step(run, [5, 10, 15, 20])
```

On the embedded model, at a size the notebook affords (every agent active, one round, a page
of three posts and two suggested accounts; the prompts are long, so each call costs several
times an S3 call):
"""),
    code("""
small = paradox_population(PARADOX_LLM, seed=1)
small.df["activity"] = 1.0
llm_fp = friendship_paradox_feed(small, model, steps=1, page=3, people=2, seed=1,
                                 embedding=embedding, progress=False, max_words=12)
print(llm_fp.provenance["usage"])
llm_fp.events[~llm_fp.events["action"].isin(["feed"])][["step", "agent", "action", "target",
                                                        "text"]].tail(8)
"""),
    md("""
This is the pipeline working on a 135M model, not a finding: four agents in one round
cannot show a paradox. The actions parse (the menu is decoded under a grammar), but the model
mostly posts, and its posts tend to echo the prompt's wording ("text of at most ... words")
rather than say anything about their interests. `sk.network.follow_network(llm_fp)` gives
the graph they formed.

## 7 · A misinformation clone: seeded sources, many trials, against the real spread

**Paper.** Puri, Hassler, Katragadda & Shenk (2024, PLOS ONE, "Digital cloning of online
social networks for language-sensitive agent-based modeling of misinformation spread") rebuilt
a misinformation-sharing Twitter network of over ten thousand users, seeded posts at the users
who had really posted them, let followers reshare layer after layer (a trained infection
model), ran 1,000 trials per post and compared the median and 68% band of infections per layer
with the real spread ("reasonable agreement across the twin networks").
**Here:** the clone is a sample of the Higgs retweet network; the posts are seeded at its three
most retweeted authors; every trial is its own copy of the source's audience, so the trials run
in one simulation and never interfere; one step is one infection layer (each agent sees only
the last step's shares). The real spread is each source's retweets by the sampled users, as
trees rebuilt from who retweeted whom. Rule agents reshare with an independent chance `p` per
exposure (`CascadeRule`), at two values:
"""),
    code("""
clone_runs = {p: misinformation_clone(**CLONE, seed=1, progress=False,
                                      policy=RulePolicy(CascadeRule(p=p))) for p in (0.3, 0.8)}
reference = clone_reference(CLONE["n"], CLONE["sources"], layers=CLONE["steps"])
summary = pd.concat({f"p = {p}": clone_summary(r, reference) for p, r in clone_runs.items()})
summary[summary["measure"].isin(["layer 1", "layer 2", "layer 3", "size", "depth"])].round(1)
"""),
    code("""
sk.plot.clone_spread(clone_layers(clone_runs[0.3]), reference)
"""),
    md("""
The comparison is honest about its data: the Higgs data set has no follower graph, so an arc
of the clone exists only where a retweet happened, and every user in a source's first layer
really retweeted it. With `p = 0.3` the simulated first layer is a third to a half of the
real one; with `p = 0.8` it matches for one source (inside the band), comes close for another
and overshoots the third, and the clone then pushes the rumour two to three times further
than it went (sizes, third layers). One uniform chance per exposure cannot fit both the
first layer and the depth, which is why Puri et al. trained a per-pair infection model;
`CascadeRule(p="column")` takes per-agent chances from the population. Now the embedded model
as the users (each exposed agent reads the post and reshares or not):
"""),
    code("""
llm_clone = misinformation_clone(model=model, **CLONE_LLM, seed=1, progress=False,
                                 max_words=20)
print(llm_clone.provenance["usage"])
clone_layers(llm_clone)
"""),
    md("""
One trial of a handful of users shows the pipeline, not a propagation estimate. With a capable
model (`model=` in the first cell) and the paper's 1,000 trials, use `group_by` archetypes so
that agents with the same persona and page share a call.

## Reproducing at the papers' sizes

Every scenario is a function with a parameter schema (`s3.schema`, `herd_effect.schema`,
`cocoons.schema`, `friendship_paradox_feed.schema`, `misinformation_clone.schema`) returning a
`Run`; the sizes above are parameters. `benchmarks/bench_feed.py`
measures the platform at 10,000 to 1,000,000 rule agents and 100,000 LLM agents with
`group_by` archetypes on a local OpenAI-compatible server.
"""),
    code("""
s3.schema.to_frame()
"""),
]


def main() -> None:
    nb = new_notebook(cells=CELLS, metadata=KERNEL)
    nbformat.write(nb, HERE / "14_social_feed.ipynb")


if __name__ == "__main__":
    main()
