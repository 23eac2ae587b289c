"""Access guards as pure ASGI middleware: the API key of /v1 routes and a per-client backoff on the web login."""
from __future__ import annotations

import hmac
import json
import threading
import time
from collections import OrderedDict
from typing import Callable

from .errors import error_response

KEY_MESSAGE = "缺少或错误的 API 密钥：请在请求头中加入 Authorization: Bearer <api_key>（OpenAI SDK 中即 api_key 参数）。"


class ApiKey:
    """Every /v1 route answers only requests carrying `Authorization: Bearer <key>`; /healthz stays open.

    The OpenAI SDK sends its api_key exactly this way, so clients configure the key as usual.
    """

    def __init__(self, app, key: str) -> None:
        self.app = app
        self.expected = f"Bearer {key}".encode("utf-8")

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == "/v1" or path.startswith("/v1/"):
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):  # constant time: no key guessing by timing
                response = error_response(401, KEY_MESSAGE, "invalid_request_error")
                response.headers["WWW-Authenticate"] = "Bearer"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class LoginBackoff:
    """Per-client backoff on gradio's POST /login: after `free` failed attempts each further one must wait
    base·2^k seconds (at most cap), counted from the previous attempt; a success clears the client.

    An attempt is counted when it starts, so a burst of parallel guesses gets no more tries than a slow one.
    Clients are told apart by their address; the table is bounded (oldest clients forgotten first).
    """

    def __init__(self, app, free: int = 3, base: float = 1.0, cap: float = 300.0, max_clients: int = 10000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.free, self.base, self.cap, self.max_clients = free, base, cap, max_clients
        self.clock = clock
        self._state: OrderedDict[str, tuple[int, float]] = OrderedDict()  # client -> (failures, next allowed)
        self._lock = threading.Lock()

    # ---- the policy ------------------------------------------------------------------------------
    def wait(self, client: str) -> float:
        """Seconds this client must still wait before its next attempt (0: go ahead)."""
        with self._lock:
            _, allowed = self._state.get(client, (0, 0.0))
        return max(0.0, allowed - self.clock())

    def failed(self, client: str) -> None:
        with self._lock:
            failures = self._state.pop(client, (0, 0.0))[0] + 1
            extra = failures - self.free
            delay = min(self.cap, self.base * 2 ** (extra - 1)) if extra > 0 else 0.0
            self._state[client] = (failures, self.clock() + delay)
            while len(self._state) > self.max_clients:
                self._state.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._state.pop(client, None)

    # ---- ASGI --------------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path", "").rstrip("/") != "/login":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.wait(client)
        if wait > 0:
            body = json.dumps({"detail": f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。"}, ensure_ascii=False)
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                    (b"retry-after", str(int(wait) + 1).encode())]})
            await send({"type": "http.response.body", "body": body.encode("utf-8")})
            return
        self.failed(client)  # counted up front; a success below clears it

        async def watch(message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 400:
                self.succeeded(client)
            await send(message)

        await self.app(scope, receive, watch)


__all__ = ["ApiKey", "KEY_MESSAGE", "LoginBackoff"]
