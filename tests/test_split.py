"""Chunks: exact slices of canonical text, structure-aware boundaries, sentence spans, stable content ids."""
from __future__ import annotations

import re

import pytest

from assistant.build import build_index
from assistant.embed import FakeEmbedder
from assistant.ingest.split import page_at, sentence_spans, split_document
from assistant.ingest.structure import heading_kind
from assistant.lexicon import default_lexicon
from assistant.store import load_index
from assistant.types import DocRecord

NUMBERED = {"part", "cn_dun", "cn_paren", "article", "ordinal", "arabic_dot", "arabic_paren", "circled"}
BUDGET = 300  # the default chunk_size the session index is built with


@pytest.fixture(scope="module")
def index(built_index):
    return load_index(built_index)


def doc(text: str, **kw) -> DocRecord:
    return DocRecord(doc_id="d1", source="a.txt", title="标题", kind="方案", text=text, **kw)


def test_every_chunk_is_an_exact_slice_of_its_document(index):
    docs = {d.doc_id: d for d in index.documents}
    assert len(index.chunks) > 40
    for c in index.chunks:
        d = docs[c.doc_id]
        assert d.source == c.source and d.title == c.title and d.kind == c.kind
        assert d.text[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text


def test_chunks_are_ordered_and_disjoint_within_a_document(index):
    by_doc: dict[str, list] = {}
    for c in index.chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    for chunks in by_doc.values():
        for a, b in zip(chunks, chunks[1:]):
            assert a.end <= b.start


def test_chunks_cover_all_text(index):
    """Nothing but whitespace between consecutive chunks: no canonical text is lost to chunking."""
    for d in index.documents:
        chunks = [c for c in index.chunks if c.doc_id == d.doc_id]
        pos = 0
        for c in chunks:
            assert d.text[pos : c.start].strip() == "", (d.source, pos, c.start)
            pos = c.end
        assert d.text[pos:].strip() == ""


def test_chunk_budget_respected_unless_a_single_sentence(index):
    for c in index.chunks:
        if len(c.text) > BUDGET:
            assert len(c.sentences) == 1, (c.source, c.start, len(c.text))
        assert len(c.text) <= 2 * BUDGET


def test_chunks_never_straddle_numbered_items(index):
    """A numbered heading inside a chunk is only allowed right after its parent heading(s) at the chunk start."""
    for c in index.chunks:
        lines = c.text.split("\n")
        for i, line in enumerate(lines[1:], start=1):
            if heading_kind(line) in NUMBERED:
                assert all(heading_kind(prev) for prev in lines[:i]), (c.source, c.section, c.text[:80])


def test_sentence_spans_lie_inside_their_chunk(index):
    docs = {d.doc_id: d for d in index.documents}
    for c in index.chunks:
        assert c.sentences
        assert c.sentences[0][0] == c.start and c.sentences[-1][1] == c.end
        prev_end = c.start
        for s, e in c.sentences:
            assert c.start <= s < e <= c.end and s >= prev_end
            assert docs[c.doc_id].text[s:e].strip() == docs[c.doc_id].text[s:e]
            prev_end = e


def test_section_path_is_on_every_chunk_of_structured_seeds(index):
    for c in index.chunks:
        if c.source.startswith("001") and c.start > 40:
            assert c.section.split(" > ")[0][:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "名詞")
    sections = {c.section for c in index.chunks}
    assert "六、新方案修改的主要內容 > 3.修改醫共體醫保結余基金分配比例" in sections
    assert any(s.startswith("一、认清大势,把准方向,深刻领会医共体建设时代内涵 > (一)") for s in sections)


def test_chunk_fields(index):
    c = index.chunks[0].to_dict()
    for key in ("id", "doc_id", "source", "title", "kind", "section", "start", "end", "text", "sentences"):
        assert key in c
    assert len({c.id for c in index.chunks}) == len(index.chunks)


# ---- synthetic documents --------------------------------------------------------------------------------
def test_small_items_each_get_their_own_chunk():
    text = "一、人员\n（一）县招乡用。\n（二）乡聘村用。\n（三）按需设岗。\n二、资金\n（一）结余留用。"
    chunks = split_document(doc(text), 1000)
    assert [c.text for c in chunks] == ["一、人员\n（一）县招乡用。", "（二）乡聘村用。", "（三）按需设岗。", "二、资金\n（一）结余留用。"]
    assert [c.section for c in chunks] == ["一、人员 > （一）县招乡用", "一、人员 > （二）乡聘村用", "一、人员 > （三）按需设岗", "二、资金 > （一）结余留用"]


def test_bare_heading_does_not_merge_into_its_sibling():
    chunks = split_document(doc("一、背景\n二、目标\n到2025年，县域内就诊率达到90%。"), 300)
    assert [c.text for c in chunks] == ["一、背景", "二、目标\n到2025年，县域内就诊率达到90%。"]


def test_long_item_splits_at_sentence_ends():
    sentences = [f"第{i}句说明医共体建设的一项具体任务和要求，内容较为详细完整。" for i in range(1, 11)]
    text = "一、主要任务\n" + "".join(sentences)
    chunks = split_document(doc(text), 100)
    assert len(chunks) > 3
    for c in chunks:
        assert c.section == "一、主要任务"
        assert len(c.text) <= 100
        assert c.text.endswith("。")
        assert c.text.startswith(("一、", "第"))
    assert "".join(c.text for c in chunks).replace("\n", "") == text.replace("\n", "")


def test_overlong_single_sentence_is_cut_at_clause_marks():
    text = "，".join(f"第{i}项内容包括统一管理和统筹使用" for i in range(40)) + "。"
    chunks = split_document(doc(text), 100)
    assert len(chunks) > 2
    for c in chunks:
        assert len(c.text) <= 200
    for c in chunks[:-1]:
        assert c.text.endswith("，")
    assert "".join(c.text for c in chunks) == text


def test_sentence_spans_helper():
    text = "甲。乙！\n丙“丁。”戊"
    assert sentence_spans(text) == [[0, 2], [2, 4], [5, 10], [10, 11]]
    assert sentence_spans(text, 5, 10) == [[5, 10]]
    assert sentence_spans("") == []


def test_page_at_maps_offsets_to_pages():
    d = doc("第一页。\n第二页。", pages=[[0, 4, 1], [5, 9, 2]])
    assert page_at(d, 0) == 1 and page_at(d, 6) == 2
    assert page_at(doc("x"), 0) is None


def test_sections_recorded_on_document():
    d = doc("一、甲\n内容。\n二、乙\n内容。")
    split_document(d, 300)
    assert [s[2] for s in d.sections] == ["一、甲", "二、乙"]


def test_chunk_ids_are_content_hashes_stable_across_rebuilds(tmp_path, corpus_copy):
    tokenize = default_lexicon().tokenize
    build_index(corpus_copy, tmp_path / "a", embedder=FakeEmbedder(16), tokenize=tokenize)
    build_index(corpus_copy, tmp_path / "b", embedder=None, tokenize=tokenize, force=True)
    a, b = load_index(tmp_path / "a"), load_index(tmp_path / "b")
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert [d.doc_id for d in a.documents] == [d.doc_id for d in b.documents]
    assert all(re.fullmatch(r"[0-9a-f]{16}", c.id) for c in a.chunks)


def test_chunk_ids_change_with_content():
    a = split_document(doc("一、甲\n内容一。"), 300)
    b = split_document(DocRecord(doc_id="d2", source="a.txt", title="标题", kind="方案", text="一、甲\n内容二。"), 300)
    assert a[0].id != b[0].id
    again = split_document(doc("一、甲\n内容一。"), 300)
    assert a[0].id == again[0].id
