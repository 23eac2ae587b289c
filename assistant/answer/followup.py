"""Follow-up questions: rewrite an elliptical turn ("那村卫生室呢？") into a standalone question."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..textnorm import t2s

_LEAD = re.compile(r"^(那么|那|还有|另外|再问一下|再问|那如果|如果是|换成|对于|关于)[，,\s]*")
_TAIL = re.compile(r"(呢|的呢|怎么样|如何|怎样|又是什么|又如何|呀|啊)?[？?。!！\s]*$")
_PRONOUN = re.compile(r"(它|他们|她们|其|该文件|这个文件|这份文件|这个比例|这一比例|上述|这项|此项)")


@lru_cache(maxsize=1)
def entity_classes() -> dict[str, list[str]]:
    text = resources.files("assistant.data").joinpath("entities.tsv").read_text(encoding="utf-8")
    classes: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, *terms = [t.strip() for t in line.split("\t") if t.strip()]
            # Longest first so 乡镇卫生院 wins over 卫生院.
            classes[name] = sorted(terms, key=len, reverse=True)
    return classes


def find_entities(text: str) -> list[tuple[str, str]]:
    """(class, term) pairs found in the Simplified form of text, longest terms first, no overlaps."""
    simp = t2s(text)
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for cls, terms in entity_classes().items():
        for term in terms:
            for m in re.finditer(re.escape(term), simp):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((cls, term))
    return found


def is_elliptical(question: str) -> bool:
    q = question.strip()
    core = _TAIL.sub("", _LEAD.sub("", q))
    return bool(_LEAD.match(q)) or len(core) <= 5 or bool(_PRONOUN.search(q)) or q.rstrip("？?").endswith("呢")


def resolve_followup(question: str, history: list[dict[str, str]]) -> str:
    """A standalone question; unchanged when there is no history or the question stands on its own.

    >>> resolve_followup("那村卫生室呢？", [{"role": "user", "content": "乡镇卫生院分多少结余？"}])
    '村卫生室分多少结余？'
    """
    previous = [t["content"] for t in history if t.get("role") == "user" and t.get("content", "").strip()]
    if not previous or not is_elliptical(question):
        return question
    last = previous[-1]
    fragment = _TAIL.sub("", _LEAD.sub("", question.strip()))
    if not fragment:
        return last
    new_entities = find_entities(fragment)
    if new_entities:
        old = find_entities(last)
        simp_last = t2s(last)
        for cls, term in new_entities:
            same = [t for c, t in old if c == cls and t != term]
            if same:
                return simp_last.replace(same[0], term, 1)
    if _PRONOUN.search(fragment):
        return f"{last} {fragment}"
    # Nothing to swap: ask the fragment in the context of the previous question.
    return f"{fragment} {last}"
