"""Per-question outcomes and their aggregates: retrieval recall/MRR, answer accuracy, grounding, abstention, latency."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ..ingest.latex import unwrap_math
from ..textnorm import match_form, t2s

KS = (1, 2, 3, 4, 5)
HEADLINE_KS = (1, 3, 5)
# Facts must appear early: a reader stops at the first screenful, not at the end of a long extract.
ACCURACY_WINDOW = 300
HEADLINE_TAGS = ("paraphrase", "traditional")
_MARKER_RE = re.compile(r"\[\d+\]")
# List numbering ("1." "2、" "（3）") is layout, not a figure the reader must be able to verify.
_ENUM_RE = re.compile(r"(?m)^\s*\d{1,2}[.、．)）](?!\d)|[（(]\d{1,2}[)）]")


@dataclass(frozen=True)
class Span:
    """A [start, end) range of a document's canonical text."""

    source: str
    start: int
    end: int

    def overlaps(self, other: "Span") -> bool:
        return self.source == other.source and self.start < other.end and other.start < self.end


_COLONS = str.maketrans({"：": ":", "∶": ":", "﹕": ":"})


def _char_form(ch: str) -> str:
    """match_form of one character (kept in step with textnorm.match_form)."""
    return unicodedata.normalize("NFKC", ch).translate(_COLONS).lower()


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """match_form of text, character by character, with the original offset of every output character."""
    simplified = t2s(text)
    if len(simplified) != len(text):  # phrase conversion changed lengths: fall back to one character at a time
        simplified = "".join(t2s(ch) or ch for ch in text)
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(simplified):
        if ch.isspace():
            continue
        for piece in _char_form(ch):
            if not piece.isspace():
                out.append(piece)
                offsets.append(i)
    return "".join(out), offsets


class SpanLocator:
    """Finds quotes in documents: exactly first, then tolerant of Traditional/width/colon/space differences.

    >>> loc = SpanLocator({"a.txt": "比例为 6：3：1。"})
    >>> loc.find("a.txt", "6:3:1")
    Span(source='a.txt', start=4, end=9)
    """

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = dict(texts)
        self._norm: dict[str, tuple[str, list[int]]] = {}

    @classmethod
    def from_index(cls, index_data) -> "SpanLocator":
        return cls({d.source: d.text for d in index_data.documents})

    def find_all(self, source: str, quote: str) -> list[Span]:
        """Every occurrence (a heading repeated in an outline is as good a place as the heading itself)."""
        text = self.texts.get(source)
        if text is None or not quote:
            return []
        spans = []
        i = text.find(quote)
        while i >= 0:
            spans.append(Span(source, i, i + len(quote)))
            i = text.find(quote, i + 1)
        if spans:
            return spans
        if source not in self._norm:
            self._norm[source] = _normalised_with_offsets(text)
        norm, offsets = self._norm[source]
        # Quotes copied from a converter's Markdown keep its inline math ("$1 1 . 5 \\%$"); the documents read it back.
        needle = _normalised_with_offsets(unwrap_math(quote)[0])[0]
        j = norm.find(needle) if needle else -1
        while j >= 0:
            spans.append(Span(source, offsets[j], offsets[j + len(needle) - 1] + 1))
            j = norm.find(needle, j + 1)
        return spans

    def find(self, source: str, quote: str) -> Span | None:
        spans = self.find_all(source, quote)
        return spans[0] if spans else None

    def gold_spans(self, gold: Iterable[Any]) -> list[list[Span]]:
        """For each locatable gold quote, all its occurrences (unlocatable quotes are reported by the checker)."""
        found = [self.find_all(g.source, g.quote) for g in gold]
        return [spans for spans in found if spans]


def _covers(span: Span, occurrences: Sequence[Span]) -> bool:
    return any(span.overlaps(o) for o in occurrences)


