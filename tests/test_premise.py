"""False-premise detection (check_premises) on hand-made evidence sentences."""
from __future__ import annotations

import pytest

from assistant.answer.analyze import analyze
from assistant.answer.evidence import Sentence
from assistant.answer.premise import check_premises
from assistant.answer.premise_acts import asserted_actor
from assistant.textnorm import match_form

PACKAGE = "省《意见》规定城乡居民医保按当年筹集基金95%交医共体牵头医院包干使用,出于节约医保资金的考虑,我区原方案修改为93%。"
SURPLUS = "医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配,出于倾斜基层的考量,我区原方案将比例修改为4:3:3。"
ISSUED = "2018年5月31日,区政府办公室印发了《全面推进区域医疗共同体建设实施方案》。"
OTHER_YEAR = "2019年12月,市卫健委等三部门印发了城市医联体建设实施方案的通知。"
NOT_PACKED = "即仅医保基金打包给牵头单位,公卫经费尚未打包。"
NEVER_REALLY = "长期以来,分级诊疗从未真正实现,基层首诊率偏低。"


def sentence(text: str, coverage: float = 0.6, doc_id: str = "doc", start: int = 0) -> Sentence:
    """An evidence sentence that is about the question (coverage) unless told otherwise."""
    return Sentence(doc_id, start, start + len(text), text, 1, 0, text, coverage=coverage, context_coverage=coverage)


def check(question: str, evidence: list[Sentence], corpus: list[str] | None = None):
    info = analyze(question, lambda q: [])
    forms = [match_form(t) for t in (corpus if corpus is not None else [s.text for s in evidence])]
    return check_premises(info, evidence, forms)


# ---- a claimed value the corpus never states ------------------------------------------------------
def test_claimed_percent_absent_from_corpus_names_the_documented_values():
    s = sentence(PACKAGE)
    issue = check("包干比例为什么调成90%？", [s])
    assert issue is not None
    assert "90%" in issue.note
    assert "95%" in issue.note and "93%" in issue.note
    assert issue.sentence is s


def test_claimed_ratio_absent_from_corpus_names_the_documented_ratio():
    s = sentence(SURPLUS)
    issue = check("结余为什么按5:3:2分配？", [sentence(NOT_PACKED, start=200), s])
    assert issue is not None
    assert "5:3:2" in issue.note and "6:3:1" in issue.note
    assert issue.sentence is s


def test_absent_value_is_not_contradicted_by_an_unrelated_sentence():
    # The only sentence with a percentage is not about the question (low coverage).
    assert check("包干比例为什么调成90%？", [sentence(PACKAGE, coverage=0.1)]) is None


# ---- a value the passage gives, but said of something else ------------------------------------------
@pytest.mark.parametrize(
    ("question", "evidence", "claimed", "documented"),
    [
        ("省里规定按当年筹集基金的93%交牵头医院包干，为什么？", PACKAGE, "93%", "95%"),
        ("既然牵头医院、乡镇卫生院、村卫生室按照4:3:3比例分配，为什么还要改？", SURPLUS, "4:3:3", "6:3:1"),
    ],
)
def test_value_said_of_the_other_party_gets_premise_note(question, evidence, claimed, documented):
    s = sentence(evidence)
    issue = check(question, [s])
    assert issue is not None
    assert claimed in issue.note and documented in issue.note
    assert issue.sentence is s


@pytest.mark.parametrize(
    "question",
    [
        "我区原方案为什么把包干比例修改为93%？",  # said of its own party
        "为什么原方案把比例从6:3:1修改为4:3:3？",  # both values in one clause: a change, not an attribution
    ],
)
def test_value_said_of_its_own_party_is_not_a_false_premise(question):
    assert check(question, [sentence(PACKAGE), sentence(SURPLUS, start=100)]) is None


