"""The readable answer: a lead line from the cited value clauses, no opening connective, full-width punctuation."""
from __future__ import annotations

import re

from assistant.answer.lead import fullwidth, lead_line, readable, strip_connective, value_clauses
from assistant.answer.types import Answer, Citation
from assistant.evaluation.metrics import numbers_in, strip_markers
from assistant.types import DocRecord

QUOTE = ("安徽省人民政府辦公廳《關于全面推進縣域醫療共同體建設的意見》(皖政辦〔2017〕57號)規定,醫保基金結余由牽頭醫院、"
         "鄉鎮衛生院、村衛生室按照6:3:1比例分配,出于傾斜基層的考量,我區原方案將比例修改為4:3:3。")
DOC = DocRecord(doc_id="d1", source="001.txt", title="政策解读", kind="解读", text=QUOTE, date="2020-07-10")


def _answer(text: str, qtype: str = "ratio", quote: str = QUOTE) -> Answer:
    return Answer(question="q", answer=text, citations=[Citation(1, "001.txt", "政策解读", "", quote, 0, len(quote), "d1")],
                  qtype=qtype)


def test_fullwidth_leaves_figures_alone():
    assert fullwidth("按6:3:1分配,占1,000元(含村卫生室);是否?") == "按6:3:1分配，占1,000元（含村卫生室）；是否？"
    assert fullwidth("3.5%") == "3.5%"


def test_connectives_are_stripped_only_where_they_tie_to_an_unseen_sentence():
    assert strip_connective("因此,乡镇卫生院占30%。") == "乡镇卫生院占30%。"
    assert strip_connective("同时，要加强考核。") == "要加强考核。"
    assert strip_connective("同时具备两项条件。") == "同时具备两项条件。"  # a word, not a connective
    assert strip_connective("另外两家医院参加。") == "另外两家医院参加。"


def test_value_clauses_carry_their_subject():
    clauses = value_clauses("ratio", QUOTE)
    assert any("6:3:1" in c and "結余" in c for c in clauses)
    assert any(c.endswith("4:3:3") and "原方案" in c for c in clauses)
    assert all(len(c) <= 48 for c in clauses)


def test_a_value_clause_taken_as_the_next_ones_subject_is_not_said_twice():
    assert value_clauses("number", "其中就诊者981人，未就诊2231人，就诊率为30.5%。") == [
        "其中就诊者981人，未就诊2231人，就诊率为30.5%"]


def test_lead_line_states_the_value_and_every_figure_is_quoted():
    body = "安徽省人民政府办公厅《关于全面推进县域医疗共同体建设的意见》(皖政办〔2017〕57号)规定,医保基金结余由牵头医院、乡镇卫生院、" \
           "村卫生室按照6:3:1比例分配,出于倾斜基层的考量,我区原方案将比例修改为4:3:3。[1]"
    ans = _answer(body)
    readable(ans, {"d1": DOC})
    lead, rest = ans.answer.split("\n", 1)
    assert "6:3:1" in lead and "4:3:3" in lead and lead.endswith("[1]") and "（解读）" in lead
    assert "2020-07-10" not in lead  # the date is not in any cited quote
    assert numbers_in(strip_markers(ans.answer)) <= numbers_in(QUOTE)
    assert "，" in rest and "," not in re.sub(r"\d,\d", "", rest)


def test_the_catch_all_kind_is_not_shown_as_a_source():
    body = "安徽省人民政府办公厅《关于全面推进县域医疗共同体建设的意见》(皖政办〔2017〕57号)规定,医保基金结余由牵头医院、乡镇卫生院、" \
           "村卫生室按照6:3:1比例分配,出于倾斜基层的考量,我区原方案将比例修改为4:3:3。[1]"
    ans = _answer(body)
    readable(ans, {"d1": DocRecord(doc_id="d1", source="001.txt", title="研究", kind="其他", text=QUOTE)})
    lead = ans.answer.split("\n", 1)[0]
    assert "6:3:1" in lead and "（其他）" not in lead and lead.endswith("4:3:3[1]")


def test_no_lead_when_the_first_sentence_already_states_it_briefly():
    ans = _answer("结余按6:3:1分配。[1]", quote="结余按6:3:1分配。")
    assert lead_line(ans, {"d1": DOC}, lambda t: t) == ""


def test_a_first_sentence_that_states_the_value_briefly_stands_as_the_lead():
    ans = _answer("结余按6:3:1分配。[1]原方案为4:3:3,后来改了。[1]", quote="结余按6:3:1分配。原方案为4:3:3,后来改了。")
    readable(ans, {"d1": DOC})
    assert ans.answer == "结余按6:3:1分配。[1]\n原方案为4:3:3，后来改了。[1]"


def test_the_lead_states_the_value_in_the_unit_asked():
    quote = ("据报道,该平台自成立以来发展迅速,在医生和患者中都有不错的口碑,该平台上线已有1个多月,"
             "创始人获得了真格基金500万元天使投资,平台签约医生达到3万名。")
    text = quote + "[1]"
    money = _answer(text, qtype="number", quote=quote)
    money.question = "创始人拿到了多少天使投资？"
    lead = lead_line(money, {"d1": DOC}, lambda t: t)
    assert "500万元" in lead and "1个多月" not in lead
    doctors = _answer(text, qtype="number", quote=quote)
    doctors.question = "平台有多少名签约医生？"
    lead = lead_line(doctors, {"d1": DOC}, lambda t: t)
    assert "3万名" in lead and "500万元" not in lead
    # no clause in the asked unit: no lead rather than another figure at the top
    beds = _answer(text, qtype="number", quote=quote)
    beds.question = "平台有多少张床位？"
    assert lead_line(beds, {"d1": DOC}, lambda t: t) == ""


def test_no_lead_for_questions_that_ask_no_value():
    ans = _answer("因此,要加强医共体建设,推进分级诊疗,促进优质资源下沉。[1]", qtype="how", quote="因此,要加强医共体建设。")
    readable(ans, {"d1": DOC})
    assert ans.answer == "要加强医共体建设，推进分级诊疗，促进优质资源下沉。[1]"


def test_abstentions_are_left_alone():
    ans = Answer(question="q", answer="现有文件中没有找到能回答这个问题的内容。", abstained=True)
    readable(ans, {})
    assert ans.answer == "现有文件中没有找到能回答这个问题的内容。"


def test_assistant_answers_never_start_with_a_connective(assistant):
    for q in ("医保基金结余按什么比例分配？", "为什么要调整结余分配比例？", "医共体建设的核心任务是什么？"):
        text = assistant.ask(q).answer
        assert strip_connective(text) == text
        assert not re.search(r"[\u4e00-\u9fff][,;?](?!\d)", text)
