"""Keyword index: BM25 (bm25s) over jieba tokens of t2s-normalised text, built once at build time."""
from __future__ import annotations

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

    @classmethod
    def build_ids(cls, id_lists: list[list[int]], vocab: dict[str, int]) -> "BM25Index":
        """The same index from token ids and their vocabulary (an incremental build reuses stored ids instead of
        tokenising again); scores equal those of `build` over the same tokens."""
        bm25s = _bm25s()
        vocab = dict(vocab)
        empty = None
        lists = []
        for ids in id_lists or [[]]:
            if not ids:
                empty = vocab.setdefault("\u2205", len(vocab)) if empty is None else empty
                ids = [empty]
            lists.append(ids)
        model = bm25s.BM25()
        model.index((lists, vocab), show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), corpus=None, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        bm25s = _bm25s()
        # Memory-mapped: the score matrix is paged in as queries touch it, so loading costs no corpus-sized read.
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, mmap=True))

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in self._vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)


Tokenizer = Callable[[str], list[str]]
