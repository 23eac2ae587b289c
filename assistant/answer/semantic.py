"""Meaning-based similarity of evidence sentences to a question, from sentence vectors computed at build time."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..textnorm import t2s
from .evidence import Sentence


class SentenceVectors:
    """Cosine similarity of a question to the sentences the index has vectors for.

    >>> sims = SentenceVectors(spans, vectors, retriever.query_vector)   # doctest: +SKIP
    >>> sims("院长一届干几年？", sentences)                               # doctest: +SKIP
    [0.83, None, 0.79]
    """

    def __init__(self, spans: Sequence[Sequence], vectors: np.ndarray, encode_query: Callable[[str], np.ndarray]):
        if len(spans) != len(vectors):
            raise ValueError("one vector per sentence span")
        self._row = {(str(d), int(a), int(b)): i for i, (d, a, b) in enumerate(spans)}
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self._encode = encode_query

    def __call__(self, question: str, sentences: Sequence[Sentence]) -> list[float | None]:
        rows = [self._row.get((s.doc_id, s.start, s.end)) for s in sentences]
        if all(r is None for r in rows):
            return [None] * len(sentences)
        qv = np.asarray(self._encode(t2s(question)), dtype=np.float32).reshape(-1)
        return [None if r is None else float(self._vectors[r] @ qv) for r in rows]
