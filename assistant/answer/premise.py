"""False premises: facts or wordings a question asserts that the evidence contradicts."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Mapping, Sequence

from ..textnorm import cn_int, match_form, t2s
from .analyze import NUMBER_UNIT_RE, ORDINAL_RE, PERCENT_RE, RATIO_RE, YES_NO_RE, Claim, QuestionInfo, number_form
from .evidence import Sentence, unit_forms
from .followup import find_entities
from .premise_places import place_said_otherwise
from .premise_words import claimed_done, quoted_in_its_place, turned_round, wrong_post, wrong_top_priority
from .premise_acts import (PremiseIssue, already_done, asserted_actor, bigrams, clause, declared_actor,
                           denied_wording, negated_presupposition, other_actor, reversed_change,
                           overstated_extent, swapped_entity, wrong_superlative)


@lru_cache(maxsize=2)
def antonym_pairs(aligned: bool = True) -> list[tuple[str, str]]:
    """Opposite wordings, both ways round. `aligned=False` leaves out the pairs marked "aligned" in the file:
    those whose sides a document commonly states apart, which contradict only within one aligned clause."""
    text = resources.files("assistant.data").joinpath("antonyms.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, *mark = [x.strip() for x in line.split("\t")]
            if aligned or "aligned" not in mark:
                pairs += [(a, b), (b, a)]
    return pairs


@lru_cache(maxsize=2)
def _number_forms(corpus_forms: tuple[str, ...]) -> tuple[str, ...]:
    """The corpus with numerals as digits and ages in 岁, computed once per corpus rather than per claim."""
    return tuple(_age_in_years(number_form(f)) for f in corpus_forms)


def _age_in_years(text: str) -> str:
    """"13周岁" as "13岁": the same age, so a claim and a fact compare equal whichever way each writes it."""
    return text.replace("周岁", "岁")


def _same_kind_facts(claim: Claim, text: str) -> list[str]:
    return [m.group(0) for m in _fact_matches(claim, t2s(text))]


def check_premises(info: QuestionInfo, ranked: list[Sentence], corpus_forms: list[str], top: int = 4,
                   number_forms: Sequence[str] | None = None,
                   doc_forms: Mapping[str, str] | None = None) -> PremiseIssue | None:
    """The first contradiction found between the question and the best evidence, if any. `number_forms` are
    the corpus forms with numerals as digits when the index has them (tables.number_form_of), else computed here;
    `doc_forms` each document's text in match_form, by document id.

    A claimed ratio, percentage or number that appears nowhere in the corpus while the best evidence
    states a different value of the same kind; a quoted phrase the documents word differently; or a
    word whose opposite the evidence uses.
    """
    best = ranked[:top]
    if not best:
        return None
    issue = reversed_change(info, best)
    if issue:
        return issue
    for claim in info.claims:
        if any(k in form for k in (claim.key, _age_in_years(claim.key))
               for form in (*corpus_forms, *(number_forms if number_forms is not None
                                             else _number_forms(tuple(corpus_forms))))):
            siblings = {c.key for c in info.claims if c.kind == claim.kind and c.unit == claim.unit}
            issue = (_local_conflict(claim, best[:2], siblings, info.simplified, doc_forms)
                     or _misattributed(claim, info, best[:2]) or other_actor(claim, info, best[:2]))
            if issue:
                return issue
            continue
        if claim.unit == "年" and re.match(r"(19|20)\d{2}", claim.text):
            # A year no document reaches ("2021年分到多少钱") puts the question outside them: abstain. Unless the
            # passage states the same event in another year ("2021年启动的…行动" / "2020年8月1日,启动…").
            issue = _event_year(claim, info.simplified, best[:2])
            if issue:
                return issue
            continue
        for s in best:
            facts = [f for f in _same_kind_facts(claim, s.text) if not _same_value(f, claim)]
            if claim.asked and not _counts_same_thing(claim, info.simplified, s.text):
                continue
            if facts and s.coverage >= 0.2:  # a value no document states is strong evidence on its own
                shown = "、".join(dict.fromkeys(facts))
                return PremiseIssue(f"文件中没有“{claim.text}”的说法；相关文件写的是 {shown}。", s)
        if best[0].coverage >= 0.3 and claim.kind in ("ratio", "percent"):
            # No document gives this value and the passage on the topic gives none: say so, then answer from it
            # (an unrelated passage must not become the first citation).
            return PremiseIssue(f"文件中没有“{claim.text}”的说法。", best[0])
    # A yes/no question asks whether, unless it states the thing as done first ("已经把…都打包给了…,那…是不是…").
    stated_done = bool(re.search(r"已经|早已|早就", info.simplified))
    if info.qtype != "yesno" or stated_done:
        # Said outright, the presupposition needs less of the question's wording in the passage.
        issue = negated_presupposition(info, best, floor=0.3 if stated_done else 0.4)
        if issue:
            return issue
    issue = (denied_wording(info, ranked[: 2 * top]) or already_done(info, best) or wrong_superlative(info, best)
             or swapped_entity(info, best) or overstated_extent(info, best) or turned_round(info, ranked[: 2 * top])
             or wrong_top_priority(info, best) or claimed_done(info, best) or wrong_post(info, best)
             or place_said_otherwise(info, best))
    if issue:
        return issue
    for phrase in info.quoted:
        key = match_form(phrase)
        if len(key) < 4 or any(key in form for form in corpus_forms):
            continue
        if any(_bare(key) in _bare(form) for form in corpus_forms):
            continue  # "亲兄弟明算账" is "亲兄弟,明算账" without its comma: quoted right
        s, span = _closest_span(key, best)
        if s is not None and span:
            return PremiseIssue(f"文件中的原文是“{span}”，而不是“{phrase}”。", s)
        issue = quoted_in_its_place(phrase, info, best)
        if issue:
            return issue
    if YES_NO_RE.search(info.simplified) or declared_actor(info.simplified):
        issue = asserted_actor(info, best)
        if issue:
            return issue
        # A yes/no question that names an organisation asserts it; the evidence may name another.
        covering = [(s, t2s(s.text)) for s in best if s.coverage >= 0.3]
        for cls, term in info.entities:
            if cls not in ("department", "institution", "role") or not covering:
                continue
            if any(term in simp for _, simp in covering):
                continue  # a passage that answers names it: the claim has its support
            s, simp = covering[0]
            others = [t for c, t in find_entities(simp) if c == cls and t not in info.simplified]
            if others:
                shown = "、".join(dict.fromkeys(others))
                return PremiseIssue(f"文件中没有说是“{term}”；相关文件写的是 {shown}。", s)
    for word, opposite in antonym_pairs(aligned=False):
        if word not in info.simplified or opposite in info.simplified:
            continue
        for s in best:
            simp = t2s(s.text)
            if opposite not in simp or word in simp:
                continue
            # "压缩基层的用药种类" / "扩大基层用药种类": the same object makes the opposite verb a contradiction
            # even when the rest of the question is worded otherwise; the object may come first in the
            # question ("院长是直接任命的吧" / "公开选拔、择优聘任…院长").
            at_q, at_s = info.simplified.find(word), simp.find(opposite)
            q_side = bigrams(info.simplified[max(0, at_q - 12) : at_q]) | bigrams(
                info.simplified[at_q + len(word) : at_q + len(word) + 6])
            s_side = bigrams(simp[max(0, at_s - 12) : at_s]) | bigrams(simp[at_s + len(opposite) : at_s + len(opposite) + 14])
            same_object = bool(q_side & s_side)
            if s.coverage >= (0.2 if same_object else 0.4):
                return PremiseIssue(f"文件的说法是“{opposite}”，而不是问题中的“{word}”。", s)
    return None


def _event_year(claim: Claim, question: str, best: list[Sentence]) -> PremiseIssue | None:
    event = _thing_after(claim.text, question, window=6)
    for s in best:
        if s.coverage < 0.45:
            continue
        simp = t2s(s.text)
        for m in re.finditer(r"((?:19|20)\d{2})\s*年", simp):
            if m.group(1) != claim.text[:4] and event & bigrams(simp[m.end() : m.end() + 12]):
                return PremiseIssue(f"问题中的“{claim.text}”与文件不符；相关文件写的是 {m.group(0)}。", s)
    return None


def _same_value(fact: str, claim: Claim) -> bool:
    """The fact states the claim's value ("53次" and "第53次" state the same ordinal)."""
    if claim.kind == "ordinal":
        return _value(fact) == _value(claim.text)
    return _age_in_years(number_form(fact)) == _age_in_years(claim.key)


