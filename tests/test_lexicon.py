"""Domain lexicon: jieba with the field's dictionary, synonym groups, query filler."""
from __future__ import annotations

import pytest

from assistant.lexicon import Lexicon, default_lexicon


@pytest.fixture(scope="module")
def lx():
    return default_lexicon()


@pytest.mark.parametrize(
    "word",
    ["医共体", "医联体", "牵头医院", "结余留用", "县招乡用", "乡聘村用", "按需设岗", "两包", "三单", "六贯通", "紧密型县域医共体"],
)
def test_domain_words_stay_whole(lx, word):
    assert word in lx.tokenize(f"推进{word}的有关工作")


def test_tokens_are_simplified_lowercase_without_punctuation(lx):
    tokens = lx.tokenize("醫共體牽頭醫院，DRG付費！")
    assert "医共体" in tokens and "牵头医院" in tokens and "drg" in tokens
    assert not any(t in "，！。" for t in tokens)


@pytest.mark.parametrize("text", ["按6:3:1分配", "按6：3：1分配", "按6∶3∶1分配"])
def test_ratios_are_one_token_in_every_colon_width(lx, text):
    assert "6:3:1" in lx.tokenize(text)


def test_percentages_are_kept(lx):
    assert "95%" in lx.tokenize("按95%交医共体") and "95%" in lx.tokenize("按95％交医共体")


@pytest.mark.parametrize(
    "a,b",
    [("龙头医院", "牵头医院"), ("医共体", "县域医疗卫生共同体"), ("医共体", "医疗共同体"), ("一把手", "主要负责同志"), ("医联体", "医疗联合体")],
)
def test_synonyms_expand_both_ways(lx, a, b):
    assert b in lx.expand_terms([a])
    assert a in lx.expand_terms([b])
    assert a not in lx.expand_terms([a])


def test_expand_terms_reads_traditional(lx):
    assert "牵头医院" in lx.expand_terms(["龍頭醫院"])


def test_query_filler_is_removed_and_synonyms_added(lx):
    tokens = lx.query_tokens("请问龙头医院是什么？")
    for filler in ("请问", "是", "什么"):
        assert filler not in tokens
    assert "龙头医院" in tokens and "牵头医院" in tokens
    assert lx.query_tokens("请问龙头医院是什么？", expand=False) == [t for t in lx.tokenize("龙头医院") if t not in lx.filler]


def test_filler_only_query_has_no_tokens(lx):
    assert lx.query_tokens("请问是什么呢？") == []


def test_synonyms_in_text(lx):
    groups = lx.synonyms_in("區政府主要負責同志牽頭")
    assert any("一把手" in g for g in groups)


def test_custom_data_files(tmp_path):
    (tmp_path / "dict.txt").write_text("甲乙丙丁 1000 n\n", encoding="utf-8")
    (tmp_path / "syn.tsv").write_text("# comment\n甲乙丙丁\t戊己庚\n单独\n", encoding="utf-8")
    (tmp_path / "filler.txt").write_text("请问\n", encoding="utf-8")
    lx = Lexicon(tmp_path / "dict.txt", tmp_path / "syn.tsv", tmp_path / "filler.txt")
    assert "甲乙丙丁" in lx.tokenize("关于甲乙丙丁")
    assert lx.expand_terms(["甲乙丙丁"]) == ["戊己庚"]
    assert lx.groups == [["甲乙丙丁", "戊己庚"]]  # a one-term line is not a group
    assert "请问" not in lx.query_tokens("请问甲乙丙丁")
