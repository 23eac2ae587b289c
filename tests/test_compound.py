"""Compound questions: each sub-question gets evidence of its own."""
from __future__ import annotations

import pytest

from assistant.answer.compound import question_parts


@pytest.mark.parametrize(
    "question, parts",
    [
        ("会议是几号开的？谁主持的？", ["会议是几号开的？", "谁主持的？"]),
        ("医保结余怎么分配？", ["医保结余怎么分配？"]),
        ("结余怎么分？是吗？", ["结余怎么分？是吗？"]),  # "是吗" is too short to ask anything of its own
        ("原来按什么比例分？后来为什么改回", ["原来按什么比例分？", "后来为什么改回"]),
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