def _value(text: str) -> int | None:
    if t2s(text).startswith("首"):
        return 1
    m = re.search(r"\d+|[零一二三四五六七八九十百两]+", t2s(text))
    if not m:
        return None
    return int(m.group(0)) if m.group(0).isdigit() else cn_int(m.group(0))


def _bare(text: str) -> str:
    return re.sub(r"[^\w]", "", text)


def _counts_same_thing(claim: Claim, question: str, text: str) -> bool:
    """The words right after the count in the question and after a count of the same unit in the text share a pair."""
    if claim.kind != "number" or claim.unit == "年":
        return False
    asked = _thing_after(claim.text, question, window=6)
    simp = t2s(text)
    return any(asked & bigrams(simp[m.end() : m.end() + 6]) for m in _fact_matches(claim, simp))


def _local_conflict(claim: Claim, best: list[Sentence], siblings: set[str], info_text: str = "",
                    doc_forms: Mapping[str, str] | None = None) -> PremiseIssue | None:
    """A value found elsewhere in the corpus, while the passage that answers the question gives another.

    Only the clearly matching passage counts (high coverage), so a question that merely mentions a year
    is not contradicted by an unrelated sentence with a different year.
    """
    if claim.unit == "年" and _states_year_of(claim, info_text, best):
        return None  # "2018年那版方案的试行期…": the passage states the year too, of the thing it names
    if claim.kind == "ordinal" and _states_value_of(claim, info_text, best):
        return None  # "首批紧密型…试点" is in the passage; its "第二批县级公立医院…试点" is another series
    if claim.kind == "number" and claim.unit != "年" and any(
            s.coverage >= 0.45 and any(_same_value(f, claim) for f in _same_kind_facts(claim, s.text)) for s in best):
        return None  # "生活补助…4000元" leads, "经费由省财政按每生每年10000元…拨付" follows: the claim is stated
    for s in best:
        if claim.kind == "number" and _named_in(claim, info_text, (doc_forms or {}).get(s.doc_id, "")):
            # "三级综合医院" runs through the document, "二级诊疗科目" through the passage; the sentence's
            # "一级诊疗科目" is another grade of another thing.
            continue
        facts = _same_kind_facts(claim, s.text)
        same_thing = _counts_same_thing(claim, info_text, s.text)
        if claim.asked and not same_thing:
            continue
        # A count of the same thing ("三个旗级质控中心" / "五个旗级质量与控制中心") needs less of the question's wording.
        if s.coverage < (0.2 if same_thing else 0.45):
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