# ---- a value found elsewhere in the corpus, but not in the passage that answers ---------------------
def test_calendar_year_conflicting_with_the_best_passage():
    s = sentence(ISSUED)
    issue = check("区政府办公室2019年印发了什么方案？", [s], corpus=[ISSUED, OTHER_YEAR])
    assert issue is not None
    assert "2019年" in issue.note and "2018年" in issue.note
    assert issue.sentence is s


def test_year_conflict_needs_a_passage_about_the_question():
    weak = sentence(ISSUED, coverage=0.2)
    assert check("区政府办公室2019年印发了什么方案？", [weak], corpus=[ISSUED, OTHER_YEAR]) is None


def test_a_term_of_office_is_not_a_calendar_year_conflict():
    # "4年" (a span) in the evidence does not contradict the calendar year "2016年" in the question.
    s = sentence("按照任职资格公开招聘公立医院院长,每届任期4年。")
    assert check("2016年以后公立医院院长每届任期几年？", [s], corpus=[s.text, "2016年成为示范旗。"]) is None


# ---- a presupposed action the evidence says was not done ------------------------------------------
def test_negated_presupposition_quotes_the_clause():
    s = sentence(NOT_PACKED)
    issue = check("公卫经费打包以后按什么比例包干？", [s])
    assert issue is not None
    assert "“公卫经费尚未打包”" in issue.note
    assert "仅医保基金" not in issue.note  # the clause, not the whole sentence
    assert issue.sentence is s


def test_negated_presupposition_needs_a_passage_about_the_question():
    assert check("公卫经费打包以后按什么比例包干？", [sentence(NOT_PACKED, coverage=0.1)]) is None


def test_adverb_after_negation_is_not_the_undone_action():
    # "从未真正实现": 真正 is an adverb; the question using 真正 does not presuppose something undone.
    assert check("分级诊疗真正实现以后,基层首诊率会提高多少？", [sentence(NEVER_REALLY)]) is None


def test_question_that_itself_negates_the_action_has_no_issue():
    assert check("公卫经费为什么尚未打包？", [sentence(NOT_PACKED)]) is None


# ---- agreement ----------------------------------------------------------------------------------
def test_no_issue_when_the_percent_agrees():
    assert check("包干比例为什么调成95%？", [sentence(PACKAGE)]) is None


def test_no_issue_when_the_ratio_agrees():
    assert check("结余为什么按6:3:1分配？", [sentence(SURPLUS)]) is None


def test_no_issue_when_the_year_agrees():
    assert check("区政府办公室2018年印发了什么方案？", [sentence(ISSUED)], corpus=[ISSUED, OTHER_YEAR]) is None


def test_no_issue_without_evidence():
    assert check("包干比例为什么调成90%？", [], corpus=[PACKAGE]) is None


def test_negated_action_of_another_subject_is_no_issue():
    # "仅医保基金打包给牵头单位,公卫经费尚未打包": asking about 医保基金 after packaging presupposes nothing false.
    assert check("医保基金打包以后按什么比例包干？", [sentence(NOT_PACKED)]) is None


# ---- a change asked in the wrong direction ---------------------------------------------------------
OLD_SCHEME = "出于倾斜基层的考量,我区原方案将比例修改为4:3:3。"
NEW_SCHEME = "因此,新方案建议按省文件规定调整为6:3:1。"


def test_change_in_the_wrong_direction_is_corrected():
    issue = check("新方案为什么要把结余分配比例从6:3:1改成4:3:3？", [sentence(OLD_SCHEME), sentence(NEW_SCHEME, start=40)])
    assert issue is not None and "方向" in issue.note and "6:3:1" in issue.note
    assert issue.sentence.text == NEW_SCHEME


@pytest.mark.parametrize(
    "question",
    [
        "原方案为什么要把结余分配比例从6:3:1改成4:3:3？",  # true: the old scheme made that change
        "新方案为什么要把结余分配比例从4:3:3改成6:3:1？",  # true: the new scheme changed it back
        "结余分配比例为什么从6:3:1改成4:3:3？",  # no actor named: not enough to call it reversed
    ],
)
def test_change_in_the_documented_direction_is_no_issue(question):
    assert check(question, [sentence(OLD_SCHEME), sentence(NEW_SCHEME, start=40)]) is None


