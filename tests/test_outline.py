"""Outline-aware evidence: counted series in running text ("一是…;二是…;三是…")."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.answer.evidence import Sentence
from assistant.answer.outline import series_run, strip_heading_number

TEXT = (
    "座谈会上,张主任谈了三点体会,一是牵头医院的带动作用;\n"
    "二是乡镇卫生院的承接能力;\n"
    "三是财政部门的持续投入。\n"
    "会议还通报了下一步工作安排。"
)


def _sentence(doc, text: str) -> Sentence:
    start = doc.text.index(text)
    return Sentence("d", start, start + len(text), text, 1, 0, "")


def test_series_run_continues_the_counted_points():
    doc = SimpleNamespace(text=TEXT, sections=[])
    first = _sentence(doc, "座谈会上,张主任谈了三点体会,一是牵头医院的带动作用;")
    run = series_run(first, doc)
    assert [s.text for s in run] == [first.text, "二是乡镇卫生院的承接能力;", "三是财政部门的持续投入。"]
    assert all(doc.text[s.start : s.end] == s.text for s in run)


@pytest.mark.parametrize("text", ["二是乡镇卫生院的承接能力;", "会议还通报了下一步工作安排。"])
def test_series_run_needs_the_first_point(text):
    doc = SimpleNamespace(text=TEXT, sections=[])
    assert series_run(_sentence(doc, text), doc) == []


def test_series_run_stops_where_the_counting_breaks():
    text = "体会有二,一是要有担当;\n其次要有投入。\n三是要有耐心。"
    doc = SimpleNamespace(text=text, sections=[])
    assert series_run(_sentence(doc, "体会有二,一是要有担当;"), doc) == []


def test_list_question_answers_every_counted_point(assistant_over):
    app = assistant_over({"talk.txt": "某县医共体座谈会纪要\n\n" + TEXT + "\n"})
    ans = app.ask("张主任谈了哪几点体会？")
    assert ans.abstained is False, ans.answer
    for item in ("带动作用", "承接能力", "持续投入"):
        assert item in ans.answer
    for c in ans.citations:
        assert app.show(c.source)["text"][c.start : c.end] == c.quote


def test_a_counted_question_answers_every_counted_point(assistant_over):
    # "三点体会是什么" is asked as a fact; its count still asks for the whole series.
    app = assistant_over({"talk.txt": "某县医共体座谈会纪要\n\n" + TEXT + "\n"})
    ans = app.ask("张主任谈的三点体会是什么？")
    assert ans.abstained is False, ans.answer
    for item in ("带动作用", "承接能力", "持续投入"):
        assert item in ans.answer


def test_series_run_keeps_a_points_own_aside_and_a_topic_word_before_the_first_point():
    text = "和省里的要求相比,主要区别一是公卫经费尚未打包。原因是缺乏监管手段。二是基层机构相对独立。\n下一段。"
    doc = SimpleNamespace(text=text, sections=[])
    first = _sentence(doc, "和省里的要求相比,主要区别一是公卫经费尚未打包。")
    assert [s.text for s in series_run(first, doc)] == [first.text, "原因是缺乏监管手段。", "二是基层机构相对独立。"]


def test_series_run_does_not_reach_across_paragraphs_for_an_aside():
    text = "主要区别一是公卫经费尚未打包。\n另一段的话。二是别的事。"
    doc = SimpleNamespace(text=text, sections=[])
    assert series_run(_sentence(doc, "主要区别一是公卫经费尚未打包。"), doc) == []


def test_unified_is_no_first_point():
    text = "实行统一是关键。\n二是别的事。"
    doc = SimpleNamespace(text=text, sections=[])
    assert series_run(_sentence(doc, "实行统一是关键。"), doc) == []


def test_a_count_with_a_colon_keeps_its_items_when_a_long_sentence_is_cut():
    from assistant.answer.analyze import analyze
    from assistant.answer.cut import trim
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.lexicon import default_lexicon

    text = ("在院长年会分论坛上,多位院长结合本院实践作了交流发言,从三个方面:整合资源,构建体系,发展学科,"
            "就如何整合优化存量医疗资源作了介绍,其中院长王某重点谈了专科医联体,王某认为专科医联体大有可为。")
    answerer = ExtractiveAnswerer(default_lexicon())
    info = analyze("王某从哪几个方面谈专科医联体的？", answerer._terms)
    cut = trim(info, Sentence("d", 0, len(text), text, 1, 0, ""), 60)
    assert "整合资源" in cut and "发展学科" in cut and cut.strip("…") in text


ACCOUNTS = (
    "强基层推进医共体建设评论\n\n"
    "推进医共体建设,亲兄弟也要明算账,要处理好内部经济利益分配关系。\n\n"
    "第一,算清政治账。强基层是大势所趋。\n\n"
    "第二,算清医保账。医保基金要打包预算。\n\n"
    "第三,算清成本账。要加强成本核算。\n\n"
    "第四,算清发展账。实现共同发展。\n\n"
    "主要功能价值包括如下几个方面。\n\n"
    "第一,数据资产价值。打通信息孤岛。\n\n"
    "第二,绩效评价价值。构建评价体系。\n"
)


def _answered_with_all(app, question: str, items: tuple[str, ...]):
    ans = app.ask(question)
    assert ans.abstained is False, ans.answer
    missing = [item for item in items if item not in ans.answer]
    assert not missing, ans.answer
    return ans


def test_a_run_of_headings_that_name_the_asked_thing_answers_the_list(assistant_over):
    app = assistant_over({"comment.txt": ACCOUNTS})
    ans = _answered_with_all(app, "评论说医共体内部要亲兄弟明算账，具体要算哪些账？", ("政治账", "医保账", "成本账", "发展账"))
    assert "数据资产" not in ans.answer  # the next run starts its numbering again


def test_a_question_about_where_something_is_said_is_answered_by_its_heading(assistant_over):
    app = assistant_over({"comment.txt": ACCOUNTS.replace("要加强成本核算。", "要加强成本核算,防止内部分配搞平均主义。")})
    ans = app.ask("评论里，防止内部分配搞平均主义，是放在哪本账里讲的？")
    assert ans.abstained is False, ans.answer
    assert ans.answer.startswith("第三，算清成本账") and "平均主义" in ans.answer  # full-width (answer.lead)


OUTLINED = (
    "某县医共体推进会讲话\n\n"
    "【提纲】一、认清大势,把准方向。(一)要把握整合。二、聚焦重点,攻坚克难。(一)要筑牢龙头。三、强化担当,凝聚合力。\n\n"
    "同志们:下面,我讲三个方面的意见。\n\n"
    "一、认清大势,把准方向\n\n推进医共体建设是大势所趋,一、二级医院都要参与。\n\n"
    "三、强化担当,凝聚合力\n\n要压实责任。\n"
)


def test_a_heading_the_page_lost_is_taken_from_the_documents_outline(assistant_over):
    app = assistant_over({"talk.txt": OUTLINED})
    ans = app.ask("这篇讲话分哪三个方面讲的？")
    assert ans.abstained is False, ans.answer
    for item in ("认清大势", "聚焦重点", "强化担当"):
        assert item in ans.answer
    for c in ans.citations:
        assert app.show(c.source)["text"][c.start : c.end] == c.quote


EQUIPMENT = (
    "某省三级医院能力指南解读\n\n"
    "具体来说，三级综合医院的必备医疗设备包括：\n1、全自动生化分析仪、\n2、彩超、\n3、数字减影血管造影（DSA）、\n"
    "4、数字胃肠透视机等。\n此外，三级综合医院还应具有相适应的床位规模。\n\n"
    "而具体到诊疗科目，三级综合医院应当设置以下诊疗科目：\n1、一级诊疗科目\n"
    "应当设置的一级诊疗科目包括：预防保健科、内科、外科、中医科。\n2、二级诊疗科目\n内科应当包括：呼吸内科、消化内科。\n"
)


def test_a_lead_in_ending_in_a_colon_is_answered_by_every_numbered_item(assistant_over):
    app = assistant_over({"guide.txt": EQUIPMENT})
    _answered_with_all(app, "三级综合医院的必备医疗设备都有哪些？", ("全自动生化分析仪", "彩超", "数字减影血管造影", "数字胃肠透视机"))


def test_bare_numbered_labels_answer_with_the_body_of_the_one_asked(assistant_over):
    app = assistant_over({"guide.txt": EQUIPMENT})
    _answered_with_all(app, "三级综合医院应当设置的一级诊疗科目有哪些？", ("预防保健科", "中医科"))


@pytest.mark.parametrize("text, shown", [
    ("3.修改医共体医保结余基金分配比例。", "修改医共体医保结余基金分配比例。"),
    ("（二）完善考核机制。", "完善考核机制。"),
    ("3.5亿元用于基层。", "3.5亿元用于基层。"),
    ("3.4打破基层用人机制。", "3.4打破基层用人机制。"),
])
def test_a_heading_number_is_cut_but_never_part_of_a_figure(text, shown):
    assert strip_heading_number(text) == shown
