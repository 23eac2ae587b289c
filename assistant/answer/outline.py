"""Outline-aware evidence: a heading stands for the body, sub-items or sibling items under it."""
from __future__ import annotations

import re

from ..textnorm import t2s
from .evidence import Sentence

_ORDINAL = re.compile(r"第[一二三四五六七八九十]+[,，、]|[一二三四五六七八九十]+、|\d{1,2}[.．、](?!\d)|[（(](?:[一二三四五六七八九十]+|\d{1,2})[)）]")
_FIRST_ORDINAL = re.compile(r"(第一|一[、,，.．]|1[.．、]|[（(](?:一|1)[)）])")
_LEAD_IN = re.compile(r"如下|以下几|下列|下面[^。]{0,6}(?:几|[一二三四五六七八九十两])[个方面点条]")


def children_of_heading(ranked: list[Sentence], docs) -> list[Sentence]:
    """A list question matched on a heading is answered by that heading's sub-headings."""
    for s in ranked:
        doc = docs[s.doc_id]
        own = [sec for sec in doc.sections if sec[0] <= s.start < sec[1]]
        if not own or s.start != own[0][0]:
            continue
        path = own[0][2]
        children = []
        for a, b, p in doc.sections:
            if p.startswith(path + " > ") and p.count(" > ") == path.count(" > ") + 1 and a >= s.start:
                children.append(_heading_line(s, doc, a, b))
        if len(children) >= 2:
            return children[:8]
    return []


def listed_items(terms: list[str], top: list[Sentence], first: Sentence, docs) -> list[Sentence]:
    """The items a list question asks for, when the evidence is a heading: its sub-headings, the numbered
    items that follow it on the same line (an outline), or the run of numbered headings it belongs to."""
    kids = children_of_heading(top, docs)
    if kids and _bare_labels(kids):
        # Bare labels ("1.起草依据。2.模式特点。"): the items are in the body of the label the question names.
        named = _one_named(kids, terms, docs, min_terms=1)
        if named:
            return named[1] or kids
    if kids:
        return _with_body(_one_named(kids, terms, docs)) or kids
    for s in top:
        items = inline_items(s, docs[s.doc_id]) or items_after(s, docs[s.doc_id])
        if len(items) >= 2:
            # Bare labels ("1、一级诊疗科目" "2、二级诊疗科目"): the body of the one the question names most.
            named = _most_named(items, terms) if _bare_labels(items) else None
            return (following(named, docs[named.doc_id], 3) if named else []) or items
    run = sibling_run(first, docs)
    if run:
        return _with_body(_one_named(run, terms, docs)) or run
    for s in top:
        # "要算清哪些账" matched on "第八,算清绩效账。": the run answers when its items share the asked word.
        run = sibling_run(s, docs)
        shared = [t for t in terms if len(t) > 1 and t in t2s(s.text)]
        if run and any(sum(t in t2s(r.text) for r in run) >= 3 for t in shared):
            return run
    return []


def _bare_labels(items: list[Sentence]) -> bool:
    """Each item is a label of a few characters ("1.起草依据。"), its content in the body under it."""
    return all(len(strip_heading_number(k.text).strip("。；: ：")) <= 8 for k in items)


def _most_named(items: list[Sentence], terms: list[str]) -> Sentence | None:
    """The one item carrying more of the question's words than any other, if there is one."""
    hits = [sum(1 for t in terms if t in t2s(k.text)) for k in items]
    best = max(hits, default=0)
    return items[hits.index(best)] if best and hits.count(best) == 1 else None


def _one_named(items: list[Sentence], terms: list[str], docs, min_terms: int = 2) -> tuple[Sentence, list[Sentence]] | None:
    """The one item whose label carries at least min_terms of the question's words, with the body under it:
    "这次新加了哪些内容" among "1.修改…" … "5.增加医改新的工作内容。". A question about the whole list matches no
    single item. (A bare label names its topic in a word or two, so one word is enough there.)"""
    named = [k for k in items if sum(1 for t in terms if (len(t) > 1 or min_terms == 1) and t in t2s(k.text)) >= min_terms]
    if len(named) != 1:
        return None
    return named[0], following(named[0], docs[named[0].doc_id], 3)


def _with_body(named: tuple[Sentence, list[Sentence]] | None) -> list[Sentence]:
    """The named item followed by its body; nothing when it has no body to add."""
    return [named[0], *named[1]] if named and named[1] else []


