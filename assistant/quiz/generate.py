"""Quiz generation: fill-in-the-blank, multiple-choice and true/false items on facts of the indexed documents."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath
from typing import Any, Iterable

from ..store import IndexData
from ..textnorm import is_traditional, match_form, s2t, t2s
from ..types import DocRecord, content_hash
from .distractors import DistractorPool, believable_swap
from .facts import Fact, extract_facts

BLANK = "____"
TYPES = ("fill_blank", "choice", "true_false")
LETTERS = "ABCDEFGH"
_WINDOW = 100  # longest stem shown; a longer sentence is cut at clause ends around the fact
_CLAUSE_END = "，,；;：:"
# Relative share of each kind of fact in a quiz: trainers ask most about ratios, percentages, duties and rules.
_SHARE = {"ratio": 3.0, "percent": 3.0, "duty": 3.0, "rule": 3.0, "quantity": 1.5, "date": 1.0}


class QuizError(ValueError):
    """Bad quiz input or a mismatched answer sheet; the message is one Chinese line for the user."""


@dataclass
class _Cand:
    """A fact in one sentence of one document: the raw material of one item."""

    doc: DocRecord
    section: str
    s: int
    e: int
    fact: Fact
    trad: bool
    facts_here: tuple[Fact, ...]  # every fact of the sentence, to keep distractors false

    @cached_property
    def sentence(self) -> str:
        return self.doc.text[self.s : self.e]

    @cached_property
    def sentence_form(self) -> str:
        return match_form(self.sentence)

    def script(self, value: str) -> str:
        """A value drawn from anywhere in the corpus, written in this document's script."""
        return s2t(t2s(value)) if self.trad else t2s(value)

    def stem(self, replacement: str) -> str:
        """The sentence, cut to a readable window, with the fact replaced."""
        sent, a, b = self.sentence, self.fact.start - self.s, self.fact.end - self.s
        ws, we = _window(sent, a, b)
        text = sent[ws:a] + replacement + sent[b:we]
        if we < len(sent):
            text = text.rstrip(_CLAUSE_END) + "……"
        return ("……" if ws > 0 else "") + text

    def where(self, shown: list[str]) -> str:
        """《title》「last heading」 naming where the sentence stands, unless the heading shows one of the options."""
        heading = self.section.split(" > ")[-1].strip()
        form = match_form(heading)
        # A heading that merely repeats the sentence's opening ("1.針對…") adds nothing.
        repeats = self.sentence_form.startswith(match_form(heading.rstrip("…")))
        if heading and not repeats and not any(match_form(v) in form for v in shown):
            return f"《{short_title(self.doc.title)}》「{heading}」"
        return f"《{short_title(self.doc.title)}》"

    def citation(self) -> dict[str, Any]:
        return {"source": self.doc.source, "title": self.doc.title, "section": self.section,
                "quote": self.sentence, "start": self.s, "end": self.e}

    def passage(self) -> str:
        return passage(self.citation())


def passage(citation: dict[str, Any]) -> str:
    """依据《title》「section」：“quote” — the cited passage that explains an answer."""
    where = f"「{citation['section']}」" if citation.get("section") else ""
    return f"依据《{citation.get('title', '')}》{where}：“{citation.get('quote', '')}”"


def short_title(title: str, limit: int = 40) -> str:
    """A long headline cut to its main title ("主标题——副标题" -> "主标题") for question text; citations keep it whole."""
    if len(title) <= limit:
        return title
    for sep in ("——", "—", "：", ":", " "):
        head = title.split(sep)[0].strip()
        if 6 <= len(head) <= limit:
            return head
    return title[: limit - 1] + "…"


def _window(sent: str, a: int, b: int, limit: int = _WINDOW) -> tuple[int, int]:
    """Clause-aligned span of sent around [a, b) no longer than limit (or the fact's own clause)."""
    if len(sent) <= limit:
        return 0, len(sent)
    # A colon between digits belongs to a ratio (4:3:3), not to the clause structure.
    cuts = (i + 1 for i, ch in enumerate(sent) if ch in _CLAUSE_END
            and not (ch in ":：" and 0 < i < len(sent) - 1 and sent[i - 1].isdigit() and sent[i + 1].isdigit()))
    bounds = sorted({0, len(sent), *cuts})
    ws = max(x for x in bounds if x <= a)
    we = min(x for x in bounds if x >= b)
    grown = True
    while grown:
        grown = False
        right = [x for x in bounds if x > we]
        if right and right[0] - ws <= limit:
            we, grown = right[0], True
        left = [x for x in bounds if x < ws]
        if left and we - left[-1] <= limit:
            ws, grown = left[-1], True
    return ws, we


