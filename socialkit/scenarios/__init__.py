"""Published LLM social-simulation scenarios, each built from socialkit's parts.

- :mod:`socialkit.scenarios.silicon_survey`: personas built from survey respondents answer the
  survey's own questions (Argyle et al. 2023, "Out of One, Many"), for comparison with the
  respondents' real answers.
- :mod:`socialkit.scenarios.commons`: GovSim's commons (Piatti et al. 2024): villagers harvest
  a shared, regrowing stock and talk; GovSim's metrics and survival curves over runs.
- :mod:`socialkit.scenarios.cooperation`: the donor game with cultural evolution (Vallinder &
  Hughes 2024).
- :mod:`socialkit.scenarios.lab_games`: the repeated prisoner's dilemma under the human
  studies' payoffs (Nay & Vorobeychik 2016) and the public-goods game (Fehr & Gachter 2000).
- :mod:`socialkit.scenarios.persuasion`: debates in the 2 x 2 of Salvi et al. (2024), opponent
  (persona agent or plain LLM) x personalisation; :func:`persuasion_outcomes` for the analysis.
- :mod:`socialkit.scenarios.social_dimensions`: a convincer argues with a climate-change skeptic
  along one of ten social dimensions (Breum et al. 2024); :func:`dimension_outcomes`.
- :mod:`socialkit.scenarios.town`: Generative Agents' Smallville and its Valentine's Day party
  (Park et al. 2023); :func:`town_outcomes` and :func:`event_attendance`.
- :mod:`socialkit.scenarios.fake_news`: FPS, attitudes toward fake news spreading through daily
  conversations, with an official spokesperson's interventions (Liu et al., IJCAI 2024).
- :mod:`socialkit.scenarios.news_evolution`: FUSE, a true story retold by spreaders,
  commentators, verifiers and bystanders until it drifts (Liu et al. 2024).
- :mod:`socialkit.scenarios.cultural_transmission`: stories passed down generations on chain,
  fully connected, circle and caveman networks, with TF-IDF similarity within and across
  generations (LLM-Culture, Perez et al. 2024).
- :mod:`socialkit.scenarios.s3`: S3 (Gao et al. 2023), emotion, attitude and posting of users
  of a real network (a Higgs Twitter sample) receiving a piece of news.
- :mod:`socialkit.scenarios.herd`: the herd-effect experiment (Muchnik, Aral & Taylor 2013;
  OASIS), comments randomly up- or down-voted at creation.
- :mod:`socialkit.scenarios.cocoons`: information cocoons (RecAgent), topic diversity of what
  agents see and like under random, interest and collaborative-filtering recommenders, with and
  without random injection.
- :mod:`socialkit.scenarios.paradox`: the friendship paradox of a follow network formed through
  a recommender (the GABM study, Orlando et al. 2025), against the real Higgs retweet network.
- :mod:`socialkit.scenarios.clone`: a digital clone of a spreading network (Puri et al. 2024):
  posts seeded at their real Higgs sources, many trials, bands against the real spread.
- :mod:`socialkit.scenarios.social_simulacra`: Social Simulacra (Park et al. 2022), a designer's
  community populated with generated members and judged threads, and what-if forks (a
  moderator steps in, a troll joins).
"""

