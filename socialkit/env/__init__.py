"""Environments of agent simulations: one small protocol (:class:`Environment`) and the
environments built on it.

- :class:`Environment`: ``observe``, ``actions``, ``resolve``, ``measures``, ``state`` /
  ``load_state`` (platform mechanics are code, never LLM calls).
- :class:`Network`: agents hear the state and messages of up to ``k`` neighbours.

Examples
--------
>>> import networkx as nx, socialkit as sk
>>> sk.env.Network(nx.cycle_graph(5), k=2)
<socialkit env network>
"""

from socialkit.env._base import DECISION_COLUMNS, Environment
from socialkit.env._network import MESSAGE_PROMPT, Network

__all__ = ["Environment", "Network", "DECISION_COLUMNS", "MESSAGE_PROMPT"]
