"""Domain lexicon: jieba tokenisation with the field's dictionary, synonym groups and query filler."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .textnorm import match_form, t2s

# Ratios and percentages are facts users search for; keep them whole instead of letting jieba split them.
_FACT_RE = re.compile(r"\d+(?:\.\d+)?(?:[:：∶]\d+(?:\.\d+)?)+|\d+(?:\.\d+)?[%％]")
_WORD_RE = re.compile(r"\w", re.UNICODE)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("assistant.data").joinpath(name)))


def _read_list(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


class Lexicon:
    """Tokeniser and synonym table for Chinese policy text.

    >>> lx = Lexicon()
    >>> "医共体" in lx.tokenize("紧密型县域医共体建设")
    True
    >>> "县域医疗卫生共同体" in lx.expand_terms(["医共体"])
    True
    """

    def __init__(
        self,
        userdict: Path | None = None,
        synonyms: Path | None = None,
        filler: Path | None = None,
    ) -> None:
        import jieba  # deferred: building jieba's prefix dictionary takes ~0.5 s

        jieba.setLogLevel(60)
        self._jieba = jieba.Tokenizer()
        self._jieba.load_userdict(str(userdict or _data_path("userdict.txt")))
        self.groups: list[list[str]] = []
        self._group_of: dict[str, list[int]] = {}
        for line in _read_list(synonyms or _data_path("synonyms.tsv")):
            terms = [t2s(t.strip()) for t in line.split("\t") if t.strip()]
            if len(terms) < 2:
                continue
            self.groups.append(terms)
            for term in terms:
                self._group_of.setdefault(term, []).append(len(self.groups) - 1)
                self._jieba.add_word(term, freq=1000)
        self.filler = frozenset(t2s(w) for w in _read_list(filler or _data_path("query_filler.txt")))
        # Multi-character filler is cut out before segmentation: left in, jieba glues it to its neighbours
        # ("哪天发出来" -> "天发", "出来") and the glued pieces survive as nonsense terms.
        phrases = sorted((w for w in self.filler if len(w) > 1), key=len, reverse=True)
        self._phrase_re = re.compile("|".join(map(re.escape, phrases))) if phrases else None

    def tokenize(self, text: str) -> list[str]:
        """Search-mode tokens of Simplified, lower-cased text; punctuation dropped; ratios kept whole."""
        text = t2s(text).lower()
        tokens = [_norm_fact(m.group(0)) for m in _FACT_RE.finditer(text)]
        for tok in self._jieba.cut_for_search(text):
            tok = tok.strip()
            if tok and _WORD_RE.search(tok):
                tokens.append(tok)
        return tokens

    def words(self, text: str) -> list[str]:
        """The words of a text as written (precise mode, no search-mode sub-words): "".join(words(t)) == t, for
        aligning two texts."""
        return list(self._jieba.cut(text))

    def query_tokens(self, query: str, expand: bool = True) -> list[str]:
        """Tokens for the keyword side of a query: filler removed, synonyms added."""
        if self._phrase_re is not None:
            query = self._phrase_re.sub(" ", t2s(query))
        tokens = [t for t in self.tokenize(query) if t not in self.filler]
        if expand:
            tokens += [t for t in self.expand_terms(tokens) if t not in tokens]
            extra: list[str] = []
            for term in self.expand_terms(tokens):
                extra += [t for t in self.tokenize(term) if t not in tokens and t not in extra]
            tokens += extra
        return tokens

    def expand_terms(self, terms: list[str]) -> list[str]:
        """Every synonym of the given terms (the terms themselves excluded)."""
        out: list[str] = []
        for term in terms:
            for gi in self._group_of.get(t2s(term), []):
                out += [t for t in self.groups[gi] if t != term and t not in out]
        return out

    def synonyms_in(self, text: str) -> list[list[str]]:
        """Synonym groups whose terms occur in the text (for matching entities across wordings)."""
        simp = t2s(text)
        return [g for g in self.groups if any(t in simp for t in g)]


def _norm_fact(s: str) -> str:
    return match_form(s)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon()
