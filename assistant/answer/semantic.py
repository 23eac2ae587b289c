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
        doc_ids = list(dict.fromkeys(str(d) for d, _, _ in spans))
        pos = {d: i for i, d in enumerate(doc_ids)}
        table = np.array([[pos[str(d)], int(a), int(b)] for d, a, b in spans], dtype=np.int64).reshape(-1, 3)
        self._setup(doc_ids, table, vectors, encode_query)

    @classmethod
    def from_table(cls, doc_ids: Sequence[str], table: np.ndarray, vectors: np.ndarray,
                   encode_query: Callable[[str], np.ndarray]) -> "SentenceVectors":
        """From the index's arrays: rows (document number, start, end) and their (memory-mapped) vectors."""
        if len(table) != len(vectors):
            raise ValueError("one vector per sentence span")
        self = cls.__new__(cls)
        self._setup(list(doc_ids), np.asarray(table, dtype=np.int64), vectors, encode_query)
        return self

    def _setup(self, doc_ids, table: np.ndarray, vectors: np.ndarray, encode_query) -> None:
        # Rows sorted by (document, start, end): a lookup is a binary search, not a dict of every sentence.
        order = np.lexsort((table[:, 2], table[:, 1], table[:, 0])) if len(table) else np.zeros(0, np.int64)
        if len(order) and not np.array_equal(order, np.arange(len(order))):
            table = table[order]
            vectors = np.asarray(vectors)[order]
        self._doc = {d: i for i, d in enumerate(doc_ids)}
        self._table = table
        self._bounds = np.searchsorted(table[:, 0], np.arange(len(doc_ids) + 1)) if len(table) else None
        self._vectors = vectors  # float32, possibly a memory map
        self._encode = encode_query

    def _row(self, doc_id: str, start: int, end: int) -> int | None:
        k = self._doc.get(doc_id)
        if k is None or self._bounds is None:
            return None
        lo, hi = int(self._bounds[k]), int(self._bounds[k + 1])
        i = lo + int(np.searchsorted(self._table[lo:hi, 1], start))
        while i < hi and self._table[i, 1] == start:
            if self._table[i, 2] == end:
                return i
            i += 1
        return None

    def __call__(self, question: str, sentences: Sequence[Sentence]) -> list[float | None]:
        rows = [self._row(s.doc_id, s.start, s.end) for s in sentences]
        if all(r is None for r in rows):
            return [None] * len(sentences)
        qv = np.asarray(self._encode(t2s(question)), dtype=np.float32).reshape(-1)
        return [None if r is None else float(np.asarray(self._vectors[r], dtype=np.float32) @ qv) for r in rows]
