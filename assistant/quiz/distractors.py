"""Distractors: same-type values drawn from the corpus (other ratios, other departments) that the cited sentence does not state."""
from __future__ import annotations

import itertools
import math
import random

from ..answer.followup import find_entities
from ..store import IndexData
from ..textnorm import match_form, t2s
from .facts import Fact, canonical, extract_facts, org_core, same_org

_ENTITY_SHAPE = {"department": "dept", "institution": "inst"}


class DistractorPool:
    """Every value of every kind found in the corpus: where same-type distractors come from.

    >>> pool = DistractorPool(load_index("index"))                          # doctest: +SKIP
    >>> pool.others(fact, sentence, facts_in_sentence, random.Random(0))    # doctest: +SKIP
    ['4:3:3', '3:6:1', '1:3:6', ...]
    """

    def __init__(self, index: IndexData) -> None:
        self.values: dict[str, dict[str, tuple[str, str]]] = {}  # kind -> key -> (Simplified value, shape)
        self.corpus_forms = [match_form(d.text) for d in index.documents]
        docs = {d.doc_id: d for d in index.documents}
        for chunk in index.chunks:
            doc = docs.get(chunk.doc_id)
            for s, e in chunk.sentences if doc else ():
                for f in extract_facts(doc.text, s, e):
                    self._add(f.kind, f.key, t2s(f.value), f.shape)
        for doc in index.documents:
            # Named bodies in the corpus are plausible "who is responsible" distractors even when no sentence assigns them a duty.
            for cls, term in find_entities(doc.text):
                if cls in _ENTITY_SHAPE:
                    self._add("duty", canonical("duty", term), term, _ENTITY_SHAPE[cls])

    def _add(self, kind: str, key: str, value: str, shape: str) -> None:
        self.values.setdefault(kind, {}).setdefault(key, (value, shape))

    def others(self, f: Fact, sentence: str, facts_here: tuple[Fact, ...], rng: random.Random) -> list[str]:
        """Same-type values (Simplified) that are not the answer and not stated in the sentence, most similar first."""
        candidates = list(self.values.get(f.kind, {}).items())
        if f.kind == "ratio":
            for perm in sorted(set(itertools.permutations(f.key.split(":")))):
                # Reordered shares test whether the trainee knows who gets which share.
                candidates.append((":".join(perm), (":".join(perm), "perm")))
        scored: list[tuple[float, float, str]] = []
        seen: set[str] = set()
        for key, (value, shape) in candidates:
            if key == f.key or key in seen or _stated(f, sentence, facts_here, key, value):
                continue
            sim = _similarity(f, key, value, shape)
            if sim is None:
                continue
            seen.add(key)
            scored.append((-sim, rng.random(), value))
        out: list[str] = []
        for _, _, v in sorted(scored):
            # 区卫健部门 and 卫健部门 name one body; two options for it would confuse, not test.
            if f.kind != "duty" or not any(same_org(v, w) for w in out):
                out.append(v)
        return out

    def is_stated_anywhere(self, text: str) -> bool:
        """True when some document states text (a would-be false statement that is in fact true somewhere)."""
        form = match_form(text.removeprefix("……").removesuffix("……"))
        return any(form in corpus for corpus in self.corpus_forms)


def _stated(f: Fact, sentence: str, facts_here: tuple[Fact, ...], key: str, value: str) -> bool:
    """True when the sentence itself states this value, so it could not be a wrong option."""
    if f.kind == "duty":
        return (same_org(value, f.value) or org_core(value) in t2s(sentence)
                or any(same_org(value, g.value) for g in facts_here if g.kind == "duty"))
    if any(g.kind == f.kind and g.key == key for g in facts_here):
        return True
    return match_form(value) in match_form(sentence)


def _similarity(f: Fact, key: str, value: str, shape: str) -> float | None:
    """How plausible a value is as a stand-in for the fact; None when it is not of the same type."""
    if f.kind == "ratio":
        if shape == "perm":
            return 1.5
        return 2.0 if shape == f.shape else None
    if f.kind == "percent":
        a, b = _float(f.key), _float(key)
        return None if a is None or b is None else 1.0 - min(1.0, abs(a - b) / 50.0)
    if f.kind == "date":
        # Nearby dates make believable stand-ins; a start date moved after its end date would not.
        return None if shape != f.shape else 1.0 / (1.0 + abs(_day(f.key) - _day(key)) / 31.0)
    if f.kind == "quantity":
        if shape != f.shape:
            return None
        a, b = _float(f.key), _float(key)
        return 0.0 if a is None or b is None else 1.0 / (1.0 + abs(math.log1p(abs(a)) - math.log1p(abs(b))))
    if f.kind == "duty":
        if shape != f.shape:
            return None
        answer = t2s(f.value)
        return (1.0 if value[-2:] == answer[-2:] else 0.0) + (0.5 if len(value) == len(answer) else 0.0)
    if f.kind == "rule":
        answer = t2s(f.value)
        if len(value) != len(answer) and "、" not in answer:
            return None
        return 1.0 + 0.3 * len(set(value) & set(answer))
    return None


def believable_swap(f: Fact, value: str) -> bool:
    """A false statement should read like the rule it replaces: a slogan swapped for an unrelated one is a giveaway."""
    if f.kind != "rule":
        return True
    return len(set(t2s(value)) & set(t2s(f.value))) >= 2


def _day(key: str) -> float:
    """Approximate day number of a canonical date key (2020-4-29, 2019-12, 2018, --10-1)."""
    nums = [int(x) for x in key.strip("-").split("-") if x.isdigit()]
    if key.startswith("--"):
        nums = [0] + nums
    y, m, d = (nums + [1, 1, 1])[:3]
    return y * 372 + m * 31 + d


def _float(key: str) -> float | None:
    head = key.lstrip("-").split("-")[0].rstrip("%")
    digits = "".join(ch for ch in head if ch.isdigit() or ch == ".")
    try:
        return float(digits)
    except ValueError:
        return None
