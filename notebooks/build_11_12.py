"""Write notebooks 11_commons.ipynb and 12_cooperation_games.ipynb (no outputs).

Run from the repository root:  .venv/bin/python notebooks/build_11_12.py
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


REAL_MODEL = """
```python
from langchain_openai import ChatOpenAI      # any LangChain chat model works
MODELS = {
    "SmolLM2-135M (embedded)": None,
    "gpt-4o-mini": sk.llm.from_langchain(ChatOpenAI(model="gpt-4o-mini", max_retries=0)),
    # a local OpenAI-compatible server (vLLM, llama.cpp server, Ollama):
    "llama-3.1-8b (local)": sk.llm.from_langchain(ChatOpenAI(
        model="llama-3.1-8b-instruct", base_url="http://localhost:8000/v1", api_key="none")),
}
```
"""

COMMONS = [
    md("""
# 11 · Governing a commons: GovSim on the agent kernel

**The paper.** Piatti et al. (NeurIPS 2024), *Cooperate or Collapse: Emergence of Sustainable
Cooperation in a Society of LLM Agents* (GovSim). Five villagers fish from a shared lake each
month for 12 months. The lake holds at most 100 tons; after the harvest the fish left **double**,
up to 100 tons; if fewer than **5 tons** are left after a harvest the lake **collapses**. The
harvests are simultaneous; afterwards the mayor announces everyone's catch and the villagers
**talk** (up to 10 conversation steps). Two more framings — sheep on a pasture, factories
polluting a river — have the same mathematics. Metrics: survival time, survival rate,
total gain, efficiency (gain against the most a sustainable policy can take, 12 × 50 tons),
equality (1 − Gini) and over-usage (share of harvests above the sustainable share).

