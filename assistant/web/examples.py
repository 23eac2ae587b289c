"""Example questions for the web chat: from the settings, or derived from the loaded index and kept only when answered."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from ..textnorm import match_form, t2s

log = logging.getLogger("assistant.web")

# What stands in for the blanked fact of a quiz item, by kind of fact. Rules (quoted slogans, list
# items) are left out: their blank sits among sibling items and "什么" there asks nothing clear.
_ASK = {"ratio": "什么比例", "percent": "多少", "quantity": "多少", "date": "什么时候", "duty": "哪个部门"}
_CLAUSE = re.compile(r"[，,；;。！？!?]")
# List markers and connectives that open a sentence but mean nothing once it stands alone as a question.
_LEAD = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）.、．]\s*|第[一二三四五六七八九十]+[,，、]"
    r"|因此|同时|另外|此外|其中|另[,，]|并且|而且|但是)+"
)
# A clause opening with these depends on the clause before it ("在…的基础上", "也对…"): no question on its own.
_FRAGMENT = re.compile(r"^(?:也|并|且|而|在|于|对|结合)")
_MIN_CONTEXT = 6  # characters a question needs around its question word to say what it asks about
_MAX_CHARS = 40  # longer questions wrap badly on the example buttons
_PER_KIND = 2  # so the examples show the range of questions, not five of one kind


# Phrases of a document's own voice ("要积极争取…", "切实加强…"): a question that keeps them is the text turned
# round, not one a person would ask ("裕安区哪个部门要积极争取中央预算内投资？").
_DOCUMENT_VOICE = re.compile(r"要积极|积极|大力|切实|着力|努力|进一步|认真|扎实|务必|坚决|要加强|要按照|要在")
_KEY_FACTS = ("ratio", "percent", "quantity", "date")  # the values officials look up
_QUESTION_WORD = re.compile(r"什么|多少|哪|几|怎么|如何|是否|何时")


def example_questions(assistant, settings, limit: int = 5, tries: int = 8) -> list[str]:
    """The configured web_examples, else the curated examples of the corpus manifest, else up to `limit` questions
    derived from the index that read well (readable()) and that the assistant answers.

    Derived questions cost one quiz generation and at most `tries` answers, once when the app is built.
    """
    if settings.web_examples:
        return [q for q in (s.strip() for s in settings.web_examples) if q]
    curated = manifest_examples(assistant.index)
    if curated:
        return curated[:limit]
    try:
        candidates = _candidates(assistant.index, tries)
    except Exception:  # examples are a convenience: an index they cannot be made from still serves the chat
        log.warning("no example questions could be derived from the index", exc_info=True)
        return []
    out: list[str] = []
    for question, value in candidates:
        if len(out) >= limit:
            break
        try:
            answer = assistant.ask(question)
        except Exception:
            log.debug("example candidate failed: %s", question, exc_info=True)
            continue
        # Not abstaining is not enough: an answer without the blanked fact answered some other question.
        if not answer.abstained and match_form(value) in match_form(answer.answer):
            out.append(question)
    return out


def _candidates(index, n: int) -> list[tuple[str, str]]:
    """Up to n distinct (question, expected fact) pairs made from fill-in-the-blank quiz items."""
    from ..quiz import generate_quiz

    # The quiz already spreads items over kinds of fact, documents and sections; ask it for more
    # items than needed because rules are skipped and some stems do not make a clear question.
    quiz = generate_quiz(index, n=n * 4, seed=0, types=["fill_blank"])
    out: list[tuple[str, str]] = []
    per_kind: dict[str, int] = {}
    for item in quiz["items"]:
        kind = item.get("fact_kind", "")
        q = question_from_item(item)
        if not q or any(q == seen for seen, _ in out) or per_kind.get(kind, 0) >= _PER_KIND:
            continue
        doc = index.document(str((item.get("citation") or {}).get("source", "")))
        q = with_place(q, doc.region if doc is not None else "")
        if not readable(q, kind, [str((item.get("citation") or {}).get("section", "")), doc.title if doc else ""]):
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        out.append((q, str(item.get("answer_text") or item.get("answer") or "")))
        if len(out) >= n:
            break
    return out


def manifest_examples(index) -> list[str]:
    """The `examples` of the manifest of the corpus the index was built from (when that folder is still there)."""
    from ..ingest.manifest import read_examples

    corpus = str((getattr(index, "manifest", None) or {}).get("corpus_dir") or "")
    if not corpus:
        return []
    path = Path(corpus)
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, Path(index.path).parent.parent / path]
    for folder in candidates:
        if (folder / "manifest.toml").exists():
            return read_examples(folder)
    return []


def readable(question: str, kind: str, headings: list[str]) -> bool:
    """A question a person would ask: it asks something, in the asker's words rather than the document's voice,
    about a key fact (a ratio, share, count or date) or about a topic the document's headings or title name.

    >>> readable("裕安区哪个部门要积极争取中央预算内投资？", "duty", ["五、部门职责"])
    False
    >>> readable("医保基金结余按什么比例分配？", "ratio", [])
    True
    """
    core = _QUESTION_WORD.sub("", question.rstrip("？?"))
    if not _QUESTION_WORD.search(question) or _DOCUMENT_VOICE.search(question) or len(core) < _MIN_CONTEXT:
        return False
    if kind in _KEY_FACTS:
        return True
    topics = t2s("".join(headings))
    # A shared two-character word of the headings says the question is about what the section is about.
    return any(core[i:i + 2] in topics for i in range(len(core) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", core[i:i + 2]))


def question_from_item(item: dict[str, Any]) -> str:
    """The quoted sentence of a quiz item with its fact turned into a question word, cut to the fact's clause.

    "发改部门要积极争取中央预算内投资,加大…" about 发改部门 -> "哪个部门要积极争取中央预算内投资？";
    '' when the clause does not make a clear question on its own.
    """
    from ..quiz.facts import org_class

    kind = item.get("fact_kind", "")
    word = _ASK.get(kind)
    # Simplified throughout: the connective checks below are written for it and the buttons show it.
    value = t2s(str(item.get("answer_text") or item.get("answer") or ""))
    sentence = t2s(str((item.get("citation") or {}).get("quote", "")))
    # The quiz only asks about a value stated once in its sentence, so its position is unambiguous.
    at = sentence.find(value) if value else -1
    if not word or at < 0:
        return ""
    if kind == "quantity":
        word += re.sub(r"^[\d０-９.．]+(?:余|多)?", "", value)  # keep the unit: 多少家, 多少周岁
    elif kind == "duty" and org_class(value) == "inst":
        word = "哪个机构"
    starts = [m.end() for m in _CLAUSE.finditer(sentence, 0, at)]
    ends = [m.start() for m in _CLAUSE.finditer(sentence, at + len(value))]
    begin = starts[-1] if starts else 0
    end = ends[0] if ends else len(sentence)
    before, after = _LEAD.sub("", sentence[begin:at].strip()), sentence[at + len(value) : end].strip()
    if not before and not after and ends:
        # A fact that is a clause of its own ("2014年,被确定为…试点") is asked about with the clause after it.
        after = sentence[ends[0] + 1 : ends[1] if len(ends) > 1 else len(sentence)].strip()
    if len(before) + len(after) < _MIN_CONTEXT or _FRAGMENT.match(before):
        return ""
    if word == "什么比例" and after.startswith(("比例", "的比例")):
        word = "什么"
    question = (before + word + after).rstrip("：:") + "？"
    if len(question) > _MAX_CHARS or not _balanced(question):
        return ""
    return question


_PLACE_PART = re.compile(r"[\u4e00-\u9fff]+?(?:自治区|省|市|区|县|旗|州|盟)")


def with_place(question: str, region: str) -> str:
    """"什么时候被确定为…试点旗县？" -> "准格尔旗什么时候被确定为…"：a question cut from one sentence loses the
    place the document is about; the document's own region (its most specific part) gives it back."""
    parts = _PLACE_PART.findall(t2s(region or ""))  # "安徽省六安市裕安区" -> 安徽省, 六安市, 裕安区
    place = parts[-1] if parts else ""
    if (not place or place.startswith("某") or place in question or question.startswith(tuple("省市区县旗国"))
            or len(place) + len(question) > _MAX_CHARS):
        return question  # "省《意见》规定…" already says whose rule it is
    return place + question


def _balanced(text: str) -> bool:
    """False when a clause cut left a bracket or quote open ("完成“三会两文”(政府常务会、…")."""
    pairs = ("()", "（）", "《》", "“”", "「」", "[]", "【】")
    return all(text.count(a) == text.count(b) for a, b in pairs)
