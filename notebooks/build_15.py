"""Write notebook 15_social_simulacra.ipynb (no outputs).

Run from the repository root:  .venv/bin/python notebooks/build_15.py
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
# 15 · Social Simulacra: a community populated by generated members, and what-if forks

**The paper.** Park, Popowski, Cai, Morris, Liang & Bernstein (2022), *Social Simulacra:
Creating Populated Prototypes for Social Computing Systems*, UIST '22 (arXiv:2208.04024).
A designer describes a community: its **goal**, its **rules** and a handful of **seed
personas**. Prompt chains on GPT-3 then (1) generate thousands of distinct members from the
seed personas, and (2) generate their posts and replies, including anti-social behaviour
(trolling, flaming, harassment). Their tool, SimReddit, lets a designer *generate* a populated
community, ask *what if?* (a member or a moderator intervenes in a thread, and the rest of the
thread is generated again) and see a *multiverse* of possible continuations. The paper's
findings are qualitative and from people: in a technical evaluation participants were often
unable to tell the generated conversations from real ones of the same subreddits, and social
computing designers used the simulacra to refine their designs. It reports no anti-social
share to compare a number with; here the anti-social share is socialkit's measure of what the
paper shows: anti-social behaviour appears, and interventions change it.

**In socialkit.**
- `sk.scenarios.generate_members(design, n, model)`: the members, one typed two-field reply
  each (`name:` / `about:`), read strictly: a reply that does not fit is re-asked and then
  kept as *missing with its reason*; repeats (same name, or a description with TF-IDF cosine
  similarity >= 0.8 to one already present) are kept as *duplicates* with the member they
  repeat. Diversity: mean pairwise TF-IDF and embedding distances.
- `sk.scenarios.social_simulacra(...)`: the members post, reply and like on an
  `sk.env.Feed` (Reddit's "hot" ranking) wrapped in an `sk.env.Community`, whose **judge**
  labels every post and reply *civil* or *anti-social* (a typed choice through the same
  session: cached, counted, never guessed). A troll and a moderator account exist from the
  start, dormant.
- `sk.scenarios.simulacra_what_if(sim, at, "moderator" | "troll")`: a **fork** of the
  simulation at step `at` (steps 1..`at` replay from the cache, identical), where the
  moderator steps in (removes what was judged anti-social, leaves a notice, and keeps
  moderating) or the troll joins; `simulacra_summary` compares the anti-social share before and
  after the fork with the original, with intervals over seeds.
- `sk.plot.thread_view(run)`: a thread to read, as on a forum.

Everything runs on the embedded 135M-parameter model at a tiny size so that the notebook
executes in about a minute on two cores; the first cell holds the sizes (the paper's in the
comments) and the model.
"""),
    code("""
import pandas as pd
import plotly.express as px
import socialkit as sk
from socialkit.scenarios import (PLANT_PARENTS, antisocial_share, generate_members,
                                 member_diversity, simulacra_labels, simulacra_summary,
                                 simulacra_threads, simulacra_what_if, social_simulacra)

MEMBERS = 2          # generated members (SimReddit: thousands, e.g. 1000)
STEPS, AT = 2, 1     # rounds of posting and replying; the what-ifs fork after step AT
ACTIVITY = 0.5       # chance that a member is active in a round (the troll: every round)
MAX_WORDS = 12       # longest post or reply (the paper: full Reddit posts)
ABOUT_WORDS = 20     # longest generated member description
SEEDS = [1, 2]       # replicate runs of the same community (members generated once)
model = None         # the embedded SmolLM2-135M; on a real model, e.g.
# from langchain_openai import ChatOpenAI
# model = sk.llm.from_langchain(ChatOpenAI(model="gpt-4o-mini"))   # or base_url=... for a
# local OpenAI-compatible server (vLLM, llama.cpp, Ollama); then MEMBERS = 1000, STEPS = 10
"""),
    md("""
## 1 · The design

socialkit's example community, in the shape of the paper's designer input (a goal, three
rules, five seed personas, one of them abrasive). Any `sk.scenarios.CommunityDesign(name,
goal, rules, seeds)` works the same way.
"""),
    code("""
design = PLANT_PARENTS
print(design.describe())
pd.DataFrame(design.seeds, columns=["name", "about"])
"""),
    md("""
## 2 · Members generated from the seed personas

Each generation shows the model the community and three of the seed personas (a different
random subset each time, following the seed) and asks for one new member. Every generation is
kept in the table, used or not, with its status and reason.
"""),
    code("""
roster = generate_members(design, MEMBERS, model, seed=0, max_words=ABOUT_WORDS)
print(roster.attrs["usage"])
roster[["source", "name", "about", "status", "reason"]]
"""),
    code("""
ok = roster[roster["status"] == "ok"]
try:
    embedding = sk.memory.MiniLM()       # the memory layer's offline sentence embedding
except Exception as err:                 # the memory extra is not installed
    print("no embedding:", err)
    embedding = None
pd.DataFrame([{"who": who, **member_diversity(ok.loc[sel, "about"].tolist(), embedding)}
              for who, sel in (("seed personas", ok["source"] == "seed"),
                               ("generated", ok["source"] == "generated"),
                               ("all", ok["source"].notna()))]).set_index("who")
"""),
    md("""
`tfidf_distance` is 1 minus the mean pairwise TF-IDF cosine similarity of the descriptions
(1: no word in common), `embedding_distance` the same with sentence embeddings (meaning rather
than words).

## 3 · The community, populated

The members (seeds and generated) post, reply and like for a few rounds; the judge labels
every post and reply.
"""),
    code("""
sim = social_simulacra.simulation(design, model, roster=roster, steps=STEPS,
                                  activity=ACTIVITY, max_words=MAX_WORDS, seed=SEEDS[0],
                                  progress=False)
run = sim.run(STEPS)
print(run.provenance["usage"])
print(run.events["action"].value_counts().to_dict())
simulacra_threads(run).head()
"""),
    code("""
sk.plot.thread_view(run)          # the thread with the most replies; print(...) for plain text
"""),
    code("""
labels = simulacra_labels(run)
labels[["step", "name", "kind", "label", "status", "reason", "text"]]
"""),
    md("""
## 4 · What if a moderator steps in? What if a troll joins?

For each seed: the original run, and two forks after step `AT`: the moderator steps in (items
judged anti-social so far are removed with a notice, and every new one from then on), or the
troll joins (active every round). Steps 1..`AT` are the same in all three (replayed from the
cache); after the fork they diverge.
"""),
    code("""
runs = {"original": [], "moderator": [], "troll": []}
for seed in SEEDS:
    s = social_simulacra.simulation(design, model, roster=roster, steps=STEPS,
                                    activity=ACTIVITY, max_words=MAX_WORDS, seed=seed,
                                    progress=False)
    runs["original"].append(s.run(STEPS))
    for change in ("moderator", "troll"):
        runs[change].append(simulacra_what_if(s, at=AT, change=change))
summary = simulacra_summary(runs, at=AT)
summary.round(3)
"""),
    code("""
after = summary[summary["period"] == "after"]
fig = px.bar(after, x="condition", y="share", color="condition",
             error_y=after["high"] - after["share"], error_y_minus=after["share"] - after["low"],
             labels={"share": "anti-social share of posts and replies"},
             title=f"After the fork (step {AT}): mean over {len(SEEDS)} seeds, 95% t interval")
fig.update_layout(showlegend=False, yaxis_range=[0, 1])
fig
"""),
    code("""
sk.plot.thread_view(runs["troll"][0])   # the troll's branch of the first seed
"""),
    md("""
`share` counts everything the judge labelled (what members write; the moderator's removals do
not change it), `visible_share` only what stayed on the platform; `diff` is the paired
difference from the original after the fork, with its interval over seeds. With
`exclude=["troll"]` the summary counts the members alone: whether the troll changes what
*they* write.

## 5 · Checking the measures on a scripted community

The same machinery with scripted members whose behaviour is known: each reply is rude with
probability 0.2 (drawn from the call's sampling seed, which follows the run's seed at a
temperature above 0), the troll is always rude, and the judge flags
rude texts. The measures must recover it: about 0.2 in the original, more with the troll, and
a visible share of 0 once the moderator moderates.
"""),
    code("""
import re
import numpy as np

def scripted(messages, seed):
    system, ask = messages[0]["content"], messages[-1]["content"]
    if "Which best describes" in ask:                        # the judge
        return "B" if "idiot" in ask.split("wrote this")[-1].lower() else "A"
    rude = "troll" in system or np.random.default_rng(seed).random() < 0.2
    text = "Only an idiot would ask that." if rude else "Try more light and less water."
    if "post_id" not in ask:
        return "action: post\\ntext: " + ("Idiots everywhere." if rude else "My pothos droops.")
    pick = re.search(r"post_id: one of (p\\d+)", ask).group(1)
    return f"action: comment\\npost_id: {pick}\\ntext: {text}"

fake = sk.llm.scripted(scripted)
seeds_only = generate_members(design, 0, fake)          # the five seed personas, no calls
check = {"original": [], "moderator": [], "troll": []}
for seed in range(6):
    s = social_simulacra.simulation(design, fake, roster=seeds_only, steps=6, activity=1.0,
                                    seed=seed, temperature=1.0, cache=False, progress=False)
    check["original"].append(s.run(6))
    for change in ("moderator", "troll"):
        check[change].append(simulacra_what_if(s, at=3, change=change))
simulacra_summary(check, at=3)[["condition", "period", "labelled", "flagged", "share", "low",
                                "high", "visible_share", "diff"]].round(3)
"""),
    md("""
## 6 · What the 135M model does here

In our run of this notebook (SmolLM2-135M through llama.cpp; the outputs above are from a
fresh run and may differ in detail):

- **Members.** Under the grammar the replies keep to the two lines, but the model copies the
  seed personas it was shown instead of inventing new people: of the two generations, one
  repeated a seed's name and description (a *duplicate* of Devon Carter) and one wrote a
  description longer than allowed three times in a row (*missing*, with that reason). No new
  member survives, so the "generated" diversity is empty; the seed personas themselves are far
  apart (TF-IDF distance 1.0, embedding distance about 0.71).
- **Threads.** Posts and replies are mostly not posts: the model echoes the menu ("a new post
  (text: text of at most 12 words) about ...", "My feed is empty.", "The most recent [name] has
  a new [argument] about [argument]."), and replies trail off into numbers. Many turns are
  `do_nothing`.
- **Judge.** The one-letter answer is always valid (grammar), and its log-probabilities show a
  near-constant judge: "A" (civil) at about 0.71-0.76 whatever the text, "B" (anti-social)
  about 0.05-0.07, so under the grammar (A or B) and sampling roughly one label in ten is
  "anti-social", at random.
  The anti-social shares above, the troll's effect and the intervals over two seeds therefore
  say nothing about the community: with two seeds the t intervals are wide or undefined. The
  scripted check (section 5) shows what the measures recover when behaviour is known.

The paper's result rests on GPT-3 (175B parameters); a real model is what makes the members,
threads and labels meaningful. To rerun at the paper's scale, set in the first cell
`model = sk.llm.from_langchain(ChatOpenAI(...))` (any OpenAI-compatible server), `MEMBERS =
1000`, `STEPS = 10`, `ACTIVITY = 0.3`, `MAX_WORDS = 60` and more seeds; generation and the
runs are cached on disk, so a rerun after a crash repeats no paid call.
"""),
]


if __name__ == "__main__":
    nb = new_notebook(cells=CELLS, metadata=KERNEL)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / "15_social_simulacra.ipynb")
