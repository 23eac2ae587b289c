"""Keyword index: BM25 (bm25s) over jieba tokens of t2s-normalised text, built once at build time."""
from __future__ import annotations

import itertools
import json
import logging
import math
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

    @classmethod
    def build_ids(cls, id_lists: list[list[int]], vocab: dict[str, int]) -> "BM25Index":
        """The same index from token ids and their vocabulary (an incremental build reuses stored ids instead of
        tokenising again), its score matrix computed with whole-array numpy operations rather than bm25s's loop
        over documents (about 100 s at 100k chunks). The arithmetic is bm25s's own, operation for operation, so
        the matrix is identical (tests/test_tables.py compares them)."""
        id_lists = id_lists or [[]]
        lens = np.fromiter((len(x) for x in id_lists), dtype=np.int64, count=len(id_lists))
        offsets = np.zeros(len(id_lists) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        flat = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int64, count=int(lens.sum()))
        return cls.build_table(flat, offsets, vocab)

    @classmethod
    def build_table(cls, flat: np.ndarray, offsets: np.ndarray, vocab: dict[str, int]) -> "BM25Index":
        """`build_ids` over token ids given as one array with per-chunk offsets (tables.TokenTable)."""
        bm25s = _bm25s()
        vocab = dict(vocab)
        flat = np.asarray(flat, dtype=np.int64)
        lens = np.diff(np.asarray(offsets, dtype=np.int64)) if len(offsets) > 1 else np.zeros(1, dtype=np.int64)
        if len(offsets) <= 1:
            offsets = np.zeros(2, dtype=np.int64)
        empty = np.flatnonzero(lens == 0)
        if len(empty):  # bm25s cannot index empty documents: a placeholder token keeps positions aligned
            flat = np.insert(flat, np.asarray(offsets, dtype=np.int64)[empty], vocab.setdefault("\u2205", len(vocab)))
            lens = np.where(lens == 0, 1, lens)
        model = bm25s.BM25()
        if model.method != "lucene" or model.idf_method != "lucene":  # pragma: no cover - another bm25s default
            bounds = np.concatenate([[0], np.cumsum(lens)])
            lists = [flat[bounds[i] : bounds[i + 1]].tolist() for i in range(len(lens))]
            model.index((lists, vocab), show_progress=False)
            return cls(model)
        n_docs, n_vocab = len(lens), len(vocab)
        avg_doc_len = lens.mean()
        # (token, document) pairs sorted by token then document: the order of the CSC matrix bm25s builds.
        pairs, tf = np.unique(flat * n_docs + np.repeat(np.arange(n_docs, dtype=np.int64), lens), return_counts=True)
        tok, doc = pairs // n_docs, pairs % n_docs
        df = np.bincount(tok, minlength=n_vocab)
        idf = np.zeros(n_vocab, dtype=model.dtype)
        for value in np.unique(df[df > 0]).tolist():  # bm25s: math.log per token, stored as float32
            idf[df == value] = math.log(1 + (n_docs - value + 0.5) / (value + 0.5))
        # bm25s computes k1 * ((1 - b) + b * l_d / l_avg) as a float64 scalar per document and adds it to the
        # float32 term counts; numpy's promotion of that sum is whatever this numpy does with a float64 scalar.
        dt = (np.float64(1.0) + np.zeros(1, dtype=model.dtype)).dtype
        norm = (model.k1 * ((1 - model.b) + model.b * lens.astype(np.float64)[doc] / avg_doc_len)).astype(dt)
        tf = tf.astype(model.dtype).astype(dt)
        scores = (idf[tok].astype(dt) * (tf / (norm + tf))).astype(model.dtype)
        # What bm25s's _np_csc_python returns for these entries, without sorting them a second time.
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(np.bincount(tok, minlength=n_vocab), out=indptr[1:])
        model.nonoccurrence_array = None
        model.scores = {"data": scores.astype(model.dtype), "indices": doc.astype(model.int_dtype), "indptr": indptr,
                        "num_docs": n_docs}
        if "" not in vocab:
            vocab[""] = max(vocab.values()) + 1
        model.vocab_dict = vocab
        model.unique_token_ids_set = set(vocab.values())
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
            return cls(bm25s.BM25.load(str(folder), allow_pickle=False, mmap=True))
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
        # Memory-mapped: the score matrix is paged in as queries touch it, so loading costs no corpus-sized read.
        self._data = np.load(folder / "data.csc.index.npy", allow_pickle=False, mmap_mode="r")
        self._indices = np.load(folder / "indices.csc.index.npy", allow_pickle=False, mmap_mode="r")
        self._indptr = np.load(folder / "indptr.csc.index.npy", allow_pickle=False, mmap_mode="r")
        self._dtype = np.dtype(params.get("dtype", "float32"))
        # The same keys as a bm25s model's, so weights() serves either.
        self.scores = {"num_docs": int(params["num_docs"]), "data": self._data, "indices": self._indices,
                       "indptr": self._indptr}

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        ids = [self.vocab_dict[t] for t in tokens]
        scores = np.zeros(self.scores["num_docs"], dtype=self._dtype)
        if ids:
            cols = [(self._indptr[i], self._indptr[i + 1]) for i in ids]
            np.add.at(scores, np.concatenate([self._indices[a:b] for a, b in cols]),
                      np.concatenate([self._data[a:b] for a, b in cols]))
        return scores


Tokenizer = Callable[[str], list[str]]
