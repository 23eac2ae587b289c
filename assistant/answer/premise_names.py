"""Names in a claim and in its evidence: which words name a body, a level or a place, when one is another shortened,
and when the evidence names another body where the question names one ("卫福部增订…" / "财政部特别增订…")."""
from __future__ import annotations

import re
from typing import Callable

from ..places import place_names
from .followup import find_entities

# Characters a word of a replaced pair may not start or end with: particles and function words, whose presence
# shows the span was cut across words ("生的", "层面正在").
EDGE = set("的了是在和与及等也都就还要把被对由给向从到为这那其该各本此个里上下中之而或着过地得吗吧呢啊")
# The head of a name ("县卫健局", "三级医院"): a swapped body keeps its kind.
_HEADS = ("局", "委", "部", "厅", "办", "科", "中心", "医院", "学院", "机构", "政府", "机关", "公司", "大学", "集团", "省", "市", "县",
          "镇", "村", "级")


def _ordinal(word: str) -> str:
    """The word with "首" written "第一": "首届" and "第一届" are one ordinal."""
    return word.replace("首", "第一")


def abbreviates(short: str, long: str) -> bool:
    """`short` is `long` with characters left out, in order ("京开" / "京召开"); "首" stands for "第一" ("首届")."""
    short, long = _ordinal(short), _ordinal(long)
    if len(short) >= len(long):
        return short == long
    rest = iter(long)
    return all(c in rest for c in short)


def is_name(word: str) -> bool:
    """The word ends like a name of a body, a level or a place ("财政部", "三级医院"; not "全部", "各省", and not a part
    of a body or of a place, "胃部", "浙医二院本部")."""
    return (word[0] not in _QUANTIFIERS and any(word.endswith(h) and len(word) > len(h) for h in _HEADS)
            and not (word.endswith("部") and word[-2] in _PART_OF) and not _RUN_BY.search(word))


# Verbs that end in 办 ("主办", "承办"): what a body does, not a body ("医改办").
_RUN_BY = re.compile(r"(?:主|承|举|协|开|创|督|合|申|兴|筹|停|试|联|代|包)办$")


# Before 部 these make a part, not a ministry: of a body ("胃部", "腹部") or of a place or whole ("本部", "西部").
_PART_OF = set("本总内外全局东西南北中上下前后底顶头面胸腹背腰胃肺脑颈足手口脸眼耳鼻腿臀肩干分基")


def _names(text: str, cut: Callable[[str], list[str]]) -> list[str]:
    """Words and two-word runs that end like a name of a body, a level or a place ("财政部", "三级医院")."""
    words = [w for w in cut(text) if w.strip()]
    # A run starts with a word, not a particle glued on ("由" + "浙医二院").
    runs = words + [a + b for a, b in zip(words, words[1:]) if len(a) > 1]
    return [w for w in runs if 2 <= len(w) <= 8 and re.fullmatch(r"[\u4e00-\u9fff]+", w) and w[0] not in EDGE
            and is_name(w)]


def swapped_name(claim: str, sentence: str, cut: Callable[[str], list[str]],
                 is_term: Callable[[str], bool]) -> tuple[str, str] | None:
    """(evidence name, question name): the question names a body the sentence does not ("卫福部增订…") where the
    sentence names another of the same kind the question does not ("财政部特别增订…")."""
    # A body the documents never name is still a claim about who acts ("卫福部增订…"); other names must be terms of
    # the documents, so that a paraphrase is not taken for a swap.
    ours = [w for w in _names(claim, cut) if w not in sentence and (is_term(w) or w.endswith(_HEAD_KINDS[0]))]
    theirs = [w for w in _names(sentence, cut) if w not in claim]
    for q in ours:
        for e in theirs:
            # "计委" and "计生委" are one body, shortened: a name whose characters the other holds is no swap.
            q1, e1 = set(_ordinal(q)), set(_ordinal(e))
            if same_head(q, e) and not (q1 <= e1 or e1 <= q1):
                return e, q
    return None


# Words that quantify rather than name ("全部", "各省", "所有机构").
_QUANTIFIERS = set("全各所每该本其此这那某")
# Heads of one kind: a body named for another ("县市政府" for "中央主管机关") is a swap as much as one of one head.
_HEAD_KINDS = (("局", "委", "部", "厅", "办", "政府", "机关"), ("大学", "学院"), ("公司", "集团"))


def same_head(a: str, b: str) -> bool:
    if any(a.endswith(h) and b.endswith(h) for h in _HEADS):
        return True
    if any(any(a.endswith(h) for h in kind) and any(b.endswith(h) for h in kind) for kind in _HEAD_KINDS):
        return True
    kinds = [{c for c, t in find_entities(w) if t == w} for w in (a, b)]
    return bool(kinds[0] & kinds[1]) or (place_names(a) == [a] and place_names(b) == [b])


# A body written out in full ("山东省卫生和计划生育委员会", "大众报业集团", "中国中药协会"), which the short list of
# known bodies (followup.find_entities) does not hold: a run of characters up to the kind of body it ends in.
_BODY_NAME = re.compile(r"[\u4e00-\u9fff]{2,14}?(?:委员会|集团|协会|学会|报社|管理局|办公室|卫生局|卫健委|卫计委|发改委|[局厅委])"
                        r"(?![\u4e00-\u9fff]{0,1}(?:员|会议|主任|书记|门|署|长))")


def body_names(text: str) -> list[str]:
    """Bodies written out in full in a text, "由" and the like before them left off (no hospital: an institution).

    >>> body_names("由山东省卫生和计划生育委员会、大众报业集团(大众日报社)主办")
    ['山东省卫生和计划生育委员会', '大众报业集团', '大众日报社']
    """
    names = (re.sub(r"^[由在经据和与及对向从为个等的是将把被]+", "", m.group(0)) for m in _BODY_NAME.finditer(text))
    return [n for n in names if len(n) >= 3 and "医院" not in n]  # a hospital is an institution, not a body
