"""The index folder: versioned builds behind an atomically swapped CURRENT pointer, with a manifest.

Layout::

    index/CURRENT                 name of the live build folder (replaced with os.replace)
    index/b-<time>-<rand>/manifest.json, documents.jsonl, chunks.jsonl, vectors.npy, dense.faiss, bm25/

No pickle is ever loaded: JSON, numpy arrays with allow_pickle=False, faiss's and bm25s's own formats.
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
FORMAT_VERSION = 1
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
    """Everything a loaded build holds; vectors are aligned with chunks."""

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
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


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
        self, documents: list[DocRecord], chunks: list[Chunk], vectors: np.ndarray | None, embed_keys: list[str] | None = None
    ) -> None:
        _write_jsonl(self.folder / "documents.jsonl", (d.to_dict() for d in documents))
        _write_jsonl(self.folder / "chunks.jsonl", (c.to_dict() for c in chunks))
        if vectors is not None:
            np.save(self.folder / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
            (self.folder / "embed_keys.json").write_text(json.dumps(embed_keys or []), encoding="utf-8")

    def write_sentence_vectors(self, spans: list[list[Any]], vectors: np.ndarray, keys: list[str]) -> None:
        """Vectors of the evidence sentences ([doc_id, start, end] each), with their cache keys."""
        np.save(self.folder / "sentence_vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        (self.folder / "sentences.json").write_text(json.dumps({"spans": spans, "keys": keys}), encoding="utf-8")

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


def load_index(index_dir: Path | str, with_vectors: bool = True) -> IndexData:
    """Load documents, chunks and vectors, checking that the files agree with the manifest."""
    folder = current_build(index_dir)
    manifest = read_manifest(index_dir)
    wanted = ["documents.jsonl", "chunks.jsonl"]
    if with_vectors:  # embed_keys.json and sentences.json are caches: damaged, they cost re-embedding only
        wanted += ["vectors.npy", "sentence_vectors.npy"]
    broken = damaged_files(folder, manifest, wanted, full=False)
    if broken:
        raise IndexError_(f"索引 {index_dir} 已损坏（{'、'.join(broken)} 不完整）。{rebuild_hint(index_dir)}")
    try:
        documents = [DocRecord.from_dict(d) for d in _read_jsonl(folder / "documents.jsonl")]
        chunks = [Chunk.from_dict(c) for c in _read_jsonl(folder / "chunks.jsonl")]
        vectors = None
        if with_vectors and (folder / "vectors.npy").exists():
            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError, TypeError, KeyError, EOFError) as exc:  # np.load of a 0-byte file: EOFError
        raise IndexError_(f"索引 {index_dir} 已损坏（{type(exc).__name__}）。{rebuild_hint(index_dir)}") from exc
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or counts.get("chunks") != len(chunks) or counts.get("documents") != len(documents):
        raise IndexError_(f"索引 {index_dir} 已损坏（文件与清单不一致）。{rebuild_hint(index_dir)}")
    if vectors is not None and vectors.shape[0] != len(chunks):
        raise IndexError_(f"索引 {index_dir} 已损坏（向量数与段落数不一致）。{rebuild_hint(index_dir)}")
    extra: dict[str, Any] = {}
    if with_vectors and (folder / "embed_keys.json").exists():
        try:
            extra["embed_keys"] = json.loads((folder / "embed_keys.json").read_text(encoding="utf-8"))
        except ValueError:
            extra["embed_keys"] = []  # only a cache: a damaged one means re-embedding, not a broken index
    if with_vectors and (folder / "sentence_vectors.npy").exists():
        try:
            meta = json.loads((folder / "sentences.json").read_text(encoding="utf-8"))
            svec = np.load(folder / "sentence_vectors.npy", allow_pickle=False)
            if len(meta["spans"]) == len(svec) == len(meta["keys"]):
                extra["sentence_vectors"] = (meta["spans"], svec, meta["keys"])
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            log.warning("sentence vectors of %s unreadable; answers rank sentences by words only", index_dir)
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
    caches = {"vectors.npy", "embed_keys.json", "sentence_vectors.npy", "sentences.json"}
    try:
        return load_index(index_dir, with_vectors=not (caches & set(damaged))), damaged
    except IndexError_ as exc:
        log.warning("previous build unusable, building afresh: %s", exc)
        return None, damaged or [folder.name]
