"""Script of display: show quotes, section paths, source text and quiz items in the reader's script.

The stored text stays as the source wrote it (a quote is always `text[start:end]`); what is shown follows the
question's script, or the `display_script` setting when it is not "auto".

>>> script_of("醫保基金結余怎麼分配？"), script_of("医保基金结余怎么分配？")
('traditional', 'simplified')
>>> in_script("醫共體", "simplified")
'医共体'
"""
from __future__ import annotations

from typing import Any

from .textnorm import is_traditional, s2t, t2s

SCRIPTS = ("auto", "simplified", "traditional")


def script_of(question: str, setting: str = "auto") -> str:
    """"simplified" unless the question reads as Traditional (or the setting names a script)."""
    if setting in ("simplified", "traditional"):
        return setting
    return "traditional" if is_traditional(question or "") else "simplified"


def in_script(text: str, script: str) -> str:
    """text converted to the script; text already in it is left alone (converting twice can alter words)."""
    if not text:
        return text
    if script == "traditional":
        return text if is_traditional(text) else s2t(text)
    return t2s(text)


def same_length(text: str, script: str) -> str:
    """in_script when the conversion keeps the length (offsets into it stay valid), else the text itself."""
    shown = in_script(text, script)
    return shown if len(shown) == len(text) else text


def add_display(answer, script: str) -> None:
    """Fill quote_display and section_display of every citation of an Answer; the answer text, the premise note and
    the related items follow the script too (the answerer wrote them in the question's script already)."""
    answer.script = script
    for c in answer.citations:
        c.quote_display = same_length(c.quote, script)
        c.section_display = in_script(c.section, script)
    if answer.answer:
        answer.answer = in_script(answer.answer, script)
    if answer.premise_note:
        answer.premise_note = in_script(answer.premise_note, script)
    for r in answer.related:
        if r.get("section"):
            r["section_display"] = in_script(str(r["section"]), script)


def quiz_in_script(quiz: dict[str, Any], script: str) -> dict[str, Any]:
    """A copy of a quiz whose shown texts (stems, choices, answers, explanations, citation) are in the script.

    Item ids and choice letters stay, so grading is unchanged; the citation keeps its verbatim quote and gains a
    quote_display.
    """
    items = []
    for item in quiz.get("items", []):
        shown = dict(item)
        for key in ("question", "explanation", "answer_text"):
            if isinstance(shown.get(key), str):
                shown[key] = in_script(shown[key], script)
        if isinstance(shown.get("answer"), str) and not shown.get("choices"):
            shown["answer"] = in_script(shown["answer"], script)
        if shown.get("choices"):
            shown["choices"] = [in_script(str(c), script) for c in shown["choices"]]
        cite = shown.get("citation")
        if isinstance(cite, dict):
            shown["citation"] = {**cite, "quote_display": same_length(str(cite.get("quote", "")), script),
                                 "section_display": in_script(str(cite.get("section", "")), script)}
        items.append(shown)
    return {**quiz, "items": items}
