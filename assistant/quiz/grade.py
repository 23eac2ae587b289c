"""Grading a trainee's answers against a quiz, accepting equivalent forms of each answer."""
from __future__ import annotations

import re
from typing import Any

from ..textnorm import match_form
from .facts import canonical, number_of, same_org
from .generate import LETTERS, TYPES, QuizError, passage

_TRUE = {"对", "正确", "对的", "正确的", "√", "✓", "✔", "true", "t", "yes", "y", "是", "1"}
_FALSE = {"错", "错误", "错的", "错误的", "不对", "不正确", "×", "✗", "✘", "x", "false", "f", "no", "n", "否", "0"}
_LETTER = re.compile(r"^[(\[（【]?([a-h])[)\]）】]?(?:$|[.、:．\s]+(.*)$)")
_EDGE = "“”\"'「」『』。.，,；;！!？?（）() "
_SEPARATORS = re.compile(r"[、，,；;\s]")


def grade_quiz(quiz: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Score answers {item_id: answer}; every item gets a result, a miss is explained with its cited passage.

    >>> grade_quiz(quiz, {"q1-ab12cd": "六比三比一"})["score"]   # doctest: +SKIP
    1
    """
    items = _check_quiz(quiz)
    _check_answers(items, answers)
    results = []
    for item in items:
        raw = answers.get(item["id"])
        given = _as_text(raw)
        correct = bool(given) and is_correct(item, given)
        expected = expected_text(item)
        if correct:
            explanation = "回答正确。"
        else:
            lead = "未作答" if not given else f"答案“{given}”不正确"
            if item["type"] == "true_false":  # its explanation says what was changed, and cites the passage
                explanation = f"{lead}。{item.get('explanation', '')}"
            else:
                explanation = f"{lead}。正确答案：{expected}。{passage(item.get('citation') or {})}"
        results.append({"id": item["id"], "correct": correct, "expected": expected, "given": given,
                        "explanation": explanation, "citation": item.get("citation", {})})
    return {"score": sum(r["correct"] for r in results), "total": len(results), "results": results}


def expected_text(item: dict[str, Any]) -> str:
    """The answer as a trainee should read it ("B. 6:3:1" for a choice item)."""
    if item["type"] == "choice":
        idx = LETTERS.find(str(item["answer"]).upper())
        choices = item.get("choices") or []
        return f"{item['answer']}. {choices[idx]}" if 0 <= idx < len(choices) else str(item["answer"])
    return str(item["answer"])


def is_correct(item: dict[str, Any], given: str) -> bool:
    kind = item.get("fact_kind", "rule")
    if item["type"] == "true_false":
        return truth_of(given) is not None and truth_of(given) == truth_of(str(item["answer"]))
    if item["type"] == "choice":
        choices = [str(c) for c in item.get("choices") or []]
        idx = LETTERS.find(str(item["answer"]).upper())
        m = _LETTER.match(match_form(given))
        if m and LETTERS.find(m.group(1).upper()) < len(choices):
            # "B" or "B. 6:3:1": the letter decides.
            return m.group(1).upper() == str(item["answer"]).upper()
        hits = [i for i, c in enumerate(choices) if equivalent(kind, c, given)]
        return hits == [idx]
    return equivalent(kind, str(item["answer"]), given)


def truth_of(text: str) -> bool | None:
    form = match_form(text).strip(_EDGE)
    return True if form in _TRUE else False if form in _FALSE else None


def equivalent(kind: str, expected: str, given: str) -> bool:
    """True when given states the same value as expected: 6:3:1 = 六比三比一, 95% = 百分之九十五, 繁 = 简."""
    given = given.strip().strip(_EDGE)
    if not given:
        return False
    if canonical(kind, given) == canonical(kind, expected):
        return True
    if kind == "duty":
        return same_org(expected, given)
    if kind in ("quantity", "percent"):
        # The number is what is asked; the unit may be left out or written in the other script.
        num = number_of(expected)
        if not num or number_of(given) != num:
            return False
        unit = canonical(kind, expected)[len(num):].lstrip("余多")
        rest = canonical(kind, given)[len(num):].lstrip("余多") if canonical(kind, given).startswith(num) else None
        return rest is not None and rest in ("", unit)
    if kind == "rule":
        return _SEPARATORS.sub("", match_form(expected)) == _SEPARATORS.sub("", match_form(given).strip(_EDGE))
    return False


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "对" if value else "错"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value).strip()


def _check_quiz(quiz: Any) -> list[dict[str, Any]]:
    if not isinstance(quiz, dict) or not isinstance(quiz.get("items"), list):
        raise QuizError("测验文件格式不对：应是 assistant quiz 生成的 JSON（含 items 列表）。")
    items = quiz["items"]
    if not items:
        raise QuizError("测验中没有题目，无法评分。")
    ids: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or item.get("type") not in TYPES or "answer" not in item:
            raise QuizError(f"测验文件格式不对：第 {n} 题缺少 id、type 或 answer。")
        if item["id"] in ids:
            raise QuizError(f"测验文件格式不对：题号 {item['id']} 重复。")
        ids.add(item["id"])
    return items


def _check_answers(items: list[dict[str, Any]], answers: Any) -> None:
    if not isinstance(answers, dict):
        raise QuizError("答案文件格式不对：应是 JSON 对象 {题号: 答案}。")
    if isinstance(answers.get("items"), list):
        raise QuizError("答案文件看起来是一份测验（含 items），请给出 {题号: 答案} 形式的答案文件。")
    if not answers:
        raise QuizError("答案文件中没有任何答案。")
    known = {item["id"] for item in items}
    unknown = [str(k) for k in answers if k not in known]
    if unknown and len(unknown) == len(answers):
        raise QuizError(f"答案文件与测验不符：题号 {_few(unknown)} 都不在本测验中，可能是另一份测验的答案（本测验的题号形如 {items[0]['id']}）。")
    if unknown:
        raise QuizError(f"答案文件与测验不符：题号 {_few(unknown)} 不在本测验中。")
    for key, value in answers.items():
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise QuizError(f"答案文件格式不对：题号 {key} 的答案应是文字，不能是列表或对象。")


def _few(ids: list[str]) -> str:
    return "、".join(ids[:3]) + (f"等 {len(ids)} 个" if len(ids) > 3 else "")
