"""LLM layer: model backends, typed questions, and the call runner behind :func:`ask`.

Backends answer a batch of chat prompts: :func:`default` (the embedded SmolLM2-135M-Instruct,
offline on the CPU), :func:`local` (any GGUF file), :func:`from_langchain` (any LangChain chat
model) and :func:`scripted` (a Python function, for tests and teaching). Questions
(:class:`Likert`, :class:`Choice`, :class:`Numeric`, :class:`FreeText`) render their
instructions, parse replies (never guessing: an unclear reply is missing, with the reason) and
give grammars for constrained decoding. A :class:`Session` holds a model, cache, limits, one
budget, one usage account and a seed for any number of rounds (every call's draw key derives from
the seed and the call's identity); :func:`ask` is a one-shot session.

Examples
--------
>>> import socialkit as sk
>>> model = sk.llm.scripted(lambda messages: "5")
>>> res = sk.ask(["I am a retired farmer."], sk.Likert("Taxes are too high."), model=model,
...              progress=False)
>>> res.loc[0, ["answer", "status"]].tolist()
[5, 'ok']
"""

from socialkit.llm._langchain import LangChain, from_langchain
from socialkit.llm._llama import LlamaCpp, default, local
from socialkit.llm.ask import SYSTEM_PROMPT, aask, ask, estimate
from socialkit.llm.backends import Backend, Reply, Scripted, scripted
from socialkit.llm.cache import Cache, default_folder
from socialkit.llm.engine import Outcome
from socialkit.llm.ledger import Ledger, current_ledger, shared_budget
from socialkit.llm.questions import Choice, FreeText, Likert, Numeric, Parsed, Question
from socialkit.llm.results import Summary, distribution, summary
from socialkit.llm.runner import PRICES, Limits, Usage
from socialkit.llm.session import Request, Session

__all__ = ["ask", "aask", "estimate", "SYSTEM_PROMPT", "default", "local", "from_langchain",
           "scripted", "Backend", "Reply", "Scripted", "LlamaCpp", "LangChain", "Likert",
           "Choice", "Numeric", "FreeText", "Question", "Parsed", "Cache", "default_folder",
           "Summary", "summary", "distribution", "PRICES", "Limits", "Usage",
           "Session", "Request", "Outcome", "Ledger", "shared_budget", "current_ledger"]
