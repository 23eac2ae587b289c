"""Which documents a question singles out, for questions that compare or ask about each of several sources."""
from __future__ import annotations

import re
from typing import Mapping

from ..textnorm import match_form
from ..types import DocRecord
from .analyze import place_core, question_type

_EACH_RE = re.compile(r"各(?:有|自|要求|是|为|提|讲|说|怎|如何|强调|采取)|分别|两者|二者|两边|双方|异同"
                      r"|都(?:强调|提到|提出|要求)")
# Kinds of text a title may carry without a manifest ("在全市推进会上的讲话"); 方案 and 意见 are topics too.
_KIND_WORDS = frozenset({"讲话", "报道", "评论", "解读", "访谈", "专访", "社论"})
# Where a comparison joins its two sides: "A…，和B…", "A与B…", "A跟B比…".
_JOIN_RE = re.compile(r"[，,]?(?:和|与|跟|以及|对比|相比|比较)")


def wants_each_side(simplified_question: str) -> bool:
    """A comparison, or a question about each of several things ("裕安区和准格尔旗各有几家…")."""
    return question_type(simplified_question) == "comparison" or bool(_EACH_RE.search(simplified_question))


class DocumentFocus:
    """Points a question at documents: a term found in one document's title, kind, region or issuer
    ("讲话", "秦永方"), or a long, specific term found in one document's text only ("名词解释").

    >>> focus = DocumentFocus(docs)                                   # doctest: +SKIP
    >>> focus.pointed(["秦永方", "裕安区", "医共体"], ["裕安区"])        # doctest: +SKIP
    ['<doc id of the 裕安区 document>', '<doc id of 秦永方's article>']
    """

    def __init__(self, docs: Mapping[str, DocRecord], text_forms: Mapping[str, str] | None = None) -> None:
        # Each document's text in match form; an index brings them computed at build time (tables.py).
        self.text_forms = dict(text_forms) if text_forms is not None else {
            doc_id: match_form(d.text) for doc_id, d in docs.items()}
        self._meta = {doc_id: match_form(f"{d.title}{d.kind}{d.region}{d.issuer}") for doc_id, d in docs.items()}
        # Who wrote it and what kind of text it is: words that name a document rather than its subject.
        self._source = {doc_id: (match_form(d.kind), match_form(d.issuer)) for doc_id, d in docs.items()}
        self._regions = [match_form(d.region) for d in docs.values() if d.region]
        self._titles = {doc_id: match_form(d.title) for doc_id, d in docs.items()}
        self._region_of = {doc_id: match_form(d.region) for doc_id, d in docs.items()}

    def pointed(self, terms: list[str], regions: list[str]) -> list[str]:
        out: list[str] = []
        for term in [*regions, *terms]:
            hit = self._points(term, regions)
            if hit and hit not in out:
                out.append(hit)
        return out

    def _points(self, term: str, regions: list[str]) -> str | None:
        """The one document a question word points at, if it points at one."""
        if len(term) < 2 or term.isdigit():
            return None
        key = place_core(term) if term in regions else match_form(term)
        if not key:
            return None
        meta = [d for d, f in self._meta.items() if key in f]
        text = [d for d, f in self.text_forms.items() if key in f]
        if len(text) > max(2, len(self.text_forms) // 5):
            return None  # a word many documents use ("关于", "影响") names none of them, whichever title holds it
        # Text alone points only with a long, specific term; short words recur across any corpus.
        hit = meta if len(meta) == 1 else text if len(text) == 1 and len(key) >= 4 else []
        return hit[0] if hit else None

    def sides(self, question: str, terms: list[str], regions: list[str]) -> dict[str, str]:
        """The two documents a comparison sets side by side, each with the part of the question about it:
        "秦永方说的打包预算受阻原因，和裕安区公卫经费没打包的原因有何不同". A side that only names its document
        ("裕安区名词解释和秦永方文章对牵头机构的说法…") shares what the other side asks about, and what comes
        before both ("村里医生的招聘,讲话的办法和准格尔旗的做法…") is asked of both."""
        simp = match_form(question)
        words = [*regions, *terms]
        for m in _JOIN_RE.finditer(simp):
            left, right = simp[: m.start()], simp[m.end() :]
            # The second side starts at the join ("和准格尔旗…", "和市里讲话…"); the first is the nearest before it.
            b = next((p for p in self._pointers(right, words, regions) if p[0] <= 3), None)
            a = next((p for p in reversed(self._pointers(left, words, regions)) if b and p[2] != b[2]), None)
            if not a or not b:
                continue
            # Words that name either side's document are not what the side asks about.
            naming = [match_form(t) for t in words if self._points(t, regions) in (a[2], b[2])]
            content = [k for k in map(match_form, terms) if len(k) > 1 and not any(k in w for w in naming)]
            cut = max(left.rfind(c, 0, a[0]) for c in "，,；;：:")
            prefix = left[: cut + 1]
            if any(k in prefix for k in content):
                right = prefix + right
            own = left[a[0] :]
            # "A的X和B的Y，对Z的提法是否一样": what follows the second side's own clause is asked of both.
            clause = re.search(r"[，,；;？?](?=.*[\u4e00-\u9fff])", right[b[0] :])
            if sum(1 for k in content if k in own) < 2 and not re.search(r"[“「『\"]", own):
                left += right[right.find(b[3]) + len(b[3]) :]  # a quoted term ("讲话说的“乡聘村用”") is a topic
            elif clause:
                left += right[b[0] + clause.end() :]
            return {a[2]: left, b[2]: right}
        return {}

    def _names(self, term: str, regions: list[str]) -> str | None:
        """The one document a word names by its region, kind or issuer, or by a title word of three or more
        characters or a kind of text ("讲话"); "办法" and "方案" are in many titles' topics."""
        key = match_form(term)
        if term in regions:
            key = place_core(term)
        if len(key) < 2 or key.isdigit():
            return None
        titled = len(key) >= 3 or key in _KIND_WORDS
        hit = [d for d, (kind, issuer) in self._source.items()
               if key == kind or (len(key) >= 3 and key in issuer) or (titled and key in self._titles[d])
               or (term in regions and key in self._region_of[d])]
        return hit[0] if len(hit) == 1 else None

    def _pointers(self, text: str, words: list[str], regions: list[str]) -> list[tuple[int, int, str, str]]:
        """(start, end, document, word) of the words in text that name one document by its title, kind,
        region or issuer, in order; at one place the longest word ("准格尔旗" over "准格尔")."""
        found: dict[int, tuple[int, int, str, str]] = {}
        for term in words:
            key = match_form(term)
            if term in regions and key not in text:
                key = place_core(term)  # "准格尔旗" asked as "准格尔"
            at = text.find(key) if key else -1
            doc = self._names(term, regions) if at >= 0 else None
            if doc and (at not in found or len(key) > found[at][1] - at):
                found[at] = (at, at + len(key), doc, key)
        return [found[k] for k in sorted(found)]

    def naming_terms(self, terms: list[str]) -> dict[str, str]:
        """Question words that name exactly one document by its kind or its author ("评论", "讲话", "秦永方"),
        each with that document. Topic words of a title ("方案", "医院") do not name a document."""
        out: dict[str, str] = {}
        for term in terms:
            key = match_form(term)
            if len(key) < 2 or key.isdigit() or any(key in r for r in self._regions):
                continue  # a place is the subject of a question ("裕安区人民政府" issues, but 裕安区 is asked about)
            named = [d for d, (kind, issuer) in self._source.items() if key == kind or (len(key) >= 3 and key in issuer)]
            if len(named) == 1:
                out[term] = named[0]
        return out
