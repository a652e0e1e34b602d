"""Write notebooks 17_persuasion.ipynb and 18_generative_agents_town.ipynb (no outputs).

Run from the repository root:  .venv/bin/python notebooks/build_17_18.py
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
## Rerun on a real model

Every scenario takes any LangChain chat model; a local OpenAI-compatible server (vLLM, llama.cpp
server, Ollama) works the same way. Replies are cached on disk, and every call's draw follows the
seed, so a rerun replays exactly and another seed draws anew:

```python
from langchain_openai import ChatOpenAI
model = sk.llm.from_langchain(ChatOpenAI(model="gpt-4o-mini", max_retries=0))
# or a local server: ChatOpenAI(base_url="http://localhost:8000/v1", api_key="none", model="...")
{call}
```
"""

PERSUASION = [
    md("""
# Persuasion between LLM agents: Salvi et al. and Breum et al.

Two studies of how language models persuade, rebuilt as socialkit scenarios on the agent kernel
(a `Debate` environment on top of the `Dialogue` environment: turn-taking conversations within a
step, every line an event and a memory of both sides).

**Salvi, Horta Ribeiro, Gallotti & West (2024), *On the Conversational Persuasiveness of Large
Language Models: A Randomized Controlled Trial*.** 820 people debated an opponent on a
proposition in three phases (opening, rebuttal, conclusion) and rated their agreement with it
(1-5) before and after. A 2 × 2 design: the opponent was a human or GPT-4, and with
*personalisation* it saw the participant's sociodemographics. Analysed with a proportional-odds
(ordinal) regression: debating GPT-4 with personal information raised the odds of more
agreement with the opponent by 81.7% (**odds ratio 1.81, p < 0.01**) against human opponents;
without personalisation GPT-4's edge was smaller and **not significant** (p = 0.31).

**Breum, Egdal, Gram Mortensen, Møller & Aiello (2024), *The Persuasive Power of Large Language
Models* (ICWSM).** A *convincer* agent argues with a climate-change *skeptic*, framing its
arguments along one of ten social dimensions (knowledge, power, status, trust, support, romance,
similarity, identity, fun, conflict); the skeptic says whether its opinion changed. Arguments
with **factual knowledge, trust, support and status** were the most effective.

In socialkit the participants, skeptics and human-like opponents are persona agents built from
real ANES 1996 respondents; the "AI" opponents and the convincers are the same model prompted as
a plain debater without a persona. So the comparison is *persona agent vs plain LLM* — a model
debating itself in two roles, not humans against GPT-4. The human results are references, not
targets.
"""),
    code("""
PAPER = False      # True: the papers' sizes (hours on the embedded model, minutes on a server)
MODEL = None       # None: the embedded SmolLM2-135M (offline); see the last cell for others
if PAPER:
    N_DEBATES = 820    # Salvi et al.: 820 participants, one debate each (~205 per arm)
    PHASES = 3         # Salvi et al.: opening, rebuttal, conclusion
    TRIALS = 5         # conversations per social dimension (socialkit's default)
    ROUNDS = 2         # convincer-skeptic exchanges per conversation (socialkit's default)
    MAX_WORDS = 80     # longest line (the paper timed its phases instead)
    SEEDS = DIMENSION_SEEDS = [0, 1, 2, 3, 4]
    REASKS = 2         # a reply that does not parse is asked again twice, then missing
else:              # CI: a few debates and one conversation per dimension, short lines
    N_DEBATES, PHASES, TRIALS, ROUNDS = 4, 1, 1, 1
    MAX_WORDS = 30     # a line over the limit is missing (the debate ends); the 135M
                       # model often writes on until its token budget runs out
    REASKS = 0         # CI: no re-asks (each would cost a call for the same overlong line)
    SEEDS = [0]        # one replicate in CI (each seed redraws the design and every reply)
    DIMENSION_SEEDS = [0]   # Breum et al.'s ten conversations: one replicate in CI
"""),
    code("""
import time

import pandas as pd

import socialkit as sk

t0 = time.perf_counter()
need = max(2 * N_DEBATES, 2 * TRIALS * len(sk.scenarios.DIMENSIONS))
pop = sk.Population.from_survey(sk.datasets.load("anes1996"), n=need, seed=1996)
print(pop.personas()[0])
"""),
    md("""
## Salvi et al.: debates in a 2 × 2

Each debate pairs a participant with an opponent: arms `human` (a persona agent),
`human_personalized`, `ai` (a plain LLM debater) and `ai_personalized`, balanced and shuffled.
The participant's side (pro or con), the proposition and who opens are drawn. The participant
rates its agreement before and after; `persuasion_outcomes` turns both towards the opponent's
side (5 = fully agrees with the opponent).
"""),
    code("""
runs = {s: sk.scenarios.debate_persuasion(pop, MODEL, n_debates=N_DEBATES, phases=PHASES,
                                          max_words=MAX_WORDS, reasks=REASKS, seed=s)
        for s in SEEDS}
debates = pd.concat([sk.scenarios.persuasion_outcomes(r).assign(seed=s)
                     for s, r in runs.items()], ignore_index=True)
debates[["seed", "condition", "side", "agreement_before", "agreement_after", "moved"]]
"""),
    md("One debate, to read (in the personalised arms the opponent's prompt held the participant's profile):"),
    code("""
sk.plot.conversation(runs[SEEDS[0]], 0)
"""),
    md("""
The paper's analysis: a proportional-odds regression of the agreement with the opponent after
the debate on the arm, with the agreement before as covariate, the `human` arm as reference
(statsmodels' `OrderedModel`; seeds pooled). With a handful of debates the intervals are wide,
and an arm whose answers never vary cannot be estimated — the table says so rather than
printing a number.
"""),
    code("""
ors = sk.validation.ordinal_odds_ratios(debates, "after_toward_opponent", "condition", "human",
                                        covariates=["before_toward_opponent"])
print(f"{ors.attrs['n']} debates used, {ors.attrs['dropped']} dropped (a missing rating), "
      f"converged: {ors.attrs['converged']}")
ors
"""),
    code("""
sk.plot.odds_ratios(ors, reference={"ai_personalized": 1.81},
                    title="Salvi et al. 2 × 2 on the embedded model: odds ratios vs human arm")
"""),
    code("""
paper = pd.DataFrame({"arm": ["ai", "ai_personalized"], "paper: odds ratio": ["n.s. (p = 0.31)",
                      "1.81 (p < 0.01)"]})
mine = ors.set_index("treatment").reindex(["ai", "ai_personalized"])
paper["socialkit: odds ratio [95% CI]"] = [
    "not estimated" if pd.isna(r.odds_ratio) else
    f"{r.odds_ratio:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}], p = {r.p_value:.2f}"
    for r in mine.itertuples()]
paper["share moved towards opponent"] = [
    f"{(debates.loc[debates.condition == a, 'moved'] > 0).mean():.2f}" for a in paper["arm"]]
paper
"""),
    md("""
## Breum et al.: ten social dimensions

Each conversation: the convincer (a plain LLM) gets the claim *"Climate change is real and
mostly caused by human activity"* and one dimension's instruction (e.g. *knowledge: share facts,
evidence and expertise*); the skeptic (a persona agent told it doubts the claim) answers; then
the skeptic says whether the conversation changed its opinion (yes / no, decoded under a
grammar, so every answer parses). Dimensions are ranked by the share of "yes" with Wilson
intervals; the paper's top four are marked.
"""),
    code("""
truns = {s: sk.scenarios.social_dimensions(pop, MODEL, trials=TRIALS, rounds=ROUNDS,
                                           max_words=MAX_WORDS, stance=False, reasks=REASKS,
                                           seed=s)
         for s in DIMENSION_SEEDS}
trials = pd.concat([sk.scenarios.dimension_outcomes(r).assign(seed=s)
                    for s, r in truns.items()], ignore_index=True)
ranking = sk.validation.shares_by(trials, "dimension", "changed")
ranking["paper top 4"] = ranking["dimension"].isin(sk.scenarios.PAPER_TOP)
ranking
"""),
    code("""
sk.plot.ranking(ranking, "dimension", highlight=sk.scenarios.PAPER_TOP,
                highlight_name="Breum et al.'s most effective",
                title="Share of skeptics who say they changed their mind, by dimension")
"""),
    code("""
print(f"'yes' overall: {trials['changed'].mean():.2f} of {trials['changed'].notna().sum()} "
      f"answers; missing answers: {trials['changed'].isna().sum()}")
print("paper's top 4 in socialkit's top 4:",
      sorted(set(ranking.head(4)["dimension"]) & set(sk.scenarios.PAPER_TOP)))
sk.plot.conversation(truns[DIMENSION_SEEDS[0]], 0)
"""),
    md("""
## What the 135M model does (honestly)

SmolLM2-135M is far too small to debate. Reading the transcripts above shows what it does
instead: lines that restate the proposition, repeat the other side's words, or drift off topic;
opponents and convincers rarely tailor anything to the profile they were given. Its ratings
come from a grammar-constrained single token, so they always parse, but they barely depend on
what was said: when we ran this notebook, most participants gave the same agreement before and
after, and the skeptics' yes/no answers followed the wording of the question more than the
argument (compare the overall "yes" share with the spread between dimensions). With 4 debates
per seed and 10 conversations (one seed) at CI size, every interval spans most of the scale and
the odds ratios are either wide or not estimable. **Nothing here supports or contradicts the
papers**: the notebook shows the designs run end to end, seeded and replayable, with the
papers' own statistics. The effects can only be read off a capable model at the papers' sizes (`PAPER = True` in the first
cell: 820 debates of three phases, five conversations per dimension), which the same cells run
unchanged.
"""),
    md(REAL_MODEL.replace("{call}", "run = sk.scenarios.debate_persuasion(pop, model, "
                          "n_debates=820, phases=3, max_words=120, seed=0)")),
    code("""
usage = pd.DataFrame([r.provenance["usage"] for r in [*runs.values(), *truns.values()]])
print(f"{len(usage)} runs, {int(usage['calls'].sum())} model calls, "
      f"{int(usage['tokens'].sum())} tokens, {int(usage['cache_hits'].sum())} cache hits; "
      f"notebook ran in {time.perf_counter() - t0:.0f} s")
"""),
]

