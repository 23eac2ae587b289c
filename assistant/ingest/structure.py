"""Heading hierarchy of Chinese official writing (一、 / （一） / 1. / （1） / 第X条 / 【提纲】) and section paths."""
from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = "一二三四五六七八九十百零〇两"
# (kind, regex on the start of a line); the kind's rank in the document sets its level.
HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^第[{_NUM}\d]+(?:编|章|部分|节)")),
    ("bracket_title", re.compile(r"^【[^】]{1,12}】")),
    ("cn_dun", re.compile(rf"^[{_NUM}]+、")),
    ("cn_paren", re.compile(rf"^[（(][{_NUM}]+[)）]")),
    ("article", re.compile(rf"^第[{_NUM}\d]+条")),
    ("ordinal", re.compile(rf"^第[{_NUM}]+[，,、]")),
    ("arabic_dot", re.compile(r"^\d{1,2}(?:[.．](?!\d)|、)")),
    ("arabic_paren", re.compile(r"^[（(]\d{1,2}[)）]")),
    ("circled", re.compile(r"^[①-⑳]")),
    # A back-matter label on its own line (名词解释: / 附件1 / 附则) ends the numbered body: it starts a
    # top-level section instead of becoming part of the last numbered item.
    ("appendix", re.compile(r"^(?:名[词詞]解[释釋]|附件\s*\d*|附[录錄则則表]|[备備]注|注[释釋])\s*[:：]?\s*$")),
]
# Typical nesting order when a document uses several kinds; unseen kinds slot in by this order.
KIND_ORDER = [k for k, _ in HEADING_PATTERNS]
_SENT_END = re.compile(r"[。！？；!?;]")
LABEL_MAX = 30


def heading_kind(line: str) -> str | None:
    """The heading kind a line starts with, or None for body text."""
    s = line.lstrip()
    for kind, pattern in HEADING_PATTERNS:
        if pattern.match(s):
            return kind
    return None


def heading_label(line: str) -> str:
    """The heading's number and title: text up to the first sentence end, cut to LABEL_MAX characters."""
    s = line.strip()
    m = _SENT_END.search(s)
    label = s[: m.start()] if m else s
    if label.startswith("【") and "】" in label:
        label = label[: label.index("】") + 1]
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1] + "…"
    return label


def is_subtitle(line: str, next_line: str | None, prev_line: str | None = None) -> bool:
    """A news-style subtitle: a short line without sentence punctuation followed by body text.

    A colon inside the line is allowed ("专科医联体的内生力:主诊医师负责制"), one at its end is not ("同志们:").
    A photo caption that only repeats a name from the neighbouring paragraph ("中日医院院长王辰" next to
    "中日医院院长王辰从……谈起") is not a subtitle.
    """
    s = line.strip()
    if not (4 <= len(s) <= 32) or re.search(r"[，。；！？,;!?]", s) or s.endswith(("：", ":", "、")):
        return False
    if s.startswith(("——", "--", "“", "\"")):
        return False
    if not next_line or len(next_line.strip()) <= len(s):
        return False
    for other in (prev_line, next_line):
        if other and len(other.strip()) > len(s) and s in other:
            return False
    return True


@dataclass
class Section:
    start: int
    end: int
    path: str
    heading_end: int  # end of the heading line itself (== start for untitled leading text)


def parse_sections(text: str, subtitles: bool = True) -> list[Section]:
    """Split canonical text into sections; each carries its full heading path.

    >>> [s.path for s in parse_sections("一、总则\\n内容。\\n（一）目标\\n内容。")]
    ['一、总则', '一、总则 > （一）目标']
    """
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    ranks: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # (rank, label)
    sections: list[Section] = []
    first_body = True
    close_after = False  # an outline line such as 【提纲】一、…（一）… holds its own content only

    def open_section(start: int, heading_end: int) -> None:
        if sections:
            sections[-1].end = start
        sections.append(Section(start, len(text), " > ".join(lbl for _, lbl in stack), heading_end))

    for i, (start, end, raw) in enumerate(lines):
        if not raw.strip():
            continue
        kind = heading_kind(raw)
        nxt = next((ln[2] for ln in lines[i + 1 :] if ln[2].strip()), None)
        prev = next((ln[2] for ln in reversed(lines[:i]) if ln[2].strip()), None)
        if kind is None and subtitles and not first_body and is_subtitle(raw, nxt, prev):
            kind = "subtitle"
        if kind is None:
            if close_after:
                stack.clear()
                open_section(start, start)
                close_after = False
            if not sections:
                open_section(start, start)
            first_body = False
            continue
        first_body = False
        if kind not in ranks:
            # Rank a kind by first appearance, but keep the conventional order among kinds seen so far.
            order = KIND_ORDER + ["subtitle"]
            ranks[kind] = order.index(kind) if kind not in ("subtitle", "appendix") else -1
        rank = ranks[kind]
        while stack and stack[-1][0] >= rank:
            stack.pop()
        stack.append((rank, heading_label(raw)))
        open_section(start, end)
        close_after = kind == "bracket_title" and len(raw.strip()) > 40
        if close_after:
            stack.pop()
    if not sections:
        sections.append(Section(0, len(text), "", 0))
    return sections
