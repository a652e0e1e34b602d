"""The LangChain backend: any LangChain chat model, called asynchronously."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from socialkit.llm.backends import LOGPROB_POSITIONS, TOP_LOGPROBS, Backend, Messages, Reply, _top

__all__ = ["LangChain", "from_langchain"]

def _public_url(url: Any) -> str | None:
    """A base URL without credentials, query or fragment."""
    if not url:
        return None
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}".rstrip("/")


class LangChain(Backend):
    """Any LangChain chat model; see :func:`from_langchain`."""

    def __init__(self, chat_model: Any, logprobs: bool | None = None,
                 price: tuple[float, float] | None = None, name: str | None = None,
                 structured: bool | None = None, callbacks: bool = True):
        if not (hasattr(chat_model, "ainvoke") and hasattr(chat_model, "invoke")):
            raise TypeError("from_langchain needs a LangChain chat model (with invoke/ainvoke), "
                            f"got {type(chat_model).__name__}")
        if not isinstance(callbacks, bool):
            raise TypeError(f"callbacks must be True or False, got {callbacks!r}")
        if not callbacks and not hasattr(chat_model, "_agenerate"):
            raise ValueError(f"callbacks=False needs a chat model with _agenerate; "
                             f"{type(chat_model).__name__} has none")
        self.chat, self.callbacks = chat_model, callbacks
        fields = getattr(type(chat_model), "model_fields", {})
        self._fields = set(fields)
        model = (getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None)
                 or type(chat_model).__name__)
        self.name = name or str(model)
        base = _public_url(getattr(chat_model, "openai_api_base", None)
                           or getattr(chat_model, "base_url", None))
        self.model_id = f"langchain:{type(chat_model).__name__}:{self.name}" + \
            (f"@{base}" if base else "")
        self.logprobs = ({"logprobs", "top_logprobs"} <= self._fields) if logprobs is None \
            else bool(logprobs)
        if price is not None:
            if len(price) != 2 or any(not isinstance(p, int | float) or p < 0 for p in price):
                raise ValueError(f"price must be (input, output) dollars per 1M tokens, "
                                 f"got {price!r}")
            self.price = (float(price[0]), float(price[1]))
        t = getattr(chat_model, "temperature", None)
        # the model's own temperature; None: not sent unless ask(temperature=...) gives one
        self.default_temperature = float(t) if isinstance(t, int | float) else None
        self._per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        # structured output (a JSON schema per question): by default for OpenAI-style models;
        # a server that refuses it gets prompt-and-parse instead (the engine falls back)
        self.structured = ("OpenAI" in type(chat_model).__name__) if structured is None \
            else bool(structured)
        self.sends_seed = "seed" in self._fields

    def __reduce__(self) -> tuple:
        """Pickled for other processes (a sweep's workers) as the chat model's class and the
        settings it was built with; its HTTP clients (which cannot be pickled) are rebuilt."""
        return (_rebuild, (_portable(self.chat), self.logprobs, self.__dict__.get("price"),
                           self.name, self.structured, self.callbacks))

    def _chat(self) -> Any:
        """The chat model for the running event loop.

        Async HTTP connections belong to the event loop that opened them, and LangChain's OpenAI
        models share one pooled client per base URL. An OpenAI-style model therefore gets, per
        event loop, a shallow copy with an HTTP client of its own (same key, URL and options),
        so socialkit's loop never touches connections of the notebook's loop or of a closed one.
        """
        loop = asyncio.get_running_loop()
        chat = self._per_loop.get(loop)
        if chat is None:
            chat = self.chat
            root = getattr(chat, "root_async_client", None)
            if root is not None and hasattr(root, "copy") and \
                    getattr(chat, "http_async_client", None) is None:
                try:
                    import openai

                    clone = chat.model_copy()
                    clone.root_async_client = root.copy(
                        http_client=openai.DefaultAsyncHttpxClient())
                    clone.async_client = clone.root_async_client.chat.completions
                    chat = clone
                except Exception:  # noqa: BLE001 - keep the model as given
                    chat = self.chat
            self._per_loop[loop] = chat
        return chat

    def params(self, temperature: float | None, max_tokens: int) -> dict[str, Any]:
        p = super().params(temperature, max_tokens)
        if "temperature" not in self._fields:
            p["temperature"] = None
        return p

    def constraint(self, question: Any) -> dict[str, Any] | None:
        """A JSON schema of ``{"answer": ...}`` for OpenAI-style structured output."""
        schema = question.json_schema() if self.structured else None
        if schema is None:
            return None
        import hashlib
        import json

        blob = json.dumps(schema, sort_keys=True)
        return {"id": "json:" + hashlib.sha256(blob.encode()).hexdigest()[:16],
                "json_schema": schema}

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool, top_p: float | None = None,
                    constraint: dict[str, Any] | None = None, sample: int = 0) -> Reply:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        lc = [kinds.get(m["role"], HumanMessage)(content=m["content"]) for m in messages]
        kw: dict[str, Any] = {}
        if "temperature" in self._fields and temperature is not None:
            kw["temperature"] = temperature
        if "max_tokens" in self._fields:
            kw["max_tokens"] = max_tokens
        if logprobs and self.logprobs:
            kw["logprobs"], kw["top_logprobs"] = True, TOP_LOGPROBS
        if self.sends_seed:  # the provider's own sampling seed, from the call's draw key
            kw["seed"] = int(seed)
        if top_p is not None and "top_p" in self._fields:
            kw["top_p"] = top_p
        if constraint is not None and "json_schema" in constraint:
            kw["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "answer", "schema": constraint["json_schema"], "strict": True}}
        if self.callbacks:
            msg = await self._chat().ainvoke(lc, **kw)
        else:  # the model's own request and response handling, without the callback layer
            msg = (await self._chat()._agenerate(lc, **kw)).generations[0].message
        content = msg.content
        if isinstance(content, list):  # content blocks
            content = "".join(b if isinstance(b, str) else str(b.get("text", ""))
                              for b in content)
        usage = getattr(msg, "usage_metadata", None) or {}
        meta = getattr(msg, "response_metadata", None) or {}
        top = None
        lp = meta.get("logprobs")
        if logprobs and isinstance(lp, Mapping) and lp.get("content"):
            top = [_top([(a["token"], a["logprob"]) for a in (pos.get("top_logprobs") or [])])
                   for pos in lp["content"][:LOGPROB_POSITIONS]]
        return Reply(str(content).strip(), top, int(usage.get("input_tokens") or 0),
                     int(usage.get("output_tokens") or 0), meta.get("finish_reason"))


def from_langchain(chat_model: Any, logprobs: bool | None = None,
                   price: tuple[float, float] | None = None, name: str | None = None,
                   structured: bool | None = None, callbacks: bool = True) -> LangChain:
    """Wrap any LangChain chat model (``ChatOpenAI``, ``ChatOllama``, ``ChatAnthropic``, ...).

    Calls go through ``ainvoke``, so many run at once. For the runner to own retries, build the
    model with ``max_retries=0``. API keys stay inside the chat model: they are never part of the
    model id, the cache or the provenance.

    Parameters
    ----------
    chat_model : BaseChatModel
        The LangChain model, e.g. ``ChatOpenAI(model="gpt-4o-mini", base_url=...)``.
    logprobs : bool, optional
        Ask for token log-probabilities; by default when the model has ``logprobs`` and
        ``top_logprobs`` settings (as ChatOpenAI does).
    price : (float, float), optional
        US dollars per million (input, output) tokens; by default looked up by model name in
        :data:`socialkit.llm.PRICES`.
    name : str, optional
        Model name (default: the chat model's).
    structured : bool, optional
        Ask closed questions for a JSON answer under a schema (OpenAI structured output);
        by default for OpenAI-style chat models. A server that refuses it (HTTP 400) is asked
        with the plain prompt instead, and the reply parsed.
    callbacks : bool
        True (default): calls go through ``ainvoke``, with LangChain's callbacks (tracing such
        as LangSmith), its global LLM cache and the model's ``rate_limiter``. False: straight
        to the model's own ``_agenerate`` (the same request and reply handling) without them:
        about a fifth less client CPU per call, which counts at high concurrency on a small
        machine (``benchmarks/bench_sim.py``); socialkit's own cache, limits and accounting
        apply either way.

    Returns
    -------
    LangChain

    Examples
    --------
    >>> import socialkit as sk
    >>> from langchain_core.language_models import FakeListChatModel
    >>> m = sk.llm.from_langchain(FakeListChatModel(responses=["B"]), price=(0, 0))
    >>> sk.ask(["a voter"], sk.Choice("Vote?", ["Clinton", "Dole"]), model=m, cache=False,
    ...        progress=False)["answer"].tolist()
    ['Dole']
    """
    return LangChain(chat_model, logprobs=logprobs, price=price, name=name,
                     structured=structured, callbacks=callbacks)


def _portable(chat: Any) -> Any:
    """The chat model itself when it pickles, else its class and the fields it was given
    (client objects, which pydantic validators build from the other fields, left out)."""
    import pickle

    try:
        pickle.dumps(chat)
        return chat
    except Exception:  # noqa: BLE001 - HTTP clients hold locks
        pass
    kwargs = {}
    for name in sorted(getattr(chat, "model_fields_set", ())):
        value = getattr(chat, name)
        try:
            pickle.dumps(value)
        except Exception as err:  # noqa: BLE001
            if "client" in name:
                continue
            raise TypeError(f"this LangChain model cannot be sent to another process: its "
                            f"setting {name!r} cannot be pickled ({err}); build it from "
                            "plain settings (model, base_url, api_key, ...)") from None
        kwargs[name] = value
    return (type(chat), kwargs)


def _rebuild(chat: Any, logprobs: bool, price: Any, name: str, structured: bool,
             callbacks: bool = True) -> LangChain:
    if isinstance(chat, tuple):
        cls, kwargs = chat
        chat = cls(**kwargs)
    return LangChain(chat, logprobs=logprobs, price=price, name=name, structured=structured,
                     callbacks=callbacks)
