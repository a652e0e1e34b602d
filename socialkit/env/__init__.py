"""Environments of agent simulations: one small protocol (:class:`Environment`) and the
environments built on it.

- :class:`Environment`: ``observe``, ``actions``, ``resolve``, ``measures``, ``state`` /
  ``load_state`` (platform mechanics are code; only a game master calls the model).
- :class:`Network`: agents hear the state and messages of up to ``k`` neighbours.
- :class:`GameMaster`: a language model resolves free-text attempts into typed effects on the
  agents' state (through the simulation's session: cached, counted, seeded).
- :class:`Feed`: a social media platform (posts, reply trees, reposts and quotes, likes and
  dislikes, an evolving follow graph) with pluggable recommenders (:class:`Chronological`,
  :class:`Hot`, :class:`Interest`, :class:`CollaborativeFiltering`, :class:`RandomItems`, or a
  function), random injection and exposure logging; :class:`FeedRule` is a vectorised user.

Examples
--------
>>> import networkx as nx, socialkit as sk
>>> sk.env.Network(nx.cycle_graph(5), k=2)
<socialkit env network>
>>> sk.env.Feed(recommender="hot", page=5)
<socialkit env feed: hot, page 5>
"""

from socialkit.env._base import DECISION_COLUMNS, Environment
from socialkit.env._feed import WHO_TO_FOLLOW, Feed
from socialkit.env._feed_rules import FeedRule, exposures, feed_rule, items, thread
from socialkit.env._feed_store import KINDS
from socialkit.env._feed_view import ACTIONS as FEED_ACTIONS
from socialkit.env._feed_view import FEED_PROMPT
from socialkit.env._gamemaster import ACT_PROMPT, GM_SYSTEM, OUTCOME_PROMPT, GameMaster
from socialkit.env._network import MESSAGE_PROMPT, Network
from socialkit.env._recommend import (
    RECOMMENDERS,
    Chronological,
    CollaborativeFiltering,
    Hot,
    Interest,
    RandomItems,
    Recommender,
    recommender,
)

__all__ = ["Environment", "Network", "GameMaster", "Feed", "DECISION_COLUMNS", "MESSAGE_PROMPT",
           "GM_SYSTEM", "ACT_PROMPT", "OUTCOME_PROMPT", "FEED_ACTIONS", "FEED_PROMPT", "KINDS",
           "WHO_TO_FOLLOW", "Recommender", "Chronological", "Hot", "Interest",
           "CollaborativeFiltering", "RandomItems", "RECOMMENDERS", "recommender", "FeedRule",
           "feed_rule", "exposures", "items", "thread"]
