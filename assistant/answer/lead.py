"""The readable form of an extractive answer: a one-line lead with the value asked, no dangling connective at the
start, full-width Chinese punctuation. Applied once, after the answer is made (pipeline.Assistant.ask).

The lead is cut from the cited quotes only: the clause that states the value (with its subject), then the kind
and date of the document it comes from, e.g. "医保基金结余…按照6:3:1比例分配；我区原方案将比例修改为4:3:3
（解读·2020-07-10）[1]". Every figure in it is therefore in a cited quote.

>>> fullwidth("结余按6:3:1分配,其余(含村卫生室)上缴;见第1,000条?")
'结余按6:3:1分配，其余（含村卫生室）上缴；见第1,000条？'
>>> strip_connective("因此,乡镇卫生院占30%。")
'乡镇卫生院占30%。'
"""
from __future__ import annotations

import re
from typing import Mapping

from ..textnorm import match_form, t2s
from .analyze import DATE_RE, NUMBER_UNIT_RE, PERCENT_RE, RATIO_RE
from .evidence import asked_unit, has_quantity
from .slots import asked_slot, fills

# Openings that tie a sentence to the one before it. The two-character ones are connectives wherever they open
# a sentence; those that are also ordinary words ("同时具备", "另外两家") only with the comma that marks them.
_CONNECTIVE = re.compile(
    r"^(?:(?:因此|所以|但是|为此|对此|因而|然而|由此可见|综上所述|综上|总之|总而言之|与此同时|此外|加之|从而|进而)[，,、：:\s]*"
    r"|(?:同时|另外|而且|并且|不过|可见|当然|事实上|实际上|再者|其次|最后|另|但|而|并|且|故)[，,：:]\s*)"
)
# A clause boundary inside a sentence.
_CLAUSE_SPLIT = re.compile(r"[，,；;。！？!?：:](?!\d)")
_MARKED = re.compile(r"(.*?)\[(\d{1,3})\]", re.S)
# Question types whose answer is a value the lead can state.
_VALUE_TYPES = {
    "ratio": (RATIO_RE, PERCENT_RE, re.compile(r"[一二三四五六七八九十]成")),
    "number": (PERCENT_RE, NUMBER_UNIT_RE),
    "date": (DATE_RE,),
    "duration": (NUMBER_UNIT_RE,),
}
_MIN_SUBJECT = 8  # characters a clause needs besides its value to say what the value is of
_MAX_CLAUSE = 48  # a longer clause is no lead line
_SHORT_FIRST = 60  # a first sentence this short that states the value already leads


def fullwidth(text: str) -> str:
    """ASCII punctuation of Chinese prose to full width; figures (6:3:1, 1,000, 3.5) keep theirs."""
    text = re.sub(r"(?<!\d),|,(?!\d)", "，", text)
    text = re.sub(r"(?<!\d):|:(?!\d)", "：", text)
    text = text.replace(";", "；").replace("?", "？").replace("!", "！")
    return re.sub(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)", r"（\1）", text)


def strip_connective(text: str) -> str:
    """The sentence without a connective that ties it to a sentence the reader does not see."""
    return _CONNECTIVE.sub("", text, count=1) if text else text


def _value(qtype: str, text: str) -> re.Match | None:
    simp = t2s(text)
    for pattern in _VALUE_TYPES.get(qtype, ()):
        m = pattern.search(simp)
        if m and (pattern is not NUMBER_UNIT_RE or re.search(r"\d", m.group(1))):
            return m
    return None


def value_clauses(qtype: str, quote: str) -> list[str]:
    """The clauses of a quote that state a value of the asked type, each with enough words to name its subject
    (a bare "按照6:3:1比例分配" takes the clause before it)."""
    bounds = [0] + [m.end() for m in _CLAUSE_SPLIT.finditer(quote)] + [len(quote) + 1]
    pieces = [quote[a:b].rstrip("，,；;。！？!?：: ") for a, b in zip(bounds, bounds[1:])]
    out: list[str] = []
    for i, piece in enumerate(pieces):
        m = _value(qtype, piece)
        if not m:
            continue
        clause = strip_connective(piece.strip())
        if len(clause) - len(m.group(0)) < _MIN_SUBJECT and i > 0:
            before = strip_connective(pieces[i - 1].strip())
            if out and out[-1].endswith(before) and len(out[-1]) + len(clause) < _MAX_CLAUSE:
                # The clause before is the end of the last value clause ("就诊者981人" + "未就诊2231人"): one
                # clause runs on, rather than the first value said twice.
                out[-1] = f"{out[-1]}，{clause}"
                continue
            clause = before + "，" + clause
        if 0 < len(clause) <= _MAX_CLAUSE:
            out.append(clause)
    return out


