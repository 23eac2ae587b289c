"""A small OpenAI-compatible /v1/embeddings server on 127.0.0.1 for tests: fake-embedder vectors, scripted failures."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from assistant.embed import FakeEmbedder
from openai_stub import LoopbackStub


class EmbeddingStub(LoopbackStub):
    """POST /v1/embeddings answered with FakeEmbedder vectors of the requested texts (models named in `models`).

    `fail_first` requests get HTTP `fail_status` first (then it answers); `key` set = other bearer keys get 401.
    `delay` seconds per request make requests overlap, so `max_in_flight` shows the client's concurrency.

    >>> with EmbeddingStub(dim=32) as stub:                                   # doctest: +SKIP
    ...     OpenAIEmbedder("fake-emb", stub.base_url).encode_query("医共体").shape
    (32,)
    """

    def __init__(self, dim: int = 64, models: tuple[str, ...] = ("fake-emb",), fail_first: int = 0, fail_status: int = 503,
                 key: str = "", delay: float = 0.0) -> None:
        self.fake = FakeEmbedder(dim)
        self.models = models
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.key = key
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    thread_name = "embedding-stub"

    def answer(self, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(body)
            failing = len(self.requests) <= self.fail_first
        if failing:
            return self.fail_status, {"error": {"message": "stub is busy", "type": "server_error"}}
        if self.key and auth != f"Bearer {self.key}":
            return 401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
        if body.get("model") not in self.models:
            return 404, {"error": {"message": f"The model `{body.get('model')}` does not exist"}}
        texts = body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        vectors = self.fake.encode_passages(list(texts))
        # Reversed on purpose: clients must order by `index`, as the OpenAI format allows any order.
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)][::-1]
        return 200, {"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 0, "total_tokens": 0}}


class _Handler(BaseHTTPRequestHandler):
    owner: EmbeddingStub

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        owner = self.owner
        with owner._lock:
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
        try:
            if owner.delay:
                time.sleep(owner.delay)
            if self.path.rstrip("/") != "/v1/embeddings":
                status, payload = 404, {"error": {"message": f"no route {self.path}"}}
            else:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                status, payload = owner.answer(body, self.headers.get("Authorization", ""))
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with owner._lock:
                owner.in_flight -= 1


EmbeddingStub.handler = _Handler
