"""GovSim: governing a commons with LLM agents (Piatti et al., "Cooperate or Collapse: Emergence
of Sustainable Cooperation in a Society of LLM Agents", NeurIPS 2024).

Five villagers harvest each month from a shared stock (100 tons of fish) that doubles after the
harvest, up to its capacity, and collapses when fewer than 5 tons are left; after each harvest
they talk. Across 3 scenarios x 15 models, 43 of 45 runs collapsed; the best model's survival
rate was below 54%; telling agents what would happen if everyone overharvested
(universalization) helped; without communication agents overused the resource.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model
from socialkit.scenarios._stats import gini, kaplan_meier, mean_ci, wilson

__all__ = ["commons", "commons_metrics", "commons_table", "commons_summary", "survival_curve"]


@model(Param("agents", int, None, low=1, allow_none=True,
             doc="villagers when no population is given (GovSim: 5)"),
       Param("months", int, 12, low=1, doc="months simulated (GovSim: 12)"),
       Param("stock", float, 100.0, low=0, low_open=True,
             doc="initial stock, also its capacity (GovSim: 100 tons)"),
       Param("regrowth", float, 2.0, low=1, low_open=True,
             doc="factor the stock left grows by each month, up to capacity (GovSim: 2)"),
       Param("collapse_below", float, 5.0, low=0,
             doc="collapse when fewer units are left after a harvest (GovSim: 5)"),
       Param("framing", str, "fishery", choices=["fishery", "pasture", "pollution"],
             doc="the story: fish in a lake, sheep on a pasture, factories on a river"),
       Param("discussion", bool, True, doc="agents talk after each harvest (GovSim: yes)"),
       Param("utterances", int, 10, low=1,
             doc="most entries in a month's conversation, the report included (GovSim: 10)"),
       Param("universalization", bool, False,
             doc="tell agents the largest harvest each could take if all did the same"),
       Param("newcomer", bool, False,
             doc="the last agent is a greedy newcomer who joins at newcomer_month"),
       Param("newcomer_month", int, 3, low=1, doc="month the newcomer joins (GovSim: 3)"),
       Param("allocation", str, "random", choices=["random", "proportional"],
             doc="how an over-requested stock is shared (GovSim: random, unit by unit)"))
def commons(population: Any = None, model: Any = None, *, agents: int | None = None,
            months: int = 12, stock: float = 100.0, regrowth: float = 2.0,
            collapse_below: float = 5.0, framing: str = "fishery", discussion: bool = True,
            utterances: int = 10, universalization: bool = False, newcomer: bool = False,
            newcomer_month: int = 3, allocation: str = "random", policy: Any = None,
            roles: Any = None, seed: int = 0, **run_options: Any):
    """GovSim's commons on the agent kernel: a :class:`socialkit.env.Commons` and a
    :class:`socialkit.sim.Simulation`, run for ``months`` months (or until collapse).

    Parameters
    ----------
    population : socialkit.Population, optional
        The villagers (a ``name`` column names them); default: ``agents`` villagers named
        John, Kate, Jack, Emma, Luke, ...
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    agents, months, stock, regrowth, collapse_below, framing, discussion, utterances,
    universalization, newcomer, newcomer_month, allocation
        See ``commons.schema`` (GovSim's values are the defaults).
    policy, roles
        Policies as for :class:`socialkit.sim.Simulation` (default: an LLM policy for all);
        rule policies find the stock in ``ctx.env.stock``.
    seed : int
    **run_options
        Passed to the Simulation (``memory``, ``cache``, ``temperature``, ``concurrency``,
        ``budget``, ``checkpoint``, ``progress``, ...).

    Returns
    -------
    socialkit.Run
        Measures ``commons.*`` per month; per-agent ``gain`` (total harvest); events ``fish``
        (the decision), ``catch`` (wanted and caught), ``say`` (the discussion), ``collapse``.
        :func:`commons_metrics` reads GovSim's metrics from it.

    Examples
    --------
    >>> import socialkit as sk
    >>> greedy = sk.agents.RulePolicy(lambda ctx: {"action": "fish", "tons": 15})
    >>> run = sk.scenarios.commons(policy=greedy, discussion=False, seed=1, progress=False)
    >>> m = sk.scenarios.commons_metrics(run)
    >>> m["survival_time"], m["survived"], m["total_gain"]
    (2, False, 125.0)
    """
    from socialkit.agents import Continuous
    from socialkit.env import NAMES, Commons
    from socialkit.population import Population
    from socialkit.sim import Simulation

    if population is None:
        n = 5 if agents is None else agents
        names = NAMES[:n] if n <= len(NAMES) else [f"Villager {i + 1}" for i in range(n)]
        population = Population(pd.DataFrame({"agent": np.arange(n), "weight": 1.0,
                                              "name": names}))
    elif not isinstance(population, Population):
        raise TypeError(f"commons: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    elif agents is not None and agents != len(population):
        raise ValueError(f"commons: agents={agents} but the population has {len(population)} "
                         "agents; give one or the other")
    if newcomer and len(population) < 2:
        raise ValueError("commons: newcomer=True needs at least 2 agents")
    bad = sorted({"env", "state", "params", "name"} & set(run_options))
    if bad:
        raise TypeError(f"commons: {bad} are set by the scenario")
    ids = population.df["agent"].to_numpy()
    env = Commons(stock, regrowth=regrowth, collapse_below=collapse_below, framing=framing,
                  discussion=discussion, utterances=utterances,
                  universalization=universalization, allocation=allocation,
                  newcomer=int(ids[-1]) if newcomer else None, newcomer_month=newcomer_month,
                  gain="gain")
    params = {"agents": len(population), "months": months, "stock": stock,
              "regrowth": regrowth, "collapse_below": collapse_below, "framing": framing,
              "discussion": discussion, "utterances": utterances,
              "universalization": universalization, "newcomer": newcomer,
              "newcomer_month": newcomer_month, "allocation": allocation}
    options = {"clock": "month", "progress": True, **run_options}
    sim = Simulation(population, env, model, policy=policy, roles=roles,
                     state={"gain": Continuous(low=0, initial=0.0,
                                               doc="total harvested so far")},
                     seed=seed, name="commons", params=params, **options)
    return sim.run(months)


# ---- GovSim's metrics ------------------------------------------------------------------------
def _catches(run: Any) -> pd.DataFrame:
    ev = run.events[run.events["action"] == "catch"]
    data = [json.loads(d) for d in ev["data"]]
    return pd.DataFrame({"month": ev["step"].to_numpy(), "agent": ev["agent"].to_numpy(),
                         "wanted": [d["wanted"] for d in data],
                         "caught": [d["caught"] for d in data],
                         "share": [d["share"] for d in data]})


def commons_metrics(run: Any) -> dict[str, Any]:
    """GovSim's metrics of one commons run.

    - ``survival_time``: the month the commons collapsed, else the months played (censored);
    - ``survived``: no collapse in the months planned (``run.params["months"]``);
    - ``total_gain``: all harvests; ``gains``: per agent;
    - ``efficiency``: ``1 - max(0, T f0 - total) / (T f0)``, with ``T`` the months planned and
      ``f0`` the sustainable total harvest at the start (50 tons of 100 with doubling): 1 when
      the agents took the most a sustainable policy could;
    - ``equality``: 1 - the Gini coefficient of the agents' gains;
    - ``overuse``: the share of harvest requests above that month's sustainable share.

    Examples
    --------
    >>> import socialkit as sk
    >>> fair = sk.agents.RulePolicy(
    ...     lambda ctx: {"action": "fish", "tons": sk.env.sustainable_share(ctx.env.stock, 5)})
    >>> m = commons_metrics(sk.scenarios.commons(policy=fair, discussion=False, progress=False))
    >>> m["survived"], m["total_gain"], m["efficiency"], m["equality"], m["overuse"]
    (True, 600.0, 1.0, 1.0, 0.0)
    """
    p = run.params
    for k in ("months", "stock", "regrowth", "collapse_below"):
        if k not in p:
            raise ValueError(f"commons_metrics: run.params lacks {k!r}; is this a run of "
                             "sk.scenarios.commons?")
    months = int(p["months"])
    meas = run.measures()
    played = int(run.params.get("steps", meas.index.max()))
    collapsed = meas["commons.collapsed"].to_numpy()
    hit = np.flatnonzero(collapsed > 0)
    collapse_month = int(meas.index[hit[0]]) if len(hit) else None
    c = _catches(run)
    gains = c.groupby("agent")["caught"].sum()
    total = float(gains.sum())
    f0 = math.floor(float(p["stock"]) * (1 - 1 / float(p["regrowth"])) + 1e-9)
    opt = months * f0
    eff = 1 - max(0.0, opt - total) / opt if opt > 0 else math.nan
    return {"months": months, "months_played": played,
            "survival_time": collapse_month if collapse_month is not None else played,
            "collapsed": collapse_month is not None,
            "survived": collapse_month is None and played >= months,
            "total_gain": total, "gains": gains, "efficiency": eff,
            "equality": 1 - gini(gains.to_numpy()) if total > 0 else math.nan,
            "overuse": float((c["wanted"] > c["share"]).mean()) if len(c) else math.nan}


def commons_table(runs: Sequence[Any] | Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """One row of :func:`commons_metrics` per run (without per-agent gains): runs in a list, or
    a dict ``condition -> runs`` (column ``condition``); ``seed`` from each run."""
    groups = runs.items() if isinstance(runs, Mapping) else [(None, runs)]
    rows = []
    for cond, rs in groups:
        for r in rs:
            m = commons_metrics(r)
            m.pop("gains")
            rows.append({**({"condition": cond} if cond is not None else {}), "seed": r.seed,
                         **m})
    return pd.DataFrame(rows)


def survival_curve(table: pd.DataFrame, by: str | None = None, level: float = 0.95
                   ) -> pd.DataFrame:
    """Kaplan-Meier survival of the commons over runs (a :func:`commons_table`): the share of
    runs whose commons survives past each month, with log-log Greenwood intervals; runs that
    did not collapse are censored at the months they played."""
    parts = []
    groups = table.groupby(by, sort=False) if by is not None else [(None, table)]
    for key, g in groups:
        km = kaplan_meier(g["survival_time"], g["collapsed"], level=level)
        if by is not None:
            km.insert(0, by, key)
        parts.append(km)
    return pd.concat(parts, ignore_index=True)


def commons_summary(table: pd.DataFrame, by: str | None = "condition", level: float = 0.95
                    ) -> pd.DataFrame:
    """Per condition: runs, survival rate at the months planned (Kaplan-Meier, with its
    interval; the Wilson interval when every run lasted that long), mean survival time, total
    gain, efficiency, equality and over-usage with t intervals."""
    if by is not None and by not in table.columns:
        by = None
    rows = []
    for key, g in (table.groupby(by, sort=False) if by is not None else [(None, table)]):
        months = int(g["months"].max())
        km = kaplan_meier(g["survival_time"], g["collapsed"], level=level)
        at = km[km["time"] <= months].iloc[-1]
        row = {by: key} if by is not None else {}
        row["runs"] = len(g)
        row["survival_rate"], row["survival_lower"], row["survival_upper"] = (
            at["survival"], at["lower"], at["upper"])
        if ((g["months_played"] >= months) | g["collapsed"]).all():  # nothing censored early:
            _, row["survival_lower"], row["survival_upper"] = wilson(  # a plain proportion
                float(g["survived"].sum()), len(g), level)
        for col in ("survival_time", "total_gain", "efficiency", "equality", "overuse"):
            m, lo, hi = mean_ci(g[col], level)
            row[col], row[f"{col}_lower"], row[f"{col}_upper"] = m, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)
