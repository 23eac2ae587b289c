"""Evidence at sentence level: candidate sentences from retrieved chunks, scored against the question."""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..textnorm import t2s
from ..types import DocRecord, Hit
from .analyze import (DATE_RE, NOT_COUNT_BEFORE, NUMBER_UNIT_RE, PERCENT_RE, RATIO_RE, TIAN_WORD, VAGUE_JI,
                      QuestionInfo)
from .followup import find_entities

_REASON_RE = re.compile(r"因为|由于|原因|出于|鉴于|为了|因此|所以|从而|以便|考量|考虑|导致|不利于|目的|旨在")
_DEFINE_RE = re.compile(r"[:：]|即|是指|指的是|就是|包括|分为|是以|为牵头")
_HOW_RE = re.compile(r"通过|实行|采取|建立|推行|实施|按照|采用|落实|方式|办法|机制")
# A span of time, not a calendar year: "4年", "三个月", "半年" (the lookbehind keeps "2019年" out).
_DURATION_RE = re.compile(r"(?<![\d〔\[])(?:\d{1,2}|[一二三四五六七八九十两半]+)\s*(?:个)?(?:年|个月|天|周|星期|小时|钟头|分钟)(?!\d)")
_FREQUENCY_RE = re.compile(r"按[年季月周日天]|每[年季月周日天届]|年终|年底|年初|月底|季度|定期")
_CAPTION_RE = re.compile(r"[^，,。；;：:！!？?、]{4,30}")
_LABEL_RE = re.compile(r"[“「『\"][^”」』\"]{2,12}[”」』\"]")
_WHO_CLASSES = ("department", "institution", "role")
_WHO_RE = re.compile(r"部门|局|委|办|政府|小组|委员会|医院|卫生院|中心|负责|牵头|同志|领导")


@dataclass
class Sentence:
    doc_id: str
    start: int
    end: int
    text: str
    rank: int  # rank of the chunk it came from
    chunk_index: int
    context: str  # section path + chunk text, for coverage of terms stated nearby
    heading: str = ""  # the short heading the sentence is body text of ("一、服务对象"), if any
    tokens: set[str] = field(default_factory=set)
    score: float = 0.0
    coverage: float = 0.0
    context_coverage: float = 0.0
    covered: set[str] = field(default_factory=set)
    typed: bool = False
    # The components of the rule score, kept for the learned scorer (answer/scorer.py), which weighs them itself.
    parts: dict[str, float] = field(default_factory=dict)
    similarity: float | None = None  # cosine of question and sentence vectors, when the index has them
    prob: float | None = None  # the learned scorer's probability that the sentence answers


class IdfTable:
    """Inverse document frequency of tokens over the paragraphs of a corpus (computed once per corpus)."""

    def __init__(self, paragraphs: Iterable[str], tokenize: Callable[[str], list[str]]) -> None:
        df: dict[str, int] = {}
        n = 0
        for p in paragraphs:
            n += 1
            for tok in set(tokenize(p)):
                df[tok] = df.get(tok, 0) + 1
        self.n = max(n, 1)
        self.df = df

    @classmethod
    def from_counts(cls, paragraphs: int, df: dict[str, int]) -> "IdfTable":
        """The table from counts computed at build time (tables.py), without tokenising the corpus."""
        table = cls((), lambda _: [])
        table.n, table.df = max(paragraphs, 1), df
        return table

    def __call__(self, token: str) -> float:
        # A word the corpus never uses is usually the asker's paraphrase ("大夫", "定盘子"), not a rarer fact:
        # it weighs like a rare known word (df 3), not the rarest, so it cannot swamp the words that do match.
        # (df 1.5-6 measured the same on all three question sets; df 0.5 cost 2-5% false abstentions.)
        d = self.df.get(token, min(3, self.n))
        # Never zero or negative, even in a corpus of a few paragraphs: coverage divides by the summed weights.
        return max(math.log(1 + (self.n - d + 0.5) / (d + 0.5)), 0.05)


