"""OpenAI chat-completions shapes: messages in, completion or SSE chunks out, citations riding along."""
from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, Iterator

from .render import reply_text

MODEL_ID = "policy-assistant"
CREATED = 1_700_000_000  # fixed so /v1/models is stable between restarts
_PIECE = re.compile(r".+?(?:[。！？；\n]|$)", re.S)


def model_card(model_id: str = MODEL_ID) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": CREATED, "owned_by": "policy-assistant"}


def message_text(content: Any) -> str:
    """Plain text of a message: a string, or the text parts of a multi-part content list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") in ("text", "input_text")]
    if not all(isinstance(t, str) for t in texts):
        from ..pipeline import QueryError

        raise QueryError("messages 中 content 的文本部分（type 为 text）必须带有文本字段 text。")
    return "".join(texts)


def _strip_sources(text: str) -> str:
    # Our own earlier replies come back as history: the answer alone is the useful context.
    return text.split("\n\n来源：", 1)[0]


def split_messages(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """(question, history): the last user message is the question; system/tool messages are ignored."""
    from ..pipeline import QueryError

    if not messages or messages[-1].get("role") != "user":
        raise QueryError("messages 的最后一条必须是用户（role 为 user）的提问。")
    question = message_text(messages[-1].get("content"))
    history = []
    for m in messages[:-1]:
        role = m.get("role")
        if role in ("user", "assistant"):
            text = message_text(m.get("content"))
            history.append({"role": role, "content": _strip_sources(text) if role == "assistant" else text})
    return question, history


def _extras(answer: dict[str, Any]) -> dict[str, Any]:
    extras = {"citations": answer.get("citations", []), "abstained": bool(answer.get("abstained"))}
    if answer.get("premise_note"):
        extras["premise_note"] = answer["premise_note"]
    return extras


def completion(answer: dict[str, Any], model: str, question: str) -> dict[str, Any]:
    text = reply_text(answer)
    # Character counts stand in for tokens: there is no tokenizer behind an extractive answer.
    usage = {"prompt_tokens": len(question), "completion_tokens": len(text), "total_tokens": len(question) + len(text)}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": usage,
        **_extras(answer),
    }


def stream_chunks(answer: dict[str, Any], model: str) -> Iterator[str]:
    """Server-sent events: a role chunk, content pieces, a final chunk with citations, then [DONE]."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for m in _PIECE.finditer(reply_text(answer)):
        if m.group(0):
            yield event({"content": m.group(0)})
    yield event({}, "stop", **_extras(answer))
    yield "data: [DONE]\n\n"
