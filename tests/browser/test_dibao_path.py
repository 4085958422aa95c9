"""The 低保 path end to end in Debian's Chromium, as the demo users: the caseworker starts a window
application from one ID number, verifies, uploads the signed papers and accepts; records the home
investigation (two investigators, signatures uploaded); the reviewer gives the opinion and starts the
public notice; an objection holds; re-investigation, 民主评议, review and a new notice; the county
approver confirms, and the case page shows 确认给予, the amount and the flowchart ending there; the
household's file shows the entitlement. A refusal shows its notice with the reasons."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_TOWN, WEST_VILLAGE
from ..factories import add_member, new_household, new_policy, workflow_definitions
from .test_ui import CHROMIUM, PASSWORD, browser  # noqa: F401 - the module's browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


class Desk:
    """One demo user at a browser: a fresh context per user, logged in."""

    def __init__(self, browser: Any, live_server: Any) -> None:  # noqa: F811
        self.browser = browser
        self.url = live_server.url
        self.context: Any = None
        self.page: Any = None

    def login(self, username: str) -> Any:
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.goto(f"{self.url}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.url}/households/")
        return self.page

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


@pytest.fixture
def desk(browser: Any, live_server: Any) -> Iterator[Desk]:  # noqa: F811
    d = Desk(browser, live_server)
    yield d
    d.close()


def _png(name: str) -> dict[str, Any]:
    from jiuzhu.demo.procedure import signature_png

    return {"name": f"{name}.png", "mimeType": "image/png", "buffer": signature_png(3)}


def _pdf(name: str) -> dict[str, Any]:
    from jiuzhu.demo.procedure import scan_pdf

    return {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": scan_pdf(name)}


def _world(tree: Any) -> dict[str, Any]:
    """The demo users on the test county, its policy and definitions, two households of 东一村 whose
    adults signed the 核对授权书."""
    from jiuzhu.accounts.models import User
    from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure
    from jiuzhu.demo.procedure import procedure_accounts
    from jiuzhu.verification.models import Authorisation

    new_policy(COUNTY)
    workflow_definitions()
    layout = Layout(COUNTY, [EAST_TOWN, WEST_TOWN], [EAST_VILLAGE, WEST_VILLAGE])
    accounts = demo_accounts(
        county_code=COUNTY, township_codes=layout.township_codes, village_codes=layout.village_codes
    )
    demo_users_ensure([*accounts, *procedure_accounts(layout, remote=False)], password=PASSWORD)
    worker = User.objects.get(username="caseworker")
    family = new_household(head__name="张秀英")
    child = add_member(family, "child", name="张小兵")
    other = new_household(head__name="赵有财")
    for person in (family.head, child, other.head):
        Authorisation.objects.create(
            person=person, signed_on=timezone.localdate(), reference="授权书", recorded_by=worker
        )
    return {
        "layout": layout,
        "family": family,
        "other": other,
        "users": {u.username: u for u in User.objects.all()},
    }


def _case_page(page: Any, url: str, pk: int) -> None:
    page.goto(f"{url}/workflow/cases/{pk}/")
    page.wait_for_selector("h1 >> text=审核确认")


def _investigate(page: Any, users: dict[str, Any], today: str) -> None:
    form = page.locator("#form-investigation")
    form.locator("input[name=visited_on]").fill(today)
    for name in ("caseworker", "caseworker3"):
        form.locator(f"input[name=investigator_ids][value='{users[name].pk}']").check()
    for field, text in (
        ("food", "一日三餐以粗粮为主"),
        ("clothing", "衣着陈旧"),
        ("housing", "砖木平房两间"),
        ("daily_goods", "旧电视一台，无冰箱"),
        ("findings", "生活困难属实"),
        ("family_signatory", "张秀英"),
    ):
        form.locator(f"[name={field}]").fill(text)
    form.locator("input[name=family_signature]").set_input_files(_png("family"))
    form.locator("input[name=investigator_signatures]").set_input_files(_png("investigators"))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记入户调查")


def _move(page: Any, label: str) -> None:
    page.click(f".transitions button:has-text('{label}')")
    page.wait_for_selector("text=案件已流转")


def _opinion(page: Any) -> None:
    form = page.locator("#form-review_opinion")
    form.locator("input[name=agree][value='1']").check()
    form.locator("[name=text]").fill("经审核，符合低保条件，同意上报")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记审核意见")


def _start_notice(page: Any) -> None:
    page.locator("#form-notice_start button[type=submit]").click()
    page.wait_for_selector("text=公示已开始")


def _notice_into_the_past(case: Any) -> None:
    """Time passes: the running notice's seven days lie behind us (as a test may do in the database)."""
    from jiuzhu.workflow.models import PublicNotice

    today = timezone.localdate()
    PublicNotice.objects.filter(case=case, closed_on=None).update(
        starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=3)
    )


