"""Abstention slots, through Assistant.ask over small synthetic corpora (fake embedder)."""
from __future__ import annotations

import pytest

REPORT = {
    "report.txt": (
        "医联体建设进展报道\n\n"
        "今年4月23日,国务院发布关于推进医联体建设和发展的指导意见,医联体成为年度热词。\n\n"
        "焦雅辉透露,下一步有关部门将对医联体进行整体考核。\n"
    ),
    "plan.txt": (
        "某区医共体方案解读\n\n"
        "2018年5月31日,区政府办公室印发了《某区全面推进区域医疗共同体建设实施方案(试行)》。\n\n"
        "结合4月22日市推进会议精神,区卫健委起草了新方案。\n"
    ),
}


@pytest.fixture(scope="module")
def app(assistant_over):
    return assistant_over(REPORT)


def test_a_date_of_something_else_does_not_answer_when(app):
    # The report dates the 指导意见, not the 考核办法 it says is still to come.
    ans = app.ask("医联体整体考核办法具体什么时候正式出台？")
    assert ans.abstained is True, ans.answer


def test_the_date_of_the_asked_thing_answers_when(app):
    ans = app.ask("国务院关于推进医联体建设和发展的指导意见是什么时候发布的？")
    assert ans.abstained is False
    assert "4月23日" in ans.answer


def test_a_generic_document_word_is_covered_by_a_titled_document(app):
    # "那份…文件" is the 《实施方案》 the sentence names.
    ans = app.ask("某区最早那份推医共体的文件是哪天发出来的？")
    assert ans.abstained is False, ans.answer
    assert "2018年5月31日" in ans.answer.split("[1]")[0]


def test_days_of_the_month_answer_when(assistant_over):
    app = assistant_over({"news.txt": "国务院要闻\n\n国务院副总理某某14日至16日到湖南、江西调研,了解医保中心服务情况。\n"})
    ans = app.ask("某某副总理这次调研是几号到几号？")
    assert ans.abstained is False, ans.answer
    assert "14日至16日" in ans.answer


CITED = {
    "plan.txt": (
        "某区医联体方案解读\n\n"
        "省《意见》(皖政办〔2017〕57号)规定城乡居民医保按当年筹集基金95%交牵头医院包干使用。\n\n"
        "根据市卫健委《关于印发紧密型城市医联体建设实施方案的通知》(六卫健〔2019〕72号)精神,我区3个街道与市二院组建紧密型医联体。\n"
    ),
}


def test_a_fact_another_document_states_is_not_the_named_documents(assistant_over):
    app = assistant_over(CITED)
    ans = app.ask("六卫健〔2019〕72号文对医保基金包干比例是怎么规定的？")
    assert ans.abstained is True, ans.answer
    ans = app.ask("皖政办〔2017〕57号文对医保基金包干比例是怎么规定的？")
    assert ans.abstained is False and "95%" in ans.answer


GROUP = {
    "plan.txt": (
        "某区医共体方案解读\n\n"
        "调整充实医共体建设领导小组,区医改办负责日常工作。\n\n"
        "村医实行旗招、乡管、村用,医共体在收入分配等方面有充分自主权。\n"
    ),
}


@pytest.mark.parametrize("question", ["医共体领导小组的组长和副组长分别是谁？",
                                      "村医实行旗招乡管村用以后，补助大概是个什么标准？"])
def test_a_post_or_an_amount_the_passage_does_not_name_is_not_answered(assistant_over, question):
    ans = assistant_over(GROUP).ask(question)
    assert ans.abstained is True, ans.answer


def test_a_count_is_answered_by_naming_the_counted_things(assistant_over):
    app = assistant_over({"report.txt": (
        "专科医联体报道\n\n刘某提到,主诊医师负责制改革目前仅走完了科室层面改革的初级阶段,"
        "中级阶段:人事体制改革和高级阶段:国家层面的体制改革仍然在路上。\n")})
    ans = app.ask("主诊医师负责制改革分几个阶段？")
    assert ans.abstained is False, ans.answer
    assert "初级阶段" in ans.answer and "高级阶段" in ans.answer


