"""End to end in Debian's chromium: ask in the web chat, open a citation, see the highlighted quote, rate it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
QUESTION = "医保基金结余按什么比例分配？"
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web_url(built_index, settings_fake, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (run `make browser`, which installs Debian's chromium)")
    pytest.importorskip("playwright.sync_api")
    pytest.importorskip("gradio")
    data_dir = tmp_path_factory.mktemp("webdata")
    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ASSISTANT_EMBEDDER": settings_fake.embedder,
           "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_WEB_USER": "", "ASSISTANT_WEB_PASSWORD": "",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    env.pop("ASSISTANT_CONFIG", None)
    log = open(data_dir / "web.log", "w")
    cli = [sys.executable, "-m", "assistant.cli", "web", "--index", str(built_index), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cli, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(data_dir))
    url = f"http://127.0.0.1:{port}/"
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"assistant web exited: {(data_dir / 'web.log').read_text()}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"assistant web did not come up: {(data_dir / 'web.log').read_text()}")
            time.sleep(0.2)
        yield url, data_dir
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_ask_open_citation_and_rate(web_url):
    from playwright.sync_api import sync_playwright

    from assistant.web.feedback import FeedbackStore

    url, data_dir = web_url
    external: list[str] = []
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")

            def only_local(route):
                if route.request.url.startswith(LOCAL):
                    route.continue_()
                else:  # the machine is offline: anything else would hang or fail for users too
                    external.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.set_default_timeout(45000)  # generous: CI machines may be busy
            page.goto(url)
            box = page.locator("#pa-question textarea")
            box.fill(QUESTION)
            page.locator("#pa-send").click()

            cite = page.locator("#pa-chat button.pa-cite").first
            cite.wait_for()
            assert page.locator("#pa-chat .pa-bubble").first.inner_text() == QUESTION
            quote = cite.locator(".pa-quote").inner_text().strip("“”")
            cite.click()
            hit = page.locator("#pa-viewer mark.pa-hit")
            hit.wait_for()
            assert hit.inner_text() == quote
            assert page.locator("#pa-viewer .pa-section mark.pa-hit").count() == 1
            page.screenshot(path=str(artifacts / "web_e2e.png"))

            page.locator("#pa-chat button.pa-fb-btn[data-rating='useful']").click()
            page.locator("#pa-chat button.pa-fb-btn.pa-on").wait_for()
            page.locator("#pa-feedback textarea").fill("引文清楚")
            page.locator("#pa-feedback button").click()
            page.get_by_text("已保存对第 1 条回答的补充说明").wait_for()

            # Markup typed by a user is shown as text and never runs.
            probe = '<img src=x onerror="window.__pwned=1">'
            box.fill(probe)
            box.press("Enter")
            page.locator("#pa-chat .pa-turn").nth(1).locator(".pa-a:not(.pa-pending)").wait_for()
            assert page.locator("#pa-chat .pa-bubble").nth(1).inner_text() == probe
            assert page.evaluate("window.__pwned") is None
        finally:
            browser.close()
    assert external == []
    rows = FeedbackStore(Path(data_dir) / "feedback.sqlite3").all()
    assert len(rows) == 1 and rows[0]["question"] == QUESTION
    assert rows[0]["rating"] == "useful" and rows[0]["comment"] == "引文清楚" and rows[0]["citations"]

