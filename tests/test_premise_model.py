"""The learned premise check (answer/premise_model.py): its notes name what differs, and a bad file falls back."""
from __future__ import annotations

import json
import logging

from assistant.answer import premise_model
from assistant.answer.premise import antonym_pairs
from assistant.answer.evidence import Sentence
from assistant.answer.premise_claim import FEATURES
from assistant.answer.premise_model import PremiseModel, load

CORPUS = "结余按6:3:1分配。县医保局负责基金监管。"
# Weights of the kind training gives: an asserted claim with a differing figure is a false premise.
MODEL = PremiseModel({"bias": -3.0, "asserts": 2.0, "asks": -2.0, "fig_conflict": 3.0, "fig_support": -1.0,
                      "replaced": 2.0}, 0.5)


def _s(text: str) -> Sentence:
    return Sentence("d1", 0, len(text), text, 1, 0, "", coverage=0.6)


def _is_term(word: str) -> bool:
    return word in CORPUS


def test_a_wrong_figure_gets_a_note_naming_both_values():
    evidence = _s("年底结余按6:3:1分配。")
    issue = MODEL.check("文件要求结余按5:3:2分配，对吗？", [evidence], _is_term)
    assert issue is not None and issue.sentence is evidence
    assert issue.note == "文件写的是“6:3:1”，不是“5:3:2”。"


def test_a_true_claim_gets_no_note():
    assert MODEL.check("文件要求结余按6:3:1分配，对吗？", [_s("年底结余按6:3:1分配。")], _is_term) is None


def test_a_question_that_only_asks_gets_no_note():
    assert MODEL.check("结余按什么比例分配？", [_s("年底结余按6:3:1分配。")], _is_term) is None


def test_no_note_when_nothing_that_differs_can_be_named():
    # Asserted, but the evidence neither gives another figure nor another word: a vague note would be worse.
    always = PremiseModel({"bias": 10.0}, 0.5)
    assert always.check("医共体已经建好了吧？", [_s("医共体已经建好了。")], _is_term) is None


def test_missing_or_corrupt_file_falls_back_to_the_rules(tmp_path, caplog):
    bad = tmp_path / "premise_model.json"
    bad.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load(bad) is None
        assert load(tmp_path / "missing.json") is None
        bad.write_text(json.dumps({"weights": {"nonsense": 1.0}, "threshold": 0.5}), encoding="utf-8")
        assert load(bad) is None
    assert "premise model" in caplog.text


def test_the_shipped_model_loads_and_round_trips():
    model = load()
    assert model is not None and set(model.weights) <= set(FEATURES)
    assert PremiseModel.from_dict(model.to_dict()).weights == model.weights


def test_answerer_without_a_model_uses_the_rules_alone(monkeypatch):
    from assistant.answer.extractive import ExtractiveAnswerer

    monkeypatch.setattr(premise_model, "DEFAULT_PATH", "/nonexistent/premise_model.json")
    premise_model.default_model.cache_clear()
    monkeypatch.setattr("assistant.answer.extractive.default_model", lambda: load("/nonexistent/premise_model.json"))
    answerer = ExtractiveAnswerer(lexicon=None)
    assert answerer.premise_model is None
    premise_model.default_model.cache_clear()


def _answer(question: str, text: str, model):
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.lexicon import default_lexicon
    from assistant.types import Chunk, DocRecord, Hit

    doc = DocRecord(doc_id="d", source="a.txt", title="县域医共体实施方案", kind="方案", text=text)
    cuts = [i + 1 for i, ch in enumerate(text) if ch == "。"]
    chunk = Chunk(id="c", doc_id="d", source="a.txt", title=doc.title, kind="方案", section="", start=0,
                  end=len(text), text=text, sentences=[[a, b] for a, b in zip([0, *cuts], cuts)])
    answerer = ExtractiveAnswerer(default_lexicon(), premise_model=model)
    return answerer.answer(question, [Hit(chunk, 1.0, 1)], {"d": doc})


def test_the_model_adds_a_note_the_rules_miss():
    text = "考核细则由县审计局起草。县财政局按考核结果拨付资金。"
    question = "考核细则由县财政局起草，是吧？"
    assert _answer(question, text, None).premise_note is None  # the rules alone say nothing
    swap = PremiseModel({"bias": -2.0, "asserts": 2.0, "swapped": 2.0, "replaced": 2.0}, 0.5)
    ans = _answer(question, text, swap)
    assert ans.premise_note == "文件写的是“审计局”，不是“财政局”。"
    assert ans.answer.startswith("考核细则由县审计局起草")  # the correcting sentence leads the answer


def test_a_genuine_yes_no_question_gets_no_note_from_the_shipped_model():
    text = "县医院与乡镇卫生院组建紧密型医共体，人员统一招聘、财务统一管理。"
    ans = _answer("乡镇卫生院跟县医院已经是一家了吗？", text, load())
    assert ans.premise_note is None


def test_a_clause_is_quoted_only_for_a_negation_or_a_modality():
    from assistant.answer.premise_claim import Alignment
    from assistant.answer.premise_model import note_for

    a = Alignment(_s("而在平台模式里"), "平台可以配送针剂", "而在平台模式里", 0.5, weak_q=True)
    assert note_for(a) is None  # "可以" on one side only, with nothing that must be: no difference to name
    a = Alignment(_s("一般不需办理相关手续"), "必须办理手续", "一般不需办理相关手续", 0.5, neg_e=True)
    assert note_for(a) == "文件的说法是“一般不需办理相关手续”，与问题中“必须办理手续”的说法不同。"


# A model that never writes a note on its own: what remains is the stated-figure rule.
_NEVER = PremiseModel({"bias": -10.0}, 0.5)
_LAUNCH = _s("长照1.0的政策早在2007年就推出了。")


def test_a_figure_taken_for_granted_in_a_question_that_asks_is_corrected():
    issue = _NEVER.check("长照1.0是2010年推出的，为什么到2017年又要改？", [_LAUNCH], lambda w: True)
    assert issue is not None and issue.note == "文件写的是“2007年”，不是“2010年”。"


def test_a_true_figure_taken_for_granted_gets_no_note():
    assert _NEVER.check("长照1.0是2007年推出的，为什么到2017年又要改？", [_LAUNCH], lambda w: True) is None


def test_several_figures_against_one_are_no_stated_contradiction():
    # "8万元 … 5万到8万" against the one "2万元": the figures do not correspond one to one.
    evidence = _s("个人负担超过起付标准2万元的部分，由大病保险支付。")
    question = "自己负担的合规医疗费有8万元，5万到8万那一段报多少？"
    assert _NEVER.check(question, [evidence], lambda w: True) is None


def test_the_opposite_word_in_the_evidence_is_corrected_whatever_the_model():
    evidence = _s("今年一季度307种品规采购额降低了27%。")
    issue = _NEVER.check("蔡东晨说今年一季度307种品规的采购额涨了27%？", [evidence], lambda w: True, antonym_pairs())
    assert issue is not None and "降低" in issue.note
