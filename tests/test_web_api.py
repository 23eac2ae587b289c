"""HTTP API: REST endpoints, OpenAI compatibility (also through the official client), and bad input."""
from __future__ import annotations

import json
import re
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from assistant.web.api import create_app  # noqa: E402

QUESTION = "医保基金结余按什么比例分配？"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client(assistant, settings_fake):
    with TestClient(create_app(assistant, settings_fake), raise_server_exceptions=False) as c:
        yield c


def assert_clean_error(resp, status: int) -> str:
    """A 4xx/5xx with {"error": {"message": Chinese text}} and no traceback anywhere in the body."""
    assert resp.status_code == status, resp.text
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    message = resp.json()["error"]["message"]
    assert CJK.search(message), message
    return message


# ---- REST ------------------------------------------------------------------------------------------

def test_healthz(client, assistant):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["documents"] == len(assistant.documents())
    assert body["chunks"] > 0


def test_ask_returns_the_answer_contract(client, assistant):
    body = client.post("/v1/ask", json={"question": QUESTION, "id": "q1"}).json()
    assert body["id"] == "q1"
    assert body["question"] == QUESTION
    assert {"answer", "abstained", "citations", "timings_ms", "mode"} <= set(body)
    expected = assistant.ask(QUESTION).to_dict()
    assert body["answer"] == expected["answer"]
    assert body["citations"] == expected["citations"]
    for c in body["citations"]:
        text = client.get(f"/v1/documents/{c['source']}").json()["text"]
        assert text[c["start"]:c["end"]] == c["quote"]


def test_ask_with_history_and_filters(client, assistant):
    source = assistant.documents()[1]["source"]
    history = [{"role": "user", "content": "乡镇卫生院分多少结余？"}, {"role": "assistant", "content": "按6:3:1分配。"}]
    resp = client.post("/v1/ask", json={"question": "那村卫生室呢？", "history": history, "filters": {"source": [source]}})
    assert resp.status_code == 200
    assert all(c["source"] == source for c in resp.json()["citations"])


def test_search_respects_k_and_filters(client, assistant):
    kinds = sorted({d["kind"] for d in assistant.documents()})
    hits = client.post("/v1/search", json={"query": "医保结余分配", "k": 3}).json()["hits"]
    assert 0 < len(hits) <= 3
    assert {"source", "title", "section", "text", "start", "end", "score", "rank"} <= set(hits[0])
    only = client.post("/v1/search", json={"query": "医共体", "k": 5, "filters": {"kind": kinds[0]}}).json()["hits"]
    assert only and all(h["kind"] == kinds[0] for h in only)


def test_documents_and_document_by_source_or_id(client, assistant):
    docs = client.get("/v1/documents").json()["documents"]
    assert [d["source"] for d in docs] == [d["source"] for d in assistant.documents()]
    assert {"doc_id", "title", "kind", "chars", "chunks"} <= set(docs[0])
    by_source = client.get(f"/v1/documents/{docs[0]['source']}").json()
    by_id = client.get(f"/v1/documents/{docs[0]['doc_id']}").json()
    assert by_source["text"] == by_id["text"] == assistant.show(docs[0]["source"])["text"]


def test_openapi_and_offline_docs_page(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/chat/completions", "/v1/models"} <= set(spec["paths"])
    page = client.get("/docs")
    assert page.status_code == 200 and "/v1/ask" in page.text
    assert "cdn." not in page.text and "<script" not in page.text  # must render with the network closed


# ---- OpenAI-compatible ---------------------------------------------------------------------------

def test_models(client):
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["object"] == "model"


def test_chat_completion_non_stream(client):
    messages = [{"role": "system", "content": "你是助手"}, {"role": "user", "content": QUESTION}]
    body = client.post("/v1/chat/completions", json={"model": "any-name", "messages": messages}).json()
    assert body["object"] == "chat.completion" and body["model"] == "any-name"
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] == "stop"
    assert body["citations"], "structured citations ride along"
    text = choice["message"]["content"]
    for c in body["citations"]:
        assert f"[{c['n']}] 《{c['title']}》" in text


def test_chat_completion_accepts_content_parts(client):
    messages = [{"role": "user", "content": [{"type": "text", "text": QUESTION}]}]
    assert client.post("/v1/chat/completions", json={"messages": messages}).status_code == 200


