"""Noise removal before cleaning: markup remnants, program code, front matter and research-paper apparatus.

Users drop in files that carry more than their text: Markdown exported from a CMS keeps its YAML front matter and
raw HTML (`<p cms-style="font-L">`), a page saved from a code repository is a Java or JSX file with the text in its
strings, a preprint keeps its DOI, English abstract, reference list and citation markers ("[12]"). Each would reach
the chunks and be quoted (a reference marker or a DOI is an "ungrounded number" in an answer).

The component works line by line, like clean.clean_lines, so provenance is kept the same way: a line is dropped
whole or rewritten in place, a line that holds several rows (an HTML table) becomes several lines, and each output
line carries the page of the line it came from. It is conservative: a line that still holds Chinese text after its
markup is removed is kept (the 通信作者 line of a paper is text a reader may ask about).

>>> d = remove_noise(["---", "title: 医共体", "---", "<p>正文第一段。</p>", "import java.util.List;"])
>>> d.lines, d.front_matter["title"]
(['正文第一段。'], '医共体')
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..textnorm import cjk_count

# --- front matter -------------------------------------------------------------------------------------------
_FENCES = {"---": "---", "+++": "+++"}
_FM_KEY = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$")
_FM_ITEM = re.compile(r"^\s*-\s+\S")
_FM_MAX_LINES = 60

# --- markup remnants ----------------------------------------------------------------------------------------
_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_ROW_END = re.compile(r"</tr\s*>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
# Server-side template code (JSP, PHP, ASP), HTML comments, then tags: a tag starts with a letter or "/" right after
# "<", so "<5岁" or "P<0.05" are left alone.
_TEMPLATE = re.compile(r"<%.*?%>|<\?(?:php)?.*?\?>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s+[^<>]*?)?\s*/?>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\((?:https?:|www\.|/|#|mailto:)[^)\s]*(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([*_#\[\]`\\])")
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#x[0-9A-Fa-f]{2,5});")

# --- program code -------------------------------------------------------------------------------------------
_CODE_START = re.compile(
    r"^\s*(?:import\s|package\s|export\s|from\s+\S+\s+import\s|public\s|private\s|protected\s|static\s|"
    r"(?:abstract\s+|final\s+)?class\s+\w|interface\s+\w|return\b|def\s+\w|function\b|const\s|let\s|var\s|"
    r"(?:if|for|while|switch|catch)\s*\(|else\b|try\s*\{|@\w+|#include|#define|//|/\*|\*/|\*\s|\*$|"
    r"this\.\w+\s*=|super\()"
)
_CODE_END = re.compile(r"[{};]\s*$|^\s*[})\]]")
_PUNCT_ONLY = re.compile(r"^[\s{}()\[\];,.:<>/*=|+-]*$")

# --- research-paper apparatus -------------------------------------------------------------------------------
_DOI = re.compile(r"(?:\b(?:DOI|doi)\s*[:：]?\s*)?\b10\.\d{4,9}/[-._;()/:A-Za-z0-9]+[A-Za-z0-9]")
_EMPTY_LABEL = re.compile(r"(?:中图分类号|文献标识码|文章编号|DOI|doi)\s*[:：]\s*(?=$|[\s\u4e00-\u9fff【])")
_PAPER_SIGNS = re.compile(r"【摘要】|摘\s*要[】:：]|【关键词】|关键词[:：]|Abstract|Key\s*words|参考文献")
_REF_HEAD = re.compile(r"(?:^|[。．.!！])\s*(?:参考文献|References?)\s*[:：]?\s*$", re.IGNORECASE)
_REF_HEAD_START = re.compile(r"^\s*(?:参考文献|References?)\s*[:：]?\s*(?=[\[［\d])", re.IGNORECASE)
_REF_ENTRY = re.compile(r"^\s*(?:[\[［]\s*\d{1,3}\s*[\]］]|\d{1,3}\s*[.．、]\s*\S)|\[(?:J|M|C|D|N|R|S|P|Z|EB/OL|EB/0L|OL)\]"
                        r"|et\s+al|DOI\s*[:：]", re.IGNORECASE)
# What else a reference list holds: wrapped tails of entries ("017，15(03): 365-368.", "16/j. jhealeco.2021.10.").
_REF_TAIL = re.compile(r"\d{4}\s*[,，]\s*\d+\s*[(（]|\d+\s*[-–]\s*\d+\s*\.\s*$|D[O0]I\s*[:：]|\[[A-Z](?:/[A-Z0-9]{1,2})?\]")
# "1.100069 北京市，首都医科大学…": an affiliation's index and postcode before its city.
_POSTCODE = re.compile(r"^\s*(?:\d{1,2}\s*[.．]\s*)?\d{6}\s*(?=[\u4e00-\u9fff])")
_MARKER = re.compile(r"(?<=[^\s\[［])[\[［]\s*\d{1,3}(?:\s*[,，\-–~、]\s*\d{1,3})*\s*[\]］]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass
class Denoised:
    """Lines without noise, the page of each, what was removed (kind -> lines) and the front matter read."""

    lines: list[str]
    pages: list[int] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    front_matter: dict[str, str] = field(default_factory=dict)


def _front_matter(lines: list[str]) -> tuple[int, dict[str, str]]:
    """(lines the block takes, its key: value pairs) of a YAML/TOML block fenced at the start of a file."""
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None or lines[first].strip() not in _FENCES:
        return 0, {}
    fence = lines[first].strip()
    values: dict[str, str] = {}
    for j in range(first + 1, min(len(lines), first + _FM_MAX_LINES)):
        line = lines[j]
        if line.strip() == fence:
            return (j + 1, values) if values else (0, {})
        m = _FM_KEY.match(line)
        if m:
            values.setdefault(m.group(1).lower(), m.group(2).strip().strip("'\""))
        elif line.strip() and not _FM_ITEM.match(line):
            return 0, {}  # not a metadata block (a Markdown rule over ordinary text)
    return 0, {}


def _table_rows(line: str) -> list[str]:
    """An HTML table written in one line as one line per row, cells joined by " | " (as docx tables are)."""
    line = _CELL_END.sub(" | ", line)
    return [re.sub(r"(?:\s*\|\s*)+$", "", row) for row in _ROW_END.split(line)]


def strip_markup(line: str) -> str:
    """The line's text without template code, tags, entities, Markdown images, link targets and emphasis."""
    line = _TEMPLATE.sub("", line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _TAG.sub("", line)
    if _ENTITY.search(line):
        line = html.unescape(line).replace("\xa0", " ")
    line = _EMPHASIS.sub(r"\2", line)
    line = _ESCAPE.sub(r"\1", line)
    return line.strip()


def is_code(line: str) -> bool:
    """A line of program code: no Chinese, and a statement, declaration, comment or brace line."""
    s = line.strip()
    if not s or cjk_count(s) > 0:
        return False
    return bool(_CODE_START.match(s) or _CODE_END.search(s) or _PUNCT_ONLY.match(s))


def _is_latin(line: str) -> bool:
    """A line in a Western language only (an English title, abstract or affiliation in a Chinese paper)."""
    s = line.strip()
    return cjk_count(s) == 0 and len(_LATIN.findall(s)) >= max(8, 0.5 * len(s.replace(" ", "")))


def remove_noise(lines: list[str], pages: list[int] | None = None) -> Denoised:
    """Drop or rewrite the noise lines of a loaded file; see the module docstring."""
    pages = list(pages or [])
    page_of = (lambda i: pages[i] if i < len(pages) else 0) if pages else (lambda i: 0)
    dropped: dict[str, int] = {}

    def drop(kind: str, n: int = 1) -> None:
        dropped[kind] = dropped.get(kind, 0) + n

    start, front = _front_matter(lines)
    if start:
        drop("front_matter", start)
    paper = bool(_PAPER_SIGNS.search("\n".join(lines))) and bool(_DOI.search("\n".join(lines)))
    out: list[tuple[str, int]] = []
    in_refs = False
    for i in range(start, len(lines)):
        raw = lines[i]
        if not raw.strip():
            out.append(("", page_of(i)))
            continue
        if is_code(raw):
            drop("code")
            continue
        # A JSON literal holding Chinese strings stays whole: its keys say what each value is ("compere" names
        # the host), and readers quote it as the page shows it.
        pieces = _table_rows(raw) if _TABLE.search(raw) else [raw]
        for piece in pieces:
            text = strip_markup(piece)
            if text != piece.strip() and not text:
                drop("markup")
                continue
            if paper:
                text, in_refs = _paper_line(text, in_refs, drop)
            if text or not piece.strip():
                out.append((text, page_of(i)))
    return Denoised([t for t, _ in out], [p for _, p in out] if pages else [], dropped, front)


def _paper_line(text: str, in_refs: bool, drop) -> tuple[str, bool]:
    """A research paper's line without its apparatus: DOI, empty catalogue labels, citation markers, English
    front matter, and the reference list (from its heading to the end of the entries)."""
    if in_refs:
        if _REF_ENTRY.search(text) or _REF_TAIL.search(text) or cjk_count(text) < 0.3 * len(text):
            drop("references")
            return "", True
        in_refs = False
    if _REF_HEAD_START.match(text):
        drop("references")
        return "", True
    head = _REF_HEAD.search(text)
    if head:
        drop("references")
        text = text[: head.start() + (1 if text[head.start()] in "。．.!！" else 0)].strip()
        in_refs = True
    new = _EMPTY_LABEL.sub("", _DOI.sub("", text)).strip(" ,，;；")
    new = _POSTCODE.sub("", _MARKER.sub("", new))
    if new != text:
        drop("paper_marks")
    if _is_latin(new):
        drop("latin")
        return "", in_refs
    return new, in_refs
