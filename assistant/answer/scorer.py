"""Learned evidence scorer: a logistic model over the features the answerer computes, shipped as JSON weights.

The rule score of a sentence (answer/evidence.py) adds hand-set weights to word coverage, the passage's rank, the
kind of fact the question wants and a few structural bonuses; the sentence vectors add meaning. The learned scorer
reads the same parts plus the frozen e5 similarity and weighs them as eval/train_scorer.py learned from gold quotes.
Its probability also decides abstention (the weakest evidence an answer may rest on), with a threshold chosen on dev.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..textnorm import t2s
from .analyze import QuestionInfo
from .evidence import Sentence, has_type_evidence
from .model_file import load_or_none, logistic_dict, logistic_weights, read_json

log = logging.getLogger(__name__)

FORMAT = "assistant-evidence-scorer"
VERSION = 2
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "evidence_scorer.json"
# Shown to users (Chinese) when the model cannot be used; the answers then come from the rule scores.
FALLBACK_NOTICE = "证据评分模型无法加载，已改用规则评分。"
_WHAT = "evidence scorer file"

_FACT_TYPES = ("date", "duration", "number", "ratio")
_NUMBER_RE = re.compile(r"\d|[一二三四五六七八九十百千万两]+[个项家名人条次所种类成倍%]")
_HEADING_END = re.compile(r"[。；;！!？?…”」]$")

# Order matters: it is the order of the weights in the JSON file, which names them so a mismatch is caught.
FEATURES = (
    "coverage", "context_coverage", "coverage_gap", "covered_terms", "typed", "typed_fact", "prior", "first_chunk",
    "short", "caption", "who", "subject", "shift", "label", "defines", "has_number", "heading", "log_length",
    "echo", "similarity", "similarity_gap", "similarity_rank", "no_similarity",
    "doc_position", "doc_opening", "doc_length",
)
# A news page's opening sentence restates its headline and so shares the most words with any question about the
# page; where a sentence sits in its document lets the model learn how much that is worth (eval/README.md).
_OPENING_CHARS = 80


class ScorerError(ValueError):
    """A model file the answerer cannot use (missing, not JSON, another format or feature set)."""


def features(info: QuestionInfo, sentences: Sequence[Sentence], doc_lengths: Mapping[str, int] | None = None) -> np.ndarray:
    """One row per sentence, columns as FEATURES; score_sentences (and similarities) must have run.
    `doc_lengths` (characters per document id) gives the position features; without it they stay 0."""
    from .cut import echoes

    n = len(sentences)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x
    top_cov = max(s.coverage for s in sentences)
    sims = [s.similarity for s in sentences]
    known = sorted((v for v in sims if v is not None), reverse=True)
    top_sim = known[0] if known else 0.0
    n_terms = max(len(info.terms), 1)
    col = {name: i for i, name in enumerate(FEATURES)}
    for r, s in enumerate(sentences):
        p = s.parts
        text = s.text.strip()
        sim = s.similarity
        row = x[r]
        row[col["coverage"]] = s.coverage
        row[col["context_coverage"]] = s.context_coverage
        row[col["coverage_gap"]] = top_cov - s.coverage
        row[col["covered_terms"]] = len(s.covered) / n_terms
        row[col["typed"]] = float(s.typed)
        row[col["typed_fact"]] = float(s.typed and info.qtype in _FACT_TYPES)
        row[col["prior"]] = p.get("prior", 1.0 / (1.0 + 0.35 * (s.rank - 1)))
        row[col["first_chunk"]] = float(s.rank == 1)
        for name in ("short", "caption", "who", "subject", "shift", "label", "defines"):
            row[col[name]] = p.get(name, 0.0)
        row[col["has_number"]] = float(bool(_NUMBER_RE.search(t2s(text))) or has_type_evidence("ratio", text))
        row[col["heading"]] = float(not _HEADING_END.search(text))
        row[col["log_length"]] = math.log1p(len(text)) / 5.0
        row[col["echo"]] = float(echoes(text, info.simplified))
        if sim is None:
            row[col["no_similarity"]] = 1.0
        else:
            row[col["similarity"]] = sim
            row[col["similarity_gap"]] = top_sim - sim
            row[col["similarity_rank"]] = 1.0 / (1 + known.index(sim))
        length = (doc_lengths or {}).get(s.doc_id, 0)
        if length:
            row[col["doc_position"]] = min(s.start / length, 1.0)
            row[col["doc_opening"]] = float(s.start < _OPENING_CHARS)
            row[col["doc_length"]] = math.log1p(length) / 10.0
    return x


@dataclass(frozen=True)
class LearnedScorer:
    """Logistic model over FEATURES (standardised); `threshold` is the abstention floor on its probability.

    The sentence score the answerer works with is `scale * logit + offset`: the learned order, on the scale of the
    rule scores (fitted by least squares at training), so the selection of further sentences (a share of the best
    score) keeps the meaning it was tuned with. The probability itself decides abstention.

    >>> scorer = LearnedScorer.load()                        # doctest: +SKIP
    >>> ranked = scorer.rescore(info, ranked)                 # best first; s.prob and s.score set
    """

    coef: np.ndarray
    bias: float
    mean: np.ndarray
    std: np.ndarray
    threshold: float
    scale: float = 1.0
    offset: float = 0.0
    meta: dict | None = None

    # ---- loading ------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> "LearnedScorer":
        coef, bias, mean, std, threshold = logistic_weights(data, FORMAT, VERSION, FEATURES, ScorerError, _WHAT,
                                                            "eval/train_scorer.py")
        try:
            scale, offset = float(data.get("scale", 1.0)), float(data.get("offset", 0.0))
        except (TypeError, ValueError) as exc:
            raise ScorerError(f"{_WHAT} lacks or garbles a field ({type(exc).__name__}: {exc})") from exc
        if not scale > 0 or not math.isfinite(offset):
            raise ScorerError(f"{_WHAT} scale must be positive and its offset finite")
        return cls(coef, bias, mean, std, threshold, scale, offset, data.get("meta") or {})

    @classmethod
    def load(cls, path: str | Path | None = None) -> "LearnedScorer":
        return cls.from_dict(read_json(Path(path) if path else DEFAULT_PATH, ScorerError, _WHAT))

    def to_dict(self) -> dict[str, Any]:
        return {**logistic_dict(FORMAT, VERSION, FEATURES, self.coef, self.bias, self.mean, self.std, self.threshold),
                "scale": round(self.scale, 6), "offset": round(self.offset, 6), "meta": self.meta or {}}

    # ---- scoring ------------------------------------------------------------------------------
    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std) @ self.coef + self.bias

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(x), -40, 40)))

    def rescore(self, info: QuestionInfo, ranked: list[Sentence],
                doc_lengths: Mapping[str, int] | None = None) -> list[Sentence]:
        """Replace the rule scores with the learned ones, best first (ties keep the passage order)."""
        if not ranked:
            return ranked
        z = self.logits(features(info, ranked, doc_lengths))
        for s, v in zip(ranked, z):
            s.prob = float(1.0 / (1.0 + math.exp(-max(min(v, 40.0), -40.0))))
            s.score = self.scale * float(v) + self.offset
        return sorted(ranked, key=lambda x: (-x.score, x.rank, x.start))


def load_scorer(path: str | Path | None = None) -> tuple[LearnedScorer | None, str]:
    """(scorer, "") or (None, Chinese notice) with the reason logged: the answerer then uses the rule scores."""
    scorer = load_or_none(lambda: LearnedScorer.load(path), ScorerError, log, "learned evidence scorer",
                          "using the rule scores")
    return scorer, "" if scorer is not None else FALLBACK_NOTICE


def confidence(ranked: Sequence[Sentence], top: int = 5) -> float | None:
    """The learned probability of the best of the first sentences; None when they were not scored by the model."""
    probs = [s.prob for s in ranked[:top] if s.prob is not None]
    return max(probs) if probs else None


# ---- training (numpy only, deterministic) -------------------------------------------------------
def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, sample_weight: np.ndarray | None = None,
                 iterations: int = 50) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """(coef, bias, mean, std) of an L2-regularised logistic regression fitted by Newton's method on
    standardised features. Deterministic: the same data gives the same weights to the last bit on one machine."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std < 1e-9] = 1.0  # a constant feature carries no information; its weight stays at the prior 0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -40, 40)))
        grad = z.T @ (w * (p - y)) + reg * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(reg) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta[:-1], float(beta[-1]), mean, std


