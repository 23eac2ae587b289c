"""Cleaning by general rules: corrections, web chrome, spam lines, broken lines; yields the canonical text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from ..textnorm import CJK, cjk_count, t2s
from .structure import heading_kind

_PUNCT = "，。、；：！？,;:!?"
_SENT_FINAL = tuple("。！？；：…!?;:”’」』）)】》")
_STRAY_SPACE = re.compile(rf"(?<=[{CJK}，。、；：！？“”《》（）])[ \t]+(?=[{CJK}，。、；：！？“”《》（）])")
_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_SEGMENT_SPLIT = re.compile(r"\s*[-_|｜]\s*")


def _data_lines(name: str) -> list[str]:
    text = resources.files("assistant.data").joinpath(name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def chrome_rules() -> list[tuple[re.Pattern[str], int]]:
    rules = []
    for line in _data_lines("chrome_patterns.txt"):
        pattern, _, opt = line.partition("\t")
        limit = int(opt.split("=", 1)[1]) if opt.startswith("max=") else 10**9
        rules.append((re.compile(pattern, re.IGNORECASE), limit))
    return rules


@lru_cache(maxsize=1)
def trailing_markers() -> frozenset[str]:
    return frozenset(_data_lines("trailing_markers.txt"))


@lru_cache(maxsize=1)
def spam_words() -> tuple[str, ...]:
    return tuple(_data_lines("spam_words.txt"))


@dataclass
class Correction:
    """A per-source replacement rule from the corpus manifest (data, not code)."""

    find: str
    replace: str
    reason: str = ""
    regex: bool = False

    def apply(self, line: str) -> tuple[str, int]:
        if self.regex:
            return re.subn(self.find, self.replace, line)
        n = line.count(self.find)
        return (line.replace(self.find, self.replace), n) if n else (line, 0)


@dataclass
class Cleaned:
    text: str
    pages: list[list[int]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    date_hint: str = ""


def chrome_reason(line: str) -> str | None:
    """Why a line is web chrome or spam, or None when it is text."""
    simp = t2s(line)
    for pattern, limit in chrome_rules():
        if len(simp) <= limit and pattern.search(simp):
            return "chrome"
    words = [w for w in spam_words() if w in simp]
    segments = [s for s in _SEGMENT_SPLIT.split(simp) if s]
    title_list = len(segments) >= 3 and not re.search(r"[，。；！？]", simp) and max(map(len, segments)) <= 30
    if len(set(words)) >= 2 or (words and title_list):
        return "spam"
    return None


def _is_prose(line: str) -> bool:
    return cjk_count(line) >= 20 and any(p in line for p in "，。,")


def _should_join(prev: str, nxt: str, blank_between: int) -> bool:
    """A line broken mid-sentence: prose that stops without final punctuation, continued by text."""
    if blank_between > 1 or not prev or not nxt:
        return False
    if prev.endswith(_SENT_FINAL) or not _is_prose(prev) or len(prev) < 15:
        return False
    if heading_kind(nxt) or heading_kind(prev) == "bracket_title":
        return False
    if heading_kind(prev) and not re.search(r"[。！？；]", prev):
        return False  # a heading line that happens to contain commas
    return bool(re.match(rf"[{CJK}\d“]", nxt))


def clean_lines(
    lines: list[str], line_pages: Iterable[int] | None = None, corrections: Iterable[Correction] = ()
) -> Cleaned:
    """Clean raw lines into canonical text; the text keeps the original characters (no t2s)."""
    pages = list(line_pages or [])
    corrections = list(corrections)
    applied = {id(c): 0 for c in corrections}
    dropped: dict[str, int] = {}
    date_hint = ""
    kept: list[tuple[str, int, int]] = []  # (line, page, blank lines before)
    blank = 0
    markers = trailing_markers()
    for i, raw in enumerate(lines):
        line = raw.replace("\u3000", " ").replace("\xa0", " ").replace("\ufeff", "").strip()
        for c in corrections:
            line, n = c.apply(line)
            applied[id(c)] += n
        line = _STRAY_SPACE.sub("", line).strip()
        if not line:
            blank += 1
            continue
        if not date_hint and (m := _DATE_RE.search(line)) and len(line) <= 80:
            date_hint = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        if t2s(line) in markers and kept:
            dropped["related_links"] = dropped.get("related_links", 0) + len(lines) - i
            break
        reason = chrome_reason(line)
        if reason:
            dropped[reason] = dropped.get(reason, 0) + 1
            continue
        kept.append((line, pages[i] if i < len(pages) else 0, blank))
        blank = 0
    # Short label-like lines before the first and after the last paragraph of prose are site chrome
    # (menus, buttons, channel names); the document title survives because it precedes prose directly
    # or is long enough.
    prose = [j for j, (ln, _, _) in enumerate(kept) if _is_prose(ln)]
    if prose:
        first, last = prose[0], prose[-1]
        keep_idx = []
        for j, (ln, _, _) in enumerate(kept):
            edge = j < first - 1 or j > last
            if edge and len(ln) <= 12 and not heading_kind(ln) and not re.search(r"[，。；！？]", ln):
                dropped["chrome"] = dropped.get("chrome", 0) + 1
                continue
            keep_idx.append(j)
        kept = [kept[j] for j in keep_idx]
    paragraphs: list[tuple[str, int]] = []
    for line, page, blank_before in kept:
        if paragraphs and _should_join(paragraphs[-1][0], line, blank_before):
            paragraphs[-1] = (paragraphs[-1][0] + line, paragraphs[-1][1])
            dropped["joined"] = dropped.get("joined", 0) + 1
        else:
            paragraphs.append((line, page))
    text = "\n".join(p for p, _ in paragraphs)
    page_spans: list[list[int]] = []
    if pages:
        pos = 0
        for p, page in paragraphs:
            if page_spans and page_spans[-1][2] == page:
                page_spans[-1][1] = pos + len(p)
            else:
                page_spans.append([pos, pos + len(p), page])
            pos += len(p) + 1
    report = [
        {"find": c.find, "replace": c.replace, "reason": c.reason, "count": applied[id(c)]} for c in corrections
    ]
    return Cleaned(text, page_spans, report, dropped, date_hint)
