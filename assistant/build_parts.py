"""The vectors of a build (build.py): what the indexes see of a chunk, chunk and sentence vectors reused from the
previous build by content hash, and the faiss index (an HNSW graph grown by added chunks, or built anew)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from .retrieve.dense import DenseIndex
from .textnorm import t2s
from .types import Chunk, DocRecord, content_hash

if TYPE_CHECKING:
    from .build import BuildReport


def index_text(chunk: Chunk, doc: DocRecord | None = None) -> str:
    """What the indexes see of a chunk: document title, kind and issuer let a question name its source
    ("讲话里…", "秦永方的文章…"); the section path gives short chunks their topic."""
    head = " ".join(x for x in ((doc.title, doc.kind, doc.issuer) if doc else ()) if x and x != "unknown")
    return "\n".join(x for x in (head, chunk.section, chunk.text) if x)


def _bar(progress: bool, total: int, desc: str):
    """A tqdm bar on stderr (rate in passages per second and ETA), or None."""
    if not progress or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="段", leave=False, smoothing=0.1)


def _dense_index(vectors: np.ndarray, hnsw_threshold: int, previous, origin: list[int]) -> DenseIndex:
    """The faiss index. An HNSW graph is costly to build: when documents were only added, the previous graph
    grows by the new chunks instead (rows then map to chunk positions); otherwise it is built anew."""
    n = len(vectors)
    if previous is not None and n >= hnsw_threshold and (previous.path / "dense.faiss").exists():
        old_n = len(previous.chunks)
        kept = np.asarray([o for o in origin if o >= 0], dtype=np.int64)
        if len(kept) == old_n and old_n and len(np.unique(kept)) == old_n:
            try:
                old = DenseIndex.load(previous.path / "dense.faiss")
            except Exception:  # a damaged old index is rebuilt, not reused
                old = None
            if old is not None and old.is_hnsw and old.size == old_n and old.dim == vectors.shape[1]:
                new_pos = np.full(old_n, -1, dtype=np.int64)
                o = np.asarray(origin, dtype=np.int64)
                new_pos[o[o >= 0]] = np.flatnonzero(o >= 0)
                added = np.flatnonzero(o < 0)
                return old.extended(vectors[added], added, new_pos)
    return DenseIndex.build(vectors, hnsw_threshold)


def _embed(chunks, docs, embedder, previous, batch: int, progress: bool, report: BuildReport,
           origin: list[int]) -> np.ndarray | None:
    """Vectors for all chunks, reusing the previous build's vectors for unchanged text (cache by content hash)."""
    if embedder is None:
        return None
    old_keys = previous.extra.get("embed_keys") if previous is not None else None
    old_vectors = previous.vectors if previous is not None else None
    if not old_keys or old_vectors is None or len(old_keys) != len(old_vectors):
        old_keys, old_vectors = None, None
    # Keys are stored with the vectors: recomputing them from old chunks with today's index_text
    # would wrongly match vectors embedded from a different text. An unchanged document's chunks keep theirs.
    keys = [old_keys[o] if (o >= 0 and old_keys) else None for o in origin]

    def text(i: int) -> str:
        return t2s(index_text(chunks[i], docs.get(chunks[i].doc_id)))

    out, keys, todo = _embed_texts(text, keys, embedder, old_keys, old_vectors, batch, progress, "计算向量")
    report.vectors_reused = len(chunks) - todo
    report.embedded = todo
    report.embed_keys = keys
    return out


