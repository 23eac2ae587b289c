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
