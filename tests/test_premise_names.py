"""Names in a claim and its evidence (answer/premise_names.py); swapped names are tested with the claim alignment in
test_premise_claim.py, which has the word cutter they need."""
from __future__ import annotations

from assistant.answer.premise_names import abbreviates, body_names, is_name


def test_a_part_of_a_body_or_a_place_is_no_name():
    assert is_name("财政部") and is_name("外交部") and is_name("县卫健局")
    # 部 after a part of a body or of a place or whole makes a part, not a ministry
    assert not any(is_name(w) for w in ("胃部", "腹部", "浙医二院本部", "西部", "内部", "全部"))
    # 主办 / 承办 are what a body does; 医改办 is a body
    assert is_name("市医改办") and not is_name("医政司主办") and not is_name("集团承办")


def test_a_short_name_abbreviates_its_full_form():
    assert abbreviates("卫健委", "卫生健康委员会") and abbreviates("首届", "第一届")
    assert not abbreviates("卫健委", "卫生和计划生育委员会")


def test_bodies_written_out_in_full_are_found_without_the_word_before_them():
    assert body_names("由山东省卫生和计划生育委员会、大众报业集团(大众日报社)主办") == [
        "山东省卫生和计划生育委员会", "大众报业集团", "大众日报社"]
    assert body_names("以在浙医二院本部和建德分院分别做手术") == []  # a part of a hospital is no body
