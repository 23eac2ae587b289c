"""Issue 16 items 3, 4 and 11: damaged index files are named and repaired by a plain build; stale temp folders go."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.store import IndexError_, current_build, load_index

ENV = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_CONFIG": None}
QUESTION = "医保基金结余按什么比例分配？"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env=ENV, catch_exceptions=False)


@pytest.fixture()
def index(tmp_path, corpus_copy):
    idx = tmp_path / "index"
    result = run("build", "--corpus", corpus_copy, "--index", idx, "--json")
    assert result.exit_code == 0, result.output
    return corpus_copy, idx


def build(corpus, idx) -> dict:
    result = run("build", "--corpus", corpus, "--index", idx, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_manifest_holds_checksums_of_the_build_files(index):
    _, idx = index
    folder = current_build(idx)
    sums = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["checksums"]
    assert {"chunks.jsonl", "documents.jsonl", "sentence_vectors.npy", "dense.faiss"} <= set(sums)
    assert any(name.startswith("bm25/") for name in sums)
    assert all(set(v) == {"size", "sha256"} for v in sums.values())


def _damage(path: Path, keep_size: bool) -> None:
    if keep_size:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(b"garbage")


@pytest.mark.parametrize("name", ["dense.faiss", "bm25/*", "sentence_spans.npy", "sentence_vectors.npy", "tokens.npy",
                                  "doc_tables.jsonl", "changes.json"])
@pytest.mark.parametrize("keep_size", [True, False], ids=["same-size", "truncated"])
def test_plain_build_repairs_a_damaged_file(index, name, keep_size):
    corpus, idx = index
    folder = current_build(idx)
    target = sorted(folder.glob(name))[0]
    _damage(target, keep_size)
    report = build(corpus, idx)
    assert not report["up_to_date"]
    assert report["repaired"], report
    after = current_build(idx)
    assert after != folder
    load_index(idx)  # the new build is whole again
    assert build(corpus, idx)["up_to_date"]  # and a second build finds nothing to do
    ask = run("ask", QUESTION, "--index", idx, "--json")
    assert ask.exit_code == 0 and "6:3:1" in json.loads(ask.stdout)["answer"]


# Chunk vectors live only in dense.faiss (index format 2).
@pytest.mark.parametrize("name", ["dense.faiss", "sentence_vectors.npy"])
def test_empty_vector_file_gives_the_damaged_message_everywhere(index, name):
    corpus, idx = index
    (current_build(idx) / name).write_bytes(b"")
    with pytest.raises(IndexError_, match="已损坏"):
        load_index(idx)
    for args in (("ask", QUESTION, "--index", idx), ("serve", "--index", idx, "--port", "1")):
        result = run(*args)
        assert result.exit_code == 2
        assert "已损坏" in result.stderr and "assistant build" in result.stderr, result.stderr
        assert "内部错误" not in result.stderr and "EOFError" not in result.stderr
    report = build(corpus, idx)
    assert not report["up_to_date"]
    load_index(idx)
    assert run("ask", QUESTION, "--index", idx).exit_code == 0


def test_build_report_names_the_repaired_files(index):
    corpus, idx = index
    (current_build(idx) / "dense.faiss").write_bytes(b"")
    result = run("build", "--corpus", corpus, "--index", idx)
    assert result.exit_code == 0 and "dense.faiss" in result.stdout and "修复" in result.stdout


def test_stale_temp_folders_are_removed_when_no_build_runs(index):
    corpus, idx = index
    stale = idx / ".tmp-b-20260101-000000-000000000abcd"
    stale.mkdir()
    (stale / "chunks.jsonl").write_text("half written", encoding="utf-8")
    (corpus / "new.txt").write_text("新增文件：乡村医生补助标准为每月500元。", encoding="utf-8")
    build(corpus, idx)
    assert not stale.exists()


@pytest.mark.skipif(os.name == "nt", reason="advisory locks are POSIX flock here")
def test_temp_folder_of_a_running_build_is_kept(index):
    from assistant.integrity import hold_build_lock

    corpus, idx = index
    lock = hold_build_lock(idx)  # another build in progress, writing its temporary folder
    running = idx / ".tmp-b-20260101-000000-000000000beef"
    running.mkdir()
    try:
        (corpus / "new.txt").write_text("新增文件：乡村医生补助标准为每月500元。", encoding="utf-8")
        build(corpus, idx)
        assert running.exists()
    finally:
        lock.release()
    shutil.rmtree(running)
