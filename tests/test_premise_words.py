"""False premises in the question's wording (answer.premise_words), on hand-made evidence sentences."""
from __future__ import annotations

from assistant.answer.analyze import analyze
from assistant.answer.evidence import Sentence
from assistant.answer.premise import check_premises
from assistant.textnorm import match_form


def sentence(text: str, coverage: float = 0.5, start: int = 0) -> Sentence:
    return Sentence("doc", start, start + len(text), text, 1, 0, text, coverage=coverage, context_coverage=coverage)


def check(question: str, evidence: list[Sentence]):
    info = analyze(question, lambda q: [])
    return check_premises(info, evidence, [match_form(s.text) for s in evidence])


SHIFT = sentence("要坚守“健康”这个根本,变“治病中心”为“健康中心”。")
FINANCE = sentence("在财务管理上,可实行“集中管理、分户核算、统筹运营”,提高资金使用效率。")
PRIORITY = sentence("医疗服务能力提升,是医共体建设重中之重,外转患者才能降低。")
NEXT = sentence("考核相关课题研究现已完成,下一步国家卫生计生委相关部门将对医联体进行整体考核。")


def test_a_shift_asked_the_wrong_way_round():
    issue = check("讲话是不是要变“健康中心”为“治病中心”？", [SHIFT])
    assert issue is not None and "变“治病中心”为“健康中心”" in issue.note
    assert check("讲话要变“治病中心”为“健康中心”，怎么做？", [SHIFT]) is None


def test_a_quoted_phrase_the_passage_words_otherwise_in_the_same_place():
    issue = check("讲话要求财务上实行“统收统支、合并核算”，具体怎么落实？", [FINANCE])
    assert issue is not None and "集中管理、分户核算、统筹运营" in issue.note


def test_another_thing_named_the_top_priority():
    issue = check("评论把公共卫生服务说成是医共体建设的重中之重，理由是什么？", [PRIORITY])
    assert issue is not None and "医疗服务能力提升" in issue.note
    assert check("评论为什么说医疗服务能力提升是医共体建设的重中之重？", [PRIORITY]) is None


def test_a_thing_said_done_that_the_passage_puts_next():
    issue = check("国家卫生计生委已经对医联体做完整体考核了，结果怎么样？", [NEXT])
    assert issue is not None and "下一步" in issue.note
    assert check("国家卫生计生委下一步要对医联体做什么？", [NEXT]) is None


def test_a_person_given_another_post_is_corrected():
    text = "会上，国家医保局副处长段政明表示，药占比的下降并没有带来医疗费用的下降。"
    issue = check("国家医保局司长段政明宣布了取消药占比考核，是吗？", [sentence(text)])
    assert issue is not None and "副处长" in issue.note and "司长" in issue.note
    assert check("副处长段政明是怎么说的？", [sentence(text)]) is None
    assert check("段政明副处长是怎么说的？", [sentence(text)]) is None
    # "主任级别" names no person: a post is compared only beside a name.
    assert check("平台汇集了副主任级别以上的医生，对吗？", [sentence("平台汇集了2万余名主任级别医生。")]) is None


def test_a_deed_claimed_done_that_is_still_planned_or_studied():
    studied = sentence("近日，国家层面正在研究取消全国公立医院“药占比考核”。")
    assert check("国家已经正式发文取消全国公立医院药占比考核了吧？", [studied]) is not None
    assert check("国家已经取消药占比考核了吗？", [studied]) is not None
    assert check("国家对取消药占比考核研究到哪一步了？", [studied]) is None
