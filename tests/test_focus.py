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


def test_a_title_word_most_documents_use_points_at_none():
    docs = {k: DocRecord(k, f"{k}.txt", t, "报道", body) for k, t, body in [
        ("m", "关于医保谈判的报道", "医保谈判开启，影响很大。"),
        ("x", "县域医共体观察", "医共体的影响。"),
        ("y", "乡村医生调查", "调查的影响。"),
        ("z", "集采观察", "集采的影响。"),
    ]}
    focus = DocumentFocus(docs)
    assert focus.pointed(["谈判", "集采"], []) == ["m", "z"]
    # "影响" is in every text, though one title holds it too; "关于" still names the one title it is in
    docs["x"] = DocRecord("x", "x.txt", "医共体影响观察", "报道", "医共体的影响。")
    assert DocumentFocus(docs).pointed(["影响"], []) == []
    assert DocumentFocus(docs).pointed(["关于"], []) == ["m"]


def test_sides_split_a_comparison_at_its_join():
    focus = DocumentFocus(DOCS)
    sides = focus.sides("讲话提的医共体方案要求，和秦永方算账的说法有何不同？", ["讲话", "医共体", "方案", "要求", "秦永方", "算账", "说法"], [])
    assert sides == {"a": "讲话提的医共体方案要求", "b": "秦永方算账的说法有何不同?"}


def test_a_side_that_only_names_its_document_shares_the_other_sides_topic():
    focus = DocumentFocus(DOCS)
    sides = focus.sides("讲话和秦永方对方案比例的说法有何不同", ["讲话", "秦永方", "方案", "比例", "说法"], [])
    assert sides["a"] == "讲话对方案比例的说法有何不同"
    assert sides["b"] == "秦永方对方案比例的说法有何不同"


def test_no_sides_without_two_pointed_documents():
    focus = DocumentFocus(DOCS)
    assert focus.sides("讲话和比例有何不同", ["讲话", "比例"], []) == {}
    assert focus.sides("医共体有什么不同", ["医共体"], []) == {}


def test_comparison_answers_each_side_with_its_own_words(assistant_over):
    app = assistant_over({
        "talk.txt": "在全市医共体推进会上的讲话\n\n要改革用人办法,落实县招乡用政策。\n\n乡村医生的做法各有不同,一些乡村医生的做法值得推广。\n",
        "report.txt": "达拉特旗医共体建设报道\n\n达拉特旗的乡村医生由旗里统一招聘,实行旗招、乡管、村用。\n",
    })
    ans = app.ask("讲话提的基层用人办法，和达拉特旗对乡村医生的做法有何不同？")
    assert ans.abstained is False, ans.answer
    talk = [c.quote for c in ans.citations if c.source == "talk.txt"]
    assert talk and "县招乡用" in talk[0], ans.answer  # the 讲话 side answers with its own words, not the shared ones
    assert any("旗招" in c.quote for c in ans.citations)


def test_what_comes_before_both_sides_is_asked_of_both():
    focus = DocumentFocus(DOCS)
    sides = focus.sides("村医的招聘，讲话提的办法和评论的做法各是什么？", ["村医", "招聘", "讲话", "办法", "评论", "做法"], [])
    assert sides["b"].startswith("村医的招聘") and "评论的做法" in sides["b"]
    assert sides["a"].startswith("村医的招聘,讲话提的办法")


def test_a_topic_word_of_one_title_names_no_side():
    focus = DocumentFocus(DOCS)
    assert focus.sides("方案和评论有何不同？", ["方案", "评论"], []) == {}


def test_each_of_two_sources_asked_in_other_words():
    for q in ("讲话提的办法和准格尔旗的实际做法各是什么？", "讲话和报道在薪酬制度上都强调要落实哪一项？", "两边怎么说的？"):
        assert wants_each_side(q), q
    assert not wants_each_side("医保基金结余怎么分配？")