def fit_listwise(x: np.ndarray, y: np.ndarray, group: np.ndarray, l2: float = 1.0, iterations: int = 3000,
                 step: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(coef, mean, std) that rank each group's positives first: softmax over a question's candidates, the loss is
    minus the log of the positives' share (groups without a positive are left out). Full-batch gradient descent on
    standardised features, deterministic. The score has no bias (a shift does not change a ranking)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    group = np.asarray(group)
    has_pos = np.zeros(group.max() + 1 if len(group) else 0, dtype=bool)
    has_pos[group[y > 0]] = True
    keep = has_pos[group]
    x, y, group = x[keep], y[keep], group[keep]
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std < 1e-9] = 1.0
    z = (x - mean) / std
    # Rows of a group are contiguous after renumbering: reduceat sums each group.
    gid = np.unique(group, return_inverse=True)[1].reshape(-1)
    order = np.argsort(gid, kind="stable")
    z, y, gid = z[order], y[order], gid[order]
    starts = np.searchsorted(gid, np.arange(gid.max() + 1))
    n_groups = len(starts)
    beta = np.zeros(z.shape[1])
    for _ in range(iterations):
        s = z @ beta
        s = s - np.maximum.reduceat(s, starts)[gid]
        e = np.exp(s)
        p_all = e / np.add.reduceat(e, starts)[gid]
        ep = e * y
        p_pos = ep / np.add.reduceat(ep, starts)[gid]
        grad = z.T @ (p_all - p_pos) / n_groups + l2 * beta / n_groups
        beta -= step * grad
        if np.abs(grad).max() < 1e-7:
            break
    return beta, mean, std
