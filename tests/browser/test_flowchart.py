"""The flowchart drawn by the vendored Mermaid in Debian's Chromium, under the content security policy
('self' only, no inline style): nodes, the end-state class and the current step come out styled."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from ..conftest import COUNTY, EAST_TOWN
from ..factories import new_policy, new_user, workflow_definitions
from .test_ui import CHROMIUM, PASSWORD, browser  # noqa: F401 - the module's browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def _setup(tree: Any) -> None:
    new_policy(COUNTY)
    workflow_definitions()
    new_user(username="east", role="township_caseworker", region=tree[EAST_TOWN])


def _login(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "east")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/")


def test_flowchart_is_drawn_under_the_content_security_policy(page: Any, live_server: Any, tree: Any) -> None:
    _setup(tree)
    _login(page, live_server)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/workflow/docs/flowchart/dibao/")
    page.wait_for_selector(".flowchart.drawn .flowchart-svg svg", timeout=20000)
    assert errors == []
    svg = page.locator(".flowchart-svg svg")
    text = svg.text_content()
    for label in ("家庭经济状况核对", "乡镇审核 · 5个工作日", "公示", "确认给予", "退回入户调查"):
        assert label in text, label
    # The Mermaid stylesheet and classDefs applied although the page allows no inline style.
    fill = page.evaluate(
        "() => getComputedStyle(document.querySelector('.flowchart-svg g.node.ending rect, "
        ".flowchart-svg g.node.ending path')).fill"
    )
    assert fill == "rgb(238, 242, 246)"
    # The Mermaid text folded away once drawn.
    assert page.locator("details.flowchart-source[open]").count() == 0
    if os.environ.get("JIUZHU_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["JIUZHU_SCREENSHOTS"], "flowchart.png"), full_page=True)


def test_handbook_draws_its_chart_and_prints(page: Any, live_server: Any, tree: Any) -> None:
    _setup(tree)
    _login(page, live_server)
    page.goto(f"{live_server.url}/workflow/docs/handbook/")
    page.wait_for_selector(".flowchart.drawn .flowchart-svg svg", timeout=20000)
    page.emulate_media(media="print")
    assert page.locator("#procedure").evaluate("e => getComputedStyle(e).breakBefore") == "page"
    assert page.locator(".topbar").is_hidden()