def _named_in(claim: Claim, question: str, doc_form: str) -> bool:
    """The document writes the value of what the question writes it of, somewhere: the words after it share
    a word ("三级综合医院"; "二级科目" / "二级诊疗科目"), so it names a grade, not a figure put to the passage.
    A date or a span of time is always a figure ("9月1日起" is written of many things)."""
    if claim.unit in ("年", "月", "日", "天", "周", "岁", "个月"):
        return False
    value = match_form(claim.text)
    thing = _thing_after(value, match_form(question)) if value else set()
    return bool(thing) and any(thing & bigrams(doc_form[m.end() : m.end() + 8])
                               for m in re.finditer(re.escape(value), doc_form))


def _thing_after(value: str, question: str, window: int = 8) -> set[str]:
    """The words the question writes right after a value: what it says the value is of."""
    at = question.find(value)
    return bigrams(question[at + len(value) : at + len(value) + window]) if at >= 0 else set()


def _states_year_of(claim: Claim, question: str, best: list[Sentence]) -> bool:
    """A passage gives the claimed year to what the question gives it to ("2018年那版方案" / "2018年5月31日,
    …印发了《…实施方案(试行)》"); a date's own month and day come between, hence the wider window."""
    return _states_value_of(claim, question, best, re.escape(claim.text[:4]) + r"\s*年", 40)


def _states_value_of(claim: Claim, question: str, best: list[Sentence], pattern: str | None = None,
                     window: int = 8) -> bool:
    """A passage states the claimed value of what the question states it of: the words after the value
    share a word ("首批紧密型医共体" / "首批紧密型医疗卫生共同体")."""
    thing = _thing_after(claim.text, question)
    for s in best:
        simp = t2s(s.text)
        found = (re.finditer(pattern, simp) if pattern else
                 (m for m in _fact_matches(claim, simp) if _same_value(m.group(0), claim)))
        for m in found:
            if thing & bigrams(simp[m.end() : m.end() + window]):
                return True
    return False


