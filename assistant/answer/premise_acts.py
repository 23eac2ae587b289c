"""False premises about acts: who did it, which scheme changed what in which direction, and what was or was not done."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..textnorm import match_form, t2s
from .analyze import PERSON_TITLES, YES_NO_RE, Claim, QuestionInfo, number_form
from .evidence import Sentence
from .followup import find_entities
from .premise_claim import ASSERT_RE
from .premise_names import abbreviates, body_names


@dataclass
class PremiseIssue:
    note: str
    sentence: Sentence  # the evidence that states the documented fact


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i : i + 2])}


def _about(sentences: list[Sentence], floor: float) -> list[tuple[Sentence, str]]:
    """(sentence, its Simplified text) for the sentences about the question (coverage >= floor)."""
    return [(s, t2s(s.text)) for s in sentences if s.coverage >= floor]


def _contradicts(s: Sentence, start: int, end: int) -> PremiseIssue:
    """The passage's own words, s.text[start:end], against the question's premise."""
    return PremiseIssue(f"问题的前提与文件不符：文件写的是“{s.text[start:end]}”。", s)


# "公卫经费尚未打包" answers a question that assumes the funds were packaged ("打包以后按什么比例").
_ADVERBS = frozenset("真正 完全 全面 真的 能够 充分 有效 及时 明确 严格 实质 根本 彻底 按时 一起 一并 同步".split())
_NEGATED_RE = re.compile(r"(尚未|并未|还未|暂未|未曾|没有|未)([\u4e00-\u9fff]{2})")


def negated_presupposition(info: QuestionInfo, best: list[Sentence], floor: float = 0.4) -> PremiseIssue | None:
    """The question takes as done what the evidence says has not been done."""
    q = info.simplified
    for s, simp in _about(best, floor):
        for m in _NEGATED_RE.finditer(simp):
            act = m.group(2)
            if act in _ADVERBS:
                continue  # "从未真正实现": the adverb is not the thing left undone
            i = q.find(act)
            # "为什么没有把公卫经费一并打包": the question itself says it was not done.
            if i < 0 or re.search(r"未|没|不|无|尚|否", q[clause(q, i)[0] : i]):
                continue
            start, end = clause(simp, m.start(), m.end())
            subject = simp[start : m.start()]
            if subject and not any(subject[j : j + 2] in q for j in range(len(subject) - 1)):
                continue  # "公卫经费尚未打包" says nothing about a question on 医保基金 being packaged
            return _contradicts(s, start, end)
    return None


# "推进紧密型县域医共体建设,不是简单的机构叠加": what the text denies, which a question may take as said.
_DENIED_RE = re.compile(r"(?:不是|并非|而非|绝非|不再)(?:简单的|简单地|单纯的|单纯地|一味地?)?([\u4e00-\u9fff]{4,10})")
_NEGATION_BEFORE = re.compile(r"(不是|并非|而非|不|非|没|未|无)[\u4e00-\u9fff]{0,4}$")


def denied_wording(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The question asserts, without negation, four or more characters the evidence says it is not."""
    q = info.simplified
    # A low floor: four characters of the denied wording itself must match, which is strong on its own.
    for s, simp in _about(best, 0.2):
        for m in _DENIED_RE.finditer(simp):
            phrase = m.group(1)
            # From the head of what is denied: "不再作为世立医院…" is not contradicted by a question that names
            # 世立医院 without saying it still 作为 anything.
            for n in range(len(phrase), 3, -1):
                if phrase[:n] not in q:
                    continue
                at = q.find(phrase[:n])
                if _NEGATION_BEFORE.search(q[max(0, at - 6) : at]):
                    break  # "为什么说不是简单的机构叠加" repeats the denial, it does not contradict it
                start, end = clause(simp, m.start(), m.end())
                return _contradicts(s, start, end)
    return None


# "课题研究还没启动" where the text reads "课题研究现已完成".
_NOT_YET_RE = re.compile(r"(?:还没有?|尚未|还未|没有|并未)(?:开始|启动|开展|完成|实施|建立|出台|印发|落实|推行)")
_DONE_RE = re.compile(r"(?:现已|已经|已|均已|业已)(?:完成|启动|开展|实施|建立|出台|印发|落实|推行|全面)")


