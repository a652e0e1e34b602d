"""Generative Agents' town (Park et al. 2023): the residents of Smallville plan their days, move
between homes, a café, a college, a park and shops, talk with whom they meet, remember,
reflect, and pass on the news of a Valentine's Day party.

Park, O'Brien, Cai, Morris, Liang & Bernstein (2023), "Generative Agents: Interactive Simulacra
of Human Behavior", UIST 2023. 25 agents over two game days; Isabella Rodriguez plans a
Valentine's Day party at Hobbs Cafe (February 14, 5-7 pm). Reported: awareness of the party
rose from 1 to 13 of 25 agents (4% to 52%), the relationship network's density from 0.167 to
0.74, 5 of the 12 invited agents attended, and 1.3% of the agents' answers held hallucinated
claims. Ablations without observation, planning or reflection made the agents' behaviour
less believable.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from socialkit.params import Param, model

__all__ = ["generative_town", "town_outcomes", "event_attendance", "smallville_population",
           "PLACES", "PAPER"]

PLACES = {
    "Hobbs Cafe": "a café, run by Isabella Rodriguez",
    "Oak Hill College": "the college, with classrooms and a library",
    "Johnson Park": "a park with a lake and benches",
    "Harvey Oak Supply Store": "a supply store",
    "The Willows Market and Pharmacy": "a grocery market with a pharmacy",
    "The Rose and Crown Pub": "a pub, run by Arthur Burton",
}
"""Smallville's public places (names from the authors' map; descriptions socialkit's)."""

PAPER = {"aware_first": 1, "aware_last": 13, "agents": 25, "density_first": 0.167,
         "density_last": 0.74, "invited": 12, "attended": 5, "hallucinated": 0.013}
"""Park et al.'s reported figures for the two-day, 25-agent run."""

HOST = "Isabella Rodriguez"

TEMPLATE = """\
[social identity]
My name is $name and $I $am $age years old. My traits: $innate.
[personal identity]
$learned
[life context]
$currently $lifestyle $daily_plan_req
"""


def smallville_population():
    """The 25 Smallville residents as a Population (dataset ``smallville``), with their
    ``home`` (the building of their ``living_area``).

    Examples
    --------
    >>> pop = smallville_population()
    >>> len(pop), pop.df.loc[pop.df["name"] == "Isabella Rodriguez", "home"].item()
    (25, "Isabella Rodriguez's apartment")
    """
    from socialkit.datasets import load
    from socialkit.population import Population

    df = load("smallville")
    df = df.assign(home=df["living_area"].str.split(":").str[1])
    return Population.from_survey(df, codebook=False)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", str(text).replace("*", ""))
            if len(s.strip()) > 3]


def _ties(df: pd.DataFrame) -> list[tuple[int, int]]:
    """Who knows whom before the first day: housemates, and residents whose persona names the
    other (a proxy of the paper's interviews, which asked every pair)."""
    text = (df["innate"] + " " + df["learned"] + " " + df["currently"] + " "
            + df["daily_plan_req"] + " " + df["living_area"]).tolist()
    ids, names, homes = df["agent"].tolist(), df["name"].tolist(), df["home"].tolist()
    out = set()
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if homes[i] == homes[j] or names[j] in text[i] or names[i] in text[j]:
                out.add((ids[i], ids[j]))
    return sorted(out)