def test_dibao_from_the_window_to_the_entitlement(desk: Desk, live_server: Any, tree: Any) -> None:
    from jiuzhu.workflow.models import Case

    w = _world(tree)
    users, family = w["users"], w["family"]
    url, today = live_server.url, timezone.localdate().isoformat()

    # 受理: the caseworker at the window, from one ID number.
    page = desk.login("caseworker")
    page.goto(f"{url}/intake/new/")
    page.fill("#id_id_number", family.head.id_number)
    page.select_option("#id_channel", "window")
    page.check("input[name=programs][value=dibao]")
    page.fill("#id_statement", "因病致贫，家中无固定收入")
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("text=待受理")
    page.click("button:has-text('一键核对')")
    page.wait_for_selector("text=可能符合")
    page.set_input_files("#p-c", _png("commitment"))
    page.set_input_files("#p-a", _pdf("authorisation"))
    page.click("form[action$='/papers/'] button[type=submit]")
    page.wait_for_selector("a:has-text('已上传')")
    # The verification may propose other programs too (一次申请、分类认定); this case is the 低保 one.
    for box in page.locator("#accept-form input[name=programs]").all():
        box.uncheck()
    page.check("#accept-form input[name=programs][value=dibao]")
    page.click("button:has-text('受理所选项目')")
    page.wait_for_selector("text=已立案件")
    case = Case.objects.get(household=family)
    page.click(f"a:has-text('{case.number}')")
    page.wait_for_selector("text=家庭经济状况核对")
    assert "受理通知书" in page.inner_text("main")

    # 入户调查 by two caseworkers, signatures uploaded.
    _move(page, "启动入户调查")
    _investigate(page, users, today)
    _move(page, "提交乡镇审核")

    # 乡镇审核 and the first notice; an objection comes in and holds once the period is over.
    page = desk.login("reviewer")
    _case_page(page, url, case.pk)
    _opinion(page)
    _move(page, "开始公示")
    _start_notice(page)
    assert "公示中" in page.inner_text("main")
    form = page.locator("#form-objection")
    form.locator("input[name=received_on]").fill(today)
    form.locator("[name=content]").fill("反映申请人家有一辆小轿车未申报")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记异议")
    _notice_into_the_past(case)
    _case_page(page, url, case.pk)
    decide = page.locator("[id^=form-decide_]")
    decide.locator("input[name=holds][value='1']").check()
    decide.locator("[name=finding]").fill("车辆情况确有疑问，需重新调查核实")
    decide.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记异议核实结论")
    assert "重新调查核实" in page.inner_text(".case-header")

    # 重新调查核实 and 民主评议 (the county's mode: on objection), back to the reviewer.
    page = desk.login("caseworker")
    _case_page(page, url, case.pk)
    _investigate(page, users, today)
    _move(page, "提交民主评议")
    form = page.locator("#form-community_review")
    form.locator("input[name=held_on]").fill(today)
    for field, value in (("expected", "11"), ("attended", "10"), ("votes_for", "9"), ("votes_against", "1")):
        form.locator(f"input[name={field}]").fill(value)
    form.locator("[name=minutes]").fill("车辆系亲属所有，生活困难属实，同意纳入")
    form.locator("input[name=signatures]").set_input_files(_png("review"))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记民主评议")
    _move(page, "提交乡镇审核")

    # The new review and notice; it runs its seven days without objection and closes.
    page = desk.login("reviewer")
    _case_page(page, url, case.pk)
    _opinion(page)
    _move(page, "开始公示")
    _start_notice(page)
    _notice_into_the_past(case)
    _case_page(page, url, case.pk)
    page.locator("#form-notice_close button[type=submit]").click()
    page.wait_for_selector("text=公示已结束，案件已转入确认")

    # 县级确认 by the approver (the spot check first where the case was drawn for it).
    page = desk.login("approver")
    _case_page(page, url, case.pk)
    if page.locator("#form-spot_check").count():
        form = page.locator("#form-spot_check")
        form.locator("input[name=agree][value='1']").check()
        form.locator("[name=finding]").fill("调阅材料并电话回访，情况属实")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("text=已登记抽查结论")
    form = page.locator("#form-confirmation")
    form.locator("input[name=agree][value='1']").check()
    form.locator("[name=text]").fill("经审查，符合最低生活保障条件，同意确认给予")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已作出确认决定")
    header = page.inner_text(".case-header")
    assert "确认给予" in header
    decision = page.inner_text("section.decision")
    # Two members, no income on file, 东一村's rural standard of 520 a month: (520 − 0) × 2.
    assert "月保障金额 1040.00 元" in decision, decision
    page.wait_for_selector(".flowchart.drawn .flowchart-svg svg", timeout=20000)
    current = page.locator(".flowchart-svg g.node.current")
    assert current.count() == 1 and "确认给予" in current.text_content()
    assert "确认通知书" in page.inner_text("main")

    # The household's file shows the entitlement and its history.
    page.goto(f"{url}/households/{family.pk}/")
    page.click("a:has-text('在保记录')")
    page.wait_for_selector("h1 >> text=在保记录")
    text = page.inner_text("main")
    assert "在保" in text and "1040.00 元" in text and case.number in text
    if os.environ.get("JIUZHU_SCREENSHOTS"):
        _case_page(page, url, case.pk)
        page.screenshot(path=os.path.join(os.environ["JIUZHU_SCREENSHOTS"], "dibao-case.png"), full_page=True)


