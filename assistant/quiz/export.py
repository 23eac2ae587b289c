"""Printable quizzes: Markdown, and PDF through reportlab's built-in Chinese CID font (no font files needed)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .generate import LETTERS, QuizError
from .grade import expected_text

TYPE_NAMES = {"fill_blank": "填空", "choice": "单选", "true_false": "判断"}
_PDF_FONT = "STSong-Light"  # Adobe's CID font that every PDF reader maps to a Chinese Song face
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<])")  # lines start with our own markup, so # and > need no escape


def _items(quiz: Any) -> list[dict[str, Any]]:
    if not isinstance(quiz, dict) or not isinstance(quiz.get("items"), list):
        raise QuizError("测验文件格式不对：应是 assistant quiz 生成的 JSON（含 items 列表）。")
    if not quiz["items"]:
        raise QuizError("测验中没有题目，无法导出。")
    return quiz["items"]


def _header(quiz: dict[str, Any]) -> list[str]:
    lines = [f"共 {len(quiz['items'])} 题（题组编号 {quiz.get('seed', 0)}，同一编号出同一套题）。评分时以题号为准。"]
    titles = [d.get("title") or d.get("source", "") for d in quiz.get("documents") or []]
    if titles:
        lines.append("出题文档：" + "、".join(f"《{t}》" for t in titles))
    return lines


def _where(c: dict[str, Any], md: bool = False) -> str:
    section = f"「{c['section']}」" if c.get("section") else ""
    head = f"《{c.get('title', '')}》{section}"
    source = str(c.get("source", ""))
    # A code span shows a file name verbatim in Markdown (no backslashes before its underscores).
    source = f"`{source}`" if md else source
    return f"{_md(head) if md else head}（{source}，第 {c.get('start')}–{c.get('end')} 字）"


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def export_markdown(quiz: dict[str, Any]) -> str:
    """The questions, then the answer key with each item's source and quoted passage.

    >>> export_markdown(quiz).startswith("# 培训测验")   # doctest: +SKIP
    True
    """
    items = _items(quiz)
    out = ["# 培训测验", ""] + _header(quiz) + ["", "## 题目", ""]
    for n, item in enumerate(items, start=1):
        tag = TYPE_NAMES.get(item.get("type"), "")
        suffix = "（对／错）" if item.get("type") == "true_false" else ""
        out.append(f"**{n}.** 〔{tag}〕{_md(item.get('question', ''))}{suffix}  ")
        out.append(f"题号：`{item.get('id', '')}`")
        out.append("")
        for letter, choice in zip(LETTERS, item.get("choices") or []):
            out.append(f"- {letter}. {_md(str(choice))}")
        if item.get("choices"):
            out.append("")
    out += ["## 答案与出处", ""]
    for n, item in enumerate(items, start=1):
        c = item.get("citation") or {}
        out.append(f"**{n}.** 答案：**{_md(expected_text(item))}**  ")
        out.append(f"出处：{_where(c, md=True)}")
        out.append("")
        out.append(f"> {_md(c.get('quote', ''))}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def export_pdf(quiz: dict[str, Any], path: str | Path) -> None:
    """Write the questions and the answer key to a PDF at path (A4, Chinese text via the STSong-Light CID font)."""
    items = _items(quiz)
    try:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
    except ImportError as exc:  # reportlab is an optional extra
        raise QuizError("导出 PDF 需要 reportlab（pip install 'policy-assistant[quiz]'），可先导出 Markdown。") from exc

    if _PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))
    # wordWrap="CJK" lets lines break between any two Chinese characters.
    base = ParagraphStyle("body", fontName=_PDF_FONT, fontSize=11, leading=17, wordWrap="CJK", spaceAfter=4)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=10)
    h2 = ParagraphStyle("h2", parent=base, fontSize=14, leading=20, spaceBefore=8, spaceAfter=8)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=colors.grey)
    choice = ParagraphStyle("choice", parent=base, leftIndent=8 * mm, spaceAfter=1)
    quote = ParagraphStyle("quote", parent=base, fontSize=10, leading=15, leftIndent=6 * mm, textColor=colors.HexColor("#444444"))

    story: list[Any] = [Paragraph("培训测验", title)]
    story += [Paragraph(escape(line), small) for line in _header(quiz)]
    story += [Spacer(1, 4 * mm), Paragraph("题目", h2)]
    for n, item in enumerate(items, start=1):
        tag = TYPE_NAMES.get(item.get("type"), "")
        suffix = "（对／错）" if item.get("type") == "true_false" else ""
        story.append(Paragraph(f"{n}. 〔{tag}〕{escape(str(item.get('question', '')))}{suffix}", base))
        for letter, text in zip(LETTERS, item.get("choices") or []):
            story.append(Paragraph(f"{letter}. {escape(str(text))}", choice))
        story.append(Paragraph(f"题号：{escape(str(item.get('id', '')))}", small))
        story.append(Spacer(1, 2 * mm))
    story += [PageBreak(), Paragraph("答案与出处", h2)]
    for n, item in enumerate(items, start=1):
        c = item.get("citation") or {}
        story.append(Paragraph(f"{n}. 答案：{escape(expected_text(item))}", base))
        story.append(Paragraph(f"出处：{escape(_where(c))}", small))
        story.append(Paragraph(f"“{escape(str(c.get('quote', '')))}”", quote))
        story.append(Spacer(1, 2 * mm))

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = SimpleDocTemplate(str(path), pagesize=A4, title="培训测验", leftMargin=18 * mm, rightMargin=18 * mm,
                                topMargin=16 * mm, bottomMargin=16 * mm)
        doc.build(story)
    except OSError as exc:
        raise QuizError(f"无法写入 {path}（{type(exc).__name__}）。") from exc
