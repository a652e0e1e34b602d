"""The treatments of the human repeated prisoner's dilemma data (Nay & Vorobeychik 2016): payoffs,
continuation probability, horizon and error rate of each of the 30 laboratory treatments."""

from __future__ import annotations

import pandas as pd

__all__ = ["ipd_treatments", "IPD_STUDIES", "IPD_TREATMENTS"]

IPD_TREATMENTS = ("AM18", "BR1", "BR2", "DB23", "DB24", "DB25", "DB26", "DB27", "DB28", "DB29",
                  "DB30", "DF6", "DF7", "DF8", "DF9", "DF10", "DF11", "DO3", "FO19", "FO20",
                  "FO21", "FO22", "FR12", "FR13", "FR14", "FR15", "FR16", "FR17", "KS4", "KS5")
"""The ids of the 30 treatments (study code and datafsm's group), as ``ipd_treatments`` lists
them."""

IPD_STUDIES = {
    "AM": "Andreoni & Miller (1993)",
    "BR": "Bereby-Meyer & Roth (2006)",
    "DB": "Dal Bo (2005)",
    "DF": "Dal Bo & Frechette (2011)",
    "DO": "Duffy & Ochs (2009)",
    "FO": "Friedman & Oprea (2012)",
    "FR": "Fudenberg, Rand & Dreber (2012)",
    "KS": "Kunreuther, Silvasi, Bradlow & Small (2009)",
}
"""The studies of the ``data`` column of ``ipd_nay_vorobeychik_2016`` (datafsm's codes)."""


def ipd_treatments(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per treatment of the human repeated prisoner's dilemma data: its id (the study
    code and datafsm's ``group``, e.g. ``"DF9"``), the study, the payoffs ``R, S, T, P`` (the
    row player's payoff for CC, CD, DC, DD, in the data's units), the horizon (``random``:
    the match continues after each round with probability ``continuation``; ``fixed``: it
    lasts ``rounds``), the ``error`` rate (an intended move is flipped with that
    probability), ``risk`` (stochastic payoffs), ``continuous`` (continuous-time play),
    ``rows`` and ``cooperation`` (the share of cooperative moves).

    The datafsm documentation calls ``delta`` "the probability the game ends after each round",
    but its values (1/2 and 3/4 in Dal Bo & Frechette 2011, 7/8 in Fudenberg, Rand & Dreber
    2012) are the studies' probabilities that a match *continues*; it is read so here. In
    finitely repeated treatments (``infin == 0``) the number of rounds is the longest period
    played.

    Parameters
    ----------
    df : DataFrame, optional
        The data (default: ``sk.datasets.load("ipd_nay_vorobeychik_2016")``).

    Examples
    --------
    >>> import socialkit as sk
    >>> t = sk.datasets.ipd_treatments().set_index("treatment")
    >>> {k: float(v) for k, v in t.loc["DF9", ["R", "T", "P", "continuation"]].items()}
    {'R': 0.168, 'T': 0.228, 'P': 0.078, 'continuation': 0.75}
    >>> t.loc["DF9", "horizon"], t.loc["BR1", "horizon"], int(t.loc["BR1", "rounds"])
    ('random', 'fixed', 10)
    >>> len(t), int(t["rows"].sum())
    (30, 168386)
    """
    if df is None:
        from socialkit.datasets import load

        df = load("ipd_nay_vorobeychik_2016")
    need = ["data", "group", "r", "s", "t", "p", "delta", "infin", "error", "risk", "contin",
            "period", "my.decision"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"ipd_treatments: the data lacks column(s) {missing}")
    rows = []
    for (data, group), g in df.groupby(["data", "group"], sort=True):
        first = g.iloc[0]
        finite = int(first["infin"]) == 0
        deltas = sorted(set(g["delta"].round(6)))
        rows.append({
            "treatment": f"{data}{int(group)}", "study": IPD_STUDIES.get(data, data),
            "data": data, "group": int(group),
            "R": round(float(first["r"]), 6), "S": round(float(first["s"]), 6),
            "T": round(float(first["t"]), 6), "P": round(float(first["p"]), 6),
            "horizon": "fixed" if finite else "random",
            "continuation": None if finite else float(max(deltas)),
            "rounds": int(g["period"].max()) if finite else None,
            "error": float(first["error"]), "risk": bool(first["risk"]),
            "continuous": bool(first["contin"]), "rows": len(g),
            "cooperation": float((g["my.decision"] == "coop").mean())})
    return pd.DataFrame(rows)
