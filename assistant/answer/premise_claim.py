"""The claim a question asserts, aligned with its best evidence clause; what differs between them, as features."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Callable, Sequence

from ..textnorm import t2s
from .analyze import number_form
from .evidence import Sentence
from .premise_figures import GRADES, Figure, figures, same_kind, same_value, to_number
from .premise_names import EDGE, abbreviates, is_name, same_head, swapped_name

# What asks for confirmation rather than information ("…，对吗", "…是吧"): the rest of the question is asserted.
ASSERT_RE = re.compile(r"对吗|对吧|对不对|是吗|是吧|是这样吗|是这样吧|是真的吗|没错吧|吧[？?，,。！!]|吧$|听说|据说|是不是|不是吗")
_TAIL_RE = re.compile(r"(?:[，,]\s*)?(?:这个说法|这种说法|这样)?(?:对吗|对吧|对不对|是吗|是吧|是这样吗|是这样吧|是真的吗|没错吧|"
                      r"吧|吗|呢)?[？?。！!\s]*$")
# Words that ask for the answer; a clause with one is the question's ask, not its claim.
ASK_RE = re.compile(r"什么|哪|多少|怎么|怎样|如何|为什么|为啥|为何|几[个项条种次年月天家名人类级]|啥|谁")
# Frames around the claim that are not part of it ("听说", "文件说", "是不是").
_FRAME_RE = re.compile(r"是不是|对不对|听说|据说|有人说|我看到|我听说|报道说|文章说|文件说|文件里说|里说|中说")
_CLAUSE_RE = re.compile(r"[，,；;。！!？?]|[:：](?!\d)")
# Negation, with the words that only look negated removed first ("不断", "不少").
_NOT_NEG = re.compile(r"不断|不少|不同|不仅|不但|不论|不管|不足|不良|不够|不利|不久|不一|不等|不定期|非常|非公|无论|并不少|未来")
NEG_RE = re.compile(r"不|未|没有|没|无需|无须|取消|不再|禁止|严禁|并非|停止|暂不|免除|免收|免交|免费")
STRONG_RE = re.compile(r"必须|强制|一律|所有|全部|都要|全都|只能|只有|只在|只对|仅|唯一|统一规定")
WEAK_RE = re.compile(r"鼓励|可以|有条件的|逐步|探索|试点|自愿|原则上|一般|引导|支持|允许|适当|可")


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if not _CLAUSE_RE.match(text[i]) and not _CLAUSE_RE.match(text[i + 1])}


def claim_text(simplified: str) -> str:
    """The question without its asking frame: "国常会是不是要求…？" -> "国常会要求…"."""
    return _FRAME_RE.sub("", _TAIL_RE.sub("", simplified.strip()))


# A clause that ends in a verb of saying ("宁夏研究发现，…", "报道称，…") names who says the claim; the claim is
# in the clauses after it.
_SAYING_END = re.compile(r"(?:发现|显示|表明|指出|认为|表示|称|说|介绍|提到|写道|强调|透露|提出)$")


def claim_clauses(simplified: str) -> list[str]:
    """The clauses that state something; a clause that asks (什么, 哪, 多少…) is left out unless all do, and a
    clause that only names a source ("宁夏研究发现") unless nothing else is left."""
    parts = [p for p in _CLAUSE_RE.split(claim_text(simplified)) if len(p) >= 3]
    stated = [p for p in parts if not ASK_RE.search(p)]
    claims = [p for p in stated if not _SAYING_END.search(p)]
    return claims or stated or parts


def _clauses(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _CLAUSE_RE.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def negated(text: str) -> bool:
    return bool(NEG_RE.search(_NOT_NEG.sub("", text)))


# How far a negation reaches: "不设起付线" denies the words just after it.
_NEG_REACH = 6


def denies_what_other_says(text: str, other: str) -> bool:
    """A negation in `text` denies words that `other`, negating nothing, states ("不设起付线" / "仍然保留起付线"):
    a character pair just after the negation word is in `other`. (Two negations worded apart, "不需" and "不需要",
    are not a denial.)"""
    if negated(other):
        return False
    plain = _NOT_NEG.sub(lambda m: "#" * len(m.group(0)), text)  # same offsets, the look-alikes masked
    return any(pair in other for m in NEG_RE.finditer(plain) for pair in bigrams(plain[m.end() : m.end() + _NEG_REACH])
               if "#" not in pair)


@dataclass
class Alignment:
    """The question's claim clause and the evidence clause it is best aligned with, and how they differ."""

    sentence: Sentence
    q_clause: str
    e_clause: str
    overlap: float
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (evidence figure, question figure)
    supported: bool = False  # a figure of the question is stated by the sentence
    fig_matched: bool = False  # a conflicting figure is said of what the question's figure is said of
    conflict_stated: bool = False  # a conflicting figure of the question is in a clause that asks nothing
    replaced: tuple[str, str] | None = None  # (evidence word, question word)
    same_head: bool = False
    equal_frac: float = 0.0
    n_replace: int = 0
    neg_q: bool = False
    neg_e: bool = False
    neg_scoped: bool = False  # a negation on one side denies words the other side states
    strong_q: bool = False
    weak_e: bool = False
    strong_e: bool = False
    weak_q: bool = False
    antonym: tuple[str, str] | None = None  # (evidence word, question word)
    swapped: tuple[str, str] | None = None  # (evidence name, question name) of one kind, anywhere in the sentence