from socialkit.scenarios._common import bigfive_population, event_table, mean_ci
from socialkit.scenarios._members import (
    PLANT_PARENTS,
    CommunityDesign,
    MemberForm,
    generate_members,
    member_diversity,
)
from socialkit.scenarios._textsim import cosine_similarity, tfidf
from socialkit.scenarios.clone import (
    CascadeRule,
    clone_bands,
    clone_cascades,
    clone_layers,
    clone_reference,
    clone_summary,
    misinformation_clone,
)
from socialkit.scenarios.cocoons import COCOON_TOPICS, cocoon_population, cocoons, diversity
from socialkit.scenarios.commons import (
    commons,
    commons_metrics,
    commons_summary,
    commons_table,
    survival_curve,
)
from socialkit.scenarios.cooperation import GAME_SYSTEM, donor_game, donor_summary
from socialkit.scenarios.cultural_transmission import (
    PERSONALITIES,
    TOPOLOGIES,
    cultural_transmission,
    culture_network,
    similarity_by_generation,
    story_similarity,
)
from socialkit.scenarios.fake_news import FPS_TOPICS, fps, fps_summary, fps_traits
from socialkit.scenarios.herd import HERD_COMMENTS, HerdRule, herd_effect, herd_summary
from socialkit.scenarios.lab_games import ipd_treatment, prisoners_dilemma, public_goods
from socialkit.scenarios.news_evolution import (
    FUSE_NETWORKS,
    FUSE_NEWS,
    FUSE_ROLES,
    deviation_by_day,
    fuse,
    fuse_network,
    news_versions,
)
from socialkit.scenarios.paradox import (
    friendship_paradox_feed,
    higgs_paradox,
    paradox_by_step,
    paradox_population,
    paradox_rule,
)
from socialkit.scenarios.persuasion import (
    CONDITIONS,
    PROPOSITIONS,
    debate_persuasion,
    persuasion_outcomes,
)
from socialkit.scenarios.s3 import S3Rule, s3, s3_curves, s3_network, s3_reference, s3_state
from socialkit.scenarios.silicon_survey import (
    ANES1996_TEMPLATE,
    anes1996_questions,
    silicon_survey,
    survey_questions,
)
from socialkit.scenarios.social_dimensions import (
    DIMENSIONS,
    PAPER_TOP,
    dimension_outcomes,
    social_dimensions,
)
from socialkit.scenarios.social_simulacra import (
    TROLL,
    WHAT_IFS,
    antisocial_share,
    members_table,
    roster_diversity,
    simulacra_labels,
    simulacra_summary,
    simulacra_threads,
    simulacra_what_if,
    social_simulacra,
)
from socialkit.scenarios.town import (
    event_attendance,
    generative_town,
    smallville_population,
    town_outcomes,
)

__all__ = ["silicon_survey", "survey_questions", "anes1996_questions", "ANES1996_TEMPLATE",
           "commons", "commons_metrics", "commons_table", "commons_summary", "survival_curve",
           "donor_game", "donor_summary", "GAME_SYSTEM", "prisoners_dilemma", "public_goods",
           "ipd_treatment",
           "debate_persuasion", "persuasion_outcomes", "PROPOSITIONS", "CONDITIONS",
           "social_dimensions", "dimension_outcomes", "DIMENSIONS", "PAPER_TOP",
           "generative_town", "town_outcomes", "event_attendance", "smallville_population",
           "fps", "fps_summary", "fps_traits", "FPS_TOPICS", "bigfive_population", "mean_ci",
           "event_table",
           "fuse", "fuse_network", "news_versions", "deviation_by_day", "FUSE_NEWS", "FUSE_ROLES",
           "FUSE_NETWORKS", "cultural_transmission", "culture_network", "story_similarity",
           "similarity_by_generation", "TOPOLOGIES", "PERSONALITIES", "tfidf",
           "cosine_similarity",
           "s3", "s3_network", "s3_state", "s3_curves", "s3_reference", "S3Rule",
           "herd_effect", "herd_summary", "HerdRule", "HERD_COMMENTS", "cocoons", "diversity",
           "cocoon_population", "COCOON_TOPICS",
           "friendship_paradox_feed", "paradox_population", "paradox_rule",
           "paradox_by_step", "higgs_paradox",
           "misinformation_clone", "CascadeRule", "clone_cascades", "clone_layers",
           "clone_bands", "clone_reference", "clone_summary",
           "social_simulacra", "simulacra_what_if", "simulacra_summary", "simulacra_labels",
           "simulacra_threads", "antisocial_share", "members_table", "roster_diversity",
           "generate_members", "member_diversity", "CommunityDesign", "MemberForm",
           "PLANT_PARENTS", "TROLL", "WHAT_IFS"]
