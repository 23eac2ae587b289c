"""openai:MODEL embedder against a local /v1/embeddings stub: batching, bounded concurrency, retries, Chinese errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.config import load_settings
from assistant.embed import EmbedderError, FakeEmbedder, make_embedder
from assistant.embed_openai import OpenAIEmbedder
from assistant.store import IndexError_

from embedding_stub import EmbeddingStub
from openai_stub import closed_port_url

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

TEXTS = ["医共体", "医保基金结余", "县招乡用", "", "家庭医生签约服务", "远程会诊", "牵头医院", "6:3:1"]


def test_vectors_batches_and_concurrency():
    with EmbeddingStub(dim=32, delay=0.02) as stub:
        e = OpenAIEmbedder("fake-emb", stub.base_url, batch_size=3, concurrency=2)
        assert (e.id, e.dim) == ("openai:fake-emb", 32)
        got = e.encode_passages(TEXTS)
        sizes = [len(r["input"]) for r in stub.requests[1:]]  # the first request asks for the dimension
        assert stub.max_in_flight <= 2
        query = e.embed_query("医共体")  # the langchain-core Embeddings API
    # Rows in input order (the stub answers in reverse order), unit length, the stub's own vectors.
    want = FakeEmbedder(32).encode_passages([t or " " for t in TEXTS])
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert sorted(sizes) == [2, 3, 3]
    assert query == pytest.approx(want[0].tolist(), abs=1e-6)
    assert e.encode_passages([]).shape == (0, 32)


def test_query_instruction_goes_to_queries_only():
    with EmbeddingStub(dim=16) as stub:
        e = OpenAIEmbedder("fake-emb", stub.base_url, query_instruction="query: ")
        e.encode_query("医共体")
        e.encode_passages(["医共体"])
        assert [r["input"] for r in stub.requests[1:]] == [["query: 医共体"], ["医共体"]]


def test_retries_busy_server_then_succeeds():
    with EmbeddingStub(dim=16, fail_first=2, fail_status=503) as stub:
        e = OpenAIEmbedder("fake-emb", stub.base_url, retries=2, backoff=0.01)
        assert e.dim == 16 and len(stub.requests) == 3


def test_gives_up_after_retries_with_chinese_message():
    with EmbeddingStub(dim=16, fail_first=10, fail_status=429) as stub:
        with pytest.raises(EmbedderError, match="无法连接嵌入服务.*429.*已重试 1 次"):
            OpenAIEmbedder("fake-emb", stub.base_url, retries=1, backoff=0.01)
        assert len(stub.requests) == 2


@pytest.mark.parametrize("kwargs, fragment", [
    ({"model": "nope"}, "没有模型 nope"),
    ({"api_key": "wrong"}, "embed_api_key"),
])
def test_refusals_are_not_retried(kwargs, fragment):
    with EmbeddingStub(dim=16, key="right") as stub:
        args = {"model": "fake-emb", "api_key": "right", **kwargs}
        with pytest.raises(EmbedderError, match=fragment):
            OpenAIEmbedder(args["model"], stub.base_url, args["api_key"], retries=3, backoff=0.01)
        assert len(stub.requests) == 1


def test_unreachable_server():
    url = closed_port_url()
    with pytest.raises(EmbedderError, match="无法连接嵌入服务") as err:
        make_embedder("openai:bge-m3", remote={"base_url": url, "retries": 1, "backoff": 0.01})
    assert url in str(err.value)
    with pytest.raises(EmbedderError, match="http://"):
        make_embedder("openai:bge-m3", remote={"base_url": "gpu-box:8000/v1"})
    with pytest.raises(EmbedderError, match="模型名"):
        make_embedder("openai:", remote={"base_url": url})


def test_cli_build_against_unreachable_server_is_one_chinese_line(tmp_path):
    env = {"ASSISTANT_CONFIG": None, "ASSISTANT_EMBEDDER": "openai:bge-m3", "ASSISTANT_EMBED_BASE_URL": closed_port_url(),
           "ASSISTANT_EMBED_RETRIES": "0"}
    result = CliRunner().invoke(main, ["build", "--corpus", str(CORPUS), "--index", str(tmp_path / "index")], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：无法连接嵌入服务") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_build_and_query_with_same_model_other_model_refused(tmp_path):
    from assistant.pipeline import Assistant, build_from_settings

    with EmbeddingStub(dim=48, models=("fake-emb", "other-emb")) as stub:
        base = {"corpus_dir": str(CORPUS), "index_dir": str(tmp_path / "index"), "data_dir": str(tmp_path / "data"),
                "embed_base_url": stub.base_url, "embed_batch": 8, "embed_concurrency": 3}
        settings = load_settings(env={}, overrides={**base, "embedder": "openai:fake-emb"})
        report = build_from_settings(settings)
        assert report.embedder == "openai:fake-emb" and report.embedded == report.chunks
        assert max(len(r["input"]) for r in stub.requests) == 8
        app = Assistant.from_settings(settings)
        assert app.index.manifest["embedder"] == {"id": "openai:fake-emb", "dim": 48}
        assert app.retriever.available_modes() == ["bm25", "dense", "hybrid"]
        assert app.search("医保基金结余怎么分配", mode="dense")[0]
        other = load_settings(env={}, overrides={**base, "embedder": "openai:other-emb"})
        with pytest.raises(IndexError_, match="openai:fake-emb.*openai:other-emb"):
            Assistant.from_settings(other)
        url = stub.base_url
    # The server gone: a question at the command line gets one Chinese line, not a traceback.
    env = {"ASSISTANT_CONFIG": None, "ASSISTANT_EMBEDDER": "openai:fake-emb", "ASSISTANT_EMBED_BASE_URL": url,
           "ASSISTANT_EMBED_RETRIES": "0"}
    result = CliRunner().invoke(main, ["ask", "医保基金结余怎么分配？", "--index", str(tmp_path / "index")], env=env)
    assert result.exit_code == 2 and result.stderr.startswith("错误：无法连接嵌入服务"), result.output
    assert "Traceback" not in result.output
