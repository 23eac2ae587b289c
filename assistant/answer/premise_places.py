"""False premises about places: a listed place the passage names otherwise, or a visit put elsewhere."""
from __future__ import annotations

import re

from ..places import gazetteer
from ..textnorm import t2s
from .analyze import PERSON_TITLES, QuestionInfo
from .evidence import Sentence
from .premise_acts import PremiseIssue
from .premise_claim import ASSERT_RE, Alignment, align


def swapped_places(info: QuestionInfo, ranked: list[Sentence], absent: list[str], regions_of,
                   everywhere: list[Sentence] | None = None) -> PremiseIssue | None:
    """The question lists places and one is wrong: "到湖北、湖南调研" where the passage reads "到湖南、江西调研".
    `ranked`: the evidence from documents that speak of the question's places (else all of it); `everywhere`: all
    of it, for a claim that the best evidence makes of another place while other documents name the asked one.

    Only a passage that names one of the question's places with others counts, so a question about a place no
    document covers (another province's ratio) is still declined rather than "corrected"."""
    if not absent:
        here = {id(s) for s in ranked}
        elsewhere = [s for s in (everywhere or [])[:3] if id(s) not in here]
        # The cheap test first: most questions put no place as a fact, and then nothing is aligned at all.
        issue = _said_elsewhere(info, elsewhere)
        return issue if issue is not None and not _said_of_asked_place(info, ranked[:3]) else None
    present = [r for r in info.regions if r not in absent]
    if not present:
        return _visited_elsewhere(info, ranked, regions_of)
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


# The share of an asserting question's words a sentence must hold to be the same statement made of another place.
_SAID_ELSEWHERE = 0.6
# A question that puts the place as a fact to confirm ("…是在上海召开的吗", "…对吧"), not one that asks whether
# something can be done there ("河北参保患者…能直接结算吗").
_PUT_AS_FACT = re.compile(r"对吗|对吧|是吗|是吧|吧[？?]?$|是不是|是[^，,。？?]{2,}吗")
_TITLED_PERSON = re.compile(rf"([\u4e00-\u9fff]{{2,3}}?)副?(?:{PERSON_TITLES})")


def _visited_elsewhere(info: QuestionInfo, ranked: list[Sentence], regions_of) -> PremiseIssue | None:
    """"刘国中副总理是去广东、广西调研的吧" where the passage reads "刘国中…到湖南、江西调研": none of the asked
    places is in the documents, but the person's visit is, elsewhere. Only a person named with a title and
    an asserting question count, so a question about another province's policy is still declined."""
    if not re.search(r"吧|吗|对吧|是不是|对吗|是否|(?:到|去|赴)[^，,。？?]{2,12}(?:调研|考察|视察)(?:时|期间)", info.simplified):
        return None  # asserted, or stated as given ("到广东、福建调研时…")
    people = [m.group(1) for m in _TITLED_PERSON.finditer(info.simplified)]
    for s in ranked[:3]:
        simp = t2s(s.text)
        if not any(p in simp for p in people) and not (s.coverage >= _SAID_ELSEWHERE and _PUT_AS_FACT.search(info.simplified)):
            continue
        others = [r for r in regions_of(simp) if not any(r in q or q in r for q in info.regions)]
        if others:
            return PremiseIssue(f"文件中没有提到“{'、'.join(info.regions)}”；相关文件写的是 {'、'.join(dict.fromkeys(others))}。", s)
    return _said_elsewhere(info, ranked)


def _said_elsewhere(info: QuestionInfo, ranked: list[Sentence]) -> PremiseIssue | None:
    """The question's clause with the place, put as a fact, said of another place of its level by one of the best
    sentences ("谈判在上海举行" / "北京石景山区的酒店，…医保谈判正式拉开帷幕"). Aligned clause by clause: the question
    may say more (", 为期一周吧") than the sentence shares; each sentence on its own, since a sentence that repeats
    the topic without the place ("2021年国家医保谈判如约而至") aligns better than the one that says where."""
    return next((issue for s in ranked[:3] if (issue := place_said_otherwise(info, [s], _PUT_AS_FACT))), None)


def _said_of_asked_place(info: QuestionInfo, sentences: list[Sentence]) -> bool:
    """One of the sentences makes the question's claim of the asked place itself."""
    return any(a.overlap >= _SAME_STATEMENT and any(p in t2s(a.e_clause) for p in info.regions)
               for a in _align_in_place(info, sentences))


def swapped_place(q_clause: str, e_clause: str, question: str) -> tuple[str, str] | None:
    """(evidence place, question place): the aligned clauses say the same of two places of one level ("广东两票制
    颠覆了…" / "福建两票制颠覆了…"), neither within the other, and the question names the evidence's nowhere."""
    g = gazetteer()
    ours = [m for m in g.mentions(q_clause) if m.surface not in e_clause]
    asked = {m.places[0].code for m in g.mentions(question)}
    theirs = [m for m in g.mentions(e_clause) if m.surface not in question and m.places[0].code not in asked]
    for a in ours:
        for b in theirs:
            pa, pb = a.places[0], b.places[0]
            if pa.level == pb.level and not (pa.within(pb) or pb.within(pa)):
                return b.surface, a.surface
    return None


# The share of the claim's character pairs the aligned evidence clause must hold to be the same statement.
_SAME_STATEMENT = 0.4


def _align_in_place(info: QuestionInfo, sentences: list[Sentence]) -> list[Alignment]:
    """The claim aligned within a clause or two, the tightest-fitting window not preferred: a place and what is said
    of it stand together, and a wider window would let another clause's place in."""
    return align(info.simplified, sentences, window=2, widen_cost=0.0)


def place_said_otherwise(info: QuestionInfo, best: list[Sentence], put: re.Pattern = ASSERT_RE) -> PremiseIssue | None:
    """A claim put to confirm of one place ("肯定的是山东的双信封招标模式吧") whose evidence clause says the same of
    another place of that level ("肯定了以“双信封招标”为特点的安徽基药招标模式"). Only a claim put to confirm (`put`): a
    question asking about a place the passage does not cover is declined, not corrected."""
    if not put.search(info.simplified):
        return None
    for a in _align_in_place(info, best):
        swapped = swapped_place(a.q_clause, a.e_clause, info.simplified) if a.overlap >= _SAME_STATEMENT else None
        if swapped:
            return PremiseIssue(f"文件写的是“{swapped[0]}”，不是“{swapped[1]}”。", a.sentence)
    return None
