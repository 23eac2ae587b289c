"""False premises about places (answer.premise_places), on hand-made evidence sentences."""
from __future__ import annotations

from assistant.answer.analyze import analyze, find_regions
from assistant.answer.evidence import Sentence
from assistant.answer.premise_places import swapped_places


def sentence(text: str, coverage: float = 0.6) -> Sentence:
    return Sentence("doc", 0, len(text), text, 1, 0, text, coverage=coverage, context_coverage=coverage)


VISIT = sentence("刘国中副总理到湖南、江西调研医联体建设情况。")


def test_a_listed_place_named_otherwise_is_corrected():
    info = analyze("刘国中副总理是到湖北、湖南调研的吧？", lambda q: [])
    issue = swapped_places(info, [VISIT], ["湖北"], find_regions)
    assert issue is not None and "江西" in issue.note and "湖北" in issue.note


def test_a_visit_put_elsewhere_needs_the_person_or_the_same_statement():
    info = analyze("刘国中副总理是去广东、广西调研的吧？", lambda q: [])
    assert swapped_places(info, [VISIT], ["广东", "广西"], find_regions) is not None
    # Another province's policy asked about is not a visit put elsewhere: the question is declined, not corrected.
    other = analyze("广东的医保结余按什么比例分配？", lambda q: [])
    assert swapped_places(other, [sentence("湖南的医保结余按6:3:1分配。", 0.4)], ["广东"], find_regions) is None
