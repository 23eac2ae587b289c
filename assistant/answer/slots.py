"""The slot a Chinese question asks (an amount, a day, a post holder, members of a kind) and whether a sentence fills it.

A question that asks "多少英镑" is answered by a figure in 英镑 (a quantity in a unit, "几公里", is the one unit
mechanism of answer/evidence.py: asked_unit / has_quantity), "哪一天" by a day, "院长是谁" by a 院长 (not a
副院长), "哪几所高校" by the names of them, "哪些城市" by a place. Evidence that
shares the question's topic words but carries none of these does not answer it (answer/abstain.py declines).
"""
from __future__ import annotations

import re
from typing import Iterable

from ..textnorm import t2s
from .analyze import find_regions
from .evidence import plain


# ---- amounts of money --------------------------------------------------------------------------------------
_CURRENCY = r"(?:元|块钱|英镑|美元|欧元|日元|港元|港币|新台币|台币|澳元|卢布)"
# A fee, a price, a budget: the things whose size is an amount of money.
# A bare 费 is no fee ("自费病人", "DRG付费"): only the words for a charge or a sum.
_FEE = (r"(?:费用|(?:服务|手术|会务|医疗|诊疗|挂号|住院|检查|签约|培训|药|学)费|收费|价格|价钱|报酬|酬劳|工资|薪酬|薪水|"
        r"补助|补贴|年薪|月薪|奖金|津贴|经费|资金|预算|投资|融资|成本|金额|总额|罚款|缴费标准)")
# "奖金应该优先照顾哪几类人" asks which people, not how much: 哪几 is no 几.
_MONEY_ASK = re.compile(rf"多少钱|多少{_CURRENCY}|多少[万亿千百]{_CURRENCY}?|{_FEE}[^，,。？?；;]{{0,8}}(?:多少|(?<!哪)几)"
                        rf"|(?:多少|(?<!哪)几)[^，,。？?；;]{{0,3}}{_FEE}")
_MONEY_FILL = re.compile(rf"\d+(?:\.\d+)?\s*(?:余|多)?\s*(?:[万亿千百]\s*)?{_CURRENCY}|\d+(?:\.\d+)?\s*(?:万|亿)"
                         rf"|[一二三四五六七八九十两百千]+\s*[万亿]?\s*{_CURRENCY}|免费")
# "费用下降了多少" may be answered by a share as well as by an amount.
_CHANGE = re.compile(r"(?:下降|降低|减少|节省|省下|增加|提高|增长|上涨|降了|涨了|降幅|涨幅)[^，,。？?]{0,4}(?:多少|几)")
# "占卫生总费用的比重降到了多少": the fee word names what the share is of; the ask is the share.
_SHARE_ASK = re.compile(r"比重|比例|占比|百分之|几成|[^，,。？?]率")
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之|[一二三四五六七八九十]成")

# ---- a day -------------------------------------------------------------------------------------------------
_DAY_ASK = re.compile(r"哪一天|哪天|哪一日|几月几[日号]|几号(?!文)|具体日期|具体哪天")
_DAY_FILL = re.compile(r"\d{1,2}\s*[日号](?!元)|[一二三四五六七八九十]{1,3}[日号]|\d{1,2}\s*月\s*\d{1,2}|"
                       r"(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}|[初中下]旬|当天|当日|同日|次日|前一天|今天|昨天|明天"
                       r"|[一二三四五六七八九十]月[一二三四五六七八九十]+")

# ---- who holds a post --------------------------------------------------------------------------------------
_POSTS = ("院长|组长|局长|部长|处长|司长|主任|书记|理事长|董事长|总经理|会长|校长|厅长|县长|市长|省长|"
          "创始人|负责人|CEO|首席执行官|总裁|主席|秘书长|主编|主任委员")
_POST_ASK = re.compile(rf"(?<!副)({_POSTS})(?:是|为|叫|由)?(?:谁|哪位|什么名字|叫什么|姓什么)")

# ---- the members of a kind ---------------------------------------------------------------------------------
# What the names of a kind end with: "山东大学", "齐鲁医药学院"; "华润三九医药股份有限公司".
_KIND_NAMES = {
    "高校": r"(?:大学|学院|学校)", "大学": r"(?:大学|学院)", "院校": r"(?:大学|学院|学校)",
    "企业": r"(?:公司|集团|药业|制药|药厂|企业)", "公司": r"(?:公司|集团)", "药企": r"(?:公司|集团|药业|制药|药厂)",
    "厂家": r"(?:公司|集团|药业|制药|药厂|厂)", "协会": r"(?:协会|学会)", "专家": r"(?:专家|教授|主任|院长|医生|医师)",
}
_PLACE_KINDS = ("城市", "省份", "省", "省区", "地区", "地市", "县", "乡镇", "国家")
_MEMBERS_ASK = re.compile(r"(?:哪几|哪些|哪两|哪三|哪[一二三四五六七八九十]+)(?:个|所|家|位|名)?(高校|大学|院校|企业|公司|药企|"
                          r"厂家|协会|专家|城市|省份|省区|地市|省|地区|县|乡镇|国家)(?![级域])"
                          r"|(高校|大学|院校|企业|公司|药企|厂家|协会|城市|省份|省区|地市|地区|国家)(?:还)?(?:有|是|包括)哪些")

def asked_slot(simp_q: str) -> tuple[str, str] | None:
    """(slot kind, detail) the question asks for, or None when no slot is recognised.

    >>> asked_slot("英国全科医生按人头付费的标准是每人每年多少英镑？")
    ('money', '')
    >>> asked_slot("滴滴医生上门服务在哪几个城市推出？")
    ('members', '城市')
    """
    if _MONEY_ASK.search(simp_q) and not _SHARE_ASK.search(simp_q):
        return ("money", "change" if _CHANGE.search(simp_q) else "")
    if _DAY_ASK.search(simp_q):
        return ("day", "")
    m = _POST_ASK.search(simp_q)
    if m:
        return ("post", m.group(1))
    m = _MEMBERS_ASK.search(simp_q)
    if m:
        return ("members", m.group(1) or m.group(2))
    return None


def fills(slot: tuple[str, str], text: str) -> bool:
    """Does the sentence carry something of the asked slot's kind?"""
    kind, detail = slot
    simp = plain(text)
    if kind == "money":
        return bool(_MONEY_FILL.search(simp) or (detail == "change" and _PERCENT.search(simp)))
    if kind == "day":
        return bool(_DAY_FILL.search(simp))
    if kind == "post":
        # "院长" is not answered by "副院长" (unless the question asks for the deputy, which _POST_ASK leaves out).
        return detail in simp.replace(f"副{detail}", "")
    if kind == "members":
        if detail in _PLACE_KINDS:
            return len(find_regions(simp)) >= 1
        ending = _KIND_NAMES.get(detail, re.escape(detail))
        names = {m.group(0) for m in re.finditer(rf"[\u4e00-\u9fffA-Za-z]{{2,12}}?{ending}", simp)}
        # A list of names ("中药协会、企管协会") or one name with its count ("等6家").
        return len(names) >= 2 or bool(names and re.search(r"、|和|及|与", simp))
    return True


def unfilled(simp_q: str, texts: Iterable[str]) -> tuple[str, str] | None:
    """The slot the question asks when none of the texts fills it; None when it is filled or none is asked."""
    slot = asked_slot(simp_q)
    if slot is None:
        return None
    return None if any(fills(slot, t) for t in texts) else slot
