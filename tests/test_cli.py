"""The core CLI: build, chunks, show, docs, search; errors are one line and a non-zero exit, never a traceback."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.store import POINTER, load_index

ROOT = Path(__file__).resolve().parent.parent
ENV = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_CONFIG": None}
HIT_KEYS = {"source", "title", "section", "text", "start", "end", "score", "rank"}
SEED_001 = "001_79d7ce171deded25.txt"


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env={**ENV, **(env or {})}, catch_exceptions=False)


def assert_one_line_error(result, *fragments):
    assert result.exit_code != 0
    err = result.stderr.strip()
    assert err and "\n" not in err, result.stderr
    assert "Traceback" not in result.output
    for f in fragments:
        assert f in err, err


@pytest.fixture(scope="module")
def canonical(built_index):
    return {d.source: d.text for d in load_index(built_index, with_vectors=False).documents}


# ---- search -----------------------------------------------------------------------------------------
def test_search_json_shape(built_index, canonical):
    result = run("search", "医保基金结余怎么分配？", "--index", built_index, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    hits = out["hits"]
    assert 0 < len(hits) <= 5
    for i, h in enumerate(hits, start=1):
        assert HIT_KEYS <= set(h)
        assert h["rank"] == i
        assert canonical[h["source"]][h["start"] : h["end"]] == h["text"]
        assert isinstance(h["score"], float)
    assert "notices" not in out


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_modes_and_k(built_index, mode):
    result = run("search", "医保基金结余分配比例", "--index", built_index, "--json", "--k", "3", "--retriever", mode)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert 0 < len(hits) <= 3
    if mode != "dense":
        assert hits[0]["source"] == SEED_001


def test_search_filters(built_index):
    result = run("search", "医共体建设", "--index", built_index, "--json", "--kind", "报道", "--region", "准格尔旗")
    hits = json.loads(result.stdout)["hits"]
    assert hits and {h["source"] for h in hits} == {"003_f96d00e5018071de.txt"}
    result = run("search", "医共体建设", "--index", built_index, "--json", "--source", SEED_001, "--source", "002_6dfe7d44fcd50f45.txt")
    assert {h["source"] for h in json.loads(result.stdout)["hits"]} <= {SEED_001, "002_6dfe7d44fcd50f45.txt"}


def test_search_plain_text_output(built_index):
    result = run("search", "县招乡用", "--index", built_index)
    assert result.exit_code == 0
    assert result.stdout.startswith("[1] ")


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_refused(built_index, query):
    assert_one_line_error(run("search", query, "--index", built_index), "问题为空")


def test_punctuation_only_query_is_refused(built_index):
    assert_one_line_error(run("search", "？？！", "--index", built_index), "标点")


def test_missing_query_is_refused(built_index):
    assert_one_line_error(run("search", "--index", built_index), "--batch")


def test_very_long_query_is_truncated_with_notice(built_index):
    result = run("search", "医共体牵头医院的职责" * 1000, "--index", built_index, "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["hits"]
    assert any("截取" in n for n in out["notices"])
    plain = run("search", "医共体" * 3400, "--index", built_index)
    assert plain.exit_code == 0 and "截取" in plain.stdout


def test_batch_reports_bad_lines_and_answers_the_rest(tmp_path, built_index):
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "q1", "question": "医保基金结余分配比例"}, ensure_ascii=False),
                json.dumps({"id": "q2"}),
                "",
                "{not json",
                json.dumps({"id": "q5", "question": "   "}),
                json.dumps({"id": "q6", "question": "县招乡用是什么"}, ensure_ascii=False),
                json.dumps(["not", "an", "object"]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = run("search", "--batch", batch, "--index", built_index, "--json", "--k", "2")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    answered = {r["id"]: r for r in rows if "hits" in r}
    assert list(answered) == ["q1", "q6"]
    assert all(0 < len(r["hits"]) <= 2 and HIT_KEYS <= set(r["hits"][0]) for r in answered.values())
    errors = {r["line"]: r for r in rows if "error" in r}
    assert sorted(errors) == [2, 4, 5, 7]
    assert errors[2]["id"] == "q2" and "第 2 行" in errors[2]["error"] and "question" in errors[2]["error"]
    for n in (2, 4, 5, 7):
        assert f"第 {n} 行" in result.stderr


def test_batch_file_missing(tmp_path, built_index):
    assert_one_line_error(run("search", "--batch", tmp_path / "none.jsonl", "--index", built_index))


# ---- chunks / show / docs -----------------------------------------------------------------------------
def test_chunks_json_lines(built_index, canonical):
    result = run("chunks", "--index", built_index, "--json")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(load_index(built_index, with_vectors=False).chunks)
    for r in rows:
        assert {"id", "doc_id", "source", "title", "kind", "section", "start", "end", "text"} <= set(r)
        assert canonical[r["source"]][r["start"] : r["end"]] == r["text"]


def test_show_json_is_the_canonical_text_of_every_chunk(built_index):
    chunks = load_index(built_index, with_vectors=False).chunks
    for source in sorted({c.source for c in chunks}):
        result = run("show", source, "--index", built_index, "--json")
        assert result.exit_code == 0
        doc = json.loads(result.stdout)
        assert set(doc) == {"source", "title", "kind", "text"} and doc["source"] == source
        for c in chunks:
            if c.source == source:
                assert doc["text"][c.start : c.end] == c.text


def test_show_by_doc_id_and_plain(built_index):
    doc = load_index(built_index, with_vectors=False).documents[0]
    result = run("show", doc.doc_id, "--index", built_index)
    assert result.exit_code == 0 and doc.title in result.stdout and doc.text in result.stdout


def test_show_unknown_source(built_index):
    assert_one_line_error(run("show", "nope.txt", "--index", built_index), "nope.txt", "assistant docs")


def test_docs_lists_documents_with_metadata(built_index):
    result = run("docs", "--index", built_index)
    assert result.exit_code == 0
    for source, title in [(SEED_001, "裕安区深化区域医疗共同体"), ("003_f96d00e5018071de.txt", "准格尔旗")]:
        assert source in result.stdout and title in result.stdout
    assert "解读" in result.stdout and "安徽省六安市裕安区" in result.stdout
    rows = [json.loads(line) for line in run("docs", "--index", built_index, "--json").stdout.splitlines()]
    assert len(rows) == 5
    for r in rows:
        assert {"source", "title", "kind", "region", "date", "doc_id"} <= set(r) and "text" not in r


# ---- build ------------------------------------------------------------------------------------------
def test_build_prints_report_and_then_up_to_date(tmp_path, corpus_copy):
    (corpus_copy / "bad.xlsx").write_bytes(b"PK\x03\x04")
    index = tmp_path / "index"
    first = run("build", "--corpus", corpus_copy, "--index", index)
    assert first.exit_code == 0, first.output
    assert "读取文档 5 个" in first.stdout
    assert "跳过 bad.xlsx：不支持的文件类型 .xlsx" in first.stdout
    assert "更正 004_94b61b43f1cc49d5.txt" in first.stdout and "29 处" in first.stdout
    second = run("build", "--corpus", corpus_copy, "--index", index, "--json")
    report = json.loads(second.stdout)
    assert report["up_to_date"] and report["documents"] == 5 and report["embedder"] == "fake-256"
    assert second.stderr == ""  # no library chatter on stderr


def test_build_missing_corpus(tmp_path):
    assert_one_line_error(run("build", "--corpus", tmp_path / "nope", "--index", tmp_path / "index"), "语料目录不存在")


def test_build_unwritable_index(tmp_path, corpus_copy):
    (tmp_path / "file").write_text("x")
    assert_one_line_error(run("build", "--corpus", corpus_copy, "--index", tmp_path / "file" / "index"), "不可写")


def test_build_unknown_embedder(tmp_path, corpus_copy):
    assert_one_line_error(run("build", "--corpus", corpus_copy, "--index", tmp_path / "i", "--embedder", "bert"), "未知的嵌入模型")


# ---- missing, corrupt or mismatched index ----------------------------------------------------------------
@pytest.fixture()
def damaged(tmp_path, built_index):
    dest = tmp_path / "index"
    shutil.copytree(built_index, dest)
    return dest


def _live(index):
    return index / (index / POINTER).read_text().strip()


DAMAGE = {
    "no-chunks": lambda i: (_live(i) / "chunks.jsonl").unlink(),
    "garbled-manifest": lambda i: (_live(i) / "manifest.json").write_text("{garbage", encoding="utf-8"),
    "current-nowhere": lambda i: (i / POINTER).write_text("b-missing\n", encoding="utf-8"),
    "no-bm25": lambda i: shutil.rmtree(_live(i) / "bm25"),
    "garbled-faiss": lambda i: (_live(i) / "dense.faiss").write_bytes(b"nonsense"),
    "no-index": lambda i: shutil.rmtree(i),
}


COMMANDS = {"search": ["search", "医共体"], "chunks": ["chunks"], "show": ["show", SEED_001], "docs": ["docs"]}
CASES = [
    (damage, command)
    for damage in sorted(DAMAGE)
    for command in sorted(COMMANDS)
    # only search opens the bm25 and faiss files
    if command == "search" or damage not in ("no-bm25", "garbled-faiss")
]


@pytest.mark.parametrize("damage,command", CASES)
def test_corrupt_index_gives_one_line_naming_the_fix(damaged, damage, command):
    DAMAGE[damage](damaged)
    command = COMMANDS[command]
    assert_one_line_error(run(*command, "--index", damaged), "assistant build")


def test_mismatched_embedder_names_the_fix(built_index):
    result = run("search", "医共体", "--index", built_index, env={"ASSISTANT_EMBEDDER": "fake:64"})
    assert_one_line_error(result, "fake-256", "fake-64", "assistant build")


# ---- the installed console script ----------------------------------------------------------------------
def _console_script() -> list[str]:
    for candidate in (ROOT / ".venv" / "bin" / "assistant", Path(sys.executable).parent / "assistant"):
        if candidate.exists():
            return [str(candidate)]
    return [sys.executable, "-m", "assistant.cli"]


def _subprocess(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_EMBEDDER"] = "fake"
    return subprocess.run(_console_script() + [str(a) for a in args], capture_output=True, text=True, env=env, timeout=120)


def test_console_script_errors_are_one_line(tmp_path, built_index):
    missing = _subprocess("build", "--corpus", tmp_path / "nope", "--index", tmp_path / "index")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "语料目录不存在" in missing.stderr
    assert "Traceback" not in missing.stderr + missing.stdout

    index = tmp_path / "copy"
    shutil.copytree(built_index, index)
    (_live(index) / "chunks.jsonl").unlink()
    corrupt = _subprocess("search", "医共体", "--index", index)
    assert corrupt.returncode == 2
    assert corrupt.stderr.strip().count("\n") == 0 and "assistant build" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr + corrupt.stdout


def test_console_script_search_json(built_index):
    result = _subprocess("search", "结余留用", "--index", built_index, "--json", "--k", "2")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert 0 < len(hits) <= 2 and HIT_KEYS <= set(hits[0])
    assert result.stderr == ""