def _source_label(doc, quotes: str) -> str:
    """"（解读·2020-07-10）": the kind of the source, and its date when a cited quote states it (no figure in an
    answer is without a quote that gives it)."""
    kind = "" if getattr(doc, "kind", "") in ("", "unknown", "其他") else doc.kind  # "其他" tells the reader nothing
    date = str(getattr(doc, "date", "") or "")
    parts = [int(x) for x in re.findall(r"\d+", date)]
    stated = [f"{parts[0]}年{parts[1]}月{parts[2]}日", f"{parts[0]}年{parts[1]:02d}月{parts[2]:02d}日",
              date, date.replace("-", "/"), date.replace("-", ".")] if len(parts) == 3 else []
    form = match_form(quotes)
    date = date if any(match_form(d) in form for d in stated) else ""
    bits = [b for b in (kind, date) if b]
    return f"（{'·'.join(bits)}）" if bits else ""


def _states_value_briefly(qtype: str, sentence: str) -> bool:
    return len(sentence) <= _SHORT_FIRST and _value(qtype, sentence) is not None


def _asked_fit(question: str):
    """A test that a clause gives the value in what the question asks it in ("多少天使投资": money, not "1个多月";
    "多少家": a count of 家), or None when the question names no unit."""
    simp = t2s(question or "")
    slot = asked_slot(simp)
    if slot is not None and slot[0] == "money":
        return lambda clause: fills(slot, clause)
    unit = asked_unit(simp)
    return (lambda clause: has_quantity(unit, clause, given=simp)) if unit else None


def lead_line(answer, docs: Mapping[str, object], script) -> str:
    """The one-line direct answer for a value question, '' when the evidence gives none or the answer's first
    sentence already states it briefly. `script(text)` puts quote text into the answer's script."""
    patterns = _VALUE_TYPES.get(answer.qtype)
    if not patterns or answer.abstained or not answer.citations:
        return ""
    first = _MARKED.match(answer.answer)
    if first and _states_value_briefly(answer.qtype, first.group(1)):
        return ""
    items: list[tuple[str, int, str]] = []  # (clause, n, doc_id)
    seen: set[str] = set()
    # A value in another unit is no answer: better no lead than a wrong one at the top.
    fits = _asked_fit(getattr(answer, "question", ""))
    for c in answer.citations:
        for clause in value_clauses(answer.qtype, c.quote):
            if fits is not None and not fits(clause):
                continue
            key = match_form(clause)
            if key not in seen and len(items) < 2:
                seen.add(key)
                items.append((clause, c.n, c.doc_id))
    if not items:
        return ""
    quotes = "".join(c.quote for c in answer.citations)
    parts = []
    for i, (clause, n, doc_id) in enumerate(items):
        last_of_source = i + 1 == len(items) or items[i + 1][1] != n
        label = _source_label(docs.get(doc_id), quotes) if last_of_source else ""
        parts.append(fullwidth(script(clause + label)) + f"[{n}]" if last_of_source else fullwidth(script(clause)))
    return "；".join(parts)


def readable(answer, docs: Mapping[str, object], script=lambda text: text) -> None:
    """Rewrite an extractive Answer in place: lead line, no opening connective, full-width punctuation."""
    if answer.abstained:
        return
    pieces = [(m.group(1), m.group(2)) for m in _MARKED.finditer(answer.answer)]
    tail = _MARKED.sub("", answer.answer)
    if pieces:
        text, n = pieces[0]
        pieces[0] = (strip_connective(text.lstrip()), n)
        body = "".join(f"{fullwidth(t)}[{n}]" for t, n in pieces) + fullwidth(tail)
    else:
        body = fullwidth(strip_connective(answer.answer))
    answer.answer = body
    lead = lead_line(answer, docs, script)
    if lead:
        answer.answer = f"{lead}\n{body}"
    elif len(pieces) > 1 and _states_value_briefly(answer.qtype, pieces[0][0]):
        # The first sentence is itself the direct answer ("新方案建议按省文件规定调整为6:3:1。[1]"): it stands
        # on its own line, as a lead does, and the supporting sentences follow.
        first = f"{fullwidth(pieces[0][0])}[{pieces[0][1]}]"
        answer.answer = f"{first}\n{body[len(first):]}"
    if answer.premise_note:
        answer.premise_note = fullwidth(answer.premise_note)