def test_claimed_age_the_documents_state_differently():
    s = sentence("2020年8月1日,启动为13周岁在校女学生免费接种宫颈癌疫苗行动。")
    issue = check("给9周岁女孩免费接种宫颈癌疫苗是从哪天开始的？", [s])
    assert issue is not None and "13周岁" in issue.note


# ---- who did it, misquotes, reversed shifts, numerals ---------------------------------------------
STREETS = "根据市里的实施方案精神,我区3个街道与市二院组建紧密型医联体。"
CENTRES = "建议区妇幼保健院及小华山社区卫生服务中心分别与六安市人民医院、六安市中医院组建紧密型城市医联体。"


def test_asserted_actor_the_documents_name_differently():
    issue = check("那3个街道是跟六安市中医院组建的紧密型城市医联体，对吧？", [sentence(CENTRES), sentence(STREETS, start=60)])
    assert issue is not None and "市二院" in issue.note and issue.sentence.text == STREETS


def test_asserted_actor_of_a_signed_agreement():
    signed = "小华山社区卫生服务中心2019年5月已与市人民医院签订了为期三年的城市医联体建设协议。"
    issue = check("小华山社区卫生服务中心是跟市中医院签的协议吧？", [sentence(signed)])
    assert issue is not None and "市人民医院" in issue.note


def test_asserted_actor_the_documents_confirm_is_no_issue():
    assert check("那3个街道是跟市二院组建的紧密型医联体，对吧？", [sentence(CENTRES), sentence(STREETS, start=60)]) is None


MEETING = "国务院总理李强1月17日主持召开国务院常务会议,听取优化基层医疗卫生机构布局建设情况的汇报。"
REVIEWED = "《初稿》送区司法局进行合法性审查,根据审查意见进一步修改形成送审稿。"


def test_actor_in_a_relative_clause():
    # Not asked with 吧 or 吗: "X主持的会议" asserts X all the same; the date in front is not part of who.
    issue = check("1月17日刘国中副总理主持的国务院常务会议听取了什么汇报？", [sentence(MEETING)])
    assert issue is not None and "刘国中副总理" in issue.note and "李强" in issue.note


def test_actor_in_a_relative_clause_the_documents_confirm_is_no_issue():
    assert check("李强总理1月17日主持的国务院常务会议听取了什么汇报？", [sentence(MEETING)]) is None


def test_reviewer_the_documents_name_differently():
    issue = check("方案初稿是送区人大常委会做的合法性审查吧？", [sentence(REVIEWED)])
    assert issue is not None and "区人大常委会" in issue.note and "司法局" in issue.note
    assert check("方案初稿是送区司法局做的合法性审查吧？", [sentence(REVIEWED)]) is None


@pytest.mark.parametrize("question", ["医保基金是不是都打包给牵头单位了？", "牵头的医院有哪几家？"])
def test_a_role_named_by_its_verb_is_no_actor(question):
    led = sentence("因我区牵头医院两家为市三级医院,一家为民营营利性医院。")
    assert asserted_actor(analyze(question, lambda q: []), [led]) is None


def test_swapped_words_in_a_quoted_slogan_are_a_misquote():
    s = sentence("要全面实现“基层检查、上级诊断、区域互认”,让数据多跑路,让群众少跑腿。")
    issue = check("讲话说要“让群众多跑路、让数据少跑腿”，怎么理解？", [s])
    assert issue is not None and "让数据多跑路" in issue.note


def test_shift_asked_the_other_way_round():
    s = sentence("从而内在驱动医疗机构从“重治疗”转向“重预防”,实现医防深度融合。")
    issue = check("为什么打包付费会促使医疗机构从“重预防”转向“重治疗”？", [s])
    assert issue is not None and "方向" in issue.note
    assert check("为什么打包付费会促使医疗机构从“重治疗”转向“重预防”？", [s]) is None


