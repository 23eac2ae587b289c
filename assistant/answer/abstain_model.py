"""Learned abstention: a logistic model that weighs the abstention checks' outcomes instead of letting any one veto.

answer/abstain.py reports every check that fired and graded measures of the evidence (abstain_signals). Under the
rules the first fired check declines; this model gives each check a weight learned from labelled questions
(eval/train_abstain.py), so a check that misfires on new documents loses weight instead of declining alone. The
reason shown to the asker is that of the fired check that pushed hardest towards declining.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .abstain import CHECK_IDS, WEAK, Check, Signals
from .model_file import load_or_none, logistic_dict, logistic_weights, read_json

log = logging.getLogger(__name__)

FORMAT = "assistant-abstain-model"
VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "abstain_model.json"
GRADED = ("strength", "scorer_confidence", "has_scorer_confidence", "best_coverage", "best_context_coverage",
          "relevant", "typed", "similarity", "has_similarity", "terms", "fact_question", "claims", "quoted", "regions",
          "yes_no", "uncovered", "uncovered_longest", "in_no_document")
# Order matters: it is the order of the weights in the JSON file, which names them so a mismatch is caught.
FEATURES = (*(f"fired:{c}" for c in CHECK_IDS), "fired_any", "fired_count", *GRADED)
_WEAK_WHY = "找到的段落不足以回答这个问题"
_WHAT = "abstention model file"


class AbstainModelError(ValueError):
    """A model file the answerer cannot use (missing, not JSON, another format or feature set)."""


def vector(signals: Signals) -> np.ndarray:
    """The signals as one row of FEATURES."""
    fired = {c.id for c in signals.fired}
    row = [float(c in fired) for c in CHECK_IDS]
    row += [float(bool(fired)), min(len(fired), 4) / 4]
    row += [float(signals.graded.get(g, 0.0)) for g in GRADED]
    return np.asarray(row, dtype=np.float64)


@dataclass(frozen=True)
class AbstainModel:
    """P(the documents do not answer) = logistic over standardised FEATURES; decline at or above `threshold`.

    >>> model = AbstainModel.load()                     # doctest: +SKIP
    >>> model.decide(signals)                           # a Check (why to decline) or None (answer)
    """

    coef: np.ndarray
    bias: float
    mean: np.ndarray
    std: np.ndarray
    threshold: float
    meta: dict | None = None

    @classmethod
    def from_dict(cls, data: Any) -> "AbstainModel":
        weights = logistic_weights(data, FORMAT, VERSION, FEATURES, AbstainModelError, _WHAT, "eval/train_abstain.py")
        return cls(*weights, data.get("meta") or {})

    @classmethod
    def load(cls, path: str | Path | None = None) -> "AbstainModel":
        return cls.from_dict(read_json(Path(path) if path else DEFAULT_PATH, AbstainModelError, _WHAT))

    def to_dict(self) -> dict[str, Any]:
        return {**logistic_dict(FORMAT, VERSION, FEATURES, self.coef, self.bias, self.mean, self.std, self.threshold),
                "meta": self.meta or {}}

    def probability(self, signals: Signals) -> float:
        """P(the evidence does not answer the question)."""
        z = float(((vector(signals) - self.mean) / self.std) @ self.coef + self.bias)
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def decide(self, signals: Signals) -> tuple[Check | None, float]:
        """(the check to decline with, or None to answer; P(not answered))."""
        p = self.probability(signals)
        if p < self.threshold:
            return None, p
        return self.strongest(signals, p), p

    def strongest(self, signals: Signals, p: float) -> Check:
        """The fired check whose weight pushes hardest towards declining; the weak-evidence reason when none does."""
        col = {name: i for i, name in enumerate(FEATURES)}
        pushes = [(self.coef[col[f"fired:{c.id}"]] / self.std[col[f"fired:{c.id}"]], c) for c in signals.fired]
        best = max(pushes, key=lambda t: t[0], default=None)
        if best is not None and best[0] > 0:
            return best[1]
        return Check("weak", f"{WEAK} (model {p:.2f})", _WEAK_WHY)


def load_model(path: str | Path | None = None) -> AbstainModel | None:
    """The model, or None with the reason logged: the answerer then declines by the rules."""
    return load_or_none(lambda: AbstainModel.load(path), AbstainModelError, log, "learned abstention model",
                        "declining by the rules")


class Abstainer:
    """The configured decision: `rules` (the first fired check declines) or `learned` (the model, loaded on first
    use from `path` or the bundled file; a file that cannot be used leaves the rules, logged, never a traceback)."""

    def __init__(self, mode: str = "rules", path: str | Path | None = None) -> None:
        if mode not in ("rules", "learned"):
            raise ValueError(f"abstainer must be rules or learned, got {mode!r}")
        self.mode = mode
        self.path = path or None
        self._model: AbstainModel | None = None
        self._tried = False

    def model(self) -> AbstainModel | None:
        if self.mode != "learned":
            return None
        if not self._tried:
            self._tried = True
            self._model = load_model(self.path)
        return self._model

    def decide(self, signals: Signals, sure: float | None) -> tuple[Check | None, float | None, str]:
        """(the check to decline with or None, the confidence to record, the gate: floor | check)."""
        model = self.model()
        if model is None:
            check = signals.first()
            return check, sure, "floor" if check is not None and check.id == "weak" else "check"
        check, p = model.decide(signals)
        # The confidence recorded is the model's P(answered): the eval report's curve (1 - p < t) is then its own.
        return check, 1.0 - p, "floor"
