"""Question files: load and validate JSONL question sets, and check gold quotes against an index."""
from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..textnorm import is_traditional, match_form
from .metrics import satisfies


class EvalError(ValueError):
    """A question file or evaluation request that cannot be used; the message is shown to the user as is."""


KNOWN_FIELDS = {"id", "question", "category", "answerable", "must_include", "gold", "tags", "split", "premise_note_expected"}
UNANSWERABLE = "unanswerable"
FALSE_PREMISE = "false_premise"
# Quotes longer than this are hard to read in a report and usually span several facts.
MAX_QUOTE_CHARS = 130
MIN_QUOTE_CHARS = 6


@dataclass
class Gold:
    source: str
    quote: str


@dataclass
class Question:
    """One evaluation question; must_include is a list of groups, each a list of acceptable strings."""

    id: str
    question: str
    category: str = "other"
    answerable: bool | None = None
    must_include: list[list[str]] = field(default_factory=list)
    gold: list[Gold] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    split: str = ""
    premise_note_expected: str = ""
    line: int = 0

    @property
    def judged(self) -> bool:
        """True when the file says what a correct answer contains (or that there is none)."""
        return bool(self.must_include) or self.answerable is False

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "category": self.category,
            "answerable": self.answerable,
            "must_include": self.must_include,
            "gold": [{"source": g.source, "quote": g.quote} for g in self.gold],
            "tags": self.tags,
            "split": self.split,
        }
        if self.premise_note_expected:
            d["premise_note_expected"] = self.premise_note_expected
        return d


@dataclass
class LoadResult:
    """Questions that parsed, plus one Chinese message per skipped line and per non-fatal oddity."""

    questions: list[Question]
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Malformed(ValueError):
    pass


def _str_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise _Malformed(f"{what} 必须是非空字符串的列表")
    return [s.strip() for s in value]


def _groups(value: Any) -> list[list[str]]:
    """must_include: [[a, b], [c]]; a bare string inside is read as a group of one (trainers often write that)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed("must_include 必须是列表，每项是可接受说法的列表，如 [[\"6:3:1\"], [\"牵头医院\", \"龙头医院\"]]")
    groups = []
    for g in value:
        if isinstance(g, str):
            g = [g]
        groups.append(_str_list(g, "must_include 的每一组"))
        if not groups[-1]:
            raise _Malformed("must_include 中有空的组")
    return groups


def _gold(value: Any) -> list[Gold]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed("gold 必须是列表，每项形如 {\"source\": \"文件名\", \"quote\": \"原文\"}")
    out = []
    for g in value:
        if not isinstance(g, dict) or not isinstance(g.get("source"), str) or not isinstance(g.get("quote"), str):
            raise _Malformed("gold 的每项必须有文本字段 source 和 quote")
        if not g["source"].strip() or not g["quote"]:
            raise _Malformed("gold 的 source 和 quote 不能为空")
        out.append(Gold(g["source"].strip(), g["quote"]))
    return out


def parse_record(rec: Any, line: int) -> Question:
    """A Question from one decoded JSON line; raises _Malformed with the reason."""
    if not isinstance(rec, dict):
        raise _Malformed("不是 JSON 对象")
    question = rec.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _Malformed("缺少 question（非空文本）")
    qid = rec.get("id", f"L{line}")
    if not isinstance(qid, (str, int)) or isinstance(qid, bool) or not str(qid).strip():
        raise _Malformed("id 必须是文本或整数")
    category = rec.get("category") or "other"
    if not isinstance(category, str):
        raise _Malformed("category 必须是文本")
    answerable = rec.get("answerable")
    if answerable is not None and not isinstance(answerable, bool):
        raise _Malformed("answerable 必须是 true 或 false")
    split = rec.get("split") or ""
    note = rec.get("premise_note_expected") or ""
    if not isinstance(split, str) or not isinstance(note, str):
        raise _Malformed("split 和 premise_note_expected 必须是文本")
    must_include, gold = _groups(rec.get("must_include")), _gold(rec.get("gold"))
    if answerable is None:
        # Unstated: an "unanswerable" category says no; facts or quotes to find say yes; otherwise unknown.
        answerable = False if category == UNANSWERABLE else (True if must_include or gold else None)
    return Question(
        id=str(qid).strip(),
        question=question.strip(),
        category=category.strip(),
        answerable=answerable,
        must_include=must_include,
        gold=gold,
        tags=_str_list(rec.get("tags"), "tags"),
        split=split.strip(),
        premise_note_expected=note.strip(),
        line=line,
    )


def parse_lines(lines: Iterable[str], name: str = "问题文件") -> LoadResult:
    """Parse JSONL text; a malformed line is reported with its number and skipped, the rest is kept."""
    result = LoadResult([])
    seen: set[str] = set()
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except ValueError as exc:
            result.skipped.append(f"第 {n} 行不是合法 JSON（{getattr(exc, 'msg', exc)}），已跳过。")
            continue
        try:
            q = parse_record(rec, n)
        except _Malformed as exc:
            result.skipped.append(f"第 {n} 行格式有误：{exc}，已跳过。")
            continue
        if q.id in seen:
            result.skipped.append(f"第 {n} 行的 id {q.id} 与前面重复，已跳过。")
            continue
        seen.add(q.id)
        unknown = sorted(set(rec) - KNOWN_FIELDS)
        if unknown:
            result.warnings.append(f"第 {n} 行有未知字段 {', '.join(unknown)}（已忽略，是否拼错？）")
        result.questions.append(q)
    if not result.questions:
        detail = f"（{len(result.skipped)} 行格式有误）" if result.skipped else ""
        raise EvalError(f"{name} 中没有可用的问题{detail}。每行应是一个 JSON 对象，至少含 question 字段。")
    return result


def load_questions(path: str | Path) -> LoadResult:
    """Read a question file; EvalError when it is missing, unreadable or holds no usable question."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise EvalError(f"找不到问题文件 {p}。") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"无法读取问题文件 {p}：{exc}") from exc
    if not text.strip():
        raise EvalError(f"问题文件 {p} 是空的。每行应是一个 JSON 对象，如 {{\"id\": \"q1\", \"question\": \"…\"}}。")
    return parse_lines(text.splitlines(), name=f"问题文件 {p}")


