"""The milvus backend on milvus-lite with the fixture corpus: same top-5 as faiss, filters as expressions, manifest,
rebuilds, the LangChain retriever, and Chinese one-line errors for an unreachable URI."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from assistant.cli import main  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.pipeline import Assistant, build_from_settings  # noqa: E402
from assistant.retrieve.lc import PolicyRetriever  # noqa: E402
from assistant.store import IndexError_, read_manifest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from openai_stub import closed_port_url  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEED_001 = "001_79d7ce171deded25.txt"
QUERIES = ["医保基金结余怎么分配", "县招乡用是什么意思", "醫共體牽頭醫院的責任", "家庭医生签约服务", "远程会诊", "qwertyuiop"]
FILTERS = [None, {"source": [SEED_001]}, {"kind": ["方案", "解读"]}, {"region": "安徽"}, {"source": "nope.txt"}]


@pytest.fixture(scope="module")
def milvus_settings(tmp_path_factory):
    base = tmp_path_factory.mktemp("milvus")
    return load_settings(env={}, overrides={"embedder": "fake", "corpus_dir": str(CORPUS), "index_dir": str(base / "index"),
                                            "data_dir": str(base / "data"), "backend": "milvus",
                                            "milvus_uri": str(base / "m.db")})


@pytest.fixture(scope="module")
def on_milvus(milvus_settings):
    build_from_settings(milvus_settings)
    return Assistant.from_settings(milvus_settings)


def _ids(hits):
    return [(h.chunk.id, round(h.score, 4)) for h in hits]


def test_same_top5_as_faiss(assistant, on_milvus):
    assert on_milvus.retriever.available_modes() == ["bm25", "dense", "hybrid"]
    for q in QUERIES:
        for f in FILTERS:
            for mode in ("hybrid", "bm25", "dense"):
                want = _ids(assistant.retriever.search(q, k=5, filters=f, mode=mode))
                assert _ids(on_milvus.retriever.search(q, k=5, filters=f, mode=mode)) == want, (q, f, mode)


def test_answers_unchanged(assistant, on_milvus):
    for q in ("医保基金结余怎么分配？", "县招乡用是什么？"):
        assert on_milvus.ask(q).to_dict()["answer"] == assistant.ask(q).to_dict()["answer"]


def test_manifest_records_backend_and_folder_has_no_keyword_index(on_milvus, milvus_settings):
    stored = on_milvus.index.manifest["backend"]
    assert stored["name"] == "milvus" and stored["uri"] == str(Path(milvus_settings.milvus_uri).resolve())
    assert stored["collection"].startswith("policy_assistant_b_")
    assert not (on_milvus.index.path / "bm25").exists()
    assert on_milvus.retriever.dense is None and on_milvus.retriever.bm25 is None  # searched in Milvus only


def test_filters_become_expressions(on_milvus):
    b = on_milvus.retriever.backend
    assert b.expression(None) == "" and b.expression({"kind": []}) == ""
    assert b.expression({"source": ['a"b.txt', "c.txt"], "kind": "方案"}) == 'source in ["a\\"b.txt", "c.txt"] and kind in ["方案"]'
    assert b.expression({"region": ["安徽", "50%_x"]}) == '(region like "%安徽%" or region like "%50\\\\%\\\\_x%")'
    assert b.expression({"region": [""]}) == "false"
    # A field Milvus does not hold is matched here and sent as positions.
    section = on_milvus.index.chunks[3].section
    expr = b.expression({"section": section})
    assert expr.startswith("pos in [") and "3" in expr
    assert b.expression({"section": "没有这一节"}) == "false"


def test_region_filter_matches_substring(assistant, on_milvus):
    regions = {c.region for c in on_milvus.index.chunks if c.region}
    assert regions, "the fixture corpus has regional documents"
    part = next(iter(regions))[:2]
    hits = on_milvus.retriever.search("医共体", k=5, filters={"region": part})
    assert hits and all(part in h.chunk.region for h in hits)
    assert _ids(hits) == _ids(assistant.retriever.search("医共体", k=5, filters={"region": part}))


def test_langchain_retriever_over_both_backends(assistant, on_milvus):
    docs = {name: PolicyRetriever(retriever=a.retriever, k=3, filters={"source": [SEED_001]}).invoke("医保基金结余怎么分配")
            for name, a in (("faiss", assistant), ("milvus", on_milvus))}
    assert [d.id for d in docs["milvus"]] == [d.id for d in docs["faiss"]]
    assert docs["milvus"] and all(d.metadata["source"] == SEED_001 for d in docs["milvus"])


def test_rebuild_is_incremental_and_drops_the_old_collection(milvus_settings, corpus_copy, tmp_path):
    settings = milvus_settings.replace(corpus_dir=str(corpus_copy), index_dir=str(tmp_path / "index"),
                                       milvus_uri=str(tmp_path / "r.db"))
    build_from_settings(settings)
    first = read_manifest(settings.index_dir)["backend"]["collection"]
    assert build_from_settings(settings).up_to_date
    (corpus_copy / "extra.txt").write_text("关于远程会诊的补充通知\n一、各县开展远程会诊。", encoding="utf-8")
    report = build_from_settings(settings)
    assert report.vectors_reused > 0 and report.embedded < report.chunks
    fresh = Assistant.from_settings(settings)
    second = fresh.index.manifest["backend"]["collection"]
    assert second != first
    assert fresh.search("远程会诊", k=1)[0][0].chunk.source == "extra.txt"
    assert fresh.retriever.backend.client.list_collections() == [second]
    # A collection removed behind the index's back: loading says what is missing instead of failing on a query.
    fresh.retriever.backend.client.drop_collection(second)
    with pytest.raises(IndexError_, match="没有集合"):
        Assistant.from_settings(settings)


def test_cli_build_and_search_on_milvus(tmp_path):
    env = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_CONFIG": None}
    index, uri = tmp_path / "index", tmp_path / "cli.db"
    r = CliRunner().invoke(main, ["build", "--corpus", str(CORPUS), "--index", str(index), "--uri", str(uri), "--json"], env=env)
    assert r.exit_code == 0, r.output
    assert read_manifest(index)["backend"]["name"] == "milvus"
    r = CliRunner().invoke(main, ["search", "医保基金结余", "--index", str(index), "--json", "--k", "2"], env=env)
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["hits"]) == 2


@pytest.mark.parametrize("uri, fragment", [
    (closed_port_url().replace("/v1", ""), "无法连接 Milvus"),
    ("not-a-db-file.txt", ".db 结尾"),
])
def test_cli_unreachable_uri_is_one_chinese_line(tmp_path, uri, fragment):
    env = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_CONFIG": None}
    r = CliRunner().invoke(main, ["build", "--corpus", str(CORPUS), "--index", str(tmp_path / "i"), "--backend", "milvus",
                                  "--uri", uri], env=env)
    assert r.exit_code == 2
    assert r.stderr.startswith("错误：") and fragment in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.output


def test_query_time_unreachable_uri_refuses_to_load(on_milvus, milvus_settings):
    other = milvus_settings.replace(milvus_uri=closed_port_url().replace("/v1", ""))
    with pytest.raises(IndexError_, match="无法连接 Milvus"):
        Assistant.from_settings(other)


def test_second_process_on_a_milvus_lite_file_gets_one_chinese_line(on_milvus, milvus_settings):
    """milvus-lite opens a file in one process only: another process (here the CLI) says so, without a traceback."""
    import os
    import subprocess

    env = {**os.environ, "ASSISTANT_EMBEDDER": "fake", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("ASSISTANT_CONFIG", None)
    r = subprocess.run([sys.executable, "-m", "assistant.cli", "search", "医共体", "--index", milvus_settings.index_dir],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2
    assert r.stderr.startswith("错误：") and "一个进程" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_keyword_only_index_on_milvus(milvus_settings, tmp_path):
    """embedder "none": the collection holds sparse vectors only and every mode falls back to BM25."""
    settings = milvus_settings.replace(embedder="none", index_dir=str(tmp_path / "index"), milvus_uri=str(tmp_path / "k.db"))
    build_from_settings(settings)
    app = Assistant.from_settings(settings)
    assert app.retriever.available_modes() == ["bm25"]
    hits, _ = app.search("县招乡用", k=3, mode="hybrid")
    assert hits and "dense" not in hits[0].scores and hits[0].scores["bm25"] > 0


def test_serve_api_on_milvus_and_an_outage_is_a_chinese_503(assistant, on_milvus, milvus_settings, monkeypatch):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from assistant.web.api import create_app

    body = {"query": "医保结余分配", "k": 3, "filters": {"source": [SEED_001]}}
    with TestClient(create_app(on_milvus, milvus_settings), raise_server_exceptions=False) as client:
        got = client.post("/v1/search", json=body).json()["hits"]
        want = [h.chunk.id for h in assistant.retriever.search("医保结余分配", k=3, filters={"source": [SEED_001]})]
        assert [h["chunk_id"] for h in got] == want
        on_milvus.retriever.forget()

        def down(*args, **kwargs):
            raise ConnectionError("server gone")

        monkeypatch.setattr(on_milvus.retriever.backend.client, "search", down)
        resp = client.post("/v1/search", json={**body, "query": "另一个问题"})
        assert resp.status_code == 503
        assert resp.json()["error"]["message"].startswith("Milvus 检索失败（server gone）。请确认 Milvus 服务")