SLOTS = {
    "news.txt": (
        "国务院要闻\n\n"
        "今年4月23日,国务院发布32号文,即《关于推进医疗联合体建设和发展的指导意见》。\n\n"
        "调研期间,王某还深入基层医疗卫生机构和医保中心,了解医疗服务保障等情况。\n\n"
        "医共体各成员单位之间要建立内部服务模拟市场机制,牵头医院下基层服务要合理拆分收益。\n"
    ),
    "report.txt": (
        "达拉特旗医共体建设报道\n\n"
        "达拉特旗乡村医生实行旗招、乡管、村用,医共体在收入分配等方面有充分自主权。\n\n"
        "刚才,我们集体观摩了*县在紧密型县域医共体建设方面的探索现场。\n"
    ),
    "plan.txt": "金寨县医共体方案解读\n\n医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。\n",
}


@pytest.mark.parametrize("question", [
    "32号文要求到哪一年在全国全面推开医联体建设？",             # "今年" says no year
    "达拉特旗的医共体结余是不是也按6:3:1来分？",                # a ratio claimed where none is stated
    "王某调研时去的是哪一家医保中心？",                          # a class, not a particular one
    "牵头医院下基层服务的内部结算价格由哪个部门来定？",          # a hospital is no department
    "集体观摩的医共体建设现场是哪一个县？",                      # "*县" names no county
])
def test_slots_the_evidence_does_not_fill(assistant_over, question):
    ans = assistant_over(SLOTS).ask(question)
    assert ans.abstained is True, ans.answer


def test_a_named_body_fills_the_particular_slot(assistant_over):
    app = assistant_over({"plan.txt": "某区方案解读\n\n小华山社区卫生服务中心已与六安市人民医院签订协议。\n"})
    ans = app.ask("小华山社区卫生服务中心是跟哪家医院签的协议？")
    assert ans.abstained is False and "六安市人民医院" in ans.answer


def test_evidence_that_only_repeats_the_question_is_no_answer(assistant_over):
    app = assistant_over({"talk.txt": (
        "某县医共体推进会讲话\n\n四、强化担当,凝聚合力\n\n(二)要明确路线图,打好组合拳。\n\n"
        "(一)要压实责任链,形成大合唱。各级党委政府要把医共体建设摆上重要议事日程。\n")})
    ans = app.ask("讲话提出要明确路线图、打好组合拳，这张路线图具体定了哪些时间节点？")
    assert ans.abstained is True, ans.answer
    ans = app.ask("讲话要求各级党委政府怎样压实责任链？")
    assert ans.abstained is False


def test_a_document_number_gives_its_year(assistant_over):
    app = assistant_over({"plan.txt": ("某区方案解读\n\n起草依据。根据国务院办公厅《关于推进医疗联合体建设和发展的指导意见》"
                                       "(国办发〔2017〕32号)起草。\n")})
    ans = app.ask("国务院办公厅关于推进医疗联合体建设和发展的指导意见是哪一年发的？")
    assert ans.abstained is False and "2017" in ans.answer


def test_a_post_holders_name_needs_the_post(assistant_over):
    ans = assistant_over(GROUP).ask("调整充实后的医共体建设领导小组组长叫什么名字？")
    assert ans.abstained is True, ans.answer


def test_a_quoted_phrase_followed_by_another_question_is_not_asked_to_be_defined(assistant_over):
    app = assistant_over({"comment.txt": (
        "强基层推进医共体建设评论\n\n要防止“小弟弟小妹妹”待遇上向“大哥哥大姐姐”看齐,导致的内部绩效分配中的平均主义现象。\n")})
    ans = app.ask("评论说要防止“小弟弟小妹妹”待遇向“大哥哥大姐姐”看齐，这会导致什么问题？")
    assert ans.abstained is False and "平均主义" in ans.answer


