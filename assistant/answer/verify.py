"""Sentence-level verification of a generated answer against the numbered evidence it cites."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from ..textnorm import CJK, CN_DIGITS, cn_int, match_form

# Models write citations as [1], [1,2], [1、2], ［1］ or 【1】; all are read as the same markers.
_MARKER_GROUP = re.compile(r"[\[［【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]］】]")
_MARKER = re.compile(r"\[(\d{1,3})\]")
# A sentence ends at 。！？!? or a line break; citations written after the stop still belong to it.
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)(?:[ \t]*\[\d{1,3}\])*[ \t]*\n?")
# Numbers are compared in match_form (ASCII colons, half-width digits); ratio before percent before plain.
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?::\d+(?:\.\d+)?)+|\d+(?:\.\d+)?%|\d+(?:\.\d+)?")
_CN_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百]+)(?:点([零〇一二三四五六七八九]+))?")
_RUN = re.compile(f"[{CJK}a-z]+")
# Sentences about the documents themselves (absence, premise) may stand without a citation.
_ABSENCE = re.compile(r"没有找到|未找到|找不到|没有提及|未提及|没有涉及|未涉及|没有相关|无相关|无法回答|未说明|没有说明|未作规定|没有规定|未规定")
_PREMISE = re.compile(r"前提|不符|并非|并未|并无")
_ABOUT_DOCS = re.compile(r"文件|证据|材料|资料|原文|政策|方案")
# Only explicit negations: a bare 未/无 also occurs in ordinary rules ("未经批准不得…") that need a citation.
_NEGATION = re.compile(r"没有|并无|并未|并非|不是")
# "1." "（2）" "-" at the start of a list line number the answer, not a fact from the documents.
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.．、)）](?!\d)|[（(]\d{1,2}[)）]|[-*•])\s*")


def normalize_markers(text: str) -> str:
    """Rewrite every citation form to [n][m] so one pattern reads them all.

    >>> normalize_markers("按6:3:1分配【1，2】。")
    '按6:3:1分配[1][2]。'
    """
    return _MARKER_GROUP.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text)


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def split_sentences(text: str) -> list[str]:
    """Sentences of a generated answer, each with its trailing citations and line break.

    >>> split_sentences("按6:3:1分配。[1]原因是倾斜基层[2]。\\n")
    ['按6:3:1分配。[1]', '原因是倾斜基层[2]。\\n']
    """
    return [m.group(0) for m in _SENTENCE.finditer(normalize_markers(text)) if m.group(0).strip()]


def _percent_words(text: str) -> str:
    """百分之九十五 -> 95% so a spelled-out percentage is checked like a written one."""

    def repl(m: re.Match) -> str:
        whole = cn_int(m.group(1))
        if whole is None:
            return m.group(0)
        frac = "".join(str(CN_DIGITS[ch]) for ch in m.group(2)) if m.group(2) else ""
        return f"{whole}.{frac}%" if frac else f"{whole}%"

    return _CN_PERCENT.sub(repl, text)


def numbers_in(text: str) -> list[str]:
    """Ratios, percentages and plain numbers in match_form, citation markers ignored.

    >>> numbers_in("按6∶3∶1分配，包干比例百分之九十五[1]")
    ['6:3:1', '95%']
    """
    return _NUMBER.findall(_percent_words(match_form(_ENUMERATOR.sub("", strip_markers(text)))))


def number_pool(text: str) -> tuple[set[str], set[str]]:
    """(whole tokens, components) of the numbers in an evidence text."""
    whole = set(numbers_in(text))
    parts = {p for tok in whole for p in re.split(r"[:%]", tok) if p}
    return whole, parts


def number_supported(num: str, whole: set[str], parts: set[str]) -> bool:
    # A ratio or percentage must appear as written; a plain number may be part of one (2017 in 〔2017〕).
    if ":" in num or num.endswith("%"):
        return num in whole
    return num in whole or num in parts


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese/Latin runs of text, numbers and punctuation as breaks."""
    form = _NUMBER.sub(" ", _percent_words(match_form(strip_markers(text))))
    out: set[str] = set()
    for run in _RUN.findall(form):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def coverage(sentence_grams: set[str], evidence_grams: set[str]) -> float:
    if not sentence_grams:
        return 1.0
    return len(sentence_grams & evidence_grams) / len(sentence_grams)


def is_about_documents(sentence: str) -> bool:
    """True for a sentence that states what the documents do not say or that the premise is wrong."""
    form = match_form(strip_markers(sentence))
    return bool(_ABSENCE.search(form) or _PREMISE.search(form) or (_ABOUT_DOCS.search(form) and _NEGATION.search(form)))


def is_absence(sentence: str) -> bool:
    return bool(_ABSENCE.search(match_form(sentence)))


def is_premise(sentence: str) -> bool:
    return bool(re.search(r"前提|不符", match_form(sentence)))


@dataclass
class Checked:
    """One sentence of the model's answer and what verification made of it."""

    text: str
    kind: str  # fact | meta | lead | dropped
    cited: list[int] = field(default_factory=list)  # evidence numbers (1-based) that support it
    reason: str = ""


