"""Which files of a corpus folder are read, and why the others are not (each skip is reported, none is silent).

Links are followed only while they stay inside the corpus: a link to /etc/passwd must not end up indexed and
served. File names that are not UTF-8 cannot become a source id; hidden files are skipped but named when they
look like documents; files over the size limit are skipped before a byte of them is read.
"""
from __future__ import annotations

import os
from pathlib import Path

from .loaders import SUPPORTED

IGNORED_NAMES = {"manifest.toml", "readme.md"}  # compared in lower case


def printable(rel: str) -> str:
    """A file name that is not valid UTF-8 (surrogate-escaped by the OS layer) with U+FFFD for its bad bytes."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):  # elsewhere, unreadable, or a link loop
        return False


def scan(corpus_dir: Path, max_bytes: int | None = None) -> tuple[list[tuple[str, Path]], list[dict[str, str]]]:
    """((relative source, path) of every file to read, sorted; [{"source", "reason"}] of the files skipped)."""
    corpus_dir = Path(corpus_dir)
    root = corpus_dir.resolve()
    found: list[tuple[str, Path]] = []
    skipped: list[dict[str, str]] = []

    def skip(rel: str, reason: str) -> None:
        skipped.append({"source": printable(rel), "reason": reason})

    for dirpath, dirnames, filenames in os.walk(corpus_dir, followlinks=False):
        here = Path(dirpath)
        rel_dir = here.relative_to(corpus_dir)
        for d in sorted(dirnames):
            p = here / d
            if d.startswith("."):  # .git and the like: tool folders, not documents
                dirnames.remove(d)
            elif p.is_symlink():
                dirnames.remove(d)  # never walked through a link: no loops, no escaping the corpus
                if not _inside(p, root):
                    skip((rel_dir / d).as_posix(), "是指向语料目录之外的链接，未跟随")
        for name in filenames:
            p = here / name
            rel = (rel_dir / name).as_posix()
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                skip(rel, "文件名不是合法的 UTF-8 编码，未收录；请把文件改名（例如用 convmv 转为 UTF-8）")
                continue
            if name.startswith("."):
                if Path(name).suffix.lower() in SUPPORTED:  # looks like a document: say why it is left out
                    skip(rel, "文件名以“.”开头（隐藏文件），未收录；如需收录请改名")
                continue
            if name.lower() in IGNORED_NAMES:
                continue
            if p.is_symlink() and not _inside(p, root):
                skip(rel, "是指向语料目录之外的链接，未跟随")
                continue
            if p.is_symlink() and not p.exists():
                skip(rel, "是链接，但指向的文件不存在")
                continue
            try:
                if not p.is_file():
                    continue
                size = p.stat().st_size
            except OSError as exc:
                skip(rel, f"无法读取文件: {exc.strerror or exc}")
                continue
            if max_bytes is not None and size > max_bytes:
                limit = max_bytes / 2**20
                skip(rel, f"文件过大（{size / 2**20:.1f} MB，上限 {limit:g} MB），未收录；"
                          f"如确需收录，请调大设置 max_file_mb")
                continue
            found.append((rel, p))
    found.sort(key=lambda item: item[1])  # the order earlier builds used (by path parts)
    skipped.sort(key=lambda s: s["source"])
    return found, skipped


__all__ = ["IGNORED_NAMES", "printable", "scan"]
