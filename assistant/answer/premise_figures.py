"""Figures a claim or a passage states, by kind and comparable value: a ratio, a percentage, a date, a count."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analyze import RATIO_RE, number_form

# Words for people: "个" before one counts people ("20多个专家" and "9人" are one kind).
_PEOPLE = ("专家", "医生", "医师", "护士", "患者", "病人", "学生", "人员", "居民", "村医", "乡医", "老人", "家庭")
# Figures by kind: a ratio, a percentage, a share in 成 or 一半, a date, a count with its unit.
_FIG_RE = re.compile(
    rf"(?P<ratio>{RATIO_RE.pattern})"
    r"|(?P<pct>\d+(?:\.\d+)?\s*[%％])"
    r"|(?P<cheng>[一两二三四五六七八九\d])成(?P<more>多)?"
    r"|(?P<half>一半|半数)"
    r"|(?P<date>(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月)?)"
    rf"|(?P<num>\d+(?:\.\d+)?)\s*(?:多|余)?(?:(?P<people>个)(?=[\u4e00-\u9fff]{{0,2}}(?:{'|'.join(_PEOPLE)}))"
    r"|(?P<unit>万元|亿元|万块|万人|万|亿|元|块|个月|年制|年|天|周岁|岁|家|个|项|条|名|位|人|户|例|届|次|所|种|类|级|张|台|倍|"
    r"小时|分钟|公里|床|批|课时|学时|排|T(?![A-Za-z])))"
    # A year written without 年 ("早在2007就推出"), then any other number of three digits or more with no unit (a
    # hotline, a code): after the counts, so "2000次" stays a count; neither when it starts a span ("2018-2020年").
    # A four-digit code that reads as a year ("专线1966") is taken for one: it still compares with its like.
    r"|(?P<year>(?<![\d.])(?:19|20)\d{2})(?![\d.%％\-－—~～至到])"
    r"|(?P<bare>(?<![\d.])\d{3,})(?![\d.%％\-－—~～至到])")
# Units that grade or sort rather than count, and 个 that counts anything: a figure of one compares only with one
# of the same thing ("20多个专家" and "8个科室" are no conflict).
GRADES = frozenset("级 类 个".split())
# Units of one kind, with their scale; any other unit is its own kind at scale 1. Sums are compared in 元 ("2万块"
# and "12000多元" are both sums, of different size); ages in 岁; people however counted ("23位患者", "100名学员",
# "9人"). A count in 万 or 亿 with its unit left off ("从7万提到了20万") is kind "万": a sum or a head count.
_UNITS = {"万元": ("元", 10_000), "万块": ("元", 10_000), "亿元": ("元", 100_000_000), "块": ("元", 1),
          "周岁": ("岁", 1), "名": ("人", 1), "位": ("人", 1), "万人": ("人", 10_000),
          "万": ("万", 10_000), "亿": ("万", 100_000_000)}
_LARGE_KINDS = ("元", "人")  # what a bare 万/亿 count compares with
# A share in 成 or "一半" is a rounded percentage: "七成多" is 70% to 80%, "三成左右" about 30%.
_SHARE_TOLERANCE = 5.0


@dataclass
class Figure:
    kind: str
    value: str
    text: str
    start: int
    tolerance: float = 0.0  # how far a rounded figure ("七成") may be from an exact one and still say the same


def figures(text: str) -> list[Figure]:
    """Every figure of text with its kind ("ratio", "%", "date", or the count's unit) and comparable value."""
    out = []
    for m in _FIG_RE.finditer(text):
        kind = next(k for k in ("ratio", "pct", "cheng", "half", "date", "num", "year", "bare") if m.group(k))
        tolerance = 0.0
        if kind == "year":
            kind, value = "date", f"{m.group('year')}-?-?"
        elif kind == "bare":
            value = m.group("bare")
        elif kind == "num":
            unit = "人" if m.group("people") else m.group("unit")
            kind, scale = _UNITS.get(unit, (unit, 1))
            value = f"{float(m.group('num')) * scale:g}"
        elif kind == "date":
            y, mo, d = (re.search(p, m.group(0)) for p in (r"(\d{4})\s*年", r"(\d{1,2})\s*月", r"(\d{1,2})\s*日"))
            value = "-".join(x.group(1) if x else "?" for x in (y, mo, d))
        elif kind in ("cheng", "half"):
            tenths = 5 if kind == "half" else "一二三四五六七八九".find(m.group("cheng").replace("两", "二")) + 1 or int(m.group("cheng"))
            more = 5.0 if m.group("more") else 0.0  # "七成多": above 70%, its middle 75%
            kind, value, tolerance = "%", f"{tenths * 10 + more:g}%", _SHARE_TOLERANCE
        else:
            value = re.sub(r"\s", "", number_form(m.group(kind)))
            kind = {"pct": "%"}.get(kind, kind)
        if kind == "date" and re.search(r"[-－—~～至到]\s*$", text[: m.start()]):
            continue  # the end of a span ("2018-2020年"), not a date the text gives to one event
        out.append(Figure(kind, value, m.group(0), m.start(), tolerance))
    return out


def same_kind(a: Figure, b: Figure) -> bool:
    """Figures that can state one thing: of one kind, or a bare 万/亿 count and a sum or head count."""
    return a.kind == b.kind or {a.kind, b.kind} in ({"万", k} for k in _LARGE_KINDS)


def to_number(value: str) -> float | None:
    try:
        return float(value.rstrip("%"))
    except ValueError:
        return None


def same_value(a: Figure, b: Figure) -> bool:
    """Two figures of one kind state the same value; a date's missing year or day matches any ("4月12日"); a
    rounded share matches an exact one near it ("近三成" and "28.5%")."""
    if not same_kind(a, b):
        return False
    if a.kind == "date":
        return all(x == y or "?" in (x, y) for x, y in zip(a.value.split("-"), b.value.split("-")))
    x, y = to_number(a.value), to_number(b.value)
    if x is not None and y is not None:
        return abs(x - y) <= max(a.tolerance, b.tolerance) + 1e-9
    return a.value == b.value
