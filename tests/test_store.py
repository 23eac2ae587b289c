"""The index folder: loading, corruption detection with a message naming the fix, atomic publication."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.retrieve.dense import DenseIndex
from assistant.store import POINTER, IndexError_, IndexWriter, current_build, ensure_writable, load_index, read_manifest


@pytest.fixture()
def index(tmp_path, built_index):
    """A private copy of the session index that a test may damage."""
    dest = tmp_path / "index"
    shutil.copytree(built_index, dest)
    return dest


def live(index_dir):
    return index_dir / (index_dir / POINTER).read_text().strip()


def test_load_index(index):
    ix = load_index(index)
    assert ix.path == live(index)
    assert len(ix.documents) == 5
    assert ix.vectors.shape == (len(ix.chunks), ix.manifest["embedder"]["dim"])
    assert ix.vectors.dtype == np.float32
    doc = ix.documents[1]
    assert ix.document(doc.source) is doc and ix.document(doc.doc_id) is doc
    assert ix.document("nope.txt") is None
    assert load_index(index, with_vectors=False).vectors is None


def _garble(path, text):
    path.write_text(text, encoding="utf-8")


CORRUPTIONS = {
    "chunks.jsonl deleted": lambda b: (b / "chunks.jsonl").unlink(),
    "documents.jsonl deleted": lambda b: (b / "documents.jsonl").unlink(),
    "manifest garbled": lambda b: _garble(b / "manifest.json", "{not json"),
    "manifest not an object": lambda b: _garble(b / "manifest.json", "[1, 2]"),
    "manifest deleted": lambda b: (b / "manifest.json").unlink(),
    "chunks line garbled": lambda b: _garble(b / "chunks.jsonl", (b / "chunks.jsonl").read_text() + "{oops\n"),
    "chunk with unknown field": lambda b: _garble(b / "chunks.jsonl", (b / "chunks.jsonl").read_text() + '{"x": 1}\n'),
    "chunk missing": lambda b: _garble(b / "chunks.jsonl", "".join((b / "chunks.jsonl").read_text().splitlines(True)[1:])),
    "vectors garbled": lambda b: (b / "dense.faiss").write_bytes(b"garbage"),
    "vectors wrong count": lambda b: DenseIndex.build(np.eye(4, dtype=np.float32)[:3]).save(b / "dense.faiss"),
    "vector rows pickled objects": lambda b: np.save(b / "dense_rows.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True),
    "format version": lambda b: _garble(b / "manifest.json", json.dumps({**json.loads((b / "manifest.json").read_text()), "format_version": 99})),
}


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_corrupt_build_folder_is_reported_with_the_fix(index, damage):
    CORRUPTIONS[damage](live(index))
    with pytest.raises(IndexError_) as err:
        load_index(index)
    message = str(err.value)
    assert "assistant build" in message and str(index) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "pointer",
    [
        lambda i: (i / POINTER).write_text("b-nowhere\n"),
        lambda i: (i / POINTER).write_text(""),
        lambda i: (i / POINTER).write_text("../../etc\n"),
        lambda i: (i / POINTER).write_bytes(b"\xff\xfe\x00garbage"),
        lambda i: (i / POINTER).unlink(),
        lambda i: ((i / POINTER).unlink(), (i / POINTER).mkdir()),
    ],
    ids=["nowhere", "empty", "escapes", "binary", "missing", "a-folder"],
)
def test_bad_current_pointer(index, pointer):
    pointer(index)
    with pytest.raises(IndexError_, match="assistant build"):
        load_index(index)
    with pytest.raises(IndexError_, match="assistant build"):
        read_manifest(index)


def test_missing_index_folder(tmp_path):
    with pytest.raises(IndexError_, match="找不到索引.*assistant build"):
        current_build(tmp_path / "none")


def test_damaged_embedding_cache_is_not_a_broken_index(index):
    keys = live(index) / "embed_keys.json"
    assert keys.exists()
    keys.write_text("{broken", encoding="utf-8")
    assert len(load_index(index).chunks) > 0


def test_writer_publishes_atomically_and_prunes(tmp_path):
    from assistant.types import Chunk, DocRecord

    folder = tmp_path / "ix"
    doc = DocRecord(doc_id="d", source="a.txt", title="t", kind="k", text="正文。")
    chunk = Chunk(id="c", doc_id="d", source="a.txt", title="t", kind="k", section="", start=0, end=3, text="正文。")
    names = []
    for _ in range(2):
        w = IndexWriter(folder)
        w.write_records([doc], [chunk], np.ones((1, 4), np.float32))
        assert not (folder / w.name).exists()  # invisible until commit
        w.commit({"counts": {"documents": 1, "chunks": 1}})
        names.append(w.name)
        assert load_index(folder).path.name == w.name
    assert names[0] < names[1]
    assert sorted(p.name for p in folder.iterdir()) == [POINTER, names[1]]

    w = IndexWriter(folder)
    w.write_records([doc], [chunk], None)
    w.abort()
    assert sorted(p.name for p in folder.iterdir()) == [POINTER, names[1]]


def test_ensure_writable(tmp_path):
    ensure_writable(tmp_path / "new" / "deep")
    assert (tmp_path / "new" / "deep").is_dir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(IndexError_, match="不可写"):
        ensure_writable(tmp_path / "f" / "index")


def test_no_pickle_files_in_a_build(built_index):
    names = {p.name for p in live(built_index).rglob("*")}
    assert not {n for n in names if n.endswith((".pkl", ".pickle"))}
    assert {"manifest.json", "documents.jsonl", "chunks.jsonl", "dense.faiss", "bm25", "tokens.npy", "idf.json",
            "forms.jsonl", "sentence_spans.npy"} <= names
    assert "vectors.npy" not in names  # each chunk vector is stored once, in dense.faiss
