"""Cleaning by general rules: corrections, web chrome, spam lines, broken lines; yields the canonical text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from ..textnorm import CJK, cjk_count, t2s
from .latex import unwrap_math
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
    # A complete sentence of text ("推广扫码支付等便民服务。") is not a label even when it is short, so the
    # length-limited rules (menus, buttons, bylines) leave it alone; unlimited rules still apply.
    sentence = bool(re.search(r"[。！？]", simp)) and cjk_count(simp) >= 8
    for pattern, limit in chrome_rules():
        if sentence and limit < 10**9:
            continue
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


def _should_join(prev: str, nxt: str, blank_between: int, full_width: int = 0, last_line: str = "") -> bool:
    """A line broken mid-sentence: prose that stops without final punctuation, continued by text.

    `full_width` (paginated sources) is the length of a full printed line: when the last printed line of
    `prev` is that long and stops without punctuation, the layout wrapped it even if it holds no comma.
    """
    if blank_between > 1 or not prev or not nxt:
        return False
    last_line = last_line or prev
    wrapped = full_width > 0 and len(last_line) >= full_width and cjk_count(last_line) >= 0.6 * len(last_line)
    if prev.endswith(_SENT_FINAL) or not (_is_prose(prev) or wrapped) or len(prev) < 15:
        return False
    if heading_kind(nxt) or heading_kind(prev) == "bracket_title":
        return False
    if heading_kind(prev) and not re.search(r"[。！？；]", prev) and not wrapped:
        return False  # a heading line that happens to contain commas (one the layout wrapped goes on)
    return bool(re.match(rf"[{CJK}\d“]", nxt))


def _full_width(lines: list[str], paginated: bool = True) -> int:
    """Length of a full printed line (0 when there are too few long lines to tell). Text without pages has one
    only when it was hard-wrapped: at least six long lines, a third of them, within a tenth of the same width
    (web text puts a paragraph on a line, and a long line without punctuation there may be a title)."""
    lengths = sorted(len(ln) for ln in lines if cjk_count(ln) >= 10)
    if len(lengths) < 3:
        return 0
    width = lengths[int(len(lengths) * 0.8)]
    if not paginated:
        near = sum(1 for n in lengths if 0.9 * width <= n <= 1.1 * width)
        if near < 6 or 3 * near < len(lengths):
            return 0
    return max(15, int(width * 0.9))


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
        line, n = unwrap_math(line)
        if n:
            dropped["inline_math"] = dropped.get("inline_math", 0) + n  # not dropped: read back as plain figures
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

    # Short label-like lines (at most 8 characters) before the first and after the last paragraph of
    # prose are site chrome (menus, buttons, channel names); a document title survives because it
    # precedes prose directly or is longer than a menu label ("关于医保基金管理的通知").
    prose = [j for j, (ln, _, _) in enumerate(kept) if _is_prose(ln)]
    if prose:
        first, last = prose[0], prose[-1]
        keep_idx = []
        for j, (ln, _, _) in enumerate(kept):
            edge = j < first - 1 or j > last
            if edge and len(ln) <= 8 and not heading_kind(ln) and not re.search(r"[，。；！？]", ln):
                dropped["chrome"] = dropped.get("chrome", 0) + 1
                continue
            keep_idx.append(j)
        kept = [kept[j] for j in keep_idx]
    # Text files and pages hard-wrapped at a fixed width ("…服务的65岁及" / "以上居民数…") have a full line too.
    full_width = _full_width([ln for ln, _, _ in kept], paginated=bool(pages))
    paragraphs: list[tuple[str, int]] = []
    last_line = ""
    for line, page, blank_before in kept:
        if paragraphs and _should_join(paragraphs[-1][0], line, blank_before, full_width, last_line):
            paragraphs[-1] = (paragraphs[-1][0] + line, paragraphs[-1][1])
            dropped["joined"] = dropped.get("joined", 0) + 1
        else:
            paragraphs.append((line, page))
        last_line = line
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