def _select_documents(index: IndexData, kinds: Iterable[str] | None, sources: Iterable[str] | None) -> list[DocRecord]:
    docs = list(index.documents)
    if not docs:
        raise QuizError("索引中没有文档，无法出题。")
    if kinds:
        wanted = {t2s(k).strip() for k in kinds if k and k.strip()}
        docs = [d for d in docs if t2s(d.kind) in wanted]
        if not docs:
            have = "、".join(sorted({d.kind for d in index.documents if d.kind})) or "无"
            raise QuizError(f"没有类型为 {'、'.join(sorted(wanted))} 的文档（现有类型：{have}）。")
    if sources:
        wanted_src = [s.strip() for s in sources if s and s.strip()]
        docs = [d for d in docs if any(s in (d.source, d.doc_id) or PurePath(s).name == PurePath(d.source).name for s in wanted_src)]
        if not docs:
            raise QuizError(f"所选范围内没有文档 {'、'.join(wanted_src)}（用 assistant docs 查看文档列表）。")
    return docs


def _candidates(index: IndexData, docs: list[DocRecord]) -> list[_Cand]:
    out: list[_Cand] = []
    by_doc = {d.doc_id: d for d in docs}
    trad = {d.doc_id: is_traditional(d.text[:3000]) for d in docs}
    for chunk in index.chunks:
        doc = by_doc.get(chunk.doc_id)
        if doc is None:
            continue
        for s, e in chunk.sentences:
            if e - s < 8:
                continue
            facts = tuple(extract_facts(doc.text, s, e))
            form = match_form(doc.text[s:e])
            for f in facts:
                # A value stated twice in its sentence leaves the blank ambiguous.
                if form.count(match_form(f.value)) != 1:
                    continue
                out.append(_Cand(doc, chunk.section, s, e, f, trad[doc.doc_id], facts))
    return out


