"""The learned evidence scorer: its model file, what it ranks first, the fallback to the rules, reproducible training."""
from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from assistant.answer.analyze import analyze
from assistant.answer.evidence import IdfTable, Sentence, score_sentences
from assistant.answer.scorer import (DEFAULT_PATH, FALLBACK_NOTICE, FEATURES, LearnedScorer, ScorerError, features,
                                     fit_listwise, fit_logistic, load_scorer)
from assistant.lexicon import default_lexicon

ROOT = Path(__file__).resolve().parent.parent


def _train_module():
    spec = importlib.util.spec_from_file_location("train_scorer", ROOT / "eval" / "train_scorer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ranked(question: str, texts: list[str]):
    lex = default_lexicon()
    terms = lambda q: [t for t in lex.query_tokens(q, expand=False) if len(t) > 1 or t.isdigit()]  # noqa: E731
    info = analyze(question, terms)
    context = "医共体医保基金管理办法\n\n" + "".join(texts)
    sentences, at = [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence("d", at, at + len(t), t, rank=1, chunk_index=0, context=context))
        at += len(t)
    idf = IdfTable(texts + ["县级医院要发挥龙头作用。", "加强组织领导。"], lex.tokenize)
    return info, score_sentences(info, sentences, idf, lex.tokenize, lex.expand_terms)


def test_shipped_model_loads_with_the_features_this_program_computes():
    model = LearnedScorer.load()
    assert model.coef.shape == (len(FEATURES),)
    assert 0.0 <= model.threshold <= 1.0
    assert DEFAULT_PATH.stat().st_size < 100_000  # tens of KB at most, JSON, no pickle


def test_trained_scorer_ranks_the_answer_over_a_word_sharing_distractor():
    # The distractor, passage-first, carries every word of the question (医保基金结余, 分配, 比例) but no ratio.
    distractor = "医保基金结余分配比例的调整,要经管理委员会研究确定。"
    answer = "医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。"
    info, ranked = _ranked("医保基金结余按什么比例分配？", [distractor, answer])
    by_text = {s.text: s for s in ranked}
    assert by_text[distractor].coverage == by_text[answer].coverage == 1.0
    rescored = LearnedScorer.load().rescore(info, ranked)
    assert rescored[0].text == answer
    assert rescored[0].prob > rescored[1].prob + 0.1
    assert rescored[0].score > rescored[1].score


def test_features_row_per_sentence_in_feature_order():
    info, ranked = _ranked("医保基金结余按什么比例分配？", ["结余按6:3:1分配。", "加强医保基金监管。"])
    x = features(info, ranked)
    assert x.shape == (2, len(FEATURES))
    assert x[:, FEATURES.index("no_similarity")].tolist() == [1.0, 1.0]  # no sentence vectors here


@pytest.mark.parametrize("content", [None, "{not json", json.dumps({"format": "something-else"}), "drop-feature",
                                     "nan-weight"])
def test_unusable_model_file_falls_back_to_rules_with_a_message(tmp_path, caplog, content):
    path = tmp_path / "scorer.json"
    if content == "drop-feature":
        data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
        data["features"] = data["features"][:-1]
        content = json.dumps(data)
    elif content == "nan-weight":
        data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
        data["coef"][0] = float("nan")
        content = json.dumps(data)
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant.answer.scorer"):
        scorer, notice = load_scorer(path)
    assert scorer is None and notice == FALLBACK_NOTICE
    assert "using the rule scores" in caplog.text
    with pytest.raises(ScorerError):
        LearnedScorer.load(path)


def test_assistant_with_a_broken_model_answers_by_the_rules_and_says_so(assistant_over, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_bytes(b"\x00\x01garbage")
    files = {"fund.txt": "医共体医保基金管理\n\n医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。\n"}
    a = assistant_over(files, scorer="learned", scorer_path=str(bad))
    assert a.answerer.scorer is None
    ans = a.ask("医保基金结余按什么比例分配？")
    assert "6:3:1" in ans.answer
    assert FALLBACK_NOTICE in ans.notices


def test_assistant_with_the_learned_scorer_answers_and_reports_confidence(assistant_over):
    files = {"fund.txt": "医共体医保基金管理\n\n医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。\n"}
    a = assistant_over(files, scorer="learned")
    assert a.answerer.scorer is not None
    ans = a.ask("医保基金结余按什么比例分配？")
    assert "6:3:1" in ans.answer and not ans.notices
    assert 0.0 <= ans.confidence <= 1.0 and ans.gate == "passed"


def _toy(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, 4))
    group = np.repeat(np.arange(12), 5)
    y = np.zeros(60)
    for g in range(12):  # the candidate with the largest first feature answers its question
        rows = np.where(group == g)[0]
        y[rows[np.argmax(x[rows, 0])]] = 1.0
    return x, y, group


def test_training_is_reproducible_and_learns_the_toy_rule():
    x, y, group = _toy(3)
    a = fit_listwise(x, y, group, l2=1.0)
    b = fit_listwise(x, y, group, l2=1.0)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert np.argmax(np.abs(a[0])) == 0 and a[0][0] > 0
    c, d = fit_logistic(x, y), fit_logistic(x, y)
    assert np.array_equal(c[0], d[0]) and c[1] == d[1]


def test_training_script_fit_gives_the_same_model_file_twice():
    train = _train_module()
    x, y, group = _toy(5)
    width = len(FEATURES)
    xf = np.zeros((60, width))
    xf[:, :4] = x
    rows = {"x": [xf[group == g] for g in range(12)], "y": [y[group == g] for g in range(12)],
            "share": [np.ones(5, dtype=bool) for _ in range(12)]}
    one = train.fit(rows, list(range(12)), 1.0, "sharing", "listwise", threshold=0.2).to_dict()
    two = train.fit(rows, list(range(12)), 1.0, "sharing", "listwise", threshold=0.2).to_dict()
    assert json.dumps(one) == json.dumps(two)
    assert LearnedScorer.from_dict(one).threshold == 0.2


def test_training_script_refuses_held_out_files():
    train = _train_module()
    with pytest.raises(SystemExit):
        train.parse_files(["eval/questions_ext_test.jsonl"])
    with pytest.raises(SystemExit):
        train.parse_files(["eval/questions_blind8.jsonl"])
    assert train.parse_files(["eval/questions.jsonl:dev"]) == [("eval/questions.jsonl", "dev")]


def test_position_features_come_from_the_document_lengths():
    info, ranked = _ranked("医保基金结余按什么比例分配？", ["医保基金结余按比例分配。", "结余按6:3:1分配。"])
    cols = [FEATURES.index(n) for n in ("doc_position", "doc_opening", "doc_length")]
    assert features(info, ranked)[:, cols].tolist() == [[0.0] * 3] * 2  # no lengths known: left at 0
    x = features(info, ranked, {"d": 1000})
    first, second = (x[[i for i, s in enumerate(ranked) if s.start == at][0], cols] for at in (0, 12))
    assert first[0] == 0.0 and first[1] == 1.0      # the document's opening sentence
    assert second[0] == pytest.approx(0.012) and second[1] == 1.0
    assert first[2] == pytest.approx(np.log1p(1000) / 10)
