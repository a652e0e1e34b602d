"""Published LLM social-simulation scenarios, each built from socialkit's parts.

- :mod:`socialkit.scenarios.silicon_survey`: personas built from survey respondents answer the
  survey's own questions (Argyle et al. 2023, "Out of One, Many"), for comparison with the
  respondents' real answers.
"""

from socialkit.scenarios.silicon_survey import (
    ANES1996_TEMPLATE,
    anes1996_questions,
    silicon_survey,
    survey_questions,
)

__all__ = ["silicon_survey", "survey_questions", "anes1996_questions", "ANES1996_TEMPLATE"]
