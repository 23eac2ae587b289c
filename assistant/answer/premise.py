"""False premises: facts or wordings a question asserts that the evidence contradicts."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..textnorm import match_form, t2s
from .analyze import NUMBER_UNIT_RE, ORDINAL_RE, PERCENT_RE, RATIO_RE, Claim, QuestionInfo, number_form
from .evidence import Sentence
from .followup import find_entities


@dataclass
class PremiseIssue:
    note: str
    sentence: Sentence  # the evidence that states the documented fact


@lru_cache(maxsize=1)
def antonym_pairs() -> list[tuple[str, str]]:
    text = resources.files("assistant.data").joinpath("antonyms.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            a, b = line.split("\t")[:2]
            pairs += [(a.strip(), b.strip()), (b.strip(), a.strip())]
    return pairs


@lru_cache(maxsize=2)
def _number_forms(corpus_forms: tuple[str, ...]) -> tuple[str, ...]:
    """The corpus with numerals as digits, computed once per corpus rather than per claim and question."""
    return tuple(number_form(f) for f in corpus_forms)


def _same_kind_facts(claim: Claim, text: str) -> list[str]:
    return [m.group(0) for m in _fact_matches(claim, t2s(text))]


def check_premises(info: QuestionInfo, ranked: list[Sentence], corpus_forms: list[str], top: int = 4) -> PremiseIssue | None:
    """The first contradiction found between the question and the best evidence, if any.

    A claimed ratio, percentage or number that appears nowhere in the corpus while the best evidence
    states a different value of the same kind; a quoted phrase the documents word differently; or a
    word whose opposite the evidence uses.
    """
    best = ranked[:top]
    if not best:
        return None
    issue = _reversed_change(info, best)
    if issue:
        return issue
    for claim in info.claims:
        if any(claim.key in form for form in (*corpus_forms, *_number_forms(tuple(corpus_forms)))):
            siblings = {c.key for c in info.claims if c.kind == claim.kind and c.unit == claim.unit}
            issue = (_local_conflict(claim, best[:2], siblings, info.simplified) or _misattributed(claim, info, best[:2])
                     or _other_actor(claim, info, best[:2]))
            if issue:
                return issue
            continue
        if claim.unit == "年" and re.match(r"(19|20)\d{2}", claim.text):
            continue  # a year no document reaches ("2021年分到多少钱") puts the question outside them: abstain
        for s in best:
            facts = [f for f in _same_kind_facts(claim, s.text) if number_form(f) != claim.key]
            if claim.asked and not _counts_same_thing(claim, info.simplified, s.text):
                continue
            if facts and s.coverage >= 0.2:  # a value no document states is strong evidence on its own
                shown = "、".join(dict.fromkeys(facts))
                return PremiseIssue(f"文件中没有“{claim.text}”的说法；相关文件写的是 {shown}。", s)
        if best[0].coverage >= 0.3 and claim.kind in ("ratio", "percent"):
            # No document gives this value and the passage on the topic gives none: say so, then answer from it
            # (an unrelated passage must not become the first citation).
            return PremiseIssue(f"文件中没有“{claim.text}”的说法。", best[0])
    if info.qtype != "yesno":
        issue = _negated_presupposition(info, best)
        if issue:
            return issue
    issue = _denied_wording(info, ranked[: 2 * top]) or _already_done(info, best)
    if issue:
        return issue
    for phrase in info.quoted:
        key = match_form(phrase)
        if len(key) < 4 or any(key in form for form in corpus_forms):
            continue
        s, span = _closest_span(key, best)
        if s is not None and span:
            return PremiseIssue(f"文件中的原文是“{span}”，而不是“{phrase}”。", s)
    if re.search(r"吧[，,？?]|吧$|吗[，,？?]|吗$|对吗|对吧|是不是|是否", info.simplified) or _declared_actor(info.simplified):
        issue = _asserted_actor(info, best)
        if issue:
            return issue
        # A yes/no question that names an organisation asserts it; the evidence may name another.
        for cls, term in info.entities:
            if cls not in ("department", "institution", "role"):
                continue
            for s in best:
                simp = t2s(s.text)
                if term in simp or s.coverage < 0.3:
                    continue
                others = [t for c, t in find_entities(simp) if c == cls and t not in info.simplified]
                if others:
                    shown = "、".join(dict.fromkeys(others))
                    return PremiseIssue(f"文件中没有说是“{term}”；相关文件写的是 {shown}。", s)
                break
    for word, opposite in antonym_pairs():
        if word not in info.simplified or opposite in info.simplified:
            continue
        for s in best:
            simp = t2s(s.text)
            if opposite not in simp or word in simp:
                continue
            # "压缩基层的用药种类" / "扩大基层用药种类": the same object makes the opposite verb a contradiction
            # even when the rest of the question is worded otherwise.
            at_q, at_s = info.simplified.find(word), simp.find(opposite)
            same_object = bool(_bigrams(info.simplified[at_q + len(word) : at_q + len(word) + 6])
                               & _bigrams(simp[at_s + len(opposite) : at_s + len(opposite) + 6]))
            if s.coverage >= (0.2 if same_object else 0.4):
                return PremiseIssue(f"文件的说法是“{opposite}”，而不是问题中的“{word}”。", s)
    return None


def _counts_same_thing(claim: Claim, question: str, text: str) -> bool:
    """The words right after the count in the question and after a count of the same unit in the text share a pair."""
    if claim.kind != "number" or claim.unit == "年":
        return False
    i = question.find(claim.text)
    asked = _bigrams(question[i + len(claim.text) : i + len(claim.text) + 6]) if i >= 0 else set()
    simp = t2s(text)
    return any(asked & _bigrams(simp[m.end() : m.end() + 6]) for m in _fact_matches(claim, simp))


def _local_conflict(claim: Claim, best: list[Sentence], siblings: set[str], info_text: str = "") -> PremiseIssue | None:
    """A value found elsewhere in the corpus, while the passage that answers the question gives another.

    Only the clearly matching passage counts (high coverage), so a question that merely mentions a year
    is not contradicted by an unrelated sentence with a different year.
    """
    for s in best:
        facts = _same_kind_facts(claim, s.text)
        if claim.asked and not _counts_same_thing(claim, info_text, s.text):
            continue
        # A count of the same thing ("三个旗级质控中心" / "五个旗级质量与控制中心") needs less of the question's wording.
        if s.coverage < (0.2 if _counts_same_thing(claim, info_text, s.text) else 0.45):
            continue
        if claim.unit == "年":  # calendar years only: "4年" (a term of office) and "2016年" are different facts
            facts = [f for f in facts if re.match(r"(19|20)\d{2}", f)]
            if not re.match(r"(19|20)\d{2}", claim.text):
                continue
        if claim.kind == "number" and re.search(rf"(?<![\d.]){re.escape(claim.key[: -len(claim.unit)])}(?![\d.])",
                                                 number_form(t2s(s.text))):
            continue  # "那4个医共体" and "4大紧密型医共体": the same number, counted with another word
        # "从6:3:1改成4:3:3" names two values: a sentence with either of them does not contradict the question.
        if facts and all(number_form(f) not in siblings for f in facts):
            shown = "、".join(dict.fromkeys(facts))
            return PremiseIssue(f"问题中的“{claim.text}”与文件不符；相关文件写的是 {shown}。", s)
    return None


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i : i + 2])}


def _misattributed(claim: Claim, info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The value is in the documents, but said of something else: "省里规定93%" where the passage reads
    "省《意见》规定…95%…,我区原方案修改为93%". Each value of the passage owns the words from the previous
    value's clause to its own; the question's words around its value must match its owner's, not another's."""
    q = info.simplified
    at = number_form(q).find(claim.key)
    q_form = number_form(q)
    if at < 0:
        return None
    start, end = _clause(q_form, at)
    if sum(1 for c in info.claims if c.kind == claim.kind and c.key in q_form[start:end]) > 1:
        return None  # "从6:3:1改成4:3:3" speaks of both values in one breath
    asked = _bigrams(q_form[start:end])
    for s in best:
        if s.coverage < 0.45:
            continue
        simp = t2s(s.text)
        values = [m for m in _fact_matches(claim, simp)]
        if len(values) < 2 or not any(number_form(m.group(0)) == claim.key for m in values):
            continue
        owners: list[tuple[str, str]] = []
        prev = 0
        for m in values:
            end_m = _clause(simp, m.start(), m.end())[1]
            owners.append((m.group(0), simp[prev:end_m]))
            prev = end_m
        own = [len(asked & _bigrams(text)) for v, text in owners if number_form(v) == claim.key]
        others = [(len(asked & _bigrams(text)), v, text) for v, text in owners if number_form(v) != claim.key]
        if not own or not others:
            continue
        overlap, value, text = max(others, key=lambda x: x[0])
        # A clear margin: the question's wording is the other value's, nearly word for word.
        if overlap >= 4 and overlap >= 2 * max(own) + 2:
            mine = next(t for v, t in owners if number_form(v) == claim.key).strip("，,；;。 ")
            return PremiseIssue(
                f"问题中的“{claim.text}”与文件不符：文件写的是“{text.strip('，,；;。 ')}”，"
                f"而“{claim.text}”出自“{mine}”。", s)
    return None


