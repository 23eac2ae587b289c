"""Dense index: faiss inner product over normalised vectors; exact when small, HNSW when large."""
from __future__ import annotations

from pathlib import Path

import numpy as np


class DenseIndex:
    """Nearest chunks by cosine similarity.

    >>> import numpy as np
    >>> idx = DenseIndex.build(np.eye(3, dtype="float32"))
    >>> idx.search(np.array([0, 1, 0], dtype="float32"), 1)[0].tolist()
    [1]
    """

    def __init__(self, index) -> None:
        self._index = index
        self.size = int(index.ntotal)
        self.dim = int(index.d)

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int = 50000) -> "DenseIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) >= hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss

        return cls(faiss.read_index(str(path)))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, similarities) of the k nearest chunks; ids of -1 are dropped."""
        k = max(1, min(k, self.size))
        sims, ids = self._index.search(np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1), k)
        keep = ids[0] >= 0
        return ids[0][keep], sims[0][keep]

    def similarities(self, query: np.ndarray, ids: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given chunks, whatever their rank."""
        if not ids:
            return np.zeros(0, dtype=np.float32)
        vecs = self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
        return vecs @ np.asarray(query, dtype=np.float32).reshape(-1)
