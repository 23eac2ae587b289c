"""What a question asks that evidence must give (a date of the thing asked, a post holder, members, a body, a
particular institution, the content of a cited document), and whether sentences give it: the helpers of abstain.py."""
from __future__ import annotations

import re

from ..textnorm import t2s
from .analyze import QuestionInfo, citing, docno, document_number
from .evidence import Sentence, has_type_evidence
from .followup import find_entities

_ANY_BODY = {"部门", "机构", "单位", "组织"}  # any named body answers these: "区司法局", "医共体管理委员会"

_WHEN_RE = re.compile(r"(?:什么时候|何时|哪天|哪一天|哪年|哪一年|什么时间|几月几[日号])")


def when_subject(info: QuestionInfo) -> set[str]:
    """The words of the clause a when-question asks in ("医联体整体考核办法具体什么时候正式出台" → 医联体,
    整体, 考核, 办法, 正式, 出台), when there are three or more; a date sentence must carry half of them, or
    it dates something else (the 32号文 of the same report)."""
    m = _WHEN_RE.search(info.simplified) if info.qtype == "date" else None
    if not m:
        return set()
    # The clause around the when-word: the thing may come before it or after ("哪一天召开的…会议").
    before, after = info.simplified[: m.start()], info.simplified[m.end() :]
    stop = re.search(r"[，,。？?；;、]", after)
    clause = before[max(before.rfind(c) for c in "，,。？?；;、") + 1 :] + (after[: stop.start()] if stop else after)
    words = {t for t in info.terms if len(t) > 1 and t in clause and t not in info.regions}
    return words if len(words) >= 3 else set()


# A document named by its number: "六卫健〔2019〕72号", "皖政办[2017]57号".
def named_document(simp_q: str) -> tuple[str, str] | None:
    """The number of the document whose content the question asks ("72号文对…怎么规定的"), not a question
    about the document itself ("32号文件是哪天发布的")."""
    m = document_number(simp_q)
    if not m or not re.match(r"(?:文件?|通知|意见|方案)?(?:对|里|中|规定|要求|明确)", simp_q[m.end() :]):
        return None
    return docno(m)


def states_for(number: tuple[str, str], qtype: str, sentences: list[Sentence]) -> bool:
    """"72号文规定的包干比例": the fact must be stated where that document is cited, in the sentence that
    names it or in the one after; a ratio the same passage quotes from another document is not its content."""
    cites = citing(number)
    by_doc: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_doc.setdefault(s.doc_id, []).append(s)
    for s in sentences:
        if not cites.search(t2s(s.text)):
            continue
        nxt = [o for o in by_doc[s.doc_id] if 0 <= o.start - s.end <= 2]
        if any(has_type_evidence(qtype, o.text) for o in [s, *nxt]):
            return True
    return False


# "领导小组组长是谁": who holds a post is answered only where the post is named.
POST_ASK = re.compile(r"(组长|副组长|理事长|秘书长|主任委员|负责人)(?:和[^，,。？?]{1,6})?(?:分别)?(?:是|由)谁"
                       r"|(组长|副组长|理事长|秘书长|主任委员|负责人)(?:叫什么(?:名字)?|姓什么|是哪位)")


# "覆盖了哪几个乡镇卫生院", "下辖乡镇卫生院名单": the members of a kind, by name.
MEMBERS_ASK = re.compile(r"(?:哪几个|哪几家|哪些|哪几所)(?:苏木)?(?:乡镇|社区|村)?(卫生院|医院|卫生室|服务中心)|(卫生院|医院)名单")


def names_members(kind: str, simp: str) -> bool:
    """Two or more names ending in the kind, listed together ("中心医院、中蒙医医院、人民医院和大路医院"), at least
    one of them a particular one rather than a class ("村卫生室、乡镇卫生院" name classes)."""
    names = re.findall(rf"([\u4e00-\u9fff]{{1,10}}?{kind})(?=[、和及与,，。;；]|$)", simp)
    generic = {t for _, t in find_entities(simp)}
    return len(set(names)) >= 2 and any(not _a_class(n, generic) for n in names)


def _a_class(name: str, generic: set[str]) -> bool:
    """"村卫生室", "基层医院": a class of bodies the text names generically (at most one character before it)."""
    return any(name.endswith(g) and len(name) - len(g) <= 1 for g in generic)


def names_kind(kind: str, simp: str, synonyms) -> bool:
    """Does the text name a thing of the asked kind: the word itself, a synonym, or (for 部门/机构/单位) any
    named body ("卫健委", "区司法局"); a 部门 is a body of government, not a hospital."""
    if kind in simp or any(k in simp for k in synonyms([kind])):
        return True
    if kind == "部门":
        return bool(_GOVERNMENT_BODY.search(simp)) or any(c == "department" for c, _ in find_entities(simp))
    return kind in _ANY_BODY and has_type_evidence("who", simp)


_GOVERNMENT_BODY = re.compile(r"[\u4e00-\u9fff]{1,6}(?:局|委|办|厅|政府|小组)(?![\u4e00-\u9fff]{0,2}医院)")
YEAR_ASK = re.compile(r"哪一年|哪年|什么年份|哪个年份|哪一年度")
YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年|[〔\[](?:19|20)\d{2}[〕\]]")  # "国办发〔2017〕32号" dates its year
# "去的是哪一家医保中心": one particular body, by name.
PARTICULAR_ASK = re.compile(r"(?:哪一家|哪家|哪所|哪一所)[\u4e00-\u9fff]{0,4}?(医院|卫生院|医保中心|保健院|中心)")


def names_particular(kind: str, simp: str) -> bool:
    """A name of the kind that is one body, not the class ("六安市人民医院", not "医保中心" or "基层医院")."""
    generic = {t for _, t in find_entities(simp)}
    for m in re.finditer(rf"([\u4e00-\u9fff]{{1,10}}){kind}", simp):
        own = re.split(r"[和与及的在到了对从向等并还入去]", m.group(1))[-1]  # the name ends at a function word
        name = own + kind
        if len(own) >= 2 and not _a_class(name, generic) \
                and not re.search(r"(?:基层|各级|各|相关|有关|所有|全部|二级|三级|县级|乡镇|成员|牵头|上级|下级)$", own):
            return True
    return False