def retrieval_outcome(retrieved: Sequence[Span], gold: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Rank of the first hit overlapping a gold quote, and recall@k = share of gold quotes covered by the top k.

    gold holds, per quote, the spans of all its occurrences; overlapping any of them counts.
    """
    if not gold:
        return {}
    rank = next((r for r, h in enumerate(retrieved, start=1) if any(_covers(h, g) for g in gold)), None)
    recall = {}
    for k in KS:
        top = retrieved[:k]
        recall[str(k)] = sum(1 for g in gold if any(_covers(h, g) for h in top)) / len(gold)
    return {"rank": rank, "recall": recall}


def strip_markers(answer: str) -> str:
    return _MARKER_RE.sub("", answer or "")


def satisfies(groups: Sequence[Sequence[str]], text: str) -> bool:
    """Every group has at least one acceptable string in the text (compared in match_form)."""
    # Spaces do not count: "500 万" and "1 . 8 3 5" (a converter's) are the answer's "500万" and "1.835".
    norm = re.sub(r"\s+", "", match_form(text))
    return all(any(re.sub(r"\s+", "", match_form(s)) in norm for s in group) for group in groups)


_CN_DIGITS = "零〇一二两三四五六七八九十百千万点"
_NUMBER_RE = re.compile(
    r"\d+(?:\.\d+)?(?::\d+(?:\.\d+)?)+"  # ratios 6:3:1 (after match_form every colon is ASCII)
    rf"|\d+(?:\.\d+)?%|百分之[{_CN_DIGITS}]+"  # percentages
    rf"|[{_CN_DIGITS}]+成"  # 三成
    r"|\d+(?:\.\d+)?"  # any other figure: counts, years, amounts
)


def numbers_in(text: str) -> set[str]:
    """Numbers, ratios and percentages of a text, in match_form.

    >>> sorted(numbers_in("1. 按6：3：1分配，占30%，第2年"))
    ['2', '30%', '6:3:1']
    """
    return set(_NUMBER_RE.findall(match_form(_ENUM_RE.sub(" ", text))))


def answer_outcome(
    question: Any, answer: str, abstained: bool, citations: Sequence[Span], quotes: Sequence[str],
    premise_note: str | None, gold: Sequence[Sequence[Span]],
) -> dict[str, Any]:
    """Judgements of one answer; a judgement that does not apply to the question is None."""
    body = strip_markers(answer)
    groups = question.must_include
    out: dict[str, Any] = {"length": len(body)}
    answerable = question.answerable
    out["accurate"] = satisfies(groups, body[:ACCURACY_WINDOW]) and not abstained if answerable and groups else None
    out["accurate_any"] = satisfies(groups, body) and not abstained if answerable and groups else None
    out["gold_cited"] = any(_covers(c, g) for c in citations for g in gold) if answerable and gold else None
    figures = numbers_in(body)
    if figures and not abstained:
        cited = set().union(*(numbers_in(q) for q in quotes)) if quotes else set()
        out["numbers_grounded"] = figures <= cited
        out["ungrounded_numbers"] = sorted(figures - cited)
    else:
        out["numbers_grounded"] = None
    if question.category == "false_premise" and answerable:
        out["premise_corrected"] = bool(premise_note) and satisfies(groups, f"{body}{premise_note or ''}")
        out["premise_false_alarm"] = None
    else:
        out["premise_corrected"] = None
        # A "correction" of a question whose premise is sound: the worst way to be wrong, so it is counted apart.
        out["premise_false_alarm"] = bool(premise_note) and not abstained
    return out


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100); None for no values."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    if len(vals) == 1:
        return float(vals[0])
    pos = (len(vals) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return float(vals[lo] + (vals[hi] - vals[lo]) * (pos - lo))


def _mean(values: Iterable[Any]) -> tuple[float | None, int]:
    vals = [float(v) for v in values if v is not None]
    return (sum(vals) / len(vals) if vals else None), len(vals)


def retrieval_summary(outcomes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Recall@k and MRR@5 over outcomes that have gold spans."""
    judged = [o["retrieval"] for o in outcomes if o.get("retrieval")]
    out: dict[str, Any] = {"n": len(judged)}
    for k in KS:
        out[f"recall@{k}"] = _mean(r["recall"][str(k)] for r in judged)[0]
    out["mrr"] = _mean((1.0 / r["rank"]) if r["rank"] else 0.0 for r in judged)[0]
    return out


def answer_summary(questions: Sequence[Any], outcomes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Answer-level rates with the number of questions each is computed over."""
    out: dict[str, Any] = {}
    for key in ("accurate", "accurate_any", "gold_cited", "numbers_grounded", "premise_corrected", "premise_false_alarm"):
        out[key], out[f"n_{key}"] = _mean(o.get(key) for o in outcomes)
    answered = [(q, o) for q, o in zip(questions, outcomes) if "abstained" in o]
    out["abstention"], out["n_abstention"] = _mean(o["abstained"] for q, o in answered if q.answerable is False)
    out["false_abstention"], out["n_false_abstention"] = _mean(o["abstained"] for q, o in answered if q.answerable)
    lengths = [o["length"] for o in outcomes if o.get("length") is not None]
    out["length_p50"] = percentile(lengths, 50)
    out["length_p90"] = percentile(lengths, 90)
    return out


def latency_summary(outcomes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    out = {}
    for key in ("search_ms", "ask_ms"):
        vals = [o[key] for o in outcomes if o.get(key) is not None]
        out[f"{key[:-3]}_p50_ms"] = percentile(vals, 50)
        out[f"{key[:-3]}_p95_ms"] = percentile(vals, 95)
    return out


def summarize(questions: Sequence[Any], outcomes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Everything the report shows for one configuration: overall, per category and per tag."""
    pairs = list(zip(questions, outcomes))
    categories = sorted({q.category for q in questions})
    tags = sorted({t for q in questions for t in q.tags})

    def subset(pred) -> tuple[list[Any], list[Mapping[str, Any]]]:
        chosen = [(q, o) for q, o in pairs if pred(q)]
        return [q for q, _ in chosen], [o for _, o in chosen]

    by_category, by_tag = {}, {}
    for c in categories:
        qs, os_ = subset(lambda q, c=c: q.category == c)
        by_category[c] = {"n": len(qs), "retrieval": retrieval_summary(os_), "answers": answer_summary(qs, os_)}
    for t in tags:
        qs, os_ = subset(lambda q, t=t: t in q.tags)
        by_tag[t] = {"n": len(qs), "retrieval": retrieval_summary(os_), "answers": answer_summary(qs, os_)}
    errors = sum(1 for o in outcomes if o.get("error"))
    return {
        "n": len(questions),
        "errors": errors,
        "retrieval": retrieval_summary(outcomes),
        "answers": answer_summary(questions, outcomes),
        "latency": latency_summary(outcomes),
        "by_category": by_category,
        "by_tag": by_tag,
    }
