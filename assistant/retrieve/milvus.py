"""The `milvus` backend: one collection per build holding dense vectors and client-side BM25 sparse vectors.

The sparse vector of a chunk is its row of the bm25s weight matrix (retrieve/bm25.py) and a query's sparse vector
counts its own jieba tokens, so the inner product Milvus computes is the bm25s score: keyword results match the
faiss backend and no server analyzer is involved. Metadata filters become Milvus expressions.

The URI is a local file ending in .db (milvus-lite, for tests and small corpora) or http://host:19530.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..types import Chunk
from .backend import BackendError

log = logging.getLogger(__name__)

STORED = ("doc_id", "source", "kind", "region", "title", "date")  # chunk fields a filter can name directly
VOCAB_FILE = "milvus_vocab.json"
_EMPTY_TERM = 2**32 - 2  # Milvus refuses an empty sparse vector; no query ever holds this term
_INSERT_ROWS = 500
_MAX_LIMIT = 16384  # Milvus's largest top-k


def is_local(uri: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*://", uri.strip(), re.I)


def resolve_uri(uri: str) -> str:
    """A local file becomes an absolute path (the manifest must work from any folder); URLs stay as they are."""
    uri = uri.strip()
    if not uri:
        raise BackendError("Milvus 地址为空：请用 --uri 或设置 milvus_uri 指定（本地文件 *.db 或 http://主机:19530）。")
    if not is_local(uri):
        return uri
    path = Path(uri).expanduser().resolve()
    if path.suffix != ".db":
        raise BackendError(f"Milvus 本地文件名必须以 .db 结尾（milvus-lite 的要求），得到 {uri}")
    return str(path)


def connect(uri: str, token: str = "", timeout: float = 10.0):
    """A MilvusClient, or a BackendError saying in Chinese what is wrong (missing package, unreachable URI)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise BackendError("milvus 后端需要 pymilvus：pip install 'policy-assistant[milvus]'") from exc
    # pymilvus and milvus-lite log each failure with a traceback; the user gets one Chinese line instead.
    for name in ("pymilvus", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if is_local(uri):
        try:
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendError(f"无法创建 Milvus 本地文件目录 {Path(uri).parent}: {exc.strerror or exc}") from exc
    try:
        return MilvusClient(uri=uri, token=token, timeout=timeout)
    except Exception as exc:  # grpc, milvus-lite start-up and socket errors have no common base
        if is_local(uri):
            raise BackendError(f"无法打开 Milvus 本地文件 {uri}（{_reason(exc)}）。milvus-lite 的文件同一时间只能由一个进程打开："
                               "请先停止正在使用它的 serve/web/build，或检查路径可写。") from exc
        raise BackendError(f"无法连接 Milvus {uri}（{_reason(exc)}）。请确认服务已启动、地址正确（--uri 或设置 milvus_uri）。") from exc


def _reason(exc: BaseException) -> str:
    msg = str(getattr(exc, "message", "") or exc).strip().splitlines()
    return (msg[0][:200] if msg else "") or type(exc).__name__


def collection_name(prefix: str, build: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_]", "_", f"{prefix}_{build}")
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


class MilvusWriter:
    """Writes one build's chunks into a new collection; after the build is published, older ones are dropped.

    >>> w = MilvusWriter("index/milvus.db")                                            # doctest: +SKIP
    >>> info = w.write(folder, "b-2026…", chunks, bm25_index, vectors); w.publish(info)  # doctest: +SKIP
    """

    def __init__(self, uri: str, prefix: str = "policy_assistant", token: str = "", timeout: float = 10.0,
                 hnsw_threshold: int = 50000) -> None:
        self.uri = resolve_uri(uri)
        self.prefix = prefix
        self.token = token
        self.hnsw_threshold = hnsw_threshold
        self.client = connect(self.uri, token, timeout)  # fail before the slow embedding, not after it

    def write(self, folder: Path, build: str, chunks: Sequence[Chunk], bm25, vectors: np.ndarray | None) -> dict[str, Any]:
        """Create and fill the collection of this build; returns what the manifest records about it."""
        from pymilvus import DataType

        weights, vocab = bm25.weights()
        (Path(folder) / VOCAB_FILE).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        name = collection_name(self.prefix, build)
        dense = vectors is not None and len(vectors) > 0
        dim = int(vectors.shape[1]) if dense else 0
        c = self.client
        try:
            if c.has_collection(name):
                c.drop_collection(name)
            schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("pos", DataType.INT64, is_primary=True)
            for f in STORED:
                schema.add_field(f, DataType.VARCHAR, max_length=65535)
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            if dense:
                schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
            index = c.prepare_index_params()
            index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
            # Exact search below faiss's HNSW threshold too (same results); milvus-lite only ever holds small data.
            dense_index = "HNSW" if len(chunks) >= self.hnsw_threshold and not is_local(self.uri) else "FLAT"
            if dense:
                params = {"M": 32, "efConstruction": 200} if dense_index == "HNSW" else {}
                index.add_index("dense", index_type=dense_index, metric_type="IP", params=params)
            c.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")
            for start in range(0, len(chunks), _INSERT_ROWS):
                end = min(start + _INSERT_ROWS, len(chunks))
                c.insert(name, list(self._rows(chunks, weights, vectors if dense else None, start, end)))
            c.flush(name)
            c.load_collection(name)
        except BackendError:
            raise
        except Exception as exc:
            self.discard({"collection": name})
            raise BackendError(f"写入 Milvus {self.uri} 失败（{_reason(exc)}）。") from exc
        return {"name": "milvus", "uri": self.uri, "collection": name, "dense_index": dense_index if dense else ""}

    @staticmethod
    def _rows(chunks, weights, vectors, start: int, end: int) -> Iterable[dict[str, Any]]:
        for i in range(start, end):
            c = chunks[i]
            lo, hi = weights.indptr[i], weights.indptr[i + 1]
            sparse = {int(t): float(w) for t, w in zip(weights.indices[lo:hi], weights.data[lo:hi]) if w > 0}
            row = {"pos": i, "sparse": sparse or {_EMPTY_TERM: 1e-30}}
            row.update({f: str(getattr(c, f, "") or "") for f in STORED})
            if vectors is not None:
                row["dense"] = np.asarray(vectors[i], dtype=np.float32).tolist()
            yield row

    def publish(self, info: dict[str, Any]) -> None:
        """Drop this prefix's collections of older builds (names sort by build time), as the index folder prunes."""
        current = info["collection"]
        head = collection_name(self.prefix, "b_")
        try:
            for name in self.client.list_collections():
                if name.startswith(head) and name < current:
                    self.client.drop_collection(name)
        except Exception as exc:  # the build is published; a leftover collection only wastes space
            log.warning("could not drop old Milvus collections: %s", _reason(exc))
        self.close()  # a milvus-lite file is free for the server as soon as the build is done

    def discard(self, info: dict[str, Any]) -> None:
        try:
            if self.client.has_collection(info["collection"]):
                self.client.drop_collection(info["collection"])
        except Exception as exc:
            log.warning("could not drop Milvus collection %s: %s", info["collection"], _reason(exc))
        self.close()

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:
            pass


class MilvusBackend:
    """SearchBackend over one build's collection.

    >>> b = MilvusBackend.open(index.path, index.manifest["backend"], index.chunks)   # doctest: +SKIP
    >>> bm25_map, dense_map = b.candidates(["结余"], qv, {"kind": ["方案"]}, 30)     # doctest: +SKIP
    """

    name = "milvus"
    has_keyword = True

    def __init__(self, client, collection: str, vocab: Mapping[str, int], chunks: Sequence[Chunk], has_dense: bool,
                 dense_index: str = "FLAT", uri: str = "") -> None:
        self.client = client
        self.collection = collection
        self.vocab = dict(vocab)
        self.chunks = chunks
        self.has_dense = has_dense
        self.dense_index = dense_index
        self.uri = uri

    @classmethod
    def open(cls, folder: Path, info: Mapping[str, Any], chunks: Sequence[Chunk], uri: str = "", token: str = "",
             timeout: float = 10.0) -> "MilvusBackend":
        """Connect to the collection a build's manifest names; `uri` overrides the recorded one (another host)."""
        uri = resolve_uri(uri or str(info.get("uri", "")))
        collection = str(info.get("collection", ""))
        try:
            vocab = json.loads((Path(folder) / VOCAB_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackendError(f"索引缺少 {VOCAB_FILE}（{type(exc).__name__}），请重建索引。") from exc
        client = connect(uri, token, timeout)
        try:
            if not client.has_collection(collection):
                raise BackendError(f"Milvus {uri} 中没有集合 {collection}（索引的向量不在这里），请重建索引或检查 milvus_uri。")
            client.load_collection(collection)
            rows = int(client.get_collection_stats(collection).get("row_count", -1))
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"无法读取 Milvus 集合 {collection}（{_reason(exc)}）。") from exc
        if rows != len(chunks):
            raise BackendError(f"Milvus 集合 {collection} 有 {rows} 行，索引有 {len(chunks)} 个段落，请重建索引。")
        return cls(client, collection, vocab, chunks, bool(info.get("dense_index")), str(info.get("dense_index")), uri)

    # ---- search ---------------------------------------------------------------------------------
    def candidates(
        self, tokens: list[str] | None, vector: np.ndarray | None, filters: Mapping[str, Any] | None, n: int
    ) -> tuple[dict[int, float], dict[int, float]]:
        expr = self.expression(filters)
        if expr == "false":
            return {}, {}
        query = {t: float(c) for t, c in Counter(self.vocab[t] for t in tokens or () if t in self.vocab).items()}
        bm25_map: dict[int, float] = {}
        dense_map: dict[int, float] = {}
        limit = min(2 * n, _MAX_LIMIT)  # a margin, so ties at the cut are broken by position as faiss does
        if query:
            found = self._search("sparse", query, limit, expr, {"drop_ratio_search": 0.0})
            bm25_map = dict(sorted(((i, s) for i, s in found if s > 0), key=lambda p: (-p[1], p[0]))[:n])
        if vector is not None and self.has_dense:
            vec = np.asarray(vector, dtype=np.float32).reshape(-1)
            search = {"ef": max(128, limit)} if self.dense_index == "HNSW" else {}
            found = self._search("dense", vec.tolist(), limit, expr, search)
            dense_map = dict(sorted(found, key=lambda p: (-p[1], p[0]))[:n])
        if tokens is not None and vector is not None and self.has_dense:
            self._fill(query, vector, bm25_map, dense_map)
        return bm25_map, dense_map

    def _search(self, field: str, data, limit: int, expr: str, search: dict) -> list[tuple[int, float]]:
        try:
            res = self.client.search(
                self.collection, data=[data], anns_field=field, limit=limit, filter=expr,
                output_fields=["pos"], search_params={"metric_type": "IP", "params": search},
            )
        except Exception as exc:
            raise BackendError(f"Milvus 检索失败（{_reason(exc)}）。请确认 Milvus 服务 {self.uri} 可用。") from exc
        return [(int(h["pos"]), float(h["distance"])) for h in res[0]]

    def _fill(self, query: dict[int, float], vector: np.ndarray, bm25_map: dict[int, float], dense_map: dict[int, float]) -> None:
        """Score each side's candidates on the other side, from their stored vectors (as faiss reconstructs)."""
        pool = sorted(set(bm25_map) | set(dense_map))
        missing = [i for i in pool if i not in bm25_map or i not in dense_map]
        if not missing:
            return
        try:
            rows = self.client.get(self.collection, ids=missing, output_fields=["pos", "sparse", "dense"])
        except Exception as exc:
            raise BackendError(f"Milvus 读取向量失败（{_reason(exc)}）。请确认 Milvus 服务 {self.uri} 可用。") from exc
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        for row in rows:
            i = int(row["pos"])
            if i not in dense_map:
                dense_map[i] = float(np.asarray(row["dense"], dtype=np.float32) @ q)
            if i not in bm25_map:
                sparse = _sparse_dict(row["sparse"])
                bm25_map[i] = float(np.float32(sum(np.float32(sparse.get(t, 0.0)) * c for t, c in query.items())))

    # ---- filters --------------------------------------------------------------------------------
    def expression(self, filters: Mapping[str, Any] | None) -> str:
        """A Milvus filter with the meaning of Retriever._mask: values of a field are alternatives, fields all hold;
        region matches by substring. "" = no filter; "false" = nothing can match."""
        parts: list[str] = []
        for key, wanted in (filters or {}).items():
            if wanted in (None, "", [], ()):
                continue
            values = [str(v) for v in ([wanted] if isinstance(wanted, str) else list(wanted))]
            if key == "region":
                likes = [v for v in values if v]
                if not likes:
                    return "false"
                parts.append("(" + " or ".join(f"region like {_literal('%' + _like_escape(v) + '%')}" for v in likes) + ")")
            elif key in STORED:
                parts.append(f"{key} in [{', '.join(_literal(v) for v in values)}]")
            else:  # any other chunk field: the matching positions, found here
                positions = [i for i, c in enumerate(self.chunks) if str(getattr(c, key, "") or "") in values]
                if not positions:
                    return "false"
                parts.append(f"pos in {positions}")
        return " and ".join(parts)

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:
            pass


def _literal(value: str) -> str:
    """A Milvus string literal (double quotes, backslash escapes: the JSON form)."""
    return json.dumps(value, ensure_ascii=False)


def _like_escape(value: str) -> str:
    return re.sub(r"([%_\\])", r"\\\1", value)


def _sparse_dict(value) -> dict[int, float]:
    """A sparse vector as returned by pymilvus (a dict, or a scipy row) as {term: weight}."""
    if isinstance(value, Mapping):
        return {int(k): float(v) for k, v in value.items()}
    row = value.tocsr() if hasattr(value, "tocsr") else value
    return {int(k): float(v) for k, v in zip(row.indices, row.data)}
