"""A small OpenAI-compatible chat-completions server on 127.0.0.1 with scripted models, for tests."""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping

# A behaviour turns the request's messages into the reply text (or raises StubHTTPError).
Behaviour = Callable[[list[dict[str, Any]]], str]


class StubHTTPError(Exception):
    """Raised by a behaviour to answer with an HTTP error in OpenAI's error format."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoopbackStub:
    """A threaded HTTP server on 127.0.0.1 (a free port) whose handler class knows its stub as `owner`;
    a context manager. Subclasses name their handler base class and thread."""

    handler: type[BaseHTTPRequestHandler]
    thread_name = "stub"
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("stub not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self):
        Handler = type("Handler", (self.handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class OpenAIStub(LoopbackStub):
    """POST /v1/chat/completions answered by the behaviour named in the request's `model`.

    Non-stream requests get a chat.completion JSON object; `stream: true` gets chat.completion.chunk
    SSE events a few characters at a time, then `data: [DONE]`. Every request body is kept in
    `requests` so tests can check what the client sent.

    >>> with OpenAIStub({"echo": lambda messages: messages[-1]["content"]}) as stub:  # doctest: +SKIP
    ...     OpenAI(base_url=stub.base_url, api_key="x").chat.completions.create(model="echo", messages=[...])
    """

    def __init__(self, models: Mapping[str, Behaviour], piece_chars: int = 4) -> None:
        if not models:
            raise ValueError("at least one model behaviour is needed")
        if piece_chars < 1:
            raise ValueError("piece_chars must be >= 1")
        self.models = dict(models)
        self.piece_chars = piece_chars
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # lets `hang` behaviours finish when the stub stops

    thread_name = "openai-stub"

    def stop(self) -> None:
        self.release.set()
        super().stop()


class _Handler(BaseHTTPRequestHandler):
    owner: OpenAIStub

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        try:
            self._post()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to tell it

    def _post(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"no route {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._error(400, "body is not JSON")
        self.owner.requests.append(body)
        behaviour = self.owner.models.get(body.get("model"))
        if behaviour is None:
            return self._error(404, f"The model `{body.get('model')}` does not exist")
        try:
            text = behaviour(body.get("messages") or [])
        except StubHTTPError as exc:
            return self._error(exc.status, exc.message)
        if body.get("stream"):
            return self._stream(body["model"], text)
        payload = {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }
        self._send(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json")

    def _stream(self, model: str, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")  # HTTP/1.0: the body ends when the connection closes
        self.end_headers()
        n = self.owner.piece_chars
        deltas = [{"role": "assistant", "content": ""}] + [{"content": text[i : i + n]} for i in range(0, len(text), n)]
        for i, delta in enumerate(deltas):
            last = i == len(deltas) - 1
            chunk = {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if last else None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode("utf-8"))
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _error(self, status: int, message: str) -> None:
        body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
        self._send(status, json.dumps(body).encode("utf-8"), "application/json")

    def _send(self, status: int, data: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# ---- reading the request ----------------------------------------------------------------------
_BLOCK = re.compile(r'<证据 编号="(\d+)">\n(.*?)\n</证据>', re.S)


def evidence_of(messages: list[dict[str, Any]]) -> dict[int, str]:
    """The numbered evidence passages the client put, between <证据 编号="n"> and </证据>, in its last user message."""
    user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    return {int(m.group(1)): m.group(2).strip() for m in _BLOCK.finditer(user)}


def _same_colons(s: str) -> str:
    return s.replace("：", ":").replace("∶", ":")


# ---- scripted models ----------------------------------------------------------------------------
def quote_evidence(needle: str, extra: str = "") -> Behaviour:
    """A faithful model: the evidence sentence containing needle, cited with its number, then extra."""

    def reply(messages: list[dict[str, Any]]) -> str:
        for n, text in sorted(evidence_of(messages).items()):
            for sentence in re.split(r"(?<=[。！？])", text):
                if _same_colons(needle) in _same_colons(sentence):
                    return sentence.strip().rstrip("。") + f"[{n}]。" + extra.replace("{n}", str(n))
        return "文件中没有找到相关内容。"

    return reply


def fixed(text: str) -> Behaviour:
    """A model that always says text, whatever the evidence."""
    return lambda messages: text


def http_error(status: int, message: str = "stub failure") -> Behaviour:
    def reply(messages: list[dict[str, Any]]) -> str:
        raise StubHTTPError(status, message)

    return reply


def hang(stub_release: threading.Event, seconds: float = 30.0) -> Behaviour:
    """A model that does not answer until the stub stops (or seconds pass): for client timeouts."""

    def reply(messages: list[dict[str, Any]]) -> str:
        stub_release.wait(seconds)
        return "太晚了。"

    return reply


def closed_port_url() -> str:
    """A loopback base URL nobody listens on (the port was just free and is closed again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


OpenAIStub.handler = _Handler
