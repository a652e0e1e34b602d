"""Cultural transmission of stories through populations of LLM agents (LLM-Culture).

Perez, Léger, Ovando-Tellez, Foulon, Dussauld, Oudeyer & Moulin-Frier (2024), "Cultural
evolution in populations of Large Language Models" (arXiv:2403.08882; code: flowersteam/
LLM-Culture). In generation 0 every agent writes a story; in each later generation it receives
the previous stories of its network neighbours and writes a new one from them. The network
(a transmission chain, fully connected, a circle, connected caves) and the agents' personalities
shape how alike the stories of a generation become (homogeneity) and how far they drift from
the first generation's, measured by the TF-IDF cosine similarity of the texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.params import Param, model
from socialkit.scenarios._common import check_runs, event_table, mean_ci
from socialkit.scenarios._textsim import cosine_similarity

__all__ = ["cultural_transmission", "cultural_transmission_simulation", "culture_network",
           "story_similarity", "similarity_by_generation", "TOPOLOGIES", "INIT_PROMPT",
           "COMBINE_PROMPT", "PERSONALITIES"]

TOPOLOGIES = ("chain", "fully_connected", "circle", "caveman")
"""LLM-Culture's network structures."""

INIT_PROMPT = "Write a short story. Write only the story, nothing else."
"""What agents with nothing to read do (generation 0), in socialkit's words."""

COMBINE_PROMPT = ("Above are stories you received. Pick the two you like best and write a new "
                  "story that combines them. Write only your story, nothing else.")
"""The transmission prompt ("combine"), in socialkit's words."""

PERSONALITIES = {
    "none": "",
    "creative": "You are a very creative person: you like original, surprising ideas.",
    "conformist": "You are a conventional person: you like familiar, classic stories.",
}
"""Personality prompts (socialkit's wording of two of LLM-Culture's kinds)."""

SYSTEM = "You take part in a storytelling game.\n\n{persona}"