def test_chinese_numerals_equal_digits():
    s = sentence("以4家医院为龙头,14个苏木乡镇卫生院为枢纽的4大紧密型医共体在全旗铺开。")
    assert check("四大医共体的龙头医院分别是哪几家？", [s]) is None
    issue = check("五大医共体的龙头医院分别是哪几家？", [s])
    assert issue is not None and "4大" in issue.note


# ---- stop 11: counts, schemes, deeds, denials; one table of premises caught, one of look-alikes that are not ----
QC_CENTRES = "第一步,成立医疗、护理、院感、药事、病案五个市级质量与控制中心,强化质量安全体系构建。"
LEVELS = "提升乡镇卫生院的服务能力,努力打造一批二级和一级综合医院;"
MERGE = "推进紧密型医共体建设,不是简单的机构叠加,而是一场深刻的服务体系变革。"
POOL = "编制部门要建立并实施区级医院和乡镇卫生院编制周转池制度。"
MOST = "比如某地模式,其人财物的统一管理其实各地很难复制,最需借鉴的是按签约人头付费的医保支付方式。"
VACCINE = "2020年8月1日,启动为13周岁在校女学生免费接种宫颈癌疫苗行动。"

# (question, evidence, its coverage, other corpus text, words the note must name)
CAUGHT = [
    ("该市只建了三个市级质控中心，分别管什么？", QC_CENTRES, 0.3, ["3个街道"], ["五个"]),  # Chinese numerals
    ("该县作为国家第一批改革试点，是哪年入选的？", "2016年,该县被确定为国家第三批公立医院综合改革试点县。", 0.4, [], ["第三批"]),
    ("要求把乡镇卫生院打造成三级综合医院，怎么落实？", LEVELS, 0.25, ["市三级医院"], ["二级"]),
    ("新方案把结余改成4:3:3分配，从哪年开始执行？", SURPLUS, 0.6, [], ["原方案"]),  # the other scheme's value
    ("这次为了节约医保资金，把包干比例从95%下调到93%，依据是什么？", PACKAGE, 0.6, [], ["原方案"]),  # its change
    ("既然紧密型医共体就是把机构叠加起来，具体怎么合并？", MERGE, 0.25, [], ["不是简单的机构叠加"]),
    ("医联体考核课题研究还没启动，什么时候开始？", "医联体考核相关课题研究现已完成,下一步将进行整体考核。", 0.35, [],
     ["现已完成"]),
    ("会议要求压缩基层的用药种类，怎么推进？", "要健全临床科室设置,扩大基层用药种类,加强医务人员培训。", 0.25, [], ["扩大"]),
    ("编制周转池是人社部门负责建立的，具体怎么运作？", POOL, 0.4, [], ["编制部门"]),  # declared actor
    ("文章里的“八本账”分别是哪八本？", "医共体内部要算清十本账,才能理顺利益分配。", 0.6, [], ["十本"]),
    ("专家为什么认为某地模式最值得借鉴的是人财物统一管理？", MOST, 0.3, [], ["按签约人头付费"]),
    ("方案让财政部门去争取中央预算内投资来支持基础设施建设，怎么要求的？",
     "发改部门要积极争取中央预算内投资,加大对医疗机构基础设施建设的支持力度;", 0.4, [], ["发改部门", "财政部门"]),
    ("那次由国务院副总理刘国中主持的国务院常务会议提了哪些要求？",
     "国务院总理李强1月17日主持召开国务院常务会议,听取优化基层医疗卫生机构布局建设情况的汇报。", 0.4, [], ["李强"]),
    ("2021年启动的女生免费接种宫颈癌疫苗行动是全国第一个吗？", VACCINE, 0.6, [], ["2020年"]),
    ("区政府第35次常务会议审议通过了送审稿，之前送哪里审查？", "2020年6月1日,区政府召开53次常务会议,审议通过了送审稿。",
     0.5, [], ["53次"]),  # an ordinal the text writes without 第
    ("这次新方案把包干比例从95%下调到了93%，对吧？", PACKAGE, 0.6, [], ["原方案"]),  # "到了"
    ("该院的主诊医师负责制改革已经全面完成了，有哪些经验？", "目前该院也仅走完了科室层面改革的初级阶段,中级阶段仍然在路上。",
     0.4, [], ["初级阶段"]),  # all said done, part done
    ("截至10月底三级医院只有一半左右参加了医联体，为什么？", "截至10月底,全国所有三级医院均已参与各种形式的医联体。", 0.4, [],
     ["所有三级医院"]),  # some said, all written
    ("该旗是给12岁的女孩免费打宫颈癌疫苗的吧？", VACCINE, 0.5, [], ["13周岁"]),  # an age in 岁 against 周岁
    # a body written out in full, which the list of known bodies does not hold
    ("这次医改论坛是省卫健委和晚报联合主办的吧？", "由某省卫生和计划生育委员会、某报业集团主办的医改论坛在省城举行。", 0.5, [],
     ["卫生和计划生育委员会", "卫健委"]),
]