def inline_items(s: Sentence, doc) -> list[Sentence]:
    """"二、…核心任务。(一)要筑牢“龙头”,强县级。(二)…": the numbered sentences right after a heading sentence."""
    if not _ORDINAL.match(s.text.strip()):
        return []
    line_end = doc.text.find("\n", s.end)
    line_end = len(doc.text) if line_end < 0 else line_end
    items: list[Sentence] = []
    style = None
    for m in re.finditer(r"[^。！？；]+[。！？；]?", doc.text[s.end : line_end]):
        a, b = s.end + m.start(), s.end + m.end()
        piece = doc.text[a:b]
        om = _ORDINAL.match(piece.strip())
        kind = _ordinal_style(om.group(0)) if om else None
        if kind is None or (style is not None and kind != style) or kind == _ordinal_style(s.text.strip()):
            break
        style = kind
        lead = len(piece) - len(piece.lstrip())
        items.append(Sentence(s.doc_id, a + lead, b, piece.strip(), s.rank, s.chunk_index, s.context))
    return items[:12]


def is_heading(s: Sentence, doc) -> bool:
    """A short line that opens a section ("1.起草依据。"), a numbered outline item ("二、聚焦重点…。") or a
    lead-in to what follows ("名词解释:")."""
    text = s.text.strip()
    if len(text) > 40:
        return False
    if text.endswith((":", "：")) or any(a == s.start for a, _, _ in doc.sections):
        return len(text) <= 30
    if _LEAD_IN.search(text):
        return bool(items_after(s, doc))
    return bool(_ORDINAL.match(text)) and bool(inline_items(s, doc))


def expand_headings(chosen: list[Sentence], docs) -> list[Sentence]:
    """A heading says what a passage is about, not what it says: answer with the body under it."""
    out: list[Sentence] = []
    for s in chosen:
        doc = docs[s.doc_id]
        if not is_heading(s, doc):
            out.append(s)
            continue
        body = children_of_heading([s], docs) or inline_items(s, doc) or items_after(s, doc) or following(s, doc, 2)
        out.extend(b for b in body if all(b.start != o.start for o in out)) if body else out.append(s)
    return out


def following(s: Sentence, doc, n: int) -> list[Sentence]:
    """Up to n sentences after s inside its section (or the next 300 characters for a lead-in line)."""
    ends = [b for a, b, _ in doc.sections if a <= s.start < b]
    limit = min(ends[0] if ends else len(doc.text), len(doc.text))
    if limit - s.end < 10 and (s.text.strip().endswith((":", "：")) or _LEAD_IN.search(s.text)):
        limit = min(len(doc.text), s.end + 300)  # a lead-in's items follow it; a bare heading's next section is not its body
    out: list[Sentence] = []
    for m in re.finditer(r"[^。！？；\n]+[。！？；]?", doc.text[s.end : limit]):
        a, b = s.end + m.start(), s.end + m.end()
        piece = doc.text[a:b]
        lead = len(piece) - len(piece.lstrip())
        if len(piece.strip()) < 4:
            continue
        out.append(Sentence(s.doc_id, a + lead, b, piece.strip(), s.rank, s.chunk_index, s.context))
        if len(out) >= n:
            break
    return out


def sibling_run(s: Sentence, docs, headings_only: bool = True) -> list[Sentence]:
    """A list question answered by one numbered heading ("第八,算清绩效账") is answered by its whole run
    of sibling headings ("第一…第十"), stopping where the numbering starts again. With headings_only False,
    any sentence that opens a numbered section counts, however long."""
    doc = docs[s.doc_id]
    if not (is_heading(s, doc) if headings_only else any(a == s.start for a, _, _ in doc.sections)):
        return []
    own = next((sec for sec in doc.sections if sec[2] and sec[0] == s.start), None)
    if own is None:
        return []
    run = next(r for r in _numbering_runs(_siblings(doc)[_parent(own[2])]) if own in r)
    if len(run) < 3:
        return []
    return _fill_gaps([_heading_line(s, doc, a, b) for a, b, _ in run][:12], doc)


def _parent(path: str) -> str:
    return path.rsplit(" > ", 1)[0] if " > " in path else ""


def _siblings(doc) -> dict[str, list[tuple[int, int, str]]]:
    """The document's sections grouped by their parent section, in order."""
    groups: dict[str, list[tuple[int, int, str]]] = {}
    for sec in doc.sections:
        if sec[2]:
            groups.setdefault(_parent(sec[2]), []).append(sec)
    return groups


