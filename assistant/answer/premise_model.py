"""A small logistic model over the claim features (premise_claim.py): whether to write a premise note, and the note."""
from __future__ import annotations

import json
import logging
import math
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from .evidence import Sentence
from .model_file import load_or_none
from .premise_acts import PremiseIssue
from .premise_claim import FEATURES, Alignment, claim_features, modal_differs

log = logging.getLogger(__name__)
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "premise_model.json"
# The aligned clause quoted in a note is cut to this length: enough to read the fact, not a paragraph.
_QUOTE_MAX = 60


def note_for(a: Alignment) -> str | None:
    """A note naming what differs, in the documents' words; None when nothing can be named (then no note at all:
    a vague note is worse than none)."""
    if a.conflicts:
        return "".join(f"文件写的是“{e}”，不是“{q}”。" for e, q in dict.fromkeys(a.conflicts))
    if a.replaced:
        return f"文件写的是“{a.replaced[0]}”，不是“{a.replaced[1]}”。"
    if a.swapped:
        return f"文件写的是“{a.swapped[0]}”，不是“{a.swapped[1]}”。"
    if a.antonym:
        return f"文件写的是“{a.antonym[0]}”，不是“{a.antonym[1]}”。"
    if a.neg_q != a.neg_e or modal_differs(a):
        quote = a.e_clause.strip(" ，,；;。")
        if len(quote) > _QUOTE_MAX:
            return None
        return f"文件的说法是“{quote}”，与问题中“{a.q_clause.strip(' ，,；;。')}”的说法不同。"
    return None


def contradicted_outright(a: Alignment) -> bool:
    """The aligned clause contradicts the claim in a way no true claim showed on any set read (eval/README.md,
    stop 31), whatever the linear model makes of the rest:
    - the question takes a figure for granted in a clause that asks nothing ("长照1.0是2010年推出的，为什么…") and
      the evidence clause gives a figure of the same kind instead, that one only (the model weighs a question that
      asks against a note, since most such questions assert nothing);
    - the evidence says the opposite of the claim's word ("涨了27%" / "降低了27%"), and not the word itself."""
    stated = a.conflict_stated and a.fig_matched and len(dict.fromkeys(a.conflicts)) == 1
    return stated or a.antonym is not None


class PremiseModel:
    """P(false premise) = sigmoid(w · features); a note is written at or above the threshold chosen on ext dev.

    >>> m = PremiseModel({"bias": -1.0, "fig_conflict": 3.0}, 0.5)
    >>> round(m.probability({"bias": 1.0, "fig_conflict": 1.0}), 3)
    0.881
    """

    def __init__(self, weights: dict[str, float], threshold: float, top: int = 4) -> None:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown premise features: {sorted(unknown)}")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be within [0, 1]")
        self.weights = {k: float(v) for k, v in weights.items()}
        self.threshold = threshold
        self.top = top

    @classmethod
    def from_dict(cls, d: dict) -> "PremiseModel":
        return cls(d["weights"], float(d["threshold"]), int(d.get("top", 4)))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "weights": self.weights, "threshold": self.threshold, "top": self.top}

    def probability(self, feats: dict[str, float]) -> float:
        z = sum(w * feats.get(k, 0.0) for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def flags(self, feats: dict[str, float], outright: bool) -> bool:
        """Whether a claim with these features is false: the model's probability reaches the threshold, or the
        aligned clause contradicts it outright (contradicted_outright). train_premise.py decides the same way."""
        return outright or self.probability(feats) >= self.threshold

    def check(self, simplified: str, ranked: Sequence[Sentence], is_term: Callable[[str], bool],
              antonyms: Sequence[tuple[str, str]] = (), cut: Callable[[str], list[str]] = list) -> PremiseIssue | None:
        """The issue to report, or None when the claim looks true or nothing that differs can be named. `cut`
        splits a text into words (Lexicon.words); the default, characters, aligns less well."""
        a, feats = claim_features(simplified, ranked, is_term, antonyms, self.top, cut)
        if a is None or not self.flags(feats, contradicted_outright(a)):
            return None
        note = note_for(a)
        return PremiseIssue(note, a.sentence) if note else None


def load(path: str | Path = DEFAULT_PATH) -> PremiseModel | None:
    """The model in `path`; None (logged, never raised) when it is missing or corrupt, so the rules answer alone."""
    return load_or_none(lambda: PremiseModel.from_dict(json.loads(Path(path).read_text(encoding="utf-8"))),
                        (OSError, ValueError, KeyError, TypeError), log, f"premise model {path}",
                        "the rule checks run alone")


@lru_cache(maxsize=1)
def default_model() -> PremiseModel | None:
    """The shipped model, loaded once on first use."""
    return load(DEFAULT_PATH)
