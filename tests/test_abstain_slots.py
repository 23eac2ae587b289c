"""The asked slot (answer/slots.py): what a question asks for and whether evidence fills it."""
from __future__ import annotations

import pytest

from assistant.answer.evidence import asked_unit, has_quantity, plain, unit_forms
from assistant.answer.slots import asked_slot, fills, unfilled


@pytest.mark.parametrize("question, slot", [
    ("英国全科医生按人头付费的标准是每人每年多少英镑？", ("money", "")),
    ("医师每次家访的支付费用是多少？", ("money", "")),
    ("试点地区住院次均费用下降了多少？", ("money", "change")),
    ("新版目录从哪一天开始执行？", ("day", "")),
    ("建德分院的院长是谁？", ("post", "院长")),
    ("有哪几所高校承担培养任务？", ("members", "高校")),
    ("第一批试点城市有哪些？", ("members", "城市")),
])
def test_the_asked_slot(question, slot):
    assert asked_slot(question) == slot


@pytest.mark.parametrize("question", [
    "个人卫生支出占卫生总费用的比重降到了多少？",  # the share is asked; the fee names what it is a share of
    "自费病人处方占多少？",                          # 自费 is no fee
    "DRG付费国家试点在多少个城市启动？",            # 付费 is no fee
    "遴选了哪几家县级医疗机构？",                    # 县级 qualifies, it is no place asked for
    "副院长是谁？",                                  # a deputy is not left to the 院长 check
    "医共体发奖金应该优先照顾哪几类人？",            # 哪几 asks which, not how much
])
def test_no_slot_where_the_word_is_not_asked(question):
    slot = asked_slot(question)
    assert slot is None or slot[0] not in ("money", "members", "post"), slot


def test_an_amount_needs_a_currency_figure():
    slot = asked_slot("每人每年多少英镑？")
    assert not fills(slot, "NHS剩余20%的预算用于全科医生薪酬发放。")
    assert fills(slot, "标准为每人每年80英镑。")
    assert fills(asked_slot("建设投资是多少？"), "总投资1.2亿元。")


def test_a_change_in_cost_may_be_a_share():
    slot = asked_slot("住院次均费用下降了多少？")
    assert fills(slot, "次均费用下降了12.5%。")
    assert not fills(slot, "试点地区已全部进入实际付费。")


@pytest.mark.parametrize("question, unit", [
    ("服务半径具体是几公里？", "公里"),
    ("检验周转时间标准是几小时？", "小时"),
    ("急诊报告要等几个小时？", "个小时"),     # not a count in 个
    ("培训周期一般是几个月？", "个月"),
    ("医院有多少床？", "床"),
    ("有几家医院参加？", "家"),
])
def test_one_unit_table_for_every_asked_quantity(question, unit):
    assert asked_unit(question) == unit
    assert asked_slot(question) is None  # the slot module no longer keeps its own measure units


def test_a_measure_needs_its_unit_in_any_of_its_forms():
    assert not has_quantity("公里", "当用户处在上门医生的服务半径时,即能看到医生专车信息。")
    assert has_quantity("公里", "服务半径为3公里。") and has_quantity("公里", "服务半径为3千米。")
    assert has_quantity("个小时", "急诊检验两个小时内出报告。") and has_quantity("小时", "急诊检验2个小时内出报告。")
    assert has_quantity("床", "新院区设置床位800张。")
    assert "千米" in unit_forms("公里") and unit_forms("岁") == ["周岁", "岁"]


def test_a_measure_the_question_states_is_not_its_answer():
    assert not has_quantity("公里", "服务半径从3公里扩大。", given="服务半径3公里扩大到几公里？")


def test_a_day_needs_a_day_not_a_year():
    slot = asked_slot("新版目录从哪一天开始执行？")
    assert not fills(slot, "2021年国家医保药品目录调整通过初步审查。")
    assert fills(slot, "新版目录自2022年1月1日起执行。")


def test_a_count_of_years_is_not_a_calendar_year():
    assert not has_quantity("年", "2015年10月15日，三家公司共同宣布合作。")
    assert has_quantity("年", "协议期限为3年。") and has_quantity("个月", "试点为期6个月。")
    assert has_quantity("月", "活动于10月18日开始。")  # "几月" asks which month: a day answers it


def test_a_post_is_not_filled_by_its_deputy():
    slot = asked_slot("建德分院的院长是谁？")
    assert not fills(slot, "现任建德分院副院长陈健是普外科专家。")
    assert fills(slot, "建德分院院长由王明担任。")


def test_members_are_named():
    slot = asked_slot("有哪几所高校承担培养任务？")
    assert not fills(slot, "省教育厅遴选确定承担培养任务的高校。")
    assert fills(slot, "由山东医学高等专科学校、菏泽医学专科学校和济南大学承担。")
    city = asked_slot("第一批试点城市有哪些？")
    assert not fills(city, "所有试点城市已经全部进入实际付费。")
    assert fills(city, "首批试点包括北京、天津和上海等城市。")


def test_extracted_figures_are_read_as_numbers():
    assert plain("接管NHS $8 0 \\%$ 的预算") == "接管NHS 80% 的预算"
    assert fills(asked_slot("下降了多少费用？"), "费用下降 $1 2 \\%$ 。")
    assert has_quantity("家", "共有 $1 2$ 家医院。") and not has_quantity("家", "共有医院。")


def test_unfilled_is_none_when_any_text_fills():
    assert unfilled("新版目录从哪一天开始执行？", ["目录已经发布。", "自3月1日起执行。"]) is None
    assert unfilled("新版目录从哪一天开始执行？", ["目录已经发布。"]) == ("day", "")
    assert unfilled("这项政策怎么落实？", ["无关的句子。"]) is None


SERVICE = {
    "didi.txt": (
        "滴滴医生上门服务报道\n\n"
        "用户打开滴滴出行APP后,当用户处在上门医生的服务半径时,即能看到滴滴医生专车信息。\n\n"
        "此次活动在北京、上海两个城市推出,医生均为知名医院的专家。\n"
    ),
}


def test_a_measure_the_evidence_lacks_is_declined(assistant_over):
    app = assistant_over(SERVICE)
    ans = app.ask("滴滴医生的服务半径具体是几公里？")
    assert ans.abstained is True, ans.answer
    ans = app.ask("滴滴医生上门服务在哪几个城市推出？")
    assert ans.abstained is False, ans.answer


def test_a_ministry_is_a_department():
    from assistant.answer.abstain_asks import names_kind
    from assistant.answer.followup import find_entities
    # the ministries of the central government name a 部门 as much as a 局 or a 委 does; a hospital's 本部 does not
    assert ("department", "财政部") in find_entities("财政部特别增订长期照顾特别扣除额")
    assert names_kind("部门", "为减轻租税负担，财政部特别增订长期照顾特别扣除额", lambda terms: [])
    assert not names_kind("部门", "放在浙医二院本部进行的话，费用超过8000元", lambda terms: [])


def test_a_document_number_in_round_brackets_is_one(assistant_over):
    app = assistant_over({"fenji.txt": (
        "家庭医生签约服务研究\n\n"
        "2015年《国务院办公厅关于推进分级诊疗制度建设的指导意见》（国办发（2015）70号）正式推进居民与签约医生团队签订服务协议。\n\n"
        "签约服务以团队为服务形式。\n")})
    ans = app.ask("哪个文件在2015年推进居民与签约医生团队签订服务协议？文号是什么？")
    assert ans.abstained is False and "70号" in ans.answer, ans.answer
    assert app.ask("签约服务以什么为服务形式？文号是什么？").abstained is True