def _numbering_runs(secs: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Sibling sections cut into runs where the numbering starts again ("第一…第十", then "第一…第五")."""
    runs: list[list[tuple[int, int, str]]] = []
    for sec in secs:
        if not runs or _FIRST_ORDINAL.match(_label(sec[2])):
            runs.append([])
        runs[-1].append(sec)
    return runs


def _fill_gaps(items: list[Sentence], doc) -> list[Sentence]:
    """"一、…" "三、…" "四、…": a scraped page lost a heading of the run; the document's own outline
    (a 提纲 line) often still states it, so the missing item is taken from there when it is."""
    numbers = [_cn_number(i.text.strip()) for i in items]
    if None in numbers or len(items) < 2:
        return items
    out = [items[0]]
    for prev, (item, n) in zip(numbers, zip(items[1:], numbers[1:])):
        for missing in range(prev + 1, min(n, prev + 4)):
            m = re.search(rf"(?:^|(?<=[。；】]))\s*{_CN_DIGITS[missing - 1]}、[^。；\n]{{2,40}}[。；]", doc.text, re.M)
            if m:
                a = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
                out.append(Sentence(item.doc_id, a, m.end(), doc.text[a : m.end()], item.rank, item.chunk_index, item.context))
        out.append(item)
    return out


def _cn_number(text: str) -> int | None:
    """The number of a "二、…" heading, else None."""
    m = re.match(r"([一二三四五六七八九十])、", text)
    return _CN_DIGITS.index(m.group(1)) + 1 if m else None


def shared_run(ranked: list[Sentence], docs) -> list[Sentence]:
    """"从初稿到印发走了哪些程序": when two or more of the best sentences are items of one numbered run
    ("2.…征求意见", "3.…合法性审查"), the question asks for the run."""
    for s in ranked:
        run = sibling_run(s, docs, headings_only=False)
        if not run:
            continue
        starts = {r.start for r in run}
        if sum(1 for o in ranked if o.doc_id == s.doc_id and o.start in starts) >= 2:
            return run
    return []


_ASKED_NOUN = re.compile(r"(?:哪些|哪几[本个项条种类块]?|几[本个项条种类块])([\u4e00-\u9fff]{1,4}?)(?=[？?，,。]|$)")


def named_run(question: str, ranked: list[Sentence], docs) -> list[Sentence]:
    """"要算清哪几本账": a run of three or more numbered headings of a passage's document, most of whose
    labels name the asked thing ("第一,算清政治账" … "第十,算清发展账")."""
    m = _ASKED_NOUN.search(t2s(question))
    if not m:
        return []
    noun = m.group(1)
    for doc_id in dict.fromkeys(s.doc_id for s in ranked[:8]):
        doc = docs[doc_id]
        for group in _siblings(doc).values():
            for run in _numbering_runs([sec for sec in group if _ORDINAL.match(_label(sec[2]))]):
                named = [sec for sec in run if noun in t2s(_label(sec[2]))]
                if len(run) >= 3 and len(named) >= max(3, 0.6 * len(run)):
                    return [_heading_line(ranked[0], doc, a, b) for a, b, _ in run][:12]
    return []


def items_after(s: Sentence, doc) -> list[Sentence]:
    """"主要功能价值包括如下“五大方面”。", "必备医疗设备包括：": a lead-in answered by the numbered headings that
    follow it."""
    if _LEAD_IN.search(s.text):
        return numbered_after(s, doc)
    # A colon at the end of its line ("包括：\n1、全自动生化分析仪、\n2、…") leads in to a list of short entries; numbered
    # paragraphs after one ("按照以下要求…：\n（一）应当以ISO15189：2012为…") are each an answer of their own.
    if s.text.rstrip().endswith((":", "：")) and not doc.text[s.end : s.end + 1].strip():
        items = numbered_after(s, doc)
        return items if all(len(i.text) <= _SHORT_ENTRY for i in items) else []
    return []


_SHORT_ENTRY = 40  # characters of a list entry, as opposed to a numbered paragraph


def numbered_after(s: Sentence, doc) -> list[Sentence]:
    """The run of numbered headings that starts right after s (at its first item), at one level."""
    run: list[tuple[int, int, str]] = []
    for a, b, path in doc.sections:
        if a < s.end or not path:
            continue
        if run and path.count(" > ") > run[0][2].count(" > "):
            continue  # sub-items of an item
        label = _label(path)
        om = _ORDINAL.match(label)
        if om is None or (not run and not _FIRST_ORDINAL.match(label)):
            break
        if run and (_ordinal_style(om.group(0)) != _ordinal_style(_ORDINAL.match(_label(run[0][2])).group(0))
                    or _FIRST_ORDINAL.match(label)):
            break
        run.append((a, b, path))
    return _fill_gaps([_heading_line(s, doc, a, b) for a, b, _ in run][:12], doc) if len(run) >= 2 else []


def section_heading(s: Sentence, doc) -> Sentence | None:
    """The heading of the innermost numbered section holding s ("第八,算清绩效账。"), when s is not it."""
    own = [(a, b, p) for a, b, p in doc.sections if p and a <= s.start < b]
    if not own:
        return None
    a, b, _ = max(own, key=lambda sec: sec[0])
    head = _heading_line(s, doc, a, b)
    return head if head.start != s.start else None


def _heading_line(s: Sentence, doc, a: int, b: int) -> Sentence:
    """The heading of the section [a, b) up to its first sentence end, as evidence."""
    end = doc.text.find("\n", a)
    end = b if end < 0 or end > b else end
    cut = re.search(r"[。；]", doc.text[a:end])
    end = a + cut.end() if cut else end
    return Sentence(s.doc_id, a, end, doc.text[a:end], s.rank, s.chunk_index, s.context)


def _label(path: str) -> str:
    return path.rsplit(" > ", 1)[-1].strip()


def _ordinal_style(ordinal: str) -> str:
    """"（二）" and "(三)" are one numbering style, "2." another, "二、" a third."""
    if ordinal.startswith("第"):
        return "di"
    if ordinal[0] in "（(":
        return "paren-digit" if ordinal[1].isdigit() else "paren"
    return "digit" if ordinal[0].isdigit() else "cn"


_CN_DIGITS = "一二三四五六七八九十"
# "一是…;二是…;三是…", "其一,…其二,…": points counted off in running text rather than as headings.
_SERIES_MARK = re.compile(r"(?:^|(?<=[，,：:；;。]))\s*(?:其([一二三四五六七八九十])[，,、]|([一二三四五六七八九十])是)")
_OPENING_MARK = re.compile(r"(?<![统唯同单第万划专均逐之])([一])是")
_PIECE = re.compile(r"[^。！？；;\n]+[。！？；;]?")


def series_run(s: Sentence, doc) -> list[Sentence]:
    """"…三点体会,一是…;" + "二是…;" + "三是…。": the sentence that opens a counted series with the pieces
    that continue it, in order; nothing when s opens no series or the series stops at one point."""
    # The first point may follow its topic word directly ("主要区别一是…"); the points after it open pieces.
    marks = list(_SERIES_MARK.finditer(s.text)) or list(_OPENING_MARK.finditer(s.text))
    if not marks or _series_number(marks[0]) != 1:
        return []
    expect = _series_number(marks[-1]) + 1
    out = [s]
    limit = min(len(doc.text), s.end + 1200)
    # A point may take a sentence or two more inside its paragraph ("一是…尚未打包。原因是…。二是…").
    aside: list[Sentence] = []
    last_end = s.end
    for m in _PIECE.finditer(doc.text[s.end : limit]):
        piece = m.group(0)
        if not piece.strip():
            continue
        a = s.end + m.start() + len(piece) - len(piece.lstrip())
        found = list(_SERIES_MARK.finditer(piece.strip()))
        here = Sentence(s.doc_id, a, s.end + m.end(), piece.strip(), s.rank, s.chunk_index, s.context)
        if not found or found[0].start() > 0 or _series_number(found[0]) != expect:
            if found or len(aside) >= 2 or "\n" in doc.text[last_end:a]:
                break
            aside.append(here)
            last_end = here.end
            continue
        out += [*aside, here]
        aside = []
        last_end = here.end
        expect = _series_number(found[-1]) + 1
    return out if len(out) >= 2 else []


def _series_number(m: re.Match) -> int:
    return _CN_DIGITS.index(m.group(m.lastindex)) + 1


def strip_heading_number(text: str) -> str:
    """"3.修改…" reads better in an answer as "修改…"; the quote keeps the number. A digit after the point makes
    it a decimal ("3.5亿元") or a deeper heading number ("3.4打破…"): cutting "3." would change the figure."""
    return re.sub(r"^(\d{1,2}[.．、](?![\d.．])|[（(][一二三四五六七八九十\d]+[)）])", "", text)