**Their headline results.** Across 3 scenarios × 15 models, 43 of 45 runs collapsed; the best
model's survival rate was below 54%. Telling agents what would happen if everyone
overharvested (**universalization**: "if everyone fishes more than X tons, the lake population
will shrink next month") helped; **without communication** agents overused the resource more.

**Here.** The same design with `sk.scenarios.commons` (mechanics in code:
`sk.env.Commons`): first the arithmetic with rule agents, then LLM villagers on the embedded
135M-parameter model under the three conditions (default, universalization, no
communication), over several seeds, with intervals. The first cell holds the sizes: CI's are
tiny; the paper's are in the comments.
"""),
    code("""
import numpy as np
import pandas as pd
import socialkit as sk

AGENTS = 3          # GovSim: 5 villagers
MONTHS = 2          # GovSim: 12 months
UTTERANCES = 2      # GovSim: 10 conversation steps, the mayor's report included
SEEDS = [0]         # GovSim: 5 runs per model and scenario, e.g. [0, 1, 2, 3, 4]
FRAMING = "fishery" # or "pasture", "pollution"
RULE_SEEDS = range(20)
MODELS = {"SmolLM2-135M (embedded)": None}   # add real models here (see the end)
sk.scenarios.commons.schema
"""),
    md("""
## The arithmetic, with rule agents

A villager who takes the **sustainable share** — half the stock shared by all, 10 tons of 100
for 5 villagers — leaves 50 tons, which double back to 100: the lake survives all 12 months and
the village earns 12 × 50 = 600 tons, the most any sustainable policy can. Taking 12 each
(60 tons a month) empties the lake in the month the arithmetic predicts:
100 → 40 → 80 → 20 → 40 → collapse (40 − 60 < 5) in month 3. These are tests in
`tests/test_env_commons.py`; here they run at the paper's size.
"""),
    code("""
def take(tons):
    return sk.agents.RulePolicy(lambda ctx: {"action": "fish", "tons": tons}, name=f"take {tons}")

def fair(ctx):     # the sustainable share of the current stock
    return {"action": "fish", "tons": sk.env.sustainable_share(ctx.env.stock, 5)}

rules = {"sustainable share": [sk.scenarios.commons(policy=sk.agents.RulePolicy(fair),
                                                    discussion=False, progress=False)],
         "12 tons each": [sk.scenarios.commons(policy=take(12), discussion=False,
                                               progress=False)]}
table = sk.scenarios.commons_table(rules)
table[["condition", "survival_time", "survived", "total_gain", "efficiency", "equality",
       "overuse"]]
"""),
    code("""
sk.plot.commons_stock(rules)
"""),
    md("""
Replicates with intervals cost nothing for rule agents: villagers who aim at the sustainable
share but miss by a random amount (normal, sd 3 tons), against villagers who aim 2 tons above
it, over 20 seeds. The survival rate at 12 months has a Wilson interval, the other metrics
t intervals.
"""),
    code("""
def aim(extra):
    def rule(ctx):
        share = sk.env.sustainable_share(ctx.env.stock, len(ctx.ids))
        return {"action": "fish",
                "tons": np.clip(np.round(ctx.rng.normal(share + extra, 3, len(ctx.ids))), 0, 100)}
    return sk.agents.RulePolicy(rule, name=f"aim share+{extra}")

noisy = {f"aim at share + {x}": [sk.scenarios.commons(policy=aim(x), discussion=False, seed=s,
                                                      progress=False) for s in RULE_SEEDS]
         for x in (0, 2)}
noisy_table = sk.scenarios.commons_table(noisy)
sk.scenarios.commons_summary(noisy_table)[["condition", "runs", "survival_rate",
    "survival_lower", "survival_upper", "survival_time", "efficiency", "overuse"]].round(3)
"""),
    code("""
sk.plot.survival(sk.scenarios.survival_curve(noisy_table, by="condition"))
"""),
    md("""
## LLM villagers: default, universalization, no communication

Each villager is asked "How many tons of fish do you catch this month?" (a whole number, read
by the never-guessing parser, decoded under a grammar on the embedded model). After the harvest
the mayor reports the catches and the villagers talk, one utterance each in turn; next month
everyone sees the report and the conversation. `universalization=True` adds GovSim's
statement with X computed from the stock; `discussion=False` is the no-communication
condition (the catches are still reported). Every condition runs under every seed; the seed
drives the model's sampling, the speaking order and the allocation of an over-requested
lake.
"""),
    code("""
CONDITIONS = {"default": {}, "universalization": {"universalization": True},
              "no communication": {"discussion": False}}
runs = {}
for model_name, model in MODELS.items():
    for cond, options in CONDITIONS.items():
        label = f"{cond}" if len(MODELS) == 1 else f"{model_name}: {cond}"
        runs[label] = [sk.scenarios.commons(model=model, agents=AGENTS, months=MONTHS,
                                            utterances=UTTERANCES, framing=FRAMING, seed=s,
                                            progress=False, **options)
                       for s in SEEDS]
llm_table = sk.scenarios.commons_table(runs)
sk.scenarios.commons_summary(llm_table)[["condition", "runs", "survival_rate", "survival_time",
    "total_gain", "efficiency", "equality", "overuse"]].round(3)
"""),
    code("""
sk.plot.commons_stock(runs)
"""),
    code("""
first = runs[next(iter(runs))][0]
ev = first.events
catches = ev[ev["action"] == "catch"]
print("month 1 requests and catches (tons):")
print(pd.DataFrame([{"agent": a, **__import__("json").loads(d)}
                    for a, d in zip(catches["agent"], catches["data"])]).to_string(index=False))
print()
for _, e in ev[ev["action"].isin(["say", "say_missing"])].iterrows():
    who = "Mayor" if e["agent"] == -1 else f"agent {e['agent']}"
    said = e["text"] if e["action"] == "say" else f"(no utterance: {e['text']})"
    print(f"[month {e['step']}] {who}: {said}")
"""),
    md("""
Efficiency is GovSim's: the harvest against the most a sustainable policy takes over the
months *planned* (here `MONTHS` × 50 tons). Over 2 months, emptying the lake at once counts as
efficient; over the paper's 12 months the same harvest is 100 / 600 = 0.17.

## GovSim next to socialkit

The paper's numbers are from its 15 models (GPT-4o, Claude 3 Opus, Llama 3 70B, ...); ours from
the run above. The table below is computed, not typed: read the socialkit columns from your
own run.
"""),
    code("""
requests = []
for label, rs in runs.items():
    for r in rs:
        c = r.events[(r.events["action"] == "catch") & (r.events["step"] == 1)]
        requests += [__import__("json").loads(d)["wanted"] for d in c["data"]]
summary = sk.scenarios.commons_summary(llm_table).set_index("condition")
paper = {"default": "43 of 45 model x scenario runs collapse; best survival rate < 54%",
         "universalization": "survival improves over default",
         "no communication": "more over-usage than with communication"}
pd.DataFrame({
    "GovSim (paper, 12 months, 5 agents)": [paper.get(c.split(": ")[-1], "") for c in summary.index],
    f"socialkit survival rate ({MONTHS} months)": summary["survival_rate"].round(2),
    "socialkit mean survival time": summary["survival_time"].round(2),
    "socialkit over-usage": summary["overuse"].round(2),
}, index=summary.index)
"""),
    code("""
print(f"the embedded model's month-1 requests: mean {np.mean(requests):.1f} tons, "
      f"median {np.median(requests):.0f}, max {np.max(requests):.0f} "
      f"(sustainable share: {sk.env.sustainable_share(100, AGENTS)} tons each)")
print(f"runs that collapsed in month 1: {int((llm_table['survival_time'] == 1).sum())} "
      f"of {len(llm_table)}")
"""),
    md("""
**What the 135M model does.** SmolLM2-135M does not reason about the lake: asked for a whole
number of tons it mostly names large amounts (often the whole lake), and its utterances mostly
echo the prompt. In our runs every LLM village therefore collapsed in the first month under all
three conditions — the universalization statement and the discussion cannot help a model that
does not read them. That is GovSim's failure mode in its most extreme form, and it says nothing
about what larger models do; the mechanics, the prompts and the metrics are the ones that
reproduce the paper's design, so rerunning with a real model is a one-line change.

## Rerun on a real model, compare models

Put the models in `MODELS` in the first cell, set the paper's sizes (`AGENTS = 5`,
`MONTHS = 12`, `UTTERANCES = 10`, five or more seeds) and run all cells: every condition runs for
every model, and the tables and figures then compare them.
""" + REAL_MODEL + """
Each reply is cached on disk as it arrives (a rerun is free; a crash loses nothing), and
`budget=` caps the spending of one run (`sk.scenarios.commons(..., budget=2.0)`).
"""),
]

COOPERATION = [
    md("""
