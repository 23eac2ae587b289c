"""`assistant quiz`: generate a quiz from the index, grade a trainee's answers, export for print."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..cli import emit, friendly, index_option, settings_of
from .generate import LETTERS, TYPES, QuizError

TYPE_NAMES = {"fill_blank": "填空", "choice": "单选", "true_false": "判断"}


def _read_json(path: str, what: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise QuizError(f"找不到{what} {path}。") from exc
    except IsADirectoryError as exc:
        raise QuizError(f"{what} {path} 是一个目录，请给出 JSON 文件。") from exc
    except OSError as exc:
        raise QuizError(f"无法读取{what} {path}（{type(exc).__name__}）。") from exc
    except UnicodeDecodeError as exc:
        raise QuizError(f"{what} {path} 不是 UTF-8 文本。") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise QuizError(f"{what} {path} 不是合法的 JSON" + (f"（第 {line} 行）" if line else "") + "。") from exc


def format_quiz(quiz: dict[str, Any]) -> str:
    """Questions, then the answer key with sources, as plain text for the terminal."""
    lines = [f"提示：{note}" for note in quiz.get("notices", [])]
    for n, item in enumerate(quiz["items"], start=1):
        lines.append(f"{n}. [{TYPE_NAMES[item['type']]}] {item['question']}" + ("（对／错）" if item["type"] == "true_false" else ""))
        for letter, choice in zip(LETTERS, item.get("choices") or []):
            lines.append(f"   {letter}. {choice}")
        lines.append(f"   题号 {item['id']}")
    if quiz["items"]:
        lines.append("\n答案与出处：")
    for n, item in enumerate(quiz["items"], start=1):
        answer = item["answer"] + (f". {item['answer_text']}" if item.get("answer_text") else "")
        c = item["citation"]
        lines.append(f"{n}. {answer}    《{c['title']}》{c['section']}（{c['source']} {c['start']}–{c['end']}）")
    return "\n".join(lines)


@click.group("quiz", invoke_without_command=True)
@index_option
@click.option("--n", "n", type=int, default=5, show_default=True, help="题目数量")
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子：相同种子出同一套题")
@click.option("--kind", multiple=True, help="只从这些类型的文档出题（可重复）：方案/解读/讲话/报道/评论…")
@click.option("--source", multiple=True, help="只从这些文档出题（可重复）")
@click.option("--type", "types", multiple=True, type=click.Choice(TYPES), help="只出这些题型（可重复）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出测验")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="把测验（含答案与出处）保存为 JSON，供评分和导出")
@click.pass_context
@friendly
def quiz(ctx, index_dir, n, seed, kind, source, types, as_json, out) -> None:
    """培训模式：从索引中的文档生成测验题（附答案与出处）。子命令 grade 评分，export 导出。"""
    if ctx.invoked_subcommand is not None:
        return
    from ..store import load_index
    from .generate import generate_quiz

    settings = settings_of(ctx)
    index = load_index(index_dir or settings.index_dir, with_vectors=False)
    result = generate_quiz(index, n=n, seed=seed, kinds=list(kind) or None, sources=list(source) or None, types=list(types) or None)
    if out:
        try:
            Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as exc:
            raise QuizError(f"无法写入 {out}（{type(exc).__name__}）。") from exc
    if as_json:
        emit(result)
        return
    from ..display import quiz_in_script

    # Shown in the reader's script (Simplified unless display_script says otherwise); the saved quiz stays as made.
    click.echo(format_quiz(quiz_in_script(result, "traditional" if settings.display_script == "traditional" else "simplified")))
    if out:
        click.echo(f"\n测验已保存到 {out}。评分：assistant quiz grade {out} 答案.json；打印：assistant quiz export {out} --format pdf --out 测验.pdf")


@quiz.command()
@click.argument("quiz_file", type=click.Path(dir_okay=False))
@click.argument("answers_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出评分结果")
@friendly
def grade(quiz_file, answers_file, as_json) -> None:
    """给学员答案评分。答案文件为 JSON 对象 {题号: 答案}。"""
    from .grade import grade_quiz

    result = grade_quiz(_read_json(quiz_file, "测验文件"), _read_json(answers_file, "答案文件"))
    if as_json:
        emit(result)
        return
    click.echo(f"得分：{result['score']} / {result['total']}")
    for r in result["results"]:
        mark = "✓" if r["correct"] else "✗"
        click.echo(f"{mark} {r['id']}  {r['explanation']}")


@quiz.command()
@click.argument("quiz_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "pdf"]), default="md", show_default=True, help="导出格式")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="输出文件（md 缺省时打印到屏幕）")
@friendly
def export(quiz_file, fmt, out) -> None:
    """导出测验（题目、答案与出处）为 Markdown 或 PDF，便于打印。"""
    from .export import export_markdown, export_pdf

    data = _read_json(quiz_file, "测验文件")
    if fmt == "pdf":
        if not out:
            raise QuizError("导出 PDF 请用 --out 指定文件。")
        export_pdf(data, out)
        click.echo(f"已导出 {out}")
        return
    text = export_markdown(data)
    if not out:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise QuizError(f"无法写入 {out}（{type(exc).__name__}）。") from exc
    click.echo(f"已导出 {out}")
