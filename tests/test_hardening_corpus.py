"""Issue 16 items 5-8: odd file names, links leaving the corpus and oversized files are skipped and reported."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.config import ConfigError, load_settings
from assistant.store import load_index

ENV = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_CONFIG": None}
GOOD = "乡村医生补助标准为每月500元，由县级财政统一发放。"


def build(corpus, idx, env=None) -> dict:
    result = CliRunner().invoke(main, ["build", "--corpus", str(corpus), "--index", str(idx), "--json"],
                                env={**ENV, **(env or {})}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def skipped(report) -> dict[str, str]:
    return {s["source"]: s["reason"] for s in report["skipped"]}


def test_file_name_that_is_not_utf8_is_skipped_with_its_reason(tmp_path, corpus_copy):
    bad = os.path.join(os.fsencode(corpus_copy), b"\xff\xfe-policy.txt")
    with open(bad, "wb") as fh:
        fh.write(GOOD.encode("utf-8"))
    report = build(corpus_copy, tmp_path / "index")
    reasons = skipped(report)
    name = next(s for s in reasons if "policy.txt" in s)
    assert "UTF-8" in reasons[name] and "\ufffd" in name
    json.dumps(report, ensure_ascii=False).encode("utf-8")  # the report itself is printable
    assert report["documents"] == 5


@pytest.mark.parametrize("name", ["..txt", "..\\..\\etc\\passwd.txt", ".hidden.md"])
def test_odd_file_names_are_reported(tmp_path, corpus_copy, name):
    (corpus_copy / name).write_text(GOOD, encoding="utf-8")
    reasons = skipped(build(corpus_copy, tmp_path / "index"))
    assert name in reasons and reasons[name]


def test_hidden_folders_stay_silent(tmp_path, corpus_copy):
    (corpus_copy / ".git").mkdir()
    (corpus_copy / ".git" / "HEAD.txt").write_text(GOOD, encoding="utf-8")
    assert not any(".git" in s for s in skipped(build(corpus_copy, tmp_path / "index")))


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_links_leaving_the_corpus_are_not_followed(tmp_path, corpus_copy):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwd.txt").write_text("root:x:0:0:机密账户:/root:/bin/bash 医保基金结余", encoding="utf-8")
    os.symlink(outside / "passwd.txt", corpus_copy / "passwd.txt")
    os.symlink(outside, corpus_copy / "linked-dir")
    (corpus_copy / "inside.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(corpus_copy / "inside.txt", corpus_copy / "alias.txt")  # stays inside: allowed
    idx = tmp_path / "index"
    report = build(corpus_copy, idx)
    reasons = skipped(report)
    assert "passwd.txt" in reasons and "链接" in reasons["passwd.txt"]
    assert any(s.startswith("linked-dir") for s in reasons)
    index = load_index(idx, with_vectors=False)
    assert not any("机密账户" in d.text for d in index.documents)
    assert {"passwd.txt", "linked-dir/passwd.txt"}.isdisjoint(d.source for d in index.documents)
    assert any(GOOD in d.text for d in index.documents)
    show = CliRunner().invoke(main, ["show", "passwd.txt", "--index", str(idx)], env=ENV)
    assert show.exit_code == 2 and "机密" not in show.output


def test_files_over_the_size_limit_are_skipped_with_a_clear_reason(tmp_path, corpus_copy):
    big = "医共体建设推进情况。" * 2000  # about 60 KB
    (corpus_copy / "big.txt").write_text(big, encoding="utf-8")
    reasons = skipped(build(corpus_copy, tmp_path / "index", env={"ASSISTANT_MAX_FILE_MB": "0.05"}))
    assert "big.txt" in reasons
    assert "过大" in reasons["big.txt"] and "max_file_mb" in reasons["big.txt"]
    assert "big.txt" not in skipped(build(corpus_copy, tmp_path / "index2"))  # default limit: 20 MB


def test_size_limit_setting_is_validated():
    assert load_settings(env={}).max_file_mb == 20
    with pytest.raises(ConfigError):
        load_settings(env={}, overrides={"max_file_mb": 0})