# "从哪头转到哪头", "从什么变成什么": a question about a shift, answered by a sentence that states one.
SHIFT_ASK = re.compile(r"从(?:哪|什么)[^，,。？?]{0,6}(?:转|变|到)|变成了?什么|转向了?哪|转为什么")
_SHIFT_RE = re.compile(r"(?:从|由|变)[“「\"]?[\u4e00-\u9fff]{1,10}[”」\"]?(?:转向|转为|变为|变成|为|到)[“「\"]")
# "从四个方面:整合资源,构建体系,…": a count that introduces its items.
COUNTED_LEAD = re.compile(r"[一二三四五六七八九十两\d]+\s*[个大项条点]?(?:方面|部分|点|条|类|项)[:：]")
_DAY_RE = re.compile(r"(?<![\d〔\[])\d{1,2}\s*日")
# A time of day: "9时", "6点多", "1:30", or the part of the day a report gives it by ("上午", "凌晨").
_CLOCK_RE = re.compile(r"(?<![\d.])\d{1,2}\s*(?:点|时)(?!代|期|间|刻表)|(?<!\d)\d{1,2}[:：]\d{2}(?!\d)|凌晨|清晨|早上|上午|中午|下午|傍晚|晚上|夜里|深夜")


def has_type_evidence(qtype: str, text: str) -> bool:
    """Does the sentence contain the kind of fact the question type wants?"""
    simp = t2s(text)
    if qtype == "ratio":
        return bool(RATIO_RE.search(simp) or PERCENT_RE.search(simp) or re.search(r"[一二三四五六七八九十]成", simp))
    if qtype == "duration":
        return bool(_DURATION_RE.search(simp) or _FREQUENCY_RE.search(simp))
    if qtype == "date":
        # A frequency ("按月预拨", "年终结算") answers "多久一次 / 什么时候".
        # A day of the month alone ("14日至16日到湖南调研") dates an event the report places in its month.
        return bool(DATE_RE.search(simp) or _DAY_RE.search(simp)
                    or re.search(r"\d+\s*年|任期|届|按[年季月周日天]|每[年季月周日天]|年终|年底|年初|月底|季度", simp))
    if qtype == "clock":
        return bool(_CLOCK_RE.search(simp))
    if qtype == "number":
        return bool(NUMBER_UNIT_RE.search(simp) or re.search(r"\d", simp))
    if qtype == "why":
        return bool(_REASON_RE.search(simp))
    if qtype == "who":
        return bool(_WHO_RE.search(simp)) or any(c in ("department", "institution", "role") for c, _ in find_entities(simp))
    if qtype in ("definition",):
        return bool(_DEFINE_RE.search(simp))
    if qtype == "list":
        return simp.count("、") >= 2 or bool(re.search(r"一是|二是|第[一二三四五六七八九十]", simp) or COUNTED_LEAD.search(simp))
    if qtype == "how":
        return bool(_HOW_RE.search(simp))
    if qtype == "comparison":
        return bool(RATIO_RE.search(simp) or PERCENT_RE.search(simp) or DATE_RE.search(simp) or "原" in simp)
    return False


def _defines(term: str, simp_text: str) -> bool:
    i = simp_text.find(t2s(term))
    if i < 0:
        return False
    # A glossary entry may name the work rather than the thing: "——紧密型城市医联体建设:城区街道与…".
    return bool(re.match(r"[”」』\"]?\s*(?:建设|工作|模式|机制|制度)?\s*(?:[:：]|即|是指|指的是|就是|包括|分为)",
                         simp_text[i + len(term) :]))


def term_covered(term: str, tokens: set[str], simp_text: str, synonyms: Callable[[list[str]], list[str]]) -> bool:
    if term in tokens:
        return True
    if len(term) == 1:
        return False  # "定" inside "规定" is not the question's "定": single characters count only as whole tokens
    if term in simp_text:
        return True
    if term in _DOCUMENT_NOUNS and _TITLED.search(simp_text):
        return True  # "那份文件" is whatever document the sentence names in 《》
    return any(s in simp_text for s in synonyms([term]))


_DOCUMENT_NOUNS = {"文件", "政策文件", "红头文件"}
_TITLED = re.compile(r"《[^》]{4,}》")


# Index text never changes, so jieba runs once per sentence and per chunk context, not once per question.
_TOKEN_CACHE: dict[tuple[str, int, int], set[str]] = {}
_CONTEXT_CACHE: dict[str, tuple[set[str], str]] = {}


def _memo(cache: dict, limit: int, key, compute: Callable[[], Any]):
    """cache[key], computed on first use; the cache is emptied rather than grown past limit."""
    hit = cache.get(key)
    if hit is None:
        if len(cache) > limit:
            cache.clear()
        hit = cache[key] = compute()
    return hit


def _cached_tokens(s: Sentence, tokenize) -> set[str]:
    return _memo(_TOKEN_CACHE, 200_000, (s.doc_id, s.start, s.end), lambda: set(tokenize(s.text)))


def _cached_context(context: str, tokenize) -> tuple[set[str], str]:
    # Tokenising chunk contexts was 70% of answering before it was cached.
    return _memo(_CONTEXT_CACHE, 20_000, context, lambda: (set(tokenize(context)), t2s(context)))