# Added to the share of a clause's character pairs a window holds when it states a figure of the clause's kind.
FIGURE_BONUS = 0.15
# Clauses an evidence window may span, and what each past the first costs it: the tightest window that matches wins.
# Chosen with the premise model's refit on ext train/dev records (eval/README.md, stop 28).
WINDOW, WIDEN_COST = 5, 0.02


def align(simplified: str, ranked: Sequence[Sentence], top: int = 4, window: int = WINDOW,
          widen_cost: float = WIDEN_COST) -> list[Alignment]:
    """For each claim clause of the question, the evidence window (up to `window` clauses of a top sentence) sharing
    the most character pairs with it, relative to the clause, less `widen_cost` for each clause past the first; a
    higher-ranked sentence wins a tie. Best first. A claim's predicate often sits clauses after its subject ("…等发现
    市场集中度较高的地区，风险调整后的医院死亡率非但没有减少，反而出现升高的趋势"): a window of two missed it."""
    out: list[Alignment] = []
    for qc in claim_clauses(simplified):
        qb = bigrams(qc)
        if len(qb) < 2:
            continue
        # A clause claiming a figure is about that figure: a window stating one of its kind is the one to compare.
        claimed = figures(number_form(qc))
        best: Alignment | None = None
        best_fit = 0.0
        for s in ranked[:top]:
            simp = t2s(s.text)
            spans = _clauses(simp)
            for i in range(len(spans)):
                for j in range(i, min(i + window, len(spans))):
                    ec = simp[spans[i][0] : spans[j][1]]
                    ov = len(qb & bigrams(ec)) / len(qb)
                    if claimed and any(same_kind(f, g) for f in claimed for g in figures(number_form(ec))):
                        ov += FIGURE_BONUS
                    fit = ov - widen_cost * (j - i)
                    if best is None or fit > best_fit + 1e-9:
                        best, best_fit = Alignment(s, qc, ec, ov), fit
        if best is not None:
            out.append(best)
    return sorted(out, key=lambda a: -a.overlap)


def _word_pair(qw: str, ew: str, is_term: Callable[[str], bool]) -> tuple[str, str] | None:
    """(evidence word, question word) when both are short word-like spans and the question's is a term the
    documents use (a colloquial paraphrase, "给女孩打" for "接种", is not shown as a replaced word)."""
    if not (2 <= len(qw) <= 6 and 2 <= len(ew) <= 8) or not re.fullmatch(r"[\u4e00-\u9fff]+", qw + ew):
        return None
    if any(w[0] in EDGE or w[-1] in EDGE for w in (qw, ew)):
        return None  # "室的主任" / "室里": a span cut across words, not a word of each side
    if is_name(qw) != is_name(ew):
        return None  # "卫健委" / "承办": a body in one and a verb in the other are not one thing said two ways
    if abbreviates(qw, ew) or abbreviates(ew, qw):
        return None  # "京开" for "京召开": one word shortened, not another word
    return (ew, qw) if is_term(qw) else None


# Shared character pairs around two figures that make them figures of one thing.
_CONTEXT_MIN = 2


def _context(text: str, f: Figure, width: int = 8) -> set[str]:
    """The character pairs just before and after a figure: what it is a figure of."""
    end = f.start + len(f.text)
    return bigrams(re.sub(r"\d", "#", text[max(0, f.start - width) : f.start])) | bigrams(
        re.sub(r"\d", "#", text[end : end + width]))


