"""One browser session's conversation: asking with history and filters, citations, feedback; no gradio here."""
from __future__ import annotations

import logging
import re
from typing import Any, Iterator, Mapping

from .feedback import FeedbackError, FeedbackStore
from .render import render_source

log = logging.getLogger("assistant.web")

# Pieces of a finished answer revealed one after another, so the chat shows text as it arrives.
_PIECE = re.compile(r".+?(?:[。！？；;!?\n]|\[\d+\]|$)", re.S)


def new_state() -> dict[str, Any]:
    """Per-session state (gradio deep-copies it for every browser session)."""
    return {"turns": []}


def history_of(state: Mapping[str, Any]) -> list[dict[str, str]]:
    """The conversation in the pipeline's history form; failed turns are left out."""
    out: list[dict[str, str]] = []
    for t in state.get("turns", []):
        if t.get("answer") is None:
            continue
        out.append({"role": "user", "content": t["question"]})
        out.append({"role": "assistant", "content": t["answer"].get("answer", "")})
    return out


def make_filters(sources: list[str] | None, kinds: list[str] | None) -> dict[str, Any] | None:
    f: dict[str, Any] = {}
    if sources:
        f["source"] = list(sources)
    if kinds:
        f["kind"] = list(kinds)
    return f or None


def answer_pieces(assistant, question: str, history: list[dict[str, str]], filters,
                  script: str | None = None) -> Iterator[tuple[str, Any]]:
    """("delta", text) pieces and then ("final", Answer).

    The extractive answerer finishes in milliseconds, so its answer is revealed in sentence-sized
    pieces; citations only exist on the finished Answer, hence the final event.
    """
    answer = assistant.ask(question, history=history, filters=filters, script=script) if script else \
        assistant.ask(question, history=history, filters=filters)
    for m in _PIECE.finditer(answer.answer):
        if m.group(0):
            yield "delta", m.group(0)
    yield "final", answer


def ask_turn(assistant, state: dict[str, Any], question: str, filters=None,
             script: str | None = None) -> Iterator[dict[str, Any]]:
    """Append a turn to the state and yield the state after each step (pending, partial text, final)."""
    from ..pipeline import QueryError
    from ..store import IndexError_

    history = history_of(state)
    entry: dict[str, Any] = {"question": (question or "").strip(), "answer": None, "partial": "", "rating": None}
    state["turns"].append(entry)
    yield state
    try:
        for kind, value in answer_pieces(assistant, question, history, filters, script):
            if kind == "delta":
                entry["partial"] += value
                yield state
            else:
                entry["answer"] = value.to_dict()
    except (QueryError, IndexError_) as exc:
        entry["error"] = str(exc)
    except Exception:  # never show a traceback to the user; the log keeps it
        log.exception("answering failed")
        entry["error"] = "系统内部错误，暂时无法回答，请稍后重试。"
    entry.pop("partial", None)
    yield state


def citation_view(assistant, state: Mapping[str, Any], turn: int, n: int) -> str:
    """Source-viewer HTML for citation n of a turn."""
    from ..pipeline import QueryError

    turns = state.get("turns", [])
    if not 0 <= turn < len(turns) or turns[turn].get("answer") is None:
        return _viewer_notice("这条引文已失效，请重新提问。")
    cite = next((c for c in turns[turn]["answer"].get("citations", []) if int(c["n"]) == int(n)), None)
    if cite is None:
        return _viewer_notice("没有这条引文。")
    try:
        doc = _document(assistant, cite["source"])
    except QueryError as exc:
        return _viewer_notice(str(exc))
    return render_source(doc, cite.get("start"), cite.get("end"), cite.get("quote", ""), n=int(n),
                         script=turns[turn]["answer"].get("script"), turn=turn)


def related_view(assistant, state: Mapping[str, Any], turn: int, i: int) -> str:
    """Source-viewer HTML for related reading i under a declined answer: its document, at its section."""
    from ..pipeline import QueryError

    turns = state.get("turns", [])
    if not 0 <= turn < len(turns) or turns[turn].get("answer") is None:
        return _viewer_notice("这条相关阅读已失效，请重新提问。")
    related = turns[turn]["answer"].get("related") or []
    if not 0 <= i < len(related):
        return _viewer_notice("没有这条相关阅读。")
    item = related[i]
    try:
        doc = _document(assistant, str(item.get("source", "")))
    except QueryError as exc:
        return _viewer_notice(str(exc))
    span = next(((int(a), int(b)) for a, b, path in doc.get("sections", []) if path == item.get("section")), None)
    script = turns[turn]["answer"].get("script")
    if span is None:
        return render_source(doc, script=script, turn=turn)
    return render_source(doc, span[0], span[1], doc["text"][span[0]:span[1]], script=script, turn=turn, label="相关章节")


def document_view(assistant, source: str, script: str | None = None) -> str:
    from ..pipeline import QueryError

    try:
        return render_source(_document(assistant, source), script=script)
    except QueryError as exc:
        return _viewer_notice(str(exc))


def _document(assistant, source: str) -> dict[str, Any]:
    """show() text plus the metadata (region, date, issuer) that only documents() carries."""
    doc = assistant.show(source)
    meta = next((d for d in assistant.documents() if d.get("source") == doc.get("source")), {})
    return {**meta, **doc}


def rate(store: FeedbackStore, state: dict[str, Any], turn: int, rating: str, session: str = "") -> str:
    """Record (or change) the rating of a turn's answer; returns a Chinese status line."""
    turns = state.get("turns", [])
    if not 0 <= turn < len(turns) or turns[turn].get("answer") is None:
        return "这条回答无法评价。"
    entry = turns[turn]
    try:
        if entry.get("feedback_id") is None:
            entry["feedback_id"] = store.add(entry["question"], entry["answer"], rating, session=session)
        else:
            store.update(entry["feedback_id"], rating=rating)
    except FeedbackError as exc:
        return str(exc)
    entry["rating"] = rating
    state["feedback_turn"] = turn
    label = "有用" if rating == "useful" else "没用"
    return f"已记录您对第 {turn + 1} 条回答的评价（{label}）。如愿意，可在下方补充说明。"


def comment(store: FeedbackStore, state: dict[str, Any], text: str) -> str:
    """Attach a comment to the most recently rated answer."""
    turn = state.get("feedback_turn")
    turns = state.get("turns", [])
    if turn is None or not 0 <= turn < len(turns) or turns[turn].get("feedback_id") is None:
        return "请先点击某条回答下方的“有用”或“没用”，再补充说明。"
    if not (text or "").strip():
        return "补充说明为空，未提交。"
    try:
        store.update(turns[turn]["feedback_id"], comment=text)
    except FeedbackError as exc:
        return str(exc)
    return f"已保存对第 {turn + 1} 条回答的补充说明，谢谢！"


def _viewer_notice(message: str) -> str:
    from .render import esc

    return f'<div class="pa-src"><div class="pa-notice">{esc(message)}</div></div>'