def test_members_of_a_kind_with_a_banner_prefix_need_their_names(assistant_over):
    app = assistant_over({"report.txt": "达拉特旗医共体报道\n\n以4家医院为龙头,14个苏木乡镇卫生院为枢纽的4大医共体在全旗铺开。\n"})
    ans = app.ask("达拉特旗大路医院牵头的医共体下面有哪几个苏木乡镇卫生院？")
    assert ans.abstained is True, ans.answer


def test_from_which_side_to_which_is_no_place_question(assistant_over):
    app = assistant_over({"talk.txt": "某县推进会讲话\n\n打包付费以后,内在驱动医疗机构从“重治疗”转向“重预防”,实现医防融合。\n"})
    ans = app.ask("讲话说打包付费以后，医院的心思会从哪头转到哪头？")
    assert ans.abstained is False and "重预防" in ans.answer


def test_a_quantity_named_in_a_claim_to_confirm_is_not_asked():
    from assistant.answer.abstain import _asks_how_many
    assert _asks_how_many("采购数量是多少？") and _asks_how_many("编制周转池 编制数量 裕安区")
    assert not _asks_how_many("药品招标只定价格、不定采购数量，对吧？")


MARKET = {
    "drugs.txt": (
        "基本药物采购评论\n\n"
        "据测算，医院市场一年用药金额约4300亿，基本药物实际采购金额为430亿。\n\n"
        "更有某县医院透露，截至9月底该院已经超出医保额度4千万元了。\n\n"
        "医院内部收入分配要以岗位工作量、服务质量和群众满意度为基础。\n"
    ),
}


@pytest.mark.parametrize("question, found", [
    ("医院市场一年用药金额大概多少？", "4300亿"),  # an amount in 亿 is an amount
    ("医院内部收入分配要以哪几方面为基础？", "岗位工作量"),  # 哪几 asks which, not how much
])
def test_amounts_and_asks_of_which(assistant_over, question, found):
    ans = assistant_over(MARKET).ask(question)
    assert ans.abstained is False and found in ans.answer, ans.answer


def test_an_amount_the_question_states_is_not_the_answer(assistant_over):
    ans = assistant_over(MARKET).ask("那个超了4千万医保额度的县医院，一年的医保总额度是多少？")
    assert ans.abstained is True, ans.answer


COUNTS = {
    "guide.txt": (
        "能力指南报道\n\n"
        "国家卫健委发布的三级综合医院医疗服务能力指南全文共108页，涵盖各项能力要求。\n\n"
        "发改委此前已经搞了20多轮药品降价。\n\n"
        "医生从和睦家出发，20分钟后就到了患者家，看诊持续了40分钟。\n\n"
        "王玉洵说，采购没有实际数量是个问题，改革将推行带量捆绑打包采购。\n"
    ),
}


@pytest.mark.parametrize("question, found", [
    ("三级综合医院医疗服务能力指南全文共有多少页？", "108页"),  # 页, 轮… are counters as much as 个
    ("发改委搞了多少轮药品降价？", "20多轮"),
    ("医生从和睦家出发多久到的患者家？", "20分钟"),  # minutes are a length of time
    ("王玉洵说采购没有实际数量是个问题，改革有没有针对这个的？", "带量"),  # 数量 named, not asked
])
def test_counts_and_lengths_in_their_units(assistant_over, question, found):
    ans = assistant_over(COUNTS).ask(question)
    assert ans.abstained is False and found in ans.answer, ans.answer


def test_a_name_before_a_deputy_title_names_a_person(assistant_over):
    app = assistant_over({"report.txt": (
        "分院手术报道\n\n手术由浙医二院派驻专家陈健副院长亲自操刀，直至下午1:30手术顺利结束。\n")})
    ans = app.ask("这台手术是哪位专家主刀的？")
    assert ans.abstained is False and "陈健" in ans.answer, ans.answer


