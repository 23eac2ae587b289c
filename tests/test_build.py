"""Building the index folder: report, manifest, incremental rebuilds, atomic publication, failures."""
from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest

from assistant import build as build_mod
from assistant.build import BuildError, build_index, index_text
from assistant.embed import FakeEmbedder
from assistant.lexicon import default_lexicon
from assistant.store import FORMAT_VERSION, POINTER, load_index
from assistant.textnorm import t2s

SEED_002 = "002_6dfe7d44fcd50f45.txt"
SEED_003 = "003_f96d00e5018071de.txt"
SEED_004 = "004_94b61b43f1cc49d5.txt"


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every passage it was asked to embed."""

    def __init__(self, dim: int = 32) -> None:
        super().__init__(dim)
        self.seen: list[str] = []

    def encode_passages(self, texts):
        self.seen += list(texts)
        return super().encode_passages(texts)


def build(corpus, index, embedder=None, **kw):
    return build_index(corpus, index, embedder=embedder or CountingEmbedder(), tokenize=default_lexicon().tokenize, **kw)


def snapshot(index_dir):
    """Everything a reader sees of the live build."""
    ix = load_index(index_dir)
    return (
        (index_dir / POINTER).read_text(),
        [d.to_dict() for d in ix.documents],
        [c.to_dict() for c in ix.chunks],
        ix.vectors.tolist(),
        ix.manifest,
    )


@pytest.fixture()
def built(tmp_path, corpus_copy):
    index = tmp_path / "index"
    report = build(corpus_copy, index)
    return corpus_copy, index, report


def test_first_build_report(built):
    corpus, index, report = built
    assert report.documents == 5 and report.reprocessed == 5 and report.reused == 0
    assert report.skipped == [] and report.removed == [] and not report.up_to_date
    ix = load_index(index)
    assert report.chunks == len(ix.chunks) > 40
    assert report.sections == sum(len(d.sections) for d in ix.documents) > 20
    assert report.embedded == report.chunks and report.vectors_reused == 0
    assert report.seconds >= 0
    assert report.corrections == [
        {"source": SEED_004, "find": "bob官方平台入口 ", "replace": "医院", "reason": report.corrections[0]["reason"], "count": 29}
    ]
    assert report.embedder == "fake-32"


def test_manifest_fields(built):
    corpus, index, report = built
    m = load_index(index).manifest
    assert m["embedder"] == {"id": "fake-32", "dim": 32}
    assert len(m["corpus_hash"]) == 16
    assert m["counts"] == {"documents": 5, "chunks": report.chunks}
    assert time.strptime(m["created"][:19], "%Y-%m-%dT%H:%M:%S")
    assert m["settings"]["chunk_size"] == 300
    assert m["format_version"] == FORMAT_VERSION == 2 and m["build"] == (index / POINTER).read_text().strip()
    assert set(m["sources"]) == {p.name for p in corpus.glob("*.txt")}
    assert "faiss-cpu" in m["versions"] and "bm25s" in m["versions"]
    assert m["assistant_version"]


def test_vectors_are_aligned_with_chunks(built):
    _, index, _ = built
    ix = load_index(index)
    docs = {d.doc_id: d for d in ix.documents}
    expected = FakeEmbedder(32).encode_passages([t2s(index_text(c, docs[c.doc_id])) for c in ix.chunks])
    assert np.allclose(ix.vectors, expected)


def test_second_build_reuses_everything_and_is_up_to_date(built):
    corpus, index, _ = built
    before = snapshot(index)
    emb = CountingEmbedder()
    report = build(corpus, index, emb)
    assert report.up_to_date
    assert report.reused == 5 and report.reprocessed == 0 and report.embedded == 0
    assert emb.seen == []
    assert snapshot(index) == before


def test_changing_one_file_reprocesses_only_it(built, monkeypatch):
    corpus, index, first = built
    old = load_index(index)
    path = corpus / SEED_002
    raw = path.read_text(encoding="utf-8")
    assert "  总之,强基层" in raw
    path.write_text(
        raw.replace("  总之,强基层", "  第六,人才培养价值。人才是医共体建设的第一资源,需要统筹培养使用。\n\n  总之,强基层"),
        encoding="utf-8",
    )
    calls = []
    real_ingest = build_mod.ingest_file
    monkeypatch.setattr(build_mod, "ingest_file", lambda p, rel, e: calls.append(rel) or real_ingest(p, rel, e))
    emb = CountingEmbedder()
    report = build(corpus, index, emb)
    assert calls == [SEED_002]
    assert report.reprocessed == 1 and report.reused == 4 and not report.up_to_date
    new = load_index(index)
    assert any(c.text.startswith("第六,人才培养价值。") for c in new.chunks)

    def texts(ix):
        docs = {d.doc_id: d for d in ix.documents}
        return [t2s(index_text(c, docs[c.doc_id])) for c in ix.chunks]

    # only chunks whose text is new were embedded, and they all belong to the changed document
    old_texts = set(texts(old))
    fresh = [(c, t) for c, t in zip(new.chunks, texts(new)) if t not in old_texts]
    chunk_texts = set(texts(new))
    assert sorted(t for t in emb.seen if t in chunk_texts) == sorted(t for _, t in fresh)
    # ...and only new sentences, all of them from the changed document
    sentences = [t for t in emb.seen if t not in chunk_texts]
    old_sentences = {t2s(d.text[a:b])[: build_mod.SENTENCE_CHARS] for d in old.documents for a, b in _spans(old, d.doc_id)}
    assert sentences and not set(sentences) & old_sentences
    assert all(t in t2s(new.document(SEED_002).text) for t in sentences)
    assert 0 < report.embedded == len(fresh) < report.chunks / 4
    assert {c.source for c, _ in fresh} == {SEED_002}
    assert report.vectors_reused == report.chunks - report.embedded
    # unchanged documents keep their chunks and vectors
    old_vec = {c.id: v for c, v in zip(old.chunks, old.vectors)}
    for c, v in zip(new.chunks, new.vectors):
        if c.source != SEED_002:
            assert np.array_equal(old_vec[c.id], v)


def test_removed_document_disappears(built):
    corpus, index, _ = built
    (corpus / SEED_003).unlink()
    report = build(corpus, index)
    assert report.removed == [SEED_003]
    ix = load_index(index)
    assert SEED_003 not in {d.source for d in ix.documents}
    assert SEED_003 not in {c.source for c in ix.chunks}
    assert ix.manifest["counts"]["documents"] == 4
    assert report.embedded == 0  # nothing new to embed


def test_manifest_entry_change_reprocesses_only_that_document(built):
    corpus, index, _ = built
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("医联体下步将迎整体考核办法", "医联体将迎整体考核"), encoding="utf-8")
    report = build(corpus, index)
    assert report.reprocessed == 1 and report.reused == 4
    docs = {d.source: d for d in load_index(index).documents}
    assert docs[SEED_004].title == "医联体将迎整体考核"
    assert {c.title for c in load_index(index).chunks if c.source == SEED_004} == {"医联体将迎整体考核"}


def test_chunk_size_or_force_reprocess_everything(built):
    corpus, index, _ = built
    assert build(corpus, index, chunk_size=200).reprocessed == 5
    report = build(corpus, index, chunk_size=200, force=True)
    assert report.reprocessed == 5 and not report.up_to_date
    assert all(len(c.text) <= 400 for c in load_index(index).chunks)


def test_changing_embedder_reembeds_but_reuses_documents(built):
    corpus, index, first = built
    emb = CountingEmbedder(dim=48)
    report = build(corpus, index, emb)
    assert report.reused == 5 and report.embedded == report.chunks
    assert load_index(index).manifest["embedder"] == {"id": "fake-48", "dim": 48}


def test_build_without_embedder_has_no_dense_index(tmp_path, corpus_copy):
    report = build_index(corpus_copy, tmp_path / "i", embedder=None, tokenize=default_lexicon().tokenize)
    ix = load_index(tmp_path / "i")
    assert ix.vectors is None and not (ix.path / "dense.faiss").exists()
    assert ix.manifest["embedder"] == {"id": "none", "dim": 0}
    assert report.chunks == len(ix.chunks)


def test_failing_embedder_leaves_previous_index_unchanged(built, monkeypatch):
    corpus, index, _ = built
    before = snapshot(index)
    (corpus / SEED_002).write_text("完全不同的新内容，需要重新计算向量。\n", encoding="utf-8")

    class Boom(FakeEmbedder):
        def encode_passages(self, texts):
            raise RuntimeError("embedder crashed midway")

    with pytest.raises(RuntimeError, match="midway"):
        build(corpus, index, Boom(32))
    assert snapshot(index) == before
    assert not [p for p in index.iterdir() if p.name.startswith(".tmp-")]


def test_failure_while_writing_leaves_previous_index_and_no_temp_folder(built, monkeypatch):
    corpus, index, _ = built
    before = snapshot(index)
    (corpus / SEED_002).write_text("完全不同的新内容。\n", encoding="utf-8")

    def broken(*a, **kw):
        raise OSError("disk full")

    monkeypatch.setattr(build_mod.BM25Index, "build_table", broken)
    with pytest.raises(OSError, match="disk full"):
        build(corpus, index)
    assert snapshot(index) == before
    assert sorted(p.name for p in index.iterdir()) == sorted([POINTER, before[4]["build"]])


def test_leftover_temp_folder_of_a_killed_build_is_harmless_and_swept(built):
    corpus, index, _ = built
    before = snapshot(index)
    stale = index / ".tmp-b-20000101-000000-dead00"
    stale.mkdir()
    (stale / "chunks.jsonl").write_text("{half a line", encoding="utf-8")
    assert snapshot(index) == before  # readers never look at temporary folders
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    (corpus / SEED_002).write_text("新内容，触发一次真正的构建。\n", encoding="utf-8")
    build(corpus, index)
    assert not stale.exists()


def test_old_builds_are_pruned_after_publication(built):
    corpus, index, _ = built
    first = (index / POINTER).read_text().strip()
    (corpus / SEED_002).write_text("新内容。\n", encoding="utf-8")
    build(corpus, index)
    live = (index / POINTER).read_text().strip()
    assert live != first
    assert not (index / first).exists() and (index / live).is_dir()


def test_duplicate_document_is_skipped_with_reason(built):
    corpus, index, _ = built
    shutil.copy(corpus / SEED_003, corpus / "zz_copy.txt")
    report = build(corpus, index)
    assert report.skipped == [{"source": "zz_copy.txt", "reason": f"与 {SEED_003} 内容相同（重复文档）"}]
    assert len({c.id for c in load_index(index).chunks}) == report.chunks


def test_hidden_files_readme_and_manifest_are_not_documents(built):
    corpus, index, _ = built
    (corpus / ".hidden.txt").write_text("隐藏文件的内容。", encoding="utf-8")
    (corpus / "README.md").write_text("# 语料说明\n这里放政策文件。", encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "Readme.MD").write_text("# 说明\n子目录的说明。", encoding="utf-8")
    report = build(corpus, index)
    # issue 16: a hidden document-like file is left out but named, never dropped silently
    assert report.up_to_date and report.documents == 5 and [s["source"] for s in report.skipped] == [".hidden.txt"]


def test_subfolders_are_scanned_with_relative_sources(built):
    corpus, index, _ = built
    (corpus / "sub").mkdir()
    (corpus / "sub" / "extra.txt").write_text("关于医共体的补充说明\n医共体要加强绩效考核。\n", encoding="utf-8")
    build(corpus, index)
    assert "sub/extra.txt" in {d.source for d in load_index(index).documents}


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(BuildError, match="语料目录不存在"):
        build(tmp_path / "nope", tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_corpus_without_usable_documents(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    with pytest.raises(BuildError, match="没有可索引的文档.*empty.txt.*空文件"):
        build(corpus, tmp_path / "index")


def test_unwritable_index_folder(tmp_path, corpus_copy):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    emb = CountingEmbedder()
    with pytest.raises(BuildError, match="不可写"):
        build(corpus_copy, blocker / "index", emb)
    assert emb.seen == []  # it failed before any slow work


def test_corrupt_previous_index_is_rebuilt_from_scratch(built):
    corpus, index, _ = built
    (load_index(index).path / "chunks.jsonl").unlink()
    report = build(corpus, index)
    assert report.reprocessed == 5 and not report.up_to_date
    assert len(load_index(index).chunks) == report.chunks


def test_rule_change_reprocesses_everything_but_reuses_vectors(built, monkeypatch):
    corpus, index, first = built
    monkeypatch.setattr(build_mod, "rules_fingerprint", lambda: "changed-rules")
    emb = CountingEmbedder()
    report = build(corpus, index, emb)
    assert report.reprocessed == 5 and not report.up_to_date
    assert report.embedded == 0 and emb.seen == [] and report.vectors_reused == report.chunks
    assert load_index(index).manifest["rules"] == "changed-rules"


def _package_copy(tmp_path, monkeypatch, package: str):
    """A copy of `package`'s files that build.rules_fingerprint reads instead of the installed ones (and its
    fingerprint before the swap, which the unchanged copy must reproduce)."""
    from importlib import resources

    folder = tmp_path / package.rsplit(".", 1)[-1]
    shutil.copytree(resources.files(package), folder, ignore=shutil.ignore_patterns("__pycache__"))
    real_files = resources.files

    class Resources:
        @staticmethod
        def files(name):
            return folder if name == package else real_files(name)

    before = build_mod.rules_fingerprint()
    monkeypatch.setattr(build_mod, "resources", Resources)
    assert build_mod.rules_fingerprint() == before
    return folder, before


def test_rules_fingerprint_covers_the_lexicon_data(tmp_path, monkeypatch):
    data, before = _package_copy(tmp_path, monkeypatch, "assistant.data")
    with (data / "userdict.txt").open("a", encoding="utf-8") as fh:
        fh.write("新词语 1000 n\n")
    assert build_mod.rules_fingerprint() != before


def test_rules_fingerprint_covers_every_ingest_module(tmp_path, monkeypatch):
    # A step added to the ingest package later (noise.py was missed once) must trigger re-processing too.
    ingest, before = _package_copy(tmp_path, monkeypatch, "assistant.ingest")
    with (ingest / "noise.py").open("a", encoding="utf-8") as fh:
        fh.write("# changed\n")
    assert build_mod.rules_fingerprint() != before
    (ingest / "newstep.py").write_text("X = 1\n", encoding="utf-8")
    changed = build_mod.rules_fingerprint()
    (ingest / "newstep.py").write_text("X = 2\n", encoding="utf-8")
    assert build_mod.rules_fingerprint() != changed


def _spans(ix, doc_id):
    spans, _, _ = ix.extra["sentence_vectors"]
    return [(a, b) for d, a, b in spans if d == doc_id]


def test_sentence_vectors_cover_the_evidence_sentences(built):
    _, index, report = built
    ix = load_index(index)
    spans, vectors, keys = ix.extra["sentence_vectors"]
    docs = {d.doc_id: d for d in ix.documents}
    chunk_spans = {(c.doc_id, a, b) for c in ix.chunks for a, b in c.sentences if b - a >= 6}
    assert {tuple(s) for s in spans} == chunk_spans and report.sentence_vectors == len(spans)
    expected = FakeEmbedder(32).encode_passages([t2s(docs[d].text[a:b])[: build_mod.SENTENCE_CHARS] for d, a, b in spans])
    assert vectors.shape == expected.shape and np.allclose(vectors, expected)
    assert len(keys) == len(spans)


def test_without_sentence_vectors_the_index_has_none(tmp_path, corpus_copy):
    build(corpus_copy, tmp_path / "index", sentence_vectors=False)
    assert "sentence_vectors" not in load_index(tmp_path / "index").extra
