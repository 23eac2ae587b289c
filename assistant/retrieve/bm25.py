"""Keyword index: BM25 (bm25s) over jieba tokens of t2s-normalised text, built once at build time."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Callable

import numpy as np


def _bm25s():
    """Import bm25s; it sets its own logger to DEBUG on import, which would print build chatter on stderr."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class BM25Index:
    """BM25 scores for every chunk given query tokens.

    >>> idx = BM25Index.build([["医共体", "结余"], ["医联体"]])
    >>> int(idx.scores(["结余"]).argmax())
    0
    """

    def __init__(self, model) -> None:
        self._model = model
        self._vocab = model.vocab_dict
        self.size = int(model.scores["num_docs"])

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> "BM25Index":
        bm25s = _bm25s()
        model = bm25s.BM25()
        # bm25s cannot index an empty corpus or empty documents; a placeholder token keeps positions aligned.
        model.index([toks or ["\u2205"] for toks in token_lists] or [["\u2205"]], show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), corpus=None, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        # Scoring a query only sums precomputed columns: the saved arrays are read with numpy, which keeps
        # bm25s (and the scipy it imports, a tenth of a cold `assistant ask`) off the single-question path.
        # Methods that add a non-occurrence score (BM25L, BM25+) go through bm25s itself.
        folder = Path(folder)
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if (folder / "nonoccurrence_array.index.npy").exists() or params.get("method") not in ("lucene", "robertson", "atire"):
            bm25s = _bm25s()
            return cls(bm25s.BM25.load(str(folder), allow_pickle=False))
        return cls(_SavedScores(folder, params))

    def weights(self):
        """(per-chunk BM25 weights as a scipy CSR matrix, chunks x terms; token -> term column): a query's
        score is the sum of its tokens' columns, so another engine can score exactly as this index does."""
        from scipy import sparse

        s = self._model.scores
        csc = sparse.csc_matrix((s["data"], s["indices"], s["indptr"]), shape=(self.size, len(s["indptr"]) - 1))
        return csc.tocsr(), dict(self._vocab)

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in self._vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)


class _SavedScores:
    """The part of a saved bm25s model that scores a query: its vocabulary and the CSC score matrix.

    Sums in the same order as bm25s (token by token, rows ascending), so the scores are identical.
    """

    def __init__(self, folder: Path, params: dict) -> None:
        self.vocab_dict = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        self._data = np.load(folder / "data.csc.index.npy", allow_pickle=False)
        self._indices = np.load(folder / "indices.csc.index.npy", allow_pickle=False)
        self._indptr = np.load(folder / "indptr.csc.index.npy", allow_pickle=False)
        self._dtype = np.dtype(params.get("dtype", "float32"))
        self.scores = {"num_docs": int(params["num_docs"])}

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        ids = [self.vocab_dict[t] for t in tokens]
        scores = np.zeros(self.scores["num_docs"], dtype=self._dtype)
        if ids:
            cols = [(self._indptr[i], self._indptr[i + 1]) for i in ids]
            np.add.at(scores, np.concatenate([self._indices[a:b] for a, b in cols]),
                      np.concatenate([self._data[a:b] for a, b in cols]))
        return scores


Tokenizer = Callable[[str], list[str]]
