"""Quoted terms: what counts as saying what a term means, and which questions ask it."""
from __future__ import annotations

import pytest

TERMS = {
    "bid.txt": (
        "药品招标评论\n\n"
        "一些药品的中标价格明显低于通行的成本价，甚至低于原料的采购价，这种超低价现象被学者们称为“药价虚低”。\n\n"
        "药价虚低也引发了越来越多的争议。\n\n"
        "安徽实行“双信封制”：竞标企业要同时报技术标和商务标。\n\n"
        "文章要求更加注重预防为主和风险防范，更加注重提高质量和促进均衡，更加注重资源下沉和系统协作。\n\n"
        "近期，名医主刀、阿里健康、滴滴出行三方合作，共同打造“一键约名医”的新型医疗服务模式。\n"
    ),
}


@pytest.mark.parametrize("question, found", [
    ("什么叫“药价虚低”？", "称为"),  # the description comes before "称为“…”", and it leads the answer
    ("“双信封”指的是什么？", "技术标"),  # a suffix (制) closes the term before its colon
    ("文章提了哪几个“更加注重”？", "资源下沉"),  # the stem of a series
    ("哪三家合作推出了“一键约名医”？", "滴滴"),  # a list of other things, asked before the term
])
def test_terms_said_or_not_asked(assistant_over, question, found):
    ans = assistant_over(TERMS).ask(question)
    assert ans.abstained is False, ans.answer
    assert found in ans.answer.split("[1]")[0] if found == "称为" else found in ans.answer


def test_a_term_no_sentence_explains_is_declined(assistant_over):
    ans = assistant_over(TERMS).ask("什么叫“两票制”？")
    assert ans.abstained is True