@pytest.mark.parametrize(("question", "text", "coverage", "corpus", "named"), CAUGHT, ids=[c[0][:12] for c in CAUGHT])
def test_false_premise_is_caught_and_names_the_documented_fact(question, text, coverage, corpus, named):
    s = sentence(text, coverage=coverage)
    issue = check(question, [s], corpus=[text, *corpus])
    assert issue is not None and issue.sentence is s
    for word in named:
        assert word in issue.note


# (question, evidence, other corpus text): true premises worded like the false ones
NOT_CAUGHT = [
    ("那4个医共体一共带了多少个乡镇卫生院？", "以上述4家医院为龙头,14个乡镇卫生院为枢纽的4大医共体在全县铺开。", ["4个"]),
    ("成立了哪五个质控中心？", QC_CENTRES, ["5个"]),  # an asked count asserts nothing
    ("原方案为什么把结余比例改成4:3:3？", SURPLUS, []),
    ("为什么说医共体不是简单的机构叠加？", MERGE, []),  # repeats the denial
    ("世立医院医共体下面有哪些乡镇卫生院？", "区妇幼保健院不再作为世立医院医共体二级牵头单位。", []),
    ("编制周转池是哪个部门负责建立的？", POOL, []),  # asks the actor
    ("文章里的“十本账”分别是哪十本？", "医共体内部要算清十本账。", []),
    ("为什么说某地模式最需借鉴的是按签约人头付费？", MOST, []),
    ("基层医疗机构的编制怎么核定？", "科学核定基层医疗卫生机构年度任务人员编制,统筹使用。", []),  # a longer name
    ("2021年医保结余实际分到村卫生室多少钱？", "安徽省人民政府办公厅(皖政办〔2017〕57号)规定,医保基金结余按照6:3:1比例分配。",
     []),  # a year no document reaches, on another topic: outside the documents
    ("为什么没有把公卫经费一并打包给牵头医院？", NOT_PACKED, []),  # says itself it was not done
    ("2019年国务院激励成效明显地方的那次通报里，该旗靠的是哪项改革？",
     "2019年5月8日,国务院办公厅关于对2018年落实有关重大政策措施成效明显地方予以激励的通报中,该旗榜上有名。", []),
    ("要“亲兄弟明算账”，到底算哪些账？", "正确处理好内部经济利益分配关系,“亲兄弟,明算账”,充分调动积极性。", []),
    ("区政府第53次常务会议审议通过了送审稿，之前送哪里审查？", "2020年6月1日,区政府召开53次常务会议,审议通过了送审稿。",
     []),
    ("该旗给13岁的女孩免费打宫颈癌疫苗，从哪天开始？", VACCINE, []),  # 13岁 is 13周岁
    ("该院的主诊医师负责制改革还没有全部完成，难在哪里？", "目前该院也仅走完了科室层面改革的初级阶段。", []),
    # the short name of the body the text writes out ("卫健委" for "卫生健康委员会")
    ("这次医改论坛是省卫健委主办的吧？", "由某省卫生健康委员会主办的医改论坛在省城举行。", []),
]


