"""The answer contract shared by the CLI, the API, the web chat and the evaluation harness."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Citation:
    """A numbered, verifiable quote: quote == document.text[start:end]."""

    n: int
    source: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    doc_id: str = ""
    # The quote and section path in the reader's script (assistant.display); empty = same as quote / section.
    quote_display: str = ""
    section_display: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "quote_display": self.quote_display or self.quote,
            "section_display": self.section_display or self.section,
        }


@dataclass
class Answer:
    """What `ask` returns. `answer` carries [n] markers matching citations[].n.

    >>> Answer(question="q", answer="文件未说明。", abstained=True).to_dict()["abstained"]
    True
    """

    question: str
    answer: str
    abstained: bool = False
    citations: list[Citation] = field(default_factory=list)
    premise_note: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: Any = None
    related: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    mode: str = "extractive"
    qtype: str = ""
    script: str = ""  # "simplified" | "traditional": the script the answer is shown in
    # How sure the answerer was of its best evidence (learned probability, or word coverage under the rules) and
    # what decided answer or abstention: "floor" (too weak), "check" (another check), "passed" (the floor was
    # consulted and passed), "" (it was not consulted). The eval report draws the abstention curve from these.
    confidence: float | None = None
    gate: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.id is not None:
            d["id"] = self.id
        d.update(
            question=self.question,
            answer=self.answer,
            abstained=self.abstained,
            citations=[c.to_dict() for c in self.citations],
        )
        if self.premise_note:
            d["premise_note"] = self.premise_note
        d["timings_ms"] = {k: round(v, 1) for k, v in self.timings_ms.items()}
        if self.related:
            d["related"] = self.related
        if self.notices:
            d["notices"] = self.notices
        d["mode"] = self.mode
        if self.qtype:
            d["type"] = self.qtype
        if self.script:
            d["script"] = self.script
        return d

    def to_text(self) -> str:
        """Readable form for a terminal: answer, then numbered sources."""
        lines = [self.answer]
        if self.premise_note:
            lines.append(f"\n【前提更正】{self.premise_note}")
        if self.citations:
            lines.append("\n来源：")
            for c in self.citations:
                shown = c.section_display or c.section
                section = f" · {shown}" if shown else ""
                lines.append(f"[{c.n}] 《{c.title}》{section}\n    “{c.quote_display or c.quote}”")
        if self.related:
            lines.append("\n相关阅读：")
            for r in self.related:
                shown = r.get("section_display") or r.get("section")
                lines.append(f"- 《{r['title']}》{(' · ' + shown) if shown else ''}")
        for note in self.notices:
            lines.append(f"\n（{note}）")
        return "\n".join(lines)
