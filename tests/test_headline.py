"""Headline plus items (answer/headline.py): a counted or summarised thing answered with the items that follow it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.answer.evidence import Sentence
from assistant.answer.headline import asked_headline, headline_items

SERIES = ("某县医共体建设工作总结\n"
          "一、主要做法\n"
          "我县以“三大行动”为抓手推进医共体建设。一是开展能力提升行动,县医院帮扶乡镇卫生院建设特色科室;"
          "二是开展健康守护行动,家庭医生签约覆盖全部行政村;三是开展数字赋能行动,建成县域影像中心。\n"
          "二、取得成效\n"
          "县域内就诊率达到90%。\n")

PARTS = ("某县推行“2+2+3”医共体管理模式。两个统一是指统一管理、统一核算。两个下沉是指人员下沉、技术下沉。"
         "三个共享是指影像共享、检验共享、心电共享。下一步将继续深化改革。\n")

INLINE = "紧密型医共体做到“两包”:医保基金打包、公卫资金打包。\n"


def _doc(text: str):
    return SimpleNamespace(text=text, sections=[])


def _sentence(doc, text: str) -> Sentence:
    start = doc.text.index(text)
    return Sentence("d", start, start + len(text), text, 1, 0, "")


@pytest.mark.parametrize("question, expected", [
    ("「2+2+3」是指哪些", ("2+2+3", 3)),
    ("三大行动是什么？", ("三大行动", 3)),
    ("讲话讲了哪四个方面的意见？", ("四个方面", 4)),
    ("“1+1+X”签约模式具体指什么", ("1+1+X", 3)),
    ("医共体有什么作用？", None),
    ("县医院是几级医院？", None),
])
def test_the_counted_thing_a_question_asks_about(question, expected):
    assert asked_headline(question) == expected


def test_parts_that_open_following_sentences_are_the_items():
    doc = _doc(PARTS)
    head = _sentence(doc, "某县推行“2+2+3”医共体管理模式。")
    items = headline_items("「2+2+3」是指哪些", [head], {"d": doc})
    assert [s.text for s in items] == [head.text, "两个统一是指统一管理、统一核算。", "两个下沉是指人员下沉、技术下沉。",
                                       "三个共享是指影像共享、检验共享、心电共享。"]
    assert all(doc.text[s.start : s.end] == s.text for s in items)


def test_a_series_after_the_headline_is_the_items():
    doc = _doc(SERIES)
    head = _sentence(doc, "我县以“三大行动”为抓手推进医共体建设。")
    items = headline_items("三大行动是什么", [head], {"d": doc})
    assert items[0] is head and len(items) >= 2
    given = "".join(s.text for s in items[1:])
    assert all(a in given for a in ("能力提升行动", "健康守护行动", "数字赋能行动"))
    assert "取得成效" not in given and "90%" not in given


def test_a_sentence_that_lists_the_items_itself_needs_nothing_more():
    doc = _doc(INLINE)
    head = _sentence(doc, "紧密型医共体做到“两包”:医保基金打包、公卫资金打包。")
    assert headline_items("“两包”是指什么", [head], {"d": doc}) == []


def test_nothing_when_no_items_follow():
    doc = _doc("紧密型医共体的显著特征是“五联动”和“六统一”。由此,一体化衔接更加紧密。\n")
    head = _sentence(doc, "紧密型医共体的显著特征是“五联动”和“六统一”。")
    assert headline_items("“六统一”具体是什么", [head], {"d": doc}) == []


@pytest.mark.parametrize("question, text, items", [
    ("「2+2+3」是指哪些？", PARTS, ("统一管理", "人员下沉", "影像共享")),
    ("三大行动是什么？", SERIES, ("能力提升行动", "健康守护行动", "数字赋能行动")),
])
def test_answer_gives_the_headline_with_its_items(assistant_over, question, text, items):
    app = assistant_over({"report.txt": text})
    ans = app.ask(question)
    assert not ans.abstained, ans.answer
    for item in items:
        assert item in ans.answer
    for c in ans.citations:
        assert app.show(c.source)["text"][c.start : c.end] == c.quote
