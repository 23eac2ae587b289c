"""Dense index: faiss inner product over normalised vectors; exact when small, HNSW when large.

The faiss file is the one stored copy of the chunk vectors. An HNSW index that grew by appending the chunks of added
documents keeps its rows in insertion order; `dense_rows.npy` beside it then maps each row to its chunk position.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

HNSW_M = 32
EF_CONSTRUCTION = 200  # recall@10 .98 on real vectors, where 40 (faiss's default) gave .92 (issue 15)
EF_SEARCH = 128
# A filter keeping at most this many chunks (or this share of an HNSW index) is searched exactly over those chunks.
EXACT_LIMIT = 20000
EXACT_SHARE = 0.2


def _threads(n: int | None) -> None:
    """faiss's OpenMP team for the next calls: all cores to build a graph; one to answer a single query, where
    waking a second thread on a busy 2-core machine cost 74 ms per flat search over 11.7k chunks against 5.8 ms."""
    import os

    import faiss

    global _THREADS
    n = n or os.cpu_count() or 1
    if _THREADS != n:  # asking faiss each time cost as much as setting it
        faiss.omp_set_num_threads(n)
        _THREADS = n


_THREADS: int | None = None


def rows_file(path: Path) -> Path:
    return Path(path).with_name("dense_rows.npy")


class DenseIndex:
    """Nearest chunks by cosine similarity.

    >>> import numpy as np
    >>> idx = DenseIndex.build(np.eye(3, dtype="float32"))
    >>> idx.search(np.array([0, 1, 0], dtype="float32"), 1)[0].tolist()
    [1]
    """

    def __init__(self, index, rows: np.ndarray | None = None) -> None:
        self._index = index
        self.size = int(index.ntotal)
        self.dim = int(index.d)
        if rows is not None and (len(rows) != self.size or not np.array_equal(np.sort(rows), np.arange(self.size))):
            raise ValueError("dense_rows.npy does not map the faiss rows onto the chunks")
        self._rows = None if rows is None else np.asarray(rows, dtype=np.int64)  # faiss row -> chunk position
        self._where = None  # chunk position -> faiss row
        if self._rows is not None:
            self._where = np.empty_like(self._rows)
            self._where[self._rows] = np.arange(self.size)
        import faiss

        self._hnsw = isinstance(index, faiss.IndexHNSW)
        self._flat = faiss.downcast_index(index.storage) if self._hnsw else index
        if self._hnsw:
            index.hnsw.efSearch = max(int(index.hnsw.efSearch), EF_SEARCH)  # efSearch is not kept in the file

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int = 50000) -> "DenseIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) >= hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = EF_CONSTRUCTION
            index.hnsw.efSearch = EF_SEARCH
        else:
            index = faiss.IndexFlatIP(dim)
        _threads(None)
        index.add(vectors)
        return cls(index)

    @property
    def is_hnsw(self) -> bool:
        return self._hnsw

    def extended(self, vectors: np.ndarray, positions: np.ndarray, old_positions: np.ndarray) -> "DenseIndex":
        """This index with vectors appended (an HNSW graph is not rebuilt): `old_positions[r]` is the new chunk
        position of existing row r, `positions` those of the appended vectors."""
        rows = np.concatenate([np.asarray(old_positions, np.int64)[self._chunk_of_rows()], np.asarray(positions, np.int64)])
        if len(vectors):
            _threads(None)
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return DenseIndex(self._index, None if np.array_equal(rows, np.arange(len(rows))) else rows)

    def _chunk_of_rows(self) -> np.ndarray:
        return np.arange(self.size) if self._rows is None else self._rows

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))
        if self._rows is not None:
            np.save(rows_file(path), self._rows, allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss

        rows = np.load(rows_file(path), allow_pickle=False) if rows_file(path).exists() else None
        return cls(faiss.read_index(str(path)), rows)

    def _storage(self) -> np.ndarray:
        """The stored vectors in row order, as a view on faiss's memory (no copy)."""
        import faiss

        return faiss.rev_swig_ptr(self._flat.get_xb(), self.size * self.dim).reshape(self.size, self.dim)

    def chunk_vectors(self) -> np.ndarray:
        """A copy of every vector, in chunk order."""
        vecs = np.array(self._storage(), dtype=np.float32) if self.size else np.zeros((0, self.dim), np.float32)
        return vecs if self._where is None else vecs[self._where]

    def _to_chunks(self, rows: np.ndarray) -> np.ndarray:
        return rows if self._rows is None else self._rows[rows]

    def _to_rows(self, ids) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        return ids if self._where is None else self._where[ids]

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, similarities) of the k nearest chunks, among those `mask` keeps when given."""
        import faiss

        k = max(1, min(k, self.size))
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        _threads(1)
        if mask is None:
            sims, ids = self._index.search(q, k)
        else:
            allowed = int(np.count_nonzero(mask))
            if not allowed:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            row_mask = mask if self._where is None else mask[self._rows]
            bitmap = np.packbits(row_mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bitmap))
            k = min(k, allowed)
            if self._hnsw and allowed > max(EXACT_LIMIT, EXACT_SHARE * self.size):
                params = faiss.SearchParametersHNSW()
                params.efSearch = max(EF_SEARCH, k)
                params.sel = selector
                sims, ids = self._index.search(q, k, params=params)
            else:
                # Exact over the kept chunks: faiss's flat scan skips the others without computing them.
                params = faiss.SearchParameters()
                params.sel = selector
                sims, ids = self._flat.search(q, k, params=params)
            del bitmap
        keep = ids[0] >= 0
        return self._to_chunks(ids[0][keep]), sims[0][keep]

    def similarities(self, query: np.ndarray, ids: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given chunks, whatever their rank."""
        if not ids:
            return np.zeros(0, dtype=np.float32)
        vecs = self._index.reconstruct_batch(self._to_rows(ids))
        return vecs @ np.asarray(query, dtype=np.float32).reshape(-1)
