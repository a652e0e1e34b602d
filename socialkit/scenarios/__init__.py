"""Published LLM social-simulation scenarios, each built from socialkit's parts.

- :mod:`socialkit.scenarios.silicon_survey`: personas built from survey respondents answer the
  survey's own questions (Argyle et al. 2023, "Out of One, Many"), for comparison with the
  respondents' real answers.
- :mod:`socialkit.scenarios.s3`: S3 (Gao et al. 2023), emotion, attitude and posting of users
  of a real network (a Higgs Twitter sample) receiving a piece of news.
- :mod:`socialkit.scenarios.herd`: the herd-effect experiment (Muchnik, Aral & Taylor 2013;
  OASIS), comments randomly up- or down-voted at creation.
- :mod:`socialkit.scenarios.cocoons`: information cocoons (RecAgent), topic diversity of what
  agents see and like under random, interest and collaborative-filtering recommenders, with and
  without random injection.
"""

from socialkit.scenarios.cocoons import COCOON_TOPICS, cocoon_population, cocoons, diversity
from socialkit.scenarios.herd import HERD_COMMENTS, HerdRule, herd_effect, herd_summary
from socialkit.scenarios.s3 import S3Rule, s3, s3_curves, s3_network, s3_reference, s3_state
from socialkit.scenarios.silicon_survey import (
    ANES1996_TEMPLATE,
    anes1996_questions,
    silicon_survey,
    survey_questions,
)

__all__ = ["silicon_survey", "survey_questions", "anes1996_questions", "ANES1996_TEMPLATE",
           "s3", "s3_network", "s3_state", "s3_curves", "s3_reference", "S3Rule",
           "herd_effect", "herd_summary", "HerdRule", "HERD_COMMENTS", "cocoons", "diversity",
           "cocoon_population", "COCOON_TOPICS"]