def test_chat_completion_stream_events(client):
    payload = {"model": "m", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream("POST", "/v1/chat/completions", json=payload) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        lines = [ln for ln in resp.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(ln[6:]) for ln in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"] and "来源：" in text


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "payload, status",
    [
        ({"question": ""}, 400),
        ({"question": "   "}, 400),
        ({"question": "？？？"}, 400),
        ({}, 422),
        ({"question": 12}, 422),
        ({"question": "医保", "history": "不是列表"}, 400),
        ({"question": "医保", "history": [{"role": "robot", "content": "x"}]}, 400),
        ({"question": "医保", "history": [{"role": "user", "content": 5}]}, 400),
        ({"question": "医保", "filters": {"colour": "red"}}, 422),
        ({"question": "医保", "filters": "abc"}, 422),
    ],
)
def test_ask_bad_input(client, payload, status):
    assert_clean_error(client.post("/v1/ask", json=payload), status)


def test_ask_bad_json_and_wrong_shape(client):
    headers = {"content-type": "application/json"}
    assert "JSON" in assert_clean_error(client.post("/v1/ask", content=b"{not json", headers=headers), 422)
    assert_clean_error(client.post("/v1/ask", content=b"[1, 2]", headers=headers), 422)
    assert_clean_error(client.post("/v1/ask", content="问题".encode(), headers={"content-type": "text/plain"}), 422)


def test_oversized_body_is_rejected(client, settings_fake):
    big = {"question": "医" * (settings_fake.max_request_bytes + 10)}
    assert "过大" in assert_clean_error(client.post("/v1/ask", json=big), 413)


def test_oversized_chunked_body_is_rejected(client, settings_fake):
    def chunks():  # no Content-Length: the limit must count the streamed bytes
        for _ in range(settings_fake.max_request_bytes // 1000 + 2):
            yield b" " * 1000
    resp = client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert_clean_error(resp, 413)


def test_search_bad_input(client):
    assert_clean_error(client.post("/v1/search", json={"query": "医保", "k": 0}), 422)
    assert_clean_error(client.post("/v1/search", json={"query": "医保", "mode": "magic"}), 422)
    assert_clean_error(client.post("/v1/search", json={"query": ""}), 400)


def test_unknown_document_route_and_method(client):
    assert "没有文档" in assert_clean_error(client.get("/v1/documents/no-such-doc.txt"), 404)
    assert_clean_error(client.get("/v2/nothing"), 404)
    assert_clean_error(client.get("/v1/ask"), 405)


def test_chat_completion_bad_messages(client):
    assert_clean_error(client.post("/v1/chat/completions", json={"messages": []}), 422)
    last_not_user = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    assert_clean_error(client.post("/v1/chat/completions", json=last_not_user), 400)
    assert_clean_error(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": ""}]}), 400)
    assert_clean_error(client.post("/v1/chat/completions", json={"messages": "hello"}), 422)


def test_internal_error_has_no_traceback(assistant, settings_fake):
    class Broken:
        index = assistant.index

        def ask(self, *a, **k):
            raise RuntimeError("secret internals /etc/passwd")

    with TestClient(create_app(Broken(), settings_fake), raise_server_exceptions=False) as c:
        resp = c.post("/v1/ask", json={"question": QUESTION})
    message = assert_clean_error(resp, 500)
    assert "secret" not in resp.text and "RuntimeError" not in message


def test_serve_command_reports_a_missing_index_in_one_line(tmp_path):
    from click.testing import CliRunner

    from assistant.cli import main

    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none"), "--port", "1"])
    assert result.exit_code == 2
    assert result.output.startswith("错误：") and "Traceback" not in result.output


# ---- the official openai client against a live server ---------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_url(assistant, settings_fake):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(assistant, settings_fake), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def openai_client(live_url):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(base_url=f"{live_url}/v1", api_key="unused", max_retries=0, timeout=30)


def test_openai_client_models(openai_client):
    assert "policy-assistant" in [m.id for m in openai_client.models.list()]


def test_openai_client_chat(openai_client):
    resp = openai_client.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": QUESTION}])
    text = resp.choices[0].message.content
    citations = resp.model_extra["citations"]
    assert citations and f"[{citations[0]['n']}]" in text
    assert {"source", "quote", "start", "end"} <= set(citations[0])


def test_openai_client_stream(openai_client):
    stream = openai_client.chat.completions.create(
        model="policy-assistant", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    pieces, extras = [], {}
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        extras.update(chunk.model_extra or {})
    assert len(pieces) > 1 and "来源：" in "".join(pieces)
    assert extras.get("citations")


def test_openai_client_sees_chinese_errors(openai_client):
    import openai

    with pytest.raises(openai.BadRequestError) as info:
        openai_client.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": "   "}])
    assert "问题为空" in info.value.message


def test_live_server_rejects_oversized_body(live_url, settings_fake):
    import httpx

    resp = httpx.post(f"{live_url}/v1/ask", json={"question": "医" * settings_fake.max_request_bytes}, timeout=30)
    assert_clean_error(resp, 413)


def test_worker_factory_rebuilds_the_app_from_the_environment(built_index, settings_fake, monkeypatch):
    """`serve --workers N` hands settings to worker processes through the environment."""
    import dataclasses

    from assistant.web import api

    payload = {**dataclasses.asdict(settings_fake), "index_dir": str(built_index)}
    monkeypatch.setenv(api.SETTINGS_ENV, json.dumps(payload))
    with TestClient(api.worker_app()) as c:
        assert c.get("/healthz").json()["status"] == "ok"