# 12 · Cooperation games: the donor game across generations, and the prisoner's dilemma against people

**The donor game (Vallinder & Hughes 2024, *Cultural Evolution of Cooperation among LLM
Agents*).** Societies of 12 agents play 12 rounds per generation for 10 generations. Each
round an agent is the donor of another: it sees the recipient's recent behaviour (what the
recipient gave in its last three rounds) and gives a share of its resources, which the recipient
receives **doubled**; everyone starts a generation with 10 units. After the rounds the **top
half** survives; new agents replace the rest, and write their strategy after reading the
survivors' strategies (cultural transmission). An optional **costly punishment** lets a donor
spend x to take 2x from the recipient.
*Their results:* Claude 3.5 Sonnet societies reached higher scores than Gemini 1.5 Flash,
which beat GPT-4o; punishment helped Claude only; results varied a lot across seeds.

**The repeated prisoner's dilemma against people.** 168,386 rounds played by people in 8
laboratory studies (30 treatments), gathered by Nay & Vorobeychik (2016, *Predicting Human
Cooperation*): people cooperated in 44.9% of rounds, 45.9% of first rounds, and conditionally:
P(C | both cooperated) = 0.916, P(C | I cooperated, partner defected) = 0.403,
P(C | I defected, partner cooperated) = 0.292, P(C | both defected) = 0.067. The agents here
play under the same payoffs and continuation probability as one of those treatments.

The first cell holds the sizes (CI's tiny ones; the papers' in the comments).
"""),
    code("""
import json
import numpy as np
import pandas as pd
import socialkit as sk