def test_a_refusal_gives_its_reasons_in_the_notice(desk: Desk, live_server: Any, tree: Any) -> None:
    from jiuzhu.demo.procedure import demo_case_at_confirmation
    from jiuzhu.workflow.models import Notice

    w = _world(tree)
    case = demo_case_at_confirmation(layout=w["layout"], household=w["other"])
    page = desk.login("approver")
    _case_page(page, live_server.url, case.pk)
    if page.locator("#form-spot_check").count():
        form = page.locator("#form-spot_check")
        form.locator("input[name=agree][value='0']").check()
        form.locator("[name=finding]").fill("抽查发现申请人经营商铺")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("text=已登记抽查结论")
    form = page.locator("#form-confirmation")
    form.locator("input[name=agree][value='0']").check()
    form.locator("[name=text]").fill("经审查，不符合最低生活保障条件")
    form.locator("[name=reasons]").fill(
        "申请人在镇上经营商铺，月收入约三千元，未如实申报\n家庭拥有小轿车一辆"
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已作出确认决定")
    assert "不予确认" in page.inner_text(".case-header")
    notice = Notice.objects.get(case=case, kind="refusal")
    page.goto(f"{live_server.url}/workflow/notices/{notice.pk}/")
    text = page.inner_text("main")
    assert "不予确认" in text and notice.document_no in text
    assert "申请人在镇上经营商铺，月收入约三千元，未如实申报" in text
    assert "家庭拥有小轿车一辆" in text
