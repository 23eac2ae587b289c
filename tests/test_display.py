"""Script of display: quotes stay verbatim, quote_display and section_display follow the reader's script."""
from __future__ import annotations

import pytest

from assistant.display import in_script, quiz_in_script, same_length, script_of

TRAD_QUESTION = "醫保基金結余按什麼比例分配？"
SIMP_QUESTION = "医保基金结余按什么比例分配？"


def test_script_of_follows_the_question_unless_a_setting_names_one():
    assert script_of(SIMP_QUESTION) == "simplified"
    assert script_of(TRAD_QUESTION) == "traditional"
    assert script_of("6:3:1?") == "simplified"  # no Chinese: Simplified
    assert script_of(SIMP_QUESTION, "traditional") == "traditional"
    assert script_of(TRAD_QUESTION, "simplified") == "simplified"


def test_conversion_keeps_length_for_offsets():
    text = "六、新方案修改的主要內容 > 3.修改醫共體醫保結余基金分配比例"
    shown = same_length(text, "simplified")
    assert "医共体" in shown and len(shown) == len(text)
    assert in_script("医共体", "traditional") == "醫共體"


@pytest.mark.parametrize("question,script", [(SIMP_QUESTION, "simplified"), (TRAD_QUESTION, "traditional")])
def test_ask_json_has_quote_display_in_the_question_script(assistant, question, script):
    d = assistant.ask(question).to_dict()
    assert d["script"] == script and d["citations"]
    doc = {x.source: x for x in assistant.index.documents}
    for c in d["citations"]:
        assert c["quote"] == doc[c["source"]].text[c["start"]:c["end"]]  # verbatim, whatever is shown
        assert len(c["quote_display"]) == len(c["quote"])
        assert in_script(c["quote_display"], script) == c["quote_display"]
        assert c["section_display"] == in_script(c["section"], script)
    if script == "simplified":
        assert any(c["quote_display"] != c["quote"] for c in d["citations"])  # document 001 is Traditional


def test_setting_overrides_the_question_script(assistant):
    d = assistant.ask(SIMP_QUESTION, script="traditional").to_dict()
    assert d["script"] == "traditional"
    assert all(c["quote_display"] == in_script(c["quote"], "traditional") or len(in_script(c["quote"], "traditional"))
               != len(c["quote"]) for c in d["citations"])


def test_quiz_items_are_shown_in_the_script_and_keep_what_grading_needs():
    quiz = {"items": [{"id": "q1", "type": "choice", "question": "醫共體結余按什麼比例分配？", "choices": ["6:3:1", "醫院"],
                       "answer": "A", "citation": {"quote": "醫保基金", "section": "一、總則"}}]}
    shown = quiz_in_script(quiz, "simplified")
    item = shown["items"][0]
    assert item["question"] == "医共体结余按什么比例分配？" and item["choices"] == ["6:3:1", "医院"]
    assert item["id"] == "q1" and item["answer"] == "A"
    assert item["citation"]["quote"] == "醫保基金" and item["citation"]["quote_display"] == "医保基金"
    assert quiz["items"][0]["question"].startswith("醫")  # the original is untouched