@pytest.mark.parametrize(("question", "text", "corpus"), NOT_CAUGHT, ids=[c[0][:12] for c in NOT_CAUGHT])
def test_true_premise_worded_like_a_false_one_is_left_alone(question, text, corpus):
    assert check(question, [sentence(text)], corpus=[text, *corpus]) is None


def test_a_corrected_premise_still_answers_what_is_asked(assistant_over):
    app = assistant_over({"news.txt": (
        "常务会议要闻\n\n"
        "区长王某1月17日主持召开区政府常务会议,研究促进就业有关政策措施,听取村卫生室布局建设情况的汇报。\n\n"
        "会议指出,村卫生室是守护群众健康的第一道防线。\n\n"
        "副区长张某14日到乡镇调研,了解村卫生室建设情况。\n")})
    ans = app.ask("1月17日副区长张某主持的区政府常务会议，是怎么给村卫生室定位的？")
    assert ans.premise_note and "王某" in ans.premise_note
    assert "第一道防线" in ans.answer


def test_opposite_wording_with_the_object_before_the_verb():
    s = sentence("第二步,牵头医院与成员签订责任状,公开选拔、择优聘任乡镇卫生院院长和社区卫生服务中心主任。", coverage=0.3)
    issue = check("乡镇卫生院院长都是卫健委直接任命的吧？", [s])
    assert issue is not None and ("公开选拔" in issue.note or "聘任" in issue.note)


def test_a_corrected_place_still_answers_what_was_asked_there(assistant_over):
    # No comma: the ask follows "…调研时"; the answer sits two sentences after the corrected fact.
    app = assistant_over({"news.txt": (
        "国务院要闻\n\n"
        "国务院副总理王某14日至16日到湖南、江西调研。调研期间,王某还深入乡镇卫生院,了解医疗服务保障情况。"
        "他强调,要做好传染病监测防治。要全面推进紧密型县域医共体建设,提升基层医疗服务能力。\n\n"
        "另讯,省卫健委召开会议部署冬春季疾病防控工作。\n")})
    ans = app.ask("王某副总理到湖北、湖南调研时对医共体提了什么要求？")
    assert ans.premise_note and "湖北" in ans.premise_note
    assert "紧密型县域医共体" in ans.answer


def test_an_opening_statement_names_the_actor():
    issue = check("1月17日刘国中副总理主持召开国务院常务会议，会上定了什么？", [sentence(MEETING)])
    assert issue is not None and "李强" in issue.note
    assert check("方案从初稿到最后印发，中间走了哪些程序？", [sentence(ISSUED)]) is None


PILOTS = [sentence("2014年,被确定为国家第二批县级公立医院综合改革试点旗县,2016年先后成为示范旗。"),
          sentence("2019年8月30日,该旗正式被确定为全国首批紧密型医疗卫生共同体试点旗县。", start=60)]


def test_first_batch_is_an_ordinal():
    issue = check("该旗2019年被确定为全国第二批紧密型医共体试点旗县，对吗？", PILOTS)
    assert issue is not None and "首批" in issue.note
    # The passage states 首批 of the thing asked; its 第二批 is another series.
    assert check("该旗是哪天被确定为全国首批紧密型医共体试点旗县的？", PILOTS) is None


def test_a_year_the_passage_gives_to_the_same_thing_is_no_conflict():
    evidence = [sentence("2018年5月31日,区政府办公室印发了《全面推进区域医疗共同体建设实施方案(试行)》。"),
                sentence("一是方案规定试行期截止2019年12月31日,2020年乃至今后如何操作,需进一步明确。", start=60)]
    assert check("2018年那版方案的试行期到什么时候为止？", evidence) is None


