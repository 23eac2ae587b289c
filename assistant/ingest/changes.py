"""Change records: statements that a rule changed (由…调整为…, 原方案…为…, 现…修改, 不再…), extracted at build time.

A record says what the rule is about (topic), what it was (old) and what it is now (new), each with the sentence
that states it (doc id and character offsets into the document's canonical text), so an answer can give the
current rule first and then the one it replaced, each cited. Records are stored as JSON in the index folder.

>>> text = "3.调整起付线。原方案起付线为800元。现调整为600元。"
>>> [(r.topic, r.old.value, r.new.value) for r in extract_changes("d", text)]
[('起付线', '800元', '600元')]
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from ..textnorm import t2s
from .split import sentence_spans

log = logging.getLogger(__name__)
FILE_NAME = "changes.json"

# A value a rule sets: a ratio, a percentage, an amount or count with its unit.
_VALUE = (r"\d+(?:\.\d+)?(?:\s*[:：∶]\s*\d+(?:\.\d+)?)+|\d+(?:\.\d+)?\s*[%％]|百分之[零一二三四五六七八九十点]+"
          r"|\d+(?:\.\d+)?\s*(?:万元|亿元|元|年|个月|天|人|名|家|个|项|次|岁|周岁|倍)")
_VALUE_RE = re.compile(_VALUE)
_CHANGE_VERB = r"(?:调整|修改|修订|更改|改|变更|提高|提升|上调|降低|下调|压缩|增加|减少|缩短|延长|恢复|调回|改回)"
# "由800元调整为600元", "从93%提高到95%": old and new in one clause.
_FROM_TO = re.compile(rf"(?:由|从)[^，,。；;\d]{{0,8}}?(?P<old>{_VALUE})[^，,。；;]{{0,12}}?{_CHANGE_VERB}(?:为|到|至|成)\s*(?P<new>{_VALUE})")
# "原方案将比例修改为4:3:3", "原规定起付线为800元", "原来按93%": what the earlier rule set.
_OLD = re.compile(rf"(?:原|原来|原先|此前|以前|之前|过去|旧)[^，,。；;]{{0,24}}?(?:{_CHANGE_VERB})?(?:为|按|按照|是|定为|确定为)\s*(?P<value>{_VALUE})")
# "新方案建议…调整为6:3:1", "现调整为600元", "今后按95%": what the rule is now.
_NEW = re.compile(rf"(?:新方案|新文件|新规定|本方案|(?<![实出表发体呈展显])现|现在|现行|目前|此次|这次|今后|调整后|修订后)[^。；;]{{0,30}}?"
                  rf"{_CHANGE_VERB}?(?:为|到|至|成|按|按照)\s*(?P<value>{_VALUE})")
# "现文件予以修改": the current text changed it back, its value stated in the same paragraph.
_NOW_CHANGED = re.compile(rf"(?:(?<![实出表发体呈展显])现|新方案|新文件|本次|此次|这次)[^。；;]{{0,12}}(?:予以|进行|作出|做出)?{_CHANGE_VERB}")
# "区妇幼保健院不再作为世立医院医共体二级牵头单位".
_NO_LONGER = re.compile(r"(?P<subject>[\u4e00-\u9fff]{2,20}?)不再(?P<what>[^，,。；;]{2,40})")
_HEADING = re.compile(r"^\s*(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*(?P<label>[^。；;]{2,30})")
_TOPIC_VERB = re.compile(rf"^(?:关于)?(?:{_CHANGE_VERB}|调整完善|修改完善)")
_TOPIC_TRIM = re.compile(r"^(?:我区|我市|我县|我省|本区|本市|本县|全区|全市|全县|省|市|区|县)?(?:原方案|原文件|原规定|原来|原先|新方案)?(?:中|里)?[,，]?(?:将|把|对)?")


@dataclass(frozen=True)
class Span:
    """A value and the sentence that states it: doc.text[start:end]."""

    value: str
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class ChangeRecord:
    """One stated change of a rule: its topic, the value it had and the value it has now."""

    topic: str
    old: Span
    new: Span

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ChangeRecord":
        return cls(str(d["topic"]), Span(**d["old"]), Span(**d["new"]))


def _kind(value: str) -> str:
    v = value.replace("：", ":").replace("∶", ":")
    if ":" in v:
        return "ratio"
    if "%" in v or "％" in v or v.startswith("百分之"):
        return "percent"
    return re.sub(r"[\d.\s]", "", v)  # the unit: 元, 年, 人…


def _same(a: str, b: str) -> bool:
    return re.sub(r"\s", "", a).replace("：", ":").replace("∶", ":").replace("％", "%") == \
        re.sub(r"\s", "", b).replace("：", ":").replace("∶", ":").replace("％", "%")


def extract_changes(doc_id: str, text: str, spans: Iterable[Iterable[int]] | None = None) -> list[ChangeRecord]:
    """The change records of one document; `spans` are its sentence spans (as chunked), else they are found."""
    spans = sorted({(int(a), int(b)) for a, b in spans}) if spans else [tuple(s) for s in sentence_spans(text)]
    simp = t2s(text)
    records: list[ChangeRecord] = []
    pending = None  # an earlier rule stated at a paragraph's end; the next paragraph may say what replaced it
    for para in _paragraphs(simp, spans):
        found, pending = _paragraph_changes(doc_id, simp, para, pending)
        records += found
    out: list[ChangeRecord] = []
    for r in records:  # one record per (old, new) pair of sentences
        if not any(o.old.start == r.old.start and o.new.start == r.new.start and o.new.value == r.new.value for o in out):
            out.append(r)
    return out


def _paragraphs(simp: str, spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Sentences grouped by paragraph (a line of the canonical text); a heading line joins the line after it."""
    paras: list[list[tuple[int, int]]] = []
    for a, b in spans:
        if paras and "\n" not in simp[paras[-1][-1][1] : a]:
            paras[-1].append((a, b))
        elif paras and len(paras[-1]) == 1 and _HEADING.match(simp[paras[-1][0][0] : paras[-1][0][1]]) \
                and paras[-1][0][1] - paras[-1][0][0] <= 32:
            paras[-1].append((a, b))  # "4.修改医保基金包干比例。" on its own line heads the next one
        else:
            paras.append([(a, b)])
    return paras


