"""Issue 16 item 10: the API key on every /v1 route (also through the openai SDK) and the login backoff."""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from assistant.web.api import create_app  # noqa: E402

KEY = "s3cret-key"
QUESTION = "医保基金结余按什么比例分配？"
CJK = re.compile(r"[\u4e00-\u9fff]")
ROUTES = [("post", "/v1/ask", {"question": QUESTION}), ("post", "/v1/search", {"query": "医保"}),
          ("get", "/v1/documents", None), ("get", "/v1/models", None),
          ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]})]


@pytest.fixture(scope="module")
def locked(assistant, settings_fake):
    with TestClient(create_app(assistant, settings_fake.replace(api_key=KEY)), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_every_v1_route_needs_the_key(locked, method, path, body):
    call = getattr(locked, method)
    kwargs = {"json": body} if body is not None else {}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"Authorization": "Basic eDp5"}):
        resp = call(path, headers=headers, **kwargs)
        assert resp.status_code == 401, (headers, resp.text)
        assert CJK.search(resp.json()["error"]["message"])
    assert call(path, headers={"Authorization": f"Bearer {KEY}"}, **kwargs).status_code == 200


def test_health_check_stays_open(locked):
    assert locked.get("/healthz").status_code == 200


def test_no_key_configured_means_open_api(assistant, settings_fake):
    with TestClient(create_app(assistant, settings_fake)) as c:
        assert c.post("/v1/search", json={"query": "医保"}).status_code == 200


@pytest.fixture(scope="module")
def live(assistant, settings_fake):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(assistant, settings_fake.replace(api_key=KEY)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_openai_sdk_api_key_works(live):
    openai = pytest.importorskip("openai")
    good = openai.OpenAI(base_url=f"{live}/v1", api_key=KEY, max_retries=0, timeout=30)
    resp = good.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": QUESTION}])
    assert "6:3:1" in resp.choices[0].message.content
    bad = openai.OpenAI(base_url=f"{live}/v1", api_key="guess", max_retries=0, timeout=30)
    with pytest.raises(openai.AuthenticationError) as info:
        bad.models.list()
    assert "API 密钥" in info.value.message


# ---- the gradio login ---------------------------------------------------------------------------------
def test_login_backoff_is_per_client():
    from assistant.web.guard import LoginBackoff

    now = [1000.0]
    backoff = LoginBackoff(app=None, free=3, base=1.0, cap=60.0, clock=lambda: now[0])
    for _ in range(3):
        assert backoff.wait("1.2.3.4") == 0
        backoff.failed("1.2.3.4")
    assert backoff.wait("1.2.3.4") == 0
    backoff.failed("1.2.3.4")  # the fourth failure starts the backoff
    assert backoff.wait("1.2.3.4") > 0
    assert backoff.wait("5.6.7.8") == 0  # another client is not slowed down
    now[0] += 1.5
    assert backoff.wait("1.2.3.4") == 0
    backoff.failed("1.2.3.4")
    assert backoff.wait("1.2.3.4") >= 1.5  # doubles
    backoff.succeeded("1.2.3.4")
    assert backoff.wait("1.2.3.4") == 0


def test_gradio_login_gets_a_backoff(assistant, settings_fake, tmp_path):
    pytest.importorskip("gradio")
    import httpx

    from assistant.web.app import launch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings_fake.replace(web_user="admin", web_password="right-pass", data_dir=str(tmp_path))
    demo = launch(assistant, settings, "127.0.0.1", port, block=False)
    try:
        url = f"http://127.0.0.1:{port}/login"
        with httpx.Client(timeout=30) as c:
            assert c.post(url, data={"username": "admin", "password": "right-pass"}).status_code == 200
            codes = [c.post(url, data={"username": "admin", "password": f"guess{i}"}).status_code for i in range(40)]
            assert codes[0] == 400 and 429 in codes
            assert codes.count(400) <= 5  # the rest were refused before the password was even compared
            blocked = c.post(url, data={"username": "admin", "password": "right-pass"})
            assert blocked.status_code == 429 and CJK.search(blocked.text)
    finally:
        demo.close()
