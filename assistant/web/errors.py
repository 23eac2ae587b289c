"""API error bodies in Chinese ({"error": {...}}, the shape OpenAI clients read) and the request-size limit."""
from __future__ import annotations

import json
import re
import logging
from typing import Any, Iterable

from starlette.responses import JSONResponse

_TYPES = {
    "missing": "缺少字段 {loc}",
    "string_type": "字段 {loc} 必须是文本",
    "list_type": "字段 {loc} 必须是列表",
    "dict_type": "字段 {loc} 必须是对象",
    "model_type": "字段 {loc} 必须是对象",
    "model_attributes_type": "字段 {loc} 必须是对象",
    "int_type": "字段 {loc} 必须是整数",
    "int_parsing": "字段 {loc} 必须是整数",
    "int_from_float": "字段 {loc} 必须是整数",
    "bool_type": "字段 {loc} 必须是 true 或 false",
    "bool_parsing": "字段 {loc} 必须是 true 或 false",
    "greater_than_equal": "字段 {loc} 的值太小",
    "less_than_equal": "字段 {loc} 的值太大",
    "too_short": "字段 {loc} 不能为空",
    "too_long": "字段 {loc} 过长",
    "literal_error": "字段 {loc} 的取值不在允许范围内",
    "extra_forbidden": "不支持的字段 {loc}",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "请求体不是合法的 JSON",
}


BAD_TEXT = "请求中含有无效的字符（不是合法的 UTF-8 / Unicode 文本），请检查编码后重试。"
PARSE_ERROR = "请求体无法解析，请以 JSON 格式（Content-Type: application/json）发送。"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_SURROGATE.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def body_problem(body: bytes) -> str | None:
    """A Chinese message when the body is not text every component can handle, else None.

    Invalid UTF-8 and lone surrogates ("\\ud800" escapes, which json.loads accepts) would otherwise reach
    opencc or the JSON encoder of the response and end as a 500.
    """
    if not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return BAD_TEXT
    if "\\u" not in text:  # only an escape can smuggle a surrogate into valid UTF-8
        return None
    try:
        data = json.loads(text)
        return BAD_TEXT if _has_surrogate(data) else None
    except (ValueError, RecursionError):  # not JSON, or nested too deep: the route's own parsing says so
        return None


def error_response(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status_code=status)


def _loc(loc: Iterable[Any]) -> str:
    # Drop "body" and pydantic's union-branch names so the user sees the field path they sent.
    parts = [str(p) for p in loc if p != "body" and not (isinstance(p, str) and ("[" in p or p in ("str", "list")))]
    return ".".join(parts) or "请求体"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One Chinese sentence per distinct problem, e.g. "缺少字段 question。"."""
    seen: list[str] = []
    for err in errors:
        kind = err.get("type", "")
        if kind in ("json_invalid", "json_type"):
            text = "请求体不是合法的 JSON。"
        elif err.get("loc") == ("body",) and kind in ("missing", "model_attributes_type", "dict_type"):
            text = "请求体必须是 JSON 对象。"
        else:
            template = _TYPES.get(kind, "字段 {loc} 的值不合法")
            text = template.format(loc=_loc(err.get("loc", ()))) + "。"
        if text not in seen:
            seen.append(text)
    return "请求参数有误：" + "".join(seen[:5]) if seen else "请求参数有误。"


class CatchAll:
    """Pure ASGI middleware: an error no handler expected becomes a Chinese 500 here, so the server neither
    re-raises it (Starlette does, after its own 500) nor drops the client's kept-alive connection."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        started = False

        async def tracked(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if scope["type"] != "http" or started:
                raise  # half a response is out: nothing sound can be added to it
            logging.getLogger("assistant.api").exception("unhandled error on %s", scope.get("path"))
            await error_response(500, "服务器内部错误，请稍后重试；如反复出现请联系管理员。", "server_error")(
                scope, receive, send)


class BodyLimit:
    """Pure ASGI middleware: bodies over max_bytes get 413 before any handler parses them.

    Chunked uploads carry no Content-Length, so the body is counted as it arrives; it is small
    (the limit is tens of kilobytes) and is replayed to the app once accepted.
    """

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > self.max_bytes:
                    await self._too_large(scope, receive, send)
                    return
            except ValueError:
                await error_response(400, "Content-Length 请求头不合法。")(scope, receive, send)
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body"):
                break
        problem = body_problem(b"".join(chunks))
        if problem:
            await error_response(400, problem)(scope, receive, send)
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope, receive, send) -> None:
        kb = max(1, self.max_bytes // 1024)
        await error_response(413, f"请求体过大（上限 {kb} KB），请缩短问题或对话历史。")(scope, receive, send)
