"""TF-IDF vectors and cosine similarity of texts (numpy / scipy), as LLM-Culture measures how
alike stories are within a generation and across generations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["tfidf", "cosine_similarity", "STOP_WORDS"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")

STOP_WORDS = frozenset("""
a about above after again against all almost also am an and any are around as at be became
because been before being below between both but by can could did do does doing done down
during each either else even ever every few for from further had has have having he her here
hers herself him himself his how however i if in into is it its itself just least less like
made make many may me might more most much must my myself neither never no nor not now of off
often on once one only or other others our ours ourselves out over own per perhaps quite rather
really same shall she should since so some still such than that the their theirs them
themselves then there therefore these they this those though through thus to too toward
towards under until up upon us very was we well were what whatever when whenever where whether
which while who whom whose why will with within without would yet you your yours yourself
yourselves
""".split())
"""English function words left out of TF-IDF by default (socialkit's own list of 178 words; the
scikit-learn list that LLM-Culture uses has 318, so values differ slightly)."""


def _tokens(text: str, stop: frozenset) -> list[str]:
    return [w for w in _TOKEN.findall(text.lower()) if w not in stop]


def tfidf(texts: Sequence[str], stop_words: Any = "english"):
    """TF-IDF vectors of texts, the scheme of scikit-learn's ``TfidfVectorizer`` defaults.

    Tokens are lower-cased words of two or more letters or digits; stop words are dropped; a
    term's weight in a text is its count times ``idf = ln((1 + n) / (1 + df)) + 1`` (``n``
    texts, ``df`` texts containing it); each text's vector has unit length (a text without
    terms stays zero).

    Parameters
    ----------
    texts : sequence of str
    stop_words : "english", iterable of str or None
        Words left out (``"english"``: :data:`STOP_WORDS`).

    Returns
    -------
    (scipy.sparse.csr_matrix, list of str)
        The ``len(texts) x vocabulary`` matrix and the vocabulary (sorted).

    Examples
    --------
    >>> X, vocab = tfidf(["the cat sat", "the cat ran"])
    >>> vocab
    ['cat', 'ran', 'sat']
    >>> X.toarray().round(4).tolist()
    [[0.5797, 0.0, 0.8148], [0.5797, 0.8148, 0.0]]
    """
    texts = _check_texts(texts)
    if isinstance(stop_words, str):
        if stop_words != "english":
            raise ValueError(f"stop_words must be 'english', a list of words or None, got "
                             f"{stop_words!r}")
        stop = STOP_WORDS
    elif stop_words is None:
        stop = frozenset()
    elif isinstance(stop_words, Iterable):
        stop = frozenset(str(w).lower() for w in stop_words)
    else:
        raise TypeError(f"stop_words must be 'english', a list of words or None, got "
                        f"{type(stop_words).__name__}")
    docs = [_tokens(t, stop) for t in texts]
    vocab = sorted({w for d in docs for w in d})
    index = {w: j for j, w in enumerate(vocab)}
    rows, cols = [], []
    for i, d in enumerate(docs):
        rows.extend([i] * len(d))
        cols.extend(index[w] for w in d)
    n = len(texts)
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocab))
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    X = counts.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 0.0)) @ X
    return X.tocsr(), vocab


def cosine_similarity(texts: Sequence[str], stop_words: Any = "english") -> np.ndarray:
    """The TF-IDF cosine similarity of every pair of texts (a ``n x n`` array; 1 on the
    diagonal, 0 for a text without terms).

    Examples
    --------
    >>> cosine_similarity(["the cat sat", "the cat ran", "dogs bark"]).round(3).tolist()
    [[1.0, 0.366, 0.0], [0.366, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    X, _ = tfidf(texts, stop_words)
    S = np.asarray((X @ X.T).toarray())
    empty = np.asarray(X.getnnz(axis=1) == 0)
    S[np.ix_(empty, empty)] = 0.0
    S[np.diag_indices_from(S)] = np.where(empty, 0.0, 1.0)
    return S


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must be strings; item {bad[0]} is "
                        f"{type(texts[bad[0]]).__name__}")
    return list(texts)
