"""The current rule first, then its history: answers about a rule the documents say was changed.

Change records come from the build (assistant/ingest/changes.py): a topic, the old value and the new one, each
with the sentence that states it. When a question is about such a topic, the answer leads with the sentence that
gives the current value and follows with the one that gave the value it replaced, each cited.

>>> history = ChangeHistory(records, lexicon)                         # doctest: +SKIP
>>> history.lead(info, chosen, ranked, docs)[0].text                  # doctest: +SKIP
'因此,新方案建议按省文件规定调整为6:3:1。'
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, Mapping, Sequence

from ..textnorm import match_form, t2s
from .analyze import QuestionInfo
from .evidence import Sentence

# Questions that ask for what a rule is (a value, a comparison of before and after), not why it changed or when.
_ASKS = ("fact", "ratio", "number", "comparison", "yesno")
# The questions that ask for a value of each kind: a ratio is asked with 比例/几成 (or compared), an amount with
# 多少, a rule that stopped ("不再作为…") with 是不是/还…吗.
_ASKS_FOR = {"ratio": ("ratio", "comparison", "number"), "amount": ("number", "comparison", "fact"),
             "text": ("yesno", "fact", "comparison")}
# A question about the earlier rule only ("原方案定的多少") wants that rule, not the current one.
_EARLIER = re.compile(r"原方案|原来|原先|当初|老方案|旧方案|以前|之前|过去|修订前|调整前|原文件|原规定|起初|最初|早先|省里|省定|省文件")
# "…的原因有何不同": a question about why, whatever its type, is answered by the reasons, not the values.
_REASON = re.compile(r"原因|为什么|为何|为啥|理由|考虑|考量|目的|初衷|依据")
_NOW = re.compile(r"现在|现行|目前|如今|新方案|新文件|修订后|调整后|改成|改为|改回|调回|后来|最新|前后|变化|新旧|这次|此次|(?<![实出表发体呈展显])现")


def _value_kind(value: str) -> str:
    """"ratio" (6:3:1, 95%), "amount" (600元, 4年) or "text" ("不再作为…")."""
    if re.search(r"\d\s*[:：∶]\s*\d|[%％]|^百分之", value):
        return "ratio"
    return "amount" if re.match(r"\d", value) else "text"


class ChangeHistory:
    """Finds the change record a question is about and orders its evidence: current value, then the old one."""

    def __init__(self, records: Sequence, lexicon, texts: Iterable[str] = (), min_share: float = 0.5,
                 counts: tuple[int, Mapping[str, int]] | None = None) -> None:
        if not 0 < min_share <= 1:
            raise ValueError("min_share must be within (0, 1]")
        self.records = list(records)
        self.lexicon = lexicon
        self.min_share = min_share
        self._topic_terms = [self._content(r.topic) for r in self.records]
        words = set().union(*self._topic_terms) if self._topic_terms else set()
        # How rare each topic word is among the corpus paragraphs: "医共体" and "医保" are in every other one,
        # "结余" and "包干" name the rule. `counts` are the build's paragraph counts (index tables); without them
        # they are counted here from `texts`, the documents' texts (a scan of the whole corpus at every load);
        # with neither every word weighs 1.
        if counts is None:
            paragraphs = [p for t in texts for p in t2s(t).split("\n") if p.strip()]
            counts = (len(paragraphs), {w: sum(w in p for p in paragraphs) for w in words})
        n, df = counts
        self._weight = {w: math.log((1 + n) / (1 + df.get(w, 0))) + 1.0 if n else 1.0 for w in words}
        # The words that tell one record's topic from the others' ("包干" against "结余"): a question must
        # name one of them when the topic has any.
        seen = Counter(t for terms in self._topic_terms for t in terms)
        self._keys = [{t for t in terms if seen[t] == 1} for terms in self._topic_terms]

    def _content(self, text: str) -> set[str]:
        """The topic's words, each once: search-mode compounds ("结余基金") and pieces that straddle two words
        ("配比" of 分配+比例) dropped, so a topic of six words counts six."""
        tokens = {t for t in self.lexicon.tokenize(t2s(text)) if len(t) > 1}
        parts = {t for t in tokens if not any(o != t and o in t for o in tokens)}
        return {t for t in parts if not (len(t) == 2 and any(
            u != t and v != t and u.endswith(t[0]) and v.startswith(t[1]) and u + v in t2s(text)
            for u in parts for v in parts))}

    def record_for(self, info: QuestionInfo, ranked: Sequence[Sentence]):
        """The record whose topic the question names (at least min_share of its words and two of them, and one
        of the words only its topic has), of a document among the best evidence; None when there is none or the
        question asks about the old rule or about a reason."""
        if info.qtype not in _ASKS or not self.records:
            return None
        simp = info.simplified
        if (_EARLIER.search(simp) and not _NOW.search(simp)) or _REASON.search(simp):
            return None
        asked = set(self.lexicon.expand_terms([t for t in info.terms if len(t) > 1])) | set(info.terms)
        near = {s.doc_id for s in ranked[:5]}
        best, best_score = None, (0, 0.0)
        for record, terms, keys in zip(self.records, self._topic_terms, self._keys):
            if record.new.doc_id not in near or not terms:
                continue
            if info.qtype not in _ASKS_FOR[_value_kind(record.new.value)]:
                continue  # "钱是怎么拨的" does not ask for the 结余 ratio
            named = {t for t in terms if t in asked or t in simp}
            # The telling words count only as the question writes them: "打包" is a synonym of "包干", but a
            # question about 打包 need not be about the 包干 ratio.
            told = len({t for t in keys if t in simp})
            share = len(named) / len(terms)
            weighted = sum(self._weight[t] for t in named) / sum(self._weight[t] for t in terms)
            score = (told, weighted)
            if (len(named) >= 2 and share >= self.min_share and weighted >= self.min_share and (told or not keys)
                    and score > best_score):
                best, best_score = record, score
        if best is None:
            return None
        form = match_form(simp)
        if match_form(best.old.value) in form and match_form(best.new.value) not in form:
            return None  # "按4:3:3分配的时候…": a question about the old value itself
        return best

    def lead(self, info: QuestionInfo, chosen: list[Sentence], ranked: Sequence[Sentence],
             docs: Mapping) -> list[Sentence] | None:
        """The chosen evidence reordered: the sentence stating the current value, the one stating the old value,
        then the best other sentence; None when no record applies."""
        record = self.record_for(info, ranked)
        if record is None:
            return None
        first = self._sentence(record.new, ranked, docs)
        then = self._sentence(record.old, ranked, docs)
        lead = [first] if (then.doc_id, then.start) == (first.doc_id, first.start) else [first, then]
        rest = [s for s in chosen if not any(s.doc_id == x.doc_id and s.start < x.end and x.start < s.end for x in lead)]
        return lead + rest[:1]

    @staticmethod
    def _sentence(span, ranked: Sequence[Sentence], docs: Mapping) -> Sentence:
        for s in ranked:
            if s.doc_id == span.doc_id and s.start == span.start:
                return s
        text = docs[span.doc_id].text
        rank = next((s.rank for s in ranked if s.doc_id == span.doc_id), 1)
        return Sentence(span.doc_id, span.start, span.end, text[span.start : span.end], rank, 0, "")
