"""The extractive answer's text: chosen sentences as a cited answer, or the abstention, in the asker's script."""
from __future__ import annotations

from typing import Mapping, Sequence

from ..textnorm import is_traditional, s2t, t2s
from ..types import DocRecord, Hit
from .analyze import QuestionInfo
from .cut import figures, trim
from .evidence import Sentence
from .outline import strip_heading_number
from .types import Answer, Citation

ABSTAIN_TEXT = "现有文件中没有找到能回答这个问题的内容。"


def compose(question: str, info: QuestionInfo, chosen: list[Sentence], docs: Mapping[str, DocRecord], trad: bool,
            max_chars: int) -> Answer:
    """The answer: each chosen sentence, trimmed to its share of `max_chars`, followed by its [n] citation."""
    citations: list[Citation] = []
    parts: list[str] = []
    budget = max_chars
    seen: list[tuple[str, int, int]] = []
    unique = []
    for s in chosen:  # the same span reached twice (as evidence and as a heading's body) is cited once
        if any(d == s.doc_id and s.start < e and b < s.end for d, b, e in seen):
            continue
        seen.append((s.doc_id, s.start, s.end))
        unique.append(s)
    chosen = unique
    remaining = budget
    for i, s in enumerate(chosen):
        doc = docs[s.doc_id]
        # The best evidence comes first and may use what the others leave it; the rest share what is left.
        left = len(chosen) - i - 1
        per = max(80, remaining - 80 * left if i == 0 else remaining // (left + 1))
        chunk_section = next((p for a, b, p in doc.sections if a <= s.start < b), "")
        n = len(citations) + 1
        citations.append(Citation(n, doc.source, doc.title, chunk_section, s.text, s.start, s.end, doc.doc_id))
        piece = trim(info, s, per)
        if not figures(piece) <= figures(s.text):
            piece = s.text  # a cut never leaves a figure the quote does not state ("6:3" of "6:3:1")
        piece = strip_heading_number(piece)
        remaining -= len(piece)
        parts.append(f"{in_script(piece, trad)}[{n}]")
    return Answer(question=question, answer="".join(parts), abstained=False, citations=citations, qtype=info.qtype)


def abstention(question: str, hits: Sequence[Hit], info: QuestionInfo | None, trad: bool, sure: float | None = None,
               gate: str = "check", notice: str = "", why: str = "") -> Answer:
    """The answer that says the documents do not answer (and `why`, when a check found what is missing), with the
    best three hits as related reading."""
    related = []
    for h in hits[:3]:
        c = h.chunk
        related.append({"source": c.source, "title": c.title, "section": c.section})
    return Answer(
        question=question,
        answer=in_script(ABSTAIN_TEXT + (f"原因：{why}。" if why else ""), trad),
        abstained=True,
        related=related,
        qtype=info.qtype if info else "",
        confidence=sure,
        gate=gate,
        notices=[notice] if notice else [],
    )


def in_script(text: str, trad: bool) -> str:
    """The text in Traditional characters when `trad`, else in Simplified."""
    if trad and is_traditional(text):
        # Already Traditional: converting again can alter the source ("包干" -> "包乾") and part from the quote.
        return text
    return s2t(text) if trad else t2s(text)
