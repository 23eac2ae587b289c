"""The "培训" tab: generate a quiz from the index, take it, see the score with cited explanations, export it."""
from __future__ import annotations

import importlib
import logging
import tempfile
from pathlib import Path
from typing import Any, Mapping

from .render import esc

log = logging.getLogger("assistant.web")

UNAVAILABLE = "培训功能暂不可用：本系统未安装出题模块（assistant.quiz）。问答功能不受影响。"
TF_CHOICES = ["对", "错"]  # the words the quiz's answers and explanations use


def quiz_module():
    """assistant.quiz or None; imported lazily because it is optional and written separately."""
    try:
        return importlib.import_module("assistant.quiz")
    except ImportError:
        log.info("assistant.quiz not importable; training tab shows a notice")
        return None


def is_true_false(item: Mapping[str, Any]) -> bool:
    kind = str(item.get("type", "")).lower()
    return any(k in kind for k in ("true", "judge", "tf", "bool", "判断"))


LETTERS = "ABCDEFGH"


def answer_widget(item: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """("choice", [(label, value)]) for multiple choice and true/false items, ("text", []) for fill-in-the-blank.

    Choice items are answered by letter, which the grader takes as decisive.
    """
    choices = item.get("choices")
    if choices:
        return "choice", [(f"{LETTERS[i]}. {c}", LETTERS[i]) for i, c in enumerate(choices[: len(LETTERS)])]
    if is_true_false(item):
        return "choice", [(c, c) for c in TF_CHOICES]
    return "text", []


def generate(assistant, n: int, sources: list[str] | None, seed: int = 0,
             script: str = "simplified") -> tuple[dict[str, Any] | None, str]:
    """(quiz, notice HTML). A failed generation returns no quiz and a Chinese message. The quiz's shown texts are
    in `script` (item ids, letters and verbatim quotes stay, so grading and sources are unchanged)."""
    quiz = quiz_module()
    if quiz is None:
        return None, f'<div class="pa-notice">{esc(UNAVAILABLE)}</div>'
    try:
        result = quiz.generate_quiz(assistant.index, n=int(n), seed=int(seed or 0), kinds=None, sources=sources or None)
    except Exception as exc:  # QuizError carries a Chinese message; anything else is logged, not shown raw
        if type(exc).__name__ in ("QuizError", "QueryError"):
            return None, f'<div class="pa-notice">{esc(exc)}</div>'
        log.exception("quiz generation failed")
        return None, '<div class="pa-notice">生成试题时出错，请稍后重试。</div>'
    from ..display import quiz_in_script

    result = quiz_in_script(result, script)
    notes = "".join(f'<div class="pa-notice">{esc(m)}</div>' for m in result.get("notices", []))
    if not result.get("items"):
        notes += '<div class="pa-notice">所选文档中没有可出题的内容，请换一些文档再试。</div>'
    return result, notes


def question_html(i: int, item: Mapping[str, Any]) -> str:
    kind = {"choice": "选择题", "text": "填空题"}[answer_widget(item)[0]]
    if is_true_false(item):
        kind = "判断题"
    return (f'<div class="pa-quiz-q"><span class="pa-badge">第 {i + 1} 题 · {kind}</span>'
            f'<div class="pa-quiz-text">{esc(item.get("question"))}</div></div>')


def grade(quiz_dict: Mapping[str, Any], answers: Mapping[str, Any]) -> str:
    """Score HTML with each item's expected answer, explanation and cited passage."""
    quiz = quiz_module()
    if quiz is None:
        return f'<div class="pa-notice">{esc(UNAVAILABLE)}</div>'
    clean = {k: ("" if v is None else str(v)) for k, v in answers.items()}
    try:
        result = quiz.grade_quiz(dict(quiz_dict), clean)
    except Exception as exc:
        if type(exc).__name__ in ("QuizError", "QueryError"):
            return f'<div class="pa-notice">{esc(exc)}</div>'
        log.exception("quiz grading failed")
        return '<div class="pa-notice">判分时出错，请稍后重试。</div>'
    return render_results(result, quiz_dict)


def _given_text(item: Mapping[str, Any] | None, given: Any) -> str:
    """The trainee's answer written as the expected one is: "A. 2013年" for a letter of a choice item."""
    given = "" if given is None else str(given).strip()
    choices = (item or {}).get("choices") or []
    if len(given) == 1 and given.upper() in LETTERS[: len(choices)]:
        return f"{given.upper()}. {choices[LETTERS.index(given.upper())]}"
    return given


def render_results(result: Mapping[str, Any], quiz: Mapping[str, Any] | None = None) -> str:
    from ..display import in_script, script_of

    items = {str(it.get("id")): it for it in (quiz or {}).get("items", [])}
    rows = []
    for i, r in enumerate(result.get("results", []), start=1):
        ok = bool(r.get("correct"))
        cite = r.get("citation") or {}
        # The quiz was shown in one script; the grader's explanation quotes the source in its own.
        script = script_of(str((items.get(str(r.get("id"))) or {}).get("question", "")))
        explanation = in_script(str(r.get("explanation") or ""), script)
        source = ""
        if cite:
            section = cite.get("section_display") or cite.get("section")
            section = f" · {esc(section)}" if section else ""
            # The grader's explanation of a miss already quotes the passage; do not print it twice.
            quote = cite.get("quote_display") or cite.get("quote") or ""
            shown = "" if quote and in_script(quote, script) in explanation else f"“{esc(quote)}”" if quote else ""
            # The section path and the quote on lines of their own: run together they read as one sentence.
            source = (f'<div class="pa-quiz-cite">出处：《{esc(cite.get("title"))}》{section}</div>'
                      + (f'<div class="pa-quiz-cite pa-quote">{shown}</div>' if shown else ""))
        given = _given_text(items.get(str(r.get("id"))), r.get("given"))
        if given != str(r.get("given") or "").strip():  # the grader's "答案“A”不正确" names the letter alone
            explanation = explanation.replace(f"答案“{r.get('given')}”", f"答案“{given}”", 1)
        given = esc(given) if given else "（未作答）"
        rows.append(
            f'<div class="pa-quiz-r {"pa-right" if ok else "pa-wrong"}">'
            f'<div><b>第 {i} 题</b> {"✔ 答对了" if ok else "✘ 答错了"}</div>'
            f"<div>您的答案：{given}　正确答案：{esc(r.get('expected'))}</div>"
            f'<div class="pa-quiz-exp">{esc(explanation)}</div>{source}</div>'
        )
    score, total = result.get("score", 0), result.get("total", 0)
    return f'<div class="pa-quiz-score">得分：{esc(score)} / {esc(total)}</div>' + "".join(rows)


def export_files(quiz_dict: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Paths of a Markdown and (when the quiz module can make one) a PDF file with the quiz, answer key and sources."""
    quiz = quiz_module()
    if quiz is None or not quiz_dict or not quiz_dict.get("items"):
        return None, None
    folder = Path(tempfile.mkdtemp(prefix="quiz-"))
    md = folder / "培训试题.md"
    md.write_text(quiz.export_markdown(dict(quiz_dict)), encoding="utf-8")
    pdf: Path | None = folder / "培训试题.pdf"
    try:
        quiz.export_pdf(dict(quiz_dict), pdf)
    except Exception:  # PDF is optional (reportlab, fonts); Markdown is always offered
        log.info("quiz PDF export unavailable", exc_info=True)
        pdf = None
    return str(md), (str(pdf) if pdf and pdf.exists() else None)


def build_tab(assistant, doc_labels: list[str], doc_sources: dict[str, str], display_script: str = "auto") -> None:
    """Create the tab's components inside the current gradio Blocks context."""
    import gradio as gr

    if quiz_module() is None:
        gr.HTML(f'<div class="pa-notice pa-quiz-unavailable">{esc(UNAVAILABLE)}</div>')
        return
    quiz_state = gr.State(None)
    seed_state = gr.State(0)
    script = "traditional" if display_script == "traditional" else "simplified"  # no question to follow here
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            gr.HTML('<div class="pa-side-head">出题设置</div>')
            docs = gr.CheckboxGroup(doc_labels, label="出题文档（不选则全部）", elem_id="pa-quiz-docs")
            n = gr.Slider(1, 20, value=5, step=1, label="题目数量")
            with gr.Row():
                make = gr.Button("生成试题", variant="primary", elem_id="pa-quiz-make")
                again = gr.Button("换一套题", variant="secondary", elem_id="pa-quiz-again")
            download_md = gr.DownloadButton("导出试题与答案（Markdown）", visible=False)
            download_pdf = gr.DownloadButton("导出试题与答案（PDF）", visible=False)
        with gr.Column(scale=3):
            notice = gr.HTML("")

            @gr.render(inputs=quiz_state)
            def show_quiz(q):
                if not q or not q.get("items"):
                    gr.HTML('<div class="pa-src-empty">在左侧选择文档和题目数量，点击“生成试题”。</div>')
                    return
                boxes = []
                for i, item in enumerate(q["items"]):
                    gr.HTML(question_html(i, item))
                    widget, options = answer_widget(item)
                    if widget == "choice":
                        boxes.append(gr.Radio(options, label="请选择", show_label=False, elem_classes=["pa-quiz-choice"]))
                    else:
                        boxes.append(gr.Textbox(label="请填写答案", show_label=False, placeholder="请填写答案"))
                submit = gr.Button("提交答卷", variant="primary")
                results = gr.HTML("")

                def on_submit(*values):
                    answers = {str(it["id"]): v for it, v in zip(q["items"], values)}
                    return grade(q, answers)

                submit.click(on_submit, inputs=boxes, outputs=results)

    def on_make(labels, count, s):
        sources = [doc_sources.get(x, x) for x in labels or []]
        q, notes = generate(assistant, count, sources, s, script)
        md, pdf = export_files(q) if q else (None, None)
        return q, notes, gr.update(value=md, visible=bool(md)), gr.update(value=pdf, visible=bool(pdf)), s

    outputs = [quiz_state, notice, download_md, download_pdf, seed_state]
    make.click(on_make, inputs=[docs, n, seed_state], outputs=outputs)
    # Another set of questions: the next seed (the same seed gives the same set, so a set can be given again).
    again.click(lambda labels, count, s: on_make(labels, count, int(s or 0) + 1), inputs=[docs, n, seed_state],
                outputs=outputs)