def _fig_conflicts(q: str, window: str, sentence: str) -> tuple[list[tuple[str, str]], bool, bool, bool]:
    """(evidence figure, question figure) pairs of one kind that differ, for the question's figures the sentence
    does not state of the same thing; and whether it states any of them. A value the sentence gives to another
    thing ("超过2000次的…预约订单" where the question says "上门服务了2000多次" and the sentence "实际提供了40多次上门
    服务") is not stated: of the sentence's figures of that kind, the one whose surrounding words are the question
    figure's decides. Then whether a conflicting figure's own neighbours match the question figure's, and whether a
    conflicting question figure stands in a clause that asks nothing (a premise stated in passing: "三成市民不接受，
    卫生局怎么回应的", not the scope of the ask: "2011年的总金额是多少").
    A bare 一 before a unit ("一年最多几天", "一人多少钱") reads "a", "per": it claims no figure."""
    # Numerals as digits ("五年制" is "5年制"); the figures shown are in this form.
    raw = q
    q, window, sentence = number_form(q), number_form(window), number_form(sentence)
    off = sentence.find(window)
    conflicts, stated, matched, in_stated = [], False, False, False
    claimed = figures(q)
    clauses = _clauses(q)
    for f in claimed:
        ctx = _context(q, f)
        written = f.text in raw  # "一家" as in "已经是一家了" becomes "1家" in number form: no figure the asker wrote
        if not written and f.kind not in ("date", "%") and to_number(f.value) == 1:
            continue
        kin = [(g, len(ctx & _context(sentence, g))) for g in figures(sentence) if same_kind(f, g)]
        if f.kind in GRADES:
            # "三级综合医院" and "一级诊疗科目" are grades of different things: the words after must match.
            after = bigrams(q[f.start + len(f.text) : f.start + len(f.text) + 4])
            kin = [(g, n) for g, n in kin if same_value(f, g)
                   or after & bigrams(sentence[g.start + len(g.text) : g.start + len(g.text) + 4])]
        if f.kind == "bare":
            kin = [(g, n) for g, n in kin if n]  # a number with no unit says of what only by its neighbours
        same = max((n for g, n in kin if same_value(f, g)), default=-1)
        # Another value counts where the question's claim was aligned, or elsewhere when its neighbours match.
        # An evidence figure equal to another the question states is that one's ("2021年" in "2021年那次谈判，从2015年
        #算起"), not a contradiction of this one.
        others = [(n, g) for g, n in kin if not any(same_value(c, g) for c in claimed)
                  and (n >= _CONTEXT_MIN or 0 <= off <= g.start < off + len(window))]
        best = max(others, key=lambda x: x[0], default=None)
        # The same value loses to a closer neighbour only when its own neighbours barely match: in a row of like
        # figures ("8.7人（全国平均43.7人）…2.4人") the neighbours of each are nearly the same words.
        if same >= 0 and not (written and best and best[0] > same and best[0] >= _CONTEXT_MIN and same <= _CONTEXT_MIN):
            stated = True
        elif best:
            conflicts.append((best[1].text, f.text))
            matched = matched or best[0] >= _CONTEXT_MIN
            start, end = next(((a, b) for a, b in clauses if a <= f.start < b), (0, len(q)))
            in_stated = in_stated or not ASK_RE.search(q[start:end])
    return conflicts, stated, matched, in_stated


def compare(a: Alignment, simplified: str, is_term: Callable[[str], bool],
            antonyms: Sequence[tuple[str, str]] = (), cut: Callable[[str], list[str]] = list) -> Alignment:
    """Fill in what differs between the aligned question clause and evidence window."""
    q, e = a.q_clause, a.e_clause
    sentence = t2s(a.sentence.text)
    a.conflicts, a.supported, a.fig_matched, a.conflict_stated = _fig_conflicts(claim_text(simplified), e, sentence)
    # Aligned word by word, so that what is replaced is a whole word of each side ("卫健局" / "医保局").
    qt, et = cut(q), cut(e)
    ops = SequenceMatcher(None, qt, et, autojunk=False).get_opcodes()
    a.equal_frac = sum(len("".join(qt[i1:i2])) for tag, i1, i2, _, _ in ops if tag == "equal") / max(1, len(q))
    a.n_replace = sum(1 for op in ops if op[0] == "replace")
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "replace" or i2 - i1 > 2 or j2 - j1 > 2:
            continue
        # A swap inside a shared frame ("县[卫健局]负责" / "县[医保局]负责"): the words on both sides are the same;
        # an ask word ("多少", "几") is what the question wants, not what it claims.
        before = ops[k - 1][0] == "equal" if k > 0 else None  # None: the clause starts here
        after = ops[k + 1][0] == "equal" if k < len(ops) - 1 else None
        if not (before or after) or False in (before, after) or ASK_RE.search("".join(qt[i1:i2])):
            continue
        pair = _word_pair("".join(qt[i1:i2]), "".join(et[j1:j2]), is_term)
        if pair and not (before and after) and not same_head(*pair):
            continue  # at a clause's edge only a word of the same kind ("县卫健局" / "县医保局") is a swap
        if pair and pair[1] not in sentence and pair[0] not in simplified:
            a.replaced = pair
            a.same_head = same_head(*pair)
            break
    a.swapped = swapped_name(claim_text(simplified), sentence, cut, is_term)
    a.neg_q, a.neg_e = negated(q), negated(e)
    a.neg_scoped = denies_what_other_says(e, q) or denies_what_other_says(q, e)
    a.strong_q, a.weak_q = bool(STRONG_RE.search(q)), bool(WEAK_RE.search(q))
    a.strong_e, a.weak_e = bool(STRONG_RE.search(e)), bool(WEAK_RE.search(e))
    for word, opposite in [*antonyms, *_DIRECTIONS]:
        if word in q and opposite in e and word not in e and opposite not in q:
            a.antonym = (opposite, word)
            break
    return a


