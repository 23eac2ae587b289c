"""The index folder: versioned builds behind an atomically swapped CURRENT pointer, with a manifest.

Layout::

    index/CURRENT                 name of the live build folder (replaced with os.replace)
    index/b-<time>-<rand>/manifest.json, documents.jsonl, chunks.jsonl, dense.faiss (+ dense_rows.npy), bm25/,
        embed_keys.json, sentence_vectors.npy + sentence_spans.npy + sentences.json, and the per-chunk and
        per-document tables computed at build time (tables.py: tokens, paragraph counts, match forms, idf)

Each vector is stored once: chunk vectors live in dense.faiss only. No pickle is ever loaded: JSON, numpy arrays
with allow_pickle=False, faiss's and bm25s's own formats.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .integrity import damaged_files, file_checksums
from .types import Chunk, DocRecord

log = logging.getLogger(__name__)
# 2: vectors only in dense.faiss, build-time tables (tokens, idf, match forms), sentence spans as arrays.
FORMAT_VERSION = 2
POINTER = "CURRENT"
_PREFIX = "b-"
_TMP_PREFIX = ".tmp-"


class IndexError_(RuntimeError):
    """A missing, corrupt or mismatched index; the message names the fix and is shown as is."""


def rebuild_hint(index_dir: Path | str, corpus_dir: Path | str | None = None) -> str:
    # Outside the project folder there is no ./corpus to default to: the hint always names the corpus.
    corpus = corpus_dir or ("corpus" if Path("corpus").is_dir() else "语料目录")
    return f"请运行 `assistant build --corpus {corpus} --index {index_dir}` 重建索引"


@dataclass
class IndexData:
    """Everything a loaded build holds; vectors (read from dense.faiss when asked for) are aligned with chunks."""

    path: Path
    manifest: dict[str, Any]
    documents: list[DocRecord]
    chunks: list[Chunk]
    vectors: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def document(self, key: str) -> DocRecord | None:
        """A document by source path or doc id."""
        for d in self.documents:
            if key in (d.source, d.doc_id):
                return d
        return None


def _write_jsonl(path: Path, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> None:
    with path.open("wb") as fh:
        for row in rows:
            fh.write(_dumps(row) + b"\n")


def _dumps(row: dict[str, Any]) -> bytes:
    return _fast_dumps(row) if _fast_dumps is not None else json.dumps(row, ensure_ascii=False).encode("utf-8")


def _fields(record) -> dict[str, Any]:
    """A dataclass's fields as a dict without asdict's deep copy (a tenth of the time on 100k chunks)."""
    return dict(vars(record))


try:  # a dependency of langsmith (langchain-core): several times faster on a large index's chunk list
    from orjson import dumps as _fast_dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads, _fast_dumps = json.loads, None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        return [_loads(line) for line in fh if line.strip()]


def ensure_writable(index_dir: Path | str) -> None:
    """Create the index folder if needed and check that files can be written in it."""
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".probe-{secrets.token_hex(4)}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise IndexError_(f"索引目录 {index_dir} 不可写: {exc.strerror or exc}") from exc


class IndexWriter:
    """Writes a new build into a temporary folder and publishes it atomically.

    >>> w = IndexWriter("index")                              # doctest: +SKIP
    >>> w.folder / "chunks.jsonl"; w.commit(manifest)         # doctest: +SKIP
    """

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        ensure_writable(self.index_dir)
        self._sweep_stale()
        # Names sort by creation time (to the nanosecond), so pruning can tell older builds from newer ones.
        now = time.time_ns()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now // 10**9))
        name = f"{_PREFIX}{stamp}-{now % 10**9:09d}{secrets.token_hex(2)}"
        self.name = name
        self.folder = self.index_dir / (_TMP_PREFIX + name)
        self.folder.mkdir()

    def _sweep_stale(self) -> None:
        """Remove temporary folders of builds that were killed midway (older than an hour)."""
        for p in self.index_dir.glob(_TMP_PREFIX + "*"):
            try:
                if time.time() - p.stat().st_mtime > 3600:
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                pass

    def write_records(
        self, documents: list[DocRecord], chunks: list[Chunk], vectors: np.ndarray | None = None,
        embed_keys: list[str] | None = None,
    ) -> None:
        """Documents and chunks; the chunk vectors themselves go into dense.faiss only (`vectors` says whether
        there are any, so that their cache keys are written)."""
        _write_jsonl(self.folder / "documents.jsonl", (_fields(d) for d in documents))
        _write_jsonl(self.folder / "chunks.jsonl", (_fields(c) for c in chunks))
        if vectors is not None:
            (self.folder / "embed_keys.json").write_text(json.dumps(embed_keys or []), encoding="utf-8")

    def write_sentence_vectors(self, spans: list[list[Any]], vectors: np.ndarray, keys: list[str]) -> None:
        """Vectors of the evidence sentences ([doc_id, start, end] each), with their cache keys."""
        doc_ids = list(dict.fromkeys(str(d) for d, _, _ in spans))
        pos = {d: i for i, d in enumerate(doc_ids)}
        table = np.array([[pos[str(d)], int(a), int(b)] for d, a, b in spans], dtype=np.int64).reshape(-1, 3)
        self.write_sentence_table(doc_ids, table, vectors, keys)

    def write_sentence_table(self, doc_ids: list[str], table: np.ndarray, vectors: np.ndarray, keys: list[str]) -> None:
        """The same with spans as an int array (document number into doc_ids, start, end), the form serving loads
        without parsing JSON."""
        np.save(self.folder / "sentence_vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        np.save(self.folder / "sentence_spans.npy", table, allow_pickle=False)
        (self.folder / "sentence_docs.json").write_text(json.dumps(doc_ids), encoding="utf-8")
        (self.folder / "sentences.json").write_text(json.dumps({"keys": keys}), encoding="utf-8")

    def commit(self, manifest: dict[str, Any]) -> Path:
        # Sizes and checksums let loading spot a truncated file and a later build repair a damaged one.
        manifest = {"format_version": FORMAT_VERSION, "build": self.name, **manifest,
                    "checksums": file_checksums(self.folder)}
        (self.folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        final = self.index_dir / self.name
        os.replace(self.folder, final)
        tmp_pointer = self.index_dir / f".{POINTER}.{secrets.token_hex(3)}"
        tmp_pointer.write_text(self.name + "\n", encoding="utf-8")
        os.replace(tmp_pointer, self.index_dir / POINTER)  # the one atomic step that publishes the build
        self._prune(keep={self.name})
        return final

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _prune(self, keep: set[str]) -> None:
        """Remove older builds; a newer one belongs to a concurrent build that is about to publish it."""
        for p in self.index_dir.glob(_PREFIX + "*"):
            if p.name not in keep and p.name < self.name:
                shutil.rmtree(p, ignore_errors=True)


def current_build(index_dir: Path | str) -> Path:
    """The live build folder; raises IndexError_ with the fix when there is none."""
    index_dir = Path(index_dir)
    pointer = index_dir / POINTER
    if not pointer.exists():
        raise IndexError_(f"找不到索引 {index_dir}。{rebuild_hint(index_dir)}")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as exc:  # a folder named CURRENT, unreadable or binary garbage
        raise IndexError_(f"索引 {index_dir} 已损坏（CURRENT 无法读取）。{rebuild_hint(index_dir)}") from exc
    folder = index_dir / name
    if not name or "/" in name or "\\" in name or name in (".", "..") or not folder.is_dir():
        raise IndexError_(f"索引 {index_dir} 已损坏（CURRENT 指向不存在的目录）。{rebuild_hint(index_dir)}")
    return folder


def read_manifest(index_dir: Path | str) -> dict[str, Any]:
    folder = current_build(index_dir)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexError_(f"索引 {index_dir} 已损坏（manifest.json 无法读取）。{rebuild_hint(index_dir)}") from exc
    if not isinstance(manifest, dict):
        raise IndexError_(f"索引 {index_dir} 已损坏（manifest.json 不是对象）。{rebuild_hint(index_dir)}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexError_(
            f"索引 {index_dir} 的格式版本 {manifest.get('format_version')} 与程序 ({FORMAT_VERSION}) 不符。{rebuild_hint(index_dir)}"
        )
    return manifest


def load_index(index_dir: Path | str, with_vectors: bool = True, unchecked: frozenset[str] = frozenset()) -> IndexData:
    """Load documents, chunks and (with_vectors) chunk vectors and build caches, checking that the files agree
    with the manifest. Serving passes with_vectors=False: its vectors stay inside the faiss index, and sentence
    vectors are memory-mapped (extra["sentence_index"])."""
    folder = current_build(index_dir)
    manifest = read_manifest(index_dir)
    # Sizes only (a stat each): a truncated or 0-byte file is named here instead of failing deep inside numpy or
    # faiss. A build passes the damaged caches it will redo as `unchecked`.
    wanted = ["documents.jsonl", "chunks.jsonl", "dense.faiss", "sentence_vectors.npy", "sentence_spans.npy"]
    broken = damaged_files(folder, manifest, [n for n in wanted if n not in unchecked], full=False)
    if broken:
        raise IndexError_(f"索引 {index_dir} 已损坏（{'、'.join(broken)} 不完整）。{rebuild_hint(index_dir)}")
    try:
        documents = [DocRecord.from_dict(d) for d in _read_jsonl(folder / "documents.jsonl")]
        chunks = [Chunk.from_dict(c) for c in _read_jsonl(folder / "chunks.jsonl")]
        vectors = None
        if with_vectors and (folder / "dense.faiss").exists():
            vectors = _chunk_vectors(folder)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, EOFError) as exc:  # np.load of a 0-byte file: EOFError
        raise IndexError_(f"索引 {index_dir} 已损坏（{type(exc).__name__}）。{rebuild_hint(index_dir)}") from exc
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or counts.get("chunks") != len(chunks) or counts.get("documents") != len(documents):
        raise IndexError_(f"索引 {index_dir} 已损坏（文件与清单不一致）。{rebuild_hint(index_dir)}")
    if vectors is not None and vectors.shape[0] != len(chunks):
        raise IndexError_(f"索引 {index_dir} 已损坏（向量数与段落数不一致）。{rebuild_hint(index_dir)}")
    extra: dict[str, Any] = {}
    if with_vectors and (folder / "embed_keys.json").exists():
        try:
            extra["embed_keys"] = _loads((folder / "embed_keys.json").read_bytes())
        except ValueError:
            extra["embed_keys"] = []  # only a cache: a damaged one means re-embedding, not a broken index
    if (folder / "sentence_vectors.npy").exists():
        try:
            svec = np.load(folder / "sentence_vectors.npy", allow_pickle=False, mmap_mode="r")
            table = np.load(folder / "sentence_spans.npy", allow_pickle=False)
            doc_ids = json.loads((folder / "sentence_docs.json").read_text(encoding="utf-8"))
            if with_vectors:
                keys = _loads((folder / "sentences.json").read_bytes())["keys"]
                if len(table) == len(svec) == len(keys):
                    spans = [[doc_ids[d], a, b] for d, a, b in table.tolist()]
                    extra["sentence_vectors"] = (spans, np.asarray(svec), keys)
            if len(table) == len(svec) and (table.ndim == 2 and table.shape[1] == 3):
                extra["sentence_index"] = (doc_ids, table, svec)
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError):
            log.warning("sentence vectors of %s unreadable; answers rank sentences by words only", index_dir)
    from .tables import CorpusTables

    extra["tables"] = CorpusTables(folder)
    return IndexData(folder, manifest, documents, chunks, vectors, extra)


def load_reusable(index_dir: Path | str) -> tuple[IndexData | None, list[str]]:
    """(the live build as far as a new build may reuse it, the damaged files to rebuild).

    Every file is checked against its manifest checksum. Damaged keyword or dense index files are simply
    rebuilt; damaged vectors are re-embedded; damaged records or an unreadable build mean starting afresh.
    """
    index_dir = Path(index_dir)
    try:
        folder = current_build(index_dir)
        manifest = read_manifest(index_dir)
    except IndexError_:
        exists = (index_dir / POINTER).exists()
        return None, (["CURRENT/manifest.json"] if exists else [])
    damaged = damaged_files(folder, manifest)
    if {"documents.jsonl", "chunks.jsonl"} & set(damaged):
        return None, damaged
    try:
        # Vectors are the build's to read (build_parts._load_caches), skipping the damaged ones.
        return load_index(index_dir, with_vectors=False, unchecked=frozenset(damaged)), damaged
    except IndexError_ as exc:
        log.warning("previous build unusable, building afresh: %s", exc)
        return None, damaged or [folder.name]


def _chunk_vectors(folder: Path) -> np.ndarray:
    """Chunk vectors in chunk order, read back from the faiss index (their one stored copy)."""
    from .retrieve.dense import DenseIndex

    return DenseIndex.load(folder / "dense.faiss").chunk_vectors()
