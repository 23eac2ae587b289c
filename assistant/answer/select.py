"""Which sentences make an answer: the best one, then those the kind of question needs, then those that add asked words."""
from __future__ import annotations

import re
from typing import Callable, Mapping

from ..textnorm import t2s
from .analyze import QuestionInfo
from .cut import echoes
from .evidence import SHIFT_ASK, Sentence, has_type_evidence
from .focus import wants_each_side

_JOIN, _JOIN_AFTER_ECHO = 0.42, 0.55
# Questions whose answer is several things (items, sides, reasons, steps) may take up to max_sentences; others two.
_LIST_TYPES = ("list", "comparison", "why", "how", "definition")


def select_sentences(info: QuestionInfo, ranked: list[Sentence], pointed: list[str], *, max_sentences: int,
                     best_for: Callable[[str, list[Sentence]], Sentence | None], first: Sentence | None = None,
                     sides: Mapping[str, str] | None = None) -> list[Sentence]:
    """The sentences an answer is made of, best first: the best one (or `first`, the sentence a premise issue
    rests on), then what the question's kind needs (the reason beside it, the other side of a comparison, the
    sentence with the asked fact, a label) and further sentences that add asked words, up to `max_sentences`
    or the question's own count. `best_for(part, sentences)` ranks sentences for one side of a comparison.
    """
    sides = sides or {}
    chosen = [first] if first is not None else []
    pool = [s for s in ranked if s is not first]
    if not chosen:
        chosen.append(pool.pop(0))
    want = max_sentences if info.qtype in _LIST_TYPES else 2
    if info.qtype == "why" and first is None:
        # The sentence that names what happened often leaves the reason to its neighbour ("综合考虑,暂不
        # 调整" after "加之…年中开诊"; "原方案修改为4:3:3" before "从实际运行情况看,…亏空严重").
        reason = _reason_neighbour(chosen[0], pool)
        if reason is not None:
            pool.remove(reason)
            chosen = [reason, chosen[0]] if reason.start < chosen[0].start else [chosen[0], reason]
    if first is None and re.search(r"[；;：:]$", chosen[0].text.strip()) and len(chosen[0].text.strip()) > 20:
        # "市辖区根据现有条件比照推行;" leaves the rest of the thought to the next sentence of its paragraph; a
        # list's items run on, clause after clause ("…新问题：部分低价普药消失；多数地方…降价；部分地方…").
        runs = want if info.qtype in _LIST_TYPES else 1
        while runs > 0 and re.search(r"[；;：:]$", chosen[-1].text.strip()):
            cont = next((n for n in pool if n.doc_id == chosen[-1].doc_id and 0 <= n.start - chosen[-1].end <= 1), None)
            if cont is None:
                break
            pool.remove(cont)
            chosen.append(cont)
            runs -= 1
    covered = set().union(*(s.covered for s in chosen))
    best_score = chosen[0].score
    # A comparison, or a question about each of several things ("人员管理和财务管理各要求…"), needs every
    # side, and the later sides share fewer words with the question; a second source usually lives in
    # another document.
    multi = wants_each_side(info.simplified)
    # A second sentence joins at 42% of the best score (0.75, then 0.55 before: measured on the seed sets, then on
    # ext train, eval/README.md): the sentence right after the best one often carries the fact. Not when the best
    # one only repeats the question ("要明确路线图,打好组合拳"): weaker sentences would hide that nothing answers.
    ratio = 0.5 if multi else (_JOIN_AFTER_ECHO if echoes(chosen[0].text, info.simplified) else _JOIN)
    if multi:
        want = max(want, max_sentences)
    if len(pointed) >= 2 and first is None:
        # "讲话…和准格尔旗…", "秦永方说的…和裕安区…": one side from each document the question points at,
        # the best sentence there for that side's own words when the question has two sides.
        chosen = []
        for doc_id in (list(sides) or pointed[:3]):
            side = best_for(sides[doc_id], [s for s in ranked if s.doc_id == doc_id]) if sides else None
            side = side or next((s for s in ranked if s.doc_id == doc_id), None)
            if side is not None:
                chosen.append(side)
        chosen = chosen or [ranked[0]]
        pool = [s for s in ranked if all(s is not c for c in chosen)]
        want = max(want, len(chosen))
    elif info.qtype == "comparison":
        other = next((s for s in pool if s.doc_id != chosen[0].doc_id and s.score >= 0.5 * best_score), None)
        named_docs = {s.doc_id for s in pool[:6]} | {chosen[0].doc_id}
        if other is not None and len(named_docs) > 1 and other.covered - chosen[0].covered:
            chosen.append(other)
            pool.remove(other)
    shift = bool(SHIFT_ASK.search(info.simplified))
    if (info.qtype in ("date", "duration", "number", "ratio") or shift) and not any(s.typed for s in chosen):
        # "32号文件是哪天发布的" led by the sentence citing it, which gives no date: the best sentence that
        # gives one comes next ("从哪头转到哪头": the one stating a shift, which shares fewer words).
        fact = next((s for s in pool if s.typed and s.score >= (0.3 if shift else 0.4) * best_score), None)
        if fact is not None:
            pool.remove(fact)
            chosen.append(fact)
    if info.wants_label and not any(s.typed for s in chosen):
        # "扮演什么角色": the sentence with the quoted phrase comes next, ahead of more of the same words.
        label = next((s for s in pool if s.typed and s.score >= ratio * best_score), None)
        if label is not None:
            pool.remove(label)
            chosen.append(label)
    for s in pool:
        if len(chosen) >= want:
            break
        new_terms = s.covered - covered
        adds_fact = info.qtype in ("comparison", "list") and s.typed and s.doc_id == chosen[0].doc_id
        if s.score >= ratio * best_score and (new_terms or adds_fact) and s.score >= 0.4:
            chosen.append(s)
            covered |= s.covered
    return chosen


_CONCLUSION_RE = re.compile(r"^(?:因此|所以|综合考虑|为此|鉴于此|基于此|综上|故)")
_REASON_OPENING_RE = re.compile(r"^(?:加之|由于|因为|鉴于|原因是|从实际|主要是|究其原因)")


def _reason_neighbour(s: Sentence, pool: list[Sentence]) -> Sentence | None:
    """The adjacent sentence of the same paragraph that gives the reason for s, if one does."""
    prev = next((p for p in pool if p.doc_id == s.doc_id and 0 <= s.start - p.end <= 1), None)
    nxt = next((n for n in pool if n.doc_id == s.doc_id and 0 <= n.start - s.end <= 1), None)
    if prev is not None and _CONCLUSION_RE.match(t2s(s.text)):
        return prev
    for cand in (nxt, prev):
        if cand is not None and (_REASON_OPENING_RE.match(t2s(cand.text)) or has_type_evidence("why", cand.text)):
            return cand
    return None
