"""Agents of LLM societies: typed state variables, action menus and policies.

- State variables (:class:`Continuous`, :class:`Ordinal`, :class:`Categorical`, or a question:
  a :class:`socialkit.Likert`, :class:`socialkit.Choice` or :class:`socialkit.Numeric` that LLM
  agents report each step) stored as one vector per variable.
- Action menus (:class:`Action` with :class:`Text`, :class:`Number` and :class:`OneOf`
  arguments, gathered in an :class:`ActionMenu`), parsed by never-guessing parsers and
  constrained by a grammar on the embedded model.
- Policies: :class:`LLMPolicy` (one prompt per decision), :class:`RulePolicy` (a vectorised
  function over the active agents) and :class:`ScriptedPolicy` (a per-agent function, for tests).

Examples
--------
>>> import socialkit as sk
>>> menu = sk.agents.ActionMenu([sk.agents.Action("harvest", tons=sk.agents.Number(0, 10)),
...                              sk.agents.Action("rest")])
>>> menu.parse("action: harvest\\ntons: 4").value
{'action': 'harvest', 'tons': 4.0}
"""

from socialkit.agents._actions import Action, ActionMenu, Arg, Number, OneOf, Text
from socialkit.agents._policies import (
    DEFAULT_SYSTEM,
    Context,
    LLMPolicy,
    Policy,
    RulePolicy,
    ScriptedPolicy,
)
from socialkit.agents._state import Agents, Categorical, Continuous, Ordinal, Variable, variable

__all__ = ["Action", "ActionMenu", "Arg", "Text", "Number", "OneOf", "Policy", "LLMPolicy",
           "RulePolicy", "ScriptedPolicy", "Context", "DEFAULT_SYSTEM", "Agents", "Variable",
           "Continuous", "Ordinal", "Categorical", "variable"]