# The parts of a compound found apart ("医保…部门") say less than the compound itself ("医保部门").
_PARTS_SHARE = 0.6
_HEADING_WEIGHT = 0.3
# A heading longer than this is an item that states its own content ("（一）开展…可结合老年人健康体检…").
_HEADING_MAX = 16


class _Coverage:
    """Share of the question's weight a set of matched terms carries, a compound counted once.

    Search-mode tokens repeat a compound's parts ("乡镇卫生院", "乡镇", "卫生", "卫生院"); summed, a long compound
    would outweigh the rest of the question. Each outermost term carries its own weight; when it is not matched,
    its matched parts earn a share of it.
    """

    def __init__(self, terms: list[str], weights: dict[str, float]) -> None:
        self.weights = weights
        self.parts = {t: [p for p in terms if p != t and p in t] for t in terms}
        self.tops = [t for t in terms if not any(t != o and t in o for o in terms)]
        self.total = sum(weights[t] for t in self.tops) or 1.0

    def __call__(self, covered: set[str]) -> float:
        got = 0.0
        for t in self.tops:
            if t in covered:
                got += self.weights[t]
            elif self.parts[t]:
                parts = self.parts[t]
                got += _PARTS_SHARE * self.weights[t] * sum(self.weights[p] for p in parts if p in covered) / (
                    sum(self.weights[p] for p in parts) or 1.0)
        return got / self.total


def score_sentences(
    info: QuestionInfo,
    sentences: list[Sentence],
    idf: IdfTable,
    tokenize: Callable[[str], list[str]],
    synonyms: Callable[[list[str]], list[str]],
    doc_terms: dict[str, str] | None = None,
) -> list[Sentence]:
    """Score in place and return sorted best first.

    `doc_terms` maps a question word that names one document ("评论", "秦永方") to that document: its sentences
    cover the word, since the question asks about what that document says."""
    doc_terms = doc_terms or {}
    weights = {t: idf(t) for t in info.terms}
    coverage = _Coverage(info.terms, weights)
    ctx_cache: dict[int, tuple[set[str], str]] = {}
    subjects = [t for c, t in info.entities if c in _WHO_CLASSES]
    # What a definition asks about: its quoted term, or else its longest word ("紧密型城市医联体是怎么定义的").
    longest = max((t for t in info.terms if len(t) >= 4), key=len, default="")
    defined_terms = info.quoted or ([longest] if longest and info.qtype == "definition" else [])
    shift_ask = bool(SHIFT_ASK.search(info.simplified))
    # "怎么解释", "如何理解": how the answer is asked for, not what about; a heading "名词解释" says nothing of it.
    ask_verbs = {t for t in info.terms if re.search(rf"(?:怎么|如何|怎样)\s*{re.escape(t)}", info.simplified)}
    # "有多少个" is answered by "271个", not by any figure ("2021年"): a count asked in a unit wants that unit.
    unit = asked_unit(info.simplified) if info.qtype == "number" else None
    for s in sentences:
        simp = t2s(s.text)
        s.tokens = _cached_tokens(s, tokenize)
        named = {t for t, d in doc_terms.items() if d == s.doc_id}
        covered = {t for t in info.terms if t in named or term_covered(t, s.tokens, simp, synonyms)}
        if s.chunk_index not in ctx_cache:
            ctx_cache[s.chunk_index] = _cached_context(s.context, tokenize)
        ctx_tokens, ctx_simp = ctx_cache[s.chunk_index]
        ctx_covered = {t for t in info.terms if t in named or term_covered(t, ctx_tokens, ctx_simp, synonyms)}
        s.covered = covered
        s.coverage = coverage(covered)
        s.context_coverage = coverage(ctx_covered)
        s.typed = has_quantity(unit, s.text, info.simplified) if unit else has_type_evidence(info.qtype, s.text)
        # The passage's retrieval rank carries the dense model's reading of the whole passage, which a paraphrase
        # shares more of than a sentence's words (prior weight 0.1 / 0.2 / 0.4 / 0.6: dev3 accuracy
        # .883 / .867 / .900 / .900, dev2 .900 / .925 / .925 / .925, main set .843 / .843 / .843 / .837).
        prior = 1.0 / (1.0 + 0.35 * (s.rank - 1))
        length_penalty = 0.1 if len(s.text) < 8 else 0.0
        if info.qtype not in ("list", "who", "definition") and _CAPTION_RE.fullmatch(s.text.strip()):
            # A bare line ("中日医院医务处副处长兼远程医疗中心主任卢清君": a caption, a byline, a title) names the
            # question's people and topics but states nothing about them.
            length_penalty += 0.3
        # A heading names what the text under it is about ("一、服务对象" / "辖区内65岁及以上常住居民。"); the
        # chunk context cannot say which of its sentences that is (weight 0.15 / 0.3 / 0.5: ext dev +0 / +2 / +1
        # accurate, train +2 / +2 / +2).
        heading = coverage({t for t in info.terms if t in t2s(s.heading) and t not in ask_verbs}) if s.heading else 0.0
        s.score = (s.coverage + 0.35 * s.context_coverage + (0.25 if s.typed else 0.0) + 0.4 * prior
                   + _HEADING_WEIGHT * heading - length_penalty)
        parts = {"prior": prior, "short": float(len(s.text) < 8), "caption": float(length_penalty >= 0.3)}
        if info.qtype == "who":
            # The answer names an organisation or role the question does not.
            if any(c in _WHO_CLASSES and t not in info.simplified for c, t in find_entities(simp)):
                s.score += 0.2
                parts["who"] = 1.0
        elif subjects and any(t in simp[:10] for t in subjects):
            s.score += 0.2  # "卫健部门要…": the organisation asked about is what the sentence is about
            parts["subject"] = 1.0
        if shift_ask and _SHIFT_RE.search(simp):
            s.score += 0.4  # "从哪头转到哪头" is answered by "从“重治疗”转向“重预防”"
            s.typed = True
            parts["shift"] = 1.0
        if info.wants_label and _LABEL_RE.search(simp):
            s.score += 0.25  # "当好农民健康“守护人”": the phrase asked for stands in quotes
            s.typed = True
            parts["label"] = 1.0
        if info.qtype in ("definition", "list") and any(_defines(t, simp) for t in defined_terms):
            s.score += 0.5  # "做到“两包”:医保基金打包、公卫资金打包" defines the term; a mere mention does not
            parts["defines"] = 1.0
        s.parts = parts
    return sorted(sentences, key=lambda x: (-x.score, x.rank, x.start))


