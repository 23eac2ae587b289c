"""Extractive answerer (placeholder: best sentence of the top hit); replaced by the full answerer."""
from __future__ import annotations

from .types import Answer, Citation


class ExtractiveAnswerer:
    def __init__(self, lexicon=None, max_chars: int = 300, threshold: float = 0.35) -> None:
        self.lexicon = lexicon
        self.max_chars = max_chars
        self.threshold = threshold

    def answer(self, question, hits, docs, original=None) -> Answer:
        if not hits:
            return Answer(question=question, answer="文件中没有找到相关内容。", abstained=True)
        c = hits[0].chunk
        s, e = c.sentences[0] if c.sentences else (c.start, c.end)
        text = docs[c.doc_id].text[s:e]
        cit = Citation(1, c.source, c.title, c.section, text, s, e, c.doc_id)
        return Answer(question=question, answer=f"{text}[1]", citations=[cit])
