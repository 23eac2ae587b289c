"""Sentence vectors reorder evidence by meaning; abstention still rests on matching words."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.evidence import Sentence
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.answer.semantic import SentenceVectors
from assistant.config import ConfigError, load_settings
from assistant.lexicon import default_lexicon
from assistant.types import DocRecord, Hit

TEXT = ("公立医院院长实行聘任制和任期目标责任制。"
        "按照任职资格公开招聘公立医院院长,每届任期4年。"
        "公立医院综合改革成效明显。")


def test_similarities_follow_the_vectors_and_skip_unknown_sentences():
    spans = [["d", 0, 10], ["d", 10, 20]]
    vectors = np.array([[1, 0], [0, 1]], dtype=np.float32)
    sv = SentenceVectors(spans, vectors, lambda q: np.array([0.6, 0.8], dtype=np.float32))
    got = sv("问题", [Sentence("d", 10, 20, "x", 1, 0, ""), Sentence("d", 0, 10, "y", 1, 0, ""), Sentence("d", 5, 9, "z", 1, 0, "")])
    assert got[0] == pytest.approx(0.8) and got[1] == pytest.approx(0.6) and got[2] is None
    with pytest.raises(ValueError):
        SentenceVectors(spans, vectors[:1], lambda q: vectors[0])


def _answer(semantic, weight):
    from assistant.ingest.split import split_document  # the real splitter gives the sentence spans

    doc = DocRecord(doc_id="d", source="a.txt", title="院长任期", kind="报道", text=TEXT, sections=[])
    chunks = split_document(doc, 300)
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(chunks)]
    answerer = ExtractiveAnswerer(default_lexicon(), threshold=0.0, semantic=semantic, semantic_weight=weight)
    return answerer.answer("公立医院院长一届干多久？", hits, {"d": doc})


def test_meaning_reorders_the_evidence_and_weight_zero_leaves_words_alone():
    start = TEXT.index("公立医院综合")
    favourite = (start, len(TEXT))

    def semantic(question, sentences):  # stands in for vectors that rate one sentence far closer in meaning
        return [0.95 if (s.start, s.end) == favourite else 0.5 for s in sentences]

    by_words = _answer(semantic, 0.0).answer.split("[1]")[0]
    by_meaning = _answer(semantic, 3.0).answer.split("[1]")[0]
    assert "综合改革" not in by_words and "综合改革" in by_meaning


def test_semantic_weight_must_not_be_negative():
    with pytest.raises(ConfigError):
        load_settings(env={}, overrides={"semantic_weight": -1})
    with pytest.raises(ValueError):
        ExtractiveAnswerer(default_lexicon(), semantic_weight=-0.5)
