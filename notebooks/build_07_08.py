"""Write notebooks 07_widgets.ipynb and 08_teaching_bounded_confidence.ipynb (no outputs).

Run from the repository root:  .venv/bin/python notebooks/build_07_08.py
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python"}}


def md(text):
    return new_markdown_cell(text.strip())


def code(text, hidden=False, tags=()):
    cell = new_code_cell(text.strip())
    if hidden:
        cell.metadata["jupyter"] = {"source_hidden": True}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


SETUP = """
import numpy as np
import socialkit as sk

anes = sk.datasets.load("anes1996")
pop = sk.Population.from_survey(anes, codebook="anes1996")  # labelled answers
# self-placement 1 (extremely liberal) .. 7 (extremely conservative), spread within its step
codes = pop.codes("selfLR")
rng = np.random.default_rng(0)
opinions = ((codes - 1) / 6 + rng.uniform(-1 / 12, 1 / 12, len(codes))).clip(0, 1)
# friends resemble each other in party identification
G = sk.network.homophilous(pop, on="PID", mean_degree=8, homophily=0.6, seed=1)
G
"""

WIDGETS = [
    md("""
# 07 · Widgets: explore models with sliders

`socialkit.widgets` puts the library's functions behind sliders and buttons. Every widget calls
the same functions a script would (so anything you find with a slider you can reproduce in
code), updates its plot in place, and shows errors inside itself.

| widget | what it does |
|---|---|
| `explore(model, **fixed)` | inputs from the model's parameter schema, a **Run** button, a live plot and numbers |
| `run_panel(model, steps=...)` | start / stop a longer run in chunks, with a progress bar |
| `population_builder(df, targets)` | columns, survey weight and raking targets in, a fidelity report out |
| `network_view(G)` | colour a network by an attribute; homophily and friendship-paradox numbers |

The data: 944 respondents of the 1996 American National Election Study, their left–right
self-placement as the initial opinion, on a network where friends tend to share a party.
"""),
    code(SETUP),
    md("""
## Bounded confidence on the ANES population

In the Deffuant model two friends who meet move towards each other, but only when their
opinions differ by less than the confidence bound **ε**. Move ε down and press **Run**: the
population falls apart into more and more opinion clusters. Hover over an input for its meaning.
"""),
    code("""
ex = sk.widgets.explore(sk.dynamics.deffuant, G=G, opinions=opinions, steps=60)
ex
"""),
    md("""
The widget is a thin front-end: the same run as a script, and the same summary numbers.
"""),
    code("""
run = sk.dynamics.deffuant(G, opinions, epsilon=ex.controls["epsilon"].value, steps=60, seed=0)
sk.widgets.run_numbers(run)
"""),
    md("""
## A longer run with start and stop

`run_panel` runs the model in chunks in the background: press **Start**, watch the plot grow,
press **Stop** to halt after the current chunk. (In a script: `sk.widgets.run_chunks`.)
"""),
    code("""
panel = sk.widgets.run_panel(sk.dynamics.deffuant, steps=600, chunk=30, G=G, opinions=opinions,
                             epsilon=0.15)
panel
"""),
    md("""
## Build a population and check it against the census

Choose the columns, the survey weight and the census margins (ACS 2018) to rake on; **Build**
shows how far the weighted population is from every target. It starts unweighted: select
`education` (ctrl/cmd-click for several), press Build, and watch the `age_group` row too.
"""),
    code("""
survey = sk.datasets.acs_recode(anes)  # adds age_group, education, income_group
targets = sk.datasets.acs_targets(["age_group", "education", "income_group"])
builder = sk.widgets.population_builder(survey, targets=targets)
builder
"""),
    md("""
## Look at the network