TOWN = [
    md("""
# Generative Agents' town: does the news of a party spread?

**Park, O'Brien, Cai, Morris, Liang & Bernstein (2023), *Generative Agents: Interactive
Simulacra of Human Behavior* (UIST).** 25 agents live in Smallville for two game days. Each
plans its day from its persona and memories, moves between homes, Hobbs Cafe, Oak Hill College,
Johnson Park and shops, and talks with whom it meets; a memory stream scores memories by
recency, importance and relevance, and agents reflect and replan. One agent, Isabella Rodriguez,
starts with the intention of throwing a Valentine's Day party at the café (February 14,
5-7 pm). Reported after two days: **awareness of the party rose from 1 to 13 of 25 agents (4%
→ 52%)**, the relationship network's **density from 0.167 to 0.74**, **5 of the 12 invited
agents attended**, and **1.3%** of the agents' answers held hallucinated claims.

socialkit's `generative_town` runs the same seed personas (the authors' 25 Smallville
residents, Apache-2.0) on the agent kernel: the `Town` environment (daily plans as one typed
reply per agent, moves, conversations between agents at the same place through the `Dialogue`
environment, replanning on hearing of the party, an interview at each day's last hour), a
`sk.memory.Stream` (the paper's recency/importance/relevance scoring, reflection at an
accumulated importance of 150, offline MiniLM embeddings), and the ablation switches
`reflection`, `planning` and `memory`. Where socialkit's measures differ from the paper's:
*aware* is a yes/no interview answer (the paper interviewed in free text); *informed* is
mechanical (the agent heard a line mentioning the party), so a "yes" from an agent never
informed counts as a **hallucinated** claim; density counts relationships as pairs that live
together or whose personas name each other before the first day, plus every pair that talked
(the paper asked every pair whether they knew each other).
"""),
    code("""
PAPER = False           # True: the paper's sizes (hours on the embedded model; a server: minutes)
MODEL = None            # None: the embedded SmolLM2-135M; see the last cell for others
if PAPER:
    N_AGENTS, NAMES = 25, None          # Park et al.: all 25 residents
    DAYS = 2                            # the party is on day 2, 5-7 pm
    DAY_START, DAY_END = 7, 22          # hours simulated each day
    P_TALK, MAX_TURNS = 0.5, 6          # chance two residents at a place talk; lines per talk
    SEEDS = [0, 1, 2]
    ABLATION_DAYS = 2                   # the ablation runs the same two days
    REASKS = 2                          # unparsable replies asked again twice, then missing
else:                   # CI: three residents, the party's hours only, short talks
    N_AGENTS = 3
    NAMES = ["Isabella Rodriguez", "Maria Lopez", "Klaus Mueller"]
    DAYS, DAY_START, DAY_END = 2, 17, 18   # the party's two hours, 5 and 6 pm
    P_TALK, MAX_TURNS = 0.5, 2
    SEEDS = [0]                         # one replicate in CI
    ABLATION_DAYS = 1                   # the ablation: one day, to its first interview
    REASKS = 0                          # CI: an unparsable reply is missing at once
"""),
    code("""
import time

import pandas as pd

import socialkit as sk

t0 = time.perf_counter()
residents = sk.scenarios.smallville_population().df
residents[["name", "age", "innate", "home"]].head()
"""),
    code("""
print(residents.set_index("name").loc["Isabella Rodriguez", "currently"])
"""),
    code("""
runs = {s: sk.scenarios.generative_town(MODEL, n_agents=N_AGENTS, names=NAMES, days=DAYS,
                                        day_start=DAY_START, day_end=DAY_END, p_talk=P_TALK,
                                        max_turns=MAX_TURNS, reasks=REASKS, seed=s)
        for s in SEEDS}
days = pd.concat([sk.scenarios.town_outcomes(r).assign(seed=s) for s, r in runs.items()],
                 ignore_index=True)
days[["seed", "day", "informed", "aware", "hallucinated", "missed", "density"]]
"""),
    code("""
P = sk.scenarios.town.PAPER
sk.plot.awareness(days, {"days": [0, 2], "aware": [P["aware_first"] / P["agents"],
                                                  P["aware_last"] / P["agents"]]},
                  title="Who knows about the Valentine's Day party")
"""),
    code("""
def ci(values, fmt="{:.2f}", top=1):   # mean over seeds [95% t-interval, cut to 0..top]
    m, lo, hi = sk.scenarios.mean_ci(values)
    return fmt.format(m) + ("" if pd.isna(lo) else
                            f" [{fmt.format(max(lo, 0))}, {fmt.format(min(hi, top))}]")

last = days[days["day"] == days["day"].max()]
attend = pd.concat([sk.scenarios.event_attendance(r).assign(seed=s) for s, r in runs.items()])
attend["came"] = attend["informed"] & attend["attended"]   # invited, and there
per_seed = attend.groupby("seed")[["informed", "came"]].sum()
pd.DataFrame({
    "measure": ["share aware at the end", "density: start -> end",
                "invited (informed) -> attended", "hallucinated interview answers"],
    "Park et al. (25 agents)": ["13 of 25 (0.52)", "0.167 -> 0.74", "12 -> 5", "1.3%"],
    f"socialkit ({N_AGENTS} agents, {len(SEEDS)} seeds)": [
        ci(last["share_aware"]),
        f"{ci(days.loc[days.day == 0, 'density'])} -> {ci(last['density'])}",
        f"{ci(per_seed['informed'], '{:.1f}', N_AGENTS - 1)} -> "
        f"{ci(per_seed['came'], '{:.1f}', N_AGENTS - 1)}",
        f"{days['hallucinated'].sum() / max(days['answers'].sum(), 1):.0%} of "
        f"{days['answers'].sum()} answers"]})
"""),
    md("What the agents planned, and one of their conversations:"),
    code("""
run = runs[SEEDS[0]]
plans = run.events.query("action in ['plan', 'replan']")[["step", "agent", "action", "text"]]
plans.assign(name=plans["agent"].astype(str).map(run.params["agents"])).head(8)
"""),
    code("""
talks = sk.env.conversations(run)
sk.plot.conversation(run, int(talks["conversation"].iloc[0])) if len(talks) else "no conversation"
"""),
    md("""
## Ablations

`reflection=False`, `planning=False` (agents choose where to go every hour instead of planning
the day) and `memory=False` (no memory stream: nothing heard is remembered) are the paper's
ablations. The switches run the same town; at CI size one run without memory (one day, up to
its interview) shows the mechanics (agents without memory cannot recall an invitation in the
interview):
"""),
    code("""
no_memory = sk.scenarios.generative_town(MODEL, n_agents=N_AGENTS, names=NAMES,
                                         days=ABLATION_DAYS, day_start=DAY_START,
                                         day_end=DAY_END, p_talk=P_TALK, max_turns=MAX_TURNS,
                                         memory=False, reasks=REASKS, seed=SEEDS[0])
sk.scenarios.town_outcomes(no_memory)[["day", "informed", "aware", "hallucinated", "density"]]
"""),
    md("""
## What the 135M model does (honestly)

The mechanics are the paper's, the agent is not. SmolLM2-135M's plans are valid (the grammar
admits only real places, one per hour) but barely follow the persona: when we ran this notebook
at CI size every resident planned to stay at home for both hours on both days, so only
housemates met, nobody heard of the party from Isabella, no one came, and the interviews'
"yes" answers of others (about a third of all answers) were hallucinated claims. Its lines rarely carry the
invitation on: Isabella's persona tells it to invite everyone, yet its
lines often do not mention the party, and others seldom repeat it. Its interview answers are a
single constrained token that follows the question's wording more than the memories retrieved
into the prompt, so "aware" and "hallucinated" counts say more about the model's bias towards
"yes" or "no" than about what spread. With 4 agents and 2 hours a day, the relationship
network's density is mostly its starting ties plus the few pairs that happened to talk. Run the
paper's sizes (`PAPER = True` in the first cell: 25 residents, 7 am to 10 pm, six-line
conversations) on a capable model before reading anything into these numbers; on the embedded
model that is thousands of calls (hours), on a server minutes.
"""),
    md(REAL_MODEL.replace("{call}", "run = sk.scenarios.generative_town(model, n_agents=25, "
                          "days=2, day_start=7, day_end=22, max_turns=6, seed=0)")),
    code("""
usage = pd.DataFrame([r.provenance["usage"] for r in [*runs.values(), no_memory]])
print(f"{len(usage)} runs, {int(usage['calls'].sum())} model calls, "
      f"{int(usage['tokens'].sum())} tokens, {int(usage['cache_hits'].sum())} cache hits; "
      f"notebook ran in {time.perf_counter() - t0:.0f} s")
"""),
]


def write(name, cells):
    nb = new_notebook(cells=cells, metadata=KERNEL)
    for i, cell in enumerate(nb.cells):   # stable ids: a rebuild changes only what changed
        cell.id = f"cell-{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, HERE / name)


if __name__ == "__main__":
    write("17_persuasion.ipynb", PERSUASION)
    write("18_generative_agents_town.ipynb", TOWN)
