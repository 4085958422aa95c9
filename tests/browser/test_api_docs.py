"""/api/docs in Debian's Chromium: Swagger UI starts under the content security policy and lists the
operations of the OpenAPI document."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .test_ui import CHROMIUM, browser  # noqa: F401 — the shared browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_api_docs_list_the_operations(page: Any, live_server: Any) -> None:
    problems: list[str] = []
    failed: list[str] = []
    # The policy's refusals and script errors show on the console; missing files as responses.
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: failed.append(f"{req.url} {req.failure}"))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock-summary", timeout=20000)
    text = page.inner_text("#swagger-ui")
    assert "救助 Jiuzhu API" in text
    for summary in ("一户一档：家庭档案", "登记人员", "一键核对：生成核对报告", "导入批次的状态与计数"):
        assert summary in text, summary
    assert page.locator(".opblock").count() >= 15
    assert not [p for p in problems if "Failed to load resource" not in p], problems
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
