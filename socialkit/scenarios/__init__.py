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
"""

from socialkit.scenarios.commons import (
    commons,
    commons_metrics,
    commons_summary,
    commons_table,
    survival_curve,
)
from socialkit.scenarios.cooperation import GAME_SYSTEM, donor_game, donor_summary
from socialkit.scenarios.lab_games import ipd_treatment, prisoners_dilemma, public_goods
from socialkit.scenarios.persuasion import (
    CONDITIONS,
    PROPOSITIONS,
    debate_persuasion,
    persuasion_outcomes,
)
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
           "generative_town", "town_outcomes", "event_attendance", "smallville_population"]