def already_done(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The question says a thing has not been done; the passage about that thing says it has."""
    m = _NOT_YET_RE.search(info.simplified)
    if not m:
        return None
    subject = bigrams(info.simplified[max(0, m.start() - 8) : m.start()])
    for s, simp in _about(best, 0.3):
        for d in _DONE_RE.finditer(simp):
            start, end = clause(simp, d.start(), d.end())
            if len(subject & bigrams(simp[max(0, d.start() - 12) : d.start()])) >= 2:
                return _contradicts(s, start, end)
    return None


_CHANGE_Q = re.compile(r"从\s*(\S+?)\s*(?:上|下)?(?:改|调|变|修改|调整|转|降|升)(?:成|为|到|向|至)了?\s*([^\s，,？?。]+)")
_CHANGED_TO = r"(?:改|调|修改|调整|变)(?:成|为|到)\s*"
# Who made a change: the qualifier of a document noun ("新方案", "原方案", "省文件"); "这次/此次" is the new one.
_ACTOR = re.compile(r"([新原旧老省市区县])(?:方案|文件|政策|办法|意见|规定)|(这次|此次|本次)")
_ACTOR_NAMES = {"旧": "原", "老": "原", "这次": "新", "此次": "新", "本次": "新"}


def _actors(text: str) -> list[str]:
    return [_ACTOR_NAMES.get(a or b, a or b) for a, b in _ACTOR.findall(text)]


def _actor(text: str) -> str | None:
    found = _actors(text)
    return found[0] if found else None  # the subject comes first: "新方案建议按省文件规定调整为…"


def other_actor(claim: Claim, info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The value is the documents', but of another scheme: "新方案改成4:3:3" where "原方案…修改为4:3:3"."""
    q_form = number_form(info.simplified)
    at = q_form.find(claim.key)
    mine = _actor(info.simplified[: at]) if at >= 0 else None
    if mine is None:
        return None
    start, end = clause(q_form, at)
    if sum(1 for c in info.claims if c.kind == claim.kind and c.key in q_form[start:end]) > 1:
        return None  # "新方案从4:3:3改成6:3:1": a change, whose direction reversed_change judges
    for s in best:
        if s.coverage < 0.45:
            continue
        simp = number_form(t2s(s.text))
        i = simp.find(claim.key)
        if i < 0:
            continue
        # The nearest qualifier before the value is the one it belongs to ("省…规定6:3:1,…原方案…修改为4:3:3").
        theirs = _actors(simp[:i])
        if theirs and theirs[-1] != mine:
            return PremiseIssue(f"问题中的“{claim.text}”与文件不符：文件中“{claim.text}”是{theirs[-1]}方案的规定，"
                                f"不是{mine}方案的。", s)
    return None


def clause(text: str, at: int, after: int | None = None) -> tuple[int, int]:
    """(start, end) of the clause holding text[at]: from the punctuation before `at` to the next at or after
    `after` (default `at`)."""
    start = max(text.rfind(c, 0, at) for c in "，,；;。") + 1
    ends = [e for e in (text.find(c, at if after is None else after) for c in "，,；;。") if e >= 0]
    return start, min(ends) if ends else len(text)


def _changed_by(text: str, value: str) -> str | None:
    """Which scheme the text says changed something to value ("原方案将比例修改为4:3:3" -> 原), if it says."""
    hit = re.search(_CHANGED_TO + re.escape(value), text)
    return _actor(text[clause(text, hit.start())[0] : hit.start()]) if hit else None


def reversed_change(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """"新方案为什么从6:3:1改成4:3:3" when the new scheme changed it *to* 6:3:1: the direction is reversed.

    Only when the actors are explicit: the question's ("新方案") made the change to its starting value,
    so a change by another actor ("原方案…修改为4:3:3") is not mistaken for it.
    """
    m = _CHANGE_Q.search(info.simplified)
    if not m:
        return None
    old, new = match_form(m.group(1)), match_form(m.group(2))
    for s in best:  # the documents state the very change the other way round
        simp = match_form(s.text)
        back = re.search(re.escape(new) + r".{0,6}?(?:改|调|变|修改|调整|转)(?:成|为|到|向)\s*" + re.escape(old), simp)
        if back and not re.search(re.escape(old) + r".{0,6}?(?:改|调|变|转)(?:成|为|到|向)\s*" + re.escape(new), simp):
            return PremiseIssue(f"方向与文件相反：文件写的是从“{m.group(2)}”到“{m.group(1)}”。", s)
    actor = _actor(info.simplified[: m.start()])
    if actor is None:
        return None
    for s in best:
        if _changed_by(match_form(s.text), old) == actor:
            return PremiseIssue(
                f"方向与文件相反：文件写的是调整为“{m.group(1)}”，而不是从“{m.group(1)}”改为“{m.group(2)}”。", s)
    for s in best:  # the change the question names was made, but by another scheme ("这次下调到93%" / "原方案…93%")
        theirs = _changed_by(match_form(s.text), new)
        if theirs and theirs != actor:
            return PremiseIssue(f"问题的前提与文件不符：改为“{m.group(2)}”的是{theirs}方案，不是{actor}方案。", s)
    return None


# "会议是刘国中主持的吧", "街道是跟市中医院组建的，对吧": who did it, as the question asserts.
_ACTS = "主持|负责|牵头|组建|印发|提出|发布|召开|建立|制定|签订|签署|签|托管"
_ASSERTED = re.compile(rf"(?:是(?:跟|与|和|由|在)?|由)([^，,。？?是由]{{2,12}}?)({_ACTS})((?:{_ACTS})?)")
# The same said outright, not asked: "周转池是人社部门负责建立的，具体怎么运作？"
# ... and "由刘国中主持的那次会议": a relative clause asserts the actor as well.
_DECLARED = re.compile(rf"是(?:跟|与|和|由|在)?[^，,。？?是哪谁什]{{2,12}}?(?:{_ACTS})[^，,。？?]{{0,4}}的[，,]"
                       rf"|由[^，,。？?是哪谁什由]{{2,12}}?(?:{_ACTS})的")


# "初稿是送区人大常委会做的合法性审查吧": who reviewed it.
_SENT_TO = re.compile(r"(?:送|交|报)([^，,。？?送交报]{2,10}?)(?:做|进行|来)?的?(?:合法性|公平竞争)?(审查|审核|审议|审定)")
# "刘国中副总理主持的国务院常务会议", "国家卫生计生委4月23日发的那个32号文": a relative clause names the actor.
# (牵头 and 负责 are left out: "牵头的医院", "负责的部门" name a role, not who did something.)
_RELATIVE = re.compile(r"([^，,。？?是由的]{2,16}?)(主持|组建|印发|提出|发布|召开|制定|签订|签署|托管|发)的"
                       r"(?:那个|那次|那份|这个|这次|这份)?[\u4e00-\u9fff\d]")
_WHEN_IN_ACTOR = re.compile(r"(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}[日号]|\d{4}年|\d{1,2}月|今年|去年|上次|这次")


_TITLE_RE = re.compile(rf"(?:国务院)?(?:副?(?:{PERSON_TITLES})|同志)")


# "1月17日刘国中副总理主持召开国务院常务会议,会上…": an opening statement says who did it.
# (Only acts a person or body does to others: "方案从初稿到最后印发" names no actor.)
_OPENING = re.compile(r"^([^，,。？?是由的]{2,16}?)(主持召开|主持|签订|签署)(?=[^，,。？?]*[，,])")


def declared_actor(simplified: str) -> bool:
    return bool(_DECLARED.search(simplified) or _SENT_TO.search(simplified) or _relative_actor(simplified)
                or _opening_actor(simplified))


def _opening_actor(simplified: str) -> re.Match | None:
    m = _OPENING.search(simplified)
    if not m:
        return None
    first = simplified[: simplified.find("，") if "，" in simplified else simplified.find(",")]
    return m if not re.search(r"[哪谁几吗吧]|什么|怎么|如何|是否|是不是", first) else None


def _relative_actor(simplified: str) -> re.Match | None:
    m = _RELATIVE.search(simplified)
    return m if m and not re.search(r"[哪谁几]|什么", m.group(1)) else None


def _claimed_actor(simplified: str) -> tuple[str, list[str], int] | None:
    """(actor, verbs, where the claim starts) for the actor a question asserts, if it asserts one."""
    m = _ASSERTED.search(simplified)
    if m and not (m.group(2) in ("牵头", "负责") and re.match(r"单位|医院|机构|部门", simplified[m.end() :])):
        actor = _who(m.group(1))  # ("打包给牵头单位" names a role)
        return (actor, [v for v in m.group(2, 3) if v], m.start()) if actor else None
    m = _SENT_TO.search(simplified) or _relative_actor(simplified) or _opening_actor(simplified)
    if not m:
        return None
    actor = _who(m.group(1))
    verbs = [m.group(2)] if m.group(2) != "发" else ["发布", "印发", "下发", "发"]
    return (actor, verbs, m.start()) if actor else None


# How a thing was issued, said before the verb ("公开发布", "正式印发"): no part of who issued it.
_MANNER = re.compile(r"(?:公开|正式|联合|统一|共同|专门|再次|首次|已经|已)+$")


def _who(text: str) -> str | None:
    """The actor in the words a question puts before the verb, or None when they name no one: a date is when
    ("1月17日刘国中副总理"), a manner is how ("10月18日公开发布"), a preposition with a place word is where
    ("跟医院里发的药")."""
    actor = _MANNER.sub("", _WHEN_IN_ACTOR.sub("", text).strip())
    actor = re.sub(r"[里中内上]$", "", re.sub(r"^(?:跟|和|与|同|在|从)", "", actor))
    return actor if len(actor) >= 2 and not re.search(r"\d", actor) else None


def asserted_actor(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The evidence says who did it, and it is not who the question says."""
    claimed = _claimed_actor(info.simplified)
    if not claimed:
        return None
    actor, verbs, at = claimed
    pieces = {actor[i : i + 3] for i in range(max(1, len(actor) - 2))}
    subject = _trigrams(info.simplified[:at])
    # The sentence about the question's subject ("3个街道"), among those that say who did it ("负责建立": either).
    doing = [s for s in best if any(v in t2s(s.text) for v in verbs) and s.coverage >= 0.3]
    verb = verbs[-1]
    doing.sort(key=lambda s: -len(subject & _trigrams(t2s(s.text))))
    for s in doing[:1]:
        simp = t2s(s.text)
        start, end = clause(simp, max(simp.find(v) for v in verbs))
        # "国务院副总理刘国中" and "国务院总理李强" share one piece (国务院): the same actor shares most of them.
        # A person asked by name and title ("李强总理") is the same person when the name is there.
        name = _TITLE_RE.sub("", actor)
        same = name in simp[start:end] if name != actor and 2 <= len(name) <= 3 else (
            sum(p in simp[start:end] for p in pieces) >= max(1, min(2, len(pieces) // 3)))
        if same:
            return None  # the clause that says who did it names the same actor
        return PremiseIssue(f"文件中不是“{actor}”{verb}的；原文是“{s.text[start:end]}”。", s)
    return None


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


# "最值得借鉴的是人财物统一管理" where the text reads "人财物的统一管理其实各地很难复制,…最需借鉴的是按签约人头付费".
_MOST_RE = re.compile(r"最[\u4e00-\u9fff]{0,6}?的(?:是|就是)([^，,。；;？?”\"]{2,16})")


def wrong_superlative(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question names what is "most" something; the passage names another thing as most, and speaks of the
    question's one otherwise."""
    return named_otherwise(info, sentences, _MOST_RE, _MOST_RE, lambda claimed, theirs, elsewhere: bool(
        theirs and not claimed & theirs and len(claimed & elsewhere) >= 2))


def named_otherwise(info: QuestionInfo, sentences: list[Sentence], asked: re.Pattern, stated: re.Pattern,
                    differs) -> PremiseIssue | None:
    """The question names one thing in a role ("最…的是X", "X是重中之重"); a passage about it names another in
    that role. differs(claimed, theirs, elsewhere) on the bigrams of the question's thing, the passage's thing
    and the rest of the passage's sentence decides that they are different things."""
    m = asked.search(info.simplified)
    if not m:
        return None
    claimed = bigrams(m.group(1))
    for s, simp in _about(sentences, 0.2):
        for t in stated.finditer(simp):
            if differs(claimed, bigrams(t.group(1)), bigrams(simp[: t.start()] + simp[t.end() :])):
                start, end = clause(simp, t.start(), t.end())
                return _contradicts(s, start, end)
    return None


_SWAP_CLASSES = ("department", "institution")


def swapped_entity(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question gives a deed to one body and the passage that states the deed gives it to another:
    "让财政部门去争取中央预算内投资" / "发改部门要积极争取中央预算内投资"."""
    q = info.simplified
    if re.search(r"\s", info.text.strip()):
        return None  # a keyword query ("世立医院医共体 下辖乡镇卫生院名单") asserts nothing
    for cls, term in info.entities:
        if cls not in _SWAP_CLASSES:
            continue
        at = q.find(term)
        if re.search(r"[哪谁几]|什么", q[max(0, at - 3) : at]):
            continue  # "有哪些乡镇卫生院": the body is what is asked, not who the question says did it
        if any(term in t2s(s.text) for s in sentences[:3] if s.coverage >= 0.35):
            continue  # a passage about the question gives the deed to the body it names: the claim has its support
        start, end = clause(q, at)
        deed = bigrams(q[start:at] + q[at + len(term) : end]) - bigrams(term)
        for s in sentences[:3]:
            simp = t2s(s.text)
            own = bigrams(term)
            if s.coverage < 0.35 or len(own & bigrams(simp)) >= 0.5 * len(own):
                continue  # the body is named, perhaps in a longer form ("基层医疗卫生机构", "苏木乡镇中心卫生院")
            for c_start, c_end in _clauses(simp):
                piece = simp[c_start:c_end]
                if len(deed & bigrams(piece)) < 3:
                    continue
                others = [t for c, t in find_entities(piece) if c == cls and t not in q]
                if not others and (ASSERT_RE.search(q) or YES_NO_RE.search(q)):
                    # A claim to confirm ("…是山东省卫健委和齐鲁晚报联合主办的吧") against a body written out in full.
                    others = [t for t in body_names(piece) if t not in q and not abbreviates(term, t)]
                if others:
                    return PremiseIssue(f"问题的前提与文件不符：文件中是“{others[0]}”，不是“{term}”（原文：“{s.text[c_start:c_end]}”）。", s)
    return None


def _clauses(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"[，,；;。]", text):
        out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


# "主诊医师负责制改革已经全面完成了" where the text reads "目前中日医院也仅走完了…初级阶段".
_ALL_DONE_RE = re.compile(r"(?:全面|全部|完全|都|一路)[\u4e00-\u9fff]{0,8}?(?:完成|改完|做完|走完|实现|到位)")
_PARTLY_RE = re.compile(r"仅|只|尚未|还未|初级阶段|在路上|还有相当")
# "三级医院只有一半左右参加" where the text reads "所有三级医院均已参与".
_SOME_RE = re.compile(r"(?:只有|仅有|不到)?(?:一半|少数|部分|小部分|大部分|多数)")
_ALL_RE = re.compile(r"(?:所有|全部|全体)([\u4e00-\u9fff]{2,6}?)(?:均|都|全)")


def overstated_extent(info: QuestionInfo, sentences: list[Sentence]) -> PremiseIssue | None:
    """The question says all of it was done where the passage says only part, or only part where it says all."""
    q = info.simplified
    done = _ALL_DONE_RE.search(q)
    all_done = bool(done) and not re.search(r"没|未|不", q[: done.start()][-4:])
    some = bool(_SOME_RE.search(q))
    for s, simp in _about(sentences, 0.3):
        if all_done:
            m = _PARTLY_RE.search(simp)
            if m:
                start, end = clause(simp, m.start())
                return _contradicts(s, start, end)
        if some:
            for m in _ALL_RE.finditer(simp):
                if m.group(1) in q:
                    start, end = clause(simp, m.start(), m.end())
                    return _contradicts(s, start, end)
    return None