AGENTS = 2          # Vallinder & Hughes: 12 agents per generation
ROUNDS = 1          # 12 rounds per generation
GENERATIONS = 2     # 10 generations
WORDS = 12          # longest strategy text (default 60)
SEEDS = [0]         # the paper ran several seeds per model, e.g. [0, 1, 2]
IPD_AGENTS = 2      # players of the prisoner's dilemma (an even number; e.g. 12)
IPD_STEPS = 3       # rounds each plays, over matches that end at random (e.g. 30)
TREATMENT = "DF9"   # Dal Bo & Frechette (2011): R=0.168, S=0, T=0.228, P=0.078, continuation 3/4
REASKS = 0          # re-asks after an unreadable answer (default 2; 0 keeps CI short: the 135M
                    # model's strategies mostly run past WORDS, and each re-ask costs a call)
MODELS = {"SmolLM2-135M (embedded)": None}   # add real models here (see the end)
"""),
    md("""
## The donor game's arithmetic, with rule agents

Every round each agent is the donor of one other (a random cycle) and gives a share p of its
resources; the recipient gets 2p of an equal stock, so resources grow by (1 + p) a round:
**never-give** societies stay at 10, **always-give** ones reach 10 × 2¹² = 40,960 after 12 rounds,
and everyone punishing with 20% shrinks by 0.4 a round. Paper sizes, instantly:
"""),
    code("""
theory = {}
for name, rule in {"never give": sk.env.DonorGame.rule(0, "Never give."),
                   "give 50%": sk.env.DonorGame.rule(50, "Give half."),
                   "always give": sk.env.DonorGame.rule(100, "Give everything.")}.items():
    theory[name] = [sk.scenarios.donor_game(policy=rule, generations=3, progress=False)]
pd.DataFrame({name: sk.scenarios.donor_summary(rs[0])["resources"].tolist()
              for name, rs in theory.items()},
             index=pd.Index([1, 2, 3], name="generation"))
"""),
    md("""
Selection and transmission with rule agents: each agent gives a share drawn from its own
"generosity"; the better half survives. Resources per generation, mean of several seeds and each
seed thin:
"""),
    code("""
def generous(ctx):
    return np.clip(ctx.rng.normal(40, 25, len(ctx.ids)), 0, 100)

mixed = [sk.scenarios.donor_game(policy=sk.env.DonorGame.rule(generous, "Give about 40%."),
                                 generations=4, seed=s, progress=False) for s in range(5)]
sk.plot.generations({"random generosity": mixed, **theory})
"""),
    md("""
## LLM societies: with and without punishment

Agents first write a strategy, then play. Under each seed; `punishment=True` adds the option to
punish.
"""),
    code("""
donor_runs = {}
for model_name, model in MODELS.items():
    for punish in (False, True):
        label = ("punishment" if punish else "no punishment") + (
            "" if len(MODELS) == 1 else f" ({model_name})")
        donor_runs[label] = [sk.scenarios.donor_game(model=model, agents=AGENTS, rounds=ROUNDS,
                                                     generations=GENERATIONS, punishment=punish,
                                                     strategy_words=WORDS, seed=s,
                                                     reasks=REASKS, progress=False)
                             for s in SEEDS]
rows = []
for label, rs in donor_runs.items():
    for r in rs:
        s = sk.scenarios.donor_summary(r)
        rows += [{"condition": label, "seed": r.seed, **row}
                 for row in s[["generation", "resources", "donation", "punished"]].to_dict("records")]
donor_table = pd.DataFrame(rows)
donor_table.round(2)
"""),
    code("""
sk.plot.generations(donor_runs)
"""),
    code("""
from socialkit.scenarios._stats import mean_ci
last = donor_table[donor_table["generation"] == donor_table["generation"].max()]
pd.DataFrame([{"condition": c, "seeds": len(g),
               **dict(zip(["final resources", "lower", "upper"],
                          np.round(mean_ci(g["resources"]), 2)))}
              for c, g in last.groupby("condition")])
"""),
    code("""
s = sk.scenarios.donor_summary(donor_runs[next(iter(donor_runs))][0])
print("strategies of the survivors of generation 1:")
for name, text in zip(s["survivors"][0], s["strategies"][0]):
    print(f"- {name}: {text}")
