"""A fake OpenAI-compatible chat server on 127.0.0.1 for tests and benchmarks.

It speaks real HTTP/1.1 (keep-alive) on ``POST /v1/chat/completions``, answers socialkit's typed
questions with valid answers chosen deterministically from the request, and injects faults:
latency, HTTP 429 and 500, hangs that make the client time out, and malformed answers. Whether a
request is faulty depends only on its body and how many times that body was seen, so a run is
reproducible whatever the order of concurrent requests. ``GET /stats`` reports what was served,
including the tokens of every reply delivered (to check that nothing is charged twice).

Use it in-process (a thread with its own event loop) or, for benchmarks, in a subprocess so that
the server does not share the client's interpreter.

Examples
--------
>>> with FakeOpenAI(latency=0.0) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from typing import Any

__all__ = ["FakeOpenAI", "FAULTS"]

FAULTS = ("429", "500", "timeout", "malformed")
_REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error"}
_LIKERT = re.compile(r"single number from 1 to (\d+)")
_CHOICE = re.compile(r"single letter from A to ([A-Z])")
_NUMERIC = re.compile(r"single (?:whole )?number between (-?[\d.]+) and (-?[\d.]+)")
_MALFORMED = "Hmm, hard to say. It depends on many things."
_MENU = re.compile(r"^- ([a-z][a-z0-9_]*)(?:\(([^)]*)\))?(.*)$", re.M)
_ARG_NUMBER = r"(?:a whole number|a number) from (-?[\d.]+) to (-?[\d.]+)"
_TEXT_REPLY = "I would rather keep things as they are."


def _arg_value(desc: str, u: float) -> Any:
    """A valid value of an action argument from its description in the menu."""
    if m := re.match(r"one of ([^;)]*)", desc):
        opts = [o.strip() for o in m.group(1).split(",") if o.strip() and o.strip() != "..."]
        return opts[min(int(u * len(opts)), len(opts) - 1)]
    if m := re.match(_ARG_NUMBER, desc):
        low, high = float(m.group(1)), float(m.group(2))
        return round(low + u * (high - low))
    return _TEXT_REPLY


def _menu_answer(last: str, u: float) -> dict[str, Any] | None:
    """socialkit action menus (socialkit.agents.ActionMenu): one action and valid arguments."""
    if "Choose one action:" in last:  # the menu's lines only (an observation may hold "- x")
        acts = _MENU.findall(last.rsplit("Choose one action:", 1)[1])
        if not acts:
            return None
        name, args, rest = acts[min(int(u * len(acts)), len(acts) - 1)]
        out: dict[str, Any] = {"action": name}
        for a in [x.strip() for x in args.split(",") if x.strip()]:
            m = re.search(rf"\b{re.escape(a)}: ([^;)]*)", rest)
            out[a] = _arg_value(m.group(1) if m else "text", u)
        return out
    if m := re.search(r"Answer with (.*), nothing else\.", last):
        return {"answer": _arg_value(m.group(1), u)}
    return None


def _unit(*parts: Any) -> float:
    """A deterministic number in [0, 1) from the parts."""
    h = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2 ** 64


class _Core:
    """The server logic (no threads): routing, answers, faults and statistics."""

    def __init__(self, latency: float = 0.0, jitter: float = 0.0,
                 faults: dict[str, float] | None = None, hang: float = 30.0,
                 garble: str | None = None, seed: int = 0, logprobs: bool = True,
                 structured: bool = True):
        self.logprobs, self.structured = logprobs, structured
        faults = dict(faults or {})
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULTS}")
        if sum(faults.values()) > 1 or any(v < 0 for v in faults.values()):
            raise ValueError(f"fault rates must be >= 0 and sum to at most 1, got {faults}")
        self.latency, self.jitter, self.hang = float(latency), float(jitter), float(hang)
        self.faults, self.garble, self.seed = faults, garble, seed
        self.seen: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()

    def _fault(self, digest: str, n: int) -> str | None:
        u, acc = _unit(self.seed, "fault", digest, n), 0.0
        for kind in FAULTS:
            acc += self.faults.get(kind, 0.0)
            if u < acc:
                return kind
        return None

    def answer(self, messages: list[dict[str, Any]], salt: str) -> tuple[str, dict | None]:
        """A valid answer to socialkit's instructions and, for closed questions, key weights."""
        prompt = "\n".join(str(m.get("content", "")) for m in messages)
        last = str(messages[-1].get("content", "")) if messages else ""
        if self.garble and self.garble in prompt:
            return _MALFORMED, None
        u = _unit(self.seed, salt, prompt)
        if (menu := _menu_answer(last, u)) is not None:
            if "answer" in menu:
                return str(menu["answer"]), None
            return "\n".join(f"{k}: {v}" for k, v in menu.items()), None
        if m := _LIKERT.search(last):
            keys = [str(i) for i in range(1, int(m.group(1)) + 1)]
        elif m := _CHOICE.search(last):
            keys = [chr(c) for c in range(ord("A"), ord(m.group(1)) + 1)]
        elif m := _NUMERIC.search(last):
            low, high = float(m.group(1)), float(m.group(2))
            return f"{round(low + u * (high - low))}", None
        else:
            return "I would rather keep things as they are.", None
        weights = {k: 0.2 + _unit(self.seed, "w", prompt, k) for k in keys}
        return keys[min(int(u * len(keys)), len(keys) - 1)], weights

    async def chat(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not headers.get("authorization", "").startswith("Bearer "):
            return 401, {"error": {"message": "missing API key", "type": "auth"}}
        try:
            req = json.loads(body)
            messages = req["messages"]
        except (ValueError, KeyError, TypeError):
            return 400, {"error": {"message": "bad request body", "type": "invalid_request"}}
        if req.get("logprobs") and not self.logprobs:
            self.stats["rejected_logprobs"] += 1
            return 400, {"error": {"message": "logprobs is not supported for this model",
                                   "type": "invalid_request_error"}}
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        n = self.seen[digest]
        self.seen[digest] += 1
        self.stats["requests"] += 1
        fault = self._fault(digest, n)
        delay = self.latency + self.jitter * _unit(self.seed, "lat", digest, n)
        if fault == "timeout":
            self.stats["timeout"] += 1
            await asyncio.sleep(self.hang)
            return 500, {"error": {"message": "too late", "type": "server_error"}}
        if delay > 0:
            await asyncio.sleep(delay)
        if fault in ("429", "500"):
            self.stats[fault] += 1
            kind = "rate_limit_exceeded" if fault == "429" else "server_error"
            return int(fault), {"error": {"message": f"injected {fault}", "type": kind}}
        # a sampled reply varies with the request's seed; without one, with each repeat
        salt = n if float(req.get("temperature") or 0) > 0 and req.get("seed") is None else 0
        text, weights = self.answer(messages, f"{req.get('seed')}:{salt}")
        fmt = req.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            if not self.structured:
                return 400, {"error": {"message": "response_format json_schema is not "
                                       "supported", "type": "invalid_request_error"}}
            self.stats["structured"] += 1
            props = fmt.get("json_schema", {}).get("schema", {}).get("properties", {})
            if "decision" in props and text.startswith("action: "):
                pairs = dict(line.split(": ", 1) for line in text.splitlines())
                text = json.dumps({"decision": {k: int(v) if re.fullmatch(r"-?\d+", v) else v
                                                for k, v in pairs.items()}})
                weights = None
            else:
                value: Any = text
                if props.get("answer", {}).get("type") in ("integer", "number") and \
                        re.fullmatch(r"-?\d+", text):
                    value = int(text)
                text = json.dumps({"answer": value})
        if fault == "malformed":
            self.stats["malformed"] += 1
            text, weights = _MALFORMED, None
        prompt_tokens = 1 + sum(len(str(m.get("content", ""))) for m in messages) // 4
        completion_tokens = len(text.split()) + 1
        self.stats["ok"] += 1
        self.stats["prompt_tokens"] += prompt_tokens
        self.stats["completion_tokens"] += completion_tokens
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": text}}
        if req.get("logprobs"):
            k = int(req.get("top_logprobs") or 1)
            if weights:
                total = sum(weights.values()) * 1.25
                alts = sorted(((key, math.log(w / total)) for key, w in weights.items()),
                              key=lambda t: -t[1])
                alts = (alts + [("I", math.log(0.2))])[:k]
            else:
                alts = [(text.split()[0], -0.1)]
            lp = dict(alts).get(text, -0.1)
            choice["logprobs"] = {"content": [{
                "token": text, "logprob": lp, "bytes": None,
                "top_logprobs": [{"token": t, "logprob": v, "bytes": None} for t, v in alts]}]}
        return 200, {
            "id": f"chatcmpl-{digest[:12]}{n}", "object": "chat.completion",
            "created": int(time.time()), "model": req.get("model", "fake"),
            "choices": [choice],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}

    async def route(self, method: str, path: str, headers: dict[str, str],
                    body: bytes) -> tuple[int, dict[str, Any]]:
        path = path.split("?", 1)[0].rstrip("/")
        if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            return await self.chat(body, headers)
        if method == "GET" and path in ("/v1/stats", "/stats"):
            return 200, dict(self.stats)
        if method == "GET" and path in ("/v1/models", "/models"):
            return 200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}
        return 404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                size = int(headers.get("content-length") or 0)
                body = await reader.readexactly(size) if size else b""
                status, payload = await self.route(method, path, headers, body)
                data = json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                             f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                             "\r\n".encode() + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


