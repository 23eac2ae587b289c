"""The corpus manifest (corpus/manifest.toml): per-document metadata and correction rules."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clean import Correction

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST_NAMES = ("manifest.toml",)
_FIELDS = ("title", "kind", "region", "date", "issuer", "description", "doc_number")


class ManifestError(ValueError):
    pass


@dataclass
class Entry:
    """Metadata of one source file; every field is optional."""

    source: str
    title: str = ""
    kind: str = ""
    region: str = ""
    date: str = ""
    issuer: str = ""
    description: str = ""
    doc_number: str = ""
    corrections: list[Correction] = field(default_factory=list)

    def fingerprint(self) -> str:
        parts = [getattr(self, f) for f in _FIELDS] + [f"{c.find}\x1e{c.replace}\x1e{c.regex}" for c in self.corrections]
        return "\x1f".join(parts)


def read_manifest(corpus_dir: Path) -> dict[str, Entry]:
    """Entries by source path (relative to the corpus folder, forward slashes)."""
    path = corpus_dir / MANIFEST_NAMES[0]
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"语料清单 {path} 无法解析: {exc}") from exc
    entries: dict[str, Entry] = {}
    for i, raw in enumerate(data.get("documents", []), start=1):
        if not isinstance(raw, dict) or not raw.get("source"):
            raise ManifestError(f"语料清单第 {i} 条缺少 source")
        corrections = [_correction(c, raw["source"]) for c in raw.get("corrections", [])]
        values: dict[str, Any] = {k: str(raw.get(k, "") or "") for k in _FIELDS}
        entries[str(raw["source"])] = Entry(source=str(raw["source"]), corrections=corrections, **values)
    return entries


def read_examples(corpus_dir: Path) -> list[str]:
    """Curated example questions of the corpus (top-level `examples = [...]` of its manifest), [] when none."""
    path = Path(corpus_dir) / MANIFEST_NAMES[0]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # examples are a convenience; read_manifest reports a broken manifest at build time
    raw = data.get("examples", [])
    return [q.strip() for q in raw if isinstance(q, str) and q.strip()] if isinstance(raw, list) else []


def _correction(raw: Any, source: str) -> Correction:
    if not isinstance(raw, dict) or "find" not in raw or "replace" not in raw:
        raise ManifestError(f"{source}: 每条 corrections 需要 find 和 replace")
    if not raw["find"]:
        raise ManifestError(f"{source}: corrections.find 不能为空")
    return Correction(str(raw["find"]), str(raw["replace"]), str(raw.get("reason", "")), bool(raw.get("regex", False)))
