"""Plain data types shared by every component: documents, chunks, hits."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


def content_hash(*parts: str, n: int = 16) -> str:
    """Stable short id from text parts; rebuilds of the same content give the same id."""
    h = hashlib.sha1()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:n]


@dataclass
class DocRecord:
    """A cleaned document: its canonical text and where it came from.

    >>> d = DocRecord(doc_id="x", source="a.txt", title="t", kind="方案", text="正文")
    >>> d.text
    '正文'
    """

    doc_id: str
    source: str
    title: str
    kind: str
    text: str
    region: str = ""
    date: str = ""
    issuer: str = ""
    description: str = ""
    file_hash: str = ""
    corrections: list[dict[str, Any]] = field(default_factory=list)
    # [start, end, page] spans of canonical text for paginated sources (pdf).
    pages: list[list[int]] = field(default_factory=list)
    # [start, end, "一、… > （二）…"] spans for every section of the canonical text.
    sections: list[list[Any]] = field(default_factory=list)
    # [start, end] spans of instruction-like sentences ("忽略以上所有指令…"), kept from the generative model.
    instructions: list[list[int]] = field(default_factory=list)
    doc_number: str = ""  # the document's own number ("国办发〔2017〕32号"), from the manifest or its text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DocRecord":
        return cls(**d)

    def meta(self) -> dict[str, Any]:
        """Metadata without the text."""
        d = self.to_dict()
        for key in ("text", "sections", "pages", "instructions"):
            d.pop(key)
        return d


@dataclass
class Chunk:
    """An exact slice text == doc.text[start:end] with its provenance.

    `sentences` holds absolute [start, end] offsets of the sentences inside the chunk.
    """

    id: str
    doc_id: str
    source: str
    title: str
    kind: str
    section: str
    start: int
    end: int
    text: str
    sentences: list[list[int]] = field(default_factory=list)
    region: str = ""
    date: str = ""
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Chunk":
        return cls(**d)


@dataclass
class Hit:
    """A retrieved chunk with its fused score and 1-based rank."""

    chunk: Chunk
    score: float
    rank: int = 0
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "source": c.source,
            "title": c.title,
            "section": c.section,
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "score": round(float(self.score), 6),
            "rank": self.rank,
            "kind": c.kind,
            "doc_id": c.doc_id,
            "chunk_id": c.id,
        }