# "一个有力的拳头", "一批二级医院": a lone 一 before a counter is an article, not a count.
_ARTICLE_UNITS = frozenset("个 家 项 条 名 人 次 所 本 种 类 批".split())


def _fact_matches(claim: Claim, simp: str) -> list[re.Match]:
    if claim.kind == "ratio":
        return list(RATIO_RE.finditer(simp))
    if claim.kind == "percent":
        return list(PERCENT_RE.finditer(simp))
    if claim.kind == "ordinal":
        return [m for m in ORDINAL_RE.finditer(simp) if m.group(2) == claim.unit]
    # Chinese numerals count ("五个旗级质控中心" contradicts "三个"), except where they cannot be told from
    # the text around them: after 第 (an ordinal) or 哪/几 (a question), and a lone 一 as an article.
    return [m for m in NUMBER_UNIT_RE.finditer(simp)
            if m.group(2) == claim.unit and not re.search(r"[第哪几]$", simp[: m.start()])
            and (re.search(r"\d", m.group(1)) or (m.group(1) != "一" or claim.unit not in _ARTICLE_UNITS))]


# "公卫经费尚未打包" answers a question that assumes the funds were packaged ("打包以后按什么比例").
_ADVERBS = frozenset("真正 完全 全面 真的 能够 充分 有效 及时 明确 严格 实质 根本 彻底 按时 一起 一并 同步".split())
_NEGATED_RE = re.compile(r"(尚未|并未|还未|暂未|未曾|没有|未)([\u4e00-\u9fff]{2})")