@model(
    Param("days", int, 2, low=1, doc="simulated days (Park et al.: two)"),
    Param("n_agents", int, 25, low=2, high=25, doc="residents (the host and others drawn)"),
    Param("day_start", int, 7, low=0, high=23, doc="first hour of a day"),
    Param("day_end", int, 22, low=0, high=23, doc="last hour of a day"),
    Param("p_talk", float, 0.5, low=0, high=1,
          doc="chance that two residents at the same place talk in an hour"),
    Param("max_turns", int, 6, low=1, doc="most lines per conversation"),
    Param("max_words", int, 30, low=3, doc="longest line"),
    Param("reflection", bool, True, doc="agents reflect on their memories (ablation: off)"),
    Param("planning", bool, True, doc="agents plan their day (ablation: decide hourly)"),
    Param("memory", bool, True, doc="agents remember (ablation: no memory)"),
)
def generative_town(model: Any = None, *, days: int = 2, n_agents: int = 25,
                    day_start: int = 7, day_end: int = 22, p_talk: float = 0.5,
                    max_turns: int = 6, max_words: int = 30, reflection: bool = True,
                    planning: bool = True, memory: bool = True, names=None,
                    embedding=None, seed: int = 0, **run_options: Any):
    """Smallville for ``days`` days, in hourly steps, with the Valentine's Day party seed.

    The residents (dataset ``smallville``: the paper's 25 seed personas) start at home on
    Monday, February 13, 2023; Isabella Rodriguez's persona and first memories hold her plan:
    a Valentine's Day party at Hobbs Cafe on February 14, 5-7 pm, to which she invites
    everyone. Each resident's first memories are the sentences of its persona. The
    :class:`socialkit.env.Town` runs the day (plans, moves, conversations, replanning on
    hearing of the party, an interview at each day's last hour); memories are a
    :class:`socialkit.memory.Stream` (recency, importance and relevance as in the paper, with
    reflection when the accumulated importance passes 150).

    Parameters
    ----------
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    days, n_agents, day_start, day_end, p_talk, max_turns, max_words, reflection, planning,
    memory
        See ``generative_town.schema``; ``reflection``, ``planning`` and ``memory`` are the
        ablation switches.
    names : list of str, optional
        Which residents (must include Isabella Rodriguez); default: she and ``n_agents - 1``
        others drawn with the seed.
    embedding : callable, optional
        The memory stream's embedding (default: offline MiniLM; ``HashEmbedding`` in tests).
    seed : int
    **run_options
        Passed to :class:`socialkit.Simulation` (``cache``, ``temperature``, ``progress``,
        ``checkpoint``, ...).

    Returns
    -------
    socialkit.Run
        ``place`` per resident and hour; events ``plan``, ``replan``, ``move``,
        ``utterance``, ``conversation``, ``interview``; measures ``town.*`` per hour.
        :func:`town_outcomes` and :func:`event_attendance` make the paper's measures.
    """
    from socialkit.agents import LLMPolicy
    from socialkit.dynamics._common import make_rng
    from socialkit.env import Town, TownEvent
    from socialkit.memory import Stream
    from socialkit.population import Population
    from socialkit.sim import Clock, Simulation

    if day_end < day_start:
        raise ValueError(f"generative_town: day_end ({day_end}) is before day_start "
                         f"({day_start})")
    party = (17, 18)
    if not set(party) <= set(range(day_start, day_end + 1)):
        raise ValueError(f"generative_town: the party (5-7 pm) must fall within the day "
                         f"({day_start}-{day_end})")
    full = smallville_population().df
    _, seed = make_rng(seed)
    if names is None:
        rng = np.random.default_rng([seed, 3])
        others = full.index[full["name"] != HOST].to_numpy()
        pick = [int(full.index[full["name"] == HOST][0]),
                *sorted(rng.choice(others, size=n_agents - 1, replace=False).tolist())]
    else:
        names = [names] if isinstance(names, str) else list(names)
        unknown = [n for n in names if n not in set(full["name"])]
        if unknown:
            raise ValueError(f"generative_town: {unknown} are not Smallville residents; they "
                             f"are {full['name'].tolist()}")
        if HOST not in names or len(set(names)) != len(names) or len(names) < 2:
            raise ValueError(f"generative_town: names must be distinct residents including "
                             f"{HOST!r}, at least two, got {names!r}")
        pick = [int(i) for i in full.index[full["name"].isin(names)]]
    df = full.loc[sorted(pick)].reset_index(drop=True)
    pop = Population(df)
    host = int(df.loc[df["name"] == HOST, "agent"].item())
    event = TownEvent("Valentine's Day party", "Hobbs Cafe", day=2, hours=party, host=host)
    town = Town(PLACES, "home", day_start=day_start, day_end=day_end, planning=planning,
                p_talk=p_talk, max_turns=max_turns, max_words=max_words,
                event=event, ties=_ties(df))
    mem = Stream(scoring="paper", embedding=embedding) if memory else None
    params = {"days": days, "n_agents": len(df), "day_start": day_start, "day_end": day_end,
              "p_talk": p_talk, "max_turns": max_turns, "max_words": max_words,
              "reflection": reflection, "planning": planning, "memory": memory,
              "agents": dict(zip(df["agent"].astype(str), df["name"], strict=True)),
              "host": host, "event": event.spec()}
    run_options.setdefault("name", "generative_town")
    sim = Simulation(pop, env=town, model=model, policy=LLMPolicy(persona=TEMPLATE),
                     memory=mem, reflect=reflection, state={"place": town.variable(pop)},
                     clock=Clock("hour"), seed=seed, params=params, **run_options)
    if mem is not None and sim.t == 0 and len(mem) == 0:
        agents, texts = [], []
        for a, row in zip(df["agent"].tolist(), df.to_dict("records"), strict=True):
            for field in ("learned", "currently", "lifestyle", "daily_plan_req"):
                for s in _sentences(row[field]):
                    agents.append(a)
                    texts.append(s)
        sim.memorize(agents, texts)
    return sim.run(steps=days * (day_end - day_start + 1))


