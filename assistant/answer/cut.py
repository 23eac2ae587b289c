"""Cutting evidence into answer pieces: a verbatim piece of a long sentence, the figures a piece states, and
whether a sentence only repeats the question."""
from __future__ import annotations

import re

from ..textnorm import match_form, t2s
from .analyze import QuestionInfo
from .evidence import COUNTED_LEAD, Sentence, char_pairs, has_type_evidence

# After a comma or semicolon, or a colon that is not inside a ratio ("6:3:1" stays whole).
_CLAUSE_SPLIT = re.compile(r"(?<=[，,；;])|(?<=[^0-9][：:])")


def trim(info: QuestionInfo, s: Sentence, budget: int) -> str:
    """A verbatim piece of the sentence: whole when short, else the clauses around the best match."""
    if len(s.text) <= budget:
        return s.text
    clauses = [c for c in _CLAUSE_SPLIT.split(s.text) if c]
    scores = []
    for c in clauses:
        simp = t2s(c)
        hit = sum(1 for t in info.terms if t in simp)
        scores.append(hit + (1 if has_type_evidence(info.qtype, c) else 0))
    best_i = max(range(len(clauses)), key=lambda i: (scores[i], -i))
    # "从四个方面:整合资源,构建体系,…": the items follow their count, so the cut grows forward from it.
    lead = next((i for i, c in enumerate(clauses) if COUNTED_LEAD.search(t2s(c))), None)
    forward = info.qtype == "list" and lead is not None
    best_i = lead if forward else best_i
    lo = hi = best_i
    text = clauses[best_i]
    while True:
        grew = False
        for j in ((hi + 1,) if forward and hi + 1 < len(clauses) and len(text) + len(clauses[hi + 1]) <= budget
                  else (hi + 1, lo - 1)):
            if 0 <= j < len(clauses) and len(text) + len(clauses[j]) <= budget:
                if j > hi:
                    hi, text = j, text + clauses[j]
                else:
                    lo, text = j, clauses[j] + text
                grew = True
        if not grew:
            break
    prefix = "……" if lo > 0 else ""
    suffix = "……" if hi < len(clauses) - 1 else ""
    return prefix + text.rstrip("，,；;") + suffix


def echoes(text: str, simplified_question: str) -> bool:
    """The sentence says nothing the question does not: at most two of its character pairs are new."""
    own = {p for p in char_pairs(re.sub(r"[^\u4e00-\u9fff]", "", t2s(text)))}
    asked = char_pairs(re.sub(r"[^\u4e00-\u9fff]", "", simplified_question))
    return len(own - asked) <= 2


_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?(?:[:：∶]\d+(?:\.\d+)?)*\s*[%％]?")


def figures(text: str) -> set[str]:
    """Whole numbers, ratios and percentages of a text, in one normal form."""
    return {match_form(m.group(0)) for m in _FIGURE_RE.finditer(text)}