def _negated_presupposition(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The question takes as done what the evidence says has not been done."""
    q = info.simplified
    for s in best:
        if s.coverage < 0.4:
            continue
        simp = t2s(s.text)
        for m in _NEGATED_RE.finditer(simp):
            act = m.group(2)
            if act in _ADVERBS:
                continue  # "从未真正实现": the adverb is not the thing left undone
            i = q.find(act)
            if i < 0 or re.search(r"(未|没|不|无|尚|否)$", q[max(0, i - 2) : i]):
                continue
            start, end = _clause(simp, m.start(), m.end())
            subject = simp[start : m.start()]
            if subject and not any(subject[j : j + 2] in q for j in range(len(subject) - 1)):
                continue  # "公卫经费尚未打包" says nothing about a question on 医保基金 being packaged
            return PremiseIssue(f"问题的前提与文件不符：文件写的是“{s.text[start:end]}”。", s)
    return None


# "推进紧密型县域医共体建设,不是简单的机构叠加": what the text denies, which a question may take as said.
_DENIED_RE = re.compile(r"(?:不是|并非|而非|绝非|不再)(?:简单的|简单地|单纯的|单纯地|一味地?)?([\u4e00-\u9fff]{4,10})")
_NEGATION_BEFORE = re.compile(r"(不是|并非|而非|不|非|没|未|无)[\u4e00-\u9fff]{0,4}$")


def _denied_wording(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The question asserts, without negation, four or more characters the evidence says it is not."""
    q = info.simplified
    for s in best:
        if s.coverage < 0.2:  # four characters of the denied wording itself must match, which is strong on its own
            continue
        simp = t2s(s.text)
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
                start, end = _clause(simp, m.start(), m.end())
                return PremiseIssue(f"问题的前提与文件不符：文件写的是“{s.text[start:end]}”。", s)
    return None


# "课题研究还没启动" where the text reads "课题研究现已完成".
_NOT_YET_RE = re.compile(r"(?:还没有?|尚未|还未|没有|并未)(?:开始|启动|开展|完成|实施|建立|出台|印发|落实|推行)")
_DONE_RE = re.compile(r"(?:现已|已经|已|均已|业已)(?:完成|启动|开展|实施|建立|出台|印发|落实|推行|全面)")


def _already_done(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The question says a thing has not been done; the passage about that thing says it has."""
    m = _NOT_YET_RE.search(info.simplified)
    if not m:
        return None
    subject = _bigrams(info.simplified[max(0, m.start() - 8) : m.start()])
    for s in best:
        if s.coverage < 0.3:
            continue
        simp = t2s(s.text)
        for d in _DONE_RE.finditer(simp):
            start, end = _clause(simp, d.start(), d.end())
            if len(subject & _bigrams(simp[max(0, d.start() - 12) : d.start()])) >= 2:
                return PremiseIssue(f"问题的前提与文件不符：文件写的是“{s.text[start:end]}”。", s)
    return None


_CHANGE_Q = re.compile(r"从\s*(\S+?)\s*(?:上|下)?(?:改|调|变|修改|调整|转|降|升)(?:成|为|到|向|至)\s*([^\s，,？?。]+)")
_CHANGED_TO = r"(?:改|调|修改|调整|变)(?:成|为|到)\s*"
# Who made a change: the qualifier of a document noun ("新方案", "原方案", "省文件"); "这次/此次" is the new one.
_ACTOR = re.compile(r"([新原旧老省市区县])(?:方案|文件|政策|办法|意见|规定)|(这次|此次|本次)")
_ACTOR_NAMES = {"旧": "原", "老": "原", "这次": "新", "此次": "新", "本次": "新"}


def _actors(text: str) -> list[str]:
    return [_ACTOR_NAMES.get(a or b, a or b) for a, b in _ACTOR.findall(text)]


def _actor(text: str) -> str | None:
    found = _actors(text)
    return found[0] if found else None  # the subject comes first: "新方案建议按省文件规定调整为…"


def _other_actor(claim: Claim, info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The value is the documents', but of another scheme: "新方案改成4:3:3" where "原方案…修改为4:3:3"."""
    q_form = number_form(info.simplified)
    at = q_form.find(claim.key)
    mine = _actor(info.simplified[: at]) if at >= 0 else None
    if mine is None:
        return None
    start, end = _clause(q_form, at)
    if sum(1 for c in info.claims if c.kind == claim.kind and c.key in q_form[start:end]) > 1:
        return None  # "新方案从4:3:3改成6:3:1": a change, whose direction _reversed_change judges
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


def _clause(text: str, at: int, after: int | None = None) -> tuple[int, int]:
    """(start, end) of the clause holding text[at]: from the punctuation before `at` to the next at or after
    `after` (default `at`)."""
    start = max(text.rfind(c, 0, at) for c in "，,；;。") + 1
    ends = [e for e in (text.find(c, at if after is None else after) for c in "，,；;。") if e >= 0]
    return start, min(ends) if ends else len(text)


def _reversed_change(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
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
        simp = match_form(s.text)
        hit = re.search(_CHANGED_TO + re.escape(old), simp)
        if hit and _actor(simp[_clause(simp, hit.start())[0] : hit.start()]) == actor:
            return PremiseIssue(
                f"方向与文件相反：文件写的是调整为“{m.group(1)}”，而不是从“{m.group(1)}”改为“{m.group(2)}”。", s)
    for s in best:  # the change the question names was made, but by another scheme ("这次下调到93%" / "原方案…93%")
        simp = match_form(s.text)
        hit = re.search(_CHANGED_TO + re.escape(new), simp)
        theirs = _actor(simp[_clause(simp, hit.start())[0] : hit.start()]) if hit else None
        if theirs and theirs != actor:
            return PremiseIssue(f"问题的前提与文件不符：改为“{m.group(2)}”的是{theirs}方案，不是{actor}方案。", s)
    return None


# "会议是刘国中主持的吧", "街道是跟市中医院组建的，对吧": who did it, as the question asserts.
_ACTS = "主持|负责|牵头|组建|印发|提出|发布|召开|建立|制定|签订|签署|签|托管"
_ASSERTED = re.compile(rf"是(?:跟|与|和|由|在)?([^，,。？?是]{{2,12}}?)({_ACTS})((?:{_ACTS})?)")
# The same said outright, not asked: "周转池是人社部门负责建立的，具体怎么运作？"
_DECLARED = re.compile(rf"是(?:跟|与|和|由|在)?[^，,。？?是哪谁什]{{2,12}}?(?:{_ACTS})[^，,。？?]{{0,4}}的[，,]")


def _declared_actor(simplified: str) -> bool:
    return bool(_DECLARED.search(simplified))


def _asserted_actor(info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The evidence says who did it, and it is not who the question says."""
    m = _ASSERTED.search(info.simplified)
    if not m:
        return None
    actor, verbs = m.group(1), [v for v in m.group(2, 3) if v]
    pieces = {actor[i : i + 3] for i in range(max(1, len(actor) - 2))}
    subject = _trigrams(info.simplified[: m.start()])
    # The sentence about the question's subject ("3个街道"), among those that say who did it ("负责建立": either).
    doing = [s for s in best if any(v in t2s(s.text) for v in verbs) and s.coverage >= 0.3]
    verb = verbs[-1]
    doing.sort(key=lambda s: -len(subject & _trigrams(t2s(s.text))))
    for s in doing[:1]:
        simp = t2s(s.text)
        start, end = _clause(simp, max(simp.find(v) for v in verbs))
        if any(p in simp[start:end] for p in pieces):
            return None  # the clause that says who did it names the same actor
        return PremiseIssue(f"文件中不是“{actor}”{verb}的；原文是“{s.text[start:end]}”。", s)
    return None


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _closest_span(key: str, sentences: list[Sentence]) -> tuple[Sentence | None, str]:
    """The evidence span of the same length sharing most characters with the quoted phrase (>= 70%)."""
    best: tuple[float, Sentence | None, str] = (0.0, None, "")
    n = len(key)
    for s in sentences:
        simp = t2s(s.text)
        for i in range(0, max(1, len(simp) - n + 1)):
            window = simp[i : i + n]
            same = sum(1 for a, b in zip(window, key) if a == b)
            # Swapped words ("让群众多跑路、让数据少跑腿" for "让数据多跑路,让群众少跑腿") keep the characters.
            bag = sum((Counter(window) & Counter(key)).values()) / n
            ratio = max(same / n, bag - 0.1)
            if ratio > best[0]:
                best = (ratio, s, s.text[i : i + n])
    return (best[1], best[2]) if best[0] >= 0.7 else (None, "")


def swapped_places(info: QuestionInfo, ranked: list[Sentence], absent: list[str], regions_of) -> PremiseIssue | None:
    """The question lists places and one is wrong: "到湖北、湖南调研" where the passage reads "到湖南、江西调研".

    Only a passage that names one of the question's places with others counts, so a question about a place no
    document covers (another province's ratio) is still declined rather than "corrected"."""
    present = [r for r in info.regions if r not in absent]
    if not present:
        return None
    for s in ranked[:4]:
        if s.coverage < 0.3:
            continue
        named = regions_of(t2s(s.text))
        if not any(r in named for r in present):
            continue
        others = [r for r in named if r not in info.regions and not any(r in q or q in r for q in info.regions)]
        if others:
            return PremiseIssue(f"文件中没有提到“{'、'.join(absent)}”；相关文件写的是 {'、'.join(dict.fromkeys(others))}。", s)
    return None
