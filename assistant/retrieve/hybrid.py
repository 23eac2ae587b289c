"""Hybrid retriever: BM25 and dense candidates fused (RRF or weighted), filtered, deduplicated, optionally reranked."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, Sequence

import numpy as np

from ..textnorm import t2s
from ..types import Chunk, Hit
from .backend import SearchBackend
from .fusion import rrf, weighted

MODES = ("bm25", "dense", "hybrid")


class QueryEncoder(Protocol):
    def encode_query(self, text: str) -> np.ndarray: ...


class Reranker(Protocol):
    def rerank(self, query: str, texts: list[str]) -> list[float]: ...


@dataclass(frozen=True)
class RetrieverConfig:
    mode: str = "hybrid"
    fusion: str = "weighted"
    rrf_k: int = 60
    dense_weight: float = 0.55
    top_k: int = 5
    candidates: int = 30
    query_cache: int = 2048  # vectors of recent queries kept; 0 = none (timing runs)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"retriever mode must be one of {MODES}")
        if self.fusion not in ("rrf", "weighted"):
            raise ValueError("fusion must be rrf or weighted")


class Retriever:
    """Finds the chunks that answer a question.

    >>> r = Retriever(chunks, bm25=bm25, query_tokens=lexicon.query_tokens)   # doctest: +SKIP
    >>> [h.chunk.section for h in r.search("结余怎么分配", k=3)]              # doctest: +SKIP
    """

    def __init__(
        self,
        chunks: Sequence[Chunk],
        bm25=None,
        dense=None,
        encoder: QueryEncoder | None = None,
        query_tokens: Callable[[str], list[str]] | None = None,
        config: RetrieverConfig = RetrieverConfig(),
        reranker: Reranker | None = None,
        backend: SearchBackend | None = None,
    ) -> None:
        keyword = bm25 is not None if backend is None else backend.has_keyword
        vectors = dense is not None if backend is None else backend.has_dense
        if config.mode == "bm25" and (not keyword or query_tokens is None):
            raise ValueError("bm25 mode needs a keyword index and a tokenizer")
        if config.mode == "dense" and (not vectors or encoder is None):
            raise ValueError("dense mode needs a dense index and an embedder")
        self.chunks = list(chunks)
        self.bm25 = bm25
        self.dense = dense
        self.encoder = encoder
        self.query_tokens = query_tokens
        self.config = config
        self.reranker = reranker
        self.backend = backend
        # Query vectors by normalised text: the same questions recur (example buttons, a class asking one
        # question, follow-ups re-asked), and embedding is most of a search's time.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self._last = threading.local()  # this thread's latest query and its vector
        self._fields: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        for key in ("source", "kind", "region"):  # the filters the CLI, API and web offer
            self._field(key)

    def available_modes(self) -> list[str]:
        modes = []
        keyword = self.bm25 is not None if self.backend is None else self.backend.has_keyword
        vectors = self.dense is not None if self.backend is None else self.backend.has_dense
        if keyword and self.query_tokens is not None:
            modes.append("bm25")
        if vectors and self.encoder is not None:
            modes.append("dense")
        if len(modes) == 2:
            modes.append("hybrid")
        return modes

    def _field(self, key: str) -> tuple[np.ndarray, dict[str, int]]:
        """(code of every chunk's value, code of each value) for one chunk field, computed once."""
        have = self._fields.get(key)
        if have is None:
            codes: dict[str, int] = {}
            values = (str(getattr(c, key, "") or "") for c in self.chunks)
            arr = np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.int32, count=len(self.chunks))
            have = self._fields[key] = (arr, codes)
        return have

    def _mask(self, filters: Mapping[str, Any] | None) -> np.ndarray | None:
        """Chunks the filters keep, as a boolean array: per-field codes make it a comparison of small ints.
        A region matches by containment ("裕安" keeps "安徽省六安市裕安区"), other fields by equality."""
        if not filters:
            return None
        mask = np.ones(len(self.chunks), dtype=bool)
        for key, wanted in filters.items():
            if wanted in (None, "", [], ()):
                continue
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            arr, codes = self._field(key)
            if key == "region":
                ok = [i for have, i in codes.items() if any(v and v in have for v in values)]
            else:
                ok = [codes[v] for v in values if isinstance(v, str) and v in codes]
            mask &= np.isin(arr, np.asarray(ok, dtype=np.int32))
        return mask

    def keyword_scores(self, query: str) -> np.ndarray:
        return self.bm25.scores(self.query_tokens(query))

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Mapping[str, Any] | None = None,
        mode: str | None = None,
    ) -> list[Hit]:
        cfg = self.config
        k = k or cfg.top_k
        mode = mode or cfg.mode
        if mode not in self.available_modes():
            # Fall back to what the index has (e.g. an index built with embedder "none").
            mode = self.available_modes()[0] if self.available_modes() else mode
        n_cand = max(cfg.candidates, k * 3)
        if self.backend is not None:  # another engine (milvus) finds and scores the candidates; fusion stays here
            tokens = self.query_tokens(query) if mode in ("bm25", "hybrid") else None
            vector = self.query_vector(query) if mode in ("dense", "hybrid") else None
            bm25_map, dense_map = self.backend.candidates(tokens, vector, filters, n_cand)
        else:
            bm25_map, dense_map = self._candidates(query, filters, mode, n_cand)
        if mode == "hybrid":
            pool = sorted(set(bm25_map) | set(dense_map))
            if cfg.fusion == "rrf":
                rankings = [sorted(pool, key=lambda i: (-m[i], i)) for m in (bm25_map, dense_map)]
                w = 2 * cfg.dense_weight
                fused = rrf(rankings, cfg.rrf_k, [2 - w, w])
            else:
                fused = weighted([bm25_map, dense_map], [1.0 - cfg.dense_weight, cfg.dense_weight])
        else:
            fused = dict(bm25_map or dense_map)
        return self._hits(query, k, fused, bm25_map, dense_map)

    def _candidates(
        self, query: str, filters: Mapping[str, Any] | None, mode: str, n_cand: int
    ) -> tuple[dict[int, float], dict[int, float]]:
        """The `faiss` backend: this retriever's own bm25s and faiss indexes (see retrieve/backend.py)."""
        mask = self._mask(filters)
        bm25_map: dict[int, float] = {}
        dense_map: dict[int, float] = {}
        if mode in ("bm25", "hybrid"):
            scores = self.keyword_scores(query)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            order = [int(i) for i in top_indices(scores, n_cand) if scores[i] > 0]
            bm25_map = {i: float(scores[i]) for i in order}
        if mode in ("dense", "hybrid"):
            qv = self.query_vector(query)
            # A filter restricts the dense search itself (not k = every chunk, then dropping most of them).
            ids, sims = self.dense.search(qv, n_cand) if mask is None else self.dense.search(qv, n_cand, mask=mask)
            dense_map = {int(i): float(s) for i, s in zip(ids, sims)}
        if mode == "hybrid":
            # Each side ranks the union of both candidate lists, so a chunk one side ranks first but the other
            # ranks 31st gets its real second rank instead of none (which used to sink keyword-exact hits).
            pool = sorted(set(bm25_map) | set(dense_map))
            missing = [i for i in pool if i not in dense_map]
            dense_map.update(zip(missing, (float(x) for x in self.dense.similarities(qv, missing))))
            for i in pool:
                bm25_map.setdefault(i, float(scores[i]))
        return bm25_map, dense_map

    def _hits(self, query: str, k: int, fused: dict[int, float], bm25_map, dense_map) -> list[Hit]:
        ordered = sorted(fused, key=lambda i: (-fused[i], i))
        ordered = self._dedupe(ordered)
        if self.reranker is not None and ordered:
            pool = ordered[: max(k * 4, 20)]
            rs = self.reranker.rerank(query, [self.chunks[i].text for i in pool])
            rerank_map = dict(zip(pool, rs))
            ordered = sorted(pool, key=lambda i: -rerank_map[i])
            fused = {i: float(rerank_map[i]) for i in pool}
        hits = []
        for rank, i in enumerate(ordered[:k], start=1):
            comp = {"fused": float(fused[i])}
            if i in bm25_map:
                comp["bm25"] = bm25_map[i]
            if i in dense_map:
                comp["dense"] = dense_map[i]
            hits.append(Hit(self.chunks[i], float(fused[i]), rank, comp))
        return hits

    def query_vector(self, query: str) -> np.ndarray:
        """The embedder's vector for a query (Simplified), from the recent-queries cache when it is there."""
        text = t2s(query)
        last = getattr(self._last, "query", None)
        if last is not None and last[0] == text:
            return last[1]  # the same question again within one ask (retrieval, then the answerer)
        size = self.config.query_cache
        if size <= 0:
            qv = self.encoder.encode_query(text)
            self._last.query = (text, qv)
            return qv
        with self._vectors_lock:
            qv = self._vectors.get(text)
            if qv is not None:
                self._vectors.move_to_end(text)
                self._last.query = (text, qv)
                return qv
        qv = self.encoder.encode_query(text)
        self._last.query = (text, qv)
        with self._vectors_lock:
            self._vectors[text] = qv
            if len(self._vectors) > size:
                self._vectors.popitem(last=False)
        return qv

    def forget(self) -> None:
        """Drop remembered query vectors (timing runs measure embedding, not lookups)."""
        self._last.query = None
        with self._vectors_lock:
            self._vectors.clear()

    def _dedupe(self, ordered: list[int]) -> list[int]:
        """Drop a chunk that overlaps a better-ranked chunk of the same document."""
        kept: list[int] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        for i in ordered:
            c = self.chunks[i]
            if any(c.start < e and s < c.end for s, e in spans.get(c.doc_id, [])):
                continue
            spans.setdefault(c.doc_id, []).append((c.start, c.end))
            kept.append(i)
        return kept


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first, equal scores in index order: what a stable sort of all scores
    gives, at the cost of a partition (argpartition) rather than a sort of the whole corpus.

    >>> top_indices(np.array([1.0, 3.0, 3.0, 2.0]), 2).tolist()
    [1, 2]
    """
    if n <= 0 or not len(scores):
        return np.zeros(0, dtype=np.int64)
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")
    kth = scores[np.argpartition(-scores, n - 1)[n - 1]]  # the n-th highest value
    above = np.flatnonzero(scores > kth)
    picked = np.concatenate([above, np.flatnonzero(scores == kth)[: n - len(above)]])
    return picked[np.argsort(-scores[picked], kind="stable")]


class CrossEncoderReranker:
    """sentence-transformers CrossEncoder from a local folder (e.g. bge-reranker-base)."""

    def __init__(self, path: str) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import CrossEncoder

        self._model = CrossEncoder(path, device="cpu")

    def rerank(self, query: str, texts: list[str]) -> list[float]:
        return [float(s) for s in self._model.predict([(query, t) for t in texts], show_progress_bar=False)]
