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
from socialkit.scenarios.silicon_survey import (
    ANES1996_TEMPLATE,
    anes1996_questions,
    silicon_survey,
    survey_questions,
)

__all__ = ["silicon_survey", "survey_questions", "anes1996_questions", "ANES1996_TEMPLATE",
           "commons", "commons_metrics", "commons_table", "commons_summary", "survival_curve",
           "donor_game", "donor_summary", "GAME_SYSTEM", "prisoners_dilemma", "public_goods",
           "ipd_treatment"]
