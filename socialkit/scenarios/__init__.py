"""Published LLM social-simulation scenarios, each built from socialkit's parts.

- :mod:`socialkit.scenarios.silicon_survey`: personas built from survey respondents answer the
  survey's own questions (Argyle et al. 2023, "Out of One, Many"), for comparison with the
  respondents' real answers.
- :mod:`socialkit.scenarios.fake_news`: FPS, attitudes toward fake news spreading through daily
  conversations, with an official spokesperson's interventions (Liu et al., IJCAI 2024).
- :mod:`socialkit.scenarios.news_evolution`: FUSE, a true story retold by spreaders,
  commentators, verifiers and bystanders until it drifts (Liu et al. 2024).
- :mod:`socialkit.scenarios.cultural_transmission`: stories passed down generations on chain,
  fully connected, circle and caveman networks, with TF-IDF similarity within and across
  generations (LLM-Culture, Perez et al. 2024).
"""

from socialkit.scenarios._common import bigfive_population, event_table, mean_ci
from socialkit.scenarios._textsim import cosine_similarity, tfidf
from socialkit.scenarios.cultural_transmission import (
    PERSONALITIES,
    TOPOLOGIES,
    cultural_transmission,
    culture_network,
    similarity_by_generation,
    story_similarity,
)
from socialkit.scenarios.fake_news import FPS_TOPICS, fps, fps_summary, fps_traits
from socialkit.scenarios.news_evolution import (
    FUSE_NETWORKS,
    FUSE_NEWS,
    FUSE_ROLES,
    deviation_by_day,
    fuse,
    fuse_network,
    news_versions,
)
from socialkit.scenarios.silicon_survey import (
    ANES1996_TEMPLATE,
    anes1996_questions,
    silicon_survey,
    survey_questions,
)

__all__ = ["silicon_survey", "survey_questions", "anes1996_questions", "ANES1996_TEMPLATE",
           "fps", "fps_summary", "fps_traits", "FPS_TOPICS", "bigfive_population", "mean_ci",
           "event_table",
           "fuse", "fuse_network", "news_versions", "deviation_by_day", "FUSE_NEWS", "FUSE_ROLES",
           "FUSE_NETWORKS", "cultural_transmission", "culture_network", "story_similarity",
           "similarity_by_generation", "TOPOLOGIES", "PERSONALITIES", "tfidf",
           "cosine_similarity"]
