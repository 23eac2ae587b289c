"""Character normalisation: Traditional/Simplified and the forms used for matching."""
from __future__ import annotations

from assistant.store import load_index
from assistant.textnorm import cjk_count, is_traditional, match_form, s2t, t2s


def test_t2s_and_s2t():
    assert t2s("醫共體牽頭醫院結餘分配") == "医共体牵头医院结余分配"
    assert s2t("医共体") == "醫共體"
    assert t2s("") == "" and t2s("abc 123") == "abc 123"


def test_t2s_keeps_length_of_every_seed(built_index):
    """Offsets found on the Simplified form are valid on the canonical text."""
    for doc in load_index(built_index, with_vectors=False).documents:
        assert len(t2s(doc.text)) == len(doc.text), doc.source


def test_is_traditional():
    assert is_traditional("裕安區深化區域醫療共同體建設實施方案")
    assert not is_traditional("裕安区深化区域医疗共同体建设实施方案")
    assert not is_traditional("hello 123")
    assert not is_traditional("")


def test_match_form():
    assert match_form("６：３：１") == "6:3:1"
    assert match_form("6∶3∶1") == match_form("6:3:1")
    assert match_form("醫 共 體 ＤＲＧ") == "医共体drg"
    assert match_form(None) == ""


def test_cjk_count():
    assert cjk_count("医共体 DRG 2024年") == 4
    assert cjk_count("") == 0


def test_chinese_numerals_with_hundreds_are_digits():
    from assistant.textnorm import number_form
    assert number_form("一百二十多家医院") == "120多家医院"
    assert number_form("两百人，五百元") == "200人,500元"
    assert number_form("老百姓") == "老百姓"  # 百 inside a word is no numeral
