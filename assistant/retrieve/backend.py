"""Retrieval backends: where the keyword and dense candidates of a query come from; fusion stays in Retriever.

Two implementations:

- ``faiss`` (default): bm25s and faiss files in the index folder, searched in process by
  `hybrid.Retriever` itself (`Retriever._candidates`).
- ``milvus``: one Milvus collection per build (`retrieve/milvus.py`), dense vectors plus sparse vectors holding the
  same BM25 weights as the bm25s index, so keyword scores are the faiss backend's; filters become expressions.
"""
from __future__ import annotations

from typing import Any, Mapping, Protocol

import numpy as np

from ..store import IndexError_

BACKENDS = ("faiss", "milvus")


class BackendError(IndexError_):
    """A backend that cannot be reached or used: an index that cannot be read, so every layer that shows an
    IndexError_ (CLI, API, web chat) shows this Chinese message as is."""


class SearchBackend(Protocol):
    """Candidate search for `hybrid.Retriever`.

    >>> bm25_map, dense_map = backend.candidates(["结余", "分配"], qv, {"source": ["a.txt"]}, 30)  # doctest: +SKIP
    """

    name: str
    has_keyword: bool
    has_dense: bool

    def candidates(
        self, tokens: list[str] | None, vector: np.ndarray | None, filters: Mapping[str, Any] | None, n: int
    ) -> tuple[dict[int, float], dict[int, float]]:
        """(BM25 scores, cosine similarities) by chunk position for the chunks that pass the filters: each side's
        top n (BM25 > 0 only); a side not asked for (None) is empty. When both are asked, each map also scores
        the other side's candidates (BM25 0 where no token matches), so fusion ranks the union on both sides."""
        ...
