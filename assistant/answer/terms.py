"""Quoted terms: does the evidence say what a term the question asks about ("“两包”是什么") means?"""
from __future__ import annotations

import re

from ..textnorm import t2s
from .analyze import QuestionInfo
from .evidence import Sentence

_COORDINATED = re.compile(r"[\u4e00-\u9fff]{1,8}(?:、|和|与|及)[\u4e00-\u9fff]{1,8}等?[“\"「『]?$")
# "第一,算清政治账。" … "第十,算清发展账。": numbered items, which define a counted term ("十本账").
_ITEM_RE = re.compile(r"第[一二三四五六七八九十]+[,，、]|[一二三四五六七八九十]是|[（(][一二三四五六七八九十]+[)）]")
_NAMED_AS = re.compile(r"(?:称为|称之为|称作|叫做|叫作|简称|俗称|概括为|总结为|归纳为)[“\"「『]?$")
_COUNT_PHRASE = re.compile(r"[一二三四五六七八九十两\d]+[大个项条]?(?:方面|部分|点|条|类|环节|要素|步|块|件事)")


def undefined_term(info: QuestionInfo, simp_q: str, ranked: list[Sentence]) -> str | None:
    """The first quoted term the question asks about that no sentence defines."""
    for term in info.quoted:
        if any(other != term and other in term for other in info.quoted):
            continue  # "「两包三单六贯通」里的「三单」": the question asks about the part, which is checked itself
        after = simp_q[simp_q.find(term) + len(term) :]
        if re.match(r"[”」』\"]?[，,]", after) and term[-2:] not in after:
            continue  # "要“亲兄弟明算账”，具体要算哪些账": a saying set off by a comma; the ask is what follows it
        if f"《{term}》" in simp_q:
            continue  # "这篇《全面推进健康中国建设》的作者": a title names a document, it is no term to define
        # "“两个允许”具体是允许什么": a question about what the term says, whatever its type word. A list asked
        # before the term is of other things ("哪两家公司合作推出“一键约名医”").
        about_term = info.qtype == "definition" or (
            info.qtype == "list" and not re.search(r"(?:哪|什么)[^，,。？?]*$", simp_q[: simp_q.find(term)])) or (
            info.qtype == "fact" and re.search(re.escape(term) + r"[^，,。？?]{0,12}(?:是|指|允许|包括|要求)?什么", simp_q))
        if about_term and not defined(term, ranked[:8]) and not _described_as(term, simp_q, ranked[:8]):
            return term
    return None


def _described_as(term: str, simp_q: str, sentences: list[Sentence]) -> bool:
    """"“1+1+X”是个什么模式" is answered by "“1+1+X”医防融合家庭医生签约服务模式": the term followed, within a
    clause, by a description ending in the kind of thing asked for."""
    m = re.search(r"什么([\u4e00-\u9fff]{2})", simp_q)
    if not m or m.group(1) in ("意思", "东西", "内容"):
        return False
    key = t2s(term)
    for s in sentences:
        simp = t2s(s.text)
        i = simp.find(key)
        if i >= 0 and re.match(r"[”」』\"]?[^，,。；;]{2,24}?" + m.group(1), simp[i + len(key) :]):
            return True
    return False


def defined(term: str, sentences: list[Sentence]) -> bool:
    """Does one of the sentences say what the quoted term is (or list its items)?"""
    key = t2s(term)
    if _COUNT_PHRASE.fullmatch(key):
        return True  # "五大方面" counts items, it is not a coined term the documents must define
    if re.search(r"[两二三四五六七八九十]", key):
        items = [s for s in sentences if _ITEM_RE.match(t2s(s.text).strip()) and key[-1] in t2s(s.text)]
        if len(items) >= 2:
            return True
    for s in sentences:
        simp = t2s(s.text)
        i = simp.find(key)
        if i < 0:
            continue
        before = simp[:i]
        clause = before[max(before.rfind(c) for c in "，,。；;:：") + 1 :]
        if clause.count("、") >= 2 or _COORDINATED.search(clause):
            return True  # "胸痛、卒中、创伤……等“五大中心”", "医疗和公卫“两条腿”": the items come first
        if _NAMED_AS.search(clause):
            return True  # "…低于原料的采购价，这种超低价现象被学者们称为“药价虚低”": the description comes first
        # "实行“双信封制”：竞标企业要同时报…": a suffix (制, 式, 模式) may close the term before its definition.
        after = simp[i + len(key) : i + len(key) + 8]
        if re.match(r"[\u4e00-\u9fff]{0,2}[”」』\"]?\s*[:：]|[\u4e00-\u9fff]{0,2}[”」』\"]?\s*(即|是指|指|包括|分为|就是|是)", after):
            return True
        starts = [m.start() for m in re.finditer(f"(?={re.escape(key)})", simp)]  # overlapping, as str.find steps
        if simp.count(key) >= 2 and len({simp[j + len(key) : j + len(key) + 2] for j in starts}) >= 2:
            return True  # "更加注重预防为主…，更加注重提高质量…，更加注重资源下沉…": the term is the stem of a series
        if simp[i + len(key) :].count("、") >= 2:
            return True
    return False


def defining_sentence(info: QuestionInfo, sentences: list[Sentence]) -> Sentence | None:
    """For a question asking what a quoted term means, the best-ranked sentence that says it; None otherwise."""
    if info.qtype != "definition" or not info.quoted:
        return None
    term = info.quoted[-1]
    return next((s for s in sentences if defined(term, [s])), None)