def _embed_sentences(chunks, docs, embedder, previous, batch: int, progress: bool, reused_docs: set[str],
                     chars: int, report):
    """(document ids, rows (document number, start, end), vectors, keys) for every evidence sentence, so answers
    can rank sentences by meaning too. An unchanged document's rows, vectors and keys are copied from the previous
    build as one block; only the others' sentences are looked up in the cache or embedded. A sentence vector sees the
    first `chars` characters of its sentence."""
    if embedder is None:
        return None
    old = previous.extra.get("sentence_index") if previous is not None else None
    old_keys = previous.extra.get("sentence_keys") if previous is not None else None
    if old is None or old_keys is None or len(old_keys) != len(old[1]):
        old, old_keys = None, None
    old_doc = {d: i for i, d in enumerate(old[0])} if old else {}
    bounds = np.searchsorted(old[1][:, 0], np.arange(len(old[0]) + 1)) if old else None
    keep = {d for d in reused_docs if d in old_doc}
    fresh: dict[str, set[tuple[int, int]]] = {}
    for c in chunks:
        if c.doc_id not in keep:
            # Very short lines ("名词解释:") carry no meaning to compare; they rank by words alone.
            fresh.setdefault(c.doc_id, set()).update((int(a), int(b)) for a, b in (c.sentences or []) if b - a >= 6)
    parts, new_spans, doc_ids = [], [], []
    for d in sorted({c.doc_id for c in chunks}):
        if d in keep:
            lo, hi = int(bounds[old_doc[d]]), int(bounds[old_doc[d] + 1])
            part = ("old", lo, hi)
        else:
            spans = sorted(fresh.get(d, ()))
            part = ("new", len(new_spans), len(new_spans) + len(spans))
            new_spans += [(d, a, b) for a, b in spans]
        if part[2] > part[1]:
            parts.append(part)
            doc_ids.append(d)

    def text(i: int) -> str:
        d, a, b = new_spans[i]
        return t2s(docs[d].text[a:b])[:chars]

    new_vectors, new_keys, embedded = _embed_texts(text, [None] * len(new_spans), embedder, old_keys,
                                                   old[2] if old else None, batch, progress, "计算句向量")
    report.sentences_embedded = embedded  # the model's work: repeats and cached sentences are not embedded
    n = sum(hi - lo for _, lo, hi in parts)
    table = np.empty((n, 3), dtype=np.int64)
    vectors = np.empty((n, embedder.dim), dtype=np.float32)
    keys: list[str] = []
    at = 0
    for k, (kind, lo, hi) in enumerate(parts):
        m = hi - lo
        table[at : at + m, 0] = k
        if kind == "old":
            table[at : at + m, 1:] = old[1][lo:hi, 1:]
            vectors[at : at + m] = old[2][lo:hi]
            keys += old_keys[lo:hi]
        else:
            table[at : at + m, 1:] = [(a, b) for _, a, b in new_spans[lo:hi]]
            vectors[at : at + m] = new_vectors[lo:hi]
            keys += new_keys[lo:hi]
        at += m
    return doc_ids, table, vectors, keys


def _load_caches(previous, damaged: set[str] = frozenset()) -> None:
    """The previous build's vectors and cache keys, for reuse; a damaged cache (unreadable, or named in `damaged`
    by its checksum) only means work done again."""
    from .tables import _loads as loads

    folder = previous.path
    if {"sentences.json", "sentence_vectors.npy", "sentence_spans.npy", "sentence_docs.json"} & damaged:
        previous.extra.pop("sentence_index", None)
    try:
        if {"embed_keys.json", "dense.faiss"} & damaged:
            raise ValueError("damaged")
        previous.extra["embed_keys"] = loads((folder / "embed_keys.json").read_bytes())
        previous.vectors = DenseIndex.load(folder / "dense.faiss").chunk_vectors()
        if len(previous.vectors) != len(previous.chunks):
            raise ValueError("vectors do not match the chunks")
    except (OSError, ValueError, RuntimeError):
        previous.extra.pop("embed_keys", None)
        previous.vectors = None
    try:
        if "sentence_index" in previous.extra:
            previous.extra["sentence_keys"] = loads((folder / "sentences.json").read_bytes())["keys"]
    except (OSError, ValueError, KeyError, TypeError):
        previous.extra.pop("sentence_index", None)


def _embed_texts(text: Callable[[int], str], known: list[str | None], embedder, old_keys, old_vectors, batch: int,
                 progress: bool, desc: str):
    """(vectors, keys, number embedded now): texts whose key the previous build has are not embedded again.
    `known` holds the keys already known (an unchanged document's); the others are computed from `text(i)`."""
    texts: dict[int, str] = {}
    keys = []
    for i, k in enumerate(known):
        if k is None:
            texts[i] = text(i)
            k = content_hash(embedder.id, texts[i])
        keys.append(k)
    cache: dict[str, int] = {}
    if old_vectors is not None and old_keys and len(old_keys) == len(old_vectors):
        cache = {k: r for r, k in enumerate(old_keys)}
    first: dict[str, int] = {}
    todo = [first.setdefault(k, i) for i, k in enumerate(keys) if k not in cache and k not in first]
    out = np.zeros((len(keys), embedder.dim), dtype=np.float32)
    bar = _bar(progress, len(todo), desc)
    for s in range(0, len(todo), batch):
        idx = todo[s : s + batch]
        out[idx] = embedder.encode_passages([texts[i] if i in texts else text(i) for i in idx])
        if bar:
            bar.update(len(idx))
    if bar:
        bar.close()
    # Cached vectors, and repeats of a text embedded once (an outline and its body).
    hit = [i for i, k in enumerate(keys) if k in cache]
    if hit:
        out[hit] = np.asarray(old_vectors)[[cache[keys[i]] for i in hit]]
    for i, k in enumerate(keys):
        if k not in cache and first[k] != i:
            out[i] = out[first[k]]
    return out, keys, len(todo)
