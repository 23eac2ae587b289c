"""Which documents a question singles out, for questions that compare or ask about each of several sources."""
from __future__ import annotations

import re
from typing import Mapping

from ..textnorm import match_form
from ..types import DocRecord
from .analyze import place_core, question_type

_EACH_RE = re.compile(r"各有|各自|分别|各要求|两者|二者|异同")


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

    def __init__(self, docs: Mapping[str, DocRecord]) -> None:
        self.text_forms = {doc_id: match_form(d.text) for doc_id, d in docs.items()}
        self._meta = {doc_id: match_form(f"{d.title}{d.kind}{d.region}{d.issuer}") for doc_id, d in docs.items()}
        # Who wrote it and what kind of text it is: words that name a document rather than its subject.
        self._source = {doc_id: (match_form(d.kind), match_form(d.issuer)) for doc_id, d in docs.items()}
        self._regions = [match_form(d.region) for d in docs.values() if d.region]

    def pointed(self, terms: list[str], regions: list[str]) -> list[str]:
        out: list[str] = []
        for term in [*regions, *terms]:
            if len(term) < 2 or term.isdigit():
                continue
            key = place_core(term) if term in regions else match_form(term)
            if not key:
                continue
            meta = [d for d, f in self._meta.items() if key in f]
            text = [d for d, f in self.text_forms.items() if key in f]
            # Text alone points only with a long, specific term; short words recur across any corpus.
            hit = meta if len(meta) == 1 else text if len(text) == 1 and len(key) >= 4 else []
            if hit and hit[0] not in out:
                out.append(hit[0])
        return out

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