def town_outcomes(run: Any) -> pd.DataFrame:
    """The paper's measures per day of a :func:`generative_town` run: ``informed`` (residents
    who heard of the party, with the host), ``aware`` (said yes in the day's interview),
    ``hallucinated`` (said yes, never heard of it), ``missed`` (heard, said no),
    ``answers`` (interview answers), the shares of ``n`` residents, and ``density`` of the
    relationship network at the day's end (``day`` 0: before the first day).

    Parameters
    ----------
    run : socialkit.Run
    """
    m = _measures(run)
    n = int(run.params["n_agents"])
    ev = run.events
    answers = ev[ev["action"] == "interview"]
    per_day = answers["data"].map(lambda d: json.loads(d)["day"]).value_counts()
    first = m.iloc[0]
    rows = [{"day": 0, "informed": 1.0 if "town.informed" in m else np.nan,
             "aware": np.nan, "hallucinated": np.nan, "missed": np.nan, "answers": 0,
             "density": first["town.density"]}]
    for day, g in m.iloc[1:].groupby("town.day"):
        last = g.iloc[-1]
        rows.append({"day": int(day), "informed": last.get("town.informed", np.nan),
                     "aware": last.get("town.aware", np.nan),
                     "hallucinated": last.get("town.hallucinated", np.nan),
                     "missed": last.get("town.missed", np.nan),
                     "answers": int(per_day.get(int(day), 0)), "density": last["town.density"]})
    out = pd.DataFrame(rows)
    out["n"] = n
    for c in ("informed", "aware"):
        out[f"share_{c}"] = out[c] / n
    out["share_hallucinated"] = out["hallucinated"] / out["answers"].where(out["answers"] > 0)
    return out


def _measures(run: Any) -> pd.DataFrame:
    if getattr(run, "params", {}).get("event") is None or not hasattr(run, "measures"):
        raise ValueError("town_outcomes needs a run of generative_town")
    m = run.measures()
    if "town.density" not in m.columns:
        raise ValueError("town_outcomes needs a run of generative_town")
    return m


def event_attendance(run: Any) -> pd.DataFrame:
    """Who was at the party: one row per resident (the host left out) with ``informed`` (had
    heard of it by its start), ``attended`` (at Hobbs Cafe during it) and ``hours`` there.

    Parameters
    ----------
    run : socialkit.Run
        A :func:`generative_town` run of at least two days.
    """
    m = _measures(run)
    e = run.params["event"]
    at = m[(m["town.day"] == e["day"]) & (m["town.hour"].isin(e["hours"]))].index
    if not len(at):
        raise ValueError("event_attendance: the run ended before the party")
    cats = run.variables.info["place"]["categories"]
    code = float(cats.index(e["place"]))
    tr = run.trajectory
    there = tr[(tr["variable"] == "place") & tr["step"].isin(at) & (tr["value"] == code)]
    hours = there.groupby("agent").size()
    names = {int(k): v for k, v in run.params["agents"].items()}
    heard = _informed_by(run, int(at.min()))
    rows = []
    for a, name in names.items():
        if a == e["host"]:
            continue
        rows.append({"agent": a, "name": name, "informed": a in heard,
                     "attended": bool(hours.get(a, 0)), "hours": int(hours.get(a, 0))})
    return pd.DataFrame(rows)


def _informed_by(run: Any, step: int) -> set[int]:
    """Residents who heard a line mentioning the event before ``step`` (from the utterances)."""
    from socialkit.env import TownEvent

    e = run.params["event"]
    event = TownEvent(e["name"], e["place"], e["day"], tuple(e["hours"]), e["host"],
                      tuple(e["keywords"]), e["question"])
    ev = run.events
    said = ev[(ev["action"] == "utterance") & (ev["step"] < step)]
    out = set()
    for speaker, text, data in zip(said["agent"], said["text"], said["data"], strict=True):
        if event.mentions(text):
            out.update(int(x) for x in json.loads(data)["listeners"] if int(x) != speaker)
    return out