"""),
    md("""
**Next to the paper.** Vallinder & Hughes ranked the models by the final generation's mean
resources (Claude 3.5 Sonnet > Gemini 1.5 Flash > GPT-4o) and found that punishment raised
Claude's scores only. With the embedded 135M model the numbers above are at the scale of the
endowment: its donations follow the prompt's wording more than the recipient's reputation, and
its strategies mostly run past the word limit and are recorded as missing (an empty strategy
above; with `REASKS = 2` it is asked twice more, and mostly fails again) or paraphrase the
instructions — there is no cooperation to evolve,
and a comparison of conditions at these sizes is noise (see the intervals). The design, not
this model, is what the notebook reproduces.

## The repeated prisoner's dilemma, people and agents under the same payoffs

The human data come with their provenance; `sk.validation.cooperation` computes the same
measures for people and for agents.
"""),
    code("""
humans = sk.datasets.load("ipd_nay_vorobeychik_2016")
print(humans.attrs["citation"][:160], "...")
treatments = sk.datasets.ipd_treatments(humans).set_index("treatment")
treatments.loc[[TREATMENT, "FR15", "BR1"]]
"""),
    code("""
sk.validation.cooperation(humans).round(3)     # all 168,386 rounds: 0.449, 0.459, 0.916, ...
"""),
    code("""
same = humans[(humans["data"] + humans["group"].astype(str)) == TREATMENT]
game = sk.env.RepeatedPD(**{k: v for k, v in sk.scenarios.ipd_treatment(TREATMENT).items()
                            if k != "error"})
ipd_runs = {"tit-for-tat": sk.scenarios.prisoners_dilemma(policy=game.rule("tft"), steps=40,
                                                          treatment=TREATMENT, progress=False),
            "win-stay lose-shift": sk.scenarios.prisoners_dilemma(
                policy=game.rule("wsls"), steps=40, treatment=TREATMENT, progress=False)}
for model_name, model in MODELS.items():
    ipd_runs[model_name] = [sk.scenarios.prisoners_dilemma(model=model, agents=IPD_AGENTS,
                                                           steps=IPD_STEPS, treatment=TREATMENT,
                                                           seed=s, reasks=REASKS, progress=False)
                            for s in SEEDS]
groups = {f"people ({TREATMENT})": same, "people (all 8 studies)": humans}
for name, r in ipd_runs.items():
    rs = r if isinstance(r, list) else [r]
    groups[name] = pd.concat([sk.validation.ipd_moves(x) for x in rs], ignore_index=True)
comparison = sk.validation.compare_cooperation(**groups)
comparison.pivot(index="measure", columns="who", values="value").round(3)
"""),
    code("""
sk.plot.conditional_cooperation(comparison)
"""),
    code("""
pd.concat({name: sk.validation.cooperation_by_round(g, max_round=4).set_index("period")["value"]
           for name, g in groups.items()}, axis=1).round(3)
"""),
    md("""
**What the agents do.** Tit-for-tat and win-stay-lose-shift cooperate far more than people and
never forgive a defection the way people sometimes do (people cooperate after mutual defection
6.7% of the time). The 135M model's choices barely depend on what its partner did (compare its
P(C|CD) and P(C|DC) with people's when they are there): with only a few of its moves here, some
conditional cells are empty (n/a: the situation never arose) and the others have wide intervals.
A real model under the same payoffs is a one-line change.

## Rerun on a real model, compare models

Put the models in `MODELS` (first cell), set the papers' sizes (`AGENTS = 12`, `ROUNDS = 12`,
`GENERATIONS = 10`, `IPD_AGENTS = 12`, `IPD_STEPS = 30`, `REASKS = 2`, several seeds) and run
all cells; every
table and figure then has one entry per model.
""" + REAL_MODEL),
]


def main():
    for name, cells in (("11_commons.ipynb", COMMONS),
                        ("12_cooperation_games.ipynb", COOPERATION)):
        nb = new_notebook(cells=cells, metadata=KERNEL)
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