def select_split(questions: list[Question], split: str) -> list[Question]:
    """Questions of one split ("all" keeps every question, with or without a split field)."""
    if split == "all":
        return list(questions)
    chosen = [q for q in questions if q.split == split]
    if not chosen:
        have = sorted({q.split for q in questions if q.split})
        hint = f"文件中的 split 有：{'、'.join(have)}" if have else "文件中的问题没有 split 字段，请用 --split all"
        raise EvalError(f"没有 split 为 {split} 的问题（{hint}）。")
    return chosen


@dataclass
class Problem:
    """A checker finding; errors make metrics wrong, warnings make them harder to read."""

    id: str
    level: str  # error | warning
    message: str

    def __str__(self) -> str:
        return f"[{'错误' if self.level == 'error' else '提示'}] {self.id}: {self.message}"


def _dedup_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", match_form(text))


def check_questions(questions: list[Question], index_data) -> list[Problem]:
    """Every gold quote verbatim in its document's canonical text; every must_include group supported by the quotes.

    Also flags inconsistent answerability, duplicate questions and tags that contradict the text,
    because each of these silently distorts a reported figure.
    """
    problems: list[Problem] = []
    seen: dict[str, str] = {}

    def add(q: Question, level: str, msg: str) -> None:
        problems.append(Problem(q.id, level, msg))

    for q in questions:
        key = _dedup_key(q.question)
        if key in seen:
            add(q, "warning", f"与 {seen[key]} 的问题重复")
        seen.setdefault(key, q.id)
        if q.answerable is False and (q.must_include or q.gold):
            add(q, "error", "标为不可回答，却给了 must_include 或 gold")
        if q.category == UNANSWERABLE and q.answerable is not False:
            add(q, "error", "类别为 unanswerable，answerable 应为 false")
        if q.answerable and q.category != UNANSWERABLE and q.must_include and not q.gold:
            add(q, "warning", "有 must_include 但没有 gold，检索指标不计这道题")
        if q.category == FALSE_PREMISE and not q.premise_note_expected:
            add(q, "warning", "false_premise 题缺少 premise_note_expected")
        if q.premise_note_expected and q.category != FALSE_PREMISE:
            add(q, "warning", "premise_note_expected 只用于 false_premise 题")
        if ("traditional" in q.tags) != is_traditional(q.question):
            add(q, "warning", "traditional 标签与问题文字的繁简不符")
        for g in q.gold:
            doc = index_data.document(g.source)
            if doc is None:
                add(q, "error", f"索引中没有文档 {g.source}")
                continue
            if g.quote not in doc.text:
                tolerant = match_form(g.quote) in match_form(doc.text)
                why = "（仅在繁简/全半角/空白归一后能找到）" if tolerant else "（清洗后的正文中没有；可能被当作网页框架删去）"
                add(q, "error", f"引文不在 {g.source} 的正文中{why}：{g.quote}")
            if not MIN_QUOTE_CHARS <= len(g.quote) <= MAX_QUOTE_CHARS:
                add(q, "warning", f"引文长度 {len(g.quote)}（宜在 {MIN_QUOTE_CHARS}–{MAX_QUOTE_CHARS} 字之间）")
        if q.gold:
            joined = "".join(g.quote for g in q.gold)
            for group in q.must_include:
                if not satisfies([group], joined):
                    add(q, "error", f"must_include 组 {group} 在 gold 引文中找不到依据")
    return problems


def profile(questions: list[Question]) -> dict[str, Any]:
    """Counts per category, tag, split and (category, split), and gold quotes per source."""
    return {
        "total": len(questions),
        "category": dict(collections.Counter(q.category for q in questions)),
        "tag": dict(collections.Counter(t for q in questions for t in q.tags)),
        "split": dict(collections.Counter(q.split for q in questions)),
        "category_split": dict(collections.Counter(f"{q.category}/{q.split}" for q in questions)),
        "sources": dict(collections.Counter(g.source for q in questions for g in q.gold)),
    }
