"""Small module-level policies and interventions (picklable, so their simulations resume from a
folder alone); used in docstrings and tests."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["drift", "neighbour_mean", "wait"]


def drift(ctx: Any) -> dict[str, Any]:
    """Rule: every active agent's ``x`` grows by 0.1."""
    return {"x": ctx.state("x") + 0.1}


def neighbour_mean(ctx: Any) -> dict[str, Any]:
    """Rule (DeGroot-like): move ``opinion`` halfway to the mean of the agent's neighbours in the
    environment's graph (``ctx.env.G``), using everyone's values at the start of the step."""
    env, agents = ctx.env, ctx.agents
    x = agents.values["opinion"]
    out = x[ctx.positions].copy()
    for i, p in enumerate(ctx.positions):
        nb = env._neigh[p] if env._neigh is not None else []
        if len(nb):
            out[i] += 0.5 * (np.mean(x[nb]) - out[i])
    return {"opinion": out}


def wait(agent: int, observation: str, state: dict) -> dict[str, Any]:
    """Scripted: always choose the action ``wait``."""
    return {"action": "wait"}
