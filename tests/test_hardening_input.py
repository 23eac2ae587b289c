"""Issue 16 items 1-2: lone surrogates and invalid UTF-8 in API bodies, batch files and argv get a clear Chinese error."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from assistant.cli import main

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from assistant.web.api import create_app  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
ENV = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_CONFIG": None}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(assistant, settings_fake):
    with TestClient(create_app(assistant, settings_fake), raise_server_exceptions=False) as c:
        yield c


def assert_chinese_4xx(resp) -> str:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)
    message = resp.json()["error"]["message"]
    assert CJK.search(message) and "parsing" not in message, message
    return message


# A JSON escape of a lone surrogate, and the same code point as raw (invalid) UTF-8 bytes.
ESCAPED = '"医保\\ud800结余比例？"'.encode()
RAW = '"医保'.encode() + b"\xed\xa0\x80" + '结余比例？"'.encode()


@pytest.mark.parametrize("value", [ESCAPED, RAW], ids=["escaped", "raw"])
@pytest.mark.parametrize(
    "route,template",
    [
        ("/v1/ask", b'{"question": %s}'),
        ("/v1/ask", b'{"question": "\xe5\x8c\xbb\xe4\xbf\x9d", "id": %s}'),
        ("/v1/ask", b'{"question": "\xe5\x8c\xbb\xe4\xbf\x9d", "history": [{"role": "user", "content": %s}]}'),
        ("/v1/search", b'{"query": %s}'),
        ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": %s}]}'),
    ],
)
def test_lone_surrogate_is_a_400_not_a_500(client, route, template, value):
    resp = client.post(route, content=template % value, headers=JSON)
    assert resp.status_code == 400, resp.text
    assert "字符" in assert_chinese_4xx(resp)
    # the connection (and the app) still answer the next request
    assert client.post("/v1/search", json={"query": "医保结余"}).status_code == 200


def test_body_parse_errors_are_chinese(client):
    # invalid UTF-8 that is not a surrogate: FastAPI's own "There was an error parsing the body"
    assert_chinese_4xx(client.post("/v1/ask", content=b'{"question": "\xff\xfe"}', headers=JSON))
    assert_chinese_4xx(client.post("/v1/ask", content=b"\xff\xfe\x00", headers=JSON))
    form = {"content-type": "multipart/form-data; boundary=x"}
    assert_chinese_4xx(client.post("/v1/ask", content=b"--x\r\nbroken", headers=form))


@pytest.mark.parametrize("text", [{"a": 1}, ["x"], 3, None, True])
def test_chat_content_parts_with_odd_text_are_a_400(client, text):
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]}
    assert client.post("/v1/chat/completions", json=body).status_code == 400


def test_unexpected_error_is_a_500_that_keeps_the_connection(assistant, settings_fake):
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    class Broken:
        index = assistant.index

        def ask(self, *a, **k):
            raise RuntimeError("boom")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Broken(), settings_fake), host="127.0.0.1", port=port,
                                           log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            for _ in range(3):  # the same kept-alive connection answers again after a 500
                assert c.post("/v1/ask", json={"question": "医保"}).status_code == 500
            assert c.get("/healthz").status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)


def test_library_rejects_surrogates_with_a_query_error(assistant):
    from assistant.pipeline import QueryError

    with pytest.raises(QueryError, match="字符"):
        assistant.ask("医保\ud800结余比例？")
    with pytest.raises(QueryError, match="字符"):
        assistant.ask("医保结余比例？", history=[{"role": "user", "content": "\udcff"}])
    with pytest.raises(QueryError, match="字符"):
        assistant.search("医保\ud800")


# ---- batch files and argv -----------------------------------------------------------------------
def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env=ENV, catch_exceptions=False)


@pytest.mark.parametrize("command", ["ask", "search"])
def test_bad_batch_lines_get_their_own_errors(tmp_path, built_index, command):
    lines = [
        json.dumps({"id": "q1", "question": "医保基金结余分配比例"}, ensure_ascii=False).encode(),
        b'{"id": "q2", "question": "\\ud800\xe7\xbb\x93\xe4\xbd\x99"}',  # escaped lone surrogate
        b'{"id": "q3", "question": "\xff\xe7\xbb\x93\xe4\xbd\x99"}',  # invalid UTF-8 byte
        b'{"id": "\\udc80", "question": "\xe5\x8c\xbb\xe4\xbf\x9d\xed\xa0\x80"}',  # raw surrogate bytes, odd id
        json.dumps({"id": "q5", "question": "县招乡用是什么"}, ensure_ascii=False).encode(),
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    result = _run(command, "--batch", batch, "--index", built_index, "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5
    answered = [r.get("id") for r in rows if "error" not in r]
    assert answered == ["q1", "q5"]
    errors = {r["line"]: r for r in rows if "error" in r}
    assert sorted(errors) == [2, 3, 4]
    for n, row in errors.items():
        assert f"第 {n} 行" in row["error"] and CJK.search(row["error"])
    assert "Traceback" not in result.output


def test_bad_argv_gets_a_clear_message(built_index):
    result = _run("ask", "医保\udced\udca0\udc80结余", "--index", built_index)  # argv bytes \xed\xa0\x80
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：") and "字符" in result.stderr and "内部错误" not in result.stderr