def culture_network(topology: str, n: int, cliques: int = 2) -> nx.Graph:
    """LLM-Culture's network structures on agents ``0..n-1``: ``"chain"`` (a directed path:
    agent ``i`` reads agent ``i - 1``), ``"fully_connected"``, ``"circle"`` and ``"caveman"``
    (``cliques`` connected cliques of ``n // cliques`` agents, networkx's
    ``connected_caveman_graph``).

    Examples
    --------
    >>> G = culture_network("caveman", 10, cliques=2)
    >>> G.number_of_edges(), nx.is_connected(G), max(dict(G.degree()).values())
    (20, True, 5)
    """
    if topology not in TOPOLOGIES:
        raise ValueError(f"culture_network topology must be one of {list(TOPOLOGIES)}, got "
                         f"{topology!r}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"culture_network n must be an integer >= 2, got {n!r}")
    if topology == "chain":
        return nx.path_graph(int(n), create_using=nx.DiGraph)
    if topology == "fully_connected":
        return nx.complete_graph(int(n))
    if topology == "circle":
        return nx.cycle_graph(int(n))
    if isinstance(cliques, bool) or not isinstance(cliques, int | np.integer) or cliques < 2:
        raise ValueError(f"culture_network cliques must be an integer >= 2, got {cliques!r}")
    size = n // cliques
    if size < 2 or size * cliques != n:
        raise ValueError(f"culture_network caveman: {n} agents do not split into {cliques} "
                         f"cliques of at least 2 agents each")
    return nx.connected_caveman_graph(int(cliques), int(size))


_PARAMS = (
    Param("generations", int, 10, low=1, doc="generations of stories (a chain has one agent "
                                             "per generation)"),
    Param("topology", str, "fully_connected", choices=list(TOPOLOGIES), doc="network structure"),
    Param("agents", int, 10, low=2, doc="agents"),
    Param("cliques", int, 2, low=2, doc="cliques of the caveman network"),
    Param("k", int, None, low=1, allow_none=True,
          doc="most neighbours' stories read (None: all)"),
    Param("max_words", int, 100, low=10, doc="longest story, in words"),
)


def _personas(personality: Any, n: int) -> list[str]:
    if personality is None:
        return [""] * n
    if isinstance(personality, str):
        return [PERSONALITIES.get(personality, personality)] * n
    if isinstance(personality, Sequence) and not isinstance(personality, str | bytes):
        if len(personality) != n:
            raise ValueError(f"cultural_transmission: {len(personality)} personalities for {n} "
                             "agents")
        if not all(isinstance(p, str) for p in personality):
            raise TypeError("cultural_transmission: personalities must be strings")
        return [PERSONALITIES.get(p, p) for p in personality]
    raise TypeError(f"cultural_transmission: personality must be a name of PERSONALITIES, a "
                    f"prompt, one per agent or None; got {type(personality).__name__}")


@model(*_PARAMS)
def cultural_transmission_simulation(model: Any = None, *, generations: int = 10,
                                     topology: str = "fully_connected", agents: int = 10,
                                     cliques: int = 2, k: int | None = None,
                                     max_words: int = 100, personality: Any = None,
                                     init_prompt: str = INIT_PROMPT,
                                     prompt: str = COMBINE_PROMPT, seed: int = 0,
                                     **run_options: Any):
    """The :class:`socialkit.sim.Simulation` that :func:`cultural_transmission` runs (same
    arguments); also ``cultural_transmission.simulation``."""
    from socialkit.agents import LLMPolicy
    from socialkit.env import Retell
    from socialkit.population import Population
    from socialkit.sim import Simulation

    G = culture_network(topology, agents, cliques)
    if topology == "chain" and generations > agents:
        raise ValueError(f"cultural_transmission: a chain has one agent per generation; give "
                         f"agents >= generations ({generations}), got {agents}")
    personas = _personas(personality, agents)
    for nm, v in (("init_prompt", init_prompt), ("prompt", prompt)):
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"cultural_transmission: {nm} must be a non-empty string")
    pop = Population(pd.DataFrame({"agent": np.arange(agents), "weight": 1.0,
                                   "personality": personas}))
    env = Retell(G, k=k, prompt=prompt, start=init_prompt, own=False, max_words=max_words,
                 heard="Stories you received:")
    activation: Any = 1.0
    if topology == "chain":  # generation g: agent g reads agent g - 1's story
        activation = {g + 1: [g] for g in range(agents)}
    template = "[social identity]\n$personality\n"
    params = {"generations": generations, "topology": topology, "agents": agents,
              "cliques": cliques, "k": k, "max_words": max_words, "personality": personas,
              "init_prompt": init_prompt, "prompt": prompt, "action": "write"}
    opts = {"progress": True, **run_options}
    return Simulation(pop, env, model, policy=LLMPolicy(SYSTEM, memories=0, persona=template),
                      activation=activation, seed=seed, name="cultural_transmission",
                      params=params, **opts)


@model(*_PARAMS)
def cultural_transmission(model: Any = None, *, generations: int = 10,
                          topology: str = "fully_connected", agents: int = 10, cliques: int = 2,
                          k: int | None = None, max_words: int = 100, personality: Any = None,
                          init_prompt: str = INIT_PROMPT, prompt: str = COMBINE_PROMPT,
                          seed: int = 0, **run_options: Any):
    """Stories passed down generations of LLM agents on a network (LLM-Culture, Perez et al.
    2024).

    Generation 0 (step 1): every agent writes a story from ``init_prompt``. Generation ``g``
    (step ``g + 1``): every agent receives its neighbours' stories of generation ``g - 1``
    (up to ``k``; not its own) and writes a new story from ``prompt`` (one call). In a chain
    only agent ``g`` writes in generation ``g``, from agent ``g - 1``'s story (a transmission
    chain). Agents may carry a personality prompt. :func:`story_similarity` measures the TF-IDF
    cosine similarity within and across generations.

    Parameters
    ----------
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    generations, topology, agents, cliques, k, max_words
        See ``cultural_transmission.schema``.
    personality : str, list of str or None
        A key of :data:`PERSONALITIES` or a prompt of your own, for every agent or one per
        agent.
    init_prompt, prompt : str
        The instructions of generation 0 and of later generations.
    seed : int
    **run_options
        Passed to :class:`socialkit.sim.Simulation` (``cache``, ``temperature``, ...).

    Returns
    -------
    socialkit.Run
        Events ``write`` (each story; ``data["text"]``); measures ``retell.written``.

    Examples
    --------
    >>> import socialkit as sk
    >>> def model(messages):
    ...     got = messages[-1]["content"].count("\\n1. ")
    ...     return "A fox met a crow." if not got else "The fox and the crow became friends."
    >>> run = sk.scenarios.cultural_transmission(sk.llm.scripted(model), generations=3,
    ...                                          topology="circle", agents=4, cache=False,
    ...                                          progress=False)
    >>> sk.scenarios.story_similarity(run)[["generation", "within", "successive"]].round(2)
       generation  within  successive
    0           0     1.0         NaN
    1           1     1.0        0.42
    2           2     1.0        1.00
    """
    sim = cultural_transmission_simulation(
        **{k_: v for k_, v in locals().items() if k_ != "run_options"}, **run_options)
    return sim.run(generations)


