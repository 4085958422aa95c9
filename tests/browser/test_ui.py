"""The web UI in Debian's Chromium, driven by Playwright: log in, search, open a household file,
and see only one's own jurisdiction."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from ..conftest import EAST_TOWN, WEST_VILLAGE
from ..factories import add_member, make_id_number, new_household, new_import_batch, new_user

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]
PASSWORD = "pass-12345-word"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are ordinary.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/")


def test_caseworker_finds_and_opens_a_household(page: Any, live_server: Any, tree: Any) -> None:
    worker = new_user(username="east", role="township_caseworker", region=tree[EAST_TOWN])
    east = new_household(head__name="陈东来")
    add_member(east, "child", name="陈小东", id_number=make_id_number(55, male=True))
    new_household(region=tree[WEST_VILLAGE], head__name="陈西去")
    _login(page, live_server, worker.username)

    page.fill("#id_q", "陈")
    page.click("form.search button")
    page.wait_for_selector("table.list >> text=陈东来")
    assert page.locator("text=陈西去").count() == 0

    page.fill("#id_q", make_id_number(55, male=True)[-6:])
    page.click("form.search button")
    page.wait_for_selector(f"text={east.number}")
    page.click(f"text={east.number}")
    page.wait_for_selector("h1 >> text=家庭档案")
    assert page.locator("text=陈小东").count() >= 1
    assert page.locator("text=变更历史").count() == 1


def test_village_assistant_sees_masked_ids_on_a_tablet(browser: Any, live_server: Any, tree: Any) -> None:
    assistant = new_user(username="village", role="village_assistant", region=tree["980101001001"])
    east = new_household(head__name="林一")
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    _login(page, live_server, assistant.username)
    page.goto(f"{live_server.url}/households/{east.pk}/")
    text = page.inner_text("main")
    assert east.head.masked_id in text
    assert east.head.id_number not in text
    context.close()


def test_other_township_gets_not_found(page: Any, live_server: Any, tree: Any) -> None:
    new_user(username="west", role="township_caseworker", region=tree["980101002000"])
    east = new_household(head__name="黄东")
    _login(page, live_server, "west")
    response = page.goto(f"{live_server.url}/households/{east.pk}/")
    assert response.status == 404
    assert "黄东" not in page.content()


def test_one_click_verification_in_the_browser(page: Any, live_server: Any, tree: Any) -> None:
    from datetime import date
    from decimal import Decimal

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.exchange.models import FeedRecord
    from jiuzhu.policy.services import policy_version_create

    worker = new_user(username="verifier", role="township_caseworker", region=tree[EAST_TOWN])
    policy_version_create(
        ctx=AuditContext.system(),
        region=tree["980101000000"],
        effective_from=date(2020, 1, 1),
        document_no="测试",
        dibao_standard_urban=Decimal("700"),
        dibao_standard_rural=Decimal("520"),
    )
    family = new_household(head__name="核对户主")
    batch = new_import_batch(feed="hrss_pension")
    for year in (2024, 2025, 2026):
        FeedRecord.objects.create(
            feed="hrss_pension",
            id_number=family.head.id_number,
            date=date(year, 3, 1),
            amount=Decimal("300"),
            kind="employee",
            data={},
            row_key=f"r{year}",
            batch=batch,
        )
    _login(page, live_server, worker.username)
    page.goto(f"{live_server.url}/verification/")
    page.fill("#id_id_number", family.head.id_number)
    page.click("form.search button")
    page.wait_for_selector("text=共同生活家庭成员")
    page.click("details:has(form.auth-form) summary")
    page.fill("form.auth-form input[name=reference]", "授权-001")
    page.click("form.auth-form button")
    page.wait_for_selector("text=已登记核对授权书")
    page.click("button:has-text('一键核对')")
    page.wait_for_selector("h1 >> text=家庭经济状况核对报告")
    page.wait_for_selector("#trend-chart svg")  # ECharts rendered under the content security policy
    assert page.locator(".verdict.yes strong:text-is('低保')").count() == 1
    if os.environ.get("JIUZHU_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["JIUZHU_SCREENSHOTS"], "report.png"), full_page=True)