def _paragraph_changes(doc_id: str, simp: str, para: list[tuple[int, int]], pending=None):
    """(records, the earlier rule still waiting for its replacement) of one paragraph."""
    label = pending[2] if pending is not None else ""
    out: list[ChangeRecord] = []
    # The earlier rule's value, where its value starts in its sentence, and the heading above it.
    old: tuple[Span, int, str] | None = pending
    labels: dict[int, str] = {}  # the heading each sentence stands under ("4.修改医保基金包干比例。")
    for a, b in para:
        sent = simp[a:b]
        heading = _HEADING.match(sent) if b - a <= 32 else None
        if heading:
            label = heading.group("label").strip()
        labels[a] = label
        for m in _FROM_TO.finditer(sent):
            topic = _topic(label, sent[: m.start()])
            out.append(ChangeRecord(topic, Span(m.group("old"), doc_id, a, b), Span(m.group("new"), doc_id, a, b)))
        if old is None:
            m = _OLD.search(sent)
            if m and not _FROM_TO.search(sent):
                old = (Span(m.group("value"), doc_id, a, b), m.start("value"), label)
                later = sent[m.end():]
                new = _NEW.search(later)
                if new and not _same(new.group("value"), m.group("value")):  # "原为800元,现调整为600元" in one sentence
                    topic = _topic(label, sent[: m.start("value")])
                    out.append(ChangeRecord(topic, old[0], Span(new.group("value"), doc_id, a, b)))
                    old = None
                continue
        if old is not None:
            span, at, _ = old
            new = _NEW.search(sent)
            value = new.group("value") if new else None
            if value is None and _NOW_CHANGED.search(sent):
                # "2019年,医保部门实际已经按照95%总预算进行拨付,现文件予以修改": the value of the same kind
                # the sentence states, other than the old one.
                value = next((v.group(0) for v in _VALUE_RE.finditer(sent)
                              if _kind(v.group(0)) == _kind(span.value) and not _same(v.group(0), span.value)), None)
            if value is not None and _kind(value) == _kind(span.value) and not _same(value, span.value):
                topic = _topic(label, simp[span.start : span.start + at])
                out.append(ChangeRecord(topic, span, Span(value, doc_id, a, b)))
                old = None
    for a, b in para:
        sent = simp[a:b]
        for m in _NO_LONGER.finditer(sent):
            subject = re.split(r"[，,、：:]", m.group("subject"))[-1]
            what = m.group("what").strip()
            earlier = next(((x, y) for x, y in para if (x, y) <= (a, b) and what[:6] in simp[x:y]
                            and "不再" not in simp[x:y][: simp[x:y].find(what[:6])]), (a, b))
            topic = (_TOPIC_VERB.sub("", labels[a]).strip("。：: ") if labels[a] else "") or f"{subject}{what}"
            out.append(ChangeRecord(topic, Span(what, doc_id, *earlier),
                                    Span(f"不再{what}", doc_id, a, b)))
    return out, (old if old is not None and old is not pending else None)


def _topic(label: str, before: str) -> str:
    """What the rule is about: the paragraph's heading without its verb ("修改医保基金包干比例" -> "医保基金包干比例"),
    else the words before the value in the sentence's last clause ("原方案起付线为" -> "起付线")."""
    if label:
        topic = _TOPIC_VERB.sub("", label).strip("。：: ")
        if len(topic) >= 2:
            return topic
    clause = re.split(r"[，,；;：:]", before)[-1]
    clause = re.sub(rf"(?:由|从)?\s*$|(?:{_CHANGE_VERB})?(?:为|按|按照|是|定为|确定为)?\s*$", "", clause)
    clause = _TOPIC_TRIM.sub("", clause)
    clause = re.sub(r"^(?:原|原来|原先|此前|以前|之前|过去|旧)(?:方案|文件|规定|标准|政策)?(?:中|里)?(?:将|把)?", "", clause)
    clause = re.sub(rf"(?:{_CHANGE_VERB}|由|从)$", "", clause)
    return clause.strip() or label


def extract_all(documents, chunks) -> list[ChangeRecord]:
    """Records of every document, on the sentence spans its chunks carry (the spans answers cite)."""
    spans: dict[str, set[tuple[int, int]]] = {}
    for c in chunks:
        for a, b in c.sentences or []:
            spans.setdefault(c.doc_id, set()).add((int(a), int(b)))
    out: list[ChangeRecord] = []
    for d in documents:
        out += extract_changes(d.doc_id, d.text, spans.get(d.doc_id))
    return out


def write_changes(folder: Path, records: list[ChangeRecord]) -> None:
    (Path(folder) / FILE_NAME).write_text(
        json.dumps({"version": 1, "records": [r.to_dict() for r in records]}, ensure_ascii=False, indent=1), "utf-8")


def read_changes(folder: Path) -> list[ChangeRecord] | None:
    """The stored records; None when the index has none (built before records existed) or they are unreadable."""
    path = Path(folder) / FILE_NAME
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [ChangeRecord.from_dict(r) for r in data["records"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("change records of %s unreadable (%s); they are extracted again", folder, exc)
        return None
