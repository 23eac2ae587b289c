"""Abstention: does the best evidence answer what the question asks, or only talk about its topic?"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..textnorm import match_form, t2s
from ..types import Hit
from .analyze import DOCUMENT_NUMBER, PERSON_TITLES, VAGUE_JI, QuestionInfo, find_regions
from .abstain_asks import (MEMBERS_ASK, PARTICULAR_ASK, POST_ASK, YEAR_RE, YEAR_ASK, named_document,
                           names_kind, names_members, names_particular, states_for, when_subject)
from .slots import unfilled
from .terms import undefined_term
from .evidence import Sentence, asked_unit, char_pairs, has_quantity, has_type_evidence
from .places_asked import asked_level, asks_place, names_place_of_level

# Asking for an amount, not about pay in general ("工资跟什么挂钩" is a how question).
_PAY = r"(?:工资|薪酬|薪水|报酬|酬劳|费用|花费|开销|补助|补贴|收入|年薪|月薪|奖金|津贴|经费|资金|预算总额|总额|金额)"
# "哪几方面" asks which, not how much; "十几"/"近几" are vague counts, not asks (VAGUE_JI).
_MONEY_RE = re.compile(rf"多少钱|多少万|多少亿|多少元|{_PAY}[^，,。？?]{{0,6}}(?:多少|(?<!哪){VAGUE_JI}几)|(?:多少|(?<!哪){VAGUE_JI}几)[^，,。？?]{{0,3}}{_PAY}"
                       rf"|{_PAY}[^，,。？?]{{0,8}}(?:什么|啥)(?:标准|水平)")
# "占卫生总费用的比重降到了多少" asks a share of a sum, not the sum ("多少比例的收入" still asks a sum's share of
# money, and abstains without one; slots.py's wider SHARE_ASK would let it pass).
_SHARE_ASK_RE = re.compile(r"(?:比重|比例|占比|份额|百分之|几成)[^，,。？?]{0,6}(?:多少|几)")
_DOCNO_RE = re.compile(r"文号|发文字号|几号文")
# "4300亿" and "一万多元" are amounts as much as "430亿元".
# A currency may stand between the figure and 元 ("100美元", "3万新台币元" is rare but "1000亿新台币" has 亿).
# A 万 that counts something ("3万多名外科专家") is no sum of money.
_MONEY_EVIDENCE = re.compile(r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)\s*[余多]?\s*"
                             r"(?:[万亿]?(?:美|港|欧|日|英镑|人民币|新台币|台币)?元|(?:万|亿)(?![多余]?\s*[个名人家所位次项条种户床张台件例篇份]))")
# A question about a person ("哪位领导主持的") is answered by a sentence that names one by title.
_PERSON_ASK = re.compile(r"哪位|哪一位|谁主持|谁讲|谁提出|谁说")
# A person named by title: "总理李强", "院长王辰,", "副局长焦雅辉及…" (a bare "主要负责同志" names nobody);
# a name may also be followed by a form of address ("骨科专家吴琼华医师看看").
_PERSON_EVIDENCE = re.compile(rf"(?:{PERSON_TITLES}|委员|专家|教授)"
                              r"[\u4e00-\u9fff]{2,3}(?=[\d,，、。;；:：“”\s及和等在进首也副]|$|医师|医生|教授|博士|先生|女士)")
# "降到多少了", "有多少": a quantity without a named unit; "多少钱/多少家" are handled by their units.
# "数量是多少", "…的数量？" ask a number; "采购没有实际数量是个问题" names one.
_HOW_MANY_RE = re.compile(r"多少(?![钱万元家个所名人位项条本届岁年次天月床张种户])|百分之几|(?:数量|数目)(?=[？?\s]|$|是多|有多|为多|多少|几)")
_ASK_WORD_RE = re.compile(r"多少|几|什么|哪|怎样|如何|啥")
_CONFIRM_RE = re.compile(r"对吗|对吧|是吗|是吧|吧[？?]?$|是不是|没错吧|是真的吗")


def _states_amount(simp: str, simp_q: str) -> bool:
    """An amount in the text other than one the question states ("超了4千万医保额度的县医院…总额度是多少": 4千万
    is the premise, not the answer)."""
    return any(re.sub(r"[元\s]", "", m.group(0)) not in simp_q and _is_sum(simp, m) for m in _MONEY_EVIDENCE.finditer(simp))


# Words that make a bare 万/亿 a sum of money ("投入资金5000万"); without one it counts anything ("服务对象从51.1万
# 上升至73.8万", "覆盖人口120万").
_MONEY_WORD = re.compile(rf"{_PAY}|钱|款|投入|投资|预算|基金|资本|价|税|费|支出|融资|营收|成本|金|销售额|市值|币|英镑")


def _is_sum(simp: str, m: re.Match) -> bool:
    return m.group(0).endswith("元") or bool(_MONEY_WORD.search(simp[max(0, m.start() - 12) : m.end() + 4]))


def _asks_how_many(simp_q: str) -> bool:
    """"采购数量是多少" and "编制周转池 编制数量" ask a quantity; "只定价格、不定采购数量，对吧" names one in a claim it
    asks to confirm."""
    m = _HOW_MANY_RE.search(simp_q)
    return bool(m) and (m.group(0) not in ("数量", "数目") or bool(_ASK_WORD_RE.search(simp_q))
                        or not _CONFIRM_RE.search(simp_q))
# "由哪一级财政发放": the kind of thing asked for must be named by the passage that answers.
_ASKED_KIND_RE = re.compile(r"(?:哪一级|哪级|哪一个|哪个|哪家)(财政|政府|部门|机构|单位)")
# "一个有力的拳头" is an article, not a count: a lone 一 does not count.
# A figure with what it counts: "123个", "95%", "6:3:1", "三成"; a date ("2018年5月31日") or a model ("1.5T") is no quantity.
_QUANTITY_EVIDENCE = re.compile(r"\d+\s*[:：∶]\s*\d+|\d+(?:\.\d+)?\s*(?:余|多)?\s*(?:[个项家名人条次所种类成倍床张户位届元轮页篇台批例件座套份排辆]|万|亿|%|％)|百分之|(?:[两三四五六七八九十百千万]|一[十百千万])[一二三四五六七八九十百千万]*\s*[余多]?\s*(?:[个项家名人条次所种类成倍轮页篇台批例件座套份排辆]|万|亿)")
# "是二价的还是九价的": the question offers alternatives; the evidence must speak of at least one of them.
# "A还是B" offers two things; "还是很多", "还是不够" is "still".
_ALTERNATIVES_RE = re.compile(r"([^，,。？?是]{2,8})还是(?![很挺太较更不没仍会要])([^，,。？?]{2,8})")
# A particular institution: one with a numbered name ("六安市第二人民医院"). A place in front does not make a
# name ("裕安区希望医院里的人员…" is 希望 + 医院), and an unknown place is caught by the region check.
_INSTITUTION_RE = re.compile(r"第[一二三四五六七八九十\d]+[\u4e00-\u9fff]{0,4}?(?:人民医院|中医院|医院|卫生院|保健院|中心)")


WEAK = "weak evidence"  # the start of the reason given when the strength floor declines


def evidence_strength(ranked: Sequence[Sentence]) -> float:
    """Word coverage of the best of the first sentences (with its passage's coverage at half weight)."""
    return max((s.coverage + 0.5 * s.context_coverage for s in ranked[:5]), default=0.0)


# "能不能调去城里医院", "还能申请…吗": a yes/no question, which the documents often leave unaddressed.
_YES_NO_RE = re.compile(r"能否|能不能|是否|可不可以|会不会|有没有|吗[？?]?$")


def _term_gaps(info: QuestionInfo, top: Sequence[Sentence], corpus_forms: Sequence[str]) -> dict[str, float]:
    """How much of the question the evidence leaves out: the share of its words no top sentence covers, the
    longest of them (a long word is a specific thing: "事业编制", "外籍看护"), and the share in no document at all."""
    words = [t for t in info.terms if len(t) > 1 and t not in info.regions]
    if not words:
        return {"uncovered": 0.0, "uncovered_longest": 0.0, "in_no_document": 0.0}
    uncovered = [t for t in words if not any(t in s.covered for s in top)]
    nowhere = [t for t in uncovered if not any(match_form(t) in f for f in corpus_forms)]
    return {"uncovered": len(uncovered) / len(words), "uncovered_longest": min(max(map(len, uncovered), default=0), 4) / 4,
            "in_no_document": len(nowhere) / len(words)}


def _graded(info: QuestionInfo, ranked: list[Sentence], relevant: list[Sentence], coverage_strength: float,
            confidence: float | None, simp_q: str, corpus_forms: Sequence[str]) -> dict[str, float]:
    """The graded measures of the evidence (the learned abstainer's inputs beside the fired checks)."""
    sims = [s.similarity for s in ranked[:5] if s.similarity is not None]
    return dict(
        strength=coverage_strength, scorer_confidence=confidence if confidence is not None else 0.0,
        has_scorer_confidence=float(confidence is not None), best_coverage=max(s.coverage for s in ranked[:5]),
        best_context_coverage=max(s.context_coverage for s in ranked[:5]), relevant=len(relevant) / 6,
        typed=float(any(s.typed for s in relevant)), similarity=max(sims) if sims else 0.0,
        has_similarity=float(bool(sims)), terms=min(len(info.terms), 12) / 12,
        fact_question=float(info.qtype in ("date", "duration", "number", "ratio")),
        claims=float(bool(info.claims)), quoted=float(bool(info.quoted)), regions=float(bool(info.regions)),
        yes_no=float(bool(_YES_NO_RE.search(simp_q))), **_term_gaps(info, ranked[:6], corpus_forms),
    )


@dataclass(frozen=True)
class Check:
    """One check that found the evidence short of what the question asks: a stable id (a model feature), the
    English reason for logs, and the Chinese reason shown to the asker."""

    id: str
    reason: str
    why: str


@dataclass
class Signals:
    """Every check that fired, in the order the rules consult them, and the graded evidence measures."""

    fired: list[Check] = field(default_factory=list)
    graded: dict[str, float] = field(default_factory=dict)

    def first(self) -> Check | None:
        return self.fired[0] if self.fired else None

    def without(self, check_id: str) -> "Signals":
        return Signals([c for c in self.fired if c.id != check_id], dict(self.graded))


# The ids of the checks, in the order the rules mode consults them (the learned model has a weight for each).
CHECK_IDS = (
    "region_absent", "weak", "no_amount", "no_docno", "no_date", "no_date_of_subject", "document_silent",
    "no_year", "claimed_ratio_unstated", "no_particular", "no_unit_quantity", "no_quantity", "no_person",
    "no_post_holder", "no_members", "no_kind", "no_place", "no_place_level", "slot_unfilled", "entities_absent",
    "unknown_institution", "alternatives_absent", "no_ratio", "term_undefined",
)
# The checks that a thing asked (a date, an amount, a person, a count…) is missing, as against the checks that the
# evidence is off the question's topic. A compound question ("哪位专家主刀的？哪天做的？") is declined for a missing
# slot only when every one of its parts misses its own (answer/compound.py).
SLOT_CHECKS = frozenset((
    "no_amount", "no_docno", "no_date", "no_date_of_subject", "no_year", "claimed_ratio_unstated", "no_particular",
    "no_unit_quantity", "no_quantity", "no_person", "no_post_holder", "no_members", "no_kind", "no_place",
    "no_place_level", "slot_unfilled", "no_ratio",
))
_SLOT_WHY = {"money": "金额", "day": "具体日期", "post": "任职人员", "members": "名单"}


def asked_slot_checks(info: QuestionInfo) -> list[str]:
    """The slot checks a question is subject to: those that fire on evidence that says nothing."""
    blank = Sentence("", 0, 0, "", 1, 0, "", coverage=1.0)
    fired = abstain_signals(info, [blank], [], threshold=float("-inf"), mentions=lambda d, r: True,
                            synonyms=lambda terms: terms, corpus_forms=[""], graded=False).fired
    return [c.id for c in fired if c.id in SLOT_CHECKS]


# Any figure satisfies the plain how-many check ("平均降价多少" by "120万"): passing it shows nothing was answered.
WEAK_SLOT_CHECKS = frozenset(("no_quantity",))


def abstain_reason(info: QuestionInfo, ranked: list[Sentence], hits: Sequence[Hit], **kw) -> str | None:
    """Why the evidence does not answer, or None when it does: the first check that fires (the rules mode).

    >>> abstain_reason(info, ranked, hits, threshold=0.15, mentions=m, synonyms=s, corpus_forms=f)  # doctest: +SKIP
    'no quantity in 家 in evidence'
    """
    first = abstain_signals(info, ranked, hits, **kw).first()
    return first.reason if first else None


def abstain_signals(
    info: QuestionInfo,
    ranked: list[Sentence],
    hits: Sequence[Hit],
    *,
    threshold: float,
    mentions: Callable[[str, str], bool],
    synonyms: Callable[[list[str]], list[str]],
    corpus_forms: list[str],
    confidence: float | None = None,
    graded: bool = True,
) -> Signals:
    """Every check's outcome and the graded measures of the evidence (answer/abstain_model.py weighs them).

    `mentions(doc_id, region)` tells whether a document speaks of a place; `corpus_forms` are the documents'
    texts in match_form (the answerer passes them joined as one string, so a word is looked up in one scan).
    `confidence` (the learned scorer's probability, answer/scorer.py) replaces the word
    coverage as the strength the threshold is compared with; the asked-slot checks apply either way. `graded`
    False skips the graded measures: only the learned abstainer and its training read them, and one of them looks
    the question's words up in the whole corpus (20 ms per question at 111k chunks).
    """
    out = Signals()

    def fire(check_id: str, reason: str, why: str) -> None:
        out.fired.append(Check(check_id, reason, why))

    near = hits[: 3 * len(info.regions)]
    for region in info.regions:
        if not any(mentions(h.chunk.doc_id, region) for h in near):
            fire("region_absent", f"region {region} not in evidence", f"相关段落没有提到{region}")
            break
    coverage_strength = evidence_strength(ranked)
    strength = coverage_strength if confidence is None else confidence
    if strength < threshold:
        fire("weak", f"{WEAK} {strength:.2f}", "找到的段落与问题关联太弱")
    if not ranked:
        return out
    top = ranked[:4]
    simp_q = info.simplified
    # The asked slot (a date, an amount, a count of something, a place) must be filled by a sentence that is
    # about the question, not by any sentence that happens to carry a number.
    strengths = {id(s): s.coverage + 0.5 * s.context_coverage for s in ranked[:6]}
    # A heading ("3.修改医共体医保结余基金分配比例。") matches the question's words almost by definition;
    # measuring relevance against it would leave out the body that carries the fact.
    body = [strengths[id(s)] for s in ranked[:6] if len(s.text.strip()) > 20]
    best_strength = max([*body, 0.9 * max(strengths.values())])
    relevant = [s for s in ranked[:6] if strengths[id(s)] >= 0.7 * best_strength]
    if graded:
        out.graded.update(_graded(info, ranked, relevant, coverage_strength, confidence, simp_q, corpus_forms))
    if _MONEY_RE.search(simp_q) and not _SHARE_ASK_RE.search(simp_q) and not any(
            _states_amount(t2s(s.text), simp_q) for s in relevant):
        fire("no_amount", "no amount in evidence", "相关段落没有给出金额")
    # A document number in any of its bracket forms: "〔2017〕57号", "[2017]57号", "（2015）70号".
    if _DOCNO_RE.search(simp_q) and not any(DOCUMENT_NUMBER.search(t2s(s.text)) and s.coverage > 0.4 for s in top):
        fire("no_docno", "no document number in evidence", "相关段落没有给出文号")
    year_ask = bool(YEAR_ASK.search(simp_q))

    def dated(s: Sentence, kind: str) -> bool:  # a year asked is also given by a document number's year
        return has_type_evidence(kind, s.text) or bool(year_ask and YEAR_RE.search(t2s(s.text)))

    if info.qtype in ("date", "duration") and not any(dated(s, info.qtype) for s in relevant):
        fire("no_date", f"no {info.qtype} in evidence", "相关段落没有给出时间")
    subject = when_subject(info)
    if subject and not any(dated(s, "date") and 2 * len(s.covered & subject) >= len(subject)
                           for s in relevant):
        fire("no_date_of_subject", f"no date of {sorted(subject)} in evidence", "相关段落没有给出所问事项的时间")
    named = named_document(simp_q)
    if named and info.qtype in ("ratio", "number", "date", "duration") and not states_for(named, info.qtype, ranked[:8]):
        fire("document_silent", f"document {named} does not state it", "所问文件没有写明这一点")
    if year_ask and not any(YEAR_RE.search(t2s(s.text)) for s in relevant):
        fire("no_year", "no year in evidence", "相关段落没有写明年份")  # "今年4月23日" does not say which year
    if any(c.kind in ("ratio", "percent") for c in info.claims) and not any(
            has_type_evidence("ratio", s.text) for s in relevant):
        fire("claimed_ratio_unstated", "the claimed ratio is about evidence that states none", "相关段落没有给出比例")
    particular = PARTICULAR_ASK.search(simp_q)
    if particular and not any(names_particular(particular.group(1), t2s(s.text)) for s in relevant):
        fire("no_particular", f"no particular {particular.group(1)} named in evidence",
             f"相关段落没有点明是哪一家{particular.group(1)}")
    unit = asked_unit(simp_q)
    if unit and not any(has_quantity(unit, s.text, given=simp_q) for s in relevant):
        fire("no_unit_quantity", f"no quantity in {unit} in evidence", f"相关段落没有给出以“{unit}”计的数量")
    if info.qtype in ("number", "ratio") and _asks_how_many(simp_q) and not any(
            _QUANTITY_EVIDENCE.search(t2s(s.text)) for s in relevant):
        fire("no_quantity", "no quantity in evidence", "相关段落没有给出数量")
    if _PERSON_ASK.search(simp_q) and not any(_PERSON_EVIDENCE.search(t2s(s.text)) for s in relevant):
        fire("no_person", "no person in evidence", "相关段落没有点名具体人员")
    post = POST_ASK.search(simp_q)
    held = post and (post.group(1) or post.group(2))
    if held and not any(held in t2s(s.text) for s in ranked[:6]):
        fire("no_post_holder", f"no {held} named in evidence", f"相关段落没有提到{held}")
    members = MEMBERS_ASK.search(simp_q)
    member_kind = members and (members.group(1) or members.group(2))
    if member_kind and not any(names_members(member_kind, t2s(s.text)) for s in ranked[:6]):
        fire("no_members", f"no {member_kind} named in evidence", f"相关段落没有列出{member_kind}名称")
    kind = _ASKED_KIND_RE.search(simp_q)
    if kind and not any(names_kind(kind.group(1), t2s(s.text), synonyms) for s in relevant):
        fire("no_kind", f"no {kind.group(1)} in evidence", f"相关段落没有提到所问的{kind.group(1)}")
    if info.qtype in ("fact", "list") and asks_place(simp_q) and not any(find_regions(t2s(s.text)) for s in relevant):
        fire("no_place", "no place in evidence", "相关段落没有给出地点")
    level = asked_level(simp_q)
    if level and not any(names_place_of_level(level, find_regions(t2s(s.text))) for s in relevant):
        fire("no_place_level", f"no place of level {level} in evidence", f"相关段落没有给出所问的{level}")
    # The asked slot (slots.py) may be filled a little further from the best match than the checks above allow:
    # the figure often sits in the sentence after the one that names the subject.
    nearby = [s for s in ranked[:6] if strengths[id(s)] >= 0.6 * best_strength]
    slot = unfilled(simp_q, [s.text for s in nearby])
    if slot:
        fire("slot_unfilled", f"no {slot[0]} {slot[1]} in evidence".replace("  ", " "),
             f"相关段落没有给出所问的{slot[1] if slot[0] in ('post', 'members') else _SLOT_WHY[slot[0]]}")
    missing = _missing_entities(info, hits[:3], synonyms, corpus_forms)
    if missing:
        fire("entities_absent", f"entities {missing} absent from evidence", f"相关段落没有提到{'、'.join(missing)}")
    unknown = _unknown_institutions(simp_q, corpus_forms)
    if unknown:
        fire("unknown_institution", f"institutions {unknown} in no document", f"文件中没有提到{'、'.join(unknown)}")
    context = t2s("".join(s.text for s in ranked[:6]))
    m = _ALTERNATIVES_RE.search(simp_q)
    if m and not any(char_pairs(_bare(option)) & char_pairs(context) for option in m.groups()):
        fire("alternatives_absent", f"neither {m.group(1)} nor {m.group(2)} in evidence",
             f"相关段落既没有提到{m.group(1)}，也没有提到{m.group(2)}")
    if info.qtype == "ratio" and re.search(r"幅度|比例|比率|几成|占比|%|率", simp_q):
        if not any(has_type_evidence("ratio", s.text) for s in relevant):
            fire("no_ratio", "no ratio in evidence", "相关段落没有给出比例")
    term = undefined_term(info, simp_q, ranked)
    if term:
        fire("term_undefined", f"term {term} named but not defined", f"相关段落没有解释“{term}”的含义")
    return out


def _missing_entities(info: QuestionInfo, hits: Sequence[Hit], synonyms, corpus_forms: Sequence[str] = ()) -> list[str]:
    """Roles, departments, institutions and funds the question names that no top passage mentions."""
    context = t2s("".join(f"{h.chunk.title}{h.chunk.section}{h.chunk.text}" for h in hits))
    missing = []
    q = info.simplified
    for cls, term in info.entities:
        if cls not in ("role", "department"):
            continue
        at = q.find(term)
        longer = match_form(q[at : at + len(term) + 2]) if at >= 0 else ""
        if len(longer) > len(term) and any(longer in f for f in corpus_forms):
            continue  # "院长年会那篇报道": part of a name the documents use, not a role the question asks about
        names = [term] + synonyms([term])
        if any(n in context for n in names):
            continue
        if term in _GENERIC_ROLES and _HEAD_RE.search(context):
            continue  # "一把手" of a health centre is its 院长 or 主任
        if len(term) >= 3 and re.search(re.escape(term[:-1]) + r"[\u4e00-\u9fff]{0,8}" + re.escape(term[-1]), context):
            continue  # "医改办" abbreviates "医改和医疗发展办公室"
        missing.append(term)
    return missing


_GENERIC_ROLES = {"一把手", "主要负责同志", "主要领导", "负责人"}
_HEAD_RE = re.compile(r"院长|主任|负责人|书记|局长|一把手")


def _unknown_institutions(simp_q: str, corpus_forms: list[str]) -> list[str]:
    """Particular institutions the question names that no document mentions, e.g. a hospital of another city.

    Only a numbered name counts: "县医院" or "龙头医院" may be the asker's words for an institution the
    documents name otherwise."""
    return [m.group(0) for m in _INSTITUTION_RE.finditer(simp_q)
            if not any(match_form(m.group(0)) in f for f in corpus_forms)]


def _bare(option: str) -> str:
    return re.sub(r"^(?:是|按|用|由|在)|(?:的|呢|吗|啊|算)+$", "", option)