# A change said to go one way where the text says the other ("转诊变少" / "转诊数量的增加").
_UP = ("增加", "增多", "上升", "升高", "提高", "扩大", "变多", "加大")
_DOWN = ("减少", "下降", "降低", "缩小", "变少", "减小", "压缩", "减轻")
_DIRECTIONS = [(u, d) for u in _UP for d in _DOWN] + [(d, u) for u in _UP for d in _DOWN]


def modal_differs(a: Alignment) -> bool:
    """One side says must ("必须", "所有") where the other says may ("鼓励", "可以"), and not both."""
    return (a.strong_q and a.weak_e and not a.strong_e) or (a.weak_q and a.strong_e and not a.weak_e)


FEATURES = ("bias", "asserts", "asks", "overlap", "coverage", "top1", "fig_conflict", "ask_conflict", "stated_conflict", "fig_matched", "fig_support", "replaced",
            "same_head", "swapped", "equal_frac", "n_replace", "neg_diff", "neg_added", "neg_scoped", "modal_diff", "antonym")


def features(a: Alignment | None, simplified: str) -> dict[str, float]:
    """The named features of an alignment (all zero but the question's own when nothing aligns)."""
    f = dict.fromkeys(FEATURES, 0.0)
    f["bias"] = 1.0
    f["asserts"] = float(bool(ASSERT_RE.search(simplified)))
    f["asks"] = float(bool(ASK_RE.search(claim_text(simplified))))
    if a is None:
        return f
    f["overlap"] = a.overlap
    f["coverage"] = a.sentence.coverage
    f["top1"] = 1.0  # set by the caller when the aligned sentence is not the best ranked
    f["fig_conflict"] = float(bool(a.conflicts))
    # A figure stated in passing by a question that asks something else ("从7万提到了20万，超过部分还能报多少")
    # is as much a claim as one asked about: the ask weighs less there.
    f["ask_conflict"] = f["asks"] * f["fig_conflict"]
    f["stated_conflict"] = float(a.conflict_stated)
    f["fig_matched"] = float(a.fig_matched)
    f["fig_support"] = float(a.supported)
    f["replaced"] = float(a.replaced is not None)
    f["same_head"] = float(a.same_head)
    f["swapped"] = float(a.swapped is not None)
    f["equal_frac"] = a.equal_frac
    f["n_replace"] = min(a.n_replace, 4) / 4
    f["neg_diff"] = float(a.neg_q != a.neg_e)
    f["neg_added"] = float(a.neg_e and not a.neg_q)
    f["neg_scoped"] = float(a.neg_scoped)
    f["modal_diff"] = float(modal_differs(a))
    f["antonym"] = float(a.antonym is not None)
    return f


def claim_features(simplified: str, ranked: Sequence[Sentence], is_term: Callable[[str], bool],
                   antonyms: Sequence[tuple[str, str]] = (), top: int = 4, cut: Callable[[str], list[str]] = list) -> tuple[Alignment | None, dict[str, float]]:
    """Align each claim clause, compare, and measure. The alignment returned is the one whose difference is the
    strongest (a figure, then a swapped name, a replaced term, an opposite, a negation or modality), else the
    closest; its features, with each difference flag taken over all clauses."""
    found = [compare(a, simplified, is_term, antonyms, cut) for a in align(simplified, ranked, top)]
    if not found:
        return None, features(None, simplified)
    feats = [features(a, simplified) for a in found]
    for a, f in zip(found, feats):
        if ranked and a.sentence is not ranked[0]:
            f["top1"] = 0.0
    order = ("fig_conflict", "same_head", "replaced", "swapped", "antonym", "neg_diff", "modal_diff")
    pick = next((i for k in order for i, f in enumerate(feats) if f[k] and found[i].overlap >= 0.3), 0)
    merged = dict(feats[pick])
    for k in ("fig_support",):
        merged[k] = max(f[k] for f in feats)
    return found[pick], merged