@dataclass
class Verifier:
    """Keeps the sentences whose numbers and wording are found in the evidence they cite.

    min_overlap: share of the sentence's character bigrams that must occur in its cited evidence.
    min_grams: sentences with fewer bigrams than this are judged on citation and numbers alone.
    """

    min_overlap: float = 0.5
    min_grams: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.min_overlap <= 1.0:
            raise ValueError(f"min_overlap must be within (0, 1], got {self.min_overlap}")
        if self.min_grams < 0:
            raise ValueError(f"min_grams must be >= 0, got {self.min_grams}")

    def check(self, answer: str, evidence: Sequence[str], question: str = "",
              spans: Sequence[Sequence[Sequence[int]] | None] | None = None) -> list[Checked]:
        """Judge every sentence of answer; evidence[i] is the text numbered [i+1] in the prompt.

        spans[i] are the [start, end] sentence offsets inside evidence[i] (split here when not given): a
        sentence is judged against the quote its citation will show (best_span), not the whole passage, so
        words gathered from different sentences of one passage do not add up to a supported claim.
        """
        given = list(spans) if spans is not None else []
        sentence_spans = [given[i] if i < len(given) and given[i] else _spans_of(e) for i, e in enumerate(evidence)]
        asked = set(numbers_in(question))
        out = [self._one(s, evidence, sentence_spans, asked) for s in split_sentences(answer)]
        # A lead-in ("比例如下：") only stays when the sentence it introduces stays.
        for i, c in enumerate(out):
            if c.kind == "lead" and not (i + 1 < len(out) and out[i + 1].kind == "fact"):
                c.kind, c.reason = "dropped", "lead-in without a verified sentence"
        return out

    def _one(self, sentence: str, evidence: Sequence[str], spans, asked: set[str]) -> Checked:
        cited = []
        for n in (int(x) for x in _MARKER.findall(sentence)):
            if 1 <= n <= len(evidence) and n not in cited:
                cited.append(n)
        nums = numbers_in(sentence)
        meta = is_about_documents(sentence)
        # A correction may repeat the user's own (wrong) number while denying it.
        allowed_extra = asked if meta else set()
        if cited:
            quotes = []
            for n in cited:
                text = evidence[n - 1]
                s, e = best_span(sentence, spans[n - 1], text) if spans[n - 1] else (0, len(text))
                quotes.append(text[s:e])
            pools = [number_pool(q) for q in quotes]
            whole = set().union(*(p[0] for p in pools))
            parts = set().union(*(p[1] for p in pools))
            missing = [x for x in nums if x not in allowed_extra and not number_supported(x, whole, parts)]
            sgrams = bigrams(sentence)
            cov = coverage(sgrams, set().union(*(bigrams(q) for q in quotes)))
            if not missing and (len(sgrams) < self.min_grams or cov >= self.min_overlap):
                return Checked(sentence, "fact", cited)
            reason = f"numbers not in cited quote: {missing}" if missing else f"overlap {cov:.2f} too low"
        else:
            reason = "no valid citation"
        # Statements about the documents carry no fact of their own, so they may stand uncited,
        # but only with numbers the user wrote; any other number would be an unverified fact.
        if meta and all(x in asked for x in nums):
            return Checked(sentence, "meta", [], reason)
        body = strip_markers(sentence).strip()
        if not nums and not cited and body.endswith(("：", ":")) and len(body) <= 30:
            return Checked(sentence, "lead", [], reason)
        return Checked(sentence, "dropped", cited, reason)


_EVIDENCE_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def _spans_of(text: str) -> list[list[int]]:
    """Sentence offsets of an evidence text given without them."""
    return [list(trim(text, m.start(), m.end())) for m in _EVIDENCE_SENTENCE.finditer(text) if m.group(0).strip()]


def best_span(sentence: str, spans: Sequence[Sequence[int]], text: str) -> tuple[int, int]:
    """The sentence span (or two adjacent ones) of a chunk that best supports an answer sentence.

    spans are absolute [start, end] offsets into text; the result covers every number of the
    answer sentence that the chunk holds, so a reader finds the figure in the quote itself.
    """
    if not spans:
        raise ValueError("no spans to choose from")
    want_grams = bigrams(sentence)
    want_nums = numbers_in(sentence)

    def score(s: int, e: int) -> tuple[int, float, int]:
        whole, parts = number_pool(text[s:e])
        found = sum(number_supported(x, whole, parts) for x in want_nums)
        return found, coverage(want_grams, bigrams(text[s:e])), -(e - s)

    i = max(range(len(spans)), key=lambda k: score(*spans[k]))
    s, e = spans[i]
    best = score(s, e)
    if best[0] < len(want_nums):
        # Numbers split across two sentences: take the neighbour that brings the most of them.
        options = [(spans[j][0], e) if j < i else (s, spans[j][1]) for j in (i - 1, i + 1) if 0 <= j < len(spans)]
        if options:
            wider = max(options, key=lambda se: score(*se))
            if score(*wider)[0] > best[0]:
                s, e = wider
    return trim(text, s, e)


def trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) past surrounding whitespace so the quote reads cleanly and stays an exact slice."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def place_markers(sentence: str, numbers: Sequence[int]) -> str:
    """The sentence without its old markers, new [n] markers put before its closing punctuation.

    >>> place_markers("按6:3:1分配。[3]", [1])
    '按6:3:1分配[1]。'
    """
    body = strip_markers(sentence)
    tail_ws = body[len(body.rstrip()) :]
    body = body.rstrip()
    core = body.rstrip("。！？!?；;，,")
    marks = "".join(f"[{n}]" for n in numbers)
    return core + marks + body[len(core) :] + tail_ws


__all__ = [
    "Checked", "Verifier", "best_span", "bigrams", "coverage", "is_absence", "is_premise", "normalize_markers",
    "numbers_in", "place_markers", "split_sentences", "strip_markers", "trim",
]
