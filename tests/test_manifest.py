"""The corpus manifest: per-document metadata and correction rules as data."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import BuildError, build_index
from assistant.ingest import ManifestError, read_manifest
from assistant.lexicon import default_lexicon
from assistant.store import load_index

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_bundled_manifest_describes_every_seed():
    entries = read_manifest(CORPUS)
    seeds = sorted(p.name for p in CORPUS.glob("*.txt"))
    assert sorted(entries) == seeds
    kinds = {e.kind for e in entries.values()}
    assert kinds <= {"方案", "解读", "讲话", "报道", "评论"}
    for e in entries.values():
        assert e.title and e.kind and e.region and e.description
    assert entries["001_79d7ce171deded25.txt"].date == "2020-07-10"
    (rule,) = entries["004_94b61b43f1cc49d5.txt"].corrections
    assert (rule.find, rule.replace, rule.regex) == ("bob官方平台入口 ", "医院", False)
    assert rule.reason


def test_missing_manifest_means_no_entries(tmp_path):
    assert read_manifest(tmp_path) == {}


@pytest.mark.parametrize(
    "body,fragment",
    [
        ("[[documents]\nsource = 'a.txt'", "无法解析"),
        ("[[documents]]\ntitle = 'no source'", "source"),
        ("[[documents]]\nsource = 'a.txt'\n[[documents.corrections]]\nfind = 'x'", "find 和 replace"),
        ("[[documents]]\nsource = 'a.txt'\n[[documents.corrections]]\nfind = ''\nreplace = 'y'", "不能为空"),
    ],
)
def test_invalid_manifest_is_reported(tmp_path, body, fragment):
    (tmp_path / "manifest.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ManifestError, match=fragment):
        read_manifest(tmp_path)


def test_build_with_invalid_manifest_is_a_build_error(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("医共体建设。", encoding="utf-8")
    (corpus / "manifest.toml").write_text("[[documents]\n", encoding="utf-8")
    with pytest.raises(BuildError, match="manifest.toml"):
        build_index(corpus, tmp_path / "i", tokenize=default_lexicon().tokenize)


def test_fingerprint_follows_metadata_and_rules():
    entries = read_manifest(CORPUS)
    e = entries["004_94b61b43f1cc49d5.txt"]
    before = e.fingerprint()
    e.title = "改过的标题"
    assert e.fingerprint() != before


def test_document_without_entry_gets_its_metadata_from_the_text(tmp_path, corpus_copy):
    (corpus_copy / "005_new.txt").write_text(
        "关于进一步加强县域医共体建设的通知\n\n一、总体要求\n各县要在年底前完成医共体建设任务。\n", encoding="utf-8"
    )
    (corpus_copy / "006_plain.txt").write_text("医共体建设要坚持政府主导。\n各成员单位要加强协作。\n", encoding="utf-8")
    report = build_index(corpus_copy, tmp_path / "index", tokenize=default_lexicon().tokenize)
    assert report.documents == 7
    docs = {d.source: d for d in load_index(tmp_path / "index").documents}
    assert docs["005_new.txt"].title == "关于进一步加强县域医共体建设的通知"
    assert docs["005_new.txt"].kind == "通知"  # the title says what it is
    assert docs["005_new.txt"].region == ""
    assert docs["006_plain.txt"].title == "006_plain"  # no title-like line: the file name
    assert docs["006_plain.txt"].kind == "unknown"
    assert docs["001_79d7ce171deded25.txt"].kind == "解读"  # manifest entries still apply


def test_correction_rules_from_manifest_apply_to_any_source(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("县XX医院是牵头XX医院。\n", encoding="utf-8")
    (corpus / "manifest.toml").write_text(
        '[[documents]]\nsource = "a.txt"\ntitle = "甲"\nkind = "方案"\n'
        '[[documents.corrections]]\nfind = "XX"\nreplace = ""\nreason = "占位符"\n',
        encoding="utf-8",
    )
    report = build_index(corpus, tmp_path / "i", tokenize=default_lexicon().tokenize)
    assert report.corrections == [{"source": "a.txt", "find": "XX", "replace": "", "reason": "占位符", "count": 2}]
    (doc,) = load_index(tmp_path / "i").documents
    assert doc.text == "县医院是牵头医院。" and doc.title == "甲" and doc.kind == "方案"