def test_a_value_of_a_listed_item_said_of_another_item():
    s = sentence("开展60周岁以上老年人健康体检、50周岁以上人群结肠癌惠民检查、65周岁以上老年人免费接种流感疫苗和肺炎疫苗等项目。")
    issue = check("60岁以上老人可以免费打流感疫苗和肺炎疫苗吗？", [s])
    assert issue is not None and "65周岁以上老年人免费接种流感疫苗" in issue.note


def test_covering_all_is_not_sharing():
    s = sentence("将三级医保基金统一打包拨付给牵头医院,形成“结余留用、合理超支分担”的激励约束机制。")
    issue = check("讲话要求打包付费后，超支部分全部由医保兜底，对吧？", [s])
    assert issue is not None and "分担" in issue.note


def test_a_visit_asked_of_places_no_document_names(assistant_over):
    app = assistant_over({"news.txt": "国务院要闻\n\n国务院副总理王某14日至16日到湖南、江西调研,了解医保服务情况。\n"})
    ans = app.ask("王某副总理春节前是去广东、广西调研的吧？")
    assert ans.premise_note and "湖南" in ans.premise_note and "江西" in ans.premise_note
    ans = app.ask("广东省的医保基金包干比例是多少？")  # another province's policy is still declined
    assert ans.abstained is True


def test_a_yes_no_question_that_states_the_thing_as_done_first():
    s = sentence("主要区别一是未严格执行两包规定,即仅医保基金打包给牵头单位,公卫经费尚未打包。", coverage=0.32)
    issue = check("已经把医保基金和公卫经费都打包给了牵头单位，那人财物是不是也融合了？", [s])
    assert issue is not None and "尚未打包" in issue.note


def test_a_stage_claimed_reached_that_is_still_ahead():
    s = sentence("目前医院也仅走完了科室层面改革的初级阶段,中级阶段和高级阶段:国家层面的体制改革等仍然在路上。")
    issue = check("医院的主诊医师负责制已经推进到国家层面的体制改革了，下一步做什么？", [s])
    assert issue is not None and "在路上" in issue.note
    assert check("医院的主诊医师负责制已经走到哪一步？", [s]) is None


def test_a_visit_stated_as_given_at_places_no_document_names(assistant_over):
    app = assistant_over({"news.txt": "国务院要闻\n\n国务院副总理王某14日至16日到湖南、江西调研,了解医保服务情况。\n"})
    ans = app.ask("王某副总理到广东、福建调研时提了什么要求？")
    assert ans.premise_note and "湖南" in ans.premise_note


def test_an_event_put_as_fact_at_a_place_no_document_names(assistant_over):
    app = assistant_over({"news.txt": "新华社北京12月21日电\n\n首届支付方式改革大会日前在北京召开,国家医保局宣布启动三年行动计划。\n"})
    ans = app.ask("首届支付方式改革大会是在上海召开的吗？")
    assert ans.premise_note and "北京" in ans.premise_note and not ans.abstained
    ans = app.ask("上海参保患者能参加支付方式改革大会吗？")  # asks what can be done there: no statement to correct
    assert not ans.premise_note


# ---- true claims, confirmed (eval/questions_ext_confirm_*.jsonl): no "correction" ---------------------
def test_a_claimed_sum_a_following_passage_states_is_not_contradicted():
    grant = sentence("其中生活补助经费标准为每生每年4000元，学校按每人每月400元标准足额发放。")
    funds = sentence("所需经费由省财政按每生每年10000元的标准拨付高校。")
    assert check("公费医学生的培养经费是省财政按每生每年10000元拨付给高校的，是吗？", [grant, funds]) is None
    assert check("公费医学生的培养经费是省财政按每生每年12000元拨付给高校的，是吗？", [grant, funds],
                 corpus=[grant.text, funds.text, "另有12000元"]) is not None