def test_a_name_before_a_form_of_address_names_a_person(assistant_over):
    app = assistant_over({"report.txt": (
        "门诊报道\n\n李女士大清早赶来，想请浙医二院的骨科专家吴琼华医师给母亲看看腰腿疼痛。\n")})
    ans = app.ask("李女士想请哪位骨科专家给母亲看病？")
    assert ans.abstained is False and "吴琼华" in ans.answer, ans.answer


def test_an_amount_in_yi_or_a_foreign_currency(assistant_over):
    app = assistant_over({"ltc.txt": "长照2.0说明\n\n长照2.0上线以来服务对象逐年增加，政府持续扩大长照服务的范围。\n\n"
                                      "服务对象从51.1万人上升至73.8万人。\n"})
    assert app.ask("长照2.0每年的总预算是多少亿新台币？").abstained is True
    rich = assistant_over({"ltc.txt": "长照2.0说明\n\n长照2.0的总预算为每年330亿新台币，政府持续扩大长照服务的范围。\n"})
    assert rich.ask("长照2.0每年的总预算是多少亿新台币？").abstained is False
    usd = assistant_over({"nhs.txt": "英国医疗\n\n全科医生按人头获得的报酬为每人每年150美元，其余预算用于专科。\n"})
    assert usd.ask("全科医生按人头每人每年拿多少钱？").abstained is False


FEES = {
    "visit.txt": (
        "上门医生活动报道\n\n"
        "活动期间共收到2000多次医生上门预约订单，实际提供了40多次上门服务。\n\n"
        "在为期两天的活动中，用户可以免费享受呼叫医生上门的服务。\n\n"
        "“十三五”期间，个人卫生支出占卫生总费用的比重下降到28.4%。\n"
    ),
}


def test_pay_asked_by_any_of_its_words_needs_an_amount(assistant_over):
    # 报酬, 费用… ask an amount as much as 工资 does: the orders counted are no answer.
    assert assistant_over(FEES).ask("上门一单医生能拿多少报酬？").abstained is True


def test_a_share_of_a_sum_is_not_an_amount(assistant_over):
    ans = assistant_over(FEES).ask("个人卫生支出占卫生总费用的比重降到了多少？")
    assert ans.abstained is False and "28.4%" in ans.answer, ans.answer


def test_a_sum_is_not_given_by_a_count_in_wan(assistant_over):
    # "3万多名外科专家" counts people: it is no sum of money.
    app = assistant_over({"platform.txt": "手术平台合作报道\n\n平台已拥有超过3万多名外科专家资源，每月平均手术量持续增长。\n"},
                         semantic_weight=0)
    assert app.ask("平台上的外科专家做一台手术本人能拿到多少钱？").abstained is True


def test_a_bare_wan_is_a_sum_only_beside_a_word_for_money(assistant_over):
    # "服务对象从51.1万上升至73.8万" counts people though no unit says so; "投入资金5000万" is a sum.
    app = assistant_over({"ltc.txt": "长照2.0说明\n\n长照2.0上线以来，服务对象从51.1万上升至73.8万，政府持续扩大长照服务的范围。\n"})
    assert app.ask("长照2.0每年的总预算是多少亿新台币？").abstained is True
    rich = assistant_over({"ltc.txt": "长照2.0说明\n\n长照2.0上线以来，政府每年投入资金330亿，持续扩大长照服务的范围。\n"})
    assert rich.ask("长照2.0每年的总预算是多少亿？").abstained is False


def test_the_basis_of_an_amount_is_no_amount_asked(assistant_over):
    # "补助金额是根据什么来决定的" asks what the amount depends on, not how much it is.
    app = assistant_over({"ltc.txt": "长照2.0说明\n\n长照2.0依据失能等级及收入条件提供不同补助金额，由照管专员到府评估。\n"})
    ans = app.ask("长照2.0补助金额是根据什么来决定的？")
    assert ans.abstained is False and "失能等级" in ans.answer, ans.answer
