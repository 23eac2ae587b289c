"""Ingestion: files in a corpus folder to cleaned documents and provenance-carrying chunks."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..types import DocRecord, content_hash
from .clean import Cleaned, clean_lines
from .injection import instruction_spans
from .loaders import SUPPORTED, LoadError, load_file
from .manifest import Entry, ManifestError, read_manifest
from .scan import IGNORED_NAMES, scan
from .split import sentence_spans, split_document
from .structure import heading_kind

__all__ = [
    "LoadError",
    "ManifestError",
    "Entry",
    "read_manifest",
    "scan_corpus",
    "scan",
    "ingest_file",
    "split_document",
    "sentence_spans",
    "file_hash",
]

def file_hash(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:16]


def scan_corpus(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(relative source, path) of every candidate file, sorted; see scan.scan for what is skipped and why."""
    return scan(corpus_dir)[0]


def _infer_title(text: str, hint: str, rel: str) -> str:
    """The loader's title (html <title>, docx properties, markdown "# "), else the first title-like line
    among the first few (not a numbered heading such as 一、 or 第一章, not a sentence), else the file name."""
    if hint:
        return hint
    for line in text.split("\n")[:5]:
        line = line.strip()
        if not 4 <= len(line) <= 60 or line.startswith("【") or heading_kind(line):
            continue
        if re.search(r"[。；;:：，,！？!?]$", line) or len(re.findall(r"[。；！？]", line)) > 0:
            continue
        return line
    return Path(rel).stem


def ingest_file(path: Path, rel: str, entry: Entry | None) -> DocRecord:
    """Load, correct and clean one file; raises LoadError with the reason when it cannot be used."""
    loaded = load_file(path)
    cleaned: Cleaned = clean_lines(loaded.lines, loaded.line_pages, entry.corrections if entry else ())
    if not cleaned.text.strip():
        raise LoadError("清洗后没有正文（全是网页框架或垃圾行）")
    entry = entry or Entry(source=rel)
    return DocRecord(
        doc_id=content_hash(cleaned.text),
        source=rel,
        title=entry.title or _infer_title(cleaned.text, loaded.title_hint, rel),
        kind=entry.kind or "unknown",
        text=cleaned.text,
        region=entry.region,
        date=entry.date or cleaned.date_hint,
        issuer=entry.issuer,
        description=entry.description,
        file_hash=file_hash(path),
        corrections=[c for c in cleaned.corrections if c["count"]],
        pages=cleaned.pages,
        instructions=instruction_spans(cleaned.text),
    )
