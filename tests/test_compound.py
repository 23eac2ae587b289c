"""Compound questions: each sub-question gets evidence of its own."""
from __future__ import annotations

import pytest

from assistant.answer.compound import question_parts, sentences_for_parts, unfilled_parts
from assistant.answer.evidence import Sentence


@pytest.mark.parametrize(
    "question, parts",
    [
        ("会议是几号开的？谁主持的？", ["会议是几号开的？", "谁主持的？"]),
        ("医保结余怎么分配？", ["医保结余怎么分配？"]),
        ("结余怎么分？是吗？", ["结余怎么分？是吗？"]),  # "是吗" is too short to ask anything of its own
        ("原来按什么比例分？后来为什么改回", ["原来按什么比例分？", "后来为什么改回"]),
        # a bracketed note after the question names its source; it asks nothing
        ("签约了多少居民？（竞争机制综述）", ["签约了多少居民？（竞争机制综述）"]),
    ],
)
def test_question_parts(question, parts):
    assert question_parts(question) == parts


COMPOUND = {
    "plan.txt": (
        "某县医共体实施方案\n\n"
        "一、打包\n\n"
        "要做到“两包”:医保基金打包、公卫资金打包。\n\n"
        "二、现状\n\n"
        "因牵头医院缺乏监管手段,目前仅医保基金打包给牵头单位,公卫经费尚未打包。\n\n"
        "三、人员\n\n"
        "乡镇卫生院实行县招乡用,村卫生室实行乡聘村用。\n"
    ),
}


def test_each_part_of_a_compound_question_is_answered(assistant_over):
    app = assistant_over(COMPOUND)
    ans = app.ask("“两包”是指哪两包？该县目前实际打包了哪一块？")
    assert not ans.abstained
    assert "公卫资金打包" in ans.answer
    assert "尚未打包" in ans.answer
    for c in ans.citations:
        assert app.show(c.source)["text"][c.start : c.end] == c.quote


def test_unfilled_parts_needs_one_part_known_to_be_answered():
    misses = {"谁主刀的？": ["no_person"], "哪天做的？": [], "什么职务？": []}
    asks = {"谁主刀的？": ["no_person"], "哪天做的？": ["no_date"], "什么职务？": []}
    # the date is asked and given: the question is answered, the missing person named
    assert unfilled_parts(["谁主刀的？", "哪天做的？"], misses.get, asks.get) == [("谁主刀的？", "no_person")]
    # no check knows what "什么职务" asks, so nothing is known to be answered: the whole question is declined
    assert unfilled_parts(["谁主刀的？", "什么职务？"], misses.get, asks.get) is None


def _sentence(text: str, score: float) -> Sentence:
    return Sentence("d", 0, len(text), text, 1, 0, "", score=score)


def test_an_elliptical_part_gets_the_sentence_stating_what_it_asks():
    arrive = _sentence("医生从医院出发，于20分钟后到达陈女士家中。", 1.4)
    visit = _sentence("11点36分，本次上门服务结束，整个诊询过程持续40分钟。", 0.6)
    other = _sentence("陈女士本该定期到医院检查。", 0.7)
    ranked = [arrive, other, visit]
    by_part = {  # (sentence, score, coverage, states the asked kind of fact)
        "医生出发多久到的患者家？": [(arrive, 1.4, 0.5, True), (other, 0.9, 0.2, False), (visit, 0.5, 0.0, True)],
        # "看了多长时间" shares no word with any sentence; the arrival's 20分钟 answers the first part, not this one
        "看了多长时间？": [(arrive, 0.65, 0.0, True), (other, 0.65, 0.0, False), (visit, 0.5, 0.0, True)],
    }
    extra = sentences_for_parts(list(by_part), ranked, by_part.get, [arrive])
    assert extra == [visit]
    # a sentence that neither shares the part's words nor states what it asks is no answer to it
    by_part["看了多长时间？"] = [(arrive, 0.65, 0.0, True), (other, 0.65, 0.0, False), (visit, 0.5, 0.0, False)]
    assert sentences_for_parts(list(by_part), ranked, by_part.get, [arrive]) == []


SURGERY = {
    "report.txt": (
        "分院手术报道\n\n"
        "浙医二院的专家团队每周来建德分院坐诊、手术。赵女士的胃癌根治手术于3月12日在建德分院完成，手术顺利。\n\n"
        "术后赵女士恢复良好，参加医保的她自付手术费用为4421.25元。\n"
    ),
}


def test_a_compound_question_is_answered_where_one_part_is_and_says_what_is_missing(assistant_over):
    app = assistant_over(SURGERY)
    ans = app.ask("赵女士的手术是哪位专家主刀的？手术是哪天做的？")
    assert not ans.abstained
    assert "3月12日" in ans.answer
    assert any("哪位专家主刀" in n and "没有" in n for n in ans.notices)


def test_a_compound_question_whose_every_part_is_missing_is_declined(assistant_over):
    app = assistant_over(SURGERY)
    ans = app.ask("赵女士的手术是哪位专家主刀的？主刀专家是哪个医院的院长？")
    assert ans.abstained