# The one table of units a question may ask a quantity in ("几价", "多少家", "几公里"), with the ways texts write
# each: an age in 周岁 or 岁, a distance in 公里, 千米 or km, beds as 床 or 张. (Counters such as 家/个/所 also stand
# in for each other, below.) A question asking "几个小时" asks for 小时, not for a count in 个.
_UNIT_FORMS = {
    "岁": ["周岁", "岁"], "周岁": ["周岁", "岁"], "台": ["台"], "公里": ["公里", "千米", "km"], "小时": ["小时", "钟头"],
    "个小时": ["小时", "钟头"], "分钟": ["分钟"], "轮": ["轮"], "起": ["起", "例"], "例": ["例"], "篇": ["篇"],
    "页": ["页"], "单": ["单", "次"], "排": ["排"], "平方米": ["平方米", "㎡", "m2"], "亩": ["亩"], "批": ["批"],
    "辆": ["辆"], "套": ["套"], "倍": ["倍"], "周": ["周", "星期"], "个月": ["个月", "月"], "人次": ["人次"],
    "床": ["床", "张"],
}
_ASKED_UNITS = ("价", "家", "个", "所", "名", "人", "位", "项", "条", "本", "届", "岁", "年", "次", "天", "月", "张", "种",
                "元", "万元", "亿元", "户", *_UNIT_FORMS)
_ASKED_UNIT_RE = re.compile(rf"(?<![那这{NOT_COUNT_BEFORE}])" + VAGUE_JI + r"(?:几|多少)\s*(" + "|".join(
    u + (f"(?!{TIAN_WORD})" if u == "天" else "") for u in sorted(set(_ASKED_UNITS), key=len, reverse=True))
                            + r"|分(?![之钱配成]))(?![\u4e00-\u9fff]{0,1}(?:的问题|之间))")
_COUNTERS = {"家", "个", "所", "项", "条", "本", "名", "人", "位", "户"}
_CN_DIGITS = "零一二三四五六七八九十百千万两几余多"
# PDF-extracted figures come spaced and TeX-escaped ("$8 0 \%$"); they are the same number as "80%".
_SPACED_DIGITS = re.compile(r"(?<=\d)\s+(?=[\d%％])")


def plain(text: str) -> str:
    """Simplified text with the spacing and TeX escapes of extracted figures removed."""
    simp = t2s(text)
    if "\\" in simp or "$" in simp:
        simp = simp.replace("\\%", "%").replace("$", "")
    return _SPACED_DIGITS.sub("", simp)


