"""False premises about places (answer.premise_places), on hand-made evidence sentences."""
from __future__ import annotations

from assistant.answer.analyze import analyze, find_regions
from assistant.answer.evidence import Sentence
from assistant.answer.premise_places import swapped_places


def sentence(text: str, coverage: float = 0.6) -> Sentence:
    return Sentence("doc", 0, len(text), text, 1, 0, text, coverage=coverage, context_coverage=coverage)


VISIT = sentence("刘国中副总理到湖南、江西调研医联体建设情况。")


def test_a_listed_place_named_otherwise_is_corrected():
    info = analyze("刘国中副总理是到湖北、湖南调研的吧？", lambda q: [])
    issue = swapped_places(info, [VISIT], ["湖北"], find_regions)
    assert issue is not None and "江西" in issue.note and "湖北" in issue.note


def test_a_visit_put_elsewhere_needs_the_person_or_the_same_statement():
    info = analyze("刘国中副总理是去广东、广西调研的吧？", lambda q: [])
    assert swapped_places(info, [VISIT], ["广东", "广西"], find_regions) is not None
    # Another province's policy asked about is not a visit put elsewhere: the question is declined, not corrected.
    other = analyze("广东的医保结余按什么比例分配？", lambda q: [])
    assert swapped_places(other, [sentence("湖南的医保结余按6:3:1分配。", 0.4)], ["广东"], find_regions) is None


def test_a_claim_put_to_confirm_of_another_place_is_corrected():
    from assistant.answer.premise_places import place_said_otherwise

    text = sentence("2010年11月19日，国务院办公厅发文肯定了以“双信封招标、量价挂钩”为特点的安徽基药招标模式。")
    issue = place_said_otherwise(analyze("国办2010年肯定的是山东的双信封招标模式吧？", lambda q: []), [text])
    assert issue is not None and "安徽" in issue.note and "山东" in issue.note
    # Asked, not put to confirm: a place the passage does not cover is for the abstention checks.
    assert place_said_otherwise(analyze("山东的双信封招标模式是什么？", lambda q: []), [text]) is None
    # The same place written in full ("宁夏回族自治区" for "宁夏") is no other place.
    own = sentence("本研究数据来源于宁夏回族自治区卫生行政部门与北京大学合作开展的项目。")
    assert place_said_otherwise(analyze("这项宁夏研究的数据来自宁夏卫生行政部门与北京大学合作的项目，是吗？",
                                        lambda q: []), [own]) is None


TOPIC = sentence("2021年国家医保谈判如约而至。", 0.4)
WHERE = sentence("11月9日，北京石景山区的银保建国酒店，2021年国家医保谈判正式拉开帷幕。", 0.4)


def test_a_place_put_as_fact_in_one_clause_is_corrected_by_the_sentence_that_says_where():
    # The question says more than the sentence shares (", 为期一周吧"), and a sentence that repeats the topic without
    # the place ranks first: the clause with the place is matched sentence by sentence.
    info = analyze("2021年国家医保谈判在上海举行，为期一周吧？", lambda q: [])
    issue = swapped_places(info, [TOPIC, WHERE], ["上海"], find_regions)
    assert issue is not None and "北京" in issue.note and "上海" in issue.note
    # Asked, not put as a fact: declined elsewhere, not corrected.
    asked = analyze("2021年国家医保谈判在上海哪家酒店举行？", lambda q: [])
    assert swapped_places(asked, [TOPIC, WHERE], ["上海"], find_regions) is None


def test_the_best_evidence_of_another_place_corrects_even_where_other_documents_name_the_asked_one():
    info = analyze("2021年国家医保谈判在上海举行，为期一周吧？", lambda q: [])
    local = sentence("上海德济医院与名医主刀签署合作协议。", 0.1)  # a document that names 上海, about something else
    issue = swapped_places(info, [local], [], find_regions, everywhere=[TOPIC, WHERE, local])
    assert issue is not None and "北京" in issue.note
    # A document that makes the claim of the asked place itself wins: no correction.
    said = sentence("2021年国家医保谈判在上海举行。", 0.6)
    assert swapped_places(info, [said, local], [], find_regions, everywhere=[WHERE, said, local]) is None