def _misattributed(claim: Claim, info: QuestionInfo, best: list[Sentence]) -> PremiseIssue | None:
    """The value is in the documents, but said of something else: "省里规定93%" where the passage reads
    "省《意见》规定…95%…,我区原方案修改为93%". Each value of the passage owns the words from the previous
    value's clause to its own; the question's words around its value must match its owner's, not another's."""
    if claim.unit == "年":
        return None  # "2019年5月8日,…关于对2018年落实…的通报": a date and the year it reports on, both true
    q = info.simplified
    at = number_form(q).find(claim.key)
    q_form = number_form(q)
    if at < 0:
        return None
    start, end = clause(q_form, at)
    if sum(1 for c in info.claims if c.kind == claim.kind and c.key in q_form[start:end]) > 1:
        return None  # "从6:3:1改成4:3:3" speaks of both values in one breath
    asked = bigrams(q_form[start:end])
    for s in best:
        if s.coverage < 0.45:
            continue
        simp = t2s(s.text)
        values = [m for m in _fact_matches(claim, simp)]
        key = _age_in_years(claim.key)
        if len(values) < 2 or not any(_age_in_years(number_form(m.group(0))) == key for m in values):
            continue
        owners: list[tuple[str, str]] = []
        prev = 0
        # Values listed item by item ("60周岁以上…体检、65周岁以上…疫苗") each own their item only.
        listed = all("、" in simp[a.end() : b.start()] for a, b in zip(values, values[1:]))
        for m in values:
            end_m = clause(simp, m.start(), m.end())[1]
            start_m = prev
            if listed:
                item = simp.find("、", m.end(), end_m)
                end_m = item if item > 0 else end_m
                start_m = max(prev, simp.rfind("、", prev, m.start()) + 1)
            owners.append((m.group(0), simp[start_m:end_m]))
            prev = end_m
        own = [len(asked & bigrams(text)) for v, text in owners if _age_in_years(number_form(v)) == key]
        others = [(len(asked & bigrams(text)), v, text) for v, text in owners if _age_in_years(number_form(v)) != key]
        if not own or not others:
            continue
        overlap, value, text = max(others, key=lambda x: x[0])
        # A clear margin: the question's wording is the other value's, nearly word for word.
        if overlap >= 4 and overlap >= 2 * max(own) + 2:
            mine = next(t for v, t in owners if _age_in_years(number_form(v)) == key).strip("，,；;。、 ")
            if mine:  # the value's own words cut out; without them there is no owner to compare with
                return PremiseIssue(
                    f"问题中的“{claim.text}”与文件不符：文件写的是“{text.strip('，,；;。、 ')}”，"
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
        # "第35次常务会议" is answered by "第53次" or by "召开53次常务会议", which drops the 第.
        plain = [m for m in NUMBER_UNIT_RE.finditer(simp)
                 if m.group(2) == claim.unit and re.search(r"\d", m.group(1)) and not simp[: m.start()].endswith("第")]
        first = [m for m in re.finditer(rf"首({re.escape(claim.unit)})", simp)]  # "首批" is the 第一批
        return [m for m in ORDINAL_RE.finditer(simp) if m.group(2) == claim.unit] + plain + first
    # Chinese numerals count ("五个旗级质控中心" contradicts "三个"), except where they cannot be told from
    # the text around them: after 第 (an ordinal) or 哪/几 (a question), and a lone 一 as an article.
    units = set(unit_forms(claim.unit))  # "12岁" is compared with "13周岁"
    return [m for m in NUMBER_UNIT_RE.finditer(simp)
            if m.group(2) in units and not re.search(r"[第哪几]$", simp[: m.start()])
            and (re.search(r"\d", m.group(1)) or (m.group(1) != "一" or claim.unit not in _ARTICLE_UNITS))]


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


_LIST_COUNTERS = frozenset("本 项 个 条 大 点 类 件 张 方面 步".split())


def miscounted_list(info: QuestionInfo, items: list[Sentence]) -> PremiseIssue | None:
    """"“八本账”分别是哪八本" answered by ten numbered items: the count the question presupposes is not the
    documents'."""
    if len(items) < 3:
        return None
    for claim in info.claims:
        if claim.kind != "number" or claim.unit not in _LIST_COUNTERS:
            continue
        digits = re.match(r"\d+", claim.key)
        value = int(digits.group(0)) if digits else None
        # The items must be the things counted: "八本账" and "算清政治账"…, not "四个方面" and ten other headings.
        at = info.simplified.find(claim.text)
        noun = re.match(r"[\u4e00-\u9fff]{1,2}", info.simplified[at + len(claim.text) :]) if at >= 0 else None
        if noun is None or sum(noun.group(0) in t2s(s.text) for s in items) * 2 < len(items):
            continue
        if value is not None and value != len(items) and 2 <= value <= 20:
            return PremiseIssue(f"文件列出的是{len(items)}项，而不是问题中的“{claim.text}”。", items[0])
    return None
