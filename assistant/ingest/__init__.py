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
from .meta import derive_meta
from .noise import remove_noise
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


def ingest_file(path: Path, rel: str, entry: Entry | None) -> DocRecord:
    """Load, correct and clean one file; raises LoadError with the reason when it cannot be used."""
    loaded = load_file(path)
    denoised = remove_noise(loaded.lines, loaded.line_pages)
    cleaned: Cleaned = clean_lines(denoised.lines, denoised.pages, entry.corrections if entry else ())
    cleaned.dropped.update(denoised.dropped)
    if not cleaned.text.strip():
        raise LoadError("清洗后没有正文（全是网页框架或垃圾行）")
    entry = entry or Entry(source=rel)
    # What the text says of itself (title line, 文号, 落款); the manifest overrides each field it sets.
    front = denoised.front_matter  # a Markdown export's own title and author, its block dropped from the text
    meta = derive_meta(cleaned.text, loaded.title_hint or front.get("title", ""), rel, front.get("author", ""))
    return DocRecord(
        doc_id=content_hash(cleaned.text),
        source=rel,
        title=entry.title or meta.title,
        kind=entry.kind or meta.kind or "unknown",
        text=cleaned.text,
        region=entry.region or meta.place,
        date=entry.date or meta.date or cleaned.date_hint,
        issuer=entry.issuer or meta.issuer,
        doc_number=entry.doc_number or meta.doc_number,
        description=entry.description,
        file_hash=file_hash(path),
        corrections=[c for c in cleaned.corrections if c["count"]],
        pages=cleaned.pages,
        instructions=instruction_spans(cleaned.text),
    )