def test_a_body_a_passage_names_is_not_swapped_for_another_it_names():
    lead = sentence("截止2020年底，西藏每千人口基层医疗卫生机构卫生人员数为5.62人。")
    named = sentence("每个社区卫生服务中心/乡镇卫生院平均卫生人员数为8.7人。")
    issue = check("西藏每个乡镇卫生院平均有8.7个卫生人员，对吗？", [lead, named])
    assert issue is None


def test_when_and_how_a_thing_was_issued_is_not_who_issued_it():
    s = sentence("10月18日，国家卫计委办公厅公开发布《关于印发三级综合医院医疗服务能力指南的通知》。")
    info = analyze("国家卫计委办公厅是10月18日公开发布这份指南的，对吗？", lambda q: [])
    assert asserted_actor(info, [s]) is None
    info = analyze("这份指南是国家医保局发布的，对吗？", lambda q: [])
    assert asserted_actor(info, [s]) is not None


def test_words_run_together_before_a_place_suffix_are_no_place(assistant_over):
    # "当时跨省" ends like a province but neither the gazetteer nor the document knows it: no place to decline on
    app = assistant_over({"news.txt": "三博脑科医院\n\n三博脑科医院与多地医保部门合作,实现跨省异地就医直接结算,患者出院时只需缴纳自付部分。\n"})
    ans = app.ask("三博脑科医院跟外地医保部门合作，当时跨省报销实现了没有？")
    assert not ans.abstained and not ans.premise_note
    assert app.ask("广东省的医保基金包干比例是多少？").abstained  # a real place no document speaks of


def test_pairs_marked_aligned_are_left_to_the_aligned_clause():
    from assistant.answer.premise import antonym_pairs

    assert ("男性", "女性") in antonym_pairs() and ("男性", "女性") not in antonym_pairs(aligned=False)
    assert ("上涨", "下降") in antonym_pairs(aligned=False)
    # A document states its 门诊 and its 住院 rules in different places: a passage on one is no contradiction of
    # a question on the other.
    assert check("住院报销比例提高到了70%，对吧？", [sentence("门诊报销比例提高到了70%。")]) is None
    assert check("报销比例下降到了70%，对吧？", [sentence("报销比例上涨到了70%。")]) is not None


# ---- a grade the document names is not a figure put to the passage --------------------------------------
GRADE_DOC = ("三级综合医院医疗服务能力指南\n\n应当设置的一级诊疗科目包括：内科、外科、精神科。\n\n"
             "医学影像科应当提供与以下二级诊疗科目相对应的专业医疗服务：X线诊断、CT诊断。")


def test_a_grade_the_document_names_elsewhere_is_not_contradicted_by_another_grade():
    first = sentence("应当设置的一级诊疗科目包括：内科、外科、精神科。", coverage=0.7, doc_id="guide")
    other = sentence("医学影像科应当提供与以下二级诊疗科目相对应的专业医疗服务：X线诊断、CT诊断。", coverage=0.5,
                     doc_id="guide", start=40)
    info = analyze("三级综合医院精神科应当包括哪些二级科目？", lambda q: [])
    forms = {"guide": match_form(GRADE_DOC)}
    assert check_premises(info, [first, other], list(forms.values())) is not None  # without the document: a note
    assert check_premises(info, [first, other], list(forms.values()), doc_forms=forms) is None


def test_a_date_the_document_gives_to_something_else_is_still_contradicted():
    # "9月1日起" is written of many things: a month is a figure, never a name.
    doc = "城镇居民自2014年9月1日起享受大病保险待遇。新农合参合人员自2014年1月1日起享受大病保险待遇。"
    s = sentence("新农合参合人员自2014年1月1日起享受大病保险待遇。", coverage=0.8, doc_id="nb", start=24)
    info = analyze("新农合参合人员要等到2014年9月1日才能享受大病保险待遇，是吧？", lambda q: [])
    forms = {"nb": match_form(doc)}
    issue = check_premises(info, [s], list(forms.values()), doc_forms=forms)
    assert issue is not None and "9月" in issue.note
