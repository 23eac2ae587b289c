"""`openai:MODEL` embedder: any OpenAI-compatible /v1/embeddings server (vLLM, TEI, Ollama, Xinference).

Batches of `batch_size` texts, at most `concurrency` requests in flight, retries with exponential backoff on
connection errors, timeouts, 429 and 5xx; everything else fails at once with a Chinese message. Standard library
HTTP only, so the core install gains no dependency.
"""
from __future__ import annotations

import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .embed import BaseEmbedder, EmbedderError, _normalise

log = logging.getLogger(__name__)
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAIEmbedder(BaseEmbedder):
    """Vectors from a remote embeddings endpoint; the id is `openai:MODEL`, the dimension is asked once at start.

    >>> e = OpenAIEmbedder("bge-m3", "http://gpu-box:8000/v1")          # doctest: +SKIP
    >>> e.encode_passages(["医共体", "医联体"]).shape                     # doctest: +SKIP
    (2, 1024)
    """

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str = "EMPTY",
        *,
        batch_size: int = 16,
        concurrency: int = 4,
        retries: int = 3,
        timeout: float = 60.0,
        query_instruction: str = "",
        backoff: float = 0.5,
    ) -> None:
        model, base_url = (model or "").strip(), (base_url or "").strip().rstrip("/")
        if not model:
            raise EmbedderError("openai: 后面要写嵌入模型名，例如 openai:bge-m3")
        if not base_url.startswith(("http://", "https://")):
            raise EmbedderError(f"嵌入服务地址必须以 http:// 或 https:// 开头（设置 embed_base_url），得到 {base_url!r}")
        if batch_size < 1 or concurrency < 1 or retries < 0 or timeout <= 0:
            raise EmbedderError("embed_batch、embed_concurrency 须 ≥ 1，embed_retries ≥ 0，embed_timeout > 0")
        self.model = model
        self.url = base_url + "/embeddings"
        self.base_url = base_url
        self.api_key = api_key
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.retries = retries
        self.timeout = timeout
        self.backoff = backoff
        self.query_instruction = query_instruction
        self.id = f"openai:{model}"
        # Fail fast (before a long build, at server start) and learn the dimension the index must hold.
        self.dim = len(self._post(["维度探测"])[0])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        batches = [list(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        if len(batches) == 1 or self.concurrency == 1:
            parts = [self._post(b) for b in batches]
        else:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(batches))) as pool:
                parts = list(pool.map(self._post, batches))
        return _normalise(np.concatenate(parts, axis=0))

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(self._post([self.query_instruction + text])[0])

    # ---- HTTP ---------------------------------------------------------------------------------------
    def _post(self, texts: list[str]) -> np.ndarray:
        """One request with retries: (len(texts), dim) float32."""
        # Some servers reject empty strings; a space embeds as "nothing" everywhere.
        body = json.dumps({"model": self.model, "input": [t if t.strip() else " " for t in texts],
                           "encoding_format": "float"}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key or 'EMPTY'}"}
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                delay = min(self.backoff * 2 ** (attempt - 1), 8.0)
                time.sleep(delay * (0.5 + random.random() / 2))  # jitter: parallel requests do not retry in step
            try:
                req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    payload = json.loads(resp.read().decode("utf-8"))
                return self._vectors(payload, len(texts))
            except urllib.error.HTTPError as exc:
                message = _server_message(exc)
                if exc.code not in _RETRY_STATUS:
                    raise EmbedderError(self._refused(exc.code, message)) from exc
                reason = f"HTTP {exc.code} {message}".strip()
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
                inner = getattr(exc, "reason", exc)
                reason = "超时" if isinstance(inner, (socket.timeout, TimeoutError)) else str(inner)
            except ValueError as exc:  # not JSON
                raise EmbedderError(f"嵌入服务 {self.url} 的回复不是 JSON（{exc}）。请确认地址指向 /v1 接口。") from exc
            log.info("embedding request failed (%s), attempt %d of %d", reason, attempt + 1, self.retries + 1)
        raise EmbedderError(
            f"无法连接嵌入服务 {self.base_url}（{reason}；已重试 {self.retries} 次）。"
            "请确认服务已启动、地址正确（设置 embed_base_url）。"
        )

    def _refused(self, status: int, message: str) -> str:
        if status in (401, 403):
            return f"嵌入服务 {self.base_url} 拒绝了密钥（HTTP {status}）。请检查设置 embed_api_key。"
        if status == 404:
            return f"嵌入服务 {self.base_url} 没有模型 {self.model} 或没有 /embeddings 接口（HTTP 404：{message}）。"
        return f"嵌入服务 {self.base_url} 拒绝了请求（HTTP {status}：{message}）。"

    def _vectors(self, payload, n: int) -> np.ndarray:
        try:
            data = sorted(payload["data"], key=lambda d: d.get("index", 0))
            out = np.asarray([d["embedding"] for d in data], dtype=np.float32)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EmbedderError(f"嵌入服务 {self.url} 的回复格式不对（缺少 data[].embedding）。") from exc
        if out.ndim != 2 or len(out) != n or (getattr(self, "dim", 0) and out.shape[1] != self.dim):
            raise EmbedderError(f"嵌入服务返回了 {out.shape} 个数值，应为 {n} 条、每条 {getattr(self, 'dim', 0) or '固定'} 维。")
        return out


def _server_message(exc: urllib.error.HTTPError) -> str:
    """The `error.message` of an OpenAI-style error body, else the start of the body."""
    try:
        raw = exc.read().decode("utf-8", "replace")
    except Exception:
        return exc.reason or ""
    try:
        err = json.loads(raw).get("error")
        msg = err.get("message") if isinstance(err, dict) else err
        return str(msg or raw)[:200]
    except (ValueError, AttributeError):
        return raw.strip()[:200]
