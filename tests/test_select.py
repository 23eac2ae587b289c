"""select_sentences: which ranked sentences make the answer."""
from assistant.answer.analyze import analyze
from assistant.answer.evidence import Sentence
from assistant.answer.select import select_sentences


def _sentence(text: str, start: int, score: float, covered: set[str]) -> Sentence:
    return Sentence("d", start, start + len(text), text, 1, 0, text, score=score, covered=covered)


def _select(question: str, ranked: list[Sentence]) -> list[str]:
    info = analyze(question, lambda q: [])
    return [s.text for s in select_sentences(info, ranked, [], max_sentences=3, best_for=lambda p, ss: None)]


def test_a_second_sentence_at_under_half_the_best_score_joins_when_it_adds_words():
    ranked = [_sentence("县医院牵头组建医共体，统一管理乡镇卫生院。", 0, 1.0, {"医共体"}),
              _sentence("医共体内人员统一招聘、统一培训。", 30, 0.45, {"人员"})]
    assert len(_select("医共体的人员怎么管？", ranked)) == 2


def test_a_lead_that_only_repeats_the_question_takes_no_weak_sentence_with_it():
    # "要明确路线图,打好组合拳" repeats the question: a weak sentence beside it would hide that nothing answers.
    ranked = [_sentence("要明确路线图，打好组合拳。", 0, 1.0, {"路线图"}),
              _sentence("要深化医保支付方式改革，推行打包付费。", 30, 0.45, {"改革"})]
    assert _select("要明确路线图，打好组合拳，路线图定了哪些节点？", ranked) == ["要明确路线图，打好组合拳。"]
