"""Rank fusion: reciprocal rank fusion and a weighted score blend."""
from __future__ import annotations

import numpy as np


def rrf(rankings: list[list[int]], k: int = 60, weights: list[float] | None = None) -> dict[int, float]:
    """Reciprocal rank fusion of several ranked id lists.

    >>> sorted(rrf([[1, 2], [2, 3]], k=1).items(), key=lambda kv: -kv[1])[0][0]
    2
    """
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for w, ranking in zip(weights, rankings):
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + w / (k + rank)
    return fused


def weighted(score_maps: list[dict[int, float]], weights: list[float]) -> dict[int, float]:
    """Min-max normalise each score map, then blend with weights.

    >>> sorted(weighted([{1: 2.0, 2: 1.0}, {2: 0.9}], [0.5, 0.5]).items())
    [(1, 0.5), (2, 0.5)]
    """
    fused: dict[int, float] = {}
    for w, scores in zip(weights, score_maps):
        if not scores:
            continue
        vals = np.array(list(scores.values()), dtype=np.float64)
        lo, hi = float(vals.min()), float(vals.max())
        for doc, s in scores.items():
            # All-equal scores (e.g. a single candidate) count fully rather than as the minimum.
            norm = (s - lo) / (hi - lo) if hi > lo else 1.0
            fused[doc] = fused.get(doc, 0.0) + w * norm
    return fused
