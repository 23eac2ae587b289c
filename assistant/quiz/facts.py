"""Typed facts in policy sentences (ratios, percentages, quantities, dates, duties, rules) found by general patterns."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..textnorm import match_form, t2s

KINDS = ("ratio", "percent", "quantity", "date", "duty", "rule")

_D = "0-9０-９"
_NUM = rf"[{_D}]+(?:[.．][{_D}]+)?"
_CJK = "\u4e00-\u9fff"
_RATIO = re.compile(rf"(?<![{_D}.．:：∶]){_NUM}(?:[:：∶]{_NUM}){{1,4}}(?![{_D}:：∶])")
_PERCENT = re.compile(rf"(?<![{_D}.．]){_NUM}[%％]|百分之[零〇一二两三四五六七八九十百点]+")
_DATE = re.compile(
    rf"(?<![{_D}])(?:[{_D}]{{4}}年(?:[{_D}]{{1,2}}月(?:[{_D}]{{1,2}}[日号])?)?|[{_D}]{{1,2}}月[{_D}]{{1,2}}[日号])"
)
_UNITS = "周岁|岁|万元|亿元|元|万人|个|家|所|名|人|位|项|条|次|届|天|张|种|类|批|床|台|年"
_QUANTITY = re.compile(rf"(?<![{_D}.．第])(?P<num>{_NUM})(?P<approx>余|多)?(?P<unit>{_UNITS})")
# A duty: "<organisation> 要/负责/牵头… <task>" at the start of a clause.
_ORG_END = "部门|局|委员会|委|办公室|办|领导小组|小组|政府|管委会|中心|医院|卫生院|卫生室|单位|机构"
_DUTY = re.compile(
    rf"(?:^|(?<=[，,；;：:。]))(?:[（(]?[一二三四五六七八九十0-9]{{1,2}}[)）.、．]\s*)?"
    rf"(?P<subj>[{_CJK}]{{1,8}}?(?:{_ORG_END}))(?=要(?!点|素)|应当|应(?!用|对)|须|必须|负责|牵头|会同|承担)"
)
# Function characters never inside an organisation's name: their presence means the match ran over a clause.
_NOT_IN_NAME = set("的了在对向与和及并是把将被从为等其已于由")
_QUOTED = re.compile(rf"[“\"「『](?P<term>[{_CJK}、]{{2,12}})[”\"」』]")
_LIST4 = re.compile(rf"[{_CJK}]{{4}}(?:、[{_CJK}]{{4}})+")
# Verbs that commonly introduce a list of four-character policy phrases ("实行按需设岗、按岗聘用").
_LIST_VERBS = {"实行", "落实", "推行", "按照", "坚持", "实现", "建立", "做到", "通过", "推进", "形成", "实施", "执行", "构建", "架构"}
_LIST_AFTER = set("的等和及，,。；;、）)”」")
_PUNCT = set("，,。；;：:、（(“「『\"")
_BLOCKED = re.compile(r"《[^》]{0,80}》|〔[^〕]{0,20}〕|\[[^\]]{0,20}\]")
# Sentences that state a rule or a requirement make better questions than narrative ones.
_NORMATIVE = re.compile(r"规定|要求|按照|应当|应|须|(?:^|[，,；;：:。])要|实行|落实|原则|比例|标准|不得|确保|负责|机制|制度")
# Characters that mark staffing, payment and funding rules (县招乡用, 按需设岗, 结余留用 …).
_STAFFING = re.compile(r"[招聘岗编薪酬用包付]|结余|结算|分配")
_ADMIN_CHARS = "区市县省旗乡镇"
_ORG_SUFFIX = re.compile(r"(部门|委员会|办公室|领导小组|局|委|办)$")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?")


@dataclass(frozen=True)
class Fact:
    """A typed span of a document's canonical text that a question can ask about.

    >>> [f.value for f in extract_facts("结余按照6:3:1比例分配。")]
    ['6:3:1']
    """

    kind: str  # one of KINDS
    value: str  # exact surface text: doc.text[start:end] == value
    start: int
    end: int
    key: str  # canonical form: two facts with the same key state the same value
    shape: str = ""  # what makes another value "of the same type" (unit, date granularity, ratio parts, org class)
    weight: float = 1.0  # how worth asking it is


def extract_facts(text: str, start: int = 0, end: int | None = None) -> list[Fact]:
    """Facts in the sentence text[start:end], absolute offsets, no two overlapping."""
    end = len(text) if end is None else end
    sent = text[start:end]
    simp = t2s(sent)
    # Patterns are written for Simplified; offsets carry over when conversion kept the length.
    scan = simp if len(simp) == len(sent) else sent
    blocked = [(m.start(), m.end()) for m in _BLOCKED.finditer(scan)]
    normative = bool(_NORMATIVE.search(simp))
    found: list[tuple[int, int, str, str]] = []  # (rel start, rel end, kind, shape)

    def add(a: int, b: int, kind: str, shape: str = "") -> None:
        if b <= a or any(a < e and s < b for s, e in blocked):
            return
        if any(a < e and s < b for s, e, _, _ in found):
            return
        found.append((a, b, kind, shape))

    for m in _RATIO.finditer(scan):
        parts = len(re.split(r"[:：∶]", m.group()))
        # Two-part "a:b" is a ratio only when the sentence speaks of proportions (otherwise it may be a time).
        if parts >= 3 or "比" in simp:
            add(m.start(), m.end(), "ratio", str(parts))
    for m in _PERCENT.finditer(scan):
        add(m.start(), m.end(), "percent")
    for m in _DATE.finditer(scan):
        v = m.group()
        add(m.start(), m.end(), "date", "ymd" if "年" in v and ("日" in v or "号" in v) else "ym" if "年" in v and "月" in v else "y" if "年" in v else "md")
    for m in _QUANTITY.finditer(scan):
        if m.end() < len(scan) and re.match(f"[{_D}]", scan[m.end()]):
            continue
        add(m.start(), m.end(), "quantity", m.group("unit"))
    for m in _DUTY.finditer(scan):
        subj = m.group("subj")
        # "各级各部门" names nobody in particular.
        if len(subj) >= 2 and not (_NOT_IN_NAME & set(subj)) and not subj.startswith("各"):
            add(m.start("subj"), m.end("subj"), "duty", org_class(subj))
    for m in _QUOTED.finditer(scan):
        term = m.group("term")
        if not term.startswith("、") and not term.endswith("、"):
            add(m.start("term"), m.end("term"), "rule", str(len(term)))
    for a, b in _list_items(scan):
        add(a, b, "rule", "4")

    facts = []
    for a, b, kind, shape in sorted(found):
        value = sent[a:b]
        quoted = a > 0 and scan[a - 1] in "“\"「『"
        facts.append(Fact(kind, value, start + a, start + b, canonical(kind, value), shape, _weight(kind, shape, value, quoted, normative)))
    return facts


def _list_items(scan: str) -> list[tuple[int, int]]:
    """Items of a list of four-character phrases ("实行按需设岗、按岗聘用") whose edges are certain.

    Middle items sit between two 、 and are certain. The first item is taken only after a verb that
    opens lists or an opening quote/colon, since plain text may run into it ("实现医疗、公共卫生").
    The last item needs a list-closing character after it and, in a two-item list, a certain first item.
    """
    items: list[tuple[int, int]] = []
    for m in _LIST4.finditer(scan):
        a, b = m.start(), m.end()
        spans = [(a + i * 5, a + i * 5 + 4) for i in range((b - a + 1) // 5)]
        first_ok = a == 0 or scan[a - 1] in "“「『:：" or scan[max(0, a - 2) : a] in _LIST_VERBS
        last_ok = (b == len(scan) or scan[b] in _LIST_AFTER) and (first_ok or len(spans) > 2)
        items += spans[(0 if first_ok else 1) : (len(spans) if last_ok else len(spans) - 1)]
    return items


def _weight(kind: str, shape: str, value: str, quoted: bool, normative: bool) -> float:
    base = {"ratio": 5.0, "percent": 5.0, "duty": 4.0, "rule": 1.0, "quantity": 1.5, "date": 1.0}[kind]
    if kind == "date":
        base = {"ymd": 1.5, "ym": 1.0, "y": 0.5, "md": 0.6}.get(shape, 1.0)
    if kind == "rule":
        # Staffing and payment rules (县招乡用, 按需设岗, 结余留用) are what trainers ask about; quoted
        # phrases are usually named policies; other lists and short slogans are mostly rhetoric.
        if _STAFFING.search(t2s(value)):
            base = 4.0
        elif quoted and len(value.replace("、", "")) >= 4:
            base = 1.5
        else:
            base = 0.3
    return base * (1.5 if normative else 1.0)


def org_class(name: str) -> str:
    """'dept' for government bodies, 'inst' for service institutions; distractors keep to the same class."""
    simp = t2s(name)
    return "inst" if re.search(r"(中心|医院|卫生院|卫生室|单位|机构)$", simp) else "dept"


# ---- canonical forms: the same value written differently compares equal --------------------------------


def cn_number(s: str) -> float | None:
    """Chinese numerals to a number: 九十五 -> 95, 二〇二〇 -> 2020, 三点五 -> 3.5; None if not a numeral."""
    if not s or not _CN_RUN.fullmatch(s):
        return None
    whole, _, frac = s.partition("点")
    if whole and not any(c in _CN_UNITS for c in whole):
        # Digit by digit, as years are written (二〇二〇).
        value = float(int("".join(str(_CN_DIGITS[c]) for c in whole)))
    else:
        total, section, digit = 0, 0, 0
        for c in whole:
            if c in _CN_DIGITS:
                digit = _CN_DIGITS[c]
            elif c == "万":
                total += (section + digit) * 10000
                section, digit = 0, 0
            else:
                section += (digit or 1) * _CN_UNITS[c]
                digit = 0
        value = float(total + section + digit)
    if frac:
        value += float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    return value


def arabic(text: str) -> str:
    """Replace runs of Chinese numerals with Arabic digits (only for values known to be numeric)."""

    def repl(m: re.Match) -> str:
        n = cn_number(m.group())
        return m.group() if n is None else _num_str(n)

    return _CN_RUN.sub(repl, text)


def _num_str(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _nums(text: str) -> list[str]:
    return [_num_str(float(x)) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def canonical(kind: str, text: str) -> str:
    """The comparison form of a value of the given kind (script, width, numerals and separators ignored)."""
    s = match_form(str(text)).strip("“”\"'「」『』()（）.。")
    if kind == "percent" and s.startswith("百分之"):
        s = s[3:] + "%"  # before numeral conversion, which would read the 百 of 百分之 as a hundred
    if kind in ("ratio", "percent", "quantity", "date"):
        s = arabic(s)
    if kind == "ratio":
        s = s.replace("比", ":")
        return ":".join(_nums(s)) if re.fullmatch(r"[\d.:]+", s) else s
    if kind == "percent":
        m = re.fullmatch(r"([\d.]+)%?", s)
        return _num_str(float(m.group(1))) + "%" if m and _nums(m.group(1)) else s
    if kind == "quantity":
        m = re.match(r"([\d.]+)", s)
        return _num_str(float(m.group(1))) + s[m.end():] if m and _nums(m.group(1)) else s
    if kind == "date":
        nums = _nums(s)
        if re.fullmatch(r"\d+(年\d+月(\d+[日号])?|年|月\d+[日号])", s) or re.fullmatch(r"\d+([-/.]\d+){1,2}", s):
            return "-".join(nums) if "年" in s or re.fullmatch(r"\d{4}\D.*", s) else "--" + "-".join(nums)
        return s
    if kind == "duty":
        return org_core(s)
    return s


def org_core(name: str) -> str:
    """卫健部门 / 卫健委 -> 卫健: the part that names the body."""
    s = t2s(name)
    return _ORG_SUFFIX.sub("", s) or s


def same_org(a: str, b: str) -> bool:
    """True when two names denote the same body: 区卫健部门 = 卫健部门 = 卫健委."""
    ca, cb = org_core(a), org_core(b)
    if ca == cb:
        return True
    # A leading 区/市/县 only says whose body it is; 市场监管 keeps its 市 because the rest is not the other name.
    return (len(ca) > 2 and ca[0] in _ADMIN_CHARS and ca[1:] == cb) or (len(cb) > 2 and cb[0] in _ADMIN_CHARS and cb[1:] == ca)


def number_of(text: str) -> str:
    """The number inside a quantity or percentage answer ("十四个" -> "14"), '' when there is none."""
    nums = _nums(arabic(match_form(str(text))))
    return nums[0] if len(nums) == 1 else ""