def asked_unit(simplified_question: str) -> str | None:
    m = _ASKED_UNIT_RE.search(simplified_question)
    return m.group(1) if m else None


def unit_forms(unit: str) -> list[str]:
    """The ways texts write a unit: "岁" and "周岁" are the same age, "千米" and "公里" the same distance."""
    return _UNIT_FORMS.get(unit, [unit])
_ONLY_ONE_RE = re.compile(r"唯一|仅有一|只有一")


def has_quantity(unit: str, text: str, given: str = "") -> bool:
    """A number followed by the asked unit (counters such as 家/个/所 stand in for each other).

    A quantity the question itself states (`given`: "455余家医院里，基层医院占多少家") is what it asks about,
    not the answer: it does not count."""
    simp = plain(text)
    if unit in _COUNTERS and _ONLY_ONE_RE.search(simp):
        return True  # "自治区唯一入选" answers "有几个旗县入选"
    counted = _counted_noun(t2s(given), unit)
    if unit in _COUNTERS and len(counted) >= 2 and len(set(re.findall(rf"([\u4e00-\u9fff]{{2}}){re.escape(counted)}", simp))) >= 2:
        return True  # "分几个阶段" is answered by naming them: "初级阶段…中级阶段…高级阶段"
    units = sorted(_COUNTERS, key=len) if unit in _COUNTERS else unit_forms(unit)
    # "3个小时", "两个月": a measure may come with the counter 个 in front of it (a counter is its own unit).
    counter = "" if unit in _COUNTERS else "(?:个)?"
    pattern = rf"(?:\d+(?:\.\d+)?\s*[余多]?|[{_CN_DIGITS}]+)\s*{counter}({'|'.join(map(re.escape, units))})"
    stated = set(re.findall(r"\d+(?:\.\d+)?", t2s(given)))
    for m in re.finditer(pattern, simp):
        digits = re.match(r"\d+(?:\.\d+)?", m.group(0))
        if digits and digits.group(0) in stated:
            continue
        # "2015年" is a calendar year, not a count of years ("协议期限是几年"). ("几月" asks which month, and a day
        # "10月15日" answers it: months are left alone.)
        if unit == "年" and re.fullmatch(r"(?:19|20)\d{2}\s*年", m.group(0)):
            continue
        # Another counter stands in only for the same thing: "组建3个医共体" answers "几家医共体", but "31个省市"
        # does not answer "三级医院有多少家".
        if unit in _COUNTERS and m.group(1) != unit and counted and not (char_pairs(counted) & char_pairs(simp[m.end() : m.end() + 6])):
            continue
        return True
    return False


def _counted_noun(question: str, unit: str) -> str:
    """What a question counts: the words after "几家" ("几家医院"), else before "有多少家" ("三级医院有多少家")."""
    m = re.search(rf"(?:几|多少)\s*{re.escape(unit)}([\u4e00-\u9fff]{{2,4}})", question)
    if m:
        return m.group(1)
    m = re.search(rf"([\u4e00-\u9fff]{{2,4}}?)(?:各有|共有|一共有|有|占|是)?(?:几|多少)\s*{re.escape(unit)}", question)
    return m.group(1) if m else ""


def char_pairs(text: str) -> set[str]:
    """Every two adjacent characters of a text, for telling whether two short stretches share a word."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def candidate_sentences(hits: Sequence[Hit], docs: Mapping[str, DocRecord]) -> list[Sentence]:
    """The sentences of the retrieved chunks, each once, in rank order, with its chunk's title, section and text as
    the context its terms may be covered by."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for ci, h in enumerate(hits):
        c = h.chunk
        doc = docs.get(c.doc_id)
        if doc is None:
            continue
        context = f"{c.title}\n{c.section}\n{c.text}"
        spans = c.sentences or [[c.start, c.end]]
        for s, e in spans:
            if (c.doc_id, s) in seen:
                continue
            seen.add((c.doc_id, s))
            out.append(Sentence(c.doc_id, s, e, doc.text[s:e], h.rank or ci + 1, ci, context,
                                heading=heading_of(doc, s)))
    return out


def heading_of(doc: DocRecord, offset: int) -> str:
    """The short heading of the section whose body holds `offset` ("" on the heading itself, for a long item
    heading, or outside any section)."""
    at = bisect.bisect_right(doc.sections, offset, key=lambda sec: sec[0]) - 1
    if at < 0:
        return ""
    start, _, path = doc.sections[at][:3]
    head = str(path).split(" > ")[-1] if path else ""
    return "" if offset <= start or "…" in head or len(head) > _HEADING_MAX else head