class FakeOpenAI:
    """Run the fake server on 127.0.0.1 (a free port) as a context manager.

    Parameters
    ----------
    latency : float
        Seconds before each reply; ``jitter`` adds up to that many more.
    faults : dict, optional
        Rates of injected faults, e.g. ``{"429": 0.1, "500": 0.1, "timeout": 0.05,
        "malformed": 0.05}`` (kinds in :data:`FAULTS`, rates summing to at most 1).
    hang : float
        How long a ``timeout`` fault waits before answering (set the client timeout below it).
    garble : str, optional
        Requests whose messages contain this text always get a malformed answer.
    seed : int
        Seed of the fault and answer draws.
    logprobs : bool
        False: refuse requests asking for log-probabilities with HTTP 400, as some servers do.
    structured : bool
        Answer requests with a ``json_schema`` response format as JSON ``{"answer": ...}``;
        False: refuse them with HTTP 400, as servers without structured output do.
    process : bool
        Run in a subprocess (for benchmarks) instead of a thread of this process.
    max_seconds : float
        The server stops by itself after this long.

    Examples
    --------
    >>> with FakeOpenAI(faults={"malformed": 1.0}) as server:
    ...     server.stats()
    {}
    """

    def __init__(self, latency: float = 0.0, jitter: float = 0.0,
                 faults: dict[str, float] | None = None, hang: float = 30.0,
                 garble: str | None = None, seed: int = 0, process: bool = False,
                 max_seconds: float = 900.0, logprobs: bool = True, structured: bool = True):
        self._args = dict(latency=latency, jitter=jitter, faults=faults or {}, hang=hang,
                          garble=garble, seed=seed, logprobs=logprobs, structured=structured)
        _Core(**self._args)  # validate now
        self.process, self.max_seconds = process, max_seconds
        self.port: int | None = None
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """Base URL to give an OpenAI client (``.../v1``)."""
        if self.port is None:
            raise RuntimeError("the fake server is not running; use it as a context manager")
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        """Start serving; returns self."""
        if self.process:
            cmd = [sys.executable, "-m", "socialkit.llm.testing", json.dumps(
                {**self._args, "max_seconds": self.max_seconds})]
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          text=True)
            self.port = int(self._proc.stdout.readline())
            return self
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve_thread, args=(ready,), daemon=True,
                                        name="socialkit-fake-openai")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake server did not start")
        return self

    def _serve_thread(self, ready: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await _serve(_Core(**self._args), self._stop, self.max_seconds,
                         lambda port: (setattr(self, "port", port), ready.set()))
        asyncio.run(main())

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._proc is not None:
            self._proc.stdin.close()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None
        if self._thread is not None:
            if self._loop is not None and self._stop is not None:
                self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)
            self._thread = None

    def stats(self) -> dict[str, int]:
        """What the server did: requests, ok, each fault kind, delivered prompt/completion tokens."""
        with urllib.request.urlopen(f"{self.url}/stats", timeout=10) as r:
            return json.loads(r.read())

    def chat_model(self, **kwargs: Any) -> Any:
        """A LangChain ``ChatOpenAI`` pointed at this server (dummy key, no client retries)."""
        from langchain_openai import ChatOpenAI

        opts = {"model": "fake-model", "api_key": "sk-fake-key", "max_retries": 0,
                "timeout": 10.0, "base_url": self.url, **kwargs}
        return ChatOpenAI(**opts)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


async def _serve(core: _Core, stop: asyncio.Event, max_seconds: float, on_port: Any) -> None:
    tasks: set[asyncio.Task] = set()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        tasks.add(task)
        try:
            await core.handle(reader, writer)
        finally:
            tasks.discard(task)

    server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=1024)
    on_port(server.sockets[0].getsockname()[1])
    try:
        await asyncio.wait_for(stop.wait(), max_seconds)
    except TimeoutError:
        pass
    server.close()
    for t in list(tasks):
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _main(argv: list[str]) -> None:  # pragma: no cover - runs in a subprocess
    args = json.loads(argv[0])
    max_seconds = args.pop("max_seconds")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def watch_stdin() -> None:  # the parent closes stdin (or dies): stop
            sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch_stdin, daemon=True).start()
        await _serve(_Core(**args), stop, max_seconds,
                     lambda port: print(port, flush=True))

    asyncio.run(main())


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1:])
