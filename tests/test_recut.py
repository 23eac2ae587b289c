"""recut: corpus words hidden by a jieba cut across them."""
from assistant.answer.recut import recut


def test_a_corpus_word_across_an_unknown_token_is_added():
    known = {"服务", "多点", "点值"}
    assert recut("服务量越多点值会怎样", ["服务", "多点", "值会"], known) == ["点值"]


def test_known_terms_are_left_alone():
    known = {"服务", "点值", "务量"}
    assert recut("服务量越多", ["服务"], known) == []


def test_nothing_is_added_for_an_off_corpus_word_with_no_corpus_word_nearby():
    assert recut("抖音直播间怎么挂号", ["抖音", "直播间", "挂号"], {"挂号"}) == []


def test_skipped_words_and_words_already_asked_are_not_added():
    known = {"点值", "值会"}
    assert recut("越多点值会怎样", ["多点"], known, skip={"点值"}) == []
    assert recut("越多点值", ["多点", "点值"], {"点值"}) == []