Colour by an attribute to see homophily: the assortativity and E–I index appear on the right,
with the friendship paradox (most people's friends have more friends than they do).
"""),
    code("""
sk.widgets.network_view(G, color="PID")
"""),
    md("""
## From the notebook to the paper

Figures are plain plotly figures. The `paper` style sets print fonts and a single-column width;
`sk.plot.save` writes PDF, SVG or PNG offline.
"""),
    code("""
import tempfile
from pathlib import Path

with sk.plot.style("paper"):
    fig = sk.plot.trajectories(run, max_agents=80)
path = sk.plot.save(fig, Path(tempfile.mkdtemp()) / "deffuant.pdf")
print(sk.plot.export_backend(), "wrote", path.name, path.stat().st_size, "bytes")
fig
"""),
]

TEACHING = [
    md("""
# 08 · Teaching: when does consensus break?

**Bounded confidence** (Deffuant, Neau, Amblard & Weisbuch 2000): people listen only to those
whose opinion is close enough to their own. Two agents *i* and *j* meet at random; if
|x<sub>i</sub> − x<sub>j</sub>| < ε they both move a share μ of the way towards each other,
otherwise nothing happens.

With opinions spread evenly over [0, 1], a large ε ends in **consensus** and a small ε in
**several camps**. This notebook asks you to find where that happens. Solutions are hidden
below each exercise: click the collapsed cell (or the ⋯) to reveal it, but try first!
"""),
    code("""
import numpy as np
import plotly.graph_objects as go
import socialkit as sk

N = 500
uniform = np.linspace(0, 1, N)  # evenly spread opinions
run = sk.dynamics.deffuant(None, uniform, epsilon=0.5, steps=60, seed=1)  # None: anyone meets anyone
run.plot()
"""),
    md("""
`sk.dynamics.clusters` groups the final opinions; clusters with fewer than 5% of the agents
are stragglers and not counted.
"""),
    code("""
def camps(run):
    return len(sk.dynamics.clusters(run.final(), min_share=0.05))

camps(run)
"""),
    md("""
## Exercise 1: count the camps

Run the model with ε = 0.3, 0.2 and 0.1. How many camps do you get? A rule of thumb says about
⌊1 / (2ε)⌋. Does it hold?
"""),
    code("""
# your turn: change epsilon and look at the plot and at camps(run)
run = sk.dynamics.deffuant(None, uniform, epsilon=0.3, steps=60, seed=1)
camps(run)
"""),
    md("**Solution 1** (hidden: expand the cell below)"),
    code("""
for eps in (0.3, 0.2, 0.1):
    r = sk.dynamics.deffuant(None, uniform, epsilon=eps, steps=100, seed=1)
    print(f"epsilon={eps}: {camps(r)} camps, rule of thumb {int(1 / (2 * eps))}")
""", hidden=True, tags=["solution"]),
    md("""
## Exercise 2: find the ε at which consensus breaks

Sweep ε from 0.05 to 0.5 and plot the number of camps against ε. Below which ε does the
population no longer end in one camp? Use a few seeds: near the threshold the outcome depends on
chance.
"""),
    code("""
# your turn: a loop over epsilons (np.linspace) and seeds, storing camps(run)
"""),
    md("**Solution 2** (hidden: expand the cell below)"),
    code("""
from tqdm.auto import tqdm

epsilons = np.round(np.arange(0.05, 0.51, 0.025), 3)
seeds = range(3)
counts = np.array([[camps(sk.dynamics.deffuant(None, uniform, epsilon=e, steps=100, seed=s))
                    for s in seeds] for e in tqdm(epsilons, desc="epsilon")])
mean = counts.mean(axis=1)
threshold = epsilons[mean > 1].max()  # the largest epsilon that still ends in several camps
print(f"one camp for every seed from epsilon = {threshold + 0.025:.3f} up; "
      f"at {threshold:.3f} at least one seed ends in several camps")
fig = go.Figure(go.Scatter(x=epsilons, y=mean, mode="lines+markers", name="mean over seeds"))
fig.add_vline(x=threshold + 0.0125, line_dash="dash")
sk.plot.style("default", fig)
fig.update_layout(title="Camps after 100 sweeps", xaxis_title="confidence bound ε",
                  yaxis_title="camps (≥ 5% of agents)")
""", hidden=True, tags=["solution"]),
    md("""
## Exercise 3: real opinions on a network

Now take the ANES 1996 respondents' left–right self-placement as the initial opinions, on a
network where each person has about 8 friends, who share their party more often than chance.
Compare the well-mixed population with the network for ε = 0.4, 0.3, 0.2, 0.15: does the network
change the number of large camps? What else changes? (Hint: count the groups of every size too,
`len(sk.dynamics.clusters(run.final()))`.)
"""),
    code("""
anes = sk.datasets.load("anes1996")
pop = sk.Population.from_survey(anes, codebook="anes1996")
codes = pop.codes("selfLR")
rng = np.random.default_rng(0)
opinions = ((codes - 1) / 6 + rng.uniform(-1 / 12, 1 / 12, len(codes))).clip(0, 1)
G = sk.network.homophilous(pop, on="PID", mean_degree=8, homophily=0.6, seed=1)
# your turn
"""),
    md("**Solution 3** (hidden: expand the cell below)"),
    code("""
def groups(run):
    return len(sk.dynamics.clusters(run.final()))

for eps in (0.4, 0.3, 0.2, 0.15):
    mixed = sk.dynamics.deffuant(None, opinions, epsilon=eps, steps=100, seed=1)
    net = sk.dynamics.deffuant(G, opinions, epsilon=eps, steps=100, seed=1)
    print(f"epsilon={eps}: well mixed {camps(mixed)} camps ({groups(mixed)} groups of any size), "
          f"network {camps(net)} camps ({groups(net)} groups)")
""", hidden=True, tags=["solution"]),
    md("""
**Discussion.** In these runs the network does not add large camps (it can even keep one camp
where the well-mixed population splits, because chains of friends bridge the gap), but it
leaves many more small groups behind: people whose few friends all disagree by more than ε never
move again. A sparse network makes the outcome less tidy, not more polarised, in this model.
"""),
    md("""
## Play

Move ε and μ, press Run, and watch camps form (the numbers on the right count them).
"""),
    code("""
sk.widgets.explore(sk.dynamics.deffuant, G=None, opinions=uniform, steps=60)
"""),
]


def write(cells, name):
    nb = new_notebook(cells=cells, metadata=KERNEL)
    nbformat.validate(nb)
    path = HERE / name
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":
    for cells, name in ((WIDGETS, "07_widgets.ipynb"),
                        (TEACHING, "08_teaching_bounded_confidence.ipynb")):
        print("wrote", write(cells, name))
