"""What place a question asks for: a place at all ("在哪里试点"), or one of a given level ("去了哪几个县")."""
from __future__ import annotations

import re

# A bare "哪里" mostly asks in what respect ("“紧密”在哪里", "难在哪里"); a place only after a verb of location.
_PLACE_ASK_RE = re.compile(r"哪个(?:省|市|县|区|旗|地方|城市)|哪些(?:省|市|县|地方|地区)|何地|何处|"
                           r"(?:试点|开展|推行|举行|召开|设|建|位于|落户|去|到|来自)\S{0,2}?(?:哪里|哪儿|哪)(?![个些一二三四五六七八九十两\d步种条项点类方几家位头边“「『\"])|"
                           r"(?:在哪里|在哪儿|在哪)(?:试点|开展|推行|实施|举行|召开|设|建|落户)")


def asks_place(simplified_question: str) -> bool:
    return bool(_PLACE_ASK_RE.search(simplified_question))


# "去了哪几个县", "那个县叫什么名字": a place of a given level; a province does not answer a county question.
# "划分为哪几个区" asks for the parts of a whole (功能区), not for districts.
_LEVEL_ASK_RE = re.compile(r"(?<!分为)(?<!分成)(?<!划为)(?:哪一个|哪个|哪几个|哪些|哪|什么)(省|市|县|区|旗)(?=[的呢是有叫被了？?，,]|$)|(?:那个|这个|该)(省|市|县|区|旗)叫什么")
_LEVEL_FORMS = {"县": ("县", "旗"), "旗": ("县", "旗"), "市": ("市", "州", "盟"), "区": ("区",), "省": ("省", "自治区")}


def asked_level(simplified_question: str) -> str | None:
    m = _LEVEL_ASK_RE.search(simplified_question)
    return (m.group(1) or m.group(2)) if m else None


def names_place_of_level(level: str, regions: list[str]) -> bool:
    """Do the place names found in a text include one of the asked level (a known province answers 省)?"""
    forms = _LEVEL_FORMS.get(level, (level,))
    return any(r.endswith(forms) or (level == "省" and len(r) <= 3) for r in regions)