def generate_quiz(index_data: IndexData, n: int = 5, seed: int = 0, kinds=None, sources=None, types=None) -> dict[str, Any]:
    """Up to n distinct items, each cited to a sentence of its document; the same seed gives the same quiz.

    >>> quiz = generate_quiz(load_index("index"), n=3, seed=1)          # doctest: +SKIP
    >>> quiz["items"][0]["citation"]["quote"]                          # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise QuizError("题目数量必须是不小于 1 的整数。")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise QuizError("随机种子必须是整数。")
    allowed = [t for t in TYPES if not types or t in types]
    if not allowed:
        raise QuizError(f"题型只能是 {'、'.join(TYPES)}。")
    docs = _select_documents(index_data, kinds, sources)
    cands = _candidates(index_data, docs)
    pool = DistractorPool(index_data)
    rng = random.Random(seed)
    # Weighted shuffle (Efraimidis–Spirakis) within each kind of fact: key facts come early, the seed varies the rest.
    by_kind: dict[str, list[_Cand]] = {}
    for _, c in sorted(((rng.random() ** (1.0 / c.fact.weight), c) for c in cands), key=lambda kc: -kc[0]):
        by_kind.setdefault(c.fact.kind, []).append(c)
    kind_rank = {k: i for i, k in enumerate(rng.sample(sorted(by_kind), len(by_kind)))}
    type_rank = {t: i for i, t in enumerate(rng.sample(allowed, len(allowed)))}

    items: list[dict[str, Any]] = []
    used_sentences: set[str] = set()
    used_answers: set[tuple[str, str]] = set()
    seen_questions: set[str] = set()
    stems: list[str] = []
    answers: list[str] = []
    type_counts: Counter[str] = Counter()
    kind_counts: Counter[str] = Counter()
    sections: Counter[tuple[str, str]] = Counter()

    def try_add(c: _Cand, strict: int) -> None:
        if c.sentence_form in used_sentences:
            return
        answer_form = match_form(c.fact.value)
        if strict >= 2 and ((c.fact.kind, c.fact.key) in used_answers or sections[(c.doc.doc_id, c.section)] >= 2):
            return
        blank_form = match_form(c.stem(BLANK))
        # No item may show another item's answer in its text.
        if strict >= 1 and (any(answer_form in st for st in stems) or any(a in blank_form for a in answers)):
            return
        item = _make_item(c, pool, rng, allowed, type_counts, type_rank, len(items) + 1)
        if item is None:
            return
        qform = match_form(item["question"] + "".join(item.get("choices", [])))
        if qform in seen_questions:
            return
        seen_questions.add(qform)
        used_sentences.add(c.sentence_form)
        used_answers.add((c.fact.kind, c.fact.key))
        stems.append(blank_form)
        answers.append(answer_form)
        type_counts[item["type"]] += 1
        kind_counts[c.fact.kind] += 1
        sections[(c.doc.doc_id, c.section)] += 1
        items.append(item)

    # Kinds take turns in proportion to their share. Pass 2 keeps answers distinct, spreads items over sections
    # and stops items from giving each other away; later passes relax that to fill the quiz from few facts.
    for strict in (2, 1, 0):
        queues = {k: list(v) for k, v in by_kind.items()}
        while len(items) < n:
            live = [k for k, q in queues.items() if q]
            if not live:
                break
            kind = min(live, key=lambda k: (kind_counts[k] / _SHARE[k], kind_rank[k]))
            try_add(queues[kind].pop(0), strict)

    notices: list[str] = []
    if not items:
        notices.append("所选文档中没有找到可出题的内容（比例、百分比、数量、日期、部门职责、政策要求），未生成题目。")
    elif len(items) < n:
        notices.append(f"所选文档只能出 {len(items)} 道不重复的题（要求 {n} 道），已全部给出。")
    return {
        "items": items,
        "notices": notices,
        "seed": seed,
        "n_requested": n,
        "documents": [{"source": d.source, "title": d.title} for d in docs],
    }


def _make_item(c: _Cand, pool: DistractorPool, rng: random.Random, allowed: list[str], counts: Counter, type_rank: dict[str, int], number: int) -> dict[str, Any] | None:
    others = [c.script(v) for v in pool.others(c.fact, c.sentence, c.facts_here, rng)]
    swaps = [v for v in others if believable_swap(c.fact, v) and not pool.is_stated_anywhere(c.stem(v))]
    feasible = [t for t in allowed if t == "fill_blank" or (t == "choice" and len(others) >= 2) or (t == "true_false" and swaps)]
    if not feasible:
        return None
    kind = min(feasible, key=lambda t: (counts[t], type_rank[t]))
    value = c.fact.value
    item: dict[str, Any] = {"id": "", "type": kind}
    if kind == "fill_blank":
        item["question"] = f"根据{c.where([value])}填空：{c.stem(BLANK)}"
        item["answer"] = value
        item["explanation"] = f"横线处原文为“{value}”。{c.passage()}"
    elif kind == "choice":
        options = [value] + others[:3]
        rng.shuffle(options)
        letter = LETTERS[options.index(value)]
        item["question"] = f"根据{c.where(options)}，横线处应填入哪一项？{c.stem(BLANK)}"
        item["choices"] = options
        item["answer"] = letter
        item["answer_text"] = value
        item["explanation"] = f"原文为“{value}”，答案 {letter}。{c.passage()}"
    else:
        true = rng.random() < 0.5
        # The closest stand-in makes the most instructive false statement (ties were already broken by the seed).
        swap = swaps[0]
        statement = c.stem(value if true else swap)
        item["question"] = f"根据{c.where([value, swap])}判断正误：{statement}"
        item["answer"] = "对" if true else "错"
        item["explanation"] = (f"该说法正确，与原文一致。{c.passage()}" if true
                               else f"该说法错误：原文为“{value}”，不是“{swap}”。{c.passage()}")
    item["citation"] = c.citation()
    item["fact_kind"] = c.fact.kind
    item["id"] = f"q{number}-{content_hash(c.doc.source, str(c.fact.start), kind, item['question'], n=6)}"
    return item
