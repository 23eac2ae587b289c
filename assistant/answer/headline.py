"""Headline plus items: a counted or summarised thing ("2+2+3", 三大行动, 五个方面) answered with the items the
text gives after the sentence that names it (a series, numbered sub-headings, sentences that open with a part)."""
from __future__ import annotations

import re

from ..textnorm import cn_int, t2s
from .evidence import Sentence
from .outline import children_of_heading, following, is_heading, numbered_after, series_run

# A counted or summarised thing a question asks about: "2+2+3", "1+N", "三大行动", "五个方面", "两个允许".
_STOP = r"(?=[”\"」』，,？?。\s]|是|指|包括|包含|有|的|都|具体|分别|哪|什么|内容|$)"
_HEADLINE = re.compile(rf"\d+(?:\s*[+＋]\s*(?:\d+|[A-Za-z]))+|[两二三四五六七八九十]+(?:大|个|项|条|类|种)[\u4e00-\u9fff]{{1,4}}?{_STOP}"
                       rf"|(?<=[“\"「『])[两二三四五六七八九十]+[\u4e00-\u9fff]{{1,4}}?(?=[”\"」』])")
_HEADLINE_ASK = re.compile(r"是指|指的是|指什么|包括|包含|哪些|哪几|哪[一两二三四五六七八九十]|是什么|有什么|具体|分别|内容|都有")
# A sentence that opens with a counted part of the thing: "两个统一是指…", "三个共享即…".
_PART_OPENING = re.compile(r"^[“\"「『]?(?:[两二三四五六七八九十]+|\d+)(?:个|大|项|条|类|种)")
# The sentence states the items itself: "“两包”:医保基金打包、公卫资金打包", "从四个方面:整合资源,…", "即…".
_INLINE_ITEMS = re.compile(r"^[”\"」』]?\s*(?:[:：（(]|即|是指|指的是|包括|分别是|分别为|就是)")
_COUNT_WORDS = "一二两三四五六七八九十"
# The points of a series inside one sentence: "一是…;二是…;三是…".
_IN_SERIES = re.compile(r"(?:^|(?<=[，,：:；;。]))\s*(?:[一二三四五六七八九十])是")


def asked_headline(simplified_question: str) -> tuple[str, int] | None:
    """(term, number of parts) of the counted thing a question asks about: ("2+2+3", 3), ("三大行动", 3)."""
    if not _HEADLINE_ASK.search(simplified_question):
        return None
    for m in _HEADLINE.finditer(simplified_question):
        term = re.sub(r"\s", "", m.group(0)).replace("＋", "+")
        if "+" in term:
            return term, term.count("+") + 1
        count = re.match(f"[{_COUNT_WORDS}]+", term)
        if count and term[count.end() :] not in ("个", "大"):
            n = cn_int(count.group(0).replace("两", "二"))
            if n and 2 <= n <= 12:
                return term, n
    return None


def headline_items(simplified_question: str, ranked: list[Sentence], docs) -> list[Sentence]:
    """"「2+2+3」是指哪些", "三大行动是什么": the sentence that names the counted thing followed by its items, as
    the text gives them next: a series ("一是…二是…"), numbered sub-headings, or sentences that each open with a
    counted part ("两个统一是指…"). Nothing when the sentence lists the items itself or none follow."""
    asked = asked_headline(simplified_question)
    if asked is None:
        return []
    term, parts = asked
    for s in ranked[:8]:
        simp = t2s(s.text).replace("＋", "+")
        at = simp.find(term)
        if at < 0:
            continue
        doc = docs[s.doc_id]
        if _INLINE_ITEMS.match(simp[at + len(term) :]) and len(simp) - at - len(term) >= 12:
            return []  # "“三单”:建立政府办医责任清单、…": the sentence is the answer
        items = _items_following(s, doc, parts)
        if items:
            return [s, *items]
    return []


def _items_following(s: Sentence, doc, parts: int) -> list[Sentence]:
    """The items that follow a headline sentence, in the first form that gives two or more of them."""
    kids = children_of_heading([s], {s.doc_id: doc}) if is_heading(s, doc) else []
    if len(kids) >= 2:
        return kids
    run = numbered_after(s, doc)
    if len(run) >= 2:
        return run
    after = following(s, doc, parts + 2)
    if after:
        series = series_run(after[0], doc)
        if len(series) >= 2:
            return series
        if len(_IN_SERIES.findall(t2s(after[0].text))) >= 2 and _IN_SERIES.match(t2s(after[0].text)):
            return [after[0]]  # "一是…;二是…;三是…。" in one sentence
    opened = []
    for n in after:
        if not _PART_OPENING.match(t2s(n.text)):
            break
        opened.append(n)
    return opened[:parts] if len(opened) >= 2 else []