cultural_transmission.simulation = cultural_transmission_simulation


def _stories(run) -> pd.DataFrame:
    w = event_table(run, "write")
    if w.empty:
        raise ValueError("story_similarity: the run has no stories (no 'write' events)")
    return w.assign(generation=w["step"] - 1)[["generation", "agent", "text"]]


def story_similarity(run: Any, stop_words: Any = "english") -> pd.DataFrame:
    """TF-IDF cosine similarity of a run's stories, by generation (LLM-Culture's measures).

    The TF-IDF vectors are fitted on all the run's stories together (as LLM-Culture does).

    Returns
    -------
    pandas.DataFrame
        One row per generation: ``stories``; ``within`` (mean similarity of the pairs of
        different stories of the generation: homogeneity; NaN with one story);
        ``successive`` (mean similarity of its stories to the previous generation's: the
        step-by-step change); ``from_first`` (mean similarity to generation 0: the drift).
    """
    from socialkit.run import Run

    if not isinstance(run, Run):
        raise TypeError(f"story_similarity needs a socialkit.Run, got {type(run).__name__}")
    s = _stories(run)
    S = cosine_similarity(s["text"].tolist(), stop_words)
    gen = s["generation"].to_numpy()
    rows = []
    gens = sorted(set(gen.tolist()))
    for g in gens:
        idx = np.flatnonzero(gen == g)
        block = S[np.ix_(idx, idx)]
        off = block[~np.eye(len(idx), dtype=bool)]
        prev = np.flatnonzero(gen == g - 1)
        first = np.flatnonzero(gen == gens[0])
        rows.append({"generation": int(g), "stories": len(idx),
                     "within": float(off.mean()) if len(off) else np.nan,
                     "successive": float(S[np.ix_(idx, prev)].mean()) if len(prev) else np.nan,
                     "from_first": float(S[np.ix_(idx, first)].mean()) if g != gens[0]
                     else np.nan})
    return pd.DataFrame(rows)


def similarity_by_generation(runs: Any, by: str = "topology") -> pd.DataFrame:
    """:func:`story_similarity` of several runs (seed replicates, topologies), as means with
    95% intervals across the runs of each group.

    Parameters
    ----------
    runs : Run, list of Run, or dict of label -> Run or list of Run
        With a dict, its keys are the groups; otherwise the runs' ``params[by]``.
    by : str
        The run parameter that groups the runs (ignored with a dict).

    Returns
    -------
    pandas.DataFrame
        ``group, generation, measure (within / successive / from_first), mean, low, high,
        runs``.
    """
    if isinstance(runs, Mapping):
        groups = {str(k): check_runs(v, "similarity_by_generation") for k, v in runs.items()}
    else:
        groups = {}
        for r in check_runs(runs, "similarity_by_generation"):
            groups.setdefault(str(r.params.get(by)), []).append(r)
    rows = []
    for label, rs in groups.items():
        # a run whose every story is missing (a model that never met the word limit) has no
        # similarity to give: left out, so ``runs`` counts the runs behind each mean
        parts = [story_similarity(r).assign(run=i) for i, r in enumerate(rs)
                 if (r.events["action"] == "write").any()]
        if not parts:
            continue
        d = pd.concat(parts)
        for g, grp in d.groupby("generation"):
            for measure in ("within", "successive", "from_first"):
                m, lo, hi = mean_ci(grp[measure])
                rows.append({"group": label, "generation": int(g), "measure": measure,
                             "mean": m, "low": lo, "high": hi,
                             "runs": int(grp[measure].notna().sum())})
    return pd.DataFrame(rows)
