"""Which documents a question points at (answer.focus)."""
from __future__ import annotations

from assistant.answer.focus import DocumentFocus, wants_each_side
from assistant.types import DocRecord

DOCS = {
    "a": DocRecord("a", "a.txt", "在全市医共体推进会上的讲话", "讲话", "医共体建设方案要落实。", region="某市"),
    "b": DocRecord("b", "b.txt", "强基层推进医共体建设", "评论", "医共体建设方案要算清十本账。", issuer="秦永方（专栏）"),
    "c": DocRecord("c", "c.txt", "某区医共体方案解读", "解读", "方案修改了比例。", region="安徽省某区",
                   issuer="某区人民政府"),
}


def test_kind_and_author_name_one_document():
    focus = DocumentFocus(DOCS)
    assert focus.naming_terms(["评论", "秦永方", "医共体"]) == {"评论": "b", "秦永方": "b"}


def test_topic_words_and_places_name_no_document():
    focus = DocumentFocus(DOCS)
    # "方案" is in every text; "某区" is a place the question asks about, though it also names the issuer.
    assert focus.naming_terms(["方案", "某区", "比例"]) == {}


def test_comparison_points_at_each_named_document():
    focus = DocumentFocus(DOCS)
    assert wants_each_side("讲话和评论有什么区别？")
    assert focus.pointed(["讲话", "评论"], []) == ["a", "b"]
