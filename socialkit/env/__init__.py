"""Environments of agent simulations: one small protocol (:class:`Environment`) and the
environments built on it.

- :class:`Environment`: ``observe``, ``actions``, ``resolve``, ``measures``, ``state`` /
  ``load_state`` (platform mechanics are code; only a game master calls the model).
- :class:`Network`: agents hear the state and messages of up to ``k`` neighbours.
- :class:`GameMaster`: a language model resolves free-text attempts into typed effects on the
  agents' state (through the simulation's session: cached, counted, seeded).
- :class:`Retell`: texts passed along a network (or random contacts) and rewritten each step,
  with typed fields (a stance), roles, and versions compared with an original (embedding
  similarity, a :class:`Judge`).
- Wrappers: :class:`Broadcast` (an announcement on scheduled steps) and :class:`BeliefStates`
  (susceptible / infected / recovered read from a belief variable).

Examples
--------
>>> import networkx as nx, socialkit as sk
>>> sk.env.Network(nx.cycle_graph(5), k=2)
<socialkit env network>
"""

from socialkit.env._base import DECISION_COLUMNS, Environment
from socialkit.env._gamemaster import ACT_PROMPT, GM_SYSTEM, OUTCOME_PROMPT, GameMaster
from socialkit.env._judge import FUSE_DIMENSIONS, JUDGE_PROMPT, JUDGE_SYSTEM, Judge
from socialkit.env._network import MESSAGE_PROMPT, Network
from socialkit.env._retell import RETELL_PROMPT, Retell
from socialkit.env._wrappers import SIR_STATES, BeliefStates, Broadcast, Wrapper

__all__ = ["Environment", "Network", "GameMaster", "Retell", "Judge", "Wrapper", "Broadcast",
           "BeliefStates", "DECISION_COLUMNS", "MESSAGE_PROMPT", "GM_SYSTEM", "ACT_PROMPT",
           "OUTCOME_PROMPT", "RETELL_PROMPT", "FUSE_DIMENSIONS", "JUDGE_SYSTEM", "JUDGE_PROMPT",
           "SIR_STATES"]
