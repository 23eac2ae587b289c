"""False premises in the question's wording: a slogan turned round, a quoted phrase the text words otherwise,
a claimed "top priority", a thing said to be done that the text puts in the future."""
from __future__ import annotations

import re

from .analyze import PERSON_TITLES, QuestionInfo
from .evidence import Sentence
from .premise_acts import PremiseIssue, _about, _contradicts, bigrams, clause, named_otherwise

# "变“治病中心”为“健康中心”", "从“重治疗”转向“重预防”": a change between two quoted labels.
_LABEL_SHIFT = re.compile(r"(?:变|从|由)[“「\"]([^”」\"]{2,12})[”」\"](?:为|变成|变为|转为|转向|到|走向)[“「\"]([^”」\"]{2,12})[”」\"]")


def turned_round(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question has the shift the wrong way round: "变“健康中心”为“治病中心”" where the text reads
    "变“治病中心”为“健康中心”"."""
    asked = [(a, b) for a, b in _LABEL_SHIFT.findall(info.simplified)]
    if not asked:
        return None
    for s, simp in _about(sentences, 0.0):
        for m in _LABEL_SHIFT.finditer(simp):
            if (m.group(2), m.group(1)) in asked:
                start, end = clause(simp, m.start(), m.end())
                return _contradicts(s, start, end)
    return None


_QUOTE = re.compile(r"[“「\"]([^”」\"]{2,24})[”」\"]")


def quoted_in_its_place(phrase: str, info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """A quoted phrase no document uses, where the passage quotes another in the same place: "财务上实行
    “统收统支、合并核算”" against "在财务管理上,可实行“集中管理、分户核算、统筹运营”"."""
    q = info.simplified
    at = q.find(phrase)
    if at < 0:
        return None
    lead = q[max(0, at - 3) : at].rstrip("“「\"")[-2:]  # the words that introduce the quote ("实行")
    topic = bigrams(q[max(0, at - 12) : at])
    if len(lead) < 2:
        return None
    for s, simp in _about(sentences, 0.2):
        for m in _QUOTE.finditer(simp):
            if simp[max(0, m.start() - 4) : m.start()].endswith(lead) and topic & bigrams(simp[: m.start()]):
                return PremiseIssue(f"文件中的原文是“{m.group(1)}”，而不是“{phrase}”。", s)
    return None


# "把公共卫生服务说成是医共体建设的重中之重": what the question names the first thing.
_TOP_Q = re.compile(r"(?:把|将|^)([\u4e00-\u9fff]{2,10}?)(?:说成是|说成|当作|当成|作为|是)[\u4e00-\u9fff]{0,8}?(?:重中之重|首要任务|头等大事)")
_TOP_S = re.compile(r"([\u4e00-\u9fff]{2,12}?)[,，]?是[\u4e00-\u9fff]{0,8}?(?:重中之重|首要任务|头等大事)")


def wrong_top_priority(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question names one thing the top priority; the text names another."""
    # "公共卫生服务" and "医疗服务能力提升" share a word (服务), not the thing.
    return named_otherwise(info, sentences, _TOP_Q, _TOP_S, lambda claimed, theirs, _: bool(
        claimed and theirs and len(claimed & theirs) <= 1 and not theirs <= claimed))


# "国家卫生计生委已经对全国医联体做完整体考核了": claimed as done.
_CLAIMED_DONE = re.compile(r"(?:已经|已|早就|早已)[^，,。？?]{0,12}?(?:做完|完成|搞完|开展|实施|实行|施行|执行|出台|发文|印发|"
                           r"建成|推开|铺开|推进到|走到|做到|取消|签|上线|开通|落地|获批|纳入)了?")
# What is not done yet: planned, under study, in talks, in draft.
_FUTURE = re.compile(r"下一步|下步|将要?|拟|计划|即将|尚未|还未|仍在|尚在|还在|在路上|准备|正在研究|研究制定|洽谈|酝酿|征求意见")


def claimed_done(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question says a thing is done; the passage about it puts it in the future ("下一步…将对医联体进行
    整体考核")."""
    m = _CLAIMED_DONE.search(info.simplified)
    if not m:
        return None
    start_q, end_q = clause(info.simplified, m.start(), m.end())
    if re.search(r"[哪几]|什么|多少|是否|有没有", info.simplified[start_q:end_q]):
        return None  # "已经走到哪一步" asks; it claims nothing ("已经实行了吗" still puts the deed as done)
    deed = bigrams(info.simplified[start_q:end_q])
    for s, simp in _about(sentences, 0.3):
        for f in _FUTURE.finditer(simp):
            start, end = clause(simp, f.start(), f.end())
            if len(deed & bigrams(simp[start:end])) >= 2 and not re.search(r"已经|已|完成", simp[f.start() : end]):
                return _contradicts(s, start, end)
    return None


# A person's post as news text writes it, before or after the name ("副院长李观明", "李观明副院长").
_POST = rf"(?:常务|执行)?副?(?:{PERSON_TITLES}|厅长|司长|科长|会长|秘书长|理事长|董事长|总经理|主席|院士|负责人)"
# The common surnames (they cover nine in ten people): a name starts with one, so "主任级别" names nobody.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
             "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
             "安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
             "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应"
             "臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_POST_NAME = re.compile(rf"(?<!副)({_POST})([{_SURNAMES}][\u4e00-\u9fff]{{1,2}})")
_NAME_POST = re.compile(rf"([{_SURNAMES}][\u4e00-\u9fff]{{1,2}}?)({_POST})")


def wrong_post(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question gives a person named in the passage another post ("司长段政明" where the text reads
    "副处长段政明"; "院长李观明" for "副院长李观明"). Only a post written beside the name on both sides counts."""
    q = info.simplified
    for s, simp in _about(sentences, 0.3):
        for m in _POST_NAME.finditer(simp):
            post = m.group(1)
            name = next((n for n in (m.group(2), m.group(2)[:2]) if n in q), None)
            if not name:
                continue
            at = q.find(name)
            asked = [x.group(1) for x in _POST_NAME.finditer(q) if x.group(2).startswith(name)] + [
                x.group(2) for x in _NAME_POST.finditer(q, at) if x.start() == at and x.group(1) == name]
            if asked and post not in asked and not any(a in simp for a in asked if a != post and a not in post):
                return PremiseIssue(f"文件中{name}的职务是“{post}”，不是“{asked[0]}”。", s)
    return None
