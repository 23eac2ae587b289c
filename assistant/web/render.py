"""HTML and text rendering for the web chat and the API; every document or user string is escaped here."""
from __future__ import annotations

import html
import re
from typing import Any, Iterable, Mapping

_MARKER = re.compile(r"\[(\d{1,3})\]")


def esc(value: Any) -> str:
    """Text to inert HTML (also safe inside double-quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def answer_kind(answer: Mapping[str, Any]) -> str:
    """"abstain", "premise" or "answer": each is drawn differently so officials never mistake one for another."""
    if answer.get("abstained"):
        return "abstain"
    if answer.get("premise_note"):
        return "premise"
    return "answer"


# ---- chat ------------------------------------------------------------------------------------------

def _answer_text(text: str, turn: int, numbers: set[int]) -> str:
    """Escaped answer text whose [n] markers become buttons that open citation n."""
    out, last = [], 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in numbers:
            continue
        out.append(esc(text[last:m.start()]))
        out.append(f'<button type="button" class="pa-ref" data-action="cite" data-turn="{turn}" data-n="{n}" '
                   f'title="查看引文 {n} 的原文">{n}</button>')
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)


def render_citations(citations: Iterable[Mapping[str, Any]], turn: int) -> str:
    items = []
    for c in citations:
        shown = c.get("section_display") or c.get("section")
        section = f'<span class="pa-sec">{esc(shown)}</span>' if shown else ""
        items.append(
            f'<li><button type="button" class="pa-cite" data-action="cite" data-turn="{turn}" data-n="{int(c["n"])}" '
            f'title="点击查看原文">'
            f'<span class="pa-n">{int(c["n"])}</span>'
            f'<span class="pa-cite-body"><span class="pa-title">《{esc(c.get("title"))}》</span>{section}'
            f'<span class="pa-quote">“{esc(c.get("quote_display") or c.get("quote"))}”</span></span></button></li>'
        )
    if not items:
        return ""
    return f'<div class="pa-cites-head">引用来源</div><ol class="pa-cites">{"".join(items)}</ol>'


def _copy_button(answer: Mapping[str, Any]) -> str:
    """Copies the answer with its numbered sources; handled in the browser (app.CLICK_JS), no server round trip."""
    return (f'<button type="button" class="pa-fb-btn pa-copy" data-action="copy" data-copy="{esc(reply_text(answer))}" '
            f'title="复制回答及引文">复制</button>')


def _feedback_bar(turn: int, rating: str | None, answer: Mapping[str, Any] | None = None) -> str:
    def button(value: str, label: str) -> str:
        on = " pa-on" if rating == value else ""
        return (f'<button type="button" class="pa-fb-btn{on}" data-action="rate" data-turn="{turn}" '
                f'data-rating="{value}">{label}</button>')

    note = '<span class="pa-fb-note">已记录，谢谢反馈</span>' if rating else '<span class="pa-fb-note">这条回答有帮助吗？</span>'
    copy = _copy_button(answer) if answer is not None else ""
    return f'<div class="pa-fb">{note}{button("useful", "有用")}{button("not_useful", "没用")}{copy}</div>'


def render_answer(answer: Mapping[str, Any], turn: int, rating: str | None = None) -> str:
    kind = answer_kind(answer)
    numbers = {int(c["n"]) for c in answer.get("citations", [])}
    parts = [f'<div class="pa-a pa-{kind}">']
    if kind == "abstain":
        parts.append('<div class="pa-badge pa-badge-abstain">未找到依据</div>')
    if answer.get("premise_note"):
        parts.append(f'<div class="pa-premise"><span class="pa-badge pa-badge-premise">前提更正</span>'
                     f'{esc(answer["premise_note"])}</div>')
    text = str(answer.get("answer", ""))
    lead, sep, rest = text.partition("\n")
    if sep and kind != "abstain" and _MARKER.search(lead):
        # The one-line direct answer (answer.lead) stands apart from the sentences that support it.
        parts.append(f'<div class="pa-lead">{_answer_text(lead, turn, numbers)}</div>')
        text = rest
    parts.append(f'<div class="pa-text">{_answer_text(text, turn, numbers)}</div>')
    parts.append(render_citations(answer.get("citations", []), turn))
    related = answer.get("related") or []
    if related:
        # Each opens the source viewer at its section, like a citation.
        links = "".join(
            f'<li><button type="button" class="pa-rel" data-action="related" data-turn="{turn}" data-n="{i}" '
            f'title="点击查看原文">《{esc(r.get("title"))}》'
            f'{(" · " + esc(r.get("section_display") or r["section"])) if r.get("section") else ""}</button></li>'
            for i, r in enumerate(related)
        )
        parts.append(f'<div class="pa-cites-head">相关阅读</div><ul class="pa-related">{links}</ul>')
    for note in answer.get("notices") or []:
        parts.append(f'<div class="pa-notice">{esc(note)}</div>')
    parts.append(_feedback_bar(turn, rating, answer))
    parts.append("</div>")
    return "".join(parts)


def render_turn(turn: int, entry: Mapping[str, Any]) -> str:
    question = f'<div class="pa-q"><div class="pa-bubble">{esc(entry.get("question"))}</div></div>'
    if entry.get("error"):
        body = f'<div class="pa-a pa-error"><div class="pa-badge pa-badge-error">无法回答</div>{esc(entry["error"])}</div>'
    elif entry.get("answer") is None:
        partial = entry.get("partial") or ""
        inner = (f'<div class="pa-text">{esc(partial)}<span class="pa-caret"></span></div>' if partial
                 else '<div class="pa-typing">正在查找政策文件…</div>')
        body = f'<div class="pa-a pa-pending">{inner}</div>'
    else:
        body = render_answer(entry["answer"], turn, entry.get("rating"))
    return f'<div class="pa-turn" data-turn="{turn}">{question}{body}</div>'


WELCOME = (
    '<div class="pa-empty"><div class="pa-empty-title">您好，我是政策问答助手</div>'
    "<p>请用中文提问有关医共体、医联体等政策文件的问题。每条回答都附有编号引文，"
    "点击编号即可在右侧查看原文及所在章节。</p>"
    "<p>文件中找不到依据时，助手会明确告诉您，而不会猜测。</p></div>"
)


def render_conversation(turns: list[Mapping[str, Any]]) -> str:
    if not turns:
        return f'<div class="pa-chat">{WELCOME}</div>'
    return '<div class="pa-chat">' + "".join(render_turn(i, t) for i, t in enumerate(turns)) + "</div>"


# ---- source viewer ---------------------------------------------------------------------------------

def _innermost_section(sections: Iterable[Any], start: int, end: int) -> tuple[int, int, str] | None:
    best = None
    for sec in sections or []:
        s, e, path = int(sec[0]), int(sec[1]), str(sec[2]) if len(sec) > 2 else ""
        if s <= start and end <= e and (best is None or e - s < best[1] - best[0]):
            best = (s, e, path)
    return best


def locate(text: str, start: Any, end: Any, quote: str = "") -> tuple[int, int] | None:
    """Trust the offsets when they point at the quote; fall back to searching the quote."""
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        if not quote or text[start:end] == quote:
            return start, end
    if quote:
        i = text.find(quote)
        if i >= 0:
            return i, i + len(quote)
    return None


def _meta_line(doc: Mapping[str, Any]) -> str:
    bits = [doc.get("kind"), doc.get("region"), doc.get("date"), doc.get("issuer")]
    return " · ".join(esc(b) for b in bits if b)


def render_source(doc: Mapping[str, Any], start: Any = None, end: Any = None, quote: str = "", n: int | None = None,
                  script: str | None = None, turn: int | None = None, label: str | None = None) -> str:
    """The whole document; the section around the quote is tinted and the quote itself marked.

    With a script ("simplified" | "traditional") the text is shown in it and the source's own text is one click
    away (查看原文); with a turn, a back link returns to that answer (on a phone the viewer sits below the chat).
    """
    from ..display import in_script

    shown = (lambda t: in_script(t, script)) if script else (lambda t: t)
    text = str(doc.get("text", ""))
    span = locate(text, start, end, quote)
    back = (f'<button type="button" class="pa-back" data-back="{int(turn)}">← 返回回答</button>'
            if turn is not None else "")
    head = (f'<div class="pa-src-head">{back}<div class="pa-src-title">《{esc(doc.get("title"))}》</div>'
            f'<div class="pa-src-meta">{_meta_line(doc)}</div>')
    # head is closed by the caller's "</div>" below so notices can be appended to it first.
    if span is None:
        if quote:
            head += '<div class="pa-notice">未能在原文中定位这段引文，下面显示全文。</div>'
        return f'<div class="pa-src">{head}</div>{_bodies([(text, "")], shown)}</div>'
    s, e = span
    section = _innermost_section(doc.get("sections", []), s, e) or (max(0, s - 200), min(len(text), e + 200), "")
    s0, s1, path = section
    label = label or (f"引文 [{n}]" if n else "引文")
    if path:
        crumbs = " › ".join(esc(shown(p.strip())) for p in path.split(">"))
        head += f'<div class="pa-src-path"><span class="pa-badge">{esc(label)}</span>位于：{crumbs}</div>'
    else:
        head += f'<div class="pa-src-path"><span class="pa-badge">{esc(label)}</span></div>'
    pieces = [(text[:s0], ""), (text[s0:s], "section"), (text[s:e], "hit"), (text[e:s1], "section"), (text[s1:], "")]
    return f'<div class="pa-src">{head}</div>{_bodies(pieces, shown, dim=True)}</div>'


def _bodies(pieces: list[tuple[str, str]], shown, dim: bool = False) -> str:
    """The document body in the reader's script and, when that differs, the source's own text behind a toggle."""

    def body(convert) -> str:
        out, i = [], 0
        while i < len(pieces):
            text, role = pieces[i]
            if role == "section":  # section before the hit, the hit, section after: one tinted span
                before, hit, after = pieces[i][0], pieces[i + 1][0], pieces[i + 2][0]
                out.append(f'<span class="pa-section">{esc(convert(before))}<mark class="pa-hit">{esc(convert(hit))}'
                           f'</mark>{esc(convert(after))}</span>')
                i += 3
                continue
            out.append(esc(convert(text)))
            i += 1
        return "".join(out)

    cls = "pa-doc pa-dim" if dim else "pa-doc"
    converted, original = body(shown), body(lambda t: t)
    if converted == original:
        return f'<div class="{cls}">{original}</div>'
    toggle = ('<div class="pa-orig-bar"><button type="button" class="pa-orig-btn" data-orig="1">查看原文</button>'
              '<span class="pa-orig-note">已按您的用字显示；原文为另一种字体</span></div>')
    return (f'{toggle}<div class="{cls} pa-shown">{converted}</div>'
            f'<div class="{cls} pa-orig" hidden>{original}</div>')


SOURCE_PLACEHOLDER = (
    '<div class="pa-src"><div class="pa-src-empty">点击回答中的引文编号，或左侧文档列表中的文件，'
    "在这里查看原文；引文所在章节会加底色，引文本身高亮显示。</div></div>"
)


def document_options(docs: Iterable[Mapping[str, Any]]) -> tuple[list[str], dict[str, str]]:
    """Labels for document pickers (title with kind and date; never a file name) and label -> source.

    >>> document_options([{"source": "001_x.txt", "title": "政策解读", "kind": "解读", "date": "2020-07-10"}])
    (['政策解读（解读 · 2020-07-10）'], {'政策解读（解读 · 2020-07-10）': '001_x.txt'})
    """
    labels: list[str] = []
    to_source: dict[str, str] = {}
    for d in docs:
        bits = " · ".join(str(b) for b in (d.get("kind"), d.get("date")) if b and b != "unknown")
        label = f"{d.get('title') or '未命名文档'}{f'（{bits}）' if bits else ''}"
        while label in to_source:  # two documents with the same title and date stay apart
            label += "＊"
        labels.append(label)
        to_source[label] = str(d.get("source"))
    return labels, to_source


def render_documents(docs: Iterable[Mapping[str, Any]]) -> str:
    """Document cards for the side panel; clicking one opens it in the source viewer."""
    cards = []
    for d in docs:
        meta = _meta_line(d)
        desc = f'<div class="pa-doc-desc">{esc(d.get("description"))}</div>' if d.get("description") else ""
        size = f'{int(d.get("chars", 0)):,} 字 · {int(d.get("chunks", 0))} 段'
        cards.append(
            f'<button type="button" class="pa-doc-card" data-action="doc" data-source="{esc(d.get("source"))}">'
            f'<div class="pa-doc-title">{esc(d.get("title"))}</div>'
            f'<div class="pa-doc-meta">{meta}</div>{desc}<div class="pa-doc-size">{size}</div></button>'
        )
    if not cards:
        return '<div class="pa-notice">索引中还没有文档。</div>'
    return '<div class="pa-doc-list">' + "".join(cards) + "</div>"


# ---- plain text for API clients --------------------------------------------------------------------

def reply_text(answer: Mapping[str, Any]) -> str:
    """Answer text, then a premise note and numbered sources: readable as plain text and as Markdown."""
    lines = [str(answer.get("answer", ""))]
    if answer.get("premise_note"):
        lines += ["", f"前提更正：{answer['premise_note']}"]
    cites = answer.get("citations") or []
    if cites:
        lines += ["", "来源："]
        for c in cites:
            shown = c.get("section_display") or c.get("section")
            section = f" · {shown}" if shown else ""
            lines.append(f"- [{c['n']}] 《{c['title']}》{section}：“{c.get('quote_display') or c['quote']}”")
    for note in answer.get("notices") or []:
        lines += ["", f"（{note}）"]
    return "\n".join(lines)
