"""Split canonical text into chunks that follow the section structure and end at sentence ends."""
from __future__ import annotations

import re

from ..types import Chunk, DocRecord, content_hash
from .structure import Section, parse_sections

_SENTENCE_RE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[list[int]]:
    """Absolute [start, end] spans of the sentences in text[start:end], whitespace trimmed.

    >>> sentence_spans("甲。乙！\\n丙")
    [[0, 2], [2, 4], [5, 6]]
    """
    end = len(text) if end is None else end
    spans: list[list[int]] = []
    for m in _SENTENCE_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append([s, e])
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_heading_only(text: str, sections: list[Section]) -> list[Section]:
    """A heading with no body of its own (一、背景 followed by 1.…) joins its first child."""
    out: list[Section] = []
    pending: Section | None = None
    for sec in sections:
        if pending is not None:
            if pending.path and sec.path.startswith(pending.path + " > "):
                sec = Section(pending.start, sec.end, sec.path, sec.heading_end)
            else:  # the next heading is a sibling or an uncle: a chunk must not straddle two items
                out.append(pending)
            pending = None
        own = text[sec.start : sec.end].strip()
        bare = sec.heading_end > sec.start and "\n" not in own and not re.search(r"[。；！？!?;]", own)
        if bare and len(own) <= 40 and sec is not sections[-1]:
            pending = sec
            continue
        out.append(sec)
    if pending is not None:
        out.append(pending)
    return out


def _pack(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into pieces of at most `budget` characters."""
    spans = sentence_spans(text, start, end)
    pieces: list[tuple[int, int]] = []
    cur_s = cur_e = None
    for s, e in spans:
        if cur_s is None:
            cur_s, cur_e = s, e
        elif e - cur_s <= budget:
            cur_e = e
        else:
            pieces.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    if cur_s is not None:
        pieces.append((cur_s, cur_e))
    # A lone sentence far over budget (a list run together with commas) is cut at clause ends.
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        while e - s > 2 * budget:
            cut = max(text.rfind(p, s, s + budget) for p in "，、,")
            cut = cut + 1 if cut > s else s + budget
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


def page_at(doc: DocRecord, offset: int) -> int | None:
    for s, e, page in doc.pages:
        if s <= offset <= e:
            return page
    return None


def split_document(doc: DocRecord, budget: int) -> list[Chunk]:
    """Chunks of a document; `doc.sections` is filled as a side effect for `show` and the viewer."""
    text = doc.text
    sections = parse_sections(text)
    doc.sections = [[s.start, s.end, s.path] for s in sections]
    chunks: list[Chunk] = []
    for sec in _merge_heading_only(text, sections):
        s, e = _trim(text, sec.start, sec.end)
        if e <= s:
            continue
        pieces = [(s, e)] if e - s <= budget else _pack(text, s, e, budget)
        for ps, pe in pieces:
            ps, pe = _trim(text, ps, pe)
            if pe <= ps:
                continue
            body = text[ps:pe]
            chunks.append(
                Chunk(
                    id=content_hash(doc.doc_id, str(ps), body),
                    doc_id=doc.doc_id,
                    source=doc.source,
                    title=doc.title,
                    kind=doc.kind,
                    section=sec.path,
                    start=ps,
                    end=pe,
                    text=body,
                    sentences=sentence_spans(text, ps, pe),
                    region=doc.region,
                    date=doc.date,
                    page=page_at(doc, ps),
                )
            )
    return chunks
