"""Question words jieba cut across a corpus word: "服务量越多点值会怎样" gives 多点/值会, the corpus says 点值."""
from __future__ import annotations

import re
from typing import Collection, Container

# How far a corpus word may reach past the unknown token on either side.
_REACH = 2
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def recut(simplified: str, terms: list[str], known: Container[str],
          skip: Collection[str] = ()) -> list[str]:
    """Corpus words of 2-4 characters that overlap a question term the corpus never uses.

    A term no paragraph contains is either the asker's own word or a mis-cut; the words the corpus does use
    over the same characters are what a mis-cut hid. They are added, never substituted: an unknown term may
    still be the asker's word, and its weight keeps an off-corpus question looking off-corpus.

    `known`: the words the corpus uses (the IDF table's document frequencies).

    >>> recut("服务量越多点值会怎样", ["多点", "值会"], {"多点", "点值"})
    ['点值']
    """
    found: list[str] = []
    for term in terms:
        if len(term) < 2 or not _HAN.fullmatch(term) or term in known:
            continue
        at = simplified.find(term)
        if at < 0:
            continue
        lo, hi = max(0, at - _REACH), min(len(simplified), at + len(term) + _REACH)
        for i in range(lo, hi):
            for n in (4, 3, 2):
                word = simplified[i : i + n]
                if (len(word) == n and i < at + len(term) and i + n > at and word != term and _HAN.fullmatch(word)
                        and word not in terms and word not in found and word not in skip and word in known):
                    found.append(word)
    return found
