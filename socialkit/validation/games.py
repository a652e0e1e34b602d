"""Cooperation in the repeated prisoner's dilemma, measured alike on people and on agents: the
cooperation rate, first-round cooperation, cooperation by round, and conditional cooperation
P(C | own and partner's previous move)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ipd_moves", "cooperation", "cooperation_by_round", "compare_cooperation",
           "CONDITIONS"]

CONDITIONS = ("CC", "CD", "DC", "DD")
"""Previous-round outcomes, own move first: ``CD`` means "I cooperated, my partner defected"."""

MOVE_COLUMNS = ["who", "treatment", "player", "match", "period", "coop", "prev_own",
                "prev_partner"]


def _wilson(k: float, n: float, z: float = 1.959963984540054) -> tuple[float, float, float]:
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return p, max(0.0, mid - h), min(1.0, mid + h)


def ipd_moves(source: Any, who: str | None = None) -> pd.DataFrame:
    """One row per move of a repeated prisoner's dilemma, from people or from agents.

    Parameters
    ----------
    source : DataFrame or socialkit.Run
        The human data (``sk.datasets.load("ipd_nay_vorobeychik_2016")``, or a subset of its
        rows), or a run of :class:`socialkit.env.RepeatedPD` (its ``move`` events).
    who : str, optional
        A label for the ``who`` column (default: ``"humans"`` / ``"agents"``).

    Returns
    -------
    DataFrame
        ``who``, ``treatment``, ``player``, ``match``, ``period`` (round in the match, 1 =
        first), ``coop`` (1 cooperated, 0 defected; for agents the intended move), and the
        previous round's ``prev_own`` / ``prev_partner`` moves (``"C"``/``"D"``, None in a
        first round; the moves actually made). The human data have no player or match ids
        (NaN).

    Examples
    --------
    >>> import socialkit as sk
    >>> m = ipd_moves(sk.datasets.load("ipd_nay_vorobeychik_2016"))
    >>> len(m), round(float(m["coop"].mean()), 3)
    (168386, 0.449)
    """
    if isinstance(source, pd.DataFrame):
        need = ["my.decision", "period", "my.decision1", "other.decision1", "data", "group"]
        missing = [c for c in need if c not in source.columns]
        if missing:
            raise ValueError(f"ipd_moves: the human data lacks column(s) {missing}; pass "
                             "sk.datasets.load('ipd_nay_vorobeychik_2016') or a subset of it")
        bad = sorted(set(source["my.decision"].dropna()) - {"coop", "defect"})
        if bad:
            raise ValueError(f"ipd_moves: my.decision holds {bad}; expected 'coop' / 'defect'")
        code = {1.0: "C", 0.0: "D"}
        return pd.DataFrame({
            "who": who or "humans",
            "treatment": source["data"].astype(str) + source["group"].astype(int).astype(str),
            "player": np.nan, "match": np.nan,
            "period": source["period"].astype(int).to_numpy(),
            "coop": (source["my.decision"] == "coop").astype(float).to_numpy(),
            "prev_own": source["my.decision1"].map(code).to_numpy(dtype=object),
            "prev_partner": source["other.decision1"].map(code).to_numpy(dtype=object)},
            columns=MOVE_COLUMNS)
    events = getattr(source, "events", None)
    if events is None:
        raise TypeError(f"ipd_moves: source must be the human data (a DataFrame) or a Run, got "
                        f"{type(source).__name__}")
    ev = events[events["action"] == "move"]
    if ev.empty:
        return pd.DataFrame(columns=MOVE_COLUMNS)
    data = [json.loads(d) for d in ev["data"]]
    df = pd.DataFrame({"player": ev["agent"].to_numpy(), "match": [d["match"] for d in data],
                       "period": [d["round"] for d in data],
                       "coop": [float(d["intended"] == "C") for d in data],
                       "move": [d["move"] for d in data],
                       "partner_move": [d["partner_move"] for d in data]})
    df = df.sort_values(["player", "match", "period"], kind="stable").reset_index(drop=True)
    same = (df["player"].shift() == df["player"]) & (df["match"].shift() == df["match"])
    df["prev_own"] = df["move"].shift().where(same, None)
    df["prev_partner"] = df["partner_move"].shift().where(same, None)
    params = getattr(source, "params", {}) or {}
    df["treatment"] = params.get("treatment")
    df["who"] = who or "agents"
    return df[MOVE_COLUMNS]


def _check(moves: Any) -> pd.DataFrame:
    if not isinstance(moves, pd.DataFrame) or "my.decision" in moves.columns:
        moves = ipd_moves(moves)  # a Run, or the human data
    missing = [c for c in ("coop", "period", "prev_own", "prev_partner") if c not in moves]
    if missing:
        raise ValueError(f"cooperation: the moves lack column(s) {missing}; make them with "
                         "sk.validation.ipd_moves")
    return moves


def cooperation(moves: Any) -> pd.DataFrame:
    """The cooperation measures of a table of moves (:func:`ipd_moves`, or a Run / the human
    data, converted): ``overall``, ``first_round``, and ``P(C|CC)``, ``P(C|CD)``, ``P(C|DC)``,
    ``P(C|DD)`` (own previous move first), each with its count and Wilson 95% interval.

    Examples
    --------
    >>> import socialkit as sk
    >>> c = cooperation(sk.datasets.load("ipd_nay_vorobeychik_2016")).set_index("measure")
    >>> c["value"].round(3).tolist()
    [0.449, 0.459, 0.916, 0.403, 0.292, 0.067]
    """
    m = _check(moves)
    rows = []

    def add(name, sel):
        x = m.loc[sel, "coop"].to_numpy(dtype=np.float64)
        v, lo, hi = _wilson(float(x.sum()), len(x))
        rows.append({"measure": name, "value": v, "lower": lo, "upper": hi, "n": len(x)})

    add("overall", np.ones(len(m), dtype=bool))
    add("first_round", (m["period"] == 1).to_numpy())
    for own, other in CONDITIONS:
        add(f"P(C|{own}{other})", ((m["prev_own"] == own) & (m["prev_partner"] == other))
            .to_numpy())
    return pd.DataFrame(rows)


def cooperation_by_round(moves: Any, max_round: int | None = None) -> pd.DataFrame:
    """The share of cooperative moves in each round of a match (1 = first), with counts and
    Wilson 95% intervals; rounds beyond ``max_round`` are left out."""
    m = _check(moves)
    rows = []
    for period, g in m.groupby("period", sort=True):
        if max_round is not None and period > max_round:
            break
        v, lo, hi = _wilson(float(g["coop"].sum()), len(g))
        rows.append({"period": int(period), "value": v, "lower": lo, "upper": hi, "n": len(g)})
    return pd.DataFrame(rows, columns=["period", "value", "lower", "upper", "n"])


def compare_cooperation(**groups: Any) -> pd.DataFrame:
    """:func:`cooperation` of several groups side by side, e.g.
    ``compare_cooperation(humans=human_moves, agents=run)``: one row per group and measure.

    Examples
    --------
    >>> import socialkit as sk
    >>> df = sk.datasets.load("ipd_nay_vorobeychik_2016")
    >>> t = compare_cooperation(DF9=df[(df["data"] == "DF") & (df["group"] == 9)], all=df)
    >>> t[t["measure"] == "overall"][["who", "value"]].round(3).values.tolist()
    [['DF9', 0.587], ['all', 0.449]]
    """
    if not groups:
        raise ValueError("compare_cooperation needs at least one group, e.g. humans=..., "
                         "agents=...")
    parts = []
    for name, moves in groups.items():
        c = cooperation(moves)
        c.insert(0, "who", name)
        parts.append(c)
    return pd.concat(parts, ignore_index=True)
