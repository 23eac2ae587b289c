"""Compound questions: "几号开的？谁主持的？" asks two things, and the answer needs a sentence for each."""
from __future__ import annotations

import re
from typing import Callable, Sequence

from .analyze import number_form
from .evidence import Sentence

# A sub-question ends at a question mark; a clause before a comma stays with what it introduces.
_PART_END = re.compile(r"[？?]+")
_MIN_PART = 4  # "谁主持的" is a question of its own; "是吗" is not
_NOTE = re.compile(r"[（(][^（）()]*[）)][。.]?")  # a bracketed note after a question: "（竞争机制综述）"


def question_parts(question: str) -> list[str]:
    """The sub-questions of a question, in order; a single question gives one part.

    >>> question_parts("会议是几号开的？谁主持的？")
    ['会议是几号开的？', '谁主持的？']
    """
    parts, start = [], 0
    for m in _PART_END.finditer(question):
        parts.append(question[start : m.end()])
        start = m.end()
    if question[start:].strip():
        parts.append(question[start:])
    parts = [p.strip() for p in parts if p.strip()]
    # "（家庭医生竞争机制综述）" after the question names its source: a note on the part before, not a question.
    merged: list[str] = []
    for p in parts:
        if merged and _NOTE.fullmatch(p):
            merged[-1] += p
        else:
            merged.append(p)
    parts = merged
    kept = [p for p in parts if len(re.sub(r"[^\w]", "", p)) >= _MIN_PART]
    return kept if len(kept) > 1 else [question]

# Asks whose answer a sentence can show without sharing the ask's words: it states a date, a duration, a figure, a person.
_SLOT_QTYPES = frozenset({"date", "duration", "number", "ratio", "who"})


def states_asked(qtype: str, typed: bool, text: str) -> bool:
    """The sentence states the kind of fact a part asks (`typed`: it has evidence of the part's type), as a figure or
    a name: without the part's words only those show the answer ("定期" is no length of time).

    >>> states_asked("duration", True, "整个诊询过程持续40分钟"), states_asked("duration", True, "本该定期检查")
    (True, False)
    """
    return qtype in _SLOT_QTYPES and typed and (qtype == "who" or bool(re.search(r"\d", number_form(text))))


def sentences_for_parts(
    parts: list[str],
    ranked: list[Sentence],
    rank_for: Callable[[str], list[tuple[Sentence, float, float, bool]]],
    chosen: list[Sentence],
) -> list[Sentence]:
    """For each sub-question the chosen evidence does not already answer, its best sentence.

    `rank_for(part)` gives (sentence, score, coverage, typed) for the part, best first, over the same sentences as
    `ranked`; typed: the sentence states the kind of fact the part asks (a date, a duration, an amount…). A later part
    is often elliptical ("谁主持的？", "看了多长时间？"), so it is scored on its own words plus the whole question's
    score of the sentence, which keeps it on the question's topic; a sentence sharing none of its words may still
    answer it by stating what it asks ("整个诊询过程持续40分钟").
    """
    whole = {id(s): s.score for s in ranked}
    top_whole = max(whole.values(), default=1.0) or 1.0
    extra: list[Sentence] = []
    used: set[int] = set()  # sentences that answer an earlier part
    for part in parts:
        scored = rank_for(part)
        if not scored:
            continue
        best_part = scored[0][1]
        taken = {id(s) for s in [*chosen, *extra]}
        # Already answered: one of the chosen sentences is as good for this part as its best, by this part's words
        # or as no earlier part's answer ("多久到的？看了多长时间？": the arrival's 20分钟 is not the visit's length).
        done = next((s for s, score, cov, _ in scored if id(s) in taken and score >= 0.95 * best_part
                     and (cov > 0 or id(s) not in used)), None)
        if done is not None:
            used.add(id(done))
            continue
        pick = max(
            ((s, score + 0.5 * whole.get(id(s), 0.0) / top_whole) for s, score, cov, typed in scored
             if id(s) not in taken and (cov > 0 or typed)),
            key=lambda x: x[1], default=None)
        if pick is not None:
            extra.append(pick[0])
            used.add(id(pick[0]))
    return extra


def unfilled_parts(parts: Sequence[str], slot_misses: Callable[[str], list],
                   slot_asks: Callable[[str], list]) -> list[tuple[str, object]] | None:
    """(part, its first missing-slot check) for each part whose asked thing the evidence lacks; None unless some
    part asks a thing the checks know (a date, an amount, a person…) and the evidence gives it. A part whose ask
    no check knows ("什么职务？") answers nothing for certain, so it cannot carry the question alone.
    `slot_misses(part)`: the part's slot checks that fire on the evidence; `slot_asks(part)`: on no evidence.

    >>> unfilled_parts(["谁主刀的？", "哪天做的？"], lambda p: ["no_person"] if "谁" in p else [], lambda p: ["x"])
    [('谁主刀的？', 'no_person')]
    """
    missing, filled = [], False
    for part in parts:
        fired = slot_misses(part)
        if fired:
            missing.append((part, fired[0]))
        elif slot_asks(part):
            filled = True
    return missing if filled else None
