"""Environments of agent simulations: one small protocol (:class:`Environment`) and the
environments built on it.

- :class:`Environment`: ``observe``, ``actions``, ``resolve``, ``measures``, ``state`` /
  ``load_state`` (platform mechanics are code; only a game master calls the model).
- :class:`Network`: agents hear the state and messages of up to ``k`` neighbours.
- :class:`GameMaster`: a language model resolves free-text attempts into typed effects on the
  agents' state (through the simulation's session: cached, counted, seeded).
- :class:`Texts`: observations rendered only where a policy reads them.
- :class:`Commons`: GovSim's shared regrowing stock (concurrent harvests, collapse, discussion,
  universalization, a greedy newcomer) in three :data:`FRAMINGS`.
- :class:`DonorGame`: the donor game across generations (reputation, selection of the better
  half, strategies passed on as text, costly punishment).
- :class:`RepeatedPD` and :class:`PublicGoods`: the laboratory's repeated prisoner's dilemma
  (random or fixed horizon, errors) and linear public-goods game.
- :class:`Dialogue`: turn-taking conversations between pairs or small groups within a step
  (random meetings, co-location, given pairs), each line an event and a memory of its hearers;
  :func:`conversations` and :func:`transcript` read them back from a Run; the meeting rules
  are plain functions too (:func:`random_groups`, :func:`located_groups`, :func:`schedule`).
- :class:`Debate`: structured debates on propositions (opening, rebuttal, conclusion) with
  typed :class:`Rating` questions before and after; :func:`debates` tabulates them.
- :class:`Town`: places in hourly steps (Generative Agents): daily plans, moves, conversations
  between agents who meet, the spread of a :class:`TownEvent`'s news, end-of-day interviews.
- :class:`Retell`: texts passed along a network (or random contacts) and rewritten each step,
  with typed fields (a stance), roles, and versions compared with an original (embedding
  similarity, a :class:`Judge`).
- Wrappers: :class:`Broadcast` (an announcement on scheduled steps) and :class:`BeliefStates`
  (susceptible / infected / recovered read from a belief variable).
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

from socialkit.env._base import DECISION_COLUMNS, Environment, Texts
from socialkit.env._commons import NAMES, Commons, sustainable_share
from socialkit.env._community import LABEL_PROMPT, LABEL_SYSTEM, LABELS, NOTICE, Community
from socialkit.env._conversations import conversations, transcript
from socialkit.env._debate import DEBATE_PHASES, Debate, Rating, debates
from socialkit.env._dialogue import TALK_PROMPT, Conversation, Dialogue
from socialkit.env._donor import DonorGame
from socialkit.env._feed import WHO_TO_FOLLOW, Feed
from socialkit.env._feed_rules import FeedRule, exposures, feed_rule, items, thread
from socialkit.env._feed_store import KINDS
from socialkit.env._feed_view import ACTIONS as FEED_ACTIONS
from socialkit.env._feed_view import FEED_PROMPT
from socialkit.env._framing import FRAMINGS, Framing
from socialkit.env._gamemaster import ACT_PROMPT, GM_SYSTEM, OUTCOME_PROMPT, GameMaster
from socialkit.env._ipd import PD_STRATEGIES, RepeatedPD
from socialkit.env._judge import FUSE_DIMENSIONS, JUDGE_PROMPT, JUDGE_SYSTEM, Judge
from socialkit.env._network import MESSAGE_PROMPT, Network
from socialkit.env._pairing import check_groups, located_groups, random_groups, schedule
from socialkit.env._public_goods import PublicGoods
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
from socialkit.env._retell import RETELL_PROMPT, Retell
from socialkit.env._town import Town, TownEvent
from socialkit.env._wrappers import SIR_STATES, BeliefStates, Broadcast, Wrapper

__all__ = ["Environment", "Network", "GameMaster", "DECISION_COLUMNS", "MESSAGE_PROMPT",
           "GM_SYSTEM", "ACT_PROMPT", "OUTCOME_PROMPT", "TALK_PROMPT", "Texts", "Commons",
           "Framing", "FRAMINGS", "NAMES", "sustainable_share", "DonorGame", "RepeatedPD",
           "PublicGoods", "PD_STRATEGIES", "Dialogue", "Conversation", "conversations",
           "transcript", "random_groups", "located_groups", "schedule", "check_groups", "Debate",
           "Rating", "debates", "DEBATE_PHASES", "Town", "TownEvent", "Retell", "Judge",
           "Wrapper", "Broadcast", "BeliefStates", "RETELL_PROMPT", "FUSE_DIMENSIONS",
           "JUDGE_SYSTEM", "JUDGE_PROMPT", "SIR_STATES",
           "Feed", "FEED_ACTIONS", "FEED_PROMPT", "KINDS",
           "WHO_TO_FOLLOW", "Recommender", "Chronological", "Hot", "Interest",
           "CollaborativeFiltering", "RandomItems", "RECOMMENDERS", "recommender", "FeedRule",
           "feed_rule", "exposures", "items", "thread", "Community", "LABELS", "LABEL_SYSTEM",
           "LABEL_PROMPT", "NOTICE"]
